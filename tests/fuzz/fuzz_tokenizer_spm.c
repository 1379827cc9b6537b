/*
 * fuzz_tokenizer_spm.c - the sentencepiece ModelProto reader
 * (tokenizer/spm_proto.c) and the converters of its model
 * (tokenizer/convert_spm.c): the input's first part (util.h FUZZ_SEP) is the
 * .model file, the second a text. A parsed model must only point into the
 * input (pieces valid UTF-8, the charsmap inside it); it is then converted in
 * both id layouts (XLM-R's and DeBERTa-v2's) and the text encoded through
 * each tokenizer that loads (tokenizer_fuzz.h checks). Seeds: the committed
 * .model fixtures (tests/fixtures/tokenizers/slow/) with texts, made by
 * tests/fuzz/make_seeds.py (tests/fuzz/corpus/tokenizer_spm/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_model(const struct xnr__spm *m, const unsigned char *buf, size_t len)
{
	FUZZ_CHECK(m->n_pieces > 0 && m->pieces != NULL);
	for (int i = 0; i < m->n_pieces; i++) {
		const struct xnr__spm_piece *p = &m->pieces[i];
		FUZZ_CHECK((const unsigned char *)p->s >= buf &&
		           (const unsigned char *)p->s + p->len <= buf + len);
		FUZZ_CHECK(xnr__utf8_invalid(p->s, p->len) == (size_t)-1);
		FUZZ_CHECK(p->type >= XNR__SPM_NORMAL && p->type <= XNR__SPM_BYTE);
	}
	FUZZ_CHECK(!m->charsmap || (m->charsmap >= buf && m->charsmap_len > 0 &&
	                            m->charsmap + m->charsmap_len <= buf + len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[2];
	int n = fuzz_split(data, size, parts, 2);
	struct fuzz_part t = n == 2 ? parts[1] : (struct fuzz_part){"", 0};
	/* a copy of exactly the model's bytes, so ASan sees any read past them */
	unsigned char *buf = malloc(parts[0].len ? parts[0].len : 1);
	struct xnr__conv_cfg cfg;
	struct xnr__spm m;
	struct xnr_error err;

	FUZZ_CHECK(buf != NULL);
	memcpy(buf, parts[0].s, parts[0].len);
	memset(&cfg, 0, sizeof cfg);
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr__spm_parse(buf, parts[0].len, "spm.model", &m, &err), &err) ==
	    XNR_OK) {
		check_model(&m, buf, parts[0].len);
		for (int xlmr = 0; xlmr < 2; xlmr++) {
			struct xnr_tokenizer *tok = NULL;
			xnr_error_clear(&err);
			if (fuzz_check_status(
			        xnr__tokenizer_from_spm(&m, xlmr, &cfg, "spm.model", &tok, &err),
			        &err) != XNR_OK)
				continue;
			fuzz_tokenize(tok, t.s, t.len);
			xnr_tokenizer_close(tok);
		}
		xnr__spm_free(&m);
	}
	free(buf);
	return 0;
}
