/*
 * fuzz_explore.c: a small scenario through what sits on top of a run: a
 * bounded `explore`, a seeker going backwards and forwards, the pictures
 * of a step and the trace of a short run.  Besides crashes, leaks and undefined
 * behaviour it stops (abort) when one of these disagrees with a plain run:
 *
 *   - the explorer's cached world hash differs from the full hash
 *     (verify_cache counts the mismatches);
 *   - the failing schedule the explorer reports does not fail when it is
 *     replayed as `sosim run --schedule` replays it;
 *   - a seek to step N gives another world than stepping a new one N times.
 *
 * The choices that are not in the scenario (the explorer's options, the
 * step drawn, the buffer, the trace format) come from a hash of the input,
 * so the same bytes always do the same.  Built as fuzz_scenario.c is
 * (docs/fuzzing.md); standalone.c runs it over files.
 */
#include "expect.h"
#include "explore.h"
#include "fuzz.h"
#include "machine.h"
#include "run.h"
#include "sched.h"
#include "seek.h"
#include "snapshot.h"
#include "trace.h"
#include "viz.h"
#include "world_hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each run is short: the explorer makes many, the seeker replays.  A
 * step's cost grows with the sockets (invariants, hashes, snapshots,
 * pictures): the chains of 200 splices are fuzz_scenario's. */
static const FuzzLimits limits = {
	.steps = 600,
	.mbufs = 256,
	.bytes = 256 << 10,
	.time = 60ll * 1000000000ll,
	.sockets = 16,
};
#define EXPLORE_STATES 200      /* at most this many steps for the explorer */
#define RANDOM_SCHEDULES 4      /* a `seed` line: this many PCT schedules too */

static FILE *devnull;

static void
disagree(const char *what, const char *fmt, unsigned long long a, unsigned long long b)
{
	fprintf(stderr, "fuzz_explore: %s: ", what);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	abort();
}

/* Step w until it has taken n steps or the run is over (cli/cmd-dot.c). */
static uint64_t
run_until(World *w, uint64_t n)
{
	while (w->step < n && w->stop == STOP_NONE)
		if (!sched_step(w))
			break;
	return w->step;
}

/* The failing schedule, replayed in a new world, fails again. */
static void
replay_failure(const Scenario *s, const Profile *p, uint32_t quirks, const ExploreResult *r)
{
	World *w = world_new(s, p, quirks);
	ExpectReport *rep = g_new0(ExpectReport, 1);
	int failed;

	sched_set_plan(w, r->fail_plan, r->fail_n);
	sched_run(w);
	failed = expect_check(w, rep);
	if (failed == 0 || w->step != r->fail_steps)
		disagree("the explorer's failing schedule replayed",
		    "%llu expectations failed after %llu steps", (unsigned long long)failed,
		    (unsigned long long)w->step);
	g_free(rep);
	world_free(w);
}

static void
explore_part(const Scenario *s, uint64_t h)
{
	const Profile *p = fuzz_profile(s);
	uint32_t quirks = fuzz_quirks(s, p);
	ExploreOpts o = { 0 };
	ExploreResult *r = g_new0(ExploreResult, 1);

	o.preemptions = s->explore_preemptions == 0 || s->explore_preemptions == 2 ?
	    s->explore_preemptions : 1;
	o.max_states = s->explore_max_states > 0 && s->explore_max_states < EXPLORE_STATES ?
	    (uint64_t)s->explore_max_states : EXPLORE_STATES;
	o.verify_cache = true;
	o.no_por = h & 1;
	o.replay = (h >> 1 & 7) == 0;
	o.checkpoint_every = 1 + (h >> 4) % 20;
	o.full_hash = h >> 9 & 1;
	o.full_checks = (h >> 10 & 3) == 0;
	o.no_prune = (h >> 12 & 7) == 0;
	explore_run(s, p, quirks, &o, r);
	if (r->cache_mismatches > 0)
		disagree("the explorer's cached hash", "%llu mismatches in %llu states",
		    (unsigned long long)r->cache_mismatches, (unsigned long long)r->states);
	if (r->verdict == EXPLORE_FAIL && r->fail_steps > 0)
		replay_failure(s, p, quirks, r);
	explore_result_free(r);
	if (s->has_seed) {
		memset(r, 0, sizeof *r);
		o.random = RANDOM_SCHEDULES;
		o.seed = (uint64_t)s->seed;
		o.pct_depth = 1 + (int)(h >> 15 & 3);
		explore_run(s, p, quirks, &o, r);
		if (r->verdict == EXPLORE_FAIL && r->fail_steps > 0)
			replay_failure(s, p, quirks, r);
		explore_result_free(r);
	}
	g_free(r);
}

/* The world at step n, seeked, equals a new one stepped there; at the
 * last step, the finished world of sched_run (seek.h). */
static void
check_seek(Seeker *sk, const Scenario *s, uint64_t n, uint64_t last)
{
	uint64_t got = seeker_seek(sk, n);
	const World *a = seeker_world(sk);
	World *b = fuzz_world(s);

	if (n >= last)
		sched_run(b);
	else
		run_until(b, n);
	if (got != (n < last ? n : last) || a->step != got)
		disagree("seek", "asked for step %llu, reached %llu", (unsigned long long)n,
		    (unsigned long long)got);
	if (b->step != a->step || world_hash(a) != world_hash(b) || a->now != b->now ||
	    a->stop != b->stop) {
		fprintf(stderr, "fuzz_explore: seek: step %llu: hash %016llx, now %lld, stop %d; "
		    "stepped there: step %llu, hash %016llx, now %lld, stop %d\n",
		    (unsigned long long)a->step, (unsigned long long)world_hash(a), (long long)a->now,
		    (int)a->stop, (unsigned long long)b->step, (unsigned long long)world_hash(b),
		    (long long)b->now, (int)b->stop);
		disagree("seek", "the world at step %llu differs from a run stepped to %llu",
		    (unsigned long long)a->step, (unsigned long long)b->step);
	}
	world_free(b);
}

