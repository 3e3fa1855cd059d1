/*
 * test_engine.c: the engine below the kernel (sim/engine/): the names and
 * handles of world.c, the machine table of machine.c, the parts of the
 * scheduler only a hand-made machine or a hand-made piece of kernel work
 * reaches (sched.c: registration, livelocks, signals, the trace's reports
 * of state changes), the world hash on worlds the scenarios do not make
 * (world_hash.c), and the edges of snapshots and seeks.
 *
 * Machines, kernel work and invariant sets registered here stay in the
 * engine's tables for the rest of the process: each test that registers
 * one runs in a child of its own (Check's default fork mode), and the
 * invariant sets stay inert unless a test arms them.
 */
#include <check.h>
#include <glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "errno_names.h"
#include "expect.h"
#include "kern.h"
#include "machine.h"
#include "run.h"
#include "sched.h"
#include "seek.h"
#include "snapshot.h"
#include "world_hash.h"

#define MS      1000000LL

static bool
has(const char *haystack, const char *needle)
{
	return strstr(haystack, needle) != NULL;
}

static Scenario *
parse(const char *text)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_string("t.scn", text, &err);

	ck_assert_msg(s != NULL, "%s", err ? err->message : "");
	return s;
}

typedef struct {
	Scenario *s;
	World *w;
} Made;

/* A world of the scenario text, under its profile (netbsd-2.0 if none). */
static Made
make(const char *text)
{
	Made m;
	const Profile *p;

	m.s = parse(text);
	p = profile_find(m.s->profile ? m.s->profile : "netbsd-2.0");
	ck_assert_ptr_nonnull(p);
	m.w = world_new(m.s, p, (p->quirks | m.s->quirks_on) & ~m.s->quirks_off);
	ck_assert_int_eq(m.w->stop, STOP_NONE);
	return m;
}

static void
unmake(Made *m)
{
	world_free(m->w);
	scenario_free(m->s);
}

/* ---- a sink that keeps every event ---- */

typedef struct {
	SimEventKind kind;
	char routine[32];
	int64_t v[EV_NFIELDS];
	char detail[256];
} Ev;

typedef struct {
	Ev ev[512];
	int n;
} Evs;

static void
keep_event(void *ctx, const World *w, const SimEvent *ev)
{
	Evs *e = ctx;

	(void)w;
	if (e->n < (int)G_N_ELEMENTS(e->ev)) {
		Ev *x = &e->ev[e->n++];

		x->kind = ev->kind;
		g_strlcpy(x->routine, ev->routine ? ev->routine : "", sizeof x->routine);
		memcpy(x->v, ev->v, sizeof x->v);
		g_strlcpy(x->detail, ev->detail, sizeof x->detail);
	}
}

static void
listen_to(World *w, Evs *e)
{
	memset(e, 0, sizeof *e);
	run_set_sink(w->run, (EventSink){ keep_event, e });
}

static int
count_kind(const Evs *e, SimEventKind kind)
{
	int n = 0;

	for (int i = 0; i < e->n; i++)
		n += e->ev[i].kind == kind;
	return n;
}

static const Ev *
find_kind(const Evs *e, SimEventKind kind)
{
	for (int i = 0; i < e->n; i++)
		if (e->ev[i].kind == kind)
			return &e->ev[i];
	return NULL;
}

/*
 * A check that refuses a table with g_error (SIGTRAP) or g_assert
 * (SIGABRT) ends the child here, with a status Check can assert; exit()
 * runs the child's atexit handlers (gcov's among them in a coverage
 * build) as a normal end would.
 */
#define REFUSED 77

static void
on_fatal(int sig)
{
	(void)sig;
	exit(REFUSED);
}

static void
expect_fatal(void)
{
	signal(SIGTRAP, on_fatal);
	signal(SIGABRT, on_fatal);
}

/* ---- world.c: names and handles ---- */

/* Kernel threads by kind: a name and a wait message for each kind of
 * kthreads.def, "?" for a user thread or no kind; a world has them only
 * on a profile that splices the OpenBSD way. */
START_TEST(test_kthread_names)
{
	Made o = make("profile openbsd-7.6\nthread t:\n\tsleep 1ms\n");
	Made n = make("profile netbsd-2.0\nthread t:\n\tsleep 1ms\n");

	ck_assert_str_eq(kthread_name(TK_TASKQ), "sosplice");
	ck_assert_str_eq(kthread_name(TK_SOFTCLOCK), "softclock");
	ck_assert_str_eq(kthread_name(TK_USER), "?");
	ck_assert_str_eq(kthread_name(TK__COUNT), "?");
	ck_assert_str_eq(kthread_name(-1), "?");
	ck_assert_str_ne(kthread_wmesg(TK_TASKQ), "?");
	ck_assert_str_eq(kthread_wmesg(TK_USER), "?");
	ck_assert_str_eq(kthread_wmesg(TK__COUNT), "?");

	ck_assert_int_eq(world_kthread(o.w, TK_TASKQ), 1);
	ck_assert_int_eq(world_kthread(o.w, TK_SOFTCLOCK), 2);
	ck_assert_int_eq(world_kthread(o.w, TK_USER), -1);
	ck_assert_int_eq(world_kthread(n.w, TK_TASKQ), -1);
	ck_assert_int_eq(world_kthread(n.w, TK_SOFTCLOCK), -1);
	/* a kernel thread is named by its kind, the scenario's by the file */
	ck_assert_str_eq(thread_name(o.w, 0), "t");
	ck_assert_str_eq(thread_name(o.w, 1), "sosplice");
	ck_assert_str_eq(thread_name(o.w, 2), "softclock");
	ck_assert_str_eq(thread_name(o.w, -1), "softnet");
	ck_assert_str_eq(thread_name(o.w, 3), "?");
	ck_assert_str_eq(thread_name(n.w, 1), "?");
	ck_assert_str_eq(sched_who_name(o.w, SCHED_KTHREAD(TK_SOFTCLOCK)), "softclock");
	ck_assert_str_eq(sched_who_name(o.w, SCHED_SOFTNET), "softnet");
	ck_assert_int_eq(sched_kernel_who("sosplice"), SCHED_KTHREAD(TK_TASKQ));
	ck_assert_int_eq(sched_kernel_who("softnet"), SCHED_SOFTNET);
	ck_assert_int_eq(sched_kernel_who("t"), SCHED_WHO_UNKNOWN);
	unmake(&o);
	unmake(&n);
}
END_TEST

/* A world made without a scenario has no names to print: "?" stands in
 * for them, as for a socket or thread it does not have. */
START_TEST(test_world_without_names)
{
	Run *run = run_new();
	World *w;

	run->socks_cap = 2;
	w = world_alloc(run, true, profile_find("netbsd-2.0"), 0);
	w->nsocks = 2;
	w->nthreads = 1;
	ck_assert_str_eq(thread_name(w, 0), "?");
	ck_assert_str_eq(sock_name(w, 1), "?");
	ck_assert_str_eq(sock_name(w, 2), "?");
	ck_assert_str_eq(sock_name(w, -1), "?");
	run->sock_names[1] = "b";
	ck_assert_str_eq(sock_name(w, 1), "b");
	ck_assert_int_eq(counter_find("no-such-counter"), -1);
	ck_assert_int_eq(violation_find("no-such-violation"), -1);
	ck_assert_int_eq(violation_find("none"), V_NONE);
	world_free(w);          /* frees the run it owns */
	world_free(NULL);
}
END_TEST

/*
 * A socket handle is checked when the kernel follows it: slot 0 and a
 * slot past the sockets are invalid, a freed socket or one whose slot
 * was reused (another generation) is stale.  Each is the violation
 * stale-handle, the first one is the one reported, and the kernel gets
 * a socket to finish its step on.
 */
