/*
 * world.h: the whole simulated state, as one value.
 *
 * docs/design.md rule 1: simulated objects refer to each other by handles (an
 * index plus a generation), never by C pointers.  A stale handle (a use
 * after free in the simulated kernel) is then detected when dereferenced
 * and reported as the "stale-handle" violation instead of crashing sosim.
 * Pools grow on demand; slot 0 of every pool is a scratch object that a
 * stale dereference returns so the step can finish before the run stops.
 */
#ifndef SOSIM_WORLD_H
#define SOSIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "profile.h"
#include "event.h"

/* What one world can hold (the scenario language's limits follow these). */
#define WORLD_MAX_SOCKETS 512   /* OpenBSD's chain regress test splices 129 connections */
#define WORLD_MAX_THREADS 16    /* the scenario's threads */

/* A place in a scenario file, 1-based; the engine only carries it. */
typedef struct {
	int line;
	int col;
} SrcPos;

/* One deviation of a schedule (scheduling.md): at step `step` (from 1) run
 * `who` instead of the default policy's pick: a thread index, SCHED_SOFTNET,
 * or SCHED_KTHREAD(TK_...) for a kernel thread by its kind. */
typedef struct {
	uint64_t step;
	int who;
} SchedDev;
#define SCHED_SOFTNET (-1)
#define SCHED_KTHREAD(kind) (-1 - (kind))   /* TK_TASKQ -> -2, TK_SOFTCLOCK -> -3 */

#define POOL_CHUNK_SHIFT 8
#define POOL_CHUNK (1u << POOL_CHUNK_SHIFT)
#define POOL_BLOCK_SHIFT 4      /* slots per table stamp: 16 */
#define POOL_BLOCKS (POOL_CHUNK >> POOL_BLOCK_SHIFT)
#define POOL_MAX_CHUNKS 128

typedef struct {
	uint32_t i;             /* slot; 0 is NULL */
	uint32_t g;             /* generation the slot had when the handle was made */
} Ref;

#define REF_NULL ((Ref){ 0, 0 })
static inline bool ref_null(Ref r) { return r.i == 0; }
/* both halves at once, without a short circuit: one test per call site */
static inline bool ref_eq(Ref a, Ref b) { return ((a.i ^ b.i) | (a.g ^ b.g)) == 0; }

/* mbuf types and flags: NetBSD sys/mbuf.h numbering. */
enum { MT_FREE = 0, MT_DATA = 1, MT_HEADER = 2, MT_SONAME = 3, MT_CONTROL = 6, MT_OOBDATA = 7 };
enum { M_EXT = 0x01, M_PKTHDR = 0x02, M_EOR = 0x04 };
/* allocation: M_WAIT may sleep until an mbuf is freed; M_DONTWAIT fails */
enum { M_DONTWAIT = 0, M_WAIT = 1 };

typedef struct {
	uint32_t gen;
	uint8_t live;
	uint8_t type;
	uint8_t flags;
	uint8_t loopcnt;        /* m_pkthdr.ph_loopcnt (OpenBSD): somove passes of these bytes */
	Ref next;               /* m_next: next mbuf of this record */
	Ref nextpkt;            /* m_nextpkt: next record (record heads only) */
	uint32_t off;           /* m_data, as an offset into the storage */
	uint32_t len;           /* m_len */
	uint32_t pkt_len;       /* m_pkthdr.len */
	uint32_t tag;           /* sim only: which datagram the bytes belong to */
	Ref ext;                /* the cluster, when M_EXT */
} Mbuf;

typedef struct {
	uint32_t gen;
	uint32_t refcnt;        /* 0: free */
} Cluster;

/* sb_flags: the classic bits of NetBSD 1.6 and OpenBSD sys/socketvar.h. */
enum {
	SB_LOCK = 0x01, SB_WANT = 0x02, SB_WAIT = 0x04, SB_SEL = 0x08,
	SB_ASYNC = 0x10, SB_UPCALL = 0x20, SB_NOINTR = 0x40,
	SB_SPLICE = 0x80,       /* OpenBSD: the buffer is spliced (source so_rcv, drain so_snd) */
};

