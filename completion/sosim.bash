# bash completion for sosim(1).
#
# Installed as DATADIR/bash-completion/completions/sosim; to try it from
# a source tree: `source completion/sosim.bash`.  Profile, quirk and
# machine names are asked of the program being completed (`sosim list
# --names KIND`) as you type, so they are always its own.  The options of
# each command are listed here; tests/cli.sh checks them against each
# command's --help.

# The options of each command (long forms; the short ones are completed
# as values too, below).
_sosim_options()
{
	case $1 in
	run) echo "--profile --quirk --seed --format --stats --output --max-steps --max-bytes --max-time --max-mbufs --check --quiet --schedule --help" ;;
	explore) echo "--profile --quirk --preemptions --max-states --random --seed --depth --save --no-por --max-checkpoint-mem --help" ;;
	check) echo "--help" ;;
	list) echo "--names --help" ;;
	dot) echo "--profile --quirk --seed --at --buffer --splice --machine --schedule --output --help" ;;
	tui) echo "--profile --quirk --seed --schedule --at --max-checkpoint-mem --help" ;;
	esac
}

# Names of KIND, from the program as the command line names it.
_sosim_names()
{
	local prog=$1
	[[ $prog == "~"/* ]] && prog=$HOME/${prog#"~/"}
	"$prog" list --names "$2" 2>/dev/null
}

# Files ending in one of the extensions given (e.g. scn jsonl), and
# directories to walk into.
_sosim_files()
{
	local cur=$1 ext f
	shift
	compopt -o filenames 2>/dev/null
	COMPREPLY=()
	while IFS= read -r f; do
		[[ -n $f ]] && COMPREPLY+=("$f")
	done < <(compgen -d -- "$cur")
	for ext in "$@"; do
		while IFS= read -r f; do
			[[ -n $f ]] && COMPREPLY+=("$f")
		done < <(compgen -f -X "!*.$ext" -- "$cur")
	done
}

_sosim()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local prog=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]} value=
	COMPREPLY=()

	if ((COMP_CWORD == 1)); then
		COMPREPLY=($(compgen -W "run explore check list dot tui help version --help --version" -- "$cur"))
		return
	fi
	# --option=VALUE: complete the value.  With = in COMP_WORDBREAKS (the
	# default), bash splits it into --option, = and VALUE.
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		value=${prev}=
		cur=${cur#*=}
	elif [[ $cur == = ]]; then
		cur=
		# --quirk NAME=
		[[ ${COMP_WORDS[COMP_CWORD-2]} == --quirk || ${COMP_WORDS[COMP_CWORD-2]} == -q ]] &&
			prev=--quirk-value
	elif [[ $prev == = ]]; then
		prev=${COMP_WORDS[COMP_CWORD-2]}
		# --quirk NAME=VALUE
		[[ ${COMP_WORDS[COMP_CWORD-3]} == --quirk || ${COMP_WORDS[COMP_CWORD-3]} == -q ]] &&
			prev=--quirk-value
	fi
	case $prev in
	--profile | -p)
		COMPREPLY=($(compgen -P "$value" -W "$(_sosim_names "$prog" profiles)" -- "$cur"))
		return ;;
	--quirk | -q)
		if [[ $cur == *=* ]]; then
			COMPREPLY=($(compgen -P "$value" -W "${cur%%=*}=on ${cur%%=*}=off" -- "$cur"))
		else
			COMPREPLY=($(compgen -P "$value" -W "$(_sosim_names "$prog" quirks)" -- "$cur"))
		fi
		return ;;
	--quirk-value)
		COMPREPLY=($(compgen -W "on off" -- "$cur"))
		return ;;
	--format | -f)
		COMPREPLY=($(compgen -P "$value" -W "text jsonl chrome" -- "$cur"))
		return ;;
	--check)
		[[ $cmd == run ]] && COMPREPLY=($(compgen -P "$value" -W "every-step end" -- "$cur"))
		return ;;
	--machine | -m)
		COMPREPLY=($(compgen -P "$value" -W "$(_sosim_names "$prog" machines)" -- "$cur"))
		return ;;
	--schedule)
		[[ -z $value ]] && _sosim_files "$cur" schedule
		return ;;
	--output | -o | --save)
		if [[ -z $value ]]; then
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		return ;;
	--seed | -s | --max-steps | --max-bytes | --max-time | --max-mbufs | --preemptions | -k | \
	--max-states | --random | --depth | -d | --at | --buffer | -b | --max-checkpoint-mem)
		return ;;              # a number or a name of the scenario's: nothing to offer
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_sosim_options "$cmd")" -- "$cur"))
		return
	fi
	case $cmd in
	run | explore | dot) _sosim_files "$cur" scn ;;
	tui) _sosim_files "$cur" scn jsonl ;;
	check) _sosim_files "$cur" scn ;;
	list)
		local w
		for w in "${COMP_WORDS[@]:2:COMP_CWORD-2}"; do
			[[ $w != -* ]] && return         # one list at a time
		done
		COMPREPLY=($(compgen -W "profiles quirks scenarios machines violations counters fields events routines contexts" -- "$cur")) ;;
	help)
		((COMP_CWORD == 2)) && COMPREPLY=($(compgen -W "run explore check list dot tui help version" -- "$cur")) ;;
	esac
}
complete -F _sosim sosim
