/*
 * wire.c: segments in flight.  Every segment is delivered, in order, after
 * its link's one-way delay; softnet hands it to tcp_input or udp_input.
 */
#include "kern.h"

#include <stdlib.h>

static Segment *
sslot(World *w, uint32_t i)
{
	stamp_slot(w, w->ststamp, i);
	return &w->schunk[i >> POOL_CHUNK_SHIFT][i & (POOL_CHUNK - 1)];
}

Segment *
seg_alloc(World *w, uint32_t *slot)
{
	Segment *s;
	uint32_t gen;

	if (w->sfree == 0) {
		uint32_t c = w->nsegs >> POOL_CHUNK_SHIFT;

		if (c >= POOL_MAX_CHUNKS) {
			world_violation(w, V_LIMIT, "more than %u segments in flight",
			    POOL_MAX_CHUNKS * POOL_CHUNK);
			*slot = 0;
			return w->schunk[0];
		}
		pool_chunk((void **)w->schunk, w->ststamp, NULL, NULL, c, sizeof(Segment), 0, true);
		for (uint32_t k = POOL_CHUNK; k-- > 0;) {
			uint32_t i = w->nsegs + k;

			if (i == 0)
				continue;
			sslot(w, i)->seq = w->sfree;
			w->sfree = i;
		}
		w->nsegs += POOL_CHUNK;
	}
	*slot = w->sfree;
	s = sslot(w, *slot);
	w->sfree = (uint32_t)s->seq;
	gen = s->gen + 1;
	memset(s, 0, sizeof *s);
	s->gen = gen;
	s->live = 1;
	w->slive++;
	return s;
}

void
seg_send(World *w, uint32_t slot, int64_t delay)
{
	work_push(w, w->now + delay, KW_SEGMENT, slot, sslot(w, slot)->gen);
}

void
seg_free(World *w, uint32_t slot)
{
	Segment *s = sslot(w, slot);

	m_freem(w, s->m);
	s->m = REF_NULL;
	s->live = 0;
	s->seq = w->sfree;
	w->sfree = slot;
	w->slive--;
}

void
softnet_deliver(World *w, uint32_t slot, uint32_t gen)
{
	Segment *s = sslot(w, slot);

	/* a segment has one KW_SEGMENT entry (seg_send), and only its firing
	 * frees it: the entry always finds it live, of its generation (the
	 * scratch slot 0 that seg_alloc gives past its limit is never
	 * delivered: the violation ends the run) */
	if (s->kind == SEG_TCP) {
		emitv(w, EVK_DELIVER, "tcp_input", s->dst, SB_RCV,
		    EV((int64_t)s->seq, s->len, s->win, WIRE_ID(slot, gen)),
		    "segment %s -> %s seq %llu len %u ack %llu win %lld arrives",
		    sock_name(w, s->src), sock_name(w, s->dst), (unsigned long long)s->seq, s->len,
		    (unsigned long long)s->ack, (long long)s->win);
		tcp_input(w, s);
	} else {
		emitv(w, EVK_DELIVER, "udp_input", -1, -1, EV(0, s->len, 0, WIRE_ID(slot, gen)),
		    "datagram from %s, %u bytes, arrives", sock_name(w, s->src), s->len);
		udp_input(w, s);
	}
	seg_free(w, slot);
}

/* Mbufs held by segments still on the wire (for the leak check). */
void
wire_foreach_chain(World *w, void (*fn)(World *, Ref, void *), void *ctx)
{
	for (uint32_t i = 1; i < w->nsegs; i++) {
		Segment *s = sslot(w, i);

		if (s->live && !ref_null(s->m))
			fn(w, s->m, ctx);
	}
}
