/*
 * transitions.c: the transition coverage report of the declared state
 * machines (docs/scheduling.md, "Which transitions the scenarios take").
 *
 * Every scenario under scenarios/ runs with an event sink that notes each
 * transition event: once as `sosim run` runs it (its own `schedule` or
 * `seed` line), once more with its saved NAME.schedule when there is one,
 * and under a few random interleavings (seeds 1 to SEEDS, as `sosim run
 * --seed N`).  The declared transitions come from the machine registry
 * itself (machine_table, filled by the kernel's and the user layer's own
 * tables), not from a copy.
 *
 * The report says, per machine, how many of its declared transitions some
 * run took, and names each one none took.  tests/transitions-untaken.txt
 * lists those, one a line, with the reason: the test fails when a declared
 * transition is neither taken nor listed, and when a listed one is taken
 * now (a stale line), so the list stays exact.
 *
 * Usage: transitions [SOURCE_ROOT [LIST]]; SOURCE_ROOT defaults to
 * $SOSIM_SOURCE_ROOT, LIST to SOURCE_ROOT/tests/transitions-untaken.txt.
 * -v before them prints, for each taken transition, the first run that
 * took it.  Exit 0 when the list is exact, 1 when not, 2 on bad input.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "machine.h"
#include "profile.h"
#include "run.h"
#include "scenario.h"
#include "sched.h"

#define SEEDS 4
#define NST 32                  /* machine.c's MAX_STATES */

/* taken_by[m][from][to]: the first run that took it (NULL: none) */
static char *taken_by[MACH_MAX][NST][NST];
static const char *current_run;
static int runs;

static int
state_of(const MachineDef *d, const char *name)
{
	for (int i = 0; i < d->nstates; i++)
		if (d->states[i] == name || strcmp(d->states[i], name) == 0)
			return i;
	return -1;
}

static int
machine_id(const char *name)
{
	for (int m = 0; m < MACH_MAX; m++)
		if (machine_table[m] != NULL && (machine_table[m]->name == name ||
		    strcmp(machine_table[m]->name, name) == 0))
			return m;
	return -1;
}

static void
note_event(void *ctx, const World *w, const SimEvent *ev)
{
	int m, from, to;

	(void)ctx;
	(void)w;
	if (ev->kind != EVK_TRANS)
		return;
	m = machine_id(ev->routine);
	if (m < 0) {
		fprintf(stderr, "transitions: %s: a transition of unknown routine %s\n", current_run,
		    ev->routine);
		exit(2);
	}
	from = state_of(machine_table[m], ev->from);
	to = state_of(machine_table[m], ev->to);
	if (from < 0 || to < 0) {
		fprintf(stderr, "transitions: %s: %s: unknown state in %s -> %s\n", current_run,
		    ev->routine, ev->from, ev->to);
		exit(2);
	}
	if (taken_by[m][from][to] == NULL)
		taken_by[m][from][to] = g_strdup(current_run);
}

/* One run of s: seed < 0 as the file says, else that random interleaving;
 * plan: a saved schedule's text, or NULL. */
static void
run_one(const Scenario *s, const char *label, int64_t seed, const char *plan)
{
	const Profile *p = profile_find(s->profile ? s->profile : "netbsd-2.0");
	World *w;
	SchedDev *d = NULL;
	int nd = 0;
	char *msg = NULL;

	if (p == NULL) {
		fprintf(stderr, "transitions: %s: unknown profile\n", s->path);
		exit(2);
	}
	w = world_new(s, p, (p->quirks | s->quirks_on) & ~s->quirks_off);
	if (w == NULL) {
		fprintf(stderr, "transitions: %s: the kernel refuses the scenario\n", s->path);
		exit(2);
	}
	if (plan != NULL) {
		if (!sched_plan_parse(w, plan, &d, &nd, &msg)) {
			fprintf(stderr, "transitions: %s: bad schedule: %s\n", label, msg ? msg : "?");
			exit(2);
		}
		sched_set_plan(w, d, nd);
	}
	if (seed >= 0)
		world_set_seed(w, (uint64_t)seed);
	else if (s->has_seed)
		world_set_seed(w, (uint64_t)s->seed);
	current_run = label;
	w->run->sink.fn = note_event;
	w->run->sink.ctx = NULL;
	sched_run(w);
	world_free(w);
	g_free(d);
	g_free(msg);
	runs++;
}

