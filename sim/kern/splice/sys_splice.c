/*
 * sys_splice.c: the splice(2) prototype Jonathan Stone posted to tech-net
 * on 2005-10-05 (profile netbsd-2005-splice), with its defects.
 *
 * splice(fd1, fd2) joins two connected TCP sockets in both directions and
 * sleeps until neither direction can carry more.  Socket upcalls on all
 * four buffers defer, through a kcont at softnet level, to a continuation
 * that moves min(send space, receive count) each way by soreceive() into
 * an mbuf chain and PRU_SEND straight into the other socket.
 *
 * Defects kept as quirks, on in the profile:
 *   splice-dup-alloc    the splice_state is malloc'd twice (lines 366 and
 *                       382); the first is never freed
 *   splice-sblock-leak  sblock(&so1->so_snd), sblock(&so2->so_snd) (lines
 *                       363-364) are never released on the success path
 */
#include "machine.h"
#include "kern.h"
#include "simbook.h"
#include "errno_names.h"

#include <stdio.h>

/* kernel malloc(9), for the leak check */
static int
kmem_alloc(World *w, int so1, int so2)
{
	fp_flag(w, FP_KMEM);
	for (int i = 0; i < (int)(sizeof w->kmem / sizeof w->kmem[0]); i++) {
		if (w->kmem[i].live)
			continue;
		w->kmem[i].live = 1;
		w->kmem[i].gen++;
		w->kmem[i].so1 = (int16_t)so1;
		w->kmem[i].so2 = (int16_t)so2;
		if (i >= w->nkmem)
			w->nkmem = i + 1;
		emit(w, EVK_KMEM, "malloc", so1, -1, i, 1, 0,
		    "splice_state %d allocated (M_TEMP, M_WAITOK|M_ZERO)", i);
		return i;
	}
	w->stop = STOP_LIMIT;
	snprintf(w->run->stop_msg, sizeof w->run->stop_msg,
	    "more than %d splice_state allocations are live at once",
	    (int)(sizeof w->kmem / sizeof w->kmem[0]));
	return 0;
}

static void
kmem_free(World *w, int k)
{
	fp_flag(w, FP_KMEM);
	w->kmem[k].live = 0;
	emit(w, EVK_KMEM, "free", -1, -1, k, 0, 0, "splice_state %d freed", k);
}

/* SPLICE_MOVEDATA's conditions (sys/socketvar.h soreadable/sowritable of 2005) */
static bool
sowritable(const Socket *so)
{
	return (sbspace(&so->snd) >= so->snd.lowat && (so->state & SS_ISCONNECTED)) ||
	    (so->state & SS_CANTSENDMORE) || so->error;
}

/* CANTSENDFROMTO's negation (L260-263): s1 can still receive and s2 still send */
static bool
cansendfromto(const Socket *s1, const Socket *s2)
{
	return !(s1->state & SS_CANTRCVMORE) && !(s2->state & SS_CANTSENDMORE);
}

/*
 * splice_movedata (L113-183): soreceive(from, ..., &top, MSG_DONTWAIT) of
 * `space` bytes into a chain, then PRU_SEND on `to`.  The soreceive here
 * runs in softnet: it cannot sleep, so a buffer another thread has locked
 * gives EWOULDBLOCK, and any error shuts both sockets down.
 */
static int
splice_movedata(World *w, Socket *from, Socket *to)
{
	int64_t space = sbspace(&to->snd), sspace = from->rcv.cc;
	uint64_t sim_rxoff;
	int error = 0;
	Ref top;

	if (sspace < space)
		space = sspace;
	if (space == 0)
		return 0;
	if (space < 0) {
		emit(w, EVK_NOTE, "splice_movedata", socket_index(w, from), -1, space, 0, 0,
		    "splice: negative space");
		return 0;
	}
	if (from->rcv.flags & SB_LOCK)
		error = K_EWOULDBLOCK;
	if (error) {
		emit(w, EVK_NOTE, "splice_movedata", socket_index(w, from), -1, error, 0, 0,
		    "soreceive fails with %s: both sockets shut down", errno_name(error));
		soshutdown_nolock(w, from, 2);
		soshutdown_nolock(w, to, 2);
		return error;
	}
	sim_rxoff = sim_rcv_base(from);
	top = sbtake(w, from, &from->rcv, space, true, R_SOMOVE, &space);
	SIM_ACCOUNT(from, rx_moved, space);
	tcp_usrreq_rcvd(w, from);
	sim_spliced(w, from, &sim_rxoff, to, (uint64_t)space);
	SIM_COST(w, R_SOMOVE, calls, 1);
	SIM_COUNT_N(w, splice_bytes, space);
	emitv(w, EVK_MOVE, "splice_movedata", socket_index(w, from), SB_RCV,
	    EV(space, from->rcv.cc, 0), "%lld bytes %s -> %s (PRU_SEND)", (long long)space,
	    sock_name(w, socket_index(w, from)), sock_name(w, socket_index(w, to)));
	return tcp_usrreq_send(w, to, top, false);
}

