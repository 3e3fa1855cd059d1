#!/bin/sh
# The same scenario must give a byte-identical trace from every build:
# gcc -O2 (build/), gcc -O0 with ASan+UBSan (build-asan/), clang -O2 with
# ASan+UBSan (build-clang/), and with glibc filling fresh and freed memory
# (MALLOC_PERTURB_), so that no output depends on the compiler, the
# optimiser, addresses or what malloc returns.  ./dev.sh test runs it once
# the three builds exist:
#
#     tests/determinism-builds.sh SCENARIO_DIR SOSIM SOSIM...
#
# For every scenario: the JSONL trace, and the JSONL trace of --seed 7,
# from each binary, compared with the first binary's (and the first
# binary's again under MALLOC_PERTURB_=165).  Two scenarios at a time.
set -u

# one SCENARIO SOSIM SOSIM...: compare one scenario; print what differs
if [ "${1:-}" = "--one" ]; then
	scn=$2
	shift 2
	ref=$1
	tmp=$(mktemp -d) || exit 1
	trap 'rm -rf "$tmp"' EXIT
	bad=0
	for args in "" "--seed 7"; do
		# shellcheck disable=SC2086
		"$ref" run --format jsonl $args "$scn" >"$tmp/ref" 2>&1
		# shellcheck disable=SC2086
		MALLOC_PERTURB_=165 "$ref" run --format jsonl $args "$scn" >"$tmp/out" 2>&1
		cmp -s "$tmp/ref" "$tmp/out" || { echo "DIFF $scn ${args:-(default schedule)}: $ref differs under MALLOC_PERTURB_"; bad=1; }
		for other in "$@"; do
			[ "$other" = "$ref" ] && continue
			# shellcheck disable=SC2086
			ASAN_OPTIONS=detect_leaks=0 "$other" run --format jsonl $args "$scn" >"$tmp/out" 2>&1
			cmp -s "$tmp/ref" "$tmp/out" || {
				echo "DIFF $scn ${args:-(default schedule)}: $other differs from $ref"
				diff "$tmp/ref" "$tmp/out" | head -4
				bad=1
			}
		done
	done
	exit $bad
fi

dir=$1
shift
[ $# -ge 2 ] || { echo "usage: $0 SCENARIO_DIR SOSIM SOSIM..."; exit 2; }
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
n=$(find "$dir" -name '*.scn' | wc -l)
find "$dir" -name '*.scn' | LC_ALL=C sort |
	xargs -P 2 -I{} sh "$0" --one {} "$@" >"$out"
cat "$out"
bad=$(grep -c '^DIFF ' "$out")
echo "$n scenarios, $# builds: $bad differences"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
