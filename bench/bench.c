/*
 * bench.c: sosim's benchmarks.  Each prints its figures as `name value`
 * lines; wall times are from CLOCK_MONOTONIC, so compare them as ratios
 * within one run on a shared machine.
 *
 *   bench kttcp      1 GiB kttcp transfer over a TCP pair with default
 *                    buffers, tracing off: payload_bytes_per_s,
 *                    events_per_s, peak_rss_bytes
 *   bench sbappend   a 1 MB-buffer stream with and without the
 *                    sbappend-walk quirk: both wall times and their ratio
 *                    (sbappend_walk_over_fixed), then the cost per byte of
 *                    both paths as the buffer grows
 *   bench splice     1 GiB through a TCP relay (client -> r1, r2 -> server)
 *                    on openbsd-7.6, tracing off: once spliced (SO_SPLICE,
 *                    r1 -> r2) and once with the relay copying through user
 *                    space (recv r1 / send r2, 64 KiB at a time):
 *                    relay_payload_bytes_per_s, splice_over_copy (the
 *                    spliced rate over the copying one) and
 *                    relay_user_copy_bytes (bytes the relay's programs
 *                    read or wrote: 0 when spliced); best of 3 alternating runs
 *   bench explore FILE...
 *                    `sosim explore` of each race scenario at its bound
 *                    (best of 5 per file): states_per_s over all of them
 *                    (steps taken per second of wall time, replays
 *                    included), new_states_per_s (steps past a replayed
 *                    prefix), distinct_states, schedules, wall_s, and
 *                    the same per file; --every K: steps between the
 *                    restoring search's checkpoints
 *   bench hash FILE  a run's step with and without the invariants, and
 *                    world_hash, in ns: what an explored choice point costs
 *   bench tui        `sosim tui` on a run of more than a million steps,
 *                    measured on the screen model (no terminal): the time
 *                    from a key to a finished frame for N (one step back,
 *                    from many places), n, g to random steps, and C to a
 *                    near breakpoint and across the whole run:
 *                    frame_back_median_ms, frame_back_worst_ms,
 *                    frame_next_worst_ms, frame_goto_worst_ms,
 *                    frame_continue_near_worst_ms, frame_continue_whole_run_ms
 *   bench trace      the trace writers on one 16 MiB TCP transfer, output
 *                    counted and thrown away: text_bytes_per_s,
 *                    jsonl_bytes_per_s, chrome_bytes_per_s, and
 *                    jsonl_over_text (JSONL's rate over the text writer's)
 */
#include "explore.h"
#include "cost.h"
#include "expect.h"
#include "kern.h"
#include "scenario.h"
#include "sched.h"
#include "seek.h"
#include "snapshot.h"
#include "world_hash.h"
#include "trace.h"
#include "countfile.h"
#include "tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
	double wall;
	uint64_t steps;
	double cost_per_byte;
	uint64_t delivered;
	StopReason stop;
	char msg[512];
} RunResult;

static uint64_t relay_user_bytes;

static RunResult
run_text(const char *text, uint32_t quirks, CheckMode check)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_string("bench.scn", text, &err);
	RunResult r = { 0 };
	World *w;
	double t0;

	if (s == NULL) {
		fprintf(stderr, "bench: %s\n", err->message);
		exit(2);
	}
	w = world_new(s, profile_find(s->profile ? s->profile : "netbsd-2.0"),
	    profile_find(s->profile ? s->profile : "netbsd-2.0")->quirks | quirks);
	w->run->check = check;
	t0 = now_s();
	sched_run(w);
	r.wall = now_s() - t0;
	r.steps = w->step;
	r.stop = w->stop;
	snprintf(r.msg, sizeof r.msg, "%s", w->run->stop_msg);
	for (int i = 0; i < w->nsocks; i++)
		r.delivered += w->socks[i].delivered;
	relay_user_bytes = 0;
	for (int i = 0; i < w->nsocks; i++)
		if (strcmp(s->sockets[i].name, "r1") == 0 || strcmp(s->sockets[i].name, "r2") == 0)
			relay_user_bytes += w->socks[i].rx_app + w->socks[i].tx_app;
	r.cost_per_byte = r.delivered ? cost_total(w) / (double)r.delivered : 0;
	if (w->violation != V_NONE || w->deadlocked) {
		fprintf(stderr, "bench: the run failed: %s\n", w->run->stop_msg);
		exit(1);
	}
	world_free(w);
	scenario_free(s);
	return r;
}

