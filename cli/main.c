/*
 * sosim: the command line over the simulator and its trace.
 *
 *   sosim run FILE [--profile P] [--quirk Q[=off]]... [--seed N]
 *                  [--format text|jsonl] [--stats] [-o FILE] [--max-steps N]
 *                  [--check every-step|end] [--quiet]
 *                  [--schedule STEP:THREAD,...|FILE]
 *   sosim explore FILE [--profile P] [--quirk Q]... [--preemptions K]
 *                  [--max-states N] [--random N [--seed S] [--depth D]]
 *                  [--save FILE]
 *   sosim check [DIR|FILE]...
 *   sosim list profiles|quirks|machines|violations|counters|fields|events|routines
 *   sosim dot FILE [--at STEP] [--buffer SOCKET.rcv|SOCKET.snd] [--splice]
 *                  [--profile P] [--quirk Q]... [--seed N] [--schedule S]
 *                  [-o FILE.dot|.svg|.png|.pdf]
 *   sosim dot [FILE] --machine NAME [--at STEP] [-o FILE]
 *   sosim tui FILE [--profile P] [--quirk Q]... [--seed N] [--schedule S] [--at STEP]
 *
 * Exit status: 0 every expectation held, 1 one failed, 2 bad input;
 * explore: 3 when a limit stopped it before every schedule was tried;
 * dot: 0 when the picture was written, 4 when it could not be.
 *
 * Each command lives in its own file (cmd-NAME.c); this one only finds it.
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

static void
usage(FILE *fp)
{
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(fp, "%s sosim %s\n", i == 0 ? "usage:" : "      ", commands[i]->usage);
	fputs("       sosim help\n"
	    "Run `sosim run --help` for the options of run.\n", fp);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_BAD_INPUT;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			return commands[i]->exec(argc - 1, argv + 1);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "sosim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_BAD_INPUT;
}
