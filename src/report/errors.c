/*
 * errors.c - where a stored run goes wrong (report.h): the misclassified
 * words grouped by (gold, predicted) label with their most frequent texts
 * (the original ExplaiNER's Misclassified page), and the sentences with the
 * largest total loss.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "report/report.h"
#include "store/read.h"

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

/* Most frequent first, then by gold and predicted label name. */
struct named_pair {
	const struct xnr_label_pair *p;
	const char *gold, *pred;
};

static int cmp_named(const void *a, const void *b)
{
	const struct named_pair *x = a, *y = b;
	int c;

	if (x->p->count != y->p->count)
		return x->p->count > y->p->count ? -1 : 1;
	if ((c = strcmp(x->gold, y->gold)) != 0 || (c = strcmp(x->pred, y->pred)) != 0)
		return c;
	return x->p < y->p ? -1 : x->p > y->p;
}

/* Every misclassified (gold, pred) pair whose labels run names, most
 * frequent first, appended to arr; pairs[] gets one entry per pair. */
static enum xnr_status read_pairs(struct xnr_store *s, const struct xnr_run *run, json_t *arr,
                                  struct pair **pairs, size_t *n_pairs, struct xnr_error *err)
{
	struct xnr_label_pair *counts = NULL;
	struct named_pair *named = NULL;
	size_t n = 0, n_named = 0, i;
	enum xnr_status rc;

	if ((rc = xnr_store_label_pairs(s, run->id, &counts, &n, err)) != XNR_OK)
		return rc;
	named = malloc((n + 1) * sizeof *named);
	*pairs = malloc((n + 1) * sizeof **pairs);
	for (i = 0; named && i < n; i++) {
		struct named_pair x = {&counts[i], xnr_run_label_name(run, counts[i].gold),
		                       xnr_run_label_name(run, counts[i].pred)};
		if (x.gold && x.pred)
			named[n_named++] = x;
	}
	if (named)
		qsort(named, n_named, sizeof *named, cmp_named);
	for (i = 0; named && *pairs && i < n_named; i++) {
		struct pair *x = &(*pairs)[i];
		x->gold = named[i].p->gold;
		x->pred = named[i].p->pred;
		x->n_words = 0;
		x->words = json_array();
		x->obj = json_pack("{s:s,s:s,s:i,s:i,s:I,s:o}", "gold", named[i].gold, "pred",
		                   named[i].pred, "gold_id", x->gold, "pred_id", x->pred, "count",
		                   (json_int_t)named[i].p->count, "words", x->words);
		if (!x->obj || json_array_append_new(arr, x->obj))
			break;
		(*n_pairs)++;
	}
	rc = named && *pairs && i == n_named
	         ? XNR_OK
	         : xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the misclassified pairs");
	free(named);
	free(counts);
	return rc;
}

/* One misclassified word, then one (gold, pred, text) group of them. */
struct miss {
	int32_t gold, pred;
	size_t off, len;  /* the text in the scan's arena */
	const char *text; /* arena + off, set once the arena stops moving */
	int64_t count;
};

/* The (gold, pred, text) groups of a run's misclassified words with a
 * non-NULL text, counted as the scan goes (memory in the distinct groups,
 * not in the words: a run of a million sentences has over a million misses
 * and a few thousand groups), and their texts. */
