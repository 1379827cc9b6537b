/*
 * forward.c - the encoder forward pass shared by every architecture
 * (reference/hf-formats.md 3.0-3.6; HF BertModel + token-classification
 * head): embeddings, post-LN layers, classifier (none for a bare encoder), on
 * packed batches.
 *
 * Everything runs on the compute pool: GEMMs split by output columns
 * (xnr_gemm_linear_pool, one BLAS thread per pool thread), LayerNorms by rows,
 * attention by (sequence, head); without a pool, GEMMs use the BLAS threads.
 * Attention scores come from one function, attn_scores(), the place where
 * DeBERTa-v2's disentangled attention adds its position terms (deberta.c).
 *
 * struct xnr_state holds every activation, carved from one allocation sized
 * by xnr_state_open; the forward pass never allocates and never writes to
 * the model. Buffers (N = tokens in the batch, E/H/I/L the model sizes):
 *   emb    (N, E)    embeddings before the ELECTRA / DeBERTa projection (E != H only)
 *   hidden (N, H)    layer input and output, updated in place
 *   q k v  (N, H)    projections without bias; q is overwritten by the context
 *   x1     (N, H)    attention block output
 *   ffn    (N, I)    intermediate activations
 *   logits (N, L)
 *   all_hidden (n_layers + 1, N, H), ffn_acts (n_layers, N, I) when asked:
 *   then the layers write straight into them instead of hidden / ffn.
 *   scratch: per pool thread, a transposed key block (d, P) + scores (P) + query
 *   (d), P = max_seq_len padded to whole blocks (xnr_attn_stride).
 */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"
#include "tensor/gemm.h"
#include "tensor/kernels.h"

/* Pool threads beyond this many sit out the attention (it hands out work
 * through a counter, so all of it still gets done). */
#define XNR__ATTN_MAX_THREADS 64
/* Keeps every buffer size far inside size_t and int GEMM dimensions. */
#define XNR__MAX_STATE_TOKENS (1 << 20)

struct xnr_state {
	const struct xnr_model *model;
	int max_tokens, max_seq_len;
	struct xnr_forward_opts opts;
	float *mem;
	float *emb, *hidden, *q, *k, *v, *x1, *ffn, *logits, *all_hidden, *ffn_acts, *scratch;
	float *lowp; /* a Linear's input in the model's lower precision (lowp.h) */
	size_t scratch_per_thread;
	enum xnr_precision prec; /* the model's when the state was opened */
};

/* One forward pass's view, handed to pool workers. */
struct fwd {
	const struct xnr_model *m;
	struct xnr_state *s;
	const struct xnr_batch *batch;
	long n; /* tokens */
	const struct xnr__layer *layer;
	const struct xnr__lowp_layer *lowp; /* the layer's lower-precision weights */
	float *x, *y, *ffn;                 /* this layer's input, output, intermediate */
	/* a Linear's input converted by lowp_worker */
	const float *lp_in;
	int lp_width;
	struct xnr_lowp_x lp_x;
	/* row kernels */
	float *rows;
	const float *bias, *res, *ln_w, *ln_b;
	int width;
	float eps;
	/* attention */
	atomic_long next_task;
	long n_tasks;
	int heads_per_task; /* 1 or n_heads */
};

static size_t align16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

static enum xnr_status check_state_args(const struct xnr_model_config *c, int max_tokens,
                                        int max_seq_len, struct xnr_error *err)
{
	int usable = c->max_positions - c->position_offset;

	if (max_tokens < 1 || max_tokens > XNR__MAX_STATE_TOKENS)
		return xnr_fail(err, XNR_ERR_LIMIT,
		                "state: max_tokens %d outside 1..%d (use smaller batches)",
		                max_tokens, XNR__MAX_STATE_TOKENS);
	if (max_seq_len < 1 || max_seq_len > usable)
		return xnr_fail(err, XNR_ERR_LIMIT,
		                "state: max_seq_len %d outside 1..%d (the model has %d positions, "
		                "the first at %d; truncate or split longer inputs)",
		                max_seq_len, usable, c->max_positions, c->position_offset);
	if (c->n_heads < 1 || c->hidden_size % c->n_heads != 0)
		return xnr_fail(err, XNR_ERR_INTERNAL,
		                "state: hidden size %d not divisible by %d heads", c->hidden_size,
		                c->n_heads);
	return XNR_OK;
}

