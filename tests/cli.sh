#!/bin/bash
# cli.sh SOSIM SOURCE_ROOT: the command line a newcomer meets.
#  - --version and `version` print the meson project version;
#  - `sosim help` lists every command; `sosim help CMD` and `sosim CMD
#    --help` print the same help, with every option described and the
#    exit statuses; run's names the default profile;
#  - unknown options and values out of range are errors, with the usage
#    of the command, exit 2, and no output file written;
#  - a --schedule entry the run never reaches, or whose thread cannot run
#    at its step, is an error (exit 2);
#  - with -o FILE the verdict, and the profile, still reach the terminal;
#  - check: a missing path is a TAP `not ok` line and the rest still run;
#    --bogus is an option error; no double negative in a verdict;
#  - explore saves NAME.schedule beside NAME.scn (or where --save says),
#    says where, and its replay line names the program as invoked and
#    replays the failure;
#  - run names the profile it used;
#  - man/sosim.1 renders without a warning and names every command,
#    option, profile and quirk the program knows;
#  - the bash completion (and the zsh one, if zsh is here) completes
#    commands, each command's options, profile and quirk names;
#  - list scenarios shows the teaching scenarios with their descriptions,
#    from the source tree here, and from the data directory once
#    installed (meson install --destdir).
set -u
sosim=$(realpath "$1")
root=$(realpath "$2")
builddir=$(dirname "$sosim")
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
lesson=$root/scenarios/teaching/01-stream-send-receive.scn
commands="run explore check list dot tui"

# run CMD... : stdout in $tmp/out, stderr in $tmp/err, status in $rc
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
# expect_rc N WHAT: the last run exited N
expect_rc() { [ "$rc" = "$1" ] || { fail "$2: exit $rc, want $1"; sed 's/^/    /' "$tmp/err" | head -5; }; }
# has FILE REGEX WHAT
has() { grep -qE -- "$2" "$1" || { fail "$3: no /$2/ in"; sed 's/^/    /' "$1" | head -8; }; }
hasnt() { ! grep -qE -- "$2" "$1" || { fail "$3: /$2/ in"; grep -E -- "$2" "$1" | sed 's/^/    /' | head -4; }; }

# ---- version
version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$root/meson.build" | head -1)
[ -n "$version" ] || fail "no version in meson.build"
run "$sosim" --version
expect_rc 0 "--version"
[ "$(cat out)" = "sosim $version" ] || fail "--version says '$(cat out)', want 'sosim $version'"
run "$sosim" version
expect_rc 0 "version"
[ "$(cat out)" = "sosim $version" ] || fail "version says '$(cat out)'"

# ---- help
run "$sosim" help
expect_rc 0 "help"
for c in $commands help version; do
	has out "^  $c +[A-Z][a-z]+ " "sosim help lists $c with a line"
done
run "$sosim"
expect_rc 2 "no command"
has err "^  run " "no command: the commands on stderr"
run "$sosim" frobnicate
expect_rc 2 "an unknown command"
has err "unknown command 'frobnicate'" "an unknown command"

# the default profile: what a run of a scenario without a profile line uses
printf 'tcp a b\nthread w:\n    send a 100 => 100\nthread r:\n    recv b 100 => 100\nexpect delivered b == 100\n' >plain.scn
default_profile=$("$sosim" run plain.scn | sed -n '1s/.*: profile \([^,]*\),.*/\1/p')
[ -n "$default_profile" ] || fail "run's header names no profile"
for c in $commands; do
	run "$sosim" help "$c"
	expect_rc 0 "help $c"
	cp out help-$c
	tr '\n' ' ' <help-$c | tr -s ' ' >flat-$c
	run "$sosim" "$c" --help
	expect_rc 0 "$c --help"
	cmp -s out help-$c || fail "sosim help $c and sosim $c --help differ"
	run "$sosim" "$c" -h
	cmp -s out help-$c || fail "sosim $c -h differs from --help"
	has help-$c "^usage: sosim $c" "help $c: the usage"
	has help-$c "^Options:" "help $c: the options"
	has help-$c "^  -h, --help +Print this help" "help $c: --help itself"
	has help-$c "^Exit status:" "help $c: the exit statuses"
	has help-$c "^  0  " "help $c: exit status 0"
	has help-$c "^  2  " "help $c: exit status 2"
	awk 'length > 79' help-$c >wide
	[ -s wide ] && fail "help $c: lines wider than 79 columns: $(head -2 wide)"
	# every option has its meaning: text after it, or on the next line
	awk '/^Options:/ { o = 1; next } /^$/ { o = 0 } o && /^  -/ {
		line = $0; sub(/^ +(-[a-zA-Z], )?--[a-z-]+( [A-Z.]+)?/, "", line)
		if (line !~ /[a-z]/) { getline nxt; if (nxt !~ /^      +[A-Za-z]/) print $0 } }' help-$c >undescribed
	[ -s undescribed ] && fail "help $c: options without a meaning: $(cat undescribed)"
	# the options, for the man page and the completion below
	awk '/^Options:/ { o = 1; next } /^$/ { o = 0 } o' help-$c |
		grep -oE -- '--[a-z][a-z-]*' | sort -u >options-$c
	[ -s options-$c ] || fail "help $c: no options found"
