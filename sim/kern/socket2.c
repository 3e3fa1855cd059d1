/*
 * socket2.c: waking the users of a socket buffer (NetBSD 1.6
 * sys/kern/uipc_socket2.c sowakeup, sorwakeup, sowwakeup; OpenBSD's
 * spliced variants are in splice/splice.c).
 */
#include "kern.h"
#include "simbook.h"

/*
 * The socket upcall (NetBSD so_upcall, called from sowakeup when SB_UPCALL
 * is set, with M_DONTWAIT: it runs in softnet context and must not sleep).
 * Like the NFS server's nfsrv_rcv on that path, the consumer only notes
 * that there is work and wakes the thread that does it.
 */
static void
so_upcall(World *w, Socket *so, int which)
{
	int sock = socket_index(w, so);

	so->upcall_pending++;
	SIM_COUNT(w, upcalls);
	emit(w, EVK_UPCALL, "so_upcall", sock, which, so->upcall_pending, 0, 0,
	    "upcall for %s.%s (M_DONTWAIT): %u pending", sock_name(w, sock),
	    which == SB_RCV ? "so_rcv" : "so_snd", so->upcall_pending);
	wakeup(w, CHAN(CH_UPCALL, sock, 0));
}

/* sowakeup (NetBSD 1.6 uipc_socket2.c): select, sleepers, then the upcall. */
static void
sowakeup(World *w, Socket *so, int which)
{
	Sockbuf *sb = which == SB_RCV ? &so->rcv : &so->snd;

	/* selwakeup(&sb->sb_sel): a poll(2) on the buffer (NetBSD 2.0
	 * sowakeup; OpenBSD's knote wakes its kqueue-based poll alike) */
	if (sb->flags & SB_SEL)
		wakeup(w, CHAN(CH_SEL, socket_index(w, so), which));
	sb->flags &= ~(uint32_t)SB_SEL;
	if (sb->flags & SB_WAIT) {
		sb->flags &= ~(uint32_t)SB_WAIT;
		wakeup(w, CHAN(CH_SB_CC, socket_index(w, so), which));
	}
	if ((sb->flags & SB_UPCALL) && so->upcall_thread >= 0)
		so_upcall(w, so, which);
	else if ((sb->flags & SB_UPCALL) && so->upcall_knot >= 0)
		splice_sowake_tramp(w, so, which);
}

/* sim: the event of a wakeup, before anything is woken */
static void
trace_wakeup(World *w, Socket *so, int which)
{
	const Sockbuf *sb = which == SB_RCV ? &so->rcv : &so->snd;
	int sock = socket_index(w, so);

	emitv(w, EVK_SOWAKEUP, which == SB_RCV ? "sorwakeup" : "sowwakeup", sock, which,
	    EV((sb->flags & SB_WAIT) != 0, (sb->flags & SB_UPCALL) != 0), "%s.%s changed: %s%s",
	    sock_name(w, sock), which == SB_RCV ? "so_rcv" : "so_snd",
	    (sb->flags & SB_WAIT) ? "wake the threads in sbwait" : "nobody waits in sbwait",
	    (sb->flags & SB_UPCALL) ? ", call the upcall" : "");
}

/* OpenBSD: a spliced buffer schedules the move and wakes no one (splice.c). */
void
sorwakeup(World *w, Socket *so)
{
	if (w->prof->splice == SPLICE_OPENBSD && splice_sorwakeup(w, so))
		return;
	trace_wakeup(w, so, SB_RCV);
	sowakeup(w, so, SB_RCV);
}

void
sowwakeup(World *w, Socket *so)
{
	if (w->prof->splice == SPLICE_OPENBSD && splice_sowwakeup(w, so))
		return;
	trace_wakeup(w, so, SB_SND);
	sowakeup(w, so, SB_SND);
}

