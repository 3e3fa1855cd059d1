/*
 * test_splice.c: socket splicing, checked against the kernel code it models:
 * OpenBSD's sosplice(), somove() and somove_dgram() (sim/splice.c,
 * sim/somove.c; profiles openbsd-7.5 and openbsd-7.6) and the NetBSD
 * splice(2) prototype of 2005 (sim/sys_splice.c; profile
 * netbsd-2005-splice).
 *
 * Where the expected values come from (never from what sosim prints):
 *   - sosplice's check order and errnos: OpenBSD sys/kern/uipc_socket.c
 *     v1.385 (repo openbsd/src, file id 21445649691 in the index,
 *     "O385"), the order docs/research/splice.md section 1.1 tells the
 *     simulator to follow for both OpenBSD profiles; sosetopt(SO_SPLICE)
 *     for the short option forms.  Where the 2020 code (v1.250, "O19",
 *     section 1.2) would answer differently, the comment says so.
 *   - somove/somove_dgram arithmetic: O385 somove() and the somove_dgram()
 *     of mvs@'s "Unlock udp(4) somove()" diff on uipc_socket.c 1.337
 *     (OpenBSD tech@, July 2024; lines 340-563 of the post, "MVS24" in
 *     splice.md); splice.md section 2.
 *   - sys_splice, splice1, splice_movedata and the kcont continuation:
 *     Jonathan Stone's NetBSD splice(2) prototype as posted to tech-net
 *     on 2005-10-05 (sys_splice.c of that post, lines 113-433; "JS05" in
 *     splice.md); splice.md section 6.  "L<n>" below is a line of that
 *     post.
 *
 * Each test builds a small scenario from a string, parses it with the
 * scenario parser, runs it with the scheduler and records from the event
 * stream what each system call returned (value, errno, the data bytes
 * left in the op socket's so_rcv right after), each batch of bytes somove took off a source (the
 * EVK_MOVE "somove" event: the socket, the length, the thread that
 * ran it and which somove pass it belongs to), each splice_movedata of the
 * 2005 prototype, and each sounsplice.
 *
 * The scenarios are built so that the value under test does not depend on
 * scheduling: the amount moved by the first pass (sosplice's own
 * somove(M_WAIT), with the data already queued and the drain empty) and
 * the totals at the end of a run, never the size of a later pass (whose
 * mbuf-split rule differs between the 2019 and 2024 code: splice.md 2.1).
 * The 2005 prototype's moves are each checked against min(send space,
 * receive count) taken from the state at the moment of the move.
 *
 * The "fixed-bugs" tests found two places where sosim disagreed with the
 * kernel code (ph_loopcnt on reused mbufs, the direction of the 2005
 * continuation); they keep the kernel's values.
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
#include "world_hash.h"

#define MS	1000000LL
#define ANY	(-1)

static const char *const obsd[] = { "openbsd-7.5", "openbsd-7.6" };
#define NOBSD	((int)G_N_ELEMENTS(obsd))
#define NETBSD05 "netbsd-2005-splice"

/* ---- running a scenario and recording what happened ---- */

/* One system call of a scenario thread, as it returned. */
typedef struct {
	int thread;
	int op;                 /* index in the thread's program, from 0 */
	int64_t rv;
	int err;
	int64_t time;
	int64_t cc;             /* sb_datacc of the op's socket's so_rcv right after:
	                         * data bytes, without the datagrams' SONAME mbufs */
	int nmoves;             /* somove takes recorded before this return */
} Ret;

/* One batch of bytes somove took off a source's so_rcv. */
typedef struct {
	int thread;             /* -1: softnet */
	int sock;               /* the source */
	int64_t len;            /* bytes (a datagram, or a stretch of stream) */
	int64_t cc;             /* the source's sb_cc after the take (sim's event field a) */
	uint64_t pass;          /* somove pass (stats.somove_calls) it belongs to */
	int64_t time;
} Move;

/* One splice_movedata of the 2005 prototype. */
typedef struct {
	int from, to;
	int64_t moved;
	int64_t cc_before;      /* from->so_rcv.sb_cc before the soreceive */
	int64_t space_before;   /* sbspace(&to->so_snd) before the PRU_SEND */
	int64_t time;
} Md;

/* One sounsplice. */
typedef struct {
	int sock;
	int64_t splicelen;
	int64_t time;
	int thread;             /* who ran it: -1 softnet */
} Uns;

typedef struct {
	const char *prof;
	char *text;
	Scenario *s;
	World *w;
	Ret rets[1024];
	int nrets;
	Move moves[1024];
	int nmoves;
	Md mds[256];
	int nmds;
	Uns uns[64];
	int nuns;
	int negspace;           /* splice_movedata: "splice: negative space" */
	int kcont_cancelled;    /* a kcont whose splice_state was gone */
	int idle_unspliced;     /* soidle found the source no longer spliced */
	int task_dels, timeout_dels;    /* entries taken off the sosplice/softclock queues */
	int stalls;             /* somove passes that had room, less than the source's first mbuf */
	int stall_src, stall_drain;     /* the sockets test_tcp_take_nothing watches */
	bool overflow;
} Rec;

static Rec *R;

static void
sink(void *ctx, const World *w, const SimEvent *ev)
{
	Rec *r = ctx;

	if (ev->kind == EVK_RETURN && ev->thread >= 0) {
		Ret *x;

		if (r->nrets == (int)G_N_ELEMENTS(r->rets)) {
			r->overflow = true;
			return;
		}
		x = &r->rets[r->nrets++];
		x->thread = ev->thread;
		x->op = w->threads[ev->thread].pc;
		x->rv = ev->v[0];
		x->err = (int)ev->v[1];
		x->time = w->now;
		x->cc = ev->sock >= 0 && ev->sock < w->nsocks ? w->socks[ev->sock].rcv.datacc : -1;
		x->nmoves = r->nmoves;
	} else if (ev->kind == EVK_MOVE && strcmp(ev->routine, "somove") == 0) {
		Move *x;

		if (r->nmoves == (int)G_N_ELEMENTS(r->moves)) {
			r->overflow = true;
			return;
		}
		x = &r->moves[r->nmoves++];
		x->thread = ev->thread;
		x->sock = ev->sock;
		x->len = ev->v[0];
		x->cc = ev->v[1];
		x->pass = w->stats.somove_calls;
		x->time = w->now;
	} else if (ev->kind == EVK_MOVE && strcmp(ev->routine, "splice_movedata") == 0) {
		/* emitted after the soreceive, before the PRU_SEND on `to` */
		const Socket *from = &w->socks[ev->sock];
		int k = from->upcall_knot;
		Md *x;

		if (r->nmds == (int)G_N_ELEMENTS(r->mds) || k < 0) {
			r->overflow = true;
			return;
		}
		x = &r->mds[r->nmds++];
		x->from = ev->sock;
		x->to = w->kmem[k].so1 == ev->sock ? w->kmem[k].so2 : w->kmem[k].so1;
		x->moved = ev->v[0];
		x->cc_before = from->rcv.cc + ev->v[0];
		x->space_before = sbspace(&w->socks[x->to].snd);
		x->time = w->now;
	} else if (ev->kind == EVK_UNSPLICE) {
		Uns *x;

		if (r->nuns == (int)G_N_ELEMENTS(r->uns)) {
			r->overflow = true;
			return;
		}
		x = &r->uns[r->nuns++];
		x->sock = ev->sock;
		x->splicelen = ev->v[1];
		x->time = w->now;
		x->thread = ev->thread;
	} else if (ev->kind == EVK_NOTE && strcmp(ev->routine, "splice_movedata") == 0 &&
	    strstr(ev->detail, "negative space") != NULL)
		r->negspace++;
	else if (ev->kind == EVK_NOTE && strcmp(ev->routine, "kcont") == 0)
		r->kcont_cancelled++;
	else if (ev->kind == EVK_NOTE && strcmp(ev->routine, "soidle") == 0)
		r->idle_unspliced++;
	else if (ev->kind == EVK_QUEUE && strcmp(ev->routine, "task_del") == 0)
		r->task_dels++;
	else if (ev->kind == EVK_QUEUE && strcmp(ev->routine, "timeout_del") == 0)
		r->timeout_dels++;
	else if (ev->kind == EVK_TRANS && strcmp(ev->routine, "somove") == 0 &&
	    strcmp(ev->from, "nextpkt") == 0 && strcmp(ev->to, "release") == 0 && r->stall_src > 0) {
		const Socket *so = &w->socks[r->stall_src], *sosp = &w->socks[r->stall_drain];
		const Mbuf *m = world_mbuf(w, so->rcv.mb);
		int64_t space = sbspace(&sosp->snd);

		/* nothing was taken: so_rcv is as nextpkt found it */
		if (m != NULL && space > 0 && space >= sosp->snd.lowat && sosp->snd.cc > 0 &&
		    (int64_t)m->len > space && so->error == 0)
			r->stalls++;
	}
}

