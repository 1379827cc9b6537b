/*
 * results.c - results computed from a whole run, kept in `run_results`
 * (store.h, docs/schema.md, schema 6): opaque bytes under a name per run,
 * written by whoever computed them first (the server's Metrics, Misclassified
 * and Loss pages) and read by the next. Deleted with their run.
 */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/store.h"

enum xnr_status xnr_store_result_get(struct xnr_store *s, int64_t run, const char *name, void **out,
                                     size_t *n_bytes, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status rc = XNR_OK;
	const void *blob;
	void *copy;
	int n, step;

	if (sqlite3_prepare_v2(s->db,
	                       "SELECT value FROM run_results WHERE run_id = ?1 AND name = ?2", -1,
	                       &st, NULL) != SQLITE_OK) {
		/* a database older than schema 6, read before it was upgraded */
		if (strstr(sqlite3_errmsg(s->db), "no such table"))
			return xnr_fail(err, XNR_ERR_NOT_FOUND, "%s: no kept results", s->path);
		return xnr__store_fail(s, err);
	}
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		rc = xnr_fail(err, XNR_ERR_NOT_FOUND, "%s: run %lld keeps no \"%s\"", s->path,
		              (long long)run, name);
	} else if (step != SQLITE_ROW) {
		rc = xnr__store_fail(s, err);
	} else {
		blob = sqlite3_column_blob(st, 0);
		n = sqlite3_column_bytes(st, 0);
		if (!(copy = malloc((size_t)n + 1))) {
			rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		} else {
			if (n > 0)
				memcpy(copy, blob, (size_t)n);
			((char *)copy)[n] = '\0'; /* text values read as C strings */
			*out = copy;
			*n_bytes = (size_t)n;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

enum xnr_status xnr_store_result_put(struct xnr_store *s, int64_t run, const char *name,
                                     const void *data, size_t n_bytes, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	if ((rc = xnr__store_prepare(s,
	                             "INSERT OR REPLACE INTO run_results (run_id, name, value)"
	                             " VALUES (?1, ?2, ?3)",
	                             run, &st, err)) != XNR_OK)
		return rc;
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 3, data, n_bytes, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = xnr__store_fail(s, err);
	sqlite3_finalize(st);
	return rc;
}
