/*
 * test_mbuf.c: unit tests for sim/mbuf.c (mbufs, clusters, m_copym, the
 * pool limit and the payload patterns).
 */
#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "kern.h"

#include "fixture.h"

/* Forget a violation so a test can provoke another one. */
static void
clear_violation(World *w)
{
	w->stop = STOP_NONE;
	w->violation = V_NONE;
	w->run->violation_msg[0] = '\0';
}

static void
assert_no_violation(World *w)
{
	ck_assert_msg(w->stop != STOP_VIOLATION, "unexpected violation %s: %s",
	    violation_names[w->violation], w->run->violation_msg);
}

static uint8_t *
mdata_base(World *w, Ref r)
{
	return w->mdchunk[r.i >> POOL_CHUNK_SHIFT] +
	    (size_t)(r.i & (POOL_CHUNK - 1)) * (size_t)w->prof->mlen;
}

static uint8_t *
cdata_base(World *w, Ref c)
{
	return w->cdchunk[c.i >> POOL_CHUNK_SHIFT] +
	    (size_t)(c.i & (POOL_CHUNK - 1)) * (size_t)w->prof->mclbytes;
}

/* An mbuf holding bytes [off, off + len) of stream `stream`. */
static Ref
mk(World *w, int kind, uint32_t len, uint64_t stream, uint64_t off)
{
	Ref r;

	switch (kind) {
	case 0:
		r = m_get(w, M_DONTWAIT, MT_DATA);
		break;
	case 1:
		r = m_gethdr(w, M_DONTWAIT, MT_DATA);
		break;
	default:
		r = m_get(w, M_DONTWAIT, MT_DATA);
		ck_assert(!ref_null(r));
		ck_assert(m_clget(w, r));
		break;
	}
	ck_assert(!ref_null(r));
	ck_assert_int_ge(m_trailingspace(w, r), len);
	mb(w, r)->len = len;
	payload_fill(mtod(w, r), stream, off, len);
	return r;
}

/* Flatten a chain into buf (at most cap bytes); returns the byte count. */
static uint64_t
flatten(World *w, Ref m, uint8_t *buf, uint64_t cap)
{
	uint64_t n = 0;

	for (; !ref_null(m); m = mb(w, m)->next) {
		Mbuf *x = mb(w, m);

		ck_assert_uint_le(n + x->len, cap);
		memcpy(buf + n, mtod(w, m), x->len);
		n += x->len;
	}
	return n;
}

static int
chain_count(World *w, Ref m)
{
	int n = 0;

	for (; !ref_null(m); m = mb(w, m)->next)
		n++;
	return n;
}

/* ---- m_get / m_free and generations ---- */

START_TEST(test_get_free_counts)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	Ref a, b, c, r;

	ck_assert_uint_eq(w->mlive, 0);
	a = m_get(w, M_DONTWAIT, MT_DATA);
	b = m_get(w, M_WAIT, MT_DATA);
	c = m_gethdr(w, M_DONTWAIT, MT_HEADER);
	ck_assert(!ref_null(a) && !ref_null(b) && !ref_null(c));
	ck_assert(!ref_eq(a, b) && !ref_eq(b, c) && !ref_eq(a, c));
	ck_assert_uint_eq(w->mlive, 3);
	ck_assert_int_eq(mb(w, a)->type, MT_DATA);
	ck_assert_int_eq(mb(w, c)->type, MT_HEADER);
	ck_assert_int_eq(mb(w, a)->len, 0);
	ck_assert(ref_null(mb(w, a)->next) && ref_null(mb(w, a)->nextpkt));

	/* m_free returns m_next */
	mb(w, a)->next = b;
	mb(w, b)->next = c;
	r = m_free(w, a);
	ck_assert(ref_eq(r, b));
	ck_assert_uint_eq(w->mlive, 2);
	m_freem(w, b);
	ck_assert_uint_eq(w->mlive, 0);
	ck_assert_uint_eq(w->clive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

START_TEST(test_stale_handle)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	Ref a, a2, r;
	Mbuf *x;

	a = m_get(w, M_DONTWAIT, MT_DATA);
	mb(w, a)->len = 7;
	m_free(w, a);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);

	/* dereferencing the freed handle: a violation, not a crash */
	x = mb(w, a);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(w->stop, STOP_VIOLATION);
	ck_assert_str_eq(violation_names[w->violation], "stale-handle");
	(void)mtod(w, a);   /* must not crash either */

	/* the slot comes back with a new generation; the old handle stays stale */
	clear_violation(w);
	a2 = m_get(w, M_DONTWAIT, MT_DATA);
	ck_assert_uint_eq(a2.i, a.i);
	ck_assert_uint_ne(a2.g, a.g);
	assert_no_violation(w);
	(void)mb(w, a);
	ck_assert_int_eq(w->stop, STOP_VIOLATION);
	ck_assert_str_eq(violation_names[w->violation], "stale-handle");

	/* freeing through the stale handle does not free the new owner's mbuf */
	clear_violation(w);
	r = m_free(w, a);
	ck_assert(ref_null(r));
	ck_assert_str_eq(violation_names[w->violation], "stale-handle");
	ck_assert_uint_eq(w->mlive, 1);
	clear_violation(w);
	ck_assert_int_eq(mb(w, a2)->live, 1);
	assert_no_violation(w);

	/* NULL and out-of-range handles */
	(void)mb(w, REF_NULL);
	ck_assert_str_eq(violation_names[w->violation], "stale-handle");
	clear_violation(w);
	(void)mb(w, (Ref){ w->nmbufs + 5, 1 });
	ck_assert_str_eq(violation_names[w->violation], "stale-handle");
	clear_violation(w);

	m_free(w, a2);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

