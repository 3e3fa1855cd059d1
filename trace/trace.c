/*
 * trace.c: the text and JSON Lines exporters.  JSON goes through
 * json-glib's generator, so strings are escaped by the library.
 */
#include "trace.h"
#include "run.h"
#include "cost.h"
#include "errno_names.h"
#include "sched.h"

#include <json-glib/json-glib.h>

void
trace_writer_init(TraceWriter *tw, FILE *fp, TraceFormat format)
{
	tw->fp = fp;
	tw->format = format;
	tw->nevents = 0;
	tw->last_step = 0;
	tw->builder = format != TRACE_TEXT ? json_builder_new() : NULL;
	tw->gen = format != TRACE_TEXT ? json_generator_new() : NULL;
	tw->line = format != TRACE_TEXT ? g_string_sized_new(512) : NULL;
	tw->esc = format != TRACE_TEXT ? json_node_new(JSON_NODE_VALUE) : NULL;
}

void
trace_writer_finish(TraceWriter *tw)
{
	if (tw->builder != NULL)
		g_object_unref(tw->builder);
	if (tw->gen != NULL)
		g_object_unref(tw->gen);
	if (tw->line != NULL)
		g_string_free(tw->line, TRUE);
	if (tw->esc != NULL)
		json_node_unref(tw->esc);
	tw->builder = NULL;
	tw->gen = NULL;
	tw->line = NULL;
	tw->esc = NULL;
}

static const char *
who(const World *w, int thread)
{
	return thread < 0 ? "softnet" : thread_name(w, thread);
}

static void
emit_text(TraceWriter *tw, const World *w, const SimEvent *ev)
{
	FILE *fp = tw->fp;
	long long sec = (long long)(ev->time / 1000000000);
	long long usec = (long long)(ev->time % 1000000000 / 1000);

	if (ev->kind == EVK_STEP) {
		fprintf(fp, "-- step %llu  t=%lld.%06llds  %s", (unsigned long long)ev->step, sec, usec,
		    ev->detail);
		if (ev->v[2])   /* forced: not what the default policy picks */
			fprintf(fp, " (default: %s)", who(w, (int)ev->v[1]));
		fputc('\n', fp);
		return;
	}
	fprintf(fp, "   %-8s ", who(w, ev->thread));
	switch (ev->kind) {
	case EVK_TRANS:
		fprintf(fp, "%-16s %s -> %s\n", ev->routine, ev->from, ev->to);
		break;
	case EVK_ENTER:
	case EVK_LEAVE:
		fprintf(fp, "%-16s %s\n", ev->routine, ev->kind == EVK_ENTER ? "enter" : "leave");
		break;
	case EVK_CALL:
		fprintf(fp, "%-16s %s\n", "syscall", ev->detail);
		break;
	case EVK_RETURN:
		fprintf(fp, "%-16s %s\n", "return", ev->detail);
		break;
	default:
		fprintf(fp, "%-16s %s\n", ev->routine ? ev->routine : event_kind_names[ev->kind],
		    ev->detail);
		break;
	}
}

/* MSG_* as every BSD's sys/socket.h numbers them (the kernel's K_MSG_*). */
static const struct {
	int64_t bit;
	const char *name;
} msg_flags[] = {
	{ 0x1, "OOB" }, { 0x2, "PEEK" }, { 0x4, "DONTROUTE" }, { 0x8, "EOR" }, { 0x10, "TRUNC" },
	{ 0x20, "CTRUNC" }, { 0x40, "WAITALL" }, { 0x80, "DONTWAIT" },
};

/*
 * A string as a JSON value.  Names (kinds, threads, sockets, routines)
 * and most sentences are printable ASCII with no quote or backslash and
 * go out as they are; anything else is escaped by json-glib's generator.
 */
