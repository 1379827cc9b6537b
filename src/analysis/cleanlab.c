/*
 * cleanlab.c - confident learning (cleanlab.h): the per-class thresholds,
 * the confident joint and its calibration (count.py), the prune counts
 * (filter._keep_at_least_n_per_class), pruning by noise rate
 * (filter._prune_by_count) and the final un-flagging of words the model
 * predicts as given (count._reduce_issues). Each step keeps numpy's order of
 * floating-point operations, so the flags match cleanlab's bit for bit.
 */
#include "analysis/cleanlab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FLOAT_CMP   1e-6 /* cleanlab FLOATING_POINT_COMPARISON */
#define THRESH_LOW  2e-6 /* CONFIDENT_THRESHOLDS_LOWER_BOUND */
#define TINY_VALUE  1e-100
#define NP_PW_BLOCK 128 /* numpy's PW_BLOCKSIZE */

/* numpy's pairwise summation (pairwise_sum_FLOAT / _DOUBLE) of n values at
 * stride, in the values' own precision: np.sum and np.mean give exactly this. */
#define PAIRWISE(name, type)                                                                       \
	static type name(const type *a, size_t n, size_t stride)                                   \
	{                                                                                          \
		size_t i, j;                                                                       \
		if (n < 8) {                                                                       \
			type res = 0;                                                              \
			for (i = 0; i < n; i++)                                                    \
				res += a[i * stride];                                              \
			return res;                                                                \
		}                                                                                  \
		if (n <= NP_PW_BLOCK) {                                                            \
			type r[8], res;                                                            \
			for (j = 0; j < 8; j++)                                                    \
				r[j] = a[j * stride];                                              \
			for (i = 8; i < n - n % 8; i += 8)                                         \
				for (j = 0; j < 8; j++)                                            \
					r[j] += a[(i + j) * stride];                               \
			res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));   \
			for (; i < n; i++)                                                         \
				res += a[i * stride];                                              \
			return res;                                                                \
		}                                                                                  \
		i = n / 2;                                                                         \
		i -= i % 8;                                                                        \
		return name(a, i, stride) + name(a + i * stride, n - i, stride);                   \
	}
PAIRWISE(pairwise_f, float)
PAIRWISE(pairwise_d, double)

double xnr_cl_self_confidence(const float *p, int k, int label)
{
	(void)k;
	return (double)p[label];
}

double xnr_cl_normalized_margin(const float *p, int k, int label)
{
	float other = -INFINITY;
	int j;

	for (j = 0; j < k; j++)
		if (j != label && p[j] > other)
			other = p[j];
	return ((double)p[label] - (double)other + 1.0) / 2.0;
}

double xnr_cl_softmin(const double *s, size_t n, double t)
{
	double lo = INFINITY, num = 0.0, den = 0.0;
	size_t i;

	if (n == 0)
		return 1.0;
	for (i = 0; i < n; i++)
		lo = s[i] < lo ? s[i] : lo;
	if (t <= 0.0)
		return lo;
	/* softmax((1 - s) / t), shifted by its largest exponent: same weights */
	for (i = 0; i < n; i++) {
		double w = exp((lo - s[i]) / t);
		num += s[i] * w;
		den += w;
	}
	return num / den;
}

/* What the steps share. */
struct cl {
	const int32_t *labels;
	const float *probs;
	size_t n;
	int k;
	int64_t *counts; /* (k) words given each class */
	float *thr32;    /* (k) thresholds when every class is given */
	int any_absent;  /* then they are float64: out->thresholds */
};

/* get_confident_thresholds: the mean probability of each class over the
 * words given it (float32, numpy's pairwise sum), 2 for a class no word has,
 * clipped below at 2e-6. */
static enum xnr_status thresholds(struct cl *c, struct xnr_cl_result *out, struct xnr_error *err)
{
	float *col = malloc((c->n + 1) * sizeof *col);
	size_t i;
	int k;

	if (!col)
		return xnr_fail(err, XNR_ERR_NOMEM, "confident learning: out of memory");
	for (k = 0; k < c->k; k++) {
		size_t m = 0;
		for (i = 0; i < c->n; i++)
			if (c->labels[i] == k)
				col[m++] = c->probs[i * (size_t)c->k + (size_t)k];
		c->counts[k] = (int64_t)m;
		if (!m) {
			c->any_absent = 1;
			continue;
		}
		/* float32 sum / count: numpy's float32 mean, correctly rounded */
		c->thr32[k] = (float)((double)pairwise_f(col, m, 1) / (double)m);
	}
	free(col);
	/* np.clip in the array's precision: float32, or float64 when a 2 is in it */
	for (k = 0; k < c->k; k++) {
		double t = c->counts[k] ? (double)c->thr32[k] : 2.0;
		if (!c->any_absent && c->thr32[k] < (float)THRESH_LOW)
			c->thr32[k] = (float)THRESH_LOW;
		out->thresholds[k] = !c->any_absent   ? (double)c->thr32[k]
		                     : t < THRESH_LOW ? THRESH_LOW
		                                      : t;
	}
	return XNR_OK;
}

