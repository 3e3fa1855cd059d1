/*
 * event.c: the names of the event kinds (events.def).
 */
#include "event.h"

const char *const event_kind_names[EVK__COUNT] = {
#define EVENT(id, name, doc) [EVK_##id] = name,
#include "events.def"
#undef EVENT
};

const char *const event_kind_docs[EVK__COUNT] = {
#define EVENT(id, name, doc) [EVK_##id] = doc,
#include "events.def"
#undef EVENT
};
