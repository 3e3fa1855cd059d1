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
	bool fin, urg;
} Seg;

typedef struct {
	Scenario *s;
	World *w;
	Seg segs[256];
	int nsegs;
	int arms, disarms, fires;  /* of the delayed-ACK timer */
	int64_t arm_time[16];
	int parms;              /* persist timer: armed, when, for when */
	int64_t parm_time[64], parm_due[64];
	int pclose;             /* persist timers cancelled by tcp_close */
	int rsts;               /* RSTs that arrived (tcp_input) */
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
			r->segs[r->nsegs++] = (Seg){ ev->sock, ev->time, ev->v[0], ev->v[1], ev->v[2],
				strstr(ev->detail, " FIN") != NULL, strstr(ev->detail, " URG") != NULL };
		break;
	case EVK_DELIVER:
		if (strcmp(ev->routine, "tcp_input") == 0 && strncmp(ev->detail, "RST", 3) == 0)
			r->rsts++;
		break;
	case EVK_ARM:
		if (strcmp(ev->routine, "tcp_setpersist") == 0) {
			if (r->parms < (int)G_N_ELEMENTS(r->parm_time)) {
				r->parm_time[r->parms] = ev->time;
				r->parm_due[r->parms] = ev->v[0];
			}
			r->parms++;
		}
		if (strcmp(ev->routine, "TCP_SET_DELACK") == 0) {
			if (r->arms < (int)G_N_ELEMENTS(r->arm_time))
				r->arm_time[r->arms] = ev->time;
			r->arms++;
		}
		break;
	case EVK_DISARM:
		if (strstr(ev->detail, "delayed-ACK") != NULL)
			r->disarms++;
		if (strcmp(ev->routine, "tcp_close") == 0 && strstr(ev->detail, "persist") != NULL)
			r->pclose++;
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

/* ================================================================== */
/* The persist timer                                                   */
/* ================================================================== */

/*
 * tcp_setpersist (4.4BSD, NetBSD, OpenBSD tcp_output.c): the interval is
 * the retransmit base times tcp_backoff[t_rxtshift], within
 * [TCPTV_PERSMIN, TCPTV_PERSMAX] = [5 s, 60 s], and t_rxtshift grows up
 * to TCP_MAXRXTSHIFT (12), where it stays.  sosim takes 4 x the one-way
 * delay as the base: with delay=1s, 4 s.  b's 4096-byte buffer fills and
 * nobody reads it for 900 s: from the zero window on, the timer is armed
 * for 5 s (4 s, raised to the minimum), 8, 16, 32, then 60 s (64 s, cut
 * to the maximum) each time, past the end of the backoff table.  Each
 * expiry sends one probe.
 */
START_TEST(test_persist_backoff)
{
	static const int64_t want[] = { 5, 8, 16, 32, 60 };
	int a, first = -1, last = 0, n = 0;

	run("netbsd-2.0", "tcp a b b.rcvbuf=4096 delay=1s\n"
	    "thread w:\n\tsend a 10000 => 10000\n"
	    "thread r:\n\tsleep 900s\n\trecv b 10000 WAITALL => 10000\n"
	    "expect violation none\n");
	a = sock_of("a");
	ck_assert_int_le(R->parms, (int)G_N_ELEMENTS(R->parm_time));
	/* the arms while the window stays shut (the reader comes at 900 s) */
	while (last < R->parms && R->parm_time[last] < 900 * SEC)
		last++;
	for (int i = 0; i + 1 < last; i++)
		if (R->parm_due[i] - R->parm_time[i] == 5 * SEC &&
		    R->parm_due[i + 1] - R->parm_time[i + 1] == 8 * SEC)
			first = i;      /* the last restart of the backoff */
	ck_assert_int_ge(first, 0);
	for (int i = first; i < last; i++, n++) {
		int64_t iv = R->parm_due[i] - R->parm_time[i];

		ck_assert_int_eq(iv, want[n < 4 ? n : 4] * SEC);
		/* armed when the previous one fired (or at the zero window) */
		if (i > first)
			ck_assert_int_eq(R->parm_time[i], R->parm_due[i - 1]);
	}
	/* more expiries than the table has entries: the shift stayed at 12 */
	ck_assert_int_gt(n, 13);
	ck_assert_int_le(R->w->stats.persist_probes, R->w->stats.persist_timeouts);
	ck_assert_int_ge(R->w->stats.persist_probes, 13);
	/* the window opened: the backoff starts again */
	ck_assert_int_eq(R->w->socks[a].tp.t_rxtshift, 0);
	ck_assert_int_eq(R->w->socks[a].tp.persist, 0);
	teardown();
}
END_TEST

/*
 * A persist timer pending when the connection ends is cancelled with it
 * (tcp_close, tcp_canceltimers): a's by a RST from its peer, c's by an
 * abortive close (SO_LINGER 0: tcp_drop).  Neither fires later.  The
 * writer blocked on a's full so_snd wakes with EPIPE (the RST's
 * ECONNRESET went to so_error, and sosend checks SS_CANTSENDMORE first).
 */
START_TEST(test_persist_cancelled_by_close)
{
	run("netbsd-2.0", "tcp a b b.rcvbuf=4096 a.sndbuf=4096\n"
	    "tcp c d d.rcvbuf=4096 c.linger=0s\n"
	    "thread w:\n\tsend a 10000 => EPIPE\n"
	    "thread x:\n\tsend c 5000 => 5000\n"
	    "thread y:\n\tsleep 1s\n\tclose c => 0\n"
	    "at 1s rst a\n"
	    "expect stat persist_timeouts == 0\n"
	    "expect violation none\n");
	ck_assert_int_eq(R->parms, 2);
	ck_assert_int_eq(R->pclose, 2);
	ck_assert_int_eq(R->w->socks[sock_of("a")].tp.t_state, TCPS_CLOSED);
	ck_assert_int_eq(R->w->socks[sock_of("c")].tp.t_state, TCPS_CLOSED);
	/* d got c's RST */
	ck_assert_int_eq(R->w->socks[sock_of("d")].tp.t_state, TCPS_CLOSED);
	ck_assert_int_eq(R->rsts, 2);
	teardown();
}
END_TEST

/*
 * Shutdown with one byte behind a zero window: the probe carries the byte
 * and the FIN ("flags & TH_FIN" while the data reaches the end of
 * so_snd).  b's full buffer drops both (the probe is beyond its window)
 * and ACKs 4096 with window 0: a backs snd_nxt up to snd_una, and the
 * next probe sends byte and FIN again (TF_SENTFIN and snd_nxt ==
 * snd_una: "we're retransmitting the FIN").  When the reader makes room
 * they are taken: 4097 bytes, then end of file.  OpenBSD: b's window is
 * exactly its 4096 bytes.
 */
START_TEST(test_fin_rides_the_probe)
{
	int a, b, probes = 0;

	run("openbsd-7.6", "tcp a b b.rcvbuf=4096\n"
	    "thread w:\n\tsend a 4097 => 4097\n\tsleep 1ms\n\tshutdown a wr => 0\n"
	    "thread r:\n\tsleep 12s\n\trecv b 10000 WAITALL => 4097\n\trecv b 1 => 0\n"
	    "expect violation none\n");
	a = sock_of("a");
	b = sock_of("b");
	for (int i = 0; i < R->nsegs; i++)
		if (R->segs[i].from == a && R->segs[i].seq == 4096) {
			ck_assert_int_eq(R->segs[i].len, 1);
			ck_assert(R->segs[i].fin);
			probes++;
		}
	ck_assert_int_ge(probes, 2);
	ck_assert_int_eq(R->w->socks[b].tp.t_state, TCPS_CLOSE_WAIT);
	ck_assert_int_eq(R->w->socks[a].tp.t_state, TCPS_FIN_WAIT_2);
	ck_assert_int_eq(R->w->socks[a].tp.snd_una, 4098);
	teardown();
}
END_TEST

/* ================================================================== */
/* Closing and resetting                                               */
/* ================================================================== */

/*
 * Both ends shut down at once: each is in FIN_WAIT_1 when the other's FIN
 * arrives (CLOSING), and the ACK of its own FIN then takes it to
 * TIME_WAIT (tcp_input).  A RST in TIME_WAIT closes quietly: no error.
 * A second shutdown, and a close after it, send no second FIN
 * (tcp_usrclosed leaves the later states alone).
 */
START_TEST(test_simultaneous_close)
{
	int fins = 0;

	run("netbsd-2.0", "tcp a b\n"
	    "thread w:\n\tshutdown a wr => 0\n\tshutdown a wr => 0\n"
	    "thread x:\n\tshutdown b wr => 0\n"
	    "thread y:\n\tsleep 1ms\n\trecv a 10 => 0\n\trecv b 10 => 0\n\tclose a => 0\n"
	    "at 2ms rst b\n"
	    "expect violation none\n");
	for (int i = 0; i < R->nsegs; i++)
		fins += R->segs[i].fin;
	ck_assert_int_eq(fins, 2);
	ck_assert_int_eq(R->w->socks[sock_of("a")].tp.t_state, TCPS_TIME_WAIT);
	ck_assert_int_eq(R->w->socks[sock_of("b")].tp.t_state, TCPS_CLOSED);
	ck_assert_int_eq(R->w->socks[sock_of("b")].error, 0);
	teardown();
}
END_TEST

/*
 * A RST in ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 or CLOSE_WAIT is
 * ECONNRESET (tcp_input: "so->so_error = ECONNRESET; close"); a second
 * RST finds the connection closed and changes nothing.  With delay=1ms,
 * a is still in FIN_WAIT_1 at 1 ms; c is in FIN_WAIT_2 and d in
 * CLOSE_WAIT by 5 ms.  b's ACK of a's FIN then reaches a closed
 * connection, which answers with a RST (dropwithreset): b is reset too.
 */
START_TEST(test_rst_states)
{
	run("netbsd-2.0", "tcp a b delay=1ms\n"
	    "tcp c d\n"
	    "thread w:\n\tshutdown a wr => 0\n\tshutdown c wr => 0\n"
	    "\tsleep 10ms\n"
	    "\trecv a 1 => ECONNRESET\n\trecv c 1 => ECONNRESET\n\trecv d 1 => ECONNRESET\n"
	    "\trecv d 1 => 0\n"
	    "at 1ms rst a\n"
	    "at 5ms rst c\n"
	    "at 5ms rst d\n"
	    "at 6ms rst d\n"
	    "expect b.error == ECONNRESET\n"
	    "expect violation none\n");
	ck_assert_int_eq(R->rsts, 5);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(R->w->socks[i].tp.t_state, TCPS_CLOSED);
	teardown();
}
END_TEST

/* ================================================================== */
/* Sending                                                             */
/* ================================================================== */

/*
 * PRU_SENDOOB refuses data once so_snd is more than 512 bytes over its
 * limit (tcp_usrreq: "if (sbspace(&so->so_snd) < -512) { m_freem(m);
 * error = ENOBUFS; }"), though sosend lets urgent data 1024 bytes past
 * it.  After 7016 bytes b's buffer is full (4096) and a's so_snd too:
 * b has ACKed 2920, and its ACK of the next 1176 waits (delayed), so a
 * holds those and the 2920 b has no room for.  600 urgent bytes go in
 * (sbspace -600), the next 100 are refused.  b reads all but the urgent
 * byte (the last of the 600), which was pulled out of the stream.
 */
START_TEST(test_oob_enobufs)
{
	run("netbsd-2.0", "tcp a b a.sndbuf=4096 b.rcvbuf=4096\n"
	    "thread w:\n\tsend a 7016 => 7016\n\tsleep 1ms\n"
	    "\tsend a 600 OOB => 600\n\tsend a 100 OOB => ENOBUFS\n"
	    "thread r:\n\tsleep 10ms\n\trecv b 10000 WAITALL => 7615\n\trecv b 1 OOB => 1 OOB\n"
	    "expect delivered b == 7616\n"
	    "expect violation none\n");
	ck_assert_int_eq(R->w->socks[sock_of("a")].snd.cc, 0);
	teardown();
}
END_TEST

/*
 * The urgent byte in the second mbuf of its segment: sosend hands 2100
 * urgent bytes to TCP as a 2048-byte cluster and 52 bytes (each
 * PRU_SENDOOB moves the urgent pointer to the end of so_snd); the
 * segment of bytes 1460-2099 is a chain of 588 + 52 bytes, and
 * tcp_pulloutofband walks it to byte 2099.  The reader gets the 2099
 * others, the mark, then the byte.
 */
START_TEST(test_urgent_byte_in_later_mbuf)
{
	int a;

	run("netbsd-2.0", "tcp a b\n"
	    "thread w:\n\tsend a 2100 OOB => 2100\n"
	    "thread r:\n\tsleep 1ms\n\trecv b 3000 => 2099\n\tsockatmark b => 1\n"
	    "\trecv b 1 OOB => 1 OOB\n"
	    "expect violation none\n");
	a = sock_of("a");
	ck_assert_int_eq(R->nsegs, 3);
	ck_assert(R->segs[0].from == a && R->segs[0].len == 1460 && R->segs[0].urg);
	ck_assert(R->segs[1].from == a && R->segs[1].len == 640 && R->segs[1].urg);
	teardown();
}
END_TEST

/*
 * No mbuf for a segment's copy (M_DONTWAIT in tcp_output): nothing is
 * sent, and sosim arms the persist timer to try again (tcp.c: "out of
 * mbufs: the timer retries later").  The pool has 3
 * mbufs and a queued datagram holds 2 of them when a sends 10 bytes: the
 * send takes the third, the segment's header mbuf cannot be had.  At
 * 3 ms the datagram is read; at 5 s the timer fires and the segment
 * leaves.
 */
START_TEST(test_no_mbuf_for_segment)
{
	int a;

	run("netbsd-2.0", "limit mbufs 3\nudp u\ntcp a b\n"
	    "at 1ms datagram u from 10.1.2.3:4000 len 100\n"
	    "thread w:\n\tsleep 2ms\n\tsend a 10 => 10\n"
	    "thread r:\n\tsleep 3ms\n\trecv u 100 => 100\n\trecv b 10 => 10\n"
	    "expect violation none\n");
	a = sock_of("a");
	for (int i = 0; i < R->nsegs; i++)
		if (R->segs[i].from == a) {
			ck_assert_int_eq(R->segs[i].len, 10);
			ck_assert_int_eq(R->segs[i].time, 2 * MS + 5 * SEC);
			break;
		}
	ck_assert_int_ge(R->w->stats.mbuf_fails, 1);
	/* armed at the failure, re-armed when it fired, then cancelled: the
	 * window was open */
	ck_assert_int_eq(R->w->stats.persist_timeouts, 1);
	ck_assert_int_eq(R->parms, 2);
	ck_assert_int_eq(R->parm_time[0], 2 * MS);
	ck_assert_int_eq(R->w->socks[a].tp.persist, 0);
	teardown();
}
END_TEST

/*
 * After shutdown(SHUT_RD), OpenBSD's and FreeBSD's tcp_input acknowledge
 * arriving data and free it ("if (so->so_rcv.sb_state & SS_CANTRCVMORE)
 * m_freem(m)"); NetBSD's appends it to so_rcv.  The 900 bytes sent
 * after b's shutdown are ACKed on every profile (a's so_snd empties);
 * only NetBSD keeps them for b.
 */
START_TEST(test_data_after_shutrd)
{
	bool drops = profile_find(profs[_i])->tcp_drop_after_shutrd;
	const Socket *b;

	run(profs[_i], "tcp a b\n"
	    "thread w:\n\tsend a 100 => 100\n\tsleep 1ms\n\tsend a 900 => 900\n"
	    "thread r:\n\tsleep 500us\n\tshutdown b rd => 0\n\tsleep 300ms\n"
	    "expect violation none\n");
	b = &R->w->socks[sock_of("b")];
	ck_assert_int_eq(b->rcv.cc, drops ? 0 : 900);
	ck_assert_int_eq(b->rx_dropped, drops ? 1000 : 100);
	ck_assert_int_eq(R->w->socks[sock_of("a")].snd.cc, 0);
	ck_assert_int_eq(R->w->socks[sock_of("a")].tp.snd_una, 1000);
	teardown();
}
END_TEST

/* ================================================================== */
/* The receive window                                                  */
/* ================================================================== */

/*
 * RFC 1323: the window field is 16 bits, scaled by at most 2^14
 * (TCP_MAX_WINSHIFT): a receive buffer of 2 GiB is advertised as
 * 65535 << 14, never more.
 */
START_TEST(test_window_scale_limit)
{
	const Seg *ack;

	run("openbsd-7.6", "sysctl kern.sbmax=4G\ntcp a b rcvbuf=2G\n"
	    "thread w:\n\tsend a 100 => 100\n"
	    "thread r:\n\trecv b 100 => 100\n"
	    "expect violation none\n");
	ck_assert_int_eq(R->w->socks[sock_of("b")].rcv.hiwat, 2LL << 30);
	ack = ack_of("b", 0);
	ck_assert_int_eq(ack->win, 65535LL << 14);
	teardown();
}
END_TEST

/*
 * A receive buffer grown by setsockopt(SO_RCVBUF) opens a bigger window:
 * the next segment b sends advertises it, and a's largest window seen
 * (max_sndwnd, its test for a segment worth sending) grows with it.
 */
START_TEST(test_window_grows)
{
	int64_t maxwin = 0;
	int b;

	run("netbsd-2.0", "tcp a b b.rcvbuf=2048\n"
	    "thread w:\n\tsend a 100000 => 100000\n"
	    "thread r:\n\tsleep 1ms\n\tsetsockopt b rcvbuf=64K\n\trecv b 100000 WAITALL => 100000\n"
	    "expect violation none\n");
	b = sock_of("b");
	for (int i = 0; i < R->nsegs; i++)
		if (R->segs[i].from == b) {
			if (R->segs[i].time < 1 * MS)
				ck_assert_int_le(R->segs[i].win, 2048);
			if (R->segs[i].win > maxwin)
				maxwin = R->segs[i].win;
		}
	ck_assert_int_gt(maxwin, 32768);
	ck_assert_int_eq(R->w->socks[sock_of("a")].tp.max_sndwnd, maxwin);
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
	tcase_add_test(tc, test_oob_enobufs);
	tcase_add_test(tc, test_urgent_byte_in_later_mbuf);
	tcase_add_test(tc, test_no_mbuf_for_segment);
	tcase_add_test(tc, test_window_scale_limit);
	tcase_add_test(tc, test_window_grows);
	tcase_add_loop_test(tc, test_data_after_shutrd, 0, G_N_ELEMENTS(profs));
	suite_add_tcase(s, tc);
	tc = tcase_create("persist");
	tcase_add_test(tc, test_persist_backoff);
	tcase_add_test(tc, test_persist_cancelled_by_close);
	tcase_add_test(tc, test_fin_rides_the_probe);
	suite_add_tcase(s, tc);
	tc = tcase_create("close");
	tcase_add_test(tc, test_simultaneous_close);
	tcase_add_test(tc, test_rst_states);
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
