/*
 * test_reduce_umap.c - UMAP (reduce/umap.h): umap-learn's a/b fit, one layout
 * per seed whatever the thread count, cancel, parameter errors, every metric,
 * separated blobs stay separated, a disconnected graph's multi-component
 * init (through umap_internal.h) and layout, trustworthiness against hand-computed
 * values, and UMAP keeps neighbourhoods better than PCA on a Swiss roll in
 * 50-D and (with XNR_UMAP_REAL set by tests/cli/test_reduce_umap_real.sh) on
 * the demo model's hidden states of real sentences.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/umap.h"
#include "reduce/umap_internal.h"
#include "testutil.h"

/* splitmix64-based test data generator. */
static uint64_t g_state;

static double unit(void)
{
	uint64_t z = (g_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2.0 * log(1.0 - unit())) * cos(6.283185307179586 * unit());
}

/* n points in d dims around n_c centres at distance ~sep; labels[i] = centre. */
static float *blobs(long n, int d, int n_c, double sep, int *labels)
{
	float *x = malloc((size_t)n * d * sizeof *x), *c = malloc((size_t)n_c * d * sizeof *c);
	assert_non_null(x);
	assert_non_null(c);
	for (long i = 0; i < (long)n_c * d; i++)
		c[i] = (float)(sep * normal());
	for (long i = 0; i < n; i++) {
		labels[i] = (int)(i % n_c);
		for (int t = 0; t < d; t++)
			x[i * d + t] = c[labels[i] * d + t] + (float)normal();
	}
	free(c);
	return x;
}

/* A noisy Swiss roll (t in [1.5 pi, 4.5 pi]) randomly rotated into d dims. */
static float *swiss_roll(long n, int d)
{
	float *x = calloc((size_t)n * d, sizeof *x);
	double *r = malloc(3 * (size_t)d * sizeof *r);
	assert_non_null(x);
	assert_non_null(r);
	for (int i = 0; i < 3 * d; i++)
		r[i] = normal() / sqrt(d);
	for (long i = 0; i < n; i++) {
		double t = 1.5 * M_PI * (1.0 + 2.0 * unit()), p[3];
		p[0] = t * cos(t) + 0.05 * normal();
		p[1] = 21.0 * unit() + 0.05 * normal();
		p[2] = t * sin(t) + 0.05 * normal();
		for (int t2 = 0; t2 < d; t2++)
			x[i * d + t2] =
			    (float)(p[0] * r[t2] + p[1] * r[d + t2] + p[2] * r[2 * d + t2]);
	}
	free(r);
	return x;
}

/* The test's own 2-D PCA: power iteration with deflation on the covariance. */
static void pca2(const float *x, long n, int d, float *y)
{
	double *mean = calloc((size_t)d, sizeof *mean), *cov = calloc((size_t)d * d, sizeof *cov);
	double *v = malloc(2 * (size_t)d * sizeof *v), *w = malloc((size_t)d * sizeof *w);
	assert_true(mean && cov && v && w);
	for (long i = 0; i < n; i++)
		for (int a = 0; a < d; a++)
			mean[a] += x[i * d + a] / (double)n;
	for (long i = 0; i < n; i++)
		for (int a = 0; a < d; a++)
			for (int b = 0; b < d; b++)
				cov[a * d + b] +=
				    (x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b]);
	for (int c = 0; c < 2; c++) {
		double *vc = v + c * d;
		for (int a = 0; a < d; a++)
			vc[a] = 1.0 + 0.01 * a;
		for (int it = 0; it < 500; it++) {
			double nrm = 0.0;
			for (int a = 0; a < d; a++) {
				w[a] = 0.0;
				for (int b = 0; b < d; b++)
					w[a] += cov[a * d + b] * vc[b];
			}
			for (int p = 0; p < c; p++) {
				double dp = 0.0;
				for (int a = 0; a < d; a++)
					dp += w[a] * v[p * d + a];
				for (int a = 0; a < d; a++)
					w[a] -= dp * v[p * d + a];
			}
			for (int a = 0; a < d; a++)
				nrm += w[a] * w[a];
			for (int a = 0; a < d; a++)
				vc[a] = w[a] / sqrt(nrm);
		}
	}
	for (long i = 0; i < n; i++)
		for (int c = 0; c < 2; c++) {
			double s = 0.0;
			for (int a = 0; a < d; a++)
				s += (x[i * d + a] - mean[a]) * v[c * d + a];
			y[2 * i + c] = (float)s;
		}
	free(mean);
	free(cov);
	free(v);
	free(w);
}

