/*
 * svd.c - sklearn's TruncatedSVD(algorithm='randomized') and the randomized
 * SVD under it (sklearn.utils.extmath.randomized_svd, Halko, Martinsson and
 * Tropp 2011, algorithm 4.4), also used by NMF's NNDSVDA init.
 *
 * Bases are kept transposed ([l, n] and [l, d], one basis vector per
 * contiguous row) so products are plain GEMMs and Gram-Schmidt walks rows.
 * The l x d core B = Q^T X is decomposed by one-sided Jacobi in double.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/internal.h"
#include "reduce/reduce.h"
#include "tensor/gemm.h"

/* The range finder: qn [l,n] orthonormal rows spanning (X X^T)^n_iter X G. */
static enum xnr_status range_finder(const float *x, long n, int d, int l, int n_iter, uint64_t seed,
                                    float *qn, float *qd, struct xnr_error *err)
{
	struct xnr__rng rng;
	xnr__rng_init(&rng, seed);
	for (long i = 0; i < (long)l * d; i++)
		qd[i] = (float)xnr__rng_normal(&rng);
	enum xnr_status st;
	for (int it = 0; it < n_iter; it++) {
		/* qn = qd X^T, [l,n] */
		st = xnr_gemm(0, 1, l, (int)n, d, 1.0f, qd, d, x, d, 0.0f, qn, (int)n, err);
		if (st)
			return st;
		xnr__orth_rows(qn, l, n);
		/* qd = qn X, [l,d] */
		st = xnr_gemm(0, 0, l, d, (int)n, 1.0f, qn, (int)n, x, d, 0.0f, qd, d, err);
		if (st)
			return st;
		xnr__orth_rows(qd, l, d);
	}
	st = xnr_gemm(0, 1, l, (int)n, d, 1.0f, qd, d, x, d, 0.0f, qn, (int)n, err);
	if (st)
		return st;
	xnr__orth_rows(qn, l, n);
	return XNR_OK;
}

/* Make the largest-|.| entry (the first on ties, as numpy's argmax) of each of the k
 * rows of ut positive, flipping the matching row of vt (sklearn svd_flip). */
static void svd_flip(float *ut, long n, float *vt, int d, int k)
{
	for (int j = 0; j < k; j++) {
		float *u = ut + (long)j * n, best = 0.0f;
		long at = 0;
		for (long i = 0; i < n; i++)
			if (fabsf(u[i]) > best) {
				best = fabsf(u[i]);
				at = i;
			}
		if (u[at] >= 0)
			continue;
		for (long i = 0; i < n; i++)
			u[i] = -u[i];
		for (int c = 0; c < d; c++)
			vt[(long)j * d + c] = -vt[(long)j * d + c];
	}
}

enum xnr_status xnr__rsvd(const float *x, long n, int d, int k, int n_iter, uint64_t seed,
                          float *ut, double *s, float *vt, struct xnr_error *err)
{
	long mn = n < d ? n : d;
	int l = (int)(k + 10 < mn ? k + 10 : mn);
	/* qn [l,n] | qd [l,d] | uf [l,n] ; b [l,d] | g [l,l] | sv [l] in double */
	float *qn = malloc(sizeof *qn * ((size_t)l * n * 2 + (size_t)l * d + (size_t)l * l));
	double *b = malloc(sizeof *b * ((size_t)l * d + (size_t)l * l + l));
	enum xnr_status st = XNR_ERR_NOMEM;
	if (!qn || !b) {
		xnr_fail(err, st, "reduce: randomized SVD of %ld x %d: out of memory", n, d);
		goto fail;
	}
	float *qd = qn + (size_t)l * n, *uf = qd + (size_t)l * d, *gf = uf + (size_t)l * n;
	double *g = b + (size_t)l * d, *sv = g + (size_t)l * l;
	st = range_finder(x, n, d, l, n_iter, seed, qn, qd, err);
	if (st)
		goto fail;
	/* B = Q^T X, [l,d] */
	st = xnr_gemm(0, 0, l, d, (int)n, 1.0f, qn, (int)n, x, d, 0.0f, qd, d, err);
	if (st)
		goto fail;
	for (long i = 0; i < (long)l * d; i++)
		b[i] = qd[i];
	if (xnr__svd_rows(b, l, d, g, sv)) {
		st = xnr_fail(err, XNR_ERR_INTERNAL, "reduce: Jacobi SVD did not converge");
		goto fail;
	}
	/* U^T = G Q^T: row j of G is U_hat's column j. */
	for (long i = 0; i < (long)l * l; i++)
		gf[i] = (float)g[i];
	st = xnr_gemm(0, 0, k, (int)n, l, 1.0f, gf, l, qn, (int)n, 0.0f, uf, (int)n, err);
	if (st)
		goto fail;
	for (long i = 0; i < (long)k * d; i++)
		vt[i] = (float)b[i];
	svd_flip(uf, n, vt, d, k);
	memcpy(s, sv, sizeof *s * (size_t)k);
	if (ut)
		memcpy(ut, uf, sizeof *ut * (size_t)k * n);
fail:
	free(qn);
	free(b);
	return st;
}

