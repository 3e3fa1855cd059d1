/*
 * cmd-dot.c: `sosim dot`: Graphviz pictures of a run (docs/dot.md).
 *
 *   sosim dot FILE [--at STEP] [--buffer SOCKET.rcv|SOCKET.snd]   buffers
 *   sosim dot FILE --splice [--at STEP]                           splice topology
 *   sosim dot [FILE] --machine NAME [--at STEP]                   a state machine
 *
 * The scenario runs as `sosim run` would run it (profile, quirks, seed,
 * --schedule), silently, to step STEP (default: its end).  To show what
 * that step changed, the world is cloned just before it: viz/ compares
 * the two.  The output is dot text, or SVG, PNG or PDF by the extension
 * of -o; it is written whole or not at all (output.c).  Exit 0 when the
 * picture was written, 2 for bad input, 4 when it could not be written.
 */
#include "cli.h"
#include "expect.h"
#include "machine.h"
#include "run.h"
#include "sched.h"
#include "snapshot.h"
#include "viz.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	char *profile;
	char **quirks;
	gint64 seed;
	char *at;
	char *buffer;
	gboolean splice;
	char *machine;
	char *schedule;
	char *output;
} DotOpts;

/* What every world of this command is made from. */
typedef struct {
	const DotOpts *o;
	const Scenario *s;
	const Profile *prof;
	uint32_t quirks;
	SchedDev *plan;
	int nplan;
} Recipe;

/* A world at step 0, set up as `sosim run` sets up its own; the first
 * one checks that the --schedule fits the run. */
static World *
make_world(Recipe *r)
{
	bool first = r->plan == NULL;
	World *w = cli_world(r->s, r->prof, r->quirks, r->o->schedule, r->o->seed, &r->plan, &r->nplan);

	if (w != NULL && first && r->o->schedule != NULL && !cli_plan_fits("dot", w)) {
		world_free(w);
		return NULL;
	}
	return w;
}

/* Step w until it has taken n steps or the run is over; the step reached. */
static uint64_t
run_until(World *w, uint64_t n)
{
	while (w->step < n && w->stop == STOP_NONE)
		if (!sched_step(w))
			break;
	return w->step;
}

/* STEP of --at: a number from 0; -1 with a message when it is not one. */
static int64_t
parse_step(const char *text)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (*text == '\0' || *end != '\0' || errno != 0 || v < 0 || text[0] == '-' || text[0] == '+') {
		cli_usage_error(&cli_cmd_dot, "--at %s: give a step number, 0 (before the first step) or more",
		    text);
		return -1;
	}
	return v;
}

static void
say_beyond(uint64_t at, uint64_t last)
{
	fprintf(stderr, "sosim dot: --at %llu: the run ends at step %llu (give 0 to %llu)\n",
	    (unsigned long long)at, (unsigned long long)last, (unsigned long long)last);
}

