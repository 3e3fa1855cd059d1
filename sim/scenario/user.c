/*
 * user.c: a scenario thread's program, run as the bottom frame of its
 * thread.  Each op is a system call: sosend, soreceive, kttcp, or one of the
 * calls that never sleep (shutdown, close, setsockopt), done in place.
 * Returning to user mode is a preemption point.
 */
#include "expect.h"
#include "errno_names.h"

#include <stdio.h>
#include <string.h>

enum { U_NEXT, U_CALLED, U_DONE, U_FLUSHLOCK, U_POLL, U_COPYREAD, U_COPYWRITE, U__N };
static const char *const user_states[] = { "next", "called", "done", "flushlock", "poll", "copy-read",
	"copy-write" };
static const Transition user_trans[] = {
	{ U_NEXT, U_CALLED },   /* a system call was made */
	{ U_CALLED, U_FLUSHLOCK },  /* shutdown(SHUT_RD)/close: sblock(&so_rcv) for sorflush */
	{ U_FLUSHLOCK, U_CALLED },
	{ U_CALLED, U_NEXT },   /* it returned: check the expectation */
	{ U_NEXT, U_DONE },     /* end of the program */
	{ U_NEXT, U_POLL },     /* poll(2): scan, sleep on sb_sel until ready or the timeout */
	{ U_POLL, U_CALLED },
	{ U_NEXT, U_COPYREAD }, /* copy: read(2) from the source */
	{ U_COPYREAD, U_CALLED },       /* nothing read (end of file, an error): that is the result */
	{ U_COPYREAD, U_COPYWRITE },    /* back in user mode with the bytes */
	{ U_COPYWRITE, U_CALLED },      /* write(2) of them to the destination */
};

/* A program may be preempted between its system calls. */
/* Back in user mode after a system call: nothing held on any kernel. */
static const Yield user_yields[] = {
	{ U_CALLED, U_NEXT, CTX3(USER, USER, USER) },
	{ U_COPYREAD, U_COPYWRITE, CTX3(USER, USER, USER) },
};

static const Contexts user_held[U__N] = {
	[U_NEXT] = CTX3(USER, USER, USER),
	[U_CALLED] = AT_SPL0,           /* in the system call, below its routines */
	[U_DONE] = CTX3(USER, USER, USER),
	[U_FLUSHLOCK] = AT_SPL0,        /* sblock(&so_rcv) for sorflush */
	[U_POLL] = AT_SPL0,             /* in poll(2), asleep on sb_sel */
	[U_COPYREAD] = AT_SPL0,         /* in read(2) */
	[U_COPYWRITE] = CTX3(USER, USER, USER),     /* between read(2) and write(2) */
};

/*
 * poll(2) on one socket, as the kernel's poll scans: ready now (1), the
 * timeout passed (0), a signal (EINTR), or selrecord (SB_SEL) and sleep
 * until a sowakeup of the buffer.  OpenBSD's soreadable says no for a
 * spliced source: a relay that polls it wakes when the splice ends.
 */
static int
poll_scan(World *w, int tid, Thread *t, Frame *f, const ScnOp *op)
{
	Socket *so = sock_ref(w, sock_handle(w, op->sock));
	Sockbuf *sb = op->how == 0 ? &so->rcv : &so->snd;
	bool spliced = w->prof->splice == SPLICE_OPENBSD && !ref_null(so->ssp_socket);
	bool ready = op->how == 0 ? !spliced && soreadable(so) : sowriteable(so);

	if (ready || t->wake_err == K_EINTR ||
	    (f->u.us.deadline != 0 && w->now >= f->u.us.deadline)) {
		t->rv = ready;
		t->err = !ready && t->wake_err == K_EINTR ? K_EINTR : 0;
		GOTO(U_CALLED);
		return RUN_CONTINUE;
	}
	sb->flags |= SB_SEL;    /* selrecord */
	tsleep(w, tid, CHAN(CH_SEL, op->sock, op->how), "poll", true,
	    f->u.us.deadline != 0 ? f->u.us.deadline - w->now : 0);
	return RUN_SLEEP;
}

/* The op as written, without its `=> result` part. */
static int
op_text_len(const ScnOp *op)
{
	const char *arrow = strstr(op->text, "=>");
	int n = arrow ? (int)(arrow - op->text) : (int)strlen(op->text);

	while (n > 0 && (op->text[n - 1] == ' ' || op->text[n - 1] == '\t'))
		n--;
	return n;
}

