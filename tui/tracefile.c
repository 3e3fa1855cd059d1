/*
 * tracefile.c: a saved JSONL trace in `sosim tui`, read only (tui_int.h).
 *
 * `sosim run --format jsonl` writes a header, an event a line, the
 * verdicts and a summary (docs/trace-format.md).  Without the worlds
 * there are no threads, buffers or chains to draw; the viewer shows the
 * events, each line as the text trace would write it, and moves along
 * them with the same keys (breakpoints on kinds, threads, routines and
 * states, and the search, work on the records' fields).
 */
#include "tui_int.h"
#include "event.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

/* More events than this are refused: they would not fit in memory well. */
#define TRACE_MAX_EVENTS 4000000

static const char *
str(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ?
	    json_node_get_string(n) : NULL;
}

static gint64
num(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64 ?
	    json_node_get_int(n) : -1;
}

static int
kind_of(const char *name)
{
	for (int k = 0; name != NULL && k < EVK__COUNT; k++)
		if (strcmp(event_kind_names[k], name) == 0)
			return k;
	return -1;
}

/* The line the text trace writes for the event o of kind k (trace.c's emit_text). */
static char *
event_line(JsonObject *o, int k)
{
	const char *thread = str(o, "thread"), *routine = str(o, "routine"), *text = str(o, "text");
	gint64 ns = num(o, "time_ns");

	if (thread == NULL)
		thread = "softnet";
	if (text == NULL)
		text = "";
	switch (k) {
	case EVK_STEP: {
		const char *def = str(o, "default");
		JsonNode *forced = json_object_get_member(o, "forced");
		bool f = forced != NULL && JSON_NODE_HOLDS_VALUE(forced) && json_node_get_boolean(forced);

		return g_strdup_printf("-- step %lld  t=%lld.%06llds  %s%s%s%s", (long long)num(o, "step"),
		    (long long)(ns / 1000000000), (long long)(ns % 1000000000 / 1000), text,
		    f ? " (default: " : "", f && def ? def : "", f ? ")" : "");
	}
	case EVK_TRANS:
		return g_strdup_printf("  %-8s %-16s %s -> %s", thread, routine ? routine : "?",
		    str(o, "from") ? str(o, "from") : "?", str(o, "to") ? str(o, "to") : "?");
	case EVK_ENTER:
	case EVK_LEAVE:
		return g_strdup_printf("  %-8s %-16s %s", thread, routine ? routine : "?",
		    k == EVK_ENTER ? "enter" : "leave");
	case EVK_CALL:
		return g_strdup_printf("  %-8s %-16s %s", thread, "syscall", text);
	case EVK_RETURN:
		return g_strdup_printf("  %-8s %-16s %s", thread, "return", text);
	default:
		return g_strdup_printf("  %-8s %-16s %s", thread, routine ? routine : event_kind_names[k],
		    text);
	}
}

static void
add_line(Tui *t, uint64_t step, int kind, const char *routine, const char *to, char *text)
{
	LogLine l = { step, kind, routine ? g_intern_string(routine) : NULL, to ? g_intern_string(to) : NULL,
		-1, -1, false, text };

	g_array_append_val(t->log, l);
}

/* The header's profile and quirks, for the status line. */
static void
take_header(Tui *t, JsonObject *o)
{
	JsonNode *q = json_object_get_member(o, "quirks");
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, "%s | quirks: ", str(o, "profile") ? str(o, "profile") : "?");
	if (q != NULL && JSON_NODE_HOLDS_ARRAY(q) && json_array_get_length(json_node_get_array(q)) > 0) {
		JsonArray *a = json_node_get_array(q);

		for (guint i = 0; i < json_array_get_length(a); i++)
			g_string_append_printf(s, "%s%s", i ? "," : "", json_array_get_string_element(a, i));
	} else
		g_string_append(s, "none");
	g_string_append(s, " | a saved trace: events only");
	t->trace_title = g_string_free(s, FALSE);
	if (str(o, "description") != NULL)
		t->cfg.description = g_intern_string(str(o, "description"));
}

