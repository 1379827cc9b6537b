/*
 * api_sentences.c - the sentences of a run: GET /api/v1/runs/{id}/sentences
 * (paged, sorted and filtered in SQL: the "Samples by Loss" and "Inspect"
 * pages) and GET /api/v1/runs/{id}/sentences/{sid} (one sentence with its
 * words, sub-tokens and entity spans, label ids as names). User input only
 * ever reaches SQL as bound parameters; sort names pick fixed ORDER BY clauses.
 */
#include <stdio.h>
#include <string.h>

#include "server/internal.h"

#define PAGE_MAX     1000
#define PAGE_DEFAULT 50
#define OFFSET_MAX   1000000000

static const char *const sort_names[] = {"loss", "id", "errors", NULL};
static const char *const order_names[] = {"desc", "asc", NULL};
static const char *const skip_names[] = {"0", "1", NULL};

/* [sort][order]; a NULL loss (a sentence with no scored word) sorts last. */
static const char *const order_by[3][2] = {
    {"loss IS NULL, loss DESC, id", "loss IS NULL, loss ASC, id"},
    {"id DESC", "id ASC"},
    {"n_word_errors DESC, n_entity_errors DESC, loss DESC, id",
     "n_word_errors ASC, n_entity_errors ASC, loss ASC, id"},
};

static const char where_sql[] = " FROM sentences WHERE run_id = ?1 AND (?2 IS NULL OR loss >= ?2)"
                                " AND (?3 = 0 OR n_word_errors > 0)";

struct page {
	int sort, order, skip_correct, has_min_loss;
	int64_t limit, offset;
	double min_loss;
};

static enum xnr_status page_parse(const struct xnr__query *q, struct page *p, struct xnr_error *err)
{
	static const char *const allowed[] = {"sort",     "order",        "limit", "offset",
	                                      "min_loss", "skip_correct", NULL};
	enum xnr_status st;

	if ((st = xnr__query_allow(q, allowed, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "sort", sort_names, 0, &p->sort, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "order", order_names, 0, &p->order, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "skip_correct", skip_names, 0, &p->skip_correct, err)) !=
	        XNR_OK ||
	    (st = xnr__query_int(q, "limit", 1, PAGE_MAX, PAGE_DEFAULT, &p->limit, err)) !=
	        XNR_OK ||
	    (st = xnr__query_int(q, "offset", 0, OFFSET_MAX, 0, &p->offset, err)) != XNR_OK ||
	    (st = xnr__query_real(q, "min_loss", -1e300, 1e300, 0.0, &p->min_loss, err)) != XNR_OK)
		return st;
	p->has_min_loss = xnr__query_get(q, "min_loss") != NULL;
	return XNR_OK;
}

static enum xnr_status prepare(sqlite3 *db, const char *sql, int64_t run, const struct page *p,
                               sqlite3_stmt **out, struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return xnr__sql_fail(db, "sentences", err);
	sqlite3_bind_int64(stmt, 1, run);
	if (p->has_min_loss)
		sqlite3_bind_double(stmt, 2, p->min_loss);
	sqlite3_bind_int(stmt, 3, p->skip_correct);
	if (sqlite3_bind_parameter_count(stmt) >= 5) {
		sqlite3_bind_int64(stmt, 4, p->limit);
		sqlite3_bind_int64(stmt, 5, p->offset);
	}
	*out = stmt;
	return XNR_OK;
}

/* Every row of a prepared statement as an array of objects; finalizes it. */
static enum xnr_status rows_json(sqlite3 *db, sqlite3_stmt *stmt, json_t **out,
                                 struct xnr_error *err)
{
	json_t *items = json_array(), *row;
	enum xnr_status st = XNR_OK;
	int rc = SQLITE_DONE;

	while (items && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (!(row = xnr__row_json(stmt)) || json_array_append_new(items, row) != 0) {
			st = xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
			break;
		}
	}
	if (!items)
		st = xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
	else if (st == XNR_OK && rc != SQLITE_DONE)
		st = xnr__sql_fail(db, "sentences", err);
	sqlite3_finalize(stmt);
	if (st != XNR_OK) {
		json_decref(items);
		return st;
	}
	*out = items;
	return XNR_OK;
}

static enum xnr_status count_rows(sqlite3 *db, int64_t run, const struct page *p, int64_t *total,
                                  struct xnr_error *err)
{
	char sql[512];
	sqlite3_stmt *stmt;
	enum xnr_status st;

	snprintf(sql, sizeof sql, "SELECT count(*)%s", where_sql);
	if ((st = prepare(db, sql, run, p, &stmt, err)) != XNR_OK)
		return st;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		st = xnr__sql_fail(db, "sentences", err);
	else
		*total = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return st;
}

