/*
 * kernels.h - the element-wise and row-wise pieces of a transformer forward
 * pass (reference/hf-formats.md 3.0): LayerNorm fused with bias and residual,
 * every enum xnr_act, softmax, and the per-(sequence, head) attention steps.
 *
 * All single-threaded and pure: callers split rows over the compute pool.
 * Row-major F32; n is the row length, rows the number of rows.
 */
#ifndef XNR_TENSOR_KERNELS_H
#define XNR_TENSOR_KERNELS_H

#include "tensor/act.h"

/* y[r] = LayerNorm(y[r] + bias + res[r]) * w + b for each of rows rows, the
 * statistics taken in double (biased variance, torch.nn.LayerNorm). bias and
 * res may be NULL (not added); res must not alias y. */
void xnr_layernorm_rows(float *y, const float *bias, const float *res, const float *w,
                        const float *b, long rows, int n, float eps);

/* y[r] = act(y[r] + bias) in place; bias may be NULL. The formulas are
 * transformers' ACT2FN (table in reference/hf-formats.md 3.0); XNR_ACT_GELU
 * is the exact (erf) GELU, erf from a rational approximation (max abs error
 * 3.9e-7, see kernels.c). An act outside the enum leaves y unchanged. */
void xnr_act_rows(float *y, const float *bias, long rows, int n, enum xnr_act act);

/* One activation on one value (the reference the row version must match). */
float xnr_act_one(float x, enum xnr_act act);

/* y[r] += bias for each row. */
void xnr_bias_rows(float *y, const float *bias, long rows, int n);

/* x = softmax(x) over n values (max subtracted, exp from a polynomial within
 * 2 ulp, see kernels.c, sum in double). n >= 1. The attention's softmax:
 * hot (every head, layer and query row), and exp(x) below exp(-80) is read
 * as exp(-80), which a weighted sum of values never notices. */
void xnr_softmax(float *x, int n);

/* y = softmax(x) over n values with libm's expf (max subtracted). n >= 1.
 * The label probabilities users read and runs store: once per token over a
 * few labels, so speed does not matter, and a probability of 1e-40 must stay
 * 1e-40 (xnr_softmax would report it as 1.8e-35) for -log p and for parity
 * with PyTorch's softmax. */
void xnr_softmax_probs(const float *x, float *y, int n);

/* One head of one sequence: S tokens, head size d, q/k/v/ctx point at the
 * head's first column of the sequence's first row and advance by ld per
 * token. Biases (d values each) are added here so the projections can be
 * plain GEMMs. */
struct xnr_attn_head {
	int seq_len, head_dim, ld;
	float scale; /* 1 / sqrt(head_dim) */
	const float *q, *k, *v;
	const float *q_b, *k_b, *v_b;
};

/* Keys and scores are padded to whole blocks of this many floats so the
 * score loops have no scalar tails. */
#define XNR_ATTN_BLOCK 16

/* seq_len rounded up to a multiple of XNR_ATTN_BLOCK: the row stride P of
 * the transposed keys and the length of a scores array. */
int xnr_attn_stride(int seq_len);

/* kt[c * P + j] = k[j][c] + k_b[c] for j < S, 0 for S <= j < P (P =
 * xnr_attn_stride(S)): keys transposed so scores are axpy loops. kt holds
 * d * P. */
void xnr_attn_keys_t(const struct xnr_attn_head *h, float *restrict kt);

/* qs[c] = (q[i][c] + q_b[c]) * scale for query i; qs holds d. */
void xnr_attn_query(const struct xnr_attn_head *h, int i, float *restrict qs);

/* scores[j] = qs . kt[:, j] for the S keys (BERT-style content scores);
 * scores holds xnr_attn_stride(S) values, the padding ones come out 0. */
void xnr_attn_scores_dot(const float *restrict qs, const float *restrict kt, int seq_len,
                         int head_dim, float *restrict scores);

/* out[c] = sum_j p[j] v[j][c] + v_b[c] (probabilities sum to 1, so adding the
 * value bias after the sum equals adding it to every value row). */
void xnr_attn_mix(const struct xnr_attn_head *h, const float *restrict p, float *restrict out);

#endif
