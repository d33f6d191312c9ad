# Tests, included from the top-level Makefile.
#
#   make check              unit + integration + end-to-end (root; installs deps)
#   make check-unit         Check unit tests (no root needed)
#   make check-integration  real kernel, inside network namespaces (root)

TEST_BUILD	:= $(BUILD)/tests
CHECK_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS	:= $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

# --- unit tests (Check) --------------------------------------------------------

UNIT_SRCS	:= $(wildcard tests/unit/*.c)
UNIT_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(UNIT_SRCS))
# the modules under test, linked in as they are
UNIT_DEPS	:= $(call obj,daemon/domain_set.c daemon/config.c daemon/dns.c daemon/ctlmsg.c \
		   daemon/util.c daemon/log.c daemon/cgroup.c \
		   daemon/audit_fmt.c daemon/audit_seen.c daemon/report.c daemon/watch.c daemon/learn_memo.c) $(BUILD)/doh_list.o

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(DG_CFLAGS) $(CHECK_CFLAGS) -Itests/unit $(CFLAGS) -MMD -MP -c $< -o $@

$(TEST_BUILD)/unit_tests: $(UNIT_OBJS) $(UNIT_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(AUPARSE_LIBS)

.PHONY: unit-tests check-unit
unit-tests: $(TEST_BUILD)/unit_tests

# Components with unit tests of their own (a PAM harness, a plugin loader)
# append phony targets that build and run them to CHECK_UNIT_EXTRA.
CHECK_UNIT_EXTRA :=
# Checks that need no root and no kernel (lint, sanitizer runs, corpus
# replay) append phony targets to CHECK_EXTRA; `make check` runs them last.
CHECK_EXTRA :=
include $(filter-out tests/tests.mk,$(wildcard tests/*.mk))

check-unit: $(TEST_BUILD)/unit_tests $(CHECK_UNIT_EXTRA)
	cd tests/unit && CK_FORK=yes $(CURDIR)/$(TEST_BUILD)/unit_tests

# --- helpers for the integration tests -------------------------------------------

HELPER_NAMES	:= dg_dnsq dg_connect dg_httpd dg_bypass dg_hog
HELPERS		:= $(addprefix $(TEST_BUILD)/,$(HELPER_NAMES))

$(TEST_BUILD)/dg_dnsq: $(BUILD)/tests/helpers/dg_dnsq.o $(call obj,daemon/dns.c daemon/util.c)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(TEST_BUILD)/%: $(BUILD)/tests/helpers/%.o $(call obj,daemon/util.c)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

.PHONY: test-helpers
test-helpers: $(HELPERS)

# --- integration and end-to-end ------------------------------------------------------

.PHONY: check-integration
check-integration: all test-helpers
	tests/run-integration.sh $(TESTS)

.PHONY: check
check: deps
	$(MAKE) all test-helpers unit-tests
	$(MAKE) check-unit
	$(MAKE) check-integration
	$(if $(strip $(CHECK_EXTRA)),$(MAKE) $(CHECK_EXTRA))

# --- demo -------------------------------------------------------------------------------

.PHONY: demo
demo: deps
	$(MAKE) all test-helpers
	tests/demo/demo.sh
