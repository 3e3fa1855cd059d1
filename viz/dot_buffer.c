/*
 * dot_buffer.c: socket buffers as TCP/IP Illustrated Vol. 2 (ch. 16) and
 * the 4.4BSD book draw them.
 *
 * Each buffer is a box: its sockbuf header on the left, with sb_mb,
 * sb_lastrecord and sb_mbtail arrows to the mbufs they name; each record
 * a row (a rank=same subgraph), m_next arrows left to right along it and
 * m_nextpkt arrows from one record's first mbuf down to the next; under
 * a row the clusters its mbufs use, each drawn once with an arrow from
 * every mbuf that shares it.  An mbuf is a table of its header fields
 * with a bar for its storage: the part m_data..m_data+m_len filled.
 *
 * What the step changed is red: mbufs new in the buffer (filled), values
 * that changed (with the old value), and a line naming the operations
 * the step did and the mbufs that left.  The world one step earlier
 * (VizView.prev) is the reference: mbufs are the same mbuf when their
 * handles are equal, as a clone keeps them.
 */
#include "viz_int.h"

#include <string.h>

/* How much of one buffer is drawn: a broken chain (a cycle at a step with
 * a violation) must not draw forever. */
#define MAX_MBUFS_DRAWN 2000
#define BAR_WIDTH 150            /* points: the storage bar of every mbuf */
#define ROW_MBUFS 8              /* mbufs in a row before a record wraps */

static const VizBit sb_flag_names[] = {
	{ SB_LOCK, "SB_LOCK" }, { SB_WANT, "SB_WANT" }, { SB_WAIT, "SB_WAIT" },
	{ SB_SEL, "SB_SEL" }, { SB_ASYNC, "SB_ASYNC" }, { SB_UPCALL, "SB_UPCALL" },
	{ SB_NOINTR, "SB_NOINTR" }, { SB_SPLICE, "SB_SPLICE" },
};

static const VizBit m_flag_names[] = {
	{ M_EXT, "M_EXT" }, { M_PKTHDR, "M_PKTHDR" }, { M_EOR, "M_EOR" },
};

static const char *const which_names[2] = { "rcv", "snd" };

/* One cluster box: drawn once, however many mbufs point at it. */
typedef struct {
	Ref ref;
	Agnode_t *node;
	Agraph_t *home;         /* the buffer's graph it is drawn in */
	int arrows;
} ClusterBox;

typedef struct {
	const VizView *v;
	Agraph_t *g;
	GHashTable *clusters;   /* packed handle -> ClusterBox */
	GPtrArray *order;       /* the ClusterBoxes in the order drawn */
} Ctx;

static uint64_t
ref_key(Ref r)
{
	return (uint64_t)r.i << 32 | r.g;
}

static const char *
mt_name(int type)
{
	switch (type) {
	case MT_DATA: return "MT_DATA";
	case MT_HEADER: return "MT_HEADER";
	case MT_SONAME: return "MT_SONAME";
	case MT_CONTROL: return "MT_CONTROL";
	case MT_OOBDATA: return "MT_OOBDATA";
	case MT_FREE: return "MT_FREE";
	}
	return "MT_?";
}

static const char *
mt_colour(int type)
{
	switch (type) {
	case MT_DATA: return "#dbe9f6";
	case MT_HEADER: return "#c6dbef";
	case MT_SONAME: return "#fff2b3";
	case MT_CONTROL: return "#fdd9b5";
	case MT_OOBDATA: return "#f4cccc";
	}
	return "#eeeeee";
}

/* The handles of every mbuf in a buffer, and their m_len, for comparing. */
static GHashTable *
chain_refs(const World *w, const Sockbuf *sb)
{
	GHashTable *h = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	int n = 0;

	for (Ref rec = sb->mb; !ref_null(rec) && n < MAX_MBUFS_DRAWN;) {
		const Mbuf *r = world_mbuf(w, rec);

		if (r == NULL)
			break;
		for (Ref mr = rec; !ref_null(mr) && n < MAX_MBUFS_DRAWN; n++) {
			const Mbuf *m = world_mbuf(w, mr);
			gint64 *k;
			Mbuf *copy;

			if (m == NULL || g_hash_table_contains(h, &(gint64){ (gint64)ref_key(mr) }))
				break;
			k = g_new(gint64, 1);
			*k = (gint64)ref_key(mr);
			copy = g_new(Mbuf, 1);
			*copy = *m;
			g_hash_table_insert(h, k, copy);
			mr = m->next;
		}
		rec = r->nextpkt;
	}
	return h;
}