static void test_ab(void **state)
{
	(void)state;
	double a, b;
	assert_int_equal(xnr_umap_find_ab(0.1, 1.0, &a, &b, NULL), XNR_OK);
	printf("a = %.12f (umap-learn 1.576943460405), b = %.12f (0.895060878123)\n", a, b);
	assert_true(fabs(a - 1.576943460405378) < 1e-5);
	assert_true(fabs(b - 0.8950608781227859) < 1e-5);
	assert_int_equal(xnr_umap_find_ab(0.5, 1.0, &a, &b, NULL), XNR_OK);
	assert_true(a > 0.0 && b > 0.0);
	assert_int_equal(xnr_umap_find_ab(2.0, 1.0, &a, &b, NULL), XNR_ERR_INPUT);
}

static void test_determinism(void **state)
{
	(void)state;
	long n = 600;
	int d = 16, *lab = malloc((size_t)n * sizeof *lab);
	g_state = 1;
	float *x = blobs(n, d, 3, 2.0, lab);
	float *y1 = malloc((size_t)n * 2 * sizeof *y1), *y2 = malloc((size_t)n * 2 * sizeof *y2);
	float *y3 = malloc((size_t)n * 2 * sizeof *y3);
	struct xnr_umap_params p = xnr_umap_default_params();
	p.seed = 7;
	p.n_epochs = 100;
	assert_int_equal(xnr_umap(x, n, d, &p, NULL, y1, NULL), XNR_OK);
	assert_int_equal(xnr_umap(x, n, d, &p, NULL, y2, NULL), XNR_OK);
	assert_memory_equal(y1, y2, (size_t)n * 2 * sizeof *y1);
	p.n_threads = 3;
	assert_int_equal(xnr_umap(x, n, d, &p, NULL, y3, NULL), XNR_OK);
	assert_memory_equal(y1, y3, (size_t)n * 2 * sizeof *y1);
	p.seed = 8;
	assert_int_equal(xnr_umap(x, n, d, &p, NULL, y3, NULL), XNR_OK);
	assert_memory_not_equal(y1, y3, (size_t)n * 2 * sizeof *y1);
	free(x);
	free(lab);
	free(y1);
	free(y2);
	free(y3);
}

static int g_cancel;

static void cancel_at_epochs(void *ud, double done, const char *stage)
{
	(void)ud;
	if (strcmp(stage, "epochs") == 0 && done > 0.1)
		__atomic_store_n(&g_cancel, 1, __ATOMIC_RELAXED);
}

static void test_cancel(void **state)
{
	(void)state;
	long n = 300;
	int d = 8, lab[300];
	g_state = 2;
	float *x = blobs(n, d, 2, 3.0, lab), y[600], before[600];
	struct xnr_error err = {0};
	struct xnr_ctl ctl = {.cancel = &g_cancel};
	memset(y, 0, sizeof y);
	memcpy(before, y, sizeof y);
	g_cancel = 1;
	assert_int_equal(xnr_umap(x, n, d, NULL, &ctl, y, &err), XNR_ERR_CANCELLED);
	assert_memory_equal(y, before, sizeof y);
	g_cancel = 0;
	ctl.progress = cancel_at_epochs;
	assert_int_equal(xnr_umap(x, n, d, NULL, &ctl, y, &err), XNR_ERR_CANCELLED);
	printf("%s\n", err.msg);
	assert_non_null(strstr(err.msg, "epoch"));
	assert_memory_equal(y, before, sizeof y);
	free(x);
}

static void expect_input_error(const float *x, long n, int d, struct xnr_umap_params p,
                               const char *needle)
{
	struct xnr_error err = {0};
	float y[64];
	assert_int_equal(xnr_umap(x, n, d, &p, NULL, y, &err), XNR_ERR_INPUT);
	if (!strstr(err.msg, needle))
		fail_msg("'%s' does not mention '%s'", err.msg, needle);
}

