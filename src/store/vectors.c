/*
 * vectors.c - the stored hidden states of a run (read.h, table `hidden`):
 * every word's last-layer vector in dataset order, for the Hidden States
 * projection, the Find Duplicates sentence embeddings and `explainer export
 * --vectors` (a NumPy .npy file, format 1.0: numpy/lib/format.py). Runs made
 * with --hidden-dtype f16 store IEEE half blobs of 2 x hidden_size bytes;
 * they are read back as float32, so no reader sees the difference.
 */
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "store/internal.h"

#define ROW(f) offsetof(struct xnr_hidden_row, f)
static const struct xnr__col hidden_cols[] = {
    {"sentence_id", XNR__COL_INT, ROW(sentence_id), 0},
    {"idx", XNR__COL_INT, ROW(idx), 0},
    {"vec", XNR__COL_VEC, ROW(vec), ROW(vec_bytes)},
};
#undef ROW

/* One integer a query on the run gives (a count, the hidden size). */
static enum xnr_status run_int(struct xnr_store *s, const char *sql, int64_t run, int64_t *out,
                               struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status rc = xnr__store_prepare(s, sql, run, &st, err);
	int step;

	if (rc != XNR_OK)
		return rc;
	step = sqlite3_step(st);
	*out = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = xnr__store_fail(s, err);
	sqlite3_finalize(st);
	return rc;
}

/* The hidden rows of run FROM from (hidden as t, run ?1; json, when not
 * NULL, bound to ?2), read back as float32 whatever the run stored. */
static enum xnr_status hidden_rows(struct xnr_store *s, int64_t run, const char *from,
                                   const char *json, struct xnr_rows **out, struct xnr_error *err)
{
	static const size_t n_cols = sizeof hidden_cols / sizeof hidden_cols[0];
	char cols[128], sql[512];
	sqlite3_stmt *st = NULL;
	int64_t dim = 0;
	enum xnr_status rc =
	    run_int(s, "SELECT hidden_size FROM runs WHERE id = ?1", run, &dim, err);

	if (rc != XNR_OK)
		return rc;
	xnr__cols_sql(hidden_cols, n_cols, cols, sizeof cols);
	snprintf(sql, sizeof sql, "SELECT %s FROM %s", cols, from);
	if ((rc = xnr__store_prepare(s, sql, run, &st, err)) != XNR_OK)
		return rc;
	if (json)
		sqlite3_bind_text(st, 2, json, -1, SQLITE_TRANSIENT);
	rc = xnr__rows_open(s, XNR__HIDDEN, hidden_cols, n_cols, st, NULL, out, err);
	if (rc == XNR_OK && dim > 0 && dim <= 65536)
		xnr__rows_f16_dim(*out, (int)dim);
	return rc;
}

enum xnr_status xnr_store_hidden(struct xnr_store *s, int64_t run, struct xnr_rows **out,
                                 struct xnr_error *err)
{
	return hidden_rows(s, run, "hidden t WHERE t.run_id = ?1 ORDER BY t.sentence_id, t.idx",
	                   NULL, out, err);
}

enum xnr_status xnr_store_hidden_at(struct xnr_store *s, int64_t run, const int64_t *keys, size_t n,
                                    struct xnr_rows **out, struct xnr_error *err)
{
	size_t size = n * 44 + 3, used = 1, i;
	char *json = malloc(size);
	enum xnr_status rc;

	if (!json)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	json[0] = '[';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(json + used, size - used, "%s[%lld,%lld]", i ? "," : "",
		                         (long long)keys[2 * i], (long long)keys[2 * i + 1]);
	snprintf(json + used, size - used, "]");
	/* one primary-key lookup per key: CROSS JOIN makes the list the outer loop (with a
	 * plain JOIN the planner walked every row of the run and the list for each) */
	rc = hidden_rows(s, run,
	                 "json_each(?2) AS k CROSS JOIN hidden t ON t.run_id = ?1 AND "
	                 "t.sentence_id = k.value ->> 0 AND t.idx = k.value ->> 1 "
	                 "ORDER BY t.sentence_id, t.idx",
	                 json, out, err);
	free(json);
	return rc;
}

