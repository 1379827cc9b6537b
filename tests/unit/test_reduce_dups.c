/*
 * test_reduce_dups.c - xnr_cosine_pairs: exact duplicates, threshold,
 * ordering and ties, max_pairs truncation and n_total, zero rows, a
 * brute-force double-precision cross-check on random data spanning several
 * tiles, argument checks, cancellation.
 */
#include <stdint.h>

#include "reduce/reduce.h"
#include "reduce_fixture.h"
#include "tensor/gemm.h"

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

static float *random_rows(long n, int d, uint64_t seed)
{
	float *x = malloc(sizeof *x * (size_t)(n * d));
	assert_non_null(x);
	for (long i = 0; i < n * d; i++)
		x[i] = (float)(lcg(&seed) % 2001) / 1000.0f - 1.0f;
	return x;
}

static double cos_ref(const float *x, int d, long i, long j)
{
	double dot = 0, a = 0, b = 0;
	for (int c = 0; c < d; c++) {
		dot += (double)x[i * d + c] * x[j * d + c];
		a += (double)x[i * d + c] * x[i * d + c];
		b += (double)x[j * d + c] * x[j * d + c];
	}
	return a > 0 && b > 0 ? dot / sqrt(a * b) : 0.0;
}

static void check_order(const struct xnr_pair *p, long n)
{
	for (long t = 0; t + 1 < n; t++) {
		assert_true(p[t].i < p[t].j);
		int ok = p[t].sim > p[t + 1].sim ||
		         (p[t].sim == p[t + 1].sim &&
		          (p[t].i < p[t + 1].i || (p[t].i == p[t + 1].i && p[t].j < p[t + 1].j)));
		if (!ok)
			fail_msg("pairs %ld and %ld out of order", t, t + 1);
	}
}

/* Rows 3 and 11 equal, 5 = 2.5 * row 7 (same direction), rows 0 and 9 zero. */
static void test_exact_duplicates(void **state)
{
	(void)state;
	const long n = 16;
	const int d = 8;
	float *x = random_rows(n, d, 1);
	memcpy(x + 11 * d, x + 3 * d, sizeof *x * d);
	for (int c = 0; c < d; c++)
		x[5 * d + c] = 2.5f * x[7 * d + c];
	memset(x, 0, sizeof *x * d);
	memset(x + 9 * d, 0, sizeof *x * d);
	struct xnr_pair *p = NULL;
	long np = -1, total = -1;
	struct xnr_error err = {0};
	assert_int_equal(xnr_cosine_pairs(x, n, d, 0.95f, 100, NULL, &p, &np, &total, &err),
	                 XNR_OK);
	assert_int_equal(np, 2);
	assert_int_equal(total, 2);
	check_order(p, np);
	/* Equal similarities (both 1 after clamping, or within 1e-6): ties go to smaller i. */
	assert_true(p[0].sim > 0.99999f && p[1].sim > 0.99999f);
	assert_true((p[0].i == 3 && p[0].j == 11 && p[1].i == 5 && p[1].j == 7) ||
	            (p[0].i == 5 && p[0].j == 7 && p[1].i == 3 && p[1].j == 11));
	free(p);
	/* Zero rows: similarity 0 with everything, so a cutoff of 0 pairs them with all rows. */
	assert_int_equal(xnr_cosine_pairs(x, n, d, 0.0f, 1000, NULL, &p, &np, &total, &err),
	                 XNR_OK);
	long zero_pairs = 0;
	for (long t = 0; t < np; t++)
		if (p[t].i == 0 || p[t].j == 0 || p[t].i == 9 || p[t].j == 9) {
			assert_true(p[t].sim == 0.0f);
			zero_pairs++;
		}
	assert_int_equal(zero_pairs, 15 + 14);
	check_order(p, np);
	free(p);
	free(x);
}

/* Ties: all rows identical, so every pair has similarity 1 and the order is (i, j). */
static void test_ties_and_truncation(void **state)
{
	(void)state;
	float x[6 * 3];
	for (int i = 0; i < 18; i++)
		x[i] = (float)(i % 3 + 1);
	struct xnr_pair *p = NULL;
	long np, total;
	struct xnr_error err = {0};
	assert_int_equal(xnr_cosine_pairs(x, 6, 3, 0.9f, 4, NULL, &p, &np, &total, &err), XNR_OK);
	assert_int_equal(total, 15);
	assert_int_equal(np, 4);
	static const long want[4][2] = {{0, 1}, {0, 2}, {0, 3}, {0, 4}};
	for (int t = 0; t < 4; t++) {
		assert_int_equal(p[t].i, want[t][0]);
		assert_int_equal(p[t].j, want[t][1]);
		assert_true(p[t].sim == 1.0f);
	}
	free(p);
	/* max_pairs 0: nothing kept, everything counted. */
	assert_int_equal(xnr_cosine_pairs(x, 6, 3, 0.9f, 0, NULL, &p, &np, &total, &err), XNR_OK);
	assert_int_equal(np, 0);
	assert_null(p);
	assert_int_equal(total, 15);
	/* Nothing passes: threshold above 1. n of 0 and 1: no pairs. */
	assert_int_equal(xnr_cosine_pairs(x, 6, 3, 1.5f, 10, NULL, &p, &np, &total, &err), XNR_OK);
	assert_true(np == 0 && total == 0 && p == NULL);
	assert_int_equal(xnr_cosine_pairs(x, 1, 3, -1.0f, 10, NULL, &p, &np, &total, &err), XNR_OK);
	assert_true(np == 0 && total == 0 && p == NULL);
	assert_int_equal(xnr_cosine_pairs(x, 0, 3, -1.0f, 10, NULL, &p, &np, &total, &err), XNR_OK);
	assert_true(np == 0 && total == 0 && p == NULL);
}

