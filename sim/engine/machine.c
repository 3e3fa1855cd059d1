/*
 * machine.c: the declared-transition engine shared by every routine.
 */
#include "machine.h"
#include "sched.h"

#include <glib.h>
#include <string.h>

const MachineDef *machine_table[MACH_MAX];

/* allowed[m][from] has bit `to` set when from -> to is declared. */
#define MAX_STATES 32
static uint32_t allowed[MACH_MAX][MAX_STATES];
/* yields[fam][m][from][to]: the context of the preemption point after
 * from -> to on that family, CTX_NA where the step may not end */
static uint8_t yields[FAM__COUNT][MACH_MAX][MAX_STATES][MAX_STATES];

void
machine_register(int id, const MachineDef *d)
{
	if (id < 0 || id >= MACH_MAX || machine_table[id] == d)
		return;
	g_assert(d->nstates <= MAX_STATES);
	machine_table[id] = d;
	memset(allowed[id], 0, sizeof allowed[id]);
	for (int f = 0; f < FAM__COUNT; f++)
		memset(yields[f][id], 0, sizeof yields[f][id]);
	for (int i = 0; i < d->ntrans; i++)
		allowed[id][d->trans[i].from] |= 1u << d->trans[i].to;
	for (int i = 0; i < d->nyields; i++) {
		const Yield *y = &d->yields[i];

		/* a preemption point is a declared transition, or the table is wrong */
		if (!(allowed[id][y->from] & (1u << y->to)))
			g_error("%s: preemption point %s -> %s is not a declared transition",
			    d->name, d->states[y->from], d->states[y->to]);
		for (int f = 0; f < FAM__COUNT; f++) {
			const ContextDef *c = &context_defs[y->ctx.fam[f]];

			/* where softnet may not run, nothing may: not a preemption point */
			if (c->excludes & EX_SOFTNET)
				g_error("%s: preemption point %s -> %s is inside %s on %s, where nothing "
				    "else may run", d->name, d->states[y->from], d->states[y->to], c->name,
				    family_names[f]);
			yields[f][id][y->from][y->to] = y->ctx.fam[f] != CTX_NA ? y->ctx.fam[f] :
			    YIELD_OTHER_FAMILY;
		}
	}
	for (int f = 0; f < FAM__COUNT && d->return_yields; f++)
		if (context_defs[d->return_ctx.fam[f]].excludes & EX_SOFTNET)
			g_error("%s: its return is a preemption point inside %s on %s", d->name,
			    context_defs[d->return_ctx.fam[f]].name, family_names[f]);
}

/* A transition, enter or leave event of thread tid's routine. */
static void
emit_at(World *w, int tid, SimEventKind kind, const char *routine, const char *from, const char *to)
{
	SimEvent ev = { 0 };

	trace_state_changes(w);
	ev.step = w->step;
	ev.time = w->now;
	ev.thread = tid;
	ev.kind = kind;
	ev.routine = routine;
	ev.from = from;
	ev.to = to;
	ev.sock = -1;
	ev.which = -1;
	w->run->sink.fn(w->run->sink.ctx, w, &ev);
}

bool
machine_yields(int id, int fam, int from, int to)
{
	return yields[fam][id][from][to] != CTX_NA && yields[fam][id][from][to] != YIELD_OTHER_FAMILY;
}

int
machine_context(int id, int fam, int state)
{
	const MachineDef *d = machine_table[id];

	if (d == NULL || d->held == NULL || state < 0 || state >= d->nstates)
		return CTX_NA;
	return d->held[state].fam[fam];
}

const MachineDef *
machine_find(const char *name)
{
	for (int m = 0; m < MACH_MAX; m++)
		if (machine_table[m] != NULL && strcmp(machine_table[m]->name, name) == 0)
			return machine_table[m];
	return NULL;
}

void
machine_goto(World *w, int tid, Frame *f, int to)
{
	const MachineDef *d = machine_table[f->mach];

	if (!(allowed[f->mach][f->pc] & (1u << to))) {
		world_violation(w, V_UNDECLARED_TRANSITION, "%s: %s -> %s is not declared",
		    d->name, d->states[f->pc], d->states[to]);
		return;
	}
	if (tracing(w) && f->pc != to)
		emit_at(w, tid, EVK_TRANS, d->name, d->states[f->pc], d->states[to]);
	/* softnet (tid -1) runs a machine in a frame of its own (somove_run
	 * from sorwakeup): it has no thread, and never stops inside it */
	if (tid >= 0)
		w->threads[tid].yield_ctx = yields[w->prof->family][f->mach][f->pc][to];
	f->pc = (uint16_t)to;
}

Frame *
machine_call(World *w, int tid, int m)
{
	Thread *t = &w->threads[tid];
	Frame *f;

	if (t->depth >= MAX_DEPTH) {
		world_violation(w, V_STACK_OVERFLOW, "thread %d: call depth over %d", tid, MAX_DEPTH);
		return &t->stack[MAX_DEPTH - 1];
	}
	f = &t->stack[t->depth++];
	memset(f, 0, sizeof *f);
	f->mach = (uint16_t)m;
	f->pc = 0;
	if (tracing(w))
		emit_at(w, tid, EVK_ENTER, machine_table[m]->name, NULL, NULL);
	/* yield_ctx is kept: the callee has not run yet, so the step may end
	 * before it exactly where it could end before the call */
	return f;
}

void
machine_return(World *w, int tid, int64_t rv, int err)
{
	Thread *t = &w->threads[tid];

	if (t->depth > 0) {
		t->depth--;
		if (tracing(w))
			emit_at(w, tid, EVK_LEAVE, machine_table[t->stack[t->depth].mach]->name, NULL, NULL);
		const MachineDef *d = machine_table[t->stack[t->depth].mach];

		t->yield_ctx = !d->return_yields ? CTX_NA :
		    d->return_ctx.fam[w->prof->family] != CTX_NA ? d->return_ctx.fam[w->prof->family] :
		    YIELD_OTHER_FAMILY;
	}
	t->rv = rv;
	t->err = err;
}
