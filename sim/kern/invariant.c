/*
 * invariant.c: the checks of docs/design.md rule 4, run after every step.
 *
 *   SBCHECK          sb_cc and sb_mbcnt equal the sums over the chain, and
 *                    only record heads carry m_nextpkt (OpenBSD's sbcheck)
 *   SBLASTRECORDCHK  following m_nextpkt from sb_mb ends at sb_lastrecord
 *   SBLASTMBUFCHK    the last mbuf of the last record is sb_mbtail
 *   stream           a stream socket's buffer holds a single record
 *   lock-owner       SB_LOCK is held exactly when a live thread owns it
 *   conservation     bytes accepted = acknowledged + dropped + still in so_snd;
 *                    for UDP, = put on the wire + dropped; at the end, every
 *                    UDP byte put on the wire reached a socket or no port;
 *                    bytes received = read + flushed + still in so_rcv
 *   mbuf-leak        (at the end) every live mbuf is in a buffer, on the
 *                    wire, or held by a running routine
 * The payload check (bytes read equal bytes sent) runs at every copy in
 * soreceive; stale handles are caught when dereferenced (mbuf.c).
 */
#include "machine.h"
#include "kern.h"
#include "simbook.h"
#include "world_hash.h"

static const char *
bufname(int which)
{
	return which == SB_RCV ? "so_rcv" : "so_snd";
}

bool
sbcheck(World *w, int sock, int which)
{
	Socket *so = &w->socks[sock];
	Sockbuf *sb = which == SB_RCV ? &so->rcv : &so->snd;
	const char *sn = sock_name(w, sock), *bn = bufname(which);
	int64_t cc = 0, datacc = 0, mbcnt = 0;
	const int64_t msize = w->prof->msize, mclbytes = w->prof->mclbytes;
	Ref rec, last = REF_NULL, lastm = REF_NULL;
	const Mbuf *head;
	int nrec = 0;
	uint64_t guard = 0;
	/* the restoring explorer hashes this chain next: its digest, made on
	 * this walk, spares it a second one (world_hash.h, chain_note) */
	bool note = w->run->check_touched;
	uint64_t digest = CHAIN_SEED;

	/* a check only reads: world_mbuf, which marks nothing written (the
	 * restore of a snapshot copies back what mb() handed out); mb() only
	 * to report a stale handle */
	for (rec = sb->mb; !ref_null(rec); rec = head->nextpkt) {
		const Mbuf *x;

		if ((head = world_mbuf(w, rec)) == NULL) {
			(void)mb(w, rec);
			return false;
		}
		nrec++;
		last = rec;
		if (note)
			digest = chain_mix_record(digest);
		for (Ref m = rec; !ref_null(m); m = x->next) {
			if ((x = world_mbuf(w, m)) == NULL) {
				(void)mb(w, m);
				return false;
			}
			if (++guard > w->nmbufs) {     /* more mbufs than the pool has */
				world_violation(w, V_SBCHECK, "%s.%s: the chain has a cycle", sn, bn);
				return false;
			}
			if (note)
				digest = chain_mix_mbuf(digest, x);
			cc += x->len;
			if (mt_isdata(x->type))
				datacc += x->len;
			mbcnt += msize + ((x->flags & M_EXT) ? mclbytes : 0);
			if (!ref_eq(m, rec) && !ref_null(x->nextpkt)) {
				world_violation(w, V_SBCHECK, "%s.%s: an mbuf inside a record has m_nextpkt set",
				    sn, bn);
				return false;
			}
			lastm = m;
		}
	}
	if (cc != sb->cc || mbcnt != sb->mbcnt) {
		world_violation(w, V_SBCHECK, "%s.%s: sb_cc %lld, sb_mbcnt %lld, but the chain holds %lld bytes in %lld of storage",
		    sn, bn, (long long)sb->cc, (long long)sb->mbcnt, (long long)cc, (long long)mbcnt);
		return false;
	}
	if (datacc != sb->datacc) {
		world_violation(w, V_SBCHECK, "%s.%s: sb_datacc %lld, but the chain holds %lld data bytes",
		    sn, bn, (long long)sb->datacc, (long long)datacc);
		return false;
	}
	if (!ref_eq(last, sb->lastrecord)) {
		world_violation(w, V_SBLASTRECORDCHK, "%s.%s: sb_lastrecord is not the last record",
		    sn, bn);
		return false;
	}
	if (!ref_eq(lastm, sb->mbtail)) {
		world_violation(w, V_SBLASTMBUFCHK, "%s.%s: sb_mbtail is not the last mbuf", sn, bn);
		return false;
	}
	if (so->proto == PROTO_TCP && nrec > 1) {
		world_violation(w, V_STREAM, "%s.%s: a stream buffer holds %d records", sn, bn, nrec);
		return false;
	}
	if (sb->flags & SB_LOCK) {
		int o = sb->lock_owner;

		if (o < 0 || o >= w->nthreads || w->threads[o].state == TS_DONE) {
			world_violation(w, V_LOCK_OWNER, "%s.%s: SB_LOCK is held by %s", sn, bn,
			    o < 0 ? "nobody" : "a thread that has exited");
			return false;
		}
	} else if (sb->lock_owner != -1) {
		world_violation(w, V_LOCK_OWNER, "%s.%s: an owner is recorded but SB_LOCK is clear", sn, bn);
		return false;
	}
	if (note)
		chain_note(w, sock, which, chain_end(digest, guard));
	return true;
}