static void
json_str(TraceWriter *tw, GString *out, const char *s)
{
	const unsigned char *p;
	gchar *e;

	for (p = (const unsigned char *)s; *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\'; p++)
		;
	if (*p == '\0') {
		g_string_append_c(out, '"');
		g_string_append_len(out, s, (gssize)((const char *)p - s));
		g_string_append_c(out, '"');
		return;
	}
	json_node_set_string(tw->esc, s);
	json_generator_set_root(tw->gen, tw->esc);
	e = json_generator_to_data(tw->gen, NULL);
	g_string_append(out, e);
	g_free(e);
}

/* "name": as the start of a member */
static void
json_key(GString *out, const char *name)
{
	g_string_append_c(out, ',');
	g_string_append_c(out, '"');
	g_string_append(out, name);
	g_string_append(out, "\":");
}

static void
json_int(GString *out, int64_t v)
{
	g_string_append_printf(out, "%" G_GINT64_FORMAT, (gint64)v);
}

/* One field of an event, by its type (events.def). */
static void
json_field(TraceWriter *tw, GString *out, const World *w, const EventField *f, int64_t v)
{
	char chan[64];
	bool any = false;

	json_key(out, f->name);
	switch (f->type) {
	case FT_BOOL:
		g_string_append(out, v ? "true" : "false");
		break;
	case FT_THREAD:
		if (v < 0)
			g_string_append(out, "null");
		else
			json_str(tw, out, thread_name(w, (int)v));
		break;
	case FT_ENTITY:
		json_str(tw, out, who(w, (int)v));
		break;
	case FT_ERRNO:
		if (v == 0)
			g_string_append(out, "null");
		else
			json_str(tw, out, errno_name((int)v));
		break;
	case FT_CHAN:
		sched_chan_name(w, (uint32_t)v, chan, sizeof chan);
		json_str(tw, out, chan);
		break;
	case FT_MSGFLAGS:
		g_string_append_c(out, '[');
		for (size_t i = 0; i < G_N_ELEMENTS(msg_flags); i++)
			if (v & msg_flags[i].bit) {
				g_string_append_printf(out, "%s\"%s\"", any ? "," : "", msg_flags[i].name);
				any = true;
			}
		g_string_append_c(out, ']');
		break;
	case FT_SOCK:
		if (v < 0)
			g_string_append(out, "null");
		else
			json_str(tw, out, sock_name(w, (int)v));
		break;
	case FT_SOSTATE:
	case FT_SBFLAGS:
		g_string_append_c(out, '[');
		for (int i = 0; i < 16; i++) {
			const char *n = (f->type == FT_SOSTATE ? sostate_bit_names : sbflags_bit_names)[i];

			if (!((v >> i) & 1))
				continue;
			g_string_append_printf(out, "%s\"%s\"", any ? "," : "", n ? n : "?");
			any = true;
		}
		g_string_append_c(out, ']');
		break;
	default:
		json_int(out, v);
		break;
	}
}

/* The record in b as one line.  The builder and generator are the
 * writer's own, reused for every record. */
static void
json_line(TraceWriter *tw, JsonBuilder *b)
{
	JsonNode *root = json_builder_get_root(b);
	gchar *s;

	json_generator_set_root(tw->gen, root);
	s = json_generator_to_data(tw->gen, NULL);
	fputs(s, tw->fp);
	fputc('\n', tw->fp);
	g_free(s);
	json_node_unref(root);
	json_builder_reset(b);
}

/*
 * An event as one line, its members in a fixed order, written straight
 * into the writer's line buffer: the header, verdict and summary records
 * go through a JsonBuilder, but an event is too frequent for a tree.
 */
static void
emit_json(TraceWriter *tw, const World *w, const SimEvent *ev)
{
	const EventDef *d = &event_defs[ev->kind];
	GString *out = tw->line;

	g_string_truncate(out, 0);
	g_string_append(out, "{\"kind\":\"");
	g_string_append(out, d->name);
	g_string_append(out, "\",\"step\":");
	json_int(out, (int64_t)ev->step);
	json_key(out, "time_ns");
	json_int(out, ev->time);
	json_key(out, "thread");
	json_str(tw, out, who(w, ev->thread));
	if (ev->routine) {
		json_key(out, "routine");
		json_str(tw, out, ev->routine);
	}
	if (ev->kind == EVK_TRANS) {
		json_key(out, "from");
		json_str(tw, out, ev->from);
		json_key(out, "to");
		json_str(tw, out, ev->to);
	}
	if (ev->sock >= 0) {
		json_key(out, "socket");
		json_str(tw, out, sock_name(w, ev->sock));
	}
	if (ev->which >= 0) {
		json_key(out, "buffer");
		g_string_append(out, ev->which == 0 ? "\"so_rcv\"" : "\"so_snd\"");
	}
	for (int i = 0; i < d->nfields; i++)
		json_field(tw, out, w, &d->fields[i], ev->v[i]);
	if (ev->detail[0]) {
		json_key(out, "text");
		json_str(tw, out, ev->detail);
	}
	g_string_append(out, "}\n");
	fwrite(out->str, 1, out->len, tw->fp);
}

void
trace_emit(void *ctx, const World *w, const SimEvent *ev)
{
	TraceWriter *tw = ctx;

	tw->nevents++;
	if (tw->format == TRACE_CHROME)
		chrome_emit(tw, w, ev);
	else if (tw->format == TRACE_JSONL)
		emit_json(tw, w, ev);
	else
		emit_text(tw, w, ev);
}

static const char *const verdict_names[] = {
	[VERDICT_HELD] = "held", [VERDICT_FAILED] = "FAILED", [VERDICT_NOT_SEEN] = "not seen in this run",
	[VERDICT_NOT_RUN] = "not run",
};

void
trace_verdict(TraceWriter *tw, const char *path, int line, int col, VerdictStatus st,
    const char *msg)
{
	bool ok = st != VERDICT_FAILED;

	if (tw->format == TRACE_CHROME)
		return;         /* the viewer shows the run; the verdict is on stderr */
	if (tw->format == TRACE_JSONL) {
		JsonBuilder *b = tw->builder;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, "verdict");
		json_builder_set_member_name(b, "file");
		json_builder_add_string_value(b, path);
		json_builder_set_member_name(b, "line");
		json_builder_add_int_value(b, line);
		json_builder_set_member_name(b, "col");
		json_builder_add_int_value(b, col);
		json_builder_set_member_name(b, "ok");
		json_builder_add_boolean_value(b, ok);
		json_builder_set_member_name(b, "status");
		json_builder_add_string_value(b, st == VERDICT_FAILED ? "failed" : st == VERDICT_HELD ? "held" :
		    st == VERDICT_NOT_RUN ? "not run" : "not seen");
		json_builder_set_member_name(b, "message");
		json_builder_add_string_value(b, msg);
		json_builder_end_object(b);
		json_line(tw, b);
		return;
	}
	if (line > 0)
		fprintf(tw->fp, "%s:%d:%d: %s: %s\n", path, line, col, verdict_names[st], msg);
	else
		fprintf(tw->fp, "%s: %s: %s\n", path, verdict_names[st], msg);
}

