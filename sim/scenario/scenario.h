/*
 * scenario.h: a parsed scenario file, the recipe for a World.
 *
 * The parser (scenario_parse.c and parse_*.c) turns a .scn file into this
 * plain value; instantiate.c makes a World of it.  Every element keeps the
 * line and column it came from, so a failed expectation can point back at
 * the source.
 * The language itself is documented in docs/scenario-language.md.
 */
#ifndef SOSIM_SCENARIO_H
#define SOSIM_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "kern.h"

#define SCN_MAX_SOCKETS   WORLD_MAX_SOCKETS
#define SCN_MAX_THREADS   WORLD_MAX_THREADS
#define SCN_NAME_MAX      24
#define SCN_MAX_OPS       65536  /* per thread */
#define SCN_MAX_EVENTS    65536
#define SCN_MAX_EXPECTS   4096
#define SCN_SCHED_TASKQ     SCHED_KTHREAD(TK_TASKQ)      /* `sosplice` in a schedule */
#define SCN_SCHED_SOFTCLOCK SCHED_KTHREAD(TK_SOFTCLOCK)  /* `softclock`: runs soidle */

typedef SrcPos ScnPos;    /* line and column, 1-based (column in bytes) */

typedef enum {
	SCN_SOCK_TCP,
	SCN_SOCK_UDP,
} ScnSockKind;

/* Socket options settable in a declaration or by `setsockopt`: the
 * kernel's (kern.h), by their scenario names. */
typedef SockOpt ScnOpt;
#define SCN_OPT_RCVBUF    SOPT_RCVBUF
#define SCN_OPT_SNDBUF    SOPT_SNDBUF
#define SCN_OPT_RCVLOWAT  SOPT_RCVLOWAT
#define SCN_OPT_SNDLOWAT  SOPT_SNDLOWAT
#define SCN_OPT_RCVTIMEO  SOPT_RCVTIMEO
#define SCN_OPT_SNDTIMEO  SOPT_SNDTIMEO
#define SCN_OPT_NONBLOCK  SOPT_NONBLOCK
#define SCN_OPT_OOBINLINE SOPT_OOBINLINE
#define SCN_OPT_LINGER    SOPT_LINGER
#define SCN_OPT_MSS       SOPT_MSS
#define SCN_OPT_DELAY     SOPT_DELAY
#define SCN_OPT_LISTEN    SOPT_LISTEN
#define SCN_OPT_LOOPBACK  SOPT_LOOPBACK
#define SCN__OPT_COUNT    SOPT__COUNT

typedef struct {
	ScnOpt opt;
	int64_t value;
	ScnPos pos;
} ScnOptSet;

/* An IPv4 address and port, host order. */
typedef struct {
	uint32_t ip;
	uint16_t port;
} ScnAddr;

typedef struct {
	char name[SCN_NAME_MAX];
	ScnSockKind kind;
	ScnPos pos;
	int peer;             /* TCP: index of the other end; UDP: connected-to socket or -1 */
	ScnAddr addr;         /* UDP: local address (defaulted by the parser if not given) */
	ScnOptSet opts[SCN__OPT_COUNT];
	int nopts;
} ScnSocket;

typedef enum {
	SCN_OP_SEND,          /* send SOCK LEN [FLAGS]                  */
	SCN_OP_SENDTO,        /* sendto SOCK DEST LEN [FLAGS]           */
	SCN_OP_RECV,          /* recv SOCK LEN [FLAGS] (recvfrom too)    */
	SCN_OP_SHUTDOWN,      /* shutdown SOCK rd|wr|rdwr               */
	SCN_OP_CLOSE,         /* close SOCK                             */
	SCN_OP_SETSOCKOPT,    /* setsockopt SOCK opt=value              */
	SCN_OP_KTTCP_SEND,    /* kttcp send SOCK LEN                    */
	SCN_OP_KTTCP_RECV,    /* kttcp recv SOCK LEN                    */
	SCN_OP_SLEEP,         /* sleep DURATION                         */
	SCN_OP_UPCALL,        /* upcall SOCK: register so_upcall, set SB_UPCALL */
	SCN_OP_WAITUPCALL,    /* waitupcall SOCK: sleep until the upcall has run */
	SCN_OP_SPLICE,        /* splice SRC DRAIN [max=N] [idle=D]: setsockopt(SO_SPLICE) */
	SCN_OP_UNSPLICE,      /* unsplice SRC: setsockopt(SO_SPLICE) with no drain */
	SCN_OP_GETSPLICE,     /* getsplice SRC: getsockopt(SO_SPLICE), the bytes moved */
	SCN_OP_SOERROR,       /* soerror S: getsockopt(SO_ERROR), returns and clears so_error */
	SCN_OP_SYS_SPLICE,    /* sys_splice A B: NetBSD 2005 splice(2) */
	SCN_OP_COPY,          /* copy SRC DST LEN: read up to LEN from SRC, write what came to DST */
	SCN_OP_POLL,          /* poll S readable|writable [timeout=D]: 1 when ready, 0 at the timeout */
	SCN_OP_SOCKATMARK,    /* sockatmark S: ioctl(SIOCATMARK), 1 at the out-of-band mark, else 0 */
} ScnOpKind;

