#!/bin/bash
# limits.sh SOSIM: every limit (docs/scenario-language.md, Limits) is hit
# here and must give its message, its exit status and, with -o FILE, a
# whole file or none; long runs show progress on a terminal only, and
# end cleanly on SIGINT and SIGTERM.
#  - run limits (steps, bytes, virtual time, mbufs): the `limit` statement
#    and the --max-* flag that overrides it; exit 3; -o FILE holds the
#    whole trace to the stop (text, JSONL, Chrome JSON all complete)
#  - the default step limit ends a run that never ends by itself (an
#    OpenBSD splice loop that loses its loop count) in bounded time
#  - the simulator's mbuf pool; explore's states (flag and statement) and
#    its checkpoint memory (a run of a million steps in bounded memory);
#    sosim tui's checkpoint memory
#  - scenario size: sockets, threads, operations, events, expectations,
#    line length, name length, file size; --schedule file size: exit 2
#  - progress lines on a terminal (script(1), tmux), none on a file
#  - SIGTERM and SIGINT: a partial verdict with the figures so far, the -o
#    file complete, exit 130 / 143
# The big inputs are made here, in a temporary directory.
set -u
sosim=$(realpath "$1")
work=$(mktemp -d) || exit 1
sock=sosim-limits-$$
T() { tmux -L "$sock" "$@"; }
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	command -v tmux >/dev/null && T kill-server 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# run CMD... : stdout in out, stderr in err, the exit status in $rc
run() { "$@" >out 2>err; rc=$?; }
want_rc() { [ "$rc" -eq "$1" ] || { fail "$2: exit $rc, want $1"; head -5 err out; }; }
want_err() { grep -qF -- "$1" err || { fail "$2: no '$1' on stderr:"; head -5 err; }; }
# the verdict: on stdout with the trace, also on stderr when the trace is in a file
want_msg() { cat out err | grep -qF -- "$1" || { fail "$2: no '$1':"; head -5 out err; }; }
want_out() { grep -qF -- "$1" out || { fail "$2: no '$1' on stdout:"; head -5 out; }; }
asan=false
# gcc links libasan; clang links the runtime in (no libasan in ldd)
{ ldd "$sosim" 2>/dev/null | grep -q 'libasan' || grep -qa '__asan_init' "$sosim"; } && asan=true

# A splice loop that never ends (OpenBSD 7.6 loses the loop count of a
# pass that needs more than one segment; scenarios/fidelity/
# splice-loop-tcp-segments.scn): the thread leaves, the loop goes on.
loop() {
	printf 'profile openbsd-7.6\ntcp cs as\n%sthread t:\n    splice as cs => 0\n' "$1"
	printf '    splice cs as => 0\n    send cs 3000 => 3000\n'
}
loop '' >loop.scn
loop 'limit steps 1000
' >steps.scn
# long enough to be interrupted (a minute and more), short enough to end
# by itself if a signal is missed
loop 'limit steps 200M
' >big.scn

# ---- steps ----
run timeout 600 "$sosim" run --quiet loop.scn
want_rc 3 "the default step limit"
want_msg 'step limit reached: 10000000 steps (raise it with `limit steps` or --max-steps)' "the default step limit"
run "$sosim" run --quiet steps.scn
want_rc 3 "limit steps 1000"
want_msg "step limit reached: 1000 steps" "limit steps 1000"
want_out "1000 steps, virtual time" "limit steps 1000"
run "$sosim" run --quiet --max-steps 300 steps.scn
want_rc 3 "--max-steps over limit steps"
want_msg "step limit reached: 300 steps" "--max-steps over limit steps"
run "$sosim" run --quiet --max-steps 0 steps.scn
want_rc 2 "--max-steps 0"

# -o FILE: the whole trace to the stop, ending as a trace ends
run "$sosim" run steps.scn -o t.txt
want_rc 3 "-o text at a limit"
tail -1 t.txt | grep -q '^== steps.scn: 1000 steps, virtual time .*, expectations FAILED$' ||
	fail "-o text at a limit: the trace does not end with its summary: $(tail -1 t.txt)"
grep -q 'FAILED: the run was stopped: step limit reached: 1000 steps' t.txt ||
	fail "-o text at a limit: no verdict in the file"
