/*
 * test_tui.c: the viewer of `sosim tui` drawn into its screen model.
 *
 * No terminal: the controller is driven by key codes (tui_handle_key)
 * and each frame is read back as text.  What the frame says is compared
 * with a world stepped here independently, so a view that draws stale or
 * wrong numbers fails, not only one that draws nothing.
 */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "run.h"
#include "trace.h"
#include "sched.h"
#include "screen.h"
#include "tui.h"
#include "view.h"

#define SCN "01-stream-send-receive.scn"

typedef struct {
	Scenario *s;
	Tui *t;
	Screen *scr;
} Fix;

static Scenario *
load(const char *name)
{
	const char *root = g_getenv("SOSIM_SOURCE_ROOT");
	GError *err = NULL;
	char *path;
	Scenario *s;

	ck_assert_msg(root != NULL, "SOSIM_SOURCE_ROOT is not set");
	path = g_build_filename(root, "scenarios", "teaching", name, NULL);
	s = scenario_parse_file(path, &err);
	ck_assert_msg(s != NULL, "%s: %s", path, err ? err->message : "?");
	g_free(path);
	return s;
}

static World *
make(const Scenario *s)
{
	const Profile *p = profile_find(s->profile ? s->profile : "netbsd-2.0");

	ck_assert_ptr_nonnull(p);
	return world_new(s, p, (p->quirks | s->quirks_on) & ~s->quirks_off);
}

static Fix
fix_new(const char *name, int w, int h)
{
	Fix f;
	TuiConfig cfg = { .path = name };

	f.s = load(name);
	f.t = tui_new(make(f.s), &cfg);
	f.scr = screen_new(w, h);
	return f;
}

static void
fix_free(Fix *f)
{
	tui_free(f->t);
	screen_free(f->scr);
	scenario_free(f->s);
}

static void
draw(Fix *f)
{
	tui_draw(f->t, f->scr);
}

/* The screen, for the failure messages. */
static const char *
shown(Fix *f)
{
	static char *last;

	free(last);
	last = screen_dump(f->scr);
	return last;
}

static void
expect_on_screen(Fix *f, const char *text)
{
	ck_assert_msg(screen_has(f->scr, text), "'%s' not on the screen:\n%s", text, shown(f));
}

/* The world of the scenario after n steps, stepped without the seeker. */
static World *
world_at(const Scenario *s, uint64_t n)
{
	World *w = make(s);

	while (w->step < n && sched_step(w))
		;
	ck_assert_uint_eq(w->step, n);
	return w;
}

/* Each buffer's "cc N/HIWAT" as the world at that step has it. */
static void
expect_buffers(Fix *f, uint64_t step)
{
	World *w = world_at(f->s, step);

	for (int i = 0; i < w->nsocks; i++) {
		const Socket *so = world_socket(w, i);
		char want[64];

		ck_assert_msg(screen_has(f->scr, sock_name(w, i)), "socket %s not shown", sock_name(w, i));
		snprintf(want, sizeof want, "cc %5lld/%-5lld", (long long)so->rcv.cc, (long long)so->rcv.hiwat);
		expect_on_screen(f, want);
		snprintf(want, sizeof want, "cc %5lld/%-5lld", (long long)so->snd.cc, (long long)so->snd.hiwat);
		expect_on_screen(f, want);
	}
	world_free(w);
}

/* The step the status line says. */
static long long
step_shown(Fix *f)
{
	char *row = screen_row(f->scr, 0);
	const char *p = strstr(row, "step ");
	long long n = p ? atoll(p + 5) : -1;

	free(row);
	return n;
}

START_TEST(test_step0)
{
	Fix f = fix_new(SCN, 120, 40);
	World *w = make(f.s);
	char of[48];

	/* a short run's end is known from the start */
	sched_run(w);
	snprintf(of, sizeof of, "step 0 of %llu", (unsigned long long)w->step);
	world_free(w);
	draw(&f);
	ck_assert_int_eq(step_shown(&f), 0);
	expect_on_screen(&f, of);
	expect_on_screen(&f, SCN);
	expect_on_screen(&f, "netbsd-2.0");
	expect_on_screen(&f, "writer");
	expect_on_screen(&f, "reader");
	expect_on_screen(&f, "before the first step");
	expect_buffers(&f, 0);
	fix_free(&f);
}
END_TEST

