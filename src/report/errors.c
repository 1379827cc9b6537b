/*
 * errors.c - where a stored run goes wrong, from SQL (report.h): the
 * misclassified words grouped by (gold, predicted) label with their most
 * frequent texts (the original ExplaiNER's Misclassified page), and the
 * sentences with the largest total loss.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/internal.h"
#include "report/report.h"

struct pair {
	int gold, pred;
	json_t *obj;   /* borrowed from the result array */
	json_t *words; /* borrowed from obj */
	int n_words;
};

static int cmp_pair_ids(const void *a, const void *b)
{
	const struct pair *x = *(const struct pair *const *)a, *y = *(const struct pair *const *)b;
	if (x->gold != y->gold)
		return x->gold < y->gold ? -1 : 1;
	return (x->pred > y->pred) - (x->pred < y->pred);
}

/* Every misclassified (gold, pred) pair with both labels named, most
 * frequent first, appended to arr; pairs[] gets one entry per pair. */
static enum xnr_status read_pairs(sqlite3 *db, int64_t run, json_t *arr, struct pair **pairs,
                                  size_t *n_pairs, struct xnr_error *err)
{
	static const char sql[] =
	    "SELECT g.name, p.name, count(*) AS n, w.gold, w.pred"
	    " FROM words w INDEXED BY words_by_labels"
	    " JOIN labels g ON g.run_id = w.run_id AND g.id = w.gold"
	    " JOIN labels p ON p.run_id = w.run_id AND p.id = w.pred"
	    " WHERE w.run_id = ?1 AND w.gold != w.pred GROUP BY w.gold, w.pred"
	    " ORDER BY n DESC, g.name, p.name";
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return xnr__report_sql_fail(db, err);
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *g = (const char *)sqlite3_column_text(st, 0);
		const char *p = (const char *)sqlite3_column_text(st, 1);
		struct pair *x;
		if (*n_pairs == cap) {
			struct pair *np = realloc(*pairs, (cap = cap ? 2 * cap : 64) * sizeof *np);
			if (!np)
				break;
			*pairs = np;
		}
		x = &(*pairs)[*n_pairs];
		x->gold = sqlite3_column_int(st, 3);
		x->pred = sqlite3_column_int(st, 4);
		x->n_words = 0;
		x->words = json_array();
		x->obj = json_pack("{s:s,s:s,s:i,s:i,s:I,s:o}", "gold", g ? g : "", "pred",
		                   p ? p : "", "gold_id", x->gold, "pred_id", x->pred, "count",
		                   (json_int_t)sqlite3_column_int64(st, 2), "words", x->words);
		if (!x->obj || json_array_append_new(arr, x->obj))
			break;
		(*n_pairs)++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the misclassified pairs");
	return rc == SQLITE_DONE ? XNR_OK : xnr__report_sql_fail(db, err);
}

/* One misclassified word, then one (gold, pred, text) group of them. */
struct miss {
	int32_t gold, pred;
	size_t off, len;  /* the text in the scan's arena */
	const char *text; /* arena + off, set once the arena stops moving */
	int64_t count;
};

/* The misclassified words of a run with a non-NULL text, and their texts. */
struct misses {
	struct miss *v;
	size_t n, cap;
	char *arena;
	size_t arena_len, arena_cap;
};

/* SQLite's BINARY collation: bytes, then the shorter first. */
static int cmp_bytes(const struct miss *x, const struct miss *y)
{
	int c = memcmp(x->text, y->text, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* By gold, pred, text: equal words side by side. */
static int cmp_miss_text(const void *a, const void *b)
{
	const struct miss *x = a, *y = b;
	if (x->gold != y->gold)
		return x->gold < y->gold ? -1 : 1;
	if (x->pred != y->pred)
		return x->pred < y->pred ? -1 : 1;
	return cmp_bytes(x, y);
}

/* By gold, pred, count descending, text: the page's order. */
static int cmp_miss_count(const void *a, const void *b)
{
	const struct miss *x = a, *y = b;
	if (x->gold != y->gold || x->pred != y->pred)
		return cmp_miss_text(a, b);
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return cmp_bytes(x, y);
}

/* Append one word (text of len bytes) to m. -1 when out of memory. */
static int miss_add(struct misses *m, int32_t gold, int32_t pred, const char *text, size_t len)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 1024;
		struct miss *v = realloc(m->v, cap * sizeof *v);
		if (!v)
			return -1;
		m->v = v, m->cap = cap;
	}
	if (m->arena_cap - m->arena_len < len + 1) {
		size_t cap = m->arena_cap ? 2 * m->arena_cap : 16384;
		char *a;
		while (cap - m->arena_len < len + 1)
			cap *= 2;
		if (!(a = realloc(m->arena, cap)))
			return -1;
		m->arena = a, m->arena_cap = cap;
	}
	memcpy(m->arena + m->arena_len, text, len);
	m->arena[m->arena_len + len] = '\0';
	m->v[m->n++] = (struct miss){gold, pred, m->arena_len, len, NULL, 1};
	m->arena_len += len + 1;
	return 0;
}

/* One sequential pass over the run's words in primary-key order (about
 * 10 ms for 46k words), keeping gold != pred as SQL compares them (NULL
 * labels never differ); words with a NULL text are not listed. */
