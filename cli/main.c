/*
 * sosim: the command line over the simulator and its trace.
 *
 *   sosim run FILE [--profile P] [--quirk Q[=off]]... [--seed N]
 *                  [--format text|jsonl|chrome] [--stats] [-o FILE]
 *                  [--max-steps N] [--max-bytes SIZE] [--max-time D] [--max-mbufs N]
 *                  [--check every-step|end] [--quiet] [--schedule STEP:THREAD,...|FILE]
 *   sosim explore FILE [--profile P] [--quirk Q]... [--preemptions K]
 *                  [--max-states N] [--random N [--seed S] [--depth D]]
 *                  [--save FILE] [--no-por] [--max-checkpoint-mem SIZE]
 *   sosim check [DIR|FILE]...
 *   sosim list [--names] profiles|quirks|scenarios|machines|violations|counters|
 *                  fields|events|routines|contexts
 *   sosim dot FILE [--at STEP] [--buffer SOCKET.rcv|SOCKET.snd] [--splice]
 *                  [--profile P] [--quirk Q]... [--seed N] [--schedule S]
 *                  [-o FILE.dot|.svg|.png|.pdf]
 *   sosim dot [FILE] --machine NAME [--at STEP] [-o FILE]
 *   sosim tui FILE [--profile P] [--quirk Q]... [--seed N] [--schedule S] [--at STEP]
 *                  [--max-checkpoint-mem SIZE]
 *   sosim help [COMMAND]            sosim COMMAND --help
 *   sosim version                   sosim --version
 *
 * Exit status: 0 every expectation held, 1 one failed, 2 bad input (the
 * command line or a scenario); run: 3 when a limit stopped the run
 * (steps, bytes, time, the simulator's pools); explore: 3 when a limit
 * stopped it before every schedule was tried; run and dot: 4 when the
 * output could not be written; run and explore: 130 (SIGINT), 143 (SIGTERM)
 * after a partial verdict, the output complete (docs/scenario-language.md,
 * Limits).  Each command's help lists its own (cli_help).
 *
 * Each command lives in its own file (cmd-NAME.c); this one only finds it
 * and says what there is.  man/sosim.1 is the manual.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const CliCommand *const commands[] = {
	&cli_cmd_run,
	&cli_cmd_explore,
	&cli_cmd_check,
	&cli_cmd_list,
	&cli_cmd_dot,
	&cli_cmd_tui,
};

/* `sosim help`: every command with one line. */
static void
overview(FILE *fp)
{
	fprintf(fp, "usage: sosim COMMAND [ARGUMENTS] [OPTIONS]\n\n"
	    "sosim %s simulates and traces the BSD socket layer, deterministically.\n\n"
	    "Commands:\n", SOSIM_VERSION);
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(fp, "  %-9s%s\n", commands[i]->name, commands[i]->summary);
	fprintf(fp, "  %-9s%s\n", "help", "Print the help of a command: sosim help COMMAND");
	fprintf(fp, "  %-9s%s\n", "version", "Print the version (also sosim --version)");
	fprintf(fp, "\nRun `sosim help COMMAND` (or `sosim COMMAND --help`) for its options and exit\n"
	    "statuses, `man sosim` for the manual.  The scenarios to start with:\n"
	    "`sosim list scenarios`.\n");
}

static const CliCommand *
find(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(name, commands[i]->name) == 0)
			return commands[i];
	return NULL;
}

static int
unknown_command(const char *name)
{
	fprintf(stderr, "sosim: unknown command '%s'; the commands:", name);
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(stderr, " %s", commands[i]->name);
	fprintf(stderr, " help version\nRun `sosim help` for what each does.\n");
	return EXIT_BAD_INPUT;
}

/* `sosim help [COMMAND]` */
static int
help(int argc, char **argv)
{
	const CliCommand *c;

	if (argc < 3) {
		overview(stdout);
		return 0;
	}
	if (argc > 3) {
		fprintf(stderr, "sosim help: give one command, not %s and %s\n", argv[2], argv[3]);
		return EXIT_BAD_INPUT;
	}
	if (strcmp(argv[2], "help") == 0 || strcmp(argv[2], "version") == 0) {
		overview(stdout);
		return 0;
	}
	if ((c = find(argv[2])) == NULL)
		return unknown_command(argv[2]);
	{
		/* the command's own --help: its option table is its own */
		char *args[] = { (char *)c->name, (char *)"--help", NULL };

		return c->exec(2, args);
	}
}

int
main(int argc, char **argv)
{
	const CliCommand *c;

	if (argv[0] != NULL && argv[0][0] != '\0')
		cli_progname = argv[0];
	if (argc < 2) {
		overview(stderr);
		return EXIT_BAD_INPUT;
	}
	if ((c = find(argv[1])) != NULL)
		return c->exec(argc - 1, argv + 1);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)
		return help(argc, argv);
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "-V") == 0) {
		if (argc > 2) {
			fprintf(stderr, "sosim %s: takes no arguments\n", argv[1]);
			return EXIT_BAD_INPUT;
		}
		printf("sosim %s\n", SOSIM_VERSION);
		return 0;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "sosim: unknown option %s before the command\n", argv[1]);
		overview(stderr);
		return EXIT_BAD_INPUT;
	}
	return unknown_command(argv[1]);
}
