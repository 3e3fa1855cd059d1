/*
 * trace.h: writing the events of a run, for people (text) or programs
 * (JSON Lines), and the cost table of --stats.
 */
#ifndef SOSIM_TRACE_H
#define SOSIM_TRACE_H

#include <stdio.h>
#include "world.h"

typedef enum { TRACE_TEXT, TRACE_JSONL } TraceFormat;

typedef struct {
	FILE *fp;
	TraceFormat format;
	uint64_t nevents;
	uint64_t last_step;
} TraceWriter;

void trace_writer_init(TraceWriter *tw, FILE *fp, TraceFormat format);
/* An EventSink callback: ctx is the TraceWriter. */
void trace_emit(void *ctx, const World *w, const SimEvent *ev);
/* A final record: the verdict lines (JSONL: {"kind":"verdict",...}). */
void trace_verdict(TraceWriter *tw, const char *path, int line, int col, bool ok, const char *msg);
void trace_summary(TraceWriter *tw, const World *w, int failed);

/* The --stats table: counters and share per routine. */
void stats_print(FILE *fp, const World *w);

#endif
