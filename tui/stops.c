/*
 * stops.c: breakpoints (b) and the search (/) of `sosim tui` (tui_int.h).
 *
 * A breakpoint names what to stop at, and is read as the first of these
 * it can be:
 *   SOCKET.FIELD OP VALUE   a condition, as an `expect` line writes it
 *                           (b.rcv.cc == 0): stops where it becomes true
 *   ROUTINE:STATE           a routine's machine entering that state
 *   THREAD                  a step that thread (or softnet) is picked for
 *   KIND                    an event of that kind (wakeup, sockbuf, ...)
 *   ROUTINE                 a routine with a machine being entered; any
 *                           other routine of routines.def doing anything
 * The names come from the engine's registries, so a typo is an error
 * that lists what there is.
 */
#include "tui_int.h"
#include "event.h"
#include "machine.h"
#include "world.h"

#include <stdio.h>
#include <string.h>

static const char *
thread_at(const Tui *t, int i)
{
	const World *w = t->sk != NULL ? seeker_world(t->sk) : NULL;

	return w != NULL && i < w->nthreads ? thread_name(w, i) : NULL;
}

/* Whether name is a thread of the run (softnet too), or in a saved trace
 * a name some step was picked for. */
static bool
is_thread(const Tui *t, const char *name)
{
	if (strcmp(name, "softnet") == 0)
		return true;
	if (t->sk != NULL) {
		for (int i = 0; thread_at(t, i) != NULL; i++)
			if (strcmp(thread_at(t, i), name) == 0)
				return true;
		return false;
	}
	for (guint i = 0; i < t->log->len; i++) {
		const LogLine *l = &g_array_index(t->log, LogLine, i);

		if (l->kind == EVK_STEP && l->routine != NULL && strcmp(l->routine, name) == 0)
			return true;
	}
	return false;
}

static int
kind_find(const char *name)
{
	for (int k = 0; k < EVK__COUNT; k++)
		if (strcmp(event_kind_names[k], name) == 0)
			return k;
	return -1;
}

static bool
is_routine(const char *name)
{
	for (int r = 0; r < R__COUNT; r++)
		if (strcmp(routine_names[r], name) == 0)
			return true;
	return false;
}

static char *
state_list(const MachineDef *d)
{
	GString *s = g_string_new(NULL);

	for (int i = 0; i < d->nstates; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", d->states[i]);
	return g_string_free(s, FALSE);
}

/* ROUTINE:STATE, both from the machines' declarations. */
static bool
parse_state(Break *b, const char *text, char *err, size_t n)
{
	const char *colon = strchr(text, ':');
	char *name = g_strndup(text, (gsize)(colon - text));
	const MachineDef *d = machine_find(name);
	bool ok = false;

	if (d == NULL)
		snprintf(err, n, "no routine '%s' has a state machine (sosim list machines)", name);
	else {
		for (int i = 0; i < d->nstates && !ok; i++)
			ok = strcmp(d->states[i], colon + 1) == 0;
		if (!ok) {
			char *states = state_list(d);

			snprintf(err, n, "%s has no state '%s' (its states: %s)", d->name, colon + 1, states);
			g_free(states);
		}
	}
	if (ok) {
		b->type = BK_STATE;
		g_strlcpy(b->name, d->name, sizeof b->name);
		g_strlcpy(b->state, colon + 1, sizeof b->state);
	}
	g_free(name);
	return ok;
}

bool
break_parse(Tui *t, const char *text, Break *b, char *err, size_t n)
{
	char *s = g_strstrip(g_strdup(text));
	bool ok = true;

	memset(b, 0, sizeof *b);
	g_strlcpy(b->text, s, sizeof b->text);
	if (*s == '\0') {
		snprintf(err, n, "say what to stop at (? shows examples)");
		ok = false;
	} else if (strchr(s, '.') != NULL && strpbrk(s, "=<>!") != NULL) {
		if (t->cfg.cond_parse == NULL) {
			snprintf(err, n, "a condition needs the world: open the scenario, not a saved trace");
			ok = false;
		} else if ((b->cond = t->cfg.cond_parse(t->cfg.cond_ctx, s, err, n)) == NULL)
			ok = false;
		else
			b->type = BK_COND;
	} else if (strchr(s, ':') != NULL)
		ok = parse_state(b, s, err, n);
	else if (strlen(s) >= sizeof b->name) {
		snprintf(err, n, "'%.40s...' is not a name sosim knows", s);
		ok = false;
	} else if (is_thread(t, s)) {
		b->type = BK_THREAD;
		g_strlcpy(b->name, s, sizeof b->name);
	} else if ((b->kind = kind_find(s)) >= 0) {
		b->type = BK_KIND;
		g_strlcpy(b->name, s, sizeof b->name);
	} else if (machine_find(s) != NULL || is_routine(s)) {
		b->type = BK_ROUTINE;
		b->machine = machine_find(s) != NULL;
		g_strlcpy(b->name, s, sizeof b->name);
	} else {
		snprintf(err, n, "'%s' is not a thread, an event kind, a routine, ROUTINE:STATE "
		    "or SOCKET.FIELD OP VALUE (? shows examples)", s);
		ok = false;
	}
	g_free(s);
	return ok;
}

void
break_free(Tui *t, Break *b)
{
	if (b->type == BK_COND && b->cond != NULL && t->cfg.cond_free != NULL)
		t->cfg.cond_free(b->cond);
	b->cond = NULL;
}

bool
break_matches(const Break *b, const EvInfo *e)
{
	switch (b->type) {
	case BK_KIND:
		return e->kind == b->kind;
	case BK_THREAD:
		return e->kind == EVK_STEP && e->routine != NULL && strcmp(e->routine, b->name) == 0;
	case BK_ROUTINE:
		/* a machine: where it is entered, not each of its transitions */
		if (e->routine == NULL || strcmp(e->routine, b->name) != 0)
			return false;
		return b->machine ? e->kind == EVK_ENTER : e->kind != EVK_LEAVE;
	case BK_STATE:
		return e->kind == EVK_TRANS && e->routine != NULL && e->to != NULL &&
		    strcmp(e->routine, b->name) == 0 && strcmp(e->to, b->state) == 0;
	case BK_COND:
		return false;   /* on the world, after each step (log.c) */
	}
	return false;
}

bool
search_matches(const char *pat, const char *text)
{
	size_t n = strlen(pat);

	if (n == 0 || text == NULL)
		return false;
	for (const char *p = text; *p != '\0'; p++)
		if (g_ascii_strncasecmp(p, pat, n) == 0)
			return true;
	return false;
}

const char *
stops_match_event(const Tui *t, const EvInfo *e, int stops)
{
	for (int i = 0; (stops & SCAN_BREAKS) && i < t->nbreaks; i++)
		if (break_matches(&t->breaks[i], e))
			return t->breaks[i].text;
	return (stops & SCAN_SEARCH) && search_matches(t->search, e->text) ? t->search_said : NULL;
}

/* "b: reader, b.rcv.cc == 0  /: sbwait" for the events pane's title. */
void
stops_describe(Tui *t)
{
	size_t len = 0;

	t->stops_text[0] = '\0';
	for (int i = 0; i < t->nbreaks && len < sizeof t->stops_text; i++)
		len += (size_t)snprintf(t->stops_text + len, sizeof t->stops_text - len, "%s%s",
		    i == 0 ? "b: " : ", ", t->breaks[i].text);
	if (t->search[0] != '\0' && len < sizeof t->stops_text)
		snprintf(t->stops_text + len, sizeof t->stops_text - len, "%s/: %s", len ? "  " : "",
		    t->search);
}
