#!/bin/bash
# make bench: what deployguard costs, each figure against a baseline measured
# in the same run (A and B alternate, so drift hits both), REPS repetitions,
# min/median/max.  Everything runs in a private network namespace: loopback
# addresses of its own, dnsmasq as the resolver, nothing leaves the machine.
#
#   tests/bench/bench.sh [NAME...]   throughput connect latency dns memory scale session
#   REPS=5 (default)                 repetitions per figure
#
# Results: the table on stdout, and build/bench/results.md for BENCHMARKS.md.
DG_DEMO=1
. "$(dirname "$0")/../integration/lib.sh"
dg_begin "$@"

REPS=${REPS:-5}
BB=$B/tests/bench
WANT=("$@")
[ ${#WANT[@]} -eq 0 ] && WANT=(throughput connect latency dns memory scale session)
RESULTS=$DG_SRC/build/bench/results.md
mkdir -p "$(dirname "$RESULTS")"
ROWS=()

want() {
	local w
	for w in "${WANT[@]}"; do [ "$w" = "$1" ] && return 0; done
	return 1
}

# min/median/max of the numbers on stdin
mmm() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "-"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3g/%.3g/%.3g", v[1], m, v[NR] }'
}

median() {
	sort -g | awk '{ v[NR] = $1 } END { if (!NR) { print 0; exit }
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratios of two equally long lists (pair by pair)
ratios() {
	paste -d' ' "$1" "$2" | awk '$2 > 0 { printf "%.4f\n", $1 / $2 }'
}

# row NAME BASELINE_FILE GUARDED_FILE KIND TARGET: KIND is "ratio" (guarded /
# baseline, higher is better: target is a minimum), "ratio-lower" (lower is
# better: target is a maximum) or "abs" (the guarded median against a maximum)
row() {
	local name=$1 a=$2 b=$3 kind=$4 target=${5:-} r verdict med
	case $kind in
	info)
		r=$(ratios "$b" "$a" | mmm)
		verdict=info
		target="-" ;;
	ratio)
		r=$(ratios "$b" "$a" | mmm)
		med=$(ratios "$b" "$a" | median)
		verdict=$(awk -v m="$med" -v t="$target" 'BEGIN { print (m >= t) ? "met" : "MISSED" }')
		target=">= $target" ;;
	ratio-lower)
		r=$(ratios "$b" "$a" | mmm)
		med=$(ratios "$b" "$a" | median)
		verdict=$(awk -v m="$med" -v t="$target" 'BEGIN { print (m <= t) ? "met" : "MISSED" }')
		target="<= $target" ;;
	abs)
		r="-"
		med=$(median <"$b")
		verdict=$(awk -v m="$med" -v t="$target" 'BEGIN { print (m <= t) ? "met" : "MISSED" }')
		target="<= $target" ;;
	esac
	ROWS+=("$name|$(mmm <"$a")|$(mmm <"$b")|$r|$target|$verdict")
	printf '# %-44s %s\n' "$name" "${ROWS[-1]#*|}"
}

note() { ROWS+=("$1|$2|$3|$4|$5|$6"); printf '# %-44s %s\n' "$1" "$2 | $3 | $4 | $5 | $6"; }

dg_write_config "log_level = warn" <<'EOF'
[profile open]
mode = blocklist
block = github.com
[profile strict]
mode = allowlist
allow = allowed.test
allow_cidr = 10.77.0.1/32
[users]
root = open
EOF
dg_start_daemon

# --- TCP bulk throughput ------------------------------------------------------------

if want throughput; then
	echo "# throughput: iperf3 over loopback, 3 s per run"
	iperf3 -s -B 10.77.0.1 -p 5201 -D --pidfile "$TMP/iperf3.pid" >/dev/null 2>&1
	sleep 0.3
	EXTRA_PIDS+=($(cat "$TMP/iperf3.pid"))
	# the admin's alternative: nftables matching the cgroup, with a set of
	# allowed addresses (nft looks cgroups up under /sys/fs/cgroup, so point
	# it at the cgroup2 mount while the rule set loads)
	NFT_CG=dgbench-nft-$$
	mkdir "$CG2/$NFT_CG"
	cat >"$TMP/nft.rules" <<EOF
