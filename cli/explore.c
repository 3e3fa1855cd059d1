/*
 * explore.c: `sosim explore` (every interleaving within a bound, or many
 * random ones) and `sosim check` (every scenario, as TAP, for CI).
 */
#include "cli.h"
#include "explore.h"
#include "expect.h"
#include "kern.h"
#include "sched.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PREEMPTIONS 2
#define DEFAULT_MAX_STATES 20000000ull

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
	fprintf(fp, "schedules %llu (pruned %llu), distinct worlds %llu, states %llu (new %llu)\n",
	    (unsigned long long)r->schedules, (unsigned long long)r->pruned,
	    (unsigned long long)r->distinct, (unsigned long long)r->states,
	    (unsigned long long)r->new_states);
	fprintf(fp, "depth %llu steps, %llu choice points; wall %.3f s, %.0f states/s\n",
	    (unsigned long long)r->max_depth, (unsigned long long)r->choice_points, secs,
	    secs > 0 ? (double)r->states / secs : 0.0);
}

/* The first expectation that did not hold, for one-line verdicts. */
static const char *
first_failure(const ExpectReport *rep)
{
	for (int i = 0; i < rep->n; i++)
		if (!rep->items[i].ok && rep->items[i].quant != SCN_Q_SOMETIMES)
			return rep->items[i].msg;
	return "?";
}

static const char *
first_missing(const Scenario *s, const ExploreResult *r)
{
	for (int i = 0; i < s->nexpects && i < EXPECT_MAX; i++)
		if (s->expects[i].quant == SCN_Q_SOMETIMES && !r->sometimes_held[i])
			return s->expects[i].text;
	return "?";
}

int
cmd_explore(int argc, char **argv)
{
	char *profile = NULL, **quirks = NULL, *save = NULL;
	gint64 preemptions = -1, max_states = 0, random = 0, seed = 1, depth = 3;
	GOptionEntry entries[] = {
		{ "profile", 'p', 0, G_OPTION_ARG_STRING, &profile, "Kernel profile (sosim list profiles)", "P" },
		{ "quirk", 'q', 0, G_OPTION_ARG_STRING_ARRAY, &quirks, "Switch a quirk on (Q) or off (Q=off); repeatable", "Q" },
		{ "preemptions", 'k', 0, G_OPTION_ARG_INT64, &preemptions, "At most K deviations from the default policy per run (default 2, or the scenario's)", "K" },
		{ "max-states", 0, 0, G_OPTION_ARG_INT64, &max_states, "Stop after N states with a partial verdict", "N" },
		{ "random", 0, 0, G_OPTION_ARG_INT64, &random, "Run N random (PCT) schedules instead", "N" },
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed of the random schedules (default 1)", "S" },
		{ "depth", 'd', 0, G_OPTION_ARG_INT64, &depth, "PCT depth: priority change points + 1 (default 3)", "D" },
		{ "save", 0, 0, G_OPTION_ARG_FILENAME, &save, "Write a failing schedule to FILE (default NAME.schedule here)", "FILE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("FILE - try every interleaving of a scenario within a bound");
	GError *err = NULL;
	Scenario *s = NULL;
	const Profile *prof;
	uint32_t qbits;
	ExploreOpts o = { 0 };
	ExploreResult *r = g_new0(ExploreResult, 1);
	Progress pg = { 0 };
	int rc = EXIT_BAD_INPUT;
	double secs;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "sosim explore: %s\n", err->message);
		goto done;
	}
	if (argc != 2) {
		fprintf(stderr, "sosim explore: give exactly one scenario file\n");
		goto done;
	}
	if (preemptions > 16 || max_states < 0 || random < 0 || seed < 0 || depth < 1 || depth > 16) {
		fprintf(stderr, "sosim explore: --preemptions must be 0..16, --depth 1..16, "
		    "and --max-states, --random, --seed not negative\n");
		goto done;
	}
	s = scenario_parse_file(argv[1], &err);
	if (s == NULL) {
		fprintf(stderr, "%s\n", err->message);
		goto done;
	}
	if (!resolve_profile(s, profile, quirks, &prof, &qbits))
		goto done;
	o.preemptions = preemptions >= 0 ? (int)preemptions :
	    s->explore_preemptions >= 0 ? s->explore_preemptions : DEFAULT_PREEMPTIONS;
	o.max_states = max_states > 0 ? (uint64_t)max_states :
	    s->explore_max_states > 0 ? (uint64_t)s->explore_max_states : DEFAULT_MAX_STATES;
	o.random = (uint64_t)random;
	o.seed = (uint64_t)seed;
	o.pct_depth = (int)depth;
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
		printf("FAIL: no run showed `expect sometimes %s`\n", first_missing(s, r));
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
		rc = 0;
	}
done:
	if (r)
		explore_result_free(r);
	g_free(r);
	if (s)
		scenario_free(s);
	g_clear_error(&err);
	g_option_context_free(ctx);
	g_free(profile);
	g_strfreev(quirks);
	g_free(save);
	return rc;
}

