/*
 * test_sched.c: the scheduler (sim/sched.c), against docs/scheduling.md:
 * the default policy and its determinism, `schedule` lines, --seed
 * (world_set_seed), deadlock and livelock reports, virtual time, sleep
 * timeouts, signals, and the step and time limits.
 *
 *
 * Build by hand (SIM is every sim/ source file):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -Wno-format-truncation -g \
 *       -fsanitize=address,undefined -Isim tests/test_sched.c $SIM \
 *       $(pkg-config --cflags --libs glib-2.0 check) -o /tmp/test_sched
 */
#include <check.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errno_names.h"
#include "expect.h"
#include "harness.h"
#include "kern.h"
#include "machine.h"
#include "run.h"
#include "sched.h"

#define US	1000LL
#define MS	1000000LL
#define SEC	1000000000LL

#define MAXPICKS	4096

/* ---- running a scenario and recording the run ---- */

typedef struct {
	int thread;
	int op;
	int64_t rv;
	int err;
	int oflags;
	int64_t time;
} Ret;

typedef struct {
	int who;                /* thread, or SCHED_SOFTNET */
	int64_t time;
} Pick;

typedef struct {
	Scenario *s;
	World *w;
	Ret rets[256];
	int nrets;
	Pick picks[MAXPICKS];
	int npicks;
	uint64_t hash;          /* of every event, in order */
	int nslps;
	char slp_wmesg[64][16]; /* wmesg of each sleep */
	int slp_thread[64];
} Rec;

static Rec *R;

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h;
}

static void
sink(void *ctx, const World *w, const SimEvent *ev)
{
	Rec *r = ctx;

	r->hash = fnv(r->hash, &ev->kind, sizeof ev->kind);
	r->hash = fnv(r->hash, &ev->step, sizeof ev->step);
	r->hash = fnv(r->hash, &ev->time, sizeof ev->time);
	r->hash = fnv(r->hash, &ev->thread, sizeof ev->thread);
	r->hash = fnv(r->hash, &ev->v[0], sizeof ev->v[0]);
	r->hash = fnv(r->hash, &ev->v[1], sizeof ev->v[1]);
	r->hash = fnv(r->hash, &ev->v[2], sizeof ev->v[2]);
	r->hash = fnv(r->hash, ev->detail, strlen(ev->detail));
	switch (ev->kind) {
	case EVK_STEP:
		if (r->npicks < MAXPICKS)
			r->picks[r->npicks++] = (Pick){ (int)ev->v[0], ev->time };
		break;
	case EVK_RETURN:
		if (r->nrets < (int)G_N_ELEMENTS(r->rets) && ev->thread >= 0) {
			Ret *x = &r->rets[r->nrets++];

			x->thread = ev->thread;
			x->op = w->threads[ev->thread].pc;
			x->rv = ev->v[0];
			x->err = (int)ev->v[1];
			x->oflags = (int)ev->v[2];
			x->time = w->now;
		}
		break;
	case EVK_SLEEP:
		if (r->nslps < 64 && ev->thread >= 0) {
			g_strlcpy(r->slp_wmesg[r->nslps], ev->routine, sizeof r->slp_wmesg[0]);
			r->slp_thread[r->nslps++] = ev->thread;
		}
		break;
	default:
		break;
	}
}

/* Make the world for text (profile netbsd-2.0 unless the text says), with
 * the recording sink when trace is true; seed >= 0: world_set_seed. */
static Rec *
prepare(const char *text, int64_t seed, bool trace)
{
	GError *err = NULL;
	const Profile *p;
	Rec *r = g_new0(Rec, 1);

	r->hash = 1469598103934665603ull;
	r->s = scenario_parse_string("t.scn", text, &err);
	ck_assert_msg(r->s != NULL, "scenario does not parse:\n%s", err ? err->message : "?");
	p = profile_find(r->s->profile ? r->s->profile : "netbsd-2.0");
	ck_assert_ptr_nonnull(p);
	r->w = world_new(r->s, p, (p->quirks | r->s->quirks_on) & ~r->s->quirks_off);
	if (trace) {
		r->w->run->sink.fn = sink;
		r->w->run->sink.ctx = r;
	}
	if (seed >= 0)
		world_set_seed(r->w, (uint64_t)seed);
	return r;
}

static void
rec_free(Rec *r)
{
	if (r == NULL)
		return;
	world_free(r->w);
	scenario_free(r->s);
	g_free(r);
}

static Rec *
run_seed(const char *text, int64_t seed)
{
	Rec *r = prepare(text, seed, true);

	sched_run(r->w);
	return r;
}

static Rec *
run(const char *text)
{
	R = run_seed(text, -1);
	return R;
}

static void
teardown(void)
{
	rec_free(R);
	R = NULL;
}

static int
tid_of(const Rec *r, const char *name)
{
	return harness_thread(r->s, name);
}

static const Ret *
ret_of(const Rec *r, const char *thread, int op)
{
	int tid = tid_of(r, thread);

	for (int i = 0; i < r->nrets; i++)
		if (r->rets[i].thread == tid && r->rets[i].op == op)
			return &r->rets[i];
	ck_abort_msg("thread %s: op %d never returned (%s)", thread, op, r->w->run->stop_msg);
	return NULL;
}

static void
assert_clean(const Rec *r)
{
	harness_assert_clean(r->w, r->s->path);
}

static bool
has(const char *haystack, const char *needle)
{
	return strstr(haystack, needle) != NULL;
}

/* Two runs ended in the same state, as far as a program can tell. */
static void
assert_same_run(const Rec *a, const Rec *b, bool traces)
{
	ck_assert_uint_eq(a->w->step, b->w->step);
	ck_assert_int_eq(a->w->now, b->w->now);
	ck_assert_int_eq(a->w->stop, b->w->stop);
	ck_assert(memcmp(&a->w->stats, &b->w->stats, sizeof a->w->stats) == 0);
	for (int i = 0; i < a->w->nthreads; i++) {
		const Thread *x = &a->w->threads[i], *y = &b->w->threads[i];

		ck_assert_int_eq(x->state, y->state);
		ck_assert_int_eq(x->pc, y->pc);
		ck_assert_int_eq(x->rv, y->rv);
		ck_assert_int_eq(x->err, y->err);
		ck_assert_int_eq(x->oflags, y->oflags);
	}
	for (int i = 0; i < a->w->nsocks; i++) {
		ck_assert_uint_eq(a->w->socks[i].delivered, b->w->socks[i].delivered);
		ck_assert_int_eq(a->w->socks[i].rcv.cc, b->w->socks[i].rcv.cc);
		ck_assert_int_eq(a->w->socks[i].snd.cc, b->w->socks[i].snd.cc);
	}
	if (!traces)
		return;
	ck_assert_int_eq(a->nrets, b->nrets);
	ck_assert(memcmp(a->rets, b->rets, (size_t)a->nrets * sizeof a->rets[0]) == 0);
	ck_assert_int_eq(a->npicks, b->npicks);
	ck_assert(memcmp(a->picks, b->picks, (size_t)a->npicks * sizeof a->picks[0]) == 0);
	ck_assert_uint_eq(a->hash, b->hash);
}

/* A writer and two readers that share its 6000 bytes under SB_LOCK: the
 * first waits in the inner MSG_WAITALL loop holding the lock, the second
 * sleeps on it; every interleaving delivers 3000 bytes to each. */
static const char two_readers[] =
    "tcp a b  b.rcvbuf=2048\n"
    "thread writer:\n"
    "\tsend a 6000 => 6000\n"
    "thread first:\n"
    "\trecv b 3000 WAITALL => 3000\n"
    "thread second:\n"
    "\trecv b 3000 WAITALL => 3000\n"
    "expect delivered b == 6000\n"
    "expect violation none\n";

/* ---- the default policy ---- */

/* Two runs of the default policy: the same steps, the same picks, the same
 * results, the same trace event for event.  Tracing changes nothing. */
START_TEST(test_default_deterministic)
{
	Rec *a = run_seed(two_readers, -1), *b = run_seed(two_readers, -1);
	Rec *q = prepare(two_readers, -1, false);

	assert_clean(a);
	assert_clean(b);
	ck_assert_int_gt(a->w->step, 20);
	ck_assert_int_eq(a->npicks, (int)a->w->step);
	assert_same_run(a, b, true);
	sched_run(q->w);
	assert_same_run(a, q, false);
	ck_assert_uint_eq(a->w->socks[1].delivered, 6000);
	rec_free(a);
	rec_free(b);
	rec_free(q);
}
END_TEST

/*
 * Each pick of the default policy, checked against docs/scheduling.md:
 * softnet first when kernel work is due; else the thread that ran last if
 * it is still runnable; else the next runnable thread after it, in
 * declaration order.  The run steps through sched_step so the candidates
 * can be looked at before each pick.
 */