/* Rec text on profile prof, with the profile's and the scenario's quirks. */
static Rec *
run(const char *prof, const char *text)
{
	const Profile *p = profile_find(prof);
	GError *err = NULL;
	Rec *r;

	ck_assert_msg(p != NULL, "no profile %s", prof);
	r = g_new0(Rec, 1);
	r->prof = prof;
	r->text = g_strdup(text);
	r->s = scenario_parse_string("t.scn", text, &err);
	ck_assert_msg(r->s != NULL, "scenario does not parse:\n%s", err ? err->message : "?");
	r->w = world_new(r->s, p, (p->quirks | r->s->quirks_on) & ~r->s->quirks_off);
	r->w->run->sink.fn = sink;
	r->w->run->sink.ctx = r;
	sched_run(r->w);
	R = r;
	ck_assert_msg(!r->overflow, "%s: too many events for the recording arrays", prof);
	return r;
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

/* The run made again without a trace (as `sosim run --quiet` makes it)
 * ends in the same world: tracing changes nothing. */
static void
assert_same_untraced(void)
{
	const Profile *p = profile_find(R->prof);
	GError *err = NULL;
	Scenario *s = scenario_parse_string("t.scn", R->text, &err);
	World *w;

	ck_assert_ptr_nonnull(s);
	w = world_new(s, p, (p->quirks | s->quirks_on) & ~s->quirks_off);
	sched_run(w);
	ck_assert_int_eq(w->stop, R->w->stop);
	ck_assert_int_eq(w->step, R->w->step);
	ck_assert_int_eq(w->now, R->w->now);
	ck_assert(world_hash(w) == world_hash(R->w));
	world_free(w);
	scenario_free(s);
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

/* Op `op` of `thread` returned rv with errno err, leaving cc data bytes in
 * its socket's so_rcv (ANY: not checked). */
#define RET(th, op, rv, err)		check_ret(__LINE__, th, op, rv, err, ANY)
#define RETCC(th, op, rv, err, cc)	check_ret(__LINE__, th, op, rv, err, cc)

static void
check_ret(int line, const char *thread, int op, int64_t rv, int err, int64_t cc)
{
	const Ret *x = ret_of(thread, op);

	ck_assert_msg(x->rv == rv && x->err == err && (cc < 0 || x->cc == cc),
	    "line %d, %s: %s op %d (%s): got rv %lld err %s cc %lld; want rv %lld err %s cc %lld",
	    line, R->prof, thread, op, R->s->threads[x->thread].ops[op].text, (long long)x->rv,
	    ename(x->err), (long long)x->cc, (long long)rv, ename(err), (long long)cc);
}

/* The run ended normally, with every `=>` and `expect` line held. */
static void
assert_clean(void)
{
	harness_assert_clean(R->w, R->prof);
}

/* The takes of source `sock`, in order; returns how many. */
static int
moves_of(const char *sock, const Move **out, int max)
{
	int s = sock_of(sock), n = 0;

	for (int i = 0; i < R->nmoves; i++)
		if (R->moves[i].sock == s && n < max)
			out[n++] = &R->moves[i];
	return n;
}

static int64_t
moved_total(const char *sock)
{
	int s = sock_of(sock);
	int64_t sum = 0;

	for (int i = 0; i < R->nmoves; i++)
		if (R->moves[i].sock == s)
			sum += R->moves[i].len;
	return sum;
}

/* The takes made inside op `op` of `thread` (sosplice's first somove):
 * by that thread, after its previous op returned and before this one did. */
static int
moves_in_op(const char *thread, int op, const Move **out, int max)
{
	const Ret *x = ret_of(thread, op);
	int tid = tid_of(thread), n = 0;
	int from = op > 0 ? ret_of(thread, op - 1)->nmoves : 0;

	for (int i = from; i < x->nmoves; i++)
		if (R->moves[i].thread == tid && n < max)
			out[n++] = &R->moves[i];
	return n;
}

static int
unsplices_of(const char *sock, const Uns **out, int max)
{
	int s = sock_of(sock), n = 0;

	for (int i = 0; i < R->nuns; i++)
		if (R->uns[i].sock == s && n < max)
			out[n++] = &R->uns[i];
	return n;
}

/* ================================================================== */
/* 1. sosplice(): every errno, in the kernel's check order             */
/* ================================================================== */

/*
 * One errno at a time, in O385 order:
 *   sosetopt(SO_SPLICE): m_len < sizeof(int) -> EINVAL
 *   (2) max && max < 0 -> EINVAL;  (3) tv->tv_sec < 0 -> EINVAL
 *   (4) fd < 0: unsplice; not spliced -> EPROTO
 *   (6) getsock(fd): not open -> EBADF, not a socket -> ENOTSOCK
 *   (7) drain's pru_send differs from the source's -> EPROTONOSUPPORT
 *   (9) source or drain SO_ACCEPTCONN -> EOPNOTSUPP
 *   (10) source PR_CONNREQUIRED and not (IS)CONNECTED/CONNECTING -> ENOTCONN
 *   (11) drain not connected (any protocol) -> ENOTCONN
 *   (12) source->ssp_socket or drain->ssp_soback -> EBUSY
 * An unconnected UDP source passes (10): UDP has no PR_CONNREQUIRED
 * (regress error/args-udp-ENOTCONN.pl).  Check (1), no PR_SPLICE, cannot
 * be reached: the scenario language has only TCP and UDP, which both
 * have PR_SPLICE.
 */
START_TEST(test_errno_each)
{
	run(obsd[_i],
	    "tcp a b\n"
	    "tcp x y\n"
	    "tcp lone\n"
	    "tcp l listen\n"
	    "udp u\n"
	    "udp v connect=u\n"
	    "udp w\n"
	    "thread t:\n"
	    "\tsplice a x max=-1 => EINVAL\n"           /* 0 */
	    "\tsplice a x idle=-1s => EINVAL\n"         /* 1 */
	    "\tsplice a x optlen=2 => EINVAL\n"         /* 2 */
	    "\tunsplice a => EPROTO\n"                  /* 3 */
	    "\tsplice a badfd => EBADF\n"               /* 4 */
	    "\tsplice a notsock => ENOTSOCK\n"          /* 5 */
	    "\tsplice a u => EPROTONOSUPPORT\n"         /* 6 */
	    "\tsplice u a => EPROTONOSUPPORT\n"         /* 7 */
	    "\tsplice l x => EOPNOTSUPP\n"              /* 8 */
	    "\tsplice a l => EOPNOTSUPP\n"              /* 9 */
	    "\tsplice lone x => ENOTCONN\n"             /* 10 */
	    "\tsplice a lone => ENOTCONN\n"             /* 11 */
	    "\tsplice u w => ENOTCONN\n"                /* 12 */
	    "\tsplice w v => 0\n"                       /* 13 */
	    "\tsplice a x => 0\n"                       /* 14 */
	    "\tsplice a y => EBUSY\n"                   /* 15 */
	    "\tsplice b x => EBUSY\n"                   /* 16 */
	    "\tsplice u v => EBUSY\n"                   /* 17 */
	    "\tsplice x y => 0\n"                       /* 18: a drain may be a source too */
	    "\tunsplice a => 0\n"                       /* 19 */
	    "\tunsplice x => 0\n"                       /* 20 */
	    "\tunsplice w => 0\n"                       /* 21 */
	    "\tunsplice w => EPROTO\n"                  /* 22 */
	    "\tsplice b x => 0\n"                       /* 23: x's source is gone */
	    "\tunsplice b => 0\n"                       /* 24 */
	    "expect violation none\n");
	assert_clean();
	RET("t", 0, 0, K_EINVAL);
	RET("t", 1, 0, K_EINVAL);
	RET("t", 2, 0, K_EINVAL);
	RET("t", 3, 0, K_EPROTO);
	RET("t", 4, 0, K_EBADF);
	RET("t", 5, 0, K_ENOTSOCK);
	RET("t", 6, 0, K_EPROTONOSUPPORT);
	RET("t", 7, 0, K_EPROTONOSUPPORT);
	RET("t", 8, 0, K_EOPNOTSUPP);
	RET("t", 9, 0, K_EOPNOTSUPP);
	RET("t", 10, 0, K_ENOTCONN);
	RET("t", 11, 0, K_ENOTCONN);
	RET("t", 12, 0, K_ENOTCONN);
	RET("t", 13, 0, 0);
	RET("t", 14, 0, 0);
	RET("t", 15, 0, K_EBUSY);
	RET("t", 16, 0, K_EBUSY);
	RET("t", 17, 0, K_EBUSY);
	RET("t", 18, 0, 0);
	RET("t", 19, 0, 0);
	RET("t", 20, 0, 0);
	RET("t", 21, 0, 0);
	RET("t", 22, 0, K_EPROTO);
	RET("t", 23, 0, 0);
	RET("t", 24, 0, 0);
}
END_TEST

/*
 * Two errors at once, where O385 and O19 agree (the max and idle checks
 * and getsock come before the drain's protocol and before any check made
 * under the sblocks; sosetopt's length check comes before sosplice):
 *   negative max and a bad descriptor          -> EINVAL (2 before 6)
 *   negative idle and a bad descriptor         -> EINVAL (3 before 6)
 *   negative max and a drain of another proto  -> EINVAL (2 before 7)
 *   a 2-byte option and a bad descriptor       -> EINVAL (sosetopt)
 *   optlen 4 (an int: sosplice(so, fd, 0, NULL)) with max=-1: the max is
 *     not passed, so a bad descriptor is EBADF and a good one splices
 *   source already spliced and a bad descriptor -> EBADF (6 before 12)
 *   source already spliced and a UDP drain     -> EPROTONOSUPPORT (7 before 12)
 *   source already spliced and a negative max  -> EINVAL (2 before 12)
 *   listening source and unconnected drain     -> EOPNOTSUPP
 *   unconnected source and unconnected drain   -> ENOTCONN
 */
START_TEST(test_errno_precedence)
{
	run(obsd[_i],
	    "tcp a b\n"
	    "tcp x y\n"
	    "tcp lone\n"
	    "tcp lone2\n"
	    "tcp l listen\n"
	    "udp u\n"
	    "thread t:\n"
	    "\tsplice a badfd max=-1 => EINVAL\n"               /* 0 */
	    "\tsplice a badfd idle=-1s => EINVAL\n"             /* 1 */
	    "\tsplice a notsock max=-1 idle=-1s => EINVAL\n"    /* 2 */
	    "\tsplice a u max=-1 => EINVAL\n"                   /* 3 */
	    "\tsplice a badfd optlen=2 => EINVAL\n"             /* 4 */
	    "\tsplice a badfd max=-1 optlen=4 => EBADF\n"       /* 5 */
	    "\tsplice a x max=-1 idle=-1s optlen=4 => 0\n"      /* 6 */
	    "\tsplice a badfd => EBADF\n"                       /* 7 */
	    "\tsplice a u => EPROTONOSUPPORT\n"                 /* 8 */
	    "\tsplice a y max=-1 => EINVAL\n"                   /* 9 */
	    "\tsplice a y => EBUSY\n"                           /* 10 */
	    "\tunsplice a => 0\n"                               /* 11 */
	    "\tsplice l lone => EOPNOTSUPP\n"                   /* 12 */
	    "\tsplice lone lone2 => ENOTCONN\n"                 /* 13 */
	    "expect violation none\n");
	assert_clean();
	RET("t", 0, 0, K_EINVAL);
	RET("t", 1, 0, K_EINVAL);
	RET("t", 2, 0, K_EINVAL);
	RET("t", 3, 0, K_EINVAL);
	RET("t", 4, 0, K_EINVAL);
	RET("t", 5, 0, K_EBADF);
	RET("t", 6, 0, 0);
	RET("t", 7, 0, K_EBADF);
	RET("t", 8, 0, K_EPROTONOSUPPORT);
	RET("t", 9, 0, K_EINVAL);
	RET("t", 10, 0, K_EBUSY);
	RET("t", 11, 0, 0);
	RET("t", 12, 0, K_EOPNOTSUPP);
	RET("t", 13, 0, K_ENOTCONN);
}
END_TEST

/*
 * Two errors at once where the answer depends on the version of the code.
 * These follow O385, the order docs/research/splice.md section 1 gives the
 * simulator for both profiles: the source's listen and connected checks
 * are made under the sblocks, together with the drain's, after getsock
 * and the protocol check; the unsplice branch checks nothing but "is it
 * spliced" (EPROTO); the drain's EOPNOTSUPP/ENOTCONN come before EBUSY.
 * O19 (2020) answers differently on every line (in brackets): its source
 * checks come first, before the fd < 0 branch and before max, and its
 * EBUSY comes before the drain's checks.  The 1.32x/1.337 text of 7.5 and
 * 7.6 is not in the index (splice.md, "Not retrieved").
 */
START_TEST(test_errno_precedence_o385)
{
	run(obsd[_i],
	    "tcp a b\n"
	    "tcp x y\n"
	    "tcp lone\n"
	    "tcp l listen\n"
	    "udp u\n"
	    "thread t:\n"
	    "\tsplice lone badfd => EBADF\n"            /* 0  [O19: ENOTCONN] */
	    "\tsplice l badfd => EBADF\n"               /* 1  [O19: EOPNOTSUPP] */
	    "\tsplice l u => EPROTONOSUPPORT\n"         /* 2  [O19: EOPNOTSUPP] */
	    "\tsplice lone x max=-1 => EINVAL\n"        /* 3  [O19: ENOTCONN] */
	    "\tsplice lone l => EOPNOTSUPP\n"           /* 4  [O19: ENOTCONN] */
	    "\tunsplice l => EPROTO\n"                  /* 5  [O19: EOPNOTSUPP] */
	    "\tunsplice lone => EPROTO\n"               /* 6  [O19: ENOTCONN] */
	    "\tsplice a x => 0\n"                       /* 7 */
	    "\tsplice a l => EOPNOTSUPP\n"              /* 8  [O19: EBUSY] */
	    "\tsplice a lone => ENOTCONN\n"             /* 9  [O19: EBUSY] */
	    "\tunsplice a => 0\n"                       /* 10 */
	    "\tunsplice a => EPROTO\n"                  /* 11 [O19: 0] */
	    "expect violation none\n");
	assert_clean();
	RET("t", 0, 0, K_EBADF);
	RET("t", 1, 0, K_EBADF);
	RET("t", 2, 0, K_EPROTONOSUPPORT);
	RET("t", 3, 0, K_EINVAL);
	RET("t", 4, 0, K_EOPNOTSUPP);
	RET("t", 5, 0, K_EPROTO);
	RET("t", 6, 0, K_EPROTO);
	RET("t", 7, 0, 0);
	RET("t", 8, 0, K_EOPNOTSUPP);
	RET("t", 9, 0, K_ENOTCONN);
	RET("t", 10, 0, 0);
	RET("t", 11, 0, K_EPROTO);
}
END_TEST

/*
 * Closed descriptors: setsockopt on a closed source and getsock() of a
 * closed drain both fail with EBADF.  Profiles without SO_SPLICE answer
 * ENOPROTOOPT (sosetopt/sogetopt default), and the 2005 splice(2) is not
 * a system call of OpenBSD (ENOSYS).
 */
START_TEST(test_errno_closed_and_other_profiles)
{
	run(obsd[_i],
	    "tcp a b\n"
	    "tcp x y\n"
	    "thread t:\n"
	    "\tclose y => 0\n"                  /* 0 */
	    "\tsplice a y => EBADF\n"           /* 1 */
	    "\tsplice y a => EBADF\n"           /* 2 */
	    "\tsys_splice a b\n"                /* 3 */
	    "\tsplice a x => 0\n"               /* 4 */
	    "\tunsplice a => 0\n");             /* 5 */
	assert_clean();
	RET("t", 1, 0, K_EBADF);
	RET("t", 2, 0, K_EBADF);
	RET("t", 3, 0, K_ENOSYS);
	RET("t", 4, 0, 0);
	teardown();

	run("netbsd-2.0",
	    "tcp a b\n"
	    "tcp x y\n"
	    "thread t:\n"
	    "\tsplice a x\n"
	    "\tunsplice a\n"
	    "\tgetsplice a\n"
	    "\tsys_splice a x\n");
	assert_clean();
	RET("t", 0, 0, K_ENOPROTOOPT);
	RET("t", 1, 0, K_ENOPROTOOPT);
	RET("t", 2, 0, K_ENOPROTOOPT);
	RET("t", 3, 0, K_ENOSYS);
}
END_TEST

/*
 * getsockopt(SO_SPLICE) returns so_splicelen: 0 on a socket never spliced
 * (O385 sogetopt: so_sp ? ssp_len : 0), the bytes moved, kept after the
 * unsplice, untouched by a splice that fails (sosplice sets
 * so_splicelen = 0 only after every check passed), and reset by the next
 * splice.  A drain's own count stays 0.
 */
START_TEST(test_getsplice)
{
	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "tcp lone\n"
	    "thread client:\n"
	    "\tsend c 3000 => 3000\n"
	    "thread relay:\n"
	    "\tgetsplice r1 => 0\n"             /* 0 */
	    "\tsleep 1ms\n"                     /* 1 */
	    "\tsplice r1 r2 => 0\n"             /* 2 */
	    "\tunsplice r1 => 0\n"              /* 3 */
	    "\tgetsplice r1 => 3000\n"          /* 4 */
	    "\tgetsplice r2 => 0\n"             /* 5 */
	    "\tunsplice r1 => EPROTO\n"         /* 6 */
	    "\tsplice r1 lone => ENOTCONN\n"    /* 7 */
	    "\tgetsplice r1 => 3000\n"          /* 8 */
	    "\tsplice r1 r2 => 0\n"             /* 9 */
	    "\tgetsplice r1 => 0\n"             /* 10 */
	    "\tunsplice r1 => 0\n"              /* 11 */
	    "\tgetsplice r1 => 0\n"             /* 12 */
	    "thread server:\n"
	    "\trecv s 3000 WAITALL => 3000\n"
	    "expect delivered s == 3000\n"
	    "expect violation none\n");
	assert_clean();
	RET("relay", 0, 0, 0);
	/* the first pass took all 3000 queued bytes */
	RETCC("relay", 2, 0, 0, 0);
	RET("relay", 4, 3000, 0);
	RET("relay", 5, 0, 0);
	RET("relay", 6, 0, K_EPROTO);
	RET("relay", 7, 0, K_ENOTCONN);
	RET("relay", 8, 3000, 0);
	RET("relay", 10, 0, 0);
	RET("relay", 12, 0, 0);
}
END_TEST

/* ================================================================== */
/* 2. somove on a stream (TCP)                                         */
/* ================================================================== */

/*
 * The first pass (sosplice's somove(M_WAIT)) moves
 *     len = sb_datacc; with a max: min(len, max - splicelen);
 *     space = sbspace(drain so_snd); space < len: len = space
 *         (if space >= sb_lowat; maxreached = 0)
 * and, with the drain's so_snd empty, an mbuf that straddles len is
 * split (both the 2019 test of the source's so_snd and the 2024 test of
 * the drain's allow it here), so exactly len bytes go.
 *
 * Source-limited: 3000 bytes queued, 16384 of drain space: 3000 move in
 * the first pass and the source is empty after sosplice returns.  The
 * splice goes on (somove returned 1).  The source's EOF later ends it
 * with no error (release: SS_CANTRCVMORE && sb_cc == 0 -> sounsplice,
 * error 0): a blocked read on the source wakes with 0 (end of file), and
 * the drain is not shut down: it still sends, and its peer sees no FIN.
 */
START_TEST(test_tcp_source_limited_eof)
{
	const Move *m[64];
	const Uns *u[4];
	int n;

	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread client:\n"
	    "\tsend c 3000 => 3000\n"
	    "\tsleep 2ms\n"
	    "\tsend c 2000 => 2000\n"
	    "\tshutdown c wr => 0\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"                     /* 0 */
	    "\tsplice r1 r2 => 0\n"             /* 1 */
	    "\trecv r1 1 => 0\n"                /* 2 */
	    "\tsoerror r1 => 0\n"               /* 3 */
	    "\tgetsplice r1 => 5000\n"          /* 4 */
	    "\tunsplice r1 => EPROTO\n"         /* 5 */
	    "\tsend r2 100 => 100\n"            /* 6 */
	    "thread server:\n"
	    "\trecv s 5100 WAITALL => 5100\n"
	    "\tsleep 10ms\n"
	    "\trecv s 1 DONTWAIT => EWOULDBLOCK\n"
	    "expect delivered s == 5100\n"
	    "expect violation none\n");
	assert_clean();
	RETCC("relay", 1, 0, 0, 0);
	n = moves_in_op("relay", 1, m, 64);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(m[0]->len, 3000);
	ck_assert_int_eq(m[0]->cc, 0);
	RET("relay", 2, 0, 0);
	ck_assert_int_ge(ret_of("relay", 2)->time, 2 * MS);
	RET("relay", 3, 0, 0);
	RET("relay", 4, 5000, 0);
	RET("relay", 6, 100, 0);
	RET("server", 2, 0, K_EWOULDBLOCK);
	ck_assert_int_eq(moved_total("r1"), 5000);
	/* one unsplice, at the EOF, after 5000 bytes */
	ck_assert_int_eq(unsplices_of("r1", u, 4), 1);
	ck_assert_int_eq(u[0]->splicelen, 5000);
	ck_assert_int_eq(R->w->socks[sock_of("r2")].state & SS_CANTSENDMORE, 0);
}
END_TEST

