/*
 * api_projection.c - POST /api/v1/runs/{id}/projection: the Hidden States
 * page, mirroring ExplaiNER's hidden-states page: a job that loads a seeded
 * uniform sample of the run's stored word hidden states and projects it to
 * 2-D with PCA, TruncatedSVD or UMAP (scikit-learn's and umap-learn's
 * defaults), answering every point with its word, gold and predicted label.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/reduce.h"
#include "reduce/umap.h"
#include "server/internal.h"

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A seeded uniform sample of the run's word hidden states (all when n is 0):
 * reservoir sampling in one pass, then sorted back into corpus order. */
struct sample {
	long n, cap;
	int d;
	float *x;     /* (n, d) */
	int64_t *pos; /* (n, 2): sentence_id, idx */
};

static void sample_free(struct sample *s)
{
	free(s->x);
	free(s->pos);
	memset(s, 0, sizeof *s);
}

/* Put a stored hidden state into slot i. */
static enum xnr_status sample_put(struct sample *s, const struct xnr_hidden_row *h, long i,
                                  struct xnr_error *err)
{
	const float *v = h->vec;
	int bytes = h->vec_bytes;

	s->pos[2 * i] = h->sentence_id;
	s->pos[2 * i + 1] = h->idx;
	if (!v || bytes != s->d * (int)sizeof(float))
		return xnr_fail(
		    err, XNR_ERR_FORMAT,
		    "hidden state of word %lld:%lld has %d bytes, want %d (hidden_size)",
		    (long long)s->pos[2 * i], (long long)s->pos[2 * i + 1], bytes,
		    s->d * (int)sizeof(float));
	memcpy(s->x + (size_t)i * (size_t)s->d, v, (size_t)bytes);
	return XNR_OK;
}

/* Grow the all-rows buffers (n == 0 mode). */
static enum xnr_status sample_grow(struct sample *s, struct xnr_error *err)
{
	long cap = s->cap ? s->cap * 2 : 4096;
	float *x = realloc(s->x, (size_t)cap * (size_t)s->d * sizeof *x);
	int64_t *pos;

	if (x)
		s->x = x;
	pos = x ? realloc(s->pos, (size_t)cap * 2 * sizeof *pos) : NULL;
	if (!pos)
		return xnr_fail(err, XNR_ERR_NOMEM, "hidden states: out of memory for %ld rows",
		                cap);
	s->pos = pos;
	s->cap = cap;
	return XNR_OK;
}

static enum xnr_status sample_scan(struct xnr_store *db, int64_t run, long n, uint64_t seed,
                                   int64_t n_est, const struct xnr_ctl *ctl, struct sample *s,
                                   struct xnr_error *err)
{
	struct xnr_rows *rows = NULL;
	struct xnr_hidden_row h;
	enum xnr_status st;
	long seen = 0, slot;
	uint64_t rng = seed;
	int more = 0;

	if ((st = xnr_store_hidden(db, run, &rows, err)) != XNR_OK)
		return st;
	while (st == XNR_OK && (st = xnr_rows_hidden(rows, &h, &more, err)) == XNR_OK && more) {
		slot = n == 0 || seen < n ? seen : (long)(splitmix64(&rng) % (uint64_t)(seen + 1));
		if (n == 0 && seen == s->cap)
			st = sample_grow(s, err);
		if (st == XNR_OK && (n == 0 || slot < n))
			st = sample_put(s, &h, slot, err);
		if (++seen % 4096 == 0) {
			xnr_ctl_progress(ctl, 0.5 * (double)seen / (double)(n_est ? n_est : seen),
			                 "load");
			if (xnr_ctl_cancelled(ctl))
				st = xnr_fail(err, XNR_ERR_CANCELLED, "cancelled");
		}
	}
	xnr_rows_close(rows);
	s->n = n == 0 || seen < n ? seen : n;
	return st;
}

/* A sample of at most 1 word in SPARSE_FROM of the run is drawn by position
 * and only its rows read (a few thousand primary-key lookups) instead of a
 * scan of every stored hidden state: on a run of a million sentences the scan
 * read 15 GB for 2,000 rows (24 s). Denser samples keep the one-pass scan. */
#define SPARSE_FROM   16
#define SPARSE_ROUNDS 8 /* rounds of draws replacing words without a stored state */

/* An open-addressing set of drawn positions (capacity a power of two). */
struct drawn {
	uint64_t *slot; /* position + 1; 0 is empty */
	size_t mask;
};

