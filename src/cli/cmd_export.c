/*
 * cmd_export.c - `explainer export RUN.db`: the run's dataset with the
 * reviewers' accepted corrections (--corrected), its sentences as tasks
 * for re-annotation in Label Studio, Argilla or spaCy (--tasks FORMAT), or
 * its ranked label issues as CSV or JSON lines (--issues), or its stored
 * hidden states as a NumPy .npy file (--vectors).
 * The work is the review module's (review/review.h); this file is options,
 * the output file (written aside and moved into place, never over an
 * existing file without --force) and the summary line.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "review/review.h"
#include "store/read.h"
#include "store/store.h"

static const char export_usage[] =
    "usage: explainer export RUN.db --corrected -o FIXED.conll [options]\n"
    "       explainer export RUN.db --tasks FORMAT -o TASKS [options]\n"
    "       explainer export RUN.db --issues -o ISSUES.csv|ISSUES.jsonl [options]\n"
    "       explainer export RUN.db --vectors OUT.npy [options]\n"
    "\n"
    "--corrected writes the run's dataset file with every current label_error verdict\n"
    "(explainer verdict, the Label issues page) applied, in the file's own tagging\n"
    "scheme, and every other byte as it is; the output keeps the input's format.\n"
    "--tasks writes the run's sentences for re-annotation: label-studio (import JSON),\n"
    "argilla (records for dataset.records.log, one a line) or spacy (the JSON training\n"
    "format: python -m spacy convert FILE.json .), gold spans and the suggestion (the\n"
    "reviewer's correction, else the model's prediction) with character offsets.\n"
    "--issues writes the label issues `explainer issues` ranked, best first, with their\n"
    "signals, the sentence's line in the data file and the reviewer's verdict: CSV for\n"
    "a .csv file, JSON lines for .jsonl (or --format).\n"
    "--vectors writes the run's stored hidden states (the last layer's, or the layer of\n"
    "`explainer run --hidden-layer N`; each word's first sub-token) as a NumPy .npy file, float32 "
    "of shape (words, hidden size): row i is\n"
    "the i-th row of `select sentence_id, idx from hidden where run_id = ID order by\n"
    "sentence_id, idx` (words without a sub-token have none).\n"
    "\n"
    "options:\n"
    "  -r, --run ID          the run (default: the newest)\n"
    "  -o, --output PATH     the file to write (- for standard output)\n"
    "      --corrected       the corrected dataset\n"
    "      --tasks FORMAT    label-studio, argilla or spacy\n"
    "      --errors          --tasks: only sentences where the model and the gold disagree\n"
    "      --issues          the ranked label issues (explainer issues scores them)\n"
    "  -l, --level L         --issues: word (default), entity or sentence\n"
    "  -t, --top N           --issues: only the first N (default: all)\n"
    "      --format F        --issues: csv or jsonl (default: from PATH's extension)\n"
    "      --vectors PATH    the hidden states as .npy (- for standard output)\n"
    "      --layer N|last    --vectors: refuse unless the run stored layer N's hidden\n"
    "                        states (its --hidden-layer N), or the last layer's (last)\n"
    "  -f, --force           overwrite PATH; with --corrected, also export when the data\n"
    "                        file changed since the run (only unchanged sentences take\n"
    "                        their verdicts)\n"
    "  -q, --quiet           no summary line\n"
    "  -h, --help            this help\n";

struct export_opts {
	const char *db, *output;
	int run, corrected, has_tasks, errors, force, quiet;
	enum xnr_tasks_format tasks;
	int issues, top;
	enum xnr_issue_level level;
	enum xnr_issues_format format;
	const char *vectors;
	const char *layer_arg;
	int layer; /* --layer: 0 last, N layer N; -1 not given */
};

/* "csv" or "jsonl" by name, else by the file's extension; -1: neither. */
static int issues_format(const char *name, const char *path, enum xnr_issues_format *out)
{
	const char *dot = name ? NULL : strrchr(path, '.');
	const char *f = name ? name : dot && !strchr(dot, '/') ? dot + 1 : "";

	if (strcmp(f, "csv") == 0)
		*out = XNR_ISSUES_CSV;
	else if (strcmp(f, "jsonl") == 0)
		*out = XNR_ISSUES_JSONL;
	else
		return -1;
	return 0;
}