static void
quirk_list(const World *w, GString *out, JsonBuilder *b)
{
	for (int k = 0; k < QUIRK__COUNT; k++)
		if (quirk_on(w, (QuirkId)k)) {
			if (b != NULL)
				json_builder_add_string_value(b, quirk_defs[k].name);
			if (out != NULL)
				g_string_append_printf(out, "%s%s", out->len ? ", " : "", quirk_defs[k].name);
		}
}

void
trace_header(TraceWriter *tw, const World *w, const TraceHeader *h)
{
	if (tw->format == TRACE_CHROME) {
		chrome_begin(tw, w, h->scenario);
		return;
	}
	if (tw->format == TRACE_JSONL) {
		JsonBuilder *b = tw->builder;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, "header");
		json_builder_set_member_name(b, "format");
		json_builder_add_int_value(b, TRACE_FORMAT_VERSION);
		json_builder_set_member_name(b, "sosim");
		json_builder_add_string_value(b, SOSIM_VERSION);
		json_builder_set_member_name(b, "scenario");
		json_builder_add_string_value(b, h->scenario);
		json_builder_set_member_name(b, "description");
		if (h->description != NULL)
			json_builder_add_string_value(b, h->description);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "profile");
		json_builder_add_string_value(b, w->prof->name);
		json_builder_set_member_name(b, "quirks");
		json_builder_begin_array(b);
		quirk_list(w, NULL, b);
		json_builder_end_array(b);
		json_builder_set_member_name(b, "seed");
		if (h->has_seed)
			json_builder_add_int_value(b, (gint64)h->seed);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "schedule");
		if (h->schedule != NULL)
			json_builder_add_string_value(b, h->schedule);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
		json_line(tw, b);
		return;
	}
	{
		GString *q = g_string_new(NULL);
		char **lines = h->description ? g_strsplit(h->description, "\n", -1) : NULL;

		quirk_list(w, q, NULL);
		fprintf(tw->fp, "== %s: profile %s, quirks %s%s%s\n", h->scenario, w->prof->name,
		    q->len ? q->str : "none", h->schedule ? ", schedule " : "",
		    h->schedule ? h->schedule : "");
		for (int i = 0; lines != NULL && lines[i] != NULL; i++)
			if (lines[i][0] != '\0')
				fprintf(tw->fp, "== %s\n", lines[i]);
			else if (lines[i + 1] != NULL)
				fprintf(tw->fp, "==\n");
		g_strfreev(lines);
		g_string_free(q, TRUE);
	}
}

/* "counters": every named counter (counters.def) by name */
static void
json_counters(JsonBuilder *b, const World *w)
{
	json_builder_set_member_name(b, "counters");
	json_builder_begin_object(b);
	for (int i = 0; i < ncounter_defs; i++) {
		json_builder_set_member_name(b, counter_defs[i].name);
		json_builder_add_int_value(b, (gint64)*(const uint64_t *)((const char *)&w->stats +
		    counter_defs[i].offset));
	}
	json_builder_end_object(b);
}

