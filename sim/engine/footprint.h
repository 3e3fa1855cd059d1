/*
 * footprint.h: what one step touched (footprint.c), for the explorer's
 * partial-order reduction (explore.c, docs/scheduling.md).
 *
 * Two steps of different entities commute when neither touches anything
 * the other touches: then running them in either order gives the same
 * world, and the explorer need not try both.  The kernel and the engine
 * record, while a step runs, every socket and thread they reach, the
 * sleep channels they sleep or wake on, and the shared queues they push
 * or pop.  Reads and writes are not told apart: a superset is safe, a
 * missing entry is not.
 */
#ifndef SOSIM_FOOTPRINT_H
#define SOSIM_FOOTPRINT_H

#include <stdbool.h>
#include <stdint.h>

enum {
	FP_WORK_PUSH = 1 << 0,  /* put kernel work on the queue (a segment, a timer); taking
	                           the first item off (softnet) commutes with a push */
	FP_QUEUE = 1 << 1,      /* the sosplice task queue or the softclock queue */
	FP_POOL = 1 << 2,       /* the mbuf pool when it is limited, or its waiters */
	FP_KMEM = 1 << 3,       /* kernel malloc (the 2005 splice_state) */
	FP_ALL = 1 << 4,        /* anything: a scenario event, or an unknown effect */
};

typedef struct {
	uint32_t socks;         /* sock_bit(i): socket i (from 31 on, one bit for all) */
	uint32_t threads;       /* bit t: thread t (kernel threads included) */
	uint64_t chans;         /* sleep channels, hashed to 64 bits */
	uint32_t flags;         /* FP_* */
} Footprint;

/* Could running a and b in the other order change the world? */
bool fp_dependent(const Footprint *a, const Footprint *b);

#endif
