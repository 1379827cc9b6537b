/*
 * test_store_verdicts.c - a reviewer's verdicts (store/verdicts.h): given
 * through a run, kept with the data; listed on a later run of the same data
 * (another sample, another model) at the same sentence by its line or JSONL
 * id; stale when the data changed under them, kept and shown; not in the
 * run when a sample left their sentence out; never on other data; kept when
 * their run is deleted; and every bad input refused with nothing written.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "store/internal.h" /* the connection, to delete a run with SQL */
#include "store/store.h"
#include "store/verdicts.h"

static const char *const labels[] = {"O", "B-PER", "I-PER", "B-ORG"};

/* One sentence of a test run: its line, JSONL id and words (all gold O,
 * the first B-PER). */
struct sent {
	long line;
	const char *id;
	const char *words[4];
};

/* Add a run of data path/hash with the sentences to s; its id. */
static int64_t add_run(struct xnr_store *s, const char *key, const char *path, const char *hash,
                       const struct sent *sents, int n)
{
	struct xnr_run_info in = {0};
	struct xnr_run_writer *w = NULL;
	struct xnr_error err;
	int64_t id = 0;

	in.key = key;
	in.version = in.model_path = in.model_hash = in.model_arch = "t";
	in.data_path = path;
	in.data_hash = hash;
	in.options_json = "{}";
	in.scheme = "{\"data\":\"IOB2\",\"model\":\"IOB2\"}";
	in.hidden_size = 0;
	in.n_labels = 4;
	in.labels = labels;
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	assert_int_equal(xnr_run_add_document(w, 0, 1, &err), XNR_OK);
	for (int i = 0; i < n; i++) {
		char text[256] = "";
		int nw = 0;
		for (; nw < 4 && sents[i].words[nw]; nw++)
			snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s",
			         nw ? " " : "", sents[i].words[nw]);
		struct xnr_sentence_row r = {i,  0,  sents[i].line, sents[i].id, text,
		                             nw, nw, 0.0,           0,           0};
		assert_int_equal(xnr_run_add_sentence(w, &r, &err), XNR_OK);
		for (int k = 0; k < nw; k++) {
			struct xnr_word_row wr = {
			    i,    k,   sents[i].words[k], -1, k == 0, 0, 0.5, 0.5, 0.1, 0.1, -1,
			    NULL, NULL};
			assert_int_equal(xnr_run_add_word(w, &wr, &err), XNR_OK);
		}
	}
	assert_int_equal(xnr_run_commit(w, n, 0, 0, 0.1, "{}", &id, &err), XNR_OK);
	return id;
}

static const struct sent data_v1[] = {
    {1, NULL, {"Ann", "sings", NULL}},
    {4, NULL, {"EU", "talks", "end", NULL}},
    {8, NULL, {"Bob", "left", NULL}},
};

static struct xnr_store *open_db(const char *name)
{
	char path[4200];
	struct xnr_store *s = NULL;
	struct xnr_error err;

	snprintf(path, sizeof path, "%s/v.db", tu_tmpdir(name));
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	return s;
}

static void test_add_list_update_delete(void **state)
{
	struct xnr_store *s = open_db("verdicts_crud");
	static const char *const fix[] = {"B-ORG"};
	struct xnr_verdict_input in = {XNR_VERDICT_LABEL_ERROR, 0, 1, fix, "ann", "EU is an org"};
	struct xnr_verdict *v = NULL, one;
	struct xnr_error err;
	int64_t run = add_run(s, "k1", "d.conll", "h1", data_v1, 3), id = 0, id2 = 0;
	size_t n = 0;
	(void)state;

	assert_int_equal(xnr_verdict_add(s, run, 1, &in, &id, &err), XNR_OK);
	in = (struct xnr_verdict_input){XNR_VERDICT_AMBIGUOUS, 0, 2, NULL, "bob", NULL};
	assert_int_equal(xnr_verdict_add(s, run, 0, &in, &id2, &err), XNR_OK);
	assert_int_equal(xnr_store_verdicts(s, run, -1, &v, &n, &err), XNR_OK);
	assert_int_equal(n, 2);
	/* by source line: sentence 0 (line 1) first */
	assert_int_equal(v[0].id, id2);
	assert_int_equal(v[0].kind, XNR_VERDICT_AMBIGUOUS);
	assert_null(v[0].labels);
	assert_string_equal(v[0].span_text, "Ann sings");
	assert_string_equal(v[0].was[0], "B-PER");
	assert_string_equal(v[0].why, "");
	assert_int_equal(v[1].id, id);
	assert_int_equal(v[1].state, XNR_VERDICT_CURRENT);
	assert_int_equal(v[1].sentence_id, 1);
	assert_string_equal(v[1].labels[0], "B-ORG");
	assert_string_equal(v[1].was[0], "B-PER");
	assert_string_equal(v[1].sentence_text, "EU talks end");
	assert_string_equal(v[1].data_path, "d.conll");
	assert_int_equal(v[1].source_line, 4);
	assert_int_equal(strlen(v[1].created_at), 20); /* 2026-01-02T03:04:05Z */
	xnr_verdicts_free(v, n);
	/* one sentence's verdicts */
	assert_int_equal(xnr_store_verdicts(s, run, 1, &v, &n, &err), XNR_OK);
	assert_int_equal(n, 1);
	xnr_verdicts_free(v, n);
	/* update: a new kind and reason, the same span */
	in = (struct xnr_verdict_input){XNR_VERDICT_MODEL_ERROR, 0, 1, NULL, "carol", "no"};
	assert_int_equal(xnr_verdict_update(s, run, id, &in, &err), XNR_OK);
	assert_int_equal(xnr_store_verdict_get(s, run, id, &one, &err), XNR_OK);
	assert_int_equal(one.kind, XNR_VERDICT_MODEL_ERROR);
	assert_null(one.labels);
	assert_string_equal(one.who, "carol");
	xnr_verdict_free(&one);
	in.end = 2;
	assert_int_equal(xnr_verdict_update(s, run, id, &in, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "keeps its span"));
	assert_int_equal(xnr_verdict_update(s, run, 99, &in, &err), XNR_ERR_NOT_FOUND);
	assert_int_equal(xnr_verdict_delete(s, id, &err), XNR_OK);
	assert_int_equal(xnr_verdict_delete(s, id, &err), XNR_ERR_NOT_FOUND);
	assert_int_equal(xnr_store_verdict_get(s, run, id, &one, &err), XNR_ERR_NOT_FOUND);
	xnr_store_close(s);
}

