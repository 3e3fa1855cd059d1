/*
 * cli.c: what the subcommands of sosim share: option and file arguments,
 * the profile and quirks of a run, a --schedule argument.
 */
#include "cli.h"
#include "expect.h"
#include "sched.h"
#include "snapshot.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cli_progname = "sosim";

const char *
cli_profile_help(void)
{
	static char text[200];

	if (text[0] == '\0')
		snprintf(text, sizeof text, "Kernel profile P (sosim list profiles); default: the "
		    "scenario's `profile` line, else %s", profile_default()->name);
	return text;
}

void
cli_usage(const CliCommand *cmd, FILE *fp)
{
	fprintf(fp, "usage: sosim %s\n", cmd->usage);
	fprintf(fp, "Run `sosim help %s` for its options.\n", cmd->name);
}

int
cli_usage_error(const CliCommand *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sosim %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_usage(cmd, stderr);
	return EXIT_BAD_INPUT;
}

/* text from column `col`, in lines up to 79 columns, each further line
 * indented to `indent` */
static void
wrap(FILE *fp, const char *text, int col, int indent)
{
	const char *p = text;

	while (*p != '\0') {
		const char *end = p;
		size_t n;

		while (*end == ' ')
			end++;
		end += strcspn(end, " ");
		n = (size_t)(end - p);
		if (col > indent && col + (int)n > 79) {
			fprintf(fp, "\n%*s", indent, "");
			col = indent;
			while (*p == ' ')
				p++;
			n = (size_t)(end - p);
		}
		fprintf(fp, "%.*s", (int)n, p);
		col += (int)n;
		p = end;
	}
	fputc('\n', fp);
}

/* "-p, --profile P" */
static char *
option_words(const GOptionEntry *e)
{
	GString *s = g_string_new(NULL);

	if (e->short_name)
		g_string_append_printf(s, "-%c, ", e->short_name);
	else
		g_string_append(s, "    ");
	g_string_append_printf(s, "--%s", e->long_name);
	if (e->arg != G_OPTION_ARG_NONE && e->arg_description != NULL)
		g_string_append_printf(s, " %s", e->arg_description);
	return g_string_free(s, FALSE);
}

void
cli_help(const CliCommand *cmd, const GOptionEntry *entries, FILE *fp)
{
	static const GOptionEntry help = { "help", 'h', 0, G_OPTION_ARG_NONE, NULL,
		"Print this help and exit", NULL };
	int width = 0;

	fprintf(fp, "usage: sosim %s\n\n", cmd->usage);
	fprintf(fp, "%s.\n", cmd->summary);
	if (cmd->help != NULL) {
		char **paras = g_strsplit(cmd->help, "\n\n", -1);

		for (char **p = paras; *p; p++) {
			/* a paragraph whose lines start with blanks is printed as it is */
			fputc('\n', fp);
			if ((*p)[0] == ' ')
				fprintf(fp, "%s\n", *p);
			else
				wrap(fp, *p, 0, 0);
		}
		g_strfreev(paras);
	}
	fprintf(fp, "\nOptions:\n");
	for (int pass = 0; pass < 2; pass++)
		for (const GOptionEntry *e = entries; ; e++) {
			const GOptionEntry *x = e->long_name ? e : &help;
			char *words = option_words(x);

			if (pass == 0)
				width = MAX(width, MIN((int)strlen(words), 24));
			else if ((int)strlen(words) > width) {
				fprintf(fp, "  %s\n%*s", words, width + 4, "");
				wrap(fp, x->description, width + 4, width + 4);
			} else {
				fprintf(fp, "  %-*s  ", width, words);
				wrap(fp, x->description, width + 4, width + 4);
			}
			g_free(words);
			if (e->long_name == NULL)
				break;
		}
	fprintf(fp, "\nExit status:\n");
	{
		/* "N  meaning" a line, lines that start with a blank continuing
		 * the one before; each wrapped under its meaning */
		char **lines = g_strsplit(cmd->exits, "\n", -1);

		for (char **l = lines; *l != NULL; l++) {
			GString *e = g_string_new(*l);
			const char *text = strstr(*l, "  ");
			int col = text ? (int)(text - *l) + 2 : 0;

			while (l[1] != NULL && l[1][0] == ' ') {
				g_string_append_printf(e, " %s", g_strchug(l[1]));
				l++;
			}
			fprintf(fp, "  %.*s", col, e->str);
			wrap(fp, e->str + col, col + 2, col + 2);
			g_string_free(e, TRUE);
		}
		g_strfreev(lines);
	}
}