START_TEST(test_default_policy)
{
	static const char *const texts[] = {
		two_readers,
		"udp u 10.0.0.1:53\n"
		"at 0ms datagram u from 10.0.0.2:4000 len 300\n"
		"at 0ms datagram u from 10.0.0.3:4001 len 80\n"
		"at 1ms datagram u from 10.0.0.4:4002 len 20\n"
		"thread r1:\n"
		"\trecv u 1000 => 300\n"
		"\trecv u 1000 => 80\n"
		"thread r2:\n"
		"\trecv u 1000 => 20\n"
		"thread idle:\n"
		"\tsleep 500us\n",
	};

	for (size_t k = 0; k < G_N_ELEMENTS(texts); k++) {
		Rec *r = prepare(texts[k], -1, true);
		World *w = r->w;
		int checked = 0;

		for (;;) {
			int cand[SCN_MAX_THREADS + 3], n, want = -3, last = w->last_thread;
			int before = r->npicks;
			bool more;

			n = sched_candidates(w, cand);
			if (n > 0) {
				if (cand[0] == SCHED_SOFTNET)
					want = SCHED_SOFTNET;
				else if (last >= 0 && w->threads[last].state == TS_RUN)
					want = last;
				else
					for (int j = 1; j <= w->nthreads && want == -3; j++) {
						int i = last < 0 ? j - 1 : (last + j) % w->nthreads;

						if (w->threads[i].state == TS_RUN)
							want = i;
					}
			}
			more = sched_step(w);
			if (r->npicks > before && n > 0) {
				ck_assert_msg(r->picks[before].who == want,
				    "text %zu step %d: picked %d, the policy says %d", k, before + 1,
				    r->picks[before].who, want);
				checked++;
			}
			if (!more)
				break;
		}
		if (w->stop == STOP_DONE || w->stop == STOP_DEADLOCK)
			invariants_check_end(w);
		assert_clean(r);
		ck_assert_int_gt(checked, 10);
		rec_free(r);
	}
}
END_TEST

/* The default pick among given candidates: softnet when it is one; else
 * the thread that ran last if it can run; else the next one after it in
 * declaration order, from the first again past the last. */
START_TEST(test_default_pick)
{
	Rec *r = prepare("thread a:\n\tsleep 1ms\nthread b:\n\tsleep 1ms\nthread c:\n\tsleep 1ms\n", -1, false);
	World *w = r->w;
	static const int ab[] = { 0, 1 }, bc[] = { 1, 2 }, ac[] = { 0, 2 }, sab[] = { SCHED_SOFTNET, 0, 1 };

	R = r;
	ck_assert_int_eq(sched_default(w, ab, 2), 0);          /* nobody ran yet */
	ck_assert_int_eq(sched_default(w, bc, 2), 1);
	w->last_thread = 1;
	ck_assert_int_eq(sched_default(w, ab, 2), 1);          /* b ran last and can run */
	ck_assert_int_eq(sched_default(w, sab, 3), SCHED_SOFTNET);
	w->threads[1].state = TS_SLEEP;
	ck_assert_int_eq(sched_default(w, ac, 2), 2);          /* after b: c */
	w->last_thread = 2;
	w->threads[2].state = TS_SLEEP;
	w->threads[1].state = TS_RUN;
	ck_assert_int_eq(sched_default(w, ab, 2), 0);          /* after c: a, the first */
	w->last_thread = 0;
	w->threads[0].state = TS_DONE;
	ck_assert_int_eq(sched_default(w, bc, 2), 1);
}
END_TEST

/* With kernel work due, softnet is a candidate (listed first), and
 * sched_step_with can still run a thread instead. */
START_TEST(test_candidates)
{
	Rec *r = prepare(
	    "udp u 10.0.0.1:53\n"
	    "at 0ms datagram u from 10.0.0.2:4000 len 300\n"
	    "thread r1:\n"
	    "\trecv u 1000 DONTWAIT => EWOULDBLOCK\n"
	    "\trecv u 1000 => 300\n", -1, true);
	int cand[SCN_MAX_THREADS + 3], n;

	R = r;
	n = sched_candidates(r->w, cand);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(cand[0], SCHED_SOFTNET);
	ck_assert_int_eq(cand[1], 0);
	/* the thread runs first: its DONTWAIT read finds nothing */
	while (r->w->threads[0].pc == 0)
		ck_assert(sched_step_with(r->w, 0));
	ck_assert_int_eq(r->w->threads[0].err, K_EWOULDBLOCK);
	ck_assert_int_eq(r->w->socks[0].rcv.cc, 0);
	sched_run(r->w);
	assert_clean(r);
	ck_assert_int_eq(ret_of(r, "r1", 1)->rv, 300);
}
END_TEST

/* ---- schedule lines ---- */

/*
 * Two UDP readers race for one SB_LOCK.  Default: softnet queues both
 * datagrams, r1 (first declared) reads the first one.  With `schedule
 * softnet softnet r2 r1`: r2 takes SB_LOCK first, r1 finds it held and
 * sleeps on u.so_rcv.sb_flags ("netlck"); then the default policy lets r2
 * finish (the first datagram, from 10.0.0.2) and r1 gets the second.
 */
START_TEST(test_schedule_udp_race)
{
	/* a preemptive kernel: NetBSD would not let r1 run while r2 is in
	 * soreceive (it runs another thread only when one sleeps) */
	static const char base[] =
	    "profile openbsd-7.5\n"
	    "udp u 10.0.0.1:53\n"
	    "at 0ms datagram u from 10.0.0.2:4000 len 300\n"
	    "at 0ms datagram u from 10.0.0.3:4001 len 80\n"
	    "thread r1:\n"
	    "\trecv u 1000\n"
	    "thread r2:\n"
	    "\trecv u 1000\n";
	char *text;
	Rec *r;
	int netlck = 0;

	r = run(base);
	assert_clean(r);
	ck_assert_int_eq(ret_of(r, "r1", 0)->rv, 300);
	ck_assert_int_eq(ret_of(r, "r2", 0)->rv, 80);
	teardown();

	text = g_strconcat(base, "schedule softnet softnet r2 r1\n", NULL);
	r = run(text);
	g_free(text);
	assert_clean(r);
	ck_assert_int_eq(r->picks[0].who, SCHED_SOFTNET);
	ck_assert_int_eq(r->picks[1].who, SCHED_SOFTNET);
	ck_assert_int_eq(r->picks[2].who, tid_of(r, "r2"));
	ck_assert_int_eq(r->picks[3].who, tid_of(r, "r1"));
	ck_assert_int_eq(ret_of(r, "r2", 0)->rv, 300);
	ck_assert_int_eq(ret_of(r, "r1", 0)->rv, 80);
	ck_assert_uint_eq(r->w->threads[tid_of(r, "r2")].rx_ip, 0x0a000002);
	ck_assert_uint_eq(r->w->threads[tid_of(r, "r1")].rx_ip, 0x0a000003);
	for (int i = 0; i < r->nslps; i++)
		if (r->slp_thread[i] == tid_of(r, "r1") && strcmp(r->slp_wmesg[i], "netlck") == 0)
			netlck++;
	ck_assert_int_eq(netlck, 1);
}
END_TEST

/*
 * Two TCP readers wake at 1 ms with 1000 bytes waiting.  The default
 * policy gives r1 the first 600 (after the writer, the next thread in
 * declaration order is r1) and r2 the other 400.  A schedule that repeats
 * the default picks up to that point and then names r2 makes r2 take
 * SB_LOCK first: r2 gets bytes 0-599 (the payload check proves the
 * offsets), r1 bytes 600-999.
 */
START_TEST(test_schedule_tcp_race)
{
	static const char base[] =
	    "tcp a b\n"
	    "thread r1:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 600\n"
	    "thread r2:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 600\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "expect delivered b == 1000\n";
	GString *text;
	Rec *r;
	int k;

	r = run(base);
	assert_clean(r);
	ck_assert_int_eq(ret_of(r, "r1", 1)->rv, 600);
	ck_assert_int_eq(ret_of(r, "r2", 1)->rv, 400);
	/* the first thread picked at 1 ms, both readers runnable */
	for (k = 0; k < r->npicks; k++)
		if (r->picks[k].time >= 1 * MS && r->picks[k].who != SCHED_SOFTNET)
			break;
	ck_assert_int_lt(k, r->npicks);
	ck_assert_int_eq(r->picks[k].who, tid_of(r, "r1"));
	text = g_string_new(base);
	g_string_append(text, "schedule");
	for (int i = 0; i < k; i++)
		g_string_append_printf(text, " %s", r->picks[i].who == SCHED_SOFTNET ? "softnet" :
		    r->s->threads[r->picks[i].who].name);
	g_string_append(text, " r2\n");
	teardown();

	r = run(text->str);
	g_string_free(text, TRUE);
	assert_clean(r);
	ck_assert_int_eq(r->picks[k].who, tid_of(r, "r2"));
	ck_assert_int_eq(ret_of(r, "r2", 1)->rv, 600);
	ck_assert_int_eq(ret_of(r, "r1", 1)->rv, 400);
	ck_assert(ret_of(r, "r2", 1)->time == 1 * MS && ret_of(r, "r1", 1)->time == 1 * MS);
}
END_TEST

