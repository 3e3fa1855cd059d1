/*
 * snapshot.c: compact copies of a world (snapshot.h).
 *
 * The layout of a snapshot, one buffer:
 *   the World's fixed part (up to `socks`), the pointers in it cleared;
 *   socks[0..nsocks), threads[0..nthreads);
 *   the pending work, in firing order (nwork entries);
 *   the slot tables of the mbuf, cluster and segment pools (every slot up
 *   to the pool's size: free-list links live there);
 *   for every live mbuf, the bytes it holds: [m_data, m_data + m_len) of its
 *   own storage or of its cluster.
 * Bytes outside a live mbuf's data are not kept: nothing reads storage
 * before writing it (m_get does not clear, and the kernel fills what it
 * allocates), so they cannot change what happens next.
 *
 * Restoring into the world it was taken from, a snapshot copies back only
 * the bytes whose storage may have been written since: every snapshot
 * taken increments Run.data_epoch, every mtod stamps the storage it hands
 * out with the epoch of the moment (World.mstamp, cstamp), and storage
 * stamped before the snapshot's epoch still holds what the snapshot has.
 * The slot tables are stamped the same way, per block of POOL_BLOCK slots,
 * by the kernel's mutable accessors (World.mtstamp, ctstamp, ststamp).
 */
#include "snapshot.h"
#include "run.h"

#include <glib.h>
#include <string.h>

struct Snapshot {
	uint8_t *buf;
	size_t len, cap;
	uint64_t step;
	const World *origin;    /* the world it was taken from (its storage) */
	uint64_t epoch;         /* Run.data_epoch when it was taken */
};

