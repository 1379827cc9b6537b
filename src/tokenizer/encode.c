/*
 * encode.c - the encode pipeline (Rust Tokenizer::encode_single_sequence,
 * hf-formats.md 4.2 and 4.8) for raw text and for pre-split words, and the
 * framing of token slices with the post-processor's special tokens.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/internal.h"

/* Added-token extraction and normalization of text into w->sp[0]. */
static enum xnr_status extract_and_normalize(const struct xnr_tokenizer *tok, const char *text,
                                             size_t len, struct xnr__work *w)
{
	struct xnr__splits *raw = &w->sp[1], *out = &w->sp[0];
	int i;

	xnr__splits_reset(raw);
	xnr__splits_reset(out);
	if (xnr__nstr_set(&w->a, text, len, 0) != XNR_OK ||
	    xnr__added_split(&tok->added, 0, &w->a, raw) != XNR_OK)
		return XNR_ERR_NOMEM;
	for (i = 0; i < raw->n; i++) {
		enum xnr_status st;
		if (xnr__splits_get(raw, i, &w->a) != XNR_OK)
			return XNR_ERR_NOMEM;
		if (raw->p[i].token >= 0) {
			if (xnr__splits_add(out, &w->a, 0, w->a.len, raw->p[i].token) != XNR_OK)
				return XNR_ERR_NOMEM;
			continue;
		}
		if (tok->has_normalizer && (st = xnr__normalize(&tok->normalizer, w)) != XNR_OK)
			return st;
		if (xnr__added_split(&tok->added, 1, &w->a, out) != XNR_OK)
			return XNR_ERR_NOMEM;
	}
	return XNR_OK;
}

static enum xnr_status run_model(const struct xnr_tokenizer *tok, const char *s, size_t len,
                                 struct xnr__work *w, struct xnr__emit *e)
{
	switch (tok->model.type) {
	case XNR__MODEL_WORDPIECE:
		return xnr__wordpiece(&tok->model, s, len, w, e);
	case XNR__MODEL_BPE:
		return xnr__bpe(&tok->model, s, len, w, e);
	case XNR__MODEL_UNIGRAM:
		return xnr__unigram(&tok->model, s, len, w, e);
	case XNR__MODEL_WORDLEVEL:
		return xnr__wordlevel(&tok->model, s, len, e);
	}
	return XNR_ERR_INTERNAL;
}

/* Rust gives an added token the matched text (with lstrip/rstrip
 * whitespace) as its value, and ByteLevel offset trimming then trims that
 * whitespace: "a  <mask>" reports <mask> at its own bytes. */
static void trim_added(const struct xnr_tokenizer *tok, const char *s, size_t len, const char *orig,
                       size_t orig_len, struct xnr_encoding *enc)
{
	int aps = 0, i = enc->n_tokens - 1;

	if (xnr__post_trims(&tok->post, &aps))
		xnr__trim_span(s, len, orig, orig_len, i == 0 || enc->offsets[2 * i] == 0, aps,
		               &enc->offsets[2 * i]);
}

/* Encode one text (the whole input, or one word) appending to enc. Word ids
 * are `word` when >= 0, else the split index. */
static enum xnr_status encode_text(const struct xnr_tokenizer *tok, const char *text, size_t len,
                                   int32_t word, struct xnr__work *w, struct xnr_encoding *enc,
                                   struct xnr_error *err)
{
	struct xnr__splits *sp = &w->sp[0];
	enum xnr_status st = extract_and_normalize(tok, text, len, w);
	int i, begin = enc->n_tokens;

	if (st == XNR_OK && tok->has_pretok)
		st = xnr__pretokenize(&tok->pretok, w);
	if (st != XNR_OK)
		return xnr_fail(err, st, "tokenizer: %s while normalizing",
		                st == XNR_ERR_NOMEM ? "out of memory" : "internal regex error");
	for (i = 0; i < sp->n; i++) {
		const struct xnr__piece *p = &sp->p[i];
		struct xnr__emit e;
		e.enc = enc;
		e.al = sp->buf.al + 2 * p->off;
		e.word = word >= 0 ? word : i;
		if (p->token >= 0) {
			st = xnr__emit(&e, p->token, 0, p->len);
			if (st == XNR_OK)
				trim_added(tok, sp->buf.s + p->off, p->len, text, len, enc);
		} else
			st = run_model(tok, sp->buf.s + p->off, p->len, w, &e);
		if (st == XNR_ERR_INPUT)
			return xnr_fail(
			    err, st,
			    "tokenizer: %s model has no unk token for an unknown piece "
			    "(the tokenizer.json model needs \"unk_token\" / \"unk_id\")",
			    xnr__model_name(&tok->model));
		if (st != XNR_OK)
			return xnr_fail(err, st, "tokenizer: %s",
			                st == XNR_ERR_NOMEM ? "out of memory" : xnr_status_str(st));
	}
	xnr__post_trim(&tok->post, tok, enc, begin, text, len);
	return XNR_OK;
}

