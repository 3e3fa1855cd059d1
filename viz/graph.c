/*
 * graph.c: the small layer over libcgraph the views share: graphs with
 * the common looks, attributes set by name, HTML-like labels built as
 * text and escaped.
 *
 * libcgraph takes `char *` where it only reads; the casts below are
 * that, not a licence to write.
 */
#include "viz_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
viz_set(void *obj, const char *key, const char *value)
{
	agsafeset(obj, (char *)key, (char *)value, (char *)"");
}

void
viz_setf(void *obj, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	viz_set(obj, key, v);
	g_free(v);
}

void
viz_set_html(void *obj, const char *key, const char *html)
{
	Agraph_t *g = agraphof(obj);
	char *h = agstrdup_html(g, (char *)html);

	/* agxset keeps a value's HTML mark: it is drawn as a table, not text */
	viz_set(obj, key, h);
	agstrfree(g, h);
}

/*
 * Object IDs in the order objects are named.  cgraph's own discipline
 * makes a name's ID the address of its interned string, and keeps
 * subgraphs ordered by ID: agwrite would list them, and dot lay them
 * out, in an order that follows the heap.  Here a name's ID is
 * 2 * (its rank among the names), anonymous objects (edges) take the
 * odd ones, so the same graph is the same text and the same picture.
 */
typedef struct {
	Agraph_t *g;
	GHashTable *ids;        /* name -> ID */
	GPtrArray *names;       /* ID / 2 - 1 -> name, interned in g */
	IDTYPE anon;            /* next odd ID */
} IdState;

static void *
id_open(Agraph_t *g, Agdisc_t *disc)
{
	IdState *st = g_new0(IdState, 1);

	(void)disc;
	st->g = g;
	st->ids = g_hash_table_new(g_str_hash, g_str_equal);
	st->names = g_ptr_array_new();
	st->anon = 1;
	return st;
}

static long
id_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
	IdState *st = state;
	gpointer v;
	char *k;

	(void)objtype;
	if (str == NULL) {
		*id = st->anon;
		st->anon += 2;
		return 1;
	}
	if (g_hash_table_lookup_extended(st->ids, str, NULL, &v)) {
		*id = (IDTYPE)GPOINTER_TO_SIZE(v);
		return 1;
	}
	if (!createflag)
		return 0;
	/* interned, as cgraph's own names are: agwrite asks a name whether
	 * it is HTML by looking in front of it, where a refstr keeps that */
	k = agstrdup(st->g, str);
	g_ptr_array_add(st->names, k);
	*id = (IDTYPE)st->names->len * 2;
	g_hash_table_insert(st->ids, k, GSIZE_TO_POINTER((gsize)*id));
	return 1;
}

static long
id_alloc(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;
	return 0;       /* no object by a number of the caller's choosing */
}

static void
id_free(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;       /* names live as long as the graph */
}

static char *
id_print(void *state, int objtype, IDTYPE id)
{
	IdState *st = state;

	(void)objtype;
	if (id % 2 != 0 || id == 0 || id / 2 > st->names->len)
		return NULL;
	return g_ptr_array_index(st->names, id / 2 - 1);
}

static void
id_close(void *state)
{
	IdState *st = state;

	/* the names go with the graph's strings, which agclose frees next */
	g_ptr_array_free(st->names, TRUE);
	g_hash_table_destroy(st->ids);
	g_free(st);
}

static void
id_register(void *state, int objtype, void *obj)
{
	(void)state;
	(void)objtype;
	(void)obj;
}

static Agiddisc_t viz_id_disc = {
	id_open, id_map, id_alloc, id_free, id_print, id_close, id_register,
};

Agdisc_t viz_disc = { &AgMemDisc, &viz_id_disc, &AgIoDisc };

Agraph_t *
viz_graph(const char *name, const char *rankdir)
{
	Agraph_t *g = agopen((char *)name, Agdirected, &viz_disc);

	/* declared once for the whole graph: agwrite prints them as defaults */
	agattr(g, AGRAPH, (char *)"rankdir", (char *)rankdir);
	agattr(g, AGRAPH, (char *)"fontname", (char *)VIZ_FONT);
	agattr(g, AGRAPH, (char *)"fontsize", (char *)"12");
	agattr(g, AGRAPH, (char *)"labelloc", (char *)"t");
	agattr(g, AGRAPH, (char *)"labeljust", (char *)"l");
	agattr(g, AGNODE, (char *)"fontname", (char *)VIZ_FONT);
	agattr(g, AGNODE, (char *)"fontsize", (char *)"11");
	agattr(g, AGEDGE, (char *)"fontname", (char *)VIZ_FONT);
	agattr(g, AGEDGE, (char *)"fontsize", (char *)"10");
	return g;
}

