/*
 * splice.c: OpenBSD socket splicing around the move itself
 * (sys/kern/uipc_socket.c: sosplice, sounsplice, sotask, soidle,
 * sorwakeup/sowwakeup's splice branches, soclose's unsplice paths).
 * Profiles: openbsd-7.5 (uipc_socket.c 1.337, before the July 2024 diff)
 * and openbsd-7.6 (1.337 plus mvs@'s July 2024 "Unlock udp(4) somove()"
 * diff).  somove.c has the move.
 *
 * The task queue "sosplice" is one kernel thread (taskq_create(...,1,...)):
 * queued tasks run FIFO, a task already queued is not queued twice.
 * soidle is a TIMEOUT_PROC timeout, so it runs in the softclock thread.
 */
#include "machine.h"
#include "kern.h"
#include "simbook.h"
#include "errno_names.h"

#include <stdlib.h>
#include <string.h>

/* sizeof(struct splice) on LP64: int sp_fd, off_t sp_max, struct timeval sp_idle */
#define SIZEOF_SPLICE 32

bool
soreadable(const Socket *so)
{
	return so->rcv.cc >= so->rcv.lowat || (so->state & SS_CANTRCVMORE) || so->error;
}

bool
sowriteable(const Socket *so)
{
	return (sbspace(&so->snd) >= so->snd.lowat &&
	    ((so->state & SS_ISCONNECTED) || !(so->pr_flags & PR_CONNREQUIRED))) ||
	    (so->state & SS_CANTSENDMORE) || so->error;
}

/* ---- the task queue and softclock ---- */

#define REAP_BIT 0x80000000u        /* the entry is soreaper/soput, not sotask/soidle */

static void
queue_add(World *w, Ref *q, int *n, Ref r, int which)
{
	int sock = (int)(r.i & ~REAP_BIT) - 1;

	fp_flag(w, FP_QUEUE);
	/* sim: each socket is on a queue at most twice (its task, its soput),
	 * and the queues have room for twice the sockets */
	if (*n >= 2 * WORLD_MAX_SOCKETS)
		abort();
	q[(*n)++] = r;
	emit(w, EVK_QUEUE, which == 0 ? "task_add" : "timeout_add", sock, -1, *n, 0, 0,
	    "%s(%s) queued on %s", (r.i & REAP_BIT) ? (which == 0 ? "soput" : "soreaper") :
	    which == 0 ? "sotask" : "soidle", sock_name(w, sock), which == 0 ? "sosplice" : "softclock");
	wakeup(w, CHAN(CH_TASKQ, which, 0));
}

/* Take sock's sotask or soidle entry off its queue; the caller knows it
 * is there (task_queued, idle_queued). */
static void
queue_del(World *w, Ref *q, int *n, int sock)
{
	int i = 0;

	fp_flag(w, FP_QUEUE);
	while (q[i].i != (uint32_t)sock + 1)
		i++;
	memmove(&q[i], &q[i + 1], (size_t)(*n - i - 1) * sizeof *q);
	(*n)--;
	emit(w, EVK_QUEUE, q == w->taskq ? "task_del" : "timeout_del", sock, -1, *n, 0, 0,
	    "the task of %s taken off its queue", sock_name(w, sock));
}

static void
task_add(World *w, Socket *so)
{
	int i = socket_index(w, so);

	if (so->task_queued)
		return;
	so->task_queued = 1;
	queue_add(w, w->taskq, &w->ntaskq, sock_handle(w, i), 0);
}

static void
task_del(World *w, Socket *so)
{
	if (!so->task_queued)
		return;
	so->task_queued = 0;
	queue_del(w, w->taskq, &w->ntaskq, socket_index(w, so));
}

static void
timeout_del(World *w, Socket *so)
{
	if (so->idle_gen != 0)
		emit(w, EVK_DISARM, "timeout_del", socket_index(w, so), -1, TIMER_ID(so->idle_gen), 0, 0,
		    "idle timeout of %s cancelled", sock_name(w, socket_index(w, so)));
	so->idle_gen = 0;
	if (so->idle_queued) {
		so->idle_queued = 0;
		queue_del(w, w->clockq, &w->nclockq, socket_index(w, so));
	}
}

/* The idle timeout fired: softclock will run soidle.  A timeout deleted or
 * moved since never fires: the engine drops it (kern_init.c, idle_stale). */
