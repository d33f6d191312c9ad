# Fuzzing, included from tests/tests.mk.  See tests/fuzz/fuzz.h.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="dns_query ..."]
#	libFuzzer (clang) on each target in turn, FUZZ_SECONDS each, from the
#	checked-in corpus into build/fuzz/corpus/; prints runs and findings
#   make check-fuzz-corpus
#	every checked-in corpus through its target once, built with gcc under
#	ASan and UBSan with a plain driver (tests/fuzz/replay.c); make check
#	runs it, so every input that ever found a bug stays a regression test

FUZZ_SECONDS	?= 60
FUZZ_ALL	:= dns_query dns_response ctlmsg config domain_list pam_options sudo_options report
FUZZ_TARGETS	?= $(FUZZ_ALL)
FUZZ_BUILD	:= $(BUILD)/fuzz
FUZZ_CC		?= clang

# what each target is built from, besides tests/fuzz/fuzz_<target>.c
FUZZ_COMMON_SRCS := daemon/config.c daemon/domain_set.c daemon/util.c daemon/log.c \
		    daemon/cgroup.c $(BUILD)/doh_list.c
fuzz_srcs_dns_query	:= daemon/dns.c
fuzz_srcs_dns_response	:= daemon/dns.c
fuzz_libs_dns_response	:= -lldns
fuzz_srcs_ctlmsg	:= daemon/ctlmsg.c
fuzz_srcs_config	:= $(FUZZ_COMMON_SRCS)
fuzz_srcs_domain_list	:= $(FUZZ_COMMON_SRCS)
fuzz_srcs_pam_options	:= pam/pam_options.c
fuzz_srcs_sudo_options	:= sudo_plugin/options.c
fuzz_srcs_report	:= daemon/report.c daemon/audit_fmt.c $(FUZZ_COMMON_SRCS)
fuzz_libs_report	:= $(AUPARSE_LIBS)

FUZZ_CFLAGS	:= $(filter-out -fPIC,$(DG_CFLAGS)) -Ipam -Isudo_plugin -Itests/fuzz -g -O1 \
		   -fno-omit-frame-pointer
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_ENV	:= ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		   LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp
fuzz_deps	= tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz_util.c $(fuzz_srcs_$(1)) tests/fuzz/fuzz.h

DEB_DEPS	+= clang libclang-rt-14-dev libldns-dev

# libFuzzer binaries (clang), and replay binaries (the normal compiler)
.SECONDEXPANSION:
$(FUZZ_BUILD)/lf/fuzz_%: $$(call fuzz_deps,$$*) $(BUILD)/doh_list.c $(BUILD)/build-flags
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ \
		$(filter %.c,$(call fuzz_deps,$*)) $(fuzz_libs_$*)

$(FUZZ_BUILD)/replay/fuzz_%: $$(call fuzz_deps,$$*) $(BUILD)/doh_list.c tests/fuzz/replay.c \
			     $(BUILD)/build-flags
	@mkdir -p $(@D)
	$(CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -o $@ tests/fuzz/replay.c \
		$(filter %.c,$(call fuzz_deps,$*)) $(fuzz_libs_$*)

.PHONY: fuzz check-fuzz-corpus
check-fuzz-corpus: $(addprefix $(FUZZ_BUILD)/replay/fuzz_,$(FUZZ_ALL))
	@set -e; for t in $(FUZZ_ALL); do \
		$(FUZZ_ENV) $(FUZZ_BUILD)/replay/fuzz_$$t tests/fuzz/corpus/$$t; \
	done

fuzz: $(addprefix $(FUZZ_BUILD)/lf/fuzz_,$(FUZZ_TARGETS))
	@mkdir -p $(FUZZ_BUILD)/crashes
	@printf '%-14s %8s %12s  %s\n' target seconds runs result
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
		dict=; [ -f tests/fuzz/dict/$$t.dict ] && dict=-dict=tests/fuzz/dict/$$t.dict; \
		if $(FUZZ_ENV) $(FUZZ_BUILD)/lf/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- $$dict \
			$(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t >$(FUZZ_BUILD)/$$t.log 2>&1; \
		then res=clean; else res="FINDING: see $(FUZZ_BUILD)/$$t.log"; fi; \
		runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_BUILD)/$$t.log); \
		printf '%-14s %8s %12s  %s\n' $$t $(FUZZ_SECONDS) "$${runs:-?}" "$$res"; \
	done

CHECK_EXTRA	+= check-fuzz-corpus
