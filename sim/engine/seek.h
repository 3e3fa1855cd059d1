/*
 * seek.h: reaching any step of a run, forwards or backwards (seek.c).
 *
 * A Seeker owns a world at its start and steps it by the run's policy
 * (script, plan, seed or default: all deterministic).  Passing step k*K it
 * keeps a snapshot; seeking to step N restores the last snapshot at or
 * before N and replays at most K steps.  The snapshots' memory is capped:
 * when the cap is reached, K doubles and every other snapshot goes, so the
 * spacing stays even and a seek never replays more than the current K.
 * Events are not emitted while seeking (the run's sink is muted).
 */
#ifndef SOSIM_SEEK_H
#define SOSIM_SEEK_H

#include <stddef.h>
#include <stdint.h>

#include "world.h"

typedef struct Seeker Seeker;

#define SEEK_EVERY_DEFAULT 1024
#define SEEK_MAX_BYTES_DEFAULT (48u << 20)

/* w must be at step 0; the seeker owns it from now on (seeker_free frees
 * it).  every: steps between snapshots (0: the default); max_bytes: the cap
 * on their memory (0: the default). */
Seeker *seeker_new(World *w, uint64_t every, size_t max_bytes);
void seeker_free(Seeker *sk);

/* Go to step n; returns the step reached, less than n if the run ends first. */
uint64_t seeker_seek(Seeker *sk, uint64_t n);
/* The world at the current step (read only: seek to move). */
const World *seeker_world(const Seeker *sk);
/* The last step of the run, once a seek has reached it; UINT64_MAX before. */
uint64_t seeker_last(const Seeker *sk);

/* Figures for benchmarks and the TUI's status line. */
size_t seeker_bytes(const Seeker *sk);         /* memory held by snapshots */
size_t seeker_snapshots(const Seeker *sk);
uint64_t seeker_every(const Seeker *sk);
uint64_t seeker_replayed(const Seeker *sk);    /* steps replayed by seeks so far */

#endif
