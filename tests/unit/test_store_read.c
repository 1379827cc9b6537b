/*
 * test_store_read.c - the read side of the run database (store/read.h) on a
 * small run written with the writer, every answer worked out by hand: runs
 * and labels (the one "no such run"), sentences under every sort, filter and
 * page, one sentence, words and sub-tokens with their NULLs, text, label and
 * error filters, entity spans, hidden states, the report's bulk loads, and
 * the failures: out-of-range queries, rows read as the wrong kind, files that
 * are not databases.
 *
 * Run 1 (labels O B-PER I-PER B-LOC), sentences as (loss, word errors,
 * entity errors): words (text gold pred loss)
 *   s0 (2.0, 1, 1): Ann B-PER B-PER 0.5 | sings O B-PER 1.5
 *   s1 (NULL, 0, 0): x O O NULL (no sub-token, no hidden state)
 *   s2 (5.0, 2, 1): Paris B-LOC O 3.0 ("Par" + "##is") | berlin B-LOC O 2.0
 *   s3 (0.1, 0, 0): Lee B-PER B-PER 0.05 | ok O O 0.05
 *   s4 (5.0, 1, 2): BERLIN B-LOC B-PER 5.0
 *   s5 (1.0, 0, 0): Berlin B-LOC B-LOC 1.0
 * Run 2 is one sentence of one word.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/read.h"
#include "store/store.h"

struct word {
	int sent;
	const char *text;
	int gold, pred;
	double loss;
};

static const struct word words[] = {
    {0, "Ann", 1, 1, 0.5},   {0, "sings", 0, 1, 1.5},  {1, "x", 0, 0, NAN},
    {2, "Paris", 3, 0, 3.0}, {2, "berlin", 3, 0, 2.0}, {3, "Lee", 1, 1, 0.05},
    {3, "ok", 0, 0, 0.05},   {4, "BERLIN", 3, 1, 5.0}, {5, "Berlin", 3, 3, 1.0},
};
#define N_WORDS (sizeof words / sizeof words[0])
static const double sent_loss[6] = {2.0, NAN, 5.0, 0.1, 5.0, 1.0};
static const int sent_errors[6][2] = {{1, 1}, {0, 0}, {2, 1}, {0, 0}, {1, 2}, {0, 0}};
static const char *const labels[] = {"O", "B-PER", "I-PER", "B-LOC"};

static struct xnr_run_info info(const char *key)
{
	struct xnr_run_info in;
	memset(&in, 0, sizeof in);
	in.key = key;
	in.version = "test";
	in.model_path = "m";
	in.split = NULL;
	in.options_json = "{}";
	in.scheme = "{\"data\":\"IOB2\"}";
	in.hidden_size = 4;
	in.n_labels = 4;
	in.labels = labels;
	return in;
}

/* A word with its sub-tokens (Paris: "Par" and "##is") and hidden state. */
static void add_word(struct xnr_run_writer *w, const struct word *x, int idx, int *tok)
{
	struct xnr_word_row wr;
	struct xnr_token_row tr;
	struct xnr_error err;
	float hidden[4] = {(float)x->sent, (float)idx, 0.5f, -1.0f};

	memset(&wr, 0, sizeof wr);
	wr.sentence_id = x->sent, wr.idx = idx, wr.text = x->text;
	wr.text_len = (int)strlen(x->text), wr.gold = x->gold, wr.pred = x->pred;
	wr.prob_pred = 0.9, wr.prob_gold = isnan(x->loss) ? NAN : exp(-x->loss);
	wr.loss = x->loss, wr.entropy = x->loss / 2;
	wr.first_token = isnan(x->loss) ? -1 : *tok;
	wr.hidden = isnan(x->loss) ? NULL : hidden;
	assert_int_equal(xnr_run_add_word(w, &wr, &err), XNR_OK);
	if (isnan(x->loss))
		return;
	memset(&tr, 0, sizeof tr);
	tr.sentence_id = x->sent, tr.idx = (*tok)++, tr.word_idx = idx, tr.is_first = 1;
	tr.text = strcmp(x->text, "Paris") ? x->text : "Par", tr.token_id = 7;
	tr.gold = x->gold, tr.pred = x->pred, tr.loss = x->loss, tr.prob_pred = 0.9;
	tr.entropy = 0.1;
	assert_int_equal(xnr_run_add_token(w, &tr, &err), XNR_OK);
	if (strcmp(x->text, "Paris") == 0) {
		tr.idx = (*tok)++, tr.is_first = 0, tr.gold = -1, tr.text = "##is", tr.pred = 3;
		assert_int_equal(xnr_run_add_token(w, &tr, &err), XNR_OK);
	}
}

