/*
 * neighbours.c - blocked exact cosine kNN (neighbours.h), pruned by a bound.
 *
 * Queries and reference rows are normalised and rotated into the
 * eigenbasis of the queries' second-moment matrix (an orthonormal rotation:
 * dot products do not change). Hidden states crowd into few directions (on
 * a CoNLL-2003 run the first 32 of 256 hold 94% of the energy), so the dot
 * of the first P = 32 coordinates plus |q_rest| |r_rest| (Cauchy-Schwarz)
 * bounds a similarity from above, and a pair whose bound does not beat a
 * query's k-th best so far cannot be a neighbour. The bound is itself one
 * dot product, of rows holding the first P coordinates and the norm of the
 * rest. Each pool worker owns a slice of the queries: per 1024 reference
 * rows it multiplies 128 of its queries at a time in P + 1 dimensions (a
 * one-thread GEMM, xnr_gemm_1: 1/8 of the full product's work) and
 * computes the exact similarity only of the pairs the bound lets through
 * (about 1 in 200 on real hidden states).
 *
 * Exactness: the bound gets a margin (BOUND_EPS) larger than the GEMM's
 * rounding, and every reported similarity is one fixed-order dot product
 * of the rotated vectors, so the result does not depend on the thread
 * count or the block sizes; a row's columns arrive in reference order, so
 * an equal similarity later never displaces a kept one: ties go to the
 * smaller index.
 */
#include "reduce/neighbours.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/pool.h"
#include "reduce/internal.h"
#include "tensor/gemm.h"

enum { QB = 128, RB = 1024, P_MAX = 32, CHUNK = 32 };
#define BOUND_EPS 1e-4f /* over the float error of a P-term dot of unit vectors */

