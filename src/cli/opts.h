/*
 * opts.h - the one option parser of the subcommands: each declares its
 * options as a table (long name, short letter, kind, where the value goes,
 * range) and its positional arguments, and xnr_cli_parse does the getopt_long
 * loop, the number checks, --help and the usage errors for all of them.
 */
#ifndef XNR_CLI_OPTS_H
#define XNR_CLI_OPTS_H

enum xnr_cli_opt_kind {
	XNR_OPT_FLAG, /* no value: *(int *)target = 1 */
	XNR_OPT_STR,  /* *(const char **)target = the value (borrowed from argv) */
	XNR_OPT_INT,  /* a whole decimal number in [min, max]: *(int *)target */
	XNR_OPT_REAL, /* a finite decimal number in [min, max]: *(double *)target */
	XNR_OPT_LIST, /* repeatable: the values fill target (const char *[max]), NULL-ended
	                 when there is room; *count (int) counts them */
};

struct xnr_cli_opt {
	const char *name; /* the long name without "--"; NULL ends a table */
	char letter;      /* the short option, or 0 */
	enum xnr_cli_opt_kind kind;
	void *target;
	double min, max; /* XNR_OPT_INT and XNR_OPT_REAL; XNR_OPT_LIST: max values */
	int *count;      /* XNR_OPT_LIST: how many were given */
};

/* What a subcommand is called and what it takes besides its options. */
struct xnr_cli_cmd {
	const char *name;  /* "run": messages say "explainer run: ..." */
	const char *usage; /* printed by --help */
	int min_args, max_args;
	const char **args;     /* the positional arguments (borrowed from argv), max_args of them */
	int *n_args;           /* how many were given; may be NULL */
	const char *args_hint; /* for a wrong count: "give exactly one run database" */
};

/* Parse argv (argv[0] is the subcommand) against opts, a table ending with a
 * NULL name; -h/--help is implied. Targets keep their values for options not
 * given, so the caller sets defaults first. Returns XNR_EXIT_OK, -1 after
 * --help (usage printed on stdout), or XNR_EXIT_USAGE after one line on stderr
 * naming the option and what it wants. */
int xnr_cli_parse(const struct xnr_cli_cmd *cmd, const struct xnr_cli_opt *opts, int argc,
                  char **argv);

#endif
