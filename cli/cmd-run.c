/*
 * cmd-run.c: `sosim run`: run a scenario, print its trace and the verdict
 * of its expectations.  Exit 0 when every one held, 1 when one failed,
 * 2 for bad input, 4 when the trace could not be written.
 */
#include "cli.h"
#include "expect.h"
#include "sched.h"
#include "trace.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	char *profile;
	char **quirks;
	gint64 seed;
	gboolean has_seed;
	char *format;
	gboolean stats;
	char *output;
	gint64 max_steps;
	char *check;
	gboolean quiet;
	char *schedule;
} RunOpts;

static int
cmd_run(int argc, char **argv)
{
	RunOpts o = { 0 };
	GOptionEntry entries[] = {
		CLI_PROFILE_OPTIONS(&o.profile, &o.quirks),
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &o.seed, "Random but reproducible interleaving", "N" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &o.format, "Trace format: text (default), jsonl or chrome (Perfetto)", "F" },
		{ "stats", 0, 0, G_OPTION_ARG_NONE, &o.stats, "Print the cost profile per routine", NULL },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, "Write the trace to FILE", "FILE" },
		{ "max-steps", 0, 0, G_OPTION_ARG_INT64, &o.max_steps, "Stop after N steps", "N" },
		{ "check", 0, 0, G_OPTION_ARG_STRING, &o.check, "Invariant checks: every-step (default) or end", "WHEN" },
		{ "quiet", 0, 0, G_OPTION_ARG_NONE, &o.quiet, "No trace, only the verdict", NULL },
		{ "schedule", 0, 0, G_OPTION_ARG_STRING, &o.schedule,
		  "Replay a schedule from sosim explore (STEP:THREAD,... or a file holding one)", "S" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("FILE - run a scenario and check its expectations");
	SchedDev *plan = NULL;
	int nplan = 0;
	const char *path;
	Scenario *s = NULL;
	World *w = NULL;
	const Profile *prof;
	uint32_t quirks;
	TraceWriter tw;
	ExpectReport *rep = NULL;
	CliOutput out = { 0 };
	int failed, rc = EXIT_BAD_INPUT;
	TraceFormat fmt = TRACE_TEXT;

	o.seed = -1;
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!cli_parse_options("run", ctx, &argc, &argv))
		goto done;
	o.has_seed = o.seed >= 0;
	if ((path = cli_one_file("run", argc, argv)) == NULL)
		goto done;
	if (o.format && strcmp(o.format, "jsonl") == 0)
		fmt = TRACE_JSONL;
	else if (o.format && strcmp(o.format, "chrome") == 0)
		fmt = TRACE_CHROME;
	else if (o.format && strcmp(o.format, "text") != 0) {
		fprintf(stderr, "sosim run: unknown format '%s' (text, jsonl, chrome)\n", o.format);
		goto done;
	}
	if (o.check && strcmp(o.check, "every-step") != 0 && strcmp(o.check, "end") != 0) {
		fprintf(stderr, "sosim run: --check takes every-step or end\n");
		goto done;
	}
	if ((s = cli_parse_scenario(path)) == NULL)
		goto done;
	if (!resolve_profile(s, o.profile, o.quirks, &prof, &quirks))
		goto done;
	if (!cli_output_open(&out, o.output))
		goto done;

	if ((w = cli_world(s, prof, quirks, o.schedule, o.has_seed ? o.seed : -1, &plan, &nplan)) == NULL)
		goto done;
	if (o.check && strcmp(o.check, "end") == 0)
		w->run->check = CHECK_AT_END;
	if (o.max_steps > 0)
		w->run->limit_steps = (uint64_t)o.max_steps;
	trace_writer_init(&tw, out.fp, fmt);
	{
		TraceHeader h = { s->path, s->description, o.schedule, false, 0 };

		if (o.has_seed || s->has_seed) {
			h.has_seed = true;
			h.seed = (uint64_t)(o.has_seed ? o.seed : s->seed);
		}
		/* the header even when --quiet: JSONL always opens with it */
		if (!o.quiet || fmt != TRACE_TEXT)
			trace_header(&tw, w, &h);
	}
	if (!o.quiet) {
		w->run->sink.fn = trace_emit;
		w->run->sink.ctx = &tw;
	}
	sched_run(w);

	rep = g_new0(ExpectReport, 1);
	failed = expect_check(w, rep);
	for (int i = 0; i < rep->n; i++)
		trace_verdict(&tw, s->path, rep->items[i].pos.line, rep->items[i].pos.col,
		    rep->items[i].notrun ? VERDICT_NOT_RUN : rep->items[i].ok ? VERDICT_HELD :
		    rep->items[i].quant == SCN_Q_SOMETIMES ? VERDICT_NOT_SEEN : VERDICT_FAILED,
		    rep->items[i].msg);
	if (o.stats && fmt == TRACE_JSONL)
		trace_stats(&tw, w);    /* one record, before the summary */
	trace_summary(&tw, w, failed);
	if (o.stats && fmt != TRACE_JSONL)
		stats_print(fmt != TRACE_TEXT || out.fp != stdout ? stderr : stdout, w);
	if (out.fp != stdout) {
		/* the verdict also goes to stderr when the trace is not on the terminal */
		for (int i = 0; i < rep->n; i++)
			if (!rep->items[i].ok && rep->items[i].quant != SCN_Q_SOMETIMES) {
				if (rep->items[i].pos.line > 0)
					fprintf(stderr, "%s:%d:%d: FAILED: %s\n", s->path, rep->items[i].pos.line,
					    rep->items[i].pos.col, rep->items[i].msg);
				else
					fprintf(stderr, "%s: FAILED: %s\n", s->path, rep->items[i].msg);
			}
	}
	rc = failed ? 1 : 0;
	trace_writer_finish(&tw);
	if (!cli_output_close(&out, true))
		rc = EXIT_OUTPUT;
done:
	cli_output_close(&out, false);
	g_free(rep);
	world_free(w);
	g_free(plan);
	if (s)
		scenario_free(s);
	g_option_context_free(ctx);
	g_free(o.profile);
	g_strfreev(o.quirks);
	g_free(o.format);
	g_free(o.output);
	g_free(o.check);
	g_free(o.schedule);
	return rc;
}

const CliCommand cli_cmd_run = {
	"run",
	"run FILE [--profile P] [--quirk Q[=off]]... [--seed N]\n"
	"                        [--format text|jsonl|chrome] [--stats] [-o FILE]\n"
	"                        [--max-steps N] [--check every-step|end] [--quiet]\n"
	"                        [--schedule STEP:THREAD,...|FILE]",
	cmd_run,
};
