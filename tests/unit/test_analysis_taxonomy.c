/* test_analysis_taxonomy.c - every kind of entity error on hand-built spans. */
#include "testutil.h"

#include "analysis/taxonomy.h"

static void add(struct xnr_entities *e, uint32_t type, uint32_t sent, int64_t s, int64_t end)
{
	assert_int_equal(xnr_entities_push(e, type, sent, s, end), 0);
}

static void test_kinds(void **state)
{
	struct xnr_entities g = {0}, p = {0};
	/* prediction i takes gold entity want[i] (-1: spurious) */
	static const long want[] = {0, 1, 3, 4, -1, -1, 5};
	long match[7];
	struct xnr_taxonomy t;
	struct xnr_error err;
	size_t i;
	(void)state;
	/* sentence 0: correct PER(0), wrong type (gold LOC 1 as PER), missed ORG(2) */
	add(&g, 0, 0, 0, 2);
	add(&g, 1, 0, 3, 4);
	add(&g, 2, 0, 6, 8);
	add(&p, 0, 0, 0, 2);
	add(&p, 0, 0, 3, 4);
	/* sentence 1: boundary (ORG 0-3 predicted 0-2), type+boundary (LOC 5-7 as PER 5-6) */
	add(&g, 2, 1, 0, 3);
	add(&g, 1, 1, 5, 7);
	add(&p, 2, 1, 0, 2);
	add(&p, 0, 1, 5, 6);
	/* sentence 2: spurious; two predictions on one gold: the exact one wins */
	add(&p, 1, 2, 0, 1);
	add(&g, 0, 3, 2, 4);
	add(&p, 0, 3, 2, 3);
	add(&p, 0, 3, 2, 4);
	assert_int_equal(xnr_taxonomy_compute(&g, &p, 3, &t, &err), XNR_OK);
	assert_int_equal(t.total[XNR_ERRK_CORRECT], 2);
	assert_int_equal(t.total[XNR_ERRK_TYPE], 1);
	assert_int_equal(t.total[XNR_ERRK_BOUNDARY], 1);
	assert_int_equal(t.total[XNR_ERRK_TYPE_BOUNDARY], 1);
	assert_int_equal(t.total[XNR_ERRK_MISSED], 1);
	assert_int_equal(t.total[XNR_ERRK_SPURIOUS], 2);
	assert_int_equal(t.counts[1][XNR_ERRK_TYPE], 1);     /* under the gold type */
	assert_int_equal(t.counts[1][XNR_ERRK_SPURIOUS], 1); /* under its own type */
	assert_int_equal(t.counts[0][XNR_ERRK_SPURIOUS], 1); /* the extra PER in sentence 3 */
	assert_string_equal(xnr_err_kind_str(XNR_ERRK_TYPE_BOUNDARY), "wrong type and boundary");
	xnr_taxonomy_free(&t);
	/* the pairs themselves: which gold entity each prediction took */
	assert_int_equal(xnr_taxonomy_match(&g, &p, match, &err), XNR_OK);
	for (i = 0; i < p.n; i++)
		assert_int_equal(match[i], want[i]);
	assert_int_equal(xnr_taxonomy_kind(&g.v[3], &p.v[2]), XNR_ERRK_BOUNDARY);
	assert_int_equal(xnr_taxonomy_kind(&g.v[1], &p.v[1]), XNR_ERRK_TYPE);
	assert_int_equal(xnr_taxonomy_compute(&g, &p, 2, &t, &err), XNR_ERR_INPUT);
	xnr_entities_free(&g);
	xnr_entities_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_kinds)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
