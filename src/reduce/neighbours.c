/*
 * neighbours.c - blocked exact cosine kNN (neighbours.h). Each pool worker
 * owns a slice of the queries and a tile: for every 1024 columns of the
 * reference block, it multiplies 128 of its queries at a time against them
 * with a one-thread GEMM (xnr_gemm_1: no BLAS threads against the pool) and
 * scans the tile into the queries' min-heaps, skipping 16 columns at a time
 * when none beats a heap's worst. A row's columns arrive in reference order,
 * so an equal similarity later in the scan never displaces a kept one: ties
 * go to the smaller index whatever the thread count or block size.
 */
#include "reduce/neighbours.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"
#include "tensor/gemm.h"

enum { QB = 128, RB = 1024 };

struct xnr_nn {
	float *q; /* [n_q, d] normalised */
	long n_q;
	int d, k, n_threads;
	int32_t *q_group;        /* [n_q] or NULL */
	struct xnr_nn_hit *heap; /* [n_q, k] min-heaps: [0] is the worst kept */
	int *heap_n;             /* [n_q] */
	float *tiles;            /* [n_threads, QB, RB] */
	struct xnr_pool *pool;
	/* the block being added */
	float *r; /* [cap, d] normalised */
	long r_cap, n_r;
	const int32_t *r_group;
	int64_t r_base;
	const struct xnr_ctl *ctl;
	int failed;
	struct xnr_nn_hit sorted[256]; /* xnr_nn_get's answer */
};

/* Is a a worse neighbour than b? */
static int worse(struct xnr_nn_hit a, struct xnr_nn_hit b)
{
	return a.sim < b.sim || (a.sim == b.sim && a.idx > b.idx);
}

static void heap_offer(struct xnr_nn_hit *h, int *hn, int k, struct xnr_nn_hit x)
{
	int i = *hn;

	if (i == k) { /* replace the worst and sift it down */
		i = 0;
		for (;;) {
			int c = 2 * i + 1;
			if (c >= k)
				break;
			if (c + 1 < k && worse(h[c + 1], h[c]))
				c++;
			if (!worse(h[c], x))
				break;
			h[i] = h[c];
			i = c;
		}
		h[i] = x;
		return;
	}
	(*hn)++;
	while (i > 0 && worse(x, h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = x;
}

/* Copy rows [n, d] normalised (norms in double) into dst; 0 when finite. */
static int normalise(const float *src, long n, int d, float *dst)
{
	for (long i = 0; i < n; i++) {
		double s = 0.0;
		for (int t = 0; t < d; t++)
			s += (double)src[i * d + t] * (double)src[i * d + t];
		if (!isfinite(s))
			return -1;
		float inv = s > 0.0 ? (float)(1.0 / sqrt(s)) : 0.0f;
		for (int t = 0; t < d; t++)
			dst[i * d + t] = src[i * d + t] * inv;
	}
	return 0;
}

/* One tile row (similarities of query qi to columns c0 .. c0 + n - 1 of the block). */
static void scan_row(struct xnr_nn *nn, long qi, const float *t, long c0, long n)
{
	struct xnr_nn_hit *h = nn->heap + qi * nn->k;
	int *hn = &nn->heap_n[qi];
	int32_t g = nn->q_group ? nn->q_group[qi] : -1;
	float thr = *hn == nn->k ? h[0].sim : -INFINITY;
	long j = 0;

	for (; j < n; j += 16) {
		long e = j + 16 < n ? j + 16 : n;
		float m = -INFINITY;
		for (long l = j; l < e; l++) /* ?: not fmaxf: it vectorises */
			m = t[l] > m ? t[l] : m;
		if (!(m > thr))
			continue;
		for (long l = j; l < e; l++) {
			if (!(t[l] > thr) || (g >= 0 && nn->r_group && nn->r_group[c0 + l] == g))
				continue;
			heap_offer(h, hn, nn->k,
			           (struct xnr_nn_hit){(int32_t)(nn->r_base + c0 + l), t[l]});
			thr = *hn == nn->k ? h[0].sim : -INFINITY;
		}
	}
}

static void worker(void *ctx, int ith, int nth)
{
	struct xnr_nn *nn = ctx;
	float *tile = nn->tiles + (size_t)ith * QB * RB;
	long b, e;

	xnr_split_range(nn->n_q, ith, nth, &b, &e);
	for (long c0 = 0; c0 < nn->n_r; c0 += RB) {
		long nc = nn->n_r - c0 < RB ? nn->n_r - c0 : RB;
		for (long q0 = b; q0 < e; q0 += QB) {
			long nq = e - q0 < QB ? e - q0 : QB;
			if (xnr_ctl_cancelled(nn->ctl) ||
			    __atomic_load_n(&nn->failed, __ATOMIC_RELAXED))
				return;
			if (xnr_gemm_1(0, 1, (int)nq, (int)nc, nn->d, 1.0f, nn->q + q0 * nn->d,
			               nn->d, nn->r + c0 * nn->d, nn->d, 0.0f, tile, RB,
			               NULL) != XNR_OK) {
				__atomic_store_n(&nn->failed, 1, __ATOMIC_RELAXED);
				return;
			}
			for (long i = 0; i < nq; i++)
				scan_row(nn, q0 + i, tile + i * RB, c0, nc);
		}
	}
}

enum xnr_status xnr_nn_open(const float *q, long n_q, int d, const int32_t *group, int k,
                            int n_threads, struct xnr_nn **out, struct xnr_error *err)
{
	struct xnr_nn *nn;
	enum xnr_status st;

	if (!q || n_q < 1 || n_q > INT32_MAX || d < 1 || d > 65536 || k < 1 || k > 256 ||
	    n_threads < 1 || n_threads > 256)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "neighbours: %ld queries of %d dimensions, k = %d, %d threads (k "
		                "1..256, threads 1..256)",
		                n_q, d, k, n_threads);
	if (!(nn = calloc(1, sizeof *nn)))
		return xnr_fail(err, XNR_ERR_NOMEM, "neighbours: out of memory");
	nn->n_q = n_q;
	nn->d = d;
	nn->k = k;
	nn->n_threads = n_threads;
	nn->q = malloc((size_t)n_q * (size_t)d * sizeof *nn->q);
	nn->heap = malloc((size_t)n_q * (size_t)k * sizeof *nn->heap);
	nn->heap_n = calloc((size_t)n_q, sizeof *nn->heap_n);
	nn->tiles = malloc((size_t)n_threads * QB * RB * sizeof *nn->tiles);
	if (group && (nn->q_group = malloc((size_t)n_q * sizeof *nn->q_group)))
		memcpy(nn->q_group, group, (size_t)n_q * sizeof *nn->q_group);
	if (!nn->q || !nn->heap || !nn->heap_n || !nn->tiles || (group && !nn->q_group)) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "neighbours: out of memory for %ld queries", n_q);
		goto fail;
	}
	if (normalise(q, n_q, d, nn->q) != 0) {
		st = xnr_fail(err, XNR_ERR_INPUT, "neighbours: a query vector is not finite");
		goto fail;
	}
	if (n_threads > 1 && (st = xnr_pool_open(n_threads, &nn->pool, err)) != XNR_OK)
		goto fail;
	*out = nn;
	return XNR_OK;
