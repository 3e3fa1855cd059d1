#!/bin/sh
# Compares a scenario's trace with its golden copy in tests/golden/, byte
# for byte: FORMAT is text (golden NAME.txt) or jsonl (NAME.jsonl, or
# NAME.jsonl.gz for the traces of more than 256 KiB).
# To accept a deliberate change, regenerate them all:
#   SOSIM_UPDATE_GOLDEN=1 meson test -C build --suite golden
set -u
sosim=$1
scn=$2
golden=$3
format=${4:-text}
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp" "$tmp.golden"' EXIT
"$sosim" run --format "$format" "$scn" >"$tmp" 2>&1
if [ "${SOSIM_UPDATE_GOLDEN:-}" = 1 ]; then
	case $golden in
	*.gz) gzip -9n <"$tmp" >"$golden" ;;
	*) cp "$tmp" "$golden" ;;
	esac
	exit 0
fi
case $golden in
*.gz) gzip -dc "$golden" >"$tmp.golden" || exit 1 ;;
*) cp "$golden" "$tmp.golden" || exit 1 ;;
esac
diff -u "$tmp.golden" "$tmp" >/dev/null && { echo "$scn: trace matches $golden"; exit 0; }
diff -u "$tmp.golden" "$tmp" | head -60
echo "$scn: the trace differs from $golden (SOSIM_UPDATE_GOLDEN=1 to accept)"
exit 1
