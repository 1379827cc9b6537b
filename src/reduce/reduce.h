/*
 * reduce.h - exact dimensionality reduction and similarity search behind the
 * web app's Hidden States (PCA, TruncatedSVD), Activations (ecco's NMF of a
 * positions x neurons activation matrix) and Find Duplicates pages.
 *
 * Mirrors scikit-learn 1.2: PCA(svd_solver='full') + svd_flip, TruncatedSVD
 * (algorithm='randomized'), NMF(solver='cd', beta_loss='frobenius'); the
 * duplicate search is ExplaiNER's find_duplicates.py (cosine >= cutoff), done
 * in row tiles instead of an N x N matrix. UMAP lives in reduce/umap.h, the
 * lexical near-duplicate search (word n-gram Jaccard, MinHash LSH, clusters,
 * label conflicts) in reduce/dups.h.
 *
 * All matrices are row-major; inputs are borrowed, outputs caller-allocated
 * unless stated. On failure outputs are unspecified-but-untouched where
 * possible and err says which parameter is wrong. Every function is thread
 * safe (no global state) but runs its products on the BLAS threads
 * (tensor/gemm.h): do not call from inside an xnr_pool_run worker.
 */
#ifndef XNR_REDUCE_REDUCE_H
#define XNR_REDUCE_REDUCE_H

#include <stdint.h>

#include "core/ctl.h"
#include "core/status.h"

/* PCA of x [n,d] (row-major f32) to k components: centre by the column mean, y [n,k] = the
 * projection (sklearn PCA.fit_transform: U*S, i.e. (x-mean) * components^T), components [k,d]
 * (may be NULL), evr [k] explained variance ratio (may be NULL). Sign: sklearn svd_flip
 * (largest-|.| entry of each U column positive). Exact: covariance (d x d, in double) + symmetric
 * eigendecomposition, or another exact route. n >= 2, 1 <= k <= min(n, d). Thread safe.
 * Route: d <= n uses the d x d covariance, d > n the n x n Gram matrix (both accumulated in
 * double from f32 tiles), so min(n, d) <= 4096. Components of zero-variance directions
 * (k > rank) are not unique (nor are sklearn's); their y columns are 0.
 * Errors: XNR_ERR_INPUT (NULL x/y, n, d or k out of range, a NaN/Inf in x), XNR_ERR_LIMIT
 * (min(n, d) > 4096: use xnr_tsvd), XNR_ERR_NOMEM, XNR_ERR_INTERNAL (eigensolver did not
 * converge; not seen in practice). */
XNR_MUST_CHECK enum xnr_status xnr_pca(const float *x, long n, int d, int k, float *y,
                                       float *components, double *evr, struct xnr_error *err);

/* sklearn TruncatedSVD(k, algorithm='randomized', n_iter, n_oversamples=10,
 * power_iteration_normalizer auto (none if n_iter<=2 else LU -- a QR normaliser is fine too)):
 * no centring, y [n,k] = x * V (components), evr [k] like sklearn (var of y columns / total var).
 * seed makes it reproducible. We always normalise with QR (same subspace, better conditioned).
 * n >= 1, 1 <= k <= min(n, d), 0 <= n_iter <= 100. Errors: XNR_ERR_INPUT (as xnr_pca),
 * XNR_ERR_NOMEM, XNR_ERR_INTERNAL. Thread safe. */
XNR_MUST_CHECK enum xnr_status xnr_tsvd(const float *x, long n, int d, int k, int n_iter,
                                        uint64_t seed, float *y, double *evr,
                                        struct xnr_error *err);

enum xnr_nmf_init { XNR_NMF_RANDOM, XNR_NMF_NNDSVDA };

struct xnr_nmf_params {
	int k;        /* components, 1 <= k <= min(n, m) */
	int max_iter; /* >= 1 */
	double tol;   /* stop when violation / first violation <= tol; >= 0 */
	enum xnr_nmf_init init;
	uint64_t seed; /* RANDOM init's draws, NNDSVDA's randomized SVD */
};

/* sklearn NMF(n_components=k, solver='cd', beta_loss='frobenius', alpha 0, tol, max_iter, init) of
 * a [n,m] >= 0 (negative entries are an XNR_ERR_INPUT error; callers clip): a ~= w [n,k] * h [k,m].
 * Random init: avg = sqrt(mean(a)/k), w,h = avg*|N(0,1)| from seed (our RNG, not numpy's).
 * *n_iter (may be NULL) gets the iterations run. Defaults via xnr_nmf_default_params(): k 8,
 * max_iter 500, tol 1e-4, RANDOM, seed 0.
 * NNDSVDA: sklearn's, on our randomized SVD (n_iter 'auto'); deterministic given seed.
 * Coordinate descent runs in double; the two products per iteration go through xnr_gemm (f32).
 * ctl (may be NULL) gets progress per iteration ("nmf") and can cancel: XNR_ERR_CANCELLED.
 * Errors: XNR_ERR_INPUT (NULL pointers, sizes, k, max_iter, tol, init, NaN/Inf or negative
 * entries), XNR_ERR_NOMEM, XNR_ERR_CANCELLED, XNR_ERR_INTERNAL. Thread safe. */
struct xnr_nmf_params xnr_nmf_default_params(void);
XNR_MUST_CHECK enum xnr_status xnr_nmf(const float *a, long n, long m,
                                       const struct xnr_nmf_params *p, const struct xnr_ctl *ctl,
                                       float *w, float *h, int *n_iter, struct xnr_error *err);

/* Pairs i<j of rows of x [n,d] with cosine similarity >= threshold, most similar first (ties:
 * smaller i then j), at most max_pairs kept (*n_total = how many pairs passed the threshold in
 * all). Zero rows have similarity 0 with everything. Blocked GEMM over row tiles so memory stays
 * O(tile^2 + n*d) (n up to 200k must work); *pairs malloc'd, caller frees.
 * Similarities are f32 dot products of rows normalised in double (exact duplicates give 1 within
 * ~1e-6; values are clamped to [-1, 1]). *pairs is NULL when *n_pairs is 0. max_pairs >= 0;
 * threshold finite. ctl (may be NULL): progress per row tile ("duplicates"), cancel.
 * Errors: XNR_ERR_INPUT, XNR_ERR_NOMEM, XNR_ERR_CANCELLED, XNR_ERR_INTERNAL. Thread safe. */
struct xnr_pair {
	long i, j;
	float sim;
};
XNR_MUST_CHECK enum xnr_status xnr_cosine_pairs(const float *x, long n, int d, float threshold,
                                                long max_pairs, const struct xnr_ctl *ctl,
                                                struct xnr_pair **pairs, long *n_pairs,
                                                long *n_total, struct xnr_error *err);

#endif
