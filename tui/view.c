/*
 * view.c: drawing one frame of `sosim tui` (view.h).
 *
 * The frame: a status line, the threads and the sockets (side by side
 * when the terminal is wide, one above the other when not), the events
 * of the step, and a line of keys.  What the step changed is drawn in
 * C_CHANGED and bold, so that it shows on a monochrome terminal too.
 */
#include "view.h"
#include "machine.h"
#include "run.h"
#include "sched.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* A rectangle drawn line by line; lines past its height are counted,
 * not drawn, and the last row then says how many are hidden.  With a
 * NULL screen it only counts (to lay the panes out).  A line wider than
 * the pane ends in '>' (and starts with '<' when the pane is moved right
 * by xoff columns), so a cut number never passes for a whole one. */
typedef struct {
	Screen *s;
	int row, col, w, h;
	int y, x;
	int maxx;               /* the widest line, in columns */
	int xoff;               /* columns hidden on the left */
	int yoff;               /* lines hidden above (the selection kept in sight) */
	int mark;               /* the line the selected thread or buffer starts on, -1 none */
} Pane;

static void
seg(Pane *p, uint8_t attr, uint8_t color, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
seg(Pane *p, uint8_t attr, uint8_t color, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	int len = (int)strlen(buf);

	int r = p->y - p->yoff;

	if (p->s != NULL && r >= 0 && r < p->h && p->x + len > p->xoff && p->x < p->xoff + p->w) {
		int skip = p->xoff > p->x ? p->xoff - p->x : 0;
		int col = p->x + skip - p->xoff;

		screen_put(p->s, p->row + r, p->col + col, p->w - col, attr, color, buf + skip);
		if (skip > 0 && col == 0)
			screen_fill(p->s, p->row + r, p->col, 1, '<', AT_BOLD, C_NONE);
		if (p->x + len > p->xoff + p->w)
			screen_fill(p->s, p->row + r, p->col + p->w - 1, 1, '>', AT_BOLD, C_NONE);
	}
	p->x += len;
	if (p->x > p->maxx)
		p->maxx = p->x;
}

static void
nl(Pane *p)
{
	p->y++;
	p->x = 0;
}

/* A piece of a list (a frame of a stack, a routine's locals): on a new
 * line, indented, when it does not fit on this one. */
static void
item(Pane *p, const char *sep, uint8_t attr, uint8_t color, const char *text)
{
	int len = (int)strlen(sep) + (int)strlen(text);

	if (p->x > 4 && p->x + len > p->w) {
		nl(p);
		seg(p, AT_NORM, C_NONE, "    ");
		sep = "";
	}
	seg(p, AT_DIM, C_NONE, "%s", sep);
	seg(p, attr, color, "%s", text);
}

/* Say what did not fit in the pane's last row. */
static void
pane_end(Pane *p)
{
	int below = p->y - p->yoff - p->h;

	if (p->s == NULL || p->h < 2)
		return;
	if (p->yoff > 0) {
		screen_fill(p->s, p->row, p->col, p->w, ' ', AT_NORM, C_NONE);
		screen_printf(p->s, p->row, p->col, p->w, AT_DIM, C_NONE, "  ... %d lines above", p->yoff + 1);
	}
	if (below <= 0)
		return;
	screen_fill(p->s, p->row + p->h - 1, p->col, p->w, ' ', AT_NORM, C_NONE);
	screen_printf(p->s, p->row + p->h - 1, p->col, p->w, AT_DIM, C_NONE, "  ... %d more lines", below + 1);
}

/* A pane's title on its top line; the pane j/k move in, in reverse. */
static void
title(Screen *s, int row, int col, int w, const char *text, bool focused)
{
	screen_fill(s, row, col, w, '-', AT_LINE | AT_DIM, C_NONE);
	if (focused)
		screen_printf(s, row, col + 1, w - 1, AT_BOLD | AT_REV, C_TITLE, "[%s]", text);
	else
		screen_printf(s, row, col + 1, w - 1, AT_BOLD, C_TITLE, " %s ", text);
}

/* ---- threads ---- */

static const char *
thread_state(const World *w, const Thread *t, char *buf, size_t n)
{
	char chan[96];

	switch (t->state) {
	case TS_SLEEP:
		sched_chan_name(w, t->wchan, chan, sizeof chan);
		snprintf(buf, n, "sleeping on %s (\"%s\")", chan, t->wmesg ? t->wmesg : "");
		break;
	case TS_DONE:
		snprintf(buf, n, "done");
		break;
	default:
		snprintf(buf, n, "runnable");
		break;
	}
	return buf;
}

static bool
same_stack(const Thread *a, const Thread *b)
{
	if (a->depth != b->depth || a->state != b->state)
		return false;
	for (int k = 0; k < a->depth && k < MAX_DEPTH; k++)
		if (a->stack[k].mach != b->stack[k].mach || a->stack[k].pc != b->stack[k].pc)
			return false;
	return true;
}

/* MSG_* as every BSD numbers them, for soreceive's flags. */
static void
msg_flags(char *buf, size_t n, int flags)
{
	static const struct { int bit; const char *name; } names[] = {
		{ 0x1, "OOB" }, { 0x2, "PEEK" }, { 0x8, "EOR" }, { 0x10, "TRUNC" }, { 0x20, "CTRUNC" },
		{ 0x40, "WAITALL" }, { 0x80, "DONTWAIT" },
	};
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (flags & names[i].bit)
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? "|" : "", names[i].name);
}

