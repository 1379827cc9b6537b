/*
 * test_store_search.c - finding sentences by their text and keeping them
 * (store/read.h: search.c, matches.c, pins.c) on a small run written with
 * the writer, every answer worked out by hand: words, phrases, prefixes,
 * case and accents; FTS5 syntax in a query read as words; entity strings;
 * regular expressions (case ignored, Unicode, refused patterns, a pattern
 * over its work limit); the other filters (loss range, entity types, a
 * word, a first sub-token, pins) with paging and counts; the words each
 * criterion matched; pins (notes, unknown sentences, unpin, order); a run
 * deleted with sqlite3 leaves no index rows (a virtual table, which foreign
 * keys do not reach) or pins to a later run that takes its id.
 *
 * Run 1 (labels O B-PER I-PER B-ORG I-ORG B-LOC), sentences (loss):
 *   s0 (2.0) Angela/B-PER,B-PER Merkel/I-PER,I-PER visited Paris/B-LOC,B-ORG .
 *   s1 (0.1) The École/B-ORG Normale/I-ORG in PARIS/B-LOC   (predicted as gold)
 *   s2 (5.0) paris/B-PER,B-LOC hilton/I-PER,O , U.S./B-LOC star
 *   s3 (1.0) aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!
 *   s4 (0.5) Zürich is in Switzerland/B-LOC         ("Zürich": O, O)
 * (word: gold, pred; a word without labels is O, O). "Paris" is the
 * sub-tokens "Par" "##is"; other words are one sub-token each. Run 2 holds
 * one sentence, "Paris", that no query of run 1 may find.
 */
#include "testutil.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/read.h"
#include "store/store.h"

static const char *const labels[] = {"O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC"};

struct sent {
	const char *words[8];
	int gold[8], pred[8];
	double loss;
};

