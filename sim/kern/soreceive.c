/*
 * soreceive.c: the generic receive path as a state machine.
 *
 * Follows kttcp_soreceive() of NetBSD kttcp.c rev 1.1 (the NetBSD 1.6
 * soreceive) with the two MSG_WAITALL changes of the mid-2002 NetBSD
 * commit (kttcp.c rev 1.4, July 2002) unless the profile or a quirk says
 * otherwise:
 *   waitall-peek-hang  no "MSG_PEEK && sbspace <= 0" break: a peek for more
 *                      than the buffer can hold sleeps forever;
 *   waitall-no-rcvd    no PRU_RCVD before sleeping in the WAITALL loop: the
 *                      peer learns of the open window only from a persist probe.
 * The sb_lastrecord/sb_mbtail repairs of NetBSD 2.0 are done on every
 * profile (the fields are kept everywhere; see sockbuf.c).
 * Preemption points: SB_LOCK, sbwait, and the uiomove of every mbuf
 * (done with the spl dropped, so softnet may append meanwhile).
 */
#include <stddef.h>

#include "machine.h"
#include "kern.h"
#include "simbook.h"
#include "errno_names.h"

enum {
	SR_ENTRY, SR_LOCKING, SR_CHECK, SR_WAITING, SR_DONTBLOCK, SR_LOOP,
	SR_COPY, SR_WAITALL, SR_WAITALL_SLEEP, SR_EXIT, SR_RELEASE, SR_OUT, SR_WAITALL_RCVD,
	SR__N
};
static const char *const soreceive_states[] = {
	"entry", "locking", "check", "waiting", "dontblock", "loop", "copy",
	"waitall", "waitall_sleep", "exit", "release", "out", "waitall_rcvd",
};
static const Transition soreceive_trans[] = {
	{ SR_ENTRY, SR_LOCKING },         /* restart: sblock(&so_rcv) */
	{ SR_ENTRY, SR_OUT },             /* MSG_OOB: PRU_RCVOOB and return */
	{ SR_LOCKING, SR_CHECK },
	{ SR_LOCKING, SR_OUT },           /* sblock failed */
	{ SR_CHECK, SR_DONTBLOCK },       /* data to deliver */
	{ SR_CHECK, SR_RELEASE },         /* error, EOF, ENOTCONN, EWOULDBLOCK, resid 0 */
	{ SR_CHECK, SR_WAITING },         /* sbunlock, sbwait */
	{ SR_WAITING, SR_LOCKING },       /* woken: goto restart */
	{ SR_WAITING, SR_OUT },           /* sbwait error or timeout */
	{ SR_WAITING, SR_CHECK },         /* FreeBSD, woken: restart, after the sblock it kept */
	{ SR_WAITING, SR_RELEASE },       /* FreeBSD, sbwait error: goto release */
	{ SR_DONTBLOCK, SR_LOOP },
	{ SR_LOOP, SR_COPY },             /* uiomove with the spl dropped */
	{ SR_LOOP, SR_EXIT },             /* nothing more to copy */
	{ SR_COPY, SR_LOOP },
	{ SR_COPY, SR_WAITALL },          /* buffer drained, MSG_WAITALL wants more */
	{ SR_COPY, SR_EXIT },             /* oob mark, EOR */
	{ SR_WAITALL, SR_WAITALL_SLEEP }, /* sbwait with SB_LOCK held */
	{ SR_WAITALL, SR_LOOP },          /* more data arrived, or the loop condition failed */
	{ SR_WAITALL, SR_EXIT },          /* error, EOF, or the peek-full fix */
	{ SR_WAITALL, SR_WAITALL_RCVD },  /* quirk waitall-rcvd-window: SOCKBUF_LOCK dropped for pru_rcvd */
	{ SR_WAITALL_RCVD, SR_WAITALL_SLEEP },  /* sb_mb still NULL: sleep (SBS_CANTRCVMORE unseen) */
	{ SR_WAITALL_RCVD, SR_LOOP },     /* data came meanwhile */
	{ SR_WAITALL_SLEEP, SR_WAITALL }, /* woken: m = sb_mb */
	{ SR_WAITALL_SLEEP, SR_OUT },     /* interrupted: short count, no error */
	{ SR_EXIT, SR_LOCKING },          /* nothing consumed: restart */
	{ SR_EXIT, SR_CHECK },            /* FreeBSD: the same, keeping the sblock */
	{ SR_EXIT, SR_RELEASE },
	{ SR_RELEASE, SR_OUT },
};

