/*
 * tcp.c: a TCP connection over the simulated wire, as much of it as the
 * socket layer can see (4.4BSD-Lite2 / NetBSD 1.6 sys/netinet/tcp_output.c,
 * tcp_input.c, tcp_usrreq.c, tcp_timer.c).
 *
 * Modelled: MSS segmentation, the sender's silly-window and Nagle rules,
 * the receive window taken from sbspace() with the receiver's SWS clamp
 * and "never shrink", the window update after PRU_RCVD (the window opens
 * by 2 MSS or half the buffer), zero-window persist probes with the BSD
 * minimum persist interval (TCPTV_PERSMIN, 5 s), urgent data and the OOB
 * byte pulled out of the stream, FIN and RST.
 * Delayed ACKs: in-order data in ESTABLISHED sets TF_DELACK and arms the
 * delayed-ACK timer; a second such segment before it fires is ACKed at
 * once, as is anything else (a FIN, data out of order or beyond the
 * window); any segment tcp_output sends carries the ACK and disarms it.
 * Not modelled (the wire never loses or reorders): the handshake (pairs
 * start ESTABLISHED), retransmission, congestion control, timestamps.
 * Sequence numbers are 64-bit stream offsets; the FIN takes the number
 * just past the data.
 */
#include "machine.h"
#include "kern.h"
#include "simbook.h"
#include "errno_names.h"

#define TCP_MAXWIN 65535
/* in front of a segment's data in its header mbuf: max_linkhdr (16) and
 * the TCP/IP headers (40) */
#define TCP_HDR_ROOM (16 + 40)
#define TCP_MAXRXTSHIFT 12
static const int tcp_backoff[TCP_MAXRXTSHIFT + 1] = { 1, 2, 4, 8, 16, 32, 64, 64, 64, 64, 64, 64, 64 };

static int
sidx(World *w, Socket *so)
{
	return socket_index(w, so);
}

/* RFC 1323 window scale the receiver would ask for (NetBSD tcp_usrreq). */
static int64_t
max_window(const Socket *so)
{
	int scale = 0;

	while (scale < 14 && ((int64_t)TCP_MAXWIN << scale) < so->rcv.hiwat)
		scale++;
	return (int64_t)TCP_MAXWIN << scale;
}

/*
 * The window a receiver offers before any segment has gone (the one its
 * SYN would carry, as the connection will scale it): its buffer space,
 * at most TCP_MAXWIN << the scale (tcp_output: "if (win > (long)TCP_MAXWIN
 * << tp->rcv_scale) win = ...").  Pairs start ESTABLISHED, so this is
 * the sender's first snd_wnd and the receiver's first rcv_adv.
 */
int64_t
tcp_initial_window(const Socket *so)
{
	int64_t win = sbspace(&so->rcv), maxw = max_window(so);

	if (win < 0)
		win = 0;
	return win < maxw ? win : maxw;
}

/* Append in-order data: sbappendstream since mid-2002, sbappend before. */
static void
tcp_append(World *w, Socket *so, Sockbuf *sb, Ref m)
{
	if (quirk_on(w, QUIRK_SBAPPEND_WALK))
		sbappend(w, so, sb, m);
	else
		sbappendstream(w, so, sb, m);
}

static void
tcp_setpersist(World *w, Socket *so)
{
	Tcpcb *tp = &so->tp;
	int64_t t = 4 * tp->delay * tcp_backoff[tp->t_rxtshift];

	if (t < w->prof->persmin_ns)
		t = w->prof->persmin_ns;
	if (t > w->prof->persmax_ns)
		t = w->prof->persmax_ns;
	tp->persist = timer_gen_next(w);
	work_push(w, w->now + t, KW_PERSIST, (uint32_t)sidx(w, so), tp->persist);
	emit(w, EVK_ARM, "tcp_setpersist", sidx(w, so), SB_SND, w->now + t, TIMER_ID(tp->persist), 0,
	    "persist timer of %s armed for %lld ms", sock_name(w, sidx(w, so)), (long long)(t / 1000000));
	if (tp->t_rxtshift < TCP_MAXRXTSHIFT)
		tp->t_rxtshift++;
}

