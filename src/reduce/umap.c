/*
 * umap.c - UMAP's fuzzy simplicial set and the driver (umap-learn 0.5,
 * umap/umap_.py: fuzzy_simplicial_set, smooth_knn_dist,
 * compute_membership_strengths, find_ab_params, simplicial_set_embedding).
 *
 * x -> exact kNN (knn.c) -> per-point rho / sigma -> memberships -> fuzzy
 * union W = A + A^T - A o A^T -> edges below max(W) / n_epochs dropped ->
 * spectral init, per component when the graph is disconnected
 * (umap_layout.c) -> noisy scale to |y| <= 10 -> min-max to [0, 10] -> SGD
 * epochs (umap_layout.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/umap_internal.h"

#define SMOOTH_K_TOLERANCE 1e-5
#define MIN_K_DIST_SCALE   1e-3

enum { MAX_NEIGHBORS = 200, MAX_EPOCHS = 10000, MAX_THREADS = 256 };

struct xnr_umap_params xnr_umap_default_params(void)
{
	return (struct xnr_umap_params){.n_neighbors = 15,
	                                .min_dist = 0.1,
	                                .spread = 1.0,
	                                .metric = XNR_METRIC_EUCLIDEAN,
	                                .minkowski_p = 2.0,
	                                .n_epochs = 0,
	                                .seed = 42,
	                                .n_threads = 1};
}

/* Sum of squared residuals of 1 / (1 + a x^2b) against the target curve;
 * with jtj / jtr non-NULL also the Gauss-Newton normal equations. */
static double ab_residuals(double a, double b, const double *xv, const double *yv, int m,
                           double jtj[3], double jtr[2])
{
	double sse = 0.0;
	if (jtj) {
		memset(jtj, 0, 3 * sizeof *jtj);
		memset(jtr, 0, 2 * sizeof *jtr);
	}
	for (int i = 0; i < m; i++) {
		double u = xv[i] > 0.0 ? pow(xv[i], 2.0 * b) : 0.0;
		double f = 1.0 / (1.0 + a * u);
		double r = f - yv[i];
		sse += r * r;
		if (!jtj)
			continue;
		double ja = -u * f * f;
		double jb = xv[i] > 0.0 ? -a * u * 2.0 * log(xv[i]) * f * f : 0.0;
		jtj[0] += ja * ja;
		jtj[1] += ja * jb;
		jtj[2] += jb * jb;
		jtr[0] += ja * r;
		jtr[1] += jb * r;
	}
	return sse;
}

enum xnr_status xnr_umap_find_ab(double min_dist, double spread, double *a, double *b,
                                 struct xnr_error *err)
{
	if (!(spread > 0.0) || !isfinite(spread) || !(min_dist >= 0.0) || min_dist > spread)
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "umap: spread %g and min_dist %g: need spread > 0 and 0 <= min_dist "
		    "<= spread",
		    spread, min_dist);
	enum { M = 300 };
	double xv[M], yv[M], jtj[3], jtr[2], pa = 1.0, pb = 1.0, lambda = 1e-3;
	for (int i = 0; i < M; i++) {
		xv[i] = 3.0 * spread * i / (M - 1);
		yv[i] = xv[i] < min_dist ? 1.0 : exp(-(xv[i] - min_dist) / spread);
	}
	/* Levenberg-Marquardt from (1, 1) like scipy's curve_fit. */
	double sse = ab_residuals(pa, pb, xv, yv, M, jtj, jtr);
	for (int it = 0; it < 500 && lambda < 1e12; it++) {
		double h0 = jtj[0] * (1.0 + lambda), h2 = jtj[2] * (1.0 + lambda);
		double det = h0 * h2 - jtj[1] * jtj[1];
		double da = -(h2 * jtr[0] - jtj[1] * jtr[1]) / det;
		double db = -(h0 * jtr[1] - jtj[1] * jtr[0]) / det;
		double next = ab_residuals(pa + da, pb + db, xv, yv, M, NULL, NULL);
		if (!(next < sse)) {
			lambda *= 10.0;
			continue;
		}
		pa += da;
		pb += db;
		lambda = lambda > 1e-12 ? lambda / 10.0 : lambda;
		int done = sse - next < 1e-15 * sse && fabs(da) < 1e-12 && fabs(db) < 1e-12;
		sse = ab_residuals(pa, pb, xv, yv, M, jtj, jtr);
		if (done)
			break;
	}
	*a = pa;
	*b = pb;
	return XNR_OK;
}

