# Static analysis, included from tests/tests.mk: clang-tidy (configured in
# .clang-tidy) and cppcheck (tests/lint/cppcheck.supp) over every C file of
# ours, with the build's own flags.  Any finding fails; suppressions sit on
# the line they excuse, with the reason.  `make check` runs `make lint`.
#
# Not bpf/: the BPF program is C for the BPF target (vmlinux.h, helper
# calls clang-tidy's analyzer does not model); clang compiles it with
# -Wall -Werror and the kernel's verifier proves it safe at every load.

LINT_SRCS	:= $(sort $(wildcard daemon/*.c pam/*.c sudo_plugin/*.c tests/unit/*.c \
		   tests/helpers/*.c tests/bench/*.c tests/fuzz/*.c tests/pam/*.c \
		   tests/sudo_plugin/*.c))
LINT_FLAGS	:= $(filter-out -W% -fPIC,$(DG_CFLAGS)) -Ipam -Isudo_plugin -Itests/fuzz \
		   -Itests/unit -DDG_PAM_MODULE='"/nonexistent"' $(CHECK_CFLAGS)
CLANG_TIDY	?= clang-tidy
CPPCHECK	?= cppcheck

DEB_DEPS	+= clang-tidy cppcheck

.PHONY: lint lint-tidy lint-cppcheck
lint: lint-tidy lint-cppcheck

# the generated headers the sources include
lint-tidy lint-cppcheck: $(BUILD)/deployguard.skel.h $(BUILD)/doh_list.c

lint-tidy:
	$(CLANG_TIDY) --quiet $(LINT_SRCS) -- $(LINT_FLAGS)
	@echo "lint-tidy: no findings in $(words $(LINT_SRCS)) files"

lint-cppcheck:
	$(CPPCHECK) --quiet --error-exitcode=1 --inline-suppr --std=c11 \
		--enable=warning,style,performance,portability \
		--suppressions-list=tests/lint/cppcheck.supp \
		-D__GNUC__ -D_GNU_SOURCE -DDG_PAM_MODULE='"/nonexistent"' -Ibuild -Ibpf -Idaemon -Ipam -Isudo_plugin -Itests/fuzz -Itests/unit \
		$(LINT_SRCS)
	@echo "lint-cppcheck: no findings in $(words $(LINT_SRCS)) files"

CHECK_EXTRA	+= lint
