/*
 * sentences.c - a run's sentences (read.h): filtered, sorted and paged by
 * SQLite (the Samples by Loss, Misclassified, Random Samples, Hidden States,
 * Find Duplicates and Search pages, every list a click opens, the report's
 * worst sentences), one sentence, and its entity spans. The WHERE and ORDER
 * BY clauses are put together from fixed fragments; values are bound. What
 * a query's text adds (the full-text index, regular expressions, entity
 * strings) comes from search.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

#define ROW(f) offsetof(struct xnr_sentence_row, f)
static const struct xnr__col sentence_cols[] = {
    {"id", XNR__COL_INT, ROW(id), 0},
    {"doc_id", XNR__COL_INT, ROW(doc_id), 0},
    {"source_line", XNR__COL_LONG, ROW(source_line), 0},
    {"source_id", XNR__COL_TEXT, ROW(source_id), 0},
    {"text", XNR__COL_TEXT, ROW(text), 0},
    {"n_words", XNR__COL_INT, ROW(n_words), 0},
    {"n_tokens", XNR__COL_INT, ROW(n_tokens), 0},
    {"loss", XNR__COL_REAL, ROW(loss), 0},
    {"n_word_errors", XNR__COL_INT, ROW(n_word_errors), 0},
    {"n_entity_errors", XNR__COL_INT, ROW(n_entity_errors), 0},
};
#undef ROW
#define N_SENTENCE_COLS (sizeof sentence_cols / sizeof sentence_cols[0])

#define ROW(f) offsetof(struct xnr_entity_row, f)
static const struct xnr__col entity_cols[] = {
    {"sentence_id", XNR__COL_INT, ROW(sentence_id), 0},
    {"side", XNR__COL_SIDE, ROW(is_pred), 0},
    {"start", XNR__COL_INT, ROW(start), 0},
    {"end", XNR__COL_INT, ROW(end), 0},
    {"type", XNR__COL_TEXT, ROW(type), 0},
};
#undef ROW

/* The statements' parameters, numbered so that one binder serves them all. */
enum {
	P_RUN = 1,
	P_MIN_LOSS,
	P_LIMIT,
	P_OFFSET,
	P_GOLD,
	P_PRED,
	P_IDS,
	P_SEED,
	P_MAX_LOSS,
	P_FTS,
	P_MATCH_IDS,
	P_WORD,
	P_TOKEN,
	P_GOLD_TYPE,
	P_PRED_TYPE,
	P_SHUFFLE_N
};

/* [sort][ascending]; a NULL loss (a sentence with no scored word) sorts last.
 * The random order is a permutation of the run's ids for the seed
 * (shuffle_key): the same seed, the same order. */
static const char *const order_by[XNR_SENT_SORT_COUNT][2] = {
    {"loss IS NULL, loss DESC, id", "loss IS NULL, loss ASC, id"},
    {"id DESC", "id ASC"},
    {"n_word_errors DESC, n_entity_errors DESC, loss DESC, id",
     "n_word_errors ASC, n_entity_errors ASC, loss ASC, id"},
    {"xnr_shuffle(id, ?8, ?16), id", "xnr_shuffle(id, ?8, ?16), id"},
};

struct xnr_sentence_query xnr_sentence_query_default(int64_t run)
{
	struct xnr_sentence_query q;

	memset(&q, 0, sizeof q);
	q.run = run;
	q.limit = -1;
	q.gold = q.pred = -1;
	return q;
}

static enum xnr_status check(const struct xnr_sentence_query *q, struct xnr_error *err)
{
	size_t i;

	if ((unsigned)q->sort >= XNR_SENT_SORT_COUNT || q->offset < 0 || q->seed < 0 ||
	    q->gold < -1 || q->pred < -1 || (q->by_ids && q->n_ids && !q->ids) ||
	    (unsigned)q->text_mode >= XNR_TEXT_MODE_COUNT)
		return xnr_fail(err, XNR_ERR_INPUT, "sentences: a query value is out of range");
	for (i = 0; q->by_ids && i < q->n_ids; i++)
		if (q->ids[i] < 0)
			return xnr_fail(err, XNR_ERR_INPUT, "sentences: ids are from 0");
	return XNR_OK;
}