static char *
socket_list(const World *w)
{
	GString *s = g_string_new(NULL);

	for (int i = 0; i < w->nsocks; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", sock_name(w, i));
	return g_string_free(s, FALSE);
}

/* --buffer SOCKET.rcv|SOCKET.snd (so_rcv, so_snd too): the socket and the
 * buffer, false with a message naming the sockets there are. */
static bool
parse_buffer(const World *w, const char *arg, int *sock, int *which)
{
	const char *dot = strrchr(arg, '.');
	char *name, *list;

	*sock = -1;
	if (dot != NULL) {
		const char *b = dot + 1;

		if (strcmp(b, "rcv") == 0 || strcmp(b, "so_rcv") == 0)
			*which = SB_RCV;
		else if (strcmp(b, "snd") == 0 || strcmp(b, "so_snd") == 0)
			*which = SB_SND;
		else
			dot = NULL;
	}
	list = socket_list(w);
	if (dot == NULL) {
		fprintf(stderr, "sosim dot: --buffer %s: say SOCKET.rcv or SOCKET.snd (the sockets: %s)\n",
		    arg, list);
		g_free(list);
		return false;
	}
	name = g_strndup(arg, (gsize)(dot - arg));
	for (int i = 0; i < w->nsocks; i++)
		if (strcmp(sock_name(w, i), name) == 0)
			*sock = i;
	if (*sock < 0)
		fprintf(stderr, "sosim dot: --buffer %s: no socket '%s' (the sockets: %s)\n", arg, name, list);
	g_free(name);
	g_free(list);
	return *sock >= 0;
}

static char *
machine_list(void)
{
	GString *s = g_string_new(NULL);

	for (int m = 0; m < MACH_MAX; m++)
		if (machine_def(m) != NULL)
			g_string_append_printf(s, "%s%s", s->len ? ", " : "", machine_def(m)->name);
	return g_string_free(s, FALSE);
}

/* Write the graph where -o says, whole or not at all. */
static int
write_graph(Agraph_t *g, const char *target, VizFormat fmt)
{
	CliOutput out;

	if (!cli_output_open(&out, target))
		return EXIT_OUTPUT;
	if (!viz_write(g, fmt, out.fp)) {
		fprintf(stderr, "sosim dot: Graphviz could not %s the picture\n",
		    fmt == VIZ_DOT ? "write" : "render");
		cli_output_close(&out, false);
		return EXIT_OUTPUT;
	}
	return cli_output_close(&out, true) ? 0 : EXIT_OUTPUT;
}

/* --machine NAME [FILE]: the definition, with the run's counts if a file. */
static Agraph_t *
machine_view(Recipe *r, const MachineDef *d, const char *title, int64_t at, int *rc)
{
	VizRecorder *rec = viz_recorder_new(0, d->name, at >= 0 ? (uint64_t)at : 0);
	World *w = make_world(r);
	Agraph_t *g = NULL;

	if (w == NULL)
		goto done;
	w->run->sink = (EventSink){ viz_recorder_sink, rec };
	if (at >= 0) {
		if (run_until(w, (uint64_t)at) < (uint64_t)at) {
			say_beyond((uint64_t)at, w->step);
			goto done;
		}
	} else
		sched_run(w);
	w->run->sink.fn = NULL;
	g = viz_machine(d, rec, title);
	*rc = 0;
done:
	world_free(w);
	viz_recorder_free(rec);
	return g;
}

/* The buffers or the splice topology at step `at` (-1: the end). */
static Agraph_t *
world_view(Recipe *r, const char *title, int64_t at, int *rc)
{
	World *w = NULL, *prev = NULL;
	VizRecorder *rec = NULL;
	VizView v = { 0 };
	Agraph_t *g = NULL;
	uint64_t last, step;
	int sock = -1, which = -1;

	if ((w = make_world(r)) == NULL)
		goto done;
	if (r->o->buffer != NULL && !parse_buffer(w, r->o->buffer, &sock, &which))
		goto done;
	if (at < 0) {
		/* the end: where it is, then the world just before it */
		sched_run(w);
		last = w->step;
		world_free(w);
		if ((w = make_world(r)) == NULL)
			goto done;
		step = last;
	} else
		step = (uint64_t)at;
	if (step > 0) {
		if (run_until(w, step - 1) < step - 1) {
			say_beyond(step, w->step);
			goto done;
		}
		prev = world_clone(w);
		rec = viz_recorder_new(step, NULL, 0);
		w->run->sink = (EventSink){ viz_recorder_sink, rec };
		run_until(w, step);
		w->run->sink.fn = NULL;
		if (w->step < step) {
			say_beyond(step, w->step);
			goto done;
		}
	}
	if (at < 0)
		last = step;
	else {
		/* how long the run is, for the caption */
		World *tail = world_clone(w);

		sched_run(tail);
		last = tail->step;
		world_free(tail);
	}
	v.w = w;
	v.prev = prev;
	v.step = step;
	v.last = last;
	v.title = title;
	v.rec = rec;
	g = r->o->splice ? viz_splice(&v) : viz_buffers(&v, sock, which);
	*rc = 0;
done:
	world_free(prev);
	world_free(w);
	viz_recorder_free(rec);
	return g;
}

static int
cmd_dot(int argc, char **argv)
{
	DotOpts o = { 0 };
	GOptionEntry entries[] = {
		CLI_PROFILE_OPTIONS(&o.profile, &o.quirks),
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &o.seed,
		  "Run with the random interleaving of seed N (0 or more), as sosim run --seed", "N" },
		{ "at", 0, 0, G_OPTION_ARG_STRING, &o.at,
		  "Draw the world after step STEP, 0 (before the first) or more (default: the end)", "STEP" },
		{ "buffer", 'b', 0, G_OPTION_ARG_STRING, &o.buffer,
		  "Only this buffer: SOCKET.rcv or SOCKET.snd", "BUF" },
		{ "splice", 0, 0, G_OPTION_ARG_NONE, &o.splice,
		  "Draw the splice topology instead of the buffers", NULL },
		{ "machine", 'm', 0, G_OPTION_ARG_STRING, &o.machine,
		  "Draw a routine's state machine (sosim list machines); with FILE, the transitions its "
		  "run took", "NAME" },
		{ "schedule", 0, 0, G_OPTION_ARG_STRING, &o.schedule,
		  "Replay a schedule from sosim explore (STEP:THREAD,... or a file holding one), as "
		  "sosim run --schedule", "S" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
		  "Write to FILE: .dot or .gv (dot text), .svg, .png or .pdf (default: dot text on "
		  "stdout)", "FILE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	Recipe r = { &o, NULL, NULL, 0, NULL, 0 };
	const MachineDef *d = NULL;
	Scenario *s = NULL;
	Agraph_t *g = NULL;
	char *title = NULL;
	const char *path = NULL;
	int64_t at = -1;
	int rc = EXIT_BAD_INPUT;
	VizFormat fmt;

	o.seed = G_MININT64;            /* not given */
	if (!cli_parse_options(&cli_cmd_dot, entries, &argc, &argv, &rc))
		goto done;
	if (o.seed == G_MININT64)
		o.seed = -1;
	else if (!cli_check_min(&cli_cmd_dot, "seed", o.seed, 0, "a seed is 0 or more"))
		goto done;
	if ((fmt = viz_format_for(o.output)) == VIZ_UNKNOWN) {
		cli_usage_error(&cli_cmd_dot, "-o %s: say what to write by the extension: %s", o.output,
		    viz_format_list);
		goto done;
	}
	if (o.at != NULL && (at = parse_step(o.at)) < 0)
		goto done;
	if ((o.splice ? 1 : 0) + (o.machine ? 1 : 0) + (o.buffer ? 1 : 0) > 1) {
		cli_usage_error(&cli_cmd_dot, "--buffer, --splice and --machine are different pictures: give one");
		goto done;
	}
	if (o.machine != NULL) {
		scenario_engine_init();
		if ((d = machine_find(o.machine)) == NULL) {
			char *list = machine_list();

			fprintf(stderr, "sosim dot: --machine %s: no such machine (the machines: %s)\n",
			    o.machine, list);
			g_free(list);
			goto done;
		}
		if (argc == 1) {
			if (o.at != NULL || o.schedule != NULL) {
				cli_usage_error(&cli_cmd_dot, "--at and --schedule need a scenario file");
				goto done;
			}
			g = viz_machine(d, NULL, NULL);
			rc = 0;
			goto write;
		}
	}
	if ((path = cli_one_file(&cli_cmd_dot, argc, argv)) == NULL)
		goto done;
	if ((s = cli_parse_scenario(path)) == NULL)
		goto done;
	if (!resolve_profile(s, o.profile, o.quirks, &r.prof, &r.quirks))
		goto done;
	r.s = s;
	title = g_path_get_basename(path);
	g = d != NULL ? machine_view(&r, d, title, at, &rc) : world_view(&r, title, at, &rc);
write:
	if (rc == 0)
		rc = write_graph(g, o.output, fmt);
done:
	viz_free(g);
	g_free(title);
	g_free(r.plan);
	if (s)
		scenario_free(s);
	g_free(o.profile);
	g_strfreev(o.quirks);
	g_free(o.at);
	g_free(o.buffer);
	g_free(o.machine);
	g_free(o.schedule);
	g_free(o.output);
	return rc;
}

const CliCommand cli_cmd_dot = {
	"dot",
	"dot FILE [--at STEP] [--buffer SOCKET.rcv|SOCKET.snd] [--splice]\n"
	"                 [--profile P] [--quirk Q]... [--seed N]\n"
	"                 [--schedule S] [-o FILE.dot|.svg|.png|.pdf]\n"
	"       sosim dot [FILE] --machine NAME [--at STEP] [-o FILE]",
	cmd_dot,
	"Draw a run's buffers, splices or state machines with Graphviz",
	"The scenario runs as sosim run would run it (profile, quirks, seed, --schedule), silently, "
	"to step STEP (default: its end), and the picture shows the world after that step, with "
	"what the step changed marked. Without FILE, --machine draws the machine's definition "
	"alone. docs/dot.md says how to read the pictures. The output is written whole or not at "
	"all.",
	"0  the picture was written\n"
	"2  bad input: the command line, the scenario, a step past the end of the run\n"
	"4  the picture could not be rendered or written",
};