/* The storage bar: the mbuf's storage to scale, the bytes it holds
 * filled.  A packet header mbuf keeps its header in the first
 * MLEN - MHLEN bytes of its storage (mbuf.c), drawn grey. */
static void
bar_cell(GString *s, int width, const char *colour, const char *title)
{
	if (width <= 0)
		return;
	g_string_append_printf(s, "<TD WIDTH=\"%d\" HEIGHT=\"12\" FIXEDSIZE=\"TRUE\" BGCOLOR=\"%s\""
	    " TITLE=\"%s\"></TD>", width, colour, title);
}

static void
storage_bar(GString *s, const World *w, const Mbuf *m)
{
	int64_t size = (m->flags & M_EXT) ? w->prof->mclbytes : w->prof->mlen;
	int64_t hdr = !(m->flags & M_EXT) && (m->flags & M_PKTHDR) ? w->prof->mlen - w->prof->mhlen : 0;
	int64_t off = m->off, len = m->len;
	int64_t lead, tail;
	int wh, wl, wd, wt;

	if (size <= 0)
		size = 1;
	off = CLAMP(off, 0, size);
	len = CLAMP(len, 0, size - off);
	hdr = MIN(hdr, off);
	lead = off - hdr;
	tail = size - off - len;
	/* to scale, but a part that is there is never thinner than 2 points */
	wh = hdr ? MAX(2, (int)(hdr * BAR_WIDTH / size)) : 0;
	wd = len ? MAX(2, (int)(len * BAR_WIDTH / size)) : 0;
	wl = lead ? MAX(2, (int)(lead * BAR_WIDTH / size)) : 0;
	wt = MAX(0, BAR_WIDTH - wh - wd - wl);
	if (tail > 0 && wt == 0)
		wt = 2;
	/* fixed size: a table in a wider cell would be stretched, and its
	 * parts no longer to scale */
	g_string_append_printf(s, "<TABLE BORDER=\"1\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"0\""
	    " FIXEDSIZE=\"TRUE\" WIDTH=\"%d\" HEIGHT=\"14\" BGCOLOR=\"white\"><TR>", BAR_WIDTH + 2);
	bar_cell(s, wh, "#bdbdbd", "pkthdr");
	bar_cell(s, wl, "white", "leading space");
	bar_cell(s, wd, (m->type == MT_DATA || m->type == MT_HEADER) ? "#4a86c5" :
	    m->type == MT_OOBDATA ? "#c0504d" : "#e0a030", "data");
	bar_cell(s, wt, "white", "trailing space");
	g_string_append(s, "</TR></TABLE>");
}

/* One row of an mbuf's table: a field and its value (changed: red). */
static void
field_row(GString *s, const char *name, const char *now, const char *before, bool changed)
{
	g_string_append(s, "<TR><TD ALIGN=\"LEFT\">");
	viz_esc(s, name);
	g_string_append(s, "</TD><TD ALIGN=\"RIGHT\">");
	viz_value(s, now, before, changed);
	g_string_append(s, "</TD></TR>");
}

/*
 * An mbuf as the book draws it: a table of its header with the pointer
 * fields the arrows leave from.  m_next is near the top, its arrow going
 * right to the next mbuf; m_nextpkt and m_ext are at the bottom, their
 * arrows going down to the next record (arriving at its title, port
 * "in") and to the cluster.
 */