/*
 * A first pass that already ends the splice: the source holds data and
 * its EOF, so somove moves everything and its release sees
 * SS_CANTRCVMORE with sb_cc == 0: sounsplice inside sosplice, which
 * returns 0 all the same (O385: "return (0)" whatever somove returned;
 * SB_SPLICE is simply not set).  The next unsplice is EPROTO.  Splicing
 * the same empty, finished source again succeeds, resets so_splicelen and
 * ends in the same call.
 */
START_TEST(test_tcp_first_pass_ends)
{
	const Move *m[8];
	const Uns *u[4];

	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread client:\n"
	    "\tsend c 3000 => 3000\n"
	    "\tshutdown c wr => 0\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"                     /* 0 */
	    "\tsplice r1 r2 => 0\n"             /* 1 */
	    "\tunsplice r1 => EPROTO\n"         /* 2 */
	    "\tsoerror r1 => 0\n"               /* 3 */
	    "\tgetsplice r1 => 3000\n"          /* 4 */
	    "\trecv r1 1 => 0\n"                /* 5 */
	    "\tsplice r1 r2 => 0\n"             /* 6 */
	    "\tgetsplice r1 => 0\n"             /* 7 */
	    "\tunsplice r1 => EPROTO\n"         /* 8 */
	    "thread server:\n"
	    "\trecv s 3000 WAITALL => 3000\n"
	    "expect delivered s == 3000\n"
	    "expect violation none\n");
	assert_clean();
	RETCC("relay", 1, 0, 0, 0);
	ck_assert_int_eq(moves_in_op("relay", 1, m, 8), 1);
	ck_assert_int_eq(m[0]->len, 3000);
	RET("relay", 2, 0, K_EPROTO);
	RET("relay", 3, 0, 0);
	RET("relay", 4, 3000, 0);
	RET("relay", 5, 0, 0);
	RET("relay", 6, 0, 0);
	RET("relay", 7, 0, 0);
	RET("relay", 8, 0, K_EPROTO);
	/* both splices ended inside their sosplice call */
	ck_assert_int_eq(unsplices_of("r1", u, 4), 2);
	ck_assert_int_eq(u[0]->splicelen, 3000);
	ck_assert_int_eq(u[0]->time, ret_of("relay", 1)->time);
	ck_assert_int_eq(u[1]->splicelen, 0);
	ck_assert_int_eq(u[1]->time, ret_of("relay", 6)->time);
}
END_TEST

/*
 * Drain-limited: 10000 bytes (and the EOF) queued, the drain's so_snd
 * holds 4096 (sb_lowat 2048): the first pass moves min(10000, 4096) =
 * 4096 and leaves 5904.  No pass ever moves more than the drain's
 * sb_hiwat; the passes that follow (driven by sowwakeup on the drain)
 * carry the rest, and the EOF then ends the splice with no error.
 */
START_TEST(test_tcp_drain_limited)
{
	const Move *m[256];
	int n;

	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s r2.sndbuf=4096\n"
	    "thread client:\n"
	    "\tsend c 10000 => 10000\n"
	    "\tshutdown c wr => 0\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"                     /* 0 */
	    "\tsplice r1 r2 => 0\n"             /* 1 */
	    "\trecv r1 1 => 0\n"                /* 2 */
	    "\tsoerror r1 => 0\n"               /* 3 */
	    "\tgetsplice r1 => 10000\n"         /* 4 */
	    "thread server:\n"
	    "\trecv s 10000 WAITALL => 10000\n"
	    "expect delivered s == 10000\n"
	    "expect violation none\n");
	assert_clean();
	RETCC("relay", 1, 0, 0, 5904);
	ck_assert_int_eq(moves_in_op("relay", 1, m, 256), 1);
	ck_assert_int_eq(m[0]->len, 4096);
	n = moves_of("r1", m, 256);
	ck_assert_int_gt(n, 2);
	for (int i = 0; i < n; i++) {
		ck_assert_int_gt(m[i]->len, 0);
		ck_assert_int_le(m[i]->len, 4096);
	}
	ck_assert_int_eq(moved_total("r1"), 10000);
	RET("relay", 4, 10000, 0);
}
END_TEST

/*
 * Space below the drain's low-water mark: nothing moves.  The drain r2
 * has sb_hiwat = sb_lowat = 4096 and still holds 976 of its own 2000
 * bytes (its peer's window is 1024 and nobody reads there), so
 * space = 3120 < len = 10000 and space < sb_lowat: somove releases at
 * once, returns 1, and the splice stays (getsplice 0, the 10000 bytes
 * still in the source).  Once the server reads, the drain empties and
 * the passes move everything; the EOF ends the splice.
 */
START_TEST(test_tcp_lowat)
{
	const Move *m[8];

	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s s.rcvbuf=1024 r2.sndbuf=4096 r2.sndlowat=4096\n"
	    "thread client:\n"
	    "\tsend c 10000 => 10000\n"
	    "\tshutdown c wr => 0\n"
	    "thread relay:\n"
	    "\tsend r2 2000 => 2000\n"          /* 0 */
	    "\tsleep 1ms\n"                     /* 1 */
	    "\tsplice r1 r2 => 0\n"             /* 2 */
	    "\tunsplice r1 => 0\n"              /* 3 */
	    "\tgetsplice r1 => 0\n"             /* 4 */
	    "\tsplice r1 r2 => 0\n"             /* 5 */
	    "\trecv r1 1 => 0\n"                /* 6 */
	    "\tsoerror r1 => 0\n"               /* 7 */
	    "\tgetsplice r1 => 10000\n"         /* 8 */
	    "thread server:\n"
	    "\tsleep 5ms\n"
	    "\trecv s 12000 WAITALL => 12000\n"
	    "expect delivered s == 12000\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(R->w->socks[sock_of("r2")].snd.lowat, 4096);
	RETCC("relay", 2, 0, 0, 10000);
	ck_assert_int_eq(moves_in_op("relay", 2, m, 8), 0);
	RET("relay", 3, 0, 0);
	RET("relay", 4, 0, 0);
	RETCC("relay", 5, 0, 0, 10000);
	ck_assert_int_eq(moves_in_op("relay", 5, m, 8), 0);
	RET("relay", 8, 10000, 0);
	ck_assert_int_eq(moved_total("r1"), 10000);
}
END_TEST

/*
 * Max-limited first pass: 10000 bytes queued, max 3000: len = 3000 and
 * maxreached; the straddling mbuf is split because maxreached; then
 * release: !error && maxreached && splicemax == splicelen -> EFBIG into
 * the source's so_error, and sounsplice.  The other 7000 stay readable;
 * getsockopt(SO_ERROR) returns EFBIG once and clears it.  The server
 * gets exactly 3000 bytes and no more (no FIN either).
 */
START_TEST(test_tcp_max_first_pass)
{
	const Move *m[8];

	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread client:\n"
	    "\tsend c 10000 => 10000\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"                     /* 0 */
	    "\tsplice r1 r2 max=3000 => 0\n"    /* 1 */
	    "\tunsplice r1 => EPROTO\n"         /* 2 */
	    "\tgetsplice r1 => 3000\n"          /* 3 */
	    "\tsoerror r1 => EFBIG\n"           /* 4 */
	    "\tsoerror r1 => 0\n"               /* 5 */
	    "\trecv r1 10000 => 7000\n"         /* 6 */
	    "thread server:\n"
	    "\trecv s 3000 WAITALL => 3000\n"
	    "\tsleep 10ms\n"
	    "\trecv s 1 DONTWAIT => EWOULDBLOCK\n"
	    "expect delivered s == 3000\n"
	    "expect delivered r1 == 7000\n"
	    "expect violation none\n");
	assert_clean();
	RETCC("relay", 1, 0, 0, 7000);
	ck_assert_int_eq(moves_in_op("relay", 1, m, 8), 1);
	ck_assert_int_eq(m[0]->len, 3000);
	RET("relay", 2, 0, K_EPROTO);
	RET("relay", 3, 3000, 0);
	RET("relay", 4, 0, K_EFBIG);
	RET("relay", 5, 0, 0);
	RETCC("relay", 6, 7000, 0, 0);
	RET("server", 2, 0, K_EWOULDBLOCK);
	ck_assert_int_eq(moved_total("r1"), 3000);
}
END_TEST

/*
 * Max reached over many passes (regress tcp/args-max.pl, max 32117): the
 * splice starts on an empty source, 40000 bytes stream in.  Every pass
 * cuts len to max - splicelen, so the passes add up to exactly 32117, the
 * last one ends the splice with EFBIG, and the other 7883 bytes stay in
 * the source for a plain read (tcp/args-maxcopy-*.pl).
 */
START_TEST(test_tcp_max_stream)
{
	const Uns *u[4];

	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread client:\n"
	    "\tsend c 40000 => 40000\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 max=32117 => 0\n"   /* 0 */
	    "\tsleep 20ms\n"                    /* 1 */
	    "\tgetsplice r1 => 32117\n"         /* 2 */
	    "\tsoerror r1 => EFBIG\n"           /* 3 */
	    "\trecv r1 7883 WAITALL => 7883\n"  /* 4 */
	    "\trecv r1 1 DONTWAIT => EWOULDBLOCK\n" /* 5 */
	    "thread server:\n"
	    "\trecv s 32117 WAITALL => 32117\n"
	    "\tsleep 30ms\n"
	    "\trecv s 1 DONTWAIT => EWOULDBLOCK\n"
	    "expect delivered s == 32117\n"
	    "expect delivered r1 == 7883\n"
	    "expect violation none\n");
	assert_clean();
	RETCC("relay", 0, 0, 0, 0);
	RET("relay", 2, 32117, 0);
	RET("relay", 3, 0, K_EFBIG);
	RET("relay", 4, 7883, 0);
	RET("relay", 5, 0, K_EWOULDBLOCK);
	ck_assert_int_eq(moved_total("r1"), 32117);
	ck_assert_int_eq(unsplices_of("r1", u, 4), 1);
	ck_assert_int_eq(u[0]->splicelen, 32117);
}
END_TEST

/*
 * Max and drain space together: max 5000, 10000 queued, drain space 4096.
 * First pass: len = 5000 with maxreached, but space 4096 < len clears
 * maxreached and len = 4096: no EFBIG, the splice goes on (5904 left).
 * Later passes bring the total to exactly 5000, then EFBIG.
 */
START_TEST(test_tcp_max_and_space)
{
	const Move *m[8];

	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s r2.sndbuf=4096\n"
	    "thread client:\n"
	    "\tsend c 10000 => 10000\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"                     /* 0 */
	    "\tsplice r1 r2 max=5000 => 0\n"    /* 1 */
	    "\tsleep 20ms\n"                    /* 2 */
	    "\tgetsplice r1 => 5000\n"          /* 3 */
	    "\tsoerror r1 => EFBIG\n"           /* 4 */
	    "\trecv r1 5000 WAITALL => 5000\n"  /* 5 */
	    "thread server:\n"
	    "\trecv s 5000 WAITALL => 5000\n"
	    "expect delivered s == 5000\n"
	    "expect violation none\n");
	assert_clean();
	RETCC("relay", 1, 0, 0, 5904);
	ck_assert_int_eq(moves_in_op("relay", 1, m, 8), 1);
	ck_assert_int_eq(m[0]->len, 4096);
	RET("relay", 3, 5000, 0);
	RET("relay", 4, 0, K_EFBIG);
	RET("relay", 5, 5000, 0);
	ck_assert_int_eq(moved_total("r1"), 5000);
}
END_TEST

/*
 * A drain that can send no more: shutdown(SHUT_WR) on the drain sets
 * SS_CANTSENDMORE and calls sowwakeup, which (SB_SPLICE on the drain's
 * so_snd) queues the source's task; somove's first check on the drain,
 * SS_CANTSENDMORE -> EPIPE, goes into the source's so_error and the
 * splice ends, before any data came.  Data that arrives later is not
 * moved: it stays readable in the source.
 */
