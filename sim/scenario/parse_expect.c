/*
 * parse_expect.c: `expect` lines.  The names of counters, routines and
 * violations come from the engine's registries (counters.def,
 * routines.def, violations.def), so an unknown one is a parse error.
 */
#include "parse.h"

#include <string.h>

#include "cost.h"
#include "expect.h"
#include "errno_names.h"
#include "event.h"

/* Expectations. */

bool
cmp_word(const char *s, ScnCmp *cmp)
{
	for (size_t i = 0; i < G_N_ELEMENTS(scn_cmp_names); i++)
		if (strcmp(s, scn_cmp_names[i]) == 0) {
			*cmp = (ScnCmp)i;
			return true;
		}
	return false;
}

static bool
cmp_arg(struct parser *p, struct cur *c, ScnCmp *cmp)
{
	const struct tok *t;
	struct qbuf q;

	if ((t = need(p, c, "a comparison (==, !=, <, <=, >, >=)")) == NULL)
		return false;
	if (cmp_word(t->s, cmp))
		return true;
	perr(p, t->col, "unknown comparison '%s' (known: ==, !=, <, <=, >, >=)", quote(&q, t->s));
	return false;
}

/* The engine's registries, by index, for the "known:" list of a message. */
static const char *
counter_at(int i)
{
	return counter_defs[i].name;
}

static const char *
routine_at(int i)
{
	return routine_names[i];
}

static const char *
violation_at(int i)
{
	return violation_names[i];
}

/*
 * A name from one of the engine's registries (counters.def, routines.def,
 * violations.def): find gives its index or -1; what ("counter") and the
 * names in the registry's order, for the message when it is unknown.
 */
static bool
registry_arg(struct parser *p, struct cur *c, const char *meta, const char *what,
    int (*find)(const char *), const char *(*name_at)(int), int count, char *buf, size_t size)
{
	const struct tok *t = need(p, c, meta);
	GString *known;
	struct qbuf q;

	if (t == NULL)
		return false;
	if (find(t->s) >= 0) {
		g_strlcpy(buf, t->s, size);     /* every registry name fits (test_expect.c) */
		return true;
	}
	known = g_string_new(NULL);
	for (int i = 0; i < count; i++)
		g_string_append_printf(known, "%s%s", i ? ", " : "", name_at(i));
	perr(p, t->col, "unknown %s '%s' (known: %s)", what, quote(&q, t->s), known->str);
	g_string_free(known, TRUE);
	return false;
}

/* PCT%, possibly with decimals, in basis points (30% = 3000), rounded. */
static bool
pct_arg(struct parser *p, struct cur *c, int64_t *bp)
{
	const struct tok *t = need(p, c, "PCT%");
	const char *s;
	struct qbuf q;
	int64_t v;
	int digits = 0;

	if (t == NULL)
		return false;
	if ((s = scan_digits(t->s, &v)) == NULL)
		goto bad;
	v = v < 0 || v > 100 ? 10001 : v * 100;	/* anything over 100% is too large */
	if (*s == '.') {
		for (s++; g_ascii_isdigit(*s); s++, digits++) {
			if (digits < 2)
				v += (*s - '0') * (digits == 0 ? 10 : 1);
			else if (digits == 2 && *s >= '5')
				v++;
		}
		if (digits == 0)
			goto bad;
	}
	if (strcmp(s, "%") != 0)
		goto bad;
	if (v > 10000) {
		perr(p, t->col, "percentage '%s' is too large (max 100%%)", quote(&q, t->s));
		return false;
	}
	*bp = v;
	return true;
bad:
	perr(p, t->col, "invalid percentage '%s' (expected a number and '%%', like 30%% or 0.5%%)",
	    quote(&q, t->s));
	return false;
}