/* Data bytes of sock's datagrams that a soreceive_dgram has taken off
 * so_rcv and not yet copied out (FreeBSD: it may be preempted between). */
static uint64_t
rx_held(World *w, int sock)
{
	uint64_t n = 0;

	for (int t = 0; t < w->nthreads; t++)
		for (int d = 0; d < w->threads[t].depth; d++) {
			const Frame *f = &w->threads[t].stack[d];

			if (f->mach != MACH_SORECEIVE_DGRAM || ref_null(f->u.sr.rec) ||
			    f->u.sr.so.i != (uint32_t)sock + 1)
				continue;
			for (Ref m = f->u.sr.rec; !ref_null(m); m = mb(w, m)->next)
				if (mt_isdata(mb(w, m)->type))
					n += mb(w, m)->len;
		}
	return n;
}

static bool
conservation(World *w, int sock)
{
	Socket *so = &w->socks[sock];

	if (so->proto == PROTO_TCP) {
		if (sim_tx_offset(so) != so->tx_acked + so->tx_dropped + (uint64_t)so->snd.cc) {
			world_violation(w, V_CONSERVATION,
			    "%s: %llu bytes sent or spliced in, but %llu acknowledged + %llu dropped + %lld in so_snd",
			    sock_name(w, sock), (unsigned long long)sim_tx_offset(so),
			    (unsigned long long)so->tx_acked, (unsigned long long)so->tx_dropped,
			    (long long)so->snd.cc);
			return false;
		}
		if (so->rx_total != so->rx_app + so->rx_dropped + so->rx_moved + (uint64_t)so->rcv.cc) {
			world_violation(w, V_CONSERVATION,
			    "%s: %llu bytes received, but %llu read + %llu flushed + %llu spliced + %lld in so_rcv",
			    sock_name(w, sock), (unsigned long long)so->rx_total,
			    (unsigned long long)so->rx_app, (unsigned long long)so->rx_dropped,
			    (unsigned long long)so->rx_moved,
			    (long long)so->rcv.cc);
			return false;
		}
		return true;
	}
	/* UDP: every byte written or spliced in went on the wire (or was
	 * thrown away); every byte appended to so_rcv was read, flushed,
	 * spliced on, or is still there (its data: sb_cc also counts the
	 * sender's address and control) */
	if (so->tx_app + so->tx_moved != so->tx_sent + so->tx_dropped + (uint64_t)so->snd.datacc) {
		world_violation(w, V_CONSERVATION,
		    "%s: %llu bytes sent or spliced in, but %llu put on the wire + %llu dropped + %lld in so_snd",
		    sock_name(w, sock), (unsigned long long)(so->tx_app + so->tx_moved),
		    (unsigned long long)so->tx_sent, (unsigned long long)so->tx_dropped,
		    (long long)so->snd.datacc);
		return false;
	}
	if (so->rx_total != so->rx_app + so->rx_dropped + so->rx_moved + (uint64_t)so->rcv.datacc +
	    rx_held(w, sock)) {
		world_violation(w, V_CONSERVATION,
		    "%s: %llu bytes of datagrams received, but %llu read + %llu flushed + %llu spliced + "
		    "%lld in so_rcv + %llu being read", sock_name(w, sock), (unsigned long long)so->rx_total,
		    (unsigned long long)so->rx_app, (unsigned long long)so->rx_dropped,
		    (unsigned long long)so->rx_moved, (long long)so->rcv.datacc,
		    (unsigned long long)rx_held(w, sock));
		return false;
	}
	return true;
}

/*
 * At the end, nothing on the wire: every UDP byte put on it reached a
 * socket's so_rcv, was dropped there for want of room (udps_fullsock), or
 * went to a port nobody had bound.
 */