enum xnr_status xnr_store_sentence_lengths(struct xnr_store *s, int64_t run, int32_t **ids,
                                           int32_t **counts, size_t *n, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0, k = 0;
	int32_t *a = NULL, *b = NULL;
	enum xnr_status rc = xnr__store_prepare(
	    s, "SELECT id, n_words FROM sentences WHERE run_id = ?1 ORDER BY id", run, &st, err);
	int step = SQLITE_DONE;

	while (rc == XNR_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (k == cap) {
			size_t c = cap ? 2 * cap : 4096;
			int32_t *na = realloc(a, c * sizeof *a),
			        *nb = na ? realloc(b, c * sizeof *b) : NULL;
			if (na)
				a = na;
			if (!nb) {
				rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
				break;
			}
			b = nb;
			cap = c;
		}
		a[k] = (int32_t)sqlite3_column_int(st, 0);
		b[k++] = (int32_t)sqlite3_column_int(st, 1);
	}
	if (rc == XNR_OK && step != SQLITE_DONE)
		rc = xnr__store_fail(s, err);
	sqlite3_finalize(st);
	if (rc != XNR_OK) {
		free(a);
		free(b);
		return rc;
	}
	*ids = a;
	*counts = b;
	*n = k;
	return XNR_OK;
}

/* The .npy header: magic, version 1.0, the length, then the dict padded with
 * spaces to a multiple of 64 bytes and ended by a newline (as numpy writes it). */
static int write_npy_header(FILE *f, int64_t n_rows, int64_t dim)
{
	char dict[128];
	int len = snprintf(dict, sizeof dict,
	                   "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld, %lld), }",
	                   (long long)n_rows, (long long)dim);
	int total = (10 + len + 1 + 63) / 64 * 64, hlen = total - 10;
	unsigned char pre[10] = {0x93,
	                         'N',
	                         'U',
	                         'M',
	                         'P',
	                         'Y',
	                         1,
	                         0,
	                         (unsigned char)(hlen & 0xFF),
	                         (unsigned char)(hlen >> 8)};

	if (fwrite(pre, 1, sizeof pre, f) != sizeof pre ||
	    fwrite(dict, 1, (size_t)len, f) != (size_t)len)
		return -1;
	for (int i = len; i < hlen - 1; i++)
		if (fputc(' ', f) == EOF)
			return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}

enum xnr_status xnr_store_hidden_npy(struct xnr_store *s, int64_t run, FILE *f, int64_t *n_rows,
                                     int64_t *dim, struct xnr_error *err)
{
	struct xnr_rows *rows = NULL;
	struct xnr_hidden_row h;
	int64_t n = 0, d = 0, done = 0;
	int more = 0;
	enum xnr_status rc = run_int(s, "SELECT hidden_size FROM runs WHERE id = ?1", run, &d, err);

	if (rc == XNR_OK && (d < 2 || d > 65536))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "run %lld stores no hidden states (hidden_size %lld)",
		                (long long)run, (long long)d);
	if (rc == XNR_OK)
		rc = run_int(s, "SELECT count(*) FROM hidden WHERE run_id = ?1", run, &n, err);
	if (rc == XNR_OK && write_npy_header(f, n, d) != 0)
		rc = xnr_fail(err, XNR_ERR_IO, "write error");
	if (rc == XNR_OK)
		rc = xnr_store_hidden(s, run, &rows, err);
	while (rc == XNR_OK && (rc = xnr_rows_hidden(rows, &h, &more, err)) == XNR_OK && more) {
		if (!h.vec || h.vec_bytes != (int)(d * (int64_t)sizeof(float)))
			rc = xnr_fail(
			    err, XNR_ERR_DB,
			    "run %lld: the hidden state of word %d of sentence %d has %d bytes, "
			    "not %lld floats (damaged database?)",
			    (long long)run, h.idx, h.sentence_id, h.vec_bytes, (long long)d);
		else if (fwrite(h.vec, sizeof(float), (size_t)d, f) != (size_t)d)
			rc = xnr_fail(err, XNR_ERR_IO, "write error");
		else
			done++;
	}
	xnr_rows_close(rows);
	if (rc == XNR_OK && done != n)
		rc = xnr_fail(err, XNR_ERR_DB, "run %lld: %lld hidden states counted, %lld read",
		              (long long)run, (long long)n, (long long)done);
	if (rc == XNR_OK) {
		*n_rows = n;
		*dim = d;
	}
	return rc;
}