/* A NULL, out-of-range or freed handle: a violation, and mb() and mtod()
 * hand out the scratch mbuf (slot 0) and its storage, which may be
 * written; never a crash, and never memory past the pool. */
START_TEST(test_bad_handle_storage)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	Ref a, big = { (uint32_t)POOL_CHUNK * 100 + 3, 1 };
	uint8_t *p;
	char msg[96];

	ck_assert_uint_eq(w->nmbufs, POOL_CHUNK);
	ck_assert_ptr_nonnull(mb(w, REF_NULL));
	ck_assert_str_eq(w->run->violation_msg, "dereference of a NULL mbuf handle 0");
	clear_violation(w);
	p = mtod(w, REF_NULL);
	ck_assert_ptr_eq(p, mdata_base(w, REF_NULL));
	memset(p, 0xab, 16);
	ck_assert_str_eq(w->run->violation_msg, "dereference of a NULL mbuf handle 0");

	/* far outside the pool: the scratch storage, not memory past it */
	clear_violation(w);
	p = mtod(w, big);
	ck_assert_ptr_eq(p, mdata_base(w, REF_NULL));
	memset(p, 0xcd, 16);
	snprintf(msg, sizeof msg, "dereference of an invalid mbuf handle %u", big.i);
	ck_assert_str_eq(w->run->violation_msg, msg);

	/* a freed one: the scratch storage too, not the free slot's */
	clear_violation(w);
	a = m_get(w, M_DONTWAIT, MT_DATA);
	m_free(w, a);
	assert_no_violation(w);
	ck_assert_ptr_eq(mtod(w, a), mdata_base(w, REF_NULL));
	ck_assert_str_eq(violation_names[w->violation], "stale-handle");

	/* m_free(NULL): reported, nothing freed */
	clear_violation(w);
	a = m_get(w, M_DONTWAIT, MT_DATA);
	ck_assert(ref_null(m_free(w, REF_NULL)));
	ck_assert_str_eq(w->run->violation_msg, "dereference of a NULL mbuf handle 0");
	ck_assert_uint_eq(w->mlive, 1);
	ck_assert_int_eq(mb(w, a)->live, 1);
	fix_free(&f);
}
END_TEST

/* A cluster handle that is invalid, freed, reused or has no reference
 * left: m_free reports the use after free and leaves the pool alone. */
START_TEST(test_stale_cluster)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	Ref a, b, n, old;
	uint32_t clive;
	char msg[64];

	a = m_get(w, M_DONTWAIT, MT_DATA);
	ck_assert(m_clget(w, a));
	old = mb(w, a)->ext;
	m_free(w, a);                   /* the cluster goes back to the pool */
	ck_assert_uint_eq(w->clive, 0);

	/* an mbuf still pointing at the free cluster */
	n = m_get(w, M_DONTWAIT, MT_DATA);
	mb(w, n)->flags |= M_EXT;
	mb(w, n)->ext = old;
	m_free(w, n);
	snprintf(msg, sizeof msg, "use of freed cluster #%u", old.i);
	ck_assert_str_eq(w->run->violation_msg, msg);
	ck_assert_uint_eq(w->clive, 0);

	/* the slot handed out again: the old handle's generation is stale */
	clear_violation(w);
	b = m_get(w, M_DONTWAIT, MT_DATA);
	ck_assert(m_clget(w, b));
	ck_assert_uint_eq(mb(w, b)->ext.i, old.i);
	ck_assert_uint_ne(mb(w, b)->ext.g, old.g);
	n = m_get(w, M_DONTWAIT, MT_DATA);
	mb(w, n)->flags |= M_EXT;
	mb(w, n)->ext = old;
	clive = w->clive;
	m_free(w, n);
	ck_assert_str_eq(w->run->violation_msg, msg);
	ck_assert_uint_eq(w->clive, clive);

	/* the right generation but no reference left */
	clear_violation(w);
	w->cchunk[0][mb(w, b)->ext.i].refcnt = 0;
	m_free(w, b);
	snprintf(msg, sizeof msg, "use of freed cluster #%u", old.i);
	ck_assert_str_eq(w->run->violation_msg, msg);

	/* no cluster at all, and one past the pool */
	for (int k = 0; k < 2; k++) {
		uint32_t i = k == 0 ? 0 : w->nclusters + 3;

		clear_violation(w);
		n = m_get(w, M_DONTWAIT, MT_DATA);
		mb(w, n)->flags |= M_EXT;
		mb(w, n)->ext = (Ref){ i, 1 };
		m_free(w, n);
		snprintf(msg, sizeof msg, "invalid cluster handle %u", i);
		ck_assert_str_eq(w->run->violation_msg, msg);
	}
	fix_free(&f);
}
END_TEST

