/*
 * footprint.c: recording what a step touches (footprint.h).
 *
 * Recording costs a test of Run.fp_on on each socket reached, so a run
 * that nobody explores with reduction pays next to nothing.
 */
#include "footprint.h"
#include "run.h"

void
fp_sock(World *w, int i)
{
	if (w->run->fp_on)
		w->run->fp.socks |= sock_bit(i);
}

void
fp_thread(World *w, int t)
{
	if (w->run->fp_on && t >= 0)
		w->run->fp.threads |= 1u << (t & 31);
}

void
fp_chan(World *w, uint32_t chan)
{
	if (w->run->fp_on)
		w->run->fp.chans |= 1ull << ((chan * 0x9e3779b1u) >> 26);
}

void
fp_flag(World *w, uint32_t flag)
{
	if (w->run->fp_on)
		w->run->fp.flags |= flag;
}

bool
fp_dependent(const Footprint *a, const Footprint *b)
{
	if ((a->flags | b->flags) & FP_ALL)
		return true;
	if ((a->socks & b->socks) || (a->threads & b->threads) || (a->chans & b->chans))
		return true;
	/* two pushes: equal times fire in push order, so the order is seen */
	if ((a->flags & FP_WORK_PUSH) && (b->flags & FP_WORK_PUSH))
		return true;
	/* softnet taking the first item and a push commute: the pushed item
	 * is due no earlier, and comes later among equals */
	return (a->flags & b->flags & (FP_QUEUE | FP_POOL | FP_KMEM)) != 0;
}
