/*
 * test_invariant.c: the kernel's invariant checks (sim/kern/invariant.c)
 * and the consistency checks of the buffer and mbuf routines, each made to
 * fire on a world corrupted on purpose.
 *
 * Every test builds a sound world (a unit fixture, or a scenario run to
 * its end or stepped to a chosen point), checks that it passes, breaks one
 * thing the check is about, and asserts the exact violation and message
 * the check reports.  The sound half matters as much as the broken one: a
 * check that fires on a healthy world is as wrong as one that never fires.
 */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "expect.h"
#include "kern.h"
#include "sched.h"

#include "fixture.h"

/* ---- worlds ---- */

typedef struct {
	Scenario *s;
	World *w;
} Sim;

static Sim
sim_new(const char *prof, const char *text)
{
	GError *err = NULL;
	Sim x;
	const Profile *p = profile_find(prof);

	ck_assert_ptr_nonnull(p);
	x.s = scenario_parse_string("t.scn", text, &err);
	ck_assert_msg(x.s != NULL, "scenario does not parse: %s", err ? err->message : "?");
	x.w = world_new(x.s, p, (p->quirks | x.s->quirks_on) & ~x.s->quirks_off);
	ck_assert_ptr_nonnull(x.w);
	return x;
}

static void
sim_free(Sim *x)
{
	world_free(x->w);
	scenario_free(x->s);
}

/* Run to the end: the world must have ended cleanly. */
static void
sim_run(Sim *x)
{
	sched_run(x->w);
	ck_assert_msg(x->w->stop == STOP_DONE, "run stopped: %s", x->w->run->stop_msg);
	ck_assert_int_eq(x->w->violation, V_NONE);
}

static int
sock_of(const Sim *x, const char *name)
{
	for (int i = 0; i < x->s->nsockets; i++)
		if (strcmp(x->s->sockets[i].name, name) == 0)
			return i;
	ck_abort_msg("no socket %s", name);
	return -1;
}

/* Forget how the run ended, so a check can report a new violation. */
static void
reopen(World *w)
{
	w->stop = STOP_NONE;
	w->violation = V_NONE;
	w->run->violation_msg[0] = '\0';
}

static void
assert_violation(World *w, ViolationId v, const char *msg)
{
	ck_assert_msg(w->stop == STOP_VIOLATION, "no violation (want %s: %s)", violation_names[v], msg);
	ck_assert_msg(w->violation == v, "violation %s (%s), want %s", violation_names[w->violation],
	    w->run->violation_msg, violation_names[v]);
	ck_assert_str_eq(w->run->violation_msg, msg);
}

static void
assert_sound(World *w)
{
	ck_assert_msg(w->stop != STOP_VIOLATION, "unexpected violation %s: %s",
	    violation_names[w->violation], w->run->violation_msg);
}

/* An MT_DATA mbuf with a cluster and len bytes (too long to be coalesced
 * into the one before by sbcompress). */
static Ref
clmbuf(World *w, uint32_t len)
{
	Ref r = m_get(w, M_DONTWAIT, MT_DATA);

	ck_assert(!ref_null(r));
	ck_assert(m_clget(w, r));
	mb(w, r)->len = len;
	return r;
}

/* A fixture socket's so_rcv holding two unmergeable mbufs of 1000 bytes
 * (one record); returns the first. */
static Ref
two_mbufs(Fix *f)
{
	Ref a = clmbuf(f->w, 1000), b = clmbuf(f->w, 1000);

	mb(f->w, a)->next = b;
	sbappendstream(f->w, f->so, f->sb, a);
	ck_assert(ref_eq(f->sb->mb, a));
	ck_assert(ref_eq(f->sb->mbtail, b));
	ck_assert(sbcheck(f->w, 0, SB_RCV));
	assert_sound(f->w);
	return a;
}

static Ref
stale(Ref r)
{
	return (Ref){ r.i, r.g + 1 };
}

/* ---- sbcheck: the chain against the counters ---- */

/* A stale handle where a record starts, or inside one: the walk stops
 * there and reports the use after free (the dereference does). */
START_TEST(test_sbcheck_stale)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	Ref a = two_mbufs(&f), b = mb(f.w, a)->next;
	char msg[128];

	f.sb->mb = stale(a);
	ck_assert(!sbcheck(f.w, 0, SB_RCV));
	snprintf(msg, sizeof msg, "use of freed mbuf #%u (handle generation %u, slot now %u)",
	    a.i, a.g + 1, a.g);
	assert_violation(f.w, V_STALE_HANDLE, msg);

	reopen(f.w);
	f.sb->mb = a;
	mb(f.w, a)->next = stale(b);
	ck_assert(!sbcheck(f.w, 0, SB_RCV));
	snprintf(msg, sizeof msg, "use of freed mbuf #%u (handle generation %u, slot now %u)",
	    b.i, b.g + 1, b.g);
	assert_violation(f.w, V_STALE_HANDLE, msg);
	mb(f.w, a)->next = b;
	fix_free(&f);
}
END_TEST

