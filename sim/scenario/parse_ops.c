/*
 * parse_ops.c: thread programs: the operations (system calls) of the
 * indented lines and one-line threads, their flags and `=> RESULT`.
 */
#include "parse.h"

#include <string.h>

#include "errno_names.h"
#include "expect.h"

/* Message flags. */

static const struct flagdef {
	const char *name;
	int value;
	bool out;		/* may be returned by recv (all may be passed to send/recv) */
} flagdefs[] = {
	{ "WAITALL", K_MSG_WAITALL, false },
	{ "PEEK", K_MSG_PEEK, false },
	{ "DONTWAIT", K_MSG_DONTWAIT, false },
	{ "OOB", K_MSG_OOB, true },
	{ "EOR", K_MSG_EOR, true },
	{ "TRUNC", K_MSG_TRUNC, true },
	{ "DONTROUTE", K_MSG_DONTROUTE, false },
};

/* The engine reports only these three (CTRUNC never happens: no control data is cut). */
static const char known_in_flags[] = "WAITALL, PEEK, DONTWAIT, OOB, EOR, TRUNC, DONTROUTE";
static const char known_out_flags[] = "TRUNC, EOR, OOB";

/* Flags are written in capitals; anything else in their place is stray. */
static bool
looks_like_flags(const struct tok *t)
{
	return t != NULL && g_ascii_isupper(t->s[0]);
}

/* A flag by its name (len bytes, with or without MSG_), or NULL. */
static const struct flagdef *
find_flag(const char *name, size_t len)
{
	if (len > 4 && strncmp(name, "MSG_", 4) == 0) {
		name += 4;
		len -= 4;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(flagdefs); i++)
		if (strlen(flagdefs[i].name) == len && strncmp(flagdefs[i].name, name, len) == 0)
			return &flagdefs[i];
	return NULL;
}

/*
 * Whether token s, NAME|NAME|..., in capitals is a list of flags (result
 * flags if out): `waitall|peek` for WAITALL|PEEK.  The capitalised token
 * is returned (g_free it), or NULL.
 */
static char *
flags_in_capitals(const char *s, bool out)
{
	char *up = g_ascii_strup(s, -1);

	for (const char *part = up;;) {
		const char *bar = strchr(part, '|');
		const struct flagdef *f = find_flag(part, bar ? (size_t)(bar - part) : strlen(part));

		if (f == NULL || (out && !f->out)) {
			g_free(up);
			return NULL;
		}
		if (bar == NULL)
			return up;
		part = bar + 1;
	}
}

/* Whether s starts with an errno name (before any '|'): `EWOULDBLOCK`, `EPIPE|EINTR`. */
static bool
looks_like_errno(const char *s)
{
	char name[32];
	size_t len = strcspn(s, "|");

	if (len >= sizeof name)
		return false;
	memcpy(name, s, len);
	name[len] = '\0';
	return errno_from_name(name) != 0;
}

/* One flag name, with or without MSG_, at column col. */
static bool
get_flag(struct parser *p, const char *name, size_t len, int col, bool out, int *flags)
{
	const struct flagdef *f = find_flag(name, len);
	struct qbuf q;
	char *caps;

	if (f != NULL && (!out || f->out)) {
		*flags |= f->value;
		return true;
	}
	quote_n(&q, name, len);
	if (f != NULL)
		perr(p, col, "%s is not a result flag (known: %s)", f->name, known_out_flags);
	else if (!out && looks_like_errno(q.b))
		/* `recv a 10 EWOULDBLOCK`: the arrow was forgotten */
		perr(p, col, "unknown flag '%s' (an expected error goes after '=>')", q.b);
	else if ((caps = flags_in_capitals(q.b, out)) != NULL) {
		/* `Waitall` */
		perr(p, col, "unknown flag '%s' (flags are written in capitals: %s)", q.b, caps);
		g_free(caps);
	} else
		perr(p, col, "unknown flag '%s' (known: %s)", q.b,
		    out ? known_out_flags : known_in_flags);
	return false;
}

/* NAME|NAME|..., one token. */
static bool
get_flags(struct parser *p, const struct tok *t, bool out, int *flags)
{
	const char *s = t->s, *bar;

	*flags = 0;
	for (;;) {
		bar = strchr(s, '|');
		if (bar == s || *s == '\0') {
			perr(p, t->col + (int)(s - t->s), "expected a flag name");
			return false;
		}
		if (!get_flag(p, s, bar ? (size_t)(bar - s) : strlen(s),
		    t->col + (int)(s - t->s), out, flags))
			return false;
		if (bar == NULL)
			return true;
		s = bar + 1;
	}
}

