/*
 * event.h: what the engine tells the outside world about each step.
 *
 * The engine emits these through the run's sink and knows nothing of how
 * they are shown; trace/ records and formats them.  An event is a plain value.
 */
#ifndef SOSIM_EVENT_H
#define SOSIM_EVENT_H

#include <stdint.h>

typedef enum {
#define EVENT(id, name, doc) EVK_##id,
#include "events.def"
#undef EVENT
	EVK__COUNT
} SimEventKind;

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
	int64_t a, b, c;
	char detail[160];
} SimEvent;

extern const char *const event_kind_names[EVK__COUNT];
extern const char *const event_kind_docs[EVK__COUNT];

#endif
