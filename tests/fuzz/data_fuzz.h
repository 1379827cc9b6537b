/*
 * data_fuzz.h - the body shared by the CoNLL, JSONL and Arrow fuzz targets: read the
 * input from memory in one format; if it loads, detect, check and convert its
 * scheme (to BILOU and back to IOB2) and touch every word and tag so ASan
 * sees any pointer that escapes. A failure must say what and where (the
 * message, err->path "fuzz").
 */
#ifndef XNR_DATA_FUZZ_H
#define XNR_DATA_FUZZ_H

#include <stdint.h>
#include <string.h>

#include "data/dataset.h"

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

/* labels: the names of integer tags (--labels). */
static int fuzz_dataset_labels(const uint8_t *data, size_t size, enum xnr_data_format format,
                               const char *labels)
{
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_dataset *ds = NULL;
	struct xnr_scheme_report r;
	struct xnr_error err;
	volatile unsigned sink;

	p.format = format;
	p.max_line_bytes = 4096;
	p.labels = labels;
	if (xnr_dataset_from_memory((const char *)data, size, "fuzz", &p, &ds, &err) != XNR_OK) {
		if (err.msg[0] == '\0' || strcmp(err.path, "fuzz") != 0)
			__builtin_trap();
		return 0;
	}
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

static inline int fuzz_dataset(const uint8_t *data, size_t size, enum xnr_data_format format)
{
	return fuzz_dataset_labels(data, size, format, "O,B-PER,I-PER,B-LOC,I-LOC");
}

#endif
