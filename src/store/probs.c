/*
 * probs.c - the full label distribution of one sentence's words or
 * sub-tokens (read.h), from the `probs` BLOBs of `words` and `tokens`
 * (docs/schema.md: little-endian float32, one per label): what Inspect
 * shows as each word's most likely labels. One sentence at a time, so the
 * paged lists never read the BLOBs.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

/* Copy the blob of n_labels little-endian float32 into row, NAN when it
 * has another size (a row stored without probabilities). */
static void read_blob(const unsigned char *b, int bytes, int n_labels, float *row)
{
	int k;

	for (k = 0; k < n_labels; k++) {
		uint32_t u;
		float f;
		if (!b || bytes != 4 * n_labels) {
			row[k] = NAN;
			continue;
		}
		u = (uint32_t)b[4 * k] | (uint32_t)b[4 * k + 1] << 8 |
		    (uint32_t)b[4 * k + 2] << 16 | (uint32_t)b[4 * k + 3] << 24;
		memcpy(&f, &u, sizeof f);
		row[k] = f;
	}
}

enum xnr_status xnr_store_sentence_probs(struct xnr_store *s, int64_t run, int64_t sid, int tokens,
                                         int n_labels, struct xnr_probs *out, struct xnr_error *err)
{
	static const char *const sql[2] = {
	    "SELECT idx, probs FROM words WHERE run_id = ?1 AND sentence_id = ?2 ORDER BY idx",
	    "SELECT idx, probs FROM tokens WHERE run_id = ?1 AND sentence_id = ?2 ORDER BY idx"};
	sqlite3_stmt *st = NULL;
	struct xnr_probs p = {NULL, 0, n_labels};
	size_t cap = 0;
	enum xnr_status rc;
	int step;

	if (n_labels <= 0)
		return xnr_fail(err, XNR_ERR_INPUT, "run %lld: no labels", (long long)run);
	if ((rc = xnr__store_prepare(s, sql[tokens != 0], run, &st, err)) != XNR_OK)
		return rc;
	sqlite3_bind_int64(st, 2, sid);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		/* rows are 0..n-1 in order; a gap would misplace every later row */
		if (sqlite3_column_int64(st, 0) != (sqlite3_int64)p.n_rows) {
			rc = xnr_fail(err, XNR_ERR_DB,
			              "%s: run %lld sentence %lld: row %lld out of order", s->path,
			              (long long)run, (long long)sid,
			              (long long)sqlite3_column_int64(st, 0));
			goto fail;
		}
		if (p.n_rows == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			float *v = realloc(p.p, ncap * (size_t)n_labels * sizeof *v);
			if (!v) {
				rc = xnr_fail(err, XNR_ERR_NOMEM,
				              "sentence probabilities: out of memory");
				goto fail;
			}
			p.p = v;
			cap = ncap;
		}
		read_blob(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1), n_labels,
		          p.p + p.n_rows * (size_t)n_labels);
		p.n_rows++;
	}
	if (step != SQLITE_DONE) {
		rc = xnr__store_fail(s, err);
		goto fail;
	}
	sqlite3_finalize(st);
	*out = p;
	return XNR_OK;
fail:
	sqlite3_finalize(st);
	free(p.p);
	return rc;
}

void xnr_probs_free(struct xnr_probs *p)
{
	if (!p)
		return;
	free(p->p);
	memset(p, 0, sizeof *p);
}
