/*
 * test_report_run.c - the report module on a tiny run written with the store
 * writer, every number worked out by hand: the run view, metrics (seqeval,
 * confusion), misclassified pairs and their words, worst sentences, loss
 * tables by word, sub-token and label (medians of odd and even counts, NULL
 * and NaN losses skipped, every sort with its ties, paging, filtering), and
 * XNR_ERR_NOT_FOUND for a run that does not exist.
 *
 * Run 1 (labels O B-PER I-PER B-LOC), words as (text gold pred loss):
 *   s0: Ann B-PER B-PER 0.5 | likes O O 0.1  | Paris B-LOC B-PER 2.0
 *   s1: Ann B-PER O 1.5     | Lee I-PER I-PER 0.25 | likes O O 0.3 | Rome B-LOC O NULL
 *   s2: Paris B-LOC B-PER 3.0 | likes O O 0.2 | Rome B-LOC B-PER 4.0
 * Sub-tokens: one first sub-token per word with a loss (Paris is "Par" +
 * "##is", the second with no loss). Run 2 is one unrelated sentence.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/internal.h"
#include "report/report.h"
#include "store/read.h"
#include "store/store.h"

struct word {
	int sent;
	const char *text;
	int gold, pred;
	double loss;
};

static const struct word run1[] = {
    {0, "Ann", 1, 1, 0.5},  {0, "likes", 0, 0, 0.1}, {0, "Paris", 3, 1, 2.0},
    {1, "Ann", 1, 0, 1.5},  {1, "Lee", 2, 2, 0.25},  {1, "likes", 0, 0, 0.3},
    {1, "Rome", 3, 0, NAN}, {2, "Paris", 3, 1, 3.0}, {2, "likes", 0, 0, 0.2},
    {2, "Rome", 3, 1, 4.0},
};
static const double sent_loss[3] = {2.6, 2.05, 7.2};
static const char *const labels[] = {"O", "B-PER", "I-PER", "B-LOC"};

static struct xnr_run_info info(const char *key)
{
	struct xnr_run_info in;
	memset(&in, 0, sizeof in);
	in.key = key;
	in.version = "test";
	in.scheme = "{\"data\":\"IOB2\",\"model\":\"IOB2\",\"ill_formed\":0}";
	in.n_labels = 4;
	in.labels = labels;
	return in;
}

static void add_word(struct xnr_run_writer *w, const struct word *x, int idx, int *tok)
{
	struct xnr_word_row wr;
	struct xnr_token_row tr;
	struct xnr_error err;
	int first = isnan(x->loss) ? -1 : *tok;

	memset(&wr, 0, sizeof wr);
	wr.sentence_id = x->sent, wr.idx = idx, wr.text = x->text;
	wr.text_len = (int)strlen(x->text), wr.gold = x->gold, wr.pred = x->pred;
	wr.prob_pred = wr.prob_gold = wr.entropy = NAN, wr.loss = x->loss, wr.first_token = first;
	assert_int_equal(xnr_run_add_word(w, &wr, &err), XNR_OK);
	if (first < 0)
		return;
	memset(&tr, 0, sizeof tr);
	tr.sentence_id = x->sent, tr.idx = (*tok)++, tr.word_idx = idx, tr.is_first = 1;
	tr.text = strcmp(x->text, "Paris") ? x->text : "Par";
	tr.gold = x->gold, tr.pred = x->pred, tr.loss = x->loss;
	assert_int_equal(xnr_run_add_token(w, &tr, &err), XNR_OK);
	if (strcmp(x->text, "Paris") == 0) {
		tr.idx = (*tok)++, tr.is_first = 0, tr.gold = -1, tr.text = "##is", tr.loss = 9.0;
		assert_int_equal(xnr_run_add_token(w, &tr, &err), XNR_OK);
	}
}

/* Run 1 as above, then run 2 (one sentence "x" O->B-PER, loss 7). */
static struct xnr_store *make_db(const char *name)
{
	static const int n_words[3] = {3, 4, 3};
	struct xnr_store *s = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_run_info in = info("run1");
	struct xnr_error err;
	char path[4200];
	int64_t id;
	int i, k = 0;

