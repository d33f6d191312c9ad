#!/bin/bash
# The Debian package, end to end: `make deb` builds it, apt installs it, the
# installed deployguardd (started with this test's config, inside its
# namespaces) guards a `deployguard run` of the installed CLI, and purge
# lifts the guard and leaves nothing behind.
#
# apt, dpkg and the maintainer scripts run for real, but on this test's own
# view of the system: in its private mount namespace /etc, /usr and /var are
# overlays whose changes live in a tmpfs, and /run is a tmpfs of its own (no
# service manager to reach, no runtime directory of anyone else's).  The
# machine, and every other test running on it, never sees the package, and
# nothing is left to undo when the test dies, however it dies.  The one
# thing a maintainer script does to the kernel (the prerm's
# `deployguardd --uninstall`) is pointed at this test's own cgroup and pins.
. "$(dirname "$0")/../integration/lib.sh"
dg_begin "$@"

PKG=deployguard
OVERLAY=
APT=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q)

pkg_status() {
	dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null
}

deb_cleanup() {
	local rc=$?
	dg_stop_daemon
	# the installed binaries go with the overlay: lift the test's guard with the built ones
	DG=$B/deployguard DGD=$B/deployguardd
	if [ -n "$OVERLAY" ]; then
		umount -l /run /var /usr /etc "$TMP/ov" 2>/dev/null
	fi
	(exit "$rc")
	dg_cleanup
}
trap deb_cleanup EXIT

bail() {
	echo "Bail out! $*"
	exit 1
}

# this test's own /etc, /usr, /var (overlays) and /run (empty)
overlay_system() {
	mkdir -p "$TMP/ov" && mount -t tmpfs -o mode=0755 dg-t50 "$TMP/ov" || return 1
	OVERLAY=1
	for d in etc usr var; do
		mkdir -p "$TMP/ov/$d.up" "$TMP/ov/$d.work" || return 1
		mount -t overlay "dg-t50-$d" \
			-o "lowerdir=/$d,upperdir=$TMP/ov/$d.up,workdir=$TMP/ov/$d.work" "/$d" || return 1
	done
	mount -t tmpfs -o mode=0755 dg-t50-run /run || return 1
	# dg_begin's files are under the /etc overlay now
	mount --bind "$TMP/resolv.conf" /etc/resolv.conf &&
		mount --bind "$TMP/hosts" /etc/hosts
}

# A deployguard on the machine would show through the overlays: the test
# wants a clean system, as apt install on a fresh Debian sees it.
case $(pkg_status) in
"" | "un " | "pn ") ;;
*) bail "the $PKG package is installed on this machine ($(pkg_status))" ;;
esac
for f in /usr/sbin/deployguardd /usr/bin/deployguard /etc/deployguard; do
	[ -e "$f" ] && bail "$f exists: a deployguard is installed on this machine"
done

# --- the package ---------------------------------------------------------------------------

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$DG_SRC" ${DG_BUILD:+BUILD="$DG_BUILD"} deb \
	>"$TMP/make-deb.log" 2>&1 || { tail -n 30 "$TMP/make-deb.log"; bail "make deb failed"; }