/* Add p: 1 when it is new, 0 when it was drawn before. */
static int drawn_add(struct drawn *d, uint64_t p)
{
	size_t i = (size_t)((p * 0x9e3779b97f4a7c15ULL) >> 17) & d->mask;

	while (d->slot[i] && d->slot[i] != p + 1)
		i = (i + 1) & d->mask;
	if (d->slot[i])
		return 0;
	d->slot[i] = p + 1;
	return 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Read the rows of the words at the sorted positions pos (into s from slot
 * s->n on); start: the first position of each of n_sent sentences (ids). */
static enum xnr_status sparse_read(struct xnr_store *db, int64_t run, const uint64_t *pos,
                                   size_t n_pos, const int64_t *start, const int32_t *ids,
                                   size_t n_sent, long n, struct sample *s, struct xnr_error *err)
{
	int64_t *keys = malloc(2 * (n_pos ? n_pos : 1) * sizeof *keys);
	struct xnr_rows *rows = NULL;
	struct xnr_hidden_row h;
	enum xnr_status st = XNR_OK;
	size_t i, lo = 0;
	int more = 0;

	if (!keys)
		return xnr_fail(err, XNR_ERR_NOMEM, "hidden states: out of memory");
	for (i = 0; i < n_pos; i++) {
		size_t hi = n_sent; /* the last sentence starting at or before pos[i] */
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if ((uint64_t)start[mid] <= pos[i])
				lo = mid;
			else
				hi = mid;
		}
		keys[2 * i] = ids[lo];
		keys[2 * i + 1] = (int64_t)(pos[i] - (uint64_t)start[lo]);
	}
	st = xnr_store_hidden_at(db, run, keys, n_pos, &rows, err);
	while (st == XNR_OK && (st = xnr_rows_hidden(rows, &h, &more, err)) == XNR_OK && more &&
	       s->n < n)
		if ((st = sample_put(s, &h, s->n, err)) == XNR_OK)
			s->n++;
	xnr_rows_close(rows);
	free(keys);
	return st;
}

/* The sparse sample (see SPARSE_FROM): n distinct word positions drawn with
 * the seed, uniformly over the run's words; a word without a stored state is
 * replaced by another draw. *done 0 (and s->n 0): use the scan instead. */
static enum xnr_status sample_sparse(struct xnr_store *db, int64_t run, long n, uint64_t seed,
                                     const struct xnr_ctl *ctl, struct sample *s, int *done,
                                     struct xnr_error *err)
{
	int32_t *ids = NULL, *counts = NULL;
	int64_t *start = NULL;
	uint64_t *pos = NULL, total = 0, rng = seed;
	struct drawn set = {NULL, 0};
	size_t n_sent = 0, i, cap = 64, n_drawn = 0;
	enum xnr_status st;

	*done = 0;
	s->n = 0;
	if ((st = xnr_store_sentence_lengths(db, run, &ids, &counts, &n_sent, err)) != XNR_OK)
		return st;
	while (cap < 4 * (size_t)n)
		cap *= 2;
	start = malloc((n_sent + 1) * sizeof *start);
	pos = malloc((size_t)n * sizeof *pos);
	set.slot = calloc(cap, sizeof *set.slot);
	set.mask = cap - 1;
	if (!start || !pos || !set.slot) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "hidden states: out of memory");
		goto out;
	}
	start[0] = 0;
	for (i = 0; i < n_sent; i++)
		start[i + 1] = start[i] + (counts[i] > 0 ? counts[i] : 0);
	total = n_sent ? (uint64_t)start[n_sent] : 0;
	if (total < (uint64_t)n * SPARSE_FROM)
		goto out; /* not sparse: the scan */
	for (int round = 0; st == XNR_OK && round < SPARSE_ROUNDS && s->n < n; round++) {
		size_t want = (size_t)(n - s->n), got = 0;
		/* the set stays at most half full (its probes end); past that, the scan */
		if ((n_drawn += want) > cap / 2)
			break;
		while (got < want) {
			uint64_t p = splitmix64(&rng) % total;
			if (drawn_add(&set, p))
				pos[got++] = p;
		}
		qsort(pos, want, sizeof *pos, cmp_u64);
		st = sparse_read(db, run, pos, want, start, ids, n_sent, n, s, err);
		if (st == XNR_OK && xnr_ctl_cancelled(ctl))
			st = xnr_fail(err, XNR_ERR_CANCELLED, "cancelled");
	}
	*done = st == XNR_OK && s->n == n;
	if (!*done)
		s->n = 0;
