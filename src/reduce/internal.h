/*
 * internal.h - helpers shared by the reduce module's files (not part of the
 * public API): a seeded RNG, a symmetric eigensolver, row orthonormalisation,
 * a small dense SVD and the randomized SVD used by TruncatedSVD and NMF's
 * NNDSVDA init. Everything is in linalg.c except xnr__rsvd (svd.c).
 */
#ifndef XNR_REDUCE_INTERNAL_H
#define XNR_REDUCE_INTERNAL_H

#include <stdint.h>

#include "core/status.h"

/* xoshiro256** seeded by splitmix64; normals by Box-Muller (the second of
 * each pair is cached). Same seed -> same stream on every platform. */
struct xnr__rng {
	uint64_t s[4];
	double spare;
	int has_spare;
};

void xnr__rng_init(struct xnr__rng *r, uint64_t seed);
/* Uniform in [0, 1) with 53 random bits. */
double xnr__rng_uniform(struct xnr__rng *r);
/* Standard normal. */
double xnr__rng_normal(struct xnr__rng *r);

/* Eigendecomposition of the symmetric n x n row-major matrix a (overwritten;
 * work: n doubles of scratch): on return a's rows are the unit eigenvectors
 * and w[n] the eigenvalues, in
 * descending order. Householder tridiagonalisation + implicit QL (EISPACK
 * tred2/tql2 as in JAMA), working on the transpose so inner loops are
 * contiguous. Returns 0, or -1 when QL did not converge (60 sweeps per value). */
int xnr__sym_eig(double *a, int n, double *w, double *work);

/* xnr__sym_eig for the k largest eigenvalues' vectors only (1 <= k <= n): w[n]
 * gets every eigenvalue (descending), a's first k rows those vectors (unit,
 * orthogonal), its other rows are left undefined. QL without the vectors,
 * then inverse iteration on the tridiagonal and tred2's transform: O(n^2 k)
 * after the tridiagonalisation instead of QL's O(n^3) rotations of every
 * vector (d = 256: 5 ms against 30 ms). Returns 0, -1 when QL did not
 * converge, -2 when out of memory. */
int xnr__sym_eig_top(double *a, int n, int k, double *w, double *work);

/* Orthonormalise the n_rows rows (length len) of q in place: modified
 * Gram-Schmidt applied twice, dots in double. A row that is (numerically)
 * in the span of the previous ones becomes zero. */
void xnr__orth_rows(float *q, int n_rows, long len);

/* SVD of b [l,d] (double, overwritten) by one-sided Jacobi on its rows:
 * b = U diag(s) V^T with ut [l,l] = U^T (row j is U's column j), s [l]
 * descending, b's rows replaced by V^T's (unit, or zero where s is 0).
 * Returns 0, or -1 when 60 sweeps were not enough. */
int xnr__svd_rows(double *b, int l, int d, double *ut, double *s);

/* Randomized SVD (Halko et al., sklearn randomized_svd with n_oversamples 10
 * and a QR normaliser) of x [n,d] to k triplets: ut [k,n] (U^T, may be NULL),
 * s [k], vt [k,d]. Sign: sklearn svd_flip, the largest-|.| entry of each U
 * column positive. Arguments are trusted (checked by the callers). */
XNR_MUST_CHECK enum xnr_status xnr__rsvd(const float *x, long n, int d, int k, int n_iter,
                                         uint64_t seed, float *ut, double *s, float *vt,
                                         struct xnr_error *err);

/* XNR_ERR_INPUT naming `what` and the first NaN/Inf of x[count] (flat index), or XNR_OK. */
XNR_MUST_CHECK enum xnr_status xnr__check_finite(const float *x, long count, const char *what,
                                                 struct xnr_error *err);

#endif