START_TEST(test_sock_ref)
{
	Made m = make("udp a\nudp b\nthread t:\n\tsleep 1ms\n");
	World *w = m.w;
	Ref good = sock_handle(w, 1);

	ck_assert_ptr_eq(sock_ref(w, good), &w->socks[1]);
	ck_assert_int_eq(w->stop, STOP_NONE);

	ck_assert_ptr_nonnull(sock_ref(w, (Ref){ 0, 0 }));
	ck_assert_int_eq(w->stop, STOP_VIOLATION);
	ck_assert_int_eq(w->violation, V_STALE_HANDLE);
	ck_assert_msg(has(w->run->stop_msg, "invalid socket handle 0"), "%s", w->run->stop_msg);
	ck_assert_msg(has(w->run->stop_msg, "(softnet)"), "%s", w->run->stop_msg);
	unmake(&m);

	m = make("udp a\nudp b\nthread t:\n\tsleep 1ms\n");
	w = m.w;
	ck_assert_ptr_eq(sock_ref(w, (Ref){ 3, 0 }), &w->socks[0]);
	ck_assert_msg(has(w->run->stop_msg, "invalid socket handle 3"), "%s", w->run->stop_msg);
	/* a second violation does not replace the first */
	w->socks[1].live = 0;
	ck_assert_ptr_eq(sock_ref(w, good), &w->socks[1]);
	ck_assert_msg(has(w->run->stop_msg, "invalid socket handle 3"), "%s", w->run->stop_msg);
	unmake(&m);

	m = make("udp a\nudp b\nthread t:\n\tsleep 1ms\n");
	w = m.w;
	w->cur_thread = 0;
	w->socks[1].live = 0;
	ck_assert_ptr_eq(sock_ref(w, good), &w->socks[1]);
	ck_assert_msg(has(w->run->stop_msg, "use of freed socket b"), "%s", w->run->stop_msg);
	ck_assert_msg(has(w->run->stop_msg, "(t)"), "%s", w->run->stop_msg);
	ck_assert_int_eq(w->violation_thread, 0);
	unmake(&m);

	m = make("udp a\nudp b\nthread t:\n\tsleep 1ms\n");
	w = m.w;
	w->socks[1].gen++;      /* the slot was freed and made again */
	sock_ref(w, good);
	ck_assert_int_eq(w->violation, V_STALE_HANDLE);
	ck_assert_msg(has(w->run->stop_msg, "use of freed socket b"), "%s", w->run->stop_msg);
	unmake(&m);
}
END_TEST

/* The seed whose mixed state would be 0 (xorshift's one fixed point, from
 * which it never moves) is given state 1: its run still picks at random. */
START_TEST(test_seed_zero)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull, c = 0x2545f4914f6cdd1dull;
	uint64_t inv = k, seed;
	Made m = make("tcp a b\nthread w:\n\tsend a 3000 => 3000\n"
	    "thread r:\n\trecv b 3000 WAITALL => 3000\n");

	for (int i = 0; i < 6; i++)     /* Newton: k * inv == 1 mod 2^64 */
		inv *= 2 - k * inv;
	ck_assert_uint_eq(k * inv, 1);
	seed = (0 - c) * inv;
	world_set_seed(m.w, seed);
	ck_assert(m.w->random_sched);
	ck_assert_uint_eq(m.w->rng, 1);
	ck_assert_int_eq(sched_run(m.w), STOP_DONE);
	ck_assert_uint_ne(m.w->rng, 1);
	ck_assert_uint_ne(m.w->rng, 0);
	ck_assert_int_eq(m.w->nfails, 0);
	unmake(&m);
	m = make("thread t:\n\tsleep 1ms\n");
	world_set_seed(m.w, 7);
	ck_assert_uint_eq(m.w->rng, 7 * k + c);
	unmake(&m);
}
END_TEST

/* ---- machine.c ---- */

enum { TM_A, TM_B, TM_C, TM__N };
static const char *const tm_states[] = { "a", "b", "c" };
static const Transition tm_trans[] = { { TM_A, TM_B }, { TM_B, TM_A } };
static const Yield tm_yields[] = { { TM_B, TM_A, CTX3(KERNEL, PREEMPTIBLE, PREEMPTIBLE) } };

/* what the test machine does at its next step */
static enum { DO_GOTO_C, DO_SPIN, DO_SLEEP, DO_SLEEP_TIMEOUT } tm_do;

static int
tm_step(World *w, int tid, Thread *t, Frame *f)
{
	(void)t;
	switch (tm_do) {
	case DO_GOTO_C:
		GOTO(TM_C);             /* a -> c is not declared */
		return RUN_PREEMPT;
	case DO_SPIN:
		return RUN_CONTINUE;    /* never a preemption point */
	case DO_SLEEP:
		tsleep(w, tid, CHAN(CH_PAUSE, 0, 0), "tm", true, 0);
		return RUN_SLEEP;
	case DO_SLEEP_TIMEOUT:
		tsleep(w, tid, CHAN(CH_PAUSE, 0, 0), "tm", false, 5 * MS);
		return RUN_SLEEP;
	}
	return RUN_EXIT;
}

/* no contexts declared (held NULL): a sleep is in no context to release */
static const MachineDef tm = {
	.name = "tm", .states = tm_states, .nstates = TM__N,
	.trans = tm_trans, .ntrans = NTRANS(tm_trans), .step = tm_step,
	.yields = tm_yields, .nyields = NTRANS(tm_yields),
};
#define TM_ID (MACH__COUNT + 4)

/* A world whose thread 0 runs the test machine on top of its program. */
static Made
make_tm(const char *profile)
{
	char *text = g_strdup_printf("profile %s\nthread t:\n\tsleep 1ms\n", profile);
	Made m = make(text);

	g_free(text);
	machine_register(TM_ID, &tm);
	machine_call(m.w, 0, TM_ID);
	return m;
}

/* The table of machines: ids outside it are ignored, a machine registered
 * twice is the same machine, a context asked of a machine or state that
 * has none is none. */
START_TEST(test_machine_table)
{
	Made m = make_tm("netbsd-2.0");
	static const MachineDef other = {
		.name = "other", .states = tm_states, .nstates = TM__N,
		.trans = tm_trans, .ntrans = NTRANS(tm_trans), .step = tm_step,
	};

	ck_assert_ptr_eq(machine_find("tm"), &tm);
	ck_assert_ptr_null(machine_find("no-such-machine"));
	machine_register(-1, &other);
	machine_register(MACH_MAX, &other);
	ck_assert_ptr_null(machine_find("other"));
	machine_register(TM_ID, &tm);   /* again: nothing changes */
	ck_assert(machine_yields(TM_ID, FAM_NETBSD, TM_B, TM_A));
	ck_assert(!machine_yields(TM_ID, FAM_NETBSD, TM_A, TM_B));
	ck_assert_int_eq(machine_context(TM_ID, FAM_NETBSD, TM_A), CTX_NA);     /* held NULL */
	ck_assert_int_eq(machine_context(MACH_MAX - 1, FAM_NETBSD, 0), CTX_NA); /* no machine */
	ck_assert_int_ne(machine_context(MACH_SORECEIVE, FAM_NETBSD, 0), CTX_NA);
	ck_assert_int_eq(machine_context(MACH_SORECEIVE, FAM_NETBSD, -1), CTX_NA);
	ck_assert_int_eq(machine_context(MACH_SORECEIVE, FAM_NETBSD,
	    machine_def(MACH_SORECEIVE)->nstates), CTX_NA);
	unmake(&m);
}
END_TEST

/* A transition the table does not declare is the violation
 * undeclared-transition, and the frame stays where it was. */
