/*
 * cmd-run.c: `sosim run`: run a scenario, print its trace and the verdict
 * of its expectations.  Exit 0 when every one held, 1 when one failed,
 * 2 for bad input, 3 when a limit stopped the run, 4 when the trace could
 * not be written, 130/143 when SIGINT/SIGTERM stopped it (progress.c).  The verdict
 * ends the trace; when the trace goes to a file (-o) or is a Chrome
 * timeline, which has no room for it, it is also printed on stderr, with
 * the profile the run used.
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
	char *max_bytes, *max_time;     /* a size, a duration */
	gint64 max_mbufs;
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
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &o.seed,
		  "Pick among the threads that can run at random, from seed N (0 or more): a reproducible "
		  "interleaving; default: the scenario's `seed` line, else the default policy", "N" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &o.format,
		  "Trace format: text (default), jsonl (JSON Lines, docs/trace-format.md) or chrome "
		  "(a timeline for ui.perfetto.dev)", "F" },
		{ "stats", 0, 0, G_OPTION_ARG_NONE, &o.stats,
		  "Print the cost profile per routine after the verdict (on stderr when the trace is "
		  "not text on stdout)", NULL },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
		  "Write the trace to FILE (whole or not at all; - is stdout); the verdict is then also "
		  "printed on stderr", "FILE" },
		{ "max-steps", 0, 0, G_OPTION_ARG_INT64, &o.max_steps,
		  "Stop the run after N steps (1 or more); the verdict says it was stopped", "N" },
		{ "max-bytes", 0, 0, G_OPTION_ARG_STRING, &o.max_bytes,
		  "Stop the run once the programs sent more than SIZE bytes (64K, 1G, ...; default: the "
		  "scenario's `limit bytes`, else 1T)", "SIZE" },
		{ "max-time", 0, 0, G_OPTION_ARG_STRING, &o.max_time,
		  "Stop the run when virtual time passes D (10ms, 2s, ...; default: the scenario's "
		  "`limit time`, else 3600s)", "D" },
		{ "max-mbufs", 0, 0, G_OPTION_ARG_INT64, &o.max_mbufs,
		  "At most N mbufs in use at once, 1 to 32767, as if the kernel had no more memory: "
		  "allocations beyond fail or wait (default: the scenario's `limit mbufs`, else only "
		  "the simulator's pool of 32767)", "N" },
		{ "check", 0, 0, G_OPTION_ARG_STRING, &o.check,
		  "When to check the invariants: every-step (default: the run stops at the first "
		  "broken one) or end", "WHEN" },
		{ "quiet", 0, 0, G_OPTION_ARG_NONE, &o.quiet,
		  "No trace: only the profile line and the verdict", NULL },
		{ "schedule", 0, 0, G_OPTION_ARG_STRING, &o.schedule,
		  "Replay a schedule, as sosim explore prints and saves one: STEP:THREAD,... (the "
		  "default policy except at those steps), or a file holding one; every entry must be "
		  "used, by a thread that can run at its step", "S" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
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
	TraceHeader term_h;
	bool to_term;
	int64_t max_bytes = 0, max_time = 0;
	CliProgress pg;

	o.seed = G_MININT64;            /* not given */
	o.max_steps = G_MININT64;
	o.max_mbufs = G_MININT64;
	if (!cli_parse_options(&cli_cmd_run, entries, &argc, &argv, &rc))
		goto done;
	o.has_seed = o.seed != G_MININT64;
	if (o.has_seed && !cli_check_min(&cli_cmd_run, "seed", o.seed, 0, "a seed is 0 or more"))
		goto done;
	if (o.max_steps != G_MININT64 &&
	    !cli_check_min(&cli_cmd_run, "max-steps", o.max_steps, 1, "give 1 or more steps"))
		goto done;
	if (o.max_mbufs != G_MININT64 && (o.max_mbufs < 1 || o.max_mbufs > POOL_MAX_CHUNKS * POOL_CHUNK - 1)) {
		cli_usage_error(&cli_cmd_run, "--max-mbufs %lld: give 1 to %u", (long long)o.max_mbufs,
		    POOL_MAX_CHUNKS * POOL_CHUNK - 1);
		goto done;
	}
	if ((o.max_bytes && !cli_limit_size(&cli_cmd_run, "max-bytes", o.max_bytes, &max_bytes)) ||
	    (o.max_time && !cli_limit_duration(&cli_cmd_run, "max-time", o.max_time, &max_time)))
		goto done;
	if ((path = cli_one_file(&cli_cmd_run, argc, argv)) == NULL)
		goto done;
	if (o.format && strcmp(o.format, "jsonl") == 0)
		fmt = TRACE_JSONL;
	else if (o.format && strcmp(o.format, "chrome") == 0)
		fmt = TRACE_CHROME;
	else if (o.format && strcmp(o.format, "text") != 0) {
		cli_usage_error(&cli_cmd_run, "--format %s: unknown format (text, jsonl or chrome)", o.format);
		goto done;
	}
	if (o.check && strcmp(o.check, "every-step") != 0 && strcmp(o.check, "end") != 0) {
		cli_usage_error(&cli_cmd_run, "--check %s: say every-step or end", o.check);
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
	if (max_bytes > 0)
		w->run->limit_bytes = (uint64_t)max_bytes;
	if (max_time > 0)
		w->run->limit_time = max_time;
	if (o.max_mbufs > 0)
		w->mbuf_limit = (uint64_t)o.max_mbufs;
	if (!cli_plan_fits("run", w))
		goto done;
	trace_writer_init(&tw, out.fp, fmt);
	{
		TraceHeader h = { s->path, s->description, o.schedule, false, 0 };

		if (o.has_seed || s->has_seed) {
			h.has_seed = true;
			h.seed = (uint64_t)(o.has_seed ? o.seed : s->seed);
		}
		/* the header even when --quiet: JSONL always opens with it; the
		 * text its first line, which names the profile */
		to_term = (out.fp != stdout || fmt == TRACE_CHROME);
		term_h = h;
		term_h.description = NULL;
		if (o.quiet && fmt == TRACE_TEXT)
			h.description = NULL;
		trace_header(&tw, w, &h);
	}
	if (!o.quiet) {
		w->run->sink.fn = trace_emit;
		w->run->sink.ctx = &tw;
	}
	/* SIGINT, SIGTERM: stop at the next step, the verdict and the trace
	 * complete; the progress line only where no trace scrolls by */
	cli_interrupt_catch();
	cli_progress_init(&pg, o.quiet || out.fp != stdout || !isatty(STDOUT_FILENO));
	cli_run_world(w, &pg, "run");
	cli_progress_clear(&pg);

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
	if (to_term) {
		/* the trace is in a file, or has no verdict: the verdict, with the
		 * profile line of the text header, on stderr too */
		TraceWriter term;

		fflush(stdout);
		trace_writer_init(&term, stderr, TRACE_TEXT);
		trace_header(&term, w, &term_h);
		for (int i = 0; i < rep->n; i++)
			trace_verdict(&term, s->path, rep->items[i].pos.line, rep->items[i].pos.col,
			    rep->items[i].notrun ? VERDICT_NOT_RUN : rep->items[i].ok ? VERDICT_HELD :
			    rep->items[i].quant == SCN_Q_SOMETIMES ? VERDICT_NOT_SEEN : VERDICT_FAILED,
			    rep->items[i].msg);
		trace_summary(&term, w, failed);
		trace_writer_finish(&term);
	}
	/* a limit or an interrupt: the verdict is of the world where it stopped */
	rc = cli_stopped_by_limit(w) ? EXIT_PARTIAL : failed ? 1 : 0;
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
	g_free(o.profile);
	g_strfreev(o.quirks);
	g_free(o.format);
	g_free(o.output);
	g_free(o.check);
	g_free(o.schedule);
	g_free(o.max_bytes);
	g_free(o.max_time);
	return cli_exit_status(rc);
}

const CliCommand cli_cmd_run = {
	"run",
	"run FILE [--profile P] [--quirk Q[=off]]... [--seed N]\n"
	"                 [--format text|jsonl|chrome] [--stats] [-o FILE]\n"
	"                 [--max-steps N] [--max-bytes SIZE] [--max-time D]\n"
	"                 [--max-mbufs N] [--check every-step|end] [--quiet]\n"
	"                 [--schedule STEP:THREAD,...|FILE]",
	cmd_run,
	"Run a scenario once, print its trace and check its expectations",
	"FILE is a scenario (docs/scenario-language.md; `sosim list scenarios` shows the lessons). "
	"The trace opens with a header that names the scenario, the profile and the quirks the run "
	"used, then every step, then the verdict: one line per expectation (held, FAILED, not seen "
	"in this run, not run) and a summary line.\n\n"
	"The verdict ends the trace, on stdout. With -o FILE, or with --format chrome, it is "
	"printed on stderr as well, with the line that names the profile, so the terminal "
	"always shows it.",
	"0  every expectation held\n"
	"1  an expectation failed\n"
	"2  bad input: the command line, the scenario (FILE:LINE:COL: error: ...),\n"
	"   or a --schedule that does not fit the run\n"
	"3  a limit stopped the run (steps, bytes, virtual time, the simulator's pools); the\n"
	"   verdict is of the world where it stopped, and -o FILE holds the whole trace to there\n"
	"4  the trace could not be written (-o FILE, a full disk, a closed stdout)\n"
	"130, 143  SIGINT or SIGTERM stopped the run: it ends as at a limit, then dies of the signal",
};
