/*
 * test_model_golden.c - the forward pass of a real BERT NER model against the
 * PyTorch reference's outputs on 64 sentences (logits of all 9 labels and the
 * first 8 hidden dimensions per token, 1e-4), packed in one batch, in small
 * batches, one sequence per batch and on 2 threads (packing and threads must
 * not move numbers by more than 1e-5), plus the input checks. Core: the demo
 * model on demo/eval.conll (tests/fixtures/demo/golden_eval64.json); shared:
 * conll03-bert-mini on CoNLL-2003 test (its golden_test64.json).
 */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pool.h"
#include "model/model.h"

#define N_LABELS 9
#define HIDDEN   256

struct golden {
	json_t *root;
	int n_seq, n_tokens, max_len;
	int32_t *ids, *seq_start;
	double *logits;  /* (N, 9) */
	double *hidden8; /* (N, 8) */
};

static struct tu_material mat;
static struct xnr_model *model;
static struct golden g;

static void read_rows(const json_t *rows, double *out, int width, int n)
{
	int t, c;

	assert_int_equal(json_array_size(rows), n);
	for (t = 0; t < n; t++) {
		const json_t *row = json_array_get(rows, (size_t)t);
		assert_int_equal(json_array_size(row), width);
		for (c = 0; c < width; c++)
			out[t * width + c] = json_number_value(json_array_get(row, (size_t)c));
	}
}

static int setup(void **state)
{
	struct xnr_error err;
	json_error_t jerr;
	size_t i, t;
	int n = 0;
	(void)state;
	if (xnr_model_open(mat.model, &model, &err) != XNR_OK) {
		printf("open: %s\n", err.msg);
		return -1;
	}
	g.root = json_load_file(mat.golden, 0, &jerr);
	if (!g.root) {
		printf("%s: %s\n", mat.golden, jerr.text);
		return -1;
	}
	g.n_seq = (int)json_array_size(g.root);
	for (i = 0; i < (size_t)g.n_seq; i++)
		n += (int)json_array_size(json_object_get(json_array_get(g.root, i), "input_ids"));
	g.n_tokens = n;
	g.ids = malloc((size_t)n * sizeof *g.ids);
	g.seq_start = malloc((size_t)(g.n_seq + 1) * sizeof *g.seq_start);
	g.logits = malloc((size_t)n * N_LABELS * sizeof *g.logits);
	g.hidden8 = malloc((size_t)n * 8 * sizeof *g.hidden8);
	n = 0;
	for (i = 0; i < (size_t)g.n_seq; i++) {
		const json_t *s = json_array_get(g.root, i), *ids = json_object_get(s, "input_ids");
		int len = (int)json_array_size(ids);
		g.seq_start[i] = n;
		g.max_len = len > g.max_len ? len : g.max_len;
		for (t = 0; t < (size_t)len; t++)
			g.ids[n + (int)t] = (int32_t)json_integer_value(json_array_get(ids, t));
		read_rows(json_object_get(s, "logits"), g.logits + (size_t)n * N_LABELS, N_LABELS,
		          len);
		read_rows(json_object_get(s, "last_hidden_first8"), g.hidden8 + (size_t)n * 8, 8,
		          len);
		n += len;
	}
	g.seq_start[g.n_seq] = n;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xnr_model_close(model);
	json_decref(g.root);
	free(g.ids);
	free(g.seq_start);
	free(g.logits);
	free(g.hidden8);
	return 0;
}

/* Run the golden sequences in batches of per_batch sequences; copy logits
 * (N, 9) and hidden (N, 256) out. */
static void run(int per_batch, int n_threads, float *logits, float *hidden)
{
	struct xnr_forward_opts opts = {0, 0};
	struct xnr_state *st = NULL;
	struct xnr_pool *pool = NULL;
	struct xnr_error err;
	int first;

	if (n_threads > 1)
		assert_int_equal(xnr_pool_open(n_threads, &pool, &err), XNR_OK);
	assert_int_equal(xnr_state_open(model, g.n_tokens, g.max_len, opts, &st, &err), XNR_OK);
	for (first = 0; first < g.n_seq; first += per_batch) {
		int last = first + per_batch < g.n_seq ? first + per_batch : g.n_seq, i;
		int32_t starts[65], base = g.seq_start[first];
		struct xnr_batch b = {last - first, g.ids + base, NULL, starts};
		struct xnr_outputs out;
		for (i = first; i <= last; i++)
			starts[i - first] = g.seq_start[i] - base;
		if (xnr_model_forward(model, st, pool, &b, &out, &err) != XNR_OK)
			fail_msg("forward: %s", err.msg);
		assert_int_equal(out.n_tokens, starts[last - first]);
		memcpy(logits + (size_t)base * N_LABELS, out.logits,
		       (size_t)out.n_tokens * N_LABELS * sizeof *logits);
		memcpy(hidden + (size_t)base * HIDDEN, out.hidden,
		       (size_t)out.n_tokens * HIDDEN * sizeof *hidden);
	}
	xnr_state_close(st);
	xnr_pool_close(pool);
}