/* The value of `SOCK.error`: an errno name, or 0 for no error. */
static bool
errno_value(struct parser *p, struct cur *c, int64_t *v)
{
	const struct tok *t = need(p, c, "an errno name or 0");
	struct qbuf q;

	if (t == NULL)
		return false;
	if (strcmp(t->s, "0") == 0) {
		*v = 0;
		return true;
	}
	if ((*v = errno_from_name(t->s)) == 0) {
		perr(p, t->col, "expected an errno name or 0, not '%s'", quote(&q, t->s));
		return false;
	}
	return true;
}

/* SOCK.FIELD OP NUMBER; t is the SOCK.FIELD token. */
static bool
ex_field(struct parser *p, struct cur *c, const struct tok *t, ScnExpect *e)
{
	const char *dot = strchr(t->s, '.'), *field = dot + 1;
	size_t nlen = (size_t)(dot - t->s);
	struct qbuf q;
	char *known;

	quote_n(&q, t->s, nlen);
	if (nlen > QUOTE_MAX || (e->sock = find_socket(p->s, q.b)) < 0) {
		perr(p, t->col, "unknown socket '%s'", q.b);
		return false;
	}
	if ((e->field = sockfield_find(field)) < 0) {
		known = JOIN(sockfield_names);
		perr(p, t->col + (int)nlen + 1, "unknown field '%s' (known: %s)",
		    quote(&q, field), known);
		g_free(known);
		return false;
	}
	e->kind = SCN_EXP_FIELD;
	g_strlcpy(e->name, field, sizeof e->name);
	if (!cmp_arg(p, c, &e->cmp))
		return false;
	if (e->field == SF_ERROR)
		return errno_value(p, c, &e->value);
	return number_arg(p, c, "NUMBER", &e->value);
}

/* SOCK.state has|lacks SS_NAME: a bit of so_state at the end (event.h's names). */
static bool
ex_state(struct parser *p, struct cur *c, ScnExpect *e)
{
	const struct tok *t;
	struct qbuf q;
	char *known;
	const char *names[16];
	int n = 0;

	e->kind = SCN_EXP_STATE;
	if ((t = need(p, c, "has or lacks")) == NULL)
		return false;
	if (strcmp(t->s, "has") != 0 && strcmp(t->s, "lacks") != 0) {
		perr(p, t->col, "expected has or lacks, not '%s'", quote(&q, t->s));
		return false;
	}
	e->negate = t->s[0] == 'l';
	if ((t = need(p, c, "SS_NAME")) == NULL)
		return false;
	for (int b = 0; b < 16; b++) {
		if (sostate_bit_names[b] == NULL)
			continue;
		names[n++] = sostate_bit_names[b];
		if (strcmp(t->s, sostate_bit_names[b]) == 0 ||
		    (strncmp(t->s, "SS_", 3) != 0 && strcmp(t->s, sostate_bit_names[b] + 3) == 0)) {
			e->value = (int64_t)1 << b;
			return true;
		}
	}
	known = join(names, (size_t)n);
	perr(p, t->col, "unknown so_state bit '%s' (known: %s)", quote(&q, t->s), known);
	g_free(known);
	return false;
}

/* THREAD sleeps [on SOCK.rcv|SOCK.snd]: asleep at the end (on that buffer). */
static bool
ex_sleeps(struct parser *p, struct cur *c, ScnExpect *e, int thread)
{
	const struct tok *t;
	struct qbuf q;

	e->kind = SCN_EXP_SLEEPS;
	e->thread = thread;
	e->sock = -1;
	if (!keyword(p, c, "sleeps"))
		return false;
	if (peek(c) == NULL)
		return true;
	if (!keyword(p, c, "on") || (t = need(p, c, "SOCKET.rcv or SOCKET.snd")) == NULL)
		return false;
	{
		const char *dot = strrchr(t->s, '.');

		if (dot == NULL || (strcmp(dot, ".rcv") != 0 && strcmp(dot, ".snd") != 0)) {
			perr(p, t->col, "expected SOCKET.rcv or SOCKET.snd, not '%s'", quote(&q, t->s));
			return false;
		}
		quote_n(&q, t->s, (size_t)(dot - t->s));
		if ((e->sock = find_socket(p->s, q.b)) < 0) {
			perr(p, t->col, "unknown socket '%s'", q.b);
			return false;
		}
		e->which = dot[1] == 'r' ? 0 : 1;
	}
	return true;
}