typedef struct {
	Ref mb;                 /* sb_mb */
	Ref lastrecord;         /* sb_lastrecord */
	Ref mbtail;             /* sb_mbtail */
	int64_t cc;             /* sb_cc */
	int64_t datacc;         /* sb_datacc (OpenBSD): sb_cc without names and control */
	int64_t hiwat;          /* sb_hiwat */
	int64_t mbcnt;          /* sb_mbcnt */
	int64_t mbmax;          /* sb_mbmax */
	int64_t lowat;          /* sb_lowat */
	int64_t timeo;          /* sb_timeo, ns; 0 = forever */
	uint32_t flags;         /* sb_flags */
	int16_t lock_owner;     /* thread holding SB_LOCK, -1 if none */
	int16_t pad;
} Sockbuf;

/* so_state (NetBSD 1.6 sys/socketvar.h values). */
enum {
	SS_NOFDREF = 0x001, SS_ISCONNECTED = 0x002, SS_ISCONNECTING = 0x004,
	SS_ISDISCONNECTING = 0x008, SS_CANTSENDMORE = 0x010,
	SS_CANTRCVMORE = 0x020, SS_RCVATMARK = 0x040, SS_NBIO = 0x080,
	SS_ASYNC = 0x100, SS_ISCONFIRMING = 0x200, SS_MORETOCOME = 0x400,
};
enum { SO_ACCEPTCONN = 0x0002, SO_LINGER = 0x0080, SO_OOBINLINE = 0x0100 };

/* protosw pr_flags (sys/protosw.h). */
enum { PR_ATOMIC = 0x01, PR_ADDR = 0x02, PR_CONNREQUIRED = 0x04, PR_WANTRCVD = 0x08 };

enum { PROTO_TCP, PROTO_UDP };

enum {
	TCPS_CLOSED, TCPS_ESTABLISHED, TCPS_CLOSE_WAIT, TCPS_FIN_WAIT_1,
	TCPS_CLOSING, TCPS_LAST_ACK, TCPS_FIN_WAIT_2, TCPS_TIME_WAIT,
};
/* t_flags: TF_ACKNOW, TF_DELACK, TF_SENTFIN as in NetBSD/OpenBSD tcp_var.h;
 * TF_RXWIN0SENT is FreeBSD's (a zero window was advertised) */
enum { TF_ACKNOW = 0x01, TF_DELACK = 0x02, TF_RXWIN0SENT = 0x04, TF_SENTFIN = 0x10 };
enum { TCPOOB_HAVEDATA = 0x01, TCPOOB_HADDATA = 0x02 };

/* TCP control block.  Sequence numbers are 64-bit stream offsets that never
 * wrap; the FIN takes the sequence number just past the data. */
typedef struct {
	uint8_t t_state;
	uint8_t t_flags;
	uint8_t t_oobflags;
	uint8_t t_iobc;         /* the out-of-band byte pulled out of the stream */
	uint8_t t_force;
	uint8_t loopback;       /* sosim: the wire is lo0 (segments arrive with IFF_LOOPBACK), the
	                         * default; 0: a network between two hosts (`loopback=0`) */
	int8_t t_rxtshift;      /* persist backoff index */
	uint8_t pad;
	uint32_t t_maxseg;
	int64_t delay;          /* one-way wire delay, ns */
	uint64_t snd_una, snd_nxt, snd_max;
	uint64_t snd_wnd;
	uint64_t snd_up;        /* urgent pointer: stream offset just past the urgent byte */
	uint64_t max_sndwnd;
	uint64_t rcv_nxt, rcv_adv;
	uint64_t rcv_up;
	uint32_t persist;       /* timer slot, 0 if not running */
	uint32_t delack;        /* the delayed-ACK timer's identity, 0 if not armed */
	/* NetBSD tcp_output's cached position in so_snd (t_lastm, t_lastoff)
	 * so building a segment does not walk the buffer from sb_mb. */
	Ref lastm;
	uint64_t lastoff;       /* stream offset (relative to snd_una base) of lastm's first byte */
	uint64_t snd_base;      /* stream offset of so_snd's first byte (== snd_una) */
} Tcpcb;

