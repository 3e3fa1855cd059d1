/*
 * test_explore.c: the explorer (sim/explore.c) on hand-made scenarios
 * whose interleavings can be counted on paper, a planted bug it must find
 * at its known minimal schedule, and the replay of that schedule.
 *
 * Two threads a and b that touch different sockets and never sleep: each
 * `soerror` op is one step and the end of the program another, so a thread
 * with two ops takes 3 steps.  Their interleavings are the C(6,3) = 20
 * ways to merge aaa with bbb.  The default policy keeps running the thread
 * that ran last, so a schedule's preemptions are the switches away from a
 * thread that could still run, plus one if b goes first.
 */
#include <check.h>
#include <glib.h>
#include <signal.h>
#include <stdlib.h>

#include "errno_names.h"
#include "explore.h"
#include "seen.h"
#include "world_hash.h"
#include "run.h"
#include "kern.h"
#include "sched.h"

static const char two_threads[] =
    "profile netbsd-2.0\n"
    "udp u\n"
    "udp v\n"
    "thread a:\n"
    "    soerror u => 0\n"
    "    soerror u => 0\n"
    "thread b:\n"
    "    soerror v => 0\n"
    "    soerror v => 0\n";

static Scenario *
parse(const char *text)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_string("t.scn", text, &err);

	ck_assert_msg(s != NULL, "%s", err ? err->message : "");
	return s;
}

static ExploreResult *
explore(Scenario *s, int k, bool no_prune)
{
	ExploreOpts o = { 0 };
	ExploreResult *r = g_new0(ExploreResult, 1);
	const Profile *p = profile_find(s->profile);

	o.preemptions = k;
	o.no_prune = no_prune;
	explore_run(s, p, p->quirks, &o, r);
	return r;
}

static void
done(Scenario *s, ExploreResult *r)
{
	explore_result_free(r);
	g_free(r);
	scenario_free(s);
}

/* Without pruning, every interleaving is one schedule. */
START_TEST(test_count_all_interleavings)
{
	Scenario *s = parse(two_threads);
	ExploreResult *r = explore(s, 16, true);

	ck_assert_int_eq(r->verdict, EXPLORE_PASS);
	ck_assert(r->complete);
	ck_assert_uint_eq(r->schedules, 20);           /* C(6,3) */
	ck_assert_uint_eq(r->pruned, 0);
	ck_assert_uint_eq(r->max_depth, 6);
	done(s, r);
}
END_TEST

/*
 * The bound: 0 preemptions is the default run alone; 1 adds bbbaaa (b
 * first, 1) and a|bbb|aa, aa|bbb|a (one switch away from a runnable a):
 * 4 in all.  With 2: every schedule with at most two such switches, which
 * is all 20 but the 6 that switch three times or more (a|b|a|b...).
 */
START_TEST(test_preemption_bound)
{
	static const struct { int k; uint64_t n; } want[] = { { 0, 1 }, { 1, 4 } };

	for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
		Scenario *s = parse(two_threads);
		ExploreResult *r = explore(s, want[i].k, true);

		ck_assert_int_eq(r->verdict, EXPLORE_PASS);
		ck_assert_msg(r->schedules == want[i].n, "k=%d: %llu schedules, want %llu",
		    want[i].k, (unsigned long long)r->schedules, (unsigned long long)want[i].n);
		done(s, r);
	}
}
END_TEST

/*
 * With pruning, a world is one per (steps of a, steps of b, who ran last):
 * at the choice points (both can run, i < 3 and j < 3) that is (0,0) once,
 * (i,0) and (0,j) once each (2 + 2), and (i,j) with i, j > 0 twice (8):
 * 13 distinct worlds.
 */
START_TEST(test_distinct_worlds)
{
	Scenario *s = parse(two_threads);
	ExploreResult *r = explore(s, 16, false);

	ck_assert_int_eq(r->verdict, EXPLORE_PASS);
	ck_assert_uint_eq(r->distinct, 13);
	ck_assert_uint_lt(r->schedules, 20);
	ck_assert_uint_gt(r->pruned, 0);
	done(s, r);
}
END_TEST

/*
 * A planted bug: b shuts the connection down for writing; if that comes
 * before a's send, the send fails with EPIPE and a's `=> 10` does not hold.
 * The default run is fine; the shortest failing schedule is "1:b" (one
 * preemption: b first), and replaying it fails the same way.
 */
static const char planted[] =
    "profile netbsd-2.0\n"
    "tcp x y\n"
    "thread a:\n"
    "    send x 10 => 10\n"
    "thread b:\n"
    "    shutdown x wr => 0\n"
    "thread c:\n"
    "    sleep 1ms\n"
    "    recv y 100\n";

START_TEST(test_planted_bug)
{
	Scenario *s = parse(planted);
	ExploreResult *r = explore(s, 2, false);
	const Profile *p = profile_find(s->profile);
	World *w;
	ExpectReport *rep = g_new0(ExpectReport, 1);
	char *text;

	ck_assert_int_eq(r->verdict, EXPLORE_FAIL);
	ck_assert_int_eq(r->fail_n, 1);
	ck_assert_uint_eq(r->fail_plan[0].step, 1);
	ck_assert_int_eq(r->fail_plan[0].who, 1);      /* thread b */

	/* the default run passes; the plan replays the failure */
	w = world_new(s, p, p->quirks);
	sched_run(w);
	ck_assert_int_eq(expect_check(w, rep), 0);
	world_free(w);
	w = world_new(s, p, p->quirks);
	text = sched_plan_format(w, r->fail_plan, r->fail_n);
	ck_assert_str_eq(text, "1:b");
	sched_set_plan(w, r->fail_plan, r->fail_n);
	sched_run(w);
	ck_assert_int_gt(expect_check(w, rep), 0);
	ck_assert_uint_eq(w->step, r->fail_steps);
	g_free(text);
	world_free(w);
	g_free(rep);
	done(s, r);
}
END_TEST

/*
 * Each `expect sometimes` that held comes with the shortest run that
 * showed it: replayed, that run shows it again, in as many steps.  Here
 * the write happens in the default run, and the reader sees only the EOF
 * if b's shutdown is moved before a's send (which then fails with EPIPE):
 * one preemption.
 */
