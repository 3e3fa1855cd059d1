/*
 * trace.h: writing the events of a run, for people (text) or programs
 * (JSON Lines), and the cost table of --stats.
 */
#ifndef SOSIM_TRACE_H
#define SOSIM_TRACE_H

#include <glib.h>
#include <stdio.h>
#include "world.h"

typedef enum { TRACE_TEXT, TRACE_JSONL, TRACE_CHROME } TraceFormat;

#define TRACE_MAX_THREADS (WORLD_MAX_THREADS + TK__COUNT)

/* The version of the JSONL records (docs/trace-format.md). */
#define TRACE_FORMAT_VERSION 1

typedef struct _JsonBuilder JsonBuilder;
typedef struct _JsonGenerator JsonGenerator;
typedef struct _JsonNode JsonNode;

typedef struct {
	FILE *fp;
	TraceFormat format;
	uint64_t nevents;
	uint64_t last_step;
	JsonBuilder *builder;   /* JSONL, Chrome: reused for every record */
	JsonGenerator *gen;
	GString *line;          /* JSONL: an event's line, built in place */
	JsonNode *esc;          /* a string node, for escaping through the generator */
	/* Chrome (chrome.c) */
	bool ch_first;
	uint64_t ch_step;
	int ch_k;
	bool ch_softnet_open;
	int ch_softnet_tid;
	uint64_t ch_flow;
	uint64_t ch_woken[TRACE_MAX_THREADS];
	uint32_t ch_links[WORLD_MAX_SOCKETS];   /* splices made per source socket */
} TraceWriter;

/* What the first record says about the run. */
typedef struct {
	const char *scenario;           /* its path */
	const char *description;        /* its leading comment, or NULL */
	const char *schedule;           /* --schedule as given, or NULL */
	bool has_seed;
	uint64_t seed;
} TraceHeader;

void trace_writer_init(TraceWriter *tw, FILE *fp, TraceFormat format);
void trace_writer_finish(TraceWriter *tw);
/* The first record: format and sosim versions, scenario, profile, quirks,
 * seed, schedule (text: the description and the profile, as comments). */
void trace_header(TraceWriter *tw, const World *w, const TraceHeader *h);
/* An EventSink callback: ctx is the TraceWriter. */
void trace_emit(void *ctx, const World *w, const SimEvent *ev);
/* How an expectation came out of one run: an `expect sometimes` that did
 * not hold is "not seen in this run", not a failure (explore decides). */
typedef enum { VERDICT_HELD, VERDICT_FAILED, VERDICT_NOT_SEEN, VERDICT_NOT_RUN } VerdictStatus;

/* A final record: the verdict lines (JSONL: {"kind":"verdict",...}). */
void trace_verdict(TraceWriter *tw, const char *path, int line, int col, VerdictStatus st,
    const char *msg);
/* The last record: verdict, steps, virtual time, counters, violation. */
void trace_summary(TraceWriter *tw, const World *w, int failed);

/* chrome.c: the Chrome trace-event writer behind trace_header, trace_emit
 * and trace_summary for TRACE_CHROME. */
void chrome_begin(TraceWriter *tw, const World *w, const char *scenario);
void chrome_emit(TraceWriter *tw, const World *w, const SimEvent *ev);
void chrome_end(TraceWriter *tw, double ts);

/* JSONL --stats: the cost table and the counters as one record. */
void trace_stats(TraceWriter *tw, const World *w);

/* The --stats table: counters and share per routine. */
void stats_print(FILE *fp, const World *w);

#endif
