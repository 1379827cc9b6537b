/*
 * test_analysis_stats.c - the bootstrap of entity F1 and McNemar's test
 * (analysis/stats.h) against tests/fixtures/stats/stats.json, written by
 * tests/gen/gen_stats.py: the same PRNG and resampling in Python, numpy's
 * quantile, scipy's chi2.sf and binomtest. Every number within 1e-9 (the
 * largest difference is printed); the same seed gives the same bits.
 */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"

#define TOL 1e-9

static json_t *fixture;
static double max_diff;

static void near(double got, double want, const char *what)
{
	double d = fabs(got - want);
	if (d > max_diff)
		max_diff = d;
	if (!(d <= TOL * (1.0 + fabs(want)))) {
		print_error("%s: got %.17g, want %.17g\n", what, got, want);
		fail();
	}
}

static uint64_t u64(json_t *s)
{
	return strtoull(json_string_value(s), NULL, 10);
}

static int setup(void **state)
{
	json_error_t e;
	(void)state;
	fixture = json_load_file(tu_src("tests/fixtures/stats/stats.json"), 0, &e);
	if (!fixture)
		fprintf(stderr, "stats.json: %s\n", e.text);
	return fixture ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(fixture);
	printf("max |C - reference| = %.3g\n", max_diff);
	return 0;
}

static void test_rng(void **state)
{
	json_t *r, *v;
	size_t i, j;
	(void)state;
	json_array_foreach(json_object_get(fixture, "rng"), i, r)
	{
		struct xnr_rng g;
		xnr_rng_seed(&g, u64(json_object_get(r, "seed")));
		json_array_foreach(json_object_get(r, "next"), j, v)
		    assert_true(xnr_rng_next(&g) == u64(v));
		json_array_foreach(json_object_get(r, "below"), j, v)
		{
			uint64_t n = (uint64_t)json_integer_value(json_array_get(v, 0));
			assert_true(xnr_rng_below(&g, n) ==
			            (uint64_t)json_integer_value(json_array_get(v, 1)));
		}
	}
}

/* Counts (rows x cols x 3) from the fixture's nested arrays. */
static void load_counts(json_t *rows, struct xnr_f1_counts *c)
{
	size_t n_rows = json_array_size(rows), n_cols = json_array_size(json_array_get(rows, 0));
	size_t i, j, k;
	assert_int_equal(xnr_f1_counts_init(c, n_rows, n_cols, NULL), XNR_OK);
	for (i = 0; i < n_rows; i++)
		for (j = 0; j < n_cols; j++)
			for (k = 0; k < 3; k++)
				c->c[(i * n_cols + j) * 3 + k] = (int32_t)json_integer_value(
				    json_array_get(json_array_get(json_array_get(rows, i), j), k));
}

static void check_interval(const struct xnr_interval *iv, json_t *want, const char *what)
{
	near(iv->est, json_real_value(json_object_get(want, "est")), what);
	near(iv->lo, json_real_value(json_object_get(want, "lo")), what);
	near(iv->hi, json_real_value(json_object_get(want, "hi")), what);
}

static void check_paired(const struct xnr_paired *p, json_t *want, const char *what)
{
	check_interval(&p->a, json_object_get(want, "a"), what);
	check_interval(&p->b, json_object_get(want, "b"), what);
	check_interval(&p->diff, json_object_get(want, "diff"), what);
	near(p->p_value, json_real_value(json_object_get(want, "p_value")), what);
}

static void check_boot(const struct xnr_f1_boot *b, json_t *want, const char *name)
{
	size_t j;
	assert_int_equal(json_array_size(want), 2 + b->n_cols);
	check_paired(&b->micro, json_array_get(want, 0), name);
	check_paired(&b->macro, json_array_get(want, 1), name);
	for (j = 0; j < b->n_cols; j++)
		check_paired(&b->col[j], json_array_get(want, 2 + j), name);
}

static int same_boot(const struct xnr_f1_boot *x, const struct xnr_f1_boot *y)
{
	return memcmp(&x->micro, &y->micro, sizeof x->micro) == 0 &&
	       memcmp(&x->macro, &y->macro, sizeof x->macro) == 0 &&
	       memcmp(x->col, y->col, x->n_cols * sizeof *x->col) == 0;
}

