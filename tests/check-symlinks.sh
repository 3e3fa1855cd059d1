#!/bin/sh
# check-symlinks.sh SOSIM SCN: `sosim check` on a directory that holds
# symlinks back to itself (`a -> .`, `b -> .`, `sub/up -> ..`) walks each
# directory once: it ends, and runs each scenario once.
set -u
sosim=$1
scn=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/sub"
cp "$scn" "$tmp/one.scn"
cp "$scn" "$tmp/sub/two.scn"
ln -s . "$tmp/a"
ln -s . "$tmp/b"
ln -s .. "$tmp/sub/up"
timeout 60 "$sosim" check "$tmp" >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] || { echo "sosim check exited $rc:"; head -20 "$tmp/out"; exit 1; }
head -1 "$tmp/out" | grep -qx '1\.\.2' || { echo "expected 2 scenarios, once each:"; cat "$tmp/out"; exit 1; }
grep -q "ok 1 - $tmp/one.scn" "$tmp/out" && grep -q "ok 2 - $tmp/sub/two.scn" "$tmp/out" ||
	{ echo "wrong files:"; cat "$tmp/out"; exit 1; }
echo "each directory walked once"
