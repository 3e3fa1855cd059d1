/*
 * cost.h: the deterministic cost profile (cost.c, docs/cost-model.md).
 */
#ifndef SOSIM_COST_H
#define SOSIM_COST_H

#include "world.h"

int cost_routine_find(const char *name);
double cost_units(const Cost *c);
double cost_total(const World *w);
int64_t cost_share_bp(const World *w, int routine);   /* basis points */

#endif