static void
format_result(char *buf, size_t n, int64_t rv, int err, int oflags, bool flags)
{
	if (err)
		snprintf(buf, n, "%s", errno_name(err));
	else if (flags && oflags)
		snprintf(buf, n, "%lld%s%s%s", (long long)rv,
		    (oflags & K_MSG_TRUNC) ? " TRUNC" : "",
		    (oflags & K_MSG_EOR) ? " EOR" : "",
		    (oflags & K_MSG_OOB) ? " OOB" : "");
	else
		snprintf(buf, n, "%lld", (long long)rv);
}

/* What a value result asks for: `>= 1000`, `4096 TRUNC`, `80 -` (no flags). */
static void
format_want(char *buf, size_t n, const ScnResult *e)
{
	int len = snprintf(buf, n, "%s%s%lld", e->cmp != SCN_CMP_EQ ? scn_cmp_names[e->cmp] : "",
	    e->cmp != SCN_CMP_EQ ? " " : "", (long long)e->value);

	if (e->check_flags && e->flags == 0)
		snprintf(buf + len, n - (size_t)len, " -");
	else if (e->check_flags)
		snprintf(buf + len, n - (size_t)len, "%s%s%s", (e->flags & K_MSG_TRUNC) ? " TRUNC" : "",
		    (e->flags & K_MSG_EOR) ? " EOR" : "", (e->flags & K_MSG_OOB) ? " OOB" : "");
}

static void
check_result(World *w, int tid, const ScnOp *op)
{
	Thread *t = &w->threads[tid];
	const ScnResult *e = &op->expect;
	char got[64], want[64];
	bool ok = true;

	if (tracing(w)) {
		format_result(got, sizeof got, t->rv, t->err, t->oflags, true);
		emit_event(w, EVK_RETURN, "return", op->sock, -1, t->rv, t->err, t->oflags, "%.*s => %s",
		    op_text_len(op), op->text, got);
	}
	if (e->kind == SCN_RES_NONE)
		return;
	if (e->kind == SCN_RES_VALUE)
		ok = t->err == 0 && scn_compare(t->rv, e->cmp, e->value) &&
		    (!e->check_flags || (t->oflags & (K_MSG_TRUNC | K_MSG_EOR | K_MSG_OOB)) == e->flags);
	else {
		/* SCN_RES_ERRNO: any of them */
		ok = false;
		for (int i = 0; i < e->nerrs; i++)
			ok |= t->err == e->errs[i];
	}
	w->nchecked++;
	/* the texts only for the trace, or for a failure's message */
	if (!ok || tracing(w)) {
		if (e->kind == SCN_RES_VALUE)
			format_want(want, sizeof want, e);
		else {
			g_strlcpy(want, errno_name(e->errs[0]), sizeof want);
			for (int i = 1; i < e->nerrs; i++) {
				g_strlcat(want, "|", sizeof want);
				g_strlcat(want, errno_name(e->errs[i]), sizeof want);
			}
		}
		format_result(got, sizeof got, t->rv, t->err, t->oflags,
		    e->kind != SCN_RES_VALUE || e->check_flags);
	}
	if (tracing(w))
		emit_event(w, EVK_EXPECT, "expect", op->sock, -1, ok, 0, 0, "%s: expected %s, got %s",
		    ok ? "held" : "FAILED", want, got);
	if (!ok && w->nfails < (int)(sizeof w->fails / sizeof w->fails[0])) {
		w->fails[w->nfails] = e->pos;
		snprintf(w->run->fail_msg[w->nfails], sizeof w->run->fail_msg[0],
		    "thread %s: '%.*s' expected %s, got %s", thread_name(w, tid),
		    op_text_len(op), op->text, want, got);
	}
	if (!ok)
		w->nfails++;
}

/*
 * sendit/recvit: an interrupted or would-block transfer that moved some
 * bytes returns the count, not the error (ERESTART too, though the
 * simulated kernel never restarts a call).
 */
static void
count_wins(Thread *t)
{
	if (t->rv > 0 && (t->err == K_EINTR || t->err == K_EWOULDBLOCK || t->err == K_ERESTART))
		t->err = 0;
}

