/*
 * fuzz_tokenizer_encode.c - tokenizer encoding of a fuzzed text with a fuzzed
 * tokenizer: the input's first part (util.h FUZZ_SEP) is a tokenizer.json,
 * the second the text (a fixed multilingual string when there is none),
 * encoded raw and as words and checked by tokenizer_fuzz.h. Seeds: the
 * tokenizers of tests/fixtures and demo/model with news-style, accented, CJK,
 * emoji and special-token texts (tests/fuzz/corpus/tokenizer_encode/).
 */
#include <stdint.h>
#include <string.h>

#include "tokenizer_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char text[] = "Hello, w\xc3\xb6rld!  \xe4\xb8\xad\xe6\x96\x87 <mask> 12.5 \t\n"
	                           "na\xc3\xafve \xf0\x9f\x98\x80 [SEP] don't";
	struct fuzz_part parts[2];
	struct xnr_tokenizer *tok = NULL;
	struct xnr_error err;
	int n = fuzz_split(data, size, parts, 2);

	xnr_error_clear(&err);
	if (fuzz_check_status(xnr__tokenizer_parse(parts[0].s, parts[0].len, &tok, &err), &err) !=
	    XNR_OK)
		return 0;
	if (n == 2)
		fuzz_tokenize(tok, parts[1].s, parts[1].len);
	else
		fuzz_tokenize(tok, text, strlen(text));
	xnr_tokenizer_close(tok);
	return 0;
}
