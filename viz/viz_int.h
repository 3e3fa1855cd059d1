/*
 * viz_int.h: what the views of viz/ share (graph.c, record.c): making
 * graphs, nodes and edges with libcgraph, HTML-like labels, the looks
 * every view uses, and reading clusters through a const World.
 */
#ifndef SOSIM_VIZ_INT_H
#define SOSIM_VIZ_INT_H

#include <glib.h>

#include "viz.h"

/* The looks: one font everywhere, one colour for "changed at this step". */
#define VIZ_FONT "Helvetica"
#define VIZ_MONO "Courier"
#define VIZ_CHANGED "#d62728"           /* red: changed at the step shown */
#define VIZ_NEW_FILL "#fde0dd"          /* behind what is new at the step */
#define VIZ_MUTED "#7f7f7f"

/* The discipline every graph here is made and read with: object IDs in
 * the order objects are named (graph.c). */
extern Agdisc_t viz_disc;

/* A new directed graph with the shared defaults (fonts, sizes). */
Agraph_t *viz_graph(const char *name, const char *rankdir);
Agraph_t *viz_subgraph(Agraph_t *g, const char *name);
Agnode_t *viz_node(Agraph_t *g, const char *name);
Agedge_t *viz_edge(Agraph_t *g, Agnode_t *t, Agnode_t *h);
/* Set an attribute of a graph, node or edge (declared with an empty
 * default the first time it is used). */
void viz_set(void *obj, const char *key, const char *value);
void viz_setf(void *obj, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An HTML-like label (the text between < and >); frees nothing. */
void viz_set_html(void *obj, const char *key, const char *html);

/* Append text with &, <, > and " escaped for an HTML-like label. */
void viz_esc(GString *s, const char *text);
void viz_escf(GString *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A value, in red and bold with "(was OLD)" after it when it changed. */
void viz_value(GString *s, const char *now, const char *before, bool changed);

/* "1460", or "100K" for exact multiples of 1024 at or above 8K, as the
 * scenario language writes sizes. */
const char *viz_bytes(char *buf, size_t n, int64_t v);
/* Names of set bits: "SB_LOCK|SB_WAIT", or "0". */
typedef struct {
	uint32_t bit;
	const char *name;
} VizBit;
void viz_bits(GString *s, uint32_t v, const VizBit *names, int n);

/* The caption of a view of a world at a step: what, scenario, profile,
 * quirks, the step and who ran in it. */
void viz_caption(const VizView *v, Agraph_t *g, const char *what);
const char *viz_tcp_state(int state);

/* A cluster by its handle, NULL when stale (world.h has no reader for it). */
static inline const Cluster *
viz_cluster(const World *w, Ref r)
{
	const Cluster *c;

	if (r.i == 0 || r.i >= w->nclusters)
		return NULL;
	c = &w->cchunk[r.i >> POOL_CHUNK_SHIFT][r.i & (POOL_CHUNK - 1)];
	return c->refcnt > 0 && c->gen == r.g ? c : NULL;
}

static inline const Sockbuf *
viz_sockbuf(const Socket *so, int which)
{
	return which == SB_RCV ? &so->rcv : &so->snd;
}

/* record.c: what the recorder saw */
const char *viz_recorder_who(const VizRecorder *r);
/* The operations of the recorded step on a buffer ("sbappendstream +1460,
 * sbdrop -2920"), or NULL. */
const char *viz_recorder_ops(const VizRecorder *r, int sock, int which);
/* How often from -> to was taken. */
uint64_t viz_recorder_count(const VizRecorder *r, const char *from, const char *to);
uint64_t viz_recorder_total(const VizRecorder *r);
uint64_t viz_recorder_upto(const VizRecorder *r);

#endif