static int
bench_kttcp(void)
{
	const char *text =
	    "profile netbsd-2.0\n"
	    "tcp a b\n"
	    "thread sender:\n"
	    "    kttcp send a 1GiB => 1073741824\n"
	    "thread receiver:\n"
	    "    kttcp recv b 1GiB => 1073741824\n";
	RunResult r = run_text(text, 0, CHECK_AT_END);
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	if (r.delivered != 1073741824ull) {
		fprintf(stderr, "bench: delivered %llu bytes, want 1 GiB\n", (unsigned long long)r.delivered);
		return 1;
	}
	printf("payload_bytes %llu\n", (unsigned long long)r.delivered);
	printf("wall_s %.3f\n", r.wall);
	printf("payload_bytes_per_s %.0f\n", (double)r.delivered / r.wall);
	printf("events_per_s %.0f\n", (double)r.steps / r.wall);
	printf("steps %llu\n", (unsigned long long)r.steps);
	printf("peak_rss_bytes %ld\n", ru.ru_maxrss * 1024L);
	/* the same transfer with the invariants checked after every step */
	{
		const char *small =
		    "profile netbsd-2.0\n"
		    "tcp a b\n"
		    "thread sender:\n"
		    "    kttcp send a 64MiB => 67108864\n"
		    "thread receiver:\n"
		    "    kttcp recv b 64MiB => 67108864\n";
		RunResult c = run_text(small, 0, CHECK_EVERY_STEP);

		printf("payload_bytes_per_s_checked_every_step %.0f\n", (double)c.delivered / c.wall);
	}
	/* what the payload costs at best: a memcpy of 2 KB chunks (a cluster
	 * each) cycling through a 1 MB buffer, 1 GiB in all */
	{
		static uint8_t src[1 << 20], dst[1 << 20];
		volatile uint8_t sink = 0;
		double t0, t;

		memset(src, 0x5a, sizeof src);
		t0 = now_s();
		for (uint64_t done = 0; done < (1ull << 30); done += 2048) {
			size_t off = (size_t)(done % sizeof src);

			memcpy(dst + off, src + off, 2048);
			sink ^= dst[off];
		}
		t = now_s() - t0;
		(void)sink;
		printf("memcpy_bytes_per_s %.0f\n", (double)(1ull << 30) / t);
		printf("payload_over_memcpy %.3f\n", ((double)r.delivered / r.wall) / ((double)(1ull << 30) / t));
	}
	return 0;
}

static double
ms_since(double t0)
{
	return (now_s() - t0) * 1000.0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static World *
world_from_text(const char *text, Scenario **sp)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_string("bench.scn", text, &err);
	const Profile *p;

	if (s == NULL) {
		fprintf(stderr, "bench: %s\n", err->message);
		exit(2);
	}
	p = profile_find(s->profile ? s->profile : "netbsd-2.0");
	*sp = s;
	return world_new(s, p, (p->quirks | s->quirks_on) & ~s->quirks_off);
}

/*
 * bench seek: a kttcp transfer of 256 MiB (over a million steps), seeked
 * as the TUI will: to the end, back one step at a time, back 1000 steps at
 * a time, to random steps, and forwards one step at a time.
 */
