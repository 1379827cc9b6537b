/*
 * test_analysis_cleanlab.c - confident learning against the numpy port of
 * cleanlab (tests/gen/cleanlab_port.py -> tests/fixtures/cleanlab/cases):
 * identical flags, guesses and confident joints and the same thresholds on
 * fixed random data (noisy, clean, classes never given, saturated
 * probabilities whose margins tie); hand-made cases for the scores and the
 * sentence softmin; bad input.
 */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/cleanlab.h"
#include "core/file.h"
#include "core/json.h"

static int32_t *int_array(const json_t *a, size_t *n)
{
	int32_t *v = malloc((json_array_size(a) + 1) * sizeof *v);
	size_t i;
	assert_non_null(v);
	for (i = 0; i < json_array_size(a); i++)
		v[i] = (int32_t)json_integer_value(json_array_get(a, i));
	*n = json_array_size(a);
	return v;
}

/* One fixture case against xnr_cl_find_issues; returns the flags found. */
static size_t check_case(const json_t *c, const float *probs)
{
	struct xnr_cl_result r;
	struct xnr_error err = {0};
	size_t n, n_guess, n_issues, i, found = 0;
	int k = (int)json_integer_value(json_object_get(c, "k")), a;
	int32_t *labels = int_array(json_object_get(c, "labels"), &n);
	int32_t *guess = int_array(json_object_get(c, "guess"), &n_guess);
	int32_t *issues = int_array(json_object_get(c, "issues"), &n_issues);
	const json_t *thr = json_object_get(c, "thresholds"),
	             *cj = json_object_get(c, "confident_joint");
	double max_thr = 0.0;

	assert_int_equal(xnr_cl_find_issues(labels, probs, n, k, &r, &err), XNR_OK);
	assert_int_equal(n_guess, n);
	for (a = 0; a < k; a++) {
		double d = fabs(r.thresholds[a] - json_real_value(json_array_get(thr, (size_t)a)));
		max_thr = d > max_thr ? d : max_thr;
		for (int b = 0; b < k; b++)
			assert_int_equal(r.joint[a * k + b],
			                 json_integer_value(json_array_get(
			                     json_array_get(cj, (size_t)a), (size_t)b)));
	}
	assert_true(max_thr == 0.0);
	for (i = 0; i < n; i++)
		assert_int_equal(r.guess[i], guess[i]);
	for (i = 0; i < n; i++)
		found += r.issue[i];
	assert_int_equal(found, n_issues);
	assert_int_equal(r.n_issues, n_issues);
	for (i = 0; i < n_issues; i++)
		assert_int_equal(r.issue[issues[i]], 1);
	print_message(
	    "cleanlab parity: %zu words, %d classes, %zu issues, thresholds max diff %g\n", n, k,
	    n_issues, max_thr);
	xnr_cl_result_free(&r);
	free(labels);
	free(guess);
	free(issues);
	return found;
}

static void test_parity(void **state)
{
	struct xnr_error err = {0};
	json_t *meta = NULL, *c;
	char *bin = NULL;
	size_t bin_len = 0, off = 0, i, total = 0;

	(void)state;
	assert_int_equal(
	    xnr_json_load(tu_src("tests/fixtures/cleanlab/cases.json"), 1 << 20, &meta, &err),
	    XNR_OK);
	assert_int_equal(xnr_file_read(tu_src("tests/fixtures/cleanlab/cases.bin"), 1 << 24, &bin,
	                               &bin_len, &err),
	                 XNR_OK);
	json_array_foreach(json_object_get(meta, "cases"), i, c)
	{
		size_t n = (size_t)json_integer_value(json_object_get(c, "n"));
		size_t k = (size_t)json_integer_value(json_object_get(c, "k"));
		float *p = malloc(n * k * sizeof *p);
		assert_non_null(p);
		assert_true(off + n * k * 4 <= bin_len);
		memcpy(p, bin + off, n * k * 4); /* little-endian float32, as the store's BLOBs */
		off += n * k * 4;
		total += check_case(c, p);
		free(p);
	}
	assert_int_equal(off, bin_len);
	assert_true(total > 0);
	json_decref(meta);
	free(bin);
}