/* A chain that loops back on itself never ends: more mbufs than the pool
 * holds is a cycle. */
START_TEST(test_sbcheck_cycle)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	Ref a = two_mbufs(&f), b = mb(f.w, a)->next;

	mb(f.w, b)->next = a;
	ck_assert(!sbcheck(f.w, 0, SB_RCV));
	assert_violation(f.w, V_SBCHECK, "s.so_rcv: the chain has a cycle");
	mb(f.w, b)->next = REF_NULL;
	fix_free(&f);
}
END_TEST

/* Only record heads carry m_nextpkt. */
START_TEST(test_sbcheck_nextpkt_inside)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	Ref a = two_mbufs(&f), b = mb(f.w, a)->next;

	mb(f.w, b)->nextpkt = a;
	ck_assert(!sbcheck(f.w, 0, SB_RCV));
	assert_violation(f.w, V_SBCHECK, "s.so_rcv: an mbuf inside a record has m_nextpkt set");
	fix_free(&f);
}
END_TEST

/* sb_cc, sb_mbcnt and sb_datacc each against the sums over the chain. */
START_TEST(test_sbcheck_counters)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	int64_t storage;

	two_mbufs(&f);
	storage = 2 * (f.w->prof->msize + f.w->prof->mclbytes);
	ck_assert_int_eq(f.sb->mbcnt, storage);

	f.sb->cc++;
	ck_assert(!sbcheck(f.w, 0, SB_RCV));
	{
		char msg[200];

		snprintf(msg, sizeof msg, "s.so_rcv: sb_cc 2001, sb_mbcnt %lld, but the chain holds 2000 "
		    "bytes in %lld of storage", (long long)storage, (long long)storage);
		assert_violation(f.w, V_SBCHECK, msg);
		f.sb->cc--;

		/* sb_cc right, sb_mbcnt wrong */
		reopen(f.w);
		f.sb->mbcnt -= f.w->prof->msize;
		ck_assert(!sbcheck(f.w, 0, SB_RCV));
		snprintf(msg, sizeof msg, "s.so_rcv: sb_cc 2000, sb_mbcnt %lld, but the chain holds 2000 "
		    "bytes in %lld of storage", (long long)(storage - f.w->prof->msize), (long long)storage);
		assert_violation(f.w, V_SBCHECK, msg);
		f.sb->mbcnt += f.w->prof->msize;
	}

	reopen(f.w);
	f.sb->datacc = 1999;
	ck_assert(!sbcheck(f.w, 0, SB_RCV));
	assert_violation(f.w, V_SBCHECK, "s.so_rcv: sb_datacc 1999, but the chain holds 2000 data bytes");
	f.sb->datacc = 2000;

	reopen(f.w);
	ck_assert(sbcheck(f.w, 0, SB_RCV));
	assert_sound(f.w);
	fix_free(&f);
}
END_TEST

/* The cached tail pointers: sb_lastrecord and sb_mbtail. */
START_TEST(test_sbcheck_tails)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	Ref a = two_mbufs(&f), b = mb(f.w, a)->next;

	f.sb->lastrecord = REF_NULL;
	ck_assert(!sbcheck(f.w, 0, SB_RCV));
	assert_violation(f.w, V_SBLASTRECORDCHK, "s.so_rcv: sb_lastrecord is not the last record");
	f.sb->lastrecord = a;

	reopen(f.w);
	f.sb->mbtail = a;
	ck_assert(!sbcheck(f.w, 0, SB_RCV));
	assert_violation(f.w, V_SBLASTMBUFCHK, "s.so_rcv: sb_mbtail is not the last mbuf");
	f.sb->mbtail = b;
	fix_free(&f);
}
END_TEST

/* Two records: a datagram buffer may, a stream buffer may not. */
START_TEST(test_sbcheck_stream_records)
{
	for (int udp = 0; udp < 2; udp++) {
		Fix f = fix_new("netbsd-2.0", udp ? SCN_SOCK_UDP : SCN_SOCK_TCP, 0);

		sbappendrecord(f.w, f.so, f.sb, clmbuf(f.w, 100));
		sbappendrecord(f.w, f.so, f.sb, clmbuf(f.w, 200));
		ck_assert_int_eq(f.sb->cc, 300);
		ck_assert(!ref_eq(f.sb->mb, f.sb->lastrecord));
		if (udp) {
			ck_assert(sbcheck(f.w, 0, SB_RCV));
			assert_sound(f.w);
		} else {
			ck_assert(!sbcheck(f.w, 0, SB_RCV));
			assert_violation(f.w, V_STREAM, "s.so_rcv: a stream buffer holds 2 records");
		}
		fix_free(&f);
	}
}
END_TEST

/* ---- sbcheck: SB_LOCK and its owner ---- */

