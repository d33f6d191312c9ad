# Benchmarks, included from tests/tests.mk.  `make bench` (root) prints one
# table; BENCHMARKS.md records the latest results.

BENCH_BUILD	:= $(BUILD)/tests/bench
BENCH_BINS	:= $(BENCH_BUILD)/dg_loadgen $(BENCH_BUILD)/dg_matchbench $(BENCH_BUILD)/dg_mapfill
DEB_DEPS	+= iperf3 dnsperf nftables pamtester time

$(BENCH_BUILD)/%.o: tests/bench/%.c
	@mkdir -p $(@D)
	$(CC) $(DG_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BENCH_BUILD)/dg_loadgen: $(BENCH_BUILD)/dg_loadgen.o $(call obj,daemon/dns.c daemon/util.c)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(BENCH_BUILD)/dg_matchbench: $(BENCH_BUILD)/dg_matchbench.o $(call obj,daemon/domain_set.c)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(BENCH_BUILD)/dg_mapfill: $(BENCH_BUILD)/dg_mapfill.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBBPF_LIBS)

.PHONY: bench-tools bench
bench-tools: $(BENCH_BINS)

bench: deps
	$(MAKE) all test-helpers bench-tools
	tests/bench/bench.sh $(BENCH)
