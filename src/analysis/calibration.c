/*
 * calibration.c - reliability bins and expected calibration error
 * (calibration.h), as Guo et al. 2017 and netcal's equal-width ECE.
 */
#include <math.h>
#include <string.h>

#include "analysis/calibration.h"

void xnr_calib_acc_init(struct xnr_calib_acc *a, int n_bins)
{
	memset(a, 0, sizeof *a);
	a->n_bins = n_bins;
}

void xnr_calib_acc_add(struct xnr_calib_acc *a, double conf, int correct)
{
	int b;

	if (!(conf >= 0.0 && conf <= 1.0))
		return;
	b = (int)(conf * a->n_bins);
	if (b >= a->n_bins)
		b = a->n_bins - 1;
	a->count[b]++;
	a->conf_sum[b] += conf;
	a->right[b] += correct != 0;
	a->n++;
}

void xnr_calib_acc_result(const struct xnr_calib_acc *a, struct xnr_calib *out)
{
	double all_conf = 0.0, all_right = 0.0;
	struct xnr_calib r;
	int b;

	memset(&r, 0, sizeof r);
	r.n_bins = a->n_bins;
	r.n = a->n;
	for (b = 0; b < a->n_bins; b++) {
		double gap;
		r.count[b] = a->count[b];
		all_conf += a->conf_sum[b];
		all_right += a->right[b];
		r.conf[b] = r.count[b] ? a->conf_sum[b] / (double)r.count[b] : NAN;
		r.acc[b] = r.count[b] ? a->right[b] / (double)r.count[b] : NAN;
		if (!r.count[b])
			continue;
		gap = fabs(r.acc[b] - r.conf[b]);
		r.ece += (double)r.count[b] / (double)r.n * gap;
		if (gap > r.mce)
			r.mce = gap;
	}
	r.confidence = r.n ? all_conf / (double)r.n : NAN;
	r.accuracy = r.n ? all_right / (double)r.n : NAN;
	*out = r;
}

enum xnr_status xnr_calib_compute(const double *conf, const unsigned char *correct,
                                  const int32_t *group, size_t n, int32_t want, int n_bins,
                                  struct xnr_calib *out, struct xnr_error *err)
{
	struct xnr_calib_acc a;
	size_t i;

	if (n_bins < 1 || n_bins > XNR_CALIB_MAX_BINS)
		return xnr_fail(err, XNR_ERR_INPUT, "calibration: bins must be 1 to %d, got %d",
		                XNR_CALIB_MAX_BINS, n_bins);
	xnr_calib_acc_init(&a, n_bins);
	for (i = 0; i < n; i++)
		if (!group || want < 0 || group[i] == want)
			xnr_calib_acc_add(&a, conf[i], correct[i]);
	xnr_calib_acc_result(&a, out);
	return XNR_OK;
}
