/*
 * expect.c: checking a finished world against the scenario's `expect` lines.
 */
#include "expect.h"
#include "kern.h"
#include "cost.h"
#include "errno_names.h"

#include <stdio.h>
#include <string.h>

static bool
compare(int64_t a, ScnCmp op, int64_t b)
{
	switch (op) {
	case SCN_CMP_EQ: return a == b;
	case SCN_CMP_NE: return a != b;
	case SCN_CMP_LT: return a < b;
	case SCN_CMP_LE: return a <= b;
	case SCN_CMP_GT: return a > b;
	case SCN_CMP_GE: return a >= b;
	}
	return false;
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

/* The value of `SOCK.FIELD`; false if the field is unknown. */
static bool
field_value(World *w, int sock, const char *name, int64_t *out)
{
	Socket *so = &w->socks[sock];
	const Sockbuf *sb;
	const char *f;

	if (strcmp(name, "error") == 0) {
		*out = so->error;
		return true;
	}
	if (strcmp(name, "dropped") == 0) {
		*out = (int64_t)so->dgram_dropped;
		return true;
	}
	if (strncmp(name, "rcv.", 4) == 0)
		sb = &so->rcv;
	else if (strncmp(name, "snd.", 4) == 0)
		sb = &so->snd;
	else
		return false;
	f = name + 4;
	if (strcmp(f, "cc") == 0)
		*out = sb->cc;
	else if (strcmp(f, "mbcnt") == 0)
		*out = sb->mbcnt;
	else if (strcmp(f, "hiwat") == 0)
		*out = sb->hiwat;
	else if (strcmp(f, "lowat") == 0)
		*out = sb->lowat;
	else if (strcmp(f, "mbufs") == 0)
		*out = count_mbufs(w, sb, false);
	else if (strcmp(f, "records") == 0)
		*out = count_mbufs(w, sb, true);
	else
		return false;
	return true;
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

int
expect_check(World *w, ExpectReport *r)
{
	const Scenario *s = w->run->scenario;
	bool deadlock_said = false, violation_said = false;
	int failed = 0;

	r->n = 0;
#define RESULT(e, ok_, ...) do { \
		ExpectResult *x = &r->items[r->n < EXPECT_MAX ? r->n : EXPECT_MAX - 1]; \
		x->pos = (e)->pos; \
		x->ok = (ok_); \
		x->index = (e) >= s->expects && (e) < s->expects + s->nexpects ? \
		    (int)((e) - s->expects) : -1; \
		x->quant = x->index >= 0 ? (int)(e)->quant : SCN_Q_PLAIN; \
		snprintf(x->msg, sizeof x->msg, __VA_ARGS__); \
		if (r->n < EXPECT_MAX) r->n++; \
		if (!(ok_) && x->quant != SCN_Q_SOMETIMES) failed++; \
	} while (0)

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
			if (!field_value(w, e->sock, e->name, &v)) {
				RESULT(e, false, "%s: unknown field %s", e->text, e->name);
				break;
			}
			ok = compare(v, e->cmp, e->value);
			if (strcmp(e->name, "error") == 0)
				RESULT(e, ok, "%s: got %s", e->text, v ? errno_name((int)v) : "0");
			else
				RESULT(e, ok, "%s: got %lld", e->text, (long long)v);
			break;
		case SCN_EXP_TIME: {
			char t[32];

			fmt_time(t, sizeof t, w->now);
			ok = compare(w->now, e->cmp, e->value);
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
			ok = compare(v, e->cmp, e->value);
			RESULT(e, ok, "%s: %s has %lld.%02lld%% of the cost", e->text, e->name,
			    (long long)(v / 100), (long long)(v % 100));
			break;
		}
		case SCN_EXP_STAT:
			if (!stat_value(w, e->name, &v)) {
				RESULT(e, false, "%s: unknown counter %s", e->text, e->name);
				break;
			}
			ok = compare(v, e->cmp, e->value);
			RESULT(e, ok, "%s: got %lld", e->text, (long long)v);
			break;
		case SCN_EXP_DELIVERED:
			v = (int64_t)w->socks[e->sock].delivered;
			ok = compare(v, e->cmp, e->value);
			RESULT(e, ok, "%s: programs read %lld bytes from %s", e->text, (long long)v,
			    sock_name(w, e->sock));
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
#undef RESULT
	return failed;
}
