/*
 * cmd-list.c: `sosim list KIND`: what the simulator knows by name, read
 * from the registries that the parser and the engine use, and the
 * teaching scenarios that come with it.  --names prints the names alone,
 * one a line, for scripts and the shell completion (completion/).
 */
#include "cli.h"
#include "event.h"
#include "expect.h"
#include "machine.h"
#include "profile.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static bool names_only;

static int
list_profiles(void)
{
	for (int i = 0; i < nprofiles; i++) {
		if (names_only) {
			printf("%s\n", profiles[i].name);
			continue;
		}
		const Profile *p = &profiles[i];
		GString *q = g_string_new(NULL);

		for (int k = 0; k < QUIRK__COUNT; k++)
			if (p->quirks & (1u << k))
				g_string_append_printf(q, "%s%s", q->len ? "," : "", quirk_defs[k].name);
		printf("%-12s %s\n", p->name, p->summary);
		printf("%-12s MSIZE=%d MLEN=%d MHLEN=%d MINCLSIZE=%d MCLBYTES=%d max_hdr=%d SB_MAX=%lld\n", "",
		    p->msize, p->mlen, p->mhlen, p->minclsize, p->mclbytes, p->max_hdr,
		    (long long)p->sb_max);
		printf("%-12s tcp_sendspace=%d tcp_recvspace=%d udp_sendspace=%d udp_recvspace=%d mss=%d\n", "",
		    p->tcp_sendspace, p->tcp_recvspace, p->udp_sendspace, p->udp_recvspace, p->tcp_mss);
		printf("%-12s sbcompress=%s udp-receive=%s quirks=%s\n", "",
		    p->coalesce == COALESCE_LITE2 ? "4.4BSD-Lite2" : "trailing-space",
		    p->udp_soreceive_dgram ? "soreceive_dgram" : "soreceive",
		    q->len ? q->str : "none");
		printf("%-12s source: %s\n", "", p->source);
		g_string_free(q, TRUE);
	}
	return 0;
}

static int
list_quirks(void)
{
	for (int k = 0; k < QUIRK__COUNT; k++) {
		GString *on;

		if (names_only) {
			printf("%s\n", quirk_defs[k].name);
			continue;
		}
		on = g_string_new(NULL);
		for (int i = 0; i < nprofiles; i++)
			if (profiles[i].quirks & (1u << k))
				g_string_append_printf(on, "%s%s", on->len ? ", " : "", profiles[i].name);
		printf("%-18s %s\n", quirk_defs[k].name, quirk_defs[k].summary);
		printf("%-18s effect: %s\n", "", quirk_defs[k].effect);
		printf("%-18s source: %s\n", "", quirk_defs[k].source);
		printf("%-18s on in: %s\n", "", on->len ? on->str : "no profile");
		g_string_free(on, TRUE);
	}
	return 0;
}

static int
list_machines(void)
{
	scenario_engine_init();
	for (int m = 0; m < MACH_MAX; m++) {
		const MachineDef *d = machine_def(m);

		if (d == NULL)
			continue;
		if (names_only) {
			printf("%s\n", d->name);
			continue;
		}
		printf("%s:", d->name);
		for (int s = 0; s < d->nstates; s++)
			printf(" %s", d->states[s]);
		printf("\n");
	}
	return 0;
}

/* Names and their one-line docs, the names in a column as wide as the longest. */
static void
print_names(const char *(*name_at)(int), const char *(*doc_at)(int), int n)
{
	int width = 0;

	for (int i = 0; i < n; i++)
		width = MAX(width, (int)strlen(name_at(i)));
	for (int i = 0; i < n; i++) {
		const char *doc = doc_at && !names_only ? doc_at(i) : NULL;

		if (doc != NULL)
			printf("%-*s %s\n", width, name_at(i), doc);
		else
			printf("%s\n", name_at(i));
	}
}

static const char *violation_at(int i) { return violation_names[i]; }
static const char *violation_doc(int i) { return violation_docs[i]; }
static const char *counter_at(int i) { return counter_defs[i].name; }
static const char *counter_doc(int i) { return counter_defs[i].doc; }
static const char *event_at(int i) { return event_kind_names[i]; }
static const char *event_doc(int i) { return event_kind_docs[i]; }
static const char *routine_at(int i) { return routine_names[i]; }
static const char *routine_doc(int i) { return routine_docs[i]; }
static const char *field_at(int i) { return sockfield_names[i]; }
static const char *field_doc(int i) { return sockfield_docs[i]; }

