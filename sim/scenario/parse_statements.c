/*
 * parse_statements.c: the statements (lines at column 1) but `expect`:
 * profile, quirk, seed, limit, sysctl, the tcp and udp declarations and
 * their socket options, thread, at, schedule, explore; the names of
 * sockets and threads; and the table that dispatches a statement.
 */
#include "parse.h"

#include <string.h>

#include "profile.h"
#include "sched.h"

/* Names. */

int
find_socket(const Scenario *s, const char *name)
{
	for (int i = 0; i < s->nsockets; i++)
		if (strcmp(s->sockets[i].name, name) == 0)
			return i;
	return -1;
}

int
find_thread(const Scenario *s, const char *name)
{
	for (int i = 0; i < s->nthreads; i++)
		if (strcmp(s->threads[i].name, name) == 0)
			return i;
	return -1;
}

static const char *
kind_name(ScnSockKind k)
{
	return k == SCN_SOCK_TCP ? "TCP" : "UDP";
}

/* A name for a new socket or thread (what): well formed, short, and free. */
static bool
check_new_name(struct parser *p, const char *name, int col, const char *what)
{
	/* and softnet and the kernel threads, which schedules name */
	static const char *const reserved[] = { "any", "all", "badfd", "notsock" };
	struct qbuf q;
	int i;

	if (!is_ident(name)) {
		perr(p, col, "invalid %s name '%s' (letters, digits and '_', not starting with "
		    "a digit)", what, quote(&q, name));
		return false;
	}
	if (strlen(name) >= SCN_NAME_MAX) {
		perr(p, col, "%s name '%s' is too long (max %d characters)", what,
		    quote(&q, name), SCN_NAME_MAX - 1);
		return false;
	}
	for (size_t r = 0; r < G_N_ELEMENTS(reserved); r++) {
		if (strcmp(name, reserved[r]) == 0 || sched_kernel_who(name) != SCHED_WHO_UNKNOWN) {
			perr(p, col, "'%s' is a reserved name", name);
			return false;
		}
	}
	if ((i = find_socket(p->s, name)) >= 0) {
		perr(p, col, "'%s' is already a socket (line %d)", name,
		    p->s->sockets[i].pos.line);
		return false;
	}
	if ((i = find_thread(p->s, name)) >= 0) {
		perr(p, col, "'%s' is already a thread (line %d)", name,
		    p->s->threads[i].pos.line);
		return false;
	}
	return true;
}

static int
get_socket(struct parser *p, const struct tok *t)
{
	struct qbuf q;
	int i;

	if ((i = find_socket(p->s, t->s)) < 0)
		perr(p, t->col, "unknown socket '%s'", quote(&q, t->s));
	return i;
}

int
socket_arg(struct parser *p, struct cur *c, const char *what)
{
	const struct tok *t = need(p, c, what);

	return t == NULL ? -1 : get_socket(p, t);
}

/* A socket that must be of one kind: user names what needs it, for the message. */
int
typed_socket_arg(struct parser *p, struct cur *c, const char *what, ScnSockKind kind,
    const char *user)
{
	const struct tok *t = need(p, c, what);
	int i;

	if (t == NULL || (i = get_socket(p, t)) < 0)
		return -1;
	if (p->s->sockets[i].kind != kind) {
		perr(p, t->col, "%s needs a %s socket; '%s' is %s", user, kind_name(kind), t->s,
		    kind_name(p->s->sockets[i].kind));
		return -1;
	}
	return i;
}

/* A thread named before it may be declared: checked at the end of the file. */
bool
thread_ref(struct parser *p, const struct tok *t, int what, int index)
{
	struct thread_ref r;
	struct qbuf q;

	if (!is_ident(t->s) || t->len >= SCN_NAME_MAX) {
		perr(p, t->col, "unknown %s '%s'", what == REF_CONNECT ? "socket" : "thread", quote(&q, t->s));
		return false;
	}
	memset(&r, 0, sizeof r);
	r.what = what;
	r.index = index;
	g_strlcpy(r.name, t->s, sizeof r.name);
	r.pos = tpos(p, t);
	r.line = p->line;
	r.linelen = p->linelen;
	g_array_append_val(p->refs, r);
	return true;
}

/* Socket options. */

