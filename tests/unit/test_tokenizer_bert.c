/* test_tokenizer_bert.c - WordPiece/BERT end to end: parity with the golden
 * input_ids/word_ids of Hugging Face's tokenizers (tokenizer.json and the
 * legacy vocab.txt path) on demo/eval.conll's first 64 sentences, or with the
 * argument "shared" on CoNLL-2003 test's (conll03-bert-mini's goldens); raw-text
 * offsets, framing, bad inputs. */
#include "testutil.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tokenizer/tokenizer.h"

static struct tu_material mat;

static void check_golden(struct xnr_tokenizer *tok)
{
	json_error_t jerr;
	json_t *g = json_load_file(mat.golden, 0, &jerr);
	struct xnr_encoding enc;
	struct xnr_error err;
	size_t i, k;

	assert_non_null(g);
	assert_int_equal(json_array_size(g), 64);
	xnr_encoding_init(&enc);
	for (i = 0; i < json_array_size(g); i++) {
		json_t *e = json_array_get(g, i), *words = json_object_get(e, "words");
		json_t *ids = json_object_get(e, "input_ids"),
		       *wids = json_object_get(e, "word_ids");
		size_t n = json_array_size(words);
		const char **w = calloc(n + 1, sizeof *w);
		size_t *wl = calloc(n + 1, sizeof *wl);
		for (k = 0; k < n; k++) {
			w[k] = json_string_value(json_array_get(words, k));
			wl[k] = strlen(w[k]);
		}
		assert_int_equal(xnr_tokenizer_encode_words(tok, w, wl, (int)n, 1, &enc, &err),
		                 XNR_OK);
		if ((size_t)enc.n_tokens != json_array_size(ids))
			fprintf(stderr, "sentence %zu: %d tokens, expected %zu\n", i, enc.n_tokens,
			        json_array_size(ids));
		assert_int_equal(enc.n_tokens, json_array_size(ids));
		for (k = 0; k < json_array_size(ids); k++) {
			json_t *wv = json_array_get(wids, k);
			assert_int_equal(enc.ids[k], json_integer_value(json_array_get(ids, k)));
			assert_int_equal(enc.word_ids[k],
			                 json_is_null(wv) ? -1 : json_integer_value(wv));
		}
		free(w);
		free(wl);
	}
	xnr_encoding_free(&enc);
	json_decref(g);
}

static void test_golden_json(void **state)
{
	struct xnr_tokenizer *tok = NULL;
	struct xnr_error err;
	(void)state;
	assert_int_equal(xnr_tokenizer_open(mat.model, &tok, &err), XNR_OK);
	assert_string_equal(
	    xnr_tokenizer_describe(tok),
	    "BertNormalizer > BertPreTokenizer > WordPiece(9000) > TemplateProcessing");
	assert_int_equal(xnr_tokenizer_n_special(tok), 2);
	check_golden(tok);
	xnr_tokenizer_close(tok);
}

static void test_golden_legacy(void **state)
{
	struct xnr_tokenizer *tok = NULL;
	struct xnr_error err;
	char from[4200], to[4096];
	const char *dir = tu_tmpdir("tok_legacy");
	(void)state;
	snprintf(from, sizeof from, "%s/vocab.txt", mat.model);
	snprintf(to, sizeof to, "%s/vocab.txt", dir);
	tu_copy(from, to);
	snprintf(from, sizeof from, "%s/tokenizer_config.json", mat.model);
	snprintf(to, sizeof to, "%s/tokenizer_config.json", dir);
	tu_copy(from, to);
	assert_int_equal(xnr_tokenizer_open(dir, &tok, &err), XNR_OK);
	check_golden(tok);
	xnr_tokenizer_close(tok);
}

static struct xnr_tokenizer *open_bert(void)
{
	struct xnr_tokenizer *tok = NULL;
	struct xnr_error err;
	assert_int_equal(xnr_tokenizer_open(mat.model, &tok, &err), XNR_OK);
	return tok;
}

/* Span [start, end) of the tokens of word w, from the first and last token. */
static void word_span(const struct xnr_encoding *enc, int w, int32_t *s, int32_t *e)
{
	int i;
	*s = *e = -1;
	for (i = 0; i < enc->n_tokens; i++) {
		if (enc->word_ids[i] != w)
			continue;
		if (*s < 0)
			*s = enc->offsets[2 * i];
		*e = enc->offsets[2 * i + 1];
	}
}

