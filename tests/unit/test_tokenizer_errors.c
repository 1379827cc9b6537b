/* test_tokenizer_errors.c - malformed and unsupported tokenizer files give
 * the documented status and a message naming the place. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "tokenizer/tokenizer.h"

static const char *MODEL = "{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"<unk>\":1},"
                           "\"unk_token\":\"<unk>\"}";

static enum xnr_status load(const char *json, struct xnr_error *err)
{
	struct xnr_tokenizer *tok = NULL;
	const char *dir = tu_tmpdir("tok_errors");
	const char *path = tu_write(dir, "tokenizer.json", json, strlen(json));
	enum xnr_status st = xnr_tokenizer_open_json(path, &tok, err);
	if (st == XNR_OK)
		assert_non_null(tok);
	else
		assert_null(tok);
	xnr_tokenizer_close(tok);
	return st;
}

static void test_unknown_type(void **state)
{
	struct xnr_error err;
	char json[1024];
	(void)state;
	snprintf(json, sizeof json,
	         "{\"version\":\"1.0\",\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":"
	         "[{\"type\":\"NFC\"},{\"type\":\"Foo\"}]},\"model\":%s}",
	         MODEL);
	assert_int_equal(load(json, &err), XNR_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "tokenizer.json: normalizer.normalizers[1]: unknown type "
	                                "\"Foo\" (supported: "));
	snprintf(json, sizeof json,
	         "{\"version\":\"1.0\",\"pre_tokenizer\":{\"type\":\"Bar\"},\"model\":%s}", MODEL);
	assert_int_equal(load(json, &err), XNR_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "pre_tokenizer: unknown type \"Bar\""));
	assert_int_equal(load("{\"version\":\"1.0\",\"model\":{\"type\":\"Baz\"}}", &err),
	                 XNR_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "model: unknown type \"Baz\""));
}

static void test_malformed(void **state)
{
	struct xnr_error err;
	char json[1024];
	(void)state;
	snprintf(json, sizeof json, "{\"version\":\"2.0\",\"model\":%s}", MODEL);
	assert_int_equal(load(json, &err), XNR_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "version \"2.0\""));
	assert_int_equal(load("{\"version\":\"1.0\"}", &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "missing \"model\""));
	assert_int_equal(load("[1, 2]", &err), XNR_ERR_FORMAT);
	assert_int_equal(load("{\"version\":\"1.0\",\"model\":{\"type\":", &err), XNR_ERR_FORMAT);
	assert_int_equal(load("", &err), XNR_ERR_FORMAT);
	assert_int_equal(
	    load("{\"version\":\"1.0\",\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},"
	         "\"merges\":[\"a b\"]}}",
	         &err),
	    XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "merges[0]"));
	assert_int_equal(
	    load("{\"version\":\"1.0\",\"model\":{\"type\":\"Unigram\",\"vocab\":[[1]]}}", &err),
	    XNR_ERR_FORMAT);
	assert_int_equal(load("{\"version\":\"1.0\",\"model\":{\"type\":\"WordPiece\",\"vocab\":"
	                      "{\"a\":-3}}}",
	                      &err),
	                 XNR_ERR_FORMAT);
	snprintf(json, sizeof json,
	         "{\"version\":\"1.0\",\"normalizer\":{\"type\":\"Replace\",\"pattern\":"
	         "{\"Regex\":\"(\"},\"content\":\"\"},\"model\":%s}",
	         MODEL);
	assert_int_equal(load(json, &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "normalizer"));
}

/* A catalogue of bad tokenizer.json files: components (before "model") and
 * a model (NULL: a valid WordLevel one), the status, and a needle. */
