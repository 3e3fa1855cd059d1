/*
 * context.h: the spl, mutex or lock contexts of contexts.def, and the
 * kernel families whose rules differ (docs/scheduling.md, "What is
 * atomic").
 */
#ifndef SOSIM_CONTEXT_H
#define SOSIM_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

/* Locking families: kernels that take the same locks in the same places.
 * A machine declares its contexts once per family.  OpenBSD 7.6 is one of
 * its own: it reversed the order of sblock and solock (sblock became the
 * sb_lock rwlock, taken first) and unlocked UDP's buffers (sb_mtx). */
typedef enum { FAM_NETBSD, FAM_FREEBSD, FAM_OPENBSD_75, FAM_OPENBSD_76, FAM__COUNT } Family;

enum {
	EX_SOFTNET = 1 << 0,    /* kernel work: protocol input, timeouts, scenario events */
	EX_THREADS = 1 << 1,    /* every thread but the one in the context */
};

typedef enum {
#define CONTEXT(id, name, excludes, sleeps, doc) CTX_##id,
#include "contexts.def"
#undef CONTEXT
	CTX__COUNT
} ContextId;

typedef struct {
	const char *name;
	uint8_t excludes;       /* EX_* */
	bool sleeps;            /* a sleep may start in it, and releases it */
	const char *doc;
} ContextDef;

extern const ContextDef context_defs[CTX__COUNT];
extern const char *const family_names[FAM__COUNT];

/* One context per family, as a machine declares it: CTX3(NetBSD, FreeBSD,
 * OpenBSD) when OpenBSD 7.5 and 7.6 agree, CTX4(NetBSD, FreeBSD, 7.5, 7.6). */
typedef struct {
	uint8_t fam[FAM__COUNT];
} Contexts;
#define CTX3(n, f, o) { { CTX_##n, CTX_##f, CTX_##o, CTX_##o } }
#define CTX4(n, f, o5, o6) { { CTX_##n, CTX_##f, CTX_##o5, CTX_##o6 } }

#endif