	snprintf(path, sizeof path, "%s/run.db", tu_tmpdir(name));
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	for (i = 0; i < 3; i++) {
		struct xnr_sentence_row sr = {i,          0, i + 1,        NULL, "text",
		                              n_words[i], 0, sent_loss[i], 0,    0};
		int idx, tok = 0;
		assert_int_equal(xnr_run_add_sentence(w, &sr, &err), XNR_OK);
		for (idx = 0; idx < n_words[i]; idx++)
			add_word(w, &run1[k++], idx, &tok);
	}
	assert_int_equal(xnr_run_commit(w, 3, 10, 10, 0.0, "{}", &id, &err), XNR_OK);
	assert_int_equal(id, 1);
	in = info("run2");
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	{
		struct xnr_sentence_row sr = {0, 0, 1, NULL, "x", 1, 1, 7.0, 1, 1};
		struct word x = {0, "x", 0, 1, 7.0};
		int tok = 0;
		assert_int_equal(xnr_run_add_sentence(w, &sr, &err), XNR_OK);
		add_word(w, &x, 0, &tok);
	}
	assert_int_equal(xnr_run_commit(w, 1, 1, 1, 0.0, "{}", &id, &err), XNR_OK);
	assert_int_equal(id, 2);
	return s;
}

static void assert_near(double got, double want)
{
	if (fabs(got - want) > 1e-12) {
		print_error("got %.17g, want %.17g\n", got, want);
		fail();
	}
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	assert_non_null(v);
	return json_number_value(v);
}

static void test_view(void **state)
{
	struct xnr_store *s = make_db("report_view");
	struct xnr_store *db = s;
	struct xnr_run_view *v = NULL;
	struct xnr_error err;
	int64_t latest = 0;
	size_t i;

	(void)state;
	assert_int_equal(xnr_store_run_latest(db, &latest, &err), XNR_OK);
	assert_int_equal(latest, 2);
	assert_int_equal(xnr_run_view_load(db, 1, &v, &err), XNR_OK);
	assert_int_equal(v->run, 1);
	assert_int_equal(v->n_labels, 4);
	assert_string_equal(v->labels[3], "B-LOC");
	assert_int_equal(v->n_sents, 3);
	assert_int_equal(v->n_words, 10);
	assert_int_equal(v->sent_start[1], 3);
	assert_int_equal(v->sent_start[2], 7);
	assert_int_equal(v->sent_start[3], 10);
	for (i = 0; i < 10; i++) {
		assert_int_equal(v->gold[i], run1[i].gold);
		assert_int_equal(v->pred[i], run1[i].pred);
		assert_true(isnan(run1[i].loss) ? isnan(v->loss[i]) : v->loss[i] == run1[i].loss);
	}
	assert_string_equal(v->scheme_json,
	                    "{\"data\":\"IOB2\",\"model\":\"IOB2\",\"ill_formed\":0}");
	xnr_run_view_free(v);
	v = NULL;
	assert_int_equal(xnr_run_view_load(db, 3, &v, &err), XNR_ERR_NOT_FOUND);
	assert_null(v);
	assert_non_null(strstr(err.msg, "run 3: no such run"));
	xnr_store_close(s);
}

/* entity_errors has a row for each entity type of seqeval_default and no
 * other: not the "_" and "" types the tag set interns for "O". */
static void assert_entity_types(json_t *j)
{
	static const char *const want[] = {"LOC", "PER"};
	json_t *tax = json_object_get(j, "entity_errors");
	const char *key;
	json_t *row;
	size_t i = 0;

	assert_int_equal(json_object_size(tax), 2);
	json_object_foreach(tax, key, row)
	{
		assert_true(i < 2);
		assert_string_equal(key, want[i++]);
		assert_non_null(json_object_get(json_object_get(j, "seqeval_default"), key));
	}
	assert_null(json_object_get(tax, "_"));
	assert_null(json_object_get(tax, ""));
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(tax, "PER"), "correct")), 1);
}

/* Gold PER: s0[0,1) s1[0,2); LOC: s0[2] s1[3] s2[0] s2[2]. Predicted PER:
 * s0[0] s0[2] s1[1] (an I- after O opens in default mode) s2[0] s2[2]; only
 * s0[0] is right: micro P 1/5, R 1/6, F1 2/11. */