/* TCP_CLEAR_DELACK: a segment is going out and carries the ACK */
static void
tcp_clear_delack(World *w, Socket *so, const char *routine)
{
	Tcpcb *tp = &so->tp;

	if (tp->delack != 0)
		emit(w, EVK_DISARM, routine, sidx(w, so), SB_RCV, TIMER_ID(tp->delack), 0, 0,
		    "delayed-ACK timer of %s cancelled: the ACK leaves now", sock_name(w, sidx(w, so)));
	tp->delack = 0;
	tp->t_flags &= (uint8_t)~TF_DELACK;
}

/*
 * TCP_SETUP_ACK (NetBSD 1.6 tcp_input.c 1.122.2.6, OpenBSD tcp_input.c)
 * / DELAY_ACK (FreeBSD 9 tcp_input.c): in-order data may wait for its
 * ACK, unless an ACK is already waiting (then both are ACKed now: an ACK
 * for every second segment).  OpenBSD ACKs at once what came in over
 * loopback; FreeBSD, while the last window it advertised was zero.
 * TCP_SET_DELACK arms the timer.
 */
static void
tcp_setup_ack(World *w, Socket *so)
{
	Tcpcb *tp = &so->tp;
	int64_t t = w->prof->delack_ns;

	if (t == 0 || (tp->t_flags & TF_DELACK) ||
	    (w->prof->delack_loopback_acknow && tp->loopback) ||
	    (w->prof->delack_rxwin0_acknow && (tp->t_flags & TF_RXWIN0SENT))) {
		tp->t_flags |= TF_ACKNOW;
		return;
	}
	tp->t_flags |= TF_DELACK;
	tp->delack = timer_gen_next(w);
	work_push(w, w->now + t, KW_DELACK, (uint32_t)sidx(w, so), tp->delack);
	emit(w, EVK_ARM, "TCP_SET_DELACK", sidx(w, so), SB_RCV, w->now + t, TIMER_ID(tp->delack), 0,
	    "the ACK for %s's data is delayed: delayed-ACK timer armed for %lld ms",
	    sock_name(w, sidx(w, so)), (long long)(t / 1000000));
}

/* tcp_delack (NetBSD, OpenBSD tcp_timer.c) / tcp_timer_delack (FreeBSD):
 * the delayed ACK goes out now.  A timer that was cancelled (the ACK
 * left with a segment) never fires: the engine drops it (kern_init.c,
 * delack_stale), as callout_stop would. */
void
tcp_delack_timeout(World *w, int sock, uint32_t gen)
{
	Socket *so = sock_at(w, sock);
	Tcpcb *tp = &so->tp;

	SIM_COUNT(w, delack_timeouts);
	emit(w, EVK_TIMER, "tcp_delack", sock, SB_RCV, -1, TIMER_ID(gen), 0,
	    "delayed-ACK timer of %s: the ACK goes out", sock_name(w, sock));
	tp->delack = 0;
	tp->t_flags &= (uint8_t)~TF_DELACK;
	tp->t_flags |= TF_ACKNOW;
	tcp_output(w, so);
}

int
tcp_usrreq_send(World *w, Socket *so, Ref m, bool oob)
{
	Tcpcb *tp = &so->tp;
	uint64_t n = m_length(w, m);

	if (oob && sbspace(&so->snd) < -512) {
		m_freem(w, m);
		return K_ENOBUFS;
	}
	emitv(w, EVK_USRREQ, oob ? "PRU_SENDOOB" : "PRU_SEND", sidx(w, so), SB_SND, EV((int64_t)n, 0),
	    "%llu bytes for %s's so_snd", (unsigned long long)n, sock_name(w, sidx(w, so)));
	tcp_append(w, so, &so->snd, m);
	if (oob) {
		/* the urgent pointer points just past the last byte of the send */
		tp->snd_up = tp->snd_una + (uint64_t)so->snd.cc;
		tp->t_force = 1;
		tcp_output(w, so);
		tp->t_force = 0;
	} else
		tcp_output(w, so);
	return 0;
}