static double max_diff_f(const float *a, const float *b, size_t n)
{
	double m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m = fmax(m, fabs((double)a[i] - b[i]));
	return m;
}

static void test_golden(void **state)
{
	size_t N = (size_t)g.n_tokens;
	float *logits = malloc(N * N_LABELS * sizeof *logits),
	      *hidden = malloc(N * HIDDEN * sizeof *hidden);
	float *l2 = malloc(N * N_LABELS * sizeof *l2), *h2 = malloc(N * HIDDEN * sizeof *h2);
	double dl = 0, dh = 0;
	size_t t;
	int c, variant;
	static const int per_batch[] = {64, 7, 1, 64};
	static const int threads[] = {1, 1, 1, 2};
	(void)state;

	run(64, 1, logits, hidden);
	for (t = 0; t < N; t++) {
		for (c = 0; c < N_LABELS; c++)
			dl = fmax(dl, fabs(logits[t * N_LABELS + c] - g.logits[t * N_LABELS + c]));
		for (c = 0; c < 8; c++)
			dh = fmax(dh, fabs(hidden[t * HIDDEN + c] - g.hidden8[t * 8 + c]));
	}
	/* The golden values are rounded to 6 decimals: 1e-4 leaves room for f32
	 * summation order (PyTorch's GEMMs and ours differ), not for a wrong formula. */
	printf("%s, %d sequences, %zu tokens, one batch: max |diff| logits %.3g, hidden[:8] "
	       "%.3g (tolerance 1e-4)\n",
	       mat.name, g.n_seq, N, dl, dh);
	assert_true(dl < 1e-4);
	assert_true(dh < 1e-4);
	for (variant = 1; variant < 4; variant++) {
		double a, b;
		run(per_batch[variant], threads[variant], l2, h2);
		a = max_diff_f(logits, l2, N * N_LABELS);
		b = max_diff_f(hidden, h2, N * HIDDEN);
		/* Packing and threads change only which rows go through a GEMM
		 * together, so at most GEMM blocking can differ: 1e-5. */
		printf(
		    "%2d sequences per batch, %d thread(s): max |diff| to one batch: logits %.3g, "
		    "hidden %.3g (tolerance 1e-5)\n",
		    per_batch[variant], threads[variant], a, b);
		assert_true(a < 1e-5);
		assert_true(b < 1e-5);
	}
	free(logits);
	free(hidden);
	free(l2);
	free(h2);
}

/* all_hidden and ffn_acts: written in place, and the last slice is the output. */
static void test_all_outputs(void **state)
{
	struct xnr_forward_opts opts = {1, 1};
	const struct xnr_model_config *c = xnr_model_config(model);
	struct xnr_state *st = NULL;
	struct xnr_error err;
	struct xnr_batch b = {g.n_seq, g.ids, NULL, g.seq_start};
	struct xnr_outputs out;
	size_t N = (size_t)g.n_tokens, i;
	double dl = 0;
	(void)state;

	assert_int_equal(xnr_state_open(model, g.n_tokens, g.max_len, opts, &st, &err), XNR_OK);
	assert_int_equal(xnr_model_forward(model, st, NULL, &b, &out, &err), XNR_OK);
	assert_non_null(out.all_hidden);
	assert_non_null(out.ffn_acts);
	assert_ptr_equal(out.hidden, out.all_hidden + (size_t)c->n_layers * N * HIDDEN);
	for (i = 0; i < N * N_LABELS; i++)
		dl = fmax(dl, fabs(out.logits[i] - g.logits[i]));
	assert_true(dl < 1e-4);
	/* Every slice written (finite; embeddings differ from layer 1's output). */
	for (i = 0; i < N * HIDDEN; i++)
		assert_true(isfinite(out.all_hidden[i]));
	assert_true(out.all_hidden[0] != out.all_hidden[N * HIDDEN]);
	/* GELU outputs are >= -0.17 (its minimum). */
	for (i = 0; i < (size_t)c->n_layers * N * (size_t)c->intermediate_size; i++)
		assert_true(out.ffn_acts[i] >= -0.1701f);
	xnr_state_close(st);
}