/* SB_LOCK must be held by a live thread; an owner without SB_LOCK is as
 * wrong.  The threads are those of a scenario: one finished, one asleep. */
START_TEST(test_sbcheck_lock_owner)
{
	Sim x = sim_new("netbsd-2.0",
	    "tcp a b\n"
	    "thread done:\n"
	    "\tsend a 10 => 10\n"
	    "thread reader:\n"
	    "\trecv b 100 WAITALL\n");
	World *w = x.w;
	int a = sock_of(&x, "a");
	Sockbuf *sb = &w->socks[a].snd;

	sched_run(w);
	/* the reader sleeps for the other 90 bytes */
	ck_assert_int_eq(w->stop, STOP_DEADLOCK);
	ck_assert_int_eq(w->threads[0].state, TS_DONE);
	ck_assert_int_eq(w->threads[1].state, TS_SLEEP);
	reopen(w);

	/* a's so_snd: locked for the sleeping reader is sound */
	sb->flags |= SB_LOCK;
	sb->lock_owner = 1;
	ck_assert(sbcheck(w, a, SB_SND));
	assert_sound(w);

	sb->lock_owner = -1;
	ck_assert(!sbcheck(w, a, SB_SND));
	assert_violation(w, V_LOCK_OWNER, "a.so_snd: SB_LOCK is held by nobody");

	reopen(w);
	sb->lock_owner = 0;
	ck_assert(!sbcheck(w, a, SB_SND));
	assert_violation(w, V_LOCK_OWNER, "a.so_snd: SB_LOCK is held by a thread that has exited");

	reopen(w);
	sb->lock_owner = (int16_t)w->nthreads;
	ck_assert(!sbcheck(w, a, SB_SND));
	assert_violation(w, V_LOCK_OWNER, "a.so_snd: SB_LOCK is held by a thread that has exited");

	reopen(w);
	sb->flags &= ~(uint32_t)SB_LOCK;
	sb->lock_owner = 1;
	ck_assert(!sbcheck(w, a, SB_SND));
	assert_violation(w, V_LOCK_OWNER, "a.so_snd: an owner is recorded but SB_LOCK is clear");
	sb->lock_owner = -1;
	sim_free(&x);
}
END_TEST

/* ---- conservation ---- */

static const char tcp_pair[] =
    "tcp a b\n"
    "thread writer:\n"
    "\tsend a 3000 => 3000\n"
    "thread reader:\n"
    "\trecv b 1000 WAITALL => 1000\n";

/* TCP: what a accepted = acknowledged + dropped + in so_snd; what b
 * received = read + flushed + spliced + in so_rcv.  Each side broken in
 * turn, through kern_invariants_step as the engine calls it. */
START_TEST(test_conservation_tcp)
{
	Sim x = sim_new("netbsd-2.0", tcp_pair);
	World *w = x.w;
	Socket *a = &w->socks[sock_of(&x, "a")], *b = &w->socks[sock_of(&x, "b")];

	sim_run(&x);
	ck_assert_int_eq(a->tx_app, 3000);
	ck_assert_int_eq(a->tx_acked, 3000);
	ck_assert_int_eq(b->rcv.cc, 2000);
	reopen(w);
	ck_assert(kern_invariants_step(w, ~0u));
	assert_sound(w);

	a->tx_app++;
	ck_assert(!kern_invariants_step(w, ~0u));
	assert_violation(w, V_CONSERVATION,
	    "a: 3001 bytes sent or spliced in, but 3000 acknowledged + 0 dropped + 0 in so_snd");
	a->tx_app--;

	reopen(w);
	b->rx_total++;
	ck_assert(!kern_invariants_step(w, ~0u));
	assert_violation(w, V_CONSERVATION,
	    "b: 3001 bytes received, but 1000 read + 0 flushed + 0 spliced + 2000 in so_rcv");

	/* a socket outside the mask is not looked at */
	reopen(w);
	ck_assert(kern_invariants_step(w, sock_bit(sock_of(&x, "a"))));
	assert_sound(w);
	b->rx_total--;
	sim_free(&x);
}
END_TEST

/* kern_invariants_step checks so_rcv, then so_snd, then the accounts, and
 * stops at the first that fails; dead sockets are skipped. */
START_TEST(test_invariants_step_order)
{
	Sim x = sim_new("netbsd-2.0", tcp_pair);
	World *w = x.w;
	Socket *a = &w->socks[sock_of(&x, "a")];

	sim_run(&x);
	reopen(w);
	a->snd.cc = 5;          /* so_snd is empty */
	ck_assert(!kern_invariants_step(w, ~0u));
	ck_assert_int_eq(w->violation, V_SBCHECK);
	ck_assert(strncmp(w->run->violation_msg, "a.so_snd: sb_cc 5,", 18) == 0);

	reopen(w);
	a->live = 0;
	ck_assert(kern_invariants_step(w, ~0u));
	assert_sound(w);
	a->live = 1;
	a->snd.cc = 0;
	sim_free(&x);
}
END_TEST

