/*
 * writer.c - writing one run: one transaction, or several (xnr_run_piece)
 * with the run row naming its writer until the last, one prepared statement
 * per table, rows bound and stepped as they come. Rolled back (and its
 * pieces deleted) on any failure, so a run is either complete in the
 * database or invisible, and gone by the next run.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* This process as a run's writer: "HOST PID". */
static const char *writer_name(char *buf, size_t n)
{
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	snprintf(buf, n, "%s %ld", host, (long)getpid());
	return buf;
}

/* Whether a run's writer is gone: a process of this machine that no longer
 * exists (another machine's cannot be asked: its runs are left alone). */
static int writer_gone(const char *writer)
{
	char me[256] = "";
	const char *space = writer ? strrchr(writer, ' ') : NULL;
	char *end = NULL;
	long pid;

	if (!space)
		return 0;
	errno = 0;
	pid = strtol(space + 1, &end, 10);
	if (errno || *end || pid <= 0 || end == space + 1)
		return 0;
	gethostname(me, sizeof me - 1);
	return strlen(me) == (size_t)(space - writer) && strncmp(writer, me, strlen(me)) == 0 &&
	       kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Delete the runs killed in the middle of their pieces (in the caller's
 * transaction), their rows with them (ON DELETE CASCADE, and the trigger
 * for the search index). */
static enum xnr_status forget_dead_runs(struct xnr_run_writer *w, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL, *del = NULL;
	enum xnr_status rc = XNR_OK;
	int step_rc;

	if (sqlite3_prepare_v2(w->db, "SELECT id, writer FROM runs WHERE writer IS NOT NULL", -1,
	                       &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w->db, "DELETE FROM runs WHERE id = ?1", -1, &del, NULL) !=
	        SQLITE_OK) {
		rc = db_fail(w, err);
		goto done;
	}
	while ((step_rc = sqlite3_step(st)) == SQLITE_ROW && rc == XNR_OK) {
		if (!writer_gone((const char *)sqlite3_column_text(st, 1)))
			continue;
		sqlite3_bind_int64(del, 1, sqlite3_column_int64(st, 0));
		if (sqlite3_step(del) != SQLITE_DONE)
			rc = db_fail(w, err);
		sqlite3_reset(del);
	}
	if (rc == XNR_OK && step_rc != SQLITE_DONE && step_rc != SQLITE_ROW)
		rc = db_fail(w, err);
done:
	sqlite3_finalize(st);
	sqlite3_finalize(del);
	return rc;
}

static enum xnr_status insert_run(struct xnr_run_writer *w, const struct xnr_run_info *in,
                                  struct xnr_error *err)
{
	static const char sql[] =
	    "INSERT INTO runs (key, created_at, explainer_version, model_path, model_hash,"
	    " model_arch, data_path, data_hash, split, options, scheme, hidden_size, writer)"
	    " VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	    " ?9, ?10, ?11, ?12)";
	char me[320];
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
	sqlite3_bind_text(st, 12, writer_name(me, sizeof me), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "%s: a run with the same key is there or being written by another explainer "
		    "now (run again once it is done: its run will be reused)",
		    w->store->path);
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
	/* Without the mapping: a run in pieces would map every page of the
	 * database its next pieces read (each table's right edge, the search
	 * index's merges), which stay in the process's RSS (xnr_run_abort puts
	 * it back). */
	if ((rc = xnr__store_exec(store, "PRAGMA mmap_size = 0; " XNR__WRITER_CACHE, err)) !=
	        XNR_OK ||
	    (rc = xnr__store_exec(store, "BEGIN IMMEDIATE", err)) != XNR_OK) {
		sqlite3_exec(store->db, XNR__STORE_MMAP "; " XNR__STORE_CACHE, NULL, NULL, NULL);
		free(w->half);
		free(w);
		return rc;
	}
	for (i = 0; i < XNR__ST_COUNT; i++)
		if (sqlite3_prepare_v2(w->db, insert_sql[i], -1, &w->st[i], NULL) != SQLITE_OK) {
			rc = db_fail(w, err);
			goto fail;
		}
	if ((rc = forget_dead_runs(w, err)) != XNR_OK || (rc = insert_run(w, info, err)) != XNR_OK)
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
	                          " duration_s = ?5, summary = ?6, writer = NULL WHERE id = ?1";
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

enum xnr_status xnr_run_piece(struct xnr_run_writer *w, struct xnr_error *err)
{
	enum xnr_status rc = xnr__store_exec(w->store, "COMMIT", err);

	if (rc != XNR_OK)
		return rc;
	w->pieces++;
	/* the pages cached are clean now: dropping them keeps the cache to one
	 * piece's, whatever the size of the database (a page the next piece
	 * needs is read back, mostly the right edge of each table) */
	sqlite3_db_release_memory(w->db);
	return xnr__store_exec(w->store, "BEGIN IMMEDIATE", err);
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
	/* the pieces committed go too: best effort, the next writer deletes
	 * what is left once this process is gone */
	if (w->db && w->pieces) {
		char sql[64];
		snprintf(sql, sizeof sql, "DELETE FROM runs WHERE id = %lld", (long long)w->run_id);
		sqlite3_exec(w->db, sql, NULL, NULL, NULL);
	}
	sqlite3_exec(w->store->db, XNR__STORE_MMAP "; " XNR__STORE_CACHE, NULL, NULL, NULL);
	free(w->half);
	free(w);
}
