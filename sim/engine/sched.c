/*
 * sched.c: the scheduler, sleep/wakeup, timers and virtual time.
 *
 * At each preemption point the scheduler picks who runs next among the
 * runnable user threads and "softnet" (kernel work that is due: a segment
 * arriving, a timer).  The default policy (docs/scheduling.md):
 *   1. due kernel work first, earliest first (an interrupt preempts at the
 *      next spl drop);
 *   2. else the thread that ran last, if it is still runnable (the BSD
 *      kernel does not preempt a thread running in the kernel);
 *   3. else the next runnable thread after it, in declaration order.
 * A scenario's `schedule` line overrides the first picks; --seed picks at
 * random (a reproducible xorshift, stored in the world).  Virtual time
 * moves only when nothing is runnable: to the next due work.  Nothing
 * runnable and nothing due, or a quiet state seen before (only timers that
 * change nothing keep firing), is a deadlock.
 */
#include "machine.h"
#include "errno_names.h"
#include "sched.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void emit_flags(World *w, SimEventKind kind, int sock, int which, uint32_t before,
    uint32_t after);

/*
 * Changes of so_state and sb_flags are many and scattered through the
 * kernel; rather than an event at each, the trace compares them with what
 * it last reported before every event it sends, and reports each change
 * first.  A change is thus seen no later than the next event after it.
 */
void
trace_state_changes(World *w)
{
	Run *r = w->run;

	if (r->in_shadow || r->sink.fn == NULL)
		return;
	if (!r->shadow_valid) {
		for (int i = 0; i < w->nsocks; i++) {
			r->shadow_state[i] = w->socks[i].state;
			r->shadow_flags[i][SB_RCV] = w->socks[i].rcv.flags;
			r->shadow_flags[i][SB_SND] = w->socks[i].snd.flags;
		}
		r->shadow_valid = true;
		/* the scenario's `at` events, planned before the trace began */
		r->in_shadow = true;
		for (uint32_t k = 0; w->step <= 1 && k < w->nwork; k++) {
			const Work *x = &w->work[w->work_head + k];

			if (x->kind == KW_SCENARIO)
				emit_event(w, EVK_ARM, "at", -1, -1, x->time, TIMER_ID_SCENARIO(x->a), 0,
				    "the scenario's event %u is planned for %lld.%06lld s", x->a + 1,
				    (long long)(x->time / 1000000000), (long long)(x->time % 1000000000 / 1000));
		}
		r->in_shadow = false;
		return;
	}
	r->in_shadow = true;
	for (int i = 0; i < w->nsocks; i++) {
		const Socket *so = &w->socks[i];
		uint32_t now[2] = { so->rcv.flags, so->snd.flags };

		if (so->state != r->shadow_state[i]) {
			emit_flags(w, EVK_SOSTATE, i, -1, r->shadow_state[i], so->state);
			r->shadow_state[i] = so->state;
		}
		for (int b = 0; b < 2; b++)
			if (now[b] != r->shadow_flags[i][b]) {
				emit_flags(w, EVK_SBFLAGS, i, b, r->shadow_flags[i][b], now[b]);
				r->shadow_flags[i][b] = now[b];
			}
	}
	r->in_shadow = false;
}

static void
emit_vsend(World *w, SimEventKind kind, const char *routine, int sock, int which,
    const int64_t *v, const char *fmt, va_list ap)
{
	SimEvent ev;

	trace_state_changes(w);
	ev.step = w->step;
	ev.time = w->now;
	ev.thread = w->cur_thread;
	ev.kind = kind;
	ev.routine = routine;
	ev.from = ev.to = NULL;
	ev.sock = sock;
	ev.which = which;
	memcpy(ev.v, v, sizeof ev.v);
	vsnprintf(ev.detail, sizeof ev.detail, fmt, ap);
	w->run->sink.fn(w->run->sink.ctx, w, &ev);
}

/* "SS_A|SS_B" or "none" */
static void
bit_names(char *buf, size_t n, const char *const *names, uint32_t bits)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < 16 && len < n; i++)
		if ((bits >> i) & 1u)
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? "|" : "",
			    names[i] ? names[i] : "?");
	if (len == 0)
		snprintf(buf, n, "none");
}

static void
emit_flags(World *w, SimEventKind kind, int sock, int which, uint32_t before, uint32_t after)
{
	const char *const *names = kind == EVK_SOSTATE ? sostate_bit_names : sbflags_bit_names;
	char on[128], off[128];

	bit_names(on, sizeof on, names, after & ~before);
	bit_names(off, sizeof off, names, before & ~after);
	emit_event_v(w, kind, kind == EVK_SOSTATE ? "so_state" : "sb_flags", sock, which,
	    EV(before, after), "%s%s%s: %s%s%s%s%s", sock_name(w, sock), which < 0 ? "" : ".",
	    which < 0 ? "" : which == SB_RCV ? "so_rcv" : "so_snd",
	    after & ~before ? "+" : "", after & ~before ? on : "",
	    (after & ~before) && (before & ~after) ? " " : "",
	    before & ~after ? "-" : "", before & ~after ? off : "");
}

