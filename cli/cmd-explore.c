/*
 * cmd-explore.c: `sosim explore`: every interleaving of a scenario within a
 * bound (or many random ones); the shortest failing schedule is printed,
 * saved and given as the `sosim run --schedule` line that replays it.
 * Exit 0 all held, 1 one failed, 2 bad input, 3 a limit stopped it.
 */
#include "cli.h"
#include "explore.h"
#include "expect.h"
#include "sched.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	CliProgress p;
	uint64_t max_states;
} Progress;

/* A progress line on stderr, for searches longer than a second on a terminal. */
static void
show_progress(void *ctx, uint64_t states, uint64_t schedules, uint64_t distinct)
{
	Progress *pg = ctx;

	if (cli_progress_due(&pg->p))
		cli_progress_explore(&pg->p, "explore", states, pg->max_states, schedules, distinct);
}

/* A word of a command line, quoted only when it has to be, so that the
 * line also works unquoted. */
static void
append_word(GString *s, const char *word)
{
	if (word[0] == '\0' || strpbrk(word, " \t'\"\\$`*?[]{}()<>|&;#~!") != NULL) {
		char *q = g_shell_quote(word);

		g_string_append(s, q);
		g_free(q);
	} else
		g_string_append(s, word);
}

/* The words that make sosim COMMAND (run or tui) replay this schedule:
 * the program as it was invoked, so that the line works where it was
 * printed.  plan: STEP:WHO,... or a file holding it; NULL: none. */
static char *
replay_command(const char *command, const char *path, const char *profile, char **quirks,
    const char *plan)
{
	GString *s = g_string_new(NULL);

	append_word(s, cli_progname);
	g_string_append_printf(s, " %s ", command);
	append_word(s, path);
	if (profile)
		g_string_append_printf(s, " --profile %s", profile);
	for (char **k = quirks; k && *k; k++)
		g_string_append_printf(s, " --quirk %s", *k);
	if (plan != NULL) {
		g_string_append(s, " --schedule ");
		append_word(s, plan[0] ? plan : "default");
	}
	return g_string_free(s, FALSE);
}

/* The same, as `sosim tui` opening at step `at`. */
static char *
watch_command(const char *path, const char *profile, char **quirks, const char *plan, uint64_t at)
{
	char *cmd = replay_command("tui", path, profile, quirks, plan);
	char *out = g_strdup_printf("%s --at %llu", cmd, (unsigned long long)at);

	g_free(cmd);
	return out;
}

/* For each `expect sometimes` that held, the shortest run that showed it. */
static void
print_witnesses(const Scenario *s, const Profile *prof, uint32_t qbits, const char *profile,
    char **quirks, const ExploreResult *r)
{
	World *w = world_new(s, prof, qbits);
	char *cmd = replay_command("tui", s->path, profile, quirks, NULL);

	/* the default schedule, to step through what was verified */
	printf("watch:  %s\n", cmd);
	g_free(cmd);

	for (int i = 0; i < s->nexpects && i < EXPECT_MAX; i++) {
		char *plan, *cmd, *watch;

		if (s->expects[i].quant != SCN_Q_SOMETIMES || r->seen_steps[i] == 0)
			continue;
		plan = sched_plan_format(w, r->seen_plan[i], r->seen_n[i]);
		cmd = replay_command("run", s->path, profile, quirks, plan);
		watch = watch_command(s->path, profile, quirks, plan, r->seen_steps[i]);
		printf("seen: %s:%d: `expect sometimes %s` in a run of %d preemption%s:\n  replay: %s\n"
		    "  watch:  %s\n",
		    s->path, s->expects[i].pos.line, s->expects[i].text, r->seen_n[i],
		    r->seen_n[i] == 1 ? "" : "s", cmd, watch);
		g_free(plan);
		g_free(cmd);
		g_free(watch);
	}
	world_free(w);
}

/* NAME.schedule beside the scenario NAME.scn. */
static char *
default_save_path(const char *path)
{
	size_t n = strlen(path);

	if (g_str_has_suffix(path, ".scn") && n > 4 && path[n - 5] != '/')
		n -= 4;
	return g_strdup_printf("%.*s.schedule", (int)n, path);
}

