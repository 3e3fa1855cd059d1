/*
 * test_kern.c: the generic kernel routines driven by scenarios: sosend
 * (sim/kern/sosend.c), the socket calls that never sleep (socket.c:
 * sosetopt, soshutdown, soclose, soshutdown_nolock), kttcp (kttcp.c),
 * FreeBSD's soreceive_dgram (soreceive_dgram.c) and the origin of spliced
 * bytes (origin.c).
 *
 * The expected values come from the kernel code each routine models:
 * NetBSD 1.6 sosend as copied into NetBSD kttcp.c 1.1, FreeBSD 9.1
 * sosend_generic, sosend_dgram and soreceive_dgram, OpenBSD uipc_socket.c
 * 1.337, NetBSD sys/dev/kttcp.c 1.1.  Each test runs a small scenario and
 * asserts, for each system call, its result, errno and output flags, and
 * the state of the buffers and sockets it leaves.
 */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "errno_names.h"
#include "expect.h"
#include "harness.h"
#include "kern.h"
#include "sched.h"

#define US	1000LL
#define MS	1000000LL

#define NONE	0
#define ANYCC	(-1)

static const char *const profs[] = { "netbsd-1.6", "netbsd-2.0", "freebsd-9.1", "openbsd-7.5",
	"openbsd-7.6" };
#define NPROFS	((int)G_N_ELEMENTS(profs))

/* ---- running a scenario and recording what each call returned ---- */

typedef struct {
	int thread;
	int op;
	int64_t rv;
	int err;
	int oflags;
	int64_t rcv_cc, snd_cc;   /* of the op's socket, right after */
	int64_t time;
} Ret;

typedef struct {
	const char *prof;
	Scenario *s;
	World *w;
	Ret rets[512];
	int nrets;
	int nsleeps;            /* EVK_SLEEP events */
} Rec;

static Rec *R;

static void
sink(void *ctx, const World *cw, const SimEvent *ev)
{
	Rec *r = ctx;
	const World *w = cw;

	if (ev->kind == EVK_RETURN && r->nrets < (int)G_N_ELEMENTS(r->rets) && ev->thread >= 0) {
		Ret *x = &r->rets[r->nrets++];

		x->thread = ev->thread;
		x->op = w->threads[ev->thread].pc;
		x->rv = ev->v[0];
		x->err = (int)ev->v[1];
		x->oflags = (int)ev->v[2];
		x->time = w->now;
		if (ev->sock >= 0 && ev->sock < w->nsocks) {
			x->rcv_cc = w->socks[ev->sock].rcv.cc;
			x->snd_cc = w->socks[ev->sock].snd.cc;
		}
	} else if (ev->kind == EVK_SLEEP)
		r->nsleeps++;
}

static Rec *
run(const char *prof, const char *text)
{
	const Profile *p = profile_find(prof);
	GError *err = NULL;
	Rec *r;

	ck_assert_msg(p != NULL, "no profile %s", prof);
	r = g_new0(Rec, 1);
	r->prof = prof;
	r->s = scenario_parse_string("t.scn", text, &err);
	ck_assert_msg(r->s != NULL, "scenario does not parse:\n%s", err ? err->message : "?");
	r->w = world_new(r->s, p, (p->quirks | r->s->quirks_on) & ~r->s->quirks_off);
	r->w->run->sink.fn = sink;
	r->w->run->sink.ctx = r;
	sched_run(r->w);
	R = r;
	return r;
}

static void
teardown(void)
{
	if (R == NULL)
		return;
	world_free(R->w);
	scenario_free(R->s);
	g_free(R);
	R = NULL;
}

static int
tid_of(const char *name)
{
	return harness_thread(R->s, name);
}

static Socket *
so(const char *name)
{
	for (int i = 0; i < R->s->nsockets; i++)
		if (strcmp(R->s->sockets[i].name, name) == 0)
			return &R->w->socks[i];
	ck_abort_msg("no socket %s", name);
	return NULL;
}

static const Ret *
ret_of(const char *thread, int op)
{
	int tid = tid_of(thread);

	for (int i = 0; i < R->nrets; i++)
		if (R->rets[i].thread == tid && R->rets[i].op == op)
			return &R->rets[i];
	ck_abort_msg("%s: thread %s: op %d never returned (%s)", R->prof, thread, op,
	    R->w->run->stop_msg);
	return NULL;
}

#define ename harness_ename

