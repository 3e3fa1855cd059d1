/*
 * context.h: the spl, mutex or lock contexts of contexts.def, and the
 * kernel families whose rules differ (docs/scheduling.md, "What is
 * atomic").
 */
#ifndef SOSIM_CONTEXT_H
#define SOSIM_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

/* Kernel families: a machine declares its contexts once per family. */
typedef enum { FAM_NETBSD, FAM_FREEBSD, FAM_OPENBSD, FAM__COUNT } Family;

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

/* One context per family, as a machine declares it: CTX3(NetBSD, FreeBSD, OpenBSD). */
typedef struct {
	uint8_t fam[FAM__COUNT];
} Contexts;
#define CTX3(n, f, o) { { CTX_##n, CTX_##f, CTX_##o } }

#endif
