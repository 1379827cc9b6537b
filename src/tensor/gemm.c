/*
 * gemm.c - matrix products through oneDNN (dnnl_sgemm, row-major) when built
 * with XNR_HAVE_DNNL, else OpenBLAS cblas_sgemm. The only file that includes
 * a BLAS header. Mirrors reference/hf-formats.md 3.0 "Linear".
 *
 * Threading. Debian's libdnnl2 is built with DNNL_CPU_RUNTIME = OMP: it runs
 * GEMMs on GNU OpenMP (libgomp) threads, whose count is the calling thread's
 * OpenMP "nthreads" setting (OMP_NUM_THREADS, or omp_set_num_threads, which
 * in libgomp applies to the calling thread only). We do not link libgomp
 * ourselves, so omp_set_num_threads is looked up at run time in the libgomp
 * that libdnnl loaded, and applied lazily per thread. OpenBLAS (Debian's
 * pthread build) has one process-wide count, openblas_set_num_threads.
 *
 * The forward pass uses xnr_gemm_linear_pool: the compute pool splits output
 * columns and each pool thread runs a one-thread GEMM. Measured on the 2-core
 * build machines with oneDNN while other processes ran: 1.4x-13x faster than
 * one 2-thread OpenMP GEMM (OpenMP's spinning barriers stall when a core is
 * busy; 32x768x768: 0.28 ms vs 5.4 ms), and no OpenMP threads left spinning
 * against the pool's own work between GEMMs.
 */
#include "tensor/gemm.h"

#include <stdatomic.h>

#include "tensor/kernels.h"

#ifdef XNR_HAVE_DNNL
#include <dlfcn.h>
#include <oneapi/dnnl/dnnl.h>
#else
#include <cblas.h>
#endif

#define COL_BLOCK 16

#define SMALL_GEMM_FLOPS 1e7 /* multiply-adds under which xnr_gemm uses one thread */

static atomic_int g_threads; /* set by xnr_gemm_set_threads; 0: the backend's default */

#ifdef XNR_HAVE_DNNL
static _Thread_local int t_applied; /* this thread's OpenMP thread count, 0: untouched */
static atomic_int g_default;        /* OpenMP's count before we changed any */

/* Make later dnnl_sgemm calls on this thread use n OpenMP threads (0: default). */
static void use_threads(int n)
{
	void (*set)(int);
	int (*get)(void);

	if (t_applied == 0 && atomic_load(&g_default) == 0) {
		*(void **)&get = dlsym(RTLD_DEFAULT, "omp_get_max_threads");
		atomic_store(&g_default, get ? get() : 1);
	}
	if (n == 0)
		n = atomic_load(&g_default);
	if (t_applied == n)
		return;
	*(void **)&set = dlsym(RTLD_DEFAULT, "omp_set_num_threads");
	if (set)
		set(n);
	t_applied = n;
}

/* The four functions below take BLAS sgemm's own 13 arguments (plus err):
 * NOLINTBEGIN(readability-function-size) */
static int run_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
                     int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
	return dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb,
	                  beta, c, ldc) == dnnl_success;
}

const char *xnr_gemm_backend(void)
{
	return "onednn";
}
#else
static atomic_int g_applied; /* OpenBLAS's process-wide count as we last set it */

static void use_threads(int n)
{
	if (n == 0 || atomic_exchange(&g_applied, n) == n)
		return;
	openblas_set_num_threads(n);
}

static int run_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
                     int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
	cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
	            trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c,
	            ldc);
	return 1;
}

const char *xnr_gemm_backend(void)
{
	return "openblas";
}
#endif

void xnr_gemm_set_threads(int n)
{
	atomic_store(&g_threads, n < 1 ? 1 : n);
}

/* xnr_gemm on the calling thread's current BLAS thread setting. */
static enum xnr_status gemm_here(int trans_a, int trans_b, int m, int n, int k, float alpha,
                                 const float *a, int lda, const float *b, int ldb, float beta,
                                 float *c, int ldc, struct xnr_error *err)
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
				c[(long)i * ldc + j] =
				    beta == 0.0f ? 0.0f : beta * c[(long)i * ldc + j];
		return XNR_OK;
	}
	if (!run_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc))
		return xnr_fail(err, XNR_ERR_INTERNAL,
		                "gemm: %s sgemm failed for %dx%dx%d (out of memory?)",
		                xnr_gemm_backend(), m, n, k);
	return XNR_OK;
}

enum xnr_status xnr_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
                         int lda, const float *b, int ldb, float beta, float *c, int ldc,
                         struct xnr_error *err)
{
	/* A small product costs less than waking (possibly busy) BLAS threads:
	 * measured ~10 ms per OpenMP fork on loaded cores vs microseconds of work. */
	double flops = (double)m * n * k;
	use_threads(flops < SMALL_GEMM_FLOPS ? 1 : atomic_load(&g_threads));
	return gemm_here(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, err);
}

