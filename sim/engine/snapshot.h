/*
 * snapshot.h: the world as a value you can keep (docs/design.md rule 1).
 *
 * A Snapshot is a compact copy of a world's live state: the fixed part,
 * the sockets and threads in use, pending work, the pools' slot tables and
 * the bytes that live mbufs hold.  Its size grows with what is alive, not
 * with the pools' capacity.  Restoring writes it back into any World made
 * for the same run (reusing that world's memory), so the explorer can go
 * back to a choice point and a viewer can go back to a step.
 */
#ifndef SOSIM_SNAPSHOT_H
#define SOSIM_SNAPSHOT_H

#include <stddef.h>

#include "world.h"

typedef struct Snapshot Snapshot;

/* Take a snapshot of w (w is not changed). */
Snapshot *snapshot_take(const World *w);
/* Take one into an existing snapshot's memory (it grows as needed). */
void snapshot_retake(Snapshot *s, const World *w);
/* Make w equal to the world the snapshot was taken of.  w keeps its run. */
void snapshot_restore(const Snapshot *s, World *w);
/* The bytes the snapshot holds. */
size_t snapshot_bytes(const Snapshot *s);
/* The step the snapshot was taken at. */
uint64_t snapshot_step(const Snapshot *s);
void snapshot_free(Snapshot *s);

/* A whole new World equal to w, sharing w's run (not owning it). */
World *world_clone(const World *w);
/* Make dst equal to src; dst keeps its own run. */
void world_restore(World *dst, const World *src);

#endif
