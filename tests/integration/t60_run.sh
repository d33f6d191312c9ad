#!/bin/bash
# deployguard run: exit status, argv and stdio pass through untouched; the
# session is visible while it runs; with no daemon a private one comes and
# goes with the command and leaves nothing behind.
. "$(dirname "$0")/lib.sh"
dg_begin "$@"

dg_write_config <<'EOF2'
[profile default]
block = github.com
[users]
root = default
EOF2
dg_start_daemon

dg_run -- true
check "exit status 0 comes back" eq "$?" 0
dg_run -- sh -c 'exit 7'
check "exit status 7 comes back" eq "$?" 7
dg_run -- sh -c 'kill -TERM $$'
check "killed by SIGTERM: 128+15" eq "$?" 143
dg_run -- sh -c 'kill -KILL $$'
check "killed by SIGKILL: 128+9" eq "$?" 137
dg_run -- /nonexistent/command 2>/dev/null
check "command not found: 127" eq "$?" 127
printf '#!/bin/sh\n' >"$TMP/noexec" && chmod 644 "$TMP/noexec"
dg_run -- "$TMP/noexec" 2>/dev/null
check "command not executable: 126" eq "$?" 126
check "session close records the exit status" log_has 'SESSION CLOSE session=[0-9]+ user=root profile=default exit=7 '
check "session close records the signal" log_has 'SESSION CLOSE session=[0-9]+ user=root profile=default signal=15 '

out=$(dg_run -- printf '%s|' 'a b' 'c"d' '' "e'f" '--' '-x')
check "argv passes through without re-splitting" eq "$out" "a b|c\"d||e'f|--|-x|"
out=$(echo "from stdin" | dg_run -- cat)
check "stdin passes through" eq "$out" "from stdin"
out=$(dg_run -- sh -c 'echo to-out; echo to-err >&2' 2>"$TMP/err")
check "stdout passes through" eq "$out" "to-out"
check "stderr passes through" eq "$(cat "$TMP/err")" "to-err"
out=$(cd /tmp && dg_run -- pwd)
check "the working directory is kept" eq "$out" "/tmp"

# not through dg_run: a backgrounded shell function is a subshell, and the
# signal below must reach deployguard run itself
"$DG" -c "$CONF" run -- sleep 30 &
RUN_PID=$!
sleep 0.5
out=$("$DG" -c "$CONF" sessions)
check "sessions lists the running session" has "$out" '^[0-9]+ +root +run +default +blocklist yes .* 1 +0  sleep 30$'
json=$("$DG" -c "$CONF" sessions --json)
check "sessions --json" has "$json" '^\[\{"session":[0-9]+,"profile":"default","mode":"blocklist","enforce":"yes","opener":"run","user":"root","uid":0,.*"cmd":"sleep 30",.*\}\]$'
start=$(date +%s%N)
kill -TERM "$RUN_PID"
wait "$RUN_PID"
rc=$?
check "SIGTERM to deployguard run reaches the command" eq "$rc" 143
check "... promptly" test $(( ($(date +%s%N) - start) / 1000000 )) -lt 2000
sleep 0.3
out=$("$DG" -c "$CONF" sessions)
check "the session is gone after the command ends" hasnt "$out" 'sleep 30'

# a background process outlives the command: the session stays until it ends
dg_run -- sh -c "(sleep 1.5; $H/dg_dnsq 10.77.0.53 late.github.com >/dev/null; true) & exit 0"
check "run returns when the command ends" eq "$?" 0
out=$("$DG" -c "$CONF" sessions)
check "a session with a process left behind stays open" has "$out" '\(closing\)$'
check "the leftover process is still guarded" log_has 'DNS BLOCKED domain=late\.github\.com\.'
sleep 1
out=$("$DG" -c "$CONF" sessions)
check "the session ends when its last process does" hasnt "$out" 'closing'

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$DG" -c "$CONF" run -- true 2>&1)
check "run refuses non-root callers with a clear message" has "$out" 'must be run as root'

st=$("$DG" -c "$CONF" status)
check "status: running, programs pinned" has "$st" "pinned in /sys/fs/bpf/$TEST_ID"
check "status: counts the blocked queries" has "$st" 'DNS: +[0-9]+ queries, [0-9]+ allowed, [1-9][0-9]* blocked'
check "status --json" has "$("$DG" -c "$CONF" status --json)" '^\{"running":true,"version":"[0-9.]+","pid":[0-9]+,.*"profiles":\[\{"name":"default","mode":"blocklist"'

# --- without a daemon -----------------------------------------------------------------

dg_stop_daemon
out=$("$DG" -c "$CONF" status 2>&1)
rc=$?
check "status says when the daemon is not running (exit 3)" eq "$rc" 3
out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 p1.github.com 2>"$TMP/private.err")
check "no daemon: run brings up a private one and blocks" has "$out" 'rcode=NXDOMAIN'
check "no daemon: the private daemon's decisions reach run's stderr" \
	has "$(cat "$TMP/private.err")" 'WARN DNS BLOCKED domain=p1\.github\.com\. .*cmd=".*dg_dnsq'
out=$(dg_run -- sh -c 'exit 5' 2>/dev/null)
check "no daemon: the exit status still comes back" eq "$?" 5
pid=$(dg_run -- sh -c 'sleep 60 >/dev/null 2>&1 & echo $!' 2>/dev/null)
sleep 0.3
check "no daemon: processes left behind do not outlive the private guard" gone "$pid"
check "no daemon: no cgroup is left behind" \
	test -z "$(ls -d "$CG2"/deployguard-run-* 2>/dev/null)"
check "no daemon: no run directory is left behind" \
	test -z "$(ls -d /run/deployguard-run.* 2>/dev/null)"
check "no daemon: nothing was pinned" test ! -e "/sys/fs/bpf/$TEST_ID/link_dg_connect4_new"
