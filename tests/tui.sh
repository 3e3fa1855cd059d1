#!/bin/bash
# tui.sh SOSIM SCENARIO: drive `sosim tui` in a detached tmux session as a
# student would and read the screen back with capture-pane: it opens at
# step 0, n moves forwards and N back, g goes to a step, ? shows the help
# and any key closes it, a 40x10 terminal says "too small" and the
# program survives it, and q exits with status 0.  Exit 77 (skipped)
# without tmux.
set -u
sosim=$1 scn=$2
command -v tmux >/dev/null || { echo "tmux not installed: skipped"; exit 77; }
sock=sosim-tui-test-$$
T() { tmux -L "$sock" "$@"; }
trap 'T kill-server 2>/dev/null' EXIT
fails=0
fail() { echo "FAIL: $*"; echo "--- the screen:"; T capture-pane -p -t t; fails=$((fails + 1)); }
screen() { T capture-pane -p -t t; }
# the step the status line says (its first "step N")
step() { screen | grep -oE 'step [0-9]+' | head -1 | grep -oE '[0-9]+'; }
# wait up to 5 s for the screen to match
wait_for() {
	for _ in $(seq 50); do
		screen | grep -qE "$1" && return 0
		sleep 0.1
	done
	return 1
}

T new-session -d -s t -x 120 -y 40 \
    "TERM=xterm-256color '$sosim' tui '$scn'; echo EXITED-\$?; sleep 30"
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

T send-keys -t t '?'
wait_for 'Keys of sosim tui' || fail "? shows no help"
T send-keys -t t Escape
sleep 0.3
screen | grep -q 'Keys of sosim tui' && fail "a key does not close the help"
[ "$(step)" = 12 ] || fail "closing the help moved the step (at $(step))"

T resize-window -t t -x 40 -y 10
wait_for 'too small' || fail "40x10 does not say 'too small'"
screen | grep -q EXITED && fail "the resize ended the program"
T resize-window -t t -x 120 -y 40
wait_for 'step 12 of' || fail "back at 120x40: not at step 12 again"

T send-keys -t t '>'
wait_for 'all expectations held' || fail "> (the last step) shows no verdict"

T send-keys -t t q
wait_for 'EXITED-' || fail "q does not end the program"
screen | grep -q 'EXITED-0' || fail "q does not exit with status 0"

echo "$fails failures"
[ "$fails" -eq 0 ]
