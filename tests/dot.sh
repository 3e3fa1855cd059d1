#!/bin/bash
# `sosim dot` (docs/dot.md), as a user runs it.  One of:
#
#   dot.sh SOSIM golden GOLDEN ARGS...
#       `sosim dot ARGS` must print GOLDEN (tests/golden/dot/) byte for
#       byte.  To accept a deliberate change, regenerate every golden file
#       (the traces' too):
#           SOSIM_UPDATE_GOLDEN=1 meson test -C build --suite golden
#   dot.sh SOSIM render SCENARIO
#       -o x.svg, x.png, x.pdf are valid pictures, rendered in-process;
#       -o x.dot is the text stdout gets.
#   dot.sh SOSIM graphviz SCENARIO_DIR
#       Graphviz's own `dot -Tsvg` accepts every picture of every scenario
#       in the directory (buffers at the end and at step 1, --splice,
#       --machine with the run's counts) and of every registered machine.
#   dot.sh SOSIM errors SCENARIO
#       bad input (a step past the end or not a number, an unknown socket
#       or buffer, an unknown machine, an unknown -o extension, a scenario
#       that does not parse) is exit 2 with a message, and -o is left alone.
set -u
sosim=$1
mode=$2
shift 2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

case $mode in
golden)
	golden=$1
	shift
	"$sosim" dot "$@" >"$tmp/out.dot" 2>"$tmp/err" || { cat "$tmp/err"; fail "sosim dot $* exit $?"; }
	if [ "${SOSIM_UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$(dirname "$golden")"
		cp "$tmp/out.dot" "$golden"
		exit 0
	fi
	[ -f "$golden" ] || fail "no $golden (SOSIM_UPDATE_GOLDEN=1 makes it)"
	if ! cmp -s "$golden" "$tmp/out.dot"; then
		diff -u "$golden" "$tmp/out.dot" | head -40
		fail "sosim dot $* differs from $golden (SOSIM_UPDATE_GOLDEN=1 to accept)"
	fi
	echo "sosim dot $*: matches $golden"
	;;
render)
	scn=$1
	"$sosim" dot "$scn" -o "$tmp/b.svg" || fail "-o b.svg exit $?"
	grep -q '<svg' "$tmp/b.svg" || fail "b.svg has no <svg"
	grep -q 'sb_mb' "$tmp/b.svg" || fail "b.svg does not show sb_mb"
	"$sosim" dot "$scn" -o "$tmp/b.png" || fail "-o b.png exit $?"
	[ "$(head -c 8 "$tmp/b.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		fail "b.png does not start with the PNG signature"
	[ "$(stat -c %s "$tmp/b.png")" -gt 10000 ] || fail "b.png is too small to hold a picture"
	"$sosim" dot "$scn" -o "$tmp/b.pdf" || fail "-o b.pdf exit $?"
	[ "$(head -c 5 "$tmp/b.pdf")" = "%PDF-" ] || fail "b.pdf does not start with %PDF-"
	tail -c 64 "$tmp/b.pdf" | grep -q '%%EOF' || fail "b.pdf does not end with %%EOF"
	"$sosim" dot "$scn" -o "$tmp/b.dot" || fail "-o b.dot exit $?"
	"$sosim" dot "$scn" >"$tmp/stdout.dot" || fail "stdout exit $?"
	cmp -s "$tmp/b.dot" "$tmp/stdout.dot" || fail "-o b.dot and stdout differ"
	"$sosim" dot --machine soreceive -o "$tmp/m.svg" || fail "--machine -o m.svg exit $?"
	grep -q '<svg' "$tmp/m.svg" || fail "m.svg has no <svg"
	"$sosim" dot "$scn" --splice -o "$tmp/s.pdf" || fail "--splice -o s.pdf exit $?"
	[ "$(head -c 5 "$tmp/s.pdf")" = "%PDF-" ] || fail "s.pdf does not start with %PDF-"
	ls "$tmp" | grep -q tmp && fail "a temporary file was left behind"
	echo "SVG, PNG, PDF and dot written"
	;;
graphviz)
	dir=$1
	command -v dot >/dev/null || fail "Graphviz's dot is not installed"
	n=0
	for scn in "$dir"/*.scn; do
		name=$(basename "$scn")
		for args in "" "--at 1" "--splice" "--machine soreceive" "--machine sosend"; do
			# shellcheck disable=SC2086
			"$sosim" dot "$scn" $args >"$tmp/x.dot" 2>"$tmp/err" ||
				fail "sosim dot $name $args: exit $? $(cat "$tmp/err")"
			dot -Tsvg "$tmp/x.dot" -o /dev/null 2>"$tmp/err" ||
				fail "dot -Tsvg refuses sosim dot $name $args: $(cat "$tmp/err")"
			n=$((n + 1))
		done
	done
	for m in $("$sosim" list machines | cut -d: -f1); do
		"$sosim" dot --machine "$m" >"$tmp/m.dot" || fail "sosim dot --machine $m: exit $?"
		dot -Tsvg "$tmp/m.dot" -o /dev/null 2>"$tmp/err" ||
			fail "dot -Tsvg refuses --machine $m: $(cat "$tmp/err")"
		n=$((n + 1))
	done
	[ $n -gt 100 ] || fail "only $n pictures checked"
	echo "dot -Tsvg accepted $n pictures"
	;;
errors)
	scn=$1
	# expect_bad "what the message must say" ARGS...: exit 2, that message
	# on stderr, nothing on stdout, and the -o target never made
	expect_bad() {
		local want=$1
		shift
		"$sosim" dot "$@" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		[ $rc -eq 2 ] || fail "sosim dot $*: exit $rc, want 2"
		grep -qE -- "$want" "$tmp/err" || fail "sosim dot $*: said '$(cat "$tmp/err")', want /$want/"
		[ -s "$tmp/out" ] && fail "sosim dot $*: wrote to stdout"
		ls "$tmp" | grep -q "^pic" && fail "sosim dot $*: made an -o file"
		echo "sosim dot $*: $(head -1 "$tmp/err")"
	}
	# how long the run is, as the message says; then it must be so
	last=$("$sosim" dot "$scn" --at 1000000000 2>&1 | sed -n 's/.*the run ends at step \([0-9]*\) .*/\1/p')
	[ -n "$last" ] || fail "--at past the end does not say where the run ends"
	steps=$("$sosim" run "$scn" | sed -n 's/.*: \([0-9]*\) steps,.*/\1/p' | tail -1)
	[ -z "$steps" ] || [ "$steps" = "$last" ] || fail "sosim run takes $steps steps, sosim dot says $last"
	"$sosim" dot "$scn" --at "$last" | grep -q "after step $last of $last" ||
		fail "--at $last is not the last step"
	expect_bad "run ends at step $last" "$scn" --at $((last + 1)) -o "$tmp/pic.svg"
	expect_bad "run ends at step $last" "$scn" --splice --at 100000
	expect_bad "run ends at step $last" "$scn" --machine soreceive --at $((last + 1))
	expect_bad "give a step number" "$scn" --at ten -o "$tmp/pic.svg"
	expect_bad "give a step number" "$scn" --at -3
	expect_bad "give a step number" "$scn" --at 5x
	expect_bad "no socket 'nosuch' \(the sockets: a, b\)" "$scn" --buffer nosuch.rcv -o "$tmp/pic.svg"
	expect_bad "SOCKET.rcv or SOCKET.snd \(the sockets: a, b\)" "$scn" --buffer a.rvc
	expect_bad "SOCKET.rcv or SOCKET.snd" "$scn" --buffer a
	expect_bad "no such machine \(the machines: .*soreceive" --machine nosuch
	expect_bad "no such machine" "$scn" --machine nosuch -o "$tmp/pic.svg"
	expect_bad "\.dot, \.gv, \.svg, \.png or \.pdf" "$scn" -o "$tmp/pic.jpg"
	expect_bad "different pictures" "$scn" --splice --buffer a.rcv
	expect_bad "exactly one scenario file"
	expect_bad "no thread named" "$scn" --schedule 3:nobody
	printf 'tcp a b\nthread t:\n    send a 10 =>\n' >"$tmp/bad.scn"
	expect_bad "bad.scn:3:[0-9]+: error: " "$tmp/bad.scn" -o "$tmp/pic.svg"
	# the last step is fine, and so is 0 (before the first)
	"$sosim" dot "$scn" --at "$last" >/dev/null || fail "--at $last (the last step) exit $?"
	"$sosim" dot "$scn" --at 0 >/dev/null || fail "--at 0 exit $?"
	;;
*)
	fail "unknown mode $mode"
	;;
esac