/* Frame with specials when asked (into enc). */
static enum xnr_status finish(const struct xnr_tokenizer *tok, struct xnr_encoding *body,
                              int add_special, struct xnr_encoding *enc, struct xnr_error *err)
{
	if (!add_special) {
		struct xnr_encoding t = *enc;
		*enc = *body;
		*body = t;
		return XNR_OK;
	}
	if (xnr__post_frame(&tok->post, body, 0, body->n_tokens, enc) != XNR_OK)
		return xnr_fail(err, XNR_ERR_NOMEM, "tokenizer: out of memory");
	return XNR_OK;
}

static enum xnr_status check_utf8(const char *s, size_t len, int word, struct xnr_error *err)
{
	size_t bad;

	if (len > INT32_MAX / 2)
		return xnr_fail(err, XNR_ERR_LIMIT, "tokenizer: input of %zu bytes is too long",
		                len);
	bad = xnr__utf8_invalid(s, len);
	if (bad == (size_t)-1)
		return XNR_OK;
	if (word >= 0)
		return xnr_fail(err, XNR_ERR_INPUT, "word %d: invalid UTF-8 at byte %zu", word,
		                bad);
	return xnr_fail(err, XNR_ERR_INPUT, "text: invalid UTF-8 at byte %zu", bad);
}

enum xnr_status xnr_tokenizer_encode(const struct xnr_tokenizer *tok, const char *text,
                                     size_t text_len, int add_special, struct xnr_encoding *enc,
                                     struct xnr_error *err)
{
	struct xnr__work w;
	struct xnr_encoding body;
	enum xnr_status st;

	if ((st = check_utf8(text, text_len, -1, err)) != XNR_OK)
		return st;
	memset(&w, 0, sizeof w);
	xnr_encoding_init(&body);
	st = encode_text(tok, text, text_len, -1, &w, &body, err);
	if (st == XNR_OK)
		st = finish(tok, &body, add_special, enc, err);
	xnr_encoding_free(&body);
	xnr__work_free(&w);
	return st;
}

enum xnr_status xnr_tokenizer_encode_words(const struct xnr_tokenizer *tok,
                                           const char *const *words, const size_t *word_lens,
                                           int n_words, int add_special, struct xnr_encoding *enc,
                                           struct xnr_error *err)
{
	struct xnr__work w;
	struct xnr_encoding body;
	enum xnr_status st = XNR_OK;
	int k;

	for (k = 0; k < n_words; k++)
		if ((st = check_utf8(words[k], word_lens[k], k, err)) != XNR_OK)
			return st;
	memset(&w, 0, sizeof w);
	xnr_encoding_init(&body);
	for (k = 0; k < n_words && st == XNR_OK; k++)
		st = encode_text(tok, words[k], word_lens[k], k, &w, &body, err);
	if (st == XNR_OK)
		st = finish(tok, &body, add_special, enc, err);
	xnr_encoding_free(&body);
	xnr__work_free(&w);
	return st;
}

enum xnr_status xnr_tokenizer_frame(const struct xnr_tokenizer *tok,
                                    const struct xnr_encoding *body, int begin, int end,
                                    struct xnr_encoding *out, struct xnr_error *err)
{
	if (begin < 0 || end > body->n_tokens || begin > end)
		return xnr_fail(err, XNR_ERR_INPUT, "tokenizer: bad frame [%d, %d) of %d tokens",
		                begin, end, body->n_tokens);
	if (xnr__post_frame(&tok->post, body, begin, end, out) != XNR_OK)
		return xnr_fail(err, XNR_ERR_NOMEM, "tokenizer: out of memory");
	return XNR_OK;
}
