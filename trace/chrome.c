/*
 * chrome.c: the trace as Chrome trace-event JSON (`--format chrome`),
 * which ui.perfetto.dev and chrome://tracing open.
 *
 * One process for the scenario, one track per simulated thread (user
 * threads, the kernel threads) and one for softnet.  A system call is a
 * slice from its call to its return, and every kernel routine a slice
 * nested in it (the enter and leave events); each softnet step is a
 * slice of its own.  Everything else is an instant event with the
 * event's fields as arguments; a wakeup is a flow arrow from the waker to
 * the woken thread's next event; every buffer change feeds a counter
 * track of its sb_cc and sb_mbcnt.
 *
 * Timestamps (microseconds) are the virtual time plus one per step, plus
 * a thousandth per event within a step: virtual time stands still for
 * most steps, and nothing may collapse to zero length.  Records are
 * written as they come, through json-glib, one per line.
 */
#include "trace.h"
#include "run.h"
#include "sched.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define PID 1
#define FLOW_WIRE (1ull << 60)          /* wakeup arrows count from 1 */
#define FLOW_TIMER (2ull << 60)
#define FLOW_SPLICE (3ull << 60)


static int
tid_of(const World *w, int thread)
{
	return thread < 0 ? w->nthreads + 1 : thread + 1;      /* softnet last */
}

static double
ts_of(TraceWriter *tw, const SimEvent *ev)
{
	if (ev->step != tw->ch_step) {
		tw->ch_step = ev->step;
		tw->ch_k = 0;
	}
	return (double)ev->time / 1000.0 + (double)ev->step + (double)MIN(tw->ch_k++, 999) / 1000.0;
}

/* Start a record: {"ph":ph,"pid":1,"tid":tid,"ts":ts,"name":name, ... */
static JsonBuilder *
record(TraceWriter *tw, const char *ph, int tid, double ts, const char *name)
{
	JsonBuilder *b = tw->builder;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "ph");
	json_builder_add_string_value(b, ph);
	json_builder_set_member_name(b, "pid");
	json_builder_add_int_value(b, PID);
	json_builder_set_member_name(b, "tid");
	json_builder_add_int_value(b, tid);
	json_builder_set_member_name(b, "ts");
	json_builder_add_double_value(b, ts);
	if (name != NULL) {
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, name);
	}
	return b;
}

/* End the record and write it, after a comma unless it is the first. */
static void
put(TraceWriter *tw)
{
	JsonBuilder *b = tw->builder;
	JsonNode *root;
	gchar *s;

	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(tw->gen, root);
	s = json_generator_to_data(tw->gen, NULL);
	fputs(tw->ch_first ? "\n" : ",\n", tw->fp);
	fputs(s, tw->fp);
	tw->ch_first = false;
	g_free(s);
	json_node_unref(root);
	json_builder_reset(b);
}

static void
metadata(TraceWriter *tw, const char *what, int tid, const char *name)
{
	JsonBuilder *b = record(tw, "M", tid, 0, what);

	json_builder_set_member_name(b, "args");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, name);
	json_builder_end_object(b);
	put(tw);
}

/* A sample of a buffer's counter track: its sb_cc and sb_mbcnt. */
static void
counter(TraceWriter *tw, const char *sock, int which, double ts, int64_t cc, int64_t mbcnt)
{
	char name[96];
	JsonBuilder *b;

	snprintf(name, sizeof name, "%s.%s", sock, which == 0 ? "so_rcv" : "so_snd");
	b = record(tw, "C", 0, ts, name);
	json_builder_set_member_name(b, "args");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "sb_cc");
	json_builder_add_int_value(b, cc);
	json_builder_set_member_name(b, "sb_mbcnt");
	json_builder_add_int_value(b, mbcnt);
	json_builder_end_object(b);
	put(tw);
}

/* One end of a flow arrow: "s" where it starts, "f" where it ends. */
static void
flow(TraceWriter *tw, const char *ph, int tid, double ts, const char *cat, uint64_t id)
{
	JsonBuilder *b = record(tw, ph, tid, ts, cat);

	json_builder_set_member_name(b, "cat");
	json_builder_add_string_value(b, cat);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, (gint64)id);
	if (ph[0] == 'f') {
		json_builder_set_member_name(b, "bp");
		json_builder_add_string_value(b, "e");
	}
	put(tw);
}

void
chrome_begin(TraceWriter *tw, const World *w, const char *scenario)
{
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", tw->fp);
	tw->ch_first = true;
	tw->ch_step = 0;
	tw->ch_k = 0;
	tw->ch_softnet_open = false;
	tw->ch_flow = 0;
	memset(tw->ch_woken, 0, sizeof tw->ch_woken);
	memset(tw->ch_links, 0, sizeof tw->ch_links);
	metadata(tw, "process_name", 0, scenario);
	for (int i = 0; i < w->nthreads; i++)
		metadata(tw, "thread_name", tid_of(w, i), thread_name(w, i));
	metadata(tw, "thread_name", tid_of(w, -1), "softnet");
	/* every buffer's counter track starts where the run starts */
	for (int i = 0; i < w->nsocks; i++)
		for (int which = 0; which < 2; which++) {
			const Sockbuf *sb = which == 0 ? &w->socks[i].rcv : &w->socks[i].snd;

			counter(tw, sock_name(w, i), which, 0, sb->cc, sb->mbcnt);
		}
}

void
chrome_end(TraceWriter *tw, double ts)
{
	if (tw->ch_softnet_open) {
		record(tw, "E", tw->ch_softnet_tid, ts, NULL);
		put(tw);
		tw->ch_softnet_open = false;
	}
	fputs("\n]}\n", tw->fp);
}