/* The first line of a NAME.schedule file that is not a comment. */
static char *
saved_schedule(const char *scn_path)
{
	char *path = g_strdup_printf("%.*s.schedule", (int)(strlen(scn_path) - 4), scn_path);
	char *data = NULL, *line = NULL;

	if (g_file_get_contents(path, &data, NULL, NULL)) {
		char **lines = g_strsplit(data, "\n", -1);

		for (char **l = lines; *l != NULL && line == NULL; l++) {
			g_strstrip(*l);
			if ((*l)[0] != '#' && (*l)[0] != '\0')
				line = g_strdup(*l);
		}
		g_strfreev(lines);
	}
	g_free(data);
	g_free(path);
	return line;
}

/* g_ptr_array_sort hands pointers to the elements */
static int
cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .scn under dir, in name order, folders included. */
static int
run_dir(const char *root, const char *dir)
{
	GDir *gd = g_dir_open(dir, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	int n = 0;

	if (gd == NULL)
		return 0;
	while ((name = g_dir_read_name(gd)) != NULL)
		g_ptr_array_add(names, g_strdup(name));
	g_dir_close(gd);
	g_ptr_array_sort(names, cmp_names);
	for (guint i = 0; i < names->len; i++) {
		const char *nm = g_ptr_array_index(names, i);
		char *path = g_build_filename(dir, nm, NULL);
		const char *rel = path + strlen(root) + (path[strlen(root)] == '/');

		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			n += run_dir(root, path);
		} else if (g_str_has_suffix(nm, ".scn")) {
			GError *err = NULL;
			Scenario *s = scenario_parse_file(path, &err);
			char *plan = saved_schedule(path), *label;

			if (s == NULL) {
				fprintf(stderr, "transitions: %s: %s\n", path, err ? err->message : "?");
				exit(2);
			}
			label = g_strdup(rel);
			run_one(s, label, -1, NULL);
			g_free(label);
			if (plan != NULL) {
				label = g_strdup_printf("%s --schedule %s", rel, plan);
				run_one(s, label, -1, plan);
				g_free(label);
			}
			for (int seed = 1; seed <= SEEDS; seed++) {
				label = g_strdup_printf("%s --seed %d", rel, seed);
				run_one(s, label, seed, NULL);
				g_free(label);
			}
			g_free(plan);
			scenario_free(s);
			n++;
		}
		g_free(path);
	}
	g_ptr_array_free(names, TRUE);
	return n;
}

/* listed[m][from][to]: the reason the list gives (NULL: not listed) */
static char *listed[MACH_MAX][NST][NST];
static int listed_line[MACH_MAX][NST][NST];

/* Read the list; false (and a message) on a line that does not name a
 * declared transition. */
static bool
read_list(const char *path)
{
	char *data = NULL;
	GError *err = NULL;
	char **lines;
	bool ok = true;

	if (!g_file_get_contents(path, &data, NULL, &err)) {
		fprintf(stderr, "transitions: %s\n", err->message);
		g_error_free(err);
		return false;
	}
	lines = g_strsplit(data, "\n", -1);
	for (int i = 0; lines[i] != NULL; i++) {
		char *l = g_strstrip(lines[i]), *colon, **w;
		int m = -1, from = -1, to = -1;

		if (l[0] == '#' || l[0] == '\0')
			continue;
		colon = strchr(l, ':');
		if (colon == NULL || g_strstrip(colon + 1)[0] == '\0') {
			fprintf(stderr, "%s:%d: want `machine from -> to: reason`\n", path, i + 1);
			ok = false;
			continue;
		}
		*colon = '\0';
		w = g_strsplit_set(g_strstrip(l), " \t", -1);
		{
			char *v[4];
			int n = 0;

			for (char **p = w; *p != NULL; p++)
				if (**p != '\0' && n < 4)
					v[n++] = *p;
				else if (**p != '\0')
					n = 5;
			if (n == 4 && strcmp(v[2], "->") == 0 && (m = machine_id(v[0])) >= 0) {
				from = state_of(machine_table[m], v[1]);
				to = state_of(machine_table[m], v[3]);
			}
			if (from >= 0 && to >= 0) {
				const MachineDef *d = machine_table[m];
				bool declared = false;

				for (int k = 0; k < d->ntrans; k++)
					declared |= d->trans[k].from == from && d->trans[k].to == to;
				if (!declared)
					from = -1;
			}
		}
		if (from < 0 || to < 0) {
			fprintf(stderr, "%s:%d: `%s` is not a declared transition (`sosim dot --machine "
			    "NAME` draws them): remove the line\n", path, i + 1, l);
			ok = false;
		} else if (listed[m][from][to] != NULL) {
			fprintf(stderr, "%s:%d: %s listed again (first on line %d)\n", path, i + 1, l,
			    listed_line[m][from][to]);
			ok = false;
		} else {
			listed[m][from][to] = g_strdup(g_strstrip(colon + 1));
			listed_line[m][from][to] = i + 1;
		}
		g_strfreev(w);
	}
	g_strfreev(lines);
	g_free(data);
	return ok;
}