/* 4700 rows: three row tiles, two column tiles, ragged edges. Low-dimensional rows so
 * many pairs pass 0.9; pairs within 1e-5 of the cutoff may fall either way in f32. */
static void test_brute_force(void **state)
{
	(void)state;
	const long n = 4700;
	const int d = 4;
	const float thr = 0.9f;
	float *x = random_rows(n, d, 7);
	struct xnr_pair *p = NULL;
	long np, total;
	struct xnr_error err = {0};
	assert_int_equal(xnr_cosine_pairs(x, n, d, thr, 500, NULL, &p, &np, &total, &err), XNR_OK);
	long ref_total = 0, near = 0;
	for (long i = 0; i < n; i++)
		for (long j = i + 1; j < n; j++) {
			double s = cos_ref(x, d, i, j);
			near += fabs(s - thr) < 1e-5;
			ref_total += s >= thr;
		}
	printf("  %ld pairs >= %.2f (reference %ld, %ld within 1e-5 of the cutoff)\n", total, thr,
	       ref_total, near);
	assert_true(labs(total - ref_total) <= near);
	assert_int_equal(np, 500);
	check_order(p, np);
	double worst = 0;
	for (long t = 0; t < np; t++)
		worst = fmax(worst, fabs(p[t].sim - cos_ref(x, d, p[t].i, p[t].j)));
	/* Every pair not kept is no more similar than the last kept (up to f32 rounding). */
	for (long i = 0; i < n; i++)
		for (long j = i + 1; j < n; j++)
			if (cos_ref(x, d, i, j) > p[np - 1].sim + 1e-5) {
				int found = 0;
				for (long t = 0; t < np && !found; t++)
					found = p[t].i == i && p[t].j == j;
				if (!found)
					fail_msg("pair (%ld, %ld) sim %.7f missing", i, j,
					         cos_ref(x, d, i, j));
			}
	printf("  max |sim - double reference| %.3g\n", worst);
	assert_true(worst < 1e-5);
	free(p);
	free(x);
}

static void test_arguments(void **state)
{
	(void)state;
	float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct xnr_pair *p = NULL;
	long np, total;
	struct xnr_error err = {0};
	tu_expect_input(xnr_cosine_pairs(NULL, 2, 4, 0.5f, 5, NULL, &p, &np, &total, &err), &err,
	                "x is NULL");
	tu_expect_input(xnr_cosine_pairs(x, 2, 4, 0.5f, 5, NULL, NULL, &np, &total, &err), &err,
	                "pairs is NULL");
	tu_expect_input(xnr_cosine_pairs(x, 2, 4, 0.5f, 5, NULL, &p, NULL, &total, &err), &err,
	                "n_pairs is NULL");
	tu_expect_input(xnr_cosine_pairs(x, 2, 4, 0.5f, 5, NULL, &p, &np, NULL, &err), &err,
	                "n_total is NULL");
	tu_expect_input(xnr_cosine_pairs(x, -1, 4, 0.5f, 5, NULL, &p, &np, &total, &err), &err,
	                "n = -1");
	tu_expect_input(xnr_cosine_pairs(x, 2, 0, 0.5f, 5, NULL, &p, &np, &total, &err), &err,
	                "d = 0");
	tu_expect_input(xnr_cosine_pairs(x, 2, 4, NAN, 5, NULL, &p, &np, &total, &err), &err,
	                "threshold");
	tu_expect_input(xnr_cosine_pairs(x, 2, 4, 0.5f, -3, NULL, &p, &np, &total, &err), &err,
	                "max_pairs = -3");
	x[6] = INFINITY;
	tu_expect_input(xnr_cosine_pairs(x, 2, 4, 0.5f, 5, NULL, &p, &np, &total, &err), &err,
	                "x[6] is infinite");
	assert_null(p);
}

static void test_progress_cancel(void **state)
{
	(void)state;
	float *x = random_rows(9000, 4, 3);
	struct xnr_pair *p = NULL;
	long np = -1, total = -1;
	struct rfx_watch w = {"duplicates", 0, 2, 0, 0};
	struct xnr_ctl ctl = {rfx_on_progress, &w, &w.flag};
	struct xnr_error err = {0};
	assert_int_equal(xnr_cosine_pairs(x, 9000, 4, 0.99f, 10, &ctl, &p, &np, &total, &err),
	                 XNR_ERR_CANCELLED);
	assert_int_equal(w.calls, 2);
	assert_true(p == NULL && np == -1 && total == -1);
	w = (struct rfx_watch){"duplicates", 0, 0, 0, 0};
	ctl.cancel = NULL;
	assert_int_equal(xnr_cosine_pairs(x, 9000, 4, 0.99f, 10, &ctl, &p, &np, &total, &err),
	                 XNR_OK);
	assert_true(w.last == 1.0 && np == 10);
	free(p);
	free(x);
}

int main(void)
{
	/* Many small products: one BLAS thread avoids OpenMP barriers on busy cores. */
	xnr_gemm_set_threads(1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact_duplicates), cmocka_unit_test(test_ties_and_truncation),
	    cmocka_unit_test(test_brute_force),      cmocka_unit_test(test_arguments),
	    cmocka_unit_test(test_progress_cancel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
