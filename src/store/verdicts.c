/*
 * verdicts.c - writing a reviewer's verdicts (verdicts.h): a verdict given
 * through a run's sentence is stored against the data it is about (file,
 * split, content hash, the sentence's line or id and words, the span's
 * words and gold labels at the time), checked and written in one
 * transaction; updates keep that identity, deletes are explicit. Reading
 * them back with their state against a run: verdicts_read.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/verdicts.h"

static const char *const kind_names[XNR_VERDICT_KIND_COUNT] = {"label_error", "model_error",
                                                               "ambiguous", "skip"};

const char *xnr_verdict_kind_name(enum xnr_verdict_kind kind)
{
	return (unsigned)kind < XNR_VERDICT_KIND_COUNT ? kind_names[kind] : "?";
}

int xnr_verdict_kind_parse(const char *name, enum xnr_verdict_kind *out)
{
	for (int k = 0; name && k < XNR_VERDICT_KIND_COUNT; k++)
		if (strcmp(name, kind_names[k]) == 0) {
			*out = (enum xnr_verdict_kind)k;
			return 0;
		}
	return -1;
}

/* A reviewer's text: valid UTF-8 (json_string checks it), at most max bytes. */
static enum xnr_status check_text(const char *what, const char *s, size_t max,
                                  struct xnr_error *err)
{
	json_t *j;

	if (strlen(s) > max)
		return xnr_fail(err, XNR_ERR_LIMIT, "verdict: %s is longer than %zu bytes", what,
		                max);
	if (!(j = json_string(s)))
		return xnr_fail(err, XNR_ERR_INPUT, "verdict: %s is not valid UTF-8", what);
	json_decref(j);
	return XNR_OK;
}

/* What can be checked without the database. */
static enum xnr_status check_input(const struct xnr_verdict_input *in, struct xnr_error *err)
{
	enum xnr_status st;

	if ((unsigned)in->kind >= XNR_VERDICT_KIND_COUNT)
		return xnr_fail(err, XNR_ERR_INPUT, "verdict: unknown kind %d", (int)in->kind);
	if (in->start < 0 || in->end <= in->start)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "verdict: words %d to %d are not a span (start >= 0, end > start)",
		                in->start, in->end);
	if ((in->kind == XNR_VERDICT_LABEL_ERROR) != (in->labels != NULL))
		return xnr_fail(err, XNR_ERR_INPUT,
		                in->labels ? "verdict: only a label_error carries labels"
		                           : "verdict: a label_error needs the corrected labels, "
		                             "one per word of the span");
	if (!in->who || !in->who[0])
		return xnr_fail(err, XNR_ERR_INPUT,
		                "verdict: who gave it? (a reviewer name is required)");
	if ((st = check_text("who", in->who, XNR_VERDICT_WHO_MAX, err)) != XNR_OK)
		return st;
	return in->why ? check_text("why", in->why, XNR_VERDICT_WHY_MAX, err) : XNR_OK;
}

/* Run one statement with ?1.. bound to the int64s (n of them) and, after
 * them, the texts (NULL binds NULL); *row = 1 if it gave a row (the
 * statement is left in *out for reading, else finalized). */
static enum xnr_status query(struct xnr_store *s, const char *sql, const int64_t *ints, int n_ints,
                             const char *const *texts, int n_texts, sqlite3_stmt **out, int *row,
                             struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	int i, rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return xnr__store_fail(s, err);
	for (i = 0; i < n_ints; i++)
		sqlite3_bind_int64(st, i + 1, ints[i]);
	for (i = 0; i < n_texts; i++)
		sqlite3_bind_text(st, n_ints + i + 1, texts[i], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		enum xnr_status fail = xnr__store_fail(s, err);
		sqlite3_finalize(st);
		return fail;
	}
	*row = rc == SQLITE_ROW;
	if (out && *row)
		*out = st;
	else
		sqlite3_finalize(st);
	return XNR_OK;
}

/* XNR_ERR_INPUT unless each of the n labels is a label of run. */
static enum xnr_status check_labels(struct xnr_store *s, int64_t run, const char *const *labels,
                                    int n, struct xnr_error *err)
{
	for (int i = 0; labels && i < n; i++) {
		const char *name = labels[i] ? labels[i] : "";
		enum xnr_status st;
		int row;
		if ((st = query(s, "SELECT 1 FROM labels WHERE run_id = ?1 AND name = ?2", &run, 1,
		                &name, 1, NULL, &row, err)) != XNR_OK)
			return st;
		if (!row) {
			xnr_fail(err, XNR_ERR_INPUT,
			         "verdict: \"%.64s\" (label %d of the span) is not a label of run "
			         "%lld",
			         name, i + 1, (long long)run);
			xnr_error_set_item(err, i + 1);
			return XNR_ERR_INPUT;
		}
	}
	return XNR_OK;
}