/* The simulator's own bound on its pools: the run stops with a limit,
 * not a crash or an exhausted machine; the first message stays. */
START_TEST(test_pool_hard_limit)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	uint32_t n = 0;
	Ref r, last = REF_NULL;
	char first[RUN_MSG_MAX];

	while (!ref_null(r = m_get(w, M_DONTWAIT, MT_DATA))) {
		last = r;
		n++;
	}
	ck_assert_uint_eq(n, 32767);    /* 32768 slots, slot 0 the scratch mbuf */
	ck_assert_uint_eq(w->nmbufs, 32768);
	ck_assert_int_eq(w->stop, STOP_LIMIT);
	ck_assert(strncmp(w->run->stop_msg, "the simulator's mbuf pool reached its hard size (32768);",
	    56) == 0);
	ck_assert_uint_eq(w->stats.mbuf_fails, 1);
	g_strlcpy(first, w->run->stop_msg, sizeof first);
	w->run->stop_msg[0] = 'X';
	ck_assert(ref_null(m_gethdr(w, M_DONTWAIT, MT_DATA)));
	ck_assert_uint_eq(w->stats.mbuf_fails, 2);
	ck_assert_int_eq(w->run->stop_msg[0], 'X');     /* not written again */
	w->run->stop_msg[0] = first[0];

	/* a freed slot is used again without growing */
	m_free(w, last);
	r = m_get(w, M_DONTWAIT, MT_DATA);
	ck_assert(!ref_null(r));
	ck_assert_uint_eq(r.i, last.i);
	ck_assert_uint_eq(w->mlive, 32767);
	fix_free(&f);

	/* clusters: 32768 slots, slot 0 unused */
	f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	w = f.w;
	r = m_get(w, M_DONTWAIT, MT_DATA);
	for (n = 0; m_clget(w, r); n++)
		;
	ck_assert_uint_eq(n, 32767);
	ck_assert_uint_eq(w->nclusters, 32768);
	ck_assert_uint_eq(w->clive, 32767);
	ck_assert_int_eq(w->stop, STOP_LIMIT);
	ck_assert(strncmp(w->run->stop_msg, "the simulator's cluster pool reached its hard size (32768);",
	    59) == 0);
	fix_free(&f);
}
END_TEST

/* ---- geometry ---- */

static void
check_geometry(const char *profile)
{
	Fix f = fix_new(profile, SCN_SOCK_TCP, 0);
	World *w = f.w;
	const Profile *p = w->prof;
	Ref plain, hdr, cl, hcl;
	Mbuf *x;

	plain = m_get(w, M_DONTWAIT, MT_DATA);
	x = mb(w, plain);
	ck_assert_uint_eq(x->off, 0);
	ck_assert_int_eq(x->flags & (M_PKTHDR | M_EXT), 0);
	ck_assert_uint_eq(m_storage(w, x), (uint32_t)p->mlen);
	ck_assert_int_eq(m_trailingspace(w, plain), p->mlen);
	ck_assert_ptr_eq(mtod(w, plain), mdata_base(w, plain));
	x->len = 50;
	ck_assert_int_eq(m_trailingspace(w, plain), p->mlen - 50);
	x->off = 10;
	ck_assert_int_eq(m_trailingspace(w, plain), p->mlen - 60);
	ck_assert_ptr_eq(mtod(w, plain), mdata_base(w, plain) + 10);

	hdr = m_gethdr(w, M_DONTWAIT, MT_DATA);
	x = mb(w, hdr);
	ck_assert_int_eq(x->flags & M_PKTHDR, M_PKTHDR);
	ck_assert_int_eq(x->flags & M_EXT, 0);
	ck_assert_uint_eq(x->off, (uint32_t)(p->mlen - p->mhlen));
	ck_assert_ptr_eq(mtod(w, hdr), mdata_base(w, hdr) + (p->mlen - p->mhlen));
	ck_assert_int_eq(m_trailingspace(w, hdr), p->mhlen);
	x->len = 12;
	ck_assert_int_eq(m_trailingspace(w, hdr), p->mhlen - 12);

	ck_assert_uint_eq(w->clive, 0);
	cl = m_get(w, M_DONTWAIT, MT_DATA);
	ck_assert(m_clget(w, cl));
	x = mb(w, cl);
	ck_assert_int_eq(x->flags & M_EXT, M_EXT);
	ck_assert_uint_eq(x->off, 0);
	ck_assert_uint_eq(m_storage(w, x), (uint32_t)p->mclbytes);
	ck_assert_int_eq(m_trailingspace(w, cl), p->mclbytes);
	ck_assert_uint_eq(w->clive, 1);
	ck_assert_ptr_eq(mtod(w, cl), cdata_base(w, x->ext));
	x->len = 1000;
	ck_assert_int_eq(m_trailingspace(w, cl), p->mclbytes - 1000);
	x->off = 48;
	ck_assert_int_eq(m_trailingspace(w, cl), p->mclbytes - 1048);
	ck_assert_ptr_eq(mtod(w, cl), cdata_base(w, x->ext) + 48);

	/* a cluster on a packet header mbuf: the whole cluster is data */
	hcl = m_gethdr(w, M_DONTWAIT, MT_DATA);
	ck_assert(m_clget(w, hcl));
	x = mb(w, hcl);
	ck_assert_int_eq(x->flags & (M_EXT | M_PKTHDR), M_EXT | M_PKTHDR);
	ck_assert_uint_eq(x->off, 0);
	ck_assert_int_eq(m_trailingspace(w, hcl), p->mclbytes);
	ck_assert_uint_eq(w->clive, 2);
	ck_assert(!ref_eq(mb(w, cl)->ext, mb(w, hcl)->ext));

	m_free(w, plain);
	m_free(w, hdr);
	m_free(w, cl);
	ck_assert_uint_eq(w->clive, 1);
	m_free(w, hcl);
	ck_assert_uint_eq(w->clive, 0);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);
	fix_free(&f);
}

