/*
 * parse_diag.c: the parser's diagnostics: an error at a line and column,
 * with the source line and a caret under the column, like a compiler's;
 * bounded quoting of user text in messages; lists of known names.
 */
#include "parse.h"

#include <stdarg.h>
#include <string.h>

const char *
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

const char *
quote(struct qbuf *q, const char *s)
{
	return quote_n(q, s, strlen(s));
}

char *
join(const char *const *names, size_t n)
{
	GString *g = g_string_new(NULL);

	for (size_t i = 0; i < n; i++)
		g_string_append_printf(g, "%s%s", i ? ", " : "", names[i]);
	return g_string_free(g, FALSE);
}

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

/* Report an error at column col of the current line (the first one wins). */
void
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

void
unexpected(struct parser *p, const struct tok *t)
{
	struct qbuf q;

	perr(p, t->col, "unexpected '%s'", quote(&q, t->s));
}