version=$("$B/deployguard" --version | awk '{ print $2 }')
arch=$(dpkg --print-architecture)
DEB=$B/${PKG}_${version}_${arch}.deb
check "make deb builds ${DEB##*/}" test -s "$DEB"
cp "$DEB" "$TMP/" && DEB=$TMP/${DEB##*/}

check "the package is deployguard $version for $arch" \
	eq "$(dpkg-deb -f "$DEB" Package Version Architecture | tr '\n' ' ')" \
	"Package: $PKG Version: $version Architecture: $arch "
depends=$(dpkg-deb -f "$DEB" Depends)
mkdir -p "$TMP/x"
dpkg-deb -x "$DEB" "$TMP/x"

# every library a program or module links comes from a package Depends: names
pkg_of() {
	local path
	path=$(ldconfig -p | awk -v l="$1" '$1 == l { print $NF; exit }')
	[ -n "$path" ] || return 1
	{ dpkg -S "$path" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null || dpkg -S "${path#/usr}" 2>/dev/null; } |
		head -n1 | cut -d: -f1
}
missing=
nlibs=0
while read -r f; do
	[ "$(od -An -c -N4 "$f" | tr -d ' ')" = 177ELF ] || continue
	for lib in $(objdump -p "$f" | awk '$1 == "NEEDED" { print $2 }'); do
		nlibs=$((nlibs + 1))
		p=$(pkg_of "$lib") || { missing="$missing $lib(unknown)"; continue; }
		has "$depends" "(^|, )$p( |,|$)" >/dev/null || missing="$missing $lib($p)"
	done
done < <(find "$TMP/x" -type f)
check "Depends: ($depends) covers every library linked ($nlibs)" eq "$missing" ""

conffiles=$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles)
check "the configuration files are conffiles" \
	eq "$conffiles" "$(printf '/etc/deployguard/blocklist.d/github.txt\n/etc/deployguard/deployguard.conf')"
contents=$(dpkg-deb -c "$DEB" | awk '{ print $6 }')
check "nothing in /etc/pam.d or /etc/sudo*: the openers are not switched on" \
	hasnt "$contents" '^\./etc/(pam\.d|sudo)'
check "no BPF object to install: it is in deployguardd" hasnt "$contents" '\.bpf\.o$'
check "the man pages are compressed" \
	has "$contents" '^\./usr/share/man/man8/deployguardd\.8\.gz$'
if ls "$DG_SRC"/pam/*.mk >/dev/null 2>&1; then
	check "the PAM module is in PAM's directory" \
		has "$contents" '^\./(usr/)?lib/[^/]+/security/pam_deployguard\.so$'
	check "... its snippet is an example" has "$contents" '^\./usr/share/doc/deployguard/examples/.*pam'
else
	echo "# pam/ is not in this tree: no PAM module to look for"
fi
if ls "$DG_SRC"/sudo_plugin/*.mk >/dev/null 2>&1; then
	check "the sudo plugin is in sudo's plugin directory" \
		has "$contents" '^\./usr/libexec/sudo/deployguard_sudo\.so$'
	check "... its sudo.conf snippet is an example" \
		has "$contents" '^\./usr/share/doc/deployguard/examples/.*sudo'
else
	echo "# sudo_plugin/ is not in this tree: no sudo plugin to look for"
fi

# --- install --------------------------------------------------------------------------------

overlay_system || bail "cannot set up this test's overlays of /etc, /usr, /var and /run"
"${APT[@]}" install --no-install-recommends "$DEB" >"$TMP/install.log" 2>&1
rc=$?
[ $rc -ne 0 ] && sed 's/^/# /' "$TMP/install.log"
check "apt install ./${DEB##*/} succeeds" eq "$rc" 0
check "... and the package is installed" eq "$(pkg_status)" "ii "

for f in /usr/sbin/deployguardd /usr/bin/deployguard /lib/systemd/system/deployguardd.service \
	/usr/share/doc/deployguard/copyright /usr/share/doc/deployguard/doh-resolvers.txt; do
	check "installed: $f" test -s "$f"
done
check "the shipped configuration is in /etc/deployguard" \
	cmp -s "$DG_SRC/etc/deployguard.conf" /etc/deployguard/deployguard.conf
check "man finds deployguardd(8), deployguard(1), deployguard.conf(5)" \
	eq "$(man -w 8 deployguardd; man -w 1 deployguard; man -w 5 deployguard.conf)" \
	"$(printf '/usr/share/man/man%s.gz\n' 8/deployguardd.8 1/deployguard.1 5/deployguard.conf.5)"
check "the installed unit verifies (systemd-analyze verify)" \
	eq "$(systemd-analyze verify /lib/systemd/system/deployguardd.service 2>&1)" ""
check "the postinst enabled the unit" \
	test "$(readlink /etc/systemd/system/multi-user.target.wants/deployguardd.service)" = \
	/lib/systemd/system/deployguardd.service
