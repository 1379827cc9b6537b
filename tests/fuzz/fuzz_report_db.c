/*
 * fuzz_report_db.c - a hostile run database read as `explainer report` reads
 * it: the input is written as a file and opened through the store
 * (xnr_store_open: the schema check and migrations run on it), then the
 * newest run is loaded as a view, its metrics
 * computed and formatted, and every table of the report fetched. A view that
 * loads must be consistent (sentences cover the words in order, label ids
 * name labels), and every failure must be a documented status with a
 * message. The server reads runs through the same store and report
 * functions. Seeds: runs of demo/model on
 * demo/eval.conll, hidden states dropped and pages shrunk to 512 bytes
 * (tests/fuzz/corpus/report_db/, made by tests/fuzz/make_seeds.py).
 */
#include <stdint.h>
#include <stdio.h>

#include "report/report.h"
#include "store/read.h"
#include "store/store.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_view(const struct xnr_run_view *v, int64_t run)
{
	FUZZ_CHECK(v->run == run && v->n_labels >= 0);
	for (int i = 0; i < v->n_labels; i++)
		FUZZ_CHECK(v->labels[i] != NULL);
	FUZZ_CHECK(v->sent_start[0] == 0 && v->sent_start[v->n_sents] == v->n_words);
	for (size_t s = 0; s < v->n_sents; s++)
		FUZZ_CHECK(v->sent_start[s] <= v->sent_start[s + 1]);
	for (size_t w = 0; w < v->n_words; w++)
		FUZZ_CHECK(v->gold[w] >= 0 && v->gold[w] < v->n_labels && v->pred[w] >= 0 &&
		           v->pred[w] < v->n_labels);
}

/* A JSON result of the report: its status checked, the value dropped. */
static void drop(enum xnr_status st, json_t *j, const struct xnr_error *err)
{
	if (fuzz_check_status(st, err) == XNR_OK)
		json_decref(j);
}

/* Everything `explainer report` prints for the run. */
static void report(struct xnr_store *db, const struct xnr_run_view *v)
{
	struct xnr_loss_page page = xnr_loss_page_default();
	struct xnr_run_metrics m;
	struct xnr_error err;
	enum xnr_status st;
	json_t *j = NULL;

	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_run_metrics_compute(v, &m, &err), &err) == XNR_OK) {
		xnr_error_clear(&err);
		st = xnr_run_metrics_json(v, &m, &j, &err);
		drop(st, j, &err);
		xnr_run_metrics_free(&m);
	}
	xnr_error_clear(&err);
	st = xnr_report_worst_sentences(db, v->run, 10, &j, &err);
	drop(st, j, &err);
	xnr_error_clear(&err);
	st = xnr_report_confusions(db, v->run, 5, &j, &err);
	drop(st, j, &err);
	for (int by = XNR_LOSS_BY_WORD; by <= XNR_LOSS_BY_TOKEN; by++) {
		xnr_error_clear(&err);
		st = xnr_report_loss_groups(db, v->run, (enum xnr_loss_by)by, &page, &j, &err);
		drop(st, j, &err);
	}
	xnr_error_clear(&err);
	st = xnr_report_label_losses(v, &page, &j, &err);
	drop(st, j, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xnr_store *db = NULL;
	struct xnr_run_view *v = NULL;
	struct xnr_error err;
	char path[4096];
	int64_t run = 0;

	/* A fresh file per input: the store may migrate it and leave -wal/-shm next to it. */
	fuzz_dir_clear();
	fuzz_dir_write("run.db", data, size);
	snprintf(path, sizeof path, "%s/run.db", fuzz_dir());
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_store_open(path, 0, &db, &err), &err) != XNR_OK)
		return 0;
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_store_run_latest(db, &run, &err), &err) != XNR_OK || run == 0)
		goto done;
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_run_view_load(db, run, &v, &err), &err) != XNR_OK)
		goto done;
	check_view(v, run);
	report(db, v);
	xnr_run_view_free(v);
done:
	xnr_store_close(db);
	return 0;
}
