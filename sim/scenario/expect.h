/*
 * expect.h: the verdict of a run.
 */
#ifndef SOSIM_EXPECT_H
#define SOSIM_EXPECT_H

#include "scenario.h"

#define EXPECT_MAX 64

typedef struct {
	ScnPos pos;             /* 0:0 for verdicts no line asked for */
	bool ok;
	int index;              /* the scenario's expectation, -1 for op results and the outcome */
	int quant;              /* ScnQuant of that expectation */
	bool notrun;            /* operations a stopped run never ran: reported, ok */
	char msg[600];
} ExpectResult;

typedef struct {
	ExpectResult items[EXPECT_MAX];
	int n;
} ExpectReport;

/* Check the scenario's expectations, op results and the run's outcome;
 * returns the number that failed. */
int expect_check(World *w, ExpectReport *r);

/* a OP b, and OP as written (expect.c) */
bool scn_compare(int64_t a, ScnCmp op, int64_t b);
extern const char *const scn_cmp_names[6];

/* Whether a condition of scenario_parse_condition holds in w now. */
bool expect_condition_holds(World *w, const ScnExpect *e);
/* The same as the callbacks of the TUI's breakpoints (TuiConfig): a new
 * condition of scenario s (g_free it), or NULL with why in err; and
 * whether it holds (ctx unused). */
void *expect_condition_new(void *s, const char *text, char *err, size_t n);
bool expect_condition_test(void *ctx, const void *cond, World *w);

/* instantiate.c: a world from a scenario, with its own run (names, limits,
 * schedule); world_free frees both.  Registers the kernel and the
 * scenario's program machine with the engine on first use. */
World *world_new(const Scenario *scn, const Profile *prof, uint32_t quirks);
/* What world_new would leave out because the kernel refuses it: a
 * declared socket option (setsockopt would fail: a buffer above
 * kern.sbmax) or the socket itself (socket(2): soreserve of the default
 * buffers).  False with an error as the parser gives one, at the option
 * or the socket's name; the profile decides, so it is checked once it is
 * known (the command line may give it).  world_new leaves what is
 * refused as it was, as the kernel does. */
bool scenario_check_options(const Scenario *s, const Profile *prof, uint32_t quirks, GError **err);
void scenario_engine_init(void);

/* user.c: a scenario thread's program, the bottom frame of its thread */
extern const MachineDef mach_user;

/* The source line of the operation thread tid runs or runs next in world
 * w (the user machine's program counter), 0 when it has none left. */
int scenario_op_line(const Scenario *s, const World *w, int tid);
/* Whether thread tid's current operation was called and has not returned. */
bool scenario_op_started(const World *w, int tid);

#endif
