/*
 * test_snapshot.c: the world as a value (sim/engine/snapshot.h, seek.h).
 *
 * For every scenario in scenarios/: a world restored from a snapshot, a
 * clone and a seeked world are equal (world_hash, step, counters) to the
 * world played straight to the same step, at many steps, forwards and
 * backwards; and a run continued from a restored snapshot ends the same.
 */
#include <check.h>
#include <glib.h>

#include "expect.h"
#include "sched.h"
#include "seek.h"
#include "snapshot.h"
#include "world_hash.h"

#define MAX_SAMPLED 4000      /* steps whose hash is recorded per scenario */

typedef struct {
	uint64_t hash, cost_calls;
	Stats stats;
} Point;

static GPtrArray *
scenario_paths(void)
{
	const char *root = g_getenv("SOSIM_SOURCE_ROOT");
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	static const char *const dirs[] = { "teaching", "races", "history", "perf" };

	ck_assert_msg(root != NULL, "SOSIM_SOURCE_ROOT is not set");
	for (size_t d = 0; d < G_N_ELEMENTS(dirs); d++) {
		char *dir = g_build_filename(root, "scenarios", dirs[d], NULL);
		GDir *gd = g_dir_open(dir, 0, NULL);
		const char *name;

		while (gd != NULL && (name = g_dir_read_name(gd)) != NULL)
			if (g_str_has_suffix(name, ".scn"))
				g_ptr_array_add(a, g_build_filename(dir, name, NULL));
		if (gd != NULL)
			g_dir_close(gd);
		g_free(dir);
	}
	g_ptr_array_sort(a, (GCompareFunc)g_strcmp0);
	ck_assert_uint_gt(a->len, 40);
	return a;
}

static World *
make(const Scenario *s)
{
	const Profile *p = profile_find(s->profile ? s->profile : "netbsd-2.0");
	World *w;

	ck_assert_ptr_nonnull(p);
	w = world_new(s, p, (p->quirks | s->quirks_on) & ~s->quirks_off);
	if (s->has_seed)
		world_set_seed(w, (uint64_t)s->seed);
	return w;
}

static Point
point(const World *w)
{
	Point p = { world_hash(w), 0, w->stats };

	for (int i = 0; i < R__COUNT; i++)
		p.cost_calls += w->cost[i].calls + w->cost[i].bytes;
	return p;
}

static void
assert_point(const World *w, const Point *want, const char *path, const char *how, uint64_t n)
{
	Point got = point(w);

	ck_assert_msg(got.hash == want->hash, "%s: %s at step %llu: world hash differs", path, how,
	    (unsigned long long)n);
	ck_assert_msg(memcmp(&got.stats, &want->stats, sizeof got.stats) == 0,
	    "%s: %s at step %llu: counters differ", path, how, (unsigned long long)n);
	ck_assert_msg(got.cost_calls == want->cost_calls, "%s: %s at step %llu: cost profile differs",
	    path, how, (unsigned long long)n);
}

/* Play s to the end, recording each step's point (up to MAX_SAMPLED). */
static GArray *
play(const Scenario *s, uint64_t *last)
{
	GArray *pts = g_array_new(FALSE, FALSE, sizeof(Point));
	World *w = make(s);
	Point p = point(w);

	g_array_append_val(pts, p);
	while (sched_step(w) && w->step < MAX_SAMPLED) {
		p = point(w);
		g_array_append_val(pts, p);
	}
	if (w->step < MAX_SAMPLED) {
		if (w->stop == STOP_DONE || w->stop == STOP_DEADLOCK)
			invariants_check_end(w);
		p = point(w);
		if (w->step == pts->len - 1)
			g_array_index(pts, Point, w->step) = p;
		else
			g_array_append_val(pts, p);
	}
	*last = w->step;
	world_free(w);
	return pts;
}

START_TEST(test_seek_equals_play)
{
	GPtrArray *paths = scenario_paths();

	for (guint k = 0; k < paths->len; k++) {
		const char *path = g_ptr_array_index(paths, k);
		GError *err = NULL;
		Scenario *s = scenario_parse_file(path, &err);
		uint64_t last, n;
		GArray *pts;
		Seeker *sk;
		GRand *rnd = g_rand_new_with_seed(k + 1);

		ck_assert_msg(s != NULL, "%s", err ? err->message : path);
		pts = play(s, &last);
		/* snapshots every 7 steps, so seeks cross many of them */
		sk = seeker_new(make(s), 7, 0);
		n = pts->len - 1;
		/* forwards to the end, then backwards one step at a time (a part) */
		ck_assert_uint_eq(seeker_seek(sk, n), n);
		assert_point(seeker_world(sk), &g_array_index(pts, Point, n), path, "seek forwards", n);
		for (uint64_t i = 0; i < 40 && i < n; i++) {
			uint64_t m = n - 1 - i;

			ck_assert_uint_eq(seeker_seek(sk, m), m);
			assert_point(seeker_world(sk), &g_array_index(pts, Point, m), path, "seek back", m);
		}
		/* random steps */
		for (int i = 0; i < 60; i++) {
			uint64_t m = (uint64_t)g_rand_int_range(rnd, 0, (gint32)n + 1);

			ck_assert_uint_eq(seeker_seek(sk, m), m);
			assert_point(seeker_world(sk), &g_array_index(pts, Point, m), path, "seek random", m);
		}
		/* past the end stops at the end */
		if (last < MAX_SAMPLED) {
			ck_assert_uint_eq(seeker_seek(sk, last + 100), last);
			ck_assert_uint_eq(seeker_last(sk), last);
		}
		seeker_free(sk);
		g_rand_free(rnd);
		g_array_free(pts, TRUE);
		scenario_free(s);
	}
	g_ptr_array_free(paths, TRUE);
}
END_TEST

