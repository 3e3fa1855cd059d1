/*
 * term.c: blitting the screen model to ncurses, and reading keys (term.h).
 *
 * Colours are optional: with NO_COLOR set or a monochrome terminal only
 * the attributes show, and view.c gives everything that matters one.
 * The terminal is restored on every way out: endwin() on return, and a
 * handler for the signals that end a process, which restores it and then
 * dies of the same signal as it would have.
 */
#include "term.h"
#include "view.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t curses_on;

static void
on_fatal(int sig)
{
	if (curses_on)
		endwin();
	curses_on = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

static bool use_color;
/* box lines as Unicode in a UTF-8 locale, else plain ASCII */
static bool use_utf8;

static void
colors_init(void)
{
	const char *nc = getenv("NO_COLOR");

	use_color = has_colors() && (nc == NULL || *nc == '\0');
	if (!use_color)
		return;
	start_color();
	use_default_colors();
	init_pair(C_CHANGED, COLOR_YELLOW, -1);
	init_pair(C_BAD, COLOR_RED, -1);
	init_pair(C_GOOD, COLOR_GREEN, -1);
	init_pair(C_TITLE, COLOR_CYAN, -1);
	init_pair(C_SLEEP, COLOR_BLUE, -1);
}

static chtype
cell_ch(const Cell *c)
{
	chtype ch = (chtype)(unsigned char)c->ch;

	if (c->attr & AT_BOLD)
		ch |= A_BOLD;
	if (c->attr & AT_REV)
		ch |= A_REVERSE;
	if (c->attr & AT_DIM)
		ch |= A_DIM;
	if (use_color && c->color != C_NONE)
		ch |= COLOR_PAIR(c->color);
	return ch;
}

/* A box line's glyph in UTF-8, or NULL for the cell's own character. */
static const char *
line_glyph(const Cell *c)
{
	if (!(c->attr & AT_LINE) || !use_utf8)
		return NULL;
	switch (c->ch) {
	case '-': return "\u2500";
	case '|': return "\u2502";
	case '+': return "\u252c";
	}
	return NULL;
}

static void
blit(const Screen *s)
{
	for (int r = 0; r < s->h; r++) {
		move(r, 0);
		for (int c = 0; c < s->w; c++) {
			/* the bottom-right cell would scroll some terminals */
			if (r == s->h - 1 && c == s->w - 1)
				break;
			const Cell *cell = &s->cells[r * s->w + c];
			const char *g = line_glyph(cell);

			if (g != NULL) {
				attrset(cell_ch(cell) & ~A_CHARTEXT);
				addstr(g);
				attrset(A_NORMAL);
			} else
				addch(cell_ch(cell));
		}
	}
	move(s->h - 1, 0);
	refresh();
}

static int
map_key(int k)
{
	switch (k) {
	/* Find and Select: what vt220-style terminals (tmux, screen) send
	 * for Home and End, read through an xterm description */
	case KEY_HOME: case KEY_FIND: return TUI_KEY_HOME;
	case KEY_END: case KEY_SELECT: return TUI_KEY_END;
	case KEY_ENTER: case '\n': case '\r': return TUI_KEY_ENTER;
	case 27: return TUI_KEY_ESCAPE;
	case KEY_BACKSPACE: case 127: case 8: return TUI_KEY_BACKSPACE;
	case 12: return TUI_KEY_REDRAW;         /* Ctrl-L */
	case '\t': return TUI_KEY_TAB;
	case KEY_BTAB: return TUI_KEY_BACKTAB;
	case KEY_UP: return TUI_KEY_UP;
	case KEY_DOWN: return TUI_KEY_DOWN;
	case KEY_PPAGE: return TUI_KEY_PGUP;
	case KEY_NPAGE: return TUI_KEY_PGDN;
	case KEY_LEFT: return TUI_KEY_LEFT;
	case KEY_RIGHT: return TUI_KEY_RIGHT;
	}
	return k;
}

int
term_run(Tui *t)
{
	struct sigaction sa;
	Screen *s;
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	/* a short Escape: the g prompt's cancel should not lag */
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(50);
	/* box lines in UTF-8 where the locale says so (ACS through smacs
	 * reads as "qqq" in a pane tmux captures); in another locale plain
	 * ASCII, which every terminal shows */
	setlocale(LC_ALL, "");
	use_utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (initscr() == NULL) {
		fputs("sosim tui: cannot set up the terminal\n", stderr);
		return 1;
	}
	curses_on = 1;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	/* Home and End as terminals send them whatever TERM says (tmux and
	 * screen send ESC [1~ and ESC [4~, xterm ESC [H and ESC [F, or ESC O
	 * in application mode); ncurses knows only its description's */
	{
		static const struct { const char *seq; int key; } keys[] = {
			{ "\033[1~", KEY_HOME }, { "\033[4~", KEY_END }, { "\033[7~", KEY_HOME },
			{ "\033[8~", KEY_END }, { "\033[H", KEY_HOME }, { "\033[F", KEY_END },
			{ "\033OH", KEY_HOME }, { "\033OF", KEY_END },
		};

		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (key_defined(keys[i].seq) == 0)
				define_key(keys[i].seq, keys[i].key);
	}
	curs_set(0);
	colors_init();
	s = screen_new(COLS, LINES);
	for (;;) {
		int k;

		if (s->w != COLS || s->h != LINES)
			screen_resize(s, COLS, LINES);
		tui_draw(t, s);
		blit(s);
		k = getch();
		if (k == KEY_RESIZE || k == ERR)
			continue;       /* redraws at the new size */
		k = map_key(k);
		/* a terminal too small to show the run takes q only: a key
		 * pressed blind would move the run out of sight */
		if ((s->w < VIEW_MIN_W || s->h < VIEW_MIN_H) && k != 'q')
			continue;
		switch (tui_handle_key(t, k)) {
		case TUI_QUIT:
			goto out;
		case TUI_REPAINT:
			clearok(curscr, TRUE);
			break;
		case TUI_GO_ON:
			break;
		}
	}
out:
	screen_free(s);
	endwin();
	curses_on = 0;
	return 0;
}