run "$sosim" run steps.scn --format jsonl -o t.jsonl
want_rc 3 "-o jsonl at a limit"
python3 - t.jsonl <<'EOF' || fail "-o jsonl at a limit: not a whole trace"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
last = lines[-1]
assert last["kind"] == "summary" and last["stop"] == "limit" and last["steps"] == 1000, last
assert sum(1 for l in lines if l["kind"] == "summary") == 1
EOF
run "$sosim" run steps.scn --format chrome -o t.json
want_rc 3 "-o chrome at a limit"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' t.json ||
	fail "-o chrome at a limit: not valid JSON"
ls ./*.tmp.* >/dev/null 2>&1 && fail "a temporary file was left: $(ls ./*.tmp.*)"

# ---- bytes ----
printf 'tcp a b\nlimit bytes 1K\nthread t:\n    send a 4K => 4K\n' >bytes.scn
run "$sosim" run --quiet bytes.scn
want_rc 3 "limit bytes 1K"
want_msg 'byte limit reached: programs sent more than 1024 bytes (raise it with `limit bytes` or --max-bytes)' "limit bytes"
want_msg "'send a 4K => 4K' never returned: the run ended at a limit" "limit bytes"
run "$sosim" run --quiet --max-bytes 100 bytes.scn
want_rc 3 "--max-bytes 100"
want_msg "programs sent more than 100 bytes" "--max-bytes 100"
run "$sosim" run --quiet --max-bytes 8K bytes.scn
want_rc 0 "--max-bytes 8K raises limit bytes 1K"
for bad in 0 -5 1X ''; do
	run "$sosim" run --quiet --max-bytes "$bad" bytes.scn
	want_rc 2 "--max-bytes '$bad'"
	want_err "--max-bytes $bad:" "--max-bytes '$bad'"
done

# ---- virtual time ----
printf 'tcp a b\nlimit time 10ms\nthread t:\n    sleep 1s\n' >time.scn
run "$sosim" run --quiet time.scn
want_rc 3 "limit time 10ms"
want_msg 'time limit reached: virtual time passed 10 ms (raise it with `limit time` or --max-time)' "limit time"
run "$sosim" run --quiet --max-time 2s time.scn
want_rc 0 "--max-time 2s raises limit time 10ms"
printf 'tcp a b\nthread t:\n    sleep 4000s\n' >time2.scn
run "$sosim" run --quiet time2.scn
want_rc 3 "the default time limit"
want_msg "virtual time passed 3600000 ms" "the default time limit"
for bad in 0s 10 10h -1s; do
	run "$sosim" run --quiet --max-time "$bad" time.scn
	want_rc 2 "--max-time '$bad'"
done

# ---- mbufs ----
# at most N in use at once, as if the kernel had no more: the send waits
printf 'tcp a b\nthread w:\n    send a 64K => 64K\nthread r:\n    recv b 64K WAITALL => 64K\n' >mbufs.scn
run "$sosim" run --quiet --format jsonl mbufs.scn
want_rc 0 "mbufs.scn without a limit"
grep -q '"mbuf_waits":0,' out || fail "mbufs.scn waited for mbufs without a limit"
run "$sosim" run --quiet --format jsonl --max-mbufs 8 mbufs.scn
grep -q '"mbuf_waits":[1-9]' out || fail "--max-mbufs 8: no allocation waited"
{ echo 'limit mbufs 8'; cat mbufs.scn; } >mbufs8.scn
run "$sosim" run --quiet --format jsonl mbufs8.scn
grep -q '"mbuf_waits":[1-9]' out || fail "limit mbufs 8: no allocation waited"
printf 'tcp a b\nlimit mbufs 40000\n' >mbufs-big.scn
run "$sosim" run --quiet mbufs-big.scn
want_rc 2 "limit mbufs 40000"
want_err "mbufs-big.scn:2:13: error: limit mbufs 40000 is more than the simulator's mbuf pool holds (max 32767)" "limit mbufs 40000"
for bad in 0 32768; do
	run "$sosim" run --quiet --max-mbufs $bad mbufs.scn
	want_rc 2 "--max-mbufs $bad"
	want_err "give 1 to 32767" "--max-mbufs $bad"
done
# the simulator's own pool: 20000 datagrams of 1 byte, each an address
# and a data mbuf, queued in one huge receive buffer
printf 'sysctl kern.sbmax=64M\nudp b rcvbuf=48M\nudp a connect=b\nthread t:\n    repeat 20000 send a 1\n' >pool.scn
run "$sosim" run --quiet pool.scn
want_rc 3 "the mbuf pool"
want_msg "the simulator's mbuf pool reached its hard size (32768)" "the mbuf pool"

# ---- explore: states, checkpoint memory ----
run "$sosim" explore loop.scn --max-states 5000
want_rc 3 "explore --max-states"
want_out 'PARTIAL: stopped at the state limit, 5000 states (raise it with --max-states or `explore max-states=N`)' "explore --max-states"
want_out "states 5000 (new" "explore --max-states"
{ cat loop.scn; echo 'explore max-states=3000'; } >states.scn
run "$sosim" explore states.scn
want_rc 3 "explore max-states=3000"
want_out "the state limit, 3000 states" "explore max-states=3000"
run "$sosim" check states.scn
want_rc 1 "sosim check of a partial exploration"
want_out "not ok 1 - states.scn: expected a full exploration, got a partial one (3000 states)" "sosim check"
run "$sosim" explore loop.scn --max-states 0
want_rc 2 "explore --max-states 0"
# a run of a million steps: its checkpoints every 16 steps took 4 GB;
# now they thin out under the cap
run "$sosim" explore loop.scn --max-states 400000 --max-checkpoint-mem 8M
want_rc 3 "explore --max-checkpoint-mem 8M"
peak=$(sed -n 's/^checkpoints: at most \([0-9.]*\) MiB .*/\1/p' out)
[ -n "$peak" ] && awk -v p="$peak" 'BEGIN { exit !(p <= 8.5) }' ||
	fail "explore --max-checkpoint-mem 8M: checkpoints took '$peak' MiB: $(cat out)"
