/*
 * test_analysis_buckets.c - ExplainaBoard's cases, attributes and bucket
 * edges (analysis/buckets.h) on small cases worked by hand: continuous
 * buckets never split equal values and end at the largest, discrete ones
 * keep the most frequent values (ties by first appearance), fixed ones are
 * open at both ends; the cases merge gold and predicted spans; entity
 * frequency, label consistency, OOV and capitalisation against a reference.
 * Real runs are checked against tests/cli/buckets_check.py.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/buckets.h"

static void test_continuous(void **state)
{
	/* 8 values, 4 buckets: the cutoff 2 falls inside the run of 2s, so the
	 * first bucket takes all of them; 9 is the largest and closes the rest. */
	const double v[] = {2, 1, 2, 2, 5, 6, 7, 9};
	struct xnr_bucketing b;
	struct xnr_error err;
	(void)state;

	assert_int_equal(xnr_bucket_continuous(v, 8, 4, &b, &err), XNR_OK);
	assert_int_equal(b.n, 3);
	assert_true(b.lo[0] == 1 && b.hi[0] == 2 && b.count[0] == 4);
	assert_true(b.lo[1] == 5 && b.hi[1] == 6 && b.count[1] == 2);
	assert_true(b.lo[2] == 7 && b.hi[2] == 9 && b.count[2] == 2);
	assert_int_equal(xnr_bucket_of(&b, 0.5), 0);
	assert_int_equal(xnr_bucket_of(&b, 4), 1);
	assert_int_equal(xnr_bucket_of(&b, 100), 2);
	assert_int_equal(xnr_bucket_of(&b, NAN), -1);
	assert_int_equal(xnr_bucket_continuous(v, 8, 1, &b, &err), XNR_OK);
	assert_true(b.n == 1 && b.lo[0] == 1 && b.hi[0] == 9 && b.count[0] == 8);
	assert_int_equal(xnr_bucket_continuous(v, 0, 4, &b, &err), XNR_OK);
	assert_int_equal(b.n, 0);
	assert_int_equal(xnr_bucket_of(&b, 1), -1);
	assert_int_equal(xnr_bucket_continuous(v, 8, 0, &b, &err), XNR_ERR_INPUT);
	assert_int_equal(xnr_bucket_continuous(v, 8, XNR_BUCKET_MAX + 1, &b, &err), XNR_ERR_INPUT);
}

static void test_discrete_and_fixed(void **state)
{
	const double v[] = {3, 1, 1, 3, 2, 7};
	const double edges[] = {1, 2.5}, bad[] = {2, 2};
	struct xnr_bucketing b;
	struct xnr_error err;
	(void)state;

	assert_int_equal(xnr_bucket_discrete(v, 6, 3, &b, &err), XNR_OK);
	assert_int_equal(b.n, 3);
	assert_true(b.lo[0] == 3 && b.count[0] == 2 && b.lo[1] == 1 && b.lo[2] == 2);
	assert_int_equal(xnr_bucket_of(&b, 7), -1);
	assert_int_equal(xnr_bucket_of(&b, 1), 1);
	assert_int_equal(xnr_bucket_fixed(edges, 2, &b, &err), XNR_OK);
	assert_true(b.n == 3 && isinf(b.lo[0]) && b.hi[0] == 1 && isinf(b.hi[2]));
	assert_int_equal(xnr_bucket_of(&b, 1), 0);
	assert_int_equal(xnr_bucket_of(&b, 1.5), 1);
	assert_int_equal(xnr_bucket_of(&b, 3), 2);
	assert_int_equal(xnr_bucket_fixed(bad, 2, &b, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "ascending"));
}

/* Reference: "Bank of England" ORG twice, once "England" LOC, and "england"
 * as O once; the split has "Bank of England" gold ORG predicted LOC, and a
 * spurious "said". */
