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
 * The digest of a socket buffer's chain: its shape, mbuf by mbuf (type,
 * flags, loop count, length, packet length) and where records begin.
 * The world hash covers each buffer by this digest.  A walk of the chain
 * that is made anyway (the kernel's sbcheck after a step) computes it as
 * it goes with chain_mix_record/chain_mix_mbuf/chain_end and leaves it
 * with chain_note; the explorer's cached hash then takes it from there
 * instead of walking the chain a second time.
 */
static inline uint64_t
chain_fmix(uint64_t h)
{
	/* a bijective 64-bit mixer (MurmurHash3's fmix64) */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}
#define CHAIN_SEED 0x636861696e736565ull        /* "chainsee" */
/* One step of the digest: a multiply and a shift on its path from mbuf to
 * mbuf, which runs alongside the walk's loads; chain_end mixes fully. */
static inline uint64_t
chain_step(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}
static inline uint64_t
chain_mix_record(uint64_t h)
{
	return chain_step(h, 0x7265636f7264ull);        /* "record" */
}
static inline uint64_t
chain_mix_mbuf(uint64_t h, const Mbuf *x)
{
	uint64_t v = (uint64_t)x->type | (uint64_t)x->flags << 8 |
	    (uint64_t)x->loopcnt << 16 | (uint64_t)x->len << 32;

	/* pkt_len joins through a multiply off the digest's path */
	return chain_step(h, v ^ (uint64_t)x->pkt_len * 0xc4ceb9fe1a85ec53ull);
}
static inline uint64_t
chain_end(uint64_t h, uint64_t nmbufs)
{
	return chain_fmix(h ^ nmbufs);
}
/* The digest of buffer `which` (SB_RCV, SB_SND) of socket sock, as
 * this step leaves it. */
void chain_note(World *w, int sock, int which, uint64_t digest);

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
	uint32_t thread_socks[HASH_MAX_THREADS];  /* sockets each thread's hash read */
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
