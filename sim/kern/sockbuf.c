/*
 * sockbuf.c: socket buffer routines (NetBSD sys/kern/uipc_socket2.c).
 *
 * Follows NetBSD 2.0 (the sb_lastrecord/sb_mbtail change of mid-2002,
 * NetBSD kttcp.c 1.4) unless the sbappend-walk quirk is on, in which
 * case appends find the last record and its last mbuf by walking the
 * chain as NetBSD 1.6 (uipc_socket2.c before the change) and
 * 4.4BSD-Lite2 did.  The tail pointers are still kept under the quirk so
 * the invariant checks apply to every profile; only the cost of finding
 * the tail differs.
 *
 * Costs (SIM_COST): every mbuf a routine steps over is a "visit", every
 * byte it moves is a "byte" (see trace/cost.c for the weights).
 */
#include "kern.h"
#include "simbook.h"
#include "run.h"

/* ---- the trace of each buffer operation (events.def: sockbuf) ----
 *
 * Every public operation below reports cc and mbcnt before and after as
 * one event; one that another calls (sbappend -> sbappendrecord, sbflush
 * -> sbdrop) is part of the outer one's event, not an event of its own. */
typedef struct {
	int64_t cc, mbcnt;
	bool outer;
} SbTrace;

static SbTrace
sb_enter(World *w, const Sockbuf *sb)
{
	SbTrace t = { sb->cc, sb->mbcnt, w->run->sb_nest++ == 0 };

	return t;
}

static void
sb_leave(World *w, Socket *so, Sockbuf *sb, const char *op, SbTrace t)
{
	int which = sb == &so->rcv ? SB_RCV : sb == &so->snd ? SB_SND : -1;
	int sock = socket_index(w, so);
	int64_t len = sb->cc >= t.cc ? sb->cc - t.cc : t.cc - sb->cc;

	w->run->sb_nest--;
	if (!t.outer || (sb->cc == t.cc && sb->mbcnt == t.mbcnt))
		return;
	emitv(w, EVK_SOCKBUF, op, sock, which, EV(len, t.cc, sb->cc, t.mbcnt, sb->mbcnt),
	    "%s.%s %s %lld bytes: cc %lld -> %lld, mbcnt %lld -> %lld", sock_name(w, sock),
	    which == SB_RCV ? "so_rcv" : which == SB_SND ? "so_snd" : "(detached)",
	    sb->cc >= t.cc ? "+" : "-", (long long)len, (long long)t.cc, (long long)sb->cc,
	    (long long)t.mbcnt, (long long)sb->mbcnt);
}

int64_t
sbspace(const Sockbuf *sb)
{
	int64_t a = sb->hiwat - sb->cc, b = sb->mbmax - sb->mbcnt;

	return a < b ? a : b;
}

/*
 * sbreserve: NetBSD and FreeBSD refuse sizes that could not be held given
 * the mbuf overhead of clusters, and charge at most factor * cc of
 * storage, capped at sb_max.  OpenBSD checks cc against sb_max alone and
 * sets sb_mbmax = max(3 * MAXMCLBYTES, cc * 8) (uipc_socket2.c sbreserve).
 */
bool
sbreserve(World *w, Sockbuf *sb, int64_t cc)
{
	const Profile *p = w->prof;
	int64_t max = w->sb_max ? w->sb_max : p->sb_max;
	int64_t mbmax;

	if (p->mbmax_floor != 0) {
		if (cc <= 0 || cc > max)
			return false;
		mbmax = cc * p->mbmax_factor;
		sb->hiwat = cc;
		sb->mbmax = mbmax > p->mbmax_floor ? mbmax : p->mbmax_floor;
		if (sb->lowat > sb->hiwat)
			sb->lowat = sb->hiwat;
		return true;
	}
	if (cc <= 0 || cc > max * p->mclbytes / (p->msize + p->mclbytes))
		return false;
	sb->hiwat = cc;
	mbmax = cc * p->mbmax_factor;
	sb->mbmax = mbmax < max ? mbmax : max;
	if (sb->lowat > sb->hiwat)
		sb->lowat = sb->hiwat;
	return true;
}

