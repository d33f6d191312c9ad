#!/bin/bash
# The sudo I/O plugin with the real sudo: `sudo -u DEPLOYUSER ./deploy.sh`
# runs in a session (blocked name blocked and logged with the script's
# command, allowed name reachable, the exit status back through sudo);
# other run-as users are not guarded; sudo -V works; a stopped daemon makes
# failmode=closed refuse designated commands (and only those) and
# failmode=open run them and record it.
#
# Nothing global changes.  /etc/sudo.conf, /etc/passwd and /etc/group are
# replaced by bind mounts inside this test's private mount namespace (set
# up by dg_begin): the rest of the machine keeps seeing the real files, and
# the mounts vanish with the namespace even if this script is killed.  The
# deploy user exists only in the bind-mounted passwd.
. "$(dirname "$0")/../integration/lib.sh"
dg_begin "$@"

PLUGIN=$B/deployguard_sudo.so
DEPLOY_USER=dgsudo$$
SUDO_CONF_SUM=$(sha256sum </etc/sudo.conf)
MOUNTED=()

sudo_cleanup() {
	local rc=$? m
	for m in "${MOUNTED[@]}"; do
		umount "$m" 2>/dev/null
	done
	(exit "$rc")
	dg_cleanup
}
trap sudo_cleanup EXIT

# field NAME RECORD: the value of NAME=... in an audit record
field() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# unhex HEX: libaudit's encoding of untrusted strings, undone
unhex() {
	printf '%b' "$(printf '%s' "$1" | sed 's/../\\x&/g')"
}

# bind FILE TARGET: FILE replaces TARGET for this namespace only
bind() {
	if ! mount --bind "$1" "$2"; then
		echo "Bail out! cannot bind-mount $1 over $2"
		exit 1
	fi
	MOUNTED+=("$2")
}

# sudo.conf with our plugin last: sudoers_io opens (and reaches any log
# server) before the plugin moves sudo into the session.
write_sudo_conf() {
	cat >"$TMP/sudo.conf" <<EOF
Plugin sudoers_policy sudoers.so
Plugin sudoers_io sudoers.so
Plugin sudoers_audit sudoers.so
Plugin deployguard_io $PLUGIN socket=$TMP/run/control.sock config=$CONF $*
EOF
}

# --- a deploy user, a config that designates it, the daemon -------------------------

# sudoers resolves this host's name (fqdn): answer it from the test's hosts
echo "127.0.1.1 $(hostname)" >>"$TMP/hosts"

uid=$((62000 + $$ % 3000))
while getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null; do
	uid=$((uid + 1))
done
cp /etc/passwd "$TMP/passwd"
cp /etc/group "$TMP/group"
echo "$DEPLOY_USER:x:$uid:$uid:deployguard sudo test:/nonexistent:/usr/sbin/nologin" >>"$TMP/passwd"
echo "$DEPLOY_USER:x:$uid:" >>"$TMP/group"
bind "$TMP/passwd" /etc/passwd
bind "$TMP/group" /etc/group
check "the test deploy user exists in this namespace" eq "$(id -u "$DEPLOY_USER")" "$uid"

dg_write_config <<EOF
[profile default]
mode = blocklist
block = github.com
[users]
$DEPLOY_USER = default
EOF
dg_start_daemon

write_sudo_conf
bind "$TMP/sudo.conf" /etc/sudo.conf

mkdir -p "$TMP/app" "$TMP/w"
chown "$DEPLOY_USER" "$TMP/w"
cat >"$TMP/app/deploy.sh" <<'EOF'
#!/bin/sh
# a deploy script with a circular dependency on github.com
echo "deploy: as $(id -un), cgroup $(grep '^0::' /proc/self/cgroup)"
curl -sS --max-time 5 http://allowed.test:8080/
if curl -sS --max-time 5 -o /dev/null http://release.github.com:8080/app.tar.gz; then
	echo "deploy: got the release from github"
else
	echo "deploy: no release from github"
fi
exit 7
EOF
chmod 755 "$TMP/app/deploy.sh"

# --- a designated run-as user: guarded -----------------------------------------------