/* UDP: written = put on the wire + dropped + in so_snd; received = read +
 * flushed + spliced + in so_rcv (data only: the address is not counted). */
START_TEST(test_conservation_udp)
{
	Sim x = sim_new("netbsd-2.0",
	    "udp u\n"
	    "udp v\n"
	    "thread t:\n"
	    "\tsendto u v 100 => 100\n"
	    "\tsendto u v 200 => 200\n"
	    "\tsleep 1ms\n"
	    "\trecv v 1000 => 100\n");
	World *w = x.w;
	Socket *u = &w->socks[sock_of(&x, "u")], *v = &w->socks[sock_of(&x, "v")];

	sim_run(&x);
	ck_assert_int_eq(u->tx_sent, 300);
	ck_assert_int_eq(v->rcv.datacc, 200);
	ck_assert_int_gt(v->rcv.cc, 200);
	reopen(w);
	ck_assert(kern_invariants_step(w, ~0u));
	assert_sound(w);
	ck_assert(kern_invariants_end(w));

	u->tx_app += 7;
	ck_assert(!kern_invariants_step(w, ~0u));
	assert_violation(w, V_CONSERVATION,
	    "u: 307 bytes sent or spliced in, but 300 put on the wire + 0 dropped + 0 in so_snd");
	u->tx_app -= 7;

	reopen(w);
	v->rx_app -= 1;
	ck_assert(!kern_invariants_step(w, ~0u));
	assert_violation(w, V_CONSERVATION,
	    "v: 300 bytes of datagrams received, but 99 read + 0 flushed + 0 spliced + 200 in so_rcv "
	    "+ 0 being read");
	v->rx_app += 1;

	/* at the end: a byte on the wire that reached nobody */
	reopen(w);
	u->tx_sent++;
	u->tx_app++;
	ck_assert(!kern_invariants_end(w));
	assert_violation(w, V_CONSERVATION,
	    "UDP: 301 bytes put on the wire, but 300 reached a socket (appended or dropped for room) "
	    "+ 0 to no socket");
	sim_free(&x);
}
END_TEST

/* FreeBSD's soreceive_dgram takes the whole datagram off so_rcv before it
 * copies (with the lock dropped in between): for that moment the bytes
 * are in neither so_rcv nor the program, and the accounts and the leak
 * check find them in the routine's frame. */
START_TEST(test_dgram_held_by_reader)
{
	Sim x = sim_new("freebsd-9.1",
	    "udp u\n"
	    "udp v\n"
	    "thread s:\n"
	    "\tsendto u v 100 => 100\n"
	    "thread r:\n"
	    "\tsleep 1ms\n"
	    "\trecv v 1000 => 100\n");
	World *w = x.w;
	int r = 1, v = sock_of(&x, "v");
	Frame *held = NULL;

	while (held == NULL && sched_step(w)) {
		const Thread *t = &w->threads[r];

		for (int d = 0; d < t->depth; d++)
			if (t->stack[d].mach == MACH_SORECEIVE_DGRAM && !ref_null(t->stack[d].u.sr.rec))
				held = &w->threads[r].stack[d];
	}
	ck_assert_msg(held != NULL, "the reader never held a datagram: %s", w->run->stop_msg);
	assert_sound(w);
	ck_assert(ref_null(w->socks[v].rcv.mb));
	ck_assert_int_eq(w->socks[v].rx_total, 100);
	ck_assert_int_eq(w->socks[v].rx_app, 0);
	/* name + data are the routine's now: not leaked, still accounted */
	ck_assert_uint_eq(w->mlive, 2);
	ck_assert_uint_eq(kern_leaked(w, false), 0);
	ck_assert(kern_invariants_step(w, ~0u));
	assert_sound(w);

	/* a routine that lost the record: both checks see the hole */
	{
		Ref rec = held->u.sr.rec;

		held->u.sr.rec = REF_NULL;
		ck_assert_uint_eq(kern_leaked(w, false), 2);
		ck_assert(!kern_invariants_step(w, ~0u));
		assert_violation(w, V_CONSERVATION,
		    "v: 100 bytes of datagrams received, but 0 read + 0 flushed + 0 spliced + 0 in so_rcv "
		    "+ 0 being read");
		held->u.sr.rec = rec;
	}
	reopen(w);
	sched_run(w);
	ck_assert_int_eq(w->stop, STOP_DONE);
	assert_sound(w);
	ck_assert_int_eq(w->socks[v].rx_app, 100);
	sim_free(&x);
}
END_TEST

/* OpenBSD 7.6 somove_dgram drops its locks around pru_send: the datagram
 * it took is in its frame across the preemption, reachable. */