/* A schedule entry that cannot run stops the run (STOP_LIMIT) with a
 * message naming the entry: a sleeping thread, softnet with nothing due, a
 * finished thread. */
START_TEST(test_schedule_cannot_run)
{
	ExpectReport *rep;
	Rec *r;

	r = run("tcp a b\n"
	    "thread r1:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 10\n"
	    "thread r2:\n"
	    "\tsleep 1ms\n"
	    "schedule r1 r1\n");
	ck_assert_int_eq(r->w->stop, STOP_LIMIT);
	ck_assert_uint_eq(r->w->step, 1);
	ck_assert_msg(has(r->w->run->stop_msg, "cannot run"), "%s", r->w->run->stop_msg);
	ck_assert_msg(has(r->w->run->stop_msg, "asks for r1 at entry 2"), "%s", r->w->run->stop_msg);
	ck_assert_msg(has(r->w->run->stop_msg, "t.scn:7:1"), "%s", r->w->run->stop_msg);
	ck_assert(!r->w->deadlocked);
	rep = g_new0(ExpectReport, 1);
	ck_assert_int_eq(expect_check(r->w, rep), 1);
	ck_assert(has(rep->items[0].msg, "the run was stopped"));
	g_free(rep);
	teardown();

	r = run("tcp a b\n"
	    "thread r1:\n"
	    "\tsleep 1ms\n"
	    "schedule softnet\n");
	ck_assert_int_eq(r->w->stop, STOP_LIMIT);
	ck_assert_uint_eq(r->w->step, 0);
	ck_assert_msg(has(r->w->run->stop_msg, "softnet (no kernel work is due)"), "%s", r->w->run->stop_msg);
	ck_assert_msg(has(r->w->run->stop_msg, "cannot run"), "%s", r->w->run->stop_msg);
	teardown();

	/* r1 runs its one op and its exit, then is done */
	r = run("tcp a b\n"
	    "thread r1:\n"
	    "\tsetsockopt b rcvlowat=10 => 0\n"
	    "thread r2:\n"
	    "\tsleep 1ms\n"
	    "schedule r1 r1 r1 r1 r1 r1 r1 r1\n");
	ck_assert_int_eq(r->w->stop, STOP_LIMIT);
	ck_assert_int_eq(r->w->threads[0].state, TS_DONE);
	ck_assert_msg(has(r->w->run->stop_msg, "asks for r1"), "%s", r->w->run->stop_msg);
	ck_assert_msg(has(r->w->run->stop_msg, "cannot run"), "%s", r->w->run->stop_msg);
	ck_assert_int_eq(r->w->socks[1].rcv.lowat, 10);
}
END_TEST

/* ---- seeds ---- */

/* The same seed gives the same run, event for event; seeds 1..50 give
 * runs that all end cleanly with the same bytes delivered, and not all
 * the same interleaving. */
START_TEST(test_seeds)
{
	uint64_t hashes[51];
	Rec *a, *b;
	int distinct = 0, other = 0;

	a = run_seed(two_readers, 7);
	b = run_seed(two_readers, 7);
	ck_assert(a->w->random_sched);
	assert_clean(a);
	assert_same_run(a, b, true);
	rec_free(a);
	rec_free(b);

	for (int seed = 1; seed <= 50; seed++) {
		Rec *r = run_seed(two_readers, seed);

		ck_assert_msg(r->w->violation == V_NONE, "seed %d: %s", seed, r->w->run->stop_msg);
		ck_assert_msg(r->w->stop == STOP_DONE, "seed %d: %s", seed, r->w->run->stop_msg);
		ck_assert_msg(r->w->nfails == 0, "seed %d: %s", seed, r->w->run->fail_msg[0]);
		ck_assert_uint_eq(r->w->socks[1].delivered, 6000);
		ck_assert_int_eq(ret_of(r, "first", 0)->rv, 3000);
		ck_assert_int_eq(ret_of(r, "second", 0)->rv, 3000);
		ck_assert_int_eq(r->w->socks[1].rcv.cc, 0);
		hashes[seed] = r->hash;
		rec_free(r);
	}
	for (int i = 1; i <= 50; i++) {
		bool seen = false;

		for (int j = 1; j < i; j++)
			seen |= hashes[j] == hashes[i];
		distinct += !seen;
	}
	ck_assert_msg(distinct > 1, "50 seeds, one interleaving");
	/* and the seeded runs are not all the default one */
	a = run_seed(two_readers, -1);
	for (int i = 1; i <= 50; i++)
		other += hashes[i] != a->hash;
	rec_free(a);
	ck_assert_msg(other > 0, "every seed gave the default interleaving");
}
END_TEST

/* ---- deadlocks ---- */

START_TEST(test_deadlock_msg)
{
	ExpectReport *rep;
	Rec *r;

	/* a reader nobody writes to */
	r = run("tcp a b\n"
	    "thread reader:\n"
	    "\trecv b 100\n");
	ck_assert(r->w->deadlocked);
	ck_assert_int_eq(r->w->stop, STOP_DEADLOCK);
	ck_assert_int_eq(r->w->now, 0);
	ck_assert_msg(has(r->w->run->deadlock_msg, "thread reader sleeps on b.so_rcv.sb_cc (\"netio\")"),
	    "%s", r->w->run->deadlock_msg);
	ck_assert_msg(has(r->w->run->deadlock_msg, "nothing else can happen"), "%s", r->w->run->deadlock_msg);
	ck_assert_str_eq(violation_names[r->w->violation], "none");
	rep = g_new0(ExpectReport, 1);
	ck_assert_int_eq(expect_check(r->w, rep), 1);
	ck_assert(has(rep->items[0].msg, "unexpected deadlock"));
	g_free(rep);
	teardown();

	/* `expect deadlock` accepts it */
	r = run("tcp a b\n"
	    "thread reader:\n"
	    "\trecv b 100\n"
	    "expect deadlock\n");
	rep = g_new0(ExpectReport, 1);
	ck_assert_int_eq(expect_check(r->w, rep), 0);
	g_free(rep);
	teardown();

	/* the lock holder in the inner MSG_WAITALL loop and a reader on SB_LOCK */
	r = run("tcp a b  b.rcvbuf=2048\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "thread first:\n"
	    "\trecv b 3000 WAITALL\n"
	    "thread second:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 100\n");
	ck_assert(r->w->deadlocked);
	/* after b's delayed ACK of the 1000 bytes (they arrived at 10 us) */
	ck_assert_int_eq(r->w->now, 200 * MS + 20 * US);
	ck_assert_msg(has(r->w->run->deadlock_msg, "thread first sleeps on b.so_rcv.sb_cc (\"netio\")"),
	    "%s", r->w->run->deadlock_msg);
	ck_assert_msg(has(r->w->run->deadlock_msg,
	    "thread second sleeps on b.so_rcv.sb_flags (\"netlck\")"), "%s", r->w->run->deadlock_msg);
	ck_assert(!has(r->w->run->deadlock_msg, "writer"));
	teardown();

	/* a writer facing a zero window nobody opens: persist probes bounce
	 * off the full buffer and change nothing */
	r = run("tcp a b  b.rcvbuf=4096\n"
	    "thread writer:\n"
	    "\tsend a 40000\n");
	ck_assert(r->w->deadlocked);
	ck_assert_msg(has(r->w->run->deadlock_msg, "thread writer sleeps on a.so_snd.sb_cc (\"netio\")"),
	    "%s", r->w->run->deadlock_msg);
	ck_assert_msg(has(r->w->run->deadlock_msg, "only timers that change nothing are left"), "%s",
	    r->w->run->deadlock_msg);
	ck_assert_int_ge(r->w->now, 5 * SEC);
	ck_assert_int_gt(r->w->stats.persist_timeouts, 0);
}
END_TEST

/*
 * The livelock verdict ("only timers that change nothing are left") must
 * not be given while a timer that will wake a thread, or a scenario event,
 * is still pending.  Here a's persist probes bounce off b's full buffer
 * every 5 s and change nothing, but at 20 s a thread wakes (its `sleep`, a
 * SO_RCVTIMEO timeout, a signal event) and the run goes on.  (When only
 * the number of pending work items was hashed, the states at 5 s and 10 s
 * matched and the run was declared deadlocked at 10.000050 s.)
 */
