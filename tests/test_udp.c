/*
 * test_udp.c: UDP over the simulated wire (sim/kern/netinet/udp.c, wire.c).
 *
 * What the kernel code gives (NetBSD 1.6/2.0 udp_usrreq.c udp_input and
 * udp_output, OpenBSD udp_usrreq.c 1.320, FreeBSD 9.1 udp_usrreq.c):
 *   - a datagram is queued by sbappendaddr() as one record, an MT_SONAME
 *     mbuf with the sender's sockaddr_in, the control mbufs if any, then
 *     the data in a packet-header chain; the record needs sa_len (16) +
 *     data + control bytes of sbspace, or the datagram is dropped whole
 *     and counted (udpstat.udps_fullsock);
 *   - in_pcblookup finds the socket by its local address and port; a
 *     datagram to a port nobody has bound is dropped (the ICMP port
 *     unreachable it would cause is not modelled);
 *   - udp_ctlinput/in_pcbnotify give ECONNREFUSED only to a socket
 *     connected to the address that answered.
 * Datagrams "from outside" (`at ... datagram`) are built as the network
 * would hand them up: a packet header mbuf, clusters for the bulk, and an
 * MT_CONTROL mbuf made by the receiving host; with no mbuf to be had the
 * datagram is lost (M_DONTWAIT in the driver), and that is one failed
 * allocation.
 */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "errno_names.h"
#include "expect.h"
#include "kern.h"
#include "sched.h"
#include "world_hash.h"

#define US	1000LL
#define MS	1000000LL

static const char *const profs[] = {
	"netbsd-1.6", "netbsd-2.0", "freebsd-9.1", "openbsd-7.5", "openbsd-7.6",
};
#define NPROFS	((int)G_N_ELEMENTS(profs))

typedef struct {
	int sock;               /* -1: nobody (unbound port) */
	int64_t len;
	int64_t time;
	bool nombufs;           /* "no mbufs", not "does not fit" */
} Drop;

typedef struct {
	const char *prof;
	char *text;
	Scenario *s;
	World *w;
	Drop drops[64];
	int ndrops;
	int notified[8];        /* udp_notify per socket */
	int not_notified[8];    /* udp_ctlinput that found no connected socket */
	int segments;           /* datagrams put on the wire */
} Rec;

static Rec *R;

static void
sink(void *ctx, const World *w, const SimEvent *ev)
{
	Rec *r = ctx;

	(void)w;
	if (ev->kind == EVK_DROP && strcmp(ev->routine, "udp_input") == 0) {
		ck_assert_int_lt(r->ndrops, (int)G_N_ELEMENTS(r->drops));
		r->drops[r->ndrops++] = (Drop){ ev->sock, ev->v[0], ev->time,
			strstr(ev->detail, "no mbufs") != NULL };
	} else if (ev->kind == EVK_NOTE && strcmp(ev->routine, "udp_notify") == 0) {
		ck_assert_int_lt(ev->sock, 8);
		r->notified[ev->sock]++;
	} else if (ev->kind == EVK_NOTE && strcmp(ev->routine, "udp_ctlinput") == 0) {
		ck_assert_int_lt(ev->sock, 8);
		r->not_notified[ev->sock]++;
	} else if (ev->kind == EVK_SEGMENT && strcmp(ev->routine, "udp_output") == 0)
		r->segments++;
}

/* Run text on prof; with trace, the events are recorded (the sink is
 * set), without, the run is as `sosim run --quiet` makes it. */
static Rec *
run_opt(const char *prof, const char *text, bool trace)
{
	GError *err = NULL;
	const Profile *p = profile_find(prof);
	Rec *r = g_new0(Rec, 1);

	ck_assert_ptr_nonnull(p);
	r->prof = prof;
	r->text = g_strdup(text);
	r->s = scenario_parse_string("t.scn", text, &err);
	ck_assert_msg(r->s != NULL, "scenario does not parse:\n%s", err ? err->message : "?");
	r->w = world_new(r->s, p, (p->quirks | r->s->quirks_on) & ~r->s->quirks_off);
	if (trace) {
		r->w->run->sink.fn = sink;
		r->w->run->sink.ctx = r;
	}
	sched_run(r->w);
	R = r;
	return r;
}

static Rec *
run(const char *prof, const char *text)
{
	return run_opt(prof, text, true);
}

