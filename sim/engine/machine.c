/*
 * machine.c: the declared-transition engine shared by every routine.
 */
#include "machine.h"
#include "sched.h"

#include <glib.h>
#include <string.h>

static const MachineDef *machines[MACH_MAX];

/* allowed[m][from] has bit `to` set when from -> to is declared. */
#define MAX_STATES 32
static uint32_t allowed[MACH_MAX][MAX_STATES];
/* yields[m][from] has bit `to` set when the step may end after from -> to */
static uint32_t yields[MACH_MAX][MAX_STATES];

void
machine_register(int id, const MachineDef *d)
{
	if (id < 0 || id >= MACH_MAX || machines[id] == d)
		return;
	g_assert(d->nstates <= MAX_STATES);
	machines[id] = d;
	memset(allowed[id], 0, sizeof allowed[id]);
	memset(yields[id], 0, sizeof yields[id]);
	for (int i = 0; i < d->ntrans; i++)
		allowed[id][d->trans[i].from] |= 1u << d->trans[i].to;
	for (int i = 0; i < d->nyields; i++) {
		const Transition *y = &d->yields[i];

		/* a preemption point is a declared transition, or the table is wrong */
		if (!(allowed[id][y->from] & (1u << y->to)))
			g_error("%s: preemption point %s -> %s is not a declared transition",
			    d->name, d->states[y->from], d->states[y->to]);
		yields[id][y->from] |= 1u << y->to;
	}
}

bool
machine_yields(int id, int from, int to)
{
	return (yields[id][from] >> to) & 1u;
}

const MachineDef *
machine_def(int id)
{
	return machines[id];
}

const MachineDef *
machine_find(const char *name)
{
	for (int m = 0; m < MACH_MAX; m++)
		if (machines[m] != NULL && strcmp(machines[m]->name, name) == 0)
			return machines[m];
	return NULL;
}

void
machine_goto(World *w, int tid, Frame *f, int to)
{
	const MachineDef *d = machines[f->mach];

	if (!(allowed[f->mach][f->pc] & (1u << to))) {
		world_violation(w, V_UNDECLARED_TRANSITION, "%s: %s -> %s is not declared",
		    d->name, d->states[f->pc], d->states[to]);
		return;
	}
	if (tracing(w) && f->pc != to) {
		SimEvent ev = { 0 };

		ev.step = w->step;
		ev.time = w->now;
		ev.thread = tid;
		ev.kind = EVK_TRANS;
		ev.routine = d->name;
		ev.from = d->states[f->pc];
		ev.to = d->states[to];
		ev.sock = -1;
		ev.which = -1;
		w->run->sink.fn(w->run->sink.ctx, w, &ev);
	}
	w->threads[tid].may_yield = (uint8_t)((yields[f->mach][f->pc] >> to) & 1u);
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
	/* may_yield is kept: the callee has not run yet, so the step may end
	 * before it exactly where it could end before the call */
	return f;
}

void
machine_return(World *w, int tid, int64_t rv, int err)
{
	Thread *t = &w->threads[tid];

	if (t->depth > 0) {
		t->depth--;
		t->may_yield = machines[t->stack[t->depth].mach]->return_yields;
	}
	t->rv = rv;
	t->err = err;
}
