/*
 * tui.h: the controller of `sosim tui` (tui.c): where the viewer is in
 * the run, and what each key does.  It knows no terminal: term.c reads
 * the keys and shows the screen model, and the tests press keys here.
 */
#ifndef SOSIM_TUI_TUI_H
#define SOSIM_TUI_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "screen.h"
#include "world.h"

/* Keys beyond the characters (term.c maps the terminal's to these). */
enum {
	TUI_KEY_HOME = 0x1000,
	TUI_KEY_END,
	TUI_KEY_ENTER,
	TUI_KEY_ESCAPE,
	TUI_KEY_BACKSPACE,
	TUI_KEY_REDRAW,         /* Ctrl-L */
	TUI_KEY_TAB,
	TUI_KEY_BACKTAB,        /* Shift-Tab */
	TUI_KEY_UP,
	TUI_KEY_DOWN,
	TUI_KEY_PGUP,
	TUI_KEY_PGDN,
	TUI_KEY_LEFT,
	TUI_KEY_RIGHT,
};

/* What the caller does after a key. */
typedef enum { TUI_GO_ON, TUI_QUIT, TUI_REPAINT } TuiAction;

typedef struct {
	const char *path;       /* the scenario file, for the status line */
	/* The verdict of the finished world w in words, in buf; true when
	 * every expectation held.  The scenario's expectations live above
	 * this layer, so the command supplies it (NULL: the stop reason). */
	bool (*verdict)(void *ctx, World *w, char *buf, size_t n);
	void *verdict_ctx;
	/* The scenario's text, a line each, and the line of thread tid's
	 * current operation in world w (0: none); both from the scenario
	 * layer, through the command.  NULL: no source pane. */
	char *const *source;
	int nsource;
	int (*op_line)(void *ctx, const World *w, int tid);
	void *op_ctx;
	const char *description;        /* the scenario's leading comment, or NULL */
	/* b with a condition on the world, as an `expect` line writes it
	 * (`b.rcv.cc == 0`): parse gives an opaque condition, or NULL with
	 * why in err; holds tests it on a world.  NULL: no conditions. */
	void *(*cond_parse)(void *ctx, const char *text, char *err, size_t n);
	bool (*cond_holds)(void *ctx, const void *cond, World *w);
	void (*cond_free)(void *cond);
	void *cond_ctx;
	/* d: write buffer `which` of socket `sock` of world w at step `step`
	 * of `last` (prev: the world a step earlier, NULL at 0) as pictures; what was
	 * written, or why not, in msg.  NULL: no pictures. */
	bool (*dump)(void *ctx, const World *w, const World *prev, uint64_t step, uint64_t last, int sock,
	    int which, char *msg, size_t n);
	void *dump_ctx;
	/* the memory the run's checkpoints may take (seek.h; 0: the default,
	 * SEEK_MAX_BYTES_DEFAULT); past it they thin out */
	size_t max_checkpoint_bytes;
} TuiConfig;

typedef struct Tui Tui;

/* w at step 0; the controller owns it from now on. */
Tui *tui_new(World *w, const TuiConfig *cfg);
/* A saved JSONL trace (`sosim run --format jsonl`), read only: its events
 * step by step, without the worlds.  NULL with why in err. */
Tui *tui_open_trace(const char *path, char *err, size_t n);
void tui_free(Tui *t);

/* Go to step n (the last step when the run ends before it). */
void tui_goto(Tui *t, uint64_t n);
uint64_t tui_step(const Tui *t);
/* The last step, UINT64_MAX until known. */
uint64_t tui_last(const Tui *t);
bool tui_help_shown(const Tui *t);
bool tui_description_shown(const Tui *t);
/* The message the status line shows after the last key, "" none. */
const char *tui_message(const Tui *t);

TuiAction tui_handle_key(Tui *t, int key);
/* Draw the current frame into s, from scratch. */
void tui_draw(Tui *t, Screen *s);

#endif
