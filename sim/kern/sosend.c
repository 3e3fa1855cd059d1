/*
 * sosend.c: the generic send path as a state machine.
 *
 * Follows NetBSD 1.6 sosend() as copied into NetBSD kttcp.c rev 1.1:
 * atomic protocols build the whole record before PRU_SEND; stream sends
 * hand the protocol one mbuf (at most one cluster) per PRU_SEND call, and
 * wait only while free space is below SO_SNDLOWAT.  Space is charged with
 * `len`, not MCLBYTES (NetBSD; 4.4BSD-Lite2 charged MCLBYTES).
 * Preemption points: SB_LOCK taken or released, sbwait, and the splx()
 * after every PRU_SEND, where softnet may run.
 */
#include <stddef.h>

#include "machine.h"
#include "kern.h"
#include "simbook.h"
#include "errno_names.h"

enum {
	SS_ENTRY, SS_LOCKING, SS_CHECK, SS_WAITING, SS_BUILD, SS_SEND,
	SS_RELEASE, SS_OUT, SS__N
};
static const char *const sosend_states[] = {
	"entry", "locking", "check", "waiting", "build", "send", "release", "out",
};
static const Transition sosend_trans[] = {
	{ SS_ENTRY, SS_LOCKING },       /* restart: sblock(&so_snd) */
	{ SS_ENTRY, SS_OUT },           /* resid < 0: EINVAL */
	{ SS_ENTRY, SS_CHECK },         /* FreeBSD sosend_dgram: no sblock */
	{ SS_LOCKING, SS_CHECK },       /* locked */
	{ SS_LOCKING, SS_OUT },         /* sblock failed (EWOULDBLOCK, EINTR) */
	{ SS_CHECK, SS_RELEASE },       /* EPIPE, so_error, ENOTCONN, EMSGSIZE, EWOULDBLOCK */
	{ SS_CHECK, SS_WAITING },       /* not enough space: sbunlock, sbwait */
	{ SS_CHECK, SS_BUILD },         /* space: build mbufs */
	{ SS_WAITING, SS_LOCKING },     /* woken: goto restart */
	{ SS_WAITING, SS_OUT },         /* sbwait error or timeout */
	{ SS_WAITING, SS_CHECK },       /* FreeBSD, woken: restart, after the sblock it kept */
	{ SS_WAITING, SS_RELEASE },     /* FreeBSD, sbwait error: goto release */
	{ SS_BUILD, SS_SEND },          /* chain ready: PRU_SEND */
	{ SS_SEND, SS_BUILD },          /* resid && space > 0 */
	{ SS_SEND, SS_CHECK },          /* resid, but space used up */
	{ SS_SEND, SS_RELEASE },        /* done, or PRU_SEND failed */
	{ SS_RELEASE, SS_OUT },         /* sbunlock */
};

/*
 * The context of each state: NetBSD 1.6/2.0 sosend checks space and calls
 * PRU_SEND at splsoftnet and builds the chain at spl0; FreeBSD 9.1
 * sosend_generic checks under SOCKBUF_LOCK(&so_snd), copies with no lock
 * and calls pru_send, which takes the pcb's INP_WLOCK; OpenBSD 7.x checks
 * and sends under solock and drops it around the copy (m_getuio).
 */
static const Contexts sosend_held[SS__N] = {
	[SS_ENTRY] = AT_SBLOCK,
	[SS_LOCKING] = AT_SBLOCK,       /* sblock(&so_snd) */
	[SS_CHECK] = AT_SB,
	[SS_WAITING] = AT_SB,           /* sbwait: tsleep, msleep, sosleep release it */
	[SS_BUILD] = AT_SPL0,           /* may sleep for an mbuf (M_WAIT) */
	[SS_SEND] = CTX3(SPLSOFTNET, INP_WLOCK, SOLOCK),
	[SS_RELEASE] = AT_SB,
	[SS_OUT] = AT_SPL0,
};