void
splice_idle_fire(World *w, int sock, uint32_t gen)
{
	Socket *so = sock_at(w, sock);

	so->idle_gen = 0;
	emit(w, EVK_TIMER, "soidle", sock, -1, -1, TIMER_ID(gen), 0, "idle timeout of %s fires",
	    sock_name(w, sock));
	if (so->idle_queued)
		return;
	so->idle_queued = 1;
	queue_add(w, w->clockq, &w->nclockq, w->socks[sock].idle_ref, 1);
}

/* sorwakeup: a spliced source moves instead of waking readers. */
bool
splice_sorwakeup(World *w, Socket *so)
{
	if (so->rcv.flags & SB_SPLICE) {
		/* 7.5: "TCP data accumulates ... for UDP every packet is sent
		 * immediately" (bluhm, in the thread of the 'Unlock udp(4)
		 * somove()' diff); 7.6: always the task */
		if ((so->pr_flags & PR_WANTRCVD) || w->prof->splice_task_all)
			task_add(w, so);
		else
			somove_run(w, w->cur_thread, so, M_DONTWAIT);
	}
	return isspliced(so);
}

/* sowwakeup: space in a drain wakes its source's task. */
bool
splice_sowwakeup(World *w, Socket *so)
{
	if (so->snd.flags & SB_SPLICE)
		task_add(w, sock_ref(w, so->ssp_soback));
	return issplicedback(so);
}

void
sounsplice(World *w, Socket *so, Socket *sosp, int freeing)
{
	int i = socket_index(w, so), d = socket_index(w, sosp);

	task_del(w, so);
	timeout_del(w, so);
	so->rcv.flags &= ~(uint32_t)SB_SPLICE;
	sosp->snd.flags &= ~(uint32_t)SB_SPLICE;
	so->ssp_socket = REF_NULL;
	sosp->ssp_soback = REF_NULL;
	emit(w, EVK_UNSPLICE, "sounsplice", i, -1, d, so->splicelen, freeing,
	    "%s unspliced from %s after %lld bytes%s", sock_name(w, i), sock_name(w, d),
	    (long long)so->splicelen, freeing ? " (freeing)" : "");
	/* do not wake up a socket that is about to be freed */
	if (!(freeing & SOSP_FREEING_READ) && soreadable(so))
		sorwakeup(w, so);
	if (!(freeing & SOSP_FREEING_WRITE) && sowriteable(sosp))
		sowwakeup(w, sosp);
}

/* Both roles of a socket that goes away (7.5 sofree, 7.6 soclose for TCP). */
static void
unsplice_both(World *w, Socket *so)
{
	if (issplicedback(so)) {
		Socket *back = sock_ref(w, so->ssp_soback);

		sounsplice(w, back, so, SOSP_FREEING_WRITE | (back == so ? SOSP_FREEING_READ : 0));
	}
	/* a socket spliced to itself was unspliced above: its drain is another */
	if (isspliced(so))
		sounsplice(w, so, sock_ref(w, so->ssp_socket), SOSP_FREEING_READ);
}

/* The socket's memory goes back to the pool: handles to it go stale. */
/* Queue entries of soreaper and soput carry this bit, so task_del and
 * the sotask entry of the same socket are told apart from them. */

static Ref
reap_ref(World *w, int i)
{
	Ref r = sock_handle(w, i);

	r.i |= REAP_BIT;
	return r;
}

void
sofree_socket(World *w, Socket *so)
{
	int i = socket_index(w, so);

	SIM_ACCOUNT(so, rx_dropped, sb_datacc(w, &so->rcv));
	/* 7.6 purges so_rcv unlocked: a concurrent sotask may hold its sblock */
	if (w->prof->so_refcnt)
		sb_mpurge(w, so, &so->rcv);
	else
		sbflush(w, so, &so->rcv);
	sbflush(w, so, &so->snd);
	so->state |= SS_NOFDREF;
	/*
	 * OpenBSD sofree (uipc_socket.c 1.33x, and 7.6): a socket with so_sp
	 * is not freed here.  soreaper runs from a timeout (softclock) and
	 * queues soput on the sosplice taskq, so the free waits behind any
	 * sotask of this socket still running there.
	 */
	if (so->had_sp) {
		so->reap = REAP_SOREAPER;
		queue_add(w, w->clockq, &w->nclockq, reap_ref(w, i), 1);
		emit(w, EVK_SOFREE, "sofree", i, -1, 0, 0, 0, "%s: so_sp is set, soreaper queued on softclock",
		    sock_name(w, i));
		return;
	}
	so->live = 0;
	so->gen++;
	emit(w, EVK_SOFREE, "sofree", i, -1, 1, 0, 0, "%s freed", sock_name(w, i));
}