static void expect_add(struct xnr_store *s, int64_t run, int64_t sentence,
                       const struct xnr_verdict_input *in, enum xnr_status want, const char *needle)
{
	struct xnr_error err;
	int64_t id = 0;

	assert_int_equal(xnr_verdict_add(s, run, sentence, in, &id, &err), want);
	if (!strstr(err.msg, needle))
		fail_msg("\"%s\" lacks \"%s\"", err.msg, needle);
}

static void test_bad_input(void **state)
{
	struct xnr_store *s = open_db("verdicts_bad");
	static const char *const two[] = {"B-PER", "I-PER"}, *const bad[] = {"B-LOC"};
	int64_t run = add_run(s, "k1", "d.conll", "h1", data_v1, 3);
	char long_who[XNR_VERDICT_WHO_MAX + 2];
	struct xnr_verdict *v = NULL;
	struct xnr_error err;
	size_t n = 9;
	(void)state;

	memset(long_who, 'a', sizeof long_who - 1);
	long_who[sizeof long_who - 1] = '\0';
	expect_add(s, run, 0, &(struct xnr_verdict_input){XNR_VERDICT_SKIP, 1, 3, NULL, "a", NULL},
	           XNR_ERR_INPUT, "outside sentence 0 (2 words)");
	expect_add(s, run, 0, &(struct xnr_verdict_input){XNR_VERDICT_SKIP, 1, 1, NULL, "a", NULL},
	           XNR_ERR_INPUT, "not a span");
	expect_add(s, run, 0,
	           &(struct xnr_verdict_input){XNR_VERDICT_LABEL_ERROR, 0, 1, NULL, "a", NULL},
	           XNR_ERR_INPUT, "needs the corrected labels");
	expect_add(s, run, 0, &(struct xnr_verdict_input){XNR_VERDICT_SKIP, 0, 2, two, "a", NULL},
	           XNR_ERR_INPUT, "only a label_error");
	expect_add(s, run, 0,
	           &(struct xnr_verdict_input){XNR_VERDICT_LABEL_ERROR, 0, 1, bad, "a", NULL},
	           XNR_ERR_INPUT, "\"B-LOC\" (label 1 of the span) is not a label of run 1");
	expect_add(s, run, 0, &(struct xnr_verdict_input){XNR_VERDICT_SKIP, 0, 1, NULL, "", NULL},
	           XNR_ERR_INPUT, "reviewer name is required");
	expect_add(s, run, 0,
	           &(struct xnr_verdict_input){XNR_VERDICT_SKIP, 0, 1, NULL, "\xff\xfe", NULL},
	           XNR_ERR_INPUT, "not valid UTF-8");
	expect_add(s, run, 0,
	           &(struct xnr_verdict_input){XNR_VERDICT_SKIP, 0, 1, NULL, long_who, NULL},
	           XNR_ERR_LIMIT, "longer than 256 bytes");
	expect_add(s, run, 7, &(struct xnr_verdict_input){XNR_VERDICT_SKIP, 0, 1, NULL, "a", NULL},
	           XNR_ERR_NOT_FOUND, "run 1: no sentence 7");
	expect_add(s, 9, 0, &(struct xnr_verdict_input){XNR_VERDICT_SKIP, 0, 1, NULL, "a", NULL},
	           XNR_ERR_NOT_FOUND, "run 9: no such run");
	/* nothing was written */
	assert_int_equal(xnr_store_verdicts(s, run, -1, &v, &n, &err), XNR_OK);
	assert_int_equal(n, 0);
	assert_null(v);
	assert_int_equal(xnr_store_verdicts(s, 9, -1, &v, &n, &err), XNR_ERR_NOT_FOUND);
	xnr_store_close(s);
}