START_TEST(test_livelock_pending_wakeup)
{
	Rec *r;

	/* a pause timer */
	r = run("tcp a b  b.rcvbuf=4096\n"
	    "thread writer:\n"
	    "\tsend a 40000 => 40000\n"
	    "thread reader:\n"
	    "\tsleep 20s\n"
	    "\trecv b 40000 WAITALL => 40000\n");
	ck_assert_msg(!r->w->deadlocked, "%s", r->w->run->deadlock_msg);
	assert_clean(r);
	ck_assert_int_ge(r->w->now, 20 * SEC);
	teardown();

	/* an SO_RCVTIMEO timeout on another connection */
	r = run("tcp a b  b.rcvbuf=4096\n"
	    "tcp c d  d.rcvtimeo=20s\n"
	    "thread writer:\n"
	    "\tsend a 40000 => 40000\n"
	    "thread reader:\n"
	    "\trecv d 10 => EWOULDBLOCK\n"
	    "\trecv b 40000 WAITALL => 40000\n");
	ck_assert_msg(!r->w->deadlocked, "%s", r->w->run->deadlock_msg);
	assert_clean(r);
	ck_assert_int_eq(ret_of(r, "reader", 0)->time, 20 * SEC);
	teardown();

	/* a scenario event: the signal ends the writer's sbwait at 20 s */
	r = run("tcp a b  b.rcvbuf=4096\n"
	    "at 20s signal writer\n"
	    "thread writer:\n"
	    "\tsend a 40000\n");
	ck_assert_msg(!r->w->deadlocked, "%s", r->w->run->deadlock_msg);
	ck_assert_int_eq(r->w->threads[0].state, TS_DONE);
	ck_assert_int_ge(r->w->now, 20 * SEC);
}
END_TEST

/* A signal that arrives while the thread is inside a system call but not
 * in an interruptible sleep stays pending: the next tsleep with PCATCH
 * returns EINTR at once.  The schedule runs r into soreceive (SB_LOCK
 * taken) before softnet delivers the signal. */
START_TEST(test_signal_pending_in_kernel)
{
	Rec *r = run("tcp a b\n"
	    "at 0ms signal r\n"
	    "at 1ms fin b\n"
	    "thread r:\n"
	    "\trecv b 100 => EINTR\n"
	    "\trecv b 100 => 0\n"
	    "schedule r softnet\n");

	assert_clean(r);
	ck_assert_int_eq(ret_of(r, "r", 0)->time, 0);
	ck_assert_int_eq(ret_of(r, "r", 1)->time, 1 * MS + 10 * US);
}
END_TEST

/*
 * A signal that arrives while the thread is in user mode (between system
 * calls: here before its first one, softnet runs first at t=0) is taken on
 * the way back to user mode (userret/postsig); it is not left pending for
 * the next system call.  The recv then sleeps normally until the FIN.
 * sched.c signal_thread marks every thread that is not in an interruptible
 * sleep sig_pending, so the recv returns EINTR at t=0.
 */
START_TEST(test_signal_user_mode)
{
	Rec *r = run("tcp a b\n"
	    "at 0ms signal r\n"
	    "at 1ms fin b\n"
	    "thread r:\n"
	    "\trecv b 100 => 0\n");

	assert_clean(r);
	ck_assert_int_eq(ret_of(r, "r", 0)->time, 1 * MS + 10 * US);
}
END_TEST

/* ---- virtual time ---- */

/* A thread that only sleeps: the clock jumps to its timeout in one go. */
START_TEST(test_time_sleep)
{
	Rec *r = run("thread t:\n"
	    "\tsleep 5ms\n");

	assert_clean(r);
	ck_assert_int_eq(r->w->now, 5 * MS);
	ck_assert_uint_le(r->w->step, 4);
	teardown();

	r = run("thread t:\n"
	    "\tsleep 1500us\n"
	    "\tsleep 2s\n");
	assert_clean(r);
	ck_assert_int_eq(r->w->now, 2 * SEC + 1500 * US);
	ck_assert_uint_le(r->w->step, 8);
	ck_assert_int_eq(ret_of(r, "t", 0)->time, 1500 * US);
}
END_TEST

/* The clock never moves while someone can run: step by step, whenever
 * there were candidates before a step, the step leaves w->now alone.  The
 * run ends at the last timer: b's delayed ACK of the last segment, 200 ms
 * after it arrived at 60 us. */
START_TEST(test_time_only_when_idle)
{
	Rec *r = prepare("tcp a b\n"
	    "thread sleeper:\n"
	    "\tsleep 5ms\n"
	    "thread writer:\n"
	    "\tsend a 20000 => 20000\n"
	    "thread reader:\n"
	    "\trecv b 20000 WAITALL => 20000\n", -1, true);
	World *w = r->w;
	int moved = 0, busy = 0;

	R = r;
	for (;;) {
		int cand[SCN_MAX_THREADS + 3];
		int n = sched_candidates(w, cand);
		int64_t t0 = w->now;
		bool more = sched_step(w);

		if (n > 0) {
			busy++;
			ck_assert_msg(w->now == t0, "step %llu: time moved with %d candidates",
			    (unsigned long long)w->step, n);
		} else if (w->now != t0)
			moved++;
		if (!more)
			break;
	}
	invariants_check_end(w);
	assert_clean(r);
	ck_assert_int_gt(busy, 20);
	ck_assert_int_gt(moved, 1);
	ck_assert_int_eq(w->now, 200 * MS + 60 * US);
}
END_TEST

/*
 * sb_timeo timeouts, and a timer that outlived its sleep.  The reader's
 * first sbwait (deadline 5 ms) ends at 1.01 ms with data; its second sleep
 * starts then (deadline 6.01 ms) and must not be cut short by the stale
 * 5 ms timer: the data of 5.51 ms wakes it.  The third sleep times out at
 * 10.51 ms exactly.
 */
START_TEST(test_sleep_timeouts)
{
	/* full segments (mss=100): the second send need not wait for the ACK
	 * of the first, which b delays (the Nagle rule) */
	Rec *r = run("tcp a b  b.rcvtimeo=5ms mss=100\n"
	    "thread writer:\n"
	    "\tsleep 1ms\n"
	    "\tsend a 100 => 100\n"
	    "\tsleep 4500us\n"
	    "\tsend a 100 => 100\n"
	    "thread reader:\n"
	    "\trecv b 100 => 100\n"
	    "\trecv b 100 => 100\n"
	    "\trecv b 100 => EWOULDBLOCK\n");

	assert_clean(r);
	ck_assert_int_eq(ret_of(r, "reader", 0)->time, 1 * MS + 10 * US);
	ck_assert_int_eq(ret_of(r, "reader", 1)->time, 5 * MS + 510 * US);
	ck_assert_int_eq(ret_of(r, "reader", 2)->time, 10 * MS + 510 * US);
	ck_assert_int_eq(ret_of(r, "reader", 2)->err, K_EWOULDBLOCK);
	ck_assert_int_eq(r->w->now, 10 * MS + 510 * US);
}
END_TEST

/* ---- limits ---- */


/*
 * A step ends only at a declared preemption point.  The tables say where
 * (soreceive may not stop between its check and sbwait: the lost wakeup
 * of issue 10), and a machine that returns RUN_PREEMPT anywhere else is
 * stopped with the violation undeclared-yield.
 */
enum { FK_A, FK_B, FK__N };
static const char *const fake_states[] = { "a", "b" };
static const Transition fake_trans[] = { { FK_A, FK_B }, { FK_B, FK_A } };
static const Yield fake_yields[] = { { FK_B, FK_A, CTX3(KERNEL, PREEMPTIBLE, PREEMPTIBLE) } };

static int
fake_step(World *w, int tid, Thread *t, Frame *f)
{
	(void)t;
	GOTO(f->pc == FK_A ? FK_B : FK_A);
	return RUN_PREEMPT;     /* declared only after b -> a */
}

static const MachineDef fake = {
	.name = "fake", .states = fake_states, .nstates = FK__N,
	.trans = fake_trans, .ntrans = NTRANS(fake_trans), .step = fake_step,
	.yields = fake_yields, .nyields = NTRANS(fake_yields),
};

START_TEST(test_declared_yields)
{
	int id = MACH__COUNT;   /* a free slot of the table */
	Rec *r;

	r = prepare("thread t:\n\tsleep 1ms\n", -1, false);     /* registers the kernel's */
	for (int fam = 0; fam < FAM__COUNT; fam++) {
		ck_assert(machine_yields(MACH_SORECEIVE, fam, 5, 6));   /* loop -> copy */
		ck_assert(!machine_yields(MACH_SORECEIVE, fam, 2, 3));  /* check -> waiting */
	}
	machine_register(id, &fake);
	machine_call(r->w, 0, id);
	sched_step_with(r->w, 0);               /* a -> b: not a preemption point */
	ck_assert_int_eq(r->w->stop, STOP_VIOLATION);
	ck_assert_int_eq(r->w->violation, V_UNDECLARED_YIELD);
	ck_assert_msg(has(r->w->run->stop_msg, "fake at b"), "%s", r->w->run->stop_msg);
	rec_free(r);
	r = prepare("thread t:\n\tsleep 1ms\n", -1, false);
	machine_call(r->w, 0, id);
	r->w->threads[0].stack[r->w->threads[0].depth - 1].pc = FK_B;
	sched_step_with(r->w, 0);               /* b -> a: declared */
	ck_assert_int_eq(r->w->stop, STOP_NONE);
	rec_free(r);
}
END_TEST

/*
 * Contexts per family (contexts.def): a preemption point declared for
 * FreeBSD only is not one on NetBSD, where the step goes on; and a sleep
 * that starts in a context its sleep does not release (INP_WLOCK) is the
 * violation sleep-locked, while one in splsoftnet is tsleep's business.
 */
