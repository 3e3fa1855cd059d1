/*
 * seen.h: the explorer's table of worlds already seen, by world hash, with
 * the fewest preemptions each was reached with (seen.c).
 *
 * An open-addressing table of 64-bit keys: the explorer looks up about one
 * world per step, and a general-purpose table that allocates every key
 * costs as much as hashing the world.
 */
#ifndef SOSIM_SEEN_H
#define SOSIM_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Seen Seen;

Seen *seen_new(void);
void seen_free(Seen *s);
/* The preemptions hash h was stored with; false when it was never stored. */
bool seen_get(const Seen *s, uint64_t h, int *pre);
/* Store h with pre (replacing what it had). */
void seen_put(Seen *s, uint64_t h, int pre);
/*
 * Both at once, probing the table once: the value stored with h before
 * in *old (true), or false when h is new; then, unless keep(old, arg)
 * says the old value stays, store pre.
 */
bool seen_update(Seen *s, uint64_t h, int pre, int *old, bool (*keep)(int old, void *arg),
    void *arg);
size_t seen_count(const Seen *s);

#endif
