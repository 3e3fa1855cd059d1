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
	gint64 t0;
	bool shown;
} Progress;

/* A progress line on stderr, for runs longer than a second on a terminal. */
static void
show_progress(void *ctx, uint64_t states, uint64_t schedules, uint64_t distinct)
{
	Progress *p = ctx;
	double secs = (double)(g_get_monotonic_time() - p->t0) / 1e6;

	if (secs < 1.0)
		return;
	fprintf(stderr, "\rexploring: %llu states, %llu schedules, %llu distinct worlds, %.0f states/s ",
	    (unsigned long long)states, (unsigned long long)schedules,
	    (unsigned long long)distinct, (double)states / secs);
	p->shown = true;
}

/* The words that make `sosim run` replay this schedule. */
static char *
replay_command(const char *path, const char *profile, char **quirks, const char *plan)
{
	GString *s = g_string_new("sosim run ");

	/* quoted only when it has to be, so the line also works unquoted */
	if (strpbrk(path, " \t'\"\\$`*?[]{}()<>|&;#~!") != NULL) {
		char *q = g_shell_quote(path);

		g_string_append(s, q);
		g_free(q);
	} else
		g_string_append(s, path);
	if (profile)
		g_string_append_printf(s, " --profile %s", profile);
	for (char **k = quirks; k && *k; k++)
		g_string_append_printf(s, " --quirk %s", *k);
	g_string_append_printf(s, " --schedule %s", plan[0] ? plan : "default");
	return g_string_free(s, FALSE);
}

/* The same command, as `sosim tui` opening at step `at`. */
static char *
watch_command(const char *run_cmd, uint64_t at)
{
	/* run_cmd starts with "sosim run " */
	return g_strdup_printf("sosim tui %s --at %llu", run_cmd + strlen("sosim run "),
	    (unsigned long long)at);
}

/* For each `expect sometimes` that held, the shortest run that showed it. */
static void
print_witnesses(const Scenario *s, const Profile *prof, uint32_t qbits, const char *profile,
    char **quirks, const ExploreResult *r)
{
	World *w = world_new(s, prof, qbits);
	char *cmd = replay_command(s->path, profile, quirks, "");
	char *tail = g_strrstr(cmd, " --schedule default");

	/* the default schedule, to step through what was verified */
	if (tail != NULL)
		*tail = '\0';
	printf("watch:  sosim tui %s\n", cmd + strlen("sosim run "));
	g_free(cmd);

	for (int i = 0; i < s->nexpects && i < EXPECT_MAX; i++) {
		char *plan, *cmd, *watch;

		if (s->expects[i].quant != SCN_Q_SOMETIMES || r->seen_steps[i] == 0)
			continue;
		plan = sched_plan_format(w, r->seen_plan[i], r->seen_n[i]);
		cmd = replay_command(s->path, profile, quirks, plan);
		watch = watch_command(cmd, r->seen_steps[i]);
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

/* FILE.schedule next to nothing: in the current directory, by base name. */
static char *
default_save_path(const char *path)
{
	char *base = g_path_get_basename(path), *dot = strrchr(base, '.'), *out;

	if (dot && strcmp(dot, ".scn") == 0)
		*dot = '\0';
	out = g_strdup_printf("%s.schedule", base);
	g_free(base);
	return out;
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
}

static int
cmd_explore(int argc, char **argv)
{
	char *profile = NULL, **quirks = NULL, *save = NULL;
	gint64 preemptions = -1, max_states = 0, random = 0, seed = 1, depth = 3;
	gboolean no_por = FALSE;
	GOptionEntry entries[] = {
		CLI_PROFILE_OPTIONS(&profile, &quirks),
		{ "preemptions", 'k', 0, G_OPTION_ARG_INT64, &preemptions, "At most K deviations from the default policy per run (default 2, or the scenario's)", "K" },
		{ "max-states", 0, 0, G_OPTION_ARG_INT64, &max_states, "Stop after N states with a partial verdict", "N" },
		{ "random", 0, 0, G_OPTION_ARG_INT64, &random, "Run N random (PCT) schedules instead", "N" },
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed of the random schedules (default 1)", "S" },
		{ "depth", 'd', 0, G_OPTION_ARG_INT64, &depth, "PCT depth: priority change points + 1 (default 3)", "D" },
		{ "save", 0, 0, G_OPTION_ARG_FILENAME, &save, "Write a failing schedule to FILE (default NAME.schedule here)", "FILE" },
		{ "no-por", 0, 0, G_OPTION_ARG_NONE, &no_por, "No partial-order reduction: try independent steps in both orders too", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("FILE - try every interleaving of a scenario within a bound");
	const char *path;
	Scenario *s = NULL;
	const Profile *prof;
	uint32_t qbits;
	ExploreOpts o = { 0 };
	ExploreResult *r = g_new0(ExploreResult, 1);
	Progress pg = { 0 };
	int rc = EXIT_BAD_INPUT;
	double secs;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!cli_parse_options("explore", ctx, &argc, &argv) ||
	    (path = cli_one_file("explore", argc, argv)) == NULL)
		goto done;
	if (preemptions > 16 || max_states < 0 || random < 0 || seed < 0 || depth < 1 || depth > 16) {
		fprintf(stderr, "sosim explore: --preemptions must be 0..16, --depth 1..16, "
		    "and --max-states, --random, --seed not negative\n");
		goto done;
	}
	if ((s = cli_parse_scenario(path)) == NULL)
		goto done;
	if (!resolve_profile(s, profile, quirks, &prof, &qbits))
		goto done;
	o.preemptions = preemptions >= 0 ? (int)preemptions :
	    s->explore_preemptions >= 0 ? s->explore_preemptions : DEFAULT_PREEMPTIONS;
	o.max_states = max_states > 0 ? (uint64_t)max_states :
	    s->explore_max_states > 0 ? (uint64_t)s->explore_max_states : DEFAULT_MAX_STATES;
	o.random = (uint64_t)random;
	o.seed = (uint64_t)seed;
	o.pct_depth = (int)depth;
	o.no_por = no_por;
	pg.t0 = g_get_monotonic_time();
	if (isatty(STDERR_FILENO)) {
		o.progress = show_progress;
		o.ctx = &pg;
	}
	explore_run(s, prof, qbits, &o, r);
	secs = (double)(g_get_monotonic_time() - pg.t0) / 1e6;
	if (pg.shown)
		fputc('\n', stderr);

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
		char *cmd = replay_command(s->path, profile, quirks, plan);
		char *file = save ? g_strdup(save) : default_save_path(s->path);

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
		if (save_schedule(file, plan, cmd, r))
			printf("saved: %s\n", file);
		printf("replay: %s\n", cmd);
		{
			char *watch = watch_command(cmd, r->fail_steps);

			printf("watch:  %s\n", watch);
			g_free(watch);
		}
		g_free(plan);
		g_free(cmd);
		g_free(file);
		world_free(w);
		rc = 1;
	} else if (r->verdict == EXPLORE_PARTIAL) {
		printf("PARTIAL: stopped after %llu states (--max-states); no failure in what was tried\n",
		    (unsigned long long)r->states);
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
	g_option_context_free(ctx);
	g_free(profile);
	g_strfreev(quirks);
	g_free(save);
	return rc;
}

const CliCommand cli_cmd_explore = {
	"explore",
	"explore FILE [--profile P] [--quirk Q[=off]]... [--preemptions K]\n"
	"                        [--max-states N] [--random N [--seed S] [--depth D]]\n"
	"                        [--save FILE]",
	cmd_explore,
};