const struct optdef optdefs[SCN__OPT_COUNT] = {
	[SCN_OPT_RCVBUF] = { "rcvbuf", V_SIZE, false, "setsockopt(SO_RCVBUF)" },
	[SCN_OPT_SNDBUF] = { "sndbuf", V_SIZE, false, "setsockopt(SO_SNDBUF)" },
	[SCN_OPT_RCVLOWAT] = { "rcvlowat", V_SIZE, false, "setsockopt(SO_RCVLOWAT)" },
	[SCN_OPT_SNDLOWAT] = { "sndlowat", V_SIZE, false, "setsockopt(SO_SNDLOWAT)" },
	[SCN_OPT_RCVTIMEO] = { "rcvtimeo", V_DURATION, false, "setsockopt(SO_RCVTIMEO)" },
	[SCN_OPT_SNDTIMEO] = { "sndtimeo", V_DURATION, false, "setsockopt(SO_SNDTIMEO)" },
	[SCN_OPT_NONBLOCK] = { "nonblock", V_BOOL, false, "ioctl(FIONBIO)" },
	[SCN_OPT_OOBINLINE] = { "oobinline", V_BOOL, false, "setsockopt(SO_OOBINLINE)" },
	[SCN_OPT_LINGER] = { "linger", V_DURATION, false, "setsockopt(SO_LINGER)" },
	[SCN_OPT_MSS] = { "mss", V_SIZE, true, NULL },
	[SCN_OPT_DELAY] = { "delay", V_DURATION, true, NULL },
	[SCN_OPT_LISTEN] = { "listen", V_BOOL, true, NULL },
	[SCN_OPT_LOOPBACK] = { "loopback", V_BOOL, true, NULL },
};

static const char *const vtype_meta[] = { "SIZE", "DURATION", "0 or 1" };

static void
unknown_option(struct parser *p, const char *name, size_t len, int col)
{
	const char *names[SCN__OPT_COUNT];
	struct qbuf q;
	char *known;

	for (int i = 0; i < SCN__OPT_COUNT; i++)
		names[i] = optdefs[i].name;
	known = JOIN(names);
	perr(p, col, "unknown option '%s' (known: %s)", quote_n(&q, name, len), known);
	g_free(known);
}

/* "name=value", or a bare boolean name meaning 1, at column col. */
bool
get_option(struct parser *p, const char *s, int col, ScnOptSet *o)
{
	const char *eq = strchr(s, '='), *v;
	size_t nlen = eq != NULL ? (size_t)(eq - s) : strlen(s);
	const struct optdef *d = NULL;
	struct qbuf q;
	int vcol;

	for (int i = 0; i < SCN__OPT_COUNT; i++) {
		if (strlen(optdefs[i].name) == nlen && strncmp(optdefs[i].name, s, nlen) == 0) {
			d = &optdefs[i];
			o->opt = (ScnOpt)i;
		}
	}
	if (d == NULL) {
		unknown_option(p, s, nlen, col);
		return false;
	}
	o->pos = (ScnPos){ p->lineno, col };
	if (eq == NULL) {
		if (d->type != V_BOOL) {
			perr(p, col + (int)nlen, "option '%s' needs a value (%s=%s)", d->name,
			    d->name, vtype_meta[d->type]);
			return false;
		}
		o->value = 1;
		return true;
	}
	v = eq + 1;
	vcol = col + (int)nlen + 1;
	if (*v == '\0') {
		perr(p, vcol, "expected %s after '%s='", vtype_meta[d->type], d->name);
		return false;
	}
	if (d->type == V_SIZE)
		return get_size(p, v, vcol, "size", &o->value);
	if (d->type == V_DURATION)
		return get_duration(p, v, vcol, &o->value);
	/* V_BOOL */
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
		perr(p, vcol, "'%s' takes 0 or 1, not '%s'", d->name, quote(&q, v));
		return false;
	}
	o->value = v[0] - '0';
	return true;
}

/* Set an option on a declared socket: a repeated option replaces the first. */
static void
socket_setopt(ScnSocket *so, const ScnOptSet *o)
{
	for (int i = 0; i < so->nopts; i++) {
		if (so->opts[i].opt == o->opt) {
			so->opts[i] = *o;
			return;
		}
	}
	so->opts[so->nopts++] = *o;
}

/*
 * An option in a declaration of sockets first..first+n-1: "opt=value"
 * applies to all of them, "NAME.opt=value" to NAME only.
 */