/*
 * OpenBSD 7.6 soref/sorele (socketvar.h: refcnt_take/refcnt_rele_wake on
 * so_refcnt): soclose holds a reference on the peer whose sblock it
 * sleeps on, and sofree of a non-TCP socket waits in refcnt_finalize
 * until the last one is dropped, so that peer is not freed under it.
 */
void
soref(World *w, Socket *so)
{
	int i = socket_index(w, so);

	so->refcnt++;
	emit(w, EVK_REFCNT, "soref", i, -1, so->refcnt, 0, 0, "%s: so_refcnt + 1 = %d",
	    sock_name(w, i), so->refcnt);
}

void
sorele(World *w, Socket *so)
{
	int i = socket_index(w, so);

	so->refcnt--;
	emit(w, EVK_REFCNT, "sorele", i, -1, so->refcnt, 0, 0, "%s: so_refcnt - 1 = %d",
	    sock_name(w, i), so->refcnt);
	if (so->refcnt == 0)
		wakeup(w, CHAN(CH_SOREF, i, 0));   /* refcnt_rele_wake */
}

/* soreaper (softclock) and soput (sosplice taskq): the deferred free. */
static void
reap_step(World *w, Socket *so)
{
	int i = socket_index(w, so);

	if (so->reap == REAP_SOREAPER) {
		so->reap = REAP_SOPUT;
		queue_add(w, w->taskq, &w->ntaskq, reap_ref(w, i), 0);
		emit(w, EVK_SOFREE, "soreaper", i, -1, 0, 0, 0, "soput(%s) queued on sosplice",
		    sock_name(w, i));
		return;
	}
	so->reap = REAP_NONE;
	so->live = 0;
	so->gen++;
	emit(w, EVK_SOFREE, "soput", i, -1, 1, 0, 0, "%s freed", sock_name(w, i));
}

/* ---- kernel threads: sosplice taskq and softclock ---- */

enum { KT_WAIT, KT_RUN, KT__N };
static const char *const kthread_states[] = { "wait", "run" };
static const Transition kthread_trans[] = {
	{ KT_WAIT, KT_RUN },        /* took the first task off the queue */
	{ KT_RUN, KT_WAIT },        /* it returned */
	{ KT_WAIT, KT_WAIT },       /* ran a reaper task (soreaper/soput) in place */
};

/* The task thread may be preempted between tasks (taskq_thread's loop). */
static const Yield kthread_yields[] = {
	{ KT_RUN, KT_WAIT, CTX3(NA, NA, PREEMPTIBLE) },
	{ KT_WAIT, KT_WAIT, CTX3(NA, NA, PREEMPTIBLE) },
};

static int
kthread_step(World *w, int tid, Thread *t, Frame *f)
{
	bool taskq = t->kind == TK_TASKQ;
	Ref *q = taskq ? w->taskq : w->clockq;
	int *n = taskq ? &w->ntaskq : &w->nclockq;
	Frame *c;
	Socket *so;
	Ref r;

	switch (f->pc) {
	case KT_WAIT:
		fp_flag(w, FP_QUEUE);
		if (*n == 0) {
			tsleep(w, tid, CHAN(CH_TASKQ, taskq ? 0 : 1, 0), taskq ? "bored" : "tmoslp",
			    false, 0);
			return RUN_SLEEP;
		}
		r = q[0];
		memmove(&q[0], &q[1], (size_t)(*n - 1) * sizeof *q);
		(*n)--;
		emit(w, EVK_QUEUE, taskq ? "taskq_thread" : "softclock",
		    (int)(r.i & ~REAP_BIT) - 1, -1, *n, 0, 0, "%s takes a task off its queue (%d left)",
		    taskq ? "sosplice" : "softclock", *n);
		if (r.i & REAP_BIT) {
			r.i &= ~REAP_BIT;
			reap_step(w, sock_ref(w, r));
			GOTO(KT_WAIT);
			return RUN_PREEMPT;
		}
		so = sock_ref(w, r);    /* a task of a freed socket is a use after free */
		if (taskq)
			so->task_queued = 0;
		else
			so->idle_queued = 0;
		GOTO(KT_RUN);
		c = machine_call(w, tid, taskq ? MACH_SOTASK : MACH_SOIDLE);
		c->u.sp.so = r;
		return RUN_CONTINUE;
	case KT_RUN:
	default:
		GOTO(KT_WAIT);
		if (t->rv) {
			/* yield(): "Avoid user land starvation" */
			w->last_thread = -1;
			emit(w, EVK_NOTE, "yield", -1, -1, 0, 0, 0, "sosplice yields the CPU");
		}
		return RUN_PREEMPT;
	}
}