static const struct bad_doc {
	const char *components, *model;
	enum xnr_status status;
	const char *needle;
} bad_docs[] = {
    {"\"normalizer\":[],", NULL, XNR_ERR_FORMAT, "normalizer: expected an object"},
    {"\"normalizer\":{},", NULL, XNR_ERR_FORMAT, "normalizer: missing \"type\""},
    {"\"normalizer\":{\"type\":\"Sequence\"},", NULL, XNR_ERR_FORMAT,
     "normalizer.normalizers: missing or not an array"},
    {"\"normalizer\":{\"type\":\"BertNormalizer\",\"lowercase\":1},", NULL, XNR_ERR_FORMAT,
     "key \"lowercase\" must be true or false"},
    {"\"normalizer\":{\"type\":\"BertNormalizer\",\"strip_accents\":\"x\"},", NULL, XNR_ERR_FORMAT,
     "normalizer.strip_accents: expected a boolean or null"},
    {"\"normalizer\":{\"type\":\"Strip\",\"strip_right\":\"yes\"},", NULL, XNR_ERR_FORMAT,
     "key \"strip_right\" must be true or false"},
    {"\"normalizer\":{\"type\":\"Replace\",\"pattern\":3,\"content\":\"\"},", NULL, XNR_ERR_FORMAT,
     "normalizer.pattern: missing or not an object"},
    {"\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"Glob\":\"*\"}},", NULL, XNR_ERR_FORMAT,
     "normalizer.pattern: expected {\"String\": ...} or {\"Regex\": ...}"},
    {"\"normalizer\":{\"type\":\"Replace\",\"pattern\":{\"String\":\"a\"}},", NULL, XNR_ERR_FORMAT,
     "normalizer.content: missing or not a string"},
    {"\"normalizer\":{\"type\":\"Prepend\"},", NULL, XNR_ERR_FORMAT,
     "normalizer.prepend: missing or not a string"},
    {"\"normalizer\":{\"type\":\"Precompiled\",\"precompiled_charsmap\":7},", NULL, XNR_ERR_FORMAT,
     "normalizer.precompiled_charsmap: expected a base64 string"},
    {"\"normalizer\":{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"#!\"},", NULL,
     XNR_ERR_FORMAT, "normalizer.precompiled_charsmap: not base64"},
    {"\"normalizer\":{\"type\":\"Precompiled\",\"precompiled_charsmap\":\"AAAA\"},", NULL,
     XNR_ERR_FORMAT, "precompiled_charsmap: bad blob"},
    {"\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\","
     "\"pattern\":{\"String\":\" \"},\"behavior\":\"Sideways\"}]},",
     NULL, XNR_ERR_UNSUPPORTED,
     "pre_tokenizer.pretokenizers[0].behavior: unknown \"Sideways\" (supported: Removed,"},
    {"\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"Regex\":\" \"},\"invert\":0},", NULL,
     XNR_ERR_FORMAT, "key \"invert\" must be true or false"},
    {"\"pre_tokenizer\":{\"type\":\"Metaspace\",\"replacement\":\"ab\"},", NULL, XNR_ERR_FORMAT,
     "pre_tokenizer.replacement: expected a single character"},
    {"\"pre_tokenizer\":{\"type\":\"Metaspace\",\"prepend_scheme\":\"sometimes\"},", NULL,
     XNR_ERR_UNSUPPORTED,
     "prepend_scheme: unknown \"sometimes\" (supported: always, first, never)"},
    {"\"pre_tokenizer\":{\"type\":\"CharDelimiterSplit\"},", NULL, XNR_ERR_FORMAT,
     "pre_tokenizer.delimiter: missing"},
    {"\"pre_tokenizer\":{\"type\":\"Digits\",\"individual_digits\":\"1\"},", NULL, XNR_ERR_FORMAT,
     "individual_digits"},
    {"\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"use_regex\":[]},", NULL, XNR_ERR_FORMAT,
     "use_regex"},
    {"\"post_processor\":{\"type\":\"BertProcessing\",\"cls\":[\"[CLS]\"]},", NULL, XNR_ERR_FORMAT,
     "post_processor.cls: expected [\"token\", id]"},
    {"\"post_processor\":{\"type\":\"RobertaProcessing\",\"cls\":[\"<s>\",0],\"sep\":"
     "[\"</s>\",-1]},",
     NULL, XNR_ERR_FORMAT, "post_processor.sep: expected [\"token\", id]"},
    {"\"post_processor\":{\"type\":\"ByteLevel\",\"trim_offsets\":\"no\"},", NULL, XNR_ERR_FORMAT,
     "trim_offsets"},
    {"\"post_processor\":{\"type\":\"TemplateProcessing\"},", NULL, XNR_ERR_FORMAT,
     "post_processor.single: missing or not an array"},
    {"\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[\"[CLS]:0\"]},", NULL,
     XNR_ERR_FORMAT, "post_processor.special_tokens: no entry \"[CLS]\" with ids"},
    {"\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"Special\":1}]},", NULL,
     XNR_ERR_FORMAT, "post_processor.single: pieces must be"},
    {"\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[\"X\"],"
     "\"special_tokens\":{\"X\":{\"ids\":[\"1\"]}}},",
     NULL, XNR_ERR_FORMAT, "post_processor.special_tokens[\"X\"].ids: bad id"},
    {"\"post_processor\":{\"type\":\"Sequence\",\"processors\":[{\"type\":\"Bert\"}]},", NULL,
     XNR_ERR_UNSUPPORTED, "post_processor.processors[0]: unknown type \"Bert\""},
    {"\"added_tokens\":{},", NULL, XNR_ERR_FORMAT, "added_tokens: expected an array"},
    {"\"added_tokens\":[{\"id\":1}],", NULL, XNR_ERR_FORMAT, "added_tokens[0]: expected"},
    {"\"added_tokens\":[{\"id\":1,\"content\":\"x\",\"special\":\"y\"}],", NULL, XNR_ERR_FORMAT,
     "key \"special\" must be true or false"},
    {"", "[]", XNR_ERR_FORMAT, "model: missing or not an object"},
    {"", "{\"vocab\":3}", XNR_ERR_FORMAT, "model: missing \"type\""},
    {"", "{\"type\":\"WordLevel\",\"vocab\":[]}", XNR_ERR_FORMAT,
     "model.vocab: missing or not an object"},
    {"", "{\"type\":\"WordPiece\",\"vocab\":{\"a\":0},\"max_input_chars_per_word\":\"9\"}",
     XNR_ERR_FORMAT, "max_input_chars_per_word"},
    {"", "{\"type\":\"WordPiece\",\"vocab\":{\"a\":0},\"unk_token\":5}", XNR_ERR_FORMAT,
     "unk_token"},
    {"", "{\"type\":\"WordPiece\",\"vocab\":{\"a\":67108864}}", XNR_ERR_FORMAT,
     "model.vocab[\"a\"]: id must be an integer in [0, 2^26)"},
    {"", "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":{}}", XNR_ERR_FORMAT,
     "model.merges: expected an array"},
    {"", "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"a\"]}", XNR_ERR_FORMAT,
     "model.merges[0]: expected \"a b\""},
    {"", "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"end_of_word_suffix\":1}", XNR_ERR_FORMAT,
     "end_of_word_suffix"},
    {"", "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"byte_fallback\":1}", XNR_ERR_FORMAT,
     "byte_fallback"},
    {"", "{\"type\":\"Unigram\",\"vocab\":{}}", XNR_ERR_FORMAT,
     "model.vocab: missing or not an array"},
    {"", "{\"type\":\"Unigram\",\"vocab\":[[\"a\",0.5]],\"unk_id\":3}", XNR_ERR_FORMAT,
     "model.unk_id: 3 is not a vocab index"},
    {"", "{\"type\":\"Unigram\",\"vocab\":[[\"a\",\"x\"]]}", XNR_ERR_FORMAT,
     "model.vocab[0]: expected [\"piece\", score]"},
};