static int
bench_seek(void)
{
	const char *text =
	    "profile netbsd-2.0\n"
	    "tcp a b\n"
	    "thread sender:\n"
	    "    kttcp send a 256MiB => 268435456\n"
	    "thread receiver:\n"
	    "    kttcp recv b 256MiB => 268435456\n";
	Scenario *s;
	Seeker *sk = seeker_new(world_from_text(text, &s), 0, 0);
	double t0, back[300], back1k[100], rnd[300], fwd[300], worst_back = 0, worst_1k = 0;
	double worst_rnd = 0, worst_fwd = 0;
	uint64_t last, rng = 0x9e3779b97f4a7c15ull;

	t0 = now_s();
	last = seeker_seek(sk, UINT64_MAX - 1);
	printf("seek_steps %llu\n", (unsigned long long)last);
	printf("seek_to_end_s %.3f\n", (now_s() - t0));
	if (last < 1000000) {
		fprintf(stderr, "bench: the seek scenario has %llu steps, want a million\n",
		    (unsigned long long)last);
		return 1;
	}
	for (int i = 0; i < 300; i++) {
		t0 = now_s();
		seeker_seek(sk, last - 1 - (uint64_t)i);
		back[i] = ms_since(t0);
		worst_back = back[i] > worst_back ? back[i] : worst_back;
	}
	for (int i = 0; i < 100; i++) {
		t0 = now_s();
		seeker_seek(sk, last - 1000 * (uint64_t)(i + 1));
		back1k[i] = ms_since(t0);
		worst_1k = back1k[i] > worst_1k ? back1k[i] : worst_1k;
	}
	for (int i = 0; i < 300; i++) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		t0 = now_s();
		seeker_seek(sk, rng % last);
		rnd[i] = ms_since(t0);
		worst_rnd = rnd[i] > worst_rnd ? rnd[i] : worst_rnd;
	}
	seeker_seek(sk, last / 2);
	for (int i = 0; i < 300; i++) {
		t0 = now_s();
		seeker_seek(sk, last / 2 + 1 + (uint64_t)i);
		fwd[i] = ms_since(t0);
		worst_fwd = fwd[i] > worst_fwd ? fwd[i] : worst_fwd;
	}
	qsort(back, 300, sizeof back[0], cmp_double);
	qsort(rnd, 300, sizeof rnd[0], cmp_double);
	qsort(fwd, 300, sizeof fwd[0], cmp_double);
	printf("seek_back_median_ms %.3f\n", back[150]);
	printf("seek_back_worst_ms %.3f\n", worst_back);
	printf("seek_back_1000_worst_ms %.3f\n", worst_1k);
	printf("seek_random_median_ms %.3f\n", rnd[150]);
	printf("seek_random_worst_ms %.3f\n", worst_rnd);
	printf("seek_forward_median_ms %.3f\n", fwd[150]);
	printf("seek_forward_worst_ms %.3f\n", worst_fwd);
	printf("checkpoint_bytes %zu\n", seeker_bytes(sk));
	printf("checkpoints %zu\n", seeker_snapshots(sk));
	printf("checkpoint_every_steps %llu\n", (unsigned long long)seeker_every(sk));
	seeker_free(sk);
	scenario_free(s);
	return 0;
}

/* Time n clones of w (made and freed), and snapshots of it; print them
 * with their size under `name`.  Returns the clone's ns. */
static double
time_clone(const char *name, const World *w, size_t *bytes)
{
	Snapshot *snap = snapshot_take(w);
	int n = 2000;
	double t0 = now_s(), t;

	for (int i = 0; i < n; i++)
		world_free(world_clone(w));
	t = now_s() - t0;
	printf("%s_clone_ns %.0f\n", name, t / n * 1e9);
	printf("%s_clone_bytes %zu\n", name, snapshot_bytes(snap));
	t0 = now_s();
	for (int i = 0; i < n; i++)
		snapshot_retake(snap, w);
	printf("%s_snapshot_ns %.0f\n", name, (now_s() - t0) / n * 1e9);
	*bytes = snapshot_bytes(snap);
	snapshot_free(snap);
	return t / n * 1e9;
}

/*
 * bench clone: a race world (close-drain-tcp's relay, mid-run) and a world
 * in the middle of a 1 GiB kttcp transfer: clone_ns and clone_bytes.
 */
static int
bench_clone(const char *race_file)
{
	const char *bulk =
	    "profile netbsd-2.0\n"
	    "tcp a b\n"
	    "thread sender:\n"
	    "    kttcp send a 1GiB => 1073741824\n"
	    "thread receiver:\n"
	    "    kttcp recv b 1GiB => 1073741824\n";
	GError *err = NULL;
	Scenario *rs = scenario_parse_file(race_file, &err), *bs;
	World *w;
	const Profile *p;
	size_t bytes;
	double ns;

	if (rs == NULL) {
		fprintf(stderr, "bench: %s\n", err->message);
		return 2;
	}
	p = profile_find(rs->profile ? rs->profile : "netbsd-2.0");
	w = world_new(rs, p, (p->quirks | rs->quirks_on) & ~rs->quirks_off);
	for (int i = 0; i < 20 && sched_step(w); i++)
		;
	time_clone("race", w, &bytes);
	world_free(w);
	scenario_free(rs);
	w = world_from_text(bulk, &bs);
	w->run->check = CHECK_AT_END;
	for (int i = 0; i < 2000000 && sched_step(w); i++)
		;
	/* the headline figures: the bigger world */
	ns = time_clone("bulk", w, &bytes);
	printf("clone_ns %.0f\n", ns);
	printf("clone_bytes %zu\n", bytes);
	world_free(w);
	scenario_free(bs);
	return 0;
}