void
emit_event(World *w, SimEventKind kind, const char *routine, int sock, int which,
    int64_t a, int64_t b, int64_t c, const char *fmt, ...)
{
	int64_t v[EV_NFIELDS] = { a, b, c };
	va_list ap;

	if (w->run->sink.fn == NULL)
		return;
	va_start(ap, fmt);
	emit_vsend(w, kind, routine, sock, which, v, fmt, ap);
	va_end(ap);
}

void
emit_event_v(World *w, SimEventKind kind, const char *routine, int sock, int which,
    const int64_t *v, const char *fmt, ...)
{
	va_list ap;

	if (w->run->sink.fn == NULL)
		return;
	va_start(ap, fmt);
	emit_vsend(w, kind, routine, sock, which, v, fmt, ap);
	va_end(ap);
}

/*
 * ---- pending work, in firing order: (time, seq) ascending ----
 *
 * A sorted array rather than a heap: the queue holds tens of items, a new
 * one nearly always goes last (it is due no earlier than what is there,
 * and its seq is the largest), the first is taken off by moving
 * work_head, and the world hash reads the items in order without sorting
 * a copy (world_hash.c).
 */

void
work_push(World *w, int64_t time, int kind, uint32_t a, uint32_t gen)
{
	Work k = { time, w->work_seq++, (uint8_t)kind, a, gen };
	uint32_t i;

	fp_flag(w, FP_WORK_PUSH);
	if (w->work_head + w->nwork == w->capwork) {
		if (w->work_head > 0) {
			memmove(w->work, w->work + w->work_head, w->nwork * sizeof(Work));
			w->work_head = 0;
		}
		if (w->nwork == w->capwork) {
			w->capwork = w->capwork ? w->capwork * 2 : 64;
			w->work = g_realloc_n(w->work, w->capwork, sizeof(Work));
		}
	}
	/* its seq is the largest: it goes after every item due no later */
	for (i = w->work_head + w->nwork; i > w->work_head && w->work[i - 1].time > time; i--)
		w->work[i] = w->work[i - 1];
	w->work[i] = k;
	w->nwork++;
}

/* The next item to fire; the queue must not be empty. */
static const Work *
work_next(const World *w)
{
	return &w->work[w->work_head];
}

static Work
work_pop(World *w)
{
	Work top = w->work[w->work_head];

	w->nwork--;
	w->work_head = w->nwork > 0 ? w->work_head + 1 : 0;
	return top;
}

uint32_t
timer_gen_next(World *w)
{
	return ++w->timer_gen;
}

/* ---- sleep and wakeup ---- */

void
tsleep(World *w, int tid, uint32_t chan, const char *wmesg, bool intr, int64_t timeo)
{
	Thread *t = &w->threads[tid];

	fp_thread(w, tid);
	fp_chan(w, chan);
	t->state = TS_SLEEP;
	t->wchan = chan;
	t->wmesg = wmesg;
	t->intr = intr;
	t->wake_err = 0;
	t->sleep_gen++;
	w->stats.sleeps++;
	if (intr && t->sig_pending) {
		/* tsleep with PCATCH and a signal pending: EINTR without sleeping */
		t->sig_pending = 0;
		t->state = TS_RUN;
		t->wake_err = K_EINTR;
		emit(w, EVK_WAKEUP, wmesg, -1, -1, tid, K_EINTR, 0, "a pending signal interrupts the sleep");
		return;
	}
	if (timeo > 0) {
		work_push(w, w->now + timeo, KW_SLEEP_TIMEOUT, (uint32_t)tid, t->sleep_gen);
		emit(w, EVK_ARM, wmesg, -1, -1, w->now + timeo, TIMER_ID_SLEEP(tid, t->sleep_gen), 0,
		    "the sleep of %s times out at %lld.%06lld s unless woken", thread_name(w, tid),
		    (long long)((w->now + timeo) / 1000000000), (long long)((w->now + timeo) % 1000000000 / 1000));
	}
	if (tracing(w)) {
		char where[64];

		sched_chan_name(w, chan, where, sizeof where);
		emit_event(w, EVK_SLEEP, wmesg, -1, -1, chan, timeo, 0, "sleeps on %s (\"%s\")%s", where,
		    wmesg, timeo > 0 ? ", with a timeout" : "");
	}
}