static const Contexts kthread_held[] = {
	[KT_WAIT] = CTX3(NA, NA, PREEMPTIBLE),   /* sleeps "bored" / "tmoslp" with nothing held */
	[KT_RUN] = CTX3(NA, NA, PREEMPTIBLE),
};

const MachineDef mach_kthread = {
	.name = "kthread",
	.states = kthread_states, .nstates = KT__N,
	.trans = kthread_trans, .ntrans = NTRANS(kthread_trans),
	.step = kthread_step,
	.yields = kthread_yields, .nyields = NTRANS(kthread_yields),
	.held = kthread_held,
};

/* ---- sotask ---- */

enum { TK_ENTRY, TK_LOCKED, TK_MOVING, TK_UNLOCK, TK__N };
static const char *const sotask_states[] = { "entry", "locked", "moving", "unlock" };
static const Transition sotask_trans[] = {
	{ TK_ENTRY, TK_LOCKED },    /* 7.6: sblock(&so_rcv, SBL_WAIT|SBL_NOINTR); 7.5: solock */
	{ TK_LOCKED, TK_MOVING },   /* 7.6 UDP: somove_dgram, preemptible */
	{ TK_LOCKED, TK_UNLOCK },   /* TCP (under solock) or 7.5: the move at once, or not spliced */
	{ TK_MOVING, TK_UNLOCK },
};

static int
sotask_step(World *w, int tid, Thread *t, Frame *f)
{
	Socket *so = sock_ref(w, f->u.sp.so);

	(void)t;
	switch (f->pc) {
	case TK_ENTRY:
		SIM_COUNT(w, splice_tasks);
		GOTO(TK_LOCKED);
		if (w->prof->splice_sblock)
			call_sblock(w, tid, f->u.sp.so, SB_RCV, M_WAIT);
		return RUN_CONTINUE;
	case TK_LOCKED:
		f->u.sp.doyield = !w->prof->splice_yield_tcp_only;
		if (!(so->rcv.flags & SB_SPLICE)) {
			GOTO(TK_UNLOCK);
			return RUN_CONTINUE;
		}
		if ((so->pr_flags & PR_WANTRCVD) || !w->prof->splice_sblock) {
			somove_run(w, tid, so, M_DONTWAIT);
			if (so->pr_flags & PR_WANTRCVD)
				f->u.sp.doyield = true;
			GOTO(TK_UNLOCK);
			return RUN_CONTINUE;
		}
		GOTO(TK_MOVING);
		call_somove(w, tid, so, M_DONTWAIT);
		return RUN_CONTINUE;
	case TK_MOVING:
		GOTO(TK_UNLOCK);
		return RUN_CONTINUE;
	case TK_UNLOCK:
	default:
		if (w->prof->splice_sblock)
			sbunlock(w, tid, so, SB_RCV);
		machine_return(w, tid, f->u.sp.doyield, 0);
		return RUN_CONTINUE;
	}
}

static const Contexts sotask_held[] = {
	[TK_ENTRY] = CTX3(NA, NA, PREEMPTIBLE),
	[TK_LOCKED] = CTX3(NA, NA, SOLOCK),      /* TCP and 7.5: somove under solock */
	[TK_MOVING] = CTX4(NA, NA, SOLOCK, PREEMPTIBLE), /* 7.6 UDP: somove_dgram, preemptible */
	[TK_UNLOCK] = CTX3(NA, NA, PREEMPTIBLE),
};

const MachineDef mach_sotask = {
	.name = "sotask",
	.states = sotask_states, .nstates = TK__N,
	.trans = sotask_trans, .ntrans = NTRANS(sotask_trans),
	.step = sotask_step,
	.held = sotask_held,
};

