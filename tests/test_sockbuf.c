/*
 * test_sockbuf.c: unit tests for sim/sockbuf.c (sbspace, sbreserve, the
 * append family, sbcompress, sbdrop, sbdroprecord, sbflush), including a
 * randomized comparison against a reference model of the buffer.
 */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern.h"

#include "fixture.h"

static void
assert_no_violation(World *w)
{
	ck_assert_msg(w->stop != STOP_VIOLATION, "unexpected violation %s: %s",
	    violation_names[w->violation], w->run->violation_msg);
}

static void
assert_sbcheck(Fix *f)
{
	bool ok = sbcheck(f->w, 0, SB_RCV);

	ck_assert_msg(ok, "sbcheck: %s: %s", violation_names[f->w->violation], f->w->run->violation_msg);
	assert_no_violation(f->w);
}

static void
assert_empty(Fix *f)
{
	ck_assert(ref_null(f->sb->mb));
	ck_assert(ref_null(f->sb->lastrecord));
	ck_assert(ref_null(f->sb->mbtail));
	ck_assert_int_eq(f->sb->cc, 0);
	ck_assert_int_eq(f->sb->mbcnt, 0);
}

enum { K_PLAIN, K_HDR, K_CLUSTER, K_HDRCLUSTER };

/* An mbuf of `type` holding bytes [off, off + len) of stream `stream`. */
static Ref
mkt(World *w, int kind, int type, uint32_t len, uint64_t stream, uint64_t off)
{
	Ref r;

	r = (kind == K_HDR || kind == K_HDRCLUSTER) ? m_gethdr(w, M_DONTWAIT, type) :
	    m_get(w, M_DONTWAIT, type);
	ck_assert(!ref_null(r));
	if (kind == K_CLUSTER || kind == K_HDRCLUSTER)
		ck_assert(m_clget(w, r));
	ck_assert_int_ge(m_trailingspace(w, r), len);
	mb(w, r)->len = len;
	payload_fill(mtod(w, r), stream, off, len);
	return r;
}

static Ref
mk(World *w, int kind, uint32_t len, uint64_t stream, uint64_t off)
{
	return mkt(w, kind, MT_DATA, len, stream, off);
}

static Ref
link2(World *w, Ref a, Ref b)
{
	mb(w, a)->next = b;
	return a;
}

static int
nrecords(Fix *f)
{
	int n = 0;

	for (Ref r = f->sb->mb; !ref_null(r); r = mb(f->w, r)->nextpkt)
		n++;
	return n;
}

static int
nmbufs(Fix *f)
{
	int n = 0;

	for (Ref r = f->sb->mb; !ref_null(r); r = mb(f->w, r)->nextpkt)
		for (Ref m = r; !ref_null(m); m = mb(f->w, m)->next)
			n++;
	return n;
}

/* The i-th mbuf of the first record. */
static Ref
nth(Fix *f, int i)
{
	Ref m = f->sb->mb;

	while (i-- > 0)
		m = mb(f->w, m)->next;
	return m;
}

/* Data bytes of the buffer (no names, no control) must be stream s at 0.. */
static void
assert_stream_data(Fix *f, uint64_t s, uint64_t off, uint64_t len)
{
	uint64_t n = 0;

	for (Ref r = f->sb->mb; !ref_null(r); r = mb(f->w, r)->nextpkt)
		for (Ref m = r; !ref_null(m); m = mb(f->w, m)->next) {
			Mbuf *x = mb(f->w, m);

			if (x->type == MT_SONAME || x->type == MT_CONTROL)
				continue;
			ck_assert_uint_le(n + x->len, len);
			ck_assert_msg(payload_check(mtod(f->w, m), s, off + n, x->len),
			    "data differs at %llu", (unsigned long long)n);
			n += x->len;
		}
	ck_assert_uint_eq(n, len);
}

/* ---- sbspace, sbreserve, sballoc, sbfree ---- */

START_TEST(test_sbspace)
{
	Sockbuf sb;

	memset(&sb, 0, sizeof sb);
	sb.hiwat = 1000; sb.cc = 200; sb.mbmax = 2000; sb.mbcnt = 1500;
	ck_assert_int_eq(sbspace(&sb), 500);
	sb.mbcnt = 1000;
	ck_assert_int_eq(sbspace(&sb), 800);
	sb.mbcnt = 1200;
	ck_assert_int_eq(sbspace(&sb), 800);
	/* overcommitted: negative, never clamped */
	sb.cc = 1300;
	ck_assert_int_eq(sbspace(&sb), -300);
	sb.cc = 0; sb.mbcnt = 2600;
	ck_assert_int_eq(sbspace(&sb), -600);
	sb.hiwat = 0; sb.mbmax = 0; sb.mbcnt = 0;
	ck_assert_int_eq(sbspace(&sb), 0);
}
END_TEST

START_TEST(test_sbreserve)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	Sockbuf *sb = f.sb;
	/* 262144 * 2048 / (256 + 2048) */
	const int64_t lim = 233016;

	/* soreserve() at world_new */
	ck_assert_int_eq(sb->hiwat, 16384);
	ck_assert_int_eq(sb->mbmax, 32768);
	ck_assert_int_eq(f.so->snd.hiwat, 16384);

	ck_assert(!sbreserve(w, sb, 0));
	ck_assert(!sbreserve(w, sb, -5));
	ck_assert(!sbreserve(w, sb, lim + 1));
	ck_assert(!sbreserve(w, sb, 1 << 30));
	/* refusals leave the buffer as it was */
	ck_assert_int_eq(sb->hiwat, 16384);
	ck_assert_int_eq(sb->mbmax, 32768);

	ck_assert(sbreserve(w, sb, 1));
	ck_assert_int_eq(sb->hiwat, 1);
	ck_assert_int_eq(sb->mbmax, 2);
	ck_assert_int_eq(sb->lowat, 1);
	ck_assert(sbreserve(w, sb, 1000));
	ck_assert_int_eq(sb->hiwat, 1000);
	ck_assert_int_eq(sb->mbmax, 2000);
	ck_assert(sbreserve(w, sb, 131072));
	ck_assert_int_eq(sb->mbmax, 262144);
	ck_assert(sbreserve(w, sb, 200000));
	ck_assert_int_eq(sb->hiwat, 200000);
	ck_assert_int_eq(sb->mbmax, 262144);    /* min(2 * cc, sb_max) */
	ck_assert(sbreserve(w, sb, lim));
	ck_assert_int_eq(sb->hiwat, lim);
	ck_assert_int_eq(sb->mbmax, 262144);

	/* sb_lowat is clipped to the new sb_hiwat */
	sb->lowat = 5000;
	ck_assert(sbreserve(w, sb, 3000));
	ck_assert_int_eq(sb->lowat, 3000);
	sb->lowat = 100;
	ck_assert(sbreserve(w, sb, 3000));
	ck_assert_int_eq(sb->lowat, 100);

	/* `sysctl kern.sbmax` in the scenario replaces SB_MAX */
	w->sb_max = 1048576;   /* what world_new takes from the scenario */
	ck_assert(sbreserve(w, sb, 900000));
	ck_assert_int_eq(sb->mbmax, 1048576);
	ck_assert(!sbreserve(w, sb, 1048576LL * 2048 / 2304 + 1));
	ck_assert(sbreserve(w, sb, 1048576LL * 2048 / 2304));
	assert_no_violation(w);
	fix_free(&f);

	/* FreeBSD: sb_efficiency 8, SB_MAX 2 MB */
	f = fix_new("freebsd-9.1", SCN_SOCK_UDP, 0);
	ck_assert(sbreserve(f.w, f.sb, 65536));
	ck_assert_int_eq(f.sb->mbmax, 524288);
	ck_assert(sbreserve(f.w, f.sb, 1000000));
	ck_assert_int_eq(f.sb->mbmax, 2097152);
	ck_assert(!sbreserve(f.w, f.sb, 2097152LL * 2048 / 2304 + 1));
	fix_free(&f);

	/* NetBSD 1.6: the same rule as 2.0 */
	f = fix_new("netbsd-1.6", SCN_SOCK_UDP, 0);
	ck_assert_int_eq(f.sb->hiwat, 41600);
	ck_assert_int_eq(f.sb->mbmax, 83200);
	ck_assert(!sbreserve(f.w, f.sb, lim + 1));
	ck_assert(sbreserve(f.w, f.sb, 140000));
	ck_assert_int_eq(f.sb->mbmax, 262144);
	fix_free(&f);
}
END_TEST

/* OpenBSD sbreserve: cc against sb_max alone; sb_mbmax = max(cc * 8,
 * 3 * MAXMCLBYTES); sb_lowat clipped to the new sb_hiwat. */
START_TEST(test_sbreserve_openbsd)
{
	Fix f = fix_new("openbsd-7.6", SCN_SOCK_TCP, 0);
	Sockbuf *sb = f.sb, before = *f.sb;

	ck_assert(!sbreserve(f.w, sb, 0));
	ck_assert(!sbreserve(f.w, sb, -1));
	ck_assert(!sbreserve(f.w, sb, 2097152 + 1));
	ck_assert_int_eq(sb->hiwat, before.hiwat);
	ck_assert_int_eq(sb->mbmax, before.mbmax);
	ck_assert(sbreserve(f.w, sb, 1000));
	ck_assert_int_eq(sb->hiwat, 1000);
	ck_assert_int_eq(sb->mbmax, 3 * 65536);         /* the floor */
	sb->lowat = 5000;
	ck_assert(sbreserve(f.w, sb, 100000));
	ck_assert_int_eq(sb->mbmax, 800000);            /* 8 * cc */
	ck_assert_int_eq(sb->lowat, 5000);
	ck_assert(sbreserve(f.w, sb, 2097152));         /* exactly sb_max */
	ck_assert_int_eq(sb->mbmax, 8 * 2097152);
	ck_assert(sbreserve(f.w, sb, 4000));
	ck_assert_int_eq(sb->lowat, 4000);
	fix_free(&f);
}
END_TEST

