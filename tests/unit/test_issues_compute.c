/*
 * test_issues_compute.c - the label-issue scores of a small hand-made run
 * (issues/issues.h): an ill-formed tag ranks first with a boundary kind, a
 * word labelled O whose neighbours are all names gets a neighbour score of
 * near 1 (an I-LOC among B-LOC ones, 1: they disagree by tag), a string
 * labelled against its other occurrences gets a consistency score with its
 * counts, the JSON list and evidence carry them, a model right on every word
 * makes the probabilities over-confident (its confidence weight a quarter),
 * and bad parameters and unknown runs fail.
 *
 * Run 1 (labels O B-PER I-PER B-LOC I-LOC B-ORG I-ORG), words (gold, pred):
 *   s0 Ann (B-PER) met (O) Paris (B-LOC)     s1 Bob (B-PER) saw (O) Paris (B-LOC)
 *   s2 Paris (B-ORG) said (O)                s3 York (I-LOC) rose (O)
 *   s4 Carl (O, predicted B-PER) left (O)
 * Hidden states: names, verbs and places each along their own axis.
 */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "issues/issues.h"
#include "store/read.h"
#include "store/scores.h"

static const char *const labels[] = {"O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"};

struct w {
	int sent;
	const char *text;
	int gold, pred, axis;
};

static const struct w words[] = {
    {0, "Ann", 1, 1, 0},  {0, "met", 0, 0, 1},   {0, "Paris", 3, 3, 2}, {1, "Bob", 1, 1, 0},
    {1, "saw", 0, 0, 1},  {1, "Paris", 3, 3, 2}, {2, "Paris", 5, 5, 2}, {2, "said", 0, 0, 1},
    {3, "York", 4, 4, 2}, {3, "rose", 0, 0, 1},  {4, "Carl", 0, 1, 0},  {4, "left", 0, 0, 1},
};
#define N (sizeof words / sizeof words[0])

/* Word i's hidden state, as add_run stores it. */
static void hidden_of(size_t i, double *h)
{
	h[0] = 0.05 * (double)i, h[1] = h[2] = 0.0, h[3] = 0.01;
	h[words[i].axis] = 1.0;
}

/* The cosine of words i and j's hidden states. */
static double cosine(size_t i, size_t j)
{
	double a[4], b[4], ab = 0.0, aa = 0.0, bb = 0.0;
	hidden_of(i, a);
	hidden_of(j, b);
	for (int d = 0; d < 4; d++)
		ab += a[d] * b[d], aa += a[d] * a[d], bb += b[d] * b[d];
	return ab / sqrt(aa * bb);
}

static void add_run(struct xnr_store *s, const char *key, int all_right)
{
	struct xnr_run_writer *w = NULL;
	struct xnr_run_info in;
	struct xnr_error err;
	int64_t id;
	int sent = -1, idx = 0;

	memset(&in, 0, sizeof in);
	in.key = key, in.version = "t", in.options_json = "{}", in.hidden_size = 4;
	in.data_hash = key, in.n_labels = 7, in.labels = labels;
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	for (size_t i = 0; i < N; i++) {
		int pred = all_right ? words[i].gold : words[i].pred;
		float probs[7] = {0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f};
		float hidden[4] = {0.05f * (float)i, 0.0f, 0.0f, 0.01f};
		struct xnr_word_row r;
		if (words[i].sent != sent) {
			struct xnr_sentence_row sr = {words[i].sent, 0, 1, NULL, "x", 2, 2,
			                              1.0,           0, 0};
			assert_int_equal(xnr_run_add_sentence(w, &sr, &err), XNR_OK);
			sent = words[i].sent, idx = 0;
		}
		probs[pred] = 0.94f;
		hidden[words[i].axis] = 1.0f;
		memset(&r, 0, sizeof r);
		r.sentence_id = sent, r.idx = idx++, r.text = words[i].text;
		r.text_len = (int)strlen(words[i].text), r.gold = words[i].gold, r.pred = pred;
		r.prob_pred = 0.94, r.prob_gold = probs[words[i].gold], r.loss = r.entropy = 0.1;
		r.first_token = 0, r.probs = probs, r.hidden = hidden;
		assert_int_equal(xnr_run_add_word(w, &r, &err), XNR_OK);
	}
	assert_int_equal(xnr_run_add_entity(w, 0, 0, 0, 1, "PER", &err), XNR_OK);
	assert_int_equal(xnr_run_add_entity(w, 0, 0, 2, 3, "LOC", &err), XNR_OK);
	assert_int_equal(xnr_run_add_entity(w, 1, 0, 0, 1, "PER", &err), XNR_OK);
	assert_int_equal(xnr_run_add_entity(w, 1, 0, 2, 3, "LOC", &err), XNR_OK);
	assert_int_equal(xnr_run_add_entity(w, 2, 0, 0, 1, "ORG", &err), XNR_OK);
	assert_int_equal(xnr_run_add_entity(w, 3, 0, 0, 1, "LOC", &err), XNR_OK);
	if (!all_right)
		assert_int_equal(xnr_run_add_entity(w, 4, 1, 0, 1, "PER", &err), XNR_OK);
	assert_int_equal(xnr_run_commit(w, 5, 12, 12, 0.1, "{}", &id, &err), XNR_OK);
}