/* Op `op` (from 0) of `thread` returned rv with errno err, leaving cc
 * bytes in its socket's so_rcv (ANYCC: not checked). */
#define RET(th, op, rv, err, cc) check_ret(__LINE__, th, op, rv, err, cc)

static void
check_ret(int line, const char *thread, int op, int64_t rv, int err, int64_t cc)
{
	const Ret *x = ret_of(thread, op);

	ck_assert_msg(x->rv == rv && x->err == err && (cc < 0 || x->rcv_cc == cc),
	    "line %d, %s: %s op %d (%s): got rv %lld err %s cc %lld; want rv %lld err %s cc %lld",
	    line, R->prof, thread, op, R->s->threads[x->thread].ops[op].text, (long long)x->rv,
	    ename(x->err), (long long)x->rcv_cc, (long long)rv, ename(err), (long long)cc);
}

static int64_t
ret_time(const char *thread, int op)
{
	return ret_of(thread, op)->time;
}

/* The run ended normally, with every `=>` and `expect` line held. */
static void
assert_clean(void)
{
	harness_assert_clean(R->w, R->prof);
}

/* ---- sosend: the checks before the copy ---- */

/* so_error is returned by the next send, and cleared (NetBSD sosend:
 * "error = so->so_error; so->so_error = 0"; FreeBSD and OpenBSD alike). */
START_TEST(test_send_so_error)
{
	run(profs[_i],
	    "udp u connect=v\n"
	    "udp v\n"
	    "at 1ms unreachable u\n"
	    "thread t:\n"
	    "\tsend u 10 => 10\n"
	    "\tsleep 2ms\n"
	    "\tsend u 20 => ECONNREFUSED\n"
	    "\tsoerror u => 0\n"
	    "\tsend u 30 => 30\n"
	    "\tsleep 1ms\n"
	    "\trecv v 100 => 10\n"
	    "\trecv v 100 => 30\n");
	assert_clean();
	RET("t", 2, 0, K_ECONNREFUSED, ANYCC);
	ck_assert_int_eq(so("u")->error, 0);
	ck_assert_int_eq(so("u")->tx_app, 40);
}
END_TEST

/* Not connected: a protocol that needs a connection says ENOTCONN, one
 * that does not needs an address (EDESTADDRREQ). */
START_TEST(test_send_not_connected)
{
	run(profs[_i],
	    "tcp lone\n"
	    "udp u\n"
	    "udp v\n"
	    "thread t:\n"
	    "\tsend lone 10 => ENOTCONN\n"
	    "\tsend u 10 => EDESTADDRREQ\n"
	    "\tsendto u v 10 => 10\n"
	    "\tsleep 1ms\n"
	    "\trecv v 100 => 10\n");
	assert_clean();
	ck_assert_int_eq(so("lone")->tx_app, 0);
	ck_assert_int_eq(so("lone")->snd.cc, 0);
	ck_assert_int_eq(so("u")->tx_app, 10);
}
END_TEST

/* A datagram larger than sb_hiwat of so_snd can never be sent: EMSGSIZE,
 * whatever the space; one of exactly sb_hiwat goes.  One larger than a
 * cluster is built from several (the first leaves max_hdr in front),
 * and arrives whole. */
START_TEST(test_send_datagram_sizes)
{
	run(profs[_i],
	    "udp u sndbuf=5000\n"
	    "udp v\n"
	    "thread t:\n"
	    "\tsendto u v 5001 => EMSGSIZE\n"
	    "\tsendto u v 5000 => 5000\n"
	    "\tsleep 1ms\n"
	    "\trecv v 10000 => 5000\n"
	    "\trecv v 10000 DONTWAIT => EWOULDBLOCK\n");
	assert_clean();
	ck_assert_int_eq(so("u")->tx_app, 5000);
	ck_assert_int_eq(so("v")->rx_app, 5000);
}
END_TEST

/* MSG_OOB on UDP: PRU_SENDOOB is EOPNOTSUPP (NetBSD udp_usrreq); the
 * chain sosend built is freed and nothing counts as sent. */
START_TEST(test_send_udp_oob)
{
	run(profs[_i],
	    "udp u\n"
	    "udp v\n"
	    "thread t:\n"
	    "\tsendto u v 100 OOB => EOPNOTSUPP\n"
	    "\tsendto u v 10 => 10\n"
	    "\tsleep 1ms\n"
	    "\trecv v 1000 => 10\n"
	    "expect leaked mbufs == 0\n");
	assert_clean();
	ck_assert_int_eq(so("u")->tx_app, 10);
	ck_assert_int_eq(so("u")->tx_sent, 10);
}
END_TEST

