/*
 * test_soreceive.c: soreceive (sim/soreceive.c) and FreeBSD's
 * soreceive_dgram (sim/soreceive_dgram.c), flag by flag.
 *
 * Every expected value below is derived from the kernel code the engine
 * models: kttcp_soreceive() of NetBSD kttcp.c 1.1 (the 1.6 soreceive),
 * the two MSG_WAITALL changes of NetBSD kttcp.c 1.4 (the mid-2002 commit)
 * and soreceive_dgram() of FreeBSD 9.1 uipc_socket.c.
 * Each test runs a small scenario and asserts, for each system call, the
 * return value, the errno, the output flags (MSG_TRUNC, MSG_EOR, MSG_OOB)
 * and the bytes left in the receive buffer right after the call, as
 * recorded from the event stream.
 *
 * MSG_OOB reads report msg_flags == MSG_OOB (see OOBRD below).
 *
 * Build by hand (SIM is every sim/ source file):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -Wno-format-truncation -g \
 *       -fsanitize=address,undefined -Isim tests/test_soreceive.c $SIM \
 *       $(pkg-config --cflags --libs glib-2.0 check) -o /tmp/test_soreceive
 */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errno_names.h"
#include "expect.h"
#include "harness.h"
#include "kern.h"
#include "sched.h"

#define US	1000LL
#define MS	1000000LL

#define NONE	0
#define TRUNC	K_MSG_TRUNC
#define OOB	K_MSG_OOB
#define ANYCC	(-1)
#define ANYFL	(-1)

/*
 * A read with MSG_OOB takes the PRU_RCVOOB path, which returns without
 * `*flagsp |= flags`; recvmsg(2) preloads msg_flags with the caller's flags
 * (NetBSD and FreeBSD sys_recvmsg: msg.msg_flags = flags) and passes
 * &msg_flags as flagsp, so the program gets msg_flags == MSG_OOB back.
 */
#define OOBRD	OOB

static const char *const profs[] = { "netbsd-1.6", "netbsd-2.0", "freebsd-9.1" };
#define NPROFS	((int)G_N_ELEMENTS(profs))

/* ---- running a scenario and recording what each call returned ---- */

/* One system call of a scenario thread, as it returned. */
typedef struct {
	int thread;
	int op;                 /* index in the thread's program, from 0 */
	int64_t rv;
	int err;
	int oflags;
	int64_t cc;             /* sb_cc of the op's socket's so_rcv right after */
	int64_t records;        /* records in that so_rcv */
	int64_t time;
	uint32_t ip;            /* recvfrom source */
	uint16_t port;
} Ret;

/* One sleep of a thread: where, when, and the state of that sockbuf. */
typedef struct {
	int thread;
	int64_t time;
	uint32_t chan;
	char wmesg[16];
	int64_t cc;             /* sb_cc of the sockbuf slept on */
	int lock_owner;         /* who held its SB_LOCK (-1 nobody) */
} Slp;

typedef struct {
	const char *prof;
	Scenario *s;
	World *w;
	Ret rets[256];
	int nrets;
	Slp slps[256];
	int nslps;
} Rec;

static Rec *R;

static int64_t
count_records(World *w, const Sockbuf *sb)
{
	int64_t n = 0;

	for (Ref r = sb->mb; !ref_null(r); r = mb(w, r)->nextpkt)
		n++;
	return n;
}

/* Mbufs in so_rcv of a socket of R's world (defined below). */
static int nmb(const char *sock);

static void
sink(void *ctx, const World *cw, const SimEvent *ev)
{
	Rec *r = ctx;
	World *w = (World *)(uintptr_t)cw;

	if (ev->kind == EVK_RETURN && r->nrets < (int)G_N_ELEMENTS(r->rets) && ev->thread >= 0) {
		Ret *x = &r->rets[r->nrets++];
		const Thread *t = &w->threads[ev->thread];

		x->thread = ev->thread;
		x->op = t->pc;
		x->rv = ev->v[0];
		x->err = (int)ev->v[1];
		x->oflags = (int)ev->v[2];
		x->time = w->now;
		x->ip = t->rx_ip;
		x->port = t->rx_port;
		if (ev->sock >= 0 && ev->sock < w->nsocks) {
			x->cc = w->socks[ev->sock].rcv.cc;
			x->records = count_records(w, &w->socks[ev->sock].rcv);
		}
	} else if (ev->kind == EVK_SLEEP && r->nslps < (int)G_N_ELEMENTS(r->slps) &&
	    ev->thread >= 0) {
		Slp *x = &r->slps[r->nslps++];
		uint32_t chan = (uint32_t)ev->v[0];
		int kind = (int)(chan >> 24), sock = (int)((chan >> 4) & 0xfffff);
		int which = (int)(chan & 0xf);

		x->thread = ev->thread;
		x->time = w->now;
		x->chan = chan;
		g_strlcpy(x->wmesg, ev->routine ? ev->routine : "", sizeof x->wmesg);
		x->cc = -1;
		x->lock_owner = -1;
		if ((kind == CH_SB_CC || kind == CH_SB_FLAGS) && sock < w->nsocks) {
			const Sockbuf *sb = which == SB_RCV ? &w->socks[sock].rcv : &w->socks[sock].snd;

			x->cc = sb->cc;
			x->lock_owner = (sb->flags & SB_LOCK) ? sb->lock_owner : -1;
		}
	}
}

/* Rec text on profile prof with extra quirk bits on top of the profile's
 * and the scenario's. */
static Rec *
run_q(const char *prof, uint32_t extra, const char *text)
{
	const Profile *p = profile_find(prof);
	GError *err = NULL;
	Rec *r;

	ck_assert_msg(p != NULL, "no profile %s", prof);
	r = g_new0(Rec, 1);
	r->prof = prof;
	r->s = scenario_parse_string("t.scn", text, &err);
	ck_assert_msg(r->s != NULL, "scenario does not parse:\n%s", err ? err->message : "?");
	r->w = world_new(r->s, p, ((p->quirks | r->s->quirks_on) & ~r->s->quirks_off) | extra);
	r->w->run->sink.fn = sink;
	r->w->run->sink.ctx = r;
	sched_run(r->w);
	R = r;
	return r;
}

static Rec *
run(const char *prof, const char *text)
{
	return run_q(prof, 0, text);
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

static int
sock_of(const char *name)
{
	return harness_socket(R->s, name);
}

static Socket *
so(const char *name)
{
	return &R->w->socks[sock_of(name)];
}

static int
nmb(const char *sock)
{
	int n = 0;

	for (Ref r = so(sock)->rcv.mb; !ref_null(r); r = mb(R->w, r)->nextpkt)
		for (Ref m = r; !ref_null(m); m = mb(R->w, m)->next)
			n++;
	return n;
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

/* Op `op` of `thread` returned rv with errno err and output flags fl,
 * leaving cc bytes in its socket's so_rcv (ANYCC: not checked).  A call
 * that fails reports no flags to the program (recvit copies msg_flags out
 * only on success), so fl is only compared when err is 0 (and not ANYFL). */
#define RET(th, op, rv, err, fl, cc) check_ret(__LINE__, th, op, rv, err, fl, cc)

static void
check_ret(int line, const char *thread, int op, int64_t rv, int err, int fl, int64_t cc)
{
	const Ret *x = ret_of(thread, op);

	ck_assert_msg(x->rv == rv && x->err == err && (err != 0 || fl < 0 || x->oflags == fl) &&
	    (cc < 0 || x->cc == cc),
	    "line %d, %s: %s op %d (%s): got rv %lld err %s flags %#x cc %lld; "
	    "want rv %lld err %s flags %#x cc %lld", line, R->prof, thread, op,
	    R->s->threads[x->thread].ops[op].text, (long long)x->rv, ename(x->err), x->oflags,
	    (long long)x->cc, (long long)rv, ename(err), fl, (long long)cc);
}

/* Virtual time at which op `op` of `thread` returned. */
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

/* Sleeps of a thread on the sb_cc channel of a socket's so_rcv ("netio"). */
static int
rcv_sleeps(const char *thread, const char *sock, const Slp **out, int max)
{
	int tid = tid_of(thread), n = 0;
	uint32_t chan = CHAN(CH_SB_CC, sock_of(sock), SB_RCV);

	for (int i = 0; i < R->nslps; i++)
		if (R->slps[i].thread == tid && R->slps[i].chan == chan && n < max)
			out[n++] = &R->slps[i];
	return n;
}

/* ---- plain reads on TCP ---- */

/* A read of less than is there takes what it asked for and leaves the
 * rest (sb_cc >= uio_resid: no block); a read of more returns what is
 * there without waiting (sb_cc >= sb_lowat and no MSG_WAITALL). */
START_TEST(test_tcp_plain)
{
	run(profs[_i],
	    "tcp a b\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 400 => 400\n"
	    "\trecv b 5000 => 600\n"
	    "expect delivered b == 1000\n");
	assert_clean();
	RET("reader", 1, 400, 0, NONE, 600);
	RET("reader", 2, 600, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 2), 1 * MS);
	ck_assert_int_eq(so("b")->rx_app, 1000);
}
END_TEST

/* MSG_PEEK copies without consuming: sb_cc is unchanged, and the next
 * read (peek or not) sees the same bytes from the same place. */
START_TEST(test_tcp_peek)
{
	run(profs[_i],
	    "tcp a b\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 300 PEEK => 300\n"
	    "\trecv b 4096 PEEK => 1000\n"
	    "\trecv b 4096 => 1000\n"
	    "expect delivered b == 1000\n"
	    "expect b.peeked == 1300\n");
	assert_clean();
	RET("reader", 1, 300, 0, NONE, 1000);
	RET("reader", 2, 1000, 0, NONE, 1000);
	RET("reader", 3, 1000, 0, NONE, 0);
	ck_assert_int_eq(so("b")->rx_app, 1000);
}
END_TEST

/* MSG_DONTWAIT on an empty buffer: EWOULDBLOCK, nothing copied.  With
 * data present it never waits in the outer check, whatever it asked for. */
START_TEST(test_tcp_dontwait)
{
	run(profs[_i],
	    "tcp a b\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "thread reader:\n"
	    "\trecv b 100 DONTWAIT => EWOULDBLOCK\n"
	    "\tsleep 1ms\n"
	    "\trecv b 5000 DONTWAIT => 1000\n"
	    "\trecv b 5000 DONTWAIT => EWOULDBLOCK\n");
	assert_clean();
	RET("reader", 0, 0, K_EWOULDBLOCK, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 0), 0);
	RET("reader", 2, 1000, 0, NONE, 0);
	RET("reader", 3, 0, K_EWOULDBLOCK, NONE, 0);
}
END_TEST

