/*
 * view.c - a stored run loaded for analysis (report.h): its labels, every
 * word's gold and predicted label and loss, and where each sentence starts.
 * Words come from the compact (run_id, gold, pred, loss) index, which in a
 * WITHOUT ROWID table also holds the key (sentence_id, idx): no pass over the
 * wide word rows with their probability vectors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/internal.h"
#include "report/report.h"

enum xnr_status xnr__report_sql_fail(sqlite3 *db, struct xnr_error *err)
{
	const char *path = sqlite3_db_filename(db, "main");
	return xnr_fail(err, XNR_ERR_IO, "%s: %s", path && *path ? path : "run database",
	                sqlite3_errmsg(db));
}

enum xnr_status xnr__report_check_run(sqlite3 *db, int64_t run, struct xnr_error *err)
{
	const char *path = sqlite3_db_filename(db, "main");
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM runs WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return xnr__report_sql_fail(db, err);
	sqlite3_bind_int64(st, 1, run);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return XNR_OK;
	if (rc != SQLITE_DONE)
		return xnr__report_sql_fail(db, err);
	if (!path || !*path)
		path = "run database";
	return xnr_fail(err, XNR_ERR_IO,
	                "%s: no run %lld (see: sqlite3 %s \"select id, data_path from runs\")",
	                path, (long long)run, path);
}

enum xnr_status xnr_report_latest_run(sqlite3 *db, int64_t *run, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT max(id) FROM runs", -1, &st, NULL) != SQLITE_OK)
		return xnr__report_sql_fail(db, err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*run = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? XNR_OK : xnr__report_sql_fail(db, err);
}

void xnr_run_view_free(struct xnr_run_view *v)
{
	int i;
	if (!v)
		return;
	for (i = 0; i < v->n_labels; i++)
		free(v->labels[i]);
	free(v->labels);
	free(v->sent_start);
	free(v->gold);
	free(v->pred);
	free(v->loss);
	free(v->scheme_json);
	xnr_tagset_close(v->tags);
	free(v);
}

/* The labels (and the tag set over them) and the scheme note. */
static enum xnr_status load_labels(sqlite3 *db, struct xnr_run_view *v, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status rc = XNR_OK;
	int step;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM labels WHERE run_id = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return xnr__report_sql_fail(db, err);
	sqlite3_bind_int64(st, 1, v->run);
	step = sqlite3_step(st);
	v->n_labels = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (step != SQLITE_ROW)
		return xnr__report_sql_fail(db, err);
	if (!(v->labels = calloc((size_t)v->n_labels + 1, sizeof *v->labels)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if ((rc = xnr_tagset_open(&v->tags, err)) != XNR_OK)
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT id, name FROM labels WHERE run_id = ? ORDER BY id", -1,
	                       &st, NULL) != SQLITE_OK)
		return xnr__report_sql_fail(db, err);
	sqlite3_bind_int64(st, 1, v->run);
	for (step = 0; rc == XNR_OK && sqlite3_step(st) == SQLITE_ROW; step++) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		int32_t id;
		if (step >= v->n_labels || sqlite3_column_int64(st, 0) != step)
			rc = xnr_fail(err, XNR_ERR_FORMAT, "run %lld: label ids are not 0..n-1",
			              (long long)v->run);
		else if (!(v->labels[step] = strdup(name ? name : "")))
			rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		else
			rc = xnr_tagset_add(v->tags, v->labels[step], strlen(v->labels[step]), &id,
			                    err);
	}
	sqlite3_finalize(st);
	if (rc == XNR_OK && step != v->n_labels)
		rc = xnr_fail(err, XNR_ERR_FORMAT, "run %lld: labels changed while read",
		              (long long)v->run);
	return rc;
}