START_TEST(test_undeclared_transition)
{
	Made m = make_tm("netbsd-2.0");
	const Thread *t = &m.w->threads[0];

	tm_do = DO_GOTO_C;
	ck_assert(!sched_step_with(m.w, 0));
	ck_assert_int_eq(m.w->violation, V_UNDECLARED_TRANSITION);
	ck_assert_msg(has(m.w->run->stop_msg, "tm: a -> c is not declared"), "%s", m.w->run->stop_msg);
	ck_assert_int_eq(t->stack[t->depth - 1].pc, TM_A);
	unmake(&m);
}
END_TEST

/* Calls nest MAX_DEPTH deep; one more is the violation stack-overflow,
 * and the caller gets the top frame back.  A return with no frame left
 * still hands over its result. */
START_TEST(test_call_depth)
{
	Made m = make("thread t:\n\tsleep 1ms\n");
	World *w = m.w;
	Thread *t = &w->threads[0];
	Frame *f;

	machine_register(TM_ID, &tm);
	while (t->depth < MAX_DEPTH)
		machine_call(w, 0, TM_ID);
	ck_assert_int_eq(w->stop, STOP_NONE);
	f = machine_call(w, 0, TM_ID);
	ck_assert_int_eq(w->stop, STOP_VIOLATION);
	ck_assert_int_eq(w->violation, V_STACK_OVERFLOW);
	ck_assert_msg(has(w->run->stop_msg, "call depth over 8"), "%s", w->run->stop_msg);
	ck_assert_ptr_eq(f, &t->stack[MAX_DEPTH - 1]);
	ck_assert_int_eq(t->depth, MAX_DEPTH);
	while (t->depth > 0)
		machine_return(w, 0, 0, 0);
	machine_return(w, 0, 42, K_EPIPE);
	ck_assert_int_eq(t->depth, 0);
	ck_assert_int_eq(t->rv, 42);
	ck_assert_int_eq(t->err, K_EPIPE);
	unmake(&m);
}
END_TEST

/* A thread that never reaches a preemption point is stopped with the
 * violation livelock instead of hanging the simulator. */
START_TEST(test_step_without_end)
{
	Made m = make_tm("netbsd-2.0");

	tm_do = DO_SPIN;
	ck_assert(!sched_step_with(m.w, 0));
	ck_assert_int_eq(m.w->violation, V_LIVELOCK);
	ck_assert_msg(has(m.w->run->stop_msg, "thread t runs without reaching a preemption point"), "%s",
	    m.w->run->stop_msg);
	unmake(&m);
}
END_TEST

/* A machine that declares no contexts sleeps without the check of what
 * its sleep releases (there is nothing to check it against). */
START_TEST(test_sleep_without_contexts)
{
	Made m = make_tm("freebsd-9.1");

	tm_do = DO_SLEEP;
	ck_assert(sched_step_with(m.w, 0));
	ck_assert_int_eq(m.w->threads[0].state, TS_SLEEP);
	ck_assert_int_eq(m.w->threads[0].ctx, CTX_NA);
	ck_assert_int_eq(m.w->violation, V_NONE);
	unmake(&m);
}
END_TEST

/* Tables that contradict themselves are refused when registered: more
 * states than the table has room for, a preemption point that is not a
 * declared transition, a return that yields inside a context that
 * excludes softnet. */
static const char *const many_states[33] = { "s" };
static const MachineDef too_many = {
	.name = "too-many", .states = many_states, .nstates = 33,
	.trans = tm_trans, .ntrans = NTRANS(tm_trans), .step = tm_step,
};

START_TEST(test_refused_too_many_states)
{
	expect_fatal();
	machine_register(TM_ID, &too_many);
}
END_TEST

static const Yield bad_yields[] = { { TM_A, TM_C, CTX3(KERNEL, PREEMPTIBLE, PREEMPTIBLE) } };
static const MachineDef undeclared_yield = {
	.name = "undeclared-yield", .states = tm_states, .nstates = TM__N,
	.trans = tm_trans, .ntrans = NTRANS(tm_trans), .step = tm_step,
	.yields = bad_yields, .nyields = NTRANS(bad_yields),
};

START_TEST(test_refused_undeclared_yield)
{
	expect_fatal();
	machine_register(TM_ID, &undeclared_yield);
}
END_TEST

static const Yield atomic_yields[] = { { TM_A, TM_B, CTX3(SPLSOFTNET, PREEMPTIBLE, PREEMPTIBLE) } };
static const MachineDef atomic_yield = {
	.name = "atomic-yield", .states = tm_states, .nstates = TM__N,
	.trans = tm_trans, .ntrans = NTRANS(tm_trans), .step = tm_step,
	.yields = atomic_yields, .nyields = NTRANS(atomic_yields),
};

START_TEST(test_refused_atomic_yield)
{
	expect_fatal();
	machine_register(TM_ID, &atomic_yield);
}
END_TEST

static const MachineDef atomic_return = {
	.name = "atomic-return", .states = tm_states, .nstates = TM__N,
	.trans = tm_trans, .ntrans = NTRANS(tm_trans), .step = tm_step,
	.return_yields = true, .return_ctx = CTX3(PREEMPTIBLE, SOCKBUF_LOCK, PREEMPTIBLE),
};

START_TEST(test_refused_atomic_return)
{
	expect_fatal();
	machine_register(TM_ID, &atomic_return);
}
END_TEST

/* The same tables, correct, are accepted (so the refusals above are for
 * what each gets wrong). */
START_TEST(test_accepted_tables)
{
	static const Yield ok_yields[] = { { TM_A, TM_B, CTX3(KERNEL, PREEMPTIBLE, PREEMPTIBLE) } };
	static const MachineDef ok = {
		.name = "ok", .states = tm_states, .nstates = TM__N,
		.trans = tm_trans, .ntrans = NTRANS(tm_trans), .step = tm_step,
		.yields = ok_yields, .nyields = NTRANS(ok_yields),
		.return_yields = true, .return_ctx = CTX3(PREEMPTIBLE, PREEMPTIBLE, PREEMPTIBLE),
	};

	machine_register(TM_ID, &ok);
	ck_assert_ptr_eq(machine_find("ok"), &ok);
	ck_assert(machine_yields(TM_ID, FAM_FREEBSD, TM_A, TM_B));
}
END_TEST

/* ---- sched.c ---- */

/*
 * Invariant sets: a set registered twice is checked once, a set may have
 * only a step check or only an end check, the table holds four (the
 * kernel's and three more: a fifth is not registered), and a check that
 * fails stops the others after it.
 */
static int inv_step_calls[4], inv_end_calls[4];
static bool inv_fail;

static bool
inv_step_a(World *w, uint32_t socks)
{
	(void)w;
	(void)socks;
	inv_step_calls[0]++;
	return !inv_fail;
}

static bool
inv_end_a(World *w)
{
	(void)w;
	inv_end_calls[0]++;
	return !inv_fail;
}

static bool
inv_end_b(World *w)
{
	(void)w;
	inv_end_calls[1]++;
	return true;
}

static bool
inv_step_c(World *w, uint32_t socks)
{
	(void)w;
	(void)socks;
	inv_step_calls[2]++;
	return true;
}

static bool
inv_step_d(World *w, uint32_t socks)
{
	(void)w;
	(void)socks;
	inv_step_calls[3]++;
	return true;
}

