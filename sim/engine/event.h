/*
 * event.h: what the engine tells the outside world about each step.
 *
 * The engine emits these through the run's sink and knows nothing of how
 * they are shown; trace/ records and formats them.  An event is a plain
 * value: its kind, where and when, and up to EV_NFIELDS integer fields
 * whose names and types events.def gives (event_defs).
 */
#ifndef SOSIM_EVENT_H
#define SOSIM_EVENT_H

#include <stdint.h>

typedef enum {
#define EVENT(id, name, doc, fields) EVK_##id,
#include "events.def"
#undef EVENT
	EVK__COUNT
} SimEventKind;

#define EV_NFIELDS 6

typedef enum {
	FT_INT, FT_BYTES, FT_NS, FT_BOOL, FT_THREAD, FT_ENTITY, FT_ERRNO, FT_CHAN, FT_MSGFLAGS,
	FT_SOCK, FT_SOSTATE, FT_SBFLAGS, FT__COUNT
} EventFieldType;

typedef struct {
	const char *name;
	EventFieldType type;
} EventField;

typedef struct {
	const char *name;
	const char *doc;
	const EventField *fields;
	int nfields;
} EventDef;

extern const EventDef event_defs[EVK__COUNT];
/* The names of the bits of so_state (SS_*) and sb_flags (SB_*), by bit. */
extern const char *const sostate_bit_names[16];
extern const char *const sbflags_bit_names[16];
extern const char *const event_field_type_names[FT__COUNT];

typedef struct {
	uint64_t step;
	int64_t time;            /* ns */
	int thread;              /* -1: softnet/kernel */
	SimEventKind kind;
	const char *routine;     /* machine or kernel routine name, static */
	const char *from;        /* EVK_TRANS: state names, static */
	const char *to;
	int sock;                /* -1 if none */
	int which;               /* 0 rcv, 1 snd, -1 none */
	int64_t v[EV_NFIELDS];   /* the fields of event_defs[kind], in order */
	char detail[160];        /* the sentence a person reads */
} SimEvent;

extern const char *const event_kind_names[EVK__COUNT];
extern const char *const event_kind_docs[EVK__COUNT];

#endif