/* `expect violation NAME` (violations.def) */
static int
list_violations(void)
{
	print_names(violation_at, violation_doc, V__COUNT);
	return 0;
}

/* `expect stat NAME` (counters.def) */
static int
list_counters(void)
{
	print_names(counter_at, counter_doc, ncounter_defs);
	return 0;
}

/* `expect SOCK.FIELD` (sockfields.def) */
static int
list_fields(void)
{
	print_names(field_at, field_doc, SF__COUNT);
	return 0;
}

/* the kinds of trace event and their fields (events.def) */
static int
list_events(void)
{
	print_names(event_at, event_doc, EVK__COUNT);
	if (names_only)
		return 0;
	printf("\nfields (docs/trace-format.md):\n");
	for (int k = 0; k < EVK__COUNT; k++) {
		const EventDef *d = &event_defs[k];

		if (d->nfields == 0)
			continue;
		printf("  %-10s", d->name);
		for (int i = 0; i < d->nfields; i++)
			printf(" %s:%s", d->fields[i].name, event_field_type_names[d->fields[i].type]);
		printf("\n");
	}
	return 0;
}

/* `expect share NAME` and --stats (routines.def) */
static int
list_routines(void)
{
	print_names(routine_at, routine_doc, R__COUNT);
	return 0;
}

static void
print_contexts(const Contexts *c)
{
	for (int f = 0; f < FAM__COUNT; f++)
		printf("%s%s %s", f ? ", " : "", family_names[f], context_defs[c->fam[f]].name);
}

/* The contexts (contexts.def), then every machine's preemption points
 * with the context each family is in there. */
static int
list_contexts(void)
{
	for (int i = 0; i < CTX__COUNT; i++) {
		const ContextDef *c = &context_defs[i];

		if (i == CTX_NA)
			continue;
		if (names_only) {
			printf("%s\n", c->name);
			continue;
		}
		printf("%-13s excludes %s; %s\n", c->name,
		    (c->excludes & EX_THREADS) && (c->excludes & EX_SOFTNET) ? "softnet and other threads" :
		    (c->excludes & EX_THREADS) ? "other threads" :
		    (c->excludes & EX_SOFTNET) ? "softnet" : "nobody",
		    c->sleeps ? "a sleep may start in it and releases it" : "no sleep may start in it");
		printf("%-13s %s\n", "", c->doc);
	}
	printf("\npreemption points (where a step may end), and the context there:\n");
	scenario_engine_init();
	for (int m = 0; m < MACH_MAX; m++) {
		const MachineDef *d = machine_def(m);

		for (int i = 0; d != NULL && i < d->nyields; i++) {
			char *t = g_strdup_printf("%s -> %s", d->states[d->yields[i].from],
			    d->states[d->yields[i].to]);

			printf("  %-15s %-26s ", d->name, t);
			print_contexts(&d->yields[i].ctx);
			printf("\n");
			g_free(t);
		}
		if (d != NULL && d->return_yields) {
			printf("  %-15s %-26s ", d->name, "return");
			print_contexts(&d->return_ctx);
			printf("\n");
		}
	}
	return 0;
}

/* The first paragraph of the comment a scenario file opens with, on one
 * line; NULL when it opens with none. */
static char *
scenario_summary(const char *path)
{
	char *text = NULL, **lines;
	GString *s = g_string_new(NULL);

	if (!g_file_get_contents(path, &text, NULL, NULL)) {
		g_string_free(s, TRUE);
		return NULL;
	}
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l != NULL && (*l)[0] == '#'; l++) {
		char *t = g_strstrip(*l + 1);

		if (t[0] == '\0') {
			if (s->len > 0)
				break;
			continue;
		}
		g_string_append_printf(s, "%s%s", s->len ? " " : "", t);
	}
	g_strfreev(lines);
	g_free(text);
	if (s->len == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The teaching scenarios, where this program finds them (cli_data_dir),
 * with what each shows. */
static int
list_scenarios(void)
{
	char *root = cli_scenarios_dir(), *dir;
	GPtrArray *names;
	GDir *d;
	const char *name;
	int width = 0;

	if (root == NULL) {
		fprintf(stderr, "sosim list: no scenarios found (looked in %s)\n", cli_scenarios_where());
		return 1;
	}
	dir = g_build_filename(root, "teaching", NULL);
	if ((d = g_dir_open(dir, 0, NULL)) == NULL) {
		fprintf(stderr, "sosim list: cannot read %s\n", dir);
		g_free(dir);
		g_free(root);
		return 1;
	}
	names = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".scn"))
			g_ptr_array_add(names, g_strdup(name));
	g_dir_close(d);
	g_ptr_array_sort(names, cmp_str);
	for (guint i = 0; i < names->len; i++)
		width = MAX(width, (int)strlen(names->pdata[i]));
	if (!names_only)
		printf("The lessons, in %s (sosim run %s/NAME.scn):\n", dir, dir);
	for (guint i = 0; i < names->len; i++) {
		char *path = g_build_filename(dir, (char *)names->pdata[i], NULL);
		char *summary = names_only ? NULL : scenario_summary(path);

		if (names_only)
			printf("%s\n", path);
		else
			printf("  %-*s  %s\n", width, (char *)names->pdata[i], summary ? summary : "");
		g_free(summary);
		g_free(path);
	}
	if (!names_only)
		printf("More in %s: history/ (historical bugs, before and after the fix), races/ "
		    "(explored), fidelity/ and regress/ (behaviour as the real kernels and their "
		    "regress tests show it), perf/.\n", root);
	g_ptr_array_free(names, TRUE);
	g_free(dir);
	g_free(root);
	return 0;
}