static const char *make_db(void)
{
	static char path[4200];
	struct xnr_store *s = NULL;
	struct xnr_error err;

	snprintf(path, sizeof path, "%s/issues.db", tu_tmpdir("issues_compute"));
	remove(path);
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	add_run(s, "k1", 0);
	add_run(s, "k2", 1);
	xnr_store_close(s);
	return path;
}

static json_t *word_at(json_t *list, int sent, int idx)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i,
	                   it) if (json_integer_value(json_object_get(it, "sentence")) == sent &&
	                           json_integer_value(json_object_get(it, "idx")) == idx) return it;
	return NULL;
}

static double sig(json_t *w, const char *key)
{
	return json_number_value(json_object_get(json_object_get(w, "signals"), key));
}

static void test_signals(void **state)
{
	const char *path = make_db();
	struct xnr_issues_params p = xnr_issues_default_params();
	struct xnr_issues_outcome out;
	struct xnr_issue_query q = xnr_issue_query_default(1, XNR_ISSUE_WORD);
	struct xnr_store *s = NULL;
	struct xnr_error err;
	json_t *list = NULL, *ev = NULL, *w;

	(void)state;
	p.run = 1;
	p.k = 3;
	assert_int_equal(xnr_issues_compute(path, &p, NULL, &out, &err), XNR_OK);
	assert_true(out.run == 1 && !out.reused && out.reference_run == 0);
	assert_int_equal(xnr_store_open_read(path, &s, &err), XNR_OK);
	assert_int_equal(xnr_issues_list_json(s, &q, &list, &err), XNR_OK);
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 12);
	/* York I-LOC after nothing: ill-formed, first */
	w = json_array_get(json_object_get(list, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(w, "text")), "York");
	assert_true(json_is_true(json_object_get(json_object_get(w, "signals"), "structure")));
	assert_string_equal(json_string_value(json_object_get(w, "kind")), "boundary");
	assert_true(json_number_value(json_object_get(w, "combined")) == 1.0);
	/* its three neighbours are the Paris words: B-LOC twice (its type, another
	 * tag) and B-ORG; neighbours disagree by tag, so all three count, each by
	 * its cosine, averaged over the three (words 2, 5 and 6 against word 8) */
	assert_true(fabs(sig(w, "knn_split") - (cosine(8, 2) + cosine(8, 5) + cosine(8, 6)) / 3.0) <
	            1e-5);
	assert_true(sig(w, "knn_split") < 0.99);
	/* Carl is O, the model says B-PER; two of its three neighbours are the names
	 * (similarity 1), the third "rose" (O, as Carl: its vote is 0) */
	w = word_at(list, 4, 0);
	assert_true(fabs(cosine(10, 0) - 1.0) < 1e-6 && fabs(cosine(10, 3) - 1.0) < 1e-6);
	assert_true(fabs(sig(w, "knn_split") - 2.0 / 3.0) < 1e-5);
	assert_string_equal(json_string_value(json_object_get(w, "suggested")), "B-PER");
	assert_string_equal(json_string_value(json_object_get(w, "kind")), "missing");
	/* Paris ORG against Paris LOC twice: (2 - 0) / (2 + 1) */
	w = word_at(list, 2, 0);
	assert_true(fabs(sig(w, "consistency") - 2.0 / 3.0) < 1e-12);
	assert_true(fabs(sig(word_at(list, 0, 2), "consistency") - 1.0 / 3.0) < 1e-12);
	/* Ann: seen nowhere else, no consistency score */
	assert_true(json_is_null(
	    json_object_get(json_object_get(word_at(list, 0, 0), "signals"), "consistency")));
	/* the evidence of Paris ORG: its counts, its neighbours (places), the others */
	assert_int_equal(xnr_issues_word_json(s, 1, 2, 0, &ev, &err), XNR_OK);
	w = json_object_get(ev, "word");
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(json_object_get(json_object_get(w, "consistency_counts"), "word"),
	                        "split"),
	        "LOC")),
	    2);
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(ev, "neighbours"), "split")), 3);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(json_object_get(ev, "places"), "split"), "total")),
	                 3);
	assert_true(json_number_value(json_object_get(json_object_get(w, "probs"), "B-ORG")) > 0.9);
	json_decref(ev);
	json_decref(list);
	assert_int_equal(xnr_issues_word_json(s, 1, 9, 0, &ev, &err), XNR_ERR_NOT_FOUND);
	xnr_store_close(s);
	/* the same again is reused */
	assert_int_equal(xnr_issues_compute(path, &p, NULL, &out, &err), XNR_OK);
	assert_int_equal(out.reused, 1);
}

