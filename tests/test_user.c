/*
 * test_user.c: a scenario thread's program (sim/scenario/user.c): each
 * operation's results (poll, copy, upcall, the calls done in place, the
 * partial-transfer rule of sendit/recvit), the check of `=> RESULT` and its
 * messages, and where a thread is in its program.  Each scenario is run
 * with a trace and without one: the same results either way.
 *
 * Run alone: meson test -C build 'check user'
 */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "errno_names.h"
#include "expect.h"
#include "sched.h"

typedef struct {
	Scenario *s;
	World *w;
	ExpectReport rep;
	int failed;
	GString *trace;         /* "thread routine: detail" per event */
} Trial;

static void
sink(void *ctx, const World *w, const SimEvent *ev)
{
	Trial *r = ctx;

	(void)w;
	g_string_append_printf(r->trace, "%s %s: %s\n", ev->thread >= 0 ? thread_name(w, ev->thread) :
	    "softnet", ev->routine, ev->detail);
}

static Trial *
prepare(const char *text, bool trace)
{
	Trial *r = g_new0(Trial, 1);
	GError *err = NULL;
	const Profile *p;

	r->s = scenario_parse_string("t.scn", text, &err);
	ck_assert_msg(r->s != NULL, "does not parse:\n%s", err ? err->message : "?");
	p = profile_find(r->s->profile ? r->s->profile : "netbsd-2.0");
	r->w = world_new(r->s, p, (p->quirks | r->s->quirks_on) & ~r->s->quirks_off);
	r->trace = g_string_new(NULL);
	if (trace) {
		r->w->run->sink.fn = sink;
		r->w->run->sink.ctx = r;
	}
	return r;
}

static Trial *
trial(const char *text, bool trace)
{
	Trial *r = prepare(text, trace);

	sched_run(r->w);
	r->failed = expect_check(r->w, &r->rep);
	return r;
}

static void
trial_free(Trial *r)
{
	world_free(r->w);
	scenario_free(r->s);
	g_string_free(r->trace, TRUE);
	g_free(r);
}

/* Every `=> RESULT` of text holds, traced or not, and nothing else failed. */
static void
assert_holds(const char *text)
{
	for (int trace = 0; trace < 2; trace++) {
		Trial *r = trial(text, trace);

		for (int i = 0; i < r->rep.n; i++)
			ck_assert_msg(r->rep.items[i].ok, "%s\n%s", r->rep.items[i].msg, text);
		ck_assert_int_eq(r->failed, 0);
		ck_assert_int_eq(r->w->nfails, 0);
		ck_assert_int_gt(r->w->nchecked, 0);
		if (trace)
			ck_assert_msg(strstr(r->trace->str, "expect: held: expected") != NULL, "%s",
			    r->trace->str);
		else
			ck_assert_uint_eq(r->trace->len, 0);
		trial_free(r);
	}
}

/* ---- poll(2) ---- */

START_TEST(test_poll)
{
	/* readable: asleep until data comes, then at once; writable; a timeout */
	assert_holds("tcp a b\n"
	    "thread w: sleep 1ms ; send a 10 => 10\n"
	    "thread r: poll b readable => 1 ; poll b readable => 1 ; recv b 10 => 10 ;"
	    " poll a writable => 1 ; poll b readable timeout=1ms => 0\n"
	    "expect time >= 2ms\n");
	/* not writable (the buffers are full) until the timeout; a signal;
	 * a closed descriptor */
	assert_holds("tcp a b sndbuf=1K b.rcvbuf=1K a.nonblock\n"
	    "thread w: send a 4K => 1024 ; poll a writable timeout=5ms => 0 ; poll a readable => EINTR ;"
	    " close a => 0 ; poll a readable => EBADF ; copy a b 10 => EBADF\n"
	    "at 50ms signal w\n"
	    "expect time >= 50ms\n");
	/* OpenBSD soreadable: a spliced source is not readable */
	assert_holds("profile openbsd-7.5\n"
	    "tcp a b\ntcp c d\n"
	    "thread s: splice b c => 0 ; sleep 1ms ; poll b readable timeout=2ms => 0 ; unsplice b => 0 ;"
	    " poll b readable timeout=2ms => 0 ; getsplice b => 10\n"
	    "thread w: send a 10 => 10\n"
	    "thread r: recv d 10 => 10\n");
}
END_TEST