/* ---- sosim check ---- */

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .scn file under path (sorted), or path itself. */
static void
collect(const char *path, GPtrArray *out)
{
	GDir *d;
	const char *name;
	GPtrArray *here;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_ptr_array_add(out, g_strdup(path));
		return;
	}
	if ((d = g_dir_open(path, 0, NULL)) == NULL) {
		g_ptr_array_add(out, g_strdup(path));
		return;
	}
	here = g_ptr_array_new();
	while ((name = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(here, g_build_filename(path, name, NULL));
	g_dir_close(d);
	g_ptr_array_sort(here, cmp_str);
	for (guint i = 0; i < here->len; i++) {
		char *p = here->pdata[i];

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			collect(p, out);
		else if (g_str_has_suffix(p, ".scn"))
			g_ptr_array_add(out, g_strdup(p));
		g_free(p);
	}
	g_ptr_array_free(here, TRUE);
}

/* One scenario: true when it passes; *line says why, for the TAP line. */
static bool
check_one(const char *path, char **line)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_file(path, &err);
	const Profile *prof;
	uint32_t qbits;
	bool ok;

	if (s == NULL) {
		char *nl = strchr(err->message, '\n');

		*line = g_strdup_printf("%.*s", nl ? (int)(nl - err->message) : (int)strlen(err->message),
		    err->message);
		g_error_free(err);
		return false;
	}
	if (!resolve_profile(s, NULL, NULL, &prof, &qbits)) {
		*line = g_strdup("unknown profile");
		scenario_free(s);
		return false;
	}
	if (s->explore) {
		ExploreOpts o = { 0 };
		ExploreResult *r = g_new0(ExploreResult, 1);

		o.preemptions = s->explore_preemptions >= 0 ? s->explore_preemptions : DEFAULT_PREEMPTIONS;
		o.max_states = s->explore_max_states > 0 ? (uint64_t)s->explore_max_states : DEFAULT_MAX_STATES;
		explore_run(s, prof, qbits, &o, r);
		ok = r->verdict == EXPLORE_PASS;
		if (ok)
			*line = g_strdup_printf("explored %llu schedules (preemptions <= %d, %llu distinct worlds), all held",
			    (unsigned long long)r->schedules, o.preemptions, (unsigned long long)r->distinct);
		else if (r->verdict == EXPLORE_PARTIAL)
			*line = g_strdup_printf("expected a full exploration, got a partial one (%llu states)",
			    (unsigned long long)r->states);
		else if (r->fail_steps > 0) {
			World *w = world_new(s, prof, qbits);
			char *plan = sched_plan_format(w, r->fail_plan, r->fail_n);

			*line = g_strdup_printf("expected every run to hold, got %s (schedule %s)",
			    first_failure(&r->fail_report), plan[0] ? plan : "default");
			g_free(plan);
			world_free(w);
		} else
			*line = g_strdup_printf("expected some run to show `%s`, got none", first_missing(s, r));
		explore_result_free(r);
		g_free(r);
	} else {
		World *w = world_new(s, prof, qbits);
		ExpectReport *rep = g_new0(ExpectReport, 1);
		int failed;

		if (s->has_seed)
			world_set_seed(w, (uint64_t)s->seed);
		sched_run(w);
		failed = expect_check(w, rep);
		ok = failed == 0;
		if (ok)
			*line = g_strdup_printf("ran %llu steps, %d expectation%s held",
			    (unsigned long long)w->step, rep->n, rep->n == 1 ? "" : "s");
		else {
			for (int i = 0; i < rep->n; i++)
				if (!rep->items[i].ok && rep->items[i].quant != SCN_Q_SOMETIMES) {
					/* op results already say "expected X, got Y" */
					*line = strstr(rep->items[i].msg, " expected ") ?
					    g_strdup(rep->items[i].msg) :
					    g_strdup_printf("expected %s", rep->items[i].msg);
					break;
				}
		}
		g_free(rep);
		world_free(w);
	}
	scenario_free(s);
	return ok;
}

int
cmd_check(int argc, char **argv)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	int failed = 0;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: sosim check [DIR|FILE]...\n"
		    "Run every scenario (explore those that say `explore`) and print TAP.\n");
		g_ptr_array_free(files, TRUE);
		return 0;
	}
	if (argc < 2)
		collect("scenarios", files);
	for (int i = 1; i < argc; i++) {
		if (!g_file_test(argv[i], G_FILE_TEST_EXISTS)) {
			fprintf(stderr, "sosim check: error: %s: %s\n", argv[i], g_strerror(ENOENT));
			g_ptr_array_free(files, TRUE);
			return EXIT_BAD_INPUT;
		}
		collect(argv[i], files);
	}
	printf("1..%u\n", files->len);
	for (guint i = 0; i < files->len; i++) {
		char *line = NULL;
		bool ok = check_one(files->pdata[i], &line);

		printf("%s %u - %s: %s\n", ok ? "ok" : "not ok", i + 1, (char *)files->pdata[i],
		    line ? line : "");
		fflush(stdout);
		if (!ok)
			failed++;
		g_free(line);
	}
	if (failed)
		printf("# %d of %u failed\n", failed, files->len);
	g_ptr_array_free(files, TRUE);
	return failed ? 1 : 0;
}