static const char *const stop_names[] = {
	[STOP_NONE] = "running", [STOP_DONE] = "done", [STOP_DEADLOCK] = "deadlock",
	[STOP_VIOLATION] = "violation", [STOP_LIMIT] = "limit",
};

void
trace_summary(TraceWriter *tw, const World *w, int failed)
{
	if (tw->format == TRACE_CHROME) {
		chrome_end(tw, (double)w->now / 1000.0 + (double)w->step + 1.0);
		return;
	}
	if (tw->format == TRACE_JSONL) {
		JsonBuilder *b = tw->builder;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, "summary");
		json_builder_set_member_name(b, "verdict");
		json_builder_add_string_value(b, failed ? "fail" : "pass");
		json_builder_set_member_name(b, "failed");
		json_builder_add_int_value(b, failed);
		json_builder_set_member_name(b, "stop");
		json_builder_add_string_value(b, stop_names[w->stop]);
		json_builder_set_member_name(b, "steps");
		json_builder_add_int_value(b, (gint64)w->step);
		json_builder_set_member_name(b, "time_ns");
		json_builder_add_int_value(b, w->now);
		json_builder_set_member_name(b, "violation");
		if (w->violation != V_NONE)
			json_builder_add_string_value(b, violation_names[w->violation]);
		else
			json_builder_add_null_value(b);
		json_counters(b, w);
		json_builder_end_object(b);
		json_line(tw, b);
		return;
	}
	fprintf(tw->fp, "== %s: %llu steps, virtual time %lld.%06llds, %s\n",
	    w->run->path, (unsigned long long)w->step, (long long)(w->now / 1000000000),
	    (long long)(w->now % 1000000000 / 1000),
	    failed ? "expectations FAILED" : "all expectations held");
}

void
trace_stats(TraceWriter *tw, const World *w)
{
	JsonBuilder *b = tw->builder;
	double total = cost_total(w);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, "stats");
	json_builder_set_member_name(b, "routines");
	json_builder_begin_array(b);
	for (int i = 0; i < R__COUNT; i++) {
		const Cost *c = &w->cost[i];
		double u = cost_units(c);
		const struct { const char *name; uint64_t v; } cols[] = {
			{ "calls", c->calls }, { "visits", c->visits }, { "bytes", c->bytes },
			{ "allocs", c->allocs }, { "locks", c->locks }, { "sleeps", c->sleeps },
			{ "wakeups", c->wakeups },
		};

		if (u == 0)
			continue;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "routine");
		json_builder_add_string_value(b, routine_names[i]);
		for (size_t k = 0; k < G_N_ELEMENTS(cols); k++) {
			json_builder_set_member_name(b, cols[k].name);
			json_builder_add_int_value(b, (gint64)cols[k].v);
		}
		json_builder_set_member_name(b, "cost");
		json_builder_add_double_value(b, u);
		json_builder_set_member_name(b, "share");
		json_builder_add_double_value(b, total > 0 ? u / total : 0.0);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_counters(b, w);
	json_builder_end_object(b);
	json_line(tw, b);
}

void
stats_print(FILE *fp, const World *w)
{
	double total = cost_total(w);

	fprintf(fp, "%-16s %10s %12s %14s %10s %8s %8s %8s %14s %7s\n", "routine", "calls", "visits",
	    "bytes", "allocs", "locks", "sleeps", "wakeups", "cost", "share");
	for (int i = 0; i < R__COUNT; i++) {
		const Cost *c = &w->cost[i];
		double u = cost_units(c);

		if (u == 0)
			continue;
		fprintf(fp, "%-16s %10llu %12llu %14llu %10llu %8llu %8llu %8llu %14.0f %6.2f%%\n",
		    routine_names[i], (unsigned long long)c->calls, (unsigned long long)c->visits,
		    (unsigned long long)c->bytes, (unsigned long long)c->allocs,
		    (unsigned long long)c->locks, (unsigned long long)c->sleeps,
		    (unsigned long long)c->wakeups, u, total > 0 ? 100.0 * u / total : 0.0);
	}
	fprintf(fp, "%-16s %107.0f %6.2f%%\n", "total", total, 100.0);
	fprintf(fp, "(cost units: visit 10, byte copied 0.5, allocation 50, lock op 20, sleep 200, wakeup 100, call 10; see docs/cost-model.md)\n");
	/* the named counters `expect stat NAME` reads (counters.def) */
	fprintf(fp, "\n%-24s %12s\n", "counter", "value");
	for (int i = 0; i < ncounter_defs; i++)
		fprintf(fp, "%-24s %12llu\n", counter_defs[i].name,
		    (unsigned long long)*(const uint64_t *)((const char *)&w->stats + counter_defs[i].offset));
}