/* The n labels as a JSON array (caller frees), or NULL. */
static char *labels_json(const char *const *labels, int n)
{
	json_t *a = json_array();
	char *s = NULL;

	for (int i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(labels[i])) != 0)
			goto done;
	s = a ? json_dumps(a, JSON_COMPACT) : NULL;
done:
	json_decref(a);
	return s;
}

/* The words [start, end) of run's sentence: their text joined by spaces and
 * their gold labels as a JSON array (both caller-freed). */
static enum xnr_status span_words(struct xnr_store *s, int64_t run, int64_t sentence, int start,
                                  int end, char **text, char **was, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	json_t *gold = json_array();
	size_t len = 0, cap = 64;
	char *t = malloc(cap);
	enum xnr_status rc = XNR_OK;
	int step;

	if (!gold || !t)
		goto nomem;
	t[0] = '\0';
	if ((rc = xnr__store_prepare(s,
	                             "SELECT w.text, l.name FROM words w LEFT JOIN labels l ON"
	                             " l.run_id = w.run_id AND l.id = w.gold WHERE w.run_id = ?1"
	                             " AND w.sentence_id = ?2 AND w.idx >= ?3 AND w.idx < ?4"
	                             " ORDER BY w.idx",
	                             run, &st, err)) != XNR_OK)
		goto fail;
	sqlite3_bind_int64(st, 2, sentence);
	sqlite3_bind_int(st, 3, start);
	sqlite3_bind_int(st, 4, end);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *w = (const char *)sqlite3_column_text(st, 0);
		const char *g = (const char *)sqlite3_column_text(st, 1);
		size_t n = strlen(w ? w : "") + 2;
		if (len + n >= cap) {
			char *p = realloc(t, cap = 2 * (len + n));
			if (!p)
				goto nomem;
			t = p;
		}
		len += (size_t)snprintf(t + len, cap - len, "%s%s", len ? " " : "", w ? w : "");
		if (json_array_append_new(gold, g ? json_string(g) : json_null()) != 0)
			goto nomem;
	}
	if (step != SQLITE_DONE) {
		rc = xnr__store_fail(s, err);
		goto fail;
	}
	if (!(*was = json_dumps(gold, JSON_COMPACT)))
		goto nomem;
	*text = t;
	sqlite3_finalize(st);
	json_decref(gold);
	return XNR_OK;
nomem:
	rc = xnr_fail(err, XNR_ERR_NOMEM, "verdict: out of memory");
fail:
	sqlite3_finalize(st);
	json_decref(gold);
	free(t);
	return rc;
}

/* The insert itself, inside the transaction. */
static enum xnr_status insert(struct xnr_store *s, int64_t run, int64_t sentence,
                              const struct xnr_verdict_input *in, int64_t *id,
                              struct xnr_error *err)
{
	static const char sql[] =
	    "INSERT INTO verdicts (data_path, split, data_hash, source_line, source_id,"
	    " sentence_text, n_words, start, end, span_text, kind, labels, was, who, why,"
	    " created_at, updated_at, run_id)"
	    " SELECT r.data_path, r.split, r.data_hash, s.source_line, s.source_id, s.text,"
	    " s.n_words, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),"
	    " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), r.id FROM runs r JOIN sentences s ON"
	    " s.run_id = r.id AND s.id = ?2 WHERE r.id = ?1 AND r.writer IS NULL";
	int64_t keys[2] = {run, sentence};
	sqlite3_stmt *st = NULL;
	char *text = NULL, *was = NULL, *labels = NULL;
	enum xnr_status rc;
	int row, n_words = 0;

	if ((rc = query(s, "SELECT n_words FROM sentences WHERE run_id = ?1 AND id = ?2", keys, 2,
	                NULL, 0, &st, &row, err)) != XNR_OK)
		return rc;
	if (!row)
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "run %lld: no sentence %lld",
		                (long long)run, (long long)sentence);
	n_words = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (in->end > n_words)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "verdict: words %d to %d are outside sentence %lld (%d words)",
		                in->start, in->end, (long long)sentence, n_words);
	if ((rc = check_labels(s, run, in->labels, in->end - in->start, err)) != XNR_OK ||
	    (rc = span_words(s, run, sentence, in->start, in->end, &text, &was, err)) != XNR_OK)
		return rc;
	if (in->labels && !(labels = labels_json(in->labels, in->end - in->start))) {
		rc = xnr_fail(err, XNR_ERR_NOMEM, "verdict: out of memory");
		goto done;
	}
	if ((rc = xnr__store_prepare(s, sql, run, &st, err)) != XNR_OK)
		goto done;
	sqlite3_bind_int64(st, 2, sentence);
	sqlite3_bind_int(st, 3, in->start);
	sqlite3_bind_int(st, 4, in->end);
	sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, xnr_verdict_kind_name(in->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, labels, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, was, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, in->who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, in->why ? in->why : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = xnr__store_fail(s, err);
	else
		*id = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
done:
	free(text);
	free(was);
	free(labels);
	return rc;
}

