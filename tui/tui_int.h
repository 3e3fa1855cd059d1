/*
 * tui_int.h: what the controller's files share (tui.c: keys and moves;
 * log.c: stepping a copy of the run to read its events; stops.c:
 * breakpoints and the search; tracefile.c: a saved JSONL trace).
 */
#ifndef SOSIM_TUI_INT_H
#define SOSIM_TUI_INT_H

#include <glib.h>

#include "seek.h"
#include "tui.h"
#include "view.h"

#define TUI_MAX_THREADS (WORLD_MAX_THREADS + TK__COUNT)
#define TUI_MAX_BREAKS 8
/* The event log around step N: the events of steps N-LOG_BACK .. N+LOG_AHEAD. */
#define LOG_BACK 16
#define LOG_AHEAD 8

/* One event, as breakpoints and the search read it (live or from a file). */
typedef struct {
	int kind;               /* SimEventKind */
	const char *routine;    /* EVK_STEP: who was picked */
	const char *to;         /* EVK_TRANS: the new state, else NULL */
	const char *text;       /* its line(s) as the text trace writes them, or NULL */
} EvInfo;

typedef enum { BK_KIND, BK_THREAD, BK_ROUTINE, BK_STATE, BK_COND } BreakType;

typedef struct {
	BreakType type;
	int kind;               /* BK_KIND */
	char name[48];          /* the thread, the routine, the machine */
	char state[48];         /* BK_STATE */
	bool machine;           /* BK_ROUTINE: a machine (stops where it is entered) */
	void *cond;             /* BK_COND: from TuiConfig.cond_parse */
	char text[96];          /* as it was typed */
} Break;

/* What the controller is reading from the user at the status line. */
typedef enum { PR_NONE, PR_GOTO, PR_BREAK, PR_SEARCH } Prompt;

struct Tui {
	TuiConfig cfg;
	Seeker *sk;             /* the run; NULL when viewing a saved trace */
	uint64_t step;
	uint64_t last;          /* the run's last step, once anything reached it */
	World *prev;            /* the world at step - 1, NULL at 0 */
	GArray *log;            /* LogLine: the event log (around the step, or the whole trace) */
	char *verdict;          /* once the end of the run was seen */
	bool verdict_ok;
	bool help;
	bool describe;          /* i: the scenario's description is up */
	int sel;                /* the buffer drawn as a chain (ViewState.sel) */
	bool pinned;            /* chosen with j/k; else it follows the changes */
	int tsel;               /* the selected thread: 0..nthreads-1, nthreads for softnet */
	PaneId focus;
	int log_scroll, src_scroll;
	int log_xoff, src_xoff; /* h/l: the events and the text moved left */
	Prompt prompt;
	char input[96];
	char prompt_text[160];
	char message[200];
	int ran;                /* who ran this step (the step event's) */
	int op_lines[TUI_MAX_THREADS];  /* for the source pane, by thread */
	Break breaks[TUI_MAX_BREAKS];
	int nbreaks;
	char search[96];        /* the last search, "" none */
	char search_said[100];  /* how a stop at it is said: /TEXT */
	char why[128];          /* what the last scan stopped at (a breakpoint as typed) */
	char stops_text[400];   /* the breakpoints and the search, for the view */
	/* a saved trace (tracefile.c) */
	GArray *steps;          /* guint: the first line of each step in log, by step */
	char *trace_title;      /* profile, quirks, what the header says */
};

/* log.c */
void log_clear(GArray *log);
/* The events of steps around n, the world before n (t->prev), who ran n,
 * and the verdict if the end of the run was reached; the seeker at n. */
void log_window(Tui *t, uint64_t n);
/* What a scan stops at besides a thread's steps: bits. */
enum { SCAN_BREAKS = 1, SCAN_SEARCH = 2 };
/* The nearest step after (dir > 0) or before (dir < 0) the current one
 * where thread `thread` (not NULL) was picked to run, or where a
 * breakpoint or the search matches (as `stops` says): true and *at. */
bool log_scan(Tui *t, int dir, const char *thread, int stops, uint64_t *at);

/* stops.c */
/* Parse what was typed after b; false with why in err. */
bool break_parse(Tui *t, const char *text, Break *b, char *err, size_t n);
void break_free(Tui *t, Break *b);
/* Whether event e is where b (an event breakpoint) stops. */
bool break_matches(const Break *b, const EvInfo *e);
/* Whether the search pat is in text (case does not matter). */
bool search_matches(const char *pat, const char *text);
/* The breakpoint of t other than a condition (with SCAN_BREAKS) or the
 * search (with SCAN_SEARCH) that matches e, as typed; NULL: none. */
const char *stops_match_event(const Tui *t, const EvInfo *e, int stops);
void stops_describe(Tui *t);

/* tracefile.c: fill t->log and t->steps from a JSONL trace */
bool tracefile_load(Tui *t, const char *path, char *err, size_t n);

#endif