START_TEST(test_sballoc_sbfree)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	Sockbuf *sb = f.sb;
	Ref a = mk(w, K_PLAIN, 100, 1, 0), b = mk(w, K_CLUSTER, 1500, 1, 100);
	Ref c = mk(w, K_HDRCLUSTER, 0, 1, 0), d = mk(w, K_HDR, 0, 1, 0);

	sballoc(w, sb, a);
	ck_assert_int_eq(sb->cc, 100);
	ck_assert_int_eq(sb->mbcnt, 256);
	sballoc(w, sb, b);
	ck_assert_int_eq(sb->cc, 1600);
	ck_assert_int_eq(sb->mbcnt, 256 + 256 + 2048);
	sballoc(w, sb, c);
	ck_assert_int_eq(sb->cc, 1600);
	ck_assert_int_eq(sb->mbcnt, 3 * 256 + 2 * 2048);
	sballoc(w, sb, d);
	ck_assert_int_eq(sb->mbcnt, 4 * 256 + 2 * 2048);
	ck_assert_int_eq(sbspace(sb), 16384 - 1600 < 32768 - (4 * 256 + 2 * 2048) ?
	    16384 - 1600 : 32768 - (4 * 256 + 2 * 2048));
	sbfree(w, sb, b);
	ck_assert_int_eq(sb->cc, 100);
	ck_assert_int_eq(sb->mbcnt, 3 * 256 + 2048);
	sbfree(w, sb, a);
	sbfree(w, sb, c);
	sbfree(w, sb, d);
	ck_assert_int_eq(sb->cc, 0);
	ck_assert_int_eq(sb->mbcnt, 0);
	m_free(w, a);
	m_free(w, b);
	m_free(w, c);
	m_free(w, d);
	ck_assert_uint_eq(w->mlive, 0);
	ck_assert_uint_eq(w->clive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

/* ---- sbappendstream and sbcompress ---- */

/* Append n mbufs of len bytes each, one sbappendstream per mbuf. */
static void
append_small(Fix *f, int n, uint32_t len, uint64_t s, uint64_t *off)
{
	for (int i = 0; i < n; i++) {
		sbappendstream(f->w, f->so, f->sb, mk(f->w, K_PLAIN, len, s, *off));
		*off += len;
		assert_sbcheck(f);
	}
}

START_TEST(test_coalesce_trailingspace)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	uint64_t off = 0;

	/* 100 x 10 bytes: 23 fit in a 232-byte mbuf (230), so 5 mbufs */
	append_small(&f, 100, 10, 7, &off);
	ck_assert_int_eq(nmbufs(&f), 5);
	ck_assert_uint_eq(w->mlive, 5);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(mb(w, nth(&f, i))->len, 230);
	ck_assert_uint_eq(mb(w, nth(&f, 4))->len, 80);
	ck_assert(ref_eq(f.sb->mbtail, nth(&f, 4)));
	ck_assert(ref_eq(f.sb->lastrecord, f.sb->mb));
	ck_assert_int_eq(f.sb->cc, 1000);
	ck_assert_int_eq(f.sb->mbcnt, 5 * 256);
	assert_stream_data(&f, 7, 0, 1000);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);

	/* only into an mbuf of the same type */
	sbappendstream(w, f.so, f.sb, mk(w, K_PLAIN, 10, 7, 0));
	sbappendstream(w, f.so, f.sb, mkt(w, K_PLAIN, MT_HEADER, 10, 7, 10));
	sbappendstream(w, f.so, f.sb, mkt(w, K_PLAIN, MT_OOBDATA, 10, 7, 20));
	sbappendstream(w, f.so, f.sb, mkt(w, K_PLAIN, MT_OOBDATA, 10, 7, 30));
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 3);
	ck_assert_int_eq(mb(w, nth(&f, 1))->type, MT_HEADER);
	ck_assert_uint_eq(mb(w, nth(&f, 2))->len, 20);
	assert_stream_data(&f, 7, 0, 40);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);

	/* exactly filling the trailing space coalesces (M_TRAILINGSPACE rule) */
	off = 0;
	append_small(&f, 58, 4, 8, &off);   /* 232 bytes */
	ck_assert_int_eq(nmbufs(&f), 1);
	ck_assert_uint_eq(mb(w, f.sb->mb)->len, 232);
	sbflush(w, f.so, f.sb);

	/* into a cluster: up to MCLBYTES/4 per mbuf, while there is room */
	off = 0;
	sbappendstream(w, f.so, f.sb, mk(w, K_CLUSTER, 100, 9, off));
	off += 100;
	append_small(&f, 10, 50, 9, &off);
	ck_assert_int_eq(nmbufs(&f), 1);
	ck_assert_uint_eq(mb(w, f.sb->mb)->len, 600);
	ck_assert_uint_eq(w->mlive, 1);
	sbappendstream(w, f.so, f.sb, mk(w, K_CLUSTER, 600, 9, off));   /* > 512 */
	off += 600;
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 2);
	sbappendstream(w, f.so, f.sb, mk(w, K_CLUSTER, 512, 9, off));   /* == 512 */
	off += 512;
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 2);
	ck_assert_uint_eq(mb(w, nth(&f, 1))->len, 1112);
	ck_assert_uint_eq(w->clive, 2);
	ck_assert_int_eq(f.sb->mbcnt, 2 * (256 + 2048));
	sbappendstream(w, f.so, f.sb, mk(w, K_CLUSTER, 513, 9, off));   /* > 512 */
	off += 513;
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 3);
	sbappendstream(w, f.so, f.sb, mk(w, K_CLUSTER, 1535, 9, off));
	off += 1535;
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 4);
	/* 512 bytes into the 513 left in the fourth */
	sbappendstream(w, f.so, f.sb, mk(w, K_CLUSTER, 512, 9, off));
	off += 512;
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 4);
	ck_assert_uint_eq(mb(w, nth(&f, 3))->len, 2047);
	ck_assert_int_eq(m_trailingspace(w, nth(&f, 3)), 1);
	/* more than the trailing space: a new mbuf */
	sbappendstream(w, f.so, f.sb, mk(w, K_PLAIN, 2, 9, off));
	off += 2;
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 5);
	ck_assert_uint_eq(mb(w, nth(&f, 3))->len, 2047);
	ck_assert(ref_eq(f.sb->mbtail, nth(&f, 4)));
	ck_assert_int_eq(f.sb->cc, (int64_t)off);
	assert_stream_data(&f, 9, 0, off);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	ck_assert_uint_eq(w->clive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

START_TEST(test_coalesce_shared_cluster)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	Ref m = mk(w, K_CLUSTER, 100, 4, 0), hold;

	hold = m_copym(w, m, 0, 100, R_M_COPYM);
	ck_assert(!ref_null(hold));
	sbappendstream(w, f.so, f.sb, m);
	/* the cluster is shared, so read-only: nothing is copied into it */
	sbappendstream(w, f.so, f.sb, mk(w, K_PLAIN, 50, 4, 100));
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 2);
	ck_assert_uint_eq(mb(w, f.sb->mb)->len, 100);
	ck_assert(payload_check(mtod(w, hold), 4, 0, 100));
	assert_stream_data(&f, 4, 0, 150);
	m_freem(w, hold);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	ck_assert_uint_eq(w->clive, 0);
	fix_free(&f);
}
END_TEST

START_TEST(test_coalesce_lite2)
{
	Fix f = fix_new("netbsd-1.6", SCN_SOCK_TCP, 0);
	World *w = f.w;
	uint64_t off = 0;

	ck_assert_int_eq(w->prof->coalesce, COALESCE_LITE2);
	ck_assert_int_eq(w->prof->mlen, 236);
	/* strictly inside m_dat: 59 x 4 = 236 bytes need two mbufs (232 + 4) */
	append_small(&f, 59, 4, 5, &off);
	ck_assert_int_eq(nmbufs(&f), 2);
	ck_assert_uint_eq(mb(w, nth(&f, 0))->len, 232);
	ck_assert_uint_eq(mb(w, nth(&f, 1))->len, 4);
	assert_stream_data(&f, 5, 0, off);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);

	/* never into a cluster, even with plenty of room; small mbufs after
	 * it coalesce among themselves: 4 x 50 per mbuf */
	off = 0;
	sbappendstream(w, f.so, f.sb, mk(w, K_CLUSTER, 100, 6, off));
	off += 100;
	append_small(&f, 10, 50, 6, &off);
	ck_assert_int_eq(nmbufs(&f), 4);
	ck_assert_uint_eq(mb(w, nth(&f, 0))->len, 100);
	ck_assert_uint_eq(mb(w, nth(&f, 1))->len, 200);
	ck_assert_uint_eq(mb(w, nth(&f, 2))->len, 200);
	ck_assert_uint_eq(mb(w, nth(&f, 3))->len, 100);
	ck_assert_uint_eq(w->mlive, 4);
	ck_assert_int_eq(f.sb->mbcnt, 4 * 256 + 2048);
	assert_stream_data(&f, 6, 0, off);

	/* not into an mbuf of another type */
	sbappendstream(w, f.so, f.sb, mkt(w, K_PLAIN, MT_HEADER, 1, 6, off));
	off += 1;
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 5);
	sbdrop(w, f.so, f.sb, 0);
	/* the data of a cluster mbuf is copied into internal storage when
	 * it fits (1 + 100 < 236) */
	sbappendstream(w, f.so, f.sb, mkt(w, K_CLUSTER, MT_HEADER, 100, 6, off));
	off += 100;
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 5);
	ck_assert_uint_eq(mb(w, nth(&f, 4))->len, 101);
	ck_assert_uint_eq(w->clive, 1);
	assert_stream_data(&f, 6, 0, off);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

