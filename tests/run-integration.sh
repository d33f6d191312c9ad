#!/bin/bash
# Runs the integration and end-to-end tests (TAP), each file in its own
# namespaces.  Arguments: test files or name fragments; default: all.
#
#   tests/run-integration.sh              everything
#   tests/run-integration.sh connect run  files whose name contains either

set -u
cd "$(dirname "$0")/.." || exit 1

if [ "$(id -u)" != 0 ]; then
	echo "run-integration: the integration tests need root (sudo make check)" >&2
	exit 1
fi

files=()
for f in tests/integration/t*.sh tests/e2e/t*.sh; do
	[ -e "$f" ] || continue
	if [ $# -eq 0 ]; then
		files+=("$f")
		continue
	fi
	for want in "$@"; do
		case "$f" in *"$want"*) files+=("$f"); break ;; esac
	done
done
if [ ${#files[@]} -eq 0 ]; then
	echo "run-integration: no test matches: $*" >&2
	exit 1
fi

failed=()
for f in "${files[@]}"; do
	echo "# === $f"
	start=$(date +%s)
	if timeout --kill-after=10 600 bash "$f"; then
		echo "# === $f: passed ($(($(date +%s) - start))s)"
	else
		echo "# === $f: FAILED ($(($(date +%s) - start))s)"
		failed+=("$f")
	fi
done

echo
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED: ${failed[*]}"
	exit 1
fi
echo "all ${#files[@]} test files passed"
