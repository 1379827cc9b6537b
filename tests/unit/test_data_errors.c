/*
 * test_data_errors.c - every kind of bad dataset input named in issue #3:
 * ragged columns, a tag that is not a tag, an empty file, a 10 MB line,
 * invalid UTF-8, JSONL that is not an object, has mismatched lengths or no
 * tokens, a missing file; and the line numbers of files whose lines end
 * with a lone CR (old Mac) or a mix of line ends; a read stopped by its
 * caller (issue #14). Each must fail with its
 * status and a "file:line: what (how to fix)" message whose file and line
 * are also err->path and err->line (and the JSONL token err->item), and
 * return nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "testutil.h"

struct bad_case {
	enum xnr_data_format format;
	const char *text;
	enum xnr_status status;
	const char *msg; /* must appear in the message */
	long item;       /* the JSONL token the failure is about, or 0 */
};

static const struct bad_case cases[] = {
    {XNR_DATA_CONLL, "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-MISC\n", XNR_ERR_FORMAT,
     "bad:3: 3 columns, expected 4 (every word line needs the same columns; "
     "use --tag-column)",
     0},
    {XNR_DATA_CONLL, "EU B_ORG\n", XNR_ERR_FORMAT, "bad:1: \"B_ORG\" is not a tag", 0},
    {XNR_DATA_CONLL, "EU O\n\nPeter X-PER\n", XNR_ERR_FORMAT, "bad:3: \"X-PER\" is not a tag", 0},
    {XNR_DATA_CONLL, "EU NNP\n", XNR_ERR_FORMAT, "bad:1: \"NNP\" is not a tag", 0},
    {XNR_DATA_CONLL, "EU\n", XNR_ERR_FORMAT, "bad:1: 1 column, expected a word and a tag", 0},
    {XNR_DATA_CONLL, "\n\n  \n-DOCSTART- -X- O\n\n", XNR_ERR_INPUT, "bad: no sentences", 0},
    {XNR_DATA_CONLL, "EU O\nK\xC3\x28ln B-LOC\n", XNR_ERR_FORMAT,
     "bad:2: invalid UTF-8 at byte 2 (re-encode the file as UTF-8)", 0},
    {XNR_DATA_CONLL, "EU O\n\xED\xA0\x80 O\n", XNR_ERR_FORMAT, "bad:2: invalid UTF-8 at byte 1", 0},
    {XNR_DATA_JSONL, "{\"tokens\": [\"EU\"], \"ner_tags\": [\"O\"]}\n[1, 2]\n", XNR_ERR_FORMAT,
     "bad:2: not a JSON object", 0},
    {XNR_DATA_JSONL, "{\"tokens\": [\"EU\", \"x\"], \"ner_tags\": [\"O\"]}\n", XNR_ERR_FORMAT,
     "bad:1: 2 tokens but 1 ner_tags", 0},
    {XNR_DATA_JSONL, "{\"tokens\": [\"EU\"], \"ner_tags\": [\"B_ORG\"]}\n", XNR_ERR_FORMAT,
     "bad:1: \"B_ORG\" (tag 1) is not a tag", 1},
    {XNR_DATA_JSONL, "{\"tokens\": [\"EU\"]\n", XNR_ERR_FORMAT, "bad:1: invalid JSON", 0},
    {XNR_DATA_JSONL, "{\"tokens\": [\"EU\"], \"tokens\": [\"EU\"], \"ner_tags\": [\"O\"]}\n",
     XNR_ERR_FORMAT, "bad:1: invalid JSON", 0},
    {XNR_DATA_JSONL, "{\"words\": [\"EU\"], \"ner_tags\": [\"O\"]}\n", XNR_ERR_FORMAT,
     "bad:1: needs arrays \"tokens\" and \"ner_tags\"", 0},
    {XNR_DATA_JSONL, "{\"tokens\": [\"\"], \"ner_tags\": [\"O\"]}\n", XNR_ERR_FORMAT,
     "bad:1: token 1 is not a non-empty string", 1},
    {XNR_DATA_JSONL, "{\"tokens\": [\"a\", \"b\"], \"ner_tags\": [\"O\", 7]}\n", XNR_ERR_INPUT,
     "bad:1: ner_tags are ids but no label list was given", 2},
    {XNR_DATA_JSONL, "{\"id\": [], \"tokens\": [\"a\"], \"ner_tags\": [\"O\"]}\n", XNR_ERR_FORMAT,
     "bad:1: \"id\" must be", 0},
    {XNR_DATA_JSONL, "\n\n", XNR_ERR_INPUT, "bad: no sentences", 0},
    {XNR_DATA_JSONL, "{\"tokens\": [\"K\xFFln\"], \"ner_tags\": [\"O\"]}\n", XNR_ERR_FORMAT,
     "bad:1: invalid UTF-8 at byte 15", 0},
    {XNR_DATA_JSONL,
     "{\"tokens\": [\"EU\"], \"ner_tags\": [\"O\"]}\n{\"tokens\": [], \"ner_tags\": []}\n",
     XNR_ERR_FORMAT,
     "bad:2: a sentence with no tokens (leave the line out: every sentence needs at least "
     "one token)",
     0},
    {XNR_DATA_JSONL, "\n{\"id\": 3, \"tokens\": [], \"tags\": []}", XNR_ERR_FORMAT,
     "bad:2: a sentence with no tokens", 0},
    {XNR_DATA_CONLL, "EU O\rrejects O\r\rPeter X-PER\r", XNR_ERR_FORMAT,
     "bad:4: \"X-PER\" is not a tag", 0},
    {XNR_DATA_CONLL, "EU O\r\n\rPeter O\nK\xC3\x28ln B-LOC\r", XNR_ERR_FORMAT,
     "bad:4: invalid UTF-8 at byte 2", 0},
    {XNR_DATA_JSONL, "{\"tokens\": [\"EU\"], \"ner_tags\": [\"O\"]}\r\r[1, 2]\r", XNR_ERR_FORMAT,
     "bad:3: not a JSON object", 0},
};