static bool
decl_option(struct parser *p, const struct tok *t, int first, int n)
{
	const char *s = t->s, *eq = strchr(s, '='), *dot = strchr(s, '.');
	int col = t->col, target = -1;
	struct qbuf q;
	ScnOptSet o;

	if (!g_ascii_isalpha(s[0]) && s[0] != '_') {
		unexpected(p, t);
		return false;
	}
	if (dot != NULL && (eq == NULL || dot < eq)) {
		size_t plen = (size_t)(dot - s);

		for (int i = first; i < first + n; i++)
			if (strlen(p->s->sockets[i].name) == plen &&
			    strncmp(p->s->sockets[i].name, s, plen) == 0)
				target = i;
		if (target < 0) {
			perr(p, col, "'%s' is not a socket declared here", quote_n(&q, s, plen));
			return false;
		}
		col += (int)plen + 1;
		s = dot + 1;
	}
	if (!get_option(p, s, col, &o))
		return false;
	/* tcp_output sends at most t_maxseg bytes a segment: 0 would never end */
	if (o.opt == SCN_OPT_MSS && o.value == 0) {
		perr(p, col + 4, "mss must be at least 1");
		return false;
	}
	for (int i = first; i < first + n; i++) {
		ScnSocket *so = &p->s->sockets[i];

		if (target >= 0 && i != target)
			continue;
		if (optdefs[o.opt].tcp_only && so->kind != SCN_SOCK_TCP) {
			perr(p, col, "'%s' applies to TCP sockets only", optdefs[o.opt].name);
			return false;
		}
		socket_setopt(so, &o);
	}
	return true;
}

/* Statements.  Each gets a cursor past its keyword. */

static bool
st_profile(struct parser *p, struct cur *c)
{
	const struct tok *t;
	const char *names[64];
	struct qbuf q;
	char *known;
	int n;

	if (p->s->profile != NULL) {
		perr(p, c->t[0].col, "profile given twice (first at line %d)",
		    p->s->profile_pos.line);
		return false;
	}
	if ((t = need(p, c, "NAME")) == NULL)
		return false;
	if (profile_find(t->s) == NULL) {
		n = MIN(nprofiles, (int)G_N_ELEMENTS(names));
		for (int i = 0; i < n; i++)
			names[i] = profiles[i].name;
		known = join(names, (size_t)n);
		perr(p, t->col, "unknown profile '%s' (known: %s)", quote(&q, t->s), known);
		g_free(known);
		return false;
	}
	p->s->profile = g_strdup(t->s);
	p->s->profile_pos = tpos(p, t);
	return done(p, c);
}

static bool
st_quirk(struct parser *p, struct cur *c)
{
	const char *names[QUIRK__COUNT];
	const struct tok *t;
	uint32_t bit;
	struct qbuf q;
	char *known;
	int id;

	if ((t = need(p, c, "NAME")) == NULL)
		return false;
	if ((id = quirk_find(t->s)) < 0) {
		for (int i = 0; i < QUIRK__COUNT; i++)
			names[i] = quirk_defs[i].name;
		known = JOIN(names);
		perr(p, t->col, "unknown quirk '%s' (known: %s)", quote(&q, t->s), known);
		g_free(known);
		return false;
	}
	bit = 1u << id;
	if ((t = next(c)) == NULL || strcmp(t->s, "on") == 0) {
		p->s->quirks_on |= bit;
		p->s->quirks_off &= ~bit;
	} else if (strcmp(t->s, "off") == 0) {
		p->s->quirks_off |= bit;
		p->s->quirks_on &= ~bit;
	} else {
		perr(p, t->col, "expected 'on' or 'off', not '%s'", quote(&q, t->s));
		return false;
	}
	return done(p, c);
}

static bool
st_seed(struct parser *p, struct cur *c)
{
	const struct tok *t;
	const char *end;
	struct qbuf q;

	if ((t = need(p, c, "N")) == NULL)
		return false;
	end = scan_digits(t->s, &p->s->seed);
	if (end == NULL || *end != '\0') {
		perr(p, t->col, "invalid seed '%s' (expected a number)", quote(&q, t->s));
		return false;
	}
	if (p->s->seed < 0) {
		perr(p, t->col, "seed '%s' is too large", quote(&q, t->s));
		return false;
	}
	p->s->has_seed = true;
	return done(p, c);
}

