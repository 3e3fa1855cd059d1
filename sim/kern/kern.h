/*
 * kern.h: the simulated kernel's routines, named as in the BSD sources.
 *
 * Routines here run atomically within one scheduler step (they never
 * sleep); routines that can sleep are state machines (machine.h).
 *
 * Telling the kernel's lines from the simulator's: every line the
 * simulator adds to a kernel routine for its own sake (cost counters,
 * `expect stat` counters, the conservation accounts, payload patterns and
 * their checks, datagram tags, the origin of spliced bytes) is a SIM_
 * macro or a sim_ helper from simbook.h, or a local named sim_*.  Skip
 * those and what is left is the kernel's code, to be read next to the BSD
 * source.
 */
#ifndef SOSIM_KERN_H
#define SOSIM_KERN_H

#include "world.h"
#include "run.h"
#include "machine.h"
#include "sched.h"

/* Message flags: the kernel's MSG_* bit values (NetBSD sys/socket.h).
 * K_ because the host's <sys/socket.h> has the same names. */
#define K_MSG_OOB       0x0001
#define K_MSG_PEEK      0x0002
#define K_MSG_DONTROUTE 0x0004
#define K_MSG_EOR       0x0008
#define K_MSG_TRUNC     0x0010
#define K_MSG_CTRUNC    0x0020
#define K_MSG_WAITALL   0x0040
#define K_MSG_DONTWAIT  0x0080

/* Socket options sosetopt takes (SOL_SOCKET level, and the simulator's own
 * declaration-only ones at the end). */
typedef enum {
	SOPT_RCVBUF,
	SOPT_SNDBUF,
	SOPT_RCVLOWAT,
	SOPT_SNDLOWAT,
	SOPT_RCVTIMEO,      /* value in nanoseconds */
	SOPT_SNDTIMEO,      /* value in nanoseconds */
	SOPT_NONBLOCK,      /* 0 or 1: FIONBIO, SS_NBIO */
	SOPT_OOBINLINE,     /* 0 or 1 */
	SOPT_LINGER,        /* SO_LINGER on with l_linger in ns: 0 makes close abortive (tcp_drop) */
	SOPT_MSS,           /* TCP only, declaration only */
	SOPT_DELAY,         /* wire one-way delay in ns, declaration only */
	SOPT_LISTEN,        /* TCP only, declaration only: a listening socket (SO_ACCEPTCONN) */
	SOPT_LOOPBACK,      /* TCP only, declaration only: 0: the wire is a network, not lo0 */
	SOPT__COUNT
} SockOpt;

/* A splice drain that is not a socket: a descriptor that is not open
 * (EBADF), an open file that is not a socket (ENOTSOCK). */
#define K_FD_BAD     (-2)
#define K_FD_NOTSOCK (-3)

/*
 * The contexts (contexts.def) the generic socket routines are in, per
 * family: AT_SPL0 at low priority in a system call (NetBSD 1.6/2.0 at
 * spl0, not preemptive; FreeBSD 9.1 and OpenBSD 7.x holding nothing
 * that excludes); AT_SB where they touch a buffer's fields (NetBSD
 * splsoftnet, FreeBSD the buffer's SOCKBUF_LOCK, OpenBSD solock).
 */
#define AT_SPL0 CTX3(KERNEL, PREEMPTIBLE, PREEMPTIBLE)
#define AT_SB CTX3(SPLSOFTNET, SOCKBUF_LOCK, SOLOCK)
/* Entering sosend or soreceive and taking sblock: OpenBSD 7.5 takes
 * solock first (solock, then sblock), 7.6 sblock first (the sb_lock
 * rwlock, then solock or the buffer's sb_mtx). */
#define AT_SBLOCK CTX4(KERNEL, PREEMPTIBLE, SOLOCK, PREEMPTIBLE)
/* Leaving sosend or soreceive: OpenBSD holds solock (7.6 TCP the net
 * lock) from sbunlock to the return, which is where its step ends. */
#define AT_UNLOCK CTX4(KERNEL, PREEMPTIBLE, NA, NA)

/* A segment's identity on the wire in the trace (segment, deliver). */
#define WIRE_ID(slot, gen) ((int64_t)((uint64_t)(slot) << 32 | (uint32_t)(gen)))

/* ---- the machines of the kernel's routines (machine.h) ---- */
typedef enum {
	MACH_USER,              /* a scenario thread's program */
	MACH_SOSEND,
	MACH_SORECEIVE,
	MACH_SORECEIVE_DGRAM,
	MACH_SBLOCK,
	MACH_SBWAIT,
	MACH_KTTCP_SEND,
	MACH_KTTCP_RECV,
	MACH_SOSPLICE,          /* setsockopt(SO_SPLICE) */
	MACH_SOMOVE,            /* somove_dgram with its locks dropped around pru_send (7.6) */
	MACH_SOTASK,
	MACH_SOIDLE,
	MACH_KTHREAD,           /* a kernel thread's work loop: sosplice taskq, softclock */
	MACH_SOCLOSE,           /* OpenBSD soclose with its unsplice paths */
	MACH_SYS_SPLICE,        /* NetBSD 2005 splice(2) */
	MACH__COUNT
} MachineId;

