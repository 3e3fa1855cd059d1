/*
 * machine.c: the declared-transition engine shared by every routine.
 */
#include "machine.h"
#include "kern.h"

#include <string.h>

const MachineDef *const machines[MACH__COUNT] = {
	[MACH_USER] = &mach_user,
	[MACH_SOSEND] = &mach_sosend,
	[MACH_SORECEIVE] = &mach_soreceive,
	[MACH_SORECEIVE_DGRAM] = &mach_soreceive_dgram,
	[MACH_SBLOCK] = &mach_sblock,
	[MACH_SBWAIT] = &mach_sbwait,
	[MACH_KTTCP_SEND] = &mach_kttcp_send,
	[MACH_KTTCP_RECV] = &mach_kttcp_recv,
	[MACH_SOSPLICE] = &mach_sosplice,
	[MACH_SOMOVE] = &mach_somove,
	[MACH_SOTASK] = &mach_sotask,
	[MACH_SOIDLE] = &mach_soidle,
	[MACH_KTHREAD] = &mach_kthread,
	[MACH_SOCLOSE] = &mach_soclose,
	[MACH_SYS_SPLICE] = &mach_sys_splice,
};

/* allowed[m][from] has bit `to` set when from -> to is declared. */
#define MAX_STATES 32
static uint32_t allowed[MACH__COUNT][MAX_STATES];
static bool ready;

void
machines_init(void)
{
	if (ready)
		return;
	for (int m = 0; m < MACH__COUNT; m++) {
		const MachineDef *d = machines[m];

		for (int i = 0; i < d->ntrans; i++)
			allowed[m][d->trans[i].from] |= 1u << d->trans[i].to;
	}
	ready = true;
}

const MachineDef *
machine_find(const char *name)
{
	for (int m = 0; m < MACH__COUNT; m++)
		if (strcmp(machines[m]->name, name) == 0)
			return machines[m];
	return NULL;
}

void
machine_goto(World *w, int tid, Frame *f, int to)
{
	const MachineDef *d = machines[f->mach];

	if (!(allowed[f->mach][f->pc] & (1u << to))) {
		world_violation(w, "undeclared-transition", "%s: %s -> %s is not declared",
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
		w->sink.fn(w->sink.ctx, w, &ev);
	}
	f->pc = (uint16_t)to;
}

Frame *
machine_call(World *w, int tid, MachineId m)
{
	Thread *t = &w->threads[tid];
	Frame *f;

	if (t->depth >= MAX_DEPTH) {
		world_violation(w, "stack-overflow", "thread %d: call depth over %d", tid, MAX_DEPTH);
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