/* SS_CANTSENDMORE: EPIPE before anything is copied. */
START_TEST(test_send_after_shutdown)
{
	run(profs[_i],
	    "tcp a b\n"
	    "udp u connect=v\n"
	    "udp v\n"
	    "thread t:\n"
	    "\tshutdown a wr => 0\n"
	    "\tsend a 10 => EPIPE\n"
	    "\tshutdown u wr => 0\n"
	    "\tsend u 10 => EPIPE\n"
	    "\trecv b 10 => 0\n");
	assert_clean();
	ck_assert(so("u")->state & SS_CANTSENDMORE);
	ck_assert_int_eq(so("u")->state & SS_CANTRCVMORE, 0);
	ck_assert_int_eq(so("u")->tx_app, 0);
	ck_assert(so("b")->state & SS_CANTRCVMORE);
}
END_TEST

/* ---- sosend: waiting for space ---- */

/* A full so_snd: a non-blocking socket gets EWOULDBLOCK (a short count
 * once some bytes went); a blocking one waits, and a signal interrupts
 * the wait with EINTR; SO_SNDTIMEO ends it with EWOULDBLOCK. */
START_TEST(test_send_full)
{
	/* 4 KB of so_snd: a non-blocking send fills it and returns; once b
	 * has ACKed them (its delayed ACK included) they are in its 4 KB
	 * window; the next 4 KB stay in so_snd */
	run(profs[_i],
	    "tcp a b  a.sndbuf=4096 b.rcvbuf=4096\n"
	    "at 500ms signal t\n"
	    "thread t:\n"
	    "\tsetsockopt a nonblock=1 => 0\n"
	    "\tsend a 20000 => 4096\n"
	    "\tsleep 300ms\n"
	    "\tsend a 20000 => 4096\n"
	    "\tsend a 1 => EWOULDBLOCK\n"
	    "\tsetsockopt a nonblock=0 => 0\n"
	    "\tsend a 1 => EINTR\n"
	    "\tsetsockopt a sndtimeo=5ms => 0\n"
	    "\tsend a 1 => EWOULDBLOCK\n"
	    "expect a.snd.cc == 4096\n"
	    "expect b.rcv.cc == 4096\n");
	assert_clean();
	ck_assert_int_eq(ret_time("t", 6), 500 * MS);
	ck_assert_int_eq(ret_time("t", 8), 505 * MS);
	ck_assert_int_eq(so("a")->snd.flags & SB_LOCK, 0);
	ck_assert_int_eq(so("a")->tx_app, 8192);
}
END_TEST

/* sosend's space is sbspace(), the smaller of what is left under
 * sb_hiwat and under sb_mbmax (NetBSD 1.6 uipc_socket.c sosend, "space =
 * sbspace(&so->so_snd)"; socketvar.h sbspace).  Writes of 513 bytes each
 * take a cluster (2304 bytes of mbcnt) and are too big to coalesce: after
 * seven, sb_cc is 3591 of 8192 but sb_mbcnt 16128 of 16384, so the eighth
 * finds 256 bytes of space, under the low-water mark: EWOULDBLOCK. */
START_TEST(test_send_mbcnt_limit)
{
	run("netbsd-2.0",
	    "tcp a b  a.sndbuf=8192\n"
	    "thread t:\n"
	    "\tsetsockopt a nonblock=1 => 0\n"
	    "\tsend a 513 => 513\n"
	    "\tsend a 513 => 513\n"
	    "\tsend a 513 => 513\n"
	    "\tsend a 513 => 513\n"
	    "\tsend a 513 => 513\n"
	    "\tsend a 513 => 513\n"
	    "\tsend a 513 => 513\n"
	    "\tsend a 513 => EWOULDBLOCK\n");
	assert_clean();
	ck_assert_int_eq(ret_of("t", 8)->snd_cc, 7 * 513);
	ck_assert_int_eq(so("a")->tx_app, 7 * 513);
}
END_TEST

/* A blocked send resumes when the reader makes room: with FreeBSD the
 * writer keeps its sblock across the sleep (sosend_generic's restart is
 * after it), elsewhere it releases SB_LOCK and takes it again. */