table inet dgbench {
	set allowed4 { type ipv4_addr; elements = { 10.77.0.1, 10.77.0.53 } }
	chain out {
		type filter hook output priority 0; policy accept;
		socket cgroupv2 level 1 "$NFT_CG" ip daddr != @allowed4 drop
	}
}
EOF
	unshare -m sh -c "mount --bind '$CG2' /sys/fs/cgroup && nft -f '$TMP/nft.rules'"
	nft_run() { sh -c "echo \$\$ >'$CG2/$NFT_CG/cgroup.procs' && exec \"\$@\"" sh "$@"; }
	tp() { "$@" iperf3 -c 10.77.0.1 -p 5201 -t 3 -f m 2>/dev/null | awk '/receiver/ { print $(NF-2) }'; }
	: >"$TMP/tp.base"; : >"$TMP/tp.dg"; : >"$TMP/tp.nft"; : >"$TMP/tp.dgstrict"
	for _ in $(seq "$REPS"); do
		tp env >>"$TMP/tp.base"
		tp dg_run --profile open -- >>"$TMP/tp.dg"
		tp dg_run --profile strict -- >>"$TMP/tp.dgstrict"
		tp nft_run >>"$TMP/tp.nft"
	done
	row "TCP throughput Mbit/s, blocklist session" "$TMP/tp.base" "$TMP/tp.dg" ratio 0.97
	row "TCP throughput Mbit/s, allowlist session" "$TMP/tp.base" "$TMP/tp.dgstrict" ratio 0.97
	row "TCP throughput Mbit/s, nftables cgroupv2+set" "$TMP/tp.base" "$TMP/tp.nft" info
	row "TCP throughput: deployguard vs nftables" "$TMP/tp.nft" "$TMP/tp.dg" info
	nft delete table inet dgbench
	rmdir "$CG2/$NFT_CG"
fi

# --- connect + close rate --------------------------------------------------------------

if want connect; then
	echo "# connect: connect+close to an allowed address, 3 s per run"
	"$BB/dg_loadgen" sink 10.77.0.1 9000 >"$TMP/sink.out" &
	EXTRA_PIDS+=($!)
	sleep 0.3
	cr() { "$@" "$BB/dg_loadgen" connect-rate 10.77.0.1 9000 3 | sed -n 's/^rate=\([0-9]*\).*/\1/p'; }
	: >"$TMP/cr.base"; : >"$TMP/cr.dg"; : >"$TMP/cr.strict"
	for _ in $(seq "$REPS"); do
		cr env >>"$TMP/cr.base"
		cr dg_run --profile open -- >>"$TMP/cr.dg"
		cr dg_run --profile strict -- >>"$TMP/cr.strict"
	done
	row "TCP connect+close/s, blocklist session" "$TMP/cr.base" "$TMP/cr.dg" ratio 0.90
	row "TCP connect+close/s, allowlist session" "$TMP/cr.base" "$TMP/cr.strict" ratio 0.90
fi

# --- how fast a refusal comes back ---------------------------------------------------------

if want latency; then
	echo "# latency: 20000 connects each; baseline: a closed port (ECONNREFUSED)"
	: >"$TMP/lat.base"; : >"$TMP/lat.dg"
	for _ in $(seq "$REPS"); do
		"$BB/dg_loadgen" connect-latency 127.0.0.1 9 20000 | sed -n 's/.*p50=\([0-9.]*\).*/\1/p' >>"$TMP/lat.base"
		dg_run --profile strict -- "$BB/dg_loadgen" connect-latency 10.77.0.2 9 20000 |
			tee -a "$TMP/lat.raw" | sed -n 's/.*p50=\([0-9.]*\).*/\1/p' >>"$TMP/lat.dg"
	done
	grep -q 'errno=EPERM' "$TMP/lat.raw" || echo "# WARNING: the guarded connects did not fail with EPERM"
	row "refused connect p50 us (vs ECONNREFUSED)" "$TMP/lat.base" "$TMP/lat.dg" abs 100
fi

# --- the DNS proxy ---------------------------------------------------------------------------

