/*
 * scores.c - writing a run's label-issue scores (scores.h): one
 * transaction that deletes the run's earlier scores and inserts the record
 * and every word, entity and sentence row, so a recompute replaces them
 * whole and a failure leaves the earlier ones.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/scores.h"

enum { ST_WORD, ST_ENTITY, ST_SENTENCE, ST_COUNT };

static const char *const insert_sql[ST_COUNT] = {
    [ST_WORD] = "INSERT INTO word_scores VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                " ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    [ST_ENTITY] = "INSERT INTO entity_scores VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                  " ?11, ?12, ?13, ?14, ?15)",
    [ST_SENTENCE] = "INSERT INTO sentence_scores VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
};

struct xnr_scores_writer {
	struct xnr_store *store;
	sqlite3_stmt *st[ST_COUNT];
	int64_t run;
	int open; /* the transaction is open */
};

static void bind_real(sqlite3_stmt *st, int col, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_double(st, col, v);
}

static void bind_id(sqlite3_stmt *st, int col, int v)
{
	if (v < 0)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int(st, col, v);
}

/* Neighbours as their little-endian 12-byte records (x86 and ARM: the struct as laid out). */
static void bind_nb(sqlite3_stmt *st, int col, const struct xnr_neighbour *nb, int n)
{
	_Static_assert(sizeof(struct xnr_neighbour) == 12, "12-byte neighbour records");
	if (nb && n > 0)
		sqlite3_bind_blob(st, col, nb, n * (int)sizeof *nb, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

static enum xnr_status step(struct xnr_scores_writer *w, int which, struct xnr_error *err)
{
	int rc = sqlite3_step(w->st[which]);
	sqlite3_reset(w->st[which]);
	sqlite3_clear_bindings(w->st[which]);
	return rc == SQLITE_DONE ? XNR_OK : xnr__store_fail(w->store, err);
}

static enum xnr_status insert_record(struct xnr_scores_writer *w, const struct xnr_issue_run *in,
                                     struct xnr_error *err)
{
	static const char sql[] =
	    "INSERT INTO issue_runs VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?3, ?4,"
	    " ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
	sqlite3_stmt *st = NULL;
	enum xnr_status prc = xnr__store_prepare(w->store, sql, in->run, &st, err);
	int rc;

	if (prc != XNR_OK)
		return prc;
	if (in->reference_run > 0)
		sqlite3_bind_int64(st, 2, in->reference_run);
	sqlite3_bind_text(st, 3, in->version, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, in->method);
	sqlite3_bind_int(st, 5, in->k);
	sqlite3_bind_text(st, 6, in->weights_json ? in->weights_json : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, in->over_confident);
	sqlite3_bind_text(st, 8, in->over_confident_reason, -1, SQLITE_STATIC);
	bind_real(st, 9, in->reference_accuracy);
	sqlite3_bind_int(st, 10, in->neighbours);
	sqlite3_bind_text(st, 11, in->summary_json, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? XNR_OK : xnr__store_fail(w->store, err);
}

enum xnr_status xnr_scores_begin(struct xnr_store *s, const struct xnr_issue_run *info,
                                 struct xnr_scores_writer **out, struct xnr_error *err)
{
	static const char *const clear[] = {"DELETE FROM word_scores WHERE run_id = ?1",
	                                    "DELETE FROM entity_scores WHERE run_id = ?1",
	                                    "DELETE FROM sentence_scores WHERE run_id = ?1",
	                                    "DELETE FROM issue_runs WHERE run_id = ?1"};
	struct xnr_scores_writer *w = calloc(1, sizeof *w);
	enum xnr_status rc;
	size_t i;

	if (!w)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	w->store = s;
	w->run = info->run;
	if ((rc = xnr__store_exec(s, "BEGIN IMMEDIATE", err)) != XNR_OK) {
		free(w);
		return rc;
	}
	w->open = 1;
	for (i = 0; i < sizeof clear / sizeof *clear; i++) {
		sqlite3_stmt *st = NULL;
		if ((rc = xnr__store_prepare(s, clear[i], info->run, &st, err)) != XNR_OK)
			goto fail;
		rc = sqlite3_step(st) == SQLITE_DONE ? XNR_OK : xnr__store_fail(s, err);
		sqlite3_finalize(st);
		if (rc != XNR_OK)
			goto fail;
	}
	for (i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v2(s->db, insert_sql[i], -1, &w->st[i], NULL) != SQLITE_OK) {
			rc = xnr__store_fail(s, err);
			goto fail;
		}
	if ((rc = insert_record(w, info, err)) != XNR_OK)
		goto fail;
	*out = w;
	return XNR_OK;
fail:
	xnr_error_prefix(err, "scores of run %lld: ", (long long)info->run);
	xnr_scores_abort(w);
	return rc;
}

enum xnr_status xnr_scores_add_word(struct xnr_scores_writer *w, const struct xnr_word_score *r,
                                    struct xnr_error *err)
{
	sqlite3_stmt *st = w->st[ST_WORD];

	sqlite3_bind_int64(st, 1, w->run);
	sqlite3_bind_int(st, 2, r->sentence_id);
	sqlite3_bind_int(st, 3, r->idx);
	bind_real(st, 4, r->self_confidence);
	bind_real(st, 5, r->margin);
	sqlite3_bind_int(st, 6, r->cl_issue);
	bind_id(st, 7, r->cl_guess);
	bind_real(st, 8, r->knn_split);
	bind_real(st, 9, r->knn_ref);
	sqlite3_bind_text(st, 10, r->knn_counts, -1, SQLITE_STATIC);
	bind_nb(st, 11, r->nb, r->n_nb);
	bind_nb(st, 12, r->ref_nb, r->n_ref_nb);
	bind_real(st, 13, r->consistency);
	sqlite3_bind_text(st, 14, r->consistency_counts, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 15, r->structure);
	bind_id(st, 16, r->suggested);
	sqlite3_bind_text(st, 17, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 18, r->combined);
	sqlite3_bind_int64(st, 19, r->rank);
	return step(w, ST_WORD, err);
}

enum xnr_status xnr_scores_add_entity(struct xnr_scores_writer *w, const struct xnr_entity_score *r,
                                      struct xnr_error *err)
{
	sqlite3_stmt *st = w->st[ST_ENTITY];

	sqlite3_bind_int64(st, 1, w->run);
	sqlite3_bind_int(st, 2, r->sentence_id);
	sqlite3_bind_int(st, 3, r->start);
	sqlite3_bind_int(st, 4, r->end);
	sqlite3_bind_text(st, 5, r->side, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->text, -1, SQLITE_STATIC);
	bind_real(st, 8, r->self_confidence);
	bind_real(st, 9, r->knn);
	bind_real(st, 10, r->consistency);
	sqlite3_bind_text(st, 11, r->consistency_counts, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, r->suggested, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 14, r->combined);
	sqlite3_bind_int64(st, 15, r->rank);
	return step(w, ST_ENTITY, err);
}

enum xnr_status xnr_scores_add_sentence(struct xnr_scores_writer *w,
                                        const struct xnr_sentence_score *r, struct xnr_error *err)
{
	sqlite3_stmt *st = w->st[ST_SENTENCE];

	sqlite3_bind_int64(st, 1, w->run);
	sqlite3_bind_int(st, 2, r->id);
	bind_real(st, 3, r->worst);
	bind_real(st, 4, r->softmin);
	sqlite3_bind_double(st, 5, r->combined);
	sqlite3_bind_int64(st, 6, r->rank);
	sqlite3_bind_int(st, 7, r->n_flagged);
	return step(w, ST_SENTENCE, err);
}

enum xnr_status xnr_scores_commit(struct xnr_scores_writer *w, struct xnr_error *err)
{
	enum xnr_status rc;
	int i;

	for (i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(w->st[i]);
		w->st[i] = NULL;
	}
	if ((rc = xnr__store_exec(w->store, "COMMIT", err)) == XNR_OK)
		w->open = 0;
	xnr_scores_abort(w);
	return rc;
}

void xnr_scores_abort(struct xnr_scores_writer *w)
{
	int i;

	if (!w)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(w->st[i]);
	if (w->open)
		sqlite3_exec(w->store->db, "ROLLBACK", NULL, NULL, NULL);
	free(w);
}
