/*
 * test_parser.c: the scenario parser (sim/scenario/).
 *
 * Valid scenarios must give the expected Scenario; every kind of error must
 * give the exact "file:line:col: error: ..." message, the source line and a
 * caret under the column; and no input, however mangled, may crash the
 * parser or make it leak (run under valgrind with CK_FORK=no to check).
 *
 * Run alone: meson test -C build 'check parser'
 */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errno_names.h"
#include "expect.h"
#include "profile.h"
#include "scenario.h"

#define NS	1LL
#define US	1000LL
#define MS	1000000LL
#define SEC	1000000000LL

/* The complete example at the top of docs/scenario-language.md. */
static const char example[] =
    "# A reader peeks at more than the writer sends.\n"
    "#\n"
    "# MSG_WAITALL|MSG_PEEK for 8192 bytes when only 4096 come.\n"
    "\n"
    "profile netbsd-2.0\n"
    "\n"
    "tcp a b rcvbuf=16K\n"
    "\n"
    "thread writer:\n"
    "\tsend a 4096 => 4096\n"
    "\n"
    "thread reader:\n"
    "\trecv b 8192 MSG_WAITALL|MSG_PEEK\n"
    "\n"
    "expect no-deadlock\n";

static Scenario *
parse_ok(const char *src)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_string("t.scn", src, &err);

	ck_assert_msg(s != NULL, "parse failed:\n%s", err != NULL ? err->message : "?");
	ck_assert_ptr_null(err);
	return s;
}

/* The error message for src, which must not parse. */
static char *
parse_err(const char *src)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_string("t.scn", src, &err);
	char *msg;

	ck_assert_msg(s == NULL, "parsed, but should not have:\n%s", src);
	ck_assert_ptr_nonnull(err);
	ck_assert(err->domain == SCENARIO_ERROR);
	msg = g_strdup(err->message);
	g_error_free(err);
	return msg;
}

/*
 * The message we expect for an error at line:col of src: the caret line
 * is built here independently, copying tabs from the source line.
 */
static char *
expected_message(const char *src, int line, int col, const char *msg)
{
	gchar **lines = g_strsplit(src, "\n", -1);
	const char *l = lines[line - 1];
	GString *g = g_string_new(NULL);
	int len = (int)strlen(l);

	g_string_append_printf(g, "t.scn:%d:%d: error: %s\n%s\n", line, col, msg, l);
	for (int i = 0; i < col - 1; i++)
		g_string_append_c(g, i < len && l[i] == '\t' ? '\t' : ' ');
	g_string_append_c(g, '^');
	g_strfreev(lines);
	return g_string_free(g, FALSE);
}

/* A valid scenario. */

START_TEST(test_example)
{
	Scenario *s = parse_ok(example);
	const ScnOp *op;

	ck_assert_str_eq(s->path, "t.scn");
	ck_assert_str_eq(s->description, "A reader peeks at more than the writer sends.\n\n"
	    "MSG_WAITALL|MSG_PEEK for 8192 bytes when only 4096 come.");
	ck_assert_str_eq(s->profile, "netbsd-2.0");
	ck_assert_int_eq(s->profile_pos.line, 5);
	ck_assert_int_eq(s->profile_pos.col, 9);

	ck_assert_int_eq(s->nsockets, 2);
	ck_assert_str_eq(s->sockets[0].name, "a");
	ck_assert_str_eq(s->sockets[1].name, "b");
	ck_assert_int_eq(s->sockets[0].kind, SCN_SOCK_TCP);
	ck_assert_int_eq(s->sockets[1].kind, SCN_SOCK_TCP);
	ck_assert_int_eq(s->sockets[0].peer, 1);
	ck_assert_int_eq(s->sockets[1].peer, 0);
	ck_assert_int_eq(s->sockets[1].pos.line, 7);
	ck_assert_int_eq(s->sockets[1].pos.col, 7);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(s->sockets[i].nopts, 1);
		ck_assert_int_eq(s->sockets[i].opts[0].opt, SCN_OPT_RCVBUF);
		ck_assert_int_eq(s->sockets[i].opts[0].value, 16384);
		ck_assert_int_eq(s->sockets[i].opts[0].pos.col, 9);
	}

	ck_assert_int_eq(s->nthreads, 2);
	ck_assert_str_eq(s->threads[0].name, "writer");
	ck_assert_int_eq(s->threads[0].pos.line, 9);
	ck_assert_int_eq(s->threads[0].pos.col, 8);
	ck_assert_int_eq(s->threads[0].nops, 1);
	op = &s->threads[0].ops[0];
	ck_assert_int_eq(op->kind, SCN_OP_SEND);
	ck_assert_int_eq(op->sock, 0);
	ck_assert_int_eq(op->len, 4096);
	ck_assert_int_eq(op->flags, 0);
	ck_assert_int_eq(op->expect.kind, SCN_RES_VALUE);
	ck_assert_int_eq(op->expect.value, 4096);
	ck_assert(!op->expect.check_flags);
	ck_assert_int_eq(op->expect.pos.line, 10);
	ck_assert_int_eq(op->expect.pos.col, 14);
	ck_assert_int_eq(op->pos.line, 10);
	ck_assert_int_eq(op->pos.col, 2);
	ck_assert_str_eq(op->text, "send a 4096 => 4096");

	ck_assert_str_eq(s->threads[1].name, "reader");
	ck_assert_int_eq(s->threads[1].nops, 1);
	op = &s->threads[1].ops[0];
	ck_assert_int_eq(op->kind, SCN_OP_RECV);
	ck_assert_int_eq(op->sock, 1);
	ck_assert_int_eq(op->len, 8192);
	ck_assert_int_eq(op->flags, K_MSG_WAITALL | K_MSG_PEEK);
	ck_assert_int_eq(op->expect.kind, SCN_RES_NONE);
	ck_assert_str_eq(op->text, "recv b 8192 MSG_WAITALL|MSG_PEEK");

	ck_assert_int_eq(s->nexpects, 1);
	ck_assert_int_eq(s->expects[0].kind, SCN_EXP_DEADLOCK);
	ck_assert(s->expects[0].negate);
	ck_assert_str_eq(s->expects[0].text, "no-deadlock");
	ck_assert_int_eq(s->expects[0].pos.line, 15);
	ck_assert_int_eq(s->expects[0].pos.col, 8);

	ck_assert_int_eq(s->nevents, 0);
	ck_assert_int_eq(s->nschedule, 0);
	ck_assert(!s->has_seed);
	scenario_free(s);
}
END_TEST

START_TEST(test_empty)
{
	Scenario *s = parse_ok("");

	ck_assert_int_eq(s->nsockets, 0);
	ck_assert_int_eq(s->nthreads, 0);
	ck_assert_ptr_null(s->description);
	ck_assert_ptr_null(s->profile);
	scenario_free(s);

	s = parse_ok("\n\n   \n\t\n  # indented comment\n");
	ck_assert_int_eq(s->nsockets, 0);
	scenario_free(s);
	scenario_free(NULL);
}
END_TEST

static const struct {
	const char *text;
	int64_t value;
} sizes[] = {
	{ "0", 0 }, { "4096", 4096 }, { "64K", 65536 }, { "1KiB", 1024 },
	{ "3M", 3 * 1048576 }, { "2MiB", 2 * 1048576 }, { "1G", 1073741824 },
	{ "1GiB", 1073741824 }, { "1048576G", (int64_t)1 << 50 },
	{ "1125899906842624", (int64_t)1 << 50 }, { "007", 7 },
};

START_TEST(test_sizes)
{
	char *src = g_strdup_printf("tcp a b sndbuf=%s\n", sizes[_i].text);
	Scenario *s = parse_ok(src);

	ck_assert_int_eq(s->sockets[0].opts[0].opt, SCN_OPT_SNDBUF);
	ck_assert_int_eq(s->sockets[0].opts[0].value, sizes[_i].value);
	scenario_free(s);
	g_free(src);
}
END_TEST

static const struct {
	const char *text;
	int64_t ns;
} durations[] = {
	{ "0ns", 0 }, { "7ns", 7 }, { "10us", 10 * US }, { "5ms", 5 * MS }, { "5s", 5 * SEC },
	{ "1000000s", 1000000 * SEC }, { "1000000000000000ns", 1000000 * SEC },
};

START_TEST(test_durations)
{
	char *src = g_strdup_printf("tcp a b\nthread w:\n\tsleep %s\n", durations[_i].text);
	Scenario *s = parse_ok(src);

	ck_assert_int_eq(s->threads[0].ops[0].kind, SCN_OP_SLEEP);
	ck_assert_int_eq(s->threads[0].ops[0].len, durations[_i].ns);
	ck_assert_int_eq(s->threads[0].ops[0].sock, -1);
	scenario_free(s);
	g_free(src);
}
END_TEST

START_TEST(test_top_level)
{
	Scenario *s = parse_ok(
	    "profile freebsd-9.1\n"
	    "quirk waitall-peek-hang\n"
	    "quirk waitall-no-rcvd off\n"
	    "quirk sbappend-walk off\n"
	    "quirk sbappend-walk on\n"
	    "seed 12345\n"
	    "limit steps 1M\n"
	    "limit mbufs 500\n"
	    "limit bytes 1G\n"
	    "limit time 30s\n"
	    "sysctl kern.sbmax=512K\n");

	ck_assert_str_eq(s->profile, "freebsd-9.1");
	ck_assert_uint_eq(s->quirks_on,
	    1u << QUIRK_WAITALL_PEEK_HANG | 1u << QUIRK_SBAPPEND_WALK);
	ck_assert_uint_eq(s->quirks_off, 1u << QUIRK_WAITALL_NO_RCVD);
	ck_assert(s->has_seed);
	ck_assert_int_eq(s->seed, 12345);
	ck_assert_int_eq(s->limit_steps, 1048576);
	ck_assert_int_eq(s->limit_mbufs, 500);
	ck_assert_int_eq(s->limit_bytes, 1073741824);
	ck_assert_int_eq(s->limit_time, 30 * SEC);
	ck_assert_int_eq(s->sb_max, 524288);
	ck_assert_int_eq(s->sb_max_pos.line, 11);
	ck_assert_int_eq(s->sb_max_pos.col, 8);
	ck_assert_ptr_null(s->description);
	/* the text is kept, for messages after the parse */
	ck_assert(g_str_has_prefix(s->source, "profile freebsd-9.1\nquirk"));
	ck_assert(g_str_has_suffix(s->source, "sysctl kern.sbmax=512K\n"));
	scenario_free(s);

	s = parse_ok("seed 9223372036854775807\n");
	ck_assert_int_eq(s->seed, INT64_MAX);
	scenario_free(s);
}
END_TEST

START_TEST(test_tcp_options)
{
	Scenario *s = parse_ok(
	    "tcp a b rcvbuf=4096 b.rcvbuf=8K sndbuf=1K nonblock a.oobinline=1 mss=512 "
	    "delay=2ms a.rcvtimeo=10ms b.sndlowat=100 rcvlowat=5 rcvbuf=1K a.nonblock=0\n");
	const ScnSocket *a = &s->sockets[0], *b = &s->sockets[1];

	/* source order; a repeated option is replaced where it first was */
	ck_assert_int_eq(a->nopts, 8);
	ck_assert_int_eq(a->opts[0].opt, SCN_OPT_RCVBUF);
	ck_assert_int_eq(a->opts[0].value, 1024);
	ck_assert_int_eq(a->opts[0].pos.col, 126);	/* where the winning one is */
	ck_assert_int_eq(a->opts[1].opt, SCN_OPT_SNDBUF);
	ck_assert_int_eq(a->opts[2].opt, SCN_OPT_NONBLOCK);
	ck_assert_int_eq(a->opts[2].value, 0);
	ck_assert_int_eq(a->opts[3].opt, SCN_OPT_OOBINLINE);
	ck_assert_int_eq(a->opts[3].value, 1);
	ck_assert_int_eq(a->opts[3].pos.col, 54);	/* after the "a." */
	ck_assert_int_eq(a->opts[4].opt, SCN_OPT_MSS);
	ck_assert_int_eq(a->opts[4].value, 512);
	ck_assert_int_eq(a->opts[5].opt, SCN_OPT_DELAY);
	ck_assert_int_eq(a->opts[5].value, 2 * MS);
	ck_assert_int_eq(a->opts[6].opt, SCN_OPT_RCVTIMEO);
	ck_assert_int_eq(a->opts[6].value, 10 * MS);
	ck_assert_int_eq(a->opts[7].opt, SCN_OPT_RCVLOWAT);

	ck_assert_int_eq(b->nopts, 7);
	ck_assert_int_eq(b->opts[0].opt, SCN_OPT_RCVBUF);
	ck_assert_int_eq(b->opts[0].value, 1024);
	ck_assert_int_eq(b->opts[1].opt, SCN_OPT_SNDBUF);
	ck_assert_int_eq(b->opts[2].opt, SCN_OPT_NONBLOCK);
	ck_assert_int_eq(b->opts[2].value, 1);
	ck_assert_int_eq(b->opts[3].opt, SCN_OPT_MSS);
	ck_assert_int_eq(b->opts[4].opt, SCN_OPT_DELAY);
	ck_assert_int_eq(b->opts[5].opt, SCN_OPT_SNDLOWAT);
	ck_assert_int_eq(b->opts[5].value, 100);
	ck_assert_int_eq(b->opts[6].opt, SCN_OPT_RCVLOWAT);
	ck_assert_int_eq(b->opts[6].value, 5);
	scenario_free(s);
}
END_TEST

