/*
 * explore.c: every interleaving of a scenario within a preemption bound,
 * or many random ones, each checked like `sosim run` checks one.
 *
 * A choice point is a step where more than one of softnet and the threads
 * could run.  A schedule is told by its deviations from the default policy
 * (scheduling.md): "at step 17 run relay".  Each deviation counts as one
 * preemption; --preemptions K keeps at most K of them per run, the bound
 * CHESS and loom use because most concurrency bugs need very few.
 *
 * The search is depth-first: a run takes the default at every new choice
 * point, hashing the world there.  A world already seen with no more
 * preemptions spent is not explored again (the run stops: "pruned").
 * Backtracking tries, at the deepest choice point that has one left, the
 * next candidate, default first and then in candidate order; it restores
 * the nearest checkpoint (a snapshot kept every EXPLORE_CHECKPOINT_EVERY
 * steps, and at a choice a backtrack lands on that has more left) and
 * replays the few steps from there.  Steps record their
 * footprints: the cached world hash rehashes, and the checks after a step
 * cover, only what a step touched, and softnet is kept in a sleep set
 * while it commutes with what runs (partial-order reduction, por_after).
 * ExploreOpts.replay is the reference search the tests compare with: each
 * run rebuilt from the start, the whole world hashed and checked.
 *
 * Random mode is PCT (Burckhardt et al., ASPLOS 2010): random priorities
 * for softnet and the threads, the highest-priority candidate runs, and at
 * d-1 random steps the running one drops to the lowest priority.
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
#include "kern.h"
#include "sched.h"
#include "world_hash.h"
#include "snapshot.h"
#include "seen.h"
#include "footprint.h"
#include "run.h"

#define MAXC SCHED_MAX_CAND

typedef struct {
	int8_t cand[MAXC];
	uint8_t n;
	uint8_t defidx;         /* the default policy's pick */
	uint8_t pos;            /* how far in the order default, then the others */
	uint8_t pre;            /* preemptions spent before this point */
	uint64_t step;          /* the step this choice makes (w->step + 1) */
	/* partial-order reduction: softnet is asleep on arrival (its next
	 * step commutes with everything run since it was tried), and the
	 * footprint of that step; when softnet is awake and due here it is
	 * tried first, and sn_fp is what it touched from here */
	bool sleep;
	Footprint sn_fp;
} Choice;

/* The k-th candidate in trying order: the default first, then the rest. */
static int
order_idx(const Choice *c, int k)
{
	if (k == 0)
		return c->defidx;
	return k <= c->defidx ? k - 1 : k;
}

/* Is the default, the first candidate in trying order, asleep (not to be
 * tried)?  Softnet is the only candidate that sleeps, and when it is one
 * it is the default (sched_default: due kernel work first), so no other
 * place in the order is ever asleep.  (Asleep, softnet is still due: only
 * a step that depends on its own could have made its work moot, and that
 * wakes it; the test of the default guards the reduction all the same.) */
static bool
default_asleep(const Choice *c)
{
	return c->sleep && c->cand[c->defidx] == SCHED_SOFTNET;
}

/* Check a finished run; returns the failures that count for every run
 * (expect_check counts them all, also those past the EXPECT_MAX its
 * report has room for). */
static int
verdict(World *w, ExploreResult *r, ExpectReport *rep)
{
	int hard;

	if (w->stop == STOP_DONE || w->stop == STOP_DEADLOCK)
		invariants_check_end(w);
	hard = expect_check(w, rep);
	for (int i = 0; i < rep->n; i++) {
		const ExpectResult *x = &rep->items[i];

		if (x->quant == SCN_Q_SOMETIMES && x->ok && x->index < EXPECT_MAX)
			r->sometimes_held[x->index] = true;
	}
	return hard;
}

/* Is plan a (n deviations) earlier than plan b: its first differing deviation sooner? */
static bool
plan_earlier(const SchedDev *a, const SchedDev *b, int n)
{
	for (int i = 0; i < n; i++) {
		if (a[i].step != b[i].step)
			return a[i].step < b[i].step;
		if (a[i].who != b[i].who)
			return a[i].who < b[i].who;
	}
	return false;
}

/* Is a run (n deviations, steps) shorter than another (n0, steps0): fewer
 * preemptions, then fewer steps, then deviations that come earlier (so
 * the answer does not depend on the order of the search)? */
static bool
shorter(const SchedDev *plan, int n, uint64_t steps, const SchedDev *plan0, int n0, uint64_t steps0)
{
	if (n != n0)
		return n < n0;
	if (steps != steps0)
		return steps < steps0;
	return plan_earlier(plan, plan0, n);
}