static void
check_zero_length_dropped(const char *profile)
{
	Fix f = fix_new(profile, SCN_SOCK_TCP, 0);
	World *w = f.w;
	Ref a, z, b, z2;

	a = mk(w, K_CLUSTER, 600, 3, 0);
	z = mk(w, K_PLAIN, 0, 3, 600);
	b = mk(w, K_CLUSTER, 600, 3, 600);
	z2 = mk(w, K_HDR, 0, 3, 1200);
	link2(w, a, link2(w, z, link2(w, b, z2)));
	sbappendstream(w, f.so, f.sb, a);
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 2);
	ck_assert_uint_eq(w->mlive, 2);
	ck_assert(ref_eq(f.sb->mb, a));
	ck_assert(ref_eq(mb(w, a)->next, b));
	ck_assert(ref_eq(f.sb->mbtail, b));
	assert_stream_data(&f, 3, 0, 1200);
	/* a chain of nothing but empty mbufs adds nothing */
	sbappendstream(w, f.so, f.sb, link2(w, mk(w, K_PLAIN, 0, 0, 0), mk(w, K_PLAIN, 0, 0, 0)));
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 2);
	ck_assert_uint_eq(w->mlive, 2);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	fix_free(&f);

	/* into an empty buffer: the first empty mbuf goes, sb_mb is the next */
	f = fix_new(profile, SCN_SOCK_TCP, 0);
	w = f.w;
	z = mk(w, K_HDR, 0, 3, 0);
	a = mk(w, K_CLUSTER, 300, 3, 0);
	sbappend(w, f.so, f.sb, link2(w, z, a));
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, a));
	ck_assert(ref_eq(f.sb->lastrecord, a));
	ck_assert_uint_eq(w->mlive, 1);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	/* and all empty into an empty buffer: stays empty */
	sbappend(w, f.so, f.sb, link2(w, mk(w, K_PLAIN, 0, 0, 0), mk(w, K_PLAIN, 0, 0, 0)));
	assert_sbcheck(&f);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);
	fix_free(&f);
}

START_TEST(test_compress_drops_empty)
{
	check_zero_length_dropped("netbsd-2.0");
	check_zero_length_dropped("netbsd-1.6");
}
END_TEST

START_TEST(test_compress_eor)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	World *w = f.w;
	Ref a, z, c, z2;

	/* an empty M_EOR mbuf followed (via n) by one of its type is dropped,
	 * and M_EOR moves to the last mbuf kept */
	a = mk(w, K_PLAIN, 10, 2, 0);
	z = mk(w, K_PLAIN, 0, 2, 10);
	mb(w, z)->flags |= M_EOR;
	sbappend(w, f.so, f.sb, link2(w, a, z));
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 1);
	ck_assert_uint_eq(w->mlive, 1);
	ck_assert_int_eq(mb(w, a)->flags & M_EOR, M_EOR);
	/* the record ends with M_EOR: sbappend starts a new record */
	c = mk(w, K_PLAIN, 20, 2, 10);
	sbappend(w, f.so, f.sb, c);
	assert_sbcheck(&f);
	ck_assert_int_eq(nrecords(&f), 2);
	ck_assert(ref_eq(f.sb->lastrecord, c));
	ck_assert(ref_eq(f.sb->mbtail, c));
	ck_assert(ref_eq(mb(w, a)->nextpkt, c));
	ck_assert_uint_eq(mb(w, a)->len, 10);   /* nothing coalesced across */
	/* without M_EOR, sbappend adds to the last record (coalescing) */
	sbappend(w, f.so, f.sb, mk(w, K_PLAIN, 5, 2, 30));
	assert_sbcheck(&f);
	ck_assert_int_eq(nrecords(&f), 2);
	ck_assert_uint_eq(mb(w, c)->len, 25);
	assert_stream_data(&f, 2, 0, 35);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);

	/* sbcompress never copies into an mbuf marked M_EOR (sbappendstream
	 * does not look for it, so it reaches sbcompress) */
	a = mk(w, K_PLAIN, 10, 2, 0);
	z = mk(w, K_PLAIN, 0, 2, 10);
	mb(w, z)->flags |= M_EOR;
	sbappend(w, f.so, f.sb, link2(w, a, z));
	c = mk(w, K_PLAIN, 10, 2, 10);
	sbappendstream(w, f.so, f.sb, c);
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 2);
	ck_assert_uint_eq(mb(w, a)->len, 10);
	ck_assert(ref_eq(mb(w, a)->next, c));
	assert_stream_data(&f, 2, 0, 20);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);

	/* an empty M_EOR mbuf with nothing to take the flag is kept */
	z2 = mk(w, K_PLAIN, 0, 0, 0);
	mb(w, z2)->flags |= M_EOR;
	sbappend(w, f.so, f.sb, z2);
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, z2));
	ck_assert(ref_eq(f.sb->mbtail, z2));
	ck_assert_int_eq(f.sb->cc, 0);
	ck_assert_int_eq(f.sb->mbcnt, 256);
	ck_assert_int_eq(mb(w, z2)->flags & M_EOR, M_EOR);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

START_TEST(test_appendstream_two_records)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	World *w = f.w;

	sbappendrecord(w, f.so, f.sb, mk(w, K_PLAIN, 10, 1, 0));
	sbappendrecord(w, f.so, f.sb, mk(w, K_PLAIN, 10, 1, 10));
	assert_sbcheck(&f);
	sbappendstream(w, f.so, f.sb, mk(w, K_PLAIN, 10, 1, 20));
	ck_assert_int_eq(w->stop, STOP_VIOLATION);
	ck_assert_str_eq(violation_names[w->violation], "SBLASTRECORDCHK");
	fix_free(&f);
}
END_TEST

/* ---- records: sbappendrecord, sbappendaddr ---- */

