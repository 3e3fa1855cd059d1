#!/usr/bin/env bash
# mutation.sh - the mutation check of the simulated kernel routines
# (docs/testing.md, "Mutation check").
#
# Usage: tests/mutation.sh [--working-tree] [--keep] [NAME...]
#
# Copies the repository as of HEAD (with --working-tree: the files of the
# working tree, committed or not, as git sees them) into a temporary
# directory, builds it once, checks that the unmutated build passes, then
# for each mutation of tests/mutations.txt (or only the NAMEs given):
# applies it, rebuilds incrementally, and runs
#   1. sosim check on every scenario  (its expectations; explored ones explored)
#   2. meson test --suite check       (the Check unit-test suites)
# stopping at the first that fails.  It prints "killed by TEST" or
# "SURVIVED" per mutant; a mutant that does not compile is an error in
# mutations.txt.  Exit status: 0 all killed, 1 some survived, 2 error.
# The mutations are read from the working tree's tests/mutations.txt.
# Not part of `meson test`: it takes minutes (one build, then one
# incremental build and test run per mutant).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(git -C "$here" rev-parse --show-toplevel) || exit 2
list=$here/mutations.txt
from_tree=0
keep=0
want=()
for a in "$@"; do
    case $a in
    --working-tree) from_tree=1 ;;
    --keep) keep=1 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    -*) echo "mutation.sh: unknown option $a" >&2; exit 2 ;;
    *) want+=("$a") ;;
    esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sosim-mutation.XXXXXX") || exit 2
cleanup() { if [ "$keep" = 1 ]; then echo "mutation.sh: kept $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
trap 'exit 2' INT TERM
src=$tmp/src
build=$tmp/build
mkdir -p "$src"
if [ "$from_tree" = 1 ]; then
    (cd "$root" && git ls-files -z --cached --others --exclude-standard |
        xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
        tar --null -T - -cf -) | tar -xf - -C "$src" || exit 2
else
    git -C "$root" archive HEAD | tar -xf - -C "$src" || exit 2
fi

# The programs the tests below use: sosim and the Check suites.
targets=()
build_all() {
    ninja -C "$build" -j"${MUTATION_JOBS:-2}" "${targets[@]}" >"$tmp/build.log" 2>&1
}

echo "mutation.sh: building $(git -C "$root" rev-parse --short HEAD)$([ "$from_tree" = 1 ] && echo ' + working tree') in $tmp"
meson setup "$build" "$src" >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; exit 2; }
mapfile -t targets < <(ninja -C "$build" -t targets all |
    sed -n 's/^\(sosim\|tests\/test_[a-z_]*\): .*/\1/p')
build_all || { tail -30 "$tmp/build.log"; exit 2; }

# run_tests: prints the first failing test, or nothing when all pass.
run_tests() {
    local out=$tmp/scenario.tap scn rc
    # one scenario at a time, stopping at the first that fails; 30 s each,
    # as a mutant may make a scenario loop until its step limit (minutes)
    while IFS= read -r scn; do
        (cd "$src" && timeout 30 "$build/sosim" check "$scn" >"$out" 2>&1)
        rc=$?
        if [ "$rc" = 124 ]; then
            echo "sosim check $scn (over 30 s: a step limit or a hang)"
            return
        elif [ "$rc" != 0 ]; then
            echo "sosim check $scn"
            return
        fi
    done < <(cd "$src" && find scenarios -name '*.scn' | LC_ALL=C sort)
    # --timeout-multiplier: a hanging test stops after 75 s, not 300
    if ! meson test -C "$build" --no-rebuild --suite check --num-processes 2 \
        --timeout-multiplier 0.25 >"$tmp/check.log" 2>&1; then
        local bad
        bad=$(python3 - "$build/meson-logs/testlog.json" <<'EOF'
import json, sys
failed = []
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL"):
        failed.append(t["name"])
print(", ".join(failed) if failed else "meson test")
EOF
)
        echo "$bad"
    fi
}