/* Four words of class 0 the model is sure are class 1 among clear ones: the
 * confident ones are flagged, a word the model agrees with is not. */
static void test_swap(void **state)
{
	enum { N = 12 };
	int32_t labels[N] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1};
	float p[N * 2];
	struct xnr_cl_result r;
	struct xnr_error err = {0};
	int i;

	(void)state;
	for (i = 0; i < N; i++) {
		p[2 * i] = labels[i] == 0 ? 0.9f : 0.1f;
		p[2 * i + 1] = 1.0f - p[2 * i];
	}
	p[2 * 10] = 0.02f; /* word 10 is given 0, the model says 1 */
	p[2 * 10 + 1] = 0.98f;
	p[2 * 11] = 0.97f; /* word 11 is given 1, the model says 0 */
	p[2 * 11 + 1] = 0.03f;
	assert_int_equal(xnr_cl_find_issues(labels, p, N, 2, &r, &err), XNR_OK);
	for (i = 0; i < N; i++)
		assert_int_equal(r.issue[i], i >= 10);
	assert_int_equal(r.guess[10], 1);
	assert_int_equal(r.guess[11], 0);
	assert_int_equal(r.n_issues, 2);
	/* mean p(0) over words given 0: (6 * 0.9 + 0.02) / 7 */
	assert_true(fabs(r.thresholds[0] - (6 * 0.9 + 0.02) / 7) < 1e-6);
	xnr_cl_result_free(&r);
	assert_int_equal(xnr_cl_find_issues(labels, p, 0, 2, &r, &err), XNR_OK);
	assert_int_equal(r.n_issues, 0);
	xnr_cl_result_free(&r);
}

static void test_scores(void **state)
{
	const float p[3] = {0.7f, 0.2f, 0.1f};
	const double s[3] = {0.9, 0.1, 0.8};
	double w0 = exp(0.1 / 0.05), w1 = exp(0.9 / 0.05), w2 = exp(0.2 / 0.05);

	(void)state;
	assert_true(xnr_cl_self_confidence(p, 3, 1) == (double)0.2f);
	assert_true(fabs(xnr_cl_normalized_margin(p, 3, 0) - (0.7 - 0.2 + 1) / 2) < 1e-7);
	assert_true(fabs(xnr_cl_normalized_margin(p, 3, 2) - (0.1 - 0.7 + 1) / 2) < 1e-7);
	assert_true(fabs(xnr_cl_softmin(s, 3, 0.05) -
	                 (0.9 * w0 + 0.1 * w1 + 0.8 * w2) / (w0 + w1 + w2)) < 1e-12);
	assert_true(xnr_cl_softmin(s, 3, 0.0) == 0.1);
	assert_true(xnr_cl_softmin(s, 0, 0.05) == 1.0);
	/* a large temperature tends to the mean */
	assert_true(fabs(xnr_cl_softmin(s, 3, 1e9) - 0.6) < 1e-6);
}

static void test_bad_input(void **state)
{
	int32_t labels[2] = {0, 2};
	float p[4] = {0.5f, 0.5f, 0.5f, 0.5f};
	struct xnr_cl_result r;
	struct xnr_error err = {0};

	(void)state;
	tu_expect_input(xnr_cl_find_issues(labels, p, 2, 2, &r, &err), &err, "label 2 of 2");
	tu_expect_input(xnr_cl_find_issues(labels, p, 2, 1, &r, &err), &err, "1 classes");
	labels[1] = 1;
	p[3] = NAN;
	tu_expect_input(xnr_cl_find_issues(labels, p, 2, 2, &r, &err), &err, "not finite");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parity),
	    cmocka_unit_test(test_swap),
	    cmocka_unit_test(test_scores),
	    cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
