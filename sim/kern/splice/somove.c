/*
 * somove.c: one pass of socket splicing, moving what the source received
 * into the drain's send path (OpenBSD sys/kern/uipc_socket.c somove(),
 * and somove_dgram() of the "Unlock udp(4) somove()" diff, OpenBSD
 * tech@, July 2024, lines 340-563 of the post).  docs/research/splice.md
 * section 2 has the arithmetic with its sources.
 *
 * The pass is a small machine: nextpkt (checks, how much, take it off
 * so_rcv), send (pru_send on the drain), release (EFBIG, the error to the
 * source, unsplice or re-arm the idle timeout).  Where the kernel holds a
 * lock across the whole pass (the netlock for TCP and for 7.5 UDP), it runs
 * at once (somove_run).  In openbsd-7.6 somove_dgram drops its mutexes
 * around pru_send, so the states are preemption points there and other
 * threads can run while a datagram is in flight.
 */
#include <stddef.h>

#include "machine.h"
#include "kern.h"
#include "simbook.h"
#include "errno_names.h"

#define M_MAXLOOP 128           /* OpenBSD sys/mbuf.h */

static const char *const somove_states[] = { "nextpkt", "send", "release", "done" };
static const Transition somove_trans[] = {
	{ MV_TOP, MV_TOP },         /* a record without data was dropped */
	{ MV_TOP, MV_SEND },        /* a packet or a stretch of stream was taken off so_rcv */
	{ MV_TOP, MV_RELEASE },     /* nothing (more) to move, an error, no space */
	{ MV_SEND, MV_TOP },        /* sent; the next datagram */
	{ MV_SEND, MV_RELEASE },
	{ MV_RELEASE, MV_DONE },
};

/* OpenBSD 7.6 somove_dgram drops sb_mtx and takes solock_shared(sosp)
 * around pru_send: there another CPU may run.  Whether a pass stops
 * there depends on the profile (somove_step's *preempt). */
static const Yield somove_yields[] = {
	{ MV_TOP, MV_SEND, CTX4(NA, NA, NA, PREEMPTIBLE) },
	{ MV_SEND, MV_TOP, CTX4(NA, NA, NA, PREEMPTIBLE) },
	{ MV_SEND, MV_RELEASE, CTX4(NA, NA, NA, PREEMPTIBLE) },
};

static void
idle_arm(World *w, Socket *so)
{
	int i = socket_index(w, so);

	if (so->idle_gen != 0)  /* timeout_add moves a pending timeout */
		emit(w, EVK_DISARM, "timeout_add", i, -1, TIMER_ID(so->idle_gen), 0, 0,
		    "idle timeout of %s moved", sock_name(w, i));
	so->idle_gen = timer_gen_next(w);
	w->socks[i].idle_ref = sock_handle(w, i);
	work_push(w, w->now + so->idletv, KW_SPLICE_IDLE, (uint32_t)i, so->idle_gen);
	emit(w, EVK_ARM, "timeout_add", i, -1, w->now + so->idletv, TIMER_ID(so->idle_gen), 0,
	    "idle timeout of %s armed (%lld ms)", sock_name(w, i), (long long)(so->idletv / 1000000));
}

/* Take the first datagram off so_rcv: the data chain; SONAME and control are freed. */
static Ref
take_record(World *w, Socket *so, Ref data)
{
	Sockbuf *sb = &so->rcv;
	Ref m = sb->mb, nextrecord = mb(w, m)->nextpkt;

	mb(w, m)->nextpkt = REF_NULL;
	for (Ref x = m; !ref_null(x); x = mb(w, x)->next)
		sbfree(w, sb, x);
	sb->mb = REF_NULL;
	sbsync(w, sb, nextrecord);
	while (!ref_eq(m, data))        /* data is in the record */
		m = m_free(w, m);
	return data;
}

