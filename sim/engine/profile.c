/*
 * profile.c: the kernels sosim can be.  Sources for every number are in
 * docs/research/profiles.md; "[I]" there marks inferred values.
 */
#include "profile.h"

#include <string.h>

#define BIT(q) (1u << (q))
#define SEC 1000000000ll
#define MSEC 1000000ll

const QuirkDef quirk_defs[QUIRK__COUNT] = {
	[QUIRK_WAITALL_PEEK_HANG] = {
		"waitall-peek-hang",
		"MSG_WAITALL|MSG_PEEK for more than the buffer can hold sleeps forever",
		"soreceive's MSG_WAITALL loop has no `if (MSG_PEEK && sbspace(&so_rcv) <= 0) break;`: "
		"a peek consumes nothing, so once the buffer is full no data or wakeup can come",
		"NetBSD soreceive before mid-2002 (NetBSD kttcp.c 1.1); fixed in the mid-2002 "
		"NetBSD commit (kttcp.c 1.4). FreeBSD never took the fix (on in freebsd-9.1).",
	},
	[QUIRK_WAITALL_NO_RCVD] = {
		"waitall-no-rcvd",
		"no PRU_RCVD before sleeping in the MSG_WAITALL loop: the sender stalls until a persist probe",
		"soreceive drains the buffer and sleeps without calling PRU_RCVD, so TCP sends no "
		"window update; a sender facing a zero window waits for its persist timer (5 s)",
		"NetBSD soreceive before mid-2002 (kttcp.c 1.1); fixed in NetBSD kttcp.c 1.4.",
	},
	[QUIRK_SBAPPEND_WALK] = {
		"sbappend-walk",
		"no sb_lastrecord/sb_mbtail: every append walks the chain to find the tail",
		"sbappend walks m_nextpkt from sb_mb to the last record and then its m_next chain; TCP "
		"uses sbappend instead of sbappendstream, so a full 1 MB buffer costs a walk per append",
		"NetBSD before mid-2002 (uipc_socket2.c, tcp_usrreq.c, tcp_input.c); fixed by the "
		"sb_lastrecord/sb_mbtail change of the mid-2002 NetBSD commit (kttcp.c 1.4: "
		"sbappend went from 50% to 0.02%).",
	},
	[QUIRK_UDP_CLOSE_SKIP_UNSPLICE] = {
		"udp-close-skip-unsplice",
		"soclose of a UDP socket that is spliced but not spliced back skips the unsplice",
		"soclose jumps to `free:` when so_sp->ssp_soback is NULL, past the isspliced() "
		"block; sofree no longer unsplices, so the drain keeps ssp_soback pointing at the "
		"freed socket and its queued task or idle timeout runs on it: a use after free, "
		"reported as a stale handle",
		"first version of mvs@'s 'Unlock udp(4) somove()' diff (OpenBSD tech@, July 2024); "
		"the posted fix jumps to `notsplicedback:` instead (openbsd-7.6 has it off).",
	},
	[QUIRK_SPLICE_DUP_ALLOC] = {
		"splice-dup-alloc",
		"sys_splice allocates its splice_state twice; the first is never freed",
		"`knot = malloc(...)` runs at two places on the success path; only the second "
		"allocation reaches free(): each splice(2) leaks one splice_state, which the "
		"end-of-run leak check reports",
		"Jonathan Stone's splice(2) prototype, tech-net 2005-10-05, sys_splice.c "
		"(lines 366 and 382)",
	},
	[QUIRK_SPLICE_SBLOCK_LEAK] = {
		"splice-sblock-leak",
		"sys_splice takes sblock on both so_snd and never releases them",
		"sblock(&so1->so_snd) and sblock(&so2->so_snd) are released only on the first "
		"malloc failure; after splice(2) returns, any send on either socket sleeps in "
		"sblock forever (a deadlock)",
		"Jonathan Stone's splice(2) prototype, tech-net 2005-10-05, sys_splice.c "
		"(lines 363-364)",
	},
	[QUIRK_SPLICE_KCONT_UAF] = {
		"splice-kcont-uaf",
		"a kcont still deferred when splice(2) frees its splice_state runs on freed memory",
		"sys_splice unwires the upcalls and frees the splice_state, but a continuation an "
		"upcall already deferred to softnet stays queued and later dereferences it: "
		"reported as a stale handle.  Off: the continuation is cancelled with the state",
		"Jonathan Stone's splice(2) prototype, tech-net 2005-10-05, sys_splice.c "
		"(lines 212-228 defer, line 426 frees; nothing cancels the kcont)",
	},
	[QUIRK_WAITALL_RCVD_WINDOW] = {
		"waitall-rcvd-window",
		"MSG_WAITALL sleeps forever when the FIN arrives while soreceive notifies the protocol",
		"in the MSG_WAITALL loop soreceive_generic drops SOCKBUF_LOCK around pru_rcvd, then "
		"sleeps if sb_mb is still NULL without looking at SBS_CANTRCVMORE again: a FIN that "
		"tcp_input delivers in that window finds nobody in sbwait, and the reader sleeps forever",
		"FreeBSD soreceive_generic from the `Skip blocking in this case` change until 2023 "
		"(PR 212716; tests/sys/kern/socket_msg_waitall.c checks it): FreeBSD 9.1 has it. Off "
		"by default: the profile's other scenarios explore as if fixed; switch it on to see it.",
	},
};

