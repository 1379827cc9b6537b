/*
 * fuzz_tokenizer_json.c - libFuzzer target for the tokenizer.json loader:
 * the input is parsed as tokenizer.json from memory and, if it loads, a fixed
 * multilingual string is encoded as raw text and as words, then framed.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tokenizer/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char text[] = "Hello, wörld!  \xe4\xb8\xad\xe6\x96\x87 <mask> 12.5 \t\n"
	                           "na\xc3\xafve \xf0\x9f\x98\x80 [SEP] don't";
	const char *words[3] = {"Hello", "w\xc3\xb6rld", "<s>"};
	size_t lens[3] = {5, 6, 3};
	struct xnr_tokenizer *tok = NULL;
	struct xnr_encoding enc, win;
	struct xnr_error err;

	if (xnr__tokenizer_parse((const char *)data, size, &tok, &err) != XNR_OK)
		return 0;
	xnr_encoding_init(&enc);
	xnr_encoding_init(&win);
	if (xnr_tokenizer_encode(tok, text, strlen(text), 1, &enc, &err) == XNR_OK &&
	    xnr_tokenizer_encode(tok, text, strlen(text), 0, &enc, &err) == XNR_OK &&
	    enc.n_tokens > 0)
		xnr_tokenizer_frame(tok, &enc, 0, enc.n_tokens / 2, &win, &err);
	xnr_tokenizer_encode_words(tok, words, lens, 3, 1, &enc, &err);
	xnr_tokenizer_vocab_size(tok);
	xnr_tokenizer_id_to_token(tok, 0);
	xnr_encoding_free(&enc);
	xnr_encoding_free(&win);
	xnr_tokenizer_close(tok);
	return 0;
}