extern const MachineDef mach_sosend, mach_soreceive, mach_soreceive_dgram,
    mach_sblock, mach_sbwait, mach_kttcp_send, mach_kttcp_recv, mach_sosplice, mach_somove,
    mach_sotask, mach_soidle, mach_kthread, mach_soclose, mach_sys_splice;

/* sblock/sbunlock helpers (sblock.c) */
Frame *call_sblock(World *w, int tid, Ref so, int which, int wf);
Frame *call_sbwait(World *w, int tid, Ref so, int which);
void sbunlock(World *w, int tid, Socket *so, int which);
static inline Sockbuf *sb_which(Socket *so, int which) { return which == SB_RCV ? &so->rcv : &so->snd; }
#define SBLOCKWAIT(flags) (((flags) & K_MSG_DONTWAIT) ? M_DONTWAIT : M_WAIT)

/* syscall entry helpers for user.c and kttcp.c */
Frame *call_sosend(World *w, int tid, Ref so, int64_t len, int flags, int dest, int ctl_len, bool kttcp);
Frame *call_soreceive(World *w, int tid, Ref so, int64_t len, int flags, bool kttcp);
/* splice.c: the calls behind `splice`, `unsplice`, `close` (OpenBSD) */
Frame *call_sosplice(World *w, int tid, Ref so, int drain, int64_t max, int64_t idle, int optlen,
    bool unsplice);
Frame *call_soclose(World *w, int tid, Ref so);
Frame *call_sys_splice(World *w, int tid, int fd1, int fd2);

/* somove.c: one splice pass.  The state lives in f->u.mv; somove_run does
 * the whole pass at once (where the kernel holds a lock across it). */
enum { MV_TOP, MV_SEND, MV_RELEASE, MV_DONE };
int somove_step(World *w, int tid, Frame *f, bool *preempt);
int somove_run(World *w, int tid, Socket *so, int wait);
Frame *call_somove(World *w, int tid, Socket *so, int wait);


/* kern_init.c: register the kernel's machines, work handlers and invariants
 * with the engine; create the kernel threads a profile has. */
void kern_init(void);
void kern_attach_threads(World *w);

/* ---- mbuf.c ---- */
Mbuf *mb_slow(World *w, Ref r);                  /* reports the stale handle */
/* Checked dereference: a stale or NULL handle is a violation, not a crash. */
static inline Mbuf *
mb(World *w, Ref r)
{
	if (__builtin_expect(r.i != 0 && r.i < w->nmbufs, 1)) {
		Mbuf *m = &w->mchunk[r.i >> POOL_CHUNK_SHIFT][r.i & (POOL_CHUNK - 1)];

		if (__builtin_expect(m->live && m->gen == r.g, 1)) {
			stamp_slot(w, w->mtstamp, r.i);
			return m;
		}
	}
	return mb_slow(w, r);
}
uint8_t *mtod(World *w, Ref r);                  /* data pointer of a live mbuf */
Ref m_get(World *w, int how, int type);          /* MGET; REF_NULL when the pool is out */
Ref m_gethdr(World *w, int how, int type);       /* MGETHDR */
bool m_clget(World *w, Ref m);                   /* MCLGET: true if a cluster was attached */
Ref m_free(World *w, Ref m);                     /* returns m_next */
void m_freem(World *w, Ref m);
Ref m_copym(World *w, Ref m, uint64_t off, uint64_t len, RoutineId who);
Ref m_copym_from(World *w, Ref m, uint64_t off, uint64_t len, RoutineId who);
void m_copydata_from(World *w, Ref m, uint64_t off, uint64_t len, uint8_t *dst, RoutineId who);
void m_adj(World *w, Ref m, int64_t len);
uint32_t m_storage(World *w, const Mbuf *m);     /* size of the mbuf's storage */
int64_t m_trailingspace(World *w, Ref m);
uint64_t m_length(World *w, Ref m);

