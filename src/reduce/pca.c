/*
 * pca.c - exact PCA as sklearn PCA(svd_solver='full').fit_transform gives it
 * (sklearn/decomposition/_pca.py: centre, SVD, svd_flip on U, y = U S,
 * explained_variance_ = S^2 / (n - 1)).
 *
 * Instead of an SVD of the n x d centred matrix we take the eigenvectors of
 * the smaller of the two Gram matrices: Xc^T Xc (d x d, when d <= n; this is
 * sklearn >= 1.5's 'covariance_eigh' route) or Xc Xc^T (n x n). Each is built
 * from f32 GEMMs over tiles of rows (or columns) summed into a double
 * matrix, then decomposed in double (linalg.c). Same singular vectors, same
 * signs, to ~1e-6 relative for well separated values.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/internal.h"
#include "reduce/reduce.h"
#include "tensor/gemm.h"

/* The O(min(n,d)^3) eigensolver and the min(n,d)^2 doubles it needs make larger
 * problems impractical here; TruncatedSVD handles them. */
#define PCA_MAX_SIDE 4096
/* Columns per Gram tile (d > n route). */
#define PCA_TILE 1024
/* Floats per row tile (d <= n route): few, large GEMM calls, because each call costs
 * milliseconds of OpenMP start-up when the cores are busy; 32 MB. */
#define PCA_TILE_FLOATS (1L << 23)

static void col_means(const float *x, long n, int d, double *mean)
{
	memset(mean, 0, sizeof *mean * (size_t)d);
	for (long i = 0; i < n; i++)
		for (int c = 0; c < d; c++)
			mean[c] += x[i * d + c];
	for (int c = 0; c < d; c++)
		mean[c] /= (double)n;
}

/* rows [r0, r0+t) of x minus the mean into xt [t,d]. */
static void centre_rows(const float *x, int d, long r0, long t, const double *mean, float *xt)
{
	for (long i = 0; i < t; i++)
		for (int c = 0; c < d; c++)
			xt[i * d + c] = (float)(x[(r0 + i) * d + c] - mean[c]);
}

/* svd_flip on the columns of y [n,k] (U S has U's signs), mirrored on comp rows. */
static void flip_columns(float *y, long n, int k, float *comp, int d)
{
	for (int j = 0; j < k; j++) {
		float best = 0.0f;
		long at = 0;
		for (long i = 0; i < n; i++)
			if (fabsf(y[i * k + j]) > best) {
				best = fabsf(y[i * k + j]);
				at = i;
			}
		if (y[at * k + j] >= 0)
			continue;
		for (long i = 0; i < n; i++)
			y[i * k + j] = -y[i * k + j];
		for (int c = 0; c < d; c++)
			comp[(long)j * d + c] = -comp[(long)j * d + c];
	}
}

/* The k leading eigenvectors of the symmetric a [n,n] into its first rows, every eigenvalue into
 * lam (descending); work: n doubles. */
static enum xnr_status top_eig(double *a, int n, int k, double *lam, double *work,
                               struct xnr_error *err)
{
	int r = xnr__sym_eig_top(a, n, k, lam, work);
	if (r == -2)
		return xnr_fail(err, XNR_ERR_NOMEM,
		                "xnr_pca: eigenvectors of %d x %d: out of memory", n, n);
	if (r)
		return xnr_fail(err, XNR_ERR_INTERNAL, "xnr_pca: eigensolver did not converge");
	return XNR_OK;
}

/* d <= n: eigenvectors of Xc^T Xc are the components; y = Xc comp^T. comp [k,d] out;
 * lam [d] out (eigenvalues, descending). */
static enum xnr_status pca_cov(const float *x, long n, int d, int k, const double *mean, float *y,
                               float *comp, double *lam, struct xnr_error *err)
{
	long tile = PCA_TILE_FLOATS / d < PCA_TILE ? PCA_TILE : PCA_TILE_FLOATS / d;
	tile = n < tile ? n : tile;
	float *xt = malloc(sizeof *xt * ((size_t)tile * d + (size_t)d * d));
	double *cov = calloc((size_t)d * d + d, sizeof *cov);
	enum xnr_status st = XNR_ERR_NOMEM;
	if (!xt || !cov) {
		xnr_fail(err, st, "xnr_pca: covariance of %d features: out of memory", d);
		goto fail;
	}
	float *ct = xt + (size_t)tile * d;
	for (long r0 = 0; r0 < n; r0 += tile) {
		long t = n - r0 < tile ? n - r0 : tile;
		centre_rows(x, d, r0, t, mean, xt);
		st = xnr_gemm(1, 0, d, d, (int)t, 1.0f, xt, d, xt, d, 0.0f, ct, d, err);
		if (st)
			goto fail;
		for (long i = 0; i < (long)d * d; i++)
			cov[i] += ct[i];
	}
	if ((st = top_eig(cov, d, k, lam, cov + (size_t)d * d, err)) != XNR_OK)
		goto fail;
	for (long i = 0; i < (long)k * d; i++)
		comp[i] = (float)cov[i];
	for (long r0 = 0; r0 < n; r0 += tile) {
		long t = n - r0 < tile ? n - r0 : tile;
		centre_rows(x, d, r0, t, mean, xt);
		st = xnr_gemm(0, 1, (int)t, k, d, 1.0f, xt, d, comp, d, 0.0f, y + r0 * k, k, err);
		if (st)
			goto fail;
	}
fail:
	free(xt);
	free(cov);
	return st;
}