static void test_bad_params(void **state)
{
	(void)state;
	float x[32];
	for (int i = 0; i < 32; i++)
		x[i] = (float)i;
	struct xnr_umap_params p = xnr_umap_default_params(), q;
	q = p, q.n_neighbors = 1;
	expect_input_error(x, 8, 4, q, "n_neighbors");
	q = p, q.n_neighbors = 201;
	expect_input_error(x, 8, 4, q, "n_neighbors");
	q = p, q.min_dist = 1.5;
	expect_input_error(x, 8, 4, q, "min_dist");
	q = p, q.spread = 0.0;
	expect_input_error(x, 8, 4, q, "spread");
	q = p, q.metric = (enum xnr_metric)17;
	expect_input_error(x, 8, 4, q, "metric");
	q = p, q.metric = XNR_METRIC_MINKOWSKI, q.minkowski_p = 0.5;
	expect_input_error(x, 8, 4, q, "minkowski_p");
	q = p, q.n_epochs = -1;
	expect_input_error(x, 8, 4, q, "n_epochs");
	q = p, q.n_threads = 0;
	expect_input_error(x, 8, 4, q, "n_threads");
	expect_input_error(x, 1, 4, p, "n >= 2");
	expect_input_error(x, 8, 0, p, "d >= 1");
	x[13] = NAN;
	expect_input_error(x, 8, 4, p, "row 3 column 1");
	x[13] = INFINITY;
	expect_input_error(x, 8, 4, p, "not finite");
	assert_int_equal(xnr_umap(NULL, 8, 4, &p, NULL, x, NULL), XNR_ERR_INPUT);
}

static void test_small_and_metrics(void **state)
{
	(void)state;
	long n = 200;
	int d = 12, lab[200];
	g_state = 3;
	float *x = blobs(n, d, 2, 4.0, lab), y[400];
	struct xnr_umap_params p = xnr_umap_default_params();
	p.n_epochs = 50;
	for (int m = 0; m < XNR_METRIC_COUNT; m++) {
		p.metric = (enum xnr_metric)m;
		p.minkowski_p = 3.0;
		assert_int_equal(xnr_umap(x, n, d, &p, NULL, y, NULL), XNR_OK);
		for (int i = 0; i < 400; i++)
			assert_true(isfinite(y[i]));
	}
	p = xnr_umap_default_params();
	for (long small = 2; small <= 5; small++) { /* n <= n_neighbors: k clamped */
		assert_int_equal(xnr_umap(x, small, d, &p, NULL, y, NULL), XNR_OK);
		for (int i = 0; i < 2 * small; i++)
			assert_true(isfinite(y[i]));
	}
	float same[40] = {0}; /* all rows identical: every distance 0 */
	assert_int_equal(xnr_umap(same, 10, 4, &p, NULL, y, NULL), XNR_OK);
	for (int i = 0; i < 20; i++)
		assert_true(isfinite(y[i]));
	free(x);
}

/* Fraction of points whose k nearest embedded neighbours share their label. */
static double knn_purity(const float *y, long n, const int *lab, int k)
{
	long good = 0;
	double *dist = malloc((size_t)n * sizeof *dist);
	for (long i = 0; i < n; i++) {
		for (long j = 0; j < n; j++) {
			double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
			dist[j] = j == i ? INFINITY : dx * dx + dy * dy;
		}
		for (int t = 0; t < k; t++) {
			long best = 0;
			for (long j = 1; j < n; j++)
				best = dist[j] < dist[best] ? j : best;
			good += lab[best] == lab[i];
			dist[best] = INFINITY;
		}
	}
	free(dist);
	return (double)good / ((double)n * k);
}

static void test_blobs_separated(void **state)
{
	(void)state;
	long n = 800;
	int d = 20, *lab = malloc((size_t)n * sizeof *lab);
	g_state = 4;
	float *x = blobs(n, d, 4, 3.0, lab), *y = malloc((size_t)n * 2 * sizeof *y);
	assert_int_equal(xnr_umap(x, n, d, NULL, NULL, y, NULL), XNR_OK);
	double purity = knn_purity(y, n, lab, 10);
	printf("blobs: 10-NN label purity in the embedding %.4f\n", purity);
	assert_true(purity > 0.99);
	free(x);
	free(y);
	free(lab);
}

/* Paths of sz[c] vertices each (numbered consecutively), neighbours joined
 * with weight 1 in both directions, CSR order: one component per path. */
static void path_graph(struct xnr__umap_graph *g, const int *sz, int nc)
{
	long n = 0, e = 0;
	for (int c = 0; c < nc; c++)
		n += sz[c];
	g->n = n;
	g->head = malloc(2 * (size_t)n * sizeof *g->head);
	g->tail = malloc(2 * (size_t)n * sizeof *g->tail);
	g->w = malloc(2 * (size_t)n * sizeof *g->w);
	g->start = malloc(((size_t)n + 1) * sizeof *g->start);
	assert_true(g->head && g->tail && g->w && g->start);
	for (long v = 0, first = 0, c = 0; v < n; v++) {
		if (v == first + sz[c]) {
			first = v;
			c++;
		}
		g->start[v] = e;
		for (long u = v - 1; u <= v + 1; u += 2)
			if (u != v && u >= first && u < first + sz[c]) {
				g->head[e] = (int)v;
				g->tail[e] = (int)u;
				g->w[e++] = 1.0f;
			}
	}
	g->start[n] = e;
	g->n_edges = e;
}

