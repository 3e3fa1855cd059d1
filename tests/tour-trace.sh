#!/bin/sh
# The trace excerpts of docs/tour.md are what `sosim run` prints: each
# fenced block that starts with "-- step" must appear, line for line and
# in order, in the trace of the tour's scenario.
set -u
sosim=$1
doc=$2
scn=$3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$sosim" run "$scn" >"$tmp/trace" 2>&1
python3 - "$doc" "$tmp/trace" <<'PY'
import sys
doc = open(sys.argv[1]).read().split("\n")
trace = open(sys.argv[2]).read().split("\n")
blocks, cur = [], None
for line in doc:
    if line.startswith("```"):
        if cur is not None:
            blocks.append(cur)
            cur = None
        else:
            cur = []
        continue
    if cur is not None:
        cur.append(line)
excerpts = [b for b in blocks if b and b[0].startswith("-- step") or (b and b[0].startswith("   "))]
bad = 0
for b in excerpts:
    n = len(b)
    if not any(trace[i:i + n] == b for i in range(len(trace) - n + 1)):
        print("this excerpt of %s is not in the trace:\n%s" % (sys.argv[1], "\n".join(b)))
        bad += 1
print("%d trace excerpts checked" % len(excerpts))
sys.exit(1 if bad or not excerpts else 0)
PY