static void test_bootstrap(void **state)
{
	json_t *c;
	size_t i;
	(void)state;
	json_array_foreach(json_object_get(fixture, "cases"), i, c)
	{
		const char *name = json_string_value(json_object_get(c, "name"));
		struct xnr_boot_params p = xnr_boot_default_params();
		struct xnr_f1_counts a, b;
		struct xnr_f1_boot paired, single, again, each[2], b_alone;
		const struct xnr_f1_counts *both[2];

		p.seed = u64(json_object_get(c, "seed"));
		p.n_resamples = (int)json_integer_value(json_object_get(c, "resamples"));
		p.level = json_real_value(json_object_get(c, "level"));
		load_counts(json_object_get(c, "a"), &a);
		load_counts(json_object_get(c, "b"), &b);
		assert_int_equal(xnr_stats_bootstrap_f1(&a, &b, &p, &paired, NULL), XNR_OK);
		check_boot(&paired, json_object_get(c, "paired"), name);
		assert_int_equal(xnr_stats_bootstrap_f1(&a, NULL, &p, &single, NULL), XNR_OK);
		check_boot(&single, json_object_get(c, "single"), name);
		/* one run alone draws what it draws paired: the same interval */
		assert_memory_equal(&single.micro.a, &paired.micro.a, sizeof single.micro.a);
		assert_true(single.micro.p_value == 1.0 && single.micro.diff.hi == 0.0);
		/* both alone from one set of draws: each what it gives on its own, bit for bit */
		both[0] = &a;
		both[1] = &b;
		assert_int_equal(xnr_stats_bootstrap_f1_each(both, 2, &p, each, NULL), XNR_OK);
		assert_int_equal(xnr_stats_bootstrap_f1(&b, NULL, &p, &b_alone, NULL), XNR_OK);
		assert_true(same_boot(&each[0], &single) && same_boot(&each[1], &b_alone));
		assert_memory_equal(&b_alone.micro.a, &paired.micro.b, sizeof b_alone.micro.a);
		xnr_f1_boot_free(&each[0]);
		xnr_f1_boot_free(&each[1]);
		assert_int_equal(xnr_stats_bootstrap_f1(&a, &b, &p, &again, NULL), XNR_OK);
		assert_true(same_boot(&paired, &again));
		xnr_f1_boot_free(&again);
		/* resamples split over threads (2 and 3: uneven parts): the same bits */
		for (p.n_threads = 2; p.n_threads <= 3; p.n_threads++) {
			assert_int_equal(xnr_stats_bootstrap_f1(&a, &b, &p, &again, NULL), XNR_OK);
			assert_true(same_boot(&paired, &again));
			xnr_f1_boot_free(&again);
			assert_int_equal(xnr_stats_bootstrap_f1_each(both, 2, &p, each, NULL),
			                 XNR_OK);
			assert_true(same_boot(&each[0], &single) && same_boot(&each[1], &b_alone));
			xnr_f1_boot_free(&each[0]);
			xnr_f1_boot_free(&each[1]);
		}
		p.n_threads = 1;
		xnr_f1_boot_free(&b_alone);
		p.seed++;
		assert_int_equal(xnr_stats_bootstrap_f1(&a, &b, &p, &again, NULL), XNR_OK);
		assert_false(same_boot(&paired, &again));
		xnr_f1_boot_free(&again);
		xnr_f1_boot_free(&paired);
		xnr_f1_boot_free(&single);
		xnr_f1_counts_free(&a);
		xnr_f1_counts_free(&b);
	}
}

static void test_bootstrap_errors(void **state)
{
	struct xnr_boot_params p = xnr_boot_default_params();
	struct xnr_f1_counts a, b, empty;
	const struct xnr_f1_counts *both[2] = {&a, &b};
	struct xnr_f1_boot out, each[2];
	struct xnr_error err;
	(void)state;
	assert_int_equal(xnr_f1_counts_init(&a, 3, 2, NULL), XNR_OK);
	assert_int_equal(xnr_f1_counts_init(&b, 4, 2, NULL), XNR_OK);
	assert_int_equal(xnr_f1_counts_init(&empty, 0, 2, NULL), XNR_OK);
	tu_expect_input(xnr_stats_bootstrap_f1(&a, &b, &p, &out, &err), &err, "paired runs");
	tu_expect_input(xnr_stats_bootstrap_f1_each(both, 2, &p, each, &err), &err,
	                "count matrices of 3 and 4 sentences");
	tu_expect_input(xnr_stats_bootstrap_f1(&empty, NULL, &p, &out, &err), &err, "no sentence");
	p.n_resamples = 0;
	tu_expect_input(xnr_stats_bootstrap_f1(&a, NULL, &p, &out, &err), &err, "resamples");
	p = xnr_boot_default_params();
	p.level = 1.0;
	tu_expect_input(xnr_stats_bootstrap_f1(&a, NULL, &p, &out, &err), &err, "level");
	xnr_f1_counts_free(&a);
	xnr_f1_counts_free(&b);
	xnr_f1_counts_free(&empty);
}