done
for s in 1 4; do has help-run "^  $s  " "help run: exit status $s"; done
for s in 1 3; do has help-explore "^  $s  " "help explore: exit status $s"; done
has flat-run "--profile P Kernel profile P .* default: the scenario's .profile. line, else $default_profile -q" "help run: the default profile"
has flat-run "--output FILE Write the trace to FILE .* the verdict is then also printed on stderr" "help run: where the verdict goes with -o"

# ---- unknown options: the usage of the command, exit 2
for c in $commands; do
	run "$sosim" "$c" --bogus "$lesson"
	expect_rc 2 "$c --bogus"
	has err "Unknown option --bogus" "$c --bogus: says which option"
	has err "^usage: sosim $c" "$c --bogus: the usage of $c"
done

# ---- values out of range: exit 2, a message naming the option, nothing written
bad() {
	rm -f never.txt*
	run "$sosim" "$@"
	expect_rc 2 "$*"
	has err "$want" "$*: the message"
	has err "^usage: sosim $1" "$*: the usage"
	ls never.txt* >/dev/null 2>&1 && fail "$*: wrote -o $(ls never.txt*)"
}
want='Cannot parse integer value .garbage. for --seed' bad run "$lesson" --seed garbage -o never.txt
want='--seed -5: a seed is 0 or more' bad run "$lesson" --seed -5 -o never.txt
want='--max-steps 0: give 1 or more' bad run "$lesson" --max-steps 0 -o never.txt
want='--max-steps -3: give 1 or more' bad run "$lesson" --max-steps -3 -o never.txt
want='--format xml' bad run "$lesson" --format xml -o never.txt
want='--check sometimes' bad run "$lesson" --check sometimes -o never.txt
want='Missing argument for --seed' bad run "$lesson" --seed
want='--preemptions -1: give 0 to 16' bad explore "$lesson" --preemptions -1
want='--preemptions 17: give 0 to 16' bad explore "$lesson" --preemptions 17
want='--max-states 0: give 1 or more' bad explore "$lesson" --max-states 0
want='--random -5: give 1 or more' bad explore "$lesson" --random -5
want='--random 0: give 1 or more' bad explore "$lesson" --random 0
want='--seed -1: a seed is 0 or more' bad explore "$lesson" --random 5 --seed -1
want='--depth 0: give 1 to 16' bad explore "$lesson" --random 5 --depth 0
want='--seed is for --random' bad explore "$lesson" --seed 3
want='--at -3: give a step number' bad dot "$lesson" --at -3 -o never.txt.svg
want='--seed -2: a seed is 0 or more' bad dot "$lesson" --seed -2 -o never.txt.svg
want='--at -3: give a step number' bad tui "$lesson" --at -3
want='give exactly one scenario file$' bad run
want='give exactly one scenario file, not' bad run "$lesson" "$lesson"
want="unknown list 'frobs'" bad list frobs