static bool
st_limit(struct parser *p, struct cur *c)
{
	Scenario *s = p->s;
	const struct tok *t;
	struct qbuf q;
	bool ok;

	if ((t = need(p, c, "steps, mbufs, bytes or time")) == NULL)
		return false;
	if (strcmp(t->s, "steps") == 0)
		ok = number_arg(p, c, "N", &s->limit_steps);
	else if (strcmp(t->s, "mbufs") == 0) {
		ok = number_arg(p, c, "N", &s->limit_mbufs);
		/* the simulator's own pool stops at POOL_MAX_CHUNKS chunks, and
		 * slot 0 is no mbuf (mbuf.c): a limit above it would never bite */
		if (ok && s->limit_mbufs > POOL_MAX_CHUNKS * POOL_CHUNK - 1) {
			perr(p, c->t[c->i - 1].col, "limit mbufs %s is more than the simulator's "
			    "mbuf pool holds (max %u)", quote(&q, c->t[c->i - 1].s),
			    POOL_MAX_CHUNKS * POOL_CHUNK - 1);
			return false;
		}
	} else if (strcmp(t->s, "bytes") == 0)
		ok = size_arg(p, c, "SIZE", &s->limit_bytes);
	else if (strcmp(t->s, "time") == 0)
		ok = duration_arg(p, c, "DURATION", &s->limit_time);
	else {
		perr(p, t->col, "unknown limit '%s' (known: steps, mbufs, bytes, time)",
		    quote(&q, t->s));
		return false;
	}
	return ok && done(p, c);
}

/* `sysctl kern.sbmax=SIZE`: the one kernel variable scenarios may change. */
static bool
st_sysctl(struct parser *p, struct cur *c)
{
	static const char var[] = "kern.sbmax=";
	const struct tok *t;
	const char *eq;
	struct qbuf q;

	if ((t = need(p, c, "NAME=VALUE")) == NULL)
		return false;
	if (!g_str_has_prefix(t->s, var)) {
		eq = strchr(t->s, '=');
		perr(p, t->col, "unknown sysctl '%s' (known: kern.sbmax)",
		    quote_n(&q, t->s, eq ? (size_t)(eq - t->s) : strlen(t->s)));
		return false;
	}
	if (t->s[strlen(var)] == '\0') {
		perr(p, t->col + (int)strlen(var), "expected SIZE after '%s'", var);
		return false;
	}
	p->s->sb_max_pos = tpos(p, t);
	return get_size(p, t->s + strlen(var), t->col + (int)strlen(var), "size",
	    &p->s->sb_max) && done(p, c);
}

/* Declare socket NAME (token t) of a kind; returns its index or -1. */
static int
add_socket(struct parser *p, const struct tok *t, ScnSockKind kind)
{
	ScnSocket *so;

	if (!check_new_name(p, t->s, t->col, "socket"))
		return -1;
	if (p->s->nsockets == SCN_MAX_SOCKETS) {
		perr(p, t->col, "too many sockets (max %d)", SCN_MAX_SOCKETS);
		return -1;
	}
	so = &p->s->sockets[p->s->nsockets];
	memset(so, 0, sizeof *so);
	g_strlcpy(so->name, t->s, sizeof so->name);
	so->kind = kind;
	so->pos = tpos(p, t);
	so->peer = -1;
	return p->s->nsockets++;
}

static bool
st_tcp(struct parser *p, struct cur *c)
{
	const struct tok *t;
	int a, b;

	if ((t = need(p, c, "NAME")) == NULL || (a = add_socket(p, t, SCN_SOCK_TCP)) < 0)
		return false;
	/* `tcp a` alone (or followed by options): a socket that is not connected */
	t = peek(c);
	if (t == NULL || strchr(t->s, '=') != NULL || strcmp(t->s, "listen") == 0 ||
	    strcmp(t->s, "nonblock") == 0 || strcmp(t->s, "oobinline") == 0) {
		while ((t = next(c)) != NULL)
			if (!decl_option(p, t, a, 1))
				return false;
		return true;
	}
	/* the other end's name, t (as peeked) */
	if ((b = add_socket(p, next(c), SCN_SOCK_TCP)) < 0)
		return false;
	p->s->sockets[a].peer = b;
	p->s->sockets[b].peer = a;
	while ((t = next(c)) != NULL)
		if (!decl_option(p, t, a, 2))
			return false;
	for (int i = a; i <= b; i++)
		for (int k = 0; k < p->s->sockets[i].nopts; k++)
			if (p->s->sockets[i].opts[k].opt == SCN_OPT_LISTEN) {
				perr(p, p->s->sockets[i].opts[k].pos.col,
				    "a listening socket is declared alone: tcp NAME listen");
				return false;
			}
	return true;
}