static const struct sent sents[] = {
    {{"Angela", "Merkel", "visited", "Paris", "."}, {1, 2, 0, 5, 0}, {1, 2, 0, 3, 0}, 2.0},
    {{"The",
      "\xc3\x89"
      "cole",
      "Normale", "in", "PARIS"},
     {0, 3, 4, 0, 5},
     {0, 3, 4, 0, 5},
     0.1},
    {{"paris", "hilton", ",", "U.S.", "star"}, {1, 2, 0, 5, 0}, {5, 0, 0, 5, 0}, 5.0},
    {{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"}, {0}, {0}, 1.0},
    {{"Z\xc3\xbcrich", "is", "in", "Switzerland"}, {0, 0, 0, 5}, {0, 0, 0, 5}, 0.5},
};
#define N_SENTS (sizeof sents / sizeof sents[0])

static struct xnr_run_info info(const char *key)
{
	struct xnr_run_info in;

	memset(&in, 0, sizeof in);
	in.key = key;
	in.version = "test";
	in.options_json = "{}";
	in.scheme = "{\"data\":\"IOB2\"}";
	in.n_labels = 6;
	in.labels = labels;
	return in;
}

static const char *type_of(int label)
{
	return label == 1 || label == 2 ? "PER" : label == 3 || label == 4 ? "ORG" : "LOC";
}

/* The entity spans of one side (B- opens, I- of the same type continues). */
static void add_entities(struct xnr_run_writer *w, int sid, const int *tags, int n, int is_pred)
{
	struct xnr_error err;
	int i, start = -1;

	for (i = 0; i <= n; i++) {
		int t = i < n ? tags[i] : 0;
		int inside = t == 2 || t == 4;
		if (start >= 0 && !(inside && strcmp(type_of(t), type_of(tags[start])) == 0)) {
			assert_int_equal(xnr_run_add_entity(w, sid, is_pred, start, i,
			                                    type_of(tags[start]), &err),
			                 XNR_OK);
			start = -1;
		}
		if (t && !inside)
			start = i;
	}
}

static void add_sentence(struct xnr_run_writer *w, int sid, const struct sent *x)
{
	char text[256] = "";
	struct xnr_sentence_row sr;
	struct xnr_word_row wr;
	struct xnr_token_row tr;
	struct xnr_error err;
	int n, i, tok = 0;

	for (n = 0; n < 8 && x->words[n]; n++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", n ? " " : "",
		         x->words[n]);
	memset(&sr, 0, sizeof sr);
	sr.id = sid, sr.text = text, sr.n_words = n, sr.loss = x->loss;
	assert_int_equal(xnr_run_add_sentence(w, &sr, &err), XNR_OK);
	for (i = 0; i < n; i++) {
		memset(&wr, 0, sizeof wr);
		wr.sentence_id = sid, wr.idx = i, wr.text = x->words[i];
		wr.text_len = (int)strlen(x->words[i]), wr.gold = x->gold[i], wr.pred = x->pred[i];
		wr.loss = x->loss / n, wr.prob_pred = wr.prob_gold = wr.entropy = 0.5;
		wr.first_token = tok;
		assert_int_equal(xnr_run_add_word(w, &wr, &err), XNR_OK);
		memset(&tr, 0, sizeof tr);
		tr.sentence_id = sid, tr.idx = tok++, tr.word_idx = i, tr.is_first = 1;
		tr.text = strcmp(x->words[i], "Paris") ? x->words[i] : "Par";
		tr.gold = x->gold[i], tr.pred = x->pred[i];
		assert_int_equal(xnr_run_add_token(w, &tr, &err), XNR_OK);
		if (strcmp(x->words[i], "Paris") == 0) {
			tr.idx = tok++, tr.is_first = 0, tr.gold = -1, tr.text = "##is";
			assert_int_equal(xnr_run_add_token(w, &tr, &err), XNR_OK);
		}
	}
	add_entities(w, sid, x->gold, n, 0);
	add_entities(w, sid, x->pred, n, 1);
}

static char db_path[4200];

/* The database with runs 1 and 2 (at db_path), open for writing (pins). */
static struct xnr_store *make_db(const char *name)
{
	static const struct sent paris = {{"Paris"}, {5}, {5}, 0.3};
	char *path = db_path;
	struct xnr_store *s = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_run_info in = info("run1");
	struct xnr_error err;
	int64_t id;
	size_t i;

	snprintf(path, sizeof db_path, "%s/run.db", tu_tmpdir(name));
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	for (i = 0; i < N_SENTS; i++)
		add_sentence(w, (int)i, &sents[i]);
	assert_int_equal(xnr_run_commit(w, N_SENTS, 20, 21, 1.0, "{}", &id, &err), XNR_OK);
	in = info("run2");
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	add_sentence(w, 0, &paris);
	assert_int_equal(xnr_run_commit(w, 1, 1, 2, 1.0, "{}", &id, &err), XNR_OK);
	return s;
}

/* The ids q finds in its order as "0 2", checking the count agrees. */
static const char *found(struct xnr_store *s, const struct xnr_sentence_query *q)
{
	static char buf[256];
	struct xnr_sentence_row row;
	struct xnr_rows *r = NULL;
	struct xnr_error err;
	size_t used = 0;
	int64_t total = -1;
	int more = 0, n = 0;

	buf[0] = '\0';
	if (xnr_store_sentences(s, q, &r, &err) != XNR_OK)
		fail_msg("%s: %s", q->text ? q->text : "-", err.msg);
	while (xnr_rows_sentence(r, &row, &more, &err) == XNR_OK && more)
		used +=
		    (size_t)snprintf(buf + used, sizeof buf - used, "%s%d", n++ ? " " : "", row.id);
	assert_int_equal(more, 0);
	xnr_rows_close(r);
	assert_int_equal(xnr_store_sentences_count(s, q, &total, &err), XNR_OK);
	if (q->limit < 0 && q->offset == 0)
		assert_int_equal(total, n);
	return buf;
}

/* The ids of words mode's text, dataset order. */
static const char *words(struct xnr_store *s, const char *text)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(1);

	q.sort = XNR_SENT_BY_ID, q.ascending = 1, q.text = text;
	return found(s, &q);
}

/* Matched spans of sentence sid as "0-2 3-4". */
static const char *spans_of(struct xnr_store *s, const struct xnr_sentence_query *q, int64_t sid)
{
	static char buf[256];
	struct xnr_matcher *m = NULL;
	const struct xnr_span *v = NULL;
	struct xnr_error err;
	size_t n = 0, i, used = 0;

	buf[0] = '\0';
	assert_int_equal(xnr_store_matcher(s, q, &m, &err), XNR_OK);
	assert_int_equal(xnr_matcher_spans(m, sid, &v, &n, &err), XNR_OK);
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%d-%d", i ? " " : "",
		                         v[i].start, v[i].end);
	xnr_matcher_close(m);
	return buf;
}

