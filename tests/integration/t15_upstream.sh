#!/bin/bash
# A configured upstream replaces "the resolver the process asked"; the
# process still sees its answer come from the resolver it asked.
. "$(dirname "$0")/lib.sh"
dg_begin "$@"

# a second resolver with answers of its own, on an address and a port
ip addr add 10.77.0.54/32 dev lo
dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
	--listen-address=10.77.0.54 --port=5354 --user=root --group=root --pid-file= --log-queries \
	--address=/allowed.test/10.77.0.2 --log-facility=- >"$TMP/dnsmasq2.log" 2>&1 &
EXTRA_PIDS+=($!)
for _ in $(seq 50); do
	"$H/dg_dnsq" -T 200 10.77.0.54:5354 allowed.test >/dev/null 2>&1 && break
	sleep 0.1
done

# resolve_blocked = no: the daemon's own lookups of blocked names (t80) would
# reach this upstream too; here we check the proxy never forwards the
# session's blocked query
dg_write_config "upstream = 10.77.0.54:5354" <<'EOF2'
[profile default]
block = github.com
resolve_blocked = no
[users]
root = default
EOF2
dg_start_daemon

asked_before=$(grep -c 'query\[A\] allowed\.test' "$TMP/dnsmasq.log")
out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 allowed.test)
check "queries go to the configured upstream" has "$out" 'rcode=NOERROR id=match answers=10\.77\.0\.2$'
check "... while the answer appears to come from the resolver asked" has "$out" '^from=10\.77\.0\.53:53 '
check "the asked resolver never saw the query" \
	eq "$(grep -c 'query\[A\] allowed\.test' "$TMP/dnsmasq.log")" "$asked_before"
check "the configured upstream did" has "$(cat "$TMP/dnsmasq2.log")" 'query\[A\] allowed\.test from 10\.77\.0\.54'
check "status names the upstream" has "$("$DG" -c "$CONF" status)" 'upstream 10\.77\.0\.54:5354'
out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 x.github.com)
check "blocked names are still answered locally" has "$out" 'rcode=NXDOMAIN'
sleep 1.5	# a daemon lookup, had one been due, would have gone out by now
check "... and the session's query never reaches the upstream" hasnt "$(cat "$TMP/dnsmasq2.log")" 'x\.github\.com'