START_TEST(test_udp)
{
	Scenario *s = parse_ok(
	    "tcp a b\n"
	    "udp u\n"
	    "udp v 192.168.1.20:53 connect=u rcvbuf=9000\n"
	    "udp w connect=v\n"
	    "udp x 0.0.0.0:0 nonblock=1 x.sndbuf=1K\n");
	const ScnSocket *u = &s->sockets[2], *v = &s->sockets[3], *w = &s->sockets[4];
	const ScnSocket *x = &s->sockets[5];

	ck_assert_int_eq(u->kind, SCN_SOCK_UDP);
	ck_assert_int_eq(u->peer, -1);
	ck_assert_uint_eq(u->addr.ip, 0x0a000003);	/* 10.0.0.3: the third socket */
	ck_assert_uint_eq(u->addr.port, 5003);
	ck_assert_uint_eq(v->addr.ip, 0xc0a80114);
	ck_assert_uint_eq(v->addr.port, 53);
	ck_assert_int_eq(v->peer, 2);
	ck_assert_int_eq(v->nopts, 1);
	ck_assert_int_eq(v->opts[0].value, 9000);
	ck_assert_uint_eq(w->addr.ip, 0x0a000005);
	ck_assert_uint_eq(w->addr.port, 5005);
	ck_assert_int_eq(w->peer, 3);
	ck_assert_uint_eq(x->addr.ip, 0);
	ck_assert_uint_eq(x->addr.port, 0);
	ck_assert_int_eq(x->nopts, 2);
	ck_assert_int_eq(s->sockets[0].addr.ip, 0);
	scenario_free(s);
}
END_TEST

/* The forms the regress suites need: results with alternatives and
 * comparisons, "no output flags", repeat, and connect= to a socket
 * declared further down. */
START_TEST(test_result_forms)
{
	Scenario *s = parse_ok(
	    "udp u connect=v\n"
	    "udp v connect=u\n"
	    "tcp a b\n"
	    "thread w:\n"
	    "\tsend a 100 => >= 1\n"
	    "\tsend a 0 => 0 -\n"
	    "\trecv b 10 => != 3 EOR\n"
	    "\tsend a 1 => EPIPE|ECONNRESET\n"
	    "\trecv b 1 DONTWAIT => EWOULDBLOCK|EAGAIN\n"
	    "\trepeat 3 send u 10 => 10\n"
	    "\tsend a 1\n");
	const ScnOp *op = s->threads[0].ops;

	ck_assert_int_eq(s->sockets[0].peer, 1);
	ck_assert_int_eq(s->sockets[1].peer, 0);
	ck_assert_int_eq(s->threads[0].nops, 9);
	ck_assert_int_eq(op[0].expect.kind, SCN_RES_VALUE);
	ck_assert_int_eq(op[0].expect.cmp, SCN_CMP_GE);
	ck_assert_int_eq(op[0].expect.value, 1);
	ck_assert(!op[0].expect.check_flags);
	ck_assert_int_eq(op[1].expect.cmp, SCN_CMP_EQ);
	ck_assert(op[1].expect.check_flags);
	ck_assert_int_eq(op[1].expect.flags, 0);
	ck_assert_int_eq(op[2].expect.cmp, SCN_CMP_NE);
	ck_assert_int_eq(op[2].expect.flags, K_MSG_EOR);
	ck_assert_int_eq(op[3].expect.kind, SCN_RES_ERRNO);
	ck_assert_int_eq(op[3].expect.nerrs, 2);
	ck_assert_int_eq(op[3].expect.errs[0], errno_from_name("EPIPE"));
	ck_assert_int_eq(op[3].expect.errs[1], errno_from_name("ECONNRESET"));
	/* EAGAIN is EWOULDBLOCK */
	ck_assert_int_eq(op[4].expect.nerrs, 1);
	for (int i = 5; i < 8; i++) {
		ck_assert_int_eq(op[i].kind, SCN_OP_SEND);
		ck_assert_int_eq(op[i].len, 10);
		ck_assert_str_eq(op[i].text, "send u 10 => 10");
	}
	ck_assert_int_eq(op[8].expect.kind, SCN_RES_NONE);
	scenario_free(s);
}
END_TEST

START_TEST(test_ops)
{
	Scenario *s = parse_ok(
	    "tcp a b\n"
	    "udp u\n"
	    "udp v connect=u\n"
	    "thread w:\n"
	    "\tsend a 100 EOR|MSG_OOB control=16 => 100\n"
	    "\tsend v 10 control=4 DONTROUTE\n"
	    "\tsendto u v 1K DONTWAIT => EWOULDBLOCK\n"
	    "\trecv b 8K WAITALL\n"
	    "\trecvfrom u 100 PEEK|TRUNC => 200 TRUNC\n"
	    "\tshutdown a rd\n"
	    "\tshutdown a wr\n"
	    "\tshutdown a rdwr => EINVAL\n"
	    "\tclose b\n"
	    "\tsetsockopt a rcvtimeo=1s\n"
	    "\tsetsockopt u nonblock\n"
	    "\tkttcp send a 1M => 1M\n"
	    "\tkttcp recv b 64K\n"
	    "  sleep 10us\n"
	    " \t recv b 10 => 5 EOR|OOB|MSG_TRUNC\n");
	const ScnOp *op = s->threads[0].ops;

	ck_assert_int_eq(s->threads[0].nops, 15);

	ck_assert_int_eq(op[0].kind, SCN_OP_SEND);
	ck_assert_int_eq(op[0].flags, K_MSG_EOR | K_MSG_OOB);
	ck_assert_int_eq(op[0].ctl_len, 16);
	ck_assert_int_eq(op[0].dest, -1);
	ck_assert_int_eq(op[0].expect.kind, SCN_RES_VALUE);
	ck_assert_int_eq(op[0].expect.value, 100);

	ck_assert_int_eq(op[1].sock, 3);
	ck_assert_int_eq(op[1].ctl_len, 4);
	ck_assert_int_eq(op[1].flags, K_MSG_DONTROUTE);

	ck_assert_int_eq(op[2].kind, SCN_OP_SENDTO);
	ck_assert_int_eq(op[2].sock, 2);
	ck_assert_int_eq(op[2].dest, 3);
	ck_assert_int_eq(op[2].len, 1024);
	ck_assert_int_eq(op[2].flags, K_MSG_DONTWAIT);
	ck_assert_int_eq(op[2].expect.kind, SCN_RES_ERRNO);
	ck_assert_int_eq(op[2].expect.err, K_EWOULDBLOCK);
	ck_assert_int_eq(op[2].expect.pos.col, 25);

	ck_assert_int_eq(op[3].kind, SCN_OP_RECV);
	ck_assert_int_eq(op[3].len, 8192);
	ck_assert_int_eq(op[3].flags, K_MSG_WAITALL);

	ck_assert_int_eq(op[4].kind, SCN_OP_RECV);
	ck_assert_int_eq(op[4].flags, K_MSG_PEEK | K_MSG_TRUNC);
	ck_assert(op[4].expect.check_flags);
	ck_assert_int_eq(op[4].expect.value, 200);
	ck_assert_int_eq(op[4].expect.flags, K_MSG_TRUNC);

	ck_assert_int_eq(op[5].kind, SCN_OP_SHUTDOWN);
	ck_assert_int_eq(op[5].how, 0);
	ck_assert_int_eq(op[6].how, 1);
	ck_assert_int_eq(op[7].how, 2);
	ck_assert_int_eq(op[7].expect.err, K_EINVAL);

	ck_assert_int_eq(op[8].kind, SCN_OP_CLOSE);
	ck_assert_int_eq(op[8].sock, 1);

	ck_assert_int_eq(op[9].kind, SCN_OP_SETSOCKOPT);
	ck_assert_int_eq(op[9].opt.opt, SCN_OPT_RCVTIMEO);
	ck_assert_int_eq(op[9].opt.value, SEC);
	ck_assert_int_eq(op[9].opt.pos.line, 14);
	ck_assert_int_eq(op[9].opt.pos.col, 15);
	ck_assert_int_eq(op[10].opt.opt, SCN_OPT_NONBLOCK);
	ck_assert_int_eq(op[10].opt.value, 1);

	ck_assert_int_eq(op[11].kind, SCN_OP_KTTCP_SEND);
	ck_assert_int_eq(op[11].len, 1048576);
	ck_assert_int_eq(op[11].expect.value, 1048576);
	ck_assert_int_eq(op[12].kind, SCN_OP_KTTCP_RECV);
	ck_assert_int_eq(op[12].sock, 1);

	ck_assert_int_eq(op[13].kind, SCN_OP_SLEEP);
	ck_assert_int_eq(op[13].len, 10 * US);
	ck_assert_int_eq(op[13].pos.col, 3);

	ck_assert_int_eq(op[14].expect.flags, K_MSG_EOR | K_MSG_OOB | K_MSG_TRUNC);
	ck_assert_int_eq(op[14].pos.line, 19);
	ck_assert_int_eq(op[14].pos.col, 4);
	ck_assert_str_eq(op[14].text, "recv b 10 => 5 EOR|OOB|MSG_TRUNC");
	scenario_free(s);
}
END_TEST

START_TEST(test_one_line_threads)
{
	Scenario *s = parse_ok(
	    "tcp a b\n"
	    "thread t1: send a 1 ; recv b 1 => 1;close a;\n"
	    "thread t2 : sleep 1ms\n"
	    "thread t3:sleep 2ms ;; sleep 3ms\n"
	    "\tsleep 4ms   # more operations, indented, after the one-line form\n"
	    "thread t4:\n"
	    "thread t5 :close b\n");

	ck_assert_int_eq(s->nthreads, 5);
	ck_assert_int_eq(s->threads[0].nops, 3);
	ck_assert_str_eq(s->threads[0].ops[0].text, "send a 1");
	ck_assert_int_eq(s->threads[0].ops[0].pos.col, 12);
	ck_assert_str_eq(s->threads[0].ops[1].text, "recv b 1 => 1");
	ck_assert_int_eq(s->threads[0].ops[1].expect.value, 1);
	ck_assert_str_eq(s->threads[0].ops[2].text, "close a");
	ck_assert_str_eq(s->threads[1].name, "t2");
	ck_assert_int_eq(s->threads[1].nops, 1);
	ck_assert_int_eq(s->threads[1].ops[0].pos.col, 13);
	ck_assert_int_eq(s->threads[2].nops, 3);
	ck_assert_int_eq(s->threads[2].ops[0].pos.col, 11);
	ck_assert_str_eq(s->threads[2].ops[0].text, "sleep 2ms");
	ck_assert_int_eq(s->threads[2].ops[2].len, 4 * MS);
	ck_assert_int_eq(s->threads[3].nops, 0);
	ck_assert_int_eq(s->threads[4].nops, 1);
	ck_assert_int_eq(s->threads[4].ops[0].pos.col, 12);
	scenario_free(s);
}
END_TEST

START_TEST(test_op_text)
{
	GString *src = g_string_new("tcp a b\nthread w:\n\tsend a 1");
	Scenario *s;

	for (int i = 0; i < 40; i++)
		g_string_append(src, " ");
	g_string_append(src, "control=1 MSG_WAITALL|MSG_PEEK|MSG_DONTWAIT|MSG_OOB|MSG_EOR|MSG_DONTROUTE   "
	    "=> 1 MSG_TRUNC # the text stops before this\n");
	s = parse_ok(src->str);
	ck_assert_uint_eq(strlen(s->threads[0].ops[0].text), sizeof s->threads[0].ops[0].text - 1);
	ck_assert(g_str_has_prefix(s->threads[0].ops[0].text, "send a 1     "));
	ck_assert(g_str_has_suffix(s->threads[0].ops[0].text, "|MSG_DONTWAIT|MSG"));
	scenario_free(s);

	s = parse_ok("tcp a b\nexpect   a.rcv.cc   <=   12K    # trailing\n");
	ck_assert_str_eq(s->expects[0].text, "a.rcv.cc   <=   12K");
	ck_assert_int_eq(s->expects[0].pos.col, 10);
	scenario_free(s);
	g_string_free(src, TRUE);
}
END_TEST

START_TEST(test_events)
{
	Scenario *s = parse_ok(
	    "tcp a b\n"
	    "udp u\n"
	    "at 5ms signal late\n"				/* before the thread: resolved at the end */
	    "at 1ms fin b\n"
	    "at 1ms datagram u from 1.2.3.4:99 len 100 control 4\n"
	    "at 0ns rst a\n"
	    "at 1000us datagram u from 255.255.255.255:65535 len 1K\n"
	    "thread early:\n"
	    "thread late:\n"
	    "at 1s signal early\n");
	const ScnEvent *e = s->events;

	ck_assert_int_eq(s->nevents, 6);
	ck_assert_int_eq(e[0].kind, SCN_EV_RST);
	ck_assert_int_eq(e[0].at, 0);
	ck_assert_int_eq(e[0].sock, 0);
	/* three at 1 ms, in source order */
	ck_assert_int_eq(e[1].kind, SCN_EV_FIN);
	ck_assert_int_eq(e[1].sock, 1);
	ck_assert_int_eq(e[1].pos.line, 4);
	ck_assert_int_eq(e[1].pos.col, 1);
	ck_assert_int_eq(e[2].kind, SCN_EV_DATAGRAM);
	ck_assert_int_eq(e[2].sock, 2);
	ck_assert_uint_eq(e[2].from.ip, 0x01020304);
	ck_assert_uint_eq(e[2].from.port, 99);
	ck_assert_int_eq(e[2].len, 100);
	ck_assert_int_eq(e[2].ctl_len, 4);
	ck_assert_int_eq(e[3].kind, SCN_EV_DATAGRAM);
	ck_assert_int_eq(e[3].at, MS);
	ck_assert_uint_eq(e[3].from.ip, 0xffffffff);
	ck_assert_uint_eq(e[3].from.port, 65535);
	ck_assert_int_eq(e[3].len, 1024);
	ck_assert_int_eq(e[3].ctl_len, 0);
	ck_assert_int_eq(e[4].kind, SCN_EV_SIGNAL);
	ck_assert_int_eq(e[4].at, 5 * MS);
	ck_assert_int_eq(e[4].thread, 1);
	ck_assert_int_eq(e[4].sock, -1);
	ck_assert_int_eq(e[5].at, SEC);
	ck_assert_int_eq(e[5].thread, 0);
	scenario_free(s);
}
END_TEST

START_TEST(test_schedule)
{
	Scenario *s = parse_ok(
	    "schedule reader softnet writer reader softnet\n"
	    "tcp a b\n"
	    "thread writer:\n"
	    "thread reader:\n");

	ck_assert_int_eq(s->nschedule, 5);
	ck_assert_int_eq(s->schedule[0], 1);
	ck_assert_int_eq(s->schedule[1], -1);
	ck_assert_int_eq(s->schedule[2], 0);
	ck_assert_int_eq(s->schedule[3], 1);
	ck_assert_int_eq(s->schedule[4], -1);
	ck_assert_int_eq(s->schedule_pos.line, 1);
	ck_assert_int_eq(s->schedule_pos.col, 1);
	scenario_free(s);
}
END_TEST