/* ---- copy: a userland relay's read(2) and write(2) ---- */

START_TEST(test_copy)
{
	/* what came is written on; end of file; an empty datagram is written
	 * as one; the destination closed after the read */
	assert_holds("tcp a b\ntcp c d\ntcp e f\n"
	    "udp u\nudp v\nudp x connect=v\nudp y connect=u\n"
	    "thread w: send a 10 => 10 ; sleep 5ms ; send a 5 => 5 ; shutdown a wr => 0 ; send e 3 => 3\n"
	    "thread relay: copy b c 100 => 10 ; copy b c 100 => 5 ; copy b c 100 => 0 ; sleep 10ms ;"
	    " copy v y 100 => 0 ; close c => 0 ; copy f c 100 => EBADF ; recv f 10 DONTWAIT => EWOULDBLOCK\n"
	    "thread r: recv d 15 WAITALL => 15 ; recv u 10 => 0\n"
	    "thread z: sleep 1ms ; send x 0 => 0\n"
	    "expect delivered f == 3\n"
	    "expect delivered v == 0\n");
	/* FreeBSD returns the error of an interrupted WAITALL read with the
	 * bytes it moved: the count wins (recvit); a reset is the result */
	assert_holds("profile freebsd-9.1\n"
	    "tcp a b b.rcvbuf=1K\ntcp c d\n"
	    "thread w: send a 10 => 10\n"
	    "thread relay: copy b c 2K WAITALL => 10 ; copy b c 100 => ECONNRESET\n"
	    "thread r: recv d 10 WAITALL => 10\n"
	    "at 5ms signal relay\n"
	    "at 10ms rst b\n");
	/* and a receive timeout's EWOULDBLOCK with bytes moved */
	assert_holds("profile freebsd-9.1\n"
	    "tcp a b b.rcvbuf=1K b.rcvtimeo=5ms\ntcp c d\n"
	    "thread w: send a 10 => 10\n"
	    "thread relay: copy b c 2K WAITALL => 10 ; recv b 2K WAITALL => EWOULDBLOCK\n"
	    "thread r: recv d 10 WAITALL => 10\n");
}
END_TEST

/* ---- the partial-transfer rule, control data, upcalls ---- */

START_TEST(test_calls)
{
	/* control data on TCP: EINVAL (tcp_usrreq PRU_SEND); an interrupted
	 * WAITALL read that moved bytes returns them */
	assert_holds("profile freebsd-9.1\n"
	    "tcp a b b.rcvbuf=1K\n"
	    "thread w: send a 10 control=4 => EINVAL ; send a 10 => 10\n"
	    "thread r: recv b 2K WAITALL => 10\n"
	    "at 5ms signal r\n");
	/* an upcall consumer: registered once (EBUSY after); the upcalls
	 * already run are collected without a sleep; a signal */
	assert_holds("tcp a b\n"
	    "thread writer: sleep 1ms ; send a 100 => 100\n"
	    "thread nfsd: upcall b => 0 ; upcall b => EBUSY ; sleep 10ms ; waitupcall b => 1 ;"
	    " waitupcall b => EINTR\n"
	    "at 20ms signal nfsd\n"
	    "expect stat upcalls == 1\n");
	/* the calls done in place */
	assert_holds("tcp a b\n"
	    "thread w: send a 1 OOB => 1 ; setsockopt a rcvbuf=0 => ENOBUFS ; setsockopt a sndbuf=8K => 0 ;"
	    " getsplice a => ENOPROTOOPT ; soerror a => 0 ; shutdown a wr => 0 ; close a => 0 ; close a => EBADF\n"
	    "thread r: sleep 1ms ; sockatmark b => 1 ; recv b 1 OOB => 1 OOB ; soerror b => 0 ; recv b 1 => 0\n"
	    "expect a.snd.hiwat == 8192\n");
	/* kttcp; shutdown of the receiving side (sorflush under sblock) */
	assert_holds("tcp a b\n"
	    "thread w: kttcp send a 8K => 8192 ; shutdown a wr => 0\n"
	    "thread r: kttcp recv b 8K => 8192 ; shutdown b rd => 0 ; recv b 1 => 0 ; shutdown b rdwr => 0\n");
	/* events from outside: a second FIN changes nothing; an ICMP
	 * unreachable is the next send's error */
	assert_holds("tcp a b\nudp u connect=v\nudp v\n"
	    "thread r: recv b 10 => 0 ; recv b 10 => 0\n"
	    "thread w: sleep 3ms ; send u 1 => ECONNREFUSED ; soerror u => 0\n"
	    "at 1ms fin b\nat 2ms fin b\nat 2ms unreachable u\n"
	    "limit bytes 1M\n");
}
END_TEST