void
tcp_usrreq_rcvd(World *w, Socket *so)
{
	emitv(w, EVK_USRREQ, "PRU_RCVD", sidx(w, so), SB_RCV, EV(0, sbspace(&so->rcv)),
	    "the program read from %s: tcp_output may open the window (space %lld)",
	    sock_name(w, sidx(w, so)), (long long)sbspace(&so->rcv));
	tcp_output(w, so);
}

int
tcp_usrreq_rcvoob(World *w, Socket *so, bool peek, uint8_t *byte)
{
	Tcpcb *tp = &so->tp;

	(void)w;
	if ((so->oobmark == 0 && !(so->state & SS_RCVATMARK)) || (so->options & SO_OOBINLINE) ||
	    (tp->t_oobflags & TCPOOB_HADDATA))
		return K_EINVAL;
	if (!(tp->t_oobflags & TCPOOB_HAVEDATA))
		return K_EWOULDBLOCK;
	*byte = tp->t_iobc;
	if (!peek)
		tp->t_oobflags ^= (TCPOOB_HAVEDATA | TCPOOB_HADDATA);
	return 0;
}

void
tcp_usrclosed(World *w, Socket *so)
{
	Tcpcb *tp = &so->tp;

	(void)w;
	switch (tp->t_state) {
	case TCPS_ESTABLISHED:
		tp->t_state = TCPS_FIN_WAIT_1;
		break;
	case TCPS_CLOSE_WAIT:
		tp->t_state = TCPS_LAST_ACK;
		break;
	}
}

static bool
fin_wanted(const Tcpcb *tp)
{
	return tp->t_state == TCPS_FIN_WAIT_1 || tp->t_state == TCPS_CLOSING ||
	    tp->t_state == TCPS_LAST_ACK;
}

/* The window to advertise, with the receiver's SWS clamp and no shrinking. */
static int64_t
rcv_window(Socket *so)
{
	Tcpcb *tp = &so->tp;
	int64_t win = sbspace(&so->rcv), maxw = max_window(so);

	if (win < 0)
		win = 0;
	if (win < so->rcv.hiwat / 4 && win < (int64_t)tp->t_maxseg)
		win = 0;
	if (win > maxw)
		win = maxw;
	if (win < (int64_t)(tp->rcv_adv - tp->rcv_nxt))
		win = (int64_t)(tp->rcv_adv - tp->rcv_nxt);
	return win;
}

