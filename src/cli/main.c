/*
 * main.c - the explainer command: global flags and dispatch to one file per
 * subcommand (cmd_<name>.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/read.h"

static const char usage[] =
    "usage: explainer <command> [options]\n"
    "\n"
    "Error analysis for named-entity recognition models (Hugging Face token\n"
    "classifiers: BERT, DistilBERT, RoBERTa, XLM-R, ELECTRA), on the CPU.\n"
    "\n"
    "commands:\n"
    "  predict    tag text with a model: explainer predict --model DIR --text \"...\"\n"
    "  run        run a model over a dataset split, store everything in SQLite:\n"
    "             explainer run --model DIR --data test.conll -o run.db\n"
    "  serve      the web app: a run database in your browser (metrics, search,\n"
    "             every error a click away, charts) and its JSON API, on this\n"
    "             machine only; open the printed URL: explainer serve run.db\n"
    "  runs       the runs stored in a run database: explainer runs run.db\n"
    "  report     a stored run's metrics, confusions, entity errors, worst sentences:\n"
    "             explainer report run.db [--json] [--fail-under 0.8]\n"
    "  compare    two stored runs side by side, with intervals and significance:\n"
    "             explainer compare run.db --a 1 --b 2 [--json]\n"
    "  issues     rank a run's likely label errors with their evidence:\n"
    "             explainer issues run.db [--reference train.conll] [--json]\n"
    "  verdict    record or list a reviewer's verdicts on words of a run's data:\n"
    "             explainer verdict run.db --sentence 12 --word 3 --kind label_error\n"
    "             --label B-ORG --why \"...\"\n"
    "  export     the dataset with the accepted corrections, re-annotation tasks or\n"
    "             the ranked label issues (--issues -o issues.csv):\n"
    "             explainer export run.db --corrected -o fixed.conll\n"
    "\n"
    "options:\n"
    "  -h, --help     this help; `explainer <command> --help` for a command's options\n"
    "  -V, --version  print the version\n";

int xnr_cli_report(const struct xnr_error *err)
{
	fprintf(stderr, "explainer: %s\n", err->msg[0] ? err->msg : xnr_status_str(err->status));
	return XNR_EXIT_FAIL;
}

int xnr_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "explainer %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see `explainer %s --help`)\n", cmd);
	return XNR_EXIT_USAGE;
}

int xnr_cli_parse_int(const char *cmd, const char *flag, const char *s, int min, int max, int *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return xnr_cli_usage_error(cmd, "%s wants a whole number from %d to %d, got \"%s\"",
		                           flag, min, max, s);
	*out = (int)v;
	return XNR_EXIT_OK;
}

int xnr_cli_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

int xnr_cli_precision(const char *cmd, const char *name, enum xnr_precision *out)
{
	struct xnr_error err;

	*out = XNR_PRECISION_FP32;
	if (name && xnr_precision_parse(name, out, &err) != XNR_OK)
		return xnr_cli_usage_error(cmd, "%s", err.msg);
	return XNR_EXIT_OK;
}

enum xnr_status xnr_cli_pick_run(const char *db, struct xnr_store *store, int run, int64_t *out,
                                 struct xnr_error *err)
{
	enum xnr_status st;

	if (run) {
		*out = run;
		return XNR_OK;
	}
	if ((st = xnr_store_run_latest(store, out, err)) != XNR_OK)
		return st;
	return *out ? XNR_OK
	            : xnr_fail(err, XNR_ERR_INPUT,
	                       "%s: holds no run yet (make one with explainer run)", db);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd || strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		fputs(usage, cmd ? stdout : stderr);
		return cmd ? XNR_EXIT_OK : XNR_EXIT_USAGE;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf("explainer %s\n", XNR_VERSION);
		return XNR_EXIT_OK;
	}
	if (strcmp(cmd, "predict") == 0)
		return xnr_cmd_predict(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return xnr_cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "merge") == 0)
		return xnr_cmd_merge(argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return xnr_cmd_report(argc - 1, argv + 1);
	if (strcmp(cmd, "compare") == 0)
		return xnr_cmd_compare(argc - 1, argv + 1);
	if (strcmp(cmd, "runs") == 0)
		return xnr_cmd_runs(argc - 1, argv + 1);
	if (strcmp(cmd, "serve") == 0)
		return xnr_cmd_serve(argc - 1, argv + 1);
	if (strcmp(cmd, "issues") == 0)
		return xnr_cmd_issues(argc - 1, argv + 1);
	if (strcmp(cmd, "verdict") == 0)
		return xnr_cmd_verdict(argc - 1, argv + 1);
	if (strcmp(cmd, "export") == 0)
		return xnr_cmd_export(argc - 1, argv + 1);
	fprintf(stderr, "explainer: unknown command \"%s\" (see `explainer --help`)\n", cmd);
	return XNR_EXIT_USAGE;
}
