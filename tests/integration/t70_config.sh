#!/bin/bash
# Configuration: errors name FILE:LINE and stop the daemon from starting;
# SIGHUP reloads atomically and a bad reload keeps the old policy.
. "$(dirname "$0")/lib.sh"
dg_begin "$@"

cat >"$TMP/bad.conf" <<'EOF2'
[global]
proxy_port = 99999
[profile default]
mode = blacklist
block = github.com bad_domain!.com
block_cidr = 10.0.0.1/8
block_file = lists/missing.txt
[profile default]
[users]
deploy = nosuchprofile
EOF2
out=$("$DGD" --check -c "$TMP/bad.conf" 2>&1)
check "--check exits non-zero on errors" test $? -ne 0
check "--check: proxy_port error at its line" has "$out" "^$TMP/bad.conf:2: proxy_port must be 1\.\.65535"
check "--check: bad mode at its line" has "$out" "^$TMP/bad.conf:4: mode must be blocklist or allowlist, not 'blacklist'"
check "--check: bad domain at its line" has "$out" "^$TMP/bad.conf:5: invalid character in domain name .*'bad_domain!\.com'"
check "--check: CIDR with host bits at its line" has "$out" "^$TMP/bad.conf:6: '10\.0\.0\.1/8' has host bits set"
check "--check: missing list file named" has "$out" "^$TMP/bad.conf:7: cannot read blocked list '$TMP/lists/missing\.txt'"
check "--check: duplicate profile at its line" has "$out" "^$TMP/bad.conf:8: duplicate profile 'default'"
check "--check: unknown profile in [users] at its line" has "$out" "^$TMP/bad.conf:10: user 'deploy' is mapped to unknown profile 'nosuchprofile'"
check "--check: every error is reported" eq "$(printf '%s\n' "$out" | grep -c "^$TMP/bad.conf:")" 7
out=$("$DG" check-config "$TMP/bad.conf" 2>&1)
check "deployguard check-config reports the same" has "$out" "^$TMP/bad.conf:4: mode must be"

mkdir -p "$TMP/lists"
printf '# deploy blocklist\n\nregistry.example\n0.0.0.0 hosts.example\nnot a domain here\nbad..name\n' >"$TMP/lists/block.txt"
printf '[profile default]\nblock_file = lists/block.txt\n' >"$TMP/list.conf"
out=$("$DGD" --check -c "$TMP/list.conf" 2>&1)
check "list file: a bad line is reported with the list's name and line" \
	has "$out" "^$TMP/lists/block\.txt:5: expected one domain name a line"
check "list file: ... every bad line" has "$out" "^$TMP/lists/block\.txt:6: empty label"
printf '# deploy blocklist\n\nregistry.example\n0.0.0.0 hosts.example\n' >"$TMP/lists/block.txt"
out=$("$DGD" --check -c "$TMP/list.conf" 2>&1)
check "a good config passes --check" has "$out" "list\.conf: OK \(1 profiles, 0 user/group mappings, 2 domain entries \+ the public DoH resolver list\)"

out=$("$DGD" --check 2>&1)
check "no config file: the embedded default is valid" has "$out" '^<embedded default>: OK'

cp "$TMP/bad.conf" "$CONF"
out=$("$DGD" -c "$CONF" -f 2>&1)
check "the daemon refuses to start with a bad config" test $? -ne 0
check "... and says why" has "$out" "$CONF:4: mode must be"

# the pins must be on a bpf filesystem: anywhere else they would not
# outlive the daemon, and neither would enforcement
dg_write_config <<'EOF2'
[profile default]
block = github.com
EOF2
mkdir -p "$TMP/nobpf"
sed -i "s|^bpffs = .*|bpffs = $TMP/nobpf/pins|" "$CONF"
out=$(timeout 20 "$DGD" -c "$CONF" -f 2>&1)
check "the daemon refuses to pin outside a bpf filesystem" test $? -ne 0
check "... and names the directory" has "$out" "$TMP/nobpf is not on a bpf filesystem \(mount -t bpf bpf $TMP/nobpf\)"
check "... and pins nothing there" test ! -e "$TMP/nobpf/pins"

# --- reload ----------------------------------------------------------------------------
dg_write_config <<'EOF2'
[profile default]
block = github.com
[profile extra]
block = other.test
[users]
root = default
EOF2
dg_start_daemon
out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 other.test)
check "before reload: other.test resolves" has "$out" 'rcode=NOERROR'

sed -i 's/^block = github.com$/block = github.com other.test/' "$CONF"
kill -HUP "$DGD_PID"
check "SIGHUP reloads" log_has 'INFO RELOADED config='
out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 other.test)
check "after reload: the new policy applies" has "$out" 'rcode=NXDOMAIN'

"$DG" -c "$CONF" run -- sleep 60 &
RUN_PID=$!
sleep 0.3
cp "$CONF" "$TMP/good.conf"
sed -i '/^\[profile extra\]$/a mode = sometimes' "$CONF"
kill -HUP "$DGD_PID"
check "a bad reload is refused, naming FILE:LINE" log_has "ERROR reload: $CONF:[0-9]+: mode must be blocklist or allowlist"
check "... and says the old policy stays" log_has 'WARN RELOAD FAILED keeping the previous policy'
out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 x.other.test)
check "after a bad reload the previous policy is still in force" has "$out" 'rcode=NXDOMAIN'
out=$("$DG" -c "$CONF" reload 2>&1)
check "deployguard reload reports the error" has "$out" "mode must be blocklist or allowlist"

cp "$TMP/good.conf" "$CONF"
sed -i 's/^\[profile default\]$/[profile renamed]/; s/^root = default$/root = renamed/' "$CONF"
out=$("$DG" -c "$CONF" reload 2>&1)
check "a reload cannot drop a profile a live session uses" has "$out" "profile 'default' is used by live session"
kill "$RUN_PID"
wait "$RUN_PID"
sleep 0.3
out=$("$DG" -c "$CONF" reload 2>&1)
check "once that session ended, the same reload works" has "$out" 'configuration reloaded'

sed -i '/^\[global\]$/a blocked_answer = refused' "$CONF"
"$DG" -c "$CONF" reload >/dev/null
out=$(dg_run -- "$H/dg_dnsq" 10.77.0.53 r.github.com)
check "blocked_answer = refused answers REFUSED" has "$out" 'rcode=REFUSED'