/* Two UDP sockets cannot be bound to the same address. */
static bool
check_addr_free(struct parser *p, int u, int col, bool given)
{
	const ScnSocket *so = &p->s->sockets[u];
	ScnAddr a = so->addr;

	for (int i = 0; i < u; i++) {
		const ScnSocket *o = &p->s->sockets[i];

		if (o->kind != SCN_SOCK_UDP || o->addr.ip != a.ip || o->addr.port != a.port)
			continue;
		perr(p, col, "%saddress %u.%u.%u.%u:%u is already used by '%s'",
		    given ? "" : "default ", a.ip >> 24, (a.ip >> 16) & 0xff, (a.ip >> 8) & 0xff,
		    a.ip & 0xff, a.port, o->name);
		return false;
	}
	return true;
}

/* UDP socket u connected to socket i (the name at column col). */
bool
connect_to(struct parser *p, int u, int i, int col)
{
	if (p->s->sockets[i].kind != SCN_SOCK_UDP) {
		perr(p, col, "connect needs a UDP socket; '%s' is TCP", p->s->sockets[i].name);
		return false;
	}
	p->s->sockets[u].peer = i;
	return true;
}

static bool
connect_opt(struct parser *p, const struct tok *t, int u)
{
	struct tok v = *t;
	int i;

	v.s += strlen("connect=");
	v.col += (int)strlen("connect=");
	v.len -= (int)strlen("connect=");
	if (v.len == 0) {
		perr(p, v.col, "expected SOCKET after 'connect='");
		return false;
	}
	/* a socket declared further down (two UDP sockets connected to each
	 * other) is looked up at the end of the file */
	if ((i = find_socket(p->s, v.s)) < 0)
		return thread_ref(p, &v, REF_CONNECT, u);
	return connect_to(p, u, i, v.col);
}

static bool
st_udp(struct parser *p, struct cur *c)
{
	const struct tok *t, *name;
	ScnSocket *so;
	bool given;
	int u;

	if ((name = need(p, c, "NAME")) == NULL || (u = add_socket(p, name, SCN_SOCK_UDP)) < 0)
		return false;
	so = &p->s->sockets[u];
	t = peek(c);
	given = t != NULL && g_ascii_isdigit(t->s[0]);
	if (given) {
		if (!get_addr(p, next(c), &so->addr))
			return false;
	} else {
		so->addr.ip = 10u << 24 | (uint32_t)(u + 1);
		so->addr.port = (uint16_t)(5000 + u + 1);
	}
	if (!check_addr_free(p, u, given ? t->col : name->col, given))
		return false;
	while ((t = next(c)) != NULL) {
		if (g_str_has_prefix(t->s, "connect=")) {
			if (!connect_opt(p, t, u))
				return false;
		} else if (!decl_option(p, t, u, 1))
			return false;
	}
	return true;
}

/*
 * `thread NAME:` then indented operations, or `thread NAME: op ; op`.
 * The colon may stick to the name or to the first operation.
 */
static bool
st_thread(struct parser *p, struct cur *c)
{
	struct tok *name = &p->toks[c->i], *rest;
	int n = p->s->nthreads, skip;
	ScnThread *th;
	char *colon;

	if (need(p, c, "NAME") == NULL)
		return false;
	if ((colon = strchr(name->s, ':')) != NULL)
		rest = name;
	else if (c->i < c->n && p->toks[c->i].s[0] == ':') {
		rest = &p->toks[c->i];
		colon = rest->s;
	} else {
		perr(p, name->col + name->len, "expected ':' after 'thread %s'", name->s);
		return false;
	}
	*colon = '\0';
	if (!check_new_name(p, name->s, name->col, "thread"))
		return false;
	if (n == SCN_MAX_THREADS) {
		perr(p, name->col, "too many threads (max %d)", SCN_MAX_THREADS);
		return false;
	}
	th = &p->s->threads[n];
	g_strlcpy(th->name, name->s, sizeof th->name);
	th->pos = tpos(p, name);
	p->ops[n] = g_array_new(FALSE, TRUE, sizeof(ScnOp));
	p->s->nthreads++;
	p->thread = n;

	/* What follows the colon in its token starts the first operation. */
	skip = (int)(colon + 1 - rest->s);
	rest->s += skip;
	rest->col += skip;
	rest->len -= skip;
	return thread_ops(p, (int)(rest - p->toks) + (rest->len == 0));
}