/* The socket upcall (L212-228): defer to the kcont at softnet level. */
void
splice_sowake_tramp(World *w, Socket *so, int which)
{
	int i = socket_index(w, so);

	(void)which;
	if (so->kc_pending)
		return;     /* the same kc, re-initialised while still queued */
	so->kc_pending = 1;
	fp_flag(w, FP_KMEM);
	work_push(w, w->now, KW_KCONT, (uint32_t)i, w->kmem[so->upcall_knot].gen);
}

/* The continuation (L240-273): splice1 both ways, wake the caller when done. */
void
splice_kcont_run(World *w, int sock, uint32_t gen)
{
	Socket *so = sock_at(w, sock);
	int k = so->upcall_knot, error = 0;
	Socket *s1, *s2;
	/* the splice_state it was deferred for is gone: its splice(2) unwired
	 * the upcalls (upcall_knot -1; NS_SLEEPING unwires, then frees), or a
	 * later splice(2) of the socket took the slot again */
	bool stale;

	so->kc_pending = 0;
	fp_flag(w, FP_KMEM);
	SIM_COUNT(w, kconts);
	stale = k < 0 || w->kmem[k].gen != gen;
	if (stale && !quirk_on(w, QUIRK_SPLICE_KCONT_UAF)) {
		emit(w, EVK_NOTE, "kcont", sock, -1, 0, 0, 0,
		    "the continuation for %s was cancelled with its splice_state", sock_name(w, sock));
		return;
	}
	if (stale) {
		world_violation(w, V_STALE_HANDLE,
		    "the kcont continuation for %s runs on a splice_state that was freed",
		    sock_name(w, sock));
		return;
	}
	/* "Which direction were we called in?" (L243-251): so1 is the socket
	 * whose upcall ran, so2 the other one */
	s1 = so;
	s2 = sock_at(w, w->kmem[k].so1 == sock ? w->kmem[k].so2 : w->kmem[k].so1);
	/* splice1 (L186-209): SPLICE_MOVEDATA(s1, s2), then, without error, s2 -> s1 */
	if (soreadable(s1) && sowritable(s2))
		error = splice_movedata(w, s1, s2);
	if (!error && soreadable(s2) && sowritable(s1))
		splice_movedata(w, s2, s1);
	if (!cansendfromto(s1, s2) && !cansendfromto(s2, s1))
		wakeup(w, CHAN(CH_KNOT, k, 0));
}

enum { NS_ENTRY, NS_LOCK1, NS_LOCK2, NS_SLEEPING, NS__N };
static const char *const sys_splice_states[] = { "entry", "lock1", "lock2", "sleeping" };
static const Transition sys_splice_trans[] = {
	{ NS_ENTRY, NS_LOCK1 },     /* sblock(&so1->so_snd, M_WAITOK) */
	{ NS_LOCK1, NS_LOCK2 },     /* sblock(&so2->so_snd, M_WAITOK) */
	{ NS_LOCK2, NS_SLEEPING },  /* upcalls wired, tsleep(knot, PSOCK, "spliceio", 0) */
};

static int
sys_splice_check(World *w, int fd1, int fd2)
{
	Socket *so1, *so2;

	if (fd1 == K_FD_BAD || fd2 == K_FD_BAD)
		return K_EBADF;
	if ((fd1 >= 0 && (sock_at(w, fd1)->state & SS_NOFDREF)) ||
	    (fd2 >= 0 && (sock_at(w, fd2)->state & SS_NOFDREF)))
		return K_EBADF;
	if (fd1 == K_FD_NOTSOCK || fd2 == K_FD_NOTSOCK)
		return K_ENOTSOCK;     /* XXX EINVAL? */
	if (fd1 == fd2)
		return K_EBADF;        /* would take the sblock twice */
	so1 = sock_at(w, fd1);
	so2 = sock_at(w, fd2);
	if (so1->proto != so2->proto || so1->proto != PROTO_TCP)
		return K_ESOCKTNOSUPPORT;
	if (!(so1->state & SS_ISCONNECTED) || !(so2->state & SS_ISCONNECTED))
		return K_ENOTCONN;
	return 0;
}

