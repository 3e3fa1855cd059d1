/*
 * kttcp.c: the kernel as source and sink of a TCP stream (NetBSD
 * sys/dev/kttcp.c rev 1.1).
 *
 * kttcp_send loops over its private sosend until the whole size is sent;
 * kttcp_recv loops over its private soreceive until the size is reached,
 * a call returns nothing, or an error (EPIPE counts as the end).  No byte
 * is copied to or from user space: the simulator still fills and checks
 * the payload, but charges no uiomove cost.  Both report the bytes done and
 * the elapsed virtual time.
 */
#include "machine.h"
#include "kern.h"
#include "simbook.h"
#include "errno_names.h"

#define KTTCP_MAX_XMIT 0x7fffffffLL     /* dev/kttcpio.h */

enum { KT_ENTRY, KT_LOOP, KT_OUT, KT__N };
static const char *const kttcp_states[] = { "entry", "loop", "out" };
/* NetBSD's kttcp calls its sosend and soreceive at spl0 */
static const Contexts kttcp_held[KT__N] = {
	[KT_ENTRY] = AT_SPL0,
	[KT_LOOP] = AT_SPL0,
	[KT_OUT] = AT_SPL0,
};

static const Transition kttcp_trans[] = {
	{ KT_ENTRY, KT_LOOP },          /* microtime(&t0); first call */
	{ KT_ENTRY, KT_OUT },           /* kio_totalsize too large: EINVAL */
	{ KT_LOOP, KT_OUT },            /* done, or an error */
};

static void
report(World *w, int tid, Frame *f, const char *what)
{
	int64_t elapsed = w->now - f->u.kt.t0;
	uint64_t done = f->u.kt.total - f->u.kt.left;

	emit(w, EVK_NOTE, what, socket_index(w, sock_ref(w, f->u.kt.so)), -1,
	    (int64_t)done, elapsed, 0,
	    "kttcp: %llu bytes in %lld.%09lld s of virtual time", (unsigned long long)done,
	    (long long)(elapsed / 1000000000), (long long)(elapsed % 1000000000));
	(void)tid;
}

static int
kttcp_step(World *w, int tid, Thread *t, Frame *f, bool send)
{
	uint64_t done;
	int error;

	if (f->pc == KT_ENTRY) {
		SIM_COST(w, R_KTTCP, calls, 1);
		if ((send && (int64_t)f->u.kt.total >= KTTCP_MAX_XMIT) ||
		    (!send && (int64_t)f->u.kt.total > KTTCP_MAX_XMIT)) {
			GOTO(KT_OUT);
			t->err = K_EINVAL;
			machine_return(w, tid, 0, K_EINVAL);
			return RUN_CONTINUE;
		}
		f->u.kt.t0 = w->now;
		f->u.kt.left = f->u.kt.total;
		GOTO(KT_LOOP);
		if (send)
			call_sosend(w, tid, f->u.kt.so, (int64_t)f->u.kt.left, 0, -1, 0, true);
		else
			call_soreceive(w, tid, f->u.kt.so, (int64_t)f->u.kt.left, 0, true);
		return RUN_CONTINUE;
	}

	/* KT_LOOP: a call returned (the frame returns as it reaches KT_OUT,
	 * which is never stepped) */
	done = (uint64_t)t->rv;
	error = t->err;
	f->u.kt.left -= done;
	if (error == 0 && f->u.kt.left > 0 && (send || done > 0)) {
		if (send)
			call_sosend(w, tid, f->u.kt.so, (int64_t)f->u.kt.left, 0, -1, 0, true);
		else
			call_soreceive(w, tid, f->u.kt.so, (int64_t)f->u.kt.left, 0, true);
		return RUN_CONTINUE;
	}
	if (!send && error == K_EPIPE)
		error = 0;
	GOTO(KT_OUT);
	report(w, tid, f, send ? "kttcp_send" : "kttcp_recv");
	machine_return(w, tid, error ? 0 : (int64_t)(f->u.kt.total - f->u.kt.left), error);
	return RUN_CONTINUE;
}

static int
kttcp_send_step(World *w, int tid, Thread *t, Frame *f)
{
	return kttcp_step(w, tid, t, f, true);
}

static int
kttcp_recv_step(World *w, int tid, Thread *t, Frame *f)
{
	return kttcp_step(w, tid, t, f, false);
}

const MachineDef mach_kttcp_send = {
	.name = "kttcp_send",
	.states = kttcp_states, .nstates = KT__N,
	.trans = kttcp_trans, .ntrans = NTRANS(kttcp_trans),
	.step = kttcp_send_step,
	.held = kttcp_held,
};

const MachineDef mach_kttcp_recv = {
	.name = "kttcp_recv",
	.states = kttcp_states, .nstates = KT__N,
	.trans = kttcp_trans, .ntrans = NTRANS(kttcp_trans),
	.step = kttcp_recv_step,
	.held = kttcp_held,
};
