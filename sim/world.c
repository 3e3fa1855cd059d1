/*
 * world.c: making a World from a Scenario, and the handles into it.
 */
#include "machine.h"
#include "kern.h"
#include "scheduler.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *const routine_names[R__COUNT] = {
	[R_SOSEND] = "sosend", [R_SORECEIVE] = "soreceive",
	[R_SORECEIVE_DGRAM] = "soreceive_dgram", [R_SBAPPEND] = "sbappend",
	[R_SBAPPENDSTREAM] = "sbappendstream", [R_SBAPPENDRECORD] = "sbappendrecord",
	[R_SBAPPENDADDR] = "sbappendaddr", [R_SBCOMPRESS] = "sbcompress",
	[R_SBDROP] = "sbdrop", [R_SBDROPRECORD] = "sbdroprecord", [R_SBFLUSH] = "sbflush",
	[R_M_GET] = "m_get", [R_M_FREE] = "m_free", [R_M_COPYM] = "m_copym",
	[R_SBLOCK] = "sblock", [R_SBWAIT] = "sbwait", [R_WAKEUP] = "wakeup",
	[R_TCP_OUTPUT] = "tcp_output", [R_TCP_INPUT] = "tcp_input",
	[R_UDP_INPUT] = "udp_input", [R_KTTCP] = "kttcp", [R_SOMOVE] = "somove",
};

void
world_violation(World *w, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (w->stop == STOP_VIOLATION)
		return;     /* the first one is the one that matters */
	w->stop = STOP_VIOLATION;
	snprintf(w->violation, sizeof w->violation, "%s", name);
	va_start(ap, fmt);
	vsnprintf(w->violation_msg, sizeof w->violation_msg, fmt, ap);
	va_end(ap);
	w->violation_thread = w->cur_thread;
	snprintf(w->stop_msg, sizeof w->stop_msg, "invariant %s violated at step %llu (%s): %s",
	    name, (unsigned long long)w->step,
	    w->cur_thread >= 0 ? thread_name(w, w->cur_thread) : "softnet", w->violation_msg);
	emit(w, EVK_VIOLATION, name, -1, -1, 0, 0, 0, "%s", w->violation_msg);
}

int
socket_index(const World *w, const Socket *so)
{
	return (int)(so - w->socks);
}

const char *
thread_name(const World *w, int tid)
{
	if (tid < 0)
		return "softnet";
	if (tid < w->scn->nthreads)
		return w->scn->threads[tid].name;
	return w->threads[tid].kind == TK_TASKQ ? "sosplice" : "softclock";
}

const char *
sock_name(const World *w, int i)
{
	if (i < 0 || i >= w->nsocks)
		return "?";
	return w->scn->sockets[i].name;
}

Socket *
sock_ref(World *w, Ref r)
{
	if (r.i == 0 || r.i > (uint32_t)w->nsocks) {
		world_violation(w, "stale-handle", "invalid socket handle %u", r.i);
		return &w->socks[0];
	}
	if (!w->socks[r.i - 1].live || w->socks[r.i - 1].gen != r.g) {
		world_violation(w, "stale-handle", "use of freed socket %s",
		    sock_name(w, (int)r.i - 1));
		return &w->socks[r.i - 1];
	}
	return &w->socks[r.i - 1];
}

static int64_t
opt_value(const ScnSocket *s, ScnOpt opt, int64_t dflt)
{
	for (int i = 0; i < s->nopts; i++)
		if (s->opts[i].opt == opt)
			return s->opts[i].value;
	return dflt;
}

static void
socket_init(World *w, int i)
{
	const ScnSocket *d = &w->scn->sockets[i];
	const Profile *p = w->prof;
	Socket *so = &w->socks[i];
	bool tcp = d->kind == SCN_SOCK_TCP;

	memset(so, 0, sizeof *so);
	so->live = 1;
	so->gen = 1;
	so->proto = tcp ? PROTO_TCP : PROTO_UDP;
	so->pr_flags = tcp ? (PR_CONNREQUIRED | PR_WANTRCVD) : (PR_ATOMIC | PR_ADDR);
	so->peer = (int16_t)d->peer;
	so->rcv.lock_owner = so->snd.lock_owner = -1;
	so->upcall_thread = -1;
	so->rcv.lowat = 1;
	so->snd.lowat = p->sndlowat_default;
	/* soreserve() */
	sbreserve(w, &so->snd, tcp ? p->tcp_sendspace : p->udp_sendspace);
	sbreserve(w, &so->rcv, tcp ? p->tcp_recvspace : p->udp_recvspace);
	so->upcall_knot = -1;
	if (tcp && d->peer < 0) {
		/* not connected; `listen`: listening (SO_ACCEPTCONN) */
		so->tp.t_state = TCPS_CLOSED;
		if (opt_value(d, SCN_OPT_LISTEN, 0))
			so->options |= SO_ACCEPTCONN;
	} else if (tcp) {
		so->state = SS_ISCONNECTED;
		so->tp.t_state = TCPS_ESTABLISHED;
		so->tp.t_maxseg = (uint32_t)opt_value(d, SCN_OPT_MSS, p->tcp_mss);
		so->tp.delay = opt_value(d, SCN_OPT_DELAY, p->wire_delay_ns);
	} else {
		so->ip = d->addr.ip;
		so->port = d->addr.port;
		if (d->peer >= 0)
			so->state = SS_ISCONNECTED;
	}
	for (int k = 0; k < d->nopts; k++) {
		ScnOpt o = d->opts[k].opt;

		if (o == SCN_OPT_MSS || o == SCN_OPT_DELAY || o == SCN_OPT_LISTEN)
			continue;
		sosetopt(w, so, o, d->opts[k].value);
	}
}