static void test_bad_inputs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct xnr_data_params p = xnr_data_default_params();
		struct xnr_dataset *ds = NULL;
		struct xnr_error err = {0};
		enum xnr_status st;

		p.format = cases[i].format;
		st = xnr_dataset_from_memory(cases[i].text, strlen(cases[i].text), "bad", &p, &ds,
		                             &err);
		long line = 0;
		sscanf(cases[i].msg, "bad:%ld:", &line);
		if (st != cases[i].status || !strstr(err.msg, cases[i].msg) ||
		    strcmp(err.path, "bad") != 0 || err.line != line || err.item != cases[i].item)
			fail_msg("case %zu: status %d, message \"%s\" (%s:%ld item %ld); want %d, "
			         "\"%s\" (line %ld, item %ld)",
			         i, st, err.msg, err.path, err.line, err.item, cases[i].status,
			         cases[i].msg, line, cases[i].item);
		assert_null(ds);
	}
}

static void test_files(void **state)
{
	const char *dir = tu_tmpdir("data_errors");
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_dataset *ds = NULL;
	struct xnr_error err = {0};
	size_t n = 10u * 1024u * 1024u;
	char *big = malloc(n + 16);
	const char *path;
	(void)state;

	path = tu_write(dir, "empty.conll", "", 0);
	assert_int_equal(xnr_dataset_open(path, NULL, &ds, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "empty.conll: no sentences"));
	path = tu_write(dir, "empty.jsonl", "", 0);
	assert_int_equal(xnr_dataset_open(path, NULL, &ds, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "empty.jsonl: no sentences"));

	assert_non_null(big);
	memcpy(big, "EU O\n", 5);
	memset(big + 5, 'a', n);
	memcpy(big + 5 + n, " O\n", 3);
	path = tu_write(dir, "long.conll", big, n + 8);
	assert_int_equal(xnr_dataset_open(path, NULL, &ds, &err), XNR_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "long.conll:2: line longer than"));
	free(big);

	assert_int_equal(
	    xnr_dataset_open(tu_src("tests/fixtures/data/none.conll"), NULL, &ds, &err),
	    XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "none.conll: no such file"));
	assert_string_equal(err.path, tu_src("tests/fixtures/data/none.conll"));

	path = tu_write(dir, "ok.conll", "a B-PER\nb O\n\nc O\n", 17);
	p.tag_column = 3;
	assert_int_equal(xnr_dataset_open(path, &p, &ds, &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "ok.conll:1: 2 columns, but --tag-column is 3"));
	p.tag_column = 1;
	assert_int_equal(xnr_dataset_open(path, &p, &ds, &err), XNR_ERR_INPUT);
	p.tag_column = 0;
	p.max_words = 2;
	assert_int_equal(xnr_dataset_open(path, &p, &ds, &err), XNR_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "ok.conll:4: more than 2 words"));
	assert_null(ds);

	assert_int_equal(xnr_dataset_open(dir, NULL, &ds, &err), XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "no train, dev (valid) or test file"));
	assert_null(ds);
}

/* A long file is read in seconds: the reader stops when asked (a job's
 * Cancel), with XNR_ERR_CANCELLED and nothing returned. */
static void test_cancel(void **state)
{
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_dataset *ds = NULL;
	struct xnr_error err = {0};
	int cancel = 1;
	struct xnr_ctl ctl = {NULL, NULL, &cancel};
	size_t n = 3 * XNR_DATA_CANCEL_LINES, i;
	char *text = malloc(n * 4);
	(void)state;

	assert_non_null(text);
	for (i = 0; i < n; i++)
		memcpy(text + 4 * i, i % 3 == 2 ? "\n\n\n\n" : "a O\n", 4);
	p.ctl = &ctl;
	for (int format = XNR_DATA_CONLL; format <= XNR_DATA_JSONL; format++) {
		p.format = (enum xnr_data_format)format;
		assert_int_equal(xnr_dataset_from_memory(text, n * 4, "long", &p, &ds, &err),
		                 XNR_ERR_CANCELLED);
		assert_non_null(strstr(err.msg, "long: cancelled while reading"));
		assert_null(ds);
	}
	cancel = 0;
	p.format = XNR_DATA_CONLL;
	assert_int_equal(xnr_dataset_from_memory(text, n * 4, "long", &p, &ds, &err), XNR_OK);
	assert_int_equal(ds->n_sentences, n / 3);
	xnr_dataset_close(ds);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_inputs),
	    cmocka_unit_test(test_files),
	    cmocka_unit_test(test_cancel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