# ---- --schedule that does not fit the run
rm -f never.txt
run "$sosim" run "$lesson" --schedule 3:reader -o never.txt
expect_rc 2 "--schedule 3:reader (reader cannot run at step 3)"
has err "entry 1 \(3:reader\): reader cannot run at step 3; only writer can" "--schedule 3:reader"
[ -e never.txt ] && fail "--schedule 3:reader: wrote -o never.txt"
run "$sosim" run "$lesson" --schedule 1:reader,999:writer
expect_rc 2 "--schedule 999:writer (past the end)"
has err "entry 2 \(999:writer\): the run ends after step [0-9]+ and never reaches step 999" "--schedule past the end"
[ -s out ] && fail "--schedule past the end: a trace was printed"
run "$sosim" run "$lesson" --schedule 1:reader --quiet
expect_rc 0 "--schedule 1:reader (fits)"
has out ", schedule 1:reader" "--schedule 1:reader: the header names it"
# a step limit may stop the run before the last entries
run "$sosim" run "$lesson" --schedule 1:reader,999:writer --max-steps 5 --quiet
[ $rc = 1 ] || [ $rc = 3 ] || fail "--schedule past --max-steps: exit $rc, want the limit's 3 (or 1)"
has out "the run was stopped" "--schedule past --max-steps: stopped by the limit"
echo 1:reader,999:writer >past.schedule
run "$sosim" dot "$lesson" --schedule past.schedule
expect_rc 2 "dot --schedule FILE past the end"
has err "sosim dot: error: --schedule entry 2 \(999:writer\)" "dot --schedule FILE past the end"

# ---- the profile, and the verdict on the terminal with -o
run "$sosim" run "$lesson" --profile openbsd-7.6 --quiet
has out "^== .*: profile openbsd-7.6, quirks" "run --quiet names the profile"
run "$sosim" run "$lesson" -o trace.txt
expect_rc 0 "run -o trace.txt"
[ -s out ] && fail "run -o: something on stdout"
has trace.txt "^-- step 1 " "run -o: the trace in the file"
has err "^== .*: profile netbsd-2.0, quirks none" "run -o: the profile on the terminal"
[ "$(grep -c ': held: ' err)" = "$(grep -c ': held: ' trace.txt)" ] && grep -q ': held: ' err ||
	fail "run -o: the verdict lines on the terminal are not those of the trace"
has err "all expectations held" "run -o: the summary on the terminal"
hasnt err "^-- step" "run -o: the trace on the terminal"
printf 'tcp a b\nthread r:\n    recv b 100 WAITALL => 100\nexpect delivered b == 100\n' >hang.scn
run "$sosim" run hang.scn --format jsonl -o hang.jsonl
expect_rc 1 "run hang.scn -o"
has err "hang.scn:4:8: FAILED: delivered b == 100" "run -o: a failure on the terminal"
has err "expectations FAILED" "run -o: the failed summary on the terminal"
run "$sosim" run hang.scn --format chrome
has err "hang.scn:4:8: FAILED" "run --format chrome: the verdict on stderr"

# ---- check
run "$sosim" check missing.scn plain.scn hang.scn
expect_rc 1 "check with a missing file"
has out "^1\.\.3$" "check: the plan"
has out "^not ok 1 - missing.scn: No such file or directory$" "check: the missing file"
has out "^ok 2 - plain.scn: " "check: goes on after a missing file"
has out "^not ok 3 - hang.scn: line 4: expected delivered b == 100: programs read 0 bytes" "check: a failed expect line"
run "$sosim" check --bogus
expect_rc 2 "check --bogus"
has err "^usage: sosim check" "check --bogus: the usage"
[ -s out ] && fail "check --bogus: TAP was printed"
# what no expect line allows reads as English: no "expected unexpected"
printf 'tcp a b\nthread r:\n    recv b 100 WAITALL => 100\n' >dead.scn
printf 'tcp a b\nexplore\nthread r:\n    recv b 100 WAITALL => 100\n' >dead-explored.scn
run "$sosim" check dead.scn dead-explored.scn
expect_rc 1 "check of deadlocks"
has out "^not ok 1 - dead.scn: unexpected deadlock at" "check: an unexpected deadlock"
has out "^not ok 2 - dead-explored.scn: schedule default fails: unexpected deadlock" "check: an explored deadlock"
hasnt out "expected unexpected|got unexpected|expected every run to hold, got" "check: a double negative"

