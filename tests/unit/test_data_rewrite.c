/*
 * test_data_rewrite.c - a dataset file written back with some tags changed
 * (data/rewrite.h): every other byte as it was, on the CoNLL fixture with
 * tabs, a BOM, comments, "# O" as a word and padded columns, on CRLF files
 * without a final newline and with extra columns and --tag-column, on files
 * whose lines end with a lone CR (old Mac) or a mix of endings, on JSONL
 * with string tags, integer ids, the "tags" key, escaped keys and nested
 * values; a file that changed since it was read, a tag with no id, a tag
 * with a space and two edits of one word are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/rewrite.h"
#include "testutil.h"

/* Read text (written to dir/name) with p, rewrite it with the edits; the copy. */
static char *rewrite(const char *dir, const char *name, const char *text,
                     const struct xnr_data_params *p, const struct xnr_tag_edit *e, size_t n,
                     enum xnr_status want, const char *needle)
{
	const char *path = tu_write(dir, name, text, strlen(text));
	struct xnr_dataset *ds = NULL;
	struct xnr_error err = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	enum xnr_status st;

	assert_non_null(out);
	if (xnr_dataset_open(path, p, &ds, &err) != XNR_OK)
		fail_msg("%s", err.msg);
	st = xnr_dataset_rewrite(ds, p, e, n, out, &err);
	fclose(out);
	xnr_dataset_close(ds);
	assert_int_equal(st, want);
	if (needle && !strstr(err.msg, needle))
		fail_msg("\"%s\" lacks \"%s\"", err.msg, needle);
	return buf;
}

static void test_conll_bytes_kept(void **state)
{
	const char *dir = tu_tmpdir("rewrite_conll");
	static const char in[] = "\xEF\xBB\xBF-DOCSTART-\tO\n\nPeter\tB-PER\nMueller\tI-PER\n"
	                         "# text = a comment with many columns\n#\tO\nsaid\tO\n\n"
	                         "  EU    B-ORG  \nrejects\tO\n";
	static const char want[] = "\xEF\xBB\xBF-DOCSTART-\tO\n\nPeter\tB-PER\nMueller\tI-PER\n"
	                           "# text = a comment with many columns\n#\tB-MISC\nsaid\tO\n\n"
	                           "  EU    B-LOC  \nrejects\tB-MISC\n";
	/* words: Peter Mueller # said | EU rejects */
	struct xnr_tag_edit e[] = {{5, "B-MISC"}, {2, "B-MISC"}, {4, "B-LOC"}};
	char *out;
	(void)state;

	out = rewrite(dir, "a.conll", in, NULL, e, 3, XNR_OK, NULL);
	assert_string_equal(out, want);
	free(out);
	/* no edit: the same bytes */
	out = rewrite(dir, "a.conll", in, NULL, NULL, 0, XNR_OK, NULL);
	assert_string_equal(out, in);
	free(out);
}

static void test_conll_crlf_columns(void **state)
{
	const char *dir = tu_tmpdir("rewrite_crlf");
	static const char in[] = "EU NNP B-ORG x\r\nrejects VBZ O x\r\n\r\nBonn NNP B-LOC x";
	static const char want[] = "EU NNP I-ORG x\r\nrejects VBZ O x\r\n\r\nBonn NNP B-PER x";
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_tag_edit e[] = {{0, "I-ORG"}, {2, "B-PER"}};
	char *out;
	(void)state;

	p.tag_column = 3;
	out = rewrite(dir, "b.conll", in, &p, e, 2, XNR_OK, NULL);
	assert_string_equal(out, want);
	free(out);
}

/* Lines ending with a lone CR are lines, as the readers have them (the
 * rewriter once walked "\n" only, and put the tag of a CR-only file's
 * first word on its second line); every line keeps its own ending. */
static void test_conll_lone_cr(void **state)
{
	const char *dir = tu_tmpdir("rewrite_cr");
	static const char in[] = "EU\tB-ORG\rrejects\tO\r \r\rBonn\tB-LOC\r\r\nsaid\tO\n\r";
	static const char want[] = "EU\tI-ORG\rrejects\tB-MISC\r \r\rBonn\tB-PER\r\r\nsaid\tO\n\r";
	struct xnr_tag_edit e[] = {{0, "I-ORG"}, {1, "B-MISC"}, {2, "B-PER"}};
	char *out;
	(void)state;

	out = rewrite(dir, "c.conll", in, NULL, e, 3, XNR_OK, NULL);
	assert_string_equal(out, want);
	free(out);
}