/* ---- soidle ---- */

enum { SI_ENTRY, SI_LOCKED, SI__N };
static const char *const soidle_states[] = { "entry", "locked" };
static const Transition soidle_trans[] = {
	{ SI_ENTRY, SI_LOCKED },    /* 7.6: sblock(&so_rcv, SBL_WAIT|SBL_NOINTR) */
};

static int
soidle_step(World *w, int tid, Thread *t, Frame *f)
{
	Socket *so = sock_ref(w, f->u.sp.so);

	(void)t;
	switch (f->pc) {
	case SI_ENTRY:
		GOTO(SI_LOCKED);
		if (w->prof->splice_sblock)
			call_sblock(w, tid, f->u.sp.so, SB_RCV, M_WAIT);
		return RUN_CONTINUE;
	case SI_LOCKED:
	default:
		if (so->rcv.flags & SB_SPLICE) {
			so->error = K_ETIMEDOUT;
			sounsplice(w, so, sock_ref(w, so->ssp_socket), 0);
		} else
			emit(w, EVK_NOTE, "soidle", socket_index(w, so), -1, 0, 0, 0,
			    "%s is no longer spliced: nothing to do", sock_name(w, socket_index(w, so)));
		if (w->prof->splice_sblock)
			sbunlock(w, tid, so, SB_RCV);
		machine_return(w, tid, 0, 0);
		return RUN_CONTINUE;
	}
}

static const Contexts soidle_held[] = {
	[SI_ENTRY] = CTX3(NA, NA, PREEMPTIBLE),  /* softclock, a TIMEOUT_PROC timeout */
	[SI_LOCKED] = CTX3(NA, NA, SOLOCK),
};

const MachineDef mach_soidle = {
	.name = "soidle",
	.states = soidle_states, .nstates = SI__N,
	.trans = soidle_trans, .ntrans = NTRANS(soidle_trans),
	.step = soidle_step,
	.held = soidle_held,
};

/* ---- sosplice: setsockopt(SO_SPLICE) ---- */

enum { SP_ENTRY, SP_UNSPLICE, SP_LOCK_SRC, SP_LOCK_DRAIN, SP_MOVING, SP__N };
static const char *const sosplice_states[] = { "entry", "unsplice", "lock-source", "lock-drain",
	"moving" };
static const Transition sosplice_trans[] = {
	{ SP_ENTRY, SP_UNSPLICE },      /* fd < 0: sblock(&so->so_rcv) */
	{ SP_ENTRY, SP_LOCK_SRC },      /* sblock(&so->so_rcv) */
	{ SP_LOCK_SRC, SP_LOCK_DRAIN }, /* sblock(&sosp->so_snd) */
	{ SP_LOCK_DRAIN, SP_MOVING },   /* 7.6 UDP: the first somove_dgram, preemptible */
};

static int
sosplice_entry(World *w, int tid, Frame *f, Socket *so)
{
	const Profile *p = w->prof;
	int fd = f->u.sp.fd;
	Socket *sosp;

	if (p->splice != SPLICE_OPENBSD)
		return K_ENOPROTOOPT;      /* sosetopt: unknown option */
	/* sosetopt: m_len < sizeof(int) is EINVAL; shorter than struct splice
	 * means an fd alone, with no maximum and no idle timeout */
	if (f->u.sp.optlen > 0 && f->u.sp.optlen < 4)
		return K_EINVAL;
	if (f->u.sp.optlen > 0 && f->u.sp.optlen < SIZEOF_SPLICE)
		f->u.sp.max = f->u.sp.idle = 0;
	/* (1) PR_SPLICE: TCP and UDP both have it */
	if (f->u.sp.max < 0)
		return K_EINVAL;
	if (f->u.sp.idle < 0)
		return K_EINVAL;
	if (f->u.sp.unsplice) {
		GOTO(SP_UNSPLICE);
		call_sblock(w, tid, f->u.sp.so, SB_RCV, M_WAIT);
		return -1;
	}
	if (fd == K_FD_BAD)
		return K_EBADF;
	if (fd == K_FD_NOTSOCK)
		return K_ENOTSOCK;
	sosp = sock_at(w, fd);
	if (!sosp->live || (sosp->state & SS_NOFDREF))
		return K_EBADF;
	if (sosp->proto != so->proto)
		return K_EPROTONOSUPPORT;  /* pru_send differs */
	f->u.sp.sosp = sock_handle(w, fd);
	GOTO(SP_LOCK_SRC);
	call_sblock(w, tid, f->u.sp.so, SB_RCV, M_WAIT);
	return -1;
}