static void test_metrics(void **state)
{
	struct xnr_store *s = make_db("report_metrics");
	struct xnr_run_view *v = NULL;
	struct xnr_error err;
	json_t *j = NULL, *def, *cm;

	(void)state;
	assert_int_equal(xnr_run_view_load(s, 1, &v, &err), XNR_OK);
	assert_int_equal(xnr_report_metrics(v, &j, &err), XNR_OK);
	assert_int_equal(json_integer_value(json_object_get(j, "run")), 1);
	def = json_object_get(j, "seqeval_default");
	assert_near(num(json_object_get(def, "micro avg"), "precision"), 0.2);
	assert_near(num(json_object_get(def, "micro avg"), "recall"), 1.0 / 6.0);
	assert_near(num(json_object_get(def, "micro avg"), "f1-score"), 2.0 / 11.0);
	assert_near(num(json_object_get(def, "PER"), "recall"), 0.5);
	assert_near(num(json_object_get(def, "LOC"), "precision"), 0.0);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(def, "LOC"), "support")), 4);
	cm = json_object_get(json_object_get(j, "confusion"), "counts");
	/* gold B-LOC (3): predicted O once (Rome), B-PER twice (Paris) + once (Rome) */
	assert_int_equal(json_integer_value(json_array_get(json_array_get(cm, 3), 0)), 1);
	assert_int_equal(json_integer_value(json_array_get(json_array_get(cm, 3), 1)), 3);
	assert_near(
	    json_real_value(json_array_get(
	        json_array_get(json_object_get(json_object_get(j, "confusion"), "normalized"), 3),
	        1)),
	    0.75);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(j, "scheme"), "data")), "IOB2");
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(json_object_get(j, "entity_errors"), "LOC"), "missed")) +
	        json_integer_value(json_object_get(
	            json_object_get(json_object_get(j, "entity_errors"), "LOC"), "wrong type")),
	    4);
	assert_entity_types(j);
	json_decref(j);
	xnr_run_view_free(v);
	xnr_store_close(s);
}

static void assert_pair(json_t *p, const char *gold, const char *pred, int count, const char *w0,
                        int c0)
{
	json_t *words = json_object_get(p, "words");
	assert_string_equal(json_string_value(json_object_get(p, "gold")), gold);
	assert_string_equal(json_string_value(json_object_get(p, "pred")), pred);
	assert_int_equal(json_integer_value(json_object_get(p, "count")), count);
	assert_string_equal(json_string_value(json_object_get(json_array_get(words, 0), "text")),
	                    w0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(words, 0), "count")),
	                 c0);
}

/* (B-LOC, B-PER) 3: Paris 2, Rome 1; then count ties by label names:
 * (B-LOC, O) Rome, (B-PER, O) Ann. Worst sentences: s2 7.2, s0 2.6, s1 2.05. */
static void test_errors(void **state)
{
	struct xnr_store *s = make_db("report_errors");
	struct xnr_store *db = s;
	struct xnr_error err;
	json_t *j = NULL;

	(void)state;
	assert_int_equal(xnr_report_confusions(db, 1, -1, &j, &err), XNR_OK);
	assert_int_equal(json_array_size(j), 3);
	assert_pair(json_array_get(j, 0), "B-LOC", "B-PER", 3, "Paris", 2);
	assert_int_equal(json_array_size(json_object_get(json_array_get(j, 0), "words")), 2);
	assert_pair(json_array_get(j, 1), "B-LOC", "O", 1, "Rome", 1);
	assert_pair(json_array_get(j, 2), "B-PER", "O", 1, "Ann", 1);
	json_decref(j);
	assert_int_equal(xnr_report_confusions(db, 1, 1, &j, &err), XNR_OK);
	assert_int_equal(json_array_size(json_object_get(json_array_get(j, 0), "words")), 1);
	json_decref(j);
	assert_int_equal(xnr_report_confusions(db, 1, 0, &j, &err), XNR_OK);
	assert_int_equal(json_array_size(json_object_get(json_array_get(j, 0), "words")), 0);
	json_decref(j);

	assert_int_equal(xnr_report_worst_sentences(db, 1, 2, &j, &err), XNR_OK);
	assert_int_equal(json_array_size(j), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "id")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 1), "id")), 0);
	assert_near(num(json_array_get(j, 0), "loss"), 7.2);
	json_decref(j);

	j = NULL;
	assert_int_equal(xnr_report_confusions(db, 9, 5, &j, &err), XNR_ERR_NOT_FOUND);
	assert_int_equal(xnr_report_worst_sentences(db, 9, 5, &j, &err), XNR_ERR_NOT_FOUND);
	assert_null(j);
	xnr_store_close(s);
}