typedef struct {
	uint32_t gen;
	uint8_t live;
	uint8_t proto;          /* PROTO_TCP, PROTO_UDP */
	uint8_t pr_flags;
	uint8_t nbio_pad;
	int16_t peer;           /* TCP: the socket at the other end of the wire; UDP: connected peer or -1 */
	int16_t pad;
	uint32_t state;         /* so_state */
	uint32_t options;       /* so_options */
	int error;              /* so_error */
	int64_t linger;         /* so_linger, ns, with SO_LINGER in so_options */
	int64_t oobmark;        /* so_oobmark */
	Sockbuf rcv, snd;
	Tcpcb tp;
	uint32_t ip;            /* UDP: bound address */
	uint16_t port;
	uint16_t pad2;

	/* Conservation accounting (docs/design.md rule 4). */
	uint64_t tx_app;        /* bytes accepted from programs by sosend/kttcp */
	uint64_t tx_acked;      /* TCP: bytes the peer acknowledged (dropped from so_snd) */
	uint64_t tx_dropped;    /* bytes thrown away from so_snd (reset, close) */
	uint64_t rx_total;      /* data bytes appended to so_rcv */
	uint64_t rx_app;        /* data bytes read by programs */
	uint64_t rx_dropped;    /* data bytes flushed from so_rcv (shutdown, close) */
	uint64_t rx_expect;     /* stream offset the next read must match (payload check) */
	uint64_t dgram_dropped; /* UDP: datagrams dropped because they did not fit */
	uint64_t tx_sent;       /* UDP: data bytes udp_output put on the wire */
	uint64_t rx_wire;       /* UDP: data bytes of datagrams from the wire that reached the socket */
	uint64_t rx_full;       /* UDP: data bytes of those dropped because they did not fit */
	uint64_t delivered;     /* bytes programs took (read and consumed) */
	uint64_t peeked;        /* bytes programs saw with MSG_PEEK, left in the buffer */
	/* so_upcall: the thread that registered it (-1: none), and the calls
	 * it has not yet collected */
	int16_t upcall_thread;
	uint32_t upcall_pending;
	/* sender stream offsets of urgent bytes pulled out of the stream, so
	 * the payload check can map receive offsets back to what was sent */
	uint64_t oob_hole[64];
	int noob_holes;

	/* OpenBSD socket splicing (struct sosplice, so_sp) */
	Ref ssp_socket;         /* the drain this source is spliced to */
	Ref ssp_soback;         /* the source spliced to this drain */
	int64_t splicelen;      /* so_splicelen: bytes moved by this splice */
	int64_t splicemax;      /* so_splicemax: 0 = no maximum */
	int64_t idletv;         /* so_idletv, ns: 0 = no idle timeout */
	uint32_t idle_gen;      /* the armed idle timeout; 0 = not armed */
	uint8_t task_queued;    /* so_splicetask is on the sosplice task queue */
	uint8_t idle_queued;    /* soidle is on the softclock queue */
	Ref idle_ref;           /* the socket an armed idle timeout will run soidle on */
	uint64_t rx_moved;      /* data bytes somove took from so_rcv */
	uint64_t tx_moved;      /* data bytes somove put into so_snd */
	/* where the bytes of this socket's send stream come from: runs that
	 * start at a send offset and carry (stream, offset) of their origin;
	 * none means everything is this socket's own stream */
	struct { uint64_t tx, stream, off; } org[32];
	int norg;

	/* NetBSD 2005 splice(2): the splice_state this socket's upcall serves */
	int16_t upcall_knot;
	uint8_t kc_pending;     /* its kcont is deferred to softnet */
	/* OpenBSD: so_sp was allocated, so sofree hands the socket to soreaper
	 * (softclock), which hands it to soput on the sosplice taskq */
	uint8_t had_sp;
	uint8_t reap;           /* REAP_* */
	/* OpenBSD 7.6 so_refcnt: references taken with soref beyond the
	 * file's own; sofree of a non-TCP socket waits for them ("sofinal") */
	int32_t refcnt;
} Socket;

enum { REAP_NONE, REAP_SOREAPER, REAP_SOPUT };

/* Channels threads sleep on: the address the kernel would tsleep() on. */
enum { CH_SB_CC = 1, CH_SB_FLAGS = 2, CH_MBUF = 3, CH_PAUSE = 4, CH_UPCALL = 5, CH_TASKQ = 6, CH_KNOT = 7,
	CH_SOREF = 8, CH_SEL = 9 };