out:
	free(ids);
	free(counts);
	free(start);
	free(pos);
	free(set.slot);
	return st;
}

/* Sort the sample into corpus order (sentence_id, idx), moving the rows along. */
static enum xnr_status sample_sort(struct sample *s, struct xnr_error *err)
{
	long *ord = malloc((size_t)s->n * sizeof *ord), i, j, t;
	float *x = malloc((size_t)s->n * (size_t)s->d * sizeof *x);
	int64_t *pos = malloc((size_t)s->n * 2 * sizeof *pos);

	if (!ord || !x || !pos) {
		free(ord);
		free(x);
		free(pos);
		return xnr_fail(err, XNR_ERR_NOMEM, "hidden states: out of memory");
	}
	for (i = 0; i < s->n; i++)
		ord[i] = i;
	/* Shell sort: a sample is nearly sorted, and qsort has no context pointer. */
	for (long gap = s->n / 2; gap > 0; gap /= 2)
		for (i = gap; i < s->n; i++)
			for (j = i; j >= gap; j -= gap) {
				const int64_t *a = s->pos + 2 * ord[j - gap],
				              *b = s->pos + 2 * ord[j];
				if (a[0] < b[0] || (a[0] == b[0] && a[1] <= b[1]))
					break;
				t = ord[j], ord[j] = ord[j - gap], ord[j - gap] = t;
			}
	for (i = 0; i < s->n; i++) {
		memcpy(x + (size_t)i * (size_t)s->d, s->x + (size_t)ord[i] * (size_t)s->d,
		       (size_t)s->d * sizeof *x);
		pos[2 * i] = s->pos[2 * ord[i]];
		pos[2 * i + 1] = s->pos[2 * ord[i] + 1];
	}
	free(ord);
	free(s->x);
	free(s->pos);
	s->x = x;
	s->pos = pos;
	return XNR_OK;
}

/* Load the sample: n rows (0 = all) of the run's hidden states. */
static enum xnr_status sample_load(struct xnr_store *db, const struct xnr_run *run, long n,
                                   uint64_t seed, const struct xnr_ctl *ctl, struct sample *s,
                                   struct xnr_error *err)
{
	int64_t n_words = run->n_words;
	enum xnr_status st = XNR_OK;
	int sparse = 0;

	memset(s, 0, sizeof *s);
	if ((st = xnr_run_hidden_check(run, err)) != XNR_OK)
		return st;
	s->d = (int)run->hidden_size;
	if (n > 0) {
		s->cap = n;
		s->x = malloc((size_t)n * (size_t)s->d * sizeof *s->x);
		s->pos = malloc((size_t)n * 2 * sizeof *s->pos);
		if (!s->x || !s->pos) {
			sample_free(s);
			return xnr_fail(err, XNR_ERR_NOMEM,
			                "hidden states: out of memory for %ld rows", n);
		}
	}
	if (n > 0 && n_words >= (int64_t)n * SPARSE_FROM)
		st = sample_sparse(db, run->id, n, seed, ctl, s, &sparse, err);
	if (st == XNR_OK && !sparse)
		st = sample_scan(db, run->id, n, seed, n_words, ctl, s, err);
	if (st == XNR_OK && (st = sample_sort(s, err)) == XNR_OK && s->n < 2)
		st = xnr_fail(err, XNR_ERR_INPUT, "run %lld has %ld stored hidden states, need 2",
		              (long long)run->id, s->n);
	if (st != XNR_OK)
		sample_free(s);
	return st;
}

/* ---- projection (Hidden States) ------------------------------------------ */

enum { PROJ_PCA, PROJ_SVD, PROJ_UMAP };
static const char *const method_names[] = {"pca", "svd", "umap", NULL};
static const char *const metric_names[] = {"euclidean", "manhattan", "chebyshev", "minkowski",
                                           NULL};

struct proj_args {
	char *db_path;
	int64_t run, n; /* n 0: every word */
	int method, metric;
	int64_t seed, n_iter, n_neighbors;
	double min_dist, p;
};

static void proj_free(void *arg)
{
	struct proj_args *a = arg;

	if (a)
		free(a->db_path);
	free(a);
}

