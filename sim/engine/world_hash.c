/*
 * world_hash.c: a 64-bit hash of the world's value, for the explorer's
 * table of worlds already seen (docs/design.md rule 1).
 *
 * Two worlds with equal hashes must behave alike from here on and end with
 * the same verdict, so the hash covers everything a later step or the final
 * check reads: the clock, who ran last (the default policy depends on it),
 * threads and their frames, sockets, the shape of every socket buffer's
 * chain, pending kernel work in firing order, the splice queues, and the
 * history the verdict looks at (op results that failed, the counters the
 * scenario's `expect stat` lines name, a violation).  It leaves out what
 * only the trace shows: the step number, the cost profile, the other
 * counters (no kernel routine reads a counter: they are only incremented,
 * so two worlds that differ in them behave alike), and which pool slots
 * hold the mbufs: a handle is hashed by what it points at, never by slot
 * or generation (mref_name below).  Payload bytes are not hashed: they are
 * a function of stream offsets, which are (sequence numbers, counters).
 */
#include <string.h>
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define XXH_STATIC_LINKING_ONLY    /* XXH3_state_t on the stack, not malloc'd per hash */
#include <xxhash.h>

#include "machine.h"
#include "run.h"
#include "sched.h"
#include "world.h"
#include "world_hash.h"

/*
 * The bytes are gathered in a buffer and hashed in one call: XXH3 over
 * many 8-byte updates costs several times the one-shot hash of the same
 * bytes.  A world too large for the buffer streams it in chunks; XXH3's
 * streaming and one-shot forms give the same value.
 */
#define HBUF 16384

typedef struct {
	size_t len;
	bool streaming;
	XXH3_state_t st;
	unsigned char buf[HBUF];
} H;

static void
flush(H *h)
{
	if (!h->streaming) {
		XXH3_INITSTATE(&h->st);
		XXH3_64bits_reset(&h->st);
		h->streaming = true;
	}
	XXH3_64bits_update(&h->st, h->buf, h->len);
	h->len = 0;
}

/* n is never more than the buffer holds: the largest puts are the arrays
 * of combine() below, whose bounds are asserted here. */
_Static_assert(sizeof(((World *)0)->taskq) <= HBUF && sizeof(((World *)0)->clockq) <= HBUF &&
    WORLD_MAX_SOCKETS * sizeof(uint64_t) <= HBUF && sizeof(((World *)0)->kmem) <= HBUF,
    "every put fits in the buffer");

static inline void
put(H *h, const void *p, size_t n)
{
	if (__builtin_expect(h->len + n > HBUF, 0))
		flush(h);
	memcpy(h->buf + h->len, p, n);
	h->len += n;
}

static inline void
put64(H *h, uint64_t v)
{
	if (__builtin_expect(h->len + sizeof v > HBUF, 0))
		flush(h);
	memcpy(h->buf + h->len, &v, sizeof v);
	h->len += sizeof v;
}

static uint64_t
digest(H *h)
{
	if (!h->streaming)
		return XXH3_64bits(h->buf, h->len);
	flush(h);
	return XXH3_64bits_digest(&h->st);
}

/*
 * Pool slots are not part of a world's value.  A slot number only ever
 * flows into handles, and which free slot the allocator hands out is not
 * observable, so two worlds whose chains have the same shapes behave
 * alike whichever slots hold them.  The hash therefore never reads a
 * slot: a chain enters by its shape (chain_digest), a socket buffer's own
 * handles (sb_mb, sb_lastrecord, sb_mbtail) not at all, since sbcheck
 * holds them to the chain's first record, last record and last mbuf, and
 * any other handle by what it points at (mref_name).
 */

/* The digest of the chain from `first`, records by m_nextpkt and mbufs by
 * m_next, at most `limit` mbufs (a broken chain with a cycle ends there). */