static void test_over_confident(void **state)
{
	const char *path = make_db();
	struct xnr_issues_params p = xnr_issues_default_params();
	struct xnr_issues_outcome out;
	struct xnr_store *s = NULL;
	struct xnr_issue_query q = xnr_issue_query_default(2, XNR_ISSUE_WORD);
	struct xnr_error err;
	json_t *sum = NULL, *list = NULL, *w;
	size_t i;

	(void)state;
	p.k = 3; /* run 0: the newest, run 2, where the model is right on every word */
	assert_int_equal(xnr_issues_compute(path, &p, NULL, &out, &err), XNR_OK);
	assert_int_equal(out.run, 2);
	assert_int_equal(xnr_store_open_read(path, &s, &err), XNR_OK);
	assert_int_equal(xnr_issues_summary_json(s, 2, &sum, &err), XNR_OK);
	assert_true(json_is_true(json_object_get(sum, "over_confident")));
	assert_non_null(strstr(json_string_value(json_object_get(sum, "over_confident_reason")),
	                       "100.00% of this split's words right"));
	json_decref(sum);
	assert_int_equal(xnr_issues_list_json(s, &q, &list, &err), XNR_OK);
	json_array_foreach(json_object_get(list, "items"), i, w)
	{
		/* the confidence weight is 0.2 x 0.25: the ranking leans on the others */
		json_t *g = json_object_get(w, "signals");
		double x[3] = {
		    1.0 - sig(w, "self_confidence"), sig(w, "knn_split"),
		    json_is_null(json_object_get(g, "consistency")) ? 0.0 : sig(w, "consistency")};
		double want = (0.05 * x[0] + 0.4 * x[1] + 0.4 * x[2]) / 0.85;
		if (!json_is_true(json_object_get(g, "structure")))
			assert_true(fabs(json_number_value(json_object_get(w, "combined")) - want) <
			            1e-9);
	}
	json_decref(list);
	assert_int_equal(xnr_issues_summary_json(s, 1, &sum, &err), XNR_ERR_NOT_FOUND);
	xnr_store_close(s);
}

static void test_bad_input(void **state)
{
	const char *path = make_db();
	struct xnr_issues_params p = xnr_issues_default_params();
	struct xnr_issues_outcome out;
	struct xnr_error err;

	(void)state;
	p.k = 0;
	tu_expect_input(xnr_issues_compute(path, &p, NULL, &out, &err), &err, "k = 0");
	p.k = 10;
	p.weights.confidence = p.weights.neighbours = p.weights.consistency = 0;
	tu_expect_input(xnr_issues_compute(path, &p, NULL, &out, &err), &err, "weights");
	p = xnr_issues_default_params();
	p.run = 5;
	assert_int_equal(xnr_issues_compute(path, &p, NULL, &out, &err), XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "run 5: no such run"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signals),
	    cmocka_unit_test(test_over_confident),
	    cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
