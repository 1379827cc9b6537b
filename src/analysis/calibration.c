/*
 * calibration.c - reliability bins and expected calibration error
 * (calibration.h), as Guo et al. 2017 and netcal's equal-width ECE.
 */
#include <math.h>
#include <string.h>

#include "analysis/calibration.h"

enum xnr_status xnr_calib_compute(const double *conf, const unsigned char *correct,
                                  const int32_t *group, size_t n, int32_t want, int n_bins,
                                  struct xnr_calib *out, struct xnr_error *err)
{
	double conf_sum[XNR_CALIB_MAX_BINS], right[XNR_CALIB_MAX_BINS], all_conf = 0.0,
	                                                                all_right = 0.0;
	struct xnr_calib r;
	size_t i;
	int b;

	if (n_bins < 1 || n_bins > XNR_CALIB_MAX_BINS)
		return xnr_fail(err, XNR_ERR_INPUT, "calibration: bins must be 1 to %d, got %d",
		                XNR_CALIB_MAX_BINS, n_bins);
	memset(&r, 0, sizeof r);
	memset(conf_sum, 0, sizeof conf_sum);
	memset(right, 0, sizeof right);
	r.n_bins = n_bins;
	for (i = 0; i < n; i++) {
		double c = conf[i];
		if ((group && want >= 0 && group[i] != want) || !(c >= 0.0 && c <= 1.0))
			continue;
		b = (int)(c * n_bins);
		if (b >= n_bins)
			b = n_bins - 1;
		r.count[b]++;
		conf_sum[b] += c;
		right[b] += correct[i] != 0;
		r.n++;
	}
	for (b = 0; b < n_bins; b++) {
		double gap;
		all_conf += conf_sum[b];
		all_right += right[b];
		r.conf[b] = r.count[b] ? conf_sum[b] / (double)r.count[b] : NAN;
		r.acc[b] = r.count[b] ? right[b] / (double)r.count[b] : NAN;
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
	return XNR_OK;
}