enum { FF_A, FF_B, FF__N };
static const char *const fam_states[] = { "a", "b" };
static const Transition fam_trans[] = { { FF_A, FF_B } };
static const Yield fam_yields[] = { { FF_A, FF_B, CTX3(NA, PREEMPTIBLE, NA) } };
static const Contexts fam_held[FF__N] = {
	[FF_A] = CTX3(KERNEL, PREEMPTIBLE, NA),
	[FF_B] = CTX3(SPLSOFTNET, INP_WLOCK, NA),
};

static int
fam_step(World *w, int tid, Thread *t, Frame *f)
{
	(void)t;
	if (f->pc == FF_A) {
		GOTO(FF_B);
		return RUN_PREEMPT;     /* a preemption point on FreeBSD only */
	}
	tsleep(w, tid, CHAN(CH_PAUSE, 0, 0), "fam", false, 0);
	return RUN_SLEEP;
}

static const MachineDef fam = {
	.name = "fam", .states = fam_states, .nstates = FF__N,
	.trans = fam_trans, .ntrans = NTRANS(fam_trans), .step = fam_step,
	.yields = fam_yields, .nyields = NTRANS(fam_yields), .held = fam_held,
};

START_TEST(test_contexts_per_family)
{
	int id = MACH__COUNT + 2;
	Rec *r = prepare("profile netbsd-2.0\nthread t:\n\tsleep 1ms\n", -1, false);

	machine_register(id, &fam);
	ck_assert(!machine_yields(id, FAM_NETBSD, FF_A, FF_B));
	ck_assert(machine_yields(id, FAM_FREEBSD, FF_A, FF_B));
	machine_call(r->w, 0, id);
	sched_step_with(r->w, 0);       /* NetBSD: on through b, asleep at splsoftnet */
	ck_assert_int_eq(r->w->stop, STOP_NONE);
	ck_assert_int_eq(r->w->threads[0].state, TS_SLEEP);
	ck_assert_int_eq(r->w->threads[0].ctx, CTX_NA);
	rec_free(r);

	r = prepare("profile freebsd-9.1\nthread t:\n\tsleep 1ms\n", -1, false);
	machine_call(r->w, 0, id);
	sched_step_with(r->w, 0);       /* FreeBSD: the step ends at a -> b */
	ck_assert_int_eq(r->w->stop, STOP_NONE);
	ck_assert_int_eq(r->w->threads[0].state, TS_RUN);
	ck_assert_int_eq(r->w->threads[0].ctx, CTX_PREEMPTIBLE);
	sched_step_with(r->w, 0);       /* and sleeps in b under INP_WLOCK */
	ck_assert_int_eq(r->w->stop, STOP_VIOLATION);
	ck_assert_int_eq(r->w->violation, V_SLEEP_LOCKED);
	ck_assert_msg(has(r->w->run->stop_msg, "holding INP_WLOCK"), "%s", r->w->run->stop_msg);
	rec_free(r);
}
END_TEST

/*
 * Every machine of the kernel declares the context of every state on
 * some family, and on each family where a state runs, its context is one
 * of contexts.def; every preemption point is a declared transition whose
 * context, where the routine runs, lets softnet in.
 */
START_TEST(test_every_state_has_a_context)
{
	Rec *r = prepare("thread t:\n\tsleep 1ms\n", -1, false);     /* registers the kernel's */
	int nmach = 0;

	for (int m = 0; m < MACH__COUNT; m++) {
		const MachineDef *d = machine_def(m);

		ck_assert_ptr_nonnull(d);
		ck_assert_msg(d->held != NULL, "%s declares no contexts", d->name);
		for (int s = 0; s < d->nstates; s++) {
			bool somewhere = false;

			for (int f = 0; f < FAM__COUNT; f++) {
				ck_assert_int_lt(d->held[s].fam[f], CTX__COUNT);
				somewhere |= d->held[s].fam[f] != CTX_NA;
			}
			ck_assert_msg(somewhere, "%s: state %s has no context on any kernel", d->name,
			    d->states[s]);
		}
		for (int i = 0; i < d->nyields; i++)
			for (int f = 0; f < FAM__COUNT; f++)
				ck_assert(!(context_defs[d->yields[i].ctx.fam[f]].excludes & EX_SOFTNET));
		nmach++;
	}
	ck_assert_int_eq(nmach, MACH__COUNT);
	rec_free(r);
}
END_TEST

/* A preemption point inside a context that excludes softnet is a table
 * that contradicts itself: refused when the machine is registered. */
static const Yield atomic_yields[] = { { FF_A, FF_B, CTX3(SPLSOFTNET, PREEMPTIBLE, PREEMPTIBLE) } };
static const MachineDef atomic_yield = {
	.name = "atomic", .states = fam_states, .nstates = FF__N,
	.trans = fam_trans, .ntrans = NTRANS(fam_trans), .step = fam_step,
	.yields = atomic_yields, .nyields = NTRANS(atomic_yields),
};

START_TEST(test_yield_in_atomic_context_refused)
{
	machine_register(MACH__COUNT + 3, &atomic_yield);       /* g_error: does not return */
}
END_TEST

/*
 * NetBSD 1.6 and 2.0 do not preempt a thread in the kernel: while r2 is
 * inside soreceive (SB_LOCK just taken), only softnet or r2 itself may
 * run, not r1.  A preemptive kernel (OpenBSD) lets r1 run there.
 */
static bool
can_run(const char *profile, const char *thread)
{
	char *text = g_strdup_printf("profile %s\n"
	    "udp u 10.0.0.1:53\n"
	    "at 0ms datagram u from 10.0.0.2:4000 len 300\n"
	    "at 0ms datagram u from 10.0.0.3:4001 len 80\n"
	    "thread r1:\n\trecv u 1000\n"
	    "thread r2:\n\trecv u 1000\n", profile);
	Rec *r = prepare(text, -1, false);
	int cand[SCHED_MAX_CAND], n, who = -1;
	bool found = false;

	g_free(text);
	for (int i = 0; i < r->w->nthreads; i++)
		if (strcmp(thread_name(r->w, i), "r2") == 0)
			who = i;
	ck_assert(sched_step_with(r->w, SCHED_SOFTNET));
	ck_assert(sched_step_with(r->w, SCHED_SOFTNET));
	ck_assert(sched_step_with(r->w, who));         /* r2: sblock, SB_LOCK taken */
	ck_assert_int_gt(r->w->threads[who].depth, 1);
	n = sched_ready(r->w, cand);
	for (int i = 0; i < n; i++)
		if (cand[i] >= 0 && strcmp(thread_name(r->w, cand[i]), thread) == 0)
			found = true;
	rec_free(r);
	return found;
}

START_TEST(test_nonpreemptive_kernel)
{
	ck_assert(!can_run("netbsd-2.0", "r1"));
	ck_assert(!can_run("netbsd-1.6", "r1"));
	ck_assert(can_run("netbsd-2.0", "r2"));
	ck_assert(can_run("openbsd-7.5", "r1"));
	ck_assert(can_run("freebsd-9.1", "r1"));
}
END_TEST

/*
 * With Run.check_touched (the restoring explorer), the invariants after
 * a step cover the sockets the step reached: a step that breaks so_rcv of
 * a socket it reached through sock_at is caught at that step.
 */
enum { CR_A, CR__N };
static const char *const corrupt_states[] = { "a" };
static const Transition corrupt_trans[] = { { CR_A, CR_A } };

static int
corrupt_step(World *w, int tid, Thread *t, Frame *f)
{
	(void)tid;
	(void)t;
	(void)f;
	sock_at(w, 1)->rcv.cc += 7;     /* sb_cc no longer the chain's sum */
	return RUN_EXIT;
}

static const MachineDef corrupt = {
	.name = "corrupt", .states = corrupt_states, .nstates = CR__N,
	.trans = corrupt_trans, .ntrans = NTRANS(corrupt_trans), .step = corrupt_step,
};

START_TEST(test_checks_touched_sockets)
{
	int id = MACH__COUNT + 1;
	Rec *r = prepare("udp u\nudp v\nthread t:\n\tsleep 1ms\n", -1, false);

	machine_register(id, &corrupt);
	machine_call(r->w, 0, id);
	r->w->run->fp_on = true;
	r->w->run->check_touched = true;
	memset(&r->w->run->fp, 0, sizeof r->w->run->fp);
	sched_step_with(r->w, 0);
	ck_assert_uint_eq(r->w->run->fp.socks, 1u << 1);
	ck_assert_int_eq(r->w->stop, STOP_VIOLATION);
	ck_assert_int_eq(r->w->violation, V_SBCHECK);
	rec_free(r);
}
END_TEST