/* Two sentences; types 0 and 2 are columns 1 and 0, type 1 is not counted;
 * sentence 1 is row 0, sentence 0 row 1. */
static void test_counts_add(void **state)
{
	struct xnr_entity g[] = {{0, 0, 0, 2}, {2, 0, 3, 4}, {1, 1, 0, 1}, {2, 1, 2, 3}};
	struct xnr_entity p[] = {
	    {0, 0, 0, 2}, {0, 0, 3, 4}, {1, 1, 0, 1}, {2, 1, 2, 3}, {2, 1, 4, 5}};
	struct xnr_entities gold = {g, 4, 4}, pred = {p, 5, 5};
	const int32_t cols[3] = {1, -1, 0};
	const int64_t rows[2] = {1, 0};
	/* row 0 (sentence 1): col 0 tp 1 pred 2 gold 1; row 1 (sentence 0): col 0 gold 1
	 * pred 0, col 1 tp 1 pred 2 gold 1 */
	const int32_t want[12] = {1, 2, 1, 0, 0, 0, 0, 0, 1, 1, 2, 1};
	struct xnr_entity unsorted[] = {{0, 1, 0, 1}, {0, 0, 0, 1}};
	struct xnr_entities bad = {unsorted, 2, 2};
	struct xnr_f1_counts c;
	struct xnr_error err;
	(void)state;
	assert_int_equal(xnr_f1_counts_init(&c, 2, 2, NULL), XNR_OK);
	assert_int_equal(xnr_f1_counts_add(&c, &gold, &pred, 2, rows, 3, cols, NULL), XNR_OK);
	assert_memory_equal(c.c, want, sizeof want);
	tu_expect_input(xnr_f1_counts_add(&c, &bad, &pred, 2, NULL, 3, cols, &err), &err,
	                "not sorted");
	tu_expect_input(xnr_f1_counts_add(&c, &gold, &bad, 2, NULL, 3, cols, &err), &err,
	                "not sorted");
	tu_expect_input(xnr_f1_counts_add(&c, &gold, &pred, 2, NULL, 3, NULL, &err), &err,
	                "outside");
	xnr_f1_counts_free(&c);
}

/* The stream of chunks: every fixture case and random count matrices (some
 * with counts large enough to leave the packed sums), cut into chunks of
 * 1, 2, 7, a random size and all rows, on 1 and 3 threads: the same bits as
 * the bootstrap of all rows at once. And its errors. */
static void stream_of(const struct xnr_f1_counts *a, const struct xnr_boot_params *p, size_t size,
                      struct xnr_f1_boot *out)
{
	struct xnr_f1_boot_stream *b = NULL;
	size_t r;

	assert_int_equal(xnr_f1_boot_stream_open(a->n_rows, a->n_cols, p, &b, NULL), XNR_OK);
	for (r = 0; r < a->n_rows; r += size) {
		struct xnr_f1_counts chunk = {size < a->n_rows - r ? size : a->n_rows - r,
		                              a->n_cols, a->c + 3 * r * a->n_cols};
		assert_int_equal(xnr_f1_boot_stream_add(b, &chunk, NULL), XNR_OK);
	}
	assert_int_equal(xnr_f1_boot_stream_result(b, out, NULL), XNR_OK);
	xnr_f1_boot_stream_close(b);
}

static void check_stream(const struct xnr_f1_counts *a, struct xnr_boot_params p, size_t random)
{
	const size_t sizes[5] = {1, 2, 7, random, a->n_rows};
	struct xnr_f1_boot whole, part;
	int k, threads;

	assert_int_equal(xnr_stats_bootstrap_f1(a, NULL, &p, &whole, NULL), XNR_OK);
	for (threads = 1; threads <= 3; threads += 2)
		for (k = 0; k < 5; k++) {
			p.n_threads = threads;
			stream_of(a, &p, sizes[k], &part);
			assert_int_equal(part.n_cols, whole.n_cols);
			assert_true(same_boot(&part, &whole));
			xnr_f1_boot_free(&part);
		}
	xnr_f1_boot_free(&whole);
}

