#!/bin/sh
# The examples in README.md and docs/scenario-language.md must stay true:
# each fenced block that declares a profile is run and must pass.
set -u
sosim=$1
shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
for doc in "$@"; do
	awk -v dir="$tmp" -v base="$(basename "$doc")" '
		/^```/ { if (inblock) { close(f); inblock = 0 } else { inblock = 1; k++; f = dir "/" base "-" k ".scn" } next }
		inblock { print > f }' "$doc"
done
for f in "$tmp"/*.scn; do
	grep -q '^profile ' "$f" || continue
	grep -q '^thread\|^expect' "$f" || continue
	n=$((n + 1))
	"$sosim" run --quiet "$f" >"$tmp/out" 2>&1 || { echo "$f:"; cat "$f"; cat "$tmp/out"; exit 1; }
done
echo "$n documented examples run and pass"
[ "$n" -gt 0 ]