START_TEST(test_send_waits_for_room)
{
	run(profs[_i],
	    "tcp a b  a.sndbuf=4096 b.rcvbuf=4096\n"
	    "thread w:\n"
	    "\tsend a 12000 => 12000\n"
	    "thread r:\n"
	    "\tsleep 5ms\n"
	    "\trecv b 12000 WAITALL => 12000\n"
	    "expect delivered b == 12000\n");
	assert_clean();
	ck_assert_int_ge(ret_time("w", 0), 5 * MS);
	ck_assert_int_eq(so("a")->snd.cc, 0);
}
END_TEST

/* A second writer meets SB_LOCK held by the first (asleep for space on
 * FreeBSD, which keeps it): MSG_DONTWAIT's sblock fails with EWOULDBLOCK
 * at once; a blocking one sleeps for the lock, and a signal there is
 * EINTR without a byte sent. */
START_TEST(test_send_sblock_busy)
{
	run("freebsd-9.1",
	    "tcp a b  a.sndbuf=4096 b.rcvbuf=4096\n"
	    "at 2ms signal w2\n"
	    "thread w1:\n"
	    "\tsend a 20000 => 20000\n"
	    "thread w2:\n"
	    "\tsleep 1ms\n"
	    "\tsend a 10 DONTWAIT => EWOULDBLOCK\n"
	    "\tsend a 10 => EINTR\n"
	    "thread r:\n"
	    "\tsleep 5ms\n"
	    "\trecv b 20000 WAITALL => 20000\n");
	assert_clean();
	ck_assert_int_eq(ret_time("w2", 1), 1 * MS);
	ck_assert_int_eq(ret_time("w2", 2), 2 * MS);
	ck_assert_int_eq(so("a")->tx_app, 20000);
}
END_TEST

/* MSG_DONTWAIT on a full so_snd: FreeBSD's sosend_generic and OpenBSD's
 * sosend refuse with EWOULDBLOCK; NetBSD's sosend looks only at SS_NBIO,
 * so the send waits for room, which the reader makes at 1 s. */
START_TEST(test_send_dontwait_full)
{
	static const struct { const char *prof; bool waits; } cases[] = {
		{ "freebsd-9.1", false }, { "netbsd-2.0", true }, { "netbsd-1.6", true },
		{ "openbsd-7.5", false }, { "openbsd-7.6", false },
	};

	for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
		char text[512];

		snprintf(text, sizeof text,
		    "tcp a b  a.sndbuf=4096 b.rcvbuf=4096\n"
		    "thread w:\n"
		    "\tsend a 4096 => 4096\n"
		    "\tsleep 300ms\n"
		    "\tsend a 4096 => 4096\n"
		    "\tsend a 100 DONTWAIT\n"
		    "thread r:\n"
		    "\tsleep 1s\n"
		    "\trecv b %d WAITALL\n", cases[k].waits ? 8292 : 8192);
		run(cases[k].prof, text);
		assert_clean();
		if (cases[k].waits) {
			RET("w", 3, 100, 0, ANYCC);
			ck_assert_int_ge(ret_time("w", 3), 1000 * MS);
			RET("r", 1, 8292, 0, ANYCC);
		} else {
			RET("w", 3, 0, K_EWOULDBLOCK, ANYCC);
			ck_assert_int_eq(ret_time("w", 3), 300 * MS);
			RET("r", 1, 8192, 0, ANYCC);
		}
		teardown();
	}
}
END_TEST

/* The socket shut (SHUT_WR) between the space check and PRU_SEND: FreeBSD
 * copies with no lock held, where another thread may run (NetBSD's spl0
 * is not preemptible by threads).  EPIPE, and the chain built for
 * nothing is freed. */
START_TEST(test_send_shut_while_building)
{
	run("freebsd-9.1",
	    "tcp a b\n"
	    "schedule w w closer w\n"
	    "thread w:\n"
	    "\tsend a 1000 => EPIPE\n"
	    "thread closer:\n"
	    "\tshutdown a wr => 0\n"
	    "thread r:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 2000 => 0\n"
	    "expect leaked mbufs == 0\n");
	assert_clean();
	ck_assert_int_eq(so("a")->tx_app, 0);
	ck_assert_int_eq(so("a")->snd.cc, 0);
	ck_assert_int_eq(so("a")->snd.flags & SB_LOCK, 0);
}
END_TEST

