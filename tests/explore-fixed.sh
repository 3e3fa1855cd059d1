#!/bin/sh
# A fixed kernel has no race of its own: every scenario whose profile runs
# with no quirk switched on is explored at 2 preemptions, and no schedule
# may end in a deadlock or a broken invariant unless the scenario says it
# expects one (`expect [always|sometimes] deadlock` or a `violation`
# other than none).  Expectations on values may differ by order; these
# may not.  perf/ (not a race) and history/ (defects on purpose) are left
# out; the regress ports are explored like the rest.
set -u
sosim=$1
root=$2
status=0
checked=0
for s in $(find "$root/scenarios" -name '*.scn' -not -path '*/perf/*' -not -path '*/history/*' | sort); do
	grep -qE '^profile +(netbsd-2005-splice)' "$s" && continue
	grep -E '^quirk +' "$s" | grep -vqE ' off *$' && continue
	if grep -qE '^expect +(always +|sometimes +)?(deadlock|violation +[a-zA-Z-]+)' "$s" &&
	    ! grep -qE '^expect +(always +)?violation +none' "$s"; then
		continue
	fi
	checked=$((checked + 1))
	out=$("$sosim" explore "$s" --preemptions 2 --max-states 3000000 2>&1)
	if printf '%s\n' "$out" | grep -qE ': (no-deadlock|violation none): '; then
		echo "$s: a deadlock or a broken invariant the scenario does not expect, on a fixed kernel"
		printf '%s\n' "$out" | grep -E 'no-deadlock|violation|schedule:|replay:'
		status=1
	fi
done
echo "$checked scenarios explored on fixed kernels"
[ "$checked" -ge 20 ] || { echo "too few scenarios ($checked)"; status=1; }
exit $status
