/*
 * explore.h: systematic and randomized exploration of a scenario's
 * interleavings (explore.c).
 */
#ifndef SOSIM_EXPLORE_H
#define SOSIM_EXPLORE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expect.h"
#include "world.h"

typedef struct {
	int preemptions;        /* bound on deviations from the default policy */
	uint64_t max_states;    /* 0: no limit */
	uint64_t random;        /* > 0: this many PCT-style random schedules instead */
	uint64_t seed;          /* for random */
	int pct_depth;          /* PCT priority change points (random mode) */
	bool no_prune;          /* do not skip worlds already seen: count interleavings */
	bool replay;            /* rebuild each run from the start instead of restoring
	                           a checkpoint (the stateless search, kept as a cross-check) */
	uint64_t checkpoint_every;  /* steps between checkpoints on the path (0: the default) */
	bool no_por;            /* no partial-order reduction (sleep sets): the plain search */
	bool full_hash;         /* hash every counter, not only those the expectations read,
	                           and pool slots */
	bool verify_cache;      /* check each cached world hash against a full one (tests) */
	bool full_checks;       /* invariants over every socket after every step */
	/* called with the world of every run that reached its end (may be NULL) */
	void (*on_end)(void *ctx, const World *w);
	void *end_ctx;
	/* progress callback, called about every 1024 states (may be NULL) */
	void (*progress)(void *ctx, uint64_t states, uint64_t schedules, uint64_t distinct);
	void *ctx;
	/* the search stops at the next step once *interrupt is not 0 (a
	 * signal handler's flag; NULL: never): partial, like a limit */
	const volatile sig_atomic_t *interrupt;
	/* the memory the path's checkpoints may take (0: the default); past
	 * it they thin out, and backtracks replay more steps */
	size_t max_checkpoint_bytes;
} ExploreOpts;

#define EXPLORE_CHECKPOINT_EVERY 16
#define EXPLORE_CHECKPOINT_BYTES ((size_t)256 << 20)

typedef enum { EXPLORE_PASS, EXPLORE_FAIL, EXPLORE_PARTIAL } ExploreVerdict;

typedef struct {
	ExploreVerdict verdict;
	uint64_t schedules;     /* runs that reached their end */
	uint64_t pruned;        /* runs cut short at a world already seen */
	uint64_t cache_mismatches;  /* verify_cache: cached hashes that differed */
	uint64_t por_pruned;    /* runs cut short by the reduction: every way on is
	                           an order of independent steps already tried */
	uint64_t states;        /* steps taken (each gives a world), replays included */
	uint64_t new_states;    /* steps taken beyond a replayed prefix */
	uint64_t distinct;      /* distinct worlds at choice points */
	uint64_t max_depth;     /* most steps in one run */
	uint64_t choice_points; /* most choice points in one run */
	bool complete;          /* every schedule within the bound was covered */
	bool interrupted;       /* ExploreOpts.interrupt stopped it */
	size_t checkpoint_bytes;        /* the most the checkpoints held at once */
	uint64_t checkpoint_thinned;    /* times the cap thinned them out (0: never) */
	uint64_t checkpoint_every;      /* the spacing they had at the end, once thinned */
	/* the shortest failing schedule (fewest deviations, then fewest steps) */
	SchedDev *fail_plan;
	int fail_n;
	uint64_t fail_steps;    /* 0: no run failed (only a `sometimes` can be missing) */
	ExpectReport fail_report;
	/* `expect sometimes`: which held in at least one run (by expect index) */
	bool sometimes_held[EXPECT_MAX];
	int nsometimes_missing;
	/* for each that held, the shortest run that showed it (chosen as the
	 * failing schedule is), to replay or watch */
	SchedDev *seen_plan[EXPECT_MAX];
	int seen_n[EXPECT_MAX];
	uint64_t seen_steps[EXPECT_MAX];
} ExploreResult;

/* Explore s under prof/quirks.  The world of each run is made by world_new
 * with the scenario's own limits; the scenario's `schedule` line is not
 * followed (every interleaving within the bound is). */
void explore_run(const Scenario *s, const Profile *prof, uint32_t quirks,
    const ExploreOpts *o, ExploreResult *r);
void explore_result_free(ExploreResult *r);

#endif
