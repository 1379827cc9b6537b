/*
 * opts.c - the table-driven option parser of the subcommands (opts.h), over
 * getopt_long: the tables become its long options and short-option string
 * once per call, values are checked here, and every failure is one usage
 * line from xnr_cli_usage_error.
 */
#include "cli/opts.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

#define OPTS_MAX 40

/* getopt_long's id of option i: its letter, or a number past any byte. */
static int opt_id(const struct xnr_cli_opt *o, int i)
{
	return o->letter ? o->letter : 256 + i;
}

/* The getopt tables for opts, with --help last; -1 if there are too many. */
static int build(const struct xnr_cli_opt *opts, struct option *lo, char *shorts)
{
	int n = 0, k = 0;

	for (; opts[n].name; n++) {
		if (n + 2 > OPTS_MAX)
			return -1;
		lo[n].name = opts[n].name;
		lo[n].has_arg = opts[n].kind == XNR_OPT_FLAG ? no_argument : required_argument;
		lo[n].flag = NULL;
		lo[n].val = opt_id(&opts[n], n);
		if (opts[n].letter) {
			shorts[k++] = opts[n].letter;
			if (opts[n].kind != XNR_OPT_FLAG)
				shorts[k++] = ':';
		}
	}
	lo[n] = (struct option){"help", no_argument, NULL, 'h'};
	lo[n + 1] = (struct option){NULL, 0, NULL, 0};
	shorts[k++] = 'h';
	shorts[k] = '\0';
	return n;
}

static int parse_real(const char *cmd, const struct xnr_cli_opt *o, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !isfinite(v) || v < o->min || v > o->max)
		return xnr_cli_usage_error(cmd, "--%s wants a number from %g to %g, got \"%s\"",
		                           o->name, o->min, o->max, s);
	*(double *)o->target = v;
	return XNR_EXIT_OK;
}

/* Store one option's value; XNR_EXIT_USAGE (printed) when it does not fit. */
static int take(const char *cmd, const struct xnr_cli_opt *o, const char *value)
{
	char flag[64];

	switch (o->kind) {
	case XNR_OPT_FLAG:
		*(int *)o->target = 1;
		return XNR_EXIT_OK;
	case XNR_OPT_STR:
		*(const char **)o->target = value;
		return XNR_EXIT_OK;
	case XNR_OPT_INT:
		snprintf(flag, sizeof flag, "--%s", o->name);
		return xnr_cli_parse_int(cmd, flag, value, (int)o->min, (int)o->max, o->target)
		           ? XNR_EXIT_USAGE
		           : XNR_EXIT_OK;
	case XNR_OPT_REAL:
		return parse_real(cmd, o, value);
	case XNR_OPT_LIST:
		if (*o->count >= (int)o->max)
			return xnr_cli_usage_error(cmd, "--%s: at most %d", o->name, (int)o->max);
		((const char **)o->target)[(*o->count)++] = value;
		if (*o->count < (int)o->max)
			((const char **)o->target)[*o->count] = NULL;
		return XNR_EXIT_OK;
	}
	return XNR_EXIT_USAGE;
}

int xnr_cli_parse(const struct xnr_cli_cmd *cmd, const struct xnr_cli_opt *opts, int argc,
                  char **argv)
{
	struct option lo[OPTS_MAX];
	char shorts[2 * OPTS_MAX + 2];
	int n = build(opts, lo, shorts), c, i, n_args;

	if (n < 0)
		return xnr_cli_usage_error(cmd->name, "too many options (a bug)");
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (c == 'h') {
			fputs(cmd->usage, stdout);
			return -1;
		}
		for (i = 0; i < n && opt_id(&opts[i], i) != c; i++)
			;
		if (i == n)
			return xnr_cli_usage_error(cmd->name, "unknown option or missing value: %s",
			                           argv[optind - 1]);
		if (take(cmd->name, &opts[i], optarg) != XNR_EXIT_OK)
			return XNR_EXIT_USAGE;
	}
	n_args = argc - optind;
	if (n_args < cmd->min_args || n_args > cmd->max_args) {
		if (cmd->args_hint)
			return xnr_cli_usage_error(cmd->name, "%s", cmd->args_hint);
		if (n_args > cmd->max_args)
			return xnr_cli_usage_error(cmd->name, "unexpected argument \"%s\"",
			                           argv[optind + cmd->max_args]);
		return xnr_cli_usage_error(cmd->name, "missing argument");
	}
	for (i = 0; i < n_args; i++)
		cmd->args[i] = argv[optind + i];
	if (cmd->n_args)
		*cmd->n_args = n_args;
	return XNR_EXIT_OK;
}