START_TEST(test_sometimes_witness)
{
	Scenario *s = parse("profile netbsd-2.0\n"
	    "tcp x y\n"
	    "thread a:\n    send x 10\n"
	    "thread b:\n    shutdown x wr => 0\n"
	    "thread c:\n    sleep 1ms\n    recv y 100\n"
	    "expect sometimes delivered y == 10\n"
	    "expect sometimes delivered y == 0\n");
	ExploreResult *r = explore(s, 2, false);
	const Profile *p = profile_find(s->profile);

	ck_assert_int_eq(r->verdict, EXPLORE_PASS);
	ck_assert_uint_gt(r->seen_steps[0], 0);
	ck_assert_uint_gt(r->seen_steps[1], 0);
	ck_assert_int_eq(r->seen_n[0], 0);
	ck_assert_int_eq(r->seen_n[1], 1);
	for (int i = 0; i < 2; i++) {
		World *w = world_new(s, p, p->quirks);
		ExpectReport *rep = g_new0(ExpectReport, 1);

		sched_set_plan(w, r->seen_plan[i], r->seen_n[i]);
		sched_run(w);
		expect_check(w, rep);
		for (int k = 0; k < rep->n; k++)
			if (rep->items[k].index == i)
				ck_assert_msg(rep->items[k].ok, "the witness of expectation %d does not show it", i);
		ck_assert_uint_eq(w->step, r->seen_steps[i]);
		world_free(w);
		g_free(rep);
	}
	done(s, r);
}
END_TEST

/* Schedules as text: parsed back to what was formatted, errors named. */
START_TEST(test_plan_text)
{
	Scenario *s = parse(planted);
	const Profile *p = profile_find(s->profile);
	World *w = world_new(s, p, p->quirks);
	SchedDev *d = NULL;
	int n = 0;
	char *msg = NULL, *text;

	ck_assert(sched_plan_parse(w, "3:b,7:softnet,9:a", &d, &n, &msg));
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(d[1].who, -1);
	text = sched_plan_format(w, d, n);
	ck_assert_str_eq(text, "3:b,7:softnet,9:a");
	g_free(text);
	g_free(d);
	ck_assert(sched_plan_parse(w, "default", &d, &n, &msg));
	ck_assert_int_eq(n, 0);
	g_free(d);
	ck_assert(!sched_plan_parse(w, "3:zz", &d, &n, &msg));
	ck_assert_str_eq(msg, "entry 1: no thread named 'zz'");
	g_free(msg);
	ck_assert(!sched_plan_parse(w, "5:a,4:b", &d, &n, &msg));
	ck_assert_str_eq(msg, "entry 2: step 4 does not come after the one before");
	g_free(msg);
	world_free(w);
	scenario_free(s);
}
END_TEST

/* `expect sometimes`: held in one run is enough; in none is a failure. */
START_TEST(test_sometimes)
{
	GString *t = g_string_new(planted);
	Scenario *s;
	ExploreResult *r;

	/* drop the op result that fails; say what can happen instead */
	g_string_replace(t, "send x 10 => 10", "send x 10", 1);
	g_string_append(t, "expect sometimes delivered y == 10\n"
	    "expect sometimes delivered y == 0\n");
	s = parse(t->str);
	r = explore(s, 2, false);
	ck_assert_int_eq(r->verdict, EXPLORE_PASS);
	done(s, r);
	g_string_append(t, "expect sometimes delivered y == 5\n");
	s = parse(t->str);
	r = explore(s, 2, false);
	ck_assert_int_eq(r->verdict, EXPLORE_FAIL);
	ck_assert_int_eq(r->nsometimes_missing, 1);
	done(s, r);
	g_string_free(t, TRUE);
}
END_TEST

/* A limit on states gives a partial verdict, not a pass. */
START_TEST(test_partial)
{
	Scenario *s = parse(two_threads);
	ExploreOpts o = { 0 };
	ExploreResult *r = g_new0(ExploreResult, 1);
	const Profile *p = profile_find(s->profile);

	o.preemptions = 16;
	o.no_prune = true;
	o.max_states = 10;
	explore_run(s, p, p->quirks, &o, r);
	ck_assert_int_eq(r->verdict, EXPLORE_PARTIAL);
	ck_assert(!r->complete);
	done(s, r);
}
END_TEST


/*
 * The restoring search is the replaying one made faster, nothing else: on
 * every race and history scenario, under the scenario's quirks, both give
 * the same verdict, the same counts, and the same shortest failing
 * schedule; a history scenario with its quirk on fails in both.
 */
/* g_int64_hash keeps only the low 32 bits: the keys below share them */
static guint
mix64(gconstpointer p)
{
	uint64_t k = *(const uint64_t *)p;

	return (guint)(k ^ k >> 29 ^ k >> 47);
}

/* fn(path, file name, scenario, ctx) for every scenario in the folders
 * of scenarios/ named; returns how many. */
typedef void (*ScenarioFn)(const char *path, const char *name, const Scenario *s, void *ctx);

static int
for_each_scenario(const char *const *dirs, size_t ndirs, ScenarioFn fn, void *ctx)
{
	const char *root = g_getenv("SOSIM_SOURCE_ROOT");
	int n = 0;

	ck_assert_ptr_nonnull(root);
	for (size_t k = 0; k < ndirs; k++) {
		char *dir = g_build_filename(root, "scenarios", dirs[k], NULL);
		GDir *gd = g_dir_open(dir, 0, NULL);
		const char *name;

		ck_assert_ptr_nonnull(gd);
		while ((name = g_dir_read_name(gd)) != NULL) {
			char *path;
			Scenario *s;

			if (!g_str_has_suffix(name, ".scn"))    /* a saved NAME.schedule, say */
				continue;
			path = g_build_filename(dir, name, NULL);
			s = scenario_parse_file(path, NULL);

			ck_assert_ptr_nonnull(s);
			fn(path, name, s, ctx);
			scenario_free(s);
			g_free(path);
			n++;
		}
		g_dir_close(gd);
		g_free(dir);
	}
	return n;
}

static const Profile *
profile_of(const Scenario *s)
{
	return profile_find(s->profile ? s->profile : "netbsd-2.0");
}

static uint32_t
quirks_of(const Scenario *s, const Profile *p)
{
	return (p->quirks | s->quirks_on) & ~s->quirks_off;
}

/* Each race and history scenario written to be explored, under its
 * quirks (and close-source-udp.scn with the 2024 bug's quirk too):
 * fn(path, scenario, profile, quirks, bound, ctx). */
typedef void (*ExploredFn)(const char *path, const Scenario *s, const Profile *p, uint32_t q,
    int bound, void *ctx);

typedef struct {
	ExploredFn fn;
	void *ctx;
	int n;
} Explored;