static void test_words_mode(void **state)
{
	struct xnr_store *s = make_db("store_search_words");
	struct xnr_sentence_query q = xnr_sentence_query_default(1);
	(void)state;

	assert_string_equal(words(s, "paris"), "0 1 2");        /* any case, not run 2 */
	assert_string_equal(words(s, "PARIS visited"), "0");    /* every word */
	assert_string_equal(words(s, "\"paris hilton\""), "2"); /* a phrase */
	assert_string_equal(words(s, "\"hilton paris\""), "");
	assert_string_equal(words(s, "swit*"), "4"); /* a prefix */
	assert_string_equal(words(s, "ecole"), "1"); /* accents folded */
	assert_string_equal(words(s, "zurich"), "4");
	assert_string_equal(words(s, "\xc3\xa9"
	                             "COLE"),
	                    "1");
	assert_string_equal(words(s, "u.s."), "2");              /* "u s" */
	assert_string_equal(words(s, "paris , ."), "0 1 2");     /* punctuation is not indexed */
	assert_string_equal(words(s, "paris OR merkel"), "");    /* OR is a word here */
	assert_string_equal(words(s, "text:paris"), "");         /* no column filter */
	assert_string_equal(words(s, "NEAR(paris merkel)"), ""); /* "near paris", "merkel" */
	assert_string_equal(words(s, "\"paris hilton"), "2");    /* a phrase to the end */
	q.text = "Paris", q.sort = XNR_SENT_BY_ID, q.ascending = 1;
	assert_string_equal(spans_of(s, &q, 0), "3-4");
	assert_string_equal(spans_of(s, &q, 1), "4-5");
	assert_string_equal(spans_of(s, &q, 3), "");
	q.text = "\"paris hilton\"";
	assert_string_equal(spans_of(s, &q, 2), "0-2");
	q.text = "us";
	assert_string_equal(words(s, "us"), "");
	q.text = "u.s.";
	assert_string_equal(spans_of(s, &q, 2), "3-4");
	q.limit = 1, q.offset = 1, q.text = "paris";
	assert_string_equal(found(s, &q), "1");
	xnr_store_close(s);
}

