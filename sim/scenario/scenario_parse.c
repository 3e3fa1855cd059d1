/*
 * scenario_parse.c: read a .scn file into a Scenario.
 *
 * The language (docs/scenario-language.md) is line oriented.  Each line is
 * checked for bytes we refuse, cut into tokens, and handed to the function
 * for its first word; indented lines are operations of the thread above.
 * The first error stops the parse, and its message quotes the line with a
 * caret under the column, like a compiler's.
 *
 * Operations, events and expectations are appended to GArrays and moved
 * into the Scenario at the end, once the thread names that may be used
 * before their declaration (`at 1s signal w`, `schedule`) are known.
 */
#include "scenario.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errno_names.h"
#include "profile.h"

#define LINE_MAX_BYTES	4096
#define FILE_MAX_BYTES	(16 * 1024 * 1024)
#define SIZE_LIMIT	((int64_t)1 << 50)
#define DURATION_LIMIT	((int64_t)1000000 * 1000000000)	/* 1e6 s, in ns */
#define QUOTE_MAX	40	/* longest user text quoted in a message */
#define AFTER_MAX	48	/* longest "after '...'" context */

struct tok {
	char *s;		/* NUL-terminated, in the parser's tokbuf */
	int col;		/* 1-based */
	int len;
};

/* The tokens of one statement or one operation, and how far we got. */
struct cur {
	const struct tok *t;
	int n;
	int i;			/* next token */
};

/* A thread name used where the thread may not be declared yet. */
struct thread_ref {
	bool in_schedule;	/* else the target of a signal event */
	int index;		/* into the schedule or the events */
	char name[SCN_NAME_MAX];
	ScnPos pos;
	const char *line;	/* for the error message */
	size_t linelen;
};

enum { DESC_BEFORE, DESC_IN, DESC_DONE };

struct parser {
	Scenario *s;
	GError *error;

	/* The line being parsed, in the caller's buffer: not NUL-terminated. */
	const char *line;
	size_t linelen;
	int lineno;

	struct tok *toks;
	int ntoks;
	char *tokbuf;

	int thread;		/* the thread indented lines belong to, or -1 */
	GArray *ops[SCN_MAX_THREADS];
	GArray *events;
	GArray *expects;
	GArray *schedule;
	GArray *plan;
	GArray *refs;
	GString *desc;
	int desc_state;
};

/* A bounded copy of user text for a message. */
struct qbuf {
	char b[QUOTE_MAX + 4];
};

static const char *
quote_n(struct qbuf *q, const char *s, size_t n)
{
	if (n > QUOTE_MAX) {
		memcpy(q->b, s, QUOTE_MAX);
		strcpy(q->b + QUOTE_MAX, "...");
	} else {
		memcpy(q->b, s, n);
		q->b[n] = '\0';
	}
	return q->b;
}

static const char *
quote(struct qbuf *q, const char *s)
{
	return quote_n(q, s, strlen(s));
}

static char *
join(const char *const *names, size_t n)
{
	GString *g = g_string_new(NULL);

	for (size_t i = 0; i < n; i++)
		g_string_append_printf(g, "%s%s", i ? ", " : "", names[i]);
	return g_string_free(g, FALSE);
}

#define JOIN(a) join((a), G_N_ELEMENTS(a))

/* Errors. */

/*
 * Append the source line and a caret line under column col.  Bytes that
 * would garble a terminal (controls, NUL, invalid UTF-8) are shown as '?',
 * one for one, so byte columns still match; the caret line copies the tabs
 * of the source line so it lines up whatever the tab width.
 */
static void
append_source(GString *m, const char *line, size_t len, int col)
{
	size_t shown = MIN(len, LINE_MAX_BYTES), start = m->len, i;

	for (i = 0; i < shown; i++) {
		unsigned char c = line[i];
		gunichar u;

		if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
			g_string_append_c(m, c);
			continue;
		}
		u = c < 0x80 ? (gunichar)-1 :
		    g_utf8_get_char_validated(line + i, shown - i);
		if (u == (gunichar)-1 || u == (gunichar)-2 || g_unichar_iscntrl(u)) {
			g_string_append_c(m, '?');
			continue;
		}
		g_string_append_len(m, line + i, g_utf8_skip[c]);
		i += g_utf8_skip[c] - 1;
	}
	g_string_append_c(m, '\n');
	for (i = 0; i + 1 < (size_t)col; i++) {
		unsigned char c = i < shown ? (unsigned char)m->str[start + i] : ' ';

		if (c == '\t')
			g_string_append_c(m, '\t');
		else if (c < 0x80 || c >= 0xc0)
			g_string_append_c(m, ' ');
	}
	g_string_append_c(m, '^');
}

static void perr(struct parser *, int, const char *, ...) G_GNUC_PRINTF(3, 4);

/* Report an error at column col of the current line (the first one wins). */
static void
perr(struct parser *p, int col, const char *fmt, ...)
{
	GString *m;
	va_list ap;

	if (p->error != NULL)
		return;
	m = g_string_new(NULL);
	g_string_append_printf(m, "%s:%d:%d: error: ", p->s->path, p->lineno, col);
	va_start(ap, fmt);
	g_string_append_vprintf(m, fmt, ap);
	va_end(ap);
	g_string_append_c(m, '\n');
	append_source(m, p->line, p->linelen, col);
	p->error = g_error_new_literal(SCENARIO_ERROR, SCENARIO_ERROR_SYNTAX, m->str);
	g_string_free(m, TRUE);
}

static void
unexpected(struct parser *p, const struct tok *t)
{
	struct qbuf q;

	perr(p, t->col, "unexpected '%s'", quote(&q, t->s));
}

static ScnPos
tpos(const struct parser *p, const struct tok *t)
{
	return (ScnPos){ p->lineno, t->col };
}

/* Cursor. */

static const struct tok *
peek(const struct cur *c)
{
	return c->i < c->n ? &c->t[c->i] : NULL;
}

static const struct tok *
next(struct cur *c)
{
	return c->i < c->n ? &c->t[c->i++] : NULL;
}

/*
 * The next token, or an error "expected WHAT after '<what came before>'"
 * pointing just past the last token, where the missing one should be.
 */
static const struct tok *
need(struct parser *p, struct cur *c, const char *what)
{
	const struct tok *first = &c->t[0], *last = &c->t[c->i - 1];
	const char *text;
	int end, len;

	if (c->i < c->n)
		return &c->t[c->i++];
	end = last->col + last->len;
	len = end - first->col;
	text = p->line + first->col - 1;
	if (len > AFTER_MAX)
		perr(p, end, "expected %s after '...%.*s'", what, AFTER_MAX - 3,
		    text + len - (AFTER_MAX - 3));
	else
		perr(p, end, "expected %s after '%.*s'", what, len, text);
	return NULL;
}

static bool
done(struct parser *p, const struct cur *c)
{
	if (c->i < c->n) {
		unexpected(p, &c->t[c->i]);
		return false;
	}
	return true;
}

/* A fixed word, such as `from` in a datagram event. */
static bool
keyword(struct parser *p, struct cur *c, const char *word)
{
	char what[32];
	const struct tok *t;
	struct qbuf q;

	snprintf(what, sizeof what, "'%s'", word);
	if ((t = need(p, c, what)) == NULL)
		return false;
	if (strcmp(t->s, word) != 0) {
		perr(p, t->col, "expected '%s', not '%s'", word, quote(&q, t->s));
		return false;
	}
	return true;
}

/* Numbers, durations, addresses. */

/*
 * Leading decimal digits of s into *v, or -1 into *v if they overflow, so
 * callers report "too large" rather than wrap.  Returns the first byte
 * after the digits, or NULL if there were none.
 */
static const char *
scan_digits(const char *s, int64_t *v)
{
	const char *d = s;

	*v = 0;
	for (; g_ascii_isdigit(*d); d++) {
		if (*v >= 0 && *v <= (INT64_MAX - (*d - '0')) / 10)
			*v = *v * 10 + (*d - '0');
		else
			*v = -1;
	}
	return d == s ? NULL : d;
}

/* A size or count: digits and an optional binary suffix.  noun: "size", "number". */
static bool
get_size(struct parser *p, const char *s, int col, const char *noun, int64_t *out)
{
	static const struct {
		const char *suffix;
		int64_t mult;
	} units[] = {
		{ "", 1 },
		{ "K", (int64_t)1 << 10 }, { "KiB", (int64_t)1 << 10 },
		{ "M", (int64_t)1 << 20 }, { "MiB", (int64_t)1 << 20 },
		{ "G", (int64_t)1 << 30 }, { "GiB", (int64_t)1 << 30 },
	};
	const char *end;
	struct qbuf q;
	int64_t v;
	size_t u;

	if (s[0] == '-' && g_ascii_isdigit(s[1])) {
		perr(p, col, "%s '%s' is negative", noun, quote(&q, s));
		return false;
	}
	end = scan_digits(s, &v);
	for (u = 0; end != NULL && u < G_N_ELEMENTS(units); u++)
		if (strcmp(end, units[u].suffix) == 0)
			break;
	if (end == NULL || u == G_N_ELEMENTS(units)) {
		perr(p, col, "invalid %s '%s' (expected a number with an optional K, M, G, "
		    "KiB, MiB or GiB)", noun, quote(&q, s));
		return false;
	}
	if (v < 0 || v > SIZE_LIMIT / units[u].mult) {
		perr(p, col, "%s '%s' is too large (max 2^50)", noun, quote(&q, s));
		return false;
	}
	*out = v * units[u].mult;
	return true;
}

