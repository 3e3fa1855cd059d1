/*
 * cli.h: what the subcommands of sosim share (cli.c), and the commands
 * themselves, one file each (cmd-run.c, cmd-explore.c, cmd-check.c,
 * cmd-list.c, cmd-dot.c, cmd-tui.c); main.c holds only the table of
 * commands and the usage.
 */
#ifndef SOSIM_CLI_H
#define SOSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <glib.h>

#include "profile.h"
#include "scenario.h"
#include "world.h"

#define EXIT_BAD_INPUT 2
#define EXIT_PARTIAL 3
#define EXIT_OUTPUT 4           /* the output could not be written */

/* The bound of `sosim explore` and `sosim check` unless the command line
 * or the scenario's `explore` line says otherwise. */
#define DEFAULT_PREEMPTIONS 2
#define DEFAULT_MAX_STATES 20000000ull

/* A subcommand: `sosim NAME ...`. */
typedef struct {
	const char *name;
	/* its synopsis after "sosim ", for the usage; continuation lines
	 * already indented to line up under the first */
	const char *usage;
	int (*exec)(int argc, char **argv);   /* argv[0] is the command's name */
	const char *summary;    /* one line, for `sosim help` */
	const char *help;       /* paragraphs after the usage in `sosim help NAME` */
	const char *exits;      /* its exit statuses, one a line: "N  meaning" */
} CliCommand;

extern const CliCommand cli_cmd_run;
extern const CliCommand cli_cmd_explore;
extern const CliCommand cli_cmd_check;
extern const CliCommand cli_cmd_list;
extern const CliCommand cli_cmd_dot;
extern const CliCommand cli_cmd_tui;

/* The program as it was invoked (argv[0] of main), for the command lines
 * sosim prints for people to run (explore's replay line). */
extern const char *cli_progname;

/* --profile and --quirk, as run and explore take them. */
#define CLI_PROFILE_OPTIONS(profile, quirks) \
	{ "profile", 'p', 0, G_OPTION_ARG_STRING, (profile), cli_profile_help(), "P" }, \
	{ "quirk", 'q', 0, G_OPTION_ARG_STRING_ARRAY, (quirks), \
	  "Switch quirk Q on (Q or Q=on) or off (Q=off), over the profile's and the scenario's; " \
	  "repeatable (sosim list quirks)", "Q" }
/* What --profile says, with the default profile's name. */
const char *cli_profile_help(void);

/* Parse the options of command cmd (entries end with a NULL long_name).
 * `--help` or `-h` anywhere before `--` prints the command's help on
 * stdout: *rc 0.  An unknown option, a missing or malformed value: "sosim
 * CMD: why" and the usage on stderr, *rc EXIT_BAD_INPUT.  Either way false;
 * true when the command goes on, with the options taken out of argv. */
bool cli_parse_options(const CliCommand *cmd, const GOptionEntry *entries, int *argc,
    char ***argv, int *rc);
/* A bad command line: "sosim CMD: why" and the usage on stderr; returns
 * EXIT_BAD_INPUT. */
