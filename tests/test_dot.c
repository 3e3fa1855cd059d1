/*
 * test_dot.c: the pictures of viz/ (`sosim dot`), read back as graphs.
 *
 * Each test runs a teaching scenario to a step, as cli/cmd-dot.c does
 * (the world one step earlier kept as a clone, a recorder listening to
 * the step), builds a view and looks at the graph with libcgraph: which
 * nodes and arrows there are, their ports and attributes, and what the
 * labels say.  The golden dot files (tests/dot.sh) pin the whole text;
 * these say which parts of it matter and why.
 */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "expect.h"
#include "sched.h"
#include "snapshot.h"
#include "viz.h"

typedef struct {
	Scenario *s;
	World *w, *prev;
	VizRecorder *rec;
	VizView v;
	Agraph_t *g;
} Pic;

static Scenario *
load(const char *name)
{
	const char *root = g_getenv("SOSIM_SOURCE_ROOT");
	char *path;
	GError *err = NULL;
	Scenario *s;

	ck_assert_msg(root != NULL, "SOSIM_SOURCE_ROOT is not set");
	path = g_build_filename(root, "scenarios", "teaching", name, NULL);
	s = scenario_parse_file(path, &err);
	ck_assert_msg(s != NULL, "%s: %s", path, err ? err->message : "?");
	g_free(path);
	return s;
}

static World *
make(const Scenario *s)
{
	const Profile *p = profile_find(s->profile ? s->profile : "netbsd-2.0");

	ck_assert_ptr_nonnull(p);
	return world_new(s, p, (p->quirks | s->quirks_on) & ~s->quirks_off);
}

static void
step_to(World *w, uint64_t n)
{
	while (w->step < n && w->stop == STOP_NONE && sched_step(w))
		;
	ck_assert_uint_eq(w->step, n);
}

/* The world of a teaching scenario after step `step`, and the one before. */
static Pic
pic_at(const char *name, uint64_t step)
{
	Pic p = { 0 };

	p.s = load(name);
	p.w = make(p.s);
	if (step > 0) {
		step_to(p.w, step - 1);
		p.prev = world_clone(p.w);
		p.rec = viz_recorder_new(step, NULL, 0);
		p.w->run->sink = (EventSink){ viz_recorder_sink, p.rec };
		step_to(p.w, step);
		p.w->run->sink.fn = NULL;
	}
	p.v = (VizView){ p.w, p.prev, step, step, name, p.rec };
	return p;
}

static void
pic_free(Pic *p)
{
	viz_free(p->g);
	viz_recorder_free(p->rec);
	world_free(p->prev);
	world_free(p->w);
	scenario_free(p->s);
}

static Agnode_t *
node(Agraph_t *g, const char *name)
{
	Agnode_t *n = agnode(g, (char *)name, 0);

	ck_assert_msg(n != NULL, "no node %s", name);
	return n;
}

/* A subgraph by name, at any depth (agsubg looks one level down). */
static Agraph_t *
subg(Agraph_t *g, const char *name)
{
	for (Agraph_t *s = agfstsubg(g); s != NULL; s = agnxtsubg(s)) {
		Agraph_t *r;

		if (strcmp(agnameof(s), name) == 0)
			return s;
		if ((r = subg(s, name)) != NULL)
			return r;
	}
	return NULL;
}

static const char *
attr(void *obj, const char *key)
{
	const char *v = agget(obj, (char *)key);

	return v ? v : "";
}

/* The edge t -> h leaving from tail port `port`. */
static Agedge_t *
edge(Agraph_t *g, const char *t, const char *h, const char *port)
{
	Agnode_t *tn = node(g, t), *hn = node(g, h);

	for (Agedge_t *e = agfstout(g, tn); e != NULL; e = agnxtout(g, e))
		if (aghead(e) == hn && strcmp(attr(e, "tailport"), port) == 0)
			return e;
	ck_abort_msg("no edge %s:%s -> %s", t, port, h);
	return NULL;
}