/* `schedule STEP:THREAD ...`: spaces or commas, kernel threads by name. */
START_TEST(test_schedule_steps)
{
	Scenario *s = parse_ok(
	    "tcp a b\n"
	    "thread writer:\n"
	    "thread reader:\n"
	    "schedule 3:reader,7:softnet, 9:sosplice\t12:softclock 40:writer\n");

	ck_assert_int_eq(s->nschedule, 0);
	ck_assert_int_eq(s->nplan, 5);
	ck_assert_uint_eq(s->plan[0].step, 3);
	ck_assert_int_eq(s->plan[0].who, 1);
	ck_assert_uint_eq(s->plan[1].step, 7);
	ck_assert_int_eq(s->plan[1].who, SCHED_SOFTNET);
	ck_assert_uint_eq(s->plan[2].step, 9);
	ck_assert_int_eq(s->plan[2].who, SCN_SCHED_TASKQ);
	ck_assert_uint_eq(s->plan[3].step, 12);
	ck_assert_int_eq(s->plan[3].who, SCN_SCHED_SOFTCLOCK);
	ck_assert_uint_eq(s->plan[4].step, 40);
	ck_assert_int_eq(s->plan[4].who, 0);
	ck_assert_int_eq(s->schedule_pos.line, 4);
	scenario_free(s);
}
END_TEST

/*
 * `expect stat`, `share` and `violation` take the names of the engine's
 * registries (counters.def, routines.def, violations.def): every one of
 * them, and nothing else; an unknown one is a parse error that lists them
 * all, in the registry's order.
 */
static const char *counter_at(int i) { return counter_defs[i].name; }
static const char *routine_at(int i) { return routine_names[i]; }
static const char *violation_at(int i) { return violation_names[i]; }
static const int nroutines = R__COUNT, nviolations = V__COUNT;

static const struct {
	const char *what;	/* in the message */
	const char *prefix;	/* the expectation up to the name */
	const char *suffix;	/* after it */
	const char *(*name_at)(int);
	const int *count;
	const char *must;	/* a name the list must hold */
} registries[] = {
	{ "counter", "expect stat ", " > 0", counter_at, &ncounter_defs, "tcp_rcvwinprobe_dropped" },
	{ "routine", "expect share ", " >= 5%", routine_at, &nroutines, "somove" },
	{ "violation", "expect violation ", "", violation_at, &nviolations, "livelock" },
};

START_TEST(test_registry_names)
{
	int n = *registries[_i].count;
	bool must_seen = false;

	ck_assert_int_gt(n, 3);
	for (int i = 0; i < n; i++) {
		const char *name = registries[_i].name_at(i);
		char *src = g_strdup_printf("%s%s%s\n", registries[_i].prefix, name, registries[_i].suffix);
		Scenario *s = parse_ok(src);

		ck_assert_int_eq(s->nexpects, 1);
		ck_assert_str_eq(s->expects[0].name, name);
		scenario_free(s);
		g_free(src);
		must_seen |= strcmp(name, registries[_i].must) == 0;
	}
	ck_assert_msg(must_seen, "%s is not among the %ss", registries[_i].must, registries[_i].what);
}
END_TEST

START_TEST(test_registry_unknown)
{
	int n = *registries[_i].count;
	char *src = g_strdup_printf("tcp a b\n%sbogus_%s%s\n", registries[_i].prefix,
	    registries[_i].what, registries[_i].suffix);
	GString *known = g_string_new(NULL);
	char *msg, *want, *what;

	for (int i = 0; i < n; i++)
		g_string_append_printf(known, "%s%s", i ? ", " : "", registries[_i].name_at(i));
	what = g_strdup_printf("unknown %s 'bogus_%s' (known: %s)", registries[_i].what,
	    registries[_i].what, known->str);
	msg = parse_err(src);
	want = expected_message(src, 2, (int)strlen(registries[_i].prefix) + 1, what);
	ck_assert_str_eq(msg, want);
	/* the name the old lists lacked is listed */
	ck_assert_ptr_nonnull(strstr(msg, registries[_i].must));
	g_free(msg);
	g_free(want);
	g_free(what);
	g_free(src);
	g_string_free(known, TRUE);
}
END_TEST

START_TEST(test_expects)
{
	Scenario *s = parse_ok(
	    "tcp a b\n"
	    "expect deadlock\n"
	    "expect no-deadlock\n"
	    "expect violation none\n"
	    "expect violation SBLASTRECORDCHK\n"
	    "expect violation mbuf-leak\n"
	    "expect a.rcv.cc == 0\n"
	    "expect b.snd.records != 3\n"
	    "expect a.rcv.hiwat < 64K\n"
	    "expect b.error == ECONNRESET\n"
	    "expect b.error == 0\n"
	    "expect a.dropped >= 1\n"
	    "expect time <= 5s\n"
	    "expect time > 200ms\n"
	    "expect share sbappend >= 30%\n"
	    "expect share soreceive < 0.5%\n"
	    "expect share tcp_output == 33.335%\n"
	    "expect share somove <= 100%\n"
	    "expect stat persist_probes > 2\n"
	    "expect delivered b == 4K\n");
	const ScnExpect *e = s->expects;

	ck_assert_int_eq(s->nexpects, 19);
	ck_assert_int_eq(e[0].kind, SCN_EXP_DEADLOCK);
	ck_assert(!e[0].negate);
	ck_assert(e[1].negate);
	ck_assert_int_eq(e[2].kind, SCN_EXP_VIOLATION);
	ck_assert_str_eq(e[2].name, "none");
	ck_assert_str_eq(e[3].name, "SBLASTRECORDCHK");
	ck_assert_str_eq(e[4].name, "mbuf-leak");

	ck_assert_int_eq(e[5].kind, SCN_EXP_FIELD);
	ck_assert_str_eq(e[5].name, "rcv.cc");
	ck_assert_int_eq(e[5].sock, 0);
	ck_assert_int_eq(e[5].cmp, SCN_CMP_EQ);
	ck_assert_int_eq(e[5].value, 0);
	ck_assert_str_eq(e[6].name, "snd.records");
	ck_assert_int_eq(e[6].sock, 1);
	ck_assert_int_eq(e[6].cmp, SCN_CMP_NE);
	ck_assert_int_eq(e[6].value, 3);
	ck_assert_int_eq(e[7].cmp, SCN_CMP_LT);
	ck_assert_int_eq(e[7].value, 65536);
	ck_assert_str_eq(e[8].name, "error");
	ck_assert_int_eq(e[8].value, K_ECONNRESET);
	ck_assert_int_eq(e[9].value, 0);
	ck_assert_str_eq(e[10].name, "dropped");
	ck_assert_int_eq(e[10].cmp, SCN_CMP_GE);

	ck_assert_int_eq(e[11].kind, SCN_EXP_TIME);
	ck_assert_int_eq(e[11].cmp, SCN_CMP_LE);
	ck_assert_int_eq(e[11].value, 5 * SEC);
	ck_assert_int_eq(e[11].sock, -1);
	ck_assert_int_eq(e[12].cmp, SCN_CMP_GT);

	ck_assert_int_eq(e[13].kind, SCN_EXP_SHARE);
	ck_assert_str_eq(e[13].name, "sbappend");
	ck_assert_int_eq(e[13].value, 3000);
	ck_assert_int_eq(e[14].value, 50);
	ck_assert_int_eq(e[15].value, 3334);	/* 3333.5 basis points, rounded */
	ck_assert_int_eq(e[16].value, 10000);

	ck_assert_int_eq(e[17].kind, SCN_EXP_STAT);
	ck_assert_str_eq(e[17].name, "persist_probes");
	ck_assert_int_eq(e[17].value, 2);

	ck_assert_int_eq(e[18].kind, SCN_EXP_DELIVERED);
	ck_assert_int_eq(e[18].sock, 1);
	ck_assert_int_eq(e[18].value, 4096);
	ck_assert_str_eq(e[18].text, "delivered b == 4K");
	scenario_free(s);
}
END_TEST

START_TEST(test_description)
{
	Scenario *s;

	s = parse_ok("\n\n#   Indented title  \n#no space\n#\n# last\n\n# not this one\ntcp a b\n");
	ck_assert_str_eq(s->description, "  Indented title\nno space\n\nlast");
	scenario_free(s);

	s = parse_ok("tcp a b\n# after a statement: not a description\n");
	ck_assert_ptr_null(s->description);
	scenario_free(s);

	s = parse_ok("# only\n#\n#\n");
	ck_assert_str_eq(s->description, "only");
	scenario_free(s);

	/* bytes that are not UTF-8 are fine in comments, and cleaned up here */
	s = parse_ok("# caf\xc3\xa9 \xff\ntcp a b # \xfe\x01\n");
	ck_assert(g_utf8_validate(s->description, -1, NULL));
	ck_assert(g_str_has_prefix(s->description, "caf\xc3\xa9 "));
	scenario_free(s);
}
END_TEST

START_TEST(test_line_endings)
{
	Scenario *s = parse_ok("tcp a b\r\nthread w:\r\n\tsend a 1 => 1\r\n\r\nexpect deadlock");

	ck_assert_int_eq(s->threads[0].nops, 1);
	ck_assert_str_eq(s->threads[0].ops[0].text, "send a 1 => 1");
	ck_assert_int_eq(s->nexpects, 1);
	scenario_free(s);
}
END_TEST

/* Errors: src, where, and the message. */

