/*
 * cleanlab.h - confident learning for token classification, as cleanlab 2.x
 * finds label issues (cleanlab/count.py, cleanlab/filter.py with
 * filter_by="prune_by_noise_rate", frac_noise 1, min_examples_per_class 1;
 * token_classification/rank.py for the scores), computed from a run's stored
 * word probabilities. See shared/reference/ner-analysis.md section 2.5; the
 * numpy port tests/gen/cleanlab_port.py is the reference the unit test
 * compares flags, guesses, thresholds and the confident joint with.
 *
 * Floating point follows numpy's: the thresholds are float32 means (numpy's
 * pairwise summation), compared in float32, or in float64 when a class has
 * no word (cleanlab's threshold 2 makes the array float64); margins are
 * float32 differences. One choice cleanlab leaves open is fixed: words whose
 * margins tie at a prune cut are taken in position order.
 */
#ifndef XNR_ANALYSIS_CLEANLAB_H
#define XNR_ANALYSIS_CLEANLAB_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* What confident learning finds over n words of k classes. */
struct xnr_cl_result {
	int k;
	double *thresholds; /* (k) per-class confident thresholds, as compared */
	int64_t *joint;     /* (k * k) calibrated confident joint, [given][guess] */
	int32_t *guess;     /* (n) the confident guess of the true class, -1: none */
	uint8_t *issue;     /* (n) 1: a label issue */
	size_t n, n_issues;
};

/*
 * Find the label issues of n words: labels[i] in 0..k-1, probs (n * k)
 * the rows of predicted probabilities (float32, as stored). *out is filled
 * (release with xnr_cl_result_free; untouched on failure). n may be 0.
 * Errors: XNR_ERR_INPUT (k outside 2..64, a label out of range, a probability that is
 * not finite), XNR_ERR_NOMEM. Thread safe (no shared state).
 */
XNR_MUST_CHECK enum xnr_status xnr_cl_find_issues(const int32_t *labels, const float *probs,
                                                  size_t n, int k, struct xnr_cl_result *out,
                                                  struct xnr_error *err);
void xnr_cl_result_free(struct xnr_cl_result *r); /* a zeroed struct is fine */

/* cleanlab's label quality scores of one word (get_label_quality_scores):
 * self-confidence p[label], and the normalized margin
 * (p[label] - max of the other classes + 1) / 2. */
double xnr_cl_self_confidence(const float *p, int k, int label);
double xnr_cl_normalized_margin(const float *p, int k, int label);

/* A sentence's score from its n word scores (cleanlab's softmin,
 * _softmin_sentence_score): sum s_i w_i with w = softmax((1 - s) / t),
 * t = 0.05 in cleanlab (t <= 0: the minimum). 1 when n is 0. */
double xnr_cl_softmin(const double *s, size_t n, double t);

#endif