if ! $asan; then
	# the default cap (256 MiB) in a 1 GB address space
	(ulimit -v 1000000; "$sosim" explore loop.scn --max-states 1000000 >out 2>err)
	rc=$?
	want_rc 3 "explore of a million steps in 1 GB"
	want_out "checkpoints: at most 256." "explore of a million steps in 1 GB"
fi
for bad in 0 1Q -1M; do
	run "$sosim" explore loop.scn --max-checkpoint-mem "$bad"
	want_rc 2 "explore --max-checkpoint-mem '$bad'"
done
run "$sosim" tui loop.scn --max-checkpoint-mem 0
want_rc 2 "tui --max-checkpoint-mem 0"

# ---- scenario size, schedule size: bad input, exit 2 ----
python3 - <<'EOF'
open('socks.scn', 'w').write(''.join('udp s%d\n' % i for i in range(513)))
open('threads.scn', 'w').write('tcp a b\n' + ''.join('thread t%d:\n    sleep 1ms\n' % i for i in range(17)))
open('ops.scn', 'w').write('tcp a b\nthread t:\n    repeat 65536 sleep 1ns\n    sleep 1ns\n')
open('events.scn', 'w').write('tcp a b\n' + ''.join('at %dms fin a\n' % i for i in range(65537)))
open('expects.scn', 'w').write('tcp a b\n' + 'expect no-deadlock\n' * 4097)
open('line.scn', 'w').write('tcp a b\n# ' + 'x' * 4095 + '\n')
open('name.scn', 'w').write('tcp ' + 'a' * 24 + ' b\n')
open('huge.scn', 'w').write('#' * (16 << 20) + '\n')
open('huge.schedule', 'w').write('# ' + 'x' * (16 << 20) + '\n1:t\n')
EOF
size_limit() {
	run "$sosim" run --quiet "$1"
	want_rc 2 "$1"
	want_err "$2" "$1"
}
size_limit socks.scn "socks.scn:513:5: error: too many sockets (max 512)"
size_limit threads.scn "threads.scn:34:8: error: too many threads (max 16)"
size_limit ops.scn "ops.scn:4:5: error: too many operations in thread 't' (max 65536)"
size_limit events.scn "events.scn:65538:1: error: too many events (max 65536)"
size_limit expects.scn "expects.scn:4098:1: error: too many expectations (max 4096)"
size_limit line.scn "line.scn:2:4097: error: line too long (max 4096 bytes)"
size_limit name.scn "error: socket name 'aaaaaaaaaaaaaaaaaaaaaaaa' is too long (max 23 characters)"
size_limit huge.scn "huge.scn: error: file too large (max 16 MiB)"
run "$sosim" run --quiet steps.scn --schedule huge.schedule
want_rc 2 "a --schedule file over 16 MiB"
want_err "--schedule huge.schedule: file too large (max 16 MiB)" "a --schedule file over 16 MiB"

