/*
 * sched.h: the scheduler core (sched.c): who runs next, sleep and wakeup,
 * virtual time, kernel work at a time (callouts as a mechanism), events.
 *
 * The engine knows no kernel routine by name.  The layers above register
 * what it runs: a handler per kind of kernel work, the invariants to check
 * after each step and at the end, and the machines (machine.h).
 */
#ifndef SOSIM_SCHED_H
#define SOSIM_SCHED_H

#include <limits.h>
#include <stddef.h>

#include "world.h"
#include "run.h"

/* ---- events ---- */
void emit_event(World *w, SimEventKind kind, const char *routine, int sock, int which,
    int64_t a, int64_t b, int64_t c, const char *fmt, ...) __attribute__((format(printf, 9, 10)));
static inline bool tracing(const World *w) { return w->run->sink.fn != NULL; }
/* The same with all EV_NFIELDS fields: emitv(w, kind, routine, sock,
 * which, EV(f0, f1, ...), fmt, ...). */
void emit_event_v(World *w, SimEventKind kind, const char *routine, int sock, int which,
    const int64_t *v, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
#define EV(...) ((const int64_t[EV_NFIELDS]){ __VA_ARGS__ })
/* A timer's identity in the trace (arm, disarm, timer): a thread's sleep
 * timeout by thread and sleep generation, other timers by their
 * generation (timer_gen_next), which is unique in the world. */
#define TIMER_ID_SLEEP(tid, gen) ((int64_t)(((uint64_t)(tid) + 1) << 32 | (uint32_t)(gen)))
#define TIMER_ID(gen) ((int64_t)(uint32_t)(gen))
#define TIMER_ID_SCENARIO(i) ((int64_t)(0xffull << 40 | (uint32_t)(i)))     /* an `at` event */

/* Report the so_state and sb_flags changes since the last event (sched.c). */
void trace_state_changes(World *w);
/* Arguments are only evaluated when someone listens. */
#define emit(w, ...) do { if (tracing(w)) emit_event((w), __VA_ARGS__); } while (0)
#define emitv(w, ...) do { if (tracing(w)) emit_event_v((w), __VA_ARGS__); } while (0)

/* ---- sleep, wakeup, kernel work ---- */
void tsleep(World *w, int thread, uint32_t chan, const char *wmesg, bool intr, int64_t timeo);
void wakeup(World *w, uint32_t chan);
void work_push(World *w, int64_t time, int kind, uint32_t a, uint32_t gen);
uint32_t timer_gen_next(World *w);
void sched_chan_name(const World *w, uint32_t chan, char *buf, size_t n);

/* A signal to a thread: interrupts an interruptible sleep, else stays
 * pending for the next one (or is handled in user mode). */
void sched_signal(World *w, int tid);

/* ---- what the layers above register ---- */
typedef struct {
	const char *name;
	/* run the work (softnet context) */
	void (*fire)(World *w, uint32_t a, uint32_t gen);
	/* true when a cancelled or re-armed timer makes this entry moot; NULL: never */
	bool (*stale)(const World *w, uint32_t a, uint32_t gen);
	/* it re-arms itself and may change nothing (a persist timer): only
	 * such work pending at a state seen before is a livelock */
	bool self_rearming;
} WorkHandler;
void sched_register_work(int kind, const WorkHandler *h);
/* A queued timer that was cancelled or re-armed: it will be dropped
 * unfired, so the world is the same with or without it. */
bool sched_work_moot(const World *w, const Work *k);

typedef struct {
	/* after every step (CHECK_EVERY_STEP), over the sockets in `socks`
	 * (bit i: socket i) and what their locks' owners left; false when
	 * one broke */
	bool (*step)(World *w, uint32_t socks);
	/* at the end of a run that finished or deadlocked */
	bool (*end)(World *w);
} InvariantSet;
void sched_register_invariants(const InvariantSet *s);
bool invariants_check(World *w);      /* over every socket */
bool invariants_check_end(World *w);

/* ---- picking and stepping ---- */
#define SCHED_MAX_CAND (WORLD_MAX_THREADS + TK__COUNT + 1)

/* Who could run now (SCHED_SOFTNET first when kernel work is due). */
int sched_candidates(World *w, int *out);
/* Advance the clock until someone can run; the candidates, or 0 when the
 * run is over (w->stop says why). */
int sched_ready(World *w, int *out);
/* The default policy's pick among the candidates. */
int sched_default(const World *w, const int *cand, int n);
/* Run one step with an explicit choice; false when the run stopped. */
bool sched_step_with(World *w, int who);
/* One step by the policy (script, plan, seed or default); false when over. */
bool sched_step(World *w);
/* Run to the end; returns why it stopped. */
StopReason sched_run(World *w);

/* ---- schedules as text ----
 * "STEP:WHO,STEP:WHO" (WHO a thread name, softnet, or a kernel thread of
 * kthreads.def: sosplice, softclock): deviations from the default policy,
 * steps from 1 in increasing order.  "default" (or nothing) is the empty
 * plan.  `sosim run --schedule` and the scenario's `schedule STEP:WHO ...`
 * line both read it with sched_plan_parse_text. */

/* What a lookup returns for a name it does not know. */
#define SCHED_WHO_UNKNOWN INT_MIN
/* softnet (SCHED_SOFTNET) or a kernel thread (SCHED_KTHREAD(kind)) by
 * its name, else SCHED_WHO_UNKNOWN. */
int sched_kernel_who(const char *name);

/* The WHO of an entry by name: a thread index, SCHED_SOFTNET,
 * SCHED_KTHREAD(kind), or SCHED_WHO_UNKNOWN. */
typedef int (*SchedWhoFn)(void *ctx, const char *name);

typedef enum {
	SCHED_PLAN_NOT_ENTRY = 1,   /* not STEP:WHO (or nothing after a comma) */
	SCHED_PLAN_BAD_STEP,        /* STEP is not a number from 1 */
	SCHED_PLAN_ORDER,           /* STEP does not come after the step before */
	SCHED_PLAN_UNKNOWN_WHO,     /* the lookup knows no WHO by that name */
} SchedPlanErrKind;

typedef struct {
	SchedPlanErrKind kind;
	int entry;                  /* from 1 */
	size_t offset, len;         /* what is wrong: bytes of the text */
	char msg[160];              /* why, for people, without the entry number */
} SchedPlanError;

/* Entries are separated by a comma or by blanks ("3:b,7:softnet" or
 * "3:b 7:softnet").  On error *out is NULL, *n 0 and *err says where. */
bool sched_plan_parse_text(const char *text, SchedWhoFn lookup, void *ctx, SchedDev **out,
    int *n, SchedPlanError *err);
/* The same, WHO among the threads of w; *errmsg "entry N: why" (g_free it). */
bool sched_plan_parse(const World *w, const char *text, SchedDev **out, int *n, char **errmsg);
char *sched_plan_format(const World *w, const SchedDev *d, int n);
/* The name of a schedule entry's WHO. */
const char *sched_who_name(const World *w, int who);
/* Follow a plan (the run keeps the pointer; it overrides the script). */
void sched_set_plan(World *w, const SchedDev *d, int n);

#endif
