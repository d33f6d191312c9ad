#!/bin/bash
# SSH logins through pam_deployguard, end to end: Debian's sshd on a
# loopback port of the test's network namespace, a PAM service of its own,
# the real daemon, deploy users with key authentication.
#
# The PAM service: OpenSSH 9.2 names its PAM service after the program
# (SSHD_PAM_SERVICE is __progname, the base name of argv[0]; sshd re-execs
# itself by the same path for each connection), so sshd started through a
# symlink called $SVC reads /etc/pam.d/$SVC.  /etc/pam.d/sshd is never
# touched; the test's own file is removed when it ends.
#
# Everything global is undone on exit, also on failure: the PAM file, the
# users and their homes, the group, the audit "enabled" flag (only flipped,
# and only for a moment, when it was off), and every process sshd started
# (sshd runs in a cgroup of its own; guarded logins are in the daemon's).
# sshd's /run/sshd, utmp, wtmp and lastlog live in tmpfs/bind mounts private
# to the test's mount namespace.
. "$(dirname "$0")/../integration/lib.sh"
dg_begin "$@"

PAM_SO=$B/pam_deployguard.so
SNIPPET=$DG_SRC/etc/pam.d/deployguard-session
SVC=dgtest-sshd-$$		# PAM service = the name sshd runs under
PAMFILE=/etc/pam.d/$SVC
DEPLOY=dgdeploy$$		# designated: member of $GROUP
OTHER=dgother$$			# not designated (stands in for an administrator)
GROUP=dgdeployers$$
PORT=2222			# the namespace is ours: no clash possible
SSHD_CG=$CG2/dgtest-sshd-$$
SSHD_PID=
AUDIT_WAS=

pam_cleanup() {
	local rc=$?
	trap - EXIT
	if [ -n "$SSHD_PID" ]; then
		kill "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
	fi
	# sshd and the logins it started that stayed in its cgroup (unguarded)
	if [ -d "$SSHD_CG" ]; then
		echo 1 >"$SSHD_CG/cgroup.kill" 2>/dev/null
		for _ in $(seq 50); do
			grep -q '^populated 0' "$SSHD_CG/cgroup.events" 2>/dev/null && break
			sleep 0.1
		done
		rmdir "$SSHD_CG" 2>/dev/null
	fi
	# guarded logins: dg_cleanup does this too, but the users go first
	for k in "$CG2/$TEST_ID"/s*/cgroup.kill; do
		[ -e "$k" ] && echo 1 >"$k" 2>/dev/null
	done
	sleep 0.2
	rm -f "$PAMFILE"
	for u in "$DEPLOY" "$OTHER"; do
		getent passwd "$u" >/dev/null && userdel -r -f "$u" >/dev/null 2>&1
	done
	getent group "$GROUP" >/dev/null && groupdel "$GROUP"
	[ -n "$AUDIT_WAS" ] && auditctl -e "$AUDIT_WAS" >/dev/null 2>&1
	(exit "$rc")
	dg_cleanup
}
trap pam_cleanup EXIT

for tool in sshd ssh ssh-keygen useradd auditctl nsenter; do
	if ! command -v "$tool" >/dev/null; then
		echo "Bail out! $tool is missing (make deps)"
		exit 1
	fi
done
if [ ! -e "$PAM_SO" ]; then
	echo "Bail out! $PAM_SO is not built (make)"
	exit 1
fi

# --- what sshd writes outside its config: keep it in the namespace -----------------

mount -t tmpfs -o mode=755 dgtest-run /run	# /run/sshd (privsep), utmp
mkdir -m 755 /run/sshd
for f in wtmp btmp lastlog faillog; do
	if [ -e "/var/log/$f" ]; then
		: >"$TMP/$f"
		mount --bind "$TMP/$f" "/var/log/$f"
	fi
done

# --- users, keys, PAM service, sshd --------------------------------------------------