START_TEST(test_geometry)
{
	check_geometry("netbsd-2.0");
	check_geometry("netbsd-1.6");
	check_geometry("freebsd-9.1");
}
END_TEST

START_TEST(test_shared_cluster_readonly)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	const Profile *p = w->prof;
	Ref m, c;

	m = mk(w, 2, 100, 3, 0);
	ck_assert_int_eq(m_trailingspace(w, m), p->mclbytes - 100);
	c = m_copym(w, m, 0, 100, R_M_COPYM);
	ck_assert(!ref_null(c));
	ck_assert_uint_eq(w->clive, 1);
	ck_assert(ref_eq(mb(w, c)->ext, mb(w, m)->ext));
	/* shared: read-only for both holders */
	ck_assert_int_eq(m_trailingspace(w, m), 0);
	ck_assert_int_eq(m_trailingspace(w, c), 0);
	m_free(w, c);
	ck_assert_uint_eq(w->clive, 1);
	ck_assert_int_eq(m_trailingspace(w, m), p->mclbytes - 100);
	m_free(w, m);
	ck_assert_uint_eq(w->clive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

/* ---- m_copym ---- */

START_TEST(test_copym_ranges)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	const Profile *p = w->prof;
	/* pkthdr internal, cluster, plain internal, cluster, plain internal */
	const int kinds[] = { 1, 2, 0, 2, 0 };
	const uint32_t lens[] = { 200, 2048, 232, 1000, 17 };
	const int n = 5;
	Ref m[5], top;
	uint64_t total = 0, starts[6];
	uint8_t *orig, *got;
	const uint64_t S = 42;
	static const struct { uint64_t off, len; } ranges[] = {
		{ 0, 3497 }, { 0, 1 }, { 0, 200 }, { 0, 201 }, { 199, 2 },
		{ 200, 2048 }, { 150, 2200 }, { 1000, 1500 }, { 2248, 232 },
		{ 2300, 1000 }, { 2247, 1250 }, { 3479, 18 }, { 3496, 1 },
		{ 5, 3492 }, { 100, 9999 },
	};

	for (int i = 0; i < n; i++) {
		starts[i] = total;
		m[i] = mk(w, kinds[i], lens[i], S, total);
		if (i > 0)
			mb(w, m[i - 1])->next = m[i];
		total += lens[i];
	}
	starts[n] = total;
	top = m[0];
	mb(w, top)->pkt_len = (uint32_t)total;
	ck_assert_uint_eq(total, 3497);
	ck_assert_uint_eq(m_length(w, top), total);
	ck_assert_uint_eq(w->mlive, 5);
	ck_assert_uint_eq(w->clive, 2);
	orig = g_malloc(total);
	got = g_malloc(total + 16);
	ck_assert_uint_eq(flatten(w, top, orig, total), total);
	ck_assert(payload_check(orig, S, 0, total));

	for (size_t k = 0; k < G_N_ELEMENTS(ranges); k++) {
		uint64_t off = ranges[k].off, len = ranges[k].len;
		uint64_t want = total - off < len ? total - off : len;
		uint64_t pos = off;
		Ref c, cm;
		int idx;

		c = m_copym(w, top, off, len, R_M_COPYM);
		ck_assert_msg(!ref_null(c), "range %zu", k);
		assert_no_violation(w);
		ck_assert_uint_eq(m_length(w, c), want);
		ck_assert_uint_eq(flatten(w, c, got, total + 16), want);
		ck_assert_msg(memcmp(got, orig + off, want) == 0, "range %zu: bytes differ", k);
		ck_assert_uint_eq(w->mlive, 5 + (uint32_t)chain_count(w, c));
		ck_assert_uint_eq(w->clive, 2);     /* clusters shared, never copied */
		if (off == 0) {
			ck_assert_int_eq(mb(w, c)->flags & M_PKTHDR, M_PKTHDR);
			ck_assert_uint_eq(mb(w, c)->pkt_len, len);
		}

		/* each copied mbuf maps to one source mbuf: cluster data is
		 * shared in place, internal data is copied into the copy's own
		 * storage */
		for (idx = 0; starts[idx + 1] <= pos; idx++)
			;
		for (cm = c; !ref_null(cm); cm = mb(w, cm)->next) {
			Mbuf *cx = mb(w, cm), *sx = mb(w, m[idx]);
			uint64_t in = pos - starts[idx];

			ck_assert_int_eq(cx->type, sx->type);
			if (sx->flags & M_EXT) {
				ck_assert_int_eq(cx->flags & M_EXT, M_EXT);
				ck_assert(ref_eq(cx->ext, sx->ext));
				ck_assert_ptr_eq(mtod(w, cm), mtod(w, m[idx]) + in);
				ck_assert_int_eq(m_trailingspace(w, cm), 0);
				ck_assert_int_eq(m_trailingspace(w, m[idx]), 0);
			} else {
				ck_assert_int_eq(cx->flags & M_EXT, 0);
				ck_assert_ptr_eq(mtod(w, cm), mdata_base(w, cm) + cx->off);
			}
			pos += cx->len;
			idx++;
		}
		ck_assert_uint_eq(pos, off + want);

		m_freem(w, c);
		ck_assert_uint_eq(w->mlive, 5);
		ck_assert_uint_eq(w->clive, 2);
		/* the original is intact and writable again */
		ck_assert_uint_eq(flatten(w, top, got, total), total);
		ck_assert(memcmp(got, orig, total) == 0);
		ck_assert_int_eq(m_trailingspace(w, m[1]), 0);   /* full cluster */
		ck_assert_int_eq(m_trailingspace(w, m[3]), p->mclbytes - 1000);
	}

	/* past the end: nothing to copy */
	ck_assert(ref_null(m_copym(w, top, total, 10, R_M_COPYM)));
	ck_assert_uint_eq(w->mlive, 5);

	/* internal bytes are copies: changing the original leaves the copy */
	{
		Ref c = m_copym(w, top, 0, total, R_M_COPYM);
		uint8_t *p0 = mtod(w, m[0]), *p2 = mtod(w, m[2]);

		p0[5] ^= 0xff;
		p2[100] ^= 0xff;
		ck_assert_uint_eq(flatten(w, c, got, total), total);
		ck_assert(memcmp(got, orig, total) == 0);
		p0[5] ^= 0xff;
		p2[100] ^= 0xff;
		/* cluster bytes are shared: the same storage */
		mtod(w, m[3])[7] ^= 0x55;
		ck_assert_uint_eq(flatten(w, c, got, total), total);
		ck_assert_int_eq(got[starts[3] + 7], orig[starts[3] + 7] ^ 0x55);
		mtod(w, m[3])[7] ^= 0x55;

		/* freeing the original first: the copy keeps the clusters */
		m_freem(w, top);
		ck_assert_uint_eq(w->clive, 2);
		ck_assert_uint_eq(w->mlive, (uint32_t)chain_count(w, c));
		assert_no_violation(w);
		ck_assert_uint_eq(flatten(w, c, got, total), total);
		ck_assert(memcmp(got, orig, total) == 0);
		m_freem(w, c);
		ck_assert_uint_eq(w->clive, 0);
		ck_assert_uint_eq(w->mlive, 0);
	}
	assert_no_violation(w);
	g_free(orig);
	g_free(got);
	fix_free(&f);
}
END_TEST