/*
 * Where the step may end: where NetBSD 1.6/2.0 soreceive runs at spl0.
 * Not between the state check and sbwait (check -> waiting): soreceive
 * calls sbunlock and sbwait at splsoftnet and tsleep drops the spl
 * atomically, so no protocol input can slip in between the check and the
 * sleep (FreeBSD 9.1 holds SOCKBUF_LOCK into msleep; OpenBSD 7.x holds
 * the socket lock into sosleep).
 */
static const Yield soreceive_yields[] = {
	{ SR_LOOP, SR_COPY, AT_SPL0 },             /* uiomove runs with the spl dropped */
	{ SR_WAITALL_SLEEP, SR_OUT, AT_UNLOCK },   /* interrupted: sbunlock, splx */
	/* FreeBSD soreceive_generic: SOCKBUF_UNLOCK; pru_rcvd; SOCKBUF_LOCK
	 * (only with the waitall-rcvd-window quirk: the engine models the
	 * check and the sleep as one step otherwise) */
	{ SR_WAITALL, SR_WAITALL_RCVD, CTX3(NA, PREEMPTIBLE, NA) },
	/* nothing consumed: sbunlock, splx, restart; OpenBSD 7.5's restart
	 * is under the solock it keeps, 7.6 drops its locks and takes
	 * sblock again */
	{ SR_EXIT, SR_LOCKING, CTX4(KERNEL, NA, NA, PREEMPTIBLE) },
	{ SR_EXIT, SR_CHECK, CTX3(NA, PREEMPTIBLE, NA) },  /* FreeBSD: SOCKBUF_UNLOCK, restart */
	{ SR_RELEASE, SR_OUT, AT_UNLOCK },         /* sbunlock, splx, back to the system call */
};

/*
 * The context of each state: NetBSD 1.6/2.0 soreceive runs at splsoftnet
 * from after sblock to the end, but for uiomove; FreeBSD 9.1
 * soreceive_generic holds SOCKBUF_LOCK(&so_rcv) the same stretches;
 * OpenBSD 7.x holds solock.  `copy` starts with the uiomove and ends
 * with the bookkeeping after it, back in AT_SB.
 */
static const Contexts soreceive_held[SR__N] = {
	[SR_ENTRY] = AT_SBLOCK,
	[SR_LOCKING] = AT_SBLOCK,         /* sblock(&so_rcv) */
	[SR_CHECK] = AT_SB,
	[SR_WAITING] = AT_SB,             /* sbunlock, sbwait: the sleep releases it */
	[SR_DONTBLOCK] = AT_SB,
	[SR_LOOP] = AT_SB,
	[SR_COPY] = AT_SPL0,
	[SR_WAITALL] = AT_SB,
	[SR_WAITALL_SLEEP] = AT_SB,       /* sbwait with SB_LOCK held */
	[SR_WAITALL_RCVD] = CTX3(SPLSOFTNET, PREEMPTIBLE, SOLOCK),  /* FreeBSD: sb_mtx dropped */
	[SR_EXIT] = AT_SB,
	[SR_RELEASE] = AT_SB,
	[SR_OUT] = AT_SPL0,
};


Frame *
call_soreceive(World *w, int tid, Ref so, int64_t len, int flags, bool kttcp)
{
	Socket *s = sock_ref(w, so);
	bool dgram = s->proto == PROTO_UDP && w->prof->udp_soreceive_dgram && !kttcp;
	Frame *f = machine_call(w, tid, dgram ? MACH_SORECEIVE_DGRAM : MACH_SORECEIVE);

	f->u.sr.so = so;
	f->u.sr.slen = len;
	f->u.sr.resid = len;
	f->u.sr.orig_resid = len;
	f->u.sr.flags = flags & ~K_MSG_EOR;
	f->u.sr.iflags = flags;
	f->u.sr.kttcp = kttcp;
	return f;
}

static bool
data_type(int type)
{
	return type == MT_DATA || type == MT_HEADER || type == MT_OOBDATA;
}

/*
 * The head soreceive looks at.  OpenBSD (uipc_socket.c 1.3xx, both 7.5
 * and 7.6) pretends a spliced source is empty, so a reader blocks (or gets
 * EWOULDBLOCK) while somove owns the data; only OpenBSD profiles splice,
 * so this is the plain sb_mb everywhere else.
 */
