/*
 * kernels.c - LayerNorm, activations, softmax and attention steps for the
 * encoder (reference/hf-formats.md 3.0; HF BertSelfAttention, BertSelfOutput,
 * BertIntermediate, torch.nn.LayerNorm). Loops are written so the compiler
 * can vectorize the inner ones: no reductions in float across a loop where
 * an axpy form exists.
 */
#include "tensor/kernels.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "tensor/hot.h"

/* Four double accumulators: the sums of H (up to thousands) values stay
 * within 1e-7 relative of the exact value and do not serialize on one add. */
static inline double sum_d(const float *restrict x, int n)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	int i = 0;

	for (; i + 4 <= n; i += 4) {
		s0 += x[i];
		s1 += x[i + 1];
		s2 += x[i + 2];
		s3 += x[i + 3];
	}
	for (; i < n; i++)
		s0 += x[i];
	return (s0 + s1) + (s2 + s3);
}

static inline double sq_dev_d(const float *restrict x, int n, double mu)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	int i = 0;

	for (; i + 4 <= n; i += 4) {
		double d0 = x[i] - mu, d1 = x[i + 1] - mu, d2 = x[i + 2] - mu, d3 = x[i + 3] - mu;
		s0 += d0 * d0;
		s1 += d1 * d1;
		s2 += d2 * d2;
		s3 += d3 * d3;
	}
	for (; i < n; i++)
		s0 += (x[i] - mu) * (x[i] - mu);
	return (s0 + s1) + (s2 + s3);
}

XNR_HOT static void layernorm_row(float *restrict row, const float *restrict bias,
                                  const float *restrict res, const float *restrict w,
                                  const float *restrict b, int n, float eps)
{
	double mu, var;
	float fmu, rstd;
	int i;

	if (bias)
		for (i = 0; i < n; i++)
			row[i] += bias[i];
	if (res)
		for (i = 0; i < n; i++)
			row[i] += res[i];
	mu = sum_d(row, n) / n;
	var = sq_dev_d(row, n, mu) / n;
	fmu = (float)mu;
	rstd = (float)(1.0 / sqrt(var + (double)eps));
	for (i = 0; i < n; i++)
		row[i] = (row[i] - fmu) * rstd * w[i] + b[i];
}

void xnr_layernorm_rows(float *y, const float *bias, const float *res, const float *w,
                        const float *b, long rows, int n, float eps)
{
	long r;

	for (r = 0; r < rows; r++)
		layernorm_row(y + r * n, bias, res ? res + r * n : NULL, w, b, n, eps);
}

/* erf(x) as a rational function (odd degree-13 over even degree-8
 * polynomial, the form and coefficients of Eigen's generic_fast_erf_float),
 * clamped at |x| = 4 where erf is 1 in f32. Max abs error 3.9e-7 against
 * double erf (test_tensor_kernels checks the GELU built on it); branch-free,
 * so the GELU loop vectorizes, as PyTorch's own vectorized erf does. */
static inline float erf_rat(float x)
{
	float x2, p, q;

	x = x > 4.0f ? 4.0f : x;
	x = x < -4.0f ? -4.0f : x;
	x2 = x * x;
	p = -2.72614225801306e-10f;
	p = p * x2 + 2.77068142495902e-08f;
	p = p * x2 - 2.10102402082508e-06f;
	p = p * x2 - 5.69250639462346e-05f;
	p = p * x2 - 7.34990630326855e-04f;
	p = p * x2 - 2.95459980854025e-03f;
	p = p * x2 - 1.60960333262415e-02f;
	q = -1.45660718464996e-05f;
	q = q * x2 - 2.13374055278905e-04f;
	q = q * x2 - 1.68282697438203e-03f;
	q = q * x2 - 7.37332916720468e-03f;
	q = q * x2 - 1.42647390514189e-02f;
	return x * p / q;
}

static inline float gelu(float x)
{
	return 0.5f * x * (1.0f + erf_rat(x * (float)M_SQRT1_2));
}

float xnr_act_one(float x, enum xnr_act act)
{
	switch (act) {
	case XNR_ACT_GELU:
		return gelu(x);
	case XNR_ACT_GELU_TANH:
		return 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
	case XNR_ACT_GELU_FAST:
		return 0.5f * x * (1.0f + tanhf(0.7978845608f * x * (1.0f + 0.044715f * x * x)));
	case XNR_ACT_QUICK_GELU:
		return x / (1.0f + expf(-1.702f * x));
	case XNR_ACT_RELU:
		return x > 0.0f ? x : 0.0f;
	case XNR_ACT_SILU:
		return x / (1.0f + expf(-x));
	case XNR_ACT_TANH:
		return tanhf(x);
	case XNR_ACT_LINEAR:
	case XNR_ACT_COUNT:
		break;
	}
	return x;
}

