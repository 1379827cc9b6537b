/*
 * losses.h - per-token quantities of the analysis run: the cross-entropy of
 * the gold label (PyTorch's CrossEntropyLoss on one token: logsumexp of the
 * logits minus the gold logit, computed in double) and the entropy of the
 * predicted distribution.
 */
#ifndef XNR_ANALYSIS_LOSSES_H
#define XNR_ANALYSIS_LOSSES_H

#include <stddef.h>

/* -log softmax(logits)[gold] over n labels. */
double xnr_loss_ce(const float *logits, int n, int gold);

/* -sum p ln p over n probabilities (0 ln 0 = 0), in nats. */
double xnr_entropy(const float *probs, int n);

/* Index of the largest of n values (the first on ties). */
int xnr_argmax(const float *v, int n);

/* Count, mean, median and sum of a group of losses. */
struct xnr_loss_stats {
	long count;
	double mean, median, sum;
};

/* Stats of n losses sorted ascending (the median of an even count is the
 * mean of the two middle values, as numpy and pandas give it). */
struct xnr_loss_stats xnr_loss_stats_sorted(const double *sorted, size_t n);

#endif