/* ---- sosetopt, soshutdown, soclose ---- */

START_TEST(test_setsockopt)
{
	run(profs[_i],
	    "tcp a b\n"
	    "tcp lone\n"
	    "thread t:\n"
	    "\tsetsockopt b rcvbuf=0 => ENOBUFS\n"
	    "\tsetsockopt lone rcvbuf=8K => 0\n"
	    "\tsetsockopt b oobinline=1 => 0\n"
	    "\tsetsockopt b oobinline=0 => 0\n"
	    "\tsetsockopt b linger=5s => 0\n"
	    "\tsetsockopt b rcvtimeo=3ms => 0\n"
	    "\tsetsockopt a sndtimeo=4ms => 0\n"
	    "\trecv b 10 => EWOULDBLOCK\n");
	assert_clean();
	ck_assert_int_eq(so("lone")->rcv.hiwat, 8192);
	ck_assert_int_eq(so("b")->options & SO_OOBINLINE, 0);
	ck_assert(so("b")->options & SO_LINGER);
	ck_assert_int_eq(so("b")->linger, 5000 * MS);
	ck_assert_int_eq(so("b")->rcv.timeo, 3 * MS);
	ck_assert_int_eq(so("a")->snd.timeo, 4 * MS);
	ck_assert_int_eq(ret_time("t", 7), 3 * MS);
}
END_TEST

/* SO_RCVBUF before the first byte sets the window the peer will use;
 * after it, the window travels in segments only: the peer's snd_wnd is
 * not touched by the setsockopt itself. */
START_TEST(test_setsockopt_rcvbuf_window)
{
	run("netbsd-2.0",
	    "tcp a b\n"
	    "thread t:\n"
	    "\tsetsockopt b rcvbuf=4096 => 0\n"
	    "\tsend a 100 => 100\n"
	    "\tsleep 1ms\n"
	    "\tsetsockopt b rcvbuf=1000 => 0\n");
	assert_clean();
	ck_assert_int_eq(so("b")->rcv.hiwat, 1000);
	/* the last window b advertised: 4096 less the 100 bytes unread */
	ck_assert_int_eq(so("a")->tp.snd_wnd, 3996);
	ck_assert_int_eq(so("a")->tp.max_sndwnd, 4096);
	teardown();

	/* a byte sent, not yet arrived: already too late */
	run("netbsd-2.0",
	    "tcp a b\n"
	    "thread t:\n"
	    "\tsend a 100 => 100\n"
	    "\tsetsockopt b rcvbuf=1000 => 0\n"
	    "\tsleep 1ms\n");
	assert_clean();
	ck_assert_int_eq(so("b")->rcv.hiwat, 1000);
	ck_assert_int_eq(so("a")->tp.max_sndwnd, 16384);
}
END_TEST

/* Options no program can set with setsockopt (declaration only) and bad
 * values the scenario language cannot express. */
START_TEST(test_sosetopt_direct)
{
	run("netbsd-2.0", "tcp a b\n");
	ck_assert_int_eq(R->w->stop, STOP_DONE);
	ck_assert_int_eq(sosetopt(R->w, so("a"), SOPT_MSS, 512), K_ENOPROTOOPT);
	ck_assert_int_eq(sosetopt(R->w, so("a"), SOPT__COUNT, 1), K_ENOPROTOOPT);
	ck_assert_int_eq(sosetopt(R->w, so("a"), SOPT_LINGER, -1), K_EINVAL);
	ck_assert_int_eq(so("a")->options & SO_LINGER, 0);
	ck_assert_int_eq(sosetopt(R->w, so("a"), SOPT_SNDLOWAT, 0), K_EINVAL);
	ck_assert_int_eq(sosetopt(R->w, so("a"), SOPT_SNDLOWAT, 1 << 30), 0);
	ck_assert_int_eq(so("a")->snd.lowat, so("a")->snd.hiwat);
	ck_assert_int_eq(soshutdown(R->w, 0, so("a"), 3), K_EINVAL);
	ck_assert_int_eq(soshutdown(R->w, 0, so("a"), -1), K_EINVAL);
	ck_assert_int_eq(so("a")->state & (SS_CANTSENDMORE | SS_CANTRCVMORE), 0);
	/* a second close of the same socket: the descriptor is gone (the
	 * caller holds SB_LOCK of so_rcv for the first) */
	so("b")->rcv.flags |= SB_LOCK;
	so("b")->rcv.lock_owner = 0;
	ck_assert_int_eq(soclose(R->w, 0, so("b")), 0);
	ck_assert_int_eq(so("b")->rcv.flags & SB_LOCK, 0);
	ck_assert(so("b")->state & SS_NOFDREF);
	ck_assert_int_eq(soclose(R->w, 0, so("b")), K_EBADF);
	ck_assert_int_eq(R->w->violation, V_NONE);
}
END_TEST

