/*
 * world_hash.h: the hash of a world's value (world_hash.c).
 */
#ifndef SOSIM_WORLD_HASH_H
#define SOSIM_WORLD_HASH_H

#include <stdint.h>
#include "world.h"

uint64_t world_hash(const World *w);

#endif
