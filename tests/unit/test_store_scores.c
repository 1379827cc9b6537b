/*
 * test_store_scores.c - the label-issue scores in the run database
 * (store/scores.h) on a small run: the record, words, entities and
 * sentences written and read back with every filter, level and page, one
 * word's neighbours, words by text and by position, the scores' inputs
 * (words with probabilities, entity spans); a second write replaces the
 * first whole, an aborted one leaves it; an unscored run or word is
 * XNR_ERR_NOT_FOUND.
 *
 * Run 1 (labels O B-PER I-PER B-LOC): s0 "Ann sings" (B-PER O), s1 "Paris
 * Ann" (B-LOC B-PER).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/read.h"
#include "store/scores.h"
#include "store/store.h"

static const char *const labels[] = {"O", "B-PER", "I-PER", "B-LOC"};

static struct xnr_store *make_run(const char *dir)
{
	char path[4200];
	struct xnr_store *s = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_run_info in;
	struct xnr_error err;
	static const char *const text[4] = {"Ann", "sings", "Paris", "Ann"};
	static const int gold[4] = {1, 0, 3, 1}, pred[4] = {1, 1, 3, 1};
	float probs[4] = {0.7f, 0.1f, 0.1f, 0.1f};
	int64_t id;

	snprintf(path, sizeof path, "%s/scores.db", dir);
	remove(path);
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	memset(&in, 0, sizeof in);
	in.key = "k", in.version = "t", in.options_json = "{}", in.hidden_size = 2;
	in.n_labels = 4, in.labels = labels;
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	for (int i = 0; i < 4; i++) {
		struct xnr_word_row r;
		if (i % 2 == 0) {
			struct xnr_sentence_row sr = {
			    i / 2, 0, i + 1, NULL, i ? "Paris Ann" : "Ann sings", 2, 2, 1.0, 0, 0};
			assert_int_equal(xnr_run_add_sentence(w, &sr, &err), XNR_OK);
		}
		memset(&r, 0, sizeof r);
		r.sentence_id = i / 2, r.idx = i % 2, r.text = text[i],
		r.text_len = (int)strlen(text[i]);
		r.gold = gold[i], r.pred = pred[i],
		r.prob_pred = r.prob_gold = r.loss = r.entropy = 0.5;
		r.first_token = i % 2, r.probs = probs;
		assert_int_equal(xnr_run_add_word(w, &r, &err), XNR_OK);
	}
	assert_int_equal(xnr_run_add_entity(w, 0, 0, 0, 1, "PER", &err), XNR_OK);
	assert_int_equal(xnr_run_add_entity(w, 1, 0, 0, 1, "LOC", &err), XNR_OK);
	assert_int_equal(xnr_run_add_entity(w, 1, 1, 1, 2, "PER", &err), XNR_OK);
	assert_int_equal(xnr_run_commit(w, 2, 4, 4, 0.1, "{}", &id, &err), XNR_OK);
	assert_int_equal(id, 1);
	return s;
}

/* Scores for the run: "sings" ranked first (a word of kind `kind`). */
static enum xnr_status write_scores(struct xnr_store *s, const char *kind, int abort)
{
	static const struct xnr_neighbour nb[2] = {{1, 1, 0.9f}, {1, 0, 0.5f}};
	struct xnr_issue_run rec = {
	    1, 0, NULL, "t", 1, 2, "{\"confidence\":0.5}", 0, NULL, NAN, 1, "{\"words\":4}"};
	struct xnr_scores_writer *w = NULL;
	struct xnr_error err;
	enum xnr_status st = xnr_scores_begin(s, &rec, &w, &err);

	for (int i = 0; st == XNR_OK && i < 4; i++) {
		struct xnr_word_score r;
		memset(&r, 0, sizeof r);
		r.sentence_id = i / 2, r.idx = i % 2, r.self_confidence = i == 1 ? 0.1 : 0.9;
		r.margin = NAN, r.cl_issue = i == 1, r.cl_guess = i == 1 ? 1 : -1;
		r.knn_split = i == 1 ? 1.0 : 0.0, r.knn_ref = NAN, r.knn_counts = "{}";
		r.nb = i == 1 ? nb : NULL, r.n_nb = i == 1 ? 2 : 0, r.consistency = NAN;
		r.consistency_counts = "{}", r.suggested = i == 1 ? 1 : -1;
		r.kind = i == 1 ? kind : NULL, r.combined = i == 1 ? 0.9 : 0.1 * i,
		r.rank = i == 1   ? 1
		         : i == 0 ? 2
		                  : i + 1;
		st = xnr_scores_add_word(w, &r, &err);
	}
	struct xnr_entity_score e = {0,   0,   1,    "gold", "PER", "Ann", 0.9,
	                             0.0, NAN, NULL, NULL,   NULL,  0.1,   2};
	struct xnr_entity_score p = {0,   1,   2,    "pred", "PER",     "sings", 0.1,
	                             1.0, NAN, NULL, "PER",  "missing", 0.9,     1};
	struct xnr_sentence_score t0 = {0, 0.1, 0.12, 0.9, 1, 1, NULL},
	                          t1 = {1, 0.9, 0.9, 0.2, 2, 0, NULL};
	if (st == XNR_OK && (st = xnr_scores_add_entity(w, &e, &err)) == XNR_OK &&
	    (st = xnr_scores_add_entity(w, &p, &err)) == XNR_OK &&
	    (st = xnr_scores_add_sentence(w, &t0, &err)) == XNR_OK)
		st = xnr_scores_add_sentence(w, &t1, &err);
	if (abort) {
		xnr_scores_abort(w);
		return st;
	}
	return st == XNR_OK ? xnr_scores_commit(w, &err) : st;
}

