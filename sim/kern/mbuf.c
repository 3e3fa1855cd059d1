/*
 * mbuf.c: mbufs and clusters (NetBSD sys/kern/uipc_mbuf.c, 4.4BSD-Lite2).
 *
 * An mbuf's internal storage is MLEN bytes; a packet-header mbuf's data
 * area is the last MHLEN of them (the pkthdr sits in front, as in the
 * kernel's struct layout), so M_TRAILINGSPACE comes out the same as in the
 * kernel.  Clusters are MCLBYTES and reference counted: m_copym shares
 * them instead of copying, and shared clusters are read-only.
 */
#include "kern.h"
#include "simbook.h"

#include <stdio.h>
#include <stdlib.h>

static inline Mbuf *
mslot(World *w, uint32_t i)
{
	stamp_slot(w, w->mtstamp, i);
	return &w->mchunk[i >> POOL_CHUNK_SHIFT][i & (POOL_CHUNK - 1)];
}

static inline Cluster *
cslot(World *w, uint32_t i)
{
	stamp_slot(w, w->ctstamp, i);
	return &w->cchunk[i >> POOL_CHUNK_SHIFT][i & (POOL_CHUNK - 1)];
}

static uint8_t *
cdata(World *w, uint32_t i)
{
	return w->cdchunk[i >> POOL_CHUNK_SHIFT] +
	    (size_t)(i & (POOL_CHUNK - 1)) * (size_t)w->prof->mclbytes;
}

static uint8_t *
mdata(World *w, uint32_t i)
{
	return w->mdchunk[i >> POOL_CHUNK_SHIFT] +
	    (size_t)(i & (POOL_CHUNK - 1)) * (size_t)w->prof->mlen;
}

/* The scratch mbuf a stale dereference gets: empty, so the step can end
 * (world_new grows the pool at once, so slot 0 always exists). */
static Mbuf *
scratch(World *w)
{
	Mbuf *m = mslot(w, 0);

	memset(m, 0, sizeof *m);
	return m;
}

/* mb() found the handle NULL, out of range, or stale: report it. */
Mbuf *
mb_slow(World *w, Ref r)
{
	if (r.i == 0 || r.i >= w->nmbufs)
		world_violation(w, V_STALE_HANDLE, "dereference of %s mbuf handle %u",
		    r.i == 0 ? "a NULL" : "an invalid", r.i);
	else
		world_violation(w, V_STALE_HANDLE,
		    "use of freed mbuf #%u (handle generation %u, slot now %u)",
		    r.i, r.g, mslot(w, r.i)->gen);
	return scratch(w);
}

uint32_t
m_storage(World *w, const Mbuf *m)
{
	return (m->flags & M_EXT) ? (uint32_t)w->prof->mclbytes : (uint32_t)w->prof->mlen;
}

uint8_t *
mtod(World *w, Ref r)
{
	Mbuf *m = mb(w, r);
	/* a bad handle was given the scratch mbuf: its storage goes with it */
	uint32_t i = m == &w->mchunk[0][0] ? 0 : r.i;

	/* simulator bookkeeping: the storage may be written (snapshot.c) */
	if (m->flags & M_EXT) {
		stamp_cluster(w, m->ext.i);
		return cdata(w, m->ext.i) + m->off;
	}
	stamp_mbuf(w, i);
	return mdata(w, i) + m->off;
}

/*
 * The simulator's own memory bound: a scenario may ask for huge buffers,
 * but the pools stop at these sizes (32768 mbufs and 32768 clusters, 64 MB of
 * cluster storage) and the run ends with a message instead of exhausting the
 * machine.  `limit mbufs` models exhaustion inside the simulated kernel.
 */
#define MBUF_HARD_CHUNKS (32768 / POOL_CHUNK)
#define CLUSTER_HARD_CHUNKS (32768 / POOL_CHUNK)

static void
pool_exhausted(World *w, const char *what, uint32_t n)
{
	if (w->stop != STOP_NONE)
		return;
	w->stop = STOP_LIMIT;
	snprintf(w->run->stop_msg, sizeof w->run->stop_msg,
	    "the simulator's %s pool reached its hard size (%u); the scenario needs "
	    "smaller buffers or transfers (use `limit mbufs` to model exhaustion)", what, n);
}