static Ref
rcv_head(const Socket *so)
{
	return isspliced(so) ? REF_NULL : so->rcv.mb;
}

/* The "big if" of soreceive: whether to sbwait for more (NetBSD kttcp.c 1.1
 * kttcp_soreceive, the 1.6 soreceive; OpenBSD uipc_socket.c soreceive). */
static bool
must_block(World *w, Socket *so, Frame *f)
{
	Sockbuf *sb = &so->rcv;
	Ref m = rcv_head(so);
	int flags = f->u.sr.flags;
	int64_t resid = f->u.sr.resid;

	if (ref_null(m))
		return true;
	if (flags & K_MSG_DONTWAIT)
		return false;
	if (!(sb->cc < resid))
		return false;
	if (!(sb->cc < sb->lowat ||
	    (w->prof->waitall_outer_clause && (flags & K_MSG_WAITALL) && resid <= sb->hiwat)))
		return false;
	return ref_null(mb(w, m)->nextpkt) && !(so->pr_flags & PR_ATOMIC);
}

/* After the head mbuf of the first record was consumed: link the rest. */
static void
fix_head(World *w, Sockbuf *sb, Ref m, Ref nextrecord)
{
	if (!ref_null(m)) {
		mb(w, m)->nextpkt = nextrecord;
		if (ref_null(nextrecord))
			sb->lastrecord = m;
	} else {
		sb->mb = nextrecord;
		if (ref_null(sb->mb)) {
			sb->mbtail = REF_NULL;
			sb->lastrecord = REF_NULL;
		}
	}
}

/* "if (pr->pr_flags & PR_WANTRCVD && so->so_pcb)": TCP's, while its pcb lives */
static void
pru_rcvd(World *w, Socket *so)
{
	if ((so->pr_flags & PR_WANTRCVD) && so->tp.t_state != TCPS_CLOSED)
		tcp_usrreq_rcvd(w, so);
}

/* The blocking branch: returns the next state, or -1 to sleep. */
static int
check_blocked(World *w, int tid, Socket *so, Frame *f)
{
	Sockbuf *sb = &so->rcv;
	Ref m = rcv_head(so);

	if (ref_null(m) && sb->cc != 0 && !isspliced(so))
		world_violation(w, V_SBCHECK, "receive 1: sb_mb NULL but sb_cc %lld", (long long)sb->cc);
	if (so->error) {
		if (!ref_null(m))
			return SR_DONTBLOCK;
		f->u.sr.error = so->error;
		if (!(f->u.sr.flags & K_MSG_PEEK))
			so->error = 0;
		return SR_RELEASE;
	}
	if (so->state & SS_CANTRCVMORE) {
		if (!ref_null(m))
			return SR_DONTBLOCK;
		/* OpenBSD: a spliced source with data still queued sleeps */
		if (sb->cc == 0 || !isspliced(so))
			return SR_RELEASE;
	}
	for (Ref n = m; !ref_null(n); n = mb(w, n)->next) {
		Mbuf *x = mb(w, n);

		if (x->type == MT_OOBDATA || (x->flags & M_EOR))
			return SR_DONTBLOCK;
	}
	if (!(so->state & (SS_ISCONNECTED | SS_ISCONNECTING)) && (so->pr_flags & PR_CONNREQUIRED)) {
		f->u.sr.error = K_ENOTCONN;
		return SR_RELEASE;
	}
	if (f->u.sr.resid == 0)
		return SR_RELEASE;
	if ((so->state & SS_NBIO) || (f->u.sr.flags & K_MSG_DONTWAIT)) {
		f->u.sr.error = K_EWOULDBLOCK;
		return SR_RELEASE;
	}
	if (!w->prof->sblock_kept_in_sbwait)
		sbunlock(w, tid, so, SB_RCV);
	return -1;
}