typedef enum { SCN_CMP_EQ, SCN_CMP_NE, SCN_CMP_LT, SCN_CMP_LE, SCN_CMP_GT, SCN_CMP_GE } ScnCmp;

typedef enum {
	SCN_RES_NONE,         /* no `=>`: anything is accepted          */
	SCN_RES_VALUE,        /* => 4096, => >= 1000                     */
	SCN_RES_ERRNO,        /* => EWOULDBLOCK, => EPIPE|ECONNRESET      */
} ScnResultKind;

#define SCN_MAX_ERRS 4

typedef struct {
	ScnResultKind kind;
	ScnCmp cmp;           /* VALUE: how the count compares with value (== unless written) */
	int64_t value;        /* bytes for VALUE                         */
	int err;              /* errno value (sim/errno_names.h) for ERRNO: the first */
	int errs[SCN_MAX_ERRS]; /* ERRNO: every errno accepted, err first */
	int nerrs;
	bool check_flags;     /* a flags list (or `-`: none) followed the value */
	int flags;            /* expected output flags (MSG_TRUNC, MSG_EOR, MSG_OOB) */
	ScnPos pos;           /* position of the `=>` */
} ScnResult;

typedef struct {
	ScnOpKind kind;
	ScnPos pos;
	int sock;             /* socket index */
	int dest;             /* SENDTO: destination socket index */
	int64_t len;          /* bytes; SLEEP: nanoseconds */
	int flags;            /* K_MSG_* (kern.h) */
	int how;              /* SHUTDOWN: 0 rd, 1 wr, 2 rdwr (SHUT_*); POLL: SB_RCV readable, SB_SND writable */
	int ctl_len;          /* SENDTO/SEND on UDP: bytes of control data (0 = none) */
	int64_t max;          /* SPLICE: sp_max (may be negative: EINVAL) */
	int64_t idle;         /* SPLICE: sp_idle in ns (negative: EINVAL) */
	int optlen;           /* SPLICE: optlen of the setsockopt (0: sizeof(struct splice)) */
	ScnOptSet opt;        /* SETSOCKOPT */
	ScnResult expect;
	char text[96];        /* the op as written, for the trace */
} ScnOp;

typedef struct {
	char name[SCN_NAME_MAX];
	ScnPos pos;
	ScnOp *ops;           /* g_new array */
	int nops;
} ScnThread;

/* Things that happen to the world at a virtual time, from outside. */
typedef enum {
	SCN_EV_DATAGRAM,      /* at T datagram SOCK from A.B.C.D:P len N [control N] */
	SCN_EV_FIN,           /* at T fin SOCK: the peer of SOCK shuts down its sending side */
	SCN_EV_RST,           /* at T rst SOCK: a reset arrives at SOCK  */
	SCN_EV_SIGNAL,        /* at T signal THREAD: interrupts an interruptible sleep */
	SCN_EV_UNREACH,       /* at T unreachable SOCK: an ICMP port unreachable for UDP SOCK */
} ScnEventKind;

typedef struct {
	ScnEventKind kind;
	ScnPos pos;
	int64_t at;           /* ns */
	int sock;             /* target socket (DATAGRAM, FIN, RST) */
	int thread;           /* SIGNAL */
	ScnAddr from;         /* DATAGRAM */
	int64_t len;          /* DATAGRAM payload bytes */
	int ctl_len;          /* DATAGRAM control bytes (0 = none) */
} ScnEvent;

/* Final-state expectations. */
typedef enum {
	SCN_EXP_DEADLOCK,     /* expect deadlock / expect no-deadlock (negate) */
	SCN_EXP_VIOLATION,    /* expect violation NAME / expect violation none */
	SCN_EXP_FIELD,        /* expect SOCK.rcv.cc == 0 */
	SCN_EXP_TIME,         /* expect time >= 5s */
	SCN_EXP_SHARE,        /* expect share ROUTINE >= 30% */
	SCN_EXP_STAT,         /* expect stat NAME op N */
	SCN_EXP_DELIVERED,    /* expect delivered SOCK == N (bytes read by programs) */
	SCN_EXP_STATE,        /* expect SOCK.state has|lacks SS_X (negate: lacks) */
	SCN_EXP_SLEEPS,       /* expect THREAD sleeps [on SOCK.rcv|SOCK.snd] */
	SCN_EXP_LEAKED,       /* expect leaked mbufs|kmem CMP N */
} ScnExpectKind;

