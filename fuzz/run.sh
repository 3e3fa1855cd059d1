#!/bin/sh
# fuzz/run.sh: run a fuzz target (docs/fuzzing.md).
#
#   fuzz/run.sh libfuzzer scenario|explore SECONDS [libFuzzer options]
#   fuzz/run.sh afl scenario|explore SECONDS [afl-fuzz options]
#
# libfuzzer runs BUILD/fuzz/fuzz_TARGET of a `CC=clang meson setup BUILD
# -Dfuzz=true` build (BUILD: build-fuzz unless $BUILD says otherwise);
# afl runs the one of a `CC=afl-clang-fast ... -Dfuzz=true` build
# (BUILD: build-afl).  The seeds are the scenarios, tests/bad and
# fuzz/regress; the dictionary is fuzz/sosim.dict.  What the fuzzer keeps
# goes to BUILD/fuzz-corpus/TARGET (libFuzzer) or BUILD/afl-out/TARGET
# (AFL++), and a run started again goes on from there.  Crashes, timeouts
# and out-of-memory inputs: BUILD/fuzz-artifacts/ (libFuzzer) or
# BUILD/afl-out/TARGET/default/crashes and hangs (AFL++).
set -eu

usage() {
	echo "usage: fuzz/run.sh libfuzzer|afl scenario|explore SECONDS [options]" >&2
	exit 2
}
[ $# -ge 3 ] || usage
engine=$1 target=$2 seconds=$3
shift 3
case $target in scenario|explore) ;; *) usage ;; esac
case $seconds in ''|*[!0-9]*) usage ;; esac

src=$(cd "$(dirname "$0")/.." && pwd)
seeds="$src/scenarios $src/tests/bad $src/fuzz/regress"
dict=$src/fuzz/sosim.dict
# every sanitizer report ends the input as a crash, without symbolizing
# in the fuzzer's loop
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"

case $engine in
libfuzzer)
	build=${BUILD:-$src/build-fuzz}
	bin=$build/fuzz/fuzz_$target
	[ -x "$bin" ] || { echo "fuzz/run.sh: no $bin: CC=clang meson setup $build -Dfuzz=true && ninja -C $build fuzz/fuzz_$target" >&2; exit 1; }
	mkdir -p "$build/fuzz-corpus/$target" "$build/fuzz-artifacts"
	# it stops at the first crash; to go on after one, add -fork=1
	# -ignore_crashes=1 (slower: each job runs its share of the corpus first)
	# shellcheck disable=SC2086
	exec "$bin" -max_total_time="$seconds" -dict="$dict" -max_len=4096 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$build/fuzz-artifacts/$target-" "$@" \
	    "$build/fuzz-corpus/$target" $seeds
	;;
afl)
	build=${BUILD:-$src/build-afl}
	bin=$build/fuzz/fuzz_$target
	[ -x "$bin" ] || { echo "fuzz/run.sh: no $bin: CC=afl-clang-fast meson setup $build -Dfuzz=true && ninja -C $build fuzz/fuzz_$target" >&2; exit 1; }
	out=$build/afl-out/$target
	if [ -d "$out/default/queue" ]; then
		in=-            # go on where the last run stopped
	else
		# AFL++ takes one flat directory of seeds
		in=$build/afl-in
		rm -rf "$in"
		mkdir -p "$in"
		# shellcheck disable=SC2086
		find $seeds -name '*.scn' -size -16k | while read -r f; do
			cp "$f" "$in/$(echo "${f#"$src"/}" | tr / _)"
		done
	fi
	mkdir -p "$out"
	AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
	AFL_NO_UI=${AFL_NO_UI:-1} \
	    exec afl-fuzz -i "$in" -o "$out" -x "$dict" -t 3000 -m none \
	    -V "$seconds" "$@" -- "$bin"
	;;
*)
	usage
	;;
esac
