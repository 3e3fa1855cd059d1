/*
 * machine.c: the declared-transition engine shared by every routine.
 */
#include "machine.h"
#include "sched.h"

#include <string.h>

static const MachineDef *machines[MACH_MAX];

/* allowed[m][from] has bit `to` set when from -> to is declared. */
#define MAX_STATES 32
static uint32_t allowed[MACH_MAX][MAX_STATES];

void
machine_register(int id, const MachineDef *d)
{
	if (id < 0 || id >= MACH_MAX || machines[id] == d)
		return;
	machines[id] = d;
	memset(allowed[id], 0, sizeof allowed[id]);
	for (int i = 0; i < d->ntrans; i++)
		allowed[id][d->trans[i].from] |= 1u << d->trans[i].to;
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
	return f;
}

void
machine_return(World *w, int tid, int64_t rv, int err)
{
	Thread *t = &w->threads[tid];

	(void)w;
	if (t->depth > 0)
		t->depth--;
	t->rv = rv;
	t->err = err;
}