/* multi_component_layout: 3 components sit at umap-learn's fixed meta
 * positions (1, 0), (0, 1), (-1, 0), each within half the distance to the
 * nearest other one (sqrt(2) / 2); the 10-vertex paths get their spectral
 * layout scaled to exactly that, the 3-vertex one is uniform inside it. */
static void test_multi_component_fixed(void **state)
{
	(void)state;
	static const int sz[3] = {10, 10, 3};
	static const double meta[3][2] = {{1, 0}, {0, 1}, {-1, 0}};
	struct xnr__umap_graph g = {0};
	struct xnr__umap_rng rng;
	float y[46], y2[46];
	float x[23] = {0};
	path_graph(&g, sz, 3);
	xnr__umap_rng_seed(&rng, 1);
	assert_int_equal(xnr__umap_init(&g, x, 1, XNR_METRIC_EUCLIDEAN, 2.0, &rng, NULL, y), 0);
	double range = sqrt(2.0) / 2.0;
	for (int c = 0, v = 0; c < 3; c++) {
		double dev = 0.0;
		for (int t = 0; t < sz[c]; t++, v++)
			for (int k = 0; k < 2; k++)
				dev = fmax(dev, fabs(y[2 * v + k] - meta[c][k]));
		printf("component %d: max |y - meta| %.6f (range %.6f)\n", c, dev, range);
		assert_true(dev <= range + 1e-6);
		if (sz[c] >= 4)
			assert_true(fabs(dev - range) < 1e-6);
	}
	xnr__umap_rng_seed(&rng, 1);
	assert_int_equal(xnr__umap_init(&g, x, 1, XNR_METRIC_EUCLIDEAN, 2.0, &rng, NULL, y2), 0);
	assert_memory_equal(y, y2, sizeof y);
	xnr__umap_graph_free(&g);
}

/* More than 4 components: the meta positions are the spectral embedding of
 * the component centroids. Six paths whose centroids lie on a line, in order:
 * the first init coordinate of the components (a path's Fiedler vector is
 * antisymmetric, so its mean is its meta position) follows the line. */
static void test_multi_component_centroids(void **state)
{
	(void)state;
	enum { NC = 6, SZ = 10, N = NC * SZ, D = 3 };
	int sz[NC];
	float x[N * D], y[2 * N];
	struct xnr__umap_graph g = {0};
	struct xnr__umap_rng rng;
	for (int c = 0; c < NC; c++)
		sz[c] = SZ;
	for (int v = 0; v < N; v++) { /* component v / SZ around (5 c, 0, 0), order shuffled */
		x[v * D] = (float)(5 * (v / SZ) + 0.1 * (v % 3));
		x[v * D + 1] = (float)(v % SZ) * 0.01f;
		x[v * D + 2] = 0.0f;
	}
	path_graph(&g, sz, NC);
	xnr__umap_rng_seed(&rng, 1);
	assert_int_equal(xnr__umap_init(&g, x, D, XNR_METRIC_EUCLIDEAN, 2.0, &rng, NULL, y), 0);
	double mean[NC];
	for (int c = 0; c < NC; c++) {
		mean[c] = 0.0;
		for (int t = 0; t < SZ; t++)
			mean[c] += y[2 * (c * SZ + t)] / SZ;
		printf("component %d: mean first coordinate %.4f\n", c, mean[c]);
	}
	int up = 1, down = 1;
	for (int c = 1; c < NC; c++) {
		up &= mean[c] > mean[c - 1] + 0.05;
		down &= mean[c] < mean[c - 1] - 0.05;
	}
	assert_true(up || down);
	xnr__umap_graph_free(&g);
}

/* Three blobs far apart with n_neighbors 5 give a disconnected graph: the
 * layout keeps them apart (no point's embedded neighbours from another blob,
 * bounding boxes disjoint) and one seed still gives one layout. */