/* Every `=>` and `expect` held, no violation, no deadlock. */
static void
assert_clean(void)
{
	ExpectReport *rep = g_new0(ExpectReport, 1);

	ck_assert_msg(R->w->violation == V_NONE, "%s: violation: %s", R->prof, R->w->run->stop_msg);
	ck_assert_msg(!R->w->deadlocked, "%s: %s", R->prof, R->w->run->deadlock_msg);
	ck_assert_msg(R->w->nfails == 0, "%s: %s", R->prof, R->w->run->fail_msg[0]);
	if (expect_check(R->w, rep))
		for (int i = 0; i < rep->n; i++)
			ck_assert_msg(rep->items[i].ok, "%s: line %d: %s", R->prof, rep->items[i].pos.line,
			    rep->items[i].msg);
	g_free(rep);
}

static void
teardown(void)
{
	if (R == NULL)
		return;
	world_free(R->w);
	scenario_free(R->s);
	g_free(R->text);
	g_free(R);
	R = NULL;
}

/* The run made again the other way (without a trace if it had one, and
 * the reverse) ends in the same world: tracing changes nothing. */
static void
assert_same_other_way(void)
{
	Rec *first = R, *again;

	again = run_opt(first->prof, first->text, first->w->run->sink.fn == NULL);
	ck_assert_int_eq(again->w->stop, first->w->stop);
	ck_assert_int_eq(again->w->step, first->w->step);
	ck_assert_int_eq(again->w->now, first->w->now);
	ck_assert(world_hash(again->w) == world_hash(first->w));
	teardown();     /* frees again (R) */
	R = first;
}

static int
sock_of(const char *name)
{
	for (int i = 0; i < R->s->nsockets; i++)
		if (strcmp(R->s->sockets[i].name, name) == 0)
			return i;
	ck_abort_msg("no socket %s", name);
	return -1;
}

static const Socket *
so_of(const char *name)
{
	return &R->w->socks[sock_of(name)];
}

/* ================================================================== */
/* so_rcv full: the datagram is dropped whole                          */
/* ================================================================== */

/*
 * s has a 9000-byte so_rcv.  Three datagrams of 4000 bytes come over
 * the wire: each record needs 16 + 4000 bytes, two fit (8032), the third
 * finds 968 and is dropped whole (sbappendaddr fails; udps_fullsock).
 * Nothing of it reaches the reader, who gets the two others whole.  The
 * same on every profile: so_rcv's byte count is the limit here, not its
 * mbuf count (sb_mbmax is at least twice sb_hiwat).
 */
START_TEST(test_full_buffer_drops)
{
	const Socket *s;

	run(profs[_i],
	    "udp c\n"
	    "udp s rcvbuf=9000\n"
	    "thread t:\n"
	    "\tsendto c s 4000 => 4000\n"
	    "\tsendto c s 4000 => 4000\n"
	    "\tsendto c s 4000 => 4000\n"
	    "\tsleep 1ms\n"
	    "\trecv s 10000 => 4000 -\n"
	    "\trecv s 10000 => 4000 -\n"
	    "\trecv s 10000 DONTWAIT => EWOULDBLOCK\n"
	    "expect delivered s == 8000\n"
	    "expect s.dropped == 1\n"
	    "expect stat udp_fullsock == 1\n"
	    "expect violation none\n");
	assert_clean();
	s = so_of("s");
	ck_assert_int_eq(R->segments, 3);
	ck_assert_int_eq(R->ndrops, 1);
	ck_assert_int_eq(R->drops[0].sock, sock_of("s"));
	ck_assert_int_eq(R->drops[0].len, 4000);
	ck_assert(!R->drops[0].nombufs);
	/* the third arrived after the other two, one wire delay after it left */
	ck_assert_int_eq(R->drops[0].time, R->w->prof->wire_delay_ns);
	ck_assert_int_eq(s->rx_wire, 12000);
	ck_assert_int_eq(s->rx_full, 4000);
	ck_assert_int_eq(s->rx_total, 8000);
	ck_assert_int_eq(so_of("c")->tx_sent, 12000);
}
END_TEST

/*
 * The same from outside: a datagram injected into a full buffer is
 * dropped too, but it never crossed the simulated wire, so it counts in
 * neither rx_wire nor rx_full (the conservation check's accounts).
 */