enum xnr_status xnr_gemm_1(int trans_a, int trans_b, int m, int n, int k, float alpha,
                           const float *a, int lda, const float *b, int ldb, float beta, float *c,
                           int ldc, struct xnr_error *err)
{
	use_threads(1);
	return gemm_here(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, err);
}
/* NOLINTEND(readability-function-size) */

enum xnr_status xnr_gemm_linear(int m, int n_out, int n_in, const float *x, const float *w,
                                int accumulate, float *y, struct xnr_error *err)
{
	return xnr_gemm(0, 1, m, n_out, n_in, 1.0f, x, n_in, w, n_in, accumulate ? 1.0f : 0.0f, y,
	                n_out, err);
}

struct linear_job {
	int m, n_in, n_outs;
	const float *x;
	const struct xnr_linear_out *outs;
	atomic_int failed;
	struct xnr_error *err;
};

static long n_blocks(int n_out)
{
	return (n_out + COL_BLOCK - 1) / COL_BLOCK;
}

/* Bias and activation on columns [b, e) of every row of o->y. */
static void epilogue(const struct xnr_linear_out *o, int m, long b, long e)
{
	long r;

	for (r = 0; r < m; r++) {
		float *row = o->y + r * o->n_out + b;
		if (o->act != XNR_ACT_LINEAR)
			xnr_act_rows(row, o->bias ? o->bias + b : NULL, 1, (int)(e - b), o->act);
		else if (o->bias)
			xnr_bias_rows(row, o->bias + b, 1, (int)(e - b));
	}
}

/* Columns [b, e) of output o, on this thread alone. */
static int linear_block(struct linear_job *j, const struct xnr_linear_out *o, long b, long e)
{
	struct xnr_error local;
	int expected = 0;

	if (gemm_here(0, 1, j->m, (int)(e - b), j->n_in, 1.0f, j->x, j->n_in, o->w + b * j->n_in,
	              j->n_in, 0.0f, o->y + b, o->n_out, &local) != XNR_OK) {
		if (atomic_compare_exchange_strong(&j->failed, &expected, 1) && j->err)
			*j->err = local;
		return 0;
	}
	epilogue(o, j->m, b, e);
	return 1;
}

/* Blocks [begin, end) of all outputs' blocks laid end to end. */
static void linear_worker(void *p, int ith, int nth)
{
	struct linear_job *j = p;
	long total = 0, begin, end, first = 0;
	int i;

	for (i = 0; i < j->n_outs; i++)
		total += n_blocks(j->outs[i].n_out);
	xnr_split_range(total, ith, nth, &begin, &end);
	use_threads(1);
	for (i = 0; i < j->n_outs && begin < end; i++) {
		const struct xnr_linear_out *o = &j->outs[i];
		long last = first + n_blocks(o->n_out), b, e;
		if (begin < last) {
			b = (begin - first) * COL_BLOCK;
			e = (end < last ? end - first : last - first) * COL_BLOCK;
			if (!linear_block(j, o, b, e < o->n_out ? e : o->n_out))
				return;
			begin = end < last ? end : last;
		}
		first = last;
	}
}

enum xnr_status xnr_gemm_linear_pool_n(struct xnr_pool *pool, int m, int n_in, const float *x,
                                       const struct xnr_linear_out *outs, int n_outs,
                                       struct xnr_error *err)
{
	struct linear_job j = {m, n_in, n_outs, x, outs, 0, err};
	enum xnr_status st;
	int i;

	if (m < 0 || n_in < 0)
		return xnr_fail(err, XNR_ERR_INTERNAL, "gemm: negative size %dx%d", m, n_in);
	for (i = 0; i < n_outs; i++)
		if (outs[i].n_out < 0)
			return xnr_fail(err, XNR_ERR_INTERNAL, "gemm: negative output size %d",
			                outs[i].n_out);
	if (xnr_pool_n_threads(pool) > 1) {
		xnr_pool_run(pool, linear_worker, &j);
		return atomic_load(&j.failed) ? (err ? err->status : XNR_ERR_INTERNAL) : XNR_OK;
	}
	for (i = 0; i < n_outs; i++) {
		st = xnr_gemm_linear(m, outs[i].n_out, n_in, x, outs[i].w, 0, outs[i].y, err);
		if (st != XNR_OK)
			return st;
		epilogue(&outs[i], m, 0, outs[i].n_out);
	}
	return XNR_OK;
}

/* y is written through o. NOLINTBEGIN(readability-non-const-parameter) */
enum xnr_status xnr_gemm_linear_pool(struct xnr_pool *pool, int m, int n_out, int n_in,
                                     const float *x, const float *w, const float *bias,
                                     enum xnr_act act, float *y, struct xnr_error *err)
/* NOLINTEND(readability-non-const-parameter) */
{
	struct xnr_linear_out o = {w, bias, act, n_out, y};

	return xnr_gemm_linear_pool_n(pool, m, n_in, x, &o, 1, err);
}
