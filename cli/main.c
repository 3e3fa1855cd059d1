/*
 * sosim: the command line over the simulator and its trace.
 *
 *   sosim run FILE [--profile P] [--quirk Q[=off]]... [--seed N]
 *                  [--format text|jsonl] [--stats] [-o FILE] [--max-steps N]
 *                  [--check every-step|end] [--quiet]
 *                  [--schedule STEP:THREAD,...|FILE]
 *   sosim explore FILE [--profile P] [--quirk Q]... [--preemptions K]
 *                  [--max-states N] [--random N [--seed S] [--depth D]]
 *                  [--save FILE]
 *   sosim check [DIR|FILE]...
 *   sosim list profiles|quirks|machines
 *
 * Exit status: 0 every expectation held, 1 one failed, 2 bad input;
 * explore: 3 when a limit stopped it before every schedule was tried.
 */
#include "explore.h"
#include "expect.h"
#include "kern.h"
#include "machine.h"
#include "profile.h"
#include "scenario.h"
#include "sched.h"
#include "trace.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void
usage(FILE *fp)
{
	fputs("usage: sosim run FILE [--profile P] [--quirk Q[=off]]... [--seed N]\n"
	    "                        [--format text|jsonl] [--stats] [-o FILE]\n"
	    "                        [--max-steps N] [--check every-step|end] [--quiet]\n"
	    "                        [--schedule STEP:THREAD,...|FILE]\n"
	    "       sosim explore FILE [--profile P] [--quirk Q[=off]]... [--preemptions K]\n"
	    "                        [--max-states N] [--random N [--seed S] [--depth D]]\n"
	    "                        [--save FILE]\n"
	    "       sosim check [DIR|FILE]...\n"
	    "       sosim list profiles|quirks|machines\n"
	    "       sosim help\n"
	    "Run `sosim run --help` for the options of run.\n", fp);
}

static int
list_profiles(void)
{
	for (int i = 0; i < nprofiles; i++) {
		const Profile *p = &profiles[i];
		GString *q = g_string_new(NULL);

		for (int k = 0; k < QUIRK__COUNT; k++)
			if (p->quirks & (1u << k))
				g_string_append_printf(q, "%s%s", q->len ? "," : "", quirk_defs[k].name);
		printf("%-12s %s\n", p->name, p->summary);
		printf("%-12s MSIZE=%d MLEN=%d MHLEN=%d MINCLSIZE=%d MCLBYTES=%d max_hdr=%d SB_MAX=%lld\n", "",
		    p->msize, p->mlen, p->mhlen, p->minclsize, p->mclbytes, p->max_hdr,
		    (long long)p->sb_max);
		printf("%-12s tcp_sendspace=%d tcp_recvspace=%d udp_sendspace=%d udp_recvspace=%d mss=%d\n", "",
		    p->tcp_sendspace, p->tcp_recvspace, p->udp_sendspace, p->udp_recvspace, p->tcp_mss);
		printf("%-12s sbcompress=%s udp-receive=%s quirks=%s\n", "",
		    p->coalesce == COALESCE_LITE2 ? "4.4BSD-Lite2" : "trailing-space",
		    p->udp_soreceive_dgram ? "soreceive_dgram" : "soreceive",
		    q->len ? q->str : "none");
		printf("%-12s source: %s\n", "", p->source);
		g_string_free(q, TRUE);
	}
	return 0;
}

static int
list_quirks(void)
{
	for (int k = 0; k < QUIRK__COUNT; k++) {
		GString *on = g_string_new(NULL);

		for (int i = 0; i < nprofiles; i++)
			if (profiles[i].quirks & (1u << k))
				g_string_append_printf(on, "%s%s", on->len ? ", " : "", profiles[i].name);
		printf("%-18s %s\n", quirk_defs[k].name, quirk_defs[k].summary);
		printf("%-18s effect: %s\n", "", quirk_defs[k].effect);
		printf("%-18s source: %s\n", "", quirk_defs[k].source);
		printf("%-18s on in: %s\n", "", on->len ? on->str : "no profile");
		g_string_free(on, TRUE);
	}
	return 0;
}

static int
list_machines(void)
{
	scenario_engine_init();
	for (int m = 0; m < MACH_MAX; m++) {
		const MachineDef *d = machine_def(m);

		if (d == NULL)
			continue;
		printf("%s:", d->name);
		for (int s = 0; s < d->nstates; s++)
			printf(" %s", d->states[s]);
		printf("\n");
	}
	return 0;
}

static int
cmd_list(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "sosim list: say what to list: profiles, quirks or machines\n");
		return EXIT_BAD_INPUT;
	}
	if (strcmp(argv[1], "profiles") == 0)
		return list_profiles();
	if (strcmp(argv[1], "quirks") == 0)
		return list_quirks();
	if (strcmp(argv[1], "machines") == 0)
		return list_machines();
	fprintf(stderr, "sosim list: unknown list '%s' (profiles, quirks, machines)\n", argv[1]);
	return EXIT_BAD_INPUT;
}

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

/* Write to a temporary file next to the target, renamed into place at the
 * end, so a failed run never leaves half a trace behind. */
