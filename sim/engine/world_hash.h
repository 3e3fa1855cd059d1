/*
 * world_hash.h: the hash of a world's value (world_hash.c).
 */
#ifndef SOSIM_WORLD_HASH_H
#define SOSIM_WORLD_HASH_H

#include <stdbool.h>
#include <stdint.h>
#include "footprint.h"
#include "world.h"

#define HASH_MAX_THREADS (WORLD_MAX_THREADS + TK__COUNT)

uint64_t world_hash(const World *w);

/*
 * An explorer's cache of the components of the last world it hashed.
 * After each step, hash_cache_touch with the step's footprint; after the
 * world was replaced (a restore), hash_cache_reset.  world_hash_cached
 * then equals world_hash, at the price of the components that changed.
 */
typedef struct {
	uint32_t valid_socks, valid_threads;    /* bit i: the cached hash is current */
	uint64_t socks[WORLD_MAX_SOCKETS];
	uint64_t threads[HASH_MAX_THREADS];
	bool work_valid;
	uint32_t work_n;
	uint64_t work_seq;
	int64_t work_now;
	uint64_t work;
	/* digests of segments on the wire, by slot and generation (slot 0 is
	 * never a segment's) */
#define HASH_SEG_CACHE 256
	uint32_t seg_slot[HASH_SEG_CACHE], seg_gen[HASH_SEG_CACHE];
	uint64_t seg[HASH_SEG_CACHE];
} HashCache;

void hash_cache_reset(HashCache *c);
void hash_cache_touch(HashCache *c, const Footprint *fp);
uint64_t world_hash_cached(const World *w, HashCache *c);

#endif