static void
make_runnable(World *w, int tid, int err)
{
	Thread *t = &w->threads[tid];

	fp_thread(w, tid);
	t->state = TS_RUN;
	t->wake_err = err;
	t->sleep_gen++;
	w->stats.wakeups++;
	w->cost[R_WAKEUP].wakeups++;
	emit(w, EVK_WAKEUP, t->wmesg, -1, -1, tid, err, 0, "thread %s woken%s%s",
	    thread_name(w, tid), err ? " with " : "", err ? errno_name(err) : "");
}

void
wakeup(World *w, uint32_t chan)
{
	w->cost[R_WAKEUP].calls++;
	fp_chan(w, chan);
	for (int i = 0; i < w->nthreads; i++) {
		Thread *t = &w->threads[i];

		if (t->state == TS_SLEEP && t->wchan == chan)
			make_runnable(w, i, 0);
	}
}

void
sched_chan_name(const World *w, uint32_t chan, char *buf, size_t n)
{
	int kind = (int)(chan >> 24), sock = (int)((chan >> 4) & 0xfffff), which = (int)(chan & 0xf);

	switch (kind) {
	case CH_SB_CC:
		snprintf(buf, n, "%s.%s.sb_cc", sock_name(w, sock), which == SB_RCV ? "so_rcv" : "so_snd");
		break;
	case CH_SB_FLAGS:
		snprintf(buf, n, "%s.%s.sb_flags", sock_name(w, sock), which == SB_RCV ? "so_rcv" : "so_snd");
		break;
	case CH_MBUF:
		snprintf(buf, n, "the mbuf pool");
		break;
	case CH_PAUSE:
		snprintf(buf, n, "a pause timer");
		break;
	case CH_UPCALL:
		snprintf(buf, n, "the upcall of %s", sock_name(w, sock));
		break;
	case CH_TASKQ:
		snprintf(buf, n, "its empty work queue");
		break;
	case CH_KNOT:
		snprintf(buf, n, "splice_state %d", sock);
		break;
	case CH_SEL:
		snprintf(buf, n, "%s.%s.sb_sel", sock_name(w, sock), which == SB_RCV ? "so_rcv" : "so_snd");
		break;
	case CH_SOREF:
		snprintf(buf, n, "%s.so_refcnt", sock_name(w, sock));
		break;
	default:
		snprintf(buf, n, "channel %#x", chan);
	}
}

/* ---- kernel work ---- */

void
sched_signal(World *w, int tid)
{
	Thread *t = &w->threads[tid];

	fp_thread(w, tid);
	if (t->state == TS_SLEEP && t->intr)
		make_runnable(w, tid, K_EINTR);
	else if (t->state != TS_DONE && t->depth <= 1) {
		/* in user mode: the handler runs on the way back; no call is hurt */
		emit(w, EVK_NOTE, "signal", -1, -1, tid, 0, 0, "signal to %s: handled in user mode",
		    thread_name(w, tid));
	} else if (t->state != TS_DONE) {
		/* stays pending: the next interruptible tsleep returns EINTR at once */
		t->sig_pending = 1;
		emit(w, EVK_NOTE, "signal", -1, -1, tid, 0, 0, "signal to %s: pending",
		    thread_name(w, tid));
	}
}

/* ---- registered kernel work and invariants ---- */

static const WorkHandler sleep_timeout_handler;
/* The engine's own kind (the tsleep timeout) is in the table from the
 * start; the layers above register the rest. */
static const WorkHandler *work_handlers[KW__COUNT] = {
	[KW_SLEEP_TIMEOUT] = &sleep_timeout_handler,
};
static const InvariantSet *invariant_sets[4];
static int ninvariant_sets;

void
sched_register_work(int kind, const WorkHandler *h)
{
	if (kind >= 0 && kind < KW__COUNT)
		work_handlers[kind] = h;
}

void
sched_register_invariants(const InvariantSet *set)
{
	for (int i = 0; i < ninvariant_sets; i++)
		if (invariant_sets[i] == set)
			return;
	if (ninvariant_sets < (int)(sizeof invariant_sets / sizeof invariant_sets[0]))
		invariant_sets[ninvariant_sets++] = set;
}

static bool
invariants_over(World *w, uint32_t socks)
{
	for (int i = 0; i < ninvariant_sets; i++)
		if (invariant_sets[i]->step && !invariant_sets[i]->step(w, socks))
			return false;
	return true;
}

bool
invariants_check(World *w)
{
	return invariants_over(w, ~0u);
}

/*
 * After a step: every socket, or, when the run records footprints and
 * asks for it (Run.check_touched, the restoring explorer), only those the
 * step reached.  A socket no step reached is as it was when it was last
 * checked; the sockets whose SB_LOCK a thread of the step holds are
 * added, since a thread that exits leaves its locks behind.
 */