static int
nextpkt(World *w, int tid, Frame *f, Socket *so, Socket *sosp)
{
	bool dgram = (so->pr_flags & PR_ATOMIC) != 0;
	int64_t len, space, max = so->splicemax;
	Ref m, data;

	(void)tid;
	f->u.mv.error = 0;
	if (so->error) {
		f->u.mv.error = so->error;
		return MV_RELEASE;
	}
	if (sosp->state & SS_CANTSENDMORE) {
		f->u.mv.error = K_EPIPE;
		return MV_RELEASE;
	}
	if (sosp->error && sosp->error != K_ETIMEDOUT && sosp->error != K_EFBIG &&
	    sosp->error != K_ELOOP) {
		f->u.mv.error = sosp->error;
		return MV_RELEASE;
	}
	if (!(sosp->state & SS_ISCONNECTED))
		return MV_RELEASE;

	/* calculate how many bytes can be copied now */
	len = dgram ? sb_datacc(w, &so->rcv) : so->rcv.cc;
	if (max && max <= so->splicelen + len) {
		len = max - so->splicelen;
		f->u.mv.maxreached = true;
	}
	space = sbspace(&sosp->snd);
	if (!dgram && so->oobmark && so->oobmark < len && so->oobmark < space + 1024)
		space += 1024;
	if (space <= 0) {
		f->u.mv.maxreached = false;
		return MV_RELEASE;
	}
	if (space < len) {
		f->u.mv.maxreached = false;
		if (space < sosp->snd.lowat)
			return MV_RELEASE;
		len = space;
	}
	m = so->rcv.mb;
	if (ref_null(m))
		return MV_RELEASE;
	f->u.mv.nextrecord = mb(w, m)->nextpkt;
	data = m;
	if (dgram) {
		while (!ref_null(data) && (mb(w, data)->type == MT_SONAME ||
		    mb(w, data)->type == MT_CONTROL))
			data = mb(w, data)->next;
		if (ref_null(data)) {
			sbdroprecord(w, so, &so->rcv);
			return MV_TOP;
		}
	}

	/* splicing sockets to each other (or to themselves) can loop: "if
	 * ((m->m_flags & M_PKTHDR) && m->m_pkthdr.ph_loopcnt++ >= M_MAXLOOP)"
	 * (OpenBSD uipc_socket.c 1.337); stream bytes whose packet header
	 * sbcompress dropped or merged away carry no count */
	f->u.mv.loopcnt = 0;
	if (mb(w, data)->flags & M_PKTHDR) {
		/* counted in place: bytes left behind by a partial take keep it */
		if (mb(w, data)->loopcnt++ >= M_MAXLOOP) {
			f->u.mv.error = K_ELOOP;
			return MV_RELEASE;
		}
		f->u.mv.loopcnt = mb(w, data)->loopcnt;
	}

	if (dgram) {
		int64_t pktlen = (int64_t)m_length(w, data);

		if (sosp->snd.hiwat < pktlen) {
			f->u.mv.error = K_EMSGSIZE;
			return MV_RELEASE;
		}
		if (len < pktlen)
			return MV_RELEASE;      /* a datagram is never split: stop quietly */
		if (pktlen < len) {
			f->u.mv.maxreached = false;
			len = pktlen;
		}
		f->u.mv.m = take_record(w, so, data);
		f->u.mv.len = len;
		SIM_ACCOUNT(so, rx_moved, len);
	} else {
		int64_t take;

		/* an mbuf bigger than what is left is split only at the maximum or
		 * into an empty drain (O385 and the 2024 diff test the drain's
		 * so_snd; 2019's code tested the source's by mistake).  A stream
		 * so_snd holds data only, so its sb_cc is its sb_datacc. */
		f->u.mv.rxoff = sim_rcv_base(so);
		f->u.mv.m = sbtake(w, so, &so->rcv, len,
		    f->u.mv.maxreached || sosp->snd.cc == 0, R_SOMOVE, &take);
		if (take == 0)
			return MV_RELEASE;
		if (take < len)
			f->u.mv.maxreached = false;
		SIM_ACCOUNT(so, rx_moved, take);
		f->u.mv.len = take;
		/* the window opens: PRU_RCVD ("if (so->so_proto->pr_flags &
		 * PR_WANTRCVD) pru_rcvd(so)"; tcp_output ignores a closed tcpcb) */
		tcp_usrreq_rcvd(w, so);
		/* the receive buffer shrank by take bytes: adjust the mark (O385) */
		f->u.mv.rcvatmark = (so->state & SS_RCVATMARK) != 0;
		so->state &= ~SS_RCVATMARK;
		f->u.mv.oobmark = so->oobmark;
		so->oobmark = so->oobmark > take ? so->oobmark - take : 0;
		if (f->u.mv.oobmark) {
			if (f->u.mv.oobmark == take)
				so->state |= SS_RCVATMARK;
			if (f->u.mv.oobmark >= take)
				f->u.mv.oobmark = 0;
		}
	}
	emitv(w, EVK_MOVE, "somove", socket_index(w, so), SB_RCV,
	    EV(f->u.mv.len, so->rcv.cc, f->u.mv.loopcnt), "%lld bytes taken off %s.so_rcv for %s (loop count %u)",
	    (long long)f->u.mv.len, sock_name(w, socket_index(w, so)),
	    sock_name(w, socket_index(w, sosp)), f->u.mv.loopcnt);
	return MV_SEND;
}