static void test_raw_offsets(void **state)
{
	struct xnr_tokenizer *tok = open_bert();
	struct xnr_encoding enc, win;
	struct xnr_error err;
	const char *text = "Hello, world";
	static const int32_t spans[] = {0, 5, 5, 6, 7, 12};
	int32_t s, e;
	int i, n;
	(void)state;
	xnr_encoding_init(&enc);
	xnr_encoding_init(&win);
	assert_int_equal(xnr_tokenizer_encode(tok, text, strlen(text), 0, &enc, &err), XNR_OK);
	for (i = 0; i < 3; i++) {
		word_span(&enc, i, &s, &e);
		assert_int_equal(s, spans[2 * i]);
		assert_int_equal(e, spans[2 * i + 1]);
	}
	n = enc.n_tokens;
	assert_int_equal(enc.word_ids[n - 1], 2);
	assert_string_equal(xnr_tokenizer_id_to_token(tok, enc.ids[n - 1]), "world");
	assert_string_equal(xnr_tokenizer_id_to_token(tok, enc.ids[n - 2]), ",");
	/* A window of the last two tokens framed with [CLS] .. [SEP]. */
	assert_int_equal(xnr_tokenizer_frame(tok, &enc, n - 2, n, &win, &err), XNR_OK);
	assert_int_equal(win.n_tokens, 4);
	assert_string_equal(xnr_tokenizer_id_to_token(tok, win.ids[0]), "[CLS]");
	assert_int_equal(win.word_ids[0], -1);
	assert_int_equal(win.special[0], 1);
	assert_int_equal(win.ids[1], enc.ids[n - 2]);
	assert_int_equal(win.word_ids[2], 2);
	assert_int_equal(win.offsets[4], 7);
	assert_string_equal(xnr_tokenizer_id_to_token(tok, win.ids[3]), "[SEP]");
	assert_int_equal(xnr_tokenizer_frame(tok, &enc, n - 1, n + 1, &win, &err), XNR_ERR_INPUT);
	xnr_encoding_free(&win);
	xnr_encoding_free(&enc);
	xnr_tokenizer_close(tok);
}

/* Multi-byte chars, a split word, an added token in the text, accents
 * kept (cased model), control chars dropped, CJK isolated. */
static void test_raw_unicode(void **state)
{
	struct xnr_tokenizer *tok = open_bert();
	struct xnr_encoding enc;
	struct xnr_error err;
	const char *text = "Zürich [SEP]\x01 x\xe4\xb8\xad";
	int i;
	(void)state;
	xnr_encoding_init(&enc);
	assert_int_equal(xnr_tokenizer_encode(tok, text, strlen(text), 1, &enc, &err), XNR_OK);
	assert_string_equal(xnr_tokenizer_id_to_token(tok, enc.ids[0]), "[CLS]");
	assert_int_equal(enc.offsets[0], 0);
	assert_int_equal(enc.offsets[1], 0);
	/* Zürich is 7 bytes: its pieces cover [0, 7) and share word 0. */
	assert_int_equal(enc.offsets[2], 0);
	for (i = 1; enc.word_ids[i] == 0; i++)
		;
	assert_int_equal(enc.offsets[2 * (i - 1) + 1], 7);
	/* The literal [SEP] in the text is an added token at [8, 13), word 1. */
	assert_string_equal(xnr_tokenizer_id_to_token(tok, enc.ids[i]), "[SEP]");
	assert_int_equal(enc.special[i], 0);
	assert_int_equal(enc.word_ids[i], 1);
	assert_int_equal(enc.offsets[2 * i], 8);
	assert_int_equal(enc.offsets[2 * i + 1], 13);
	/* \x01 dropped; "x" at [15, 16); the CJK char alone at [16, 19). */
	assert_int_equal(enc.offsets[2 * (i + 1)], 15);
	assert_int_equal(enc.offsets[2 * (i + 1) + 1], 16);
	assert_int_equal(enc.offsets[2 * (i + 2)], 16);
	assert_int_equal(enc.offsets[2 * (i + 2) + 1], 19);
	assert_int_equal(enc.word_ids[i + 2], 3);
	assert_int_equal(enc.n_tokens, i + 4);
	xnr_encoding_free(&enc);
	xnr_tokenizer_close(tok);
}