static enum xnr_status check_params(const float *x, long n, int d, const struct xnr_umap_params *p,
                                    const float *y, struct xnr_error *err)
{
	if (!x || !y)
		return xnr_fail(err, XNR_ERR_INPUT, "umap: missing input or output matrix");
	if (n < 2 || d < 1)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "umap: %ld rows of %d values: need n >= 2, d >= 1", n, d);
	if (n > 100000000L || (double)n * d > 4e9)
		return xnr_fail(err, XNR_ERR_LIMIT,
		                "umap: %ld x %d is too large (n <= 1e8, n*d <= 4e9)", n, d);
	if (p->n_neighbors < 2 || p->n_neighbors > MAX_NEIGHBORS)
		return xnr_fail(err, XNR_ERR_INPUT, "umap: n_neighbors %d is outside 2..%d",
		                p->n_neighbors, MAX_NEIGHBORS);
	if ((unsigned)p->metric >= XNR_METRIC_COUNT)
		return xnr_fail(err, XNR_ERR_INPUT, "umap: unknown metric %d", (int)p->metric);
	if (p->metric == XNR_METRIC_MINKOWSKI &&
	    !(p->minkowski_p >= 1.0 && p->minkowski_p <= 100.0))
		return xnr_fail(err, XNR_ERR_INPUT, "umap: minkowski_p %g is outside [1, 100]",
		                p->minkowski_p);
	if (p->n_epochs < 0 || p->n_epochs > MAX_EPOCHS)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "umap: n_epochs %d is outside 0..%d (0: default)", p->n_epochs,
		                MAX_EPOCHS);
	if (p->n_threads < 1 || p->n_threads > MAX_THREADS)
		return xnr_fail(err, XNR_ERR_INPUT, "umap: n_threads %d is outside 1..%d",
		                p->n_threads, MAX_THREADS);
	for (long i = 0; i < n * d; i++)
		if (!isfinite(x[i]))
			return xnr_fail(
			    err, XNR_ERR_INPUT,
			    "umap: row %ld column %ld is not finite (drop or fix that row)", i / d,
			    i % d);
	return XNR_OK;
}

/* smooth_knn_dist for one row: rho = first non-zero distance, sigma from a
 * binary search for sum_j exp(-max(0, d_j - rho) / sigma) = log2(k). */
static void smooth_row(const struct xnr__umap_nb *nb, int k, double mean_all, double *rho_out,
                       double *sigma_out)
{
	double target = log2((double)k), lo = 0.0, hi = INFINITY, mid = 1.0, rho = 0.0, mean = 0.0;
	for (int j = 0; j < k; j++) {
		if (nb[j].dist > 0.0f && rho == 0.0)
			rho = nb[j].dist;
		mean += nb[j].dist;
	}
	mean /= k;
	for (int it = 0; it < 64; it++) {
		double psum = 0.0;
		for (int j = 1; j < k; j++) {
			double dd = nb[j].dist - rho;
			psum += dd > 0.0 ? exp(-(dd / mid)) : 1.0;
		}
		if (fabs(psum - target) < SMOOTH_K_TOLERANCE)
			break;
		if (psum > target) {
			hi = mid;
			mid = (lo + hi) / 2.0;
		} else {
			lo = mid;
			mid = isinf(hi) ? mid * 2.0 : (lo + hi) / 2.0;
		}
	}
	double floor_at = MIN_K_DIST_SCALE * (rho > 0.0 ? mean : mean_all);
	*rho_out = rho;
	*sigma_out = mid < floor_at ? floor_at : mid;
}

struct coo {
	int col;
	float w;
	int dir; /* 0: i -> col from i's kNN, 1: the transpose of col -> i */
};

static int coo_cmp(const void *pa, const void *pb)
{
	const struct coo *a = pa, *b = pb;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->dir - b->dir;
}

/* Each row's entries e[g->start[i] .. g->start[i+1]) (an entry of A and of
 * A^T per column at most) merged into W = A + A^T - A o A^T, zeros dropped,
 * and g's CSR arrays filled. */