/* Population variances (ddof 0, numpy's var) of the columns of m [n, cols] into var [cols],
 * two row-wise passes (mean, then squares) with mean [cols] as scratch. */
static void col_vars(const float *m, long n, int cols, double *mean, double *var)
{
	memset(mean, 0, sizeof *mean * (size_t)cols);
	memset(var, 0, sizeof *var * (size_t)cols);
	for (long i = 0; i < n; i++)
		for (int c = 0; c < cols; c++)
			mean[c] += m[i * cols + c];
	for (int c = 0; c < cols; c++)
		mean[c] /= (double)n;
	for (long i = 0; i < n; i++)
		for (int c = 0; c < cols; c++) {
			double t = m[i * cols + c] - mean[c];
			var[c] += t * t;
		}
	for (int c = 0; c < cols; c++)
		var[c] /= (double)n;
}

/* sklearn's explained_variance_ratio_: var(y columns) / sum of var(x columns). */
static void tsvd_evr(const float *x, long n, int d, const float *y, int k, double *scratch,
                     double *evr)
{
	double *mean = scratch, *var = scratch + d, total = 0.0;
	col_vars(x, n, d, mean, var);
	for (int c = 0; c < d; c++)
		total += var[c];
	col_vars(y, n, k, mean, var);
	for (int j = 0; j < k; j++)
		evr[j] = total > 0 ? var[j] / total : 0.0;
}

enum xnr_status xnr_tsvd(const float *x, long n, int d, int k, int n_iter, uint64_t seed, float *y,
                         double *evr, struct xnr_error *err)
{
	if (!x || !y)
		return xnr_fail(err, XNR_ERR_INPUT, "xnr_tsvd: %s is NULL", !x ? "x" : "y");
	if (n < 1 || n > INT_MAX || d < 1)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "xnr_tsvd: n = %ld, d = %d (need 1 <= n <= %d and d >= 1)", n, d,
		                INT_MAX);
	if (k < 1 || k > n || k > d)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "xnr_tsvd: k = %d (need 1 <= k <= min(n, d) = %ld)", k,
		                n < d ? n : (long)d);
	if (n_iter < 0 || n_iter > 100)
		return xnr_fail(err, XNR_ERR_INPUT, "xnr_tsvd: n_iter = %d (need 0..100)", n_iter);
	enum xnr_status st = xnr__check_finite(x, n * d, "xnr_tsvd: x", err);
	if (st)
		return st;
	float *vt = malloc(sizeof *vt * (size_t)k * d);
	float *yk = malloc(sizeof *yk * (size_t)n * k);
	double *sk = malloc(sizeof *sk * ((size_t)k + 2 * (size_t)d));
	st = XNR_ERR_NOMEM;
	if (!vt || !yk || !sk) {
		xnr_fail(err, st, "xnr_tsvd: %ld x %d to %d: out of memory", n, d, k);
		goto fail;
	}
	st = xnr__rsvd(x, n, d, k, n_iter, seed, NULL, sk, vt, err);
	if (st)
		goto fail;
	/* sklearn's randomized path returns X V, not U S. */
	st = xnr_gemm(0, 1, (int)n, k, d, 1.0f, x, d, vt, d, 0.0f, yk, k, err);
	if (st)
		goto fail;
	if (evr)
		tsvd_evr(x, n, d, yk, k, sk + k, evr);
	memcpy(y, yk, sizeof *y * (size_t)n * k);
fail:
	free(vt);
	free(yk);
	free(sk);
	return st;
}
