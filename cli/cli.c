/*
 * cli.c: what the subcommands of sosim share: option and file arguments,
 * the profile and quirks of a run, a --schedule argument.
 */
#include "cli.h"
#include "expect.h"
#include "sched.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

bool
cli_parse_options(const char *cmd, GOptionContext *ctx, int *argc, char ***argv)
{
	GError *err = NULL;

	if (g_option_context_parse(ctx, argc, argv, &err))
		return true;
	fprintf(stderr, "sosim %s: %s\n", cmd, err->message);
	g_error_free(err);
	return false;
}

const char *
cli_one_file(const char *cmd, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "sosim %s: give exactly one scenario file\n", cmd);
		return NULL;
	}
	return argv[1];
}

Scenario *
cli_parse_scenario(const char *path)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_file(path, &err);

	if (s == NULL) {
		fprintf(stderr, "%s\n", err->message);
		g_error_free(err);
	}
	return s;
}

/* A schedule given as text, or the name of a file holding one (its first
 * line that is not a comment). */
bool
load_plan(const World *w, const char *arg, SchedDev **plan, int *n)
{
	char *text = NULL, *msg = NULL;
	bool ok;

	if (strchr(arg, ':') == NULL && g_file_test(arg, G_FILE_TEST_IS_REGULAR)) {
		char *data = NULL;
		GError *err = NULL;

		if (!g_file_get_contents(arg, &data, NULL, &err)) {
			fprintf(stderr, "sosim: error: %s\n", err->message);
			g_error_free(err);
			return false;
		}
		for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n"))
			if (line[0] != '#' && line[0] != '\0') {
				text = g_strstrip(g_strdup(line));
				break;
			}
		g_free(data);
		if (text == NULL)
			text = g_strdup("");
	} else
		text = g_strdup(arg);
	ok = sched_plan_parse(w, text, plan, n, &msg);
	if (!ok) {
		fprintf(stderr, "sosim: error: --schedule %s: %s\n", text, msg);
		g_free(msg);
	}
	g_free(text);
	return ok;
}

/* Profile and quirks: the scenario's, then the command line's on top. */
bool
resolve_profile(const Scenario *s, const char *profile, char **qlist, const Profile **pp,
    uint32_t *quirks)
{
	const char *name = profile ? profile : s->profile;
	const Profile *p = name ? profile_find(name) : profile_default();

	if (p == NULL) {
		fprintf(stderr, "sosim: error: unknown profile '%s' (see `sosim list profiles`)\n", name);
		return false;
	}
	*quirks = (p->quirks | s->quirks_on) & ~s->quirks_off;
	for (char **q = qlist; q && *q; q++) {
		char *name2 = g_strdup(*q), *eq = strchr(name2, '=');
		bool off = false;
		int id;

		if (eq) {
			*eq = '\0';
			if (strcmp(eq + 1, "off") == 0)
				off = true;
			else if (strcmp(eq + 1, "on") != 0) {
				fprintf(stderr, "sosim: error: --quirk %s: the value must be on or off\n", *q);
				g_free(name2);
				return false;
			}
		}
		id = quirk_find(name2);
		if (id < 0) {
			fprintf(stderr, "sosim: error: unknown quirk '%s' (see `sosim list quirks`)\n", name2);
			g_free(name2);
			return false;
		}
		if (off)
			*quirks &= ~(1u << id);
		else
			*quirks |= 1u << id;
		g_free(name2);
	}
	*pp = p;
	return true;
}

const char *
first_missing(const Scenario *s, const bool *held)
{
	for (int i = 0; i < s->nexpects && i < EXPECT_MAX; i++)
		if (s->expects[i].quant == SCN_Q_SOMETIMES && !held[i])
			return s->expects[i].text;
	return "?";
}

World *
cli_world(const Scenario *s, const Profile *prof, uint32_t quirks, const char *schedule,
    int64_t seed, SchedDev **plan, int *nplan)
{
	World *w = world_new(s, prof, quirks);

	if (schedule != NULL) {
		if (*plan == NULL && !load_plan(w, schedule, plan, nplan)) {
			world_free(w);
			return NULL;
		}
		sched_set_plan(w, *plan, *nplan);
	}
	if (seed >= 0)
		world_set_seed(w, (uint64_t)seed);
	else if (s->has_seed)
		world_set_seed(w, (uint64_t)s->seed);
	return w;
}