/* SHUT_RD alone: so_rcv flushed, the sending side open; SHUT_WR alone
 * on UDP: no FIN to send, only SS_CANTSENDMORE; SHUT_RDWR: both. */
START_TEST(test_shutdown_rd_wr)
{
	run(profs[_i],
	    "tcp a b\n"
	    "udp u\n"
	    "udp v\n"
	    "tcp c d\n"
	    "thread t2:\n"
	    "\tsend d 50 => 50\n"
	    "\tsleep 1ms\n"
	    "\tshutdown c rdwr => 0\n"
	    "\tsleep 1ms\n"
	    "\trecv d 10 => 0\n"
	    "thread t:\n"
	    "\tsend a 100 => 100\n"
	    "\tsleep 1ms\n"
	    "\tshutdown b rd => 0\n"
	    "\tsend b 10 => 10\n"
	    "\tsleep 1ms\n"
	    "\trecv a 100 => 10\n"
	    "\tshutdown v wr => 0\n"
	    "\tsendto u v 10 => 10\n"
	    "\tsleep 1ms\n"
	    "\trecv v 100 => 10\n");
	assert_clean();
	ck_assert(so("b")->state & SS_CANTRCVMORE);
	ck_assert_int_eq(so("b")->state & SS_CANTSENDMORE, 0);
	ck_assert_int_eq(so("b")->rx_dropped, 100);
	ck_assert(so("v")->state & SS_CANTSENDMORE);
	ck_assert_int_eq(so("v")->state & SS_CANTRCVMORE, 0);
	ck_assert(so("c")->state & SS_CANTSENDMORE);
	ck_assert(so("c")->state & SS_CANTRCVMORE);
	ck_assert_int_eq(so("c")->rx_dropped, 50);
}
END_TEST

/* close: a connected TCP socket sends a FIN (a positive linger is not
 * waited for); an unconnected one only drops its buffers; SO_LINGER 0
 * resets the connection. */
START_TEST(test_close_kinds)
{
	const char *p = profs[_i];

	run(p,
	    "tcp a b  a.linger=5s\n"
	    "tcp lone\n"
	    "thread t:\n"
	    "\tclose a => 0\n"
	    "\tclose lone => 0\n"
	    "\tsleep 1ms\n"
	    "\trecv b 100 => 0\n"
	    "\tclose a => EBADF\n");
	assert_clean();
	ck_assert(so("lone")->state & SS_NOFDREF);
	ck_assert(so("lone")->state & SS_CANTSENDMORE);
	ck_assert(so("lone")->state & SS_CANTRCVMORE);
	ck_assert_int_eq(so("b")->error, 0);
	teardown();

	run(p,
	    "tcp a b  a.linger=0s\n"
	    "thread t:\n"
	    "\tsend b 100 => 100\n"
	    "\tsleep 1ms\n"
	    "\tclose a => 0\n"
	    "\tsleep 1ms\n"
	    "\trecv b 100 => ECONNRESET\n");
	assert_clean();
	ck_assert_int_eq(so("a")->rx_dropped, 100);
}
END_TEST

/* The 2005 splice(2) prototype: splice_movedata finds so_rcv of the
 * source locked by a reader (sleeping in its MSG_WAITALL loop, which
 * keeps SB_LOCK) and shuts both sockets down from softnet.  The
 * prototype's soshutdown would sblock there, in softnet; sosim flushes
 * at once, and reports the flush of a buffer a thread has locked. */
