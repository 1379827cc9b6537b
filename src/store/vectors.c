/*
 * vectors.c - the stored hidden states of a run (read.h, table `hidden`):
 * every word's last-layer vector in dataset order, for the Hidden States
 * projection and the Find Duplicates sentence embeddings.
 */
#include <stddef.h>
#include <stdio.h>

#include "store/internal.h"

#define ROW(f) offsetof(struct xnr_hidden_row, f)
static const struct xnr__col hidden_cols[] = {
    {"sentence_id", XNR__COL_INT, ROW(sentence_id), 0},
    {"idx", XNR__COL_INT, ROW(idx), 0},
    {"vec", XNR__COL_VEC, ROW(vec), ROW(vec_bytes)},
};
#undef ROW

enum xnr_status xnr_store_hidden(struct xnr_store *s, int64_t run, struct xnr_rows **out,
                                 struct xnr_error *err)
{
	static const size_t n_cols = sizeof hidden_cols / sizeof hidden_cols[0];
	char cols[128], sql[256];
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	xnr__cols_sql(hidden_cols, n_cols, cols, sizeof cols);
	snprintf(sql, sizeof sql,
	         "SELECT %s FROM hidden WHERE run_id = ?1 ORDER BY sentence_id, idx", cols);
	if ((rc = xnr__store_prepare(s, sql, run, &st, err)) != XNR_OK)
		return rc;
	return xnr__rows_open(s, XNR__HIDDEN, hidden_cols, n_cols, st, NULL, out, err);
}
