/*
 * fuzz.h: what the fuzz targets share (fuzz.c): a scenario parsed from the
 * fuzzer's bytes with its limits lowered, so that every input runs in
 * milliseconds, and the world `sosim run` would make of it.
 *
 * An input that reaches a limit ends with a message, as a scenario does
 * that asks for more than its `limit` lines allow; a hang or an
 * out-of-memory is then a finding only when the engine loops or grows
 * within one step, which no scenario may make it do.
 */
#ifndef SOSIM_FUZZ_H
#define SOSIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* Inputs longer than this are skipped: the longest scenario in the tree
 * (a chain of 200 splices) is 13 KiB. */
#define FUZZ_MAX_INPUT (16 * 1024)

/* The most a fuzzed scenario may ask for (0: no change); a scenario's own
 * lower `limit` stays. */
typedef struct {
	int64_t steps;
	int64_t mbufs;          /* live mbufs: bounds the memory of a step */
	int64_t bytes;          /* bytes the programs send */
	int64_t time;           /* virtual time, ns */
	int sockets;            /* more: the input is skipped (0: any number) */
} FuzzLimits;

/* The scenario in data[0..size), or NULL when it does not parse, is
 * longer than FUZZ_MAX_INPUT or has more sockets than l allows; its
 * limits lowered to l. */
Scenario *fuzz_parse(const uint8_t *data, size_t size, const FuzzLimits *l);

/* How many inputs fuzz_parse took (the runner says it: seeds that stop
 * parsing would leave the engine unfuzzed). */
extern unsigned long fuzz_parsed;

/* Its profile and quirks, as `sosim run` takes them. */
const Profile *fuzz_profile(const Scenario *s);
uint32_t fuzz_quirks(const Scenario *s, const Profile *p);

/* A world at step 0, seeded by the scenario's `seed` line as `sosim run`
 * seeds it. */
World *fuzz_world(const Scenario *s);

/* FNV-1a of the input: picks steps and buffers, the same for the same bytes. */
uint64_t fuzz_hash(const uint8_t *data, size_t size);

#endif