/* Grow a pool by one chunk; false when the pool has reached its hard size. */
static bool
mpool_grow(World *w)
{
	uint32_t c = w->nmbufs >> POOL_CHUNK_SHIFT;

	if (c >= MBUF_HARD_CHUNKS) {
		pool_exhausted(w, "mbuf", w->nmbufs);
		return false;
	}
	pool_chunk((void **)w->mchunk, w->mtstamp, w->mdchunk, w->mstamp, c, sizeof(Mbuf),
	    (size_t)w->prof->mlen, true);
	for (uint32_t k = 0; k < POOL_CHUNK; k++) {
		uint32_t i = w->nmbufs + k;
		Mbuf *m = mslot(w, i);

		if (i == 0)
			continue;   /* slot 0 is the scratch mbuf */
		m->next.i = w->mfree;
		w->mfree = i;
	}
	w->nmbufs += POOL_CHUNK;
	return true;
}

static Ref
m_alloc(World *w, int type)
{
	Mbuf *m;
	uint32_t i;

	SIM_COST(w, R_M_GET, calls, 1);
	SIM_COST(w, R_M_GET, allocs, 1);
	/* only a limited pool can run out: then the order of allocations
	 * is seen (who fails, who sleeps on mbuf_wanted) */
	if (w->mbuf_limit)
		fp_flag(w, FP_POOL);
	if (w->mbuf_limit && w->mlive >= w->mbuf_limit) {
		SIM_COUNT(w, mbuf_fails);
		return REF_NULL;
	}
	if (w->mfree == 0 && !mpool_grow(w)) {
		SIM_COUNT(w, mbuf_fails);
		return REF_NULL;
	}
	i = w->mfree;
	m = mslot(w, i);
	w->mfree = m->next.i;
	m->gen++;
	m->live = 1;
	m->type = (uint8_t)type;
	m->flags = 0;
	m->next = m->nextpkt = m->ext = REF_NULL;
	m->off = 0;
	m->len = 0;
	m->pkt_len = 0;
	SIM_TAG_CLEAR(m);
	m->loopcnt = 0;      /* MGETHDR zeroes ph_loopcnt */
	w->mlive++;
	return (Ref){ i, m->gen };
}

/* sim: the trace of an mbuf's allocation, cluster or freeing */
static void
trace_mbuf(World *w, const char *op, Ref r, const Mbuf *m)
{
	uint32_t c = 0, refs = 0;

	static const char *const types[] = { [MT_FREE] = "MT_FREE", [MT_DATA] = "MT_DATA",
		[MT_HEADER] = "MT_HEADER", [MT_SONAME] = "MT_SONAME", [MT_CONTROL] = "MT_CONTROL",
		[MT_OOBDATA] = "MT_OOBDATA" };
	const char *t = m->type < sizeof types / sizeof types[0] && types[m->type] ? types[m->type] : "?";
	char ext[48] = "";

	if (m->flags & M_EXT) {
		const Cluster *cl = cslot(w, m->ext.i);

		c = m->ext.i;
		/* the references after: none once the last went (a free
		 * cluster's refcnt is the link of the free list) */
		refs = (cl->gen & 0x80000000u) ? 0 : cl->refcnt;
		snprintf(ext, sizeof ext, ", cluster c%u (%u reference%s)", c, refs, refs == 1 ? "" : "s");
	}
	/* the callers trace only when tracing(w) */
	emit_event_v(w, EVK_MBUF, op, -1, -1, EV(r.i, m->type, m->flags, c, refs),
	    "m%u %s%s%s%s", r.i, t, (m->flags & M_PKTHDR) ? " M_PKTHDR" : "",
	    (m->flags & M_EOR) ? " M_EOR" : "", ext);
}

Ref
m_get(World *w, int how, int type)
{
	Ref r;

	(void)how;  /* the caller sleeps on CH_MBUF when M_WAIT fails */
	r = m_alloc(w, type);
	if (!ref_null(r) && tracing(w))
		trace_mbuf(w, "m_get", r, mslot(w, r.i));
	return r;
}

Ref
m_gethdr(World *w, int how, int type)
{
	Ref r = m_alloc(w, type);

	(void)how;
	if (!ref_null(r)) {
		Mbuf *m = mb(w, r);

		m->flags = M_PKTHDR;
		m->off = (uint32_t)(w->prof->mlen - w->prof->mhlen);
		if (tracing(w))
			trace_mbuf(w, "m_gethdr", r, m);
	}
	return r;
}

