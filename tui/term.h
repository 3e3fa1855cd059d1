/*
 * term.h: the terminal side of `sosim tui` (term.c): ncurses, keys,
 * colours, resizes and signals.  The only file that knows ncurses.
 */
#ifndef SOSIM_TUI_TERM_H
#define SOSIM_TUI_TERM_H

#include "tui.h"

/* Run the viewer on the terminal until q; restores the terminal on
 * every way out (signals too).  0, or 1 if the terminal could not be
 * set up (said on stderr). */
int term_run(Tui *t);

#endif