/* Where the step may end: where the lock of the state before is dropped. */
static const Yield sosend_yields[] = {
	{ SS_CHECK, SS_BUILD, AT_SPL0 },        /* splx(s) / SOCKBUF_UNLOCK / sounlock: the chain
	                                           is built at low priority */
	{ SS_SEND, SS_BUILD, AT_SPL0 },         /* splx(s) after PRU_SEND: softnet may run;
	                                           OpenBSD: sounlock before m_getuio */
	{ SS_SEND, SS_CHECK, AT_UNLOCK },       /* OpenBSD: back to the space check under solock */
	{ SS_SEND, SS_RELEASE, AT_UNLOCK },
	{ SS_RELEASE, SS_OUT, AT_UNLOCK },      /* sbunlock, then back to the system call */
};

Frame *
call_sosend(World *w, int tid, Ref so, int64_t len, int flags, int dest, int ctl_len, bool kttcp)
{
	Frame *f = machine_call(w, tid, MACH_SOSEND);

	f->u.ss.so = so;
	f->u.ss.slen = len;
	f->u.ss.resid = len;
	f->u.ss.flags = flags;
	f->u.ss.dest = dest;
	f->u.ss.clen = ctl_len;
	f->u.ss.kttcp = kttcp;
	return f;
}

/* One mbuf of the chain: MGETHDR/MGET, a cluster when worth it, uiomove. */
static bool
build_one(World *w, Frame *f, Socket *so, int sockidx)
{
	const Profile *p = w->prof;
	Ref m;
	int64_t mlen, len;
	bool first = ref_null(f->u.ss.top);

	m = first ? m_gethdr(w, M_WAIT, MT_DATA) : m_get(w, M_WAIT, MT_DATA);
	if (ref_null(m))
		return false;
	SIM_COST(w, R_SOSEND, allocs, 1);
	mlen = first ? p->mhlen : p->mlen;
	if (f->u.ss.resid >= p->minclsize && f->u.ss.space >= p->mclbytes && m_clget(w, m)) {
		mlen = p->mclbytes;
		if (f->u.ss.atomic && first) {
			len = p->mclbytes - p->max_hdr;
			mb(w, m)->off += (uint32_t)p->max_hdr;
		} else
			len = p->mclbytes;
		if (len > f->u.ss.resid)
			len = f->u.ss.resid;
	} else {
		len = mlen < f->u.ss.resid ? mlen : f->u.ss.resid;
		if (len > f->u.ss.space)
			len = f->u.ss.space;
		if (len < 0)
			len = 0;
		/* MH_ALIGN: leave room for protocol headers in front. */
		if (f->u.ss.atomic && first && len < mlen)
			mb(w, m)->off += (uint32_t)((mlen - len) & ~(int64_t)(sizeof(long) - 1));
	}
	f->u.ss.space -= len;
	f->u.ss.resid -= len;
	sim_payload_fill(w, so, sockidx, f->u.ss.top, m, (uint64_t)len);     /* uiomove */
	SIM_COST_UIOMOVE(w, R_SOSEND, f->u.ss.kttcp, len);
	mb(w, m)->len = (uint32_t)len;
	if (first) {
		f->u.ss.top = m;
	} else
		mb(w, f->u.ss.tail)->next = m;
	f->u.ss.tail = m;
	mb(w, f->u.ss.top)->pkt_len += (uint32_t)len;
	if (f->u.ss.resid <= 0 && (f->u.ss.flags & K_MSG_EOR))
		mb(w, f->u.ss.top)->flags |= M_EOR;
	return true;
}

/* FreeBSD 9.1 sends datagrams through sosend_dgram, which takes no
 * sblock: "we don't need to use a sleep lock to prevent I/O
 * interlacing" (uipc_socket.c); only SOCKBUF_LOCK around the checks. */
static bool
dgram_unlocked(const World *w, const Socket *so)
{
	return w->prof->udp_sosend_dgram && so->proto == PROTO_UDP;
}

