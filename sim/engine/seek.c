/*
 * seek.c: checkpoints and replay (seek.h).
 */
#include "seek.h"
#include "run.h"
#include "sched.h"
#include "snapshot.h"

#include <glib.h>

struct Seeker {
	World *w;
	Snapshot **snap;        /* snap[i] is at step i * every */
	size_t nsnap, capsnap;
	uint64_t every;
	size_t max_bytes, bytes;
	uint64_t last;          /* the run's last step, UINT64_MAX until reached */
	uint64_t replayed;
	Snapshot *probe;        /* the world before a look past the target */
};

static void
keep_snapshot(Seeker *sk)
{
	Snapshot *s;

	if (sk->nsnap == sk->capsnap) {
		sk->capsnap = sk->capsnap ? sk->capsnap * 2 : 64;
		sk->snap = g_realloc_n(sk->snap, sk->capsnap, sizeof *sk->snap);
	}
	s = snapshot_take(sk->w);
	sk->snap[sk->nsnap++] = s;
	sk->bytes += snapshot_bytes(s);
	/* over the cap: double the spacing, keep the snapshots it still hits */
	while (sk->bytes > sk->max_bytes && sk->nsnap > 2) {
		size_t k = 0;

		for (size_t i = 0; i < sk->nsnap; i++) {
			if (i % 2 == 0) {
				sk->snap[k++] = sk->snap[i];
				continue;
			}
			sk->bytes -= snapshot_bytes(sk->snap[i]);
			snapshot_free(sk->snap[i]);
		}
		sk->nsnap = k;
		sk->every *= 2;
	}
}

Seeker *
seeker_new(World *w, uint64_t every, size_t max_bytes)
{
	Seeker *sk = g_new0(Seeker, 1);

	sk->w = w;
	sk->every = every ? every : SEEK_EVERY_DEFAULT;
	sk->max_bytes = max_bytes ? max_bytes : SEEK_MAX_BYTES_DEFAULT;
	/* a world that stopped before it was given is at its end */
	sk->last = w->stop != STOP_NONE ? w->step : UINT64_MAX;
	keep_snapshot(sk);
	return sk;
}

void
seeker_free(Seeker *sk)
{
	if (sk == NULL)
		return;
	for (size_t i = 0; i < sk->nsnap; i++)
		snapshot_free(sk->snap[i]);
	g_free(sk->snap);
	snapshot_free(sk->probe);
	world_free(sk->w);
	g_free(sk);
}

/* One step forward by the run's policy; false at the end of the run. */
static bool
step_forward(Seeker *sk)
{
	World *w = sk->w;
	uint64_t before = w->step;

	/* a stopped world is at the last step, which is known then */
	if (w->step >= sk->last)
		return false;
	if (!sched_step(w)) {
		/* the end, as sched_run ends a run */
		if (w->stop == STOP_DONE || w->stop == STOP_DEADLOCK)
			invariants_check_end(w);
		sk->last = w->step;
	}
	if (w->step == before)
		return false;
	/* the first time past a multiple of `every`: keep a checkpoint */
	if (w->step % sk->every == 0 && w->step / sk->every == sk->nsnap)
		keep_snapshot(sk);
	return true;
}

/*
 * The world at the last step is the finished one: the scheduler has found
 * that nobody can run (done or deadlock) and the end-of-run invariants have
 * been checked, as after sched_run.  Reaching a step for the first time we
 * do not know whether it is the last: look one step on and come back.
 */
static void
finish_if_last(Seeker *sk)
{
	World *w = sk->w;

	if (w->stop != STOP_NONE)
		return;
	if (sk->last == UINT64_MAX) {
		if (sk->probe == NULL)
			sk->probe = snapshot_take(w);
		else
			snapshot_retake(sk->probe, w);
		if (step_forward(sk))
			snapshot_restore(sk->probe, w);
	} else if (w->step == sk->last) {
		sk->last = UINT64_MAX;
		step_forward(sk);
	}
}

uint64_t
seeker_seek(Seeker *sk, uint64_t n)
{
	World *w = sk->w;
	EventSink sink = w->run->sink;

	w->run->sink.fn = NULL;     /* nobody hears a replay */
	if (n < w->step || n - w->step > sk->every) {
		size_t i = (size_t)(n / sk->every);

		if (i >= sk->nsnap)
			i = sk->nsnap - 1;
		/* backwards, or a checkpoint nearer than where we are */
		if (n < w->step || snapshot_step(sk->snap[i]) > w->step)
			snapshot_restore(sk->snap[i], w);
	}
	while (w->step < n && step_forward(sk))
		sk->replayed++;
	/* at n, or stopped short at the last step, which a replay from a
	 * checkpoint reaches unfinished when the end is already known */
	if (w->step == n || w->step == sk->last)
		finish_if_last(sk);
	w->run->sink = sink;
	return w->step;
}

const World *
seeker_world(const Seeker *sk)
{
	return sk->w;
}

uint64_t
seeker_last(const Seeker *sk)
{
	return sk->last;
}

size_t
seeker_bytes(const Seeker *sk)
{
	return sk->bytes;
}

size_t
seeker_snapshots(const Seeker *sk)
{
	return sk->nsnap;
}

uint64_t
seeker_every(const Seeker *sk)
{
	return sk->every;
}

uint64_t
seeker_replayed(const Seeker *sk)
{
	return sk->replayed;
}
