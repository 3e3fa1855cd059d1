/*
 * run.h: what a run needs around its world (docs/design.md rule 1).
 *
 * The World is the simulated state and nothing else.  The scenario it was
 * made from, the names to print, the event sink, the schedule to follow,
 * the limits and the texts of the verdict live here.  Many worlds may share
 * one Run: a world and its clones, the explorer's snapshots, the seek
 * checkpoints of one run.
 */
#ifndef SOSIM_RUN_H
#define SOSIM_RUN_H

#include "world.h"
#include "footprint.h"

typedef struct {
	void (*fn)(void *ctx, const World *w, const SimEvent *ev);
	void *ctx;
} EventSink;

#define RUN_MSG_MAX 512

#define STEP_DEFAULT_UNKNOWN (-1000)

/* The limits of a run when the scenario has no `limit` line for them
 * (docs/scenario-language.md, Limits).  Ten million steps is over a
 * hundred times the longest scenario that comes with sosim, and a few
 * seconds of a run without a trace: a run that never ends (a splice loop
 * at virtual time 0) stops in bounded time. */
#define RUN_DEFAULT_STEPS 10000000ull
#define RUN_DEFAULT_BYTES (1ull << 40)                  /* 1 TiB sent by the programs */
#define RUN_DEFAULT_TIME (3600ll * 1000000000ll)        /* 1 h of virtual time */

struct Run {
	const void *scenario;   /* the layer above's recipe (scenario.h), opaque here */
	const char *path;       /* the scenario file, for messages */
	const char *thread_names[WORLD_MAX_THREADS];
	const char *sock_names[WORLD_MAX_SOCKETS];
	int socks_cap;          /* the sockets every world of this run has room for */

	EventSink sink;         /* fn NULL: nobody listens, no event is built */
	int sb_nest;            /* sockbuf.c: depth of buffer operations, one event for the outermost */
	/* sched_step: whom the default policy would have picked for the step
	 * about to run, for its trace event; STEP_DEFAULT_UNKNOWN otherwise */
	int step_default;
	/* the so_state and sb_flags the trace last reported (sched.c:
	 * trace_state_changes), valid once tracing started */
	bool shadow_valid, in_shadow;
	uint32_t shadow_state[WORLD_MAX_SOCKETS];
	uint32_t shadow_flags[WORLD_MAX_SOCKETS][2];
	CheckMode check;
	/* the limits of a run (scenario `limit` lines, else instantiate.c's
	 * defaults); passing one stops the run (STOP_LIMIT) */
	uint64_t limit_steps, limit_bytes;
	int64_t limit_time;
	/* STOP_LIMIT came from the schedule (a `schedule` line or a plan that
	 * asks for someone who cannot run), not from a limit */
	bool stop_schedule;

	/* a `schedule` line of names: who runs at each of the first picks */
	const int *script;
	int nscript;
	SrcPos script_pos;
	/* a plan of deviations from the default policy (--schedule, explorer) */
	const SchedDev *plan;
	int nplan;
	bool plan_set;          /* follow plan, not the script */

	/* texts of the verdict; the world holds what happened (stop, violation
	 * id, counts), these say it in words */
	char stop_msg[RUN_MSG_MAX];
	char violation_msg[RUN_MSG_MAX];
	char deadlock_msg[RUN_MSG_MAX];
	char fail_msg[16][240];

	/* incremented by every snapshot taken; storage writes are stamped
	 * with it (World.mstamp) */
	uint64_t data_epoch;

	/* the counters (bit i: counter_defs[i]) the world hash covers: those
	 * a verdict reads; nothing else reads a counter (world_hash.c) */
	uint64_t hash_counters;
	/* hash pool slots too (the full hash, ExploreOpts.full_hash): the
	 * reference the tests hold the slot-free hash to */
	bool hash_slots;

	/* every step and every restore starts a new tick; chain digests noted
	 * during a tick, for one world, describe that world until the next
	 * (world_hash.h: chain_note) */
	uint64_t tick;
	const World *chain_world;
	uint64_t chain_tick[WORLD_MAX_SOCKETS][2];
	uint64_t chain_digest[WORLD_MAX_SOCKETS][2];

	/* partial-order reduction: what the current step touched (explore.c) */
	bool fp_on;
	bool check_touched;     /* invariants after a step only over what it touched */
	Footprint fp;
};

Run *run_new(void);
void run_free(Run *r);

/* Follow a plan (the run keeps the pointer; it overrides the script). */
void run_set_plan(Run *r, const SchedDev *d, int n);

/* Attach an event sink; a NULL fn detaches. */
static inline void run_set_sink(Run *r, EventSink s) { r->sink = s; }

#endif