/* MSG_DONTWAIT is only looked at in the outer check: once data has been
 * copied, the MSG_WAITALL inner loop has no DONTWAIT test and sleeps
 * (kttcp.c 1.1 lines 589-601) until the rest arrives. */
START_TEST(test_tcp_dontwait_waitall_inner)
{
	const Slp *sl[8];
	int n;

	/* full segments (mss=500): the 500 bytes need not wait for an ACK
	 * that b delays (the Nagle rule) */
	run(profs[_i],
	    "tcp a b mss=500\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "\tsleep 2ms\n"
	    "\tsend a 500 => 500\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 1500 WAITALL|DONTWAIT => 1500\n");
	assert_clean();
	RET("reader", 1, 1500, 0, NONE, 0);
	/* the 500 bytes leave at 2 ms and cross the 10 us wire */
	ck_assert_int_eq(ret_time("reader", 1), 2 * MS + 10 * US);
	n = rcv_sleeps("reader", "b", sl, 8);
	ck_assert_int_eq(n, 1);
	/* it slept in the inner loop: buffer drained, SB_LOCK kept */
	ck_assert_int_eq(sl[0]->cc, 0);
	ck_assert_int_eq(sl[0]->lock_owner, tid_of("reader"));
}
END_TEST

/* A non-blocking socket: EWOULDBLOCK when empty.  SS_NBIO is not in the
 * outer condition, so MSG_WAITALL for a request that fits the buffer
 * takes the blocking branch although data is there, and the branch
 * returns EWOULDBLOCK with the data left in place. */
START_TEST(test_tcp_nonblock)
{
	run(profs[_i],
	    "tcp a b\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "thread reader:\n"
	    "\tsetsockopt b nonblock=1 => 0\n"
	    "\trecv b 100 => EWOULDBLOCK\n"
	    "\tsleep 1ms\n"
	    "\trecv b 2000 WAITALL => EWOULDBLOCK\n"
	    "\trecv b 2000 => 1000\n"
	    "\tsetsockopt b nonblock=0 => 0\n");
	assert_clean();
	RET("reader", 1, 0, K_EWOULDBLOCK, NONE, 0);
	RET("reader", 3, 0, K_EWOULDBLOCK, NONE, 1000);
	RET("reader", 4, 1000, 0, NONE, 0);
	ck_assert_int_eq(so("b")->state & SS_NBIO, 0);
}
END_TEST

/* ---- MSG_WAITALL ---- */

/* resid <= sb_hiwat: the outer condition's WAITALL clause keeps the reader
 * in the blocking branch while data is there (sbunlock, sbwait: the lock
 * is not held; FreeBSD 9.1 keeps its sx I/O lock across the sleep),
 * until sb_cc >= resid; then one pass copies everything. */
START_TEST(test_waitall_outer)
{
	const Slp *sl[8];
	int n;

	/* full segments (mss=1000): no send waits for an ACK that b delays */
	run(profs[_i],
	    "tcp a b  b.rcvbuf=4096 mss=1000\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "\tsleep 2ms\n"
	    "\tsend a 1000 => 1000\n"
	    "\tsleep 2ms\n"
	    "\tsend a 1000 => 1000\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 3000 WAITALL => 3000\n");
	assert_clean();
	RET("reader", 1, 3000, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 1), 4 * MS + 10 * US);
	n = rcv_sleeps("reader", "b", sl, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(sl[0]->cc, 1000);
	ck_assert_int_eq(sl[0]->time, 1 * MS);
	ck_assert_int_eq(sl[1]->cc, 2000);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(sl[i]->lock_owner, strcmp(profs[_i], "freebsd-9.1") == 0 ? 1 : -1);
}
END_TEST

/*
 * Two readers on an empty buffer.  NetBSD (and OpenBSD) unlock SB_LOCK
 * before sbwait, so the second reader gets in at 1 ms and sleeps in
 * sbwait too; FreeBSD 9.1 keeps its sx I/O lock across sbwait, so the
 * second reader waits in sblock until the first has its data (2 ms)
 * and only then sleeps in sbwait.
 */
START_TEST(test_sbwait_keeps_sblock)
{
	const Slp *sl[8];
	bool freebsd = strcmp(profs[_i], "freebsd-9.1") == 0;

	run(profs[_i],
	    "tcp a b\n"
	    "thread r1:\n\trecv b 100 => 100\n"
	    "thread r2:\n\tsleep 1ms\n\trecv b 100 => 100\n"
	    "thread w:\n\tsleep 2ms\n\tsend a 100 => 100\n\tsleep 2ms\n\tsend a 100 => 100\n");
	assert_clean();
	RET("r1", 0, 100, 0, NONE, 0);
	ck_assert_int_ge(rcv_sleeps("r2", "b", sl, 8), 1);     /* NetBSD: woken at 2 ms for nothing, again */
	if (freebsd)
		ck_assert_int_gt(sl[0]->time, 2 * MS);
	else
		ck_assert_int_eq(sl[0]->time, 1 * MS);
	ck_assert_int_eq(sl[0]->lock_owner, freebsd ? tid_of("r2") : -1);
}
END_TEST

/* resid > sb_hiwat: no outer wait; soreceive copies what is there, then
 * sleeps in the inner MSG_WAITALL loop with SB_LOCK held and the buffer
 * empty, copying each arrival, until resid is 0. */
START_TEST(test_waitall_inner)
{
	const Slp *sl[8];
	int n;

	/* full segments (mss=1000): no send waits for an ACK that b delays */
	run(profs[_i],
	    "tcp a b  b.rcvbuf=2048 mss=1000\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "\tsleep 2ms\n"
	    "\tsend a 1000 => 1000\n"
	    "\tsleep 2ms\n"
	    "\tsend a 1000 => 1000\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 3000 WAITALL => 3000\n");
	assert_clean();
	RET("reader", 1, 3000, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 1), 4 * MS + 10 * US);
	n = rcv_sleeps("reader", "b", sl, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(sl[0]->time, 1 * MS);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(sl[i]->cc, 0);
		ck_assert_int_eq(sl[i]->lock_owner, tid_of("reader"));
	}
}
END_TEST

/* While the first reader sleeps in the inner loop holding SB_LOCK, a
 * second blocking reader sleeps on sb_flags ("netlck"), and one with
 * MSG_DONTWAIT fails in sblock(M_DONTWAIT) with EWOULDBLOCK. */
