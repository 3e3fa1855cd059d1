#!/bin/bash
# `-o FILE` and write errors (cli/output.c): a regular file takes its place
# whole; a symlink is kept and the file it names replaced; a FIFO is
# written in place, never replaced; a write that fails (/dev/full) is
# reported with exit status 4; a run stopped by SIGTERM writes its whole
# trace, and no run leaves a temporary file.
set -u
sosim=$1
scn=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$sosim" run "$scn" -o "$tmp/out.txt" || fail "run -o exit $?"
[ -s "$tmp/out.txt" ] || fail "no output"
"$sosim" run "$scn" >"$tmp/stdout.txt"
cmp -s "$tmp/out.txt" "$tmp/stdout.txt" || fail "-o and stdout differ"

: >"$tmp/real.txt"
ln -s real.txt "$tmp/link.txt"
"$sosim" run "$scn" -o "$tmp/link.txt" || fail "run -o symlink exit $?"
[ -L "$tmp/link.txt" ] || fail "the symlink was replaced"
cmp -s "$tmp/real.txt" "$tmp/stdout.txt" || fail "the file the symlink names was not written"

mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from-fifo.txt" &
reader=$!
"$sosim" run "$scn" -o "$tmp/fifo" || fail "run -o fifo exit $?"
[ -p "$tmp/fifo" ] || { kill $reader; fail "the FIFO was replaced"; }
wait $reader
cmp -s "$tmp/from-fifo.txt" "$tmp/stdout.txt" || fail "the FIFO did not carry the trace"

if [ -w /dev/full ]; then
	"$sosim" run "$scn" >/dev/full 2>"$tmp/err"
	rc=$?
	[ $rc -eq 4 ] || fail "stdout on /dev/full: exit $rc, want 4"
	grep -q "cannot write" "$tmp/err" || fail "stdout on /dev/full: no message"
	"$sosim" run "$scn" -o /dev/full 2>"$tmp/err"
	rc=$?
	[ $rc -eq 4 ] || fail "-o /dev/full: exit $rc, want 4"
	[ -c /dev/full ] || fail "/dev/full is no longer a device"
fi

# a run stopped halfway by SIGTERM writes the whole trace to where it
# stopped, verdict and summary included; a second signal ends it at once
# and leaves nothing; never a temporary file (tests/limits.sh has more)
printf 'tcp a b\nthread w:\n    send a 2000000000\nthread r:\n    recv b 2000000000 WAITALL\n' >"$tmp/long.scn"
for n in 1 2; do
	rm -f "$tmp"/long.txt
	"$sosim" run "$tmp/long.scn" -o "$tmp/long.txt" 2>/dev/null &
	pid=$!
	for _ in $(seq 50); do
		ls "$tmp"/long.txt.tmp.* >/dev/null 2>&1 && break
		sleep 0.1
	done
	sleep 0.3
	kill -TERM $pid
	[ $n = 2 ] && kill -TERM $pid 2>/dev/null
	wait $pid 2>/dev/null
	ls "$tmp"/long.txt.tmp.* >/dev/null 2>&1 && fail "a killed run left $(ls "$tmp"/long.txt.tmp.*)"
	if [ $n = 1 ] || [ -e "$tmp/long.txt" ]; then
		# the second signal may come after the first one's trace is whole
		tail -1 "$tmp/long.txt" | grep -q '^== .*/long.scn: [0-9]* steps, .*FAILED$' ||
			fail "SIGTERM ($n): the trace does not end with its summary"
		grep -q 'interrupted by SIGTERM' "$tmp/long.txt" || fail "SIGTERM ($n): no verdict in the trace"
	fi
done
echo "output safety holds"
