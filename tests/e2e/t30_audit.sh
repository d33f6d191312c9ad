#!/bin/bash
# The audit trail end to end, with a real auditd: records land in the audit
# log with the deploy session's login uid, audit session and deployguard
# session; `deployguard report` turns them into exactly what the session
# contacted; a burst of 10,000 blocked lookups costs a handful of records,
# counts them all, and leaves the kernel's audit backlog alone.
#
# auditd is global: if it is not running the test starts it (no rules are
# loaded or changed) and stops it again at the end, also on failure, and
# puts the kernel's "enabled" flag back.  Audit logs are never removed.
. "$(dirname "$0")/../integration/lib.sh"
dg_begin "$@"

for tool in auditd auditctl ausearch jq; do
	if ! command -v "$tool" >/dev/null; then
		echo "Bail out! $tool is missing (make deps)"
		exit 1
	fi
done

AUDITD_PID=
audit_status() {
	auditctl -s | awk -v k="$1" '$1 == k { print $2 }'
}
# auditctl -s without what moves on its own
audit_settings() {
	auditctl -s | grep -vE '^(pid|lost|backlog|backlog_wait_time_actual) '
}
PID_BEFORE=$(audit_status pid)
ENABLED_BEFORE=$(audit_status enabled)
SETTINGS_BEFORE=$(audit_settings)
RULES_BEFORE=$(auditctl -l)
if [ -z "$ENABLED_BEFORE" ] || [ -z "$PID_BEFORE" ]; then
	echo "Bail out! cannot read the kernel's audit status (auditctl -s)"
	exit 1
fi

start_auditd() {
	[ "$(audit_status pid)" != 0 ] && return 0
	# -n: no fork, so it is our child and we stop exactly it; no rules are loaded
	auditd -n >"$TMP/auditd.out" 2>&1 &
	AUDITD_PID=$!
	for _ in $(seq 50); do
		[ "$(audit_status pid)" = "$AUDITD_PID" ] && return 0
		sleep 0.1
	done
	echo "Bail out! auditd did not start"
	cat "$TMP/auditd.out"
	exit 1
}

stop_auditd() {
	[ -n "$AUDITD_PID" ] || return 0
	kill -TERM "$AUDITD_PID" 2>/dev/null
	wait "$AUDITD_PID" 2>/dev/null
	AUDITD_PID=
	# auditd turns auditing on when it starts; put back what we found
	auditctl -e "$ENABLED_BEFORE" >/dev/null
}

# the shipped rules, pointed at this test's config and pins
RULES=$TMP/deployguard.rules
remove_rules() {
	[ -e "$RULES" ] || return 0
	sed -n 's/^-w /-W /p' "$RULES" | while read -r rule; do
		# shellcheck disable=SC2086
		auditctl $rule >/dev/null 2>&1
	done
	rm -f "$RULES"
}

audit_cleanup() {
	local rc=$?
	remove_rules
	dg_stop_daemon
	stop_auditd
	(exit "$rc")
	dg_cleanup
}
trap audit_cleanup EXIT

# a subshell with a login uid of its own gets a fresh audit session id
with_login() {
	local uid=$1 sesfile=$2
	shift 2
	bash -c 'echo "$1" >/proc/self/loginuid && cat /proc/$$/sessionid >"$2" && shift 2 && exec "$@"' \
		_ "$uid" "$sesfile" "$@"
}

# records of one audit session (our oses=) in the live audit log
records_of() {
	ausearch -m TRUSTED_APP -ts recent --raw 2>/dev/null | grep -F " oses=$1 "
}

# wait until the audit log has the session's close record
wait_closed() {
	for _ in $(seq 100); do
		records_of "$1" | grep -q 'op=deployguard-session-close' && return 0
		sleep 0.1
	done
	echo "# no session-close record with oses=$1"
	return 1
}

dg_write_config <<'EOF2'
[profile default]
mode = blocklist
block = github.com
block_cidr = 10.77.0.2/32
[users]
root = default
EOF2
T0=$(($(date +%s) - 1))

# --- without auditd: one warning, and the guard works as ever ------------------------

