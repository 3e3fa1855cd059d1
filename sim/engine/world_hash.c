/*
 * world_hash.c: a 64-bit hash of the world's value, for the explorer's
 * table of worlds already seen (DESIGN.md rule 1).
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
 * so two worlds that differ in them behave alike), the generation
 * counters that only make handles unique.  Payload bytes are not hashed: they are a
 * function of stream offsets, which are (sequence numbers, counters).
 */
#include <string.h>
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define XXH_STATIC_LINKING_ONLY    /* XXH3_state_t on the stack, not malloc'd per hash */
#include <xxhash.h>

#include "run.h"
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

static inline void
put(H *h, const void *p, size_t n)
{
	if (__builtin_expect(h->len + n > HBUF, 0)) {
		flush(h);
		if (n > HBUF) {
			XXH3_64bits_update(&h->st, p, n);
			return;
		}
	}
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

/* The digest of a socket buffer's chain (world_hash.h), walked here. */
static uint64_t
chain_digest(const World *w, const Sockbuf *sb)
{
	const Mbuf *r;
	uint64_t h = CHAIN_SEED, n = 0;

	for (Ref rec = sb->mb; (r = world_mbuf(w, rec)) != NULL; rec = r->nextpkt) {
		const Mbuf *x;

		h = chain_mix_record(h);
		for (Ref m = rec; (x = world_mbuf(w, m)) != NULL; m = x->next, n++)
			h = chain_mix_mbuf(h, x);
	}
	return chain_end(h, n);
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
put_thread(H *h, const Thread *t)
{
	struct {
		uint8_t state, kind, intr, sig;
		int16_t depth;
		uint16_t pad;
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
	v.wchan = t->wchan;
	v.wake_err = t->wake_err;
	v.pc = t->pc;
	v.err = t->err;
	v.oflags = t->oflags;
	v.rv = t->rv;
	v.rx_ip = t->rx_ip;
	v.rx_port = t->rx_port;
	put(h, &v, sizeof v);
	put(h, t->stack, (size_t)t->depth * sizeof t->stack[0]);
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
 * order, sched.c); a segment by what it carries.  A segment never changes
 * on the wire, so its digest is kept in the cache by (slot, generation)
 * when there is one. */
static void
put_work(H *h, const World *w, HashCache *c)
{
	const Work *v = w->nwork > 0 ? w->work + w->work_head : NULL;

	for (uint32_t i = 0; i < w->nwork; i++) {
		put64(h, (uint64_t)(v[i].time - w->now));
		if (v[i].kind == KW_SEGMENT) {
			uint32_t k = v[i].a & (HASH_SEG_CACHE - 1);

			put64(h, KW_SEGMENT);
			if (c != NULL && c->seg_slot[k] == v[i].a && c->seg_gen[k] == v[i].gen) {
				put64(h, c->seg[k]);
				continue;
			}
			uint64_t d = segment_digest(w, world_segment(w, v[i].a));

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

/* The socket's own bytes are hashed where they lie (a few hundred bytes
 * in three stretches, no copy); the chains by their digests, those noted
 * by sbcheck this tick when `noted`. */
static uint64_t
hash_socket(H *h, const World *w, int i, bool noted)
{
	const Socket *so = &w->socks[i];
	const char *p = (const char *)so;
	size_t a = offsetof(Socket, oob_hole), b = offsetof(Socket, noob_holes);
	size_t c = offsetof(Socket, org), d = offsetof(Socket, norg);
	uint64_t x;

	x = XXH3_64bits(p, a);
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

static uint64_t
hash_thread(H *h, const World *w, int i)
{
	h_reset(h);
	put_thread(h, &w->threads[i]);
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
	put(h, w->idle_ref, sizeof w->idle_ref);
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

	for (int i = 0; i < w->nthreads; i++)
		threads[i] = hash_thread(&h, w, i);
	for (int i = 0; i < w->nsocks; i++)
		socks[i] = hash_socket(&h, w, i, false);   /* the reference: walk every chain */
	return combine(&h, w, socks, threads, hash_work(&h, w, NULL));
}

/*
 * The same value, rehashing only the components a step may have changed
 * since the cache last saw the world: the sockets and threads in the
 * footprints given to hash_cache_touch, and the pending work when its
 * size, its push count or the clock moved (it changes only by pushes and
 * pops, and a segment on the wire never changes).
 */
void
hash_cache_reset(HashCache *c)
{
	c->valid_socks = 0;
	c->valid_threads = 0;
	c->work_valid = false;
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
}

uint64_t
world_hash_cached(const World *w, HashCache *c)
{
	static _Thread_local H h;

	for (int i = 0; i < w->nthreads; i++)
		if (!((c->valid_threads >> i) & 1u)) {
			c->threads[i] = hash_thread(&h, w, i);
			c->valid_threads |= 1u << i;
		}
	for (int i = 0; i < w->nsocks; i++)
		if (!((c->valid_socks >> i) & 1u)) {
			c->socks[i] = hash_socket(&h, w, i, true);
			c->valid_socks |= 1u << i;
		}
	if (!c->work_valid || c->work_n != w->nwork || c->work_seq != w->work_seq ||
	    c->work_now != w->now) {
		c->work = hash_work(&h, w, c);
		c->work_valid = true;
		c->work_n = w->nwork;
		c->work_seq = w->work_seq;
		c->work_now = w->now;
	}
	return combine(&h, w, c->socks, c->threads, c->work);
}
