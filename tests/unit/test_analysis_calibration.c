/*
 * test_analysis_calibration.c - reliability bins, ECE and MCE
 * (analysis/calibration.h) on small cases worked by hand: the bin edges
 * (a confidence of exactly 1 in the last bin, 0.1 in the second), groups,
 * items without a confidence, and the errors. The real runs are checked
 * against numpy by tests/cli/calibration_check.py.
 */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "analysis/calibration.h"

static void test_bins(void **state)
{
	/* bins of 0.5: [0, 0.5) holds 0.2 (wrong) and 0.4 (right), [0.5, 1] holds
	 * 0.5, 0.9 and 1.0 (right, right, wrong); NaN and 1.5 are not counted. */
	const double conf[] = {0.2, 0.4, 0.5, 0.9, 1.0, NAN, 1.5};
	const unsigned char right[] = {0, 1, 1, 1, 0, 1, 1};
	struct xnr_calib c;
	struct xnr_error err;
	(void)state;

	assert_int_equal(xnr_calib_compute(conf, right, NULL, 7, -1, 2, &c, &err), XNR_OK);
	assert_int_equal(c.n, 5);
	assert_int_equal(c.count[0], 2);
	assert_int_equal(c.count[1], 3);
	assert_true(fabs(c.conf[0] - 0.3) < 1e-15 && fabs(c.acc[0] - 0.5) < 1e-15);
	assert_true(fabs(c.conf[1] - 0.8) < 1e-15 && fabs(c.acc[1] - 2.0 / 3.0) < 1e-15);
	/* ECE = 2/5 * 0.2 + 3/5 * (0.8 - 2/3); MCE = 0.2 */
	assert_true(fabs(c.ece - (0.4 * 0.2 + 0.6 * (0.8 - 2.0 / 3.0))) < 1e-15);
	assert_true(fabs(c.mce - 0.2) < 1e-15);
	assert_true(fabs(c.accuracy - 0.6) < 1e-15 && fabs(c.confidence - 0.6) < 1e-15);

	/* ten bins: 0.1 opens the second, 1.0 closes the last, 0.0 the first */
	{
		const double edge[] = {0.0, 0.1, 1.0};
		const unsigned char r3[] = {1, 1, 1};
		assert_int_equal(xnr_calib_compute(edge, r3, NULL, 3, -1, 10, &c, &err), XNR_OK);
		assert_int_equal(c.count[0], 1);
		assert_int_equal(c.count[1], 1);
		assert_int_equal(c.count[9], 1);
		assert_true(isnan(c.conf[5]) && isnan(c.acc[5]));
	}
}

static void test_groups_and_errors(void **state)
{
	const double conf[] = {0.9, 0.9, 0.3};
	const unsigned char right[] = {1, 0, 0};
	const int32_t group[] = {0, 1, 1};
	struct xnr_calib c;
	struct xnr_error err;
	(void)state;

	assert_int_equal(xnr_calib_compute(conf, right, group, 3, 1, 10, &c, &err), XNR_OK);
	assert_int_equal(c.n, 2);
	assert_true(fabs(c.ece - (0.5 * 0.9 + 0.5 * 0.3)) < 1e-15);
	assert_int_equal(xnr_calib_compute(conf, right, group, 3, 7, 10, &c, &err), XNR_OK);
	assert_int_equal(c.n, 0);
	assert_true(c.ece == 0.0 && isnan(c.accuracy));
	assert_int_equal(xnr_calib_compute(conf, right, NULL, 3, -1, 0, &c, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "bins must be 1 to 100"));
	assert_int_equal(
	    xnr_calib_compute(conf, right, NULL, 3, -1, XNR_CALIB_MAX_BINS + 1, &c, &err),
	    XNR_ERR_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bins),
	    cmocka_unit_test(test_groups_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