/* Did an `expect sometimes` hold in this run (rep)? */
static bool
some_sometimes(const ExpectReport *rep)
{
	for (int i = 0; i < rep->n; i++)
		if (rep->items[i].quant == SCN_Q_SOMETIMES && rep->items[i].ok)
			return true;
	return false;
}

/* For each `expect sometimes` this run showed, keep the run if it is the
 * shortest that did, as keep_failure chooses. */
static void
keep_witnesses(ExploreResult *r, const ExpectReport *rep, const SchedDev *plan, int n, uint64_t steps)
{
	for (int i = 0; i < rep->n; i++) {
		const ExpectResult *x = &rep->items[i];
		int k = x->index;

		/* those past EXPECT_MAX are not followed (a report has room
		 * for that many; its last item stands for the rest) */
		if (x->quant != SCN_Q_SOMETIMES || !x->ok || k >= EXPECT_MAX)
			continue;
		if (r->seen_steps[k] != 0 && !shorter(plan, n, steps, r->seen_plan[k], r->seen_n[k],
		    r->seen_steps[k]))
			continue;
		g_free(r->seen_plan[k]);
		r->seen_plan[k] = g_memdup2(plan, (gsize)n * sizeof *plan);
		r->seen_n[k] = n;
		r->seen_steps[k] = steps;
	}
}

/* Keep the failing schedule if it is shorter than the one we have. */
static void
keep_failure(ExploreResult *r, const SchedDev *plan, int n, uint64_t steps, const ExpectReport *rep)
{
	if (r->verdict == EXPLORE_FAIL && !shorter(plan, n, steps, r->fail_plan, r->fail_n, r->fail_steps))
		return;
	g_free(r->fail_plan);
	r->fail_plan = g_memdup2(plan, (gsize)n * sizeof *plan);
	r->fail_n = n;
	r->fail_steps = steps;
	r->fail_report = *rep;
	r->verdict = EXPLORE_FAIL;
}

static void
finish_sometimes(const Scenario *s, ExploreResult *r)
{
	r->nsometimes_missing = 0;
	for (int i = 0; i < s->nexpects && i < EXPECT_MAX; i++)
		if (s->expects[i].quant == SCN_Q_SOMETIMES && !r->sometimes_held[i])
			r->nsometimes_missing++;
}

/* states between calls of ExploreOpts.progress */
#define PROGRESS_EVERY 1024u

static void
progress(const ExploreOpts *o, ExploreResult *r, uint64_t *next)
{
	if (o->progress && r->states >= *next) {
		o->progress(o->ctx, r->states, r->schedules + r->pruned, r->distinct);
		*next = r->states + PROGRESS_EVERY;
	}
}

/* ---- systematic ---- */

typedef struct {
	const ExploreOpts *o;
	ExploreResult *r;
	GArray *path;           /* Choice: the choice points of the current run */
	Seen *seen;             /* world hash -> fewest preemptions it was seen with */
	HashCache cache;        /* the components of the world last hashed */
} Dfs;

/*
 * A choice point met for the first time: NC_SEEN when its world was seen
 * before with no more preemptions spent (explored from there already);
 * NC_BLOCKED when the default is asleep and no preemption is left to run
 * another; else it joins the path, the default policy's pick tried first.
 */
enum { NC_NEW, NC_SEEN, NC_BLOCKED };
/*
 * The table keeps, per world, the fewest preemptions it was explored with
 * and whether softnet was asleep then (bit 7).  A world is done if it was
 * explored with no more preemptions and with softnet awake, or asleep now
 * too: a sleeping softnet means fewer orders were tried from it.
 */
#define SEEN_SLEEP 0x80

typedef struct {
	int pre;
	bool sleep;
	bool no_prune;
} SeenNow;

/* Was the world, stored with `old`, explored with no more preemptions
 * and with softnet awake, or asleep now too?  Then it is done. */
static bool
explored_before(int old, void *arg)
{
	const SeenNow *now = arg;

	return (old & ~SEEN_SLEEP) <= now->pre && (!(old & SEEN_SLEEP) || now->sleep) &&
	    !now->no_prune;
}