static uint64_t
chain_digest_from(const World *w, Ref first, uint64_t limit)
{
	const Mbuf *r;
	uint64_t h = CHAIN_SEED, n = 0;

	for (Ref rec = first; (r = world_mbuf(w, rec)) != NULL && n < limit; rec = r->nextpkt) {
		const Mbuf *x;

		h = chain_mix_record(h);
		for (Ref m = rec; (x = world_mbuf(w, m)) != NULL && n < limit; m = x->next, n++)
			h = chain_mix_mbuf(h, x);
	}
	return chain_end(h, n);
}

/* The digest of a socket buffer's chain (world_hash.h), walked here. */
static uint64_t
chain_digest(const World *w, const Sockbuf *sb)
{
	return chain_digest_from(w, sb->mb, (uint64_t)w->mlive + 1);
}

/* Where live mbuf `want` is in the chain from `first`, in chain_digest's
 * order, or -1. */
static int64_t
chain_position(const World *w, Ref first, Ref want, uint64_t limit)
{
	const Mbuf *r;
	int64_t n = 0;

	for (Ref rec = first; (r = world_mbuf(w, rec)) != NULL && (uint64_t)n < limit; rec = r->nextpkt) {
		const Mbuf *x;

		for (Ref m = rec; (x = world_mbuf(w, m)) != NULL && (uint64_t)n < limit; m = x->next, n++)
			if (m.i == want.i)
				return n;
	}
	return -1;
}

/* What an mbuf handle names: nothing, a freed mbuf, a place in a socket
 * buffer, a place in a chain an earlier handle of the same frame holds,
 * or the head of a chain of its own (by its digest). */
enum { MN_NULL, MN_STALE, MN_BUFFER, MN_PRIOR, MN_DETACHED };
_Static_assert(sizeof(Ref) == sizeof(uint64_t), "a handle's name takes its place");
#define MN(kind, hi, lo) ((uint64_t)(kind) << 56 | (uint64_t)(hi) << 32 | (uint32_t)(lo))

static uint64_t
buffer_name(const World *w, int s, Ref want, uint64_t limit, uint32_t *socks)
{
	for (int which = SB_RCV; which <= SB_SND; which++) {
		const Sockbuf *sb = which == SB_RCV ? &w->socks[s].rcv : &w->socks[s].snd;
		int64_t p = chain_position(w, sb->mb, want, limit);

		if (p >= 0) {
			*socks |= sock_bit(s);
			return MN(MN_BUFFER, (uint32_t)s << 1 | (uint32_t)which, p);
		}
	}
	return 0;
}

/* The name of the k-th mbuf handle of frame f; `socks` gathers the
 * sockets whose buffers the name depends on. */
static uint64_t
mref_name(const World *w, const Frame *f, const MachineDef *d, int k, uint32_t *socks)
{
	uint64_t limit = (uint64_t)w->mlive + 1, name;
	int own = (int)f->u.ss.so.i - 1;        /* every frame starts with its socket */
	Ref r;

	memcpy(&r, (const char *)f + d->mrefs[k], sizeof r);
	if (ref_null(r))
		return MN(MN_NULL, 0, 0);
	if (world_mbuf(w, r) == NULL)
		return MN(MN_STALE, 0, 0);
	if (own >= 0 && own < w->nsocks && (name = buffer_name(w, own, r, limit, socks)) != 0)
		return name;
	for (int s = 0; s < w->nsocks; s++)
		if (s != own && (name = buffer_name(w, s, r, limit, socks)) != 0)
			return name;
	for (int j = 0; j < k; j++) {
		Ref q;
		int64_t p;

		memcpy(&q, (const char *)f + d->mrefs[j], sizeof q);
		if (!ref_null(q) && (p = chain_position(w, q, r, limit)) >= 0)
			return MN(MN_PRIOR, j, p);
	}
	return MN(MN_DETACHED, 0, 0) | (chain_digest_from(w, r, limit) >> 8);
}

void
chain_note(World *w, int sock, int which, uint64_t digest)
{
	Run *r = w->run;

	if (sock < 0 || sock >= WORLD_MAX_SOCKETS || (which != SB_RCV && which != SB_SND))
		return;
	if (r->chain_world != w) {
		memset(r->chain_tick, 0, sizeof r->chain_tick);
		r->chain_world = w;
	}
	r->chain_tick[sock][which] = r->tick;
	r->chain_digest[sock][which] = digest;
}

