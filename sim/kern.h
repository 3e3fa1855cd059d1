/*
 * kern.h: the simulated kernel's routines, named as in the BSD sources.
 *
 * Routines here run atomically within one scheduler step (they never
 * sleep); routines that can sleep are state machines (machine.h).
 */
#ifndef SOSIM_KERN_H
#define SOSIM_KERN_H

#include "world.h"

/* ---- mbuf.c ---- */
Mbuf *mb_slow(World *w, Ref r);                  /* reports the stale handle */
/* Checked dereference: a stale or NULL handle is a violation, not a crash. */
static inline Mbuf *
mb(World *w, Ref r)
{
	if (__builtin_expect(r.i != 0 && r.i < w->nmbufs, 1)) {
		Mbuf *m = &w->mchunk[r.i >> POOL_CHUNK_SHIFT][r.i & (POOL_CHUNK - 1)];

		if (__builtin_expect(m->live && m->gen == r.g, 1))
			return m;
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
void m_adj(World *w, Ref m, int64_t len);
uint32_t m_storage(World *w, const Mbuf *m);     /* size of the mbuf's storage */
int64_t m_trailingspace(World *w, Ref m);
uint64_t m_length(World *w, Ref m);

/* payload patterns: byte k of stream s is pattern_byte(s, k) */
void payload_fill(uint8_t *dst, uint64_t stream, uint64_t off, uint64_t len);
bool payload_check(const uint8_t *src, uint64_t stream, uint64_t off, uint64_t len);
uint64_t tcp_stream_id(int sender_sock);

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
void sbrelease(World *w, Socket *so, Sockbuf *sb);
/* SB_EMPTY_FIXUP plus "the head record is the last": after removing from the front */
void sbsync(World *w, Sockbuf *sb, Ref nextrecord);
int64_t sb_datacc(World *w, const Sockbuf *sb);
static inline bool mt_isdata(int type) { return type != MT_SONAME && type != MT_CONTROL; }

/* invariants (invariant.c): return false and call world_violation on failure */
bool sbcheck(World *w, int sock, int which);
bool invariants_check(World *w);
bool invariants_check_end(World *w);

/* ---- sched.c ---- */
void tsleep(World *w, int thread, uint32_t chan, const char *wmesg, bool intr, int64_t timeo);
void wakeup(World *w, uint32_t chan);
void work_push(World *w, int64_t time, int kind, uint32_t a, uint32_t gen);
uint32_t timer_gen_next(World *w);
void sorwakeup(World *w, Socket *so);
void sowwakeup(World *w, Socket *so);
void emit_event(World *w, SimEventKind kind, const char *routine, int sock, int which,
    int64_t a, int64_t b, int64_t c, const char *fmt, ...) __attribute__((format(printf, 9, 10)));
static inline bool tracing(const World *w) { return w->sink.fn != NULL; }
/* Arguments are only evaluated when someone listens. */
#define emit(w, ...) do { if (tracing(w)) emit_event((w), __VA_ARGS__); } while (0)

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
/* Bytes at this socket's send offset tx come from (stream, off) for *run bytes. */
void tx_origin(const Socket *so, uint64_t tx, uint64_t *stream, uint64_t *off, uint64_t *run);
/* Record that bytes from (stream, off) were appended at send offset tx. */
bool tx_origin_add(World *w, Socket *so, uint64_t tx, uint64_t stream, uint64_t off);
void rx_origin(World *w, const Socket *so, uint64_t r, uint64_t *stream, uint64_t *off, uint64_t *run);
void tx_origin_splice(World *w, const Socket *from, uint64_t rxoff, Socket *to, uint64_t len);
static inline uint64_t tx_offset(const Socket *so) { return so->tx_app + so->tx_moved; }

/* ---- tcp.c ---- */
int tcp_usrreq_send(World *w, Socket *so, Ref m, bool oob);
void tcp_usrreq_rcvd(World *w, Socket *so);
int tcp_usrreq_rcvoob(World *w, Socket *so, bool peek, uint8_t *byte);
void tcp_usrclosed(World *w, Socket *so);
void tcp_output(World *w, Socket *so);
void tcp_input(World *w, Segment *seg);
void tcp_persist_timeout(World *w, int sock, uint32_t gen);
void tcp_reset_from_peer(World *w, Socket *so);

/* ---- udp.c ---- */
int udp_usrreq_send(World *w, Socket *so, Ref m, Ref control, int dest);
void udp_input(World *w, Segment *seg);
void udp_inject(World *w, int sock, uint32_t ip, uint16_t port, int64_t len, int ctl_len);

/* ---- wire.c ---- */
Segment *seg_alloc(World *w, uint32_t *slot);
void seg_send(World *w, uint32_t slot, int64_t delay);
void seg_free(World *w, uint32_t slot);
void softnet_deliver(World *w, uint32_t slot, uint32_t gen);
void wire_foreach_chain(World *w, void (*fn)(World *, Ref, void *), void *ctx);

#endif
