/*
 * profile.h: kernels the simulator can be, and the historical bugs (quirks)
 * a profile may carry.
 *
 * A profile is data: constants plus behaviour switches.  Code that differs
 * by system reads a switch here instead of testing the profile's name.
 */
#ifndef SOSIM_PROFILE_H
#define SOSIM_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "context.h"

typedef enum {
	QUIRK_WAITALL_PEEK_HANG,   /* no `MSG_PEEK && sbspace <= 0` break in the WAITALL loop */
	QUIRK_WAITALL_NO_RCVD,     /* no PRU_RCVD before sleeping in the WAITALL loop */
	QUIRK_SBAPPEND_WALK,       /* no sb_lastrecord/sb_mbtail: appends walk the chain */
	QUIRK_UDP_CLOSE_SKIP_UNSPLICE, /* 2024 diff v1: soclose of a pure source skips its unsplice */
	QUIRK_SPLICE_DUP_ALLOC,    /* NetBSD 2005 sys_splice: splice_state malloc'd twice, one leaks */
	QUIRK_SPLICE_SBLOCK_LEAK,  /* NetBSD 2005 sys_splice: the two so_snd sblocks are never released */
	QUIRK_SPLICE_KCONT_UAF,    /* NetBSD 2005 sys_splice: a deferred kcont may run after the free */
	QUIRK_WAITALL_RCVD_WINDOW, /* FreeBSD: SOCKBUF_LOCK dropped around pru_rcvd in the WAITALL loop,
	                            * only sb_mb checked after: a FIN there is a lost wakeup */
	QUIRK__COUNT
} QuirkId;

typedef struct {
	const char *name;          /* what `quirk NAME` and --quirk take */
	const char *summary;       /* one line */
	const char *effect;        /* what the simulator does when it is on */
	const char *source;        /* where it comes from */
} QuirkDef;

/* How sbcompress decides to coalesce into the previous mbuf. */
typedef enum {
	COALESCE_LITE2,            /* 4.4BSD-Lite2: internal storage only, strictly inside m_dat */
	COALESCE_TRAILINGSPACE,    /* later: M_TRAILINGSPACE, m_len <= MCLBYTES/4, clusters too */
} CoalesceRule;

/* Which socket splicing the kernel has. */
typedef enum {
	SPLICE_NONE,               /* setsockopt(SO_SPLICE): ENOPROTOOPT; splice(2): ENOSYS */
	SPLICE_OPENBSD,            /* SO_SPLICE: sosplice/somove/sounsplice */
	SPLICE_NETBSD_2005,        /* the NetBSD splice(2) prototype (tech-net, 2005-10-05) */
} SpliceKind;

typedef struct {
	const char *name;
	const char *summary;
	const char *source;
	/* whose locking rules: which context each machine is in at each
	 * state and preemption point (contexts.def, machine.h) */
	Family family;

	/* mbuf geometry (sys/mbuf.h, machine/param.h) */
	int msize, mlen, mhlen, minclsize, mclbytes;
	int max_hdr;               /* max_linkhdr + max_protohdr, reserved by atomic sends */

	/* socket buffers */
	int64_t sb_max;
	int tcp_sendspace, tcp_recvspace;
	int udp_sendspace, udp_recvspace;
	int sndlowat_default;      /* SO_SNDLOWAT default (MCLBYTES in 4.4BSD descendants) */
	int mbmax_factor;          /* sbreserve: sb_mbmax = min(factor * cc, sb_max) */
	int64_t mbmax_floor;       /* nonzero (OpenBSD): sb_mbmax = max(floor, factor * cc), not
	                            * capped, and cc is checked against sb_max alone */

	/* TCP */
	int tcp_mss;               /* default MSS on the simulated wire */
	int64_t persmin_ns, persmax_ns;  /* TCPTV_PERSMIN, TCPTV_PERSMAX */
	int64_t wire_delay_ns;     /* default one-way delay of the simulated wire */
	int64_t delack_ns;         /* delayed ACK: how long in-order data waits for its ACK
	                            * (TCP_SETUP_ACK / DELAY_ACK); 0: every segment ACKed at once */
	bool delack_loopback_acknow; /* OpenBSD TCP_SETUP_ACK (since about 2013): a segment that
	                            * came in over an IFF_LOOPBACK interface is ACKed at once */
	bool delack_rxwin0_acknow; /* FreeBSD DELAY_ACK: no delay while the last window we
	                            * advertised was zero (TF_RXWIN0SENT) */

	/* behaviour switches */
	CoalesceRule coalesce;
	bool udp_soreceive_dgram;  /* UDP reads go through soreceive_dgram (FreeBSD) */
	bool udp_sosend_dgram;     /* UDP sends never wait: EMSGSIZE when it does not fit (FreeBSD) */
	bool dgram_fallback_trunc; /* soreceive_dgram falls back to the generic path for MSG_TRUNC */
	bool waitall_outer_clause; /* outer block condition has the WAITALL && resid <= hiwat clause */
	bool waitall_sleep_only_if_empty; /* FreeBSD: after pr_rcvd, sleep only if sb_mb still NULL */
	bool so_error_cleared_by_send;    /* sosend clears so_error after returning it */
	bool sosend_dontwait;      /* MSG_DONTWAIT (not only SS_NBIO) makes sosend's space wait fail */
	bool tcp_drop_after_shutrd;/* tcp_input frees data for a socket with SS_CANTRCVMORE instead
	                            * of appending it (OpenBSD, FreeBSD) */
	bool sosend_eor_stream_einval; /* MSG_EOR on a SOCK_STREAM socket is EINVAL (FreeBSD
	                            * sosend_generic, OpenBSD sosend); NetBSD has no such check */
	bool so_error_return_in_send_ok;
	bool sblock_kept_in_sbwait;/* FreeBSD 9.1: sosend_generic and soreceive_generic take the sx
	                              I/O lock once, before `restart:`, and keep it across sbwait */
	SpliceKind splice;
	bool splice_task_all;      /* OpenBSD 7.6: every move from the task; 7.5: UDP moves in sorwakeup */
	bool splice_sblock;        /* 7.6: sotask/soidle take sblock(so_rcv); somove_dgram drops its
	                              locks around pru_send (a preemption point) */
	bool splice_close_unsplice;/* 7.6: soclose dissolves splices (sblock dance for UDP); 7.5: sofree */
	bool splice_yield_tcp_only;/* 7.6: sotask yields after TCP moves only */
	bool udp_close_frees;      /* close(2) of a UDP socket frees it at once (sofree, no pcb left) */
	bool so_refcnt;            /* 7.6: soclose holds soref on the spliced peer it sleeps on, and
	                              sofree of a non-TCP socket waits in refcnt_finalize ("sofinal")
	                              and purges so_rcv without its sblock (a sotask may hold it) */

	uint32_t quirks;           /* quirks on by default: bit (1u << QuirkId) */
} Profile;

extern const Profile profiles[];
extern const int nprofiles;
extern const QuirkDef quirk_defs[QUIRK__COUNT];

const Profile *profile_find(const char *name);
const Profile *profile_default(void);
/* The QuirkId for a name, or -1. */
int quirk_find(const char *name);

#endif
