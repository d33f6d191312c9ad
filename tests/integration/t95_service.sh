#!/bin/bash
# deployguardd the way systemd runs it (etc/deployguardd.service: Type=notify,
# -f, stderr to the journal), and what monitoring reads: status and sessions,
# their JSON and their exit codes.
. "$(dirname "$0")/lib.sh"
dg_begin "$@"

dg_write_config <<'EOF'
[profile default]
block = github.com
[profile audited]
enforce = audit
block = github.com
[users]
root = default
EOF

# the service manager's end: the notify socket, and a "journal" stream
"$H/dg_notify" "$TMP/notify" >"$TMP/notify.log" 2>&1 &
EXTRA_PIDS+=($!)
for _ in $(seq 50); do
	grep -q '^ready$' "$TMP/notify.log" && break
	sleep 0.1
done
touch "$LOG"
export NOTIFY_SOCKET=$TMP/notify
JOURNAL_STREAM=$(stat -c '%d:%i' "$LOG")
export JOURNAL_STREAM
dg_start_daemon
unset NOTIFY_SOCKET JOURNAL_STREAM

notified() {
	for _ in $(seq 50); do
		grep -qE -- "$1" "$TMP/notify.log" && return 0
		sleep 0.1
	done
	echo "# no notification matches /$1/ in:"
	sed 's/^/#   /' "$TMP/notify.log"
	return 1
}

check "Type=notify: READY=1 with the daemon's pid once it serves" \
	notified "^READY=1 MAINPID=$DGD_PID\$"
check "... and a STATUS= line for systemctl status" \
	notified "^STATUS=guarding with 2 profiles from $CONF\$"
check "stderr is the journal: lines carry their priority (info)" \
	log_has '^<6>INFO STARTED version='

out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 x.github.com)
check "a guarded query is blocked" has "$out" 'rcode=NXDOMAIN'
check "... and logged at warning priority" log_has '^<4>WARN DNS BLOCKED domain=x\.github\.com\. '

kill -HUP "$DGD_PID"
check "SIGHUP reloads" log_has '^<6>INFO RELOADED '
check "... and the status line is sent again" \
	test "$(grep -c '^STATUS=guarding' "$TMP/notify.log")" -ge 2

# --- status ---------------------------------------------------------------------------

st=$("$DG" -c "$CONF" status)
check "status: exit 0 while the daemon runs" eq "$?" 0
check "status: up, its programs attached and pinned" \
	has "$st" "^  guard: +[0-9]+ programs on $CG2/$TEST_ID, pinned in /sys/fs/bpf/$TEST_ID"
check "status: the profiles" has "$st" '^  profile: +audited mode=blocklist enforce=audit '
check "status: no upstream configured is said in words" \
	has "$st" 'upstream the resolver each process asked$'
check "status: the sessions" has "$st" '^  sessions: +0 active \([0-9]+ opened, [0-9]+ closed'

json=$("$DG" -c "$CONF" status --json)
check "status --json: one object on one line, running" \
	has "$json" '^\{"running":true,"version":"[0-9.]+","pid":[0-9]+,"started":[0-9]+,.*\}$'
check "status --json: flags are booleans" has "$json" '"private":false,.*"adopted":(true|false),'
check "status --json: profiles are objects" \
	has "$json" '"profiles":\[\{"name":"default","mode":"blocklist","enforce":"yes","domains":[0-9]+,"cidrs":[0-9]+\},\{"name":"audited","mode":"blocklist","enforce":"audit",'
check "status --json: upstream is an array (empty: the resolver asked)" has "$json" '"upstream":\[\]'
check "status --json: counters are numbers" \
	has "$json" '"dns_blocked":[1-9][0-9]*,.*"upstream_errors":[0-9]+,.*"kernel_connect_blocked":[0-9]+'
check "status --json: the config path stays a string" has "$json" "\"config\":\"$CONF\""
check "status --json: the audit trail's state and record counters" \
	has "$json" '"audit":"(active|no-auditd|disabled|unavailable|unknown)",.*"audit_records_sent":[0-9]+,"audit_records_suppressed":[0-9]+,"audit_records_unrecorded":[0-9]+,"audit_records_failed":[0-9]+'

# --- sessions ---------------------------------------------------------------------------

# a command whose name is a number: text stays text in the JSON
mkdir -p "$TMP/bin"
printf '#!/bin/sh\nexec sleep 30\n' >"$TMP/bin/7" && chmod 755 "$TMP/bin/7"
PATH=$TMP/bin:$PATH "$DG" -c "$CONF" run -- 7 &
RUN1=$!
"$DG" -c "$CONF" run --profile audited -- \
	sh -c "$H/dg_dnsq 10.77.0.53 y.github.com >/dev/null; exec sleep 30" &
RUN2=$!
EXTRA_PIDS+=("$RUN1" "$RUN2")
check "the audit session's query is let through and logged" \
	log_has '^<4>WARN DNS WOULDBLOCK domain=y\.github\.com\. .* enforce=audit'

out=$("$DG" -c "$CONF" sessions)
check "sessions: user, opener, profile, age, pids, blocks, command" \
	has "$out" '^[0-9]+ +root +run +default +blocklist yes +[0-9]+s +1 +0  7$'
check "sessions: an audit session counts its would-be blocks" \
	has "$out" '^[0-9]+ +root +run +audited +blocklist audit +[0-9]+s +[12] +1  sh -c '
json=$("$DG" -c "$CONF" sessions --json)
check "sessions --json: a numeric command line stays a string" has "$json" '"cmd":"7"'
check "sessions --json: counts are numbers" \
	has "$json" '"enforce":"audit",.*"pids":[12],"state":"open","queries":[0-9]+,"allowed":[0-9]+,"blocked":0,"would_block":1,.*"cgroup_v1":\[[^]]*\]\}'
kill "$RUN1" "$RUN2" 2>/dev/null
wait "$RUN1" "$RUN2" 2>/dev/null

# --- stopping ---------------------------------------------------------------------------

dg_stop_daemon
check "SIGTERM: STOPPING=1 before the daemon goes" notified '^STOPPING=1$'
json=$("$DG" -c "$CONF" status --json)
rc=$?
check "status --json with no daemon: exit 3" eq "$rc" 3
check "... and still an answer on stdout" \
	eq "$json" "{\"running\":false,\"error\":\"deployguardd is not running\",\"socket\":\"$TMP/run/control.sock\"}"
"$DG" -c "$CONF" sessions >/dev/null 2>&1
check "sessions with no daemon: exit 3" eq "$?" 3

# a private daemon of `deployguard run` never speaks for the unit run is in
ready_before=$(grep -c '^READY=1' "$TMP/notify.log")
out=$(NOTIFY_SOCKET=$TMP/notify dg_run -- "$H/dg_dnsq" 10.77.0.53 z.github.com 2>/dev/null)
check "no daemon: run brings up a private one" has "$out" 'rcode=NXDOMAIN'
sleep 0.3
check "... which sends nothing to \$NOTIFY_SOCKET" \
	eq "$(grep -c '^READY=1' "$TMP/notify.log")" "$ready_before"

out=$("$DGD" -c "$CONF" --uninstall 2>&1)
check "--uninstall lifts the pinned guard" has "$out" "BPF programs detached, /sys/fs/bpf/$TEST_ID removed"
out=$("$DGD" -c "$CONF" --uninstall 2>&1)
check "--uninstall with nothing pinned says so" has "$out" "nothing is pinned in /sys/fs/bpf/$TEST_ID"
