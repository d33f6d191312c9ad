#!/bin/bash
# Audit mode: nothing is blocked, every would-be block is logged once, with
# the same attribution as a real block.
. "$(dirname "$0")/lib.sh"
dg_begin "$@"

dg_write_config <<'EOF2'
[profile watch]
mode = allowlist
enforce = audit
allow = allowed.test
[profile default]
block = github.com
[users]
root = default
EOF2
dg_start_daemon

out=$(dg_run --profile watch -- "$H/dg_dnsq" 10.77.0.53 a1.github.com)
check "audit: a name outside the allowlist still resolves" \
	has "$out" 'rcode=NOERROR id=match answers=10\.77\.0\.9$'
check "audit: ... and is logged as WOULDBLOCK with the process" \
	log_has 'WARN DNS WOULDBLOCK domain=a1\.github\.com\. type=A pid=[0-9]+ cmd=".*dg_dnsq 10\.77\.0\.53 a1\.github\.com" .*profile=watch mode=allowlist .*blockedAt=dns enforce=audit'

out=$(dg_run --profile watch -- "$H/dg_connect" --hold 1 10.77.0.2 8080)
check "audit: a connect that would be refused goes through" has "$out" 'after_hold=ok'
check "audit: ... and is logged as CONNECT WOULDBLOCK" \
	log_has 'WARN CONNECT WOULDBLOCK daddr=10\.77\.0\.2 dport=8080 proto=tcp pid=[0-9]+ cmd=".*dg_connect --hold 1 10\.77\.0\.2 8080" .*blockedAt=connect enforce=audit'
n=$(grep -c 'WOULDBLOCK daddr=10\.77\.0\.2 dport=8080' "$LOG")
check "audit: one record per connection, not one per packet" eq "$n" 1

out=$(dg_run --profile watch -- "$H/dg_dnsq" 10.77.0.53 rel.cname.test)
check "audit: a CNAME into a blocked domain is answered" has "$out" 'rcode=NOERROR .*answers=10\.77\.0\.9$'
check "audit: ... and the CNAME would-block is logged" \
	log_has 'DNS WOULDBLOCK domain=rel\.cname\.test\. .*cname=cdn\.github\.com\.'

out=$(dg_run --audit -- curl -sS --max-time 5 http://a2.github.com:8080/ 2>&1)
check "run --audit turns an enforcing profile into audit for that session" has "$out" '^hello from'
check "run --audit: the name is logged as WOULDBLOCK" \
	log_has 'DNS WOULDBLOCK domain=a2\.github\.com\. .*profile=default mode=blocklist .*enforce=audit'

dg_run --audit -- sleep 3 &
RUN_PID=$!
sleep 0.5
out=$("$DG" -c "$CONF" sessions)
check "sessions shows the session in audit mode" has "$out" '^[0-9]+ +root +run +default +blocklist audit '
wait $RUN_PID

out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 a3.github.com)
check "other sessions keep enforcing" has "$out" 'rcode=NXDOMAIN'
