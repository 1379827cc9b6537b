/*
 * fuzz_reduce_inputs.c - the reduce module on arbitrary shapes and values:
 * byte 0 picks PCA, TruncatedSVD, NMF or the duplicate search, bytes 1-4 the
 * sizes and a parameter, the rest the matrix (one byte per value; 0x7f is
 * +Inf, 0x80 NaN). Any status is fine; a crash, leak, hang, non-finite
 * output or a k/n outside the contract is not.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/reduce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_finite(const float *v, long count)
{
	for (long i = 0; i < count; i++)
		if (!isfinite(v[i]))
			abort();
}

static void run_dups(const float *x, long n, int d, uint8_t param)
{
	struct xnr_pair *p = NULL;
	long np = 0, total = 0;
	float thr = (float)(param % 64) / 32.0f - 1.0f;
	if (xnr_cosine_pairs(x, n, d, thr, param % 7, NULL, &p, &np, &total, NULL) == XNR_OK) {
		if (np > param % 7 || np > total)
			abort();
		for (long t = 0; t < np; t++)
			if (p[t].i >= p[t].j || p[t].j >= n || p[t].sim < thr)
				abort();
	}
	free(p);
}

static void run_one(uint8_t op, const float *x, long n, int d, int k, uint8_t param)
{
	float *y = calloc((size_t)(n * (k > 0 ? k : 1)), sizeof *y);
	float *c = calloc((size_t)((k > 0 ? k : 1) * d), sizeof *c);
	double evr[16];
	if (!y || !c)
		abort();
	struct xnr_nmf_params p = xnr_nmf_default_params();
	switch (op % 4) {
	case 0:
		if (xnr_pca(x, n, d, k, y, c, evr, NULL) == XNR_OK)
			check_finite(y, n * k);
		break;
	case 1:
		if (xnr_tsvd(x, n, d, k, param % 8, param, y, evr, NULL) == XNR_OK)
			check_finite(y, n * k);
		break;
	case 2:
		p.k = k;
		p.max_iter = 1 + param % 50;
		p.init = (enum xnr_nmf_init)(param % 2);
		if (xnr_nmf(x, n, d, &p, NULL, y, c, NULL, NULL) == XNR_OK) {
			check_finite(y, n * k);
			check_finite(c, (long)k * d);
		}
		break;
	default:
		run_dups(x, n, d, param);
	}
	free(y);
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	long n = data[1] % 24;
	int d = data[2] % 17, k = data[3] % 9;
	float *x = calloc((size_t)(n * d) + 1, sizeof *x);
	if (!x)
		abort();
	for (long i = 0; i < n * d && 5 + (size_t)i < size; i++) {
		uint8_t b = data[5 + i];
		x[i] = b == 0x7f ? INFINITY : b == 0x80 ? NAN : (float)(int8_t)b / 16.0f;
	}
	/* NMF wants non-negative input: fold the sign half of the time so it gets past the check.
	 */
	if (data[0] % 4 == 2 && data[4] & 1)
		for (long i = 0; i < n * d; i++)
			x[i] = fabsf(x[i]);
	run_one(data[0], x, n, d, k, data[4]);
	free(x);
	return 0;
}