/* A size that is stored in an int (control data lengths). */
static bool
get_int_size(struct parser *p, const char *s, int col, int *out)
{
	struct qbuf q;
	int64_t v;

	if (!get_size(p, s, col, "size", &v))
		return false;
	if (v > INT_MAX) {
		perr(p, col, "size '%s' is too large (max %d)", quote(&q, s), INT_MAX);
		return false;
	}
	*out = (int)v;
	return true;
}

/* A duration in ns: digits and a unit, always (a bare 10 is ambiguous). */
static bool
get_duration(struct parser *p, const char *s, int col, int64_t *out)
{
	static const struct {
		const char *unit;
		int64_t mult;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	};
	const char *end;
	struct qbuf q;
	int64_t v;
	size_t u;

	if (s[0] == '-' && g_ascii_isdigit(s[1])) {
		perr(p, col, "duration '%s' is negative", quote(&q, s));
		return false;
	}
	end = scan_digits(s, &v);
	if (end != NULL && *end == '\0') {
		perr(p, col, "duration needs a unit (ns, us, ms, s)");
		return false;
	}
	for (u = 0; end != NULL && u < G_N_ELEMENTS(units); u++)
		if (strcmp(end, units[u].unit) == 0)
			break;
	if (end == NULL || u == G_N_ELEMENTS(units)) {
		perr(p, col, "invalid duration '%s' (expected a number with a unit: ns, us, ms "
		    "or s)", quote(&q, s));
		return false;
	}
	if (v < 0 || v > DURATION_LIMIT / units[u].mult) {
		perr(p, col, "duration '%s' is too large (max 1000000s)", quote(&q, s));
		return false;
	}
	*out = v * units[u].mult;
	return true;
}

static bool
size_arg(struct parser *p, struct cur *c, const char *what, int64_t *out)
{
	const struct tok *t = need(p, c, what);

	return t != NULL && get_size(p, t->s, t->col, "size", out);
}

static bool
number_arg(struct parser *p, struct cur *c, const char *what, int64_t *out)
{
	const struct tok *t = need(p, c, what);

	return t != NULL && get_size(p, t->s, t->col, "number", out);
}

static bool
duration_arg(struct parser *p, struct cur *c, const char *what, int64_t *out)
{
	const struct tok *t = need(p, c, what);

	return t != NULL && get_duration(p, t->s, t->col, out);
}

/* A.B.C.D:PORT, decimal. */
static bool
get_addr(struct parser *p, const struct tok *t, ScnAddr *a)
{
	const char *s = t->s;
	struct qbuf q;
	int64_t v;

	a->ip = 0;
	for (int i = 0; i < 4; i++) {
		s = scan_digits(s, &v);
		if (s == NULL || v < 0 || v > 255 || *s != (i < 3 ? '.' : ':'))
			goto bad;
		a->ip = a->ip << 8 | (uint32_t)v;
		s++;
	}
	s = scan_digits(s, &v);
	if (s == NULL || *s != '\0' || v < 0 || v > 65535)
		goto bad;
	a->port = (uint16_t)v;
	return true;
bad:
	perr(p, t->col, "invalid address '%s' (expected A.B.C.D:PORT)", quote(&q, t->s));
	return false;
}

/* Message flags. */

static const struct flagdef {
	const char *name;
	int value;
	bool in;		/* may be passed to send/recv */
	bool out;		/* may be returned by recv */
} flagdefs[] = {
	{ "WAITALL", K_MSG_WAITALL, true, false },
	{ "PEEK", K_MSG_PEEK, true, false },
	{ "DONTWAIT", K_MSG_DONTWAIT, true, false },
	{ "OOB", K_MSG_OOB, true, true },
	{ "EOR", K_MSG_EOR, true, true },
	{ "TRUNC", K_MSG_TRUNC, true, true },
	{ "DONTROUTE", K_MSG_DONTROUTE, true, false },
};

/* The engine reports only these three (CTRUNC never happens: no control data is cut). */
static const char known_in_flags[] = "WAITALL, PEEK, DONTWAIT, OOB, EOR, TRUNC, DONTROUTE";
static const char known_out_flags[] = "TRUNC, EOR, OOB";

/* Flags are written in capitals; anything else in their place is stray. */
static bool
looks_like_flags(const struct tok *t)
{
	return t != NULL && g_ascii_isupper(t->s[0]);
}

/* One flag name, with or without MSG_, at column col. */
static bool
get_flag(struct parser *p, const char *name, size_t len, int col, bool out, int *flags)
{
	const struct flagdef *f = NULL;
	struct qbuf q;

	if (len > 4 && strncmp(name, "MSG_", 4) == 0) {
		name += 4;
		len -= 4;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(flagdefs); i++)
		if (strlen(flagdefs[i].name) == len && strncmp(flagdefs[i].name, name, len) == 0)
			f = &flagdefs[i];
	if (f != NULL && (out ? f->out : f->in)) {
		*flags |= f->value;
		return true;
	}
	quote_n(&q, name, len);
	if (f != NULL)
		perr(p, col, "%s is not %s flag (known: %s)", f->name,
		    out ? "a result" : "an input", out ? known_out_flags : known_in_flags);
	else if (!out && len <= QUOTE_MAX && errno_from_name(q.b) != 0)
		/* `recv a 10 EWOULDBLOCK`: the arrow was forgotten */
		perr(p, col, "unknown flag '%s' (an expected error goes after '=>')", q.b);
	else
		perr(p, col, "unknown flag '%s' (known: %s)", q.b,
		    out ? known_out_flags : known_in_flags);
	return false;
}

/* NAME|NAME|..., one token. */
static bool
get_flags(struct parser *p, const struct tok *t, bool out, int *flags)
{
	const char *s = t->s, *bar;

	*flags = 0;
	for (;;) {
		bar = strchr(s, '|');
		if (bar == s || *s == '\0') {
			perr(p, t->col + (int)(s - t->s), "expected a flag name");
			return false;
		}
		if (!get_flag(p, s, bar ? (size_t)(bar - s) : strlen(s),
		    t->col + (int)(s - t->s), out, flags))
			return false;
		if (bar == NULL)
			return true;
		s = bar + 1;
	}
}

/* Names. */

static bool
is_ident(const char *s)
{
	if (!g_ascii_isalpha(*s) && *s != '_')
		return false;
	for (s++; *s != '\0'; s++)
		if (!g_ascii_isalnum(*s) && *s != '_')
			return false;
	return true;
}

static int
find_socket(const Scenario *s, const char *name)
{
	for (int i = 0; i < s->nsockets; i++)
		if (strcmp(s->sockets[i].name, name) == 0)
			return i;
	return -1;
}

static int
find_thread(const Scenario *s, const char *name)
{
	for (int i = 0; i < s->nthreads; i++)
		if (strcmp(s->threads[i].name, name) == 0)
			return i;
	return -1;
}

static const char *
kind_name(ScnSockKind k)
{
	return k == SCN_SOCK_TCP ? "TCP" : "UDP";
}

/* A name for a new socket or thread (what): well formed, short, and free. */
static bool
check_new_name(struct parser *p, const char *name, int col, const char *what)
{
	static const char *const reserved[] = { "softnet", "any", "all", "sosplice", "softclock",
	    "badfd", "notsock" };
	struct qbuf q;
	int i;

	if (!is_ident(name)) {
		perr(p, col, "invalid %s name '%s' (letters, digits and '_', not starting with "
		    "a digit)", what, quote(&q, name));
		return false;
	}
	if (strlen(name) >= SCN_NAME_MAX) {
		perr(p, col, "%s name '%s' is too long (max %d characters)", what,
		    quote(&q, name), SCN_NAME_MAX - 1);
		return false;
	}
	for (size_t r = 0; r < G_N_ELEMENTS(reserved); r++) {
		if (strcmp(name, reserved[r]) == 0) {
			perr(p, col, "'%s' is a reserved name", name);
			return false;
		}
	}
	if ((i = find_socket(p->s, name)) >= 0) {
		perr(p, col, "'%s' is already a socket (line %d)", name,
		    p->s->sockets[i].pos.line);
		return false;
	}
	if ((i = find_thread(p->s, name)) >= 0) {
		perr(p, col, "'%s' is already a thread (line %d)", name,
		    p->s->threads[i].pos.line);
		return false;
	}
	return true;
}