/* The locals a student follows, for the routines that move bytes. */
static void
frame_locals(Pane *p, const Frame *f, const char *name)
{
	char buf[160], fl[64];

	if (strcmp(name, "sosend") == 0)
		snprintf(buf, sizeof buf, "%s: resid %lld len %lld space %lld error %d", name,
		    (long long)f->u.ss.resid, (long long)f->u.ss.len, (long long)f->u.ss.space,
		    f->u.ss.error);
	else if (strcmp(name, "soreceive") == 0 || strcmp(name, "soreceive_dgram") == 0) {
		msg_flags(fl, sizeof fl, f->u.sr.flags);
		snprintf(buf, sizeof buf, "%s: resid %lld/%lld len %lld%s%s error %d", name,
		    (long long)f->u.sr.resid, (long long)f->u.sr.orig_resid, (long long)f->u.sr.len,
		    fl[0] ? " " : "", fl, f->u.sr.error);
	} else if (strncmp(name, "kttcp", 5) == 0)
		snprintf(buf, sizeof buf, "%s: %llu of %llu left", name, (unsigned long long)f->u.kt.left,
		    (unsigned long long)f->u.kt.total);
	else
		return;
	item(p, p->x > 3 ? "; " : "", AT_NORM, C_NONE, buf);
}

static bool
has_locals(const char *name)
{
	return strcmp(name, "sosend") == 0 || strncmp(name, "soreceive", 9) == 0 ||
	    strncmp(name, "kttcp", 5) == 0;
}

/* softnet is no thread of the world: what it has queued, and when next. */
static void
draw_softnet(Pane *p, const ViewState *v)
{
	static const char *const what[KW__COUNT] = {
		[KW_SEGMENT] = "segment", [KW_PERSIST] = "persist timer", [KW_SLEEP_TIMEOUT] = "sleep timeout",
		[KW_SCENARIO] = "scenario event", [KW_SPLICE_IDLE] = "idle timeout",
		[KW_KCONT] = "kernel continuation", [KW_DELACK] = "delayed ACK",
	};
	const World *w = v->w;
	int count[KW__COUNT] = { 0 };
	char buf[200];
	size_t len = 0;

	const Work *next = NULL;
	int live = 0;

	for (uint32_t k = 0; k < w->nwork; k++) {
		const Work *x = &w->work[w->work_head + k];

		if (sched_work_moot(w, x))
			continue;       /* a cancelled timer, dropped unfired */
		count[x->kind]++;
		live++;
		if (next == NULL)
			next = x;
	}
	if (v->tsel == w->nthreads)
		p->mark = p->y;
	seg(p, v->tsel == w->nthreads ? AT_BOLD | AT_REV : AT_NORM, C_NONE, "%s",
	    v->tsel == w->nthreads ? ">" : " ");
	seg(p, AT_BOLD, C_NONE, "%-9s ", "softnet");
	if (live == 0)
		len += (size_t)snprintf(buf, sizeof buf, "nothing queued");
	for (int k = 0; k < KW__COUNT && len < sizeof buf; k++)
		if (count[k] > 0)
			len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%d %s%s", len ? ", " : "queued: ",
			    count[k], what[k], count[k] > 1 ? "s" : "");
	if (next != NULL && len < sizeof buf) {
		int64_t at = next->time;

		snprintf(buf + len, sizeof buf - len, "; next at t=%lld.%06llds", (long long)(at / 1000000000),
		    (long long)(at % 1000000000 / 1000));
	}
	item(p, "", live ? AT_NORM : AT_DIM, C_NONE, buf);
	if (v->ran == -1)
		seg(p, AT_BOLD, C_NONE, " (ran this step)");
	nl(p);
}

