/*
 * test_data_conll.c - the CoNLL reader on demo/eval.conll (counts from
 * demo/README.md) and, with the argument "shared", on the real CoNLL-2003
 * splits (counts from shared/data/README.md), first/last words and line
 * numbers checked against the files; on hand-written fixtures (tabs, CRLF,
 * BOM, comments, "# O" as a word, --tag-column), the same fixture with every
 * kind of line end, and on split folders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "data/dataset.h"
#include "testutil.h"

static struct xnr_dataset *open_ok(const char *path, const struct xnr_data_params *p)
{
	struct xnr_dataset *ds = NULL;
	struct xnr_error err = {0};
	enum xnr_status st = xnr_dataset_open(path, p, &ds, &err);
	if (st != XNR_OK)
		fail_msg("%s: %s", path, err.msg);
	return ds;
}

static const char *tag_of(const struct xnr_dataset *ds, size_t w)
{
	return ds->labels.names[ds->tags[w]];
}

/* The files test_split_folder links as a folder's test.txt and valid.txt, and
 * their sentence counts. */
struct splits {
	char test[4096], valid[4096];
	size_t n_test, n_valid;
};
static struct splits splits;

static void test_demo_eval(void **state)
{
	struct xnr_dataset *ds;
	struct xnr_scheme_report r;
	struct xnr_error err = {0};
	const struct xnr_sentence *last;
	(void)state;

	ds = open_ok(tu_src("demo/eval.conll"), NULL);
	assert_int_equal(ds->n_sentences, 344);
	assert_int_equal(ds->n_documents, 30);
	assert_int_equal(ds->n_words, 5119);
	assert_int_equal(ds->labels.n, 9);
	assert_string_equal(ds->words[0], "POLITICS");
	assert_string_equal(tag_of(ds, 0), "O");
	assert_int_equal(ds->word_lines[0], 3);
	assert_int_equal(ds->sentences[0].line, 3);
	assert_int_equal(ds->documents[0].line, 1);
	assert_string_equal(ds->words[2], "JORDAN");
	assert_string_equal(tag_of(ds, 2), "B-LOC");
	assert_string_equal(ds->words[ds->n_words - 2], "autumn");
	assert_int_equal(ds->word_lines[ds->n_words - 1], 5522);
	last = &ds->sentences[ds->n_sentences - 1];
	assert_int_equal(last->document, 29);
	assert_int_equal(last->first_word + last->n_words, ds->n_words);
	assert_null(last->id);
	/* demo/README.md's deliberate mistakes 5 and 6: three invalid transitions */
	assert_int_equal(xnr_dataset_detect(ds, 10, &r, &err), XNR_OK);
	assert_int_equal(r.scheme, XNR_SCHEME_IOB2);
	assert_int_equal(r.n_ill_formed, 3);
	xnr_scheme_report_free(&r);
	xnr_dataset_close(ds);
}

static void test_conll2003_test(void **state)
{
	struct xnr_dataset *ds;
	struct xnr_scheme_report r;
	struct xnr_error err = {0};
	const struct xnr_sentence *last;
	(void)state;

	ds = open_ok(tu_shared("data/conll2003/test.txt"), NULL);
	assert_int_equal(ds->n_sentences, 3453);
	assert_int_equal(ds->n_documents, 231);
	assert_int_equal(ds->n_words, 46435);
	assert_int_equal(ds->labels.n, 9);
	assert_string_equal(ds->words[0], "SOCCER");
	assert_string_equal(tag_of(ds, 0), "O");
	assert_int_equal(ds->word_lines[0], 3);
	assert_int_equal(ds->sentences[0].line, 3);
	assert_int_equal(ds->documents[0].line, 1);
	assert_string_equal(ds->words[2], "JAPAN");
	assert_string_equal(tag_of(ds, 2), "B-LOC");
	assert_string_equal(ds->words[ds->n_words - 1], ".");
	assert_int_equal(ds->word_lines[ds->n_words - 1], 50349);
	last = &ds->sentences[ds->n_sentences - 1];
	assert_int_equal(last->document, 230);
	assert_int_equal(last->first_word + last->n_words, ds->n_words);
	assert_null(last->id);
	assert_int_equal(xnr_dataset_detect(ds, 10, &r, &err), XNR_OK);
	assert_int_equal(r.scheme, XNR_SCHEME_IOB2);
	assert_int_equal(r.n_ill_formed, 0);
	xnr_scheme_report_free(&r);
	xnr_dataset_close(ds);
}