/* The event's fields as "args", as the JSONL writer names them. */
static void
args(JsonBuilder *b, const World *w, const SimEvent *ev)
{
	const EventDef *d = &event_defs[ev->kind];

	json_builder_set_member_name(b, "args");
	json_builder_begin_object(b);
	if (ev->sock >= 0) {
		json_builder_set_member_name(b, "socket");
		json_builder_add_string_value(b, sock_name(w, ev->sock));
	}
	if (ev->which >= 0) {
		json_builder_set_member_name(b, "buffer");
		json_builder_add_string_value(b, ev->which == 0 ? "so_rcv" : "so_snd");
	}
	for (int i = 0; i < d->nfields; i++) {
		json_builder_set_member_name(b, d->fields[i].name);
		json_builder_add_int_value(b, ev->v[i]);
	}
	if (ev->detail[0]) {
		json_builder_set_member_name(b, "text");
		json_builder_add_string_value(b, ev->detail);
	}
	json_builder_end_object(b);
}

void
chrome_emit(TraceWriter *tw, const World *w, const SimEvent *ev)
{
	int tid = tid_of(w, ev->thread);
	double ts = ts_of(tw, ev);
	JsonBuilder *b;
	char name[96];

	if (ev->kind == EVK_STEP) {
		/* a softnet step is a slice; a thread's steps are its slices */
		if (tw->ch_softnet_open) {
			record(tw, "E", tw->ch_softnet_tid, ts, NULL);
			put(tw);
			tw->ch_softnet_open = false;
		}
		if (ev->v[0] < 0) {
			tw->ch_softnet_tid = tid;
			record(tw, "B", tid, ts, "softnet");
			put(tw);
			tw->ch_softnet_open = true;
		}
		return;
	}
	/* the end of a wakeup's flow: the woken thread's first event after it */
	if (ev->thread >= 0 && ev->thread < TRACE_MAX_THREADS && tw->ch_woken[ev->thread] != 0 &&
	    ev->kind != EVK_WAKEUP) {
		flow(tw, "f", tid, ts, "wakeup", tw->ch_woken[ev->thread]);
		tw->ch_woken[ev->thread] = 0;
	}
	switch (ev->kind) {
	case EVK_CALL:
		b = record(tw, "B", tid, ts, ev->detail);
		json_builder_set_member_name(b, "cat");
		json_builder_add_string_value(b, "syscall");
		put(tw);
		return;
	case EVK_RETURN:
		b = record(tw, "E", tid, ts, NULL);
		args(b, w, ev);
		put(tw);
		return;
	case EVK_ENTER:
	case EVK_LEAVE:
		b = record(tw, ev->kind == EVK_ENTER ? "B" : "E", tid, ts,
		    ev->kind == EVK_ENTER ? ev->routine : NULL);
		if (ev->kind == EVK_ENTER) {
			json_builder_set_member_name(b, "cat");
			json_builder_add_string_value(b, "kernel");
		}
		put(tw);
		return;
	case EVK_TRANS:
		snprintf(name, sizeof name, "%s: %s -> %s", ev->routine, ev->from, ev->to);
		b = record(tw, "i", tid, ts, name);
		json_builder_set_member_name(b, "s");
		json_builder_add_string_value(b, "t");
		put(tw);
		return;
	default:
		break;
	}
	snprintf(name, sizeof name, "%s%s%s", event_defs[ev->kind].name, ev->routine ? " " : "",
	    ev->routine ? ev->routine : "");
	b = record(tw, "i", tid, ts, name);
	json_builder_set_member_name(b, "s");
	json_builder_add_string_value(b, "t");
	args(b, w, ev);
	put(tw);
	if (ev->kind == EVK_WAKEUP && ev->v[0] >= 0 && ev->v[0] < TRACE_MAX_THREADS) {
		/* a flow from here to the woken thread's next event */
		tw->ch_woken[ev->v[0]] = ++tw->ch_flow;
		flow(tw, "s", tid, ts, "wakeup", tw->ch_flow);
	}
	/* a segment's arrow from where it was sent to where it arrives, and
	 * a timer's from where it was armed to where it fires; each kind of
	 * arrow has its own range of ids */
	if (ev->kind == EVK_SEGMENT && ev->v[3] != 0)
		flow(tw, "s", tid, ts, "wire", FLOW_WIRE | (uint64_t)ev->v[3]);
	if (ev->kind == EVK_DELIVER && ev->v[3] != 0)
		flow(tw, "f", tid, ts, "wire", FLOW_WIRE | (uint64_t)ev->v[3]);
	if (ev->kind == EVK_ARM)
		flow(tw, "s", tid, ts, "timer", FLOW_TIMER | (uint64_t)ev->v[1]);
	if (ev->kind == EVK_TIMER && ev->v[1] != 0)
		flow(tw, "f", tid, ts, "timer", FLOW_TIMER | (uint64_t)ev->v[1]);
	/* a splice link's life, from sosplice to sounsplice */
	if ((ev->kind == EVK_SPLICE || ev->kind == EVK_UNSPLICE) && ev->sock >= 0 &&
	    ev->sock < WORLD_MAX_SOCKETS) {
		if (ev->kind == EVK_SPLICE)
			tw->ch_links[ev->sock]++;
		flow(tw, ev->kind == EVK_SPLICE ? "s" : "f", tid, ts, "splice",
		    FLOW_SPLICE | (uint64_t)ev->sock << 32 | tw->ch_links[ev->sock]);
	}
	if (ev->kind == EVK_SOCKBUF && ev->sock >= 0 && ev->which >= 0)
		counter(tw, sock_name(w, ev->sock), ev->which, ts, ev->v[2], ev->v[4]);
}