/* The invisible edge t -> h that places h below t. */
static Agedge_t *
invis(Agraph_t *g, const char *t, const char *h)
{
	Agnode_t *tn = node(g, t), *hn = node(g, h);

	for (Agedge_t *e = agfstout(g, tn); e != NULL; e = agnxtout(g, e))
		if (aghead(e) == hn && strcmp(attr(e, "style"), "invis") == 0)
			return e;
	ck_abort_msg("no invisible edge %s -> %s", t, h);
	return NULL;
}

static bool
has_edge(Agraph_t *g, const char *t, const char *h)
{
	Agnode_t *tn = agnode(g, (char *)t, 0), *hn = agnode(g, (char *)h, 0);

	return tn != NULL && hn != NULL && agedge(g, tn, hn, NULL, 0) != NULL;
}

static bool
label_has(Agraph_t *g, const char *n, const char *text)
{
	return strstr(attr(node(g, n), "label"), text) != NULL;
}

static char *
dot_text(Agraph_t *g)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert(viz_write(g, VIZ_DOT, fp));
	fclose(fp);
	return buf;
}

/* 01 at step 12: softnet appends a second segment to b.so_rcv (1460
 * bytes arrive as two mbufs, 588 and 872, sharing clusters with a's send
 * buffer: m_copym). */
START_TEST(stream_chain_and_changes)
{
	Pic p = pic_at("01-stream-send-receive.scn", 12);
	Agraph_t *row;

	p.g = viz_buffers(&p.v, -1, -1);
	/* one record: the header and three mbufs in one rank, m_next across */
	row = subg(p.g, "s1_rcv_row0");
	ck_assert_ptr_nonnull(row);
	ck_assert_str_eq(attr(row, "rank"), "same");
	ck_assert_ptr_nonnull(agsubnode(row, node(p.g, "s1_rcv"), 0));
	ck_assert_ptr_nonnull(agsubnode(row, node(p.g, "s1_rcv_r0_m2"), 0));
	ck_assert_ptr_null(agnode(p.g, (char *)"s1_rcv_r0_m3", 0));
	ck_assert_ptr_null(subg(p.g, "s1_rcv_row1"));
	ck_assert_str_eq(attr(edge(p.g, "s1_rcv_r0_m0", "s1_rcv_r0_m1", "next:e"), "headport"), "in:w");
	edge(p.g, "s1_rcv_r0_m1", "s1_rcv_r0_m2", "next:e");
	/* the header's pointers */
	edge(p.g, "s1_rcv", "s1_rcv_r0_m0", "mb:e");
	edge(p.g, "s1_rcv", "s1_rcv_r0_m0", "lastrecord:e");
	ck_assert_str_eq(attr(edge(p.g, "s1_rcv", "s1_rcv_r0_m2", "mbtail:e"), "headlabel"), "sb_mbtail");
	/* what the step changed: two new mbufs, cc and mbcnt with their old values */
	ck_assert(!label_has(p.g, "s1_rcv_r0_m0", ">new<"));
	ck_assert(label_has(p.g, "s1_rcv_r0_m1", ">new<"));
	ck_assert(label_has(p.g, "s1_rcv_r0_m2", ">new<"));
	ck_assert(label_has(p.g, "s1_rcv_r0_m2", "BORDER=\"3\""));
	ck_assert(label_has(p.g, "s1_rcv", "<B>2920 / 16K</B> (was 1460 / 16K)"));
	ck_assert(label_has(p.g, "s1_rcv", "this step: sbappendstream +1460"));
	/* a's buffers did not change */
	ck_assert(!label_has(p.g, "s0_snd", "(was"));
	ck_assert(!label_has(p.g, "s0_snd_r0_m0", ">new<"));
	/* m_len 1460 of a 2048-byte cluster: 1460 * 150 / 2048 points of 150 */
	ck_assert(label_has(p.g, "s1_rcv_r0_m0", "WIDTH=\"106\" HEIGHT=\"12\" FIXEDSIZE=\"TRUE\" BGCOLOR=\"#4a86c5\""));
	ck_assert(label_has(p.g, "s1_rcv_r0_m0", "1460 of MCLBYTES 2048"));
	pic_free(&p);
}
END_TEST

