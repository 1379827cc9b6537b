/*
 * words.c - a run's words and sub-tokens (read.h): filtered, sorted and
 * paged by SQLite for the Inspect and Raw data grids, the words of given
 * sentences, every row for the CSV downloads, and the report's bulk loads
 * over the compact indexes (labels and losses, misclassified pairs). Paged
 * queries sort and page the keys of the bare table, then read only the
 * page's rows. Label ids stay ids: names come from the run (runs.c).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

#define ROW(f) offsetof(struct xnr_word_row, f)
static const struct xnr__col word_cols[] = {
    {"t.sentence_id", XNR__COL_INT, ROW(sentence_id), 0},
    {"t.idx", XNR__COL_INT, ROW(idx), 0},
    {"t.text", XNR__COL_TEXT, ROW(text), ROW(text_len)},
    {"t.gold", XNR__COL_INT, ROW(gold), 0},
    {"t.pred", XNR__COL_INT, ROW(pred), 0},
    {"t.prob_pred", XNR__COL_REAL, ROW(prob_pred), 0},
    {"t.prob_gold", XNR__COL_REAL, ROW(prob_gold), 0},
    {"t.loss", XNR__COL_REAL, ROW(loss), 0},
    {"t.entropy", XNR__COL_REAL, ROW(entropy), 0},
    {"t.first_token", XNR__COL_INT, ROW(first_token), 0},
};
/* The compact (run_id, gold, pred, loss) index, which in a WITHOUT ROWID
 * table also holds the key (sentence_id, idx). */
static const struct xnr__col word_label_cols[] = {
    {"t.sentence_id", XNR__COL_INT, ROW(sentence_id), 0},
    {"t.idx", XNR__COL_INT, ROW(idx), 0},
    {"t.gold", XNR__COL_INT, ROW(gold), 0},
    {"t.pred", XNR__COL_INT, ROW(pred), 0},
    {"t.loss", XNR__COL_REAL, ROW(loss), 0},
};
static const struct xnr__col word_text_cols[] = {
    {"t.sentence_id", XNR__COL_INT, ROW(sentence_id), 0},
    {"t.idx", XNR__COL_INT, ROW(idx), 0},
    {"t.text", XNR__COL_TEXT, ROW(text), ROW(text_len)},
};
static const struct xnr__col word_loss_only_cols[] = {
    {"t.loss", XNR__COL_REAL, ROW(loss), 0},
};
static const struct xnr__col word_loss_cols[] = {
    {"t.text", XNR__COL_TEXT, ROW(text), ROW(text_len)},
    {"t.loss", XNR__COL_REAL, ROW(loss), 0},
};
#undef ROW

#define ROW(f) offsetof(struct xnr_token_row, f)
static const struct xnr__col token_cols[] = {
    {"t.sentence_id", XNR__COL_INT, ROW(sentence_id), 0},
    {"t.idx", XNR__COL_INT, ROW(idx), 0},
    {"t.token_id", XNR__COL_INT, ROW(token_id), 0},
    {"t.text", XNR__COL_TEXT, ROW(text), 0},
    {"t.word_idx", XNR__COL_INT, ROW(word_idx), 0},
    {"t.start", XNR__COL_INT, ROW(start), 0},
    {"t.end", XNR__COL_INT, ROW(end), 0},
    {"t.is_first", XNR__COL_INT, ROW(is_first), 0},
    {"t.gold", XNR__COL_INT, ROW(gold), 0},
    {"t.pred", XNR__COL_INT, ROW(pred), 0},
    {"t.prob_pred", XNR__COL_REAL, ROW(prob_pred), 0},
    {"t.loss", XNR__COL_REAL, ROW(loss), 0},
    {"t.entropy", XNR__COL_REAL, ROW(entropy), 0},
};
static const struct xnr__col token_loss_cols[] = {
    {"t.text", XNR__COL_TEXT, ROW(text), 0},
    {"t.loss", XNR__COL_REAL, ROW(loss), 0},
};
#undef ROW

#define N(cols) (sizeof(cols) / sizeof((cols)[0]))

/* What differs between the two tables. */
struct table {
	const char *name;
	enum xnr__kind kind;
	const struct xnr__col *cols, *loss_cols;
	size_t n_cols, n_loss_cols;
	const char *by_text; /* the (run_id, text, loss) index */
};

static const struct table tables[2] = {
    {"words", XNR__WORD, word_cols, word_loss_cols, N(word_cols), N(word_loss_cols),
     "words_by_text"},
    {"tokens", XNR__TOKEN, token_cols, token_loss_cols, N(token_cols), N(token_loss_cols),
     "tokens_by_text"},
};

