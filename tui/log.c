/*
 * log.c: reading the events of a run without disturbing it (tui_int.h).
 *
 * Seeking mutes the events, so the controller reads them from a copy:
 * it clones the seeker's world and steps the clone with a sink.  For the
 * event log the text trace writes each event into a memory stream and
 * the lines are kept with their step; for c, s and / the same sink asks
 * whether a breakpoint, the thread or the search matches.  The events of
 * a step are those its sched_step emits; the call that finds the run over
 * emits the end's (a deadlock, leaks), and they belong to the last step,
 * as in the trace.
 */
#include "tui_int.h"
#include "run.h"
#include "sched.h"
#include "snapshot.h"
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Backwards, a scan steps a copy from this many steps back, then twice as
 * many before that, and so on: a near stop is found at once, and a scan of
 * the whole run costs about one run. */
#define SCAN_SPAN 1024

typedef struct {
	Tui *t;
	/* the text of each event, when the log or a search needs it */
	bool format;
	TraceWriter tw;
	FILE *fp;
	char *buf;
	size_t len;
	GArray *pending;        /* LogLine: this step's, until its number is known */
	/* a scan */
	const char *thread;     /* s, S: a step of this thread */
	int stops;              /* c, C, /: SCAN_BREAKS, SCAN_SEARCH */
	bool hit;
	const char *why;        /* what matched this step */
	int ran;                /* who was picked this step */
} Reader;


void
log_clear(GArray *log)
{
	for (guint i = 0; i < log->len; i++)
		g_free(g_array_index(log, LogLine, i).text);
	g_array_set_size(log, 0);
}

static void
reader_sink(void *ctx, const World *w, const SimEvent *ev)
{
	Reader *r = ctx;
	const char *text = NULL;

	if (ev->kind == EVK_STEP)
		r->ran = (int)ev->v[0];
	if (r->format) {
		/* the event's lines alone: the stream starts again each time */
		rewind(r->fp);
		trace_emit(&r->tw, w, ev);
		fflush(r->fp);
		text = r->buf;
		if (r->len == 0)
			text = NULL;
		else
			r->buf[r->len] = '\0';
	}
	if (r->pending != NULL && text != NULL) {
		/* a line each; the trace indents events under their step */
		char **lines = g_strsplit(text, "\n", -1);

		for (char **l = lines; *l != NULL; l++) {
			LogLine line = { 0, (int)ev->kind, ev->routine, ev->kind == EVK_TRANS ? ev->to : NULL,
				ev->sock, ev->which, false, NULL };

			if (**l == '\0')
				continue;
			line.text = g_strdup(*l + (**l == ' '));
			g_array_append_val(r->pending, line);
		}
		g_strfreev(lines);
	}
	if (r->thread != NULL && ev->kind == EVK_STEP && ev->routine != NULL &&
	    strcmp(ev->routine, r->thread) == 0) {
		r->hit = true;
		r->why = "";
	}
	if (r->stops && !r->hit) {
		EvInfo e = { (int)ev->kind, ev->routine, ev->kind == EVK_TRANS ? ev->to : NULL, text };

		if ((r->why = stops_match_event(r->t, &e, r->stops)) != NULL)
			r->hit = true;
	}
}

/* Start reading the events of copy c. */
static void
reader_start(Reader *r, Tui *t, World *c, bool format)
{
	r->t = t;
	r->ran = -2;
	r->format = format;
	if (format) {
		if ((r->fp = open_memstream(&r->buf, &r->len)) == NULL)
			abort();
		trace_writer_init(&r->tw, r->fp, TRACE_TEXT);
	}
	/* the trace's record of so_state and sb_flags is of another world */
	c->run->shadow_valid = false;
	c->run->sink = (EventSink){ reader_sink, r };
}

static void
reader_stop(Reader *r, World *c)
{
	c->run->sink.fn = NULL;
	c->run->shadow_valid = false;
	if (r->format) {
		trace_writer_finish(&r->tw);
		fclose(r->fp);
		free(r->buf);
	}
}