START_TEST(test_limits)
{
	ExpectReport *rep;
	Rec *r;

	r = run("limit steps 10\n"
	    "tcp a b\n"
	    "thread writer:\n"
	    "\tsend a 20000\n"
	    "thread reader:\n"
	    "\trecv b 20000 WAITALL\n");
	ck_assert_int_eq(r->w->stop, STOP_LIMIT);
	ck_assert_uint_eq(r->w->step, 10);
	ck_assert_int_eq(r->npicks, 10);
	ck_assert_msg(has(r->w->run->stop_msg, "step limit"), "%s", r->w->run->stop_msg);
	ck_assert(!r->w->deadlocked);
	rep = g_new0(ExpectReport, 1);
	ck_assert_int_eq(expect_check(r->w, rep), 1);
	g_free(rep);
	teardown();

	r = run("limit time 2ms\n"
	    "thread t:\n"
	    "\tsleep 5ms\n");
	ck_assert_int_eq(r->w->stop, STOP_LIMIT);
	ck_assert_msg(has(r->w->run->stop_msg, "time limit"), "%s", r->w->run->stop_msg);
	ck_assert_int_eq(r->w->threads[0].state, TS_SLEEP);
	teardown();

	/* within the limits, a run ends as it would without them */
	r = run("limit time 1s\n"
	    "limit bytes 1000\n"
	    "limit steps 100\n"
	    "tcp a b\n"
	    "thread t:\n"
	    "\tsleep 5ms\n"
	    "\tsend a 1000 => 1000\n"
	    "thread r:\n"
	    "\trecv b 1000 WAITALL => 1000\n");
	assert_clean(r);
	ck_assert_uint_eq(r->w->bytes_moved, 1000);
	ck_assert_int_ge(r->w->now, 5 * MS);
	teardown();

	r = run("limit bytes 1000\n"
	    "tcp a b\n"
	    "thread t:\n"
	    "\tsend a 600 => 600\n"
	    "\tsend a 600 => 600\n"
	    "\tsend a 600\n"
	    "thread r:\n"
	    "\trecv b 1800 WAITALL\n");
	ck_assert_int_eq(r->w->stop, STOP_LIMIT);
	ck_assert_uint_eq(r->w->bytes_moved, 1200);
	ck_assert_msg(has(r->w->run->stop_msg, "byte limit reached: programs sent more than 1000 bytes"),
	    "%s", r->w->run->stop_msg);
}
END_TEST

/* Expectations on so_state bits, on a sleeping thread and on leaks: each
 * holds where the world says so and fails where it does not. */
START_TEST(test_state_sleep_leak_expectations)
{
	Rec *r = run("profile netbsd-2.0\n"
	    "tcp a b\n"
	    "thread reader:\n"
	    "\trecv b 10 WAITALL\n"
	    "thread w:\n"
	    "\tsend a 1 OOB => 1\n"
	    "\tsleep 1ms\n"
	    "expect deadlock\n"
	    "expect reader sleeps on b.rcv\n"          /* 9: held */
	    "expect reader sleeps on a.rcv\n"          /* 10: fails */
	    "expect w sleeps\n"                        /* 11: fails: w is done */
	    "expect b.state has SS_RCVATMARK\n"        /* 12: held */
	    "expect b.state lacks ISCONNECTED\n"       /* 13: fails */
	    "expect leaked mbufs == 0\n"               /* 14: held */
	    "expect leaked kmem > 0\n");               /* 15: fails */
	ExpectReport *rep = g_new0(ExpectReport, 1);
	int failed = expect_check(r->w, rep);
	static const struct { int line; bool ok; } want[] = {
		{ 9, true }, { 10, false }, { 11, false }, { 12, true }, { 13, false }, { 14, true }, { 15, false },
	};

	ck_assert_int_eq(failed, 4);
	for (size_t k = 0; k < G_N_ELEMENTS(want); k++) {
		bool seen = false;

		for (int i = 0; i < rep->n; i++)
			if (rep->items[i].pos.line == want[k].line && !rep->items[i].notrun) {
				ck_assert_msg(rep->items[i].ok == want[k].ok, "line %d: %s", want[k].line,
				    rep->items[i].msg);
				seen = true;
			}
		ck_assert_msg(seen, "no verdict for line %d", want[k].line);
	}
	g_free(rep);
	teardown();
}
END_TEST

/* sockatmark: 0 before the data ahead of the mark is read, 1 at it (the
 * read stopped there), 0 once the urgent byte is read. */
START_TEST(test_sockatmark)
{
	Rec *r = run("profile openbsd-7.6\n"
	    "tcp a b b.oobinline\n"
	    "thread w:\n"
	    "\tsend a 5 => 5\n"
	    "\tsend a 1 OOB => 1\n"
	    "\tsend a 3 => 3\n"
	    "thread r:\n"
	    "\tsleep 1ms\n"
	    "\tsockatmark b => 0\n"
	    "\trecv b 100 => 5\n"
	    "\tsockatmark b => 1\n"
	    "\trecv b 100 => 4\n"
	    "\tsockatmark b => 0\n");

	assert_clean(r);
	ck_assert_int_eq(r->w->nchecked, 8);
	teardown();
}
END_TEST

/* A run that stops says which operations it left undone, without calling
 * that a failure: a deadlock the scenario expects leaves them behind. */
START_TEST(test_not_run)
{
	Rec *r = run("profile netbsd-2.0\n"
	    "tcp a b\n"
	    "thread reader:\n"
	    "\trecv b 10 WAITALL => 10\n"
	    "\trecv b 1 => 0\n"
	    "\tclose b => 0\n"
	    "thread idle:\n"
	    "\tsleep 1ms\n"
	    "expect deadlock\n");
	ExpectReport *rep = g_new0(ExpectReport, 1);
	int failed = expect_check(r->w, rep), notrun = 0;

	ck_assert_int_eq(failed, 0);
	for (int i = 0; i < rep->n; i++)
		if (rep->items[i].notrun) {
			notrun++;
			ck_assert(rep->items[i].ok);
			ck_assert_int_eq(rep->items[i].pos.line, 4);
			ck_assert_msg(has(rep->items[i].msg, "thread reader: 'recv b 10 WAITALL => 10' never "
			    "returned, nor did the 2 operations after it: the run ended in a deadlock"), "%s",
			    rep->items[i].msg);
		}
	ck_assert_int_eq(notrun, 1);
	g_free(rep);
	teardown();
}
END_TEST

/*
 * The conservation invariant holds for UDP too: bytes written = put on the
 * wire; bytes received = read + flushed + spliced + buffered; at the end,
 * every byte on the wire reached a socket.  A run through a UDP splice
 * keeps all three; an account moved by one byte breaks each.
 */
START_TEST(test_conservation_udp)
{
	static const char text[] =
	    "profile openbsd-7.6\n"
	    "udp c connect=r1\n"
	    "udp r1\n"
	    "udp r2 connect=s\n"
	    "udp s\n"
	    "udp nobody\n"
	    "thread client:\n"
	    "\tsend c 100 => 100\n"
	    "\tsleep 1ms\n"
	    "\tsend c 50 => 50\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 idle=10ms => 0\n"
	    "\tpoll r1 readable => 1\n"
	    "\tsoerror r1 => ETIMEDOUT\n"
	    "thread server:\n"
	    "\trecv s 1000 => 100\n"
	    "\trecv s 1000 => 50\n";
	Rec *r = run(text);
	Socket *s;

	assert_clean(r);
	s = &r->w->socks[3];
	ck_assert_uint_eq(s->rx_total, 150);
	ck_assert_uint_eq(r->w->socks[2].tx_moved, 150);
	ck_assert_uint_eq(r->w->socks[2].tx_sent, 150);
	ck_assert(invariants_check(r->w));
	s->rx_app--;
	ck_assert(!invariants_check(r->w));
	ck_assert_int_eq(r->w->violation, V_CONSERVATION);
	ck_assert(has(r->w->run->stop_msg, "s: 150 bytes of datagrams received"));
	teardown();

	r = run(text);
	r->w->socks[2].tx_sent++;
	ck_assert(!invariants_check(r->w));
	ck_assert(has(r->w->run->stop_msg, "r2: 150 bytes sent or spliced in, but 151 put on the wire"));
	teardown();

	/* a datagram to nobody, then the wire's account */
	r = run("profile openbsd-7.6\n"
	    "udp c\n"
	    "udp s\n"
	    "thread client:\n"
	    "\tsendto c s 10 => 10\n"
	    "\tsleep 1ms\n"
	    "\tclose s => 0\n"
	    "\tsendto c s 20 => 20\n"
	    "\tsleep 1ms\n");
	assert_clean(r);
	ck_assert_uint_eq(r->w->udp_unbound, 20);
	r->w->udp_unbound = 0;
	r->w->stop = STOP_DONE;
	ck_assert(!invariants_check_end(r->w));
	ck_assert(has(r->w->run->stop_msg, "UDP: 30 bytes put on the wire, but 10 reached a socket"));
	teardown();
}
END_TEST

/*
 * copy: a userland relay's read then write, as two system calls with a
 * return to user mode between them; poll: on a spliced OpenBSD source it
 * waits for the splice to end (soreadable says no while spliced), and a
 * timeout gives 0.
 */