out=$(cd "$TMP/app" && sudo -u "$DEPLOY_USER" ./deploy.sh 2>&1)
rc=$?
check "the script's exit status comes back through sudo" eq "$rc" 7
check "the script runs as the deploy user, in a session cgroup" \
	has "$out" "^deploy: as $DEPLOY_USER, cgroup 0::/$TEST_ID/s[0-9]+\$"
check "the allowed name works" has "$out" '^hello from (10\.77\.0\.1|\[fd77::1\]):8080$'
check "the blocked name does not resolve" has "$out" 'Could not resolve host: release\.github\.com'
check "so the script cannot fetch from github" has "$out" '^deploy: no release from github$'
check "sudo opened the session for the run-as user, with the script's command" \
	log_has "SESSION OPEN session=[0-9]+ opener=sudo user=root runas=$DEPLOY_USER .*cmd=\"?\\./deploy\\.sh\"? "
sid=$(sed -n "s/.*SESSION OPEN session=\([0-9]*\) opener=sudo .*runas=$DEPLOY_USER .*/\1/p" "$LOG" | head -n 1)
check "the block is logged with curl, under deploy.sh, in that session" \
	log_has "WARN DNS BLOCKED domain=release\\.github\\.com\\. .*cmd=\"curl [^\"]*release\\.github\\.com[^\"]*\" ancestry=[0-9]+:deploy\\.sh<.*session=${sid:-none} profile=default"
check "the allowed lookup is logged in that session" \
	log_has "INFO DNS ALLOWED domain=allowed\\.test\\. .*session=${sid:-none} "
check "close() reported the exit status and the session ended" \
	log_has "SESSION CLOSE session=${sid:-none} .*exit=7 "
check "the session's cgroup is gone" test ! -d "$CG2/$TEST_ID/s${sid:-none}"

# on a terminal sudo runs the command under a monitor process in a pty
# (Debian's sudoers has use_pty): still one session, entered before the fork
out=$(cd "$TMP/app" && script -qec "sudo -u $DEPLOY_USER ./deploy.sh" /dev/null </dev/null)
rc=$?
check "on a terminal: the exit status comes back" eq "$rc" 7
check "on a terminal: the script runs in a session cgroup" has "$out" "cgroup 0::/$TEST_ID/s[0-9]+"
check "on a terminal: the blocked name is blocked" has "$out" 'Could not resolve host: release\.github\.com'
check "on a terminal: the session records sudo's tty" \
	log_has "SESSION OPEN session=[0-9]+ opener=sudo user=root runas=$DEPLOY_USER .*tty=/dev/pts/[0-9]+ "

sudo -u "$DEPLOY_USER" sh -c 'kill -TERM $$'
check "a command killed by a signal: sudo dies the same way" eq "$?" 143
check "close() reported the signal" log_has "SESSION CLOSE session=[0-9]+ .*signal=15 "

sudo -u "$DEPLOY_USER" touch "$TMP/w/marker-up"
check "with the daemon up a designated command runs" test -e "$TMP/w/marker-up"

# resource limits: sudo joins all of the session's cgroups
sed -i 's/^\[profile default\]$/[profile default]\npids_max = 64/' "$CONF"
"$DG" -c "$CONF" reload >/dev/null
out=$(sudo -u "$DEPLOY_USER" cat /proc/self/cgroup)
limsid=$(sed -n "s|^0::/$TEST_ID/s\([0-9]*\)\$|\1|p" <<<"$out")
check "a session with a task limit" log_has "SESSION OPEN session=${limsid:-none} opener=sudo .*pids_max=64"
if ! grep -qw pids "$CG2/cgroup.controllers"; then
	check "... on a hybrid host the command is in its v1 pids cgroup too" \
		has "$out" "^[0-9]+:([a-z_]+,)*pids(,[a-z_]+)*:/$TEST_ID/s${limsid:-none}\$"
fi
sed -i '/^pids_max = 64$/d' "$CONF"
"$DG" -c "$CONF" reload >/dev/null

# --- not designated: untouched ---------------------------------------------------------

out=$(sudo -u nobody cat /proc/self/cgroup)
check "sudo -u nobody runs" eq "$?" 0
check "sudo -u nobody is not in a session" hasnt "$out" "/$TEST_ID/"
sudo -u nobody true
check "sudo -u nobody true succeeds" eq "$?" 0
check "no session for nobody" log_hasnt 'runas=nobody'