/* The digest of a buffer: noted this tick by a walk made anyway, when
 * `noted` allows, or walked now. */
static uint64_t
buffer_digest(const World *w, int sock, int which, bool noted)
{
	const Run *r = w->run;

	if (noted && r->chain_world == w && r->tick != 0 && r->chain_tick[sock][which] == r->tick)
		return r->chain_digest[sock][which];
	return chain_digest(w, which == SB_RCV ? &w->socks[sock].rcv : &w->socks[sock].snd);
}

/* m_length, read-only */
static uint64_t
chain_length(const World *w, Ref m)
{
	const Mbuf *x;
	uint64_t n = 0;

	for (; (x = world_mbuf(w, m)) != NULL; m = x->next)
		n += x->len;
	return n;
}

static void
put_thread(H *h, const World *w, const Thread *t, uint32_t *socks)
{
	struct {
		uint8_t state, kind, intr, sig;
		int16_t depth;
		uint8_t ctx, pad;
		uint32_t wchan;
		int32_t wake_err, pc, err, oflags;
		int64_t rv;
		uint32_t rx_ip, rx_port;
	} v;

	memset(&v, 0, sizeof v);
	v.state = t->state;
	v.kind = t->kind;
	v.intr = t->intr;
	v.sig = t->sig_pending;
	v.depth = t->depth;
	/* who may run next depends on what its context excludes, not on
	 * which context it is (user mode before the first call or after) */
	v.ctx = context_defs[t->ctx].excludes;
	v.wchan = t->wchan;
	v.wake_err = t->wake_err;
	v.pc = t->pc;
	v.err = t->err;
	v.oflags = t->oflags;
	v.rv = t->rv;
	v.rx_ip = t->rx_ip;
	v.rx_port = t->rx_port;
	put(h, &v, sizeof v);
	for (int i = 0; i < t->depth; i++) {
		const Frame *f = &t->stack[i];
		const MachineDef *d = machine_def(f->mach);
		Frame c;

		if (d->nmrefs == 0 || w->run->hash_slots) {
			put(h, f, sizeof *f);
			continue;
		}
		/* the frame with its mbuf handles replaced by their names */
		c = *f;
		for (int k = 0; k < d->nmrefs; k++) {
			uint64_t name = mref_name(w, f, d, k, socks);

			memcpy((char *)&c + d->mrefs[k], &name, sizeof name);
		}
		put(h, &c, sizeof c);
	}
}

/* A segment on the wire by what it carries, not by its pool slot. */
static uint64_t
segment_digest(const World *w, const Segment *s)
{
	unsigned char b[offsetof(Segment, m) - offsetof(Segment, kind) + 8 +
	    sizeof(Segment) - offsetof(Segment, from_ip)];
	size_t a = offsetof(Segment, m) - offsetof(Segment, kind);
	uint64_t len = chain_length(w, s->m);

	memcpy(b, &s->kind, a);
	memcpy(b + a, &len, 8);
	memcpy(b + a + 8, &s->from_ip, sizeof *s - offsetof(Segment, from_ip));
	return XXH3_64bits(b, sizeof b);
}

/* Pending work in the order it will fire (the queue is kept in that
 * order, sched.c), without the cancelled timers that will be dropped
 * unfired (a delayed ACK that went out with data); a segment by what
 * it carries.  A segment never changes
 * on the wire, so its digest is kept in the cache by (slot, generation)
 * when there is one. */