START_TEST(test_appendrecord)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	World *w = f.w;
	Ref m0, c, m1, r, z;

	/* M_EOR moves from the head to the last mbuf of the record */
	m0 = mk(w, K_HDR, 50, 1, 0);
	mb(w, m0)->flags |= M_EOR;
	c = mk(w, K_CLUSTER, 600, 1, 50);
	sbappendrecord(w, f.so, f.sb, link2(w, m0, c));
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, m0));
	ck_assert(ref_eq(f.sb->lastrecord, m0));
	ck_assert(ref_eq(f.sb->mbtail, c));
	ck_assert_int_eq(mb(w, m0)->flags & M_EOR, 0);
	ck_assert_int_eq(mb(w, c)->flags & M_EOR, M_EOR);
	ck_assert_int_eq(f.sb->cc, 650);
	ck_assert_int_eq(f.sb->mbcnt, 2 * 256 + 2048);

	/* the rest of the chain is compressed into the head */
	m1 = mk(w, K_HDR, 50, 1, 650);
	r = mk(w, K_PLAIN, 20, 1, 700);
	sbappendrecord(w, f.so, f.sb, link2(w, m1, r));
	assert_sbcheck(&f);
	ck_assert_int_eq(nrecords(&f), 2);
	ck_assert(ref_eq(mb(w, m0)->nextpkt, m1));
	ck_assert(ref_eq(f.sb->lastrecord, m1));
	ck_assert(ref_eq(f.sb->mbtail, m1));
	ck_assert_uint_eq(mb(w, m1)->len, 70);
	ck_assert(ref_null(mb(w, m1)->next));
	ck_assert_uint_eq(w->mlive, 3);

	/* a one-mbuf record: sb_mbtail must move to it */
	sbappendrecord(w, f.so, f.sb, mk(w, K_PLAIN, 5, 1, 720));
	assert_sbcheck(&f);
	/* zero-length records are allowed and count mbuf storage */
	z = mk(w, K_HDR, 0, 0, 0);
	sbappendrecord(w, f.so, f.sb, z);
	assert_sbcheck(&f);
	ck_assert_int_eq(nrecords(&f), 4);
	ck_assert(ref_eq(f.sb->lastrecord, z));
	ck_assert(ref_eq(f.sb->mbtail, z));
	ck_assert_int_eq(f.sb->cc, 725);
	ck_assert_int_eq(f.sb->mbcnt, 5 * 256 + 2048);
	assert_stream_data(&f, 1, 0, 725);

	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	ck_assert_uint_eq(w->clive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

static Ref
mk_dgram(World *w, uint32_t len, uint64_t s, uint64_t off)
{
	Ref m;

	if (len <= (uint32_t)w->prof->mhlen)
		m = mk(w, K_HDR, len, s, off);
	else
		m = mk(w, K_HDRCLUSTER, len, s, off);
	mb(w, m)->pkt_len = len;
	return m;
}

static Ref
mk_control(World *w, uint32_t len)
{
	Ref c = m_get(w, M_DONTWAIT, MT_CONTROL);

	if (ref_null(c))
		ck_abort_msg("m_get failed");
	mb(w, c)->len = len;
	memset(mtod(w, c), 0xcc, len);
	return c;
}

static void
check_appendaddr(uint32_t quirks)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, quirks);
	World *w = f.w;
	Ref d1, c1, d2, name1, name2, n;
	uint8_t *p;

	d1 = mk_dgram(w, 100, 1, 0);
	c1 = mk_control(w, 12);
	ck_assert(sbappendaddr(w, f.so, f.sb, 0x0a000102u, 4660, d1, c1));
	assert_sbcheck(&f);
	name1 = f.sb->mb;
	ck_assert_int_eq(mb(w, name1)->type, MT_SONAME);
	ck_assert_uint_eq(mb(w, name1)->len, 16);
	p = mtod(w, name1);
	ck_assert_int_eq(p[0], 16);
	ck_assert_int_eq(p[1], 2);
	ck_assert_int_eq(p[2], 0x12);
	ck_assert_int_eq(p[3], 0x34);
	ck_assert_int_eq(p[4], 10);
	ck_assert_int_eq(p[5], 0);
	ck_assert_int_eq(p[6], 1);
	ck_assert_int_eq(p[7], 2);
	ck_assert(ref_eq(mb(w, name1)->next, c1));
	ck_assert(ref_eq(mb(w, c1)->next, d1));
	ck_assert(ref_null(mb(w, d1)->next));
	ck_assert(ref_eq(f.sb->lastrecord, name1));
	ck_assert(ref_eq(f.sb->mbtail, d1));
	ck_assert_int_eq(f.sb->cc, 16 + 12 + 100);
	ck_assert_int_eq(f.sb->mbcnt, 3 * 256);

	/* without control; no coalescing into the previous record */
	d2 = mk_dgram(w, 20, 1, 100);
	ck_assert(sbappendaddr(w, f.so, f.sb, 0x0a000103u, 53, d2, REF_NULL));
	assert_sbcheck(&f);
	name2 = mb(w, name1)->nextpkt;
	ck_assert(!ref_null(name2));
	ck_assert_int_eq(mb(w, name2)->type, MT_SONAME);
	ck_assert(ref_eq(mb(w, name2)->next, d2));
	ck_assert(ref_eq(f.sb->lastrecord, name2));
	ck_assert(ref_eq(f.sb->mbtail, d2));
	ck_assert_uint_eq(mb(w, d1)->len, 100);
	ck_assert_int_eq(nrecords(&f), 2);
	ck_assert_int_eq(f.sb->cc, 16 + 12 + 100 + 16 + 20);
	ck_assert_uint_eq(w->mlive, 5);
	assert_stream_data(&f, 1, 0, 120);

	/* a cluster datagram of several mbufs, with control */
	d1 = mk_dgram(w, 1500, 1, 120);
	mb(w, d1)->pkt_len = 1500 + 40;
	link2(w, d1, mk(w, K_PLAIN, 40, 1, 1620));
	c1 = mk_control(w, 24);
	ck_assert(sbappendaddr(w, f.so, f.sb, 1, 1, d1, c1));
	assert_sbcheck(&f);
	n = f.sb->lastrecord;
	ck_assert_int_eq(mb(w, n)->type, MT_SONAME);
	n = mb(w, n)->next;
	ck_assert_int_eq(mb(w, n)->type, MT_CONTROL);
	ck_assert(ref_eq(mb(w, n)->next, d1));
	ck_assert(ref_eq(f.sb->mbtail, mb(w, d1)->next));
	ck_assert_int_eq(nrecords(&f), 3);
	assert_stream_data(&f, 1, 0, 1660);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	ck_assert_uint_eq(w->clive, 0);
	assert_no_violation(w);
	fix_free(&f);
}

START_TEST(test_appendaddr)
{
	check_appendaddr(0);
	check_appendaddr(1u << QUIRK_SBAPPEND_WALK);
}
END_TEST

START_TEST(test_appendaddr_full)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	World *w = f.w;
	Sockbuf *sb = f.sb, before;
	Ref d, c, d0;

	ck_assert(sbreserve(w, sb, 200));   /* sbspace = min(200, 400) */
	ck_assert_int_eq(sbspace(sb), 200);

	/* 16 + 185 > 200: refused, nothing changes, the caller keeps m0 */
	d = mk_dgram(w, 185, 1, 0);
	ck_assert(!sbappendaddr(w, f.so, sb, 1, 2, d, REF_NULL));
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 1);
	ck_assert(ref_null(mb(w, d)->next));
	/* with control: 16 + 170 + 15 > 200 */
	m_adj(w, d, -15);
	ck_assert_uint_eq(mb(w, d)->pkt_len, 170);
	c = mk_control(w, 15);
	ck_assert(!sbappendaddr(w, f.so, sb, 1, 2, d, c));
	assert_empty(&f);
	ck_assert(ref_null(mb(w, c)->next));
	ck_assert_uint_eq(w->mlive, 2);
	/* 16 + 169 + 15 == 200 fits exactly */
	m_adj(w, d, -1);
	ck_assert(sbappendaddr(w, f.so, sb, 1, 2, d, c));
	assert_sbcheck(&f);
	ck_assert_int_eq(sb->cc, 200);
	/* three mbufs charge 768 against sb_mbmax 400: overcommitted */
	ck_assert_int_eq(sbspace(sb), -368);

	/* a full buffer refuses even an empty datagram, and is left alone */
	before = *sb;
	d0 = mk_dgram(w, 0, 1, 0);
	ck_assert(!sbappendaddr(w, f.so, sb, 1, 2, d0, REF_NULL));
	ck_assert(ref_eq(sb->mb, before.mb));
	ck_assert(ref_eq(sb->lastrecord, before.lastrecord));
	ck_assert(ref_eq(sb->mbtail, before.mbtail));
	ck_assert_int_eq(sb->cc, before.cc);
	ck_assert_int_eq(sb->mbcnt, before.mbcnt);
	ck_assert_int_eq(nrecords(&f), 1);
	ck_assert_uint_eq(w->mlive, 4);
	assert_sbcheck(&f);

	/* storage limit: sb_mbmax - sb_mbcnt becomes the smaller side; each
	 * 300-byte cluster datagram charges 2 x 256 + 2048 = 2560 */
	m_freem(w, d0);
	sbflush(w, f.so, sb);
	ck_assert_uint_eq(w->mlive, 0);
	ck_assert(sbreserve(w, sb, 2000));      /* sb_mbmax 4000 */
	ck_assert(sbappendaddr(w, f.so, sb, 1, 2, mk_dgram(w, 300, 1, 0), REF_NULL));
	ck_assert_int_eq(sbspace(sb), 4000 - 2560);
	ck_assert(sbappendaddr(w, f.so, sb, 1, 2, mk_dgram(w, 300, 1, 0), REF_NULL));
	ck_assert_int_eq(sbspace(sb), 4000 - 5120);
	d = mk_dgram(w, 300, 1, 0);
	ck_assert(!sbappendaddr(w, f.so, sb, 1, 2, d, REF_NULL));
	ck_assert_int_eq(nrecords(&f), 2);
	ck_assert_int_eq(sb->cc, 2 * 316);
	assert_sbcheck(&f);
	m_freem(w, d);
	sbflush(w, f.so, sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	ck_assert_uint_eq(w->clive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

START_TEST(test_append_walk_cost)
{
	Fix a = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	Fix b = fix_new("netbsd-2.0", SCN_SOCK_UDP, 1u << QUIRK_SBAPPEND_WALK);
	uint64_t va, vb;

	ck_assert(sbreserve(a.w, a.sb, 200000));
	ck_assert(sbreserve(b.w, b.sb, 200000));
	for (int i = 0; i < 100; i++) {
		ck_assert(sbappendaddr(a.w, a.so, a.sb, 1, 1, mk_dgram(a.w, 10, 1, 10 * i), REF_NULL));
		ck_assert(sbappendaddr(b.w, b.so, b.sb, 1, 1, mk_dgram(b.w, 10, 1, 10 * i), REF_NULL));
		assert_sbcheck(&a);
		assert_sbcheck(&b);
	}
	va = a.w->cost[R_SBAPPENDADDR].visits;
	vb = b.w->cost[R_SBAPPENDADDR].visits;
	/* the same buffer either way */
	ck_assert_int_eq(a.sb->cc, b.sb->cc);
	ck_assert_int_eq(a.sb->mbcnt, b.sb->mbcnt);
	ck_assert_int_eq(nrecords(&a), 100);
	ck_assert_int_eq(nrecords(&b), 100);
	assert_stream_data(&a, 1, 0, 1000);
	assert_stream_data(&b, 1, 0, 1000);
	/* O(1) per append with sb_lastrecord; a walk over every record without */
	ck_assert_uint_le(va, 4 * 100);
	ck_assert_uint_ge(vb, va + 99 * 100 / 2);
	fix_free(&a);
	fix_free(&b);
}
END_TEST

START_TEST(test_appendcontrol)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	World *w = f.w;
	Ref c, d, c2, d2;

	ck_assert(sbreserve(w, f.sb, 300));
	f.sb->mbmax = 1 << 20;  /* only sb_hiwat limits here */
	/* control is required */
	d = mk(w, K_HDR, 10, 1, 0);
	ck_assert(!sbappendcontrol(w, f.so, f.sb, d, REF_NULL));
	assert_empty(&f);
	c = mk_control(w, 20);
	ck_assert(sbappendcontrol(w, f.so, f.sb, d, c));
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, c));
	ck_assert(ref_eq(mb(w, c)->next, d));
	ck_assert(ref_eq(f.sb->lastrecord, c));
	ck_assert(ref_eq(f.sb->mbtail, d));
	ck_assert_int_eq(f.sb->cc, 30);
	/* 30 + 21 + 250 > 300: refused, nothing linked */
	c2 = mk_control(w, 21);
	d2 = mk(w, K_CLUSTER, 250, 1, 10);
	ck_assert(!sbappendcontrol(w, f.so, f.sb, d2, c2));
	ck_assert(ref_null(mb(w, c2)->next));
	ck_assert_int_eq(nrecords(&f), 1);
	ck_assert_int_eq(f.sb->cc, 30);
	assert_sbcheck(&f);
	/* 30 + 20 + 250 == 300 fits */
	mb(w, c2)->len = 20;
	ck_assert(sbappendcontrol(w, f.so, f.sb, d2, c2));
	assert_sbcheck(&f);
	ck_assert_int_eq(nrecords(&f), 2);
	ck_assert(ref_eq(f.sb->lastrecord, c2));
	ck_assert(ref_eq(f.sb->mbtail, d2));
	assert_stream_data(&f, 1, 0, 260);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

