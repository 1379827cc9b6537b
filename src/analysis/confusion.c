/*
 * confusion.c - token-level confusion matrix (see confusion.h); mirrors
 * ExplaiNER's metrics.py (sklearn confusion_matrix, normalize='true',
 * fill_diagonal(0)).
 */
#include "analysis/confusion.h"

#include <stdlib.h>
#include <string.h>

enum xnr_status xnr_confusion_compute(const struct xnr_tagged_corpus *c, struct xnr_confusion *out,
                                      struct xnr_error *err)
{
	enum xnr_status st = xnr_tagged_corpus_check(c, err);
	if (st != XNR_OK)
		return st;
	size_t n = xnr_tagset_count(c->tags);
	if (n > 65536)
		return xnr_fail(err, XNR_ERR_LIMIT,
		                "confusion: %zu labels, at most 65536 for a dense matrix", n);
	int64_t *counts = calloc(n ? n * n : 1, sizeof(*counts));
	if (!counts)
		return xnr_fail(err, XNR_ERR_NOMEM, "confusion: out of memory");
	size_t n_words = c->sent_start[c->n_sents];
	for (size_t w = 0; w < n_words; w++)
		counts[(size_t)c->gold[w] * n + (size_t)c->pred[w]]++;
	xnr_confusion_free(out);
	out->n_labels = n;
	out->counts = counts;
	return XNR_OK;
}

void xnr_confusion_free(struct xnr_confusion *cm)
{
	if (!cm)
		return;
	free(cm->counts);
	memset(cm, 0, sizeof(*cm));
}

void xnr_confusion_matrix(const struct xnr_confusion *cm, int normalize_rows, int zero_diagonal,
                          double *out)
{
	size_t n = cm->n_labels;
	for (size_t i = 0; i < n; i++) {
		const int64_t *row = cm->counts + i * n;
		int64_t sum = 0;
		for (size_t j = 0; j < n; j++)
			sum += row[j];
		for (size_t j = 0; j < n; j++) {
			double v = (double)row[j];
			if (normalize_rows)
				v = sum ? v / (double)sum : 0.0;
			out[i * n + j] = zero_diagonal && i == j ? 0.0 : v;
		}
	}
}
