/*
 * cost.c: the cost model.  Counters are exact and deterministic; a
 * routine's cost in "units" weighs them roughly as cycles on a machine of
 * 2002 would: stepping to the next mbuf of a long chain is a likely cache
 * miss (10), a byte copied costs half a unit, an allocation 50, a lock
 * operation 20, a sleep 200, a wakeup 100, a call 10.  Shares are of the
 * total over all routines, so they compare routines within one run.
 */
#include "cost.h"

#include <string.h>

#define W_VISIT 10.0
#define W_BYTE 0.5
#define W_ALLOC 50.0
#define W_LOCK 20.0
#define W_SLEEP 200.0
#define W_WAKEUP 100.0
#define W_CALL 10.0

int
cost_routine_find(const char *name)
{
	for (int i = 0; i < R__COUNT; i++)
		if (strcmp(routine_names[i], name) == 0)
			return i;
	return -1;
}

double
cost_units(const Cost *c)
{
	return (double)c->visits * W_VISIT + (double)c->bytes * W_BYTE +
	    (double)c->allocs * W_ALLOC + (double)c->locks * W_LOCK +
	    (double)c->sleeps * W_SLEEP + (double)c->wakeups * W_WAKEUP +
	    (double)c->calls * W_CALL;
}

double
cost_total(const World *w)
{
	double t = 0;

	for (int i = 0; i < R__COUNT; i++)
		t += cost_units(&w->cost[i]);
	return t;
}

int64_t
cost_share_bp(const World *w, int routine)
{
	double t = cost_total(w);

	if (t <= 0)
		return 0;
	return (int64_t)(cost_units(&w->cost[routine]) * 10000.0 / t + 0.5);
}