static void test_cases_and_features(void **state)
{
	const char *const ref_text[] = {"Bank", "of",   "England", "said",    "England",
	                                "won",  "Bank", "of",      "England", "england"};
	const size_t ref_start[] = {0, 4, 6, 10};
	const struct xnr_cons_span ref_gold[] = {{0, 0, 3, 1}, {1, 0, 1, 2}, {2, 0, 3, 1}};
	const struct xnr_bucket_corpus ref = {3, ref_start, ref_text, NULL, ref_gold, NULL, 3, 0};
	const char *const text[] = {"BANK", "of", "England", "said", "zzz"};
	const size_t start[] = {0, 5};
	const int32_t doc[] = {4};
	const struct xnr_cons_span gold[] = {{0, 0, 3, 1}}, pred[] = {{0, 0, 3, 2}, {0, 3, 4, 2}};
	const struct xnr_bucket_corpus c = {1, start, text, doc, gold, pred, 1, 2};
	struct xnr_bucket_ref *r = NULL;
	struct xnr_bucket_case *cases = NULL;
	double v[XNR_BATTR_COUNT * 2];
	struct xnr_error err;
	size_t n = 0;
	(void)state;

	assert_int_equal(xnr_bucket_cases(&c, &cases, &n, &err), XNR_OK);
	assert_int_equal(n, 2);
	assert_true(cases[0].gold == 1 && cases[0].pred == 2 && cases[0].end == 3);
	assert_true(cases[1].gold == 0 && cases[1].pred == 2 && cases[1].start == 3);
	assert_int_equal(xnr_bucket_ref_build(&ref, 2, &r, &err), XNR_OK);
	assert_int_equal(xnr_bucket_features(&c, cases, n, r, v, &err), XNR_OK);
	assert_true(v[XNR_BATTR_SPAN_LEN * 2] == 3 && v[XNR_BATTR_SENT_LEN * 2] == 5);
	assert_true(fabs(v[XNR_BATTR_DENSITY * 2] - 0.6) < 1e-15);
	/* "BANK" and "zzz" are not reference words (case-sensitive). */
	assert_true(fabs(v[XNR_BATTR_OOV * 2] - 0.4) < 1e-15);
	assert_true(v[XNR_BATTR_EFRE * 2] == 2 && v[XNR_BATTR_EFRE * 2 + 1] == 0);
	/* "bank of england" occurs twice, both ORG; "said" is no entity string. */
	assert_true(v[XNR_BATTR_ECON * 2] == 1.0 && v[XNR_BATTR_ECON * 2 + 1] == 0.0);
	assert_true(v[XNR_BATTR_CAPS * 2] == XNR_BCAPS_FIRST &&
	            v[XNR_BATTR_CAPS * 2 + 1] == XNR_BCAPS_LOW);
	assert_true(fabs(v[XNR_BATTR_POSITION * 2 + 1] - 0.6) < 1e-15);
	assert_true(v[XNR_BATTR_DOCUMENT * 2] == 4);
	free(cases);
	xnr_bucket_ref_free(r);
}

static void test_label_consistency(void **state)
{
	/* "england" occurs four times in the reference (lower-cased): LOC once,
	 * O three times (inside the ORG spans it is no span of its own). */
	const char *const ref_text[] = {"Bank", "of",   "England", "said",    "England",
	                                "won",  "Bank", "of",      "England", "england"};
	const size_t ref_start[] = {0, 4, 6, 10};
	const struct xnr_cons_span ref_gold[] = {{0, 0, 3, 1}, {1, 0, 1, 2}, {2, 0, 3, 1}};
	const struct xnr_bucket_corpus ref = {3, ref_start, ref_text, NULL, ref_gold, NULL, 3, 0};
	const char *const text[] = {"ENGLAND"};
	const size_t start[] = {0, 1};
	const struct xnr_cons_span gold[] = {{0, 0, 1, 2}};
	const struct xnr_bucket_corpus c = {1, start, text, NULL, gold, NULL, 1, 0};
	struct xnr_bucket_ref *r = NULL;
	struct xnr_bucket_case *cases = NULL;
	double v[XNR_BATTR_COUNT];
	struct xnr_error err;
	size_t n = 0;
	(void)state;

	assert_int_equal(xnr_bucket_cases(&c, &cases, &n, &err), XNR_OK);
	assert_int_equal(xnr_bucket_ref_build(&ref, 2, &r, &err), XNR_OK);
	assert_int_equal(xnr_bucket_features(&c, cases, n, r, v, &err), XNR_OK);
	assert_true(fabs(v[XNR_BATTR_ECON] - 0.25) < 1e-15);
	assert_true(v[XNR_BATTR_EFRE] == 1 && v[XNR_BATTR_CAPS] == XNR_BCAPS_FULL);
	free(cases);
	xnr_bucket_ref_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_continuous),
	    cmocka_unit_test(test_discrete_and_fixed),
	    cmocka_unit_test(test_cases_and_features),
	    cmocka_unit_test(test_label_consistency),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
