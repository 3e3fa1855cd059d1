/*
 * dot_machine.c: a routine's state machine, drawn from the MachineDef the
 * engine checks every transition against (machine.h), so the picture
 * cannot drift from what runs.
 *
 * A state is a box: its name, and per locking family the context it
 * holds there (contexts.def), families that agree merged; a context that
 * keeps softnet out (an atomic stretch: nothing else can run) is shaded,
 * and a state atomic on every family that runs it is filled grey.  Every
 * declared transition is an arrow; a preemption point (a Yield: the step
 * may end there and others run) is a thick blue arrow labelled with the
 * context on each family where it is one.  With a recorder, each arrow
 * says how often the run took it, and arrows never taken are dashed.
 */
#include "viz_int.h"

#include <string.h>

#define YIELD_COLOUR "#1f6fd0"
#define ATOMIC_FILL "#d9d9d9"
#define ATOMIC_CELL "#c8c8c8"

/* Short names for the families in a label: OpenBSD 7.5 and 7.6 merge to
 * "OpenBSD" when they agree. */
static const char *const fam_short[FAM__COUNT] = { "NetBSD", "FreeBSD", "OpenBSD 7.5", "OpenBSD 7.6" };

static bool
atomic(int ctx)
{
	return ctx != CTX_NA && (context_defs[ctx].excludes & EX_SOFTNET) != 0;
}

/*
 * Group families with the same context: "NetBSD, FreeBSD" -> kernel.
 * Calls put(name-of-families, ctx) once per distinct declared context,
 * in family order.  Families where it is CTX_NA are left out.
 */
static void
by_context(const Contexts *c, void (*put)(void *, const char *, int), void *arg)
{
	bool done[FAM__COUNT] = { false };

	for (int f = 0; f < FAM__COUNT; f++) {
		GString *who;
		int n = 0;

		if (done[f] || c->fam[f] == CTX_NA)
			continue;
		who = g_string_new(NULL);
		for (int h = f; h < FAM__COUNT; h++)
			if (!done[h] && c->fam[h] == c->fam[f]) {
				done[h] = true;
				n++;
			}
		/* say it in the fewest words: both OpenBSDs are "OpenBSD" */
		for (int h = f, first = 1; h < FAM__COUNT; h++) {
			if (c->fam[h] != c->fam[f])
				continue;
			if (h == FAM_OPENBSD_75 && c->fam[FAM_OPENBSD_76] == c->fam[f]) {
				g_string_append_printf(who, "%sOpenBSD", first ? "" : ", ");
				h++;
			} else
				g_string_append_printf(who, "%s%s", first ? "" : ", ", fam_short[h]);
			first = 0;
		}
		if (n == FAM__COUNT)
			g_string_assign(who, "all");
		put(arg, who->str, c->fam[f]);
		g_string_free(who, TRUE);
	}
}

static void
state_cell(void *arg, const char *who, int ctx)
{
	GString *s = arg;

	g_string_append_printf(s, "<TR><TD ALIGN=\"LEFT\"%s><FONT POINT-SIZE=\"9\">",
	    atomic(ctx) ? " BGCOLOR=\"" ATOMIC_CELL "\"" : "");
	viz_esc(s, who);
	g_string_append(s, "</FONT></TD><TD ALIGN=\"LEFT\"");
	g_string_append_printf(s, "%s><FONT POINT-SIZE=\"9\">", atomic(ctx) ? " BGCOLOR=\"" ATOMIC_CELL "\"" : "");
	viz_esc(s, context_defs[ctx].name);
	g_string_append(s, "</FONT></TD></TR>");
}

static void
yield_part(void *arg, const char *who, int ctx)
{
	GString *s = arg;

	g_string_append_printf(s, "\\n%s: %s", who, context_defs[ctx].name);
}

static Agnode_t *
state_node(Agraph_t *g, const MachineDef *d, int st, bool taken, bool counting)
{
	char name[32];
	Agnode_t *n;
	GString *s = g_string_new(NULL);
	bool all_atomic = false, some_atomic = false;

	snprintf(name, sizeof name, "st%d", st);
	n = viz_node(g, name);
	if (d->held != NULL) {
		all_atomic = true;
		for (int f = 0; f < FAM__COUNT; f++) {
			int ctx = d->held[st].fam[f];

			if (ctx == CTX_NA)
				continue;
			if (atomic(ctx))
				some_atomic = true;
			else
				all_atomic = false;
		}
		all_atomic = all_atomic && some_atomic;
	}
	g_string_append_printf(s, "<TABLE BORDER=\"%d\" STYLE=\"ROUNDED\" CELLBORDER=\"0\" CELLSPACING=\"0\""
	    " CELLPADDING=\"2\" BGCOLOR=\"%s\" COLOR=\"%s\">", st == 0 ? 2 : 1,
	    all_atomic ? ATOMIC_FILL : "white", counting && !taken ? VIZ_MUTED : "black");
	g_string_append(s, "<TR><TD COLSPAN=\"2\"><B>");
	viz_esc(s, d->states[st]);
	g_string_append(s, "</B></TD></TR>");
	if (d->held != NULL)
		by_context(&d->held[st], state_cell, s);
	g_string_append(s, "</TABLE>");
	viz_set(n, "shape", "plain");
	viz_set_html(n, "label", s->str);
	g_string_free(s, TRUE);
	return n;
}