static void
explored_one(const char *path, const char *name, const Scenario *s, void *arg)
{
	Explored *e = arg;
	const Profile *p = profile_of(s);
	uint32_t q = quirks_of(s, p);
	int bound = s->explore_preemptions >= 0 ? s->explore_preemptions : 2;

	if (!s->explore)        /* not written to be explored: too big */
		return;
	e->fn(path, s, p, q, bound, e->ctx);
	/* the 2024 close race, present in the quirk: a failing exploration */
	if (strcmp(name, "close-source-udp.scn") == 0)
		e->fn(path, s, p, q | 1u << QUIRK_UDP_CLOSE_SKIP_UNSPLICE, bound, e->ctx);
	e->n++;
}

static int
for_each_explored(ExploredFn fn, void *ctx)
{
	static const char *const dirs[] = { "races", "history" };
	Explored e = { fn, ctx, 0 };

	for_each_scenario(dirs, G_N_ELEMENTS(dirs), explored_one, &e);
	return e.n;
}

static void
restore_vs_replay(const char *path, const Scenario *s, const Profile *p, uint32_t q, int bound,
    void *ctx)
{
	int *failing = ctx;
	ExploreResult a = { 0 }, b = { 0 };
	ExploreOpts o = { 0 };

	o.preemptions = bound;
	o.checkpoint_every = 3;     /* many checkpoints, many restores */
	explore_run(s, p, q, &o, &a);
	o.replay = true;
	explore_run(s, p, q, &o, &b);
	ck_assert_msg(a.verdict == b.verdict && a.schedules == b.schedules &&
	    a.pruned == b.pruned && a.distinct == b.distinct &&
	    a.new_states == b.new_states && a.fail_n == b.fail_n &&
	    a.fail_steps == b.fail_steps,
	    "%s: restoring (%d, %llu schedules, %llu distinct) and replaying "
	    "(%d, %llu, %llu) differ", path, a.verdict, (unsigned long long)a.schedules,
	    (unsigned long long)a.distinct, b.verdict, (unsigned long long)b.schedules,
	    (unsigned long long)b.distinct);
	ck_assert(a.fail_n == 0 || memcmp(a.fail_plan, b.fail_plan,
	    (size_t)a.fail_n * sizeof a.fail_plan[0]) == 0);
	ck_assert_uint_le(a.states, b.states);
	*failing += a.verdict == EXPLORE_FAIL;
	explore_result_free(&a);
	explore_result_free(&b);
}

/*
 * The restoring search is the replaying one made faster, nothing else: on
 * every race and history scenario, under the scenario's quirks, both give
 * the same verdict, the same counts, and the same shortest failing
 * schedule; a history scenario with its quirk on fails in both.
 */
START_TEST(test_restore_equals_replay)
{
	int failing = 0;

	ck_assert_int_ge(for_each_explored(restore_vs_replay, &failing), 9);
	ck_assert_int_gt(failing, 0);
}
END_TEST

static void
collect_end(void *ctx, const World *w)
{
	uint64_t h = world_hash(w);

	g_hash_table_add(ctx, g_memdup2(&h, sizeof h));
}

static void
por_vs_plain(const char *path, const Scenario *s, const Profile *p, uint32_t q, int bound, void *ctx)
{
	int *failing = ctx;
	ExploreResult a = { 0 }, b = { 0 };
	ExploreOpts o = { 0 };
	GHashTable *ea = g_hash_table_new_full(mix64, g_int64_equal, g_free, NULL);
	GHashTable *eb = g_hash_table_new_full(mix64, g_int64_equal, g_free, NULL);
	GHashTableIter it;
	gpointer key;

	/* one preemption more than the file asks for: more room to go wrong */
	o.preemptions = bound + 1;
	o.on_end = collect_end;
	o.end_ctx = ea;
	explore_run(s, p, q, &o, &a);
	o.no_por = true;
	o.end_ctx = eb;
	explore_run(s, p, q, &o, &b);
	/* the same worlds at the end of the runs, whatever was cut */
	g_hash_table_iter_init(&it, eb);
	while (g_hash_table_iter_next(&it, &key, NULL))
		ck_assert_msg(g_hash_table_contains(ea, key),
		    "%s: a world the plain search ends in is never reached with the reduction", path);
	ck_assert_uint_eq(g_hash_table_size(ea), g_hash_table_size(eb));
	g_hash_table_destroy(ea);
	g_hash_table_destroy(eb);
	ck_assert_msg(a.verdict == b.verdict && a.nsometimes_missing == b.nsometimes_missing,
	    "%s: with the reduction %d (%d sometimes missing), without %d (%d)", path,
	    a.verdict, a.nsometimes_missing, b.verdict, b.nsometimes_missing);
	ck_assert_msg(a.fail_n == b.fail_n,
	    "%s: the shortest failing schedule needs %d preemptions with the reduction, %d without",
	    path, a.fail_n, b.fail_n);
	ck_assert_uint_le(a.schedules, b.schedules);
	ck_assert_uint_eq(b.por_pruned, 0);
	*failing += a.verdict == EXPLORE_FAIL;
	explore_result_free(&a);
	explore_result_free(&b);
}

static void
tight_vs_full_hash(const char *path, const Scenario *s, const Profile *p, uint32_t q, int bound,
    void *ctx)
{
	ExploreResult a = { 0 }, b = { 0 };
	ExploreOpts o = { 0 };

	(void)ctx;
	o.preemptions = bound;
	explore_run(s, p, q, &o, &a);
	o.full_hash = true;
	explore_run(s, p, q, &o, &b);
	ck_assert_msg(a.verdict == b.verdict && a.fail_n == b.fail_n &&
	    a.nsometimes_missing == b.nsometimes_missing,
	    "%s: hashing only the counters the expectations read changes the verdict", path);
	ck_assert_uint_le(a.distinct, b.distinct);
	explore_result_free(&a);
	explore_result_free(&b);
}

/* The world hash leaves out counters no expectation reads: the verdicts
 * and the shortest failing schedules stay those of the full hash. */
START_TEST(test_tight_hash_keeps_verdicts)
{
	ck_assert_int_ge(for_each_explored(tight_vs_full_hash, NULL), 20);
}
END_TEST

/*
 * The explorer rehashes only what a step touched (world_hash_cached, fed
 * the steps' footprints): at every choice point of every scenario, teaching
 * ones too, the cached hash equals the full one.  A socket, thread or queue
 * a step changes without recording it in its footprint shows up here.
 */