/* The state of the one verdict listed against run (and its sentence). */
static enum xnr_verdict_state state_on(struct xnr_store *s, int64_t run, int64_t *sentence)
{
	struct xnr_verdict *v = NULL;
	struct xnr_error err;
	enum xnr_verdict_state st;
	size_t n = 0;

	assert_int_equal(xnr_store_verdicts(s, run, -1, &v, &n, &err), XNR_OK);
	assert_int_equal(n, 1);
	st = v[0].state;
	*sentence = v[0].sentence_id;
	xnr_verdicts_free(v, n);
	return st;
}

static void test_survives_runs_and_flags_stale(void **state)
{
	struct xnr_store *s = open_db("verdicts_runs");
	static const char *const fix[] = {"B-ORG"};
	static const struct sent sample[] = {{4, NULL, {"EU", "talks", "end", NULL}}};
	static const struct sent no_eu[] = {{1, NULL, {"Ann", "sings", NULL}}};
	static const struct sent changed[] = {{1, NULL, {"Ann", "sings", NULL}},
	                                      {4, NULL, {"UN", "talks", "end", NULL}}};
	static const struct sent moved[] = {{2, NULL, {"Ann", "sings", NULL}},
	                                    {5, NULL, {"EU", "talks", "end", NULL}}};
	struct xnr_verdict_input in = {XNR_VERDICT_LABEL_ERROR, 0, 1, fix, "ann", NULL};
	int64_t run = add_run(s, "k1", "d.conll", "h1", data_v1, 3), id = 0, sentence = -1;
	struct xnr_verdict *v = NULL;
	struct xnr_error err;
	size_t n = 0;
	(void)state;

	assert_int_equal(xnr_verdict_add(s, run, 1, &in, &id, &err), XNR_OK);
	/* the same content under another path (a copy), run as a sample: sentence 0 there */
	assert_int_equal(state_on(s, add_run(s, "k2", "copy.conll", "h1", sample, 1), &sentence),
	                 XNR_VERDICT_CURRENT);
	assert_int_equal(sentence, 0);
	/* a sample that left the sentence out */
	assert_int_equal(state_on(s, add_run(s, "k3", "d.conll", "h1", no_eu, 1), &sentence),
	                 XNR_VERDICT_NOT_IN_RUN);
	assert_int_equal(sentence, -1);
	/* the file changed: another word at the line, or lines moved */
	assert_int_equal(state_on(s, add_run(s, "k4", "d.conll", "h2", changed, 2), &sentence),
	                 XNR_VERDICT_STALE);
	assert_int_equal(sentence, 1);
	assert_int_equal(state_on(s, add_run(s, "k5", "d.conll", "h3", moved, 2), &sentence),
	                 XNR_VERDICT_STALE);
	assert_int_equal(sentence, -1);
	/* other data does not see it */
	assert_int_equal(
	    xnr_store_verdicts(s, add_run(s, "k6", "o.conll", "h9", data_v1, 3), -1, &v, &n, &err),
	    XNR_OK);
	assert_int_equal(n, 0);
	/* deleting the run it was given through keeps it */
	assert_int_equal(sqlite3_exec(s->db, "DELETE FROM runs WHERE id = 1", NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(xnr_store_verdicts(s, 2, -1, &v, &n, &err), XNR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].run_id, -1);
	assert_int_equal(v[0].state, XNR_VERDICT_CURRENT);
	xnr_verdicts_free(v, n);
	xnr_store_close(s);
}

static void test_jsonl_ids(void **state)
{
	struct xnr_store *s = open_db("verdicts_ids");
	static const struct sent a[] = {{1, "s1", {"EU", "rejects", NULL}},
	                                {2, "s2", {"Bonn", NULL}}};
	static const struct sent b[] = {{1, "s0", {"New", NULL}},
	                                {2, "s2", {"Bonn", NULL}},
	                                {3, "s1", {"EU", "rejects", NULL}}};
	struct xnr_verdict_input in = {XNR_VERDICT_SKIP, 0, 1, NULL, "ann", NULL};
	int64_t run = add_run(s, "k1", "d.jsonl", "h1", a, 2), id = 0, sentence = -1;
	struct xnr_error err;
	(void)state;

	assert_int_equal(xnr_verdict_add(s, run, 0, &in, &id, &err), XNR_OK);
	/* a line was added before it: found by its id, on line 3 */
	assert_int_equal(state_on(s, add_run(s, "k2", "d.jsonl", "h2", b, 3), &sentence),
	                 XNR_VERDICT_CURRENT);
	assert_int_equal(sentence, 2);
	xnr_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_list_update_delete),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_survives_runs_and_flags_stale),
	    cmocka_unit_test(test_jsonl_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
