/*
 * table.c - a run's words with their probabilities and all its entity
 * spans in one pass each (scores.h), the inputs of the label-issue scores:
 * the read side's iterators leave the probability BLOBs out and give
 * entities one sentence at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/read.h"
#include "store/scores.h"

enum xnr_status xnr_store_word_table(struct xnr_store *s, int64_t run, int with_probs,
                                     xnr_issue_row_fn fn, void *ud, struct xnr_error *err)
{
	static const char sql[2][160] = {
	    "SELECT sentence_id, idx, text, gold, pred FROM words WHERE run_id = ?1"
	    " ORDER BY sentence_id, idx",
	    "SELECT sentence_id, idx, text, gold, pred, probs FROM words WHERE run_id = ?1"
	    " ORDER BY sentence_id, idx"};
	sqlite3_stmt *st = NULL;
	float *buf = NULL;
	size_t cap = 0;
	enum xnr_status rc = xnr__store_prepare(s, sql[with_probs != 0], run, &st, err);
	int step = SQLITE_DONE;

	while (rc == XNR_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct xnr_word_probs w = {sqlite3_column_int(st, 0),
		                           sqlite3_column_int(st, 1),
		                           (const char *)sqlite3_column_text(st, 2),
		                           sqlite3_column_int(st, 3),
		                           sqlite3_column_int(st, 4),
		                           NULL,
		                           0};
		const void *blob = with_probs ? sqlite3_column_blob(st, 5) : NULL;
		size_t bytes = blob ? (size_t)sqlite3_column_bytes(st, 5) : 0;
		if (bytes > cap) {
			float *g = realloc(buf, bytes);
			if (!g) {
				rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
				break;
			}
			buf = g;
			cap = bytes;
		}
		if (blob) { /* blobs need not be float-aligned */
			memcpy(buf, blob, bytes);
			w.probs = buf;
			w.n_probs = (int)(bytes / sizeof(float));
		}
		if (fn(ud, &w))
			break;
	}
	if (rc == XNR_OK && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = xnr__store_fail(s, err);
	sqlite3_finalize(st);
	free(buf);
	return rc;
}

enum xnr_status xnr_store_entity_spans(struct xnr_store *s, int64_t run, xnr_issue_row_fn fn,
                                       void *ud, struct xnr_error *err)
{
	static const char sql[] = "SELECT sentence_id, side, start, end, type FROM entities"
	                          " WHERE run_id = ?1 ORDER BY sentence_id, side, start, end";
	sqlite3_stmt *st = NULL;
	enum xnr_status rc = xnr__store_prepare(s, sql, run, &st, err);
	int step = SQLITE_DONE;

	while (rc == XNR_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *side = (const char *)sqlite3_column_text(st, 1);
		struct xnr_entity_row e = {sqlite3_column_int(st, 0),
		                           side && strcmp(side, "pred") == 0,
		                           sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
		                           (const char *)sqlite3_column_text(st, 4)};
		if (fn(ud, &e))
			break;
	}
	if (rc == XNR_OK && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = xnr__store_fail(s, err);
	sqlite3_finalize(st);
	return rc;
}

enum xnr_status xnr_store_word_probs(struct xnr_store *s, int64_t run, int sentence_id, int idx,
                                     float *out, int n, int *got, struct xnr_error *err)
{
	static const char sql[] =
	    "SELECT probs FROM words WHERE run_id = ?1 AND sentence_id = ?2 AND idx = ?3";
	sqlite3_stmt *st = NULL;
	enum xnr_status rc = xnr__store_prepare(s, sql, run, &st, err);
	int step;

	if (rc != XNR_OK)
		return rc;
	sqlite3_bind_int(st, 2, sentence_id);
	sqlite3_bind_int(st, 3, idx);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(st, 0);
		*got = blob && sqlite3_column_bytes(st, 0) == n * (int)sizeof(float);
		if (*got)
			memcpy(out, blob, (size_t)n * sizeof(float));
	}
	rc = step == SQLITE_ROW ? XNR_OK
	     : step == SQLITE_DONE
	         ? xnr_fail(err, XNR_ERR_NOT_FOUND, "run %lld: no word %d in sentence %d",
	                    (long long)run, idx, sentence_id)
	         : xnr__store_fail(s, err);
	sqlite3_finalize(st);
	return rc;
}