/*
 * bench hash FILE: what one explored choice point costs beside its step.
 * The run is timed whole, with the invariants after every step and
 * without, then world_hash on the world at every step of it.  The
 * restoring explorer's gain over the replaying one is bounded by
 * (step_ns + hash_ns) / hash_ns per new step, so these say where its time goes.
 */
static int
bench_hash(const char *file)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_file(file, &err);
	const Profile *p;
	uint32_t quirks;
	World *w;
	uint64_t steps = 0, sink = 0;
	double t0, checked, unchecked, hashed;
	int rounds = 20;

	if (s == NULL) {
		fprintf(stderr, "bench: %s\n", err->message);
		return 2;
	}
	p = profile_find(s->profile ? s->profile : "netbsd-2.0");
	quirks = (p->quirks | s->quirks_on) & ~s->quirks_off;
	t0 = now_s();
	for (int r = 0; r < rounds; r++) {
		w = world_new(s, p, quirks);
		while (sched_step(w))
			;
		steps = w->step;
		world_free(w);
	}
	checked = now_s() - t0;
	t0 = now_s();
	for (int r = 0; r < rounds; r++) {
		w = world_new(s, p, quirks);
		w->run->check = CHECK_AT_END;
		while (sched_step(w))
			;
		world_free(w);
	}
	unchecked = now_s() - t0;
	w = world_new(s, p, quirks);
	hashed = 0;
	do {
		t0 = now_s();
		for (int r = 0; r < rounds; r++)
			sink += world_hash(w);
		hashed += now_s() - t0;
	} while (sched_step(w));
	world_free(w);
	scenario_free(s);
	printf("# %s: %llu steps, hash sum %llx\n", file, (unsigned long long)steps,
	    (unsigned long long)sink);
	printf("step_ns %.0f\n", checked / rounds / (double)steps * 1e9);
	printf("step_unchecked_ns %.0f\n", unchecked / rounds / (double)steps * 1e9);
	printf("hash_ns %.0f\n", hashed / rounds / (double)(steps + 1) * 1e9);
	return 0;
}

static char *
stream_text(const char *bufsize, const char *total)
{
	return g_strdup_printf(
	    "profile netbsd-2.0\n"
	    "sysctl kern.sbmax=16M\n"
	    "tcp a b sndbuf=%s rcvbuf=%s\n"
	    "thread writer:\n"
	    "    send a %s\n"
	    "thread reader:\n"
	    "    recv b %s WAITALL\n", bufsize, bufsize, total, total);
}

static int
bench_sbappend(void)
{
	uint32_t walk = 1u << QUIRK_SBAPPEND_WALK;
	char *text = stream_text("1M", "32M");
	RunResult fixed = run_text(text, 0, CHECK_AT_END);
	RunResult walking = run_text(text, walk, CHECK_AT_END);
	static const char *const sizes[] = { "64K", "256K", "1M", "4M" };

	g_free(text);
	printf("stream_bytes %llu\n", (unsigned long long)fixed.delivered);
	printf("wall_fixed_s %.3f\n", fixed.wall);
	printf("wall_walk_s %.3f\n", walking.wall);
	printf("sbappend_walk_over_fixed %.2f\n", walking.wall / fixed.wall);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char *t = stream_text(sizes[i], "16M");
		RunResult f = run_text(t, 0, CHECK_AT_END);
		RunResult q = run_text(t, walk, CHECK_AT_END);

		printf("cost_per_byte_fixed_%s %.3f\n", sizes[i], f.cost_per_byte);
		printf("cost_per_byte_walk_%s %.3f\n", sizes[i], q.cost_per_byte);
		printf("wall_ns_per_byte_fixed_%s %.3f\n", sizes[i], f.wall * 1e9 / (double)f.delivered);
		printf("wall_ns_per_byte_walk_%s %.3f\n", sizes[i], q.wall * 1e9 / (double)q.delivered);
		g_free(t);
	}
	return 0;
}

