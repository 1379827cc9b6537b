/* test_tokenizer_convert.c - folders without tokenizer.json (issue #12): which
 * files win, what the converted tokenizers hold (ids of the specials, the
 * XLM-R id layout, appended [MASK], user-defined pieces), and the errors of
 * broken inputs: a truncated or malformed protobuf (field and byte offset), a
 * sentencepiece model type that does not convert, a malformed merges.txt line
 * (file:line), a bad tokenizer_config.json flag. Encoding parity with the
 * reference is tests/tokparity's job. */
#include "testutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "tokenizer/tokenizer.h"

#define SLOW "tests/fixtures/tokenizers/slow/"

/* A folder named `name` holding copies of the fixture files (pairs of fixture
 * path and file name, NULL-terminated). */
static const char *folder(const char *name, ...)
{
	static char dir[3072];
	const char *from;
	va_list ap;

	snprintf(dir, sizeof dir, "%s", tu_tmpdir(name));
	va_start(ap, name);
	while ((from = va_arg(ap, const char *)) != NULL) {
		char to[4096];
		snprintf(to, sizeof to, "%s/%s", dir, va_arg(ap, const char *));
		tu_copy(tu_src(from), to);
	}
	va_end(ap);
	return dir;
}

static struct xnr_tokenizer *open_ok(const char *dir)
{
	struct xnr_tokenizer *tok = NULL;
	struct xnr_error err;
	enum xnr_status st = xnr_tokenizer_open(dir, &tok, &err);

	if (st != XNR_OK)
		fail_msg("%s: %s", dir, err.msg);
	return tok;
}

static enum xnr_status open_err(const char *dir, struct xnr_error *err)
{
	struct xnr_tokenizer *tok = NULL;
	enum xnr_status st = xnr_tokenizer_open(dir, &tok, err);

	assert_int_not_equal(st, XNR_OK);
	assert_null(tok);
	return st;
}

static void encode(const struct xnr_tokenizer *tok, const char *text, struct xnr_encoding *enc)
{
	struct xnr_error err;

	if (xnr_tokenizer_encode(tok, text, strlen(text), 1, enc, &err) != XNR_OK)
		fail_msg("%s", err.msg);
}

static void test_order(void **state)
{
	const char *dir;
	struct xnr_tokenizer *tok;
	(void)state;
	/* vocab.json + merges.txt before the BERT vocab.txt */
	dir =
	    folder("conv_order", SLOW "roberta/vocab.json", "vocab.json", SLOW "roberta/merges.txt",
	           "merges.txt", "demo/model/vocab.txt", "vocab.txt", NULL);
	tok = open_ok(dir);
	assert_non_null(strstr(xnr_tokenizer_describe(tok), "ByteLevel > BPE(250)"));
	xnr_tokenizer_close(tok);
	/* tokenizer.json before everything */
	tu_copy(tu_src("demo/model/tokenizer.json"), tu_write(dir, "tokenizer.json", "", 0));
	tok = open_ok(dir);
	assert_non_null(strstr(xnr_tokenizer_describe(tok), "WordPiece"));
	xnr_tokenizer_close(tok);
	/* sentencepiece.bpe.model before spm.model */
	dir = folder("conv_order_spm", SLOW "xlmr_unigram.model", "sentencepiece.bpe.model",
	             SLOW "deberta_unigram.model", "spm.model", NULL);
	tok = open_ok(dir);
	assert_int_equal(xnr_tokenizer_vocab_size(tok), 300);
	xnr_tokenizer_close(tok);
}

static void test_roberta(void **state)
{
	struct xnr_encoding enc;
	struct xnr_tokenizer *tok;
	(void)state;
	tok = open_ok(folder("conv_roberta", SLOW "roberta/vocab.json", "vocab.json",
	                     SLOW "roberta/merges.txt", "merges.txt", NULL));
	xnr_encoding_init(&enc);
	encode(tok, "the <mask>", &enc);
	assert_int_equal(enc.ids[0], 0);
	assert_int_equal(enc.ids[enc.n_tokens - 1], 2);
	/* <mask> (id 249, lstrip) matched as one token */
	assert_int_equal(enc.ids[enc.n_tokens - 2], 249);
	assert_string_equal(xnr_tokenizer_id_to_token(tok, 249), "<mask>");
	xnr_encoding_free(&enc);
	xnr_tokenizer_close(tok);
}

static void test_spm_layouts(void **state)
{
	struct xnr_encoding enc;
	struct xnr_tokenizer *tok;
	(void)state;
	xnr_encoding_init(&enc);
	/* XLM-R: <s> <pad> </s> <unk> = 0-3, spm pieces + 1, <mask> last (299) */
	tok = open_ok(
	    folder("conv_xlmr", SLOW "xlmr_unigram.model", "sentencepiece.bpe.model", NULL));
	assert_string_equal(xnr_tokenizer_id_to_token(tok, 1), "<pad>");
	assert_string_equal(xnr_tokenizer_id_to_token(tok, 3), "<unk>");
	assert_string_equal(xnr_tokenizer_id_to_token(tok, 299), "<mask>");
	assert_non_null(strstr(xnr_tokenizer_describe(tok), "Metaspace > Unigram(300)"));
	encode(tok, "a <mask>", &enc);
	assert_int_equal(enc.ids[0], 0);
	assert_int_equal(enc.ids[enc.n_tokens - 2], 299);
	assert_int_equal(enc.ids[enc.n_tokens - 1], 2);
	xnr_tokenizer_close(tok);
	/* DeBERTa-v3: spm ids kept, [MASK] appended (400), the user-defined U.S. (4) */
	tok = open_ok(folder("conv_deberta", SLOW "deberta_unigram.model", "spm.model", NULL));
	assert_int_equal(xnr_tokenizer_vocab_size(tok), 401);
	assert_string_equal(xnr_tokenizer_id_to_token(tok, 400), "[MASK]");
	encode(tok, "the U.S. [MASK]", &enc);
	assert_int_equal(enc.ids[0], 1);
	assert_int_equal(enc.ids[enc.n_tokens - 1], 2);
	assert_int_equal(enc.ids[enc.n_tokens - 2], 400);
	assert_int_equal(enc.ids[2], 4);
	xnr_tokenizer_close(tok);
	xnr_encoding_free(&enc);
}

