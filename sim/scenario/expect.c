/*
 * expect.c: checking a finished world against the scenario's `expect` lines.
 */
#include "expect.h"
#include "kern.h"
#include "cost.h"
#include "errno_names.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const scn_cmp_names[6] = { "==", "!=", "<", "<=", ">", ">=" };

bool
scn_compare(int64_t a, ScnCmp op, int64_t b)
{
	switch (op) {
	case SCN_CMP_EQ: return a == b;
	case SCN_CMP_NE: return a != b;
	case SCN_CMP_LT: return a < b;
	case SCN_CMP_LE: return a <= b;
	case SCN_CMP_GT: return a > b;
	default: return a >= b;         /* SCN_CMP_GE */
	}
}

static int64_t
count_mbufs(World *w, const Sockbuf *sb, bool records)
{
	int64_t n = 0;

	for (Ref rec = sb->mb; !ref_null(rec); rec = mb(w, rec)->nextpkt) {
		if (records) {
			n++;
			continue;
		}
		for (Ref m = rec; !ref_null(m); m = mb(w, m)->next)
			n++;
	}
	return n;
}

const char *const sockfield_names[SF__COUNT] = {
#define SOCKFIELD(id, name, doc) name,
#include "sockfields.def"
#undef SOCKFIELD
};

const char *const sockfield_docs[SF__COUNT] = {
#define SOCKFIELD(id, name, doc) doc,
#include "sockfields.def"
#undef SOCKFIELD
};

int
sockfield_find(const char *name)
{
	for (int i = 0; i < SF__COUNT; i++)
		if (strcmp(name, sockfield_names[i]) == 0)
			return i;
	return -1;
}

/* The value of `SOCK.FIELD`. */
static int64_t
field_value(World *w, int sock, SockField f)
{
	const Socket *so = &w->socks[sock];

	switch (f) {
	case SF_RCV_CC: return so->rcv.cc;
	case SF_RCV_MBCNT: return so->rcv.mbcnt;
	case SF_RCV_HIWAT: return so->rcv.hiwat;
	case SF_RCV_MBMAX: return so->rcv.mbmax;
	case SF_RCV_LOWAT: return so->rcv.lowat;
	case SF_RCV_MBUFS: return count_mbufs(w, &so->rcv, false);
	case SF_RCV_RECORDS: return count_mbufs(w, &so->rcv, true);
	case SF_SND_CC: return so->snd.cc;
	case SF_SND_MBCNT: return so->snd.mbcnt;
	case SF_SND_HIWAT: return so->snd.hiwat;
	case SF_SND_MBMAX: return so->snd.mbmax;
	case SF_SND_LOWAT: return so->snd.lowat;
	case SF_SND_MBUFS: return count_mbufs(w, &so->snd, false);
	case SF_SND_RECORDS: return count_mbufs(w, &so->snd, true);
	case SF_ERROR: return so->error;
	case SF_DROPPED: return (int64_t)so->dgram_dropped;
	case SF_PEEKED: return (int64_t)so->peeked;
	case SF__COUNT: break;
	}
	g_assert_not_reached();
}

bool
expect_condition_holds(World *w, const ScnExpect *e)
{
	return e->sock >= 0 && e->sock < w->nsocks &&
	    scn_compare(field_value(w, e->sock, (SockField)e->field), e->cmp, e->value);
}

void *
expect_condition_new(void *s, const char *text, char *err, size_t n)
{
	ScnExpect *e = g_new0(ScnExpect, 1);
	char *why = NULL;

	if (scenario_parse_condition(s, text, e, &why))
		return e;
	snprintf(err, n, "%s", why);
	g_free(why);
	g_free(e);
	return NULL;
}

bool
expect_condition_test(void *ctx, const void *cond, World *w)
{
	(void)ctx;
	return expect_condition_holds(w, cond);
}

/* The value of counter `name` (counters.def); false if there is none. */
static bool
stat_value(World *w, const char *name, int64_t *out)
{
	int i = counter_find(name);

	if (i < 0)
		return false;
	*out = (int64_t)*(const uint64_t *)((const char *)&w->stats + counter_defs[i].offset);
	return true;
}

static void
fmt_time(char *buf, size_t n, int64_t ns)
{
	snprintf(buf, n, "%lld.%06llds", (long long)(ns / 1000000000),
	    (long long)(ns % 1000000000 / 1000));
}