static void add_sentences(struct xnr_run_writer *w)
{
	struct xnr_error err;
	size_t k = 0;
	int i;

	for (i = 0; i < 6; i++) {
		struct xnr_sentence_row sr = {
		    i, i / 3, 10 * i + 1,   i == 3 ? "doc-3" : NULL, "text",
		    0, 0,     sent_loss[i], sent_errors[i][0],       sent_errors[i][1]};
		int idx = 0, tok = 0;
		assert_int_equal(xnr_run_add_sentence(w, &sr, &err), XNR_OK);
		for (; k < N_WORDS && words[k].sent == i; k++)
			add_word(w, &words[k], idx++, &tok);
	}
	/* Stored out of order: reads give gold first, then by start and end. */
	assert_int_equal(xnr_run_add_entity(w, 0, 1, 1, 2, "PER", &err), XNR_OK);
	assert_int_equal(xnr_run_add_entity(w, 0, 0, 0, 1, "PER", &err), XNR_OK);
	assert_int_equal(xnr_run_add_entity(w, 0, 1, 0, 1, "PER", &err), XNR_OK);
}

static struct xnr_store *make_db(const char *name, char *path, size_t size)
{
	struct xnr_store *s = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_run_info in = info("run1");
	struct xnr_sentence_row sr = {0, 0, 1, NULL, "y", 1, 1, 0.25, 0, 0};
	struct word y = {0, "y", 0, 0, 0.25};
	struct xnr_error err;
	int64_t id;
	int tok = 0;

	snprintf(path, size, "%s/run.db", tu_tmpdir(name));
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	add_sentences(w);
	assert_int_equal(xnr_run_commit(w, 6, 9, 9, 1.5,
	                                "{\"seqeval_default\":{\"micro avg\":{\"f1-score\":0.75}}}",
	                                &id, &err),
	                 XNR_OK);
	in = info("run2");
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	assert_int_equal(xnr_run_add_sentence(w, &sr, &err), XNR_OK);
	add_word(w, &y, 0, &tok);
	assert_int_equal(xnr_run_commit(w, 1, 1, 1, 0.1, "not json", &id, &err), XNR_OK);
	xnr_store_close(s);
	assert_int_equal(xnr_store_open_read(path, &s, &err), XNR_OK);
	return s;
}

/* The sentence ids q gives, as "0 4 2", and checks that the count agrees
 * when the query has no paging. */
static const char *sentence_ids(struct xnr_store *s, const struct xnr_sentence_query *q)
{
	static char buf[256];
	struct xnr_sentence_row row;
	struct xnr_rows *r = NULL;
	struct xnr_error err;
	size_t used = 0;
	int64_t total = -1;
	int more = 0, n = 0;

	buf[0] = '\0';
	assert_int_equal(xnr_store_sentences(s, q, &r, &err), XNR_OK);
	while (xnr_rows_sentence(r, &row, &more, &err) == XNR_OK && more) {
		used +=
		    (size_t)snprintf(buf + used, sizeof buf - used, "%s%d", n ? " " : "", row.id);
		n++;
	}
	assert_int_equal(more, 0);
	xnr_rows_close(r);
	assert_int_equal(xnr_store_sentences_count(s, q, &total, &err), XNR_OK);
	if (q->limit < 0 && q->offset == 0)
		assert_int_equal(total, n);
	return buf;
}

