#!/bin/sh
# A malformed scenario must be refused with exit status 2 and a
# "file:line:col: error:" message pointing into it, and nothing on stdout.
# A comment line "# error: LINE:COL: error: MESSAGE" in the file declares
# the message: the output must hold "FILE:" and that text.
set -u
sosim=$1
bad=$2
out=$("$sosim" run "$bad" 2>&1 >/dev/null)
rc=$?
[ $rc -eq 2 ] || { echo "$bad: exit $rc, want 2"; echo "$out"; exit 1; }
name=$(basename "$bad")
printf '%s\n' "$out" | grep -qE "$name:[0-9]+:[0-9]+: error: " || { echo "$bad: no file:line:col error"; echo "$out"; exit 1; }
printf '%s\n' "$out" | grep -q '\^' || { echo "$bad: no caret line"; echo "$out"; exit 1; }
want=$(sed -n 's/^# error: //p' "$bad")
if [ -n "$want" ]; then
	printf '%s\n' "$out" | grep -qF -- "$name:$want" || { echo "$bad: want $name:$want"; echo "$out"; exit 1; }
fi
echo "$out"