/* dontblock: take off the address and control mbufs of the first record. */
static void
dontblock(World *w, Socket *so, Frame *f)
{
	Sockbuf *sb = &so->rcv;
	bool peek = (f->u.sr.flags & K_MSG_PEEK) != 0;
	Ref m = sb->mb;
	bool removed = false;

	f->u.sr.nextrecord = mb(w, m)->nextpkt;
	if (so->pr_flags & PR_ADDR) {
		Mbuf *x = mb(w, m);
		uint8_t *p;

		if (x->type != MT_SONAME) {
			world_violation(w, V_SBCHECK, "receive 1a: record does not start with MT_SONAME");
			return;
		}
		p = mtod(w, m);
		f->u.sr.from_port = (uint16_t)(p[2] << 8 | p[3]);
		f->u.sr.from_ip = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
		    (uint32_t)p[6] << 8 | p[7];
		f->u.sr.orig_resid = 0;
		if (peek)
			m = x->next;
		else {
			sbfree(w, sb, m);
			m = m_free(w, m);
			sb->mb = m;
			removed = true;
		}
	}
	while (!ref_null(m) && mb(w, m)->type == MT_CONTROL) {
		f->u.sr.orig_resid = 0;
		if (peek)
			m = mb(w, m)->next;
		else {
			sbfree(w, sb, m);
			m = m_free(w, m);
			sb->mb = m;
			removed = true;
		}
	}
	if (removed)
		fix_head(w, sb, m, f->u.sr.nextrecord);
	if (!ref_null(m)) {
		f->u.sr.type = mb(w, m)->type;
		if (f->u.sr.type == MT_OOBDATA)
			f->u.sr.flags |= K_MSG_OOB;
	}
	f->u.sr.m = m;
	f->u.sr.moff = 0;
	sim_read_begin(f, so);
	f->u.sr.len = 0;
}

/* One pass of the data loop up to the copy: false when the loop ends.
 * (The kernel's loop also stops on an error: uiomove's EFAULT.  The
 * simulator's copies cannot fail, and no error is set in the loop.) */
static bool
loop_head(World *w, Socket *so, Frame *f)
{
	Ref m = f->u.sr.m;
	Mbuf *x;
	int64_t len;

	if (ref_null(m) || f->u.sr.resid <= 0)
		return false;
	x = mb(w, m);
	if (x->type == MT_OOBDATA) {
		if (f->u.sr.type != MT_OOBDATA)
			return false;
	} else if (f->u.sr.type == MT_OOBDATA)
		return false;
	else if (!data_type(x->type)) {
		world_violation(w, V_SBCHECK, "receive 3: mbuf of type %d in the data part", x->type);
		return false;
	}
	so->state &= ~(uint32_t)SS_RCVATMARK;
	len = f->u.sr.resid;
	if (so->oobmark && len > so->oobmark - f->u.sr.moff_mark)
		len = so->oobmark - f->u.sr.moff_mark;
	if (len > (int64_t)x->len - f->u.sr.moff)
		len = (int64_t)x->len - f->u.sr.moff;
	f->u.sr.len = len;
	return true;
}

static int copy_consume(World *w, Socket *so, Frame *f, Mbuf *x, int64_t len, bool peek);

/* sim: why the copy loop ends here, in the trace */
static void
loop_exit(World *w, Socket *so, const char *why)
{
	emit(w, EVK_NOTE, "soreceive", socket_index(w, so), SB_RCV, 0, 0, 0, "the loop ends: %s", why);
}

/* ...and why loop_head said no */
static const char *
loop_head_why(const Frame *f)
{
	if (f->u.sr.resid <= 0)
		return "the request is satisfied";
	if (ref_null(f->u.sr.m))
		return ref_null(f->u.sr.nextrecord) ? "nothing more in so_rcv" : "the end of the record";
	return "out-of-band data ahead";
}

/* The copy and the consumption of one mbuf; returns the next state. */
static int
copy_one(World *w, Socket *so, Frame *f)
{
	Sockbuf *sb = &so->rcv;
	bool peek = (f->u.sr.flags & K_MSG_PEEK) != 0;
	Ref m = f->u.sr.m;
	Mbuf *x = mb(w, m);
	int64_t len = f->u.sr.len;
	int64_t cc_before = sb->cc, mbcnt_before = sb->mbcnt;   /* sim: for the trace */
	int next;

	sim_payload_verify(w, so, f, x, mtod(w, m) + f->u.sr.moff, len);     /* uiomove */
	SIM_COST_UIOMOVE(w, R_SORECEIVE, f->u.sr.kttcp, len);
	emitv(w, EVK_COPYOUT, "uiomove", socket_index(w, so), SB_RCV,
	    EV(len, f->u.sr.offset, peek), "%lld bytes copied out to the program%s",
	    (long long)len, peek ? " (MSG_PEEK: they stay in so_rcv)" : "");
	next = copy_consume(w, so, f, x, len, peek);
	if (!peek && (sb->cc != cc_before || sb->mbcnt != mbcnt_before))
		emitv(w, EVK_SOCKBUF, "soreceive", socket_index(w, so), SB_RCV,
		    EV(cc_before - sb->cc, cc_before, sb->cc, mbcnt_before, sb->mbcnt),
		    "%s.so_rcv - %lld bytes read: cc %lld -> %lld, mbcnt %lld -> %lld",
		    sock_name(w, socket_index(w, so)), (long long)(cc_before - sb->cc),
		    (long long)cc_before, (long long)sb->cc, (long long)mbcnt_before,
		    (long long)sb->mbcnt);
	return next;
}