echo "mutation.sh: the unmutated build"
base=$(run_tests)
if [ -n "$base" ]; then
    echo "mutation.sh: error: the unmutated build fails: $base" >&2
    exit 2
fi

# apply FILE FROM TO: replace the one occurrence of FROM (\n, \t escapes)
apply() {
    python3 - "$@" <<'EOF'
import sys
path, frm, to = sys.argv[1:4]
unesc = lambda s: s.replace("\\n", "\n").replace("\\t", "\t")
frm, to = unesc(frm), unesc(to)
text = open(path).read()
n = text.count(frm)
if n != 1:
    sys.exit(f"'from' occurs {n} times in {path}")
open(path, "w").write(text.replace(frm, to))
EOF
}

start=$(date +%s)
total=0 killed=0 survived=0 errors=0
survivors=()
run_one() {  # name file from to
    local name=$1 file=$2 frm=$3 to=$4 by t0
    if [ "${#want[@]}" -gt 0 ] && [[ ! " ${want[*]} " == *" $name "* ]]; then
        return
    fi
    total=$((total + 1))
    t0=$(date +%s)
    cp -p "$src/$file" "$tmp/orig"
    if ! apply "$src/$file" "$frm" "$to" 2>"$tmp/apply.log"; then
        printf '%-32s ERROR: %s\n' "$name" "$(cat "$tmp/apply.log")"
        errors=$((errors + 1))
        return
    fi
    if ! build_all; then
        printf '%-32s ERROR: does not compile\n' "$name"
        grep -m3 'error' "$tmp/build.log" | sed 's/^/    /'
        errors=$((errors + 1))
    else
        by=$(run_tests)
        if [ -n "$by" ]; then
            printf '%-32s killed by %s (%ds)\n' "$name" "$by" $(($(date +%s) - t0))
            killed=$((killed + 1))
        else
            printf '%-32s SURVIVED (%ds)\n' "$name" $(($(date +%s) - t0))
            survived=$((survived + 1))
            survivors+=("$name")
        fi
    fi
    # back to the original, with a new mtime so that ninja rebuilds it
    cp "$tmp/orig" "$src/$file"
    touch "$src/$file"
}

# Parse mutations.txt: blocks of "key: value" lines.
name='' file='' frm='' to='' seen=()
flush() {
    if [ -n "$name" ]; then
        if [[ " ${seen[*]} " == *" $name "* ]]; then
            echo "mutation.sh: error: mutation $name twice in $list" >&2; exit 2
        fi
        seen+=("$name")
        if [ -z "$file" ] || [ -z "$frm" ]; then
            echo "mutation.sh: error: mutation $name without file or from" >&2; exit 2
        fi
        run_one "$name" "$file" "$frm" "$to" </dev/null
    fi
    name='' file='' frm='' to=''
}
while IFS= read -r line || [ -n "$line" ]; do
    case $line in
    '#'*) continue ;;
    '') flush ;;
    name:*) name=$(sed 's/^name:[[:space:]]*//' <<<"$line") ;;
    file:*) file=$(sed 's/^file:[[:space:]]*//' <<<"$line") ;;
    from:*) frm=$(sed 's/^from:[[:space:]]*//' <<<"$line") ;;
    to:*) to=$(sed 's/^to:[[:space:]]*//' <<<"$line") ;;
    breaks:*|kernel:*) ;;
    *) echo "mutation.sh: error: $list: bad line: $line" >&2; exit 2 ;;
    esac
done <"$list"
flush

echo "mutation.sh: $total mutants: $killed killed, $survived survived, $errors errors ($(($(date +%s) - start)) s)"
[ "$survived" -gt 0 ] && echo "mutation.sh: survivors: ${survivors[*]}"
[ "$errors" -gt 0 ] && exit 2
[ "$survived" -gt 0 ] && exit 1
exit 0