START_TEST(test_steps_forward_back)
{
	Fix f = fix_new(SCN, 120, 40);
	static const uint64_t at[] = { 1, 3, 12, 20 };

	for (size_t i = 0; i < G_N_ELEMENTS(at); i++) {
		char want[32];

		tui_goto(f.t, at[i]);
		draw(&f);
		ck_assert_int_eq(step_shown(&f), (long long)at[i]);
		/* the step's events, its own first and highlighted */
		snprintf(want, sizeof want, "-- step %llu ", (unsigned long long)at[i]);
		expect_on_screen(&f, want);
		expect_buffers(&f, at[i]);
	}
	/* n and N through the key handler: forwards, then back by seeking */
	tui_goto(f.t, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(tui_handle_key(f.t, 'n'), TUI_GO_ON);
	draw(&f);
	ck_assert_int_eq(step_shown(&f), 10);
	expect_buffers(&f, 10);
	tui_handle_key(f.t, 'N');
	tui_handle_key(f.t, 'N');
	draw(&f);
	ck_assert_int_eq(step_shown(&f), 8);
	expect_buffers(&f, 8);
	expect_on_screen(&f, "-- step 8 ");
	/* no step before 0 */
	tui_handle_key(f.t, TUI_KEY_HOME);
	tui_handle_key(f.t, 'N');
	draw(&f);
	ck_assert_int_eq(step_shown(&f), 0);
	fix_free(&f);
}
END_TEST

static int
op_line(void *ctx, const World *w, int tid)
{
	return scenario_op_line(ctx, w, tid);
}

/*
 * The scenario's text beside the events: at step 12 the reader sleeps in
 * its first recv (line 19 of lesson 01) and the writer is done; the line
 * is marked with the reader's name, and it moves to the second recv once
 * the first has returned.
 */
START_TEST(test_source_pane)
{
	Scenario *s = load(SCN);
	char *text = NULL, **lines;
	char *path = g_build_filename(g_getenv("SOSIM_SOURCE_ROOT"), "scenarios", "teaching", SCN, NULL);
	TuiConfig cfg = { .path = SCN, .op_line = op_line, .op_ctx = s };
	Tui *t;
	Screen *scr = screen_new(140, 44);
	int n, recv1 = 0, recv2 = 0;

	ck_assert(g_file_get_contents(path, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	n = (int)g_strv_length(lines);
	for (int i = 0; i < n; i++)
		if (strstr(lines[i], "recv b 8192") != NULL)
			*(recv1 ? &recv2 : &recv1) = i + 1;
	ck_assert_int_gt(recv1, 0);
	ck_assert_int_gt(recv2, recv1);
	cfg.source = lines;
	cfg.nsource = n;
	t = tui_new(make(s), &cfg);
	tui_goto(t, 12);
	tui_draw(t, scr);
	ck_assert(screen_has(scr, "scenario"));
	if (!screen_has(scr, "recv b 8192 => 5840  <- reader"))
		fprintf(stderr, "%s\n", screen_dump(scr));
	ck_assert(screen_has(scr, "recv b 8192 => 5840  <- reader"));
	tui_goto(t, 30);        /* the first recv returned at step 23; the second waits */
	tui_draw(t, scr);
	if (!screen_has(scr, "recv b 8192 => 160  <- reader"))
		fprintf(stderr, "%s\n", screen_dump(scr));
	ck_assert(screen_has(scr, "recv b 8192 => 160  <- reader"));
	ck_assert(!screen_has(scr, "<- writer"));       /* done: no line */
	tui_free(t);
	screen_free(scr);
	g_strfreev(lines);
	g_free(text);
	g_free(path);
	scenario_free(s);
}
END_TEST

/* i shows what the scenario is about (its leading comment); any key closes it. */
START_TEST(test_description)
{
	Scenario *s = load(SCN);
	TuiConfig cfg = { .path = SCN, .description = s->description };
	Tui *t = tui_new(make(s), &cfg);
	Screen *scr = screen_new(120, 40);

	ck_assert_ptr_nonnull(s->description);
	tui_handle_key(t, 'i');
	tui_draw(t, scr);
	ck_assert(tui_description_shown(t));
	ck_assert(screen_has(scr, "What this scenario shows"));
	ck_assert(screen_has(scr, "Stream send and receive"));
	tui_handle_key(t, 'x');
	tui_draw(t, scr);
	ck_assert(!screen_has(scr, "What this scenario shows"));
	ck_assert_uint_eq(tui_step(t), 0);      /* the key only closed it */
	tui_free(t);
	screen_free(scr);
	scenario_free(s);
}
END_TEST

/*
 * j/k choose the buffer drawn as a chain: at step 14 of lesson 01,
 * b.so_rcv holds one record of six mbufs sharing three clusters; the one
 * that arrived at this step is drawn as changed; a.so_rcv is empty.
 */
START_TEST(test_chain_pane)
{
	Fix f = fix_new(SCN, 140, 44);
	World *w = world_at(f.s, 14);
	const Mbuf *m = world_mbuf(w, w->socks[1].rcv.mbtail);
	char tail[32];
	int row = -1;

	ck_assert_ptr_nonnull(m);
	tui_goto(f.t, 14);
	draw(&f);
	/* until one is chosen, the chain is of the buffer that changed last */
	expect_on_screen(&f, "chain of b.so_rcv (the buffer that changed last");
	/* j in the threads pane chooses a thread, not a buffer */
	tui_handle_key(f.t, 'j');
	draw(&f);
	expect_on_screen(&f, "chain of b.so_rcv");
	/* one record: sb_mb and sb_lastrecord both point at it */
	expect_on_screen(&f, "sb_mb, lastrecord -> [m");
	expect_on_screen(&f, "1 record, ");
	snprintf(tail, sizeof tail, "<- sb_mbtail");
	expect_on_screen(&f, tail);
	/* the tail mbuf came with this step's segment: changed */
	snprintf(tail, sizeof tail, "[m%u DATA 1460", w->socks[1].rcv.mbtail.i);
	for (int r = 0; r < f.scr->h && row < 0; r++) {
		char *text = screen_row(f.scr, r);

		if (strstr(text, tail) != NULL) {
			int col = (int)(strstr(text, tail) - text);

			row = r;
			ck_assert_int_eq(screen_cell(f.scr, r, col + 1)->color, C_CHANGED);
		}
		g_free(text);
	}
	ck_assert_msg(row >= 0, "the tail mbuf %s is not drawn", tail);
	/* in the sockets pane (Tab goes there) j/k choose, and it stays chosen */
	tui_handle_key(f.t, TUI_KEY_TAB);
	draw(&f);
	expect_on_screen(&f, "[sockets]");
	tui_handle_key(f.t, 'k');
	draw(&f);
	expect_on_screen(&f, "chain of a.so_snd (chosen");
	tui_handle_key(f.t, TUI_KEY_UP);
	draw(&f);
	expect_on_screen(&f, "chain of a.so_rcv (chosen");
	expect_on_screen(&f, "the buffer is empty");
	tui_goto(f.t, 20);
	draw(&f);
	expect_on_screen(&f, "chain of a.so_rcv (chosen");
	world_free(w);
	fix_free(&f);
}
END_TEST

START_TEST(test_sleeping_thread)
{
	/* at step 12 the reader sleeps in sbwait, inside soreceive */
	Fix f = fix_new(SCN, 120, 40);
	World *w = world_at(f.s, 12);
	const Thread *t = NULL;

	for (int i = 0; i < w->nthreads; i++)
		if (strcmp(thread_name(w, i), "reader") == 0)
			t = world_thread(w, i);
	ck_assert_ptr_nonnull(t);
	tui_goto(f.t, 12);
	draw(&f);
	expect_on_screen(&f, "soreceive:");
	if (t->state == TS_SLEEP)
		expect_on_screen(&f, "sleeping on b.so_rcv.sb_cc");
	expect_on_screen(&f, "resid 8192/8192");
	world_free(w);
	fix_free(&f);
}
END_TEST

START_TEST(test_last_step)
{
	Fix f = fix_new(SCN, 120, 40);
	World *w = make(f.s);
	char want[64];

	sched_run(w);
	tui_handle_key(f.t, TUI_KEY_END);
	draw(&f);
	ck_assert_uint_eq(tui_step(f.t), w->step);
	snprintf(want, sizeof want, "step %llu of %llu", (unsigned long long)w->step,
	    (unsigned long long)w->step);
	expect_on_screen(&f, want);
	expect_on_screen(&f, "done");   /* the stop reason, with no verdict callback */
	/* n at the end stays there and says so */
	tui_handle_key(f.t, 'n');
	draw(&f);
	ck_assert_uint_eq(tui_step(f.t), w->step);
	expect_on_screen(&f, "at the last step");
	world_free(w);
	fix_free(&f);
}
END_TEST

START_TEST(test_goto_prompt)
{
	Fix f = fix_new(SCN, 120, 40);

	tui_handle_key(f.t, 'g');
	tui_handle_key(f.t, '1');
	tui_handle_key(f.t, '5');
	draw(&f);
	expect_on_screen(&f, "go to step");
	expect_on_screen(&f, "15_");
	tui_handle_key(f.t, TUI_KEY_ENTER);
	draw(&f);
	ck_assert_int_eq(step_shown(&f), 15);
	/* Escape cancels: the step stays */
	tui_handle_key(f.t, 'g');
	tui_handle_key(f.t, '3');
	tui_handle_key(f.t, TUI_KEY_ESCAPE);
	draw(&f);
	ck_assert_int_eq(step_shown(&f), 15);
	ck_assert(!screen_has(f.scr, "go to step"));
	fix_free(&f);
}
END_TEST

START_TEST(test_help)
{
	Fix f = fix_new(SCN, 120, 40);

	draw(&f);
	ck_assert(!screen_has(f.scr, "Keys of sosim tui"));
	tui_handle_key(f.t, '?');
	ck_assert(tui_help_shown(f.t));
	draw(&f);
	expect_on_screen(&f, "Keys of sosim tui");
	/* any key closes it, and does nothing else */
	tui_handle_key(f.t, 'n');
	draw(&f);
	ck_assert(!screen_has(f.scr, "Keys of sosim tui"));
	ck_assert_int_eq(step_shown(&f), 0);
	ck_assert_int_eq(tui_handle_key(f.t, 'q'), TUI_QUIT);
	fix_free(&f);
}
END_TEST

/* In a pane too short for every socket, the chosen buffer stays in sight:
 * the pane moves, and says how many lines are above and below. */
START_TEST(test_selection_in_sight)
{
	Fix f = fix_new("27-splice-errors.scn", 80, 24);
	bool seen = false;

	tui_handle_key(f.t, TUI_KEY_TAB);       /* the sockets */
	draw(&f);
	ck_assert_msg(screen_has(f.scr, "more lines"), "the sockets fit: the test needs fewer rows\n%s",
	    shown(&f));
	ck_assert(!screen_has(f.scr, "lines above"));
	/* k from the first buffer: the last one, w's so_snd, far below */
	tui_handle_key(f.t, 'k');
	draw(&f);
	expect_on_screen(&f, "lines above");
	expect_on_screen(&f, "w      udp");   /* the socket the buffer belongs to */
	for (int r = 0; r < f.scr->h; r++) {
		char *row = screen_row(f.scr, r);

		seen |= strstr(row, "> snd") != NULL;
		free(row);
	}
	ck_assert_msg(seen, "the chosen buffer is not on the screen:\n%s", shown(&f));
	fix_free(&f);
}
END_TEST

/* A help taller than the terminal says that more is left out. */
START_TEST(test_help_cut)
{
	Fix f = fix_new(SCN, 80, VIEW_MIN_H);

	tui_handle_key(f.t, '?');
	draw(&f);
	expect_on_screen(&f, "Keys of sosim tui");
	expect_on_screen(&f, "more than fits");
	screen_resize(f.scr, 120, 40);
	draw(&f);
	ck_assert(!screen_has(f.scr, "more than fits"));
	expect_on_screen(&f, "q quit");
	fix_free(&f);
}
END_TEST

START_TEST(test_too_small)
{
	Fix f = fix_new(SCN, 30, 10);

	draw(&f);
	expect_on_screen(&f, "too small");
	ck_assert(!screen_has(f.scr, "writer"));
	/* at the minimum it draws */
	screen_resize(f.scr, VIEW_MIN_W, VIEW_MIN_H);
	draw(&f);
	ck_assert(!screen_has(f.scr, "too small"));
	ck_assert_int_eq(step_shown(&f), 0);
	fix_free(&f);
}
END_TEST

static int row_of(Fix *f, const char *text);

START_TEST(test_changed_highlight)
{
	/* step 3 appends 2048 bytes to a.so_snd: its cc is drawn as changed */
	Fix f = fix_new(SCN, 120, 40);
	bool changed = false;

	tui_goto(f.t, 3);
	draw(&f);
	for (int r = 0; r < f.scr->h && !changed; r++) {
		char *row = screen_row(f.scr, r);
		const char *p = strstr(row, "cc  2048/");

		if (p != NULL)
			changed = screen_cell(f.scr, r, (int)(p - row))->color == C_CHANGED;
		free(row);
	}
	ck_assert_msg(changed, "a.so_snd's cc not marked changed:\n%s", shown(&f));
	/* at a step that left it as the step before made it: not changed */
	{
		uint64_t k = 0;
		World *w;
		char want[32];

		for (uint64_t s = 3; s < 40 && k == 0; s++) {
			World *a = world_at(f.s, s - 2), *b = world_at(f.s, s - 1), *c = world_at(f.s, s);

			if (c->socks[0].snd.cc == b->socks[0].snd.cc && b->socks[0].snd.cc != a->socks[0].snd.cc)
				k = s;
			world_free(a);
			world_free(b);
			world_free(c);
		}
		ck_assert_uint_gt(k, 0);
		w = world_at(f.s, k);
		tui_goto(f.t, k);
		draw(&f);
		snprintf(want, sizeof want, "cc %5lld/", (long long)w->socks[0].snd.cc);
		ck_assert_int_ge(row_of(&f, want), 0);
		{
			char *row = screen_row(f.scr, row_of(&f, want));
			int col = (int)(strstr(row, want) - row);

			ck_assert_int_ne(screen_cell(f.scr, row_of(&f, want), col)->color, C_CHANGED);
			free(row);
		}
		world_free(w);
	}
	fix_free(&f);
}
END_TEST

/*
 * What a run says, step by step, recorded here without the viewer: for
 * each step who was picked, and its events as "kind routine to | text"
 * lines, and b.rcv.cc after it.
 */
typedef struct {
	GPtrArray *who;         /* char *, by step (0: "") */
	GPtrArray *events;      /* GString *, by step */
	GArray *cc;             /* int64_t: b.rcv.cc after the step */
	TraceWriter tw;
	FILE *fp;
	char *buf;
	size_t len;
	GString *cur;
	char *curwho;
} Rec;

static void
rec_sink(void *ctx, const World *w, const SimEvent *ev)
{
	Rec *r = ctx;

	if (ev->kind == EVK_STEP)
		r->curwho = g_strdup(ev->routine);
	rewind(r->fp);
	trace_emit(&r->tw, w, ev);
	fflush(r->fp);
	g_string_append_printf(r->cur, "\n%s %s %s | %.*s", event_kind_names[ev->kind],
	    ev->routine ? ev->routine : "-", ev->kind == EVK_TRANS ? ev->to : "-", (int)r->len, r->buf);
}

static Rec *
record(const Scenario *s)
{
	Rec *r = g_new0(Rec, 1);
	World *w = make(s);
	bool more = true;

	r->who = g_ptr_array_new_with_free_func(g_free);
	r->events = g_ptr_array_new();
	r->cc = g_array_new(FALSE, FALSE, sizeof(int64_t));
	r->fp = open_memstream(&r->buf, &r->len);
	trace_writer_init(&r->tw, r->fp, TRACE_TEXT);
	w->run->sink = (EventSink){ rec_sink, r };
	g_ptr_array_add(r->who, g_strdup(""));
	g_ptr_array_add(r->events, g_string_new(""));
	g_array_append_val(r->cc, (int64_t){ 0 });
	while (more) {
		uint64_t before = w->step;

		r->cur = g_string_new(NULL);
		r->curwho = NULL;
		more = w->stop == STOP_NONE && sched_step(w);
		if (!more && (w->stop == STOP_DONE || w->stop == STOP_DEADLOCK))
			invariants_check_end(w);
		if (w->step > before) {
			int64_t cc = w->socks[1].rcv.cc;

			g_ptr_array_add(r->who, r->curwho ? r->curwho : g_strdup("?"));
			g_ptr_array_add(r->events, r->cur);
			g_array_append_val(r->cc, cc);
		} else {
			/* the end's events belong to the last step */
			g_string_append(g_ptr_array_index(r->events, r->events->len - 1), r->cur->str);
			g_string_free(r->cur, TRUE);
			g_free(r->curwho);
		}
	}
	w->run->sink.fn = NULL;
	trace_writer_finish(&r->tw);
	fclose(r->fp);
	free(r->buf);
	world_free(w);
	return r;
}

static void
rec_free(Rec *r)
{
	for (guint i = 0; i < r->events->len; i++)
		g_string_free(g_ptr_array_index(r->events, i), TRUE);
	g_ptr_array_free(r->events, TRUE);
	g_ptr_array_free(r->who, TRUE);
	g_array_free(r->cc, TRUE);
	g_free(r);
}

static const char *
rec_events(Rec *r, uint64_t step)
{
	return ((GString *)g_ptr_array_index(r->events, step))->str;
}

/* The first step after `from` (dir 1) or the last before it (dir -1)
 * whose events hold `text` (in the "kind routine to | line" form); 0: none. */
static uint64_t
rec_find(Rec *r, uint64_t from, int dir, const char *text)
{
	for (uint64_t s = from + (uint64_t)dir; s > 0 && s < r->events->len; s += (uint64_t)dir)
		if (strstr(rec_events(r, s), text) != NULL)
			return s;
	return 0;
}

static Fix
fix_conds(const char *name, int w, int h)
{
	Fix f;
	TuiConfig cfg = { .path = name, .cond_parse = expect_condition_new, .cond_holds = expect_condition_test,
		.cond_free = g_free };

	f.s = load(name);
	cfg.cond_ctx = f.s;
	f.t = tui_new(make(f.s), &cfg);
	f.scr = screen_new(w, h);
	return f;
}

static void
type(Tui *t, const char *text)
{
	for (const char *c = text; *c; c++)
		tui_handle_key(t, *c);
	tui_handle_key(t, TUI_KEY_ENTER);
}

/* Which row of the screen shows text (-1 none). */
static int
row_of(Fix *f, const char *text)
{
	for (int r = 0; r < f->scr->h; r++) {
		char *row = screen_row(f->scr, r);
		bool there = strstr(row, text) != NULL;

		free(row);
		if (there)
			return r;
	}
	return -1;
}

/*
 * The event log: the step's lines in the middle, the step before above
 * and the one after below, all as the text trace writes them; the step's
 * own "-- step" line in reverse, its neighbours' lines dim.
 */
START_TEST(test_event_log)
{
	Fix f = fix_new(SCN, 140, 60);
	int here, before, after;

	tui_goto(f.t, 12);
	draw(&f);
	here = row_of(&f, "-- step 12 ");
	before = row_of(&f, "-- step 11 ");
	after = row_of(&f, "-- step 13 ");
	ck_assert_msg(here > 0 && before > 0 && after > 0, "steps 11-13 not all shown:\n%s", shown(&f));
	ck_assert_int_lt(before, here);
	ck_assert_int_lt(here, after);
	ck_assert(screen_cell(f.scr, here, 0)->attr & AT_REV);
	ck_assert(screen_cell(f.scr, before, 0)->attr & AT_DIM);
	ck_assert(screen_cell(f.scr, after, 0)->attr & AT_DIM);
	ck_assert(!(screen_cell(f.scr, here + 1, 2)->attr & AT_DIM));
	/* every line of the step, in order, as the trace has them */
	{
		Rec *r = record(f.s);
		char **lines = g_strsplit(rec_events(r, 12), "\n", -1);
		int row = here;

		int checked = 0;

		for (char **l = lines; *l; l++) {
			const char *text = strstr(*l, "| ");
			int at;

			if (text == NULL || strncmp(text + 2, "-- step", 7) == 0)
				continue;
			text += 2;
			while (*text == ' ')
				text++;
			at = row_of(&f, text);
			ck_assert_msg(at > row, "'%s' not below row %d:\n%s", text, row, shown(&f));
			row = at;
			checked++;
		}
		ck_assert_int_ge(checked, 5);
		g_strfreev(lines);
		rec_free(r);
	}
	/* the events pane scrolls when it has the focus, and n brings it back */
	tui_handle_key(f.t, TUI_KEY_TAB);
	tui_handle_key(f.t, TUI_KEY_TAB);
	draw(&f);
	expect_on_screen(&f, "[events of step 12");
	tui_handle_key(f.t, 'j');
	tui_handle_key(f.t, 'j');
	draw(&f);
	ck_assert_int_eq(row_of(&f, "-- step 12 "), here - 2);
	tui_handle_key(f.t, 'n');
	tui_handle_key(f.t, 'N');
	draw(&f);
	ck_assert_int_eq(row_of(&f, "-- step 12 "), here);
	fix_free(&f);
}
END_TEST

/*
 * A line wider than its pane ends in '>', so that a cut number is not
 * read as a whole one; h/l move the events sideways, and '<' marks what
 * went off the left.
 */
START_TEST(test_cut_lines)
{
	Fix f = fix_new(SCN, 80, 40);
	const char *want = "b.so_rcv + 1460 bytes: cc 4380 -> 5840, mbcnt 11520 -> 13824";
	int row, col;
	char *text;

	tui_goto(f.t, 14);
	draw(&f);
	/* the sbappendstream line of step 14 is longer than 80 columns */
	row = row_of(&f, "sbappendstream   b.so_rcv + 1460 bytes: cc 4380 -> 5840");
	ck_assert_int_ge(row, 0);
	ck_assert_int_eq(screen_cell(f.scr, row, 79)->ch, '>');
	ck_assert(!screen_has(f.scr, want));
	/* l in the events pane: 8 columns on, the line's end in sight */
	tui_handle_key(f.t, TUI_KEY_TAB);
	tui_handle_key(f.t, TUI_KEY_TAB);
	tui_handle_key(f.t, 'l');
	tui_handle_key(f.t, TUI_KEY_RIGHT);
	draw(&f);
	row = row_of(&f, want);
	ck_assert_msg(row >= 0, "the end of the line not shown:\n%s", shown(&f));
	ck_assert_int_eq(screen_cell(f.scr, row, 0)->ch, '<');
	text = screen_row(f.scr, row);
	col = (int)(strstr(text, want) - text);
	free(text);
	ck_assert_int_eq(col, 2 + 9 + 17 - 16);
	/* and back */
	tui_handle_key(f.t, 'h');
	tui_handle_key(f.t, TUI_KEY_LEFT);
	tui_handle_key(f.t, 'h');
	draw(&f);
	ck_assert(!screen_has(f.scr, want));
	fix_free(&f);
}
END_TEST

/* s and S: the next and previous step of the selected thread (j/k in the
 * threads pane choose it; softnet is the last). */
START_TEST(test_thread_steps)
{
	Fix f = fix_new(SCN, 120, 40);
	Rec *r = record(f.s);
	uint64_t want = 0;

	/* the reader (the second thread) */
	tui_handle_key(f.t, 'j');
	draw(&f);
	expect_on_screen(&f, ">reader");
	for (uint64_t s = 1; s < r->who->len && want == 0; s++)
		if (strcmp(g_ptr_array_index(r->who, s), "reader") == 0)
			want = s;
	ck_assert_uint_gt(want, 1);
	tui_handle_key(f.t, 's');
	ck_assert_uint_eq(tui_step(f.t), want);
	/* the next one after that, then back */
	{
		uint64_t next = 0;

		for (uint64_t s = want + 1; s < r->who->len && next == 0; s++)
			if (strcmp(g_ptr_array_index(r->who, s), "reader") == 0)
				next = s;
		tui_handle_key(f.t, 's');
		ck_assert_uint_eq(tui_step(f.t), next);
		tui_handle_key(f.t, 'S');
		ck_assert_uint_eq(tui_step(f.t), want);
	}
	tui_handle_key(f.t, 'S');
	ck_assert_uint_eq(tui_step(f.t), want);
	ck_assert_ptr_nonnull(strstr(tui_message(f.t), "no earlier step"));
	/* softnet: after the two threads */
	tui_handle_key(f.t, 'j');
	draw(&f);
	expect_on_screen(&f, ">softnet");
	tui_handle_key(f.t, 's');
	ck_assert_str_eq(g_ptr_array_index(r->who, tui_step(f.t)), "softnet");
	ck_assert_uint_eq(tui_step(f.t), rec_find(r, want, 1, "step softnet"));
	rec_free(r);
	fix_free(&f);
}
END_TEST

/*
 * b and c/C: each kind of breakpoint stops where the recorded run says it
 * should, forwards and backwards; a condition stops where it becomes
 * true; a bad one says why; the same again removes it.
 */
START_TEST(test_breakpoints)
{
	Fix f = fix_conds(SCN, 120, 40);
	Rec *r = record(f.s);
	uint64_t s1, s2;

	/* nothing to continue to yet */
	tui_handle_key(f.t, 'c');
	ck_assert_uint_eq(tui_step(f.t), 0);
	ck_assert_ptr_nonnull(strstr(tui_message(f.t), "no breakpoints"));
	/* a routine with a machine: where it is entered, not where it moves */
	tui_handle_key(f.t, 'b');
	type(f.t, "soreceive");
	s1 = rec_find(r, 0, 1, "enter soreceive");
	s2 = rec_find(r, s1, 1, "enter soreceive");
	ck_assert_uint_gt(s1, 0);
	ck_assert_uint_gt(s2, s1 + 1);
	ck_assert_uint_gt(rec_find(r, s1, 1, "transition soreceive"), s1);
	ck_assert_uint_lt(rec_find(r, s1, 1, "transition soreceive"), s2);
	tui_handle_key(f.t, 'c');
	ck_assert_uint_eq(tui_step(f.t), s1);
	tui_handle_key(f.t, 'c');
	ck_assert_uint_eq(tui_step(f.t), s2);
	tui_handle_key(f.t, 'b');
	type(f.t, "soreceive");
	tui_goto(f.t, 0);
	tui_handle_key(f.t, 'b');
	type(f.t, "sbwait");
	s1 = rec_find(r, 0, 1, "\nenter sbwait");
	s2 = rec_find(r, s1, 1, "\nenter sbwait");
	ck_assert_uint_gt(s1, 0);
	ck_assert_uint_gt(s2, s1);
	tui_handle_key(f.t, 'c');
	ck_assert_uint_eq(tui_step(f.t), s1);
	tui_handle_key(f.t, 'c');
	ck_assert_uint_eq(tui_step(f.t), s2);
	tui_handle_key(f.t, 'C');
	ck_assert_uint_eq(tui_step(f.t), s1);
	draw(&f);
	expect_on_screen(&f, "b: sbwait");
	/* the same again takes it away */
	tui_handle_key(f.t, 'b');
	type(f.t, "sbwait");
	ck_assert_ptr_nonnull(strstr(tui_message(f.t), "removed"));
	/* an event kind */
	tui_handle_key(f.t, 'b');
	type(f.t, "wakeup");
	tui_handle_key(f.t, 'c');
	ck_assert_uint_eq(tui_step(f.t), rec_find(r, s1, 1, "\nwakeup "));
	/* with two, c says which one it stopped at */
	{
		uint64_t at = tui_step(f.t), w = rec_find(r, at, 1, "\nwakeup "), e = rec_find(r, at, 1, "\nenter sbwait");
		char want[64];

		tui_handle_key(f.t, 'b');
		type(f.t, "sbwait");
		tui_handle_key(f.t, 'c');
		snprintf(want, sizeof want, "step %llu: %s", (unsigned long long)(w < e ? w : e),
		    w < e ? "wakeup" : "sbwait");
		ck_assert_str_eq(tui_message(f.t), want);
	}
	tui_handle_key(f.t, 'b');
	tui_handle_key(f.t, TUI_KEY_ENTER);     /* an empty one clears them */
	ck_assert_ptr_nonnull(strstr(tui_message(f.t), "cleared"));
	/* ROUTINE:STATE */
	tui_goto(f.t, 0);
	tui_handle_key(f.t, 'b');
	type(f.t, "soreceive:copy");
	tui_handle_key(f.t, 'c');
	ck_assert_uint_eq(tui_step(f.t), rec_find(r, 0, 1, "transition soreceive copy"));
	tui_handle_key(f.t, 'b');
	tui_handle_key(f.t, TUI_KEY_ENTER);
	/* a condition: where b.rcv.cc > 0 becomes true, not each step it holds */
	tui_goto(f.t, 0);
	tui_handle_key(f.t, 'b');
	type(f.t, "b.rcv.cc > 0");
	ck_assert_ptr_nonnull(strstr(tui_message(f.t), "breakpoint b.rcv.cc > 0"));
	{
		int64_t *cc = (int64_t *)(void *)r->cc->data;
		uint64_t want[8], nwant = 0;

		for (uint64_t s = 1; s < r->cc->len && nwant < 8; s++)
			if (cc[s] > 0 && cc[s - 1] == 0)
				want[nwant++] = s;
		/* it holds for a while, stops, and holds again */
		ck_assert_uint_ge(nwant, 2);
		ck_assert_int_gt(cc[want[0] + 1], 0);
		for (uint64_t i = 0; i < nwant; i++) {
			tui_handle_key(f.t, 'c');
			ck_assert_uint_eq(tui_step(f.t), want[i]);
		}
		tui_handle_key(f.t, 'C');
		ck_assert_uint_eq(tui_step(f.t), want[nwant - 2]);
	}
	/* bad ones say why, and set nothing */
	tui_handle_key(f.t, 'b');
	type(f.t, "b.rcv.bogus == 1");
	ck_assert_ptr_nonnull(strstr(tui_message(f.t), "unknown field 'rcv.bogus'"));
	tui_handle_key(f.t, 'b');
	type(f.t, "nosuch");
	ck_assert_ptr_nonnull(strstr(tui_message(f.t), "is not a thread, an event kind"));
	tui_handle_key(f.t, 'b');
	type(f.t, "soreceive:nowhere");
	ck_assert_ptr_nonnull(strstr(tui_message(f.t), "soreceive has no state 'nowhere'"));
	draw(&f);
	expect_on_screen(&f, "b: b.rcv.cc > 0");
	ck_assert(!screen_has(f.scr, "nosuch,"));
	rec_free(r);
	fix_free(&f);
}
END_TEST

/* /: the next step whose events say the text; Enter alone again. */
START_TEST(test_search)
{
	Fix f = fix_new(SCN, 120, 40);
	Rec *r = record(f.s);
	uint64_t s1 = rec_find(r, 0, 1, "woken"), s2 = rec_find(r, s1, 1, "woken");

	ck_assert_uint_gt(s1, 0);
	tui_handle_key(f.t, '/');
	draw(&f);
	expect_on_screen(&f, "search events for");
	type(f.t, "WOKEN");     /* case does not matter */
	ck_assert_uint_eq(tui_step(f.t), s1);
	/* the line it found stands out */
	draw(&f);
	{
		int row = row_of(&f, "woken");
		char *text = screen_row(f.scr, row);

		ck_assert_int_ge(row, 0);
		ck_assert(screen_cell(f.scr, row, (int)(strstr(text, "woken") - text))->attr & AT_REV);
		free(text);
	}
	tui_handle_key(f.t, '/');
	tui_handle_key(f.t, TUI_KEY_ENTER);
	ck_assert_uint_eq(tui_step(f.t), s2 ? s2 : s1);
	/* c and C go by the search too */
	tui_handle_key(f.t, 'C');
	ck_assert_uint_eq(tui_step(f.t), s1);
	tui_handle_key(f.t, '/');
	type(f.t, "no such text anywhere");
	ck_assert_uint_eq(tui_step(f.t), s1);
	ck_assert_ptr_nonnull(strstr(tui_message(f.t), "no later step"));
	rec_free(r);
	fix_free(&f);
}
END_TEST

/*
 * A saved JSONL trace: the same steps and events, read only; the keys
 * that move work along it, and what needs a world says so.
 */
START_TEST(test_trace_file)
{
	Scenario *s = load(SCN);
	Rec *r = record(s);
	World *w = make(s);
	char *path = g_build_filename(g_get_tmp_dir(), "sosim-test-tui-XXXXXX.jsonl", NULL);
	int fd = g_mkstemp(path);
	FILE *fp = fdopen(fd, "w");
	TraceWriter tw;
	TraceHeader h = { .scenario = SCN };
	char err[300];
	Fix f = { s, NULL, screen_new(120, 40) };

	trace_writer_init(&tw, fp, TRACE_JSONL);
	trace_header(&tw, w, &h);
	w->run->sink = (EventSink){ trace_emit, &tw };
	sched_run(w);
	trace_summary(&tw, w, 0);
	trace_writer_finish(&tw);
	fclose(fp);
	f.t = tui_open_trace(path, err, sizeof err);
	ck_assert_msg(f.t != NULL, "%s", err);
	ck_assert_uint_eq(tui_last(f.t), w->step);
	tui_goto(f.t, 12);
	draw(&f);
	ck_assert_int_eq(step_shown(&f), 12);
	expect_on_screen(&f, "a saved trace");
	expect_on_screen(&f, "-- step 12 ");
	/* the keys that need a world are not offered */
	ck_assert(!screen_has(f.scr, "s/S thread"));
	expect_on_screen(&f, "c/C continue");
	tui_handle_key(f.t, '/');
	type(f.t, "woken");
	ck_assert_uint_eq(tui_step(f.t), rec_find(r, 12, 1, "woken"));
	{
		uint64_t at = tui_step(f.t), want = rec_find(r, at, -1, "\nenter sbwait");

		ck_assert_uint_gt(want, 0);
		tui_handle_key(f.t, 'b');
		type(f.t, "sbwait");
		tui_handle_key(f.t, 'C');
		ck_assert_uint_eq(tui_step(f.t), want);
		/* a thread, by the names the trace's steps give */
		tui_handle_key(f.t, 'b');
		type(f.t, "softnet");
		tui_handle_key(f.t, 'b');
		type(f.t, "sbwait");    /* off again */
		tui_handle_key(f.t, 'c');
		ck_assert_uint_eq(tui_step(f.t), rec_find(r, want, 1, "step softnet"));
	}
	tui_handle_key(f.t, 'b');
	type(f.t, "b.rcv.cc == 0");
	ck_assert_ptr_nonnull(strstr(tui_message(f.t), "needs the world"));
	tui_handle_key(f.t, 'd');
	ck_assert_ptr_nonnull(strstr(tui_message(f.t), "needs the world"));
	tui_handle_key(f.t, TUI_KEY_END);
	draw(&f);
	expect_on_screen(&f, "done: all expectations held");
	tui_free(f.t);
	/* not a trace */
	fp = fopen(path, "w");
	fputs("{\"kind\":\"step\"}\n", fp);
	fclose(fp);
	ck_assert_ptr_null(tui_open_trace(path, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "not a sosim JSONL trace"));
	fp = fopen(path, "w");
	fputs("{\"kind\":\"header\",\"format\":1}\nnot json\n", fp);
	fclose(fp);
	ck_assert_ptr_null(tui_open_trace(path, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, ":2: not a record"));
	g_unlink(path);
	g_free(path);
	screen_free(f.scr);
	world_free(w);
	rec_free(r);
	scenario_free(s);
}
END_TEST

START_TEST(test_screen_model)
{
	Screen *s = screen_new(10, 2);
	char *d;

	ck_assert_int_eq(screen_put(s, 0, 7, -1, AT_BOLD, C_NONE, "abcdef"), 3);
	screen_put(s, 1, -2, -1, AT_NORM, C_NONE, "xyz");
	screen_put(s, 5, 0, -1, AT_NORM, C_NONE, "off the screen");
	d = screen_dump(s);
	ck_assert_str_eq(d, "       abc\nz\n");
	ck_assert_int_eq(screen_cell(s, 0, 7)->attr, AT_BOLD);
	free(d);
	screen_free(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tui");
	TCase *tc = tcase_create("view");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_screen_model);
	tcase_add_test(tc, test_step0);
	tcase_add_test(tc, test_steps_forward_back);
	tcase_add_test(tc, test_sleeping_thread);
	tcase_add_test(tc, test_last_step);
	tcase_add_test(tc, test_goto_prompt);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_too_small);
	tcase_add_test(tc, test_help_cut);
	tcase_add_test(tc, test_selection_in_sight);
	tcase_add_test(tc, test_changed_highlight);
	tcase_add_test(tc, test_source_pane);
	tcase_add_test(tc, test_description);
	tcase_add_test(tc, test_chain_pane);
	tcase_add_test(tc, test_event_log);
	tcase_add_test(tc, test_cut_lines);
	tcase_add_test(tc, test_thread_steps);
	tcase_add_test(tc, test_breakpoints);
	tcase_add_test(tc, test_search);
	tcase_add_test(tc, test_trace_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
