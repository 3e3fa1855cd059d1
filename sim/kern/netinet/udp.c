/*
 * udp.c: UDP over the simulated wire (NetBSD 1.6 sys/netinet/udp_usrreq.c).
 *
 * A datagram reaches the socket bound to its destination address and is
 * queued by sbappendaddr() as one record: an MT_SONAME mbuf with the
 * sender's address, the control mbufs if any, then the data.  A datagram
 * that does not fit is dropped and counted (udpstat.udps_fullsock).
 */
#include "machine.h"
#include "kern.h"
#include "simbook.h"
#include "errno_names.h"

int
udp_usrreq_send(World *w, Socket *so, Ref m, Ref control, int dest)
{
	int to = dest >= 0 ? dest : so->peer;
	uint32_t slot;
	Segment *seg;

	if (!ref_null(control)) {
		m_freem(w, control);
		m_freem(w, m);
		return K_EINVAL;
	}
	if (to < 0) {
		m_freem(w, m);
		return K_EDESTADDRREQ;
	}
	seg = seg_alloc(w, &slot);
	seg->kind = SEG_UDP;
	seg->src = (int16_t)socket_index(w, so);
	seg->dst = -1;
	seg->from_ip = so->ip;
	seg->from_port = so->port;
	/* addresses never change after setup: reading them is no access */
	seg->to_ip = w->socks[to].ip;
	seg->to_port = w->socks[to].port;
	seg->m = m;
	seg->len = mb(w, m)->pkt_len;
	SIM_ACCOUNT(so, tx_sent, seg->len);
	emitv(w, EVK_SEGMENT, "udp_output", seg->src, SB_SND, EV(0, seg->len, 0, WIRE_ID(slot, seg->gen)),
	    "datagram %s -> %s, %u bytes", sock_name(w, seg->src), sock_name(w, to), seg->len);
	seg_send(w, slot, w->prof->wire_delay_ns);
	return 0;
}

static int
udp_lookup(World *w, uint32_t ip, uint16_t port)
{
	for (int i = 0; i < w->nsocks; i++) {
		const Socket *so = &w->socks[i];

		/* the address never changes; so_state does (close) */
		if (so->proto != PROTO_UDP || so->ip != ip || so->port != port)
			continue;
		if (!(sock_at(w, i)->state & SS_NOFDREF))
			return i;
	}
	return -1;
}

/* Queue a datagram on a socket, or drop it (wire: it came over the
 * simulated wire, not from a scenario's `datagram` event). */
static void
udp_deliver(World *w, int sock, uint32_t ip, uint16_t port, Ref m, Ref control, bool wire)
{
	Socket *so = sock_at(w, sock);
	uint32_t len = mb(w, m)->pkt_len;

	SIM_COST(w, R_UDP_INPUT, calls, 1);
	SIM_ACCOUNT_IF(so, rx_wire, len, wire);
	if (!sbappendaddr(w, so, &so->rcv, ip, port, m, control)) {
		SIM_ACCOUNT_IF(so, rx_full, len, wire);
		m_freem(w, m);
		m_freem(w, control);
		SIM_ACCOUNT(so, dgram_dropped, 1);
		SIM_COUNT(w, udp_fullsock);
		emit(w, EVK_DROP, "udp_input", sock, SB_RCV, len, so->rcv.cc, 0,
		    "datagram of %u bytes dropped: does not fit in %s.so_rcv (space %lld)", len,
		    sock_name(w, sock), (long long)sbspace(&so->rcv));
		return;
	}
	SIM_ACCOUNT(so, rx_total, len);
	sorwakeup(w, so);
}

void
udp_input(World *w, Segment *seg)
{
	int sock = udp_lookup(w, seg->to_ip, seg->to_port);
	Ref m = seg->m;

	seg->m = REF_NULL;
	if (sock < 0) {
		emit(w, EVK_DROP, "udp_input", -1, -1, seg->len, 0, 0,
		    "datagram to a port nobody has bound: dropped");
		w->udp_unbound += seg->len;     /* sim: for the conservation check */
		m_freem(w, m);
		return;
	}
	udp_deliver(w, sock, seg->from_ip, seg->from_port, m, REF_NULL, true);
}

