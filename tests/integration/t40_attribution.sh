#!/bin/bash
# Attribution: every decision names the exact process, even when many resolve
# at once (their DNS ids collide) and when the process is gone before the
# daemon looks.
. "$(dirname "$0")/lib.sh"
dg_begin "$@"

dg_write_config <<'EOF2'
[profile default]
block = github.com
[profile strict]
mode = allowlist
allow = allowed.test
[users]
root = default
EOF2
dg_start_daemon

# 50 processes, each asking for a name that carries its own pid
dg_run -- bash -c "for i in \$(seq 50); do sh -c 'exec $H/dg_dnsq -T 5000 10.77.0.53 p\$\$.github.com' >/dev/null & done; wait"
sleep 0.5
lines=$(grep -E 'DNS BLOCKED domain=p[0-9]+\.github\.com\.' "$LOG")
total=$(printf '%s\n' "$lines" | grep -c .)
right=$(printf '%s\n' "$lines" | sed -nE 's/.*domain=p([0-9]+)\.github\.com\. type=A pid=([0-9]+) cmd="[^"]*dg_dnsq -T 5000 10\.77\.0\.53 p([0-9]+)\.github\.com".*/\1 \2 \3/p' |
	awk '$1 == $2 && $2 == $3' | sort -u | wc -l)
check "50 concurrent resolvers: 50 decisions logged" eq "$total" 50
check "50 concurrent resolvers: each attributed to its own pid and command" eq "$right" 50

# a process that exits right after sending: stop the daemon so it can only
# look the process up after it is gone
dg_run -- bash -c "sleep 0.5; $H/dg_dnsq -T 0 10.77.0.53 gone1.github.com; sleep 2; true" &
RUN_PID=$!
sleep 0.3
kill -STOP "$DGD_PID"
sleep 1.2
kill -CONT "$DGD_PID"
wait $RUN_PID
check "a process that exited before the daemon saw its query is still attributed" \
	log_has 'DNS BLOCKED domain=gone1\.github\.com\. type=A pid=[0-9]+ cmd=".*dg_dnsq -T 0 10\.77\.0\.53 gone1\.github\.com" ancestry=[0-9]+:bash<'

dg_run --profile strict -- bash -c "sleep 0.5; $H/dg_connect 10.77.0.2 8081; sleep 2; true" &
RUN_PID=$!
sleep 0.3
kill -STOP "$DGD_PID"
sleep 1.2
kill -CONT "$DGD_PID"
wait $RUN_PID
check "a refused connect of a process that is gone is attributed to it" \
	log_has 'CONNECT BLOCKED daddr=10\.77\.0\.2 dport=8081 proto=tcp pid=[0-9]+ cmd=".*dg_connect 10\.77\.0\.2 8081" ancestry=[0-9]+:bash<'

dg_run -- bash -c "sh -c '$H/dg_dnsq 10.77.0.53 anc.github.com; true'; true" >/dev/null
check "the ancestry runs from the parent up to the session leader" \
	log_has 'DNS BLOCKED domain=anc\.github\.com\. .* ancestry=[0-9]+:sh<[0-9]+:bash<[0-9]+:deployguard '

dg_run -- su -s /bin/sh nobody -c "$H/dg_dnsq 10.77.0.53 uid.github.com" >/dev/null
check "the uid of the process is logged" \
	log_has "DNS BLOCKED domain=uid\.github\.com\. .* uid=$(id -u nobody) "