static const struct {
	const char *src;
	int line, col;
	const char *msg;
} errors[] = {
	/* top level */
	{ "profile netbsd-3.0\n", 1, 9,
	    "unknown profile 'netbsd-3.0' (known: netbsd-1.6, netbsd-2.0, freebsd-9.1, openbsd-7.5, openbsd-7.6, netbsd-2005-splice)" },
	{ "profile netbsd-2.0\nprofile netbsd-1.6\n", 2, 1, "profile given twice (first at line 1)" },
	{ "profile\n", 1, 8, "expected NAME after 'profile'" },
	{ "profile netbsd-2.0 extra\n", 1, 20, "unexpected 'extra'" },
	{ "quirk nope\n", 1, 7,
	    "unknown quirk 'nope' (known: waitall-peek-hang, waitall-no-rcvd, sbappend-walk, udp-close-skip-unsplice, splice-dup-alloc, splice-sblock-leak, splice-kcont-uaf, waitall-rcvd-window)" },
	{ "quirk sbappend-walk maybe\n", 1, 21, "expected 'on' or 'off', not 'maybe'" },
	{ "seed x1\n", 1, 6, "invalid seed 'x1' (expected a number)" },
	{ "seed 99999999999999999999\n", 1, 6, "seed '99999999999999999999' is too large" },
	{ "seed\n", 1, 5, "expected N after 'seed'" },
	{ "limit foo 1\n", 1, 7, "unknown limit 'foo' (known: steps, mbufs, bytes, time)" },
	{ "limit\n", 1, 6, "expected steps, mbufs, bytes or time after 'limit'" },
	{ "limit steps\n", 1, 12, "expected N after 'limit steps'" },
	{ "limit steps 1 2\n", 1, 15, "unexpected '2'" },
	{ "limit time 10\n", 1, 12, "duration needs a unit (ns, us, ms, s)" },
	{ "limit time 2000000s\n", 1, 12, "duration '2000000s' is too large (max 1000000s)" },
	{ "limit time 1000000001ms\n", 1, 12, "duration '1000000001ms' is too large (max 1000000s)" },
	{ "limit time 99999999999999999999999ns\n", 1, 12,
	    "duration '99999999999999999999999ns' is too large (max 1000000s)" },
	{ "limit time -1s\n", 1, 12, "duration '-1s' is negative" },
	{ "limit time 5min\n", 1, 12,
	    "invalid duration '5min' (expected a number with a unit: ns, us, ms or s)" },
	{ "limit bytes 1048577G\n", 1, 13, "size '1048577G' is too large (max 2^50)" },
	{ "limit bytes 1125899906842625\n", 1, 13, "size '1125899906842625' is too large (max 2^50)" },
	{ "limit bytes -1\n", 1, 13, "size '-1' is negative" },
	{ "limit bytes 10k\n", 1, 13,
	    "invalid size '10k' (expected a number with an optional K, M, G, KiB, MiB or GiB)" },
	{ "limit mbufs lots\n", 1, 13,
	    "invalid number 'lots' (expected a number with an optional K, M, G, KiB, MiB or GiB)" },
	{ "sysctl kern.foo=1\n", 1, 8, "unknown sysctl 'kern.foo' (known: kern.sbmax)" },
	{ "sysctl kern.sbmax=\n", 1, 19, "expected SIZE after 'kern.sbmax='" },
	{ "frobnicate\n", 1, 1, "unknown statement 'frobnicate' (known: profile, quirk, seed, "
	    "limit, sysctl, tcp, udp, thread, at, schedule, expect, explore)" },
	{ "TCP a b\n", 1, 1, "unknown statement 'TCP' (known: profile, quirk, seed, limit, "
	    "sysctl, tcp, udp, thread, at, schedule, expect, explore)" },
	{ "send a 1\n", 1, 1, "'send' is an operation; indent it under a 'thread NAME:' line" },
	{ "tcp a b ; udp u\n", 1, 9, "unexpected ';'" },
	{ "tcp a b 4096\n", 1, 9, "unexpected '4096'" },
	{ "udp u 1.2.3.4:5 6.7.8.9:10\n", 1, 17, "unexpected '6.7.8.9:10'" },

	/* sockets */
	{ "tcp a b listen\n", 1, 9, "a listening socket is declared alone: tcp NAME listen" },
	{ "tcp a a\n", 1, 7, "'a' is already a socket (line 1)" },
	{ "tcp a b\nudp b\n", 2, 5, "'b' is already a socket (line 1)" },
	{ "tcp 1a b\n", 1, 5,
	    "invalid socket name '1a' (letters, digits and '_', not starting with a digit)" },
	{ "tcp a b-c\n", 1, 7,
	    "invalid socket name 'b-c' (letters, digits and '_', not starting with a digit)" },
	{ "tcp abcdefghijklmnopqrstuvwxyz b\n", 1, 5,
	    "socket name 'abcdefghijklmnopqrstuvwxyz' is too long (max 23 characters)" },
	{ "tcp softnet b\n", 1, 5, "'softnet' is a reserved name" },
	{ "tcp a any\n", 1, 7, "'any' is a reserved name" },
	{ "udp all\n", 1, 5, "'all' is a reserved name" },
	{ "tcp a b rcvbuf=10X\n", 1, 16,
	    "invalid size '10X' (expected a number with an optional K, M, G, KiB, MiB or GiB)" },
	{ "tcp a b c.rcvbuf=1\n", 1, 9, "'c' is not a socket declared here" },
	{ "tcp a b colour=red\n", 1, 9, "unknown option 'colour' (known: rcvbuf, sndbuf, "
	    "rcvlowat, sndlowat, rcvtimeo, sndtimeo, nonblock, oobinline, linger, mss, delay, listen, loopback)" },
	{ "tcp a b a.colour\n", 1, 11, "unknown option 'colour' (known: rcvbuf, sndbuf, "
	    "rcvlowat, sndlowat, rcvtimeo, sndtimeo, nonblock, oobinline, linger, mss, delay, listen, loopback)" },
	{ "tcp a b rcvbuf\n", 1, 15, "option 'rcvbuf' needs a value (rcvbuf=SIZE)" },
	{ "tcp a b rcvbuf=\n", 1, 16, "expected SIZE after 'rcvbuf='" },
	{ "tcp a b b.nonblock=2\n", 1, 20, "'nonblock' takes 0 or 1, not '2'" },
	{ "tcp a b rcvtimeo=5\n", 1, 18, "duration needs a unit (ns, us, ms, s)" },
	{ "udp u mss=100\n", 1, 7, "'mss' applies to TCP sockets only" },
	{ "tcp a b mss=1 b.mss=0\n", 1, 21, "mss must be at least 1" },
	{ "udp u u.delay=1ms\n", 1, 9, "'delay' applies to TCP sockets only" },
	{ "udp u 1.2.3:4\n", 1, 7, "invalid address '1.2.3:4' (expected A.B.C.D:PORT)" },
	{ "udp u 1.2.3.256:4\n", 1, 7, "invalid address '1.2.3.256:4' (expected A.B.C.D:PORT)" },
	{ "udp u 1.2.3.4:65536\n", 1, 7, "invalid address '1.2.3.4:65536' (expected A.B.C.D:PORT)" },
	{ "udp u 1.2.3.4\n", 1, 7, "invalid address '1.2.3.4' (expected A.B.C.D:PORT)" },
	{ "tcp a b\nudp u connect=a\n", 2, 15, "connect needs a UDP socket; 'a' is TCP" },
	{ "udp u connect=v\n", 1, 15, "unknown socket 'v'" },
	{ "udp u connect=\n", 1, 15, "expected SOCKET after 'connect='" },
	{ "udp u\nudp v 10.0.0.1:5001\n", 2, 7, "address 10.0.0.1:5001 is already used by 'u'" },
	{ "udp u 10.0.0.2:5002\nudp v\n", 2, 5,
	    "default address 10.0.0.2:5002 is already used by 'u'" },

	/* threads */
	{ "\tsend a 1\n", 1, 2, "operation outside a thread" },
	{ "tcp a b\n    send a 1\n", 2, 5, "operation outside a thread" },
	{ "tcp a b\nthread w:\n\tsend a 1\nexpect deadlock\n\tsend a 1\n", 5, 2,
	    "operation outside a thread: the statement at line 4 ended thread 'w'" },
	{ "thread w:\n\tsleep 1ms\nthread v: sleep 1ms\ntcp a b\n\n# c\n\tsend a 1\n", 7, 2,
	    "operation outside a thread: the statement at line 4 ended thread 'v'" },
	/* an indented statement after another statement */
	{ "tcp a b\nexpect deadlock\n\texpect no-deadlock\n", 3, 2,
	    "'expect' is a statement, not an operation; statements start at column 1" },
	{ "  tcp a b\n", 1, 3, "'tcp' is a statement, not an operation; statements start at column 1" },
	{ "thread w\n", 1, 9, "expected ':' after 'thread w'" },
	{ "thread w x:\n", 1, 9, "expected ':' after 'thread w'" },
	{ "thread\n", 1, 7, "expected NAME after 'thread'" },
	{ "thread :\n", 1, 8,
	    "invalid thread name '' (letters, digits and '_', not starting with a digit)" },
	{ "thread w:\nthread w:\n", 2, 8, "'w' is already a thread (line 1)" },
	{ "tcp a b\nthread a:\n", 2, 8, "'a' is already a socket (line 1)" },
	{ "thread w:\ntcp a w\n", 2, 7, "'w' is already a thread (line 1)" },
	{ "thread softnet:\n", 1, 8, "'softnet' is a reserved name" },

	/* operations */
	{ "tcp a b\nthread w:\n\tsend\n", 3, 6, "expected SOCKET after 'send'" },
	{ "tcp a b\nthread w:\n\tsend a\n", 3, 8, "expected LEN after 'send a'" },
	{ "tcp a b\nthread w:\n\tsend a   # no length\n", 3, 8, "expected LEN after 'send a'" },
	{ "tcp a b\nthread w:\n\tsend c 1\n", 3, 7, "unknown socket 'c'" },
	{ "tcp a b\nthread w:\n\tsend w 1\n", 3, 7, "unknown socket 'w'" },
	{ "tcp a b\nthread w:\n\tsend a 1 waitall\n", 3, 11,
	    "unexpected 'waitall' (flags are written in capitals: WAITALL)" },
	{ "tcp a b\nthread w:\n\tsend a 1 EOR EOR\n", 3, 15, "unexpected 'EOR'" },
	{ "tcp a b\nthread w:\n\trecv a 1 WAITALL|FOO\n", 3, 19,
	    "unknown flag 'FOO' (known: WAITALL, PEEK, DONTWAIT, OOB, EOR, TRUNC, DONTROUTE)" },
	{ "tcp a b\nthread w:\n\trecv a 1 MSG_\n", 3, 11,
	    "unknown flag 'MSG_' (known: WAITALL, PEEK, DONTWAIT, OOB, EOR, TRUNC, DONTROUTE)" },
	{ "tcp a b\nthread w:\n\trecv a 1 WAITALL|\n", 3, 19, "expected a flag name" },
	{ "tcp a b\nthread w:\n\trecv a 1 PEEK||OOB\n", 3, 16, "expected a flag name" },
	{ "tcp a b\nthread w:\n\trecv a 1 CTRUNC\n", 3, 11, "unknown flag 'CTRUNC' "
	    "(known: WAITALL, PEEK, DONTWAIT, OOB, EOR, TRUNC, DONTROUTE)" },
	{ "tcp a b\nthread w:\n\trecv a 1 => 1 TRUNC|PEEK\n", 3, 22,
	    "PEEK is not a result flag (known: TRUNC, EOR, OOB)" },
	{ "tcp a b\nthread w:\n\trecv a 1 => 1 CTRUNC\n", 3, 16,
	    "unknown flag 'CTRUNC' (known: TRUNC, EOR, OOB)" },
	{ "tcp a b\nthread w:\n\trecv a 1 EWOULDBLOCK\n", 3, 11,
	    "unknown flag 'EWOULDBLOCK' (an expected error goes after '=>')" },
	/* an errno after the flags, or where no flags go: the arrow was forgotten */
	{ "tcp a b\nthread w:\n\trecv a 1 DONTWAIT EWOULDBLOCK\n", 3, 20,
	    "unexpected 'EWOULDBLOCK' (an expected error goes after '=>')" },
	{ "tcp a b\nthread w:\n\tsend a 1 EOR EPIPE|ECONNRESET\n", 3, 15,
	    "unexpected 'EPIPE|ECONNRESET' (an expected error goes after '=>')" },
	{ "tcp a b\nthread w:\n\tclose a EBADF\n", 3, 10,
	    "unexpected 'EBADF' (an expected error goes after '=>')" },
	{ "tcp a b\nthread w:\n\tsend a 1 => EPIPE EINTR\n", 3, 20, "unexpected 'EINTR'" },
	{ "tcp a b\nthread w:\n\trecv a 1 EWOULDBLOCK_IS_LONGER_THAN_ANY_ERRNO_NAME_EVER\n", 3, 11,
	    "unknown flag 'EWOULDBLOCK_IS_LONGER_THAN_ANY_ERRNO_NAM...' (known: WAITALL, PEEK, DONTWAIT, OOB, EOR, TRUNC, DONTROUTE)" },
	/* flags in lowercase, or not all capitals */
	{ "tcp a b\nthread w:\n\trecv a 1 waitall\n", 3, 11,
	    "unexpected 'waitall' (flags are written in capitals: WAITALL)" },
	{ "tcp a b\nthread w:\n\tsend a 1 msg_eor|dontwait control=1\n", 3, 11,
	    "unexpected 'msg_eor|dontwait' (flags are written in capitals: MSG_EOR|DONTWAIT)" },
	{ "udp u\nthread w:\n\tsendto u u 1 dontroute\n", 3, 15,
	    "unexpected 'dontroute' (flags are written in capitals: DONTROUTE)" },
	{ "tcp a b\nthread w:\n\tcopy a b 1 peek\n", 3, 13,
	    "unexpected 'peek' (flags are written in capitals: PEEK)" },
	{ "tcp a b\nthread w:\n\trecv a 1 => 1 trunc|eor\n", 3, 16,
	    "unexpected 'trunc|eor' (flags are written in capitals: TRUNC|EOR)" },
	{ "tcp a b\nthread w:\n\trecv a 1 Waitall\n", 3, 11,
	    "unknown flag 'Waitall' (flags are written in capitals: WAITALL)" },
	{ "tcp a b\nthread w:\n\trecv a 1 => 1 Trunc\n", 3, 16,
	    "unknown flag 'Trunc' (flags are written in capitals: TRUNC)" },
	/* no hint where it would not help: not flags, flags given, not a result flag, no flags taken */
	{ "tcp a b\nthread w:\n\trecv a 1 => 1 peek\n", 3, 16, "unexpected 'peek'" },
	{ "tcp a b\nthread w:\n\trecv a 1 => 1 Peek\n", 3, 16,
	    "unknown flag 'Peek' (known: TRUNC, EOR, OOB)" },
	{ "tcp a b\nthread w:\n\trecv a 1 PEEK waitall\n", 3, 16, "unexpected 'waitall'" },
	{ "tcp a b\nthread w:\n\trecv a 1 waitall|soon\n", 3, 11, "unexpected 'waitall|soon'" },
	{ "tcp a b\nthread w:\n\trecv a 1 => 1 - trunc\n", 3, 18, "unexpected 'trunc'" },
	{ "tcp a b\nthread w:\n\tclose a waitall\n", 3, 10, "unexpected 'waitall'" },
	{ "tcp a b\nthread w:\n\trecv a 1 => EPIPE trunc\n", 3, 20, "unexpected 'trunc'" },
	{ "tcp a b\nthread w:\n\trecv a 1 control=1\n", 3, 11, "unexpected 'control=1'" },
	{ "tcp a b\nthread w:\n\trecv a 1 => 1 WAITALL\n", 3, 16,
	    "WAITALL is not a result flag (known: TRUNC, EOR, OOB)" },
	{ "tcp a b\nthread w:\n\trecv a 1 => EFOO\n", 3, 14, "unknown errno 'EFOO'" },
	{ "tcp a b\nthread w:\n\trecv a 1 => foo\n", 3, 14,
	    "expected a byte count, a comparison or an errno name, not 'foo'" },
	{ "tcp a b\nthread w:\n\trecv a 1 =>\n", 3, 13, "expected RESULT after 'recv a 1 =>'" },
	{ "tcp a b\nthread w:\n\trecv a 1 => >= x\n", 3, 17, "expected a byte count after '>=', not 'x'" },
	{ "tcp a b\nthread w:\n\trecv a 1 => EPIPE|EFOO\n", 3, 20, "unknown errno 'EFOO'" },
	{ "tcp a b\nthread w:\n\trecv a 1 => EPIPE|\n", 3, 20, "expected an errno name" },
	{ "tcp a b\nthread w:\n\trepeat 0 send a 1\n", 3, 9, "repeat needs a count of 1 or more" },
	{ "tcp a b\nthread w:\n\trepeat 3\n", 3, 10, "expected an operation after 'repeat 3'" },
	{ "udp a connect=zz\nthread w: send a 1\n", 1, 15, "unknown socket 'zz'" },
	{ "tcp a b\nthread w:\n\tpoll a sideways\n", 3, 9, "expected readable or writable, not 'sideways'" },
	{ "tcp a b\nexpect b.state has SS_BOGUS\n", 2, 20, "unknown so_state bit 'SS_BOGUS' (known: "
	    "SS_NOFDREF, SS_ISCONNECTED, SS_ISCONNECTING, SS_ISDISCONNECTING, SS_CANTSENDMORE, "
	    "SS_CANTRCVMORE, SS_RCVATMARK, SS_NBIO, SS_ASYNC, SS_ISCONFIRMING, SS_MORETOCOME)" },
	{ "tcp a b\nexpect b.state is SS_NBIO\n", 2, 16, "expected has or lacks, not 'is'" },
	{ "tcp a b\nthread r: recv b 1\nexpect r sleeps on b.foo\n", 3, 20,
	    "expected SOCKET.rcv or SOCKET.snd, not 'b.foo'" },
	{ "tcp a b\nthread r: recv b 1\nexpect r dozes\n", 3, 10, "expected 'sleeps', not 'dozes'" },
	{ "tcp a b\nexpect leaked sockets == 0\n", 2, 15, "expected mbufs or kmem, not 'sockets'" },
	{ "tcp a b\nthread w:\n\tpoll a readable timeout=0s\n", 3, 26,
	    "a poll timeout must be more than 0 (leave it out to wait forever)" },
	{ "tcp a b\nthread w:\n\tcopy a b\n", 3, 10, "expected LEN after 'copy a b'" },
	{ "udp a connect=b\ntcp b c\nthread w: send a 1\n", 1, 15, "connect needs a UDP socket; 'b' is TCP" },
	{ "tcp a b\nthread w:\n\trecv a 1 =>1\n", 3, 13, "expected a space after '=>'" },
	{ "tcp a b\nthread w:\n\trecv a 1 => 1 =>\n", 3, 16, "unexpected '=>'" },
	{ "tcp a b\nthread w:\n\trecv a 1 => EINTR 5\n", 3, 20, "unexpected '5'" },
	{ "tcp a b\nthread w:\n\trecv a 1 => -1\n", 3, 14, "size '-1' is negative" },
	{ "tcp a b\nthread w:\n\tsend a 1 control=\n", 3, 19, "expected N after 'control='" },
	{ "tcp a b\nthread w:\n\tsend a 1 control=3000000000\n", 3, 19,
	    "size '3000000000' is too large (max 2147483647)" },
	{ "tcp a b\nthread w:\n\tsend a 1 control=1 control=2\n", 3, 21, "unexpected 'control=2'" },
	{ "tcp a b\nthread w:\n\tsleep 10\n", 3, 8, "duration needs a unit (ns, us, ms, s)" },
	{ "tcp a b\nthread w:\n\tsleep\n", 3, 7, "expected DURATION after 'sleep'" },
	{ "tcp a b\nthread w:\n\tsleep 1ms => 0\n", 3, 12, "sleep has no result to check" },
	{ "tcp a b\nthread w:\n\tshutdown a up\n", 3, 13,
	    "unknown shutdown direction 'up' (known: rd, wr, rdwr)" },
	{ "tcp a b\nthread w:\n\tshutdown a\n", 3, 12, "expected rd, wr or rdwr after 'shutdown a'" },
	{ "tcp a b\nthread w:\n\tclose a b\n", 3, 10, "unexpected 'b'" },
	{ "tcp a b\nthread w:\n\tsetsockopt a mss=10\n", 3, 15,
	    "'mss' can only be set where the socket is declared" },
	{ "tcp a b\nthread w:\n\tsetsockopt a delay=1ms\n", 3, 15,
	    "'delay' can only be set where the socket is declared" },
	{ "tcp a b\nthread w:\n\tsetsockopt a\n", 3, 14, "expected OPTION=VALUE after 'setsockopt a'" },
	{ "tcp a b\nthread w:\n\tsetsockopt a rcvbuf=1 sndbuf=1\n", 3, 24, "unexpected 'sndbuf=1'" },
	{ "udp u\nthread w:\n\tkttcp send u 1\n", 3, 13, "kttcp needs a TCP socket; 'u' is UDP" },
	{ "tcp a b\nthread w:\n\tkttcp push a 1\n", 3, 8, "expected 'send' or 'recv', not 'push'" },
	{ "tcp a b\nthread w:\n\tkttcp\n", 3, 7, "expected 'send' or 'recv' after 'kttcp'" },
	{ "tcp a b\nthread w:\n\tkttcp recv a\n", 3, 14, "expected LEN after 'kttcp recv a'" },
	{ "tcp a b\nudp u\nthread w:\n\tsendto a u 1\n", 4, 9, "sendto needs a UDP socket; 'a' is TCP" },
	{ "tcp a b\nudp u\nthread w:\n\tsendto u b 1\n", 4, 11,
	    "sendto needs a UDP socket; 'b' is TCP" },
	{ "udp u\nthread w:\n\tsendto u\n", 3, 10, "expected DEST after 'sendto u'" },
	{ "tcp a b\nthread w:\n\texpect deadlock\n", 3, 2,
	    "'expect' is a statement, not an operation; statements start at column 1" },
	{ "tcp a b\nthread w:\n\tfrob\n", 3, 2, "unknown operation 'frob' (known: send, sendto, "
	    "recv, recvfrom, shutdown, close, setsockopt, kttcp, sleep, upcall, waitupcall, splice, unsplice, getsplice, soerror, sys_splice, copy, poll, sockatmark)" },
	{ "tcp a b\nthread w: send a 1 ; recv a\n", 2, 28, "expected LEN after 'recv a'" },
	{ "tcp a b\nthread w:send a x\n", 2, 17,
	    "invalid size 'x' (expected a number with an optional K, M, G, KiB, MiB or GiB)" },
	{ "tcp a b\nthread w:\n\t \tsend c 1\n", 3, 9, "unknown socket 'c'" },

	/* events */
	{ "at\n", 1, 3, "expected TIME after 'at'" },
	{ "at 1ms\n", 1, 7, "expected EVENT (datagram, fin, rst, unreachable or signal) after 'at 1ms'" },
	{ "tcp a b\nat 1 fin a\n", 2, 4, "duration needs a unit (ns, us, ms, s)" },
	{ "at 1ms boom\n", 1, 8, "unknown event 'boom' (known: datagram, fin, rst, unreachable, signal)" },
	{ "tcp a b\nat 1ms datagram a from 1.2.3.4:5 len 1\n", 2, 17,
	    "datagram needs a UDP socket; 'a' is TCP" },
	{ "udp u\nat 1ms datagram u to 1.2.3.4:5 len 1\n", 2, 19, "expected 'from', not 'to'" },
	{ "udp u\nat 1ms datagram u from\n", 2, 23, "expected ADDR after 'at 1ms datagram u from'" },
	{ "udp u\nat 1ms datagram u from 1.2.3.4:5\n", 2, 33,
	    "expected 'len' after 'at 1ms datagram u from 1.2.3.4:5'" },
	{ "udp u\nat 1ms datagram u from 1.2.3.4:5 len 1 control\n", 2, 47,
	    "expected N after 'at 1ms datagram u from 1.2.3.4:5 len 1 control'" },
	{ "udp sock_with_long_name\nat 1000000ns datagram sock_with_long_name from 10.20.30.40:5000 len\n",
	    2, 68, "expected SIZE after '...sock_with_long_name from 10.20.30.40:5000 len'" },
	{ "udp u\nat 1ms datagram u from 1.2.3.4:5 len 1 ctl 1\n", 2, 40, "unexpected 'ctl'" },
	{ "udp u\nat 1ms fin u\n", 2, 12, "fin needs a TCP socket; 'u' is UDP" },
	{ "udp u\nat 1ms rst u\n", 2, 12, "rst needs a TCP socket; 'u' is UDP" },
	{ "at 1ms rst\n", 1, 11, "expected SOCKET after 'at 1ms rst'" },
	{ "at 1ms signal w\n", 1, 15, "unknown thread 'w'" },
	{ "at 1ms signal 9w\n", 1, 15, "unknown thread '9w'" },
	{ "tcp a b\nat 1ms signal a\n", 2, 15, "'a' is a socket, not a thread" },
	/* a thread that is never declared is found at the end, but shown where used */
	{ "at 1ms signal zz\nthread w:\n\tsleep 1ms\n", 1, 15, "unknown thread 'zz'" },

	/* schedule */
	{ "schedule\n", 1, 9, "expected THREAD after 'schedule'" },
	{ "thread w:\nschedule w\nschedule w\n", 3, 1, "schedule given twice (first at line 2)" },
	{ "schedule w bogus\nthread w:\n", 1, 12, "unknown thread 'bogus'" },
	/* STEP:THREAD: the engine's text form, as --schedule takes it */
	{ "thread w:\nschedule 3:w 2:w\n", 2, 14, "step 2 does not come after the one before" },
	{ "thread w:\nschedule 3:w,3:w\n", 2, 14, "step 3 does not come after the one before" },
	{ "thread w:\nschedule 0:w\n", 2, 10, "'0' is not a step number (from 1)" },
	{ "thread w:\nschedule x:w\n", 2, 10, "'x' is not a step number (from 1)" },
	{ "thread w:\nschedule 3:\n", 2, 10, "expected STEP:THREAD, not '3:'" },
	{ "thread w:\nschedule 3:w,\n", 2, 14, "expected STEP:THREAD" },
	{ "thread w:\nschedule 3:w,,4:w\n", 2, 14, "expected STEP:THREAD" },
	{ "thread w:\nschedule 3:w,w\n", 2, 14, "expected STEP:THREAD, not 'w'" },
	{ "thread w:\nschedule 3:w 5:zz\n", 2, 16,
	    "unknown thread 'zz' (STEP:THREAD entries name threads declared above)" },
	{ "schedule 3:w\nthread w:\n", 1, 12,
	    "unknown thread 'w' (STEP:THREAD entries name threads declared above)" },
	{ "tcp a b\nschedule 3:a\n", 2, 12, "'a' is a socket, not a thread" },
	{ "thread w:\nschedule 3:w w\n", 2, 14,
	    "a schedule is either thread names or STEP:THREAD entries, not both" },
	{ "thread w:\nschedule w 3:w\n", 2, 12,
	    "a schedule is either thread names or STEP:THREAD entries, not both" },
	{ "thread w:\nschedule 3:w ; 4:w\n", 2, 14,
	    "a schedule is either thread names or STEP:THREAD entries, not both" },
	/* the kernel threads schedules name are reserved */
	{ "thread sosplice:\n", 1, 8, "'sosplice' is a reserved name" },
	{ "tcp softclock b\n", 1, 5, "'softclock' is a reserved name" },

	/* expectations */
	{ "expect\n", 1, 7, "expected deadlock, no-deadlock, violation, time, share, stat, "
	    "delivered or SOCKET.FIELD after 'expect'" },
	{ "expect livelock\n", 1, 8, "unknown expectation 'livelock' (known: deadlock, "
	    "no-deadlock, violation, time, share, stat, delivered, leaked, SOCKET.FIELD, SOCKET.state, "
	    "THREAD sleeps)" },
	{ "expect deadlock now\n", 1, 17, "unexpected 'now'" },
	{ "expect violation\n", 1, 17, "expected NAME or none after 'expect violation'" },
	{ "expect time\n", 1, 12, "expected a comparison (==, !=, <, <=, >, >=) after 'expect time'" },
	{ "expect time = 5s\n", 1, 13, "unknown comparison '=' (known: ==, !=, <, <=, >, >=)" },
	{ "expect time >= 5\n", 1, 16, "duration needs a unit (ns, us, ms, s)" },
	{ "expect time >=\n", 1, 15, "expected DURATION after 'expect time >='" },
	{ "expect share\n", 1, 13, "expected ROUTINE after 'expect share'" },
	{ "expect share kttcp >= 5\n", 1, 23,
	    "invalid percentage '5' (expected a number and '%', like 30% or 0.5%)" },
	{ "expect share kttcp >= 5.%\n", 1, 23,
	    "invalid percentage '5.%' (expected a number and '%', like 30% or 0.5%)" },
	{ "expect share kttcp >= 100.1%\n", 1, 23, "percentage '100.1%' is too large (max 100%)" },
	{ "expect share kttcp >= 99999999999999999999%\n", 1, 23,
	    "percentage '99999999999999999999%' is too large (max 100%)" },
	{ "expect stat\n", 1, 12, "expected COUNTER after 'expect stat'" },
	{ "expect stat acks > x\n", 1, 20,
	    "invalid number 'x' (expected a number with an optional K, M, G, KiB, MiB or GiB)" },
	{ "expect delivered z == 1\n", 1, 18, "unknown socket 'z'" },
	/* the socket left out */
	{ "tcp a b\nexpect delivered == 10\n", 2, 18, "expected SOCKET before '==' (expect delivered "
	    "SOCKET == N: the bytes programs read from SOCKET)" },
	{ "tcp a b\nexpect delivered >= 1K\n", 2, 18, "expected SOCKET before '>=' (expect delivered "
	    "SOCKET >= N: the bytes programs read from SOCKET)" },
	{ "tcp a b\nexpect delivered 10\n", 2, 18, "expected SOCKET before '10' (expect delivered "
	    "SOCKET == N: the bytes programs read from SOCKET)" },
	{ "tcp a b\nexpect delivered\n", 2, 17, "expected SOCKET after 'expect delivered'" },
	{ "tcp a b\nexpect c.rcv.cc == 0\n", 2, 8, "unknown socket 'c'" },
	{ "tcp a b\nexpect .rcv.cc == 0\n", 2, 8, "unknown socket ''" },
	{ "tcp a b\nexpect a.rcv.foo == 0\n", 2, 10, "unknown field 'rcv.foo' (known: rcv.cc, "
	    "rcv.mbcnt, rcv.hiwat, rcv.mbmax, rcv.lowat, rcv.mbufs, rcv.records, snd.cc, snd.mbcnt, "
	    "snd.hiwat, snd.mbmax, snd.lowat, snd.mbufs, snd.records, error, dropped, peeked)" },
	{ "tcp a b\nexpect a.error == EFOO\n", 2, 19, "expected an errno name or 0, not 'EFOO'" },
	{ "tcp a b\nexpect a.error ==\n", 2, 18,
	    "expected an errno name or 0 after 'expect a.error =='" },
	{ "tcp a b\nexpect a.rcv.cc == 0 extra\n", 2, 22, "unexpected 'extra'" },

	{ "tcp a b\nexpect aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.rcv.cc == 0\n", 2, 8,
	    "unknown socket 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'" },
	{ "tcp a b\nexpect b.state\n", 2, 15, "expected has or lacks after 'expect b.state'" },
	{ "tcp a b\nexpect b.state has\n", 2, 19, "expected SS_NAME after 'expect b.state has'" },
	{ "tcp a b\nexpect z.state has SS_NBIO\n", 2, 8, "unknown socket 'z'" },
	{ "tcp a b\nthread r: recv b 1\nexpect r sleeps on\n", 3, 19,
	    "expected SOCKET.rcv or SOCKET.snd after 'expect r sleeps on'" },
	{ "tcp a b\nthread r: recv b 1\nexpect r sleeps at b.rcv\n", 3, 17, "expected 'on', not 'at'" },
	{ "tcp a b\nthread r: recv b 1\nexpect r sleeps on b\n", 3, 20,
	    "expected SOCKET.rcv or SOCKET.snd, not 'b'" },
	{ "tcp a b\nthread r: recv b 1\nexpect r sleeps on z.snd\n", 3, 20, "unknown socket 'z'" },
	{ "tcp a b\nthread r: recv b 1\nexpect r sleeps on b.snd now\n", 3, 26, "unexpected 'now'" },
	{ "expect always\n", 1, 14, "expected deadlock, no-deadlock, violation, time, share, stat, "
	    "delivered or SOCKET.FIELD after 'expect always'" },
	{ "expect leaked\n", 1, 14, "expected mbufs or kmem after 'expect leaked'" },
	{ "expect leaked kmem = 0\n", 1, 20, "unknown comparison '=' (known: ==, !=, <, <=, >, >=)" },
	{ "expect leaked kmem == none\n", 1, 23,
	    "invalid number 'none' (expected a number with an optional K, M, G, KiB, MiB or GiB)" },
	{ "expect share kttcp >= abc%\n", 1, 23,
	    "invalid percentage 'abc%' (expected a number and '%', like 30% or 0.5%)" },

	/* values */
	{ "limit bytes -x\n", 1, 13,
	    "invalid size '-x' (expected a number with an optional K, M, G, KiB, MiB or GiB)" },
	{ "limit time -x\n", 1, 12,
	    "invalid duration '-x' (expected a number with a unit: ns, us, ms or s)" },
	{ "udp u 1.2.3.4:99999999999999999999\n", 1, 7,
	    "invalid address '1.2.3.4:99999999999999999999' (expected A.B.C.D:PORT)" },
	{ "tcp a b _x=1\n", 1, 9, "unknown option '_x' (known: rcvbuf, sndbuf, "
	    "rcvlowat, sndlowat, rcvtimeo, sndtimeo, nonblock, oobinline, linger, mss, delay, listen, loopback)" },
	{ "tcp a 1b\n", 1, 7,
	    "invalid socket name '1b' (letters, digits and '_', not starting with a digit)" },

	/* splice, sys_splice, copy, poll */
	{ "tcp a b\nthread w: splice\n", 2, 17, "expected SOURCE after 'splice'" },
	{ "tcp a b\nthread w: splice z b\n", 2, 18, "unknown socket 'z'" },
	{ "tcp a b\nthread w: splice a\n", 2, 19, "expected DRAIN after 'splice a'" },
	{ "tcp a b\nthread w: splice a z\n", 2, 20, "unknown socket 'z'" },
	{ "tcp a b\nthread w: splice a b max=\n", 2, 26, "expected SIZE after 'max='" },
	{ "tcp a b\nthread w: splice a b max=-\n", 2, 26, "expected SIZE after 'max='" },
	{ "tcp a b\nthread w: splice a b max=x\n", 2, 26,
	    "invalid size 'x' (expected a number with an optional K, M, G, KiB, MiB or GiB)" },
	{ "tcp a b\nthread w: splice a b idle=-\n", 2, 27, "expected DURATION after 'idle='" },
	{ "tcp a b\nthread w: splice a b idle=-5\n", 2, 28, "duration needs a unit (ns, us, ms, s)" },
	{ "tcp a b\nthread w: splice a b optlen=0\n", 2, 29, "optlen must be between 1 and 64" },
	{ "tcp a b\nthread w: splice a b optlen=65\n", 2, 29, "optlen must be between 1 and 64" },
	{ "tcp a b\nthread w: splice a b optlen=x\n", 2, 29,
	    "invalid size 'x' (expected a number with an optional K, M, G, KiB, MiB or GiB)" },
	{ "tcp a b\nthread w: splice a b len=1\n", 2, 22,
	    "unexpected 'len=1' (splice takes max=SIZE, idle=DURATION, optlen=N)" },
	{ "tcp a b\nthread w: sys_splice a\n", 2, 23, "expected DRAIN after 'sys_splice a'" },
	{ "tcp a b\nthread w: sys_splice z b\n", 2, 22, "unknown socket 'z'" },
	{ "tcp a b\nthread w: copy z b 1\n", 2, 16, "unknown socket 'z'" },
	{ "tcp a b\nthread w: copy a z 1\n", 2, 18, "unknown socket 'z'" },
	{ "tcp a b\nthread w: copy a b 1 PEEK|NOW\n", 2, 27,
	    "unknown flag 'NOW' (known: WAITALL, PEEK, DONTWAIT, OOB, EOR, TRUNC, DONTROUTE)" },
	{ "tcp a b\nthread w: poll\n", 2, 15, "expected SOCKET after 'poll'" },
	{ "tcp a b\nthread w: poll a\n", 2, 17, "expected readable or writable after 'poll a'" },
	{ "tcp a b\nthread w: poll a readable timeout=x\n", 2, 35,
	    "invalid duration 'x' (expected a number with a unit: ns, us, ms or s)" },
	{ "tcp a b\nthread w: poll a writable soon\n", 2, 27, "unexpected 'soon'" },

	/* results, repeat */
	{ "tcp a b\nthread w: recv a 1 => EPIPE|EINTR|EAGAIN|EBADF|EINVAL\n", 2, 48,
	    "at most 4 errno names in one result" },
	{ "tcp a b\nthread w: recv a 1 => >=\n", 2, 25, "expected a byte count after 'recv a 1 => >='" },
	{ "tcp a b\nthread w: repeat\n", 2, 17, "expected a count after 'repeat'" },
	{ "tcp a b\nthread w: repeat x send a 1\n", 2, 18,
	    "invalid count 'x' (expected a number with an optional K, M, G, KiB, MiB or GiB)" },

	/* explore */
	{ "explore\nexplore\n", 2, 1, "explore given twice (first at line 1)" },
	{ "explore preemptions=\n", 1, 21, "expected SIZE after 'preemptions='" },
	{ "explore preemptions=17\n", 1, 21, "preemptions must be between 0 and 16" },
	{ "explore preemptions=-1\n", 1, 21, "preemptions must be between 0 and 16" },
	{ "explore max-states=x\n", 1, 20,
	    "invalid size 'x' (expected a number with an optional K, M, G, KiB, MiB or GiB)" },
	{ "explore max-states=0\n", 1, 20, "max-states must be positive" },
	{ "explore depth=3\n", 1, 9, "unexpected 'depth=3' (explore takes preemptions=K, max-states=N)" },

	/* bytes */
	{ "tcp a\xc3\xa9 b\n", 1, 6, "unexpected character" },
};