void
sballoc(World *w, Sockbuf *sb, Ref r)
{
	Mbuf *m = mb(w, r);

	sb->cc += m->len;
	if (mt_isdata(m->type))
		sb->datacc += m->len;
	sb->mbcnt += w->prof->msize;
	if (m->flags & M_EXT)
		sb->mbcnt += w->prof->mclbytes;
}

void
sbfree(World *w, Sockbuf *sb, Ref r)
{
	Mbuf *m = mb(w, r);

	sb->cc -= m->len;
	if (mt_isdata(m->type))
		sb->datacc -= m->len;
	sb->mbcnt -= w->prof->msize;
	if (m->flags & M_EXT)
		sb->mbcnt -= w->prof->mclbytes;
}

/*
 * Data bytes only (sb_cc counts names and control too).  OpenBSD keeps
 * sb_datacc as a counter next to sb_cc (sballoc/sbfree); so does the
 * simulator, and sbcheck recounts it from the chain after every step.
 */
int64_t
sb_datacc(World *w, const Sockbuf *sb)
{
	(void)w;
	return sb->datacc;
}

/* SBLINKRECORD, with the pre-2002 walk to the last record under the quirk. */
static void
sblinkrecord(World *w, Sockbuf *sb, Ref m0, RoutineId who)
{
	Ref last = sb->lastrecord;

	if (quirk_on(w, QUIRK_SBAPPEND_WALK) && !ref_null(sb->mb)) {
		last = sb->mb;
		SIM_COST(w, who, visits, 1);
		while (!ref_null(mb(w, last)->nextpkt)) {
			last = mb(w, last)->nextpkt;
			SIM_COST(w, who, visits, 1);
		}
	}
	if (!ref_null(last))
		mb(w, last)->nextpkt = m0;
	else
		sb->mb = m0;
	sb->lastrecord = m0;
}

static bool
may_coalesce(World *w, Ref nr, Ref mr)
{
	Mbuf *n = mb(w, nr), *m = mb(w, mr);

	if (n->type != m->type || (n->flags & M_EOR))
		return false;
	if (w->prof->coalesce == COALESCE_LITE2) {
		/* 4.4BSD-Lite2: internal storage only, and strictly inside m_dat */
		return !(n->flags & M_EXT) &&
		    n->off + n->len + m->len < (uint32_t)w->prof->mlen;
	}
	return m->len <= (uint32_t)w->prof->mclbytes / 4 &&
	    (int64_t)m->len <= m_trailingspace(w, nr);
}

/*
 * sbcompress: append chain m after mbuf n (n == NULL: the buffer is empty),
 * dropping empty mbufs and copying small ones into the trailing space of
 * the one before.
 */
void
sbcompress(World *w, Sockbuf *sb, Ref m, Ref n)
{
	int eor = 0;

	SIM_COST(w, R_SBCOMPRESS, calls, 1);
	while (!ref_null(m) && w->stop != STOP_VIOLATION) {
		Mbuf *x = mb(w, m);
		Ref o;

		SIM_COST(w, R_SBCOMPRESS, visits, 1);
		eor |= x->flags & M_EOR;
		o = !ref_null(x->next) ? x->next : n;
		if (x->len == 0 && (eor == 0 || (!ref_null(o) && mb(w, o)->type == x->type))) {
			if (ref_eq(sb->lastrecord, m))
				sb->lastrecord = x->next;
			m = m_free(w, m);
			continue;
		}
		if (!ref_null(n) && may_coalesce(w, n, m)) {
			Mbuf *nn = mb(w, n);

			emitv(w, EVK_SBCOMPRESS, "sbcompress", -1, -1, EV(m.i, n.i, x->len, 1),
			    "m%u's %u bytes copied into m%u's free space; m%u freed", m.i, x->len, n.i, m.i);
			memcpy(mtod(w, n) + nn->len, mtod(w, m), x->len);
			SIM_COST(w, R_SBCOMPRESS, bytes, x->len);
			nn->len += x->len;
			sb->cc += x->len;
			sb->datacc += x->len;
			m = m_free(w, m);
			continue;
		}
		if (ref_null(n))
			emitv(w, EVK_SBCOMPRESS, "sbcompress", -1, -1, EV(m.i, 0, x->len, 0),
			    "m%u (%u bytes) is the buffer's first mbuf", m.i, x->len);
		else
			emitv(w, EVK_SBCOMPRESS, "sbcompress", -1, -1, EV(m.i, n.i, x->len, 0),
			    "m%u (%u bytes) linked after m%u", m.i, x->len, n.i);
		if (!ref_null(n))
			mb(w, n)->next = m;
		else
			sb->mb = m;
		sb->mbtail = m;
		sballoc(w, sb, m);
		n = m;
		x->flags &= (uint8_t)~M_EOR;
		m = x->next;
		x->next = REF_NULL;
	}
	if (eor && !ref_null(n))
		mb(w, n)->flags |= M_EOR;
}

