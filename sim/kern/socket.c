/*
 * socket.c: socket state changes and the calls that never sleep
 * (NetBSD 1.6 sys/kern/uipc_socket.c and uipc_socket2.c: socantsendmore,
 * socantrcvmore, soisdisconnected, sosetopt, soshutdown, sorflush, soclose).
 */
#include "machine.h"
#include "kern.h"
#include "simbook.h"
#include "errno_names.h"

#include <string.h>

void
socantsendmore(World *w, Socket *so)
{
	so->state |= SS_CANTSENDMORE;
	sowwakeup(w, so);
}

void
socantrcvmore(World *w, Socket *so)
{
	so->state |= SS_CANTRCVMORE;
	sorwakeup(w, so);
}

/* soisdisconnecting: both directions shut, the connection going down. */
static void
soisdisconnecting(World *w, Socket *so)
{
	so->state &= ~(uint32_t)SS_ISCONNECTING;
	so->state |= SS_ISDISCONNECTING | SS_CANTRCVMORE | SS_CANTSENDMORE;
	sowwakeup(w, so);
	sorwakeup(w, so);
}

void
soisdisconnected(World *w, Socket *so)
{
	so->state &= ~(uint32_t)(SS_ISCONNECTING | SS_ISCONNECTED | SS_ISDISCONNECTING);
	so->state |= SS_CANTRCVMORE | SS_CANTSENDMORE;
	sowwakeup(w, so);
	sorwakeup(w, so);
}

/*
 * sorflush: throw away what was received; the reader sees EOF.  The caller
 * holds SB_LOCK on so_rcv (4.4BSD and NetBSD 1.6 take it with SB_NOINTR
 * and M_WAITOK, so a reader sleeping in its MSG_WAITALL loop holds off a
 * shutdown).  CANTRCVMORE is set, the lock released, and the buffer
 * cleared to zero before its mbufs are released: its limits go too.
 */
void
sorflush(World *w, int tid, Socket *so)
{
	Sockbuf *sb = &so->rcv;
	uint64_t sim_flushed = sim_rcv_held(w, so);
	Sockbuf asb;

	socantrcvmore(w, so);
	sbunlock(w, tid, so, SB_RCV);
	asb = *sb;
	memset(sb, 0, sizeof *sb);
	sb->lock_owner = -1;
	SIM_ACCOUNT(so, rx_dropped, sim_flushed);
	sbrelease(w, so, &asb);
	emit(w, EVK_NOTE, "sorflush", socket_index(w, so), SB_RCV, 0, 0, 0,
	    "receive buffer flushed and cleared: %lld bytes dropped", (long long)asb.cc);
}

/*
 * soshutdown from softnet (the 2005 splice prototype calls it there): the
 * receive buffer is flushed without sblock, which softnet could not sleep
 * for; the sending side is shut as PRU_SHUTDOWN does.
 */
void
soshutdown_nolock(World *w, Socket *so, int how)
{
	if (how != 1) {
		uint64_t sim_flushed = sim_rcv_held(w, so);

		socantrcvmore(w, so);
		SIM_ACCOUNT(so, rx_dropped, sim_flushed);
		sbflush(w, so, &so->rcv);
	}
	if (how != 0 && !(so->state & SS_CANTSENDMORE)) {
		socantsendmore(w, so);
		tcp_usrclosed(w, so);
		tcp_output(w, so);
	}
}

