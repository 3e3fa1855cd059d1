/*
 * dictgen.c: the fuzzers' dictionary (fuzz/sosim.dict), from the
 * simulator itself.
 *
 *   fuzz_dictgen                 the dictionary on stdout
 *   fuzz_dictgen --write FILE    write it (meson compile -C BUILD fuzz-dict)
 *   fuzz_dictgen --check FILE    exit 1 unless FILE is what it would write
 *                                (the test `fuzz dictionary is current`)
 *
 * The names come from two places.  The engine's registries (profiles,
 * quirks, counters, violations, routines, socket fields, so_state bits,
 * errno names, event kinds, machines, kernel threads) are public arrays.
 * The parser's own words (statements, operations, flags, options, limits,
 * events, expectations, units, ...) live in its private tables; each is
 * listed by the message the parser gives for a word it does not know
 * ("unknown operation 'zzz' (known: send, sendto, ...)"), so a probe
 * scenario with such a word reads the table as a user would.  A probe
 * whose message no longer holds its list is an error, not a quieter
 * dictionary.  The few words and marks no message lists are below
 * (syntax[]).
 */
#include "errno_names.h"
#include "event.h"
#include "expect.h"
#include "kern.h"
#include "machine.h"
#include "profile.h"
#include "scenario.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

typedef struct {
	GString *out;
	GHashTable *seen;
	const char *section;    /* its title goes out with its first new word */
} Dict;

static void
section(Dict *d, const char *title)
{
	d->section = title;
}

/* One entry, quoted and escaped as libFuzzer and AFL++ read it; each
 * word once, where it first comes. */
static void
add(Dict *d, const char *word)
{
	if (word == NULL || word[0] == '\0' || g_hash_table_contains(d->seen, word))
		return;
	g_hash_table_add(d->seen, g_strdup(word));
	if (d->section != NULL)
		g_string_append_printf(d->out, "\n# %s\n", d->section);
	d->section = NULL;
	g_string_append_c(d->out, '"');
	for (const unsigned char *c = (const unsigned char *)word; *c; c++) {
		if (*c == '"' || *c == '\\' || *c < 0x20 || *c >= 0x7f)
			g_string_append_printf(d->out, "\\x%02x", *c);
		else
			g_string_append_c(d->out, (char)*c);
	}
	g_string_append(d->out, "\"\n");
}

/* An item of a message's list: 'rd' -> rd, max=SIZE -> max=; with
 * placeholders, the words in capitals (SOCKET.FIELD, THREAD) are what
 * the user writes in their place and are left out (SOCKET.state -> state). */
static void
add_item(Dict *d, const char *item, bool placeholders)
{
	char *w = g_strstrip(g_strdup(item));
	size_t n = strlen(w);
	char *eq;

	if (n >= 2 && w[0] == '\'' && w[n - 1] == '\'') {
		memmove(w, w + 1, n - 2);
		w[n - 2] = '\0';
	}
	if ((eq = strchr(w, '=')) != NULL && eq != w && eq[1] != '=') {
		eq[1] = '\0';
		add(d, w);
	} else if (placeholders) {
		char **parts = g_strsplit_set(w, " .", -1);

		for (char **p = parts; *p; p++) {
			bool caps = true;

			for (const char *c = *p; *c; c++)
				if (g_ascii_islower(*c))
					caps = false;
			if (!caps)
				add(d, *p);
		}
		g_strfreev(parts);
	} else
		add(d, w);
	g_free(w);
}

typedef struct {
	const char *what;       /* the section */
	const char *text;       /* a scenario with one word the parser does not know */
	const char *marker;     /* the list follows this in the message */
	bool placeholders;
} Probe;

/* The list in the message probe p's scenario gets; false when the
 * scenario parses or the message has no such list. */
static bool
probe(Dict *d, const Probe *p)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_string("probe.scn", p->text, &err);
	const char *at, *end, *alt;
	char *list, **items;

	if (s != NULL) {
		scenario_free(s);
		fprintf(stderr, "fuzz_dictgen: the probe for %s parsed: %s\n", p->what, p->text);
		return false;
	}
	at = strstr(err->message, p->marker);
	if (at == NULL) {
		fprintf(stderr, "fuzz_dictgen: the probe for %s got no '%s' list:\n%s\n", p->what,
		    p->marker, err->message);
		g_error_free(err);
		return false;
	}
	at += strlen(p->marker);
	end = at + strcspn(at, ")\n");
	if ((alt = strstr(at, ", not '")) != NULL && alt < end)
		end = alt;
	list = g_strndup(at, (gsize)(end - at));
	/* "a, b or c" and "a or b" */
	items = g_strsplit(list, ", ", -1);
	section(d, p->what);
	for (char **i = items; *i; i++) {
		char **alts = g_strsplit(*i, " or ", -1);

		for (char **a = alts; *a; a++)
			add_item(d, *a, p->placeholders);
		g_strfreev(alts);
	}
	g_strfreev(items);
	g_free(list);
	g_error_free(err);
	return true;
}

#define DECL "tcp a b\ntcp c d\nudp u\nthread t:\n    sleep 1s\n"