static void
draw_threads(Pane *p, const ViewState *v)
{
	const World *w = v->w;

	for (int i = 0; i < w->nthreads; i++) {
		const Thread *t = world_thread(w, i);
		const Thread *pt = v->prev ? world_thread(v->prev, i) : NULL;
		bool changed = pt != NULL && !same_stack(t, pt);
		uint8_t sattr = t->state == TS_DONE ? AT_DIM : AT_NORM;
		uint8_t scol = t->state == TS_SLEEP ? C_SLEEP : C_NONE;
		bool locals = false;
		char buf[160];

		if (v->tsel == i)
			p->mark = p->y;
		seg(p, v->tsel == i ? AT_BOLD | AT_REV : AT_NORM, C_NONE, "%s", v->tsel == i ? ">" : " ");
		seg(p, AT_BOLD, C_NONE, "%-9s ", thread_name(w, i));
		item(p, "", sattr | (changed ? AT_BOLD : 0), changed ? C_CHANGED : scol,
		    thread_state(w, t, buf, sizeof buf));
		if (v->ran == i)
			seg(p, AT_BOLD, C_NONE, " (ran this step)");
		if (t->state == TS_DONE || (t->depth == 0 && v->step > 0))
			seg(p, AT_DIM, C_NONE, "  last return %lld%s%s", (long long)t->rv,
			    t->err ? " errno " : "", t->err ? "set" : "");
		nl(p);
		if (t->depth > 0) {
			seg(p, AT_NORM, C_NONE, "   ");
			for (int k = 0; k < t->depth && k < MAX_DEPTH; k++) {
				const Frame *f = &t->stack[k];
				const MachineDef *d = machine_def(f->mach);
				bool fch = changed && (pt->depth <= k || pt->stack[k].mach != f->mach ||
				    pt->stack[k].pc != f->pc);

				char fr[96];

				if (d == NULL) {
					item(p, k > 0 ? " > " : "", AT_NORM, C_NONE, "?");
					continue;
				}
				snprintf(fr, sizeof fr, "%s:%s", d->name, f->pc < d->nstates ? d->states[f->pc] : "?");
				item(p, k > 0 ? " > " : "", fch ? AT_BOLD : AT_NORM, fch ? C_CHANGED : C_NONE, fr);
				locals |= has_locals(d->name);
			}
			nl(p);
		}
		if (locals) {
			seg(p, AT_DIM, C_NONE, "   ");
			for (int k = 0; k < t->depth && k < MAX_DEPTH; k++) {
				const MachineDef *d = machine_def(t->stack[k].mach);

				if (d != NULL)
					frame_locals(p, &t->stack[k], d->name);
			}
			nl(p);
		}
	}
	draw_softnet(p, v);
}

/* ---- sockets ---- */

static void
bits(char *buf, size_t n, uint32_t v, const char *const names[16], size_t strip)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int b = 0; b < 16 && len + 1 < n; b++)
		if ((v >> b & 1) != 0) {
			const char *nm = names[b] ? names[b] + strip : "?";

			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? " " : "", nm);
		}
	if (len == 0)
		snprintf(buf, n, "-");
}

static void
fill_bar(char *buf, int width, int64_t have, int64_t of)
{
	int k = of > 0 ? (int)((have * width + of - 1) / of) : 0;

	if (k > width)
		k = width;
	if (k < 0)
		k = 0;
	buf[0] = '[';
	for (int i = 0; i < width; i++)
		buf[1 + i] = i < k ? '#' : '.';
	buf[width + 1] = ']';
	buf[width + 2] = '\0';
}

static void
draw_buffer(Pane *p, const ViewState *v, int i, int which)
{
	const Socket *so = world_socket(v->w, i);
	const Sockbuf *sb = which == SB_RCV ? &so->rcv : &so->snd;
	const Socket *pso = v->prev ? world_socket(v->prev, i) : NULL;
	const Sockbuf *psb = pso ? (which == SB_RCV ? &pso->rcv : &pso->snd) : NULL;
	bool ccch = psb && psb->cc != sb->cc, mbch = psb && psb->mbcnt != sb->mbcnt;
	bool flch = psb && (psb->flags != sb->flags || psb->lock_owner != sb->lock_owner);
	char bar[16], fl[96];

	fill_bar(bar, 10, sb->cc, sb->hiwat);
	if (v->sel == i * 2 + which) {  /* the buffer the chain pane draws */
		p->mark = p->y;
		seg(p, AT_REV | AT_BOLD, C_NONE, "> %s", which == SB_RCV ? "rcv" : "snd");
	}
	else
		seg(p, AT_NORM, C_NONE, "  %s", which == SB_RCV ? "rcv" : "snd");
	seg(p, AT_NORM, C_NONE, " ");
	seg(p, ccch ? AT_BOLD : AT_NORM, ccch ? C_CHANGED : C_NONE, "cc %5lld/%-5lld %s",
	    (long long)sb->cc, (long long)sb->hiwat, bar);
	seg(p, mbch ? AT_BOLD : AT_NORM, mbch ? C_CHANGED : C_NONE, "  mb %lld/%lld",
	    (long long)sb->mbcnt, (long long)sb->mbmax);
	seg(p, AT_NORM, C_NONE, "  lowat %lld", (long long)sb->lowat);
	/* SB_LOCK with its owner; the other bits by name */
	bits(fl, sizeof fl, sb->flags & ~(uint32_t)SB_LOCK, sbflags_bit_names, 3);
	if (sb->flags & SB_LOCK) {
		char lk[48];

		snprintf(lk, sizeof lk, "LOCK(%s)", sb->lock_owner >= 0 ? thread_name(v->w, sb->lock_owner) : "?");
		item(p, "  ", flch ? AT_BOLD : AT_NORM, flch ? C_CHANGED : C_NONE, lk);
	}
	if (strcmp(fl, "-") != 0)
		item(p, "  ", flch ? AT_BOLD : AT_NORM, flch ? C_CHANGED : C_NONE, fl);
	else if (flch && !(sb->flags & SB_LOCK))
		item(p, "  ", AT_BOLD, C_CHANGED, "(flags cleared)");
	nl(p);
}

