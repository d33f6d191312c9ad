# Installing, removing, packaging.  Included by the Makefile after the
# components' .mk files.
#
#   make install   [DESTDIR=] [PREFIX=/usr/local] [SBINDIR= BINDIR= MANDIR=
#                  DOCDIR= SYSCONFDIR=/etc PAMDIR= SUDO_PLUGIN_DIR= SYSTEMDUNITDIR=]
#   make uninstall (the same variables)
#   make deb       $(BUILD)/deployguard_VERSION_ARCH.deb, built for PREFIX=/usr
#                  in $(BUILD)/pkg
#
# The binaries embed SBINDIR, SYSCONFDIR, RUNDIR and STATEDIR, and the
# objects are rebuilt when those change (the Makefile's build-flags), so
# `make install PREFIX=/usr` installs binaries that look where they live.
# The BPF object needs no installing: bpftool's skeleton embeds it in
# deployguardd.
#
# How a component hooks in:
#   - the PAM module and the sudo plugin are handled below as soon as their
#     directory has a .mk fragment (they build $(PAM_SO) and $(SUDO_SO));
#   - man pages are found by name: every *.1 ... *.8 in daemon/, pam/ and
#     sudo_plugin/ goes to $(MANDIR)/manN;
#   - files under etc/ whose path names pam or sudo are PAM and sudo.conf
#     snippets, and etc/audit/ has audit rules: installed as examples in
#     $(DOCDIR)/examples, never activated;
#   - anything else: in the component's .mk, append a phony target to
#     INSTALL_TARGETS and its inverse to UNINSTALL_TARGETS (both honour
#     DESTDIR and the directory variables here), or a file to
#     INSTALL_EXAMPLES.

INSTALL		?= install
DOCDIR		?= $(PREFIX)/share/doc/deployguard
# PAM and sudo load modules from their own directories, whatever PREFIX is.
SUDO_PLUGIN_DIR	?= /usr/libexec/sudo
ifeq ($(origin PAMDIR),undefined)
PAM_LIBDIR	:= $(shell $(PKG_CONFIG) --variable=libdir pam 2>/dev/null)
PAMDIR		:= $(or $(PAM_LIBDIR),/lib/$(shell $(CC) -print-multiarch))/security
endif
# systemd reads units from /usr/local/lib/systemd/system too.
ifeq ($(origin SYSTEMDUNITDIR),undefined)
ifeq ($(PREFIX),/usr)
SYSTEMD_UNITDIR	:= $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null)
SYSTEMDUNITDIR	:= $(or $(SYSTEMD_UNITDIR),/lib/systemd/system)
else
SYSTEMDUNITDIR	:= $(PREFIX)/lib/systemd/system
endif
endif

PAM_SO		?= $(BUILD)/pam_deployguard.so
SUDO_SO		?= $(BUILD)/deployguard_sudo.so

