/*
 * api_sentences.c - the sentences of a run: GET /api/v1/runs/{id}/sentences
 * (paged, sorted and filtered in SQL: the "Samples by Loss", "Inspect",
 * "Misclassified", "Random Samples", "Hidden States" and "Find Duplicates"
 * pages; optionally with every sentence's words in one extra query) and
 * GET /api/v1/runs/{id}/sentences/{sid} (one sentence with its words,
 * sub-tokens and entity spans, label ids as names). User input only ever
 * reaches SQL as bound parameters; the WHERE and ORDER BY clauses are put
 * together from fixed fragments.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

#define PAGE_MAX     1000
#define PAGE_DEFAULT 50
#define OFFSET_MAX   1000000000
#define IDS_MAX      1000 /* sentence ids in one `ids` filter */
#define ID_DIGITS    9    /* digits of one id in `ids` (runs stay below 10^9 sentences) */
#define IDS_TEXT_MAX (IDS_MAX * (ID_DIGITS + 1) + 3) /* "[id,...,id]" and its NUL */

enum sort { SORT_LOSS, SORT_ID, SORT_ERRORS, SORT_RANDOM };
static const char *const sort_names[] = {"loss", "id", "errors", "random", NULL};
static const char *const order_names[] = {"desc", "asc", NULL};
static const char *const bool_names[] = {"0", "1", NULL};

/* The statements' parameters, numbered so that one binder serves them all. */
enum param { P_RUN = 1, P_MIN_LOSS, P_SKIP, P_LIMIT, P_OFFSET, P_GOLD, P_PRED, P_IDS, P_SEED };

/* [sort][order]; a NULL loss (a sentence with no scored word) sorts last.
 * The random order is a hash of (id, seed): the same seed, the same order. */
static const char *const order_by[4][2] = {
    {"loss IS NULL, loss DESC, id", "loss IS NULL, loss ASC, id"},
    {"id DESC", "id ASC"},
    {"n_word_errors DESC, n_entity_errors DESC, loss DESC, id",
     "n_word_errors ASC, n_entity_errors ASC, loss ASC, id"},
    {"xnr_shuffle(id, ?9), id", "xnr_shuffle(id, ?9), id"},
};

struct page {
	int sort, order, skip_correct, has_min_loss, words;
	int64_t limit, offset, seed;
	double min_loss;
	int64_t gold, pred;     /* label ids; -1: no filter */
	char ids[IDS_TEXT_MAX]; /* the `ids` filter as a JSON array, or "" */
};

/* "3,17,42" (at most IDS_MAX ids, digits without leading zeros) into
 * "[3,17,42]" in out (size > strlen(s) + 2), "" when s is NULL. */
static enum xnr_status ids_parse(const char *s, char *out, size_t size, struct xnr_error *err)
{
	size_t n = 0, digits = 0;
	const char *c;

	out[0] = '\0';
	if (!s)
		return XNR_OK;
	for (c = s;; c++) {
		if (*c >= '0' && *c <= '9') {
			if ((digits == 1 && c[-1] == '0') || ++digits > ID_DIGITS)
				goto bad;
			continue;
		}
		if ((*c != ',' && *c != '\0') || digits == 0)
			goto bad;
		digits = 0;
		n++;
		if (*c == '\0')
			break;
	}
	if (n > IDS_MAX)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "ids: %zu sentence ids, at most %d in one request", n, IDS_MAX);
	snprintf(out, size, "[%s]", s);
	return XNR_OK;
bad:
	return xnr_fail(err, XNR_ERR_INPUT,
	                "ids: wants sentence ids separated by commas, like ids=3,17,42");
}

/* POST: the body {"ids": [3, 17, 42]} (at most IDS_MAX ids) as the `ids`
 * filter, for more ids than a query string holds. */
static enum xnr_status body_ids(const json_t *body, const struct xnr__query *q, char *out,
                                size_t size, struct xnr_error *err)
{
	const json_t *ids = json_object_get(body, "ids"), *v;
	size_t i, len = 1;
	json_int_t id;

	if (!json_is_object(body) || json_object_size(body) != 1 || !json_is_array(ids))
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "body: wants a JSON object {\"ids\": [sentence ids]} and nothing else");
	if (xnr__query_get(q, "ids"))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "ids: give them in the query or the body, not both");
	if (json_array_size(ids) > IDS_MAX)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "ids: %zu sentence ids, at most %d in one request",
		                json_array_size(ids), IDS_MAX);
	out[0] = '[';
	json_array_foreach(ids, i, v)
	{
		id = json_integer_value(v);
		if (!json_is_integer(v) || id < 0 || id > 999999999)
			return xnr_fail(err, XNR_ERR_INPUT,
			                "ids[%zu]: wants a sentence id (a whole number from 0)", i);
		len +=
		    (size_t)snprintf(out + len, size - len, "%s%lld", i ? "," : "", (long long)id);
	}
	snprintf(out + len, size - len, "]");
	return XNR_OK;
}