static bool
st_at(struct parser *p, struct cur *c)
{
	const struct tok *t;
	struct qbuf q;
	ScnEvent ev;
	bool ok;

	memset(&ev, 0, sizeof ev);
	ev.pos = tpos(p, &c->t[0]);
	ev.sock = -1;
	ev.thread = -1;
	if (p->events->len >= SCN_MAX_EVENTS) {
		perr(p, c->t[0].col, "too many events (max %d)", SCN_MAX_EVENTS);
		return false;
	}
	if (!duration_arg(p, c, "TIME", &ev.at) ||
	    (t = need(p, c, "EVENT (datagram, fin, rst, unreachable or signal)")) == NULL)
		return false;
	if (strcmp(t->s, "datagram") == 0) {
		ev.kind = SCN_EV_DATAGRAM;
		ok = (ev.sock = typed_socket_arg(p, c, "SOCKET", SCN_SOCK_UDP, "datagram")) >= 0 &&
		    keyword(p, c, "from") && (t = need(p, c, "ADDR")) != NULL &&
		    get_addr(p, t, &ev.from) && keyword(p, c, "len") &&
		    size_arg(p, c, "SIZE", &ev.len);
		if (ok && (t = peek(c)) != NULL && strcmp(t->s, "control") == 0) {
			c->i++;
			ok = (t = need(p, c, "N")) != NULL && get_int_size(p, t->s, t->col, &ev.ctl_len);
		}
	} else if (strcmp(t->s, "fin") == 0 || strcmp(t->s, "rst") == 0) {
		ev.kind = t->s[0] == 'f' ? SCN_EV_FIN : SCN_EV_RST;
		ok = (ev.sock = typed_socket_arg(p, c, "SOCKET", SCN_SOCK_TCP, t->s)) >= 0;
	} else if (strcmp(t->s, "unreachable") == 0) {
		ev.kind = SCN_EV_UNREACH;
		ok = (ev.sock = typed_socket_arg(p, c, "SOCKET", SCN_SOCK_UDP, t->s)) >= 0;
	} else if (strcmp(t->s, "signal") == 0) {
		ev.kind = SCN_EV_SIGNAL;
		ok = (t = need(p, c, "THREAD")) != NULL &&
		    thread_ref(p, t, REF_SIGNAL, (int)p->events->len);
	} else {
		perr(p, t->col, "unknown event '%s' (known: datagram, fin, rst, unreachable, signal)",
		    quote(&q, t->s));
		return false;
	}
	if (!ok || !done(p, c))
		return false;
	g_array_append_val(p->events, ev);
	return true;
}

/* Who a STEP:WHO entry names: softnet, a kernel thread, or a thread declared above. */
static int
plan_who(void *ctx, const char *name)
{
	const struct parser *p = ctx;
	int who = sched_kernel_who(name);

	if (who == SCHED_WHO_UNKNOWN && (who = find_thread(p->s, name)) < 0)
		who = SCHED_WHO_UNKNOWN;
	return who;
}

/* `schedule 30:softclock 32:sosplice`, tokens first..: the engine's text form of a
 * plan, as `sosim explore` prints it and `sosim run --schedule` takes it. */
static bool
schedule_steps(struct parser *p, const struct tok *first, const struct tok *last)
{
	char *text = g_strndup(p->line + first->col - 1, (size_t)(last->col + last->len - first->col));
	SchedPlanError e;
	SchedDev *d;
	struct qbuf q;
	int n, col;

	if (sched_plan_parse_text(text, plan_who, p, &d, &n, &e)) {
		g_array_append_vals(p->plan, d, (guint)n);
		g_free(d);
		g_free(text);
		return true;
	}
	col = first->col + (int)e.offset;
	quote_n(&q, text + e.offset, e.len);
	if (e.kind != SCHED_PLAN_UNKNOWN_WHO)
		perr(p, col, "%s", e.msg);
	else if (find_socket(p->s, q.b) >= 0)
		perr(p, col, "'%s' is a socket, not a thread", q.b);
	else
		perr(p, col, "unknown thread '%s' (STEP:THREAD entries name threads declared above)",
		    q.b);
	g_free(text);
	return false;
}