int cli_usage_error(const CliCommand *cmd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* The help of a command (usage, what it does, its options, exit statuses). */
void cli_help(const CliCommand *cmd, const GOptionEntry *entries, FILE *fp);
/* The usage of a command, "usage: sosim ..." and a pointer to its help. */
void cli_usage(const CliCommand *cmd, FILE *fp);
/* A number option that must be at least min: false with "sosim CMD:
 * --NAME N: why" and the usage said. */
bool cli_check_min(const CliCommand *cmd, const char *name, gint64 v, gint64 min, const char *why);
/* The one scenario file of a command's arguments (after options), or NULL
 * with "sosim CMD: give exactly one scenario file" and the usage said. */
const char *cli_one_file(const CliCommand *cmd, int argc, char **argv);
/* A scenario file, parsed; NULL with the parser's message on stderr. */
Scenario *cli_parse_scenario(const char *path);

/* Profile and quirks: the scenario's, then the command line's on top;
 * false (said on stderr) for an unknown profile or quirk, or a declared
 * socket option that kernel refuses (scenario_check_options). */
bool resolve_profile(const Scenario *s, const char *profile, char **quirks,
    const Profile **pp, uint32_t *qbits);
/* A --schedule argument: the text, or a file holding it (at most
 * CLI_SCHEDULE_FILE_MAX bytes, as a scenario file). */
#define CLI_SCHEDULE_FILE_MAX (16 << 20)
bool load_plan(const World *w, const char *arg, SchedDev **plan, int *n);
/* Whether the plan w follows (--schedule) fits the run it steers: run a
 * copy of w (at step 0, set up as the command will run it) silently to
 * its end; every entry must be used and name someone who can run at its
 * step.  False with "sosim CMD: error: --schedule entry N (STEP:WHO): why"
 * on stderr.  Entries after a step limit stopped the copy are let be. */
bool cli_plan_fits(const char *cmd, const World *w);
/* A world at step 0 as `sosim run` sets one up: the schedule (loaded into
 * *plan on the first call, the same plan after), then the seed: seed >= 0
 * from the command line, else the scenario's.  NULL when the schedule is
 * bad (said on stderr). */
World *cli_world(const Scenario *s, const Profile *prof, uint32_t quirks, const char *schedule,
    int64_t seed, SchedDev **plan, int *nplan);

/* Where a command writes (output.c): `-o FILE` or stdout (NULL or "-"). */
typedef struct {
	FILE *fp;
	const char *target;     /* as given */
	char *path;             /* the file written: the target, or what its symlink names */
	char *tmp;              /* the temporary file renamed to path, or NULL */
} CliOutput;

bool cli_output_open(CliOutput *out, const char *target);
/* Close it: with keep, the output takes its place; false (said on
 * stderr) when a write failed. */
bool cli_output_close(CliOutput *out, bool keep);

/* The scenarios that come with sosim: SOURCE/scenarios when the program
 * runs from its build directory, else DATADIR/sosim/scenarios, found
 * beside the program first (an install under DESTDIR, or moved whole),
 * then where it was installed.  NULL when there is none; g_free it. */
char *cli_scenarios_dir(void);
/* Where cli_scenarios_dir looks, for a message. */
const char *cli_scenarios_where(void);

/* The first `expect sometimes` that no explored run showed, by its text. */
const char *first_missing(const Scenario *s, const bool *held);

/*
 * Long runs (progress.c, output.c).  SIGINT and SIGTERM, once caught
 * (cli_interrupt_catch), set cli_interrupted to the signal and nothing
 * else; the run or search stops at its next step and the command ends
 * with a partial verdict and its figures, its output complete, then dies
 * of the signal (cli_exit_status: the shell sees 128 + signal, 130 for
 * SIGINT, 143 for SIGTERM).  A second signal ends it at once, a temporary
 * -o file removed.
 */
#define EXIT_SIGNAL_BASE 128
extern volatile sig_atomic_t cli_interrupted;
void cli_interrupt_catch(void);
/* rc, or, once interrupted, death by the signal after flushing stdio. */
int cli_exit_status(int rc);
const char *cli_signal_name(int sig);

/* A progress line on stderr when it is a terminal, about once a second,
 * overwritten in place and erased at the end; nothing otherwise. */
typedef struct {
	bool on, shown;
	gint64 t0, last;        /* monotonic, microseconds */
} CliProgress;
/* on: the command wants one (and stderr is a terminal) */
void cli_progress_init(CliProgress *p, bool on);
bool cli_progress_due(CliProgress *p);  /* on, and a second since the last line */
void cli_progress_show(CliProgress *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void cli_progress_clear(CliProgress *p);
double cli_progress_secs(const CliProgress *p);
/* The line of a run (steps, virtual time, speed) and of a search. */
void cli_progress_run(CliProgress *p, const char *what, const World *w);
void cli_progress_explore(CliProgress *p, const char *what, uint64_t states, uint64_t max_states,
    uint64_t schedules, uint64_t distinct);

/* Run w to its end as sched_run does, showing progress as `what`; at an
 * interrupt the run stops there as at a limit ("interrupted by SIGINT
 * after N steps ..."). */
StopReason cli_run_world(World *w, CliProgress *p, const char *what);
/* Stopped by a limit (or an interrupt), not by its schedule: exit 3. */
bool cli_stopped_by_limit(const World *w);

/* A limit given on the command line: a size (4096, 64K, 1M, 2G, 1T) or a
 * duration (10ms, 2s), more than 0; false with why and the usage said. */
bool cli_limit_size(const CliCommand *cmd, const char *name, const char *arg, int64_t *out);
bool cli_limit_duration(const CliCommand *cmd, const char *name, const char *arg, int64_t *out);

#endif
