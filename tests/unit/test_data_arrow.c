/*
 * test_data_arrow.c - the Arrow IPC reader on files written by npm
 * apache-arrow (tests/fixtures/arrow/, tests/gen/gen_arrow_fixtures.sh, from
 * tiny.conll): the stream and file formats give tiny.conll's words and tags;
 * every truncation is refused with "fuzz: offset N: ..."; every byte flipped
 * in turn is read or refused with a message, never a crash (run under ASan);
 * integer tags without names, compressed bodies and the wrong magic are
 * refused saying what to do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "testutil.h"

#define LABELS "O,B-PER,I-PER,B-ORG,I-ORG,B-LOC,I-LOC,B-MISC,I-MISC"

static char *slurp(const char *rel, size_t *n)
{
	FILE *f = fopen(tu_src(rel), "rb");
	char *buf = malloc(1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	*n = fread(buf, 1, 1 << 16, f);
	assert_true(*n > 0 && *n < (1 << 16));
	fclose(f);
	return buf;
}

static enum xnr_status from_memory(const char *buf, size_t n, const char *labels,
                                   struct xnr_dataset **ds, struct xnr_error *err)
{
	struct xnr_data_params p = xnr_data_default_params();

	p.format = XNR_DATA_ARROW;
	p.labels = labels;
	return xnr_dataset_from_memory(buf, n, "fuzz", &p, ds, err);
}

/* The Arrow dataset's sentences are the first ones of tiny.conll, word for
 * word and tag for tag. */
static void same_as_conll(const struct xnr_dataset *a, size_t n_sentences)
{
	struct xnr_dataset *c = NULL;
	struct xnr_error err = {0};

	if (xnr_dataset_open(tu_src("tests/fixtures/arrow/tiny.conll"), NULL, &c, &err) != XNR_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(a->n_sentences, n_sentences);
	assert_int_equal(a->n_documents, 1);
	for (size_t s = 0; s < n_sentences; s++) {
		const struct xnr_sentence *x = &a->sentences[s], *y = &c->sentences[s];
		assert_int_equal(x->n_words, y->n_words);
		assert_int_equal(x->line, (long)s + 1); /* the row */
		for (size_t w = 0; w < x->n_words; w++) {
			assert_string_equal(a->words[x->first_word + w],
			                    c->words[y->first_word + w]);
			assert_string_equal(a->labels.names[a->tags[x->first_word + w]],
			                    c->labels.names[c->tags[y->first_word + w]]);
		}
	}
	xnr_dataset_close(c);
}

static void test_arrow_formats(void **state)
{
	static const struct {
		const char *file, *labels;
		size_t n_sentences;
	} cases[] = {
	    {"tests/fixtures/arrow/stream.arrow", LABELS, 6}, /* int64 tags, 2 batches */
	    {"tests/fixtures/arrow/int8.arrow", LABELS, 6},
	    {"tests/fixtures/arrow/file.arrow", NULL,
	     12}, /* file format, string tags, large types */
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct xnr_dataset *ds = NULL;
		struct xnr_error err = {0};
		size_t n;
		char *buf = slurp(cases[i].file, &n);
		if (from_memory(buf, n, cases[i].labels, &ds, &err) != XNR_OK)
			fail_msg("%s: %s", cases[i].file, err.msg);
		assert_int_equal(ds->format, XNR_DATA_ARROW);
		same_as_conll(ds, cases[i].n_sentences);
		xnr_dataset_close(ds);
		free(buf);
	}
}

/* Every proper prefix is refused, at an offset, with a message. */
static void test_arrow_truncated(void **state)
{
	const char *files[] = {"tests/fixtures/arrow/stream.arrow",
	                       "tests/fixtures/arrow/file.arrow"};
	(void)state;

	for (size_t f = 0; f < 2; f++) {
		size_t n;
		char *buf = slurp(files[f], &n);
		for (size_t len = 1; len < n; len++) {
			struct xnr_dataset *ds = NULL;
			struct xnr_error err = {0};
			char *copy =
			    malloc(len); /* exactly len bytes: ASan sees any read past them */
			assert_non_null(copy);
			memcpy(copy, buf, len);
			if (from_memory(copy, len, LABELS, &ds, &err) == XNR_OK)
				fail_msg("%s cut at %zu bytes was read", files[f], len);
			if (strncmp(err.msg, "fuzz: offset ", 13) != 0)
				fail_msg("%s cut at %zu: \"%s\"", files[f], len, err.msg);
			free(copy);
		}
		free(buf);
	}
}

/* Every byte flipped in turn: read (then whole) or refused with a message. */
static void test_arrow_flipped(void **state)
{
	const char *files[] = {"tests/fixtures/arrow/stream.arrow",
	                       "tests/fixtures/arrow/file.arrow"};
	size_t n_read = 0, n_refused = 0;
	(void)state;

	for (size_t f = 0; f < 2; f++) {
		size_t n;
		char *buf = slurp(files[f], &n);
		for (size_t i = 0; i < n; i++) {
			struct xnr_dataset *ds = NULL;
			struct xnr_error err = {0};
			char *copy = malloc(n);
			assert_non_null(copy);
			memcpy(copy, buf, n);
			copy[i] = (char)(copy[i] ^ (i % 2 ? 0xFF : 0x40));
			if (from_memory(copy, n, LABELS, &ds, &err) == XNR_OK) {
				n_read++;
				for (size_t w = 0; w < ds->n_words; w++)
					assert_true(strlen(ds->words[w]) > 0 && ds->tags[w] >= 0 &&
					            (size_t)ds->tags[w] < ds->labels.n);
				xnr_dataset_close(ds);
			} else {
				n_refused++;
				if (strncmp(err.msg, "fuzz: ", 6) != 0 ||
				    strcmp(err.path, "fuzz") != 0)
					fail_msg("%s, byte %zu flipped: \"%s\"", files[f], i,
					         err.msg);
			}
			free(copy);
		}
		free(buf);
	}
	printf("flipped bytes: %zu read, %zu refused\n", n_read, n_refused);
	assert_true(n_refused > 0 && n_read > 0);
}

static void test_arrow_refusals(void **state)
{
	struct xnr_dataset *ds = NULL;
	struct xnr_error err = {0};
	size_t n;
	char *buf = slurp("tests/fixtures/arrow/stream.arrow", &n);
	(void)state;

	tu_expect_input(from_memory(buf, n, NULL, &ds, &err), &err, "pass --labels O,B-PER");
	assert_string_equal(err.msg, "fuzz: row 1: ner_tags are ids but no label names were found "
	                             "(no dataset_info.json with a ClassLabel feature beside the "
	                             "data: pass --labels O,B-PER,... in id order)");
	assert_int_equal(from_memory(buf, n, "O,B-PER", &ds, &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "fuzz: row 1: tag 2 is id 2, but there are 2 label names"));
	assert_int_equal(err.item, 2);
	memcpy(buf, "PAR1", 4);
	assert_int_equal(from_memory(buf, n, LABELS, &ds, &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "fuzz: offset 0: not an Arrow IPC stream or file"));
	free(buf);

	buf = slurp("tests/fixtures/arrow/badtype.arrow", &n);
	assert_int_equal(from_memory(buf, n, LABELS, &ds, &err), XNR_ERR_FORMAT);
	assert_non_null(
	    strstr(err.msg, "column tokens is list<int32>, expected a list of strings"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_arrow_formats),
	    cmocka_unit_test(test_arrow_truncated),
	    cmocka_unit_test(test_arrow_flipped),
	    cmocka_unit_test(test_arrow_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