START_TEST(test_waitall_inner_lock)
{
	int second = -1, third = -1;

	run(profs[_i],
	    "tcp a b  b.rcvbuf=2048\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "\tsleep 2ms\n"
	    "\tsend a 3000 => 3000\n"
	    "thread first:\n"
	    "\trecv b 3000 WAITALL => 3000\n"
	    "thread second:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 1000 WAITALL => 1000\n"
	    "thread third:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 10 DONTWAIT => EWOULDBLOCK\n"
	    "expect delivered b == 4000\n");
	assert_clean();
	RET("first", 0, 3000, 0, NONE, ANYCC);
	RET("third", 1, 0, K_EWOULDBLOCK, NONE, 0);
	ck_assert_int_eq(ret_time("third", 1), 1 * MS);
	for (int i = 0; i < R->nslps; i++)
		if (R->slps[i].thread == tid_of("second") && second < 0 &&
		    R->slps[i].chan == CHAN(CH_SB_FLAGS, sock_of("b"), SB_RCV))
			second = i;
	ck_assert_msg(second >= 0, "second never slept on b.so_rcv.sb_flags");
	ck_assert_str_eq(R->slps[second].wmesg, "netlck");
	ck_assert_int_eq(R->slps[second].lock_owner, tid_of("first"));
	for (int i = 0; i < R->nslps; i++)
		if (R->slps[i].thread == tid_of("third"))
			third = i;
	/* third only slept in its `sleep 1ms` */
	ck_assert_str_eq(R->slps[third].wmesg, "pause");
	/* second gets the lock only after first returned */
	ck_assert_int_ge(ret_time("second", 1), ret_time("first", 0));
}
END_TEST

/* A signal interrupts a reader sleeping for SB_LOCK ("netlck", PCATCH):
 * EINTR; and the holder, sleeping in the inner loop, returns its short
 * count when signalled in turn. */
START_TEST(test_sblock_signal)
{
	run(profs[_i],
	    "tcp a b  b.rcvbuf=2048\n"
	    "at 2ms signal second\n"
	    "at 3ms signal first\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "thread first:\n"
	    "\trecv b 3000 WAITALL => 1000\n"
	    "thread second:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 100 => EINTR\n");
	assert_clean();
	RET("second", 1, 0, K_EINTR, NONE, 0);
	ck_assert_int_eq(ret_time("second", 1), 2 * MS);
	RET("first", 0, 1000, 0, NONE, 0);
	ck_assert_int_eq(ret_time("first", 0), 3 * MS);
	ck_assert_int_eq(so("b")->rcv.flags & (SB_LOCK | SB_WANT), 0);
}
END_TEST

/* MSG_WAITALL|MSG_PEEK for more than the buffer can hold (README's
 * example).  The writer's 4096 bytes come as 1460 + 1460 (at 10 us) and
 * 1176 (held by the Nagle rule until the ack, at 30 us).  The reader peeks
 * 2920, sleeps in the inner loop, then after the wakeup starts again at
 * sb_mb (m = sb_mb) and peeks all 4096 again: 2920 + 4096 = 7016 "bytes".
 * Now the buffer is full (sbspace <= 0):
 *   netbsd-2.0 (fix (a) of kttcp.c 1.4): break, return the short count 7016;
 *   netbsd-1.6 (waitall-peek-hang):   sleep again, forever. */
static const char peek_hang[] =
    "tcp a b  rcvbuf=4096\n"
    "thread writer:\n"
    "\tsend a 4096 => 4096\n"
    "thread reader:\n"
    "\trecv b 8192 WAITALL|PEEK\n"
    "\trecv b 8192 => 4096\n";

START_TEST(test_waitall_peek_fixed)
{
	run("netbsd-2.0", peek_hang);
	assert_clean();
	RET("reader", 0, 7016, 0, NONE, 4096);
	RET("reader", 1, 4096, 0, NONE, 0);
	/* the peek leaves its 7016 "bytes" in the buffer: seen, not delivered */
	ck_assert_int_eq(so("b")->delivered, 4096);
	ck_assert_int_eq(so("b")->peeked, 7016);
}
END_TEST

START_TEST(test_waitall_peek_hang)
{
	const Slp *sl[8];
	int n;

	run("netbsd-1.6", peek_hang);
	ck_assert_msg(R->w->deadlocked, "netbsd-1.6: no deadlock: %s", R->w->run->stop_msg);
	ck_assert_int_eq(R->w->stop, STOP_DEADLOCK);
	ck_assert_str_eq(violation_names[R->w->violation], "none");
	ck_assert_ptr_nonnull(strstr(R->w->run->deadlock_msg,
	    "thread reader sleeps on b.so_rcv.sb_cc (\"netio\")"));
	n = rcv_sleeps("reader", "b", sl, 8);
	ck_assert_int_ge(n, 2);
	/* the last sleep: in the inner loop, lock held, buffer full */
	ck_assert_int_eq(sl[n - 1]->lock_owner, tid_of("reader"));
	ck_assert_int_eq(sl[n - 1]->cc, 4096);
	ck_assert_int_le(sbspace(&so("b")->rcv), 0);
	ck_assert_int_eq(R->w->threads[tid_of("reader")].state, TS_SLEEP);
	teardown();

	/* the quirk alone makes netbsd-2.0 hang the same way */
	run_q("netbsd-2.0", 1u << QUIRK_WAITALL_PEEK_HANG, peek_hang);
	ck_assert_msg(R->w->deadlocked, "netbsd-2.0 + quirk: no deadlock: %s", R->w->run->stop_msg);
	teardown();

	/* and netbsd-1.6 without it returns the short count */
	run("netbsd-1.6", "quirk waitall-peek-hang off\n"
	    "tcp a b  rcvbuf=4096\n"
	    "thread writer:\n"
	    "\tsend a 4096 => 4096\n"
	    "thread reader:\n"
	    "\trecv b 8192 WAITALL|PEEK => 7016\n"
	    "\trecv b 8192 => 4096\n");
	assert_clean();
	RET("reader", 0, 7016, 0, NONE, 4096);
}
END_TEST

/* freebsd-9.1 has neither the peek break nor a hang: its inner loop calls
 * pru_rcvd and sleeps only if sb_mb is still NULL, which a peek never makes
 * it.  So after peeking the 2920 bytes of the first two segments it sets
 * m = sb_mb and peeks them again, and again, until resid is used up:
 * 2920 + 2920 + 2352 = 8192 at 10 us, before the last 1176 bytes arrive. */
START_TEST(test_waitall_peek_freebsd)
{
	run("freebsd-9.1",
	    "tcp a b  rcvbuf=4096\n"
	    "thread writer:\n"
	    "\tsend a 4096 => 4096\n"
	    "thread reader:\n"
	    "\trecv b 8192 WAITALL|PEEK => 8192\n"
	    "\trecv b 8192 => 2920\n"
	    "\trecv b 8192 => 1176\n");
	assert_clean();
	RET("reader", 0, 8192, 0, NONE, 2920);
	ck_assert_int_eq(ret_time("reader", 0), 10 * US);
	RET("reader", 1, 2920, 0, NONE, 0);
	RET("reader", 2, 1176, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 2), 30 * US);
}
END_TEST

/* ---- SO_RCVLOWAT ---- */

/* The low-water mark only matters while sb_cc < resid: the reader sleeps
 * with 1000 and 2000 bytes there and wakes at 3000 >= 2500, returning all
 * 3000; a request smaller than sb_cc is served at once whatever the mark;
 * MSG_DONTWAIT ignores the mark. */
START_TEST(test_rcvlowat)
{
	const Slp *sl[8];
	int n;

	/* full segments (mss=1000): no send waits for an ACK that b delays */
	run(profs[_i],
	    "tcp a b  b.rcvlowat=2500 mss=1000\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "\tsleep 1ms\n"
	    "\tsend a 1000 => 1000\n"
	    "\tsleep 1ms\n"
	    "\tsend a 1000 => 1000\n"
	    "\tsleep 1ms\n"
	    "\tsend a 1000 => 1000\n"
	    "thread reader:\n"
	    "\trecv b 8192 => 3000\n"
	    "\trecv b 500 => 500\n"
	    "\trecv b 8192 DONTWAIT => 500\n"
	    "\tsetsockopt b rcvlowat=0 => EINVAL\n"
	    "\tsetsockopt b rcvlowat=1000000 => 0\n");
	assert_clean();
	RET("reader", 0, 3000, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 0), 2 * MS + 10 * US);
	n = rcv_sleeps("reader", "b", sl, 8);
	ck_assert_int_ge(n, 3);
	ck_assert_int_eq(sl[0]->cc, 0);
	ck_assert_int_eq(sl[1]->cc, 1000);
	ck_assert_int_eq(sl[2]->cc, 2000);
	RET("reader", 1, 500, 0, NONE, 500);
	ck_assert_int_eq(ret_time("reader", 1), 3 * MS + 10 * US);
	RET("reader", 2, 500, 0, NONE, 0);
	/* lowat is clamped to hiwat, and 0 was refused */
	ck_assert_int_eq(so("b")->rcv.lowat, so("b")->rcv.hiwat);
}
END_TEST

/* ---- zero-length reads, EOF, reset ---- */

/* uio_resid == 0: on an empty buffer the blocking branch returns 0 at
 * once (check 5); with data it copies nothing and leaves sb_cc alone, and
 * orig_resid == 0 suppresses the nothing-consumed restart. */