START_TEST(test_invariant_sets)
{
	static const InvariantSet a = { inv_step_a, inv_end_a }, b = { NULL, inv_end_b },
	    c = { inv_step_c, NULL }, d = { inv_step_d, inv_end_a };
	Made m = make("thread t:\n\tsleep 1ms\n");     /* the kernel's set comes first */

	sched_register_invariants(&a);
	sched_register_invariants(&a);
	sched_register_invariants(&b);
	sched_register_invariants(&c);
	sched_register_invariants(&d);  /* no room left */
	ck_assert(sched_step(m.w));
	ck_assert_int_eq(inv_step_calls[0], 1);
	ck_assert_int_eq(inv_step_calls[2], 1);
	ck_assert_int_eq(inv_step_calls[3], 0);
	ck_assert(invariants_check(m.w));
	ck_assert_int_eq(inv_step_calls[0], 2);
	ck_assert_int_eq(inv_step_calls[2], 2);
	ck_assert(invariants_check_end(m.w));  /* the kernel's end check runs the step checks too */
	ck_assert_int_eq(inv_end_calls[0], 1);
	ck_assert_int_eq(inv_end_calls[1], 1);
	ck_assert_int_eq(inv_step_calls[3], 0);
	inv_fail = true;
	memset(inv_step_calls, 0, sizeof inv_step_calls);
	ck_assert(!invariants_check(m.w));
	ck_assert_int_eq(inv_step_calls[0], 1);
	ck_assert_int_eq(inv_step_calls[2], 0);        /* not reached after a's failure */
	ck_assert(!invariants_check_end(m.w));
	ck_assert_int_eq(inv_end_calls[0], 1);         /* the kernel's failed first */
	ck_assert_int_eq(inv_end_calls[1], 1);
	inv_fail = false;
	unmake(&m);
}
END_TEST

/*
 * Kernel work of a kind nobody registered a handler for stops the run
 * (the violation limit) when it comes due, rather than being dropped
 * unseen; a handler registered under a kind outside the table is
 * ignored.  (KW_KCONT is the NetBSD 2005 splice's: no scenario here uses
 * it.)
 */
static void
never_fire(World *w, uint32_t a, uint32_t gen)
{
	(void)a;
	(void)gen;
	world_violation(w, V_LIMIT, "fired");
}

START_TEST(test_work_without_handler)
{
	static const WorkHandler h = { "never", never_fire, NULL, true };
	Made m = make("udp u\nthread t:\n\trecv u 10\n");     /* the kernel registers its handlers first */

	sched_register_work(-1, &h);
	sched_register_work(KW__COUNT, &h);
	sched_register_work(KW_KCONT, NULL);
	while (m.w->threads[0].state == TS_RUN)        /* t goes to sleep in recv */
		ck_assert(sched_step(m.w));
	work_push(m.w, 3 * MS, KW_KCONT, 0, 0);
	ck_assert(!sched_work_moot(m.w, &m.w->work[m.w->work_head]));
	ck_assert(!sched_step(m.w));
	ck_assert_int_eq(m.w->now, 3 * MS);
	ck_assert_int_eq(m.w->violation, V_LIMIT);
	ck_assert_msg(has(m.w->run->stop_msg, "kernel work of kind 5 has no handler registered"), "%s",
	    m.w->run->stop_msg);
	ck_assert(!m.w->deadlocked);
	unmake(&m);
}
END_TEST

/*
 * The livelock verdict remembers the last 64 quiet states.  A
 * self-re-arming timer that changes the world at each of its first 100
 * firings and nothing after: the run goes on through all 100 (more
 * quiet states than are remembered) and is called livelocked at the
 * first state seen again.  Without the thread asleep, the same end is
 * a finished run.
 */
static int ring_fires;

static void
ring_fire(World *w, uint32_t a, uint32_t gen)
{
	ring_fires++;
	if (gen < 100)
		w->socks[a].error = (int)gen + 1;     /* part of the quiet state */
	work_push(w, w->now + 1 * MS, KW_KCONT, a, gen + 1);
}

START_TEST(test_livelock_ring)
{
	static const WorkHandler h = { "ring", ring_fire, NULL, true };
	static const char *const texts[] = {
		"udp u\nthread t:\n\trecv u 10\n",
		"udp u\nthread t:\n\tsoerror u => 0\n",
	};

	for (int k = 0; k < 2; k++) {
		Made m = make(texts[k]);        /* the kernel registers its handlers first */

		sched_register_work(KW_KCONT, &h);
		ring_fires = 0;
		work_push(m.w, 1 * MS, KW_KCONT, 0, 0);
		sched_run(m.w);
		ck_assert_int_eq(m.w->socks[0].error, 100);
		ck_assert_int_ge(ring_fires, 101);
		ck_assert_int_le(ring_fires, 103);
		ck_assert_int_eq(m.w->nquiet, 64);
		ck_assert_uint_gt(m.w->quiet_pos, 64);
		if (k == 0) {
			ck_assert_int_eq(m.w->stop, STOP_DEADLOCK);
			ck_assert_msg(has(m.w->run->deadlock_msg, "thread t sleeps on u.so_rcv.sb_cc"), "%s",
			    m.w->run->deadlock_msg);
			ck_assert_msg(has(m.w->run->deadlock_msg, "only timers that change nothing are left"),
			    "%s", m.w->run->deadlock_msg);
		} else
			ck_assert_int_eq(m.w->stop, STOP_DONE);
		unmake(&m);
	}
}
END_TEST

/*
 * A sleep's timeout that outlived its sleep is moot: the queue drops it
 * unfired, and even fired (softnet stepped by hand while it is first in
 * line) it wakes nobody, whether the thread runs or sleeps again.
 */
START_TEST(test_stale_sleep_timeout)
{
	for (int again = 0; again < 2; again++) {
		Made m = make_tm("netbsd-2.0");
		World *w = m.w;
		Thread *t = &w->threads[0];
		Evs e;

		tm_do = DO_SLEEP_TIMEOUT;
		ck_assert(sched_step_with(w, 0));
		ck_assert_int_eq(t->state, TS_SLEEP);
		ck_assert_uint_eq(w->nwork, 1);
		wakeup(w, CHAN(CH_PAUSE, 0, 0));
		ck_assert_int_eq(t->state, TS_RUN);
		if (again)
			tsleep(w, 0, CHAN(CH_PAUSE, 0, 1), "again", false, 0);
		ck_assert(sched_work_moot(w, &w->work[w->work_head]));
		listen_to(w, &e);
		w->now = 5 * MS;
		sched_step_with(w, SCHED_SOFTNET);
		ck_assert_uint_eq(w->nwork, 0);
		ck_assert_int_eq(t->state, again ? TS_SLEEP : TS_RUN);
		ck_assert_int_eq(t->wake_err, 0);
		ck_assert_int_eq(count_kind(&e, EVK_TIMER), 0);
		ck_assert_int_eq(count_kind(&e, EVK_WAKEUP), 0);
		run_set_sink(w->run, (EventSink){ NULL, NULL });
		unmake(&m);
	}
}
END_TEST

/*
 * Signals (sched_signal), with and without a trace: in user mode the
 * handler runs on the way back (nothing pending); inside a system call
 * and not in an interruptible sleep the signal stays pending, and the
 * next interruptible sleep returns EINTR at once; an interruptible sleep
 * is interrupted; a finished thread takes no signal.
 */
