/*
 * cmd-tui.c: `sosim tui`: step through a run in the terminal (tui/).
 *
 *   sosim tui FILE [--profile P] [--quirk Q]... [--seed N] [--schedule S] [--at STEP]
 *   sosim tui TRACE.jsonl [--at STEP]
 *
 * The world is made as `sosim run` makes its own (profile, quirks, seed,
 * --schedule), and handed to the viewer at step 0; --at moves it first.
 * What tui/ cannot know from below the scenario layer comes from here:
 * the verdict at the last step, the source line of each thread's
 * operation, breakpoint conditions (parsed as `expect` lines are), and
 * the pictures d writes (viz/).  A file that starts with '{' is a saved
 * JSONL trace, shown read only.  Exit 0 on q, 2 for bad input or when
 * there is no terminal.
 */
#include "cli.h"
#include "expect.h"
#include "run.h"
#include "sched.h"
#include "snapshot.h"
#include "term.h"
#include "tui.h"
#include "viz.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
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
	char *max_ck;           /* --max-checkpoint-mem */
} TuiOpts;

static int
op_line(void *ctx, const World *w, int tid)
{
	return scenario_op_line(ctx, w, tid);
}

/* The verdict as `sosim run` gives it: held, or the first failure. */
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

/* What d needs besides the world: the scenario's name for the files. */
typedef struct {
	const char *path;
} DumpCtx;

/* Write g as dot text (or SVG) to path, whole or not at all; false with why. */
static bool
write_picture(Agraph_t *g, VizFormat f, const char *path, char *msg, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	GError *err = NULL;
	bool ok;

	if (fp == NULL)
		abort();
	ok = viz_write(g, f, fp);
	fclose(fp);
	if (!ok)
		snprintf(msg, n, "Graphviz could not render %s", path);
	else if (!(ok = g_file_set_contents(path, buf, (gssize)len, &err))) {
		snprintf(msg, n, "cannot write %s: %s", path, err->message);
		g_error_free(err);
	}
	free(buf);
	return ok;
}

/* d: the selected buffer at this step, as `sosim dot --buffer` draws it,
 * into NAME-stepN-SOCKET.rcv.dot and .svg in the current directory.  The
 * step is run again from the world before it, to record what it did. */
static bool
dump(void *ctx, const World *w, const World *prev, uint64_t step, uint64_t last, int sock, int which,
    char *msg, size_t n)
{
	DumpCtx *d = ctx;
	VizRecorder *rec = viz_recorder_new(step, NULL, 0);
	VizView v = { w, prev, step, last, d->path, NULL };
	char *base = g_path_get_basename(d->path), *dot, *svg;
	Agraph_t *g;
	bool ok;

	if (g_str_has_suffix(base, ".scn"))
		base[strlen(base) - 4] = '\0';
	dot = g_strdup_printf("%s-step%llu-%s.%s.dot", base, (unsigned long long)step, sock_name(w, sock),
	    which == SB_RCV ? "rcv" : "snd");
	svg = g_strdup_printf("%.*s.svg", (int)strlen(dot) - 4, dot);
	if (prev != NULL) {
		World *c = world_clone(prev);

		c->run->shadow_valid = false;
		c->run->sink = (EventSink){ viz_recorder_sink, rec };
		sched_step(c);
		c->run->sink.fn = NULL;
		c->run->shadow_valid = false;
		world_free(c);
		v.rec = rec;
	}
	g = viz_buffers(&v, sock, which);
	ok = write_picture(g, VIZ_DOT, dot, msg, n) && write_picture(g, VIZ_SVG, svg, msg, n);
	if (ok)
		snprintf(msg, n, "wrote %s and %s", dot, svg);
	else
		g_unlink(dot);  /* nothing half-written */
	viz_free(g);
	viz_recorder_free(rec);
	g_free(base);
	g_free(dot);
	g_free(svg);
	return ok;
}

/* Whether path holds a JSONL trace rather than a scenario: a record first. */
static bool
is_trace(const char *path)
{
	FILE *fp = fopen(path, "r");
	int c = ' ';

	if (fp == NULL)
		return false;
	while (c == ' ' || c == '\n' || c == '\t' || c == '\r')
		c = getc(fp);
	fclose(fp);
	return c == '{';
}