static Agnode_t *
mbuf_node(Ctx *c, Agraph_t *row, const char *name, const Mbuf *m, const Mbuf *was, bool head)
{
	const World *w = c->v->w;
	Agnode_t *n = viz_node(row, name);
	GString *s = g_string_new(NULL);
	bool isnew = c->v->prev != NULL && was == NULL;
	bool changed = was != NULL && (was->len != m->len || was->off != m->off ||
	    was->flags != m->flags || was->pkt_len != m->pkt_len);
	bool ext = (m->flags & M_EXT) != 0;
	char a[32], b[32];
	int64_t size = ext ? w->prof->mclbytes : (m->flags & M_PKTHDR) ? w->prof->mhlen : w->prof->mlen;

	g_string_append_printf(s, "<TABLE BORDER=\"%d\" COLOR=\"%s\" CELLBORDER=\"0\" CELLSPACING=\"0\""
	    " CELLPADDING=\"2\" BGCOLOR=\"%s\">", isnew || changed ? 3 : 1,
	    isnew || changed ? VIZ_CHANGED : "black", isnew ? VIZ_NEW_FILL : "white");
	g_string_append_printf(s, "<TR><TD PORT=\"in\" COLSPAN=\"2\" BGCOLOR=\"%s\" ALIGN=\"LEFT\"><B>%s</B>",
	    mt_colour(m->type), mt_name(m->type));
	if (m->flags) {
		GString *f = g_string_new(NULL);

		viz_bits(f, m->flags, m_flag_names, G_N_ELEMENTS(m_flag_names));
		g_string_append(s, " ");
		viz_esc(s, f->str);
		g_string_free(f, TRUE);
	}
	if (isnew)
		g_string_append(s, " <FONT COLOR=\"" VIZ_CHANGED "\"><B>new</B></FONT>");
	g_string_append(s, "</TD></TR>");
	g_string_append_printf(s, "<TR><TD ALIGN=\"LEFT\">m_next</TD><TD PORT=\"next\" ALIGN=\"RIGHT\">%s</TD></TR>",
	    ref_null(m->next) ? "NULL" : "&#8226;");
	snprintf(a, sizeof a, "%u", m->len);
	snprintf(b, sizeof b, "%u", was ? was->len : 0);
	field_row(s, "m_len", a, b, was && was->len != m->len);
	snprintf(a, sizeof a, "+%u", m->off);
	snprintf(b, sizeof b, "+%u", was ? was->off : 0);
	field_row(s, "m_data", a, b, was && was->off != m->off);
	if (m->flags & M_PKTHDR) {
		snprintf(a, sizeof a, "%u", m->pkt_len);
		snprintf(b, sizeof b, "%u", was ? was->pkt_len : 0);
		field_row(s, "m_pkthdr.len", a, b, was && was->pkt_len != m->pkt_len);
	}
	g_string_append(s, "<TR><TD COLSPAN=\"2\">");
	storage_bar(s, w, m);
	g_string_append(s, "</TD></TR>");
	g_string_append_printf(s, "<TR><TD COLSPAN=\"2\"><FONT POINT-SIZE=\"9\">%u of %s %lld</FONT></TD></TR>",
	    m->len, ext ? "MCLBYTES" : (m->flags & M_PKTHDR) ? "MHLEN" : "MLEN", (long long)size);
	if (head || !ref_null(m->nextpkt) || ext) {
		g_string_append(s, "<TR>");
		if (head || !ref_null(m->nextpkt))
			g_string_append_printf(s, "<TD PORT=\"nextpkt\" ALIGN=\"LEFT\"%s>m_nextpkt %s</TD>",
			    ext ? "" : " COLSPAN=\"2\"", ref_null(m->nextpkt) ? "NULL" : "&#8226;");
		if (ext)
			g_string_append_printf(s, "<TD PORT=\"ext\" ALIGN=\"RIGHT\"%s>m_ext &#8226;</TD>",
			    head || !ref_null(m->nextpkt) ? "" : " COLSPAN=\"2\"");
		g_string_append(s, "</TR>");
	}
	g_string_append(s, "</TABLE>");
	viz_set(n, "shape", "plain");
	viz_set_html(n, "label", s->str);
	g_string_free(s, TRUE);
	return n;
}

/* The box of a cluster, made the first time an mbuf points at it, in the
 * graph of that mbuf's buffer; the arrow from this mbuf to it. */