static void
cache_matches(const char *path, const char *name, const Scenario *s, void *ctx)
{
	const Profile *p = profile_of(s);
	ExploreResult r = { 0 };
	ExploreOpts o = { 0 };

	(void)name;
	(void)ctx;
	o.preemptions = 2;
	o.max_states = 200000;
	o.verify_cache = true;
	explore_run(s, p, quirks_of(s, p), &o, &r);
	ck_assert_msg(r.cache_mismatches == 0, "%s: %llu cached world hashes differ from "
	    "the full hash", path, (unsigned long long)r.cache_mismatches);
	ck_assert_uint_gt(r.distinct + r.schedules, 0);
	explore_result_free(&r);
}

START_TEST(test_hash_cache_matches)
{
	static const char *const dirs[] = { "teaching", "races", "history" };

	ck_assert_int_ge(for_each_scenario(dirs, G_N_ELEMENTS(dirs), cache_matches, NULL), 50);
}
END_TEST


/* The hash covers exactly the counters an `expect stat` line reads. */
START_TEST(test_hash_counters)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_string("t.scn",
	    "tcp a b\nthread t: send a 10\nexpect stat persist_timeouts >= 0\n", &err);
	const Profile *p = profile_find("netbsd-2.0");
	World *w;
	uint64_t h;

	ck_assert_ptr_nonnull(s);
	w = world_new(s, p, p->quirks);
	h = world_hash(w);
	w->stats.acks++;                /* no expectation reads it */
	ck_assert_uint_eq(world_hash(w), h);
	w->stats.persist_timeouts++;    /* the scenario's expect stat reads it */
	ck_assert_uint_ne(world_hash(w), h);
	w->run->hash_counters = ~0ull;  /* the full hash (ExploreOpts.full_hash) */
	h = world_hash(w);
	w->stats.acks++;
	ck_assert_uint_ne(world_hash(w), h);
	world_free(w);
	scenario_free(s);
}
END_TEST

/*
 * Pool slots are not part of a world's value (world_hash.c): a world
 * whose mbufs sit in other slots, because the free list was shuffled
 * before it started, hashes the same at every step as the plain one,
 * while the full hash (pool slots included) tells them apart.
 */
START_TEST(test_hash_ignores_slots)
{
	Scenario *s = parse("profile openbsd-7.6\ntcp a b\n"
	    "thread t: send a 5000 => 5000 ; shutdown a wr\n"
	    "thread r: recv b 6000 WAITALL => 5000 ; recv b 1 => 0\n");
	const Profile *p = profile_find("openbsd-7.6");
	World *a = world_new(s, p, p->quirks), *b = world_new(s, p, p->quirks);
	Ref x = m_get(b, M_DONTWAIT, MT_DATA), y = m_get(b, M_DONTWAIT, MT_DATA);
	bool slots_differ = false;

	/* freed in this order, the next mbuf b hands out is y's slot, not x's */
	m_free(b, x);
	m_free(b, y);
	for (;;) {
		bool more_a = sched_step(a), more_b = sched_step(b);

		ck_assert_int_eq(more_a, more_b);
		ck_assert_uint_eq(world_hash(a), world_hash(b));
		a->run->hash_slots = b->run->hash_slots = true;
		slots_differ |= world_hash(a) != world_hash(b);
		a->run->hash_slots = b->run->hash_slots = false;
		if (!more_a)
			break;
	}
	ck_assert(slots_differ);
	ck_assert_int_eq(a->violation, V_NONE);
	world_free(a);
	world_free(b);
	scenario_free(s);
}
END_TEST

/* A handle a frame keeps is named by where it points: soreceive stopped
 * in its copy loop over two queued datagrams hashes differently when its
 * `nextrecord` points at another place in so_rcv. */
START_TEST(test_hash_names_frame_handles)
{
	Scenario *s = parse("profile openbsd-7.6\nudp u\nudp v\n"
	    "thread t: sendto u v 10 => 10 ; sendto u v 20 => 20 ; sendto u v 30 => 30\n"
	    "thread r: sleep 1ms ; recv v 100 => 10\n");
	const Profile *p = profile_find("openbsd-7.6");
	World *w = world_new(s, p, p->quirks);
	Frame *f = NULL;
	Ref next;
	uint64_t h;

	while (f == NULL && sched_step(w)) {
		Thread *t = &w->threads[1];

		if (t->depth > 0 && t->stack[t->depth - 1].mach == MACH_SORECEIVE &&
		    !ref_null(t->stack[t->depth - 1].u.sr.nextrecord))
			f = &t->stack[t->depth - 1];
	}
	ck_assert_ptr_nonnull(f);
	h = world_hash(w);
	next = f->u.sr.nextrecord;
	ck_assert(!ref_eq(next, w->socks[1].rcv.mb));
	f->u.sr.nextrecord = w->socks[1].rcv.mb;       /* another place in the chain */
	ck_assert_uint_ne(world_hash(w), h);
	f->u.sr.nextrecord = (Ref){ next.i, next.g + 1 };   /* a freed mbuf */
	ck_assert_uint_ne(world_hash(w), h);
	f->u.sr.nextrecord = next;
	ck_assert_uint_eq(world_hash(w), h);
	world_free(w);
	scenario_free(s);
}
END_TEST

/*
 * Partial-order reduction loses nothing: on every race and history
 * scenario the verdict, the `sometimes` that held and the preemptions of
 * the shortest failing schedule are the same with and without it.
 */
START_TEST(test_por_keeps_verdicts)
{
	int failing = 0;

	ck_assert_int_ge(for_each_explored(por_vs_plain, &failing), 20);
	ck_assert_int_gt(failing, 0);
}
END_TEST


/* The table of worlds seen against GLib's: keys that share their low bits
 * (one probe run), the zero key, growth, and a stored value replaced. */
START_TEST(test_seen_table)
{
	Seen *t = seen_new();
	GHashTable *oracle = g_hash_table_new_full(mix64, g_int64_equal, g_free, NULL);
	uint64_t x = 88172645463325252ull;
	int pre;

	for (int i = 0; i < 300000; i++) {
		uint64_t k;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* a third of the keys differ only above bit 40 */
		k = i % 3 == 0 ? (x & ~0xffffffffffull) | 12345 : x;
		if (i == 1000)
			k = 0;
		seen_put(t, k, (int)(k % 17));
		g_hash_table_insert(oracle, g_memdup2(&k, sizeof k), GINT_TO_POINTER((int)(k % 17)));
	}
	ck_assert_uint_eq(seen_count(t), g_hash_table_size(oracle));
	GHashTableIter it;
	gpointer key, val;

	g_hash_table_iter_init(&it, oracle);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		ck_assert(seen_get(t, *(uint64_t *)key, &pre));
		ck_assert_int_eq(pre, GPOINTER_TO_INT(val));
	}
	for (uint64_t k = 1; k < 1000; k++)
		if (!g_hash_table_contains(oracle, &k))
			ck_assert(!seen_get(t, k, &pre));
	/* the fewest preemptions replaces what was stored */
	seen_put(t, 0, 3);
	ck_assert(seen_get(t, 0, &pre));
	ck_assert_int_eq(pre, 3);
	ck_assert_uint_eq(seen_count(t), g_hash_table_size(oracle));
	g_hash_table_destroy(oracle);
	seen_free(t);
}
END_TEST