/* The segment's payload: m_copym from the cached position in so_snd. */
static Ref
copy_data(World *w, Socket *so, uint64_t off, uint64_t len)
{
	Tcpcb *tp = &so->tp;
	Ref m, c;
	uint64_t moff;

	/* stream offset of sb_mb's first byte is snd_una; the cached mbuf
	 * may have been freed since (acknowledged and dropped) */
	if (!ref_null(tp->lastm)) {
		const Mbuf *x = &w->mchunk[tp->lastm.i >> POOL_CHUNK_SHIFT][tp->lastm.i & (POOL_CHUNK - 1)];

		if (!x->live || x->gen != tp->lastm.g)
			tp->lastm = REF_NULL;
	}
	if (!ref_null(tp->lastm) && ref_eq(tp->lastm, so->snd.mb))
		tp->lastoff = tp->snd_una;
	if (!ref_null(tp->lastm) && tp->lastoff <= tp->snd_una + off) {
		m = tp->lastm;
		moff = tp->snd_una + off - tp->lastoff;
	} else {
		m = so->snd.mb;
		moff = off;
		tp->lastoff = tp->snd_una;
	}
	SIM_COST(w, R_M_COPYM, calls, 1);
	/* off < sb_cc: the walk ends inside the buffer */
	while (moff >= mb(w, m)->len) {
		moff -= mb(w, m)->len;
		tp->lastoff += mb(w, m)->len;
		m = mb(w, m)->next;
		SIM_COST(w, R_M_COPYM, visits, 1);
	}
	tp->lastm = m;
	if (len <= (uint64_t)(w->prof->mhlen - TCP_HDR_ROOM)) {
		/* "if (len <= MHLEN - hdrlen - max_linkhdr) m_copydata(...)"
		 * (4.4BSD, NetBSD, OpenBSD tcp_output): a short segment's bytes
		 * are copied into its header mbuf, behind the headers */
		c = m_gethdr(w, M_DONTWAIT, MT_DATA);
		if (ref_null(c))
			return REF_NULL;
		mb(w, c)->off += TCP_HDR_ROOM;
		mb(w, c)->len = (uint32_t)len;
		mb(w, c)->pkt_len = (uint32_t)len;
		m_copydata_from(w, m, moff, len, mtod(w, c), R_M_COPYM);
	} else {
		/* "m->m_next = m_copym(so->so_snd.sb_mb, off, (int) len, ...)":
		 * m_copym gives the copy a packet header only from offset 0 of
		 * the buffer, wherever a later mbuf's header is */
		c = m_copym_from(w, m, moff, len, R_M_COPYM);
		if (!ref_null(c) && off != 0)
			mb(w, c)->flags &= (uint8_t)~M_PKTHDR;
	}
	/* OpenBSD tcp_output: "if (so->so_snd.sb_mb->m_flags & M_PKTHDR)
	 * m->m_pkthdr.ph_loopcnt = so->so_snd.sb_mb->m_pkthdr.ph_loopcnt":
	 * the segment takes the loop count of the head of so_snd, whatever
	 * part of the buffer its bytes come from.  It reaches so_rcv only in
	 * a packet-header mbuf (see fidelity/splice-loop-tcp-segments.scn).
	 * The segment's bytes are in so_snd, so sb_mb is there. */
	if (!ref_null(c))
		mb(w, c)->loopcnt = (mb(w, so->snd.mb)->flags & M_PKTHDR) ? mb(w, so->snd.mb)->loopcnt : 0;
	return c;
}

