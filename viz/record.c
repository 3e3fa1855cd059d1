/*
 * record.c: listening to a run for the pictures.  A world says what is,
 * not what happened: who ran in a step, which buffer operation changed a
 * buffer, and how often a routine took each transition are in the event
 * stream only.  The recorder is an EventSink that keeps just that.
 */
#include "viz_int.h"

#include <string.h>

struct VizRecorder {
	uint64_t step;          /* the step whose operations are kept, 0 none */
	char who[48];           /* who ran in it */
	GString *ops[WORLD_MAX_SOCKETS][2];
	char *machine;          /* whose transitions are counted, NULL none */
	uint64_t upto;          /* counted at steps <= upto; 0 every step */
	GHashTable *trans;      /* "from\nto" -> count (a GUINT_TO_POINTER) */
	uint64_t total;
	int f_cc_before, f_cc;  /* where EVK_SOCKBUF keeps cc before and after */
};

static int
field_index(SimEventKind k, const char *name)
{
	for (int i = 0; i < event_defs[k].nfields; i++)
		if (strcmp(event_defs[k].fields[i].name, name) == 0)
			return i;
	return -1;
}

VizRecorder *
viz_recorder_new(uint64_t step, const char *machine, uint64_t upto)
{
	VizRecorder *r = g_new0(VizRecorder, 1);

	r->step = step;
	r->machine = g_strdup(machine);
	r->upto = upto;
	r->trans = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	/* by name: the registry of event kinds (events.def) says where */
	r->f_cc_before = field_index(EVK_SOCKBUF, "cc_before");
	r->f_cc = field_index(EVK_SOCKBUF, "cc");
	return r;
}

void
viz_recorder_free(VizRecorder *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < WORLD_MAX_SOCKETS; i++)
		for (int j = 0; j < 2; j++)
			if (r->ops[i][j] != NULL)
				g_string_free(r->ops[i][j], TRUE);
	g_hash_table_destroy(r->trans);
	g_free(r->machine);
	g_free(r);
}

static void
note_op(VizRecorder *r, const SimEvent *ev)
{
	GString **s;

	if (ev->sock < 0 || ev->sock >= WORLD_MAX_SOCKETS || ev->which < 0 || ev->which > 1)
		return;
	s = &r->ops[ev->sock][ev->which];
	if (*s == NULL)
		*s = g_string_new(NULL);
	g_string_append_printf(*s, "%s%s", (*s)->len ? ", " : "", ev->routine ? ev->routine : "?");
	if (r->f_cc_before >= 0 && r->f_cc >= 0) {
		int64_t d = ev->v[r->f_cc] - ev->v[r->f_cc_before];

		g_string_append_printf(*s, " %s%lld", d >= 0 ? "+" : "", (long long)d);
	}
}

void
viz_recorder_sink(void *ctx, const World *w, const SimEvent *ev)
{
	VizRecorder *r = ctx;

	(void)w;
	if (r->step != 0 && ev->step == r->step) {
		if (ev->kind == EVK_STEP && ev->routine != NULL)
			g_strlcpy(r->who, ev->routine, sizeof r->who);
		else if (ev->kind == EVK_SOCKBUF)
			note_op(r, ev);
	}
	if (r->machine != NULL && ev->kind == EVK_TRANS && ev->routine != NULL &&
	    (r->upto == 0 || ev->step <= r->upto) && strcmp(ev->routine, r->machine) == 0) {
		char *key = g_strdup_printf("%s\n%s", ev->from, ev->to);
		gpointer n = g_hash_table_lookup(r->trans, key);

		g_hash_table_replace(r->trans, key, GUINT_TO_POINTER(GPOINTER_TO_UINT(n) + 1));
		r->total++;
	}
}

const char *
viz_recorder_who(const VizRecorder *r)
{
	return r != NULL && r->who[0] != '\0' ? r->who : NULL;
}

const char *
viz_recorder_ops(const VizRecorder *r, int sock, int which)
{
	if (r == NULL || sock < 0 || sock >= WORLD_MAX_SOCKETS || which < 0 || which > 1)
		return NULL;
	return r->ops[sock][which] != NULL ? r->ops[sock][which]->str : NULL;
}

uint64_t
viz_recorder_count(const VizRecorder *r, const char *from, const char *to)
{
	char *key = g_strdup_printf("%s\n%s", from, to);
	gpointer n = g_hash_table_lookup(r->trans, key);

	g_free(key);
	return GPOINTER_TO_UINT(n);
}

uint64_t
viz_recorder_total(const VizRecorder *r)
{
	return r->total;
}

uint64_t
viz_recorder_upto(const VizRecorder *r)
{
	return r->upto;
}