/* Operations. */

static bool
control_opt(struct parser *p, const struct tok *t, int *ctl_len)
{
	const char *v = t->s + strlen("control=");
	int vcol = t->col + (int)strlen("control=");

	if (*v == '\0') {
		perr(p, vcol, "expected N after 'control='");
		return false;
	}
	return get_int_size(p, v, vcol, ctl_len);
}

/* [FLAGS] [control=N], in either order, up to a `=>`. */
static bool
send_tail(struct parser *p, struct cur *c, ScnOp *op)
{
	const struct tok *t;
	bool flags = false, control = false;

	while ((t = peek(c)) != NULL) {
		if (!control && g_str_has_prefix(t->s, "control=")) {
			if (!control_opt(p, t, &op->ctl_len))
				return false;
			control = true;
		} else if (!flags && looks_like_flags(t)) {
			if (!get_flags(p, t, false, &op->flags))
				return false;
			flags = true;
		} else
			return true;
		c->i++;
	}
	return true;
}

static bool
op_send(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_SEND;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0 &&
	    size_arg(p, c, "LEN", &op->len) && send_tail(p, c, op);
}

static bool
op_sendto(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_SENDTO;
	return (op->sock = typed_socket_arg(p, c, "SOCKET", SCN_SOCK_UDP, "sendto")) >= 0 &&
	    (op->dest = typed_socket_arg(p, c, "DEST", SCN_SOCK_UDP, "sendto")) >= 0 &&
	    size_arg(p, c, "LEN", &op->len) && send_tail(p, c, op);
}

static bool
op_recv(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_RECV;
	if ((op->sock = socket_arg(p, c, "SOCKET")) < 0 || !size_arg(p, c, "LEN", &op->len))
		return false;
	if (looks_like_flags(peek(c)) && !get_flags(p, next(c), false, &op->flags))
		return false;
	return true;
}

static bool
op_shutdown(struct parser *p, struct cur *c, ScnOp *op)
{
	static const char *const hows[] = { "rd", "wr", "rdwr" };
	const struct tok *t;
	struct qbuf q;

	op->kind = SCN_OP_SHUTDOWN;
	if ((op->sock = socket_arg(p, c, "SOCKET")) < 0 ||
	    (t = need(p, c, "rd, wr or rdwr")) == NULL)
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(hows); i++) {
		if (strcmp(t->s, hows[i]) == 0) {
			op->how = (int)i;
			return true;
		}
	}
	perr(p, t->col, "unknown shutdown direction '%s' (known: rd, wr, rdwr)", quote(&q, t->s));
	return false;
}

static bool
op_close(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_CLOSE;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0;
}

static bool
op_setsockopt(struct parser *p, struct cur *c, ScnOp *op)
{
	const struct tok *t;

	op->kind = SCN_OP_SETSOCKOPT;
	if ((op->sock = socket_arg(p, c, "SOCKET")) < 0 ||
	    (t = need(p, c, "OPTION=VALUE")) == NULL || !get_option(p, t->s, t->col, &op->opt))
		return false;
	if (optdefs[op->opt.opt].tcp_only) {
		perr(p, t->col, "'%s' can only be set where the socket is declared",
		    optdefs[op->opt.opt].name);
		return false;
	}
	return true;
}

static bool
op_kttcp(struct parser *p, struct cur *c, ScnOp *op)
{
	const struct tok *t;
	struct qbuf q;

	if ((t = need(p, c, "'send' or 'recv'")) == NULL)
		return false;
	if (strcmp(t->s, "send") == 0)
		op->kind = SCN_OP_KTTCP_SEND;
	else if (strcmp(t->s, "recv") == 0)
		op->kind = SCN_OP_KTTCP_RECV;
	else {
		perr(p, t->col, "expected 'send' or 'recv', not '%s'", quote(&q, t->s));
		return false;
	}
	return (op->sock = typed_socket_arg(p, c, "SOCKET", SCN_SOCK_TCP, "kttcp")) >= 0 &&
	    size_arg(p, c, "LEN", &op->len);
}

static bool
op_sleep(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_SLEEP;
	return duration_arg(p, c, "DURATION", &op->len);
}

/* `upcall S` and `waitupcall S`: a kernel consumer of socket upcalls. */
static bool
op_upcall(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_UPCALL;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0;
}

static bool
op_waitupcall(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_WAITUPCALL;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0;
}