if want dns; then
	echo "# dns: dnsperf 5 s per run; 40% unique allowed, 40% blocked, 20% repeated names"
	awk 'BEGIN { for (i = 0; i < 100000; i++) printf "b%d.blocked.test\n", i }' >"$TMP/block100k.txt"
	{
		echo "[global]"
		echo "cgroup = $TEST_ID-dns"
		echo "bpffs = /sys/fs/bpf/$TEST_ID-dns"
		echo "run_dir = $TMP/run-dns"
		echo "state_dir = $TMP/state"
		echo "log_level = warn"
		echo "[profile bench]"
		echo "block_file = $TMP/block100k.txt"
		echo "resolve_blocked = no"
		echo "[users]"
		echo "root = bench"
	} >"$TMP/dns.conf"
	dg_stop_daemon
	"$DGD" -c "$TMP/dns.conf" -f >>"$LOG" 2>&1 &
	DGD_PID=$!
	for _ in $(seq 100); do "$DG" -c "$TMP/dns.conf" status >/dev/null 2>&1 && break; sleep 0.1; done
	# the same blocklist in dnsmasq, forwarding the rest to the same upstream
	ip addr add 10.77.0.55/32 dev lo
	{
		echo "no-resolv"; echo "no-hosts"; echo "bind-interfaces"
		echo "listen-address=10.77.0.55"; echo "server=10.77.0.53"
		echo "user=root"; echo "group=root"
		sed 's|.*|address=/&/|' "$TMP/block100k.txt"
	} >"$TMP/fwd.conf"
	dnsmasq --keep-in-foreground --conf-file="$TMP/fwd.conf" --pid-file= >"$TMP/fwd.log" 2>&1 &
	EXTRA_PIDS+=($!)
	for _ in $(seq 100); do "$H/dg_dnsq" -T 200 10.77.0.55 allowed.test >/dev/null 2>&1 && break; sleep 0.1; done
	awk 'BEGIN { srand(42); for (i = 0; i < 50000; i++) { r = rand()
		if (r < 0.4) printf "u%d.allowed.test A\n", i
		else if (r < 0.8) printf "b%d.blocked.test A\n", int(rand() * 100000)
		else printf "r%d.allowed.test A\n", i % 10 } }' >"$TMP/queries.txt"
	cut -d' ' -f1 "$TMP/queries.txt" >"$TMP/names.txt"
	qps() { "$@" dnsperf -s "$QSRV" -d "$TMP/queries.txt" -l 5 -q 100 2>/dev/null |
		sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p'; }
	: >"$TMP/q.direct"; : >"$TMP/q.dg"; : >"$TMP/q.fwd"
	for _ in $(seq "$REPS"); do
		QSRV=10.77.0.53 qps env >>"$TMP/q.direct"
		QSRV=10.77.0.53 qps "$DG" -c "$TMP/dns.conf" run -- >>"$TMP/q.dg"
		QSRV=10.77.0.55 qps env >>"$TMP/q.fwd"
	done
	row "DNS queries/s: proxy vs straight to upstream" "$TMP/q.direct" "$TMP/q.dg" info
	row "DNS queries/s: proxy vs dnsmasq forwarder" "$TMP/q.fwd" "$TMP/q.dg" ratio 1.0
	: >"$TMP/l50.direct"; : >"$TMP/l50.dg"; : >"$TMP/l50.fwd"; : >"$TMP/l99.direct"; : >"$TMP/l99.dg"
	for _ in $(seq "$REPS"); do
		"$BB/dg_loadgen" dns-latency 10.77.0.53 "$TMP/names.txt" 3000 >"$TMP/l.out"
		sed -n 's/^p50=\([0-9.]*\) p99=\([0-9.]*\).*/\1/p' "$TMP/l.out" >>"$TMP/l50.direct"
		sed -n 's/^p50=\([0-9.]*\) p99=\([0-9.]*\).*/\2/p' "$TMP/l.out" >>"$TMP/l99.direct"
		"$DG" -c "$TMP/dns.conf" run -- "$BB/dg_loadgen" dns-latency 10.77.0.53 "$TMP/names.txt" 3000 >"$TMP/l.out"
		sed -n 's/^p50=\([0-9.]*\) p99=\([0-9.]*\).*/\1/p' "$TMP/l.out" >>"$TMP/l50.dg"
		sed -n 's/^p50=\([0-9.]*\) p99=\([0-9.]*\).*/\2/p' "$TMP/l.out" >>"$TMP/l99.dg"
		"$BB/dg_loadgen" dns-latency 10.77.0.55 "$TMP/names.txt" 3000 |
			sed -n 's/^p50=\([0-9.]*\).*/\1/p' >>"$TMP/l50.fwd"
	done
	paste -d' ' "$TMP/l50.dg" "$TMP/l50.direct" | awk '{ print $1 - $2 }' >"$TMP/l50.added"
	row "DNS p50 us: proxy vs straight to upstream" "$TMP/l50.direct" "$TMP/l50.dg" info
	row "DNS p50 us added by the proxy" "$TMP/l50.direct" "$TMP/l50.added" abs 50
	row "DNS p99 us: proxy vs straight to upstream" "$TMP/l99.direct" "$TMP/l99.dg" info
	row "DNS p50 us: proxy vs dnsmasq forwarder" "$TMP/l50.fwd" "$TMP/l50.dg" info
	dg_stop_daemon
	"$DGD" -c "$TMP/dns.conf" --uninstall >/dev/null 2>&1
	rmdir "$CG2/$TEST_ID-dns" 2>/dev/null
	dg_start_daemon
fi

# --- daemon memory and load time -----------------------------------------------------------

if want memory; then
	echo "# memory: daemon RSS with large blocklists; time to load them"
	awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "host%d-%x.example%d.com\n", i, (i * 2654435761) % 4294967296, i % 97 }' >"$TMP/list1m.txt"
	head -100000 "$TMP/list1m.txt" >"$TMP/list100k.txt"
	rss_with() {	# RSS in MiB of a daemon running on config $1
		local pid rss
		"$DGD" -c "$1" -f >>"$LOG" 2>&1 &
		pid=$!
		for _ in $(seq 300); do "$DG" -c "$1" status >/dev/null 2>&1 && break; sleep 0.1; done
		rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
		kill "$pid"; wait "$pid" 2>/dev/null
		"$DGD" -c "$1" --uninstall >/dev/null 2>&1
		echo "$rss"
	}
	memconf() {	# memconf NAME LISTFILE: its own cgroup, pins and proxy port
		{
			echo "[global]"; echo "cgroup = $TEST_ID-$1"; echo "bpffs = /sys/fs/bpf/$TEST_ID-$1"
			echo "proxy_port = $((11000 + ${#1}))"
			echo "run_dir = $TMP/run-$1"; echo "state_dir = $TMP/state"
			echo "[profile p]"
			[ -n "$2" ] && echo "block_file = $2" || echo "block = github.com"
			echo "resolve_blocked = no"
		} >"$TMP/$1.conf"
		echo "$TMP/$1.conf"
	}
	: >"$TMP/rss.base"; : >"$TMP/rss.100k"; : >"$TMP/rss.1m"
	for _ in $(seq 3); do
		rss_with "$(memconf small "")" >>"$TMP/rss.base"
		rss_with "$(memconf m100k "$TMP/list100k.txt")" >>"$TMP/rss.100k"
		rss_with "$(memconf m1m "$TMP/list1m.txt")" >>"$TMP/rss.1m"
	done
	rmdir "$CG2/$TEST_ID-small" "$CG2/$TEST_ID-m100k" "$CG2/$TEST_ID-m1m" 2>/dev/null
	row "daemon RSS MiB, 100,000 names (vs 1 name)" "$TMP/rss.base" "$TMP/rss.100k" abs 16
	row "daemon RSS MiB, 1,000,000 names (vs 1 name)" "$TMP/rss.base" "$TMP/rss.1m" info
	loadtime() { /usr/bin/time -f %e "$DGD" --check -c "$1" 2>&1 >/dev/null | tail -1; }
	: >"$TMP/lt.base"; : >"$TMP/lt.1m"
	for _ in $(seq "$REPS"); do
		loadtime "$TMP/small.conf" >>"$TMP/lt.base"
		loadtime "$TMP/m1m.conf" >>"$TMP/lt.1m"
	done
	row "load 1,000,000 names s (vs 1 name)" "$TMP/lt.base" "$TMP/lt.1m" abs 1
	"$BB/dg_matchbench" 1000 100000 1000000 >"$TMP/match.out"
	read -r n1 n2 n3 < <(sed -n 's/.*ns_per_lookup=\([0-9.]*\).*/\1/p' "$TMP/match.out" | tr '\n' ' ')
	note "name lookup ns (1k / 100k / 1M names)" "$n1" "$n2 / $n3" \
		"$(awk -v a="$n1" -v b="$n3" 'BEGIN { printf "%.2f", b / a }')" "hash, no scan" \
		"$(awk -v a="$n1" -v b="$n3" 'BEGIN { print (b / a < 5) ? "met" : "MISSED" }')"
