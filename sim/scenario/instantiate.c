/*
 * instantiate.c: making a World from a Scenario (docs/design.md data flow:
 * scenario --instantiate--> World + Run), and the scenario's events from
 * outside (a datagram, a FIN, a reset, a signal) as kernel work.
 */
#include "scenario.h"
#include "expect.h"
#include "cost.h"
#include "errno_names.h"
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first thing the kernel refused while the sockets were set up. */
typedef struct {
	int sock;               /* -1: nothing was refused */
	int opt;                /* index into the socket's opts, or -1: socket(2)'s soreserve */
	int which;              /* soreserve: SB_SND or SB_RCV */
	int64_t cc;             /* soreserve: the size it asked for */
	int err;
} Refusal;

static void
refuse(Refusal *r, int sock, int opt, int which, int64_t cc, int err)
{
	if (r->sock < 0)
		*r = (Refusal){ sock, opt, which, cc, err };
}

static int64_t
opt_value(const ScnSocket *s, ScnOpt opt, int64_t dflt)
{
	for (int i = 0; i < s->nopts; i++)
		if (s->opts[i].opt == opt)
			return s->opts[i].value;
	return dflt;
}

/* Socket i as socket(2) and its declared options make it; what the
 * kernel refuses is left as it was, and the first refusal noted in r. */
static void
socket_init(World *w, const Scenario *scn, int i, Refusal *r)
{
	const ScnSocket *d = &scn->sockets[i];
	const Profile *p = w->prof;
	Socket *so = &w->socks[i];
	bool tcp = d->kind == SCN_SOCK_TCP;
	int64_t snd, rcv;

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
	/* soreserve() in tcp_attach/udp_attach: socket(2) fails with ENOBUFS */
	snd = tcp ? p->tcp_sendspace : p->udp_sendspace;
	rcv = tcp ? p->tcp_recvspace : p->udp_recvspace;
	if (!sbreserve(w, &so->snd, snd))
		refuse(r, i, -1, SB_SND, snd, K_ENOBUFS);
	if (!sbreserve(w, &so->rcv, rcv))
		refuse(r, i, -1, SB_RCV, rcv, K_ENOBUFS);
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
		int err;

		if (o == SCN_OPT_MSS || o == SCN_OPT_DELAY || o == SCN_OPT_LISTEN || o == SCN_OPT_LOOPBACK)
			continue;
		if ((err = sosetopt(w, so, o, d->opts[k].value)) != 0)
			refuse(r, i, k, 0, 0, err);
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

/* world_new, noting in r what the kernel refused. */
static World *
instantiate(const Scenario *scn, const Profile *prof, uint32_t quirks, Refusal *r)
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
	run->limit_steps = scn->limit_steps ? (uint64_t)scn->limit_steps : RUN_DEFAULT_STEPS;
	run->limit_bytes = scn->limit_bytes ? (uint64_t)scn->limit_bytes : RUN_DEFAULT_BYTES;
	run->limit_time = scn->limit_time ? scn->limit_time : RUN_DEFAULT_TIME;
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
	r->sock = -1;
	for (int i = 0; i < scn->nsockets; i++)
		socket_init(w, scn, i, r);
	/* the initial window: what each receiver has room for */
	for (int i = 0; i < scn->nsockets; i++) {
		Socket *so = &w->socks[i];

		if (so->proto == PROTO_TCP && so->peer >= 0) {
			Socket *peer = &w->socks[so->peer];

			so->tp.snd_wnd = (uint64_t)tcp_initial_window(peer);
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

World *
world_new(const Scenario *scn, const Profile *prof, uint32_t quirks)
{
	Refusal r;

	return instantiate(scn, prof, quirks, &r);
}

/* The largest buffer sbreserve takes on w's kernel, found by asking it
 * (sbreserve takes 1 to some most, and refuses 0 and more than that). */
static int64_t
sbreserve_most(World *w)
{
	int64_t lo = 0, hi = SIZE_LIMIT;

	while (lo < hi) {
		int64_t mid = lo + (hi - lo + 1) / 2;
		Sockbuf sb;

		memset(&sb, 0, sizeof sb);
		if (sbreserve(w, &sb, mid))
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Why sbreserve refuses cc (> 0) bytes on w's kernel. */
static void
too_large(GString *m, World *w, const Scenario *s, int64_t cc)
{
	int64_t sbmax = w->sb_max ? w->sb_max : w->prof->sb_max;
	char set[32] = "";

	if (s->sb_max != 0)
		snprintf(set, sizeof set, ", line %d", s->sb_max_pos.line);
	if (cc > sbmax)
		g_string_append_printf(m, " is above kern.sbmax (%lld%s)", (long long)sbmax, set);
	else
		g_string_append_printf(m, " is above %lld (kern.sbmax %lld%s, less sbreserve's allowance "
		    "for mbuf overhead)", (long long)sbreserve_most(w), (long long)sbmax, set);
}

bool
scenario_check_options(const Scenario *s, const Profile *prof, uint32_t quirks, GError **err)
{
	struct parser p;
	Refusal r;
	World *w = instantiate(s, prof, quirks, &r);
	const ScnSocket *d;
	const char *call;
	GString *m;
	int col;

	if (r.sock < 0) {
		world_free(w);
		return true;
	}
	d = &s->sockets[r.sock];
	m = g_string_new(NULL);
	if (r.opt < 0) {
		/* socket(2) itself: the profile's default buffer */
		col = d->pos.col;
		call = "socket(2)";
		g_string_append_printf(m, "'%s' cannot be created: soreserve's default %s buffer (%lld)",
		    d->name, r.which == SB_SND ? "send" : "receive", (long long)r.cc);
		too_large(m, w, s, r.cc);
	} else {
		const ScnOptSet *o = &d->opts[r.opt];

		col = o->pos.col;
		call = optdefs[o->opt].call;
		g_string_append_printf(m, "%s=%lld", optdefs[o->opt].name, (long long)o->value);
		if ((o->opt == SCN_OPT_RCVBUF || o->opt == SCN_OPT_SNDBUF) && o->value > 0)
			too_large(m, w, s, o->value);
		else
			g_string_append(m, " is refused");
	}
	g_string_append_printf(m, " on %s: %s would fail with %s", prof->name, call, errno_name(r.err));
	world_free(w);

	/* the message as the parser gives one, at the declaration's line */
	memset(&p, 0, sizeof p);
	p.s = (Scenario *)s;
	p.lineno = d->pos.line;
	p.line = s->source != NULL ? s->source : "";
	for (int i = 1; i < p.lineno && strchr(p.line, '\n') != NULL; i++)
		p.line = strchr(p.line, '\n') + 1;
	p.linelen = strcspn(p.line, "\n");
	if (p.linelen > 0 && p.line[p.linelen - 1] == '\r')
		p.linelen--;
	perr(&p, col, "%s", m->str);
	g_string_free(m, TRUE);
	g_propagate_error(err, p.error);
	return false;
}
