/*
 * soreceive_dgram.c: FreeBSD 9.1's datagram fast path (soreceive_dgram()
 * in sys/kern/uipc_socket.c of release 9.1.0).
 *
 * No sblock: datagrams are taken whole, so there is nothing to interleave.
 * The wait loop runs under the sockbuf mutex (atomic here); the whole first
 * record comes off the buffer before anything is copied, so the copy (with
 * the mutex dropped: a preemption point) cannot race another reader.
 * MSG_PEEK and MSG_OOB (and, where the profile says so, MSG_TRUNC) fall
 * back to soreceive_generic.
 */
#include <stddef.h>

#include "machine.h"
#include "kern.h"
#include "simbook.h"
#include "errno_names.h"

enum { SD_ENTRY, SD_WAITLOOP, SD_SLEEPING, SD_TAKE, SD_COPY, SD_OUT, SD__N };
static const char *const dgram_states[] = {
	"entry", "waitloop", "sleeping", "take", "copy", "out",
};
static const Transition dgram_trans[] = {
	{ SD_ENTRY, SD_WAITLOOP },
	{ SD_WAITLOOP, SD_TAKE },       /* a datagram is there */
	{ SD_WAITLOOP, SD_OUT },        /* so_error, EOF, resid 0, EWOULDBLOCK */
	{ SD_WAITLOOP, SD_SLEEPING },   /* sbwait */
	{ SD_SLEEPING, SD_WAITLOOP },
	{ SD_SLEEPING, SD_OUT },        /* sbwait error */
	{ SD_TAKE, SD_COPY },           /* SOCKBUF_UNLOCK: copy outside the lock */
	{ SD_COPY, SD_OUT },
};

/* FreeBSD 9.1 soreceive_dgram: the copy runs without SOCKBUF_LOCK. */
static const Yield dgram_yields[] = {
	{ SD_TAKE, SD_COPY, CTX3(NA, PREEMPTIBLE, NA) },
};

/* FreeBSD 9.1 only: SOCKBUF_LOCK(&so_rcv) from the wait loop until the
 * record is off the buffer; sbwait's msleep drops it. */
static const Contexts dgram_held[SD__N] = {
	[SD_ENTRY] = CTX3(NA, PREEMPTIBLE, NA),
	[SD_WAITLOOP] = CTX3(NA, SOCKBUF_LOCK, NA),
	[SD_SLEEPING] = CTX3(NA, SOCKBUF_LOCK, NA),
	[SD_TAKE] = CTX3(NA, SOCKBUF_LOCK, NA),
	[SD_COPY] = CTX3(NA, PREEMPTIBLE, NA),
	[SD_OUT] = CTX3(NA, PREEMPTIBLE, NA),
};