bool
m_clget(World *w, Ref r)
{
	Mbuf *m = mb(w, r);
	Cluster *c;
	uint32_t i;

	SIM_COST(w, R_M_GET, allocs, 1);
	if (w->cfree == 0) {
		uint32_t ch = w->nclusters >> POOL_CHUNK_SHIFT;

		if (ch >= CLUSTER_HARD_CHUNKS) {
			pool_exhausted(w, "cluster", w->nclusters);
			return false;
		}
		pool_chunk((void **)w->cchunk, w->ctstamp, w->cdchunk, w->cstamp, ch, sizeof(Cluster),
		    (size_t)w->prof->mclbytes, true);
		for (uint32_t k = POOL_CHUNK; k-- > 0;) {
			uint32_t ci = w->nclusters + k;

			if (ci == 0)
				continue;
			cslot(w, ci)->refcnt = w->cfree;  /* free-list link while free */
			cslot(w, ci)->gen |= 0x80000000u;
			w->cfree = ci;
		}
		w->nclusters += POOL_CHUNK;
	}
	i = w->cfree;
	c = cslot(w, i);
	w->cfree = c->refcnt;
	c->gen = (c->gen + 1) & 0x7fffffffu;
	c->refcnt = 1;
	w->clive++;
	m->flags |= M_EXT;
	m->ext = (Ref){ i, c->gen };
	m->off = 0;
	if (tracing(w))
		trace_mbuf(w, "m_clget", r, m);
	return true;
}

static void
cluster_unref(World *w, Ref cr)
{
	Cluster *c;

	if (cr.i == 0 || cr.i >= w->nclusters) {
		world_violation(w, V_STALE_HANDLE, "invalid cluster handle %u", cr.i);
		return;
	}
	c = cslot(w, cr.i);
	if ((c->gen & 0x80000000u) || c->gen != cr.g || c->refcnt == 0) {
		world_violation(w, V_STALE_HANDLE, "use of freed cluster #%u", cr.i);
		return;
	}
	if (--c->refcnt == 0) {
		c->refcnt = w->cfree;
		c->gen |= 0x80000000u;
		w->cfree = cr.i;
		w->clive--;
	}
}

static bool
cluster_shared(World *w, Ref cr)
{
	return cr.i != 0 && cr.i < w->nclusters && cslot(w, cr.i)->refcnt > 1;
}

Ref
m_free(World *w, Ref r)
{
	Mbuf *m = mb(w, r);
	Ref next;

	if (r.i == 0 || !m->live)
		return REF_NULL;
	SIM_COST(w, R_M_FREE, calls, 1);
	if (w->mbuf_limit)
		fp_flag(w, FP_POOL);    /* frees may wake an M_WAIT allocation */
	next = m->next;
	if (m->flags & M_EXT)
		cluster_unref(w, m->ext);
	if (tracing(w))
		trace_mbuf(w, "m_free", r, m);
	m->live = 0;
	m->gen++;
	m->type = MT_FREE;
	m->next.i = w->mfree;
	m->next.g = 0;
	m->nextpkt = REF_NULL;
	w->mfree = r.i;
	w->mlive--;
	if (w->mbuf_wanted) {
		w->mbuf_wanted = false;
		wakeup(w, CHAN(CH_MBUF, 0, 0));
	}
	return next;
}

void
m_freem(World *w, Ref m)
{
	while (!ref_null(m) && w->stop != STOP_VIOLATION)
		m = m_free(w, m);
}

int64_t
m_trailingspace(World *w, Ref r)
{
	Mbuf *m = mb(w, r);

	/* Shared clusters are read-only (M_READONLY in later kernels). */
	if ((m->flags & M_EXT) && cluster_shared(w, m->ext))
		return 0;
	return (int64_t)m_storage(w, m) - (int64_t)(m->off + m->len);
}

uint64_t
m_length(World *w, Ref m)
{
	uint64_t n = 0;

	for (; !ref_null(m) && w->stop != STOP_VIOLATION; m = mb(w, m)->next)
		n += mb(w, m)->len;
	return n;
}

/*
 * m_copym: copy len bytes starting off bytes into chain m.  Cluster data
 * is shared by reference (the cluster's count goes up), internal data is
 * copied, as in the kernel.  Returns REF_NULL when the pool is out
 * (M_DONTWAIT semantics; callers on M_WAIT paths check first).
 */
Ref
m_copym(World *w, Ref m, uint64_t off, uint64_t len, RoutineId who)
{
	SIM_COST(w, who, calls, 1);
	while (!ref_null(m) && off >= mb(w, m)->len) {
		off -= mb(w, m)->len;
		m = mb(w, m)->next;
		SIM_COST(w, who, visits, 1);
	}
	return m_copym_from(w, m, off, len, who);
}