START_TEST(test_dgram_held_by_somove)
{
	Sim x = sim_new("openbsd-7.6",
	    "udp src\n"
	    "udp dst\n"
	    "udp drain connect=dst\n"
	    "at 1ms datagram src from 10.9.9.9:99 len 100\n"
	    "thread t:\n"
	    "\tsplice src drain => 0\n"
	    "\tsleep 2ms\n"
	    "\trecv dst 1000 => 100\n");
	World *w = x.w;
	Frame *held = NULL;

	while (held == NULL && sched_step(w))
		for (int t = 0; t < w->nthreads && held == NULL; t++)
			for (int d = 0; d < w->threads[t].depth; d++)
				if (w->threads[t].stack[d].mach == MACH_SOMOVE &&
				    !ref_null(w->threads[t].stack[d].u.mv.m))
					held = &w->threads[t].stack[d];
	ck_assert_msg(held != NULL, "somove never held a datagram: %s", w->run->stop_msg);
	assert_sound(w);
	ck_assert_uint_gt(w->mlive, 0);
	ck_assert_uint_eq(kern_leaked(w, false), 0);
	{
		Ref m = held->u.mv.m;
		uint64_t n = 0;

		for (Ref k = m; !ref_null(k); k = mb(w, k)->next)
			n++;
		held->u.mv.m = REF_NULL;
		ck_assert_uint_eq(kern_leaked(w, false), n);
		held->u.mv.m = m;
	}
	sched_run(w);
	ck_assert_int_eq(w->stop, STOP_DONE);
	assert_sound(w);
	sim_free(&x);
}
END_TEST

/* ---- the end of the run: leaks ---- */

/* An mbuf nothing holds is a leak; kern_leaked counts it the same way. */
START_TEST(test_mbuf_leak)
{
	Sim x = sim_new("netbsd-2.0", tcp_pair);
	World *w = x.w;
	Ref lost;

	sim_run(&x);
	ck_assert_uint_eq(kern_leaked(w, false), 0);
	reopen(w);
	ck_assert(kern_invariants_end(w));
	assert_sound(w);

	lost = m_get(w, M_DONTWAIT, MT_DATA);
	ck_assert(!ref_null(lost));
	ck_assert_uint_eq(kern_leaked(w, false), 1);
	ck_assert(!kern_invariants_end(w));
	{
		char msg[200];

		snprintf(msg, sizeof msg, "%u mbufs are allocated but only %u are in a buffer, on the "
		    "wire, or held by a routine", w->mlive, w->mlive - 1);
		assert_violation(w, V_MBUF_LEAK, msg);
	}
	m_free(w, lost);

	/* a broken buffer is reported before any leak */
	reopen(w);
	w->socks[sock_of(&x, "b")].rcv.cc++;
	lost = m_get(w, M_DONTWAIT, MT_DATA);
	ck_assert(!kern_invariants_end(w));
	ck_assert_int_eq(w->violation, V_SBCHECK);
	sim_free(&x);
}
END_TEST

/* The 2005 splice(2) prototype's splice_state (kernel malloc): held while
 * a thread is inside sys_splice with it, leaked once nobody is. */
START_TEST(test_kmem_leak)
{
	Sim x = sim_new("netbsd-2005-splice",
	    "tcp a b\n"
	    "tcp c d\n"
	    "quirk splice-dup-alloc off\n"
	    "thread t:\n"
	    "\tsys_splice b c\n");
	World *w = x.w;
	Frame *f = NULL;

	while (f == NULL && sched_step(w))
		for (int d = 0; d < w->threads[0].depth; d++)
			if (w->threads[0].stack[d].mach == MACH_SYS_SPLICE && w->threads[0].stack[d].pc > 0 &&
			    w->nkmem > 0 && w->kmem[w->threads[0].stack[d].u.sp.knot].live)
				f = &w->threads[0].stack[d];
	ck_assert_msg(f != NULL, "sys_splice never held its splice_state: %s", w->run->stop_msg);
	assert_sound(w);
	ck_assert_uint_eq(kern_leaked(w, true), 0);

	/* the frame lets go of it (another knot): now nothing refers to it */
	{
		int k = f->u.sp.knot;

		f->u.sp.knot = k + 1;
		ck_assert_uint_eq(kern_leaked(w, true), 1);
		f->u.sp.knot = k;
		f->pc = 0;      /* not yet past its malloc: it holds nothing */
		ck_assert_uint_eq(kern_leaked(w, true), 1);
	}
	sim_free(&x);
}
END_TEST

/* ---- the consistency checks inside the routines ---- */