#define CHAN(kind, sock, which) (((uint32_t)(kind) << 24) | ((uint32_t)(sock) << 4) | (uint32_t)(which))
enum { SB_RCV = 0, SB_SND = 1 };

#define MAX_DEPTH 8

typedef struct {
	uint16_t mach;          /* MachineId */
	uint16_t pc;            /* current state */
	union {
		struct {
			Ref so; int64_t slen, resid, space, len, mlen;
			Ref top, tail; int flags, atomic, error, clen, dest;
			bool kttcp;
		} ss;       /* sosend */
		struct {
			Ref so; int64_t slen, resid, orig_resid, len, moff;
			int64_t offset;     /* stream offset of the next byte (payload check) */
			int64_t moff_mark;  /* the kernel's `offset`: bytes peeked, for the oob mark */
			Ref m, nextrecord; int flags, error, type; bool kttcp;
			uint32_t from_ip; uint16_t from_port; bool dgram_path;
			Ref rec;  /* soreceive_dgram: the record taken off the buffer */
			bool report;  /* reached the normal exit: `*flagsp |= flags` */
			int iflags;   /* the caller's flags: msg_flags starts as these */
		} sr;       /* soreceive, soreceive_dgram */
		struct { Ref so; int which, wf; } sl;   /* sblock, sbwait */
		struct { Ref so; uint64_t total, left; int64_t t0; } kt;  /* kttcp */
		struct {
			Ref so, sosp, soback; int64_t max, idle;
			int fd, fd2;        /* sosplice: the drain; sys_splice: both (socket or FD_BAD/FD_NOTSOCK) */
			int optlen, knot;
			int error;          /* soclose: soclose's error, kept across the sofinal sleep */
			bool unsplice, doyield;
		} sp;       /* sosplice, soclose, sotask, soidle, sys_splice */
		struct {
			Ref so, sosp, m, nextrecord; int64_t len; int error, rv;
			uint64_t rxoff;     /* TCP: receive offset of the bytes taken */
			uint8_t loopcnt;    /* the moved packet's ph_loopcnt */
			bool maxreached, wait;
			bool rcvatmark;     /* TCP: SS_RCVATMARK before the take (rcvstate) */
			int64_t oobmark;    /* TCP: the urgent byte's offset in the bytes taken, 0 none */
		} mv;       /* somove */
		struct { int64_t deadline, copied; } us;    /* a program: poll's deadline, copy's read */
	} u;
} Frame;

enum { TS_RUN, TS_SLEEP, TS_DONE };

/* Kernel threads: the OpenBSD sosplice task queue and softclock (timeouts
 * with TIMEOUT_PROC run there, soidle among them). */
enum {
	TK_USER,
#define KTHREAD(id, name, wmesg) TK_##id,
#include "kthreads.def"
#undef KTHREAD
	TK__COUNT
};

typedef struct {
	uint8_t state;          /* TS_* */
	uint8_t kind;           /* TK_* */
	uint8_t intr;           /* sleeping interruptibly (PCATCH) */
	uint8_t sig_pending;    /* a signal arrived while not in an interruptible sleep */
	int16_t depth;
	uint32_t wchan;
	const char *wmesg;
	int wake_err;           /* 0 woken, EWOULDBLOCK timeout, EINTR signal */
	uint32_t sleep_gen;     /* matches a timeout event to this sleep */
	int pc;                 /* op index in the scenario thread program */
	int64_t rv;             /* last syscall result */
	int err;
	int oflags;
	uint32_t rx_ip;         /* last recvfrom source */
	uint16_t rx_port;
	/* engine bookkeeping within a step: the context of the preemption
	 * point the last transition (or return) is, CTX_NA if it is none */
	uint8_t yield_ctx;
	/* the context (contexts.def) the thread holds where it stopped: that
	 * of its preemption point; CTX_NA asleep, finished or not started */
	uint8_t ctx;
	Frame stack[MAX_DEPTH];
} Thread;