/* The run must exist: XNR_ERR_NOT_FOUND "run ID: no such run". */
static enum xnr_status check_run(struct xnr_store *s, int64_t run, struct xnr_error *err)
{
	enum xnr_status rc;
	char sql[64];
	int row;

	snprintf(sql, sizeof sql, "SELECT 1 FROM runs WHERE id = ?1 AND %s",
	         xnr__store_complete(s));
	if ((rc = query(s, sql, &run, 1, NULL, 0, NULL, &row, err)) != XNR_OK)
		return rc;
	return row ? XNR_OK
	           : xnr_fail(err, XNR_ERR_NOT_FOUND, "run %lld: no such run", (long long)run);
}

static enum xnr_status begin(struct xnr_store *s, struct xnr_error *err)
{
	enum xnr_status rc = xnr__store_exec(s, "BEGIN IMMEDIATE", err);

	/* A run holds the write lock for its whole length (one transaction). */
	if (rc == XNR_ERR_BUSY)
		return xnr_fail(err, XNR_ERR_BUSY,
		                "%s: a run is writing this database; record the verdict again "
		                "when it has finished",
		                s->path);
	return rc;
}

/* Commit when rc is XNR_OK, else roll back; the status of the two. */
static enum xnr_status end_txn(struct xnr_store *s, enum xnr_status rc, struct xnr_error *err)
{
	if (rc == XNR_OK && (rc = xnr__store_exec(s, "COMMIT", err)) == XNR_OK)
		return XNR_OK;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

enum xnr_status xnr_verdict_add(struct xnr_store *s, int64_t run, int64_t sentence,
                                const struct xnr_verdict_input *in, int64_t *id,
                                struct xnr_error *err)
{
	enum xnr_status rc;
	int64_t new_id = 0;

	if ((rc = check_input(in, err)) != XNR_OK || (rc = begin(s, err)) != XNR_OK)
		return rc;
	if ((rc = check_run(s, run, err)) == XNR_OK)
		rc = insert(s, run, sentence, in, &new_id, err);
	if ((rc = end_txn(s, rc, err)) == XNR_OK)
		*id = new_id;
	return rc;
}

static enum xnr_status update(struct xnr_store *s, int64_t run, int64_t id,
                              const struct xnr_verdict_input *in, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	char *labels = NULL;
	enum xnr_status rc;
	int row, start, end;

	if ((rc = check_run(s, run, err)) != XNR_OK ||
	    (rc = query(s, "SELECT start, end FROM verdicts WHERE id = ?1", &id, 1, NULL, 0, &st,
	                &row, err)) != XNR_OK)
		return rc;
	if (!row)
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "no verdict %lld", (long long)id);
	start = sqlite3_column_int(st, 0);
	end = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	if (start != in->start || end != in->end)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "verdict %lld is on words %d to %d, not %d to %d (a verdict keeps "
		                "its span; delete it and add another)",
		                (long long)id, start, end, in->start, in->end);
	if ((rc = check_labels(s, run, in->labels, end - start, err)) != XNR_OK)
		return rc;
	if (in->labels && !(labels = labels_json(in->labels, end - start)))
		return xnr_fail(err, XNR_ERR_NOMEM, "verdict: out of memory");
	if ((rc = xnr__store_prepare(
	         s,
	         "UPDATE verdicts SET kind = ?2, labels = ?3, who = ?4, why = ?5,"
	         " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
	         " WHERE id = ?1",
	         id, &st, err)) == XNR_OK) {
		sqlite3_bind_text(st, 2, xnr_verdict_kind_name(in->kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, labels, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, in->who, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, in->why ? in->why : "", -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = xnr__store_fail(s, err);
		sqlite3_finalize(st);
	}
	free(labels);
	return rc;
}

enum xnr_status xnr_verdict_update(struct xnr_store *s, int64_t run, int64_t id,
                                   const struct xnr_verdict_input *in, struct xnr_error *err)
{
	enum xnr_status rc;

	if ((rc = check_input(in, err)) != XNR_OK || (rc = begin(s, err)) != XNR_OK)
		return rc;
	return end_txn(s, update(s, run, id, in, err), err);
}

enum xnr_status xnr_verdict_delete(struct xnr_store *s, int64_t id, struct xnr_error *err)
{
	enum xnr_status rc;
	int row;

	if ((rc = begin(s, err)) != XNR_OK)
		return rc;
	rc = query(s, "DELETE FROM verdicts WHERE id = ?1", &id, 1, NULL, 0, NULL, &row, err);
	if (rc == XNR_OK && sqlite3_changes(s->db) == 0)
		rc = xnr_fail(err, XNR_ERR_NOT_FOUND, "no verdict %lld", (long long)id);
	return end_txn(s, rc, err);
}