START_TEST(test_tcp_drain_shutdown_epipe)
{
	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread client:\n"
	    "\tsleep 2ms\n"
	    "\tsend c 1000 => 1000\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 => 0\n"             /* 0 */
	    "\tshutdown r2 wr => 0\n"           /* 1 */
	    "\tsleep 1ms\n"                     /* 2 */
	    "\tsoerror r1 => EPIPE\n"           /* 3 */
	    "\tgetsplice r1 => 0\n"             /* 4 */
	    "\tunsplice r1 => EPROTO\n"         /* 5 */
	    "\trecv r1 1000 WAITALL => 1000\n"  /* 6 */
	    "thread server:\n"
	    "\trecv s 1 => 0\n"
	    "expect delivered r1 == 1000\n"
	    "expect violation none\n");
	assert_clean();
	RET("relay", 3, 0, K_EPIPE);
	RET("relay", 4, 0, 0);
	RET("relay", 5, 0, K_EPROTO);
	RET("relay", 6, 1000, 0);
	ck_assert_int_eq(moved_total("r1"), 0);
}
END_TEST

/* ================================================================== */
/* 3. somove on datagrams (UDP)                                        */
/* ================================================================== */

/*
 * Several datagrams in one pass: 251, 0, 1000 and 3 bytes queued.  The
 * pass starts with len = sb_datacc = 1254; each datagram shorter than
 * len sets len = its length (maxreached = 0), is sent, and
 * `!maxreached && nextrecord` goes to the next one: all four in the
 * first pass, the empty one included (it has a data mbuf of length 0 after
 * its SONAME; regress udp/args-multi.pl, args-idle-trickle.pl).  Each
 * arrives as one datagram.  With no max the splice goes on.
 */
START_TEST(test_udp_one_pass)
{
	const Move *m[8];
	int n;

	run(obsd[_i],
	    "udp c\n"
	    "udp r1\n"
	    "udp s\n"
	    "udp r2 connect=s\n"
	    "thread client:\n"
	    "\tsendto c r1 251 => 251\n"
	    "\tsendto c r1 0 => 0\n"
	    "\tsendto c r1 1000 => 1000\n"
	    "\tsendto c r1 3 => 3\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"                     /* 0 */
	    "\tsplice r1 r2 => 0\n"             /* 1 */
	    "\tgetsplice r1 => 1254\n"          /* 2 */
	    "\tsleep 1ms\n"                     /* 3 */
	    "\tunsplice r1 => 0\n"              /* 4 */
	    "\tsoerror r1 => 0\n"               /* 5 */
	    "thread server:\n"
	    "\trecv s 2000 => 251\n"
	    "\trecv s 2000 => 0\n"
	    "\trecv s 2000 => 1000\n"
	    "\trecv s 2000 => 3\n"
	    "expect delivered s == 1254\n"
	    "expect violation none\n");
	assert_clean();
	RETCC("relay", 1, 0, 0, 0);
	n = moves_in_op("relay", 1, m, 8);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(m[0]->len, 251);
	ck_assert_int_eq(m[1]->len, 0);
	ck_assert_int_eq(m[2]->len, 1000);
	ck_assert_int_eq(m[3]->len, 3);
	for (int i = 1; i < n; i++)
		ck_assert_int_eq(m[i]->pass, m[0]->pass);
	RET("relay", 2, 1254, 0);
	RET("relay", 4, 0, 0);
	RET("relay", 5, 0, 0);
}
END_TEST

/*
 * Max and a datagram that does not fit (regress udp/args-max-nosplit.pl):
 * 1, 3 and 1 bytes queued, max 2.  len = min(5, 2) = 2, maxreached; the
 * 1-byte datagram is shorter: len = 1, maxreached = 0, sent.  Next:
 * len = min(4, 2 - 1) = 1, maxreached; the 3-byte datagram is longer than
 * len: `goto release` quietly, maxreached kept, so the splice ends, but
 * splicelen 1 != splicemax 2: no EFBIG.  The datagram is never split: 3
 * and 1 stay in the source, whole.
 */
START_TEST(test_udp_max_nosplit)
{
	const Move *m[8];

	run(obsd[_i],
	    "udp c\n"
	    "udp r1\n"
	    "udp s\n"
	    "udp r2 connect=s\n"
	    "thread client:\n"
	    "\tsendto c r1 1 => 1\n"
	    "\tsendto c r1 3 => 3\n"
	    "\tsendto c r1 1 => 1\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"                     /* 0 */
	    "\tsplice r1 r2 max=2 => 0\n"       /* 1 */
	    "\tunsplice r1 => EPROTO\n"         /* 2 */
	    "\tgetsplice r1 => 1\n"             /* 3 */
	    "\tsoerror r1 => 0\n"               /* 4 */
	    "\trecv r1 10 => 3\n"               /* 5 */
	    "\trecv r1 10 => 1\n"               /* 6 */
	    "thread server:\n"
	    "\trecv s 10 => 1\n"
	    "\tsleep 5ms\n"
	    "\trecv s 10 DONTWAIT => EWOULDBLOCK\n"
	    "expect delivered s == 1\n"
	    "expect violation none\n");
	assert_clean();
	RETCC("relay", 1, 0, 0, 4);
	ck_assert_int_eq(moves_in_op("relay", 1, m, 8), 1);
	ck_assert_int_eq(m[0]->len, 1);
	RET("relay", 2, 0, K_EPROTO);
	RET("relay", 3, 1, 0);
	RET("relay", 4, 0, 0);
	RET("relay", 5, 3, 0);
	RET("relay", 6, 1, 0);
}
END_TEST

/*
 * Max reached exactly (regress udp/args-max.pl): 1, 3, 1 with max 4.
 * The 1 goes (len 4 -> 1, maxreached cleared); then len = min(4, 3) = 3
 * with maxreached, the 3-byte datagram fits exactly, splicelen = 4 ==
 * max: EFBIG, unsplice.  The last datagram stays.
 */
START_TEST(test_udp_max_efbig)
{
	const Move *m[8];

	run(obsd[_i],
	    "udp c\n"
	    "udp r1\n"
	    "udp s\n"
	    "udp r2 connect=s\n"
	    "thread client:\n"
	    "\tsendto c r1 1 => 1\n"
	    "\tsendto c r1 3 => 3\n"
	    "\tsendto c r1 1 => 1\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"                     /* 0 */
	    "\tsplice r1 r2 max=4 => 0\n"       /* 1 */
	    "\tunsplice r1 => EPROTO\n"         /* 2 */
	    "\tgetsplice r1 => 4\n"             /* 3 */
	    "\tsoerror r1 => EFBIG\n"           /* 4 */
	    "\trecv r1 10 => 1\n"               /* 5 */
	    "thread server:\n"
	    "\trecv s 10 => 1\n"
	    "\trecv s 10 => 3\n"
	    "expect delivered s == 4\n"
	    "expect violation none\n");
	assert_clean();
	RETCC("relay", 1, 0, 0, 1);
	ck_assert_int_eq(moves_in_op("relay", 1, m, 8), 2);
	ck_assert_int_eq(m[0]->len, 1);
	ck_assert_int_eq(m[1]->len, 3);
	RET("relay", 3, 4, 0);
	RET("relay", 4, 0, K_EFBIG);
	RET("relay", 5, 1, 0);
}
END_TEST

/*
 * Short of the max (regress udp/args-max-multi.pl, big => 0): 1, 2, 3
 * queued, max 4.  1 goes, then len = min(5, 3) = 3 and the 2 goes
 * (shorter: maxreached cleared), then len = min(3, 1) = 1 with maxreached
 * and the 3-byte datagram does not fit: quiet release, unsplice, and no
 * EFBIG since splicelen 3 != 4.  The 3-byte datagram is read whole.
 */
START_TEST(test_udp_max_short)
{
	run(obsd[_i],
	    "udp c\n"
	    "udp r1\n"
	    "udp s\n"
	    "udp r2 connect=s\n"
	    "thread client:\n"
	    "\tsendto c r1 1 => 1\n"
	    "\tsendto c r1 2 => 2\n"
	    "\tsendto c r1 3 => 3\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"                     /* 0 */
	    "\tsplice r1 r2 max=4 => 0\n"       /* 1 */
	    "\tgetsplice r1 => 3\n"             /* 2 */
	    "\tsoerror r1 => 0\n"               /* 3 */
	    "\trecv r1 10 => 3\n"               /* 4 */
	    "thread server:\n"
	    "\trecv s 10 => 1\n"
	    "\trecv s 10 => 2\n"
	    "expect delivered s == 3\n"
	    "expect violation none\n");
	assert_clean();
	RETCC("relay", 1, 0, 0, 3);
	RET("relay", 2, 3, 0);
	RET("relay", 3, 0, 0);
	RET("relay", 4, 3, 0);
	ck_assert_int_eq(moved_total("r1"), 3);
}
END_TEST

/*
 * The same max arithmetic when the datagrams arrive after the splice:
 * max 4, then 1, 3, 1 arrive.  Whether each arrival gets its own pass
 * (7.5: somove from sorwakeup) or the task finds several queued (7.6),
 * splicelen goes 1, 4: EFBIG; the third datagram stays in the source.
 */
START_TEST(test_udp_max_arrivals)
{
	run(obsd[_i],
	    "udp c\n"
	    "udp r1\n"
	    "udp s\n"
	    "udp r2 connect=s\n"
	    "thread client:\n"
	    "\tsleep 1ms\n"
	    "\tsendto c r1 1 => 1\n"
	    "\tsendto c r1 3 => 3\n"
	    "\tsendto c r1 1 => 1\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 max=4 => 0\n"       /* 0 */
	    "\tsleep 5ms\n"                     /* 1 */
	    "\tgetsplice r1 => 4\n"             /* 2 */
	    "\tsoerror r1 => EFBIG\n"           /* 3 */
	    "\trecv r1 10 => 1\n"               /* 4 */
	    "thread server:\n"
	    "\trecv s 10 => 1\n"
	    "\trecv s 10 => 3\n"
	    "expect delivered s == 4\n"
	    "expect violation none\n");
	assert_clean();
	RET("relay", 2, 4, 0);
	RET("relay", 3, 0, K_EFBIG);
	RET("relay", 4, 1, 0);
	ck_assert_int_eq(moved_total("r1"), 4);
}
END_TEST

/*
 * A datagram longer than the drain's send buffer: r2 has sb_hiwat 1000
 * (sb_lowat clamped to 1000 by sbreserve).  500, 2000 and 10 queued.
 * First datagram: space 1000 < len 2510, space >= lowat: len = 1000; 500 <
 * 1000: sent.  Second: sosp->so_snd.sb_hiwat 1000 < m_pkthdr.len 2000 ->
 * EMSGSIZE into the source's so_error, unsplice.  2000 and 10 stay.
 */