/* The wire: segments in flight. */
enum { TH_FIN = 0x01, TH_RST = 0x04, TH_ACK = 0x10, TH_URG = 0x20 };
enum { SEG_TCP, SEG_UDP };

typedef struct {
	uint32_t gen;
	uint8_t live;
	uint8_t kind;
	uint8_t th_flags;
	uint8_t pad;
	int16_t src, dst;       /* socket indices (dst -1: routed by address) */
	uint64_t seq, ack;
	uint32_t len;
	int64_t win;
	uint64_t urp;
	Ref m;                  /* payload chain */
	uint32_t from_ip, to_ip;
	uint16_t from_port, to_port;
} Segment;

/* Kernel work that happens at a virtual time. */
enum { KW_SEGMENT, KW_PERSIST, KW_SLEEP_TIMEOUT, KW_SCENARIO, KW_SPLICE_IDLE, KW_KCONT, KW_DELACK, KW__COUNT };

typedef struct {
	int64_t time;
	uint64_t seq;           /* FIFO order among equal times */
	uint8_t kind;
	uint32_t a;             /* segment slot, socket, thread, or scenario event */
	uint32_t gen;           /* for cancellation: must match the target's generation */
} Work;

/* Deterministic cost counters, per routine (DESIGN: cost profile). */
typedef enum {
#define ROUTINE(id, name, doc) R_##id,
#include "routines.def"
#undef ROUTINE
	R__COUNT
} RoutineId;

typedef struct {
	uint64_t calls, visits, bytes, allocs, locks, sleeps, wakeups;
} Cost;

extern const char *const routine_names[R__COUNT];
extern const char *const routine_docs[R__COUNT];

/* Counters for `expect stat NAME`. */
typedef struct {
#define COUNTER(name, doc) uint64_t name;
#include "counters.def"
#undef COUNTER
} Stats;

typedef struct {
	const char *name;
	const char *doc;
	size_t offset;          /* in Stats */
} CounterDef;
extern const CounterDef counter_defs[];
extern const int ncounter_defs;
/* The counter's index in counter_defs, or -1. */
int counter_find(const char *name);

/* Invariants (violations.def). */
typedef enum {
	V_NONE,
#define VIOLATION(id, name, doc) V_##id,
#include "violations.def"
#undef VIOLATION
	V__COUNT
} ViolationId;
extern const char *const violation_names[V__COUNT];
extern const char *const violation_docs[V__COUNT];
/* The ViolationId of a name ("none" is V_NONE), or -1. */
int violation_find(const char *name);

/* Why a run stopped early. */
typedef enum {
	STOP_NONE, STOP_DONE, STOP_DEADLOCK, STOP_VIOLATION, STOP_LIMIT,
} StopReason;

typedef enum { CHECK_EVERY_STEP, CHECK_AT_END } CheckMode;

typedef struct World World;
typedef struct Run Run;       /* run.h: what a run needs around its world */

/*
 * The whole simulated state (docs/design.md rule 1).  Everything here is a
 * value: world_clone() copies it, world_hash() hashes it.  The one
 * exceptions come first: `run`, the borrowed pointer to the run this
 * world belongs to (event sink, plan, limits, names, message texts),
 * which a clone shares, and this world's own memory (the pool chunks and
 * the work queue's array), which holds the value but is not it.  The value
 * starts at `prof`, a pointer at an immutable profile table entry: which
 * kernel this is, like `quirks`.
 */
struct World {
	Run *run;               /* not part of the value: see above */
	bool run_owned;         /* world_free frees the run too */