/* Appending nothing (m == NULL) changes nothing: "if (m == 0) return". */
START_TEST(test_append_null)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	Ref a = mk(w, K_PLAIN, 10, 1, 0);
	Sockbuf before;

	sbappendstream(w, f.so, f.sb, a);
	before = *f.sb;
	sbappend(w, f.so, f.sb, REF_NULL);
	sbappendstream(w, f.so, f.sb, REF_NULL);
	sbappendrecord(w, f.so, f.sb, REF_NULL);
	ck_assert(ref_eq(f.sb->mb, before.mb) && ref_eq(f.sb->mbtail, before.mbtail));
	ck_assert(ref_eq(f.sb->lastrecord, before.lastrecord));
	ck_assert_int_eq(f.sb->cc, 10);
	ck_assert_int_eq(f.sb->mbcnt, before.mbcnt);
	ck_assert_uint_eq(w->mlive, 1);
	assert_sbcheck(&f);
	fix_free(&f);
}
END_TEST

/* Control data of several mbufs: the datagram is linked after the last. */
START_TEST(test_append_control_chains)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	World *w = f.w;
	Ref c1 = mk_control(w, 12), c2 = mk_control(w, 8), d = mk_dgram(w, 30, 1, 0);
	Ref e1 = mk_control(w, 4), e2 = mk_control(w, 4), d2 = mk(w, K_HDR, 20, 1, 30);

	mb(w, c1)->next = c2;
	ck_assert(sbappendaddr(w, f.so, f.sb, 0x0a000001, 7, d, c1));
	assert_sbcheck(&f);
	ck_assert_uint_eq(mb(w, f.sb->mb)->type, MT_SONAME);
	ck_assert(ref_eq(mb(w, f.sb->mb)->next, c1));
	ck_assert(ref_eq(mb(w, c2)->next, d));
	ck_assert(ref_eq(f.sb->mbtail, d));
	ck_assert_int_eq(f.sb->cc, 16 + 12 + 8 + 30);
	ck_assert_int_eq(f.sb->datacc, 30);

	mb(w, e1)->next = e2;
	ck_assert(sbappendcontrol(w, f.so, f.sb, d2, e1));
	assert_sbcheck(&f);
	ck_assert_int_eq(nrecords(&f), 2);
	ck_assert(ref_eq(f.sb->lastrecord, e1));
	ck_assert(ref_eq(mb(w, e2)->next, d2));
	ck_assert(ref_eq(f.sb->mbtail, d2));
	assert_stream_data(&f, 1, 0, 50);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	fix_free(&f);
}
END_TEST

/* No mbuf for the sender's address: the datagram is refused and left to
 * the caller, the buffer as it was (sbappendaddr's MGET(M_DONTWAIT)). */
START_TEST(test_appendaddr_no_mbuf)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	World *w = f.w;
	Ref d = mk_dgram(w, 30, 1, 0);

	w->mbuf_limit = w->mlive;
	ck_assert(!sbappendaddr(w, f.so, f.sb, 0x0a000001, 7, d, REF_NULL));
	assert_empty(&f);
	ck_assert_uint_eq(w->stats.mbuf_fails, 1);
	ck_assert(ref_null(mb(w, d)->next));
	w->mbuf_limit = 0;
	ck_assert(sbappendaddr(w, f.so, f.sb, 0x0a000001, 7, d, REF_NULL));
	assert_sbcheck(&f);
	ck_assert_int_eq(nrecords(&f), 1);
	fix_free(&f);
}
END_TEST

/* An empty M_EOR mbuf followed by one of another type is not dropped as
 * empty (NetBSD sbcompress drops it only when the next mbuf, of its
 * type, can take the flag): with nothing before it to be copied into,
 * it stays, and the flag moves on to the last mbuf; with an mbuf of its
 * type before it, it is "copied" into that one (no bytes) and freed. */
START_TEST(test_compress_eor_type_change)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	World *w = f.w;
	Ref z = mk(w, K_PLAIN, 0, 1, 0), o = mkt(w, K_PLAIN, MT_OOBDATA, 10, 1, 0), d;

	mb(w, z)->flags |= M_EOR;
	sbappend(w, f.so, f.sb, link2(w, z, o));
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 2);
	ck_assert(ref_eq(f.sb->mb, z));
	ck_assert(ref_eq(f.sb->mbtail, o));
	ck_assert_int_eq(mb(w, z)->flags & M_EOR, 0);
	ck_assert_int_eq(mb(w, o)->flags & M_EOR, M_EOR);
	ck_assert_int_eq(f.sb->cc, 10);
	sbflush(w, f.so, f.sb);

	d = mk(w, K_PLAIN, 5, 1, 0);
	sbappendrecord(w, f.so, f.sb, d);
	z = mk(w, K_PLAIN, 0, 1, 0);
	o = mkt(w, K_PLAIN, MT_OOBDATA, 10, 1, 0);
	mb(w, z)->flags |= M_EOR;
	sbappend(w, f.so, f.sb, link2(w, z, o));
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 2);
	ck_assert(ref_eq(mb(w, d)->next, o));
	ck_assert_int_eq(mb(w, o)->flags & M_EOR, M_EOR);
	ck_assert_uint_eq(w->mlive, 2);
	fix_free(&f);
}
END_TEST

/* sbappendaddr of an address and control without data (m0 NULL): a
 * record of the two, no data bytes. */
START_TEST(test_appendaddr_no_data)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	World *w = f.w;
	Ref c = mk_control(w, 12);

	ck_assert(sbappendaddr(w, f.so, f.sb, 0x0a000001, 7, REF_NULL, c));
	assert_sbcheck(&f);
	ck_assert_int_eq(nrecords(&f), 1);
	ck_assert_int_eq(mb(w, f.sb->mb)->type, MT_SONAME);
	ck_assert(ref_eq(mb(w, f.sb->mb)->next, c));
	ck_assert(ref_eq(f.sb->mbtail, c));
	ck_assert_int_eq(f.sb->cc, 16 + 12);
	ck_assert_int_eq(f.sb->datacc, 0);
	fix_free(&f);
}
END_TEST

/* sbappendstream of a chain that is a record of several (m_nextpkt set):
 * the stream's one record would not be one any more. */
START_TEST(test_appendstream_nextpkt)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	Ref a = mk(w, K_PLAIN, 10, 1, 0), b = mk(w, K_PLAIN, 10, 1, 10);

	mb(w, a)->nextpkt = b;
	sbappendstream(w, f.so, f.sb, a);
	ck_assert_int_eq(w->stop, STOP_VIOLATION);
	ck_assert_str_eq(violation_names[w->violation], "SBLASTRECORDCHK");
	ck_assert_str_eq(w->run->violation_msg, "sbappendstream on a buffer with more than one record");
	fix_free(&f);
}
END_TEST

/* ---- sbdrop, sbdroprecord, sbflush ---- */