/* The keys of a page's groups joined by ' '. */
/* Ties in a pair's word counts go by text in SQLite's binary order (bytes,
 * then the shorter first): one sentence, every word gold B-PER predicted O;
 * "Lee" is right and not listed. */
static void test_errors_ties(void **state)
{
	static const struct word ws[] = {
	    {0, "b", 1, 0, 1.0},        {0, "ab", 1, 0, 1.0}, {0, "a", 1, 0, 1.0},
	    {0, "\xc3\xa9", 1, 0, 1.0}, {0, "b", 1, 0, 1.0},  {0, "a", 1, 0, 1.0},
	    {0, "Lee", 1, 1, 0.1},      {0, "aa", 1, 0, 1.0},
	};
	static const char *const want[] = {"a", "b", "aa", "ab", "\xc3\xa9"};
	struct xnr_store *s = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_run_info in = info("ties");
	struct xnr_sentence_row sr = {0, 0, 1, NULL, "text", 8, 8, 7.1, 7, 0};
	struct xnr_error err;
	char path[4200];
	json_t *j = NULL, *words;
	int64_t id;
	int i, tok = 0;

	(void)state;
	snprintf(path, sizeof path, "%s/run.db", tu_tmpdir("report_ties"));
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	assert_int_equal(xnr_run_add_sentence(w, &sr, &err), XNR_OK);
	for (i = 0; i < 8; i++)
		add_word(w, &ws[i], i, &tok);
	assert_int_equal(xnr_run_commit(w, 1, 8, 8, 0.0, "{}", &id, &err), XNR_OK);
	assert_int_equal(xnr_report_confusions(s, id, -1, &j, &err), XNR_OK);
	assert_int_equal(json_array_size(j), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "count")), 7);
	words = json_object_get(json_array_get(j, 0), "words");
	assert_int_equal(json_array_size(words), 5);
	for (i = 0; i < 5; i++)
		assert_string_equal(
		    json_string_value(json_object_get(json_array_get(words, (size_t)i), "text")),
		    want[i]);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(words, 1), "count")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(words, 2), "count")), 1);
	json_decref(j);
	assert_int_equal(xnr_report_confusions(s, id, 3, &j, &err), XNR_OK);
	words = json_object_get(json_array_get(j, 0), "words");
	assert_int_equal(json_array_size(words), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(words, 2), "text")),
	                    "aa");
	json_decref(j);
	xnr_store_close(s);
}

static const char *keys(json_t *page)
{
	static char buf[256];
	json_t *g;
	size_t i;
	buf[0] = 0;
	json_array_foreach(json_object_get(page, "groups"), i, g)
	{
		if (i)
			strcat(buf, " ");
		strcat(buf, json_string_value(json_object_get(g, "key")));
	}
	return buf;
}

static json_t *page(const struct xnr_loss_table *t, enum xnr_loss_sort sort, int asc, long offset,
                    long limit, const char *filter)
{
	struct xnr_loss_page p = {sort, asc, offset, limit, filter};
	struct xnr_error err;
	json_t *j = NULL;
	assert_int_equal(xnr_loss_table_page(t, &p, &j, &err), XNR_OK);
	return j;
}

static void assert_stats(json_t *g, const char *key, long count, double mean, double median,
                         double sum)
{
	assert_string_equal(json_string_value(json_object_get(g, "key")), key);
	assert_int_equal(json_integer_value(json_object_get(g, "count")), count);
	assert_near(num(g, "mean"), mean);
	assert_near(num(g, "median"), median);
	assert_near(num(g, "sum"), sum);
}

