#!/bin/bash
# Bypass resistance: each way around the guard that deploy tooling finds by
# accident is tried by a guarded non-root user, and must fail (and be logged).
DNSMASQ_EXTRA="--address=/cdn2.github.com/10.77.0.88"
. "$(dirname "$0")/lib.sh"
dg_begin "$@"

ip addr add 10.77.0.88/32 dev lo
"$H/dg_httpd" 10.77.0.88 8080 >/dev/null 2>&1 &
EXTRA_PIDS+=($!)

dg_write_config <<'EOF'
[profile default]
mode = blocklist
block = github.com
[profile strict]
mode = allowlist
allow = allowed.test
[users]
root = default
EOF
dg_start_daemon

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
NOBODY_RAW=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+net_raw --ambient-caps=+net_raw)

# --- raw and packet sockets --------------------------------------------------------

out=$("${NOBODY_RAW[@]}" "$H/dg_bypass" raw)
check "outside a session, a user with CAP_NET_RAW opens raw sockets (the capability works)" \
	has "$out" 'result=ok'
out=$(dg_run -- "${NOBODY_RAW[@]}" "$H/dg_bypass" raw)
check "raw IPv4 socket refused in a session, even with CAP_NET_RAW" has "$out" 'result=EPERM'
out=$(dg_run -- "${NOBODY_RAW[@]}" "$H/dg_bypass" raw6)
check "raw IPv6 socket refused in a session, even with CAP_NET_RAW" has "$out" 'result=EPERM'
check "the refused raw socket is logged with the process" \
	log_has 'WARN SOCKET BLOCKED family=inet type=raw protocol=1 pid=[0-9]+ cmd=".*dg_bypass raw" .*uid=65534 .*blockedAt=socket reason=raw-socket'

st=$("$DG" -c "$CONF" status)
out=$(dg_run -- "${NOBODY_RAW[@]}" "$H/dg_bypass" packet)
if printf '%s\n' "$st" | grep -q 'packet sockets are not denied'; then
	# this kernel will not run the bpf LSM hook: the daemon must say so,
	# loudly, rather than pretend
	check "packet sockets: the kernel has no usable bpf LSM, and status says so" \
		has "$st" 'warning: +packet sockets are not denied: .*(bpf LSM|LSM program)'
	check "packet sockets: the daemon warned at start" \
		log_has 'WARN packet sockets \(AF_PACKET\) are not denied in guarded sessions'
	out=$(dg_run -- "${NOBODY[@]}" "$H/dg_bypass" packet)
	check "packet sockets: a guarded user without CAP_NET_RAW still cannot open one" \
		has "$out" 'result=EPERM'
else
	check "packet socket refused in a session, even with CAP_NET_RAW" has "$out" 'result=EPERM'
	check "the refused packet socket is logged" \
		log_has 'SOCKET BLOCKED family=packet .*reason=packet-socket'
fi

# --- TCP Fast Open, IPv4-mapped, DNS over TLS ---------------------------------------

sysctl -qw net.ipv4.tcp_fastopen=3	# per network namespace: ours
out=$(dg_run --profile strict -- "${NOBODY[@]}" "$H/dg_bypass" tfo 10.77.0.2 8080)
check "TCP Fast Open (sendto MSG_FASTOPEN) goes through the connect policy" has "$out" 'result=EPERM'
check "... and is logged" log_has 'CONNECT BLOCKED daddr=10\.77\.0\.2 dport=8080 proto=tcp .*dg_bypass tfo'
out=$(dg_run --profile strict -- "${NOBODY[@]}" "$H/dg_connect" ::ffff:10.77.0.2 8080)
check "an IPv4-mapped destination is treated as the IPv4 address" has "$out" '^connect=EPERM'

out=$(dg_run -- "${NOBODY[@]}" sh -c "getent ahostsv4 allowed.test >/dev/null; $H/dg_connect 10.77.0.1 853")
check "port 853 (DNS over TLS) is refused, even to an allowed address" has "$out" '^connect=EPERM'
out=$(dg_run -- "${NOBODY[@]}" "$H/dg_connect" --udp 10.77.0.1 853)
check "UDP port 853 (DNS over QUIC) is refused too" has "$out" '^connect=EPERM'
check "... and logged with the reason" \
	log_has 'CONNECT BLOCKED daddr=10\.77\.0\.1 dport=853 proto=tcp .*blockedAt=connect reason=dns-over-tls'