START_TEST(test_recv_zero)
{
	run(profs[_i],
	    "tcp a b\n"
	    "thread writer:\n"
	    "\tsend a 100 => 100\n"
	    "thread reader:\n"
	    "\trecv b 0 => 0\n"
	    "\tsleep 1ms\n"
	    "\trecv b 0 => 0\n"
	    "\trecv b 0 WAITALL => 0\n"
	    "\trecv b 0 PEEK => 0\n"
	    "\trecv b 100 => 100\n");
	assert_clean();
	RET("reader", 0, 0, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 0), 0);
	RET("reader", 2, 0, 0, NONE, 100);
	RET("reader", 3, 0, 0, NONE, 100);
	RET("reader", 4, 0, 0, NONE, 100);
	RET("reader", 5, 100, 0, NONE, 0);
}
END_TEST

/* A FIN (SS_CANTRCVMORE) with an empty buffer: 0, every time. */
START_TEST(test_eof_fin)
{
	run(profs[_i],
	    "tcp a b\n"
	    "at 1ms fin b\n"
	    "thread reader:\n"
	    "\trecv b 100 => 0\n"
	    "\trecv b 100 => 0\n"
	    "\trecv b 100 WAITALL => 0\n"
	    "\trecv b 100 PEEK => 0\n");
	assert_clean();
	/* a sends the FIN at 1 ms; it arrives 10 us later */
	RET("reader", 0, 0, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 0), 1 * MS + 10 * US);
	RET("reader", 1, 0, 0, NONE, 0);
	RET("reader", 2, 0, 0, NONE, 0);
	RET("reader", 3, 0, 0, NONE, 0);
	ck_assert(so("b")->state & SS_CANTRCVMORE);
}
END_TEST

/* Data before the FIN is read first; MSG_WAITALL for more than will ever
 * come ends at the FIN with a short count and no error (outer branch:
 * CANTRCVMORE with data goes to dontblock; inner loop: CANTRCVMORE
 * breaks); then 0. */
START_TEST(test_eof_after_data)
{
	run(profs[_i],
	    "tcp a b\n"
	    "thread writer:\n"
	    "\tsend a 3000 => 3000\n"
	    "\tshutdown a wr => 0\n"
	    "thread reader:\n"
	    "\trecv b 8000 WAITALL => 3000\n"
	    "\trecv b 8000 => 0\n"
	    "expect delivered b == 3000\n");
	assert_clean();
	RET("reader", 0, 3000, 0, NONE, 0);
	RET("reader", 1, 0, 0, NONE, 0);
}
END_TEST

/* shutdown(SHUT_RD) flushes so_rcv and sets CANTRCVMORE: reads return 0. */
START_TEST(test_shutdown_rd)
{
	run(profs[_i],
	    "tcp a b\n"
	    "thread writer:\n"
	    "\tsend a 500 => 500\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\tshutdown b rd => 0\n"
	    "\trecv b 100 => 0\n");
	assert_clean();
	RET("reader", 1, 0, 0, NONE, 0);
	RET("reader", 2, 0, 0, NONE, 0);
	ck_assert_int_eq(so("b")->rx_app, 0);
}
END_TEST

/* A reset: the data already there is read first (so_error with m != NULL
 * goes to dontblock), then ECONNRESET; MSG_PEEK returns the error without
 * clearing it, a plain read clears it; then EOF. */
START_TEST(test_rst)
{
	run(profs[_i],
	    "tcp a b\n"
	    "at 1ms rst b\n"
	    "thread writer:\n"
	    "\tsend a 500 => 500\n"
	    "thread reader:\n"
	    "\tsleep 2ms\n"
	    "\trecv b 100 PEEK => 100\n"
	    "\trecv b 1000 => 500\n"
	    "\trecv b 1000 PEEK => ECONNRESET\n"
	    "\trecv b 1000 PEEK => ECONNRESET\n"
	    "\trecv b 1000 => ECONNRESET\n"
	    "\trecv b 1000 => 0\n"
	    "\tsend b 10 => EPIPE\n"
	    "expect b.error == 0\n");
	assert_clean();
	RET("reader", 1, 100, 0, NONE, 500);
	RET("reader", 2, 500, 0, NONE, 0);
	RET("reader", 3, 0, K_ECONNRESET, NONE, 0);
	RET("reader", 4, 0, K_ECONNRESET, NONE, 0);
	RET("reader", 5, 0, K_ECONNRESET, NONE, 0);
	RET("reader", 6, 0, 0, NONE, 0);
}
END_TEST

/* A reset wakes a reader sleeping in the outer wait: ECONNRESET at once. */
START_TEST(test_rst_wakes_reader)
{
	run(profs[_i],
	    "tcp a b\n"
	    "at 1ms rst b\n"
	    "thread reader:\n"
	    "\trecv b 100 => ECONNRESET\n"
	    "\trecv b 100 => 0\n");
	assert_clean();
	RET("reader", 0, 0, K_ECONNRESET, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 0), 1 * MS);
	RET("reader", 1, 0, 0, NONE, 0);
}
END_TEST

/* A reset during the inner MSG_WAITALL sleep: the loop breaks on so_error,
 * the call returns the short count without an error (error is still 0 in
 * soreceive), and the next call reports ECONNRESET. */
START_TEST(test_rst_waitall_inner)
{
	run(profs[_i],
	    "tcp a b  b.rcvbuf=2048\n"
	    "at 1ms rst b\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "thread reader:\n"
	    "\trecv b 3000 WAITALL => 1000\n"
	    "\trecv b 10 => ECONNRESET\n"
	    "\trecv b 10 => 0\n");
	assert_clean();
	RET("reader", 0, 1000, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 0), 1 * MS);
	RET("reader", 1, 0, K_ECONNRESET, NONE, 0);
	RET("reader", 2, 0, 0, NONE, 0);
	ck_assert_int_eq(so("b")->rcv.flags & SB_LOCK, 0);
}
END_TEST

/* ---- out-of-band data ---- */

/*
 * 06-oob.scn's writer: 100 bytes, then 10 with MSG_OOB (snd_up = 110:
 * the urgent byte is the 110th), then 50.  b gets so_oobmark =
 * sb_cc + (rcv_up - rcv_nxt) - 1 = 100 + 10 - 1 = 109, and the urgent byte
 * is pulled out of the stream: 159 bytes arrive in so_rcv.
 */
#define OOB_WRITER \
    "tcp a b\n" \
    "thread writer:\n" \
    "\tsend a 100 => 100\n" \
    "\tsend a 10 OOB => 10\n" \
    "\tsend a 50 => 50\n"

/* A read stops at the mark; MSG_OOB returns the one urgent byte (msg_flags:
 * MSG_OOB); the next read continues after the mark; a
 * second MSG_OOB is EINVAL (TCPOOB_HADDATA). */
START_TEST(test_oob)
{
	run(profs[_i], OOB_WRITER
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 1000 => 109\n"
	    "\trecv b 1 OOB => 1\n"
	    "\trecv b 1000 => 50\n"
	    "\trecv b 1 OOB => EINVAL\n"
	    "expect delivered b == 160\n");
	assert_clean();
	RET("reader", 1, 109, 0, NONE, 50);
	RET("reader", 2, 1, 0, OOBRD, 50);
	RET("reader", 3, 50, 0, NONE, 0);
	RET("reader", 4, 0, K_EINVAL, NONE, 0);
}
END_TEST

/* The urgent byte can be read before the data in front of it (so_oobmark
 * != 0); the normal read still stops at the mark.  A peek also stops at
 * the mark (offset == so_oobmark).  MSG_OOB|MSG_PEEK leaves the byte. */
START_TEST(test_oob_first_and_peek)
{
	run(profs[_i], OOB_WRITER
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 1 OOB|PEEK => 1\n"
	    "\trecv b 1 OOB => 1\n"
	    "\trecv b 1 OOB => EINVAL\n"
	    "\trecv b 1000 PEEK => 109\n"
	    "\trecv b 1000 => 109\n"
	    "\trecv b 1000 => 50\n");
	assert_clean();
	RET("reader", 1, 1, 0, OOBRD, 159);
	RET("reader", 2, 1, 0, OOBRD, 159);
	RET("reader", 3, 0, K_EINVAL, NONE, 159);
	RET("reader", 4, 109, 0, NONE, 159);
	RET("reader", 5, 109, 0, NONE, 50);
	RET("reader", 6, 50, 0, NONE, 0);
}
END_TEST

/* MSG_OOB without urgent data (so_oobmark == 0, not at the mark): EINVAL,
 * whether or not normal data is there.  With SO_OOBINLINE: EINVAL too,
 * and the urgent byte stays in the stream (reads still stop at the mark). */
