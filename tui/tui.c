/*
 * tui.c: the controller of `sosim tui` (tui.h).
 *
 * A Seeker holds the run; every move is a seek, so stepping back never
 * reruns from the start.  Seeking mutes the events, so to show the
 * events of step N the controller seeks to N-1, clones that world (which
 * is also the "before" the view compares with), and steps the clone once
 * with a sink that formats each event as the text trace does.  The
 * seeker itself then seeks to N: its world is the one drawn, finished
 * as a run's last world is when N is the last step.
 */
#include "tui.h"
#include "run.h"
#include "sched.h"
#include "seek.h"
#include "snapshot.h"
#include "trace.h"
#include "view.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TUI_MAX_THREADS (WORLD_MAX_THREADS + TK__COUNT)

struct Tui {
	TuiConfig cfg;
	Seeker *sk;
	uint64_t step;
	World *prev;            /* the world at step - 1, NULL at 0 */
	GPtrArray *events;      /* of this step: char *, text trace lines */
	GArray *kinds;          /* int: their kinds, one each */
	char *verdict;          /* once the last step was shown */
	bool verdict_ok;
	bool help;
	bool describe;          /* i: the scenario's description is up */
	int sel;                /* the buffer drawn as a chain (ViewState.sel) */
	bool prompting;         /* g: reading a step number */
	char num[24];
	char prompt[80];
	const char *message;
	int ran;                /* who ran this step (the step event's) */
	int op_lines[TUI_MAX_THREADS];  /* for the source pane, by thread */
};

Tui *
tui_new(World *w, const TuiConfig *cfg)
{
	Tui *t = calloc(1, sizeof *t);

	if (t == NULL)
		abort();
	t->cfg = *cfg;
	t->sel = w->nsocks > 0 ? 0 : -1;       /* the first socket's so_rcv */
	t->sk = seeker_new(w, 0, 0);
	t->events = g_ptr_array_new_with_free_func(g_free);
	t->kinds = g_array_new(FALSE, FALSE, sizeof(int));
	t->ran = -2;
	return t;
}

void
tui_free(Tui *t)
{
	if (t == NULL)
		return;
	world_free(t->prev);
	seeker_free(t->sk);
	g_ptr_array_free(t->events, TRUE);
	g_array_free(t->kinds, TRUE);
	g_free(t->verdict);
	free(t);
}

/* Events, formatted by the text trace into a memory stream. */
typedef struct {
	TraceWriter tw;
	int ran;
	GArray *kinds;
} Collect;

static void
collect(void *ctx, const World *w, const SimEvent *ev)
{
	Collect *col = ctx;

	if (ev->kind == EVK_STEP)
		col->ran = (int)ev->v[0];
	g_array_append_val(col->kinds, (int){ ev->kind });
	trace_emit(&col->tw, w, ev);
}

/* The verdict of the finished world c. */
static void
take_verdict(Tui *t, World *c)
{
	static const char *const stops[] = {
		[STOP_NONE] = "running", [STOP_DONE] = "done", [STOP_DEADLOCK] = "deadlock",
		[STOP_VIOLATION] = "violation", [STOP_LIMIT] = "stopped at a limit",
	};
	char buf[600];

	if (t->verdict != NULL)
		return;
	/* how the run ended, then whether that was what the scenario expects */
	if (t->cfg.verdict != NULL)
		t->verdict_ok = t->cfg.verdict(t->cfg.verdict_ctx, c, buf, sizeof buf);
	else {
		buf[0] = '\0';
		t->verdict_ok = c->stop == STOP_DONE;
	}
	t->verdict = g_strdup_printf("%s%s%s%s%s", stops[c->stop],
	    c->stop == STOP_VIOLATION ? " " : "",
	    c->stop == STOP_VIOLATION ? violation_names[c->violation] : "", buf[0] ? ": " : "", buf);
}

/* The events of step n: from the world at n-1 (the seeker's now). */
static void
collect_events(Tui *t, uint64_t n)
{
	World *c = world_clone(t->prev);
	Collect col = { .ran = -2, .kinds = t->kinds };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	bool more;

	if (fp == NULL)
		abort();
	trace_writer_init(&col.tw, fp, TRACE_TEXT);
	/* the trace's record of so_state and sb_flags is of another world */
	c->run->shadow_valid = false;
	c->run->sink = (EventSink){ collect, &col };
	more = sched_step(c);
	/* the last step: what the end of the run says (deadlock, leaks) */
	if (c->step == n && seeker_last(t->sk) == n && c->stop == STOP_NONE && more) {
		if (!sched_step(c) && (c->stop == STOP_DONE || c->stop == STOP_DEADLOCK))
			invariants_check_end(c);
	} else if (!more && (c->stop == STOP_DONE || c->stop == STOP_DEADLOCK))
		invariants_check_end(c);
	c->run->sink.fn = NULL;
	c->run->shadow_valid = false;
	trace_writer_finish(&col.tw);
	fclose(fp);
	if (seeker_last(t->sk) == n)
		take_verdict(t, c);
	world_free(c);
	t->ran = col.ran;
	for (char *line = buf, *end; line != NULL && *line != '\0'; line = end + 1) {
		if ((end = strchr(line, '\n')) == NULL)
			end = line + strlen(line) - 1;
		else
			*end = '\0';
		/* the trace indents events under their step by three blanks */
		g_ptr_array_add(t->events, g_strdup(line[0] == ' ' ? line + 1 : line));
	}
	free(buf);
}