out=$(sudo -V 2>&1)
check "sudo -V works" eq "$?" 0
check "sudo -V lists the plugin" has "$out" '^deployguard sudo I/O plugin version [0-9.]+$'
out=$(sudo -l 2>&1)
check "sudo -l works" eq "$?" 0

# --- strict options: a typo in sudo.conf stops sudo, loudly ----------------------------

write_sudo_conf failmode=sometimes
out=$(sudo -u nobody touch "$TMP/marker-badopt" 2>&1)
check "an invalid plugin option fails sudo" test "$?" -ne 0
check "and says which option" has "$out" 'deployguard: sudo\.conf: invalid option "failmode=sometimes"'
check "and the command never ran" test ! -e "$TMP/marker-badopt"
write_sudo_conf

# --- the daemon is down ----------------------------------------------------------------------

dg_stop_daemon

out=$(sudo -u "$DEPLOY_USER" touch "$TMP/w/marker-closed" 2>&1)
check "failmode=closed: sudo refuses a designated command (status 1)" eq "$?" 1
check "failmode=closed: with a clear message" \
	has "$out" 'deployguard: cannot guard this command \(deployguardd is not running: .*\); not running it \(failmode=closed\)'
check "failmode=closed: and sudo names the plugin" \
	has "$out" 'error initializing I/O plugin deployguard_io'
check "failmode=closed: the command never ran" test ! -e "$TMP/w/marker-closed"
sudo -u nobody true
check "failmode=closed: commands that are not designated still run" eq "$?" 0
out=$(sudo -V 2>&1)
check "failmode=closed: sudo -V still works" eq "$?" 0

write_sudo_conf failmode=open
strace -f -qq -xx -e trace=sendto,sendmsg -e signal=none -s 2048 -o "$TMP/strace.out" \
	sudo -u "$DEPLOY_USER" touch "$TMP/w/marker-open" 2>"$TMP/err"
check "failmode=open: the command runs" eq "$?" 0
check "failmode=open: the command really ran" test -e "$TMP/w/marker-open"
check "failmode=open: sudo warns that it ran unguarded" \
	has "$(cat "$TMP/err")" 'deployguard: WARNING: running this command UNGUARDED \(deployguardd is not running: .*\); failmode=open, recorded in the '
# the record as sudo sent it to the kernel (strace -xx: the payload in hex)
rec=$(grep -E 'nlmsg_type=(AUDIT_TRUSTED_APP|0x461)' "$TMP/strace.out" | head -n 1 |
	grep -oE '"(\\x[0-9a-f]{2})+' | tr -d '"' | sed 's/\(\\x00\)*$//')
rec=$(printf '%b' "$rec")
check "failmode=open: a TRUSTED_APP record went to the audit subsystem" \
	has "$rec" "^op=deployguard-failopen opener=sudo user=\"root\" runas=\"$DEPLOY_USER\" reason=[0-9A-F]+ cmd=[0-9A-F]+ exe=\"[^\"]*sudo\" .*res=failed\$"
check "failmode=open: the record says why and which command (hex-encoded)" \
	has "$(unhex "$(field reason "$rec")") / $(unhex "$(field cmd "$rec")")" \
	"^deployguardd is not running: $TMP/run/control\\.sock / touch $TMP/w/marker-open\$"
if auditctl -s 2>/dev/null | grep -q '^enabled 1' && auditctl -s | grep -Eq '^pid [1-9]'; then
	check "failmode=open: auditd has the record" \
		has "$(ausearch -m TRUSTED_APP -ts recent 2>/dev/null)" "op=deployguard-failopen .*runas=\"$DEPLOY_USER\""
else
	ok "failmode=open: auditd has the record # SKIP auditd is not running (the record's submission is checked above)"
fi

# --- leave nothing behind ----------------------------------------------------------------------

for m in "${MOUNTED[@]}"; do
	umount "$m"
done
MOUNTED=()
check "the host's /etc/sudo.conf is untouched" eq "$(sha256sum </etc/sudo.conf)" "$SUDO_CONF_SUM"
check "the deploy user is gone with the namespace's passwd" sh -c "! getent passwd $DEPLOY_USER"
