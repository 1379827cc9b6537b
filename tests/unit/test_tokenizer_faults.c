/* test_tokenizer_faults.c - every allocation of opening a tokenizer (each
 * component type, each model type, the legacy vocab.txt path) and of
 * encoding with it can fail: the call then returns XNR_ERR_NOMEM with a
 * message, leaks nothing and leaves *out NULL (faults.h). */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "faults.h"
#include "tokenizer/tokenizer.h"

/* Every normalizer, pre-tokenizer and post-processor type with its fields. */
static const char every_component[] =
    "{\"version\": \"1.0\", \"added_tokens\": ["
    "{\"id\": 0, \"content\": \"[CLS]\", \"special\": true},"
    "{\"id\": 1, \"content\": \"[SEP]\", \"special\": true},"
    "{\"id\": 5, \"content\": \"new york\", \"special\": false, \"lstrip\": true}],"
    "\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": ["
    "{\"type\": \"BertNormalizer\", \"lowercase\": false}, {\"type\": \"NFC\"},"
    "{\"type\": \"NFD\"}, {\"type\": \"NFKC\"}, {\"type\": \"NFKD\"},"
    "{\"type\": \"Lowercase\"}, {\"type\": \"StripAccents\"},"
    "{\"type\": \"Strip\", \"strip_left\": true, \"strip_right\": false},"
    "{\"type\": \"Replace\", \"pattern\": {\"Regex\": \" {2,}\"}, \"content\": \" \"},"
    "{\"type\": \"Replace\", \"pattern\": {\"String\": \"``\"}, \"content\": \"\\\"\"},"
    "{\"type\": \"Prepend\", \"prepend\": \"_\"}, {\"type\": \"Nmt\"},"
    "{\"type\": \"Precompiled\", \"precompiled_charsmap\": null}]},"
    "\"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": ["
    "{\"type\": \"BertPreTokenizer\"}, {\"type\": \"Whitespace\"},"
    "{\"type\": \"WhitespaceSplit\"}, {\"type\": \"Punctuation\", \"behavior\": \"Isolated\"},"
    "{\"type\": \"Digits\", \"individual_digits\": true},"
    "{\"type\": \"CharDelimiterSplit\", \"delimiter\": \"-\"},"
    "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"o\"}, \"behavior\": \"MergedWithNext\","
    " \"invert\": false},"
    "{\"type\": \"Metaspace\", \"replacement\": \"_\", \"prepend_scheme\": \"first\"}]},"
    "\"model\": {\"type\": \"WordLevel\", \"unk_token\": \"[UNK]\", \"vocab\": {"
    "\"[CLS]\": 0, \"[SEP]\": 1, \"[UNK]\": 2, \"_hell\": 3, \"o\": 4, \"new york\": 5}},"
    "\"post_processor\": {\"type\": \"Sequence\", \"processors\": ["
    "{\"type\": \"ByteLevel\", \"trim_offsets\": false},"
    "{\"type\": \"TemplateProcessing\", \"single\": [\"[CLS]:0\", \"$A:0\", \"[SEP]:0\"],"
    " \"special_tokens\": {\"[CLS]\": {\"id\": \"[CLS]\", \"ids\": [0]},"
    " \"[SEP]\": {\"id\": \"[SEP]\", \"ids\": [1]}}}]}}";

/* The other post-processors and the byte-level pipeline, on a BPE model. */
static const char byte_level[] =
    "{\"version\": \"1.0\", \"normalizer\": {\"type\": \"ByteLevel\"},"
    "\"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true},"
    "\"model\": {\"type\": \"BPE\", \"unk_token\": \"<unk>\", \"vocab\": {\"<s>\": 0,"
    "\"</s>\": 1, \"<unk>\": 2, \"a\": 3, \"b\": 4, \"ab\": 5, \"\\u0120\": 6}, \"merges\": "
    "[\"a b\"]},"
    "\"post_processor\": {\"type\": \"Sequence\", \"processors\": ["
    "{\"type\": \"RobertaProcessing\", \"sep\": [\"</s>\", 1], \"cls\": [\"<s>\", 0]},"
    "{\"type\": \"BertProcessing\", \"sep\": [\"</s>\", 1], \"cls\": [\"<s>\", 0]}]}}";

static enum xnr_status open_close(void *ctx, struct xnr_error *err)
{
	struct xnr_tokenizer *tok = NULL;
	enum xnr_status st = xnr_tokenizer_open_json(ctx, &tok, err);
	if (st != XNR_OK)
		assert_null(tok);
	xnr_tokenizer_close(tok);
	return st;
}

static enum xnr_status open_dir_close(void *ctx, struct xnr_error *err)
{
	struct xnr_tokenizer *tok = NULL;
	enum xnr_status st = xnr_tokenizer_open(ctx, &tok, err);
	if (st != XNR_OK)
		assert_null(tok);
	xnr_tokenizer_close(tok);
	return st;
}

/* Text, then pre-split words, then a window of the words' tokens. */
static enum xnr_status encode_all(void *ctx, struct xnr_error *err)
{
	static const char text[] = "  Hello  new york-2024 ``café`` wörld\tab ";
	static const char *const words[] = {"Hello", "new", "york", "ab", "2024"};
	static const size_t lens[] = {5, 3, 4, 2, 4};
	const struct xnr_tokenizer *tok = ctx;
	struct xnr_encoding a, b;
	enum xnr_status st;

	xnr_encoding_init(&a);
	xnr_encoding_init(&b);
	st = xnr_tokenizer_encode(tok, text, strlen(text), 1, &a, err);
	if (st == XNR_OK)
		st = xnr_tokenizer_encode_words(tok, words, lens, 5, 0, &a, err);
	if (st == XNR_OK)
		st = xnr_tokenizer_frame(tok, &a, 1, a.n_tokens, &b, err);
	xnr_encoding_free(&a);
	xnr_encoding_free(&b);
	return st;
}

/* Open path, then sweep its opening and its encoding. */
static void sweep_file(const char *path)
{
	struct xnr_tokenizer *tok = NULL;
	struct xnr_error err;
	char name[512];

	snprintf(name, sizeof name, "open %s", path);
	assert_true(tu_fault_sweep(name, open_close, (void *)path) > 0);
	if (xnr_tokenizer_open_json(path, &tok, &err) != XNR_OK)
		fail_msg("%s", err.msg);
	snprintf(name, sizeof name, "encode with %s", path);
	assert_true(tu_fault_sweep(name, encode_all, tok) > 0);
	xnr_tokenizer_close(tok);
}

static void test_components(void **state)
{
	const char *dir = tu_tmpdir("tok_faults");
	(void)state;
	sweep_file(tu_write(dir, "every.json", every_component, strlen(every_component)));
	sweep_file(tu_write(dir, "bytelevel.json", byte_level, strlen(byte_level)));
}

static void test_fixtures(void **state)
{
	static const char *const fixtures[] = {
	    "tests/fixtures/tokenizers/bpe_fallback_tiny.json",
	    "tests/fixtures/tokenizers/roberta_tiny.json",
	    "tests/fixtures/tokenizers/xlmr_tiny.json",
	};
	(void)state;
	for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
		sweep_file(tu_src(fixtures[i]));
}

/* The BERT folder without tokenizer.json: vocab.txt + tokenizer_config.json. */
static void test_legacy(void **state)
{
	const char *dir = tu_tmpdir("tok_faults_legacy");
	char path[1024];
	(void)state;
	snprintf(path, sizeof path, "%s/vocab.txt", dir);
	tu_copy(tu_src("demo/model/vocab.txt"), path);
	snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
	tu_copy(tu_src("demo/model/tokenizer_config.json"), path);
	assert_true(tu_fault_sweep("open legacy", open_dir_close, (void *)dir) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_components),
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_legacy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
