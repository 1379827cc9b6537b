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
#include <stdlib.h>
#include <string.h>

#include "tensor/kernels.h"

#ifdef XNR_HAVE_DNNL
#include <dlfcn.h>
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#else
#include <cblas.h>
#endif

#define COL_BLOCK 16

/* oneDNN's sgemm takes another path below 16 rows, whose sums differ from
 * the 16-and-more path's in the last bits (measured for every shape of the
 * supported models: 1..15 rows differ, 16..299 agree bit for bit). A word's
 * results must not depend on the batch it ran in (a sharded run equals the
 * whole one, value for value), so fewer rows are run padded to this many. */
#define MIN_ROWS 16

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

static dnnl_engine_t g_engine;
static pthread_once_t g_engine_once = PTHREAD_ONCE_INIT;

static void engine_make(void)
{
	if (dnnl_engine_create(&g_engine, dnnl_cpu, 0) != dnnl_success)
		g_engine = NULL;
}

/* The descriptors of C[m,n] (f32, ldc) = A[m,k] (bf16, rows of k) B^T with
 * B [n,k] (bf16, ldb): m is the run-time dimension when m < 0. */
static int bf16_mds(long m, int n, int k, int ldb, int ldc, dnnl_memory_desc_t *a,
                    dnnl_memory_desc_t *b, dnnl_memory_desc_t *c)
{
	dnnl_dim_t rows = m < 0 ? DNNL_RUNTIME_DIM_VAL : m;
	dnnl_dims_t ad = {rows, k}, as = {k, 1}, bd = {k, n}, bs = {1, ldb}, cd = {rows, n},
	            cs = {ldc, 1};

	return dnnl_memory_desc_init_by_strides(a, 2, ad, dnnl_bf16, as) == dnnl_success &&
	       dnnl_memory_desc_init_by_strides(b, 2, bd, dnnl_bf16, bs) == dnnl_success &&
	       dnnl_memory_desc_init_by_strides(c, 2, cd, dnnl_f32, cs) == dnnl_success;
}

/* oneDNN's matmul on bf16 inputs with f32 sums, m a run-time dimension so
 * its primitive cache keeps one kernel per weight shape. */