START_TEST(test_errors)
{
	char *msg = parse_err(errors[_i].src);
	char *want = expected_message(errors[_i].src, errors[_i].line, errors[_i].col,
	    errors[_i].msg);

	ck_assert_str_eq(msg, want);
	g_free(msg);
	g_free(want);
}
END_TEST

/*
 * Declared options the kernel of the profile refuses (scenario_check_options):
 * src, the profile, where, and the message; msg NULL: all are taken.
 */
static const struct {
	const char *src, *profile;
	int line, col;
	const char *msg;
} refusals[] = {
	/* above kern.sbmax: 256K on NetBSD 1.6, 2M on FreeBSD 9.1 and OpenBSD */
	{ "profile netbsd-1.6\ntcp a b rcvbuf=1M\n", "netbsd-1.6", 2, 9,
	    "rcvbuf=1048576 is above kern.sbmax (262144) on netbsd-1.6: setsockopt(SO_RCVBUF) would fail with ENOBUFS" },
	{ "tcp a b rcvbuf=1M\n", "openbsd-7.5", 0, 0, NULL },
	{ "udp u rcvbuf=2M\n", "openbsd-7.6", 0, 0, NULL },
	{ "udp u rcvbuf=2097153\n", "openbsd-7.6", 1, 7,
	    "rcvbuf=2097153 is above kern.sbmax (2097152) on openbsd-7.6: setsockopt(SO_RCVBUF) would fail with ENOBUFS" },
	/* NetBSD and FreeBSD sbreserve: sb_max * MCLBYTES / (MSIZE + MCLBYTES) */
	{ "tcp a b b.sndbuf=233016\n", "netbsd-1.6", 0, 0, NULL },
	{ "tcp a b b.sndbuf=233017\n", "netbsd-1.6", 1, 11,
	    "sndbuf=233017 is above 233016 (kern.sbmax 262144, less sbreserve's allowance for mbuf "
	    "overhead) on netbsd-1.6: setsockopt(SO_SNDBUF) would fail with ENOBUFS" },
	{ "udp u sndbuf=1864135\n", "freebsd-9.1", 0, 0, NULL },
	{ "udp u sndbuf=1864136\n", "freebsd-9.1", 1, 7,
	    "sndbuf=1864136 is above 1864135 (kern.sbmax 2097152, less sbreserve's allowance for mbuf "
	    "overhead) on freebsd-9.1: setsockopt(SO_SNDBUF) would fail with ENOBUFS" },
	/* the scenario's kern.sbmax, either way */
	{ "sysctl kern.sbmax=4M\ntcp a b rcvbuf=1M\n", "netbsd-1.6", 0, 0, NULL },
	{ "tcp a b\nsysctl kern.sbmax=64K\ntcp c d rcvbuf=4K c.rcvbuf=65537\n", "netbsd-2.0", 3, 21,
	    "rcvbuf=65537 is above kern.sbmax (65536, line 2) on netbsd-2.0: setsockopt(SO_RCVBUF) would fail with ENOBUFS" },
	/* 0 bytes; a low-water mark of 0 */
	{ "tcp a b rcvbuf=0\n", "netbsd-2.0", 1, 9,
	    "rcvbuf=0 is refused on netbsd-2.0: setsockopt(SO_RCVBUF) would fail with ENOBUFS" },
	{ "udp u rcvlowat=0 sndbuf=0\n", "freebsd-9.1", 1, 7,
	    "rcvlowat=0 is refused on freebsd-9.1: setsockopt(SO_RCVLOWAT) would fail with EINVAL" },
	{ "tcp a b\n\ntcp c d d.sndlowat=0 # none\n", "openbsd-7.5", 3, 11,
	    "sndlowat=0 is refused on openbsd-7.5: setsockopt(SO_SNDLOWAT) would fail with EINVAL" },
	/* what the kernel never refuses */
	{ "tcp a b rcvlowat=1M sndlowat=1 rcvtimeo=1000000s sndtimeo=0s nonblock oobinline=0 linger=0s "
	    "mss=1 delay=0s loopback=0\ntcp l listen\n", "netbsd-1.6", 0, 0, NULL },
	/* socket(2) itself: soreserve of the default buffers */
	{ "sysctl kern.sbmax=16K\n\ntcp a b\n", "netbsd-2.0", 3, 5,
	    "'a' cannot be created: soreserve's default send buffer (16384) is above 14563 (kern.sbmax "
	    "16384, line 1, less sbreserve's allowance for mbuf overhead) on netbsd-2.0: socket(2) would "
	    "fail with ENOBUFS" },
	{ "sysctl kern.sbmax=16K\nudp u rcvbuf=1K\n", "netbsd-2.0", 2, 5,
	    "'u' cannot be created: soreserve's default receive buffer (41600) is above kern.sbmax "
	    "(16384, line 1) on netbsd-2.0: socket(2) would fail with ENOBUFS" },
};