static int
get_socket(struct parser *p, const struct tok *t)
{
	struct qbuf q;
	int i;

	if ((i = find_socket(p->s, t->s)) < 0)
		perr(p, t->col, "unknown socket '%s'", quote(&q, t->s));
	return i;
}

static int
socket_arg(struct parser *p, struct cur *c, const char *what)
{
	const struct tok *t = need(p, c, what);

	return t == NULL ? -1 : get_socket(p, t);
}

/* A socket that must be of one kind: user names what needs it, for the message. */
static int
typed_socket_arg(struct parser *p, struct cur *c, const char *what, ScnSockKind kind,
    const char *user)
{
	const struct tok *t = need(p, c, what);
	int i;

	if (t == NULL || (i = get_socket(p, t)) < 0)
		return -1;
	if (p->s->sockets[i].kind != kind) {
		perr(p, t->col, "%s needs a %s socket; '%s' is %s", user, kind_name(kind), t->s,
		    kind_name(p->s->sockets[i].kind));
		return -1;
	}
	return i;
}

/* A thread named before it may be declared: checked at the end of the file. */
static bool
thread_ref(struct parser *p, const struct tok *t, bool in_schedule, int index)
{
	struct thread_ref r;
	struct qbuf q;

	if (!is_ident(t->s) || t->len >= SCN_NAME_MAX) {
		perr(p, t->col, "unknown thread '%s'", quote(&q, t->s));
		return false;
	}
	memset(&r, 0, sizeof r);
	r.in_schedule = in_schedule;
	r.index = index;
	g_strlcpy(r.name, t->s, sizeof r.name);
	r.pos = tpos(p, t);
	r.line = p->line;
	r.linelen = p->linelen;
	g_array_append_val(p->refs, r);
	return true;
}

/* Socket options. */

enum vtype { V_SIZE, V_DURATION, V_BOOL };

static const struct optdef {
	const char *name;
	enum vtype type;
	bool tcp_only;		/* and only in the declaration */
} optdefs[SCN__OPT_COUNT] = {
	[SCN_OPT_RCVBUF] = { "rcvbuf", V_SIZE, false },
	[SCN_OPT_SNDBUF] = { "sndbuf", V_SIZE, false },
	[SCN_OPT_RCVLOWAT] = { "rcvlowat", V_SIZE, false },
	[SCN_OPT_SNDLOWAT] = { "sndlowat", V_SIZE, false },
	[SCN_OPT_RCVTIMEO] = { "rcvtimeo", V_DURATION, false },
	[SCN_OPT_SNDTIMEO] = { "sndtimeo", V_DURATION, false },
	[SCN_OPT_NONBLOCK] = { "nonblock", V_BOOL, false },
	[SCN_OPT_OOBINLINE] = { "oobinline", V_BOOL, false },
	[SCN_OPT_MSS] = { "mss", V_SIZE, true },
	[SCN_OPT_DELAY] = { "delay", V_DURATION, true },
	[SCN_OPT_LISTEN] = { "listen", V_BOOL, true },
};

static const char *const vtype_meta[] = { "SIZE", "DURATION", "0 or 1" };

static void
unknown_option(struct parser *p, const char *name, size_t len, int col)
{
	const char *names[SCN__OPT_COUNT];
	struct qbuf q;
	char *known;

	for (int i = 0; i < SCN__OPT_COUNT; i++)
		names[i] = optdefs[i].name;
	known = JOIN(names);
	perr(p, col, "unknown option '%s' (known: %s)", quote_n(&q, name, len), known);
	g_free(known);
}

/* "name=value", or a bare boolean name meaning 1, at column col. */
static bool
get_option(struct parser *p, const char *s, int col, ScnOptSet *o)
{
	const char *eq = strchr(s, '='), *v;
	size_t nlen = eq != NULL ? (size_t)(eq - s) : strlen(s);
	const struct optdef *d = NULL;
	struct qbuf q;
	int vcol;

	for (int i = 0; i < SCN__OPT_COUNT; i++) {
		if (strlen(optdefs[i].name) == nlen && strncmp(optdefs[i].name, s, nlen) == 0) {
			d = &optdefs[i];
			o->opt = (ScnOpt)i;
		}
	}
	if (d == NULL) {
		unknown_option(p, s, nlen, col);
		return false;
	}
	o->pos = (ScnPos){ p->lineno, col };
	if (eq == NULL) {
		if (d->type != V_BOOL) {
			perr(p, col + (int)nlen, "option '%s' needs a value (%s=%s)", d->name,
			    d->name, vtype_meta[d->type]);
			return false;
		}
		o->value = 1;
		return true;
	}
	v = eq + 1;
	vcol = col + (int)nlen + 1;
	if (*v == '\0') {
		perr(p, vcol, "expected %s after '%s='", vtype_meta[d->type], d->name);
		return false;
	}
	switch (d->type) {
	case V_SIZE:
		return get_size(p, v, vcol, "size", &o->value);
	case V_DURATION:
		return get_duration(p, v, vcol, &o->value);
	case V_BOOL:
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
			perr(p, vcol, "'%s' takes 0 or 1, not '%s'", d->name, quote(&q, v));
			return false;
		}
		o->value = v[0] - '0';
		return true;
	}
	return false;
}

/* Set an option on a declared socket: a repeated option replaces the first. */
static void
socket_setopt(ScnSocket *so, const ScnOptSet *o)
{
	for (int i = 0; i < so->nopts; i++) {
		if (so->opts[i].opt == o->opt) {
			so->opts[i] = *o;
			return;
		}
	}
	so->opts[so->nopts++] = *o;
}

/*
 * An option in a declaration of sockets first..first+n-1: "opt=value"
 * applies to all of them, "NAME.opt=value" to NAME only.
 */
static bool
decl_option(struct parser *p, const struct tok *t, int first, int n)
{
	const char *s = t->s, *eq = strchr(s, '='), *dot = strchr(s, '.');
	int col = t->col, target = -1;
	struct qbuf q;
	ScnOptSet o;

	if (!g_ascii_isalpha(s[0]) && s[0] != '_') {
		unexpected(p, t);
		return false;
	}
	if (dot != NULL && (eq == NULL || dot < eq)) {
		size_t plen = (size_t)(dot - s);

		for (int i = first; i < first + n; i++)
			if (strlen(p->s->sockets[i].name) == plen &&
			    strncmp(p->s->sockets[i].name, s, plen) == 0)
				target = i;
		if (target < 0) {
			perr(p, col, "'%s' is not a socket declared here", quote_n(&q, s, plen));
			return false;
		}
		col += (int)plen + 1;
		s = dot + 1;
	}
	if (!get_option(p, s, col, &o))
		return false;
	for (int i = first; i < first + n; i++) {
		ScnSocket *so = &p->s->sockets[i];

		if (target >= 0 && i != target)
			continue;
		if (optdefs[o.opt].tcp_only && so->kind != SCN_SOCK_TCP) {
			perr(p, col, "'%s' applies to TCP sockets only", optdefs[o.opt].name);
			return false;
		}
		socket_setopt(so, &o);
	}
	return true;
}

/* Operations. */

static bool
control_opt(struct parser *p, const struct tok *t, int *ctl_len)
{
	const char *v = t->s + strlen("control=");
	int vcol = t->col + (int)strlen("control=");

	if (*v == '\0') {
		perr(p, vcol, "expected N after 'control='");
		return false;
	}
	return get_int_size(p, v, vcol, ctl_len);
}

/* [FLAGS] [control=N], in either order, up to a `=>`. */
static bool
send_tail(struct parser *p, struct cur *c, ScnOp *op)
{
	const struct tok *t;
	bool flags = false, control = false;

	while ((t = peek(c)) != NULL) {
		if (!control && g_str_has_prefix(t->s, "control=")) {
			if (!control_opt(p, t, &op->ctl_len))
				return false;
			control = true;
		} else if (!flags && looks_like_flags(t)) {
			if (!get_flags(p, t, false, &op->flags))
				return false;
			flags = true;
		} else
			return true;
		c->i++;
	}
	return true;
}

static bool
op_send(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_SEND;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0 &&
	    size_arg(p, c, "LEN", &op->len) && send_tail(p, c, op);
}

static bool
op_sendto(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_SENDTO;
	return (op->sock = typed_socket_arg(p, c, "SOCKET", SCN_SOCK_UDP, "sendto")) >= 0 &&
	    (op->dest = typed_socket_arg(p, c, "DEST", SCN_SOCK_UDP, "sendto")) >= 0 &&
	    size_arg(p, c, "LEN", &op->len) && send_tail(p, c, op);
}