struct seen {
	int n;
	char what[8][32];
};

static int on_row(void *ud, const void *row)
{
	struct seen *x = ud;
	const struct xnr_word_score *w = row; /* read as the level says; only words here */
	snprintf(x->what[x->n++ % 8], 32, "%d.%d:%s", w->sentence_id, w->idx,
	         w->text ? w->text : "");
	return 0;
}

static int on_sentence(void *ud, const void *row)
{
	struct seen *x = ud;
	const struct xnr_sentence_score *t = row;
	snprintf(x->what[x->n++ % 8], 32, "%d:%ld:%s", t->id, t->rank, t->text);
	return 0;
}

static int on_entity(void *ud, const void *row)
{
	struct seen *x = ud;
	const struct xnr_entity_score *e = row;
	snprintf(x->what[x->n++ % 8], 32, "%s:%s:%s", e->side, e->text, e->kind ? e->kind : "-");
	return 0;
}

static int on_evidence(void *ud, const void *row)
{
	const struct xnr_word_score *w = row;
	(void)ud;
	assert_int_equal(w->n_nb, 2);
	assert_int_equal(w->nb[0].sentence_id, 1);
	assert_true(w->nb[0].sim == 0.9f && w->nb[1].idx == 0);
	assert_int_equal(w->n_ref_nb, 0);
	assert_string_equal(w->text, "sings");
	assert_true(w->cl_issue == 1 && w->cl_guess == 1 && w->gold == 0 && w->pred == 1);
	assert_true(isnan(w->margin) && isnan(w->consistency));
	return 0;
}

static int on_place(void *ud, const void *row)
{
	struct seen *x = ud;
	const struct xnr_word_place *p = row;
	snprintf(x->what[x->n++ % 8], 32, "%d.%d:%d:%s", p->sentence_id, p->idx, p->gold,
	         p->sentence);
	return 0;
}