START_TEST(test_full_buffer_inject)
{
	const Socket *s;

	run(profs[_i],
	    "udp s rcvbuf=9000\n"
	    "at 1ms datagram s from 10.1.2.3:4000 len 4000\n"
	    "at 1ms datagram s from 10.1.2.3:4000 len 4000\n"
	    "at 1ms datagram s from 10.1.2.3:4000 len 4000\n"
	    "thread t:\n"
	    "\tsleep 2ms\n"
	    "\trecv s 10000 => 4000\n"
	    "\trecv s 10000 => 4000\n"
	    "\trecv s 10000 DONTWAIT => EWOULDBLOCK\n"
	    "expect s.dropped == 1\n"
	    "expect violation none\n");
	assert_clean();
	s = so_of("s");
	ck_assert_int_eq(R->ndrops, 1);
	ck_assert_int_eq(R->drops[0].time, 1 * MS);
	ck_assert_int_eq(s->rx_wire, 0);
	ck_assert_int_eq(s->rx_full, 0);
	ck_assert_int_eq(s->rx_total, 8000);
	ck_assert_int_eq(R->w->stats.udp_fullsock, 1);
}
END_TEST

/* ================================================================== */
/* The record: SONAME, control, data                                   */
/* ================================================================== */

/* The mbufs of s's first record, from its MT_SONAME on; returns how many. */
static int
first_record(const Socket *s, const Mbuf **out, Ref *refs, int max)
{
	int n = 0;

	for (Ref m = s->rcv.mb; !ref_null(m) && n < max; m = world_mbuf(R->w, m)->next) {
		out[n] = world_mbuf(R->w, m);
		refs[n] = m;
		ck_assert_ptr_nonnull(out[n]);
		n++;
	}
	return n;
}

/*
 * A 5000-byte datagram with 16 bytes of control from 10.1.2.3:4000: the
 * record is the sender's sockaddr_in (16 bytes: len, AF_INET, port and
 * address in network order), the control mbuf, then the data: a packet
 * header mbuf with m_pkthdr.len 5000 and a cluster, and two more cluster
 * mbufs (2048 + 2048 + 904).  sb_cc counts all of it (16 + 16 + 5000);
 * sb_datacc only the data.  A control request longer than an mbuf is
 * cut to one mbuf (MLEN bytes).
 */
START_TEST(test_inject_record)
{
	const Mbuf *m[8];
	Ref refs[8];
	const Socket *s;
	const uint8_t *name;
	int n;
	int64_t clbytes = profile_find(profs[_i])->mclbytes;

	run(profs[_i],
	    "udp s\n"
	    "at 1ms datagram s from 10.1.2.3:4000 len 5000 control 16\n"
	    "at 1ms datagram s from 10.1.2.3:4000 len 10 control 4000\n"
	    "thread t:\n"
	    "\tsleep 2ms\n"
	    "expect violation none\n");
	assert_clean();
	s = so_of("s");
	ck_assert_int_eq(R->ndrops, 0);
	n = first_record(s, m, refs, 8);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(m[0]->type, MT_SONAME);
	ck_assert_int_eq(m[0]->len, 16);
	name = mtod(R->w, refs[0]);
	ck_assert_int_eq(name[0], 16);
	ck_assert_int_eq(name[1], 2);
	ck_assert_int_eq((name[2] << 8) | name[3], 4000);
	ck_assert_int_eq(name[4], 10);
	ck_assert_int_eq(name[5], 1);
	ck_assert_int_eq(name[6], 2);
	ck_assert_int_eq(name[7], 3);
	ck_assert_int_eq(m[1]->type, MT_CONTROL);
	ck_assert_int_eq(m[1]->len, 16);
	ck_assert_int_eq(m[2]->type, MT_DATA);
	ck_assert(m[2]->flags & M_PKTHDR);
	ck_assert_int_eq(m[2]->pkt_len, 5000);
	ck_assert_int_eq(m[2]->len, clbytes);
	ck_assert(m[3]->flags & M_EXT);
	ck_assert(!(m[3]->flags & M_PKTHDR));
	ck_assert_int_eq(m[3]->len, clbytes);
	ck_assert_int_eq(m[4]->len, 5000 - 2 * clbytes);
	for (int i = 2; i < 5; i++)
		ck_assert(m[i]->flags & M_EXT);
	/* the second record: its control cut to MLEN */
	{
		const Mbuf *rec2 = world_mbuf(R->w, m[0]->nextpkt);
		const Mbuf *ctl;

		ck_assert_ptr_nonnull(rec2);
		ctl = world_mbuf(R->w, rec2->next);
		ck_assert_int_eq(ctl->type, MT_CONTROL);
		ck_assert_int_eq(ctl->len, R->w->prof->mlen);
		ck_assert_int_eq(s->rcv.cc, 16 + 16 + 5000 + 16 + R->w->prof->mlen + 10);
	}
	ck_assert_int_eq(s->rcv.datacc, 5010);
}
END_TEST

