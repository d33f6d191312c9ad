# Tests of the sudo I/O plugin (included from tests/tests.mk).
#
#   make check-sudo-plugin   the dlopen harness (no root needed)
#   tests/e2e/t20_sudo.sh    the real sudo (root; run by check-integration)

SUDO_TEST	:= $(TEST_BUILD)/sudo_plugin_test

$(BUILD)/tests/sudo_plugin/%.o: tests/sudo_plugin/%.c
	@mkdir -p $(@D)
	$(CC) $(DG_CFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(SUDO_TEST): $(BUILD)/tests/sudo_plugin/sudo_plugin_test.o $(call obj,daemon/ctlmsg.c)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) -ldl -lpthread

.PHONY: check-sudo-plugin
check-sudo-plugin: $(SUDO_TEST) $(SUDO_PLUGIN)
	CK_FORK=yes $(SUDO_TEST) $(CURDIR)/$(SUDO_PLUGIN)

CHECK_UNIT_EXTRA += check-sudo-plugin
# the end-to-end test shows what the plugin sent to the audit subsystem
DEB_DEPS	+= strace
