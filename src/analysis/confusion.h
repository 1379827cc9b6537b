/*
 * confusion.h - the token-level confusion matrix of ExplaiNER's Metrics page:
 * rows are gold labels, columns predicted labels, over the label ids of a
 * tag set (sklearn.metrics.confusion_matrix(labels=tag names)); optionally
 * row-normalised by the gold count (normalize='true', empty rows stay 0) and
 * with the diagonal zeroed ("Zero Diagonal") to show only the errors.
 */
#ifndef XNR_ANALYSIS_CONFUSION_H
#define XNR_ANALYSIS_CONFUSION_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/tagset.h"
#include "core/status.h"

struct xnr_confusion {
	size_t n_labels;
	int64_t *counts; /* (n_labels, n_labels) row = gold id, column = predicted id */
};

/* Count every word of the corpus. *out is replaced on success (release with
 * xnr_confusion_free). Errors: XNR_ERR_INPUT (malformed corpus, id out of
 * range), XNR_ERR_NOMEM. Reentrant. */
XNR_MUST_CHECK enum xnr_status xnr_confusion_compute(const struct xnr_tagged_corpus *c,
                                                     struct xnr_confusion *out,
                                                     struct xnr_error *err);

void xnr_confusion_free(struct xnr_confusion *cm);

/*
 * The matrix as doubles into out (n_labels², caller-allocated): the counts,
 * or with normalize_rows each row divided by its sum (count / row sum, rows
 * summing to 0 stay 0 as sklearn's nan_to_num leaves them), then with
 * zero_diagonal the diagonal set to 0. Thread-safe.
 */
void xnr_confusion_matrix(const struct xnr_confusion *cm, int normalize_rows, int zero_diagonal,
                          double *out);

#endif