static int
bench_splice(void)
{
	const uint64_t total = 1ull << 30, chunk = 64 << 10;
	const char *head =
	    "profile openbsd-7.6\n"
	    "limit bytes 4G\n"
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread client:\n"
	    "    kttcp send c 1GiB => 1073741824\n"
	    "thread server:\n"
	    "    kttcp recv s 1GiB => 1073741824\n";
	GString *copy = g_string_new(head);
	char *spliced = g_strconcat(head, "thread relay:\n    splice r1 r2 => 0\n", NULL);
	RunResult a = { 0 }, b = { 0 };
	uint64_t spliced_user = 0;

	g_string_append(copy, "thread relay:\n");
	for (uint64_t done = 0; done < total; done += chunk)
		g_string_append(copy, "    recv r1 64K WAITALL => 64K\n    send r2 64K => 64K\n");
	/* alternate the two and keep the faster run of each: the machine is
	 * shared, and a ratio of single runs swings by half */
	for (int round = 0; round < 3; round++) {
		RunResult x = run_text(spliced, 0, CHECK_AT_END), y;

		spliced_user = relay_user_bytes;
		y = run_text(copy->str, 0, CHECK_AT_END);
		if (round == 0 || x.wall < a.wall)
			a = x;
		if (round == 0 || y.wall < b.wall)
			b = y;
	}
	/* delivered counts the server (and, copying, the relay's reads too) */
	printf("relay_payload_bytes %llu\n", (unsigned long long)total);
	printf("relay_wall_s %.3f\n", a.wall);
	printf("relay_payload_bytes_per_s %.0f\n", (double)total / a.wall);
	printf("copy_relay_wall_s %.3f\n", b.wall);
	printf("copy_relay_payload_bytes_per_s %.0f\n", (double)total / b.wall);
	printf("relay_steps %llu\n", (unsigned long long)a.steps);
	printf("copy_relay_steps %llu\n", (unsigned long long)b.steps);
	printf("splice_over_copy %.2f\n", b.wall / a.wall);
	printf("relay_user_copy_bytes %llu\n", (unsigned long long)spliced_user);
	printf("copy_relay_user_copy_bytes %llu\n", (unsigned long long)relay_user_bytes);
	g_free(spliced);
	g_string_free(copy, TRUE);
	return a.delivered == total ? 0 : 1;
}

typedef struct {
	uint64_t states, new_states, distinct, schedules, pruned;
	double wall, worst;
} ExploreSum;

/* Explore one file `rounds` times in one mode; the best run's figures. */
static int
explore_best(const Scenario *s, const char *file, bool replay, bool no_por, int rounds,
    uint64_t every, int preemptions, ExploreResult *best, double *best_wall)
{
	const Profile *prof = profile_find(s->profile ? s->profile : "netbsd-2.0");
	ExploreOpts o = { 0 };
	int rc = 0;

	o.preemptions = preemptions >= 0 ? preemptions :
	    s->explore_preemptions >= 0 ? s->explore_preemptions : 2;
	o.max_states = s->explore_max_states > 0 ? (uint64_t)s->explore_max_states : 0;
	o.replay = replay;
	o.no_por = no_por;
	o.checkpoint_every = every;
	for (int round = 0; round < rounds; round++) {
		ExploreResult *r = g_new0(ExploreResult, 1);
		double t0 = now_s(), t;

		explore_run(s, prof, (prof->quirks | s->quirks_on) & ~s->quirks_off, &o, r);
		t = now_s() - t0;
		if (round == 0 || t < *best_wall) {
			*best_wall = t;
			*best = *r;
			best->fail_plan = NULL;     /* r's plans are freed below */
			memset(best->seen_plan, 0, sizeof best->seen_plan);
		}
		if (r->verdict != EXPLORE_PASS) {
			fprintf(stderr, "bench: %s does not pass its exploration\n", file);
			rc = 1;
		}
		explore_result_free(r);
		g_free(r);
	}
	return rc;
}

static void
explore_add(ExploreSum *sum, const ExploreResult *r, double wall)
{
	sum->states += r->states;
	sum->new_states += r->new_states;
	sum->distinct += r->distinct;
	sum->schedules += r->schedules;
	sum->pruned += r->pruned;
	sum->wall += wall;
	if (wall > sum->worst)
		sum->worst = wall;
}

