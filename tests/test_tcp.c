/*
 * test_tcp.c: the delayed ACK (sim/kern/netinet/tcp.c), per profile, and
 * how tcp_output builds a segment's mbufs.
 *
 * In-order data in ESTABLISHED waits for its ACK (TCP_SETUP_ACK, DELAY_ACK)
 * for the profile's delay: 200 ms on NetBSD and OpenBSD, 100 ms on FreeBSD;
 * a second segment is ACKed at once, and so are a FIN and a window probe.
 * OpenBSD ACKs at once what came over loopback (the default wire: both
 * ends are in one kernel) and delays on a network (`loopback=0`); FreeBSD
 * does not delay while the last
 * window it advertised was zero (TF_RXWIN0SENT).  Any segment that goes
 * out carries the ACK and cancels the timer.
 */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "expect.h"

#define US	1000LL
#define MS	1000000LL
#define SEC	1000000000LL
#define WIRE	(10 * US)

typedef struct {
	int from;               /* socket index */
	int64_t time, seq, len, win;
} Seg;

typedef struct {
	Scenario *s;
	World *w;
	Seg segs[256];
	int nsegs;
	int arms, disarms, fires;  /* of the delayed-ACK timer */
	int64_t arm_time[16];
} Rec;

static Rec *R;

static void
sink(void *ctx, const World *w, const SimEvent *ev)
{
	Rec *r = ctx;

	(void)w;
	switch (ev->kind) {
	case EVK_SEGMENT:
		if (r->nsegs < (int)G_N_ELEMENTS(r->segs))
			r->segs[r->nsegs++] = (Seg){ ev->sock, ev->time, ev->v[0], ev->v[1], ev->v[2] };
		break;
	case EVK_ARM:
		if (strcmp(ev->routine, "TCP_SET_DELACK") == 0) {
			if (r->arms < (int)G_N_ELEMENTS(r->arm_time))
				r->arm_time[r->arms] = ev->time;
			r->arms++;
		}
		break;
	case EVK_DISARM:
		if (strstr(ev->detail, "delayed-ACK") != NULL)
			r->disarms++;
		break;
	case EVK_TIMER:
		if (strcmp(ev->routine, "tcp_delack") == 0)
			r->fires++;
		break;
	default:
		break;
	}
}

static Rec *
run(const char *profile, const char *text)
{
	GError *err = NULL;
	const Profile *p = profile_find(profile);
	Rec *r = g_new0(Rec, 1);
	ExpectReport *rep = g_new0(ExpectReport, 1);

	ck_assert_ptr_nonnull(p);
	r->s = scenario_parse_string("t.scn", text, &err);
	ck_assert_msg(r->s != NULL, "scenario does not parse:\n%s", err ? err->message : "?");
	r->w = world_new(r->s, p, p->quirks);
	r->w->run->sink.fn = sink;
	r->w->run->sink.ctx = r;
	sched_run(r->w);
	ck_assert_msg(r->w->violation == V_NONE, "violation: %s", r->w->run->stop_msg);
	ck_assert_msg(!r->w->deadlocked, "%s", r->w->run->deadlock_msg);
	ck_assert_msg(r->w->nfails == 0, "%s", r->w->run->fail_msg[0]);
	if (expect_check(r->w, rep))
		for (int i = 0; i < rep->n; i++)
			ck_assert_msg(rep->items[i].ok, "line %d: %s", rep->items[i].pos.line,
			    rep->items[i].msg);
	g_free(rep);
	R = r;
	return r;
}