/* A splice link (so_sp's ssp_socket or ssp_soback): the socket it names,
 * or that it names a freed one (a stale handle, as in a use after free). */
static void
splice_link(Pane *p, const World *w, Ref r, const char *how, long long moved)
{
	char buf[96];
	int k = (int)r.i - 1;

	if (ref_null(r))
		return;
	if (k < 0 || k >= w->nsocks) {
		item(p, "  ", AT_BOLD, C_BAD, "spliced to ?");
		return;
	}
	if (!world_socket(w, k)->live || world_socket(w, k)->gen != r.g) {
		snprintf(buf, sizeof buf, "%s %s, which was freed (a stale link)", how, sock_name(w, k));
		item(p, "  ", AT_BOLD, C_BAD, buf);
		return;
	}
	if (moved >= 0)
		snprintf(buf, sizeof buf, "%s %s (%lld moved)", how, sock_name(w, k), moved);
	else
		snprintf(buf, sizeof buf, "%s %s", how, sock_name(w, k));
	item(p, "  ", AT_BOLD, C_NONE, buf);
}

static void
draw_sockets(Pane *p, const ViewState *v)
{
	const World *w = v->w;

	for (int i = 0; i < w->nsocks; i++) {
		const Socket *so = world_socket(w, i);
		const Socket *pso = v->prev ? world_socket(v->prev, i) : NULL;
		bool stch = pso && (pso->state != so->state || pso->error != so->error);
		char st[160];

		seg(p, AT_BOLD, C_NONE, "%-6s ", sock_name(w, i));
		if (!so->live) {
			seg(p, AT_DIM, C_NONE, "freed");
			nl(p);
			continue;
		}
		seg(p, AT_NORM, C_NONE, "%s ", so->proto == PROTO_TCP ? "tcp" : "udp");
		bits(st, sizeof st, so->state, sostate_bit_names, 3);
		seg(p, stch ? AT_BOLD : AT_NORM, stch ? C_CHANGED : C_NONE, "%s", st);
		if (so->error != 0)
			seg(p, AT_BOLD, C_BAD, "  so_error %d", so->error);
		if (so->refcnt != 0)
			seg(p, AT_NORM, C_NONE, "  so_refcnt %d", so->refcnt);
		splice_link(p, w, so->ssp_socket, "spliced to", (long long)so->splicelen);
		splice_link(p, w, so->ssp_soback, "spliced from", -1);
		nl(p);
		draw_buffer(p, v, i, SB_RCV);
		draw_buffer(p, v, i, SB_SND);
	}
}

/* ---- the chain of the selected buffer ---- */

/* Was mbuf r in the same buffer one step earlier? */
static bool
was_there(const ViewState *v, int i, int which, Ref r)
{
	const Socket *pso = v->prev ? world_socket(v->prev, i) : NULL;
	const Mbuf *rec, *x;

	if (pso == NULL)
		return false;
	for (Ref a = (which == SB_RCV ? pso->rcv : pso->snd).mb; (rec = world_mbuf(v->prev, a)) != NULL;
	    a = rec->nextpkt)
		for (Ref m = a; (x = world_mbuf(v->prev, m)) != NULL; m = x->next)
			if (ref_eq(m, r))
				return true;
	return false;
}

/*
 * The chain as the textbooks draw it, in text: a record a line (m_nextpkt
 * down), its mbufs left to right (m_next), each [mN TYPE len +off] with
 * its cluster and the cluster's references; the sockbuf's pointers at
 * the records and the mbuf they point at; the mbufs new at this step in
 * the changed look.
 */