	/* memory: pools in chunks, so that pointers into them stay valid
	 * while they grow; the slots' contents are the value */
	Mbuf *mchunk[POOL_MAX_CHUNKS];
	uint8_t *mdchunk[POOL_MAX_CHUNKS];   /* internal storage, mlen bytes per mbuf */
	Cluster *cchunk[POOL_MAX_CHUNKS];
	uint8_t *cdchunk[POOL_MAX_CHUNKS];   /* cluster storage, mclbytes per cluster */
	Segment *schunk[POOL_MAX_CHUNKS];
	/* the data epoch (Run.data_epoch) at which each mbuf's and cluster's
	 * storage was last handed out for writing, so a snapshot restored into
	 * this same world copies back only the bytes that may have changed
	 * since it was taken (snapshot.c) */
	uint64_t *mstamp[POOL_MAX_CHUNKS];
	uint64_t *cstamp[POOL_MAX_CHUNKS];
	/* the same for the slot tables, one stamp per block of POOL_BLOCK
	 * slots, set whenever the kernel's mutable accessors (mb(), mbuf.c,
	 * wire.c) hand a slot out: a restore copies back only the blocks of
	 * the mbuf, cluster and segment tables reached since the snapshot */
	uint64_t *mtstamp[POOL_MAX_CHUNKS];
	uint64_t *ctstamp[POOL_MAX_CHUNKS];
	uint64_t *ststamp[POOL_MAX_CHUNKS];
	const uint64_t *epoch;  /* &run->data_epoch, for the inline stamps */
	Work *work;             /* the array of the queue of pending work */
	uint32_t capwork;

	/* the value */
	const Profile *prof;
	uint32_t quirks;
	int64_t now;            /* virtual time, ns */
	uint64_t step;
	uint64_t rng;           /* --seed scheduler choices */
	bool random_sched;
	int last_thread;        /* the thread that ran last (-1 softnet) */
	int sched_pos;          /* position in the run's scripted schedule */
	int plan_pos;           /* position in the run's plan of deviations */
	int64_t sb_max;         /* kern.sbmax: the profile's, or the scenario's sysctl */

	/* pools (the chunks are above) */
	uint32_t nmbufs, mfree, mlive;
	uint32_t nclusters, cfree, clive;
	uint64_t mbuf_limit;    /* 0: unlimited */
	bool mbuf_wanted;       /* someone sleeps on CH_MBUF */
	uint32_t nsegs, sfree, slive;

	/* pending work: work[work_head .. work_head + nwork) of the array
	 * above, in firing order, (time, seq) ascending */
	uint32_t work_head, nwork;
	uint64_t work_seq;
	uint32_t timer_gen;

	Cost cost[R__COUNT];
	Stats stats;
	uint64_t next_tag;

	/* outcome (the texts are in the run) */
	StopReason stop;
	uint8_t violation;      /* ViolationId of the first invariant violated, V_NONE */
	int violation_thread;
	bool deadlocked;
	uint64_t bytes_moved;
	uint64_t udp_unbound;   /* sim: data bytes of datagrams to a port nobody had bound */

	/* op results that did not match their `=>` (the first few kept; the
	 * messages are in run->fail_msg) */
	SrcPos fails[16];
	int nfails;
	int nchecked;

	/* quiescent-state hashes for livelock detection */
	uint64_t quiet_hash[64];
	int nquiet;
	unsigned quiet_pos;

	int cur_thread;         /* thread being stepped (-1 softnet) */

	/* OpenBSD splicing: the single-thread "sosplice" task queue and the
	 * softclock queue of soidle calls, FIFO (the arrays are below); their
	 * threads (-1: none) */
	int ntaskq, nclockq;
	int tid_taskq, tid_softclock;

	/* kernel malloc(9) for the NetBSD 2005 splice_state (leak check) */
	struct { uint32_t gen; uint8_t live; int16_t so1, so2; } kmem[16];
	int nkmem;

	int nsocks;
	int nthreads;
	/* last, so that a snapshot copies only the live prefix of each */
	Ref taskq[2 * WORLD_MAX_SOCKETS], clockq[2 * WORLD_MAX_SOCKETS];  /* a socket's task and its soput */
	Thread threads[WORLD_MAX_THREADS + TK__COUNT - 1];  /* + the kernel threads */
	Socket socks[];         /* run->socks_cap of them (world_alloc) */
};

/* A socket's bit in the one-word masks of footprints, hash caches and
 * invariant checks: sockets from 31 on share the last bit, so a mask
 * names a superset of the sockets it means (safe for all three). */
static inline uint32_t sock_bit(int i) { return 1u << (i < 31 ? i : 31); }

static inline bool quirk_on(const World *w, QuirkId q) { return (w->quirks >> q) & 1u; }