START_TEST(test_copy_poll)
{
	Rec *r = run("profile openbsd-7.6\n"
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread relay:\n"
	    "\tcopy r1 r2 100 => 100\n"
	    "\tsplice r1 r2 => 0\n"
	    "\tpoll r1 readable => 1\n"
	    "\tgetsplice r1 => 900\n"
	    "\tpoll r2 readable timeout=1ms => 0\n"
	    "thread client:\n"
	    "\tsend c 100 => 100\n"
	    "\tsleep 1ms\n"
	    "\tsend c 900 => 900\n"
	    "\tshutdown c wr => 0\n"
	    "thread server:\n"
	    "\trecv s 1000 WAITALL => 1000\n");

	assert_clean(r);
	ck_assert_int_eq(r->w->nchecked, 9);
	teardown();
}
END_TEST

/* `=>` with a comparison, "no output flags" and alternatives: each
 * holds or fails as the op's result says, and a failure says what was
 * expected in the scenario's words. */
START_TEST(test_result_forms)
{
	Rec *r = run("profile netbsd-2.0\n"
	    "tcp a b\n"
	    "thread w:\n"
	    "\tsend a 100 => >= 200\n"
	    "\tsend a 100 => < 200 -\n"
	    "\tsend a 1 EOR => EPIPE|EINVAL\n"
	    "\tsend a 5 => != 4\n"
	    "thread r:\n"
	    "\trecv b 206 WAITALL => 206 -\n"
	    "\trecv b 1 DONTWAIT => EINTR|EWOULDBLOCK\n");
	ck_assert_int_eq(r->w->nchecked, 6);
	ck_assert_int_eq(r->w->nfails, 2);
	ck_assert_msg(has(r->w->run->fail_msg[0], "'send a 100' expected >= 200, got 100"), "%s",
	    r->w->run->fail_msg[0]);
	ck_assert_msg(has(r->w->run->fail_msg[1], "'send a 1 EOR' expected EPIPE|EINVAL, got 1"), "%s",
	    r->w->run->fail_msg[1]);
	teardown();
}
END_TEST

/* ---- schedules as text ---- */

/* The lookup of the scenario's parser: threads a and b, and the kernel's. */
static int
ab_who(void *ctx, const char *name)
{
	(void)ctx;
	if (strcmp(name, "a") == 0)
		return 0;
	if (strcmp(name, "b") == 0)
		return 1;
	return sched_kernel_who(name);
}

/*
 * Entries separated by commas or blanks, with blanks anywhere between;
 * each error says which entry, where in the text, and why, quoting at
 * most 40 bytes of what it could not read.
 */
