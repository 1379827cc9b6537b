/*
 * test_tensor_lowp.c - the bf16 and int8 Linears (tensor/lowp.h): bf16
 * rounding as torch rounds (nearest, ties to even), int8 steps and codes,
 * and xnr_gemm_linear_pool_lowp against the f32 product within the error
 * the precision allows (stated next to each check, max printed), with bias
 * and GELU, on 1 and 3 pool threads. Skipped on a CPU without the
 * instructions (xnr_precision_check says which).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"
#include "tensor/gemm.h"
#include "tensor/kernels.h"
#include "tensor/lowp.h"

static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;

static float frand(float scale)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return scale * (float)((double)(rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static float from_bits(unsigned u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static void test_bf16_rounding(void **state)
{
	(void)state;
	/* 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even 1 */
	assert_int_equal(xnr_bf16_from_f32(from_bits(0x3f808000u)), 0x3f80);
	/* 1 + 3 * 2^-8: halfway, ties go up to the even 0x3f82 */
	assert_int_equal(xnr_bf16_from_f32(from_bits(0x3f818000u)), 0x3f82);
	assert_int_equal(xnr_bf16_from_f32(from_bits(0x3f808001u)), 0x3f81);
	assert_int_equal(xnr_bf16_from_f32(-2.0f), 0xc000);
	assert_int_equal(xnr_bf16_from_f32(INFINITY), 0x7f80);
	assert_true((xnr_bf16_from_f32(NAN) & 0x7fff) > 0x7f80);
}

static void test_int8_weights(void **state)
{
	const float w[2][4] = {{0.5f, -1.27f, 0.0f, 0.01f}, {0, 0, 0, 0}};
	struct xnr_lowp_w q;
	struct xnr_error err;
	const int8_t *d;
	(void)state;

	assert_int_equal(xnr_lowp_w_make(XNR_PRECISION_INT8, &w[0][0], 2, 4, &q, &err), XNR_OK);
	d = q.data;
	assert_float_equal(q.scale[0], 0.01f, 1e-7);
	assert_int_equal(d[0], 50);
	assert_int_equal(d[1], -127);
	assert_int_equal(d[2], 0);
	assert_int_equal(d[3], 1);
	assert_float_equal(q.scale[1], 1.0f, 0); /* a row of zeros keeps a step of 1 */
	xnr_lowp_w_free(&q);
	assert_int_equal(xnr_lowp_w_make(XNR_PRECISION_FP32, &w[0][0], 2, 4, &q, &err),
	                 XNR_ERR_INTERNAL);
}

/* Two Linears on one input in prec against double, relative to the size of
 * the output: bf16 inputs carry 8 bits, int8 7, over k = 200 products. */
