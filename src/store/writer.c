/*
 * writer.c - writing one run: one transaction, one prepared statement per
 * table, rows bound and stepped as they come. Rolled back on any failure, so
 * a run is either complete in the database or absent.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/half.h"
#include "store/internal.h"
#include "store/store.h"

static const char *const insert_sql[XNR__ST_COUNT] = {
    [XNR__ST_LABEL] = "INSERT INTO labels VALUES (?1, ?2, ?3)",
    [XNR__ST_DOC] = "INSERT INTO documents VALUES (?1, ?2, ?3)",
    [XNR__ST_SENT] = "INSERT INTO sentences VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    /* the full-text index of the sentence (migrate.c) */
    [XNR__ST_SEARCH] = "INSERT INTO search (rowid, text) VALUES ((?1 << 32) | ?2, ?3)",
    [XNR__ST_WORD] = "INSERT INTO words VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [XNR__ST_HIDDEN] = "INSERT INTO hidden VALUES (?1, ?2, ?3, ?4)",
    [XNR__ST_TOKEN] =
        "INSERT INTO tokens VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
    [XNR__ST_ENTITY] = "INSERT INTO entities VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [XNR__ST_SETTING] = "INSERT INTO settings (run_id, key, value) VALUES (?1, ?2, ?3)",
};

static enum xnr_status db_fail(struct xnr_run_writer *w, struct xnr_error *err)
{
	return xnr__store_fail(w->store, err);
}

/* Step a bound insert and reset it for the next row. */
static enum xnr_status step(struct xnr_run_writer *w, int which, struct xnr_error *err)
{
	sqlite3_stmt *st = w->st[which];
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? XNR_OK : db_fail(w, err);
}

/* NaN stands for "no value" (a word that produced no sub-token): NULL. */
static void bind_real(sqlite3_stmt *st, int col, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_double(st, col, v);
}

