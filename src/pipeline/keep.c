/*
 * keep.c - what a finished run keeps for its readers (report.h, "results
 * kept in a run's database"): the Metrics page's JSON from the counts the
 * run added up sentence by sentence, the loss tables by word, sub-token and
 * gold label and the misclassified pairs read back from its rows, the
 * calibration (words and entities) added up as the words were written, and the
 * report `explainer report` prints with its default options (text and
 * JSON: the same tables, the intervals from the stored entities a chunk of
 * sentences at a time, the calibration the run added up), each in memory
 * that does not grow with the run (the pairs: with its distinct
 * misclassified texts). Written once the run is committed: a run of a million
 * sentences opens its Metrics and Loss pages and prints its report at once,
 * where a reader would otherwise read every word first (docs/schema.md,
 * run_results).
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
                                    const char *scheme_json, struct xnr_run_metrics *m,
                                    struct xnr_error *err)
{
	enum xnr_status st;
	json_t *j = NULL;

	if (!x->macc && (st = xnr_run_metrics_acc_open(x->tags, &x->macc, err)) != XNR_OK)
		return st;
	if ((st = xnr_run_metrics_acc_result(x->macc, m, err)) != XNR_OK)
		return st;
	if ((st = xnr_run_metrics_json_of(run, labels, n_labels, scheme_json, m, &j, err)) ==
	    XNR_OK)
		st = put_json(store, run, XNR_KEPT_METRICS, j, err);
	json_decref(j);
	return st;
}

/* The pairs, kept, and the report's (*pairs). */
static enum xnr_status keep_confusions(struct xnr_store *store, int64_t run, json_t **pairs,
                                       struct xnr_error *err)
{
	enum xnr_status st =
	    xnr_report_confusions(store, run, XNR_KEPT_CONFUSION_WORDS, pairs, err);

	return st == XNR_OK ? put_json(store, run, XNR_KEPT_CONFUSIONS, *pairs, err) : st;
}

/* A loss table, kept, and the page of it the report shows (*page). */
static enum xnr_status keep_table(struct xnr_store *store, int64_t run, enum xnr_loss_by by,
                                  json_t **page, struct xnr_error *err)
{
	struct xnr_loss_page p = xnr_loss_page_default();
	struct xnr_loss_table *t = NULL;
	char *text = NULL;
	enum xnr_status st = by == XNR_LOSS_BY_LABEL
	                         ? xnr_loss_table_labels_load(store, run, &t, err)
	                         : xnr_loss_table_load(store, run, by, &t, err);

	p.limit = by == XNR_LOSS_BY_LABEL ? -1 : XNR_REPORT_TOP;
	if (st == XNR_OK && (st = xnr_loss_table_save(t, &text, err)) == XNR_OK &&
	    (st = put(store, run, xnr_kept_loss_keys[by], text, err)) == XNR_OK)
		st = xnr_loss_table_page(t, &p, page, err);
	free(text);
	xnr_loss_table_free(t);
	return st;
}

/* What `explainer report` prints with its default options, text and JSON,
 * from the metrics and tables just kept, the intervals from the stored
 * entities and the calibration the run added up. */
struct report_parts {
	struct xnr_run_metrics m;
	json_t *pairs, *loss[XNR_LOSS_BY_COUNT];
};

static enum xnr_status keep_report(struct xnr__run *x, struct xnr_store *store, int64_t run,
                                   struct report_parts *p, struct xnr_error *err)
{
	struct xnr_boot_params bp = xnr_boot_default_params();
	struct xnr_report_doc d;
	struct xnr_f1_boot ci;
	struct xnr_run r;
	char name[256], *head = NULL, *body = NULL;
	size_t head_len = 0, body_len = 0, chunk = 0;
	const char *env;
	enum xnr_status st;
	int i;