/* Word groups (Rome's NULL loss skipped): Paris 2/5/2.5/2.5, Rome 1/4,
 * Ann 2/2/1/1 (even median: mean of 0.5 and 1.5), likes 3/0.6/0.2/0.2 (odd
 * median: the middle of 0.1 0.2 0.3), Lee 1/0.25. */
static void test_loss_words(void **state)
{
	struct xnr_store *s = make_db("report_loss_words");
	struct xnr_loss_table *t = NULL;
	struct xnr_loss_page p = xnr_loss_page_default();
	struct xnr_error err;
	json_t *j;

	(void)state;
	assert_int_equal(xnr_loss_table_load(s, 1, XNR_LOSS_BY_WORD, &t, &err), XNR_OK);
	j = page(t, XNR_LOSS_SORT_SUM, 0, 0, -1, NULL);
	assert_string_equal(keys(j), "Paris Rome Ann likes Lee");
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
	assert_string_equal(json_string_value(json_object_get(j, "by")), "word");
	assert_null(json_object_get(j, "hint"));
	assert_stats(json_array_get(json_object_get(j, "groups"), 0), "Paris", 2, 2.5, 2.5, 5.0);
	assert_stats(json_array_get(json_object_get(j, "groups"), 2), "Ann", 2, 1.0, 1.0, 2.0);
	assert_stats(json_array_get(json_object_get(j, "groups"), 3), "likes", 3, 0.2, 0.2,
	             (0.1 + 0.2) + 0.3);
	json_decref(j);
	j = page(t, XNR_LOSS_SORT_COUNT, 0, 0, -1, NULL);
	assert_string_equal(keys(j), "likes Ann Paris Lee Rome"); /* ties by ascending key */
	json_decref(j);
	j = page(t, XNR_LOSS_SORT_COUNT, 1, 0, -1, NULL);
	assert_string_equal(keys(j), "Lee Rome Ann Paris likes");
	json_decref(j);
	j = page(t, XNR_LOSS_SORT_MEDIAN, 0, 0, -1, NULL);
	assert_string_equal(keys(j), "Rome Paris Ann Lee likes");
	json_decref(j);
	j = page(t, XNR_LOSS_SORT_MEAN, 1, 0, -1, NULL);
	assert_string_equal(keys(j), "likes Lee Ann Paris Rome");
	json_decref(j);
	j = page(t, XNR_LOSS_SORT_KEY, 1, 0, -1, NULL);
	assert_string_equal(keys(j), "Ann Lee Paris Rome likes");
	json_decref(j);
	j = page(t, XNR_LOSS_SORT_KEY, 0, 0, -1, NULL);
	assert_string_equal(keys(j), "likes Rome Paris Lee Ann");
	json_decref(j);
	j = page(t, XNR_LOSS_SORT_SUM, 0, 1, 2, NULL);
	assert_string_equal(keys(j), "Rome Ann");
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
	json_decref(j);
	j = page(t, XNR_LOSS_SORT_SUM, 0, 7, 2, NULL);
	assert_string_equal(keys(j), "");
	json_decref(j);
	j = page(t, XNR_LOSS_SORT_SUM, 0, 0, 10, "r"); /* ASCII case-insensitive */
	assert_string_equal(keys(j), "Paris Rome");
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
	json_decref(j);
	j = page(t, XNR_LOSS_SORT_SUM, 0, 1, 10, "r");
	assert_string_equal(keys(j), "Rome");
	json_decref(j);
	p.offset = -1;
	j = NULL;
	assert_int_equal(xnr_loss_table_page(t, &p, &j, &err), XNR_ERR_INPUT);
	assert_null(j);
	xnr_loss_table_free(t);
	xnr_store_close(s);
}

/* A table kept as text (the server's run_results) reads back as the same
 * table: every sort's page equal, doubles exact; text that is not a table
 * is refused. */
