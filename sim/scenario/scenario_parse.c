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
 *
 * This file reads the lines and finishes the Scenario; the rest is in
 * parse_lexer.c (tokens), parse_diag.c (errors), parse_statements.c,
 * parse_ops.c (thread programs) and parse_expect.c, which share parse.h.
 */
#include "parse.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define FILE_MAX_BYTES	(16 * 1024 * 1024)

/* Lines. */

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
	if (p->thread >= 0) {
		p->ended_thread = p->thread;
		p->ended_line = p->lineno;
	}
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

/* Names used before their declaration, now that all are known. */
static bool
resolve_refs(struct parser *p)
{
	for (guint i = 0; i < p->refs->len; i++) {
		const struct thread_ref *r = &g_array_index(p->refs, struct thread_ref, i);
		int th = find_thread(p->s, r->name);

		/* for a message, where the name was */
		p->line = r->line;
		p->linelen = r->linelen;
		p->lineno = r->pos.line;
		if (r->what == REF_CONNECT) {
			int so = find_socket(p->s, r->name);

			if (so < 0) {
				perr(p, r->pos.col, "unknown socket '%s'", r->name);
				return false;
			}
			if (!connect_to(p, r->index, so, r->pos.col))
				return false;
			continue;
		}
		if (th < 0) {
			if (find_socket(p->s, r->name) >= 0)
				perr(p, r->pos.col, "'%s' is a socket, not a thread", r->name);
			else
				perr(p, r->pos.col, "unknown thread '%s'", r->name);
			return false;
		}
		if (r->what == REF_SCHEDULE)
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
	p->ended_thread = -1;
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
	else if (parse_lines(&p, data, len) && resolve_refs(&p)) {
		finish(&p);
		p.s->source = g_strndup(data, len);     /* no NUL in it: refused */
	}
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
	g_free(s->source);
	g_free(s->profile);
	g_free(s->path);
	g_free(s);
}