static void
take_summary(Tui *t, JsonObject *o)
{
	const char *v = str(o, "verdict"), *stop = str(o, "stop"), *viol = str(o, "violation");

	g_free(t->verdict);
	t->verdict_ok = v != NULL && strcmp(v, "pass") == 0;
	t->verdict = g_strdup_printf("%s%s%s: %s", stop ? stop : "?", viol ? " " : "", viol ? viol : "",
	    t->verdict_ok ? "all expectations held" : "FAILED");
}

bool
tracefile_load(Tui *t, const char *path, char *err, size_t n)
{
	JsonParser *parser = json_parser_new();
	GError *gerr = NULL;
	GIOChannel *ch = g_io_channel_new_file(path, "r", &gerr);
	char *line = NULL;
	gsize len;
	uint64_t step = 0, lineno = 0;
	bool ok = false, header = false;

	if (ch == NULL) {
		snprintf(err, n, "%s: %s", path, gerr->message);
		goto done;
	}
	g_io_channel_set_encoding(ch, NULL, NULL);      /* JSON says what it is */
	while (g_io_channel_read_line(ch, &line, &len, NULL, &gerr) == G_IO_STATUS_NORMAL) {
		JsonObject *o;
		const char *kind;
		int k;

		lineno++;
		if (!json_parser_load_from_data(parser, line, (gssize)len, &gerr) ||
		    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
			snprintf(err, n, "%s:%llu: not a record of a JSONL trace%s%s", path,
			    (unsigned long long)lineno, gerr ? ": " : "", gerr ? gerr->message : "");
			goto done;
		}
		o = json_node_get_object(json_parser_get_root(parser));
		kind = str(o, "kind");
		if (!header) {
			if (kind == NULL || strcmp(kind, "header") != 0 || num(o, "format") != 1) {
				snprintf(err, n, "%s: not a sosim JSONL trace of format 1 (sosim run --format jsonl "
				    "writes one)", path);
				goto done;
			}
			take_header(t, o);
			header = true;
		} else if (strcmp(kind ? kind : "", "summary") == 0)
			take_summary(t, o);
		else if (strcmp(kind ? kind : "", "verdict") == 0) {
			/* each expectation's result, at the last step */
			add_line(t, step, EVK_EXPECT, "expect", NULL, g_strdup_printf("  %-8s %-16s line %lld: %s %s",
			    "", "verdict", (long long)num(o, "line"), str(o, "status") ? str(o, "status") : "?",
			    str(o, "message") ? str(o, "message") : ""));
		} else if ((k = kind_of(kind)) >= 0) {
			if (t->log->len >= TRACE_MAX_EVENTS) {
				snprintf(err, n, "%s: more than %d events: open its scenario instead (sosim tui "
				    "SCENARIO seeks, and needs no saved trace)", path, TRACE_MAX_EVENTS);
				goto done;
			}
			if (num(o, "step") > (gint64)step)
				step = (uint64_t)num(o, "step");
			add_line(t, step, k, k == EVK_STEP ? str(o, "who") : str(o, "routine"),
			    k == EVK_TRANS ? str(o, "to") : NULL, event_line(o, k));
		}
		/* stats and unknown kinds: nothing to show */
		g_free(line);
		line = NULL;
	}
	if (gerr != NULL) {
		snprintf(err, n, "%s: %s", path, gerr->message);
		goto done;
	}
	if (!header) {
		snprintf(err, n, "%s: empty: not a sosim JSONL trace", path);
		goto done;
	}
	/* where each step's lines start; step 0 has none */
	for (uint64_t s = 0, i = 0; s <= step; s++) {
		guint at;

		while (i < t->log->len && g_array_index(t->log, LogLine, i).step < s)
			i++;
		at = (guint)i;
		g_array_append_val(t->steps, at);
	}
	ok = true;
done:
	g_free(line);
	if (gerr != NULL)
		g_error_free(gerr);
	if (ch != NULL)
		g_io_channel_unref(ch);
	g_object_unref(parser);
	return ok;
}