static void test_loss_kept(void **state)
{
	struct xnr_store *s = make_db("report_loss_kept");
	struct xnr_loss_table *t = NULL, *back = NULL;
	struct xnr_error err;
	char *text = NULL, *a, *b;
	int sort, asc;

	(void)state;
	assert_int_equal(xnr_loss_table_load(s, 1, XNR_LOSS_BY_WORD, &t, &err), XNR_OK);
	assert_int_equal(xnr_loss_table_save(t, &text, &err), XNR_OK);
	assert_int_equal(xnr_loss_table_restore(text, strlen(text), &back, &err), XNR_OK);
	for (sort = 0; sort < XNR_LOSS_SORT_N; sort++)
		for (asc = 0; asc < 2; asc++) {
			json_t *x = page(t, (enum xnr_loss_sort)sort, asc, 0, -1, NULL);
			json_t *y = page(back, (enum xnr_loss_sort)sort, asc, 0, -1, NULL);
			a = json_dumps(x, JSON_COMPACT | JSON_REAL_PRECISION(17));
			b = json_dumps(y, JSON_COMPACT | JSON_REAL_PRECISION(17));
			assert_string_equal(a, b);
			free(a);
			free(b);
			json_decref(x);
			json_decref(y);
		}
	xnr_loss_table_free(back);
	back = NULL;
	assert_int_equal(
	    xnr_loss_table_restore("{\"by\":0,\"groups\":[[\"a\",1,2]]}", 29, &back, &err),
	    XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "group 0"));
	assert_int_equal(xnr_loss_table_restore("not json", 8, &back, &err), XNR_ERR_FORMAT);
	assert_null(back);
	free(text);
	xnr_loss_table_free(t);
	xnr_store_close(s);
}

/* Sub-tokens: "Par" takes Paris's losses; "##is" (not first, loss not
 * stored) is no group. Run 2 stays apart. Unknown run: XNR_ERR_NOT_FOUND. */
static void test_loss_tokens(void **state)
{
	struct xnr_store *s = make_db("report_loss_tokens");
	struct xnr_store *db = s;
	struct xnr_loss_page p = xnr_loss_page_default();
	struct xnr_loss_table *t = NULL;
	struct xnr_error err;
	json_t *j = NULL;

	(void)state;
	assert_int_equal(xnr_report_loss_groups(db, 1, XNR_LOSS_BY_TOKEN, &p, &j, &err), XNR_OK);
	assert_string_equal(keys(j), "Par Rome Ann likes Lee");
	assert_string_equal(json_string_value(json_object_get(j, "by")), "sub-token");
	assert_stats(json_array_get(json_object_get(j, "groups"), 0), "Par", 2, 2.5, 2.5, 5.0);
	json_decref(j);
	assert_int_equal(xnr_report_loss_groups(db, 2, XNR_LOSS_BY_WORD, &p, &j, &err), XNR_OK);
	assert_string_equal(keys(j), "x");
	json_decref(j);
	j = NULL;
	assert_int_equal(xnr_report_loss_groups(db, 5, XNR_LOSS_BY_WORD, &p, &j, &err),
	                 XNR_ERR_NOT_FOUND);
	assert_int_equal(xnr_loss_table_load(db, 1, XNR_LOSS_BY_LABEL, &t, &err), XNR_ERR_INPUT);
	assert_null(j);
	assert_null(t);
	xnr_store_close(s);
}

/* Gold labels (Rome's NaN skipped): B-LOC 3/3/3/9, B-PER 2/1/1/2,
 * O 3/0.2/0.2/0.6, I-PER 1/0.25. */