static bool
op_recv(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_RECV;
	if ((op->sock = socket_arg(p, c, "SOCKET")) < 0 || !size_arg(p, c, "LEN", &op->len))
		return false;
	if (looks_like_flags(peek(c)) && !get_flags(p, next(c), false, &op->flags))
		return false;
	return true;
}

static bool
op_shutdown(struct parser *p, struct cur *c, ScnOp *op)
{
	static const char *const hows[] = { "rd", "wr", "rdwr" };
	const struct tok *t;
	struct qbuf q;

	op->kind = SCN_OP_SHUTDOWN;
	if ((op->sock = socket_arg(p, c, "SOCKET")) < 0 ||
	    (t = need(p, c, "rd, wr or rdwr")) == NULL)
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(hows); i++) {
		if (strcmp(t->s, hows[i]) == 0) {
			op->how = (int)i;
			return true;
		}
	}
	perr(p, t->col, "unknown shutdown direction '%s' (known: rd, wr, rdwr)", quote(&q, t->s));
	return false;
}

static bool
op_close(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_CLOSE;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0;
}

static bool
op_setsockopt(struct parser *p, struct cur *c, ScnOp *op)
{
	const struct tok *t;

	op->kind = SCN_OP_SETSOCKOPT;
	if ((op->sock = socket_arg(p, c, "SOCKET")) < 0 ||
	    (t = need(p, c, "OPTION=VALUE")) == NULL || !get_option(p, t->s, t->col, &op->opt))
		return false;
	if (optdefs[op->opt.opt].tcp_only) {
		perr(p, t->col, "'%s' can only be set where the socket is declared",
		    optdefs[op->opt.opt].name);
		return false;
	}
	return true;
}

static bool
op_kttcp(struct parser *p, struct cur *c, ScnOp *op)
{
	const struct tok *t;
	struct qbuf q;

	if ((t = need(p, c, "'send' or 'recv'")) == NULL)
		return false;
	if (strcmp(t->s, "send") == 0)
		op->kind = SCN_OP_KTTCP_SEND;
	else if (strcmp(t->s, "recv") == 0)
		op->kind = SCN_OP_KTTCP_RECV;
	else {
		perr(p, t->col, "expected 'send' or 'recv', not '%s'", quote(&q, t->s));
		return false;
	}
	return (op->sock = typed_socket_arg(p, c, "SOCKET", SCN_SOCK_TCP, "kttcp")) >= 0 &&
	    size_arg(p, c, "LEN", &op->len);
}

static bool
op_sleep(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_SLEEP;
	return duration_arg(p, c, "DURATION", &op->len);
}

/* `upcall S` and `waitupcall S`: a kernel consumer of socket upcalls. */
static bool
op_upcall(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_UPCALL;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0;
}

static bool
op_waitupcall(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_WAITUPCALL;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0;
}

/* A splice drain: a socket, `badfd` (EBADF) or `notsock` (ENOTSOCK). */
static int
drain_arg(struct parser *p, struct cur *c)
{
	const struct tok *t = peek(c);

	if (t != NULL && strcmp(t->s, "badfd") == 0) {
		c->i++;
		return K_FD_BAD;
	}
	if (t != NULL && strcmp(t->s, "notsock") == 0) {
		c->i++;
		return K_FD_NOTSOCK;
	}
	return socket_arg(p, c, "DRAIN");
}

/* A signed value after `name=`: `max=-1`, `idle=-2s`. */
static bool
signed_value(struct parser *p, const struct tok *t, size_t plen, bool duration, int64_t *out)
{
	const char *v = t->s + plen;
	int col = t->col + (int)plen;
	bool neg = v[0] == '-';

	if (v[neg] == '\0') {
		perr(p, col, "expected %s after '%.*s'", duration ? "DURATION" : "SIZE", (int)plen, t->s);
		return false;
	}
	if (duration ? !get_duration(p, v + neg, col + neg, out) :
	    !get_size(p, v + neg, col + neg, "size", out))
		return false;
	if (neg)
		*out = -*out;
	return true;
}

/* `splice SRC DRAIN [max=SIZE] [idle=DURATION] [optlen=N]` (OpenBSD SO_SPLICE). */
static bool
op_splice(struct parser *p, struct cur *c, ScnOp *op)
{
	const struct tok *t;
	struct qbuf q;

	op->kind = SCN_OP_SPLICE;
	if ((op->sock = socket_arg(p, c, "SOURCE")) < 0 || (op->dest = drain_arg(p, c)) == -1)
		return false;
	while ((t = peek(c)) != NULL && strncmp(t->s, "=>", 2) != 0) {
		if (g_str_has_prefix(t->s, "max=")) {
			if (!signed_value(p, t, 4, false, &op->max))
				return false;
		} else if (g_str_has_prefix(t->s, "idle=")) {
			if (!signed_value(p, t, 5, true, &op->idle))
				return false;
		} else if (g_str_has_prefix(t->s, "optlen=")) {
			int64_t v;

			if (!signed_value(p, t, 7, false, &v))
				return false;
			if (v <= 0 || v > 64) {
				perr(p, t->col + 7, "optlen must be between 1 and 64");
				return false;
			}
			op->optlen = (int)v;
		} else {
			perr(p, t->col, "unexpected '%s' (splice takes max=SIZE, idle=DURATION, optlen=N)",
			    quote(&q, t->s));
			return false;
		}
		c->i++;
	}
	return true;
}

static bool
op_unsplice(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_UNSPLICE;
	return (op->sock = socket_arg(p, c, "SOURCE")) >= 0;
}

static bool
op_getsplice(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_GETSPLICE;
	return (op->sock = socket_arg(p, c, "SOURCE")) >= 0;
}

static bool
op_soerror(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_SOERROR;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0;
}

/* `sys_splice A B`: NetBSD's 2005 splice(2) prototype, both directions. */
static bool
op_sys_splice(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_SYS_SPLICE;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0 && (op->dest = drain_arg(p, c)) != -1;
}

static const struct opdef {
	const char *name;
	bool (*parse)(struct parser *, struct cur *, ScnOp *);
} opdefs[] = {
	{ "send", op_send },
	{ "sendto", op_sendto },
	{ "recv", op_recv },
	{ "recvfrom", op_recv },
	{ "shutdown", op_shutdown },
	{ "close", op_close },
	{ "setsockopt", op_setsockopt },
	{ "kttcp", op_kttcp },
	{ "sleep", op_sleep },
	{ "upcall", op_upcall },
	{ "waitupcall", op_waitupcall },
	{ "splice", op_splice },
	{ "unsplice", op_unsplice },
	{ "getsplice", op_getsplice },
	{ "soerror", op_soerror },
	{ "sys_splice", op_sys_splice },
};

/* `=> 4096`, `=> 4096 TRUNC|EOR`, `=> EWOULDBLOCK`. */
static bool
get_result(struct parser *p, struct cur *c, ScnResult *r)
{
	const struct tok *arrow = next(c), *t;
	struct qbuf q;

	if (arrow->len > 2) {
		perr(p, arrow->col + 2, "expected a space after '=>'");
		return false;
	}
	r->pos = tpos(p, arrow);
	if ((t = need(p, c, "RESULT")) == NULL)
		return false;
	if (g_ascii_isdigit(t->s[0]) || t->s[0] == '-') {
		r->kind = SCN_RES_VALUE;
		if (!get_size(p, t->s, t->col, "size", &r->value))
			return false;
		if (looks_like_flags(peek(c))) {
			r->check_flags = true;
			return get_flags(p, next(c), true, &r->flags);
		}
		return true;
	}
	if (t->s[0] == 'E' && (r->err = errno_from_name(t->s)) != 0) {
		r->kind = SCN_RES_ERRNO;
		return true;
	}
	if (t->s[0] == 'E')
		perr(p, t->col, "unknown errno '%s'", quote(&q, t->s));
	else
		perr(p, t->col, "expected a byte count or an errno name, not '%s'", quote(&q, t->s));
	return false;
}

static bool is_statement(const char *);

static void
unknown_operation(struct parser *p, const struct tok *kw)
{
	const char *names[G_N_ELEMENTS(opdefs)];
	struct qbuf q;
	char *known;

	/* an indented statement is the likelier mistake */
	if (is_statement(kw->s)) {
		perr(p, kw->col, "'%s' is a statement, not an operation; statements start at "
		    "column 1", kw->s);
		return;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(opdefs); i++)
		names[i] = opdefs[i].name;
	known = JOIN(names);
	perr(p, kw->col, "unknown operation '%s' (known: %s)", quote(&q, kw->s), known);
	g_free(known);
}