static enum xnr_status page_parse(const struct xnr__query *q, struct page *p, struct xnr_error *err)
{
	static const char *const allowed[] = {"sort",     "order",        "limit", "offset",
	                                      "min_loss", "skip_correct", "words", "gold",
	                                      "pred",     "ids",          "seed",  NULL};
	enum xnr_status st;

	if ((st = xnr__query_allow(q, allowed, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "sort", sort_names, 0, &p->sort, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "order", order_names, 0, &p->order, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "skip_correct", bool_names, 0, &p->skip_correct, err)) !=
	        XNR_OK ||
	    (st = xnr__query_choice(q, "words", bool_names, 0, &p->words, err)) != XNR_OK ||
	    (st = xnr__query_int(q, "limit", 1, PAGE_MAX, PAGE_DEFAULT, &p->limit, err)) !=
	        XNR_OK ||
	    (st = xnr__query_int(q, "offset", 0, OFFSET_MAX, 0, &p->offset, err)) != XNR_OK ||
	    (st = xnr__query_int(q, "seed", 0, INT64_MAX, 0, &p->seed, err)) != XNR_OK ||
	    (st = xnr__query_real(q, "min_loss", -1e300, 1e300, 0.0, &p->min_loss, err)) !=
	        XNR_OK ||
	    (st = ids_parse(xnr__query_get(q, "ids"), p->ids, sizeof p->ids, err)) != XNR_OK)
		return st;
	p->has_min_loss = xnr__query_get(q, "min_loss") != NULL;
	p->gold = p->pred = -1;
	return XNR_OK;
}

/* splitmix64 of (id, seed): xnr_shuffle(id, seed), a stable pseudo-random key. */
static void shuffle_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint64_t x = (uint64_t)sqlite3_value_int64(argv[0]) +
	             0x9e3779b97f4a7c15u * ((uint64_t)sqlite3_value_int64(argv[1]) + 1);

	(void)argc;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	x ^= x >> 31;
	sqlite3_result_int64(ctx, (sqlite3_int64)(x >> 1));
}

static enum xnr_status shuffle_register(sqlite3 *db, struct xnr_error *err)
{
	if (sqlite3_create_function_v2(db, "xnr_shuffle", 2,
	                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	                               shuffle_fn, NULL, NULL, NULL) != SQLITE_OK)
		return xnr__sql_fail(db, "sentences: random order", err);
	return XNR_OK;
}

/* The FROM ... WHERE of the page's filters (only fixed fragments). */
static void where_build(const struct page *p, char *buf, size_t size)
{
	int labels = p->gold >= 0 || p->pred >= 0;

	snprintf(buf, size,
	         " FROM sentences WHERE run_id = ?1 AND (?2 IS NULL OR loss >= ?2)"
	         " AND (?3 = 0 OR n_word_errors > 0)%s%s%s%s%s",
	         labels ? " AND id IN (SELECT sentence_id FROM words WHERE run_id = ?1" : "",
	         p->gold >= 0 ? " AND gold = ?6" : "", p->pred >= 0 ? " AND pred = ?7" : "",
	         labels ? ")" : "",
	         p->ids[0] ? " AND id IN (SELECT value FROM json_each(?8))" : "");
}

/* Binding a number the statement does not use is SQLITE_RANGE: harmless. */
static enum xnr_status prepare(sqlite3 *db, const char *sql, int64_t run, const struct page *p,
                               sqlite3_stmt **out, struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return xnr__sql_fail(db, "sentences", err);
	sqlite3_bind_int64(stmt, P_RUN, run);
	if (p->has_min_loss)
		sqlite3_bind_double(stmt, P_MIN_LOSS, p->min_loss);
	sqlite3_bind_int(stmt, P_SKIP, p->skip_correct);
	sqlite3_bind_int64(stmt, P_LIMIT, p->limit);
	sqlite3_bind_int64(stmt, P_OFFSET, p->offset);
	sqlite3_bind_int64(stmt, P_GOLD, p->gold);
	sqlite3_bind_int64(stmt, P_PRED, p->pred);
	sqlite3_bind_text(stmt, P_IDS, p->ids, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, P_SEED, p->seed);
	*out = stmt;
	return XNR_OK;
}