/* The consumption of the bytes just copied, as soreceive does it: a
 * whole mbuf freed (sbfree, MFREE), a partial one trimmed in place. */
static int
copy_consume(World *w, Socket *so, Frame *f, Mbuf *x, int64_t len, bool peek)
{
	Sockbuf *sb = &so->rcv;
	Ref m = f->u.sr.m;

	f->u.sr.resid -= len;
	if (len == (int64_t)x->len - f->u.sr.moff) {
		if (x->flags & M_EOR)
			f->u.sr.flags |= K_MSG_EOR;
		if (peek) {
			f->u.sr.m = x->next;
			f->u.sr.moff = 0;
		} else {
			f->u.sr.nextrecord = x->nextpkt;
			sbfree(w, sb, m);
			m = m_free(w, m);
			sb->mb = m;
			f->u.sr.m = m;
			fix_head(w, sb, m, f->u.sr.nextrecord);
		}
	} else if (peek)
		f->u.sr.moff += len;
	else {
		x->off += (uint32_t)len;
		x->len -= (uint32_t)len;
		sb->cc -= len;
		sb->datacc -= len;      /* the loop copies data mbufs only */
	}
	SIM_ACCOUNT_IF(so, rx_app, len, !peek);
	if (so->oobmark) {
		if (!peek) {
			so->oobmark -= len;
			if (so->oobmark == 0) {
				so->state |= SS_RCVATMARK;
				loop_exit(w, so, "at the out-of-band mark (SS_RCVATMARK)");
				return SR_EXIT;
			}
		} else {
			f->u.sr.moff_mark += len;
			if (f->u.sr.moff_mark == so->oobmark) {
				loop_exit(w, so, "a peek stops at the out-of-band mark");
				return SR_EXIT;
			}
		}
	}
	if (f->u.sr.flags & K_MSG_EOR) {
		loop_exit(w, so, "the end of a record (M_EOR)");
		return SR_EXIT;
	}
	if ((f->u.sr.flags & K_MSG_WAITALL) && ref_null(f->u.sr.m) && f->u.sr.resid > 0 &&
	    !(so->pr_flags & PR_ATOMIC) && ref_null(f->u.sr.nextrecord))
		return SR_WAITALL;
	return SR_LOOP;
}