static void test_runs(void **state)
{
	char path[4200];
	struct xnr_store *s = make_db("store_read_runs", path, sizeof path);
	struct xnr_run run, *all = NULL;
	struct xnr_error err;
	size_t n = 0;
	int64_t id = 0;
	(void)state;

	assert_int_equal(xnr_store_run_get(s, 1, &run, &err), XNR_OK);
	assert_int_equal(run.id, 1);
	assert_string_equal(run.key, "run1");
	assert_string_equal(run.model_path, "m");
	assert_null(run.split);
	assert_true(run.duration_s == 1.5 && run.micro_f1 == 0.75);
	assert_int_equal(run.n_sentences, 6);
	assert_int_equal(run.hidden_size, 4);
	assert_int_equal(run.n_labels, 4);
	assert_string_equal(run.labels[3], "B-LOC");
	assert_int_equal(xnr_run_label_id(&run, "B-LOC"), 3);
	assert_int_equal(xnr_run_label_id(&run, "B-XYZ"), -1);
	assert_string_equal(xnr_run_label_name(&run, 1), "B-PER");
	assert_null(xnr_run_label_name(&run, 4));
	assert_null(xnr_run_label_name(&run, -1));
	assert_int_equal(xnr_run_hidden_check(&run, &err), XNR_OK);
	run.hidden_size = 0;
	assert_int_equal(xnr_run_hidden_check(&run, &err), XNR_ERR_INPUT);
	xnr_run_free(&run);
	assert_int_equal(xnr_store_run_get(s, 99, &run, &err), XNR_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "run 99: no such run");
	assert_int_equal(xnr_store_runs(s, &all, &n, &err), XNR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(all[0].id, 1);
	assert_null(all[0].labels);
	assert_true(isnan(all[1].micro_f1)); /* its summary is not JSON */
	xnr_runs_free(all, n);
	assert_int_equal(xnr_store_run_latest(s, &id, &err), XNR_OK);
	assert_int_equal(id, 2);
	xnr_store_close(s);
}

static void test_sentences(void **state)
{
	char path[4200];
	struct xnr_store *s = make_db("store_read_sentences", path, sizeof path);
	struct xnr_sentence_query q = xnr_sentence_query_default(1);
	const int64_t ids[] = {4, 99, 0};
	char first[256];
	(void)state;

	assert_string_equal(sentence_ids(s, &q), "2 4 0 5 3 1"); /* NULL loss last */
	q.ascending = 1;
	assert_string_equal(sentence_ids(s, &q), "3 5 0 2 4 1");
	q.sort = XNR_SENT_BY_ID;
	assert_string_equal(sentence_ids(s, &q), "0 1 2 3 4 5");
	q.ascending = 0;
	assert_string_equal(sentence_ids(s, &q), "5 4 3 2 1 0");
	q.sort = XNR_SENT_BY_ERRORS;
	assert_string_equal(sentence_ids(s, &q), "2 4 0 5 3 1");
	q.limit = 2, q.offset = 1;
	assert_string_equal(sentence_ids(s, &q), "4 0");
	q = xnr_sentence_query_default(1);
	q.with_errors = 1;
	assert_string_equal(sentence_ids(s, &q), "2 4 0");
	q.with_errors = 0, q.has_min_loss = 1, q.min_loss = 2.0;
	assert_string_equal(sentence_ids(s, &q), "2 4 0");
	q.has_min_loss = 0, q.gold = 3, q.pred = 0;
	assert_string_equal(sentence_ids(s, &q), "2");
	q.pred = -1;
	assert_string_equal(sentence_ids(s, &q), "2 4 5");
	q.gold = -1, q.pred = 1, q.sort = XNR_SENT_BY_ID, q.ascending = 1;
	assert_string_equal(sentence_ids(s, &q), "0 3 4");
	q.pred = -1, q.by_ids = 1, q.ids = ids, q.n_ids = 3;
	assert_string_equal(sentence_ids(s, &q), "0 4");
	q.n_ids = 0;
	assert_string_equal(sentence_ids(s, &q), "");
	q = xnr_sentence_query_default(1);
	q.sort = XNR_SENT_BY_RANDOM, q.seed = 42;
	snprintf(first, sizeof first, "%s", sentence_ids(s, &q));
	assert_string_equal(sentence_ids(s, &q), first); /* the same seed, the same order */
	assert_int_equal(strlen(first), 11);             /* every sentence once */
	q.seed = 43;
	assert_string_not_equal(sentence_ids(s, &q), first);
	q = xnr_sentence_query_default(2);
	assert_string_equal(sentence_ids(s, &q), "0");
	xnr_store_close(s);
}

static void test_one_sentence(void **state)
{
	char path[4200];
	struct xnr_store *s = make_db("store_read_sentence", path, sizeof path);
	struct xnr_sentence_row row;
	struct xnr_entity_row e;
	struct xnr_rows *r = NULL;
	struct xnr_error err;
	int more = 0;
	(void)state;

	assert_int_equal(xnr_store_sentence_get(s, 1, 3, &row, &r, &err), XNR_OK);
	assert_int_equal(row.id, 3);
	assert_int_equal(row.doc_id, 1);
	assert_int_equal(row.source_line, 31);
	assert_string_equal(row.source_id, "doc-3");
	assert_true(row.loss == 0.1);
	xnr_rows_close(r);
	assert_int_equal(xnr_store_sentence_get(s, 1, 1, &row, &r, &err), XNR_OK);
	assert_null(row.source_id);
	assert_true(isnan(row.loss));
	xnr_rows_close(r);
	r = NULL;
	assert_int_equal(xnr_store_sentence_get(s, 1, 6, &row, &r, &err), XNR_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "run 1: no sentence 6");
	assert_null(r);
	assert_int_equal(xnr_store_entities(s, 1, 0, &r, &err), XNR_OK);
	assert_int_equal(xnr_rows_entity(r, &e, &more, &err), XNR_OK);
	assert_true(more && !e.is_pred && e.start == 0 && e.end == 1);
	assert_string_equal(e.type, "PER");
	assert_int_equal(xnr_rows_entity(r, &e, &more, &err), XNR_OK);
	assert_true(more && e.is_pred && e.start == 0);
	assert_int_equal(xnr_rows_entity(r, &e, &more, &err), XNR_OK);
	assert_true(more && e.is_pred && e.start == 1);
	assert_int_equal(xnr_rows_entity(r, &e, &more, &err), XNR_OK);
	assert_false(more);
	xnr_rows_close(r);
	xnr_store_close(s);
}

/* The texts of the rows q gives, as "Ann sings". */
static const char *texts(struct xnr_store *s, const struct xnr_word_query *q)
{
	static char buf[256];
	struct xnr_word_row w;
	struct xnr_token_row t;
	struct xnr_rows *r = NULL;
	struct xnr_error err;
	size_t used = 0;
	int64_t total = -1;
	int more = 0, n = 0;

	buf[0] = '\0';
	assert_int_equal(xnr_store_words(s, q, &r, &err), XNR_OK);
	while ((q->tokens ? xnr_rows_token(r, &t, &more, &err)
	                  : xnr_rows_word(r, &w, &more, &err)) == XNR_OK &&
	       more)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", n++ ? " " : "",
		                         q->tokens ? t.text : w.text);
	assert_int_equal(more, 0);
	xnr_rows_close(r);
	assert_int_equal(xnr_store_words_count(s, q, &total, &err), XNR_OK);
	if (q->limit < 0 && q->offset == 0)
		assert_int_equal(total, n);
	return buf;
}

