/*
 * context.c: the table of contexts.def.
 */
#include "context.h"

const ContextDef context_defs[CTX__COUNT] = {
#define CONTEXT(id, name, excludes, sleeps, doc) { name, excludes, sleeps, doc },
#include "contexts.def"
#undef CONTEXT
};

const char *const family_names[FAM__COUNT] = { "NetBSD", "FreeBSD", "OpenBSD 7.5", "OpenBSD 7.6" };
