/*
 * cmd-list.c: `sosim list KIND`: what the simulator knows by name, read
 * from the registries that the parser and the engine use.
 */
#include "cli.h"
#include "event.h"
#include "expect.h"
#include "machine.h"
#include "profile.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static int
list_profiles(void)
{
	for (int i = 0; i < nprofiles; i++) {
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
		GString *on = g_string_new(NULL);

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
		const char *doc = doc_at ? doc_at(i) : NULL;

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

static const struct {
	const char *name;
	int (*print)(void);
} lists[] = {
	{ "profiles", list_profiles },
	{ "quirks", list_quirks },
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
	char *kinds;

	if (argc == 2)
		for (size_t i = 0; i < G_N_ELEMENTS(lists); i++)
			if (strcmp(argv[1], lists[i].name) == 0)
				return lists[i].print();
	if (argc != 2) {
		kinds = list_kinds(" or ");
		fprintf(stderr, "sosim list: say what to list: %s\n", kinds);
	} else {
		kinds = list_kinds(", ");
		fprintf(stderr, "sosim list: unknown list '%s' (%s)\n", argv[1], kinds);
	}
	g_free(kinds);
	return EXIT_BAD_INPUT;
}

const CliCommand cli_cmd_list = {
	"list",
	"list profiles|quirks|machines|violations|counters|fields|events|routines|contexts",
	cmd_list,
};