static const Probe probes[] = {
	{ "statements", "zzz\n", "known: ", false },
	{ "operations", "tcp a b\nthread t:\n    zzz a\n", "known: ", false },
	{ "flags", "tcp a b\nthread t:\n    send a 1 ZZZ\n", "known: ", false },
	{ "socket options", "tcp a b zzz=1\n", "known: ", false },
	{ "limits", "limit zzz 1\n", "known: ", false },
	{ "sysctls", "sysctl zzz=1\n", "known: ", false },
	{ "events", "at 1s zzz\n", "known: ", false },
	{ "datagram events", DECL "at 1s datagram u zzz\n", "expected ", false },
	{ "datagram lengths", DECL "at 1s datagram u from 10.0.0.9:9 zzz\n", "expected ", false },
	{ "expectations", "expect zzz\n", "known: ", true },
	{ "comparisons", "expect time zzz 1s\n", "known: ", false },
	{ "so_state tests", DECL "expect a.state zzz SS_ISCONNECTED\n", "expected ", false },
	{ "leaks", "expect leaked zzz < 1\n", "expected ", false },
	{ "sleeps", DECL "expect t zzz\n", "expected ", false },
	{ "sleeps on", DECL "expect t sleeps zzz\n", "expected ", false },
	{ "shutdown", "tcp a b\nthread t:\n    shutdown a zzz\n", "known: ", false },
	{ "kttcp", "tcp a b\nthread t:\n    kttcp zzz a 1\n", "expected ", false },
	{ "poll", "tcp a b\nthread t:\n    poll a zzz\n", "expected ", false },
	{ "splice", DECL "thread s:\n    splice a c zzz\n", "takes ", false },
	{ "explore", "explore zzz\n", "takes ", false },
	{ "sizes", "limit bytes 1zzz\n", "optional ", false },
	{ "durations", "limit time 1zzz\n", "unit: ", false },
};

/* What no message lists: the language's marks and a few fixed words. */
static const char *const syntax[] = {
	"=>", "|", ":", ";", "=", "#", " ", "\n", "\n    ", "-", "%",
	"always", "sometimes", "on", "off", "connect=", "control", "timeout=", "optlen=",
	"any", "all", "badfd", "notsock", "none", "127.0.0.1:", "10.0.0.1:5001",
};

static void
registries(Dict *d)
{
	section(d, "profiles");
	for (int i = 0; i < nprofiles; i++)
		add(d, profiles[i].name);
	section(d, "quirks");
	for (int k = 0; k < QUIRK__COUNT; k++)
		add(d, quirk_defs[k].name);
	section(d, "socket fields");
	for (int i = 0; i < SF__COUNT; i++)
		add(d, sockfield_names[i]);
	section(d, "so_state bits");
	for (int b = 0; b < 16; b++)
		add(d, sostate_bit_names[b]);
	section(d, "counters");
	for (int i = 0; i < ncounter_defs; i++)
		add(d, counter_defs[i].name);
	section(d, "violations");
	for (int i = 0; i < V__COUNT; i++)
		add(d, violation_names[i]);
	section(d, "routines");
	for (int i = 0; i < R__COUNT; i++)
		add(d, routine_names[i]);
	section(d, "errno names");
	for (int e = -1; e < 256; e++)
		if (e != 0 && strncmp(errno_name(e), "E?", 2) != 0)
			add(d, errno_name(e));
	add(d, "EAGAIN");
	section(d, "kernel threads");
	add(d, "softnet");
	for (int k = TK_USER + 1; k < TK__COUNT; k++)
		add(d, kthread_name(k));
	section(d, "machines");
	scenario_engine_init();
	for (int m = 0; m < MACH_MAX; m++)
		if (machine_def(m) != NULL)
			add(d, machine_def(m)->name);
	section(d, "event kinds");
	for (int i = 0; i < EVK__COUNT; i++)
		add(d, event_kind_names[i]);
}

static char *
generate(void)
{
	Dict d = { g_string_new(NULL), g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL), NULL };
	bool ok = true;

	g_string_append(d.out,
	    "# fuzz/sosim.dict: the words of the scenario language, for libFuzzer\n"
	    "# (-dict=) and AFL++ (-x).  Written by fuzz/dictgen.c from the parser's\n"
	    "# messages and the engine's registries; do not edit: `meson compile -C\n"
	    "# BUILD fuzz-dict` writes it again and the suite checks it is current.\n");
	for (size_t i = 0; i < G_N_ELEMENTS(probes); i++)
		ok = probe(&d, &probes[i]) && ok;
	registries(&d);
	section(&d, "syntax");
	for (size_t i = 0; i < G_N_ELEMENTS(syntax); i++)
		add(&d, syntax[i]);
	g_hash_table_destroy(d.seen);
	if (!ok) {
		g_string_free(d.out, TRUE);
		return NULL;
	}
	return g_string_free(d.out, FALSE);
}

int
main(int argc, char **argv)
{
	char *dict = generate(), *have = NULL;
	GError *err = NULL;
	int rc = 0;

	if (dict == NULL)
		return 1;
	if (argc == 1)
		fputs(dict, stdout);
	else if (argc == 3 && strcmp(argv[1], "--write") == 0) {
		if (!g_file_set_contents(argv[2], dict, -1, &err)) {
			fprintf(stderr, "fuzz_dictgen: %s\n", err->message);
			g_error_free(err);
			rc = 1;
		}
	} else if (argc == 3 && strcmp(argv[1], "--check") == 0) {
		if (!g_file_get_contents(argv[2], &have, NULL, &err)) {
			fprintf(stderr, "fuzz_dictgen: %s\n", err->message);
			g_error_free(err);
			rc = 1;
		} else if (strcmp(have, dict) != 0) {
			fprintf(stderr, "fuzz_dictgen: %s is not current: write it again with "
			    "`meson compile -C BUILD fuzz-dict`\n", argv[2]);
			rc = 1;
		} else
			printf("%s is current\n", argv[2]);
		g_free(have);
	} else {
		fprintf(stderr, "usage: fuzz_dictgen [--write FILE | --check FILE]\n");
		rc = 2;
	}
	g_free(dict);
	return rc;
}
