/*
 * test_trace.c: the JSONL trace against the registry of event kinds
 * (events.def), for every scenario in scenarios/.
 *
 * A checker made from event_defs: the first record is the header, the
 * last the summary; between them every record is a known kind (or a
 * verdict) with the members every event has, exactly the fields its
 * kind declares, each of its declared type, and nothing else: no member
 * whose meaning changes with the kind.
 */
#include <check.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "expect.h"
#include "sched.h"
#include "trace.h"

static bool
is_int(JsonNode *n)
{
	return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64;
}

static bool
is_string(JsonNode *n)
{
	return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

static bool
is_bool(JsonNode *n)
{
	return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_BOOLEAN;
}

/* Does n hold a value of field type t (events.def)? */
static bool
field_ok(EventFieldType t, JsonNode *n)
{
	switch (t) {
	case FT_INT:
	case FT_BYTES:
	case FT_NS:
		return is_int(n);
	case FT_BOOL:
		return is_bool(n);
	case FT_THREAD:
	case FT_ERRNO:
	case FT_SOCK:
		return JSON_NODE_HOLDS_NULL(n) || is_string(n);
	case FT_ENTITY:
	case FT_CHAN:
		return is_string(n);
	case FT_MSGFLAGS:
	case FT_SOSTATE:
	case FT_SBFLAGS:
		if (!JSON_NODE_HOLDS_ARRAY(n))
			return false;
		for (guint i = 0; i < json_array_get_length(json_node_get_array(n)); i++)
			if (!is_string(json_array_get_element(json_node_get_array(n), i)))
				return false;
		return true;
	default:
		return false;
	}
}

static int
kind_of(const char *name)
{
	for (int k = 0; k < EVK__COUNT; k++)
		if (strcmp(event_defs[k].name, name) == 0)
			return k;
	return -1;
}

/* One event record; returns NULL or what is wrong. */
static char *
check_event(JsonObject *o, int kind)
{
	const EventDef *d = &event_defs[kind];
	GList *members = json_object_get_members(o);
	char *bad = NULL;

	for (int i = 0; i < d->nfields && bad == NULL; i++) {
		JsonNode *n = json_object_get_member(o, d->fields[i].name);

		if (n == NULL)
			bad = g_strdup_printf("kind %s lacks its field %s", d->name, d->fields[i].name);
		else if (!field_ok(d->fields[i].type, n))
			bad = g_strdup_printf("kind %s: field %s is not of type %s", d->name, d->fields[i].name,
			    event_field_type_names[d->fields[i].type]);
	}
	for (GList *l = members; l != NULL && bad == NULL; l = l->next) {
		const char *m = l->data;
		JsonNode *n = json_object_get_member(o, m);
		bool known = false;

		if (strcmp(m, "kind") == 0)
			continue;
		if (strcmp(m, "step") == 0 || strcmp(m, "time_ns") == 0) {
			if (!is_int(n))
				bad = g_strdup_printf("kind %s: %s is not an integer", d->name, m);
			continue;
		}
		if (strcmp(m, "thread") == 0 || strcmp(m, "routine") == 0 || strcmp(m, "socket") == 0 ||
		    strcmp(m, "text") == 0 ||
		    ((strcmp(m, "from") == 0 || strcmp(m, "to") == 0) && kind == EVK_TRANS)) {
			if (!is_string(n))
				bad = g_strdup_printf("kind %s: %s is not a string", d->name, m);
			continue;
		}
		if (strcmp(m, "buffer") == 0) {
			if (!is_string(n) || (strcmp(json_node_get_string(n), "so_rcv") != 0 &&
			    strcmp(json_node_get_string(n), "so_snd") != 0))
				bad = g_strdup_printf("kind %s: buffer is neither so_rcv nor so_snd", d->name);
			continue;
		}
		for (int i = 0; i < d->nfields; i++)
			known |= strcmp(d->fields[i].name, m) == 0;
		if (!known)
			bad = g_strdup_printf("kind %s: member %s is not one of its fields", d->name, m);
	}
	g_list_free(members);
	if (bad == NULL && (!json_object_has_member(o, "step") || !json_object_has_member(o, "thread")))
		bad = g_strdup_printf("kind %s: no step or thread", d->name);
	return bad;
}


/* Every line of one JSONL trace; the number of records. */
static int
check_trace(const char *path, char *text, size_t len, int *kinds_seen)
{
	JsonParser *p = json_parser_new();
	char *end = text + len, *line, *next, *last = NULL;
	int n = 0, i = 0;

	/* lines by memchr over the known length: g_strsplit's strstr and
	 * ASan's interceptor of it would scan the rest of the text each time */
	for (line = text; line < end; line = next + 1) {
		next = memchr(line, '\n', (size_t)(end - line));
		if (next == NULL)
			next = end;
		if (next > line)
			last = line;
	}
	for (line = text; line < end; line = next + 1, i++) {
		GError *err = NULL;
		JsonObject *o;
		const char *kind;
		char *bad = NULL;

		next = memchr(line, '\n', (size_t)(end - line));
		if (next == NULL)
			next = end;
		if (next == line)
			continue;
		ck_assert_msg(json_parser_load_from_data(p, line, next - line, &err), "%s:%d: not JSON: %s",
		    path, i + 1, err ? err->message : "");
		ck_assert_msg(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)), "%s:%d: not an object",
		    path, i + 1);
		o = json_node_get_object(json_parser_get_root(p));
		ck_assert_msg(json_object_has_member(o, "kind"), "%s:%d: no kind", path, i + 1);
		kind = json_object_get_string_member(o, "kind");
		if (i == 0) {
			ck_assert_msg(strcmp(kind, "header") == 0, "%s: the first record is %s", path, kind);
			ck_assert_int_eq(json_object_get_int_member(o, "format"), TRACE_FORMAT_VERSION);
			ck_assert(is_string(json_object_get_member(o, "profile")));
			ck_assert(JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "quirks")));
			ck_assert(json_object_has_member(o, "seed") && json_object_has_member(o, "schedule"));
		} else if (line == last) {
			ck_assert_msg(strcmp(kind, "summary") == 0, "%s: the last record is %s", path, kind);
			ck_assert(is_string(json_object_get_member(o, "verdict")));
			ck_assert(is_int(json_object_get_member(o, "steps")));
			ck_assert(JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, "counters")));
		} else if (strcmp(kind, "verdict") != 0) {
			int k = kind_of(kind);

			ck_assert_msg(k >= 0, "%s:%d: unknown kind %s", path, i + 1, kind);
			kinds_seen[k]++;
			bad = check_event(o, k);
			ck_assert_msg(bad == NULL, "%s:%d: %s", path, i + 1, bad);
		}
		n++;
	}
	g_object_unref(p);
	return n;
}

