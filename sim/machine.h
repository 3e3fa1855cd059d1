/*
 * machine.h: kernel routines as resumable state machines (DESIGN.md rule 2).
 *
 * Each routine that can sleep keeps its locals in a Frame with a program
 * counter.  Its states and the transitions between them are declared once,
 * as data, next to the code (sosend.c, soreceive.c, ...).  The engine
 * refuses any transition that is not declared, the trace names every one,
 * and `sosim dot --machine NAME` can draw the table.
 */
#ifndef SOSIM_MACHINE_H
#define SOSIM_MACHINE_H

#include "world.h"

typedef enum {
	MACH_USER,              /* a scenario thread's program */
	MACH_SOSEND,
	MACH_SORECEIVE,
	MACH_SORECEIVE_DGRAM,
	MACH_SBLOCK,
	MACH_SBWAIT,
	MACH_KTTCP_SEND,
	MACH_KTTCP_RECV,
	MACH_SOSPLICE,          /* setsockopt(SO_SPLICE) */
	MACH_SOMOVE,            /* somove_dgram with its locks dropped around pru_send (7.6) */
	MACH_SOTASK,
	MACH_SOIDLE,
	MACH_KTHREAD,           /* a kernel thread's work loop: sosplice taskq, softclock */
	MACH_SOCLOSE,           /* OpenBSD soclose with its unsplice paths */
	MACH_SYS_SPLICE,        /* NetBSD 2005 splice(2) */
	MACH__COUNT
} MachineId;

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

typedef struct {
	const char *name;
	const char *const *states;
	int nstates;
	const Transition *trans;
	int ntrans;
	int (*step)(World *w, int tid, Thread *t, Frame *f);
} MachineDef;

extern const MachineDef *const machines[MACH__COUNT];
extern const MachineDef mach_user, mach_sosend, mach_soreceive, mach_soreceive_dgram,
    mach_sblock, mach_sbwait, mach_kttcp_send, mach_kttcp_recv, mach_sosplice, mach_somove,
    mach_sotask, mach_soidle, mach_kthread, mach_soclose, mach_sys_splice;

void machines_init(void);
const MachineDef *machine_find(const char *name);

/* Move f to state `to`; a transition not in the table is a violation. */
void machine_goto(World *w, int tid, Frame *f, int to);
/* Push a frame for machine m in its first state (0) and return it. */
Frame *machine_call(World *w, int tid, MachineId m);
/* Pop the top frame; the caller finds `ret` in t->rv / t->err. */
void machine_return(World *w, int tid, int64_t rv, int err);

#define GOTO(S) machine_goto(w, tid, f, (S))

/* sblock/sbunlock helpers (sblock.c) */
Frame *call_sblock(World *w, int tid, Ref so, int which, int wf);
Frame *call_sbwait(World *w, int tid, Ref so, int which);
void sbunlock(World *w, int tid, Socket *so, int which);
static inline Sockbuf *sb_which(Socket *so, int which) { return which == SB_RCV ? &so->rcv : &so->snd; }
#define SBLOCKWAIT(flags) (((flags) & SCN_MSG_DONTWAIT) ? M_DONTWAIT : M_WAIT)

/* syscall entry helpers for user.c and kttcp.c */
Frame *call_sosend(World *w, int tid, Ref so, int64_t len, int flags, int dest, int ctl_len, bool kttcp);
Frame *call_soreceive(World *w, int tid, Ref so, int64_t len, int flags, bool kttcp);
/* splice.c: the calls behind `splice`, `unsplice`, `close` (OpenBSD) */
Frame *call_sosplice(World *w, int tid, Ref so, int drain, int64_t max, int64_t idle, int optlen,
    bool unsplice);
Frame *call_soclose(World *w, int tid, Ref so);
Frame *call_sys_splice(World *w, int tid, int fd1, int fd2);

/* somove.c: one splice pass.  The state lives in f->u.mv; somove_run does
 * the whole pass at once (where the kernel holds a lock across it). */
enum { MV_TOP, MV_SEND, MV_RELEASE, MV_DONE };
int somove_step(World *w, int tid, Frame *f, bool *preempt);
int somove_run(World *w, int tid, Socket *so, int wait);
Frame *call_somove(World *w, int tid, Socket *so, int wait);

#endif