running=
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/exe" 2>/dev/null)" = /usr/sbin/deployguardd ] && running="$running ${p#/proc/}"
done
check "... and started nothing (no service manager in this test's /run)" eq "$running" ""
check "deployguardd --version" eq "$(/usr/sbin/deployguardd --version)" "deployguardd $version"
# read-only, and proves the binaries look in /etc: no -c
check "deployguard check-config reads /etc/deployguard/deployguard.conf" \
	has "$(/usr/bin/deployguard check-config 2>&1)" '^/etc/deployguard/deployguard\.conf: OK '

# --- the installed binaries at work -----------------------------------------------------------

DG=/usr/bin/deployguard DGD=/usr/sbin/deployguardd
dg_write_config <<'EOF'
[profile default]
block = github.com
[users]
root = default
EOF
dg_start_daemon
check "the installed daemon runs" \
	has "$("$DG" -c "$CONF" status --json)" "^\\{\"running\":true,\"version\":\"$version\",\"pid\":$DGD_PID,"
out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 x.github.com)
check "a guarded deployguard run: a blocked name gets NXDOMAIN" has "$out" 'rcode=NXDOMAIN'
check "... logged with its command line" \
	log_has 'WARN DNS BLOCKED domain=x\.github\.com\. .*cmd=".*dg_dnsq 10\.77\.0\.53 x\.github\.com"'
out=$(dg_run -- "$H/dg_connect" 10.77.0.1 8080)
check "... and an allowed address is reachable" has "$out" '^connect=ok'
dg_stop_daemon
out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 y.github.com 2>"$TMP/private.err")
check "no daemon: run finds /usr/sbin/deployguardd for a private one" has "$out" 'rcode=NXDOMAIN'
check "... whose decisions reach run's stderr" has "$(cat "$TMP/private.err")" 'WARN DNS BLOCKED domain=y\.github\.com\.'

# --- purge ----------------------------------------------------------------------------------

# The daemon above stopped and left its guard pinned, as a stopped daemon
# does.  Point the installed configuration at it (this test's cgroup, pins
# and run directory), so that removing the package must lift exactly that.
sed -i "/^\[global\]/a bpffs = /sys/fs/bpf/$TEST_ID\\ncgroup = $TEST_ID\\nrun_dir = $TMP/run" \
	/etc/deployguard/deployguard.conf
check "a stopped daemon left its guard pinned" test -e "/sys/fs/bpf/$TEST_ID"
# what a daemon on the default paths leaves: the id counter, session state
mkdir -p /var/lib/deployguard /run/deployguard/sessions
echo 7 >/var/lib/deployguard/last-session-id
echo "session=7" >/run/deployguard/sessions/7
files=$(dpkg -L "$PKG" | while read -r f; do [ -d "$f" ] || echo "$f"; done)
"${APT[@]}" purge "$PKG" >"$TMP/purge.log" 2>&1
rc=$?
[ $rc -ne 0 ] && sed 's/^/# /' "$TMP/purge.log"
check "apt purge succeeds" eq "$rc" 0
check "... and the package is gone" eq "$(pkg_status | tr -d ' ')" ""
check "removing it lifted the guard (prerm: deployguardd --uninstall)" \
	has "$(tr '\r' '\n' <"$TMP/purge.log")" "deployguardd: BPF programs detached, /sys/fs/bpf/$TEST_ID removed"
check "... no pins are left" test ! -e "/sys/fs/bpf/$TEST_ID"
check "... no programs on the guarded root" \
	hasnt "$(bpftool cgroup show "$CG2/$TEST_ID" 2>/dev/null)" 'dg_'
left=
for f in $files /etc/deployguard /var/lib/deployguard /run/deployguard /usr/share/doc/deployguard \
	/etc/systemd/system/multi-user.target.wants/deployguardd.service \
	/var/lib/systemd/deb-systemd-helper-enabled/deployguardd.service.dsh-also \
	/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/deployguardd.service; do
	{ [ -e "$f" ] || [ -L "$f" ]; } && left="$left $f"
done
check "purge leaves nothing: files, configuration, state, enablement" eq "$left" ""
