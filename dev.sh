#!/usr/bin/env bash
# dev.sh - set up, build, demo and test sosim on Debian 12.
# Usage: ./dev.sh {setup|demo [ARGS...]|test|valgrind|bench|clean|help}
set -euo pipefail

cd "$(dirname "$0")"

PACKAGES=(
    build-essential meson ninja-build pkg-config
    libglib2.0-dev libjson-glib-dev libncurses-dev libgraphviz-dev graphviz
    check python3 libxxhash-dev tmux clang
)
BUILD=build
BUILD_ASAN=build-asan
BUILD_CLANG=build-clang
DEMO_SCENARIO=scenarios/teaching/01-stream-send-receive.scn

say() { printf 'dev.sh: %s\n' "$*"; }
die() { printf 'dev.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
    cat <<'EOF'
Usage: ./dev.sh COMMAND [ARGS...]

Commands:
  setup        install missing Debian packages (as root), configure and build in build/
  demo [ARGS]  setup, then open scenarios/teaching/01-stream-send-receive.scn in
               build/sosim tui when run in a terminal with no ARGS, else
               print its trace with build/sosim run ... [ARGS]
  test         setup, run the test suite in build/, again under ASan+UBSan in build-asan/
               (gcc) and in build-clang/ (clang), then print "N passed, M failed"
  valgrind     setup, then run the suite's programs under valgrind memcheck (every
               Check suite, every scenario, the fuzz corpus, the error, golden and
               docs tests); any memory error or leak fails the test
  bench        setup, then run the benchmarks (meson test --benchmark)
  clean        remove build/, build-asan/ and build-clang/
  help         show this text