/* No mbuf for a datagram from outside: the host loses it (M_DONTWAIT;
 * m_get counted the failed allocation). */
static void
inject_lost(World *w, int sock, Ref top, int64_t len)
{
	m_freem(w, top);
	emit(w, EVK_DROP, "udp_input", sock, SB_RCV, len, 0, 0,
	    "datagram dropped: no mbufs (the pool limit was reached)");
}

/* Build a datagram as the network would hand it up: a packet header mbuf,
 * clusters for the bulk, and control mbufs made by the receiving host. */
void
udp_inject(World *w, int sock, uint32_t ip, uint16_t port, int64_t len, int ctl_len)
{
	const Profile *p = w->prof;
	Ref top = REF_NULL, tail = REF_NULL, control = REF_NULL;
	uint32_t sim_tag = sim_tag_new(w);
	int64_t off = 0;

	do {
		Ref m = ref_null(top) ? m_gethdr(w, M_DONTWAIT, MT_DATA) : m_get(w, M_DONTWAIT, MT_DATA);
		int64_t room, n;

		if (ref_null(m)) {
			inject_lost(w, sock, top, len);
			return;
		}
		room = ref_null(top) ? p->mhlen : p->mlen;
		if (len - off > room && m_clget(w, m))
			room = p->mclbytes;
		n = len - off < room ? len - off : room;
		mb(w, m)->len = (uint32_t)n;
		sim_payload_fill_dgram(w, m, sim_tag, off, n);
		off += n;
		if (ref_null(top))
			top = m;
		else
			mb(w, tail)->next = m;
		tail = m;
	} while (off < len);
	mb(w, top)->pkt_len = (uint32_t)len;
	if (ctl_len > 0) {
		control = m_get(w, M_DONTWAIT, MT_CONTROL);
		if (ref_null(control)) {
			inject_lost(w, sock, top, len);
			return;
		}
		mb(w, control)->len = (uint32_t)(ctl_len < p->mlen ? ctl_len : p->mlen);
		memset(mtod(w, control), 0, mb(w, control)->len);
	}
	emit(w, EVK_DELIVER, "udp_input", sock, SB_RCV, 0, len, 0,
	    "datagram of %lld bytes from outside arrives at %s", (long long)len, sock_name(w, sock));
	udp_deliver(w, sock, ip, port, top, control, false);
}

/*
 * An ICMP port unreachable for a datagram sock sent: udp_ctlinput maps
 * PRC_UNREACH_PORT to ECONNREFUSED (inetctlerrmap) and in_pcbnotify
 * reaches only sockets connected to the address that answered, so an
 * unconnected socket never hears of it; udp_notify sets so_error and
 * wakes both buffers (OpenBSD udp_usrreq.c udp_ctlinput and udp_notify;
 * NetBSD 2.0 and FreeBSD 9.1 alike).  The next send or receive returns
 * the error once; a MSG_PEEK receive returns it and leaves it.
 */
void
udp_ctlinput(World *w, int sock)
{
	Socket *so = sock_at(w, sock);

	/* sock is a UDP socket (the scenario's `unreachable` takes no other) */
	if (!so->live || so->peer < 0 || !(so->state & SS_ISCONNECTED)) {
		emit(w, EVK_NOTE, "udp_ctlinput", sock, -1, 0, 0, 0,
		    "ICMP port unreachable for %s: not connected, so in_pcbnotify finds no socket",
		    sock_name(w, sock));
		return;
	}
	so->error = K_ECONNREFUSED;
	emit(w, EVK_NOTE, "udp_notify", sock, -1, K_ECONNREFUSED, 0, 0,
	    "ICMP port unreachable for %s: so_error = ECONNREFUSED", sock_name(w, sock));
	sorwakeup(w, so);
	sowwakeup(w, so);
}