mkdir -m 755 "$TMP/home"
groupadd "$GROUP"
useradd -m -d "$TMP/home/$DEPLOY" -s /bin/bash -G "$GROUP" "$DEPLOY"
useradd -m -d "$TMP/home/$OTHER" -s /bin/bash "$OTHER"
DEPLOY_UID=$(id -u "$DEPLOY")
ssh-keygen -q -t ed25519 -N '' -C dgtest-client -f "$TMP/id_client"
ssh-keygen -q -t ed25519 -N '' -C dgtest-host -f "$TMP/host_key"
for u in "$DEPLOY" "$OTHER"; do
	home=$TMP/home/$u
	install -d -m 700 -o "$u" -g "$u" "$home/.ssh"
	install -m 600 -o "$u" -g "$u" "$TMP/id_client.pub" "$home/.ssh/authorized_keys"
done
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$TMP/host_key.pub")" >"$TMP/known_hosts"

# pam_service [MODULE LINES...]: the test's PAM service; without arguments,
# the module line with MODULE_ARGS
MODULE_ARGS=
pam_service() {
	{
		echo "# deployguard end-to-end test $$ (removed when the test ends)"
		echo "auth     required pam_deny.so"
		echo "account  required pam_permit.so"
		echo "password required pam_deny.so"
		echo "session  required pam_permit.so"
		if [ $# -gt 0 ]; then
			printf '%s\n' "$@"
		else
			echo "session  required $PAM_SO socket=$TMP/run/control.sock $MODULE_ARGS"
		fi
	} >"$PAMFILE.tmp"
	mv "$PAMFILE.tmp" "$PAMFILE"
}
pam_service

cat >"$TMP/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $TMP/host_key
PidFile $TMP/sshd.pid
UsePAM yes
PubkeyAuthentication yes
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $DEPLOY $OTHER
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
AcceptEnv none
LogLevel VERBOSE
EOF
ln -s "$(command -v sshd)" "$TMP/$SVC"
if ! "$TMP/$SVC" -t -f "$TMP/sshd_config"; then
	echo "Bail out! sshd rejects the test's sshd_config"
	exit 1
fi
mkdir "$SSHD_CG"
# sshd joins its cgroup before it starts, so everything it forks is found there
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -D -f "$3" -E "$4"' sh \
	"$SSHD_CG" "$TMP/$SVC" "$TMP/sshd_config" "$TMP/sshd.log" &
SSHD_PID=$!
for _ in $(seq 50); do
	grep -q "Server listening on 127.0.0.1 port $PORT" "$TMP/sshd.log" 2>/dev/null && break
	sleep 0.1
done
if ! grep -q "Server listening" "$TMP/sshd.log"; then
	echo "Bail out! sshd did not come up"
	sed 's/^/# /' "$TMP/sshd.log"
	exit 1
fi

sshc() {
	timeout 60 ssh -F /dev/null -p "$PORT" -i "$TMP/id_client" \
		-o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes \
		-o UserKnownHostsFile="$TMP/known_hosts" -o GlobalKnownHostsFile=/dev/null \
		-o StrictHostKeyChecking=yes -o ConnectTimeout=10 -o LogLevel=ERROR "$@"
}

# session_id OUTPUT : the N of the first "0::/$TEST_ID/sN" in OUTPUT
session_id() {
	printf '%s\n' "$1" | sed -n "s|.*0::/$TEST_ID/s\([0-9][0-9]*\).*|\1|p" | head -n1
}

# cgroup_gone ID : the session's cgroup is removed (waits up to 5s)
cgroup_gone() {
	for _ in $(seq 50); do
		[ -d "$CG2/$TEST_ID/s$1" ] || return 0
		sleep 0.1
	done
	echo "# $CG2/$TEST_ID/s$1 is still there"
	return 1
}

# --- the daemon: members of $GROUP are designated -------------------------------------

dg_write_config <<EOF
[profile default]
mode = blocklist
block = github.com githubusercontent.com
[profile strict]
mode = allowlist
allow = allowed.test
[profile limited]
pids_max = 64
[users]
@$GROUP = default
EOF
dg_start_daemon

# --- a designated user is guarded ------------------------------------------------------

out=$(sshc "$DEPLOY@127.0.0.1" 'cat /proc/self/cgroup; echo "env=$DEPLOYGUARD_SESSION"')
check "ssh login runs (key auth, the test's own PAM service)" has "$out" '^env='
sid=$(session_id "$out")
check "the login's processes are in a session cgroup under the guarded root" \
	has "$out" "^0::/$TEST_ID/s[0-9]+\$"
check "DEPLOYGUARD_SESSION names the session" has "$out" "^env=${sid:-none}\$"
check "the daemon logged the session: opener=ssh, the user, the remote host" \
	log_has "SESSION OPEN session=${sid:-none} opener=ssh user=$DEPLOY profile=default mode=blocklist enforce=yes tty=ssh rhost=127\\.0\\.0\\.1 "
check "after logout the session is closed" \
	log_has "SESSION CLOSE session=${sid:-none} user=$DEPLOY profile=default "
check "... and its cgroup is gone" cgroup_gone "${sid:-none}"

# the PAM service really is the symlink's name, as the session records it
sshc "$DEPLOY@127.0.0.1" 'sleep 2' &
bg=$!
sleep 1
json=$("$DG" -c "$CONF" sessions --json)
wait "$bg"
check "the session records PAM_SERVICE=$SVC and the deploy user's uid" \
	has "$json" "\"opener\":\"ssh\",\"user\":\"$DEPLOY\",\"uid\":$DEPLOY_UID,.*\"service\":\"$SVC\""

out=$(sshc "$DEPLOY@127.0.0.1" "$H/dg_dnsq 10.77.0.53 ssh1.github.com")
check "a blocked name from inside the login: NXDOMAIN" has "$out" 'rcode=NXDOMAIN'
check "... logged with the ssh command's command line and the session" \
	log_has "WARN DNS BLOCKED domain=ssh1\\.github\\.com\\. type=A pid=[0-9]+ cmd=\"$H/dg_dnsq 10\\.77\\.0\\.53 ssh1\\.github\\.com\" .*session=[0-9]+ profile=default mode=blocklist match=github\\.com blockedAt=dns"

out=$(sshc "$DEPLOY@127.0.0.1" 'curl -sS --max-time 5 http://ssh2.github.com:8080/' 2>&1)
check "curl to a blocked name in the login fails to resolve" has "$out" 'Could not resolve host'
check "... logged with curl's command line" \
	log_has 'DNS BLOCKED domain=ssh2\.github\.com\. .*cmd="curl -sS --max-time 5 http://ssh2\.github\.com:8080/"'

out=$(sshc "$DEPLOY@127.0.0.1" 'curl -sS --max-time 5 http://allowed.test:8080/' 2>&1)
check "an allowed name works from the login" has "$out" '^hello from (10\.77\.0\.1|\[fd77::1\]):8080$'

# a background process outlives the login: still guarded; the session
# shows the PAM close ("closing") and ends with the process
out=$(sshc "$DEPLOY@127.0.0.1" "cat /proc/self/cgroup; (sleep 1.5; $H/dg_dnsq 10.77.0.53 late.github.com) </dev/null >/dev/null 2>&1 &")
bgsid=$(session_id "$out")
sleep 0.5
out=$("$DG" -c "$CONF" sessions)
check "after logout, a session with a process left behind is closing" \
	has "$out" "^${bgsid:-none} .*\\(closing\\)\$"
check "the leftover process is still guarded" \
	log_has "DNS BLOCKED domain=late\\.github\\.com\\. .*session=${bgsid:-none} "
check "the session ends when its last process does" \
	log_has "SESSION CLOSE session=${bgsid:-none} user=$DEPLOY "

# --- an interactive login (pty) is guarded too -----------------------------------------

# the remote shell echoes what it reads: match outputs, never the commands
out=$(printf '%s\n' 'cat /proc/self/cgroup' 'echo "tty=$(tty)"' "$H/dg_dnsq 10.77.0.53 tty.github.com" 'exit' |
	TERM=dumb sshc -tt "$DEPLOY@127.0.0.1" 2>&1)
check "ssh -tt: the interactive shell has a pty" has "$out" 'tty=/dev/pts/[0-9]+'
check "ssh -tt: the interactive shell is in a session" has "$out" "0::/$TEST_ID/s[0-9]+"
ttysid=$(session_id "$out")
check "ssh -tt: a blocked name is blocked" has "$out" 'rcode=NXDOMAIN'
check "ssh -tt: logged in the interactive session" \
	log_has "DNS BLOCKED domain=tty\\.github\\.com\\. .*session=${ttysid:-none} "
check "ssh -tt: the session ends at logout" cgroup_gone "${ttysid:-none}"

# --- a user who is not designated is left alone ---------------------------------------------

out=$(sshc "$OTHER@127.0.0.1" "cat /proc/self/cgroup; $H/dg_dnsq 10.77.0.53 free.github.com")
check "a user who is not designated logs in" has "$out" '^0::/'
check "... outside any session" hasnt "$out" "$TEST_ID"
check "... and resolves a blocked name as usual" has "$out" 'rcode=NOERROR id=match answers=10\.77\.0\.9$'
check "... no session was opened for that user" log_hasnt "SESSION OPEN .*user=$OTHER "

# --- allowlist: the SSH connection itself keeps working ---------------------------------------

MODULE_ARGS=profile=strict
pam_service
out=$(sshc "$DEPLOY@127.0.0.1" 'cat /proc/self/cgroup')
strictsid=$(session_id "$out")
check "profile=strict puts the login in an allowlist session" \
	log_has "SESSION OPEN session=${strictsid:-none} opener=ssh user=$DEPLOY profile=strict mode=allowlist "
out=$(sshc "$DEPLOY@127.0.0.1" 'curl -sS --max-time 5 http://allowed.test:8080/' 2>&1)
check "allowlist: a listed name works" has "$out" '^hello from (10\.77\.0\.1|\[fd77::1\]):8080$'
# curl's message goes to /dev/null: ssh carries stderr apart from stdout, and
# the two can interleave mid-line at our end ("curl: (7) Failed curl=7")
out=$(sshc "$DEPLOY@127.0.0.1" 'curl -sS --max-time 5 http://10.77.0.2:8080/ 2>/dev/null; echo "curl=$?"' 2>&1)
check "allowlist: an unlisted address is refused at connect" has "$out" '^curl=7$'
check "... and logged" log_has 'CONNECT BLOCKED daddr=10\.77\.0\.2 dport=8080 proto=tcp .*profile=strict mode=allowlist .*blockedAt=connect'
n=$(sshc "$DEPLOY@127.0.0.1" 'seq 200000' | wc -l)
check "allowlist: 1.3 MB of output come back over the SSH connection" eq "$n" 200000
out=$(printf '%s\n' 'curl -sS --max-time 5 http://10.77.0.9:8080/' 'sleep 1' 'echo alive-$((6*7))' 'exit' |
	TERM=dumb sshc -tt "$DEPLOY@127.0.0.1" 2>&1)
check "allowlist: an interactive login keeps working after a refused connect" \
	has "$out" 'alive-42'

# --- resource limits: the login joins all of its session's cgroups --------------------------

MODULE_ARGS=profile=limited
pam_service
out=$(sshc "$DEPLOY@127.0.0.1" 'cat /proc/self/cgroup')
limsid=$(session_id "$out")
check "profile=limited: the session has its task limit" \
	log_has "SESSION OPEN session=${limsid:-none} opener=ssh .*profile=limited .*pids_max=64"
if ! grep -qw pids "$CG2/cgroup.controllers"; then
	check "... and on a hybrid host the login is in its v1 pids cgroup too" \
		has "$out" "^[0-9]+:([a-z_]+,)*pids(,[a-z_]+)*:/$TEST_ID/s${limsid:-none}\$"
fi
MODULE_ARGS=
pam_service

# --- daemon down, failmode=closed ----------------------------------------------------------

dg_stop_daemon
# the shipped snippet: members of $GROUP must be guarded, everyone else
# (administrators) skips the module
mapfile -t lines < <(grep -v '^#' "$SNIPPET" | grep . |
	sed -e "s|notingroup deployers|notingroup $GROUP|" \
	    -e "s|pam_deployguard\\.so|$PAM_SO socket=$TMP/run/control.sock|")
pam_service "${lines[@]}"
check "the shipped snippet has the group gate and the module" \
	has "$(cat "$PAMFILE")" "pam_succeed_if\\.so quiet user notingroup $GROUP"
out=$(sshc "$DEPLOY@127.0.0.1" 'touch ~/marker-closed; echo ran' 2>&1)
rc=$?
check "daemon down, failmode=closed: the deploy login fails" test "$rc" -ne 0
check "... no command ran" test ! -e "$TMP/home/$DEPLOY/marker-closed"
check "... and the user is told why" has "$out" 'deployguard: deployguardd is not running\.'
check "... with what to do" has "$out" 'Ask an administrator to check deployguardd'
out=$(sshc "$OTHER@127.0.0.1" 'echo admin-ok' 2>&1)
check "daemon down: a user outside the designated group still gets in" has "$out" '^admin-ok$'

# --- daemon down, failmode=open: runs, and the fact is recorded ----------------------------------

MODULE_ARGS=failmode=open
pam_service
# the record goes to the audit subsystem; the kernel hands it to multicast
# readers in the initial network namespace, auditd running or not.  The
# process that started this test is there (/proc/1 may not be readable).
OUTER_NET=/proc/$PPID/ns/net
enabled=$(auditctl -s 2>/dev/null | awk '$1 == "enabled" { print $2 }')
if [ "$enabled" = 0 ]; then
	AUDIT_WAS=0
	auditctl -e 1 >/dev/null
fi
nsenter --net="$OUTER_NET" "$H/dg_auditmon" -t 60 -m deployguard-failopen >"$TMP/audit.out" 2>&1 &
EXTRA_PIDS+=($!)
for _ in $(seq 50); do
	grep -q ready "$TMP/audit.out" && break
	sleep 0.1
done
check "the audit reader runs beside the test" has "$(cat "$TMP/audit.out")" '^ready$'
out=$(sshc "$DEPLOY@127.0.0.1" 'touch ~/marker-open; cat /proc/self/cgroup' 2>&1)
rc=$?
sleep 0.5
if [ -n "$AUDIT_WAS" ]; then
	auditctl -e "$AUDIT_WAS" >/dev/null
	AUDIT_WAS=
fi
check "daemon down, failmode=open: the deploy login runs" eq "$rc" 0
check "... the command ran (marker file)" test -e "$TMP/home/$DEPLOY/marker-open"
check "... unguarded" hasnt "$out" "$TEST_ID"
# sshd shows PAM's messages to interactive logins
out=$(printf '%s\n' 'echo "tty=$(tty)"' 'exit' | TERM=dumb sshc -tt "$DEPLOY@127.0.0.1" 2>&1)
check "... an interactive login is told it is not guarded" \
	has "$out" 'deployguard: deployguardd is not running; this session is NOT guarded\.'
reason=$(printf '%s' 'deployguardd is not running' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
check "... and recorded: an audit TRUSTED_APP record op=deployguard-failopen" \
	has "$(cat "$TMP/audit.out")" "^type=1121 audit\\([0-9.:]+\\): .*msg='op=deployguard-failopen acct=\"$DEPLOY\" uid=$DEPLOY_UID service=\"$SVC\" reason=$reason exe=\"/usr/sbin/sshd\" hostname=127\\.0\\.0\\.1 addr=127\\.0\\.0\\.1 terminal=ssh res=failed'"