# ---- no progress line where stderr is not a terminal ----
# (runs of 2.5 s, however fast the machine, ended by SIGTERM)
run timeout --preserve-status -s TERM 2.5 "$sosim" run --quiet big.scn
want_rc 143 "a run of 2.5 s"
want_msg "interrupted by SIGTERM" "a run of 2.5 s"
grep -q 'steps/s' err && fail "a progress line on stderr that is a file"
run timeout --preserve-status -s TERM 2.5 "$sosim" explore big.scn --max-states 1000000000
want_rc 143 "an explore of 2.5 s"
grep -q 'states/s,' err && fail "an explore progress line on stderr that is a file"

# ---- SIGTERM: the verdict so far, the -o file whole ----
# started without job control, as a script starts it: SIGINT is ignored
# there (and stays ignored), SIGTERM is caught
# wait for PID at most 60 s (then kill it: a missed signal must not hang
# the test), its exit status in $rc
wait_bounded() {
	for _ in $(seq 600); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$1" 2>/dev/null && { kill -KILL "$1"; fail "$2: still running 60 s after the signal"; }
	wait "$1"
	rc=$?
}
started() {   # wait until FILE exists
	for _ in $(seq 100); do
		compgen -G "$1" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}
(exec "$sosim" run big.scn --format jsonl -o term.jsonl 2>term.err) &
pid=$!
pids+=("$pid")
started 'term.jsonl.tmp.*' || fail "run -o: no temporary file"
sleep 0.5
kill -TERM "$pid"
wait_bounded "$pid" "SIGTERM during run -o"
want_rc 143 "SIGTERM during run -o"
grep -q 'interrupted by SIGTERM after [0-9]* steps, at virtual time' term.err ||
	fail "SIGTERM during run -o: no partial verdict on stderr: $(cat term.err)"
python3 - term.jsonl <<'EOF' || fail "SIGTERM during run -o: not a whole JSONL trace"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
v = [l for l in lines if l["kind"] == "verdict"]
assert any("interrupted by SIGTERM" in x["message"] for x in v), v
assert lines[-1]["kind"] == "summary" and lines[-1]["stop"] == "limit", lines[-1]
EOF
ls term.jsonl.tmp.* >/dev/null 2>&1 && fail "SIGTERM during run -o left a temporary file"

(exec "$sosim" explore big.scn --max-states 1000000000 >xterm.out 2>&1) &
pid=$!
pids+=("$pid")
sleep 1.5
kill -TERM "$pid"
wait_bounded "$pid" "SIGTERM during explore"
want_rc 143 "SIGTERM during explore"
grep -q '^PARTIAL: interrupted by SIGTERM after [0-9]* states and [0-9]* schedules; no failure' xterm.out ||
	fail "SIGTERM during explore: no partial verdict: $(cat xterm.out)"
grep -q '^schedules [0-9]* (pruned' xterm.out || fail "SIGTERM during explore: no figures"

(exec "$sosim" explore big.scn --random 1000000 >rterm.out 2>&1) &
pid=$!
pids+=("$pid")
sleep 1.5
kill -TERM "$pid"
wait_bounded "$pid" "SIGTERM during explore --random"
want_rc 143 "SIGTERM during explore --random"
grep -q '^PARTIAL: interrupted by SIGTERM' rterm.out ||
	fail "SIGTERM during explore --random: no partial verdict: $(cat rterm.out)"

# ---- on a terminal: progress, erased at the end ----
if command -v script >/dev/null; then
	script -qec "timeout -s TERM 2.5 $sosim run --quiet big.scn" /dev/null >tty.raw 2>&1
	grep -aq $'\rrun: step [0-9.]*[kM]* of 209.72M (limit), virtual time [0-9.]*s, [0-9.]*[kM]* steps/s, [0-9]*s\e\[K' tty.raw ||
		fail "run on a terminal: no progress line: $(head -c 300 tty.raw | od -c | head)"
	# the last one is erased before the verdict
	tr '\r' '\n' <tty.raw | grep -a -A1 'steps/s' | tail -1 | grep -aq $'^\e\[K' ||
		fail "run on a terminal: the progress line is not erased at the end"