static void test_scores(void **state)
{
	struct xnr_store *s = make_run(tu_tmpdir("store_scores"));
	struct xnr_issue_query q = xnr_issue_query_default(1, XNR_ISSUE_WORD);
	struct xnr_issue_run rec;
	struct xnr_error err;
	struct seen x;
	int64_t total = 0;

	(void)state;
	assert_int_equal(xnr_store_issue_run(s, 1, &rec, &err), XNR_ERR_NOT_FOUND);
	assert_int_equal(xnr_store_issues(s, &q, on_row, &x, &total, &err), XNR_ERR_NOT_FOUND);
	assert_int_equal(write_scores(s, "spurious", 0), XNR_OK);
	assert_int_equal(xnr_store_issue_run(s, 1, &rec, &err), XNR_OK);
	assert_true(rec.reference_run == 0 && rec.k == 2 && rec.neighbours == 1);
	assert_true(isnan(rec.reference_accuracy));
	assert_string_equal(rec.summary_json, "{\"words\":4}");
	xnr_issue_run_free(&rec);
	/* words by rank, paged */
	memset(&x, 0, sizeof x);
	q.limit = 2;
	assert_int_equal(xnr_store_issues(s, &q, on_row, &x, &total, &err), XNR_OK);
	assert_true(total == 4 && x.n == 2);
	assert_string_equal(x.what[0], "0.1:sings");
	assert_string_equal(x.what[1], "0.0:Ann");
	/* filters: kind, signal, sentence, position order */
	memset(&x, 0, sizeof x);
	q.limit = -1, q.kind = "spurious";
	assert_int_equal(xnr_store_issues(s, &q, on_row, &x, &total, &err), XNR_OK);
	assert_true(total == 1 && x.n == 1);
	q.kind = NULL, q.signal = XNR_SIGNAL_CL;
	assert_int_equal(xnr_store_issues(s, &q, on_row, &x, &total, &err), XNR_OK);
	assert_int_equal(total, 1);
	q.signal = XNR_SIGNAL_ANY, q.sentence = 1, q.by_position = 1;
	memset(&x, 0, sizeof x);
	assert_int_equal(xnr_store_issues(s, &q, on_row, &x, &total, &err), XNR_OK);
	assert_true(total == 2 && strcmp(x.what[0], "1.0:Paris") == 0);
	/* sentences, entities */
	q = xnr_issue_query_default(1, XNR_ISSUE_SENTENCE);
	memset(&x, 0, sizeof x);
	assert_int_equal(xnr_store_issues(s, &q, on_sentence, &x, &total, &err), XNR_OK);
	assert_true(total == 2 && strcmp(x.what[0], "0:1:Ann sings") == 0);
	q.signal = XNR_SIGNAL_NEIGHBOURS; /* only s0 has a word whose neighbours disagree */
	assert_int_equal(xnr_store_issues(s, &q, on_sentence, &x, &total, &err), XNR_OK);
	assert_int_equal(total, 1);
	q = xnr_issue_query_default(1, XNR_ISSUE_ENTITY);
	memset(&x, 0, sizeof x);
	assert_int_equal(xnr_store_issues(s, &q, on_entity, &x, &total, &err), XNR_OK);
	assert_true(total == 2 && strcmp(x.what[0], "pred:sings:missing") == 0);
	q.type = "LOC";
	assert_int_equal(xnr_store_issues(s, &q, on_entity, &x, &total, &err), XNR_OK);
	assert_int_equal(total, 0);
	q.type = NULL, q.level = (enum xnr_issue_level)7;
	tu_expect_input(xnr_store_issues(s, &q, on_entity, &x, &total, &err), &err, "out of range");
	/* one word's evidence; words by text and by place */
	assert_int_equal(xnr_store_word_score(s, 1, 0, 1, on_evidence, NULL, &err), XNR_OK);
	assert_int_equal(xnr_store_word_score(s, 1, 5, 0, on_evidence, NULL, &err),
	                 XNR_ERR_NOT_FOUND);
	memset(&x, 0, sizeof x);
	assert_int_equal(xnr_store_word_places(s, 1, "Ann", 1, on_place, &x, &total, &err), XNR_OK);
	assert_true(total == 2 && x.n == 1 && strcmp(x.what[0], "0.0:1:Ann sings") == 0);
	{
		const struct xnr_neighbour at[3] = {{1, 1, 0}, {9, 9, 0}, {0, 1, 0}};
		memset(&x, 0, sizeof x);
		assert_int_equal(xnr_store_words_at(s, 1, at, 3, on_place, &x, &err), XNR_OK);
		assert_true(x.n == 2 && strcmp(x.what[1], "0.1:0:Ann sings") == 0);
	}
	/* a second write replaces the first whole; an aborted one changes nothing */
	assert_int_equal(write_scores(s, "type", 0), XNR_OK);
	q = xnr_issue_query_default(1, XNR_ISSUE_WORD);
	q.kind = "spurious";
	assert_int_equal(xnr_store_issues(s, &q, on_row, &x, &total, &err), XNR_OK);
	assert_int_equal(total, 0);
	assert_int_equal(write_scores(s, "boundary", 1), XNR_OK);
	q.kind = "type";
	assert_int_equal(xnr_store_issues(s, &q, on_row, &x, &total, &err), XNR_OK);
	assert_int_equal(total, 1);
	xnr_store_close(s);
}

static int on_word(void *ud, const void *row)
{
	const struct xnr_word_probs *w = row;
	int *n = ud;
	assert_int_equal(w->idx, *n % 2);
	assert_true(w->n_probs == 4 && w->probs[0] == 0.7f);
	(*n)++;
	return 0;
}

static int on_span(void *ud, const void *row)
{
	const struct xnr_entity_row *e = row;
	int *n = ud;
	(*n)++;
	assert_true(e->sentence_id == (*n > 1) && e->end == e->start + 1);
	return 0;
}

static void test_inputs(void **state)
{
	struct xnr_store *s = make_run(tu_tmpdir("store_scores_in"));
	struct xnr_error err;
	float p[4];
	int n = 0, got = 0;

	(void)state;
	assert_int_equal(xnr_store_word_table(s, 1, 1, on_word, &n, &err), XNR_OK);
	assert_int_equal(n, 4);
	n = 0;
	assert_int_equal(xnr_store_entity_spans(s, 1, on_span, &n, &err), XNR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(xnr_store_word_probs(s, 1, 1, 0, p, 4, &got, &err), XNR_OK);
	assert_true(got && p[3] == 0.1f);
	assert_int_equal(xnr_store_word_probs(s, 1, 1, 0, p, 3, &got, &err), XNR_OK);
	assert_int_equal(got, 0); /* not 3 values: none */
	assert_int_equal(xnr_store_word_probs(s, 1, 2, 0, p, 4, &got, &err), XNR_ERR_NOT_FOUND);
	xnr_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scores),
	    cmocka_unit_test(test_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