/* Every entry fails with its status, a message that starts with the file and
 * names the place, and err->path the file. */
static void test_catalogue(void **state)
{
	const char *dir = tu_tmpdir("tok_catalogue");
	(void)state;
	for (size_t i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++) {
		const struct bad_doc *b = &bad_docs[i];
		struct xnr_tokenizer *tok = NULL;
		struct xnr_error err;
		char json[2048];
		const char *path;
		enum xnr_status st;
		snprintf(json, sizeof json, "{\"version\":\"1.0\",%s\"model\":%s}", b->components,
		         b->model ? b->model : MODEL);
		path = tu_write(dir, "tokenizer.json", json, strlen(json));
		st = xnr_tokenizer_open_json(path, &tok, &err);
		assert_null(tok);
		if (st != b->status || !strstr(err.msg, b->needle) ||
		    strncmp(err.msg, path, strlen(path)) != 0 || strcmp(err.path, path) != 0)
			fail_msg("entry %zu: got %s \"%s\" (path \"%s\"), want %s with \"%s\"", i,
			         xnr_status_str(st), err.msg, err.path, xnr_status_str(b->status),
			         b->needle);
	}
}

/* Encoding fails only on input the tokenizer cannot take, with a message. */
static void test_encode_errors(void **state)
{
	static const char *const words[] = {"a", "b\xc3"};
	static const size_t lens[] = {1, 2};
	const char *json = "{\"version\":\"1.0\",\"pre_tokenizer\":{\"type\":\"WhitespaceSplit\"},"
	                   "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0}}}";
	const char *path =
	    tu_write(tu_tmpdir("tok_encode_errors"), "tokenizer.json", json, strlen(json));
	struct xnr_tokenizer *tok = NULL;
	struct xnr_encoding enc, out;
	struct xnr_error err;
	(void)state;
	assert_int_equal(xnr_tokenizer_open_json(path, &tok, &err), XNR_OK);
	xnr_encoding_init(&enc);
	xnr_encoding_init(&out);
	assert_int_equal(xnr_tokenizer_encode(tok, "a a", 3, 1, &enc, &err), XNR_OK);
	assert_int_equal(enc.n_tokens, 2);
	tu_expect_input(xnr_tokenizer_encode(tok, "a zz", 4, 1, &enc, &err), &err,
	                "WordLevel model has no unk token");
	tu_expect_input(xnr_tokenizer_encode(tok, "a \xff", 3, 1, &enc, &err), &err,
	                "text: invalid UTF-8 at byte 2");
	tu_expect_input(xnr_tokenizer_encode_words(tok, words, lens, 2, 1, &enc, &err), &err,
	                "word 1: invalid UTF-8 at byte 1");
	assert_int_equal(xnr_tokenizer_encode(tok, "a a", 3, 0, &enc, &err), XNR_OK);
	tu_expect_input(xnr_tokenizer_frame(tok, &enc, 1, 3, &out, &err), &err,
	                "bad frame [1, 3) of 2 tokens");
	xnr_encoding_free(&enc);
	xnr_encoding_free(&out);
	xnr_tokenizer_close(tok);
}

