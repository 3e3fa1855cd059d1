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
} CliCommand;

extern const CliCommand cli_cmd_run;
extern const CliCommand cli_cmd_explore;
extern const CliCommand cli_cmd_check;
extern const CliCommand cli_cmd_list;
extern const CliCommand cli_cmd_dot;
extern const CliCommand cli_cmd_tui;

/* --profile and --quirk, as run and explore take them. */
#define CLI_PROFILE_OPTIONS(profile, quirks) \
	{ "profile", 'p', 0, G_OPTION_ARG_STRING, (profile), "Kernel profile (sosim list profiles)", "P" }, \
	{ "quirk", 'q', 0, G_OPTION_ARG_STRING_ARRAY, (quirks), "Switch a quirk on (Q) or off (Q=off); repeatable", "Q" }

/* Parse the options of command cmd; on error says "sosim CMD: why" on
 * stderr and returns false. */
bool cli_parse_options(const char *cmd, GOptionContext *ctx, int *argc, char ***argv);
/* The one scenario file of a command's arguments (after options), or NULL
 * with "sosim CMD: give exactly one scenario file" said. */
const char *cli_one_file(const char *cmd, int argc, char **argv);
/* A scenario file, parsed; NULL with the parser's message on stderr. */
Scenario *cli_parse_scenario(const char *path);

/* Profile and quirks: the scenario's, then the command line's on top. */
bool resolve_profile(const Scenario *s, const char *profile, char **quirks,
    const Profile **pp, uint32_t *qbits);
/* A --schedule argument: the text, or a file holding it. */
bool load_plan(const World *w, const char *arg, SchedDev **plan, int *n);
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

/* The first `expect sometimes` that no explored run showed, by its text. */
const char *first_missing(const Scenario *s, const bool *held);

#endif