typedef struct {
	FILE *fp;
	char *tmp;
	const char *target;
} Output;

static bool
output_open(Output *out, const char *target)
{
	out->target = target;
	out->tmp = NULL;
	if (target == NULL || strcmp(target, "-") == 0) {
		out->fp = stdout;
		return true;
	}
	out->tmp = g_strdup_printf("%s.tmp.%d", target, (int)getpid());
	out->fp = fopen(out->tmp, "w");
	if (out->fp == NULL) {
		fprintf(stderr, "sosim: error: cannot write %s: %s\n", target, g_strerror(errno));
		g_free(out->tmp);
		out->tmp = NULL;
		return false;
	}
	return true;
}

static bool
output_close(Output *out, bool keep)
{
	bool ok = true;

	if (out->fp == stdout) {
		fflush(stdout);
		return !ferror(stdout);
	}
	if (fclose(out->fp) != 0)
		ok = false;
	if (ok && keep && rename(out->tmp, out->target) != 0)
		ok = false;
	if (!ok || !keep)
		g_unlink(out->tmp);
	if (!ok)
		fprintf(stderr, "sosim: error: cannot write %s: %s\n", out->target, g_strerror(errno));
	g_free(out->tmp);
	return ok;
}

static int
cmd_run(int argc, char **argv)
{
	RunOpts o = { 0 };
	GOptionEntry entries[] = {
		{ "profile", 'p', 0, G_OPTION_ARG_STRING, &o.profile, "Kernel profile (sosim list profiles)", "P" },
		{ "quirk", 'q', 0, G_OPTION_ARG_STRING_ARRAY, &o.quirks, "Switch a quirk on (Q) or off (Q=off); repeatable", "Q" },
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &o.seed, "Random but reproducible interleaving", "N" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &o.format, "Trace format: text (default) or jsonl", "F" },
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
	GError *err = NULL;
	Scenario *s = NULL;
	World *w = NULL;
	const Profile *prof;
	uint32_t quirks;
	TraceWriter tw;
	ExpectReport *rep = NULL;
	Output out = { 0 };
	int failed, rc = EXIT_BAD_INPUT;
	TraceFormat fmt = TRACE_TEXT;

	o.seed = -1;
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "sosim run: %s\n", err->message);
		goto done;
	}
	o.has_seed = o.seed >= 0;
	if (argc != 2) {
		fprintf(stderr, "sosim run: give exactly one scenario file\n");
		goto done;
	}
	if (o.format && strcmp(o.format, "jsonl") == 0)
		fmt = TRACE_JSONL;
	else if (o.format && strcmp(o.format, "text") != 0) {
		fprintf(stderr, "sosim run: unknown format '%s' (text, jsonl)\n", o.format);
		goto done;
	}
	if (o.check && strcmp(o.check, "every-step") != 0 && strcmp(o.check, "end") != 0) {
		fprintf(stderr, "sosim run: --check takes every-step or end\n");
		goto done;
	}
	s = scenario_parse_file(argv[1], &err);
	if (s == NULL) {
		fprintf(stderr, "%s\n", err->message);
		goto done;
	}
	if (!resolve_profile(s, o.profile, o.quirks, &prof, &quirks))
		goto done;
	if (!output_open(&out, o.output))
		goto done;

	w = world_new(s, prof, quirks);
	if (o.schedule) {
		if (!load_plan(w, o.schedule, &plan, &nplan))
			goto done;
		sched_set_plan(w, plan, nplan);
	}
	if (o.check && strcmp(o.check, "end") == 0)
		w->run->check = CHECK_AT_END;
	if (o.max_steps > 0)
		w->run->limit_steps = (uint64_t)o.max_steps;
	if (o.has_seed)
		world_set_seed(w, (uint64_t)o.seed);
	else if (s->has_seed)
		world_set_seed(w, (uint64_t)s->seed);
	trace_writer_init(&tw, out.fp, fmt);
	if (!o.quiet) {
		w->run->sink.fn = trace_emit;
		w->run->sink.ctx = &tw;
	}
	sched_run(w);

	rep = g_new0(ExpectReport, 1);
	failed = expect_check(w, rep);
	for (int i = 0; i < rep->n; i++)
		trace_verdict(&tw, s->path, rep->items[i].pos.line, rep->items[i].pos.col,
		    rep->items[i].ok || rep->items[i].quant == SCN_Q_SOMETIMES, rep->items[i].msg);
	trace_summary(&tw, w, failed);
	if (o.stats)
		stats_print(fmt == TRACE_JSONL || out.fp != stdout ? stderr : stdout, w);
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
	if (!output_close(&out, true))
		rc = EXIT_BAD_INPUT;
	out.fp = NULL;
done:
	if (out.fp)
		output_close(&out, false);
	g_free(rep);
	world_free(w);
	g_free(plan);
	if (s)
		scenario_free(s);
	g_clear_error(&err);
	g_option_context_free(ctx);
	g_free(o.profile);
	g_strfreev(o.quirks);
	g_free(o.format);
	g_free(o.output);
	g_free(o.check);
	g_free(o.schedule);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_BAD_INPUT;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "explore") == 0)
		return cmd_explore(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "sosim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_BAD_INPUT;
}