/* --issues' own options once the table is parsed. */
static int parse_issues_opts(struct export_opts *o, const char *level, const char *format)
{
	static const char *const levels[XNR_ISSUE_LEVELS] = {"sentence", "entity", "word"};
	int i;

	if (!o->issues)
		return level || format || o->top >= 0
		           ? xnr_cli_usage_error("export",
		                                 "--level, --top and --format go with --issues")
		           : XNR_EXIT_OK;
	for (i = 0; level && i < XNR_ISSUE_LEVELS && strcmp(level, levels[i]) != 0; i++)
		;
	if (i == XNR_ISSUE_LEVELS)
		return xnr_cli_usage_error(
		    "export", "--level is word, entity or sentence, not \"%s\"", level);
	o->level = level ? (enum xnr_issue_level)i : XNR_ISSUE_WORD;
	if (issues_format(format, o->output, &o->format) != 0)
		return format ? xnr_cli_usage_error("export",
		                                    "--format is csv or jsonl, not \"%s\"", format)
		              : xnr_cli_usage_error(
		                    "export", "name the file .csv or .jsonl, or give --format");
	return XNR_EXIT_OK;
}

static int parse_export(int argc, char **argv, struct export_opts *o)
{
	const char *tasks = NULL, *level = NULL, *format = NULL;
	const struct xnr_cli_opt opts[] = {
	    {"run", 'r', XNR_OPT_INT, &o->run, 1, 0x7fffffff, NULL},
	    {"output", 'o', XNR_OPT_STR, &o->output, 0, 0, NULL},
	    {"corrected", 0, XNR_OPT_FLAG, &o->corrected, 0, 0, NULL},
	    {"tasks", 0, XNR_OPT_STR, &tasks, 0, 0, NULL},
	    {"errors", 0, XNR_OPT_FLAG, &o->errors, 0, 0, NULL},
	    {"issues", 0, XNR_OPT_FLAG, &o->issues, 0, 0, NULL},
	    {"level", 'l', XNR_OPT_STR, &level, 0, 0, NULL},
	    {"top", 't', XNR_OPT_INT, &o->top, 0, 0x7fffffff, NULL},
	    {"format", 0, XNR_OPT_STR, &format, 0, 0, NULL},
	    {"vectors", 0, XNR_OPT_STR, &o->vectors, 0, 0, NULL},
	    {"layer", 0, XNR_OPT_STR, &o->layer_arg, 0, 0, NULL},
	    {"force", 'f', XNR_OPT_FLAG, &o->force, 0, 0, NULL},
	    {"quiet", 'q', XNR_OPT_FLAG, &o->quiet, 0, 0, NULL},
	    {NULL, 0, XNR_OPT_FLAG, NULL, 0, 0, NULL},
	};
	const struct xnr_cli_cmd cmd = {
	    "export", export_usage, 1, 1, &o->db, NULL, "give exactly one run database"};
	int rc;

	memset(o, 0, sizeof *o);
	o->top = -1;
	if ((rc = xnr_cli_parse(&cmd, opts, argc, argv)) != XNR_EXIT_OK)
		return rc;
	if (tasks && xnr_tasks_format_parse(tasks, &o->tasks) != 0)
		return xnr_cli_usage_error(
		    "export", "--tasks is label-studio, argilla or spacy, not \"%s\"", tasks);
	o->has_tasks = tasks != NULL;
	if (o->corrected + o->has_tasks + o->issues + (o->vectors != NULL) != 1)
		return xnr_cli_usage_error(
		    "export", "say what to export: --corrected, --tasks, --issues or --vectors");
	if (o->vectors && o->output)
		return xnr_cli_usage_error("export", "--vectors names its own file: no --output");
	if (o->vectors)
		o->output = o->vectors;
	o->layer = -1;
	if (o->layer_arg && !o->vectors)
		return xnr_cli_usage_error("export", "--layer goes with --vectors");
	if (o->layer_arg && strcmp(o->layer_arg, "last") == 0)
		o->layer = 0;
	else if (o->layer_arg && (rc = xnr_cli_parse_int("export", "--layer", o->layer_arg, 1, 1000,
	                                                 &o->layer)) != XNR_EXIT_OK)
		return rc;
	if (!o->output)
		return xnr_cli_usage_error("export",
		                           "--output is required (- for standard output)");
	return parse_issues_opts(o, level, format);
}

/* --layer against the layer the run stored: its options' hidden_layer, or
 * none for the last. */
static enum xnr_status check_layer(struct xnr_store *s, int64_t run, int want,
                                   struct xnr_error *err)
{
	struct xnr_run r;
	json_t *opts;
	long long id = (long long)run;
	int stored;
	enum xnr_status st;

