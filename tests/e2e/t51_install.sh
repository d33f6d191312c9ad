#!/bin/bash
# make install / make uninstall into a DESTDIR: where everything goes for the
# default PREFIX (/usr/local) and for PREFIX=/usr, that the binaries embed
# the paths they are installed for (and are rebuilt when those change), that
# an existing configuration is never overwritten, and that uninstall takes
# away everything but a configuration someone changed.  Nothing outside
# this test's temporary directory and the build directory is written.
. "$(dirname "$0")/../integration/lib.sh"

TMP=$(mktemp -d /tmp/dgtest-install.XXXXXX)
trap 'rm -rf "$TMP"; echo "1..$TESTS_RUN"; [ "$TESTS_FAILED" -eq 0 ]' EXIT

mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$DG_SRC" "$@"
}

# --- the default prefix: /usr/local ------------------------------------------------------

R=$TMP/local
mk ${DG_BUILD:+BUILD="$DG_BUILD"} DESTDIR="$R" install >"$TMP/install.log" 2>&1
rc=$?
[ $rc -ne 0 ] && tail -n 20 "$TMP/install.log" | sed 's/^/# /'
check "make install DESTDIR=... succeeds" eq "$rc" 0
for f in usr/local/sbin/deployguardd usr/local/bin/deployguard \
	usr/local/share/man/man8/deployguardd.8 usr/local/share/man/man1/deployguard.1 \
	usr/local/share/man/man5/deployguard.conf.5 usr/local/lib/systemd/system/deployguardd.service \
	usr/local/share/doc/deployguard/README.md usr/local/share/doc/deployguard/doh-resolvers.txt \
	etc/deployguard/deployguard.conf etc/deployguard/blocklist.d/github.txt; do
	check "installed: /$f" test -s "$R/$f"