/* [sort][ascending]: ties by position, rows without the value last. */
static const char *const order_by[XNR_WORD_SORT_COUNT][2] = {
    {"t.sentence_id DESC, t.idx DESC", "t.sentence_id, t.idx"},
    {"t.loss IS NULL, t.loss DESC, t.sentence_id, t.idx",
     "t.loss IS NULL, t.loss, t.sentence_id, t.idx"},
    {"t.prob_pred IS NULL, t.prob_pred DESC, t.sentence_id, t.idx",
     "t.prob_pred IS NULL, t.prob_pred, t.sentence_id, t.idx"},
    {"t.entropy IS NULL, t.entropy DESC, t.sentence_id, t.idx",
     "t.entropy IS NULL, t.entropy, t.sentence_id, t.idx"},
    {"t.text DESC, t.sentence_id, t.idx", "t.text, t.sentence_id, t.idx"},
};

/* The statements' parameters. */
enum { P_RUN = 1, P_TEXT, P_GOLD, P_PRED, P_SENTENCES, P_LIMIT, P_OFFSET };

struct xnr_word_query xnr_word_query_default(int64_t run)
{
	struct xnr_word_query q;

	memset(&q, 0, sizeof q);
	q.run = run;
	q.ascending = 1;
	q.limit = -1;
	q.gold = q.pred = -1;
	return q;
}

static enum xnr_status check(const struct xnr_word_query *q, struct xnr_error *err)
{
	if ((unsigned)q->sort >= XNR_WORD_SORT_COUNT || q->offset < 0 || q->gold < -1 ||
	    q->pred < -1 || (q->by_sentences && q->n_sentences && !q->sentences))
		return xnr_fail(err, XNR_ERR_INPUT, "words: a query value is out of range");
	return XNR_OK;
}

/* " AND ..." of the query's filters (only fixed fragments). ASCII letters
 * match either case without match_case, as SQLite's lower() folds only them. */
static void filter_build(const struct xnr_word_query *q, char *buf, size_t size)
{
	int text = q->text && q->text[0];

	snprintf(buf, size, "%s%s%s%s%s",
	         !text           ? ""
	         : q->match_case ? " AND instr(t.text, ?2) > 0"
	                         : " AND instr(lower(t.text), lower(?2)) > 0",
	         q->gold >= 0 ? " AND t.gold = ?3" : "", q->pred >= 0 ? " AND t.pred = ?4" : "",
	         q->errors ? " AND t.gold IS NOT NULL AND t.gold <> t.pred" : "",
	         q->by_sentences ? " AND t.sentence_id IN (SELECT value FROM json_each(?5))" : "");
}

/* Prepare sql with the query's values bound; *ids_json as in sentences.c. */
static enum xnr_status prepare(struct xnr_store *s, const char *sql, const struct xnr_word_query *q,
                               sqlite3_stmt **out, char **ids_json, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	*ids_json = NULL;
	if ((rc = check(q, err)) != XNR_OK)
		return rc;
	if (q->by_sentences && !(*ids_json = xnr__ids_json(q->sentences, q->n_sentences)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if ((rc = xnr__store_prepare(s, sql, q->run, &st, err)) != XNR_OK)
		return rc;
	sqlite3_bind_text(st, P_TEXT, q->text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, P_GOLD, q->gold);
	sqlite3_bind_int(st, P_PRED, q->pred);
	sqlite3_bind_text(st, P_SENTENCES, *ids_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, P_LIMIT, q->limit);
	sqlite3_bind_int64(st, P_OFFSET, q->offset);
	*out = st;
	return XNR_OK;
}

enum xnr_status xnr_store_words_count(struct xnr_store *s, const struct xnr_word_query *q,
                                      int64_t *total, struct xnr_error *err)
{
	const struct table *t = &tables[q->tokens != 0];
	char filter[512], sql[768];
	char *ids_json = NULL;
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	filter_build(q, filter, sizeof filter);
	if (!filter[0]) /* the run's own count: no walk over millions of rows */
		snprintf(sql, sizeof sql, "SELECT %s FROM runs WHERE id = ?1",
		         q->tokens ? "n_tokens" : "n_words");
	else
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s t WHERE t.run_id = ?1%s",
		         t->name, filter);
	if ((rc = prepare(s, sql, q, &st, &ids_json, err)) == XNR_OK) {
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW || step == SQLITE_DONE) /* DONE: no such run */
			*total = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		else
			rc = xnr__store_fail(s, err);
	}
	sqlite3_finalize(st);
	free(ids_json);
	return rc;
}

enum xnr_status xnr_store_words(struct xnr_store *s, const struct xnr_word_query *q,
                                struct xnr_rows **out, struct xnr_error *err)
{
	const struct table *t = &tables[q->tokens != 0];
	const char *by = order_by[(unsigned)q->sort % XNR_WORD_SORT_COUNT][q->ascending != 0];
	char cols[512], filter[512], sql[2048];
	char *ids_json = NULL;
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	xnr__cols_sql(t->cols, t->n_cols, cols, sizeof cols);
	filter_build(q, filter, sizeof filter);
	if (q->limit < 0 && q->offset == 0)
		snprintf(sql, sizeof sql, "SELECT %s FROM %s t WHERE t.run_id = ?1%s ORDER BY %s",
		         cols, t->name, filter, by);
	else /* sort and page the keys of the bare table, then read the page's rows */
		snprintf(sql, sizeof sql,
		         "WITH k AS (SELECT t.sentence_id AS s, t.idx AS i FROM %s t"
		         " WHERE t.run_id = ?1%s ORDER BY %s LIMIT ?6 OFFSET ?7)"
		         " SELECT %s FROM k JOIN %s t ON t.run_id = ?1 AND t.sentence_id = k.s"
		         " AND t.idx = k.i ORDER BY %s",
		         t->name, filter, by, cols, t->name, by);
	if ((rc = prepare(s, sql, q, &st, &ids_json, err)) != XNR_OK) {
		free(ids_json);
		return rc;
	}
	return xnr__rows_open(s, t->kind, t->cols, t->n_cols, st, ids_json, out, err);
}