START_TEST(test_udp_emsgsize)
{
	const Move *m[8];

	run(obsd[_i],
	    "udp c\n"
	    "udp r1\n"
	    "udp s\n"
	    "udp r2 connect=s r2.sndbuf=1000\n"
	    "thread client:\n"
	    "\tsendto c r1 500 => 500\n"
	    "\tsendto c r1 2000 => 2000\n"
	    "\tsendto c r1 10 => 10\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"                     /* 0 */
	    "\tsplice r1 r2 => 0\n"             /* 1 */
	    "\tunsplice r1 => EPROTO\n"         /* 2 */
	    "\tgetsplice r1 => 500\n"           /* 3 */
	    "\tsoerror r1 => EMSGSIZE\n"        /* 4 */
	    "\trecv r1 5000 => 2000\n"          /* 5 */
	    "\trecv r1 5000 => 10\n"            /* 6 */
	    "thread server:\n"
	    "\trecv s 5000 => 500\n"
	    "\tsleep 5ms\n"
	    "\trecv s 5000 DONTWAIT => EWOULDBLOCK\n"
	    "expect delivered s == 500\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(R->w->socks[sock_of("r2")].snd.lowat, 1000);
	RETCC("relay", 1, 0, 0, 2010);
	ck_assert_int_eq(moves_in_op("relay", 1, m, 8), 1);
	ck_assert_int_eq(m[0]->len, 500);
	RET("relay", 2, 0, K_EPROTO);
	RET("relay", 3, 500, 0);
	RET("relay", 4, 0, K_EMSGSIZE);
	RET("relay", 5, 2000, 0);
	RET("relay", 6, 10, 0);
}
END_TEST

/*
 * A splicing loop (regress error/args-udp-ELOOP.pl): ss is connected to
 * s, s is spliced to ss.  The datagram sent by ss arrives at s with
 * ph_loopcnt 0; `ph_loopcnt++ >= M_MAXLOOP` (128) lets the passes that see
 * 0..127 through and refuses the one that sees 128: exactly 128 moves of
 * 4 bytes (getsplice 512), then ELOOP in the source and the datagram stays.
 */
START_TEST(test_udp_eloop)
{
	run(obsd[_i],
	    "udp s\n"
	    "udp ss connect=s\n"
	    "thread t:\n"
	    "\tsplice s ss => 0\n"              /* 0 */
	    "\tsend ss 4 => 4\n"                /* 1 */
	    "\tsleep 100ms\n"                   /* 2 */
	    "\tgetsplice s => 512\n"            /* 3 */
	    "\tsoerror s => ELOOP\n"            /* 4 */
	    "\trecv s 10 => 4\n"                /* 5 */
	    "expect violation none\n");
	assert_clean();
	RET("t", 3, 512, 0);
	RET("t", 4, 0, K_ELOOP);
	RET("t", 5, 4, 0);
	ck_assert_int_eq(moved_total("s"), 512);
	ck_assert_int_eq(R->nmoves, 128);
}
END_TEST

/*
 * Who moves an arriving datagram.  7.5 (1.337 before the diff, and O19):
 * sorwakeup on a spliced UDP source calls somove(M_DONTWAIT) directly, in
 * the softnet context of udp_input.  7.6 (the July 2024 diff, MVS24:L565-620):
 * sorwakeup always task_add()s so_splicetask; the single "sosplice" task
 * thread moves it.  Either way each datagram arrives whole.
 */
START_TEST(test_udp_move_context)
{
	const Move *m[8];
	int n, want;

	run(obsd[_i],
	    "udp c\n"
	    "udp r1\n"
	    "udp s\n"
	    "udp r2 connect=s\n"
	    "thread client:\n"
	    "\tsleep 1ms\n"
	    "\tsendto c r1 7 => 7\n"
	    "\tsleep 1ms\n"
	    "\tsendto c r1 9 => 9\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 => 0\n"
	    "\tsleep 5ms\n"
	    "\tgetsplice r1 => 16\n"
	    "\tunsplice r1 => 0\n"
	    "thread server:\n"
	    "\trecv s 100 => 7\n"
	    "\trecv s 100 => 9\n"
	    "expect violation none\n");
	assert_clean();
	want = strcmp(obsd[_i], "openbsd-7.5") == 0 ? -1 : R->w->tid_taskq;
	n = moves_of("r1", m, 8);
	ck_assert_int_eq(n, 2);
	for (int i = 0; i < n; i++)
		ck_assert_msg(m[i]->thread == want, "%s: datagram %d moved by thread %d, want %d",
		    R->prof, i, m[i]->thread, want);
	ck_assert_int_eq(m[0]->len, 7);
	ck_assert_int_eq(m[1]->len, 9);
}
END_TEST

/* ================================================================== */
/* 4. NetBSD's splice(2) prototype (tech-net, 2005-10-05)             */
/* ================================================================== */

/*
 * sys_splice's checks, in its order (JS05 L296-350):
 *   fd_getfile(fd1), fd_getfile(fd2) == NULL -> EBADF (L303-311)
 *   either not DTYPE_SOCKET -> ENOTSOCK (L314-318)
 *   so1 == so2 -> EBADF (L328-331), before any type check
 *   so_type differs -> ESOCKTNOSUPPORT (L335-338)
 *   not SOCK_STREAM -> ESOCKTNOSUPPORT (L341-344), before the connected check
 *   either not SS_ISCONNECTED -> ENOTCONN (L346-350); a listening socket
 *     is not connected either
 * The profile has no SO_SPLICE: setsockopt/getsockopt say ENOPROTOOPT.
 */
START_TEST(test_sys_splice_errors)
{
	run(NETBSD05,
	    "tcp a b\n"
	    "tcp x y\n"
	    "tcp lone\n"
	    "tcp l listen\n"
	    "udp u\n"
	    "udp v connect=u\n"
	    "thread t:\n"
	    "\tsys_splice a badfd => EBADF\n"               /* 0 */
	    "\tsys_splice a notsock => ENOTSOCK\n"          /* 1 */
	    "\tsys_splice lone notsock => ENOTSOCK\n"       /* 2 */
	    "\tsys_splice u notsock => ENOTSOCK\n"          /* 3 */
	    "\tsys_splice a a => EBADF\n"                   /* 4 */
	    "\tsys_splice u u => EBADF\n"                   /* 5 */
	    "\tsys_splice a u => ESOCKTNOSUPPORT\n"         /* 6 */
	    "\tsys_splice u a => ESOCKTNOSUPPORT\n"         /* 7 */
	    "\tsys_splice u v => ESOCKTNOSUPPORT\n"         /* 8 */
	    "\tsys_splice u lone => ESOCKTNOSUPPORT\n"      /* 9 */
	    "\tsys_splice a lone => ENOTCONN\n"             /* 10 */
	    "\tsys_splice lone a => ENOTCONN\n"             /* 11 */
	    "\tsys_splice l a => ENOTCONN\n"                /* 12 */
	    "\tclose y => 0\n"                              /* 13 */
	    "\tsys_splice a y => EBADF\n"                   /* 14 */
	    "\tsys_splice y a => EBADF\n"                   /* 15 */
	    "\tsys_splice y notsock => EBADF\n"             /* 16 */
	    "\tsplice a x\n"                                /* 17 */
	    "\tgetsplice a\n"                               /* 18 */
	    "expect violation none\n");
	assert_clean();
	RET("t", 0, 0, K_EBADF);
	RET("t", 1, 0, K_ENOTSOCK);
	RET("t", 2, 0, K_ENOTSOCK);
	RET("t", 3, 0, K_ENOTSOCK);
	RET("t", 4, 0, K_EBADF);
	RET("t", 5, 0, K_EBADF);
	RET("t", 6, 0, K_ESOCKTNOSUPPORT);
	RET("t", 7, 0, K_ESOCKTNOSUPPORT);
	RET("t", 8, 0, K_ESOCKTNOSUPPORT);
	RET("t", 9, 0, K_ESOCKTNOSUPPORT);
	RET("t", 10, 0, K_ENOTCONN);
	RET("t", 11, 0, K_ENOTCONN);
	RET("t", 12, 0, K_ENOTCONN);
	RET("t", 14, 0, K_EBADF);
	RET("t", 15, 0, K_EBADF);
	RET("t", 16, 0, K_EBADF);
	RET("t", 17, 0, K_ENOPROTOOPT);
	RET("t", 18, 0, K_ENOPROTOOPT);
	ck_assert_int_eq(R->nmds, 0);
}
END_TEST

/* The quirks that make a successful splice(2) end in a leak or a deadlock
 * are switched off where the data path is under test. */
#define NB05_QUIRKS_OFF \
	"quirk splice-dup-alloc off\n" \
	"quirk splice-sblock-leak off\n" \
	"quirk splice-kcont-uaf off\n"

/* Every splice_movedata between r1 and r2 moved min(space, cc) > 0; sums
 * per direction, and how often the send space was the limit. */
static void
check_movedata(int r1, int r2, int64_t *fwd, int64_t *back, int *nspace)
{
	*fwd = *back = 0;
	ck_assert_int_gt(R->nmds, 1);
	for (int i = 0; i < R->nmds; i++) {
		const Md *d = &R->mds[i];
		int64_t want = d->space_before < d->cc_before ? d->space_before : d->cc_before;

		ck_assert_msg(d->moved > 0 && d->moved == want,
		    "move %d %d->%d: %lld bytes, want min(space %lld, cc %lld)", i, d->from, d->to,
		    (long long)d->moved, (long long)d->space_before, (long long)d->cc_before);
		ck_assert(d->from == r1 ? d->to == r2 : (d->from == r2 && d->to == r1));
		if (d->from == r1)
			*fwd += d->moved;
		else
			*back += d->moved;
		if (nspace && d->space_before < d->cc_before)
			nspace[d->from == r1 ? 0 : 1]++;
	}
}

/*
 * Bytes moved both ways.  Every splice_movedata moves
 * min(sbspace(&to->so_snd), from->so_rcv.sb_cc) (L127-131), never 0
 * (L133-134: space 0 returns without a move), by soreceive and PRU_SEND.
 * c -> s carries 30000 bytes, s -> c 20000.  splice(2) returns 0 once
 * neither CANSENDFROMTO(r1, r2) nor CANSENDFROMTO(r2, r1) holds (L254-263),
 * that is after both peers' FINs; it passes on no FIN itself, so the
 * relay closes both sockets afterwards.
 */
START_TEST(test_sys_splice_both_ways)
{
	int64_t fwd = 0, back = 0;
	int r1, r2;

	run(NETBSD05,
	    NB05_QUIRKS_OFF
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread client:\n"
	    "\tsend c 30000 => 30000\n"
	    "\tshutdown c wr => 0\n"
	    "\trecv c 20000 WAITALL => 20000\n"
	    "\trecv c 1 => 0\n"
	    "thread relay:\n"
	    "\tsys_splice r1 r2 => 0\n"
	    "\tclose r1 => 0\n"
	    "\tclose r2 => 0\n"
	    "thread server:\n"
	    "\tsend s 20000 => 20000\n"
	    "\tshutdown s wr => 0\n"
	    "\trecv s 30000 WAITALL => 30000\n"
	    "\trecv s 1 => 0\n"
	    "expect delivered s == 30000\n"
	    "expect delivered c == 20000\n"
	    "expect violation none\n");
	assert_clean();
	RET("relay", 0, 0, 0);
	ck_assert_int_ge(ret_of("relay", 0)->time, ret_of("client", 1)->time);
	ck_assert_int_ge(ret_of("relay", 0)->time, ret_of("server", 1)->time);
	r1 = sock_of("r1");
	r2 = sock_of("r2");
	check_movedata(r1, r2, &fwd, &back, NULL);
	ck_assert_int_eq(fwd, 30000);
	ck_assert_int_eq(back, 20000);
}
END_TEST

/*
 * The same with 4096-byte send buffers on r1 and r2: now the send space
 * is the limit of some moves each way (min(sbspace, sb_cc) = sbspace).
 * And the prototype's wake-up test looks at the state flags only:
 * CANSENDFROMTO(s1, s2) is !(s1 SS_CANTRCVMORE) && !(s2 SS_CANTSENDMORE)
 * (L254-263), nothing about bytes still queued.  Once both peers' FINs
 * are in, the continuation wakes the caller even though r1 (or r2) still
 * holds received bytes that the small send buffers could not take yet;
 * splice(2) returns 0, the relay closes, and those bytes never arrive.
 * Each side gets exactly what was moved towards it.
 */
START_TEST(test_sys_splice_small_buffers)
{
	const Socket *r1s, *r2s;
	int64_t fwd, back;
	int nspace[2] = { 0, 0 };
	const Ret *x;

	run(NETBSD05,
	    NB05_QUIRKS_OFF
	    "tcp c r1 r1.sndbuf=4096\n"
	    "tcp r2 s r2.sndbuf=4096\n"
	    "thread client:\n"
	    "\tsend c 30000 => 30000\n"
	    "\tshutdown c wr => 0\n"
	    "\trecv c 20000 WAITALL\n"          /* 2 */
	    "\trecv c 1 => 0\n"
	    "thread relay:\n"
	    "\tsys_splice r1 r2 => 0\n"         /* 0 */
	    "\tclose r1 => 0\n"
	    "\tclose r2 => 0\n"
	    "thread server:\n"
	    "\tsend s 20000 => 20000\n"
	    "\tshutdown s wr => 0\n"
	    "\trecv s 30000 WAITALL\n"          /* 2 */
	    "\trecv s 1 => 0\n"
	    "expect violation none\n");
	assert_clean();
	check_movedata(sock_of("r1"), sock_of("r2"), &fwd, &back, nspace);
	ck_assert_int_gt(nspace[0], 0);
	ck_assert_int_gt(nspace[1], 0);
	/* woken with both peers' FINs in and bytes still queued */
	x = ret_of("relay", 0);
	RET("relay", 0, 0, 0);
	r1s = &R->w->socks[sock_of("r1")];
	r2s = &R->w->socks[sock_of("r2")];
	ck_assert_int_eq(fwd + (int64_t)r1s->rx_dropped, 30000);
	ck_assert_int_eq(back + (int64_t)r2s->rx_dropped, 20000);
	ck_assert_int_gt(x->cc, 0);
	ck_assert_int_lt(fwd, 30000);
	RET("server", 2, fwd, 0);
	RET("client", 2, back, 0);
}
END_TEST

/*
 * No move when splice(2) starts: it only wires the upcalls and sleeps
 * (L394-407); bytes already queued wait for the next upcall.  3000 bytes
 * wait in r1 and 2000 in r2 from before the call at 1 ms; nothing moves
 * until the server's 1-byte send at 5 ms wakes r2.  That one continuation
 * runs splice1 both ways: 2001 bytes r2 -> r1 and 3000 bytes r1 -> r2,
 * each min(16384 of send space, the bytes received).
 */
START_TEST(test_sys_splice_no_initial_move)
{
	int r1, r2;
	const Md *f = NULL, *b = NULL;

	/* mss=1000: full segments, no send waits for an ACK its peer delays */
	run(NETBSD05,
	    NB05_QUIRKS_OFF
	    "tcp c r1 mss=1000\n"
	    "tcp r2 s mss=1000\n"
	    "thread client:\n"
	    "\tsend c 3000 => 3000\n"
	    "\tsleep 20ms\n"
	    "\tshutdown c wr => 0\n"
	    "\trecv c 2001 WAITALL => 2001\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"
	    "\tsys_splice r1 r2 => 0\n"
	    "\tclose r1 => 0\n"
	    "\tclose r2 => 0\n"
	    "thread server:\n"
	    "\tsend s 2000 => 2000\n"
	    "\tsleep 5ms\n"
	    "\tsend s 1 => 1\n"
	    "\trecv s 3000 WAITALL => 3000\n"
	    "\tshutdown s wr => 0\n"
	    "expect violation none\n");
	assert_clean();
	r1 = sock_of("r1");
	r2 = sock_of("r2");
	ck_assert_int_eq(R->nmds, 2);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_gt(R->mds[i].time, 5 * MS);
		ck_assert_int_eq(R->mds[i].time, R->mds[0].time);
		if (R->mds[i].from == r1)
			f = &R->mds[i];
		else
			b = &R->mds[i];
	}
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(f->to, r2);
	ck_assert_int_eq(f->moved, 3000);
	ck_assert_int_eq(b->from, r2);
	ck_assert_int_eq(b->to, r1);
	ck_assert_int_eq(b->moved, 2001);
}
END_TEST

/*
 * splice_state is malloc'd and freed per call: a second splice(2) after
 * the first returned gets the slot back (nothing leaks).  Sixteen slots
 * are the simulator's limit; with splice-dup-alloc (two mallocs a call,
 * as posted) the ninth concurrent splice(2) needs the 17th and the run
 * stops at that limit.
 */