else
	echo "script(1) not installed: progress on a terminal not checked"
fi

if command -v tmux >/dev/null; then
	screen() { T capture-pane -p -t t; }
	wait_for() {    # up to $2 tenths of a second for the screen to match
		for _ in $(seq "${2:-100}"); do
			screen | grep -qE -- "$1" && return 0
			sleep 0.1
		done
		return 1
	}
	start() {
		T kill-server 2>/dev/null
		sleep 0.2
		# the shell lives on after ^C (a trap, not an ignored signal,
		# which the command would inherit) to say the exit status
		T new-session -d -s t -x 160 -y 20 "trap : INT; cd $work && $1; echo rc=\$?; sleep 60"
	}
	# SIGINT from the keyboard (^C): a run
	start "$sosim run --quiet big.scn"
	wait_for 'run: step .* steps/s' || fail "run in tmux: no progress line: $(screen)"
	T send-keys -t t C-c
	wait_for '^rc=' || fail "run in tmux: ^C did not end it"
	screen | grep -q '^rc=130$' || fail "run in tmux: ^C: $(screen | grep rc=), want rc=130"
	screen | grep -q 'FAILED: the run was stopped: interrupted by SIGINT after [0-9]* steps' ||
		fail "run in tmux: ^C: no partial verdict: $(screen)"
	screen | grep -q '^== big.scn: [0-9]* steps, virtual time' || fail "run in tmux: ^C: no summary"
	screen | grep -q 'steps/s' && fail "run in tmux: the progress line stayed: $(screen)"
	# an explore
	start "$sosim explore big.scn --max-states 1000000000"
	wait_for 'explore: .* states of 1.00G \(limit\), .* schedules, .* states/s' ||
		fail "explore in tmux: no progress line: $(screen)"
	T send-keys -t t C-c
	wait_for '^rc=' || fail "explore in tmux: ^C did not end it"
	screen | grep -q '^rc=130$' || fail "explore in tmux: ^C: $(screen | grep rc=), want rc=130"
	screen | grep -q '^PARTIAL: interrupted by SIGINT after' || fail "explore in tmux: no partial verdict: $(screen)"
	# sosim check: the scenario it is on
	# long enough to show progress (after a second), short enough to end
	# soon under a sanitizer too
	if $asan; then steps=1M; else steps=4M; fi
	mkdir -p dir && loop "limit steps $steps
" >dir/long.scn
	start "$sosim check dir"
	wait_for 'check 1/1 dir/long.scn: step' || fail "check in tmux: no progress line: $(screen)"
	wait_for '^rc=' 1200 || fail "check in tmux: did not end"
	screen | grep -q '^not ok 1 - dir/long.scn' || fail "check in tmux: no TAP line: $(screen)"
	screen | grep -q 'steps/s' && fail "check in tmux: the progress line stayed: $(screen)"
	# sosim tui keeps its checkpoints under --max-checkpoint-mem
	hwm() {         # the pane's process is sosim itself
		T kill-server 2>/dev/null
		sleep 0.2
		T new-session -d -s t -x 160 -y 40 "cd $work && exec $sosim tui big.scn --at 2000000 --max-checkpoint-mem $1"
		wait_for 'step 2000000 of' 600 || { fail "tui --at 2000000: did not open: $(screen)"; echo 0; return; }
		sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$(T display -p -t t '#{pane_pid}')/status"
	}
	# (not under ASan, whose quarantine keeps what the thinning frees)
	if ! $asan; then
		small=$(hwm 2M)
		large=$(hwm 512M)
		[ "$((large - small))" -gt 60000 ] ||
			fail "tui --max-checkpoint-mem: 2M peaked at $small kB, 512M at $large kB"
	fi
	T kill-server 2>/dev/null
else
	echo "tmux not installed: SIGINT and progress in a terminal not checked"
fi

if [ "$fails" -gt 0 ]; then
	echo "$fails checks failed"
	exit 1
fi
echo "every limit holds"
