/*
 * screen.h: the screen model of `sosim tui` (screen.c).
 *
 * Everything the viewer draws goes into a grid of cells, each a plain
 * character and its look; only term.c knows ncurses and copies the grid
 * to the terminal.  So the drawing code is tested without a terminal:
 * the tests draw into a model and read it back as text.
 */
#ifndef SOSIM_TUI_SCREEN_H
#define SOSIM_TUI_SCREEN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a cell looks: bits. */
enum {
	AT_NORM = 0,
	AT_BOLD = 0x01,
	AT_REV = 0x02,           /* reverse video: bars, the current event */
	AT_DIM = 0x04,
	AT_LINE = 0x08,          /* '-', '|', '+' are box lines (term.c: ACS) */
};

/* What a cell means, for colour; a monochrome terminal shows only the
 * attributes, so every class also has one (view.c sets both). */
enum {
	C_NONE,
	C_CHANGED,              /* changed at this step */
	C_BAD,                  /* an error, a violation, a failed verdict */
	C_GOOD,                 /* a verdict that held */
	C_TITLE,                /* pane titles */
	C_SLEEP,                /* a sleeping thread */
	C__COUNT
};

typedef struct {
	char ch;
	uint8_t attr;
	uint8_t color;
} Cell;

typedef struct {
	int w, h;
	Cell *cells;
} Screen;

Screen *screen_new(int w, int h);
void screen_free(Screen *s);
/* A new size; the contents are cleared. */
void screen_resize(Screen *s, int w, int h);
void screen_clear(Screen *s);
static inline Cell *
screen_cell(Screen *s, int row, int col)
{
	return row >= 0 && row < s->h && col >= 0 && col < s->w ? &s->cells[row * s->w + col] : NULL;
}

/* Text at (row, col), cut at the right edge (and at maxw cells when
 * maxw >= 0); the columns it took.  Control characters show as '?'. */
int screen_put(Screen *s, int row, int col, int maxw, uint8_t attr, uint8_t color, const char *text);
int screen_printf(Screen *s, int row, int col, int maxw, uint8_t attr, uint8_t color,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* n cells of ch from (row, col). */
void screen_fill(Screen *s, int row, int col, int n, char ch, uint8_t attr, uint8_t color);
/* Give n cells from (row, col) this look, keeping their characters. */
void screen_style(Screen *s, int row, int col, int n, uint8_t attr, uint8_t color);

/* The text of the model, a line per row without trailing blanks (free). */
char *screen_dump(const Screen *s);
/* The text of one row (free). */
char *screen_row(const Screen *s, int row);
/* Whether the model shows text anywhere (within one row). */
bool screen_has(const Screen *s, const char *text);

#endif