static int run_bf16(int m, int n, int k, const uint16_t *a, const uint16_t *b, int ldb, float *c,
                    int ldc)
{
	dnnl_memory_desc_t a_md, b_md, c_md, a_run, b_run, c_run;
	dnnl_matmul_desc_t md;
	dnnl_primitive_desc_t pd = NULL;
	dnnl_primitive_t prim = NULL;
	dnnl_memory_t am = NULL, bm = NULL, cm = NULL;
	dnnl_stream_t stream = NULL;
	int ok = 0;

	pthread_once(&g_engine_once, engine_make);
	if (!g_engine || !bf16_mds(-1, n, k, ldb, ldc, &a_md, &b_md, &c_md) ||
	    !bf16_mds(m, n, k, ldb, ldc, &a_run, &b_run, &c_run))
		return 0;
	if (dnnl_matmul_desc_init(&md, &a_md, &b_md, NULL, &c_md) != dnnl_success ||
	    dnnl_primitive_desc_create(&pd, &md, NULL, g_engine, NULL) != dnnl_success ||
	    dnnl_primitive_create(&prim, pd) != dnnl_success ||
	    dnnl_memory_create(&am, &a_run, g_engine, (void *)a) != dnnl_success ||
	    dnnl_memory_create(&bm, &b_run, g_engine, (void *)b) != dnnl_success ||
	    dnnl_memory_create(&cm, &c_run, g_engine, c) != dnnl_success ||
	    dnnl_stream_create(&stream, g_engine, dnnl_stream_default_flags) != dnnl_success)
		goto done;
	{
		dnnl_exec_arg_t args[3] = {
		    {DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
		ok = dnnl_primitive_execute(prim, stream, 3, args) == dnnl_success &&
		     dnnl_stream_wait(stream) == dnnl_success;
	}
done:
	dnnl_stream_destroy(stream);
	dnnl_memory_destroy(am);
	dnnl_memory_destroy(bm);
	dnnl_memory_destroy(cm);
	dnnl_primitive_destroy(prim);
	dnnl_primitive_desc_destroy(pd);
	return ok;
}

/* C (s32, in the f32 slots of c) = (A - 128) B^T over u8 A [m,k] and s8 B
 * [n,k] (ldb), then each C[r][j] *= a_scale[r] * b_scale[j]. */
static int run_int8(int m, int n, int k, const uint8_t *a, const float *a_scale, const int8_t *b,
                    int ldb, const float *b_scale, float *c, int ldc)
{
	const int32_t zero = 0;

	/* the s32 sums go into c's f32 slots (the same size), turned into f32 in place */
	if (dnnl_gemm_u8s8s32('N', 'T', 'F', m, n, k, 1.0f, a, k, 128, b, ldb, 0, 0.0f,
	                      (int32_t *)(void *)c, ldc, &zero) != dnnl_success)
		return 0;
	xnr_lowp_dequant(c, m, n, ldc, a_scale, b_scale);
	return 1;
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

static int run_bf16(int m, int n, int k, const uint16_t *a, const uint16_t *b, int ldb, float *c,
                    int ldc)
{
	(void)m, (void)n, (void)k, (void)a, (void)b, (void)ldb, (void)c, (void)ldc;
	return 0;
}

static int run_int8(int m, int n, int k, const uint8_t *a, const float *a_scale, const int8_t *b,
                    int ldb, const float *b_scale, float *c, int ldc)
{
	(void)m, (void)n, (void)k, (void)a, (void)a_scale, (void)b, (void)ldb, (void)b_scale,
	    (void)c, (void)ldc;
	return 0;
}
#endif

void xnr_gemm_warm(void)
{
	float a[MIN_ROWS * MIN_ROWS] = {0}, c[MIN_ROWS * MIN_ROWS];
	struct xnr_error err;

	if (xnr_gemm_1(0, 1, MIN_ROWS, MIN_ROWS, MIN_ROWS, 1.0f, a, MIN_ROWS, a, MIN_ROWS, 0.0f, c,
	               MIN_ROWS, &err) != XNR_OK)
		return; /* the first real product reports it */
}

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
	const struct xnr_lowp_x *lx; /* instead of x, in a lower precision */
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

/* Columns [b, e) of o in x's lower precision. */
static enum xnr_status lowp_block(const struct linear_job *j, const struct xnr_linear_out *o,
                                  long b, long e, struct xnr_error *err)
{
	const struct xnr_lowp_x *x = j->lx;
	const struct xnr_lowp_w *w = o->lw;
	int ok;

	if (j->m == 0 || e == b)
		return XNR_OK;
	if (x->prec == XNR_PRECISION_BF16)
		ok = run_bf16(j->m, (int)(e - b), j->n_in, x->data,
		              (const uint16_t *)w->data + b * j->n_in, j->n_in, o->y + b, o->n_out);
	else
		ok = run_int8(j->m, (int)(e - b), j->n_in, x->data, x->scale,
		              (const int8_t *)w->data + b * j->n_in, j->n_in, w->scale + b,
		              o->y + b, o->n_out);
	if (!ok)
		return xnr_fail(err, XNR_ERR_INTERNAL, "gemm: %s %s product failed for %dx%ldx%d",
		                xnr_gemm_backend(), xnr_precision_name(x->prec), j->m, e - b,
		                j->n_in);
	return XNR_OK;
}

/* Columns [b, e) of o for fewer than MIN_ROWS rows: the input and output
 * padded to MIN_ROWS rows (zeros), so the sums are the 16-row path's. */
static enum xnr_status padded_block(const struct linear_job *j, const struct xnr_linear_out *o,
                                    long b, long e, struct xnr_error *err)
{
	size_t n_in = (size_t)j->n_in, n = (size_t)(e - b);
	float *xp = calloc(MIN_ROWS * (n_in + n), sizeof *xp), *yp;
	enum xnr_status st;
	int r;

	if (!xp)
		return xnr_fail(err, XNR_ERR_NOMEM, "gemm: no memory for %d padded rows", MIN_ROWS);
	yp = xp + MIN_ROWS * n_in;
	memcpy(xp, j->x, (size_t)j->m * n_in * sizeof *xp);
	st = gemm_here(0, 1, MIN_ROWS, (int)n, j->n_in, 1.0f, xp, j->n_in, o->w + b * j->n_in,
	               j->n_in, 0.0f, yp, (int)n, err);
	for (r = 0; st == XNR_OK && r < j->m; r++)
		memcpy(o->y + (long)r * o->n_out + b, yp + (size_t)r * n, n * sizeof *yp);
	free(xp);
	return st;
}

/* Columns [b, e) of output o, on this thread alone. */
static int linear_block(struct linear_job *j, const struct xnr_linear_out *o, long b, long e)
{
	struct xnr_error local;
	int expected = 0;
	enum xnr_status st;

	if (j->lx)
		st = lowp_block(j, o, b, e, &local);
	else if (j->m > 0 && j->m < MIN_ROWS && e > b)
		st = padded_block(j, o, b, e, &local);
	else
		st = gemm_here(0, 1, j->m, (int)(e - b), j->n_in, 1.0f, j->x, j->n_in,
		               o->w + b * j->n_in, j->n_in, 0.0f, o->y + b, o->n_out, &local);
	if (st != XNR_OK) {
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
	struct linear_job j = {m, n_in, n_outs, x, NULL, outs, 0, err};
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
	if (m > 0 && m < MIN_ROWS) { /* padded, on this thread */
		use_threads(1);
		for (i = 0; i < n_outs; i++)
			if (!linear_block(&j, &outs[i], 0, outs[i].n_out))
				return err ? err->status : XNR_ERR_INTERNAL;
		return XNR_OK;
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
	struct xnr_linear_out o = {w, bias, act, n_out, y, NULL};

	return xnr_gemm_linear_pool_n(pool, m, n_in, x, &o, 1, err);
}

/* Every Linear of a lowp product on the calling thread, bias and act after. */
static enum xnr_status lowp_here(struct linear_job *j)
{
	int i;

	for (i = 0; i < j->n_outs; i++)
		if (!linear_block(j, &j->outs[i], 0, j->outs[i].n_out))
			return j->err ? j->err->status : XNR_ERR_INTERNAL;
	return XNR_OK;
}

enum xnr_status xnr_gemm_linear_pool_lowp(struct xnr_pool *pool, const struct xnr_lowp_x *x,
                                          const struct xnr_linear_out *outs, int n_outs,
                                          struct xnr_error *err)
{
	struct linear_job j = {x->m, x->n_in, n_outs, NULL, x, outs, 0, err};
	int i;

#ifndef XNR_HAVE_DNNL
	return xnr_fail(err, XNR_ERR_UNSUPPORTED, "gemm: %s products need the oneDNN build",
	                xnr_precision_name(x->prec));
#endif
	for (i = 0; i < n_outs; i++) {
		const struct xnr_lowp_w *w = outs[i].lw;
		if (!w || w->prec != x->prec || w->n_in != x->n_in || w->n_out != outs[i].n_out)
			return xnr_fail(err, XNR_ERR_INTERNAL,
			                "gemm: %s product %d has no matching weights",
			                xnr_precision_name(x->prec), i);
	}
	if (xnr_pool_n_threads(pool) > 1) {
		xnr_pool_run(pool, linear_worker, &j);
		return atomic_load(&j.failed) ? (err ? err->status : XNR_ERR_INTERNAL) : XNR_OK;
	}
	use_threads(atomic_load(&g_threads));
	return lowp_here(&j);
}