START_TEST(test_refused_options)
{
	const Profile *prof = profile_find(refusals[_i].profile);
	Scenario *s = parse_ok(refusals[_i].src);
	GError *err = NULL;
	bool ok;

	ck_assert_ptr_nonnull(prof);
	ok = scenario_check_options(s, prof, prof->quirks, &err);
	if (refusals[_i].msg == NULL) {
		ck_assert_msg(ok, "refused: %s", err ? err->message : "?");
		ck_assert_ptr_null(err);
	} else {
		char *want = expected_message(refusals[_i].src, refusals[_i].line, refusals[_i].col,
		    refusals[_i].msg);

		ck_assert(!ok);
		ck_assert_ptr_nonnull(err);
		ck_assert(err->domain == SCENARIO_ERROR && err->code == SCENARIO_ERROR_SYNTAX);
		ck_assert_str_eq(err->message, want);
		g_free(want);
		g_error_free(err);
	}
	scenario_free(s);
}
END_TEST

/* What is taken is set, what is refused left as it was (world_new); the
 * limit found is the kernel's own; CRLF lines and a Scenario without its
 * text still give a message. */
START_TEST(test_refused_options_world)
{
	const Profile *p16 = profile_find("netbsd-1.6");
	Scenario *s = parse_ok("tcp a b a.rcvbuf=233016 b.rcvbuf=233017\r\nthread w: send a 1\r\n");
	GError *err = NULL;
	World *w;

	w = world_new(s, p16, 0);
	ck_assert_int_eq(w->socks[0].rcv.hiwat, 233016);
	ck_assert_int_eq(w->socks[1].rcv.hiwat, p16->tcp_recvspace);
	world_free(w);
	ck_assert(!scenario_check_options(s, p16, 0, &err));
	ck_assert_str_eq(err->message, "t.scn:1:27: error: rcvbuf=233017 is above 233016 (kern.sbmax "
	    "262144, less sbreserve's allowance for mbuf overhead) on netbsd-1.6: setsockopt(SO_RCVBUF) "
	    "would fail with ENOBUFS\ntcp a b a.rcvbuf=233016 b.rcvbuf=233017\n"
	    "                          ^");
	g_clear_error(&err);
	/* the text may be missing (a Scenario made by hand): an empty line */
	g_free(s->source);
	s->source = NULL;
	ck_assert(!scenario_check_options(s, p16, 0, &err));
	ck_assert(g_str_has_suffix(err->message, "would fail with ENOBUFS\n\n                          ^"));
	g_clear_error(&err);
	/* another kernel takes it */
	ck_assert(scenario_check_options(s, profile_find("openbsd-7.6"), 0, &err));
	ck_assert_ptr_null(err);
	scenario_free(s);
	/* no text, and the declaration further down */
	s = parse_ok("profile netbsd-1.6\n\nudp u sndbuf=1M\n");
	g_free(s->source);
	s->source = NULL;
	ck_assert(!scenario_check_options(s, p16, 0, &err));
	ck_assert_str_eq(err->message, "t.scn:3:7: error: sndbuf=1048576 is above kern.sbmax (262144) on "
	    "netbsd-1.6: setsockopt(SO_SNDBUF) would fail with ENOBUFS\n\n      ^");
	g_clear_error(&err);
	scenario_free(s);
}
END_TEST

