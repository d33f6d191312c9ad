#!/bin/bash
# Resource limits of deploy sessions, on the real kernel: a memory hog is
# OOM-killed inside its session while everything outside survives; a fork
# bomb stops at pids_max; a CPU burner is held to its quota; the limits are
# shown by `deployguard sessions`; bad values are config errors at their
# line; a limit that cannot be applied refuses the session or is reported
# (limits_unavailable), never silently dropped.  On hybrid hosts the session
# also lives in v1 cgroups, which every opener joins and which are removed
# with the session.  Every cgroup created, v1 and v2, is gone at the end.
. "$(dirname "$0")/../integration/lib.sh"
dg_begin "$@"

NCPU=$(getconf _NPROCESSORS_ONLN)
V1_MOUNTS=$(awk '$3 == "cgroup" { print $2 }' /proc/self/mounts)

# v1_mount CONTROLLER: where its v1 hierarchy is mounted ("" if none)
v1_mount() {
	awk -v c="$1" '$3 == "cgroup" { n = split($4, o, ","); for (i = 1; i <= n; i++)
		if (o[i] == c) { print $2; exit } }' /proc/self/mounts
}

# in_v2 CONTROLLER: the unified hierarchy offers it
in_v2() {
	grep -qw "$1" "$CG2/cgroup.controllers"
}

# knob ID FILE...: the first of the session's cgroup files that exists, v2 or v1
knob() {
	local id=$1 f d
	shift
	for f in "$@"; do
		for d in "$CG2/$TEST_ID" $(for m in $V1_MOUNTS; do echo "$m/$TEST_ID"; done); do
			if [ -e "$d/s$id/$f" ]; then
				cat "$d/s$id/$f"
				return 0
			fi
		done
	done
	echo "# session $id has none of: $*" >&2
	return 1
}

# session_dirs ID: the session's cgroup directories that exist, v2 and v1
session_dirs() {
	local d
	for d in "$CG2/$TEST_ID" $(for m in $V1_MOUNTS; do echo "$m/$TEST_ID"; done); do
		[ -d "$d/s$1" ] && echo "$d/s$1"
	done
}

# session_id CMD_REGEX: the id of the last session opened for that command
# (waits up to 5s for it to open)
session_id() {
	local id
	for _ in $(seq 50); do
		id=$(sed -En "s#.*SESSION OPEN session=([0-9]+) .*cmd=\"?$1\"? .*#\1#p" "$LOG" |
			tail -n 1)
		if [ -n "$id" ]; then
			echo "$id"
			return 0
		fi
		sleep 0.1
	done
	echo "# no session opened for /$1/" >&2
}

# wait_listed ID: `deployguard sessions` lists the session
wait_listed() {
	for _ in $(seq 50); do
		"$DG" -c "$CONF" sessions --json | grep -q "\"session\":$1," && return 0
		sleep 0.1
	done
	echo "# session $1 was never listed"
	return 1
}

# wait_ended ID: the daemon logged the session's end
wait_ended() {
	log_has "SESSION CLOSE session=$1 "
}

# between X LO HI: LO <= X <= HI (decimals)
between() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }' &&
		return 0
	echo "# $1 is not within [$2, $3]"
	return 1
}

# --- configuration errors ---------------------------------------------------------

