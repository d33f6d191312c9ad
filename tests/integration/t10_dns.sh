#!/bin/bash
# DNS of guarded processes: every path (UDP connected and not, TCP, IPv4,
# IPv6, IPv4-mapped) reaches the proxy; blocked names get NXDOMAIN at once
# and are logged with the process; allowed names and their CNAMEs work; the
# answer looks as if it came from the resolver the process asked; processes
# outside the session are untouched.
. "$(dirname "$0")/lib.sh"
dg_begin "$@"

dg_write_config <<'EOF'
[profile default]
mode = blocklist
block = github.com githubusercontent.com
[users]
root = default
EOF
dg_start_daemon

# --- blocked names --------------------------------------------------------------

out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 b1.github.com)
check "blocked name: NXDOMAIN, answered from the resolver asked" \
	has "$out" '^from=10\.77\.0\.53:53 rcode=NXDOMAIN id=match answers=-$'
check "blocked name: logged with pid, command and blockedAt=dns" \
	log_has 'WARN DNS BLOCKED domain=b1\.github\.com\. type=A pid=[0-9]+ cmd=".*dg_dnsq 10\.77\.0\.53 b1\.github\.com" .*session=[0-9]+ profile=default mode=blocklist match=github\.com blockedAt=dns'
check "blocked name never reaches upstream" \
	hasnt "$(cat "$TMP/dnsmasq.log")" 'b1\.github\.com'

out=$(dg_run -- curl -sS --max-time 5 http://b2.github.com:8080/ 2>&1)
check "curl to a blocked name fails to resolve" has "$out" 'Could not resolve host'
check "curl's lookup is attributed to curl's command line" \
	log_has 'DNS BLOCKED domain=b2\.github\.com\. .*cmd="curl -sS --max-time 5 http://b2\.github\.com:8080/"'

out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 GitHub.COM)
check "matching is case-insensitive" has "$out" 'rcode=NXDOMAIN'
out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 objects.githubusercontent.com)
check "subdomains of a blocked name are blocked" has "$out" 'rcode=NXDOMAIN'
out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 evilgithub.com)
check "label boundaries: evilgithub.com is not github.com" \
	has "$out" 'rcode=NOERROR id=match answers=10\.77\.0\.2$'

# --- allowed names ------------------------------------------------------------------

out=$(dg_run -- curl -sS --max-time 5 http://allowed.test:8080/ 2>&1)
check "allowed name: curl works" has "$out" '^hello from (10\.77\.0\.1|\[fd77::1\]):8080$'
check "allowed name: logged with its addresses" \
	log_has 'INFO DNS ALLOWED domain=allowed\.test\. type=A pid=[0-9]+ cmd="curl .*addrs=10\.77\.0\.1'

out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 ok.cname.test)
check "a CNAME to an allowed name resolves" has "$out" 'rcode=NOERROR .*answers=10\.77\.0\.1$'
out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 rel.cname.test)
check "a CNAME into a blocked domain is blocked" has "$out" 'rcode=NXDOMAIN'
check "the blocking CNAME is named in the log" \
	log_has 'DNS BLOCKED domain=rel\.cname\.test\. .*cname=cdn\.github\.com\. .*blockedAt=dns'

# --- every way of sending DNS ---------------------------------------------------------

out=$(dg_run -- "$H/dg_dnsq" --connect 10.77.0.53 c1.github.com)
check "connected UDP socket is redirected" has "$out" '^from=10\.77\.0\.53:53 rcode=NXDOMAIN'
out=$(dg_run -- "$H/dg_dnsq" --tcp 10.77.0.53 c2.github.com)
check "DNS over TCP is redirected; the peer still looks like the resolver" \
	has "$out" '^from=10\.77\.0\.53:53 rcode=NXDOMAIN'
out=$(dg_run -- "$H/dg_dnsq" --tcp 10.77.0.53 allowed.test)
check "DNS over TCP: allowed answers come back" has "$out" 'rcode=NOERROR .*answers=10\.77\.0\.1$'
out=$(dg_run -- "$H/dg_dnsq" -t AAAA fd77::53 c3.github.com)
check "IPv6 resolver: redirected, answer from [fd77::53]:53" \
	has "$out" '^from=\[fd77::53\]:53 rcode=NXDOMAIN'
out=$(dg_run -- "$H/dg_dnsq" -t AAAA fd77::53 allowed.test)
check "IPv6 resolver: allowed AAAA answers" has "$out" 'rcode=NOERROR .*answers=fd77::1$'
out=$(dg_run -- "$H/dg_dnsq" --mapped 10.77.0.53 c4.github.com)
check "IPv4-mapped resolver address on an IPv6 socket is redirected" \
	has "$out" '^from=\[::ffff:10\.77\.0\.53\]:53 rcode=NXDOMAIN'
out=$(dg_run -- "$H/dg_dnsq" 192.0.2.53 c5.github.com)
check "any resolver address is redirected, even one that does not exist" \
	has "$out" '^from=192\.0\.2\.53:53 rcode=NXDOMAIN'
out=$(dg_run -- "$H/dg_dnsq" --tcp fd77::53 c6.github.com)
check "DNS over TCP to an IPv6 resolver is redirected" has "$out" 'rcode=NXDOMAIN'
out=$(dg_run -- getent ahosts allowed.test)
check "glibc's resolver accepts the proxied answers (A and AAAA)" \
	has "$out" '10\.77\.0\.1' && has "$out" 'fd77::1'

# --- answers are forwarded as upstream sent them ---------------------------------------

out=$(dg_run -- dig +tries=1 +time=3 @10.77.0.53 unknown.nowhere)
check "upstream's rcode comes through (REFUSED from dnsmasq)" has "$out" 'status: REFUSED'
out=$(dg_run -- dig +noedns +ignore +tries=1 +time=3 @10.77.0.53 big.allowed.test TXT)
check "a truncated answer keeps its TC bit" has "$out" 'flags: qr aa tc rd ra'
out=$(dg_run -- dig +tries=1 +time=3 @10.77.0.53 big.allowed.test TXT)
check "... and the retry over TCP gets the whole answer" has "$out" 'ANSWER: 4,'
out=$(dg_run -- dig +bufsize=1232 +tries=1 +time=3 @10.77.0.53 allowed.test)
check "EDNS comes through" has "$out" 'EDNS: version: 0, flags:; udp: [0-9]+'
check "... as do the answer's sections" has "$out" 'allowed\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+10\.77\.0\.1'

# --- outside the session ---------------------------------------------------------------

out=$("$H/dg_dnsq" 10.77.0.53 u1.github.com)
check "an unguarded process resolves a blocked name as usual" \
	has "$out" '^from=10\.77\.0\.53:53 rcode=NOERROR id=match answers=10\.77\.0\.9$'
out=$(curl -sS --max-time 5 http://u2.github.com:8080/ 2>&1)
check "an unguarded process reaches a blocked host as usual" has "$out" 'hello from (10\.77\.0\.9|\[fd77::9\]):8080'
check "unguarded lookups are not logged" log_hasnt 'domain=u[12]\.github\.com'
out=$("$H/dg_dnsq" 127.0.0.1:1053 u3.allowed.test)
check "the proxy does not answer processes outside any session" has "$out" '^timeout$'
