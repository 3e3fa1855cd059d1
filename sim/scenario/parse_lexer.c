/*
 * parse_lexer.c: lines into tokens, and the cursor over one statement's
 * tokens; the values a token holds (sizes, durations, addresses, names).
 */
#include "parse.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Lines into tokens. */

/*
 * Refuse NUL anywhere and, before any comment, bytes that cannot be part
 * of a token or a separator; then lines that are too long, so the first
 * error is the leftmost.  Sets *code to the length before the comment.
 */
bool
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
void
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

/* Cursor. */

ScnPos
tpos(const struct parser *p, const struct tok *t)
{
	return (ScnPos){ p->lineno, t->col };
}

const struct tok *
peek(const struct cur *c)
{
	return c->i < c->n ? &c->t[c->i] : NULL;
}

const struct tok *
next(struct cur *c)
{
	return c->i < c->n ? &c->t[c->i++] : NULL;
}

/*
 * The next token, or an error "expected WHAT after '<what came before>'"
 * pointing just past the last token, where the missing one should be.
 */
const struct tok *
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

bool
done(struct parser *p, const struct cur *c)
{
	if (c->i < c->n) {
		unexpected(p, &c->t[c->i]);
		return false;
	}
	return true;
}

/* A fixed word, such as `from` in a datagram event. */
bool
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

/* Copy the source text of tokens t[0..n-1] into buf, cut to fit. */
void
source_text(const struct parser *p, const struct tok *t, int n, char *buf, size_t size)
{
	const struct tok *last = &t[n - 1];
	size_t len = (size_t)(last->col + last->len - t[0].col);

	len = MIN(len, size - 1);
	memcpy(buf, p->line + t[0].col - 1, len);
	buf[len] = '\0';
}

/* Numbers, durations, addresses. */

/*
 * Leading decimal digits of s into *v, or -1 into *v if they overflow, so
 * callers report "too large" rather than wrap.  Returns the first byte
 * after the digits, or NULL if there were none.
 */
const char *
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
bool
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
bool
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
bool
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

bool
size_arg(struct parser *p, struct cur *c, const char *what, int64_t *out)
{
	const struct tok *t = need(p, c, what);

	return t != NULL && get_size(p, t->s, t->col, "size", out);
}

bool
number_arg(struct parser *p, struct cur *c, const char *what, int64_t *out)
{
	const struct tok *t = need(p, c, what);

	return t != NULL && get_size(p, t->s, t->col, "number", out);
}

bool
duration_arg(struct parser *p, struct cur *c, const char *what, int64_t *out)
{
	const struct tok *t = need(p, c, what);

	return t != NULL && get_duration(p, t->s, t->col, out);
}

/* A.B.C.D:PORT, decimal. */
bool
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

/* A signed value after `name=`: `max=-1`, `idle=-2s`. */
bool
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

/* A name: letters, digits and '_', not starting with a digit. */
bool
is_ident(const char *s)
{
	if (!g_ascii_isalpha(*s) && *s != '_')
		return false;
	for (s++; *s != '\0'; s++)
		if (!g_ascii_isalnum(*s) && *s != '_')
			return false;
	return true;
}