	memset(&d, 0, sizeof d);
	memset(&ci, 0, sizeof ci);
	memset(&r, 0, sizeof r);
	bp.n_threads = x->opts ? x->opts->threads : 1; /* the same numbers on any count */
	if ((env = getenv("XNR_CI_CHUNK_ROWS")) != NULL)
		chunk = (size_t)strtoull(env, NULL, 10); /* 0 or not a number: the default */
	if ((st = xnr_store_run_get(store, run, &r, err)) != XNR_OK)
		return st;
	d.run = run;
	d.n_sents = (size_t)r.n_sentences;
	d.n_words = (size_t)r.n_words;
	d.labels = (const char *const *)r.labels;
	d.n_labels = r.n_labels;
	d.tags = x->tags;
	d.scheme_json = r.scheme_json;
	d.m = &p->m;
	d.ci = &ci;
	d.pairs = p->pairs;
	for (i = 0; i < XNR_LOSS_BY_COUNT; i++)
		d.loss[i] = p->loss[i];
	d.top = XNR_REPORT_TOP;
	if ((!d.n_sents || (st = xnr_run_metrics_ci_stored(store, run, d.n_sents, &p->m, &bp, chunk,
	                                                   &ci, err)) == XNR_OK) &&
	    (st = xnr_run_metrics_acc_calibration(x->macc, &d.calib, err)) == XNR_OK &&
	    (st = put_json(store, run, XNR_KEPT_CALIBRATION, d.calib, err)) == XNR_OK &&
	    (st = xnr_report_worst_sentences(store, run, XNR_REPORT_TOP, &d.worst, err)) ==
	        XNR_OK &&
	    (st = xnr_report_doc_text(&d, &head, &head_len, &body, &body_len, err)) == XNR_OK) {
		xnr_report_kept_name(XNR_VERSION, 0, XNR_REPORT_TOP, (int)bp.seed, bp.n_resamples,
		                     bp.level, XNR_REPORT_BINS, name, sizeof name);
		st = xnr_report_kept_put(store, run, name, head, head_len, body, body_len, err);
	}
	free(head);
	free(body);
	body = NULL;
	if (st == XNR_OK && (st = xnr_report_doc_dump(&d, &body, &body_len, err)) == XNR_OK) {
		xnr_report_kept_name(XNR_VERSION, 1, XNR_REPORT_TOP, (int)bp.seed, bp.n_resamples,
		                     bp.level, XNR_REPORT_BINS, name, sizeof name);
		st = xnr_report_kept_put(store, run, name, NULL, 0, body, body_len, err);
	}
	free(body);
	json_decref(d.calib);
	json_decref(d.worst);
	xnr_f1_boot_free(&ci);
	xnr_run_free(&r);
	return st;
}

void xnr__run_keep(struct xnr__run *x, struct xnr_store *store, int64_t run,
                   const char *const *labels, int n_labels, const char *scheme_json,
                   struct xnr_run_outcome *out)
{
	struct report_parts p;
	struct xnr_error err, ignored;
	enum xnr_status st;
	int by;

	memset(&p, 0, sizeof p);
	st = keep_metrics(x, store, run, labels, n_labels, scheme_json, &p.m, &err);
	if (st == XNR_OK)
		st = xnr_store_lean(store, 1, &err);
	for (by = 0; st == XNR_OK && by < XNR_LOSS_BY_COUNT; by++)
		st = keep_table(store, run, (enum xnr_loss_by)by, &p.loss[by], &err);
	if (st == XNR_OK)
		st = keep_confusions(store, run, &p.pairs, &err);
	/* a shard's sentences are a slice of the run's: its report is the merge's */
	if (st == XNR_OK && !(x->opts && x->opts->shard_count > 0))
		st = keep_report(x, store, run, &p, &err);
	if (xnr_store_lean(store, 0, &ignored) != XNR_OK && st == XNR_OK)
		err = ignored, st = XNR_ERR_DB;
	if (st != XNR_OK)
		snprintf(out->warning, sizeof out->warning,
		         "run %lld: its metrics, loss tables, misclassified pairs, calibration and "
		         "report not kept (%.800s): the app and `explainer report` compute them "
		         "when first "
		         "asked",
		         (long long)run, err.msg);
	xnr_run_metrics_free(&p.m);
	json_decref(p.pairs);
	for (by = 0; by < XNR_LOSS_BY_COUNT; by++)
		json_decref(p.loss[by]);
}
