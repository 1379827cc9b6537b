/*
 * fuzz_tokenizer_legacy.c - a model folder with vocab.txt and no
 * tokenizer.json (tokenizer/legacy.c, through xnr_tokenizer_open): the
 * input's parts (util.h FUZZ_SEP) are vocab.txt, tokenizer_config.json (no
 * file when the part is empty) and a text, written to a scratch folder. A
 * tokenizer that loads encodes the text every way tokenizer_fuzz.h checks.
 * Seeds: demo/model's vocab.txt (9000 lines) and tokenizer_config.json, a
 * short slice of it, and configs with other casing, accents and special-token
 * names (tests/fuzz/corpus/tokenizer_legacy/).
 */
#include <stdint.h>
#include <string.h>

#include "tokenizer_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char text[] = "Ada Lovelace wrote to the Royal Society in London . "
	                           "Caf\xc3\xa9 M\xc3\xbcller \xe4\xb8\xad\xe6\x96\x87 [MASK]";
	struct fuzz_part parts[3];
	struct xnr_tokenizer *tok = NULL;
	struct xnr_error err;
	int n = fuzz_split(data, size, parts, 3);

	fuzz_dir_clear();
	fuzz_dir_write("vocab.txt", parts[0].s, parts[0].len);
	if (n > 1 && parts[1].len > 0)
		fuzz_dir_write("tokenizer_config.json", parts[1].s, parts[1].len);
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_tokenizer_open(fuzz_dir(), &tok, &err), &err) != XNR_OK)
		return 0;
	if (n > 2)
		fuzz_tokenize(tok, parts[2].s, parts[2].len);
	else
		fuzz_tokenize(tok, text, strlen(text));
	xnr_tokenizer_close(tok);
	return 0;
}