static void
explore_print(const char *prefix, const ExploreSum *x)
{
	double wall = x->wall > 0 ? x->wall : 1e-9;

	printf("%sstates_per_s %.0f\n", prefix, (double)x->states / wall);
	printf("%snew_steps_per_s %.0f\n", prefix, (double)x->new_states / wall);
	printf("%sdistinct_states_per_s %.0f\n", prefix, (double)x->distinct / wall);
	printf("%sdistinct_states %llu\n", prefix, (unsigned long long)x->distinct);
	printf("%sschedules %llu\n", prefix, (unsigned long long)x->schedules);
	printf("%sstates %llu\n", prefix, (unsigned long long)x->states);
	printf("%swall_s %.4f\n", prefix, x->wall);
}

/*
 * bench explore [--rounds N] [--name P] [--every K] [--preemptions K] FILE...: each file explored by the
 * restoring search and by the replaying one, best of N rounds each.  The
 * two must agree exactly (schedules, pruned runs, distinct worlds): the
 * restoring search is the replaying one made faster, nothing else.
 */
static int
bench_explore(int argc, char **argv)
{
	ExploreSum restore = { 0 }, replay = { 0 }, plain = { 0 };
	const char *name = "";
	int rounds = 5, rc = 0, i = 0, preemptions = -1;
	uint64_t every = 0;
	char prefix[64];

	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--rounds") == 0)
			rounds = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--name") == 0)
			name = argv[i + 1];
		else if (strcmp(argv[i], "--every") == 0)
			every = strtoull(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--preemptions") == 0)
			preemptions = atoi(argv[i + 1]);
	}
	for (; i < argc; i++) {
		GError *err = NULL;
		Scenario *s = scenario_parse_file(argv[i], &err);
		ExploreResult a = { 0 }, b = { 0 }, c = { 0 };
		double wa = 0, wb = 0, wc = 0;
		char *base;

		if (s == NULL) {
			fprintf(stderr, "bench: %s\n", err->message);
			return 2;
		}
		rc |= explore_best(s, argv[i], false, false, rounds, every, preemptions, &a, &wa);
		rc |= explore_best(s, argv[i], true, false, rounds, every, preemptions, &b, &wb);
		rc |= explore_best(s, argv[i], false, true, rounds, every, preemptions, &c, &wc);
		base = g_path_get_basename(argv[i]);
		printf("# %s: states %llu (replaying %llu) new %llu distinct %llu schedules %llu "
		    "wall_s %.4f (replaying %.4f)\n", base, (unsigned long long)a.states,
		    (unsigned long long)b.states, (unsigned long long)a.new_states,
		    (unsigned long long)a.distinct, (unsigned long long)a.schedules, wa, wb);
		if (a.schedules != b.schedules || a.pruned != b.pruned || a.distinct != b.distinct ||
		    a.new_states != b.new_states || a.verdict != b.verdict) {
			fprintf(stderr, "bench: %s: the restoring and the replaying search disagree\n", base);
			rc = 1;
		}
		if (a.verdict != c.verdict) {
			fprintf(stderr, "bench: %s: the reduction changes the verdict\n", base);
			rc = 1;
		}
		printf("# %s: schedules %llu (without the reduction %llu), wall_s %.4f (%.4f)\n", base,
		    (unsigned long long)a.schedules, (unsigned long long)c.schedules, wa, wc);
		g_free(base);
		explore_add(&restore, &a, wa);
		explore_add(&replay, &b, wb);
		explore_add(&plain, &c, wc);
		scenario_free(s);
	}
	snprintf(prefix, sizeof prefix, "%s", name);
	explore_print(prefix, &restore);
	printf("%sslowest_scenario_wall_s %.4f\n", prefix, restore.worst);
	snprintf(prefix, sizeof prefix, "%sreplay_", name);
	explore_print(prefix, &replay);
	printf("%srestore_over_replay %.2f\n", name,
	    restore.wall > 0 && replay.wall > 0 ?
	    ((double)restore.distinct / restore.wall) / ((double)replay.distinct / replay.wall) : 0.0);
	/* partial-order reduction: the same search without it */
	snprintf(prefix, sizeof prefix, "%snopor_", name);
	explore_print(prefix, &plain);
	printf("%spor_schedule_ratio %.3f\n", name,
	    plain.schedules > 0 ? (double)restore.schedules / (double)plain.schedules : 0.0);
	printf("%spor_wall_ratio %.3f\n", name, plain.wall > 0 ? restore.wall / plain.wall : 0.0);
	/* the most restoring can gain: the replaying search's steps over the
	 * new ones, were a new step to cost no more than a replayed one */
	printf("%sreplay_steps_over_new_steps %.2f\n", name,
	    restore.new_states > 0 ? (double)replay.states / (double)restore.new_states : 0.0);
	return rc;
}