START_TEST(test_signals)
{
	for (int traced = 0; traced < 2; traced++) {
		Made m = make_tm("netbsd-2.0");
		World *w = m.w;
		Thread *t = &w->threads[0];
		uint32_t chan = CHAN(CH_PAUSE, 0, 0);
		Evs e;

		memset(&e, 0, sizeof e);
		if (traced)
			listen_to(w, &e);
		machine_return(w, 0, 0, 0);     /* back in user mode */
		sched_signal(w, 0);
		ck_assert_int_eq(t->sig_pending, 0);
		ck_assert_int_eq(t->state, TS_RUN);

		machine_call(w, 0, TM_ID);      /* in a system call, running */
		sched_signal(w, 0);
		ck_assert_int_eq(t->sig_pending, 1);
		tsleep(w, 0, chan, "intr", true, 0);
		ck_assert_int_eq(t->state, TS_RUN);
		ck_assert_int_eq(t->wake_err, K_EINTR);
		ck_assert_int_eq(t->sig_pending, 0);

		tsleep(w, 0, chan, "nointr", false, 0);  /* not interruptible: pending */
		sched_signal(w, 0);
		ck_assert_int_eq(t->state, TS_SLEEP);
		ck_assert_int_eq(t->sig_pending, 1);
		t->sig_pending = 0;

		tsleep(w, 0, chan, "intr", true, 0);
		sched_signal(w, 0);
		ck_assert_int_eq(t->state, TS_RUN);
		ck_assert_int_eq(t->wake_err, K_EINTR);

		t->state = TS_DONE;
		sched_signal(w, 0);
		ck_assert_int_eq(t->sig_pending, 0);
		ck_assert_int_eq(t->state, TS_DONE);
		if (traced) {
			int user = 0, pending = 0, at_once = 0, woken = 0;

			for (int i = 0; i < e.n; i++) {
				user += has(e.ev[i].detail, "signal to t: handled in user mode");
				pending += has(e.ev[i].detail, "signal to t: pending");
				at_once += has(e.ev[i].detail, "a pending signal interrupts the sleep");
				woken += has(e.ev[i].detail, "thread t woken with EINTR");
			}
			ck_assert_int_eq(user, 1);
			ck_assert_int_eq(pending, 2);
			ck_assert_int_eq(at_once, 1);
			ck_assert_int_eq(woken, 1);
		} else
			ck_assert_int_eq(e.n, 0);
		run_set_sink(w->run, (EventSink){ NULL, NULL });
		unmake(&m);
	}
}
END_TEST

/* What a sleep channel is called in a trace or a deadlock message. */
START_TEST(test_chan_names)
{
	Made m = make("profile openbsd-7.6\nudp a\nudp b\nthread t:\n\tsleep 1ms\n");
	static const struct { uint32_t chan; const char *name; } want[] = {
		{ CHAN(CH_SB_CC, 1, SB_RCV), "b.so_rcv.sb_cc" },
		{ CHAN(CH_SB_CC, 0, SB_SND), "a.so_snd.sb_cc" },
		{ CHAN(CH_SB_FLAGS, 1, SB_SND), "b.so_snd.sb_flags" },
		{ CHAN(CH_SB_FLAGS, 0, SB_RCV), "a.so_rcv.sb_flags" },
		{ CHAN(CH_MBUF, 0, 0), "the mbuf pool" },
		{ CHAN(CH_PAUSE, 0, 0), "a pause timer" },
		{ CHAN(CH_UPCALL, 1, 0), "the upcall of b" },
		{ CHAN(CH_TASKQ, 0, 0), "its empty work queue" },
		{ CHAN(CH_KNOT, 3, 0), "splice_state 3" },
		{ CHAN(CH_SEL, 0, SB_RCV), "a.so_rcv.sb_sel" },
		{ CHAN(CH_SEL, 1, SB_SND), "b.so_snd.sb_sel" },
		{ CHAN(CH_SOREF, 1, 0), "b.so_refcnt" },
		{ CHAN(0x42, 0, 0), "channel 0x42000000" },
	};
	char buf[64];

	for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
		sched_chan_name(m.w, want[i].chan, buf, sizeof buf);
		ck_assert_str_eq(buf, want[i].name);
	}
	unmake(&m);
}
END_TEST

/*
 * The trace reports so_state and sb_flags changes before the next event;
 * nobody listening, nothing is built or remembered.  A bit with no name
 * is still reported ("?"); bits set and cleared at once are both said.
 */
START_TEST(test_state_change_reports)
{
	Made m = make("udp u\nthread t:\n\tsleep 1ms\n");
	World *w = m.w;
	Evs e;

	emit_event(w, EVK_NOTE, "x", -1, -1, 0, 0, 0, "nobody hears this");
	emit_event_v(w, EVK_NOTE, "x", -1, -1, EV(0), "nor this");
	trace_state_changes(w);
	ck_assert(!w->run->shadow_valid);

	listen_to(w, &e);
	trace_state_changes(w);         /* the first: what is there now */
	ck_assert(w->run->shadow_valid);
	ck_assert_int_eq(e.n, 0);
	w->socks[0].state |= SS_CANTRCVMORE | 0x4000;
	trace_state_changes(w);
	ck_assert_int_eq(e.n, 1);
	ck_assert_int_eq(e.ev[0].kind, EVK_SOSTATE);
	ck_assert_str_eq(e.ev[0].detail, "u: +SS_CANTRCVMORE|?");
	w->socks[0].state = SS_CANTSENDMORE;
	w->socks[0].rcv.flags = SB_SEL;
	trace_state_changes(w);
	ck_assert_int_eq(e.n, 3);
	ck_assert_str_eq(e.ev[1].detail, "u: +SS_CANTSENDMORE -SS_CANTRCVMORE|?");
	ck_assert_int_eq(e.ev[2].kind, EVK_SBFLAGS);
	ck_assert_str_eq(e.ev[2].detail, "u.so_rcv: +SB_SEL");
	w->socks[0].rcv.flags = 0;
	emit_event(w, EVK_NOTE, "x", -1, -1, 0, 0, 0, "heard");
	ck_assert_int_eq(e.n, 5);
	ck_assert_str_eq(e.ev[3].detail, "u.so_rcv: -SB_SEL");
	ck_assert_str_eq(e.ev[4].detail, "heard");
	run_set_sink(w->run, (EventSink){ NULL, NULL });
	unmake(&m);
}
END_TEST

/* A trace that begins at step 1 announces the scenario's `at` events
 * planned before it, and not the timers the first step armed. */
START_TEST(test_trace_starts_late)
{
	Made m = make("udp u\nat 2ms datagram u from 10.0.0.2:4000 len 10\n"
	    "thread t:\n\tsleep 5ms\n");
	World *w = m.w;
	Evs e;
	const Ev *arm;

	ck_assert(sched_step(w));
	ck_assert_uint_eq(w->step, 1);
	ck_assert_uint_eq(w->nwork, 2);         /* the datagram and t's timeout */
	listen_to(w, &e);
	trace_state_changes(w);
	ck_assert_int_eq(count_kind(&e, EVK_ARM), 1);
	arm = find_kind(&e, EVK_ARM);
	ck_assert_str_eq(arm->routine, "at");
	ck_assert_int_eq(arm->v[0], 2 * MS);
	ck_assert_msg(has(arm->detail, "the scenario's event 1 is planned for 0.002000 s"), "%s",
	    arm->detail);
	run_set_sink(w->run, (EventSink){ NULL, NULL });
	unmake(&m);
}
END_TEST

/* A kernel thread asleep elsewhere than on its empty queue (on a lock)
 * is not idle: a deadlock names it, and with every scenario thread
 * finished the run is a deadlock, not a finished run. */
START_TEST(test_kthread_asleep_on_lock)
{
	static const char *const texts[] = {
		"profile openbsd-7.6\nudp a\nthread t:\n\trecv a 10\n",
		"profile openbsd-7.6\nudp a\nthread t:\n\tsoerror a => 0\n",
	};

	for (int k = 0; k < 2; k++) {
		Made m = make(texts[k]);
		Thread *q = &m.w->threads[m.w->tid_taskq];
		const char *msg = m.w->run->deadlock_msg;

		ck_assert_int_eq(q->state, TS_SLEEP);
		q->wchan = CHAN(CH_SB_FLAGS, 0, SB_RCV);
		q->wmesg = "netlck";
		sched_run(m.w);
		ck_assert_int_eq(m.w->stop, STOP_DEADLOCK);
		ck_assert_msg(has(msg, "thread sosplice sleeps on a.so_rcv.sb_flags (\"netlck\")"), "%s", msg);
		ck_assert_msg(has(msg, "thread t sleeps on a.so_rcv.sb_cc") == (k == 0), "%s", msg);
		ck_assert(!has(msg, "softclock"));
		unmake(&m);
	}
}
END_TEST