int
main(int argc, char **argv)
{
	bool verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	const char *root, *list;
	char *scen, *deflist = NULL;
	int files, declared_all = 0, taken_all = 0, listed_all = 0, missing = 0, stale = 0;
	bool list_ok;

	if (verbose) {
		argv++;
		argc--;
	}
	root = argc > 1 ? argv[1] : g_getenv("SOSIM_SOURCE_ROOT");
	if (root == NULL || argc > 3) {
		fprintf(stderr, "usage: transitions [-v] [SOURCE_ROOT [LIST]] (or set SOSIM_SOURCE_ROOT)\n");
		return 2;
	}
	list = argc > 2 ? argv[2] : (deflist = g_build_filename(root, "tests",
	    "transitions-untaken.txt", NULL));
	scenario_engine_init();
	list_ok = read_list(list);
	scen = g_build_filename(root, "scenarios", NULL);
	files = run_dir(root, scen);
	if (files < 50) {
		fprintf(stderr, "transitions: only %d scenarios under %s\n", files, scen);
		return 2;
	}
	printf("transition coverage: %d scenarios, %d runs (each as written, its saved "
	    ".schedule if any, seeds 1-%d)\n\n", files, runs, SEEDS);
	for (int m = 0; m < MACH_MAX; m++) {
		const MachineDef *d = machine_table[m];
		int taken = 0, nlisted = 0;

		if (d == NULL)
			continue;
		for (int k = 0; k < d->ntrans; k++) {
			bool took = taken_by[m][d->trans[k].from][d->trans[k].to] != NULL;

			taken += took;
			nlisted += !took && listed[m][d->trans[k].from][d->trans[k].to] != NULL;
		}
		printf("%-16s %2d/%2d taken, %2d untaken listed\n", d->name, taken, d->ntrans, nlisted);
		declared_all += d->ntrans;
		taken_all += taken;
		for (int k = 0; k < d->ntrans; k++) {
			int f = d->trans[k].from, t = d->trans[k].to;
			const char *by = taken_by[m][f][t], *why = listed[m][f][t];

			if (by != NULL && why != NULL) {
				printf("    STALE    %s -> %s: taken by %s, but %s:%d lists it\n", d->states[f],
				    d->states[t], by, list, listed_line[m][f][t]);
				stale++;
			} else if (by == NULL && why == NULL) {
				printf("    MISSING  %s -> %s: no run takes it, and %s does not list it\n",
				    d->states[f], d->states[t], list);
				missing++;
			} else if (by == NULL) {
				printf("    untaken  %s -> %s: %s\n", d->states[f], d->states[t], why);
				listed_all++;
			} else if (verbose)
				printf("    taken    %s -> %s: first by %s\n", d->states[f], d->states[t], by);
		}
	}
	printf("\n%d declared transitions, %d taken, %d listed untaken\n", declared_all, taken_all,
	    listed_all);
	if (missing > 0)
		fprintf(stderr, "transitions: FAIL: %d declared transition(s) that no scenario takes are "
		    "not in %s: write a scenario that takes each (scenarios/coverage/), or add a line "
		    "`machine from -> to: reason` saying why none can or which kernel path it stands "
		    "for\n", missing, list);
	if (stale > 0)
		fprintf(stderr, "transitions: FAIL: %d line(s) of %s name transitions some run now "
		    "takes: remove them\n", stale, list);
	if (!list_ok)
		fprintf(stderr, "transitions: FAIL: %s has bad lines (above)\n", list);
	for (int m = 0; m < MACH_MAX; m++)
		for (int f = 0; f < NST; f++)
			for (int t = 0; t < NST; t++) {
				g_free(taken_by[m][f][t]);
				g_free(listed[m][f][t]);
			}
	g_free(scen);
	g_free(deflist);
	return missing > 0 || stale > 0 || !list_ok ? 1 : 0;
}