static void
wire_upcalls(World *w, int k, bool on)
{
	for (int j = 0; j < 2; j++) {
		Socket *so = sock_at(w, j == 0 ? w->kmem[k].so1 : w->kmem[k].so2);

		so->upcall_knot = (int16_t)(on ? k : -1);
		if (on) {
			so->rcv.flags |= SB_UPCALL;
			so->snd.flags |= SB_UPCALL;
		} else {
			so->rcv.flags &= ~(uint32_t)SB_UPCALL;
			so->snd.flags &= ~(uint32_t)SB_UPCALL;
		}
	}
}

static int
sys_splice_step(World *w, int tid, Thread *t, Frame *f)
{
	Socket *so1 = NULL, *so2 = NULL;
	int k, err;

	(void)t;
	fp_flag(w, FP_KMEM);    /* the splice_state table */
	if (f->pc != NS_ENTRY) {
		so1 = sock_ref(w, f->u.sp.so);
		so2 = sock_ref(w, f->u.sp.sosp);
	}
	switch (f->pc) {
	case NS_ENTRY:
		if (w->prof->splice != SPLICE_NETBSD_2005) {
			machine_return(w, tid, 0, K_ENOSYS);
			return RUN_CONTINUE;
		}
		if ((err = sys_splice_check(w, f->u.sp.fd, f->u.sp.fd2)) != 0) {
			machine_return(w, tid, 0, err);
			return RUN_CONTINUE;
		}
		/* "Deadlock avoidance": lower address first */
		k = f->u.sp.fd < f->u.sp.fd2 ? f->u.sp.fd : f->u.sp.fd2;
		f->u.sp.so = sock_handle(w, k);
		f->u.sp.sosp = sock_handle(w, f->u.sp.fd + f->u.sp.fd2 - k);
		GOTO(NS_LOCK1);
		call_sblock(w, tid, f->u.sp.so, SB_SND, M_WAIT);
		return RUN_CONTINUE;
	case NS_LOCK1:
		GOTO(NS_LOCK2);
		call_sblock(w, tid, f->u.sp.sosp, SB_SND, M_WAIT);
		return RUN_CONTINUE;
	case NS_LOCK2:
		k = kmem_alloc(w, socket_index(w, so1), socket_index(w, so2));
		if (quirk_on(w, QUIRK_SPLICE_DUP_ALLOC))
			k = kmem_alloc(w, socket_index(w, so1), socket_index(w, so2));
		f->u.sp.knot = k;
		wire_upcalls(w, k, true);
		GOTO(NS_SLEEPING);
		tsleep(w, tid, CHAN(CH_KNOT, k, 0), "spliceio", false, 0);
		return RUN_SLEEP;
	case NS_SLEEPING:
	default:
		k = f->u.sp.knot;
		wire_upcalls(w, k, false);
		kmem_free(w, k);
		if (!quirk_on(w, QUIRK_SPLICE_SBLOCK_LEAK)) {
			sbunlock(w, tid, so2, SB_SND);
			sbunlock(w, tid, so1, SB_SND);
		}
		machine_return(w, tid, 0, 0);
		return RUN_CONTINUE;
	}
}

static const Contexts sys_splice_held[] = {
	[NS_ENTRY] = CTX3(KERNEL, NA, NA),
	[NS_LOCK1] = CTX3(KERNEL, NA, NA),       /* sblock(&so1->so_snd) */
	[NS_LOCK2] = CTX3(KERNEL, NA, NA),
	[NS_SLEEPING] = CTX3(KERNEL, NA, NA),    /* tsleep "spliceio" at spl0 */
};

const MachineDef mach_sys_splice = {
	.name = "sys_splice",
	.states = sys_splice_states, .nstates = NS__N,
	.trans = sys_splice_trans, .ntrans = NTRANS(sys_splice_trans),
	.step = sys_splice_step,
	.held = sys_splice_held,
};

Frame *
call_sys_splice(World *w, int tid, int fd1, int fd2)
{
	Frame *f = machine_call(w, tid, MACH_SYS_SPLICE);

	f->u.sp.fd = fd1;
	f->u.sp.fd2 = fd2;
	return f;
}