static enum xnr_status scan_misses(sqlite3 *db, int64_t run, struct misses *m,
                                   struct xnr_error *err)
{
	static const char sql[] =
	    "SELECT gold, pred, text FROM words NOT INDEXED WHERE run_id = ?1";
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_DONE, oom = 0;
	size_t i;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return xnr__report_sql_fail(db, err);
	sqlite3_bind_int64(st, 1, run);
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 2);
		int64_t g = sqlite3_column_int64(st, 0), p = sqlite3_column_int64(st, 1);
		if (sqlite3_column_type(st, 0) == SQLITE_NULL ||
		    sqlite3_column_type(st, 1) == SQLITE_NULL || g == p || !text || g < INT32_MIN ||
		    g > INT32_MAX || p < INT32_MIN || p > INT32_MAX)
			continue;
		oom = miss_add(m, (int32_t)g, (int32_t)p, text,
		               (size_t)sqlite3_column_bytes(st, 2)) != 0;
	}
	sqlite3_finalize(st);
	if (oom)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the misclassified words");
	if (rc != SQLITE_DONE)
		return xnr__report_sql_fail(db, err);
	for (i = 0; i < m->n; i++)
		m->v[i].text = m->arena + m->v[i].off;
	return XNR_OK;
}

/* Collapse runs of equal (gold, pred, text) in the sorted m into one group
 * each with its count, then order the groups as the page lists them. */
static void group_misses(struct misses *m)
{
	size_t i, n = 0;

	qsort(m->v, m->n, sizeof *m->v, cmp_miss_text);
	for (i = 0; i < m->n; i++)
		if (n > 0 && cmp_miss_text(&m->v[n - 1], &m->v[i]) == 0)
			m->v[n - 1].count++;
		else
			m->v[n++] = m->v[i];
	m->n = n;
	qsort(m->v, m->n, sizeof *m->v, cmp_miss_count);
}

/* The most frequent texts of every pair: the run's words are scanned once
 * and grouped in memory (a lookup of each misclassified word's row through
 * the words_by_labels index cost 200-300 ms on CoNLL-2003 test). */
static enum xnr_status read_words(sqlite3 *db, int64_t run, int top_words, struct pair **by_ids,
                                  size_t n_pairs, struct xnr_error *err)
{
	struct misses m;
	enum xnr_status rc;
	size_t i;
	int oom = 0;

	memset(&m, 0, sizeof m);
	if ((rc = scan_misses(db, run, &m, err)) != XNR_OK)
		goto done;
	group_misses(&m);
	for (i = 0; !oom && i < m.n; i++) {
		struct pair key = {m.v[i].gold, m.v[i].pred, NULL, NULL, 0};
		const struct pair *kp = &key;
		struct pair **hit = bsearch(&kp, by_ids, n_pairs, sizeof *by_ids, cmp_pair_ids);
		if (!hit || (top_words >= 0 && (*hit)->n_words >= top_words))
			continue;
		oom = json_array_append_new(
		    (*hit)->words,
		    json_pack("{s:s,s:I}", "text", m.v[i].text, "count", (json_int_t)m.v[i].count));
		(*hit)->n_words++;
	}
	if (oom)
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the misclassified words");
done:
	free(m.v);
	free(m.arena);
	return rc;
}

enum xnr_status xnr_report_confusions(sqlite3 *db, int64_t run, int top_words, json_t **out,
                                      struct xnr_error *err)
{
	struct pair *pairs = NULL, **by_ids = NULL;
	size_t n_pairs = 0, i;
	json_t *arr = NULL;
	enum xnr_status rc;

	if ((rc = xnr__report_check_run(db, run, err)) != XNR_OK)
		return rc;
	if (!(arr = json_array())) {
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = read_pairs(db, run, arr, &pairs, &n_pairs, err)) != XNR_OK)
		goto fail;
	if (!(by_ids = malloc((n_pairs + 1) * sizeof *by_ids))) {
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < n_pairs; i++)
		by_ids[i] = &pairs[i];
	qsort(by_ids, n_pairs, sizeof *by_ids, cmp_pair_ids);
	if (top_words != 0 && (rc = read_words(db, run, top_words, by_ids, n_pairs, err)) != XNR_OK)
		goto fail;
	free(by_ids);
	free(pairs);
	*out = arr;
	return XNR_OK;
fail:
	free(by_ids);
	free(pairs);
	json_decref(arr);
	return rc;
}

enum xnr_status xnr_report_worst_sentences(sqlite3 *db, int64_t run, long top, json_t **out,
                                           struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	json_t *arr;
	enum xnr_status rc;
	int step = SQLITE_DONE, oom = 0;

	if ((rc = xnr__report_check_run(db, run, err)) != XNR_OK)
		return rc;
	if (sqlite3_prepare_v2(db,
	                       "SELECT id, loss, n_word_errors, n_entity_errors, text FROM "
	                       "sentences WHERE run_id = ? ORDER BY loss DESC, id LIMIT ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return xnr__report_sql_fail(db, err);
	if (!(arr = json_array())) {
		sqlite3_finalize(st);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, top < 0 ? 0 : top);
	while (!oom && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 4);
		oom = json_array_append_new(
		    arr, json_pack("{s:I,s:f,s:i,s:i,s:s}", "id",
		                   (json_int_t)sqlite3_column_int64(st, 0), "loss",
		                   sqlite3_column_double(st, 1), "word_errors",
		                   sqlite3_column_int(st, 2), "entity_errors",
		                   sqlite3_column_int(st, 3), "text", text ? text : ""));
	}
	sqlite3_finalize(st);
	if (oom || step != SQLITE_DONE) {
		json_decref(arr);
		return oom ? xnr_fail(err, XNR_ERR_NOMEM, "out of memory")
		           : xnr__report_sql_fail(db, err);
	}
	*out = arr;
	return XNR_OK;
}
