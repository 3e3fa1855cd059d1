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
			char *path = g_build_filename(dir, name, NULL);
			Scenario *s = scenario_parse_file(path, NULL);

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