START_TEST(test_oob_einval)
{
	run(profs[_i],
	    "tcp a b\n"
	    "thread writer:\n"
	    "\tsend a 100 => 100\n"
	    "thread reader:\n"
	    "\trecv b 1 OOB => EINVAL\n"
	    "\tsleep 1ms\n"
	    "\trecv b 1 OOB => EINVAL\n"
	    "\trecv b 1000 => 100\n");
	assert_clean();
	RET("reader", 0, 0, K_EINVAL, NONE, 0);
	RET("reader", 2, 0, K_EINVAL, NONE, 100);
	RET("reader", 3, 100, 0, NONE, 0);
	teardown();

	run(profs[_i],
	    "tcp a b  b.oobinline=1\n"
	    "thread writer:\n"
	    "\tsend a 100 => 100\n"
	    "\tsend a 10 OOB => 10\n"
	    "\tsend a 50 => 50\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 1 OOB => EINVAL\n"
	    "\trecv b 1000 => 109\n"
	    "\trecv b 1000 => 51\n"
	    "expect delivered b == 160\n");
	assert_clean();
	RET("reader", 1, 0, K_EINVAL, NONE, 160);
	RET("reader", 2, 109, 0, NONE, 51);
	RET("reader", 3, 51, 0, NONE, 0);
}
END_TEST

/* The urgent pointer can arrive before the urgent byte: a 3000-byte
 * MSG_OOB send into a 2048-byte window puts 2048 bytes and the pointer
 * (so_oobmark = 2999) in so_rcv; the byte comes only after the reader
 * opens the window.  Meanwhile PRU_RCVOOB says EWOULDBLOCK (a mark, but
 * no TCPOOB_HAVEDATA), and a read takes the 2048 bytes, short of the mark. */
START_TEST(test_oob_ewouldblock)
{
	run(profs[_i],
	    "tcp a b  b.rcvbuf=2048\n"
	    "thread writer:\n"
	    "\tsend a 3000 OOB => 3000\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 1 OOB => EWOULDBLOCK\n"
	    "\trecv b 5000 => 2048\n"
	    "\tsleep 1ms\n"
	    "\trecv b 1 OOB => 1\n"
	    "\trecv b 5000 => 951\n"
	    "\trecv b 1 OOB => EINVAL\n"
	    "expect delivered b == 3000\n");
	assert_clean();
	RET("reader", 1, 0, K_EWOULDBLOCK, NONE, 2048);
	RET("reader", 2, 2048, 0, NONE, 0);
	ck_assert_int_eq(so("b")->oobmark, 0);
	RET("reader", 4, 1, 0, OOBRD, 951);
	RET("reader", 5, 951, 0, NONE, 0);
	RET("reader", 6, 0, K_EINVAL, NONE, 0);
	ck_assert(so("b")->state & SS_RCVATMARK);
}
END_TEST

/*
 * MSG_WAITALL|MSG_PEEK with the urgent mark beyond the data.  The kernel
 * sets `offset = 0` once, after dontblock; the inner MSG_WAITALL loop
 * resets only m and nextrecord (kttcp.c 1.1 lines 599-600; FreeBSD's loop
 * likewise), so after m = sb_mb the peek goes on counting `offset` and
 * stops when it reaches so_oobmark.  With 2048 bytes in so_rcv and
 * so_oobmark = 2999 (see test_oob_ewouldblock), the first pass peeks 2048
 * (offset 2048), the second pass from sb_mb is cut to 2999 - 2048 = 951
 * bytes and breaks at the mark: 2999.  (Resetting the offset would peek
 * on to 5000 on freebsd-9.1, or 4096 on netbsd-1.6 woken by a reset.)
 */
START_TEST(test_waitall_peek_mark)
{
	/* FreeBSD: the inner loop does not sleep (sb_mb != NULL after pru_rcvd) */
	run("freebsd-9.1",
	    "tcp a b  b.rcvbuf=2048\n"
	    "thread writer:\n"
	    "\tsend a 3000 OOB => 3000\n"
	    "thread reader:\n"
	    "\trecv b 5000 WAITALL|PEEK => 2999\n");
	RET("reader", 0, 2999, 0, NONE, 2048);
	ck_assert_int_eq(ret_time("reader", 0), 10 * US);
	assert_clean();
	teardown();

	/* NetBSD 1.6: sleeps with the buffer full; a reset wakes it, it
	 * peeks again from sb_mb and stops at the mark */
	run("netbsd-1.6",
	    "tcp a b  b.rcvbuf=2048\n"
	    "at 1ms rst b\n"
	    "thread writer:\n"
	    "\tsend a 3000 OOB => 3000\n"
	    "thread reader:\n"
	    "\trecv b 5000 WAITALL|PEEK => 2999\n");
	RET("reader", 0, 2999, 0, NONE, 2048);
	ck_assert_int_eq(ret_time("reader", 0), 1 * MS);
	assert_clean();
}
END_TEST

/* MSG_OOB with resid 0: PRU_RCVOOB takes the byte (HAVEDATA -> HADDATA)
 * and nothing is copied: 0, and the byte is gone. */
START_TEST(test_oob_zero_resid)
{
	run(profs[_i], OOB_WRITER
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 0 OOB => 0\n"
	    "\trecv b 1 OOB => EINVAL\n");
	assert_clean();
	RET("reader", 1, 0, 0, OOBRD, 159);
	RET("reader", 2, 0, K_EINVAL, NONE, 159);
}
END_TEST

/* ---- SO_RCVTIMEO and signals ---- */

/*
 * 13-rcvtimeo.scn with times.  sb_timeo = 5 ms on every sbwait:
 *   op 0 (outer wait, empty): EWOULDBLOCK at 5 ms;
 *   op 1 (WAITALL 200 <= hiwat, outer wait): the 100 bytes at 7.01 ms wake
 *        it, it goes back to sleep with a new 5 ms timeout and gives up
 *        at 12.01 ms with EWOULDBLOCK, the data left in so_rcv;
 *   op 2 (WAITALL 20000 > hiwat): copies the 100 bytes, sleeps in the inner
 *        loop; the timeout at 17.01 ms returns 100 with no error.
 * rcvbuf=16384 gives every profile the same hiwat.
 */
START_TEST(test_rcvtimeo)
{
	run(profs[_i],
	    "tcp a b  b.rcvtimeo=5ms b.rcvbuf=16384\n"
	    "thread writer:\n"
	    "\tsleep 7ms\n"
	    "\tsend a 100 => 100\n"
	    "thread reader:\n"
	    "\trecv b 100 => EWOULDBLOCK\n"
	    "\trecv b 200 WAITALL => EWOULDBLOCK\n"
	    "\trecv b 20000 WAITALL => 100\n"
	    "expect delivered b == 100\n");
	assert_clean();
	RET("reader", 0, 0, K_EWOULDBLOCK, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 0), 5 * MS);
	RET("reader", 1, 0, K_EWOULDBLOCK, NONE, 100);
	ck_assert_int_eq(ret_time("reader", 1), 12 * MS + 10 * US);
	RET("reader", 2, 100, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 2), 17 * MS + 10 * US);
}
END_TEST

/* A signal in the outer wait: EINTR (nothing was copied).  A signal in the
 * inner MSG_WAITALL sleep: the short count, no error, the lock released. */
START_TEST(test_signal)
{
	run(profs[_i],
	    "tcp a b  b.rcvbuf=2048\n"
	    "at 1ms signal reader\n"
	    "at 3ms signal reader\n"
	    "thread writer:\n"
	    "\tsleep 2ms\n"
	    "\tsend a 1000 => 1000\n"
	    "thread reader:\n"
	    "\trecv b 100 => EINTR\n"
	    "\trecv b 3000 WAITALL => 1000\n"
	    "\trecv b 10 DONTWAIT => EWOULDBLOCK\n");
	assert_clean();
	RET("reader", 0, 0, K_EINTR, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 0), 1 * MS);
	RET("reader", 1, 1000, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 1), 3 * MS);
	ck_assert_int_eq(so("b")->rcv.flags & SB_LOCK, 0);
}
END_TEST

/* A signal in the outer MSG_WAITALL wait with data present: EINTR, the
 * data stays in so_rcv. */
START_TEST(test_signal_outer_waitall)
{
	run(profs[_i],
	    "tcp a b  b.rcvbuf=4096\n"
	    "at 2ms signal reader\n"
	    "thread writer:\n"
	    "\tsend a 1000 => 1000\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 3000 WAITALL => EINTR\n"
	    "\trecv b 3000 => 1000\n");
	assert_clean();
	RET("reader", 1, 0, K_EINTR, NONE, 1000);
	ck_assert_int_eq(ret_time("reader", 1), 2 * MS);
	RET("reader", 2, 1000, 0, NONE, 0);
}
END_TEST

/* ---- UDP ---- */

