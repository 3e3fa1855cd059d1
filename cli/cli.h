/*
 * cli.h: what the subcommands of sosim share.
 */
#ifndef SOSIM_CLI_H
#define SOSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"
#include "scenario.h"
#include "world.h"

#define EXIT_BAD_INPUT 2
#define EXIT_PARTIAL 3

/* Profile and quirks: the scenario's, then the command line's on top. */
bool resolve_profile(const Scenario *s, const char *profile, char **quirks,
    const Profile **pp, uint32_t *qbits);
/* A --schedule argument: the text, or a file holding it. */
bool load_plan(const World *w, const char *arg, SchedDev **plan, int *n);

int cmd_explore(int argc, char **argv);
int cmd_check(int argc, char **argv);

#endif