static bool
parse_op(struct parser *p, struct cur *c, ScnOp *op)
{
	const struct tok *kw = next(c), *t;
	const struct opdef *d = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(opdefs); i++)
		if (strcmp(kw->s, opdefs[i].name) == 0)
			d = &opdefs[i];
	if (d == NULL) {
		unknown_operation(p, kw);
		return false;
	}
	op->pos = tpos(p, kw);
	if (!d->parse(p, c, op))
		return false;
	if ((t = peek(c)) != NULL && strncmp(t->s, "=>", 2) == 0) {
		if (op->kind == SCN_OP_SLEEP) {
			perr(p, t->col, "sleep has no result to check");
			return false;
		}
		if (!get_result(p, c, &op->expect))
			return false;
	}
	return done(p, c);
}

/* Copy the source text of tokens t[0..n-1] into buf, cut to fit. */
static void
source_text(const struct parser *p, const struct tok *t, int n, char *buf, size_t size)
{
	const struct tok *last = &t[n - 1];
	size_t len = (size_t)(last->col + last->len - t[0].col);

	len = MIN(len, size - 1);
	memcpy(buf, p->line + t[0].col - 1, len);
	buf[len] = '\0';
}

/* One operation, tokens toks[from..to-1], for the open thread. */
static bool
thread_op(struct parser *p, int from, int to)
{
	GArray *ops = p->ops[p->thread];
	struct cur c = { p->toks + from, to - from, 0 };
	ScnOp op;

	if (ops->len >= SCN_MAX_OPS) {
		perr(p, p->toks[from].col, "too many operations in thread '%s' (max %d)",
		    p->s->threads[p->thread].name, SCN_MAX_OPS);
		return false;
	}
	memset(&op, 0, sizeof op);
	op.sock = -1;
	op.dest = -1;
	op.expect.kind = SCN_RES_NONE;
	if (!parse_op(p, &c, &op))
		return false;
	source_text(p, c.t, c.n, op.text, sizeof op.text);
	g_array_append_val(ops, op);
	return true;
}

/* Operations from token `from` on, separated by `;`. */
static bool
thread_ops(struct parser *p, int from)
{
	int i = from, j;

	if (p->thread < 0) {
		perr(p, p->toks[from].col, "operation outside a thread");
		return false;
	}
	while (i < p->ntoks) {
		for (j = i; j < p->ntoks && p->toks[j].s[0] != ';'; j++)
			continue;
		if (j > i && !thread_op(p, i, j))
			return false;
		i = j + 1;
	}
	return true;
}

/* Statements.  Each gets a cursor past its keyword. */

static bool
st_profile(struct parser *p, struct cur *c)
{
	const struct tok *t;
	const char *names[64];
	struct qbuf q;
	char *known;
	int n;

	if (p->s->profile != NULL) {
		perr(p, c->t[0].col, "profile given twice (first at line %d)",
		    p->s->profile_pos.line);
		return false;
	}
	if ((t = need(p, c, "NAME")) == NULL)
		return false;
	if (profile_find(t->s) == NULL) {
		n = MIN(nprofiles, (int)G_N_ELEMENTS(names));
		for (int i = 0; i < n; i++)
			names[i] = profiles[i].name;
		known = join(names, (size_t)n);
		perr(p, t->col, "unknown profile '%s' (known: %s)", quote(&q, t->s), known);
		g_free(known);
		return false;
	}
	p->s->profile = g_strdup(t->s);
	p->s->profile_pos = tpos(p, t);
	return done(p, c);
}

static bool
st_quirk(struct parser *p, struct cur *c)
{
	const char *names[QUIRK__COUNT];
	const struct tok *t;
	uint32_t bit;
	struct qbuf q;
	char *known;
	int id;

	if ((t = need(p, c, "NAME")) == NULL)
		return false;
	if ((id = quirk_find(t->s)) < 0) {
		for (int i = 0; i < QUIRK__COUNT; i++)
			names[i] = quirk_defs[i].name;
		known = JOIN(names);
		perr(p, t->col, "unknown quirk '%s' (known: %s)", quote(&q, t->s), known);
		g_free(known);
		return false;
	}
	bit = 1u << id;
	if ((t = next(c)) == NULL || strcmp(t->s, "on") == 0) {
		p->s->quirks_on |= bit;
		p->s->quirks_off &= ~bit;
	} else if (strcmp(t->s, "off") == 0) {
		p->s->quirks_off |= bit;
		p->s->quirks_on &= ~bit;
	} else {
		perr(p, t->col, "expected 'on' or 'off', not '%s'", quote(&q, t->s));
		return false;
	}
	return done(p, c);
}

static bool
st_seed(struct parser *p, struct cur *c)
{
	const struct tok *t;
	const char *end;
	struct qbuf q;

	if ((t = need(p, c, "N")) == NULL)
		return false;
	end = scan_digits(t->s, &p->s->seed);
	if (end == NULL || *end != '\0') {
		perr(p, t->col, "invalid seed '%s' (expected a number)", quote(&q, t->s));
		return false;
	}
	if (p->s->seed < 0) {
		perr(p, t->col, "seed '%s' is too large", quote(&q, t->s));
		return false;
	}
	p->s->has_seed = true;
	return done(p, c);
}

static bool
st_limit(struct parser *p, struct cur *c)
{
	Scenario *s = p->s;
	const struct tok *t;
	struct qbuf q;
	bool ok;

	if ((t = need(p, c, "steps, mbufs, bytes or time")) == NULL)
		return false;
	if (strcmp(t->s, "steps") == 0)
		ok = number_arg(p, c, "N", &s->limit_steps);
	else if (strcmp(t->s, "mbufs") == 0)
		ok = number_arg(p, c, "N", &s->limit_mbufs);
	else if (strcmp(t->s, "bytes") == 0)
		ok = size_arg(p, c, "SIZE", &s->limit_bytes);
	else if (strcmp(t->s, "time") == 0)
		ok = duration_arg(p, c, "DURATION", &s->limit_time);
	else {
		perr(p, t->col, "unknown limit '%s' (known: steps, mbufs, bytes, time)",
		    quote(&q, t->s));
		return false;
	}
	return ok && done(p, c);
}

/* `sysctl kern.sbmax=SIZE`: the one kernel variable scenarios may change. */
static bool
st_sysctl(struct parser *p, struct cur *c)
{
	static const char var[] = "kern.sbmax=";
	const struct tok *t;
	const char *eq;
	struct qbuf q;

	if ((t = need(p, c, "NAME=VALUE")) == NULL)
		return false;
	if (!g_str_has_prefix(t->s, var)) {
		eq = strchr(t->s, '=');
		perr(p, t->col, "unknown sysctl '%s' (known: kern.sbmax)",
		    quote_n(&q, t->s, eq ? (size_t)(eq - t->s) : strlen(t->s)));
		return false;
	}
	if (t->s[strlen(var)] == '\0') {
		perr(p, t->col + (int)strlen(var), "expected SIZE after '%s'", var);
		return false;
	}
	return get_size(p, t->s + strlen(var), t->col + (int)strlen(var), "size",
	    &p->s->sb_max) && done(p, c);
}

/* Declare socket NAME (token t) of a kind; returns its index or -1. */
static int
add_socket(struct parser *p, const struct tok *t, ScnSockKind kind)
{
	ScnSocket *so;

	if (!check_new_name(p, t->s, t->col, "socket"))
		return -1;
	if (p->s->nsockets == SCN_MAX_SOCKETS) {
		perr(p, t->col, "too many sockets (max %d)", SCN_MAX_SOCKETS);
		return -1;
	}
	so = &p->s->sockets[p->s->nsockets];
	memset(so, 0, sizeof *so);
	g_strlcpy(so->name, t->s, sizeof so->name);
	so->kind = kind;
	so->pos = tpos(p, t);
	so->peer = -1;
	return p->s->nsockets++;
}

static bool
st_tcp(struct parser *p, struct cur *c)
{
	const struct tok *t;
	int a, b;

	if ((t = need(p, c, "NAME")) == NULL || (a = add_socket(p, t, SCN_SOCK_TCP)) < 0)
		return false;
	/* `tcp a` alone (or followed by options): a socket that is not connected */
	t = peek(c);
	if (t == NULL || strchr(t->s, '=') != NULL || strcmp(t->s, "listen") == 0 ||
	    strcmp(t->s, "nonblock") == 0 || strcmp(t->s, "oobinline") == 0) {
		while ((t = next(c)) != NULL)
			if (!decl_option(p, t, a, 1))
				return false;
		return true;
	}
	if ((t = need(p, c, "NAME")) == NULL || (b = add_socket(p, t, SCN_SOCK_TCP)) < 0)
		return false;
	p->s->sockets[a].peer = b;
	p->s->sockets[b].peer = a;
	while ((t = next(c)) != NULL)
		if (!decl_option(p, t, a, 2))
			return false;
	for (int i = a; i <= b; i++)
		for (int k = 0; k < p->s->sockets[i].nopts; k++)
			if (p->s->sockets[i].opts[k].opt == SCN_OPT_LISTEN) {
				perr(p, p->s->sockets[i].opts[k].pos.col,
				    "a listening socket is declared alone: tcp NAME listen");
				return false;
			}
	return true;
}

