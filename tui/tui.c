/*
 * tui.c: the controller of `sosim tui` (tui.h): where the viewer is in
 * the run, and what each key does.
 *
 * A Seeker holds the run; every move is a seek, so stepping back never
 * reruns from the start.  The events of the steps around the current one
 * come from a copy of the run stepped with a sink (log.c); breakpoints and
 * the search are matched the same way (stops.c).  A saved trace has no
 * worlds: its events are all in memory (tracefile.c) and the moves are
 * moves along them.
 */
#include "tui_int.h"
#include "run.h"
#include "sched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* On opening, look this far ahead for the end of the run, so that the
 * status line can say "step N of M"; a longer run says "of ?" until the
 * end is reached. */
#define LOOK_AHEAD 100000

static Tui *
tui_alloc(void)
{
	Tui *t = calloc(1, sizeof *t);

	if (t == NULL)
		abort();
	t->log = g_array_new(FALSE, FALSE, sizeof(LogLine));
	t->last = UINT64_MAX;
	t->ran = -2;
	t->sel = -1;
	return t;
}

Tui *
tui_new(World *w, const TuiConfig *cfg)
{
	Tui *t = tui_alloc();

	t->cfg = *cfg;
	t->sel = w->nsocks > 0 ? 0 : -1;       /* the first socket's so_rcv */
	t->sk = seeker_new(w, 0, cfg->max_checkpoint_bytes);
	if (seeker_seek(t->sk, LOOK_AHEAD) < LOOK_AHEAD || seeker_last(t->sk) != UINT64_MAX)
		t->last = seeker_last(t->sk);
	tui_goto(t, 0);
	return t;
}

Tui *
tui_open_trace(const char *path, char *err, size_t n)
{
	Tui *t = tui_alloc();

	t->cfg.path = path;
	t->steps = g_array_new(FALSE, FALSE, sizeof(guint));
	if (!tracefile_load(t, path, err, n)) {
		tui_free(t);
		return NULL;
	}
	t->last = t->steps->len > 0 ? t->steps->len - 1 : 0;
	t->focus = P_EVENTS;
	return t;
}

void
tui_free(Tui *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->nbreaks; i++)
		break_free(t, &t->breaks[i]);
	world_free(t->prev);
	seeker_free(t->sk);
	log_clear(t->log);
	g_array_free(t->log, TRUE);
	if (t->steps != NULL)
		g_array_free(t->steps, TRUE);
	g_free(t->verdict);
	g_free(t->trace_title);
	free(t);
}

static void
say(Tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(Tui *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->message, sizeof t->message, fmt, ap);
	va_end(ap);
}

/*
 * Until j/k choose one, the chain pane follows the data: it shows the
 * buffer whose contents changed last, at this step or before it in the
 * log, so that a student sees the bytes arrive and leave without asking.
 */
static void
follow_changes(Tui *t)
{
	const World *w = seeker_world(t->sk);

	for (guint i = t->log->len; !t->pinned && i-- > 0;) {
		const LogLine *l = &g_array_index(t->log, LogLine, i);

		if (l->step <= t->step && l->kind == EVK_SOCKBUF && l->sock >= 0 && l->sock < w->nsocks &&
		    (l->which == SB_RCV || l->which == SB_SND)) {
			t->sel = l->sock * 2 + l->which;
			return;
		}
	}
}

void
tui_goto(Tui *t, uint64_t n)
{
	if (t->last != UINT64_MAX && n > t->last)
		n = t->last;
	t->log_scroll = t->src_scroll = t->log_xoff = t->src_xoff = 0;
	if (t->sk == NULL) {
		t->step = n;
		return;
	}
	/* into unknown ground: the seeker stops where the run does */
	if (t->last == UINT64_MAX) {
		n = seeker_seek(t->sk, n);
		if (seeker_last(t->sk) != UINT64_MAX)
			t->last = seeker_last(t->sk);
	}
	log_window(t, n);
	t->step = n;
	follow_changes(t);
}

uint64_t
tui_step(const Tui *t)
{
	return t->step;
}

