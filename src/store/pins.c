/*
 * pins.c - the sentences a user keeps while looking through a run (the web
 * app's pins, read.h), in the `pins` table (docs/schema.md): one row per
 * pinned sentence of a run, with a note and when it was pinned. Written in
 * a transaction of its own, so a run that holds the write lock makes a pin
 * wait (and fail as busy), never half-written.
 */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

void xnr_pins_free(struct xnr_pin *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].note);
		free(v[i].created_at);
	}
	free(v);
}

/* Run sql (?1 run, ?2 sentence, ?3 note) as one write; a run holding the
 * lock makes it XNR_ERR_BUSY with what to do. *changes: rows changed. */
static enum xnr_status write_one(struct xnr_store *s, const char *sql, int64_t run, int64_t sid,
                                 const char *note, int *changes, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	if ((rc = xnr__store_prepare(s, sql, run, &st, err)) != XNR_OK)
		return rc;
	sqlite3_bind_int64(st, 2, sid);
	sqlite3_bind_text(st, 3, note ? note : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE) {
		*changes = sqlite3_changes(s->db);
	} else if ((rc = xnr__store_fail(s, err)) == XNR_ERR_BUSY) {
		/* A run holds the write lock for its whole length (one transaction). */
		rc = xnr_fail(err, XNR_ERR_BUSY,
		              "%s: a run is writing this database; pin again when it has finished",
		              s->path);
	}
	sqlite3_finalize(st);
	return rc;
}

enum xnr_status xnr_store_pin(struct xnr_store *s, int64_t run, int64_t sid, const char *note,
                              struct xnr_error *err)
{
	/* Only a sentence of the run; a second pin keeps its time and takes the note. */
	static const char sql[] =
	    "INSERT INTO pins (run_id, sentence_id, note, created_at)"
	    " SELECT ?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM sentences"
	    " WHERE run_id = ?1 AND id = ?2"
	    " ON CONFLICT (run_id, sentence_id) DO UPDATE SET note = excluded.note";
	enum xnr_status rc;
	int changes = 0;

	if (note && strlen(note) > XNR_PIN_NOTE_MAX)
		return xnr_fail(err, XNR_ERR_INPUT, "note: at most %d bytes", XNR_PIN_NOTE_MAX);
	if ((rc = write_one(s, sql, run, sid, note, &changes, err)) != XNR_OK)
		return rc;
	if (!changes)
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "run %lld: no sentence %lld",
		                (long long)run, (long long)sid);
	return XNR_OK;
}

enum xnr_status xnr_store_unpin(struct xnr_store *s, int64_t run, int64_t sid,
                                struct xnr_error *err)
{
	int changes = 0;

	return write_one(s, "DELETE FROM pins WHERE run_id = ?1 AND sentence_id = ?2", run, sid,
	                 NULL, &changes, err);
}

/* Append the current row to *v (grown by doubling); -1 when out of memory. */
static int push(sqlite3_stmt *st, struct xnr_pin **v, size_t *n, size_t *cap)
{
	const char *note = (const char *)sqlite3_column_text(st, 1);
	const char *at = (const char *)sqlite3_column_text(st, 2);
	struct xnr_pin *p;

	if (*n == *cap) {
		size_t grown = *cap ? 2 * *cap : 16;
		if (!(p = realloc(*v, grown * sizeof *p)))
			return -1;
		*v = p;
		*cap = grown;
	}
	p = &(*v)[(*n)++];
	p->sentence_id = sqlite3_column_int64(st, 0);
	p->note = strdup(note ? note : "");
	p->created_at = strdup(at ? at : "");
	return p->note && p->created_at ? 0 : -1;
}

enum xnr_status xnr_store_pins(struct xnr_store *s, int64_t run, struct xnr_pin **out, size_t *n,
                               struct xnr_error *err)
{
	static const char sql[] = "SELECT sentence_id, note, created_at FROM pins"
	                          " WHERE run_id = ?1 ORDER BY sentence_id";
	sqlite3_stmt *st = NULL;
	struct xnr_pin *v = NULL;
	size_t count = 0, cap = 0;
	enum xnr_status rc = XNR_OK;
	int step;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		/* a database read before a read-write open upgraded it */
		if (strstr(sqlite3_errmsg(s->db), "no such table"))
			goto done;
		return xnr__store_fail(s, err);
	}
	sqlite3_bind_int64(st, 1, run);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (push(st, &v, &count, &cap) != 0) {
			rc = xnr_fail(err, XNR_ERR_NOMEM, "pins: out of memory");
			goto fail;
		}
	if (step != SQLITE_DONE) {
		rc = xnr__store_fail(s, err);
		goto fail;
	}
done:
	sqlite3_finalize(st);
	*out = v;
	*n = count;
	return XNR_OK;
fail:
	sqlite3_finalize(st);
	xnr_pins_free(v, count);
	return rc;
}
