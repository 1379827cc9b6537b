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

/* Put the row of stmt (sentence_id, idx, vec) into slot i. */
static enum xnr_status sample_put(struct sample *s, sqlite3_stmt *stmt, long i,
                                  struct xnr_error *err)
{
	const void *v = sqlite3_column_blob(stmt, 2);
	int bytes = sqlite3_column_bytes(stmt, 2);

	s->pos[2 * i] = sqlite3_column_int64(stmt, 0);
	s->pos[2 * i + 1] = sqlite3_column_int64(stmt, 1);
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

static enum xnr_status sample_scan(sqlite3 *db, int64_t run, long n, uint64_t seed, int64_t n_est,
                                   const struct xnr_ctl *ctl, struct sample *s,
                                   struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	enum xnr_status st = XNR_OK;
	long seen = 0, slot;
	uint64_t rng = seed;
	int rc;

	if (sqlite3_prepare_v2(db,
	                       "SELECT sentence_id, idx, vec FROM hidden WHERE run_id = ?1 "
	                       "ORDER BY sentence_id, idx",
	                       -1, &stmt, NULL) != SQLITE_OK)
		return xnr__sql_fail(db, "hidden", err);
	sqlite3_bind_int64(stmt, 1, run);
	while (st == XNR_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		slot = n == 0 || seen < n ? seen : (long)(splitmix64(&rng) % (uint64_t)(seen + 1));
		if (n == 0 && seen == s->cap)
			st = sample_grow(s, err);
		if (st == XNR_OK && (n == 0 || slot < n))
			st = sample_put(s, stmt, slot, err);
		if (++seen % 4096 == 0) {
			xnr_ctl_progress(ctl, 0.5 * (double)seen / (double)(n_est ? n_est : seen),
			                 "load");
			if (xnr_ctl_cancelled(ctl))
				st = xnr_fail(err, XNR_ERR_CANCELLED, "cancelled");
		}
	}
	if (st == XNR_OK && rc != SQLITE_DONE)
		st = xnr__sql_fail(db, "hidden", err);
	sqlite3_finalize(stmt);
	s->n = n == 0 || seen < n ? seen : n;
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

/* Load the sample: n rows (0 = all) of run's hidden states. */
static enum xnr_status sample_load(sqlite3 *db, int64_t run, long n, uint64_t seed,
                                   const struct xnr_ctl *ctl, struct sample *s,
                                   struct xnr_error *err)
{
	int64_t n_words = 0;
	enum xnr_status st;

	memset(s, 0, sizeof *s);
	if ((st = xnr__run_hidden(db, run, &s->d, &n_words, err)) != XNR_OK)
		return st;
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
	if ((st = sample_scan(db, run, n, seed, n_words, ctl, s, err)) == XNR_OK &&
	    (st = sample_sort(s, err)) == XNR_OK && s->n < 2)
		st = xnr_fail(err, XNR_ERR_INPUT, "run %lld has %ld stored hidden states, need 2",
		              (long long)run, s->n);
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

/* y [n, 2] of the sample; *info gets the method's own numbers. */
static enum xnr_status project(const struct proj_args *a, const struct sample *s,
                               const struct xnr_ctl *ctl, float *y, json_t **info,
                               struct xnr_error *err)
{
	struct xnr_umap_params up = xnr_umap_default_params();
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
		st = xnr_umap(s->x, s->n, s->d, &up, ctl, y, err);
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

/* Look up words and sentences for the points: [{x, y, sentence_id, idx, text,
 * gold, pred}] and {sentence_id: text}. */
static enum xnr_status points_json(sqlite3 *db, int64_t run, const struct sample *s, const float *y,
                                   json_t **points, json_t **sents, struct xnr_error *err)
{
	static const char sql[] =
	    "SELECT w.text, w.gold, w.pred, s.text FROM words w JOIN sentences s ON s.run_id = "
	    "w.run_id AND s.id = w.sentence_id WHERE w.run_id = ?1 AND w.sentence_id = ?2 AND "
	    "w.idx = ?3";
	sqlite3_stmt *stmt = NULL;
	json_t *labels = NULL, *pts = json_array(), *st_map = json_object();
	enum xnr_status st;
	char key[24];
	long i;

	if ((st = xnr__run_labels(db, run, &labels, err)) != XNR_OK)
		goto fail;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		st = xnr__sql_fail(db, "words", err);
		goto fail;
	}
	sqlite3_bind_int64(stmt, 1, run);
	for (i = 0; pts && st_map && i < s->n; i++) {
		json_t *o;
		sqlite3_bind_int64(stmt, 2, s->pos[2 * i]);
		sqlite3_bind_int64(stmt, 3, s->pos[2 * i + 1]);
		if (sqlite3_step(stmt) != SQLITE_ROW) {
			st = xnr_fail(err, XNR_ERR_INTERNAL,
			              "word %lld:%lld has a hidden state but no row",
			              (long long)s->pos[2 * i], (long long)s->pos[2 * i + 1]);
			goto fail;
		}
		o = json_pack("{s:f, s:f, s:I, s:I, s:o, s:O?, s:O?}", "x", (double)y[2 * i], "y",
		              (double)y[2 * i + 1], "sentence_id", (json_int_t)s->pos[2 * i], "idx",
		              (json_int_t)s->pos[2 * i + 1], "text", xnr__col_json(stmt, 0), "gold",
		              json_array_get(labels, (size_t)sqlite3_column_int64(stmt, 1)), "pred",
		              json_array_get(labels, (size_t)sqlite3_column_int64(stmt, 2)));
		snprintf(key, sizeof key, "%lld", (long long)s->pos[2 * i]);
		if (json_array_append_new(pts, o) != 0 ||
		    (!json_object_get(st_map, key) &&
		     json_object_set_new(st_map, key, xnr__col_json(stmt, 3)) != 0))
			break;
		sqlite3_reset(stmt);
	}
	if (!pts || !st_map || i < s->n) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
		goto fail;
	}
	*points = pts;
	*sents = st_map;
	pts = st_map = NULL;
fail:
	sqlite3_finalize(stmt);
	json_decref(labels);
	json_decref(pts);
	json_decref(st_map);
	return st;
}

static enum xnr_status proj_job(void *arg, const struct xnr_ctl *ctl, json_t **result,
                                struct xnr_error *err)
{
	const struct proj_args *a = arg;
	struct sample s = {0};
	sqlite3 *db = NULL;
	json_t *info = NULL, *points = NULL, *sents = NULL;
	double t0 = xnr__now_s(), t1 = 0, t2 = 0;
	float *y = NULL;
	enum xnr_status st;

	if ((st = xnr__db_open(a->db_path, &db, err)) != XNR_OK ||
	    (st = sample_load(db, a->run, (long)a->n, (uint64_t)a->seed, ctl, &s, err)) != XNR_OK)
		goto fail;
	t1 = xnr__now_s();
	if (!(y = malloc((size_t)s.n * 2 * sizeof *y))) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
		goto fail;
	}
	if ((st = project(a, &s, ctl, y, &info, err)) != XNR_OK)
		goto fail;
	t2 = xnr__now_s();
	if ((st = points_json(db, a->run, &s, y, &points, &sents, err)) != XNR_OK)
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
	sqlite3_close(db);
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
	char key[256];
	int64_t n_words = 0;
	enum xnr_status st;
	int d = 0;

	if ((st = proj_parse(xnr__body_or_empty(r), &q, err)) != XNR_OK ||
	    (st = xnr__run_hidden(r->db, r->ids[0], &d, &n_words, err)) != XNR_OK)
		return st;
	q.run = r->ids[0];
	if (q.n >= n_words)
		q.n = 0;
	proj_key(&q, key, sizeof key);
	if (!(a = malloc(sizeof *a)))
		return xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
	*a = q;
	if (!(a->db_path = strdup(r->app->db_path))) {
		free(a);
		return xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
	}
	return xnr__job_answer(r, "projection", key, proj_job, a, proj_free, out, err);
}

static const struct xnr__route routes[] = {
    {"POST", "/api/v1/runs/{id}/projection", api_projection, NULL},
};

const struct xnr__route *xnr__routes_projection(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