/* ---- results ---- */

START_TEST(test_result_flags)
{
	/* output flags: TRUNC, EOR (UDP records), OOB; `-` for none */
	assert_holds("udp u\nudp v\ntcp a b\n"
	    "thread w: sendto u v 100 => 100 ; send a 1 OOB => 1 ; sendto u v 5 EOR => 5 ; sendto u v 7 => 7\n"
	    "thread r: sleep 10ms ; recv v 10 => 10 TRUNC ; recv b 1 OOB => 1 OOB ; recv v 10 => 5 EOR ;"
	    " recv v 10 => 7 -\n");
}
END_TEST

/* A failed result: the message says what was asked and what came. */
static const struct {
	const char *op;         /* on `udp u connect=v`, `udp v`: v holds a datagram of 10 */
	const char *msg;
	const char *trace;      /* the expect event of a traced run */
} fails[] = {
	{ "recv v 4 => 4 -", "'recv v 4' expected 4 -, got 4 TRUNC", "FAILED: expected 4 -, got 4 TRUNC" },
	{ "recv v 4 => 4 TRUNC|EOR|OOB", "'recv v 4' expected 4 TRUNC EOR OOB, got 4 TRUNC",
	    "FAILED: expected 4 TRUNC EOR OOB, got 4 TRUNC" },
	{ "recv v 40 => 10 EOR", "'recv v 40' expected 10 EOR, got 10", "FAILED: expected 10 EOR, got 10" },
	{ "recv v 40 => >= 20", "'recv v 40' expected >= 20, got 10", "FAILED: expected >= 20, got 10" },
	{ "recv v 40 => EPIPE|ECONNRESET|EINTR", "'recv v 40' expected EPIPE|ECONNRESET|EINTR, got 10",
	    "FAILED: expected EPIPE|ECONNRESET|EINTR, got 10" },
	{ "recv v 40 => EINTR", "'recv v 40' expected EINTR, got 10", "FAILED: expected EINTR, got 10" },
	{ "send v 1 => 1", "'send v 1' expected 1, got EDESTADDRREQ", "FAILED: expected 1, got EDESTADDRREQ" },
	{ "recv v 40\t=> 0", "'recv v 40' expected 0, got 10", "FAILED: expected 0, got 10" },
};

START_TEST(test_result_fails)
{
	char *text = g_strdup_printf("udp u connect=v\nudp v\nthread t: send u 10 => 10 ; %s\n", fails[_i].op);

	for (int trace = 0; trace < 2; trace++) {
		Trial *r = trial(text, trace);
		char *msg = g_strdup_printf("thread t: %s", fails[_i].msg);

		ck_assert_int_eq(r->w->nfails, 1);
		ck_assert_int_eq(r->failed, 1);
		ck_assert_str_eq(r->w->run->fail_msg[0], msg);
		ck_assert_str_eq(r->rep.items[0].msg, msg);
		ck_assert_int_eq(r->rep.items[0].pos.line, 3);
		ck_assert(!r->rep.items[0].ok);
		if (trace) {
			char *ev = g_strdup_printf("t expect: %s\n", fails[_i].trace);

			ck_assert_msg(strstr(r->trace->str, ev) != NULL, "no '%s' in\n%s", ev, r->trace->str);
			ck_assert(strstr(r->trace->str, "t expect: held: expected 10, got 10\n") != NULL);
			g_free(ev);
		}
		g_free(msg);
		trial_free(r);
	}
	g_free(text);
}
END_TEST

