/*
 * knn.c - exact k-nearest neighbours for UMAP (what umap-learn gets from its
 * pairwise-distance path below n = 4096; we keep it exact at every n) and
 * sklearn.manifold.trustworthiness.
 *
 * Euclidean: row tiles of -2 A B^T plus the squared norms, clamped at 0,
 * feed a max-heap of the k - 1 best per row; other metrics compute the tile
 * directly with 8-lane loops the compiler vectorises. The tiles' rows are
 * split over a compute pool; each worker multiplies its own rows with a
 * one-thread GEMM (xnr_gemm_1: no BLAS threads left spinning against the
 * pool), and each row's heap sees the columns in the same order whatever the
 * thread count, so the neighbours do not depend on n_threads.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"
#include "reduce/umap_internal.h"
#include "tensor/gemm.h"

enum { TILE_ROWS = 256, TILE_COLS = 4096 };

struct knn_job {
	const float *x;
	long n;
	int d;
	int k1; /* neighbours kept besides the row itself: k - 1 */
	enum xnr_metric metric;
	float p;
	const float *sqn;       /* [n] squared norms (euclidean) */
	float *tile;            /* [TILE_ROWS, TILE_COLS] -2 a.b (euclidean) */
	int failed;             /* a worker's GEMM failed (set atomically) */
	long r0, r1, c0, c1;    /* the current tile */
	struct xnr__umap_nb *h; /* [TILE_ROWS, k1] heaps of the tile's rows */
	int *h_n;               /* [TILE_ROWS] heap sizes */
	const struct xnr_ctl *ctl;
};

static int nb_less(float da, int ia, float db, int ib)
{
	return da < db || (da == db && ia < ib);
}