bool
cli_parse_options(const CliCommand *cmd, const GOptionEntry *entries, int *argc, char ***argv,
    int *rc)
{
	GOptionContext *ctx;
	GError *err = NULL;
	bool ok;

	for (int i = 1; i < *argc && strcmp((*argv)[i], "--") != 0; i++)
		if (strcmp((*argv)[i], "--help") == 0 || strcmp((*argv)[i], "-h") == 0) {
			cli_help(cmd, entries, stdout);
			*rc = 0;
			return false;
		}
	ctx = g_option_context_new(NULL);
	g_option_context_set_help_enabled(ctx, FALSE);
	g_option_context_add_main_entries(ctx, entries, NULL);
	ok = g_option_context_parse(ctx, argc, argv, &err);
	g_option_context_free(ctx);
	if (ok) {
		/* after the options: a word that still looks like one is an
		 * unknown option GLib let through, unless after `--` */
		for (int i = 1; i < *argc; i++) {
			const char *a = (*argv)[i];

			if (strcmp(a, "--") == 0) {
				/* GLib leaves the first `--` in: the words after it are files */
				memmove(*argv + i, *argv + i + 1, sizeof **argv * (size_t)(*argc - i));
				(*argc)--;
				break;
			}
			if (a[0] == '-' && a[1] != '\0') {
				*rc = cli_usage_error(cmd, "unknown option %s", a);
				return false;
			}
		}
		return true;
	}
	*rc = cli_usage_error(cmd, "%s", err->message);
	g_error_free(err);
	return false;
}

bool
cli_check_min(const CliCommand *cmd, const char *name, gint64 v, gint64 min, const char *why)
{
	if (v >= min)
		return true;
	cli_usage_error(cmd, "--%s %lld: %s", name, (long long)v, why);
	return false;
}

const char *
cli_one_file(const CliCommand *cmd, int argc, char **argv)
{
	if (argc < 2) {
		cli_usage_error(cmd, "give exactly one scenario file");
		return NULL;
	}
	if (argc > 2) {
		cli_usage_error(cmd, "give exactly one scenario file, not %s and %s", argv[1], argv[2]);
		return NULL;
	}
	return argv[1];
}

Scenario *
cli_parse_scenario(const char *path)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_file(path, &err);

	if (s == NULL) {
		fprintf(stderr, "%s\n", err->message);
		g_error_free(err);
	}
	return s;
}

/* A schedule given as text, or the name of a file holding one (its first
 * line that is not a comment). */
bool
load_plan(const World *w, const char *arg, SchedDev **plan, int *n)
{
	char *text = NULL, *msg = NULL;
	bool ok;

	if (strchr(arg, ':') == NULL && g_file_test(arg, G_FILE_TEST_IS_REGULAR)) {
		char *data = NULL;
		GError *err = NULL;
		GStatBuf st;

		/* as a scenario file: a schedule is one line of it */
		if (g_stat(arg, &st) == 0 && st.st_size > CLI_SCHEDULE_FILE_MAX) {
			fprintf(stderr, "sosim: error: --schedule %s: file too large (max %d MiB)\n", arg,
			    CLI_SCHEDULE_FILE_MAX >> 20);
			return false;
		}
		if (!g_file_get_contents(arg, &data, NULL, &err)) {
			fprintf(stderr, "sosim: error: %s\n", err->message);
			g_error_free(err);
			return false;
		}
		for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n"))
			if (line[0] != '#' && line[0] != '\0') {
				text = g_strstrip(g_strdup(line));
				break;
			}
		g_free(data);
		if (text == NULL)
			text = g_strdup("");
	} else
		text = g_strdup(arg);
	ok = sched_plan_parse(w, text, plan, n, &msg);
	if (!ok) {
		fprintf(stderr, "sosim: error: --schedule %s: %s\n", text, msg);
		g_free(msg);
	}
	g_free(text);
	return ok;
}

/* Profile and quirks: the scenario's, then the command line's on top;
 * then what that kernel refuses in the declarations. */
bool
resolve_profile(const Scenario *s, const char *profile, char **qlist, const Profile **pp,
    uint32_t *quirks)
{
	const char *name = profile ? profile : s->profile;
	const Profile *p = name ? profile_find(name) : profile_default();
	GError *err = NULL;

	if (p == NULL) {
		fprintf(stderr, "sosim: error: unknown profile '%s' (see `sosim list profiles`)\n", name);
		return false;
	}
	*quirks = (p->quirks | s->quirks_on) & ~s->quirks_off;
	for (char **q = qlist; q && *q; q++) {
		char *name2 = g_strdup(*q), *eq = strchr(name2, '=');
		bool off = false;
		int id;

		if (eq) {
			*eq = '\0';
			if (strcmp(eq + 1, "off") == 0)
				off = true;
			else if (strcmp(eq + 1, "on") != 0) {
				fprintf(stderr, "sosim: error: --quirk %s: the value must be on or off\n", *q);
				g_free(name2);
				return false;
			}
		}
		id = quirk_find(name2);
		if (id < 0) {
			fprintf(stderr, "sosim: error: unknown quirk '%s' (see `sosim list quirks`)\n", name2);
			g_free(name2);
			return false;
		}
		if (off)
			*quirks &= ~(1u << id);
		else
			*quirks |= 1u << id;
		g_free(name2);
	}
	if (!scenario_check_options(s, p, *quirks, &err)) {
		fprintf(stderr, "%s\n", err->message);
		g_error_free(err);
		return false;
	}
	*pp = p;
	return true;
}