/* Is p confidently of class j (p >= threshold - 1e-6, in the thresholds' precision)? */
static int confident(const struct cl *c, const struct xnr_cl_result *out, float p, int j)
{
	if (c->any_absent)
		return (double)p >= out->thresholds[j] - FLOAT_CMP;
	return p >= c->thr32[j] - (float)FLOAT_CMP;
}

/* compute_confident_joint before calibration: each word's guess and the
 * counts [given][guess], the diagonal at least 1. */
static void confident_joint(const struct cl *c, struct xnr_cl_result *out)
{
	size_t i;
	int j, k = c->k;

	for (i = 0; i < c->n; i++) {
		const float *p = c->probs + i * (size_t)k;
		int n_conf = 0, first = -1, best = 0;
		for (j = 0; j < k; j++) {
			if (confident(c, out, p[j], j) && n_conf++ == 0)
				first = j;
			if (p[j] > p[best])
				best = j;
		}
		out->guess[i] = n_conf == 0 ? -1 : n_conf == 1 ? first : best;
		if (out->guess[i] >= 0)
			out->joint[(size_t)c->labels[i] * (size_t)k + (size_t)out->guess[i]]++;
	}
	for (j = 0; j < k; j++)
		if (out->joint[(size_t)j * (size_t)k + (size_t)j] < 1)
			out->joint[(size_t)j * (size_t)k + (size_t)j] = 1;
}

/* numpy's argsort of d (k <= 16: insertion sort, stable) into idx. */
static void argsort_stable(const double *d, int k, int *idx)
{
	int i, j;

	for (i = 0; i < k; i++) {
		int v = idx[i] = i;
		for (j = i; j > 0 && d[idx[j - 1]] > d[v]; j--)
			idx[j] = idx[j - 1];
		idx[j] = v;
	}
}

/* round_preserving_sum of one row of k values (stride apart) into out. */
static void round_row(const double *row, size_t stride, int k, int64_t *out)
{
	double f[64], ints[64], d[64], orig, sum;
	int idx[64], j;

	for (j = 0; j < k; j++) {
		f[j] = row[(size_t)j * stride];
		ints[j] = nearbyint(f[j]);
	}
	orig = nearbyint(pairwise_d(f, (size_t)k, 1));
	sum = nearbyint(pairwise_d(ints, (size_t)k, 1));
	while (fabs(sum - orig) > FLOAT_CMP) {
		double diff = nearbyint(orig - sum);
		int inc = diff < 0.0 ? -1 : 1;
		int changes = fabs(diff) < (double)k ? (int)fabs(diff) : k;
		for (j = 0; j < k; j++)
			d[j] = f[j] - ints[j];
		argsort_stable(d, k, idx);
		/* [::-inc][:changes]: from the end when adding, from the start when taking */
		for (j = 0; j < changes; j++)
			ints[idx[inc > 0 ? k - 1 - j : j]] += inc;
		sum = nearbyint(pairwise_d(ints, (size_t)k, 1));
	}
	for (j = 0; j < k; j++)
		out[j] = (int64_t)ints[j];
}

/* calibrate_confident_joint: rows scaled to the given counts, the whole to
 * the number of words, rounded preserving row totals. */
static void calibrate(const struct cl *c, int64_t *joint)
{
	int k = c->k, a, b;
	double y[64 * 64] = {0}, s; /* y[a][b] = joint[b][a] / rowsum[b] * count[b] (the .T) */
	int64_t n = 0;

	for (b = 0; b < k; b++) {
		int64_t row = 0;
		for (a = 0; a < k; a++)
			row += joint[b * k + a];
		for (a = 0; a < k; a++)
			y[a * k + b] = (double)joint[b * k + a] /
			               ((double)row > TINY_VALUE ? (double)row : TINY_VALUE) *
			               (double)c->counts[b];
		n += c->counts[b];
	}
	/* np.sum walks the transposed view in memory order: y as laid out */
	s = pairwise_d(y, (size_t)k * (size_t)k, 1);
	s = s > TINY_VALUE ? s : TINY_VALUE;
	for (a = 0; a < k * k; a++)
		y[a] = y[a] / s * (double)n;
	for (b = 0; b < k; b++)
		round_row(y + b, (size_t)k, k, joint + b * k);
}

/* _keep_at_least_n_per_class(joint.T, 1, frac_noise 1): pcm[j][k] words
 * given k to prune towards j. */
static void prune_counts(const struct cl *c, const int64_t *joint, int64_t *pcm)
{
	int k = c->k, j, col;

	for (col = 0; col < k; col++) {
		int64_t diag = joint[col * k + col], keep = diag > 1 ? diag : 1;
		int nonzero = 0;
		double per;
		for (j = 0; j < k; j++)
			nonzero += joint[col * k + j] != 0;
		per = (double)(keep - diag) / (nonzero - 1.0 > 1.0 ? nonzero - 1.0 : 1.0);
		for (j = 0; j < k; j++) {
			double v = (double)joint[col * k + j] - per;
			pcm[j * k + col] = j == col ? keep : v < 0.0 ? 0 : (int64_t)v;
		}
	}
}

