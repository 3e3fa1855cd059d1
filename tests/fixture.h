/*
 * fixture.h: a World with one socket and no threads, for the unit suites
 * that drive kernel routines directly (test_mbuf.c, test_sockbuf.c).
 */
#ifndef SOSIM_TEST_FIXTURE_H
#define SOSIM_TEST_FIXTURE_H

#include <check.h>
#include <glib.h>

#include "expect.h"

typedef struct {
	Scenario *scn;
	World *w;
	Socket *so;
	Sockbuf *sb;
} Fix;

static Fix
fix_new(const char *profile, ScnSockKind kind, uint32_t quirks)
{
	Fix f;
	const Profile *p = profile_find(profile);

	ck_assert_ptr_nonnull(p);
	f.scn = g_new0(Scenario, 1);
	f.scn->path = g_strdup("test");
	f.scn->nsockets = 1;
	g_strlcpy(f.scn->sockets[0].name, "s", sizeof f.scn->sockets[0].name);
	f.scn->sockets[0].kind = kind;
	f.scn->sockets[0].peer = -1;
	f.scn->nthreads = 0;
	f.w = world_new(f.scn, p, quirks);
	ck_assert_ptr_nonnull(f.w);
	ck_assert_int_eq(f.w->stop, STOP_NONE);
	f.so = &f.w->socks[0];
	f.sb = &f.so->rcv;
	return f;
}

static void
fix_free(Fix *f)
{
	world_free(f->w);
	g_free(f->scn->path);
	g_free(f->scn);
}

#endif