/* The random order: a permutation of [0, n) for a seed, n the run's largest
 * sentence id + 1, so that a page of an unfiltered random listing is its
 * positions' ids, read through the primary key without a pass over the run
 * (a million sentences: a sort of every id per page before). A 4-round
 * Feistel network over the smallest even number of bits that holds n-1,
 * with splitmix64 rounds, walked until it lands in [0, n) (a permutation of
 * the larger domain restricted to [0, n): at most 4 steps on average). */
struct shuffle {
	uint64_t n, seed, mask; /* mask: one half's bits */
	int half;
};

static struct shuffle shuffle_make(int64_t n, int64_t seed)
{
	struct shuffle f = {(uint64_t)(n > 1 ? n : 1), (uint64_t)seed, 0, 1};

	while (f.half < 32 && (f.n - 1) >> (2 * f.half))
		f.half++;
	f.mask = f.half == 32 ? 0xffffffffu : ((uint64_t)1 << f.half) - 1;
	return f;
}

static uint64_t round_fn(const struct shuffle *f, int r, uint64_t x)
{
	x += 0x9e3779b97f4a7c15u * (f->seed + 1) + 0xd1b54a32d192ed03u * (uint64_t)(r + 1);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return (x ^ (x >> 31)) & f->mask;
}

/* One pass of the network (inverse: backwards) over the 2 * half bits. */
static uint64_t feistel(const struct shuffle *f, uint64_t x, int inverse)
{
	uint64_t l = (x >> f->half) & f->mask, r = x & f->mask, t;
	int i;

	for (i = 0; i < 4; i++) {
		if (!inverse) {
			t = r;
			r = l ^ round_fn(f, i, r);
			l = t;
		} else {
			t = l;
			l = r ^ round_fn(f, 3 - i, l);
			r = t;
		}
	}
	return l << f->half | r;
}

/* Position of id in the order (inverse 0), or the id at a position (1).
 * Outside [0, n) (a database written elsewhere) the value is its own key. */
static int64_t shuffle_at(const struct shuffle *f, int64_t v, int inverse)
{
	uint64_t x = (uint64_t)v;

	if (v < 0 || x >= f->n)
		return v;
	do
		x = feistel(f, x, inverse);
	while (x >= f->n);
	return (int64_t)x;
}

/* xnr_shuffle(id, seed, n): id's position in the seed's order of [0, n). */
static void shuffle_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct shuffle f = shuffle_make(sqlite3_value_int64(argv[2]), sqlite3_value_int64(argv[1]));

	(void)argc;
	sqlite3_result_int64(ctx, shuffle_at(&f, sqlite3_value_int64(argv[0]), 0));
}

/* "AND id IN (SELECT sentence_id FROM <from> WHERE run_id = ?1 AND <cond>)" */
#define SUBSET(from, cond) " AND id IN (SELECT sentence_id FROM " from " WHERE run_id = ?1" cond ")"

/* The FROM ... WHERE of the query's filters (only fixed fragments). A page
 * (listing 1) walks an index in its order and stops at the page's end: the
 * loss bounds are written +loss so that SQLite does not take the loss range
 * index instead and sort every sentence in the range first (a million at
 * most); a count takes that index, which covers its filter. */
