/*
 * fuzz_scenario.c: any bytes through the parser and, when they parse,
 * through the engine with small limits.  Nothing may crash, hang or leak;
 * a violation or a deadlock is a fine outcome (the scenario may ask for
 * one), a crash is not.
 *
 * Built as a libFuzzer target with `meson setup -Dfuzz=true` and clang, or
 * as a plain program (standalone.c) that runs files given on the command
 * line, which the test suite does over every scenario in the tree.
 */
#include "expect.h"
#include "kern.h"
#include "scenario.h"
#include "sched.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_data("fuzz.scn", (const char *)data, size, &err);
	const Profile *p;
	World *w;
	ExpectReport *rep;

	if (s == NULL) {
		g_clear_error(&err);
		return 0;
	}
	p = s->profile ? profile_find(s->profile) : profile_default();
	w = world_new(s, p, (p->quirks | s->quirks_on) & ~s->quirks_off);
	/* keep each input cheap: the limits end the run with a message */
	if (w->run->limit_steps > 20000)
		w->run->limit_steps = 20000;
	if (w->run->limit_time > 120ll * 1000000000ll)
		w->run->limit_time = 120ll * 1000000000ll;
	if (s->has_seed)
		world_set_seed(w, (uint64_t)s->seed);
	sched_run(w);
	rep = g_new0(ExpectReport, 1);
	expect_check(w, rep);
	g_free(rep);
	world_free(w);
	scenario_free(s);
	return 0;
}