START_TEST(test_sys_splice_kmem)
{
	GString *t = g_string_new(NETBSD05 "\n");

	run(NETBSD05,
	    NB05_QUIRKS_OFF
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "tcp c2 q1\n"
	    "tcp q2 s2\n"
	    "thread client:\n"
	    "\tsend c 100 => 100\n"
	    "\tshutdown c wr => 0\n"
	    "\tsleep 1ms\n"
	    "\tsend c2 100 => 100\n"
	    "\tshutdown c2 wr => 0\n"
	    "thread relay:\n"
	    "\tsys_splice r1 r2 => 0\n"
	    "\tsys_splice q1 q2 => 0\n"
	    "thread server:\n"
	    "\trecv s 100 => 100\n"
	    "\tshutdown s wr => 0\n"
	    "\tsleep 1ms\n"
	    "\trecv s2 100 => 100\n"
	    "\tshutdown s2 wr => 0\n"
	    "expect leaked kmem == 0\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(R->w->nkmem, 1);
	teardown();

	g_string_truncate(t, 0);
	for (int i = 0; i < 9; i++)
		g_string_append_printf(t, "tcp c%d r%d\ntcp q%d s%d\n", i, i, i, i);
	for (int i = 0; i < 9; i++)
		g_string_append_printf(t, "thread t%d:\n\tsys_splice r%d q%d\n", i, i, i);
	run(NETBSD05, t->str);
	g_string_free(t, TRUE);
	ck_assert_int_eq(R->w->stop, STOP_LIMIT);
	ck_assert_ptr_nonnull(strstr(R->w->run->stop_msg, "splice_state allocations"));
	ck_assert_int_eq(R->w->nkmem, 16);
}
END_TEST

/*
 * "splice: negative space" (L133-140): r2's so_snd was filled past its
 * limit by urgent data (sosend's 1024 bytes of slack) and r2 was shut
 * down for writing before the splice: sowritable(r2) holds (SS_CANTSENDMORE)
 * and sbspace is -600, so the move of r1's 100 bytes is skipped.
 */
START_TEST(test_sys_splice_negative_space)
{
	run(NETBSD05,
	    NB05_QUIRKS_OFF
	    "tcp c r1\n"
	    "tcp r2 s r2.sndbuf=4096 s.rcvbuf=4096\n"
	    "thread other:\n"
	    "\tsend r2 7016 => 7016\n"
	    "\tsend r2 600 OOB => 600\n"
	    "\tshutdown r2 wr => 0\n"
	    "\tsleep 2ms\n"
	    "\tsend c 100 => 100\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"
	    "\tsys_splice r1 r2 => 0\n"
	    "thread server:\n"
	    "\tsleep 5ms\n"
	    "\tshutdown s wr => 0\n"
	    "expect violation none\n");
	assert_clean();
	assert_same_untraced();
	ck_assert_int_eq(R->negspace, 1);
	for (int i = 0; i < R->nmds; i++)
		ck_assert_int_gt(R->mds[i].time, 5 * MS);
}
END_TEST

/*
 * A kcont still pending when splice(2) frees its splice_state (a hazard
 * splice.md notes: unwiring the upcalls does not cancel a deferred
 * kcont).  Both peers' FINs arrive at once and queue one kcont each; the
 * first wakes the caller, and the schedule lets it run (unwire, free)
 * before the second kcont.  With splice-kcont-uaf (as posted) that kcont
 * uses the freed splice_state; with it off, it finds it gone and does
 * nothing.
 */
START_TEST(test_sys_splice_kcont_after_free)
{
	static const char text[] =
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread relay:\n"
	    "\tsys_splice r1 r2 => 0\n"
	    "thread client:\n"
	    "\tsleep 1ms\n"
	    "\tshutdown c wr => 0\n"
	    "thread server:\n"
	    "\tsleep 1ms\n"
	    "\tshutdown s wr => 0\n"
	    "schedule 17:relay\n";
	char *t = g_strconcat("quirk splice-dup-alloc off\nquirk splice-sblock-leak off\n", text, NULL);

	run(NETBSD05, t);
	ck_assert_int_eq(R->w->violation, V_STALE_HANDLE);
	ck_assert_ptr_nonnull(strstr(R->w->run->violation_msg, "kcont"));
	teardown();
	g_free(t);

	t = g_strconcat(NB05_QUIRKS_OFF, text, "expect violation none\n", NULL);
	run(NETBSD05, t);
	g_free(t);
	assert_clean();
	assert_same_untraced();
	ck_assert_int_eq(R->kcont_cancelled, 1);
	RET("relay", 0, 0, 0);
	teardown();

	/* The relay splices the two again before the kcont runs: the new
	 * splice_state has the old one's slot, and the kcont is for the old
	 * one (its generation).  Both FINs are in: nothing wakes the new
	 * splice(2). */
	run(NETBSD05,
	    NB05_QUIRKS_OFF
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread relay:\n"
	    "\tsys_splice r1 r2 => 0\n"
	    "\tsys_splice r1 r2\n"
	    "thread client:\n"
	    "\tsleep 1ms\n"
	    "\tshutdown c wr => 0\n"
	    "thread server:\n"
	    "\tsleep 1ms\n"
	    "\tshutdown s wr => 0\n"
	    "schedule 17:relay 18:relay 19:relay 20:relay\n"
	    "expect deadlock\n"
	    "expect violation none\n");
	ck_assert(R->w->deadlocked);
	ck_assert_int_eq(R->kcont_cancelled, 1);
	ck_assert_int_eq(R->w->nkmem, 1);
	ck_assert(R->w->kmem[0].live);
	ck_assert_int_eq(R->w->socks[sock_of("r1")].upcall_knot, 0);
}
END_TEST

/* ================================================================== */
/* 5. Errors that end a splice, and errors that do not                 */
/* ================================================================== */

/*
 * The source's own error ends its splice (O385 somove: "if
 * (so->so_error) { error = so->so_error; goto release; }"): a RST on the
 * TCP source r1 (ECONNRESET), an ICMP port unreachable on the connected
 * UDP source u1 (ECONNREFUSED).  The error stays in the source's
 * so_error for the program, and what had moved before stays counted.
 */
START_TEST(test_source_error_ends_splice)
{
	const Uns *u[4];

	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "udp uc\n"
	    "udp u1 connect=uc\n"
	    "udp us\n"
	    "udp u2 connect=us\n"
	    "thread client:\n"
	    "\tsend c 100 => 100\n"
	    "\tsendto uc u1 50 => 50\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 => 0\n"             /* 0 */
	    "\tsplice u1 u2 => 0\n"             /* 1 */
	    "\tsleep 5ms\n"                     /* 2 */
	    "\tsoerror r1 => ECONNRESET\n"      /* 3 */
	    "\tsoerror u1 => ECONNREFUSED\n"    /* 4 */
	    "\tgetsplice r1 => 100\n"           /* 5 */
	    "\tgetsplice u1 => 50\n"            /* 6 */
	    "\tunsplice r1 => EPROTO\n"         /* 7 */
	    "\tunsplice u1 => EPROTO\n"         /* 8 */
	    "thread server:\n"
	    "\trecv s 100 => 100\n"
	    "\trecv us 100 => 50\n"
	    "at 1ms rst r1\n"
	    "at 1ms unreachable u1\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(unsplices_of("r1", u, 4), 1);
	ck_assert_int_eq(u[0]->time, 1 * MS);
	ck_assert_int_eq(u[0]->splicelen, 100);
	ck_assert_int_eq(unsplices_of("u1", u, 4), 1);
	ck_assert_int_eq(u[0]->time, 1 * MS);
	ck_assert_int_eq(u[0]->splicelen, 50);
}
END_TEST

/*
 * A drain's error is copied to the source and ends the splice ("if
 * (sosp->so_error && sosp->so_error != ETIMEDOUT && sosp->so_error !=
 * EFBIG && sosp->so_error != ELOOP)").  An ICMP port unreachable for the
 * UDP drain u2 sets its so_error and wakes its so_snd: sowwakeup of a
 * drain queues the source's splice task, on 7.5 as on 7.6, and the task's
 * somove finds the error with nothing to move.  Both sockets keep it;
 * the datagram that comes later stays in u1 for a plain read.
 */
START_TEST(test_drain_error_ends_splice)
{
	const Uns *u[4];

	run(obsd[_i],
	    "udp uc\n"
	    "udp u1\n"
	    "udp us\n"
	    "udp u2 connect=us\n"
	    "thread client:\n"
	    "\tsendto uc u1 50 => 50\n"
	    "\tsleep 2ms\n"
	    "\tsendto uc u1 60 => 60\n"
	    "thread relay:\n"
	    "\tsplice u1 u2 => 0\n"
	    "\tsleep 5ms\n"
	    "\tsoerror u1 => ECONNREFUSED\n"
	    "\tsoerror u2 => ECONNREFUSED\n"
	    "\tgetsplice u1 => 50\n"
	    "\trecv u1 100 => 60\n"
	    "thread server:\n"
	    "\trecv us 100 => 50\n"
	    "at 1ms unreachable u2\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(unsplices_of("u1", u, 4), 1);
	ck_assert_int_eq(u[0]->time, 1 * MS);
	ck_assert_int_eq(u[0]->thread, R->w->tid_taskq);
	ck_assert_int_ge(R->w->stats.splice_tasks, 1);
}
END_TEST

/*
 * A RST on the TCP drain: tcp_close disconnects r2 (SS_CANTSENDMORE,
 * ECONNRESET in its so_error) and wakes its so_snd, which queues r1's
 * splice task.  somove looks at SS_CANTSENDMORE before the drain's error:
 * the splice ends with EPIPE in r1; r2 keeps its ECONNRESET.  Data that
 * comes later stays in r1.
 */
START_TEST(test_drain_reset_epipe)
{
	const Uns *u[4];

	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread client:\n"
	    "\tsend c 100 => 100\n"
	    "\tsleep 2ms\n"
	    "\tsend c 100 => 100\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 => 0\n"
	    "\tsleep 5ms\n"
	    "\tsoerror r1 => EPIPE\n"
	    "\tsoerror r2 => ECONNRESET\n"
	    "\tgetsplice r1 => 100\n"
	    "\trecv r1 1000 => 100\n"
	    "thread server:\n"
	    "\trecv s 100 => 100\n"
	    "at 1ms rst r2\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(unsplices_of("r1", u, 4), 1);
	ck_assert_int_eq(u[0]->time, 1 * MS);
	ck_assert_int_eq(u[0]->thread, R->w->tid_taskq);
}
END_TEST

/*
 * The errors a drain's own splice leaves behind do not stop another
 * source from moving into it: r2 is r1's drain and itself a source,
 * spliced to y.  Its splice ends with EFBIG (max 10), then, spliced
 * again with an idle timeout, with ETIMEDOUT; each time r1's data
 * arriving next is moved into r2 all the same.
 */
START_TEST(test_drain_error_ignored)
{
	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "tcp x y\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 => 0\n"
	    "\tsplice r2 y max=10 => 0\n"
	    "\tsleep 3ms\n"
	    "\tsoerror r2 => EFBIG\n"
	    "\tsplice r2 y idle=10ms => 0\n"
	    "\tsleep 40ms\n"
	    "\tgetsplice r1 => 300\n"
	    "\tgetsplice r2 => 5\n"
	    "\tsoerror r2 => ETIMEDOUT\n"
	    "\tsoerror r1 => 0\n"
	    "thread server:\n"
	    "\tsend s 10 => 10\n"
	    "\tsleep 5ms\n"
	    "\tsend s 5 => 5\n"
	    "\trecv s 300 WAITALL => 300\n"
	    "thread client:\n"
	    "\tsleep 2ms\n"
	    "\tsend c 100 => 100\n"         /* r2 has EFBIG */
	    "\tsleep 30ms\n"
	    "\tsend c 200 => 200\n"         /* r2 has ETIMEDOUT */
	    "thread rx:\n"
	    "\trecv x 15 WAITALL => 15\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(moved_total("r1"), 300);
}
END_TEST

/*
 * ELOOP is another error a drain may keep: u2 is u1's drain and itself
 * spliced to w, which sends back to u2, so the datagram sent to u2 loops
 * until M_MAXLOOP (128 moves, 512 bytes) and u2's splice ends with ELOOP
 * in u2's so_error.  u1's splice into u2 goes on.
 */
START_TEST(test_drain_eloop_ignored)
{
	run(obsd[_i],
	    "udp uc\n"
	    "udp u1\n"
	    "udp us\n"
	    "udp u2 connect=us\n"
	    "udp w connect=u2\n"
	    "thread client:\n"
	    "\tsleep 1ms\n"
	    "\tsendto uc u2 4 => 4\n"
	    "\tsleep 5ms\n"
	    "\tsendto uc u1 7 => 7\n"
	    "thread relay:\n"
	    "\tsplice u1 u2 => 0\n"
	    "\tsplice u2 w => 0\n"
	    "\tsleep 10ms\n"
	    "\tsoerror u2 => ELOOP\n"
	    "\tgetsplice u2 => 512\n"
	    "\tgetsplice u1 => 7\n"
	    "\tunsplice u1 => 0\n"
	    "thread server:\n"
	    "\trecv us 10 => 7\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(moved_total("u1"), 7);
}
END_TEST

/* ================================================================== */
/* 6. Unsplicing: queued work, idle timeouts, close                    */
/* ================================================================== */

/*
 * unsplice takes the source's splice task off the queue if it is there
 * (sounsplice: task_del): data that arrived for q1 is not moved, and r1's
 * task, queued before it, still runs.  At 1 ms both sources get 10
 * bytes; the relay, woken at the same instant, runs before the sosplice
 * thread.
 */
START_TEST(test_unsplice_dequeues_task)
{
	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "tcp d q1\n"
	    "tcp q2 t\n"
	    "thread client:\n"
	    "\tsleep 990us\n"
	    "\tsend c 10 => 10\n"
	    "\tsend d 10 => 10\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 => 0\n"
	    "\tsplice q1 q2 => 0\n"
	    "\tsleep 1ms\n"
	    "\tunsplice q1 => 0\n"
	    "\tgetsplice q1 => 0\n"
	    "\trecv q1 100 => 10\n"
	    "\tsleep 1ms\n"
	    "\tgetsplice r1 => 10\n"
	    "thread server:\n"
	    "\trecv s 100 => 10\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(R->task_dels, 1);
	ck_assert_int_eq(moved_total("q1"), 0);
	ck_assert_int_eq(moved_total("r1"), 10);
}
END_TEST

/*
 * The idle timeout of 1 ms fires when the relay, woken at the same
 * instant, unsplices: soidle is queued on softclock but has not run.
 * sounsplice's timeout_del takes it off the queue, so it never runs and
 * the source gets no ETIMEDOUT.
 */
START_TEST(test_unsplice_dequeues_soidle)
{
	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 idle=1ms => 0\n"
	    "\tsleep 1ms\n"
	    "\tunsplice r1 => 0\n"
	    "\tsleep 5ms\n"
	    "\tsoerror r1 => 0\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(R->timeout_dels, 1);
	ck_assert_int_eq(R->idle_unspliced, 0);
	ck_assert_int_eq(R->nuns, 1);
	ck_assert_int_eq(R->uns[0].thread, tid_of("relay"));
}
END_TEST

/*
 * 7.6: soidle takes sblock(&so->so_rcv) first.  The schedule stops the
 * relay right after its unsplice took that sblock; softclock takes soidle
 * off its queue and sleeps on the lock; the relay unsplices; soidle then
 * finds r1 no longer spliced and does nothing (no ETIMEDOUT).
 */
START_TEST(test_soidle_after_unsplice)
{
	run("openbsd-7.6",
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 idle=1ms => 0\n"
	    "\tsleep 1ms\n"
	    "\tunsplice r1 => 0\n"
	    "\tsleep 5ms\n"
	    "\tsoerror r1 => 0\n"
	    "schedule 9:softclock\n"
	    "expect violation none\n");
	assert_clean();
	assert_same_untraced();
	ck_assert_int_eq(R->timeout_dels, 0);
	ck_assert_int_eq(R->idle_unspliced, 1);
	ck_assert_int_eq(R->nuns, 1);
	ck_assert_int_eq(R->uns[0].thread, tid_of("relay"));
}
END_TEST

/*
 * No traffic for the idle time ends a splice with ETIMEDOUT (soidle):
 * TCP and UDP, after one transfer each (the pass re-arms the timeout).
 */
START_TEST(test_idle_timeout)
{
	const Uns *u[4];

	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "udp uc\n"
	    "udp u1\n"
	    "udp us\n"
	    "udp u2 connect=us\n"
	    "thread client:\n"
	    "\tsend c 10 => 10\n"
	    "\tsendto uc u1 10 => 10\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 idle=5ms => 0\n"
	    "\tsplice u1 u2 idle=5ms => 0\n"
	    "\tsleep 20ms\n"
	    "\tsoerror r1 => ETIMEDOUT\n"
	    "\tsoerror u1 => ETIMEDOUT\n"
	    "\tgetsplice r1 => 10\n"
	    "\tgetsplice u1 => 10\n"
	    "thread server:\n"
	    "\trecv s 10 => 10\n"
	    "\trecv us 10 => 10\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(unsplices_of("r1", u, 4), 1);
	ck_assert_int_eq(u[0]->thread, R->w->tid_softclock);
	ck_assert_int_gt(u[0]->time, 5 * MS);
	ck_assert_int_lt(u[0]->time, 6 * MS);
	ck_assert_int_eq(unsplices_of("u1", u, 4), 1);
	ck_assert_int_eq(u[0]->thread, R->w->tid_softclock);
}
END_TEST

/*
 * Closing a socket spliced to itself dissolves its one splice, once
 * (TCP a, UDP u).  A closed UDP socket is freed (7.5 sofree, 7.6
 * soclose): splicing into it is EBADF.
 */
START_TEST(test_close_self_spliced)
{
	const Uns *u[4];

	run(obsd[_i],
	    "tcp a b\n"
	    "udp u connect=u\n"
	    "udp v connect=u\n"
	    "udp w\n"
	    "thread t:\n"
	    "\tsplice a a => 0\n"
	    "\tsplice u u => 0\n"
	    "\tsleep 1ms\n"
	    "\tclose a => 0\n"
	    "\tclose u => 0\n"
	    "\tclose v => 0\n"
	    "\tsplice w v => EBADF\n"
	    "thread p:\n"
	    "\tsend b 10 => 10\n"
	    "\trecv b 10 => 10\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(unsplices_of("a", u, 4), 1);
	ck_assert_int_eq(u[0]->splicelen, 10);
	ck_assert_int_eq(unsplices_of("u", u, 4), 1);
	ck_assert(!R->w->socks[sock_of("v")].live);
}
END_TEST

/*
 * sosplice sleeps in sblock(SBL_WAIT), which a signal interrupts
 * (EINTR), first on the source's so_rcv, then on the drain's so_snd.
 * A reader in a MSG_WAITALL receive holds r1's so_rcv lock while it
 * sleeps for the rest (asking for more than sb_hiwat lets it start with
 * the 100 bytes there): the splice and the unsplice each wait for it
 * and are interrupted.  A sender that sleeps for an mbuf (M_WAIT) holds
 * q2's so_snd lock: the splice into q2 waits there and is interrupted,
 * letting go of q1's so_rcv; once mbufs are freed it goes through.
 */
START_TEST(test_sblock_eintr)
{
	run(obsd[_i],
	    "tcp c r1\n"
	    "tcp r2 s\n"
	    "thread client:\n"
	    "\tsend c 100 => 100\n"
	    "\tsleep 10ms\n"
	    "\tsend c 19900 => 19900\n"
	    "thread reader:\n"
	    "\tsleep 500us\n"
	    "\trecv r1 20000 WAITALL => 20000\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"
	    "\tsplice r1 r2 => EINTR\n"
	    "\tunsplice r1 => EINTR\n"
	    "\tgetsplice r1 => 0\n"
	    "at 2ms signal relay\n"
	    "at 3ms signal relay\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(ret_of("relay", 1)->time, 2 * MS);
	ck_assert_int_eq(ret_of("relay", 2)->time, 3 * MS);
	ck_assert_int_eq(R->nuns, 0);
	teardown();

	run(obsd[_i],
	    "limit mbufs 4\n"
	    "tcp d q1\n"
	    "tcp q2 t\n"
	    "udp u\n"
	    "at 0ms datagram u from 10.1.2.3:4000 len 100\n"
	    "at 0ms datagram u from 10.1.2.3:4000 len 100\n"
	    "thread w:\n"
	    "\tsleep 1ms\n"
	    "\tsend q2 100 => 100\n"
	    "thread relay:\n"
	    "\tsleep 2ms\n"
	    "\tsplice q1 q2 => EINTR\n"
	    "\tsplice q1 q2 => 0\n"
	    "thread r:\n"
	    "\tsleep 5ms\n"
	    "\trecv u 100 => 100\n"
	    "\trecv u 100 => 100\n"
	    "\trecv t 100 => 100\n"
	    "at 3ms signal relay\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(ret_of("relay", 1)->time, 3 * MS);
	ck_assert_int_ge(ret_of("relay", 2)->time, 5 * MS);
	ck_assert_int_ge(R->w->stats.mbuf_waits, 1);
}
END_TEST

/* ================================================================== */
/* 7. Urgent data and the drain's space                                */
/* ================================================================== */

/*
 * The urgent byte comes first: r1 (SO_OOBINLINE) is empty when it
 * arrives, so so_oobmark is 0 and SS_RCVATMARK is set.  somove sends it
 * with pru_sendoob at once (the "rcvstate & SS_RCVATMARK" case): the
 * server reads it as urgent data.
 */
START_TEST(test_oob_at_mark)
{
	run(obsd[_i],
	    "tcp c r1 r1.oobinline\n"
	    "tcp r2 s\n"
	    "thread client:\n"
	    "\tsleep 1ms\n"
	    "\tsend c 1 OOB => 1\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 => 0\n"
	    "\tsleep 5ms\n"
	    "\tgetsplice r1 => 1\n"
	    "thread server:\n"
	    "\tsleep 2ms\n"
	    "\trecv s 1 OOB => 1 OOB\n"
	    "expect violation none\n");
	assert_clean();
}
END_TEST

/*
 * The mark far ahead: r1 holds 20010 bytes, its urgent byte the last;
 * the drain has 4096 bytes of room, far below the mark (so_oobmark is
 * not < space + 1024: no slack).  Each pass moves what fits and moves the
 * mark back by as much; the last one sends the 20009th byte with
 * pru_sendoob.  The server reads up to the mark, then the urgent byte.
 */
START_TEST(test_oob_mark_far)
{
	run(obsd[_i],
	    "tcp c r1 r1.oobinline r1.rcvbuf=64K\n"
	    "tcp r2 s r2.sndbuf=4096 s.rcvbuf=4096\n"
	    "thread client:\n"
	    "\tsend c 20000 => 20000\n"
	    "\tsend c 10 OOB => 10\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"
	    "\tsplice r1 r2 => 0\n"
	    "\tsleep 10ms\n"
	    "\tgetsplice r1 => 20010\n"
	    "thread server:\n"
	    "\tsleep 2ms\n"
	    "\trecv s 20009 WAITALL => 20009\n"
	    "\trecv s 1 OOB => 1 OOB\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_gt(R->w->stats.somove_calls, 5);
}
END_TEST

/*
 * The mark past the first mbufs of what is taken: 2000 bytes then the
 * urgent byte, all queued before the splice, r1 holds them in mbufs of
 * 1460, 540 and 1 bytes.  somove sends the 2000 with pru_send (m_split
 * at the mark; m_adj leaves the first two mbufs empty), then the byte
 * after them with pru_sendoob.
 */
START_TEST(test_oob_mark_past_mbufs)
{
	run(obsd[_i],
	    "tcp c r1 r1.oobinline\n"
	    "tcp r2 s\n"
	    "thread client:\n"
	    "\tsend c 2000 => 2000\n"
	    "\tsend c 1 OOB => 1\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"
	    "\tsplice r1 r2 => 0\n"
	    "\tgetsplice r1 => 2001\n"
	    "thread server:\n"
	    "\trecv s 3000 => 2000\n"
	    "\trecv s 1 OOB => 1 OOB\n"
	    "expect violation none\n");
	assert_clean();
}
END_TEST

/*
 * Two urgent marks, the first still at the front (SS_RCVATMARK) when the
 * second arrives (so_oobmark > 0; tcp_input sets the mark and leaves
 * SS_RCVATMARK).  The drain is full, so they wait; then one pass sends
 * each urgent byte with pru_sendoob, and what lies between with
 * pru_send (O385: "if (oobmark) { oobmark -= 1; if (oobmark == 0)
 * rcvstate |= SS_RCVATMARK; }").  For r1 the second byte follows the
 * first at once; for q1, two bytes come between.  Each drain's peer
 * gets the last urgent byte as urgent data (one urgent pointer for the
 * segment) and the rest in the stream.
 */
START_TEST(test_oob_two_marks)
{
	run(obsd[_i],
	    "tcp c r1 r1.oobinline\n"
	    "tcp r2 s r2.sndbuf=4096 s.rcvbuf=4096\n"
	    "tcp d q1 q1.oobinline\n"
	    "tcp q2 t q2.sndbuf=4096 t.rcvbuf=4096\n"
	    "thread client:\n"
	    "\tsend c 8192 => 8192\n"
	    "\tsend d 8192 => 8192\n"
	    "\tsleep 1ms\n"
	    "\tsend c 1 OOB => 1\n"
	    "\tsend d 1 OOB => 1\n"
	    "\tsleep 1ms\n"
	    "\tsend c 1 OOB => 1\n"
	    "\tsend d 3 OOB => 3\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 => 0\n"
	    "\tsplice q1 q2 => 0\n"
	    "\tsleep 5ms\n"
	    "\tgetsplice r1 => 8194\n"
	    "\tgetsplice q1 => 8196\n"
	    "thread server:\n"
	    "\tsleep 10ms\n"
	    "\trecv s 8192 WAITALL => 8192\n"
	    "\trecv t 8192 WAITALL => 8192\n"
	    "\tsleep 1ms\n"
	    "\trecv s 1 OOB => 1 OOB\n"
	    "\trecv s 10 DONTWAIT => 1\n"
	    "\trecv t 1 OOB => 1 OOB\n"
	    "\trecv t 10 DONTWAIT => 3\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(R->nuns, 0);
}
END_TEST

/*
 * No mbuf for the urgent byte's copy (somove allocates it with the
 * M_DONTWAIT of the task): "an mbuf that cannot be had is ignored, TCP
 * urgent data is not very reliable anyway" (O385).  The pool (20 mbufs)
 * is full of datagrams queued on u but two, which c's send of an urgent
 * byte takes; at r1 the pass finds no mbuf and sends the byte in the
 * stream with pru_send.  The same for the next urgent byte, after four
 * others.  The server gets all six bytes in its stream and no urgent
 * data; r2 never sent any (its urgent pointer is unset).
 */
START_TEST(test_oob_no_mbuf)
{
	GString *t = g_string_new("limit mbufs 20\nudp u\ntcp c r1 r1.oobinline\ntcp r2 s\n");

	for (int i = 0; i < 12; i++)
		g_string_append(t, "at 1ms datagram u from 10.1.2.3:4000 len 100\n");
	g_string_append(t,
	    "thread client:\n"
	    "\tsleep 2ms\n"
	    "\tsend c 1 OOB => 1\n"
	    "\tsleep 1ms\n"
	    "\tsend c 5 OOB => 5\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 => 0\n"
	    "\tsleep 10s\n"
	    "\tgetsplice r1 => 6\n"
	    "thread r:\n"
	    "\tsleep 1500us\n"
	    "\trecv u 100 => 100\n"
	    "\tsleep 1ms\n"
	    "\trecv u 100 => 100\n"
	    "\tsleep 1s\n");
	for (int i = 0; i < 8; i++)
		g_string_append(t, "\trecv u 100 => 100\n");
	g_string_append(t,
	    "\trecv s 6 WAITALL => 6\n"
	    "\trecv s 1 OOB => EINVAL\n"
	    "expect violation none\n");
	run(obsd[_i], t->str);
	g_string_free(t, TRUE);
	assert_clean();
	ck_assert_int_ge(R->w->stats.mbuf_fails, 2);
	ck_assert_int_eq(R->w->socks[sock_of("r2")].tp.snd_up, 0);
	ck_assert_int_eq(moved_total("r1"), 6);
}
END_TEST

/*
 * The 1024 bytes of slack for urgent data can make the drain refuse it.
 * r2's so_snd and the server's so_rcv are full (4096 each): the 600
 * bytes that follow wait in r1.  Then the urgent byte: its mark (600) is
 * within space + 1024, so somove takes all 601, sends the 600 before the
 * mark (r2's sbspace is now -600), and pru_sendoob refuses the byte
 * (tcp_usrreq: "if (sbspace(&so->so_snd) < -512) error = ENOBUFS").  The
 * splice ends with ENOBUFS; the urgent byte is lost, so the server sees
 * no urgent data.
 *
 * Was a bug (fixed in somove.c send_stream): the refused byte was
 * counted into r2's stream (the conservation check fired).
 */
START_TEST(test_oob_enobufs)
{
	run(obsd[_i],
	    "tcp c r1 r1.oobinline\n"
	    "tcp r2 s r2.sndbuf=4096 s.rcvbuf=4096\n"
	    "thread client:\n"
	    "\tsend c 8192 => 8192\n"
	    "\tsleep 1ms\n"
	    "\tsend c 600 => 600\n"
	    "\tsleep 1ms\n"
	    "\tsend c 1 OOB => 1\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 => 0\n"
	    "\tsleep 5ms\n"
	    "\tsoerror r1 => ENOBUFS\n"
	    "\tgetsplice r1 => 8792\n"
	    "thread server:\n"
	    "\tsleep 10ms\n"
	    "\trecv s 8792 WAITALL => 8792\n"
	    "\trecv s 1 OOB => EINVAL\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(moved_total("r1"), 8793);
	ck_assert_int_eq(R->w->socks[sock_of("r2")].tx_moved, 8792);
}
END_TEST

/*
 * somove takes only whole mbufs unless the drain is empty or the maximum
 * is reached (sbtake; O385 "if (m->m_len > len - off) { if (!(maxreached
 * || sosp->so_snd.sb_cc == 0)) break; ... }").  r2's so_snd holds 1500
 * bytes and its low-water mark is 1, and the server's window of 1000
 * closes: r2 keeps 500 bytes it cannot send.  Data arriving at r1 then
 * finds room for less than r1's first mbuf (a 2048-byte cluster): the
 * pass takes nothing and the splice goes on (somove returns 1).  Once
 * the server reads, the rest moves.
 */
START_TEST(test_tcp_take_nothing)
{
	GError *err = NULL;
	Scenario *scn;
	const Profile *p = profile_find(obsd[_i]);
	Rec *r = g_new0(Rec, 1);

	/* run() with the two sockets watched from the first event on */
	r->prof = obsd[_i];
	r->s = scn = scenario_parse_string("t.scn",
	    "tcp c r1\n"
	    "tcp r2 s r2.sndbuf=1500 r2.sndlowat=1 s.rcvbuf=1000\n"
	    "thread client:\n"
	    "\tsend c 10000 => 10000\n"
	    "thread relay:\n"
	    "\tsplice r1 r2 => 0\n"
	    "\tsleep 20ms\n"
	    "\tgetsplice r1 => 10000\n"
	    "\tsoerror r1 => 0\n"
	    "thread server:\n"
	    "\tsleep 5ms\n"
	    "\trecv s 10000 WAITALL => 10000\n"
	    "expect violation none\n", &err);
	ck_assert_ptr_nonnull(scn);
	r->w = world_new(scn, p, p->quirks);
	r->stall_src = 1;       /* r1 */
	r->stall_drain = 2;     /* r2 */
	r->w->run->sink.fn = sink;
	r->w->run->sink.ctx = r;
	sched_run(r->w);
	R = r;
	ck_assert_int_eq(sock_of("r1"), 1);
	ck_assert_int_eq(sock_of("r2"), 2);
	assert_clean();
	ck_assert_int_gt(R->stalls, 0);
	ck_assert_int_eq(moved_total("r1"), 10000);
	ck_assert_int_eq(R->nuns, 0);
}
END_TEST

/*
 * somove_dgram skips a record's MT_SONAME and MT_CONTROL mbufs (and frees
 * them with the record): datagrams from outside with 16 bytes of control
 * arrive at the drain's peer as their data only.
 */
START_TEST(test_udp_control_dropped)
{
	run(obsd[_i],
	    "udp u1\n"
	    "udp us\n"
	    "udp u2 connect=us\n"
	    "at 1ms datagram u1 from 10.1.2.3:4000 len 100 control 16\n"
	    "at 2ms datagram u1 from 10.1.2.3:4000 len 3000 control 16\n"
	    "thread relay:\n"
	    "\tsplice u1 u2 => 0\n"
	    "\tsleep 5ms\n"
	    "\tgetsplice u1 => 3100\n"
	    "thread server:\n"
	    "\trecv us 5000 => 100\n"
	    "\trecv us 5000 => 3000\n"
	    "expect leaked mbufs == 0\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(moved_total("u1"), 3100);
	ck_assert_int_eq(R->w->socks[sock_of("u1")].rcv.cc, 0);
}
END_TEST

/* ================================================================== */
/* Disagreements with the kernel code that this suite found (fixed)    */
/* ================================================================== */

/*
 * Was a bug (fixed in m_alloc): ph_loopcnt survived mbuf reuse.  In the kernel a datagram or
 * segment that a program sends starts in a fresh packet header mbuf
 * (MGETHDR -> m_inithdr zeroes m_pkthdr, ph_loopcnt = 0), so a relay that
 * never loops moves every packet with loop count 1 and never reaches
 * M_MAXLOOP (O385 somove: `ph_loopcnt++ >= M_MAXLOOP`).  sosim's m_alloc
 * (sim/mbuf.c) does not reset Mbuf.loopcnt, and somove.c tests loopcnt
 * without checking M_PKTHDR, so the count of a recycled mbuf keeps
 * growing: after 128 datagrams of 10 bytes relayed one at a time the
 * splice ends with ELOOP (getsplice 1280, soerror ELOOP, the server
 * stalls).  The same happens on TCP (tcp.c copies the sender's mbuf
 * loopcnt into the segment).  Kernel: no ELOOP, all 3000 bytes, so_error 0.
 */
static void
long_relay(const char *prof, bool udp)
{
	GString *t = g_string_new(NULL);

	if (udp)
		g_string_append(t, "udp c\nudp r1\nudp s\nudp r2 connect=s\nthread client:\n");
	else
		g_string_append(t, "tcp c r1\ntcp r2 s\nthread client:\n");
	for (int i = 0; i < 300; i++)
		g_string_append(t, udp ? "\tsendto c r1 10 => 10\n\tsleep 1ms\n" :
		    "\tsend c 10 => 10\n\tsleep 1ms\n");
	/* TCP: the 10-byte sends wait for ACKs that r1 delays (the Nagle
	 * rule), so the last of them leave well after the last send */
	g_string_append(t, "thread relay:\n\tsplice r1 r2 => 0\n\tsleep 1s\n"
	    "\tsoerror r1 => 0\n\tgetsplice r1 => 3000\n"
	    "thread server:\n");
	if (udp)
		for (int i = 0; i < 300; i++)
			g_string_append(t, "\trecv s 100 => 10\n");
	else
		g_string_append(t, "\trecv s 3000 WAITALL => 3000\n");
	g_string_append(t, "expect violation none\n");
	run(prof, t->str);
	g_string_free(t, TRUE);
	RET("relay", 2, 0, 0);
	RET("relay", 3, 3000, 0);
	assert_clean();
}

START_TEST(test_known_bug_loopcnt_reuse)
{
	long_relay(obsd[_i], true);
	teardown();
	long_relay(obsd[_i], false);
}
END_TEST

/*
 * Was a bug (fixed in splice_kcont_run): the direction of the 2005 continuation.  The kcont is
 * deferred with the socket whose upcall ran (L226: kcont_defer(kc, so, 0))
 * and the continuation starts from it: so1 = so, so2 = the other
 * (L247-251), then splice1(so1, so2) moves so1 -> so2 first and so2 -> so1
 * second (L186-209).  In test_sys_splice_no_initial_move the upcall is
 * r2's (the server's byte), so the kernel moves r2 -> r1 (2001 bytes)
 * first, then r1 -> r2 (3000).  sosim's splice_kcont_run ignores the
 * socket and always starts from the lower-addressed one of the
 * splice_state (so1 after the "deadlock avoidance" swap): r1 -> r2 first.
 * It matters beyond the order when the first direction fails: splice1
 * then skips the second.
 */
START_TEST(test_known_bug_kcont_direction)
{
	/* mss=1000: full segments, no send waits for an ACK its peer delays */
	run(NETBSD05,
	    NB05_QUIRKS_OFF
	    "tcp c r1 mss=1000\n"
	    "tcp r2 s mss=1000\n"
	    "thread client:\n"
	    "\tsend c 3000 => 3000\n"
	    "\tsleep 20ms\n"
	    "\tshutdown c wr => 0\n"
	    "\trecv c 2001 WAITALL => 2001\n"
	    "thread relay:\n"
	    "\tsleep 1ms\n"
	    "\tsys_splice r1 r2 => 0\n"
	    "\tclose r1 => 0\n"
	    "\tclose r2 => 0\n"
	    "thread server:\n"
	    "\tsend s 2000 => 2000\n"
	    "\tsleep 5ms\n"
	    "\tsend s 1 => 1\n"
	    "\trecv s 3000 WAITALL => 3000\n"
	    "\tshutdown s wr => 0\n"
	    "expect violation none\n");
	assert_clean();
	ck_assert_int_eq(R->nmds, 2);
	ck_assert_int_eq(R->mds[0].from, sock_of("r2"));
	ck_assert_int_eq(R->mds[0].moved, 2001);
	ck_assert_int_eq(R->mds[1].from, sock_of("r1"));
	ck_assert_int_eq(R->mds[1].moved, 3000);
}
END_TEST

static Suite *
splice_suite(void)
{
	Suite *s = suite_create("splice");
	TCase *tc;

	tc = tcase_create("sosplice");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_errno_each, 0, NOBSD);
	tcase_add_loop_test(tc, test_errno_precedence, 0, NOBSD);
	tcase_add_loop_test(tc, test_errno_precedence_o385, 0, NOBSD);
	tcase_add_loop_test(tc, test_errno_closed_and_other_profiles, 0, NOBSD);
	tcase_add_loop_test(tc, test_getsplice, 0, NOBSD);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("somove-stream");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_tcp_source_limited_eof, 0, NOBSD);
	tcase_add_loop_test(tc, test_tcp_first_pass_ends, 0, NOBSD);
	tcase_add_loop_test(tc, test_tcp_drain_limited, 0, NOBSD);
	tcase_add_loop_test(tc, test_tcp_lowat, 0, NOBSD);
	tcase_add_loop_test(tc, test_tcp_max_first_pass, 0, NOBSD);
	tcase_add_loop_test(tc, test_tcp_max_stream, 0, NOBSD);
	tcase_add_loop_test(tc, test_tcp_max_and_space, 0, NOBSD);
	tcase_add_loop_test(tc, test_tcp_drain_shutdown_epipe, 0, NOBSD);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("somove-dgram");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_udp_one_pass, 0, NOBSD);
	tcase_add_loop_test(tc, test_udp_max_nosplit, 0, NOBSD);
	tcase_add_loop_test(tc, test_udp_max_efbig, 0, NOBSD);
	tcase_add_loop_test(tc, test_udp_max_short, 0, NOBSD);
	tcase_add_loop_test(tc, test_udp_max_arrivals, 0, NOBSD);
	tcase_add_loop_test(tc, test_udp_emsgsize, 0, NOBSD);
	tcase_add_loop_test(tc, test_udp_eloop, 0, NOBSD);
	tcase_add_loop_test(tc, test_udp_move_context, 0, NOBSD);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("netbsd-2005");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_sys_splice_errors);
	tcase_add_test(tc, test_sys_splice_both_ways);
	tcase_add_test(tc, test_sys_splice_small_buffers);
	tcase_add_test(tc, test_sys_splice_no_initial_move);
	tcase_add_test(tc, test_sys_splice_kmem);
	tcase_add_test(tc, test_sys_splice_negative_space);
	tcase_add_test(tc, test_sys_splice_kcont_after_free);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_source_error_ends_splice, 0, NOBSD);
	tcase_add_loop_test(tc, test_drain_error_ends_splice, 0, NOBSD);
	tcase_add_loop_test(tc, test_drain_reset_epipe, 0, NOBSD);
	tcase_add_loop_test(tc, test_drain_error_ignored, 0, NOBSD);
	tcase_add_loop_test(tc, test_drain_eloop_ignored, 0, NOBSD);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("unsplice");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_unsplice_dequeues_task, 0, NOBSD);
	tcase_add_loop_test(tc, test_unsplice_dequeues_soidle, 0, NOBSD);
	tcase_add_test(tc, test_soidle_after_unsplice);
	tcase_add_loop_test(tc, test_idle_timeout, 0, NOBSD);
	tcase_add_loop_test(tc, test_close_self_spliced, 0, NOBSD);
	tcase_add_loop_test(tc, test_sblock_eintr, 0, NOBSD);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("oob-space");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_oob_at_mark, 0, NOBSD);
	tcase_add_loop_test(tc, test_oob_mark_far, 0, NOBSD);
	tcase_add_loop_test(tc, test_oob_mark_past_mbufs, 0, NOBSD);
	tcase_add_loop_test(tc, test_oob_two_marks, 0, NOBSD);
	tcase_add_loop_test(tc, test_oob_no_mbuf, 0, NOBSD);
	tcase_add_loop_test(tc, test_oob_enobufs, 0, NOBSD);
	tcase_add_loop_test(tc, test_tcp_take_nothing, 0, NOBSD);
	tcase_add_loop_test(tc, test_udp_control_dropped, 0, NOBSD);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("fixed-bugs");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_known_bug_loopcnt_reuse, 0, NOBSD);
	tcase_add_test(tc, test_known_bug_kcont_direction);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(splice_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
