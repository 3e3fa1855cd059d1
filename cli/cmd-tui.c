/*
 * cmd-tui.c: `sosim tui`: step through a run in the terminal (tui/).
 *
 *   sosim tui FILE [--profile P] [--quirk Q]... [--seed N] [--schedule S] [--at STEP]
 *
 * The world is made as `sosim run` makes its own (profile, quirks, seed,
 * --schedule), and handed to the viewer at step 0; --at moves it first.
 * The scenario's expectations are checked here, at the last step, since
 * tui/ sits below the scenario layer.  Exit 0 on q, 2 for bad input or
 * when there is no terminal.
 */
#include "cli.h"
#include "expect.h"
#include "sched.h"
#include "term.h"
#include "tui.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	char *profile;
	char **quirks;
	gint64 seed;
	char *schedule;
	char *at;
} TuiOpts;

/* The verdict as `sosim run` gives it: held, or the first failure. */
static int
op_line(void *ctx, const World *w, int tid)
{
	return scenario_op_line(ctx, w, tid);
}

static bool
verdict(void *ctx, World *w, char *buf, size_t n)
{
	ExpectReport *rep = g_new0(ExpectReport, 1);
	int failed = expect_check(w, rep);

	(void)ctx;
	if (failed == 0)
		snprintf(buf, n, "all expectations held");
	else
		for (int i = 0; i < rep->n; i++)
			if (!rep->items[i].ok && rep->items[i].quant != SCN_Q_SOMETIMES) {
				if (rep->items[i].pos.line > 0)
					snprintf(buf, n, "FAILED line %d: %s", rep->items[i].pos.line,
					    rep->items[i].msg);
				else
					snprintf(buf, n, "FAILED: %s", rep->items[i].msg);
				break;
			}
	g_free(rep);
	return failed == 0;
}

static int
cmd_tui(int argc, char **argv)
{
	TuiOpts o = { 0 };
	GOptionEntry entries[] = {
		CLI_PROFILE_OPTIONS(&o.profile, &o.quirks),
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &o.seed, "Random but reproducible interleaving", "N" },
		{ "schedule", 0, 0, G_OPTION_ARG_STRING, &o.schedule,
		  "Replay a schedule from sosim explore (STEP:THREAD,... or a file holding one)", "S" },
		{ "at", 0, 0, G_OPTION_ARG_STRING, &o.at, "Open at step STEP (default: 0)", "STEP" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("FILE - step through a run in the terminal");
	SchedDev *plan = NULL;
	int nplan = 0;
	const char *path;
	Scenario *s = NULL;
	World *w = NULL;
	Tui *t = NULL;
	const Profile *prof;
	uint32_t quirks;
	uint64_t at = 0;
	int rc = EXIT_BAD_INPUT;
	char *text = NULL, **source = NULL;
	int nsource = 0;

	o.seed = -1;
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!cli_parse_options("tui", ctx, &argc, &argv))
		goto done;
	if ((path = cli_one_file("tui", argc, argv)) == NULL)
		goto done;
	if (o.at != NULL) {
		char *end;

		errno = 0;
		at = strtoull(o.at, &end, 10);
		if (*o.at == '\0' || *end != '\0' || errno != 0 || o.at[0] == '-' || o.at[0] == '+') {
			fprintf(stderr, "sosim tui: --at %s: give a step number, 0 (before the first step) or more\n",
			    o.at);
			goto done;
		}
	}
	if ((s = cli_parse_scenario(path)) == NULL)
		goto done;
	if (!resolve_profile(s, o.profile, o.quirks, &prof, &quirks))
		goto done;
	if ((w = cli_world(s, prof, quirks, o.schedule, o.seed, &plan, &nplan)) == NULL)
		goto done;
	/* after the input is checked, so that bad input says what is wrong */
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		fprintf(stderr, "sosim tui: needs a terminal; try sosim run\n");
		goto done;
	}
	if (g_file_get_contents(path, &text, NULL, NULL)) {
		source = g_strsplit(text, "\n", -1);
		nsource = (int)g_strv_length(source);
		if (nsource > 0 && source[nsource - 1][0] == '\0')
			nsource--;      /* the newline at the end */
	}
	{
		TuiConfig cfg = { path, verdict, NULL, source, nsource, op_line, s, s->description };

		t = tui_new(w, &cfg);
		w = NULL;       /* the viewer owns it */
	}
	if (at > 0)
		tui_goto(t, at);
	rc = term_run(t) == 0 ? 0 : 1;
done:
	tui_free(t);
	g_strfreev(source);
	g_free(text);
	world_free(w);
	g_free(plan);
	if (s)
		scenario_free(s);
	g_option_context_free(ctx);
	g_free(o.profile);
	g_strfreev(o.quirks);
	g_free(o.schedule);
	g_free(o.at);
	return rc;
}

const CliCommand cli_cmd_tui = {
	"tui",
	"tui FILE [--profile P] [--quirk Q]... [--seed N] [--schedule S] [--at STEP]",
	cmd_tui,
};
