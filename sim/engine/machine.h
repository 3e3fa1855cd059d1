/*
 * machine.h: kernel routines as resumable state machines (docs/design.md rule 2).
 *
 * Each routine that can sleep keeps its locals in a Frame with a program
 * counter.  Its states and the transitions between them are declared once,
 * as data, next to the code (sosend.c, soreceive.c, ...).  The engine
 * refuses any transition that is not declared, the trace names every one,
 * and `sosim dot --machine NAME` can draw the table.
 */
#ifndef SOSIM_MACHINE_H
#define SOSIM_MACHINE_H

#include "context.h"
#include "world.h"

#define MACH_MAX 32             /* room in the table of machines */

/* What a step function tells the engine. */
enum {
	RUN_CONTINUE,           /* keep running this thread in this step */
	RUN_PREEMPT,            /* a preemption point: the step ends, the thread stays runnable */
	RUN_SLEEP,              /* the thread went to sleep */
	RUN_EXIT,               /* the thread's program is finished */
};

typedef struct {
	uint16_t from, to;
} Transition;

/*
 * A step ends only where the real kernel can be interleaved (docs/design.md
 * rule 2): after a transition the definition lists in `yields`, or on
 * return when `return_yields` is set.  Each entry declares, per kernel
 * family, the context the routine is in there (contexts.def: its spl,
 * mutex or lock), and so who may run next; CTX_NA where the routine
 * never yields there on that kernel.  Anywhere else a step function must
 * keep going (RUN_CONTINUE) or sleep; a RUN_PREEMPT elsewhere is the
 * violation undeclared-yield.  A preemption point inside a context that
 * excludes softnet is refused when the machine is registered: nothing
 * else could run there.
 */
typedef struct {
	uint16_t from, to;
	Contexts ctx;
} Yield;

/* Thread.yield_ctx after a transition that is a preemption point on
 * another family only: this kernel keeps its lock across, so the step
 * goes on. */
#define YIELD_OTHER_FAMILY 0xff

typedef struct {
	const char *name;
	const char *const *states;
	int nstates;
	const Transition *trans;
	int ntrans;
	int (*step)(World *w, int tid, Thread *t, Frame *f);
	const Yield *yields;            /* preemption points: declared transitions */
	int nyields;
	bool return_yields;             /* the step may end as the routine returns, */
	Contexts return_ctx;            /* with the caller in this context */
	/* held[state]: the context the routine is in while it runs that
	 * state, per family; a sleep must start in a context a sleep
	 * releases (tsleep its spl, msleep its mutex, sosleep its lock) */
	const Contexts *held;
	/* Offsets in Frame of every mbuf handle the routine keeps in its
	 * frame: the world hash names them by what they point at (a place in
	 * a buffer, or a chain the frame holds), never by pool slot. */
	const uint16_t *mrefs;
	int nmrefs;
} MachineDef;

#define NTRANS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The layers above register their machines under their ids (kern.h's
 * MachineId); ids are fixed numbers, so frames and hashes do not depend
 * on the order of registration. */
void machine_register(int id, const MachineDef *def);
extern const MachineDef *machine_table[MACH_MAX];
static inline const MachineDef *machine_def(int id) { return machine_table[id]; }
const MachineDef *machine_find(const char *name);

/* Whether from -> to of machine id is a declared preemption point on family fam. */
bool machine_yields(int id, int fam, int from, int to);
/* The context machine id declares for a state on family fam (CTX_NA: none). */
int machine_context(int id, int fam, int state);
/* Move f to state `to`; a transition not in the table is a violation. */
void machine_goto(World *w, int tid, Frame *f, int to);
/* Push a frame for machine m in its first state (0) and return it. */
Frame *machine_call(World *w, int tid, int m);
/* Pop the top frame; the caller finds `ret` in t->rv / t->err. */
void machine_return(World *w, int tid, int64_t rv, int err);

#define GOTO(S) machine_goto(w, tid, f, (S))

#endif