static void
cluster_arrow(Ctx *c, Agraph_t *sub, Agnode_t *mn, const char *mname, Ref ext)
{
	gint64 key = (gint64)ref_key(ext);
	ClusterBox *cb = g_hash_table_lookup(c->clusters, &key);
	Agedge_t *e;

	if (viz_cluster(c->v->w, ext) == NULL)
		return;         /* stale: the invariants report it, the picture shows none */
	if (cb == NULL) {
		char *name = g_strdup_printf("%s_cl", mname);
		gint64 *k = g_new(gint64, 1);

		cb = g_new0(ClusterBox, 1);
		cb->ref = ext;
		cb->node = viz_node(sub, name);
		cb->home = sub;
		*k = key;
		g_hash_table_insert(c->clusters, k, cb);
		g_ptr_array_add(c->order, cb);
		g_free(name);
	}
	cb->arrows++;
	e = viz_edge(c->g, mn, cb->node);
	viz_set(e, "tailport", "ext:s");
	viz_set(e, "headport", "n");
	viz_set(e, "color", "#8c6d1f");
	viz_set(e, "arrowsize", "0.7");
	/* shared with a buffer drawn before (m_copym across the wire, a
	 * splice): an arrow that may not pull the buffers out of order, and
	 * drawn light, so the buffer's own structure stays in front */
	if (cb->home != sub) {
		viz_set(e, "constraint", "false");
		viz_set(e, "color", "#8c6d1f66");
		viz_set(e, "style", "dashed");
	}
}

/* Every cluster box's label, once all the arrows to it are known. */
static void
cluster_labels(Ctx *c)
{
	const World *w = c->v->w;

	for (guint i = 0; i < c->order->len; i++) {
		ClusterBox *cb = g_ptr_array_index(c->order, i);
		const Cluster *cl = viz_cluster(w, cb->ref);
		const Cluster *was = c->v->prev ? viz_cluster(c->v->prev, cb->ref) : NULL;
		bool isnew = c->v->prev != NULL && was == NULL;
		bool changed = was != NULL && was->refcnt != cl->refcnt;
		GString *s = g_string_new(NULL);
		char a[16], b[16];

		g_string_append_printf(s, "<TABLE BORDER=\"%d\" COLOR=\"%s\" CELLBORDER=\"0\" CELLSPACING=\"0\""
		    " CELLPADDING=\"2\" BGCOLOR=\"%s\">", isnew || changed ? 3 : 1,
		    isnew || changed ? VIZ_CHANGED : "#8c6d1f", isnew ? VIZ_NEW_FILL : "#fff6d5");
		g_string_append_printf(s, "<TR><TD><B>cluster</B> %d bytes%s</TD></TR>", w->prof->mclbytes,
		    isnew ? " <FONT COLOR=\"" VIZ_CHANGED "\"><B>new</B></FONT>" : "");
		snprintf(a, sizeof a, "%u", cl->refcnt);
		snprintf(b, sizeof b, "%u", was ? was->refcnt : 0);
		g_string_append(s, "<TR><TD>ext_refcnt ");
		viz_value(s, a, b, changed);
		g_string_append(s, "</TD></TR>");
		if (cl->refcnt > (uint32_t)cb->arrows)
			g_string_append_printf(s, "<TR><TD><FONT POINT-SIZE=\"9\">%u more not drawn here:<BR/>"
			    "a segment on the wire,<BR/>another buffer or a routine</FONT></TD></TR>",
			    cl->refcnt - (uint32_t)cb->arrows);
		g_string_append(s, "</TABLE>");
		viz_set(cb->node, "shape", "plain");
		viz_set_html(cb->node, "label", s->str);
		g_string_free(s, TRUE);
	}
}

static const char *
ptr_colour(int k)
{
	static const char *const colours[] = { "black", "#2ca02c", "#9467bd" };

	return colours[k];
}