enum xnr_status xnr_store_word_labels(struct xnr_store *s, int64_t run, struct xnr_rows **out,
                                      struct xnr_error *err)
{
	char cols[256], sql[384];
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	xnr__cols_sql(word_label_cols, N(word_label_cols), cols, sizeof cols);
	snprintf(sql, sizeof sql,
	         "SELECT %s FROM words t INDEXED BY words_by_labels"
	         " WHERE t.run_id = ?1",
	         cols);
	if ((rc = xnr__store_prepare(s, sql, run, &st, err)) != XNR_OK)
		return rc;
	return xnr__rows_open(s, XNR__WORD, word_label_cols, N(word_label_cols), st, NULL, out,
	                      err);
}

enum xnr_status xnr_store_word_texts(struct xnr_store *s, int64_t run, struct xnr_rows **out,
                                     struct xnr_error *err)
{
	char cols[256], sql[384];
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	/* The text index holds the key (sentence_id, idx): no row of the table is read. */
	xnr__cols_sql(word_text_cols, N(word_text_cols), cols, sizeof cols);
	snprintf(sql, sizeof sql,
	         "SELECT %s FROM words t INDEXED BY words_by_text WHERE t.run_id = ?1", cols);
	if ((rc = xnr__store_prepare(s, sql, run, &st, err)) != XNR_OK)
		return rc;
	return xnr__rows_open(s, XNR__WORD, word_text_cols, N(word_text_cols), st, NULL, out, err);
}

enum xnr_status xnr_store_text_losses(struct xnr_store *s, int64_t run, int tokens,
                                      struct xnr_rows **out, struct xnr_error *err)
{
	const struct table *t = &tables[tokens != 0];
	char cols[128], sql[384];
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	/* Read in index order, so the losses come sorted within each text. */
	xnr__cols_sql(t->loss_cols, t->n_loss_cols, cols, sizeof cols);
	snprintf(sql, sizeof sql,
	         "SELECT %s FROM %s t INDEXED BY %s WHERE t.run_id = ?1 AND t.loss IS NOT NULL"
	         " ORDER BY t.text, t.loss",
	         cols, t->name, t->by_text);
	if ((rc = xnr__store_prepare(s, sql, run, &st, err)) != XNR_OK)
		return rc;
	return xnr__rows_open(s, t->kind, t->loss_cols, t->n_loss_cols, st, NULL, out, err);
}

enum xnr_status xnr_store_pair_losses(struct xnr_store *s, int64_t run, int gold, int pred,
                                      struct xnr_rows **out, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	if ((rc = xnr__store_prepare(s,
	                             "SELECT t.loss FROM words t INDEXED BY words_by_labels"
	                             " WHERE t.run_id = ?1 AND t.gold = ?2 AND t.pred = ?3"
	                             " AND t.loss IS NOT NULL ORDER BY t.loss",
	                             run, &st, err)) != XNR_OK)
		return rc;
	sqlite3_bind_int(st, 2, gold);
	sqlite3_bind_int(st, 3, pred);
	return xnr__rows_open(s, XNR__WORD, word_loss_only_cols, N(word_loss_only_cols), st, NULL,
	                      out, err);
}

enum xnr_status xnr_store_label_pairs(struct xnr_store *s, int64_t run, struct xnr_label_pair **out,
                                      size_t *n, struct xnr_error *err)
{
	static const char sql[] =
	    "SELECT gold, pred, count(*) FROM words INDEXED BY words_by_labels"
	    " WHERE run_id = ?1 AND gold != pred GROUP BY gold, pred"
	    " ORDER BY gold, pred";
	struct xnr_label_pair *v = NULL;
	size_t count = 0, cap = 0;
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;
	int step;

	if ((rc = xnr__store_prepare(s, sql, run, &st, err)) != XNR_OK)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			struct xnr_label_pair *g =
			    realloc(v, (cap = cap ? 2 * cap : 64) * sizeof *g);
			if (!g)
				break;
			v = g;
		}
		v[count].gold = sqlite3_column_int(st, 0);
		v[count].pred = sqlite3_column_int(st, 1);
		v[count++].count = sqlite3_column_int64(st, 2);
	}
	if (step == SQLITE_ROW)
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	else if (step != SQLITE_DONE)
		rc = xnr__store_fail(s, err);
	sqlite3_finalize(st);
	if (rc != XNR_OK) {
		free(v);
		return rc;
	}
	*out = v;
	*n = count;
	return XNR_OK;
}