START_TEST(test_soshutdown_nolock)
{
	run("netbsd-2005-splice",
	    "quirk splice-dup-alloc off\n"
	    "quirk splice-sblock-leak off\n"
	    "quirk splice-kcont-uaf off\n"
	    "tcp a b  b.rcvbuf=1000\n"
	    "tcp c d\n"
	    "thread w:\n"
	    "\tsend a 500 => 500\n"
	    "\tsleep 2ms\n"
	    "\tsend a 300 => 300\n"
	    "thread r:\n"
	    "\trecv b 2000 WAITALL\n"
	    "thread s:\n"
	    "\tsleep 1ms\n"
	    "\tsys_splice b c\n");
	ck_assert_int_eq(R->w->stop, STOP_VIOLATION);
	ck_assert_int_eq(R->w->violation, V_LOCK_OWNER);
	ck_assert_str_eq(R->w->run->violation_msg, "sbflush of a locked socket buffer");
	ck_assert_int_eq(so("b")->rcv.lock_owner, tid_of("r"));
	/* both sockets shut both ways (PRU_SHUTDOWN sent c's FIN) */
	ck_assert(so("b")->state & SS_CANTRCVMORE);
	ck_assert(so("b")->state & SS_CANTSENDMORE);
	ck_assert(so("c")->state & SS_CANTRCVMORE);
	ck_assert(so("c")->state & SS_CANTSENDMORE);
	ck_assert(so("c")->tp.t_flags & TF_SENTFIN);
}
END_TEST

/* ---- kttcp ---- */

/* kio_totalsize limits (kttcp.c 1.1): a send of KTTCP_MAX_XMIT or more, a
 * receive of more, is EINVAL before anything is done.  A receive of
 * exactly the limit is allowed and ends at the peer's FIN. */
START_TEST(test_kttcp_limits)
{
	run("netbsd-2.0",
	    "tcp a b\n"
	    "at 1ms fin b\n"
	    "thread t:\n"
	    "\tkttcp send a 2147483647 => EINVAL\n"
	    "\tkttcp recv b 2147483648 => EINVAL\n"
	    "\tkttcp recv b 2147483647 => 0\n");
	assert_clean();
	ck_assert_int_eq(ret_time("t", 2), 1 * MS + 10 * US);
	ck_assert_int_eq(so("a")->tx_app, 0);
}
END_TEST

/* An error ends the loop and is returned, with no byte count: EPIPE on a
 * shut socket, ECONNRESET after a reset; a receive returns what it had
 * when the peer's FIN comes (a call returning 0 ends the loop). */
START_TEST(test_kttcp_errors)
{
	run("netbsd-2.0",
	    "tcp a b\n"
	    "tcp c d\n"
	    "at 1ms rst d\n"
	    "thread t:\n"
	    "\tshutdown a wr => 0\n"
	    "\tkttcp send a 1000 => EPIPE\n"
	    "\tkttcp recv d 1000 => ECONNRESET\n"
	    "\tkttcp recv b 1000 => 0\n"
	    "thread w:\n"
	    "\tsend c 300 => 300\n");
	assert_clean();
	ck_assert_int_eq(ret_time("t", 2), 1 * MS);
}
END_TEST

/* ---- FreeBSD soreceive_dgram ---- */

/* so_error on the datagram path: returned and cleared; SS_CANTRCVMORE
 * with nothing queued: 0; a signal or SO_RCVTIMEO in its sbwait. */
START_TEST(test_dgram_errors)
{
	run("freebsd-9.1",
	    "udp u connect=v\n"
	    "udp v\n"
	    "at 1ms unreachable u\n"
	    "at 5ms signal t\n"
	    "thread t:\n"
	    "\trecv u 100 => ECONNREFUSED\n"
	    "\trecv v 100 => EINTR\n"
	    "\tsetsockopt v rcvtimeo=2ms => 0\n"
	    "\trecv v 100 => EWOULDBLOCK\n"
	    "\tshutdown v rd => 0\n"
	    "\trecv v 100 => 0\n"
	    "\trecv v 0 => 0\n");
	assert_clean();
	ck_assert_int_eq(ret_time("t", 0), 1 * MS);
	ck_assert_int_eq(ret_time("t", 1), 5 * MS);
	ck_assert_int_eq(ret_time("t", 3), 7 * MS);
	ck_assert_int_eq(so("u")->error, 0);
}
END_TEST

/* ---- where spliced bytes come from (origin.c) ---- */

/*
 * A socket whose send stream alternates between its own writes and bytes
 * spliced in (a splice of 7 bytes at a time: it ends with EFBIG in the
 * source's so_error, which the program collects before the next one):
 * one run per change of source.  A reader that keeps up lets
 * the runs behind it go (org_prune) and every byte checks; one that
 * reads nothing leaves more runs than sosim tracks, and the run stops
 * with a limit instead of checking bytes it cannot place.
 */