static bool
save_schedule(const char *file, const char *plan, const char *cmd, const ExploreResult *r)
{
	GString *s = g_string_new(NULL);
	GError *err = NULL;
	bool ok;

	g_string_append_printf(s, "# a failing schedule found by sosim explore: %d preemptions, %llu steps\n",
	    r->fail_n, (unsigned long long)r->fail_steps);
	g_string_append_printf(s, "# replay: %s\n", cmd);
	g_string_append_printf(s, "%s\n", plan[0] ? plan : "default");
	ok = g_file_set_contents(file, s->str, (gssize)s->len, &err);
	if (!ok) {
		fprintf(stderr, "sosim explore: error: %s\n", err->message);
		g_error_free(err);
	}
	g_string_free(s, TRUE);
	return ok;
}

static void
print_summary(FILE *fp, const ExploreResult *r, double secs)
{
	fprintf(fp, "schedules %llu (pruned %llu, %llu of them by the reduction), distinct worlds %llu, "
	    "states %llu (new %llu)\n",
	    (unsigned long long)r->schedules, (unsigned long long)r->pruned,
	    (unsigned long long)r->por_pruned,
	    (unsigned long long)r->distinct, (unsigned long long)r->states,
	    (unsigned long long)r->new_states);
	fprintf(fp, "depth %llu steps, %llu choice points; wall %.3f s, %.0f states/s\n",
	    (unsigned long long)r->max_depth, (unsigned long long)r->choice_points, secs,
	    secs > 0 ? (double)r->states / secs : 0.0);
	if (r->checkpoint_thinned > 0)
		fprintf(fp, "checkpoints: at most %.1f MiB (--max-checkpoint-mem), thinned %llu times "
		    "to one every %llu steps\n", (double)r->checkpoint_bytes / (1 << 20),
		    (unsigned long long)r->checkpoint_thinned, (unsigned long long)r->checkpoint_every);
}

