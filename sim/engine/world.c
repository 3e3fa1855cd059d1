/*
 * world.c: making and freeing a World, its registries of names, reporting a
 * violation, and the handles into it.
 */
#include "world.h"
#include "run.h"
#include "sched.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

const char *const routine_names[R__COUNT] = {
#define ROUTINE(id, name, doc) [R_##id] = name,
#include "routines.def"
#undef ROUTINE
};

const char *const routine_docs[R__COUNT] = {
#define ROUTINE(id, name, doc) [R_##id] = doc,
#include "routines.def"
#undef ROUTINE
};

const CounterDef counter_defs[] = {
#define COUNTER(name, doc) { #name, doc, offsetof(Stats, name) },
#include "counters.def"
#undef COUNTER
};
const int ncounter_defs = (int)(sizeof counter_defs / sizeof counter_defs[0]);

int
counter_find(const char *name)
{
	for (int i = 0; i < ncounter_defs; i++)
		if (strcmp(counter_defs[i].name, name) == 0)
			return i;
	return -1;
}

const char *const violation_names[V__COUNT] = {
	[V_NONE] = "none",
#define VIOLATION(id, name, doc) [V_##id] = name,
#include "violations.def"
#undef VIOLATION
};

const char *const violation_docs[V__COUNT] = {
	[V_NONE] = "no invariant was violated",
#define VIOLATION(id, name, doc) [V_##id] = doc,
#include "violations.def"
#undef VIOLATION
};

int
violation_find(const char *name)
{
	for (int i = 0; i < V__COUNT; i++)
		if (strcmp(violation_names[i], name) == 0)
			return i;
	return -1;
}

static const char *const kthread_names[TK__COUNT] = {
	[TK_USER] = "user",
#define KTHREAD(id, name, wmesg) [TK_##id] = name,
#include "kthreads.def"
#undef KTHREAD
};

static const char *const kthread_wmesgs[TK__COUNT] = {
	[TK_USER] = "",
#define KTHREAD(id, name, wmesg) [TK_##id] = wmesg,
#include "kthreads.def"
#undef KTHREAD
};

const char *
kthread_name(int kind)
{
	return kind > 0 && kind < TK__COUNT ? kthread_names[kind] : "?";
}

const char *
kthread_wmesg(int kind)
{
	return kind > 0 && kind < TK__COUNT ? kthread_wmesgs[kind] : "?";
}

int
world_kthread(const World *w, int kind)
{
	switch (kind) {
	case TK_TASKQ: return w->tid_taskq;
	case TK_SOFTCLOCK: return w->tid_softclock;
	}
	return -1;
}

void
world_violation(World *w, ViolationId v, const char *fmt, ...)
{
	va_list ap;

	if (w->stop == STOP_VIOLATION)
		return;     /* the first one is the one that matters */
	w->stop = STOP_VIOLATION;
	w->violation = (uint8_t)v;
	va_start(ap, fmt);
	vsnprintf(w->run->violation_msg, sizeof w->run->violation_msg, fmt, ap);
	va_end(ap);
	w->violation_thread = w->cur_thread;
	snprintf(w->run->stop_msg, sizeof w->run->stop_msg, "invariant %s violated at step %llu (%s): %s",
	    violation_names[v], (unsigned long long)w->step,
	    w->cur_thread >= 0 ? thread_name(w, w->cur_thread) : "softnet", w->run->violation_msg);
	emit(w, EVK_VIOLATION, violation_names[v], -1, -1, 0, 0, 0, "%s", w->run->violation_msg);
}

int
socket_index(const World *w, const Socket *so)
{
	return (int)(so - w->socks);
}

const char *
thread_name(const World *w, int tid)
{
	if (tid < 0)
		return "softnet";
	if (tid >= w->nthreads)
		return "?";
	if (w->threads[tid].kind != TK_USER)
		return kthread_name(w->threads[tid].kind);
	return w->run->thread_names[tid] ? w->run->thread_names[tid] : "?";
}