/* The socket of `delivered SOCKET CMP SIZE`: a comparison or a number in
 * its place (no name can be one) means it was left out. */
static int
delivered_socket(struct parser *p, struct cur *c)
{
	const struct tok *t = peek(c);
	ScnCmp cmp = SCN_CMP_EQ;
	struct qbuf q;

	if (t != NULL && (cmp_word(t->s, &cmp) || g_ascii_isdigit(t->s[0]))) {
		perr(p, t->col, "expected SOCKET before '%s' (expect delivered SOCKET %s N: the bytes "
		    "programs read from SOCKET)", quote(&q, t->s), scn_cmp_names[cmp]);
		return -1;
	}
	return socket_arg(p, c, "SOCKET");
}

/* `violation NAME`: none, or an invariant of violations.def. */
static bool
ex_violation(struct parser *p, struct cur *c, ScnExpect *e)
{
	e->kind = SCN_EXP_VIOLATION;
	return registry_arg(p, c, "NAME or none", "violation", violation_find, violation_at,
	    V__COUNT, e->name, sizeof e->name);
}

bool
st_expect(struct parser *p, struct cur *c)
{
	const struct tok *t;
	struct qbuf q;
	ScnExpect e;
	bool ok;

	memset(&e, 0, sizeof e);
	e.sock = -1;
	if ((t = need(p, c, "deadlock, no-deadlock, violation, time, share, stat, delivered "
	    "or SOCKET.FIELD")) == NULL)
		return false;
	if (strcmp(t->s, "always") == 0 || strcmp(t->s, "sometimes") == 0) {
		e.quant = t->s[0] == 'a' ? SCN_Q_ALWAYS : SCN_Q_SOMETIMES;
		if ((t = need(p, c, "deadlock, no-deadlock, violation, time, share, stat, delivered "
		    "or SOCKET.FIELD")) == NULL)
			return false;
	}
	if (p->expects->len >= SCN_MAX_EXPECTS) {
		perr(p, c->t[0].col, "too many expectations (max %d)", SCN_MAX_EXPECTS);
		return false;
	}
	e.pos = tpos(p, t);
	if (g_str_has_suffix(t->s, ".state")) {
		struct qbuf q2;

		quote_n(&q2, t->s, strlen(t->s) - 6);
		if ((e.sock = find_socket(p->s, q2.b)) < 0) {
			perr(p, t->col, "unknown socket '%s'", q2.b);
			return false;
		}
		ok = ex_state(p, c, &e);
	} else if (strchr(t->s, '.') != NULL)
		ok = ex_field(p, c, t, &e);
	else if (find_thread(p->s, t->s) >= 0)
		ok = ex_sleeps(p, c, &e, find_thread(p->s, t->s));
	else if (strcmp(t->s, "leaked") == 0) {
		e.kind = SCN_EXP_LEAKED;
		if ((t = need(p, c, "mbufs or kmem")) == NULL)
			return false;
		if (strcmp(t->s, "mbufs") != 0 && strcmp(t->s, "kmem") != 0) {
			perr(p, t->col, "expected mbufs or kmem, not '%s'", quote(&q, t->s));
			return false;
		}
		g_strlcpy(e.name, t->s, sizeof e.name);
		ok = cmp_arg(p, c, &e.cmp) && number_arg(p, c, "COUNT", &e.value);
	}
	else if (strcmp(t->s, "deadlock") == 0 || strcmp(t->s, "no-deadlock") == 0) {
		e.kind = SCN_EXP_DEADLOCK;
		e.negate = t->s[0] == 'n';
		ok = true;
	} else if (strcmp(t->s, "violation") == 0)
		ok = ex_violation(p, c, &e);
	else if (strcmp(t->s, "time") == 0) {
		e.kind = SCN_EXP_TIME;
		ok = cmp_arg(p, c, &e.cmp) && duration_arg(p, c, "DURATION", &e.value);
	} else if (strcmp(t->s, "share") == 0) {
		e.kind = SCN_EXP_SHARE;
		ok = registry_arg(p, c, "ROUTINE", "routine", cost_routine_find, routine_at,
		    R__COUNT, e.name, sizeof e.name) &&
		    cmp_arg(p, c, &e.cmp) && pct_arg(p, c, &e.value);
	} else if (strcmp(t->s, "stat") == 0) {
		e.kind = SCN_EXP_STAT;
		ok = registry_arg(p, c, "COUNTER", "counter", counter_find, counter_at,
		    ncounter_defs, e.name, sizeof e.name) &&
		    cmp_arg(p, c, &e.cmp) && number_arg(p, c, "NUMBER", &e.value);
	} else if (strcmp(t->s, "delivered") == 0) {
		e.kind = SCN_EXP_DELIVERED;
		ok = (e.sock = delivered_socket(p, c)) >= 0 &&
		    cmp_arg(p, c, &e.cmp) && size_arg(p, c, "SIZE", &e.value);
	} else {
		perr(p, t->col, "unknown expectation '%s' (known: deadlock, no-deadlock, "
		    "violation, time, share, stat, delivered, leaked, SOCKET.FIELD, SOCKET.state, "
		    "THREAD sleeps)", quote(&q, t->s));
		return false;
	}
	if (!ok || !done(p, c))
		return false;
	source_text(p, c->t + 1 + (e.quant != SCN_Q_PLAIN), c->n - 1 - (e.quant != SCN_Q_PLAIN),
	    e.text, sizeof e.text);
	g_array_append_val(p->expects, e);
	return true;
}