/* comp [k,d] = diag(1/s) U^T Xc from the eigenvectors ug [k,n] of the Gram matrix;
 * zero rows where s is rounding noise. */
static enum xnr_status gram_components(const float *xc, long n, int d, int k, const double *ug,
                                       const double *lam, float *uf, float *comp,
                                       struct xnr_error *err)
{
	for (long i = 0; i < (long)k * n; i++)
		uf[i] = (float)ug[i];
	enum xnr_status st =
	    xnr_gemm(0, 0, k, d, (int)n, 1.0f, uf, (int)n, xc, d, 0.0f, comp, d, err);
	if (st)
		return st;
	for (int j = 0; j < k; j++) {
		/* Below 1e-12 of the largest eigenvalue (1e-6 in singular value) the direction is
		 * f32 noise: the variance there is zero, not a component. */
		double s = lam[j] > 1e-12 * lam[0] && lam[j] > 0 ? sqrt(lam[j]) : 0.0;
		for (int c = 0; c < d; c++)
			comp[(long)j * d + c] = s > 0 ? (float)(comp[(long)j * d + c] / s) : 0.0f;
	}
	return XNR_OK;
}

/* d > n: eigenvectors of Xc Xc^T are U's columns; y = U S, comp = S^-1 U^T Xc. */
static enum xnr_status pca_gram(const float *x, long n, int d, int k, const double *mean, float *y,
                                float *comp, double *lam, struct xnr_error *err)
{
	float *xc = malloc(sizeof *xc * ((size_t)n * d + (size_t)n * n));
	double *g = calloc((size_t)n * n + n, sizeof *g);
	enum xnr_status st = XNR_ERR_NOMEM;
	if (!xc || !g) {
		xnr_fail(err, st, "xnr_pca: Gram matrix of %ld rows: out of memory", n);
		goto fail;
	}
	float *gt = xc + (size_t)n * d;
	centre_rows(x, d, 0, n, mean, xc);
	for (int c0 = 0; c0 < d; c0 += PCA_TILE) {
		int t = d - c0 < PCA_TILE ? d - c0 : PCA_TILE;
		st = xnr_gemm(0, 1, (int)n, (int)n, t, 1.0f, xc + c0, d, xc + c0, d, 0.0f, gt,
		              (int)n, err);
		if (st)
			goto fail;
		for (long i = 0; i < n * n; i++)
			g[i] += gt[i];
	}
	if ((st = top_eig(g, (int)n, k, lam, g + (size_t)n * n, err)) != XNR_OK)
		goto fail;
	for (long i = 0; i < n; i++)
		for (int j = 0; j < k; j++)
			y[i * k + j] = (float)(g[(long)j * n + i] * sqrt(fmax(lam[j], 0.0)));
	st = gram_components(xc, n, d, k, g, lam, gt, comp, err);
fail:
	free(xc);
	free(g);
	return st;
}

static enum xnr_status pca_check(const float *x, long n, int d, int k, const float *y,
                                 struct xnr_error *err)
{
	if (!x || !y)
		return xnr_fail(err, XNR_ERR_INPUT, "xnr_pca: %s is NULL", !x ? "x" : "y");
	if (n < 2 || n > INT_MAX || d < 1)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "xnr_pca: n = %ld, d = %d (need 2 <= n <= %d and d >= 1)", n, d,
		                INT_MAX);
	if (k < 1 || k > n || k > d)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "xnr_pca: k = %d (need 1 <= k <= min(n, d) = %ld)", k,
		                n < d ? n : (long)d);
	if (n > PCA_MAX_SIDE && d > PCA_MAX_SIDE)
		return xnr_fail(err, XNR_ERR_LIMIT,
		                "xnr_pca: min(n, d) = %ld is above %d (use xnr_tsvd for this size)",
		                n < d ? n : (long)d, PCA_MAX_SIDE);
	return xnr__check_finite(x, n * d, "xnr_pca: x", err);
}

enum xnr_status xnr_pca(const float *x, long n, int d, int k, float *y, float *components,
                        double *evr, struct xnr_error *err)
{
	enum xnr_status st = pca_check(x, n, d, k, y, err);
	if (st)
		return st;
	long side = d <= n ? d : n;
	double *mean = malloc(sizeof *mean * ((size_t)d + (size_t)side));
	float *yk = malloc(sizeof *yk * (size_t)n * k);
	float *comp = malloc(sizeof *comp * (size_t)k * d);
	st = XNR_ERR_NOMEM;
	if (!mean || !yk || !comp) {
		xnr_fail(err, st, "xnr_pca: %ld x %d: out of memory", n, d);
		goto fail;
	}
	double *lam = mean + d;
	col_means(x, n, d, mean);
	st = d <= n ? pca_cov(x, n, d, k, mean, yk, comp, lam, err)
	            : pca_gram(x, n, d, k, mean, yk, comp, lam, err);
	if (st)
		goto fail;
	flip_columns(yk, n, k, comp, d);
	if (evr) {
		/* sum of all eigenvalues = trace = total variance; rounding can leave the
		 * zero ones slightly negative. */
		double total = 0.0;
		for (long j = 0; j < side; j++)
			total += fmax(lam[j], 0.0);
		for (int j = 0; j < k; j++)
			evr[j] = total > 0 ? fmax(lam[j], 0.0) / total : 0.0;
	}
	memcpy(y, yk, sizeof *y * (size_t)n * k);
	if (components)
		memcpy(components, comp, sizeof *comp * (size_t)k * d);
fail:
	free(mean);
	free(yk);
	free(comp);
	return st;
}