struct xnr_nn {
	float *q;      /* [n_q, d] normalised, rotated */
	float *qa;     /* [n_q, p + 1] the first p coordinates, then the norm of the rest */
	float *q_tail; /* [n_q, n_chunks] norm of the coordinates past each CHUNK */
	long n_q;
	int d, p, k, n_threads, n_chunks;
	float *u;                /* [d, d] the rotation: rows are the basis */
	int32_t *q_group;        /* [n_q] or NULL */
	struct xnr_nn_hit *heap; /* [n_q, k] min-heaps: [0] is the worst kept */
	int *heap_n;             /* [n_q] */
	float *tiles;            /* [n_threads, QB, RB] */
	struct xnr_pool *pool;
	/* the block being added: rotated, as qa, and the normalised rows */
	float *r, *ra, *r_tail, *scratch; /* [cap, d], [cap, p + 1], [cap, n_chunks], [cap, d] */
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

/* The similarity of rotated rows a and b when it can beat thr: 1 and *out,
 * or 0. One fixed-order dot product, given up once the part summed plus the
 * bound of the rest (ta, tb: the rows' norms past each CHUNK) cannot beat
 * thr; the checks do not touch the sum, so a similarity is the same
 * whatever thr was. */
static int similarity(const float *a, const float *b, int d, const float *ta, const float *tb,
                      float thr, float *out)
{
	float acc[8] = {0};
	int t = 0;

	for (int c = 0; t + 8 <= d; c++) {
		int e = (c + 1) * CHUNK < d ? (c + 1) * CHUNK : d;
		for (; t + 8 <= e; t += 8) /* 8 lanes: it vectorises */
			for (int l = 0; l < 8; l++)
				acc[l] += a[t + l] * b[t + l];
		if (e < d) {
			float part = ((acc[0] + acc[1]) + (acc[2] + acc[3])) +
			             ((acc[4] + acc[5]) + (acc[6] + acc[7]));
			if (!(part + ta[c] * tb[c] + BOUND_EPS > thr))
				return 0;
		}
	}
	for (; t < d; t++)
		acc[0] += a[t] * b[t];
	*out = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
	return 1;
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

/* Rows of x [n, d] as [n, p + 1]: their first p coordinates, then the norm
 * of the rest, so that one dot of two such rows is the bound; and the norms
 * past each CHUNK coordinates into tail [n, n_chunks]. */
static void bound_rows(const float *x, long n, int d, int p, int n_chunks, float *out, float *tail)
{
	for (long i = 0; i < n; i++) {
		const float *v = x + i * d;
		double s = 0.0;
		for (int t = d - 1; t >= 0; t--) { /* from the end: every tail on the way */
			if (t % CHUNK == CHUNK - 1 && t / CHUNK < n_chunks)
				tail[i * n_chunks + t / CHUNK] = (float)sqrt(s);
			if (t == p - 1)
				out[i * (p + 1) + p] = (float)sqrt(s);
			s += (double)v[t] * (double)v[t];
		}
		memcpy(out + i * (p + 1), v, (size_t)p * sizeof *out);
	}
}

/* The largest of 16 floats (no NaN here: the inputs are checked finite). */
static float max16(const float *t)
{
#if defined(__SSE2__)
	__m128 a = _mm_max_ps(_mm_loadu_ps(t), _mm_loadu_ps(t + 4));
	__m128 b = _mm_max_ps(_mm_loadu_ps(t + 8), _mm_loadu_ps(t + 12));
	a = _mm_max_ps(a, b);
	a = _mm_max_ps(a, _mm_movehl_ps(a, a));
	a = _mm_max_ss(a, _mm_shuffle_ps(a, a, 1));
	return _mm_cvtss_f32(a);
#else
	float m = t[0];
	for (int l = 1; l < 16; l++)
		m = t[l] > m ? t[l] : m;
	return m;
#endif
}

/* One tile row: the bounds of query qi against columns c0 .. c0 + n - 1. */
static void scan_row(struct xnr_nn *nn, long qi, const float *t, long c0, long n)
{
	struct xnr_nn_hit *h = nn->heap + qi * nn->k;
	int *hn = &nn->heap_n[qi];
	int32_t g = nn->q_group ? nn->q_group[qi] : -1;
	const float *qv = nn->q + qi * nn->d, *qt = nn->q_tail + qi * nn->n_chunks;
	float thr = *hn == nn->k ? h[0].sim : -INFINITY;
	long j = 0, l;

	for (; j < n; j += 16) {
		if (j + 16 <= n && !(max16(t + j) + BOUND_EPS > thr))
			continue;
		for (l = j; l < j + 16 && l < n; l++) {
			float sim;
			if (!(t[l] + BOUND_EPS > thr) ||
			    (g >= 0 && nn->r_group && nn->r_group[c0 + l] == g))
				continue;
			if (!similarity(qv, nn->r + (c0 + l) * nn->d, nn->d, qt,
			                nn->r_tail + (c0 + l) * nn->n_chunks, thr, &sim) ||
			    !(sim > thr))
				continue;
			heap_offer(h, hn, nn->k,
			           (struct xnr_nn_hit){(int32_t)(nn->r_base + c0 + l), sim});
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
			int pa = nn->p + 1;
			if (xnr_gemm_1(0, 1, (int)nq, (int)nc, pa, 1.0f, nn->qa + q0 * pa, pa,
			               nn->ra + c0 * pa, pa, 0.0f, tile, RB, NULL) != XNR_OK) {
				__atomic_store_n(&nn->failed, 1, __ATOMIC_RELAXED);
				return;
			}
			for (long i = 0; i < nq; i++)
				scan_row(nn, q0 + i, tile + i * RB, c0, nc);
		}
	}
}

/* The rotation: the eigenvectors of x^T x (x [n, d], unit rows), largest first. */
static enum xnr_status basis(const float *x, long n, int d, float *u, struct xnr_error *err)
{
	size_t dd = (size_t)d * (size_t)d;
	float *m = malloc(dd * sizeof *m);
	double *a = malloc((dd + (size_t)d * 2) * sizeof *a);
	enum xnr_status st = XNR_OK;

	if (!m || !a) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "neighbours: out of memory");
		goto done;
	}
	if ((st = xnr_gemm(1, 0, d, d, (int)n, 1.0f, x, d, x, d, 0.0f, m, d, err)) != XNR_OK)
		goto done;
	for (size_t i = 0; i < dd; i++)
		a[i] = m[i];
	if (xnr__sym_eig(a, d, a + dd, a + dd + d) != 0) {
		/* not seen in practice; any orthonormal basis is exact, only slower */
		for (size_t i = 0; i < dd; i++)
			a[i] = i % ((size_t)d + 1) == 0;
	}
	for (size_t i = 0; i < dd; i++)
		u[i] = (float)a[i];
done:
	free(m);
	free(a);
	return st;
}