/*
 * A scenario with more expectations than a report has room for (64):
 * one that fails beyond them fails the exploration as it fails `sosim
 * run`, though the report keeps only the last of those past the 64th.
 */
START_TEST(test_many_expectations)
{
	GString *t = g_string_new(two_threads);
	Scenario *s;
	ExploreResult *r;
	const Profile *p;
	World *w;
	ExpectReport *rep = g_new0(ExpectReport, 1);

	for (int i = 0; i < 70; i++)
		g_string_append_printf(t, "expect %sdelivered v == %d\n", i == 3 || i == 69 ? "sometimes " : "",
		    i == 66 ? 5 : 0);
	s = parse(t->str);
	p = profile_find(s->profile);
	w = world_new(s, p, p->quirks);
	sched_run(w);
	ck_assert_int_eq(expect_check(w, rep), 1);
	ck_assert_int_eq(rep->n, EXPECT_MAX);
	world_free(w);
	r = explore(s, 2, false);
	ck_assert_int_eq(r->verdict, EXPLORE_FAIL);
	ck_assert_int_eq(r->fail_n, 0);
	ck_assert_uint_eq(r->fail_steps, 6);
	ck_assert(r->sometimes_held[3]);
	ck_assert_uint_eq(r->seen_steps[3], 6);
	ck_assert_int_eq(r->nsometimes_missing, 0);
	done(s, r);
	g_free(rep);
	g_string_free(t, TRUE);
}
END_TEST

/* A plan's text in the world of s. */
static char *
plan_text(const Scenario *s, const SchedDev *d, int n)
{
	const Profile *p = profile_find(s->profile);
	World *w = world_new(s, p, p->quirks);
	char *text = sched_plan_format(w, d, n);

	world_free(w);
	return text;
}

/* Replayed, plan d fails in `steps` steps. */
static void
assert_replay_fails(const Scenario *s, const SchedDev *d, int n, uint64_t steps)
{
	const Profile *p = profile_find(s->profile);
	World *w = world_new(s, p, p->quirks);
	ExpectReport *rep = g_new0(ExpectReport, 1);

	sched_set_plan(w, d, n);
	sched_run(w);
	ck_assert_int_gt(expect_check(w, rep), 0);
	ck_assert_uint_eq(w->step, steps);
	world_free(w);
	g_free(rep);
}

/*
 * Several failing schedules of one preemption, all as long: b or c shuts
 * the connection down before a's send, at step 1, 2 or 3.  The shortest
 * is the one whose deviation comes first, then names the thread declared
 * first: "1:b", whichever order the search meets them in, and a search
 * that meets 2-preemption failures first still ends with it.
 */
static const char three_threads[] =
    "profile netbsd-2.0\n"
    "tcp x y\n"
    "udp v\n"
    "thread a:\n"
    "    soerror v => 0\n"
    "    soerror v => 0\n"
    "    send x 10 => 10\n"
    "thread b:\n"
    "    shutdown x wr => 0\n"
    "thread c:\n"
    "    shutdown x wr => 0\n";

START_TEST(test_shortest_failure)
{
	Scenario *s = parse(three_threads);

	for (int k = 1; k <= 3; k++) {
		ExploreResult *r = explore(s, k, k == 3);
		char *text;

		ck_assert_int_eq(r->verdict, EXPLORE_FAIL);
		ck_assert_int_eq(r->fail_n, 1);
		text = plan_text(s, r->fail_plan, r->fail_n);
		ck_assert_str_eq(text, "1:b");
		assert_replay_fails(s, r->fail_plan, r->fail_n, r->fail_steps);
		/* saved as text and read back, it fails the same way */
		{
			const Profile *p = profile_find(s->profile);
			World *w = world_new(s, p, p->quirks);
			SchedDev *d;
			int n;
			char *err;

			ck_assert(sched_plan_parse(w, text, &d, &n, &err));
			ck_assert_int_eq(n, r->fail_n);
			for (int i = 0; i < n; i++)
				ck_assert(d[i].step == r->fail_plan[i].step && d[i].who == r->fail_plan[i].who);
			assert_replay_fails(s, d, n, r->fail_steps);
			g_free(d);
			world_free(w);
		}
		g_free(text);
		explore_result_free(r);
		g_free(r);
	}
	scenario_free(s);
}
END_TEST

/*
 * Random (PCT) schedules: a run of r schedules is told by its seed (the
 * same seed, the same search); it finds the planted bug's shortest
 * failing schedule as the systematic search does, and that replays.  It
 * never says it covered every schedule.
 */
static ExploreResult *
explore_random(Scenario *s, uint64_t runs, uint64_t seed, int depth)
{
	ExploreOpts o = { 0 };
	ExploreResult *r = g_new0(ExploreResult, 1);
	const Profile *p = profile_find(s->profile);

	o.random = runs;
	o.seed = seed;
	o.pct_depth = depth;
	explore_run(s, p, p->quirks, &o, r);
	return r;
}