void
tui_goto(Tui *t, uint64_t n)
{
	uint64_t reached = seeker_seek(t->sk, n);

	n = reached;
	world_free(t->prev);
	t->prev = NULL;
	g_ptr_array_set_size(t->events, 0);
	g_array_set_size(t->kinds, 0);
	t->ran = -2;
	if (n > 0) {
		seeker_seek(t->sk, n - 1);
		t->prev = world_clone(seeker_world(t->sk));
		seeker_seek(t->sk, n);
		collect_events(t, n);
	} else if (seeker_last(t->sk) == 0) {
		World *c = world_clone(seeker_world(t->sk));

		take_verdict(t, c);
		world_free(c);
	}
	t->step = n;
}

uint64_t
tui_step(const Tui *t)
{
	return t->step;
}

uint64_t
tui_last(const Tui *t)
{
	return seeker_last(t->sk);
}

bool
tui_help_shown(const Tui *t)
{
	return t->help;
}

bool
tui_description_shown(const Tui *t)
{
	return t->describe;
}

/* g: the prompt takes digits; Enter goes, Escape cancels. */
static void
prompt_key(Tui *t, int key)
{
	size_t len = strlen(t->num);

	if (key >= '0' && key <= '9') {
		if (len + 1 < sizeof t->num) {
			t->num[len] = (char)key;
			t->num[len + 1] = '\0';
		}
	} else if (key == TUI_KEY_BACKSPACE || key == 127 || key == 8) {
		if (len > 0)
			t->num[len - 1] = '\0';
	} else if (key == TUI_KEY_ENTER || key == '\n' || key == '\r') {
		t->prompting = false;
		if (len == 0)
			return;
		tui_goto(t, strtoull(t->num, NULL, 10));
		if (strtoull(t->num, NULL, 10) > t->step)
			t->message = "the run ends here";
		return;
	} else if (key == TUI_KEY_ESCAPE || key == 27 || key == 7) {
		t->prompting = false;
		return;
	}
}

TuiAction
tui_handle_key(Tui *t, int key)
{
	uint64_t last;

	t->message = NULL;
	if (t->help || t->describe) {
		t->help = t->describe = false;  /* any key closes them */
		return TUI_GO_ON;
	}
	if (t->prompting) {
		prompt_key(t, key);
		return TUI_GO_ON;
	}
	switch (key) {
	case 'q':
		return TUI_QUIT;
	case 'n':
		last = seeker_last(t->sk);
		if (last != UINT64_MAX && t->step >= last)
			t->message = "at the last step";
		else {
			tui_goto(t, t->step + 1);
			if (t->step == seeker_last(t->sk))
				t->message = "the last step: the run ends here";
		}
		break;
	case 'N':
		if (t->step == 0)
			t->message = "at step 0: nothing ran yet";
		else
			tui_goto(t, t->step - 1);
		break;
	case '<':
	case TUI_KEY_HOME:
		tui_goto(t, 0);
		break;
	case '>':
	case TUI_KEY_END:
		tui_goto(t, UINT64_MAX);
		break;
	case 'g':
		t->prompting = true;
		t->num[0] = '\0';
		break;
	case '?':
		t->help = true;
		break;
	case 'i':
		t->describe = true;
		break;
	case 'j':
	case 'k': {
		const World *w = seeker_world(t->sk);
		int n = w->nsocks * 2;

		if (n > 0)
			t->sel = ((t->sel < 0 ? 0 : t->sel) + (key == 'j' ? 1 : n - 1)) % n;
		break;
	}
	case TUI_KEY_REDRAW:
		return TUI_REPAINT;
	default:
		break;
	}
	return TUI_GO_ON;
}

void
tui_draw(Tui *t, Screen *s)
{
	ViewState v = { 0 };
	char last[32];

	v.w = seeker_world(t->sk);
	v.prev = t->prev;
	v.step = t->step;
	v.ran = t->ran;
	v.last = seeker_last(t->sk);
	v.path = t->cfg.path;
	v.events = (char *const *)t->events->pdata;
	v.nevents = (int)t->events->len;
	/* one line an event, as the text trace writes them */
	if (t->kinds->len == t->events->len)
		v.kinds = (const int *)(void *)t->kinds->data;
	if (v.last != UINT64_MAX && t->step == v.last) {
		v.verdict = t->verdict;
		v.verdict_ok = t->verdict_ok;
	}
	v.help = t->help;
	v.describe = t->describe;
	v.sel = t->sel < seeker_world(t->sk)->nsocks * 2 ? t->sel : -1;
	v.description = t->cfg.description;
	v.message = t->message;
	if (t->cfg.source != NULL && t->cfg.op_line != NULL) {
		const World *w = v.w;

		for (int i = 0; i < w->nthreads && i < TUI_MAX_THREADS; i++)
			t->op_lines[i] = t->cfg.op_line(t->cfg.op_ctx, w, i);
		v.source = t->cfg.source;
		v.nsource = t->cfg.nsource;
		v.op_lines = t->op_lines;
		v.nop_lines = w->nthreads < TUI_MAX_THREADS ? w->nthreads : TUI_MAX_THREADS;
	}
	if (t->prompting) {
		if (v.last == UINT64_MAX)
			snprintf(last, sizeof last, "0-?");
		else
			snprintf(last, sizeof last, "0-%llu", (unsigned long long)v.last);
		snprintf(t->prompt, sizeof t->prompt, " go to step (%s): %s_   Enter goes, Escape cancels",
		    last, t->num);
		v.prompt = t->prompt;
	}
	view_draw(s, &v);
}