/* Over the interleavings `sosim explore` tries (`sosim run` has one). */
typedef enum {
	SCN_Q_PLAIN,          /* expect X: in every run */
	SCN_Q_ALWAYS,         /* expect always X: the same, said out loud */
	SCN_Q_SOMETIMES,      /* expect sometimes X: in at least one run */
} ScnQuant;

/* The socket fields `expect SOCK.FIELD` reads (sockfields.def). */
typedef enum {
#define SOCKFIELD(id, name, doc) SF_##id,
#include "sockfields.def"
#undef SOCKFIELD
	SF__COUNT
} SockField;

extern const char *const sockfield_names[SF__COUNT];
extern const char *const sockfield_docs[SF__COUNT];
/* The field's id, or -1. */
int sockfield_find(const char *name);

typedef struct {
	ScnExpectKind kind;
	ScnPos pos;
	ScnQuant quant;
	bool negate;          /* DEADLOCK: no-deadlock */
	char name[32];        /* VIOLATION: invariant name or "none"; SHARE: routine; STAT: counter;
	                         FIELD: "rcv.cc", "snd.mbcnt", "error" ... as written */
	int field;            /* FIELD: a SockField */
	int sock;             /* FIELD, DELIVERED, STATE, SLEEPS (-1: on anything) */
	int which;            /* SLEEPS: SB_RCV or SB_SND */
	int thread;           /* SLEEPS */
	ScnCmp cmp;
	int64_t value;        /* FIELD/STAT/DELIVERED: number or errno; TIME: ns; SHARE: basis points (30% = 3000) */
	char text[96];        /* the expectation as written, for messages */
} ScnExpect;

typedef struct {
	char *path;           /* as given, for messages */
	char *profile;        /* NULL: the CLI or default profile; validated with profile_find() */
	ScnPos profile_pos;
	uint32_t quirks_on;   /* bit (1u << QuirkId): `quirk NAME` */
	uint32_t quirks_off;  /* bit (1u << QuirkId): `quirk NAME off` */
	int64_t seed;
	bool has_seed;
	int64_t limit_steps;  /* 0: default */
	int64_t limit_mbufs;  /* 0: profile default (unlimited) */
	int64_t limit_bytes;  /* 0: default */
	int64_t limit_time;   /* 0: default */
	int64_t sb_max;       /* `sysctl kern.sbmax=SIZE`; 0: the profile's SB_MAX */
	ScnPos sb_max_pos;    /* where that sysctl is */

	ScnSocket sockets[SCN_MAX_SOCKETS];
	int nsockets;
	ScnThread threads[SCN_MAX_THREADS];
	int nthreads;
	ScnEvent *events;     /* g_new array, sorted by time then source order */
	int nevents;
	int *schedule;        /* scripted interleaving: thread indices, -1 = softnet,
	                         SCN_SCHED_TASKQ / SCN_SCHED_SOFTCLOCK = kernel threads */
	int nschedule;
	ScnPos schedule_pos;
	SchedDev *plan;    /* `schedule STEP:THREAD ...`: deviations (who as in schedule) */
	int nplan;
	ScnExpect *expects;
	int nexpects;
	/* `explore [preemptions=K] [max-states=N]`: `sosim check` explores it */
	bool explore;
	int explore_preemptions;      /* -1: the default (2) */
	int64_t explore_max_states;   /* 0: the default */
	ScnPos explore_pos;
	char *description;    /* the leading comment block, for `sosim list` and the TUI */
	char *source;         /* the file's text, for messages about its lines after the parse */
} Scenario;

/*
 * Parse a scenario.  On error returns NULL and sets *err to a GError whose
 * message is already formatted for people: "file:line:col: error: what\n
 * <source line>\n    ^".
 */
Scenario *scenario_parse_file(const char *path, GError **err);
Scenario *scenario_parse_string(const char *path, const char *text, GError **err);
/* A condition as an `expect SOCKET.FIELD OP VALUE` line writes it (b.rcv.cc
 * == 0), on its own, with s's sockets: false with the message in *err. */
bool scenario_parse_condition(const Scenario *s, const char *text, ScnExpect *e, char **err);
/* The same for a buffer that may hold NUL bytes (they are reported). */
Scenario *scenario_parse_data(const char *path, const char *data, size_t len, GError **err);
void scenario_free(Scenario *s);

GQuark scenario_error_quark(void);
#define SCENARIO_ERROR scenario_error_quark()

/* GError codes in SCENARIO_ERROR. */
typedef enum {
	SCENARIO_ERROR_READ,    /* "path: error: cannot read: ..." or file too large */
	SCENARIO_ERROR_SYNTAX,  /* "path:line:col: error: ..." */
} ScenarioErrorCode;

#endif