/* A datagram longer than the read: MSG_TRUNC and the rest of the record
 * is dropped (sbdroprecord); the next read gets the next datagram.  Each
 * read takes one record only, with its sender's address.  sb_cc counts
 * the 16-byte address mbuf of each record. */
START_TEST(test_udp_trunc)
{
	run(profs[_i],
	    "udp u 10.0.0.1:53\n"
	    "at 1ms datagram u from 10.0.0.2:4000 len 300\n"
	    "at 1ms datagram u from 10.0.0.3:4001 len 80\n"
	    "thread reader:\n"
	    "\trecv u 100 => 100 TRUNC\n"
	    "\trecv u 100 => 80\n"
	    "\trecv u 100 DONTWAIT => EWOULDBLOCK\n"
	    "expect u.rcv.cc == 0\n"
	    "expect delivered u == 180\n");
	assert_clean();
	RET("reader", 0, 100, 0, TRUNC, 80 + 16);
	ck_assert_int_eq(ret_of("reader", 0)->records, 1);
	ck_assert_uint_eq(ret_of("reader", 0)->ip, 0x0a000002);
	ck_assert_uint_eq(ret_of("reader", 0)->port, 4000);
	RET("reader", 1, 80, 0, NONE, 0);
	ck_assert_int_eq(ret_of("reader", 1)->records, 0);
	ck_assert_uint_eq(ret_of("reader", 1)->ip, 0x0a000003);
	ck_assert_uint_eq(ret_of("reader", 1)->port, 4001);
	RET("reader", 2, 0, K_EWOULDBLOCK, NONE, 0);
	ck_assert_int_eq(so("u")->rx_dropped, 200);
	if (R->w->prof->udp_soreceive_dgram) {
		ck_assert_int_eq(R->w->cost[R_SORECEIVE_DGRAM].calls, 3);
		ck_assert_int_eq(R->w->cost[R_SORECEIVE].calls, 0);
	} else {
		ck_assert_int_eq(R->w->cost[R_SORECEIVE_DGRAM].calls, 0);
		ck_assert_int_eq(R->w->cost[R_SORECEIVE].calls, 3);
	}
}
END_TEST

/* Datagrams sent by a program (sendto) carry the sender's bound address;
 * the same truncation rules apply. */
START_TEST(test_udp_sendto)
{
	run(profs[_i],
	    "udp u 10.0.0.1:53\n"
	    "udp v 10.0.0.2:5353\n"
	    "thread writer:\n"
	    "\tsendto v u 300 => 300\n"
	    "\tsendto v u 80 => 80\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv u 100 => 100 TRUNC\n"
	    "\trecv u 100 => 80\n"
	    "expect delivered u == 180\n");
	assert_clean();
	RET("reader", 1, 100, 0, TRUNC, 80 + 16);
	ck_assert_uint_eq(ret_of("reader", 1)->ip, 0x0a000002);
	ck_assert_uint_eq(ret_of("reader", 1)->port, 5353);
	RET("reader", 2, 80, 0, NONE, 0);
	ck_assert_uint_eq(ret_of("reader", 2)->port, 5353);
}
END_TEST

/* MSG_PEEK|truncation: MSG_TRUNC is reported but the record stays; the
 * full read then gets all of it.  On freebsd-9.1 the peek falls back from
 * soreceive_dgram to the generic soreceive. */
START_TEST(test_udp_peek_trunc)
{
	run(profs[_i],
	    "udp u 10.0.0.1:53\n"
	    "at 1ms datagram u from 10.0.0.2:4000 len 300\n"
	    "at 1ms datagram u from 10.0.0.3:4001 len 80\n"
	    "thread reader:\n"
	    "\trecv u 100 PEEK => 100 TRUNC\n"
	    "\trecv u 1000 PEEK => 300\n"
	    "\trecv u 1000 => 300\n"
	    "\trecv u 1000 => 80\n");
	assert_clean();
	RET("reader", 0, 100, 0, TRUNC, 300 + 16 + 80 + 16);
	ck_assert_int_eq(ret_of("reader", 0)->records, 2);
	ck_assert_uint_eq(ret_of("reader", 0)->ip, 0x0a000002);
	RET("reader", 1, 300, 0, NONE, 300 + 16 + 80 + 16);
	RET("reader", 2, 300, 0, NONE, 80 + 16);
	ck_assert_uint_eq(ret_of("reader", 2)->ip, 0x0a000002);
	RET("reader", 3, 80, 0, NONE, 0);
	ck_assert_uint_eq(ret_of("reader", 3)->port, 4001);
	if (R->w->prof->udp_soreceive_dgram) {
		/* every call enters soreceive_dgram; the two peeks go on to the generic one */
		ck_assert_int_eq(R->w->cost[R_SORECEIVE_DGRAM].calls, 4);
		ck_assert_int_eq(R->w->cost[R_SORECEIVE].calls, 2);
	} else {
		ck_assert_int_eq(R->w->cost[R_SORECEIVE_DGRAM].calls, 0);
		ck_assert_int_eq(R->w->cost[R_SORECEIVE].calls, 4);
	}
}
END_TEST

/* recv of 0 bytes with a datagram queued: nothing copied, data left in the
 * record, so MSG_TRUNC and the record is dropped (generic: m != NULL &&
 * PR_ATOMIC; dgram: bytes remain).  An empty datagram reads as 0 with no
 * flag and does not restart (orig_resid = 0 after the address).  Control
 * mbufs are thrown away when the caller gave no control buffer. */
START_TEST(test_udp_zero)
{
	run(profs[_i],
	    "udp u 10.0.0.1:53\n"
	    "at 1ms datagram u from 10.0.0.2:4000 len 300\n"
	    "at 2ms datagram u from 10.0.0.3:4001 len 0\n"
	    "at 3ms datagram u from 10.0.0.4:4002 len 80 control 12\n"
	    "thread reader:\n"
	    "\trecv u 0 => 0\n"
	    "\tsleep 1500us\n"
	    "\trecv u 0 => 0 TRUNC\n"
	    "\trecv u 100 => 0\n"
	    "\trecv u 100 => 80\n");
	assert_clean();
	/* empty buffer, resid 0: 0 at once, without sleeping */
	RET("reader", 0, 0, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 0), 0);
	RET("reader", 2, 0, 0, TRUNC, 0);
	ck_assert_int_eq(ret_of("reader", 2)->records, 0);
	ck_assert_int_eq(ret_time("reader", 2), 1500 * US);
	RET("reader", 3, 0, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 3), 2 * MS);
	ck_assert_uint_eq(ret_of("reader", 3)->ip, 0x0a000003);
	RET("reader", 4, 80, 0, NONE, 0);
	ck_assert_uint_eq(ret_of("reader", 4)->ip, 0x0a000004);
	ck_assert_int_eq(so("u")->rcv.mbcnt, 0);
}
END_TEST

/* UDP and MSG_DONTWAIT, SS_NBIO, MSG_OOB (not supported by UDP). */
START_TEST(test_udp_nonblocking)
{
	run(profs[_i],
	    "udp u 10.0.0.1:53\n"
	    "at 1ms datagram u from 10.0.0.2:4000 len 50\n"
	    "thread reader:\n"
	    "\trecv u 100 DONTWAIT => EWOULDBLOCK\n"
	    "\tsetsockopt u nonblock=1 => 0\n"
	    "\trecv u 100 => EWOULDBLOCK\n"
	    "\tsleep 1ms\n"
	    "\trecv u 100 OOB => EOPNOTSUPP\n"
	    "\trecv u 100 => 50\n"
	    "\trecv u 100 => EWOULDBLOCK\n");
	assert_clean();
	RET("reader", 0, 0, K_EWOULDBLOCK, NONE, 0);
	RET("reader", 2, 0, K_EWOULDBLOCK, NONE, 0);
	RET("reader", 4, 0, K_EOPNOTSUPP, NONE, 50 + 16);
	RET("reader", 5, 50, 0, NONE, 0);
	RET("reader", 6, 0, K_EWOULDBLOCK, NONE, 0);
}
END_TEST

/* freebsd-9.1 (14-freebsd-dgram.scn): plain UDP reads go through
 * soreceive_dgram and never take SB_LOCK; a peek falls back to the generic
 * path, which does. */