START_TEST(test_random)
{
	Scenario *s = parse(three_threads);
	ExploreResult *a = explore_random(s, 300, 7, 0), *b = explore_random(s, 300, 7, 0);
	ExploreResult *c = explore_random(s, 300, 8, 1), *d;
	char *text;

	ck_assert_int_eq(a->verdict, EXPLORE_FAIL);
	ck_assert(!a->complete);
	ck_assert_uint_eq(a->schedules, 300);
	ck_assert_uint_gt(a->distinct, 1);
	ck_assert_uint_ge(a->max_depth, a->fail_steps);
	ck_assert_uint_gt(a->choice_points, 0);
	text = plan_text(s, a->fail_plan, a->fail_n);
	ck_assert_str_eq(text, "1:b");
	g_free(text);
	assert_replay_fails(s, a->fail_plan, a->fail_n, a->fail_steps);
	/* the same seed: the same search */
	ck_assert(a->states == b->states && a->distinct == b->distinct && a->fail_n == b->fail_n &&
	    a->fail_steps == b->fail_steps && a->choice_points == b->choice_points);
	for (int i = 0; i < a->fail_n; i++)
		ck_assert(a->fail_plan[i].step == b->fail_plan[i].step && a->fail_plan[i].who == b->fail_plan[i].who);
	/* another seed and no priority change points: the same answer */
	ck_assert_int_eq(c->verdict, EXPLORE_FAIL);
	ck_assert_int_eq(c->fail_n, 1);
	ck_assert(a->fail_plan[0].step == c->fail_plan[0].step && a->fail_plan[0].who == c->fail_plan[0].who);
	/* nothing to find */
	done(s, a);
	explore_result_free(b);
	g_free(b);
	explore_result_free(c);
	g_free(c);
	s = parse(two_threads);
	d = explore_random(s, 50, 3, 4);
	ck_assert_int_eq(d->verdict, EXPLORE_PASS);
	ck_assert_int_eq(d->fail_n, 0);
	ck_assert_uint_eq(d->fail_steps, 0);
	ck_assert_uint_eq(d->schedules, 50);
	ck_assert_uint_eq(d->max_depth, 6);
	done(s, d);
}
END_TEST

/* A run a limit stops is a failing run, random or not; and more priority
 * change points than the table of them holds (16) are as many as it holds. */
START_TEST(test_random_limit)
{
	GString *t = g_string_new("limit steps 4\n");
	Scenario *s;
	ExploreResult *r, *q;
	bool stopped;

	g_string_append(t, two_threads);
	s = parse(t->str);
	r = explore_random(s, 20, 5, 20);
	q = explore_random(s, 20, 5, 17);
	ck_assert_int_eq(r->verdict, EXPLORE_FAIL);
	ck_assert_uint_eq(r->max_depth, 4);
	ck_assert_uint_eq(r->fail_steps, 4);
	ck_assert_int_eq(r->fail_n, 0);
	stopped = false;
	for (int i = 0; i < r->fail_report.n; i++)
		stopped |= !r->fail_report.items[i].ok &&
		    strstr(r->fail_report.items[i].msg, "the run was stopped: step limit reached") != NULL;
	ck_assert(stopped);
	ck_assert_uint_eq(r->states, q->states);
	ck_assert_uint_eq(r->distinct, q->distinct);
	explore_result_free(q);
	g_free(q);
	done(s, r);
	s = parse(t->str);
	r = explore(s, 2, false);
	ck_assert_int_eq(r->verdict, EXPLORE_FAIL);
	ck_assert_uint_eq(r->fail_steps, 4);
	done(s, r);
	g_string_free(t, TRUE);
}
END_TEST

/* `expect sometimes` under random schedules: each that held comes with
 * the shortest run that showed it; one that never held fails the search,
 * though it never covers every schedule. */
START_TEST(test_random_sometimes)
{
	GString *t = g_string_new("profile netbsd-2.0\n"
	    "tcp x y\n"
	    "thread a:\n    send x 10\n"
	    "thread b:\n    shutdown x wr => 0\n"
	    "thread c:\n    sleep 1ms\n    recv y 100\n"
	    "expect sometimes delivered y == 10\n"
	    "expect sometimes delivered y == 0\n");
	Scenario *s = parse(t->str);
	ExploreResult *r = explore_random(s, 200, 11, 0);

	ck_assert_int_eq(r->verdict, EXPLORE_PASS);
	ck_assert_int_eq(r->nsometimes_missing, 0);
	ck_assert(r->sometimes_held[0] && r->sometimes_held[1]);
	ck_assert_int_eq(r->seen_n[0], 0);
	ck_assert_int_eq(r->seen_n[1], 1);
	done(s, r);
	g_string_append(t, "expect sometimes delivered y == 5\n");
	s = parse(t->str);
	r = explore_random(s, 50, 11, 0);
	ck_assert_int_eq(r->verdict, EXPLORE_FAIL);
	ck_assert_int_eq(r->nsometimes_missing, 1);
	ck_assert_uint_eq(r->fail_steps, 0);
	done(s, r);
	g_string_free(t, TRUE);
}
END_TEST

/* The progress callback: called about every 1024 states (between runs),
 * as the states grow, with the counts so far. */
typedef struct {
	int calls;
	uint64_t last_states;
} Progress;

static void
on_progress(void *ctx, uint64_t states, uint64_t schedules, uint64_t distinct)
{
	Progress *p = ctx;

	ck_assert_uint_gt(states, p->last_states);
	ck_assert_uint_le(distinct, states);
	ck_assert_uint_le(schedules, states);
	p->last_states = states;
	p->calls++;
}

START_TEST(test_progress)
{
	Scenario *s = parse(three_threads);
	const Profile *p = profile_find(s->profile);

	for (int random = 0; random < 2; random++) {
		ExploreOpts o = { 0 };
		ExploreResult r;
		Progress pr = { 0, 0 };

		o.preemptions = 8;
		o.no_prune = true;
		o.random = random ? 2000 : 0;
		o.progress = on_progress;
		o.ctx = &pr;
		explore_run(s, p, p->quirks, &o, &r);
		ck_assert_uint_gt(r.states, 3000);
		ck_assert_int_ge(pr.calls, (int)(r.states / 1024) - 1);
		ck_assert_int_le(pr.calls, (int)(r.states / 1024) + 1);
		ck_assert_uint_le(pr.last_states, r.states);
		explore_result_free(&r);
	}
	scenario_free(s);
}
END_TEST

/* Checking every socket after every step (full_checks) finds what the
 * checks of the touched sockets find, in the same schedules. */
START_TEST(test_full_checks)
{
	Scenario *s = parse(three_threads);
	const Profile *p = profile_find(s->profile);
	ExploreOpts o = { 0 };
	ExploreResult a, b;

	o.preemptions = 2;
	explore_run(s, p, p->quirks, &o, &a);
	o.full_checks = true;
	explore_run(s, p, p->quirks, &o, &b);
	ck_assert(a.verdict == b.verdict && a.schedules == b.schedules && a.fail_n == b.fail_n &&
	    a.fail_steps == b.fail_steps && a.distinct == b.distinct);
	explore_result_free(&a);
	explore_result_free(&b);
	scenario_free(s);
}
END_TEST

/* The table of worlds seen keeps a stored value when asked to, for the
 * zero key as for the others; freeing nothing is nothing. */
static bool
keep_smaller(int old, void *arg)
{
	return old <= *(int *)arg;
}