# ---- explore: the schedule beside the scenario, the replay line as invoked
mkdir -p bin sub elsewhere
ln -s "$sosim" bin/sosim
cp "$root/tests/tui/race-stale-handle.scn" sub/race.scn
run ./bin/sosim explore sub/race.scn
expect_rc 1 "explore sub/race.scn"
[ -f sub/race.schedule ] || fail "explore: no sub/race.schedule beside sub/race.scn"
[ -e race.schedule ] && fail "explore: race.schedule in the current directory"
has out "^saved: sub/race.schedule$" "explore: says where it saved"
has out "^replay: \./bin/sosim run sub/race.scn --schedule sub/race.schedule$" "explore: the replay line"
has out "^watch:  \./bin/sosim tui sub/race.scn --schedule sub/race.schedule --at [0-9]+$" "explore: the watch line"
replay=$(sed -n 's/^replay: //p' out)
if [ -n "$replay" ]; then
	eval "$replay" >replay.out 2>&1
	rc=$?
	expect_rc 1 "the replay line"
	has replay.out "FAILED" "the replay line: the failure again"
fi
grep -v '^#' sub/race.schedule | grep -qE '^[0-9]+:[a-z]' || fail "explore: sub/race.schedule holds no schedule"
rm -f sub/race.schedule
run ./bin/sosim explore sub/race.scn --save elsewhere/r.sched
has out "^saved: elsewhere/r.sched$" "explore --save: says where"
[ -f elsewhere/r.sched ] || fail "explore --save: no elsewhere/r.sched"
[ -e sub/race.schedule ] && fail "explore --save: wrote sub/race.schedule too"
has out "^replay: \./bin/sosim run sub/race.scn --schedule elsewhere/r.sched$" "explore --save: the replay line"

# ---- the man page
man_page=$root/man/sosim.1
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l "$man_page" >man.txt 2>man.err
	[ -s man.err ] && { fail "man warns:"; head -5 man.err; }
else
	groff -man -ww -Tutf8 "$man_page" 2>man.err | col -b >man.txt
	[ -s man.err ] && { fail "groff warns:"; head -5 man.err; }
fi
[ -s man.txt ] || fail "the man page renders empty"
has man.txt "sosim $version" "the man page: the version"
# the lists the program prints, by name: the first column of list profiles
# and list quirks must be what --names gives
for k in profiles quirks; do
	"$sosim" list "$k" | grep -oE '^[a-z][a-z0-9.-]*' >list-$k
	"$sosim" list --names "$k" >names-$k
	cmp -s list-$k names-$k || fail "list $k and list --names $k name different things"
	[ "$(wc -l <names-$k)" -ge 3 ] || fail "list --names $k: too few"
	while read -r n; do
		grep -qE -- "(^|[^a-z0-9-])$n([^a-z0-9-]|$)" man.txt || fail "the man page does not name the $k entry $n"
	done <names-$k
done
grep -qE '^ +netbsd-2.0' man.txt && grep -q "The default profile" man.txt || fail "the man page: the default profile"
for c in $commands help version; do
	grep -qE "^ +sosim $c" man.txt || fail "the man page has no section for $c"
done
for c in $commands; do
	while read -r o; do
		grep -q -- "$o" man.txt || fail "the man page does not name $c $o"
	done <options-$c
done
# the statuses the commands' help gives, in the man page's EXIT STATUS
cat help-* | awk '/^Exit status:/ { e = 1; next } /^$/ { e = 0 } e' |
	grep -oE '^  [0-9]+(, [0-9]+)*' | grep -oE '[0-9]+' | sort -un >statuses
[ "$(wc -l <statuses)" -ge 5 ] || fail "the commands' help gives too few exit statuses: $(cat statuses)"
sed -n '/^EXIT STATUS/,/^[A-Z]/p' man.txt >man-exit
while read -r n; do
	grep -qE "^       ([0-9]+, )*$n(,| |$)" man-exit || fail "the man page's EXIT STATUS has no $n"
done <statuses
for s in "SCENARIO FILES" PROFILES QUIRKS FILES EXAMPLES "EXIT STATUS"; do
	grep -q "^$s" man.txt || fail "the man page has no $s section"
done
has man.txt "docs/scenario-language.md" "the man page points to the scenario language"

# ---- bash completion
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_sosim 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}" | sort
}
# shellcheck source=/dev/null
source "$root/completion/sosim.bash"
[ "$(comp "$sosim" r)" = run ] || fail "bash: sosim r<TAB> gives '$(comp "$sosim" r)'"
[ "$(comp "$sosim" run --prof)" = --profile ] || fail "bash: sosim run --prof<TAB>"
[ "$(comp "$sosim" run x.scn --profile "")" = "$(sort names-profiles)" ] ||
	fail "bash: sosim run x.scn --profile <TAB> gives '$(comp "$sosim" run x.scn --profile "" | tr '\n' ' ')'"
