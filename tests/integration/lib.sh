# shellcheck shell=bash
#
# Shared setup for the integration tests.  A test file sources this, calls
# dg_begin (which re-executes it inside new network and mount namespaces),
# and gets:
#
#   - loopback addresses of its own: 10.77.0.1, .2 (HTTP servers), .9 (what
#     github.com resolves to), .53 (the resolver), fd77::1/2/9/53 likewise;
#   - Debian's dnsmasq on 10.77.0.53 / fd77::53 as the upstream resolver, and
#     /etc/resolv.conf pointing at it (bind mount, private to the namespace);
#   - dg_httpd on port 8080 of .1, .2 and .9;
#   - dg_start_daemon: a deployguardd with its own cgroup root, bpffs
#     directory and run dir, logging to $TMP/daemon.log.
#
# Nothing leaves the namespace: the only traffic is to these addresses.
# Everything global (cgroups, bpffs pins, processes) is undone on exit,
# also when the test fails or is interrupted.

set -u

DG_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${DG_BUILD:-$DG_SRC/build}
DG=$B/deployguard
DGD=$B/deployguardd
H=$B/tests

TESTS_RUN=0
TESTS_FAILED=0
DGD_PID=
DNSMASQ_PID=
HTTPD_PID=
EXTRA_PIDS=()
TEST_ID=dgtest-$$

# Re-run the calling script inside new network + mount namespaces.
dg_begin() {
	if [ "$(id -u)" != 0 ]; then
		echo "Bail out! integration tests must run as root"
		exit 1
	fi
	if [ -z "${DG_IN_NS:-}" ]; then
		export DG_IN_NS=1
		exec unshare --net --mount --propagation private -- bash "$0" "$@"
	fi
	TMP=$(mktemp -d /tmp/dgtest.XXXXXX)
	chmod 755 "$TMP"
	CONF=$TMP/deployguard.conf
	LOG=$TMP/daemon.log
	CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	trap dg_cleanup EXIT
	trap 'exit 130' INT TERM
	dg_setup_network
	dg_start_dnsmasq
	dg_start_httpd
}

dg_setup_network() {
	ip link set lo up
	for a in 1 2 9 53; do
		ip addr add "10.77.0.$a/32" dev lo
		ip -6 addr add "fd77::$a/128" dev lo nodad
	done
	echo "nameserver 10.77.0.53" >"$TMP/resolv.conf"
	mount --bind "$TMP/resolv.conf" /etc/resolv.conf
	# sudo looks up the host's own name: answer it here, not in dnsmasq
	printf '127.0.0.1 localhost\n::1 localhost\n127.0.1.1 %s\n' "$(hostname)" >"$TMP/hosts"
	mount --bind "$TMP/hosts" /etc/hosts
	# an installed deployguard's config must not leak into a test that
	# means "no config file"
	if [ -d /etc/deployguard ]; then
		mkdir -p "$TMP/etc-deployguard"
		mount --bind "$TMP/etc-deployguard" /etc/deployguard
	fi
	# a host without bpffs (systemd mounts it at boot; not every host runs
	# systemd): give this namespace one of its own, which goes with it
	if [ "$(stat -f -c %T /sys/fs/bpf)" != bpf_fs ]; then
		mount -t bpf bpf /sys/fs/bpf
	fi
}

# Extra dnsmasq arguments may be set in DNSMASQ_EXTRA before dg_begin.
dg_start_dnsmasq() {
	# shellcheck disable=SC2086
	dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
		--listen-address=10.77.0.53 --listen-address=fd77::53 --port=53 \
		--user=root --group=root --pid-file= --log-queries --log-facility=- \
		--local-ttl="${DNS_TTL:-30}" \
		--address=/allowed.test/10.77.0.1 --address=/allowed.test/fd77::1 \
		--address=/other.test/10.77.0.2 --address=/other.test/fd77::2 \
		--address=/github.com/10.77.0.9 --address=/github.com/fd77::9 \
		--address=/githubusercontent.com/10.77.0.9 \
		--address=/evilgithub.com/10.77.0.2 \
		--host-record=cdn.github.com,10.77.0.9 \
		--host-record=cdn.allowed.test,10.77.0.1 \
		--cname=rel.cname.test,cdn.github.com \
		--cname=ok.cname.test,cdn.allowed.test \
		--txt-record=big.allowed.test,"$(printf '%0200d' 1)" \
		--txt-record=big.allowed.test,"$(printf '%0200d' 2)" \
		--txt-record=big.allowed.test,"$(printf '%0200d' 3)" \
		--txt-record=big.allowed.test,"$(printf '%0200d' 4)" \
		${DNSMASQ_EXTRA:-} >"$TMP/dnsmasq.log" 2>&1 &
	DNSMASQ_PID=$!
	for _ in $(seq 50); do
		if "$H/dg_dnsq" -T 200 10.77.0.53 allowed.test >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	echo "Bail out! dnsmasq did not come up"
	cat "$TMP/dnsmasq.log"
	exit 1
}

dg_start_httpd() {
	"$H/dg_httpd" 10.77.0.1 8080 10.77.0.2 8080 10.77.0.9 8080 \
		fd77::1 8080 fd77::2 8080 fd77::9 8080 >"$TMP/httpd.log" 2>&1 &
	HTTPD_PID=$!
	for _ in $(seq 50); do
		grep -q ready "$TMP/httpd.log" && return 0
		sleep 0.1
	done
	echo "Bail out! dg_httpd did not come up"
	exit 1
}