static int
new_choice(Dfs *d, World *w, const int *cand, int n, int pre, bool sleep, const Footprint *fp)
{
	/* the replaying search is the reference: the full hash every time */
	uint64_t h = d->o->replay ? world_hash(w) : world_hash_cached(w, &d->cache);
	int old;
	Choice c;
	int def;

	if (d->o->verify_cache && h != world_hash(w))
		d->r->cache_mismatches++;
	SeenNow now = { pre, sleep, d->o->no_prune };

	if (!seen_update(d->seen, h, pre | (sleep ? SEEN_SLEEP : 0), &old, explored_before, &now))
		d->r->distinct++;
	else if (explored_before(old, &now))
		return NC_SEEN;
	memset(&c, 0, sizeof c);
	c.n = (uint8_t)n;
	def = sched_default(w, cand, n);
	for (int i = 0; i < n; i++) {
		c.cand[i] = (int8_t)cand[i];
		if (cand[i] == def)
			c.defidx = (uint8_t)i;
	}
	c.pre = (uint8_t)pre;
	c.step = w->step + 1;
	c.sleep = sleep;
	if (sleep)
		c.sn_fp = *fp;
	/* the first candidate awake (there are two at least): past a
	 * sleeping default, at a cost of one preemption */
	c.pos = default_asleep(&c) ? 1 : 0;
	if (c.pos > 0 && pre + 1 > d->o->preemptions)
		return NC_BLOCKED;
	g_array_append_val(d->path, c);
	return NC_NEW;
}

/* The deviations of the path's choices: the run as a schedule. */
static void
path_plan(const GArray *path, GArray *plan)
{
	g_array_set_size(plan, 0);
	for (guint i = 0; i < path->len; i++) {
		const Choice *c = &g_array_index(path, Choice, i);

		if (c->pos > 0) {
			SchedDev dev = { c->step, c->cand[order_idx(c, c->pos)] };

			g_array_append_val(plan, dev);
		}
	}
}

/* Has choice c a candidate left to try after the current one?  (Only the
 * default, tried first, may be asleep; any other costs a preemption.) */
static bool
more_left(const Dfs *d, const Choice *c)
{
	return c->pos + 1 < c->n && c->pre + 1 <= d->o->preemptions;
}

/* The deepest choice with a candidate left within the bound; false when none. */
static bool
backtrack(Dfs *d, guint depth)
{
	g_array_set_size(d->path, depth);
	while (d->path->len > 0) {
		Choice *c = &g_array_index(d->path, Choice, d->path->len - 1);

		if (more_left(d, c)) {
			c->pos++;
			return true;
		}
		g_array_set_size(d->path, d->path->len - 1);
	}
	return false;
}

/* The restoring search keeps a snapshot of the world at a choice point
 * every `every` steps along the current path. */
typedef struct {
	guint depth;            /* choice points before this one: path index */
	int pre;                /* preemptions spent before it */
	Snapshot *snap;
} Checkpoint;

typedef struct {
	GArray *stack;          /* Checkpoint, by depth */
	GPtrArray *spare;       /* Snapshots to reuse */
	Snapshot *start;        /* the world before the first step */
	/* the memory of the stack's and the spares' snapshots, and its cap
	 * (ExploreOpts.max_checkpoint_bytes); `every` doubles each time the
	 * cap thins the stack */
	size_t bytes, max_bytes;
	uint64_t every;
} Checkpoints;

/*
 * Over the cap: the spares go, then every other checkpoint of the path,
 * and the spacing doubles, as the seek checkpoints of a long run thin out
 * (seek.c).  A backtrack then restores a checkpoint further back and
 * replays more steps: slower, in bounded memory.  Without a cap a run of
 * millions of steps (a splice loop) kept gigabytes of snapshots.
 */
static void
checkpoints_fit(Checkpoints *ck, ExploreResult *r)
{
	while (ck->bytes > ck->max_bytes) {
		if (ck->spare->len > 0) {
			for (guint i = 0; i < ck->spare->len; i++)
				ck->bytes -= snapshot_bytes(g_ptr_array_index(ck->spare, i));
			g_ptr_array_set_size(ck->spare, 0);     /* frees them */
			continue;
		}
		if (ck->stack->len < 2)
			break;
		{
			guint k = 0;

			for (guint i = 0; i < ck->stack->len; i++) {
				Checkpoint *c = &g_array_index(ck->stack, Checkpoint, i);

				if (i % 2 == 0)
					g_array_index(ck->stack, Checkpoint, k++) = *c;
				else {
					ck->bytes -= snapshot_bytes(c->snap);
					snapshot_free(c->snap);
				}
			}
			g_array_set_size(ck->stack, k);
		}
		ck->every *= 2;
		r->checkpoint_thinned++;
	}
	r->checkpoint_every = MAX(r->checkpoint_every, ck->every);
}

