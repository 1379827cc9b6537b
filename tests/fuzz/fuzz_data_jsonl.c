/*
 * fuzz_data_jsonl.c - libFuzzer target for the JSONL reader: the input is
 * read from memory as a JSONL dataset; if it loads, its scheme is detected,
 * checked and converted to IOB2 and BILOU, and every word and tag is touched
 * so ASan sees any pointer that escapes. Seeds: tests/fuzz/corpus/data_jsonl/.
 */
#include <stdint.h>
#include <string.h>

#include "data/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned touch(const struct xnr_dataset *ds)
{
	unsigned sum = 0;

	for (size_t i = 0; i < ds->n_sentences; i++) {
		const struct xnr_sentence *s = &ds->sentences[i];
		if (s->document >= ds->n_documents || s->first_word + s->n_words > ds->n_words)
			__builtin_trap();
		for (size_t w = s->first_word; w < s->first_word + s->n_words; w++)
			sum += (unsigned)strlen(ds->words[w]) +
			       (unsigned)strlen(ds->labels.names[ds->tags[w]]);
	}
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_dataset *ds = NULL;
	struct xnr_scheme_report r;
	struct xnr_error err;
	volatile unsigned sink;

	p.format = XNR_DATA_JSONL;
	p.max_line_bytes = 4096;
	p.labels = "O,B-PER,I-PER,B-LOC,I-LOC";
	if (xnr_dataset_from_memory((const char *)data, size, "fuzz", &p, &ds, &err) != XNR_OK)
		return 0;
	sink = touch(ds);
	if (xnr_dataset_detect(ds, 8, &r, &err) == XNR_OK)
		xnr_scheme_report_free(&r);
	if (xnr_dataset_check(ds, XNR_SCHEME_IOBES, 8, &r, &err) == XNR_OK)
		xnr_scheme_report_free(&r);
	if (xnr_dataset_convert(ds, XNR_SCHEME_BILOU, &err) == XNR_OK &&
	    xnr_dataset_convert(ds, XNR_SCHEME_IOB2, &err) == XNR_OK)
		sink += touch(ds);
	(void)sink;
	xnr_dataset_close(ds);
	return 0;
}
