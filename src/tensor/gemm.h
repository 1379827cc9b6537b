/*
 * gemm.h - the one entry to matrix products (oneDNN dnnl_sgemm or OpenBLAS
 * cblas_sgemm, chosen at build time; see gemm.c for how each threads).
 *
 * Everything is row-major F32. A GEMM may run on several BLAS threads: never
 * call it from inside an xnr_pool_run worker, and never run the pool while a
 * GEMM is running (the two sets of threads would fight for the cores).
 */
#ifndef XNR_TENSOR_GEMM_H
#define XNR_TENSOR_GEMM_H

#include "core/status.h"

/* C[m,n] = alpha * op(A) op(B) + beta * C, row-major; op(X) = X or X^T
 * (trans_a / trans_b nonzero). A is [m,k] (or [k,m] if trans_a), B is [k,n]
 * (or [n,k] if trans_b); lda/ldb/ldc are row strides in elements. m, n or k
 * may be 0. Errors: XNR_ERR_INTERNAL (the backend refused the arguments or
 * ran out of scratch memory). Thread safe: distinct outputs may be computed
 * from several threads at once. */
enum xnr_status xnr_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
			 const float *a, int lda, const float *b, int ldb, float beta, float *c,
			 int ldc, struct xnr_error *err);

/* A PyTorch Linear without its bias: y[m,n_out] = x[m,n_in] w[n_out,n_in]^T
 * (+ y when accumulate is nonzero). Same errors as xnr_gemm. */
enum xnr_status xnr_gemm_linear(int m, int n_out, int n_in, const float *x, const float *w,
				int accumulate, float *y, struct xnr_error *err);

/* How many threads each later GEMM may use (n >= 1; applies to GEMMs called
 * from any thread). Thread safe. */
void xnr_gemm_set_threads(int n);

/* "onednn" or "openblas": the backend compiled in. */
const char *xnr_gemm_backend(void);

#endif