const char *
first_missing(const Scenario *s, const bool *held)
{
	for (int i = 0; i < s->nexpects && i < EXPECT_MAX; i++)
		if (s->expects[i].quant == SCN_Q_SOMETIMES && !held[i])
			return s->expects[i].text;
	return "?";
}

World *
cli_world(const Scenario *s, const Profile *prof, uint32_t quirks, const char *schedule,
    int64_t seed, SchedDev **plan, int *nplan)
{
	World *w = world_new(s, prof, quirks);

	if (schedule != NULL) {
		if (*plan == NULL && !load_plan(w, schedule, plan, nplan)) {
			world_free(w);
			return NULL;
		}
		sched_set_plan(w, *plan, *nplan);
	}
	if (seed >= 0)
		world_set_seed(w, (uint64_t)seed);
	else if (s->has_seed)
		world_set_seed(w, (uint64_t)s->seed);
	return w;
}

bool
cli_plan_fits(const char *cmd, const World *w)
{
	const Run *r = w->run;
	World *c;
	bool ok = true;

	if (!r->plan_set || r->nplan == 0)
		return true;
	c = world_clone(w);
	sched_run(c);
	if (c->plan_pos > 0 && c->stop == STOP_LIMIT && r->plan[c->plan_pos - 1].step == c->step + 1) {
		/* the entry was taken at its step, and the step never ran */
		const SchedDev *d = &r->plan[c->plan_pos - 1];
		int cand[SCHED_MAX_CAND], n = sched_candidates(c, cand);
		GString *who = g_string_new(NULL);

		for (int i = 0; i < n; i++)
			g_string_append_printf(who, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
			    sched_who_name(c, cand[i]));
		if (d->who < SCHED_SOFTNET && world_kthread(c, SCHED_SOFTNET - d->who) < 0)
			fprintf(stderr, "sosim %s: error: --schedule entry %d (%llu:%s): profile %s has no "
			    "%s thread\n", cmd, c->plan_pos, (unsigned long long)d->step,
			    sched_who_name(c, d->who), c->prof->name, sched_who_name(c, d->who));
		else
			fprintf(stderr, "sosim %s: error: --schedule entry %d (%llu:%s): %s cannot run at "
			    "step %llu; %s%s can\n", cmd, c->plan_pos, (unsigned long long)d->step,
			    sched_who_name(c, d->who), sched_who_name(c, d->who), (unsigned long long)d->step,
			    n > 0 ? "only " : "", n > 0 ? who->str : "nobody");
		g_string_free(who, TRUE);
		ok = false;
	} else if (c->plan_pos < r->nplan && c->stop != STOP_LIMIT) {
		const SchedDev *d = &r->plan[c->plan_pos];

		fprintf(stderr, "sosim %s: error: --schedule entry %d (%llu:%s): the run ends after step %llu "
		    "and never reaches step %llu\n", cmd, c->plan_pos + 1, (unsigned long long)d->step,
		    sched_who_name(c, d->who), (unsigned long long)c->step, (unsigned long long)d->step);
		ok = false;
	}
	world_free(c);
	return ok;
}

/* The directory of the running program, resolved; NULL if unknown. */
static char *
program_dir(void)
{
	char *exe = g_file_read_link("/proc/self/exe", NULL), *dir;

	if (exe == NULL && strchr(cli_progname, '/') != NULL)
		exe = realpath(cli_progname, NULL);
	if (exe == NULL)
		return NULL;
	dir = g_path_get_dirname(exe);
	free(exe);
	return dir;
}

static bool
same_dir(const char *a, const char *b)
{
	char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
	bool same = ra != NULL && rb != NULL && strcmp(ra, rb) == 0;

	free(ra);
	free(rb);
	return same;
}

const char *
cli_scenarios_where(void)
{
	return SOSIM_DATADIR "/scenarios, and " SOSIM_SOURCE_DIR "/scenarios when run from "
	    SOSIM_BUILD_DIR;
}

char *
cli_scenarios_dir(void)
{
	char *dir = program_dir(), *found = NULL;

	if (dir != NULL && same_dir(dir, SOSIM_BUILD_DIR))
		found = g_build_filename(SOSIM_SOURCE_DIR, "scenarios", NULL);
	else if (dir != NULL && g_str_has_suffix(dir, SOSIM_BINDIR)) {
		/* DESTDIR/prefix/bin: DESTDIR/prefix/share/sosim */
		char *root = g_strndup(dir, strlen(dir) - strlen(SOSIM_BINDIR));

		found = g_strconcat(root, SOSIM_DATADIR, "/scenarios", NULL);
		g_free(root);
	}
	if (found == NULL || !g_file_test(found, G_FILE_TEST_IS_DIR)) {
		g_free(found);
		found = g_strdup(SOSIM_DATADIR "/scenarios");
	}
	g_free(dir);
	if (!g_file_test(found, G_FILE_TEST_IS_DIR)) {
		g_free(found);
		return NULL;
	}
	return found;
}
