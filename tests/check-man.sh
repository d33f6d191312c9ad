#!/bin/bash
# Every man page in the tree (any *.1 ... *.8 outside build/) renders the way
# man(1) shows it with its warnings on, and says nothing on stderr; its .TH
# names the file.  TAP.
set -u
cd "$(dirname "$0")/.." || exit 1

mapfile -t pages < <(find . \( -path ./build -o -path ./.git \) -prune -o \
	-type f -name '*.[1-8]' -print | sed 's|^\./||' | sort)
if [ ${#pages[@]} -eq 0 ]; then
	echo "Bail out! no man pages found"
	exit 1
fi

n=0 failed=0
for p in "${pages[@]}"; do
	n=$((n + 1))
	err=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$p" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq 0 ] && [ -z "$err" ]; then
		echo "ok $n - $p renders without warnings"
	else
		echo "not ok $n - $p renders without warnings (man exited $rc)"
		printf '%s\n' "$err" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi

	n=$((n + 1))
	base=${p##*/}
	want_name=${base%.*} want_sec=${base##*.}
	read -r _ name sec _ < <(grep -m1 '^\.TH ' "$p")
	if [ "${name,,}" = "${want_name,,}" ] && [ "$sec" = "$want_sec" ]; then
		echo "ok $n - $p: .TH $name $sec"
	else
		echo "not ok $n - $p: .TH says '$name $sec', the file name '$want_name $want_sec'"
		failed=$((failed + 1))
	fi
done

# references to our own pages name pages that exist, in the right section
n=$((n + 1))
names=$(printf '%s\n' "${pages[@]##*/}")
bad=$(grep -hE '^\.[BI]R? ' "${pages[@]}" |
	grep -oE '(deployguard[a-z_.]*|pam_deployguard) +\([1-8]\)' |
	awk '{ gsub(/[()]/, "", $2); print $1 "." $2 }' | sort -u |
	while read -r ref; do grep -qxF "$ref" <<<"$names" || echo "$ref"; done)
if [ -z "$bad" ]; then
	echo "ok $n - every reference to a deployguard page names one in the tree"
else
	echo "not ok $n - references to pages that do not exist: ${bad//$'\n'/ }"
	failed=$((failed + 1))
fi

echo "1..$n"
[ $failed -eq 0 ]
