# The unit tests (Check suites, the PAM harness, the sudo plugin harness)
# again under AddressSanitizer (with LeakSanitizer), UndefinedBehaviorSanitizer
# and valgrind.  Included from tests/tests.mk; `make check` runs them last.
#
#   make check-asan        everything check-unit runs, built into $(BUILD)/asan
#   make check-ubsan       the same in $(BUILD)/ubsan, any UB aborts the test
#   make check-valgrind    the normal binaries under memcheck: no error, no leak
#   make check-sanitize    all three
#
# The sanitized builds are the same Makefile with another BUILD and CFLAGS,
# so they use the same sources and flags as the real build and never
# overwrite its objects.

SAN_CFLAGS	:= -O1 -g -fno-omit-frame-pointer
# any report fails the run: ASan and LSan exit non-zero on their own
ASAN_ENV	:= ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1
UBSAN_ENV	:= UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
VALGRIND	:= valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		   --show-possibly-lost=yes --error-exitcode=99

DEB_DEPS	+= valgrind

.PHONY: check-asan check-ubsan check-valgrind check-sanitize
check-asan:
	$(ASAN_ENV) $(MAKE) BUILD=$(BUILD)/asan CFLAGS="$(SAN_CFLAGS) -fsanitize=address" \
		LDFLAGS="-fsanitize=address" check-unit

check-ubsan:
	$(UBSAN_ENV) $(MAKE) BUILD=$(BUILD)/ubsan \
		CFLAGS="$(SAN_CFLAGS) -fsanitize=undefined -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=undefined" check-unit

# no fork per test, so a leak in any test is in the one process valgrind sees
check-valgrind: $(TEST_BUILD)/unit_tests $(PAM_TEST_BIN) $(SUDO_TEST) $(PAM_MODULE) $(SUDO_PLUGIN)
	cd tests/unit && CK_FORK=no $(VALGRIND) $(CURDIR)/$(TEST_BUILD)/unit_tests
	CK_FORK=no $(VALGRIND) $(PAM_TEST_BIN)
	CK_FORK=no $(VALGRIND) $(SUDO_TEST) $(CURDIR)/$(SUDO_PLUGIN)
	@echo "check-valgrind: no memory errors, no leaks"

check-sanitize: check-asan check-ubsan check-valgrind

CHECK_EXTRA	+= check-sanitize