/*
 * A condition written as an `expect SOCKET.FIELD OP VALUE` line writes
 * it, read on its own against scenario s (the TUI's breakpoints): the
 * same parser, so the same names, values and messages.  The message is
 * the parser's, without its position (there is no file line to show).
 */
bool
scenario_parse_condition(const Scenario *s, const char *text, ScnExpect *e, char **err)
{
	struct parser p = { 0 };
	struct cur c;
	const struct tok *t;
	size_t code, len = strlen(text);
	bool ok = false;

	memset(e, 0, sizeof *e);
	if (len >= LINE_MAX_BYTES) {
		*err = g_strdup("too long for a condition");
		return false;
	}
	p.s = (Scenario *)s;    /* read only: names and the path for messages */
	p.line = text;
	p.linelen = len;
	p.lineno = 1;
	p.toks = g_new(struct tok, LINE_MAX_BYTES);
	p.tokbuf = g_malloc(2 * LINE_MAX_BYTES + 1);
	if (check_bytes(&p, &code)) {
		tokenize(&p, code);
		c = (struct cur){ p.toks, p.ntoks, 0 };
		if ((t = next(&c)) == NULL)
			perr(&p, 1, "expected SOCKET.FIELD OP VALUE, like b.rcv.cc == 0");
		else if (strchr(t->s, '.') == NULL)
			perr(&p, t->col, "expected SOCKET.FIELD, like b.rcv.cc, not '%s'", t->s);
		else
			ok = ex_field(&p, &c, t, e) && done(&p, &c);
	}
	if (!ok) {
		/* every way here said why: the message without "<string>:1:C: error: " */
		const char *m = strstr(p.error->message, "error: ") + 7;

		*err = g_strndup(m, strcspn(m, "\n"));
		g_error_free(p.error);
	}
	g_free(p.toks);
	g_free(p.tokbuf);
	return ok;
}
