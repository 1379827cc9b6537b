/*
 * fuzz_tokenizer_charsmap.c - the sentencepiece Precompiled normalizer
 * (tokenizer/precompiled.c): the input's first part (util.h FUZZ_SEP) is the
 * raw charsmap blob (a darts-clone trie and replacement strings; the target
 * base64-encodes it as tokenizer.json holds it), the second a text. The text
 * is normalized directly (the result must be valid UTF-8 whose every byte
 * maps to a range of the text), then encoded through a small Unigram
 * tokenizer with this normalizer (tokenizer_fuzz.h checks). Seeds: charsmaps
 * in sentencepiece's format with NFKC and NMT-style rules, made by
 * tests/fuzz/make_seeds.py (tests/fuzz/corpus/tokenizer_charsmap/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *base64(const char *s, size_t len)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(len / 3 * 4 + 5), *o = out;

	FUZZ_CHECK(out != NULL);
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)s[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)(unsigned char)s[i + 1] << 8;
		if (i + 2 < len)
			v |= (unsigned char)s[i + 2];
		*o++ = abc[v >> 18];
		*o++ = abc[(v >> 12) & 63];
		*o++ = i + 1 < len ? abc[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? abc[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* Normalize text (valid UTF-8) with the charsmap alone. */
static void check_direct(const char *b64, const char *text, size_t len)
{
	struct xnr__precompiled pc = {0};
	struct xnr__work w;
	struct xnr_error err;

	xnr_error_clear(&err);
	if (fuzz_check_status(xnr__precompiled_parse(b64, &pc, "normalizer", &err), &err) != XNR_OK)
		return;
	memset(&w, 0, sizeof w);
	FUZZ_CHECK(xnr__nstr_set(&w.a, text, len, 0) == XNR_OK);
	FUZZ_CHECK(xnr__precompiled_apply(&pc, &w) == XNR_OK);
	FUZZ_CHECK(xnr__utf8_invalid(w.a.s, w.a.len) == (size_t)-1);
	for (size_t i = 0; i < w.a.len; i++)
		FUZZ_CHECK(w.a.al[2 * i] >= 0 && w.a.al[2 * i] <= w.a.al[2 * i + 1] &&
		           (size_t)w.a.al[2 * i + 1] <= len);
	xnr__work_free(&w);
	free(pc.blob);
}

/* The same charsmap as the normalizer of a Unigram tokenizer. */
static void check_pipeline(const char *b64, const char *text, size_t len)
{
	json_t *doc = json_pack(
	    "{s:{s:s,s:s},s:{s:s,s:s,s:s,s:b},s:{s:s,s:i,s:[[s,f],[s,f],[s,f],[s,f],[s,f]]}}",
	    "normalizer", "type", "Precompiled", "precompiled_charsmap", b64, "pre_tokenizer",
	    "type", "Metaspace", "replacement", "\xe2\x96\x81", "prepend_scheme", "always", "split",
	    1, "model", "type", "Unigram", "unk_id", 0, "vocab", "<unk>", 0.0, "\xe2\x96\x81", -2.0,
	    "a", -3.0, "e", -3.0, "1", -3.0);
	char *json = json_dumps(doc, JSON_COMPACT);
	struct xnr_tokenizer *tok = NULL;
	struct xnr_error err;

	FUZZ_CHECK(doc != NULL && json != NULL);
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr__tokenizer_parse(json, strlen(json), &tok, &err), &err) ==
	    XNR_OK) {
		fuzz_tokenize(tok, text, len);
		xnr_tokenizer_close(tok);
	}
	free(json);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[2];
	int n = fuzz_split(data, size, parts, 2);
	char *b64 = base64(parts[0].s, parts[0].len);
	struct fuzz_part t = n == 2 ? parts[1] : (struct fuzz_part){"", 0};
	char *text = fuzz_strdup(t);
	size_t len = t.len, bad;

	/* The normalizer only ever sees text the encoder checked: valid UTF-8. */
	while ((bad = xnr__utf8_invalid(text, len)) != (size_t)-1)
		text[bad] = '?';
	check_direct(b64, text, len);
	check_pipeline(b64, text, len);
	free(text);
	free(b64);
	return 0;
}