enum xnr_status xnr__api_sentences(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	char sql[1024];
	struct page p;
	sqlite3_stmt *stmt;
	json_t *items;
	int64_t run = r->ids[0], total = 0;
	enum xnr_status st;

	if ((st = page_parse(&r->query, &p, err)) != XNR_OK ||
	    (st = xnr__run_check(r->db, run, err)) != XNR_OK ||
	    (st = count_rows(r->db, run, &p, &total, err)) != XNR_OK)
		return st;
	snprintf(sql, sizeof sql,
	         "SELECT id, doc_id, text, loss, n_word_errors, n_entity_errors%s"
	         " ORDER BY %s LIMIT ?4 OFFSET ?5",
	         where_sql, order_by[p.sort][p.order]);
	if ((st = prepare(r->db, sql, run, &p, &stmt, err)) != XNR_OK ||
	    (st = rows_json(r->db, stmt, &items, err)) != XNR_OK)
		return st;
	*out = json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)total, "limit",
	                 (json_int_t)p.limit, "offset", (json_int_t)p.offset, "items", items);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
}

static const char sentence_sql[] =
    "SELECT id, doc_id, source_line, source_id, text, n_words, n_tokens, loss, n_word_errors,"
    " n_entity_errors FROM sentences WHERE run_id = ?1 AND id = ?2";
static const char words_sql[] =
    "SELECT w.idx, w.text, g.name AS gold, p.name AS pred, w.prob_pred, w.prob_gold, w.loss,"
    " w.entropy, w.first_token FROM words w"
    " LEFT JOIN labels g ON g.run_id = w.run_id AND g.id = w.gold"
    " LEFT JOIN labels p ON p.run_id = w.run_id AND p.id = w.pred"
    " WHERE w.run_id = ?1 AND w.sentence_id = ?2 ORDER BY w.idx";
static const char tokens_sql[] =
    "SELECT t.idx, t.token_id, t.text, t.word_idx, t.start, t.end, t.is_first, g.name AS gold,"
    " p.name AS pred, t.prob_pred, t.loss, t.entropy FROM tokens t"
    " LEFT JOIN labels g ON g.run_id = t.run_id AND g.id = t.gold"
    " LEFT JOIN labels p ON p.run_id = t.run_id AND p.id = t.pred"
    " WHERE t.run_id = ?1 AND t.sentence_id = ?2 ORDER BY t.idx";
static const char gold_sql[] = "SELECT start, end, type FROM entities WHERE run_id = ?1 AND"
                               " sentence_id = ?2 AND side = 'gold' ORDER BY start, end";
static const char pred_sql[] = "SELECT start, end, type FROM entities WHERE run_id = ?1 AND"
                               " sentence_id = ?2 AND side = 'pred' ORDER BY start, end";

/* The rows of sql for (run, sentence) as an array. */
static enum xnr_status sentence_rows(sqlite3 *db, const char *sql, int64_t run, int64_t sid,
                                     json_t **out, struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return xnr__sql_fail(db, "sentence", err);
	sqlite3_bind_int64(stmt, 1, run);
	sqlite3_bind_int64(stmt, 2, sid);
	return rows_json(db, stmt, out, err);
}

enum xnr_status xnr__api_sentence(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	int64_t run = r->ids[0], sid = r->ids[1];
	json_t *rows = NULL, *s, *words = NULL, *tokens = NULL, *gold = NULL, *pred = NULL;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__run_check(r->db, run, err)) != XNR_OK ||
	    (st = sentence_rows(r->db, sentence_sql, run, sid, &rows, err)) != XNR_OK)
		return st;
	s = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	if (!s)
		return xnr_fail(err, XNR_ERR_IO, "run %lld: no sentence %lld", (long long)run,
		                (long long)sid);
	if ((st = sentence_rows(r->db, words_sql, run, sid, &words, err)) != XNR_OK ||
	    (st = sentence_rows(r->db, tokens_sql, run, sid, &tokens, err)) != XNR_OK ||
	    (st = sentence_rows(r->db, gold_sql, run, sid, &gold, err)) != XNR_OK ||
	    (st = sentence_rows(r->db, pred_sql, run, sid, &pred, err)) != XNR_OK)
		goto fail;
	/* json_object_set_new and json_pack "o" take the references even on failure. */
	json_object_set_new(s, "words", words);
	json_object_set_new(s, "tokens", tokens);
	if (json_object_set_new(s, "entities",
	                        json_pack("{s:o,s:o}", "gold", gold, "pred", pred)) != 0) {
		json_decref(s);
		return xnr_fail(err, XNR_ERR_NOMEM, "sentence: out of memory");
	}
	*out = s;
	return XNR_OK;
fail:
	json_decref(s);
	json_decref(words);
	json_decref(tokens);
	json_decref(gold);
	json_decref(pred);
	return st;
}
