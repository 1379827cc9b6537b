/*
 * errors.c - where a stored run goes wrong, straight from SQL (report.h): the
 * misclassified words grouped by (gold, predicted) label with their most
 * frequent texts (the original ExplaiNER's Misclassified page), and the
 * sentences with the largest total loss.
 */
#include <stdlib.h>
#include <string.h>

#include "report/internal.h"
#include "report/report.h"

struct pair {
	int gold, pred;
	json_t *obj;   /* borrowed from the result array */
	json_t *words; /* borrowed from obj */
	int n_words;
};

static int cmp_pair_ids(const void *a, const void *b)
{
	const struct pair *x = *(const struct pair *const *)a, *y = *(const struct pair *const *)b;
	if (x->gold != y->gold)
		return x->gold < y->gold ? -1 : 1;
	return (x->pred > y->pred) - (x->pred < y->pred);
}

/* Every misclassified (gold, pred) pair with both labels named, most
 * frequent first, appended to arr; pairs[] gets one entry per pair. */
static enum xnr_status read_pairs(sqlite3 *db, int64_t run, json_t *arr, struct pair **pairs,
                                  size_t *n_pairs, struct xnr_error *err)
{
	static const char sql[] =
	    "SELECT g.name, p.name, count(*) AS n, w.gold, w.pred"
	    " FROM words w INDEXED BY words_by_labels"
	    " JOIN labels g ON g.run_id = w.run_id AND g.id = w.gold"
	    " JOIN labels p ON p.run_id = w.run_id AND p.id = w.pred"
	    " WHERE w.run_id = ?1 AND w.gold != w.pred GROUP BY w.gold, w.pred"
	    " ORDER BY n DESC, g.name, p.name";
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return xnr__report_sql_fail(db, err);
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *g = (const char *)sqlite3_column_text(st, 0);
		const char *p = (const char *)sqlite3_column_text(st, 1);
		struct pair *x;
		if (*n_pairs == cap) {
			struct pair *np = realloc(*pairs, (cap = cap ? 2 * cap : 64) * sizeof *np);
			if (!np)
				break;
			*pairs = np;
		}
		x = &(*pairs)[*n_pairs];
		x->gold = sqlite3_column_int(st, 3);
		x->pred = sqlite3_column_int(st, 4);
		x->n_words = 0;
		x->words = json_array();
		x->obj = json_pack("{s:s,s:s,s:i,s:i,s:I,s:o}", "gold", g ? g : "", "pred",
		                   p ? p : "", "gold_id", x->gold, "pred_id", x->pred, "count",
		                   (json_int_t)sqlite3_column_int64(st, 2), "words", x->words);
		if (!x->obj || json_array_append_new(arr, x->obj))
			break;
		(*n_pairs)++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the misclassified pairs");
	return rc == SQLITE_DONE ? XNR_OK : xnr__report_sql_fail(db, err);
}

/* The most frequent texts of every pair, in one pass over the misclassified
 * words (sorted by pair, then count descending, then text). */
static enum xnr_status read_words(sqlite3 *db, int64_t run, int top_words, struct pair **by_ids,
                                  size_t n_pairs, struct xnr_error *err)
{
	static const char sql[] = "SELECT gold, pred, text, count(*) AS c FROM words INDEXED BY"
	                          " words_by_labels WHERE run_id = ?1 AND gold != pred"
	                          " GROUP BY gold, pred, text ORDER BY gold, pred, c DESC, text";
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_DONE, oom = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return xnr__report_sql_fail(db, err);
	sqlite3_bind_int64(st, 1, run);
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pair key = {sqlite3_column_int(st, 0), sqlite3_column_int(st, 1), NULL, NULL,
		                   0};
		const struct pair *kp = &key;
		struct pair **hit = bsearch(&kp, by_ids, n_pairs, sizeof *by_ids, cmp_pair_ids);
		const char *text = (const char *)sqlite3_column_text(st, 2);
		if (!hit || !text || (top_words >= 0 && (*hit)->n_words >= top_words))
			continue;
		oom = json_array_append_new((*hit)->words,
		                            json_pack("{s:s,s:I}", "text", text, "count",
		                                      (json_int_t)sqlite3_column_int64(st, 3)));
		(*hit)->n_words++;
	}
	sqlite3_finalize(st);
	if (oom)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the misclassified words");
	return rc == SQLITE_DONE ? XNR_OK : xnr__report_sql_fail(db, err);
}

enum xnr_status xnr_report_confusions(sqlite3 *db, int64_t run, int top_words, json_t **out,
                                      struct xnr_error *err)
{
	struct pair *pairs = NULL, **by_ids = NULL;
	size_t n_pairs = 0, i;
	json_t *arr = NULL;
	enum xnr_status rc;

	if ((rc = xnr__report_check_run(db, run, err)) != XNR_OK)
		return rc;
	if (!(arr = json_array())) {
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = read_pairs(db, run, arr, &pairs, &n_pairs, err)) != XNR_OK)
		goto fail;
	if (!(by_ids = malloc((n_pairs + 1) * sizeof *by_ids))) {
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < n_pairs; i++)
		by_ids[i] = &pairs[i];
	qsort(by_ids, n_pairs, sizeof *by_ids, cmp_pair_ids);
	if (top_words != 0 && (rc = read_words(db, run, top_words, by_ids, n_pairs, err)) != XNR_OK)
		goto fail;
	free(by_ids);
	free(pairs);
	*out = arr;
	return XNR_OK;
fail:
	free(by_ids);
	free(pairs);
	json_decref(arr);
	return rc;
}

enum xnr_status xnr_report_worst_sentences(sqlite3 *db, int64_t run, long top, json_t **out,
                                           struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	json_t *arr;
	enum xnr_status rc;
	int step = SQLITE_DONE, oom = 0;

	if ((rc = xnr__report_check_run(db, run, err)) != XNR_OK)
		return rc;
	if (sqlite3_prepare_v2(db,
	                       "SELECT id, loss, n_word_errors, n_entity_errors, text FROM "
	                       "sentences WHERE run_id = ? ORDER BY loss DESC, id LIMIT ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return xnr__report_sql_fail(db, err);
	if (!(arr = json_array())) {
		sqlite3_finalize(st);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, top < 0 ? 0 : top);
	while (!oom && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 4);
		oom = json_array_append_new(
		    arr, json_pack("{s:I,s:f,s:i,s:i,s:s}", "id",
		                   (json_int_t)sqlite3_column_int64(st, 0), "loss",
		                   sqlite3_column_double(st, 1), "word_errors",
		                   sqlite3_column_int(st, 2), "entity_errors",
		                   sqlite3_column_int(st, 3), "text", text ? text : ""));
	}
	sqlite3_finalize(st);
	if (oom || step != SQLITE_DONE) {
		json_decref(arr);
		return oom ? xnr_fail(err, XNR_ERR_NOMEM, "out of memory")
		           : xnr__report_sql_fail(db, err);
	}
	*out = arr;
	return XNR_OK;
}
