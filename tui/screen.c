/*
 * screen.c: the screen model (screen.h).
 */
#include "screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Screen *
screen_new(int w, int h)
{
	Screen *s = calloc(1, sizeof *s);

	if (s == NULL)
		abort();
	screen_resize(s, w, h);
	return s;
}

void
screen_free(Screen *s)
{
	if (s == NULL)
		return;
	free(s->cells);
	free(s);
}

void
screen_resize(Screen *s, int w, int h)
{
	free(s->cells);
	s->w = w > 0 ? w : 0;
	s->h = h > 0 ? h : 0;
	/* one cell more, so that an empty screen still has an array */
	s->cells = calloc((size_t)s->w * (size_t)s->h + 1, sizeof *s->cells);
	if (s->cells == NULL)
		abort();
	screen_clear(s);
}

void
screen_clear(Screen *s)
{
	for (int i = 0; i < s->w * s->h; i++)
		s->cells[i] = (Cell){ ' ', AT_NORM, C_NONE };
}

int
screen_put(Screen *s, int row, int col, int maxw, uint8_t attr, uint8_t color, const char *text)
{
	int n = 0;

	if (row < 0 || row >= s->h)
		return 0;
	for (; *text != '\0' && (maxw < 0 || n < maxw); text++, n++) {
		Cell *c = screen_cell(s, row, col + n);
		char ch = *text;

		if (col + n >= s->w)
			break;
		if (c == NULL)
			continue;       /* left of the screen: clipped */
		if ((unsigned char)ch < ' ' || (unsigned char)ch > '~')
			ch = '?';
		*c = (Cell){ ch, attr, color };
	}
	return n;
}

int
screen_printf(Screen *s, int row, int col, int maxw, uint8_t attr, uint8_t color, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return screen_put(s, row, col, maxw, attr, color, buf);
}

void
screen_fill(Screen *s, int row, int col, int n, char ch, uint8_t attr, uint8_t color)
{
	for (int i = 0; i < n; i++) {
		Cell *c = screen_cell(s, row, col + i);

		if (c != NULL)
			*c = (Cell){ ch, attr, color };
	}
}

void
screen_style(Screen *s, int row, int col, int n, uint8_t attr, uint8_t color)
{
	for (int i = 0; i < n; i++) {
		Cell *c = screen_cell(s, row, col + i);

		if (c != NULL) {
			c->attr = attr;
			c->color = color;
		}
	}
}

char *
screen_row(const Screen *s, int row)
{
	char *line = malloc((size_t)s->w + 1);
	int n = 0;

	if (line == NULL)
		abort();
	if (row >= 0 && row < s->h)
		for (int i = 0; i < s->w; i++) {
			line[i] = s->cells[row * s->w + i].ch;
			if (line[i] != ' ')
				n = i + 1;
		}
	line[n] = '\0';
	return line;
}

char *
screen_dump(const Screen *s)
{
	size_t cap = ((size_t)s->w + 1) * (size_t)s->h + 1, len = 0;
	char *out = malloc(cap);

	if (out == NULL)
		abort();
	for (int r = 0; r < s->h; r++) {
		char *line = screen_row(s, r);
		size_t n = strlen(line);

		memcpy(out + len, line, n);
		len += n;
		out[len++] = '\n';
		free(line);
	}
	out[len] = '\0';
	return out;
}

bool
screen_has(const Screen *s, const char *text)
{
	for (int r = 0; r < s->h; r++) {
		char *line = screen_row(s, r);
		bool found = strstr(line, text) != NULL;

		free(line);
		if (found)
			return true;
	}
	return false;
}