/* Carve the buffers from base (or only count floats when base is NULL). */
static size_t layout(struct xnr_state *s, const struct xnr_model *m, float *base)
{
	const struct xnr_model_config *c = &m->cfg;
	size_t N = (size_t)s->max_tokens, H = (size_t)c->hidden_size,
	       I = (size_t)c->intermediate_size;
	size_t L = (size_t)c->n_layers, off = 0;
	size_t d = H / (size_t)c->n_heads, S = (size_t)xnr_attn_stride(s->max_seq_len);
	size_t widest = H > I ? H : I;
	float **slots[] = {&s->emb,        &s->hidden,   &s->q,       &s->k,
	                   &s->v,          &s->x1,       &s->ffn,     &s->logits,
	                   &s->all_hidden, &s->ffn_acts, &s->scratch, &s->lowp};
	size_t sizes[] = {
	    m->emb.proj_w ? N * (size_t)c->embedding_size : 0,
	    s->opts.all_hidden ? 0 : N * H,
	    N * H,
	    N * H,
	    N * H,
	    N * H,
	    s->opts.ffn_acts ? 0 : N * I,
	    N * (size_t)c->n_labels,
	    s->opts.all_hidden ? (L + 1) * N * H : 0,
	    s->opts.ffn_acts ? L * N * I : 0,
	    XNR__ATTN_MAX_THREADS * align16(d * S + S + d),
	    (xnr_lowp_x_bytes(
	         s->prec, (int)N,
	         (int)(widest > (size_t)c->embedding_size ? widest : (size_t)c->embedding_size)) +
	     sizeof(float) - 1) /
	        sizeof(float),
	};
	size_t i;

	s->scratch_per_thread = align16(d * S + S + d);
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		*slots[i] = base && sizes[i] ? base + off : NULL;
		off += align16(sizes[i]);
	}
	return off;
}

enum xnr_status xnr_state_open(const struct xnr_model *model, int max_tokens, int max_seq_len,
                               struct xnr_forward_opts opts, struct xnr_state **out,
                               struct xnr_error *err)
{
	struct xnr_state *s;
	enum xnr_status st;
	size_t n_floats;

	if (!model || !out)
		return xnr_fail(err, XNR_ERR_INPUT, "state: no model given");
	st = check_state_args(&model->cfg, max_tokens, max_seq_len, err);
	if (st != XNR_OK)
		return st;
	s = calloc(1, sizeof *s);
	if (!s)
		return xnr_fail(err, XNR_ERR_NOMEM, "state: cannot allocate");
	s->model = model;
	s->max_tokens = max_tokens;
	s->max_seq_len = max_seq_len;
	s->opts = opts;
	s->prec = model->prec;
	n_floats = layout(s, model, NULL);
	s->mem = aligned_alloc(64, n_floats * sizeof(float));
	if (!s->mem) {
		free(s);
		return xnr_fail(err, XNR_ERR_NOMEM,
		                "state: cannot allocate %zu MB of activations for %d tokens "
		                "(lower the batch size)",
		                n_floats * sizeof(float) >> 20, max_tokens);
	}
	layout(s, model, s->mem);
	*out = s;
	return XNR_OK;
}

void xnr_state_close(struct xnr_state *state)
{
	if (!state)
		return;
	free(state->mem);
	free(state);
}