fi

# --- many sessions ---------------------------------------------------------------------------

if want scale; then
	echo "# scale: 1000 concurrent sessions; the learned-address map past capacity"
	mkdir -p "$TMP/marks"
	start=$(date +%s.%N)
	pids=()
	for i in $(seq 1000); do
		"$DG" -c "$CONF" run -- sh -c "touch $TMP/marks/$i; exec sleep 8" >/dev/null 2>&1 &
		pids+=($!)
	done
	# every session's command has started: all 1000 are open at once
	for _ in $(seq 1200); do
		[ "$(find "$TMP/marks" -type f | wc -l)" -ge 1000 ] && break
		sleep 0.1
	done
	opened=$(date +%s.%N)
	n=$("$DG" -c "$CONF" status --json | sed -n 's/.*"sessions":\([0-9]*\).*/\1/p')
	failed=0
	for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
	sleep 1
	left=$("$DG" -c "$CONF" status --json | sed -n 's/.*"sessions":\([0-9]*\).*/\1/p')
	cgs=$(find "$CG2/$TEST_ID" -mindepth 1 -maxdepth 1 -type d | wc -l)
	note "1000 concurrent sessions" "${n:-?} open at once" \
		"$(awk -v a="$start" -v b="$opened" 'BEGIN { printf "%.1f s to open all", b - a }')" \
		"failed=$failed left=${left:-?} cgroups=$cgs" "all open and close" \
		"$([ "${n:-0}" -ge 1000 ] && [ "$failed" = 0 ] && [ "${left:-1}" = 0 ] && [ "$cgs" = 0 ] && echo met || echo MISSED)"
	out=$("$BB/dg_mapfill" "/sys/fs/bpf/$TEST_ID/dg_learned" 20000)
	okc=$(dg_run --profile strict -- sh -c "getent ahostsv4 allowed.test >/dev/null; exec $H/dg_connect 10.77.0.1 8080")
	note "learned map at capacity (+20000)" "$out" "${okc%% *}" "LRU" "newest kept, lookups work" \
		"$(printf '%s %s' "$out" "$okc" | awk '/failed=0/ && /connect=ok/ { split($0, a, "newest_kept="); split(a[2], b, "/"); print (b[1] == b[2] + 0) ? "met" : "MISSED"; exit } { print "MISSED" }')"
