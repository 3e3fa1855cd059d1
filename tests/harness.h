/*
 * harness.h: what the scenario-driven unit suites (test_kern.c,
 * test_soreceive.c, test_splice.c, test_sched.c) share: finding a thread
 * or a socket of the scenario by name, an errno's name, and the check that
 * a run ended cleanly.  Each suite keeps its own recorder of returns, since
 * each records different things about them.
 */
#ifndef SOSIM_TEST_HARNESS_H
#define SOSIM_TEST_HARNESS_H

#include <check.h>
#include <glib.h>
#include <string.h>

#include "errno_names.h"
#include "expect.h"

/* The index of thread `name` of scenario s; the test fails if there is none. */
static inline int
harness_thread(const Scenario *s, const char *name)
{
	for (int i = 0; i < s->nthreads; i++)
		if (strcmp(s->threads[i].name, name) == 0)
			return i;
	ck_abort_msg("no thread %s", name);
	return -1;
}

/* The index of socket `name` of scenario s; the test fails if there is none. */
static inline int
harness_socket(const Scenario *s, const char *name)
{
	for (int i = 0; i < s->nsockets; i++)
		if (strcmp(s->sockets[i].name, name) == 0)
			return i;
	ck_abort_msg("no socket %s", name);
	return -1;
}

static inline const char *
harness_ename(int err)
{
	return err ? errno_name(err) : "0";
}

/* The run ended normally, with every `=>` and `expect` line held; `prof`
 * starts each message. */
static inline void
harness_assert_clean(World *w, const char *prof)
{
	ExpectReport *rep = g_new0(ExpectReport, 1);
	int failed;

	ck_assert_msg(w->violation == V_NONE, "%s: violation: %s", prof, w->run->stop_msg);
	ck_assert_msg(!w->deadlocked, "%s: %s", prof, w->run->deadlock_msg);
	ck_assert_msg(w->stop == STOP_DONE, "%s: run stopped: %s", prof, w->run->stop_msg);
	ck_assert_msg(w->nfails == 0, "%s: %s", prof, w->run->fail_msg[0]);
	failed = expect_check(w, rep);
	for (int i = 0; i < rep->n && failed; i++)
		ck_assert_msg(rep->items[i].ok, "%s: line %d: %s", prof, rep->items[i].pos.line,
		    rep->items[i].msg);
	ck_assert_int_eq(failed, 0);
	g_free(rep);
}

#endif