/* A splice drain: a socket, `badfd` (EBADF) or `notsock` (ENOTSOCK). */
static int
drain_arg(struct parser *p, struct cur *c)
{
	const struct tok *t = peek(c);

	if (t != NULL && strcmp(t->s, "badfd") == 0) {
		c->i++;
		return K_FD_BAD;
	}
	if (t != NULL && strcmp(t->s, "notsock") == 0) {
		c->i++;
		return K_FD_NOTSOCK;
	}
	return socket_arg(p, c, "DRAIN");
}

/* `splice SRC DRAIN [max=SIZE] [idle=DURATION] [optlen=N]` (OpenBSD SO_SPLICE). */
static bool
op_splice(struct parser *p, struct cur *c, ScnOp *op)
{
	const struct tok *t;
	struct qbuf q;

	op->kind = SCN_OP_SPLICE;
	if ((op->sock = socket_arg(p, c, "SOURCE")) < 0 || (op->dest = drain_arg(p, c)) == -1)
		return false;
	while ((t = peek(c)) != NULL && strncmp(t->s, "=>", 2) != 0) {
		if (g_str_has_prefix(t->s, "max=")) {
			if (!signed_value(p, t, 4, false, &op->max))
				return false;
		} else if (g_str_has_prefix(t->s, "idle=")) {
			if (!signed_value(p, t, 5, true, &op->idle))
				return false;
		} else if (g_str_has_prefix(t->s, "optlen=")) {
			int64_t v;

			if (!signed_value(p, t, 7, false, &v))
				return false;
			if (v <= 0 || v > 64) {
				perr(p, t->col + 7, "optlen must be between 1 and 64");
				return false;
			}
			op->optlen = (int)v;
		} else {
			perr(p, t->col, "unexpected '%s' (splice takes max=SIZE, idle=DURATION, optlen=N)",
			    quote(&q, t->s));
			return false;
		}
		c->i++;
	}
	return true;
}

static bool
op_unsplice(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_UNSPLICE;
	return (op->sock = socket_arg(p, c, "SOURCE")) >= 0;
}

static bool
op_getsplice(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_GETSPLICE;
	return (op->sock = socket_arg(p, c, "SOURCE")) >= 0;
}

static bool
op_soerror(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_SOERROR;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0;
}

/* `sys_splice A B`: NetBSD's 2005 splice(2) prototype, both directions. */
static bool
op_sys_splice(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_SYS_SPLICE;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0 && (op->dest = drain_arg(p, c)) != -1;
}

/* `copy SRC DST LEN [FLAGS]`: a userland relay's read(2) then write(2). */
static bool
op_copy(struct parser *p, struct cur *c, ScnOp *op)
{
	const struct tok *t;

	op->kind = SCN_OP_COPY;
	if ((op->sock = socket_arg(p, c, "SOURCE")) < 0 || (op->dest = socket_arg(p, c, "DESTINATION")) < 0 ||
	    !size_arg(p, c, "LEN", &op->len))
		return false;
	if (looks_like_flags(t = peek(c))) {
		c->i++;
		return get_flags(p, t, false, &op->flags);
	}
	return true;
}

/* `poll S readable|writable [timeout=DURATION]`: poll(2) on one socket. */
static bool
op_poll(struct parser *p, struct cur *c, ScnOp *op)
{
	const struct tok *t;
	struct qbuf q;

	op->kind = SCN_OP_POLL;
	if ((op->sock = socket_arg(p, c, "SOCKET")) < 0 || (t = need(p, c, "readable or writable")) == NULL)
		return false;
	if (strcmp(t->s, "readable") == 0)
		op->how = 0;
	else if (strcmp(t->s, "writable") == 0)
		op->how = 1;
	else {
		perr(p, t->col, "expected readable or writable, not '%s'", quote(&q, t->s));
		return false;
	}
	if ((t = peek(c)) != NULL && g_str_has_prefix(t->s, "timeout=")) {
		c->i++;
		if (!get_duration(p, t->s + 8, t->col + 8, &op->len))
			return false;
		if (op->len <= 0) {
			perr(p, t->col + 8, "a poll timeout must be more than 0 (leave it out to wait forever)");
			return false;
		}
	}
	return true;
}

/* `sockatmark S`: whether the next byte to read is the urgent one. */
static bool
op_sockatmark(struct parser *p, struct cur *c, ScnOp *op)
{
	op->kind = SCN_OP_SOCKATMARK;
	return (op->sock = socket_arg(p, c, "SOCKET")) >= 0;
}