/* The sequence holding token t: the last i with seq_start[i] <= t. */
static int seq_of(const struct xnr_batch *b, long t)
{
	int lo = 0, hi = b->n_seq - 1;

	while (lo < hi) {
		int mid = lo + (hi - lo + 1) / 2;
		if (b->seq_start[mid] <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static enum xnr_status check_batch(const struct xnr_state *s, const struct xnr_batch *b,
                                   struct xnr_error *err)
{
	const struct xnr_model_config *c = &s->model->cfg;
	int64_t n;
	int i;

	if (!b || !b->seq_start || b->n_seq < 0 || b->seq_start[0] != 0)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "forward: bad batch (need n_seq >= 0 and seq_start[0] = 0)");
	for (i = 0; i < b->n_seq; i++) {
		int64_t len = (int64_t)b->seq_start[i + 1] - b->seq_start[i];
		if (b->seq_start[i + 1] > s->max_tokens)
			return xnr_fail(
			    err, XNR_ERR_LIMIT,
			    "forward: batch has more than %d tokens, the state's maximum "
			    "(split the batch or open a larger state)",
			    s->max_tokens);
		if (len < 1 || len > s->max_seq_len) {
			xnr_fail(err, XNR_ERR_INPUT,
			         "forward: sequence %d has %lld tokens, allowed 1..%d "
			         "(truncate or split it)",
			         i, (long long)len, s->max_seq_len);
			xnr_error_set_item(err, i + 1);
			return XNR_ERR_INPUT;
		}
	}
	n = b->seq_start[b->n_seq];
	if (n > 0 && !b->ids)
		return xnr_fail(err, XNR_ERR_INPUT, "forward: batch without token ids");
	for (i = 0; i < n; i++) {
		enum xnr_status st = XNR_OK;
		if (b->ids[i] < 0 || b->ids[i] >= c->vocab_size)
			st = xnr_fail(err, XNR_ERR_INPUT,
			              "forward: token %d has id %d outside the vocabulary 0..%d", i,
			              (int)b->ids[i], c->vocab_size - 1);
		else if (b->type_ids &&
		         (b->type_ids[i] < 0 ||
		          b->type_ids[i] >= (c->type_vocab_size > 0 ? c->type_vocab_size : 1)))
			st = xnr_fail(err, XNR_ERR_INPUT,
			              "forward: token %d has type id %d, the model allows 0..%d", i,
			              (int)b->type_ids[i],
			              c->type_vocab_size > 0 ? c->type_vocab_size - 1 : 0);
		if (st != XNR_OK) {
			xnr_error_set_item(err, seq_of(b, i) + 1);
			return st;
		}
	}
	return XNR_OK;
}

/* rows (N, E) = LayerNorm(word[id] + position[offset + t] + token_type[type]),
 * without a position term when the model has none (DeBERTa-v3) and without
 * the LayerNorm when it comes after the projection (DeBERTa). */
static void embed_worker(void *p, int ith, int nth)
{
	struct fwd *f = p;
	const struct xnr_model *m = f->m;
	const struct xnr_batch *b = f->batch;
	int E = m->cfg.embedding_size, seq, i;
	long t, begin, end;

	xnr_split_range(f->n, ith, nth, &begin, &end);
	if (begin >= end)
		return;
	seq = seq_of(b, begin);
	for (t = begin; t < end; t++) {
		float *row = f->rows + t * E;
		while (t >= b->seq_start[seq + 1])
			seq++;
		memcpy(row, m->emb.word + (size_t)b->ids[t] * E, (size_t)E * sizeof *row);
		if (m->emb.position) {
			const float *pos =
			    m->emb.position +
			    (size_t)(m->cfg.position_offset + t - b->seq_start[seq]) * E;
			for (i = 0; i < E; i++)
				row[i] += pos[i];
		}
		if (m->emb.token_type) {
			const float *tt =
			    m->emb.token_type + (size_t)(b->type_ids ? b->type_ids[t] : 0) * E;
			for (i = 0; i < E; i++)
				row[i] += tt[i];
		}
		if (!m->emb.norm_after_proj)
			xnr_layernorm_rows(row, NULL, NULL, m->emb.ln_w, m->emb.ln_b, 1, E, f->eps);
	}
}

/* rows = LayerNorm(rows + bias + res) over the batch's rows. */
static void ln_worker(void *p, int ith, int nth)
{
	struct fwd *f = p;
	long begin, end;

	xnr_split_range(f->n, ith, nth, &begin, &end);
	xnr_layernorm_rows(f->rows + begin * f->width, f->bias,
	                   f->res ? f->res + begin * f->width : NULL, f->ln_w, f->ln_b, end - begin,
	                   f->width, f->eps);
}

/* Scaled scores of query i against every key of its sequence. The one place
 * an architecture changes how scores are formed (DeBERTa-v2 adds its c2p and
 * p2c position terms to the content scores here). */
static void attn_scores(const struct fwd *f, const struct xnr_attn_head *h, int head, int i,
                        const float *qs, const float *kt, float *scores)
{
	xnr_attn_scores_dot(qs, kt, h->seq_len, h->head_dim, scores);
	if (f->layer->pos_k || f->layer->pos_q)
		xnr__deberta_scores(f->m, f->layer, h, head, i, qs, scores);
}

/* softmax(Q K^T / sqrt(d)) V for one (sequence, head); the context rows
 * replace the query rows they came from. */
static void attn_head(const struct fwd *f, int seq, int head, float *scratch)
{
	const struct xnr__layer *ly = f->layer;
	const struct xnr_deberta_config *deb = &f->m->cfg.deberta;
	int H = f->m->cfg.hidden_size, d = H / f->m->cfg.n_heads, i;
	/* DeBERTa scales by sqrt(d * (1 + [c2p] + [p2c])), relative attention or not */
	int factor = deb->scale_factor > 1 ? deb->scale_factor : 1;
	long s0 = f->batch->seq_start[seq];
	struct xnr_attn_head h = {
	    .seq_len = f->batch->seq_start[seq + 1] - (int)s0,
	    .head_dim = d,
	    .ld = H,
	    .scale = 1.0f / sqrtf((float)(d * factor)),
	    .q = f->s->q + s0 * H + head * d,
	    .k = f->s->k + s0 * H + head * d,
	    .v = f->s->v + s0 * H + head * d,
	    .q_b = ly->q_b + head * d,
	    .k_b = ly->k_b + head * d,
	    .v_b = ly->v_b + head * d,
	};
	size_t P = (size_t)xnr_attn_stride(h.seq_len);
	float *kt = scratch, *scores = kt + (size_t)d * P, *qs = scores + P;

	xnr_attn_keys_t(&h, kt);
	for (i = 0; i < h.seq_len; i++) {
		xnr_attn_query(&h, i, qs);
		attn_scores(f, &h, head, i, qs, kt, scores);
		xnr_softmax(scores, h.seq_len);
		xnr_attn_mix(&h, scores, f->s->q + (s0 + i) * H + head * d);
	}
}

/* Ask for columns [c0, c1) of rows [r0, r1) of q, k and v at once: a large
 * batch's projections are out of cache by the time the attention reads them,
 * and the heads' strided rows defeat the hardware prefetchers. */
static void prefetch_rows(const struct fwd *f, long r0, long r1, int c0, int c1)
{
	const float *bufs[3] = {f->s->q, f->s->k, f->s->v};
	int H = f->m->cfg.hidden_size, b, c;
	long r;

	for (r = r0; r < r1; r++)
		for (b = 0; b < 3; b++)
			for (c = c0; c < c1; c += 64 / (int)sizeof(float))
				__builtin_prefetch(bufs[b] + r * H + c);
}

/* Tasks of heads_per_task heads of one sequence, handed out through a
 * counter: sequences differ in length, so a static split would leave threads
 * idle. */
static void attn_worker(void *p, int ith, int nth)
{
	struct fwd *f = p;
	const int32_t *ss = f->batch->seq_start;
	int hpt = f->heads_per_task, per_seq = f->m->cfg.n_heads / hpt;
	int d = f->m->cfg.hidden_size / f->m->cfg.n_heads, seq, h0, h;
	long t;

	(void)nth;
	if (ith >= XNR__ATTN_MAX_THREADS)
		return;
	while ((t = atomic_fetch_add(&f->next_task, 1)) < f->n_tasks) {
		seq = (int)(t / per_seq);
		h0 = (int)(t % per_seq) * hpt;
		prefetch_rows(f, ss[seq], ss[seq + 1], h0 * d, (h0 + 1) * d);
		for (h = h0; h < h0 + hpt; h++) {
			if (h + 1 < h0 + hpt)
				prefetch_rows(f, ss[seq], ss[seq + 1], (h + 1) * d, (h + 2) * d);
			attn_head(f, seq, h,
			          f->s->scratch + (size_t)ith * f->s->scratch_per_thread);
		}
	}
}

static void run_rows(struct fwd *f, struct xnr_pool *pool, xnr_pool_fn fn, float *rows, int width,
                     const float *bias, const float *res, const float *ln_w, const float *ln_b)
{
	f->rows = rows;
	f->width = width;
	f->bias = bias;
	f->res = res;
	f->ln_w = ln_w;
	f->ln_b = ln_b;
	xnr_pool_run(pool, fn, f);
}

/* Rows of f->lp_in converted to the model's precision into the state. */
static void lowp_worker(void *p, int ith, int nth)
{
	struct fwd *f = p;
	struct xnr_lowp_x unused;
	long b, e;

	xnr_split_range(f->n, ith, nth, &b, &e);
	xnr_lowp_x_make(f->m->prec, f->lp_in, (int)f->n, f->lp_width, b, e, f->s->lowp, &unused);
}

/* outs (Linears of x [n, n_in]) in f32, or in the model's precision when
 * the first has lower-precision weights: x converted once for all of them. */
static enum xnr_status linears(struct fwd *f, struct xnr_pool *pool, const float *x, int n_in,
                               const struct xnr_linear_out *outs, int n_outs, struct xnr_error *err)
{
	if (f->m->prec == XNR_PRECISION_FP32 || !outs[0].lw)
		return xnr_gemm_linear_pool_n(pool, (int)f->n, n_in, x, outs, n_outs, err);
	f->lp_in = x;
	f->lp_width = n_in;
	xnr_pool_run(pool, lowp_worker, f);
	xnr_lowp_x_make(f->m->prec, x, (int)f->n, n_in, 0, 0, f->s->lowp, &f->lp_x);
	return xnr_gemm_linear_pool_lowp(pool, &f->lp_x, outs, n_outs, err);
}

#define LOWP(f, name) ((f)->lowp ? &(f)->lowp->name : NULL)

/* One post-LN block (reference/hf-formats.md 3.0) from f->x into f->y. The
 * Q/K/V biases are added inside the attention, the output biases inside the
 * LayerNorms, the intermediate bias and activation inside its GEMM. */
static enum xnr_status run_layer(struct fwd *f, struct xnr_pool *pool, struct xnr_error *err)
{
	const struct xnr__layer *ly = f->layer;
	struct xnr_state *s = f->s;
	int H = f->m->cfg.hidden_size, I = f->m->cfg.intermediate_size;
	enum xnr_act none = XNR_ACT_LINEAR;
	const struct xnr_linear_out qkv[3] = {
	    {ly->q_w, NULL, none, H, s->q, LOWP(f, q)},
	    {ly->k_w, NULL, none, H, s->k, LOWP(f, k)},
	    {ly->v_w, NULL, none, H, s->v, LOWP(f, v)},
	};
	const struct xnr_linear_out o = {ly->o_w, NULL, none, H, s->x1, LOWP(f, o)};
	const struct xnr_linear_out ff1 = {ly->ff1_w, ly->ff1_b, f->m->cfg.act,
	                                   I,         f->ffn,    LOWP(f, ff1)};
	const struct xnr_linear_out ff2 = {ly->ff2_w, NULL, none, H, f->y, LOWP(f, ff2)};
	enum xnr_status st;

	if ((st = linears(f, pool, f->x, H, qkv, 3, err)) != XNR_OK)
		return st;
	atomic_store(&f->next_task, 0);
	/* whole sequences when there are enough of them to share out */
	f->heads_per_task = f->batch->n_seq >= 4 * xnr_pool_n_threads(pool) ? f->m->cfg.n_heads : 1;
	f->n_tasks = (long)f->batch->n_seq * (f->m->cfg.n_heads / f->heads_per_task);
	xnr_pool_run(pool, attn_worker, f);
	if ((st = linears(f, pool, s->q, H, &o, 1, err)))
		return st;
	run_rows(f, pool, ln_worker, s->x1, H, ly->o_b, f->x, ly->ln1_w, ly->ln1_b);
	if ((st = linears(f, pool, s->x1, H, &ff1, 1, err)) ||
	    (st = linears(f, pool, f->ffn, I, &ff2, 1, err)))
		return st;
	run_rows(f, pool, ln_worker, f->y, H, ly->ff2_b, s->x1, ly->ln2_w, ly->ln2_b);
	return XNR_OK;
}

/* Embeddings into h0 (N, H), through the ELECTRA or DeBERTa projection when
 * present. DeBERTa would then multiply each row by its attention mask: packed
 * batches have no padding, so every mask value is 1. */
static enum xnr_status run_embeddings(struct fwd *f, struct xnr_pool *pool, float *h0,
                                      struct xnr_error *err)
{
	const struct xnr_model *m = f->m;
	const struct xnr_linear_out proj = {m->emb.proj_w,
	                                    m->emb.proj_b,
	                                    XNR_ACT_LINEAR,
	                                    m->cfg.hidden_size,
	                                    h0,
	                                    m->lowp ? &m->lowp_proj : NULL};
	enum xnr_status st;

	f->rows = m->emb.proj_w ? f->s->emb : h0;
	xnr_pool_run(pool, embed_worker, f);
	if (!m->emb.proj_w)
		return XNR_OK;
	st = linears(f, pool, f->s->emb, m->cfg.embedding_size, &proj, 1, err);
	if (st == XNR_OK && m->emb.norm_after_proj)
		run_rows(f, pool, ln_worker, h0, m->cfg.hidden_size, NULL, NULL, m->emb.ln_w,
		         m->emb.ln_b);
	return st;
}

enum xnr_status xnr_model_forward(const struct xnr_model *model, struct xnr_state *state,
                                  struct xnr_pool *pool, const struct xnr_batch *batch,
                                  struct xnr_outputs *out, struct xnr_error *err)
{
	struct fwd f = {.m = model, .s = state, .batch = batch};
	const struct xnr_model_config *c = &model->cfg;
	size_t NH, NI;
	enum xnr_status st;
	int l;

	if (!model || !state || !out || state->model != model)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "forward: no model, state or outputs, or a state opened for "
		                "another model");
	if (state->prec != model->prec)
		return xnr_fail(err, XNR_ERR_INTERNAL,
		                "forward: state opened for %s, model now in %s (open states after "
		                "setting the precision)",
		                xnr_precision_name(state->prec), xnr_precision_name(model->prec));
	if ((st = check_batch(state, batch, err)) != XNR_OK)
		return st;
	f.n = batch->seq_start[batch->n_seq];
	f.eps = c->layer_norm_eps;
	NH = (size_t)f.n * c->hidden_size;
	NI = (size_t)f.n * c->intermediate_size;
	f.y = state->opts.all_hidden ? state->all_hidden : state->hidden;
	if (f.n > 0 && (st = run_embeddings(&f, pool, f.y, err)) != XNR_OK)
		return st;
	for (l = 0; l < c->n_layers && f.n > 0; l++) {
		f.layer = &model->layers[l];
		f.lowp = model->lowp ? &model->lowp[l] : NULL;
		f.x = f.y;
		f.y = state->opts.all_hidden ? state->all_hidden + (l + 1) * NH : state->hidden;
		f.ffn = state->opts.ffn_acts ? state->ffn_acts + l * NI : state->ffn;
		if ((st = run_layer(&f, pool, err)) != XNR_OK)
			return st;
	}
	if (f.n > 0 && model->cls_w) {
		st = xnr_gemm_linear_pool(pool, (int)f.n, c->n_labels, c->hidden_size, f.y,
		                          model->cls_w, model->cls_b, XNR_ACT_LINEAR, state->logits,
		                          err);
		if (st != XNR_OK)
			return st;
	}
	out->n_tokens = (int)f.n;
	out->logits = state->logits;
	out->hidden = f.y;
	out->all_hidden = state->all_hidden;
	out->ffn_acts = state->ffn_acts;
	return XNR_OK;
}