/*
 * sbappend: append to the last record; a record that already ends with
 * M_EOR makes this a new record.  Even after the 2002 change this walks
 * the last record looking for M_EOR (NetBSD's "XXX Would like to simply
 * use sb_mbtail here"); before it, the walk also started at sb_mb.
 */
static void
sbappend_op(World *w, Socket *so, Sockbuf *sb, Ref m)
{
	Ref n;

	(void)so;
	if (ref_null(m))
		return;
	SIM_COST(w, R_SBAPPEND, calls, 1);
	n = sb->lastrecord;
	if (quirk_on(w, QUIRK_SBAPPEND_WALK) && !ref_null(sb->mb)) {
		n = sb->mb;
		SIM_COST(w, R_SBAPPEND, visits, 1);
		while (!ref_null(mb(w, n)->nextpkt)) {
			n = mb(w, n)->nextpkt;
			SIM_COST(w, R_SBAPPEND, visits, 1);
		}
	}
	if (!ref_null(n)) {
		for (;;) {
			Mbuf *x = mb(w, n);

			SIM_COST(w, R_SBAPPEND, visits, 1);
			if (x->flags & M_EOR) {
				sbappendrecord(w, so, sb, m);
				return;
			}
			if (ref_null(x->next) || w->stop == STOP_VIOLATION)
				break;
			n = x->next;
		}
	} else
		sb->lastrecord = m;
	sbcompress(w, sb, m, n);
}

/* sbappendstream: stream protocols keep one record; append at sb_mbtail. */
static void
sbappendstream_op(World *w, Socket *so, Sockbuf *sb, Ref m)
{
	(void)so;
	if (ref_null(m))
		return;
	SIM_COST(w, R_SBAPPENDSTREAM, calls, 1);
	if (!ref_null(mb(w, m)->nextpkt) || !ref_eq(sb->mb, sb->lastrecord))
		world_violation(w, V_SBLASTRECORDCHK,
		    "sbappendstream on a buffer with more than one record");
	sbcompress(w, sb, m, sb->mbtail);
	sb->lastrecord = sb->mb;
}

static void
sbappendrecord_op(World *w, Socket *so, Sockbuf *sb, Ref m0)
{
	Ref m;
	Mbuf *x;

	(void)so;
	if (ref_null(m0))
		return;
	SIM_COST(w, R_SBAPPENDRECORD, calls, 1);
	sballoc(w, sb, m0);
	sblinkrecord(w, sb, m0, R_SBAPPENDRECORD);
	x = mb(w, m0);
	m = x->next;
	x->next = REF_NULL;
	if (!ref_null(m) && (x->flags & M_EOR)) {
		x->flags &= (uint8_t)~M_EOR;
		mb(w, m)->flags |= M_EOR;
	}
	/* FreeBSD sets the tail here; without it a one-mbuf record leaves
	 * sb_mbtail pointing into the previous record. */
	sb->mbtail = m0;
	sbcompress(w, sb, m, m0);
}

/* Build name -> control -> data and link it as one record; no coalescing. */
static void
link_record(World *w, Sockbuf *sb, Ref head, RoutineId who)
{
	Ref last = head;

	for (Ref m = head; !ref_null(m); m = mb(w, m)->next) {
		sballoc(w, sb, m);
		last = m;
		SIM_COST(w, who, visits, 1);
	}
	sblinkrecord(w, sb, head, who);
	sb->mbtail = last;
}

