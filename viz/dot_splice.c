/*
 * dot_splice.c: the splice topology of a world at a step.
 *
 * Every socket is a box: its name, protocol and TCP state, the so_state
 * bits that decide what a splice does (SS_CANTRCVMORE ends it at EOF,
 * SS_CANTSENDMORE makes it EPIPE), so_error, what its buffers hold, and
 * whether its splice task is queued or its idle timeout armed.  The wire
 * joins TCP peers (grey); an OpenBSD splice is so_sp: ssp_socket from the
 * source to its drain (solid, with splicelen / splicemax and the idle
 * timeout) and ssp_soback back (dashed).  The sosplice task queue and the
 * softclock queue are drawn in the order they will run.  A connected UDP
 * socket has a dotted arrow to where its datagrams go.  A NetBSD 2005
 * splice(2) is its splice_state, joining two sockets both ways.
 */
#include "viz_int.h"

#include "errno_names.h"

#include <string.h>

static const VizBit so_state_names[] = {
	{ SS_NOFDREF, "SS_NOFDREF" }, { SS_ISCONNECTED, "SS_ISCONNECTED" },
	{ SS_ISCONNECTING, "SS_ISCONNECTING" }, { SS_ISDISCONNECTING, "SS_ISDISCONNECTING" },
	{ SS_CANTSENDMORE, "SS_CANTSENDMORE" }, { SS_CANTRCVMORE, "SS_CANTRCVMORE" },
	{ SS_RCVATMARK, "SS_RCVATMARK" }, { SS_NBIO, "SS_NBIO" }, { SS_ASYNC, "SS_ASYNC" },
	{ SS_ISCONFIRMING, "SS_ISCONFIRMING" }, { SS_MORETOCOME, "SS_MORETOCOME" },
};

/* The socket a handle names, or -1 when it names none (stale or NULL). */
static int
sock_of(const World *w, Ref r)
{
	int i = (int)r.i - 1;

	if (ref_null(r) || i < 0 || i >= w->nsocks || w->socks[i].gen != r.g)
		return -1;
	return i;
}

static const char *
ns_text(char *buf, size_t n, int64_t ns)
{
	if (ns % 1000000000 == 0)
		snprintf(buf, n, "%llds", (long long)(ns / 1000000000));
	else if (ns % 1000000 == 0)
		snprintf(buf, n, "%lldms", (long long)(ns / 1000000));
	else
		snprintf(buf, n, "%.6fs", (double)ns / 1e9);
	return buf;
}

static void
row(GString *s, const char *name, const char *value, bool changed, const char *was)
{
	g_string_append(s, "<TR><TD ALIGN=\"LEFT\">");
	viz_esc(s, name);
	g_string_append(s, "</TD><TD ALIGN=\"LEFT\">");
	viz_value(s, value, was, changed);
	g_string_append(s, "</TD></TR>");
}