cat >"$TMP/bad.conf" <<'EOF'
[global]
limits_unavailable = sometimes
[profile default]
memory_max = 64MB
memory_high = 100
cpu_max = 150%
cpu_max = 500 100000
pids_max = 0
io_weight = 20000
[profile other]
memory_max = 1G
memory_high = 2G
EOF
out=$("$DGD" --check -c "$TMP/bad.conf" 2>&1)
check "--check fails on bad limits" test $? -ne 0
check "limits_unavailable: FILE:LINE" has "$out" "^$TMP/bad.conf:2: limits_unavailable must be refuse or warn, not 'sometimes'"
check "a size with a bad suffix: FILE:LINE" has "$out" "^$TMP/bad.conf:4: memory_max must be a size like 512M or 2G .*not '64MB'"
check "a size below 1M: FILE:LINE" has "$out" "^$TMP/bad.conf:5: memory_high must be between 1M and "
check "a percentage above 100: FILE:LINE" has "$out" "^$TMP/bad.conf:6: cpu_max out of range: .*not '150%'"
check "a quota below 1000us: FILE:LINE" has "$out" "^$TMP/bad.conf:7: cpu_max out of range: .*not '500 100000'"
check "pids_max 0: FILE:LINE" has "$out" "^$TMP/bad.conf:8: pids_max must be 1\.\.4194304 or max, not '0'"
check "io_weight out of range: FILE:LINE" has "$out" "^$TMP/bad.conf:9: io_weight must be 1\.\.10000, not '20000'"
check "memory_high above memory_max: the profile's line" has "$out" "^$TMP/bad.conf:10: profile 'other': memory_high \(2G\) is above memory_max \(1G\)"
check "every limit error is reported" eq "$(printf '%s\n' "$out" | grep -c "^$TMP/bad.conf:")" 8

# --- the daemon ---------------------------------------------------------------------

dg_write_config <<'EOF'
[profile default]
memory_max = 64M
pids_max = 16
[profile cpu]
cpu_max = 20000 100000
[profile share]
memory_max = 96M
cpu_max = 25%
pids_max = 64
[profile io]
io_weight = 50
[profile high]
memory_high = 32M
[users]
root = default
EOF
dg_start_daemon
out=$("$DG" -c "$CONF" status)
check "status shows each profile's limits" has "$out" 'profile: +share .* memory_max=96M cpu_max=25% pids_max=64$'
check "status says where the controllers are" has "$out" 'limits: +controllers memory=v[12] cpu=v[12] pids=v[12] io=(v[12]|none); limits_unavailable = refuse'

# --- openers join every cgroup of the session -----------------------------------------

out=$(dg_run -- cat /proc/self/cgroup)
id=$(session_id 'cat /proc/self/cgroup')
check "the command runs in the session's v2 cgroup" has "$out" "^0::/$TEST_ID/s$id\$"
for c in memory pids; do
	if in_v2 "$c"; then
		check "$c is limited through cgroup v2 here" has "$(cat "$CG2/$TEST_ID/cgroup.subtree_control")" "\\b$c\\b"
	elif [ -n "$(v1_mount "$c")" ]; then
		check "hybrid host: the command also runs in the session's v1 $c cgroup" \
			has "$out" "^[0-9]+:([a-z_]+,)*$c(,[a-z_]+)*:/$TEST_ID/s$id\$"
	else
		not_ok "this host has no $c controller at all: the default profile cannot run"
	fi
done
check "a session with limits logs them when it opens" \
	log_has "SESSION OPEN session=$id .*memory_max=64M pids_max=16"
check "... and ends with what it used" \
	log_has "SESSION CLOSE session=$id .*exit=0 .*cpu_usec=[0-9]+"
check "... and its cgroups, v1 and v2, are removed" eq "$(session_dirs "$id")" ""

# --- deployguard sessions shows the limits ---------------------------------------------

"$DG" -c "$CONF" run --profile share -- sleep 31 &
RUN_PID=$!
id=$(session_id 'sleep 31')
wait_listed "$id"
json=$("$DG" -c "$CONF" sessions --json)
text=$("$DG" -c "$CONF" sessions)
quota=$((25 * NCPU * 1000))
check "sessions: the limits under the session's row" \
	has "$text" "^ +limits: memory_max=96M cpu_max=$quota/100000 pids_max=64\$"
check "sessions: what it used so far" has "$text" '^ +usage: .*cpu=[0-9.]+s'
check "sessions --json: limits as numbers" \
	has "$json" "\"session\":$id,.*\"memory_max\":100663296,\"cpu_max\":\"$quota/100000\",\"pids_max\":64"
