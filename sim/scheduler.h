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
/* Advance the clock until someone can run; the candidates, or 0 when the
 * run is over (w->stop says why). */
int sched_ready(World *w, int *out);
/* The default policy's pick among the candidates. */
int sched_default(World *w, const int *cand, int n);
/* Run one step with an explicit choice; false when the run stopped. */
bool sched_step_with(World *w, int who);
/* One step by the policy (script, seed or default); false when over. */
bool sched_step(World *w);
/* Run to the end; returns why it stopped. */
StopReason sched_run(World *w);
void sched_chan_name(const World *w, uint32_t chan, char *buf, size_t n);

/* Schedules as text: "STEP:WHO,STEP:WHO" (WHO a thread name, softnet,
 * sosplice or softclock), deviations from the default policy. */
bool sched_plan_parse(const World *w, const char *text, SchedDev **out, int *n, char **errmsg);
char *sched_plan_format(const World *w, const SchedDev *d, int n);
/* Follow a plan (w keeps the pointer; it overrides the scenario's schedule). */
void sched_set_plan(World *w, const SchedDev *d, int n);

#endif
