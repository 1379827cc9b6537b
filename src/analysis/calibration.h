/*
 * calibration.h - how well a model's confidence matches how often it is
 * right: the reliability diagram's bins and the expected calibration error
 * (Guo et al. 2017, "On Calibration of Modern Neural Networks"): n_bins
 * equal-width bins of the confidence over [0, 1], an item of confidence c in
 * bin min(floor(c * n_bins), n_bins - 1); ECE = sum over bins of
 * count / n * |accuracy - mean confidence|, and MCE the largest of those gaps.
 */
#ifndef XNR_ANALYSIS_CALIBRATION_H
#define XNR_ANALYSIS_CALIBRATION_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define XNR_CALIB_MAX_BINS 100

struct xnr_calib {
	int n_bins;
	int64_t n;                   /* items counted (confidence a number in [0, 1]) */
	double accuracy, confidence; /* means over the items; NaN when n is 0 */
	double ece, mce;             /* 0 when n is 0 */
	int64_t count[XNR_CALIB_MAX_BINS];
	double conf[XNR_CALIB_MAX_BINS], acc[XNR_CALIB_MAX_BINS]; /* means; NaN for an empty bin */
};

/*
 * The calibration of the items i < n with group[i] == want (group NULL or
 * want < 0: every item): conf[i] its confidence, correct[i] 1 when it was
 * right. Items whose confidence is NaN or outside [0, 1] are not counted.
 * Errors: XNR_ERR_INPUT (n_bins outside 1 .. XNR_CALIB_MAX_BINS). Reentrant.
 */
XNR_MUST_CHECK enum xnr_status xnr_calib_compute(const double *conf, const unsigned char *correct,
                                                 const int32_t *group, size_t n, int32_t want,
                                                 int n_bins, struct xnr_calib *out,
                                                 struct xnr_error *err);

/*
 * The same item by item, for items that come a part at a time (a run's
 * words as it writes them): init (n_bins in 1 .. XNR_CALIB_MAX_BINS, which
 * the caller checks), add each item in order (a confidence that is NaN or
 * outside [0, 1] is not counted), and the result is what xnr_calib_compute
 * gives over those items, bit for bit.
 */
struct xnr_calib_acc {
	int n_bins;
	int64_t n, count[XNR_CALIB_MAX_BINS];
	double conf_sum[XNR_CALIB_MAX_BINS], right[XNR_CALIB_MAX_BINS];
};

void xnr_calib_acc_init(struct xnr_calib_acc *a, int n_bins);
void xnr_calib_acc_add(struct xnr_calib_acc *a, double conf, int correct);
void xnr_calib_acc_result(const struct xnr_calib_acc *a, struct xnr_calib *out);

#endif