static void test_disconnected_blobs(void **state)
{
	(void)state;
	long n = 300;
	int d = 10, *lab = malloc((size_t)n * sizeof *lab);
	g_state = 11;
	float *x = blobs(n, d, 3, 40.0, lab);
	float *y1 = malloc((size_t)n * 2 * sizeof *y1), *y2 = malloc((size_t)n * 2 * sizeof *y2);
	struct xnr_umap_params p = xnr_umap_default_params();
	p.n_neighbors = 5;
	assert_int_equal(xnr_umap(x, n, d, &p, NULL, y1, NULL), XNR_OK);
	assert_int_equal(xnr_umap(x, n, d, &p, NULL, y2, NULL), XNR_OK);
	assert_memory_equal(y1, y2, (size_t)n * 2 * sizeof *y1);
	double purity = knn_purity(y1, n, lab, 10);
	float box[3][4];
	for (int c = 0; c < 3; c++)
		box[c][0] = box[c][1] = INFINITY, box[c][2] = box[c][3] = -INFINITY;
	for (long i = 0; i < n; i++)
		for (int k = 0; k < 2; k++) {
			box[lab[i]][k] = fminf(box[lab[i]][k], y1[2 * i + k]);
			box[lab[i]][k + 2] = fmaxf(box[lab[i]][k + 2], y1[2 * i + k]);
		}
	printf("disconnected blobs: 10-NN purity %.4f\n", purity);
	assert_true(purity == 1.0);
	for (int c = 0; c < 3; c++)
		for (int o = c + 1; o < 3; o++)
			assert_true(box[c][2] < box[o][0] || box[o][2] < box[c][0] ||
			            box[c][3] < box[o][1] || box[o][3] < box[c][1]);
	free(x);
	free(lab);
	free(y1);
	free(y2);
}

/* How many of the 6 blobs have a line neighbour (label +- 1) as the nearest
 * other blob centre in the embedding y [n, 2]. */
static int line_neighbours_kept(const float *y, long n, const int *lab)
{
	enum { NB = 6 };
	double cy[NB][2] = {{0}}, cnt[NB] = {0};
	for (long i = 0; i < n; i++) {
		cnt[lab[i]]++;
		cy[lab[i]][0] += y[2 * i];
		cy[lab[i]][1] += y[2 * i + 1];
	}
	int kept = 0;
	for (int a = 0; a < NB; a++) {
		int best = -1;
		double bd = INFINITY;
		for (int b = 0; b < NB; b++) {
			double dx = cy[a][0] / cnt[a] - cy[b][0] / cnt[b];
			double dy = cy[a][1] / cnt[a] - cy[b][1] / cnt[b];
			if (b != a && dx * dx + dy * dy < bd) {
				bd = dx * dx + dy * dy;
				best = b;
			}
		}
		kept += abs(best - a) == 1;
	}
	return kept;
}

/* Six blobs far apart along a line (n_neighbors 5: six or more components):
 * the centroid meta layout keeps their order, so the nearest other blob of
 * every blob in the embedding is one of its neighbours on the line (a random
 * init, the previous behaviour, gets 1 of 6 here). */
static void test_disconnected_line(void **state)
{
	(void)state;
	long n = 600;
	int d = 8, *lab = malloc((size_t)n * sizeof *lab);
	float *x = malloc((size_t)n * d * sizeof *x), *y = malloc((size_t)n * 2 * sizeof *y);
	g_state = 12;
	for (long i = 0; i < n; i++) {
		lab[i] = (int)(i % 6);
		for (int t = 0; t < d; t++)
			x[i * d + t] = (float)normal() + (t == 0 ? 30.0f * (float)lab[i] : 0.0f);
	}
	struct xnr_umap_params p = xnr_umap_default_params();
	p.n_neighbors = 5;
	assert_int_equal(xnr_umap(x, n, d, &p, NULL, y, NULL), XNR_OK);
	int kept = line_neighbours_kept(y, n, lab);
	printf("blobs on a line: %d of 6 have a line neighbour as nearest blob\n", kept);
	assert_int_equal(kept, 6);
	free(x);
	free(lab);
	free(y);
}

