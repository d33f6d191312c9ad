#!/bin/bash
# make demo: deployguard's main job, offline, on the embedded default config.
#
# A private network namespace plays the internet (dnsmasq says where
# github.com is, small web servers answer), so nothing leaves this machine,
# and `deployguard run` brings up a private daemon that is gone afterwards.
DG_DEMO=1
. "$(dirname "$0")/../integration/lib.sh"
dg_begin "$@"

bold() { if [ -t 1 ]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi; }
say() { printf '%s\n' "$*"; }

cat >"$TMP/deploy.sh" <<'SCRIPT'
#!/bin/sh
echo "deploy: fetching config from the internal service"
curl -sS --max-time 5 http://config.allowed.test:8080/ || echo "deploy: FAILED to fetch config"
echo "deploy: downloading the release from GitHub"
curl -sS --max-time 5 http://github.com:8080/release.tar.gz || echo "deploy: FAILED to download the release"
SCRIPT
chmod 755 "$TMP/deploy.sh"

bold "deployguard demo (offline: a private network namespace plays the internet)"
say "The deploy script:"
sed 's/^/    /' "$TMP/deploy.sh"

bold "1. Without deployguard, the script quietly depends on github.com:"
"$TMP/deploy.sh"

bold "2. deployguard run -- ./deploy.sh   (embedded default: guard user 'deploy', block GitHub)"
say "   The daemon's decisions go to stderr; here they are marked with '|'."
cd "$TMP" && "$DG" run -- ./deploy.sh 2> >(sed 's/^/  | /' >&2)
sleep 0.3
say ""
say "   github.com was refused at DNS, at once, and the log names the exact command."
say "   The internal service still worked: only the deploy session is confined."

bold "3. Audit mode first, as a team would roll it out: nothing breaks, everything is recorded"
"$DG" run --audit -- ./deploy.sh 2> >(grep -E 'WOULDBLOCK' | sed 's/^/  | /' >&2)
sleep 0.3

bold "4. Outside the session the host is untouched:"
curl -sS --max-time 5 http://github.com:8080/ | sed 's/^/    /'

bold "Done. The private daemon, its cgroup and its BPF programs are gone; nothing was installed."
say "Next: 'sudo make check' runs the test suite; README.md explains the configuration."