done
check "the programs are executable" test -x "$R/usr/local/sbin/deployguardd" -a -x "$R/usr/local/bin/deployguard"
# PAM and sudo load modules from their own directories, whatever the prefix
pamdir=$(pkg-config --variable=libdir pam)/security
if ls "$DG_SRC"/pam/*.mk >/dev/null 2>&1; then
	check "the PAM module goes to PAM's directory ($pamdir)" test -s "$R$pamdir/pam_deployguard.so"
	check "... the PAM snippet is an example" \
		test -s "$R/usr/local/share/doc/deployguard/examples/pam.d/deployguard-session"
	check "... its man page is installed" test -s "$R/usr/local/share/man/man8/pam_deployguard.8"
else
	echo "# pam/ is not in this tree: no PAM module to look for"
fi
if ls "$DG_SRC"/sudo_plugin/*.mk >/dev/null 2>&1; then
	check "the sudo plugin goes to sudo's plugin directory" \
		test -s "$R/usr/libexec/sudo/deployguard_sudo.so"
	check "... the sudo.conf snippet is an example" \
		test -s "$R/usr/local/share/doc/deployguard/examples/sudo.conf.example"
	check "... its man page is installed" test -s "$R/usr/local/share/man/man8/deployguard_sudo.8"
else
	echo "# sudo_plugin/ is not in this tree: no sudo plugin to look for"
fi
check "nothing is activated: no /etc/pam.d, no /etc/sudo.conf" \
	test ! -e "$R/etc/pam.d" -a ! -e "$R/etc/sudo.conf"
check "no BPF object is installed: it is in deployguardd" \
	test -z "$(find "$R" -name '*.bpf.o' -o -name '*.skel.h')"
unit=$R/usr/local/lib/systemd/system/deployguardd.service
check "the unit starts the daemon from /usr/local/sbin" has "$(cat "$unit")" '^ExecStart=/usr/local/sbin/deployguardd -f$'
check "... and reloads with /usr/local/bin/deployguard" has "$(cat "$unit")" '^ExecReload=/usr/local/bin/deployguard reload$'
check "the CLI looks for a private daemon in /usr/local/sbin" \
	grep -qa '/usr/local/sbin' "$R/usr/local/bin/deployguard"
check "both look for their configuration in /etc/deployguard" \
	grep -qa '/etc/deployguard/deployguard.conf' "$R/usr/local/sbin/deployguardd" "$R/usr/local/bin/deployguard"

# the administrator's configuration is theirs
echo "# changed here" >>"$R/etc/deployguard/deployguard.conf"
cp "$R/etc/deployguard/deployguard.conf" "$TMP/mine.conf"
out=$(mk ${DG_BUILD:+BUILD="$DG_BUILD"} DESTDIR="$R" install 2>&1)
check "installing again keeps an existing configuration" cmp -s "$TMP/mine.conf" "$R/etc/deployguard/deployguard.conf"
check "... and says so" has "$out" "install: keeping $R/etc/deployguard/deployguard.conf"

out=$(mk ${DG_BUILD:+BUILD="$DG_BUILD"} DESTDIR="$R" uninstall 2>&1)
check "make uninstall succeeds" test $? -eq 0
check "uninstall keeps a changed configuration, and says so" \
	has "$out" "uninstall: keeping $R/etc/deployguard/deployguard.conf \(modified\)"
check "... and removes everything else" \
	eq "$(cd "$R" && find . -type f | sort)" "./etc/deployguard/deployguard.conf"
cp "$DG_SRC/etc/deployguard.conf" "$R/etc/deployguard/deployguard.conf"
mk ${DG_BUILD:+BUILD="$DG_BUILD"} DESTDIR="$R" uninstall >/dev/null 2>&1
check "an unchanged configuration goes too, and the directories with it" \
	eq "$(cd "$R" && find . -type f; find . -type d -path './etc/deployguard*')" ""

# --- PREFIX=/usr (what the package uses; built in BUILD/pkg) ------------------------------------

PB=${DG_BUILD:-$DG_SRC/build}/pkg
R=$TMP/usr
mk BUILD="$PB" PREFIX=/usr DESTDIR="$R" install >"$TMP/install-usr.log" 2>&1
rc=$?
[ $rc -ne 0 ] && tail -n 20 "$TMP/install-usr.log" | sed 's/^/# /'
check "make install PREFIX=/usr succeeds" eq "$rc" 0
systemd_unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)
for f in usr/sbin/deployguardd usr/bin/deployguard usr/share/man/man8/deployguardd.8 \
	"${systemd_unitdir#/}/deployguardd.service" usr/share/doc/deployguard/README.md; do
	check "PREFIX=/usr: /$f" test -s "$R/$f"
done
check "PREFIX=/usr: the CLI looks for a private daemon in /usr/sbin" \
	grep -qa '/usr/sbin' "$R/usr/bin/deployguard"
check "PREFIX=/usr: ... not in /usr/local" \
	test -z "$(grep -la /usr/local "$R/usr/bin/deployguard" "$R/usr/sbin/deployguardd")"
check "PREFIX=/usr: the unit is the shipped one" cmp -s "$DG_SRC/etc/deployguardd.service" \
	"$R/$systemd_unitdir/deployguardd.service"
out=$(mk BUILD="$PB" PREFIX=/usr DESTDIR="$R" install 2>&1)
check "installing again with the same paths compiles nothing" hasnt "$out" ' -c daemon/'

# --- a path that changes rebuilds what embeds it --------------------------------------------------

cp -a "$PB" "$TMP/b"
out=$(mk BUILD="$TMP/b" PREFIX=/opt/dg "$TMP/b/daemon/cli_run.o" 2>&1)
check "another PREFIX recompiles an object built for /usr" has "$out" "-DDG_SBINDIR='\"/opt/dg/sbin\"'.* -c daemon/cli_run\\.c"
check "... which then embeds it" grep -qa '/opt/dg/sbin' "$TMP/b/daemon/cli_run.o"
out=$(mk BUILD="$TMP/b" PREFIX=/opt/dg "$TMP/b/daemon/cli_run.o" 2>&1)
check "... once" hasnt "$out" ' -c daemon/cli_run\.c'