/* NetBSD 2.0 on i386: mbuf geometry (mbuf.h 1.77), buffer sizes, TCP timers */
#define NETBSD_2_0_I386 \
	.msize = 256, .mlen = 232, .mhlen = 212, .minclsize = 445, .mclbytes = 2048, \
	.max_hdr = 76, .sb_max = 262144, \
	.tcp_sendspace = 16384, .tcp_recvspace = 16384, \
	.udp_sendspace = 9216, .udp_recvspace = 41600, \
	.sndlowat_default = 2048, .mbmax_factor = 2, \
	.tcp_mss = 1460, .persmin_ns = 5 * SEC, .persmax_ns = 60 * SEC, \
	.wire_delay_ns = 10000, \
	.delack_ns = 200 * MSEC,   /* tcp_delack_ticks = hz / 5 (tcp_timer.h TCP_DELACK_TICKS) */ \
	.family = FAM_NETBSD

/* What OpenBSD 7.5 and 7.6 on amd64 share; they differ in the splice switches */
#define OPENBSD_AMD64 \
	.msize = 256, .mlen = 224, .mhlen = 144, .minclsize = 369, .mclbytes = 2048, \
	.max_hdr = 76, .sb_max = 2097152, \
	.tcp_sendspace = 16384, .tcp_recvspace = 16384, \
	.udp_sendspace = 9216, .udp_recvspace = 41600, \
	.sndlowat_default = 2048, \
	.mbmax_factor = 8, .mbmax_floor = 3 * 65536,   /* 3 * MAXMCLBYTES */ \
	.tcp_mss = 1460, .persmin_ns = 5 * SEC, .persmax_ns = 60 * SEC, \
	.wire_delay_ns = 10000, \
	.delack_ns = 200 * MSEC,   /* tcp_delack_msecs = TCP_DELACK_MSECS (tcp_timer.h) */ \
	.delack_loopback_acknow = true, \
	.coalesce = COALESCE_TRAILINGSPACE, \
	.waitall_outer_clause = true, \
	.so_error_cleared_by_send = true, \
	.sosend_eor_stream_einval = true, \
	/* sosend: "if (flags & MSG_DONTWAIT) snderr(EWOULDBLOCK)" before \
	 * sbwait (OpenBSD uipc_socket.c; sendit sets MSG_DONTWAIT for FNONBLOCK) */ \
	.sosend_dontwait = true, \
	.tcp_drop_after_shutrd = true, \
	.splice = SPLICE_OPENBSD, \
	.udp_close_frees = true