if [ -n "$(v1_mount memory)" ] && ! in_v2 memory; then
	check "sessions --json: the v1 cgroups as an array" \
		has "$json" "\"cgroup_v1\":\\[\"[^]]*/$TEST_ID/s$id\""
	check "sessions: the v1 cgroups under the session's row" has "$text" "^ +cgroup v1: .*/$TEST_ID/s$id"
fi
check "the memory limit is in the kernel" \
	eq "$(knob "$id" memory.max memory.limit_in_bytes)" 100663296
check "the task limit is in the kernel" eq "$(knob "$id" pids.max)" 64
check "cpu_max = 25% is a quarter of all $NCPU CPUs" \
	eq "$(knob "$id" cpu.max cpu.cfs_quota_us | awk '{ print $1 }')" "$quota"
kill "$RUN_PID"
wait "$RUN_PID"
check "the session ends" wait_ended "$id"
check "... and leaves no cgroup behind, v1 or v2" eq "$(session_dirs "$id")" ""

# --- a memory hog is OOM-killed inside its session -------------------------------------

out=$(dg_run -- "$H/dg_hog" mem 512 2>&1)
rc=$?
id=$(session_id '.*dg_hog mem 512')
check "the memory hog is killed by SIGKILL (run exits 137)" eq "$rc" 137
check "... before it got its 512 MiB" hasnt "$out" 'allocated='
check "the kernel's OOM killer did it, inside the session" \
	log_has "SESSION CLOSE session=$id .*signal=9 .*oom_kills=[1-9]"
peak=$(sed -n "s/.*SESSION CLOSE session=$id .*memory_peak=\([0-9]*\).*/\1/p" "$LOG")
check "the session's peak memory is its limit, not 512 MiB" between "${peak:-}" 33554432 67108864
check "the test process and the daemon survive" kill -0 $$ "$DGD_PID"
out=$(dg_run -- echo still here)
check "the next session runs normally" eq "$out" "still here"

# --- a fork bomb stops at pids_max -----------------------------------------------------

# at most 200 fork() calls in all, children live 20s at most: harmless even unlimited
out=$(timeout --kill-after=5 60 "$DG" -c "$CONF" run -- "$H/dg_hog" fork 200 20)
check "the fork bomb ran to its end" has "$out" '^forked=[0-9]+ eagain=[0-9]+ other=0$'
forked=$(printf '%s\n' "$out" | sed -n 's/^forked=\([0-9]*\).*/\1/p')
eagain=$(printf '%s\n' "$out" | sed -n 's/.* eagain=\([0-9]*\).*/\1/p')
check "it got up to pids_max tasks (16, itself included)" between "${forked:-}" 1 15
check "... and then fork() failed with EAGAIN" between "${eagain:-}" 1 200
id=$(session_id '.*dg_hog fork 200 20')
check "the session ended, bomb and all" wait_ended "$id"

# --- a CPU burner is held to its quota -------------------------------------------------

out=$(dg_run --profile cpu -- "$H/dg_hog" cpu 3)
id=$(session_id '.*dg_hog cpu 3')
ratio=$(printf '%s\n' "$out" | sed -n 's/.* ratio=\([0-9.]*\)$/\1/p')
# a fifth of a CPU, so that even a burner slowed down by a busy machine
# would be seen to get more than that without the quota
check "cpu_max = 20000 100000 holds a CPU burner to about a fifth of a CPU" \
	between "${ratio:-}" 0.1 0.3
cpu_ms=$(printf '%s\n' "$out" | sed -n 's/^cpu_ms=\([0-9]*\) .*/\1/p')
usec=$(sed -n "s/.*SESSION CLOSE session=$id .*cpu_usec=\([0-9]*\).*/\1/p" "$LOG")
check "the session's CPU time in the log is what the burner used" \
	between "$((${usec:-0} / 1000))" "$((${cpu_ms:-0} * 9 / 10))" "$((${cpu_ms:-0} * 11 / 10 + 100))"

