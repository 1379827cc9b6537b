/*
 * test_analysis_leakage.c - a split against a reference on hand-made
 * sentences: exact and near-exact (case, digits) sentence matches, gold
 * entities seen with the same or another type, and entity F1 over the
 * ExplainaBoard cases split into seen and unseen; bad input.
 */
#include "testutil.h"

#include <math.h>

#include "analysis/leakage.h"

enum { PER = 1, ORG, LOC };

static const char *const split_text[] = {
    "Paris",  "is",  "nice",       /* s0: exact in the reference */
    "PARIS",  "won", "3-1",        /* s1: near: "Paris won 2-0" */
    "Jordan", "met", "Smith", ".", /* s2: not there */
};
static const size_t split_starts[] = {0, 3, 6, 10};
static const struct xnr_cons_span split_gold[] = {
    {0, 0, 1, LOC}, /* "paris" LOC in the reference: seen, same type */
    {1, 0, 1, ORG}, /* "paris" only LOC there: seen, other type */
    {2, 0, 1, PER}, /* "jordan": unseen */
    {2, 2, 3, PER}, /* "smith": unseen */
};
static const struct xnr_cons_span split_pred[] = {
    {0, 0, 1, LOC}, /* right, seen */
    {1, 0, 1, LOC}, /* wrong type: a case with gold ORG, pred LOC (seen) */
    {2, 0, 1, LOC}, /* wrong type, unseen */
    {2, 2, 3, PER}, /* right, unseen */
    {2, 1, 2, ORG}, /* "met": spurious, unseen */
};
static const char *const ref_text[] = {"Paris", "is", "nice", "Paris", "won", "2-0"};
static const size_t ref_starts[] = {0, 3, 6};
static const struct xnr_cons_span ref_gold[] = {{0, 0, 1, LOC}, {1, 0, 1, LOC}};

static void test_compare(void **state)
{
	struct xnr_leak_side split = {3, split_starts, split_text, split_gold, split_pred, 4, 5};
	struct xnr_leak_side ref = {2, ref_starts, ref_text, ref_gold, NULL, 2, 0};
	struct xnr_leak_report r;
	struct xnr_error err = {0};

	(void)state;
	assert_int_equal(xnr_leak_compare(&split, &ref, 3, &r, &err), XNR_OK);
	assert_int_equal(r.sent_match[0], XNR_LEAK_EXACT);
	assert_int_equal(r.sent_ref[0], 0);
	assert_int_equal(r.sent_match[1], XNR_LEAK_NEAR);
	assert_int_equal(r.sent_ref[1], 1);
	assert_int_equal(r.sent_match[2], XNR_LEAK_NONE);
	assert_int_equal(r.sent_ref[2], -1);
	assert_true(r.n_exact == 1 && r.n_near == 1);
	assert_true(r.n_entities == 4 && r.n_seen_same == 1 && r.n_seen_other == 1 &&
	            r.n_unseen == 2);
	assert_int_equal(r.entity_seen[1], 2);
	/* seen cases: paris LOC/LOC, PARIS ORG/LOC -> tp 1 of 2 gold, 2 pred */
	assert_true(r.seen.tp == 1 && r.seen.n_gold == 2 && r.seen.n_pred == 2);
	assert_true(fabs(r.seen.f1 - 0.5) < 1e-12);
	/* unseen: Jordan PER/LOC, Smith PER/PER, met O/ORG -> tp 1, gold 2, pred 3 */
	assert_true(r.unseen.tp == 1 && r.unseen.n_gold == 2 && r.unseen.n_pred == 3);
	assert_true(fabs(r.unseen.f1 - 2 * (1.0 / 3) * 0.5 / (1.0 / 3 + 0.5)) < 1e-12);
	assert_true(r.all.tp == 2 && r.all.n_gold == 4 && r.all.n_pred == 5);
	xnr_leak_report_free(&r);

	split.n_pred = 0; /* no predictions: precision undefined */
	assert_int_equal(xnr_leak_compare(&split, &ref, 3, &r, &err), XNR_OK);
	assert_true(isnan(r.all.precision) && r.all.recall == 0.0 && r.all.f1 == 0.0);
	xnr_leak_report_free(&r);
}

static void test_bad_input(void **state)
{
	const struct xnr_cons_span bad = {0, 2, 5, PER};
	struct xnr_leak_side split = {3, split_starts, split_text, &bad, NULL, 1, 0};
	struct xnr_leak_side ref = {2, ref_starts, ref_text, ref_gold, NULL, 2, 0};
	struct xnr_leak_report r;
	struct xnr_error err = {0};

	(void)state;
	tu_expect_input(xnr_leak_compare(&split, &ref, 3, &r, &err), &err, "span 0");
	tu_expect_input(xnr_leak_compare(&split, &ref, 0, &r, &err), &err, "0 entity types");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_compare),
	    cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