/* A world with no limits (0 in its run: a world made without a scenario
 * has none) runs to its end; and a finished run, run again, stays as it
 * ended. */
START_TEST(test_no_limits)
{
	Made m = make("tcp a b\nthread w:\n\tsend a 5000 => 5000\nthread r:\n\trecv b 5000 WAITALL => 5000\n");
	World *w = m.w;
	uint64_t steps;

	w->run->limit_steps = w->run->limit_bytes = 0;
	w->run->limit_time = 0;
	ck_assert_int_eq(sched_run(w), STOP_DONE);
	ck_assert_int_eq(w->nfails, 0);
	ck_assert_uint_eq(w->bytes_moved, 5000);
	steps = w->step;
	ck_assert_int_eq(sched_run(w), STOP_DONE);
	ck_assert_uint_eq(w->step, steps);
	unmake(&m);
}
END_TEST

/* ---- world_hash.c ---- */

/*
 * More pending work than the hash's buffer holds (16 KiB) is hashed by
 * streaming it: two worlds alike hash alike, a change to the last item
 * changes the hash, and the explorer's cached hash is the same value.
 */
START_TEST(test_hash_streams)
{
	Made a = make("udp u\nthread t:\n\tsleep 1ms\n"), b = make("udp u\nthread t:\n\tsleep 1ms\n");
	HashCache *c = g_new0(HashCache, 1);
	uint64_t h;

	for (int i = 0; i < 1500; i++) {
		work_push(a.w, 5 * MS + i, KW_SCENARIO, (uint32_t)i, 0);
		work_push(b.w, 5 * MS + i, KW_SCENARIO, (uint32_t)i, 0);
	}
	h = world_hash(a.w);
	ck_assert_uint_eq(world_hash(b.w), h);
	hash_cache_reset(c);
	ck_assert_uint_eq(world_hash_cached(a.w, c), h);
	/* full splice queues too: 16 KiB of handles */
	a.w->ntaskq = b.w->ntaskq = G_N_ELEMENTS(a.w->taskq);
	a.w->nclockq = b.w->nclockq = G_N_ELEMENTS(a.w->clockq);
	h = world_hash(a.w);
	ck_assert_uint_eq(world_hash(b.w), h);
	b.w->clockq[b.w->nclockq - 1].g++;
	ck_assert_uint_ne(world_hash(b.w), h);
	b.w->clockq[b.w->nclockq - 1].g--;
	ck_assert_uint_eq(world_hash(b.w), h);
	b.w->work[b.w->work_head + b.w->nwork - 1].time++;
	ck_assert_uint_ne(world_hash(b.w), h);
	b.w->work[b.w->work_head + b.w->nwork - 1].time--;
	b.w->work[b.w->work_head + b.w->nwork - 1].a++;
	ck_assert_uint_ne(world_hash(b.w), h);
	g_free(c);
	unmake(&a);
	unmake(&b);
}
END_TEST

/*
 * A broken chain (a cycle, which the invariants report) still hashes, in
 * bounded time: the walks stop after as many mbufs as are live.  And
 * tcp_output's cached place in so_snd (t_lastm) is hashed by what it is:
 * a place in the buffer, an mbuf elsewhere, or a freed one.
 */
START_TEST(test_hash_broken_chain)
{
	Made m = make("tcp a b\nthread t:\n\tsleep 1ms\n");
	World *w = m.w;
	Ref m1 = m_get(w, M_DONTWAIT, MT_DATA), m2 = m_get(w, M_DONTWAIT, MT_DATA);
	Ref m3 = m_get(w, M_DONTWAIT, MT_DATA), m4 = m_get(w, M_DONTWAIT, MT_DATA);
	uint64_t in_buffer, elsewhere, stale;

	mb(w, m1)->next = m2;
	mb(w, m2)->next = m1;           /* a cycle */
	mb(w, m1)->nextpkt = m4;        /* and a record after it */
	mb(w, m1)->len = mb(w, m2)->len = 10;
	w->socks[0].snd.mb = m1;
	w->socks[0].tp.lastm = m1;
	in_buffer = world_hash(w);
	ck_assert_uint_eq(world_hash(w), in_buffer);
	w->socks[0].tp.lastm = m3;      /* not in so_snd: the walk goes round to its end */
	elsewhere = world_hash(w);
	ck_assert_uint_ne(elsewhere, in_buffer);
	m_free(w, m3);
	stale = world_hash(w);
	ck_assert_uint_ne(stale, elsewhere);
	ck_assert_uint_ne(stale, in_buffer);
	ck_assert_int_eq(w->violation, V_NONE);
	unmake(&m);
}
END_TEST

/*
 * A frame's mbuf handles are hashed by where they point, never by slot:
 * sosend's `tail` inside the chain its `top` holds is named by its place
 * there, so the same frame over mbufs in other slots hashes the same,
 * and a tail at another place does not.  A frame whose socket handle is
 * not one of the world's finds the handle in any socket's buffer.
 */
static uint64_t
hash_sosend_frame(int skip, int tail_at, Ref so)
{
	Made m = make("tcp a b\nthread t:\n\tsleep 1ms\n");
	World *w = m.w;
	Ref spare[4], top, tail;
	Frame *f;
	uint64_t h;

	for (int i = 0; i < skip; i++)         /* the slots the others would take */
		spare[i] = m_get(w, M_DONTWAIT, MT_DATA);
	top = m_get(w, M_DONTWAIT, MT_DATA);
	tail = m_get(w, M_DONTWAIT, MT_DATA);
	w->socks[1].rcv.mb = m_get(w, M_DONTWAIT, MT_DATA);     /* in b's so_rcv */
	for (int i = 0; i < skip; i++)
		m_free(w, spare[i]);
	mb(w, top)->next = tail;
	mb(w, top)->len = mb(w, tail)->len = 100;
	f = machine_call(w, 0, MACH_SOSEND);
	f->u.ss.so = so;
	f->u.ss.top = tail_at == 3 ? REF_NULL : top;
	f->u.ss.tail = tail_at == 0 ? top : tail_at == 2 ? w->socks[1].rcv.mb :
	    tail_at == 4 ? m_get(w, M_DONTWAIT, MT_DATA) : tail;
	h = world_hash(w);
	unmake(&m);
	return h;
}

START_TEST(test_hash_frame_handles)
{
	Ref a = { 1, 0 }, none = { 0, 0 }, past = { 9, 0 };
	uint64_t h = hash_sosend_frame(0, 1, a);

	ck_assert_uint_eq(hash_sosend_frame(3, 1, a), h);     /* other slots */
	ck_assert_uint_ne(hash_sosend_frame(0, 0, a), h);     /* the tail at the top */
	ck_assert_uint_ne(hash_sosend_frame(0, 2, a), h);     /* in b's buffer */
	ck_assert_uint_eq(hash_sosend_frame(0, 2, none), hash_sosend_frame(2, 2, none));
	ck_assert_uint_eq(hash_sosend_frame(0, 2, past), hash_sosend_frame(3, 2, past));
	ck_assert_uint_ne(hash_sosend_frame(0, 2, none), hash_sosend_frame(0, 1, none));
	/* no top: the tail heads a chain of its own, named by its shape */
	ck_assert_uint_eq(hash_sosend_frame(0, 3, a), hash_sosend_frame(2, 3, a));
	ck_assert_uint_ne(hash_sosend_frame(0, 3, a), h);
	/* a tail in no chain top holds: a chain of its own too */
	ck_assert_uint_eq(hash_sosend_frame(0, 4, a), hash_sosend_frame(3, 4, a));
	ck_assert_uint_ne(hash_sosend_frame(0, 4, a), h);
}
END_TEST

