/*
 * test_data_stream.c - the dataset stream (data/dataset.h) against the whole
 * file: on demo/eval.conll and the CoNLL and JSONL fixtures, in chunks of 1,
 * 7 and 128 sentences, every sentence's index, line, document, id, words and
 * tags, every document, and a second pass that keeps every third sentence;
 * the scheme tally equal to xnr_dataset_detect and xnr_dataset_convert; the
 * same messages for a bad file; and flat memory: the heap in use while a
 * generated file of 20,000 sentences is streamed (glibc's mallinfo2) is what
 * it is for 2,000. A saved Hugging Face dataset (the Arrow fixtures) streams
 * as its whole read too, in the same chunks, with the same files to hash.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "data/dataset.h"
#include "testutil.h"

static struct xnr_dataset *open_ok(const char *path)
{
	struct xnr_dataset *ds = NULL;
	struct xnr_error err = {0};
	if (xnr_dataset_open(path, NULL, &ds, &err) != XNR_OK)
		fail_msg("%s: %s", path, err.msg);
	return ds;
}

static int every_third(void *ud, size_t i)
{
	(void)ud;
	return i % 3 == 1;
}

/* One chunk's sentences and documents against the whole dataset's. */
static void expect_chunk(const struct xnr_dataset *whole, const struct xnr_dataset *c,
                         size_t *next_doc)
{
	for (size_t d = 0; d < c->n_documents; d++, ++*next_doc) {
		const struct xnr_document *a = &whole->documents[*next_doc], *b = &c->documents[d];
		assert_int_equal(b->index, *next_doc);
		assert_int_equal(b->first_sentence, a->first_sentence);
		assert_int_equal(b->line, a->line);
	}
	for (size_t i = 0; i < c->n_sentences; i++) {
		const struct xnr_sentence *b = &c->sentences[i], *a = &whole->sentences[b->index];
		assert_int_equal(b->n_words, a->n_words);
		assert_int_equal(b->line, a->line);
		assert_int_equal(b->document, a->document);
		if (a->id || b->id)
			assert_string_equal(b->id, a->id);
		for (size_t w = 0; w < a->n_words; w++) {
			size_t wa = a->first_word + w, wb = b->first_word + w;
			assert_string_equal(c->words[wb], whole->words[wa]);
			assert_string_equal(c->labels.names[c->tags[wb]],
			                    whole->labels.names[whole->tags[wa]]);
			assert_int_equal(c->tags[wb], whole->tags[wa]);
			assert_int_equal(c->word_lines[wb], whole->word_lines[wa]);
		}
	}
}

/* Stream path in chunks of `chunk` (keeping every third sentence when
 * third): the sentences seen, each equal to the whole file's. */
static size_t stream_pass(struct xnr_dataset_stream *s, const struct xnr_dataset *whole,
                          size_t chunk, int third)
{
	const struct xnr_dataset *c = NULL;
	struct xnr_error err = {0};
	size_t seen = 0, next_doc = 0, last = 0, n_sent = 0, n_doc = 0;
	xnr_dataset_stream_keep(s, third ? every_third : NULL, NULL);
	do {
		assert_int_equal(xnr_dataset_stream_next(s, chunk, &c, &err), XNR_OK);
		assert_true(c->n_sentences <= chunk);
		expect_chunk(whole, c, &next_doc);
		for (size_t i = 0; i < c->n_sentences; i++, seen++) {
			assert_true(seen == 0 || c->sentences[i].index > last);
			assert_true(!third || c->sentences[i].index % 3 == 1);
			last = c->sentences[i].index;
		}
	} while (c->n_sentences || c->n_documents);
	xnr_dataset_stream_info(s, &n_sent, &n_doc);
	assert_int_equal(n_sent, whole->n_sentences);
	assert_int_equal(n_doc, whole->n_documents);
	assert_int_equal(next_doc, whole->n_documents);
	return seen;
}

static void test_equals_whole(void **state)
{
	static const char *const files[] = {"demo/eval.conll", "tests/fixtures/data/mixed.conll",
	                                    "tests/fixtures/data/strings.jsonl"};
	static const size_t chunks[] = {1, 7, 128};
	(void)state;
	for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
		struct xnr_dataset *whole = open_ok(tu_src(files[f]));
		for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
			struct xnr_dataset_stream *s = NULL;
			struct xnr_error err = {0};
			assert_int_equal(xnr_dataset_stream_open(tu_src(files[f]), NULL, &s, &err),
			                 XNR_OK);
			assert_int_equal(stream_pass(s, whole, chunks[k], 0), whole->n_sentences);
			assert_int_equal(xnr_dataset_stream_rewind(s, &err), XNR_OK);
			assert_int_equal(stream_pass(s, whole, chunks[k], 1),
			                 (whole->n_sentences + 1) / 3);
			xnr_dataset_stream_close(s);
		}
		xnr_dataset_close(whole);
	}
}