if [ "$(audit_status pid)" = 0 ]; then
	dg_start_daemon
	out=$(dg_run -- sh -c "$H/dg_dnsq 10.77.0.53 w1.github.com; $H/dg_dnsq 10.77.0.53 w2.github.com")
	check "without auditd: blocked names are still refused" has "$out" 'rcode=NXDOMAIN'
	check "without auditd: every decision is in the local log" \
		log_has 'DNS BLOCKED domain=w2\.github\.com\.'
	check "without auditd: the daemon warns once, not per record" \
		eq "$(grep -c 'WARN AUDIT ' "$LOG")" 1
	out=$("$DG" -c "$CONF" status)
	check "status says audit records are not collected" \
		has "$out" '^  audit: +(auditd NOT running|kernel auditing DISABLED); records: '
	start_auditd
	for _ in $(seq 100); do
		"$DG" -c "$CONF" status | grep -q 'audit: *auditd running' && break
		sleep 0.1
	done
	check "a running daemon notices auditd coming up" \
		log_has "INFO AUDIT auditd is running \\(pid $AUDITD_PID\\)"
else
	ok "warns once without auditd # SKIP auditd was already running"
	dg_start_daemon
fi
check "status shows auditd and the record counters" \
	has "$("$DG" -c "$CONF" status)" '^  audit: +auditd running \(pid [0-9]+\); records: [0-9]+ sent, [0-9]+ suppressed \([0-9]+ past the per-session limit\), 0 failed$'

# --- a session that hits blocked and allowed names and addresses ----------------------

rc=0
with_login 4242 "$TMP/ses1" "$DG" -c "$CONF" run -- sh -c "
	curl -4 -sS --max-time 5 -o /dev/null http://allowed.test:8080/
	$H/dg_dnsq 10.77.0.53 x1.github.com
	curl -4 -sS --max-time 5 http://x2.github.com:8080/
	$H/dg_connect 10.77.0.2 8080
	$H/dg_bypass raw
	$H/dg_dnsq 10.77.0.53 x1.github.com
	exit 3" >"$TMP/run1.out" 2>&1 || rc=$?
check "the guarded command ran and its status came back" eq "$rc" 3
SES1=$(cat "$TMP/ses1")
check "the session's close record reaches the audit log" wait_closed "$SES1"
recs=$(records_of "$SES1")
SID1=$(printf '%s\n' "$recs" | sed -n 's/.*op=deployguard-session-open .* dg_session=\([0-9]*\) .*/\1/p')
check "session open: the deploy session's login uid, audit session and dg_session" \
	has "$recs" "op=deployguard-session-open oauid=4242 oses=$SES1 opid=[0-9]+ dg_session=[0-9]+ profile=\"default\" mode=enforce policy=blocklist opener=\"run\" acct=\"root\" ouid=0 .*res=success"
# the daemon decides before it answers, so a resolving process is still there
check "a blocked name: one record, with the process, its exe and its command line encoded" \
	has "$recs" "op=deployguard-block oauid=4242 oses=$SES1 opid=[0-9]+ dg_session=$SID1 .*decision=blocked blocked_at=dns domain=\"x1\\.github\\.com\" qtype=\"A\" match=\"github\\.com\" ouid=0 ocomm=\"dg_dnsq\" oexe=\"$H/dg_dnsq\" cmd=[0-9A-F]+ .*res=failed"
check "... and its repeat is folded into a summary, not a second record" \
	eq "$(printf '%s\n' "$recs" | grep -c 'op=deployguard-block .*domain="x1\.github\.com"')" 1
check "the summary counts both" \
	has "$recs" "op=deployguard-summary oauid=4242 oses=$SES1 .*dg_session=$SID1 .*decision=blocked domain=\"x1\\.github\\.com\" count=2 "
# a refused connect is reported after the fact: the process may be gone by
# then, so its exe is not promised (its command line, from exec, is)
check "a blocked address: blocked_at=connect" \
	has "$recs" "op=deployguard-block .*dg_session=$SID1 .*decision=blocked blocked_at=connect daddr=10\\.77\\.0\\.2 dport=8080 proto=tcp ouid=0 ocomm=\"dg_connect\" .*cmd=[0-9A-F]+ "
check "a refused raw socket: blocked_at=socket" \
	has "$recs" "op=deployguard-block .*dg_session=$SID1 .*decision=blocked blocked_at=socket reason=raw-socket sock=raw family=inet protocol=1 ouid=0 ocomm=\"dg_bypass\" "
check "first contact with an allowed name" \
	has "$recs" "op=deployguard-contact .*dg_session=$SID1 .*decision=allowed domain=\"allowed\\.test\" qtype=\"A\" addrs=\"10\\.77\\.0\\.1\" .*res=success"