static void test_trustworthiness(void **state)
{
	(void)state;
	float line[6] = {0, 1, 2, 3, 4, 5}, rev[6] = {5, 4, 3, 2, 1, 0};
	float mixed[6] = {0, 3, 1, 4, 2, 5};
	double t;
	struct xnr_error err = {0};
	assert_int_equal(xnr_trustworthiness(line, 6, 1, rev, 1, 2, &t, NULL), XNR_OK);
	assert_true(fabs(t - 1.0) < 1e-12);
	/* sklearn.manifold.trustworthiness([[0],..,[5]], [[0],[3],[1],[4],[2],[5]], n_neighbors=2)
	 * = 0.4666666666666667 (sklearn 1.2.1) */
	assert_int_equal(xnr_trustworthiness(line, 6, 1, mixed, 1, 2, &t, NULL), XNR_OK);
	printf("trustworthiness of the shuffled line: %.6f\n", t);
	assert_true(fabs(t - 0.4666666666666667) < 1e-12);
	assert_int_equal(xnr_trustworthiness(line, 6, 1, rev, 1, 3, &t, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "n / 2"));
	assert_int_equal(xnr_trustworthiness(line, 6, 1, rev, 1, 0, &t, NULL), XNR_ERR_INPUT);
}

/* UMAP's trustworthiness@10 on x is at least min_umap and beats PCA's by margin. */
static void umap_beats_pca(const char *what, const float *x, long n, int d, double min_umap,
                           double margin)
{
	float *yu = malloc((size_t)n * 2 * sizeof *yu), *yp = malloc((size_t)n * 2 * sizeof *yp);
	double tu, tp;
	assert_int_equal(xnr_umap(x, n, d, NULL, NULL, yu, NULL), XNR_OK);
	pca2(x, n, d, yp);
	assert_int_equal(xnr_trustworthiness(x, n, d, yu, 2, 10, &tu, NULL), XNR_OK);
	assert_int_equal(xnr_trustworthiness(x, n, d, yp, 2, 10, &tp, NULL), XNR_OK);
	printf("%s (n %ld, d %d): trustworthiness@10 UMAP %.4f (at least %.3f), PCA %.4f "
	       "(UMAP ahead by at least %.3f)\n",
	       what, n, d, tu, min_umap, tp, margin);
	assert_true(tu >= min_umap);
	assert_true(tu > tp + margin);
	free(yu);
	free(yp);
}

static void test_swiss_roll(void **state)
{
	(void)state;
	g_state = 5;
	float *x = swiss_roll(1500, 50);
	umap_beats_pca("Swiss roll in 50-D", x, 1500, 50, 0.0, 0.005);
	free(x);
}

/* Run alone when XNR_UMAP_REAL=FILE (raw little-endian f32 rows) is set, with
 * XNR_UMAP_REAL_DIM=D and the thresholds XNR_UMAP_REAL_MIN (UMAP's
 * trustworthiness@10) and XNR_UMAP_REAL_MARGIN (over PCA's), all set by
 * tests/cli/test_reduce_umap_real.sh from an `explainer run`. */
static void test_real_hidden_states(void **state)
{
	(void)state;
	const char *path = getenv("XNR_UMAP_REAL"), *dim = getenv("XNR_UMAP_REAL_DIM");
	const char *min = getenv("XNR_UMAP_REAL_MIN"), *margin = getenv("XNR_UMAP_REAL_MARGIN");
	if (!path || !dim || !min || !margin)
		fail_msg("XNR_UMAP_REAL, XNR_UMAP_REAL_DIM, XNR_UMAP_REAL_MIN and "
		         "XNR_UMAP_REAL_MARGIN go together");
	int d = atoi(dim);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_true(d > 0 && fseek(f, 0, SEEK_END) == 0);
	long n = ftell(f) / (4L * d);
	assert_true(n > 100 && fseek(f, 0, SEEK_SET) == 0);
	float *x = malloc((size_t)n * d * sizeof *x);
	assert_int_equal(fread(x, sizeof *x, (size_t)n * d, f), (size_t)n * d);
	fclose(f);
	umap_beats_pca("hidden states", x, n, d, atof(min), atof(margin));
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ab),
	    cmocka_unit_test(test_determinism),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_bad_params),
	    cmocka_unit_test(test_small_and_metrics),
	    cmocka_unit_test(test_blobs_separated),
	    cmocka_unit_test(test_multi_component_fixed),
	    cmocka_unit_test(test_multi_component_centroids),
	    cmocka_unit_test(test_disconnected_blobs),
	    cmocka_unit_test(test_disconnected_line),
	    cmocka_unit_test(test_trustworthiness),
	    cmocka_unit_test(test_swiss_roll),
	};
	const struct CMUnitTest real[] = {
	    cmocka_unit_test(test_real_hidden_states),
	};
	if (getenv("XNR_UMAP_REAL"))
		return cmocka_run_group_tests_name("real hidden states", real, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
