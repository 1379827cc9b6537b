/*
 * test_reduce_neighbours.c - the blocked cosine kNN against a brute-force
 * double-precision search: same neighbours and similarities for one block
 * and for many, one thread and two, with and without group exclusion; ties
 * to the smaller index, a zero vector, fewer eligible rows than k, bad input.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/neighbours.h"

static uint64_t rng_state;

static double uniform(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double cosine(const float *a, const float *b, int d)
{
	double ab = 0, aa = 0, bb = 0;
	for (int t = 0; t < d; t++) {
		ab += (double)a[t] * b[t];
		aa += (double)a[t] * a[t];
		bb += (double)b[t] * b[t];
	}
	return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0.0;
}

/* Search q in r with block size `block` and n_threads, compare with brute force. */
static void check(const float *q, long nq, const float *r, long nr, int d, const int32_t *qg,
                  const int32_t *rg, int k, long block, int n_threads)
{
	struct xnr_nn *nn = NULL;
	struct xnr_error err = {0};
	double max_diff = 0;

	assert_int_equal(xnr_nn_open(q, nq, d, qg, k, n_threads, &nn, &err), XNR_OK);
	for (long b = 0; b < nr; b += block) {
		long n = nr - b < block ? nr - b : block;
		assert_int_equal(xnr_nn_add(nn, r + b * d, n, rg ? rg + b : NULL, NULL, &err),
		                 XNR_OK);
	}
	for (long i = 0; i < nq; i++) {
		int n, want = 0;
		const struct xnr_nn_hit *h = xnr_nn_get(nn, i, &n);
		for (long j = 0; j < nr; j++)
			want += !(qg && rg && qg[i] >= 0 && rg[j] == qg[i]);
		assert_int_equal(n, want < k ? want : k);
		for (int t = 0; t < n; t++) {
			double s = cosine(q + i * d, r + (long)h[t].idx * d, d);
			max_diff = fabs(s - h[t].sim) > max_diff ? fabs(s - h[t].sim) : max_diff;
			assert_false(qg && rg && rg[h[t].idx] == qg[i] && qg[i] >= 0);
			if (t)
				assert_true(h[t - 1].sim > h[t].sim ||
				            (h[t - 1].sim == h[t].sim && h[t - 1].idx < h[t].idx));
		}
		/* nothing left out beats the last one kept (float similarities, a small margin) */
		for (long j = 0; n == k && j < nr; j++) {
			int kept = 0;
			for (int t = 0; t < n; t++)
				kept |= h[t].idx == j;
			if (!kept && !(qg && rg && qg[i] >= 0 && rg[j] == qg[i]))
				assert_true(cosine(q + i * d, r + j * d, d) <= h[n - 1].sim + 1e-5);
		}
	}
	assert_true(max_diff < 1e-5);
	xnr_nn_close(nn);
}

static void test_random(void **state)
{
	enum { NQ = 300, NR = 2500, D = 40 };
	float *q = malloc(NQ * D * sizeof *q), *r = malloc(NR * D * sizeof *r);
	int32_t *qg = malloc(NQ * sizeof *qg), *rg = malloc(NR * sizeof *rg);

	(void)state;
	rng_state = 7;
	for (long i = 0; i < NQ * D; i++)
		q[i] = (float)(uniform() - 0.3);
	for (long i = 0; i < NR * D; i++)
		r[i] = (float)(uniform() - 0.3);
	for (long i = 0; i < NR; i++)
		rg[i] = (int32_t)(i / 7);
	for (long i = 0; i < NQ; i++)
		qg[i] = (int32_t)(i % 50) - 1; /* -1: a query of no group */
	check(q, NQ, r, NR, D, NULL, NULL, 10, NR, 1);
	check(q, NQ, r, NR, D, NULL, NULL, 10, 333, 2);
	check(q, NQ, r, NR, D, qg, rg, 5, 1000, 2);
	check(q, NQ, r, NR, D, qg, rg, 1, 97, 1);
	/* a split against itself: its own sentence (group) excluded, so never itself */
	check(r, 200, r, 200, D, rg, rg, 10, 64, 2);
	/* more neighbours asked than rows: all of them */
	check(q, 5, r, 3, D, NULL, NULL, 8, 3, 1);
	free(q);
	free(r);
	/* vectors crowded into 3 directions, like hidden states: the bound prunes most pairs */
	q = malloc(NQ * 64 * sizeof *q);
	r = malloc(NR * 64 * sizeof *r);
	for (long i = 0; i < NQ + NR; i++) {
		float *v = i < NQ ? q + i * 64 : r + (i - NQ) * 64;
		double a = uniform(), b = uniform(), c = uniform();
		for (int t = 0; t < 64; t++)
			v[t] = (float)(a * (t % 3 == 0) + b * (t % 3 == 1) + c * (t % 7 == 2) +
			               0.02 * (uniform() - 0.5));
	}
	check(q, NQ, r, NR, 64, NULL, NULL, 10, 700, 2);
	check(q, NQ, r, NR, 64, qg, rg, 3, NR, 1);
	free(q);
	free(r);
	free(qg);
	free(rg);
}

/* Equal rows tie: the smaller index first, at any block size and thread count. */
static void test_ties(void **state)
{
	float q[2 * 3] = {1, 0, 0, 0, 0, 0},
	            r[6 * 3] = {0, 1, 0, 2, 0, 0, 0, 0, 1, 1, 0, 0, 3, 0, 0, 1, 1, 0};
	struct xnr_nn *nn = NULL;
	struct xnr_error err = {0};
	const struct xnr_nn_hit *h;
	int n;

	(void)state;
	for (int threads = 1; threads <= 2; threads++) {
		assert_int_equal(xnr_nn_open(q, 2, 3, NULL, 3, threads, &nn, &err), XNR_OK);
		assert_int_equal(xnr_nn_add(nn, r, 4, NULL, NULL, &err), XNR_OK);
		assert_int_equal(xnr_nn_add(nn, r + 12, 2, NULL, NULL, &err), XNR_OK);
		h = xnr_nn_get(nn, 0, &n);
		assert_int_equal(n, 3);
		assert_int_equal(h[0].idx, 1);
		assert_int_equal(h[1].idx, 3);
		assert_int_equal(h[2].idx, 4);
		assert_true(fabsf(h[0].sim - 1.0f) < 1e-6f);
		h = xnr_nn_get(nn, 1, &n); /* the zero query: similarity 0 to all, by index */
		assert_int_equal(n, 3);
		assert_int_equal(h[0].idx, 0);
		assert_true(h[0].sim == 0.0f && h[2].idx == 2);
		xnr_nn_close(nn);
	}
}

static void test_bad_input(void **state)
{
	float q[4] = {1, 2, 3, NAN};
	struct xnr_nn *nn = NULL;
	struct xnr_error err = {0};

	(void)state;
	tu_expect_input(xnr_nn_open(q, 1, 2, NULL, 0, 1, &nn, &err), &err, "k = 0");
	tu_expect_input(xnr_nn_open(q, 0, 2, NULL, 3, 1, &nn, &err), &err, "0 queries");
	tu_expect_input(xnr_nn_open(q, 2, 2, NULL, 3, 1, &nn, &err), &err, "not finite");
	assert_int_equal(xnr_nn_open(q, 1, 2, NULL, 3, 1, &nn, &err), XNR_OK);
	tu_expect_input(xnr_nn_add(nn, q, 2, NULL, NULL, &err), &err, "not finite");
	xnr_nn_close(nn);
	xnr_nn_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random),
	    cmocka_unit_test(test_ties),
	    cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