static void
put(Snapshot *s, const void *p, size_t n)
{
	if (n == 0)
		return;     /* p may be NULL: an empty array */
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 3 / 2 + 4096;
		s->buf = g_realloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static const uint8_t *
get(const uint8_t **pp, void *dst, size_t n)
{
	const uint8_t *p = *pp;

	if (dst != NULL && n > 0)
		memcpy(dst, p, n);
	*pp = p + n;
	return p;
}

/* the value's fixed part: from `prof` to the queues (world.h) */
#define VALUE_START offsetof(World, prof)
#define FIXED_PART (offsetof(World, taskq) - VALUE_START)

/*
 * A socket without the unused tails of its two arrays (oob_hole, org),
 * and a thread without the frames above its depth: most of the bytes of
 * both, and never read (the hash, the checks and the kernel stop at the
 * counts; machine_call clears a frame it pushes).  The parts that hold
 * the counts come first, so a restore knows how much follows.
 */
#define SO_HEAD offsetof(Socket, oob_hole)
#define SO_TAIL offsetof(Socket, norg)

static void put(Snapshot *s, const void *p, size_t n);
static const uint8_t *get(const uint8_t **pp, void *dst, size_t n);

static void
put_socket(Snapshot *s, const Socket *so)
{
	const char *p = (const char *)so;

	put(s, p, SO_HEAD);
	put(s, p + offsetof(Socket, noob_holes), offsetof(Socket, org) - offsetof(Socket, noob_holes));
	put(s, p + SO_TAIL, sizeof *so - SO_TAIL);
	put(s, so->oob_hole, (size_t)so->noob_holes * sizeof so->oob_hole[0]);
	put(s, so->org, (size_t)so->norg * sizeof so->org[0]);
}

static void
get_socket(const uint8_t **pp, Socket *so)
{
	char *p = (char *)so;

	get(pp, p, SO_HEAD);
	get(pp, p + offsetof(Socket, noob_holes), offsetof(Socket, org) - offsetof(Socket, noob_holes));
	get(pp, p + SO_TAIL, sizeof *so - SO_TAIL);
	get(pp, so->oob_hole, (size_t)so->noob_holes * sizeof so->oob_hole[0]);
	get(pp, so->org, (size_t)so->norg * sizeof so->org[0]);
}

_Static_assert(offsetof(Thread, stack) + sizeof(((Thread *)0)->stack) == sizeof(Thread),
    "the frames are a thread's last member");

static void
put_thread(Snapshot *s, const Thread *t)
{
	put(s, t, offsetof(Thread, stack));
	put(s, t->stack, (size_t)t->depth * sizeof t->stack[0]);
}

static void
get_thread(const uint8_t **pp, Thread *t)
{
	get(pp, t, offsetof(Thread, stack));
	get(pp, t->stack, (size_t)t->depth * sizeof t->stack[0]);
}

static inline const Mbuf *
mslot(const World *w, uint32_t i)
{
	return &w->mchunk[i >> POOL_CHUNK_SHIFT][i & (POOL_CHUNK - 1)];
}

/* Where a live mbuf's bytes are: its own storage or its cluster's. */
static uint8_t *
mdata(const World *w, uint32_t i, const Mbuf *m)
{
	if (m->flags & M_EXT) {
		uint32_t c = m->ext.i;

		if (c == 0 || c >= w->nclusters)
			return NULL;    /* a stale cluster: the run has stopped on it */
		return w->cdchunk[c >> POOL_CHUNK_SHIFT] +
		    (size_t)(c & (POOL_CHUNK - 1)) * (size_t)w->prof->mclbytes + m->off;
	}
	return w->mdchunk[i >> POOL_CHUNK_SHIFT] +
	    (size_t)(i & (POOL_CHUNK - 1)) * (size_t)w->prof->mlen + m->off;
}

void
snapshot_retake(Snapshot *s, const World *w)
{
	uint32_t nch;

	s->len = 0;
	s->step = w->step;
	s->origin = w;
	s->epoch = ++w->run->data_epoch;
	put(s, (const char *)w + VALUE_START, FIXED_PART);
	put(s, w->taskq, (size_t)w->ntaskq * sizeof w->taskq[0]);
	put(s, w->clockq, (size_t)w->nclockq * sizeof w->clockq[0]);
	for (int i = 0; i < w->nsocks; i++)
		put_socket(s, &w->socks[i]);
	for (int i = 0; i < w->nthreads; i++)
		put_thread(s, &w->threads[i]);
	if (w->nwork > 0)
		put(s, w->work + w->work_head, (size_t)w->nwork * sizeof w->work[0]);
	nch = w->nmbufs >> POOL_CHUNK_SHIFT;
	for (uint32_t c = 0; c < nch; c++)
		put(s, w->mchunk[c], POOL_CHUNK * sizeof(Mbuf));
	nch = w->nclusters >> POOL_CHUNK_SHIFT;
	for (uint32_t c = 0; c < nch; c++)
		put(s, w->cchunk[c], POOL_CHUNK * sizeof(Cluster));
	nch = w->nsegs >> POOL_CHUNK_SHIFT;
	for (uint32_t c = 0; c < nch; c++)
		put(s, w->schunk[c], POOL_CHUNK * sizeof(Segment));
	for (uint32_t i = 1; i < w->nmbufs; i++) {
		const Mbuf *m = mslot(w, i);

		uint8_t *d;

		if (m->live && m->len > 0 && (d = mdata(w, i, m)) != NULL)
			put(s, d, m->len);
	}
}

Snapshot *
snapshot_take(const World *w)
{
	Snapshot *s = g_new0(Snapshot, 1);

	snapshot_retake(s, w);
	return s;
}

/*
 * Restore a pool's slot table: its first `n` slots, in chunks of `size`
 * bytes per slot (allocated if w has fewer; chunks beyond are kept for
 * the pool to grow into again, pool_chunk), copying only the blocks of
 * POOL_BLOCK slots whose stamps say they may have been written since the
 * snapshot was taken, and stamping the blocks copied.
 */
static void
restore_table(const Snapshot *s, World *w, const uint8_t **pp, void **meta, uint64_t **tstamps,
    uint8_t **data, uint64_t **stamps, uint32_t n, size_t size, size_t data_size)
{
	size_t block = ((size_t)1 << POOL_BLOCK_SHIFT) * size;
	bool same = s->origin == w;

	for (uint32_t c = 0; c < n >> POOL_CHUNK_SHIFT; c++) {
		pool_chunk(meta, tstamps, data, stamps, c, size, data_size, false);
		for (uint32_t b = 0; b < POOL_BLOCKS; b++) {
			if (same && tstamps[c][b] < s->epoch) {
				*pp += block;   /* not written since: the slots are there */
				continue;
			}
			get(pp, (uint8_t *)meta[c] + b * block, block);
			tstamps[c][b] = *w->epoch;
		}
	}
}

/* The stamp of the storage a live mbuf's bytes are in. */
static uint64_t *
stamp_of(World *w, uint32_t i, const Mbuf *m)
{
	if (m->flags & M_EXT)
		return &w->cstamp[m->ext.i >> POOL_CHUNK_SHIFT][m->ext.i & (POOL_CHUNK - 1)];
	return &w->mstamp[i >> POOL_CHUNK_SHIFT][i & (POOL_CHUNK - 1)];
}

void
snapshot_restore(const Snapshot *s, World *w)
{
	const uint8_t *p = s->buf;

	/* the value; this world's memory and run stay */
	w->run->tick++;         /* chain digests noted before describe another world */
	w->run->shadow_valid = false;   /* the trace's last report was of another world */
	get(&p, (char *)w + VALUE_START, FIXED_PART);
	get(&p, w->taskq, (size_t)w->ntaskq * sizeof w->taskq[0]);
	get(&p, w->clockq, (size_t)w->nclockq * sizeof w->clockq[0]);
	for (int i = 0; i < w->nsocks; i++)
		get_socket(&p, &w->socks[i]);
	for (int i = 0; i < w->nthreads; i++)
		get_thread(&p, &w->threads[i]);
	w->work_head = 0;       /* the queue comes back at the front of the array */
	if (w->nwork > w->capwork) {
		w->capwork = w->nwork;
		w->work = g_realloc_n(w->work, w->capwork, sizeof(Work));
	}
	get(&p, w->work, (size_t)w->nwork * sizeof w->work[0]);
	restore_table(s, w, &p, (void **)w->mchunk, w->mtstamp, w->mdchunk, w->mstamp, w->nmbufs,
	    sizeof(Mbuf), (size_t)w->prof->mlen);
	restore_table(s, w, &p, (void **)w->cchunk, w->ctstamp, w->cdchunk, w->cstamp,
	    w->nclusters, sizeof(Cluster), (size_t)w->prof->mclbytes);
	restore_table(s, w, &p, (void **)w->schunk, w->ststamp, NULL, NULL, w->nsegs,
	    sizeof(Segment), 0);
	for (uint32_t i = 1; i < w->nmbufs; i++) {
		const Mbuf *m = mslot(w, i);
		uint64_t *st;
		uint8_t *d;

		if (!m->live || m->len == 0 || (d = mdata(w, i, m)) == NULL)
			continue;
		st = stamp_of(w, i, m);
		if (s->origin == w && *st < s->epoch) {
			p += m->len;    /* not written since: the bytes are there */
			continue;
		}
		get(&p, d, m->len);
		*st = *w->epoch;
	}
}

size_t
snapshot_bytes(const Snapshot *s)
{
	return sizeof *s + s->cap;
}

uint64_t
snapshot_step(const Snapshot *s)
{
	return s->step;
}

void
snapshot_free(Snapshot *s)
{
	if (s == NULL)
		return;
	g_free(s->buf);
	g_free(s);
}

World *
world_clone(const World *w)
{
	World *c = world_alloc(w->run, false, w->prof, w->quirks);

	world_restore(c, w);
	return c;
}

void
world_restore(World *dst, const World *src)
{
	Snapshot s = { 0 };

	snapshot_retake(&s, src);
	snapshot_restore(&s, dst);
	g_free(s.buf);
}