/* A saved trace: the events only. */
static int
tui_trace(const char *path, const TuiOpts *o, uint64_t at)
{
	char err[400];
	Tui *t;
	int rc;

	if (o->profile != NULL || o->quirks != NULL || o->seed >= 0 || o->schedule != NULL) {
		fprintf(stderr, "sosim tui: %s is a saved trace: --profile, --quirk, --seed and --schedule "
		    "are for a scenario\n", path);
		return EXIT_BAD_INPUT;
	}
	scenario_engine_init();         /* the machines, for ROUTINE:STATE breakpoints */
	if ((t = tui_open_trace(path, err, sizeof err)) == NULL) {
		fprintf(stderr, "sosim tui: %s\n", err);
		return EXIT_BAD_INPUT;
	}
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		fprintf(stderr, "sosim tui: needs a terminal\n");
		tui_free(t);
		return EXIT_BAD_INPUT;
	}
	tui_goto(t, at);
	rc = term_run(t) == 0 ? 0 : 1;
	tui_free(t);
	return rc;
}

static int
cmd_tui(int argc, char **argv)
{
	TuiOpts o = { 0 };
	GOptionEntry entries[] = {
		CLI_PROFILE_OPTIONS(&o.profile, &o.quirks),
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &o.seed,
		  "Run with the random interleaving of seed N (0 or more), as sosim run --seed", "N" },
		{ "schedule", 0, 0, G_OPTION_ARG_STRING, &o.schedule,
		  "Replay a schedule from sosim explore (STEP:THREAD,... or a file holding one), as "
		  "sosim run --schedule", "S" },
		{ "at", 0, 0, G_OPTION_ARG_STRING, &o.at,
		  "Open at step STEP, 0 (before the first) or more (default: 0)", "STEP" },
		{ "max-checkpoint-mem", 0, 0, G_OPTION_ARG_STRING, &o.max_ck,
		  "The memory the checkpoints that step backwards may take (16M, 1G, ...; default "
		  "48M); past it they thin out and a step back replays more", "SIZE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
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
	DumpCtx dctx = { NULL };
	int64_t max_ck = 0;

	o.seed = G_MININT64;            /* not given */
	if (!cli_parse_options(&cli_cmd_tui, entries, &argc, &argv, &rc))
		goto done;
	if (o.seed == G_MININT64)
		o.seed = -1;
	else if (!cli_check_min(&cli_cmd_tui, "seed", o.seed, 0, "a seed is 0 or more"))
		goto done;
	if (o.max_ck && !cli_limit_size(&cli_cmd_tui, "max-checkpoint-mem", o.max_ck, &max_ck))
		goto done;
	if ((path = cli_one_file(&cli_cmd_tui, argc, argv)) == NULL)
		goto done;
	dctx.path = path;
	if (o.at != NULL) {
		char *end;

		errno = 0;
		at = strtoull(o.at, &end, 10);
		if (*o.at == '\0' || *end != '\0' || errno != 0 || o.at[0] == '-' || o.at[0] == '+') {
			cli_usage_error(&cli_cmd_tui, "--at %s: give a step number, 0 (before the first step) or more",
			    o.at);
			goto done;
		}
	}
	if (is_trace(path)) {
		rc = tui_trace(path, &o, at);
		goto done;
	}
	if ((s = cli_parse_scenario(path)) == NULL)
		goto done;
	if (!resolve_profile(s, o.profile, o.quirks, &prof, &quirks))
		goto done;
	if ((w = cli_world(s, prof, quirks, o.schedule, o.seed, &plan, &nplan)) == NULL)
		goto done;
	if (!cli_plan_fits("tui", w))
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
		TuiConfig cfg = {
			.path = path, .verdict = verdict, .source = source, .nsource = nsource,
			.op_line = op_line, .op_ctx = s, .description = s->description,
			.cond_parse = expect_condition_new, .cond_holds = expect_condition_test,
			.cond_free = g_free, .cond_ctx = s,
			.dump = dump, .dump_ctx = &dctx, .max_checkpoint_bytes = (size_t)max_ck,
		};

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
	g_free(o.profile);
	g_strfreev(o.quirks);
	g_free(o.schedule);
	g_free(o.at);
	g_free(o.max_ck);
	return rc;
}

const CliCommand cli_cmd_tui = {
	"tui",
	"tui FILE [--profile P] [--quirk Q]... [--seed N] [--schedule S]\n"
	"                 [--at STEP] [--max-checkpoint-mem SIZE]",
	cmd_tui,
	"Step through a run in the terminal, forwards and backwards",
	"FILE is a scenario, run as sosim run would run it (profile, quirks, seed, --schedule), "
	"or a trace written by sosim run --format jsonl, shown read only (then only --at applies). "
	"n and N step forwards and back, b sets a breakpoint, ? lists every key; docs/tui.md "
	"has them all. It needs a terminal; NO_COLOR draws without colour.",
	"0  q was pressed\n"
	"1  the terminal could not be driven\n"
	"2  bad input, or no terminal (stdin and stdout must be one)",
};