static void where_build(const struct xnr_sentence_query *q, int listing, char *buf, size_t size)
{
	int labels = q->gold >= 0 || q->pred >= 0, text = q->text && q->text[0];
	enum xnr_text_mode mode = text ? q->text_mode : XNR_TEXT_MODE_COUNT;

	snprintf(buf, size, " FROM sentences WHERE run_id = ?1%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s",
	         !q->has_min_loss ? ""
	         : listing        ? " AND +loss >= ?2"
	                          : " AND loss >= ?2",
	         !q->has_max_loss ? ""
	         : listing        ? " AND +loss <= ?9"
	                          : " AND loss <= ?9",
	         q->with_errors ? " AND n_word_errors > 0" : "",
	         labels ? " AND id IN (SELECT sentence_id FROM words WHERE run_id = ?1" : "",
	         q->gold >= 0 ? " AND gold = ?5" : "", q->pred >= 0 ? " AND pred = ?6" : "",
	         labels ? ")" : "", q->by_ids ? " AND id IN (SELECT value FROM json_each(?7))" : "",
	         mode == XNR_TEXT_WORDS ? " AND id IN (SELECT rowid - (?1 << 32) FROM search WHERE"
	                                  " search MATCH ?10 AND rowid BETWEEN ?1 << 32"
	                                  " AND (?1 << 32) + 4294967295)"
	                                : "",
	         mode == XNR_TEXT_REGEX || mode == XNR_TEXT_ENTITY
	             ? " AND id IN (SELECT value FROM json_each(?11))"
	             : "",
	         q->word ? SUBSET("words", " AND text = ?12") : "",
	         /* without the hint SQLite walks every sub-token of the run */
	         q->token ? " AND id IN (SELECT sentence_id FROM tokens INDEXED BY tokens_by_text"
	                    " WHERE run_id = ?1 AND text = ?13 AND is_first = 1)"
	                  : "",
	         q->gold_type ? SUBSET("entities", " AND side = 'gold' AND type = ?14") : "",
	         q->pred_type ? SUBSET("entities", " AND side = 'pred' AND type = ?15") : "",
	         q->pinned ? SUBSET("pins", "") : "");
}

/* Bind the query's values and its text's parts (copied) to st. Binding a
 * number the statement does not use is SQLITE_RANGE: harmless. */
static void bind(sqlite3_stmt *st, const struct xnr_sentence_query *q, const char *ids_json,
                 const struct xnr__search *b, int64_t shuffle_n)
{
	sqlite3_bind_double(st, P_MIN_LOSS, q->min_loss);
	sqlite3_bind_double(st, P_MAX_LOSS, q->max_loss);
	sqlite3_bind_int64(st, P_LIMIT, q->limit);
	sqlite3_bind_int64(st, P_OFFSET, q->offset);
	sqlite3_bind_int(st, P_GOLD, q->gold);
	sqlite3_bind_int(st, P_PRED, q->pred);
	sqlite3_bind_text(st, P_IDS, ids_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, P_SEED, q->seed);
	sqlite3_bind_text(st, P_FTS, b->fts, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, P_MATCH_IDS, b->ids_json, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, P_WORD, q->word, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, P_TOKEN, q->token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, P_GOLD_TYPE, q->gold_type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, P_PRED_TYPE, q->pred_type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, P_SHUFFLE_N, shuffle_n);
}

/* The random order's domain: the run's largest sentence id + 1 (*n, 0 for
 * none), and whether the run's ids are exactly 0..n-1 (*dense: its stored
 * count says so), read through the primary key. */