static uint64_t
chain_len(World *w, Ref m)
{
	return m_length(w, m);
}

static bool
sbappendaddr_op(World *w, Socket *so, Sockbuf *sb, uint32_t ip, uint16_t port, Ref m0, Ref control)
{
	const int sa_len = 16;  /* sizeof(struct sockaddr_in) */
	int64_t space;
	Ref name, n;
	uint8_t *p;

	(void)so;
	SIM_COST(w, R_SBAPPENDADDR, calls, 1);
	if (!ref_null(m0) && !(mb(w, m0)->flags & M_PKTHDR)) {
		world_violation(w, V_SBCHECK, "sbappendaddr: datagram without a packet header");
		return false;
	}
	space = sa_len + (ref_null(m0) ? 0 : mb(w, m0)->pkt_len) + (int64_t)chain_len(w, control);
	if (space > sbspace(sb))
		return false;
	name = m_get(w, M_DONTWAIT, MT_SONAME);
	if (ref_null(name))
		return false;
	mb(w, name)->len = sa_len;
	p = mtod(w, name);
	memset(p, 0, sa_len);
	p[0] = sa_len;
	p[1] = 2;   /* AF_INET */
	p[2] = (uint8_t)(port >> 8);
	p[3] = (uint8_t)port;
	p[4] = (uint8_t)(ip >> 24);
	p[5] = (uint8_t)(ip >> 16);
	p[6] = (uint8_t)(ip >> 8);
	p[7] = (uint8_t)ip;
	if (!ref_null(control)) {
		for (n = control; !ref_null(mb(w, n)->next); n = mb(w, n)->next)
			;
		mb(w, n)->next = m0;
		mb(w, name)->next = control;
	} else
		mb(w, name)->next = m0;
	link_record(w, sb, name, R_SBAPPENDADDR);
	return true;
}

static bool
sbappendcontrol_op(World *w, Socket *so, Sockbuf *sb, Ref m0, Ref control)
{
	Ref n;

	(void)so;
	if (ref_null(control))
		return false;
	if ((int64_t)(chain_len(w, control) + chain_len(w, m0)) > sbspace(sb))
		return false;
	for (n = control; !ref_null(mb(w, n)->next); n = mb(w, n)->next)
		;
	mb(w, n)->next = m0;
	link_record(w, sb, control, R_SBAPPENDRECORD);
	return true;
}

/*
 * After records were taken off the front: store the cached next-record
 * pointer back (NetBSD/OpenBSD sbsync) and repair the tail pointers.
 */
void
sbsync(World *w, Sockbuf *sb, Ref nextrecord)
{
	if (!ref_null(sb->mb)) {
		mb(w, sb->mb)->nextpkt = nextrecord;
		if (ref_null(nextrecord))
			sb->lastrecord = sb->mb;
	} else
		sb->mb = nextrecord;
	if (ref_null(sb->mb)) {
		sb->mbtail = REF_NULL;
		sb->lastrecord = REF_NULL;
	} else if (ref_null(mb(w, sb->mb)->nextpkt))
		sb->lastrecord = sb->mb;
}

/*
 * Take up to len bytes off the front of a stream buffer as an mbuf chain,
 * unlinking whole mbufs instead of copying them (OpenBSD somove; soreceive
 * into an mbuf chain does the same).  An mbuf that straddles len is split,
 * its front copied with m_copym, only if split is true; otherwise the take
 * stops before it.  *taken says how many bytes came off.
 */