static void test_words(void **state)
{
	char path[4200];
	struct xnr_store *s = make_db("store_read_words", path, sizeof path);
	struct xnr_word_query q = xnr_word_query_default(1);
	const int64_t sents[] = {4, 0};
	(void)state;

	assert_string_equal(texts(s, &q), "Ann sings x Paris berlin Lee ok BERLIN Berlin");
	q.ascending = 0;
	assert_string_equal(texts(s, &q), "Berlin BERLIN ok Lee berlin Paris x sings Ann");
	q.sort = XNR_WORD_BY_LOSS; /* ties by position, NULL last either way */
	assert_string_equal(texts(s, &q), "BERLIN Paris berlin sings Berlin Ann Lee ok x");
	q.ascending = 1;
	assert_string_equal(texts(s, &q), "Lee ok Ann Berlin sings berlin Paris BERLIN x");
	q.limit = 3, q.offset = 2;
	assert_string_equal(texts(s, &q), "Ann Berlin sings");
	q = xnr_word_query_default(1);
	q.sort = XNR_WORD_BY_TEXT;
	q.ascending = 1;
	assert_string_equal(texts(s, &q), "Ann BERLIN Berlin Lee Paris berlin ok sings x");
	q = xnr_word_query_default(1);
	q.text = "BERlin";
	assert_string_equal(texts(s, &q), "berlin BERLIN Berlin");
	q.match_case = 1, q.text = "Berlin";
	assert_string_equal(texts(s, &q), "Berlin");
	q = xnr_word_query_default(1);
	q.errors = 1;
	assert_string_equal(texts(s, &q), "sings Paris berlin BERLIN");
	q.errors = 0, q.gold = 3, q.pred = 1;
	assert_string_equal(texts(s, &q), "BERLIN");
	q.gold = q.pred = -1, q.by_sentences = 1, q.sentences = sents, q.n_sentences = 2;
	assert_string_equal(texts(s, &q), "Ann sings BERLIN");
	q = xnr_word_query_default(1);
	q.tokens = 1;
	assert_string_equal(texts(s, &q), "Ann sings Par ##is berlin Lee ok BERLIN Berlin");
	q.gold = 3; /* continuation sub-tokens carry no label */
	assert_string_equal(texts(s, &q), "Par berlin BERLIN Berlin");
	q.gold = -1, q.errors = 1;
	assert_string_equal(texts(s, &q), "sings Par berlin BERLIN");
	xnr_store_close(s);
}