static int
sosend_step(World *w, int tid, Thread *t, Frame *f)
{
	Socket *so = sock_ref(w, f->u.ss.so);
	int sockidx = socket_index(w, so);
	Sockbuf *sb = &so->snd;

	switch (f->pc) {
	case SS_ENTRY:
		SIM_COST(w, R_SOSEND, calls, 1);
		f->u.ss.atomic = (so->pr_flags & PR_ATOMIC) != 0;
		/* "MSG_EOR on a SOCK_STREAM socket is also invalid": OpenBSD
		 * uipc_socket.c 1.337 sosend, FreeBSD 9.1 sosend_generic; both
		 * before sblock.  NetBSD's sosend has no such check. */
		if (f->u.ss.resid < 0 || (w->prof->sosend_eor_stream_einval && so->proto == PROTO_TCP &&
		    (f->u.ss.flags & K_MSG_EOR))) {
			f->u.ss.error = K_EINVAL;
			GOTO(SS_OUT);
			return RUN_CONTINUE;
		}
		if (dgram_unlocked(w, so)) {
			GOTO(SS_CHECK);
			return RUN_CONTINUE;
		}
		GOTO(SS_LOCKING);
		call_sblock(w, tid, f->u.ss.so, SB_SND, SBLOCKWAIT(f->u.ss.flags));
		return RUN_CONTINUE;

	case SS_LOCKING:
		if (t->err) {
			f->u.ss.error = t->err;
			GOTO(SS_OUT);
			return RUN_CONTINUE;
		}
		GOTO(SS_CHECK);
		return RUN_CONTINUE;

	case SS_CHECK: {
		int64_t space, need;

		if (so->state & SS_CANTSENDMORE) {
			f->u.ss.error = K_EPIPE;
			GOTO(SS_RELEASE);
			return RUN_CONTINUE;
		}
		if (so->error) {
			f->u.ss.error = so->error;
			if (w->prof->so_error_cleared_by_send)
				so->error = 0;
			GOTO(SS_RELEASE);
			return RUN_CONTINUE;
		}
		if (!(so->state & SS_ISCONNECTED)) {
			if (so->pr_flags & PR_CONNREQUIRED) {
				if (!(so->state & SS_ISCONFIRMING)) {
					f->u.ss.error = K_ENOTCONN;
					GOTO(SS_RELEASE);
					return RUN_CONTINUE;
				}
			} else if (f->u.ss.dest < 0) {
				f->u.ss.error = K_EDESTADDRREQ;
				GOTO(SS_RELEASE);
				return RUN_CONTINUE;
			}
		}
		space = sbspace(sb);
		if (f->u.ss.flags & K_MSG_OOB)
			space += 1024;
		if (f->u.ss.atomic && f->u.ss.resid > sb->hiwat) {
			f->u.ss.error = K_EMSGSIZE;
			GOTO(SS_RELEASE);
			return RUN_CONTINUE;
		}
		/* FreeBSD sosend_dgram: a datagram that does not fit now is refused */
		if (f->u.ss.atomic && so->proto == PROTO_UDP && w->prof->udp_sosend_dgram &&
		    f->u.ss.resid > space) {
			f->u.ss.error = K_EMSGSIZE;
			GOTO(SS_RELEASE);
			return RUN_CONTINUE;
		}
		need = f->u.ss.resid;
		if (space < need && (f->u.ss.atomic || space < sb->lowat)) {
			if ((so->state & SS_NBIO) ||
			    (w->prof->sosend_dontwait && (f->u.ss.flags & K_MSG_DONTWAIT))) {
				f->u.ss.error = K_EWOULDBLOCK;
				GOTO(SS_RELEASE);
				return RUN_CONTINUE;
			}
			emit(w, EVK_NOTE, "sosend", sockidx, SB_SND, 0, 0, 0,
			    "so_snd is full: space %lld for %lld bytes%s; wait", (long long)space,
			    (long long)need, f->u.ss.atomic ? " (a datagram goes whole)" : "");
			if (!w->prof->sblock_kept_in_sbwait)
				sbunlock(w, tid, so, SB_SND);
			GOTO(SS_WAITING);
			call_sbwait(w, tid, f->u.ss.so, SB_SND);
			return RUN_CONTINUE;
		}
		f->u.ss.space = space;
		GOTO(SS_BUILD);
		return RUN_PREEMPT;     /* splx(s): the chain is built at low spl */
	}

	case SS_WAITING:
		/* FreeBSD 9.1 kept its sblock (sx) across the sleep */
		if (t->err) {
			f->u.ss.error = t->err;
			GOTO(w->prof->sblock_kept_in_sbwait ? SS_RELEASE : SS_OUT);
			return RUN_CONTINUE;
		}
		if (w->prof->sblock_kept_in_sbwait) {
			GOTO(SS_CHECK);
			return RUN_CONTINUE;
		}
		GOTO(SS_LOCKING);
		call_sblock(w, tid, f->u.ss.so, SB_SND, SBLOCKWAIT(f->u.ss.flags));
		return RUN_CONTINUE;

	case SS_BUILD:
		t->wchan = 0;
		do {
			if (!build_one(w, f, so, sockidx)) {
				/* MGET(M_WAIT) sleeps until an mbuf is freed */
				SIM_COUNT(w, mbuf_waits);
				fp_flag(w, FP_POOL);
				w->mbuf_wanted = true;
				/* MGET(M_WAIT) sleeps without PCATCH */
				tsleep(w, tid, CHAN(CH_MBUF, 0, 0), "mbuf", false, 0);
				return RUN_SLEEP;
			}
		} while (f->u.ss.space > 0 && f->u.ss.atomic && f->u.ss.resid > 0);
		GOTO(SS_SEND);
		return RUN_CONTINUE;

	case SS_SEND: {
		int error;
		Ref top = f->u.ss.top;
		uint64_t sim_len = sim_pkt_len(w, top);

		if (so->state & SS_CANTSENDMORE) {
			f->u.ss.error = K_EPIPE;
			GOTO(SS_RELEASE);
			return RUN_CONTINUE;
		}
		if (f->u.ss.resid > 0)
			so->state |= SS_MORETOCOME;
		f->u.ss.top = f->u.ss.tail = REF_NULL;
		if (so->proto == PROTO_TCP)
			error = tcp_usrreq_send(w, so, top, (f->u.ss.flags & K_MSG_OOB) != 0);
		else if (f->u.ss.flags & K_MSG_OOB) {
			m_freem(w, top);    /* udp_usrreq PRU_SENDOOB */
			error = K_EOPNOTSUPP;
		} else
			error = udp_usrreq_send(w, so, top, REF_NULL, f->u.ss.dest);
		sim_account_sent(w, so, sim_len, error);
		if (f->u.ss.resid > 0)
			so->state &= ~(uint32_t)SS_MORETOCOME;
		if (error) {
			f->u.ss.error = error;
			GOTO(SS_RELEASE);
			return RUN_PREEMPT;
		}
		if (f->u.ss.resid > 0 && f->u.ss.space > 0)
			GOTO(SS_BUILD);
		else if (f->u.ss.resid > 0)
			GOTO(SS_CHECK);
		else
			GOTO(SS_RELEASE);
		return RUN_PREEMPT;     /* splx(s): softnet may run */
	}

	case SS_RELEASE:
		if (!dgram_unlocked(w, so))
			sbunlock(w, tid, so, SB_SND);
		GOTO(SS_OUT);
		return RUN_PREEMPT;

	case SS_OUT:
		if (!ref_null(f->u.ss.top)) {
			m_freem(w, f->u.ss.top);
			f->u.ss.top = REF_NULL;
		}
		machine_return(w, tid, f->u.ss.slen - f->u.ss.resid, f->u.ss.error);
		return RUN_CONTINUE;
	}
	return RUN_CONTINUE;
}

/* the chain being built (top) and its last mbuf (tail) */
static const uint16_t sosend_mrefs[] = {
	offsetof(Frame, u.ss.top),
	offsetof(Frame, u.ss.tail),
};

const MachineDef mach_sosend = {
	.name = "sosend",
	.states = sosend_states, .nstates = SS__N,
	.trans = sosend_trans, .ntrans = NTRANS(sosend_trans),
	.step = sosend_step,
	.yields = sosend_yields, .nyields = NTRANS(sosend_yields),
	.held = sosend_held,
	.mrefs = sosend_mrefs, .nmrefs = NTRANS(sosend_mrefs),
};
