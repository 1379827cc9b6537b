/*
 * test_tensor_kernels.c - every kernel against a naive double-precision
 * version of the same formula (reference/hf-formats.md 3.0), with the
 * tolerance stated next to each check and the max difference printed.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"
#include "tensor/gemm.h"
#include "tensor/kernels.h"

static unsigned long long rng_state = 88172645463325252ULL;

/* Uniform in [-scale, scale) (xorshift64: deterministic across platforms). */
static float frand(float scale)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return scale * (float)((double)(rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static float *rand_vec(size_t n, float scale)
{
	float *v = malloc(n * sizeof *v);
	size_t i;

	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = frand(scale);
	return v;
}

static void test_layernorm(void **state)
{
	static const int widths[] = {1, 7, 256, 768, 1024};
	size_t wi;
	(void)state;
	for (wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
		int n = widths[wi], rows = 5, r, i;
		float *y = rand_vec((size_t)rows * n, 3.0f),
		      *res = rand_vec((size_t)rows * n, 1.0f);
		float *bias = rand_vec((size_t)n, 0.5f), *w = rand_vec((size_t)n, 2.0f);
		float *b = rand_vec((size_t)n, 1.0f), *y0 = malloc((size_t)rows * n * sizeof *y0);
		double maxd = 0;

		/* A large common offset: the case where one-pass f32 variance loses digits. */
		for (i = 0; i < rows * n; i++)
			y[i] += 100.0f;
		memcpy(y0, y, (size_t)rows * n * sizeof *y0);
		xnr_layernorm_rows(y, bias, res, w, b, rows, n, 1e-12f);
		for (r = 0; r < rows; r++) {
			double mu = 0, var = 0, x;
			for (i = 0; i < n; i++)
				mu += (double)y0[r * n + i] + bias[i] + res[r * n + i];
			mu /= n;
			for (i = 0; i < n; i++) {
				x = (double)y0[r * n + i] + bias[i] + res[r * n + i] - mu;
				var += x * x;
			}
			var /= n;
			for (i = 0; i < n; i++) {
				x = (double)y0[r * n + i] + bias[i] + res[r * n + i];
				x = (x - mu) / sqrt(var + 1e-12) * w[i] + b[i];
				maxd = fmax(maxd, fabs(x - y[r * n + i]));
			}
		}
		printf("layernorm n=%d: max |diff| %.3g (tolerance 2e-5)\n", n, maxd);
		/* Inputs near 100 keep ~6 significant digits after the f32 sum with the
		 * residual, so 2e-5 on outputs of magnitude ~2 is the f32 rounding floor. */
		assert_true(maxd < 2e-5);
		free(y);
		free(res);
		free(bias);
		free(w);
		free(b);
		free(y0);
	}
}

static double act_ref(double x, enum xnr_act act)
{
	switch (act) {
	case XNR_ACT_GELU:
		return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
	case XNR_ACT_GELU_TANH:
		return 0.5 * x * (1.0 + tanh(sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
	case XNR_ACT_GELU_FAST:
		return 0.5 * x * (1.0 + tanh(0.7978845608 * x * (1.0 + 0.044715 * x * x)));
	case XNR_ACT_QUICK_GELU:
		return x / (1.0 + exp(-1.702 * x));
	case XNR_ACT_RELU:
		return x > 0 ? x : 0;
	case XNR_ACT_SILU:
		return x / (1.0 + exp(-x));
	case XNR_ACT_TANH:
		return tanh(x);
	case XNR_ACT_LINEAR:
	case XNR_ACT_COUNT:
		break;
	}
	return x;
}

static void test_activations(void **state)
{
	int a, i, n = 20001;
	(void)state;
	for (a = 0; a < XNR_ACT_COUNT; a++) {
		float *y = malloc((size_t)n * sizeof *y), *bias = rand_vec(1, 1.0f);
		double maxd = 0, tol;

		/* x from -12 to 12 by 0.0012, then through the bias (one column). */
		for (i = 0; i < n; i++)
			y[i] = -12.0f + 0.0012f * (float)i;
		for (i = 0; i < n; i++) {
			double ref = act_ref((double)(y[i] + bias[0]), (enum xnr_act)a);
			double got;
			float one = xnr_act_one(y[i] + bias[0], (enum xnr_act)a);
			xnr_act_rows(y + i, bias, 1, 1, (enum xnr_act)a);
			got = y[i];
			assert_true(got == one);
			maxd = fmax(maxd, fabs(got - ref) / (1.0 + fabs(ref)));
		}
		/* f32 math: a few ulp, 1e-6 relative + absolute; GELU's rational erf
		 * (3.9e-7 absolute on erf) allows 2e-6. */
		tol = a == XNR_ACT_GELU ? 2e-6 : 1e-6;
		printf("activation %d: max |diff| / (1 + |ref|) %.3g (tolerance %g)\n", a, maxd,
		       tol);
		assert_true(maxd < tol);
		free(y);
		free(bias);
	}
}

static void test_softmax(void **state)
{
	static const int sizes[] = {1, 2, 33, 512};
	size_t si;
	(void)state;
	for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
		int n = sizes[si], i;
		float *x = rand_vec((size_t)n, 30.0f);
		double *ref = malloc((size_t)n * sizeof *ref), mx = -INFINITY, s = 0, maxd = 0,
		       sum = 0;

		for (i = 0; i < n; i++)
			mx = fmax(mx, x[i]);
		for (i = 0; i < n; i++)
			s += ref[i] = exp((double)x[i] - mx);
		xnr_softmax(x, n);
		for (i = 0; i < n; i++) {
			maxd = fmax(maxd, fabs(ref[i] / s - x[i]));
			sum += x[i];
		}
		printf("softmax n=%d: max |diff| %.3g, sum - 1 = %.3g (tolerance 1e-6)\n", n, maxd,
		       sum - 1.0);
		assert_true(maxd < 1e-6);
		assert_true(fabs(sum - 1.0) < 1e-5);
		free(x);
		free(ref);
	}
}

/* The label softmax keeps what the attention's may round up: a probability
 * far below exp(-80) stays itself, relative to double. */
static void test_softmax_probs(void **state)
{
	static const float logits[] = {0.0f, -84.0f, -3.5f, 2.25f, -40.0f};
	const int n = 5;
	float probs[5], fast[5];
	double s = 0, ref[5], maxrel = 0;
	int i;
	(void)state;
	for (i = 0; i < n; i++)
		s += ref[i] = exp((double)logits[i] - 2.25);
	xnr_softmax_probs(logits, probs, n);
	memcpy(fast, logits, sizeof fast);
	xnr_softmax(fast, n);
	for (i = 0; i < n; i++)
		maxrel = fmax(maxrel, fabs(probs[i] - ref[i] / s) / (ref[i] / s));
	printf("softmax_probs: max relative diff %.3g (tolerance 1e-5); p[1] %.3g, fast %.3g\n",
	       maxrel, (double)probs[1], (double)fast[1]);
	assert_true(maxrel < 1e-5);
	assert_true(fast[1] > 100.0f * probs[1]); /* why the two softmaxes */
}

/* C = op(A) op(B) + beta C in double, row-major. */
static void gemm_ref(int ta, int tb, int m, int n, int k, const float *a, const float *b,
                     float beta, const float *c0, double *c)
{
	int i, j, p;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			double s = beta * c0[i * n + j];
			for (p = 0; p < k; p++)
				s += (double)(ta ? a[p * m + i] : a[i * k + p]) *
				     (tb ? b[j * k + p] : b[p * n + j]);
			c[i * n + j] = s;
		}
}

static void test_gemm(void **state)
{
	int m = 37, n = 29, k = 301, ta, tb, i;
	float *a = rand_vec((size_t)m * k, 1.0f), *b = rand_vec((size_t)k * n, 1.0f);
	float *c0 = rand_vec((size_t)m * n, 1.0f), *c = malloc((size_t)m * n * sizeof *c);
	double *ref = malloc((size_t)m * n * sizeof *ref);
	struct xnr_error err;
	(void)state;

	printf("gemm backend: %s\n", xnr_gemm_backend());
	xnr_gemm_warm(); /* the server's job threads start with it: products after it are right */
	for (ta = 0; ta < 2; ta++)
		for (tb = 0; tb < 2; tb++) {
			float beta = tb ? 1.0f : 0.0f;
			double maxd = 0;
			memcpy(c, c0, (size_t)m * n * sizeof *c);
			assert_int_equal(xnr_gemm(ta, tb, m, n, k, 1.0f, a, ta ? m : k, b,
			                          tb ? k : n, beta, c, n, &err),
			                 XNR_OK);
			gemm_ref(ta, tb, m, n, k, a, b, beta, c0, ref);
			for (i = 0; i < m * n; i++)
				maxd = fmax(maxd, fabs(ref[i] - c[i]));
			/* Sums of 301 products of values in [-1,1]: |C| <~ 10, f32 error ~1e-5. */
			printf("gemm trans_a=%d trans_b=%d beta=%g: max |diff| %.3g (tolerance "
			       "1e-4)\n",
			       ta, tb, beta, maxd);
			assert_true(maxd < 1e-4);
		}
	memcpy(c, c0, (size_t)m * n * sizeof *c);
	assert_int_equal(xnr_gemm_linear(m, n, k, a, b, 1, c, &err), XNR_OK);
	gemm_ref(0, 1, m, n, k, a, b, 1.0f, c0, ref);
	for (i = 0; i < m * n; i++)
		assert_true(fabs(ref[i] - c[i]) < 1e-4);
	assert_int_equal(xnr_gemm(0, 0, m, n, 0, 1.0f, a, 1, b, n, 0.0f, c, n, &err), XNR_OK);
	assert_true(c[0] == 0.0f && c[m * n - 1] == 0.0f);
	assert_int_equal(xnr_gemm(0, 0, -1, n, k, 1.0f, a, k, b, n, 0.0f, c, n, &err),
	                 XNR_ERR_INTERNAL);
	xnr_gemm_set_threads(2);
	memcpy(c, c0, (size_t)m * n * sizeof *c);
	assert_int_equal(xnr_gemm_linear(m, n, k, a, b, 0, c, &err), XNR_OK);
	gemm_ref(0, 1, m, n, k, a, b, 0.0f, c0, ref);
	for (i = 0; i < m * n; i++)
		assert_true(fabs(ref[i] - c[i]) < 1e-4);
	free(a);
	free(b);
	free(c0);
	free(c);
	free(ref);
}

/* Two Linears on one input split over a 3-thread pool (blocks of 16 columns
 * crossing from one output into the next), with bias and GELU on the second,
 * against double; and the same without a pool. */
static void test_gemm_pool(void **state)
{
	int m = 23, k = 70, n1 = 37, n2 = 50, threads, i, j;
	float *x = rand_vec((size_t)m * k, 1.0f), *w1 = rand_vec((size_t)n1 * k, 0.2f);
	float *w2 = rand_vec((size_t)n2 * k, 0.2f), *b2 = rand_vec((size_t)n2, 1.0f);
	float *y1 = malloc((size_t)m * n1 * sizeof *y1), *y2 = malloc((size_t)m * n2 * sizeof *y2);
	double *r1 = malloc((size_t)m * n1 * sizeof *r1), *r2 = malloc((size_t)m * n2 * sizeof *r2);
	struct xnr_linear_out outs[2] = {{w1, NULL, XNR_ACT_LINEAR, n1, y1, NULL},
	                                 {w2, b2, XNR_ACT_GELU, n2, y2, NULL}};
	struct xnr_error err;
	(void)state;

	gemm_ref(0, 1, m, n1, k, x, w1, 0.0f, y1, r1);
	gemm_ref(0, 1, m, n2, k, x, w2, 0.0f, y2, r2);
	for (i = 0; i < m; i++)
		for (j = 0; j < n2; j++)
			r2[i * n2 + j] = act_ref(r2[i * n2 + j] + b2[j], XNR_ACT_GELU);
	for (threads = 1; threads <= 3; threads += 2) {
		struct xnr_pool *pool = NULL;
		double maxd = 0;
		assert_int_equal(xnr_pool_open(threads, &pool, &err), XNR_OK);
		memset(y1, 0xff,
		       (size_t)m * n1 * sizeof *y1); /* NaNs: every column must be written */
		memset(y2, 0xff, (size_t)m * n2 * sizeof *y2);
		assert_int_equal(xnr_gemm_linear_pool_n(pool, m, k, x, outs, 2, &err), XNR_OK);
		for (i = 0; i < m * n1; i++) {
			assert_false(isnan(y1[i]));
			maxd = fmax(maxd, fabs(r1[i] - y1[i]));
		}
		for (i = 0; i < m * n2; i++) {
			assert_false(isnan(y2[i]));
			maxd = fmax(maxd, fabs(r2[i] - y2[i]));
		}
		printf("pool gemm, %d thread(s): max |diff| %.3g (tolerance 1e-5)\n", threads,
		       maxd);
		assert_true(maxd < 1e-5);
		xnr_pool_close(pool);
	}
	free(x);
	free(w1);
	free(w2);
	free(b2);
	free(y1);
	free(y2);
	free(r1);
	free(r2);
}

/* One head through the kernels against softmax(QK^T/sqrt(d))V in double. */
static void test_attention_head(void **state)
{
	int S = 19, d = 16, ld = 40, i, j, c;
	float *q = rand_vec((size_t)S * ld, 2.0f), *k = rand_vec((size_t)S * ld, 2.0f);
	float *v = rand_vec((size_t)S * ld, 2.0f), *qb = rand_vec((size_t)d, 1.0f);
	float *kb = rand_vec((size_t)d, 1.0f), *vb = rand_vec((size_t)d, 1.0f);
	float *kt = malloc((size_t)d * xnr_attn_stride(S) * sizeof *kt), qs[16], p[32], out[16];
	struct xnr_attn_head h = {S, d, ld, 0.25f, q, k, v, qb, kb, vb};
	double maxd = 0;
	(void)state;

	xnr_attn_keys_t(&h, kt);
	for (i = 0; i < S; i++) {
		double sc[19], mx = -INFINITY, s = 0;
		xnr_attn_query(&h, i, qs);
		xnr_attn_scores_dot(qs, kt, S, d, p);
		xnr_softmax(p, S);
		xnr_attn_mix(&h, p, out);
		for (j = 0; j < S; j++) {
			double dot = 0;
			for (c = 0; c < d; c++)
				dot += ((double)q[i * ld + c] + qb[c]) *
				       ((double)k[j * ld + c] + kb[c]);
			sc[j] = dot / sqrt((double)d);
			mx = fmax(mx, sc[j]);
		}
		for (j = 0; j < S; j++)
			s += sc[j] = exp(sc[j] - mx);
		for (c = 0; c < d; c++) {
			double o = 0;
			for (j = 0; j < S; j++)
				o += sc[j] / s * ((double)v[j * ld + c] + vb[c]);
			maxd = fmax(maxd, fabs(o - out[c]));
		}
	}
	printf("attention head S=%d d=%d: max |diff| %.3g (tolerance 1e-5)\n", S, d, maxd);
	assert_true(maxd < 1e-5);
	free(q);
	free(k);
	free(v);
	free(qb);
	free(kb);
	free(vb);
	free(kt);
}

/* A row's result does not depend on the rows it ran with: 1..40 rows give
 * the bits the first rows of 120 give, on 1 and 2 pool threads (a sharded
 * run equals the whole one; oneDNN's path below 16 rows sums differently). */
static void test_gemm_rows_invariant(void **state)
{
	int M = 120, k = 256, n = 300, m, threads;
	float *x = rand_vec((size_t)M * k, 1.0f), *w = rand_vec((size_t)n * k, 0.2f);
	float *ref = malloc((size_t)M * n * sizeof *ref), *y = malloc((size_t)M * n * sizeof *y);
	struct xnr_error err;
	(void)state;

	for (threads = 1; threads <= 2; threads++) {
		struct xnr_pool *pool = NULL;
		assert_int_equal(xnr_pool_open(threads, &pool, &err), XNR_OK);
		assert_int_equal(
		    xnr_gemm_linear_pool(pool, M, n, k, x, w, NULL, XNR_ACT_LINEAR, ref, &err),
		    XNR_OK);
		for (m = 1; m <= 40; m++) {
			assert_int_equal(xnr_gemm_linear_pool(pool, m, n, k, x, w, NULL,
			                                      XNR_ACT_LINEAR, y, &err),
			                 XNR_OK);
			assert_memory_equal(y, ref, (size_t)m * n * sizeof *y);
		}
		xnr_pool_close(pool);
	}
	free(x);
	free(w);
	free(ref);
	free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layernorm),      cmocka_unit_test(test_activations),
	    cmocka_unit_test(test_softmax),        cmocka_unit_test(test_softmax_probs),
	    cmocka_unit_test(test_gemm),           cmocka_unit_test(test_gemm_pool),
	    cmocka_unit_test(test_attention_head), cmocka_unit_test(test_gemm_rows_invariant),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