static int
soreceive_step(World *w, int tid, Thread *t, Frame *f)
{
	Socket *so = sock_ref(w, f->u.sr.so);
	Sockbuf *sb = &so->rcv;

	switch (f->pc) {
	case SR_ENTRY:
		SIM_COST(w, R_SORECEIVE, calls, 1);
		if (f->u.sr.flags & K_MSG_OOB) {
			uint8_t byte;
			int err = so->proto == PROTO_TCP ?
			    tcp_usrreq_rcvoob(w, so, (f->u.sr.flags & K_MSG_PEEK) != 0, &byte) :
			    K_EOPNOTSUPP;

			if (!err && f->u.sr.resid > 0)
				f->u.sr.resid -= 1;
			f->u.sr.error = err;
			GOTO(SR_OUT);
			return RUN_CONTINUE;
		}
		GOTO(SR_LOCKING);
		call_sblock(w, tid, f->u.sr.so, SB_RCV, SBLOCKWAIT(f->u.sr.flags));
		return RUN_CONTINUE;

	case SR_LOCKING:
		if (t->err) {
			f->u.sr.error = t->err;
			GOTO(SR_OUT);
			return RUN_CONTINUE;
		}
		GOTO(SR_CHECK);
		return RUN_CONTINUE;

	case SR_CHECK: {
		int next;

		if (!must_block(w, so, f)) {
			GOTO(SR_DONTBLOCK);
			return RUN_CONTINUE;
		}
		next = check_blocked(w, tid, so, f);
		if (next >= 0) {
			GOTO(next);
			return RUN_CONTINUE;
		}
		GOTO(SR_WAITING);
		call_sbwait(w, tid, f->u.sr.so, SB_RCV);
		return RUN_CONTINUE;    /* sbunlock and sbwait at splsoftnet: one step */
	}

	case SR_WAITING:
		/* FreeBSD 9.1 kept its sblock (sx) across the sleep: `restart:`
		 * is after it, and an error goes to `release:` */
		if (t->err) {
			f->u.sr.error = t->err;
			GOTO(w->prof->sblock_kept_in_sbwait ? SR_RELEASE : SR_OUT);
			return RUN_CONTINUE;
		}
		if (w->prof->sblock_kept_in_sbwait) {
			GOTO(SR_CHECK);
			return RUN_CONTINUE;
		}
		GOTO(SR_LOCKING);
		call_sblock(w, tid, f->u.sr.so, SB_RCV, SBLOCKWAIT(f->u.sr.flags));
		return RUN_CONTINUE;

	case SR_DONTBLOCK:
		dontblock(w, so, f);
		f->u.sr.moff_mark = 0;
		GOTO(SR_LOOP);
		return RUN_CONTINUE;

	case SR_LOOP:
		if (!loop_head(w, so, f)) {
			loop_exit(w, so, loop_head_why(f));
			GOTO(SR_EXIT);
			return RUN_CONTINUE;
		}
		GOTO(SR_COPY);
		return RUN_PREEMPT;     /* uiomove runs with the spl dropped */

	case SR_COPY:
		GOTO(copy_one(w, so, f));
		return RUN_CONTINUE;

	case SR_WAITALL:
		/* while (MSG_WAITALL && m == NULL && resid > 0 && !atomic && !nextrecord):
		 * all held when the copy came here; a wakeup changes only m */
		if (!ref_null(f->u.sr.m)) {
			GOTO(SR_LOOP);
			return RUN_CONTINUE;
		}
		if (so->error || (so->state & SS_CANTRCVMORE)) {
			loop_exit(w, so, so->error ? "so_error is set" : "end of file: the peer sent FIN");
			GOTO(SR_EXIT);
			return RUN_CONTINUE;
		}
		/* kttcp.c 1.4 fix (1): a peek cannot see more than the buffer holds */
		if (!quirk_on(w, QUIRK_WAITALL_PEEK_HANG) && (f->u.sr.flags & K_MSG_PEEK) &&
		    sbspace(sb) <= 0) {
			loop_exit(w, so, "MSG_PEEK|MSG_WAITALL and so_rcv is full: a peek cannot wait for more");
			GOTO(SR_EXIT);
			return RUN_CONTINUE;
		}
		/* kttcp.c 1.4 fix (2): tell the protocol we drained the buffer */
		if (!quirk_on(w, QUIRK_WAITALL_NO_RCVD)) {
			pru_rcvd(w, so);
			/* FreeBSD (PR 212716): pru_rcvd runs with SOCKBUF_LOCK
			 * dropped, so protocol input may come in between */
			if (quirk_on(w, QUIRK_WAITALL_RCVD_WINDOW)) {
				GOTO(SR_WAITALL_RCVD);
				return RUN_PREEMPT;
			}
		}
		/* FALLTHROUGH */
	case SR_WAITALL_RCVD:
		/* "We could receive some data while was notifying the protocol.
		 * Skip blocking in this case." (FreeBSD 9.1): only sb_mb is
		 * looked at, not SBS_CANTRCVMORE */
		if (w->prof->waitall_sleep_only_if_empty && !ref_null(sb->mb)) {
			f->u.sr.m = sb->mb;
			f->u.sr.nextrecord = mb(w, sb->mb)->nextpkt;
			sim_read_restart(f, so);
			f->u.sr.moff = 0;
			GOTO(SR_LOOP);
			return RUN_CONTINUE;
		}
		GOTO(SR_WAITALL_SLEEP);
		call_sbwait(w, tid, f->u.sr.so, SB_RCV);
		return RUN_CONTINUE;

	case SR_WAITALL_SLEEP:
		if (t->err) {
			/* "If a signal/timeout occurs, return with a short count but without error." */
			sbunlock(w, tid, so, SB_RCV);
			f->u.sr.error = 0;
			GOTO(SR_OUT);
			return RUN_PREEMPT;
		}
		f->u.sr.m = sb->mb;
		f->u.sr.nextrecord = ref_null(sb->mb) ? REF_NULL : mb(w, sb->mb)->nextpkt;
		/* after a wakeup m = sb_mb: a peek starts again at the front */
		sim_read_restart(f, so);
		f->u.sr.moff = 0;
		/* the kernel's peek `offset` is not reset: it keeps counting */
		GOTO(SR_WAITALL);
		return RUN_CONTINUE;

	case SR_EXIT: {
		bool peek = (f->u.sr.flags & K_MSG_PEEK) != 0;

		if (!ref_null(f->u.sr.m) && (so->pr_flags & PR_ATOMIC)) {
			f->u.sr.flags |= K_MSG_TRUNC;
			if (!peek) {
				int64_t sim_held = sb_datacc(w, sb);

				sbdroprecord(w, so, sb);
				SIM_ACCOUNT(so, rx_dropped, sim_held - sb_datacc(w, sb));
				f->u.sr.m = REF_NULL;
			}
		}
		if (!peek) {
			/* if (m == 0) sb_mb = nextrecord, with the tail repairs */
			if (ref_null(f->u.sr.m) && ref_null(sb->mb))
				fix_head(w, sb, REF_NULL, f->u.sr.nextrecord);
			pru_rcvd(w, so);
		}
		if (f->u.sr.orig_resid == f->u.sr.resid && f->u.sr.orig_resid &&
		    !(f->u.sr.flags & K_MSG_EOR) && !(so->state & SS_CANTRCVMORE)) {
			if (w->prof->sblock_kept_in_sbwait) {
				GOTO(SR_CHECK);
				return RUN_PREEMPT;
			}
			sbunlock(w, tid, so, SB_RCV);
			GOTO(SR_LOCKING);
			call_sblock(w, tid, f->u.sr.so, SB_RCV, SBLOCKWAIT(f->u.sr.flags));
			return RUN_PREEMPT;
		}
		f->u.sr.report = true;  /* if (flagsp) *flagsp |= flags */
		GOTO(SR_RELEASE);
		return RUN_CONTINUE;
	}

	case SR_RELEASE:
		sbunlock(w, tid, so, SB_RCV);
		GOTO(SR_OUT);
		return RUN_PREEMPT;

	case SR_OUT: {
		int64_t done = f->u.sr.slen - f->u.sr.resid;

		t->rx_ip = f->u.sr.from_ip;
		t->rx_port = f->u.sr.from_port;
		/* a peek leaves the bytes in the buffer: seen, not delivered */
		if (f->u.sr.iflags & K_MSG_PEEK)
			SIM_ACCOUNT(so, peeked, done);
		else
			SIM_ACCOUNT(so, delivered, done);
		machine_return(w, tid, done, f->u.sr.error);
		/* msg_flags starts as the caller's flags (sys_recvfrom); only the
		 * normal exit ORs in what soreceive found (kttcp.c 1.1: the
		 * error paths and the interrupted MSG_WAITALL return skip
		 * *flagsp) */
		t->oflags = (f->u.sr.iflags | (f->u.sr.report ? f->u.sr.flags : 0)) &
		    (K_MSG_EOR | K_MSG_TRUNC | K_MSG_OOB);
		return RUN_CONTINUE;
	}
	}
	return RUN_CONTINUE;
}

/* the mbuf being read and the record after it, in so_rcv */
static const uint16_t soreceive_mrefs[] = {
	offsetof(Frame, u.sr.m),
	offsetof(Frame, u.sr.nextrecord),
	offsetof(Frame, u.sr.rec),
};

const MachineDef mach_soreceive = {
	.name = "soreceive",
	.states = soreceive_states, .nstates = SR__N,
	.trans = soreceive_trans, .ntrans = NTRANS(soreceive_trans),
	.step = soreceive_step,
	.yields = soreceive_yields, .nyields = NTRANS(soreceive_yields),
	.held = soreceive_held,
	.mrefs = soreceive_mrefs, .nmrefs = NTRANS(soreceive_mrefs),
};