const char *
sock_name(const World *w, int i)
{
	if (i < 0 || i >= w->nsocks)
		return "?";
	return w->run->sock_names[i] ? w->run->sock_names[i] : "?";
}

/* "Unknown": a restore into this storage copies every byte. */
static void
stamps_unknown(uint64_t *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		s[i] = UINT64_MAX;
}

void
pool_chunk(void **meta, uint64_t **tstamps, uint8_t **data, uint64_t **stamps, uint32_t c,
    size_t meta_size, size_t data_size, bool clear)
{
	if (meta[c] == NULL) {
		meta[c] = g_malloc0_n(POOL_CHUNK, meta_size);
		tstamps[c] = g_new0(uint64_t, POOL_BLOCKS);
		stamps_unknown(tstamps[c], POOL_BLOCKS);
		if (data != NULL) {
			data[c] = g_malloc0_n(POOL_CHUNK, data_size);
			stamps[c] = g_new0(uint64_t, POOL_CHUNK);
			stamps_unknown(stamps[c], POOL_CHUNK);
		}
		return;
	}
	if (!clear)
		return;
	memset(meta[c], 0, POOL_CHUNK * meta_size);
	stamps_unknown(tstamps[c], POOL_BLOCKS);
	if (data != NULL)
		stamps_unknown(stamps[c], POOL_CHUNK);
}


Socket *
sock_ref(World *w, Ref r)
{
	if (r.i == 0 || r.i > (uint32_t)w->nsocks) {
		world_violation(w, V_STALE_HANDLE, "invalid socket handle %u", r.i);
		fp_sock(w, 0);
		return &w->socks[0];
	}
	fp_sock(w, (int)r.i - 1);
	if (!w->socks[r.i - 1].live || w->socks[r.i - 1].gen != r.g) {
		world_violation(w, V_STALE_HANDLE, "use of freed socket %s",
		    sock_name(w, (int)r.i - 1));
		return &w->socks[r.i - 1];
	}
	return &w->socks[r.i - 1];
}

World *
world_alloc(Run *run, bool run_owned, const Profile *prof, uint32_t quirks)
{
	World *w = g_malloc0(sizeof *w + (size_t)run->socks_cap * sizeof w->socks[0]);

	w->run = run;
	w->run_owned = run_owned;
	w->epoch = &run->data_epoch;
	w->prof = prof;
	w->quirks = quirks;
	w->last_thread = -1;
	w->cur_thread = -1;
	w->rng = 0x853c49e6748fea9bull;
	w->tid_taskq = w->tid_softclock = -1;
	return w;
}

void
world_set_seed(World *w, uint64_t seed)
{
	w->random_sched = true;
	w->rng = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	if (w->rng == 0)
		w->rng = 1;
}

void
world_free(World *w)
{
	if (w == NULL)
		return;
	/* every chunk this world holds: a restore to a smaller pool keeps the
	 * chunks beyond it for the pool to grow into again */
	for (uint32_t c = 0; c < POOL_MAX_CHUNKS; c++) {
		g_free(w->mchunk[c]);
		g_free(w->mdchunk[c]);
		g_free(w->mstamp[c]);
		g_free(w->cchunk[c]);
		g_free(w->cdchunk[c]);
		g_free(w->cstamp[c]);
		g_free(w->schunk[c]);
		g_free(w->mtstamp[c]);
		g_free(w->ctstamp[c]);
		g_free(w->ststamp[c]);
	}
	g_free(w->work);
	if (w->run_owned)
		run_free(w->run);
	g_free(w);
}

Run *
run_new(void)
{
	Run *r = g_new0(Run, 1);

	r->check = CHECK_EVERY_STEP;
	r->hash_counters = ~0ull;
	r->step_default = STEP_DEFAULT_UNKNOWN;
	return r;
}

void
run_free(Run *r)
{
	g_free(r);
}

void
run_set_plan(Run *r, const SchedDev *d, int n)
{
	r->plan = d;
	r->nplan = n;
	r->plan_set = true;
}