const Profile profiles[] = {
	{
		.name = "netbsd-1.6",
		.summary = "NetBSD 1.6 (June 2002, i386): the soreceive of NetBSD kttcp.c 1.1, "
		    "before the 2002 fixes",
		.source = "kttcp.c 1.1; uipc_socket.c 1.66.4.1; mbuf.h 1.58; tcp_usrreq.c 1.65",
		.msize = 256, .mlen = 236, .mhlen = 216, .minclsize = 453, .mclbytes = 2048,
		.max_hdr = 76, .sb_max = 262144,
		.tcp_sendspace = 16384, .tcp_recvspace = 16384,
		.udp_sendspace = 9216, .udp_recvspace = 41600,
		.sndlowat_default = 2048, .mbmax_factor = 2,
		.tcp_mss = 1460, .persmin_ns = 5 * SEC, .persmax_ns = 60 * SEC,
		.wire_delay_ns = 10000,
		.delack_ns = 200 * MSEC,   /* tcp_delack_ticks = hz / 5 (tcp_timer.h TCP_DELACK_TICKS) */
		.family = FAM_NETBSD,
		.coalesce = COALESCE_LITE2,
		.waitall_outer_clause = true,
		.so_error_cleared_by_send = true,
		.quirks = BIT(QUIRK_WAITALL_PEEK_HANG) | BIT(QUIRK_WAITALL_NO_RCVD) | BIT(QUIRK_SBAPPEND_WALK),
	},
	{
		.name = "netbsd-2.0",
		.summary = "NetBSD 2.0 (2004, i386): the MSG_WAITALL fixes and sb_lastrecord/sb_mbtail "
		    "of NetBSD kttcp.c 1.4",
		.source = "kttcp.c 1.4 (July 2002); socketvar.h 1.74; mbuf.h 1.77",
		NETBSD_2_0_I386,
		.coalesce = COALESCE_TRAILINGSPACE,
		.waitall_outer_clause = true,
		.so_error_cleared_by_send = true,
		.quirks = 0,
	},
	{
		.name = "freebsd-9.1",
		.summary = "FreeBSD 9.1 (2012, amd64): uipc_socket.c soreceive_dgram() for UDP",
		.source = "uipc_socket.c of release/9.1.0 (r233353); mbuf.h of stable/9",
		.family = FAM_FREEBSD,
		.sblock_kept_in_sbwait = true,
		.msize = 256, .mlen = 216, .mhlen = 168, .minclsize = 169, .mclbytes = 2048,
		.max_hdr = 76, .sb_max = 2097152,
		.tcp_sendspace = 32768, .tcp_recvspace = 65536,
		.udp_sendspace = 9216, .udp_recvspace = 42080,
		.sndlowat_default = 2048, .mbmax_factor = 8,
		.tcp_mss = 1460, .persmin_ns = 5 * SEC, .persmax_ns = 60 * SEC,
		.wire_delay_ns = 10000,
		.delack_ns = 100 * MSEC,   /* tcp_delacktime = TCPTV_DELACK, hz / 10 (tcp_timer.h) */
		.delack_rxwin0_acknow = true,
		.coalesce = COALESCE_TRAILINGSPACE,
		.udp_soreceive_dgram = true,
		.udp_sosend_dgram = true,
		.sosend_dontwait = true,
		.sosend_eor_stream_einval = true,
		.tcp_drop_after_shutrd = true,
		.dgram_fallback_trunc = false,
		.waitall_outer_clause = true,
		.waitall_sleep_only_if_empty = true,
		.so_error_cleared_by_send = true,
		/* FreeBSD has the PRU_RCVD change but never took the peek break */
		.quirks = BIT(QUIRK_WAITALL_PEEK_HANG),
	},
	{
		.name = "openbsd-7.5",
		.summary = "OpenBSD 7.5 (April 2024, amd64): SO_SPLICE; UDP moves in sorwakeup, TCP from the task",
		.source = "uipc_socket.c 1.337 (the context of the 'Unlock udp(4) somove()' diff, "
		    "OpenBSD tech@, July 2024) and the 2019 netlock-era uipc_socket.c; "
		    "sys/mbuf.h M_MAXLOOP 128",
		OPENBSD_AMD64,
		.family = FAM_OPENBSD_75,
		.quirks = 0,
	},
	{
		.name = "openbsd-7.6",
		.summary = "OpenBSD 7.6 (October 2024, amd64): mvs@'s unlocked udp(4) somove, "
		    "every move from the task",
		.source = "uipc_socket.c 1.337 plus the 'Unlock udp(4) somove()' diff (OpenBSD tech@, "
		    "July 2024), udp_usrreq.c 1.320, socketvar.h 1.132",
		OPENBSD_AMD64,
		.family = FAM_OPENBSD_76,
		.splice_task_all = true,
		.splice_sblock = true,
		.splice_close_unsplice = true,
		.splice_yield_tcp_only = true,
		.so_refcnt = true,
		.quirks = 0,
	},
	{
		.name = "netbsd-2005-splice",
		.summary = "NetBSD-current of October 2005 with the splice(2) prototype "
		    "(tech-net, 2005-10-05)",
		.source = "sys_splice.c as posted to tech-net on 2005-10-05; "
		    "the rest as netbsd-2.0",
		NETBSD_2_0_I386,
		.coalesce = COALESCE_TRAILINGSPACE,
		.waitall_outer_clause = true,
		.so_error_cleared_by_send = true,
		.splice = SPLICE_NETBSD_2005,
		.quirks = BIT(QUIRK_SPLICE_DUP_ALLOC) | BIT(QUIRK_SPLICE_SBLOCK_LEAK) |
		    BIT(QUIRK_SPLICE_KCONT_UAF),
	},
};

const int nprofiles = sizeof profiles / sizeof profiles[0];

const Profile *
profile_find(const char *name)
{
	for (int i = 0; i < nprofiles; i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

const Profile *
profile_default(void)
{
	return &profiles[1];
}

int
quirk_find(const char *name)
{
	for (int i = 0; i < QUIRK__COUNT; i++)
		if (strcmp(quirk_defs[i].name, name) == 0)
			return i;
	return -1;
}