START_TEST(test_seen_update)
{
	Seen *t = seen_new();
	int old = -1, pre;

	for (uint64_t k = 0; k < 2; k++) {
		int three = 3, one = 1;

		ck_assert(!seen_update(t, k, 2, &old, keep_smaller, &three));
		ck_assert(seen_update(t, k, 3, &old, keep_smaller, &three));     /* kept: 2 <= 3 */
		ck_assert_int_eq(old, 2);
		ck_assert(seen_get(t, k, &pre));
		ck_assert_int_eq(pre, 2);
		ck_assert(seen_update(t, k, 1, &old, keep_smaller, &one));       /* replaced: 2 > 1 */
		ck_assert(seen_get(t, k, &pre));
		ck_assert_int_eq(pre, 1);
	}
	ck_assert_uint_eq(seen_count(t), 2);
	ck_assert(!seen_get(t, 5, &pre));
	seen_free(t);
	seen_free(NULL);
}
END_TEST

/* A value that does not fit the table's byte is refused (g_assert). */
#define REFUSED 77

static Seen *refused_table;    /* freed on the way out, for valgrind */

static void
on_abort(int sig)
{
	(void)sig;
	seen_free(refused_table);
	exit(REFUSED);  /* exit(), so the child's atexit handlers run (gcov's) */
}

START_TEST(test_seen_refuses_big)
{
	refused_table = seen_new();
	signal(SIGABRT, on_abort);
	seen_put(refused_table, 1, 256);
}
END_TEST

START_TEST(test_seen_refuses_negative)
{
	refused_table = seen_new();
	signal(SIGABRT, on_abort);
	seen_put(refused_table, 1, -1);
}
END_TEST

/*
 * verify_cache catches a step that changes a socket without noting it in
 * its footprint: here the scenario's `at` event, handled by a stand-in
 * that sets u's so_error behind the cache's back.  Noting the socket, as
 * every handler of the kernel does, the cache stays right.
 */
static bool note_it;

static void
sneaky_event(World *w, uint32_t a, uint32_t gen)
{
	(void)a;
	(void)gen;
	if (note_it)
		fp_sock(w, 0);
	w->socks[0].error++;
}

START_TEST(test_verify_cache_catches)
{
	static const WorkHandler h = { "sneaky", sneaky_event, NULL, false };
	Scenario *s = parse("profile netbsd-2.0\nudp u\nudp v\n"
	    "at 1ms datagram u from 10.0.0.2:4000 len 10\n"
	    "thread a:\n    sleep 1ms\n    soerror v => 0\n    soerror v => 0\n"
	    "thread b:\n    sleep 1ms\n    soerror v => 0\n    soerror v => 0\n");
	const Profile *p = profile_find(s->profile);
	World *w = world_new(s, p, p->quirks);  /* the engine's handlers are in */

	world_free(w);
	sched_register_work(KW_SCENARIO, &h);
	for (int k = 0; k < 2; k++) {
		ExploreOpts o = { 0 };
		ExploreResult r;

		note_it = k == 1;
		o.preemptions = 2;
		o.verify_cache = true;
		explore_run(s, p, p->quirks, &o, &r);
		ck_assert_uint_gt(r.distinct, 4);
		if (note_it)
			ck_assert_uint_eq(r.cache_mismatches, 0);
		else
			ck_assert_uint_gt(r.cache_mismatches, 0);
		explore_result_free(&r);
	}
	scenario_free(s);
}
END_TEST

/*
 * A deadlock that only some orders reach: a signal handled in user mode
 * (softnet first, the default) leaves r asleep in its recv for good;
 * with r first, the signal interrupts the recv.  `expect deadlock` fails
 * in the second order: its one preemption is the schedule, and replayed
 * it ends without a deadlock.  `expect no-deadlock` fails at once, in the
 * default run, whose report says who sleeps where.
 */
START_TEST(test_deadlock_schedule)
{
	static const char base[] = "profile netbsd-2.0\ntcp x y\nat 0ms signal r\n"
	    "thread r:\n    recv y 10\n";
	char *text = g_strconcat(base, "expect deadlock\n", NULL);
	Scenario *s = parse(text);
	ExploreResult *r = explore(s, 2, false);
	const Profile *p = profile_find(s->profile);
	World *w;
	bool said = false;

	ck_assert_int_eq(r->verdict, EXPLORE_FAIL);
	ck_assert_int_eq(r->fail_n, 1);
	ck_assert_uint_eq(r->fail_plan[0].step, 1);
	ck_assert_int_eq(r->fail_plan[0].who, 0);
	w = world_new(s, p, p->quirks);
	sched_set_plan(w, r->fail_plan, r->fail_n);
	ck_assert_int_eq(sched_run(w), STOP_DONE);
	ck_assert(!w->deadlocked);
	ck_assert_int_eq(w->threads[0].err, K_EINTR);
	world_free(w);
	done(s, r);
	g_free(text);

	text = g_strconcat(base, "expect no-deadlock\n", NULL);
	s = parse(text);
	r = explore(s, 2, false);
	ck_assert_int_eq(r->verdict, EXPLORE_FAIL);
	ck_assert_int_eq(r->fail_n, 0);
	for (int i = 0; i < r->fail_report.n; i++)
		said |= !r->fail_report.items[i].ok &&
		    strstr(r->fail_report.items[i].msg, "thread r sleeps on y.so_rcv.sb_cc") != NULL;
	ck_assert(said);
	done(s, r);
	g_free(text);
}
END_TEST

/*
 * A violation in one order: the 2024 close race of a UDP splice source
 * with its bug's quirk on.  The schedule found replays to the same
 * violation at the same step; without the quirk every order is clean.
 */
START_TEST(test_violation_schedule)
{
	const char *root = g_getenv("SOSIM_SOURCE_ROOT");
	char *path;
	Scenario *s;
	const Profile *p;
	ExploreOpts o = { 0 };
	ExploreResult r;
	uint32_t q;
	World *w;

	ck_assert_ptr_nonnull(root);
	path = g_build_filename(root, "scenarios", "races", "close-source-udp.scn", NULL);
	s = scenario_parse_file(path, NULL);
	ck_assert_ptr_nonnull(s);
	p = profile_of(s);
	q = quirks_of(s, p);
	o.preemptions = 2;
	explore_run(s, p, q, &o, &r);
	ck_assert_int_eq(r.verdict, EXPLORE_PASS);
	explore_result_free(&r);
	q |= 1u << QUIRK_UDP_CLOSE_SKIP_UNSPLICE;
	explore_run(s, p, q, &o, &r);
	ck_assert_int_eq(r.verdict, EXPLORE_FAIL);
	ck_assert_int_ge(r.fail_n, 1);
	w = world_new(s, p, q);
	sched_set_plan(w, r.fail_plan, r.fail_n);
	ck_assert_int_eq(sched_run(w), STOP_VIOLATION);
	ck_assert_uint_eq(w->step, r.fail_steps);
	ck_assert_int_ne(w->violation, V_NONE);
	world_free(w);
	explore_result_free(&r);
	scenario_free(s);
	g_free(path);
}
END_TEST