/* Calls that never sleep: done in place, result in t->rv/t->err. */
static void
do_immediate(World *w, Thread *t, const ScnOp *op, Socket *so)
{
	t->rv = 0;
	t->err = 0;
	t->oflags = 0;
	switch (op->kind) {
	case SCN_OP_SHUTDOWN:
		t->err = soshutdown(w, (int)(t - w->threads), so, op->how);
		break;
	case SCN_OP_CLOSE:
		t->err = soclose(w, (int)(t - w->threads), so);
		break;
	case SCN_OP_SETSOCKOPT:
		t->err = sosetopt(w, so, op->opt.opt, op->opt.value);
		break;
	case SCN_OP_GETSPLICE:
		/* getsockopt(SO_SPLICE): so_splicelen, kept after the unsplice */
		if (w->prof->splice != SPLICE_OPENBSD)
			t->err = K_ENOPROTOOPT;
		else
			t->rv = so->splicelen;
		break;
	case SCN_OP_SOCKATMARK:
		/* soo_ioctl SIOCATMARK: *(int *)data = (so_state & SS_RCVATMARK) != 0 */
		t->rv = (so->state & SS_RCVATMARK) != 0;
		break;
	case SCN_OP_SOERROR:
		/* getsockopt(SO_ERROR) returns the error and clears it; here the
		 * error is the result, 0 when there is none */
		t->err = so->error;
		so->error = 0;
		break;
	case SCN_OP_UPCALL:
		/* as nfssvc_addsock: so_upcall = the consumer, SB_UPCALL on so_rcv */
		if (so->upcall_thread >= 0)
			t->err = K_EBUSY;
		else {
			so->upcall_thread = (int16_t)(t - w->threads);
			so->rcv.flags |= SB_UPCALL;
		}
		break;
	default:
		break;
	}
}

