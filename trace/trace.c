/*
 * trace.c: the text and JSON Lines exporters.  JSON goes through
 * json-glib's generator, so strings are escaped by the library.
 */
#include "trace.h"
#include "run.h"
#include "cost.h"
#include "errno_names.h"

#include <json-glib/json-glib.h>

void
trace_writer_init(TraceWriter *tw, FILE *fp, TraceFormat format)
{
	tw->fp = fp;
	tw->format = format;
	tw->nevents = 0;
	tw->last_step = 0;
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
		fprintf(fp, "-- step %llu  t=%lld.%06llds  %s\n", (unsigned long long)ev->step, sec, usec,
		    ev->detail);
		return;
	}
	fprintf(fp, "   %-8s ", who(w, ev->thread));
	switch (ev->kind) {
	case EVK_TRANS:
		fprintf(fp, "%-16s %s -> %s\n", ev->routine, ev->from, ev->to);
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

static void
emit_json(TraceWriter *tw, const World *w, const SimEvent *ev)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g;
	JsonNode *root;
	gchar *s;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "step");
	json_builder_add_int_value(b, (gint64)ev->step);
	json_builder_set_member_name(b, "time_ns");
	json_builder_add_int_value(b, ev->time);
	json_builder_set_member_name(b, "thread");
	json_builder_add_string_value(b, who(w, ev->thread));
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, event_kind_names[ev->kind]);
	if (ev->routine) {
		json_builder_set_member_name(b, "routine");
		json_builder_add_string_value(b, ev->routine);
	}
	if (ev->kind == EVK_TRANS) {
		json_builder_set_member_name(b, "from");
		json_builder_add_string_value(b, ev->from);
		json_builder_set_member_name(b, "to");
		json_builder_add_string_value(b, ev->to);
	}
	if (ev->sock >= 0) {
		json_builder_set_member_name(b, "socket");
		json_builder_add_string_value(b, sock_name(w, ev->sock));
	}
	if (ev->which >= 0) {
		json_builder_set_member_name(b, "buffer");
		json_builder_add_string_value(b, ev->which == 0 ? "so_rcv" : "so_snd");
	}
	if (ev->kind == EVK_RETURN) {
		json_builder_set_member_name(b, "value");
		json_builder_add_int_value(b, ev->a);
		json_builder_set_member_name(b, "errno");
		json_builder_add_string_value(b, ev->b ? errno_name((int)ev->b) : "0");
		json_builder_set_member_name(b, "flags");
		json_builder_add_int_value(b, ev->c);
	} else if (ev->kind != EVK_TRANS) {
		json_builder_set_member_name(b, "a");
		json_builder_add_int_value(b, ev->a);
		json_builder_set_member_name(b, "b");
		json_builder_add_int_value(b, ev->b);
		json_builder_set_member_name(b, "c");
		json_builder_add_int_value(b, ev->c);
	}
	if (ev->detail[0]) {
		json_builder_set_member_name(b, "detail");
		json_builder_add_string_value(b, ev->detail);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	g = json_generator_new();
	json_generator_set_root(g, root);
	s = json_generator_to_data(g, NULL);
	fputs(s, tw->fp);
	fputc('\n', tw->fp);
	g_free(s);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
}

void
trace_emit(void *ctx, const World *w, const SimEvent *ev)
{
	TraceWriter *tw = ctx;

	tw->nevents++;
	if (tw->format == TRACE_JSONL)
		emit_json(tw, w, ev);
	else
		emit_text(tw, w, ev);
}

void
trace_verdict(TraceWriter *tw, const char *path, int line, int col, bool ok, const char *msg)
{
	if (tw->format == TRACE_JSONL) {
		JsonBuilder *b = json_builder_new();
		JsonGenerator *g = json_generator_new();
		JsonNode *root;
		gchar *s;

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
		json_builder_set_member_name(b, "message");
		json_builder_add_string_value(b, msg);
		json_builder_end_object(b);
		root = json_builder_get_root(b);
		json_generator_set_root(g, root);
		s = json_generator_to_data(g, NULL);
		fprintf(tw->fp, "%s\n", s);
		g_free(s);
		json_node_unref(root);
		g_object_unref(g);
		g_object_unref(b);
		return;
	}
	if (line > 0)
		fprintf(tw->fp, "%s:%d:%d: %s: %s\n", path, line, col, ok ? "held" : "FAILED", msg);
	else
		fprintf(tw->fp, "%s: %s: %s\n", path, ok ? "held" : "FAILED", msg);
}

void
trace_summary(TraceWriter *tw, const World *w, int failed)
{
	if (tw->format == TRACE_JSONL)
		return;
	fprintf(tw->fp, "== %s: %llu steps, virtual time %lld.%06llds, %s\n",
	    w->run->path, (unsigned long long)w->step, (long long)(w->now / 1000000000),
	    (long long)(w->now % 1000000000 / 1000),
	    failed ? "expectations FAILED" : "all expectations held");
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