/* ---- the pool limit ---- */

START_TEST(test_pool_limit)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	Ref a, b, c, d;

	w->mbuf_limit = 3;
	a = m_get(w, M_DONTWAIT, MT_DATA);
	b = m_gethdr(w, M_DONTWAIT, MT_DATA);
	c = m_get(w, M_WAIT, MT_DATA);
	ck_assert(!ref_null(a) && !ref_null(b) && !ref_null(c));
	d = m_get(w, M_DONTWAIT, MT_DATA);
	ck_assert(ref_null(d));
	ck_assert(ref_null(m_gethdr(w, M_DONTWAIT, MT_DATA)));
	ck_assert_uint_eq(w->mlive, 3);
	ck_assert_uint_eq(w->stats.mbuf_fails, 2);
	m_free(w, b);
	d = m_get(w, M_DONTWAIT, MT_DATA);
	ck_assert(!ref_null(d));
	ck_assert_uint_eq(w->mlive, 3);
	ck_assert(ref_null(m_get(w, M_DONTWAIT, MT_DATA)));

	/* m_copym out of mbufs: fails cleanly and frees what it had copied */
	m_free(w, d);
	m_free(w, c);
	mb(w, a)->len = 10;
	c = m_get(w, M_DONTWAIT, MT_DATA);
	mb(w, c)->len = 10;
	mb(w, a)->next = c;
	ck_assert_uint_eq(w->mlive, 2);
	/* one free slot, two needed */
	ck_assert(ref_null(m_copym(w, a, 0, 20, R_M_COPYM)));
	ck_assert_uint_eq(w->mlive, 2);
	assert_no_violation(w);
	/* a copy that needs one mbuf fits */
	d = m_copym(w, a, 12, 5, R_M_COPYM);
	ck_assert(!ref_null(d));
	ck_assert_uint_eq(m_length(w, d), 5);
	m_freem(w, d);

	/* unlimited again */
	w->mbuf_limit = 0;
	for (int i = 0; i < 100; i++)
		ck_assert(!ref_null(m_get(w, M_DONTWAIT, MT_DATA)));
	ck_assert_uint_eq(w->mlive, 102);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

