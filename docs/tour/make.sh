#!/bin/sh
# The pictures of docs/tour.md, from the first lesson: each as dot text
# (kept in the tree and compared by the test `tour pictures`) and as SVG.
# Regenerate them with:  meson compile -C build tour
# Check them with:       make.sh SOSIM --check   (exit 1 if one is stale)
set -eu
sosim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")     # we change directory
mode=${2:-write}
here=$(dirname "$0")
root=$here/../..
scn=scenarios/teaching/01-stream-send-receive.scn
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stale=0
# name  step  buffer
while read -r name step buf; do
	(cd "$root" && "$sosim" dot "$scn" --at "$step" --buffer "$buf" -o "$tmp/$name.dot")
	if [ "$mode" = --check ]; then
		cmp -s "$tmp/$name.dot" "$here/$name.dot" || { echo "docs/tour/$name.dot is stale"; stale=1; }
	else
		cp "$tmp/$name.dot" "$here/$name.dot"
		(cd "$root" && "$sosim" dot "$scn" --at "$step" --buffer "$buf" -o "$tmp/$name.svg")
		cp "$tmp/$name.svg" "$here/$name.svg"
	fi
done <<LIST
1-send-queued 5 a.snd
2-arrived 14 b.rcv
3-reading 19 b.rcv
4-acked 27 a.snd
LIST
[ "$mode" = --check ] && [ $stale = 0 ] && echo "the tour's pictures are up to date"
exit $stale
