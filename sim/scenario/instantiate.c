/*
 * instantiate.c: making a World from a Scenario (DESIGN.md data flow:
 * scenario --instantiate--> World + Run), and the scenario's events from
 * outside (a datagram, a FIN, a reset, a signal) as kernel work.
 */
#include "scenario.h"
#include "expect.h"
#include "cost.h"

#include <stdio.h>
#include <stdlib.h>

static int64_t
opt_value(const ScnSocket *s, ScnOpt opt, int64_t dflt)
{
	for (int i = 0; i < s->nopts; i++)
		if (s->opts[i].opt == opt)
			return s->opts[i].value;
	return dflt;
}

static void
socket_init(World *w, const Scenario *scn, int i)
{
	const ScnSocket *d = &scn->sockets[i];
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
		/* both ends live in this one kernel, so their segments go
		 * through lo0 unless the scenario says the wire is a network
		 * (`loopback=0` on either end: a property of the wire) */
		so->tp.loopback = opt_value(d, SCN_OPT_LOOPBACK, 1) &&
		    opt_value(&scn->sockets[d->peer], SCN_OPT_LOOPBACK, 1);
	} else {
		so->ip = d->addr.ip;
		so->port = d->addr.port;
		if (d->peer >= 0)
			so->state = SS_ISCONNECTED;
	}
	for (int k = 0; k < d->nopts; k++) {
		ScnOpt o = d->opts[k].opt;

		if (o == SCN_OPT_MSS || o == SCN_OPT_DELAY || o == SCN_OPT_LISTEN || o == SCN_OPT_LOOPBACK)
			continue;
		sosetopt(w, so, o, d->opts[k].value);
	}
}

static void
scenario_event(World *w, const ScnEvent *e)
{
	switch (e->kind) {
	case SCN_EV_DATAGRAM:
		udp_inject(w, e->sock, e->from.ip, e->from.port, e->len, e->ctl_len);
		break;
	case SCN_EV_FIN: {
		Socket *peer = &w->socks[w->socks[e->sock].peer];

		emit(w, EVK_NOTE, "fin", e->sock, -1, 0, 0, 0, "the peer of %s shuts down its sending side",
		    sock_name(w, e->sock));
		if (!(peer->state & SS_CANTSENDMORE)) {
			socantsendmore(w, peer);
			tcp_usrclosed(w, peer);
			tcp_output(w, peer);
		}
		break;
	}
	case SCN_EV_RST:
		tcp_reset_from_peer(w, &w->socks[e->sock]);
		break;
	case SCN_EV_UNREACH:
		udp_ctlinput(w, e->sock);
		break;
	case SCN_EV_SIGNAL:
		sched_signal(w, e->thread);
		break;
	}
}

static void
scenario_event_fire(World *w, uint32_t i, uint32_t gen)
{
	const Scenario *s = w->run->scenario;

	(void)gen;
	fp_flag(w, FP_ALL);     /* the event's effects are not tracked one by one */
	emit(w, EVK_TIMER, "at", -1, -1, -1, TIMER_ID_SCENARIO(i), 0, "the scenario's event %u fires",
	    i + 1);
	scenario_event(w, &s->events[i]);
}

static const WorkHandler scenario_event_handler = { "scenario event", scenario_event_fire, NULL, false };

void
scenario_engine_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	kern_init();
	machine_register(MACH_USER, &mach_user);
	sched_register_work(KW_SCENARIO, &scenario_event_handler);
}

World *
world_new(const Scenario *scn, const Profile *prof, uint32_t quirks)
{
	Run *run = run_new();
	World *w;

	scenario_engine_init();
	run->scenario = scn;
	run->path = scn->path;
	run->socks_cap = scn->nsockets;
	for (int i = 0; i < scn->nthreads; i++)
		run->thread_names[i] = scn->threads[i].name;
	for (int i = 0; i < scn->nsockets; i++)
		run->sock_names[i] = scn->sockets[i].name;
	run->limit_steps = scn->limit_steps ? (uint64_t)scn->limit_steps : 50000000ull;
	run->limit_bytes = scn->limit_bytes ? (uint64_t)scn->limit_bytes : (1ull << 40);
	run->limit_time = scn->limit_time ? scn->limit_time : 3600ll * 1000000000ll;
	run->script = scn->schedule;
	run->nscript = scn->nschedule;
	run->script_pos = scn->schedule_pos;
	/* a `schedule STEP:THREAD ...` line: deviations from the default policy */
	if (scn->nplan > 0)
		run_set_plan(run, scn->plan, scn->nplan);
	/* the world hash covers the counters an `expect stat` reads */
	run->hash_counters = 0;
	for (int i = 0; i < scn->nexpects; i++)
		if (scn->expects[i].kind == SCN_EXP_STAT && counter_find(scn->expects[i].name) >= 0)
			run->hash_counters |= 1ull << counter_find(scn->expects[i].name);

	w = world_alloc(run, true, prof, quirks);
	w->mbuf_limit = (uint64_t)scn->limit_mbufs;
	w->sb_max = scn->sb_max;
	m_free(w, m_get(w, M_DONTWAIT, MT_DATA));   /* the pools exist from the start */
	w->cost[R_M_GET] = (Cost){ 0 };
	w->cost[R_M_FREE] = (Cost){ 0 };
	w->nsocks = scn->nsockets;
	for (int i = 0; i < scn->nsockets; i++)
		socket_init(w, scn, i);
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
	kern_attach_threads(w);
	for (int i = 0; i < scn->nevents; i++)
		work_push(w, scn->events[i].at, KW_SCENARIO, (uint32_t)i, 0);
	return w;
}
