/*
 * output.c: where a command writes what it makes (`-o FILE`, or stdout).
 *
 * A regular file, or a name that does not exist yet, is written through
 * a temporary file beside it and renamed into place at the end, so a run
 * that fails or is killed never leaves half a trace behind; the temporary
 * file is removed on every exit path, signals included.  A symlink is
 * followed, and the file it names replaced the same way; the link stays.
 * A FIFO, a device or anything else that is not a regular file is written
 * in place and never replaced (rename() over /dev/null as root would put
 * a regular file there).  A write that fails (a full disk, /dev/full, a
 * closed stdout) is reported, with the exit status EXIT_OUTPUT.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary file a signal must remove: one at a time per process. */
static char *volatile pending_tmp;

static void
on_signal(int sig)
{
	char *tmp = pending_tmp;

	if (tmp != NULL)
		unlink(tmp);            /* async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int fatal_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void
catch_signals(void)
{
	for (size_t i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++)
		signal(fatal_sigs[i], on_signal);
}

/* Hold the fatal signals back (how: SIG_BLOCK) or let them in again. */
static void
hold_signals(int how, sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++)
		sigaddset(&set, fatal_sigs[i]);
	sigprocmask(how, how == SIG_BLOCK ? &set : old, how == SIG_BLOCK ? old : NULL);
}

bool
cli_output_open(CliOutput *out, const char *target)
{
	struct stat st;
	sigset_t held;
	char *path;
	int fd;

	memset(out, 0, sizeof *out);
	out->target = target;
	if (target == NULL || strcmp(target, "-") == 0) {
		out->fp = stdout;
		return true;
	}
	/* a symlink: replace the file it names, not the link */
	path = realpath(target, NULL);
	if (path == NULL)
		path = g_strdup(target);        /* it does not exist yet */
	else {
		char *p = g_strdup(path);

		free(path);
		path = p;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a FIFO, a device: write in place */
		out->fp = fopen(path, "w");
		if (out->fp == NULL) {
			fprintf(stderr, "sosim: error: cannot write %s: %s\n", target, g_strerror(errno));
			g_free(path);
			return false;
		}
		out->path = path;
		return true;
	}
	out->path = path;
	out->tmp = g_strdup_printf("%s.tmp.XXXXXX", path);
	/* no signal between the file's creation and the handler that
	 * removes it: a run killed right then leaves nothing behind */
	catch_signals();
	hold_signals(SIG_BLOCK, &held);
	fd = g_mkstemp_full(out->tmp, O_WRONLY, 0666 & ~0022);
	if (fd >= 0)
		pending_tmp = out->tmp;
	hold_signals(SIG_SETMASK, &held);
	if (fd < 0 || (out->fp = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "sosim: error: cannot write %s: %s\n", target, g_strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(out->tmp);
		}
		pending_tmp = NULL;
		g_free(out->tmp);
		g_free(out->path);
		out->tmp = out->path = NULL;
		return false;
	}
	return true;
}

bool
cli_output_close(CliOutput *out, bool keep)
{
	bool ok = true;
	int err = 0;

	if (out->fp == NULL)
		return true;
	if (out->fp == stdout) {
		if (fflush(stdout) != 0 || ferror(stdout)) {
			err = errno;
			ok = false;
		}
		out->fp = NULL;
		if (!ok && keep)
			fprintf(stderr, "sosim: error: cannot write the output: %s\n",
			    g_strerror(err ? err : EIO));
		return ok;
	}
	if (ferror(out->fp)) {
		err = EIO;
		ok = false;
	}
	if (fclose(out->fp) != 0 && ok) {
		err = errno;
		ok = false;
	}
	out->fp = NULL;
	if (out->tmp != NULL) {
		if (ok && keep && rename(out->tmp, out->path) != 0) {
			err = errno;
			ok = false;
		}
		if (!ok || !keep)
			unlink(out->tmp);
		pending_tmp = NULL;
	}
	if (!ok && keep)
		fprintf(stderr, "sosim: error: cannot write %s: %s\n", out->target,
		    g_strerror(err ? err : EIO));
	g_free(out->tmp);
	g_free(out->path);
	out->tmp = out->path = NULL;
	return ok;
}

/*
 * Interrupts (cli.h).  The handler only notes the signal; the run or the
 * search looks at cli_interrupted between steps.  A second signal is
 * handled as before interrupts were caught: the temporary -o file is
 * removed and the program dies of the signal.
 */
volatile sig_atomic_t cli_interrupted;

static void
on_interrupt(int sig)
{
	if (cli_interrupted != 0)
		on_signal(sig);         /* dies once this handler returns */
	else
		cli_interrupted = sig;
}

void
cli_interrupt_catch(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;       /* a write in progress goes on */
	for (int i = 0; i < 2; i++) {
		int sig = i == 0 ? SIGINT : SIGTERM;
		struct sigaction old;

		/* one the shell ignores stays ignored (a background job's SIGINT) */
		if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sig, &sa, NULL);
	}
}