static enum xnr_status run_extent(struct xnr_store *s, int64_t run, int64_t *n, int *dense,
                                  struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status rc =
	    xnr__store_prepare(s,
	                       "SELECT (SELECT max(id) + 1 FROM sentences WHERE run_id = ?1),"
	                       " (SELECT n_sentences FROM runs WHERE id = ?1)",
	                       run, &st, err);

	if (rc != XNR_OK)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = xnr__store_fail(s, err);
	} else {
		*n = sqlite3_column_int64(st, 0);
		*dense = *n > 0 && sqlite3_column_type(st, 1) == SQLITE_INTEGER &&
		         sqlite3_column_int64(st, 1) == *n;
		if (*n < 0)
			*n = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Prepare sql and bind the query's values; *ids_json (the bound id list)
 * belongs to the caller, also on failure. A query with text leaves the
 * store's search deadline running (xnr__search_end ends it). */
static enum xnr_status prepare(struct xnr_store *s, const char *sql,
                               const struct xnr_sentence_query *q, int64_t shuffle_n,
                               sqlite3_stmt **out, char **ids_json, struct xnr_error *err)
{
	struct xnr__search b;
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	*ids_json = NULL;
	if ((rc = check(q, err)) != XNR_OK)
		return rc;
	if (q->by_ids && !(*ids_json = xnr__ids_json(q->ids, q->n_ids)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if (q->sort == XNR_SENT_BY_RANDOM &&
	    sqlite3_create_function_v2(s->db, "xnr_shuffle", 3,
	                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	                               shuffle_fn, NULL, NULL, NULL) != SQLITE_OK)
		return xnr__store_fail(s, err);
	if ((rc = xnr__search_begin(s, q, &b, err)) != XNR_OK)
		return rc;
	if ((rc = xnr__store_prepare(s, sql, q->run, &st, err)) == XNR_OK) {
		bind(st, q, *ids_json, &b, shuffle_n);
		*out = st;
	} else {
		xnr__search_end(s);
	}
	xnr__search_free(&b);
	return rc;
}

/* 1 if q filters nothing: its count is the run's, a random page its
 * positions' ids. */
static int unfiltered(const struct xnr_sentence_query *q)
{
	return !q->has_min_loss && !q->has_max_loss && !q->with_errors && q->gold < 0 &&
	       q->pred < 0 && !q->by_ids && !(q->text && q->text[0]) && !q->word && !q->token &&
	       !q->gold_type && !q->pred_type && !q->pinned;
}

enum xnr_status xnr_store_sentences_count(struct xnr_store *s, const struct xnr_sentence_query *q,
                                          int64_t *total, struct xnr_error *err)
{
	char where[2048], sql[2176];
	char *ids_json = NULL;
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	if ((rc = check(q, err)) != XNR_OK)
		return rc;
	/* Every sentence: the run's count, not a pass over a million index rows
	 * (a run without one, being written elsewhere, is counted). */
	where_build(q, 0, where, sizeof where);
	if (unfiltered(q))
		snprintf(sql, sizeof sql,
		         "SELECT coalesce((SELECT n_sentences FROM runs WHERE id = ?1),"
		         " (SELECT count(*)%s))",
		         where);
	else
		snprintf(sql, sizeof sql, "SELECT count(*)%s", where);
	if ((rc = prepare(s, sql, q, 0, &st, &ids_json, err)) == XNR_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			*total = sqlite3_column_int64(st, 0);
		else
			rc = xnr__store_fail(s, err);
		xnr__search_end(s);
	}
	sqlite3_finalize(st);
	free(ids_json);
	return rc;
}

/* The ids at positions [offset, offset + limit) of the random order of
 * [0, n) into *ids (malloc'd; none past n). */
static enum xnr_status page_ids(const struct xnr_sentence_query *q, int64_t n, int64_t **ids,
                                size_t *n_ids, struct xnr_error *err)
{
	struct shuffle f = shuffle_make(n, q->seed);
	int64_t end = q->limit < 0 || q->limit > n - q->offset ? n : q->offset + q->limit, p;

	*n_ids = 0;
	if (!(*ids = malloc(((size_t)(end > q->offset ? end - q->offset : 0) + 1) * sizeof **ids)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (p = q->offset; p < end; p++)
		(*ids)[(*n_ids)++] = shuffle_at(&f, p, 1);
	return XNR_OK;
}

enum xnr_status xnr_store_sentences(struct xnr_store *s, const struct xnr_sentence_query *q,
                                    struct xnr_rows **out, struct xnr_error *err)
{
	const char *by = order_by[(unsigned)q->sort % XNR_SENT_SORT_COUNT][q->ascending != 0];
	char cols[256], where[2048], sql[2816];
	struct xnr_sentence_query page;
	char *ids_json = NULL;
	int64_t *ids = NULL, n = 0;
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;
	int dense = 0;

	if (q->sort == XNR_SENT_BY_RANDOM) {
		if ((rc = check(q, err)) != XNR_OK ||
		    (rc = run_extent(s, q->run, &n, &dense, err)) != XNR_OK)
			return rc;
		if (dense && unfiltered(q)) { /* the page's rows by their ids */
			page = *q;
			if ((rc = page_ids(q, n, &ids, &page.n_ids, err)) != XNR_OK)
				return rc;
			page.by_ids = 1;
			page.ids = ids;
			page.offset = 0;
			page.limit = -1;
			q = &page;
		}
	}
	xnr__cols_sql(sentence_cols, N_SENTENCE_COLS, cols, sizeof cols);
	where_build(q, 1, where, sizeof where);
	if (q->sort ==
	    XNR_SENT_BY_RANDOM) /* shuffle the ids (an index), then read the page's rows */
		snprintf(
		    sql, sizeof sql,
		    "WITH k AS (SELECT id AS i%s ORDER BY %s LIMIT ?3 OFFSET ?4) SELECT %s FROM"
		    " sentences WHERE run_id = ?1 AND id IN (SELECT i FROM k) ORDER BY %s",
		    where, by, cols, by);
	else
		snprintf(sql, sizeof sql, "SELECT %s%s ORDER BY %s LIMIT ?3 OFFSET ?4", cols, where,
		         by);
	rc = prepare(s, sql, q, n, &st, &ids_json, err);
	free(ids);
	if (rc != XNR_OK) {
		free(ids_json);
		return rc;
	}
	return xnr__rows_open(s, XNR__SENTENCE, sentence_cols, N_SENTENCE_COLS, st, ids_json, out,
	                      err);
}

enum xnr_status xnr_store_sentence_get(struct xnr_store *s, int64_t run, int64_t id,
                                       struct xnr_sentence_row *row, struct xnr_rows **out,
                                       struct xnr_error *err)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(run);
	struct xnr_rows *r = NULL;
	enum xnr_status rc;
	int more = 0;

	q.sort = XNR_SENT_BY_ID;
	q.by_ids = 1;
	q.ids = &id;
	q.n_ids = 1;
	if (id < 0)
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "run %lld: no sentence %lld",
		                (long long)run, (long long)id);
	if ((rc = xnr_store_sentences(s, &q, &r, err)) != XNR_OK ||
	    (rc = xnr_rows_sentence(r, row, &more, err)) != XNR_OK) {
		xnr_rows_close(r);
		return rc;
	}
	if (!more) {
		xnr_rows_close(r);
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "run %lld: no sentence %lld",
		                (long long)run, (long long)id);
	}
	*out = r;
	return XNR_OK;
}

/* The entity rows of sentence id ('gold' sorts before 'pred') or, all, of
 * the whole run by sentence (one pass over its index). */
static enum xnr_status entity_rows(struct xnr_store *s, int64_t run, int all, int64_t id,
                                   struct xnr_rows **out, struct xnr_error *err)
{
	static const size_t n_cols = sizeof entity_cols / sizeof entity_cols[0];
	char cols[128], sql[320];
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;

	xnr__cols_sql(entity_cols, n_cols, cols, sizeof cols);
	snprintf(sql, sizeof sql, "SELECT %s FROM entities %s", cols,
	         !all ? "WHERE run_id = ?1 AND sentence_id = ?2 ORDER BY side, start, end"
	              : "INDEXED BY entities_by_sentence WHERE run_id = ?1 ORDER BY sentence_id");
	if ((rc = xnr__store_prepare(s, sql, run, &st, err)) != XNR_OK)
		return rc;
	if (!all)
		sqlite3_bind_int64(st, 2, id);
	return xnr__rows_open(s, XNR__ENTITY, entity_cols, n_cols, st, NULL, out, err);
}

enum xnr_status xnr_store_entities(struct xnr_store *s, int64_t run, int64_t id,
                                   struct xnr_rows **out, struct xnr_error *err)
{
	return entity_rows(s, run, 0, id, out, err);
}

enum xnr_status xnr_store_run_entities(struct xnr_store *s, int64_t run, struct xnr_rows **out,
                                       struct xnr_error *err)
{
	return entity_rows(s, run, 1, 0, out, err);
}