static void
checkpoint_push(Checkpoints *ck, const World *w, guint depth, int pre, ExploreResult *r)
{
	Checkpoint c = { depth, pre, NULL };

	if (ck->spare->len > 0) {
		c.snap = g_ptr_array_steal_index(ck->spare, ck->spare->len - 1);
		ck->bytes -= snapshot_bytes(c.snap);
		snapshot_retake(c.snap, w);
	} else
		c.snap = snapshot_take(w);
	ck->bytes += snapshot_bytes(c.snap);
	g_array_append_val(ck->stack, c);
	r->checkpoint_bytes = MAX(r->checkpoint_bytes, ck->bytes);
	if (ck->bytes > ck->max_bytes)
		checkpoints_fit(ck, r);
}

/* Put w at choice point `depth` of the path, or at the nearest checkpoint
 * before it; *at and *pre say where that is. */
static void
checkpoint_restore(Checkpoints *ck, World *w, guint depth, guint *at, int *pre)
{
	while (ck->stack->len > 0) {
		Checkpoint *c = &g_array_index(ck->stack, Checkpoint, ck->stack->len - 1);

		if (c->depth <= depth) {
			snapshot_restore(c->snap, w);
			*at = c->depth;
			*pre = c->pre;
			return;
		}
		g_ptr_array_add(ck->spare, c->snap);
		g_array_set_size(ck->stack, ck->stack->len - 1);
	}
	snapshot_restore(ck->start, w);
	*at = 0;
	*pre = 0;
}

static void
checkpoints_free(Checkpoints *ck)
{
	for (guint i = 0; i < ck->stack->len; i++)
		snapshot_free(g_array_index(ck->stack, Checkpoint, i).snap);
	g_array_free(ck->stack, TRUE);
	g_ptr_array_free(ck->spare, TRUE);
	snapshot_free(ck->start);
}

/*
 * Sleep sets (Godefroid 1996) for softnet, after a step that touched fp:
 * is softnet asleep now?  At a choice point softnet, when due, is the
 * default and tried first; its footprint from there is kept.  A thread
 * tried after it puts softnet to sleep when the two steps commute, and it
 * stays asleep while the steps that follow commute with it: every order
 * that would run it later is the same as one where it ran first.  Running
 * a due softnet step earlier never costs a preemption more (it does not
 * change who ran last, and while it is due every thread step counts as
 * one), so the bound loses no schedule (docs/scheduling.md).
 */
static bool
por_after(Dfs *d, int at, int who, const Footprint *fp, bool sleep, Footprint *sn_fp)
{
	Choice *c = at >= 0 ? &g_array_index(d->path, Choice, at) : NULL;

	if (who == SCHED_SOFTNET) {
		if (c != NULL)
			c->sn_fp = *fp;
		return false;
	}
	if (c != NULL && !c->sleep) {
		/* softnet is not due here, or was tried here first (the
		 * default) and this thread after it */
		if (c->cand[c->defidx] != SCHED_SOFTNET)
			return false;
		*sn_fp = c->sn_fp;
		return !fp_dependent(sn_fp, fp);
	}
	return sleep && !fp_dependent(sn_fp, fp);
}