/* The threads asleep on this buffer: in sbwait (sb_cc) or sblock (sb_flags). */
static void
sleepers(GString *s, const World *w, int sock, int which)
{
	bool any = false;

	for (int t = 0; t < w->nthreads; t++) {
		const Thread *th = world_thread(w, t);
		const char *on;

		if (th->state != TS_SLEEP)
			continue;
		if (th->wchan == CHAN(CH_SB_CC, sock, which))
			on = "sb_cc";
		else if (th->wchan == CHAN(CH_SB_FLAGS, sock, which))
			on = "sb_flags";
		else
			continue;
		g_string_append(s, any ? ", " : "");
		viz_escf(s, "%s on %s", thread_name(w, t), on);
		any = true;
	}
	if (!any)
		g_string_append(s, "nobody");
}

static void
header_row(GString *s, const char *name, const char *port, const char *colour, const char *value)
{
	g_string_append_printf(s, "<TR><TD ALIGN=\"LEFT\"><FONT COLOR=\"%s\">%s</FONT></TD>"
	    "<TD ALIGN=\"LEFT\"%s%s%s>%s</TD></TR>", colour, name, port ? " PORT=\"" : "",
	    port ? port : "", port ? "\"" : "", value);
}

/* The sockbuf header node: the struct's fields, changed ones red. */
static Agnode_t *
header_node(Ctx *c, Agraph_t *row, const char *name, int sock, int which, int gone, int64_t gone_bytes)
{
	const World *w = c->v->w;
	const Sockbuf *sb = viz_sockbuf(world_socket(w, sock), which);
	const Socket *pso = c->v->prev ? world_socket(c->v->prev, sock) : NULL;
	const Sockbuf *was = pso ? viz_sockbuf(pso, which) : NULL;
	Agnode_t *n = viz_node(row, name);
	GString *s = g_string_new(NULL), *v = g_string_new(NULL);
	const char *ops = viz_recorder_ops(c->v->rec, sock, which);
	const Ref *ptrs[3] = { &sb->mb, &sb->lastrecord, &sb->mbtail };
	const Ref *wptrs[3] = { was ? &was->mb : NULL, was ? &was->lastrecord : NULL, was ? &was->mbtail : NULL };
	static const char *const pnames[3] = { "sb_mb", "sb_lastrecord", "sb_mbtail" };
	static const char *const ports[3] = { "mb", "lastrecord", "mbtail" };
	bool changed = false;
	char a[64], b[64], x[16], y[16];

	g_string_append(s, "<TABLE BORDER=\"1\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"3\" BGCOLOR=\"#f7f7f7\">");
	g_string_append(s, "<TR><TD COLSPAN=\"2\" BGCOLOR=\"#d9d9d9\"><B>");
	viz_escf(s, "%s.so_%s", sock_name(w, sock), which_names[which]);
	g_string_append(s, "</B> (struct sockbuf)</TD></TR>");
#define ROW(label, fmt_now, fmt_was, differs) do { \
		g_string_truncate(v, 0); \
		viz_value(v, fmt_now, fmt_was, (differs)); \
		changed |= (differs); \
		header_row(s, label, NULL, "black", v->str); \
	} while (0)
	snprintf(a, sizeof a, "%s / %s", viz_bytes(x, sizeof x, sb->cc), viz_bytes(y, sizeof y, sb->hiwat));
	snprintf(b, sizeof b, "%s / %s", was ? viz_bytes(x, sizeof x, was->cc) : "",
	    was ? viz_bytes(y, sizeof y, was->hiwat) : "");
	ROW("sb_cc / sb_hiwat", a, b, was && (was->cc != sb->cc || was->hiwat != sb->hiwat));
	snprintf(a, sizeof a, "%s / %s", viz_bytes(x, sizeof x, sb->mbcnt), viz_bytes(y, sizeof y, sb->mbmax));
	snprintf(b, sizeof b, "%s / %s", was ? viz_bytes(x, sizeof x, was->mbcnt) : "",
	    was ? viz_bytes(y, sizeof y, was->mbmax) : "");
	ROW("sb_mbcnt / sb_mbmax", a, b, was && (was->mbcnt != sb->mbcnt || was->mbmax != sb->mbmax));
	snprintf(a, sizeof a, "%lld", (long long)sb->lowat);
	snprintf(b, sizeof b, "%lld", was ? (long long)was->lowat : 0);
	ROW("sb_lowat", a, b, was && was->lowat != sb->lowat);
	{
		GString *f = g_string_new(NULL), *fw = g_string_new(NULL);

		viz_bits(f, sb->flags, sb_flag_names, G_N_ELEMENTS(sb_flag_names));
		if (sb->flags & SB_LOCK)
			g_string_append_printf(f, " (%s)", sb->lock_owner >= 0 ?
			    thread_name(w, sb->lock_owner) : "kernel");
		if (was)
			viz_bits(fw, was->flags, sb_flag_names, G_N_ELEMENTS(sb_flag_names));
		ROW("sb_flags", f->str, fw->str, was && was->flags != sb->flags);
		g_string_free(f, TRUE);
		g_string_free(fw, TRUE);
	}