/* Checks under both sblocks, in the kernel's order; then link and move. */
static int
sosplice_link(World *w, Socket *so, Socket *sosp, Frame *f)
{
	if ((so->options & SO_ACCEPTCONN) || (sosp->options & SO_ACCEPTCONN))
		return K_EOPNOTSUPP;
	if (!(so->state & (SS_ISCONNECTED | SS_ISCONNECTING)) && (so->pr_flags & PR_CONNREQUIRED))
		return K_ENOTCONN;
	if (!(sosp->state & (SS_ISCONNECTED | SS_ISCONNECTING)))
		return K_ENOTCONN;
	if (isspliced(so) || issplicedback(sosp))
		return K_EBUSY;
	so->splicelen = 0;
	so->splicemax = f->u.sp.max;
	so->idletv = f->u.sp.idle;
	so->ssp_socket = f->u.sp.sosp;
	sosp->ssp_soback = f->u.sp.so;
	so->had_sp = sosp->had_sp = 1;
	emit(w, EVK_SPLICE, "sosplice", socket_index(w, so), -1, socket_index(w, sosp), f->u.sp.max,
	    f->u.sp.idle,
	    "%s spliced to %s (max %lld, idle %lld ns)", sock_name(w, socket_index(w, so)),
	    sock_name(w, socket_index(w, sosp)), (long long)f->u.sp.max, (long long)f->u.sp.idle);
	return 0;
}

static int
sosplice_finish(World *w, int tid, Frame *f, int rv)
{
	Socket *so = sock_ref(w, f->u.sp.so), *sosp = sock_ref(w, f->u.sp.sosp);

	/* SB_SPLICE only if the first move did not already end the splice */
	if (rv) {
		so->rcv.flags |= SB_SPLICE;
		sosp->snd.flags |= SB_SPLICE;
	}
	sbunlock(w, tid, sosp, SB_SND);
	sbunlock(w, tid, so, SB_RCV);
	machine_return(w, tid, 0, 0);
	return RUN_CONTINUE;
}

static int
sosplice_step(World *w, int tid, Thread *t, Frame *f)
{
	Socket *so = sock_ref(w, f->u.sp.so), *sosp;
	int err;

	switch (f->pc) {
	case SP_ENTRY:
		if ((err = sosplice_entry(w, tid, f, so)) >= 0)
			machine_return(w, tid, 0, err);
		return RUN_CONTINUE;
	case SP_UNSPLICE:
		if (t->err) {
			machine_return(w, tid, 0, t->err);
			return RUN_CONTINUE;
		}
		err = 0;
		if (isspliced(so))
			sounsplice(w, so, sock_ref(w, so->ssp_socket), 0);
		else
			err = K_EPROTO;
		sbunlock(w, tid, so, SB_RCV);
		machine_return(w, tid, 0, err);
		return RUN_CONTINUE;
	case SP_LOCK_SRC:
		if (t->err) {
			machine_return(w, tid, 0, t->err);
			return RUN_CONTINUE;
		}
		GOTO(SP_LOCK_DRAIN);
		call_sblock(w, tid, f->u.sp.sosp, SB_SND, M_WAIT);
		return RUN_CONTINUE;
	case SP_LOCK_DRAIN:
		sosp = sock_ref(w, f->u.sp.sosp);
		if (t->err) {
			err = t->err;
			sbunlock(w, tid, so, SB_RCV);
			machine_return(w, tid, 0, err);
			return RUN_CONTINUE;
		}
		if ((err = sosplice_link(w, so, sosp, f)) != 0) {
			sbunlock(w, tid, sosp, SB_SND);
			sbunlock(w, tid, so, SB_RCV);
			machine_return(w, tid, 0, err);
			return RUN_CONTINUE;
		}
		if ((so->pr_flags & PR_WANTRCVD) || !w->prof->splice_sblock)
			return sosplice_finish(w, tid, f, somove_run(w, tid, so, M_WAIT));
		/* 7.6: sounlock(so); somove_dgram(so, M_WAIT); solock(so) */
		GOTO(SP_MOVING);
		call_somove(w, tid, so, M_WAIT);
		return RUN_CONTINUE;
	case SP_MOVING:
	default:
		return sosplice_finish(w, tid, f, (int)t->rv);
	}
}

