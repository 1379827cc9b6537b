/*
 * store.c - opening the run database (docs/schema.md): read-write with its
 * schema brought up to date (migrate.c), or read-only for one reader; and
 * the one place a SQLite failure becomes a status. WAL journal, so readers
 * (the web app) never block the single writer and a killed writer leaves
 * only a rolled-back transaction.
 */
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "store/internal.h"
#include "store/store.h"

#define WRITER_BUSY_MS 5000 /* a writer waits this long for another writer */
#define READER_BUSY_MS 2000 /* a reader (WAL) only waits out a checkpoint */

enum xnr_status xnr__store_fail(const struct xnr_store *s, struct xnr_error *err)
{
	int code = sqlite3_errcode(s->db) & 0xff;

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return xnr_fail(err, XNR_ERR_BUSY, "%s: %s (another program is writing it)",
		                s->path, sqlite3_errmsg(s->db));
	return xnr_fail(err, XNR_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
}

enum xnr_status xnr__store_exec(const struct xnr_store *s, const char *sql, struct xnr_error *err)
{
	char *msg = NULL;
	enum xnr_status st;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return XNR_OK;
	st = xnr__store_fail(s, err);
	sqlite3_free(msg);
	return st;
}

enum xnr_status xnr__store_prepare(const struct xnr_store *s, const char *sql, int64_t run,
                                   sqlite3_stmt **out, struct xnr_error *err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK)
		return xnr__store_fail(s, err);
	sqlite3_bind_int64(*out, 1, run);
	return XNR_OK;
}

/* A store for path with its connection opened with flags; open_fail is the
 * status of a file SQLite cannot open. */
static enum xnr_status store_connect(const char *path, int flags, int busy_ms,
                                     enum xnr_status open_fail, struct xnr_store **out,
                                     struct xnr_error *err)
{
	struct xnr_store *s = calloc(1, sizeof *s);

	if (!s || !(s->path = strdup(path))) {
		free(s);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		/* A missing file (not created here) is the caller's "no such database". */
		int missing = s->db && !(flags & SQLITE_OPEN_CREATE) && access(path, F_OK) != 0;
		enum xnr_status st = xnr_fail(err,
		                              !s->db    ? XNR_ERR_NOMEM
		                              : missing ? XNR_ERR_NOT_FOUND
		                                        : open_fail,
		                              "%s: cannot open database: %s", path,
		                              s->db ? sqlite3_errmsg(s->db) : "out of memory");
		xnr_store_close(s);
		return st;
	}
	sqlite3_busy_timeout(s->db, busy_ms);
	*out = s;
	return XNR_OK;
}

enum xnr_status xnr_store_open(const char *path, int create, struct xnr_store **out,
                               struct xnr_error *err)
{
	struct xnr_store *s = NULL;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	enum xnr_status rc;

	if ((rc = store_connect(path, flags, WRITER_BUSY_MS, XNR_ERR_IO, &s, err)) != XNR_OK)
		return rc;
	if ((rc = xnr__store_migrate(s, err)) != XNR_OK ||
	    (rc = xnr__store_exec(s,
	                          "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
	                          " PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536",
	                          err)) != XNR_OK) {
		xnr_store_close(s);
		return rc;
	}
	*out = s;
	return XNR_OK;
}

enum xnr_status xnr_store_open_read(const char *path, struct xnr_store **out, struct xnr_error *err)
{
	return store_connect(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, READER_BUSY_MS,
	                     XNR_ERR_DB, out, err);
}

void xnr_store_close(struct xnr_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

const char *xnr_store_sqlite_version(void)
{
	return sqlite3_libversion();
}

enum xnr_status xnr_store_find_run(struct xnr_store *s, const char *key, int64_t *run_id,
                                   struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT id FROM runs WHERE key = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return xnr__store_fail(s, err);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		enum xnr_status fail = xnr__store_fail(s, err);
		sqlite3_finalize(st);
		return fail;
	}
	*run_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return XNR_OK;
}
