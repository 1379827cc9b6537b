/* test_analysis_losses.c - cross-entropy, entropy and argmax against hand values. */
#include "testutil.h"

#include <math.h>

#include "analysis/losses.h"

static void test_losses(void **state)
{
	const float logits[3] = {2.0f, 1.0f, 0.1f};
	const float uniform[4] = {0.25f, 0.25f, 0.25f, 0.25f};
	const float onehot[3] = {0.0f, 1.0f, 0.0f};
	/* log(e^2 + e^1 + e^0.1) = 2.417029..., as torch.nn.functional.cross_entropy gives */
	double lse = log(exp(2.0) + exp(1.0) + exp((double)0.1f));
	(void)state;
	assert_true(fabs(xnr_loss_ce(logits, 3, 0) - (lse - 2.0)) < 1e-12);
	assert_true(fabs(xnr_loss_ce(logits, 3, 2) - (lse - (double)0.1f)) < 1e-12);
	/* large logits do not overflow */
	{
		const float big[2] = {1000.0f, 0.0f};
		assert_true(fabs(xnr_loss_ce(big, 2, 1) - 1000.0) < 1e-9);
	}
	assert_true(fabs(xnr_entropy(uniform, 4) - log(4.0)) < 1e-12);
	assert_true(xnr_entropy(onehot, 3) == 0.0);
	assert_int_equal(xnr_argmax(logits, 3), 0);
	assert_int_equal(xnr_argmax(onehot, 3), 1);
	{
		const double odd[3] = {0.5, 1.0, 7.5}, even[4] = {1, 2, 4, 9};
		struct xnr_loss_stats s = xnr_loss_stats_sorted(odd, 3);
		assert_int_equal(s.count, 3);
		assert_true(s.median == 1.0 && s.sum == 9.0 && s.mean == 3.0);
		s = xnr_loss_stats_sorted(even, 4);
		assert_true(s.median == 3.0 && s.mean == 4.0);
		s = xnr_loss_stats_sorted(even, 0);
		assert_int_equal(s.count, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_losses)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
