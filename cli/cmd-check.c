/*
 * cmd-check.c: `sosim check`: every scenario under the given directories
 * (explored where the file says `explore`), one TAP line each, for CI.
 * A path that does not exist is a `not ok` line like a scenario that
 * fails.  Exit 0 only when all pass.
 */
#include "cli.h"
#include "explore.h"
#include "expect.h"
#include "sched.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

/* The first expectation that did not hold, for one-line verdicts. */
static const ExpectResult *
first_failure(const ExpectReport *rep)
{
	for (int i = 0; i < rep->n; i++)
		if (!rep->items[i].ok && rep->items[i].quant != SCN_Q_SOMETIMES)
			return &rep->items[i];
	return NULL;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An expectation's failure, for the TAP line: an `expect` line's text
 * after "expected"; what no line expected (an unexpected deadlock or
 * violation, a stopped run, an operation's result, which says "expected
 * X, got Y" itself) as it is. */
static char *
failure_text(const ExpectResult *x)
{
	if (x->index >= 0 && x->pos.line > 0)
		return g_strdup_printf("line %d: expected %s", x->pos.line, x->msg);
	return g_strdup(x->msg);
}

/*
 * Every .scn file under path (sorted), or path itself.  Directory
 * symlinks are followed, but a directory already walked (by its device
 * and inode, in seen) is not walked again: `a -> .` would loop.
 */
static void
collect(const char *path, GPtrArray *out, GHashTable *seen)
{
	GDir *d;
	const char *name;
	GPtrArray *here;
	GStatBuf st;
	char *id;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_ptr_array_add(out, g_strdup(path));
		return;
	}
	if (g_stat(path, &st) == 0) {
		id = g_strdup_printf("%llu:%llu", (unsigned long long)st.st_dev,
		    (unsigned long long)st.st_ino);
		if (!g_hash_table_add(seen, id))
			return;         /* walked already, under another name */
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
			collect(p, out, seen);
		else if (g_str_has_suffix(p, ".scn"))
			g_ptr_array_add(out, g_strdup(p));
		g_free(p);
	}
	g_ptr_array_free(here, TRUE);
}

/* A progress line on a terminal (progress.c) for a long run or search,
 * named by the scenario and its place in the list; erased before its TAP
 * line. */
static CliProgress check_pg;
static char check_what[96];
static uint64_t check_max_states;

static void
check_progress(void *ctx, uint64_t states, uint64_t schedules, uint64_t distinct)
{
	(void)ctx;
	if (cli_progress_due(&check_pg))
		cli_progress_explore(&check_pg, check_what, states, check_max_states, schedules, distinct);
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
	/* the scenario's own profile (the parser knows it) and quirks */
	prof = s->profile ? profile_find(s->profile) : profile_default();
	qbits = (prof->quirks | s->quirks_on) & ~s->quirks_off;
	if (!scenario_check_options(s, prof, qbits, &err)) {
		*line = g_strndup(err->message, strcspn(err->message, "\n"));
		g_error_free(err);
		scenario_free(s);
		return false;
	}
	if (s->explore) {
		ExploreOpts o = { 0 };
		ExploreResult *r = g_new0(ExploreResult, 1);

		o.preemptions = s->explore_preemptions >= 0 ? s->explore_preemptions : DEFAULT_PREEMPTIONS;
		o.max_states = s->explore_max_states > 0 ? (uint64_t)s->explore_max_states : DEFAULT_MAX_STATES;
		check_max_states = o.max_states;
		if (check_pg.on)
			o.progress = check_progress;
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
			const ExpectResult *x = first_failure(&r->fail_report);
			char *why = x ? failure_text(x) : g_strdup("?");

			*line = g_strdup_printf("schedule %s fails: %s", plan[0] ? plan : "default", why);
			g_free(why);
			g_free(plan);
			world_free(w);
		} else
			*line = g_strdup_printf("expected some run to show `%s`, got none", first_missing(s, r->sometimes_held));
		explore_result_free(r);
		g_free(r);
	} else {
		World *w = world_new(s, prof, qbits);
		ExpectReport *rep = g_new0(ExpectReport, 1);
		int failed;

		if (s->has_seed)
			world_set_seed(w, (uint64_t)s->seed);
		cli_run_world(w, &check_pg, check_what);
		failed = expect_check(w, rep);
		ok = failed == 0;
		if (ok)
			*line = g_strdup_printf("ran %llu steps, %d expectation%s held",
			    (unsigned long long)w->step, rep->n, rep->n == 1 ? "" : "s");
		else {
			const ExpectResult *x = first_failure(rep);

			*line = x ? failure_text(x) : g_strdup("?");
		}
		g_free(rep);
		world_free(w);
	}
	scenario_free(s);
	return ok;
}

static int
cmd_check(int argc, char **argv)
{
	GOptionEntry entries[] = { { NULL, 0, 0, 0, NULL, NULL, NULL } };
	GPtrArray *files;
	GHashTable *seen;
	int failed = 0, rc;

	if (!cli_parse_options(&cli_cmd_check, entries, &argc, &argv, &rc))
		return rc;
	files = g_ptr_array_new_with_free_func(g_free);
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (argc < 2)
		collect("scenarios", files, seen);
	for (int i = 1; i < argc; i++)
		collect(argv[i], files, seen);
	g_hash_table_destroy(seen);
	printf("1..%u\n", files->len);
	/* on a terminal, while the TAP lines go elsewhere (or between them) */
	cli_progress_init(&check_pg, true);
	for (guint i = 0; i < files->len; i++) {
		char *line = NULL;
		bool ok;

		snprintf(check_what, sizeof check_what, "check %u/%u %s", i + 1, files->len,
		    (char *)files->pdata[i]);

		if (!g_file_test(files->pdata[i], G_FILE_TEST_EXISTS)) {
			/* not there: a failure like any other, and on to the next */
			line = g_strdup(g_strerror(ENOENT));
			ok = false;
		} else
			ok = check_one(files->pdata[i], &line);

		cli_progress_clear(&check_pg);
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

const CliCommand cli_cmd_check = {
	"check",
	"check [DIR|FILE]...",
	cmd_check,
	"Check every scenario under the given paths and print TAP, for CI",
	"Each FILE, and every .scn file under each DIR (sorted, symlinks followed, each "
	"directory once), is run as sosim run runs it, or explored as sosim explore explores it "
	"when the scenario has an `explore` line, with its own profile, quirks and bounds. Without "
	"an argument: ./scenarios.\n\n"
	"The output is TAP on stdout: \"1..N\", then \"ok N - FILE: what ran\" or \"not ok N - "
	"FILE: why\" for each scenario, and \"# F of N failed\". A path that does not exist "
	"gives \"not ok N - PATH: No such file or directory\" and the others are still checked; so "
	"does a scenario with an error.",
	"0  every scenario passed\n"
	"1  a scenario failed, had an error, or was not found\n"
	"2  bad command line (an unknown option)",
};
