/*
 * cmd_runs.c - `explainer runs RUN.db`: the runs stored in a run database,
 * oldest first (what the Home page lists), as a table or JSON lines, for
 * picking the --run of report, verdict and export. Reads the database
 * read-only: listing changes nothing, not even an old schema.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "store/read.h"
#include "store/store.h"

static const char runs_usage[] =
    "usage: explainer runs RUN.db [options]\n"
    "\n"
    "Lists the runs stored in a run database, oldest first: id, when it was made\n"
    "(UTC), model, data and split, sentences, words, micro F1 (seqeval default mode).\n"
    "Pick one for `explainer report RUN.db --run ID` or open it in the web app.\n"
    "\n"
    "options:\n"
    "  -j, --json   one JSON object per run and line (the fields of GET /api/v1/runs)\n"
    "  -h, --help   this help\n";

/* path's last two components ("demo/model"): a model folder's own name is
 * often just "model". */
static const char *short_path(const char *path)
{
	const char *p, *last = NULL, *before = NULL;

	if (!path)
		return "-";
	for (p = path; *p; p++)
		if (*p == '/' && p[1]) {
			before = last;
			last = p;
		}
	return before ? before + 1 : path;
}

static void print_table(const struct xnr_run *v, size_t n)
{
	size_t i;

	printf("%4s  %-20s  %-24s  %-28s  %-5s  %9s  %9s  %8s\n", "id", "created (UTC)", "model",
	       "data", "split", "sentences", "words", "micro F1");
	for (i = 0; i < n; i++) {
		char created[24] = "-", f1[16] = "-";
		if (v[i].created_at)
			snprintf(created, sizeof created, "%.10s %.8s", v[i].created_at,
			         strlen(v[i].created_at) > 11 ? v[i].created_at + 11 : "");
		if (!isnan(v[i].micro_f1))
			snprintf(f1, sizeof f1, "%.4f", v[i].micro_f1);
		printf("%4lld  %-20s  %-24s  %-28s  %-5s  %9lld  %9lld  %8s\n", (long long)v[i].id,
		       created, short_path(v[i].model_path), short_path(v[i].data_path),
		       v[i].split ? v[i].split : "-", (long long)v[i].n_sentences,
		       (long long)v[i].n_words, f1);
	}
}

/* One JSON line per run; -1 when out of memory. */
static int print_json(const struct xnr_run *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_pack(
		    "{s:I,s:s?,s:s?,s:s?,s:s?,s:s?,s:I,s:I,s:I,s:o}", "id", (json_int_t)v[i].id,
		    "created_at", v[i].created_at, "model_path", v[i].model_path, "model_arch",
		    v[i].model_arch, "data_path", v[i].data_path, "split", v[i].split,
		    "n_sentences", (json_int_t)v[i].n_sentences, "n_words",
		    (json_int_t)v[i].n_words, "n_tokens", (json_int_t)v[i].n_tokens, "micro_f1",
		    isnan(v[i].micro_f1) ? json_null() : json_real(v[i].micro_f1));
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		if (!s)
			return -1;
		puts(s);
		free(s);
	}
	return 0;
}

int xnr_cmd_runs(int argc, char **argv)
{
	const char *db = NULL;
	int json = 0, rc;
	const struct xnr_cli_opt opts[] = {
	    {"json", 'j', XNR_OPT_FLAG, &json, 0, 0, NULL},
	    {NULL, 0, XNR_OPT_FLAG, NULL, 0, 0, NULL},
	};
	const struct xnr_cli_cmd cmd = {
	    "runs", runs_usage, 1, 1, &db, NULL, "give one run database (explainer runs RUN.db)"};
	struct xnr_store *store = NULL;
	struct xnr_run *runs = NULL;
	struct xnr_error err;
	size_t n = 0;

	if ((rc = xnr_cli_parse(&cmd, opts, argc, argv)) != XNR_EXIT_OK)
		return rc < 0 ? XNR_EXIT_OK : rc;
	xnr_error_clear(&err);
	if (xnr_store_open_read(db, &store, &err) != XNR_OK ||
	    xnr_store_runs(store, &runs, &n, &err) != XNR_OK) {
		xnr_store_close(store);
		if (err.status == XNR_ERR_NOT_FOUND)
			xnr_fail(
			    &err, XNR_ERR_NOT_FOUND,
			    "%s: no such run database (explainer run --model DIR --data FILE -o %s "
			    "makes one)",
			    db, db);
		return xnr_cli_report(&err);
	}
	xnr_store_close(store);
	if (!n && !json)
		printf(
		    "%s holds no run yet (explainer run --model DIR --data FILE -o %s adds one)\n",
		    db, db);
	else if (!json)
		print_table(runs, n);
	rc = json && print_json(runs, n) != 0 ? XNR_EXIT_FAIL : XNR_EXIT_OK;
	if (rc != XNR_EXIT_OK)
		fprintf(stderr, "explainer: runs: out of memory\n");
	xnr_runs_free(runs, n);
	return rc;
}