void
tcp_output(World *w, Socket *so)
{
	Tcpcb *tp = &so->tp;

	if (tp->t_state == TCPS_CLOSED || so->peer < 0)
		return;
	SIM_COST(w, R_TCP_OUTPUT, calls, 1);
	for (;;) {
		int64_t off = (int64_t)(tp->snd_nxt - tp->snd_una);
		int64_t win = (int64_t)tp->snd_wnd, len, rwin;
		int64_t cc = so->snd.cc;
		bool sendalot = false, fin = false, send = false, idle;
		uint8_t flags = TH_ACK;

		if (tp->t_force) {
			if (win == 0)
				win = 1;    /* a persist probe: one byte past the window */
			else {
				if (tp->persist != 0)
					emit(w, EVK_DISARM, "tcp_output", sidx(w, so), SB_SND, TIMER_ID(tp->persist), 0, 0,
					    "the window opened: persist timer of %s cancelled", sock_name(w, sidx(w, so)));
				tp->persist = 0;
				tp->t_rxtshift = 0;
			}
		}
		len = (cc < win ? cc : win) - off;
		if (len < 0) {
			len = 0;
			if (win == 0)
				tp->snd_nxt = tp->snd_una;  /* window shrank to 0: back up */
			off = (int64_t)(tp->snd_nxt - tp->snd_una);
		}
		if (len > (int64_t)tp->t_maxseg) {
			len = tp->t_maxseg;
			sendalot = true;
		}
		if (fin_wanted(tp) && off + len == cc &&
		    (!(tp->t_flags & TF_SENTFIN) || tp->snd_nxt == tp->snd_una))
			fin = true;
		idle = tp->snd_max == tp->snd_una;
		if (len > 0) {
			if (len == (int64_t)tp->t_maxseg || (idle && len + off >= cc) || tp->t_force ||
			    len >= (int64_t)tp->max_sndwnd / 2)
				send = true;
		}
		rwin = sbspace(&so->rcv);
		if (!send && rwin > 0) {
			int64_t maxw = max_window(so);
			int64_t adv = (rwin < maxw ? rwin : maxw) - (int64_t)(tp->rcv_adv - tp->rcv_nxt);

			if (adv >= 2 * (int64_t)tp->t_maxseg || 2 * adv >= so->rcv.hiwat) {
				send = true;
				SIM_COUNT_IF(w, window_updates, len == 0 && !fin);
			}
		}
		if (!send && (tp->t_flags & TF_ACKNOW))
			send = true;
		if (!send && fin && !(tp->t_flags & TF_SENTFIN))
			send = true;
		if (!send && tp->snd_up > tp->snd_una && tp->snd_up > tp->snd_nxt)
			send = true;
		if (!send) {
			/* data waits for the window and nothing is in flight (no
			 * retransmit timer): the persist timer will force it out */
			if (cc > off && tp->snd_nxt == tp->snd_una && tp->persist == 0) {
				tp->t_rxtshift = 0;
				tcp_setpersist(w, so);
			}
			return;
		}

		/* build and send the segment */
		{
			uint32_t slot;
			Segment *seg;
			Ref data = REF_NULL;

			if (len > 0) {
				data = copy_data(w, so, (uint64_t)off, (uint64_t)len);
				if (ref_null(data)) {
					/* out of mbufs: the timer retries later */
					if (tp->persist == 0)
						tcp_setpersist(w, so);
					return;
				}
			}
			seg = seg_alloc(w, &slot);
			seg->kind = SEG_TCP;
			seg->src = (int16_t)sidx(w, so);
			seg->dst = so->peer;
			seg->seq = tp->snd_nxt;
			seg->len = (uint32_t)len;
			seg->m = data;
			if (fin)
				flags |= TH_FIN;
			if (tp->snd_up > tp->snd_nxt) {
				flags |= TH_URG;
				seg->urp = tp->snd_up;
			}
			seg->th_flags = flags;
			seg->ack = tp->rcv_nxt;
			seg->win = rcv_window(so);
			if (seg->win > 0 && tp->rcv_nxt + (uint64_t)seg->win > tp->rcv_adv)
				tp->rcv_adv = tp->rcv_nxt + (uint64_t)seg->win;
			SIM_COUNT_IF(w, persist_probes, tp->t_force && tp->snd_wnd == 0 && len > 0);
			tp->snd_nxt += (uint64_t)len;
			if (fin) {
				tp->t_flags |= TF_SENTFIN;
				tp->snd_nxt++;
			}
			if (tp->snd_nxt > tp->snd_max)
				tp->snd_max = tp->snd_nxt;
			/* FreeBSD tcp_output: remember a zero window went out */
			if (seg->win == 0)
				tp->t_flags |= TF_RXWIN0SENT;
			else
				tp->t_flags &= (uint8_t)~TF_RXWIN0SENT;
			tp->t_flags &= (uint8_t)~TF_ACKNOW;
			tcp_clear_delack(w, so, "tcp_output");
			SIM_COUNT_IF(w, segments, len > 0);
			SIM_COUNT_IF(w, acks, len <= 0);
			emitv(w, EVK_SEGMENT, "tcp_output", sidx(w, so), SB_SND,
			    EV((int64_t)seg->seq, len, seg->win, WIRE_ID(slot, seg->gen)),
			    "%s -> %s seq %llu len %lld ack %llu win %lld%s%s",
			    sock_name(w, seg->src), sock_name(w, seg->dst), (unsigned long long)seg->seq,
			    (long long)len, (unsigned long long)seg->ack, (long long)seg->win,
			    fin ? " FIN" : "", (flags & TH_URG) ? " URG" : "");
			seg_send(w, slot, tp->delay);
		}
		/* XXX 4.4BSD loops on sendalot even when forced; this sends one
		 * segment per forced call (an MSG_OOB chunk, a persist probe) */
		if (!sendalot || tp->t_force)
			return;
	}
}