/* The bytes of a fixture file (the caller frees). */
static char *fixture(const char *rel, size_t *len)
{
	char *buf = NULL;
	struct xnr_error err;

	if (xnr_file_read(tu_src(rel), 1 << 20, &buf, len, &err) != XNR_OK)
		fail_msg("%s", err.msg);
	return buf;
}

static void test_spm_broken(void **state)
{
	/* field 1 (pieces), wire type 3 (a group) */
	static const char group[] = {0x0b, 0x00};
	/* trainer_spec { model_type: CHAR }, merged after the fixture's own */
	static const char char_type[] = {0x12, 0x02, 0x18, 0x04};
	struct xnr_error err;
	const char *dir = tu_tmpdir("conv_spm_broken");
	size_t len = 0;
	char *buf = fixture(SLOW "xlmr_unigram.model", &len);
	char *grown = malloc(len + sizeof char_type);
	(void)state;
	assert_non_null(grown);
	/* cut inside the third piece's string */
	tu_write(dir, "sentencepiece.bpe.model", buf, 35);
	assert_int_equal(open_err(dir, &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "byte 30: ModelProto: field 1: length runs past the end"));
	assert_non_null(strstr(err.path, "sentencepiece.bpe.model"));
	tu_write(dir, "sentencepiece.bpe.model", group, sizeof group);
	assert_int_equal(open_err(dir, &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "byte 0: ModelProto: unsupported wire type"));
	tu_write(dir, "sentencepiece.bpe.model", "", 0);
	assert_int_equal(open_err(dir, &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "pieces: none"));
	memcpy(grown, buf, len);
	memcpy(grown + len, char_type, sizeof char_type);
	tu_write(dir, "sentencepiece.bpe.model", grown, len + sizeof char_type);
	assert_int_equal(open_err(dir, &err), XNR_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "model type CHAR is not supported"));
	free(grown);
	free(buf);
	dir = folder("conv_spm_bpe", SLOW "bpe.model", "spm.model", NULL);
	assert_int_equal(open_err(dir, &err), XNR_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "model type BPE is not supported"));
}

static void test_bpe_broken(void **state)
{
	static const char bad_line[] = "#version: 0.2\ni n\nĠ t x\n";
	static const char bad_token[] = "#version: 0.2\ni n\nq z\n";
	struct xnr_error err;
	const char *dir = folder("conv_bpe_broken", SLOW "roberta/vocab.json", "vocab.json", NULL);
	(void)state;
	tu_write(dir, "merges.txt", bad_line, strlen(bad_line));
	assert_int_equal(open_err(dir, &err), XNR_ERR_FORMAT);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.path, "merges.txt"));
	assert_non_null(strstr(err.msg, "expected two tokens"));
	tu_write(dir, "merges.txt", bad_token, strlen(bad_token));
	assert_int_equal(open_err(dir, &err), XNR_ERR_FORMAT);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.msg, "is not in vocab.json"));
	tu_write(dir, "merges.txt", "#version: 0.2\n", 14);
	tu_write(dir, "vocab.json", "[1]", 3);
	assert_int_equal(open_err(dir, &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.path, "vocab.json"));
}

static void test_config(void **state)
{
	static const char bad_flag[] = "{\"do_lower_case\": \"yes\"}";
	static const char names[] = "{\"cls_token\": \"<cls>\"}";
	struct xnr_error err;
	const char *dir = folder("conv_config", SLOW "deberta_unigram.model", "spm.model", NULL);
	(void)state;
	tu_write(dir, "tokenizer_config.json", bad_flag, strlen(bad_flag));
	assert_int_equal(open_err(dir, &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "do_lower_case"));
	assert_non_null(strstr(err.path, "tokenizer_config.json"));
	dir = folder("conv_config_bpe", SLOW "roberta/vocab.json", "vocab.json",
	             SLOW "roberta/merges.txt", "merges.txt", NULL);
	tu_write(dir, "special_tokens_map.json", names, strlen(names));
	assert_int_equal(open_err(dir, &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "no \"<cls>\" or \"</s>\" token"));
	assert_int_equal(open_err(tu_tmpdir("conv_empty"), &err), XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "spm.model"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order),       cmocka_unit_test(test_roberta),
	    cmocka_unit_test(test_spm_layouts), cmocka_unit_test(test_spm_broken),
	    cmocka_unit_test(test_bpe_broken),  cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