static int
cmd_explore(int argc, char **argv)
{
	char *profile = NULL, **quirks = NULL, *save = NULL;
	/* G_MININT64: not given */
	gint64 preemptions = G_MININT64, max_states = G_MININT64, random = G_MININT64,
	    seed = G_MININT64, depth = G_MININT64;
	gboolean no_por = FALSE;
	char *max_ck = NULL;
	int64_t max_ck_bytes = 0;
	GOptionEntry entries[] = {
		CLI_PROFILE_OPTIONS(&profile, &quirks),
		{ "preemptions", 'k', 0, G_OPTION_ARG_INT64, &preemptions,
		  "At most K deviations from the default policy per run, 0 to 16 (default: the "
		  "scenario's `explore preemptions=K`, else 2)", "K" },
		{ "max-states", 0, 0, G_OPTION_ARG_INT64, &max_states,
		  "Stop after N states (1 or more) with a partial verdict, exit 3 (default: the "
		  "scenario's `explore max-states=N`, else 20000000)", "N" },
		{ "random", 0, 0, G_OPTION_ARG_INT64, &random,
		  "Run N random schedules (PCT, 1 or more) instead of every one within the bound", "N" },
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &seed,
		  "With --random: the seed of the random schedules, 0 or more (default 1)", "S" },
		{ "depth", 'd', 0, G_OPTION_ARG_INT64, &depth,
		  "With --random: the PCT depth, priority change points + 1, 1 to 16 (default 3)", "D" },
		{ "save", 0, 0, G_OPTION_ARG_FILENAME, &save,
		  "Write a failing schedule to FILE (default: NAME.schedule beside NAME.scn)", "FILE" },
		{ "no-por", 0, 0, G_OPTION_ARG_NONE, &no_por,
		  "No partial-order reduction: try independent steps in both orders too", NULL },
		{ "max-checkpoint-mem", 0, 0, G_OPTION_ARG_STRING, &max_ck,
		  "The memory the checkpoints of the path may take (64M, 1G, ...; default 256M); past "
		  "it they thin out and backtracks replay more steps", "SIZE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	const char *path;
	Scenario *s = NULL;
	const Profile *prof;
	uint32_t qbits;
	ExploreOpts o = { 0 };
	ExploreResult *r = g_new0(ExploreResult, 1);
	Progress pg = { 0 };
	int rc = EXIT_BAD_INPUT;
	double secs;

	if (!cli_parse_options(&cli_cmd_explore, entries, &argc, &argv, &rc))
		goto done;
	if ((preemptions != G_MININT64 && (preemptions < 0 || preemptions > 16))) {
		rc = cli_usage_error(&cli_cmd_explore, "--preemptions %lld: give 0 to 16",
		    (long long)preemptions);
		goto done;
	}
	if (depth != G_MININT64 && (depth < 1 || depth > 16)) {
		rc = cli_usage_error(&cli_cmd_explore, "--depth %lld: give 1 to 16", (long long)depth);
		goto done;
	}
	if ((max_states != G_MININT64 &&
	    !cli_check_min(&cli_cmd_explore, "max-states", max_states, 1, "give 1 or more states")) ||
	    (random != G_MININT64 &&
	    !cli_check_min(&cli_cmd_explore, "random", random, 1, "give 1 or more schedules")) ||
	    (seed != G_MININT64 && !cli_check_min(&cli_cmd_explore, "seed", seed, 0, "a seed is 0 or more")))
		goto done;
	if (random == G_MININT64 && (seed != G_MININT64 || depth != G_MININT64)) {
		rc = cli_usage_error(&cli_cmd_explore, "--%s is for --random", seed != G_MININT64 ? "seed" : "depth");
		goto done;
	}
	if (random == G_MININT64)
		random = 0;
	if (seed == G_MININT64)
		seed = 1;
	if (depth == G_MININT64)
		depth = 3;
	if (max_ck && !cli_limit_size(&cli_cmd_explore, "max-checkpoint-mem", max_ck, &max_ck_bytes))
		goto done;
	if ((path = cli_one_file(&cli_cmd_explore, argc, argv)) == NULL)
		goto done;
	if ((s = cli_parse_scenario(path)) == NULL)
		goto done;
	if (!resolve_profile(s, profile, quirks, &prof, &qbits))
		goto done;
	o.preemptions = preemptions >= 0 ? (int)preemptions :
	    s->explore_preemptions >= 0 ? s->explore_preemptions : DEFAULT_PREEMPTIONS;
	o.max_states = max_states != G_MININT64 ? (uint64_t)max_states :
	    s->explore_max_states > 0 ? (uint64_t)s->explore_max_states : DEFAULT_MAX_STATES;
	o.random = (uint64_t)random;
	o.seed = (uint64_t)seed;
	o.pct_depth = (int)depth;
	o.no_por = no_por;
	o.max_checkpoint_bytes = (size_t)max_ck_bytes;
	/* SIGINT, SIGTERM: stop at the next step, with the figures so far */
	cli_interrupt_catch();
	o.interrupt = &cli_interrupted;
	cli_progress_init(&pg.p, true);
	pg.max_states = o.random > 0 ? 0 : o.max_states;
	if (pg.p.on) {
		o.progress = show_progress;
		o.ctx = &pg;
	}
	explore_run(s, prof, qbits, &o, r);
	secs = cli_progress_secs(&pg.p);
	cli_progress_clear(&pg.p);

	if (random > 0)
		printf("explore %s: profile %s, %llu random schedules (PCT depth %d, seed %llu)\n",
		    s->path, prof->name, (unsigned long long)random, o.pct_depth, (unsigned long long)seed);
	else
		printf("explore %s: profile %s, preemptions <= %d\n", s->path, prof->name, o.preemptions);
	print_summary(stdout, r, secs);
	if (r->verdict == EXPLORE_FAIL && r->fail_steps == 0) {
		printf("FAIL: no run showed `expect sometimes %s`\n", first_missing(s, r->sometimes_held));
		rc = 1;
	} else if (r->verdict == EXPLORE_FAIL) {
		World *w = world_new(s, prof, qbits);
		char *plan = sched_plan_format(w, r->fail_plan, r->fail_n);
		char *cmd = replay_command("run", s->path, profile, quirks, plan);
		char *file = save ? g_strdup(save) : default_save_path(s->path);
		bool saved;

		printf("FAIL: a run with %d preemption%s and %llu steps\n", r->fail_n,
		    r->fail_n == 1 ? "" : "s", (unsigned long long)r->fail_steps);
		for (int i = 0; i < r->fail_report.n; i++) {
			const ExpectResult *x = &r->fail_report.items[i];

			if (x->ok || x->quant == SCN_Q_SOMETIMES)
				continue;
			if (x->pos.line > 0)
				printf("  %s:%d:%d: %s\n", s->path, x->pos.line, x->pos.col, x->msg);
			else
				printf("  %s: %s\n", s->path, x->msg);
		}
		printf("schedule: %s\n", plan[0] ? plan : "(the default policy)");
		/* the file holds the plan and the line that replays it by its text */
		saved = save_schedule(file, plan, cmd, r);
		if (saved)
			printf("saved: %s\n", file);
		g_free(cmd);
		/* the lines to copy name the file, when there is one */
		cmd = replay_command("run", s->path, profile, quirks, saved ? file : plan);
		printf("replay: %s\n", cmd);
		{
			char *watch = watch_command(s->path, profile, quirks, saved ? file : plan,
			    r->fail_steps);

			printf("watch:  %s\n", watch);
			g_free(watch);
		}
		g_free(plan);
		g_free(cmd);
		g_free(file);
		world_free(w);
		rc = 1;
	} else if (r->verdict == EXPLORE_PARTIAL && r->interrupted) {
		printf("PARTIAL: interrupted by %s after %llu states and %llu schedules; no failure in "
		    "what was tried\n", cli_signal_name(cli_interrupted), (unsigned long long)r->states,
		    (unsigned long long)r->schedules);
		rc = EXIT_PARTIAL;
	} else if (r->verdict == EXPLORE_PARTIAL) {
		printf("PARTIAL: stopped at the state limit, %llu states (raise it with --max-states or "
		    "`explore max-states=N`); no failure in what was tried\n",
		    (unsigned long long)o.max_states);
		rc = EXIT_PARTIAL;
	} else {
		printf("PASS: every expectation held in all %llu schedules%s\n",
		    (unsigned long long)r->schedules,
		    random > 0 ? "" : " within the bound");
		print_witnesses(s, prof, qbits, profile, quirks, r);
		rc = 0;
	}
done:
	if (r)
		explore_result_free(r);
	g_free(r);
	if (s)
		scenario_free(s);
	g_free(profile);
	g_strfreev(quirks);
	g_free(save);
	g_free(max_ck);
	return cli_exit_status(rc);
}

const CliCommand cli_cmd_explore = {
	"explore",
	"explore FILE [--profile P] [--quirk Q[=off]]... [--preemptions K]\n"
	"                     [--max-states N] [--random N [--seed S] [--depth D]]\n"
	"                     [--save FILE] [--no-por] [--max-checkpoint-mem SIZE]",
	cmd_explore,
	"Try every interleaving of a scenario within a bound, or random ones",
	"Every schedule with at most K preemptions (deviations from the default policy) is run "
	"and checked as sosim run checks one; states already seen are not explored again, and "
	"steps that commute with softnet are tried in one order only (partial-order reduction, "
	"docs/scheduling.md).\n\n"
	"On a failure it prints the shortest failing schedule (fewest preemptions, then fewest "
	"steps), saves it as NAME.schedule beside the scenario NAME.scn (or where --save says) and "
	"says where, and prints the sosim run line that replays it and the sosim tui line that "
	"opens it at the failing step, both naming the program as it was invoked. When every "
	"expectation held it prints, for each `expect sometimes`, the shortest run that showed "
	"it. On a terminal, a search longer than a second shows its progress on stderr.",
	"0  every expectation held in every schedule tried\n"
	"1  a schedule broke an expectation, or no run showed an `expect sometimes`\n"
	"2  bad input: the command line or the scenario\n"
	"3  a limit (--max-states) stopped it before every schedule was tried, with no\n"
	"   failure in those it tried\n"
	"130, 143  SIGINT or SIGTERM stopped it: the verdict so far (PARTIAL, or FAIL with the\n"
	"   schedule found), then it dies of the signal",
};