/* UMAP reports each of its stages from 0 to 1 ("neighbours", "graph",
 * "init", "epochs"); the job's bar goes once from 0.5 (the sample loaded) to
 * 1, each stage over its share of the time, so the bar never runs back and
 * its label names the stage it shows. */
static void umap_progress(void *ud, double done, const char *stage)
{
	static const struct {
		const char *stage;
		double from, to;
	} shares[] = {{"neighbours", 0.5, 0.75},
	              {"graph", 0.75, 0.78},
	              {"init", 0.78, 0.8},
	              {"epochs", 0.8, 1.0}};
	const struct xnr_ctl *job = ud;
	char label[48];
	size_t i;

	for (i = 0; i < sizeof shares / sizeof shares[0]; i++)
		if (strcmp(stage, shares[i].stage) == 0) {
			snprintf(label, sizeof label, "umap: %s", stage);
			xnr_ctl_progress(
			    job, shares[i].from + (shares[i].to - shares[i].from) * done, label);
			return;
		}
}

/* y [n, 2] of the sample; *info gets the method's own numbers. */
static enum xnr_status project(const struct proj_args *a, const struct sample *s,
                               const struct xnr_ctl *ctl, float *y, json_t **info,
                               struct xnr_error *err)
{
	struct xnr_umap_params up = xnr_umap_default_params();
	struct xnr_ctl umap_ctl = {umap_progress, (void *)ctl, ctl ? ctl->cancel : NULL};
	double evr[2] = {0, 0};
	enum xnr_status st;

	xnr_ctl_progress(ctl, 0.5, method_names[a->method]);
	if (a->method == PROJ_PCA)
		st = xnr_pca(s->x, s->n, s->d, 2, y, NULL, evr, err);
	else if (a->method == PROJ_SVD)
		st = xnr_tsvd(s->x, s->n, s->d, 2, (int)a->n_iter, (uint64_t)a->seed, y, evr, err);
	else {
		up.n_neighbors = (int)a->n_neighbors;
		up.min_dist = a->min_dist;
		up.metric = (enum xnr_metric)a->metric;
		up.minkowski_p = a->p;
		up.seed = (uint64_t)a->seed;
		up.n_threads = 2;
		st = xnr_umap(s->x, s->n, s->d, &up, &umap_ctl, y, err);
	}
	if (st != XNR_OK)
		return st;
	if (a->method == PROJ_UMAP)
		*info = json_pack("{s:s, s:I, s:f, s:s, s:f, s:I}", "method", "umap", "n_neighbors",
		                  (json_int_t)a->n_neighbors, "min_dist", a->min_dist, "metric",
		                  metric_names[a->metric], "p", a->p, "seed", (json_int_t)a->seed);
	else
		*info = json_pack("{s:s, s:[f, f]}", "method", method_names[a->method],
		                  "explained_variance_ratio", evr[0], evr[1]);
	return *info ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
}

/* The sample's sentence ids, each once, ascending (the sample is in corpus
 * order): a new array of *n. */
static int64_t *sample_sentences(const struct sample *s, size_t *n)
{
	int64_t *ids = malloc(((size_t)s->n + 1) * sizeof *ids);
	long i;

	*n = 0;
	for (i = 0; ids && i < s->n; i++)
		if (*n == 0 || ids[*n - 1] != s->pos[2 * i])
			ids[(*n)++] = s->pos[2 * i];
	return ids;
}

/* {sentence_id: text} of the sample's sentences, each of which must exist. */
static enum xnr_status sentences_json(struct xnr_store *db, int64_t run, const int64_t *ids,
                                      size_t n, json_t **out, struct xnr_error *err)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(run);
	struct xnr_rows *rows = NULL;
	struct xnr_sentence_row row;
	json_t *map = json_object();
	enum xnr_status st;
	size_t k = 0;
	char key[24];
	int more = 0;

	q.sort = XNR_SENT_BY_ID;
	q.ascending = 1;
	q.by_ids = 1;
	q.ids = ids;
	q.n_ids = n;
	if ((st = xnr_store_sentences(db, &q, &rows, err)) == XNR_OK)
		while (map && (st = xnr_rows_sentence(rows, &row, &more, err)) == XNR_OK && more) {
			snprintf(key, sizeof key, "%d", row.id);
			if (json_object_set_new(map, key, xnr__json_text(row.text, -1)) != 0)
				json_decref(map), map = NULL;
			k++;
		}
	xnr_rows_close(rows);
	if (st == XNR_OK && !map)
		st = xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
	else if (st == XNR_OK && k != n)
		st = xnr_fail(err, XNR_ERR_INTERNAL,
		              "run %lld: a word with a hidden state has no "
		              "sentence",
		              (long long)run);
	if (st != XNR_OK) {
		json_decref(map);
		return st;
	}
	*out = map;
	return XNR_OK;
}