static int
dgram_step(World *w, int tid, Thread *t, Frame *f)
{
	Socket *so = sock_ref(w, f->u.sr.so);
	Sockbuf *sb = &so->rcv;

	switch (f->pc) {
	case SD_ENTRY: {
		int fallback = K_MSG_PEEK | K_MSG_OOB;

		SIM_COST(w, R_SORECEIVE_DGRAM, calls, 1);
		if (w->prof->dgram_fallback_trunc)
			fallback |= K_MSG_TRUNC;
		if (f->u.sr.flags & fallback) {
			emit(w, EVK_NOTE, "soreceive_dgram", socket_index(w, so), SB_RCV, 0, 0, 0,
			    "complicated case: fall back to soreceive_generic");
			f->mach = MACH_SORECEIVE;
			f->pc = 0;
			return RUN_CONTINUE;
		}
		GOTO(SD_WAITLOOP);
		return RUN_CONTINUE;
	}

	case SD_WAITLOOP:
		if (!ref_null(sb->mb)) {
			GOTO(SD_TAKE);
			return RUN_CONTINUE;
		}
		if (sb->cc != 0)
			world_violation(w, V_SBCHECK, "soreceive_dgram: sb_mb NULL but sb_cc %lld",
			    (long long)sb->cc);
		if (so->error) {
			f->u.sr.error = so->error;
			so->error = 0;
			GOTO(SD_OUT);
			return RUN_CONTINUE;
		}
		if ((so->state & SS_CANTRCVMORE) || f->u.sr.resid == 0) {
			GOTO(SD_OUT);
			return RUN_CONTINUE;
		}
		if ((so->state & SS_NBIO) || (f->u.sr.flags & K_MSG_DONTWAIT)) {
			f->u.sr.error = K_EWOULDBLOCK;
			GOTO(SD_OUT);
			return RUN_CONTINUE;
		}
		GOTO(SD_SLEEPING);
		call_sbwait(w, tid, f->u.sr.so, SB_RCV);
		return RUN_CONTINUE;

	case SD_SLEEPING:
		if (t->err) {
			f->u.sr.error = t->err;
			GOTO(SD_OUT);
			return RUN_CONTINUE;
		}
		GOTO(SD_WAITLOOP);
		return RUN_CONTINUE;

	case SD_TAKE: {
		Ref rec = sb->mb;
		Ref next = mb(w, rec)->nextpkt;

		mb(w, rec)->nextpkt = REF_NULL;
		sb->mb = REF_NULL;
		sbsync(w, sb, next);    /* sockbuf_pushsync */
		for (Ref m = rec; !ref_null(m); m = mb(w, m)->next)
			sbfree(w, sb, m);
		f->u.sr.rec = rec;
		GOTO(SD_COPY);
		return RUN_PREEMPT;
	}

	case SD_COPY: {
		Ref m = f->u.sr.rec;
		int64_t sim_off = 0;

		if (mb(w, m)->type == MT_SONAME) {     /* m: the record taken, never NULL */
			uint8_t *p = mtod(w, m);

			f->u.sr.from_port = (uint16_t)(p[2] << 8 | p[3]);
			f->u.sr.from_ip = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
			    (uint32_t)p[6] << 8 | p[7];
			m = m_free(w, m);
		}
		while (!ref_null(m) && mb(w, m)->type == MT_CONTROL)
			m = m_free(w, m);
		while (!ref_null(m) && f->u.sr.resid > 0) {
			Mbuf *x = mb(w, m);
			int64_t len = x->len < f->u.sr.resid ? x->len : f->u.sr.resid;

			sim_payload_verify_dgram(w, so, x, m, &sim_off, len);     /* uiomove */
			SIM_COST(w, R_SORECEIVE_DGRAM, bytes, len);
			SIM_ACCOUNT(so, rx_app, len);
			f->u.sr.resid -= len;
			if (len == (int64_t)x->len)
				m = m_free(w, m);
			else {
				x->off += (uint32_t)len;
				x->len -= (uint32_t)len;
			}
		}
		/* whatever is left of the datagram is lost */
		if (!ref_null(m))
			f->u.sr.flags |= K_MSG_TRUNC;
		for (; !ref_null(m); m = m_free(w, m))
			SIM_ACCOUNT(so, rx_dropped, mb(w, m)->len);
		f->u.sr.rec = REF_NULL;
		GOTO(SD_OUT);
		return RUN_CONTINUE;
	}

	case SD_OUT: {
		int64_t done = f->u.sr.slen - f->u.sr.resid;

		SIM_ACCOUNT(so, delivered, done);       /* a peek went to soreceive_generic */
		machine_return(w, tid, done, f->u.sr.error);
		t->oflags = f->u.sr.flags & (K_MSG_EOR | K_MSG_TRUNC | K_MSG_OOB);
		t->rx_ip = f->u.sr.from_ip;
		t->rx_port = f->u.sr.from_port;
		return RUN_CONTINUE;
	}
	}
	return RUN_CONTINUE;
}

/* the record taken off so_rcv (rec) and the mbuf being read in it */
static const uint16_t dgram_mrefs[] = {
	offsetof(Frame, u.sr.m),
	offsetof(Frame, u.sr.nextrecord),
	offsetof(Frame, u.sr.rec),
};

const MachineDef mach_soreceive_dgram = {
	.name = "soreceive_dgram",
	.states = dgram_states, .nstates = SD__N,
	.trans = dgram_trans, .ntrans = NTRANS(dgram_trans),
	.step = dgram_step,
	.yields = dgram_yields, .nyields = NTRANS(dgram_yields),
	.held = dgram_held,
	.mrefs = dgram_mrefs, .nmrefs = NTRANS(dgram_mrefs),
};