static void
draw_chain(Pane *p, const ViewState *v)
{
	int i = v->sel / 2, which = v->sel % 2, nrec = 0;
	const Socket *so = world_socket(v->w, i);
	const Sockbuf *sb;
	const Mbuf *rec, *x;
	uint64_t guard = (uint64_t)v->w->mlive + 1;

	if (so == NULL || v->sel < 0)
		return;
	sb = which == SB_RCV ? &so->rcv : &so->snd;
	if (world_mbuf(v->w, sb->mb) == NULL) {
		seg(p, AT_DIM, C_NONE, " sb_mb NULL: the buffer is empty");
		nl(p);
		return;
	}
	for (Ref a = sb->mb; (rec = world_mbuf(v->w, a)) != NULL && guard > 0; a = rec->nextpkt) {
		bool lastrec = ref_eq(a, sb->lastrecord);

		seg(p, AT_DIM, C_NONE, " %-18s", nrec == 0 && lastrec ? "sb_mb, lastrecord" : nrec == 0 ? "sb_mb" :
		    lastrec ? "sb_lastrecord" : "m_nextpkt");
		for (Ref m = a; (x = world_mbuf(v->w, m)) != NULL && guard > 0; m = x->next, guard--) {
			static const char *const types[] = { "FREE", "DATA", "HEADER", "SONAME", "?", "?",
				"CONTROL", "OOBDATA" };
			bool fresh = !was_there(v, i, which, m);
			const Cluster *c = world_cluster(v->w, x);
			char box[96], cl[40] = "", off[16] = "";

			if (c != NULL)  /* its cluster, and how many mbufs share it */
				snprintf(cl, sizeof cl, " c%u x%u", x->ext.i, c->refcnt);
			if (x->off != 0)        /* where its bytes start in the storage */
				snprintf(off, sizeof off, " +%u", x->off);
			snprintf(box, sizeof box, "[m%u %s %u%s%s%s]", m.i, x->type < 8 ? types[x->type] : "?",
			    x->len, off, cl, (x->flags & M_EOR) ? " EOR" : "");
			item(p, ref_eq(m, a) ? "-> " : " -> ", fresh ? AT_BOLD : AT_NORM,
			    fresh ? C_CHANGED : C_NONE, box);
			if (ref_eq(m, sb->mbtail))
				seg(p, AT_DIM, C_NONE, " <- sb_mbtail");
		}
		nl(p);
		nrec++;
	}
	seg(p, AT_DIM, C_NONE, " %d record%s, %lld bytes (sb_cc); m_next across, m_nextpkt down", nrec,
	    nrec == 1 ? "" : "s", (long long)sb->cc);
	nl(p);
}

/* ---- events ---- */

/*
 * The event log: the step's events with the steps before and after it,
 * the current step's first line (its "-- step") a third of the way down
 * and in reverse, the others dim; j/k in this pane move the log.
 */
static void
draw_events(Pane *p, const ViewState *v)
{
	int lo = 0, hi = v->nlog, cur, ncur = 0, anchor, base;

	/* the first line of the step or after it (a saved trace is long) */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (v->log[mid].step < v->step)
			lo = mid + 1;
		else
			hi = mid;
	}
	cur = lo;
	while (cur + ncur < v->nlog && v->log[cur + ncur].step == v->step)
		ncur++;
	anchor = p->h / 3;
	if (anchor > p->h - ncur)
		anchor = p->h - ncur > 0 ? p->h - ncur : 0;
	anchor -= v->log_scroll;
	base = anchor;
	if (ncur == 0) {
		/* step 0, or a step a trace shows nothing of: a line says so */
		if (anchor >= 0 && anchor < p->h) {
			p->y = anchor;
			seg(p, AT_REV | AT_BOLD, C_NONE, "%-*s", p->w + p->xoff, v->step == 0 ?
			    "-- step 0: before the first step (n takes it)" : "-- no events at this step");
		}
		base++;
	}
	for (int row = 0; row < p->h; row++) {
		int i = row < anchor ? cur - (anchor - row) : row >= base ? cur + (row - base) : -1;
		const LogLine *l;
		uint8_t attr = AT_NORM, color = C_NONE;

		if (i < 0 || i >= v->nlog)
			continue;
		l = &v->log[i];
		if (l->step != v->step)
			attr = AT_DIM;
		else if (l->kind == EVK_STEP)
			attr = AT_REV | AT_BOLD;
		/* a broken invariant stands out; buffer changes match the
		 * numbers drawn as changed above */
		if (l->kind == EVK_VIOLATION)
			attr = AT_BOLD, color = C_BAD;
		else if (l->step == v->step && (l->kind == EVK_SOCKBUF || l->kind == EVK_SBFLAGS))
			attr |= AT_BOLD, color = C_CHANGED;
		/* what a breakpoint or the search stopped at */
		if (l->step == v->step && l->match)
			attr |= AT_BOLD | AT_REV;
		p->y = row;
		p->x = 0;
		if (attr & AT_REV)
			seg(p, attr, color, "%-*s", p->w + p->xoff, l->text);
		else
			seg(p, attr, color, "%s", l->text);
	}
	p->y = 0;       /* drawn by rows: nothing is hidden below */
}

/*
 * The scenario's text around the operation of the thread that ran this
 * step (or the first thread that has one): each thread's current line
 * marked with its name, the one that ran in reverse.
 */
static void
draw_source(Pane *p, const ViewState *v)
{
	int focus = 0, first, nmarks = 0;

	if (v->ran >= 0 && v->ran < v->nop_lines && v->op_lines[v->ran] > 0)
		focus = v->op_lines[v->ran];
	for (int i = 0; focus == 0 && i < v->nop_lines; i++)
		focus = v->op_lines[i];
	first = focus - p->h / 2 + v->src_scroll;
	if (first + p->h > v->nsource)
		first = v->nsource - p->h + 1;
	if (first < 1)
		first = 1;
	for (int line = first; line <= v->nsource && p->y < p->h; line++) {
		const char *text = v->source[line - 1];
		bool ran = v->ran >= 0 && v->ran < v->nop_lines && v->op_lines[v->ran] == line;
		bool marked = false;

		for (int i = 0; i < v->nop_lines; i++)
			marked |= v->op_lines[i] == line;
		seg(p, AT_DIM, C_NONE, "%4d ", line);
		seg(p, ran ? AT_REV | AT_BOLD : marked ? AT_BOLD : AT_NORM, marked ? C_TITLE : C_NONE,
		    "%s", text);
		for (int i = 0; i < v->nop_lines; i++)
			if (v->op_lines[i] == line) {
				seg(p, AT_DIM, C_NONE, "  <- %s", thread_name(v->w, i));
				nmarks++;
			}
		nl(p);
	}
	(void)nmarks;
}