static void union_rows(struct coo *e, long n, struct xnr__umap_graph *g)
{
	long out = 0;
	for (long i = 0; i < n; i++) {
		long b = g->start[i], end = g->start[i + 1];
		qsort(e + b, (size_t)(end - b), sizeof *e, coo_cmp);
		g->start[i] = out;
		for (long t = b; t < end; t++) {
			double s = e[t].w;
			if (t + 1 < end && e[t + 1].col == e[t].col) {
				s = s + e[t + 1].w - s * e[t + 1].w;
				t++;
			}
			if (s > 0.0) {
				g->head[out] = (int)i;
				g->tail[out] = e[t].col;
				g->w[out++] = (float)s;
			}
		}
	}
	g->start[n] = out;
	g->n_edges = out;
}

/* Memberships A from the kNN, then W = A + A^T - A o A^T in CSR order. */
static enum xnr_status fuzzy_union(const struct xnr__umap_nb *nb, long n, int k,
                                   struct xnr__umap_graph *g, struct xnr_error *err)
{
	long m = 2 * n * (long)k; /* each kNN entry and its transpose */
	long *cnt = calloc((size_t)n + 1, sizeof *cnt);
	struct coo *e = malloc((size_t)m * sizeof *e);
	double mean_all = 0.0;
	g->n = n;
	g->head = malloc((size_t)m * sizeof *g->head);
	g->tail = malloc((size_t)m * sizeof *g->tail);
	g->w = malloc((size_t)m * sizeof *g->w);
	g->start = calloc((size_t)n + 1, sizeof *g->start);
	if (!cnt || !e || !g->head || !g->tail || !g->w || !g->start) {
		free(cnt);
		free(e);
		return xnr_fail(err, XNR_ERR_NOMEM, "umap: out of memory for the graph of %ld rows",
		                n);
	}
	for (long t = 0; t < n * k; t++)
		mean_all += nb[t].dist;
	mean_all /= (double)(n * k);
	for (long i = 0; i < n; i++)
		for (int j = 0; j < k; j++) {
			cnt[i + 1]++;
			cnt[nb[i * k + j].idx + 1]++;
		}
	for (long i = 0; i < n; i++)
		cnt[i + 1] += cnt[i];
	memcpy(g->start, cnt, ((size_t)n + 1) * sizeof *cnt);
	for (long i = 0; i < n; i++) {
		double rho, sigma;
		smooth_row(nb + i * k, k, mean_all, &rho, &sigma);
		for (int j = 0; j < k; j++) {
			int c = nb[i * k + j].idx;
			double dd = nb[i * k + j].dist - rho;
			float w = c == i                        ? 0.0f
			          : (dd <= 0.0 || sigma == 0.0) ? 1.0f
			                                        : (float)exp(-dd / sigma);
			e[cnt[i]++] = (struct coo){c, w, 0};
			e[cnt[c]++] = (struct coo){(int)i, w, 1};
		}
	}
	union_rows(e, n, g);
	free(cnt);
	free(e);
	return XNR_OK;
}

/* Drop edges with w < max(w) / n_epochs, in place. */
static void filter_edges(struct xnr__umap_graph *g, int n_epochs)
{
	float wmax = 0.0f;
	long out = 0, row = 0;
	for (long t = 0; t < g->n_edges; t++)
		wmax = g->w[t] > wmax ? g->w[t] : wmax;
	float cut = wmax / (float)n_epochs;
	for (long t = 0; t < g->n_edges; t++) {
		while (row < g->n && g->start[row + 1] <= t)
			g->start[++row] = out;
		if (g->w[t] < cut)
			continue;
		g->head[out] = g->head[t];
		g->tail[out] = g->tail[t];
		g->w[out++] = g->w[t];
	}
	while (row < g->n)
		g->start[++row] = out;
	g->n_edges = out;
}

void xnr__umap_graph_free(struct xnr__umap_graph *g)
{
	if (!g)
		return;
	free(g->head);
	free(g->tail);
	free(g->w);
	free(g->start);
	memset(g, 0, sizeof *g);
}