/* One point: {x, y, sentence_id, idx, text, gold, pred}. */
static json_t *point_json(const struct xnr_run *run, const struct xnr_word_row *w, const float *y)
{
	static const char *const keys[] = {"x", "y", "sentence_id", "idx", "text", "gold", "pred"};
	json_t *v[] = {json_real((double)y[0]),
	               json_real((double)y[1]),
	               json_integer(w->sentence_id),
	               json_integer(w->idx),
	               xnr__json_text(w->text, w->text_len),
	               xnr__json_label(run, w->gold),
	               xnr__json_label(run, w->pred)};
	return xnr__object(sizeof v / sizeof v[0], keys, v);
}

/* The words of the points, in one pass over the words of their sentences
 * (both in corpus order): [{x, y, sentence_id, idx, text, gold, pred}]. */
static enum xnr_status points_of(struct xnr_store *db, const struct xnr_run *run,
                                 const struct sample *s, const float *y, const int64_t *ids,
                                 size_t n_ids, json_t **out, struct xnr_error *err)
{
	struct xnr_word_query q = xnr_word_query_default(run->id);
	struct xnr_rows *rows = NULL;
	struct xnr_word_row w;
	json_t *pts = json_array();
	enum xnr_status st;
	long i = 0;
	int more = 0;

	q.by_sentences = 1;
	q.sentences = ids;
	q.n_sentences = n_ids;
	if ((st = xnr_store_words(db, &q, &rows, err)) == XNR_OK)
		while (pts && i < s->n && (st = xnr_rows_word(rows, &w, &more, err)) == XNR_OK &&
		       more && w.sentence_id <= s->pos[2 * i]) {
			if (w.sentence_id < s->pos[2 * i] || w.idx < s->pos[2 * i + 1])
				continue;
			if (w.idx > s->pos[2 * i + 1])
				break;
			if (json_array_append_new(pts, point_json(run, &w, y + 2 * i)) != 0)
				json_decref(pts), pts = NULL;
			i++;
		}
	xnr_rows_close(rows);
	if (st == XNR_OK && !pts)
		st = xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
	else if (st == XNR_OK && i < s->n)
		st = xnr_fail(err, XNR_ERR_INTERNAL, "word %lld:%lld has a hidden state but no row",
		              (long long)s->pos[2 * i], (long long)s->pos[2 * i + 1]);
	if (st != XNR_OK) {
		json_decref(pts);
		return st;
	}
	*out = pts;
	return XNR_OK;
}

/* The words and sentences of the points: [{x, y, sentence_id, idx, text,
 * gold, pred}] and {sentence_id: text}. */
static enum xnr_status points_json(struct xnr_store *db, const struct xnr_run *run,
                                   const struct sample *s, const float *y, json_t **points,
                                   json_t **sents, struct xnr_error *err)
{
	size_t n_ids = 0;
	int64_t *ids = sample_sentences(s, &n_ids);
	enum xnr_status st;

	if (!ids)
		return xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
	if ((st = points_of(db, run, s, y, ids, n_ids, points, err)) == XNR_OK &&
	    (st = sentences_json(db, run->id, ids, n_ids, sents, err)) != XNR_OK) {
		json_decref(*points);
		*points = NULL;
	}
	free(ids);
	return st;
}

static enum xnr_status proj_job(void *arg, const struct xnr_ctl *ctl, json_t **result,
                                struct xnr_error *err)
{
	const struct proj_args *a = arg;
	struct sample s = {0};
	struct xnr_store *db = NULL;
	struct xnr_run run = {0};
	json_t *info = NULL, *points = NULL, *sents = NULL;
	double t0 = xnr__now_s(), t1 = 0, t2 = 0;
	float *y = NULL;
	enum xnr_status st;

