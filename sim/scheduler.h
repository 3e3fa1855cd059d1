/*
 * sched.h: the scheduler's interface for the engine's front ends.
 */
#ifndef SOSIM_SCHEDULER_H
#define SOSIM_SCHEDULER_H

#include <stddef.h>
#include "world.h"

#define SCHED_SOFTNET (-1)

/* Who could run now (SCHED_SOFTNET first when kernel work is due). */
int sched_candidates(World *w, int *out);
/* Run one step with an explicit choice; false when the run stopped. */
bool sched_step_with(World *w, int who);
/* One step by the policy (script, seed or default); false when over. */
bool sched_step(World *w);
/* Run to the end; returns why it stopped. */
StopReason sched_run(World *w);
void sched_chan_name(const World *w, uint32_t chan, char *buf, size_t n);

#endif
