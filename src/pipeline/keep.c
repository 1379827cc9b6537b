/*
 * keep.c - what a finished run keeps for its readers (report.h, "results
 * kept in a run's database"): the Metrics page's JSON from the counts the
 * run added up sentence by sentence, the loss tables by word, sub-token and
 * gold label and the misclassified pairs read back from its rows, each in
 * memory that does not grow with the run (the pairs: with its distinct
 * misclassified texts). Written once the run is committed: a run of a million
 * sentences opens its Metrics and Loss pages at once, where a reader would
 * otherwise read every word first (docs/schema.md, run_results).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/internal.h"
#include "store/read.h"

static enum xnr_status put(struct xnr_store *store, int64_t run, const char *key, const char *text,
                           struct xnr_error *err)
{
	char name[128];

	xnr_kept_name(XNR_VERSION, key, name, sizeof name);
	return xnr_store_result_put(store, run, name, text, strlen(text), err);
}

/* As the server prints it: %.17g, every double reads back as itself. */
static enum xnr_status put_json(struct xnr_store *store, int64_t run, const char *key, json_t *j,
                                struct xnr_error *err)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
	enum xnr_status st =
	    text ? put(store, run, key, text, err) : xnr_fail(err, XNR_ERR_NOMEM, "out of memory");

	free(text);
	return st;
}

static enum xnr_status keep_metrics(struct xnr__run *x, struct xnr_store *store, int64_t run,
                                    const char *const *labels, int n_labels,
                                    const char *scheme_json, struct xnr_error *err)
{
	struct xnr_run_metrics m;
	enum xnr_status st;
	json_t *j = NULL;

	if (!x->macc && (st = xnr_run_metrics_acc_open(x->tags, &x->macc, err)) != XNR_OK)
		return st;
	if ((st = xnr_run_metrics_acc_result(x->macc, &m, err)) != XNR_OK)
		return st;
	if ((st = xnr_run_metrics_json_of(run, labels, n_labels, scheme_json, &m, &j, err)) ==
	    XNR_OK)
		st = put_json(store, run, XNR_KEPT_METRICS, j, err);
	json_decref(j);
	xnr_run_metrics_free(&m);
	return st;
}

static enum xnr_status keep_confusions(struct xnr_store *store, int64_t run, struct xnr_error *err)
{
	json_t *j = NULL;
	enum xnr_status st = xnr_report_confusions(store, run, XNR_KEPT_CONFUSION_WORDS, &j, err);

	if (st == XNR_OK)
		st = put_json(store, run, XNR_KEPT_CONFUSIONS, j, err);
	json_decref(j);
	return st;
}

static enum xnr_status keep_table(struct xnr_store *store, int64_t run, enum xnr_loss_by by,
                                  struct xnr_error *err)
{
	struct xnr_loss_table *t = NULL;
	char *text = NULL;
	enum xnr_status st = by == XNR_LOSS_BY_LABEL
	                         ? xnr_loss_table_labels_load(store, run, &t, err)
	                         : xnr_loss_table_load(store, run, by, &t, err);

	if (st == XNR_OK && (st = xnr_loss_table_save(t, &text, err)) == XNR_OK)
		st = put(store, run, xnr_kept_loss_keys[by], text, err);
	free(text);
	xnr_loss_table_free(t);
	return st;
}

void xnr__run_keep(struct xnr__run *x, struct xnr_store *store, int64_t run,
                   const char *const *labels, int n_labels, const char *scheme_json,
                   struct xnr_run_outcome *out)
{
	struct xnr_error err, ignored;
	enum xnr_status st = keep_metrics(x, store, run, labels, n_labels, scheme_json, &err);
	int by;

	if (st == XNR_OK)
		st = xnr_store_lean(store, 1, &err);
	for (by = 0; st == XNR_OK && by < XNR_LOSS_BY_COUNT; by++)
		st = keep_table(store, run, (enum xnr_loss_by)by, &err);
	if (st == XNR_OK)
		st = keep_confusions(store, run, &err);
	if (xnr_store_lean(store, 0, &ignored) != XNR_OK && st == XNR_OK)
		err = ignored, st = XNR_ERR_DB;
	if (st != XNR_OK)
		snprintf(out->warning, sizeof out->warning,
		         "run %lld: its metrics, loss tables and misclassified pairs not kept "
		         "(%.800s): the app computes them when first asked",
		         (long long)run, err.msg);
}