# dg_write_config [GLOBAL_LINES] -- appends profiles/users from stdin.
dg_write_config() {
	# session ids of their own: the audit log outlives test runs, and a
	# run that was interrupted must not lend its sessions to the next one
	if [ ! -e "$TMP/state/last-session-id" ]; then
		mkdir -p "$TMP/state"
		echo $(( ($$ % 200000) * 10000 )) >"$TMP/state/last-session-id"
	fi
	{
		echo "[global]"
		echo "cgroup = $TEST_ID"
		echo "bpffs = /sys/fs/bpf/$TEST_ID"
		echo "run_dir = $TMP/run"
		echo "state_dir = $TMP/state"
		echo "log_level = debug"
		[ $# -gt 0 ] && printf '%s\n' "$@"
		cat
	} >"$CONF"
}

dg_start_daemon() {
	"$DGD" -c "$CONF" -f >>"$LOG" 2>&1 &
	DGD_PID=$!
	for _ in $(seq 100); do
		if "$DG" -c "$CONF" status >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$DGD_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "Bail out! deployguardd did not start"
	tail -n 30 "$LOG"
	exit 1
}

dg_stop_daemon() {
	if [ -n "$DGD_PID" ]; then
		kill "$DGD_PID" 2>/dev/null
		wait "$DGD_PID" 2>/dev/null
		DGD_PID=
	fi
}

dg_run() {
	"$DG" -c "$CONF" run "$@"
}

dg_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for p in "${EXTRA_PIDS[@]}" $HTTPD_PID $DNSMASQ_PID; do
		kill "$p" 2>/dev/null
	done
	dg_stop_daemon
	# anything still running in our sessions: end it, then lift our guard
	if [ -n "${CG2:-}" ] && [ -d "$CG2/$TEST_ID" ]; then
		for k in "$CG2/$TEST_ID"/*/cgroup.kill; do
			[ -e "$k" ] && echo 1 >"$k" 2>/dev/null
		done
		sleep 0.2
	fi
	"$DGD" -c "$CONF" --uninstall >/dev/null 2>&1
	# $TEST_ID-* : extra daemons a test (or the benchmarks) ran
	rm -rf "/sys/fs/bpf/$TEST_ID" "/sys/fs/bpf/$TEST_ID"-*
	for cg in "$CG2/$TEST_ID" "$CG2/$TEST_ID"-*; do
		if [ -n "${CG2:-}" ] && [ -d "$cg" ]; then
			for k in "$cg"/*/cgroup.kill; do
				[ -e "$k" ] && echo 1 >"$k" 2>/dev/null
			done
			find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
		fi
	done
	# resource limits on hybrid hosts: the sessions' cgroups in v1 hierarchies
	for m in $(awk '$3 == "cgroup" { print $2 }' /proc/self/mounts); do
		for cg in "$m/$TEST_ID" "$m/$TEST_ID"-*; do
			[ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
		done
	done
	wait 2>/dev/null
	if [ -z "${DG_DEMO:-}" ] && { [ "$TESTS_FAILED" -gt 0 ] || [ "$rc" != 0 ]; }; then
		echo "# --- daemon log (last 60 lines) ---"
		tail -n 60 "$LOG" 2>/dev/null | sed 's/^/# /'
	fi
	[ -n "${TMP:-}" ] && rm -rf "$TMP"
	[ -n "${DG_DEMO:-}" ] && exit "$rc"
	echo "1..$TESTS_RUN"
	if [ "$TESTS_FAILED" -gt 0 ]; then
		exit 1
	fi
	exit "$rc"
}

# --- assertions (TAP) ------------------------------------------------------------

ok() {
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN - $*"
}

not_ok() {
	TESTS_RUN=$((TESTS_RUN + 1))
	TESTS_FAILED=$((TESTS_FAILED + 1))
	echo "not ok $TESTS_RUN - $*"
}

# check DESCRIPTION COMMAND... : passes when COMMAND succeeds
check() {
	local desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
}

# has TEXT PATTERN : extended regex match, explaining a miss
has() {
	if printf '%s\n' "$1" | grep -qE -- "$2"; then
		return 0
	fi
	echo "# expected /$2/ in:"
	printf '%s\n' "$1" | sed 's/^/#   /'
	return 1
}

hasnt() {
	if printf '%s\n' "$1" | grep -qE -- "$2"; then
		echo "# unexpected /$2/ in:"
		printf '%s\n' "$1" | sed 's/^/#   /'
		return 1
	fi
	return 0
}

# log_has PATTERN : the daemon logged a line matching PATTERN (waits up to 5s)
log_has() {
	for _ in $(seq 50); do
		grep -qE -- "$1" "$LOG" && return 0
		sleep 0.1
	done
	echo "# no daemon log line matches /$1/"
	return 1
}

log_hasnt() {
	sleep 0.3
	if grep -E -- "$1" "$LOG"; then
		echo "# the daemon log should not match /$1/"
		return 1
	fi
	return 0
}

# eq GOT WANT
eq() {
	[ "$1" = "$2" ] && return 0
	echo "# got '$1', want '$2'"
	return 1
}

# gone PID : the process no longer runs (reaped, or a zombie awaiting init)
gone() {
	[ ! -e "/proc/$1" ] && return 0
	grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null && return 0
	echo "# process $1 is still running: $(tr '\0' ' ' <"/proc/$1/cmdline")"
	return 1
}

# us_below OUTPUT LIMIT : the "us=N" in OUTPUT is below LIMIT
us_below() {
	local us
	us=$(printf '%s\n' "$1" | sed -n 's/.* us=\([0-9]*\).*/\1/p')
	[ -n "$us" ] && [ "$us" -lt "$2" ] && return 0
	echo "# took ${us:-?} us, expected < $2"
	return 1
}