/* ================================================================== */
/* Out of mbufs                                                        */
/* ================================================================== */

/*
 * The pool is limited to 5 mbufs.  A datagram of 5000 bytes with control
 * takes five: three for its data, one for the control and the record's
 * MT_SONAME.  While it is queued, the next one finds no mbuf for its
 * packet header and is lost.  Once it is read, a datagram of 2100 bytes
 * with control takes four (a cluster mbuf and a plain one for the 52
 * left); the next, with one mbuf free, has its data mbuf but not its
 * control mbuf, and is lost too.  Each loss is one failed allocation,
 * and nothing leaks.
 */
START_TEST(test_inject_no_mbufs)
{
	run(profs[_i],
	    "limit mbufs 5\n"
	    "udp s\n"
	    "at 1ms datagram s from 10.1.2.3:4000 len 5000 control 16\n"   /* 5 mbufs */
	    "at 2ms datagram s from 10.1.2.3:4000 len 100\n"              /* none left */
	    "at 4ms datagram s from 10.1.2.3:4000 len 2100 control 16\n"  /* 4 mbufs */
	    "at 5ms datagram s from 10.1.2.3:4000 len 100 control 16\n"   /* 1 left */
	    "thread t:\n"
	    "\tsleep 3ms\n"
	    "\trecv s 10000 => 5000\n"
	    "\tsleep 3ms\n"
	    "\trecv s 10000 => 2100\n"
	    "\trecv s 10000 DONTWAIT => EWOULDBLOCK\n"
	    "expect leaked mbufs == 0\n"
	    "expect stat mbuf_fails == 2\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(R->ndrops, 2);
	for (int i = 0; i < R->ndrops; i++) {
		ck_assert_int_eq(R->drops[i].sock, sock_of("s"));
		ck_assert(R->drops[i].nombufs);
		ck_assert_int_eq(R->drops[i].len, 100);
	}
	ck_assert_int_eq(R->drops[0].time, 2 * MS);
	ck_assert_int_eq(R->drops[1].time, 5 * MS);
	ck_assert_int_eq(so_of("s")->dgram_dropped, 0);
	ck_assert_int_eq(R->w->mlive, 0);
	assert_same_other_way();
}
END_TEST

/*
 * A pool with no mbuf left for a record's MT_SONAME: sbappendaddr fails
 * and udp_input counts the datagram as udps_fullsock, although so_rcv
 * had the room (NetBSD udp_input: "if (sbappendaddr(...) == 0) {
 * udpstat.udps_fullsock++; goto bad; }").
 */
START_TEST(test_no_mbuf_for_name)
{
	run(profs[_i],
	    "limit mbufs 1\n"
	    "udp s\n"
	    "at 1ms datagram s from 10.1.2.3:4000 len 100\n"
	    "thread t:\n"
	    "\tsleep 2ms\n"
	    "\trecv s 100 DONTWAIT => EWOULDBLOCK\n"
	    "expect s.dropped == 1\n"
	    "expect stat udp_fullsock == 1\n"
	    "expect stat mbuf_fails == 1\n"
	    "expect leaked mbufs == 0\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(R->ndrops, 1);
	ck_assert(!R->drops[0].nombufs);
}
END_TEST

/* ================================================================== */
/* in_pcblookup: by address and port                                   */
/* ================================================================== */

/*
 * x and y share an address and differ in the port; a TCP pair is
 * declared first (its pcbs are not UDP's).  A datagram to y reaches y and
 * not x; one to y after y was closed reaches nobody: dropped as to an
 * unbound port, counted in the simulator's udp_unbound (the conservation
 * check).  A connected socket sends without a destination; an unconnected
 * one cannot (EDESTADDRREQ, sosend).
 */
START_TEST(test_lookup)
{
	run(profs[_i],
	    "tcp a b\n"
	    "udp x 10.9.9.9:53\n"
	    "udp y 10.9.9.9:54\n"
	    "udp c connect=y\n"
	    "thread t:\n"
	    "\tsend c 10 => 10\n"
	    "\tsendto c x 20 => 20\n"
	    "\tsend x 5 => EDESTADDRREQ\n"
	    "\tsleep 1ms\n"
	    "\trecv y 100 => 10\n"
	    "\trecv x 100 => 20\n"
	    "\tclose y => 0\n"
	    "\tsend c 30 => 30\n"
	    "\tsleep 1ms\n"
	    "\trecv x 100 DONTWAIT => EWOULDBLOCK\n"
	    "expect delivered x == 20\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(R->ndrops, 1);
	ck_assert_int_eq(R->drops[0].sock, -1);
	ck_assert_int_eq(R->drops[0].len, 30);
	ck_assert_int_eq(R->w->udp_unbound, 30);
	ck_assert_int_eq(R->segments, 3);
}
END_TEST

/* ================================================================== */
/* ICMP port unreachable                                               */
/* ================================================================== */

/*
 * Only a connected socket hears of it (in_pcbnotify): c, connected to s,
 * gets ECONNREFUSED in so_error, once (the next receive returns it and
 * clears it); u, not connected, is not told; nor is d, connected but
 * closed by then (its pcb is gone).
 */
START_TEST(test_unreachable)
{
	run(profs[_i],
	    "udp s\n"
	    "udp u\n"
	    "udp c connect=s\n"
	    "udp d connect=s\n"
	    "at 1ms unreachable c\n"
	    "at 1ms unreachable u\n"
	    "at 1ms unreachable d\n"
	    "thread t:\n"
	    "\tclose d => 0\n"
	    "\tsleep 2ms\n"
	    "\trecv c 10 DONTWAIT => ECONNREFUSED\n"
	    "\trecv c 10 DONTWAIT => EWOULDBLOCK\n"
	    "\trecv u 10 DONTWAIT => EWOULDBLOCK\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(R->notified[sock_of("c")], 1);
	ck_assert_int_eq(R->notified[sock_of("u")], 0);
	ck_assert_int_eq(R->notified[sock_of("d")], 0);
	ck_assert_int_eq(R->not_notified[sock_of("u")], 1);
	ck_assert_int_eq(R->not_notified[sock_of("d")], 1);
	ck_assert_int_eq(so_of("c")->error, 0);
}
END_TEST

/*
 * A receiver blocked in recv is woken by the error (udp_notify's
 * sorwakeup), and so is a sender's poll for writing (sowwakeup).  The
 * run is made without a trace: the outcome is the same.
 */
START_TEST(test_unreachable_wakes)
{
	run_opt(profs[_i],
	    "udp s\n"
	    "udp c connect=s\n"
	    "at 1ms unreachable c\n"
	    "thread r:\n"
	    "\trecv c 10 => ECONNREFUSED\n"
	    "expect violation none\n", false);
	assert_clean();
	ck_assert_int_eq(R->w->now, 1 * MS);
	ck_assert_int_eq(so_of("c")->error, 0);
}
END_TEST

/* ================================================================== */
/* The wire                                                            */
/* ================================================================== */

/*
 * The run stops (limit time 5us) with a datagram, a TCP segment and a
 * FIN still on the wire (its delay is 10us): the mbufs of the first two
 * are held by the wire, not leaked; the FIN carries none.
 */
START_TEST(test_in_flight_at_end)
{
	run_opt(profs[_i],
	    "limit time 5us\n"
	    "udp c\n"
	    "udp s\n"
	    "tcp a b\n"
	    "thread t:\n"
	    "\tsendto c s 100 => 100\n"
	    "\tsend a 100 => 100\n"
	    "\tshutdown b wr => 0\n"
	    "\tsleep 1ms\n", false);
	ck_assert_int_eq(R->w->stop, STOP_LIMIT);
	ck_assert_int_eq(R->w->slive, 3);
	ck_assert_int_gt(R->w->mlive, 0);
	ck_assert_int_eq(kern_leaked(R->w, false), 0);
	assert_same_other_way();
}
END_TEST

static Suite *
udp_suite(void)
{
	Suite *s = suite_create("udp");
	TCase *tc;

	tc = tcase_create("udp");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_full_buffer_drops, 0, NPROFS);
	tcase_add_loop_test(tc, test_full_buffer_inject, 0, NPROFS);
	tcase_add_loop_test(tc, test_inject_record, 0, NPROFS);
	tcase_add_loop_test(tc, test_inject_no_mbufs, 0, NPROFS);
	tcase_add_loop_test(tc, test_no_mbuf_for_name, 0, NPROFS);
	tcase_add_loop_test(tc, test_lookup, 0, NPROFS);
	tcase_add_loop_test(tc, test_unreachable, 0, NPROFS);
	tcase_add_loop_test(tc, test_unreachable_wakes, 0, NPROFS);
	suite_add_tcase(s, tc);

	tc = tcase_create("wire");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_in_flight_at_end, 0, NPROFS);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(udp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