static void test_word_rows(void **state)
{
	char path[4200];
	struct xnr_store *s = make_db("store_read_word_rows", path, sizeof path);
	struct xnr_word_query q = xnr_word_query_default(1);
	const int64_t sents[] = {1, 2};
	struct xnr_word_row w;
	struct xnr_token_row t;
	struct xnr_rows *r = NULL;
	struct xnr_error err;
	int more = 0;
	(void)state;

	q.by_sentences = 1, q.sentences = sents, q.n_sentences = 2;
	assert_int_equal(xnr_store_words(s, &q, &r, &err), XNR_OK);
	assert_int_equal(xnr_rows_word(r, &w, &more, &err), XNR_OK);
	assert_true(more && w.sentence_id == 1 && w.idx == 0 && w.text_len == 1);
	assert_true(isnan(w.loss) && isnan(w.prob_gold) && w.first_token == -1);
	assert_null(w.probs);
	assert_int_equal(xnr_rows_word(r, &w, &more, &err), XNR_OK);
	assert_true(w.sentence_id == 2 && w.gold == 3 && w.pred == 0 && w.first_token == 0);
	assert_true(w.loss == 3.0 && w.entropy == 1.5 && w.prob_pred == 0.9);
	/* rows of one kind are not another's */
	assert_int_equal(xnr_rows_token(r, &t, &more, &err), XNR_ERR_INTERNAL);
	xnr_rows_close(r);
	q.tokens = 1;
	assert_int_equal(xnr_store_words(s, &q, &r, &err), XNR_OK);
	assert_int_equal(xnr_rows_token(r, &t, &more, &err), XNR_OK);
	assert_true(more && t.sentence_id == 2 && t.is_first && t.gold == 3 && t.loss == 3.0);
	assert_int_equal(xnr_rows_token(r, &t, &more, &err), XNR_OK);
	assert_true(more && !t.is_first && t.gold == -1 && isnan(t.loss) && t.pred == 3);
	assert_string_equal(t.text, "##is");
	xnr_rows_close(r);
	q.offset = -1;
	r = NULL;
	assert_int_equal(xnr_store_words(s, &q, &r, &err), XNR_ERR_INPUT);
	assert_null(r);
	xnr_store_close(s);
}

/* The index in words of the word at (sentence, idx) of run 1, or N_WORDS. */
static size_t word_at(int sent, int idx)
{
	size_t k;

	for (k = 0; k < N_WORDS; k++)
		if (words[k].sent == sent && idx-- == 0)
			break;
	return k;
}