START_TEST(test_sbdrop_stream)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	World *w = f.w;
	/* b leaves less room than c needs, so c is not coalesced */
	Ref a = mk(w, K_CLUSTER, 600, 11, 0), b = mk(w, K_CLUSTER, 1900, 11, 600);
	Ref c = mk(w, K_PLAIN, 200, 11, 2500);

	sbappendstream(w, f.so, f.sb, link2(w, a, link2(w, b, c)));
	assert_sbcheck(&f);
	ck_assert_int_eq(nmbufs(&f), 3);

	/* partial: trimmed in place */
	sbdrop(w, f.so, f.sb, 100);
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, a));
	ck_assert_uint_eq(mb(w, a)->len, 500);
	ck_assert_uint_eq(mb(w, a)->off, 100);
	ck_assert_int_eq(f.sb->cc, 2600);
	ck_assert_int_eq(f.sb->mbcnt, 2 * (256 + 2048) + 256);
	assert_stream_data(&f, 11, 100, 2600);
	/* across an mbuf boundary */
	sbdrop(w, f.so, f.sb, 700);
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, b));
	ck_assert(ref_eq(f.sb->lastrecord, b));
	ck_assert_uint_eq(mb(w, b)->len, 1700);
	ck_assert_uint_eq(mb(w, b)->off, 200);
	ck_assert_uint_eq(w->mlive, 2);
	ck_assert_uint_eq(w->clive, 1);
	assert_stream_data(&f, 11, 800, 1900);
	/* exactly one mbuf */
	sbdrop(w, f.so, f.sb, 1700);
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, c));
	ck_assert(ref_eq(f.sb->mbtail, c));
	ck_assert_uint_eq(mb(w, c)->off, 0);
	ck_assert_uint_eq(w->mlive, 1);
	/* nothing */
	sbdrop(w, f.so, f.sb, 0);
	assert_sbcheck(&f);
	ck_assert_int_eq(f.sb->cc, 200);
	/* everything */
	sbdrop(w, f.so, f.sb, 200);
	assert_sbcheck(&f);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	ck_assert_uint_eq(w->clive, 0);

	/* more than the buffer holds is a violation */
	sbappendstream(w, f.so, f.sb, mk(w, K_PLAIN, 10, 0, 0));
	sbdrop(w, f.so, f.sb, 11);
	ck_assert_int_eq(w->stop, STOP_VIOLATION);
	ck_assert_str_eq(violation_names[w->violation], "SBCHECK");
	fix_free(&f);
}
END_TEST

/* Three datagrams: [name, 100], [name, ctl 8, 50], [name, 0] */
static void
three_dgrams(Fix *f)
{
	World *w = f->w;

	ck_assert(sbappendaddr(w, f->so, f->sb, 1, 1, mk_dgram(w, 100, 13, 0), REF_NULL));
	ck_assert(sbappendaddr(w, f->so, f->sb, 1, 2, mk_dgram(w, 50, 13, 100), mk_control(w, 8)));
	ck_assert(sbappendaddr(w, f->so, f->sb, 1, 3, mk_dgram(w, 0, 13, 150), REF_NULL));
	assert_sbcheck(f);
	ck_assert_int_eq(f->sb->cc, 116 + 74 + 16);
	ck_assert_uint_eq(w->mlive, 7);
}

START_TEST(test_sbdrop_records)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	World *w = f.w;
	Ref r2, r3, tail;

	three_dgrams(&f);
	r2 = mb(w, f.sb->mb)->nextpkt;
	r3 = f.sb->lastrecord;
	tail = f.sb->mbtail;
	/* the name, then 4 bytes of data */
	sbdrop(w, f.so, f.sb, 20);
	assert_sbcheck(&f);
	ck_assert_int_eq(mb(w, f.sb->mb)->type, MT_DATA);
	ck_assert_uint_eq(mb(w, f.sb->mb)->len, 96);
	ck_assert(ref_eq(mb(w, f.sb->mb)->nextpkt, r2));
	ck_assert(ref_eq(f.sb->lastrecord, r3));
	ck_assert_int_eq(nrecords(&f), 3);
	assert_stream_data(&f, 13, 4, 146);
	/* the rest of record 1 and 4 bytes of record 2's name */
	sbdrop(w, f.so, f.sb, 100);
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, r2));
	ck_assert_uint_eq(mb(w, r2)->len, 12);
	ck_assert_int_eq(nrecords(&f), 2);
	ck_assert(ref_eq(f.sb->lastrecord, r3));
	ck_assert(ref_eq(f.sb->mbtail, tail));
	/* exactly the rest of record 2: record 3 is untouched */
	sbdrop(w, f.so, f.sb, 12 + 8 + 50);
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, r3));
	ck_assert(ref_eq(f.sb->lastrecord, r3));
	ck_assert(ref_eq(f.sb->mbtail, tail));
	ck_assert_int_eq(f.sb->cc, 16);
	ck_assert_uint_eq(w->mlive, 2);
	/* its name: the empty data mbuf after it goes too */
	sbdrop(w, f.so, f.sb, 16);
	assert_sbcheck(&f);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);

	/* across all three at once, ending inside the last */
	three_dgrams(&f);
	sbdrop(w, f.so, f.sb, 116 + 74 + 3);
	assert_sbcheck(&f);
	ck_assert_int_eq(nrecords(&f), 1);
	ck_assert_int_eq(f.sb->cc, 13);
	ck_assert(ref_eq(f.sb->lastrecord, f.sb->mb));
	ck_assert_uint_eq(w->mlive, 2);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

START_TEST(test_sbdroprecord)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 1u << QUIRK_SBAPPEND_WALK);
	World *w = f.w;
	Ref r2, r3, tail;

	three_dgrams(&f);
	r2 = mb(w, f.sb->mb)->nextpkt;
	r3 = f.sb->lastrecord;
	tail = f.sb->mbtail;
	sbdroprecord(w, f.so, f.sb);
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, r2));
	ck_assert(ref_eq(f.sb->lastrecord, r3));
	ck_assert(ref_eq(f.sb->mbtail, tail));
	ck_assert_int_eq(f.sb->cc, 74 + 16);
	ck_assert_int_eq(f.sb->mbcnt, 5 * 256);
	ck_assert_uint_eq(w->mlive, 5);
	assert_stream_data(&f, 13, 100, 50);
	sbdroprecord(w, f.so, f.sb);
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, r3));
	ck_assert(ref_eq(f.sb->lastrecord, r3));
	ck_assert_uint_eq(w->mlive, 2);
	/* appending after the fix-ups links after the right record */
	ck_assert(sbappendaddr(w, f.so, f.sb, 1, 1, mk_dgram(w, 7, 13, 150), REF_NULL));
	assert_sbcheck(&f);
	ck_assert_int_eq(nrecords(&f), 2);
	sbdroprecord(w, f.so, f.sb);
	sbdroprecord(w, f.so, f.sb);
	assert_sbcheck(&f);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	/* on an empty buffer: nothing */
	sbdroprecord(w, f.so, f.sb);
	assert_sbcheck(&f);
	assert_empty(&f);
	/* a partly dropped head record goes whole */
	three_dgrams(&f);
	sbdrop(w, f.so, f.sb, 30);
	sbdroprecord(w, f.so, f.sb);
	assert_sbcheck(&f);
	ck_assert_int_eq(f.sb->cc, 74 + 16);
	ck_assert_uint_eq(w->mlive, 5);
	sbflush(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

/* Take mbufs off the front as soreceive does: sbfree and free, keeping
 * the next record aside, then sbsync. */
static Ref
take_front(Fix *f, int nmb, Ref *nextrecord)
{
	Ref m = f->sb->mb;

	*nextrecord = mb(f->w, m)->nextpkt;
	mb(f->w, m)->nextpkt = REF_NULL;
	while (nmb-- > 0 && !ref_null(m)) {
		sbfree(f->w, f->sb, m);
		m = m_free(f->w, m);
	}
	f->sb->mb = m;
	return m;
}

START_TEST(test_sbsync)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	World *w = f.w;
	Ref r2, r3, tail, next, m;

	three_dgrams(&f);
	ck_assert_int_eq(sb_datacc(w, f.sb), 150);
	r2 = mb(w, f.sb->mb)->nextpkt;
	r3 = f.sb->lastrecord;
	tail = f.sb->mbtail;
	/* the whole first record */
	m = take_front(&f, 2, &next);
	ck_assert(ref_null(m));
	ck_assert(ref_eq(next, r2));
	sbsync(w, f.sb, next);
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, r2));
	ck_assert(ref_eq(f.sb->lastrecord, r3));
	ck_assert(ref_eq(f.sb->mbtail, tail));
	ck_assert_int_eq(sb_datacc(w, f.sb), 50);
	/* the name of the second: m_nextpkt goes back on the control mbuf */
	m = take_front(&f, 1, &next);
	ck_assert_int_eq(mb(w, m)->type, MT_CONTROL);
	sbsync(w, f.sb, next);
	assert_sbcheck(&f);
	ck_assert(ref_eq(mb(w, m)->nextpkt, r3));
	ck_assert(ref_eq(f.sb->lastrecord, r3));
	ck_assert_int_eq(nrecords(&f), 2);
	ck_assert_int_eq(f.sb->cc, 58 + 16);
	ck_assert_int_eq(sb_datacc(w, f.sb), 50);
	/* the rest of it: the last record is the only one */
	m = take_front(&f, 2, &next);
	sbsync(w, f.sb, next);
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, r3));
	ck_assert(ref_eq(f.sb->lastrecord, r3));
	/* part of the last record */
	m = take_front(&f, 1, &next);
	ck_assert(ref_null(next));
	sbsync(w, f.sb, next);
	assert_sbcheck(&f);
	ck_assert(ref_eq(f.sb->mb, tail));
	ck_assert(ref_eq(f.sb->lastrecord, tail));
	ck_assert(ref_eq(f.sb->mbtail, tail));
	/* all of it */
	m = take_front(&f, 1, &next);
	sbsync(w, f.sb, next);
	assert_sbcheck(&f);
	assert_empty(&f);
	ck_assert_int_eq(sb_datacc(w, f.sb), 0);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

