/*
 * store.c - opening the run database (docs/schema.md): read-write with its
 * schema brought up to date (migrate.c), or read-only for one reader; and
 * the one place a SQLite failure becomes a status. WAL journal, so readers
 * (the web app) never block the single writer and a killed writer leaves
 * only a rolled-back transaction. A database that a run creates is built in
 * a file of its own next to it and only takes its name once the run has
 * committed, so a failed run leaves no new file behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/internal.h"
#include "store/store.h"

#define WRITER_BUSY_MS 5000 /* a writer waits this long for another writer */
#define READER_BUSY_MS 2000 /* a reader (WAL) only waits out a checkpoint */
#define BUSY_SLEEP_MS  5    /* between two tries of a lock: also how soon a cancel is seen */

enum xnr_status xnr__store_fail(const struct xnr_store *s, struct xnr_error *err)
{
	int code = sqlite3_errcode(s->db) & 0xff;

	if ((code == SQLITE_BUSY || code == SQLITE_LOCKED) && xnr_ctl_cancelled(s->ctl))
		return xnr_fail(err, XNR_ERR_CANCELLED,
		                "%s: cancelled while waiting for another program writing it",
		                s->path);
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return xnr_fail(err, XNR_ERR_BUSY, "%s: %s (another program is writing it)",
		                s->path, sqlite3_errmsg(s->db));
	/* a search's own limits (search.c): about the query, not the file */
	if (code == SQLITE_INTERRUPT)
		return xnr_fail(err, XNR_ERR_LIMIT,
		                "the search took longer than %d s (narrow it: more words, a "
		                "filter, a more specific regular expression)",
		                XNR_SEARCH_SECONDS);
	if (code == SQLITE_TOOBIG)
		return xnr_fail(err, XNR_ERR_LIMIT, "%s", sqlite3_errmsg(s->db));
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

const char *xnr__store_complete(struct xnr_store *s)
{
	sqlite3_stmt *st = NULL;

	if (!s->runs_writer) {
		s->runs_writer = sqlite3_prepare_v2(s->db, "SELECT writer FROM runs LIMIT 0", -1,
		                                    &st, NULL) == SQLITE_OK
		                     ? 1
		                     : -1;
		sqlite3_finalize(st);
	}
	return s->runs_writer > 0 ? "writer IS NULL" : "1";
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* SQLite's busy handler: another connection holds the lock. Wait for it in
 * short sleeps up to the store's busy timeout, as sqlite3_busy_timeout
 * does, but give up as soon as the store's ctl asks to stop: a job waiting
 * for the database must be cancellable (issue #14). n counts the calls of
 * this one wait. */
static int on_busy(void *ud, int n)
{
	struct xnr_store *s = ud;
	struct timespec pause = {0, BUSY_SLEEP_MS * 1000000L};
	double now = now_s();

	if (n == 0)
		s->busy_since = now;
	if (xnr_ctl_cancelled(s->ctl) || (now - s->busy_since) * 1000 >= s->busy_ms)
		return 0;
	nanosleep(&pause, NULL);
	return 1;
}

/* A store for path with its connection opened with flags on file (path
 * itself, or the staged file of a new database); open_fail is the status of
 * a file SQLite cannot open. */
static enum xnr_status store_connect(const char *path, const char *file, int flags, int busy_ms,
                                     enum xnr_status open_fail, struct xnr_store **out,
                                     struct xnr_error *err)
{
	struct xnr_store *s = calloc(1, sizeof *s);

	if (!s || !(s->path = strdup(path))) {
		free(s);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	if (sqlite3_open_v2(file, &s->db, flags, NULL) != SQLITE_OK) {
		/* A missing file (not created here) is the caller's "no such database". */
		int missing = s->db && !(flags & SQLITE_OPEN_CREATE) && access(file, F_OK) != 0;
		enum xnr_status st = xnr_fail(err,
		                              !s->db    ? XNR_ERR_NOMEM
		                              : missing ? XNR_ERR_NOT_FOUND
		                                        : open_fail,
		                              "%s: cannot open database: %s", path,
		                              s->db ? sqlite3_errmsg(s->db) : "out of memory");
		xnr_store_close(s);
		return st;
	}
	s->busy_ms = busy_ms;
	sqlite3_busy_handler(s->db, on_busy, s);
	*out = s;
	return XNR_OK;
}

/* Open file read-write as the database path (flags: create or not) with
 * its schema up to date. */
static enum xnr_status open_rw(const char *path, const char *file, int flags,
                               struct xnr_store **out, struct xnr_error *err)
{
	struct xnr_store *s = NULL;
	enum xnr_status rc;

	rc = store_connect(path, file, SQLITE_OPEN_READWRITE | flags, WRITER_BUSY_MS, XNR_ERR_IO,
	                   &s, err);
	if (rc != XNR_OK)
		return rc;
	if ((rc = xnr__store_migrate(s, err)) != XNR_OK ||
	    (rc = xnr__store_exec(s,
	                          "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
	                          " " XNR__STORE_MMAP "; " XNR__STORE_CACHE,
	                          err)) != XNR_OK) {
		xnr_store_close(s);
		return rc;
	}
	*out = s;
	return XNR_OK;
}

enum xnr_status xnr_store_open(const char *path, int create, struct xnr_store **out,
                               struct xnr_error *err)
{
	return open_rw(path, path, create ? SQLITE_OPEN_CREATE : 0, out, err);
}

/* A new empty file "PATH.tmp-PID-N" next to path, made with O_EXCL so it is
 * this process's alone; its name in *file (caller frees). */
static enum xnr_status make_staged(const char *path, char **file, struct xnr_error *err)
{
	size_t size = strlen(path) + 48;
	char *name = malloc(size);
	int i, fd = -1;

	if (!name)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (i = 0; i < 100 && fd < 0; i++) {
		snprintf(name, size, "%s.tmp-%ld-%d", path, (long)getpid(), i);
		/* SQLite's own mode for new databases (SQLITE_DEFAULT_FILE_PERMISSIONS) */
		fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		enum xnr_status st =
		    xnr_fail_at(err, errno == ENOENT ? XNR_ERR_NOT_FOUND : XNR_ERR_IO, path, 0,
		                "cannot create the database: %s", strerror(errno));
		free(name);
		return st;
	}
	close(fd);
	*file = name;
	return XNR_OK;
}

enum xnr_status xnr_store_open_staged(const char *path, struct xnr_store **out,
                                      struct xnr_error *err)
{
	struct stat sb;
	char *file = NULL;
	enum xnr_status st;

	if (lstat(path, &sb) == 0 || errno != ENOENT)
		return open_rw(path, path, SQLITE_OPEN_CREATE, out, err);
	if ((st = make_staged(path, &file, err)) != XNR_OK)
		return st;
	if ((st = open_rw(path, file, 0, out, err)) != XNR_OK) {
		unlink(file);
		free(file);
		return st;
	}
	(*out)->staged = file;
	return XNR_OK;
}

/* Remove the staged file of s and the WAL files SQLite keeps next to it. */
static void drop_staged(struct xnr_store *s)
{
	static const char *const ends[] = {"", "-wal", "-shm", "-journal"};
	char name[4200];
	size_t i;

	for (i = 0; i < sizeof ends / sizeof ends[0]; i++)
		if (snprintf(name, sizeof name, "%s%s", s->staged, ends[i]) < (int)sizeof name)
			unlink(name);
	free(s->staged);
	s->staged = NULL;
}

/* Give the staged file its path, unless something has taken the path since. */
static int move_no_replace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	/* file systems without RENAME_NOREPLACE (NFS): a hard link cannot replace either */
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	return link(from, to);
}

enum xnr_status xnr_store_publish(struct xnr_store *s, struct xnr_error *err)
{
	enum xnr_status st = XNR_OK;

	if (!s->staged)
		return XNR_OK;
	/* everything into the main file, so the file alone is the database */
	if ((st = xnr__store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", err)) != XNR_OK)
		return st;
	if (sqlite3_close(s->db) != SQLITE_OK)
		return xnr__store_fail(s, err);
	s->db = NULL;
	if (move_no_replace(s->staged, s->path) != 0) {
		int e = errno;
		if (e == EEXIST)
			st = xnr_fail_at(
			    err, XNR_ERR_BUSY, s->path, 0,
			    "another program created the database while this run was "
			    "writing (nothing was written; run again to add the run to it)");
		else
			st = xnr_fail_at(err, XNR_ERR_IO, s->path, 0,
			                 "cannot create the database: %s", strerror(e));
	}
	drop_staged(s);
	return st;
}

enum xnr_status xnr_store_open_read(const char *path, struct xnr_store **out, struct xnr_error *err)
{
	return store_connect(path, path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, READER_BUSY_MS,
	                     XNR_ERR_DB, out, err);
}

void xnr_store_set_ctl(struct xnr_store *s, const struct xnr_ctl *ctl)
{
	s->ctl = ctl;
}

void xnr_store_close(struct xnr_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	if (s->staged)
		drop_staged(s);
	free(s->path);
	free(s->memo_key);
	free(s->memo_ids);
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

	if (sqlite3_prepare_v2(s->db, "SELECT id FROM runs WHERE key = ? AND writer IS NULL", -1,
	                       &st, NULL) != SQLITE_OK)
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

enum xnr_status xnr_store_lean(struct xnr_store *s, int lean, struct xnr_error *err)
{
	return xnr__store_exec(s,
	                       lean ? "PRAGMA mmap_size = 0; " XNR__WRITER_CACHE
	                            : XNR__STORE_MMAP "; " XNR__STORE_CACHE,
	                       err);
}