check "first contact with an allowed address (reported once by the kernel)" \
	has "$recs" "op=deployguard-contact .*dg_session=$SID1 .*decision=allowed daddr=10\\.77\\.0\\.1 dport=8080 proto=tcp ouid=0 ocomm=\"curl\" .*cmd=[0-9A-F]+ "
check "session close: the exit status, res=failed" \
	has "$recs" "op=deployguard-session-close oauid=4242 oses=$SES1 .*dg_session=$SID1 .*exit=3 duration=[0-9]+ .*res=failed"
check "session close: what the session used (its CPU time, from its cgroup)" \
	has "$recs" "op=deployguard-session-close .*dg_session=$SID1 .*duration=[0-9]+ (memory_peak=[0-9]+ )?cpu_usec=[0-9]+ "
out=$(ausearch -m TRUSTED_APP -ts recent -i 2>/dev/null | grep -F "oses=$SES1 ")
check "ausearch -i decodes the command line" \
	has "$out" "op=deployguard-block .*domain=x1\\.github\\.com .*cmd=$H/dg_dnsq 10\\.77\\.0\\.53 x1\\.github\\.com "

json=$("$DG" report --session "$SID1" --since "@$T0" --format json)
got=$(printf '%s\n' "$json" | jq -r '.[] | .contacts[] | "\(.type) \(.destination) \(.decision) \(.at) \(.count)"' | LC_ALL=C sort)
want="address 10.77.0.1 allowed connect 1
address 10.77.0.2 blocked connect 1
domain allowed.test allowed dns 1
domain x1.github.com blocked dns 2
domain x2.github.com blocked dns 1
socket raw blocked socket 1"
check "report: exactly the names and addresses the session contacted, with decisions" \
	eq "$got" "$want"
check "report: one session, opened by run with the deploy session's identity" \
	eq "$(printf '%s\n' "$json" | jq -r '.[] | "\(.opener) \(.user) \(.login_uid) \(.login_session) \(.exit)"')" \
	"run root 4242 $SES1 3"
got=$(printf '%s\n' "$json" | jq -r '.[0].contacts[] | "\(.destination)|\(.command)"' | LC_ALL=C sort)
want="10.77.0.1|curl -4 -sS --max-time 5 -o /dev/null http://allowed.test:8080/
10.77.0.2|$H/dg_connect 10.77.0.2 8080
allowed.test|curl -4 -sS --max-time 5 -o /dev/null http://allowed.test:8080/
raw|$H/dg_bypass raw
x1.github.com|$H/dg_dnsq 10.77.0.53 x1.github.com
x2.github.com|curl -4 -sS --max-time 5 http://x2.github.com:8080/"
check "report: the first command that did each" eq "$got" "$want"
out=$("$DG" report --session "$SID1" --since "@$T0")
check "report: text for people" \
	has "$out" "^  blocked +dns +2  x1\\.github\\.com "

# --- a daemon restart in the middle of a session loses no count -------------------------

with_login 4444 "$TMP/ses3" "$DG" -c "$CONF" run -- sh -c "
	$H/dg_dnsq -n 3 10.77.0.53 r.github.com
	sleep 3
	$H/dg_dnsq -n 2 10.77.0.53 r.github.com" >"$TMP/run3.out" 2>&1 &
RUN_PID=$!
sleep 1.5
dg_stop_daemon
dg_start_daemon
wait "$RUN_PID"
SES3=$(cat "$TMP/ses3")
check "restart: the session's close record reaches the audit log" wait_closed "$SES3"
recs=$(records_of "$SES3")
partial_summary() {
	has "$1" 'op=deployguard-summary .*domain="r\.github\.com" count=3 ' &&
		has "$1" 'op=deployguard-summary .* final=no '
}
check "restart: the stopping daemon wrote the count so far" partial_summary "$recs"
SID3=$(printf '%s\n' "$recs" | sed -n 's/.*op=deployguard-session-open .* dg_session=\([0-9]*\) .*/\1/p')
json=$("$DG" report --session "$SID3" --since "@$T0" --format json)
check "restart: the report adds up both daemons' counts" \
	eq "$(printf '%s\n' "$json" | jq -r '.[] | "\(.contacts[] | "\(.destination) \(.count)") \(.exit)"')" \
	"r.github.com 5 0"