/* The JSONL trace of a scenario, as `sosim run --format jsonl` writes it. */
static char *
jsonl_of(const char *path, size_t *lenp)
{
	GError *err = NULL;
	Scenario *s = scenario_parse_file(path, &err);
	const Profile *p;
	World *w;
	TraceWriter tw;
	TraceHeader h = { path, NULL, NULL, false, 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_msg(s != NULL, "%s: %s", path, err ? err->message : "");
	p = profile_find(s->profile ? s->profile : "netbsd-2.0");
	w = world_new(s, p, (p->quirks | s->quirks_on) & ~s->quirks_off);
	if (s->has_seed)
		world_set_seed(w, (uint64_t)s->seed);
	h.description = s->description;
	trace_writer_init(&tw, fp, TRACE_JSONL);
	trace_header(&tw, w, &h);
	w->run->sink.fn = trace_emit;
	w->run->sink.ctx = &tw;
	sched_run(w);
	trace_verdict(&tw, path, 1, 1, VERDICT_HELD, "a verdict line");
	trace_summary(&tw, w, 0);
	trace_writer_finish(&tw);
	fclose(fp);
	world_free(w);
	scenario_free(s);
	*lenp = len;
	return buf;
}

START_TEST(test_every_trace_follows_the_registry)
{
	const char *root = g_getenv("SOSIM_SOURCE_ROOT");
	static const char *const dirs[] = { "teaching", "history", "races", "perf" };
	int files = 0, kinds_seen[EVK__COUNT] = { 0 };

	ck_assert_msg(root != NULL, "SOSIM_SOURCE_ROOT is not set");
	for (size_t d = 0; d < G_N_ELEMENTS(dirs); d++) {
		char *dir = g_build_filename(root, "scenarios", dirs[d], NULL);
		GDir *gd = g_dir_open(dir, 0, NULL);
		const char *name;

		while (gd != NULL && (name = g_dir_read_name(gd)) != NULL) {
			char *path, *text;
			size_t len;

			if (!g_str_has_suffix(name, ".scn"))
				continue;
			path = g_build_filename(dir, name, NULL);
			text = jsonl_of(path, &len);
			ck_assert_int_gt(check_trace(path, text, len, kinds_seen), 2);
			free(text);
			g_free(path);
			files++;
		}
		if (gd != NULL)
			g_dir_close(gd);
		g_free(dir);
	}
	ck_assert_int_gt(files, 50);
	/* every kind the registry declares shows up in some scenario's trace */
	for (int k = 0; k < EVK__COUNT; k++)
		ck_assert_msg(kinds_seen[k] > 0, "no scenario's trace has an event of kind %s",
		    event_defs[k].name);
}
END_TEST

/* The checker itself: a record with a generic or wrongly typed member
 * fails; and no kind names a field like a member every event has. */
START_TEST(test_checker_refuses)
{
	static const char *const common[] = { "kind", "step", "time_ns", "thread", "routine", "socket",
		"buffer", "text", "from", "to" };

	for (int k = 0; k < EVK__COUNT; k++)
		for (int i = 0; i < event_defs[k].nfields; i++)
			for (size_t c = 0; c < G_N_ELEMENTS(common); c++)
				ck_assert_msg(strcmp(event_defs[k].fields[i].name, common[c]) != 0,
				    "kind %s: field %s is a member every event has", event_defs[k].name, common[c]);
	static const struct {
		const char *json;
		bool ok;
	} cases[] = {
		{ "{\"kind\":\"expect\",\"step\":1,\"time_ns\":0,\"thread\":\"t\",\"held\":true}", true },
		{ "{\"kind\":\"expect\",\"step\":1,\"time_ns\":0,\"thread\":\"t\",\"held\":true,\"a\":1}", false },
		{ "{\"kind\":\"expect\",\"step\":1,\"time_ns\":0,\"thread\":\"t\",\"held\":1}", false },
		{ "{\"kind\":\"expect\",\"step\":1,\"time_ns\":0,\"thread\":\"t\"}", false },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		JsonNode *n = json_from_string(cases[i].json, NULL);
		char *bad = check_event(json_node_get_object(n), EVK_EXPECT);

		ck_assert_msg((bad == NULL) == cases[i].ok, "case %zu: %s", i, bad ? bad : "accepted");
		g_free(bad);
		json_node_unref(n);
	}
}
END_TEST

/* docs/trace-format.md names every kind and every field of the registry. */
START_TEST(test_format_doc_covers_registry)
{
	char *path = g_build_filename(g_getenv("SOSIM_SOURCE_ROOT"), "docs", "trace-format.md", NULL);
	char *doc = NULL;

	ck_assert_msg(g_file_get_contents(path, &doc, NULL, NULL), "cannot read %s", path);
	for (int k = 0; k < EVK__COUNT; k++) {
		char *head = g_strdup_printf("### `%s`", event_defs[k].name);

		ck_assert_msg(strstr(doc, head) != NULL, "%s does not document kind %s", path,
		    event_defs[k].name);
		for (int i = 0; i < event_defs[k].nfields; i++) {
			char *row = g_strdup_printf("| `%s` | %s |", event_defs[k].fields[i].name,
			    event_field_type_names[event_defs[k].fields[i].type]);
			const char *at = strstr(doc, head);
			const char *next = strstr(at + 1, "\n### ");

			ck_assert_msg(strstr(at, row) != NULL && (next == NULL || strstr(at, row) < next),
			    "%s: kind %s does not list its field %s as %s", path, event_defs[k].name,
			    event_defs[k].fields[i].name, event_field_type_names[event_defs[k].fields[i].type]);
			g_free(row);
		}
		g_free(head);
	}
	g_free(doc);
	g_free(path);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("jsonl");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_every_trace_follows_the_registry);
	tcase_add_test(tc, test_checker_refuses);
	tcase_add_test(tc, test_format_doc_covers_registry);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
