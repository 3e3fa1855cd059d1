#!/bin/bash
# screenshot.sh SOSIM [--check]: the picture of `sosim tui` in README.md
# and docs/tour.md, taken from the real program in tmux so that it never
# goes stale.  Lesson 02 (MSG_WAITALL): the reader chosen, c to where it
# first sleeps inside soreceive's MSG_WAITALL loop, then c to where
# b.rcv.cc >= 5000 becomes true while it sleeps there.
#
#   meson compile -C build screenshot     writes docs/tour/tui.txt (the
#                                         screen as text) and tui.svg
#                                         (drawn by termtosvg)
#   screenshot.sh SOSIM --check           the suite: the screen is still
#                                         what tui.txt says (exit 1 if
#                                         not; 77 without tmux)
set -u
sosim=$(realpath "$1")
check=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
command -v tmux >/dev/null || { echo "tmux is not installed (apt-get install tmux)"; exit 77; }
if [ "$check" != --check ] && ! command -v termtosvg >/dev/null; then
	echo "termtosvg is not installed (apt-get install termtosvg)" >&2
	exit 1
fi
sock=sosim-screenshot-$$
work=$(mktemp -d)
T() { tmux -u -L "$sock" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$work"' EXIT
cd "$root" || exit 1
# UTF-8 box lines, whatever the caller's locale
T new-session -d -s t -x 120 -y 36 \
    "LC_ALL=C.UTF-8 TERM=xterm-256color '$sosim' tui scenarios/teaching/02-waitall.scn; sleep 60"
wait_for() {
	for _ in $(seq 50); do
		T capture-pane -p -t t | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	echo "screenshot: the screen never showed '$1':" >&2
	T capture-pane -p -t t >&2
	exit 1
}
wait_for 'step 0 of'
T send-keys -t t j b
T send-keys -t t -l 'soreceive:waitall_sleep'
T send-keys -t t Enter c
wait_for 'step [0-9]+: soreceive:waitall_sleep'
T send-keys -t t b
T send-keys -t t -l 'soreceive:waitall_sleep'
T send-keys -t t Enter b
T send-keys -t t -l 'b.rcv.cc >= 5000'
T send-keys -t t Enter c
wait_for 'step [0-9]+: b.rcv.cc >= 5000'
T capture-pane -p -t t >"$work/tui.txt"
if [ "$check" = --check ]; then
	diff -u "$here/tui.txt" "$work/tui.txt" && { echo "the tui screenshot is current"; exit 0; }
	echo "the screen differs from docs/tour/tui.txt: meson compile -C build screenshot"
	exit 1
fi
T capture-pane -e -p -t t >"$work/tui.ansi"
# one frame of an asciicast (v2), which termtosvg draws
python3 - "$work/tui.ansi" "$work/tui.cast" <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
if lines and lines[-1] == '':
    lines.pop()
screen = '\x1b[H\x1b[2J' + '\r\n'.join(l + '\x1b[0m' for l in lines)
with open(sys.argv[2], 'w') as f:
    f.write(json.dumps({'version': 2, 'width': 120, 'height': 36}) + '\n')
    f.write(json.dumps([0.0, 'o', screen]) + '\n')
EOF
termtosvg render "$work/tui.cast" "$work/frames" -s -t base16_default_dark >/dev/null || exit 1
# xml:space: so that renderers without CSS white-space (librsvg) keep the blanks
sed '0,/<svg /s/<svg /<svg xml:space="preserve" /' "$work/frames/termtosvg_00000.svg" >"$here/tui.svg"
cp "$work/tui.txt" "$here/tui.txt"
echo "wrote docs/tour/tui.txt and docs/tour/tui.svg"
