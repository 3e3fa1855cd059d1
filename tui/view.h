/*
 * view.h: one frame of `sosim tui` drawn into the screen model (view.c).
 *
 * The view reads a world through the engine's const API and the text of
 * the step's events; it keeps nothing between frames, so every frame is
 * drawn from scratch (cheap, and never stale).
 */
#ifndef SOSIM_TUI_VIEW_H
#define SOSIM_TUI_VIEW_H

#include "screen.h"
#include "world.h"

/* Below this the view says "terminal too small" instead of drawing. */
#define VIEW_MIN_W 60
#define VIEW_MIN_H 16

/* The panes j/k and the arrows move in; Tab goes round them. */
typedef enum { P_THREADS, P_SOCKETS, P_EVENTS, P_SOURCE, P__COUNT } PaneId;

/* A line of the event log: an event as the text trace writes it. */
typedef struct {
	uint64_t step;
	int kind;               /* SimEventKind */
	const char *routine;    /* static or interned: for breakpoints */
	const char *to;         /* EVK_TRANS: the new state */
	int sock, which;        /* the buffer it is about (-1: none or unknown) */
	bool match;             /* a breakpoint or the search matches it */
	char *text;
} LogLine;

typedef struct {
	const World *w;         /* the world after step `step`; NULL: a saved trace */
	const World *prev;      /* the world before it, NULL at step 0 */
	uint64_t step;
	int ran;                /* who ran this step: a thread, -1 softnet, -2 none */
	uint64_t last;          /* the run's last step, UINT64_MAX unknown */
	const char *path;       /* the scenario file (or the trace) */
	const char *title;      /* a saved trace: what its header says */
	const LogLine *log;     /* the event log: the step's events and its neighbours' */
	int nlog;
	const char *verdict;    /* at the last step: the verdict, else NULL */
	bool verdict_ok;
	bool help;              /* the help overlay is up */
	const char *prompt;     /* the status line is a prompt (g, b, /), or NULL */
	const char *message;    /* a remark for the status line, or NULL */
	const char *stops;      /* the breakpoints and the search, "" none */
	/* the scenario's text (NULL: no source pane), and the line of each
	 * thread's current operation (0: none), by thread */
	char *const *source;
	int nsource;
	const int *op_lines;
	int nop_lines;
	const char *description;        /* the scenario's leading comment, or NULL */
	bool describe;                  /* show it */
	int sel;                        /* the buffer drawn as a chain: socket * 2 + SB_RCV/SB_SND, -1 none */
	bool pinned;                    /* chosen; else the one that changed last */
	int tsel;                       /* the selected thread (w->nthreads: softnet) */
	PaneId focus;                   /* the pane j/k move in */
	int log_scroll;                 /* the event log moved by this many lines */
	int src_scroll;                 /* the scenario's text likewise */
	int log_xoff, src_xoff;         /* columns hidden on the left of the events, the text */
} ViewState;

void view_draw(Screen *s, const ViewState *v);

#endif