static void
teardown(void)
{
	if (R != NULL) {
		world_free(R->w);
		scenario_free(R->s);
		g_free(R);
	}
	R = NULL;
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

/* The n-th pure ACK (no data) that `name` sent. */
static const Seg *
ack_of(const char *name, int n)
{
	int so = sock_of(name);

	for (int i = 0; i < R->nsegs; i++)
		if (R->segs[i].from == so && R->segs[i].len == 0 && n-- == 0)
			return &R->segs[i];
	ck_abort_msg("%s sent fewer pure ACKs", name);
	return NULL;
}

static int
acks_of(const char *name)
{
	int so = sock_of(name), n = 0;

	for (int i = 0; i < R->nsegs; i++)
		n += R->segs[i].from == so && R->segs[i].len == 0;
	return n;
}

static const char *const profs[] = {
	"netbsd-1.6", "netbsd-2.0", "freebsd-9.1", "openbsd-7.5", "openbsd-7.6",
};

/* One short segment: its ACK leaves after the profile's delay. */
START_TEST(test_delay_per_profile)
{
	int64_t want = strcmp(profs[_i], "freebsd-9.1") == 0 ? 100 * MS : 200 * MS;

	run(profs[_i], "tcp a b loopback=0\nthread w:\n\tsend a 100 => 100\n");
	ck_assert_int_eq(R->arms, 1);
	ck_assert_int_eq(R->fires, 1);
	ck_assert_int_eq(acks_of("b"), 1);
	ck_assert_int_eq(ack_of("b", 0)->time, WIRE + want);
	ck_assert_int_eq(R->w->stats.delack_timeouts, 1);
	ck_assert_int_eq(profile_find(profs[_i])->delack_ns, want);
	teardown();
}
END_TEST

/* Two full segments: the second finds the timer armed and both are ACKed
 * at once (an ACK for every second segment); the timer is cancelled. */
START_TEST(test_every_second_segment)
{
	run(profs[_i], "tcp a b loopback=0\nthread w:\n\tsend a 2920 => 2920\n");
	ck_assert_int_eq(acks_of("b"), 1);
	ck_assert_int_eq(ack_of("b", 0)->time, WIRE);
	ck_assert_int_eq(R->arms, 1);
	ck_assert_int_eq(R->disarms, 1);
	ck_assert_int_eq(R->fires, 0);
	ck_assert_int_eq(R->w->socks[sock_of("b")].tp.delack, 0);
	teardown();
}
END_TEST

/* Three: the first two are ACKed together, the third waits. */
START_TEST(test_third_segment_waits)
{
	run("netbsd-2.0", "tcp a b\nthread w:\n\tsend a 4380 => 4380\n");
	ck_assert_int_eq(acks_of("b"), 2);
	ck_assert_int_eq(ack_of("b", 0)->time, WIRE);
	ck_assert_int_eq(ack_of("b", 1)->time, WIRE + 200 * MS);
	ck_assert_int_eq(R->arms, 2);
	ck_assert_int_eq(R->fires, 1);
	teardown();
}
END_TEST

/* A FIN is ACKed at once, and takes the data's pending ACK with it. */
START_TEST(test_fin_acked_at_once)
{
	run("netbsd-2.0", "tcp a b\nthread w:\n\tsend a 100 => 100\n\tshutdown a wr => 0\n");
	ck_assert_int_eq(R->fires, 0);
	ck_assert_int_eq(R->w->stats.delack_timeouts, 0);
	ck_assert_int_eq(ack_of("b", 0)->time, WIRE);
	teardown();
}
END_TEST

/* The answer carries the ACK: no pure ACK, the timer is cancelled. */
START_TEST(test_piggyback)
{
	run("netbsd-2.0", "tcp a b\n"
	    "thread w:\n\tsend a 100 => 100\n\trecv a 10 => 10\n"
	    "thread r:\n\trecv b 100 => 100\n\tsend b 10 => 10\n");
	ck_assert_int_eq(acks_of("b"), 0);
	ck_assert_int_eq(R->disarms, 1);
	/* a's ACK of the answer is delayed in turn */
	ck_assert_int_eq(acks_of("a"), 1);
	ck_assert_int_eq(R->fires, 1);
	teardown();
}
END_TEST

/* The wire is lo0 unless a declaration says loopback=0: OpenBSD ACKs at
 * once over loopback; NetBSD and FreeBSD delay on either. */
START_TEST(test_loopback)
{
	bool obsd = strncmp(profs[_i], "openbsd", 7) == 0;
	int64_t delay = profile_find(profs[_i])->delack_ns;

	run(profs[_i], "tcp a b\nthread w:\n\tsend a 100 => 100\n");
	ck_assert_int_eq(R->arms, obsd ? 0 : 1);
	ck_assert_int_eq(ack_of("b", 0)->time, obsd ? WIRE : WIRE + delay);
	ck_assert(R->w->socks[sock_of("a")].tp.loopback && R->w->socks[sock_of("b")].tp.loopback);
	teardown();

	run(profs[_i], "tcp a b loopback=0\nthread w:\n\tsend a 100 => 100\n");
	ck_assert_int_eq(R->arms, 1);
	ck_assert_int_eq(ack_of("b", 0)->time, WIRE + delay);
	teardown();

	/* on one end, it holds for the wire */
	run(profs[_i], "tcp a b a.loopback=0\nthread w:\n\tsend a 100 => 100\n");
	ck_assert_int_eq(R->arms, 1);
	ck_assert(!R->w->socks[sock_of("b")].tp.loopback);
	teardown();
}
END_TEST

/*
 * FreeBSD's DELAY_ACK: no delay while the last window b advertised was
 * zero.  b's 8760-byte buffer fills and its ACK says window 0; the reader
 * takes 2000 bytes, too few for a window update, so a learns of the room
 * only from its persist probe (5 s after the zero window reached it).
 * The probe's byte is in order and in the window: OpenBSD delays its
 * ACK, FreeBSD sends it at once.
 */
START_TEST(test_rxwin0)
{
	bool fbsd = strcmp(profs[_i], "freebsd-9.1") == 0;
	const Seg *probe_ack = NULL;
	int b;

	/* NetBSD's sb_mbmax (2 * hiwat) leaves no room after the partial
	 * read: the probe is dropped and ACKed at once on either rule */
	if (strncmp(profs[_i], "netbsd", 6) == 0)
		return;
	run(profs[_i], "tcp a b b.rcvbuf=8760 loopback=0\n"
	    "thread w:\n\tsend a 10000 => 10000\n"
	    "thread r:\n\tsleep 1ms\n\trecv b 2000 => 2000\n");
	b = sock_of("b");
	ck_assert_int_eq(ack_of("b", 2)->time, WIRE);
	ck_assert_int_eq(ack_of("b", 2)->win, 0);
	for (int i = 0; i < R->nsegs; i++)
		if (R->segs[i].from == b && R->segs[i].time > 5 * SEC) {
			probe_ack = &R->segs[i];
			break;
		}
	ck_assert_ptr_nonnull(probe_ack);
	ck_assert_int_eq(probe_ack->time, 5 * SEC + 3 * WIRE + (fbsd ? 0 : 200 * MS));
	ck_assert_int_gt(probe_ack->win, 0);
	teardown();
}
END_TEST

/* Closing the connection cancels a pending delayed ACK. */
START_TEST(test_close_cancels)
{
	run("netbsd-2.0", "tcp a b linger=0s\n"
	    "thread w:\n\tsend a 100 => 100\n\tsleep 1ms\n\tclose b => 0\n");
	ck_assert_int_eq(R->arms, 1);
	ck_assert_int_eq(R->disarms, 1);
	ck_assert_int_eq(R->fires, 0);
	teardown();
}
END_TEST

/*
 * tcp_output: a segment short enough to fit behind the headers in its
 * header mbuf (MHLEN - hdrlen - max_linkhdr) is copied there, with a
 * packet header; a longer one shares so_snd's clusters (m_copym).  3000
 * bytes go as 1460 + 1460 + 80: the 80 arrive in a header mbuf of their
 * own, the others in cluster mbufs.
 */
START_TEST(test_short_segment_in_header_mbuf)
{
	const Socket *b;
	int own = 0, shared = 0;

	run("openbsd-7.6", "tcp a b\nthread w:\n\tsend a 3000 => 3000\n");
	b = &R->w->socks[sock_of("b")];
	ck_assert_int_eq(b->rcv.cc, 3000);
	for (Ref m = b->rcv.mb; !ref_null(m); m = world_mbuf(R->w, m)->next) {
		const Mbuf *x = world_mbuf(R->w, m);

		if (!(x->flags & M_EXT)) {
			ck_assert_int_eq(x->len, 80);
			ck_assert(x->flags & M_PKTHDR);
			own++;
		} else
			shared++;
	}
	ck_assert_int_eq(own, 1);
	ck_assert_int_ge(shared, 2);
	teardown();
}
END_TEST

static Suite *
tcp_suite(void)
{
	Suite *s = suite_create("tcp");
	TCase *tc = tcase_create("delack");

	tcase_add_loop_test(tc, test_delay_per_profile, 0, G_N_ELEMENTS(profs));
	tcase_add_loop_test(tc, test_every_second_segment, 0, G_N_ELEMENTS(profs));
	tcase_add_test(tc, test_third_segment_waits);
	tcase_add_test(tc, test_fin_acked_at_once);
	tcase_add_test(tc, test_piggyback);
	tcase_add_loop_test(tc, test_loopback, 0, G_N_ELEMENTS(profs));
	tcase_add_loop_test(tc, test_rxwin0, 0, G_N_ELEMENTS(profs));
	tcase_add_test(tc, test_close_cancels);
	suite_add_tcase(s, tc);
	tc = tcase_create("output");
	tcase_add_test(tc, test_short_segment_in_header_mbuf);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tcp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
