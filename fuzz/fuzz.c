/*
 * fuzz.c: parsing a fuzzed scenario with bounded limits (fuzz.h).
 */
#include "fuzz.h"

#include "expect.h"
#include "profile.h"

unsigned long fuzz_parsed;

static void
lower(int64_t *have, int64_t most)
{
	/* 0 in a scenario is the default, which is larger than any bound */
	if (most > 0 && (*have <= 0 || *have > most))
		*have = most;
}

Scenario *
fuzz_parse(const uint8_t *data, size_t size, const FuzzLimits *l)
{
	GError *err = NULL;
	Scenario *s;

	if (size > FUZZ_MAX_INPUT)
		return NULL;
	s = scenario_parse_data("fuzz.scn", (const char *)data, size, &err);
	if (s == NULL) {
		g_clear_error(&err);
		return NULL;
	}
	if (l->sockets > 0 && s->nsockets > l->sockets) {
		scenario_free(s);
		return NULL;
	}
	fuzz_parsed++;
	lower(&s->limit_steps, l->steps);
	lower(&s->limit_mbufs, l->mbufs);
	lower(&s->limit_bytes, l->bytes);
	lower(&s->limit_time, l->time);
	return s;
}

const Profile *
fuzz_profile(const Scenario *s)
{
	const Profile *p = s->profile ? profile_find(s->profile) : NULL;

	return p ? p : profile_default();
}

uint32_t
fuzz_quirks(const Scenario *s, const Profile *p)
{
	return (p->quirks | s->quirks_on) & ~s->quirks_off;
}

World *
fuzz_world(const Scenario *s)
{
	const Profile *p = fuzz_profile(s);
	World *w = world_new(s, p, fuzz_quirks(s, p));

	if (s->has_seed)
		world_set_seed(w, (uint64_t)s->seed);
	return w;
}

uint64_t
fuzz_hash(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return h;
}