static const struct opdef {
	const char *name;
	bool (*parse)(struct parser *, struct cur *, ScnOp *);
} opdefs[] = {
	{ "send", op_send },
	{ "sendto", op_sendto },
	{ "recv", op_recv },
	{ "recvfrom", op_recv },
	{ "shutdown", op_shutdown },
	{ "close", op_close },
	{ "setsockopt", op_setsockopt },
	{ "kttcp", op_kttcp },
	{ "sleep", op_sleep },
	{ "upcall", op_upcall },
	{ "waitupcall", op_waitupcall },
	{ "splice", op_splice },
	{ "unsplice", op_unsplice },
	{ "getsplice", op_getsplice },
	{ "soerror", op_soerror },
	{ "sys_splice", op_sys_splice },
	{ "copy", op_copy },
	{ "poll", op_poll },
	{ "sockatmark", op_sockatmark },
};

bool
is_operation(const char *word)
{
	for (size_t i = 0; i < G_N_ELEMENTS(opdefs); i++)
		if (strcmp(word, opdefs[i].name) == 0)
			return true;
	return false;
}

/* `=> EPIPE|ECONNRESET`: any of them. */
static bool
get_errnos(struct parser *p, const struct tok *t, ScnResult *r)
{
	const char *s = t->s;
	struct qbuf q;

	r->kind = SCN_RES_ERRNO;
	for (;;) {
		size_t len = strcspn(s, "|");
		char name[32];
		int e = 0;

		if (len > 0 && len < sizeof name) {
			memcpy(name, s, len);
			name[len] = '\0';
			e = errno_from_name(name);
		}
		if (e == 0) {
			quote_n(&q, s, len);
			perr(p, t->col + (int)(s - t->s), len == 0 ? "expected an errno name" :
			    "unknown errno '%s'", q.b);
			return false;
		}
		if (r->nerrs == SCN_MAX_ERRS) {
			perr(p, t->col + (int)(s - t->s), "at most %d errno names in one result",
			    SCN_MAX_ERRS);
			return false;
		}
		/* EAGAIN is EWOULDBLOCK: one entry */
		for (int i = 0; i < r->nerrs && e != 0; i++)
			if (r->errs[i] == e)
				e = 0;
		if (e != 0)
			r->errs[r->nerrs++] = e;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	r->err = r->errs[0];
	return true;
}

/*
 * `=> 4096`, `=> 4096 TRUNC|EOR` (and these output flags only), `=> 80 -`
 * (no output flags), `=> >= 1000` (any comparison), `=> EWOULDBLOCK`,
 * `=> EPIPE|ECONNRESET` (any of them).
 */
static bool
get_result(struct parser *p, struct cur *c, ScnResult *r)
{
	const struct tok *arrow = next(c), *t;
	struct qbuf q;

	if (arrow->len > 2) {
		perr(p, arrow->col + 2, "expected a space after '=>'");
		return false;
	}
	r->pos = tpos(p, arrow);
	r->cmp = SCN_CMP_EQ;
	if ((t = need(p, c, "RESULT")) == NULL)
		return false;
	if (cmp_word(t->s, &r->cmp) && (t = need(p, c, "a byte count")) == NULL)
		return false;
	if (g_ascii_isdigit(t->s[0]) || t->s[0] == '-') {
		r->kind = SCN_RES_VALUE;
		if (!get_size(p, t->s, t->col, "size", &r->value))
			return false;
		if (peek(c) != NULL && strcmp(peek(c)->s, "-") == 0) {
			next(c);        /* `-`: no output flags */
			r->check_flags = true;
			r->flags = 0;
			return true;
		}
		if (looks_like_flags(peek(c))) {
			r->check_flags = true;
			return get_flags(p, next(c), true, &r->flags);
		}
		return true;
	}
	if (r->cmp != SCN_CMP_EQ) {
		perr(p, t->col, "expected a byte count after '%s', not '%s'", scn_cmp_names[r->cmp],
		    quote(&q, t->s));
		return false;
	}
	if (t->s[0] == 'E')
		return get_errnos(p, t, r);
	perr(p, t->col, "expected a byte count, a comparison or an errno name, not '%s'",
	    quote(&q, t->s));
	return false;
}

/* Statement t on an indented line. */
static void
statement_indented(struct parser *p, const struct tok *t)
{
	perr(p, t->col, "'%s' is a statement, not an operation; statements start at column 1", t->s);
}

static void
unknown_operation(struct parser *p, const struct tok *kw)
{
	const char *names[G_N_ELEMENTS(opdefs)];
	struct qbuf q;
	char *known;

	/* an indented statement is the likelier mistake */
	if (is_statement(kw->s)) {
		statement_indented(p, kw);
		return;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(opdefs); i++)
		names[i] = opdefs[i].name;
	known = JOIN(names);
	perr(p, kw->col, "unknown operation '%s' (known: %s)", quote(&q, kw->s), known);
	g_free(known);
}

/*
 * A word left over after an operation (and its result): what it most
 * likely meant.  An errno name is an expected error without its `=>`;
 * lowercase flags where flags may still go are flags in the wrong case.
 */
static void
leftover(struct parser *p, const struct tok *t, const ScnOp *op)
{
	bool in = op->expect.kind == SCN_RES_NONE && op->flags == 0 &&
	    (op->kind == SCN_OP_SEND || op->kind == SCN_OP_SENDTO || op->kind == SCN_OP_RECV ||
	    op->kind == SCN_OP_COPY);
	bool out = op->expect.kind == SCN_RES_VALUE && !op->expect.check_flags;
	struct qbuf q;
	char *caps;

	quote(&q, t->s);
	if (op->expect.kind == SCN_RES_NONE && looks_like_errno(t->s))
		perr(p, t->col, "unexpected '%s' (an expected error goes after '=>')", q.b);
	else if ((in || out) && (caps = flags_in_capitals(t->s, out)) != NULL) {
		perr(p, t->col, "unexpected '%s' (flags are written in capitals: %s)", q.b, caps);
		g_free(caps);
	} else
		unexpected(p, t);
}

static bool
parse_op(struct parser *p, struct cur *c, ScnOp *op)
{
	const struct tok *kw = next(c), *t;
	const struct opdef *d = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(opdefs); i++)
		if (strcmp(kw->s, opdefs[i].name) == 0)
			d = &opdefs[i];
	if (d == NULL) {
		unknown_operation(p, kw);
		return false;
	}
	op->pos = tpos(p, kw);
	if (!d->parse(p, c, op))
		return false;
	if ((t = peek(c)) != NULL && strncmp(t->s, "=>", 2) == 0) {
		if (op->kind == SCN_OP_SLEEP) {
			perr(p, t->col, "sleep has no result to check");
			return false;
		}
		if (!get_result(p, c, &op->expect))
			return false;
	}
	if ((t = peek(c)) != NULL) {
		leftover(p, t, op);
		return false;
	}
	return true;
}