static enum xnr_status load_scheme(sqlite3 *db, struct xnr_run_view *v, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status rc = XNR_OK;

	if (sqlite3_prepare_v2(db, "SELECT scheme FROM runs WHERE id = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return xnr__report_sql_fail(db, err);
	sqlite3_bind_int64(st, 1, v->run);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
	    !(v->scheme_json = strdup((const char *)sqlite3_column_text(st, 0))))
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	sqlite3_finalize(st);
	return rc;
}

/* Sentence lengths give every sentence's first word. */
static enum xnr_status load_sentences(sqlite3 *db, struct xnr_run_view *v, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t s = 0, cap = 256, n = 0;
	enum xnr_status rc = XNR_OK;

	if (!(v->sent_start = malloc((cap + 1) * sizeof *v->sent_start)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(db, "SELECT id, n_words FROM sentences WHERE run_id = ? ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK)
		return xnr__report_sql_fail(db, err);
	sqlite3_bind_int64(st, 1, v->run);
	while (rc == XNR_OK && sqlite3_step(st) == SQLITE_ROW) {
		int64_t len = sqlite3_column_int64(st, 1);
		if (sqlite3_column_int64(st, 0) != (int64_t)s || len < 0 || len > INT32_MAX)
			rc = xnr_fail(err, XNR_ERR_FORMAT,
			              "run %lld: sentence ids are not 0..n-1 or a length is wrong",
			              (long long)v->run);
		if (rc == XNR_OK && s == cap) {
			size_t *p = realloc(v->sent_start, (2 * cap + 1) * sizeof *p);
			if (!p)
				rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
			else
				v->sent_start = p, cap *= 2;
		}
		if (rc == XNR_OK) {
			v->sent_start[s++] = n;
			n += (size_t)len;
		}
	}
	sqlite3_finalize(st);
	v->sent_start[s] = n;
	v->n_sents = s;
	v->n_words = n;
	return rc;
}

/* Every word's (gold, pred, loss) at its place; each place filled exactly once. */
static enum xnr_status load_words(sqlite3 *db, struct xnr_run_view *v, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t n = v->n_words, filled = 0, i;
	unsigned char *seen = calloc(n + 1, 1);
	int bad = 0;

	v->gold = malloc((n + 1) * sizeof *v->gold);
	v->pred = malloc((n + 1) * sizeof *v->pred);
	v->loss = malloc((n + 1) * sizeof *v->loss);
	if (!seen || !v->gold || !v->pred || !v->loss) {
		free(seen);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for %zu words", n);
	}
	if (sqlite3_prepare_v2(db,
	                       "SELECT sentence_id, idx, gold, pred, loss FROM words INDEXED BY "
	                       "words_by_labels WHERE run_id = ?",
	                       -1, &st, NULL) != SQLITE_OK) {
		free(seen);
		return xnr__report_sql_fail(db, err);
	}
	sqlite3_bind_int64(st, 1, v->run);
	while (!bad && sqlite3_step(st) == SQLITE_ROW) {
		int64_t sid = sqlite3_column_int64(st, 0), idx = sqlite3_column_int64(st, 1);
		int64_t g = sqlite3_column_int64(st, 2), p = sqlite3_column_int64(st, 3);
		bad = sid < 0 || (size_t)sid >= v->n_sents || idx < 0 ||
		      (size_t)idx >= v->sent_start[sid + 1] - v->sent_start[sid] || g < 0 ||
		      p < 0 || g >= v->n_labels || p >= v->n_labels;
		if (bad || seen[i = v->sent_start[sid] + (size_t)idx]++)
			break;
		v->gold[i] = (int32_t)g;
		v->pred[i] = (int32_t)p;
		v->loss[i] =
		    sqlite3_column_type(st, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 4);
		filled++;
	}
	sqlite3_finalize(st);
	free(seen);
	if (filled != n)
		return xnr_fail(err, XNR_ERR_FORMAT, "run %lld has an inconsistent words table",
		                (long long)v->run);
	return XNR_OK;
}

enum xnr_status xnr_run_view_load(sqlite3 *db, int64_t run, struct xnr_run_view **out,
                                  struct xnr_error *err)
{
	struct xnr_run_view *v;
	enum xnr_status rc;

	if ((rc = xnr__report_check_run(db, run, err)) != XNR_OK)
		return rc;
	if (!(v = calloc(1, sizeof *v)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	v->run = run;
	if ((rc = load_labels(db, v, err)) != XNR_OK || (rc = load_scheme(db, v, err)) != XNR_OK ||
	    (rc = load_sentences(db, v, err)) != XNR_OK || (rc = load_words(db, v, err)) != XNR_OK)
		goto fail;
	*out = v;
	return XNR_OK;
fail:
	xnr_run_view_free(v);
	return rc;
}