START_TEST(test_pool_growth)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	const uint32_t N = POOL_CHUNK * 2 + 7;
	Ref *r = g_new(Ref, N);

	/* handles stay valid and storage distinct across chunk growth */
	for (uint32_t i = 0; i < N; i++) {
		r[i] = m_get(w, M_DONTWAIT, MT_DATA);
		ck_assert(!ref_null(r[i]));
		mb(w, r[i])->len = 4;
		memcpy(mtod(w, r[i]), &i, 4);
	}
	ck_assert_uint_eq(w->mlive, N);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t v;

		memcpy(&v, mtod(w, r[i]), 4);
		ck_assert_uint_eq(v, i);
	}
	for (uint32_t i = 0; i < N; i++)
		m_free(w, r[i]);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);
	g_free(r);
	fix_free(&f);
}
END_TEST

/* ---- m_adj, m_copydata ---- */

/* A chain of mbufs of the given lengths, bytes [0, total) of stream 3,
 * the first with a packet header when hdr. */
static Ref
chain_of(World *w, bool hdr, const uint32_t *lens, int n)
{
	Ref top = REF_NULL, tail = REF_NULL;
	uint64_t off = 0;

	for (int i = 0; i < n; i++) {
		Ref m = mk(w, i == 0 && hdr ? 1 : 0, lens[i], 3, off);

		off += lens[i];
		if (ref_null(top))
			top = m;
		else
			mb(w, tail)->next = m;
		tail = m;
	}
	if (hdr)
		mb(w, top)->pkt_len = (uint32_t)off;
	return top;
}

static void
assert_lens(World *w, Ref m, const uint32_t *lens, int n)
{
	for (int i = 0; i < n; i++, m = mb(w, m)->next) {
		ck_assert(!ref_null(m));
		ck_assert_msg(mb(w, m)->len == lens[i], "mbuf %d: len %u, want %u", i, mb(w, m)->len,
		    lens[i]);
	}
	ck_assert(ref_null(m));
}

/* m_adj: a positive count trims the front, a negative one the back,
 * across mbufs; more than the chain holds empties it; m_pkthdr.len
 * follows where there is a packet header. */
START_TEST(test_m_adj)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	const uint32_t lens[] = { 100, 50, 30 };
	Ref m = chain_of(w, true, lens, 3), n;

	m_adj(w, m, 20);
	assert_lens(w, m, (const uint32_t[]){ 80, 50, 30 }, 3);
	ck_assert_uint_eq(mb(w, m)->pkt_len, 160);
	ck_assert(payload_check(mtod(w, m), 3, 20, 80));

	m_adj(w, m, 100);           /* the rest of the first, 20 of the second */
	assert_lens(w, m, (const uint32_t[]){ 0, 30, 30 }, 3);
	ck_assert_uint_eq(mb(w, m)->pkt_len, 60);
	ck_assert(payload_check(mtod(w, mb(w, m)->next), 3, 120, 30));

	m_adj(w, m, -40);           /* keep 20: the empty first, 20 of the second */
	assert_lens(w, m, (const uint32_t[]){ 0, 20, 0 }, 3);
	ck_assert_uint_eq(mb(w, m)->pkt_len, 20);
	ck_assert(payload_check(mtod(w, mb(w, m)->next), 3, 120, 20));

	m_adj(w, m, 1000);
	assert_lens(w, m, (const uint32_t[]){ 0, 0, 0 }, 3);
	ck_assert_uint_eq(mb(w, m)->pkt_len, 0);
	m_freem(w, m);

	/* without a packet header: the lengths only */
	n = chain_of(w, false, lens, 3);
	mb(w, n)->pkt_len = 777;
	m_adj(w, n, 5);
	m_adj(w, n, -25);
	assert_lens(w, n, (const uint32_t[]){ 95, 50, 5 }, 3);
	m_adj(w, n, -1000);
	assert_lens(w, n, (const uint32_t[]){ 0, 0, 0 }, 3);
	ck_assert_uint_eq(mb(w, n)->pkt_len, 777);
	m_freem(w, n);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