static void
put_work(H *h, const World *w, HashCache *c)
{
	const Work *v = w->nwork > 0 ? w->work + w->work_head : NULL;

	for (uint32_t i = 0; i < w->nwork; i++) {
		if (sched_work_moot(w, &v[i]))
			continue;
		put64(h, (uint64_t)(v[i].time - w->now));
		if (v[i].kind == KW_SEGMENT) {
			uint32_t k = v[i].a & (HASH_SEG_CACHE - 1);

			put64(h, KW_SEGMENT);
			if (c != NULL && c->seg_slot[k] == v[i].a && c->seg_gen[k] == v[i].gen) {
				put64(h, c->seg[k]);
				continue;
			}
			/* a queued segment's slot is in the pool (world_segment's
			 * check is for observers that may ask anything) */
			uint64_t d = segment_digest(w,
			    &w->schunk[v[i].a >> POOL_CHUNK_SHIFT][v[i].a & (POOL_CHUNK - 1)]);

			if (c != NULL) {
				c->seg_slot[k] = v[i].a;
				c->seg_gen[k] = v[i].gen;
				c->seg[k] = d;
			}
			put64(h, d);
		} else {
			put64(h, (uint64_t)v[i].kind << 32 | v[i].a);
			put64(h, v[i].gen);
		}
	}
}

/* One component of the world, hashed alone: a socket with its chains, a
 * thread with its frames, or the pending work. */
static void
h_reset(H *h)
{
	h->len = 0;
	h->streaming = false;
}

/* In a copy of a socket's head: its buffers' handles left out, and
 * tcp_output's cached place in so_snd (t_lastm) by its position. */
static void
name_socket_handles(const World *w, Socket *copy)
{
	Ref lastm = copy->tp.lastm;
	uint64_t name = MN(MN_NULL, 0, 0);

	if (!ref_null(lastm)) {
		int64_t pos = chain_position(w, copy->snd.mb, lastm, (uint64_t)w->mlive + 1);

		name = world_mbuf(w, lastm) == NULL ? MN(MN_STALE, 0, 0) :
		    pos >= 0 ? MN(MN_BUFFER, 0, pos) : MN(MN_DETACHED, 0, 0);
	}
	memcpy(&copy->tp.lastm, &name, sizeof name);
	copy->rcv.mb = copy->rcv.lastrecord = copy->rcv.mbtail = REF_NULL;
	copy->snd.mb = copy->snd.lastrecord = copy->snd.mbtail = REF_NULL;
}

/* The socket's own bytes are hashed where they lie (a few hundred bytes
 * in three stretches, no copy but the first), with its buffers' handles
 * left out and tcp_output's cached place in so_snd by its position; the
 * chains by their digests, those noted by sbcheck this tick when `noted`. */
static uint64_t
hash_socket(H *h, const World *w, int i, bool noted)
{
	const Socket *so = &w->socks[i];
	const char *p = (const char *)so;
	size_t a = offsetof(Socket, oob_hole), b = offsetof(Socket, noob_holes);
	size_t c = offsetof(Socket, org), d = offsetof(Socket, norg);
	union {
		Socket so;
		char bytes[offsetof(Socket, oob_hole)];
	} head;
	uint64_t x;

	memcpy(head.bytes, p, a);
	if (!w->run->hash_slots)
		name_socket_handles(w, &head.so);
	x = XXH3_64bits(head.bytes, a);
	x = XXH3_64bits_withSeed(so->oob_hole, (size_t)so->noob_holes * sizeof so->oob_hole[0], x);
	x = XXH3_64bits_withSeed(p + b, c - b, x);
	x = XXH3_64bits_withSeed(so->org, (size_t)so->norg * sizeof so->org[0], x);
	x = XXH3_64bits_withSeed(p + d, sizeof *so - d, x);
	h_reset(h);
	put64(h, x);
	put64(h, buffer_digest(w, i, SB_RCV, noted));
	put64(h, buffer_digest(w, i, SB_SND, noted));
	return digest(h);
}

/* A thread with its frames; `socks` gathers the sockets whose buffers
 * its handles point into, so a step on one of them rehashes it too. */
static uint64_t
hash_thread(H *h, const World *w, int i, uint32_t *socks)
{
	h_reset(h);
	put_thread(h, w, &w->threads[i], socks);
	return digest(h);
}

static uint64_t
hash_work(H *h, const World *w, HashCache *c)
{
	h_reset(h);
	put_work(h, w, c);
	return digest(h);
}