fi

# --- opening a session through PAM and sudo -----------------------------------------------------

if want session; then
	echo "# session: PAM open+close (pamtester) and sudo -u, with and without deployguard"
	# a designated user, a PAM service and a sudo.conf of our own, visible only
	# in this benchmark's mount namespace
	BUSER=dgbench$$
	uid=61000
	while getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null; do uid=$((uid + 1)); done
	cp /etc/passwd "$TMP/passwd"; cp /etc/group "$TMP/group"
	echo "$BUSER:x:$uid:$uid::/nonexistent:/usr/sbin/nologin" >>"$TMP/passwd"
	echo "$BUSER:x:$uid:" >>"$TMP/group"
	mount --bind "$TMP/passwd" /etc/passwd
	mount --bind "$TMP/group" /etc/group
	cp -a /etc/pam.d "$TMP/pam.d"
	printf 'auth required pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\n' \
		>"$TMP/pam.d/dgbench-plain"
	printf 'auth required pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\nsession required %s socket=%s\n' \
		"$B/pam_deployguard.so" "$TMP/run/control.sock" >"$TMP/pam.d/dgbench-guard"
	mount --bind "$TMP/pam.d" /etc/pam.d
	printf 'Plugin sudoers_policy sudoers.so\nPlugin sudoers_io sudoers.so\nPlugin sudoers_audit sudoers.so\n' \
		>"$TMP/sudo.plain"
	{ cat "$TMP/sudo.plain"; echo "Plugin deployguard_io $B/deployguard_sudo.so socket=$TMP/run/control.sock"; } \
		>"$TMP/sudo.guard"
	dg_write_config "log_level = warn" <<EOF
