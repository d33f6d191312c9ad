# Checks of what gets installed, included by tests/tests.mk: the man pages
# render without a warning, the systemd unit passes systemd-analyze verify.
# (The .deb and `make install` themselves: tests/e2e/t50_deb.sh, t51_install.sh.)

CHECK_UNIT_EXTRA += check-man check-unit-file

.PHONY: check-man check-unit-file
check-man:
	tests/check-man.sh

# The unit as `make install` writes it, pointing at the binaries in
# $(BUILD), with the man pages it names installed next to it:
# systemd-analyze checks that the programs and the pages exist.
UNIT_CHECK	:= $(abspath $(BUILD))/unit-check
check-unit-file: $(BINS)
	rm -rf $(UNIT_CHECK)
	$(MAKE) --no-print-directory install-unit install-man DESTDIR=$(UNIT_CHECK) \
		SYSTEMDUNITDIR=/unit MANDIR=/man SBINDIR=$(abspath $(BUILD)) \
		BINDIR=$(abspath $(BUILD))
	@out=$$(MANPATH=$(UNIT_CHECK)/man \
		systemd-analyze verify $(UNIT_CHECK)/unit/deployguardd.service 2>&1); \
	if [ -n "$$out" ]; then \
		echo "$$out"; echo "check-unit-file: systemd-analyze verify complained" >&2; exit 1; \
	fi; \
	echo "check-unit-file: etc/deployguardd.service verifies"

# the service manager's end of sd_notify, for the integration tests
test-helpers: $(TEST_BUILD)/dg_notify