/* Every cluster once, with an arrow from every mbuf drawn that uses it. */
START_TEST(clusters_drawn_once)
{
	Pic p = pic_at("01-stream-send-receive.scn", 12);
	GHashTable *clusters = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	int boxes = 0, arrows = 0, shared = 0;

	p.g = viz_buffers(&p.v, -1, -1);
	/* what the world says: the clusters of the mbufs in the buffers */
	for (int i = 0; i < p.w->nsocks; i++)
		for (int b = 0; b < 2; b++) {
			const Sockbuf *sb = b ? &p.w->socks[i].snd : &p.w->socks[i].rcv;

			for (Ref r = sb->mb; !ref_null(r); r = world_mbuf(p.w, r)->nextpkt)
				for (Ref m = r; !ref_null(m); m = world_mbuf(p.w, m)->next) {
					const Mbuf *mb = world_mbuf(p.w, m);
					gint64 *k;

					if (!(mb->flags & M_EXT))
						continue;
					k = g_new(gint64, 1);
					*k = (gint64)mb->ext.i << 32 | mb->ext.g;
					g_hash_table_add(clusters, k);
					arrows++;
				}
		}
	for (Agnode_t *n = agfstnode(p.g); n != NULL; n = agnxtnode(p.g, n))
		if (g_str_has_suffix(agnameof(n), "_cl")) {
			int in = 0;

			boxes++;
			for (Agedge_t *e = agfstin(p.g, n); e != NULL; e = agnxtin(p.g, e)) {
				ck_assert_str_eq(attr(e, "tailport"), "ext:s");
				in++;
			}
			shared += in > 1;
			arrows -= in;
			ck_assert(strstr(attr(n, "label"), "ext_refcnt") != NULL);
		}
	ck_assert_int_eq(boxes, (int)g_hash_table_size(clusters));
	ck_assert_int_eq(arrows, 0);
	ck_assert_int_gt(shared, 0);      /* m_copym shares them across the wire */
	g_hash_table_destroy(clusters);
	pic_free(&p);
}
END_TEST

/* Before the first step nothing is new or changed. */
START_TEST(step_zero_nothing_changed)
{
	Pic p = pic_at("01-stream-send-receive.scn", 0);
	char *text;

	p.g = viz_buffers(&p.v, -1, -1);
	text = dot_text(p.g);
	ck_assert(strstr(text, "#d62728") == NULL);
	ck_assert(strstr(text, "before the first step") != NULL);
	node(p.g, "s0_rcv");
	node(p.g, "s0_snd");
	node(p.g, "s1_rcv");
	node(p.g, "s1_snd");
	free(text);
	pic_free(&p);
}
END_TEST

/* 08 at step 2: two datagrams, each a record (MT_SONAME, then the data),
 * stacked through m_nextpkt. */