/* One operation, tokens toks[from..to-1], for the open thread; or
 * `repeat N OP`: the operation N times over. */
static bool
thread_op(struct parser *p, int from, int to)
{
	GArray *ops = p->ops[p->thread];
	struct cur c = { p->toks + from, to - from, 0 };
	int64_t times = 1;
	ScnOp op;

	if (strcmp(p->toks[from].s, "repeat") == 0) {
		const struct tok *t;

		next(&c);
		if ((t = need(p, &c, "a count")) == NULL || !get_size(p, t->s, t->col, "count", &times))
			return false;
		if (times < 1) {
			perr(p, t->col, "repeat needs a count of 1 or more");
			return false;
		}
		if (peek(&c) == NULL) {
			perr(p, t->col + t->len, "expected an operation after 'repeat %lld'", (long long)times);
			return false;
		}
		c = (struct cur){ c.t + c.i, c.n - c.i, 0 };
	}
	if ((int64_t)ops->len + times > SCN_MAX_OPS) {
		perr(p, p->toks[from].col, "too many operations in thread '%s' (max %d)",
		    p->s->threads[p->thread].name, SCN_MAX_OPS);
		return false;
	}
	memset(&op, 0, sizeof op);
	op.sock = -1;
	op.dest = -1;
	op.expect.kind = SCN_RES_NONE;
	if (!parse_op(p, &c, &op))
		return false;
	source_text(p, c.t, c.n, op.text, sizeof op.text);
	for (int64_t i = 0; i < times; i++)
		g_array_append_val(ops, op);
	return true;
}

/* Operations from token `from` on, separated by `;`. */
bool
thread_ops(struct parser *p, int from)
{
	int i = from, j;

	if (p->thread < 0) {
		const struct tok *t = &p->toks[from];

		if (is_statement(t->s))
			statement_indented(p, t);
		else if (p->ended_thread >= 0)
			perr(p, t->col, "operation outside a thread: the statement at line %d ended "
			    "thread '%s'", p->ended_line, p->s->threads[p->ended_thread].name);
		else
			perr(p, t->col, "operation outside a thread");
		return false;
	}
	while (i < p->ntoks) {
		for (j = i; j < p->ntoks && p->toks[j].s[0] != ';'; j++)
			continue;
		if (j > i && !thread_op(p, i, j))
			return false;
		i = j + 1;
	}
	return true;
}