/* ---- sockbuf.c ---- */
int64_t sbspace(const Sockbuf *sb);
bool sbreserve(World *w, Sockbuf *sb, int64_t cc);
void sballoc(World *w, Sockbuf *sb, Ref m);
void sbfree(World *w, Sockbuf *sb, Ref m);
void sbappend(World *w, Socket *so, Sockbuf *sb, Ref m);
void sbappendstream(World *w, Socket *so, Sockbuf *sb, Ref m);
void sbappendrecord(World *w, Socket *so, Sockbuf *sb, Ref m0);
bool sbappendaddr(World *w, Socket *so, Sockbuf *sb, uint32_t ip, uint16_t port, Ref m0, Ref control);
bool sbappendcontrol(World *w, Socket *so, Sockbuf *sb, Ref m0, Ref control);
void sbcompress(World *w, Sockbuf *sb, Ref m, Ref n);
void sbdrop(World *w, Socket *so, Sockbuf *sb, int64_t len);
Ref sbtake(World *w, Socket *so, Sockbuf *sb, int64_t len, bool split, RoutineId who, int64_t *taken);
void sbdroprecord(World *w, Socket *so, Sockbuf *sb);
void sbflush(World *w, Socket *so, Sockbuf *sb);
void sb_mpurge(World *w, Socket *so, Sockbuf *sb);   /* sbflush without the SB_LOCK check */
void sbrelease(World *w, Socket *so, Sockbuf *sb);
/* SB_EMPTY_FIXUP plus "the head record is the last": after removing from the front */
void sbsync(World *w, Sockbuf *sb, Ref nextrecord);
int64_t sb_datacc(World *w, const Sockbuf *sb);
static inline bool mt_isdata(int type) { return type != MT_SONAME && type != MT_CONTROL; }

/* invariants (invariant.c): return false and call world_violation on failure */
bool sbcheck(World *w, int sock, int which);
bool kern_invariants_step(World *w, uint32_t socks);
/* Leaked at the end: mbufs nothing reaches, or splice_states nothing holds (kmem). */
uint64_t kern_leaked(World *w, bool kmem);     /* registered with the engine by kern_init */
bool kern_invariants_end(World *w);

/* ---- socket2.c (uipc_socket2.c): wakeups ---- */
void sorwakeup(World *w, Socket *so);
void sowwakeup(World *w, Socket *so);

/* ---- socket.c ---- */
void socantsendmore(World *w, Socket *so);
void socantrcvmore(World *w, Socket *so);
void soisdisconnected(World *w, Socket *so);
int sosetopt(World *w, Socket *so, int opt, int64_t value);
int soshutdown(World *w, int tid, Socket *so, int how);
int soclose(World *w, int tid, Socket *so);
void sorflush(World *w, int tid, Socket *so);
void soshutdown_nolock(World *w, Socket *so, int how);
const char *sock_name(const World *w, int i);

/* ---- splice.c, somove.c, sys_splice.c ---- */
bool splice_sorwakeup(World *w, Socket *so);     /* true: no user wakeup (spliced) */
bool splice_sowwakeup(World *w, Socket *so);
void splice_idle_fire(World *w, int sock, uint32_t gen);
void splice_sowake_tramp(World *w, Socket *so, int which);
void splice_kcont_run(World *w, int sock, uint32_t gen);
void sounsplice(World *w, Socket *so, Socket *sosp, int freeing);
enum { SOSP_FREEING_READ = 1, SOSP_FREEING_WRITE = 2 };
static inline bool isspliced(const Socket *so) { return !ref_null(so->ssp_socket); }
static inline bool issplicedback(const Socket *so) { return !ref_null(so->ssp_soback); }
bool soreadable(const Socket *so);
bool sowriteable(const Socket *so);
void sofree_socket(World *w, Socket *so);
void soref(World *w, Socket *so);
void sorele(World *w, Socket *so);

/* ---- tcp.c ---- */
int tcp_usrreq_send(World *w, Socket *so, Ref m, bool oob);
void tcp_usrreq_rcvd(World *w, Socket *so);
int tcp_usrreq_rcvoob(World *w, Socket *so, bool peek, uint8_t *byte);
void tcp_usrclosed(World *w, Socket *so);
void tcp_output(World *w, Socket *so);
void tcp_input(World *w, Segment *seg);
void tcp_persist_timeout(World *w, int sock, uint32_t gen);
void tcp_delack_timeout(World *w, int sock, uint32_t gen);
void tcp_reset_from_peer(World *w, Socket *so);
void tcp_drop(World *w, Socket *so);    /* abortive close: RST, buffers flushed */
int64_t tcp_initial_window(const Socket *so);   /* the window so offers before any segment */

/* ---- udp.c ---- */
int udp_usrreq_send(World *w, Socket *so, Ref m, Ref control, int dest);
void udp_input(World *w, Segment *seg);
void udp_inject(World *w, int sock, uint32_t ip, uint16_t port, int64_t len, int ctl_len);
void udp_ctlinput(World *w, int sock);  /* an ICMP port unreachable for what sock sent */

/* ---- wire.c ---- */
Segment *seg_alloc(World *w, uint32_t *slot);
void seg_send(World *w, uint32_t slot, int64_t delay);
void seg_free(World *w, uint32_t slot);
void softnet_deliver(World *w, uint32_t slot, uint32_t gen);
void wire_foreach_chain(World *w, void (*fn)(World *, Ref, void *), void *ctx);

/* The simulator's bookkeeping: SIM_ macros, sim_ helpers, payload patterns. */
#include "simbook.h"

#endif