/* Seek to the end, then back and forth; the run's last step. */
static uint64_t
seek_part(const Scenario *s, uint64_t h)
{
	Seeker *sk = seeker_new(fuzz_world(s), 1 + (h >> 20) % 64, (size_t)(8 + (h >> 26) % 64) << 10);
	uint64_t last = seeker_seek(sk, UINT64_MAX);

	if (seeker_last(sk) != last)
		disagree("seek", "the end is step %llu, but the seeker says %llu",
		    (unsigned long long)last, (unsigned long long)seeker_last(sk));
	/* somewhere, somewhere else (often backwards), past the end */
	check_seek(sk, s, (h >> 32) % (last + 1), last);
	check_seek(sk, s, (h >> 44) % (last + 1), last);
	check_seek(sk, s, last + 1, last);
	seeker_free(sk);
	return last;
}

typedef struct {
	VizRecorder *machine, *step;
} Tee;

static void
tee_sink(void *ctx, const World *w, const SimEvent *ev)
{
	Tee *t = ctx;

	viz_recorder_sink(t->machine, w, ev);
	if (t->step != NULL)
		viz_recorder_sink(t->step, w, ev);
}

static void
draw(Agraph_t *g)
{
	if (g != NULL && !viz_write(g, VIZ_DOT, devnull))
		abort();
	viz_free(g);
}

/* As `sosim dot --at k` sees the run: the buffers (all, and one) and the
 * splices after step k, and a machine's transitions up to there. */
static void
dot_part(const Scenario *s, uint64_t h, uint64_t last)
{
	uint64_t k = h % (last + 1);
	World *w = fuzz_world(s), *prev = NULL;
	const MachineDef *d = NULL;
	Tee tee = { NULL, NULL };
	VizView v = { 0 };

	for (int m = (int)((h >> 8) % MACH_MAX), i = 0; d == NULL && i < MACH_MAX; i++)
		d = machine_def((m + i) % MACH_MAX);
	tee.machine = viz_recorder_new(0, d->name, 0);
	w->run->sink = (EventSink){ tee_sink, &tee };
	if (k > 0) {
		run_until(w, k - 1);
		prev = world_clone(w);
		tee.step = viz_recorder_new(k, NULL, 0);
		run_until(w, k);
	}
	w->run->sink.fn = NULL;
	v.w = w;
	v.prev = prev;
	v.step = k;
	v.last = last;
	v.title = s->path;
	v.rec = tee.step;
	draw(viz_buffers(&v, -1, -1));
	if (w->nsocks > 0)
		draw(viz_buffers(&v, (int)((h >> 16) % (uint64_t)w->nsocks), (h >> 30 & 1) ? SB_SND : SB_RCV));
	draw(viz_splice(&v));
	draw(viz_machine(d, tee.machine, s->path));
	viz_recorder_free(tee.step);
	viz_recorder_free(tee.machine);
	world_free(prev);
	world_free(w);
}

/* As `sosim run --format F --stats` writes a run: header, events, verdict,
 * costs, summary.  Only a short run: a trace costs far more than a step. */
#define TRACE_STEPS 150

static void
trace_part(const Scenario *s, uint64_t h, uint64_t last)
{
	World *w;
	TraceWriter tw;
	TraceHeader hdr = { s->path, s->description, NULL, s->has_seed, (uint64_t)s->seed };
	ExpectReport *rep;
	int failed;

	if (last > TRACE_STEPS)
		return;
	w = fuzz_world(s);
	trace_writer_init(&tw, devnull, (TraceFormat)((h >> 40) % 3));
	trace_header(&tw, w, &hdr);
	w->run->sink = (EventSink){ trace_emit, &tw };
	sched_run(w);
	rep = g_new0(ExpectReport, 1);
	failed = expect_check(w, rep);
	for (int i = 0; i < rep->n; i++)
		trace_verdict(&tw, s->path, rep->items[i].pos.line, rep->items[i].pos.col,
		    rep->items[i].notrun ? VERDICT_NOT_RUN : rep->items[i].ok ? VERDICT_HELD :
		    rep->items[i].quant == SCN_Q_SOMETIMES ? VERDICT_NOT_SEEN : VERDICT_FAILED,
		    rep->items[i].msg);
	if (tw.format == TRACE_JSONL)
		trace_stats(&tw, w);
	trace_summary(&tw, w, failed);
	if (tw.format != TRACE_JSONL)
		stats_print(devnull, w);
	trace_writer_finish(&tw);
	g_free(rep);
	world_free(w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Scenario *s = fuzz_parse(data, size, &limits);
	uint64_t h, last;

	if (s == NULL)
		return 0;
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	h = fuzz_hash(data, size);
	explore_part(s, h);
	last = seek_part(s, h);
	dot_part(s, h, last);
	trace_part(s, h, last);
	scenario_free(s);
	return 0;
}