static void
invariants_after_step(World *w)
{
	uint32_t socks = ~0u;
	const Footprint *fp = &w->run->fp;

	if (w->run->fp_on && w->run->check_touched && !(fp->flags & FP_ALL)) {
		socks = fp->socks;
		if (fp->threads != 0)
			for (int i = 0; i < w->nsocks; i++) {
				int r = w->socks[i].rcv.lock_owner, s = w->socks[i].snd.lock_owner;

				if ((r >= 0 && ((fp->threads >> r) & 1u)) || (s >= 0 && ((fp->threads >> s) & 1u)))
					socks |= sock_bit(i);
			}
	}
	invariants_over(w, socks);
}

bool
invariants_check_end(World *w)
{
	for (int i = 0; i < ninvariant_sets; i++)
		if (invariant_sets[i]->end && !invariant_sets[i]->end(w))
			return false;
	return true;
}

/* The engine's own kind of work: a tsleep timeout. */
static void
sleep_timeout_fire(World *w, uint32_t tid, uint32_t gen)
{
	Thread *t = &w->threads[tid];

	fp_thread(w, (int)tid);
	if (t->state == TS_SLEEP && t->sleep_gen == gen) {
		emit(w, EVK_TIMER, t->wmesg, -1, -1, tid, TIMER_ID_SLEEP(tid, gen), 0, "sleep timeout of %s",
		    thread_name(w, (int)tid));
		make_runnable(w, (int)tid, K_EWOULDBLOCK);
	}
}

static bool
sleep_timeout_stale(const World *w, uint32_t tid, uint32_t gen)
{
	return w->threads[tid].state != TS_SLEEP || w->threads[tid].sleep_gen != gen;
}

static const WorkHandler sleep_timeout_handler = {
	"sleep timeout", sleep_timeout_fire, sleep_timeout_stale, false,
};

static const WorkHandler *
handler(int kind)
{
	return work_handlers[kind];
}

static void
softnet_run(World *w)
{
	Work k = work_pop(w);
	const WorkHandler *h = handler(k.kind);

	if (h == NULL) {
		world_violation(w, V_LIMIT, "kernel work of kind %d has no handler registered", k.kind);
		return;
	}
	h->fire(w, k.a, k.gen);
}

bool
sched_work_moot(const World *w, const Work *k)
{
	const WorkHandler *h = handler(k->kind);

	return h != NULL && h->stale != NULL && h->stale(w, k->a, k->gen);
}

/* Drop timers at the front of the queue that were cancelled or re-armed. */
static void
prune_stale(World *w)
{
	while (w->nwork > 0 && sched_work_moot(w, work_next(w)))
		work_pop(w);
}

/* Is there kernel work due now?  Stale timers are dropped here. */
static bool
softnet_due(World *w)
{
	prune_stale(w);
	return w->nwork > 0 && work_next(w)->time <= w->now;
}

/* ---- picking ---- */

static uint64_t
rng_next(World *w)
{
	uint64_t x = w->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	w->rng = x;
	return x;
}

/*
 * Who may run next: nobody inside a context a stopped thread holds that
 * excludes them (contexts.def).  So on a kernel that does not preempt
 * (NetBSD 1.6 and 2.0: a thread in the kernel runs until it sleeps or
 * returns to user mode, and only interrupts run in between), a thread
 * stopped at a preemption point inside a system call, in context
 * `kernel`, can be followed only by softnet or by itself.  No thread
 * stops where softnet may not run: machine_register refuses a
 * preemption point inside a context that excludes it.
 */
int
sched_candidates(World *w, int *out)
{
	int n = 0, holder = -1;

	/* a runnable thread stopped in a context that excludes the others */
	for (int i = 0; i < w->nthreads; i++)
		if (w->threads[i].state == TS_RUN && (context_defs[w->threads[i].ctx].excludes & EX_THREADS))
			holder = i;
	if (softnet_due(w))
		out[n++] = SCHED_SOFTNET;
	for (int i = 0; i < w->nthreads; i++)
		if (w->threads[i].state == TS_RUN && (holder < 0 || i == holder))
			out[n++] = i;
	return n;
}

int
sched_default(const World *w, const int *cand, int n)
{
	if (cand[0] == SCHED_SOFTNET)
		return SCHED_SOFTNET;
	if (w->last_thread >= 0 && w->threads[w->last_thread].state == TS_RUN)
		return w->last_thread;
	/* the next after it in declaration order, from the first again past
	 * the last: the candidates are threads here, in that order */
	for (int k = 0; k < n; k++)
		if (cand[k] > w->last_thread)
			return cand[k];
	return cand[0];
}