#undef ROW
	for (int k = 0; k < 3; k++) {
		bool moved = wptrs[k] != NULL && !ref_eq(*wptrs[k], *ptrs[k]);

		g_string_truncate(v, 0);
		if (ref_null(*ptrs[k]))
			g_string_append(v, moved ? "<FONT COLOR=\"" VIZ_CHANGED "\"><B>NULL</B></FONT>" : "NULL");
		else
			g_string_append(v, moved ? "<FONT COLOR=\"" VIZ_CHANGED "\"><B>&#8226; moved</B></FONT>" :
			    "&#8226;");
		changed |= moved;
		header_row(s, pnames[k], ports[k], ptr_colour(k), v->str);
	}
	g_string_truncate(v, 0);
	sleepers(v, w, sock, which);
	g_string_append(s, "<TR><TD ALIGN=\"LEFT\">asleep on it</TD><TD ALIGN=\"LEFT\">");
	viz_esc(s, v->str);
	g_string_append(s, "</TD></TR>");
	if (ops != NULL) {
		g_string_append(s, "<TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\"><FONT COLOR=\"" VIZ_CHANGED "\">this step: ");
		viz_esc(s, ops);
		g_string_append(s, "</FONT></TD></TR>");
		changed = true;
	}
	if (gone > 0) {
		g_string_append_printf(s, "<TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\"><FONT COLOR=\"" VIZ_CHANGED "\">"
		    "left the buffer this step: %d mbuf%s, %lld bytes</FONT></TD></TR>", gone,
		    gone == 1 ? "" : "s", (long long)gone_bytes);
		changed = true;
	}
	g_string_append(s, "</TABLE>");
	viz_set(n, "shape", "plain");
	viz_set_html(n, "label", s->str);
	if (changed)
		viz_set(n, "tooltip", "changed at this step");
	g_string_free(s, TRUE);
	g_string_free(v, TRUE);
	return n;
}

static void
pointer_arrow(Ctx *c, Agnode_t *hdr, Agnode_t *to, int k, bool first)
{
	static const char *const labels[3] = { "sb_mb", "sb_lastrecord", "sb_mbtail" };
	static const char *const ports[3] = { "mb:e", "lastrecord:e", "mbtail:e" };
	Agedge_t *e = viz_edge(c->g, hdr, to);

	viz_set(e, "tailport", ports[k]);
	/* sb_mb straight across to the first record, sb_lastrecord to the
	 * last from the left too, but from above when that is the first:
	 * two arrows, two labels, two places */
	viz_set(e, "headport", k == 0 || (k == 1 && !first) ? "in:w" : "in:n");
	/* at the head: a label on an edge within a row would push a node
	 * for it into the rank above and scramble the row */
	viz_set(e, "headlabel", labels[k]);
	viz_set(e, "labelfontsize", "9");
	viz_set(e, "color", ptr_colour(k));
	viz_set(e, "fontcolor", ptr_colour(k));
	if (k > 0) {
		/* only sb_mb places the first record beside the header */
		viz_set(e, "constraint", "false");
		viz_set(e, "style", "dashed");
	}
}

/* An invisible edge that puts `to` `minlen` ranks below `from`, in line. */
static void
below(Ctx *c, Agnode_t *from, Agnode_t *to, int minlen)
{
	Agedge_t *e = viz_edge(c->g, from, to);

	viz_set(e, "style", "invis");
	viz_setf(e, "minlen", "%d", minlen);
	viz_set(e, "weight", "10");
}