/* The trace shows each call as written, without its result, and what it
 * returned with the output flags. */
START_TEST(test_trace_text)
{
	Trial *r = trial("udp u connect=v\nudp v\n"
	    "thread t:\n\tsend u 10 EOR\t=> 10\n\trecv v 40 => 10 EOR\n\tsleep 1ms\n\tsend u 10\n"
	    "\trecv v 4 => 4 TRUNC\n", true);

	ck_assert_int_eq(r->failed, 0);
	ck_assert(strstr(r->trace->str, "t syscall: send u 10 EOR\n") != NULL);
	ck_assert(strstr(r->trace->str, "t return: send u 10 EOR => 10\n") != NULL);
	ck_assert(strstr(r->trace->str, "t return: recv v 40 => 10 EOR\n") != NULL);
	ck_assert(strstr(r->trace->str, "t expect: held: expected 10 EOR, got 10 EOR\n") != NULL);
	ck_assert(strstr(r->trace->str, "t return: recv v 4 => 4 TRUNC\n") != NULL);
	ck_assert(strstr(r->trace->str, "t syscall: sleep 1ms\n") != NULL);
	ck_assert(strstr(r->trace->str, "t return: send u 10 => 10\n") != NULL);
	trial_free(r);
}
END_TEST

/* More failed results than the world keeps: all counted. */
START_TEST(test_many_fails)
{
	Trial *r = trial("tcp a b\nthread w: repeat 40 send a 1 => 0\n", false);

	ck_assert_int_eq(r->w->nfails, 40);
	ck_assert_int_eq(r->failed, 40);
	ck_assert_str_eq(r->w->run->fail_msg[15], "thread w: 'send a 1' expected 0, got 1");
	trial_free(r);
}
END_TEST

/* ---- where a thread is ---- */

START_TEST(test_op_position)
{
	Trial *r = prepare("profile openbsd-7.6\ntcp a b\n"
	    "thread w:\n\tsend a 10 => 10\n\tsleep 1ms\nthread r: recv b 10 => 10\n", false);
	World *w = r->w;
	int kthread = r->s->nthreads;

	/* before the first step: at the first operation, not started */
	ck_assert_int_eq(scenario_op_line(r->s, w, 0), 4);
	ck_assert_int_eq(scenario_op_line(r->s, w, 1), 6);
	ck_assert(!scenario_op_started(w, 0));
	/* no such thread; a kernel thread has no operations */
	ck_assert_int_gt(w->nthreads, kthread);
	ck_assert_int_eq(scenario_op_line(r->s, w, -1), 0);
	ck_assert_int_eq(scenario_op_line(r->s, w, w->nthreads), 0);
	ck_assert_int_eq(scenario_op_line(r->s, w, kthread), 0);
	ck_assert(!scenario_op_started(w, -1));
	ck_assert(!scenario_op_started(w, w->nthreads));
	ck_assert(!scenario_op_started(w, kthread));
	/* in its first call */
	ck_assert(sched_step_with(w, 0));
	ck_assert(scenario_op_started(w, 0));
	ck_assert_int_eq(scenario_op_line(r->s, w, 0), 4);
	/* past the last operation, and done */
	while (w->threads[0].pc < 2)
		ck_assert(sched_step(w));
	ck_assert_int_eq(scenario_op_line(r->s, w, 0), 0);
	sched_run(w);
	ck_assert_int_eq(w->threads[0].state, TS_DONE);
	ck_assert_int_eq(scenario_op_line(r->s, w, 0), 0);
	ck_assert(!scenario_op_started(w, 0));
	ck_assert_int_eq(expect_check(w, &r->rep), 0);
	trial_free(r);
}
END_TEST

static Suite *
user_suite(void)
{
	Suite *s = suite_create("user");
	TCase *tc = tcase_create("programs");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_poll);
	tcase_add_test(tc, test_copy);
	tcase_add_test(tc, test_calls);
	tcase_add_test(tc, test_result_flags);
	tcase_add_loop_test(tc, test_result_fails, 0, G_N_ELEMENTS(fails));
	tcase_add_test(tc, test_trace_text);
	tcase_add_test(tc, test_many_fails);
	tcase_add_test(tc, test_op_position);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(user_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
