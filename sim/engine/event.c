/*
 * event.c: the registry of event kinds and their fields (events.def).
 */
#include "event.h"

const char *const event_kind_names[EVK__COUNT] = {
#define EVENT(id, name, doc, fields) [EVK_##id] = name,
#include "events.def"
#undef EVENT
};

const char *const event_kind_docs[EVK__COUNT] = {
#define EVENT(id, name, doc, fields) [EVK_##id] = doc,
#include "events.def"
#undef EVENT
};

/* each kind's fields, ended by a NULL name */
#define F(name, type) { #name, FT_##type },
#define EVENT(id, name, doc, fields) static const EventField evf_##id[] = { fields { 0, 0 } };
#include "events.def"
#undef EVENT
#undef F

const EventDef event_defs[EVK__COUNT] = {
#define EVENT(id, name, doc, fields) \
	[EVK_##id] = { name, doc, evf_##id, (int)(sizeof evf_##id / sizeof evf_##id[0]) - 1 },
#include "events.def"
#undef EVENT
};

const char *const event_field_type_names[FT__COUNT] = {
	[FT_INT] = "int", [FT_BYTES] = "bytes", [FT_NS] = "ns", [FT_BOOL] = "bool",
	[FT_THREAD] = "thread", [FT_ENTITY] = "entity", [FT_ERRNO] = "errno", [FT_CHAN] = "chan",
	[FT_MSGFLAGS] = "msgflags", [FT_SOCK] = "socket", [FT_SOSTATE] = "sostate",
	[FT_SBFLAGS] = "sbflags",
};

/* world.h's SS_* and SB_* values, bit by bit (NetBSD sys/socketvar.h) */
const char *const sostate_bit_names[16] = {
	"SS_NOFDREF", "SS_ISCONNECTED", "SS_ISCONNECTING", "SS_ISDISCONNECTING", "SS_CANTSENDMORE",
	"SS_CANTRCVMORE", "SS_RCVATMARK", "SS_NBIO", "SS_ASYNC", "SS_ISCONFIRMING", "SS_MORETOCOME",
};
const char *const sbflags_bit_names[16] = {
	"SB_LOCK", "SB_WANT", "SB_WAIT", "SB_SEL", "SB_ASYNC", "SB_UPCALL", "SB_NOINTR", "SB_SPLICE",
};

_Static_assert(EV_NFIELDS >= 6, "SimEvent.v holds every kind's fields");