Agraph_t *
viz_subgraph(Agraph_t *g, const char *name)
{
	return agsubg(g, (char *)name, 1);
}

Agnode_t *
viz_node(Agraph_t *g, const char *name)
{
	return agnode(g, (char *)name, 1);
}

Agedge_t *
viz_edge(Agraph_t *g, Agnode_t *t, Agnode_t *h)
{
	/* no name: a graph that is not strict gets a new edge every time */
	return agedge(g, t, h, NULL, 1);
}

void
viz_free(Agraph_t *g)
{
	if (g != NULL)
		agclose(g);
}

void
viz_esc(GString *s, const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			g_string_append(s, "&amp;");
			break;
		case '<':
			g_string_append(s, "&lt;");
			break;
		case '>':
			g_string_append(s, "&gt;");
			break;
		case '"':
			g_string_append(s, "&quot;");
			break;
		default:
			g_string_append_c(s, *p);
		}
	}
}

void
viz_escf(GString *s, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	viz_esc(s, v);
	g_free(v);
}

void
viz_value(GString *s, const char *now, const char *before, bool changed)
{
	if (!changed) {
		viz_esc(s, now);
		return;
	}
	g_string_append(s, "<FONT COLOR=\"" VIZ_CHANGED "\"><B>");
	viz_esc(s, now);
	g_string_append(s, "</B> (was ");
	viz_esc(s, before);
	g_string_append(s, ")</FONT>");
}

const char *
viz_bytes(char *buf, size_t n, int64_t v)
{
	if (v >= 8192 && v % 1024 == 0)
		snprintf(buf, n, "%lldK", (long long)(v / 1024));
	else
		snprintf(buf, n, "%lld", (long long)v);
	return buf;
}

void
viz_bits(GString *s, uint32_t v, const VizBit *names, int n)
{
	bool any = false;

	for (int i = 0; i < n; i++)
		if (v & names[i].bit) {
			g_string_append_printf(s, "%s%s", any ? "|" : "", names[i].name);
			v &= ~names[i].bit;
			any = true;
		}
	if (v != 0) {
		g_string_append_printf(s, "%s0x%x", any ? "|" : "", v);
		any = true;
	}
	if (!any)
		g_string_append(s, "0");
}

const char *
viz_tcp_state(int s)
{
	static const char *const names[] = {
		"CLOSED", "ESTABLISHED", "CLOSE_WAIT", "FIN_WAIT_1", "CLOSING", "LAST_ACK",
		"FIN_WAIT_2", "TIME_WAIT",
	};

	return s >= 0 && s < (int)G_N_ELEMENTS(names) ? names[s] : "?";
}

void
viz_caption(const VizView *v, Agraph_t *g, const char *what)
{
	const World *w = v->w;
	GString *s = g_string_new(NULL);
	const char *who = viz_recorder_who(v->rec);
	int any = 0;

	g_string_append_printf(s, "%s: %s, profile %s", what, v->title ? v->title : "?", w->prof->name);
	for (int q = 0; q < QUIRK__COUNT; q++)
		if (quirk_on(w, q))
			g_string_append_printf(s, "%s%s", any++ ? "," : ", quirks ", quirk_defs[q].name);
	g_string_append(s, "\\l");
	if (v->step == 0)
		g_string_append_printf(s, "before the first step (the run has %llu)\\l",
		    (unsigned long long)v->last);
	else {
		g_string_append_printf(s, "after step %llu of %llu", (unsigned long long)v->step,
		    (unsigned long long)v->last);
		if (who != NULL)
			g_string_append_printf(s, " (%s ran)", who);
		g_string_append(s, "; red: what this step changed (old values in brackets)\\l");
	}
	viz_set(g, "label", s->str);
	g_string_free(s, TRUE);
}