static void test_bootstrap_stream(void **state)
{
	struct xnr_boot_params p = xnr_boot_default_params();
	struct xnr_f1_boot out;
	struct xnr_f1_boot_stream *b = NULL;
	struct xnr_error err;
	struct xnr_rng g;
	json_t *c;
	size_t i, k;
	int trial;
	(void)state;
	json_array_foreach(json_object_get(fixture, "cases"), i, c)
	{
		struct xnr_f1_counts a;
		p.seed = u64(json_object_get(c, "seed"));
		p.n_resamples = (int)json_integer_value(json_object_get(c, "resamples"));
		p.level = json_real_value(json_object_get(c, "level"));
		load_counts(json_object_get(c, "a"), &a);
		check_stream(&a, p, 1 + i % 5);
		xnr_f1_counts_free(&a);
	}
	xnr_rng_seed(&g, 42);
	for (trial = 0; trial < 12; trial++) {
		struct xnr_f1_counts a;
		size_t rows = 1 + (size_t)xnr_rng_below(&g, 300),
		       cols = 1 + (size_t)xnr_rng_below(&g, 5);
		int64_t top = trial % 3 == 2 ? 100000 : 3;
		assert_int_equal(xnr_f1_counts_init(&a, rows, cols, NULL), XNR_OK);
		for (k = 0; k < rows * cols; k++) {
			int32_t *x = a.c + 3 * k;
			if (xnr_rng_below(&g, 3) == 0)
				continue; /* an empty cell, as most sentences' */
			x[1] = (int32_t)xnr_rng_below(&g, (uint64_t)top);
			x[2] = (int32_t)xnr_rng_below(&g, (uint64_t)top);
			x[0] =
			    (int32_t)xnr_rng_below(&g, (uint64_t)(x[1] < x[2] ? x[1] : x[2]) + 1);
		}
		p = xnr_boot_default_params();
		p.seed = xnr_rng_next(&g);
		p.n_resamples = 50 + trial * 10;
		check_stream(&a, p, 1 + (size_t)xnr_rng_below(&g, rows));
		if (trial == 0) {
			struct xnr_f1_counts wide = {1, cols + 1, a.c};
			p = xnr_boot_default_params();
			assert_int_equal(xnr_f1_boot_stream_open(rows, cols, &p, &b, NULL), XNR_OK);
			tu_expect_input(xnr_f1_boot_stream_add(b, &wide, &err), &err, "chunk");
			tu_expect_input(xnr_f1_boot_stream_result(b, &out, &err), &err,
			                "rows added");
			a.n_rows++; /* one row too many */
			tu_expect_input(xnr_f1_boot_stream_add(b, &a, &err), &err, "chunk");
			a.n_rows--;
			xnr_f1_boot_stream_close(b);
			p.n_resamples = 0;
			tu_expect_input(xnr_f1_boot_stream_open(rows, cols, &p, &b, &err), &err,
			                "resamples");
			p = xnr_boot_default_params();
			tu_expect_input(xnr_f1_boot_stream_open(0, cols, &p, &b, &err), &err,
			                "no sentence");
		}
		xnr_f1_counts_free(&a);
	}
}

static void test_mcnemar(void **state)
{
	json_t *t;
	size_t i;
	(void)state;
	json_array_foreach(json_object_get(fixture, "mcnemar"), i, t)
	{
		struct xnr_mcnemar m =
		    xnr_stats_mcnemar(json_integer_value(json_object_get(t, "n_ab")),
		                      json_integer_value(json_object_get(t, "n_ba")));
		near(m.chi2, json_real_value(json_object_get(t, "chi2")), "chi2");
		near(m.p_chi2, json_real_value(json_object_get(t, "p_chi2")), "p_chi2");
		near(m.p_exact, json_real_value(json_object_get(t, "p_exact")), "p_exact");
		/* tiny p-values: relative too */
		assert_true(fabs(m.p_exact - json_real_value(json_object_get(t, "p_exact"))) <=
		            1e-9 * m.p_exact + 1e-300);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rng),        cmocka_unit_test(test_bootstrap),
	    cmocka_unit_test(test_counts_add), cmocka_unit_test(test_bootstrap_errors),
	    cmocka_unit_test(test_mcnemar),    cmocka_unit_test(test_bootstrap_stream),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