/*
 * An interrupt (ExploreOpts.interrupt, a signal handler's flag) stops
 * the search at the next step: partial, never a failure for want of a
 * `sometimes`, random or not; set before it starts, not a step is taken.
 */
typedef struct {
	volatile sig_atomic_t *flag;
	uint64_t at;
} Stopper;

static void
stop_at(void *ctx, uint64_t states, uint64_t schedules, uint64_t distinct)
{
	Stopper *st = ctx;

	(void)schedules;
	(void)distinct;
	if (states >= st->at)
		*st->flag = 1;
}

START_TEST(test_interrupt)
{
	GString *t = g_string_new("profile netbsd-2.0\nudp u\nudp v\n");
	Scenario *s;
	const Profile *p;
	static volatile sig_atomic_t flag;

	for (int i = 0; i < 3; i++)
		g_string_append_printf(t, "thread t%d:\n    soerror u => 0\n    soerror v => 0\n"
		    "    soerror u => 0\n", i);
	g_string_append(t, "expect sometimes delivered v == 5\n");        /* never */
	s = parse(t->str);
	p = profile_find(s->profile);
	for (int random = 0; random < 2; random++) {
		ExploreOpts o = { 0 };
		ExploreResult r;
		Stopper st = { &flag, 3000 };

		o.preemptions = 8;
		o.no_prune = true;
		o.random = random ? 5000 : 0;
		o.interrupt = &flag;
		flag = 1;
		explore_run(s, p, p->quirks, &o, &r);
		ck_assert(r.interrupted);
		ck_assert(!r.complete);
		ck_assert_int_eq(r.verdict, EXPLORE_PARTIAL);
		ck_assert_uint_le(r.states, 1);
		ck_assert_uint_eq(r.schedules, 0);
		explore_result_free(&r);

		flag = 0;
		o.progress = stop_at;
		o.ctx = &st;
		explore_run(s, p, p->quirks, &o, &r);
		ck_assert(r.interrupted);
		ck_assert_int_eq(r.verdict, EXPLORE_PARTIAL);
		ck_assert_uint_ge(r.states, 3000);
		ck_assert_uint_lt(r.states, 3000 + 2048);
		ck_assert_uint_gt(r.schedules, 0);
		explore_result_free(&r);

		/* not interrupted: the `sometimes` never held, a failure */
		flag = 0;
		o.progress = NULL;
		o.no_prune = false;
		o.random = random ? 50 : 0;
		explore_run(s, p, p->quirks, &o, &r);
		ck_assert(!r.interrupted);
		ck_assert_int_eq(r.verdict, EXPLORE_FAIL);
		ck_assert_int_eq(r.nsometimes_missing, 1);
		explore_result_free(&r);
	}
	scenario_free(s);
	g_string_free(t, TRUE);
}
END_TEST

/* Checkpoints capped at next to no memory thin out, and the search finds
 * what it finds with room to spare, in as many schedules. */
START_TEST(test_checkpoint_cap)
{
	Scenario *s = parse(three_threads);
	const Profile *p = profile_find(s->profile);
	ExploreOpts o = { 0 };
	ExploreResult a, b;

	o.preemptions = 3;
	o.checkpoint_every = 2;
	explore_run(s, p, p->quirks, &o, &a);
	o.max_checkpoint_bytes = 1;
	explore_run(s, p, p->quirks, &o, &b);
	ck_assert_uint_eq(a.checkpoint_thinned, 0);
	ck_assert_uint_gt(b.checkpoint_thinned, 0);
	ck_assert_uint_gt(b.checkpoint_every, 2);
	ck_assert(a.verdict == b.verdict && a.schedules == b.schedules && a.distinct == b.distinct &&
	    a.fail_n == b.fail_n && a.fail_steps == b.fail_steps && a.pruned == b.pruned);
	for (int i = 0; i < a.fail_n; i++)
		ck_assert(a.fail_plan[i].step == b.fail_plan[i].step && a.fail_plan[i].who == b.fail_plan[i].who);
	ck_assert_uint_gt(b.states, a.states);         /* longer replays */
	explore_result_free(&a);
	explore_result_free(&b);
	scenario_free(s);
}
END_TEST

static Suite *
explore_suite(void)
{
	Suite *s = suite_create("explore");
	TCase *tc = tcase_create("explore");

	tcase_add_test(tc, test_count_all_interleavings);
	tcase_add_test(tc, test_preemption_bound);
	tcase_add_test(tc, test_distinct_worlds);
	tcase_add_test(tc, test_planted_bug);
	tcase_add_test(tc, test_sometimes_witness);
	tcase_add_test(tc, test_plan_text);
	tcase_add_test(tc, test_sometimes);
	tcase_add_test(tc, test_partial);
	tcase_add_test(tc, test_restore_equals_replay);
	tcase_add_test(tc, test_por_keeps_verdicts);
	tcase_add_test(tc, test_hash_cache_matches);
	tcase_add_test(tc, test_tight_hash_keeps_verdicts);
	tcase_add_test(tc, test_hash_counters);
	tcase_add_test(tc, test_hash_ignores_slots);
	tcase_add_test(tc, test_hash_names_frame_handles);
	tcase_add_test(tc, test_seen_table);
	tcase_add_test(tc, test_many_expectations);
	tcase_add_test(tc, test_shortest_failure);
	tcase_add_test(tc, test_deadlock_schedule);
	tcase_add_test(tc, test_violation_schedule);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_random_sometimes);
	tcase_add_test(tc, test_random_limit);
	tcase_add_test(tc, test_progress);
	tcase_add_test(tc, test_full_checks);
	tcase_add_test(tc, test_interrupt);
	tcase_add_test(tc, test_checkpoint_cap);
	tcase_add_test(tc, test_seen_update);
	tcase_add_exit_test(tc, test_seen_refuses_big, REFUSED);
	tcase_add_exit_test(tc, test_seen_refuses_negative, REFUSED);
	/* last: it replaces the handler of the scenario's `at` events (for
	 * the rest of the process, without Check's fork mode) */
	tcase_add_test(tc, test_verify_cache_catches);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(explore_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