START_TEST(records_stacked)
{
	Pic p = pic_at("08-udp-buffer-full.scn", 2);
	Agedge_t *e;

	p.g = viz_buffers(&p.v, 0, SB_RCV);
	ck_assert_ptr_null(agnode(p.g, (char *)"s0_snd", 0));
	ck_assert_str_eq(attr(subg(p.g, "s0_rcv_row1"), "rank"), "same");
	ck_assert_ptr_nonnull(agsubnode(subg(p.g, "s0_rcv_row1"), node(p.g, "s0_rcv_r1_m1"), 0));
	e = edge(p.g, "s0_rcv_r0_m0", "s0_rcv_r1_m0", "nextpkt:s");
	ck_assert_str_eq(attr(e, "headport"), "in:n");
	/* the second row two ranks below the first: the cluster hangs between */
	ck_assert_str_eq(attr(invis(p.g, "s0_rcv", "s0_rcv_r1_m0"), "minlen"), "2");
	ck_assert(!has_edge(p.g, "s0_rcv_r0_m1", "s0_rcv_r1_m0"));
	edge(p.g, "s0_rcv_r0_m0", "s0_rcv_r0_m1", "next:e");
	edge(p.g, "s0_rcv", "s0_rcv_r0_m0", "mb:e");
	edge(p.g, "s0_rcv", "s0_rcv_r1_m0", "lastrecord:e");
	edge(p.g, "s0_rcv", "s0_rcv_r1_m1", "mbtail:e");
	ck_assert(label_has(p.g, "s0_rcv_r0_m0", "MT_SONAME"));
	ck_assert(label_has(p.g, "s0_rcv_r1_m1", "MT_DATA</B> M_EXT|M_PKTHDR"));
	ck_assert(label_has(p.g, "s0_rcv_r1_m1", "m_pkthdr.len"));
	ck_assert(label_has(p.g, "s0_rcv_r1_m0", ">new<"));
	ck_assert(!label_has(p.g, "s0_rcv_r0_m0", ">new<"));
	ck_assert(label_has(p.g, "s0_rcv", "this step: sbappendaddr +616"));
	pic_free(&p);
}
END_TEST

/* 19 at step 314: r2's so_snd holds 29 mbufs in one record; a row holds
 * eight and the record wraps, m_next running on to the row below.  The
 * sockets are stacked, each below the ranks the one above takes. */
START_TEST(long_records_wrap)
{
	Pic p = pic_at("19-splice-tcp-relay.scn", 314);
	Agraph_t *row1;
	Agedge_t *e;

	p.g = viz_buffers(&p.v, -1, -1);
	row1 = subg(p.g, "s2_snd_row1");
	ck_assert_ptr_nonnull(row1);
	ck_assert_ptr_nonnull(agsubnode(subg(p.g, "s2_snd_row0"), node(p.g, "s2_snd_r0_m7"), 0));
	ck_assert_ptr_null(agsubnode(subg(p.g, "s2_snd_row0"), node(p.g, "s2_snd_r0_m8"), 0));
	ck_assert_ptr_nonnull(agsubnode(row1, node(p.g, "s2_snd_r0_m8"), 0));
	ck_assert_ptr_nonnull(agsubnode(row1, node(p.g, "s2_snd_r0_m15"), 0));
	ck_assert_ptr_nonnull(agsubnode(subg(p.g, "s2_snd_row3"), node(p.g, "s2_snd_r0_m24"), 0));
	e = edge(p.g, "s2_snd_r0_m7", "s2_snd_r0_m8", "next:e");
	ck_assert_str_eq(attr(e, "constraint"), "false");
	ck_assert_str_ne(attr(edge(p.g, "s2_snd_r0_m6", "s2_snd_r0_m7", "next:e"), "constraint"), "false");
	/* row 1 starts below row 0's clusters */
	ck_assert_str_eq(attr(invis(p.g, "s2_snd", "s2_snd_r0_m8"), "minlen"), "2");
	/* socket r1 (1) below socket c (0): both its headers pushed down */
	invis(p.g, "s0_rcv", "s1_rcv");
	invis(p.g, "s0_rcv", "s1_snd");
	pic_free(&p);
}
END_TEST

/* The same run drawn twice is the same text, and no name is a pool slot. */
START_TEST(deterministic_names)
{
	Pic a = pic_at("19-splice-tcp-relay.scn", 40), b = pic_at("19-splice-tcp-relay.scn", 40);
	GRegex *re = g_regex_new("^(s[0-9]+_(rcv|snd)(_r[0-9]+_m[0-9]+(_cl)?)?|start)$", 0, 0, NULL);
	char *ta, *tb;

	a.g = viz_buffers(&a.v, -1, -1);
	b.g = viz_buffers(&b.v, -1, -1);
	ta = dot_text(a.g);
	tb = dot_text(b.g);
	ck_assert_str_eq(ta, tb);
	for (Agnode_t *n = agfstnode(a.g); n != NULL; n = agnxtnode(a.g, n))
		ck_assert_msg(g_regex_match(re, agnameof(n), 0, NULL), "node name %s", agnameof(n));
	/* subgraphs in the order made: socket 0 before socket 1 */
	ck_assert_ptr_nonnull(strstr(ta, "subgraph cluster_s1"));
	ck_assert(strstr(ta, "subgraph cluster_s0") < strstr(ta, "subgraph cluster_s1"));
	g_regex_unref(re);
	free(ta);
	free(tb);
	pic_free(&a);
	pic_free(&b);
}
END_TEST