/* ---- status, keys, help ---- */

static void
draw_status(Screen *s, const ViewState *v)
{
	const World *w = v->w;
	char of[32], quirks[256];
	size_t len = 0;
	int x = 0;

	screen_fill(s, 0, 0, s->w, ' ', AT_REV, C_NONE);
	if (v->prompt != NULL) {
		screen_put(s, 0, 0, -1, AT_REV | AT_BOLD, C_NONE, v->prompt);
		return;
	}
	if (v->last == UINT64_MAX)
		snprintf(of, sizeof of, "?");
	else
		snprintf(of, sizeof of, "%llu", (unsigned long long)v->last);
	/* what changes first, so that a narrow terminal cuts the rest */
	x += screen_printf(s, 0, x, -1, AT_REV | AT_BOLD, C_NONE, " step %llu of %s ",
	    (unsigned long long)v->step, of);
	if (w != NULL)
		x += screen_printf(s, 0, x, -1, AT_REV, C_NONE, "| t=%lld.%06llds ",
		    (long long)(w->now / 1000000000), (long long)(w->now % 1000000000 / 1000));
	if (v->verdict != NULL)
		x += screen_printf(s, 0, x, -1, AT_REV | AT_BOLD, v->verdict_ok ? C_GOOD : C_BAD, "| %s ",
		    v->verdict);
	else if (w != NULL && (w->nfails > 0 || w->stop == STOP_VIOLATION))
		/* the verdict so far: an op already gave what its `=>` did not say */
		x += screen_printf(s, 0, x, -1, AT_REV | AT_BOLD, C_BAD, "| %d result%s differed so far ",
		    w->nfails, w->nfails == 1 ? "" : "s");
	if (w == NULL) {
		screen_printf(s, 0, x, -1, AT_REV, C_NONE, "| %s | %s ", v->path ? v->path : "?",
		    v->title ? v->title : "");
		return;
	}
	quirks[0] = '\0';
	for (int k = 0; k < QUIRK__COUNT; k++)
		if (quirk_on(w, (QuirkId)k))
			len += (size_t)snprintf(quirks + len, sizeof quirks - len, "%s%s", len ? "," : "",
			    quirk_defs[k].name);
	screen_printf(s, 0, x, -1, AT_REV, C_NONE, "| %s | %s | quirks: %s ", v->path ? v->path : "?",
	    w->prof ? w->prof->name : "?", len ? quirks : "none");
}

static void
draw_keys(Screen *s, const ViewState *v)
{
	int row = s->h - 1, x;

	if (v->message != NULL) {
		/* what the last key did, where the eye is */
		screen_printf(s, row, 0, -1, AT_BOLD, C_NONE, " %s", v->message);
		return;
	}
	x = screen_put(s, row, 0, -1, AT_DIM, C_NONE, v->w == NULL ?
	    " n/N step  c/C continue  b break  / search  g go to  j/k scroll  ? help  q quit" :
	    " n/N step  s/S thread  c/C continue  b break  / search  ? help  q quit  Tab pane  j/k move  d picture");
	(void)x;
}

static const char *const help_lines[] = {
	"Keys of sosim tui (lower case forwards, upper case backwards)",
	"",
	"n / N        next / previous step (back is a seek: never a rerun)",
	"s / S        next / previous step of the selected thread",
	"c / C        continue to the next / previous breakpoint or search match",
	"b WHAT       break at WHAT; the same again removes it, an empty one clears all:",
	"               a thread (reader, softnet), an event kind (wakeup, sockbuf),",
	"               a routine (sbwait), ROUTINE:STATE (soreceive:waiting),",
	"               a condition, stopping where it becomes true (b.rcv.cc == 0)",
	"/ TEXT       the next step whose events say TEXT (Enter alone: again)",
	"g NUMBER     go to a step        < or Home, > or End: the first, the last",
	"Tab          the next pane (threads, sockets, events, scenario)",
	"j/k, arrows  in that pane: choose a thread or a buffer, scroll",
	"h/l          the events or the scenario sideways (> and < mark cut lines)",
	"d            write the selected buffer as a picture (.dot and .svg)",
	"f            the chain follows the buffer that changed last again",
	"(default: X) at a step: a schedule picked another thread than X",
	"i            what the scenario shows (its description)",
	"Ctrl-L       redraw            ? this help            q quit",
	"",
	"Bold (coloured): what this step changed.  Any key closes this help.",
};

