/*
 * snapshot.c: compact copies of a world (snapshot.h).
 *
 * The layout of a snapshot, one buffer:
 *   the World's fixed part (up to `socks`), the pointers in it cleared;
 *   socks[0..nsocks), threads[0..nthreads);
 *   the work heap (nwork entries);
 *   the slot tables of the mbuf, cluster and segment pools (every slot up
 *   to the pool's size: free-list links live there);
 *   for every live mbuf, the bytes it holds: [m_data, m_data + m_len) of its
 *   own storage or of its cluster.
 * Bytes outside a live mbuf's data are not kept: nothing reads storage
 * before writing it (m_get does not clear, and the kernel fills what it
 * allocates), so they cannot change what happens next.
 */
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct Snapshot {
	uint8_t *buf;
	size_t len, cap;
	uint64_t step;
};

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL) {
		fputs("sosim: out of memory taking a snapshot\n", stderr);
		abort();
	}
	return p;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		fputs("sosim: out of memory restoring a snapshot\n", stderr);
		abort();
	}
	return p;
}

static void
put(Snapshot *s, const void *p, size_t n)
{
	if (n == 0)
		return;     /* p may be NULL: an empty work heap */
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 3 / 2 + 4096;
		s->buf = xrealloc(s->buf, s->cap);
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

#define FIXED_PART offsetof(World, socks)

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
	World head;
	uint32_t nch;

	s->len = 0;
	s->step = w->step;
	memcpy(&head, w, FIXED_PART);
	/* pointers are this world's own memory, not its value */
	head.run = NULL;
	memset(head.mchunk, 0, sizeof head.mchunk);
	memset(head.mdchunk, 0, sizeof head.mdchunk);
	memset(head.cchunk, 0, sizeof head.cchunk);
	memset(head.cdchunk, 0, sizeof head.cdchunk);
	memset(head.schunk, 0, sizeof head.schunk);
	head.work = NULL;
	put(s, &head, FIXED_PART);
	put(s, w->socks, (size_t)w->nsocks * sizeof w->socks[0]);
	put(s, w->threads, (size_t)w->nthreads * sizeof w->threads[0]);
	put(s, w->work, (size_t)w->nwork * sizeof w->work[0]);
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
	Snapshot *s = xcalloc(1, sizeof *s);

	snapshot_retake(s, w);
	return s;
}

/* Give w exactly `want` chunks of a pool: allocate the missing ones, free extras. */
static void
fit_chunks(void **meta, uint8_t **data, uint32_t have, uint32_t want, size_t meta_size,
    size_t data_size)
{
	for (uint32_t c = want; c < have; c++) {
		free(meta[c]);
		meta[c] = NULL;
		if (data != NULL) {
			free(data[c]);
			data[c] = NULL;
		}
	}
	for (uint32_t c = have; c < want; c++) {
		meta[c] = xcalloc(POOL_CHUNK, meta_size);
		if (data != NULL)
			data[c] = xcalloc(POOL_CHUNK, data_size);
	}
}

void
snapshot_restore(const Snapshot *s, World *w)
{
	const uint8_t *p = s->buf;
	World keep;
	uint32_t nch;

	/* keep what is this world's own memory and attachment */
	memcpy(&keep, w, FIXED_PART);
	get(&p, w, FIXED_PART);
	w->run = keep.run;
	w->run_owned = keep.run_owned;
	memcpy(w->mchunk, keep.mchunk, sizeof w->mchunk);
	memcpy(w->mdchunk, keep.mdchunk, sizeof w->mdchunk);
	memcpy(w->cchunk, keep.cchunk, sizeof w->cchunk);
	memcpy(w->cdchunk, keep.cdchunk, sizeof w->cdchunk);
	memcpy(w->schunk, keep.schunk, sizeof w->schunk);
	w->work = keep.work;
	w->capwork = keep.capwork;

	get(&p, w->socks, (size_t)w->nsocks * sizeof w->socks[0]);
	get(&p, w->threads, (size_t)w->nthreads * sizeof w->threads[0]);
	if (w->nwork > w->capwork) {
		w->capwork = w->nwork;
		w->work = xrealloc(w->work, w->capwork * sizeof w->work[0]);
	}
	get(&p, w->work, (size_t)w->nwork * sizeof w->work[0]);

	fit_chunks((void **)w->mchunk, w->mdchunk, keep.nmbufs >> POOL_CHUNK_SHIFT,
	    w->nmbufs >> POOL_CHUNK_SHIFT, sizeof(Mbuf), (size_t)w->prof->mlen);
	nch = w->nmbufs >> POOL_CHUNK_SHIFT;
	for (uint32_t c = 0; c < nch; c++)
		get(&p, w->mchunk[c], POOL_CHUNK * sizeof(Mbuf));
	fit_chunks((void **)w->cchunk, w->cdchunk, keep.nclusters >> POOL_CHUNK_SHIFT,
	    w->nclusters >> POOL_CHUNK_SHIFT, sizeof(Cluster), (size_t)w->prof->mclbytes);
	nch = w->nclusters >> POOL_CHUNK_SHIFT;
	for (uint32_t c = 0; c < nch; c++)
		get(&p, w->cchunk[c], POOL_CHUNK * sizeof(Cluster));
	fit_chunks((void **)w->schunk, NULL, keep.nsegs >> POOL_CHUNK_SHIFT,
	    w->nsegs >> POOL_CHUNK_SHIFT, sizeof(Segment), 0);
	nch = w->nsegs >> POOL_CHUNK_SHIFT;
	for (uint32_t c = 0; c < nch; c++)
		get(&p, w->schunk[c], POOL_CHUNK * sizeof(Segment));
	for (uint32_t i = 1; i < w->nmbufs; i++) {
		const Mbuf *m = mslot(w, i);

		uint8_t *d;

		if (m->live && m->len > 0 && (d = mdata(w, i, m)) != NULL)
			get(&p, d, m->len);
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
	free(s->buf);
	free(s);
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
	free(s.buf);
}