/* tcp_pulloutofband: the urgent byte leaves the stream for t_iobc. */
static void
pulloutofband(World *w, Socket *so, Ref m, uint64_t cnt)
{
	while (!ref_null(m)) {
		Mbuf *x = mb(w, m);

		if (cnt < x->len) {
			uint8_t *p = mtod(w, m);

			so->tp.t_iobc = p[cnt];
			so->tp.t_oobflags |= TCPOOB_HAVEDATA;
			memmove(p + cnt, p + cnt + 1, x->len - cnt - 1);
			x->len--;
			return;
		}
		cnt -= x->len;
		m = x->next;
	}
}

static void
tcp_close(World *w, Socket *so)
{
	so->tp.t_state = TCPS_CLOSED;
	if (so->tp.persist != 0)
		emit(w, EVK_DISARM, "tcp_close", sidx(w, so), SB_SND, TIMER_ID(so->tp.persist), 0, 0,
		    "persist timer of %s cancelled", sock_name(w, sidx(w, so)));
	so->tp.persist = 0;
	tcp_clear_delack(w, so, "tcp_close");
	soisdisconnected(w, so);
}

void
tcp_reset_from_peer(World *w, Socket *so)
{
	Tcpcb *tp = &so->tp;

	emit(w, EVK_DELIVER, "tcp_input", sidx(w, so), -1, 0, 0, 0, "RST arrives at %s",
	    sock_name(w, sidx(w, so)));
	if (tp->t_state == TCPS_CLOSED)
		return;
	/* tcp_input, TH_RST in ESTABLISHED..CLOSE_WAIT: ECONNRESET; later states close quietly */
	if (tp->t_state == TCPS_ESTABLISHED || tp->t_state == TCPS_FIN_WAIT_1 ||
	    tp->t_state == TCPS_FIN_WAIT_2 || tp->t_state == TCPS_CLOSE_WAIT)
		so->error = K_ECONNRESET;
	tcp_close(w, so);
}

static void
send_rst(World *w, Socket *so)
{
	uint32_t slot;
	Segment *seg = seg_alloc(w, &slot);

	seg->kind = SEG_TCP;
	seg->src = (int16_t)sidx(w, so);
	seg->dst = so->peer;
	seg->th_flags = TH_RST;
	seg->seq = so->tp.snd_nxt;
	seg_send(w, slot, so->tp.delay);
}

/*
 * tcp_drop: an abortive close (SO_LINGER with l_linger 0): a RST goes to
 * the peer, whatever so_snd still held is thrown away, and the connection
 * is closed (4.4BSD, NetBSD, OpenBSD tcp_subr.c tcp_drop).
 */
void
tcp_drop(World *w, Socket *so)
{
	uint64_t sim_unsent = (uint64_t)so->snd.cc;

	emit(w, EVK_NOTE, "tcp_drop", sidx(w, so), -1, 0, 0, 0,
	    "abortive close of %s: a RST to its peer, %lld unsent bytes dropped",
	    sock_name(w, sidx(w, so)), (long long)so->snd.cc);
	/* "if (TCPS_HAVERCVDSYN(tp->t_state))": soclose drops only a
	 * connected socket, and every connection here is synchronized */
	send_rst(w, so);
	SIM_ACCOUNT(so, tx_dropped, sim_unsent);
	sbflush(w, so, &so->snd);
	tcp_close(w, so);
}

