/*
 * origin.c: where the bytes of a TCP stream come from, for the payload
 * check.  A socket's send stream is its own pattern until somove (or a
 * splice(2) prototype) appends bytes received on another socket; from then
 * on the stream is a list of runs, each starting at a send offset and
 * carrying the (stream, offset) its bytes were first written with.  A
 * reader at the far end of a relay or a chain of splices can then check
 * every byte against what the first writer sent.
 *
 * All of this file is simulator bookkeeping (simbook.h): the kernel keeps
 * no such record.
 */
#include "machine.h"
#include "kern.h"
#include "simbook.h"

#include <stdio.h>
#include <string.h>

void
sim_tx_origin(const Socket *so, uint64_t tx, uint64_t *stream, uint64_t *off, uint64_t *run)
{
	int k = -1;

	for (int i = 0; i < so->norg; i++)
		if (so->org[i].tx <= tx)
			k = i;
	*run = k + 1 < so->norg ? so->org[k + 1].tx - tx : UINT64_MAX;
	if (k < 0) {
		/* before any run: the socket's own bytes */
		*stream = UINT64_MAX;   /* the caller knows the socket's own id */
		*off = tx;
		return;
	}
	*stream = so->org[k].stream;
	*off = so->org[k].off + (tx - so->org[k].tx);
}

/*
 * Forget the runs no reader can ask about any more: the peer has taken
 * every byte before `done` off its so_rcv (read, moved or flushed), and a
 * receive offset is never past the send offset it came from, so runs that
 * end at or before it are never consulted again.  This keeps a splice
 * loop, which adds a run on every pass, within the array: only the runs
 * still on their way are kept.
 */
static void
org_prune(World *w, Socket *so)
{
	const Socket *r;
	uint64_t done;
	int k = 0;

	if (so->peer < 0 || so->proto != PROTO_TCP)
		return;
	r = sock_at(w, so->peer);
	done = r->rx_total - (uint64_t)r->rcv.cc;
	while (k + 1 < so->norg && so->org[k + 1].tx <= done)
		k++;
	if (k == 0)
		return;
	memmove(so->org, so->org + k, (size_t)(so->norg - k) * sizeof so->org[0]);
	so->norg -= k;
}

bool
sim_tx_origin_add(World *w, Socket *so, uint64_t tx, uint64_t stream, uint64_t off)
{
	uint64_t own = tcp_stream_id(socket_index(w, so));

	if (so->norg == 0 && stream == own && off == tx)
		return true;
	if (so->norg == 0 && tx > 0) {
		/* what came before was the socket's own stream */
		so->org[0].tx = 0;
		so->org[0].stream = own;
		so->org[0].off = 0;
		so->norg = 1;
	}
	if (so->norg > 0) {
		const typeof(so->org[0]) *l = &so->org[so->norg - 1];

		if (l->stream == stream && l->off + (tx - l->tx) == off)
			return true;
	}
	if (so->norg == (int)(sizeof so->org / sizeof so->org[0]))
		org_prune(w, so);
	if (so->norg == (int)(sizeof so->org / sizeof so->org[0])) {
		w->stop = STOP_LIMIT;
		snprintf(w->run->stop_msg, sizeof w->run->stop_msg,
		    "%s: its unread send stream alternates between %d sources of bytes (spliced "
		    "and written); sosim tracks at most %d at a time", sock_name(w, socket_index(w, so)),
		    so->norg + 1, so->norg);
		return false;
	}
	so->org[so->norg].tx = tx;
	so->org[so->norg].stream = stream;
	so->org[so->norg].off = off;
	so->norg++;
	return true;
}

/*
 * The origin of the byte at receive offset r of TCP socket so: the
 * sender's offset (shifted by the urgent bytes tcp_pulloutofband took out
 * before it), then the sender's runs.  *run: how many bytes from there on
 * share the mapping.
 */
void
sim_rx_origin(World *w, const Socket *so, uint64_t r, uint64_t *stream, uint64_t *off,
    uint64_t *run)
{
	const Socket *peer = sock_at(w, so->peer);
	uint64_t s = r, next_hole = UINT64_MAX;

	for (int i = 0; i < so->noob_holes; i++)
		if (so->oob_hole[i] <= s)
			s++;
	for (int i = 0; i < so->noob_holes; i++)
		if (so->oob_hole[i] >= s && so->oob_hole[i] < next_hole)
			next_hole = so->oob_hole[i];
	sim_tx_origin(peer, s, stream, off, run);
	if (*stream == UINT64_MAX)
		*stream = tcp_stream_id(so->peer);
	if (next_hole - s < *run)
		*run = next_hole - s;
}

/*
 * len bytes taken from so_rcv of `from` at receive offset rxoff are about
 * to be appended to so_snd of `to`: its send stream now carries them.
 */
void
sim_tx_origin_splice(World *w, const Socket *from, uint64_t rxoff, Socket *to, uint64_t len)
{
	uint64_t t0 = sim_tx_offset(to);

	for (uint64_t done = 0; done < len; ) {
		uint64_t stream, off, run;

		sim_rx_origin(w, from, rxoff + done, &stream, &off, &run);
		if (!sim_tx_origin_add(w, to, t0 + done, stream, off))
			return;
		done += run < len - done ? run : len - done;
	}
}