/*
 * The chain digests sbcheck notes as it walks are taken for the world and
 * the tick they were noted in, and no other: the cached hash equals the
 * full one before any step, after steps, and for a clone that shares the
 * run.  A note for a buffer that cannot be is ignored.
 */
START_TEST(test_hash_noted_digests)
{
	Made m = make("tcp a b\nthread w:\n\tsend a 3000 => 3000\nthread r:\n\trecv b 3000 WAITALL => 3000\n");
	World *w = m.w, *c;
	HashCache *hc = g_new0(HashCache, 1);
	Run *r = w->run;
	uint64_t tick;

	r->check_touched = true;        /* sbcheck notes the digests it walks */
	hash_cache_reset(hc);
	ck_assert_uint_eq(r->tick, 0);
	ck_assert(invariants_check(w));        /* notes, before any step */
	ck_assert_ptr_eq(r->chain_world, w);
	ck_assert_uint_eq(world_hash_cached(w, hc), world_hash(w));
	for (int i = 0; i < 12 && sched_step(w); i++) {
		Footprint all = { .flags = FP_ALL };

		hash_cache_touch(hc, &all);
		ck_assert_uint_eq(world_hash_cached(w, hc), world_hash(w));
	}
	ck_assert_ptr_eq(r->chain_world, w);
	c = world_clone(w);
	hash_cache_reset(hc);
	ck_assert_uint_eq(world_hash_cached(c, hc), world_hash(w));
	tick = r->chain_tick[0][SB_SND];
	chain_note(w, -1, SB_RCV, 1);
	chain_note(w, WORLD_MAX_SOCKETS, SB_RCV, 1);
	chain_note(w, 0, 2, 1);
	ck_assert_uint_eq(r->chain_tick[0][SB_SND], tick);
	ck_assert_ptr_eq(r->chain_world, w);
	chain_note(c, 0, SB_SND, 1);    /* for the clone: the notes of w go */
	ck_assert_ptr_eq(r->chain_world, c);
	ck_assert_uint_eq(r->chain_tick[1][SB_RCV], 0);
	world_free(c);
	g_free(hc);
	unmake(&m);
}
END_TEST

/* The op results that failed are part of the value, all of them counted
 * though only the first 16 are kept. */
START_TEST(test_hash_many_fails)
{
	GString *t = g_string_new("udp v\nthread t:\n");
	Made m;
	uint64_t h;

	for (int i = 0; i < 20; i++)
		g_string_append(t, "\tsoerror v => 5\n");
	m = make(t->str);
	g_string_free(t, TRUE);
	ck_assert_int_eq(sched_run(m.w), STOP_DONE);
	ck_assert_int_eq(m.w->nfails, 20);
	h = world_hash(m.w);
	m.w->nfails = 19;
	ck_assert_uint_ne(world_hash(m.w), h);
	m.w->nfails = 20;
	ck_assert_uint_eq(world_hash(m.w), h);
	unmake(&m);
}
END_TEST

/* ---- snapshot.c, seek.c ---- */

/*
 * A snapshot keeps the bytes of live mbufs: none of one that holds none,
 * and none of one whose cluster handle is not a cluster (a stale one, on
 * which the run stops): restored, such a world is the world it was.
 */
START_TEST(test_snapshot_odd_mbufs)
{
	Made m = make("tcp a b\nthread t:\n\tsleep 1ms\n");
	World *w = m.w, *c;
	Ref empty = m_get(w, M_DONTWAIT, MT_DATA), bad = m_get(w, M_DONTWAIT, MT_DATA);
	Ref past = m_get(w, M_DONTWAIT, MT_DATA);
	Snapshot *s;
	uint64_t h;

	mb(w, bad)->flags |= M_EXT;
	mb(w, bad)->ext = (Ref){ 0, 0 };
	mb(w, bad)->len = 5;
	mb(w, past)->flags |= M_EXT;
	mb(w, past)->ext = (Ref){ w->nclusters + 3, 0 };
	mb(w, past)->len = 7;
	w->socks[0].snd.mb = empty;
	mb(w, empty)->next = bad;
	mb(w, bad)->next = past;
	h = world_hash(w);
	s = snapshot_take(w);
	c = world_clone(w);
	ck_assert_uint_eq(world_hash(c), h);
	mb(w, empty)->len = 0;
	mb(w, bad)->len = 9;
	ck_assert_uint_ne(world_hash(w), h);
	snapshot_restore(s, w);
	ck_assert_uint_eq(world_hash(w), h);
	ck_assert_uint_eq(snapshot_step(s), 0);
	snapshot_free(s);
	snapshot_free(NULL);
	world_free(c);
	unmake(&m);
}
END_TEST

/*
 * A seeker whose snapshots may take next to no memory keeps two at
 * least, spaced ever wider, and still reaches every step as the run
 * played straight did; with no spacing asked, the default one.
 */
START_TEST(test_seek_tiny_cap)
{
	static const char text[] = "tcp a b\nthread w:\n\tsend a 20000 => 20000\n"
	    "thread r:\n\trecv b 20000 WAITALL => 20000\n";
	Made play = make(text), sm = make(text);
	GArray *hashes = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	Seeker *sk;
	uint64_t h = world_hash(play.w), last;

	g_array_append_val(hashes, h);
	while (sched_step(play.w)) {
		h = world_hash(play.w);
		g_array_append_val(hashes, h);
	}
	invariants_check_end(play.w);
	last = play.w->step;
	ck_assert_uint_gt(last, 40);
	sk = seeker_new(sm.w, 4, 1);
	ck_assert_uint_eq(seeker_seek(sk, last + 10), last);
	ck_assert_uint_eq(seeker_last(sk), last);
	ck_assert_uint_le(seeker_snapshots(sk), 2);
	ck_assert_uint_gt(seeker_every(sk), 4);
	ck_assert_uint_gt(seeker_bytes(sk), 1);
	for (uint64_t n = 0; n < last; n += 7) {
		ck_assert_uint_eq(seeker_seek(sk, n), n);
		ck_assert_uint_eq(world_hash(seeker_world(sk)), g_array_index(hashes, uint64_t, n));
	}
	seeker_free(sk);       /* frees its world */
	scenario_free(sm.s);
	sm = make(text);
	sk = seeker_new(sm.w, 0, 0);
	ck_assert_uint_eq(seeker_every(sk), SEEK_EVERY_DEFAULT);
	ck_assert_uint_eq(seeker_seek(sk, 10), 10);
	ck_assert_uint_eq(world_hash(seeker_world(sk)), g_array_index(hashes, uint64_t, 10));
	ck_assert_uint_eq(seeker_replayed(sk), 10);
	seeker_free(sk);
	seeker_free(NULL);
	scenario_free(sm.s);
	g_array_free(hashes, TRUE);
	unmake(&play);
}
END_TEST

/* A world that stopped before its first step (a `schedule` that cannot
 * start) is at its end for a seeker: no step is taken. */
START_TEST(test_seek_stopped_world)
{
	Made m = make("tcp a b\nthread t:\n\tsleep 1ms\nschedule softnet\n");
	Seeker *sk;

	ck_assert(!sched_step(m.w));
	ck_assert_int_eq(m.w->stop, STOP_LIMIT);
	sk = seeker_new(m.w, 4, 0);
	ck_assert_uint_eq(seeker_last(sk), 0);
	ck_assert_uint_eq(seeker_seek(sk, 5), 0);
	ck_assert_uint_eq(seeker_world(sk)->step, 0);
	ck_assert_int_eq(seeker_world(sk)->stop, STOP_LIMIT);
	seeker_free(sk);
	scenario_free(m.s);
}
END_TEST