# --- io_weight: in force, or refused; never silently dropped ---------------------------

out=$(dg_run --profile io -- true 2>&1)
if [ $? -eq 0 ]; then
	id=$(session_id 'true')
	check "io_weight is applied" log_has "SESSION OPEN session=$id .*io_weight=50"
else
	check "io_weight cannot be applied here: the session is refused and says why" \
		has "$out" "io_weight = 50 cannot be applied: .*\(limits_unavailable = refuse\)"
fi

# --- memory_high: cgroup v1 has no equivalent --------------------------------------------

if in_v2 memory; then
	out=$(dg_run --profile high -- cat /proc/self/cgroup)
	id=$(sed -n "s|^0::/$TEST_ID/s\([0-9]*\)$|\1|p" <<<"$out")
	check "memory_high is applied through cgroup v2" log_has "SESSION OPEN session=$id .*memory_high=32M"
else
	before=$(ls -d "$CG2/$TEST_ID"/s* $(for m in $V1_MOUNTS; do echo "$m/$TEST_ID/s*"; done) 2>/dev/null)
	out=$(dg_run --profile high -- echo ran 2>&1)
	check "v1 memory: a memory_high session is refused by default" test $? -ne 0
	check "... with the reason" has "$out" "memory_high = 32M cannot be applied: the memory controller is a cgroup v1 hierarchy here, which has no memory\.high \(limits_unavailable = refuse\)"
	check "... nothing ran" hasnt "$out" '^ran$'
	check "... logged as LIMIT NOT APPLIED" \
		log_has 'WARN LIMIT NOT APPLIED session=[0-9]+ profile=high limit=memory_high value=32M .*limits_unavailable=refuse'
	after=$(ls -d "$CG2/$TEST_ID"/s* $(for m in $V1_MOUNTS; do echo "$m/$TEST_ID/s*"; done) 2>/dev/null)
	check "... and the refused session leaves no cgroup behind" eq "$after" "$before"

	sed -i 's/^\[global\]$/[global]\nlimits_unavailable = warn/' "$CONF"
	"$DG" -c "$CONF" reload >/dev/null
	"$DG" -c "$CONF" run --profile high -- sleep 32 2>"$TMP/warn.err" &
	RUN_PID=$!
	id=$(session_id 'sleep 32')
	wait_listed "$id"
	check "limits_unavailable = warn: the session runs, and the opener is told" \
		has "$(cat "$TMP/warn.err")" '^deployguard run: warning: limits not in force \(limits_unavailable = warn\): memory_high = 32M: .*memory\.soft_limit_in_bytes is set instead'
	check "... logged as LIMIT NOT APPLIED with warn" \
		log_has "WARN LIMIT NOT APPLIED session=$id profile=high limit=memory_high .*limits_unavailable=warn"
	check "... the nearest v1 knob is set" eq "$(knob "$id" memory.soft_limit_in_bytes)" 33554432
	check "... and sessions says which limit is not in force" \
		has "$("$DG" -c "$CONF" sessions)" '^ +NOT APPLIED: memory_high$'
	kill "$RUN_PID"
	wait "$RUN_PID"
	check "... that session ends cleanly too" wait_ended "$id"
	sed -i '/^limits_unavailable = warn$/d' "$CONF"
	"$DG" -c "$CONF" reload >/dev/null
fi

# --- a restarted daemon adopts sessions with their limits --------------------------------