/* sbdrop or sbtake of more than the buffer holds. */
START_TEST(test_sbdrop_sbtake_too_much)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	int64_t taken = -1;

	two_mbufs(&f);
	sbdrop(f.w, f.so, f.sb, 2001);
	assert_violation(f.w, V_SBCHECK, "sbdrop of 2001 bytes from a buffer holding 2000");
	ck_assert_int_eq(f.sb->cc, 2000);

	reopen(f.w);
	ck_assert(ref_null(sbtake(f.w, f.so, f.sb, 2001, true, R_SOMOVE, &taken)));
	ck_assert_int_eq(taken, 0);
	assert_violation(f.w, V_SBCHECK, "sbtake of 2001 bytes from a buffer holding 2000");
	ck_assert_int_eq(f.sb->cc, 2000);

	/* an empty buffer has nothing to take */
	reopen(f.w);
	sbflush(f.w, f.so, f.sb);
	assert_sound(f.w);
	ck_assert(ref_null(sbtake(f.w, f.so, f.sb, 0, true, R_SOMOVE, &taken)));
	assert_violation(f.w, V_SBCHECK, "sbtake of 0 bytes from a buffer holding 0");
	fix_free(&f);
}
END_TEST

/* An sb_cc larger than what the chain holds: sbdrop runs off the end of
 * the chain, which is a stale dereference, and stops there instead of
 * walking on. */
START_TEST(test_sbdrop_past_chain)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);

	two_mbufs(&f);
	f.sb->cc = 2500;
	sbdrop(f.w, f.so, f.sb, 2500);
	assert_violation(f.w, V_STALE_HANDLE, "dereference of a NULL mbuf handle 0");
	fix_free(&f);
}
END_TEST

/* sbflush of a locked buffer (the caller must hold off every reader), and
 * a flush that cannot make progress. */
START_TEST(test_sbflush_checks)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);

	two_mbufs(&f);
	f.sb->flags |= SB_LOCK;
	f.sb->lock_owner = 0;
	sbflush(f.w, f.so, f.sb);
	assert_violation(f.w, V_LOCK_OWNER, "sbflush of a locked socket buffer");
	fix_free(&f);

	/* storage charged with nothing in the chain: sbdrop frees nothing */
	f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	f.sb->mbcnt = 256;
	sbflush(f.w, f.so, f.sb);
	assert_violation(f.w, V_SBCHECK, "sbflush makes no progress (mbcnt 256)");
	fix_free(&f);

	/* a chain with no storage charged is not walked: it stays */
	f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	two_mbufs(&f);
	f.sb->mbcnt = 0;
	sbflush(f.w, f.so, f.sb);
	assert_violation(f.w, V_SBCHECK, "sbflush left cc 2000");
	fix_free(&f);

	/* the same with only an empty mbuf: no bytes, but a chain */
	f = fix_new("netbsd-2.0", SCN_SOCK_TCP, 0);
	f.sb->mb = f.sb->mbtail = f.sb->lastrecord = m_get(f.w, M_DONTWAIT, MT_DATA);
	sbflush(f.w, f.so, f.sb);
	assert_violation(f.w, V_SBCHECK, "sbflush left cc 0");
	fix_free(&f);
}
END_TEST

/* sbappendaddr needs a packet header on the datagram. */
START_TEST(test_sbappendaddr_no_pkthdr)
{
	Fix f = fix_new("netbsd-2.0", SCN_SOCK_UDP, 0);
	Ref m = clmbuf(f.w, 10);

	ck_assert(!sbappendaddr(f.w, f.so, f.sb, 0x0a000001, 53, m, REF_NULL));
	assert_violation(f.w, V_SBCHECK, "sbappendaddr: datagram without a packet header");
	ck_assert(ref_null(f.sb->mb));
	m_freem(f.w, m);
	fix_free(&f);
}
END_TEST

/* sbunlock by a thread that does not hold the lock. */
START_TEST(test_sbunlock_not_owner)
{
	Sim x = sim_new("netbsd-2.0", tcp_pair);
	World *w = x.w;
	Socket *b = &w->socks[sock_of(&x, "b")];

	sim_run(&x);
	reopen(w);
	sbunlock(w, 1, b, SB_RCV);
	assert_violation(w, V_LOCK_OWNER, "sbunlock of b.so_rcv by thread 1, but the lock is not held");
	ck_assert_int_eq(b->rcv.lock_owner, -1);

	reopen(w);
	b->snd.flags |= SB_LOCK | SB_WANT;
	b->snd.lock_owner = 0;
	sbunlock(w, 1, b, SB_SND);
	assert_violation(w, V_LOCK_OWNER,
	    "sbunlock of b.so_snd by thread 1, but the lock is held by another thread");
	/* released all the same, its waiters woken */
	ck_assert_int_eq(b->snd.flags & (SB_LOCK | SB_WANT), 0);
	ck_assert_int_eq(b->snd.lock_owner, -1);
	sim_free(&x);
}
END_TEST

/* ---- checks made by soreceive on what it finds ---- */

/*
 * Run `text` until thread `tid` is about to look at so_rcv of `sock` in
 * its receive call `op` (op counts from 0), break that buffer with
 * `breakit`, and run on: the reader's next step is the one that meets the
 * damage.  soreceive has then taken SB_LOCK (the step after sblock starts
 * at its state check); soreceive_dgram takes no lock, and FreeBSD's goes
 * from its entry to the wait loop in one step, so there the call must
 * not have started.
 */
