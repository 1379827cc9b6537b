/*
 * tokenizer_fuzz.h - the body shared by the tokenizer encoding targets: a
 * loaded tokenizer (from a fuzzed tokenizer.json or vocab.txt) encodes a
 * fuzzed text as raw text and as whitespace-split words, and every result is
 * checked against tokenizer.h's contracts: invalid UTF-8 refused with
 * XNR_ERR_INPUT; model tokens with ids in the vocabulary, offsets inside the
 * text (or their word) and monotone word ids; special tokens only from the
 * post-processor, as many as it says, with word id -1 and offsets (0, 0);
 * encoding with specials equal to framing the body; a framed slice holding
 * exactly that slice of the body.
 */
#ifndef XNR_TOKENIZER_FUZZ_H
#define XNR_TOKENIZER_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/internal.h"
#include "util.h"

#define FUZZ_MAX_WORDS 64

/* Model tokens of enc: ids in the vocabulary, word ids monotone in [0, n_words) (any
 * non-negative value when n_words < 0, raw text), offsets in [0, lens[word]]
 * (or [0, lens[0]] for raw text). Specials as the post-processor adds them. */
static int check_tokens(const struct xnr_tokenizer *tok, const struct xnr_encoding *enc,
                        const size_t *lens, int n_words)
{
	int n_special = 0, prev_word = 0;

	FUZZ_CHECK(enc->n_tokens >= 0 && enc->n_tokens <= enc->cap);
	for (int i = 0; i < enc->n_tokens; i++) {
		int32_t w = enc->word_ids[i], s = enc->offsets[2 * i], e = enc->offsets[2 * i + 1];
		size_t len;
		FUZZ_CHECK(enc->ids[i] >= 0);
		if (enc->special[i]) {
			FUZZ_CHECK(w == -1 && s == 0 && e == 0);
			n_special++;
			continue;
		}
		FUZZ_CHECK(enc->ids[i] < xnr_tokenizer_vocab_size(tok));
		FUZZ_CHECK(w >= prev_word && (n_words < 0 || w < n_words));
		prev_word = w;
		len = lens[n_words < 0 ? 0 : w];
		FUZZ_CHECK(s >= 0 && s <= e && (size_t)e <= len);
	}
	return n_special;
}

static int same_token(const struct xnr_encoding *a, int i, const struct xnr_encoding *b, int j)
{
	return a->ids[i] == b->ids[j] && a->word_ids[i] == b->word_ids[j] &&
	       a->offsets[2 * i] == b->offsets[2 * j] &&
	       a->offsets[2 * i + 1] == b->offsets[2 * j + 1] && a->special[i] == b->special[j];
}

/* out = body[begin, end) framed: the post-processor's specials, and the
 * slice (once per $A of the template) in order. */
static void check_frame(const struct xnr_tokenizer *tok, const struct xnr_encoding *body, int begin,
                        int end, const struct xnr_encoding *out)
{
	int k = begin, n_special = 0;

	for (int i = 0; i < out->n_tokens; i++) {
		if (out->special[i]) {
			n_special++;
			continue;
		}
		FUZZ_CHECK(end > begin && same_token(out, i, body, k));
		k = k + 1 == end ? begin : k + 1;
	}
	FUZZ_CHECK(k == begin && n_special == xnr_tokenizer_n_special(tok));
}

static void check_raw(const struct xnr_tokenizer *tok, const char *text, size_t len)
{
	struct xnr_encoding body, enc, win;
	struct xnr_error err;

	xnr_encoding_init(&body);
	xnr_encoding_init(&enc);
	xnr_encoding_init(&win);
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_tokenizer_encode(tok, text, len, 0, &body, &err), &err) != XNR_OK)
		goto done;
	FUZZ_CHECK(check_tokens(tok, &body, &len, -1) == 0);
	xnr_error_clear(&err);
	FUZZ_CHECK(fuzz_check_status(xnr_tokenizer_encode(tok, text, len, 1, &enc, &err), &err) ==
	           XNR_OK);
	check_tokens(tok, &enc, &len, -1);
	check_frame(tok, &body, 0, body.n_tokens, &enc);
	xnr_error_clear(&err);
	FUZZ_CHECK(fuzz_check_status(xnr_tokenizer_frame(tok, &body, body.n_tokens / 3,
	                                                 2 * body.n_tokens / 3, &win, &err),
	                             &err) == XNR_OK);
	check_frame(tok, &body, body.n_tokens / 3, 2 * body.n_tokens / 3, &win);
done:
	xnr_encoding_free(&body);
	xnr_encoding_free(&enc);
	xnr_encoding_free(&win);
}

static void check_words(const struct xnr_tokenizer *tok, const char *text, size_t len)
{
	const char *words[FUZZ_MAX_WORDS];
	size_t lens[FUZZ_MAX_WORDS], i = 0;
	int n = 0;
	struct xnr_encoding enc;
	struct xnr_error err;

	while (i < len && n < FUZZ_MAX_WORDS) {
		size_t e = i;
		while (e < len && text[e] != ' ' && text[e] != '\n' && text[e] != '\t')
			e++;
		if (e > i) {
			words[n] = text + i;
			lens[n++] = e - i;
		}
		i = e + 1;
	}
	xnr_encoding_init(&enc);
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_tokenizer_encode_words(tok, words, lens, n, 1, &enc, &err),
	                      &err) == XNR_OK)
		FUZZ_CHECK(check_tokens(tok, &enc, lens, n) == xnr_tokenizer_n_special(tok));
	xnr_encoding_free(&enc);
}

/* Encode text (len bytes, any bytes) with tok every way and check it all. */
static void fuzz_tokenize(const struct xnr_tokenizer *tok, const char *text, size_t len)
{
	char *valid = malloc(len + 1);
	struct xnr_encoding enc;
	struct xnr_error err;
	size_t bad;

	FUZZ_CHECK(valid != NULL);
	memcpy(valid, text, len);
	if (xnr__utf8_invalid(valid, len) != (size_t)-1) {
		xnr_encoding_init(&enc);
		xnr_error_clear(&err);
		FUZZ_CHECK(fuzz_check_status(xnr_tokenizer_encode(tok, valid, len, 1, &enc, &err),
		                             &err) == XNR_ERR_INPUT);
		xnr_encoding_free(&enc);
		while ((bad = xnr__utf8_invalid(valid, len)) != (size_t)-1)
			valid[bad] = '?';
	}
	check_raw(tok, valid, len);
	check_words(tok, valid, len);
	FUZZ_CHECK(strlen(xnr_tokenizer_describe(tok)) > 0);
	free(valid);
}

#endif