[profile open]
mode = blocklist
block = github.com
[profile bench]
block = github.com
[users]
root = open
$BUSER = bench
EOF
	"$DG" -c "$CONF" reload >/dev/null || echo "# WARNING: reload failed"
	# A and B alternate run by run (drift hits both), 30 runs each a rep;
	# each rep gives one median (ms) per side
	ab_medians() {	# ab_medians OUT_A OUT_B SETUP_A SETUP_B -- COMMAND...
		local outa=$1 outb=$2 seta=$3 setb=$4 t0 t1
		shift 5
		for _ in $(seq 30); do
			$seta; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
			echo "a $(((t1 - t0) / 1000))"
			$setb; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
			echo "b $(((t1 - t0) / 1000))"
		done >"$TMP/ab.raw"
		sed -n 's/^a //p' "$TMP/ab.raw" | median | awk '{ printf "%.3f\n", $1 / 1000 }' >>"$outa"
		sed -n 's/^b //p' "$TMP/ab.raw" | median | awk '{ printf "%.3f\n", $1 / 1000 }' >>"$outb"
	}
	pam_plain() { PAMSVC=dgbench-plain; }
	pam_guard() { PAMSVC=dgbench-guard; }
	pam_once() { pamtester "$PAMSVC" "$BUSER" open_session close_session; }
	sudo_plain() { cp "$TMP/sudo.plain" "$TMP/sudo.cur"; }
	sudo_guard() { cp "$TMP/sudo.guard" "$TMP/sudo.cur"; }
	cp "$TMP/sudo.plain" "$TMP/sudo.cur"
	mount --bind "$TMP/sudo.cur" /etc/sudo.conf
	: >"$TMP/pam.plain"; : >"$TMP/pam.guard"; : >"$TMP/pam.added"
	: >"$TMP/sudo.p"; : >"$TMP/sudo.g"
	for _ in $(seq "$REPS"); do
		ab_medians "$TMP/pam.plain" "$TMP/pam.guard" pam_plain pam_guard -- pam_once
		ab_medians "$TMP/sudo.p" "$TMP/sudo.g" sudo_plain sudo_guard -- sudo -u "$BUSER" true
	done
	paste -d' ' "$TMP/pam.guard" "$TMP/pam.plain" | awk '{ printf "%.3f\n", $1 - $2 }' >"$TMP/pam.added"
	opened() { "$DG" -c "$CONF" status --json | sed -n 's/.*"sessions_opened":\([0-9]*\).*/\1/p'; }
	before=$(opened)
	pamtester dgbench-guard "$BUSER" open_session close_session >/dev/null 2>&1
	sudo_guard
	sudo -u "$BUSER" true
	umount /etc/sudo.conf
	[ "$(opened)" = $((before + 2)) ] ||
		echo "# WARNING: PAM and sudo did not open a session each ($before -> $(opened))"
	# what the kernel charges for moving a process into a cgroup, which
	# every PAM and sudo session opener does once: read the two rows above
	# against it
	mkdir "$CG2/$TEST_ID-mig"
	: >"$TMP/mig.us"
	for _ in $(seq "$REPS"); do
		"$BB/dg_loadgen" cgroup-migrate "$CG2/$TEST_ID-mig" "$CG2" 20 |
			sed -n 's/^p50=\([0-9.]*\).*/\1/p' >>"$TMP/mig.us"
	done
	rmdir "$CG2/$TEST_ID-mig"
	note "kernel: one cgroup migration, us" "-" "$(mmm <"$TMP/mig.us")" "-" "-" info
	row "PAM open+close ms added (pamtester)" "$TMP/pam.plain" "$TMP/pam.added" abs 5
	row "sudo -u designated true, ms" "$TMP/sudo.p" "$TMP/sudo.g" ratio-lower 1.10
fi

# a figure measured against a dead daemon means nothing: say so, loudly
if [ -n "$DGD_PID" ] && ! kill -0 "$DGD_PID" 2>/dev/null; then
	echo "# ERROR: deployguardd died during the benchmarks; its log ends:"
	grep -v '^DEBUG' "$LOG" | tail -n 20 | sed 's/^/#   /'
	BENCH_FAILED=1
fi

# --- the table ------------------------------------------------------------------------------------

{
	echo "| benchmark | baseline min/med/max | deployguard min/med/max | ratio min/med/max | target | |"
	echo "| --- | --- | --- | --- | --- | --- |"
	for r in "${ROWS[@]}"; do echo "| ${r//|/ | } |"; done
} >"$RESULTS"
echo
column -t -s'|' <<<"$(printf '%s\n' "benchmark|baseline|deployguard|ratio|target|" "${ROWS[@]}")"
echo
echo "(each figure min/median/max over $REPS runs; written to ${RESULTS#$DG_SRC/})"
[ -z "${BENCH_FAILED:-}" ] || exit 1