/* A --schedule plan: the default policy, except at the steps it names. */
static int
pick_plan(World *w, const int *cand, int n)
{
	const SchedDev *d;
	int who;

	/* an empty plan (--schedule default) may have no array at all */
	if (w->plan_pos >= w->run->nplan || (d = &w->run->plan[w->plan_pos])->step != w->step + 1)
		return sched_default(w, cand, n);
	w->plan_pos++;
	who = d->who < SCHED_SOFTNET ? world_kthread(w, SCHED_SOFTNET - d->who) : d->who;
	if (who < 0 && d->who < SCHED_SOFTNET)
		who = -2;
	for (int i = 0; i < n; i++)
		if (cand[i] == who)
			return who;
	w->stop = STOP_LIMIT;
	w->run->stop_schedule = true;
	snprintf(w->run->stop_msg, sizeof w->run->stop_msg,
	    "the schedule asks for %s at step %llu, but it cannot run then",
	    who == SCHED_SOFTNET ? "softnet (no kernel work is due)" :
	    who < 0 ? "a kernel thread this profile does not have" : thread_name(w, who),
	    (unsigned long long)d->step);
	return -2;
}

static int
pick(World *w, const int *cand, int n)
{
	const Run *r = w->run;

	if (r->plan_set)
		return pick_plan(w, cand, n);
	if (w->sched_pos < r->nscript) {
		int want = r->script[w->sched_pos];

		if (want < SCHED_SOFTNET) {
			int kind = SCHED_SOFTNET - want, k = world_kthread(w, kind);

			if (k < 0) {
				w->stop = STOP_LIMIT;
				w->run->stop_schedule = true;
				snprintf(w->run->stop_msg, sizeof w->run->stop_msg,
				    "%s:%d:%d: the schedule names the %s thread, but profile %s has no "
				    "socket splicing", r->path, r->script_pos.line, r->script_pos.col,
				    kthread_name(kind), w->prof->name);
				return -2;
			}
			want = k;
		}

		for (int i = 0; i < n; i++)
			if (cand[i] == want) {
				w->sched_pos++;
				return want;
			}
		w->stop = STOP_LIMIT;
		w->run->stop_schedule = true;
		snprintf(w->run->stop_msg, sizeof w->run->stop_msg,
		    "%s:%d:%d: the schedule asks for %s at entry %d, but it cannot run now",
		    r->path, r->script_pos.line, r->script_pos.col,
		    want == SCHED_SOFTNET ? "softnet (no kernel work is due)" : thread_name(w, want),
		    w->sched_pos + 1);
		return -2;
	}
	if (w->random_sched)
		return cand[rng_next(w) % (uint64_t)n];
	return sched_default(w, cand, n);
}

void
sched_set_plan(World *w, const SchedDev *d, int n)
{
	run_set_plan(w->run, d, n);
	w->plan_pos = 0;
}

int
sched_kernel_who(const char *name)
{
	if (strcmp(name, "softnet") == 0)
		return SCHED_SOFTNET;
	for (int kind = TK_USER + 1; kind < TK__COUNT; kind++)
		if (strcmp(kthread_name(kind), name) == 0)
			return SCHED_KTHREAD(kind);
	return SCHED_WHO_UNKNOWN;
}

/* A thread of this world by name (its kernel threads included), or softnet. */
static int
thread_by_name(const World *w, const char *name)
{
	if (strcmp(name, "softnet") == 0)
		return SCHED_SOFTNET;
	for (int i = 0; i < w->nthreads; i++)
		if (strcmp(thread_name(w, i), name) == 0)
			return i;
	return SCHED_WHO_UNKNOWN;
}

#define PLAN_QUOTE_MAX 40

static bool
plan_error(SchedPlanError *err, SchedPlanErrKind kind, int entry, size_t off, size_t len,
    const char *fmt, ...) G_GNUC_PRINTF(6, 7);

