#!/bin/bash
# tui.sh SOSIM ROOT GOLDEN_DIR: drive `sosim tui` in detached tmux sessions
# as a student would and read the screen back with capture-pane:
#  - lesson 01: it opens at step 0, n moves forwards and N back, g goes to
#    a step, End and > go to the last, ? shows the help and any key closes
#    it, a 40x10 terminal says "too small" and the program survives it, q
#    exits with status 0;
#  - lesson 02 (MSG_WAITALL): Tab and j choose the reader, s follows it,
#    b sets a breakpoint on a condition and c goes to it, / searches, d
#    writes the selected buffer as .dot and .svg;
#  - a failing schedule that `sosim explore` found (tui/race-stale-handle.scn)
#    opens with the line explore prints, at the failing step, with the
#    failed verdict;
#  - NO_COLOR=1 draws no colour; SIGTERM ends it with the terminal restored
#    (off the alternate screen) and the status SIGTERM gives;
#  - a JSONL trace opens read only.
# Some screens are compared with golden copies in GOLDEN_DIR/tui-*.txt
# (to accept a deliberate change: SOSIM_UPDATE_GOLDEN=1 meson test -C
# build --suite tui).  Exit 77 (skipped) without tmux.
set -u
sosim=$(realpath "$1") root=$(realpath "$2") golden=$(realpath "$3")
command -v tmux >/dev/null || { echo "tmux not installed: skipped"; exit 77; }
sock=sosim-tui-test-$$
work=$(mktemp -d)
T() { tmux -L "$sock" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$work"' EXIT
# the scenarios by a relative path, so the screens say the same everywhere
ln -s "$root/scenarios" "$work/scenarios"
ln -s "$root/tests/tui" "$work/fixtures"
cd "$work" || exit 1
fails=0
fail() { echo "FAIL: $*"; echo "--- the screen:"; T capture-pane -p -t t; fails=$((fails + 1)); }
screen() { T capture-pane -p -t t; }
# the step the status line says (its first "step N")
step() { screen | head -1 | grep -oE 'step [0-9]+' | head -1 | grep -oE '[0-9]+'; }
# wait up to 5 s for the screen to match
wait_for() {
	for _ in $(seq 50); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
# compare the screen with GOLDEN_DIR/tui-NAME.txt
golden() {
	local want=$golden/tui-$1.txt
	sleep 0.3
	if [ "${SOSIM_UPDATE_GOLDEN:-}" = 1 ]; then
		screen >"$want"
		return
	fi
	screen | diff -u "$want" - >"$work/diff" || {
		fail "the screen differs from $want (SOSIM_UPDATE_GOLDEN=1 to accept):"
		head -40 "$work/diff"
	}
}
# start sosim tui ARGS... at 120x40, ASCII lines, as a fresh session
start() {
	T kill-server 2>/dev/null
	sleep 0.2
	T new-session -d -s t -x 120 -y 40 \
	    "LC_ALL=C TERM=xterm-256color '$sosim' tui $*; echo EXITED-\$?; sleep 60"
}

# ---- lesson 01: moving about
start scenarios/teaching/01-stream-send-receive.scn
wait_for 'step 0 of' || fail "no 'step 0 of' at the start"
screen | grep -q writer || fail "thread writer not shown"
screen | grep -qE 'rcv cc +0/' || fail "no receive buffer shown"

for _ in 1 2 3 4 5; do T send-keys -t t n; done
wait_for 'step 5 of' || fail "5 n: not at step 5 (at $(step))"
screen | grep -q -- '-- step 5 ' || fail "the events of step 5 are not shown"

T send-keys -t t N N
wait_for 'step 3 of' || fail "N N from 5: not at step 3 (at $(step))"

T send-keys -t t g 1 2 Enter
wait_for 'step 12 of' || fail "g 12: not at step 12 (at $(step))"
golden 01-step12

T send-keys -t t '?'
wait_for 'Keys of sosim tui' || fail "? shows no help"
golden 01-help
T send-keys -t t Escape
sleep 0.3
screen | grep -q 'Keys of sosim tui' && fail "a key does not close the help"
[ "$(step)" = 12 ] || fail "closing the help moved the step (at $(step))"

T resize-window -t t -x 40 -y 10
wait_for 'too small' || fail "40x10 does not say 'too small'"
screen | grep -q EXITED && fail "the resize ended the program"
T send-keys -t t n n   # pressed blind: ignored
T resize-window -t t -x 120 -y 40
wait_for 'step 12 of' || fail "back at 120x40: not at step 12 again"

# End as tmux sends it (ESC [4~), which TERM=xterm-256color does not describe
T send-keys -t t End
wait_for 'all expectations held' || fail "End (the last step) shows no verdict"
T send-keys -t t Home
wait_for 'step 0 of' || fail "Home: not at step 0 (at $(step))"
T send-keys -t t '>'
wait_for 'all expectations held' || fail "> (the last step) shows no verdict"

T send-keys -t t q
wait_for 'EXITED-' || fail "q does not end the program"
screen | grep -q 'EXITED-0' || fail "q does not exit with status 0"

# ---- lesson 02, MSG_WAITALL: following the reader, a breakpoint, a search, a picture
start scenarios/teaching/02-waitall.scn
wait_for 'step 0 of' || fail "02: no 'step 0 of' at the start"
T send-keys -t t j
wait_for '^>reader' || fail "j in the threads pane does not select the reader"
T send-keys -t t s
wait_for 'step 12 of' || fail "s: not at the reader's first step, 12 (at $(step))"
T send-keys -t t s
wait_for 'step 13 of' || fail "s s: not at the reader's second step, 13 (at $(step))"
screen | grep -q 'sleeping on b.so_rcv.sb_cc ("netio")' || fail "the reader does not sleep in netio at 13"
T send-keys -t t b
T send-keys -t t -l 'b.rcv.cc >= 5000'
T send-keys -t t Enter
wait_for 'breakpoint b.rcv.cc >= 5000' || fail "b does not confirm the breakpoint"
T send-keys -t t c
wait_for 'step 17: b.rcv.cc >= 5000' || fail "c: not at step 17, where b.rcv.cc >= 5000 becomes true"
golden 02-break
T send-keys -t t /
T send-keys -t t -l 'PRU_RCVD'
T send-keys -t t Enter
wait_for 'step 44: /PRU_RCVD' || fail "/ PRU_RCVD does not find step 44"
screen | grep -q 'PRU_RCVD' || fail "the step / found does not show PRU_RCVD"
screen | grep -q 'soreceive:waitall_sleep' || fail "at 44 the reader is not in soreceive's waitall_sleep"
# the chain follows the data: b's so_rcv; in the sockets pane j/k choose
# another (b's so_snd, then back), and d writes the chosen one's picture
screen | grep -q 'chain of b.so_rcv (the buffer that changed last' || fail "the chain is not b's so_rcv"
T send-keys -t t Tab j
wait_for 'chain of b.so_snd \(chosen' || fail "Tab j does not choose b.so_snd"
T send-keys -t t k d
wait_for 'wrote 02-waitall-step[0-9]+-b.rcv.dot and' || fail "d does not write b's so_rcv"
for f in 02-waitall-step*-b.rcv.dot 02-waitall-step*-b.rcv.svg; do
	[ -s "$f" ] || fail "d: $f is missing or empty"
done
grep -q '^digraph' 02-waitall-step*-b.rcv.dot || fail "d: the .dot file is not a graph"
grep -q '<svg' 02-waitall-step*-b.rcv.svg || fail "d: the .svg file is not SVG"
T send-keys -t t q
wait_for 'EXITED-0' || fail "02: q does not exit with status 0"

# ---- a failing race schedule, as explore prints it
# (--save: not beside the scenario, which is in the source tree)
explore=$("$sosim" explore fixtures/race-stale-handle.scn --save race.schedule 2>&1)
line=$(grep -oE 'sosim tui .*' <<<"$explore" | head -1)
if [ -z "$line" ]; then
	fail "explore prints no 'sosim tui' line:"
	echo "$explore"
else
	start "${line#sosim tui }"
	wait_for 'violation stale-handle: FAILED' || fail "the failing schedule does not open at its verdict"
	[ "$(step)" != 0 ] || fail "the failing schedule opens at step 0"
	golden race-failing
	T send-keys -t t q
	wait_for 'EXITED-0' || fail "race: q does not exit with status 0"
fi

# ---- NO_COLOR: no colour at all, and a signal restores the terminal
T kill-server 2>/dev/null
sleep 0.2
T new-session -d -s t -x 120 -y 40 \
    "LC_ALL=C TERM=xterm-256color NO_COLOR=1 '$sosim' tui scenarios/teaching/02-waitall.scn --at 17; echo EXITED-\$?; sleep 60"
wait_for 'step 17 of' || fail "NO_COLOR: not at step 17"
# the cells' looks as SGR sequences: bold and reverse, but no colour (30-37, 38;5)
T capture-pane -e -p -t t | grep -qE $'\e\\[[0-9;]*(3[0-7]|38;5)[;m]' && fail "NO_COLOR=1: colours drawn"
T capture-pane -e -p -t t | grep -qE $'\e\\[[0-9;]*[17][;m]' || fail "NO_COLOR=1: no bold or reverse either"
[ "$(T display -p -t t '#{alternate_on}')" = 1 ] || fail "the viewer is not on the alternate screen"
pkill -TERM -f "^$sosim tui scenarios/teaching/02-waitall.scn --at 17" || fail "no viewer to send SIGTERM to"
wait_for 'EXITED-143' || fail "SIGTERM does not end the viewer as SIGTERM does (143)"
[ "$(T display -p -t t '#{alternate_on}')" = 0 ] || fail "after SIGTERM the terminal is still on the alternate screen"

# ---- a saved trace, read only
"$sosim" run --format jsonl scenarios/teaching/02-waitall.scn >w.jsonl
start w.jsonl --at 12
wait_for 'a saved trace' || fail "a JSONL trace does not open"
screen | grep -q -- '-- step 12 ' || fail "the trace does not open at step 12"
T send-keys -t t d
wait_for 'needs the world' || fail "d in a saved trace does not say why not"
T send-keys -t t q
wait_for 'EXITED-0' || fail "trace: q does not exit with status 0"

echo "$fails failures"
[ "$fails" -eq 0 ]
