/*
 * cmd-check.c: `sosim check`: every scenario under the given directories
 * (explored where the file says `explore`), one TAP line each, for CI.
 * Exit 0 only when all pass.
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
static const char *
first_failure(const ExpectReport *rep)
{
	for (int i = 0; i < rep->n; i++)
		if (!rep->items[i].ok && rep->items[i].quant != SCN_Q_SOMETIMES)
			return rep->items[i].msg;
	return "?";
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
			*line = g_strdup_printf("expected some run to show `%s`, got none", first_missing(s, r->sometimes_held));
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

static int
cmd_check(int argc, char **argv)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	int failed = 0;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: sosim check [DIR|FILE]...\n"
		    "Run every scenario (explore those that say `explore`) and print TAP.\n");
		g_ptr_array_free(files, TRUE);
		g_hash_table_destroy(seen);
		return 0;
	}
	if (argc < 2)
		collect("scenarios", files, seen);
	for (int i = 1; i < argc; i++) {
		if (!g_file_test(argv[i], G_FILE_TEST_EXISTS)) {
			fprintf(stderr, "sosim check: error: %s: %s\n", argv[i], g_strerror(ENOENT));
			g_ptr_array_free(files, TRUE);
			g_hash_table_destroy(seen);
			return EXIT_BAD_INPUT;
		}
		collect(argv[i], files, seen);
	}
	g_hash_table_destroy(seen);
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

const CliCommand cli_cmd_check = {
	"check",
	"check [DIR|FILE]...",
	cmd_check,
};
