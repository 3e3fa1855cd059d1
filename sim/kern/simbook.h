/*
 * simbook.h: simulator bookkeeping: not kernel code.
 *
 * The files of sim/kern/ read like the BSD sources they model.  What only
 * the simulator needs goes through the SIM_ macros and sim_ helpers here:
 *   cost      the per-routine counters of the cost table (trace/cost.c)
 *   counters  the counters `expect stat` and --stats read (counters.def)
 *   accounts  the byte accounting behind the conservation invariant
 *             (docs/design.md rule 4: sent = received + buffered + dropped)
 *   payload   the pattern every sender writes and every reader checks,
 *             the datagram tags, and the origin of spliced bytes (origin.c)
 * None of them changes what the simulated kernel does: take every SIM_ and
 * sim_ line (and every local named sim_*) away and the kernel's lines are
 * left, as in the BSD source.  The macros and static inline helpers
 * compile to the same work as the open-coded lines they replaced.
 */
#ifndef SOSIM_SIMBOOK_H
#define SOSIM_SIMBOOK_H

#include "kern.h"

#include <stdio.h>

/* ---- cost, counters, accounts ---- */

/* Cost table: routine who's counter field (calls, visits, bytes, allocs, locks, sleeps) += n. */
#define SIM_COST(w, who, field, n)  ((void)((w)->cost[(who)].field += (uint64_t)(n)))
/* uiomove's cost: len bytes copied for routine who, unless kttcp (it copies nothing). */
#define SIM_COST_UIOMOVE(w, who, kttcp, len) \
	((void)(!(kttcp) ? SIM_COST(w, who, bytes, len) : (void)0))
/* Counter for `expect stat NAME` (counters.def) += 1. */
#define SIM_COUNT(w, name)          ((void)((w)->stats.name++))
/* Counter for `expect stat NAME` += n. */
#define SIM_COUNT_N(w, name, n)     ((void)((w)->stats.name += (uint64_t)(n)))
/* Counter += 1 when cond holds (a condition only the counter asks). */
#define SIM_COUNT_IF(w, name, cond) ((void)((cond) ? SIM_COUNT(w, name) : (void)0))
/* Conservation account (a Socket's tx_app, rx_total, ..., or World's bytes_moved) += n. */
#define SIM_ACCOUNT(so, field, n)   ((void)((so)->field += (uint64_t)(n)))
/* The same when cond holds (a condition only the account asks). */
#define SIM_ACCOUNT_IF(so, field, n, cond) ((void)((cond) ? SIM_ACCOUNT(so, field, n) : (void)0))

/* Data bytes so_rcv holds (TCP: sb_cc), taken before a flush throws them away. */
static inline uint64_t
sim_rcv_held(World *w, Socket *so)
{
	return (uint64_t)(so->proto == PROTO_TCP ? so->rcv.cc : sb_datacc(w, &so->rcv));
}

/* No byte has crossed the connection yet: the scenario is still setting it up. */
static inline bool
sim_before_first_byte(const Socket *so, const Socket *peer)
{
	return so->rx_total == 0 && peer->tx_app == 0;
}

/* The bytes of the record sosend is about to hand the protocol (for the accounts). */
static inline uint64_t
sim_pkt_len(World *w, Ref top)
{
	return mb(w, top)->pkt_len;
}

/* sosend's accounts: n bytes accepted from the program, unless PRU_SEND failed. */
static inline void
sim_account_sent(World *w, Socket *so, uint64_t n, int error)
{
	if (!error) {
		so->tx_app += n;
		w->bytes_moved += n;
	}
}

/* ---- payload patterns and datagram tags ---- */

/* mbuf.c: byte k of stream s is a fixed pattern of (s, k) */
void payload_fill(uint8_t *dst, uint64_t stream, uint64_t off, uint64_t len);
bool payload_check(const uint8_t *src, uint64_t stream, uint64_t off, uint64_t len);
uint64_t tcp_stream_id(int sender_sock);

/* A new datagram's tag (Mbuf.tag, which datagram the bytes belong to). */
static inline uint32_t
sim_tag_new(World *w)
{
	return (uint32_t)++w->next_tag;
}

/* A copy of an mbuf keeps its datagram's tag. */
#define SIM_TAG_COPY(to, from)      ((void)((to)->tag = (from)->tag))
/* A new mbuf belongs to no datagram yet. */
#define SIM_TAG_CLEAR(m)            ((void)((m)->tag = 0))

/* The payload stream of datagram tag. */
static inline uint64_t
sim_dgram_stream(uint32_t tag)
{
	return 1000 + tag;
}

/* ---- origin.c: where the bytes of a TCP send stream come from ---- */

/* Stream offset (of the sender) of the first byte in so_rcv. */
static inline uint64_t
sim_rcv_base(const Socket *so)
{
	return so->rx_total - (uint64_t)so->rcv.cc;
}

/* The send offset of so's next byte: written by programs plus spliced in. */
static inline uint64_t
sim_tx_offset(const Socket *so)
{
	return so->tx_app + so->tx_moved;
}

/* Bytes at this socket's send offset tx come from (stream, off) for *run bytes. */
void sim_tx_origin(const Socket *so, uint64_t tx, uint64_t *stream, uint64_t *off, uint64_t *run);
/* Record that bytes from (stream, off) were appended at send offset tx. */
bool sim_tx_origin_add(World *w, Socket *so, uint64_t tx, uint64_t stream, uint64_t off);
/* The same for the byte at receive offset r of TCP socket so. */
void sim_rx_origin(World *w, const Socket *so, uint64_t r, uint64_t *stream, uint64_t *off,
    uint64_t *run);