static const Yield *
yield_of(const MachineDef *d, int from, int to)
{
	for (int i = 0; i < d->nyields; i++)
		if (d->yields[i].from == from && d->yields[i].to == to)
			return &d->yields[i];
	return NULL;
}

Agraph_t *
viz_machine(const MachineDef *d, const VizRecorder *rec, const char *title)
{
	Agraph_t *g = viz_graph("machine", "TB");
	Agnode_t **nodes = g_new0(Agnode_t *, d->nstates), *start;
	bool *taken = g_new0(bool, d->nstates);
	GString *cap = g_string_new(NULL);

	viz_set(g, "nodesep", "0.4");
	viz_set(g, "ranksep", "0.5");
	/* a state is taken when a transition taken starts or ends there */
	taken[0] = rec != NULL && viz_recorder_total(rec) > 0;
	for (int i = 0; rec != NULL && i < d->ntrans; i++)
		if (viz_recorder_count(rec, d->states[d->trans[i].from], d->states[d->trans[i].to]) > 0)
			taken[d->trans[i].from] = taken[d->trans[i].to] = true;
	start = viz_node(g, "start");
	viz_set(start, "shape", "point");
	viz_set(start, "width", "0.12");
	for (int st = 0; st < d->nstates; st++)
		nodes[st] = state_node(g, d, st, taken[st], rec != NULL);
	viz_edge(g, start, nodes[0]);

	for (int i = 0; i < d->ntrans; i++) {
		const Transition *t = &d->trans[i];
		const Yield *y = yield_of(d, t->from, t->to);
		Agedge_t *e = viz_edge(g, nodes[t->from], nodes[t->to]);
		GString *label = g_string_new(NULL);

		if (rec != NULL && t->from == t->to) {
			/* staying in a state is no transition event (machine_goto
			 * emits one only when the state changes): no count to show */
			g_string_append(label, "not traced");
			viz_set(e, "style", "dotted");
		} else if (rec != NULL) {
			uint64_t n = viz_recorder_count(rec, d->states[t->from], d->states[t->to]);

			if (n > 0) {
				g_string_append_printf(label, "%llu\xc3\x97", (unsigned long long)n);
				viz_set(e, "penwidth", n >= 100 ? "2.5" : n >= 10 ? "2" : "1.5");
			} else {
				viz_set(e, "style", "dashed");
				if (y == NULL)
					viz_set(e, "color", VIZ_MUTED);
			}
		}
		if (y != NULL) {
			g_string_append(label, label->len ? "\\n" : "");
			g_string_append(label, "preemption point");
			by_context(&y->ctx, yield_part, label);
			viz_set(e, "color", YIELD_COLOUR);
			viz_set(e, "fontcolor", YIELD_COLOUR);
			if (rec == NULL || viz_recorder_count(rec, d->states[t->from], d->states[t->to]) > 0)
				viz_set(e, "penwidth", "2.5");
		}
		if (label->len)
			viz_set(e, "label", label->str);
		g_string_free(label, TRUE);
	}

	g_string_append_printf(cap, "state machine %s (as declared in the kernel model)\\l", d->name);
	g_string_append(cap, "box: a state and the context it holds on each kernel; grey: softnet "
	    "cannot run there (atomic)\\lthick blue: a preemption point, where the step may end and "
	    "others run, with the context there\\l");
	if (d->return_yields) {
		g_string_append(cap, "its return is a preemption point too");
		by_context(&d->return_ctx, yield_part, cap);
		/* yield_part writes "\n" for an edge label; a caption line ends \l */
		for (char *p = cap->str; (p = strstr(p, "\\n")) != NULL; p += 2)
			p[1] = 'l';
		g_string_append(cap, "\\l");
	}
	if (rec != NULL) {
		g_string_append_printf(cap, "transitions taken by %s", title ? title : "the run");
		if (viz_recorder_upto(rec) > 0)
			g_string_append_printf(cap, " up to step %llu", (unsigned long long)viz_recorder_upto(rec));
		g_string_append_printf(cap, ": %llu; dashed: never taken; dotted: staying in a state, "
		    "which the trace does not record\\l",
		    (unsigned long long)viz_recorder_total(rec));
	}
	viz_set(g, "label", cap->str);
	g_string_free(cap, TRUE);
	g_free(nodes);
	g_free(taken);
	return g;
}