static void bind_vec(sqlite3_stmt *st, int col, const float *v, int n)
{
	if (v)
		sqlite3_bind_blob(st, col, v, n * (int)sizeof(float), SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

static enum xnr_status insert_run(struct xnr_run_writer *w, const struct xnr_run_info *in,
                                  struct xnr_error *err)
{
	static const char sql[] =
	    "INSERT INTO runs (key, created_at, explainer_version, model_path, model_hash,"
	    " model_arch, data_path, data_hash, split, options, scheme, hidden_size)"
	    " VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	    " ?9, ?10, ?11)";
	const char *text[] = {in->key,          in->version,   in->model_path, in->model_hash,
	                      in->model_arch,   in->data_path, in->data_hash,  in->split,
	                      in->options_json, in->scheme};
	sqlite3_stmt *st = NULL;
	int i, rc;

	if (sqlite3_prepare_v2(w->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(w, err);
	for (i = 0; i < 10; i++)
		sqlite3_bind_text(st, i + 1, text[i], -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 11, in->hidden_size);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(w, err);
	w->run_id = sqlite3_last_insert_rowid(w->db);
	for (i = 0; i < in->n_labels; i++) {
		enum xnr_status s;
		sqlite3_bind_int64(w->st[XNR__ST_LABEL], 1, w->run_id);
		sqlite3_bind_int(w->st[XNR__ST_LABEL], 2, i);
		sqlite3_bind_text(w->st[XNR__ST_LABEL], 3, in->labels[i], -1, SQLITE_STATIC);
		if ((s = step(w, XNR__ST_LABEL, err)) != XNR_OK)
			return s;
	}
	return XNR_OK;
}

enum xnr_status xnr_run_begin(struct xnr_store *store, const struct xnr_run_info *info,
                              struct xnr_run_writer **out, struct xnr_error *err)
{
	struct xnr_run_writer *w = calloc(1, sizeof *w);
	enum xnr_status rc;
	int i;

	if (!w)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	w->store = store;
	w->db = store->db;
	w->n_labels = info->n_labels;
	w->hidden_size = info->hidden_size;
	if (info->hidden_f16 &&
	    !(w->half = malloc((size_t)(info->hidden_size > 0 ? info->hidden_size : 1) *
	                       sizeof *w->half))) {
		free(w);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	if ((rc = xnr__store_exec(store, "BEGIN IMMEDIATE", err)) != XNR_OK) {
		free(w->half);
		free(w);
		return rc;
	}
	for (i = 0; i < XNR__ST_COUNT; i++)
		if (sqlite3_prepare_v2(w->db, insert_sql[i], -1, &w->st[i], NULL) != SQLITE_OK) {
			rc = db_fail(w, err);
			goto fail;
		}
	if ((rc = insert_run(w, info, err)) != XNR_OK)
		goto fail;
	*out = w;
	return XNR_OK;
fail:
	xnr_run_abort(w);
	return rc;
}

enum xnr_status xnr_run_add_document(struct xnr_run_writer *w, int id, long first_line,
                                     struct xnr_error *err)
{
	sqlite3_stmt *st = w->st[XNR__ST_DOC];
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int(st, 2, id);
	sqlite3_bind_int64(st, 3, first_line);
	return step(w, XNR__ST_DOC, err);
}

enum xnr_status xnr_run_add_sentence(struct xnr_run_writer *w, const struct xnr_sentence_row *s,
                                     struct xnr_error *err)
{
	sqlite3_stmt *st = w->st[XNR__ST_SENT];
	enum xnr_status rc;
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int(st, 2, s->id);
	sqlite3_bind_int(st, 3, s->doc_id);
	sqlite3_bind_int64(st, 4, s->source_line);
	sqlite3_bind_text(st, 5, s->source_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, s->text, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, s->n_words);
	sqlite3_bind_int(st, 8, s->n_tokens);
	sqlite3_bind_double(st, 9, s->loss);
	sqlite3_bind_int(st, 10, s->n_word_errors);
	sqlite3_bind_int(st, 11, s->n_entity_errors);
	if ((rc = step(w, XNR__ST_SENT, err)) != XNR_OK)
		return rc;
	st = w->st[XNR__ST_SEARCH];
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int(st, 2, s->id);
	sqlite3_bind_text(st, 3, s->text, -1, SQLITE_STATIC);
	return step(w, XNR__ST_SEARCH, err);
}

enum xnr_status xnr_run_add_word(struct xnr_run_writer *w, const struct xnr_word_row *r,
                                 struct xnr_error *err)
{
	sqlite3_stmt *st = w->st[XNR__ST_WORD];
	enum xnr_status rc;
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int(st, 2, r->sentence_id);
	sqlite3_bind_int(st, 3, r->idx);
	sqlite3_bind_text(st, 4, r->text, r->text_len, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, r->gold);
	sqlite3_bind_int(st, 6, r->pred);
	bind_real(st, 7, r->prob_pred);
	bind_real(st, 8, r->prob_gold);
	bind_real(st, 9, r->loss);
	bind_real(st, 10, r->entropy);
	if (r->first_token >= 0)
		sqlite3_bind_int(st, 11, r->first_token);
	bind_vec(st, 12, r->probs, w->n_labels);
	if ((rc = step(w, XNR__ST_WORD, err)) != XNR_OK || !r->hidden)
		return rc;
	st = w->st[XNR__ST_HIDDEN];
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int(st, 2, r->sentence_id);
	sqlite3_bind_int(st, 3, r->idx);
	if (w->half) {
		for (int i = 0; i < w->hidden_size; i++)
			w->half[i] = xnr_f32_to_f16(r->hidden[i]);
		sqlite3_bind_blob(st, 4, w->half, w->hidden_size * (int)sizeof *w->half,
		                  SQLITE_STATIC);
	} else {
		bind_vec(st, 4, r->hidden, w->hidden_size);
	}
	return step(w, XNR__ST_HIDDEN, err);
}

enum xnr_status xnr_run_add_token(struct xnr_run_writer *w, const struct xnr_token_row *r,
                                  struct xnr_error *err)
{
	sqlite3_stmt *st = w->st[XNR__ST_TOKEN];
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int(st, 2, r->sentence_id);
	sqlite3_bind_int(st, 3, r->idx);
	sqlite3_bind_int(st, 4, r->token_id);
	sqlite3_bind_text(st, 5, r->text, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, r->word_idx);
	sqlite3_bind_int(st, 7, r->start);
	sqlite3_bind_int(st, 8, r->end);
	sqlite3_bind_int(st, 9, r->is_first);
	if (r->gold >= 0) {
		sqlite3_bind_int(st, 10, r->gold);
		sqlite3_bind_double(st, 13, r->loss);
	}
	sqlite3_bind_int(st, 11, r->pred);
	sqlite3_bind_double(st, 12, r->prob_pred);
	sqlite3_bind_double(st, 14, r->entropy);
	bind_vec(st, 15, r->probs, w->n_labels);
	return step(w, XNR__ST_TOKEN, err);
}

enum xnr_status xnr_run_add_entity(struct xnr_run_writer *w, int sentence_id, int is_pred,
                                   int start, int end, const char *type, struct xnr_error *err)
{
	sqlite3_stmt *st = w->st[XNR__ST_ENTITY];
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int(st, 2, sentence_id);
	sqlite3_bind_text(st, 3, is_pred ? "pred" : "gold", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, start);
	sqlite3_bind_int(st, 5, end);
	sqlite3_bind_text(st, 6, type, -1, SQLITE_STATIC);
	return step(w, XNR__ST_ENTITY, err);
}

int64_t xnr_run_writer_id(const struct xnr_run_writer *w)
{
	return w->run_id;
}

enum xnr_status xnr_run_add_setting(struct xnr_run_writer *w, const char *key, const char *value,
                                    struct xnr_error *err)
{
	sqlite3_stmt *st = w->st[XNR__ST_SETTING];
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
	return step(w, XNR__ST_SETTING, err);
}

enum xnr_status xnr_run_commit(struct xnr_run_writer *w, int n_sentences, long n_words,
                               long n_tokens, double duration_s, const char *summary_json,
                               int64_t *run_id, struct xnr_error *err)
{
	static const char sql[] = "UPDATE runs SET n_sentences = ?2, n_words = ?3, n_tokens = ?4,"
	                          " duration_s = ?5, summary = ?6 WHERE id = ?1";
	sqlite3_stmt *st = NULL;
	enum xnr_status rc = XNR_OK;

	if (sqlite3_prepare_v2(w->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(w, err);
		goto done;
	}
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int(st, 2, n_sentences);
	sqlite3_bind_int64(st, 3, n_words);
	sqlite3_bind_int64(st, 4, n_tokens);
	sqlite3_bind_double(st, 5, duration_s);
	sqlite3_bind_text(st, 6, summary_json, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(w, err);
	sqlite3_finalize(st);
	if (rc == XNR_OK)
		rc = xnr__store_exec(w->store, "COMMIT", err);
done:
	if (rc == XNR_OK) {
		*run_id = w->run_id;
		w->db = NULL; /* committed: nothing to roll back */
	}
	xnr_run_abort(w);
	return rc;
}

void xnr_run_abort(struct xnr_run_writer *w)
{
	int i;
	if (!w)
		return;
	for (i = 0; i < XNR__ST_COUNT; i++)
		sqlite3_finalize(w->st[i]);
	if (w->db)
		sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
	free(w->half);
	free(w);
}
