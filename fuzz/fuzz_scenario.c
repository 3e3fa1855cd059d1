/*
 * fuzz_scenario.c: any bytes through the parser and, when they parse,
 * through the engine with small limits, then the verdict.  Nothing may
 * crash, hang or leak; a violation or a deadlock is a fine outcome (the
 * scenario may ask for one), a crash is not.
 *
 * Built as a libFuzzer target with `meson setup -Dfuzz=true` and clang
 * (or AFL++'s driver under afl-clang-fast), or as a plain program
 * (standalone.c) that runs files given on the command line, which the test
 * suite does over every scenario in the tree and every input the fuzzers
 * found (docs/fuzzing.md).
 */
#include "expect.h"
#include "fuzz.h"
#include "kern.h"
#include "scenario.h"
#include "sched.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A step costs up to a walk of the longest chain (the sbappend-walk
 * quirk walks so_snd at every append): 5000 steps over at most 512 mbufs
 * stay under about 30 ms with ASan and UBSan; most inputs take well
 * under one. */
static const FuzzLimits limits = {
	.steps = 5000,
	.mbufs = 512,
	.bytes = 1 << 20,
	.time = 120ll * 1000000000ll,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Scenario *s = fuzz_parse(data, size, &limits);
	ExpectReport *rep;
	World *w;

	if (s == NULL)
		return 0;
	w = fuzz_world(s);
	sched_run(w);
	rep = g_new0(ExpectReport, 1);
	expect_check(w, rep);
	g_free(rep);
	world_free(w);
	scenario_free(s);
	return 0;
}
