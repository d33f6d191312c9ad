#!/bin/bash
# Connect-time policy: in allowlist mode only addresses learned from allowed
# answers (or allowed CIDRs) are reachable; everything else fails at once
# with EPERM and is logged.  Static CIDRs work in both modes, for IPv4,
# IPv6 and IPv4-mapped destinations, TCP and UDP.
. "$(dirname "$0")/lib.sh"
dg_begin "$@"

dg_write_config <<'EOF'
[profile strict]
mode = allowlist
allow = allowed.test
allow_cidr = 10.77.0.128/25
[profile open]
mode = blocklist
block = github.com
block_cidr = 10.77.0.2/32 fd77::2
[users]
root = strict
EOF
dg_start_daemon
ip addr add 10.77.0.200/32 dev lo
"$H/dg_httpd" 10.77.0.200 8080 >/dev/null 2>&1 &
EXTRA_PIDS+=($!)

# --- allowlist ---------------------------------------------------------------------

out=$(dg_run -- "$H/dg_connect" 10.77.0.2 8080)
check "allowlist: a connect to an address never resolved fails with EPERM" \
	has "$out" '^connect=EPERM'
check "allowlist: ... at once, not after a timeout" us_below "$out" 1000000
check "allowlist: the refused connect is logged with the process" \
	log_has 'WARN CONNECT BLOCKED daddr=10\.77\.0\.2 dport=8080 proto=tcp pid=[0-9]+ cmd=".*dg_connect 10\.77\.0\.2 8080" .*profile=strict mode=allowlist blockedAt=connect'

out=$(dg_run -- sh -c "getent ahostsv4 allowed.test >/dev/null && exec $H/dg_connect 10.77.0.1 8080")
check "allowlist: an address learned from an allowed answer is reachable" has "$out" '^connect=ok'

out=$(dg_run -- sh -c "getent ahosts allowed.test >/dev/null && exec $H/dg_connect fd77::1 8080")
check "allowlist: learned IPv6 addresses are reachable" has "$out" '^connect=ok'

out=$(dg_run -- sh -c "getent ahosts allowed.test >/dev/null; exec $H/dg_connect 10.77.0.2 8080")
check "allowlist: what one name taught does not open another address" has "$out" '^connect=EPERM'

out=$(dg_run -- sh -c "getent hosts other.test; exec $H/dg_connect 10.77.0.2 8080")
check "allowlist: a name outside the list is refused and teaches nothing" \
	has "$out" '^connect=EPERM'

out=$(dg_run -- "$H/dg_connect" fd77::2 8080)
check "allowlist: IPv6 destinations are checked" has "$out" '^connect=EPERM'

out=$(dg_run -- "$H/dg_connect" ::ffff:10.77.0.2 8080)
check "allowlist: an IPv4-mapped destination is the IPv4 address" has "$out" '^connect=EPERM'
check "allowlist: ... and logged as the IPv4 address" \
	log_has 'CONNECT BLOCKED daddr=10\.77\.0\.2 dport=8080 proto=tcp pid=[0-9]+ cmd=".*dg_connect ::ffff:10\.77\.0\.2'

out=$(dg_run -- "$H/dg_connect" --udp 10.77.0.2 9999)
check "allowlist: UDP connect to an unknown address fails with EPERM" has "$out" '^connect=EPERM'

out=$(dg_run -- "$H/dg_connect" 10.77.0.200 8080)
check "allowlist: allow_cidr opens a range without DNS" has "$out" '^connect=ok'

out=$(dg_run -- curl -sS --max-time 5 http://10.77.0.2:8080/ 2>&1)
check "allowlist: curl straight to an IP fails immediately" has "$out" '(Couldn.t connect|Failed to connect)'

out=$(dg_run -- curl -sS --max-time 5 http://allowed.test:8080/ 2>&1)
check "allowlist: curl to an allowed name works end to end" has "$out" '^hello from'

out=$(dg_run -- "$H/dg_connect" 127.0.0.1 1053)
check "loopback stays reachable by default (allow_loopback)" has "$out" '^connect=ok'

# --- the per-packet backstop ----------------------------------------------------------

# ICMP "ping" sockets pass no connect or sendmsg hook: only the egress
# program sees where their packets go
sysctl -qw net.ipv4.ping_group_range="0 2147483647"	# our namespace only
out=$("$H/dg_bypass" icmp 10.77.0.2)
check "(an unguarded ping socket gets its echo reply)" has "$out" 'result=reply'
out=$(dg_run -- "$H/dg_bypass" icmp 10.77.0.2)
check "backstop: a packet no hook saw is dropped, and the sender gets EPERM" has "$out" 'result=EPERM'
check "backstop: the drop is logged with the process" \
	log_has 'WARN PACKET BLOCKED daddr=10\.77\.0\.2 proto=icmp pid=[0-9]+ cmd=".*dg_bypass icmp 10\.77\.0\.2" .*profile=strict mode=allowlist blockedAt=packet'
out=$(dg_run -- sh -c "getent ahostsv4 allowed.test >/dev/null; exec $H/dg_bypass icmp 10.77.0.1")
check "backstop: packets to an allowed address pass" has "$out" 'result=reply'

# --- static CIDRs in blocklist mode ------------------------------------------------

out=$(dg_run --profile open -- "$H/dg_connect" 10.77.0.2 8080)
check "blocklist: block_cidr refuses an IPv4 address" has "$out" '^connect=EPERM'
out=$(dg_run --profile open -- "$H/dg_connect" fd77::2 8080)
check "blocklist: block_cidr refuses an IPv6 address" has "$out" '^connect=EPERM'
out=$(dg_run --profile open -- "$H/dg_connect" 10.77.0.1 8080)
check "blocklist: other addresses are reachable" has "$out" '^connect=ok'
check "blocklist: the refusal names the profile and mode" \
	log_has 'CONNECT BLOCKED daddr=fd77::2 dport=8080 proto=tcp .*profile=open mode=blocklist blockedAt=connect'

# --- processes outside the session ----------------------------------------------------

out=$("$H/dg_connect" 10.77.0.2 8080)
check "unguarded processes are not subject to any profile" has "$out" '^connect=ok'