static void test_missing_files(void **state)
{
	struct xnr_tokenizer *tok = NULL;
	struct xnr_error err;
	const char *dir = tu_tmpdir("tok_empty");
	(void)state;
	assert_int_equal(xnr_tokenizer_open(dir, &tok, &err), XNR_ERR_NOT_FOUND);
	assert_null(tok);
	assert_non_null(strstr(err.msg, "vocab.txt"));
	assert_string_equal(err.path, dir);
}

/* Components without their own fixture: encode through them without crashing
 * and check a few exact results. */
static void test_misc_components(void **state)
{
	struct xnr_tokenizer *tok = NULL;
	struct xnr_encoding enc;
	struct xnr_error err;
	const char *dir = tu_tmpdir("tok_misc");
	const char *json =
	    "{\"version\":\"1.0\",\"added_tokens\":[{\"id\":9,\"content\":\"zz\","
	    "\"special\":false,\"normalized\":false,\"single_word\":true}],"
	    "\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"},"
	    "{\"type\":\"Lowercase\"},{\"type\":\"NFD\"},{\"type\":\"StripAccents\"},"
	    "{\"type\":\"Nmt\"},{\"type\":\"Prepend\",\"prepend\":\"_\"}]},"
	    "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":"
	    "\"WhitespaceSplit\"},{\"type\":\"Digits\",\"individual_digits\":true},"
	    "{\"type\":\"Punctuation\"},{\"type\":\"Split\",\"pattern\":{\"String\":\"a\"},"
	    "\"behavior\":\"MergedWithPrevious\"}]},"
	    "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"_\":0,\"ba\":1,\"1\":2,\"2\":3,"
	    "\"<unk>\":4,\"e\":5,\"-\":6},\"unk_token\":\"<unk>\"}}";
	const char *path = tu_write(dir, "tokenizer.json", json, strlen(json));
	/* "_ÉBA12-e zz xzz": NFKC, lowercase, NFD + strip accents -> "_eba12-e zz xzz". */
	const char *text = "\xc3\x89"
	                   "BA12-e zz xzz";
	(void)state;
	if (xnr_tokenizer_open_json(path, &tok, &err) != XNR_OK)
		fprintf(stderr, "%s\n", err.msg);
	assert_non_null(tok);
	xnr_encoding_init(&enc);
	assert_int_equal(xnr_tokenizer_encode(tok, text, strlen(text), 0, &enc, &err), XNR_OK);
	/* "_" is punctuation (Pc) and isolated, aligned to É by Prepend; "eba"
	 * (unk, from É B A); 1, 2, -, e; zz is a raw added token (single word);
	 * Prepend runs on the next piece " xzz" too ("_" aligned to the space);
	 * in "xzz" zz is inside a word, so skipped and the word is unk. */
	{
		static const int32_t want[][3] = {{0, 0, 2},  {4, 0, 4},   {2, 4, 5},
		                                  {3, 5, 6},  {6, 6, 7},   {5, 7, 8},
		                                  {9, 9, 11}, {0, 11, 12}, {4, 12, 15}};
		int i;
		assert_int_equal(enc.n_tokens, 9);
		for (i = 0; i < 9; i++) {
			assert_int_equal(enc.ids[i], want[i][0]);
			assert_int_equal(enc.offsets[2 * i], want[i][1]);
			assert_int_equal(enc.offsets[2 * i + 1], want[i][2]);
		}
	}
	xnr_encoding_free(&enc);
	xnr_tokenizer_close(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unknown_type),  cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_catalogue),     cmocka_unit_test(test_encode_errors),
	    cmocka_unit_test(test_missing_files), cmocka_unit_test(test_misc_components),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