static void test_loss_labels(void **state)
{
	struct xnr_store *s = make_db("report_loss_labels");
	struct xnr_loss_page p = xnr_loss_page_default();
	struct xnr_run_view *v = NULL;
	struct xnr_error err;
	json_t *j = NULL;

	(void)state;
	assert_int_equal(xnr_run_view_load(s, 1, &v, &err), XNR_OK);
	assert_int_equal(xnr_report_label_losses(v, &p, &j, &err), XNR_OK);
	assert_string_equal(keys(j), "B-LOC B-PER O I-PER");
	assert_non_null(json_string_value(json_object_get(j, "hint")));
	assert_stats(json_array_get(json_object_get(j, "groups"), 0), "B-LOC", 3, 3.0, 3.0, 9.0);
	assert_stats(json_array_get(json_object_get(j, "groups"), 2), "O", 3, 0.2, 0.2,
	             (0.1 + 0.2) + 0.3);
	json_decref(j);
	p.sort = XNR_LOSS_SORT_MEAN;
	assert_int_equal(xnr_report_label_losses(v, &p, &j, &err), XNR_OK);
	assert_string_equal(keys(j), "B-LOC B-PER I-PER O");
	json_decref(j);
	{
		/* from the database: B-PER's losses merge two predictions (0.5, 1.5) */
		struct xnr_loss_table *a = NULL, *b = NULL;
		char *ta = NULL, *tb = NULL;
		assert_int_equal(xnr_loss_table_labels(v, &a, &err), XNR_OK);
		assert_int_equal(xnr_loss_table_labels_load(s, 1, &b, &err), XNR_OK);
		assert_int_equal(xnr_loss_table_save(a, &ta, &err), XNR_OK);
		assert_int_equal(xnr_loss_table_save(b, &tb, &err), XNR_OK);
		assert_string_equal(ta, tb);
		assert_non_null(strstr(tb, "[\"B-PER\",2,1.0,1.0,2.0]"));
		free(ta);
		free(tb);
		xnr_loss_table_free(a);
		xnr_loss_table_free(b);
		assert_int_equal(xnr_loss_table_labels_load(s, 9, &b, &err), XNR_ERR_NOT_FOUND);
	}
	xnr_run_view_free(v);
	xnr_store_close(s);
}

/* ---- metrics from pieces = metrics of the whole ---- */

static uint64_t rnd_state;
static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rnd_state >> 33) % n;
}

/* The metrics JSON of a random corpus over the label set `set`, whole and in
 * random pieces (sentences carved off the front, some pieces empty): equal
 * text, seed after seed. Set 1 adds a bare "X" (seqeval's stale-start quirk
 * across sentences and pieces; no nervaluate), set 2 is IOBES (strict mode's
 * scheme detected from pieces). */