# --- public DoH resolvers (blocklist mode) ----------------------------------------------

out=$(dg_run -- "${NOBODY[@]}" "$H/dg_dnsq" 10.77.0.53 dns.google)
check "the name of a public DoH resolver is blocked by default" has "$out" 'rcode=NXDOMAIN'
out=$(dg_run -- "${NOBODY[@]}" "$H/dg_connect" 8.8.8.8 443)
check "a public DoH resolver's address is refused at connect" has "$out" '^connect=EPERM'
out=$("${NOBODY[@]}" "$H/dg_connect" 8.8.8.8 443)
check "(outside a session the namespace has no route there: nothing ever leaves)" \
	has "$out" '^connect=ENETUNREACH'
out=$(dg_run -- "${NOBODY[@]}" "$H/dg_connect" 2606:4700:4700::1111 443)
check "... IPv6 resolvers too" has "$out" '^connect=EPERM'

# --- names found without asking the proxy --------------------------------------------------

check "the daemon resolves blocked names itself" \
	log_has 'INFO DENY ADDRESSES domain=github\.com\. profile=default addrs=(10\.77\.0\.9,fd77::9|fd77::9,10\.77\.0\.9) '
echo "10.77.0.9 github.com" >>"$TMP/hosts"
out=$(dg_run -- "${NOBODY[@]}" getent hosts github.com)
check "(/etc/hosts names github.com: the lookup never reaches the proxy)" has "$out" '^10\.77\.0\.9 +github\.com'
out=$(dg_run -- "${NOBODY[@]}" curl -sS --max-time 5 http://github.com:8080/ 2>&1)
check "a blocked host found through /etc/hosts is refused at connect" \
	has "$out" '(Couldn.t connect|Failed to connect)'
out=$(dg_run -- "${NOBODY[@]}" "$H/dg_connect" 10.77.0.9 8080)
check "a blocked host's address cached elsewhere is refused at connect" has "$out" '^connect=EPERM'
check "... logged as a connect block" \
	log_has 'CONNECT BLOCKED daddr=10\.77\.0\.9 dport=8080 proto=tcp .*profile=default mode=blocklist blockedAt=connect'
out=$("${NOBODY[@]}" "$H/dg_connect" 10.77.0.9 8080)
check "processes outside the session still reach it" has "$out" '^connect=ok'

out=$(dg_run -- "${NOBODY[@]}" "$H/dg_connect" 10.77.0.88 8080)
check "before anyone asked for cdn2.github.com, its address is just an address" has "$out" '^connect=ok'
dg_run -- "${NOBODY[@]}" "$H/dg_dnsq" 10.77.0.53 cdn2.github.com >/dev/null
check "a blocked name a session asked for gets resolved by the daemon" \
	log_has 'DENY ADDRESSES domain=cdn2\.github\.com\. profile=default addrs=10\.77\.0\.88 why="blocked name a session asked for"'
out=$(dg_run -- "${NOBODY[@]}" "$H/dg_connect" 10.77.0.88 8080)
check "... and its address is refused from then on" has "$out" '^connect=EPERM'

# --- cgroup escape ------------------------------------------------------------------------------

out=$(dg_run -- "${NOBODY[@]}" "$H/dg_bypass" cgroup-move "$CG2/cgroup.procs")
check "a guarded user cannot move itself to the root cgroup" has "$out" 'result=EACCES'
out=$(dg_run -- "${NOBODY[@]}" "$H/dg_bypass" cgroup-move "$CG2/$TEST_ID/cgroup.procs")
check "... nor to the guarded root" has "$out" 'result=EACCES'
out=$(dg_run -- "${NOBODY[@]}" sh -c "exec $H/dg_bypass cgroup-mkdir \$(sed -n 's|^0::|$CG2|p' /proc/self/cgroup)/escape")
check "... nor create a cgroup of its own inside the session" has "$out" 'result=EACCES'
owner=$(stat -c %U "$CG2/$TEST_ID")
check "the guarded cgroup tree is root's, not delegated" eq "$owner" root

# --- inherited sockets --------------------------------------------------------------------------

out=$(bash -c "exec 7<>/dev/tcp/10.77.0.1/8080; \"$DG\" -c \"$CONF\" run -- ls /proc/self/fd")
check "deployguard run hands the command nothing but stdin, stdout and stderr" \
	eq "$(printf '%s\n' "$out" | sort -n | tr '\n' ' ')" "0 1 2 3 "

# --- the control socket and the proxy ----------------------------------------------------------

out=$("${NOBODY[@]}" "$DG" -c "$CONF" status 2>&1)
check "the control socket refuses non-root clients, saying why" has "$out" 'refused: only root may use'
check "... and the refusal is logged" log_has 'WARN CONTROL REFUSED pid=[0-9]+ uid=65534'
out=$("${NOBODY[@]}" "$H/dg_dnsq" -T 1000 127.0.0.1:1053 allowed.test)
check "the proxy does not answer queries from outside a session" has "$out" '^timeout$'
out=$(ss -Hlnup 'sport = :1053'; ss -Hlntp 'sport = :1053')
check "the proxy listens on loopback only" hasnt "$out" '(0\.0\.0\.0|\*|\[::\]):1053'

# --- bad input ------------------------------------------------------------------------------------

hdr1=123401000001000000000000		# id 0x1234, RD, one question
bad=(
	00						# 1 byte
	1234						# id only
	123401000000000000000000			# a header, no question
	123401000002000000000000037777770000010001037777770000010001	# two questions
	${hdr1}c00c00010001				# a name pointing at itself
	${hdr1}c00dc00c00010001				# two pointers pointing at each other
	${hdr1}3f6162					# a label running past the end
	${hdr1}00ff000001				# the root name, an odd type
	123481000001000000000000037777770000010001	# a response, not a query
)
for hex in "${bad[@]}"; do
	dg_run -- "$H/dg_bypass" udp-raw 10.77.0.53 53 "$hex" >/dev/null
done
check "malformed UDP queries from a session do not crash the daemon" kill -0 "$DGD_PID"
check "... they are counted" has "$("$DG" -c "$CONF" status)" '[1-9][0-9]* malformed'
out=$(dg_run -- "$H/dg_bypass" udp-raw 10.77.0.53 53 123401000000000000000000)
check "a query without a question gets FORMERR" has "$out" 'result=answer bytes=12 rcode=1'
dg_run -- bash -c "for i in \$(seq 300); do head -c \$((RANDOM % 600 + 1)) /dev/urandom | od -An -tx1 | tr -d ' \n' | xargs -r $H/dg_bypass udp-raw 10.77.0.53 53 >/dev/null; done"
check "300 random datagrams do not crash the daemon" kill -0 "$DGD_PID"

dg_run -- "$H/dg_bypass" tcp-raw 10.77.0.53 53 0000 >/dev/null
dg_run -- "$H/dg_bypass" tcp-raw 10.77.0.53 53 ffff1234 >/dev/null
dg_run -- "$H/dg_bypass" tcp-raw 10.77.0.53 53 "ffff$(head -c 65535 /dev/zero | od -An -tx1 | tr -d ' \n')" >/dev/null
dg_run -- "$H/dg_bypass" tcp-raw 10.77.0.53 53 "0005aabbccddee0003112233" >/dev/null
check "truncated, empty and oversized TCP DNS messages do not crash the daemon" kill -0 "$DGD_PID"

# raw bytes straight onto the control socket, as root: no final NUL, a NUL
# alone, an empty key, a field without '=', 70000 random bytes
for hex in 6f703d737461747573 00 3d00 6f7000 "$(head -c 70000 /dev/urandom | od -An -tx1 | tr -d ' \n')"; do
	"$H/dg_bypass" ctl-raw "$TMP/run/control.sock" "$hex" >/dev/null 2>&1
done
check "garbage on the control socket does not crash the daemon" kill -0 "$DGD_PID"
check "... and is logged" log_has 'WARN control: malformed request from pid [0-9]+'
"$H/dg_bypass" ctl-idle "$TMP/run/control.sock" >/dev/null 2>&1
check "a client that connects and sends nothing is dropped" \
	log_has 'WARN control: pid [0-9]+ connected but sent nothing; closed'

out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 allowed.test)
check "after all that, the daemon still answers" has "$out" 'rcode=NOERROR .*answers=10\.77\.0\.1$'