# --- a burst of 10,000 blocked lookups -------------------------------------------------

LOST0=$(audit_status lost)
LIMIT=$(audit_status backlog_limit)
with_login 4343 "$TMP/ses2" "$DG" -c "$CONF" run -- \
	"$H/dg_dnsq" -n 10000 10.77.0.53 burst.github.com >"$TMP/run2.out" 2>&1
out=$(cat "$TMP/run2.out")
burst_answered() {
	has "$1" '^from=10\.77\.0\.53:53 rcode=NXDOMAIN id=match answers=-$' &&
		has "$1" '^replies=10000/10000$'
}
check "burst: all 10,000 lookups were answered NXDOMAIN" burst_answered "$out"
SES2=$(cat "$TMP/ses2")
check "burst: the session's close record reaches the audit log" wait_closed "$SES2"
recs=$(records_of "$SES2")
check "burst: five records in all (open, block, its count, totals, close)" \
	eq "$(printf '%s\n' "$recs" | grep -c .)" 5
check "burst: the summary record counts exactly 10,000" \
	has "$recs" 'op=deployguard-summary .*decision=blocked domain="burst\.github\.com" count=10000 '
check "burst: the totals say 9,999 were folded in, none unrecorded or failed" \
	has "$recs" 'op=deployguard-summary .* final=yes records=3 suppressed=9999 unrecorded=0 failed=0 queries=10000 allowed=0 blocked=10000 '
check "burst: the kernel lost no audit record" eq "$(audit_status lost)" "$LOST0"
check "burst: the backlog is within its limit" test "$(audit_status backlog)" -le "$LIMIT"
check "burst: the local log still has every decision" \
	eq "$(grep -c 'DNS BLOCKED domain=burst\.github\.com\.' "$LOG")" 10000
SID2=$(printf '%s\n' "$recs" | sed -n 's/.*op=deployguard-session-open .* dg_session=\([0-9]*\) .*/\1/p')
json=$("$DG" report --session "$SID2" --since "@$T0" --format json)
check "burst: the report counts 10,000" \
	eq "$(printf '%s\n' "$json" | jq -r '.[0].contacts[] | "\(.destination) \(.count)"')" \
	"burst.github.com 10000"
sup=$("$DG" -c "$CONF" status --json | jq -r '.audit_records_suppressed')
check "burst: status counts the suppressed records" test "$sup" -ge 9999

# --- the shipped audit rules record who changed the guard -------------------------------

mkdir "$TMP/watched-conf"
sed -e "s|/etc/deployguard/|$TMP/watched-conf/|" -e "s|/sys/fs/bpf/deployguard/|/sys/fs/bpf/$TEST_ID/|" \
	"$DG_SRC/etc/audit/deployguard.rules" >"$RULES"
check "etc/audit/deployguard.rules loads" auditctl -R "$RULES"
rules=$(auditctl -l)
check "... its config watch is in place" has "$rules" "^-w $TMP/watched-conf/? -p wa -k deployguard-config\$"
check "... and its pins watch" has "$rules" "^-w /sys/fs/bpf/$TEST_ID/? -p wa -k deployguard-pins\$"
T1=$(date '+%x %T')
echo 'block = example.test' >"$TMP/watched-conf/deployguard.conf"
dg_stop_daemon
out=$("$DGD" -c "$CONF" --uninstall 2>&1)
check "deployguardd --uninstall removes the pins" test ! -e "/sys/fs/bpf/$TEST_ID"
keyed() {	# keyed KEY: the audit log has a record of ours under KEY
	for _ in $(seq 50); do
		ausearch -k "$1" -ts $T1 --raw 2>/dev/null | grep -q "key=\"$1\"" && return 0
		sleep 0.1
	done
	return 1
}
check "a changed config file is recorded under deployguard-config" keyed deployguard-config
check "lifting the guard is recorded under deployguard-pins" keyed deployguard-pins
remove_rules

# --- auditd back as we found it ---------------------------------------------------------

dg_stop_daemon
stop_auditd
check "auditd is as we found it" eq "$(audit_status pid)" "$PID_BEFORE"
check "the kernel's audit settings are as we found them" eq "$(audit_settings)" "$SETTINGS_BEFORE"
check "the audit rules are as we found them" eq "$(auditctl -l)" "$RULES_BEFORE"
