/*
 * viz.h: Graphviz pictures of a world (`sosim dot`).
 *
 * Three views, each a libcgraph graph built from the engine's const API:
 *   viz_buffers  socket buffers as TCP/IP Illustrated Vol. 2 draws them:
 *                the sockbuf header, m_next across, m_nextpkt down,
 *                clusters with their reference counts, what the step changed;
 *   viz_splice   the splice topology: sockets, so_sp links, task and timer;
 *   viz_machine  a routine's declared state machine (machine.h), with the
 *                transitions a run took when a recorder counted them.
 * viz_write writes one as dot text or renders it (SVG, PNG, PDF) with
 * libgvc.  Nothing here changes a world: a view reads the world it is
 * given and the one a step before, which the caller ran (docs/design.md, viz/
 * reads the world only through the engine's const API and the events).
 *
 * Node names come from socket indices, buffers and places in a chain,
 * never from pool slots, so the dot text of a run is the same every time.
 */
#ifndef SOSIM_VIZ_H
#define SOSIM_VIZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <graphviz/cgraph.h>

#include "event.h"
#include "machine.h"
#include "world.h"

/*
 * What the events of a run say that a world does not: who ran in the step
 * a picture shows and what it did to each buffer, and how often each
 * transition of one machine was taken.  Attach viz_recorder_sink as the
 * run's event sink (its ctx the recorder) while the run goes.
 */
typedef struct VizRecorder VizRecorder;

/* Record the buffer operations of step `step` (0: none) and count the
 * transitions of machine `machine` (NULL: none) at steps up to `upto`
 * (0: every step). */
VizRecorder *viz_recorder_new(uint64_t step, const char *machine, uint64_t upto);
void viz_recorder_free(VizRecorder *r);
void viz_recorder_sink(void *ctx, const World *w, const SimEvent *ev);

/* A world at a step, with what is needed to say what changed there. */
typedef struct {
	const World *w;         /* the world after step `step` */
	const World *prev;      /* the world one step earlier; NULL at step 0 */
	uint64_t step;
	uint64_t last;          /* the run's last step */
	const char *title;      /* the scenario, as the caption names it */
	const VizRecorder *rec; /* what happened in the step, or NULL */
} VizView;

/* Every buffer of every socket (sock -1), or one socket's buffers (which
 * -1), or one buffer (SB_RCV, SB_SND). */
Agraph_t *viz_buffers(const VizView *v, int sock, int which);
/* The splice topology of the world. */
Agraph_t *viz_splice(const VizView *v);
/* The definition of a machine; with a recorder, each transition labelled
 * with the times it was taken (title: the run counted, for the caption). */
Agraph_t *viz_machine(const MachineDef *d, const VizRecorder *rec, const char *title);
void viz_free(Agraph_t *g);

typedef enum { VIZ_DOT, VIZ_SVG, VIZ_PNG, VIZ_PDF, VIZ_UNKNOWN } VizFormat;

/* The format an output file's name asks for: NULL or "-" (stdout) is
 * dot text; VIZ_UNKNOWN for an extension we do not write. */
VizFormat viz_format_for(const char *path);
/* The extensions viz_format_for knows, for a message. */
extern const char viz_format_list[];
/* Write g to fp: dot text, or laid out with dot and rendered by libgvc.
 * False when Graphviz refused (it says why on stderr). */
bool viz_write(Agraph_t *g, VizFormat f, FILE *fp);

#endif
