#!/bin/sh
# Random interleavings (--seed 1..N) of a scenario may change op results,
# but never break an invariant or crash: every run must exit 0 or 1 and
# report no violation the scenario does not expect.
set -u
sosim=$1
scn=$2
n=${3:-12}
expects_violation=$(grep -cE '^expect (sometimes |always )?violation [A-Za-z-]+' "$scn" | tr -d ' ')
grep -qE '^expect violation none' "$scn" && expects_violation=0
s=1
while [ "$s" -le "$n" ]; do
	out=$("$sosim" run --quiet --seed "$s" "$scn" 2>&1)
	rc=$?
	if [ $rc -gt 1 ]; then
		echo "$scn --seed $s: exit $rc"
		echo "$out" | tail -5
		exit 1
	fi
	if [ "$expects_violation" = 0 ] && printf '%s\n' "$out" | grep -q 'invariant [A-Za-z-]* violated at step'; then
		echo "$scn --seed $s: an invariant broke"
		printf '%s\n' "$out" | grep 'violated at step' | head -3
		exit 1
	fi
	s=$((s + 1))
done
echo "$scn: $n random interleavings, no violation"