/* A framed box in the middle of the screen, its first line a title. */
static void
draw_box(Screen *s, const char *const *lines, int n)
{
	int bw = 6, bh;
	int r0, c0;

	for (int i = 0; i < n; i++)
		if ((int)strlen(lines[i]) + 6 > bw)
			bw = (int)strlen(lines[i]) + 6;
	bool cut = false;

	if (bw > s->w)
		bw = s->w;
	if (n + 2 > s->h - 1) {
		n = s->h - 3;
		cut = true;     /* the last line says so */
	}
	bh = n + 2;
	r0 = (s->h - bh) / 2;
	c0 = (s->w - bw) / 2;

	if (r0 < 1)
		r0 = 1;
	if (c0 < 0)
		c0 = 0;
	for (int r = 0; r < bh; r++)
		screen_fill(s, r0 + r, c0, bw, ' ', AT_NORM, C_NONE);
	screen_fill(s, r0, c0, bw, '-', AT_LINE, C_NONE);
	screen_fill(s, r0 + bh - 1, c0, bw, '-', AT_LINE, C_NONE);
	for (int r = 1; r < bh - 1; r++) {
		screen_fill(s, r0 + r, c0, 1, '|', AT_LINE, C_NONE);
		screen_fill(s, r0 + r, c0 + bw - 1, 1, '|', AT_LINE, C_NONE);
	}
	for (int i = 0; i < n; i++)
		screen_put(s, r0 + 1 + i, c0 + 3, bw - 5, i == 0 ? AT_BOLD : AT_NORM,
		    i == 0 ? C_TITLE : C_NONE, lines[i]);
	if (cut && n > 1) {
		screen_fill(s, r0 + n, c0 + 1, bw - 2, ' ', AT_NORM, C_NONE);
		screen_put(s, r0 + n, c0 + 3, bw - 5, AT_DIM, C_NONE,
		    "... more than fits: a taller terminal, or docs/tui.md");
	}
}

static void
draw_help(Screen *s)
{
	draw_box(s, help_lines, (int)(sizeof help_lines / sizeof help_lines[0]));
}

/* The scenario's leading comment: what the lesson is about. */
static void
draw_description(Screen *s, const ViewState *v)
{
	char **lines = g_strsplit(v->description ? v->description : "(no description)", "\n", -1);
	int n = (int)g_strv_length(lines);
	const char **box = g_new0(const char *, (size_t)n + 3);

	box[0] = "What this scenario shows";
	box[1] = "";
	for (int i = 0; i < n; i++)
		box[2 + i] = lines[i];
	draw_box(s, box, n + 2);
	g_free(box);
	g_strfreev(lines);
}

static void
draw_too_small(Screen *s)
{
	char need[64];

	snprintf(need, sizeof need, "need %dx%d, have %dx%d", VIEW_MIN_W, VIEW_MIN_H, s->w, s->h);
	screen_put(s, s->h / 2 - 1, 0, -1, AT_BOLD, C_BAD, "terminal too small");
	screen_put(s, s->h / 2, 0, -1, AT_NORM, C_NONE, need);
	screen_put(s, s->h / 2 + 1, 0, -1, AT_DIM, C_NONE, "q quits");
}

/* ---- the frame ---- */

/* The rows a pane's contents take, and its widest line. */
static int
count(void (*draw)(Pane *, const ViewState *), const ViewState *v, int w, int *width)
{
	Pane p = { NULL, 0, 0, w, 1 << 20, 0, 0, 0, 0, 0, -1 };

	draw(&p, v);
	if (width != NULL)
		*width = p.maxx;
	return p.y;
}

static void
draw_pane(Screen *s, void (*draw)(Pane *, const ViewState *), const ViewState *v, int row, int col,
    int w, int h)
{
	Pane p = { s, row, col, w, h, 0, 0, 0, 0, 0, -1 };

	if (h <= 0 || w <= 0)
		return;
	if (draw == draw_events)
		p.xoff = v->log_xoff;
	else if (draw == draw_source)
		p.xoff = v->src_xoff;
	else {
		/* the threads and the sockets: keep the selected one in sight */
		Pane c = { NULL, 0, 0, w, 1 << 20, 0, 0, 0, 0, 0, -1 };

		draw(&c, v);
		/* a line more for the socket a buffer belongs to */
		if (c.y > h && c.mark >= h - 1)
			p.yoff = c.mark - (h - 1) / 2 - 1;
	}
	draw(&p, v);
	pane_end(&p);
}

/* The events pane's title: the step, and what c and C stop at. */
static void
events_title(char *buf, size_t n, const ViewState *v)
{
	int len = snprintf(buf, n, "events of step %llu%s", (unsigned long long)v->step,
	    v->log_scroll || v->log_xoff ? " (moved: n or N comes back)" : "");

	if (v->stops != NULL && v->stops[0] != '\0' && len > 0 && (size_t)len < n)
		snprintf(buf + len, n - (size_t)len, " | %s", v->stops);
}

/* A saved trace: the events alone. */
static void
draw_trace(Screen *s, const ViewState *v)
{
	char t[500];
	int body = s->h - 2;

	events_title(t, sizeof t, v);
	title(s, 1, 0, s->w, t, true);
	draw_pane(s, draw_events, v, 2, 0, s->w, body - 1);
}