static bool
plan_error(SchedPlanError *err, SchedPlanErrKind kind, int entry, size_t off, size_t len,
    const char *fmt, ...)
{
	va_list ap;

	err->kind = kind;
	err->entry = entry;
	err->offset = off;
	err->len = len;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return false;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One STEP:WHO, text[off..off+len-1], the entry-th; prev the step before it (0: none). */
static bool
plan_entry(const char *text, size_t off, size_t len, int entry, uint64_t prev,
    SchedWhoFn lookup, void *ctx, SchedDev *d, SchedPlanError *err)
{
	const char *s = text + off, *colon = memchr(s, ':', len);
	size_t slen = colon ? (size_t)(colon - s) : 0, nlen = colon ? len - slen - 1 : 0;
	int q = (int)MIN(len, PLAN_QUOTE_MAX), qs = (int)MIN(slen, PLAN_QUOTE_MAX);
	uint64_t step = 0;
	char *name;

	if (len == 0)
		return plan_error(err, SCHED_PLAN_NOT_ENTRY, entry, off, 0,
		    "expected STEP:THREAD");
	if (colon == NULL || nlen == 0)
		return plan_error(err, SCHED_PLAN_NOT_ENTRY, entry, off, len,
		    "expected STEP:THREAD, not '%.*s%s'", q, s,
		    len > PLAN_QUOTE_MAX ? "..." : "");
	for (size_t i = 0; i < slen; i++) {
		if (!g_ascii_isdigit(s[i]) || step > (UINT64_MAX - 9) / 10) {
			step = 0;
			break;
		}
		step = step * 10 + (uint64_t)(s[i] - '0');
	}
	if (step == 0)
		return plan_error(err, SCHED_PLAN_BAD_STEP, entry, off, slen,
		    "'%.*s%s' is not a step number (from 1)", qs, s,
		    slen > PLAN_QUOTE_MAX ? "..." : "");
	if (step <= prev)
		return plan_error(err, SCHED_PLAN_ORDER, entry, off, slen,
		    "step %llu does not come after the one before", (unsigned long long)step);
	name = g_strndup(colon + 1, nlen);
	d->step = step;
	d->who = lookup(ctx, name);
	if (d->who == SCHED_WHO_UNKNOWN) {
		plan_error(err, SCHED_PLAN_UNKNOWN_WHO, entry, off + slen + 1, nlen,
		    "no thread named '%.*s%s'", (int)MIN(nlen, PLAN_QUOTE_MAX), name,
		    nlen > PLAN_QUOTE_MAX ? "..." : "");
		g_free(name);
		return false;
	}
	g_free(name);
	return true;
}

bool
sched_plan_parse_text(const char *text, SchedWhoFn lookup, void *ctx, SchedDev **out, int *n,
    SchedPlanError *err)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(SchedDev));
	size_t i = 0, len = strlen(text), start;
	uint64_t prev = 0;
	bool ok = true;

	memset(err, 0, sizeof *err);
	if (strcmp(text, "default") == 0)
		len = 0;
	while (i < len && is_blank(text[i]))
		i++;
	while (ok && i < len) {
		SchedDev d;

		for (start = i; i < len && text[i] != ',' && !is_blank(text[i]); i++)
			continue;
		ok = plan_entry(text, start, i - start, (int)a->len + 1, prev, lookup, ctx, &d, err);
		if (!ok)
			break;
		g_array_append_val(a, d);
		prev = d.step;
		while (i < len && is_blank(text[i]))
			i++;
		if (i < len && text[i] == ',') {
			/* after a comma, another entry */
			for (i++; i < len && is_blank(text[i]); i++)
				continue;
			if (i == len)
				ok = plan_entry(text, i, 0, (int)a->len + 1, prev, lookup, ctx, &d, err);
		}
	}
	*n = ok ? (int)a->len : 0;
	*out = (SchedDev *)(void *)g_array_free(a, !ok);
	return ok;
}

static int
world_who(void *ctx, const char *name)
{
	return thread_by_name(ctx, name);
}

bool
sched_plan_parse(const World *w, const char *text, SchedDev **out, int *n, char **errmsg)
{
	SchedPlanError e;

	*errmsg = NULL;
	if (sched_plan_parse_text(text, world_who, (void *)w, out, n, &e))
		return true;
	*errmsg = g_strdup_printf("entry %d: %s", e.entry, e.msg);
	return false;
}

const char *
sched_who_name(const World *w, int who)
{
	if (who == SCHED_SOFTNET)
		return "softnet";
	if (who < SCHED_SOFTNET)
		return kthread_name(SCHED_SOFTNET - who);
	return thread_name(w, who);
}

char *
sched_plan_format(const World *w, const SchedDev *d, int n)
{
	GString *s = g_string_new(NULL);

	for (int i = 0; i < n; i++)
		g_string_append_printf(s, "%s%llu:%s", i ? "," : "", (unsigned long long)d[i].step,
		    sched_who_name(w, d[i].who));
	return g_string_free(s, FALSE);
}

/* ---- deadlock and livelock ---- */

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

/* A hash of everything but time and counters: equal hashes at two quiet
 * points mean the timers that fired in between changed nothing. */
static uint64_t
quiet_hash(World *w)
{
	uint64_t h = 1469598103934665603ull;

	for (int i = 0; i < w->nsocks; i++) {
		const Socket *so = &w->socks[i];

		h = mix(h, so->state);
		h = mix(h, (uint64_t)so->error);
		h = mix(h, (uint64_t)so->rcv.cc);
		h = mix(h, (uint64_t)so->snd.cc);
		h = mix(h, (uint64_t)so->rcv.mbcnt);
		h = mix(h, (uint64_t)so->snd.mbcnt);
		h = mix(h, so->rcv.flags);
		h = mix(h, so->snd.flags);
		h = mix(h, so->tp.snd_una);
		h = mix(h, so->tp.snd_nxt);
		h = mix(h, so->tp.snd_wnd);
		h = mix(h, so->tp.rcv_nxt);
		h = mix(h, so->tp.rcv_adv);
		h = mix(h, so->tp.t_state);
		h = mix(h, so->tp.persist != 0);
	}
	for (int i = 0; i < w->nthreads; i++) {
		h = mix(h, w->threads[i].state);
		h = mix(h, w->threads[i].wchan);
		h = mix(h, (uint64_t)w->threads[i].pc);
	}
	h = mix(h, w->nwork);
	return h;
}

