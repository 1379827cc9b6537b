/*
 * copy.c - rows of a run stored in another database added to the run being
 * written, value for value: every column as SQLite holds it (reals bit for
 * bit, vectors byte for byte), only run_id replaced, and the copied
 * sentences added to the full-text index. `explainer merge`
 * (pipeline/merge.c) builds one run from its shards with it.
 */
#include <stdio.h>
#include <string.h>

#include "store/internal.h"
#include "store/store.h"

/* The tables of a run's rows, each in the order its rows were written. */
static const struct {
	const char *table, *order;
} tables[] = {
    {"documents", "id"},
    {"sentences", "id"},
    {"words", "sentence_id, idx"},
    {"hidden", "sentence_id, idx"},
    {"tokens", "sentence_id, idx"},
    {"entities", "rowid"},
};

/* "INSERT INTO t (c1, ...) VALUES (?1, ...)" for the columns of sel. */
static int insert_sql(sqlite3_stmt *sel, const char *table, char *buf, size_t size)
{
	int n = sqlite3_column_count(sel), i, o;

	o = snprintf(buf, size, "INSERT INTO main.%s (", table);
	for (i = 0; i < n && o < (int)size; i++)
		o += snprintf(buf + o, size - (size_t)o, "%s\"%s\"", i ? ", " : "",
		              sqlite3_column_name(sel, i));
	for (i = 0; i < n && o < (int)size; i++)
		o += snprintf(buf + o, size - (size_t)o, "%s?%d", i ? ", " : ") VALUES (", i + 1);
	if (o < (int)size)
		o += snprintf(buf + o, size - (size_t)o, ")");
	return o < (int)size;
}

/* Every row of table of run from into the writer's run. */
static enum xnr_status copy_table(struct xnr_run_writer *w, struct xnr_store *from, int64_t run,
                                  size_t t, struct xnr_error *err)
{
	char sql[1024];
	sqlite3_stmt *sel = NULL, *ins = NULL;
	enum xnr_status st;
	int rc, i, n, run_col = -1;

	snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE run_id = ?1 ORDER BY %s", tables[t].table,
	         tables[t].order);
	if ((st = xnr__store_prepare(from, sql, run, &sel, err)) != XNR_OK)
		return st;
	n = sqlite3_column_count(sel);
	for (i = 0; i < n; i++)
		if (strcmp(sqlite3_column_name(sel, i), "run_id") == 0)
			run_col = i;
	if (run_col < 0 || !insert_sql(sel, tables[t].table, sql, sizeof sql)) {
		st = xnr_fail(err, XNR_ERR_INTERNAL,
		              "%s: table %s has no run_id or too many columns", from->path,
		              tables[t].table);
		goto done;
	}
	if (sqlite3_prepare_v2(w->db, sql, -1, &ins, NULL) != SQLITE_OK) {
		st = xnr__store_fail(w->store, err);
		goto done;
	}
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		for (i = 0; i < n; i++)
			if (i == run_col)
				sqlite3_bind_int64(ins, i + 1, w->run_id);
			else
				sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i));
		rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (rc != SQLITE_DONE) {
			st = xnr__store_fail(w->store, err);
			goto done;
		}
	}
	if (rc != SQLITE_DONE)
		st = xnr__store_fail(from, err);
done:
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	return st;
}

/* The full-text index (schema 5, no run_id column: rowids are run << 32 |
 * sentence) of the sentences just copied from run of from: a shard's ids are
 * one range of the whole run's. */
static enum xnr_status index_search(struct xnr_run_writer *w, struct xnr_store *from, int64_t run,
                                    struct xnr_error *err)
{
	static const char sql[] =
	    "INSERT INTO main.search (rowid, text) SELECT (?1 << 32) | id, text FROM main.sentences"
	    " WHERE run_id = ?1 AND id BETWEEN ?2 AND ?3";
	sqlite3_stmt *range = NULL, *ins = NULL;
	enum xnr_status st;
	int rc;

	st = xnr__store_prepare(from, "SELECT min(id), max(id) FROM sentences WHERE run_id = ?1",
	                        run, &range, err);
	if (st != XNR_OK)
		return st;
	if ((rc = sqlite3_step(range)) != SQLITE_ROW) {
		st = xnr__store_fail(from, err);
		goto done;
	}
	if (sqlite3_column_type(range, 0) == SQLITE_NULL) /* an empty slice */
		goto done;
	if (sqlite3_prepare_v2(w->db, sql, -1, &ins, NULL) != SQLITE_OK) {
		st = xnr__store_fail(w->store, err);
		goto done;
	}
	sqlite3_bind_int64(ins, 1, w->run_id);
	sqlite3_bind_int64(ins, 2, sqlite3_column_int64(range, 0));
	sqlite3_bind_int64(ins, 3, sqlite3_column_int64(range, 1));
	if (sqlite3_step(ins) != SQLITE_DONE)
		st = xnr__store_fail(w->store, err);
done:
	sqlite3_finalize(range);
	sqlite3_finalize(ins);
	return st;
}

enum xnr_status xnr_run_copy_rows(struct xnr_run_writer *w, struct xnr_store *from, int64_t run,
                                  int documents, struct xnr_error *err)
{
	enum xnr_status st = XNR_OK;
	size_t t;

	for (t = documents ? 0 : 1; st == XNR_OK && t < sizeof tables / sizeof tables[0]; t++)
		st = copy_table(w, from, run, t, err);
	return st == XNR_OK ? index_search(w, from, run, err) : st;
}
