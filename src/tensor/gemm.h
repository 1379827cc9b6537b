/*
 * gemm.h - the one entry to matrix products (oneDNN dnnl_sgemm or OpenBLAS
 * cblas_sgemm, chosen at build time; see gemm.c for how each threads).
 *
 * Everything is row-major F32. xnr_gemm and xnr_gemm_linear may run on
 * several BLAS threads: never call them from inside an xnr_pool_run worker,
 * and never run the pool while they run (the two sets of threads would fight
 * for the cores). xnr_gemm_linear_pool instead splits one product over the
 * pool's threads, each running a one-thread GEMM: no second set of threads.
 */
#ifndef XNR_TENSOR_GEMM_H
#define XNR_TENSOR_GEMM_H

#include "core/pool.h"
#include "core/status.h"
#include "tensor/act.h"
#include "tensor/lowp.h"

/* C[m,n] = alpha * op(A) op(B) + beta * C, row-major; op(X) = X or X^T
 * (trans_a / trans_b nonzero). A is [m,k] (or [k,m] if trans_a), B is [k,n]
 * (or [n,k] if trans_b); lda/ldb/ldc are row strides in elements. m, n or k
 * may be 0. Errors: XNR_ERR_INTERNAL (the backend refused the arguments or
 * ran out of scratch memory). Thread safe: distinct outputs may be computed
 * from several threads at once. */
XNR_MUST_CHECK enum xnr_status xnr_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
                                        const float *a, int lda, const float *b, int ldb,
                                        float beta, float *c, int ldc, struct xnr_error *err);

/* xnr_gemm on the calling thread alone: for compute-pool workers that each
 * take a block of the output (no BLAS threads are woken, none left spinning
 * to take the cores from the pool). Same errors; thread safe. */
XNR_MUST_CHECK enum xnr_status xnr_gemm_1(int trans_a, int trans_b, int m, int n, int k,
                                          float alpha, const float *a, int lda, const float *b,
                                          int ldb, float beta, float *c, int ldc,
                                          struct xnr_error *err);

/* A PyTorch Linear without its bias: y[m,n_out] = x[m,n_in] w[n_out,n_in]^T
 * (+ y when accumulate is nonzero). Same errors as xnr_gemm. */
XNR_MUST_CHECK enum xnr_status xnr_gemm_linear(int m, int n_out, int n_in, const float *x,
                                               const float *w, int accumulate, float *y,
                                               struct xnr_error *err);

/* One Linear applied by xnr_gemm_linear_pool_n. */
struct xnr_linear_out {
	const float *w;    /* [n_out, n_in] */
	const float *bias; /* [n_out] or NULL */
	enum xnr_act act;  /* XNR_ACT_LINEAR: none */
	int n_out;
	float *y;                    /* [m, n_out] */
	const struct xnr_lowp_w *lw; /* the same weights in bf16 / int8, for
	                              * xnr_gemm_linear_pool_lowp; else NULL */
};

/* For each of n_outs Linears on the same input: y = act(x[m,n_in] w^T +
 * bias). The output columns of all of them, in blocks of 16, are split over
 * the pool's threads; each thread runs one-thread GEMMs on its blocks and
 * applies bias and act (tensor/kernels.h) while they are in cache. One pool
 * run for several products (Q, K and V) saves synchronizations. pool NULL or
 * with one thread: xnr_gemm_linear on the BLAS threads. Same errors as
 * xnr_gemm. Call it from outside the pool only (it runs the pool). */
XNR_MUST_CHECK enum xnr_status xnr_gemm_linear_pool_n(struct xnr_pool *pool, int m, int n_in,
                                                      const float *x,
                                                      const struct xnr_linear_out *outs, int n_outs,
                                                      struct xnr_error *err);

/* xnr_gemm_linear_pool_n in a lower precision (tensor/lowp.h): x is the
 * input already converted (xnr_lowp_x_make), every outs[i].lw its weights in
 * x's precision; bias and act in f32 as above. bf16 runs oneDNN's matmul
 * (bf16 inputs, f32 sums and output), int8 its u8s8s32 GEMM, the s32 sums
 * scaled to f32 by the row's and the channel's steps. Errors: those of
 * xnr_gemm, XNR_ERR_INTERNAL for a missing or mismatched lw, and
 * XNR_ERR_UNSUPPORTED in the OpenBLAS build. */
XNR_MUST_CHECK enum xnr_status xnr_gemm_linear_pool_lowp(struct xnr_pool *pool,
                                                         const struct xnr_lowp_x *x,
                                                         const struct xnr_linear_out *outs,
                                                         int n_outs, struct xnr_error *err);

/* xnr_gemm_linear_pool_n with one Linear. */
XNR_MUST_CHECK enum xnr_status xnr_gemm_linear_pool(struct xnr_pool *pool, int m, int n_out,
                                                    int n_in, const float *x, const float *w,
                                                    const float *bias, enum xnr_act act, float *y,
                                                    struct xnr_error *err);

/* How many BLAS threads each later xnr_gemm / xnr_gemm_linear may use
 * (n >= 1; applies to GEMMs called from any thread; xnr_gemm_linear_pool uses
 * one per pool thread). Thread safe. */
void xnr_gemm_set_threads(int n);

/* One tiny product on the calling thread, its result dropped: the backend's
 * one-time start (oneDNN's CPU dispatch and first kernel: 30-45 ms on the
 * 2-core build machine) is paid now, not by the first product someone waits
 * for (the server's first projection). Later calls cost microseconds. Thread
 * safe. */
void xnr_gemm_warm(void);

/* "onednn" or "openblas": the backend compiled in. */
const char *xnr_gemm_backend(void);

#endif