START_TEST(test_freebsd_dgram)
{
	run("freebsd-9.1",
	    "udp u 10.0.0.1:53\n"
	    "at 1ms datagram u from 10.0.0.2:4000 len 300\n"
	    "at 2ms datagram u from 10.0.0.3:4001 len 80\n"
	    "thread reader:\n"
	    "\trecv u 1000 DONTWAIT => EWOULDBLOCK\n"
	    "\trecv u 100 => 100 TRUNC\n"
	    "\trecv u 50 PEEK => 50\n"
	    "\trecv u 100 => 80\n"
	    "expect u.rcv.cc == 0\n");
	assert_clean();
	RET("reader", 0, 0, K_EWOULDBLOCK, NONE, 0);
	RET("reader", 1, 100, 0, TRUNC, 0);
	ck_assert_int_eq(ret_time("reader", 1), 1 * MS);
	/* the peek waited (generic path) for the second datagram */
	RET("reader", 2, 50, 0, TRUNC, 80 + 16);
	ck_assert_int_eq(ret_time("reader", 2), 2 * MS);
	RET("reader", 3, 80, 0, NONE, 0);
	ck_assert_int_eq(R->w->cost[R_SORECEIVE_DGRAM].calls, 4);
	ck_assert_int_eq(R->w->cost[R_SORECEIVE].calls, 1);
	/* sblock was called only by the peek, once: FreeBSD keeps it across
	 * the sleep and restarts after it */
	ck_assert_int_eq(R->w->cost[R_SBLOCK].calls, 1);
}
END_TEST

/* FreeBSD 9.1 sends a datagram through sosend_dgram, without sblock;
 * NetBSD's sosend takes it for every send. */
START_TEST(test_freebsd_sosend_dgram)
{
	static const char text[] =
	    "udp u 10.0.0.1:53\n"
	    "udp v\n"
	    "thread t:\n"
	    "\tsendto v u 100 => 100\n"
	    "\tsendto v u 200 => 200\n";

	run("freebsd-9.1", text);
	assert_clean();
	ck_assert_int_eq(R->w->cost[R_SBLOCK].calls, 0);
	teardown();
	run("netbsd-2.0", text);
	assert_clean();
	ck_assert_int_eq(R->w->cost[R_SBLOCK].calls, 2);
}
END_TEST

/* ---- more of the blocking branch ---- */

/* every profile with the generic soreceive for TCP (OpenBSD included) */
static const char *const allprofs[] = { "netbsd-1.6", "netbsd-2.0", "freebsd-9.1", "openbsd-7.5",
	"openbsd-7.6" };
#define NALLPROFS	((int)G_N_ELEMENTS(allprofs))

/* A protocol that requires a connection, not connected: ENOTCONN, unless
 * data or EOF are there to return first. */
START_TEST(test_enotconn)
{
	run(allprofs[_i],
	    "tcp lone\n"
	    "thread reader:\n"
	    "\trecv lone 10 => ENOTCONN\n"
	    "\trecv lone 10 WAITALL => ENOTCONN\n");
	assert_clean();
	RET("reader", 0, 0, K_ENOTCONN, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 0), 0);
}
END_TEST

/* so_error with data in so_rcv: the data comes first (a reader waiting
 * for more with MSG_WAITALL takes what is there: "if (m) goto
 * dontblock"), then the error. */
START_TEST(test_error_after_data)
{
	run(allprofs[_i],
	    "tcp a b\n"
	    "at 2ms rst b\n"
	    "thread writer:\n"
	    "\tsend a 100 => 100\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 1000 WAITALL => 100\n"
	    "\trecv b 1000 => ECONNRESET\n"
	    "\trecv b 1000 => 0\n");
	assert_clean();
	RET("reader", 1, 100, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 1), 2 * MS);
	RET("reader", 2, 0, K_ECONNRESET, NONE, 0);
}
END_TEST

/* Datagrams are PR_ATOMIC: below SO_RCVLOWAT, and with MSG_WAITALL, a
 * read returns the first datagram at once and never waits for more. */
START_TEST(test_udp_lowat_waitall)
{
	run(allprofs[_i],
	    "udp u 10.0.0.1:53 rcvlowat=5000\n"
	    "at 1ms datagram u from 10.0.0.2:4000 len 100\n"
	    "at 1ms datagram u from 10.0.0.2:4000 len 200\n"
	    "at 2ms datagram u from 10.0.0.3:4000 len 300\n"
	    "thread reader:\n"
	    "\trecv u 8000 => 100\n"
	    "\trecv u 8000 => 200\n"
	    "\trecv u 8000 WAITALL => 300\n");
	assert_clean();
	RET("reader", 0, 100, 0, NONE, 200 + 16);
	ck_assert_int_eq(ret_time("reader", 0), 1 * MS);
	RET("reader", 1, 200, 0, NONE, 0);
	RET("reader", 2, 300, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 2), 2 * MS);
}
END_TEST

/* A peek skips the address and the control mbufs and leaves them, with
 * the data, in the record; the read that follows frees them. */
START_TEST(test_udp_control_peek)
{
	run(allprofs[_i],
	    "udp u 10.0.0.1:53\n"
	    "at 1ms datagram u from 10.0.0.4:4002 len 80 control 12\n"
	    "thread reader:\n"
	    "\tsleep 2ms\n"
	    "\trecv u 100 PEEK => 80\n"
	    "\trecv u 100 => 80\n");
	assert_clean();
	RET("reader", 1, 80, 0, NONE, 16 + 12 + 80);
	ck_assert_int_eq(ret_of("reader", 1)->records, 1);
	ck_assert_uint_eq(ret_of("reader", 1)->ip, 0x0a000004);
	RET("reader", 2, 80, 0, NONE, 0);
	ck_assert_int_eq(so("u")->rcv.mbcnt, 0);
	ck_assert_int_eq(so("u")->peeked, 80);
}
END_TEST

/* ---- records and out-of-band data as a protocol may queue them ----
 *
 * TCP never puts M_EOR, MT_OOBDATA or an empty mbuf in so_rcv; the
 * generic soreceive still handles them, for the protocols that do.  These
 * tests queue such mbufs in b's so_rcv (the bytes of a's stream, as if a
 * had sent them) just before the reader's call, and check what it does.
 */

/* Start the scenario; R is set, nothing has run. */
static void
begin(const char *prof, const char *text)
{
	const Profile *p = profile_find(prof);
	GError *err = NULL;
	Rec *r = g_new0(Rec, 1);

	ck_assert_ptr_nonnull(p);
	r->prof = prof;
	r->s = scenario_parse_string("t.scn", text, &err);
	ck_assert_msg(r->s != NULL, "scenario does not parse:\n%s", err ? err->message : "?");
	r->w = world_new(r->s, p, p->quirks);
	r->w->run->sink.fn = sink;
	r->w->run->sink.ctx = r;
	R = r;
}

/* Run until `thread` is about to start its op `op` (from 0). */
static void
run_to(const char *thread, int op)
{
	int tid = tid_of(thread);

	while (R->w->threads[tid].pc < op || scenario_op_started(R->w, tid))
		ck_assert_msg(sched_step(R->w), "%s: the run ended before %s op %d: %s", R->prof,
		    thread, op, R->w->run->stop_msg);
	ck_assert_int_eq(R->w->threads[tid].pc, op);
}

/* Queue len bytes of the peer's stream in TCP socket `sock`'s so_rcv, in
 * one mbuf of `type` with `flags`: through sbappendstream, or linked at
 * the tail as it is (raw: an empty mbuf stays).  The accounts follow, as
 * if the peer had sent them and they were acknowledged. */
static void
inject(const char *sock, uint32_t len, int type, int flags, bool raw)
{
	World *w = R->w;
	Socket *b = so(sock), *a = &w->socks[b->peer];
	Sockbuf *sb = &b->rcv;
	Ref m = m_get(w, M_DONTWAIT, type);

	ck_assert(!ref_null(m));
	mb(w, m)->len = len;
	mb(w, m)->flags |= (uint8_t)flags;
	payload_fill(mtod(w, m), tcp_stream_id(b->peer), b->rx_total, len);
	if (raw) {
		if (ref_null(sb->mb)) {
			sb->mb = m;
			sb->lastrecord = m;
		} else
			mb(w, sb->mbtail)->next = m;
		sb->mbtail = m;
		sballoc(w, sb, m);
	} else
		sbappendstream(w, b, sb, m);
	b->rx_total += len;
	a->tx_app += len;
	a->tx_acked += len;
	ck_assert(sbcheck(w, socket_index(w, b), SB_RCV));
}

static void
finish(void)
{
	sched_run(R->w);
}

/* M_EOR ends a read at the record's end, with MSG_EOR, even one that
 * waits (MSG_WAITALL, or below SO_RCVLOWAT): the blocking branch goes to
 * dontblock when the chain holds an M_EOR mbuf. */
START_TEST(test_eor_ends_read)
{
	begin(allprofs[_i],
	    "tcp a b  b.rcvlowat=1000\n"
	    "thread writer:\n"
	    "\tsend a 100 => 100\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 5000 WAITALL => 150 EOR\n"
	    "\trecv b 5000 => 70 EOR\n"
	    "\trecv b 5000 DONTWAIT => 20 -\n");
	run_to("reader", 1);
	ck_assert_int_eq(so("b")->rcv.cc, 100);
	inject("b", 50, MT_DATA, M_EOR, false);
	inject("b", 30, MT_DATA, 0, false);         /* never copied into an M_EOR mbuf */
	inject("b", 40, MT_DATA, M_EOR, false);
	ck_assert_int_eq(mb(R->w, so("b")->rcv.mbtail)->flags & M_EOR, M_EOR);
	run_to("reader", 2);
	inject("b", 20, MT_DATA, 0, false);
	finish();
	assert_clean();
	RET("reader", 1, 150, 0, K_MSG_EOR, 70);
	ck_assert_int_eq(ret_time("reader", 1), 1 * MS);
	RET("reader", 2, 70, 0, K_MSG_EOR, 20);
	RET("reader", 3, 20, 0, NONE, 0);
}
END_TEST

