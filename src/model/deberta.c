/*
 * deberta.c - what DeBERTa-v2/v3 adds to the shared encoder (forward.c): the
 * log-bucketed relative positions and the disentangled attention's
 * content-to-position (c2p) and position-to-content (p2c) terms
 * (reference/hf-formats.md 3.5; transformers DebertaV2Encoder and
 * DisentangledSelfAttention).
 *
 * Everything that depends only on the weights is computed once at load: the
 * relative embeddings (LayerNorm'd when norm_rel_ebd), their projection by
 * each layer's key and query projections (biases included), and the table
 * from a query-key distance i - j to the row of those projections,
 * clamp(bucket(i - j) + span, 0, 2 * span - 1). A forward pass then adds, for
 * query i and key j of head h,
 *   c2p = Q_h[i] . pos_k_h[idx(i - j)] and p2c = K_h[j] . pos_q_h[idx(i - j)]
 * to the content score, all divided by sqrt(d * (1 + [c2p] + [p2c])). The
 * p2c row is idx(i - j) because transformers gathers it at -bucket(j - i),
 * and the bucket function is odd.
 *
 * DeBERTa v1 (modeling_deberta.py) is the same computation: its relative
 * embeddings sliced to [M - s, M + s) with s = min(S, M) and indexed by
 * clamp(i - j + s) give row clamp(i - j + M) of the whole table, as v2
 * without buckets; its one in_proj holds each head's query, key and value
 * rows side by side and is split at load; its key has no bias.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"
#include "tensor/gemm.h"

int xnr__deberta_bucket(int r, int buckets, int max_relative)
{
	int mid = buckets / 2, a;
	float lp;

	if (buckets <= 0)
		return r;
	a = r < mid && r > -mid ? mid - 1 : abs(r);
	if (a <= mid)
		return r;
	/* float32 throughout, as torch evaluates it on the default dtype */
	lp = ceilf(logf((float)a / (float)mid) / logf((float)((double)(max_relative - 1) / mid)) *
	           (float)(mid - 1)) +
	     (float)mid;
	/* a config whose max_relative_positions barely exceeds mid makes lp huge:
	 * saturate (every bucket past span clamps to the same row) */
	if (!(lp < (float)(INT_MAX / 2)))
		lp = (float)(INT_MAX / 2);
	return r < 0 ? -(int)lp : (int)lp;
}

static enum xnr_status make_index(struct xnr_model *m, struct xnr_error *err)
{
	const struct xnr_deberta_config *d = &m->cfg.deberta;
	int P = m->cfg.max_positions, span = m->rel.span, r;

	m->rel.idx = malloc((size_t)(2 * P - 1) * sizeof *m->rel.idx);
	if (!m->rel.idx)
		return xnr_fail(err, XNR_ERR_NOMEM, "model: out of memory for relative positions");
	for (r = -(P - 1); r <= P - 1; r++) {
		int b =
		    xnr__deberta_bucket(r, d->position_buckets, d->max_relative_positions) + span;
		m->rel.idx[r + P - 1] = b < 0 ? 0 : b > 2 * span - 1 ? 2 * span - 1 : b;
	}
	return XNR_OK;
}

/* out (2 * span, H) = R w^T + bias: one layer's projection of the relative
 * embeddings. */
static enum xnr_status project(const struct xnr_model *m, const float *R, const float *w,
                               const float *bias, float *out, struct xnr_error *err)
{
	int n = 2 * m->rel.span, H = m->cfg.hidden_size;
	enum xnr_status s = xnr_gemm_linear(n, H, H, R, w, 0, out, err);

	if (s == XNR_OK && bias)
		xnr_bias_rows(out, bias, n, H);
	return s;
}

/* DeBERTa v1: in_proj's rows h * 3d + [0, d) are head h's query, then its key
 * and value: copy them into separate [H, H] matrices, head after head. */
static enum xnr_status split_in_proj(struct xnr_model *m, struct xnr_error *err)
{
	size_t H = (size_t)m->cfg.hidden_size, nh = (size_t)m->cfg.n_heads, d = H / nh, h, part;
	size_t per = 3 * H * H;
	float *at;
	int l;

