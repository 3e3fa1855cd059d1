/*
 * parse.h: what the files of the scenario parser share; private to
 * sim/scenario/ (scenario.h is the public interface).
 *
 *   scenario_parse.c     lines, the description, finishing the Scenario,
 *                        the public functions
 *   parse_lexer.c        lines into tokens, the cursor, values in tokens
 *   parse_diag.c         errors with a caret, quoting, lists of names
 *   parse_statements.c   declarations and other statements, names,
 *                        socket options, the statement table
 *   parse_ops.c          thread programs: operations, flags, results
 *   parse_expect.c       `expect` lines
 */
#ifndef SOSIM_SCENARIO_PARSE_H
#define SOSIM_SCENARIO_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "scenario.h"

#define LINE_MAX_BYTES	4096
#define SIZE_LIMIT	((int64_t)1 << 50)
#define DURATION_LIMIT	((int64_t)1000000 * 1000000000)	/* 1e6 s, in ns */
#define QUOTE_MAX	40	/* longest user text quoted in a message */
#define AFTER_MAX	48	/* longest "after '...'" context */

struct tok {
	char *s;		/* NUL-terminated, in the parser's tokbuf */
	int col;		/* 1-based */
	int len;
};

/* The tokens of one statement or one operation, and how far we got. */
struct cur {
	const struct tok *t;
	int n;
	int i;			/* next token */
};

/* A name used where what it names may not be declared yet: a thread in
 * a schedule or a signal event, or the socket of a UDP `connect=`. */
enum { REF_SCHEDULE, REF_SIGNAL, REF_CONNECT };

struct thread_ref {
	int what;		/* REF_* */
	int index;		/* into the schedule, the events, or the sockets (the one connecting) */
	char name[SCN_NAME_MAX];
	ScnPos pos;
	const char *line;	/* for the error message */
	size_t linelen;
};

enum { DESC_BEFORE, DESC_IN, DESC_DONE };

struct parser {
	Scenario *s;
	GError *error;

	/* The line being parsed, in the caller's buffer: not NUL-terminated. */
	const char *line;
	size_t linelen;
	int lineno;

	struct tok *toks;
	int ntoks;
	char *tokbuf;

	int thread;		/* the thread indented lines belong to, or -1 */
	int ended_thread;	/* the last thread a statement ended, or -1 */
	int ended_line;		/* that statement's line */
	GArray *ops[SCN_MAX_THREADS];
	GArray *events;
	GArray *expects;
	GArray *schedule;
	GArray *plan;
	GArray *refs;
	GString *desc;
	int desc_state;
};

/* ---- parse_diag.c ---- */

/* A bounded copy of user text for a message. */
struct qbuf {
	char b[QUOTE_MAX + 4];
};

const char *quote_n(struct qbuf *q, const char *s, size_t n);
const char *quote(struct qbuf *q, const char *s);
/* "a, b, c" (g_free it) */
char *join(const char *const *names, size_t n);
#define JOIN(a) join((a), G_N_ELEMENTS(a))

/* Report an error at column col of the current line (the first one wins). */
void perr(struct parser *p, int col, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* "unexpected 'TOKEN'" */
void unexpected(struct parser *p, const struct tok *t);

/* ---- parse_expect.c ---- */

/* ==, !=, <, <=, > or >= (expect.h's scn_cmp_names) as a ScnCmp. */
bool cmp_word(const char *s, ScnCmp *cmp);

/* ---- parse_lexer.c ---- */

/* Refuse bytes no token may hold; *code is the length before a comment. */
bool check_bytes(struct parser *p, size_t *code);
/* Split line[0..code-1] into p->toks. */
void tokenize(struct parser *p, size_t code);

ScnPos tpos(const struct parser *p, const struct tok *t);
const struct tok *peek(const struct cur *c);
const struct tok *next(struct cur *c);
/* The next token, or an error "expected WHAT after '...'" and NULL. */
const struct tok *need(struct parser *p, struct cur *c, const char *what);
/* No token left, or an error "unexpected '...'". */
bool done(struct parser *p, const struct cur *c);
/* A fixed word, such as `from` in a datagram event. */
bool keyword(struct parser *p, struct cur *c, const char *word);
/* The source text of tokens t[0..n-1], cut to fit buf. */
void source_text(const struct parser *p, const struct tok *t, int n, char *buf, size_t size);

const char *scan_digits(const char *s, int64_t *v);
bool get_size(struct parser *p, const char *s, int col, const char *noun, int64_t *out);
bool get_int_size(struct parser *p, const char *s, int col, int *out);
bool get_duration(struct parser *p, const char *s, int col, int64_t *out);
bool size_arg(struct parser *p, struct cur *c, const char *what, int64_t *out);
bool number_arg(struct parser *p, struct cur *c, const char *what, int64_t *out);
bool duration_arg(struct parser *p, struct cur *c, const char *what, int64_t *out);
bool get_addr(struct parser *p, const struct tok *t, ScnAddr *a);
/* A signed value after `name=` (plen bytes): `max=-1`, `idle=-2s`. */
bool signed_value(struct parser *p, const struct tok *t, size_t plen, bool duration, int64_t *out);
bool is_ident(const char *s);

/* ---- parse_statements.c ---- */

/* A statement: the line's tokens in p->toks. */
bool statement(struct parser *p);
bool is_statement(const char *word);

int find_socket(const Scenario *s, const char *name);
int find_thread(const Scenario *s, const char *name);
/* A declared socket, by the next token; -1 after an error. */
int socket_arg(struct parser *p, struct cur *c, const char *what);
/* The same, of one kind: user names what needs it, for the message. */
int typed_socket_arg(struct parser *p, struct cur *c, const char *what, ScnSockKind kind,
    const char *user);
/* A thread named before it may be declared: checked at the end of the file. */
bool thread_ref(struct parser *p, const struct tok *t, int what, int index);
/* UDP socket u connected to socket i, named at column col of the line. */
bool connect_to(struct parser *p, int u, int i, int col);

/* Socket options, in declarations and `setsockopt`. */
enum vtype { V_SIZE, V_DURATION, V_BOOL };

struct optdef {
	const char *name;
	enum vtype type;
	bool tcp_only;		/* and only in the declaration */
	const char *call;	/* the system call that sets it (not tcp_only ones) */
};
extern const struct optdef optdefs[SCN__OPT_COUNT];
/* "name=value", or a bare boolean name meaning 1, at column col. */
bool get_option(struct parser *p, const char *s, int col, ScnOptSet *o);

/* ---- parse_ops.c ---- */

/* Operations from token `from` on, separated by `;`, for the open thread. */
bool thread_ops(struct parser *p, int from);
bool is_operation(const char *word);

/* ---- parse_expect.c ---- */

bool st_expect(struct parser *p, struct cur *c);

#endif