/* Room for n reference rows in the block buffers. */
static int reserve(struct xnr_nn *nn, long n)
{
	float *r, *s, *ra, *tail;

	if (n <= nn->r_cap)
		return 0;
	tail = realloc(nn->r_tail, (size_t)n * (size_t)nn->n_chunks * sizeof *tail);
	if (tail)
		nn->r_tail = tail;
	r = realloc(nn->r, (size_t)n * (size_t)nn->d * sizeof *r);
	if (r)
		nn->r = r;
	s = realloc(nn->scratch, (size_t)n * (size_t)nn->d * sizeof *s);
	if (s)
		nn->scratch = s;
	ra = realloc(nn->ra, (size_t)n * (size_t)(nn->p + 1) * sizeof *ra);
	if (ra)
		nn->ra = ra;
	if (!r || !s || !ra || !tail)
		return -1;
	nn->r_cap = n;
	return 0;
}

/* Normalise rows [n, d] of x into the scratch, rotate them into dst, their
 * bound rows into bnd and their tail norms into tail. */
static enum xnr_status rotate(struct xnr_nn *nn, const float *x, long n, float *dst, float *bnd,
                              float *tail, const char *what, struct xnr_error *err)
{
	if (normalise(x, n, nn->d, nn->scratch) != 0)
		return xnr_fail(err, XNR_ERR_INPUT, "neighbours: a %s vector is not finite", what);
	enum xnr_status st = xnr_gemm(0, 1, (int)n, nn->d, nn->d, 1.0f, nn->scratch, nn->d, nn->u,
	                              nn->d, 0.0f, dst, nn->d, err);
	if (st == XNR_OK)
		bound_rows(dst, n, nn->d, nn->p, nn->n_chunks, bnd, tail);
	return st;
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
	nn->p = d < P_MAX ? d : P_MAX;
	nn->n_chunks = (d + CHUNK - 1) / CHUNK;
	nn->k = k;
	nn->n_threads = n_threads;
	nn->q = malloc((size_t)n_q * (size_t)d * sizeof *nn->q);
	nn->qa = malloc((size_t)n_q * (size_t)(nn->p + 1) * sizeof *nn->qa);
	nn->q_tail = malloc((size_t)n_q * (size_t)nn->n_chunks * sizeof *nn->q_tail);
	nn->u = malloc((size_t)d * (size_t)d * sizeof *nn->u);
	nn->heap = malloc((size_t)n_q * (size_t)k * sizeof *nn->heap);
	nn->heap_n = calloc((size_t)n_q, sizeof *nn->heap_n);
	nn->tiles = malloc((size_t)n_threads * QB * RB * sizeof *nn->tiles);
	if (group && (nn->q_group = malloc((size_t)n_q * sizeof *nn->q_group)))
		memcpy(nn->q_group, group, (size_t)n_q * sizeof *nn->q_group);
	if (!nn->q || !nn->qa || !nn->q_tail || !nn->u || !nn->heap || !nn->heap_n || !nn->tiles ||
	    (group && !nn->q_group) ||
	    !(nn->scratch = malloc((size_t)n_q * (size_t)d * sizeof(float)))) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "neighbours: out of memory for %ld queries", n_q);
		goto fail;
	}
	if (normalise(q, n_q, d, nn->scratch) != 0) {
		st = xnr_fail(err, XNR_ERR_INPUT, "neighbours: a query vector is not finite");
		goto fail;
	}
	if ((st = basis(nn->scratch, n_q, d, nn->u, err)) != XNR_OK ||
	    (st = rotate(nn, q, n_q, nn->q, nn->qa, nn->q_tail, "query", err)) != XNR_OK)
		goto fail;
	free(nn->scratch); /* the blocks get their own (reserve) */
	nn->scratch = NULL;
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
	enum xnr_status st;

	if (n_r < 0 || (n_r && !r))
		return xnr_fail(err, XNR_ERR_INPUT, "neighbours: %ld reference rows", n_r);
	if (nn->r_base + n_r > INT32_MAX)
		return xnr_fail(err, XNR_ERR_LIMIT,
		                "neighbours: more than 2^31 - 1 reference rows");
	if (n_r == 0)
		return XNR_OK;
	if (reserve(nn, n_r) != 0)
		return xnr_fail(err, XNR_ERR_NOMEM,
		                "neighbours: out of memory for %ld reference rows", n_r);
	if ((st = rotate(nn, r, n_r, nn->r, nn->ra, nn->r_tail, "reference", err)) != XNR_OK)
		return st;
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
	free(nn->qa);
	free(nn->q_tail);
	free(nn->u);
	free(nn->q_group);
	free(nn->heap);
	free(nn->heap_n);
	free(nn->tiles);
	free(nn->r);
	free(nn->ra);
	free(nn->r_tail);
	free(nn->scratch);
	free(nn);
}