/* The data hash (xnr_dataset_hash) of ds as hex. */
static void data_hash(const struct xnr_dataset *ds, char hex[XNR_SHA256_HEX])
{
	struct xnr_sha256 *h = NULL;
	struct xnr_error err = {0};
	assert_int_equal(xnr_sha256_open(&h, &err), XNR_OK);
	assert_int_equal(xnr_dataset_hash(ds, h, &err), XNR_OK);
	xnr_sha256_hex(h, hex);
	xnr_sha256_close(h);
}

/* A saved dataset is read whole and yielded in chunks: the same sentences,
 * documents and labels as xnr_dataset_open, and the same files hashed. */
static void test_saved_equals_whole(void **state)
{
	static const struct {
		const char *file, *labels;
	} cases[] = {{"tests/fixtures/arrow/file.arrow", NULL},
	             {"tests/fixtures/arrow/stream.arrow", "O,B-PER,I-PER,B-ORG,I-ORG,B-LOC,I-LOC,"
	                                                   "B-MISC,I-MISC"}};
	static const size_t chunks[] = {1, 7, 128};
	(void)state;
	for (size_t f = 0; f < sizeof cases / sizeof *cases; f++) {
		struct xnr_data_params p = xnr_data_default_params();
		struct xnr_dataset *whole = NULL;
		struct xnr_error err = {0};
		p.labels = cases[f].labels;
		assert_int_equal(xnr_dataset_open(tu_src(cases[f].file), &p, &whole, &err), XNR_OK);
		assert_int_equal(whole->format, XNR_DATA_ARROW);
		for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
			struct xnr_dataset_stream *s = NULL;
			const struct xnr_dataset *info;
			char a[XNR_SHA256_HEX], b[XNR_SHA256_HEX];
			assert_int_equal(
			    xnr_dataset_stream_open(tu_src(cases[f].file), &p, &s, &err), XNR_OK);
			assert_int_equal(stream_pass(s, whole, chunks[k], 0), whole->n_sentences);
			assert_int_equal(xnr_dataset_stream_rewind(s, &err), XNR_OK);
			assert_int_equal(stream_pass(s, whole, chunks[k], 1),
			                 (whole->n_sentences + 1) / 3);
			info = xnr_dataset_stream_info(s, NULL, NULL);
			assert_int_equal(info->format, XNR_DATA_ARROW);
			assert_int_equal(info->n_files, whole->n_files);
			assert_true(info->n_files >= 1);
			for (size_t i = 0; i < info->n_files; i++)
				assert_string_equal(info->files[i], whole->files[i]);
			data_hash(info, a);
			data_hash(whole, b);
			assert_string_equal(a, b);
			xnr_dataset_stream_close(s);
		}
		xnr_dataset_close(whole);
	}
}

/* The tally over chunks says what detection and conversion say of the whole. */
static void test_tally(void **state)
{
	static const char *const files[] = {"demo/eval.conll", "tests/fixtures/data/mixed.conll"};
	(void)state;
	for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
		struct xnr_dataset *whole = open_ok(tu_src(files[f]));
		struct xnr_dataset_stream *s = NULL;
		const struct xnr_dataset *c = NULL;
		struct xnr_scheme_tally t;
		struct xnr_scheme_report want, got;
		struct xnr_error err = {0};

		xnr_scheme_tally_init(&t);
		assert_int_equal(xnr_dataset_stream_open(tu_src(files[f]), NULL, &s, &err), XNR_OK);
		do {
			assert_int_equal(xnr_dataset_stream_next(s, 5, &c, &err), XNR_OK);
			assert_int_equal(xnr_scheme_tally_add(&t, c, &err), XNR_OK);
		} while (c->n_sentences || c->n_documents);
		assert_int_equal(xnr_dataset_detect(whole, 0, &want, &err), XNR_OK);
		assert_int_equal(xnr_scheme_tally_detect(&t, whole->path, &got, &err), XNR_OK);
		assert_int_equal(got.scheme, want.scheme);
		assert_int_equal(got.n_ill_formed, want.n_ill_formed);
		for (int to = 0; to < XNR_SCHEME_COUNT; to++) {
			struct xnr_dataset *conv = open_ok(tu_src(files[f]));
			int32_t *ids = calloc(whole->n_words + 1, sizeof *ids);
			assert_int_equal(xnr_dataset_convert(conv, (enum xnr_scheme)to, &err),
			                 XNR_OK);
			assert_int_equal(t.converted[to].n, conv->labels.n);
			for (size_t l = 0; l < conv->labels.n; l++)
				assert_string_equal(t.converted[to].names[l],
				                    conv->labels.names[l]);
			assert_int_equal(xnr_dataset_convert_ids(whole, (enum xnr_scheme)to,
			                                         &t.converted[to], ids, &err),
			                 XNR_OK);
			assert_memory_equal(ids, conv->tags, whole->n_words * sizeof *ids);
			free(ids);
			xnr_dataset_close(conv);
		}
		xnr_scheme_report_free(&want);
		xnr_scheme_report_free(&got);
		xnr_scheme_tally_free(&t);
		xnr_dataset_stream_close(s);
		xnr_dataset_close(whole);
	}
}