static void test_conll2003_valid_train(void **state)
{
	struct xnr_dataset *ds;
	struct timespec t0, t1;
	double ms;
	(void)state;

	ds = open_ok(tu_shared("data/conll2003/valid.txt"), NULL);
	assert_int_equal(ds->n_sentences, 3250);
	assert_int_equal(ds->n_documents, 216);
	assert_int_equal(ds->n_words, 51362);
	assert_string_equal(ds->words[ds->n_words - 1], "880-2-506363");
	assert_int_equal(ds->word_lines[ds->n_words - 1], 55043);
	xnr_dataset_close(ds);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ds = open_ok(tu_shared("data/conll2003/train.txt"), NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("train.txt: %zu words in %.1f ms\n", ds->n_words, ms);
	assert_int_equal(ds->n_sentences, 14041);
	assert_int_equal(ds->n_documents, 946);
	assert_int_equal(ds->n_words, 203621);
	assert_string_equal(ds->words[0], "EU");
	assert_string_equal(tag_of(ds, 0), "B-ORG");
	assert_int_equal(ds->word_lines[ds->n_words - 1], 219553);
	xnr_dataset_close(ds);
}

static void test_fixture_layouts(void **state)
{
	struct xnr_dataset *ds;
	struct xnr_data_params p = xnr_data_default_params();
	(void)state;

	ds = open_ok(tu_src("tests/fixtures/data/mixed.conll"), NULL);
	/* BOM + CRLF + tabs; a "# text" comment; "# O" is a word; 2 documents. */
	assert_int_equal(ds->n_documents, 2);
	assert_int_equal(ds->n_sentences, 3);
	assert_int_equal(ds->n_words, 7);
	assert_string_equal(ds->words[0], "Peter");
	assert_int_equal(ds->word_lines[0], 3);
	assert_string_equal(tag_of(ds, 1), "I-PER");
	assert_string_equal(ds->words[2], "#");
	assert_string_equal(tag_of(ds, 2), "O");
	assert_int_equal(ds->sentences[0].n_words, 4);
	assert_int_equal(ds->sentences[1].line, 9);
	assert_int_equal(ds->sentences[2].document, 1);
	assert_int_equal(ds->documents[1].line, 11);
	assert_string_equal(ds->words[6], "Zürich");
	xnr_dataset_close(ds);

	p.tag_column = 2;
	ds = open_ok(tu_src("tests/fixtures/data/three_columns.conll"), &p);
	assert_int_equal(ds->n_words, 3);
	assert_string_equal(tag_of(ds, 0), "B-ORG");
	assert_int_equal(ds->n_documents, 1);
	assert_int_equal(ds->documents[0].line, 1);
	xnr_dataset_close(ds);
}

/* The whole of a file (caller frees), its size in *n. */
static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(4096);
	assert_non_null(f);
	assert_non_null(buf);
	*n = fread(buf, 1, 4096, f);
	assert_true(*n < 4096);
	fclose(f);
	return buf;
}

/* b holds the same documents, sentences, words, tags and line numbers as a. */
static void assert_same_dataset(const struct xnr_dataset *a, const struct xnr_dataset *b)
{
	size_t i;
	assert_int_equal(a->n_documents, b->n_documents);
	assert_int_equal(a->n_sentences, b->n_sentences);
	assert_int_equal(a->n_words, b->n_words);
	for (i = 0; i < a->n_words; i++) {
		assert_string_equal(a->words[i], b->words[i]);
		assert_string_equal(tag_of(a, i), tag_of(b, i));
		assert_int_equal(a->word_lines[i], b->word_lines[i]);
	}
	for (i = 0; i < a->n_sentences; i++) {
		assert_int_equal(a->sentences[i].n_words, b->sentences[i].n_words);
		assert_int_equal(a->sentences[i].line, b->sentences[i].line);
	}
	for (i = 0; i < a->n_documents; i++)
		assert_int_equal(a->documents[i].line, b->documents[i].line);
}

/* mixed.conll (CRLF) with its line ends rewritten as lone CRs (old Mac), as
 * LFs, and as a mix of all three reads the same, line numbers included. */