/* The verdict of the finished world c, once. */
static void
take_verdict(Tui *t, World *c)
{
	static const char *const stops[] = {
		[STOP_NONE] = "running", [STOP_DONE] = "done", [STOP_DEADLOCK] = "deadlock",
		[STOP_VIOLATION] = "violation", [STOP_LIMIT] = "stopped at a limit",
	};
	char buf[600];

	t->last = c->step;
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

/* One step of copy c, as the seeker takes it; false when the run is over
 * (the end's checks done, the verdict taken). */
static bool
advance(Tui *t, World *c)
{
	if (c->stop == STOP_NONE) {
		if (sched_step(c))
			return true;
		/* the end, as sched_run ends a run */
		if (c->stop == STOP_DONE || c->stop == STOP_DEADLOCK)
			invariants_check_end(c);
	}
	take_verdict(t, c);
	return false;
}

void
log_window(Tui *t, uint64_t n)
{
	uint64_t from = n > LOG_BACK ? n - LOG_BACK : 0, to = n + LOG_AHEAD;
	GArray *pending = g_array_new(FALSE, FALSE, sizeof(LogLine));
	Reader r = { 0 };
	World *c;

	log_clear(t->log);
	world_free(t->prev);
	t->prev = NULL;
	t->ran = -2;
	seeker_seek(t->sk, from);
	c = world_clone(seeker_world(t->sk));
	reader_start(&r, t, c, true);
	r.pending = pending;
	/* to LOG_AHEAD steps on, and one more: if the run ends there, that
	 * call emits the end's events */
	while (c->step <= to) {
		uint64_t before = c->step;
		bool more;

		if (n > 0 && c->step == n - 1)
			t->prev = world_clone(c);
		r.ran = -2;
		more = advance(t, c);
		if (c->step == n && before + 1 == n)
			t->ran = r.ran;
		for (guint i = 0; i < pending->len; i++) {
			LogLine *l = &g_array_index(pending, LogLine, i);

			l->step = c->step;
			if (c->step <= to)
				g_array_append_val(t->log, *l);
			else
				g_free(l->text);
		}
		g_array_set_size(pending, 0);
		if (!more)
			break;
	}
	reader_stop(&r, c);
	world_free(c);
	g_array_free(pending, TRUE);
	seeker_seek(t->sk, n);
}

/* The conditions of t's breakpoints on world c: which hold (bits). */
static uint32_t
conds_holding(Tui *t, World *c)
{
	uint32_t bits = 0;

	for (int i = 0; i < t->nbreaks; i++)
		if (t->breaks[i].type == BK_COND && t->cfg.cond_holds(t->cfg.cond_ctx, t->breaks[i].cond, c))
			bits |= 1u << i;
	return bits;
}

/*
 * Step copy c while its step is below `until`, noting the last step at
 * which something matched (0: none); with `first`, stop at the first.  A
 * condition matches where it becomes true: held not before, holds after.
 */
static uint64_t
scan_copy(Tui *t, World *c, Reader *r, uint64_t until, bool first)
{
	uint64_t found = 0;
	uint32_t was = r->stops & SCAN_BREAKS ? conds_holding(t, c) : 0;

	while (c->step < until) {
		uint64_t before = c->step;
		bool more;

		r->hit = false;
		r->why = NULL;
		more = advance(t, c);
		if (r->stops & SCAN_BREAKS) {
			uint32_t now = conds_holding(t, c);

			for (int i = 0; !r->hit && i < t->nbreaks; i++)
				if ((now & ~was) >> i & 1) {
					r->hit = true;
					r->why = t->breaks[i].text;
				}
			was = now;
		}
		if (r->hit && (c->step > before || (!more && c->step == before))) {
			/* (the second: the end's events, at the last step) */
			found = c->step;
			g_strlcpy(t->why, r->why ? r->why : "", sizeof t->why);
		}
		if (found != 0 && first)
			break;
		if (!more)
			break;
	}
	return found;
}

bool
log_scan(Tui *t, int dir, const char *thread, int stops, uint64_t *at)
{
	Reader r = { 0 };
	bool format = (stops & SCAN_SEARCH) && t->search[0] != '\0';
	uint64_t n = t->step, found = 0;
	World *c;

	r.thread = thread;
	r.stops = stops;
	if (dir > 0) {
		seeker_seek(t->sk, n);
		c = world_clone(seeker_world(t->sk));
		reader_start(&r, t, c, format);
		found = scan_copy(t, c, &r, UINT64_MAX, true);
		reader_stop(&r, c);
		world_free(c);
		if (found <= n)
			found = 0;
	} else {
		uint64_t hi = n > 0 ? n - 1 : 0, span = SCAN_SPAN;

		/* the steps after a and up to hi, nearer ones first */
		while (hi > 0 && found == 0) {
			uint64_t a = hi > span ? hi - span : 0;

			seeker_seek(t->sk, a);
			c = world_clone(seeker_world(t->sk));
			reader_start(&r, t, c, format);
			found = scan_copy(t, c, &r, hi, false);
			reader_stop(&r, c);
			world_free(c);
			hi = a;
			if (span < ((uint64_t)1 << 40))
				span *= 2;
		}
	}
	seeker_seek(t->sk, n);
	if (found == 0)
		return false;
	*at = found;
	return true;
}
