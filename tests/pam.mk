# pam_deployguard's tests, included from tests/tests.mk.
#
#   check-pam-unit     the module through a real PAM stack (pam_start_confdir),
#                      daemon stubbed by a control-socket server in the test
#   check-pam-exports  only pam_sm_* are exported
#   check-pam-man      pam_deployguard(8) renders without warnings
#
# The end-to-end test (real sshd, real daemon) is tests/e2e/t10_pam_ssh.sh.

PAM_TEST_BIN	:= $(TEST_BUILD)/pam_tests
PAM_TEST_OBJS	:= $(BUILD)/tests/pam/test_pam_deployguard.o $(call obj,pam/pam_options.c daemon/ctlmsg.c)

$(BUILD)/tests/pam/%.o: tests/pam/%.c
	@mkdir -p $(@D)
	$(CC) $(DG_CFLAGS) $(CHECK_CFLAGS) -Ipam $(CFLAGS) \
		-DDG_PAM_MODULE='"$(CURDIR)/$(PAM_MODULE)"' -MMD -MP -c $< -o $@

# --export-dynamic: the module binds to this binary's syslog and libaudit
# stand-ins (see the test's header comment)
$(PAM_TEST_BIN): $(PAM_TEST_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--export-dynamic -o $@ $^ -lpam -lpthread $(CHECK_LIBS)

.PHONY: check-pam-unit check-pam-exports check-pam-man
check-pam-unit: $(PAM_TEST_BIN) $(PAM_MODULE)
	CK_FORK=yes $(PAM_TEST_BIN)

check-pam-exports: $(PAM_MODULE)
	@got=$$(nm -D --defined-only $(PAM_MODULE) | awk '{ print $$3 }' | sort | tr '\n' ' '); \
	want="pam_sm_close_session pam_sm_open_session "; \
	if [ "$$got" != "$$want" ]; then \
		echo "check-pam-exports: $(PAM_MODULE) exports '$$got', want '$$want'" >&2; exit 1; \
	fi; \
	echo "check-pam-exports: only $$want"

check-pam-man:
	@err=$$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -l pam/pam_deployguard.8 2>&1 >/dev/null); \
	if [ -n "$$err" ]; then echo "$$err" >&2; echo "check-pam-man: pam_deployguard.8 has warnings" >&2; exit 1; fi; \
	echo "check-pam-man: pam_deployguard.8 renders cleanly"

CHECK_UNIT_EXTRA += check-pam-unit check-pam-exports check-pam-man

# audit records for the end-to-end test (fail-open record)
test-helpers: $(TEST_BUILD)/dg_auditmon