START_TEST(test_plan_parse)
{
	static const struct {
		const char *text;
		int n;                  /* entries, or -1: an error */
		SchedPlanErrKind kind;
		int entry;
		size_t off, len;
		const char *msg;
	} cases[] = {
		{ "", 0, 0, 0, 0, 0, NULL },
		{ "default", 0, 0, 0, 0, 0, NULL },
		{ "  3:a", 1, 0, 0, 0, 0, NULL },
		{ "3:a , \t5:b 7:softclock", 3, 0, 0, 0, 0, NULL },
		{ "3:a,", -1, SCHED_PLAN_NOT_ENTRY, 2, 4, 0, "expected STEP:THREAD" },
		{ "3:a,  ", -1, SCHED_PLAN_NOT_ENTRY, 2, 6, 0, "expected STEP:THREAD" },
		{ ",3:a", -1, SCHED_PLAN_NOT_ENTRY, 1, 0, 0, "expected STEP:THREAD" },
		{ "3:a abc", -1, SCHED_PLAN_NOT_ENTRY, 2, 4, 3, "expected STEP:THREAD, not 'abc'" },
		{ "3:", -1, SCHED_PLAN_NOT_ENTRY, 1, 0, 2, "expected STEP:THREAD, not '3:'" },
		{ "0123456789012345678901234567890123456789xyz", -1, SCHED_PLAN_NOT_ENTRY, 1, 0, 43,
		    "expected STEP:THREAD, not '0123456789012345678901234567890123456789...'" },
		{ "x:a", -1, SCHED_PLAN_BAD_STEP, 1, 0, 1, "'x' is not a step number (from 1)" },
		{ "0:a", -1, SCHED_PLAN_BAD_STEP, 1, 0, 1, "'0' is not a step number (from 1)" },
		{ "3x:a", -1, SCHED_PLAN_BAD_STEP, 1, 0, 2, "'3x' is not a step number (from 1)" },
		{ "99999999999999999999:a", -1, SCHED_PLAN_BAD_STEP, 1, 0, 20,
		    "'99999999999999999999' is not a step number (from 1)" },
		{ "18446744073709551609:a", 1, 0, 0, 0, 0, NULL },  /* UINT64_MAX - 6: the largest read */
		{ "1:a 11111111111111111111111111111111111111111:b", -1, SCHED_PLAN_BAD_STEP, 2, 4, 41,
		    "'1111111111111111111111111111111111111111...' is not a step number (from 1)" },
		{ "5:a,4:b", -1, SCHED_PLAN_ORDER, 2, 4, 1, "step 4 does not come after the one before" },
		{ "5:a 5:b", -1, SCHED_PLAN_ORDER, 2, 4, 1, "step 5 does not come after the one before" },
		{ "3:zz", -1, SCHED_PLAN_UNKNOWN_WHO, 1, 2, 2, "no thread named 'zz'" },
		{ "3:a 4:abcdefghijabcdefghijabcdefghijabcdefghijk", -1, SCHED_PLAN_UNKNOWN_WHO, 2, 6, 41,
		    "no thread named 'abcdefghijabcdefghijabcdefghijabcdefghij...'" },
		{ "4:abcdefghijabcdefghijabcdefghijabcdefghij", -1, SCHED_PLAN_UNKNOWN_WHO, 1, 2, 40,
		    "no thread named 'abcdefghijabcdefghijabcdefghijabcdefghij'" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		SchedDev *d = (SchedDev *)&cases;     /* must be replaced */
		int n = -7;
		SchedPlanError e;
		bool ok = sched_plan_parse_text(cases[i].text, ab_who, NULL, &d, &n, &e);

		ck_assert_msg(ok == (cases[i].n >= 0), "'%s': %s", cases[i].text, e.msg);
		if (ok) {
			ck_assert_int_eq(n, cases[i].n);
			g_free(d);
			continue;
		}
		ck_assert_ptr_null(d);
		ck_assert_int_eq(n, 0);
		ck_assert_msg(e.kind == cases[i].kind && e.entry == cases[i].entry &&
		    e.offset == cases[i].off && e.len == cases[i].len,
		    "'%s': kind %d entry %d at %zu+%zu", cases[i].text, e.kind, e.entry, e.offset, e.len);
		ck_assert_str_eq(e.msg, cases[i].msg);
	}
}
END_TEST

/* The entries read: steps, and who by the lookup (a kernel thread by its
 * kind); formatted back, the same text with commas. */
START_TEST(test_plan_entries)
{
	Rec *r = prepare("profile openbsd-7.6\nthread a:\n\tsleep 1ms\nthread b:\n\tsleep 1ms\n", -1, false);
	SchedDev *d;
	int n;
	SchedPlanError e;
	char *text;

	R = r;
	ck_assert(sched_plan_parse_text("3:a 5:softnet,7:sosplice 9:softclock 11:b", ab_who, NULL, &d, &n, &e));
	ck_assert_int_eq(n, 5);
	ck_assert_uint_eq(d[2].step, 7);
	ck_assert_int_eq(d[1].who, SCHED_SOFTNET);
	ck_assert_int_eq(d[2].who, SCHED_KTHREAD(TK_TASKQ));
	ck_assert_int_eq(d[3].who, SCHED_KTHREAD(TK_SOFTCLOCK));
	text = sched_plan_format(r->w, d, n);
	ck_assert_str_eq(text, "3:a,5:softnet,7:sosplice,9:softclock,11:b");
	g_free(text);
	g_free(d);
	text = sched_plan_format(r->w, NULL, 0);
	ck_assert_str_eq(text, "");
	g_free(text);
}
END_TEST

/* The first step at which the default run of text picks `who` (a thread
 * by name), and the picks before it. */
static int
first_pick(const char *text, const char *who, Rec **out)
{
	Rec *r = run(text);

	for (int k = 0; k < r->npicks; k++)
		if (r->picks[k].who >= 0 && strcmp(thread_name(r->w, r->picks[k].who), who) == 0) {
			*out = r;
			return k;
		}
	ck_abort_msg("%s never runs", who);
	return -1;
}

static const char splice_relay[] =
    "profile openbsd-7.6\n"
    "tcp c r1\n"
    "tcp r2 s\n"
    "thread client:\n"
    "\tsend c 1000 => 1000\n"
    "\tshutdown c wr => 0\n"
    "thread relay:\n"
    "\tsplice r1 r2 => 0\n"
    "\trecv r1 1 => 0\n"
    "\tclose r2 => 0\n"
    "thread server:\n"
    "\trecv s 1000 WAITALL => 1000\n"
    "\trecv s 1 => 0\n";

/*
 * A plan (--schedule, the explorer's) may name a kernel thread by its
 * kind: followed where the thread can run, and where it cannot, or the
 * profile has no such thread, or softnet has nothing due, the run stops
 * saying so.
 */
START_TEST(test_plan_kernel_threads)
{
	Rec *r;
	int k = first_pick(splice_relay, "sosplice", &r);
	uint64_t steps = r->w->step;
	SchedDev d = { (uint64_t)k + 1, SCHED_KTHREAD(TK_TASKQ) };
	World *w;

	assert_clean(r);
	teardown();
	/* the default run picks sosplice at step k + 1: the plan says the same */
	r = R = prepare(splice_relay, -1, true);
	sched_set_plan(r->w, &d, 1);
	sched_run(r->w);
	assert_clean(r);
	ck_assert_uint_eq(r->w->step, steps);
	teardown();
	/* softclock has nothing to do then */
	d.who = SCHED_KTHREAD(TK_SOFTCLOCK);
	r = R = prepare(splice_relay, -1, true);
	sched_set_plan(r->w, &d, 1);
	sched_run(r->w);
	w = r->w;
	ck_assert_int_eq(w->stop, STOP_LIMIT);
	ck_assert_uint_eq(w->step, (uint64_t)k);
	ck_assert_msg(has(w->run->stop_msg, "the schedule asks for softclock at step"), "%s", w->run->stop_msg);
	ck_assert_msg(has(w->run->stop_msg, "but it cannot run then"), "%s", w->run->stop_msg);
	teardown();
	/* NetBSD has no kernel threads */
	d.step = 1;
	d.who = SCHED_KTHREAD(TK_TASKQ);
	r = R = prepare("tcp a b\nthread t:\n\tsend a 10\n", -1, false);
	sched_set_plan(r->w, &d, 1);
	sched_run(r->w);
	ck_assert_int_eq(r->w->stop, STOP_LIMIT);
	ck_assert_msg(has(r->w->run->stop_msg, "the schedule asks for a kernel thread this profile does "
	    "not have at step 1"), "%s", r->w->run->stop_msg);
	teardown();
	/* nothing due at step 1 */
	d.who = SCHED_SOFTNET;
	r = R = prepare("tcp a b\nthread t:\n\tsend a 10\n", -1, false);
	sched_set_plan(r->w, &d, 1);
	sched_run(r->w);
	ck_assert_int_eq(r->w->stop, STOP_LIMIT);
	ck_assert_msg(has(r->w->run->stop_msg, "asks for softnet (no kernel work is due) at step 1"), "%s",
	    r->w->run->stop_msg);
	teardown();
	/* a thread asleep: t sleeps in its recv, then u runs */
	r = R = prepare("tcp a b\nthread t:\n\trecv b 10\nthread u:\n\tsleep 1ms\n", -1, false);
	while (r->w->threads[0].state == TS_RUN)
		ck_assert(sched_step(r->w));
	d.step = r->w->step + 1;
	d.who = 0;
	teardown();
	r = R = prepare("tcp a b\nthread t:\n\trecv b 10\nthread u:\n\tsleep 1ms\n", -1, false);
	sched_set_plan(r->w, &d, 1);
	sched_run(r->w);
	ck_assert_int_eq(r->w->stop, STOP_LIMIT);
	ck_assert_uint_eq(r->w->step, d.step - 1);
	ck_assert_msg(has(r->w->run->stop_msg, "asks for t at step"), "%s", r->w->run->stop_msg);
	ck_assert_msg(has(r->w->run->stop_msg, "but it cannot run then"), "%s", r->w->run->stop_msg);
}
END_TEST

/* A `schedule` line of names may name the kernel's threads too: on a
 * profile without them the run stops at that entry. */
START_TEST(test_script_kernel_threads)
{
	Rec *r;
	int k = first_pick(splice_relay, "sosplice", &r);
	GString *text = g_string_new(splice_relay);
	uint64_t steps = r->w->step;

	g_string_append(text, "schedule");
	for (int i = 0; i <= k; i++)
		g_string_append_printf(text, " %s", r->picks[i].who == SCHED_SOFTNET ? "softnet" :
		    thread_name(r->w, r->picks[i].who));
	g_string_append_c(text, '\n');
	ck_assert(has(text->str, " sosplice\n"));
	teardown();
	r = run(text->str);
	assert_clean(r);
	ck_assert_uint_eq(r->w->step, steps);
	ck_assert_int_eq(r->w->sched_pos, k + 1);
	teardown();
	g_string_free(text, TRUE);

	r = run("tcp a b\nthread t:\n\tsend a 10\nschedule t softclock\n");
	ck_assert_int_eq(r->w->stop, STOP_LIMIT);
	ck_assert_uint_eq(r->w->step, 1);
	ck_assert_msg(has(r->w->run->stop_msg, "t.scn:4:1: the schedule names the softclock thread, "
	    "but profile netbsd-2.0 has no socket splicing"), "%s", r->w->run->stop_msg);
}
END_TEST

/* A deadlock among many threads: the message names as many sleepers as
 * it has room for, and ends there. */
START_TEST(test_deadlock_many_sleepers)
{
	GString *text = g_string_new("tcp a b\n");
	Rec *r;
	const char *msg;

	for (int i = 0; i < SCN_MAX_THREADS; i++)
		g_string_append_printf(text, "thread reader_long_name_%02d:\n\trecv b 10\n", i);
	r = run(text->str);
	g_string_free(text, TRUE);
	msg = r->w->run->deadlock_msg;
	ck_assert(r->w->deadlocked);
	ck_assert_msg(has(msg, "thread reader_long_name_00 sleeps on b.so_rcv.sb_cc (\"netio\"); "
	    "thread reader_long_name_01 sleeps"), "%s", msg);
	ck_assert(!has(msg, "reader_long_name_15"));
	ck_assert_uint_lt(strlen(msg), RUN_MSG_MAX);
}
END_TEST

/* OpenBSD's kernel threads asleep on their empty queues are idle, not
 * part of a deadlock: the message names only the scenario's thread, and
 * a run whose threads all finished is done. */
START_TEST(test_deadlock_idle_kthreads)
{
	Rec *r = run("profile openbsd-7.6\ntcp a b\nthread reader:\n\trecv b 10\n");

	ck_assert(r->w->deadlocked);
	ck_assert_int_eq(r->w->threads[r->w->tid_taskq].state, TS_SLEEP);
	ck_assert_msg(has(r->w->run->deadlock_msg, "thread reader sleeps on b.so_rcv.sb_cc"), "%s",
	    r->w->run->deadlock_msg);
	ck_assert(!has(r->w->run->deadlock_msg, "sosplice"));
	ck_assert(!has(r->w->run->deadlock_msg, "softclock"));
	teardown();
	r = run("profile openbsd-7.6\ntcp a b\nthread reader:\n\tsoerror b => 0\n");
	assert_clean(r);
}
END_TEST

static Suite *
sched_suite(void)
{
	Suite *s = suite_create("scheduler");
	TCase *tc;

	tc = tcase_create("policy");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_result_forms);
	tcase_add_test(tc, test_copy_poll);
	tcase_add_test(tc, test_conservation_udp);
	tcase_add_test(tc, test_not_run);
	tcase_add_test(tc, test_sockatmark);
	tcase_add_test(tc, test_state_sleep_leak_expectations);
	tcase_add_test(tc, test_default_deterministic);
	tcase_add_test(tc, test_default_policy);
	tcase_add_test(tc, test_candidates);
	tcase_add_test(tc, test_default_pick);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("schedule");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_schedule_udp_race);
	tcase_add_test(tc, test_schedule_tcp_race);
	tcase_add_test(tc, test_schedule_cannot_run);
	tcase_add_test(tc, test_plan_parse);
	tcase_add_test(tc, test_plan_entries);
	tcase_add_test(tc, test_plan_kernel_threads);
	tcase_add_test(tc, test_script_kernel_threads);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("seed");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_seeds);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("deadlock");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_deadlock_msg);
	tcase_add_test(tc, test_livelock_pending_wakeup);
	tcase_add_test(tc, test_deadlock_many_sleepers);
	tcase_add_test(tc, test_deadlock_idle_kthreads);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("signal");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_signal_pending_in_kernel);
	tcase_add_test(tc, test_contexts_per_family);
	tcase_add_test(tc, test_every_state_has_a_context);
	tcase_add_test_raise_signal(tc, test_yield_in_atomic_context_refused, SIGTRAP);
	tcase_add_test(tc, test_signal_user_mode);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("time");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_time_sleep);
	tcase_add_test(tc, test_time_only_when_idle);
	tcase_add_test(tc, test_sleep_timeouts);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_declared_yields);
	tcase_add_test(tc, test_nonpreemptive_kernel);
	tcase_add_test(tc, test_checks_touched_sockets);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}


int
main(void)
{
	SRunner *sr = srunner_create(sched_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