static enum xnr_status count_rows(sqlite3 *db, int64_t run, const struct page *p, const char *where,
                                  int64_t *total, struct xnr_error *err)
{
	char sql[768];
	sqlite3_stmt *stmt;
	enum xnr_status st;

	snprintf(sql, sizeof sql, "SELECT count(*)%s", where);
	if ((st = prepare(db, sql, run, p, &stmt, err)) != XNR_OK)
		return st;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		st = xnr__sql_fail(db, "sentences", err);
	else
		*total = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return st;
}

static const char page_words_sql[] =
    "SELECT w.sentence_id, w.idx, w.text, g.name AS gold, p.name AS pred, w.prob_pred, w.loss"
    " FROM words w LEFT JOIN labels g ON g.run_id = w.run_id AND g.id = w.gold"
    " LEFT JOIN labels p ON p.run_id = w.run_id AND p.id = w.pred"
    " WHERE w.run_id = ?1 AND w.sentence_id IN (SELECT value FROM json_each(?2))"
    " ORDER BY w.sentence_id, w.idx";

/* The "words" array of the item whose id is sid (items: at most PAGE_MAX). */
static json_t *item_words(json_t *items, int64_t sid)
{
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it) if (json_integer_value(json_object_get(it, "id")) ==
	                                     sid) return json_object_get(it, "words");
	return NULL;
}

/* Give every item its words ({idx, text, gold, pred, prob_pred, loss}), all
 * read by one query over the page's sentence ids. */
static enum xnr_status words_attach(sqlite3 *db, int64_t run, json_t *items, struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	json_t *ids = json_array(), *it, *words = NULL, *row;
	char *ids_text = NULL;
	int64_t sid, cur = -1;
	enum xnr_status st = XNR_ERR_NOMEM;
	size_t i;
	int rc;

	json_array_foreach(items, i,
	                   it) if (!ids || json_array_append(ids, json_object_get(it, "id")) != 0 ||
	                           json_object_set_new(it, "words", json_array()) != 0) goto fail;
	if (!(ids_text = json_dumps(ids, JSON_COMPACT)))
		goto fail;
	if (sqlite3_prepare_v2(db, page_words_sql, -1, &stmt, NULL) != SQLITE_OK) {
		st = xnr__sql_fail(db, "sentences: words", err);
		goto fail;
	}
	sqlite3_bind_int64(stmt, 1, run);
	sqlite3_bind_text(stmt, 2, ids_text, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((sid = sqlite3_column_int64(stmt, 0)) != cur) {
			words = item_words(items, sid);
			cur = sid;
		}
		if (!(row = xnr__row_json(stmt)) || json_object_del(row, "sentence_id") != 0 ||
		    json_array_append_new(words, row) != 0)
			goto fail;
	}
	st = rc == SQLITE_DONE ? XNR_OK : xnr__sql_fail(db, "sentences: words", err);
fail:
	if (st == XNR_ERR_NOMEM)
		st = xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
	sqlite3_finalize(stmt);
	free(ids_text);
	json_decref(ids);
	return st;
}

enum xnr_status xnr__api_sentences(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	char where[512], sql[1024];
	struct page p;
	sqlite3_stmt *stmt;
	json_t *items;
	int64_t run = r->ids[0], total = 0;
	enum xnr_status st;

	if ((st = page_parse(&r->query, &p, err)) != XNR_OK ||
	    (strcmp(r->method, "POST") == 0 &&
	     (st = body_ids(r->body, &r->query, p.ids, sizeof p.ids, err)) != XNR_OK) ||
	    (st = xnr__run_check(r->db, run, err)) != XNR_OK ||
	    (st = xnr__label_id(r->db, run, "gold", xnr__query_get(&r->query, "gold"), &p.gold,
	                        err)) != XNR_OK ||
	    (st = xnr__label_id(r->db, run, "pred", xnr__query_get(&r->query, "pred"), &p.pred,
	                        err)) != XNR_OK ||
	    (p.sort == SORT_RANDOM && (st = shuffle_register(r->db, err)) != XNR_OK))
		return st;
	where_build(&p, where, sizeof where);
	if ((st = count_rows(r->db, run, &p, where, &total, err)) != XNR_OK)
		return st;
	snprintf(sql, sizeof sql,
	         "SELECT id, doc_id, text, loss, n_word_errors, n_entity_errors%s"
	         " ORDER BY %s LIMIT ?4 OFFSET ?5",
	         where, order_by[p.sort][p.order]);
	if ((st = prepare(r->db, sql, run, &p, &stmt, err)) != XNR_OK ||
	    (st = xnr__rows_json(r->db, stmt, "sentences", &items, err)) != XNR_OK)
		return st;
	if (p.words && (st = words_attach(r->db, run, items, err)) != XNR_OK) {
		json_decref(items);
		return st;
	}
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
	return xnr__rows_json(db, stmt, "sentences", out, err);
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
