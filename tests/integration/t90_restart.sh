#!/bin/bash
# Crash and restart: the guard is in the kernel, pinned, so a daemon that is
# killed, stopped or restarted never opens it; a restarted daemon answers
# DNS again at once and adopts the sessions that were running.
. "$(dirname "$0")/lib.sh"
dg_begin "$@"

dg_write_config <<'EOF'
[profile strict]
mode = allowlist
allow = allowed.test
[users]
root = strict
EOF
dg_start_daemon

OUT=$TMP/out
mkdir -p "$OUT"
wait_for() {
	for _ in $(seq 100); do
		[ -e "$OUT/$1" ] && return 0
		sleep 0.1
	done
	echo "# $1 never appeared"
	return 1
}

# a deploy session that outlives its daemon: each step waits for the test
cat >"$TMP/session.sh" <<'EOF'
#!/bin/bash
H=$1 OUT=$2
step() { while [ ! -e "$OUT/$1" ]; do sleep 0.05; done; }
getent ahostsv4 allowed.test >/dev/null
"$H/dg_connect" --hold 6 10.77.0.1 8080 >"$OUT/held" &
touch "$OUT/ready"
step killed
"$H/dg_dnsq" -T 1000 10.77.0.53 x.github.com >"$OUT/dns_dead"
"$H/dg_connect" 10.77.0.2 8080 >"$OUT/connect_dead"
touch "$OUT/done1"
step restarted
"$H/dg_dnsq" -T 1000 10.77.0.53 allowed.test >"$OUT/dns_back"
"$H/dg_dnsq" -T 1000 10.77.0.53 y.other.test >"$OUT/dns_back_blocked"
"$H/dg_connect" 10.77.0.2 8080 >"$OUT/connect_back"
touch "$OUT/done2"
wait
EOF
"$DG" -c "$CONF" run -- bash "$TMP/session.sh" "$H" "$OUT" &
RUN_PID=$!
wait_for ready
sid=$("$DG" -c "$CONF" sessions --json | sed -n 's/^\[{"session":\([0-9]*\),.*/\1/p')

kill -KILL "$DGD_PID"
wait "$DGD_PID" 2>/dev/null
DGD_PID=
touch "$OUT/killed"
wait_for done1
check "daemon killed: its programs stay attached (pinned)" \
	has "$(bpftool cgroup show "$CG2/$TEST_ID")" 'cgroup_inet4_connect +multi +dg_connect4'
check "daemon killed: a name is not answered (closed, not open)" \
	hasnt "$(cat "$OUT/dns_dead")" 'rcode=NOERROR'
check "daemon killed: a denied address stays denied" has "$(cat "$OUT/connect_dead")" '^connect=EPERM'

dg_start_daemon
touch "$OUT/restarted"
wait_for done2
check "restarted: DNS answers again at once (within its 1s timeout)" \
	has "$(cat "$OUT/dns_back")" 'rcode=NOERROR .*answers=10\.77\.0\.1$'
check "restarted: the session's policy still applies" has "$(cat "$OUT/dns_back_blocked")" 'rcode=NXDOMAIN'
check "restarted: denied addresses are still denied" has "$(cat "$OUT/connect_back")" '^connect=EPERM'
check "restarted: the live session was adopted" log_has "INFO SESSION ADOPTED session=$sid opener=run user=root profile=strict"
check "restarted: ... and is listed" has "$("$DG" -c "$CONF" sessions)" "^$sid +root +run +strict "
check "restarted: the daemon reused the pinned maps and links" log_has 'INFO STARTED .* adopted=1'
dg_run -- true
newsid=$(sed -n 's/.*INFO SESSION OPEN session=\([0-9]*\) .*/\1/p' "$LOG" | tail -n 1)
check "restarted: a new session never reuses an id the crashed daemon handed out" \
	test "${newsid:-0}" -gt "$sid"
wait "$RUN_PID"
check "a connection established before the crash kept working through it" \
	has "$(cat "$OUT/held")" '^after_hold=ok'
check "the adopted session is closed by the new daemon" \
	log_has "INFO SESSION CLOSE session=$sid user=root profile=strict exit=0 "

# --- a clean stop keeps the guard too -------------------------------------------

rm -f "$OUT"/*
cat >"$TMP/session2.sh" <<'EOF'
#!/bin/bash
H=$1 OUT=$2
touch "$OUT/ready"
while [ ! -e "$OUT/stopped" ]; do sleep 0.05; done
"$H/dg_dnsq" -T 1000 10.77.0.53 allowed.test >"$OUT/dns_stopped"
"$H/dg_connect" 10.77.0.2 8080 >"$OUT/connect_stopped"
touch "$OUT/done"
EOF
"$DG" -c "$CONF" run -- bash "$TMP/session2.sh" "$H" "$OUT" &
RUN_PID=$!
wait_for ready
dg_stop_daemon
touch "$OUT/stopped"
wait_for done
check "daemon stopped cleanly: a denied address stays denied" \
	has "$(cat "$OUT/connect_stopped")" '^connect=EPERM'
check "daemon stopped cleanly: DNS stays closed" hasnt "$(cat "$OUT/dns_stopped")" 'rcode=NOERROR'
dg_start_daemon
wait "$RUN_PID"

# --- the one explicit way to lift it --------------------------------------------------

dg_stop_daemon
out=$("$DGD" -c "$CONF" --uninstall 2>&1)
check "--uninstall says what it removed" has "$out" "BPF programs detached, /sys/fs/bpf/$TEST_ID removed"
check "--uninstall detaches every program" \
	hasnt "$(bpftool cgroup show "$CG2/$TEST_ID" 2>/dev/null)" 'dg_'
check "--uninstall removes the pins" test ! -e "/sys/fs/bpf/$TEST_ID"