/* The world from its components' hashes and the scalars around them. */
static uint64_t
combine(H *h, const World *w, const uint64_t *socks, const uint64_t *threads, uint64_t work)
{
	h_reset(h);
	put64(h, (uint64_t)w->now);
	put64(h, (uint64_t)(int64_t)w->last_thread);
	put(h, threads, (size_t)w->nthreads * sizeof *threads);
	put(h, socks, (size_t)w->nsocks * sizeof *socks);
	put64(h, work);
	put(h, w->taskq, (size_t)w->ntaskq * sizeof w->taskq[0]);
	put64(h, (uint64_t)w->ntaskq << 32 | (uint32_t)w->nclockq);
	put(h, w->clockq, (size_t)w->nclockq * sizeof w->clockq[0]);
	put(h, w->kmem, sizeof w->kmem);
	put64(h, (uint64_t)w->mlive << 32 | w->clive);
	put64(h, w->mbuf_wanted);
	/* only the counters a verdict reads: the kernel never reads them */
	for (int i = 0; i < ncounter_defs; i++)
		if ((w->run->hash_counters >> i) & 1u)
			put64(h, *(const uint64_t *)((const char *)&w->stats + counter_defs[i].offset));
	put64(h, (uint64_t)w->nfails);
	put(h, w->fails, (size_t)MIN(w->nfails, 16) * sizeof w->fails[0]);
	put64(h, w->violation);
	put64(h, (uint64_t)w->stop);
	return digest(h);
}

uint64_t
world_hash(const World *w)
{
	static _Thread_local H h;
	uint64_t socks[WORLD_MAX_SOCKETS], threads[HASH_MAX_THREADS];

	uint32_t socks_read = 0;

	for (int i = 0; i < w->nthreads; i++)
		threads[i] = hash_thread(&h, w, i, &socks_read);
	for (int i = 0; i < w->nsocks; i++)
		socks[i] = hash_socket(&h, w, i, false);   /* the reference: walk every chain */
	return combine(&h, w, socks, threads, hash_work(&h, w, NULL));
}

/*
 * The same value, rehashing only the components a step may have changed
 * since the cache last saw the world: the sockets and threads in the
 * footprints given to hash_cache_touch.  The pending work is hashed
 * again each time: every step touches a socket or a thread, which may
 * have cancelled a queued timer (the hash leaves those out); a segment
 * on the wire never changes, and its digest is kept.
 */
void
hash_cache_reset(HashCache *c)
{
	c->valid_socks = 0;
	c->valid_threads = 0;
	/* slots and generations repeat after a restore, with other contents */
	memset(c->seg_slot, 0, sizeof c->seg_slot);
}

void
hash_cache_touch(HashCache *c, const Footprint *fp)
{
	if (fp->flags & FP_ALL) {
		hash_cache_reset(c);
		return;
	}
	c->valid_socks &= ~fp->socks;
	c->valid_threads &= ~fp->threads;
	/* a thread's handles into a buffer are named by their place there */
	for (uint32_t v = c->valid_threads; v != 0; v &= v - 1) {
		int i = __builtin_ctz(v);

		if (c->thread_socks[i] & fp->socks)
			c->valid_threads &= ~(1u << i);
	}
}

uint64_t
world_hash_cached(const World *w, HashCache *c)
{
	static _Thread_local H h;
	uint32_t stale;

	for (int i = 0; i < w->nthreads; i++)
		if (!((c->valid_threads >> i) & 1u)) {
			c->thread_socks[i] = 0;
			c->threads[i] = hash_thread(&h, w, i, &c->thread_socks[i]);
			c->valid_threads |= 1u << i;
		}
	/* sockets from 31 on share a bit: rehash them all when it is stale */
	stale = ~c->valid_socks;
	for (int i = 0; i < w->nsocks; i++)
		if (stale & sock_bit(i)) {
			c->socks[i] = hash_socket(&h, w, i, true);
			c->valid_socks |= sock_bit(i);
		}
	return combine(&h, w, c->socks, c->threads, hash_work(&h, w, c));
}