static const Contexts sosplice_held[] = {
	[SP_ENTRY] = CTX3(NA, NA, PREEMPTIBLE),
	[SP_UNSPLICE] = CTX3(NA, NA, PREEMPTIBLE),       /* sblock(&so_rcv), then solock */
	[SP_LOCK_SRC] = CTX3(NA, NA, PREEMPTIBLE),
	[SP_LOCK_DRAIN] = CTX3(NA, NA, PREEMPTIBLE),
	[SP_MOVING] = CTX3(NA, NA, SOLOCK),
};

const MachineDef mach_sosplice = {
	.name = "sosplice",
	.states = sosplice_states, .nstates = SP__N,
	.trans = sosplice_trans, .ntrans = NTRANS(sosplice_trans),
	.step = sosplice_step,
	.held = sosplice_held,
};

Frame *
call_sosplice(World *w, int tid, Ref so, int drain, int64_t max, int64_t idle, int optlen,
    bool unsplice)
{
	Frame *f = machine_call(w, tid, MACH_SOSPLICE);

	f->u.sp.so = so;
	f->u.sp.fd = drain;
	f->u.sp.max = max;
	f->u.sp.idle = idle;
	f->u.sp.optlen = optlen;
	f->u.sp.unsplice = unsplice;
	return f;
}

/* ---- soclose with splicing ---- */

enum { SC_ENTRY, SC_BACK_LOCKED, SC_SRC, SC_SRC_LOCKED, SC_FLUSH, SC_CLOSE, SC_FINAL, SC__N };
static const char *const soclose_states[] = { "entry", "back-locked", "source", "source-locked",
	"flush", "close", "sofinal" };
static const Transition soclose_trans[] = {
	{ SC_ENTRY, SC_BACK_LOCKED },   /* 7.6 UDP, a drain: sblock(&soback->so_rcv) */
	{ SC_ENTRY, SC_SRC },           /* 7.6 UDP, not a drain: notsplicedback */
	{ SC_ENTRY, SC_FLUSH },         /* TCP, 7.5, or the quirk's `goto free` */
	{ SC_BACK_LOCKED, SC_SRC },
	{ SC_SRC, SC_SRC_LOCKED },      /* sblock(&so->so_rcv) */
	{ SC_SRC_LOCKED, SC_FLUSH },
	{ SC_FLUSH, SC_CLOSE },         /* sorflush's sblock */
	{ SC_CLOSE, SC_FINAL },         /* 7.6 sofree, not TCP: refcnt_finalize(&so_refcnt, "sofinal") */
};

/* OpenBSD 7.6 soclose of a spliced UDP socket: it drops solock, and
 * between the sbunlock of one sblock and the next it holds nothing. */
static const Yield soclose_yields[] = {
	{ SC_BACK_LOCKED, SC_SRC, CTX4(NA, NA, NA, PREEMPTIBLE) },
	{ SC_SRC_LOCKED, SC_FLUSH, CTX4(NA, NA, NA, PREEMPTIBLE) },
};