static void test_line_ends(void **state)
{
	/* mixed in this order, a lone CR is never followed by an LF (which would
	 * make the two one CRLF) */
	static const char *const ends[] = {"\n", "\r", "\r\n"};
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_dataset *want = open_ok(tu_src("tests/fixtures/data/mixed.conll"), NULL);
	size_t n, i, k, mode;
	char *text = slurp(tu_src("tests/fixtures/data/mixed.conll"), &n);
	char out[8192];
	(void)state;

	p.format = XNR_DATA_CONLL;
	for (mode = 0; mode < 4; mode++) {
		struct xnr_dataset *got = NULL;
		struct xnr_error err = {0};
		size_t m = 0, line = 0;
		for (i = 0; i < n; i++) {
			const char *end = ends[mode < 3 ? mode : line % 3];
			if (text[i] != '\r') {
				out[m++] = text[i];
				continue;
			}
			for (k = 0; end[k]; k++)
				out[m++] = end[k];
			i++; /* the LF of the CRLF */
			line++;
		}
		if (xnr_dataset_from_memory(out, m, "ends.conll", &p, &got, &err) != XNR_OK)
			fail_msg("line ends %zu: %s", mode, err.msg);
		assert_same_dataset(want, got);
		xnr_dataset_close(got);
	}
	free(text);
	xnr_dataset_close(want);
}

static void link_split(const char *dir, const char *name, const char *target)
{
	char path[8300];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_int_equal(symlink(target, path), 0);
}

static void test_split_folder(void **state)
{
	const char *dir = tu_tmpdir("data_splits");
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_dataset *ds = NULL;
	struct xnr_error err = {0};
	(void)state;

	link_split(dir, "test.txt", splits.test);
	link_split(dir, "valid.txt", splits.valid);
	tu_write(dir, "notes.md", "x", 1);

	ds = open_ok(dir, NULL);
	assert_string_equal(ds->split, "test");
	assert_int_equal(ds->n_sentences, splits.n_test);
	xnr_dataset_close(ds);
	p.split = "dev";
	ds = open_ok(dir, &p);
	assert_string_equal(ds->split, "dev");
	assert_int_equal(ds->n_sentences, splits.n_valid);
	xnr_dataset_close(ds);
	p.split = "validation";
	ds = open_ok(dir, &p);
	assert_int_equal(ds->n_sentences, splits.n_valid);
	xnr_dataset_close(ds);

	ds = NULL;
	p.split = "train";
	assert_int_equal(xnr_dataset_open(dir, &p, &ds, &err), XNR_ERR_NOT_FOUND);
	assert_null(ds);
	assert_non_null(strstr(err.msg, "no split \"train\""));
	assert_non_null(strstr(err.msg, "test"));
	assert_non_null(strstr(err.msg, "dev"));
	p.split = "holdout";
	assert_int_equal(xnr_dataset_open(dir, &p, &ds, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "--split holdout"));
	tu_write(dir, "test.jsonl", "{}", 2);
	p.split = "test";
	assert_int_equal(xnr_dataset_open(dir, &p, &ds, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "hold split test"));
	assert_null(ds);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest core[] = {
	    cmocka_unit_test(test_demo_eval),
	    cmocka_unit_test(test_fixture_layouts),
	    cmocka_unit_test(test_line_ends),
	    cmocka_unit_test(test_split_folder),
	};
	const struct CMUnitTest shared[] = {
	    cmocka_unit_test(test_conll2003_test),
	    cmocka_unit_test(test_conll2003_valid_train),
	    cmocka_unit_test(test_split_folder),
	};
	struct tu_material mat;

	tu_material_init(&mat, argc, argv);
	if (mat.shared) {
		tu_need_shared("data/conll2003/valid.txt", "data/conll2003/train.txt", NULL);
		snprintf(splits.test, sizeof splits.test, "%s", mat.data);
		snprintf(splits.valid, sizeof splits.valid, "%s",
		         tu_shared("data/conll2003/valid.txt"));
		splits.n_test = 3453;
		splits.n_valid = 3250;
		return cmocka_run_group_tests_name("shared", shared, NULL, NULL);
	}
	snprintf(splits.test, sizeof splits.test, "%s", mat.data);
	snprintf(splits.valid, sizeof splits.valid, "%s",
	         tu_src("tests/fixtures/data/mixed.conll"));
	splits.n_test = 344;
	splits.n_valid = 3;
	return cmocka_run_group_tests_name("core", core, NULL, NULL);
}