struct margin {
	float m;
	size_t pos;
};

static int margin_desc(const void *pa, const void *pb)
{
	const struct margin *a = pa, *b = pb;
	if (a->m != b->m)
		return a->m > b->m ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

/* _prune_by_count for every given class: of the words given k, the pcm[j][k]
 * with the largest p[j] - p[k] are issues. */
static enum xnr_status prune(const struct cl *c, const int64_t *pcm, struct xnr_cl_result *out,
                             struct xnr_error *err)
{
	size_t kk = (size_t)c->k, i, m;
	struct margin *v = malloc((c->n + 1) * sizeof *v);
	int k, j;

	if (!v)
		return xnr_fail(err, XNR_ERR_NOMEM, "confident learning: out of memory");
	for (k = 0; k < c->k; k++) {
		if (c->counts[k] <= 1) /* min_examples_per_class */
			continue;
		for (j = 0; j < c->k; j++) {
			int64_t cut = pcm[(size_t)j * kk + (size_t)k];
			if (j == k || cut <= 0)
				continue;
			for (i = 0, m = 0; i < c->n; i++)
				if (c->labels[i] == k)
					v[m++] = (struct margin){c->probs[i * kk + (size_t)j] -
					                             c->probs[i * kk + (size_t)k],
					                         i};
			qsort(v, m, sizeof *v, margin_desc);
			for (i = 0; i < m && (int64_t)i < cut; i++)
				out->issue[v[i].pos] = 1;
		}
	}
	free(v);
	return XNR_OK;
}

/* _reduce_issues: no issue where the given label, 1e-6 added, is the argmax. */
static void unflag_agreeing(const struct cl *c, struct xnr_cl_result *out)
{
	size_t i;
	int j;

	for (i = 0; i < c->n; i++) {
		const float *p = c->probs + i * (size_t)c->k;
		int y = c->labels[i], best = 0;
		float py = p[y] + (float)FLOAT_CMP;
		for (j = 1; j < c->k; j++)
			if ((j == y ? py : p[j]) > (best == y ? py : p[best]))
				best = j;
		if (best == y)
			out->issue[i] = 0;
		out->n_issues += out->issue[i];
	}
}

void xnr_cl_result_free(struct xnr_cl_result *r)
{
	if (!r)
		return;
	free(r->thresholds);
	free(r->joint);
	free(r->guess);
	free(r->issue);
	memset(r, 0, sizeof *r);
}

static enum xnr_status check(const int32_t *labels, const float *probs, size_t n, int k,
                             struct xnr_error *err)
{
	size_t i;

	if (k < 2 || k > 64)
		return xnr_fail(err, XNR_ERR_INPUT, "confident learning: %d classes (2 to 64)", k);
	for (i = 0; i < n; i++)
		if (labels[i] < 0 || labels[i] >= k)
			return xnr_fail(err, XNR_ERR_INPUT,
			                "confident learning: word %zu has label %d of %d classes",
			                i, (int)labels[i], k);
	for (i = 0; i < n * (size_t)k; i++)
		if (!isfinite(probs[i]))
			return xnr_fail(
			    err, XNR_ERR_INPUT,
			    "confident learning: word %zu has a probability that is not "
			    "finite",
			    i / (size_t)k);
	return XNR_OK;
}

enum xnr_status xnr_cl_find_issues(const int32_t *labels, const float *probs, size_t n, int k,
                                   struct xnr_cl_result *out, struct xnr_error *err)
{
	struct xnr_cl_result r;
	struct cl c = {labels, probs, n, k, NULL, NULL, 0};
	int64_t *pcm = NULL;
	enum xnr_status st;

	memset(&r, 0, sizeof r);
	if ((st = check(labels, probs, n, k, err)) != XNR_OK)
		return st;
	r.k = k;
	r.n = n;
	r.thresholds = calloc((size_t)k, sizeof *r.thresholds);
	r.joint = calloc((size_t)k * (size_t)k, sizeof *r.joint);
	r.guess = malloc((n + 1) * sizeof *r.guess);
	r.issue = calloc(n + 1, 1);
	c.counts = calloc((size_t)k, sizeof *c.counts);
	c.thr32 = calloc((size_t)k, sizeof *c.thr32);
	pcm = calloc((size_t)k * (size_t)k, sizeof *pcm);
	if (!r.thresholds || !r.joint || !r.guess || !r.issue || !c.counts || !c.thr32 || !pcm) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "confident learning: out of memory");
		goto fail;
	}
	if ((st = thresholds(&c, &r, err)) != XNR_OK)
		goto fail;
	confident_joint(&c, &r);
	calibrate(&c, r.joint);
	prune_counts(&c, r.joint, pcm);
	if ((st = prune(&c, pcm, &r, err)) != XNR_OK)
		goto fail;
	unflag_agreeing(&c, &r);
	*out = r;
	memset(&r, 0, sizeof r);
fail:
	xnr_cl_result_free(&r);
	free(c.counts);
	free(c.thr32);
	free(pcm);
	return st;
}