/* Offer (dist, j) to the max-heap h of capacity cap holding *hn entries. */
static void heap_offer(struct xnr__umap_nb *h, int *hn, int cap, float dist, int j)
{
	int i = *hn;
	if (i == cap) {
		if (!nb_less(dist, j, h[0].dist, h[0].idx))
			return;
		i = 0;
		for (;;) {
			int c = 2 * i + 1;
			if (c >= cap)
				break;
			if (c + 1 < cap &&
			    nb_less(h[c].dist, h[c].idx, h[c + 1].dist, h[c + 1].idx))
				c++;
			if (!nb_less(dist, j, h[c].dist, h[c].idx))
				break;
			h[i] = h[c];
			i = c;
		}
		h[i] = (struct xnr__umap_nb){dist, j};
		return;
	}
	(*hn)++;
	while (i > 0) {
		int parent = (i - 1) / 2;
		if (!nb_less(h[parent].dist, h[parent].idx, dist, j))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = (struct xnr__umap_nb){dist, j};
}

/* The metric's monotone surrogate used for ranking: the sum of squares,
 * |.| sums, max |.| or sum |.|^p (no root). */
static float tile_dist(const float *a, const float *b, int d, enum xnr_metric metric, float p)
{
	float acc[8] = {0};
	int t = 0;
	if (metric == XNR_METRIC_CHEBYSHEV) {
		/* ?: rather than fmaxf, whose NaN rules keep it from vectorising;
		 * the input is checked finite. */
		for (; t + 8 <= d; t += 8)
			for (int l = 0; l < 8; l++) {
				float v = fabsf(a[t + l] - b[t + l]);
				acc[l] = v > acc[l] ? v : acc[l];
			}
		for (; t < d; t++) {
			float v = fabsf(a[t] - b[t]);
			acc[0] = v > acc[0] ? v : acc[0];
		}
		float m = 0.0f;
		for (int l = 0; l < 8; l++)
			m = acc[l] > m ? acc[l] : m;
		return m;
	}
	if (metric == XNR_METRIC_MINKOWSKI && p != floorf(p)) {
		for (; t < d; t++)
			acc[0] += powf(fabsf(a[t] - b[t]), p);
		return acc[0];
	}
	if (metric == XNR_METRIC_MINKOWSKI) { /* integer p: products, vectorised */
		int ip = (int)p;
		for (; t + 8 <= d; t += 8)
			for (int l = 0; l < 8; l++) {
				float v = fabsf(a[t + l] - b[t + l]), w = v;
				for (int e = 1; e < ip; e++)
					w *= v;
				acc[l] += w;
			}
		for (; t < d; t++) {
			float v = fabsf(a[t] - b[t]), w = v;
			for (int e = 1; e < ip; e++)
				w *= v;
			acc[0] += w;
		}
		return ((acc[0] + acc[1]) + (acc[2] + acc[3])) +
		       ((acc[4] + acc[5]) + (acc[6] + acc[7]));
	}
	for (; t + 8 <= d; t += 8)
		for (int l = 0; l < 8; l++)
			acc[l] += fabsf(a[t + l] - b[t + l]);
	for (; t < d; t++)
		acc[0] += fabsf(a[t] - b[t]);
	return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

double xnr__umap_dist(const float *a, const float *b, int d, enum xnr_metric metric, double p)
{
	double s = 0.0;
	for (int t = 0; t < d; t++) {
		double v = fabs((double)a[t] - (double)b[t]);
		if (metric == XNR_METRIC_EUCLIDEAN)
			s += v * v;
		else if (metric == XNR_METRIC_MANHATTAN)
			s += v;
		else if (metric == XNR_METRIC_CHEBYSHEV)
			s = v > s ? v : s;
		else
			s += pow(v, p);
	}
	if (metric == XNR_METRIC_EUCLIDEAN)
		return sqrt(s);
	if (metric == XNR_METRIC_MINKOWSKI)
		return pow(s, 1.0 / p);
	return s;
}

static void knn_worker(void *ctx, int ith, int nth)
{
	struct knn_job *j = ctx;
	long b, e;
	xnr_split_range(j->r1 - j->r0, ith, nth, &b, &e);
	/* Each worker multiplies its own rows on its own thread (xnr_gemm_1). */
	if (j->metric == XNR_METRIC_EUCLIDEAN && e > b &&
	    xnr_gemm_1(0, 1, (int)(e - b), (int)(j->c1 - j->c0), j->d, -2.0f,
	               j->x + (j->r0 + b) * j->d, j->d, j->x + j->c0 * j->d, j->d, 0.0f,
	               j->tile + b * TILE_COLS, TILE_COLS, NULL) != XNR_OK) {
		__atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
		return;
	}
	for (long r = b; r < e; r++) {
		long i = j->r0 + r;
		struct xnr__umap_nb *h = j->h + r * j->k1;
		if (xnr_ctl_cancelled(j->ctl))
			return;
		for (long c = j->c0; c < j->c1; c++) {
			float dist;
			if (c == i)
				continue;
			if (j->metric == XNR_METRIC_EUCLIDEAN) {
				dist = j->sqn[i] + j->sqn[c] + j->tile[r * TILE_COLS + (c - j->c0)];
				dist = dist > 0.0f ? dist : 0.0f;
			} else {
				dist = tile_dist(j->x + i * j->d, j->x + c * j->d, j->d, j->metric,
				                 j->p);
			}
			heap_offer(h, &j->h_n[r], j->k1, dist, (int)c);
		}
	}
}

static int nb_cmp(const void *pa, const void *pb)
{
	const struct xnr__umap_nb *a = pa, *b = pb;
	if (a->dist != b->dist)
		return a->dist < b->dist ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Exact distances for the tile's kept neighbours, sorted, self first. */
static void knn_finish(const struct knn_job *j, double p, struct xnr__umap_nb *out)
{
	for (long r = 0; r < j->r1 - j->r0; r++) {
		long i = j->r0 + r;
		struct xnr__umap_nb *o = out + i * (j->k1 + 1);
		const struct xnr__umap_nb *h = j->h + r * j->k1;
		o[0] = (struct xnr__umap_nb){0.0f, (int)i};
		for (int t = 0; t < j->k1; t++) {
			const float *b = j->x + (long)h[t].idx * j->d;
			o[t + 1].idx = h[t].idx;
			o[t + 1].dist =
			    (float)xnr__umap_dist(j->x + i * j->d, b, j->d, j->metric, p);
		}
		qsort(o + 1, (size_t)j->k1, sizeof *o, nb_cmp);
	}
}

static enum xnr_status knn_tiles(struct knn_job *j, struct xnr_pool *pool, struct xnr_error *err)
{
	for (j->c0 = 0; j->c0 < j->n; j->c0 = j->c1) {
		j->c1 = j->c0 + TILE_COLS < j->n ? j->c0 + TILE_COLS : j->n;
		if (xnr_ctl_cancelled(j->ctl))
			return xnr_fail(err, XNR_ERR_CANCELLED, "umap: cancelled during the kNN");
		xnr_pool_run(pool, knn_worker, j);
		if (__atomic_load_n(&j->failed, __ATOMIC_RELAXED))
			return xnr_fail(err, XNR_ERR_NOMEM,
			                "umap: the kNN distance product failed "
			                "(out of memory?)");
	}
	if (xnr_ctl_cancelled(j->ctl))
		return xnr_fail(err, XNR_ERR_CANCELLED, "umap: cancelled during the kNN");
	return XNR_OK;
}

enum xnr_status xnr__umap_knn(const float *x, long n, int d, int k, enum xnr_metric metric,
                              double p, int n_threads, const struct xnr_ctl *ctl,
                              struct xnr__umap_nb *out, struct xnr_error *err)
{
	struct knn_job j = {
	    .x = x, .n = n, .d = d, .k1 = k - 1, .metric = metric, .p = (float)p, .ctl = ctl};
	struct xnr_pool *pool = NULL;
	float *sqn = NULL, *tile = NULL;
	enum xnr_status st = XNR_OK;
	if (metric == XNR_METRIC_EUCLIDEAN) {
		sqn = malloc((size_t)n * sizeof *sqn);
		tile = malloc((size_t)TILE_ROWS * TILE_COLS * sizeof *tile);
	}
	j.h = malloc((size_t)TILE_ROWS * (size_t)j.k1 * sizeof *j.h);
	j.h_n = malloc(TILE_ROWS * sizeof *j.h_n);
	if (!j.h || !j.h_n || (metric == XNR_METRIC_EUCLIDEAN && (!sqn || !tile))) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "umap: out of memory for the kNN of %ld rows", n);
		goto fail;
	}
	if (n_threads > 1 && (st = xnr_pool_open(n_threads, &pool, err)) != XNR_OK)
		goto fail;
	for (long i = 0; sqn && i < n; i++) {
		float s = 0.0f;
		for (int t = 0; t < d; t++)
			s += x[i * d + t] * x[i * d + t];
		sqn[i] = s;
	}
	j.sqn = sqn;
	j.tile = tile;
	for (j.r0 = 0; j.r0 < n; j.r0 = j.r1) {
		j.r1 = j.r0 + TILE_ROWS < n ? j.r0 + TILE_ROWS : n;
		memset(j.h_n, 0, TILE_ROWS * sizeof *j.h_n);
		if ((st = knn_tiles(&j, pool, err)) != XNR_OK)
			goto fail;
		knn_finish(&j, p, out);
		xnr_ctl_progress(ctl, (double)j.r1 / (double)n, "neighbours");
	}
fail:
	xnr_pool_close(pool);
	free(sqn);
	free(tile);
	free(j.h);
	free(j.h_n);
	return st;
}

struct tw_item {
	double dist;
	long idx;
};

static int tw_cmp(const void *pa, const void *pb)
{
	const struct tw_item *a = pa, *b = pb;
	if (a->dist != b->dist)
		return a->dist < b->dist ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Every other row of m [n, d] by ascending (euclidean distance to row i, index). */
static void tw_order(const float *m, long n, int d, long i, struct tw_item *items)
{
	long c = 0;
	for (long j = 0; j < n; j++) {
		if (j == i)
			continue;
		items[c].idx = j;
		items[c++].dist =
		    xnr__umap_dist(m + i * d, m + j * d, d, XNR_METRIC_EUCLIDEAN, 2.0);
	}
	qsort(items, (size_t)(n - 1), sizeof *items, tw_cmp);
}

enum xnr_status xnr_trustworthiness(const float *x, long n, int d, const float *y, int dy, int k,
                                    double *out, struct xnr_error *err)
{
	if (!x || !y || !out || d < 1 || dy < 1)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "trustworthiness: missing data or zero dimensions");
	if (k < 1 || (double)k >= (double)n / 2.0)
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "trustworthiness: k = %d needs 1 <= k < n / 2 = %.1f (fewer neighbours)", k,
		    (double)n / 2.0);
	struct tw_item *items = malloc((size_t)(n - 1) * sizeof *items);
	long *rank = malloc((size_t)n * sizeof *rank);
	if (!items || !rank) {
		free(items);
		free(rank);
		return xnr_fail(err, XNR_ERR_NOMEM, "trustworthiness: out of memory for %ld rows",
		                n);
	}
	double t = 0.0;
	for (long i = 0; i < n; i++) {
		tw_order(x, n, d, i, items);
		for (long r = 0; r < n - 1; r++)
			rank[items[r].idx] = r + 1;
		tw_order(y, n, dy, i, items);
		for (int r = 0; r < k; r++)
			t += rank[items[r].idx] > k ? (double)(rank[items[r].idx] - k) : 0.0;
	}
	free(items);
	free(rank);
	*out = 1.0 - t * (2.0 / ((double)n * k * (2.0 * (double)n - 3.0 * k - 1.0)));
	return XNR_OK;
}
