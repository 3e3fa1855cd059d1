/*
 * expect.h: the verdict of a run.
 */
#ifndef SOSIM_EXPECT_H
#define SOSIM_EXPECT_H

#include "world.h"

#define EXPECT_MAX 64

typedef struct {
	ScnPos pos;             /* 0:0 for verdicts no line asked for */
	bool ok;
	int index;              /* the scenario's expectation, -1 for op results and the outcome */
	int quant;              /* ScnQuant of that expectation */
	char msg[600];
} ExpectResult;

typedef struct {
	ExpectResult items[EXPECT_MAX];
	int n;
} ExpectReport;

/* Check the scenario's expectations, op results and the run's outcome;
 * returns the number that failed. */
int expect_check(World *w, ExpectReport *r);

/* cost.c */
int cost_routine_find(const char *name);
double cost_units(const Cost *c);
double cost_total(const World *w);
int64_t cost_share_bp(const World *w, int routine);   /* basis points */

#endif