static void check_prec(enum xnr_precision prec, double tol)
{
	int m = 19, k = 200, n1 = 40, n2 = 33, i, j, c, threads;
	float *x = malloc((size_t)m * k * sizeof *x), *w1 = malloc((size_t)n1 * k * sizeof *w1);
	float *w2 = malloc((size_t)n2 * k * sizeof *w2), *b2 = malloc((size_t)n2 * sizeof *b2);
	float *y1 = malloc((size_t)m * n1 * sizeof *y1), *y2 = malloc((size_t)m * n2 * sizeof *y2);
	void *mem = aligned_alloc(64, (xnr_lowp_x_bytes(prec, m, k) + 63) & ~(size_t)63);
	struct xnr_lowp_w q1, q2;
	struct xnr_lowp_x lx;
	struct xnr_error err;

	for (i = 0; i < m * k; i++)
		x[i] = frand(2.0f);
	for (i = 0; i < n1 * k; i++)
		w1[i] = frand(0.1f);
	for (i = 0; i < n2 * k; i++)
		w2[i] = frand(0.1f);
	for (i = 0; i < n2; i++)
		b2[i] = frand(1.0f);
	assert_int_equal(xnr_lowp_w_make(prec, w1, n1, k, &q1, &err), XNR_OK);
	assert_int_equal(xnr_lowp_w_make(prec, w2, n2, k, &q2, &err), XNR_OK);
	xnr_lowp_x_make(prec, x, m, k, 0, m, mem, &lx);
	for (threads = 1; threads <= 3; threads += 2) {
		struct xnr_linear_out outs[2] = {{w1, NULL, XNR_ACT_LINEAR, n1, y1, &q1},
		                                 {w2, b2, XNR_ACT_GELU, n2, y2, &q2}};
		struct xnr_pool *pool = NULL;
		double maxd = 0, scale = 0;
		assert_int_equal(xnr_pool_open(threads, &pool, &err), XNR_OK);
		memset(y1, 0xff, (size_t)m * n1 * sizeof *y1);
		memset(y2, 0xff, (size_t)m * n2 * sizeof *y2);
		assert_int_equal(xnr_gemm_linear_pool_lowp(pool, &lx, outs, 2, &err), XNR_OK);
		for (i = 0; i < m; i++)
			for (j = 0; j < n1 + n2; j++) {
				const float *w =
				    j < n1 ? w1 + (long)j * k : w2 + (long)(j - n1) * k;
				double r = 0, y = j < n1 ? y1[i * n1 + j] : y2[i * n2 + j - n1];
				for (c = 0; c < k; c++)
					r += (double)x[i * k + c] * w[c];
				if (j >= n1)
					r = xnr_act_one((float)(r + b2[j - n1]), XNR_ACT_GELU);
				assert_false(isnan(y));
				maxd = fmax(maxd, fabs(r - y));
				scale = fmax(scale, fabs(r));
			}
		printf("%s, %d thread(s): max |diff| %.3g, %.3g of the largest output (tolerance "
		       "%g)\n",
		       xnr_precision_name(prec), threads, maxd, maxd / scale, tol);
		assert_true(maxd / scale < tol);
		xnr_pool_close(pool);
	}
	/* weights of the other precision are refused, not misread */
	{
		struct xnr_lowp_w other = q1;
		struct xnr_linear_out bad = {w1, NULL, XNR_ACT_LINEAR, n1, y1, &other};
		other.prec = prec == XNR_PRECISION_BF16 ? XNR_PRECISION_INT8 : XNR_PRECISION_BF16;
		assert_int_equal(xnr_gemm_linear_pool_lowp(NULL, &lx, &bad, 1, &err),
		                 XNR_ERR_INTERNAL);
	}
	xnr_lowp_w_free(&q1);
	xnr_lowp_w_free(&q2);
	free(mem);
	free(x);
	free(w1);
	free(w2);
	free(b2);
	free(y1);
	free(y2);
}

static void test_bf16_gemm(void **state)
{
	struct xnr_error err;
	(void)state;
	if (xnr_precision_check(XNR_PRECISION_BF16, &err) != XNR_OK) {
		printf("bf16 not checked: %s\n", err.msg);
		skip();
	}
	check_prec(XNR_PRECISION_BF16, 1e-2);
}

static void test_int8_gemm(void **state)
{
	struct xnr_error err;
	(void)state;
	if (xnr_precision_check(XNR_PRECISION_INT8, &err) != XNR_OK) {
		printf("int8 not checked: %s\n", err.msg);
		skip();
	}
	check_prec(XNR_PRECISION_INT8, 3e-2);
}

static void test_parse(void **state)
{
	enum xnr_precision p;
	struct xnr_error err;
	(void)state;

	assert_int_equal(xnr_precision_parse("int8", &p, &err), XNR_OK);
	assert_int_equal(p, XNR_PRECISION_INT8);
	assert_int_equal(xnr_precision_parse("fp16", &p, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "fp32, bf16, int8"));
	assert_int_equal(xnr_precision_check(XNR_PRECISION_FP32, &err), XNR_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bf16_rounding), cmocka_unit_test(test_int8_weights),
	    cmocka_unit_test(test_bf16_gemm),     cmocka_unit_test(test_int8_gemm),
	    cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
