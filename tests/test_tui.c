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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
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

	draw(&f);
	ck_assert_int_eq(step_shown(&f), 0);
	expect_on_screen(&f, "step 0 of ?");
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
	expect_on_screen(&f, "chain of a.so_rcv");
	expect_on_screen(&f, "the buffer is empty");
	tui_handle_key(f.t, 'j');
	tui_handle_key(f.t, 'j');
	draw(&f);
	expect_on_screen(&f, "chain of b.so_rcv");
	expect_on_screen(&f, "sb_mb -> [m");
	expect_on_screen(&f, "1 record; sb_lastrecord");
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
	tui_handle_key(f.t, 'k');
	draw(&f);
	expect_on_screen(&f, "chain of a.so_snd");
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
	fix_free(&f);
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
	tcase_add_test(tc, test_changed_highlight);
	tcase_add_test(tc, test_source_pane);
	tcase_add_test(tc, test_description);
	tcase_add_test(tc, test_chain_pane);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