/* m_copydata from an offset into the first mbuf, across the next; a
 * length past the chain copies what there is and no more. */
START_TEST(test_m_copydata_from)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	Ref m = chain_of(w, false, (const uint32_t[]){ 10, 5 }, 2);
	uint8_t dst[32];

	memset(dst, 0xee, sizeof dst);
	m_copydata_from(w, m, 3, 100, dst, R_M_COPYM);
	ck_assert(payload_check(dst, 3, 3, 12));
	for (size_t i = 12; i < sizeof dst; i++)
		ck_assert_int_eq(dst[i], 0xee);
	memset(dst, 0xee, sizeof dst);
	m_copydata_from(w, m, 8, 4, dst, R_M_COPYM);
	ck_assert(payload_check(dst, 3, 8, 4));
	ck_assert_int_eq(dst[4], 0xee);
	m_freem(w, m);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

/* ---- the trace of mbufs ---- */

typedef struct {
	char detail[8][160];
	int64_t refcnt[8], cluster[8];
	int n;
} MbufEvents;

static void
mbuf_sink(void *ctx, const World *w, const SimEvent *ev)
{
	MbufEvents *e = ctx;

	(void)w;
	if (ev->kind != EVK_MBUF || strcmp(ev->routine, "m_free") != 0 || e->n >= 8)
		return;
	g_strlcpy(e->detail[e->n], ev->detail, sizeof e->detail[0]);
	e->cluster[e->n] = ev->v[3];
	e->refcnt[e->n++] = ev->v[4];
}

/* m_free reports the cluster's references after it: one when a sharer is
 * left, none when the last one goes (not the free list's link). */
START_TEST(test_trace_m_free_refcnt)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	MbufEvents ev = { .n = 0 };
	Ref a, b, c, d;
	char want[96];

	w->run->sink.fn = mbuf_sink;
	w->run->sink.ctx = &ev;
	/* other clusters on the free list, so a freed one's link is not 0 */
	c = m_get(w, M_DONTWAIT, MT_DATA);
	ck_assert(m_clget(w, c));
	d = m_get(w, M_DONTWAIT, MT_DATA);
	ck_assert(m_clget(w, d));
	m_free(w, c);
	a = m_gethdr(w, M_DONTWAIT, MT_DATA);
	ck_assert(m_clget(w, a));
	mb(w, a)->len = 100;
	mb(w, a)->flags |= M_EOR;
	b = m_copym(w, a, 0, 100, R_M_COPYM);
	ck_assert_uint_eq(w->cchunk[0][mb(w, a)->ext.i].refcnt, 2);
	ev.n = 0;
	m_free(w, b);
	m_free(w, a);
	ck_assert_int_eq(ev.n, 2);
	ck_assert_int_eq(ev.refcnt[0], 1);
	snprintf(want, sizeof want, "m%u MT_DATA M_PKTHDR, cluster c%lld (1 reference)", b.i,
	    (long long)ev.cluster[0]);
	ck_assert_str_eq(ev.detail[0], want);
	ck_assert_int_eq(ev.refcnt[1], 0);
	ck_assert_int_eq(ev.cluster[1], ev.cluster[0]);
	snprintf(want, sizeof want, "m%u MT_DATA M_PKTHDR M_EOR, cluster c%lld (0 references)", a.i,
	    (long long)ev.cluster[1]);
	ck_assert_str_eq(ev.detail[1], want);
	m_free(w, d);
	ck_assert_uint_eq(w->clive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

/* ---- payload patterns ---- */

START_TEST(test_payload_roundtrip)
{
	static const struct { uint64_t stream, off, len; } cases[] = {
		{ 0, 0, 1 }, { 1, 0, 251 }, { 2, 250, 252 }, { 3, 1000, 65536 },
		{ 4, 7, 65537 }, { 5, 123457, 200003 }, { 6, 65535, 131075 },
		{ 12345, (1ull << 40) + 13, 70001 }, { 251, 502, 1000 },
	};
	uint8_t *buf = g_malloc(200003);

	for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
		uint64_t s = cases[k].stream, off = cases[k].off, len = cases[k].len;
		const uint64_t pos[] = { 0, len / 2, len - 1, 65535, 65536, 65537 };

		memset(buf, 0, len);
		payload_fill(buf, s, off, len);
		ck_assert_msg(payload_check(buf, s, off, len), "case %zu", k);
		/* sub-ranges check at their own offsets */
		ck_assert(payload_check(buf + 1, s, off + 1, len - 1));
		ck_assert(payload_check(buf + len / 3, s, off + len / 3, len - len / 3));
		/* one changed byte anywhere fails */
		for (size_t j = 0; j < G_N_ELEMENTS(pos); j++) {
			if (pos[j] >= len)
				continue;
			buf[pos[j]] ^= 0x01;
			ck_assert_msg(!payload_check(buf, s, off, len),
			    "case %zu: byte %llu changed but the check passed", k,
			    (unsigned long long)pos[j]);
			buf[pos[j]] ^= 0x01;
		}
		ck_assert(payload_check(buf, s, off, len));
		/* the wrong offset fails (the period is 251) */
		if (len >= 2)
			ck_assert(!payload_check(buf, s, off + 1, len));
		if (len >= 251)
			ck_assert(!payload_check(buf, s, off + 250, len));
	}
	g_free(buf);
}
END_TEST