struct misses {
	struct miss *v;
	size_t n, cap;
	char *arena;
	size_t arena_len, arena_cap;
	uint32_t *slot; /* open addressing: 1 + index into v, 0 empty */
	size_t n_slots; /* a power of two, at least twice n */
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

static uint64_t miss_hash(int32_t gold, int32_t pred, const char *text, size_t len)
{
	uint64_t h = 1469598103934665603ULL ^ ((uint64_t)(uint32_t)gold << 32 | (uint32_t)pred);
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

/* The slot of (gold, pred, text) in m: its group's, or the empty one where
 * it goes. */
static uint32_t *miss_slot(const struct misses *m, int32_t gold, int32_t pred, const char *text,
                           size_t len)
{
	size_t i = (size_t)miss_hash(gold, pred, text, len) & (m->n_slots - 1);

	for (;; i = (i + 1) & (m->n_slots - 1)) {
		const struct miss *g;
		if (!m->slot[i])
			return &m->slot[i];
		g = &m->v[m->slot[i] - 1];
		if (g->gold == gold && g->pred == pred && g->len == len &&
		    memcmp(m->arena + g->off, text, len) == 0)
			return &m->slot[i];
	}
}

/* Twice the slots, the groups placed again. -1 when out of memory. */
static int miss_grow(struct misses *m)
{
	size_t n = m->n_slots ? 2 * m->n_slots : 1024, i;
	uint32_t *old = m->slot;

	if (n > UINT32_MAX || !(m->slot = calloc(n, sizeof *m->slot))) {
		m->slot = old;
		return -1;
	}
	m->n_slots = n;
	for (i = 0; i < m->n; i++)
		*miss_slot(m, m->v[i].gold, m->v[i].pred, m->arena + m->v[i].off, m->v[i].len) =
		    (uint32_t)(i + 1);
	free(old);
	return 0;
}

/* Count one word (text of len bytes) into its group of m, made when new.
 * -1 when out of memory. */
static int miss_add(struct misses *m, int32_t gold, int32_t pred, const char *text, size_t len)
{
	uint32_t *slot;

	if (2 * (m->n + 1) > m->n_slots && miss_grow(m) != 0)
		return -1;
	slot = miss_slot(m, gold, pred, text, len);
	if (*slot) {
		m->v[*slot - 1].count++;
		return 0;
	}
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
	*slot = (uint32_t)m->n;
	m->arena_len += len + 1;
	return 0;
}

/* One sequential pass over the run's words in dataset order (about 10 ms
 * for 46k words), keeping gold != pred (words without a label never
 * differ); words without a text are not listed. */
static enum xnr_status scan_misses(struct xnr_store *s, int64_t run, struct misses *m,
                                   struct xnr_error *err)
{
	struct xnr_word_query q = xnr_word_query_default(run);
	struct xnr_rows *rows = NULL;
	struct xnr_word_row w;
	enum xnr_status rc;
	int more = 0, oom = 0;
	size_t i;

	if ((rc = xnr_store_words(s, &q, &rows, err)) != XNR_OK)
		return rc;
	while (!oom && (rc = xnr_rows_word(rows, &w, &more, err)) == XNR_OK && more) {
		if (w.gold < 0 || w.pred < 0 || w.gold == w.pred || !w.text)
			continue;
		oom = miss_add(m, w.gold, w.pred, w.text, (size_t)w.text_len) != 0;
	}
	xnr_rows_close(rows);
	if (oom)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the misclassified words");
	if (rc != XNR_OK)
		return rc;
	for (i = 0; i < m->n; i++)
		m->v[i].text = m->arena + m->v[i].off;
	return XNR_OK;
}

/* Order the groups as the page lists them. */
static void group_misses(struct misses *m)
{
	if (m->n == 0) /* a run without a miss: v is NULL, which qsort may not get */
		return;
	qsort(m->v, m->n, sizeof *m->v, cmp_miss_count);
}

/* The most frequent texts of every pair: the run's words are scanned once
 * and grouped in memory (a lookup of each misclassified word's row through
 * the words_by_labels index cost 200-300 ms on CoNLL-2003 test). */
static enum xnr_status read_words(struct xnr_store *s, int64_t run, int top_words,
                                  struct pair **by_ids, size_t n_pairs, struct xnr_error *err)
{
	struct misses m;
	enum xnr_status rc;
	size_t i;
	int oom = 0;

	memset(&m, 0, sizeof m);
	if ((rc = scan_misses(s, run, &m, err)) != XNR_OK)
		goto done;
	group_misses(&m);
	for (i = 0; !oom && i < m.n; i++) {
		struct pair key = {m.v[i].gold, m.v[i].pred, NULL, NULL, 0};
		const struct pair *kp = &key;
		struct pair **hit =
		    bsearch(&kp, by_ids, n_pairs, sizeof(struct pair *), cmp_pair_ids);
		if (!hit || (top_words >= 0 && (*hit)->n_words >= top_words))
			continue;
		oom = json_array_append_new(
		    (*hit)->words, json_pack("{s:o,s:I}", "text", xnr_json_text(m.v[i].text, -1),
		                             "count", (json_int_t)m.v[i].count));
		(*hit)->n_words++;
	}
	if (oom)
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the misclassified words");
done:
	free(m.v);
	free(m.arena);
	free(m.slot);
	return rc;
}

enum xnr_status xnr_report_confusions(struct xnr_store *s, int64_t run, int top_words, json_t **out,
                                      struct xnr_error *err)
{
	struct pair *pairs = NULL, **by_ids = NULL;
	size_t n_pairs = 0, i;
	json_t *arr = NULL;
	struct xnr_run r;
	enum xnr_status rc;

	if ((rc = xnr_store_run_get(s, run, &r, err)) != XNR_OK)
		return rc;
	if (!(arr = json_array())) {
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = read_pairs(s, &r, arr, &pairs, &n_pairs, err)) != XNR_OK)
		goto fail;
	if (!(by_ids = malloc((n_pairs + 1) * sizeof(struct pair *)))) {
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < n_pairs; i++)
		by_ids[i] = &pairs[i];
	qsort(by_ids, n_pairs, sizeof(struct pair *), cmp_pair_ids);
	if (top_words != 0 && (rc = read_words(s, run, top_words, by_ids, n_pairs, err)) != XNR_OK)
		goto fail;
	free(by_ids);
	free(pairs);
	xnr_run_free(&r);
	*out = arr;
	return XNR_OK;
fail:
	free(by_ids);
	free(pairs);
	xnr_run_free(&r);
	json_decref(arr);
	return rc;
}

enum xnr_status xnr_report_worst_sentences(struct xnr_store *s, int64_t run, long top, json_t **out,
                                           struct xnr_error *err)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(run);
	struct xnr_rows *rows = NULL;
	struct xnr_sentence_row row;
	struct xnr_run r;
	json_t *arr;
	enum xnr_status rc;
	int more = 0, oom = 0;

	if ((rc = xnr_store_run_get(s, run, &r, err)) != XNR_OK)
		return rc;
	xnr_run_free(&r);
	q.limit = top < 0 ? 0 : top;
	if (!(arr = json_array()))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if ((rc = xnr_store_sentences(s, &q, &rows, err)) == XNR_OK)
		while (!oom && (rc = xnr_rows_sentence(rows, &row, &more, err)) == XNR_OK && more)
			oom = json_array_append_new(
			    arr, json_pack("{s:I,s:f,s:i,s:i,s:s}", "id", (json_int_t)row.id,
			                   "loss", isnan(row.loss) ? 0.0 : row.loss, "word_errors",
			                   row.n_word_errors, "entity_errors", row.n_entity_errors,
			                   "text", row.text ? row.text : ""));
	xnr_rows_close(rows);
	if (oom)
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if (rc != XNR_OK) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return XNR_OK;
}