/* What the declarations make (instantiate.c): the wire's options, listen, the rest by sosetopt. */
START_TEST(test_declarations_world)
{
	const Profile *p = profile_find("netbsd-2.0");
	Scenario *s = parse_ok("tcp a b a.loopback=0 mss=512 delay=1ms\ntcp c d d.loopback=0\ntcp e f\n"
	    "tcp l listen\ntcp m nonblock\nudp u rcvbuf=1000 sndlowat=1M\n");
	World *w = world_new(s, p, 0);

	/* loopback=0 on either end holds for both */
	for (int i = 0; i < 4; i++)
		ck_assert_msg(!w->socks[i].tp.loopback, "socket %d", i);
	ck_assert(w->socks[4].tp.loopback && w->socks[5].tp.loopback);
	ck_assert_int_eq(w->socks[0].tp.t_maxseg, 512);
	ck_assert_int_eq(w->socks[1].tp.delay, 1 * MS);
	ck_assert_int_eq(w->socks[4].tp.t_maxseg, p->tcp_mss);
	ck_assert_int_eq(w->socks[4].tp.delay, p->wire_delay_ns);
	ck_assert(w->socks[6].options & SO_ACCEPTCONN);
	ck_assert(!(w->socks[7].options & SO_ACCEPTCONN));
	ck_assert(w->socks[7].state & SS_NBIO);
	ck_assert_int_eq(w->socks[7].peer, -1);
	ck_assert_int_eq(w->socks[8].rcv.hiwat, 1000);
	/* a low-water mark above the buffer is clamped to it, not refused */
	ck_assert_int_eq(w->socks[8].snd.lowat, p->udp_sendspace);
	world_free(w);
	scenario_free(s);
}
END_TEST

/* A few whole messages written out, to pin down the format itself. */
START_TEST(test_error_format)
{
	char *msg;

	msg = parse_err("tcp a b\nthread w:\n\tsend a\n");
	ck_assert_str_eq(msg, "t.scn:3:8: error: expected LEN after 'send a'\n"
	    "\tsend a\n"
	    "\t      ^");
	g_free(msg);

	msg = parse_err("tcp a b\nthread w:\n\t \tsend c 1 # comment\n");
	ck_assert_str_eq(msg, "t.scn:3:9: error: unknown socket 'c'\n"
	    "\t \tsend c 1 # comment\n"
	    "\t \t     ^");
	g_free(msg);

	msg = parse_err("profile bsd\n");
	ck_assert_str_eq(msg, "t.scn:1:9: error: unknown profile 'bsd' "
	    "(known: netbsd-1.6, netbsd-2.0, freebsd-9.1, openbsd-7.5, openbsd-7.6, netbsd-2005-splice)\n"
	    "profile bsd\n"
	    "        ^");
	g_free(msg);

	/* control characters and bad UTF-8 in the shown line become '?' */
	msg = parse_err("tcp a b # \xff\x1b[31m\nudp a\n");
	ck_assert_str_eq(msg, "t.scn:2:5: error: 'a' is already a socket (line 1)\n"
	    "udp a\n"
	    "    ^");
	g_free(msg);
	msg = parse_err("tcp a b # \xff\x1b[31m caf\xc3\xa9\n\tsend a 1\n");
	ck_assert_str_eq(msg, "t.scn:2:2: error: operation outside a thread\n"
	    "\tsend a 1\n"
	    "\t^");
	g_free(msg);
	msg = parse_err("thread t: sleep 1ms # \xff\x1b caf\xc3\xa9\x01 ok\nat 1ms signal z\n");
	ck_assert_str_eq(msg, "t.scn:2:15: error: unknown thread 'z'\n"
	    "at 1ms signal z\n"
	    "              ^");
	g_free(msg);
	msg = parse_err("at 1ms signal z # \xff\x1b caf\xc3\xa9\x01 ok\nthread t: sleep 1ms\n");
	ck_assert_str_eq(msg, "t.scn:1:15: error: unknown thread 'z'\n"
	    "at 1ms signal z # ?? caf\xc3\xa9? ok\n"
	    "              ^");
	g_free(msg);

	/* control characters outside comments are refused, and shown as '?' */
	msg = parse_err("tcp a b\n\x01\n");
	ck_assert_str_eq(msg, "t.scn:2:1: error: unexpected character\n?\n^");
	g_free(msg);
	msg = parse_err("tcp a b\x7f\n");
	ck_assert_str_eq(msg, "t.scn:1:8: error: unexpected character\ntcp a b?\n       ^");
	g_free(msg);
	msg = parse_err("tcp a\rb\r\n");
	ck_assert_str_eq(msg, "t.scn:1:6: error: unexpected character\ntcp a?b\n     ^");
	g_free(msg);

	/* a long quoted token is cut */
	msg = parse_err("profile abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\n");
	ck_assert(strstr(msg, "unknown profile 'abcdefghijklmnopqrstuvwxyzabcdefghijklmn...' ") != NULL);
	g_free(msg);
}
END_TEST

START_TEST(test_nul_byte)
{
	static const char src[] = "tcp a b\n\tsend\0 a\n# \0 in a comment too\n";
	GError *err = NULL;
	Scenario *s = scenario_parse_data("t.scn", src, sizeof src - 1, &err);

	ck_assert_ptr_null(s);
	ck_assert_int_eq(err->code, SCENARIO_ERROR_SYNTAX);
	ck_assert_str_eq(err->message, "t.scn:2:6: error: unexpected NUL byte\n"
	    "\tsend? a\n"
	    "\t    ^");
	g_clear_error(&err);

	s = scenario_parse_data("t.scn", "# x\0y\n", 6, &err);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(err->message, "t.scn:1:4: error: unexpected NUL byte\n"
	    "# x?y\n"
	    "   ^");
	g_clear_error(&err);
}
END_TEST

START_TEST(test_long_lines)
{
	GString *src = g_string_new(NULL);
	Scenario *s;
	char *msg, *want;

	/* exactly the limit is fine */
	g_string_append(src, "tcp a b");
	while (src->len < 4096)
		g_string_append_c(src, src->len < 4090 ? ' ' : '#');
	g_string_append(src, "\n#\n");
	s = parse_ok(src->str);
	scenario_free(s);

	/* one more is not; the line is shown cut, the caret just past it */
	g_string_truncate(src, 4096);
	g_string_append(src, "x\nthread w:\n");
	msg = parse_err(src->str);
	g_string_truncate(src, 4096);
	want = g_strdup_printf("t.scn:1:4097: error: line too long (max 4096 bytes)\n%s\n%*s^",
	    src->str, 4096, "");
	ck_assert_str_eq(msg, want);
	g_free(msg);
	g_free(want);

	/* the leftmost problem wins: a bad byte before the limit, or the length */
	g_string_truncate(src, 4096);
	src->str[9] = '\x01';
	g_string_append(src, "xyz\xff");
	msg = parse_err(src->str);
	ck_assert(g_str_has_prefix(msg, "t.scn:1:10: error: unexpected character\n"));
	g_free(msg);
	src->str[9] = ' ';
	msg = parse_err(src->str);
	ck_assert(g_str_has_prefix(msg, "t.scn:1:4097: error: line too long (max 4096 bytes)\n"));
	g_free(msg);

	/* caret columns count characters, not bytes, of UTF-8 in comments */
	g_string_assign(src, "#");
	for (int i = 0; i < 2100; i++)
		g_string_append(src, "\xc3\xa9");
	msg = parse_err(src->str);
	ck_assert(g_str_has_prefix(msg, "t.scn:1:4097: error: line too long (max 4096 bytes)\n"));
	ck_assert(strstr(msg, "\xc3\xa9?\n") != NULL);	/* half a character at the cut */
	ck_assert(strchr(msg, '^') - strrchr(msg, '\n') - 1 == 2049);
	g_free(msg);
	g_string_free(src, TRUE);
}
END_TEST

START_TEST(test_limits)
{
	GString *src = g_string_new(NULL);
	char *msg, *want;

	for (int i = 0; i < SCN_MAX_SOCKETS / 2; i++)
		g_string_append_printf(src, "tcp x%d y%d\n", i, i);
	g_string_append(src, "tcp p q\n");
	msg = parse_err(src->str);
	want = expected_message(src->str, SCN_MAX_SOCKETS / 2 + 1, 5, "too many sockets (max 512)");
	ck_assert_str_eq(msg, want);
	g_free(msg);
	g_free(want);

	g_string_truncate(src, 0);
	for (int i = 0; i < 17; i++)
		g_string_append_printf(src, "thread t%d:\n", i);
	msg = parse_err(src->str);
	want = expected_message(src->str, 17, 8, "too many threads (max 16)");
	ck_assert_str_eq(msg, want);
	g_free(msg);
	g_free(want);

	g_string_assign(src, "tcp a b\nthread w:\n");
	for (int i = 0; i < SCN_MAX_OPS; i++)
		g_string_append(src, "\tclose a\n");
	{
		Scenario *s = parse_ok(src->str);

		ck_assert_int_eq(s->threads[0].nops, SCN_MAX_OPS);
		scenario_free(s);
	}
	g_string_append(src, "\tclose a\n");
	msg = parse_err(src->str);
	want = expected_message(src->str, SCN_MAX_OPS + 3, 2,
	    "too many operations in thread 'w' (max 65536)");
	ck_assert_str_eq(msg, want);
	g_free(msg);
	g_free(want);

	/* events and expectations */
	g_string_assign(src, "tcp a b\n");
	for (int i = 0; i < SCN_MAX_EVENTS; i++)
		g_string_append(src, "at 1ms fin a\n");
	{
		Scenario *s = parse_ok(src->str);

		ck_assert_int_eq(s->nevents, SCN_MAX_EVENTS);
		scenario_free(s);
	}
	g_string_append(src, "at 2ms rst a\n");
	msg = parse_err(src->str);
	want = expected_message(src->str, SCN_MAX_EVENTS + 2, 1, "too many events (max 65536)");
	ck_assert_str_eq(msg, want);
	g_free(msg);
	g_free(want);
	g_string_assign(src, "tcp a b\n");
	for (int i = 0; i < SCN_MAX_EXPECTS; i++)
		g_string_append(src, "expect a.rcv.cc == 0\n");
	{
		Scenario *s = parse_ok(src->str);

		ck_assert_int_eq(s->nexpects, SCN_MAX_EXPECTS);
		scenario_free(s);
	}
	g_string_append(src, "expect always no-deadlock\n");
	msg = parse_err(src->str);
	want = expected_message(src->str, SCN_MAX_EXPECTS + 2, 1, "too many expectations (max 4096)");
	ck_assert_str_eq(msg, want);
	g_free(msg);
	g_free(want);
	g_string_free(src, TRUE);
}
END_TEST

/* Forms the other tests do not show: what each gives. */
START_TEST(test_more_forms)
{
	Scenario *s = parse_ok(
	    "tcp _a b\n"
	    "tcp n nonblock\n"
	    "tcp o oobinline\n"
	    "udp u 1.2.3.4:5\n"
	    "udp v 1.2.3.4:6 connect=u\n"
	    "thread w:\n"
	    "\tsplice _a b max=-1 idle=-2s optlen=8 => EINVAL\n"
	    "\tsys_splice _a notsock\n"
	    "\tsplice _a badfd\n"
	    "\tcopy _a b 10 PEEK|DONTWAIT\n"
	    "\tpoll b writable timeout=5ms => 1\n"
	    "\trecv b 1 => EAGAIN|EPIPE|EWOULDBLOCK|EINTR\n"
	    "thread r: recv b 1\n"
	    "schedule 3:w , 4:r\n"
	    "expect r sleeps on b.snd\n"
	    "expect share kttcp >= 0.125%\n"
	    "expect share kttcp <= 0.1249%\n"
	    "expect share kttcp < 100.00%\n"
	    "explore max-states=5 preemptions=0\n");
	const ScnOp *op = s->threads[0].ops;

	ck_assert_str_eq(s->sockets[0].name, "_a");
	ck_assert_int_eq(s->sockets[2].peer, -1);
	ck_assert_int_eq(s->sockets[2].nopts, 1);
	ck_assert_int_eq(s->sockets[2].opts[0].opt, SCN_OPT_NONBLOCK);
	ck_assert_int_eq(s->sockets[3].opts[0].opt, SCN_OPT_OOBINLINE);
	ck_assert_int_eq(s->sockets[5].addr.port, 6);
	ck_assert_int_eq(s->sockets[5].peer, 4);
	ck_assert_int_eq(op[0].kind, SCN_OP_SPLICE);
	ck_assert_int_eq(op[0].max, -1);
	ck_assert_int_eq(op[0].idle, -2 * SEC);
	ck_assert_int_eq(op[0].optlen, 8);
	ck_assert_int_eq(op[1].kind, SCN_OP_SYS_SPLICE);
	ck_assert_int_eq(op[1].dest, K_FD_NOTSOCK);
	ck_assert_int_eq(op[2].kind, SCN_OP_SPLICE);
	ck_assert_int_eq(op[2].dest, K_FD_BAD);
	ck_assert_int_eq(op[2].max, 0);
	ck_assert_int_eq(op[3].kind, SCN_OP_COPY);
	ck_assert_int_eq(op[3].flags, K_MSG_PEEK | K_MSG_DONTWAIT);
	ck_assert_int_eq(op[4].how, 1);
	ck_assert_int_eq(op[4].len, 5 * MS);
	/* EAGAIN is EWOULDBLOCK: one entry */
	ck_assert_int_eq(op[5].expect.nerrs, 3);
	ck_assert_int_eq(op[5].expect.errs[0], K_EWOULDBLOCK);
	ck_assert_int_eq(op[5].expect.errs[1], K_EPIPE);
	ck_assert_int_eq(op[5].expect.errs[2], K_EINTR);
	ck_assert_int_eq(s->nplan, 2);
	ck_assert_int_eq(s->expects[0].kind, SCN_EXP_SLEEPS);
	ck_assert_int_eq(s->expects[0].sock, 1);
	ck_assert_int_eq(s->expects[0].which, 1);
	/* percentages in basis points, the third decimal rounded */
	ck_assert_int_eq(s->expects[1].value, 13);
	ck_assert_int_eq(s->expects[2].value, 12);
	ck_assert_int_eq(s->expects[3].value, 10000);
	ck_assert(s->explore);
	ck_assert_int_eq(s->explore_max_states, 5);
	ck_assert_int_eq(s->explore_preemptions, 0);
	scenario_free(s);

	/* no text at all is an empty scenario */
	s = scenario_parse_string(NULL, NULL, NULL);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->path, "<string>");
	ck_assert_int_eq(s->nsockets + s->nthreads + s->nexpects, 0);
	scenario_free(s);
}
END_TEST