/* A snapshot at step n, the run continued to the end, restored, continued
 * again: the same end; and a clone stepped beside the original stays equal. */
START_TEST(test_restore_and_clone)
{
	GPtrArray *paths = scenario_paths();

	for (guint k = 0; k < paths->len; k++) {
		const char *path = g_ptr_array_index(paths, k);
		Scenario *s = scenario_parse_file(path, NULL);
		World *w = make(s), *c;
		Snapshot *snap;
		Point end1, end2;
		uint64_t n = 0, steps1;
		StopReason stop1;

		ck_assert_ptr_nonnull(s);
		for (int i = 0; i < 5 + (int)(k % 13) && sched_step(w); i++)
			n = w->step;
		snap = snapshot_take(w);
		c = world_clone(w);
		ck_assert_msg(world_hash(c) == world_hash(w), "%s: clone differs", path);
		sched_run(w);
		end1 = point(w);
		steps1 = w->step;
		stop1 = w->stop;
		snapshot_restore(snap, w);
		ck_assert_uint_eq(w->step, n);
		sched_run(w);
		end2 = point(w);
		ck_assert_msg(end1.hash == end2.hash && w->step == steps1 && w->stop == stop1,
		    "%s: the run from a restored snapshot ends differently", path);
		sched_run(c);
		ck_assert_msg(world_hash(c) == end1.hash && c->step == steps1,
		    "%s: the clone's run ends differently", path);
		snapshot_free(snap);
		world_free(c);
		world_free(w);
		scenario_free(s);
	}
	g_ptr_array_free(paths, TRUE);
}
END_TEST

/* Readers never change the world: a stale handle gives NULL, no violation. */
START_TEST(test_const_readers)
{
	Scenario *s = scenario_parse_string("t.scn",
	    "tcp a b\nthread t: send a 100 => 100\nthread r: recv b 100 => 100\n", NULL);
	World *w = make(s);
	Ref stale;
	uint64_t h;

	ck_assert_ptr_nonnull(s);
	while (sched_step(w) && ref_null(w->socks[1].rcv.mb))
		;
	ck_assert(!ref_null(w->socks[1].rcv.mb));
	stale = w->socks[1].rcv.mb;
	ck_assert_ptr_nonnull(world_mbuf(w, stale));
	sched_run(w);
	h = world_hash(w);
	ck_assert_ptr_null(world_mbuf(w, stale));   /* freed since: stale */
	ck_assert_ptr_null(world_mbuf(w, REF_NULL));
	ck_assert_ptr_null(world_socket(w, WORLD_MAX_SOCKETS - 1));
	ck_assert_int_eq(w->violation, V_NONE);
	ck_assert_uint_eq(world_hash(w), h);
	world_free(w);
	scenario_free(s);
}
END_TEST

/* The snapshot's size grows with the live state, not the pools' capacity. */
START_TEST(test_snapshot_size_follows_live_state)
{
	Scenario *s = scenario_parse_string("t.scn",
	    "tcp a b rcvbuf=131072 sndbuf=131072\nthread t: send a 200000\n", NULL);
	World *w = make(s);
	Snapshot *empty, *full;
	int64_t buffered;

	ck_assert_ptr_nonnull(s);
	empty = snapshot_take(w);
	sched_run(w);   /* nobody reads: the bytes stay in so_snd and so_rcv */
	full = snapshot_take(w);
	buffered = w->socks[0].snd.cc + w->socks[1].rcv.cc;
	ck_assert_int_gt(buffered, 100000);
	ck_assert_uint_lt(snapshot_bytes(empty), 64 * 1024);
	ck_assert_uint_gt(snapshot_bytes(full), (size_t)buffered);
	ck_assert_uint_lt(snapshot_bytes(full), (size_t)buffered + 256 * 1024);
	snapshot_free(empty);
	snapshot_free(full);
	world_free(w);
	scenario_free(s);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("snapshot");
	TCase *tc = tcase_create("value");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_const_readers);
	tcase_add_test(tc, test_snapshot_size_follows_live_state);
	tcase_add_test(tc, test_restore_and_clone);
	tcase_add_test(tc, test_seek_equals_play);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