/* len bytes from so_rcv of `from` at receive offset rxoff go into so_snd of `to`. */
void sim_tx_origin_splice(World *w, const Socket *from, uint64_t rxoff, Socket *to, uint64_t len);

/* n bytes taken off from's so_rcv at *rxoff go into to's so_snd: origin and accounts */
static inline void
sim_spliced(World *w, const Socket *from, uint64_t *rxoff, Socket *to, uint64_t n)
{
	sim_tx_origin_splice(w, from, *rxoff, to, n);
	*rxoff += n;
	to->tx_moved += n;
}

/* tcp_pulloutofband took the urgent byte at sender offset seq out of the stream. */
static inline void
sim_oob_pulled(World *w, Socket *so, uint64_t seq)
{
	if (so->noob_holes < 64)
		so->oob_hole[so->noob_holes++] = seq;
	else if (w->stop == STOP_NONE) {
		w->stop = STOP_LIMIT;
		snprintf(w->run->stop_msg, sizeof w->run->stop_msg,
		    "more than 64 urgent bytes pulled out of %s's stream: "
		    "beyond what the payload check can follow",
		    sock_name(w, socket_index(w, so)));
	}
	so->rx_total--;     /* so_rcv gets one byte less than the tlen the caller adds */
}

/* ---- writing and checking the payload ---- */

/* sosend's uiomove: fill len bytes of mbuf m (after chain top) with what so sends. */
static inline void
sim_payload_fill(World *w, Socket *so, int sockidx, Ref top, Ref m, uint64_t len)
{
	Mbuf *x = mb(w, m);
	uint64_t off;

	if (so->proto == PROTO_TCP) {
		off = sim_tx_offset(so) + (ref_null(top) ? 0 : mb(w, top)->pkt_len);
		if (so->norg > 0)
			sim_tx_origin_add(w, so, off, tcp_stream_id(sockidx), off);
		payload_fill(mtod(w, m), tcp_stream_id(sockidx), off, len);
		return;
	}
	if (ref_null(top)) {
		x->tag = sim_tag_new(w);
		off = 0;
	} else {
		x->tag = mb(w, top)->tag;
		off = mb(w, top)->pkt_len;
	}
	payload_fill(mtod(w, m), sim_dgram_stream(x->tag), off, len);
}

/* A datagram from outside: tag mbuf m and fill its len bytes at datagram offset off. */
static inline void
sim_payload_fill_dgram(World *w, Ref m, uint32_t tag, int64_t off, int64_t len)
{
	mb(w, m)->tag = tag;
	payload_fill(mtod(w, m), sim_dgram_stream(tag), (uint64_t)off, (uint64_t)len);
}

/* TCP bytes at receive offset r, mapped through any splices to the stream that first wrote them. */
static inline bool
sim_payload_check_tcp(World *w, Socket *so, const uint8_t *p, uint64_t r, uint64_t len)
{
	while (len > 0) {
		uint64_t stream, off, run, n;

		sim_rx_origin(w, so, r, &stream, &off, &run);
		n = run < len ? run : len;
		if (!payload_check(p, stream, off, n))
			return false;
		p += n;
		r += n;
		len -= n;
	}
	return true;
}

/* soreceive: the next byte read is the first in so_rcv (TCP) or of the datagram. */
static inline void
sim_read_begin(Frame *f, const Socket *so)
{
	f->u.sr.offset = so->proto == PROTO_TCP ? (int64_t)sim_rcv_base(so) : 0;
}

/* soreceive, MSG_WAITALL: a stream read starts again at the front of so_rcv. */
static inline void
sim_read_restart(Frame *f, const Socket *so)
{
	f->u.sr.offset = (int64_t)sim_rcv_base(so);
}

/* soreceive's uiomove of len bytes of x at p: check them against what was sent; move on. */
static inline void
sim_payload_verify(World *w, Socket *so, Frame *f, const Mbuf *x, const uint8_t *p, int64_t len)
{
	bool ok;

	if (so->proto == PROTO_TCP)
		ok = sim_payload_check_tcp(w, so, p, (uint64_t)f->u.sr.offset, (uint64_t)len);
	else
		ok = payload_check(p, sim_dgram_stream(x->tag), f->u.sr.offset, (uint64_t)len);
	if (!ok)
		world_violation(w, V_PAYLOAD,
		    "%s read %lld bytes at stream offset %lld that differ from what was sent",
		    sock_name(w, socket_index(w, so)), (long long)len, (long long)f->u.sr.offset);
	f->u.sr.offset += len;
}

/* soreceive_dgram's copy of len bytes of x (handle m) at datagram offset *off: check; move on. */
static inline void
sim_payload_verify_dgram(World *w, Socket *so, const Mbuf *x, Ref m, int64_t *off, int64_t len)
{
	if (!payload_check(mtod(w, m), sim_dgram_stream(x->tag), (uint64_t)*off, (uint64_t)len))
		world_violation(w, V_PAYLOAD, "%s: datagram bytes differ from what was sent",
		    sock_name(w, socket_index(w, so)));
	*off += len;
}

#endif