/* One run traced in format f: the bytes written and the wall time. */
static void
trace_one(const Scenario *s, TraceFormat f, uint64_t *bytes, double *wall)
{
	const Profile *p = profile_find(s->profile ? s->profile : "netbsd-2.0");
	World *w = world_new(s, p, p->quirks);
	TraceHeader h = { "bench.scn", NULL, NULL, false, 0 };
	FILE *fp;
	TraceWriter tw;
	double t0;

	fp = counting_file(bytes);
	if (fp == NULL) {
		perror("bench: fopencookie");
		exit(1);
	}
	t0 = now_s();
	trace_writer_init(&tw, fp, f);
	trace_header(&tw, w, &h);
	w->run->sink.fn = trace_emit;
	w->run->sink.ctx = &tw;
	sched_run(w);
	trace_summary(&tw, w, 0);
	trace_writer_finish(&tw);
	fclose(fp);
	*wall = now_s() - t0;
	world_free(w);
}

static int
bench_trace(void)
{
	static const char text[] =
	    "profile openbsd-7.6\n"
	    "tcp a b\n"
	    "thread writer:\n\tsend a 16777216 => 16777216\n\tshutdown a wr\n"
	    "thread reader:\n\trecv b 16777216 WAITALL => 16777216\n\trecv b 1 => 0\n";
	static const struct {
		TraceFormat f;
		const char *name;
	} fmts[] = { { TRACE_TEXT, "text" }, { TRACE_JSONL, "jsonl" }, { TRACE_CHROME, "chrome" } };
	double rate[3] = { 0 };
	GError *err = NULL;
	Scenario *s = scenario_parse_string("bench.scn", text, &err);

	if (s == NULL) {
		fprintf(stderr, "bench: %s\n", err->message);
		return 2;
	}
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < G_N_ELEMENTS(fmts); i++) {
			uint64_t bytes;
			double wall;

			trace_one(s, fmts[i].f, &bytes, &wall);
			if (wall > 0 && (double)bytes / wall > rate[i])
				rate[i] = (double)bytes / wall;
		}
	for (size_t i = 0; i < G_N_ELEMENTS(fmts); i++)
		printf("%s_bytes_per_s %.0f\n", fmts[i].name, rate[i]);
	printf("jsonl_over_text %.3f\n", rate[0] > 0 ? rate[1] / rate[0] : 0.0);
	scenario_free(s);
	return 0;
}

/* One key and the frame after it, in ms. */
static double
frame_ms(Tui *t, Screen *scr, int key)
{
	double t0 = now_s();

	tui_handle_key(t, key);
	tui_draw(t, scr);
	return (now_s() - t0) * 1000.0;
}

