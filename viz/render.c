/*
 * render.c: a view out to a file: dot text as libcgraph writes it, or
 * laid out by dot and rendered in this process by libgvc (SVG, PNG, PDF),
 * so no `dot` program need be installed to make a picture.
 */
#include "viz_int.h"

#include <graphviz/gvc.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *ext;
	VizFormat format;
	const char *renderer;   /* libgvc's name for it */
} formats[] = {
	{ ".dot", VIZ_DOT, NULL },
	{ ".gv", VIZ_DOT, NULL },
	{ ".svg", VIZ_SVG, "svg" },
	{ ".png", VIZ_PNG, "png" },
	{ ".pdf", VIZ_PDF, "pdf" },
};

const char viz_format_list[] = ".dot, .gv, .svg, .png or .pdf";

VizFormat
viz_format_for(const char *path)
{
	const char *dot;

	if (path == NULL || strcmp(path, "-") == 0)
		return VIZ_DOT;
	dot = strrchr(path, '.');
	if (dot == NULL || strchr(dot, '/') != NULL)
		return VIZ_UNKNOWN;
	for (size_t i = 0; i < G_N_ELEMENTS(formats); i++)
		if (g_ascii_strcasecmp(dot, formats[i].ext) == 0)
			return formats[i].format;
	return VIZ_UNKNOWN;
}

bool
viz_write(Agraph_t *g, VizFormat f, FILE *fp)
{
	const char *renderer = NULL;
	Agraph_t *copy;
	GVC_t *gvc;
	FILE *text;
	char *buf = NULL;
	size_t len = 0;
	bool ok;

	if (f == VIZ_DOT)
		return agwrite(g, fp) != EOF;
	for (size_t i = 0; i < G_N_ELEMENTS(formats); i++)
		if (formats[i].format == f)
			renderer = formats[i].renderer;
	if (renderer == NULL)
		return false;
	/*
	 * Lay out the graph as read back from its dot text, not the one
	 * built in memory: then a picture is the one `dot` makes of the .dot
	 * file, and Graphviz 2.43 lays the two out differently (edges listed
	 * in the order made, not grouped by tail, draw some edges between
	 * neighbours as a dot).
	 */
	if ((text = open_memstream(&buf, &len)) == NULL)
		return false;
	ok = agwrite(g, text) != EOF;
	if (fclose(text) != 0 || !ok) {
		free(buf);
		return false;
	}
	text = fmemopen(buf, len, "r");
	copy = text != NULL ? agread(text, &viz_disc) : NULL;
	if (text != NULL)
		fclose(text);
	free(buf);
	if (copy == NULL)
		return false;
	/* Graphviz's warnings about its spline routing are nothing a reader
	 * of the picture can act on; its errors still show */
	agseterr(AGERR);
	gvc = gvContext();
	ok = gvLayout(gvc, copy, "dot") == 0;
	if (ok) {
		ok = gvRender(gvc, copy, renderer, fp) == 0;
		gvFreeLayout(gvc, copy);
	}
	agclose(copy);
	gvFreeContext(gvc);
	return ok;
}