static const struct {
	const char *name;
	int (*print)(void);
} lists[] = {
	{ "profiles", list_profiles },
	{ "quirks", list_quirks },
	{ "scenarios", list_scenarios },
	{ "machines", list_machines },
	{ "violations", list_violations },
	{ "counters", list_counters },
	{ "fields", list_fields },
	{ "events", list_events },
	{ "routines", list_routines },
	{ "contexts", list_contexts },
};

/* "a, b or c" (last_sep " or ") or "a, b, c" (", ") */
static char *
list_kinds(const char *last_sep)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(lists); i++)
		g_string_append_printf(s, "%s%s",
		    i == 0 ? "" : i + 1 == G_N_ELEMENTS(lists) ? last_sep : ", ", lists[i].name);
	return g_string_free(s, FALSE);
}

static int
cmd_list(int argc, char **argv)
{
	gboolean names = FALSE;
	GOptionEntry entries[] = {
		{ "names", 'n', 0, G_OPTION_ARG_NONE, &names,
		  "Only the names, one a line (for scenarios: the paths), for scripts and completion", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	char *kinds;
	int rc;

	if (!cli_parse_options(&cli_cmd_list, entries, &argc, &argv, &rc))
		return rc;
	names_only = names;
	if (argc == 2)
		for (size_t i = 0; i < G_N_ELEMENTS(lists); i++)
			if (strcmp(argv[1], lists[i].name) == 0)
				return lists[i].print();
	if (argc < 2) {
		kinds = list_kinds(" or ");
		rc = cli_usage_error(&cli_cmd_list, "say what to list: %s", kinds);
	} else if (argc > 2) {
		rc = cli_usage_error(&cli_cmd_list, "one list at a time, not %s and %s", argv[1], argv[2]);
		kinds = NULL;
	} else {
		kinds = list_kinds(", ");
		rc = cli_usage_error(&cli_cmd_list, "unknown list '%s' (%s)", argv[1], kinds);
	}
	g_free(kinds);
	return rc;
}

const CliCommand cli_cmd_list = {
	"list",
	"list [--names] KIND\n"
	"       (KIND: profiles, quirks, scenarios, machines, violations, counters,\n"
	"       fields, events, routines or contexts)",
	cmd_list,
	"List profiles, quirks, the teaching scenarios and more, by name",
	"KIND is one of:\n\n"
	"  profiles    the kernels, with their constants and sources\n"
	"  quirks      the historical bugs a profile may have, the profiles with them\n"
	"  scenarios   the teaching scenarios (lessons), with what each shows: installed\n"
	"              ones, or the source tree's when sosim runs from its build tree\n"
	"  machines    the kernel routines' state machines (sosim dot --machine)\n"
	"  violations  the invariants (expect violation NAME)\n"
	"  counters    the counters (expect stat NAME)\n"
	"  fields      the socket fields (expect SOCK.FIELD)\n"
	"  events      the kinds of trace event and their fields (docs/trace-format.md)\n"
	"  routines    the routines of the cost profile (expect share NAME, run --stats)\n"
	"  contexts    the spl, mutex and lock contexts, and where each step may end",
	"0  listed\n"
	"1  no scenarios found (list scenarios)\n"
	"2  bad command line: no list, or an unknown one",
};
