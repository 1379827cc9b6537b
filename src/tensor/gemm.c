/*
 * gemm.c - matrix products through oneDNN (dnnl_sgemm, row-major) when built
 * with XNR_HAVE_DNNL, else OpenBLAS cblas_sgemm. The only file that includes
 * a BLAS header. Mirrors reference/hf-formats.md 3.0 "Linear".
 *
 * Threading. Debian's libdnnl2 is built with DNNL_CPU_RUNTIME = OMP: it runs
 * GEMMs on GNU OpenMP (libgomp) threads, whose count is the calling thread's
 * OpenMP "nthreads" setting (OMP_NUM_THREADS or omp_set_num_threads, which in
 * libgomp applies to the calling thread only). We do not link libgomp
 * ourselves, so omp_set_num_threads is looked up at run time in the already
 * loaded libgomp and re-applied lazily in every thread that runs a GEMM after
 * xnr_gemm_set_threads. After a parallel region libgomp threads spin for a
 * while (OMP_WAIT_POLICY); the compute pool runs between GEMMs, so callers
 * that care about a few percent may set OMP_WAIT_POLICY=passive.
 * OpenBLAS (pthread build) has one process-wide thread count,
 * openblas_set_num_threads.
 */
#include "tensor/gemm.h"

#include <stdatomic.h>

#ifdef XNR_HAVE_DNNL
#include <dlfcn.h>
#include <oneapi/dnnl/dnnl.h>
#else
#include <cblas.h>
#endif

static atomic_int g_threads; /* 0: the backend's default */

#ifdef XNR_HAVE_DNNL
static _Thread_local int t_applied;

static void apply_threads(void)
{
	int n = atomic_load(&g_threads);
	void (*set)(int);

	if (n == 0 || t_applied == n)
		return;
	*(void **)&set = dlsym(RTLD_DEFAULT, "omp_set_num_threads");
	if (set)
		set(n);
	t_applied = n;
}

static int run_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
		     const float *a, int lda, const float *b, int ldb, float beta, float *c,
		     int ldc)
{
	apply_threads();
	return dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a, lda, b,
			  ldb, beta, c, ldc) == dnnl_success;
}

void xnr_gemm_set_threads(int n)
{
	atomic_store(&g_threads, n < 1 ? 1 : n);
}

const char *xnr_gemm_backend(void)
{
	return "onednn";
}
#else
static int run_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
		     const float *a, int lda, const float *b, int ldb, float beta, float *c,
		     int ldc)
{
	cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
		    trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c,
		    ldc);
	return 1;
}

void xnr_gemm_set_threads(int n)
{
	atomic_store(&g_threads, n < 1 ? 1 : n);
	openblas_set_num_threads(n < 1 ? 1 : n);
}

const char *xnr_gemm_backend(void)
{
	return "openblas";
}
#endif

enum xnr_status xnr_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
			 const float *a, int lda, const float *b, int ldb, float beta, float *c,
			 int ldc, struct xnr_error *err)
{
	int i, j;

	if (m < 0 || n < 0 || k < 0)
		return xnr_fail(err, XNR_ERR_INTERNAL, "gemm: negative size %dx%dx%d", m, n, k);
	if (m == 0 || n == 0)
		return XNR_OK;
	if (k == 0) {
		/* BLAS leaves C alone when k = 0 only if beta = 1; be explicit. */
		for (i = 0; i < m; i++)
			for (j = 0; j < n; j++)
				c[(long)i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[(long)i * ldc + j];
		return XNR_OK;
	}
	if (!run_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc))
		return xnr_fail(err, XNR_ERR_INTERNAL,
				"gemm: %s sgemm failed for %dx%dx%d (out of memory?)",
				xnr_gemm_backend(), m, n, k);
	return XNR_OK;
}

enum xnr_status xnr_gemm_linear(int m, int n_out, int n_in, const float *x, const float *w,
				int accumulate, float *y, struct xnr_error *err)
{
	return xnr_gemm(0, 1, m, n_out, n_in, 1.0f, x, n_in, w, n_in, accumulate ? 1.0f : 0.0f, y,
			n_out, err);
}