static void test_bulk_loads(void **state)
{
	char path[4200], initials[N_WORDS + 1] = "";
	struct xnr_store *s = make_db("store_read_bulk", path, sizeof path);
	struct xnr_label_pair *pairs = NULL;
	const struct word *x;
	struct xnr_hidden_row h;
	struct xnr_word_row w;
	struct xnr_rows *r = NULL;
	struct xnr_error err;
	int seen[N_WORDS] = {0};
	size_t n = 0, k;
	int more = 0, rows = 0;
	(void)state;

	assert_int_equal(xnr_store_word_labels(s, 1, &r, &err), XNR_OK);
	while (xnr_rows_word(r, &w, &more, &err) == XNR_OK && more) {
		k = word_at(w.sentence_id, w.idx);
		assert_true(k < N_WORDS);
		x = &words[k < N_WORDS ? k : 0];
		assert_true(w.gold == x->gold && w.pred == x->pred && !w.text);
		assert_true(isnan(x->loss) ? isnan(w.loss) : w.loss == x->loss);
		assert_int_equal(seen[k]++, 0);
		rows++;
	}
	assert_int_equal(rows, N_WORDS);
	xnr_rows_close(r);
	assert_int_equal(xnr_store_text_losses(s, 1, 0, &r, &err), XNR_OK);
	while (xnr_rows_word(r, &w, &more, &err) == XNR_OK && more)
		strncat(initials, w.text, 1);
	assert_string_equal(initials, "ABBLPbos"); /* by text, bytes; x has no loss */
	xnr_rows_close(r);
	assert_int_equal(xnr_store_label_pairs(s, 1, &pairs, &n, &err), XNR_OK);
	assert_int_equal(n, 3);
	assert_true(pairs[0].gold == 0 && pairs[0].pred == 1 && pairs[0].count == 1);
	assert_true(pairs[1].gold == 3 && pairs[1].pred == 0 && pairs[1].count == 2);
	assert_true(pairs[2].gold == 3 && pairs[2].pred == 1 && pairs[2].count == 1);
	free(pairs);
	assert_int_equal(xnr_store_hidden(s, 1, &r, &err), XNR_OK);
	for (rows = 0; xnr_rows_hidden(r, &h, &more, &err) == XNR_OK && more; rows++) {
		assert_int_equal(h.vec_bytes, 16);
		assert_true(h.vec[0] == (float)h.sentence_id && h.vec[1] == (float)h.idx);
		assert_true(h.vec[3] == -1.0f && h.sentence_id != 1);
	}
	assert_int_equal(rows, N_WORDS - 1); /* x has none */
	xnr_rows_close(r);
	xnr_store_close(s);
}

/* A query out of range is refused; a file that is not a database fails as
 * the database's own failure, with the path; a missing one cannot be opened. */
static void test_failures(void **state)
{
	const char *dir = tu_tmpdir("store_read_bad");
	char path[4200];
	struct xnr_sentence_query q = xnr_sentence_query_default(1);
	struct xnr_store *s = make_db("store_read_bad_query", path, sizeof path);
	struct xnr_rows *r = NULL;
	struct xnr_run run;
	struct xnr_error err;
	(void)state;

	q.sort = XNR_SENT_SORT_COUNT;
	assert_int_equal(xnr_store_sentences(s, &q, &r, &err), XNR_ERR_INPUT);
	q.sort = XNR_SENT_BY_RANDOM, q.seed = -1;
	assert_int_equal(xnr_store_sentences(s, &q, &r, &err), XNR_ERR_INPUT);
	assert_null(r);
	xnr_store_close(s);
	q = xnr_sentence_query_default(1);
	tu_write(dir, "notes.txt", "this is not a database, just some text that is long enough",
	         59);
	snprintf(path, sizeof path, "%s/notes.txt", dir);
	assert_int_equal(xnr_store_open_read(path, &s, &err), XNR_OK);
	assert_int_equal(xnr_store_run_get(s, 1, &run, &err), XNR_ERR_DB);
	assert_non_null(strstr(err.msg, "notes.txt: "));
	assert_int_equal(xnr_store_sentences(s, &q, &r, &err), XNR_ERR_DB);
	assert_null(r);
	xnr_store_close(s);
	s = NULL;
	snprintf(path, sizeof path, "%s/missing.db", dir);
	assert_int_equal(xnr_store_open_read(path, &s, &err), XNR_ERR_NOT_FOUND);
	assert_null(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_runs),         cmocka_unit_test(test_sentences),
	    cmocka_unit_test(test_one_sentence), cmocka_unit_test(test_words),
	    cmocka_unit_test(test_word_rows),    cmocka_unit_test(test_bulk_loads),
	    cmocka_unit_test(test_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