static void
ack_received(World *w, Socket *so, Segment *seg)
{
	Tcpcb *tp = &so->tp;

	if (seg->ack > tp->snd_una && seg->ack <= tp->snd_max) {
		uint64_t acked = seg->ack - tp->snd_una;
		uint64_t data = acked > (uint64_t)so->snd.cc ? (uint64_t)so->snd.cc : acked;
		bool ourfinisacked = acked > data;

		sbdrop(w, so, &so->snd, (int64_t)data);
		SIM_ACCOUNT(so, tx_acked, data);
		tp->snd_una = seg->ack;
		if (tp->snd_nxt < tp->snd_una)
			tp->snd_nxt = tp->snd_una;
		sowwakeup(w, so);
		if (ourfinisacked) {
			switch (tp->t_state) {
			case TCPS_FIN_WAIT_1:
				tp->t_state = TCPS_FIN_WAIT_2;
				break;
			case TCPS_CLOSING:
				tp->t_state = TCPS_TIME_WAIT;
				break;
			case TCPS_LAST_ACK:
				tcp_close(w, so);
				break;
			}
		}
	}
	if (seg->ack >= tp->snd_una) {
		tp->snd_wnd = (uint64_t)seg->win;
		if (tp->snd_wnd > tp->max_sndwnd)
			tp->max_sndwnd = tp->snd_wnd;
		if (tp->snd_wnd > 0 && tp->persist) {
			tp->persist = 0;
			tp->t_rxtshift = 0;
		}
	}
}

static void
urgent_received(World *w, Socket *so, Segment *seg)
{
	Tcpcb *tp = &so->tp;

	if (!(seg->th_flags & TH_URG) || seg->urp <= tp->rcv_up)
		return;
	tp->rcv_up = seg->urp;
	so->oobmark = so->rcv.cc + (int64_t)(tp->rcv_up - tp->rcv_nxt) - 1;
	if (so->oobmark == 0)
		so->state |= SS_RCVATMARK;
	tp->t_oobflags &= (uint8_t)~(TCPOOB_HAVEDATA | TCPOOB_HADDATA);
	emit(w, EVK_OOBMARK, "sohasoutofband", sidx(w, so), SB_RCV, so->oobmark, 0, 0,
	    "urgent data: so_oobmark = %lld", (long long)so->oobmark);
}

static void
fin_received(World *w, Socket *so)
{
	Tcpcb *tp = &so->tp;

	tp->rcv_nxt++;
	socantrcvmore(w, so);
	switch (tp->t_state) {
	case TCPS_ESTABLISHED:
		tp->t_state = TCPS_CLOSE_WAIT;
		break;
	case TCPS_FIN_WAIT_1:
		tp->t_state = TCPS_CLOSING;
		break;
	case TCPS_FIN_WAIT_2:
		tp->t_state = TCPS_TIME_WAIT;
		break;
	}
}