[ "$(comp "$sosim" run x.scn --profile = "")" = "$(sort names-profiles)" ] || fail "bash: --profile=<TAB>"
[ "$(comp "$sosim" explore --quirk "")" = "$(sort names-quirks)" ] || fail "bash: --quirk <TAB>"
[ "$(comp "$sosim" run --quirk waitall-peek-hang = o | tr '\n' ' ')" = "off on " ] || fail "bash: --quirk Q=<TAB>"
[ "$(comp "$sosim" dot --machine soreceive_d)" = soreceive_dgram ] || fail "bash: --machine <TAB>"
[ "$(comp "$sosim" run --format j)" = jsonl ] || fail "bash: --format <TAB>"
[ "$(comp "$sosim" help e)" = explore ] || fail "bash: help <TAB>"
[ "$(comp "$sosim" list sc)" = scenarios ] || fail "bash: list <TAB>"
for c in $commands; do
	[ "$(comp "$sosim" "$c" --)" = "$(cat options-$c)" ] ||
		fail "bash: sosim $c --<TAB> gives '$(comp "$sosim" "$c" -- | tr '\n' ' ')', its help '$(tr '\n' ' ' <options-$c)'"
done
mkdir files
(
	f0=$fails
	cd files || exit 1
	touch a.scn b.txt c.jsonl
	mkdir d.dir
	[ "$(comp "$sosim" run "" | tr '\n' ' ')" = "a.scn d.dir " ] ||
		fail "bash: sosim run <TAB> gives '$(comp "$sosim" run "" | tr '\n' ' ')'"
	[ "$(comp "$sosim" tui "" | tr '\n' ' ')" = "a.scn c.jsonl d.dir " ] ||
		fail "bash: sosim tui <TAB> gives '$(comp "$sosim" tui "" | tr '\n' ' ')'"
	[ "$(comp "$sosim" run x.scn --schedule "" | tr '\n' ' ')" = "d.dir " ] ||
		fail "bash: --schedule <TAB> gives '$(comp "$sosim" run x.scn --schedule "" | tr '\n' ' ')'"
	[ $fails = "$f0" ]
) || fails=$((fails + 1))

# ---- zsh completion, driven in a pseudo-terminal
if command -v zsh >/dev/null; then
	# each case: what to type, then =BUFFER (the line after TAB), @WORDS
	# (each of them must be in the list below it) or a pattern the list
	# must show
	cat >zcomp.zsh <<'EOF'