XNR_HOT static void gelu_row(float *restrict y, const float *restrict bias, int n)
{
	int i;

	for (i = 0; i < n; i++)
		y[i] = gelu(y[i] + bias[i]);
}

void xnr_act_rows(float *y, const float *bias, long rows, int n, enum xnr_act act)
{
	long r;
	int i;

	for (r = 0; r < rows; r++) {
		float *row = y + r * n;

		if (act == XNR_ACT_GELU && bias) {
			gelu_row(row, bias, n);
			continue;
		}
		if (bias)
			for (i = 0; i < n; i++)
				row[i] += bias[i];
		for (i = 0; i < n; i++)
			row[i] = xnr_act_one(row[i], act);
	}
}

void xnr_bias_rows(float *y, const float *bias, long rows, int n)
{
	long r;
	int i;

	for (r = 0; r < rows; r++)
		for (i = 0; i < n; i++)
			y[r * n + i] += bias[i];
}

/* exp(x) for x <= 0 (softmax arguments after the max is subtracted), clamped
 * below at -80 (exp(-80) = 1.8e-35: no subnormals). Cephes' expf: x = n ln2
 * + r with |r| <= ln2 / 2, a degree-7 polynomial for exp(r), times 2^n built
 * in the exponent bits. Max relative error 2 ulp against double exp over
 * [-80, 0] (test_tensor_kernels); branch-free so the softmax loops vectorize. */
static inline float exp_neg(float x)
{
	union {
		float f;
		int32_t i;
	} two_n;
	float t, n, r, p;

	x = x < -80.0f ? -80.0f : x;
	/* round to nearest through the 1.5 * 2^23 shifter (no floorf call) */
	t = x * 1.44269504088896341f + 12582912.0f;
	n = t - 12582912.0f;
	r = x - n * 0.693359375f;
	r = r + n * 2.12194440e-4f;
	p = 1.9875691500e-4f;
	p = p * r + 1.3981999507e-3f;
	p = p * r + 8.3334519073e-3f;
	p = p * r + 4.1665795894e-2f;
	p = p * r + 1.6666665459e-1f;
	p = p * r + 5.0000001201e-1f;
	p = p * r * r + r + 1.0f;
	two_n.i = ((int32_t)n + 127) * (1 << 23);
	return p * two_n.f;
}

XNR_HOT void xnr_softmax(float *x, int n)
{
	float m[XNR_ATTN_BLOCK], acc[XNR_ATTN_BLOCK], tail[XNR_ATTN_BLOCK], mx, inv;
	int nb = n - n % XNR_ATTN_BLOCK, i, j;
	double s = 0;

	for (j = 0; j < XNR_ATTN_BLOCK; j++) {
		m[j] = x[0];
		acc[j] = 0.0f;
	}
	for (i = 0; i < nb; i += XNR_ATTN_BLOCK)
		for (j = 0; j < XNR_ATTN_BLOCK; j++)
			m[j] = x[i + j] > m[j] ? x[i + j] : m[j];
	mx = x[0];
	for (j = 0; j < XNR_ATTN_BLOCK; j++)
		mx = m[j] > mx ? m[j] : mx;
	for (i = nb; i < n; i++)
		mx = x[i] > mx ? x[i] : mx;
	for (i = 0; i < nb; i += XNR_ATTN_BLOCK)
		for (j = 0; j < XNR_ATTN_BLOCK; j++) {
			x[i + j] = exp_neg(x[i + j] - mx);
			acc[j] += x[i + j];
		}
	if (nb < n) {
		/* the tail as one whole block, padded with exp(-80) terms left out of the sum */
		for (j = 0; j < XNR_ATTN_BLOCK; j++)
			tail[j] = nb + j < n ? x[nb + j] - mx : -80.0f;
		for (j = 0; j < XNR_ATTN_BLOCK; j++)
			tail[j] = exp_neg(tail[j]);
		for (j = 0; j < n - nb; j++) {
			x[nb + j] = tail[j];
			s += tail[j];
		}
	}
	for (j = 0; j < XNR_ATTN_BLOCK; j++)
		s += acc[j];
	inv = (float)(1.0 / s);
	for (i = 0; i < n; i++)
		x[i] *= inv;
}