/* pru_send or pru_sendoob of n stream bytes; the drain's stream now carries
 * them.  A refused send (pru_sendoob's ENOBUFS) freed m: its bytes are lost
 * and the drain's stream does not carry them. */
static int
send_stream(World *w, Frame *f, Socket *so, Socket *sosp, Ref m, int64_t n, bool oob)
{
	int error = tcp_usrreq_send(w, sosp, m, oob);

	if (error)
		return error;
	sim_spliced(w, so, &f->u.mv.rxoff, sosp, (uint64_t)n);
	so->splicelen += n;
	SIM_COUNT_N(w, splice_bytes, n);
	f->u.mv.len -= n;
	return 0;
}

/* The first byte of a chain (m_adj may leave empty mbufs in front); the
 * chain holds the urgent byte, so there is one. */
static uint8_t
first_byte(World *w, Ref m)
{
	for (; !ref_null(m); m = mb(w, m)->next)
		if (mb(w, m)->len > 0)
			return mtod(w, m)[0];
	return 0;
}

/*
 * SO_OOBINLINE: the urgent byte travels inline in the source's stream;
 * somove sends what precedes it with pru_send and a copy of it with
 * pru_sendoob, so the drain's peer sees urgent data too (O385 somove,
 * "Handle oob data"; an mbuf that cannot be had is ignored, "TCP urgent
 * data is not very reliable anyway").  The rest goes out with pru_send.
 */
static int
send_urgent(World *w, Frame *f, Socket *so, Socket *sosp, Ref *mp)
{
	bool rcvatmark = f->u.mv.rcvatmark;
	int64_t oobmark = f->u.mv.oobmark;
	int error;

	while ((rcvatmark || oobmark) && (so->options & SO_OOBINLINE)) {
		Ref o = REF_NULL;

		if (rcvatmark) {
			o = m_get(w, M_DONTWAIT, MT_DATA);
			rcvatmark = false;
		} else {
			Ref pre = m_copym(w, *mp, 0, (uint64_t)oobmark, R_SOMOVE);  /* m_split */

			if (!ref_null(pre)) {
				m_adj(w, *mp, oobmark);
				if ((error = send_stream(w, f, so, sosp, pre, oobmark, false)) != 0)
					return error;
				o = m_get(w, M_DONTWAIT, MT_DATA);
			}
			oobmark = 0;
		}
		if (ref_null(o))
			continue;
		mb(w, o)->len = 1;
		mtod(w, o)[0] = first_byte(w, *mp);
		m_adj(w, *mp, 1);
		if ((error = send_stream(w, f, so, sosp, o, 1, true)) != 0)
			return error;
		if (oobmark && --oobmark == 0)
			rcvatmark = true;
	}
	return 0;
}

static int
mv_send(World *w, Frame *f, Socket *so, Socket *sosp)
{
	bool dgram = (so->pr_flags & PR_ATOMIC) != 0;
	int64_t len = f->u.mv.len;
	Ref m = f->u.mv.m;
	int error;

	f->u.mv.m = REF_NULL;
	if (dgram) {
		error = udp_usrreq_send(w, sosp, m, REF_NULL, -1);
		/* sim: spliced into the drain, then sent or thrown away */
		SIM_ACCOUNT(sosp, tx_moved, len);
		SIM_ACCOUNT_IF(sosp, tx_dropped, len, error != 0);
	} else {
		error = send_urgent(w, f, so, sosp, &m);
		if (error)
			m_freem(w, m);
		else
			error = send_stream(w, f, so, sosp, m, f->u.mv.len, false);
	}
	if (error) {
		if (sosp->state & SS_CANTSENDMORE)
			error = K_EPIPE;
		f->u.mv.error = error;
		return MV_RELEASE;
	}
	if (dgram) {
		so->splicelen += len;
		SIM_COUNT_N(w, splice_bytes, len);
	}
	if (!f->u.mv.maxreached && !ref_null(f->u.mv.nextrecord) && !ref_null(so->rcv.mb))
		return MV_TOP;
	return MV_RELEASE;
}

