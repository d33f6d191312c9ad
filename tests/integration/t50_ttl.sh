#!/bin/bash
# Learned addresses expire with their TTL, but a connection made while the
# address was allowed keeps working after that.
DNS_TTL=1
. "$(dirname "$0")/lib.sh"
dg_begin "$@"

dg_write_config "min_ttl = 1" <<'EOF2'
[profile strict]
mode = allowlist
allow = allowed.test
[users]
root = strict
EOF2
dg_start_daemon

out=$(dg_run -- sh -c "getent ahostsv4 allowed.test >/dev/null && exec $H/dg_connect --hold 4 10.77.0.1 8080")
check "a connection made while allowed is established" has "$out" '^connect=ok'
check "it keeps working 4s later, after the 1s TTL ran out" has "$out" '^after_hold=ok'

out=$(dg_run -- sh -c "getent ahostsv4 allowed.test >/dev/null && sleep 3 && exec $H/dg_connect 10.77.0.1 8080")
check "a new connection after the TTL ran out is refused" has "$out" '^connect=EPERM'
check "... and logged" log_has 'CONNECT BLOCKED daddr=10\.77\.0\.1 dport=8080 .*profile=strict'

out=$(dg_run -- sh -c "getent ahostsv4 allowed.test >/dev/null && sleep 3 && getent ahostsv4 allowed.test >/dev/null && exec $H/dg_connect 10.77.0.1 8080")
check "resolving again renews the address" has "$out" '^connect=ok'