zmodload zsh/zpty
zpty z env PATH=$1:$PATH TERM=dumb zsh -f -i
zpty -w z "PS1='> '; fpath=($2 \$fpath); autoload -U compinit; compinit -u -D; LISTMAX=1000"
zpty -w z 'show() { print -rn -- "BUF<$BUFFER>" }; zle -N show; bindkey "^Xb" show; echo READY'
o=; x=; for i in {1..100}; do zpty -r -t z x && o+=$x; [[ $o == *READY*READY* ]] && break; sleep 0.1; done
shift 2
while (( $# >= 2 )); do
  zpty -w -n z "$1"$'\t'$'\C-x'b
  o=; for i in {1..100}; do zpty -r -t z x && o+=$x; [[ $o == *BUF\<*\>* ]] && break; sleep 0.1; done
  o=${o//$'\r'/}
  if [[ $2 == '='* ]]; then
    [[ $o == *"BUF<${2#=}>"* ]]
  elif [[ $2 == '@'* ]]; then
    missing=()
    for w in ${=2#@}; do [[ $o == *[[:space:]]${w}[[:space:]=]* ]] || missing+=$w; done
    (( $#missing == 0 )) || o="no $missing in $o"
    (( $#missing == 0 ))
  else
    [[ $o == *${~2}* ]]
  fi && print -r "ok: $1" || print -r "FAIL: zsh: '$1<TAB>' gives ${(q-)o}, want $2"
  zpty -w -n z $'\C-u'; sleep 0.2; while zpty -r -t z x; do :; done
  shift 2
done
zpty -d z
EOF
	mkdir -p zbin
	ln -s "$sosim" zbin/sosim
	timeout 120 zsh -f zcomp.zsh "$tmp/zbin" "$root/completion" \
		'sosim r' '=sosim run ' \
		'sosim run --prof' '=sosim run --profile=' \
		'sosim run x.scn --profile ' 'netbsd-2005-splice*openbsd-7.6' \
		'sosim explore --quirk waitall-peek-h' '=sosim explore --quirk waitall-peek-hang' \
		'sosim run --quirk waitall-peek-hang=of' '=sosim run --quirk waitall-peek-hang=off ' \
		'sosim dot --machine soreceive_' '=sosim dot --machine soreceive_dgram ' \
		'sosim list ' 'contexts*violations' \
		'sosim run --' "@$(tr '\n' ' ' <options-run)" \
		'sosim explore --' "@$(tr '\n' ' ' <options-explore)" \
		'sosim dot --' "@$(tr '\n' ' ' <options-dot)" \
		'sosim tui --' "@$(tr '\n' ' ' <options-tui)" \
		'sosim list --' "@$(tr '\n' ' ' <options-list)" >zsh.out 2>&1
	grep -q '^ok: sosim list ' zsh.out || fail "zsh: the completion test did not run through: $(tail -3 zsh.out)"
	while read -r l; do fail "${l#FAIL: }"; done < <(grep "^FAIL" zsh.out)
else
	echo "zsh not installed: its completion not tried"
fi

# ---- list scenarios: from the source tree here
nlessons=$(ls "$root"/scenarios/teaching/*.scn | wc -l)
run "$sosim" list scenarios
expect_rc 0 "list scenarios"
has out "^The lessons, in $root/scenarios/teaching " "list scenarios: from the source tree"
[ "$(grep -c '^  [0-9][0-9]-.*\.scn  ' out)" = "$nlessons" ] || fail "list scenarios: not the $nlessons lessons"
has out "^  01-stream-send-receive.scn +Stream send and receive: the basic path of a TCP byte stream\.$" "list scenarios: a description"
has out "^  02-waitall.scn +MSG_WAITALL: a reader that wants 40000 bytes, more than its receive buffer can hold \(sb_hiwat 16384\)\.$" "list scenarios: a description on two lines"
run "$sosim" list --names scenarios
[ "$(head -1 out)" = "$root/scenarios/teaching/01-stream-send-receive.scn" ] || fail "list --names scenarios: $(head -1 out)"

# ---- meson install: the program, the manual, the completions, the scenarios
if command -v meson >/dev/null && [ -f "$builddir/meson-private/install.dat" ]; then
	dest=$tmp/dest
	if meson install -C "$builddir" --destdir "$dest" --no-rebuild --quiet >install.log 2>&1; then
		bin=$(find "$dest" -path '*/bin/sosim' -type f | head -1)
		[ -n "$bin" ] || fail "install: no bin/sosim"
		share=${bin%/bin/sosim}/share
		[ -f "$share/man/man1/sosim.1" ] || fail "install: no man1/sosim.1"
		[ -f "$share/bash-completion/completions/sosim" ] || fail "install: no bash completion"
		[ -f "$share/zsh/site-functions/_sosim" ] || fail "install: no zsh completion"
		[ -f "$share/sosim/scenarios/teaching/01-stream-send-receive.scn" ] || fail "install: no scenarios"
		[ "$(ls "$share/sosim/scenarios/teaching/"*.scn | wc -l)" = "$nlessons" ] || fail "install: not every lesson"
		if [ -n "$bin" ]; then
			"$bin" list scenarios >inst.out 2>&1
			rc=$?
			expect_rc 0 "the installed sosim list scenarios"
			has inst.out "^The lessons, in $share/sosim/scenarios/teaching " "installed: list scenarios from the data directory"
			last=$(basename "$(ls "$root"/scenarios/teaching/*.scn | tail -1)")
			has inst.out "^  $last  +[A-Z]" "installed: list scenarios: the last lesson"
			hasnt inst.out "$root" "installed: list scenarios reads the source tree"
		fi
	else
		fail "meson install failed:"
		tail -5 install.log
	fi
else
	echo "meson or the build's install data not found: install not tried"
fi

[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
echo "the command line holds"