static void test_entity_and_regex(void **state)
{
	struct xnr_store *s = make_db("store_search_regex");
	struct xnr_sentence_query q = xnr_sentence_query_default(1);
	struct xnr_rows *r = NULL;
	struct xnr_error err;
	int64_t total;
	(void)state;

	q.sort = XNR_SENT_BY_ID, q.ascending = 1;
	q.text_mode = XNR_TEXT_ENTITY, q.text = "angela MERKEL";
	assert_string_equal(found(s, &q), "0");
	assert_string_equal(spans_of(s, &q, 0), "0-2");
	q.text = "paris"; /* gold in 0 and 1; in 2 predicted, a part of the gold one */
	assert_string_equal(found(s, &q), "0 1 2");
	assert_string_equal(spans_of(s, &q, 2), "0-1");
	q.text = "\xc3\xa9"
	         "COLE normale"; /* Unicode case */
	assert_string_equal(found(s, &q), "1");
	q.text = "paris hilton"; /* the gold entity; the prediction is "paris" alone */
	assert_string_equal(found(s, &q), "2");
	assert_string_equal(spans_of(s, &q, 2), "0-2");
	q.text = "Merkel";
	assert_string_equal(found(s, &q), "");

	q.text_mode = XNR_TEXT_REGEX, q.text = "^p.ris";
	assert_string_equal(found(s, &q), "2");
	q.text = "\\bp.ris\\b";
	assert_string_equal(found(s, &q), "0 1 2");
	assert_string_equal(spans_of(s, &q, 1), "4-5");
	q.text = "z.rich"; /* one character, two bytes */
	assert_string_equal(found(s, &q), "4");
	q.text = "(?-i)PARIS";
	assert_string_equal(found(s, &q), "1");
	q.text = "in (PARIS|Switz)";
	assert_string_equal(spans_of(s, &q, 1), "3-5");
	assert_string_equal(spans_of(s, &q, 4), "2-4");
	q.text = "x*"; /* empty matches touch no word */
	assert_string_equal(spans_of(s, &q, 0), "");
	q.text = "(unclosed";
	tu_expect_input(xnr_store_sentences(s, &q, &r, &err), &err, "missing closing parenthesis");
	assert_null(r);
	tu_expect_input(xnr_store_text_check(&q, &err), &err, "(at byte 9)");
	q.text = "(a|aa)+$"; /* backtracks without end on s3 */
	assert_int_equal(xnr_store_sentences_count(s, &q, &total, &err), XNR_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "too much work"));
	q.text = "\\bmerkel";
	assert_string_equal(found(s, &q), "0"); /* the store works on after the failure */
	q.text_mode = XNR_TEXT_WORDS, q.text = ". ,";
	tu_expect_input(xnr_store_sentences_count(s, &q, &total, &err), &err, "mode=regex");
	xnr_store_close(s);
}

static void test_filters(void **state)
{
	struct xnr_store *s = make_db("store_search_filters");
	struct xnr_sentence_query q = xnr_sentence_query_default(1);
	(void)state;

	q.has_max_loss = 1, q.max_loss = 1.0;
	assert_string_equal(found(s, &q), "3 4 1");
	q.has_min_loss = 1, q.min_loss = 0.5;
	assert_string_equal(found(s, &q), "3 4");
	q = xnr_sentence_query_default(1);
	q.sort = XNR_SENT_BY_ID, q.ascending = 1;
	assert_int_equal(xnr_sentence_query_mark_by(&q), XNR_MARK_NONE);
	q.gold_type = "PER";
	assert_int_equal(xnr_sentence_query_mark_by(&q), XNR_MARK_TYPES);
	assert_string_equal(found(s, &q), "0 2");
	assert_string_equal(spans_of(s, &q, 2), "0-2");
	q.gold_type = NULL, q.pred_type = "LOC";
	assert_string_equal(found(s, &q), "1 2 4");
	assert_string_equal(spans_of(s, &q, 2), "0-1 3-4");
	q.pred_type = "ORG", q.gold_type = "ORG";
	assert_string_equal(found(s, &q), "1");
	assert_string_equal(spans_of(s, &q, 1), "1-3");
	q.pred_type = NULL, q.gold_type = NULL, q.word = "PARIS";
	assert_string_equal(found(s, &q), "1"); /* exact */
	assert_string_equal(spans_of(s, &q, 1), "4-5");
	assert_int_equal(xnr_sentence_query_mark_by(&q), XNR_MARK_WORDS);
	q.word = NULL, q.token = "Par";
	assert_int_equal(xnr_sentence_query_mark_by(&q), XNR_MARK_TOKEN);
	assert_string_equal(found(s, &q), "0");
	assert_string_equal(spans_of(s, &q, 0), "3-4");
	q.token = "##is"; /* only first sub-tokens */
	assert_string_equal(found(s, &q), "");
	q.token = NULL, q.gold = 5, q.pred = 3;
	assert_string_equal(found(s, &q), "0");
	assert_string_equal(spans_of(s, &q, 0), "3-4");
	q.pred = -1;
	assert_string_equal(spans_of(s, &q, 2), "3-4");
	/* the text wins over the labels for what is matched */
	q.text = "hilton";
	assert_int_equal(xnr_sentence_query_mark_by(&q), XNR_MARK_TEXT);
	assert_string_equal(found(s, &q), "2");
	assert_string_equal(spans_of(s, &q, 2), "1-2");
	q = xnr_sentence_query_default(1);
	q.with_errors = 1; /* no criterion that marks words */
	assert_string_equal(spans_of(s, &q, 0), "");
	xnr_store_close(s);
}