/* Two UDP sockets cannot be bound to the same address. */
static bool
check_addr_free(struct parser *p, int u, int col, bool given)
{
	const ScnSocket *so = &p->s->sockets[u];
	ScnAddr a = so->addr;

	for (int i = 0; i < u; i++) {
		const ScnSocket *o = &p->s->sockets[i];

		if (o->kind != SCN_SOCK_UDP || o->addr.ip != a.ip || o->addr.port != a.port)
			continue;
		perr(p, col, "%saddress %u.%u.%u.%u:%u is already used by '%s'",
		    given ? "" : "default ", a.ip >> 24, (a.ip >> 16) & 0xff, (a.ip >> 8) & 0xff,
		    a.ip & 0xff, a.port, o->name);
		return false;
	}
	return true;
}

static bool
connect_opt(struct parser *p, const struct tok *t, int u)
{
	struct tok v = *t;
	int i;

	v.s += strlen("connect=");
	v.col += (int)strlen("connect=");
	v.len -= (int)strlen("connect=");
	if (v.len == 0) {
		perr(p, v.col, "expected SOCKET after 'connect='");
		return false;
	}
	if ((i = get_socket(p, &v)) < 0)
		return false;
	if (p->s->sockets[i].kind != SCN_SOCK_UDP) {
		perr(p, v.col, "connect needs a UDP socket; '%s' is TCP", v.s);
		return false;
	}
	p->s->sockets[u].peer = i;
	return true;
}

static bool
st_udp(struct parser *p, struct cur *c)
{
	const struct tok *t, *name;
	ScnSocket *so;
	bool given;
	int u;

	if ((name = need(p, c, "NAME")) == NULL || (u = add_socket(p, name, SCN_SOCK_UDP)) < 0)
		return false;
	so = &p->s->sockets[u];
	t = peek(c);
	given = t != NULL && g_ascii_isdigit(t->s[0]);
	if (given) {
		if (!get_addr(p, next(c), &so->addr))
			return false;
	} else {
		so->addr.ip = 10u << 24 | (uint32_t)(u + 1);
		so->addr.port = (uint16_t)(5000 + u + 1);
	}
	if (!check_addr_free(p, u, given ? t->col : name->col, given))
		return false;
	while ((t = next(c)) != NULL) {
		if (g_str_has_prefix(t->s, "connect=")) {
			if (!connect_opt(p, t, u))
				return false;
		} else if (!decl_option(p, t, u, 1))
			return false;
	}
	return true;
}

/*
 * `thread NAME:` then indented operations, or `thread NAME: op ; op`.
 * The colon may stick to the name or to the first operation.
 */
static bool
st_thread(struct parser *p, struct cur *c)
{
	struct tok *name = &p->toks[c->i], *rest;
	int n = p->s->nthreads, skip;
	ScnThread *th;
	char *colon;

	if (need(p, c, "NAME") == NULL)
		return false;
	if ((colon = strchr(name->s, ':')) != NULL)
		rest = name;
	else if (c->i < c->n && p->toks[c->i].s[0] == ':') {
		rest = &p->toks[c->i];
		colon = rest->s;
	} else {
		perr(p, name->col + name->len, "expected ':' after 'thread %s'", name->s);
		return false;
	}
	*colon = '\0';
	if (!check_new_name(p, name->s, name->col, "thread"))
		return false;
	if (n == SCN_MAX_THREADS) {
		perr(p, name->col, "too many threads (max %d)", SCN_MAX_THREADS);
		return false;
	}
	th = &p->s->threads[n];
	g_strlcpy(th->name, name->s, sizeof th->name);
	th->pos = tpos(p, name);
	p->ops[n] = g_array_new(FALSE, TRUE, sizeof(ScnOp));
	p->s->nthreads++;
	p->thread = n;

	/* What follows the colon in its token starts the first operation. */
	skip = (int)(colon + 1 - rest->s);
	rest->s += skip;
	rest->col += skip;
	rest->len -= skip;
	return thread_ops(p, (int)(rest - p->toks) + (rest->len == 0));
}

static bool
st_at(struct parser *p, struct cur *c)
{
	const struct tok *t;
	struct qbuf q;
	ScnEvent ev;
	bool ok;

	memset(&ev, 0, sizeof ev);
	ev.pos = tpos(p, &c->t[0]);
	ev.sock = -1;
	ev.thread = -1;
	if (p->events->len >= SCN_MAX_EVENTS) {
		perr(p, c->t[0].col, "too many events (max %d)", SCN_MAX_EVENTS);
		return false;
	}
	if (!duration_arg(p, c, "TIME", &ev.at) ||
	    (t = need(p, c, "EVENT (datagram, fin, rst or signal)")) == NULL)
		return false;
	if (strcmp(t->s, "datagram") == 0) {
		ev.kind = SCN_EV_DATAGRAM;
		ok = (ev.sock = typed_socket_arg(p, c, "SOCKET", SCN_SOCK_UDP, "datagram")) >= 0 &&
		    keyword(p, c, "from") && (t = need(p, c, "ADDR")) != NULL &&
		    get_addr(p, t, &ev.from) && keyword(p, c, "len") &&
		    size_arg(p, c, "SIZE", &ev.len);
		if (ok && (t = peek(c)) != NULL && strcmp(t->s, "control") == 0) {
			c->i++;
			ok = (t = need(p, c, "N")) != NULL && get_int_size(p, t->s, t->col, &ev.ctl_len);
		}
	} else if (strcmp(t->s, "fin") == 0 || strcmp(t->s, "rst") == 0) {
		ev.kind = t->s[0] == 'f' ? SCN_EV_FIN : SCN_EV_RST;
		ok = (ev.sock = typed_socket_arg(p, c, "SOCKET", SCN_SOCK_TCP, t->s)) >= 0;
	} else if (strcmp(t->s, "signal") == 0) {
		ev.kind = SCN_EV_SIGNAL;
		ok = (t = need(p, c, "THREAD")) != NULL &&
		    thread_ref(p, t, false, (int)p->events->len);
	} else {
		perr(p, t->col, "unknown event '%s' (known: datagram, fin, rst, signal)",
		    quote(&q, t->s));
		return false;
	}
	if (!ok || !done(p, c))
		return false;
	g_array_append_val(p->events, ev);
	return true;
}

static bool
st_schedule(struct parser *p, struct cur *c)
{
	const struct tok *t;
	int who;

	if (p->s->schedule_pos.line != 0) {
		perr(p, c->t[0].col, "schedule given twice (first at line %d)",
		    p->s->schedule_pos.line);
		return false;
	}
	p->s->schedule_pos = tpos(p, &c->t[0]);
	if (need(p, c, "THREAD") == NULL)
		return false;
	for (c->i--; (t = next(c)) != NULL; ) {
		const char *colon = strchr(t->s, ':'), *name = t->s;
		SchedDev d = { 0, 0 };

		if (colon != NULL) {
			/* STEP:THREAD, as sosim explore prints it */
			char *end;
			struct tok nt = *t;
			struct qbuf q;

			d.step = g_ascii_strtoull(t->s, &end, 10);
			if (end != colon || d.step == 0 || (p->plan->len > 0 &&
			    g_array_index(p->plan, SchedDev, p->plan->len - 1).step >= d.step)) {
				perr(p, t->col, "'%s': expected STEP:THREAD with steps from 1 in increasing order",
				    quote(&q, t->s));
				return false;
			}
			if (p->schedule->len > 0) {
				perr(p, t->col, "a schedule is either thread names or STEP:THREAD entries, not both");
				return false;
			}
			name = colon + 1;
			nt.s = (char *)name;
			nt.col = t->col + (int)(name - t->s);
			d.who = -1;
			if (strcmp(name, "sosplice") == 0)
				d.who = SCN_SCHED_TASKQ;
			else if (strcmp(name, "softclock") == 0)
				d.who = SCN_SCHED_SOFTCLOCK;
			else if (strcmp(name, "softnet") != 0) {
				if ((d.who = find_thread(p->s, name)) < 0) {
					perr(p, nt.col, "unknown thread '%s'", quote(&q, name));
					return false;
				}
			}
			g_array_append_val(p->plan, d);
			continue;
		}
		if (p->plan->len > 0) {
			perr(p, t->col, "a schedule is either thread names or STEP:THREAD entries, not both");
			return false;
		}
		who = -1;
		if (strcmp(t->s, "sosplice") == 0)
			who = SCN_SCHED_TASKQ;
		else if (strcmp(t->s, "softclock") == 0)
			who = SCN_SCHED_SOFTCLOCK;
		else if (strcmp(t->s, "softnet") != 0 &&
		    !thread_ref(p, t, true, (int)p->schedule->len))
			return false;
		g_array_append_val(p->schedule, who);
	}
	return true;
}

