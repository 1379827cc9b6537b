/*
 * cmd_merge.c - `explainer merge OUT.db SHARD.db...`: the databases of the
 * shards of one run (`explainer run --shard I/N`, one task of a Slurm array
 * or a Kubernetes Indexed Job each) joined into one run equal to the run
 * without shards (pipeline/merge.c does the work), and its report printed.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "pipeline/pipeline.h"

#define MERGE_MAX_FILES 100000

static const char merge_usage[] =
    "usage: explainer merge OUT.db SHARD.db... [-q]\n"
    "\n"
    "Joins the shards of one run (made by `explainer run --shard I/N`, each into a\n"
    "database of its own) into one run in OUT.db (created if missing), equal to the\n"
    "run without shards in every stored value; the metrics are computed again from\n"
    "the merged rows. The shards must be of the same model, data and options, and\n"
    "every slice 0..N-1 there once. Nothing is written unless the whole merge\n"
    "succeeds.\n"
    "\n"
    "options:\n"
    "  -q, --quiet            no report\n"
    "  -h, --help             this help\n";

int xnr_cmd_merge(int argc, char **argv)
{
	static const char *args[MERGE_MAX_FILES + 1];
	int n_args = 0, quiet = 0, rc;
	const struct xnr_cli_opt opts[] = {
	    {"quiet", 'q', XNR_OPT_FLAG, &quiet, 0, 0, NULL},
	    {NULL, 0, XNR_OPT_FLAG, NULL, 0, 0, NULL},
	};
	const struct xnr_cli_cmd cmd = {"merge",
	                                merge_usage,
	                                2,
	                                MERGE_MAX_FILES + 1,
	                                args,
	                                &n_args,
	                                "give OUT.db and the shard databases"};
	struct xnr_run_outcome out;
	struct xnr_error err;

	xnr_error_clear(&err);
	if ((rc = xnr_cli_parse(&cmd, opts, argc, argv)) != XNR_EXIT_OK)
		return rc < 0 ? XNR_EXIT_OK : rc;
	if (xnr_pipeline_merge(args[0], args + 1, (size_t)n_args - 1, &out, &err) != XNR_OK)
		return xnr_cli_report(&err);
	if (!quiet)
		printf(
		    "%s\nrun %lld written to %s from %d shard databases: %ld sentences, %ld words, "
		    "%ld tokens\n",
		    out.report ? out.report : "", (long long)out.run_id, args[0], n_args - 1,
		    out.n_sentences, out.n_words, out.n_tokens);
	if (out.warning[0])
		fprintf(stderr, "explainer: warning: %s\n", out.warning);
	xnr_run_outcome_free(&out);
	return XNR_EXIT_OK;
}
