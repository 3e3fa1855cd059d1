/*
 * progress.c: long runs and searches (cli.h): a progress line on a
 * terminal, the limits given on the command line, and the run loop that
 * stops at SIGINT or SIGTERM (output.c catches them).
 *
 * The progress line goes to stderr only when it is a terminal, about once
 * a second after the first second, overwritten in place (\r, then the
 * line, then erase to its end) and erased when the command ends, so that
 * nothing of it stays on the screen and nothing at all reaches a file or
 * a pipe.
 */
#include "cli.h"
#include "expect.h"
#include "sched.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PROGRESS_EVERY_US 1000000       /* a line a second, the first after a second */

void
cli_progress_init(CliProgress *p, bool on)
{
	memset(p, 0, sizeof *p);
	p->on = on && isatty(STDERR_FILENO);
	p->t0 = p->last = g_get_monotonic_time();
}

double
cli_progress_secs(const CliProgress *p)
{
	return (double)(g_get_monotonic_time() - p->t0) / 1e6;
}

bool
cli_progress_due(CliProgress *p)
{
	gint64 now;

	if (!p->on)
		return false;
	now = g_get_monotonic_time();
	if (now - p->last < PROGRESS_EVERY_US)
		return false;
	p->last = now;
	return true;
}

void
cli_progress_show(CliProgress *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->on)
		return;
	fputc('\r', stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\033[K", stderr);        /* erase what a longer line left */
	fflush(stderr);
	p->shown = true;
}

void
cli_progress_clear(CliProgress *p)
{
	if (p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->shown = false;
	}
}

/* A count for people: 12345678 as 12.3M. */
static const char *
human(char *buf, size_t n, double v)
{
	if (v >= 1e9)
		snprintf(buf, n, "%.2fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, n, "%.2fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, n, "%.1fk", v / 1e3);
	else
		snprintf(buf, n, "%.0f", v);
	return buf;
}

void
cli_progress_run(CliProgress *p, const char *what, const World *w)
{
	char a[32], b[32], c[32];
	double secs = cli_progress_secs(p);

	cli_progress_show(p, "%s: step %s of %s (limit), virtual time %lld.%06llds, %s steps/s, %.0fs",
	    what, human(a, sizeof a, (double)w->step), human(b, sizeof b, (double)w->run->limit_steps),
	    (long long)(w->now / 1000000000), (long long)(w->now % 1000000000 / 1000),
	    human(c, sizeof c, secs > 0 ? (double)w->step / secs : 0.0), secs);
}

void
cli_progress_explore(CliProgress *p, const char *what, uint64_t states, uint64_t max_states,
    uint64_t schedules, uint64_t distinct)
{
	char a[32], b[32], c[32], d[32], e[32];
	double secs = cli_progress_secs(p);

	cli_progress_show(p, "%s: %s states of %s (limit), %s schedules, %s distinct worlds, "
	    "%s states/s, %.0fs", what, human(a, sizeof a, (double)states),
	    max_states ? human(b, sizeof b, (double)max_states) : "no limit",
	    human(c, sizeof c, (double)schedules), human(d, sizeof d, (double)distinct),
	    human(e, sizeof e, secs > 0 ? (double)states / secs : 0.0), secs);
}

const char *
cli_signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

StopReason
cli_run_world(World *w, CliProgress *p, const char *what)
{
	unsigned n = 0;

	while (w->stop == STOP_NONE) {
		if (cli_interrupted) {
			w->stop = STOP_LIMIT;
			snprintf(w->run->stop_msg, sizeof w->run->stop_msg,
			    "interrupted by %s after %llu steps, at virtual time %lld.%06llds",
			    cli_signal_name(cli_interrupted), (unsigned long long)w->step,
			    (long long)(w->now / 1000000000), (long long)(w->now % 1000000000 / 1000));
			break;
		}
		if (!sched_step(w))
			break;
		if ((++n & 1023) == 0 && cli_progress_due(p))
			cli_progress_run(p, what, w);
	}
	/* the end, as sched_run ends a run */
	if (w->stop == STOP_DONE || w->stop == STOP_DEADLOCK)
		invariants_check_end(w);
	return w->stop;
}

bool
cli_stopped_by_limit(const World *w)
{
	return w->stop == STOP_LIMIT && !w->run->stop_schedule;
}

int
cli_exit_status(int rc)
{
	int sig = cli_interrupted;

	if (sig == 0)
		return rc;
	/* killed by the signal, after the output is complete, so that a
	 * shell running sosim in a loop stops too (exit status 128 + sig) */
	fflush(NULL);
	signal(sig, SIG_DFL);
	raise(sig);
	return EXIT_SIGNAL_BASE + sig;
}

/* ---- limits on the command line ---- */

/* Digits, then one of the suffixes (mult: its factor); *v the product.
 * false with *why the reason (NULL: not of this form at all). */
static bool
parse_scaled(const char *s, const char *const *suffix, const int64_t *mult, size_t nsuffix,
    int64_t max, int64_t *v, const char **why)
{
	const char *d = s;
	int64_t n = 0;

	if (*s == '-') {
		*why = "it is negative";
		return false;
	}
	for (; *d >= '0' && *d <= '9'; d++) {
		if (n > (INT64_MAX - (*d - '0')) / 10) {
			*why = "it is too large";
			return false;
		}
		n = n * 10 + (*d - '0');
	}
	if (d == s) {
		*why = NULL;
		return false;
	}
	for (size_t i = 0; i < nsuffix; i++)
		if (strcmp(d, suffix[i]) == 0) {
			if (n > max / mult[i]) {
				*why = "it is too large";
				return false;
			}
			*v = n * mult[i];
			return true;
		}
	*why = NULL;
	return false;
}

/* A limit's value: parsed, and more than 0; else "sosim CMD: --NAME ARG: why". */
static bool
limit_value(const CliCommand *cmd, const char *name, const char *arg, const char *const *suffix,
    const int64_t *mult, size_t nsuffix, int64_t max, const char *form, int64_t *out)
{
	const char *why = NULL;

	if (!parse_scaled(arg, suffix, mult, nsuffix, max, out, &why)) {
		cli_usage_error(cmd, "--%s %s: %s", name, arg, why ? why : form);
		return false;
	}
	if (*out <= 0) {
		cli_usage_error(cmd, "--%s %s: give more than 0", name, arg);
		return false;
	}
	return true;
}

bool
cli_limit_size(const CliCommand *cmd, const char *name, const char *arg, int64_t *out)
{
	static const char *const suffix[] = { "", "K", "KiB", "M", "MiB", "G", "GiB", "T", "TiB" };
	static const int64_t mult[] = { 1, 1 << 10, 1 << 10, 1 << 20, 1 << 20, 1 << 30, 1 << 30,
	    1ll << 40, 1ll << 40 };

	return limit_value(cmd, name, arg, suffix, mult, G_N_ELEMENTS(suffix), (int64_t)1 << 50,
	    "give a number with an optional K, M, G or T (or KiB, MiB, GiB, TiB)", out);
}

bool
cli_limit_duration(const CliCommand *cmd, const char *name, const char *arg, int64_t *out)
{
	static const char *const suffix[] = { "ns", "us", "ms", "s" };
	static const int64_t mult[] = { 1, 1000, 1000000, 1000000000 };

	/* at most the scenario language's largest duration */
	return limit_value(cmd, name, arg, suffix, mult, G_N_ELEMENTS(suffix),
	    1000000ll * 1000000000ll, "give a number and a unit: ns, us, ms or s", out);
}