/* `schedule reader softnet writer`: the first picks; threads may come later. */
static bool
schedule_names(struct parser *p, struct cur *c)
{
	const struct tok *t;

	while ((t = next(c)) != NULL) {
		int who = sched_kernel_who(t->s);

		if (who == SCHED_WHO_UNKNOWN) {
			who = -1;	/* the thread's index, once it is known */
			if (!thread_ref(p, t, REF_SCHEDULE, (int)p->schedule->len))
				return false;
		}
		g_array_append_val(p->schedule, who);
	}
	return true;
}

static bool
st_schedule(struct parser *p, struct cur *c)
{
	const struct tok *first;
	bool steps;

	if (p->s->schedule_pos.line != 0) {
		perr(p, c->t[0].col, "schedule given twice (first at line %d)",
		    p->s->schedule_pos.line);
		return false;
	}
	p->s->schedule_pos = tpos(p, &c->t[0]);
	if ((first = need(p, c, "THREAD")) == NULL)
		return false;
	c->i--;
	/* one form or the other; commas may separate STEP:THREAD entries */
	steps = strchr(first->s, ':') != NULL;
	for (int i = c->i; i < c->n; i++) {
		const struct tok *t = &c->t[i];

		if ((strchr(t->s, ':') != NULL) != steps &&
		    !(steps && strspn(t->s, ",") == (size_t)t->len)) {
			perr(p, t->col, "a schedule is either thread names or STEP:THREAD entries, not both");
			return false;
		}
	}
	return steps ? schedule_steps(p, first, &c->t[c->n - 1]) : schedule_names(p, c);
}

/* `explore [preemptions=K] [max-states=N]`: `sosim check` explores this one. */
static bool
st_explore(struct parser *p, struct cur *c)
{
	Scenario *s = p->s;
	const struct tok *t;
	struct qbuf q;
	int64_t v;

	if (s->explore) {
		perr(p, c->t[0].col, "explore given twice (first at line %d)", s->explore_pos.line);
		return false;
	}
	s->explore = true;
	s->explore_pos = tpos(p, &c->t[0]);
	while ((t = next(c)) != NULL) {
		if (g_str_has_prefix(t->s, "preemptions=")) {
			if (!signed_value(p, t, 12, false, &v))
				return false;
			if (v < 0 || v > 16) {
				perr(p, t->col + 12, "preemptions must be between 0 and 16");
				return false;
			}
			s->explore_preemptions = (int)v;
		} else if (g_str_has_prefix(t->s, "max-states=")) {
			if (!signed_value(p, t, 11, false, &v))
				return false;
			if (v <= 0) {
				perr(p, t->col + 11, "max-states must be positive");
				return false;
			}
			s->explore_max_states = v;
		} else {
			perr(p, t->col, "unexpected '%s' (explore takes preemptions=K, max-states=N)",
			    quote(&q, t->s));
			return false;
		}
	}
	return true;
}

static const struct stdef {
	const char *name;
	bool (*parse)(struct parser *, struct cur *);
} stdefs[] = {
	{ "profile", st_profile },
	{ "quirk", st_quirk },
	{ "seed", st_seed },
	{ "limit", st_limit },
	{ "sysctl", st_sysctl },
	{ "tcp", st_tcp },
	{ "udp", st_udp },
	{ "thread", st_thread },
	{ "at", st_at },
	{ "schedule", st_schedule },
	{ "expect", st_expect },
	{ "explore", st_explore },
};

bool
is_statement(const char *word)
{
	for (size_t i = 0; i < G_N_ELEMENTS(stdefs); i++)
		if (strcmp(word, stdefs[i].name) == 0)
			return true;
	return false;
}

bool
statement(struct parser *p)
{
	struct cur c = { p->toks, p->ntoks, 1 };
	const char *names[G_N_ELEMENTS(stdefs)];
	const char *kw = p->toks[0].s;
	struct qbuf q;
	char *known;

	for (size_t i = 0; i < G_N_ELEMENTS(stdefs); i++)
		if (strcmp(kw, stdefs[i].name) == 0)
			return stdefs[i].parse(p, &c);
	if (is_operation(kw)) {
		perr(p, p->toks[0].col, "'%s' is an operation; indent it under a "
		    "'thread NAME:' line", kw);
		return false;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(stdefs); i++)
		names[i] = stdefs[i].name;
	known = JOIN(names);
	perr(p, p->toks[0].col, "unknown statement '%s' (known: %s)", quote(&q, kw), known);
	g_free(known);
	return false;
}