static void test_bad_text(void **state)
{
	struct xnr_tokenizer *tok = open_bert();
	struct xnr_encoding enc;
	struct xnr_error err;
	const char *w[2] = {"ok", "b\xff"};
	size_t wl[2] = {2, 2};
	char *big;
	(void)state;
	xnr_encoding_init(&enc);
	assert_int_equal(xnr_tokenizer_encode(tok, "ab\xc3(", 4, 1, &enc, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "byte 2"));
	assert_int_equal(xnr_tokenizer_encode_words(tok, w, wl, 2, 1, &enc, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "word 1"));
	/* Empty text: only the specials. */
	assert_int_equal(xnr_tokenizer_encode(tok, "", 0, 1, &enc, &err), XNR_OK);
	assert_int_equal(enc.n_tokens, 2);
	assert_int_equal(xnr_tokenizer_encode(tok, "", 0, 0, &enc, &err), XNR_OK);
	assert_int_equal(enc.n_tokens, 0);
	/* A 1 MB word is longer than max_input_chars_per_word: one [UNK]. */
	big = malloc(1 << 20);
	memset(big, 'a', 1 << 20);
	assert_int_equal(xnr_tokenizer_encode(tok, big, 1 << 20, 1, &enc, &err), XNR_OK);
	assert_int_equal(enc.n_tokens, 3);
	assert_string_equal(xnr_tokenizer_id_to_token(tok, enc.ids[1]), "[UNK]");
	assert_int_equal(enc.offsets[3], 1 << 20);
	free(big);
	xnr_encoding_free(&enc);
	xnr_tokenizer_close(tok);
}

/* Every sentence of the material's CoNLL file (the CoNLL-2003 test file has
 * about 46k words) encodes, and the time it takes is printed. */
static void test_speed(void **state)
{
	struct xnr_tokenizer *tok = open_bert();
	struct xnr_encoding enc;
	struct xnr_error err;
	json_error_t jerr;
	json_t *expected = json_load_file(mat.expected, 0, &jerr);
	FILE *f = fopen(mat.data, "r");
	char line[4096], *words[512];
	size_t lens[512];
	int n = 0, n_sent = 0, k;
	clock_t t0 = clock();
	double secs;
	(void)state;
	assert_non_null(f);
	assert_non_null(expected);
	xnr_encoding_init(&enc);
	for (;;) {
		int eof = !fgets(line, sizeof line, f);
		char *sp = eof ? NULL : strchr(line, ' ');
		if (!sp || strncmp(line, "-DOCSTART-", 10) == 0) {
			if (n > 0) {
				assert_int_equal(
				    xnr_tokenizer_encode_words(tok, (const char *const *)words,
				                               lens, n, 1, &enc, &err),
				    XNR_OK);
				n_sent++;
			}
			for (k = 0; k < n; k++)
				free(words[k]);
			n = 0;
			if (eof)
				break;
			continue;
		}
		if (n < 512) {
			lens[n] = (size_t)(sp - line);
			words[n] = strndup(line, lens[n]);
			n++;
		}
	}
	fclose(f);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	printf("%s: encoded %d sentences in %.3f s\n", mat.name, n_sent, secs);
	assert_int_equal(n_sent, json_integer_value(json_object_get(expected, "sentences")));
	json_decref(expected);
	xnr_encoding_free(&enc);
	xnr_tokenizer_close(tok);
}

static void *golden_thread(void *tok)
{
	check_golden(tok);
	return NULL;
}

/* One tokenizer shared by threads, each with its own encodings. */
static void test_threads(void **state)
{
	struct xnr_tokenizer *tok = open_bert();
	pthread_t th[3];
	int i;
	(void)state;
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, golden_thread, tok), 0);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	xnr_tokenizer_close(tok);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest core[] = {
	    cmocka_unit_test(test_golden_json), cmocka_unit_test(test_golden_legacy),
	    cmocka_unit_test(test_raw_offsets), cmocka_unit_test(test_raw_unicode),
	    cmocka_unit_test(test_bad_text),    cmocka_unit_test(test_speed),
	    cmocka_unit_test(test_threads),
	};
	const struct CMUnitTest shared[] = {
	    cmocka_unit_test(test_golden_json),
	    cmocka_unit_test(test_golden_legacy),
	    cmocka_unit_test(test_speed),
	};
	tu_material_init(&mat, argc, argv);
	if (mat.shared)
		return cmocka_run_group_tests_name("shared", shared, NULL, NULL);
	return cmocka_run_group_tests_name("core", core, NULL, NULL);
}
