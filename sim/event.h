/*
 * event.h: what the engine tells the outside world about each step.
 *
 * sim/ emits these through World.sink and knows nothing of how they are
 * shown; trace/ records and formats them.  An event is a plain value.
 */
#ifndef SOSIM_EVENT_H
#define SOSIM_EVENT_H

#include <stdint.h>

typedef enum {
	EVK_STEP,        /* the scheduler picked a thread (or softnet) */
	EVK_TRANS,       /* a state machine took a transition */
	EVK_CALL,        /* a syscall started: detail is the op text */
	EVK_RETURN,      /* a syscall returned: a = value, b = errno, c = flags */
	EVK_SLEEP,       /* a thread went to sleep: detail has channel and wmesg */
	EVK_WAKEUP,      /* a thread was made runnable */
	EVK_LOCK,        /* sblock took SB_LOCK */
	EVK_UNLOCK,      /* sbunlock released it */
	EVK_SOCKBUF,     /* a sockbuf changed: append/drop/flush; a = cc, b = mbcnt */
	EVK_SEGMENT,     /* a segment was put on the wire */
	EVK_DELIVER,     /* softnet delivered a segment or datagram */
	EVK_TIMER,       /* a timer fired */
	EVK_CLOCK,       /* virtual time advanced: a = new time */
	EVK_DROP,        /* a datagram or segment was dropped: detail says why */
	EVK_EXPECT,      /* an op result was checked: a = 1 held, 0 failed */
	EVK_VIOLATION,   /* an invariant broke */
	EVK_NOTE,        /* anything else worth a line */
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

#endif