static int
bench_tui(void)
{
	/* about 1.3 million steps: a 300 MB stream, one segment at a time */
	static const char text[] =
	    "profile netbsd-2.0\n"
	    "tcp a b\n"
	    "limit bytes 400M\n"
	    "thread writer:\n\tsend a 300000000 => 300000000\n"
	    "thread reader:\n\trecv b 300000000 WAITALL => 300000000\n";
	GError *err = NULL;
	Scenario *s = scenario_parse_string("bench-tui.scn", text, &err);
	const Profile *p;
	TuiConfig cfg = { .path = "bench-tui.scn" };
	Screen *scr = screen_new(160, 50);
	Tui *t;
	uint64_t last, x = 88172645463325252ull;
	enum { NBACK = 400, NGOTO = 100 };
	double back[NBACK], next_worst = 0, goto_worst = 0, t0, continue_whole, continue_near_worst = 0;
	int nb = 0;

	if (s == NULL) {
		fprintf(stderr, "bench: %s\n", err->message);
		return 2;
	}
	p = profile_find(s->profile);
	t = tui_new(world_new(s, p, p->quirks), &cfg);
	t0 = now_s();
	tui_goto(t, UINT64_MAX);        /* the first pass: the seeker keeps its snapshots */
	last = tui_last(t);
	printf("tui_run_steps %llu\n", (unsigned long long)last);
	printf("tui_first_pass_s %.2f\n", now_s() - t0);
	if (last < 1000000)
		fprintf(stderr, "bench: the run has only %llu steps\n", (unsigned long long)last);
	/* N from random places: the worst is just past a snapshot */
	for (int i = 0; i < NBACK; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		tui_goto(t, 1 + x % last);
		back[nb++] = frame_ms(t, scr, 'N');
	}
	for (int i = 0; i < NBACK / 4; i++) {
		double ms = frame_ms(t, scr, 'n');

		if (ms > next_worst)
			next_worst = ms;
	}
	for (int i = 0; i < NGOTO; i++) {
		char digits[32];
		double g0;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		snprintf(digits, sizeof digits, "%llu", (unsigned long long)(x % (last + 1)));
		g0 = now_s();
		tui_handle_key(t, 'g');
		for (const char *c = digits; *c; c++)
			tui_handle_key(t, *c);
		tui_handle_key(t, TUI_KEY_ENTER);
		tui_draw(t, scr);
		if ((now_s() - g0) * 1000.0 > goto_worst)
			goto_worst = (now_s() - g0) * 1000.0;
	}
	/* C across the whole run: from the end, a breakpoint nothing matches
	 * (kmem: no splice_state in a plain TCP stream) */
	for (const char *c = "bkmem"; *c; c++)
		tui_handle_key(t, *c);
	tui_handle_key(t, TUI_KEY_ENTER);
	tui_goto(t, last);
	continue_whole = frame_ms(t, scr, 'C');
	if (tui_step(t) != last)
		fprintf(stderr, "bench: C stopped at %llu\n", (unsigned long long)tui_step(t));
	/* C to a near one: the step before, from random places (softnet runs every other step) */
	for (const char *c = "bkmem"; *c; c++)
		tui_handle_key(t, *c);
	tui_handle_key(t, TUI_KEY_ENTER);       /* the same again: off */
	for (const char *c = "bsoftnet"; *c; c++)
		tui_handle_key(t, *c);
	tui_handle_key(t, TUI_KEY_ENTER);
	for (int i = 0; i < NGOTO; i++) {
		double ms;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		tui_goto(t, 10 + x % (last - 10));
		ms = frame_ms(t, scr, 'C');
		if (ms > continue_near_worst)
			continue_near_worst = ms;
	}
	qsort(back, (size_t)nb, sizeof back[0], cmp_double);
	printf("frame_back_median_ms %.3f\n", back[nb / 2]);
	printf("frame_back_worst_ms %.3f\n", back[nb - 1]);
	printf("frame_next_worst_ms %.3f\n", next_worst);
	printf("frame_goto_worst_ms %.3f\n", goto_worst);
	printf("frame_continue_near_worst_ms %.3f\n", continue_near_worst);
	printf("frame_continue_whole_run_ms %.1f\n", continue_whole);
	tui_free(t);
	screen_free(scr);
	scenario_free(s);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "explore") == 0)
		return bench_explore(argc - 2, argv + 2);
	if (argc == 2 && strcmp(argv[1], "kttcp") == 0)
		return bench_kttcp();
	if (argc == 2 && strcmp(argv[1], "trace") == 0)
		return bench_trace();
	if (argc == 2 && strcmp(argv[1], "tui") == 0)
		return bench_tui();
	if (argc == 2 && strcmp(argv[1], "seek") == 0)
		return bench_seek();
	if (argc == 3 && strcmp(argv[1], "clone") == 0)
		return bench_clone(argv[2]);
	if (argc == 3 && strcmp(argv[1], "hash") == 0)
		return bench_hash(argv[2]);
	if (argc == 2 && strcmp(argv[1], "splice") == 0)
		return bench_splice();
	if (argc == 2 && strcmp(argv[1], "sbappend") == 0)
		return bench_sbappend();
	fprintf(stderr, "usage: bench kttcp|sbappend|splice|seek|trace|tui|clone RACE.scn|"
	    "hash FILE|explore [--rounds N] [--name P] [--every K] [--preemptions K] FILE...\n");
	return 2;
}