fail:
	xnr_nn_close(nn);
	return st;
}

enum xnr_status xnr_nn_add(struct xnr_nn *nn, const float *r, long n_r, const int32_t *group,
                           const struct xnr_ctl *ctl, struct xnr_error *err)
{
	if (n_r < 0 || (n_r && !r))
		return xnr_fail(err, XNR_ERR_INPUT, "neighbours: %ld reference rows", n_r);
	if (nn->r_base + n_r > INT32_MAX)
		return xnr_fail(err, XNR_ERR_LIMIT,
		                "neighbours: more than 2^31 - 1 reference rows");
	if (n_r > nn->r_cap) {
		float *g = realloc(nn->r, (size_t)n_r * (size_t)nn->d * sizeof *g);
		if (!g)
			return xnr_fail(err, XNR_ERR_NOMEM,
			                "neighbours: out of memory for %ld reference rows", n_r);
		nn->r = g;
		nn->r_cap = n_r;
	}
	if (normalise(r, n_r, nn->d, nn->r) != 0)
		return xnr_fail(err, XNR_ERR_INPUT, "neighbours: a reference vector is not finite");
	nn->n_r = n_r;
	nn->r_group = group;
	nn->ctl = ctl;
	xnr_pool_run(nn->pool, worker, nn);
	nn->r_base += n_r;
	nn->r_group = NULL;
	if (__atomic_load_n(&nn->failed, __ATOMIC_RELAXED))
		return xnr_fail(err, XNR_ERR_INTERNAL, "neighbours: the similarity product failed");
	if (xnr_ctl_cancelled(ctl))
		return xnr_fail(err, XNR_ERR_CANCELLED, "neighbours: cancelled");
	return XNR_OK;
}

static int hit_cmp(const void *pa, const void *pb)
{
	const struct xnr_nn_hit *a = pa, *b = pb;
	return worse(*b, *a) ? -1 : worse(*a, *b) ? 1 : 0;
}

const struct xnr_nn_hit *xnr_nn_get(struct xnr_nn *nn, long i, int *n)
{
	*n = nn->heap_n[i];
	memcpy(nn->sorted, nn->heap + i * nn->k, (size_t)*n * sizeof *nn->sorted);
	qsort(nn->sorted, (size_t)*n, sizeof *nn->sorted, hit_cmp);
	return nn->sorted;
}

void xnr_nn_close(struct xnr_nn *nn)
{
	if (!nn)
		return;
	xnr_pool_close(nn->pool);
	free(nn->q);
	free(nn->q_group);
	free(nn->heap);
	free(nn->heap_n);
	free(nn->tiles);
	free(nn->r);
	free(nn);
}