/* world.c: making, freeing and reporting */
World *world_alloc(Run *run, bool run_owned, const Profile *prof, uint32_t quirks);
void world_free(World *w);
void world_set_seed(World *w, uint64_t seed);
void world_violation(World *w, ViolationId v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int socket_index(const World *w, const Socket *so);
const char *thread_name(const World *w, int tid);
const char *sock_name(const World *w, int i);
/* The kernel thread of a kind (TK_*), or -1 when this world has none. */
int world_kthread(const World *w, int kind);
const char *kthread_name(int kind);
const char *kthread_wmesg(int kind);    /* what it sleeps on when idle */

/* handles: checked dereference for the simulated kernel (a stale handle is
 * a violation and gives a scratch object) */
Socket *sock_ref(World *w, Ref r);
static inline Ref sock_handle(const World *w, int i) { return (Ref){ (uint32_t)i + 1, w->socks[i].gen }; }
/*
 * Chunk c of a pool (its slot table meta, and for mbufs and clusters its
 * storage and data stamps; NULL for segments): allocated if the world
 * has none.  A chunk kept from a larger pool before a restore is used
 * again; with `clear` (the pool growing into it) its slots are cleared as
 * a new chunk's are, and its storage stamped unknown.
 */
void pool_chunk(void **meta, uint64_t **tstamps, uint8_t **data, uint64_t **stamps, uint32_t c,
    size_t meta_size, size_t data_size, bool clear);
/* Slot i of a pool whose table stamps are t is about to be written. */
static inline void
stamp_slot(const World *w, uint64_t *const *t, uint32_t i)
{
	t[i >> POOL_CHUNK_SHIFT][(i & (POOL_CHUNK - 1)) >> POOL_BLOCK_SHIFT] = *w->epoch;
}
/* The storage of mbuf slot i or cluster slot c is about to be written. */
static inline void
stamp_mbuf(const World *w, uint32_t i)
{
	w->mstamp[i >> POOL_CHUNK_SHIFT][i & (POOL_CHUNK - 1)] = *w->epoch;
}
static inline void
stamp_cluster(const World *w, uint32_t c)
{
	w->cstamp[c >> POOL_CHUNK_SHIFT][c & (POOL_CHUNK - 1)] = *w->epoch;
}

/* footprint.c: record that the current step reached socket i, thread t,
 * sleep channel chan, or a shared queue (FP_* of footprint.h) */
void fp_sock(World *w, int i);
void fp_thread(World *w, int t);
void fp_chan(World *w, uint32_t chan);
void fp_flag(World *w, uint32_t flag);
/* The kernel's way to a socket by index: the step's footprint notes it. */
static inline Socket *sock_at(World *w, int i) { fp_sock(w, i); return &w->socks[i]; }

/*
 * Read-only views, for observers (the hash, the trace, viewers): a stale
 * or NULL handle gives NULL, never a violation and never a change.
 */
static inline const Mbuf *
world_mbuf(const World *w, Ref r)
{
	const Mbuf *m;

	if (r.i == 0 || r.i >= w->nmbufs)
		return NULL;
	m = &w->mchunk[r.i >> POOL_CHUNK_SHIFT][r.i & (POOL_CHUNK - 1)];
	return m->live && m->gen == r.g ? m : NULL;
}
/* A live mbuf's cluster, read-only; NULL when it has none or it is stale. */
static inline const Cluster *
world_cluster(const World *w, const Mbuf *m)
{
	const Cluster *c;

	if (m == NULL || !(m->flags & M_EXT) || m->ext.i == 0 || m->ext.i >= w->nclusters)
		return NULL;
	c = &w->cchunk[m->ext.i >> POOL_CHUNK_SHIFT][m->ext.i & (POOL_CHUNK - 1)];
	return c->gen == m->ext.g && c->refcnt > 0 ? c : NULL;
}
static inline const Socket *
world_socket(const World *w, int i)
{
	return i >= 0 && i < w->nsocks ? &w->socks[i] : NULL;
}
static inline const Thread *
world_thread(const World *w, int i)
{
	return i >= 0 && i < w->nthreads ? &w->threads[i] : NULL;
}
static inline const Segment *
world_segment(const World *w, uint32_t slot)
{
	return slot < w->nsegs ? &w->schunk[slot >> POOL_CHUNK_SHIFT][slot & (POOL_CHUNK - 1)] : NULL;
}

#endif