/* Is sleeping thread tid a kernel thread asleep on its empty queue, with
 * nothing to do?  (Asked only when nobody can run.) */
static bool
kthread_idle(const World *w, int tid)
{
	const Thread *t = &w->threads[tid];

	return t->kind != TK_USER && (t->wchan >> 24) == CH_TASKQ;
}

static void
describe_sleepers(World *w, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < w->nthreads && len < n; i++) {
		Thread *t = &w->threads[i];
		char where[64];

		if (t->state != TS_SLEEP || kthread_idle(w, i))
			continue;
		sched_chan_name(w, t->wchan, where, sizeof where);
		len += (size_t)snprintf(buf + len, n - len, "%sthread %s sleeps on %s (\"%s\")",
		    len ? "; " : "", thread_name(w, i), where, t->wmesg);
	}
}

static bool
all_done(World *w)
{
	for (int i = 0; i < w->nthreads; i++)
		if (w->threads[i].state != TS_DONE && !kthread_idle(w, i))
			return false;
	return true;
}

static void
stop_deadlock(World *w, bool livelock)
{
	char who[400];

	describe_sleepers(w, who, sizeof who);
	w->stop = STOP_DEADLOCK;
	w->deadlocked = true;
	snprintf(w->run->stop_msg, sizeof w->run->stop_msg, "deadlock at t=%lld.%06llds: %s%s",
	    (long long)(w->now / 1000000000), (long long)(w->now % 1000000000 / 1000), who,
	    livelock ? "; only timers that change nothing are left" : "; nothing else can happen");
	snprintf(w->run->deadlock_msg, sizeof w->run->deadlock_msg, "%s", w->run->stop_msg);
	emit(w, EVK_NOTE, "deadlock", -1, -1, 0, 0, 0, "%s", w->run->stop_msg);
}

static bool
only_timers_pending(const World *w)
{
	for (uint32_t i = 0; i < w->nwork; i++) {
		const WorkHandler *h = handler(w->work[w->work_head + i].kind);

		if (h == NULL || !h->self_rearming)
			return false;
	}
	return true;
}

/* Nothing runnable: advance the clock, or conclude. false when the run is over. */
static bool
advance_time(World *w)
{
	uint64_t h;

	prune_stale(w);
	if (w->nwork == 0) {
		if (all_done(w))
			w->stop = STOP_DONE;
		else
			stop_deadlock(w, false);
		return false;
	}
	/* Only self-re-arming timers left: a state seen before means they
	 * cycle without effect.  Any other pending work may still change
	 * something, so it never counts as a livelock. */
	if (only_timers_pending(w)) {
		h = quiet_hash(w);
		for (int i = 0; i < w->nquiet; i++)
			if (w->quiet_hash[i] == h) {
				if (all_done(w))
					w->stop = STOP_DONE;
				else
					stop_deadlock(w, true);
				return false;
			}
		w->quiet_hash[w->quiet_pos++ % 64] = h;
		if (w->nquiet < 64)
			w->nquiet++;
	}
	/* nothing is due now (sched_candidates found no kernel work to run):
	 * the next item is due later */
	w->now = work_next(w)->time;
	emit(w, EVK_CLOCK, "clock", -1, -1, w->now, 0, 0, "virtual time is now %lld.%06lld s",
	    (long long)(w->now / 1000000000), (long long)(w->now % 1000000000 / 1000));
	if (w->run->limit_time && w->now > w->run->limit_time) {
		w->stop = STOP_LIMIT;
		snprintf(w->run->stop_msg, sizeof w->run->stop_msg,
		    "time limit reached: virtual time passed %lld ms (raise it with `limit time` or --max-time)",
		    (long long)(w->run->limit_time / 1000000));
		return false;
	}
	return true;
}

/* ---- running ---- */

/* A sleep releases the context it starts in, as tsleep lowers the spl,
 * msleep drops its mutex and sosleep its lock; a context no sleep may
 * start in (a spin mutex, a pcb lock) is a defect of the model. */