/* A bad line and an empty file: the stream says what the whole read says. */
static void test_errors(void **state)
{
	static const char *const texts[] = {"a O\nb B-PER\n\nc O X\n", "", "\n\n",
	                                    "a O\nb NOTATAG\n"};
	const char *dir = tu_tmpdir("stream_errors");
	(void)state;
	for (size_t k = 0; k < sizeof texts / sizeof *texts; k++) {
		char name[32];
		struct xnr_dataset *ds = NULL;
		struct xnr_dataset_stream *s = NULL;
		const struct xnr_dataset *c = NULL;
		struct xnr_error e1 = {0}, e2 = {0};
		enum xnr_status st1, st2;
		snprintf(name, sizeof name, "bad%zu.conll", k);
		const char *path = tu_write(dir, name, texts[k], strlen(texts[k]));
		st1 = xnr_dataset_open(path, NULL, &ds, &e1);
		assert_int_not_equal(st1, XNR_OK);
		st2 = xnr_dataset_stream_open(path, NULL, &s, &e2);
		while (st2 == XNR_OK && (st2 = xnr_dataset_stream_next(s, 2, &c, &e2)) == XNR_OK &&
		       (c->n_sentences || c->n_documents))
			;
		assert_int_equal(st2, st1);
		assert_string_equal(e2.msg, e1.msg);
		assert_int_equal(e2.line, e1.line);
		xnr_dataset_stream_close(s);
	}
}

/* demo/eval.conll's sentences repeated until n, into dir/name. */
static const char *corpus(const char *dir, const char *name, size_t n)
{
	struct xnr_dataset *demo = open_ok(tu_src("demo/eval.conll"));
	size_t cap = 64u << 20, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	for (size_t i = 0; i < n; i++) {
		const struct xnr_sentence *s = &demo->sentences[i % demo->n_sentences];
		if (i % 20 == 0)
			len += (size_t)snprintf(text + len, cap - len, "-DOCSTART- O\n\n");
		for (size_t w = 0; w < s->n_words; w++)
			len += (size_t)snprintf(text + len, cap - len, "%s %s\n",
			                        demo->words[s->first_word + w],
			                        demo->labels.names[demo->tags[s->first_word + w]]);
		len += (size_t)snprintf(text + len, cap - len, "\n");
		assert_true(len < cap - 4096);
	}
	const char *path = tu_write(dir, name, text, len);
	free(text);
	xnr_dataset_close(demo);
	return path;
}

/* The most heap in use while path is streamed in chunks of 128, above what
 * was in use before the stream opened. */
static size_t peak_heap(const char *path, int sparse)
{
	struct xnr_dataset_stream *s = NULL;
	const struct xnr_dataset *c = NULL;
	struct xnr_error err = {0};
	size_t base = mallinfo2().uordblks, peak = 0, n = 0;
	assert_int_equal(xnr_dataset_stream_open(path, NULL, &s, &err), XNR_OK);
	if (sparse)
		xnr_dataset_stream_keep(s, every_third, NULL);
	do {
		size_t used;
		assert_int_equal(xnr_dataset_stream_next(s, 128, &c, &err), XNR_OK);
		n += c->n_sentences;
		used = mallinfo2().uordblks;
		peak = used - base > peak ? used - base : peak;
	} while (c->n_sentences || c->n_documents);
	xnr_dataset_stream_close(s);
	assert_true(n > 0);
	return peak;
}

static void test_flat(void **state)
{
	const char *dir = tu_tmpdir("stream_flat");
	char small[4096], large[4096];
	(void)state;
	snprintf(small, sizeof small, "%s", corpus(dir, "small.conll", 2000));
	snprintf(large, sizeof large, "%s", corpus(dir, "large.conll", 20000));
	for (int sparse = 0; sparse < 2; sparse++) {
		size_t a = peak_heap(small, sparse), b = peak_heap(large, sparse);
		printf("  heap in use while streaming%s: %zu bytes at 2,000 sentences, %zu at "
		       "20,000\n",
		       sparse ? " (every third kept)" : "", a, b);
		/* a whole read of the large file holds some 5 MB; a chunk some 0.3 MB */
		assert_true(b <= a + 16384);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_equals_whole), cmocka_unit_test(test_saved_equals_whole),
	    cmocka_unit_test(test_tally),        cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_flat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