/*
 * One buffer, in graph sub: the header, then the records row by row, a
 * record longer than ROW_MBUFS mbufs wrapping onto the rows below.  The
 * rows are placed by invisible edges from the first node of a row to the
 * first of the next (a row with clusters takes two ranks: the clusters
 * hang below it); the arrows a reader follows, m_nextpkt down and an
 * m_next that wraps, then place nothing.  Returns the ranks it takes, and
 * its header in *header.
 */
static int
draw_buffer(Ctx *c, Agraph_t *sub, int sock, int which, Agnode_t **header)
{
	const World *w = c->v->w;
	const Sockbuf *sb = viz_sockbuf(world_socket(w, sock), which);
	const Socket *pso = c->v->prev ? world_socket(c->v->prev, sock) : NULL;
	GHashTable *before = pso ? chain_refs(c->v->prev, viz_sockbuf(pso, which)) : NULL;
	GHashTable *seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	Agnode_t *hdr, *prev_head = NULL, *row_first, *targets[3] = { NULL, NULL, NULL };
	Agraph_t *row;
	char base[48], name[96];
	int gone = 0, r = 0, drawn = 0, rows = 0, ranks = 0;
	int64_t gone_bytes = 0;
	bool row_clusters = false;

	snprintf(base, sizeof base, "s%d_%s", sock, which_names[which]);
	/* the mbufs that left: in the buffer a step ago, not now */
	if (before != NULL) {
		GHashTable *now = chain_refs(w, sb);
		GHashTableIter it;
		gpointer k, val;

		g_hash_table_iter_init(&it, before);
		while (g_hash_table_iter_next(&it, &k, &val))
			if (!g_hash_table_contains(now, k)) {
				gone++;
				gone_bytes += ((const Mbuf *)val)->len;
			}
		g_hash_table_destroy(now);
	}
	snprintf(name, sizeof name, "%s_row0", base);
	row = viz_subgraph(sub, name);
	viz_set(row, "rank", "same");
	hdr = row_first = header_node(c, row, base, sock, which, gone, gone_bytes);

	for (Ref rec = sb->mb; !ref_null(rec) && drawn < MAX_MBUFS_DRAWN; r++) {
		const Mbuf *rm = world_mbuf(w, rec);
		Agnode_t *left = NULL;
		int k = 0;

		if (rm == NULL)
			break;
		for (Ref mr = rec; !ref_null(mr) && drawn < MAX_MBUFS_DRAWN; k++, drawn++) {
			const Mbuf *m = world_mbuf(w, mr);
			gint64 key = (gint64)ref_key(mr), *kp;
			const Mbuf *was = before ? g_hash_table_lookup(before, &key) : NULL;
			bool new_row = k % ROW_MBUFS == 0 && !(r == 0 && k == 0);
			Agnode_t *n;
			Agedge_t *e;

			if (m == NULL || g_hash_table_contains(seen, &key))
				break;
			kp = g_new(gint64, 1);
			*kp = key;
			g_hash_table_add(seen, kp);
			if (new_row) {
				ranks += row_clusters ? 2 : 1;
				snprintf(name, sizeof name, "%s_row%d", base, ++rows);
				row = viz_subgraph(sub, name);
				viz_set(row, "rank", "same");
			}
			snprintf(name, sizeof name, "%s_r%d_m%d", base, r, k);
			n = mbuf_node(c, row, name, m, was, k == 0);
			if (new_row) {
				below(c, row_first, n, row_clusters ? 2 : 1);
				row_first = n;
				row_clusters = false;
			}
			if (k == 0) {
				if (prev_head != NULL) {
					e = viz_edge(c->g, prev_head, n);
					viz_set(e, "tailport", "nextpkt:s");
					viz_set(e, "headport", "in:n");
					viz_set(e, "color", "#1f4e99");
					viz_set(e, "penwidth", "1.5");
					viz_set(e, "constraint", "false");
				}
				prev_head = n;
			} else {
				e = viz_edge(c->g, left, n);
				viz_set(e, "tailport", "next:e");
				viz_set(e, "headport", "in:w");
				if (new_row)
					viz_set(e, "constraint", "false");   /* wraps to the row below */
			}
			if (ref_eq(mr, sb->mb))
				targets[0] = n;
			if (ref_eq(mr, sb->lastrecord))
				targets[1] = n;
			if (ref_eq(mr, sb->mbtail))
				targets[2] = n;
			if (m->flags & M_EXT) {
				cluster_arrow(c, sub, n, name, m->ext);
				row_clusters = true;
			}
			left = n;
			mr = m->next;
		}
		rec = rm->nextpkt;
	}
	ranks += row_clusters ? 2 : 1;
	if (drawn >= MAX_MBUFS_DRAWN) {
		Agnode_t *more;

		snprintf(name, sizeof name, "%s_more", base);
		more = viz_node(sub, name);
		viz_setf(more, "label", "only the first %d mbufs are drawn", MAX_MBUFS_DRAWN);
		viz_set(more, "shape", "note");
		below(c, row_first, more, row_clusters ? 2 : 1);
		ranks++;
	}
	for (int k = 0; k < 3; k++)
		if (targets[k] != NULL)
			pointer_arrow(c, hdr, targets[k], k, targets[k] == targets[0]);
	if (before != NULL)
		g_hash_table_destroy(before);
	g_hash_table_destroy(seen);
	*header = hdr;
	return ranks;
}