static void test_bad_input(void **state)
{
	struct xnr_forward_opts opts = {0, 0};
	struct xnr_state *st = NULL;
	struct xnr_error err;
	struct xnr_outputs out = {0};
	int32_t ids[4] = {2, 100, 9000, 3}, types[4] = {0, 0, 2, 0}, starts[3] = {0, 4, 4};
	int32_t long_start[2] = {0, 5}, ok_start[2] = {0, 4}, neg_start[2] = {0, -4};
	int32_t big_start[2] = {0, 9};
	struct xnr_batch b = {1, ids, NULL, ok_start};
	(void)state;

	assert_int_equal(xnr_state_open(model, 8, 513, opts, &st, &err), XNR_ERR_LIMIT);
	assert_int_equal(xnr_state_open(model, 0, 4, opts, &st, &err), XNR_ERR_LIMIT);
	assert_int_equal(xnr_state_open(model, 8, 4, opts, &st, &err), XNR_OK);
	assert_int_equal(xnr_model_forward(model, st, NULL, &b, &out, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "vocabulary"));
	assert_int_equal(out.n_tokens, 0); /* untouched on failure */
	ids[2] = 8999;
	b.type_ids = types;
	assert_int_equal(xnr_model_forward(model, st, NULL, &b, &out, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "type id"));
	types[2] = 1;
	assert_int_equal(xnr_model_forward(model, st, NULL, &b, &out, &err), XNR_OK);
	assert_int_equal(out.n_tokens, 4);
	b.seq_start = long_start;
	assert_int_equal(xnr_model_forward(model, st, NULL, &b, &out, &err), XNR_ERR_INPUT);
	b.seq_start = neg_start;
	assert_int_equal(xnr_model_forward(model, st, NULL, &b, &out, &err), XNR_ERR_INPUT);
	b.seq_start = big_start;
	assert_int_equal(xnr_model_forward(model, st, NULL, &b, &out, &err), XNR_ERR_LIMIT);
	b.seq_start = starts;
	b.n_seq = 2; /* an empty second sequence */
	assert_int_equal(xnr_model_forward(model, st, NULL, &b, &out, &err), XNR_ERR_INPUT);
	b.n_seq = 0;
	assert_int_equal(xnr_model_forward(model, st, NULL, &b, &out, &err), XNR_OK);
	assert_int_equal(out.n_tokens, 0);
	b.n_seq = -1;
	assert_int_equal(xnr_model_forward(model, st, NULL, &b, &out, &err), XNR_ERR_INPUT);
	assert_int_equal(xnr_model_forward(model, st, NULL, NULL, &out, &err), XNR_ERR_INPUT);
	xnr_state_close(st);
}

/* Not a check: tokens/s of the 64 packed sequences, 1 and 2 threads, for the
 * report (wall clock, so meaningless under sanitizers or a busy machine). */
static void test_throughput_info(void **state)
{
	struct xnr_forward_opts opts = {0, 0};
	struct xnr_batch b = {g.n_seq, g.ids, NULL, g.seq_start};
	struct xnr_state *st = NULL;
	struct xnr_outputs out;
	struct xnr_error err;
	int threads, rep, reps = 5;
	(void)state;

	assert_int_equal(xnr_state_open(model, g.n_tokens, g.max_len, opts, &st, &err), XNR_OK);
	for (threads = 1; threads <= 2; threads++) {
		struct xnr_pool *pool = NULL;
		struct timespec t0, t1;
		double dt;
		assert_int_equal(xnr_pool_open(threads, &pool, &err), XNR_OK);
		assert_int_equal(xnr_model_forward(model, st, pool, &b, &out, &err), XNR_OK);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (rep = 0; rep < reps; rep++)
			assert_int_equal(xnr_model_forward(model, st, pool, &b, &out, &err),
			                 XNR_OK);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
		printf("throughput (info): %d thread(s), %d tokens per batch: %.0f tokens/s\n",
		       threads, g.n_tokens, g.n_tokens * reps / dt);
		xnr_pool_close(pool);
	}
	xnr_state_close(st);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest core[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_all_outputs),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_throughput_info),
	};
	const struct CMUnitTest shared[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_all_outputs),
	};
	tu_material_init(&mat, argc, argv);
	if (mat.shared)
		return cmocka_run_group_tests_name("shared", shared, setup, teardown);
	return cmocka_run_group_tests_name("core", core, setup, teardown);
}