int
sosetopt(World *w, Socket *so, int opt, int64_t v)
{
	switch (opt) {
	case SOPT_SNDBUF:
	case SOPT_RCVBUF: {
		Sockbuf *sb = opt == SOPT_SNDBUF ? &so->snd : &so->rcv;

		if (!sbreserve(w, sb, v))
			return K_ENOBUFS;
		if (opt == SOPT_RCVBUF && so->proto == PROTO_TCP && so->peer >= 0) {
			/* before the connection exists the window is what we advertise */
			Socket *peer = sock_at(w, so->peer);

			if (sim_before_first_byte(so, peer)) {
				peer->tp.snd_wnd = (uint64_t)tcp_initial_window(so);
				peer->tp.max_sndwnd = peer->tp.snd_wnd;
				so->tp.rcv_adv = so->tp.rcv_nxt + peer->tp.snd_wnd;
			}
		}
		return 0;
	}
	case SOPT_SNDLOWAT:
	case SOPT_RCVLOWAT: {
		Sockbuf *sb = opt == SOPT_SNDLOWAT ? &so->snd : &so->rcv;

		/* NetBSD 1.6 sosetopt: values below 1 are EINVAL; clamp to hiwat */
		if (v < 1)
			return K_EINVAL;
		sb->lowat = v > sb->hiwat ? sb->hiwat : v;
		return 0;
	}
	case SOPT_SNDTIMEO:
		so->snd.timeo = v;
		return 0;
	case SOPT_RCVTIMEO:
		so->rcv.timeo = v;
		return 0;
	case SOPT_NONBLOCK:
		if (v)
			so->state |= SS_NBIO;
		else
			so->state &= ~(uint32_t)SS_NBIO;
		return 0;
	case SOPT_OOBINLINE:
		if (v)
			so->options |= SO_OOBINLINE;
		else
			so->options &= ~(uint32_t)SO_OOBINLINE;
		return 0;
	case SOPT_LINGER:
		/* struct linger { l_onoff 1, l_linger v }; only 0 changes what
		 * sosim's close does: a positive linger's wait is not modelled */
		if (v < 0)
			return K_EINVAL;
		so->options |= SO_LINGER;
		so->linger = v;
		return 0;
	default:
		return K_ENOPROTOOPT;
	}
}

/* The caller holds SB_LOCK on so_rcv unless how is SHUT_WR (soshutdown_locks). */
int
soshutdown(World *w, int tid, Socket *so, int how)
{
	if (how < 0 || how > 2)
		return K_EINVAL;
	if (how != 1)       /* SHUT_RD or SHUT_RDWR */
		sorflush(w, tid, so);
	if (how != 0) {     /* SHUT_WR or SHUT_RDWR: PRU_SHUTDOWN */
		socantsendmore(w, so);
		if (so->proto == PROTO_TCP) {
			tcp_usrclosed(w, so);
			tcp_output(w, so);
		}
	}
	return 0;
}

/*
 * soclose: a connected TCP socket disconnects.  sodisconnect's
 * tcp_disconnect (4.4BSD, NetBSD 2.0, OpenBSD tcp_usrreq.c) marks it
 * disconnecting, empties so_rcv with sbflush, which keeps the buffer's
 * limits, and sends a FIN after the data still in so_snd; sofree leaves
 * the socket to its pcb, so no sorflush runs.  The FIN therefore
 * advertises the whole window, and data the peer sends after it draws a
 * RST (tcp_input: SS_NOFDREF and data, tcps_rcvafterclose) within a round
 * trip.  The descriptor is gone (SS_NOFDREF); the socket itself stays
 * until the end of the run so the connection can finish.
 */
/* The caller holds SB_LOCK on so_rcv (the flush of an unconnected one needs it). */
int
soclose(World *w, int tid, Socket *so)
{
	if (so->state & SS_NOFDREF)
		return K_EBADF;
	if (so->proto == PROTO_TCP && (so->state & SS_ISCONNECTED) && (so->options & SO_LINGER) &&
	    so->linger == 0) {
		/* tcp_disconnect: "if (so->so_options & SO_LINGER && so->so_linger
		 * == 0) tp = tcp_drop(tp, 0);": a RST, not a FIN; both buffers go */
		uint64_t sim_flushed = sim_rcv_held(w, so);

		sbunlock(w, tid, so, SB_RCV);   /* sim: taken for the other path */
		SIM_ACCOUNT(so, rx_dropped, sim_flushed);
		sbflush(w, so, &so->rcv);
		tcp_drop(w, so);
	} else if (so->proto == PROTO_TCP && (so->state & SS_ISCONNECTED)) {
		uint64_t sim_flushed = sim_rcv_held(w, so);

		sbunlock(w, tid, so, SB_RCV);   /* sim: taken for the other path */
		soisdisconnecting(w, so);
		SIM_ACCOUNT(so, rx_dropped, sim_flushed);
		sbflush(w, so, &so->rcv);
		tcp_usrclosed(w, so);
		tcp_output(w, so);
	} else {
		sorflush(w, tid, so);
		socantsendmore(w, so);
		if (so->proto == PROTO_UDP)
			so->state &= ~(uint32_t)SS_ISCONNECTED;
	}
	so->state |= SS_NOFDREF;
	return 0;
}