START_TEST(test_sbflush_zero_length)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	World *w = f.w;
	Ref z;

	/* empty datagrams, empty records, and an empty M_EOR mbuf */
	ck_assert(sbappendaddr(w, f.so, f.sb, 1, 1, mk_dgram(w, 0, 1, 0), REF_NULL));
	sbappendrecord(w, f.so, f.sb, mk(w, K_HDR, 0, 0, 0));
	sbappendrecord(w, f.so, f.sb, mk(w, K_HDRCLUSTER, 0, 0, 0));
	ck_assert(sbappendaddr(w, f.so, f.sb, 1, 1, mk_dgram(w, 30, 1, 0), mk_control(w, 0)));
	sbappendrecord(w, f.so, f.sb, mk(w, K_PLAIN, 0, 0, 0));
	z = mk(w, K_PLAIN, 0, 0, 0);
	mb(w, z)->flags |= M_EOR;
	sbappend(w, f.so, f.sb, z);     /* dropped: M_EOR goes to the empty record */
	assert_sbcheck(&f);
	ck_assert_int_eq(nrecords(&f), 5);
	ck_assert_int_eq(f.sb->cc, 16 + 16 + 30);
	ck_assert_uint_eq(w->clive, 1);
	sbflush(w, f.so, f.sb);
	assert_sbcheck(&f);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	ck_assert_uint_eq(w->clive, 0);

	/* only empty records: sb_cc is 0 from the start */
	sbappendrecord(w, f.so, f.sb, mk(w, K_PLAIN, 0, 0, 0));
	sbappendrecord(w, f.so, f.sb, mk(w, K_PLAIN, 0, 0, 0));
	assert_sbcheck(&f);
	ck_assert_int_eq(f.sb->cc, 0);
	ck_assert_int_eq(f.sb->mbcnt, 512);
	sbflush(w, f.so, f.sb);
	assert_sbcheck(&f);
	assert_empty(&f);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);

	/* sbrelease: flushed and no space reserved */
	ck_assert(sbappendaddr(w, f.so, f.sb, 1, 1, mk_dgram(w, 3, 1, 0), REF_NULL));
	sbrelease(w, f.so, f.sb);
	assert_empty(&f);
	ck_assert_int_eq(f.sb->hiwat, 0);
	ck_assert_int_eq(f.sb->mbmax, 0);
	ck_assert_uint_eq(w->mlive, 0);
	assert_no_violation(w);
	fix_free(&f);
}
END_TEST

/* ---- randomized comparison with a reference model ---- */

typedef struct {
	uint64_t s;
} Rng;

static uint64_t
rnd(Rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ull;
}

static uint32_t
rndn(Rng *r, uint32_t n)
{
	return n == 0 ? 0 : (uint32_t)((rnd(r) >> 16) % n);
}

/* ck_assert without the checkpoint every passing ck_assert records (a
 * pipe write in fork mode, too slow for the inner loops below). */
#define REQUIRE(expr, ...) do { if (!(expr)) ck_abort_msg(__VA_ARGS__); } while (0)

/* A record: `hdr` bytes of name and control, then data. */
typedef struct {
	uint32_t hdr;
	GByteArray *data;
} MRec;

typedef struct {
	GArray *recs;   /* MRec */
} Model;

static void
model_init(Model *md)
{
	md->recs = g_array_new(FALSE, TRUE, sizeof(MRec));
}

static void
model_remove_first(Model *md)
{
	g_byte_array_free(g_array_index(md->recs, MRec, 0).data, TRUE);
	g_array_remove_index(md->recs, 0);
}

static void
model_clear(Model *md)
{
	while (md->recs->len > 0)
		model_remove_first(md);
}

static void
model_free(Model *md)
{
	model_clear(md);
	g_array_free(md->recs, TRUE);
}

static void
model_new_record(Model *md, uint32_t hdr, const GByteArray *bytes)
{
	MRec r;

	r.hdr = hdr;
	r.data = g_byte_array_new();
	g_byte_array_append(r.data, bytes->data, bytes->len);
	g_array_append_val(md->recs, r);
}

/* sbappend/sbappendstream without M_EOR: to the last record, or a new one
 * if there is none and some byte survives sbcompress. */
static void
model_append(Model *md, const GByteArray *bytes)
{
	if (md->recs->len == 0) {
		if (bytes->len > 0)
			model_new_record(md, 0, bytes);
		return;
	}
	g_byte_array_append(g_array_index(md->recs, MRec, md->recs->len - 1).data,
	    bytes->data, bytes->len);
}

static uint64_t
model_rec_total(const MRec *r)
{
	return (uint64_t)r->hdr + r->data->len;
}

static uint64_t
model_cc(const Model *md)
{
	uint64_t n = 0;

	for (guint i = 0; i < md->recs->len; i++)
		n += model_rec_total(&g_array_index(md->recs, MRec, i));
	return n;
}

/*
 * sbdrop: bytes go from the front, names and control first; a record whose
 * bytes are all gone goes (its empty mbufs with it); with len == 0 only an
 * empty first record goes.
 */
static void
model_drop(Model *md, uint64_t len)
{
	if (len == 0) {
		if (md->recs->len > 0 && model_rec_total(&g_array_index(md->recs, MRec, 0)) == 0)
			model_remove_first(md);
		return;
	}
	while (len > 0) {
		MRec *r;
		uint64_t n;

		REQUIRE(md->recs->len > 0, "model: sbdrop past the end");
		r = &g_array_index(md->recs, MRec, 0);
		n = r->hdr < len ? r->hdr : len;
		r->hdr -= (uint32_t)n;
		len -= n;
		n = r->data->len < len ? r->data->len : len;
		g_byte_array_remove_range(r->data, 0, (guint)n);
		len -= n;
		if (model_rec_total(r) == 0)
			model_remove_first(md);
		else
			break;
	}
}

/* Compare the buffer with the model, record by record. */
static void
model_compare(Fix *f, const Model *md, const char *what, int seq, int op)
{
	World *w = f->w;
	guint i = 0;

	for (Ref rec = f->sb->mb; !ref_null(rec); rec = mb(w, rec)->nextpkt, i++) {
		const MRec *r;
		uint64_t hdr = 0, pos = 0;
		int rank = 0;

		REQUIRE(i < md->recs->len, "%s seq %d op %d: %u records, model has %u",
		    what, seq, op, i + 1, md->recs->len);
		r = &g_array_index(md->recs, MRec, i);
		for (Ref m = rec; !ref_null(m); m = mb(w, m)->next) {
			Mbuf *x = mb(w, m);
			int k = x->type == MT_SONAME ? 0 : x->type == MT_CONTROL ? 1 : 2;

			/* name, then control, then data */
			REQUIRE(k >= rank, "%s seq %d op %d: record %u out of order",
			    what, seq, op, i);
			rank = k;
			if (k < 2) {
				hdr += x->len;
				continue;
			}
			REQUIRE(pos + x->len <= r->data->len,
			    "%s seq %d op %d: record %u holds more data than the model (%u)",
			    what, seq, op, i, r->data->len);
			REQUIRE(x->len == 0 || memcmp(mtod(w, m), r->data->data + pos, x->len) == 0,
			    "%s seq %d op %d: record %u: data differs at %llu",
			    what, seq, op, i, (unsigned long long)pos);
			pos += x->len;
		}
		REQUIRE(pos == r->data->len, "%s seq %d op %d: record %u: %llu data bytes, model %u",
		    what, seq, op, i, (unsigned long long)pos, r->data->len);
		REQUIRE(hdr == r->hdr, "%s seq %d op %d: record %u: %llu name/control bytes, model %u",
		    what, seq, op, i, (unsigned long long)hdr, r->hdr);
	}
	REQUIRE(i == md->recs->len, "%s seq %d op %d: %u records, model has %u",
	    what, seq, op, i, md->recs->len);
	REQUIRE((uint64_t)f->sb->cc == model_cc(md), "%s seq %d op %d: sb_cc %lld, model %llu",
	    what, seq, op, (long long)f->sb->cc, (unsigned long long)model_cc(md));
}

typedef struct {
	Ref held[64];       /* copies keeping clusters shared (read-only) */
	int nheld;
	uint64_t stream;    /* next stream id */
} Gen;

/*
 * A random chain of data mbufs of at most maxlen bytes: plain, packet
 * header and cluster mbufs, some empty, some not at the start of their
 * storage, some with their cluster shared.  Its bytes go to `bytes`.
 */
static Ref
rand_chain(World *w, Rng *r, Gen *g, uint32_t maxlen, bool pkthdr, GByteArray *bytes)
{
	int n = 1 + (int)rndn(r, 4);
	uint64_t s = g->stream++, off = rndn(r, 100000);
	uint32_t total = 0;
	Ref top = REF_NULL, tail = REF_NULL;

	g_byte_array_set_size(bytes, 0);
	for (int i = 0; i < n; i++) {
		bool hdr = i == 0 && (pkthdr || rndn(r, 3) == 0);
		bool cl = rndn(r, 2) == 0;
		int type = hdr && !pkthdr && rndn(r, 4) == 0 ? MT_HEADER : MT_DATA;
		Ref m = hdr ? m_gethdr(w, M_DONTWAIT, type) : m_get(w, M_DONTWAIT, type);
		Mbuf *x;
		uint32_t room, len, skip;

		REQUIRE(!ref_null(m), "m_get failed");
		if (cl)
			REQUIRE(m_clget(w, m), "m_clget failed");
		x = mb(w, m);
		room = (uint32_t)m_trailingspace(w, m);
		skip = rndn(r, 4) == 0 ? rndn(r, room / 2 + 1) : 0;
		x->off += skip;
		room -= skip;
		if (room > maxlen - total)
			room = maxlen - total;
		switch (rndn(r, 8)) {
		case 0:
			len = 0;
			break;
		case 1:
			len = room;
			break;
		case 2:
			len = rndn(r, 16) < room ? rndn(r, 16) : room;
			break;
		default:
			len = rndn(r, room + 1);
			break;
		}
		x->len = len;
		payload_fill(mtod(w, m), s, off, len);
		g_byte_array_append(bytes, mtod(w, m), len);
		off += len;
		total += len;
		if (cl && len > 0 && g->nheld < (int)G_N_ELEMENTS(g->held) && rndn(r, 6) == 0) {
			Ref c = m_copym(w, m, 0, len, R_M_COPYM);

			REQUIRE(!ref_null(c), "m_copym failed");
			g->held[g->nheld++] = c;
			REQUIRE(m_trailingspace(w, m) == 0, "a shared cluster has trailing space");
		}
		if (ref_null(top))
			top = m;
		else
			mb(w, tail)->next = m;
		tail = m;
	}
	if (pkthdr)
		mb(w, top)->pkt_len = total;
	return top;
}