static void metrics_pieces(int set, uint64_t seed)
{
	static const char *const iob2[] = {"O",     "B-PER",  "I-PER", "B-LOC",
	                                   "I-LOC", "B-MISC", "I-MISC"};
	static const char *const bare[] = {"O", "B-PER", "I-PER", "B-LOC", "X"};
	static const char *const iobes[] = {"O", "B-PER", "I-PER", "E-PER", "S-PER", "S-LOC"};
	const char *const *names = set == 0 ? iob2 : set == 1 ? bare : iobes;
	int n_labels = set == 0 ? 7 : set == 1 ? 5 : 6, i;
	size_t n_sents = 1 + rnd(120), w, s0, s;
	size_t *start = calloc(n_sents + 1, sizeof *start);
	int32_t *gold, *pred;
	double *conf;
	struct xnr_run_view v;
	struct xnr_run_metrics whole, parts;
	struct xnr__calib *calib = NULL;
	struct xnr_run_metrics_acc *acc = NULL;
	struct xnr_error err;
	json_t *a = NULL, *b = NULL;
	char *ta, *tb;

	(void)seed;
	assert_non_null(start);
	for (s = 0; s < n_sents; s++)
		start[s + 1] = start[s] + rnd(9);
	gold = calloc(start[n_sents] + 1, sizeof *gold);
	pred = calloc(start[n_sents] + 1, sizeof *pred);
	conf = calloc(start[n_sents] + 1, sizeof *conf);
	assert_true(gold && pred && conf);
	for (w = 0; w < start[n_sents]; w++) {
		/* mostly O, so entities have edges */
		gold[w] = rnd(3) ? 0 : (int32_t)rnd((uint32_t)n_labels);
		pred[w] = rnd(4) ? gold[w] : (int32_t)rnd((uint32_t)n_labels);
		/* a word without a sub-token now and then, and the bins' edges */
		conf[w] = rnd(20) == 0   ? NAN
		          : rnd(20) == 0 ? (double)rnd(11) / 10.0
		                         : (double)rnd(1000001) / 1e6;
	}
	memset(&v, 0, sizeof v);
	v.run = 7;
	v.n_labels = n_labels;
	v.labels = (char **)names;
	v.n_sents = n_sents;
	v.n_words = start[n_sents];
	v.sent_start = start;
	v.gold = gold;
	v.pred = pred;
	v.scheme_json = "{\"data\":\"IOB2\"}";
	assert_int_equal(xnr_tagset_open(&v.tags, &err), XNR_OK);
	for (i = 0; i < n_labels; i++) {
		int32_t id;
		assert_int_equal(xnr_tagset_add(v.tags, names[i], strlen(names[i]), &id, &err),
		                 XNR_OK);
	}
	assert_int_equal(xnr_run_metrics_compute(&v, &whole, &err), XNR_OK);
	assert_int_equal(xnr_run_metrics_acc_open(v.tags, &acc, &err), XNR_OK);
	for (s0 = 0; s0 < n_sents || rnd(2);) {
		size_t n = rnd(3) ? rnd(40) : 0, k;
		size_t *ps = calloc(n + 2, sizeof *ps);
		struct xnr_tagged_corpus c;
		if (n > n_sents - s0)
			n = n_sents - s0;
		for (k = 0; k <= n; k++)
			ps[k] = start[s0 + k] - start[s0];
		c = (struct xnr_tagged_corpus){v.tags, n, ps, gold + start[s0], pred + start[s0]};
		assert_int_equal(xnr_run_metrics_acc_add(acc, &c, conf + start[s0], &err), XNR_OK);
		free(ps);
		s0 += n;
	}
	assert_int_equal(xnr_run_metrics_acc_result(acc, &parts, &err), XNR_OK);
	assert_int_equal(xnr_run_metrics_json(&v, &whole, &a, &err), XNR_OK);
	assert_int_equal(
	    xnr_run_metrics_json_of(v.run, names, n_labels, v.scheme_json, &parts, &b, &err),
	    XNR_OK);
	ta = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	tb = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	if (strcmp(ta, tb) != 0)
		fail_msg("set %d, %zu sentences: whole\n%s\npieces\n%s", set, n_sents, ta, tb);
	assert_int_equal(whole.strict_ok, parts.strict_ok);
	free(ta);
	free(tb);
	json_decref(a);
	json_decref(b);
	/* the calibration of the pieces is the view's (xnr_report_calibration's one call) */
	{
		struct xnr_tagged_corpus all = {v.tags, n_sents, start, gold, pred};
		assert_int_equal(xnr__calib_open(XNR_REPORT_BINS, &calib, &err), XNR_OK);
		assert_int_equal(
		    xnr__calib_add(calib, &all, conf, &whole.def.gold, &whole.def.pred, &err),
		    XNR_OK);
		assert_int_equal(xnr__calib_json(calib, v.tags, &a, &err), XNR_OK);
		assert_int_equal(xnr_run_metrics_acc_calibration(acc, &b, &err), XNR_OK);
		ta = json_dumps(a, JSON_COMPACT | JSON_REAL_PRECISION(17));
		tb = json_dumps(b, JSON_COMPACT | JSON_REAL_PRECISION(17));
		if (strcmp(ta, tb) != 0)
			fail_msg("calibration, %zu sentences: whole\n%s\npieces\n%s", n_sents, ta,
			         tb);
		free(ta);
		free(tb);
		json_decref(a);
		json_decref(b);
		xnr__calib_close(calib);
	}
	xnr_run_metrics_acc_close(acc);
	xnr_run_metrics_free(&whole);
	xnr_run_metrics_free(&parts);
	xnr_tagset_close(v.tags);
	free(start);
	free(gold);
	free(pred);
	free(conf);
}

static void test_metrics_pieces(void **state)
{
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= 300; seed++) {
		rnd_state = seed;
		metrics_pieces((int)(seed % 3), seed);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_view),           cmocka_unit_test(test_metrics),
	    cmocka_unit_test(test_errors),         cmocka_unit_test(test_errors_ties),
	    cmocka_unit_test(test_loss_words),     cmocka_unit_test(test_loss_tokens),
	    cmocka_unit_test(test_loss_labels),    cmocka_unit_test(test_loss_kept),
	    cmocka_unit_test(test_metrics_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
