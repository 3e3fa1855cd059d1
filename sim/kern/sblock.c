/*
 * sblock.c: the socket buffer I/O lock and sbwait
 * (4.4BSD-Lite2 and NetBSD 1.6/2.0 sys/kern/uipc_socket2.c: sb_lock,
 * sbwait; sys/sys/socketvar.h: sblock, sbunlock).
 *
 * SB_LOCK serialises whole send or receive operations.  A thread that
 * finds it held sets SB_WANT and sleeps on &sb_flags ("netlck"); sbunlock
 * wakes it.  sbwait sets SB_WAIT and sleeps on &sb_cc ("netio") until
 * sowakeup, a signal, or sb_timeo.
 */
#include "machine.h"
#include "kern.h"
#include "simbook.h"
#include "errno_names.h"

enum { SBL_ENTRY, SBL_SLEEPING, SBL__N };
static const char *const sblock_states[] = { "entry", "sleeping" };
static const Transition sblock_trans[] = {
	{ SBL_ENTRY, SBL_SLEEPING },    /* held by another: set SB_WANT, tsleep */
	{ SBL_SLEEPING, SBL_ENTRY },    /* woken: try again */
};

static int
sblock_step(World *w, int tid, Thread *t, Frame *f)
{
	Socket *so = sock_ref(w, f->u.sl.so);
	Sockbuf *sb = sb_which(so, f->u.sl.which);
	int sockidx = socket_index(w, so);

	switch (f->pc) {
	case SBL_ENTRY:
		SIM_COST(w, R_SBLOCK, calls, 1);
		SIM_COST(w, R_SBLOCK, locks, 1);
		if (!(sb->flags & SB_LOCK)) {
			sb->flags |= SB_LOCK;
			sb->lock_owner = (int16_t)tid;
			emit(w, EVK_LOCK, "sblock", sockidx, f->u.sl.which, 0, 0, 0,
			    "SB_LOCK taken");
			machine_return(w, tid, 0, 0);
			return RUN_PREEMPT;
		}
		if (f->u.sl.wf == M_DONTWAIT) {
			machine_return(w, tid, 0, K_EWOULDBLOCK);
			return RUN_CONTINUE;
		}
		sb->flags |= SB_WANT;
		GOTO(SBL_SLEEPING);
		tsleep(w, tid, CHAN(CH_SB_FLAGS, sockidx, f->u.sl.which), "netlck",
		    !(sb->flags & SB_NOINTR), 0);
		return RUN_SLEEP;
	case SBL_SLEEPING:
		if (t->wake_err != 0) {
			machine_return(w, tid, 0, t->wake_err);
			return RUN_CONTINUE;
		}
		GOTO(SBL_ENTRY);
		return RUN_CONTINUE;
	}
	return RUN_CONTINUE;
}

/*
 * The step may end as sblock returns with SB_LOCK taken: sblock runs at
 * spl0 before its caller's splsoftnet() (NetBSD 1.6/2.0 uipc_socket.c
 * soreceive: "restart: if ((error = sblock(...)) != 0) return; s =
 * splsoftnet();"), so protocol input may run there.  FreeBSD 9.1's
 * sblock is the sx lock sb_sx, taken before SOCKBUF_LOCK; OpenBSD 7.6's
 * the sb_lock rwlock, taken before solock.  OpenBSD 7.5 takes solock
 * first and keeps it: there the return is no preemption point.
 */
static const Contexts sblock_held[SBL__N] = {
	[SBL_ENTRY] = AT_SBLOCK,
	[SBL_SLEEPING] = AT_SBLOCK,     /* tsleep "netlck" / sx_xlock_sig / sosleep releasing
	                                   7.5's solock / rw_enter of 7.6's sb_lock */
};
const MachineDef mach_sblock = {
	.name = "sblock",
	.states = sblock_states, .nstates = SBL__N,
	.trans = sblock_trans, .ntrans = NTRANS(sblock_trans),
	.step = sblock_step,
	.return_yields = true,
	.return_ctx = CTX4(KERNEL, PREEMPTIBLE, NA, PREEMPTIBLE),
	.held = sblock_held,
};

enum { SBW_ENTRY, SBW_SLEEPING, SBW__N };
static const char *const sbwait_states[] = { "entry", "sleeping" };
static const Transition sbwait_trans[] = {
	{ SBW_ENTRY, SBW_SLEEPING },    /* set SB_WAIT, tsleep on &sb_cc */
};

static int
sbwait_step(World *w, int tid, Thread *t, Frame *f)
{
	Socket *so = sock_ref(w, f->u.sl.so);
	Sockbuf *sb = sb_which(so, f->u.sl.which);

	switch (f->pc) {
	case SBW_ENTRY:
		SIM_COST(w, R_SBWAIT, calls, 1);
		SIM_COST(w, R_SBWAIT, sleeps, 1);
		sb->flags |= SB_WAIT;
		GOTO(SBW_SLEEPING);
		tsleep(w, tid, CHAN(CH_SB_CC, socket_index(w, so), f->u.sl.which), "netio",
		    !(sb->flags & SB_NOINTR), sb->timeo);
		return RUN_SLEEP;
	case SBW_SLEEPING:
		machine_return(w, tid, 0, t->wake_err);
		return RUN_CONTINUE;
	}
	return RUN_CONTINUE;
}

/* sbwait ends its step only by sleeping: SB_WAIT is set and tsleep
 * called in one step, as the caller's spl is dropped by tsleep itself
 * (msleep drops SOCKBUF_LOCK, sosleep solock). */
static const Contexts sbwait_held[SBW__N] = {
	[SBW_ENTRY] = AT_SB,
	[SBW_SLEEPING] = AT_SB,
};

const MachineDef mach_sbwait = {
	.name = "sbwait",
	.states = sbwait_states, .nstates = SBW__N,
	.trans = sbwait_trans, .ntrans = NTRANS(sbwait_trans),
	.step = sbwait_step,
	.held = sbwait_held,
};

Frame *
call_sblock(World *w, int tid, Ref so, int which, int wf)
{
	Frame *f = machine_call(w, tid, MACH_SBLOCK);

	f->u.sl.so = so;
	f->u.sl.which = which;
	f->u.sl.wf = wf;
	return f;
}

Frame *
call_sbwait(World *w, int tid, Ref so, int which)
{
	Frame *f = machine_call(w, tid, MACH_SBWAIT);

	f->u.sl.so = so;
	f->u.sl.which = which;
	return f;
}

void
sbunlock(World *w, int tid, Socket *so, int which)
{
	Sockbuf *sb = sb_which(so, which);
	int sockidx = socket_index(w, so);

	SIM_COST(w, R_SBLOCK, locks, 1);
	if (!(sb->flags & SB_LOCK) || sb->lock_owner != tid)
		world_violation(w, V_LOCK_OWNER,
		    "sbunlock of %s.%s by thread %d, but the lock is %s",
		    sock_name(w, sockidx), which == SB_RCV ? "so_rcv" : "so_snd", tid,
		    (sb->flags & SB_LOCK) ? "held by another thread" : "not held");
	sb->flags &= ~(uint32_t)SB_LOCK;
	sb->lock_owner = -1;
	emit(w, EVK_UNLOCK, "sbunlock", sockidx, which, 0, 0, 0, "SB_LOCK released");
	if (sb->flags & SB_WANT) {
		sb->flags &= ~(uint32_t)SB_WANT;
		wakeup(w, CHAN(CH_SB_FLAGS, sockidx, which));
	}
}