/* 19 at step 19: r1 spliced to r2, its task queued. */
START_TEST(splice_topology)
{
	Pic p = pic_at("19-splice-tcp-relay.scn", 19);
	Agedge_t *e;
	Agnode_t *r1, *r2;

	p.g = viz_splice(&p.v);
	r1 = node(p.g, "s1");
	r2 = node(p.g, "s2");
	ck_assert(strstr(attr(r1, "label"), "<B>r1</B> TCP ESTABLISHED") != NULL);
	ck_assert(strstr(attr(r1, "label"), "SS_ISCONNECTED") != NULL);
	ck_assert(strstr(attr(r1, "label"), "so_splicetask") != NULL);
	e = agedge(p.g, r1, r2, NULL, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert(strstr(attr(e, "label"), "ssp_socket") != NULL);
	ck_assert(strstr(attr(e, "label"), "splicelen 0 / no max") != NULL);
	ck_assert_str_ne(attr(e, "style"), "dashed");
	e = agedge(p.g, r2, r1, NULL, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(attr(e, "label"), "ssp_soback");
	ck_assert_str_eq(attr(e, "style"), "dashed");
	/* the TCP peers, and no splice from the client */
	ck_assert(strstr(attr(agedge(p.g, node(p.g, "s0"), r1, NULL, 0), "label"), "TCP") != NULL);
	ck_assert(!has_edge(p.g, "s2", "s3") || strstr(attr(agedge(p.g, r2, node(p.g, "s3"), NULL, 0), "label"),
	    "ssp_socket") == NULL);
	ck_assert(strstr(attr(node(p.g, "taskq"), "label"), "sotask(r1)") != NULL);
	ck_assert_ptr_nonnull(agedge(p.g, node(p.g, "taskq"), r1, NULL, 0));
	ck_assert(strstr(attr(node(p.g, "clockq"), "label"), "empty") != NULL);
	pic_free(&p);
}
END_TEST

static Agedge_t *
trans(Agraph_t *g, const MachineDef *d, const char *from, const char *to)
{
	char a[16], b[16];
	int f = -1, t = -1;

	for (int i = 0; i < d->nstates; i++) {
		if (strcmp(d->states[i], from) == 0)
			f = i;
		if (strcmp(d->states[i], to) == 0)
			t = i;
	}
	ck_assert(f >= 0 && t >= 0);
	snprintf(a, sizeof a, "st%d", f);
	snprintf(b, sizeof b, "st%d", t);
	return agedge(g, node(g, a), node(g, b), NULL, 0);
}

/* soreceive as declared: every state, every transition, the preemption
 * points marked, the atomic states shaded. */
START_TEST(machine_definition)
{
	const MachineDef *d;
	Agraph_t *g;
	int nodes = 0, edges = 0;
	Agedge_t *e;

	scenario_engine_init();
	d = machine_find("soreceive");
	ck_assert_ptr_nonnull(d);
	g = viz_machine(d, NULL, NULL);
	for (Agnode_t *n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
		nodes++;
		for (e = agfstout(g, n); e != NULL; e = agnxtout(g, e))
			edges++;
	}
	ck_assert_int_eq(nodes, d->nstates + 1);           /* and the start dot */
	ck_assert_int_eq(edges, d->ntrans + 1);
	e = trans(g, d, "loop", "copy");                    /* uiomove: a preemption point */
	ck_assert_str_eq(attr(e, "color"), "#1f6fd0");
	ck_assert(strstr(attr(e, "label"), "preemption point") != NULL);
	ck_assert(strstr(attr(e, "label"), "NetBSD: kernel") != NULL);
	e = trans(g, d, "entry", "locking");
	ck_assert_str_eq(attr(e, "color"), "");
	ck_assert_str_eq(attr(e, "label"), "");
	/* check holds splsoftnet / SOCKBUF_LOCK / solock: atomic everywhere */
	ck_assert(strstr(attr(node(g, "st2"), "label"), "BGCOLOR=\"#d9d9d9\"") != NULL);
	ck_assert(strstr(attr(node(g, "st2"), "label"), "splsoftnet") != NULL);
	ck_assert(strstr(attr(node(g, "st2"), "label"), "SOCKBUF_LOCK") != NULL);
	/* copy runs with the spl dropped: not atomic, shaded nowhere */
	ck_assert(strstr(attr(node(g, "st6"), "label"), "BGCOLOR=\"white\"") != NULL);
	ck_assert(strstr(attr(node(g, "st6"), "label"), "#c8c8c8") == NULL);
	viz_free(g);
}
END_TEST

/* With a run: each transition labelled with the times it was taken, the
 * ones never taken dashed. */
START_TEST(machine_counts)
{
	Scenario *s = load("01-stream-send-receive.scn");
	World *w = make(s);
	VizRecorder *rec = viz_recorder_new(0, "soreceive", 0);
	const MachineDef *d = machine_find("soreceive");
	Agraph_t *g;

	w->run->sink = (EventSink){ viz_recorder_sink, rec };
	sched_run(w);
	g = viz_machine(d, rec, "01");
	/* two recv calls, each enters and locks once */
	ck_assert_str_eq(attr(trans(g, d, "entry", "locking"), "label"), "2\xc3\x97");
	ck_assert_str_ne(attr(trans(g, d, "entry", "locking"), "style"), "dashed");
	ck_assert(g_str_has_prefix(attr(trans(g, d, "loop", "copy"), "label"), "7\xc3\x97\\npreemption point"));
	ck_assert_str_eq(attr(trans(g, d, "waitall", "waitall_sleep"), "style"), "dashed");
	ck_assert_str_eq(attr(trans(g, d, "waitall", "waitall_sleep"), "label"), "");
	ck_assert(strstr(attr(g, "label"), "transitions taken by 01") != NULL);
	viz_free(g);
	viz_recorder_free(rec);
	world_free(w);
	scenario_free(s);
}
END_TEST

START_TEST(formats)
{
	ck_assert_int_eq(viz_format_for(NULL), VIZ_DOT);
	ck_assert_int_eq(viz_format_for("-"), VIZ_DOT);
	ck_assert_int_eq(viz_format_for("a.dot"), VIZ_DOT);
	ck_assert_int_eq(viz_format_for("a.gv"), VIZ_DOT);
	ck_assert_int_eq(viz_format_for("dir.x/a.SVG"), VIZ_SVG);
	ck_assert_int_eq(viz_format_for("a.png"), VIZ_PNG);
	ck_assert_int_eq(viz_format_for("a.pdf"), VIZ_PDF);
	ck_assert_int_eq(viz_format_for("a.jpg"), VIZ_UNKNOWN);
	ck_assert_int_eq(viz_format_for("dir.svg/a"), VIZ_UNKNOWN);
	ck_assert_int_eq(viz_format_for("a"), VIZ_UNKNOWN);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dot");
	TCase *tc = tcase_create("views");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, stream_chain_and_changes);
	tcase_add_test(tc, clusters_drawn_once);
	tcase_add_test(tc, step_zero_nothing_changed);
	tcase_add_test(tc, records_stacked);
	tcase_add_test(tc, long_records_wrap);
	tcase_add_test(tc, deterministic_names);
	tcase_add_test(tc, splice_topology);
	tcase_add_test(tc, machine_definition);
	tcase_add_test(tc, machine_counts);
	tcase_add_test(tc, formats);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