EOF
}

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_packages() {
    local missing=() pkg
    command -v dpkg-query >/dev/null 2>&1 ||
        die "dpkg-query not found; this script expects Debian 12"
    for pkg in "${PACKAGES[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        say "all build dependencies are installed"
        return 0
    fi
    say "missing packages: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        say "run this, then retry:"
        printf 'sudo apt-get install -y --no-install-recommends %s\n' "${missing[*]}"
        exit 1
    fi
    # apt-get reads DEBIAN_FRONTEND from the environment; pass it on if set.
    if [ -n "${DEBIAN_FRONTEND:-}" ]; then
        export DEBIAN_FRONTEND
    fi
    say "installing: ${missing[*]}"
    if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
        say "install failed; running apt-get update and retrying"
        apt-get update
        apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

# install_packages_named PKG...: install these too (for one command only).
install_packages_named() {
    local saved=("${PACKAGES[@]}")
    PACKAGES=("$@")
    install_packages
    PACKAGES=("${saved[@]}")
}

# configure DIR ARGS...: run meson setup unless DIR already has a build.ninja.
configure() {
    local dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        return 0
    fi
    say "configuring $dir"
    # Also recovers from an earlier configure that failed half-way.
    meson setup "$dir" "$@"
}

setup() {
    install_packages
    [ -f meson.build ] || die "meson.build not found in $(pwd)"
    configure "$BUILD" --buildtype=debugoptimized
    say "building $BUILD"
    ninja -C "$BUILD"
}

# count_results LOGFILE: print "PASSED FAILED" for one meson testlog.json.
count_results() {
    python3 - "$1" <<'EOF'
import json, sys

passed = failed = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        try:
            result = json.loads(line).get("result")
        except (ValueError, AttributeError):
            failed += 1
            continue
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            pass
        else:
            failed += 1
print(passed, failed)
EOF
}

TOTAL_PASSED=0
TOTAL_FAILED=0
ALL_RAN=1

# run_suite DIR [ENV=VALUE...] -- [MESON TEST ARGS...]: run one suite and
# add its counts to the totals. Never aborts the script.
run_suite() {
    local dir=$1 log rc=0 counts p f
    shift
    local envs=()
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
        envs+=("$1")
        shift
    done
    if [ "$#" -gt 0 ]; then shift; fi
    log="$dir/meson-logs/testlog.json"
    rm -f "$log"
    say "running the test suite in $dir"
    env ${envs[@]+"${envs[@]}"} meson test -C "$dir" --print-errorlogs "$@" || rc=$?
    if [ -f "$log" ]; then
        if ! counts=$(count_results "$log"); then
            say "could not parse $log"
            ALL_RAN=0
            return 0
        fi
        read -r p f <<<"$counts"
        say "$dir: $p passed, $f failed (meson test exit status $rc)"
        TOTAL_PASSED=$((TOTAL_PASSED + p))
        TOTAL_FAILED=$((TOTAL_FAILED + f))
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            # meson reported a problem its log does not show; count it.
            say "$dir: meson test failed without a failing test result"
            TOTAL_FAILED=$((TOTAL_FAILED + 1))
        fi
    elif [ "$rc" -eq 0 ]; then
        say "$dir: no tests were run"
    else
        say "$dir: meson test did not run (exit status $rc)"
        ALL_RAN=0
    fi
}

cmd_test() {
    setup
    run_suite "$BUILD" --

    local asan_ok=1
    configure "$BUILD_ASAN" -Db_sanitize=address,undefined -Db_lundef=false \
        --buildtype=debug || asan_ok=0
    if [ "$asan_ok" -eq 1 ]; then
        say "building $BUILD_ASAN"
        ninja -C "$BUILD_ASAN" || asan_ok=0
    fi
    if [ "$asan_ok" -eq 1 ]; then
        run_suite "$BUILD_ASAN" \
            ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            -- --timeout-multiplier 4
    else
        say "$BUILD_ASAN: configure or build failed; sanitizer run skipped"
        ALL_RAN=0
    fi

    # clang's sanitizers find what gcc's miss (e.g. pointer arithmetic on
    # NULL): a third run, built with clang
    local clang_ok=1
    if [ ! -f "$BUILD_CLANG/build.ninja" ]; then
        say "configuring $BUILD_CLANG"
        CC=clang meson setup "$BUILD_CLANG" -Db_sanitize=address,undefined \
            -Db_lundef=false --buildtype=debugoptimized || clang_ok=0
    fi
    if [ "$clang_ok" -eq 1 ]; then
        say "building $BUILD_CLANG"
        ninja -C "$BUILD_CLANG" || clang_ok=0
    fi
    if [ "$clang_ok" -eq 1 ]; then
        run_suite "$BUILD_CLANG" \
            ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            -- --timeout-multiplier 4
    else
        say "$BUILD_CLANG: configure or build failed; clang sanitizer run skipped"
        ALL_RAN=0
    fi

    # one trace whatever the compiler, the optimiser and malloc
    if [ "$asan_ok" -eq 1 ] && [ "$clang_ok" -eq 1 ]; then
        say "comparing the traces of gcc -O2, gcc -O0 and clang -O2"
        if tests/determinism-builds.sh scenarios "$BUILD/sosim" \
            "$BUILD_ASAN/sosim" "$BUILD_CLANG/sosim"; then
            TOTAL_PASSED=$((TOTAL_PASSED + 1))
        else
            TOTAL_FAILED=$((TOTAL_FAILED + 1))
        fi
    fi

    echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
    [ "$TOTAL_FAILED" -eq 0 ] && [ "$ALL_RAN" -eq 1 ]
}

# The suites whose programs are worth running under memcheck; the random
# interleavings and determinism suites repeat the scenario runs, the TUI's
# tmux tests would only be slower.
cmd_valgrind() {
    setup
    install_packages_named valgrind
    run_suite "$BUILD" -- --setup valgrind --num-processes 2 \
        --suite check --suite scenarios --suite fuzz --suite errors \
        --suite golden
    echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed under valgrind"
    [ "$TOTAL_FAILED" -eq 0 ] && [ "$ALL_RAN" -eq 1 ]
}

cmd=${1:-help}
if [ "$#" -gt 0 ]; then shift; fi

case "$cmd" in
    setup)
        setup
        ;;
    demo)
        setup
        # in a terminal, the step-through viewer; otherwise the trace
        if [ -t 0 ] && [ -t 1 ] && [ $# -eq 0 ]; then
            say "opening $DEMO_SCENARIO in sosim tui (n/N step, ? help, q quit)"
            exec "$BUILD/sosim" tui "$DEMO_SCENARIO"
        fi
        say "running $DEMO_SCENARIO"
        exec "$BUILD/sosim" run "$DEMO_SCENARIO" "$@"
        ;;
    valgrind)
        cmd_valgrind
        ;;
    test)
        cmd_test
        ;;
    bench)
        setup
        meson test -C "$BUILD" --benchmark --verbose
        ;;
    clean)
        say "removing $BUILD, $BUILD_ASAN and $BUILD_CLANG"
        rm -rf -- "$BUILD" "$BUILD_ASAN" "$BUILD_CLANG"
        ;;
    help | -h | --help)
        usage
        ;;
    *)
        usage >&2
        exit 2
        ;;
esac