START_TEST(test_files)
{
	char *path = g_build_filename(g_get_tmp_dir(), "sosim-test-parser-XXXXXX", NULL);
	GError *err = NULL;
	Scenario *s;
	char *want;
	int fd;

	s = scenario_parse_file("/nonexistent/dir/x.scn", &err);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(err->code, SCENARIO_ERROR_READ);
	ck_assert_str_eq(err->message,
	    "/nonexistent/dir/x.scn: error: cannot read: No such file or directory");
	g_clear_error(&err);

	s = scenario_parse_file("/", &err);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(err->message, "/: error: cannot read: Is a directory");
	g_clear_error(&err);

	fd = g_mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, example, sizeof example - 1), (int)sizeof example - 1);
	s = scenario_parse_file(path, &err);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->path, path);
	ck_assert_int_eq(s->nthreads, 2);
	scenario_free(s);

	/* a parse error names the file */
	ck_assert_int_eq(write(fd, "bogus\n", 6), 6);
	s = scenario_parse_file(path, &err);
	ck_assert_ptr_null(s);
	want = g_strdup_printf("%s:16:1: error: unknown statement 'bogus'", path);
	ck_assert(g_str_has_prefix(err->message, want));
	g_free(want);
	g_clear_error(&err);

	/* larger than 16 MiB: refused, without a line number */
	ck_assert_int_eq(ftruncate(fd, 16 * 1024 * 1024 + 1), 0);
	s = scenario_parse_file(path, &err);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(err->code, SCENARIO_ERROR_READ);
	want = g_strdup_printf("%s: error: file too large (max 16 MiB)", path);
	ck_assert_str_eq(err->message, want);
	g_free(want);
	g_clear_error(&err);

	/* exactly 16 MiB is read (and then fails on the NUL bytes) */
	ck_assert_int_eq(ftruncate(fd, 0), 0);
	ck_assert_int_eq(ftruncate(fd, 16 * 1024 * 1024), 0);
	s = scenario_parse_file(path, &err);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(err->code, SCENARIO_ERROR_SYNTAX);
	ck_assert(strstr(err->message, ":1:1: error: unexpected NUL byte\n") != NULL);
	g_clear_error(&err);

	close(fd);
	g_unlink(path);
	g_free(path);

	/* no GError wanted: still NULL, nothing leaks */
	ck_assert_ptr_null(scenario_parse_string("t.scn", "bogus\n", NULL));
	ck_assert_ptr_null(scenario_parse_file("/nonexistent", NULL));
	s = scenario_parse_string(NULL, "seed 1\n", NULL);
	ck_assert_str_eq(s->path, "<string>");
	scenario_free(s);
}
END_TEST

/* Robustness. */

/* The same checks on any result: a valid AST, or a well-formed message. */
static void
check_outcome(const char *src, size_t len, Scenario *s, GError *err)
{
	if (s == NULL) {
		char **lines;
		int line, col, n, ncaret = 0;
		const char *c;

		ck_assert_ptr_nonnull(err);
		if (err->code == SCENARIO_ERROR_READ)
			return;
		ck_assert_int_eq(sscanf(err->message, "t.scn:%d:%d: error: %n", &line, &col, &n), 2);
		ck_assert_int_ge(line, 1);
		ck_assert_int_ge(col, 1);
		ck_assert_int_le(col, 4097);
		ck_assert_int_le(line, (int)len + 1);
		lines = g_strsplit(err->message, "\n", -1);
		ck_assert_int_eq(g_strv_length(lines), 3);
		ck_assert(g_utf8_validate(lines[1], -1, NULL));
		for (c = lines[2]; *c == ' ' || *c == '\t'; c++)
			ncaret++;
		ck_assert_str_eq(c, "^");
		ck_assert_int_le(ncaret, col - 1);
		g_strfreev(lines);
		(void)src;
		return;
	}
	ck_assert_ptr_null(err);
	for (int i = 0; i < s->nsockets; i++) {
		ck_assert_int_lt(s->sockets[i].peer, s->nsockets);
		ck_assert_int_le(s->sockets[i].nopts, SCN__OPT_COUNT);
		ck_assert_uint_lt(strlen(s->sockets[i].name), SCN_NAME_MAX);
	}
	for (int t = 0; t < s->nthreads; t++) {
		for (int i = 0; i < s->threads[t].nops; i++) {
			const ScnOp *op = &s->threads[t].ops[i];

			ck_assert_uint_lt(strlen(op->text), sizeof op->text);
			if (op->kind != SCN_OP_SLEEP)
				ck_assert(op->sock >= 0 && op->sock < s->nsockets);
			ck_assert_int_lt(op->dest, s->nsockets);
		}
	}
	for (int i = 0; i < s->nevents; i++) {
		ck_assert_int_lt(s->events[i].thread, s->nthreads);
		ck_assert_int_lt(s->events[i].sock, s->nsockets);
		if (i > 0)
			ck_assert_int_le(s->events[i - 1].at, s->events[i].at);
	}
	for (int i = 0; i < s->nschedule; i++)
		ck_assert(s->schedule[i] >= -1 && s->schedule[i] < s->nthreads);
	for (int i = 0; i < s->nexpects; i++)
		ck_assert_uint_lt(strlen(s->expects[i].text), sizeof s->expects[i].text);
	if (s->description != NULL)
		ck_assert(g_utf8_validate(s->description, -1, NULL));
}

static void
parse_and_check(const char *src, size_t len)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_data("t.scn", src, len, &err);

	check_outcome(src, len, s, err);
	scenario_free(s);
	g_clear_error(&err);
}

/* Everything the language has, to be mutated. */
static const char rich[] =
    "# Rich scenario\n"
    "profile netbsd-1.6\n"
    "quirk waitall-peek-hang\n"
    "quirk sbappend-walk off\n"
    "seed 7\n"
    "limit steps 1M\n"
    "limit time 10s\n"
    "sysctl kern.sbmax=256K\n"
    "tcp a b rcvbuf=4096 b.sndbuf=8K mss=1460 nonblock delay=1ms\n"
    "udp u\n"
    "udp v 192.168.1.2:53 connect=u rcvtimeo=5ms\n"
    "thread writer:\n"
    "\tsend a 4096 EOR control=3 => 4096\n"
    "\tsendto u v 100 DONTWAIT => EWOULDBLOCK   # comment\n"
    "\tkttcp send a 1M\n"
    "  recvfrom u 100 => 100 TRUNC|EOR\n"
    "thread reader: recv b 8192 MSG_WAITALL|MSG_PEEK => 0 ; sleep 10ms;shutdown b wr\n"
    "\tsetsockopt b rcvlowat=10\n"
    "\tclose b\n"
    "at 5ms signal reader\n"
    "at 1ms fin b\n"
    "at 1ms datagram u from 1.2.3.4:99 len 100 control 4\n"
    "at 0ns rst a\n"
    "schedule writer softnet reader\n"
    "expect no-deadlock\n"
    "expect violation SBCHECK\n"
    "expect a.rcv.cc == 0\n"
    "expect b.error != ECONNRESET\n"
    "expect time >= 5s\n"
    "expect share sbappend < 0.5%\n"
    "expect stat persist_probes > 2\n"
    "expect delivered b == 4K\n";

START_TEST(test_rich_parses)
{
	Scenario *s = parse_ok(rich);

	ck_assert_int_eq(s->nsockets, 4);
	ck_assert_int_eq(s->nthreads, 2);
	ck_assert_int_eq(s->threads[1].nops, 5);
	ck_assert_int_eq(s->nevents, 4);
	ck_assert_int_eq(s->nexpects, 8);
	scenario_free(s);
}
END_TEST

START_TEST(test_truncations)
{
	for (size_t n = 0; n <= sizeof rich - 1; n++)
		parse_and_check(rich, n);
}
END_TEST

static const char *const fragments[] = {
	" ", "\t", "\n", ";", "#", "=>", ":", "|", "=", ".", "0", "-", "%", "\r", "\xff",
	"\xc3\xa9", "\0", "K", "G", "ms", "s", "thread", "tcp", "udp", "a", "b", "u", "v",
	"writer", "softnet", "send", "recv", "WAITALL", "MSG_PEEK", "expect", "at", "signal",
	"rcvbuf=", "1.2.3.4:5", "99999999999999999999999", "control=", "a.", "\n\t",
};

START_TEST(test_mutations)
{
	GRand *rng = g_rand_new_with_seed(20240607);
	GByteArray *buf = g_byte_array_new();

	for (int iter = 0; iter < 4000; iter++) {
		int nmut = g_rand_int_range(rng, 1, 5);

		g_byte_array_set_size(buf, 0);
		g_byte_array_append(buf, (const guint8 *)rich, sizeof rich - 1);
		for (int m = 0; m < nmut; m++) {
			guint pos = buf->len ? (guint)g_rand_int_range(rng, 0, (gint32)buf->len) : 0;
			guint n = (guint)g_rand_int_range(rng, 1, 16);
			const char *f;
			guint8 byte;

			switch (g_rand_int_range(rng, 0, 6)) {
			case 0:		/* overwrite a byte with anything */
				if (buf->len > 0)
					buf->data[pos] = (guint8)g_rand_int_range(rng, 0, 256);
				break;
			case 1:		/* delete a few bytes */
				g_byte_array_remove_range(buf, pos, MIN(n, buf->len - pos));
				break;
			case 2:		/* insert a fragment of the language */
				f = fragments[g_rand_int_range(rng, 0, G_N_ELEMENTS(fragments))];
				{
					guint flen = f[0] == '\0' ? 1 : (guint)strlen(f);
					GByteArray *tmp = g_byte_array_sized_new(buf->len + flen);

					g_byte_array_append(tmp, buf->data, pos);
					g_byte_array_append(tmp, (const guint8 *)f, flen);
					g_byte_array_append(tmp, buf->data + pos, buf->len - pos);
					g_byte_array_set_size(buf, 0);
					g_byte_array_append(buf, tmp->data, tmp->len);
					g_byte_array_free(tmp, TRUE);
				}
				break;
			case 3:		/* duplicate a range */
				n = MIN(n * 4, buf->len - pos);
				{
					GByteArray *tmp = g_byte_array_sized_new(n);

					g_byte_array_append(tmp, buf->data + pos, n);
					g_byte_array_append(buf, tmp->data, tmp->len);
					g_byte_array_free(tmp, TRUE);
				}
				break;
			case 4:		/* truncate */
				g_byte_array_set_size(buf, pos);
				break;
			case 5:		/* swap two bytes */
				if (buf->len > 1) {
					guint other = (guint)g_rand_int_range(rng, 0, (gint32)buf->len);

					byte = buf->data[pos];
					buf->data[pos] = buf->data[other];
					buf->data[other] = byte;
				}
				break;
			}
		}
		parse_and_check((const char *)buf->data, buf->len);
	}
	g_byte_array_free(buf, TRUE);
	g_rand_free(rng);
}
END_TEST

START_TEST(test_garbage)
{
	GRand *rng = g_rand_new_with_seed(4242);
	char *buf = g_malloc(1 << 20);

	/* random bytes, then random printable text, of many lengths */
	for (int iter = 0; iter < 300; iter++) {
		size_t len = (size_t)g_rand_int_range(rng, 0, iter < 290 ? 2000 : 1 << 20);
		bool printable = iter % 2;

		for (size_t i = 0; i < len; i++)
			buf[i] = printable ? (char)g_rand_int_range(rng, 9, 127) :
			    (char)g_rand_int_range(rng, 0, 256);
		parse_and_check(buf, len);
	}
	/* a megabyte on one line, and many short lines */
	memset(buf, 'x', 1 << 20);
	parse_and_check(buf, 1 << 20);
	for (size_t i = 0; i < (1 << 20); i += 2) {
		buf[i] = '\n';
		buf[i + 1] = ' ';
	}
	parse_and_check(buf, 1 << 20);
	g_free(buf);
	g_rand_free(rng);
}
END_TEST

START_TEST(test_too_large_buffer)
{
	size_t len = 16 * 1024 * 1024 + 1;
	char *buf = g_malloc0(len);
	GError *err = NULL;

	ck_assert_ptr_null(scenario_parse_data("big.scn", buf, len, &err));
	ck_assert_int_eq(err->code, SCENARIO_ERROR_READ);
	ck_assert_str_eq(err->message, "big.scn: error: file too large (max 16 MiB)");
	g_clear_error(&err);
	g_free(buf);
}
END_TEST

static Suite *
parser_suite(void)
{
	Suite *s = suite_create("scenario_parse");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_test(tc, test_example);
	tcase_add_test(tc, test_empty);
	tcase_add_loop_test(tc, test_sizes, 0, G_N_ELEMENTS(sizes));
	tcase_add_loop_test(tc, test_durations, 0, G_N_ELEMENTS(durations));
	tcase_add_test(tc, test_top_level);
	tcase_add_test(tc, test_tcp_options);
	tcase_add_test(tc, test_udp);
	tcase_add_test(tc, test_ops);
	tcase_add_test(tc, test_one_line_threads);
	tcase_add_test(tc, test_op_text);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_schedule);
	tcase_add_test(tc, test_schedule_steps);
	tcase_add_loop_test(tc, test_registry_names, 0, G_N_ELEMENTS(registries));
	tcase_add_test(tc, test_expects);
	tcase_add_test(tc, test_description);
	tcase_add_test(tc, test_line_endings);
	tcase_add_test(tc, test_rich_parses);
	tcase_add_test(tc, test_more_forms);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_errors, 0, G_N_ELEMENTS(errors));
	tcase_add_test(tc, test_error_format);
	tcase_add_loop_test(tc, test_refused_options, 0, G_N_ELEMENTS(refusals));
	tcase_add_test(tc, test_refused_options_world);
	tcase_add_test(tc, test_declarations_world);
	tcase_add_loop_test(tc, test_registry_unknown, 0, G_N_ELEMENTS(registries));
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_result_forms);
	suite_add_tcase(s, tc);

	tc = tcase_create("robustness");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_truncations);
	tcase_add_test(tc, test_mutations);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_too_large_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(parser_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