static Sim
run_broken(const char *prof, const char *text, const char *sock, int tid, int op,
    void (*breakit)(World *, Socket *))
{
	Sim x = sim_new(prof, text);
	World *w = x.w;
	Socket *so = &w->socks[sock_of(&x, sock)];
	const Thread *t = &w->threads[tid];
	bool dgram = so->proto == PROTO_UDP && w->prof->udp_soreceive_dgram;

	for (;;) {
		const Frame *top = &t->stack[t->depth - 1];

		if (t->pc == op && (dgram ? t->depth == 1 && top->pc == 0 :
		    top->mach == MACH_SORECEIVE && top->pc == 1 /* locking: sblock returned */))
			break;
		ck_assert_msg(sched_step(w), "the reader never got there: %s", w->run->stop_msg);
	}
	assert_sound(w);
	breakit(w, so);
	sched_run(w);
	return x;
}

/* sb_cc says there is data, sb_mb says there is none ("receive 1"). */
static void
phantom_cc(World *w, Socket *so)
{
	(void)w;
	so->rcv.cc = 5;
}

/* ...and with the peer's FIN in: the reader is not put to sleep either */
static void
phantom_cc_eof(World *w, Socket *so)
{
	(void)w;
	so->rcv.cc = 5;
	so->state |= SS_CANTRCVMORE;
}

START_TEST(test_soreceive_receive1)
{
	static const char text[] =
	    "tcp a b\n"
	    "thread r:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 100\n";
	Sim x = run_broken("netbsd-2.0", text, "b", 0, 1, phantom_cc);

	assert_violation(x.w, V_SBCHECK, "receive 1: sb_mb NULL but sb_cc 5");
	sim_free(&x);
	x = run_broken("netbsd-2.0", text, "b", 0, 1, phantom_cc_eof);
	assert_violation(x.w, V_SBCHECK, "receive 1: sb_mb NULL but sb_cc 5");
	/* on its way out (release: EOF), not asleep in sbwait */
	ck_assert_int_eq(x.w->threads[0].state, TS_RUN);
	ck_assert_int_eq(x.w->threads[0].stack[x.w->threads[0].depth - 1].mach, MACH_SORECEIVE);
	ck_assert_int_eq(x.w->threads[0].stack[x.w->threads[0].depth - 1].u.sr.error, 0);
	sim_free(&x);

	/* the same on FreeBSD's datagram path */
	x = run_broken("freebsd-9.1",
	    "udp u\n"
	    "thread r:\n"
	    "\tsleep 1ms\n"
	    "\trecv u 100\n", "u", 0, 1, phantom_cc);
	assert_violation(x.w, V_SBCHECK, "soreceive_dgram: sb_mb NULL but sb_cc 5");
	sim_free(&x);
}
END_TEST

/* A datagram record without its address ("receive 1a"). */
static void
nameless_record(World *w, Socket *so)
{
	Ref m = m_gethdr(w, M_DONTWAIT, MT_DATA);

	mb(w, m)->len = 10;
	mb(w, m)->pkt_len = 10;
	sbappendrecord(w, so, &so->rcv, m);
	so->rx_total += 10;
}

/* ...the same with the bytes of a datagram of its own */
static void
nameless_datagram(World *w, Socket *so)
{
	Ref m = m_gethdr(w, M_DONTWAIT, MT_DATA);

	mb(w, m)->len = 10;
	mb(w, m)->pkt_len = 10;
	sim_payload_fill_dgram(w, m, sim_tag_new(w), 0, 10);
	sbappendrecord(w, so, &so->rcv, m);
	so->rx_total += 10;
}

/* NetBSD's soreceive checks (PR_ADDR: the record must start with the
 * address); FreeBSD's soreceive_dgram only takes an address off when
 * there is one, and reads the rest as data. */
START_TEST(test_soreceive_receive1a)
{
	static const char text[] =
	    "udp u\n"
	    "thread r:\n"
	    "\tsleep 1ms\n"
	    "\trecv u 100 => 10\n";
	Sim x = run_broken("netbsd-2.0", text, "u", 0, 1, nameless_record);

	assert_violation(x.w, V_SBCHECK, "receive 1a: record does not start with MT_SONAME");
	sim_free(&x);

	x = run_broken("freebsd-9.1", text, "u", 0, 1, nameless_datagram);
	ck_assert_int_eq(x.w->stop, STOP_DONE);
	assert_sound(x.w);
	ck_assert_int_eq(x.w->nfails, 0);
	ck_assert_uint_eq(x.w->threads[0].rx_ip, 0);
	ck_assert_int_eq(x.w->socks[0].rx_app, 10);
	ck_assert(ref_null(x.w->socks[0].rcv.mb));
	sim_free(&x);
}
END_TEST