"$DG" -c "$CONF" run --profile share -- sleep 33 &
RUN_PID=$!
id=$(session_id 'sleep 33')
wait_listed "$id"
dirs=$(session_dirs "$id")
dg_stop_daemon
dg_start_daemon
check "adopted with its limits" log_has "SESSION ADOPTED session=$id .*memory_max=96M cpu_max=$quota/100000 pids_max=64"
check "... and its cgroups" eq "$(session_dirs "$id")" "$dirs"
check "sessions still shows them" has "$("$DG" -c "$CONF" sessions)" "^ +limits: memory_max=96M cpu_max=$quota/100000 pids_max=64\$"
kill "$RUN_PID"
wait "$RUN_PID"
check "the adopted session ends with its usage" log_has "SESSION CLOSE session=$id .*cpu_usec=[0-9]+"
check "... and its cgroups, v1 and v2, are removed" eq "$(session_dirs "$id")" ""

# --- a controller this host lacks ----------------------------------------------------------

# A daemon that cannot see the v1 pids hierarchy (its own mount namespace
# without it) is a host without a pids controller.
pids_v1=$(v1_mount pids)
if [ -n "$pids_v1" ] && ! in_v2 pids; then
	dg_stop_daemon
	unshare --mount --propagation private -- \
		sh -c 'umount -l "$1" && exec "$2" -c "$3" -f' sh "$pids_v1" "$DGD" "$CONF" >>"$LOG" 2>&1 &
	DGD_PID=$!
	for _ in $(seq 100); do
		"$DG" -c "$CONF" status >/dev/null 2>&1 && break
		sleep 0.1
	done
	out=$(dg_run -- echo ran 2>&1)
	check "no pids controller: a pids_max session is refused" test $? -ne 0
	check "... and the opener is told why" has "$out" "pids_max = 16 cannot be applied: this host has neither a cgroup v2 pids controller nor a cgroup v1 pids hierarchy \(limits_unavailable = refuse\)"
	check "... nothing ran" hasnt "$out" '^ran$'
	dg_stop_daemon
	sed -i 's/^\[global\]$/[global]\nlimits_unavailable = warn/' "$CONF"
	unshare --mount --propagation private -- \
		sh -c 'umount -l "$1" && exec "$2" -c "$3" -f' sh "$pids_v1" "$DGD" "$CONF" >>"$LOG" 2>&1 &
	DGD_PID=$!
	for _ in $(seq 100); do
		"$DG" -c "$CONF" status >/dev/null 2>&1 && break
		sleep 0.1
	done
	out=$(dg_run -- echo ran 2>&1)
	check "limits_unavailable = warn: it runs" has "$out" '^ran$'
	check "... with the warning" has "$out" 'warning: limits not in force .*pids_max = 16: this host has neither'
	check "... and the limits that could be applied still are" \
		log_has 'SESSION OPEN session=[0-9]+ .*cmd="echo ran" .*memory_max=64M pids_max=16 .*limits_unapplied=pids_max'
	dg_stop_daemon
	sed -i '/^limits_unavailable = warn$/d' "$CONF"
	dg_start_daemon
else
	ok "# SKIP pids is not a cgroup v1 hierarchy here: no controller to take away"
fi

# --- a private daemon cleans up after itself ------------------------------------------------

dg_stop_daemon
out=$(dg_run -- cat /proc/self/cgroup 2>"$TMP/private.err")
check "no daemon: run's private daemon applies the limits too" has "$out" '^0::/deployguard-run-[0-9]+/s1$'
priv=$(sed -n 's|^0::/\(deployguard-run-[0-9]*\)/s1$|\1|p' <<<"$out")
left=
for m in $CG2 $V1_MOUNTS; do
	[ -n "$priv" ] && [ -e "$m/$priv" ] && left="$left $m/$priv"
done
check "... and removes all its cgroups, v1 and v2, when it exits" eq "$left" ""

# --- uninstall removes everything ------------------------------------------------------------

dg_start_daemon
dg_run -- true
dg_stop_daemon
"$DGD" -c "$CONF" --uninstall >/dev/null
left=
for m in $CG2 $V1_MOUNTS; do
	[ -e "$m/$TEST_ID" ] && left="$left $m/$TEST_ID"
done
check "--uninstall removes the guarded root in every hierarchy, v1 and v2" eq "$left" ""