uint64_t
tui_last(const Tui *t)
{
	return t->last;
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

const char *
tui_message(const Tui *t)
{
	return t->message;
}

/* The name s and S look for: the selected thread's, or softnet. */
static const char *
selected_thread(const Tui *t)
{
	const World *w = seeker_world(t->sk);

	return t->tsel < w->nthreads ? thread_name(w, t->tsel) : "softnet";
}

/* s, S, c, C and / in a saved trace: along the events in memory. */
static bool
trace_scan(Tui *t, int dir, const char *thread, int stops, uint64_t *at)
{
	guint i, end = t->log->len;

	if (dir > 0)
		i = t->step + 1 < t->steps->len ? g_array_index(t->steps, guint, t->step + 1) : end;
	else
		i = g_array_index(t->steps, guint, t->step);
	while (dir > 0 ? i < end : i-- > 0) {
		const LogLine *l = &g_array_index(t->log, LogLine, i);
		EvInfo e = { l->kind, l->routine, l->to, l->text };

		const char *why = NULL;

		if ((thread != NULL && l->kind == EVK_STEP && l->routine != NULL &&
		    strcmp(l->routine, thread) == 0) || (why = stops_match_event(t, &e, stops)) != NULL) {
			*at = l->step;
			g_strlcpy(t->why, why ? why : "", sizeof t->why);
			return true;
		}
		if (dir > 0)
			i++;
	}
	return false;
}

/* Move to the nearest step in direction dir where `thread` runs, or
 * where a stop matches; say so when there is none. */
static void
scan(Tui *t, int dir, const char *thread, int stops, const char *what)
{
	uint64_t at;
	bool found;

	t->why[0] = '\0';
	found = t->sk != NULL ? log_scan(t, dir, thread, stops, &at) : trace_scan(t, dir, thread, stops, &at);

	if (!found) {
		say(t, "no %s step %s", dir > 0 ? "later" : "earlier", what);
		return;
	}
	tui_goto(t, at);
	say(t, "step %llu: %s", (unsigned long long)at, stops && t->why[0] ? t->why : what);
}

static void
add_break(Tui *t, const char *text)
{
	Break b;
	char err[160];

	if (*text == '\0') {
		/* an empty line clears them */
		for (int i = 0; i < t->nbreaks; i++)
			break_free(t, &t->breaks[i]);
		say(t, t->nbreaks ? "breakpoints cleared" : "no breakpoints to clear");
		t->nbreaks = 0;
		return;
	}
	for (int i = 0; i < t->nbreaks; i++)
		if (strcmp(t->breaks[i].text, text) == 0) {
			/* the same again takes it away */
			break_free(t, &t->breaks[i]);
			memmove(&t->breaks[i], &t->breaks[i + 1], (size_t)(t->nbreaks - i - 1) * sizeof(Break));
			t->nbreaks--;
			say(t, "breakpoint %s removed", text);
			return;
		}
	if (t->nbreaks == TUI_MAX_BREAKS) {
		say(t, "%d breakpoints already: b and Enter clears them", TUI_MAX_BREAKS);
		return;
	}
	if (!break_parse(t, text, &b, err, sizeof err)) {
		say(t, "b %s: %s", text, err);
		return;
	}
	t->breaks[t->nbreaks++] = b;
	say(t, "breakpoint %s: c and C continue to it", b.text);
}

/* Enter at a prompt. */
static void
prompt_done(Tui *t)
{
	char *in = g_strstrip(t->input);
	Prompt p = t->prompt;

	t->prompt = PR_NONE;
	switch (p) {
	case PR_GOTO:
		if (*in != '\0') {
			uint64_t want = strtoull(in, NULL, 10);

			tui_goto(t, want);
			if (want > t->step)
				say(t, "the run ends at step %llu", (unsigned long long)t->step);
		}
		break;
	case PR_BREAK:
		add_break(t, in);
		break;
	case PR_SEARCH:
		/* an empty search repeats the last one */
		if (*in != '\0') {
			g_strlcpy(t->search, in, sizeof t->search);
			snprintf(t->search_said, sizeof t->search_said, "/%s", t->search);
		}
		if (t->search[0] == '\0')
			break;
		{
			char what[140];

			snprintf(what, sizeof what, "with \"%s\"", t->search);
			scan(t, 1, NULL, SCAN_SEARCH, what);
		}
		break;
	case PR_NONE:
		break;
	}
}

/* A key while the status line reads a number or a text. */
static void
prompt_key(Tui *t, int key)
{
	size_t len = strlen(t->input);

	if (key == TUI_KEY_ENTER || key == '\n' || key == '\r')
		prompt_done(t);
	else if (key == TUI_KEY_ESCAPE || key == 27 || key == 7)
		t->prompt = PR_NONE;
	else if (key == TUI_KEY_BACKSPACE || key == 127 || key == 8) {
		if (len > 0)
			t->input[len - 1] = '\0';
	} else if (key >= ' ' && key < 127 && len + 1 < sizeof t->input &&
	    (t->prompt != PR_GOTO || (key >= '0' && key <= '9'))) {
		t->input[len] = (char)key;
		t->input[len + 1] = '\0';
	}
}

static void
start_prompt(Tui *t, Prompt p)
{
	t->prompt = p;
	t->input[0] = '\0';
}

/* j, k and the arrows in the focused pane. */
static void
move_in_pane(Tui *t, int by)
{
	const World *w = t->sk != NULL ? seeker_world(t->sk) : NULL;

	switch (t->focus) {
	case P_THREADS:
		if (w != NULL)  /* the threads, then softnet */
			t->tsel = (t->tsel + by % (w->nthreads + 1) + w->nthreads + 1) % (w->nthreads + 1);
		break;
	case P_SOCKETS:
		if (w != NULL && w->nsocks > 0) {
			int n = w->nsocks * 2;

			t->sel = ((t->sel < 0 ? 0 : t->sel) + by % n + n) % n;
			t->pinned = true;
		}
		break;
	case P_EVENTS:
		t->log_scroll += by;
		break;
	case P_SOURCE:
		t->src_scroll += by;
		break;
	case P__COUNT:
		break;
	}
}

/* h, l and the arrows across: the events and the text move sideways. */
static void
move_across(Tui *t, int by)
{
	int *x = t->focus == P_EVENTS ? &t->log_xoff : t->focus == P_SOURCE ? &t->src_xoff : NULL;

	if (x == NULL) {
		say(t, "h and l move the events or the scenario sideways: Tab to one");
		return;
	}
	*x += by;
	if (*x < 0)
		*x = 0;
	if (*x > 400)
		*x = 400;
}

static void
next_pane(Tui *t, int dir)
{
	if (t->sk == NULL)
		return;         /* a saved trace has the events only */
	do
		t->focus = (PaneId)((t->focus + P__COUNT + dir) % P__COUNT);
	while (t->focus == P_SOURCE && t->cfg.source == NULL);
}

static void
continue_to(Tui *t, int dir)
{
	if (t->nbreaks == 0 && t->search[0] == '\0') {
		say(t, "no breakpoints: b sets one, / searches");
		return;
	}
	stops_describe(t);
	scan(t, dir, NULL, SCAN_BREAKS | SCAN_SEARCH, t->stops_text);
}

static void
dump_buffer(Tui *t)
{
	const World *w;

	if (t->sk == NULL || t->cfg.dump == NULL) {
		say(t, "d needs the world: open the scenario, not a saved trace");
		return;
	}
	w = seeker_world(t->sk);
	if (t->sel < 0 || t->sel / 2 >= w->nsocks) {
		say(t, "no buffer selected: Tab to the sockets, j/k choose one");
		return;
	}
	t->cfg.dump(t->cfg.dump_ctx, w, t->prev, t->step, t->last != UINT64_MAX ? t->last : t->step,
	    t->sel / 2, t->sel % 2, t->message, sizeof t->message);
}

TuiAction
tui_handle_key(Tui *t, int key)
{
	t->message[0] = '\0';
	if (t->help || t->describe) {
		t->help = t->describe = false;  /* any key closes them */
		return TUI_GO_ON;
	}
	if (t->prompt != PR_NONE) {
		prompt_key(t, key);
		return TUI_GO_ON;
	}
	switch (key) {
	case 'q':
		return TUI_QUIT;
	case 'n':
		if (t->last != UINT64_MAX && t->step >= t->last)
			say(t, "at the last step");
		else {
			tui_goto(t, t->step + 1);
			if (t->step == t->last)
				say(t, "the last step: the run ends here");
		}
		break;
	case 'N':
		if (t->step == 0)
			say(t, "at step 0: nothing ran yet");
		else
			tui_goto(t, t->step - 1);
		break;
	case 's':
	case 'S':
		if (t->sk == NULL)
			say(t, "s and S follow a thread of the world: open the scenario");
		else {
			char what[80];

			snprintf(what, sizeof what, "%s runs", selected_thread(t));
			scan(t, key == 's' ? 1 : -1, selected_thread(t), 0, what);
		}
		break;
	case 'c':
	case 'C':
		continue_to(t, key == 'c' ? 1 : -1);
		break;
	case 'b':
		start_prompt(t, PR_BREAK);
		break;
	case '/':
		start_prompt(t, PR_SEARCH);
		break;
	case 'g':
		start_prompt(t, PR_GOTO);
		break;
	case '<':
	case TUI_KEY_HOME:
		tui_goto(t, 0);
		break;
	case '>':
	case TUI_KEY_END:
		tui_goto(t, UINT64_MAX);
		break;
	case '?':
		t->help = true;
		break;
	case 'i':
		t->describe = true;
		break;
	case 'd':
		dump_buffer(t);
		break;
	case 'f':
		t->pinned = false;
		follow_changes(t);
		say(t, "the chain follows the buffer that changed last");
		break;
	case TUI_KEY_TAB:
	case '\t':
		next_pane(t, 1);
		break;
	case TUI_KEY_BACKTAB:
		next_pane(t, -1);
		break;
	case 'j':
	case TUI_KEY_DOWN:
		move_in_pane(t, 1);
		break;
	case 'k':
	case TUI_KEY_UP:
		move_in_pane(t, -1);
		break;
	case TUI_KEY_PGDN:
		move_in_pane(t, 10);
		break;
	case 'h':
	case TUI_KEY_LEFT:
		move_across(t, -8);
		break;
	case 'l':
	case TUI_KEY_RIGHT:
		move_across(t, 8);
		break;
	case TUI_KEY_PGUP:
		move_in_pane(t, -10);
		break;
	case TUI_KEY_REDRAW:
		return TUI_REPAINT;
	default:
		break;
	}
	return TUI_GO_ON;
}

static void
prompt_line(Tui *t, uint64_t last)
{
	switch (t->prompt) {
	case PR_GOTO:
		if (last == UINT64_MAX)
			snprintf(t->prompt_text, sizeof t->prompt_text,
			    " go to step (0-?): %s_   Enter goes, Escape cancels", t->input);
		else
			snprintf(t->prompt_text, sizeof t->prompt_text,
			    " go to step (0-%llu): %s_   Enter goes, Escape cancels", (unsigned long long)last,
			    t->input);
		break;
	case PR_BREAK:
		snprintf(t->prompt_text, sizeof t->prompt_text,
		    " break at (thread, kind, routine, ROUTINE:STATE, b.rcv.cc == 0): %s_", t->input);
		break;
	case PR_SEARCH:
		snprintf(t->prompt_text, sizeof t->prompt_text, " search events for: %s_   Enter: the next match",
		    t->input);
		break;
	case PR_NONE:
		break;
	}
}

/* Mark the lines a breakpoint or the search matches: the log's, or in a
 * saved trace (all of it in the log) the step's. */
static void
mark_matches(Tui *t)
{
	guint from = 0, to = t->log->len;

	if (t->sk == NULL) {
		from = g_array_index(t->steps, guint, t->step);
		to = t->step + 1 < t->steps->len ? g_array_index(t->steps, guint, t->step + 1) : t->log->len;
	}
	for (guint i = from; i < to; i++) {
		LogLine *l = &g_array_index(t->log, LogLine, i);
		EvInfo e = { l->kind, l->routine, l->to, l->text };

		l->match = stops_match_event(t, &e, SCAN_BREAKS | SCAN_SEARCH) != NULL;
	}
}

void
tui_draw(Tui *t, Screen *s)
{
	ViewState v = { 0 };

	mark_matches(t);

	v.step = t->step;
	v.last = t->last;
	v.path = t->cfg.path;
	v.title = t->trace_title;
	v.log = (const LogLine *)(const void *)t->log->data;
	v.nlog = (int)t->log->len;
	if (t->verdict != NULL && t->step == t->last) {
		v.verdict = t->verdict;
		v.verdict_ok = t->verdict_ok;
	}
	v.help = t->help;
	v.describe = t->describe;
	v.description = t->cfg.description;
	v.message = t->message[0] != '\0' ? t->message : NULL;
	stops_describe(t);
	v.stops = t->stops_text;
	v.focus = t->focus;
	v.log_scroll = t->log_scroll;
	v.log_xoff = t->log_xoff;
	v.src_xoff = t->src_xoff;
	v.src_scroll = t->src_scroll;
	v.ran = t->ran;
	if (t->sk != NULL) {
		const World *w = seeker_world(t->sk);

		v.w = w;
		v.prev = t->prev;
		v.sel = t->sel < w->nsocks * 2 ? t->sel : -1;
		v.pinned = t->pinned;
		v.tsel = t->tsel <= w->nthreads ? t->tsel : w->nthreads;
		if (t->cfg.source != NULL && t->cfg.op_line != NULL) {
			for (int i = 0; i < w->nthreads && i < TUI_MAX_THREADS; i++)
				t->op_lines[i] = t->cfg.op_line(t->cfg.op_ctx, w, i);
			v.source = t->cfg.source;
			v.nsource = t->cfg.nsource;
			v.op_lines = t->op_lines;
			v.nop_lines = w->nthreads < TUI_MAX_THREADS ? w->nthreads : TUI_MAX_THREADS;
		}
	} else
		v.sel = -1;
	if (t->prompt != PR_NONE) {
		prompt_line(t, t->last);
		v.prompt = t->prompt_text;
	}
	view_draw(s, &v);
}
