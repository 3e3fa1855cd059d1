#!/bin/sh
# Compares a scenario's text trace with its golden copy in tests/golden/.
# To accept a deliberate change: SOSIM_UPDATE_GOLDEN=1 meson test golden
set -u
sosim=$1
scn=$2
golden=$3
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
"$sosim" run "$scn" >"$tmp" 2>&1
if [ "${SOSIM_UPDATE_GOLDEN:-}" = 1 ]; then
	cp "$tmp" "$golden"
	exit 0
fi
diff -u "$golden" "$tmp" && echo "$scn: trace matches $golden"