static void test_jsonl(void **state)
{
	const char *dir = tu_tmpdir("rewrite_jsonl");
	static const char in[] =
	    "{\"id\": \"s1\", \"meta\": {\"a\": [\"]\", {\"tags\": 1}]}, \"tokens\": [\"EU\", "
	    "\"K\\u00f6ln\"], \"ner_tags\": [\"B-ORG\" , \"O\"]}\n"
	    "\n"
	    "{\"tokens\":[\"Bonn\"],\"tags\":[\"O\"]}\n"
	    "{\"ner\\u005ftags\":[\"O\"],\"tokens\":[\"x\"]}\n";
	static const char want[] =
	    "{\"id\": \"s1\", \"meta\": {\"a\": [\"]\", {\"tags\": 1}]}, \"tokens\": [\"EU\", "
	    "\"K\\u00f6ln\"], \"ner_tags\": [\"B-ORG\" , \"B-LOC\"]}\n"
	    "\n"
	    "{\"tokens\":[\"Bonn\"],\"tags\":[\"B-LOC\"]}\n"
	    "{\"ner\\u005ftags\":[\"B-MISC\"],\"tokens\":[\"x\"]}\n";
	struct xnr_tag_edit e[] = {{1, "B-LOC"}, {2, "B-LOC"}, {3, "B-MISC"}};
	char *out;
	(void)state;

	out = rewrite(dir, "c.jsonl", in, NULL, e, 3, XNR_OK, NULL);
	assert_string_equal(out, want);
	free(out);
}

static void test_jsonl_ids(void **state)
{
	const char *dir = tu_tmpdir("rewrite_ids");
	static const char in[] = "{\"tokens\": [\"EU\", \"rejects\"], \"ner_tags\": [1, 0]}\n";
	static const char want[] = "{\"tokens\": [\"EU\", \"rejects\"], \"ner_tags\": [1, 2]}\n";
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_tag_edit e[] = {{1, "B-MISC"}}, bad[] = {{1, "B-LOC"}};
	char *out;
	(void)state;

	p.labels = "O,B-ORG,B-MISC";
	out = rewrite(dir, "d.jsonl", in, &p, e, 1, XNR_OK, NULL);
	assert_string_equal(out, want);
	free(out);
	free(rewrite(dir, "d.jsonl", in, &p, bad, 1, XNR_ERR_INPUT,
	             "\"B-LOC\" is not in --labels (add it to the list)"));
}

static void test_refused(void **state)
{
	const char *dir = tu_tmpdir("rewrite_bad");
	static const char in[] = "EU B-ORG\nrejects O\n";
	struct xnr_tag_edit twice[] = {{0, "O"}, {0, "B-LOC"}}, space[] = {{0, "B-X Y"}};
	struct xnr_dataset *ds = NULL;
	struct xnr_error err = {0};
	const char *path = tu_write(dir, "e.conll", in, strlen(in));
	struct xnr_tag_edit e = {1, "B-MISC"};
	FILE *out = fopen("/dev/null", "w");
	(void)state;

	free(rewrite(dir, "e.conll", in, NULL, twice, 2, XNR_ERR_INPUT, "edited twice"));
	free(rewrite(dir, "e.conll", in, NULL, space, 1, XNR_ERR_INPUT, "cannot be a tag"));
	/* the file changes between reading and rewriting */
	assert_int_equal(xnr_dataset_open(path, NULL, &ds, &err), XNR_OK);
	tu_write(dir, "e.conll", "EU B-ORG\naccepts O\n", 19);
	assert_int_equal(xnr_dataset_rewrite(ds, NULL, &e, 1, out, &err), XNR_ERR_MISMATCH);
	assert_non_null(strstr(err.msg, "e.conll:2: the word \"rejects\" is no longer here"));
	tu_write(dir, "e.conll", "EU B-ORG\n", 9);
	assert_int_equal(xnr_dataset_rewrite(ds, NULL, &e, 1, out, &err), XNR_ERR_MISMATCH);
	assert_non_null(strstr(err.msg, "shorter than when it was read"));
	xnr_dataset_close(ds);
	fclose(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conll_bytes_kept), cmocka_unit_test(test_conll_crlf_columns),
	    cmocka_unit_test(test_conll_lone_cr),    cmocka_unit_test(test_jsonl),
	    cmocka_unit_test(test_jsonl_ids),        cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