	if ((st = xnr_store_open_read(a->db_path, &db, err)) != XNR_OK ||
	    (st = xnr_store_run_get(db, a->run, &run, err)) != XNR_OK ||
	    (st = sample_load(db, &run, (long)a->n, (uint64_t)a->seed, ctl, &s, err)) != XNR_OK)
		goto fail;
	t1 = xnr__now_s();
	if (!(y = malloc((size_t)s.n * 2 * sizeof *y))) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
		goto fail;
	}
	if ((st = project(a, &s, ctl, y, &info, err)) != XNR_OK)
		goto fail;
	t2 = xnr__now_s();
	if ((st = points_json(db, &run, &s, y, &points, &sents, err)) != XNR_OK)
		goto fail;
	*result = json_pack("{s:I, s:I, s:o, s:o, s:o, s:{s:f, s:f, s:f}}", "run",
	                    (json_int_t)a->run, "n", (json_int_t)s.n, "info", info, "points",
	                    points, "sentences", sents, "timings", "load_s", t1 - t0, "project_s",
	                    t2 - t1, "total_s", xnr__now_s() - t0);
	info = points = sents = NULL;
	if (!*result)
		st = xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
fail:
	json_decref(info);
	json_decref(points);
	json_decref(sents);
	free(y);
	sample_free(&s);
	xnr_run_free(&run);
	xnr_store_close(db);
	return st;
}

static enum xnr_status proj_parse(const json_t *body, struct proj_args *a, struct xnr_error *err)
{
	static const char *const allowed[] = {"method",   "n",      "seed", "n_iter", "n_neighbors",
	                                      "min_dist", "metric", "p",    NULL};
	enum xnr_status st;

	if ((st = xnr__body_allow(body, allowed, err)) != XNR_OK ||
	    (st = xnr__body_choice(body, "method", method_names, PROJ_PCA, &a->method, err)) !=
	        XNR_OK ||
	    (st = xnr__body_int(body, "n", 0, 100000000, 2000, &a->n, err)) != XNR_OK ||
	    (st = xnr__body_int(body, "seed", 0, INT64_MAX, 42, &a->seed, err)) != XNR_OK ||
	    (st = xnr__body_int(body, "n_iter", 0, 100, 5, &a->n_iter, err)) != XNR_OK ||
	    (st = xnr__body_int(body, "n_neighbors", 2, 200, 15, &a->n_neighbors, err)) != XNR_OK ||
	    (st = xnr__body_real(body, "min_dist", 0, 1, 0.1, &a->min_dist, err)) != XNR_OK ||
	    (st = xnr__body_choice(body, "metric", metric_names, 0, &a->metric, err)) != XNR_OK ||
	    (st = xnr__body_real(body, "p", 1, 100, 2, &a->p, err)) != XNR_OK)
		return st;
	if (a->n == 1)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "body field n: wants at least 2 points (0: all)");
	return XNR_OK;
}

/* The job key: the run and every parameter the method uses. */
static void proj_key(const struct proj_args *a, char *key, size_t size)
{
	int len =
	    snprintf(key, size, "projection run=%lld n=%lld seed=%lld method=%s", (long long)a->run,
	             (long long)a->n, (long long)a->seed, method_names[a->method]);

	if (len < 0 || (size_t)len >= size)
		return;
	if (a->method == PROJ_SVD)
		snprintf(key + len, size - (size_t)len, " n_iter=%lld", (long long)a->n_iter);
	else if (a->method == PROJ_UMAP)
		snprintf(key + len, size - (size_t)len,
		         " n_neighbors=%lld min_dist=%.17g metric=%s p=%.17g",
		         (long long)a->n_neighbors, a->min_dist, metric_names[a->metric],
		         a->metric == XNR_METRIC_MINKOWSKI ? a->p : 2.0);
}

static enum xnr_status api_projection(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	struct proj_args q = {0}, *a;
	struct xnr_run run;
	char key[256];
	enum xnr_status st;

	if ((st = proj_parse(xnr__body_or_empty(r), &q, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	st = xnr_run_hidden_check(&run, err);
	if (q.n >= run.n_words)
		q.n = 0;
	xnr_run_free(&run);
	if (st != XNR_OK)
		return st;
	q.run = r->ids[0];
	proj_key(&q, key, sizeof key);
	if (!(a = malloc(sizeof *a)))
		return xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
	*a = q;
	if (!(a->db_path = strdup(r->app->db_path))) {
		free(a);
		return xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
	}
	return xnr__job_answer(r, "projection", key, q.run, proj_job, a, proj_free, out, err);
}

static const struct xnr__route routes[] = {
    {"POST", "/api/v1/runs/{id}/projection", api_projection, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(projection, routes);