static bool
conservation_udp_wire(World *w)
{
	uint64_t sent = 0, arrived = 0;

	for (int i = 0; i < w->nsocks; i++) {
		const Socket *so = &w->socks[i];

		if (so->proto != PROTO_UDP)
			continue;
		sent += so->tx_sent;
		arrived += so->rx_wire;
	}
	if (sent != arrived + w->udp_unbound) {
		world_violation(w, V_CONSERVATION,
		    "UDP: %llu bytes put on the wire, but %llu reached a socket (%s) + %llu to no socket",
		    (unsigned long long)sent, (unsigned long long)arrived, "appended or dropped for room",
		    (unsigned long long)w->udp_unbound);
		return false;
	}
	return true;
}

bool
kern_invariants_step(World *w, uint32_t socks)
{
	for (int i = 0; i < w->nsocks; i++) {
		if (!w->socks[i].live || !(socks & sock_bit(i)))
			continue;
		if (!sbcheck(w, i, SB_RCV) || !sbcheck(w, i, SB_SND) || !conservation(w, i))
			return false;
	}
	return true;
}

/* ---- the end-of-run leak check ---- */

static void
count_chain(World *w, Ref m, void *ctx)
{
	uint64_t *n = ctx;

	for (; !ref_null(m) && w->stop != STOP_VIOLATION; m = mb(w, m)->next)
		(*n)++;
}

static void
count_buffer(World *w, Sockbuf *sb, uint64_t *n)
{
	for (Ref rec = sb->mb; !ref_null(rec); rec = mb(w, rec)->nextpkt)
		count_chain(w, rec, n);
}

/* The live mbufs that are in a buffer, on the wire, or held by a routine. */
static uint64_t
mbufs_reachable(World *w)
{
	uint64_t reachable = 0;

	for (int i = 0; i < w->nsocks; i++) {
		count_buffer(w, &w->socks[i].rcv, &reachable);
		count_buffer(w, &w->socks[i].snd, &reachable);
	}
	wire_foreach_chain(w, count_chain, &reachable);
	for (int t = 0; t < w->nthreads; t++)
		for (int d = 0; d < w->threads[t].depth; d++) {
			Frame *f = &w->threads[t].stack[d];

			if (f->mach == MACH_SOSEND)
				count_chain(w, f->u.ss.top, &reachable);
			else if (f->mach == MACH_SORECEIVE_DGRAM)
				count_chain(w, f->u.sr.rec, &reachable);
			else if (f->mach == MACH_SOMOVE)
				count_chain(w, f->u.mv.m, &reachable);
		}
	return reachable;
}

/* Whether splice_state k is allocated with nothing referring to it. */
static bool
kmem_leaked(const World *w, int k)
{
	if (!w->kmem[k].live)
		return false;
	for (int t = 0; t < w->nthreads; t++)
		for (int d = 0; d < w->threads[t].depth; d++)
			if (w->threads[t].stack[d].mach == MACH_SYS_SPLICE &&
			    w->threads[t].stack[d].pc > 0 && w->threads[t].stack[d].u.sp.knot == k)
				return false;
	return true;
}

uint64_t
kern_leaked(World *w, bool kmem)
{
	uint64_t n = 0;

	if (kmem) {
		for (int k = 0; k < w->nkmem; k++)
			n += kmem_leaked(w, k);
		return n;
	}
	n = mbufs_reachable(w);
	return w->mlive > n ? w->mlive - n : 0;
}

bool
kern_invariants_end(World *w)
{
	uint64_t reachable;

	if (!invariants_check(w))
		return false;
	if (w->nwork == 0 && !conservation_udp_wire(w))
		return false;
	reachable = mbufs_reachable(w);
	/* kernel malloc: a splice_state nobody holds any more has leaked */
	for (int k = 0; k < w->nkmem; k++) {
		if (kmem_leaked(w, k)) {
			world_violation(w, V_MALLOC_LEAK,
			    "splice_state %d (malloc'd by splice(2) of %s and %s) is allocated but "
			    "nothing refers to it", k, sock_name(w, w->kmem[k].so1),
			    sock_name(w, w->kmem[k].so2));
			return false;
		}
	}
	if (reachable != w->mlive) {
		world_violation(w, V_MBUF_LEAK, "%llu mbufs are allocated but only %llu are in a buffer, on the wire, or held by a routine",
		    (unsigned long long)w->mlive, (unsigned long long)reachable);
		return false;
	}
	return true;
}