void xnr_softmax_probs(const float *x, float *y, int n)
{
	float max = x[0], sum = 0.0f;
	int j;

	for (j = 1; j < n; j++)
		if (x[j] > max)
			max = x[j];
	for (j = 0; j < n; j++) {
		y[j] = expf(x[j] - max);
		sum += y[j];
	}
	for (j = 0; j < n; j++)
		y[j] /= sum;
}

int xnr_attn_stride(int seq_len)
{
	return (seq_len + XNR_ATTN_BLOCK - 1) / XNR_ATTN_BLOCK * XNR_ATTN_BLOCK;
}

XNR_HOT void xnr_attn_keys_t(const struct xnr_attn_head *h, float *restrict kt)
{
	int S = h->seq_len, P = xnr_attn_stride(S), d = h->head_dim, j, c;

	for (c = 0; c < d; c++) {
		const float *kc = h->k + c;
		float b = h->k_b[c], *row = kt + (long)c * P;
		for (j = 0; j < S; j++)
			row[j] = kc[(long)j * h->ld] + b;
		for (; j < P; j++)
			row[j] = 0.0f;
	}
}

XNR_HOT void xnr_attn_query(const struct xnr_attn_head *h, int i, float *restrict qs)
{
	const float *restrict qr = h->q + (long)i * h->ld, *restrict qb = h->q_b;
	float scale = h->scale;
	int c;

	for (c = 0; c < h->head_dim; c++)
		qs[c] = (qr[c] + qb[c]) * scale;
}

/* The score and mix sums run in two independent register-sized chains
 * (even and odd steps): one chain of dependent adds would wait out the add
 * latency at every step. */

/* Each block of 16 keys accumulates over the head's d columns in registers:
 * no loads and stores of the scores inside the loop. */
XNR_HOT void xnr_attn_scores_dot(const float *restrict qs, const float *restrict kt, int seq_len,
                                 int head_dim, float *restrict scores)
{
	int P = xnr_attn_stride(seq_len), d2 = head_dim - head_dim % 2, jb, j, c;

	for (jb = 0; jb < P; jb += XNR_ATTN_BLOCK) {
		float a0[XNR_ATTN_BLOCK] = {0}, a1[XNR_ATTN_BLOCK] = {0};
		for (c = 0; c < d2; c += 2) {
			const float *restrict k0 = kt + (long)c * P + jb, *restrict k1 = k0 + P;
			float q0 = qs[c], q1 = qs[c + 1];
			for (j = 0; j < XNR_ATTN_BLOCK; j++) {
				a0[j] += q0 * k0[j];
				a1[j] += q1 * k1[j];
			}
		}
		if (c < head_dim)
			for (j = 0; j < XNR_ATTN_BLOCK; j++)
				a0[j] += qs[c] * kt[(long)c * P + jb + j];
		for (j = 0; j < XNR_ATTN_BLOCK; j++)
			scores[jb + j] = a0[j] + a1[j];
	}
}

/* Blocks of 16 output columns accumulate in registers over the S values;
 * a head size that is not a multiple of 16 finishes column by column. */
XNR_HOT void xnr_attn_mix(const struct xnr_attn_head *h, const float *restrict p,
                          float *restrict out)
{
	const float *restrict v = h->v;
	int d = h->head_dim, db = d - d % XNR_ATTN_BLOCK, S = h->seq_len, S2 = S - S % 2;
	int j, c, cb;
	long ld = h->ld;

	for (cb = 0; cb < db; cb += XNR_ATTN_BLOCK) {
		float a0[XNR_ATTN_BLOCK] = {0}, a1[XNR_ATTN_BLOCK] = {0};
		for (j = 0; j < S2; j += 2) {
			const float *restrict v0 = v + j * ld + cb, *restrict v1 = v0 + ld;
			float p0 = p[j], p1 = p[j + 1];
			for (c = 0; c < XNR_ATTN_BLOCK; c++) {
				a0[c] += p0 * v0[c];
				a1[c] += p1 * v1[c];
			}
		}
		if (j < S)
			for (c = 0; c < XNR_ATTN_BLOCK; c++)
				a0[c] += p[j] * v[j * ld + cb + c];
		for (c = 0; c < XNR_ATTN_BLOCK; c++)
			out[cb + c] = a0[c] + a1[c] + h->v_b[cb + c];
	}
	for (c = db; c < d; c++) {
		float acc = 0.0f;
		for (j = 0; j < S; j++)
			acc += p[j] * v[(long)j * ld + c];
		out[c] = acc + h->v_b[c];
	}
}