/* Expectations. */

static bool
cmp_arg(struct parser *p, struct cur *c, ScnCmp *cmp)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	const struct tok *t;
	struct qbuf q;

	if ((t = need(p, c, "a comparison (==, !=, <, <=, >, >=)")) == NULL)
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
		if (strcmp(t->s, ops[i]) == 0) {
			*cmp = (ScnCmp)i;
			return true;
		}
	}
	perr(p, t->col, "unknown comparison '%s' (known: ==, !=, <, <=, >, >=)", quote(&q, t->s));
	return false;
}

/* A routine or counter name, checked by the engine later. */
static bool
ident_arg(struct parser *p, struct cur *c, const char *what, char *buf, size_t size)
{
	const struct tok *t = need(p, c, what);
	struct qbuf q;

	if (t == NULL)
		return false;
	if (!is_ident(t->s) || (size_t)t->len >= size) {
		perr(p, t->col, "invalid %s '%s' (letters, digits and '_', at most %zu)", what,
		    quote(&q, t->s), size - 1);
		return false;
	}
	memcpy(buf, t->s, (size_t)t->len + 1);
	return true;
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

static const char *const fields[] = {
	"rcv.cc", "rcv.mbcnt", "rcv.hiwat", "rcv.lowat", "rcv.mbufs", "rcv.records",
	"snd.cc", "snd.mbcnt", "snd.hiwat", "snd.lowat", "snd.mbufs", "snd.records",
	"error", "dropped",
};

static const char *const violations[] = {
	"none", "SBCHECK", "SBLASTRECORDCHK", "SBLASTMBUFCHK", "lock-owner", "stale-handle",
	"mbuf-leak", "payload", "conservation", "malloc-leak", "stream",
};

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
	size_t nlen = (size_t)(dot - t->s), i;
	struct qbuf q;
	char *known;

	quote_n(&q, t->s, nlen);
	if (nlen > QUOTE_MAX || (e->sock = find_socket(p->s, q.b)) < 0) {
		perr(p, t->col, "unknown socket '%s'", q.b);
		return false;
	}
	for (i = 0; i < G_N_ELEMENTS(fields); i++)
		if (strcmp(field, fields[i]) == 0)
			break;
	if (i == G_N_ELEMENTS(fields)) {
		known = JOIN(fields);
		perr(p, t->col + (int)nlen + 1, "unknown field '%s' (known: %s)",
		    quote(&q, field), known);
		g_free(known);
		return false;
	}
	e->kind = SCN_EXP_FIELD;
	g_strlcpy(e->name, field, sizeof e->name);
	if (!cmp_arg(p, c, &e->cmp))
		return false;
	if (strcmp(field, "error") == 0)
		return errno_value(p, c, &e->value);
	return number_arg(p, c, "NUMBER", &e->value);
}

static bool
ex_violation(struct parser *p, struct cur *c, ScnExpect *e)
{
	const struct tok *t;
	struct qbuf q;
	char *known;

	e->kind = SCN_EXP_VIOLATION;
	if ((t = need(p, c, "NAME or none")) == NULL)
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(violations); i++) {
		if (strcmp(t->s, violations[i]) == 0) {
			g_strlcpy(e->name, t->s, sizeof e->name);
			return true;
		}
	}
	known = JOIN(violations);
	perr(p, t->col, "unknown violation '%s' (known: %s)", quote(&q, t->s), known);
	g_free(known);
	return false;
}

static bool
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
	if (strchr(t->s, '.') != NULL)
		ok = ex_field(p, c, t, &e);
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
		ok = ident_arg(p, c, "ROUTINE", e.name, sizeof e.name) &&
		    cmp_arg(p, c, &e.cmp) && pct_arg(p, c, &e.value);
	} else if (strcmp(t->s, "stat") == 0) {
		e.kind = SCN_EXP_STAT;
		ok = ident_arg(p, c, "NAME", e.name, sizeof e.name) &&
		    cmp_arg(p, c, &e.cmp) && number_arg(p, c, "NUMBER", &e.value);
	} else if (strcmp(t->s, "delivered") == 0) {
		e.kind = SCN_EXP_DELIVERED;
		ok = (e.sock = socket_arg(p, c, "SOCKET")) >= 0 &&
		    cmp_arg(p, c, &e.cmp) && size_arg(p, c, "SIZE", &e.value);
	} else {
		perr(p, t->col, "unknown expectation '%s' (known: deadlock, no-deadlock, "
		    "violation, time, share, stat, delivered, SOCKET.FIELD)", quote(&q, t->s));
		return false;
	}
	if (!ok || !done(p, c))
		return false;
	source_text(p, c->t + 1 + (e.quant != SCN_Q_PLAIN), c->n - 1 - (e.quant != SCN_Q_PLAIN),
	    e.text, sizeof e.text);
	g_array_append_val(p->expects, e);
	return true;
}

/* `explore [preemptions=K] [max-states=N]`: `sosim check` explores this one. */
static bool
st_explore(struct parser *p, struct cur *c)
{
	Scenario *s = p->s;
	const struct tok *t;
	struct qbuf q;
	int64_t v;

	if (s->explore) {
		perr(p, c->t[0].col, "explore given twice (first at line %d)", s->explore_pos.line);
		return false;
	}
	s->explore = true;
	s->explore_pos = tpos(p, &c->t[0]);
	while ((t = next(c)) != NULL) {
		if (g_str_has_prefix(t->s, "preemptions=")) {
			if (!signed_value(p, t, 12, false, &v))
				return false;
			if (v < 0 || v > 16) {
				perr(p, t->col + 12, "preemptions must be between 0 and 16");
				return false;
			}
			s->explore_preemptions = (int)v;
		} else if (g_str_has_prefix(t->s, "max-states=")) {
			if (!signed_value(p, t, 11, false, &v))
				return false;
			if (v <= 0) {
				perr(p, t->col + 11, "max-states must be positive");
				return false;
			}
			s->explore_max_states = v;
		} else {
			perr(p, t->col, "unexpected '%s' (explore takes preemptions=K, max-states=N)",
			    quote(&q, t->s));
			return false;
		}
	}
	return true;
}

static const struct stdef {
	const char *name;
	bool (*parse)(struct parser *, struct cur *);
} stdefs[] = {
	{ "profile", st_profile },
	{ "quirk", st_quirk },
	{ "seed", st_seed },
	{ "limit", st_limit },
	{ "sysctl", st_sysctl },
	{ "tcp", st_tcp },
	{ "udp", st_udp },
	{ "thread", st_thread },
	{ "at", st_at },
	{ "schedule", st_schedule },
	{ "expect", st_expect },
	{ "explore", st_explore },
};

static bool
is_statement(const char *word)
{
	for (size_t i = 0; i < G_N_ELEMENTS(stdefs); i++)
		if (strcmp(word, stdefs[i].name) == 0)
			return true;
	return false;
}

static bool
statement(struct parser *p)
{
	struct cur c = { p->toks, p->ntoks, 1 };
	const char *names[G_N_ELEMENTS(stdefs)];
	const char *kw = p->toks[0].s;
	struct qbuf q;
	char *known;

	for (size_t i = 0; i < G_N_ELEMENTS(stdefs); i++)
		if (strcmp(kw, stdefs[i].name) == 0)
			return stdefs[i].parse(p, &c);
	for (size_t i = 0; i < G_N_ELEMENTS(opdefs); i++) {
		if (strcmp(kw, opdefs[i].name) == 0) {
			perr(p, p->toks[0].col, "'%s' is an operation; indent it under a "
			    "'thread NAME:' line", kw);
			return false;
		}
	}
	for (size_t i = 0; i < G_N_ELEMENTS(stdefs); i++)
		names[i] = stdefs[i].name;
	known = JOIN(names);
	perr(p, p->toks[0].col, "unknown statement '%s' (known: %s)", quote(&q, kw), known);
	g_free(known);
	return false;
}

/* Lines. */

/*
 * Refuse NUL anywhere and, before any comment, bytes that cannot be part
 * of a token or a separator; then lines that are too long, so the first
 * error is the leftmost.  Sets *code to the length before the comment.
 */
static bool
check_bytes(struct parser *p, size_t *code)
{
	size_t n = MIN(p->linelen, LINE_MAX_BYTES);

	*code = n;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = p->line[i];

		if (ch == '\0') {
			perr(p, (int)i + 1, "unexpected NUL byte");
			return false;
		}
		if (i >= *code)
			continue;
		if (ch == '#')
			*code = i;
		else if (ch != '\t' && (ch < 0x20 || ch >= 0x7f)) {
			perr(p, (int)i + 1, "unexpected character");
			return false;
		}
	}
	if (p->linelen > LINE_MAX_BYTES) {
		perr(p, LINE_MAX_BYTES + 1, "line too long (max %d bytes)", LINE_MAX_BYTES);
		return false;
	}
	return true;
}