/* A control mbuf in the middle of stream data ("receive 3"). */
static void
control_in_data(World *w, Socket *so)
{
	Ref first = so->rcv.mb, c = m_get(w, M_DONTWAIT, MT_CONTROL);

	ck_assert(!ref_null(first));
	mb(w, c)->len = 4;
	mb(w, c)->next = mb(w, first)->next;
	mb(w, first)->next = c;
	if (ref_eq(so->rcv.mbtail, first))
		so->rcv.mbtail = c;
	sballoc(w, &so->rcv, c);
	so->rx_total += 4;      /* sb_cc counts it: keep the accounts even */
}

START_TEST(test_soreceive_receive3)
{
	Sim x = run_broken("netbsd-2.0",
	    "tcp a b\n"
	    "thread w:\n"
	    "\tsend a 100 => 100\n"
	    "thread r:\n"
	    "\tsleep 1ms\n"
	    "\trecv b 1000\n", "b", 1, 1, control_in_data);
	char msg[80];

	snprintf(msg, sizeof msg, "receive 3: mbuf of type %d in the data part", MT_CONTROL);
	assert_violation(x.w, V_SBCHECK, msg);
	sim_free(&x);
}
END_TEST

/* Bytes in so_rcv that are not what the peer sent: the payload check of
 * soreceive's uiomove catches them, on TCP and on both datagram paths. */
static void
flip_byte(World *w, Socket *so)
{
	Ref m = so->rcv.mb;

	while (!ref_null(m) && (mb(w, m)->type == MT_SONAME || mb(w, m)->len == 0))
		m = mb(w, m)->next;
	ck_assert(!ref_null(m));
	mtod(w, m)[0] ^= 0x5a;
}

START_TEST(test_payload_corrupt)
{
	static const struct { const char *prof, *text, *sock, *msg; } cases[] = {
		{ "netbsd-2.0",
		  "tcp a b\n"
		  "thread w:\n"
		  "\tsend a 100 => 100\n"
		  "thread r:\n"
		  "\tsleep 1ms\n"
		  "\trecv b 1000\n", "b",
		  "b read 100 bytes at stream offset 0 that differ from what was sent" },
		{ "netbsd-2.0",
		  "udp u\n"
		  "udp v\n"
		  "thread w:\n"
		  "\tsendto u v 100 => 100\n"
		  "thread r:\n"
		  "\tsleep 1ms\n"
		  "\trecv v 1000\n", "v",
		  "v read 100 bytes at stream offset 0 that differ from what was sent" },
		{ "freebsd-9.1",
		  "udp u\n"
		  "udp v\n"
		  "thread w:\n"
		  "\tsendto u v 100 => 100\n"
		  "thread r:\n"
		  "\tsleep 1ms\n"
		  "\trecv v 1000\n", "v",
		  "v: datagram bytes differ from what was sent" },
	};

	for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
		Sim x = run_broken(cases[k].prof, cases[k].text, cases[k].sock, 1, 1, flip_byte);

		assert_violation(x.w, V_PAYLOAD, cases[k].msg);
		sim_free(&x);
	}
}
END_TEST

static Suite *
invariant_suite(void)
{
	Suite *s = suite_create("invariant");
	TCase *tc;

	tc = tcase_create("sbcheck");
	tcase_add_test(tc, test_sbcheck_stale);
	tcase_add_test(tc, test_sbcheck_cycle);
	tcase_add_test(tc, test_sbcheck_nextpkt_inside);
	tcase_add_test(tc, test_sbcheck_counters);
	tcase_add_test(tc, test_sbcheck_tails);
	tcase_add_test(tc, test_sbcheck_stream_records);
	tcase_add_test(tc, test_sbcheck_lock_owner);
	suite_add_tcase(s, tc);

	tc = tcase_create("conservation");
	tcase_add_test(tc, test_conservation_tcp);
	tcase_add_test(tc, test_invariants_step_order);
	tcase_add_test(tc, test_conservation_udp);
	tcase_add_test(tc, test_dgram_held_by_reader);
	tcase_add_test(tc, test_dgram_held_by_somove);
	suite_add_tcase(s, tc);

	tc = tcase_create("leaks");
	tcase_add_test(tc, test_mbuf_leak);
	tcase_add_test(tc, test_kmem_leak);
	suite_add_tcase(s, tc);

	tc = tcase_create("routines");
	tcase_add_test(tc, test_sbdrop_sbtake_too_much);
	tcase_add_test(tc, test_sbdrop_past_chain);
	tcase_add_test(tc, test_sbflush_checks);
	tcase_add_test(tc, test_sbappendaddr_no_pkthdr);
	tcase_add_test(tc, test_sbunlock_not_owner);
	tcase_add_test(tc, test_soreceive_receive1);
	tcase_add_test(tc, test_soreceive_receive1a);
	tcase_add_test(tc, test_soreceive_receive3);
	tcase_add_test(tc, test_payload_corrupt);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(invariant_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