/* MT_OOBDATA mbufs in the stream (as protocols that queue urgent data in
 * band do): a read takes data of one kind only.  A normal read stops
 * before the out-of-band mbufs; the next read returns those, with
 * MSG_OOB, and stops before the normal data after them. */
START_TEST(test_oobdata_mbufs)
{
	begin(allprofs[_i],
	    "tcp a b\n"
	    "thread writer:\n"
	    "\tsend a 100 => 100\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 5000 WAITALL => 100 -\n"
	    "\trecv b 5000 => 10 OOB\n"
	    "\trecv b 5 PEEK => 5 -\n"
	    "\trecv b 5000 => 20 -\n");
	run_to("reader", 1);
	inject("b", 4, MT_OOBDATA, 0, false);
	inject("b", 6, MT_OOBDATA, 0, false);       /* copied into the one before */
	inject("b", 20, MT_DATA, 0, false);
	ck_assert_int_eq(nmb("b"), 3);
	finish();
	assert_clean();
	RET("reader", 1, 100, 0, NONE, 30);
	RET("reader", 2, 10, 0, K_MSG_OOB, 20);
	RET("reader", 3, 5, 0, NONE, 20);
	RET("reader", 4, 20, 0, NONE, 0);
}
END_TEST

/* An empty mbuf at the head: soreceive copies nothing, and "if we didn't
 * copy anything" (nothing consumed, no EOR, more can come) it restarts
 * from the top, where so_rcv is empty now (FreeBSD restarts after its
 * sblock, the others unlock and lock again): MSG_DONTWAIT gets
 * EWOULDBLOCK, a blocking read waits for data. */
START_TEST(test_nothing_consumed_restart)
{
	begin(allprofs[_i],
	    "tcp a b\n"
	    "thread writer:\n"
	    "\tsleep 2ms\n"
	    "\tsend a 50 => 50\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 100 DONTWAIT => EWOULDBLOCK\n"
	    "\trecv b 100 => 50\n");
	run_to("reader", 1);
	inject("b", 0, MT_DATA, 0, true);
	ck_assert_int_eq(so("b")->rcv.mbcnt, 256);
	run_to("reader", 2);
	ck_assert(ref_null(so("b")->rcv.mb));
	ck_assert_int_eq(so("b")->rcv.mbcnt, 0);
	/* the restart took sblock again, but on FreeBSD, which kept it */
	ck_assert_int_eq(R->w->cost[R_SBLOCK].calls, R->w->prof->sblock_kept_in_sbwait ? 1 : 2);
	inject("b", 0, MT_DATA, 0, true);
	finish();
	assert_clean();
	RET("reader", 1, 0, K_EWOULDBLOCK, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 1), 1 * MS);
	RET("reader", 2, 50, 0, NONE, 0);
	ck_assert_int_eq(ret_time("reader", 2), 2 * MS + 10 * US);
	ck_assert_int_eq(so("b")->rcv.mbcnt, 0);
}
END_TEST

/* An empty mbuf that ends a record: a record of no bytes, read as 0 with
 * MSG_EOR, and no restart (the EOR counts as something received).  An
 * empty mbuf after the peer's FIN: 0, end of file, without a restart. */
START_TEST(test_empty_record_and_eof)
{
	begin(allprofs[_i],
	    "tcp a b\n"
	    "at 2ms fin b\n"
	    "thread reader:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 100 => 0 EOR\n"
	    "\trecv b 100 DONTWAIT => EWOULDBLOCK\n"
	    "\tsleep 2ms\n"
	    "\trecv b 100 => 0 -\n");
	run_to("reader", 1);
	inject("b", 0, MT_DATA, M_EOR, true);
	run_to("reader", 4);
	ck_assert(so("b")->state & SS_CANTRCVMORE);
	inject("b", 0, MT_DATA, 0, true);
	{
		uint64_t locks = R->w->cost[R_SBLOCK].calls;

		finish();
		ck_assert_uint_eq(R->w->cost[R_SBLOCK].calls, locks + 1);
	}
	assert_clean();
	RET("reader", 1, 0, 0, K_MSG_EOR, 0);
	ck_assert_int_eq(ret_time("reader", 1), 1 * MS);
	RET("reader", 2, 0, K_EWOULDBLOCK, NONE, 0);
	RET("reader", 4, 0, 0, NONE, 0);
	ck_assert(ref_null(so("b")->rcv.mb));
	ck_assert_int_eq(so("b")->rcv.mbcnt, 0);
}
END_TEST

static Suite *
soreceive_suite(void)
{
	Suite *s = suite_create("soreceive");
	TCase *tc;

	tc = tcase_create("tcp");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_tcp_plain, 0, NPROFS);
	tcase_add_loop_test(tc, test_tcp_peek, 0, NPROFS);
	tcase_add_loop_test(tc, test_tcp_dontwait, 0, NPROFS);
	tcase_add_loop_test(tc, test_tcp_dontwait_waitall_inner, 0, NPROFS);
	tcase_add_loop_test(tc, test_tcp_nonblock, 0, NPROFS);
	tcase_add_loop_test(tc, test_rcvlowat, 0, NPROFS);
	tcase_add_loop_test(tc, test_recv_zero, 0, NPROFS);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("waitall");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_waitall_outer, 0, NPROFS);
	tcase_add_loop_test(tc, test_sbwait_keeps_sblock, 0, NPROFS);
	tcase_add_loop_test(tc, test_waitall_inner, 0, NPROFS);
	tcase_add_loop_test(tc, test_waitall_inner_lock, 0, NPROFS);
	tcase_add_loop_test(tc, test_sblock_signal, 0, NPROFS);
	tcase_add_test(tc, test_waitall_peek_fixed);
	tcase_add_test(tc, test_waitall_peek_hang);
	tcase_add_test(tc, test_waitall_peek_freebsd);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("eof");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_eof_fin, 0, NPROFS);
	tcase_add_loop_test(tc, test_eof_after_data, 0, NPROFS);
	tcase_add_loop_test(tc, test_shutdown_rd, 0, NPROFS);
	tcase_add_loop_test(tc, test_rst, 0, NPROFS);
	tcase_add_loop_test(tc, test_rst_wakes_reader, 0, NPROFS);
	tcase_add_loop_test(tc, test_rst_waitall_inner, 0, NPROFS);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("oob");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_oob, 0, NPROFS);
	tcase_add_loop_test(tc, test_oob_first_and_peek, 0, NPROFS);
	tcase_add_loop_test(tc, test_oob_einval, 0, NPROFS);
	tcase_add_loop_test(tc, test_oob_zero_resid, 0, NPROFS);
	tcase_add_loop_test(tc, test_oob_ewouldblock, 0, NPROFS);
	tcase_add_test(tc, test_waitall_peek_mark);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("timeout");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_rcvtimeo, 0, NPROFS);
	tcase_add_loop_test(tc, test_signal, 0, NPROFS);
	tcase_add_loop_test(tc, test_signal_outer_waitall, 0, NPROFS);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("udp");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_udp_trunc, 0, NPROFS);
	tcase_add_loop_test(tc, test_udp_peek_trunc, 0, NPROFS);
	tcase_add_loop_test(tc, test_udp_sendto, 0, NPROFS);
	tcase_add_loop_test(tc, test_udp_zero, 0, NPROFS);
	tcase_add_loop_test(tc, test_udp_nonblocking, 0, NPROFS);
	tcase_add_test(tc, test_freebsd_dgram);
	tcase_add_test(tc, test_freebsd_sosend_dgram);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("blocking");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_enotconn, 0, NALLPROFS);
	tcase_add_loop_test(tc, test_error_after_data, 0, NALLPROFS);
	tcase_add_loop_test(tc, test_udp_lowat_waitall, 0, NALLPROFS);
	tcase_add_loop_test(tc, test_udp_control_peek, 0, NALLPROFS);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("records");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_eor_ends_read, 0, NALLPROFS);
	tcase_add_loop_test(tc, test_oobdata_mbufs, 0, NALLPROFS);
	tcase_add_loop_test(tc, test_nothing_consumed_restart, 0, NALLPROFS);
	tcase_add_loop_test(tc, test_empty_record_and_eof, 0, NALLPROFS);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(soreceive_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