World *
world_new(const Scenario *scn, const Profile *prof, uint32_t quirks)
{
	World *w = calloc(1, sizeof *w);

	if (w == NULL)
		abort();
	machines_init();
	w->prof = prof;
	w->scn = scn;
	w->quirks = quirks;
	w->last_thread = -1;
	w->cur_thread = -1;
	w->rng = 0x853c49e6748fea9bull;
	w->mbuf_limit = (uint64_t)scn->limit_mbufs;
	w->limit_steps = scn->limit_steps ? (uint64_t)scn->limit_steps : 50000000ull;
	w->limit_bytes = scn->limit_bytes ? (uint64_t)scn->limit_bytes : (1ull << 40);
	w->limit_time = scn->limit_time ? scn->limit_time : 3600ll * 1000000000ll;
	m_free(w, m_get(w, M_DONTWAIT, MT_DATA));   /* the pools exist from the start */
	w->cost[R_M_GET] = (Cost){ 0 };
	w->cost[R_M_FREE] = (Cost){ 0 };
	w->nsocks = scn->nsockets;
	for (int i = 0; i < scn->nsockets; i++)
		socket_init(w, i);
	/* the initial window: what each receiver has room for */
	for (int i = 0; i < scn->nsockets; i++) {
		Socket *so = &w->socks[i];

		if (so->proto == PROTO_TCP && so->peer >= 0) {
			Socket *peer = &w->socks[so->peer];

			so->tp.snd_wnd = (uint64_t)sbspace(&peer->rcv);
			so->tp.max_sndwnd = so->tp.snd_wnd;
			peer->tp.rcv_adv = so->tp.snd_wnd;
		}
	}
	w->nthreads = scn->nthreads;
	for (int i = 0; i < scn->nthreads; i++) {
		Thread *t = &w->threads[i];

		t->state = TS_RUN;
		t->depth = 1;
		t->stack[0].mach = MACH_USER;
	}
	/* OpenBSD splicing: the "sosplice" taskq thread and softclock */
	w->tid_taskq = w->tid_softclock = -1;
	if (prof->splice == SPLICE_OPENBSD) {
		w->tid_taskq = w->nthreads++;
		w->tid_softclock = w->nthreads++;
		for (int i = w->tid_taskq; i < w->nthreads; i++) {
			Thread *t = &w->threads[i];

			/* asleep on their empty queues until work comes */
			t->state = TS_SLEEP;
			t->wchan = CHAN(CH_TASKQ, i == w->tid_taskq ? 0 : 1, 0);
			t->wmesg = i == w->tid_taskq ? "bored" : "tmoslp";
			t->kind = i == w->tid_taskq ? TK_TASKQ : TK_SOFTCLOCK;
			t->depth = 1;
			t->stack[0].mach = MACH_KTHREAD;
		}
	}
	/* a `schedule STEP:THREAD ...` line: deviations from the default policy */
	w->plan = scn->plan;
	w->nplan = scn->nplan;
	w->plan_set = scn->nplan > 0;
	for (int i = 0; i < scn->nevents; i++)
		work_push(w, scn->events[i].at, KW_SCENARIO, (uint32_t)i, 0);
	return w;
}

void
world_set_seed(World *w, uint64_t seed)
{
	w->random_sched = true;
	w->rng = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	if (w->rng == 0)
		w->rng = 1;
}

void
world_free(World *w)
{
	if (w == NULL)
		return;
	for (uint32_t c = 0; c < w->nmbufs >> POOL_CHUNK_SHIFT; c++) {
		free(w->mchunk[c]);
		free(w->mdchunk[c]);
	}
	for (uint32_t c = 0; c < w->nclusters >> POOL_CHUNK_SHIFT; c++) {
		free(w->cchunk[c]);
		free(w->cdchunk[c]);
	}
	for (uint32_t c = 0; c < w->nsegs >> POOL_CHUNK_SHIFT; c++)
		free(w->schunk[c]);
	free(w->work);
	free(w);
}