START_TEST(test_payload_streams)
{
	uint8_t a[600], b[600], whole[5000], part[5000];

	/* filling in pieces gives the same bytes as filling at once */
	payload_fill(whole, 9, 1234, sizeof whole);
	payload_fill(part, 9, 1234, 1);
	payload_fill(part + 1, 9, 1235, 250);
	payload_fill(part + 251, 9, 1485, 2000);
	payload_fill(part + 2251, 9, 3485, 2749);
	ck_assert(memcmp(whole, part, sizeof whole) == 0);

	/* the same across the 65536-byte chunks of one fill */
	{
		const uint64_t big = 200000;
		uint8_t *x = g_malloc(big), *y = g_malloc(big);

		payload_fill(x, 17, 333, big);
		for (uint64_t o = 0; o < big; o += 997)
			payload_fill(y + o, 17, 333 + o, big - o < 997 ? big - o : 997);
		ck_assert(memcmp(x, y, big) == 0);
		ck_assert(payload_check(y, 17, 333, big));
		g_free(x);
		g_free(y);
	}

	/* streams are distinguishable (ids that differ mod 251) */
	for (uint64_t s = 0; s < 300; s++) {
		payload_fill(a, s, 77, sizeof a);
		ck_assert(payload_check(a, s, 77, sizeof a));
		if (s % 251 != 1) {
			payload_fill(b, 1, 77, sizeof b);
			ck_assert_msg(!payload_check(a, 1, 77, sizeof a), "stream %llu", (unsigned long long)s);
			ck_assert(memcmp(a, b, sizeof a) != 0);
		}
	}
	/* the pattern is not constant: 251 consecutive bytes are all different */
	payload_fill(a, 0, 0, 251);
	for (int i = 0; i < 251; i++)
		for (int j = i + 1; j < 251; j++)
			ck_assert_int_ne(a[i], a[j]);
	/* tcp_stream_id is one-to-one for sockets */
	ck_assert_uint_ne(tcp_stream_id(0), tcp_stream_id(1));
}
END_TEST

/* The pattern as documented: byte k of stream s at offset off is
 * table[(s * 37 + off + k) % 251], table[i] = (i * 73 + 11) & 0xff.  Run
 * first in its process (Check forks each test), payload_check builds the
 * table itself. */
START_TEST(test_payload_formula)
{
	uint8_t buf[600];
	const uint64_t s = 42, off = 1000;

	for (size_t k = 0; k < sizeof buf; k++)
		buf[k] = (uint8_t)((((s * 37 + off + k) % 251) * 73 + 11) & 0xff);
	ck_assert(payload_check(buf, s, off, sizeof buf));
	buf[599] ^= 1;
	ck_assert(!payload_check(buf, s, off, sizeof buf));
}
END_TEST

static Suite *
mbuf_suite(void)
{
	Suite *s = suite_create("mbuf");
	TCase *tc;

	tc = tcase_create("alloc");
	tcase_add_test(tc, test_get_free_counts);
	tcase_add_test(tc, test_stale_handle);
	tcase_add_test(tc, test_pool_limit);
	tcase_add_test(tc, test_pool_growth);
	tcase_add_test(tc, test_bad_handle_storage);
	tcase_add_test(tc, test_stale_cluster);
	tcase_add_test(tc, test_pool_hard_limit);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("geometry");
	tcase_add_test(tc, test_geometry);
	tcase_add_test(tc, test_shared_cluster_readonly);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("copym");
	tcase_add_test(tc, test_copym_ranges);
	tcase_add_test(tc, test_m_adj);
	tcase_add_test(tc, test_m_copydata_from);
	tcase_add_test(tc, test_trace_m_free_refcnt);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("payload");
	tcase_add_test(tc, test_payload_formula);
	tcase_add_test(tc, test_payload_roundtrip);
	tcase_add_test(tc, test_payload_streams);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mbuf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
