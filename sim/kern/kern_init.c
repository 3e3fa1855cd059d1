/*
 * kern_init.c: how the simulated kernel plugs into the engine.
 *
 * The engine knows no kernel routine by name (docs/design.md, layers): the
 * kernel registers its machines, the kernel work it schedules (a segment
 * arriving, the persist and delayed-ACK timers, soidle, the 2005 kcont) and the invariants
 * of its structures, and creates the kernel threads a profile has.
 */
#include "kern.h"

static const MachineDef *const kern_machines[MACH__COUNT] = {
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

static void
segment_fire(World *w, uint32_t slot, uint32_t gen)
{
	softnet_deliver(w, slot, gen);
}

static void
persist_fire(World *w, uint32_t sock, uint32_t gen)
{
	fp_sock(w, (int)sock);
	tcp_persist_timeout(w, (int)sock, gen);
}

/* tcp_setpersist re-arms with a new generation; the old entry is moot */
static bool
persist_stale(const World *w, uint32_t sock, uint32_t gen)
{
	return w->socks[sock].tp.persist != gen;
}

static void
delack_fire(World *w, uint32_t sock, uint32_t gen)
{
	fp_sock(w, (int)sock);
	tcp_delack_timeout(w, (int)sock, gen);
}

/* a segment that went out took the delayed ACK with it */
static bool
delack_stale(const World *w, uint32_t sock, uint32_t gen)
{
	return w->socks[sock].tp.delack != gen;
}

static void
idle_fire(World *w, uint32_t sock, uint32_t gen)
{
	fp_sock(w, (int)sock);
	splice_idle_fire(w, (int)sock, gen);
}

static bool
idle_stale(const World *w, uint32_t sock, uint32_t gen)
{
	return w->socks[sock].idle_gen != gen;
}

static void
kcont_fire(World *w, uint32_t sock, uint32_t gen)
{
	fp_sock(w, (int)sock);
	splice_kcont_run(w, (int)sock, gen);
}

static const WorkHandler segment_handler = { "segment", segment_fire, NULL, false };
static const WorkHandler persist_handler = { "tcp persist timer", persist_fire, persist_stale, true };
static const WorkHandler delack_handler = { "tcp delayed-ACK timer", delack_fire, delack_stale, false };
static const WorkHandler idle_handler = { "splice idle timeout", idle_fire, idle_stale, false };
static const WorkHandler kcont_handler = { "kcont", kcont_fire, NULL, false };
static const InvariantSet kern_invariants = { kern_invariants_step, kern_invariants_end };

void
kern_init(void)
{
	for (int m = 0; m < MACH__COUNT; m++)
		if (kern_machines[m] != NULL)
			machine_register(m, kern_machines[m]);
	sched_register_work(KW_SEGMENT, &segment_handler);
	sched_register_work(KW_PERSIST, &persist_handler);
	sched_register_work(KW_DELACK, &delack_handler);
	sched_register_work(KW_SPLICE_IDLE, &idle_handler);
	sched_register_work(KW_KCONT, &kcont_handler);
	sched_register_invariants(&kern_invariants);
}

/*
 * OpenBSD splicing: the "sosplice" taskq thread and softclock, asleep on
 * their empty queues until work comes.
 */
void
kern_attach_threads(World *w)
{
	if (w->prof->splice != SPLICE_OPENBSD)
		return;
	w->tid_taskq = w->nthreads++;
	w->tid_softclock = w->nthreads++;
	for (int i = w->tid_taskq; i < w->nthreads; i++) {
		Thread *t = &w->threads[i];
		bool q = i == w->tid_taskq;

		t->state = TS_SLEEP;
		t->kind = q ? TK_TASKQ : TK_SOFTCLOCK;
		t->wchan = CHAN(CH_TASKQ, q ? 0 : 1, 0);
		t->wmesg = kthread_wmesg(t->kind);
		t->depth = 1;
		t->stack[0].mach = MACH_KTHREAD;
	}
}