static void test_pins(void **state)
{
	struct xnr_store *s = make_db("store_search_pins");
	struct xnr_sentence_query q = xnr_sentence_query_default(1);
	struct xnr_pin *pins = NULL;
	struct xnr_error err;
	char long_note[XNR_PIN_NOTE_MAX + 2];
	size_t n = 0;
	(void)state;

	assert_int_equal(xnr_store_pins(s, 1, &pins, &n, &err), XNR_OK);
	assert_int_equal(n, 0);
	assert_null(pins);
	assert_int_equal(xnr_store_pin(s, 1, 4, "check the label", &err), XNR_OK);
	assert_int_equal(xnr_store_pin(s, 1, 2, NULL, &err), XNR_OK);
	assert_int_equal(xnr_store_pin(s, 2, 0, NULL, &err), XNR_OK);
	assert_int_equal(xnr_store_pin(s, 1, 9, NULL, &err), XNR_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "run 1: no sentence 9");
	assert_int_equal(xnr_store_pin(s, 7, 0, NULL, &err), XNR_ERR_NOT_FOUND);
	memset(long_note, 'x', sizeof long_note - 1);
	long_note[sizeof long_note - 1] = '\0';
	tu_expect_input(xnr_store_pin(s, 1, 0, long_note, &err), &err, "note: at most");
	assert_int_equal(xnr_store_pin(s, 1, 4, "a new note", &err), XNR_OK);
	assert_int_equal(xnr_store_pins(s, 1, &pins, &n, &err), XNR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(pins[0].sentence_id, 2);
	assert_string_equal(pins[0].note, "");
	assert_int_equal(pins[1].sentence_id, 4);
	assert_string_equal(pins[1].note, "a new note");
	assert_int_equal(strlen(pins[1].created_at), 20);
	xnr_pins_free(pins, n);
	q.pinned = 1;
	assert_string_equal(found(s, &q), "2 4");
	assert_int_equal(xnr_store_unpin(s, 1, 2, &err), XNR_OK);
	assert_int_equal(xnr_store_unpin(s, 1, 2, &err), XNR_OK); /* nothing to do */
	assert_string_equal(found(s, &q), "4");
	q.run = 2;
	assert_string_equal(found(s, &q), "0");
	xnr_store_close(s);
}

static void test_deleted_run(void **state)
{
	static const struct sent berlin = {{"Berlin"}, {5}, {5}, 0.3};
	struct xnr_store *s = make_db("store_search_deleted");
	struct xnr_sentence_query q = xnr_sentence_query_default(2);
	struct xnr_run_info in = info("run3");
	struct xnr_run_writer *w = NULL;
	struct xnr_error err;
	sqlite3 *db = NULL;
	int64_t id = 0;
	(void)state;

	assert_int_equal(xnr_store_pin(s, 2, 0, NULL, &err), XNR_OK);
	xnr_store_close(s);
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON; DELETE FROM runs WHERE id = 2",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(xnr_store_open(db_path, 0, &s, &err), XNR_OK);
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	add_sentence(w, 0, &berlin);
	assert_int_equal(xnr_run_commit(w, 1, 1, 1, 1.0, "{}", &id, &err), XNR_OK);
	assert_int_equal(id, 2); /* the deleted run's id */
	q.text = "paris";
	assert_string_equal(found(s, &q), "");
	q.text = "berlin";
	assert_string_equal(found(s, &q), "0");
	q.text = NULL, q.pinned = 1;
	assert_string_equal(found(s, &q), "");
	q.run = 1, q.pinned = 0, q.text = "paris";
	assert_string_equal(found(s, &q), "2 0 1"); /* run 1 as it was */
	xnr_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words_mode),  cmocka_unit_test(test_entity_and_regex),
	    cmocka_unit_test(test_filters),     cmocka_unit_test(test_pins),
	    cmocka_unit_test(test_deleted_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