/* Split line[0..code-1] at spaces and tabs; `;` is a token of its own. */
static void
tokenize(struct parser *p, size_t code)
{
	char *out = p->tokbuf;
	size_t i = 0;

	p->ntoks = 0;
	while (i < code) {
		struct tok *t;

		if (p->line[i] == ' ' || p->line[i] == '\t') {
			i++;
			continue;
		}
		t = &p->toks[p->ntoks++];
		t->s = out;
		t->col = (int)i + 1;
		if (p->line[i] == ';')
			*out++ = p->line[i++];
		else
			while (i < code && p->line[i] != ' ' && p->line[i] != '\t' &&
			    p->line[i] != ';')
				*out++ = p->line[i++];
		t->len = (int)(out - t->s);
		*out++ = '\0';
	}
}

/*
 * The description is the first block of comment lines, if nothing but
 * blank lines comes before it: "# " or "#" is removed from each.
 */
static void
note_description(struct parser *p, size_t code)
{
	const char *text;
	size_t len;

	if (p->desc_state == DESC_DONE)
		return;
	if (p->ntoks > 0 || code == p->linelen) {
		if (p->ntoks > 0 || p->desc_state == DESC_IN)
			p->desc_state = DESC_DONE;
		return;
	}
	text = p->line + code + 1;
	len = p->linelen - code - 1;
	if (len > 0 && text[0] == ' ') {
		text++;
		len--;
	}
	while (len > 0 && g_ascii_isspace(text[len - 1]))
		len--;
	if (p->desc_state == DESC_IN)
		g_string_append_c(p->desc, '\n');
	g_string_append_len(p->desc, text, (gssize)len);
	p->desc_state = DESC_IN;
}

static bool
parse_line(struct parser *p)
{
	size_t code;

	if (!check_bytes(p, &code))
		return false;
	tokenize(p, code);
	note_description(p, code);
	if (p->ntoks == 0)
		return true;
	if (p->line[0] == ' ' || p->line[0] == '\t')
		return thread_ops(p, 0);
	p->thread = -1;
	return statement(p);
}

static bool
parse_lines(struct parser *p, const char *text, size_t len)
{
	const char *line = text, *end = text + len, *nl;

	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		p->line = line;
		p->linelen = (size_t)((nl != NULL ? nl : end) - line);
		p->lineno++;
		if (p->linelen > 0 && line[p->linelen - 1] == '\r')
			p->linelen--;
		if (!parse_line(p))
			return false;
		line = nl != NULL ? nl + 1 : end;
	}
	return true;
}

/* Thread names used before their declaration, now that all are known. */
static bool
resolve_refs(struct parser *p)
{
	for (guint i = 0; i < p->refs->len; i++) {
		const struct thread_ref *r = &g_array_index(p->refs, struct thread_ref, i);
		int th = find_thread(p->s, r->name);

		if (th < 0) {
			p->line = r->line;
			p->linelen = r->linelen;
			p->lineno = r->pos.line;
			if (find_socket(p->s, r->name) >= 0)
				perr(p, r->pos.col, "'%s' is a socket, not a thread", r->name);
			else
				perr(p, r->pos.col, "unknown thread '%s'", r->name);
			return false;
		}
		if (r->in_schedule)
			g_array_index(p->schedule, int, r->index) = th;
		else
			g_array_index(p->events, ScnEvent, r->index).thread = th;
	}
	return true;
}

/* By time, then by line: one event per line makes this a stable sort. */
static gint
event_cmp(gconstpointer a, gconstpointer b)
{
	const ScnEvent *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return (x->pos.line > y->pos.line) - (x->pos.line < y->pos.line);
}

/* Move what was collected into the Scenario. */
static void
finish(struct parser *p)
{
	Scenario *s = p->s;

	g_array_sort(p->events, event_cmp);
	for (int i = 0; i < s->nthreads; i++) {
		s->threads[i].nops = (int)p->ops[i]->len;
		s->threads[i].ops = (ScnOp *)(void *)g_array_free(p->ops[i], FALSE);
		p->ops[i] = NULL;
	}
	s->nevents = (int)p->events->len;
	s->events = (ScnEvent *)(void *)g_array_free(p->events, FALSE);
	s->nexpects = (int)p->expects->len;
	s->expects = (ScnExpect *)(void *)g_array_free(p->expects, FALSE);
	s->nschedule = (int)p->schedule->len;
	s->schedule = (int *)(void *)g_array_free(p->schedule, FALSE);
	s->nplan = (int)p->plan->len;
	s->plan = (SchedDev *)(void *)g_array_free(p->plan, FALSE);
	p->plan = NULL;
	p->events = p->expects = p->schedule = NULL;
	while (p->desc->len > 0 && p->desc->str[p->desc->len - 1] == '\n')
		g_string_truncate(p->desc, p->desc->len - 1);
	if (p->desc->len > 0)
		s->description = g_utf8_make_valid(p->desc->str, (gssize)p->desc->len);
}

static void
parser_init(struct parser *p, const char *path)
{
	memset(p, 0, sizeof *p);
	p->s = g_new0(Scenario, 1);
	p->s->path = g_strdup(path != NULL ? path : "<string>");
	p->s->explore_preemptions = -1;
	p->toks = g_new(struct tok, LINE_MAX_BYTES);
	p->tokbuf = g_malloc(2 * LINE_MAX_BYTES + 1);
	p->thread = -1;
	p->events = g_array_new(FALSE, TRUE, sizeof(ScnEvent));
	p->expects = g_array_new(FALSE, TRUE, sizeof(ScnExpect));
	p->schedule = g_array_new(FALSE, TRUE, sizeof(int));
	p->plan = g_array_new(FALSE, TRUE, sizeof(SchedDev));
	p->refs = g_array_new(FALSE, TRUE, sizeof(struct thread_ref));
	p->desc = g_string_new(NULL);
}

static void
parser_cleanup(struct parser *p)
{
	for (int i = 0; i < SCN_MAX_THREADS; i++)
		if (p->ops[i] != NULL)
			g_array_free(p->ops[i], TRUE);
	if (p->events != NULL)
		g_array_free(p->events, TRUE);
	if (p->expects != NULL)
		g_array_free(p->expects, TRUE);
	if (p->schedule != NULL)
		g_array_free(p->schedule, TRUE);
	if (p->plan)
		g_array_free(p->plan, TRUE);
	g_array_free(p->refs, TRUE);
	g_string_free(p->desc, TRUE);
	g_free(p->toks);
	g_free(p->tokbuf);
}

/* Public interface. */

G_DEFINE_QUARK(sosim-scenario-error-quark, scenario_error)

Scenario *
scenario_parse_data(const char *path, const char *data, size_t len, GError **err)
{
	struct parser p;
	Scenario *s;

	parser_init(&p, path);
	if (len > FILE_MAX_BYTES)
		p.error = g_error_new(SCENARIO_ERROR, SCENARIO_ERROR_READ,
		    "%s: error: file too large (max 16 MiB)", p.s->path);
	else if (parse_lines(&p, data, len) && resolve_refs(&p))
		finish(&p);
	s = p.s;
	if (p.error != NULL) {
		g_propagate_error(err, p.error);
		scenario_free(s);
		s = NULL;
	}
	parser_cleanup(&p);
	return s;
}

Scenario *
scenario_parse_string(const char *path, const char *text, GError **err)
{
	return scenario_parse_data(path, text != NULL ? text : "",
	    text != NULL ? strlen(text) : 0, err);
}

/* Read at most FILE_MAX_BYTES + 1, so a larger file is known without reading it all. */
Scenario *
scenario_parse_file(const char *path, GError **err)
{
	GString *buf;
	Scenario *s;
	char chunk[65536];
	size_t n;
	FILE *f;
	int saved;

	if ((f = fopen(path, "rb")) == NULL) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_READ, "%s: error: cannot read: %s",
		    path, g_strerror(errno));
		return NULL;
	}
	buf = g_string_new(NULL);
	while (buf->len <= FILE_MAX_BYTES && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		g_string_append_len(buf, chunk, (gssize)n);
	saved = errno;
	if (ferror(f)) {
		g_set_error(err, SCENARIO_ERROR, SCENARIO_ERROR_READ, "%s: error: cannot read: %s",
		    path, g_strerror(saved));
		s = NULL;
	} else
		s = scenario_parse_data(path, buf->str, buf->len, err);
	fclose(f);
	g_string_free(buf, TRUE);
	return s;
}

void
scenario_free(Scenario *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->nthreads; i++)
		g_free(s->threads[i].ops);
	g_free(s->events);
	g_free(s->expects);
	g_free(s->schedule);
	g_free(s->plan);
	g_free(s->description);
	g_free(s->profile);
	g_free(s->path);
	g_free(s);
}