static void
socket_node(const VizView *v, Agraph_t *g, int i)
{
	const World *w = v->w;
	const Socket *so = world_socket(w, i);
	const Socket *was = v->prev && i < v->prev->nsocks ? world_socket(v->prev, i) : NULL;
	GString *s = g_string_new(NULL), *a = g_string_new(NULL), *b = g_string_new(NULL);
	char name[16], x[24], y[24], t[24];
	Agnode_t *n;
	bool spliced = !ref_null(so->ssp_socket) || !ref_null(so->ssp_soback);

	snprintf(name, sizeof name, "s%d", i);
	n = viz_node(g, name);
	g_string_append_printf(s, "<TABLE BORDER=\"%d\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"2\""
	    " BGCOLOR=\"%s\">", spliced ? 2 : 1, !so->live ? "#eeeeee" : spliced ? "#eef5ff" : "white");
	g_string_append(s, "<TR><TD COLSPAN=\"2\" BGCOLOR=\"#d9d9d9\"><B>");
	viz_esc(s, sock_name(w, i));
	g_string_append(s, "</B> ");
	if (!so->live)
		g_string_append(s, "closed and freed");
	else if (so->proto == PROTO_TCP)
		viz_escf(s, "TCP %s", viz_tcp_state(so->tp.t_state));
	else
		g_string_append(s, "UDP");
	g_string_append(s, "</TD></TR>");
	if (so->live) {
		viz_bits(a, so->state, so_state_names, G_N_ELEMENTS(so_state_names));
		if (was)
			viz_bits(b, was->state, so_state_names, G_N_ELEMENTS(so_state_names));
		row(s, "so_state", a->str, was && was->state != so->state, b->str);
		row(s, "so_error", so->error ? errno_name(so->error) : "0", was && was->error != so->error,
		    was && was->error ? errno_name(was->error) : "0");
		for (int k = 0; k < 2; k++) {
			const Sockbuf *sb = viz_sockbuf(so, k), *wsb = was ? viz_sockbuf(was, k) : NULL;
			char now[64], before[64];

			snprintf(now, sizeof now, "%s / %s%s", viz_bytes(x, sizeof x, sb->cc),
			    viz_bytes(y, sizeof y, sb->hiwat), (sb->flags & SB_SPLICE) ? " SB_SPLICE" : "");
			snprintf(before, sizeof before, "%s / %s", wsb ? viz_bytes(x, sizeof x, wsb->cc) : "",
			    wsb ? viz_bytes(y, sizeof y, wsb->hiwat) : "");
			row(s, k == SB_RCV ? "so_rcv cc" : "so_snd cc", now, wsb && wsb->cc != sb->cc, before);
		}
		if (so->task_queued || (was && was->task_queued))
			row(s, "so_splicetask", so->task_queued ? "queued" : "not queued",
			    was && was->task_queued != so->task_queued, was && was->task_queued ? "queued" : "not queued");
		if (so->idletv > 0 || so->idle_gen != 0)
			row(s, "idle timeout", so->idle_gen != 0 ? ns_text(t, sizeof t, so->idletv) : "not armed",
			    was && (was->idle_gen != 0) != (so->idle_gen != 0), was && was->idle_gen ? "armed" : "not armed");
		if (so->upcall_knot >= 0 || so->kc_pending)
			row(s, "splice(2) upcall", so->kc_pending ? "kcont pending" : "wired", false, "");
	}
	g_string_append(s, "</TABLE>");
	viz_set(n, "shape", "plain");
	viz_set_html(n, "label", s->str);
	g_string_free(s, TRUE);
	g_string_free(a, TRUE);
	g_string_free(b, TRUE);
}

/* A queue the kernel runs in order: its entries, left to right. */
static void
queue_node(Agraph_t *g, const World *w, const char *name, const char *title, const Ref *q, int nq,
    const char *what)
{
	GString *s = g_string_new(NULL);
	Agnode_t *n = viz_node(g, name);

	g_string_append(s, "<TABLE BORDER=\"1\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\" BGCOLOR=\"#fffbe6\"><TR>");
	g_string_append(s, "<TD><B>");
	viz_esc(s, title);
	g_string_append(s, "</B></TD>");
	if (nq == 0)
		g_string_append(s, "<TD><I>empty</I></TD>");
	for (int k = 0; k < nq; k++) {
		int i = sock_of(w, q[k]);

		g_string_append_printf(s, "<TD PORT=\"q%d\">", k);
		viz_escf(s, "%s(%s)", what, i >= 0 ? sock_name(w, i) : "stale");
		g_string_append(s, "</TD>");
	}
	g_string_append(s, "</TR></TABLE>");
	viz_set(n, "shape", "plain");
	viz_set_html(n, "label", s->str);
	g_string_free(s, TRUE);
	for (int k = 0; k < nq; k++) {
		int i = sock_of(w, q[k]);
		char sname[16];
		Agedge_t *e;

		if (i < 0)
			continue;
		snprintf(sname, sizeof sname, "s%d", i);
		e = viz_edge(agroot(g), n, agnode(agroot(g), sname, 0));
		viz_setf(e, "tailport", "q%d", k);
		viz_set(e, "style", "dotted");
		viz_set(e, "color", "#b8860b");
		viz_set(e, "arrowsize", "0.6");
		viz_set(e, "constraint", "false");
	}
}