/* One line of the report.  e is one of the scenario's expectations, or a
 * stand-in on the stack (index -1) for what no expectation allowed.  The
 * index is found by comparing with each expectation's address, never by
 * pointer arithmetic on an array that may be NULL. */
static void G_GNUC_PRINTF(6, 7)
report(ExpectReport *r, const Scenario *s, const ScnExpect *e, bool ok, int *failed,
    const char *fmt, ...)
{
	ExpectResult *x = &r->items[r->n < EXPECT_MAX ? r->n : EXPECT_MAX - 1];
	va_list ap;

	x->pos = e->pos;
	x->ok = ok;
	x->index = -1;
	for (int i = 0; i < s->nexpects; i++)
		if (e == &s->expects[i])
			x->index = i;
	x->quant = x->index >= 0 ? (int)e->quant : SCN_Q_PLAIN;
	x->notrun = false;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof x->msg, fmt, ap);
	va_end(ap);
	if (r->n < EXPECT_MAX)
		r->n++;
	if (!ok && x->quant != SCN_Q_SOMETIMES)
		(*failed)++;
}

int
expect_check(World *w, ExpectReport *r)
{
	const Scenario *s = w->run->scenario;
	bool deadlock_said = false, violation_said = false;
	int failed = 0;

	r->n = 0;
#define RESULT(e, ok_, ...) report(r, s, (e), (ok_), &failed, __VA_ARGS__)

	for (int i = 0; i < s->nexpects; i++) {
		const ScnExpect *e = &s->expects[i];
		int64_t v = 0;
		bool ok;

		switch (e->kind) {
		case SCN_EXP_DEADLOCK:
			/* "sometimes deadlock" allows a deadlock; "sometimes no-deadlock" does not */
			if (e->quant != SCN_Q_SOMETIMES || !e->negate)
				deadlock_said = true;
			ok = e->negate ? !w->deadlocked : w->deadlocked;
			RESULT(e, ok, "%s: %s", e->text,
			    w->deadlocked ? w->run->deadlock_msg : "the run ended without a deadlock");
			break;
		case SCN_EXP_VIOLATION:
			/* "sometimes violation X" allows X, not another one */
			if (e->quant != SCN_Q_SOMETIMES || strcmp(e->name, violation_names[w->violation]) == 0)
				violation_said = true;
			if (strcmp(e->name, "none") == 0) {
				ok = w->violation == V_NONE;
				RESULT(e, ok, "%s: %s", e->text, ok ? "no invariant was violated" : w->run->stop_msg);
			} else {
				ok = strcmp(e->name, violation_names[w->violation]) == 0;
				RESULT(e, ok, "%s: %s", e->text,
				    w->violation != V_NONE ? w->run->stop_msg : "no invariant was violated");
			}
			break;
		case SCN_EXP_FIELD:
			v = field_value(w, e->sock, (SockField)e->field);
			ok = scn_compare(v, e->cmp, e->value);
			if (strcmp(e->name, "error") == 0)
				RESULT(e, ok, "%s: got %s", e->text, v ? errno_name((int)v) : "0");
			else
				RESULT(e, ok, "%s: got %lld", e->text, (long long)v);
			break;
		case SCN_EXP_TIME: {
			char t[32];

			fmt_time(t, sizeof t, w->now);
			ok = scn_compare(w->now, e->cmp, e->value);
			RESULT(e, ok, "%s: virtual time at the end is %s", e->text, t);
			break;
		}
		case SCN_EXP_SHARE: {
			int rid = cost_routine_find(e->name);

			if (rid < 0) {
				RESULT(e, false, "%s: no routine named %s in the cost profile", e->text, e->name);
				break;
			}
			v = cost_share_bp(w, rid);
			ok = scn_compare(v, e->cmp, e->value);
			RESULT(e, ok, "%s: %s has %lld.%02lld%% of the cost", e->text, e->name,
			    (long long)(v / 100), (long long)(v % 100));
			break;
		}
		case SCN_EXP_STAT:
			if (!stat_value(w, e->name, &v)) {
				RESULT(e, false, "%s: unknown counter %s", e->text, e->name);
				break;
			}
			ok = scn_compare(v, e->cmp, e->value);
			RESULT(e, ok, "%s: got %lld", e->text, (long long)v);
			break;
		case SCN_EXP_DELIVERED:
			v = (int64_t)w->socks[e->sock].delivered;
			ok = scn_compare(v, e->cmp, e->value);
			RESULT(e, ok, "%s: programs read %lld bytes from %s", e->text, (long long)v,
			    sock_name(w, e->sock));
			break;
		case SCN_EXP_STATE: {
			uint32_t state = w->socks[e->sock].state;
			char st[200] = "", bit[16];

			ok = ((state & (uint32_t)e->value) != 0) != e->negate;
			for (int b = 0; b < 16; b++) {
				if (!(state >> b & 1))
					continue;
				if (st[0] != '\0')
					g_strlcat(st, "|", sizeof st);
				/* a bit event.c has no name for, as a number */
				snprintf(bit, sizeof bit, "%#x", 1u << b);
				g_strlcat(st, sostate_bit_names[b] != NULL ? sostate_bit_names[b] : bit, sizeof st);
			}
			RESULT(e, ok, "%s: so_state is %s", e->text, state != 0 ? st : "0");
			break;
		}
		case SCN_EXP_SLEEPS: {
			const Thread *t = &w->threads[e->thread];
			uint32_t k = t->wchan >> 24;
			char chan[96];

			if (t->state != TS_SLEEP) {
				RESULT(e, false, "%s: %s %s", e->text, thread_name(w, e->thread),
				    t->state == TS_DONE ? "is done" : "is runnable");
				break;
			}
			/* on anything, or on that buffer: its data, its flags (sblock) or select */
			ok = e->sock < 0 || ((t->wchan & 0xffffff) == CHAN(0, e->sock, e->which) &&
			    (k == CH_SB_CC || k == CH_SB_FLAGS || k == CH_SEL));
			sched_chan_name(w, t->wchan, chan, sizeof chan);
			RESULT(e, ok, "%s: %s sleeps on %s (\"%s\")", e->text, thread_name(w, e->thread), chan,
			    t->wmesg);
			break;
		}
		case SCN_EXP_LEAKED:
			v = (int64_t)kern_leaked(w, strcmp(e->name, "kmem") == 0);
			ok = scn_compare(v, e->cmp, e->value);
			RESULT(e, ok, "%s: %lld %s", e->text, (long long)v,
			    strcmp(e->name, "kmem") == 0 ? "splice_states allocated with nothing holding them" :
			    "mbufs allocated that no buffer, wire or routine holds");
			break;
		}
	}
	/* what no expectation allowed */
	if (!deadlock_said && w->deadlocked) {
		ScnExpect e = { .pos = { 0, 0 } };

		RESULT(&e, false, "unexpected %s", w->run->deadlock_msg);
	}
	if (!violation_said && w->violation != V_NONE) {
		ScnExpect e = { .pos = { 0, 0 } };

		RESULT(&e, false, "unexpected %s", w->run->stop_msg);
	}
	if (w->stop == STOP_LIMIT) {
		ScnExpect e = { .pos = { 0, 0 } };

		RESULT(&e, false, "the run was stopped: %s", w->run->stop_msg);
	}
	for (int i = 0; i < w->nfails && i < (int)(sizeof w->fails / sizeof w->fails[0]); i++) {
		ScnExpect e = { .pos = w->fails[i] };

		RESULT(&e, false, "%s", w->run->fail_msg[i]);
	}
	if (w->nfails > (int)(sizeof w->fails / sizeof w->fails[0]))
		failed += w->nfails - (int)(sizeof w->fails / sizeof w->fails[0]);
	/* what a stopped run left undone: reported, not failed (a deadlock
	 * or a violation the scenario expects leaves operations behind) */
	for (int i = 0; i < s->nthreads; i++) {
		const Thread *t = &w->threads[i];
		const ScnThread *th = &s->threads[i];
		const ScnOp *op;
		int rest;

		/* done, or between its last operation's return and its exit */
		if (t->state == TS_DONE || t->pc >= th->nops)
			continue;
		op = &th->ops[t->pc];
		rest = th->nops - t->pc - 1;
		{
			ScnExpect e = { .pos = op->pos };
			char more[64] = "";

			if (rest == 1)
				snprintf(more, sizeof more, ", nor did the operation after it");
			else if (rest > 1)
				snprintf(more, sizeof more, ", nor did the %d operations after it", rest);
			RESULT(&e, true, "thread %s: '%s' %s%s: the run ended %s", th->name, op->text,
			    scenario_op_started(w, i) ? "never returned" : "never ran", more,
			    w->deadlocked ? "in a deadlock" : w->stop == STOP_VIOLATION ? "at a broken invariant" :
			    w->stop == STOP_LIMIT ? "at a limit" : "with the thread still waiting");
			r->items[r->n - 1].notrun = true;
		}
	}
#undef RESULT
	return failed;
}
