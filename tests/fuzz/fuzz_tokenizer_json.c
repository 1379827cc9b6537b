/*
 * fuzz_tokenizer_json.c - libFuzzer target for the tokenizer.json loader:
 * the input is parsed as tokenizer.json from memory and, if it loads, a fixed
 * multilingual string is encoded as raw text and as words, then framed.
 * Every failure must come with a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failure without a message is a bug the fuzzer should report. */
static enum xnr_status checked(enum xnr_status st, const struct xnr_error *err)
{
	if (st != XNR_OK && (err->status != st || err->msg[0] == '\0'))
		abort();
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char text[] = "Hello, wörld!  \xe4\xb8\xad\xe6\x96\x87 <mask> 12.5 \t\n"
	                           "na\xc3\xafve \xf0\x9f\x98\x80 [SEP] don't";
	const char *words[3] = {"Hello", "w\xc3\xb6rld", "<s>"};
	size_t lens[3] = {5, 6, 3};
	struct xnr_tokenizer *tok = NULL;
	struct xnr_encoding enc, win;
	struct xnr_error err;

	if (checked(xnr__tokenizer_parse((const char *)data, size, &tok, &err), &err) != XNR_OK)
		return 0;
	xnr_encoding_init(&enc);
	xnr_encoding_init(&win);
	if (checked(xnr_tokenizer_encode(tok, text, strlen(text), 1, &enc, &err), &err) == XNR_OK &&
	    checked(xnr_tokenizer_encode(tok, text, strlen(text), 0, &enc, &err), &err) == XNR_OK &&
	    enc.n_tokens > 0)
		checked(xnr_tokenizer_frame(tok, &enc, 0, enc.n_tokens / 2, &win, &err), &err);
	checked(xnr_tokenizer_encode_words(tok, words, lens, 3, 1, &enc, &err), &err);
	xnr_tokenizer_vocab_size(tok);
	xnr_tokenizer_id_to_token(tok, 0);
	xnr_encoding_free(&enc);
	xnr_encoding_free(&win);
	xnr_tokenizer_close(tok);
	return 0;
}