static Ref
sbtake_op(World *w, Socket *so, Sockbuf *sb, int64_t len, bool split, RoutineId who, int64_t *taken)
{
	Ref m = sb->mb, next, top = REF_NULL, tail = REF_NULL;
	int64_t got = 0;

	(void)so;
	*taken = 0;
	if (ref_null(m) || len > sb->cc) {
		world_violation(w, V_SBCHECK, "sbtake of %lld bytes from a buffer holding %lld",
		    (long long)len, (long long)sb->cc);
		return REF_NULL;
	}
	next = mb(w, m)->nextpkt;
	mb(w, m)->nextpkt = REF_NULL;
	while (got < len && !ref_null(m)) {
		Mbuf *x = mb(w, m);
		Ref piece;

		SIM_COST(w, who, visits, 1);
		if (x->len > len - got) {
			if (!split)
				break;
			piece = m_copym(w, m, 0, (uint64_t)(len - got), who);
			x->len -= (uint32_t)(len - got);
			x->off += (uint32_t)(len - got);
			sb->cc -= len - got;
			if (mt_isdata(x->type))
				sb->datacc -= len - got;
			got = len;
		} else {
			piece = m;
			got += x->len;
			sbfree(w, sb, m);
			m = x->next;
			x->next = REF_NULL;
		}
		if (ref_null(top))
			top = piece;
		else
			mb(w, tail)->next = piece;
		tail = piece;
	}
	if (!ref_null(m)) {
		sb->mb = m;
		mb(w, m)->nextpkt = next;
	} else
		sb->mb = next;
	if (ref_null(sb->mb)) {
		sb->mbtail = REF_NULL;
		sb->lastrecord = REF_NULL;
	} else if (ref_null(mb(w, sb->mb)->nextpkt))
		sb->lastrecord = sb->mb;
	*taken = got;
	return top;
}

static void
sbdrop_op(World *w, Socket *so, Sockbuf *sb, int64_t len)
{
	Ref m = sb->mb, next;

	(void)so;
	SIM_COST(w, R_SBDROP, calls, 1);
	if (len > sb->cc) {
		world_violation(w, V_SBCHECK, "sbdrop of %lld bytes from a buffer holding %lld",
		    (long long)len, (long long)sb->cc);
		return;
	}
	next = ref_null(m) ? REF_NULL : mb(w, m)->nextpkt;
	while (len > 0 && w->stop != STOP_VIOLATION) {
		Mbuf *x;

		if (ref_null(m)) {
			m = next;
			next = mb(w, m)->nextpkt;
			continue;
		}
		x = mb(w, m);
		SIM_COST(w, R_SBDROP, visits, 1);
		if (x->len > len) {
			x->len -= (uint32_t)len;
			x->off += (uint32_t)len;
			sb->cc -= len;
			if (mt_isdata(x->type))
				sb->datacc -= len;
			break;
		}
		len -= x->len;
		sbfree(w, sb, m);
		m = m_free(w, m);
	}
	while (!ref_null(m) && mb(w, m)->len == 0 && w->stop != STOP_VIOLATION) {
		sbfree(w, sb, m);
		m = m_free(w, m);
	}
	if (!ref_null(m)) {
		sb->mb = m;
		mb(w, m)->nextpkt = next;
	} else
		sb->mb = next;
	if (ref_null(sb->mb)) {
		sb->mbtail = REF_NULL;
		sb->lastrecord = REF_NULL;
	} else if (ref_null(mb(w, sb->mb)->nextpkt))
		sb->lastrecord = sb->mb;
}

static void
sbdroprecord_op(World *w, Socket *so, Sockbuf *sb)
{
	Ref m = sb->mb;

	(void)so;
	SIM_COST(w, R_SBDROPRECORD, calls, 1);
	if (ref_null(m))
		return;
	sb->mb = mb(w, m)->nextpkt;
	mb(w, m)->nextpkt = REF_NULL;
	while (!ref_null(m) && w->stop != STOP_VIOLATION) {
		SIM_COST(w, R_SBDROPRECORD, visits, 1);
		sbfree(w, sb, m);
		m = m_free(w, m);
	}
	if (ref_null(sb->mb)) {
		sb->mbtail = REF_NULL;
		sb->lastrecord = REF_NULL;
	}
}

static void
sbflush_op(World *w, Socket *so, Sockbuf *sb)
{
	if (sb->flags & SB_LOCK)
		world_violation(w, V_LOCK_OWNER, "sbflush of a locked socket buffer");
	sb_mpurge(w, so, sb);
}

