/*
 * settings.c - per-run display settings (class colours and icons of the web
 * app's Setup page, like the original's colour and emoji pickers) in the
 * `settings` table (docs/schema.md): plain key/value text per run, written
 * in one transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/store.h"

void xnr_settings_free(struct xnr_setting *s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++) {
		free(s[i].key);
		free(s[i].value);
	}
	free(s);
}

/* Append the current row's key and value to *list (grown by doubling). */
static int push_row(sqlite3_stmt *st, struct xnr_setting **list, size_t *n, size_t *cap)
{
	const char *k = (const char *)sqlite3_column_text(st, 0);
	const char *v = (const char *)sqlite3_column_text(st, 1);

	if (*n == *cap) {
		size_t grown = *cap ? *cap * 2 : 16;
		struct xnr_setting *p = realloc(*list, grown * sizeof *p);
		if (!p)
			return -1;
		*list = p;
		*cap = grown;
	}
	(*list)[*n].key = strdup(k ? k : "");
	(*list)[*n].value = strdup(v ? v : "");
	(*n)++;
	return (*list)[*n - 1].key && (*list)[*n - 1].value ? 0 : -1;
}

enum xnr_status xnr_settings_load(struct xnr_store *store, int64_t run_id, struct xnr_setting **out,
                                  size_t *n, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	struct xnr_setting *list = NULL;
	size_t count = 0, cap = 0;
	enum xnr_status rc = XNR_OK;
	int step;

	if (sqlite3_prepare_v2(store->db,
	                       "SELECT key, value FROM settings WHERE run_id = ?1 ORDER BY key", -1,
	                       &st, NULL) != SQLITE_OK) {
		/* A version-1 database read before a read-write open upgraded it. */
		if (strstr(sqlite3_errmsg(store->db), "no such table"))
			goto done;
		rc = xnr__store_fail(store, err);
		goto fail;
	}
	sqlite3_bind_int64(st, 1, run_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (push_row(st, &list, &count, &cap) != 0) {
			rc = xnr_fail(err, XNR_ERR_NOMEM, "settings: out of memory");
			goto fail;
		}
	}
	if (step != SQLITE_DONE) {
		rc = xnr__store_fail(store, err);
		goto fail;
	}
done:
	sqlite3_finalize(st);
	*out = list;
	*n = count;
	return XNR_OK;
fail:
	sqlite3_finalize(st);
	xnr_settings_free(list, count);
	return rc;
}

enum xnr_status xnr_settings_save(struct xnr_store *store, int64_t run_id,
                                  const struct xnr_setting *s, size_t n, struct xnr_error *err)
{
	sqlite3 *db = store->db;
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;
	size_t i;

	if ((rc = xnr__store_exec(store, "BEGIN IMMEDIATE", err)) != XNR_OK) {
		/* A run holds the write lock for its whole length (one transaction). */
		if (rc == XNR_ERR_BUSY)
			return xnr_fail(
			    err, XNR_ERR_BUSY,
			    "%s: a run is writing this database; save the settings again "
			    "when it has finished",
			    store->path);
		return rc;
	}
	if (sqlite3_prepare_v2(db,
	                       "INSERT OR REPLACE INTO settings (run_id, key, value)"
	                       " VALUES (?1, ?2, ?3)",
	                       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, s[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, s[i].value, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if ((rc = xnr__store_exec(store, "COMMIT", err)) != XNR_OK)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
fail:
	rc = xnr__store_fail(store, err);
	xnr_error_prefix(err, "settings of run %lld: ", (long long)run_id);
	sqlite3_finalize(st);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