/* Gaussian N(0, 1) by Box-Muller from the run's generator. */
static double rng_normal(struct xnr__umap_rng *r)
{
	double u = xnr__umap_rng_unit(r), v = xnr__umap_rng_unit(r);
	return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

/* Spectral init (multi_component_layout for a disconnected graph; uniform
 * [-10, 10] when it cannot be had), noisy_scale_coords (max |y| = 10 plus
 * N(0, 1e-4) noise), then every column min-max to [0, 10]. */
static int initial_layout(const struct xnr__umap_graph *g, const float *x, int d,
                          enum xnr_metric metric, double p, struct xnr__umap_rng *rng,
                          const struct xnr_ctl *ctl, float *y)
{
	long n = g->n;
	int r = xnr__umap_init(g, x, d, metric, p, rng, ctl, y);
	if (r < 0)
		return -1;
	if (r > 0)
		for (long i = 0; i < 2 * n; i++)
			y[i] = (float)(-10.0 + 20.0 * xnr__umap_rng_unit(rng));
	float amax = 0.0f;
	for (long i = 0; i < 2 * n; i++)
		amax = fabsf(y[i]) > amax ? fabsf(y[i]) : amax;
	float expansion = amax > 0.0f ? 10.0f / amax : 1.0f;
	for (long i = 0; i < 2 * n; i++)
		y[i] = y[i] * expansion + (float)(1e-4 * rng_normal(rng));
	for (int c = 0; c < 2; c++) {
		float lo = y[c], hi = y[c];
		for (long i = 0; i < n; i++) {
			lo = y[2 * i + c] < lo ? y[2 * i + c] : lo;
			hi = y[2 * i + c] > hi ? y[2 * i + c] : hi;
		}
		for (long i = 0; i < n; i++)
			y[2 * i + c] = hi > lo ? 10.0f * (y[2 * i + c] - lo) / (hi - lo) : 5.0f;
	}
	return 0;
}

enum xnr_status xnr_umap(const float *x, long n, int d, const struct xnr_umap_params *p,
                         const struct xnr_ctl *ctl, float *y, struct xnr_error *err)
{
	struct xnr_umap_params def = xnr_umap_default_params();
	struct xnr__umap_graph g = {0};
	struct xnr__umap_nb *nb = NULL;
	float *emb = NULL;
	double a, b;
	p = p ? p : &def;
	enum xnr_status st = check_params(x, n, d, p, y, err);
	if (st != XNR_OK || (st = xnr_umap_find_ab(p->min_dist, p->spread, &a, &b, err)) != XNR_OK)
		return st;
	int k = p->n_neighbors < n ? p->n_neighbors : (int)n;
	int n_epochs = p->n_epochs ? p->n_epochs : n <= 10000 ? 500 : 200;
	nb = malloc((size_t)n * (size_t)k * sizeof *nb);
	emb = malloc((size_t)n * 2 * sizeof *emb);
	if (!nb || !emb) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "umap: out of memory for %ld rows", n);
		goto fail;
	}
	/* Minkowski with p = 1 or 2 is Manhattan or Euclidean: take their fast paths. */
	enum xnr_metric metric = p->metric;
	if (metric == XNR_METRIC_MINKOWSKI && (p->minkowski_p == 1.0 || p->minkowski_p == 2.0))
		metric = p->minkowski_p == 1.0 ? XNR_METRIC_MANHATTAN : XNR_METRIC_EUCLIDEAN;
	st = xnr__umap_knn(x, n, d, k, metric, p->minkowski_p, p->n_threads, ctl, nb, err);
	if (st != XNR_OK || (st = fuzzy_union(nb, n, k, &g, err)) != XNR_OK)
		goto fail;
	xnr_ctl_progress(ctl, 1.0, "graph");
	/* umap-learn filters by the default epoch count when asked for <= 10. */
	filter_edges(&g, n_epochs > 10 ? n_epochs : n <= 10000 ? 500 : 200);
	struct xnr__umap_rng rng;
	xnr__umap_rng_seed(&rng, p->seed);
	if (initial_layout(&g, x, d, metric, p->minkowski_p, &rng, ctl, emb) < 0) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "umap: out of memory for the spectral init");
		goto fail;
	}
	if (xnr_ctl_cancelled(ctl)) {
		st = xnr_fail(err, XNR_ERR_CANCELLED, "umap: cancelled after the init");
		goto fail;
	}
	if ((st = xnr__umap_sgd(&g, a, b, n_epochs, &rng, ctl, emb, err)) != XNR_OK)
		goto fail;
	memcpy(y, emb, (size_t)n * 2 * sizeof *y);
fail:
	xnr__umap_graph_free(&g);
	free(nb);
	free(emb);
	return st;
}