# relative to etc/ and to $(SYSCONFDIR)/deployguard/
CONF_FILES	:= deployguard.conf $(patsubst etc/%,%,$(wildcard etc/blocklist.d/*))
MAN_PAGES	:= $(wildcard $(addsuffix /*.[1-8],daemon pam sudo_plugin))
INSTALL_EXAMPLES := $(INSTALL_EXAMPLES) $(shell find etc -type f \( -path '*pam*' -o \
		    -path '*sudo*' -o -path 'etc/audit/*' \) 2>/dev/null | sort)
CONF_DIR	:= $(DESTDIR)$(SYSCONFDIR)/deployguard

INSTALL_TARGETS	+= install-programs install-config install-man install-unit install-doc
UNINSTALL_TARGETS += uninstall-programs uninstall-config uninstall-man uninstall-unit \
		     uninstall-doc

.PHONY: install-programs uninstall-programs
install-programs: $(BINS)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 0755 $(BUILD)/deployguardd $(DESTDIR)$(SBINDIR)/deployguardd
	$(INSTALL) -m 0755 $(BUILD)/deployguard $(DESTDIR)$(BINDIR)/deployguard

uninstall-programs:
	rm -f $(DESTDIR)$(SBINDIR)/deployguardd $(DESTDIR)$(BINDIR)/deployguard

# An existing file is the administrator's: never overwritten.
.PHONY: install-config uninstall-config
install-config:
	$(INSTALL) -d $(CONF_DIR)
	@for f in $(CONF_FILES); do \
		if [ -e "$(CONF_DIR)/$$f" ]; then \
			echo "install: keeping $(CONF_DIR)/$$f (the shipped one is etc/$$f)"; \
		else \
			echo "$(INSTALL) -D -m 0644 etc/$$f $(CONF_DIR)/$$f"; \
			$(INSTALL) -D -m 0644 "etc/$$f" "$(CONF_DIR)/$$f" || exit 1; \
		fi; \
	done

# A file that differs from the shipped one was changed here: it stays.
uninstall-config:
	@for f in $(CONF_FILES); do \
		if [ ! -e "$(CONF_DIR)/$$f" ]; then \
			:; \
		elif cmp -s "etc/$$f" "$(CONF_DIR)/$$f"; then \
			echo "rm -f $(CONF_DIR)/$$f"; rm -f "$(CONF_DIR)/$$f"; \
		else \
			echo "uninstall: keeping $(CONF_DIR)/$$f (modified)"; \
		fi; \
	done
	-@rmdir $(CONF_DIR)/blocklist.d $(CONF_DIR) 2>/dev/null

.PHONY: install-man uninstall-man
install-man:
	@for p in $(MAN_PAGES); do \
		d="$(DESTDIR)$(MANDIR)/man$${p##*.}"; \
		echo "$(INSTALL) -D -m 0644 $$p $$d/$${p##*/}"; \
		$(INSTALL) -D -m 0644 "$$p" "$$d/$${p##*/}" || exit 1; \
	done

uninstall-man:
	@for p in $(MAN_PAGES); do \
		f="$(DESTDIR)$(MANDIR)/man$${p##*.}/$${p##*/}"; \
		echo "rm -f $$f $$f.gz"; rm -f "$$f" "$$f.gz"; \
	done

# The unit names /usr/sbin and /usr/bin; other prefixes get their own paths.
.PHONY: install-unit uninstall-unit
install-unit:
	$(INSTALL) -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|=/usr/sbin/deployguardd |=$(SBINDIR)/deployguardd |' \
	    -e 's|=/usr/bin/deployguard |=$(BINDIR)/deployguard |' \
	    etc/deployguardd.service > $(DESTDIR)$(SYSTEMDUNITDIR)/deployguardd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/deployguardd.service

uninstall-unit:
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/deployguardd.service

.PHONY: install-doc uninstall-doc
install-doc:
	$(INSTALL) -d $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	$(INSTALL) -m 0644 etc/doh-resolvers.txt $(DESTDIR)$(DOCDIR)/doh-resolvers.txt
	@for f in $(INSTALL_EXAMPLES); do \
		echo "$(INSTALL) -D -m 0644 $$f $(DESTDIR)$(DOCDIR)/examples/$${f#etc/}"; \
		$(INSTALL) -D -m 0644 "$$f" "$(DESTDIR)$(DOCDIR)/examples/$${f#etc/}" || exit 1; \
	done

uninstall-doc:
	rm -f $(DESTDIR)$(DOCDIR)/README.md $(DESTDIR)$(DOCDIR)/doh-resolvers.txt
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(patsubst etc/%,%,$(INSTALL_EXAMPLES)))
	-@find $(DESTDIR)$(DOCDIR) -depth -type d -empty -delete 2>/dev/null

# --- the session openers, once they are in the tree ---------------------------------

ifneq ($(wildcard pam/*.mk),)
INSTALL_TARGETS	+= install-pam
UNINSTALL_TARGETS += uninstall-pam
.PHONY: install-pam uninstall-pam
install-pam: $(PAM_SO)
	$(INSTALL) -d $(DESTDIR)$(PAMDIR)
	$(INSTALL) -m 0644 $(PAM_SO) $(DESTDIR)$(PAMDIR)/pam_deployguard.so

uninstall-pam:
	rm -f $(DESTDIR)$(PAMDIR)/pam_deployguard.so
endif

ifneq ($(wildcard sudo_plugin/*.mk),)
INSTALL_TARGETS	+= install-sudo
UNINSTALL_TARGETS += uninstall-sudo
.PHONY: install-sudo uninstall-sudo
install-sudo: $(SUDO_SO)
	$(INSTALL) -d $(DESTDIR)$(SUDO_PLUGIN_DIR)
	$(INSTALL) -m 0644 $(SUDO_SO) $(DESTDIR)$(SUDO_PLUGIN_DIR)/deployguard_sudo.so

uninstall-sudo:
	rm -f $(DESTDIR)$(SUDO_PLUGIN_DIR)/deployguard_sudo.so
endif

# --- the entry points ---------------------------------------------------------------

.PHONY: install uninstall
install: $(INSTALL_TARGETS)
	@if [ -z "$(DESTDIR)" ]; then \
		echo; \
		echo "Installed.  Next: systemctl daemon-reload; systemctl enable --now deployguardd"; \
		echo "(see the quick start in $(DOCDIR)/README.md)"; \
	fi

uninstall: $(UNINSTALL_TARGETS)
	@if [ -z "$(DESTDIR)" ] && [ -d /sys/fs/bpf/deployguard ]; then \
		echo; \
		echo "uninstall: a guard is still pinned in /sys/fs/bpf/deployguard; lift it with"; \
		echo "  'deployguardd --uninstall' before removing deployguardd (or reboot)"; \
	fi

# --- the Debian package -----------------------------------------------------------------

DEB_VERSION	?= $(VERSION)
DEB_ARCH	= $(shell dpkg --print-architecture)
DEB_MAINTAINER	?= deployguard developers <root@localhost>
PKG_BUILD	:= $(BUILD)/pkg
DEB_FILE	= $(BUILD)/deployguard_$(DEB_VERSION)_$(DEB_ARCH).deb

# dpkg-dev: dpkg-shlibdeps computes Depends: from what the binaries link;
# man-db and systemd: the man page and unit checks of `make check`.
DEB_DEPS	+= dpkg-dev man-db systemd

# Everything is built again for /usr in $(PKG_BUILD), installed into a
# staging tree there, and packed by etc/debian/build-deb.
.PHONY: deb
deb:
	rm -rf $(PKG_BUILD)/debian
	$(MAKE) BUILD=$(PKG_BUILD) PREFIX=/usr SYSCONFDIR=/etc \
		DESTDIR=$(abspath $(PKG_BUILD))/debian/deployguard install
	etc/debian/build-deb $(PKG_BUILD) $(DEB_VERSION) $(DEB_ARCH) \
		'$(DEB_MAINTAINER)' $(DEB_FILE)