/* The read-only views of observers (the trace, the viewers): whatever
 * they are asked, a handle or index that names nothing gives NULL. */
START_TEST(test_views)
{
	Made m = make("tcp a b\nthread t:\n\tsend a 100 => 100\n");
	World *w = m.w;
	Ref x = m_get(w, M_DONTWAIT, MT_DATA), y = m_get(w, M_DONTWAIT, MT_DATA);
	Mbuf *my = mb(w, y);
	const Cluster *c;

	ck_assert_ptr_nonnull(world_mbuf(w, x));
	ck_assert_ptr_null(world_mbuf(w, REF_NULL));
	ck_assert_ptr_null(world_mbuf(w, (Ref){ w->nmbufs, x.g }));
	ck_assert_ptr_null(world_mbuf(w, (Ref){ x.i, x.g + 1 }));
	ck_assert_ptr_null(world_cluster(w, NULL));
	ck_assert_ptr_null(world_cluster(w, world_mbuf(w, x)));        /* no M_EXT */
	ck_assert(m_clget(w, y));
	c = world_cluster(w, world_mbuf(w, y));
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->refcnt, 1);
	my->ext.g++;
	ck_assert_ptr_null(world_cluster(w, my));      /* another generation */
	my->ext.g--;
	my->ext.i += w->nclusters;
	ck_assert_ptr_null(world_cluster(w, my));
	my->ext.i -= w->nclusters;
	ck_assert_ptr_nonnull(world_cluster(w, my));
	ck_assert_ptr_eq(world_socket(w, 1), &w->socks[1]);
	ck_assert_ptr_null(world_socket(w, 2));
	ck_assert_ptr_null(world_socket(w, -1));
	ck_assert_ptr_eq(world_thread(w, 0), &w->threads[0]);
	ck_assert_ptr_null(world_thread(w, 1));
	ck_assert_ptr_null(world_thread(w, -1));
	ck_assert_ptr_null(world_segment(w, w->nsegs));
	ck_assert_int_eq(w->violation, V_NONE);
	unmake(&m);
}
END_TEST

/* Names of errors, routines and costs: one not in the tables is said so,
 * and a world that did nothing has no shares. */
START_TEST(test_registries)
{
	Made m = make("udp u\nthread t:\n\tsleep 1ms\n");

	ck_assert_str_eq(errno_name(K_EPIPE), "EPIPE");
	ck_assert_str_eq(errno_name(9999), "E?9999");
	ck_assert_int_eq(errno_from_name("EAGAIN"), K_EWOULDBLOCK);
	ck_assert_int_eq(errno_from_name("ENOSUCH"), 0);
	ck_assert_int_ge(cost_routine_find("soreceive"), 0);
	ck_assert_int_eq(cost_routine_find("no_such_routine"), -1);
	memset(m.w->cost, 0, sizeof m.w->cost);
	ck_assert(cost_total(m.w) == 0);
	ck_assert_int_eq(cost_share_bp(m.w, cost_routine_find("soreceive")), 0);
	m.w->cost[cost_routine_find("soreceive")].calls = 3;
	m.w->cost[cost_routine_find("sosend")].calls = 1;
	ck_assert_int_eq(cost_share_bp(m.w, cost_routine_find("soreceive")), 7500);
	unmake(&m);
}
END_TEST

/* Footprints: what a step records, and when two steps may be reordered. */
START_TEST(test_footprints)
{
	Made m = make("udp u\nthread t:\n\tsleep 1ms\n");
	World *w = m.w;
	Footprint none = { 0 }, a, b;

	fp_thread(w, 0);
	fp_sock(w, 0);
	ck_assert(memcmp(&w->run->fp, &none, sizeof none) == 0);       /* not recording */
	w->run->fp_on = true;
	fp_thread(w, -1);       /* softnet is no thread */
	ck_assert(memcmp(&w->run->fp, &none, sizeof none) == 0);
	fp_thread(w, 3);
	fp_sock(w, 40);
	fp_chan(w, CHAN(CH_SB_CC, 0, SB_RCV));
	fp_flag(w, FP_QUEUE);
	ck_assert_uint_eq(w->run->fp.threads, 1u << 3);
	ck_assert_uint_eq(w->run->fp.socks, 1u << 31);
	ck_assert_uint_ne(w->run->fp.chans, 0);
	ck_assert_uint_eq(w->run->fp.flags, FP_QUEUE);
	w->run->fp_on = false;

	a = b = none;
	ck_assert(!fp_dependent(&a, &b));
	a.socks = 1;
	b.socks = 2;
	ck_assert(!fp_dependent(&a, &b));
	b.socks = 3;
	ck_assert(fp_dependent(&a, &b));
	b.socks = 2;
	a.threads = b.threads = 4;
	ck_assert(fp_dependent(&a, &b));
	b.threads = 8;
	a.chans = b.chans = 1ull << 40;
	ck_assert(fp_dependent(&a, &b));
	b.chans = 1;
	ck_assert(!fp_dependent(&a, &b));
	a.flags = FP_WORK_PUSH;
	ck_assert(!fp_dependent(&a, &b));      /* a push and a pop commute */
	b.flags = FP_WORK_PUSH;
	ck_assert(fp_dependent(&a, &b));       /* two pushes: their order is seen */
	a.flags = b.flags = FP_POOL;
	ck_assert(fp_dependent(&a, &b));
	b.flags = FP_KMEM;
	ck_assert(!fp_dependent(&a, &b));
	b.flags = FP_ALL;
	ck_assert(fp_dependent(&a, &b));
	unmake(&m);
}
END_TEST

static Suite *
engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc;

	tc = tcase_create("world");
	tcase_add_test(tc, test_kthread_names);
	tcase_add_test(tc, test_world_without_names);
	tcase_add_test(tc, test_sock_ref);
	tcase_add_test(tc, test_seed_zero);
	tcase_add_test(tc, test_views);
	tcase_add_test(tc, test_registries);
	tcase_add_test(tc, test_footprints);
	suite_add_tcase(s, tc);

	tc = tcase_create("machine");
	tcase_add_test(tc, test_machine_table);
	tcase_add_test(tc, test_undeclared_transition);
	tcase_add_test(tc, test_call_depth);
	tcase_add_test(tc, test_step_without_end);
	tcase_add_test(tc, test_sleep_without_contexts);
	tcase_add_exit_test(tc, test_refused_too_many_states, REFUSED);
	tcase_add_exit_test(tc, test_refused_undeclared_yield, REFUSED);
	tcase_add_exit_test(tc, test_refused_atomic_yield, REFUSED);
	tcase_add_exit_test(tc, test_refused_atomic_return, REFUSED);
	tcase_add_test(tc, test_accepted_tables);
	suite_add_tcase(s, tc);

	tc = tcase_create("sched");
	tcase_add_test(tc, test_invariant_sets);
	tcase_add_test(tc, test_work_without_handler);
	tcase_add_test(tc, test_livelock_ring);
	tcase_add_test(tc, test_stale_sleep_timeout);
	tcase_add_test(tc, test_signals);
	tcase_add_test(tc, test_chan_names);
	tcase_add_test(tc, test_state_change_reports);
	tcase_add_test(tc, test_trace_starts_late);
	tcase_add_test(tc, test_kthread_asleep_on_lock);
	tcase_add_test(tc, test_no_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("value");
	tcase_add_test(tc, test_hash_streams);
	tcase_add_test(tc, test_hash_broken_chain);
	tcase_add_test(tc, test_hash_frame_handles);
	tcase_add_test(tc, test_hash_noted_digests);
	tcase_add_test(tc, test_hash_many_fails);
	tcase_add_test(tc, test_snapshot_odd_mbufs);
	tcase_add_test(tc, test_seek_tiny_cap);
	tcase_add_test(tc, test_seek_stopped_world);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(engine_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