	if (want < 0 || (st = xnr_store_run_get(s, run, &r, err)) != XNR_OK)
		return want < 0 ? XNR_OK : st;
	opts = r.options_json ? json_loads(r.options_json, 0, NULL) : NULL;
	stored = (int)json_integer_value(json_object_get(opts, "hidden_layer"));
	json_decref(opts);
	xnr_run_free(&r);
	if (stored == want)
		return XNR_OK;
	if (stored == 0)
		return xnr_fail(
		    err, XNR_ERR_MISMATCH,
		    "run %lld stored the last layer's hidden states, not layer %d's (export "
		    "them with --layer last, or run again with --hidden-layer %d)",
		    id, want, want);
	if (want == 0)
		return xnr_fail(
		    err, XNR_ERR_MISMATCH,
		    "run %lld stored layer %d's hidden states, not the last layer's (export "
		    "them with --layer %d, or run again without --hidden-layer)",
		    id, stored, stored);
	return xnr_fail(
	    err, XNR_ERR_MISMATCH,
	    "run %lld stored layer %d's hidden states, not layer %d's (export them with "
	    "--layer %d, or run again with --hidden-layer %d)",
	    id, stored, want, stored, want);
}

static void print_summary(const struct export_opts *o, const struct xnr_corrected_summary *s,
                          size_t n_items, int64_t dim)
{
	static const char *const levels[XNR_ISSUE_LEVELS] = {"sentences", "entities", "words"};

	if (o->quiet)
		return;
	if (o->vectors) {
		fprintf(stderr, "explainer: %s written: %zu hidden states of %lld values\n",
		        o->output, n_items, (long long)dim);
		return;
	}
	if (o->has_tasks || o->issues) {
		fprintf(stderr, "explainer: %zu %s written to %s\n", n_items,
		        o->issues ? levels[o->level] : "tasks", o->output);
		return;
	}
	fprintf(stderr,
	        "explainer: %s written: %zu of %zu label corrections applied (%zu tags in %zu "
	        "sentences)\n",
	        o->output, s->n_applied, s->n_label_errors, s->n_tags, s->n_sentences);
	if (s->n_stale)
		fprintf(
		    stderr,
		    "explainer: %zu stale verdicts left out: their sentences changed in the data "
		    "file (explainer verdict %s --list shows them)\n",
		    s->n_stale, o->db);
	if (s->data_changed)
		fprintf(stderr, "explainer: the data file changed since the run (--force)\n");
}

int xnr_cmd_export(int argc, char **argv)
{
	struct export_opts o;
	struct xnr_corrected_summary sum;
	struct xnr_store *store = NULL;
	struct xnr_cli_out out = {0};
	struct xnr_error err;
	enum xnr_status st;
	int64_t run = 0, n_vectors = 0, dim = 0;
	size_t n_tasks = 0;
	int rc = parse_export(argc, argv, &o);

	if (rc != XNR_EXIT_OK)
		return rc < 0 ? XNR_EXIT_OK : rc;
	xnr_error_clear(&err);
	memset(&sum, 0, sizeof sum);
	if ((st = xnr_store_open(o.db, 0, &store, &err)) == XNR_OK &&
	    (st = xnr_cli_pick_run(o.db, store, o.run, &run, &err)) == XNR_OK &&
	    (st = check_layer(store, run, o.layer, &err)) == XNR_OK &&
	    (st = xnr_cli_out_open(&out, o.output, o.force, &err)) == XNR_OK) {
		if (o.corrected)
			st = xnr_review_export_corrected(store, run, o.force, out.f, &sum, &err);
		else if (o.vectors)
			st = xnr_store_hidden_npy(store, run, out.f, &n_vectors, &dim, &err);
		else if (o.issues)
			st = xnr_review_export_issues(store, run, o.level, o.top, o.format, out.f,
			                              &n_tasks, &err);
		else
			st = xnr_review_export_tasks(store, run, o.tasks, o.errors, out.f, &n_tasks,
			                             &err);
		st = xnr_cli_out_close(&out, o.force, st, &err);
	}
	if (st == XNR_OK)
		print_summary(&o, &sum, o.vectors ? (size_t)n_vectors : n_tasks, dim);
	xnr_store_close(store);
	return st == XNR_OK ? XNR_EXIT_OK : xnr_cli_report(&err);
}