static void
sleep_releases(World *w, int tid, Thread *t)
{
	const Frame *top = &t->stack[t->depth - 1];
	int held = machine_context(top->mach, w->prof->family, top->pc);

	if (t->state == TS_SLEEP && !context_defs[held].sleeps && held != CTX_NA)
		world_violation(w, V_SLEEP_LOCKED, "thread %s sleeps in %s at %s holding %s, "
		    "which its sleep does not release", thread_name(w, tid),
		    machine_def(top->mach)->name, machine_def(top->mach)->states[top->pc],
		    context_defs[held].name);
	t->ctx = CTX_NA;
}

static void
thread_run(World *w, int tid)
{
	Thread *t = &w->threads[tid];
	int guard = 0;

	fp_thread(w, tid);
	for (;;) {
		Frame *f = &t->stack[t->depth - 1];
		int r;

		t->yield_ctx = CTX_NA;
		r = machine_def(f->mach)->step(w, tid, t, f);
		if (w->stop != STOP_NONE && w->stop != STOP_DONE)
			return;
		if (r == RUN_EXIT) {
			t->state = TS_DONE;
			t->ctx = CTX_NA;
			return;
		}
		if (r == RUN_PREEMPT) {
			const Frame *top = &t->stack[t->depth - 1];
			const MachineDef *d = machine_def(top->mach);

			if (t->yield_ctx == YIELD_OTHER_FAMILY)
				continue;       /* this kernel holds its lock across: no preemption point */
			if (t->yield_ctx == CTX_NA) {
				world_violation(w, V_UNDECLARED_YIELD,
				    "thread %s: the step ended in %s at %s, which is not a declared preemption point",
				    thread_name(w, tid), d->name, d->states[top->pc]);
				return;
			}
			/* stopped in this context: it decides who may run next */
			t->ctx = t->yield_ctx;
			return;
		}
		if (r == RUN_SLEEP) {
			sleep_releases(w, tid, t);
			return;
		}
		/* RUN_CONTINUE: on in the same step */
		if (++guard > 100000) {
			world_violation(w, V_LIVELOCK, "thread %s runs without reaching a preemption point",
			    thread_name(w, tid));
			return;
		}
	}
}

bool
sched_step_with(World *w, int who)
{
	w->step++;
	w->stats.steps++;
	w->run->tick++;
	w->cur_thread = who == SCHED_SOFTNET ? -1 : who;
	if (tracing(w))
		emit(w, EVK_STEP, who == SCHED_SOFTNET ? "softnet" : thread_name(w, who), -1, -1, who,
		    w->run->step_default == STEP_DEFAULT_UNKNOWN ? who : w->run->step_default,
		    w->run->step_default != STEP_DEFAULT_UNKNOWN && w->run->step_default != who,
		    "%s", who == SCHED_SOFTNET ? "softnet" : thread_name(w, who));
	w->run->step_default = STEP_DEFAULT_UNKNOWN;
	if (who == SCHED_SOFTNET)
		softnet_run(w);
	else {
		w->last_thread = who;
		thread_run(w, who);
	}
	if (tracing(w))
		trace_state_changes(w);
	if (w->stop == STOP_NONE && w->run->check == CHECK_EVERY_STEP)
		invariants_after_step(w);
	if (w->stop == STOP_NONE && w->run->limit_bytes && w->bytes_moved > w->run->limit_bytes) {
		w->stop = STOP_LIMIT;
		snprintf(w->run->stop_msg, sizeof w->run->stop_msg,
		    "byte limit reached: programs sent more than %llu bytes (raise it with `limit bytes` or --max-bytes)",
		    (unsigned long long)w->run->limit_bytes);
	}
	if (w->stop == STOP_NONE && w->run->limit_steps && w->step >= w->run->limit_steps) {
		w->stop = STOP_LIMIT;
		snprintf(w->run->stop_msg, sizeof w->run->stop_msg,
		    "step limit reached: %llu steps (raise it with `limit steps` or --max-steps)",
		    (unsigned long long)w->run->limit_steps);
	}
	return w->stop == STOP_NONE;
}

int
sched_ready(World *w, int *out)
{
	int n;

	for (;;) {
		n = sched_candidates(w, out);
		if (n > 0)
			return n;
		if (!advance_time(w))
			return 0;
	}
}

bool
sched_step(World *w)
{
	int cand[SCHED_MAX_CAND];
	int n, who;

	if ((n = sched_ready(w, cand)) == 0)
		return false;
	who = pick(w, cand, n);
	if (who == -2)
		return false;
	/* for the trace: whom the default policy would have picked */
	w->run->step_default = sched_default(w, cand, n);
	return sched_step_with(w, who);
}

StopReason
sched_run(World *w)
{
	while (w->stop == STOP_NONE && sched_step(w))
		;
	if (w->stop == STOP_DONE || w->stop == STOP_DEADLOCK)
		invariants_check_end(w);
	return w->stop;
}