static void
release_held(World *w, Gen *g)
{
	for (int i = 0; i < g->nheld; i++)
		m_freem(w, g->held[i]);
	g->nheld = 0;
}

enum { NSEQ = 2000, NOPS = 50 };

static void
random_run(bool udp, uint32_t quirks, uint64_t seed)
{
	const char *what = udp ? (quirks ? "udp+walk" : "udp") : (quirks ? "tcp+walk" : "tcp");
	Fix f = fix_new("netbsd-2.0", udp ? SCN_SOCK_UDP : SCN_SOCK_TCP, quirks);
	World *w = f.w;
	Rng r = { seed };
	Gen g;
	Model md;
	GByteArray *bytes = g_byte_array_new();
	uint64_t accepted = 0, refused = 0;

	memset(&g, 0, sizeof g);
	model_init(&md);
	/* a small receive buffer, so datagrams are refused by both limits */
	if (udp)
		ck_assert(sbreserve(w, f.sb, 8192));
	for (int seq = 0; seq < NSEQ; seq++) {
		for (int op = 0; op < NOPS; op++) {
			uint32_t pick = rndn(&r, 100);
			int64_t cc = f.sb->cc;

			if (udp && pick < 45) {
				/* a datagram, maybe with control */
				Ref m0 = rand_chain(w, &r, &g, rndn(&r, 4) == 0 ? 3000 : 600, true, bytes);
				uint32_t cl = rndn(&r, 4) == 0 ? rndn(&r, 41) : 0;
				Ref ctl = rndn(&r, 4) == 0 ? mk_control(w, cl) : REF_NULL;
				int64_t need = 16 + (int64_t)bytes->len + (ref_null(ctl) ? 0 : cl);
				int64_t space = sbspace(f.sb);
				bool ok = sbappendaddr(w, f.so, f.sb, (uint32_t)rnd(&r),
				    (uint16_t)rnd(&r), m0, ctl);

				REQUIRE(ok == (need <= space), "%s seq %d op %d: sbappendaddr of %lld with space %lld returned %d",
				    what, seq, op, (long long)need, (long long)space, ok);
				if (ok) {
					model_new_record(&md, (uint32_t)(16 + (ref_null(ctl) ? 0 : cl)), bytes);
					accepted++;
				} else {
					m_freem(w, m0);
					m_freem(w, ctl);
					refused++;
				}
			} else if (udp && pick < 55) {
				sbappendrecord(w, f.so, f.sb, rand_chain(w, &r, &g, 1500, rndn(&r, 2), bytes));
				model_new_record(&md, 0, bytes);
			} else if (udp && pick < 62) {
				sbappend(w, f.so, f.sb, rand_chain(w, &r, &g, 800, false, bytes));
				model_append(&md, bytes);
			} else if (udp && pick < 80) {
				sbdroprecord(w, f.so, f.sb);
				if (md.recs->len > 0)
					model_remove_first(&md);
			} else if (!udp && pick < 60 && cc < 2 * f.sb->hiwat) {
				Ref m = rand_chain(w, &r, &g, 3000, false, bytes);

				if (pick < 40)
					sbappendstream(w, f.so, f.sb, m);
				else
					sbappend(w, f.so, f.sb, m);
				model_append(&md, bytes);
			} else {
				/* sbdrop: nothing, everything, a record boundary, or any amount */
				int64_t len;
				uint32_t how = rndn(&r, 10);

				if (how == 0)
					len = 0;
				else if (how == 1)
					len = cc;
				else if (how == 2 && md.recs->len > 0)
					len = (int64_t)model_rec_total(&g_array_index(md.recs, MRec, 0));
				else
					len = cc > 0 ? (int64_t)rndn(&r, (uint32_t)cc + 1) : 0;
				sbdrop(w, f.so, f.sb, len);
				model_drop(&md, (uint64_t)len);
			}
			REQUIRE(sbcheck(w, 0, SB_RCV), "%s seq %d op %d: %s: %s",
			    what, seq, op, violation_names[w->violation], w->run->violation_msg);
			REQUIRE(w->stop != STOP_VIOLATION, "%s seq %d op %d: %s: %s",
			    what, seq, op, violation_names[w->violation], w->run->violation_msg);
			model_compare(&f, &md, what, seq, op);
			REQUIRE(w->mlive == (uint32_t)(nmbufs(&f) + g.nheld),
			    "%s seq %d op %d: %u mbufs live, %d in the buffer, %d held",
			    what, seq, op, w->mlive, nmbufs(&f), g.nheld);
			REQUIRE(ref_null(f.sb->mb) == (f.sb->cc == 0 && f.sb->mbcnt == 0),
			    "%s seq %d op %d: empty buffer with cc %lld mbcnt %lld", what, seq, op,
			    (long long)f.sb->cc, (long long)f.sb->mbcnt);
		}
		sbflush(w, f.so, f.sb);
		model_clear(&md);
		REQUIRE(sbcheck(w, 0, SB_RCV) && w->stop != STOP_VIOLATION,
		    "%s seq %d: after sbflush: %s: %s", what, seq, violation_names[w->violation], w->run->violation_msg);
		REQUIRE(ref_null(f.sb->mb) && ref_null(f.sb->lastrecord) && ref_null(f.sb->mbtail) &&
		    f.sb->cc == 0 && f.sb->mbcnt == 0, "%s seq %d: sbflush left something", what, seq);
		REQUIRE(w->mlive == (uint32_t)g.nheld, "%s seq %d: %u mbufs live after sbflush, %d held",
		    what, seq, w->mlive, g.nheld);
		release_held(w, &g);
		REQUIRE(w->mlive == 0 && w->clive == 0, "%s seq %d: leak: %u mbufs, %u clusters",
		    what, seq, w->mlive, w->clive);
	}
	if (getenv("SBTEST_VERBOSE") != NULL)  /* how much was exercised */
		fprintf(stderr, "%s: %llu accepted, %llu refused, %llu streams\n", what,
		    (unsigned long long)accepted, (unsigned long long)refused, (unsigned long long)g.stream);
	/* both outcomes of sbappendaddr were exercised */
	if (udp) {
		ck_assert_uint_gt(accepted, 1000);
		ck_assert_uint_gt(refused, 100);
	}
	g_byte_array_free(bytes, TRUE);
	model_free(&md);
	fix_free(&f);
}

START_TEST(test_random)
{
	/* _i: bit 0 UDP, bit 1 the sbappend-walk quirk */
	random_run(_i & 1, (_i & 2) ? 1u << QUIRK_SBAPPEND_WALK : 0,
	    0x9e3779b97f4a7c15ull + (uint64_t)_i * 7919);
}
END_TEST

static Suite *
sockbuf_suite(void)
{
	Suite *s = suite_create("sockbuf");
	TCase *tc;

	tc = tcase_create("space");
	tcase_add_test(tc, test_sbspace);
	tcase_add_test(tc, test_sbreserve);
	tcase_add_test(tc, test_sbreserve_openbsd);
	tcase_add_test(tc, test_sballoc_sbfree);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("compress");
	tcase_add_test(tc, test_coalesce_trailingspace);
	tcase_add_test(tc, test_coalesce_shared_cluster);
	tcase_add_test(tc, test_coalesce_lite2);
	tcase_add_test(tc, test_compress_drops_empty);
	tcase_add_test(tc, test_compress_eor);
	tcase_add_test(tc, test_appendstream_two_records);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("records");
	tcase_add_test(tc, test_appendrecord);
	tcase_add_test(tc, test_appendaddr);
	tcase_add_test(tc, test_appendaddr_full);
	tcase_add_test(tc, test_append_walk_cost);
	tcase_add_test(tc, test_appendcontrol);
	tcase_add_test(tc, test_append_null);
	tcase_add_test(tc, test_compress_eor_type_change);
	tcase_add_test(tc, test_appendaddr_no_data);
	tcase_add_test(tc, test_appendstream_nextpkt);
	tcase_add_test(tc, test_append_control_chains);
	tcase_add_test(tc, test_appendaddr_no_mbuf);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("drop");
	tcase_add_test(tc, test_sbdrop_stream);
	tcase_add_test(tc, test_sbdrop_records);
	tcase_add_test(tc, test_sbdroprecord);
	tcase_add_test(tc, test_sbsync);
	tcase_add_test(tc, test_sbflush_zero_length);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("random");
	tcase_add_loop_test(tc, test_random, 0, 4);
	tcase_set_timeout(tc, 600);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sockbuf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
