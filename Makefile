# deployguard — see README.md.  `make`, `make check` (root), `make demo` (root),
# `make install` / `make uninstall` (DESTDIR, PREFIX, ...), `make deb`.
#
# Everything is built out of tree in $(BUILD); nothing generated lands in
# the source directories.  The binaries embed SBINDIR, SYSCONFDIR, RUNDIR
# and STATEDIR (DG_* below): changing any of them rebuilds what uses them,
# so `make install PREFIX=/usr` installs binaries that look in /usr.

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
SYSCONFDIR	?= /etc
RUNDIR		?= /run/deployguard
STATEDIR	?= /var/lib/deployguard
DESTDIR		?=

BUILD		?= build
CC		?= gcc
CLANG		?= clang
BPFTOOL		?= bpftool
PKG_CONFIG	?= pkg-config

ARCH		:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
			-e 's/ppc64le/powerpc/' -e 's/s390x/s390/' -e 's/riscv64/riscv/')

VERSION		:= 0.1.0

CFLAGS		?= -O2 -g
WARNFLAGS	:= -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Wno-unused-parameter
DG_CFLAGS	:= -std=gnu11 $(WARNFLAGS) -fPIC -D_GNU_SOURCE \
		   -DDG_VERSION='"$(VERSION)"' \
		   -DDG_SBINDIR='"$(SBINDIR)"' \
		   -DDG_SYSCONFDIR='"$(SYSCONFDIR)"' \
		   -DDG_RUNDIR='"$(RUNDIR)"' \
		   -DDG_STATEDIR='"$(STATEDIR)"' \
		   -I$(BUILD) -Ibpf -Idaemon
BPF_CFLAGS	:= -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
		   -I$(BUILD) -Ibpf

LIBBPF_LIBS	:= $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
AUDIT_LIBS	:= -laudit
AUPARSE_LIBS	:= -lauparse -laudit

# Debian packages: what the build needs, and what the tests need besides.
DEB_BUILD	:= make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev \
		   libpam0g-dev libaudit-dev libauparse-dev check pkg-config
DEB_TEST	:= dnsmasq-base curl dnsutils iproute2 procps util-linux \
		   openssh-server openssh-client sudo auditd
DEB_DEPS	:= $(DEB_BUILD) $(DEB_TEST)

# --- sources -----------------------------------------------------------------

# the client library PAM, sudo and the CLI link to talk to the daemon
CLIENT_SRCS	:= daemon/ctlmsg.c daemon/dgclient.c
# shared by the daemon and the CLI (config checking, formatting)
COMMON_SRCS	:= daemon/log.c daemon/util.c daemon/domain_set.c daemon/config.c \
		   daemon/cgroup.c
DAEMON_SRCS	:= daemon/deployguardd.c daemon/dns.c daemon/guard.c daemon/proxy.c daemon/decision.c \
		   daemon/blockres.c daemon/notify.c \
		   daemon/session.c daemon/proctab.c daemon/events.c daemon/control.c \
		   daemon/audit.c daemon/audit_fmt.c daemon/audit_seen.c daemon/watch.c \
		   daemon/learn_memo.c
CLI_SRCS	:= daemon/cli.c daemon/cli_run.c daemon/report.c daemon/audit_fmt.c

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

CLIENT_OBJS	:= $(call obj,$(CLIENT_SRCS))
COMMON_OBJS	:= $(call obj,$(COMMON_SRCS)) $(BUILD)/doh_list.o
DAEMON_OBJS	:= $(call obj,$(DAEMON_SRCS))
CLI_OBJS	:= $(call obj,$(CLI_SRCS))

BINS		:= $(BUILD)/deployguardd $(BUILD)/deployguard
LIBS		:= $(BUILD)/libdgclient.a

# Components (pam/, sudo_plugin/, ...) keep their rules in their own .mk
# file and append what they build to ALL_EXTRA, and phony targets that
# install and remove it to INSTALL_TARGETS / UNINSTALL_TARGETS (see
# etc/install.mk, which already knows the PAM module and the sudo plugin).
ALL_EXTRA	:=
INSTALL_TARGETS	:=
UNINSTALL_TARGETS :=

.PHONY: all
all: $(BINS) $(LIBS) all-extra test-helpers

# --- BPF ---------------------------------------------------------------------

# vmlinux.h: use a checked-in bpf/vmlinux.h when present, else generate it
# from the running kernel's BTF.
ifneq ($(wildcard bpf/vmlinux.h),)
VMLINUX_H := bpf/vmlinux.h
else
VMLINUX_H := $(BUILD)/vmlinux.h
$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp
	mv $@.tmp $@
endif

$(BUILD)/deployguard.tmp.bpf.o: bpf/deployguard.bpf.c bpf/deployguard.h $(VMLINUX_H)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/deployguard.bpf.o: $(BUILD)/deployguard.tmp.bpf.o
	$(BPFTOOL) gen object $@ $<

$(BUILD)/deployguard.skel.h: $(BUILD)/deployguard.bpf.o
	$(BPFTOOL) gen skeleton $< name deployguard_bpf > $@.tmp
	mv $@.tmp $@

# --- user space --------------------------------------------------------------

# The flags, paths included, as last built with: objects depend on them.
BUILD_FLAGS	= $(CC) $(DG_CFLAGS) $(CFLAGS) $(CPPFLAGS)
$(BUILD)/build-flags: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(subst ','\'',$(BUILD_FLAGS))' > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

.PHONY: FORCE
FORCE:

$(BUILD)/%.o: %.c $(BUILD)/build-flags
	@mkdir -p $(@D)
	$(CC) $(DG_CFLAGS) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@

# The public DoH resolver list: one file, shipped in etc/ and compiled in.
$(BUILD)/doh_list.c: etc/doh-resolvers.txt
	@mkdir -p $(@D)
	{ echo '/* generated from $< */'; echo '#include "config.h"'; \
	  echo 'const char dg_doh_list[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@.tmp
	mv $@.tmp $@

$(BUILD)/doh_list.o: $(BUILD)/doh_list.c $(BUILD)/build-flags
	$(CC) $(DG_CFLAGS) $(CFLAGS) -c $< -o $@

# guard.c embeds the skeleton
$(BUILD)/daemon/guard.o: $(BUILD)/deployguard.skel.h

$(BUILD)/libdgclient.a: $(CLIENT_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/deployguardd: $(DAEMON_OBJS) $(COMMON_OBJS) $(CLIENT_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBBPF_LIBS) $(AUDIT_LIBS)

$(BUILD)/deployguard: $(CLI_OBJS) $(COMMON_OBJS) $(CLIENT_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(AUPARSE_LIBS)

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)

include $(wildcard pam/*.mk sudo_plugin/*.mk daemon/*.mk)

# after the components' .mk files, so ALL_EXTRA is complete
.PHONY: all-extra
all-extra: $(ALL_EXTRA)

# install, uninstall, deb: after the components' .mk files too
include etc/install.mk

# --- tests -------------------------------------------------------------------

include tests/tests.mk

# --- dependencies ------------------------------------------------------------

# Installs only what is missing, so it is quick on a machine that has it all.
.PHONY: deps
deps:
	@missing=$$(for p in $(DEB_DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "deps: run as root (sudo make deps)" >&2; exit 1; fi; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "deps: all Debian packages present"; \
	fi

.PHONY: clean
clean:
	rm -rf $(BUILD)