static void
explore_dfs(const Scenario *s, const Profile *prof, uint32_t quirks, const ExploreOpts *o,
    ExploreResult *r)
{
	Dfs d = { o, r, g_array_new(FALSE, FALSE, sizeof(Choice)), seen_new(), { 0 } };
	GArray *plan = g_array_new(FALSE, FALSE, sizeof(SchedDev));
	ExpectReport *rep = g_new0(ExpectReport, 1);
	uint64_t next_progress = PROGRESS_EVERY;
	World *w = world_new(s, prof, quirks);
	Checkpoints ck = { g_array_new(FALSE, FALSE, sizeof(Checkpoint)),
	    g_ptr_array_new_with_free_func((GDestroyNotify)snapshot_free), snapshot_take(w), 0,
	    o->max_checkpoint_bytes ? o->max_checkpoint_bytes : EXPLORE_CHECKPOINT_BYTES,
	    o->checkpoint_every ? o->checkpoint_every : EXPLORE_CHECKPOINT_EVERY };
	guint depth = 0;
	int pre = 0;
	CheckMode check = w->run->check;
	bool por = !o->no_por && !o->no_prune;

	if (o->full_hash) {
		w->run->hash_counters = ~0ull;
		w->run->hash_slots = true;
	}
	/* the restoring search checks after a step only what the step
	 * touched; the replaying one, the reference, checks everything */
	w->run->check_touched = !o->replay && !o->full_checks;
	r->complete = true;
	for (;;) {
		int cand[MAXC], n;
		guint replay_len = d.path->len;
		uint64_t since = 0;
		bool pruned = false;
		/* the reduction's state as the run goes: softnet asleep, and the
		 * footprint of its next step */
		bool sleep = false;
		Footprint sn_fp = { 0 };

		/* replay the path's choices, then the default at new ones */
		while ((n = sched_ready(w, cand)) > 0) {
			int who = cand[0], at = -1;
			Footprint fp;

			if (n > 1) {
				Choice *c;

				if (depth == d.path->len) {
					int nc = new_choice(&d, w, cand, n, pre, sleep, &sn_fp);

					if (nc != NC_NEW) {
						r->por_pruned += nc == NC_BLOCKED;
						pruned = true;
						break;
					}
				}
				c = &g_array_index(d.path, Choice, depth);
				/* a checkpoint only where a later backtrack can land:
				 * a choice with a preemption left to spend; and where
				 * this one landed, if it has more to try */
				if (!o->replay && since > 0 && pre < o->preemptions &&
				    (since >= ck.every || (depth + 1 == replay_len && c->pos + 1 < c->n))) {
					checkpoint_push(&ck, w, depth, pre, r);
					since = 0;
				}
				who = c->cand[order_idx(c, c->pos)];
				pre += c->pos > 0;
				sleep = c->sleep;
				sn_fp = c->sn_fp;
				at = (int)depth;
				depth++;
			} else if (por && sleep && who == SCHED_SOFTNET) {
				/* the only way on is the sleeping softnet: covered (never
				 * in a replayed prefix, which went on when first run) */
				r->por_pruned++;
				pruned = true;
				break;
			}
			r->new_states += depth >= replay_len;
			r->states++;
			since++;
			/* Restoring, the steps from a checkpoint back to the choice
			 * being changed were checked when this path first took them
			 * (a broken invariant would have ended that run before the
			 * choice): they run unchecked.  The replaying search checks
			 * every step, as the stateless search always did. */
			w->run->check = !o->replay && depth < replay_len ? CHECK_AT_END : check;
			w->run->fp_on = true;
			memset(&w->run->fp, 0, sizeof w->run->fp);
			if (!sched_step_with(w, who)) {
				w->run->fp_on = false;
				break;
			}
			w->run->fp_on = false;
			fp = w->run->fp;
			hash_cache_touch(&d.cache, &fp);
			/* in a replayed prefix too, so that `sleep` is what it
			 * was when the prefix was first run */
			if (por)
				sleep = por_after(&d, at, who, &fp, sleep, &sn_fp);
			if (o->max_states && r->states >= o->max_states) {
				r->complete = false;
				break;
			}
			if (o->interrupt && *o->interrupt) {
				r->complete = false;
				r->interrupted = true;
				break;
			}
			progress(o, r, &next_progress);
		}
		r->max_depth = MAX(r->max_depth, w->step);
		r->choice_points = MAX(r->choice_points, depth);
		if (pruned)
			r->pruned++;
		else if (w->stop != STOP_NONE) {
			r->schedules++;
			if (o->on_end)
				o->on_end(o->end_ctx, w);
			int hard = verdict(w, r, rep);
			bool seen = some_sometimes(rep);

			if (hard > 0 || seen)
				path_plan(d.path, plan);
			if (hard > 0)
				keep_failure(r, (SchedDev *)(void *)plan->data, (int)plan->len, w->step, rep);
			if (seen)
				keep_witnesses(r, rep, (SchedDev *)(void *)plan->data, (int)plan->len, w->step);
		}
		progress(o, r, &next_progress);
		if (!r->complete || !backtrack(&d, depth))
			break;
		/* back to the deepest choice with a candidate left: restore the
		 * nearest checkpoint (the start, when replaying: none are kept) */
		checkpoint_restore(&ck, w, d.path->len - 1, &depth, &pre);
		hash_cache_reset(&d.cache);
	}
	w->run->check = check;
	w->run->fp_on = false;
	world_free(w);
	checkpoints_free(&ck);
	g_array_free(d.path, TRUE);
	seen_free(d.seen);
	g_array_free(plan, TRUE);
	g_free(rep);
}

/* ---- random (PCT) ---- */