void
view_draw(Screen *s, const ViewState *v)
{
	int body, top, nt, ns, wt, ws;
	char t[500];

	screen_clear(s);
	if (s->w < VIEW_MIN_W || s->h < VIEW_MIN_H) {
		draw_too_small(s);
		return;
	}
	draw_status(s, v);
	draw_keys(s, v);
	if (v->w == NULL) {
		draw_trace(s, v);
		goto overlays;
	}
	body = s->h - 2;        /* rows 1 .. h-2 */
	/* the widths the panes want, unwrapped */
	nt = count(draw_threads, v, 1 << 20, &wt);
	ns = count(draw_sockets, v, 1 << 20, &ws);
	events_title(t, sizeof t, v);
	if (s->w >= 110) {
		/* threads left, sockets right, events below: at most 60% of the
		 * body on top; each pane gets the width it needs when both fit,
		 * else they share in proportion */
		int lw, max = body * 6 / 10;

		/* the sockets' lines are the same width from step to step, the
		 * threads' are not: give the sockets what they need, so that the
		 * divider stays put and no number is cut, but leave the threads
		 * 45% (a buffer's flags wrap under it instead) */
		lw = s->w - ws - 3;
		if (lw < s->w * 45 / 100)
			lw = s->w * 45 / 100;
		(void)wt;
		if (lw < s->w / 3)
			lw = s->w / 3;
		if (lw > s->w * 2 / 3)
			lw = s->w * 2 / 3;
		/* the rows they take at the widths they get, wrapped */
		nt = count(draw_threads, v, lw, NULL);
		ns = count(draw_sockets, v, s->w - lw - 2, NULL);
		top = (nt > ns ? nt : ns) + 1;
		if (top > max)
			top = max;
		title(s, 1, 0, lw, "threads", v->focus == P_THREADS);
		title(s, 1, lw + 1, s->w - lw - 1, "sockets", v->focus == P_SOCKETS);
		for (int r = 1; r < top; r++)
			screen_fill(s, 1 + r, lw, 1, '|', AT_LINE | AT_DIM, C_NONE);
		screen_fill(s, 1, lw, 1, '+', AT_LINE | AT_DIM, C_NONE);
		draw_pane(s, draw_threads, v, 2, 0, lw, top - 1);
		draw_pane(s, draw_sockets, v, 2, lw + 2, s->w - lw - 2, top - 1);
	} else {
		int max = body / 3 - 1;
		int ht = nt < max ? nt : max, hs = ns < max ? ns : max;

		title(s, 1, 0, s->w, "threads", v->focus == P_THREADS);
		draw_pane(s, draw_threads, v, 2, 0, s->w, ht);
		title(s, 2 + ht, 0, s->w, "sockets", v->focus == P_SOCKETS);
		draw_pane(s, draw_sockets, v, 3 + ht, 0, s->w, hs);
		top = ht + hs + 2;
	}
	if (v->sel >= 0 && v->sel / 2 < v->w->nsocks && body - top > 10) {
		/* the selected buffer's chain, above the events */
		int nc = count(draw_chain, v, s->w, NULL);
		char ct[96];
		int i = v->sel / 2;

		if (nc > (body - top) / 3)
			nc = (body - top) / 3;
		snprintf(ct, sizeof ct, "chain of %s.%s (%s; d: a picture)", sock_name(v->w, i),
		    v->sel % 2 == SB_RCV ? "so_rcv" : "so_snd",
		    v->pinned ? "chosen in the sockets pane; f: follow the changes" :
		    "the buffer that changed last; Tab, j/k: another");
		title(s, 1 + top, 0, s->w, ct, false);
		draw_pane(s, draw_chain, v, 2 + top, 0, s->w, nc);
		top += nc + 1;
	}
	if (v->source != NULL && s->w >= 110) {
		/* events left, the scenario's text right: the events get the
		 * width their lines want, the text what is left */
		int ew = s->w - 32 < 96 ? s->w - 32 : 96;

		if (ew < s->w * 6 / 10)
			ew = s->w * 6 / 10;

		title(s, 1 + top, 0, ew, t, v->focus == P_EVENTS);
		title(s, 1 + top, ew + 1, s->w - ew - 1, "scenario", v->focus == P_SOURCE);
		for (int r = 1; r < body - top; r++)
			screen_fill(s, 1 + top + r, ew, 1, '|', AT_LINE | AT_DIM, C_NONE);
		screen_fill(s, 1 + top, ew, 1, '+', AT_LINE | AT_DIM, C_NONE);
		draw_pane(s, draw_events, v, 2 + top, 0, ew, body - top - 1);
		draw_pane(s, draw_source, v, 2 + top, ew + 2, s->w - ew - 2, body - top - 1);
	} else {
		title(s, 1 + top, 0, s->w, t, v->focus == P_EVENTS);
		draw_pane(s, draw_events, v, 2 + top, 0, s->w, body - top - 1);
	}
overlays:
	if (v->describe)
		draw_description(s, v);
	if (v->help)
		draw_help(s);
}