Agraph_t *
viz_splice(const VizView *v)
{
	const World *w = v->w;
	Agraph_t *g = viz_graph("splice", "LR");
	char t[24];

	viz_set(g, "nodesep", "0.5");
	viz_set(g, "ranksep", "1.0");
	viz_caption(v, g, "splice topology");
	for (int i = 0; i < w->nsocks; i++)
		socket_node(v, g, i);
	for (int i = 0; i < w->nsocks; i++) {
		const Socket *so = world_socket(w, i);
		char a[16], b[16];
		int j;

		snprintf(a, sizeof a, "s%d", i);
		/* the wire between TCP peers, once per pair */
		if (so->live && so->proto == PROTO_TCP && so->peer > i && so->peer < w->nsocks) {
			Agedge_t *e;

			snprintf(b, sizeof b, "s%d", so->peer);
			e = viz_edge(g, agnode(g, a, 0), agnode(g, b, 0));
			viz_set(e, "dir", "both");
			viz_set(e, "color", "#aaaaaa");
			viz_set(e, "fontcolor", "#888888");
			viz_set(e, "label", "TCP connection");
			viz_set(e, "arrowsize", "0.6");
		}
		/* a connected UDP socket: where its datagrams go */
		if (so->live && so->proto == PROTO_UDP && so->peer >= 0 && so->peer < w->nsocks &&
		    so->peer != i) {
			Agedge_t *e;

			snprintf(b, sizeof b, "s%d", so->peer);
			e = viz_edge(g, agnode(g, a, 0), agnode(g, b, 0));
			viz_set(e, "style", "dotted");
			viz_set(e, "color", "#aaaaaa");
			viz_set(e, "fontcolor", "#888888");
			viz_set(e, "label", "connected to");
			viz_set(e, "arrowsize", "0.6");
		}
		if (so->live && (j = sock_of(w, so->ssp_socket)) >= 0) {
			GString *l = g_string_new("so_sp->ssp_socket\\nsplicelen ");
			char x[24], y[24];
			Agedge_t *e;

			g_string_append_printf(l, "%s / %s", viz_bytes(x, sizeof x, so->splicelen),
			    so->splicemax ? viz_bytes(y, sizeof y, so->splicemax) : "no max");
			if (so->idletv > 0)
				g_string_append_printf(l, "\\nidle timeout %s%s", ns_text(t, sizeof t, so->idletv),
				    so->idle_gen ? " (armed)" : "");
			snprintf(b, sizeof b, "s%d", j);
			e = viz_edge(g, agnode(g, a, 0), agnode(g, b, 0));
			viz_set(e, "label", l->str);
			viz_set(e, "penwidth", "2.5");
			viz_set(e, "color", "#1f4e99");
			viz_set(e, "fontcolor", "#1f4e99");
			if (so->task_queued)
				viz_set(e, "style", "bold");
			g_string_free(l, TRUE);
		}
		if (so->live && (j = sock_of(w, so->ssp_soback)) >= 0) {
			Agedge_t *e;

			snprintf(b, sizeof b, "s%d", j);
			e = viz_edge(g, agnode(g, a, 0), agnode(g, b, 0));
			viz_set(e, "label", "ssp_soback");
			viz_set(e, "style", "dashed");
			viz_set(e, "color", "#1f4e99");
			viz_set(e, "fontcolor", "#1f4e99");
			viz_set(e, "constraint", "false");
		}
	}
	/* NetBSD 2005 splice(2): one splice_state joins two sockets both ways */
	for (int k = 0; k < w->nkmem; k++) {
		char a[16], b[16];
		Agedge_t *e;

		if (!w->kmem[k].live || w->kmem[k].so1 < 0 || w->kmem[k].so2 < 0 ||
		    w->kmem[k].so1 >= w->nsocks || w->kmem[k].so2 >= w->nsocks)
			continue;
		snprintf(a, sizeof a, "s%d", w->kmem[k].so1);
		snprintf(b, sizeof b, "s%d", w->kmem[k].so2);
		e = viz_edge(g, agnode(g, a, 0), agnode(g, b, 0));
		viz_setf(e, "label", "splice_state %d\\n(splice(2), both ways)", k);
		viz_set(e, "dir", "both");
		viz_set(e, "penwidth", "2.5");
		viz_set(e, "color", "#1f4e99");
	}
	if (w->prof->splice == SPLICE_OPENBSD) {
		Agraph_t *q = viz_subgraph(g, "queues");

		viz_set(q, "rank", "min");
		queue_node(q, w, "taskq", "sosplice task queue", w->taskq, w->ntaskq, "sotask");
		queue_node(q, w, "clockq", "softclock queue", w->clockq, w->nclockq, "soidle");
	}
	return g;
}