void
tcp_input(World *w, Segment *seg)
{
	Socket *so = sock_at(w, seg->dst);
	Tcpcb *tp = &so->tp;
	Ref m = seg->m;
	int64_t tlen = seg->len;
	bool fin = (seg->th_flags & TH_FIN) != 0;

	SIM_COST(w, R_TCP_INPUT, calls, 1);
	seg->m = REF_NULL;
	if (seg->th_flags & TH_RST) {
		m_freem(w, m);
		tcp_reset_from_peer(w, so);
		return;
	}
	if (tp->t_state == TCPS_CLOSED) {
		/* the connection was dropped (a RST, tcp_drop): the kernel finds
		 * no pcb for the segment and answers with a RST (tcp_input's
		 * dropwithreset), so a peer still sending learns at once */
		m_freem(w, m);
		emit(w, EVK_DROP, "tcp_input", seg->dst, -1, tlen, 0, 0,
		    "segment for %s, whose connection is gone: answered with a RST",
		    sock_name(w, seg->dst));
		send_rst(w, so);
		return;
	}
	if ((so->state & SS_NOFDREF) && tp->t_state > TCPS_CLOSE_WAIT && tlen > 0) {
		/* data for a closed descriptor: drop with reset */
		m_freem(w, m);
		SIM_COUNT(w, tcp_rcvafterclose);
		tcp_close(w, so);
		send_rst(w, so);
		return;
	}
	ack_received(w, so, seg);
	if (tp->t_state == TCPS_CLOSED) {
		m_freem(w, m);
		return;
	}
	urgent_received(w, so, seg);
	if (tlen > 0 || fin) {
		/* the ACK may wait only for in-order data that is all taken,
		 * in ESTABLISHED, with no FIN (TCP_REASS, the fast path) */
		bool delay = seg->seq == tp->rcv_nxt && tlen > 0 && !fin &&
		    tp->t_state == TCPS_ESTABLISHED;

		if (seg->seq == tp->rcv_nxt) {
			int64_t room = sbspace(&so->rcv), adv = (int64_t)(tp->rcv_adv - tp->rcv_nxt);
			int64_t accept = room > adv ? room : adv;

			if (accept < 0)
				accept = 0;
			if (tlen > accept) {
				/* beyond the window (a probe into a full buffer): trim it */
				SIM_COUNT_IF(w, tcp_rcvwinprobe_dropped, accept == 0);
				m_adj(w, m, -(tlen - accept));
				tlen = accept;
				fin = false;
				/* all of it beyond the window: a probe, ACKed now */
				delay = delay && tlen > 0;
			}
			if (tlen > 0) {
				if ((seg->th_flags & TH_URG) && !(so->options & SO_OOBINLINE) &&
				    seg->urp > seg->seq && seg->urp - seg->seq - 1 < (uint64_t)tlen) {
					pulloutofband(w, so, m, seg->urp - seg->seq - 1);
					sim_oob_pulled(w, so, seg->urp - 1);
				}
				tp->rcv_nxt += (uint64_t)tlen;
				SIM_ACCOUNT(so, rx_total, tlen);
				/* "if (so->so_rcv.sb_state & SS_CANTRCVMORE) m_freem(m);"
				 * (OpenBSD tcp_input and tcp_flush_queue; FreeBSD alike):
				 * after shutdown(SHUT_RD) the data is acknowledged and
				 * thrown away */
				if (w->prof->tcp_drop_after_shutrd && (so->state & SS_CANTRCVMORE)) {
					SIM_ACCOUNT(so, rx_dropped, tlen);
					emit(w, EVK_DROP, "tcp_input", socket_index(w, so), SB_RCV, tlen, 0, 0,
					    "%lld bytes for %s dropped: it can receive no more (SS_CANTRCVMORE)",
					    (long long)tlen, sock_name(w, socket_index(w, so)));
				} else {
					tcp_append(w, so, &so->rcv, m);
					m = REF_NULL;
				}
				sorwakeup(w, so);
			}
			if (fin)
				fin_received(w, so);
		}
		if (delay)
			tcp_setup_ack(w, so);
		else
			tp->t_flags |= TF_ACKNOW;
	}
	m_freem(w, m);
	tcp_output(w, so);
}

/* The persist timer fires (tcp_timers, TCPT_PERSIST).  A timer cancelled
 * or re-armed since never fires: the engine drops it (kern_init.c,
 * persist_stale). */
void
tcp_persist_timeout(World *w, int sock, uint32_t gen)
{
	Socket *so = sock_at(w, sock);
	Tcpcb *tp = &so->tp;

	SIM_COUNT(w, persist_timeouts);
	emit(w, EVK_TIMER, "tcp_timers", sock, SB_SND, -1, TIMER_ID(gen), 0,
	    "persist timer of %s: probe the zero window", sock_name(w, sock));
	tp->persist = 0;
	tcp_setpersist(w, so);
	tp->t_force = 1;
	tcp_output(w, so);
	tp->t_force = 0;
}