static GString *
alternating(int rounds, bool reader)
{
	GString *t = g_string_new("profile openbsd-7.6\n"
	    "tcp s0 s\n"
	    "tcp d d0\n"
	    "thread w:\n");

	for (int i = 0; i < rounds; i++)
		g_string_append(t,
		    "\tsend s0 7 => 7\n"
		    "\tsplice s d max=7 => 0\n"
		    "\tsleep 1ms\n"
		    "\tsoerror s => EFBIG\n"
		    "\tsend d 5 => 5\n");
	if (reader) {
		g_string_append(t, "thread r:\n");
		for (int i = 0; i < rounds; i++)
			g_string_append(t, "\trecv d0 12 WAITALL => 12\n");
	}
	return t;
}

START_TEST(test_origin_runs)
{
	GString *t = alternating(40, true);

	run("openbsd-7.6", t->str);
	g_string_free(t, true);
	assert_clean();
	ck_assert_int_eq(so("d0")->rx_app, 40 * 12);
	ck_assert_int_lt(so("d")->norg, 32);
	teardown();

	t = alternating(40, false);
	run("openbsd-7.6", t->str);
	g_string_free(t, true);
	ck_assert_int_eq(R->w->stop, STOP_LIMIT);
	ck_assert_int_eq(R->w->violation, V_NONE);
	ck_assert_int_eq(so("d")->norg, 32);
	ck_assert_str_eq(R->w->run->stop_msg,
	    "d: its unread send stream alternates between 33 sources of bytes (spliced and "
	    "written); sosim tracks at most 32 at a time");
}
END_TEST

/* Every urgent byte tcp_pulloutofband takes out of the stream is a hole
 * the payload check maps around; past 64 of them the run stops with a
 * limit instead of checking bytes it cannot place. */
START_TEST(test_oob_holes_limit)
{
	GString *t = g_string_new("tcp a b\nthread w:\n");

	for (int i = 0; i < 70; i++)
		g_string_append(t, "\tsend a 1 OOB => 1\n\tsleep 1ms\n");
	run("netbsd-2.0", t->str);
	g_string_free(t, true);
	ck_assert_int_eq(R->w->stop, STOP_LIMIT);
	ck_assert_int_eq(R->w->violation, V_NONE);
	ck_assert_int_eq(so("b")->noob_holes, 64);
	ck_assert_str_eq(R->w->run->stop_msg, "more than 64 urgent bytes pulled out of b's stream: "
	    "beyond what the payload check can follow");
	ck_assert_int_eq(ret_of("w", 128)->rv, 1);  /* the 65th send */
}
END_TEST

static Suite *
kern_suite(void)
{
	Suite *s = suite_create("kern");
	TCase *tc;

	tc = tcase_create("sosend");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_send_so_error, 0, NPROFS);
	tcase_add_loop_test(tc, test_send_not_connected, 0, NPROFS);
	tcase_add_loop_test(tc, test_send_datagram_sizes, 0, NPROFS);
	tcase_add_loop_test(tc, test_send_udp_oob, 0, 2);
	tcase_add_loop_test(tc, test_send_after_shutdown, 0, NPROFS);
	tcase_add_loop_test(tc, test_send_full, 0, NPROFS);
	tcase_add_loop_test(tc, test_send_waits_for_room, 0, NPROFS);
	tcase_add_test(tc, test_send_mbcnt_limit);
	tcase_add_test(tc, test_send_sblock_busy);
	tcase_add_test(tc, test_send_dontwait_full);
	tcase_add_test(tc, test_send_shut_while_building);
	suite_add_tcase(s, tc);

	tc = tcase_create("socket");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_setsockopt, 0, NPROFS);
	tcase_add_test(tc, test_setsockopt_rcvbuf_window);
	tcase_add_test(tc, test_sosetopt_direct);
	tcase_add_loop_test(tc, test_shutdown_rd_wr, 0, NPROFS);
	tcase_add_loop_test(tc, test_close_kinds, 0, NPROFS);
	tcase_add_test(tc, test_soshutdown_nolock);
	suite_add_tcase(s, tc);

	tc = tcase_create("kttcp");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_kttcp_limits);
	tcase_add_test(tc, test_kttcp_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("dgram");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_dgram_errors);
	tcase_add_test(tc, test_origin_runs);
	tcase_add_test(tc, test_oob_holes_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(kern_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
