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

typedef struct {
	const World *w;         /* the world after step `step` */
	const World *prev;      /* the world before it, NULL at step 0 */
	uint64_t step;
	int ran;                /* who ran this step: a thread, -1 softnet, -2 none */
	uint64_t last;          /* the run's last step, UINT64_MAX unknown */
	const char *path;       /* the scenario file */
	char *const *events;    /* the step's events in the text trace's form */
	int nevents;
	const int *kinds;       /* the events' SimEventKind, or NULL */
	const char *verdict;    /* at the last step: the verdict, else NULL */
	bool verdict_ok;
	bool help;              /* the help overlay is up */
	const char *prompt;     /* the status line is a prompt (g), or NULL */
	const char *message;    /* a remark for the status line, or NULL */
	/* the scenario's text (NULL: no source pane), and the line of each
	 * thread's current operation (0: none), by thread */
	char *const *source;
	int nsource;
	const int *op_lines;
	int nop_lines;
	const char *description;        /* the scenario's leading comment, or NULL */
	bool describe;                  /* show it */
	int sel;                        /* the buffer drawn as a chain: socket * 2 + SB_RCV/SB_SND, -1 none */
} ViewState;

void view_draw(Screen *s, const ViewState *v);

#endif