/* The copying half of m_copym, from an mbuf already found by the caller. */
Ref
m_copym_from(World *w, Ref m, uint64_t off, uint64_t len, RoutineId who)
{
	Ref top = REF_NULL, tail = REF_NULL;
	bool copyhdr = (off == 0 && !ref_null(m) && (mb(w, m)->flags & M_PKTHDR));

	while (len > 0 && !ref_null(m) && w->stop != STOP_VIOLATION) {
		Mbuf *src = mb(w, m);
		uint64_t n = src->len - off;
		Ref c;
		Mbuf *cm;

		if (n > len)
			n = len;
		c = copyhdr ? m_gethdr(w, M_DONTWAIT, src->type) : m_get(w, M_DONTWAIT, src->type);
		if (ref_null(c)) {
			m_freem(w, top);
			return REF_NULL;
		}
		SIM_COST(w, who, visits, 1);
		SIM_COST(w, who, allocs, 1);
		src = mb(w, m);
		cm = mb(w, c);
		if (copyhdr) {
			/* M_DUP_PKTHDR: the copy has the header, ph_loopcnt included */
			cm->pkt_len = (uint32_t)len;
			cm->loopcnt = src->loopcnt;
			copyhdr = false;
		}
		SIM_TAG_COPY(cm, src);
		if (src->flags & M_EXT) {
			cm->flags |= M_EXT;
			cm->ext = src->ext;
			cm->off = src->off + (uint32_t)off;
			cslot(w, src->ext.i)->refcnt++;
			if (tracing(w))
				trace_mbuf(w, "m_copym", c, cm);       /* shares the cluster */
		} else {
			memcpy(mtod(w, c), mtod(w, m) + off, n);
			SIM_COST(w, who, bytes, n);
		}
		cm->len = (uint32_t)n;
		if (ref_null(top))
			top = c;
		else
			mb(w, tail)->next = c;
		tail = c;
		len -= n;
		off = 0;
		m = src->next;
	}
	return top;
}

/* m_copydata, from an mbuf already found by the caller: len bytes from
 * offset off of the chain at m into dst. */
void
m_copydata_from(World *w, Ref m, uint64_t off, uint64_t len, uint8_t *dst, RoutineId who)
{
	for (; len > 0 && !ref_null(m); off = 0, m = mb(w, m)->next) {
		uint64_t n = mb(w, m)->len - off < len ? mb(w, m)->len - off : len;

		memcpy(dst, mtod(w, m) + off, n);
		dst += n;
		len -= n;
		SIM_COST(w, who, bytes, n);
	}
}

/* m_adj: trim len bytes from the head (len > 0) or the tail (len < 0). */
void
m_adj(World *w, Ref mp, int64_t len)
{
	Ref m = mp;

	if (len >= 0) {
		while (!ref_null(m) && len > 0) {
			Mbuf *x = mb(w, m);
			int64_t n = len < x->len ? len : x->len;

			x->len -= (uint32_t)n;
			x->off += (uint32_t)n;
			len -= n;
			m = x->next;
		}
		if (mb(w, mp)->flags & M_PKTHDR)
			mb(w, mp)->pkt_len = (uint32_t)m_length(w, mp);
		return;
	}
	{
		uint64_t total = m_length(w, mp), keep;

		len = -len;
		keep = total > (uint64_t)len ? total - (uint64_t)len : 0;
		for (m = mp; !ref_null(m); m = mb(w, m)->next) {
			Mbuf *x = mb(w, m);

			if (x->len >= keep) {
				x->len = (uint32_t)keep;
				keep = 0;
			} else
				keep -= x->len;
		}
		if (mb(w, mp)->flags & M_PKTHDR)
			mb(w, mp)->pkt_len = (uint32_t)m_length(w, mp);
	}
}

/*
 * Payload patterns (simulator bookkeeping, see simbook.h).  Byte k of
 * stream s is table[(s * 37 + k) % 251]; the table repeats with period 251
 * so a fill or a check is one memcpy or memcmp from the right offset.
 */
#define PAT_PERIOD 251u
#define PAT_SPAN   65536u
static uint8_t pattern[PAT_PERIOD + PAT_SPAN];
static bool pattern_ready;

static void
pattern_init(void)
{
	for (uint32_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(((i % PAT_PERIOD) * 73u + 11u) & 0xffu);
	pattern_ready = true;
}

void
payload_fill(uint8_t *dst, uint64_t stream, uint64_t off, uint64_t len)
{
	if (!pattern_ready)
		pattern_init();
	while (len > 0) {
		uint64_t n = len < PAT_SPAN ? len : PAT_SPAN;

		memcpy(dst, pattern + (stream * 37u + off) % PAT_PERIOD, n);
		dst += n;
		off += n;
		len -= n;
	}
}

bool
payload_check(const uint8_t *src, uint64_t stream, uint64_t off, uint64_t len)
{
	if (!pattern_ready)
		pattern_init();
	while (len > 0) {
		uint64_t n = len < PAT_SPAN ? len : PAT_SPAN;

		if (memcmp(src, pattern + (stream * 37u + off) % PAT_PERIOD, n) != 0)
			return false;
		src += n;
		off += n;
		len -= n;
	}
	return true;
}

uint64_t
tcp_stream_id(int sender_sock)
{
	return (uint64_t)sender_sock + 1;
}