/*
 * OpenBSD 7.6 sofree: m_purge(so->so_rcv.sb_mb) with no SB_LOCK check
 * ("Unlocked dispose and cleanup is safe.  Socket is unlinked from
 * everywhere.  Even concurrent sotask() thread will not call somove().").
 * sosim drops the chain through sbdrop so the dying socket's counters
 * stay equal to its (empty) chain for the invariants.
 */
static void
sb_mpurge_op(World *w, Socket *so, Sockbuf *sb)
{
	SIM_COST(w, R_SBFLUSH, calls, 1);
	while (sb->mbcnt > 0 && w->stop != STOP_VIOLATION) {
		int64_t before = sb->mbcnt;

		sbdrop(w, so, sb, sb->cc);
		if (sb->mbcnt == before) {
			world_violation(w, V_SBCHECK, "sbflush makes no progress (mbcnt %lld)",
			    (long long)sb->mbcnt);
			break;
		}
	}
	if (sb->cc != 0 || !ref_null(sb->mb))
		world_violation(w, V_SBCHECK, "sbflush left cc %lld", (long long)sb->cc);
}

void
sbrelease(World *w, Socket *so, Sockbuf *sb)
{
	sbflush(w, so, sb);
	sb->hiwat = sb->mbmax = 0;
}


void
sbappend(World *w, Socket *so, Sockbuf *sb, Ref m)
{
	SbTrace t = sb_enter(w, sb);

	sbappend_op(w, so, sb, m);
	sb_leave(w, so, sb, "sbappend", t);
}

void
sbappendstream(World *w, Socket *so, Sockbuf *sb, Ref m)
{
	SbTrace t = sb_enter(w, sb);

	sbappendstream_op(w, so, sb, m);
	sb_leave(w, so, sb, "sbappendstream", t);
}

void
sbappendrecord(World *w, Socket *so, Sockbuf *sb, Ref m0)
{
	SbTrace t = sb_enter(w, sb);

	sbappendrecord_op(w, so, sb, m0);
	sb_leave(w, so, sb, "sbappendrecord", t);
}

bool
sbappendaddr(World *w, Socket *so, Sockbuf *sb, uint32_t ip, uint16_t port, Ref m0, Ref control)
{
	SbTrace t = sb_enter(w, sb);
	bool r = sbappendaddr_op(w, so, sb, ip, port, m0, control);

	sb_leave(w, so, sb, "sbappendaddr", t);
	return r;
}

bool
sbappendcontrol(World *w, Socket *so, Sockbuf *sb, Ref m0, Ref control)
{
	SbTrace t = sb_enter(w, sb);
	bool r = sbappendcontrol_op(w, so, sb, m0, control);

	sb_leave(w, so, sb, "sbappendcontrol", t);
	return r;
}

Ref
sbtake(World *w, Socket *so, Sockbuf *sb, int64_t len, bool split, RoutineId who, int64_t *taken)
{
	SbTrace t = sb_enter(w, sb);
	Ref r = sbtake_op(w, so, sb, len, split, who, taken);

	sb_leave(w, so, sb, "sbtake", t);
	return r;
}

void
sbdrop(World *w, Socket *so, Sockbuf *sb, int64_t len)
{
	SbTrace t = sb_enter(w, sb);

	sbdrop_op(w, so, sb, len);
	sb_leave(w, so, sb, "sbdrop", t);
}

void
sbdroprecord(World *w, Socket *so, Sockbuf *sb)
{
	SbTrace t = sb_enter(w, sb);

	sbdroprecord_op(w, so, sb);
	sb_leave(w, so, sb, "sbdroprecord", t);
}

void
sbflush(World *w, Socket *so, Sockbuf *sb)
{
	SbTrace t = sb_enter(w, sb);

	sbflush_op(w, so, sb);
	sb_leave(w, so, sb, "sbflush", t);
}

void
sb_mpurge(World *w, Socket *so, Sockbuf *sb)
{
	SbTrace t = sb_enter(w, sb);

	sb_mpurge_op(w, so, sb);
	sb_leave(w, so, sb, "m_purge", t);
}