/*
 * Sockets one below the other, each a box with its buffers side by side:
 * a row of every socket's buffers would be as wide as all their chains.
 * An invisible edge from the socket above to each header of the next
 * puts the next below the last rank the one above takes.
 */
Agraph_t *
viz_buffers(const VizView *v, int sock, int which)
{
	const World *w = v->w;
	Agraph_t *g = viz_graph("sockbufs", "TB");
	Ctx c = { v, g, NULL, NULL };
	Agnode_t *above = NULL;
	int above_ranks = 0;

	c.clusters = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	c.order = g_ptr_array_new();
	viz_set(g, "nodesep", "0.35");
	viz_set(g, "ranksep", "0.45");
	viz_caption(v, g, "socket buffers");
	for (int i = 0; i < w->nsocks; i++) {
		const Socket *so = world_socket(w, i);
		Agnode_t *first = NULL;
		Agraph_t *sg;
		char name[48];
		int ranks = 1;

		if (sock >= 0 && i != sock)
			continue;
		snprintf(name, sizeof name, "cluster_s%d", i);
		sg = viz_subgraph(g, name);
		if (!so->live) {
			viz_setf(sg, "label", "socket %s: closed and freed", sock_name(w, i));
			snprintf(name, sizeof name, "s%d_freed", i);
			first = viz_node(sg, name);
			viz_set(first, "label", "no buffers: the socket was freed");
			viz_set(first, "shape", "note");
			viz_set(first, "fontcolor", VIZ_MUTED);
			if (above != NULL)
				below(&c, above, first, above_ranks);
		} else {
			viz_setf(sg, "label", "socket %s (%s%s)", sock_name(w, i),
			    so->proto == PROTO_TCP ? "TCP " : "UDP",
			    so->proto == PROTO_TCP ? viz_tcp_state(so->tp.t_state) : "");
			viz_set(sg, "style", "rounded");
			viz_set(sg, "color", "#999999");
			for (int b = 0; b < 2; b++) {
				Agnode_t *hdr;
				Agraph_t *bg;
				int n;

				if (which >= 0 && b != which)
					continue;
				snprintf(name, sizeof name, "cluster_s%d_%s", i, which_names[b]);
				bg = viz_subgraph(sg, name);
				viz_setf(bg, "label", "so_%s", which_names[b]);
				viz_set(bg, "style", "dashed");
				viz_set(bg, "color", "#bbbbbb");
				n = draw_buffer(&c, bg, i, b, &hdr);
				ranks = MAX(ranks, n);
				if (above != NULL)
					below(&c, above, hdr, above_ranks);
				if (first == NULL)
					first = hdr;
			}
		}
		above = first;
		above_ranks = ranks;
	}
	cluster_labels(&c);
	g_hash_table_destroy(c.clusters);
	g_ptr_array_free(c.order, TRUE);
	return g;
}