	m->rel.qkv = calloc((size_t)m->cfg.n_layers * per + H, sizeof(float));
	if (!m->rel.qkv)
		return xnr_fail(
		    err, XNR_ERR_NOMEM,
		    "model: cannot allocate %zu MB for the query, key and value weights",
		    ((size_t)m->cfg.n_layers * per + H) * sizeof(float) >> 20);
	m->rel.pos_bytes += ((size_t)m->cfg.n_layers * per + H) * sizeof(float);
	for (l = 0; l < m->cfg.n_layers; l++) {
		struct xnr__layer *ly = &m->layers[l];
		at = m->rel.qkv + (size_t)l * per;
		for (part = 0; part < 3; part++)
			for (h = 0; h < nh; h++)
				memcpy(at + part * H * H + h * d * H,
				       ly->qkv_w + (h * 3 + part) * d * H, d * H * sizeof(float));
		ly->q_w = at;
		ly->k_w = at + H * H;
		ly->v_w = at + 2 * H * H;
		ly->k_b = m->rel.qkv + (size_t)m->cfg.n_layers * per;
	}
	return XNR_OK;
}

/* R = rel_embeddings, LayerNorm'd into scratch when norm_rel_ebd; then each
 * layer's pos_k (c2p) and pos_q (p2c) into one allocation. */
static enum xnr_status make_projections(struct xnr_model *m, struct xnr_error *err)
{
	const struct xnr_deberta_config *d = &m->cfg.deberta;
	size_t rows = 2 * (size_t)m->rel.span, H = (size_t)m->cfg.hidden_size, per = rows * H;
	size_t n_mats = (size_t)m->cfg.n_layers * (size_t)(d->c2p + d->p2c);
	float *normed = NULL, *at;
	const float *R = m->rel.emb;
	enum xnr_status s = XNR_OK;
	int l;

	m->rel.pos = malloc((n_mats + (m->rel.ln_w ? 1 : 0)) * per * sizeof(float));
	if (!m->rel.pos)
		return xnr_fail(
		    err, XNR_ERR_NOMEM,
		    "model: cannot allocate %zu MB for the relative position projections",
		    (n_mats + 1) * per * sizeof(float) >> 20);
	m->rel.pos_bytes += n_mats * per * sizeof(float);
	at = m->rel.pos;
	if (m->rel.ln_w) {
		/* the normalized embeddings sit after the projections, used only here */
		normed = m->rel.pos + n_mats * per;
		memcpy(normed, R, per * sizeof(float));
		xnr_layernorm_rows(normed, NULL, NULL, m->rel.ln_w, m->rel.ln_b, (long)rows, (int)H,
		                   m->cfg.layer_norm_eps);
		R = normed;
	}
	for (l = 0; l < m->cfg.n_layers && s == XNR_OK; l++) {
		struct xnr__layer *ly = &m->layers[l];
		int share = d->share_att_key;
		if (d->c2p) {
			s = project(m, R, share ? ly->k_w : ly->pk_w, share ? ly->k_b : ly->pk_b,
			            at, err);
			ly->pos_k = at;
			at += per;
		}
		if (d->p2c && s == XNR_OK) {
			s = project(m, R, share ? ly->q_w : ly->pq_w, share ? ly->q_b : ly->pq_b,
			            at, err);
			ly->pos_q = at;
			at += per;
		}
	}
	return s;
}

enum xnr_status xnr__deberta_prepare(struct xnr_model *m, struct xnr_error *err)
{
	const struct xnr_deberta_config *d = &m->cfg.deberta;
	enum xnr_status s = XNR_OK;

	if (m->cfg.arch == XNR_ARCH_DEBERTA)
		s = split_in_proj(m, err);
	if (s != XNR_OK || !d->relative_attention || !(d->c2p || d->p2c))
		return s;
	s = make_index(m, err);
	if (s == XNR_OK)
		s = make_projections(m, err);
	return s;
}

void xnr__deberta_scores(const struct xnr_model *m, const struct xnr__layer *ly,
                         const struct xnr_attn_head *h, int head, int i, const float *qs,
                         float *scores)
{
	int H = m->cfg.hidden_size, d = h->head_dim, j, c;
	/* row of query i, key j: at[-j] */
	const int32_t *at = m->rel.idx + (m->cfg.max_positions - 1) + i;
	const float *pk = ly->pos_k ? ly->pos_k + (size_t)head * d : NULL;
	const float *pq = ly->pos_q ? ly->pos_q + (size_t)head * d : NULL;

	for (j = 0; j < h->seq_len; j++) {
		size_t row = (size_t)at[-j] * (size_t)H;
		float sum = 0.0f;
		if (pk) {
			for (c = 0; c < d; c++)
				sum += qs[c] * pk[row + c];
		}
		if (pq) {
			const float *k = h->k + (size_t)j * h->ld;
			float t = 0.0f;
			for (c = 0; c < d; c++)
				t += (k[c] + h->k_b[c]) * pq[row + c];
			sum += t * h->scale;
		}
		scores[j] += sum;
	}
}