static void
release(World *w, Frame *f, Socket *so, Socket *sosp)
{
	int error = f->u.mv.error;

	if (!error && f->u.mv.maxreached && so->splicemax == so->splicelen)
		error = K_EFBIG;
	if (error)
		so->error = error;
	/* someone else may have unspliced while the locks were dropped */
	if (!isspliced(so) || !ref_eq(so->ssp_socket, f->u.mv.sosp)) {
		f->u.mv.rv = 0;
		return;
	}
	if (((so->state & SS_CANTRCVMORE) && so->rcv.cc == 0) ||
	    (sosp->state & SS_CANTSENDMORE) || f->u.mv.maxreached || error) {
		emit(w, EVK_NOTE, "somove", socket_index(w, so), -1, so->splicelen, error, 0,
		    "splice of %s ends after %lld bytes%s%s", sock_name(w, socket_index(w, so)),
		    (long long)so->splicelen, error ? ": " : "", error ? errno_name(error) : "");
		sounsplice(w, so, sosp, 0);
		f->u.mv.rv = 0;
		return;
	}
	if (so->idletv)
		idle_arm(w, so);
	f->u.mv.rv = 1;
}

/* One state of the pass; *preempt says whether the kernel may switch after it. */
int
somove_step(World *w, int tid, Frame *f, bool *preempt)
{
	Socket *so = sock_ref(w, f->u.mv.so);
	Socket *sosp = sock_ref(w, f->u.mv.sosp);
	int next = MV_DONE;

	*preempt = false;
	switch (f->pc) {
	case MV_TOP:
		SIM_COST(w, R_SOMOVE, visits, 1);
		next = nextpkt(w, tid, f, so, sosp);
		/* 7.6 somove_dgram: sb_mtx dropped, solock_shared(sosp) for pru_send */
		*preempt = next == MV_SEND && w->prof->splice_sblock && (so->pr_flags & PR_ATOMIC);
		break;
	case MV_SEND:
		next = mv_send(w, f, so, sosp);
		*preempt = w->prof->splice_sblock && (so->pr_flags & PR_ATOMIC);
		break;
	case MV_RELEASE:
	default:
		release(w, f, so, sosp);
		next = MV_DONE;
		break;
	}
	GOTO(next);
	return next;
}

/* Start a pass for so (its drain as it is now) in frame f. */
static void
somove_begin(World *w, Frame *f, Socket *so, int wait)
{
	f->u.mv.so = sock_handle(w, socket_index(w, so));
	f->u.mv.sosp = so->ssp_socket;
	f->u.mv.wait = wait == M_WAIT;
	SIM_COST(w, R_SOMOVE, calls, 1);
	SIM_COUNT(w, somove_calls);
}

int
somove_run(World *w, int tid, Socket *so, int wait)
{
	Frame f;
	bool preempt;

	memset(&f, 0, sizeof f);
	f.mach = MACH_SOMOVE;
	somove_begin(w, &f, so, wait);
	while (f.pc != MV_DONE && w->stop != STOP_VIOLATION && w->stop != STOP_LIMIT)
		somove_step(w, tid, &f, &preempt);
	if (!ref_null(f.u.mv.m))
		m_freem(w, f.u.mv.m);
	return f.u.mv.rv;
}

Frame *
call_somove(World *w, int tid, Socket *so, int wait)
{
	Frame *f = machine_call(w, tid, MACH_SOMOVE);

	somove_begin(w, f, so, wait);
	return f;
}

static int
somove_mstep(World *w, int tid, Thread *t, Frame *f)
{
	bool preempt;
	int rv;

	(void)t;
	if (somove_step(w, tid, f, &preempt) != MV_DONE)
		return preempt ? RUN_PREEMPT : RUN_CONTINUE;
	rv = f->u.mv.rv;
	machine_return(w, tid, rv, 0);
	return RUN_CONTINUE;
}

/* the chain taken off the source's so_rcv and the record after it */
static const uint16_t somove_mrefs[] = {
	offsetof(Frame, u.mv.m),
	offsetof(Frame, u.mv.nextrecord),
};

static const Contexts somove_held[] = {
	[MV_TOP] = CTX3(NA, NA, SOLOCK),         /* so_rcv's sb_mtx and the source's lock */
	[MV_SEND] = CTX4(NA, NA, SOLOCK, PREEMPTIBLE),   /* 7.6 UDP: sb_mtx dropped, solock_shared(sosp)
	                                            around pru_send, shared with protocol input */
	[MV_RELEASE] = CTX3(NA, NA, SOLOCK),
	[MV_DONE] = CTX3(NA, NA, SOLOCK),
};

const MachineDef mach_somove = {
	.name = "somove",
	.states = somove_states, .nstates = MV_DONE + 1,
	.trans = somove_trans, .ntrans = NTRANS(somove_trans),
	.step = somove_mstep,
	.yields = somove_yields, .nyields = NTRANS(somove_yields),
	.mrefs = somove_mrefs, .nmrefs = NTRANS(somove_mrefs),
	.held = somove_held,
};