static int
user_step(World *w, int tid, Thread *t, Frame *f)
{
	const ScnThread *prog = &((const Scenario *)w->run->scenario)->threads[tid];
	const ScnOp *op;
	Socket *so;
	Ref sr;

	switch (f->pc) {
	case U_NEXT:
		if (t->pc >= prog->nops) {
			GOTO(U_DONE);
			return RUN_EXIT;
		}
		op = &prog->ops[t->pc];
		emit(w, EVK_CALL, "syscall", op->kind == SCN_OP_SLEEP ? -1 : op->sock, -1, 0, 0, 0,
		    "%.*s", op_text_len(op), op->text);
		GOTO(op->kind == SCN_OP_POLL ? U_POLL : op->kind == SCN_OP_COPY ? U_COPYREAD : U_CALLED);
		t->rv = 0;
		t->err = 0;
		t->oflags = 0;
		if (op->kind == SCN_OP_SLEEP) {
			tsleep(w, tid, CHAN(CH_PAUSE, tid, 0), "pause", true, op->len > 0 ? op->len : 1);
			return RUN_SLEEP;
		}
		sr = sock_handle(w, op->sock);
		so = sock_ref(w, sr);
		if (op->kind == SCN_OP_WAITUPCALL) {
			/* the consumer's work loop: sleep until an upcall has run */
			t->wake_err = 0;
			if (so->upcall_pending == 0) {
				tsleep(w, tid, CHAN(CH_UPCALL, op->sock, 0), "upcall", true, 0);
				return RUN_SLEEP;
			}
			return RUN_CONTINUE;
		}
		if (so->state & SS_NOFDREF) {
			t->err = K_EBADF;   /* the descriptor was closed */
			if (f->pc != U_CALLED)
				GOTO(U_CALLED);
			return RUN_CONTINUE;
		}
		switch (op->kind) {
		case SCN_OP_POLL:
			f->u.us.deadline = op->len > 0 ? w->now + op->len : 0;
			t->wake_err = 0;
			return poll_scan(w, tid, t, f, op);
		case SCN_OP_COPY:
			call_soreceive(w, tid, sr, op->len, op->flags, false);
			return RUN_CONTINUE;
		case SCN_OP_SEND:
		case SCN_OP_SENDTO:
			if (op->ctl_len > 0) {
				/* NetBSD tcp_usrreq and udp_usrreq PRU_SEND: control is not
				 * supported (EINVAL) */
				t->err = K_EINVAL;
				return RUN_CONTINUE;
			}
			call_sosend(w, tid, sr, op->len, op->flags,
			    op->kind == SCN_OP_SENDTO ? op->dest : -1, op->ctl_len, false);
			return RUN_CONTINUE;
		case SCN_OP_RECV:
			call_soreceive(w, tid, sr, op->len, op->flags, false);
			return RUN_CONTINUE;
		case SCN_OP_KTTCP_SEND:
		case SCN_OP_KTTCP_RECV: {
			Frame *k = machine_call(w, tid,
			    op->kind == SCN_OP_KTTCP_SEND ? MACH_KTTCP_SEND : MACH_KTTCP_RECV);

			k->u.kt.so = sr;
			k->u.kt.total = (uint64_t)op->len;
			return RUN_CONTINUE;
		}
		case SCN_OP_SPLICE:
		case SCN_OP_UNSPLICE:
			call_sosplice(w, tid, sr, op->dest, op->max, op->idle, op->optlen,
			    op->kind == SCN_OP_UNSPLICE);
			return RUN_CONTINUE;
		case SCN_OP_SYS_SPLICE:
			call_sys_splice(w, tid, op->sock, op->dest);
			return RUN_CONTINUE;
		case SCN_OP_CLOSE:
			if (w->prof->splice == SPLICE_OPENBSD) {
				call_soclose(w, tid, sr);
				return RUN_CONTINUE;
			}
			/* FALLTHROUGH */
		case SCN_OP_SHUTDOWN:
			if (op->kind == SCN_OP_CLOSE || op->how != 1) {
				/* sorflush: sb_flags |= SB_NOINTR; sblock(sb, M_WAITOK) */
				so->rcv.flags |= SB_NOINTR;
				GOTO(U_FLUSHLOCK);
				call_sblock(w, tid, sr, SB_RCV, M_WAIT);
				return RUN_CONTINUE;
			}
			do_immediate(w, t, op, so);
			return RUN_CONTINUE;
		default:
			do_immediate(w, t, op, so);
			return RUN_CONTINUE;
		}

	case U_POLL:
		return poll_scan(w, tid, t, f, &prog->ops[t->pc]);

	case U_COPYREAD:
		/* read(2) returned: nothing came (end of file, an error), or
		 * back to user mode with what did; recvit's partial rule first.
		 * From a UDP socket a read of 0 is an empty datagram, written on
		 * as one (relay_copy_datagram) */
		op = &prog->ops[t->pc];
		count_wins(t);
		if (t->err != 0 || (t->rv <= 0 && w->socks[op->sock].proto != PROTO_UDP)) {
			GOTO(U_CALLED);
			return RUN_CONTINUE;
		}
		f->u.us.copied = t->rv;
		GOTO(U_COPYWRITE);
		return RUN_PREEMPT;

	case U_COPYWRITE:
		op = &prog->ops[t->pc];
		if (sock_at(w, op->dest)->state & SS_NOFDREF) {
			t->rv = 0;
			t->err = K_EBADF;
			GOTO(U_CALLED);
			return RUN_CONTINUE;
		}
		GOTO(U_CALLED);
		t->rv = 0;
		t->err = 0;
		t->oflags = 0;
		call_sosend(w, tid, sock_handle(w, op->dest), f->u.us.copied, 0, -1, 0, false);
		return RUN_CONTINUE;

	case U_FLUSHLOCK:
		op = &prog->ops[t->pc];
		so = sock_ref(w, sock_handle(w, op->sock));
		GOTO(U_CALLED);
		do_immediate(w, t, op, so);
		return RUN_CONTINUE;

	case U_CALLED:
		op = &prog->ops[t->pc];
		if (op->kind == SCN_OP_SLEEP) {
			t->err = 0;
			t->rv = 0;
		}
		if (op->kind == SCN_OP_WAITUPCALL) {
			Socket *us = sock_at(w, op->sock);

			/* woken by a signal: EINTR; otherwise collect the upcalls */
			t->err = t->wake_err == K_EINTR ? K_EINTR : 0;
			if (t->err == 0) {
				t->rv = us->upcall_pending;
				us->upcall_pending = 0;
			}
		}
		if (op->kind == SCN_OP_SEND || op->kind == SCN_OP_SENDTO || op->kind == SCN_OP_RECV ||
		    op->kind == SCN_OP_COPY)
			count_wins(t);
		check_result(w, tid, op);
		t->pc++;
		GOTO(U_NEXT);
		return RUN_PREEMPT;

	default:        /* U_DONE: not stepped again, the thread has exited */
		return RUN_EXIT;
	}
}

const MachineDef mach_user = {
	.name = "user",
	.states = user_states, .nstates = U__N,
	.trans = user_trans, .ntrans = NTRANS(user_trans),
	.step = user_step,
	.yields = user_yields, .nyields = NTRANS(user_yields),
	.held = user_held,
};

bool
scenario_op_started(const World *w, int tid)
{
	const Thread *t = world_thread(w, tid);

	/* the bottom frame stays after the exit, at U_DONE */
	if (t == NULL)
		return false;
	return t->stack[0].mach == MACH_USER && t->stack[0].pc != U_NEXT && t->stack[0].pc != U_DONE;
}

int
scenario_op_line(const Scenario *s, const World *w, int tid)
{
	const Thread *t = world_thread(w, tid);

	if (t == NULL || tid >= s->nthreads || t->state == TS_DONE || t->pc >= s->threads[tid].nops)
		return 0;
	return s->threads[tid].ops[t->pc].pos.line;
}