static uint64_t
xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static void
explore_pct(const Scenario *s, const Profile *prof, uint32_t quirks, const ExploreOpts *o,
    ExploreResult *r)
{
	GArray *plan = g_array_new(FALSE, FALSE, sizeof(SchedDev));
	Seen *seen = seen_new();
	ExpectReport *rep = g_new0(ExpectReport, 1);
	uint64_t rng = o->seed * 0x9e3779b97f4a7c15ull + 1, len = 64, next_progress = PROGRESS_EVERY;
	int depth = o->pct_depth > 0 ? o->pct_depth : 3;
	uint64_t run;

	r->complete = false;
	for (run = 0; run < o->random && !(o->interrupt && *o->interrupt); run++) {
		World *w = world_new(s, prof, quirks);
		int prio[MAXC], cand[MAXC], n, ents = w->nthreads + 1;
		uint64_t change[16] = { 0 }, nchoices = 0;

		/* entity e: thread e, or softnet as the last one */
		for (int e = 0; e < ents; e++)
			prio[e] = depth + e;
		for (int e = ents - 1; e > 0; e--) {
			int k = (int)(xorshift(&rng) % (uint64_t)(e + 1)), t = prio[e];

			prio[e] = prio[k];
			prio[k] = t;
		}
		for (int i = 0; i < depth - 1 && i < 16; i++)
			change[i] = 1 + xorshift(&rng) % len;
		g_array_set_size(plan, 0);
		while ((n = sched_ready(w, cand)) > 0) {
			int best = -1, bp = -1, def;

			for (int i = 0; i < n; i++) {
				int e = cand[i] == SCHED_SOFTNET ? ents - 1 : cand[i];

				if (prio[e] > bp) {
					bp = prio[e];
					best = cand[i];
				}
			}
			def = sched_default(w, cand, n);
			if (n > 1) {
				uint64_t h = world_hash(w);
				int old;

				nchoices++;
				if (!seen_get(seen, h, &old)) {
					seen_put(seen, h, 0);
					r->distinct++;
				}
			}
			if (best != def) {
				SchedDev d = { w->step + 1, best };

				g_array_append_val(plan, d);
			}
			for (int i = 0; i < depth - 1 && i < 16; i++)
				if (change[i] == w->step + 1)
					prio[best == SCHED_SOFTNET ? ents - 1 : best] = depth - 1 - i;
			r->states++;
			r->new_states++;
			if (!sched_step_with(w, best))
				break;
			if (o->interrupt && *o->interrupt)
				break;
			progress(o, r, &next_progress);
		}
		if (o->interrupt && *o->interrupt && w->stop == STOP_NONE) {
			/* cut short: this run has no verdict */
			r->interrupted = true;
			world_free(w);
			break;
		}
		if (w->step > len)
			len = w->step;
		if (nchoices > r->choice_points)
			r->choice_points = nchoices;
		if (w->step > r->max_depth)
			r->max_depth = w->step;
		r->schedules++;
		if (verdict(w, r, rep) > 0)
			keep_failure(r, (SchedDev *)(void *)plan->data, (int)plan->len, w->step, rep);
		if (some_sometimes(rep))
			keep_witnesses(r, rep, (SchedDev *)(void *)plan->data, (int)plan->len, w->step);
		world_free(w);
		progress(o, r, &next_progress);
	}
	if (run < o->random)
		r->interrupted = true;          /* stopped before the last run */
	g_array_free(plan, TRUE);
	seen_free(seen);
	g_free(rep);
}

void
explore_run(const Scenario *s, const Profile *prof, uint32_t quirks, const ExploreOpts *o,
    ExploreResult *r)
{
	memset(r, 0, sizeof *r);
	r->verdict = EXPLORE_PASS;
	if (o->random > 0)
		explore_pct(s, prof, quirks, o, r);
	else
		explore_dfs(s, prof, quirks, o, r);
	finish_sometimes(s, r);
	if (r->verdict != EXPLORE_FAIL) {
		/* an interrupted search is partial, random or not */
		if (r->nsometimes_missing > 0 && (r->complete || (o->random > 0 && !r->interrupted)))
			r->verdict = EXPLORE_FAIL;
		else if (!r->complete && (o->random == 0 || r->interrupted))
			r->verdict = EXPLORE_PARTIAL;
	}
}

void
explore_result_free(ExploreResult *r)
{
	g_free(r->fail_plan);
	r->fail_plan = NULL;
	for (int i = 0; i < EXPECT_MAX; i++) {
		g_free(r->seen_plan[i]);
		r->seen_plan[i] = NULL;
	}
}