static int
soclose_step(World *w, int tid, Thread *t, Frame *f)
{
	Socket *so = sock_ref(w, f->u.sp.so);
	bool udp = so->proto == PROTO_UDP;
	int err;

	(void)t;
	switch (f->pc) {
	case SC_ENTRY:
		if (!udp || !w->prof->splice_close_unsplice) {
			/* 7.6 TCP: both unsplices in soclose under solock ("Copy -
			 * Paste, but can't relock and sleep in sofree()") */
			if (!udp && w->prof->splice_close_unsplice)
				unsplice_both(w, so);
			GOTO(SC_FLUSH);
			return RUN_CONTINUE;
		}
		if (!issplicedback(so)) {
			if (quirk_on(w, QUIRK_UDP_CLOSE_SKIP_UNSPLICE)) {
				if (isspliced(so))
					emit(w, EVK_NOTE, "soclose", socket_index(w, so), -1, 0, 0, 0,
					    "not spliced back: goto free, past the unsplice of %s "
					    "(quirk udp-close-skip-unsplice)", sock_name(w, socket_index(w, so)));
				GOTO(SC_FLUSH);
			} else
				GOTO(SC_SRC);
			return RUN_CONTINUE;
		}
		f->u.sp.soback = so->ssp_soback;
		/* soref(so2) under so_snd.sb_mtx: the peer outlives our sleep */
		if (w->prof->so_refcnt)
			soref(w, sock_ref(w, f->u.sp.soback));
		GOTO(SC_BACK_LOCKED);
		call_sblock(w, tid, f->u.sp.soback, SB_RCV, M_WAIT);
		return RUN_CONTINUE;
	case SC_BACK_LOCKED: {
		Socket *back = sock_ref(w, f->u.sp.soback);

		if (issplicedback(so)) {
			Socket *cur = sock_ref(w, so->ssp_soback);

			sounsplice(w, cur, so, SOSP_FREEING_WRITE | (cur == so ? SOSP_FREEING_READ : 0));
		}
		sbunlock(w, tid, back, SB_RCV);
		if (w->prof->so_refcnt)
			sorele(w, back);
		GOTO(SC_SRC);
		return RUN_PREEMPT;
	}
	case SC_SRC:
		GOTO(SC_SRC_LOCKED);
		call_sblock(w, tid, f->u.sp.so, SB_RCV, M_WAIT);
		return RUN_CONTINUE;
	case SC_SRC_LOCKED:
		/* spliced to itself, it was spliced back too: unspliced in
		 * SC_BACK_LOCKED, and nobody splices a closing socket since */
		if (isspliced(so))
			sounsplice(w, so, sock_ref(w, so->ssp_socket), SOSP_FREEING_READ);
		sbunlock(w, tid, so, SB_RCV);
		GOTO(SC_FLUSH);
		return RUN_PREEMPT;
	case SC_FLUSH:
		so->rcv.flags |= SB_NOINTR;
		GOTO(SC_CLOSE);
		call_sblock(w, tid, f->u.sp.so, SB_RCV, M_WAIT);
		return RUN_CONTINUE;
	case SC_CLOSE:
		/* 7.5: sofree dissolves the splices of a socket freed at once */
		if (udp && !w->prof->splice_close_unsplice)
			unsplice_both(w, so);
		err = soclose(w, tid, so);
		if (udp && w->prof->udp_close_frees && w->prof->so_refcnt) {
			f->u.sp.error = err;
			GOTO(SC_FINAL);
			return RUN_CONTINUE;
		}
		if (udp && w->prof->udp_close_frees)
			sofree_socket(w, so);
		machine_return(w, tid, 0, err);
		return RUN_CONTINUE;
	case SC_FINAL:
	default:
		/* sofree: sounlock; refcnt_finalize(&so->so_refcnt, "sofinal"); solock */
		if (so->refcnt > 0) {
			tsleep(w, tid, CHAN(CH_SOREF, socket_index(w, so), 0), "sofinal", false, 0);
			return RUN_SLEEP;
		}
		sofree_socket(w, so);
		machine_return(w, tid, 0, f->u.sp.error);
		return RUN_CONTINUE;
	}
}

static const Contexts soclose_held[] = {
	[SC_ENTRY] = CTX3(NA, NA, SOLOCK),
	[SC_BACK_LOCKED] = CTX4(NA, NA, SOLOCK, PREEMPTIBLE),    /* 7.6 UDP: sounlock, then
	                                                            the sblocks */
	[SC_SRC] = CTX4(NA, NA, SOLOCK, PREEMPTIBLE),
	[SC_SRC_LOCKED] = CTX4(NA, NA, SOLOCK, PREEMPTIBLE),
	[SC_FLUSH] = CTX3(NA, NA, SOLOCK),
	[SC_CLOSE] = CTX3(NA, NA, SOLOCK),
	[SC_FINAL] = CTX4(NA, NA, SOLOCK, PREEMPTIBLE),  /* sofree: sounlock, then
	                                                    refcnt_finalize sleeps "sofinal" */
};

const MachineDef mach_soclose = {
	.name = "soclose",
	.states = soclose_states, .nstates = SC__N,
	.trans = soclose_trans, .ntrans = NTRANS(soclose_trans),
	.step = soclose_step,
	.yields = soclose_yields, .nyields = NTRANS(soclose_yields),
	.held = soclose_held,
};

Frame *
call_soclose(World *w, int tid, Ref so)
{
	Frame *f = machine_call(w, tid, MACH_SOCLOSE);

	f->u.sp.so = so;
	return f;
}
