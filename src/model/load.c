/*
 * load.c - opens a Hugging Face model folder (config.json + safetensors or
 * pytorch_model.bin, through model/safetensors.h) and
 * binds each architecture's tensor names onto the one post-LN encoder layout
 * of model/internal.h (HF BertLayer; reference/hf-formats.md 3.0-3.6), plus
 * DeBERTa-v2's relative embeddings and position projections.
 *
 * Every required tensor is looked up (with or without the base-model prefix,
 * LayerNorm gamma/beta as weight/bias) and its dtype and shape checked against
 * the config before anything runs. Aligned F32 tensors are used in place from
 * the mapping; F16, BF16 and unaligned F32 tensors are converted to F32 into
 * one allocation sized first. A bare encoder (config has_classifier 0, e.g. a
 * sentence-transformers folder saved from BertModel) binds no classifier.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/half.h"
#include "model/internal.h"

/* A tensor the model needs and where its F32 pointer goes. */
struct bind {
	const float **slot;
	const struct xnr_st_tensor *t;
};

struct binder {
	const struct xnr_safetensors *st;
	const struct xnr_model_config *cfg;
	const char *what;   /* the weights file named in messages */
	const char *prefix; /* "bert." */
	struct bind *binds;
	int n_binds;
	/* config.json keys behind each dimension, for messages */
	const char *h_key, *i_key, *e_key;
};

/* The shape a tensor must have: up to two dims and the config keys behind them. */
struct want {
	int n_dims;
	int64_t d[2];
	const char *why;
};

/* Per-layer tensors: BERT-family name, DistilBERT name, DeBERTa-v2 name
 * (NULL: the BERT one; DeBERTa v1 has none of these, bind_v1_self), shape
 * kind. */
enum layer_shape { SHAPE_HH, SHAPE_H, SHAPE_IH, SHAPE_I, SHAPE_HI };

static const struct {
	size_t off;
	const char *bert, *distil, *deberta;
	enum layer_shape shape;
} layer_tensors[] = {
    {offsetof(struct xnr__layer, q_w), "attention.self.query.weight", "attention.q_lin.weight",
     "attention.self.query_proj.weight", SHAPE_HH},
    {offsetof(struct xnr__layer, q_b), "attention.self.query.bias", "attention.q_lin.bias",
     "attention.self.query_proj.bias", SHAPE_H},
    {offsetof(struct xnr__layer, k_w), "attention.self.key.weight", "attention.k_lin.weight",
     "attention.self.key_proj.weight", SHAPE_HH},
    {offsetof(struct xnr__layer, k_b), "attention.self.key.bias", "attention.k_lin.bias",
     "attention.self.key_proj.bias", SHAPE_H},
    {offsetof(struct xnr__layer, v_w), "attention.self.value.weight", "attention.v_lin.weight",
     "attention.self.value_proj.weight", SHAPE_HH},
    {offsetof(struct xnr__layer, v_b), "attention.self.value.bias", "attention.v_lin.bias",
     "attention.self.value_proj.bias", SHAPE_H},
    {offsetof(struct xnr__layer, o_w), "attention.output.dense.weight", "attention.out_lin.weight",
     NULL, SHAPE_HH},
    {offsetof(struct xnr__layer, o_b), "attention.output.dense.bias", "attention.out_lin.bias",
     NULL, SHAPE_H},
    {offsetof(struct xnr__layer, ln1_w), "attention.output.LayerNorm.weight",
     "sa_layer_norm.weight", NULL, SHAPE_H},
    {offsetof(struct xnr__layer, ln1_b), "attention.output.LayerNorm.bias", "sa_layer_norm.bias",
     NULL, SHAPE_H},
    {offsetof(struct xnr__layer, ff1_w), "intermediate.dense.weight", "ffn.lin1.weight", NULL,
     SHAPE_IH},
    {offsetof(struct xnr__layer, ff1_b), "intermediate.dense.bias", "ffn.lin1.bias", NULL, SHAPE_I},
    {offsetof(struct xnr__layer, ff2_w), "output.dense.weight", "ffn.lin2.weight", NULL, SHAPE_HI},
    {offsetof(struct xnr__layer, ff2_b), "output.dense.bias", "ffn.lin2.bias", NULL, SHAPE_H},
    {offsetof(struct xnr__layer, ln2_w), "output.LayerNorm.weight", "output_layer_norm.weight",
     NULL, SHAPE_H},
    {offsetof(struct xnr__layer, ln2_b), "output.LayerNorm.bias", "output_layer_norm.bias", NULL,
     SHAPE_H},
};

#define N_LAYER_TENSORS ((int)(sizeof layer_tensors / sizeof layer_tensors[0]))
/* word, position, token type, LayerNorm x2, projection x2, classifier x2,
 * relative embeddings and their LayerNorm x2 */
#define N_OTHER_TENSORS 12
/* DeBERTa-v2 pos_key_proj / pos_query_proj weight and bias (v1: the six of
 * bind_v1_self, in place of the table's six query/key/value tensors) */
#define N_POS_TENSORS 4

static const char *const arch_prefix[XNR_ARCH_COUNT] = {
    [XNR_ARCH_BERT] = "bert.",       [XNR_ARCH_DISTILBERT] = "distilbert.",
    [XNR_ARCH_ROBERTA] = "roberta.", [XNR_ARCH_XLM_ROBERTA] = "roberta.",
    [XNR_ARCH_ELECTRA] = "electra.", [XNR_ARCH_DEBERTA_V2] = "deberta.",
    [XNR_ARCH_DEBERTA] = "deberta.",
};

/* "x.LayerNorm.weight" -> "x.LayerNorm.gamma" (and bias -> beta), as
 * transformers renames old checkpoints; 0 when name has no such form. */
static int old_layer_norm_name(const char *name, char *buf, size_t n)
{
	size_t len = strlen(name);
	static const char w[] = "LayerNorm.weight", b[] = "LayerNorm.bias";

	if (len >= sizeof w - 1 && strcmp(name + len - (sizeof w - 1), w) == 0)
		return snprintf(buf, n, "%.*sgamma", (int)(len - 6), name) < (int)n;
	if (len >= sizeof b - 1 && strcmp(name + len - (sizeof b - 1), b) == 0)
		return snprintf(buf, n, "%.*sbeta", (int)(len - 4), name) < (int)n;
	return 0;
}

static const struct xnr_st_tensor *lookup(const struct binder *b, const char *name, int prefixed)
{
	char alt[256], full[320];
	const char *names[2] = {name, NULL};
	const struct xnr_st_tensor *t;
	int i;

	if (old_layer_norm_name(name, alt, sizeof alt))
		names[1] = alt;
	for (i = 0; i < 2 && names[i]; i++) {
		if (prefixed &&
		    snprintf(full, sizeof full, "%s%s", b->prefix, names[i]) < (int)sizeof full &&
		    (t = xnr_safetensors_find(b->st, full)) != NULL)
			return t;
		if ((t = xnr_safetensors_find(b->st, names[i])) != NULL)
			return t;
	}
	return NULL;
}

static void format_shape(char *buf, size_t n, int n_dims, const int64_t *d)
{
	size_t used = (size_t)snprintf(buf, n, "[");
	int i;

	for (i = 0; i < n_dims && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%lld", i ? ", " : "",
		                         (long long)d[i]);
	if (used < n)
		snprintf(buf + used, n - used, "]");
}

/* Find name, check its dtype and shape, and queue slot to point at it. */
static enum xnr_status bind(struct binder *b, const float **slot, const char *name, int prefixed,
                            struct want w, struct xnr_error *err)
{
	const struct xnr_st_tensor *t = lookup(b, name, prefixed);
	char have[160], need[64];

	if (!t)
		return xnr_fail_at(err, XNR_ERR_MISMATCH, b->what, 0,
		                   "no tensor %s%s (config.json describes a %s with %d layers; is "
		                   "this the right checkpoint?)",
		                   prefixed ? b->prefix : "", name, b->cfg->architecture,
		                   b->cfg->n_layers);
	if (t->dtype != XNR_DTYPE_F32 && t->dtype != XNR_DTYPE_F16 && t->dtype != XNR_DTYPE_BF16)
		return xnr_fail_at(
		    err, XNR_ERR_UNSUPPORTED, b->what, 0,
		    "tensor %s has dtype %s; only F32, F16 and BF16 weights are supported", t->name,
		    xnr_dtype_str(t->dtype));
	if (t->n_dims != w.n_dims || t->shape[0] != w.d[0] ||
	    (w.n_dims == 2 && t->shape[1] != w.d[1])) {
		format_shape(have, sizeof have, t->n_dims, t->shape);
		format_shape(need, sizeof need, w.n_dims, w.d);
		return xnr_fail_at(err, XNR_ERR_MISMATCH, b->what, 0,
		                   "tensor %s has shape %s, config.json implies %s (%s)", t->name,
		                   have, need, w.why);
	}
	b->binds[b->n_binds].slot = slot;
	b->binds[b->n_binds].t = t;
	b->n_binds++;
	return XNR_OK;
}

static struct want want1(int64_t d0, const char *why)
{
	struct want w = {1, {d0, 0}, why};
	return w;
}

static struct want want2(int64_t d0, int64_t d1, const char *why)
{
	struct want w = {2, {d0, d1}, why};
	return w;
}

static enum xnr_status bind_embeddings(struct binder *b, struct xnr_model *m, struct xnr_error *err)
{
	const struct xnr_model_config *c = b->cfg;
	int deberta = xnr_arch_is_deberta(c->arch);
	/* DeBERTa normalizes after its projection, ELECTRA before */
	int ln_dim = deberta ? c->hidden_size : c->embedding_size;
	const char *ln_key = deberta ? b->h_key : b->e_key;
	char why[3][96];
	enum xnr_status s;

	snprintf(why[0], sizeof why[0], "vocab_size, %s", b->e_key);
	snprintf(why[1], sizeof why[1], "max_position_embeddings, %s", b->e_key);
	snprintf(why[2], sizeof why[2], "type_vocab_size, %s", b->e_key);
	s = bind(b, &m->emb.word, "embeddings.word_embeddings.weight", 1,
	         want2(c->vocab_size, c->embedding_size, why[0]), err);
	/* DeBERTa-v3 files may still hold position embeddings it does not add */
	if (s == XNR_OK && (!deberta || c->deberta.position_biased_input))
		s = bind(b, &m->emb.position, "embeddings.position_embeddings.weight", 1,
		         want2(c->max_positions, c->embedding_size, why[1]), err);
	if (s == XNR_OK && c->type_vocab_size > 0)
		s = bind(b, &m->emb.token_type, "embeddings.token_type_embeddings.weight", 1,
		         want2(c->type_vocab_size, c->embedding_size, why[2]), err);
	if (s == XNR_OK)
		s = bind(b, &m->emb.ln_w, "embeddings.LayerNorm.weight", 1, want1(ln_dim, ln_key),
		         err);
	if (s == XNR_OK)
		s = bind(b, &m->emb.ln_b, "embeddings.LayerNorm.bias", 1, want1(ln_dim, ln_key),
		         err);
	/* ElectraModel and DebertaV2Model only have the projection when the sizes differ. */
	if (s == XNR_OK && c->embedding_size != c->hidden_size) {
		m->emb.norm_after_proj = deberta;
		snprintf(why[0], sizeof why[0], "%s, %s", b->h_key, b->e_key);
		s = bind(b, &m->emb.proj_w,
		         deberta ? "embeddings.embed_proj.weight" : "embeddings_project.weight", 1,
		         want2(c->hidden_size, c->embedding_size, why[0]), err);
		if (s == XNR_OK && !deberta)
			s = bind(b, &m->emb.proj_b, "embeddings_project.bias", 1,
			         want1(c->hidden_size, b->h_key), err);
	}
	return s;
}

static struct want layer_want(const struct binder *b, enum layer_shape shape, char *why, size_t n)
{
	int64_t h = b->cfg->hidden_size, i = b->cfg->intermediate_size;

	switch (shape) {
	case SHAPE_HH:
		snprintf(why, n, "%s, %s", b->h_key, b->h_key);
		return want2(h, h, why);
	case SHAPE_IH:
		snprintf(why, n, "%s, %s", b->i_key, b->h_key);
		return want2(i, h, why);
	case SHAPE_HI:
		snprintf(why, n, "%s, %s", b->h_key, b->i_key);
		return want2(h, i, why);
	case SHAPE_I:
		return want1(i, b->i_key);
	case SHAPE_H:
		break;
	}
	return want1(h, b->h_key);
}

static const char *layer_tensor_name(enum xnr_arch arch, int k)
{
	if (arch == XNR_ARCH_DISTILBERT)
		return layer_tensors[k].distil;
	if (arch == XNR_ARCH_DEBERTA_V2 && layer_tensors[k].deberta)
		return layer_tensors[k].deberta;
	return layer_tensors[k].bert;
}

/* DeBERTa v1's attention.self: in_proj [3H, H] without bias (each head's
 * query, key and value rows side by side; deberta.c splits it), q_bias,
 * v_bias (no key bias), and the position projections pos_proj (no bias, c2p)
 * and pos_q_proj (p2c). */
static enum xnr_status bind_v1_self(struct binder *b, struct xnr__layer *ly, int l,
                                    struct xnr_error *err)
{
	const struct xnr_deberta_config *d = &b->cfg->deberta;
	int64_t H = b->cfg->hidden_size;
	int rel = d->relative_attention;
	const struct {
		const float **slot;
		const char *name;
		struct want w;
		int need;
	} t[] = {
	    {&ly->qkv_w, "in_proj.weight", want2(3 * H, H, "3 x hidden_size, hidden_size"), 1},
	    {&ly->q_b, "q_bias", want1(H, "hidden_size"), 1},
	    {&ly->v_b, "v_bias", want1(H, "hidden_size"), 1},
	    {&ly->pk_w, "pos_proj.weight", want2(H, H, "hidden_size, hidden_size"), rel && d->c2p},
	    {&ly->pq_w, "pos_q_proj.weight", want2(H, H, "hidden_size, hidden_size"),
	     rel && d->p2c},
	    {&ly->pq_b, "pos_q_proj.bias", want1(H, "hidden_size"), rel && d->p2c},
	};
	char name[256];
	enum xnr_status s = XNR_OK;
	size_t k;

	for (k = 0; k < sizeof t / sizeof t[0] && s == XNR_OK; k++) {
		if (!t[k].need)
			continue;
		snprintf(name, sizeof name, "encoder.layer.%d.attention.self.%s", l, t[k].name);
		s = bind(b, t[k].slot, name, 1, t[k].w, err);
	}
	return s;
}

/* DeBERTa's attention.self beyond the table: v1's (bind_v1_self), or v2's
 * projections of the relative embeddings, pos_key_proj (c2p) and
 * pos_query_proj (p2c); with share_att_key, deberta.c uses key_proj and
 * query_proj instead. */
static enum xnr_status bind_deberta_self(struct binder *b, struct xnr__layer *ly, int l,
                                         struct xnr_error *err)
{
	const struct xnr_deberta_config *d = &b->cfg->deberta;
	static const char *const names[4] = {"pos_key_proj.weight", "pos_key_proj.bias",
	                                     "pos_query_proj.weight", "pos_query_proj.bias"};
	const float **slots[4] = {&ly->pk_w, &ly->pk_b, &ly->pq_w, &ly->pq_b};
	char name[256], why[96];
	enum xnr_status s = XNR_OK;
	int k;

	if (b->cfg->arch == XNR_ARCH_DEBERTA)
		return bind_v1_self(b, ly, l, err);
	if (!d->relative_attention || d->share_att_key)
		return XNR_OK;
	for (k = 0; k < 4 && s == XNR_OK; k++) {
		if (k < 2 ? !d->c2p : !d->p2c)
			continue;
		snprintf(name, sizeof name, "encoder.layer.%d.attention.self.%s", l, names[k]);
		s = bind(b, slots[k], name, 1,
		         layer_want(b, k % 2 ? SHAPE_H : SHAPE_HH, why, sizeof why), err);
	}
	return s;
}

static enum xnr_status bind_layers(struct binder *b, struct xnr_model *m, struct xnr_error *err)
{
	int distil = b->cfg->arch == XNR_ARCH_DISTILBERT;
	char name[256], why[96];
	int l, k;

	for (l = 0; l < b->cfg->n_layers; l++) {
		enum xnr_status s;
		for (k = 0; k < N_LAYER_TENSORS; k++) {
			const float **slot =
			    (const float **)((char *)&m->layers[l] + layer_tensors[k].off);
			if (b->cfg->arch == XNR_ARCH_DEBERTA && layer_tensors[k].deberta)
				continue;
			snprintf(name, sizeof name, "%s.layer.%d.%s",
			         distil ? "transformer" : "encoder", l,
			         layer_tensor_name(b->cfg->arch, k));
			s = bind(b, slot, name, 1,
			         layer_want(b, layer_tensors[k].shape, why, sizeof why), err);
			if (s != XNR_OK)
				return s;
		}
		if ((s = bind_deberta_self(b, &m->layers[l], l, err)) != XNR_OK)
			return s;
	}
	return XNR_OK;
}

/* DeBERTa-v2's relative embeddings [2 * span, H] and their LayerNorm. */
static enum xnr_status bind_relative(struct binder *b, struct xnr_model *m, struct xnr_error *err)
{
	const struct xnr_deberta_config *d = &b->cfg->deberta;
	int H = b->cfg->hidden_size;
	char why[128];
	enum xnr_status s;

	if (!d->relative_attention)
		return XNR_OK;
	/* v1 too: its slice of the table comes to row clamp(i - j + span) (deberta.c) */
	m->rel.span = d->position_buckets > 0 ? d->position_buckets : d->max_relative_positions;
	snprintf(why, sizeof why, "2 x %s, hidden_size",
	         d->position_buckets > 0 ? "position_buckets"
	                                 : "max_relative_positions (or max_position_embeddings)");
	s = bind(b, &m->rel.emb, "encoder.rel_embeddings.weight", 1,
	         want2(2 * (int64_t)m->rel.span, H, why), err);
	if (s == XNR_OK && d->norm_rel_ebd)
		s = bind(b, &m->rel.ln_w, "encoder.LayerNorm.weight", 1, want1(H, "hidden_size"),
		         err);
	if (s == XNR_OK && d->norm_rel_ebd)
		s = bind(b, &m->rel.ln_b, "encoder.LayerNorm.bias", 1, want1(H, "hidden_size"),
		         err);
	return s;
}

static enum xnr_status bind_all(struct binder *b, struct xnr_model *m, struct xnr_error *err)
{
	const struct xnr_model_config *c = b->cfg;
	char why[96];
	enum xnr_status s = bind_embeddings(b, m, err);

	if (s == XNR_OK)
		s = bind_layers(b, m, err);
	if (s == XNR_OK)
		s = bind_relative(b, m, err);
	if (s != XNR_OK || !c->has_classifier)
		return s;
	snprintf(why, sizeof why, "len(id2label), %s", b->h_key);
	s = bind(b, &m->cls_w, "classifier.weight", 0, want2(c->n_labels, c->hidden_size, why),
	         err);
	if (s == XNR_OK)
		s = bind(b, &m->cls_b, "classifier.bias", 0, want1(c->n_labels, "len(id2label)"),
		         err);
	return s;
}

/* Little-endian F32/F16/BF16 bytes (any alignment) to F32. */
static void convert(const struct xnr_st_tensor *t, float *dst)
{
	const unsigned char *p = t->data;
	int64_t i;

	for (i = 0; i < t->n_elems; i++) {
		uint32_t bits;
		if (t->dtype == XNR_DTYPE_F32) {
			bits = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
			       (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
			memcpy(&dst[i], &bits, sizeof bits);
		} else if (t->dtype == XNR_DTYPE_BF16) {
			bits = ((uint32_t)p[2 * i] | (uint32_t)p[2 * i + 1] << 8) << 16;
			memcpy(&dst[i], &bits, sizeof bits);
		} else {
			dst[i] = xnr_f16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
		}
	}
}

static int in_place(const struct xnr_st_tensor *t)
{
	return t->dtype == XNR_DTYPE_F32 && (uintptr_t)t->data % _Alignof(float) == 0;
}

/* Point every slot at F32 data: in place when possible, else into one
 * allocation holding all converted tensors. */
static enum xnr_status resolve(struct binder *b, struct xnr_model *m, struct xnr_error *err)
{
	size_t n = 0, at = 0;
	int i;

	for (i = 0; i < b->n_binds; i++)
		if (!in_place(b->binds[i].t))
			n += (size_t)b->binds[i].t->n_elems;
	if (n > 0) {
		m->converted = malloc(n * sizeof(float));
		if (!m->converted)
			return xnr_fail_at(err, XNR_ERR_NOMEM, b->what, 0,
			                   "cannot allocate %zu MB to convert weights to F32",
			                   n * sizeof(float) >> 20);
		m->converted_bytes = n * sizeof(float);
	}
	for (i = 0; i < b->n_binds; i++) {
		const struct xnr_st_tensor *t = b->binds[i].t;
		if (in_place(t)) {
			*b->binds[i].slot = t->data;
			continue;
		}
		convert(t, m->converted + at);
		*b->binds[i].slot = m->converted + at;
		at += (size_t)t->n_elems;
	}
	return XNR_OK;
}

static void binder_init(struct binder *b, const struct xnr_model *m, const char *what)
{
	int distil = m->cfg.arch == XNR_ARCH_DISTILBERT;

	memset(b, 0, sizeof *b);
	b->st = m->st;
	b->cfg = &m->cfg;
	b->what = what;
	b->prefix = arch_prefix[m->cfg.arch];
	b->h_key = distil ? "dim" : "hidden_size";
	b->i_key = distil ? "hidden_dim" : "intermediate_size";
	b->e_key = m->cfg.arch == XNR_ARCH_ELECTRA || xnr_arch_is_deberta(m->cfg.arch)
	               ? "embedding_size"
	               : b->h_key;
}

static enum xnr_status load_weights(const char *dir, struct xnr_model *m, struct xnr_error *err)
{
	struct binder b;
	enum xnr_status s = xnr_safetensors_open_dir(dir, &m->st, err);

	if (s != XNR_OK)
		return s;
	binder_init(&b, m, xnr_safetensors_source(m->st));
	m->layers = calloc((size_t)m->cfg.n_layers, sizeof *m->layers);
	b.binds =
	    calloc((size_t)m->cfg.n_layers * (N_LAYER_TENSORS + N_POS_TENSORS) + N_OTHER_TENSORS,
	           sizeof *b.binds);
	if (!m->layers || !b.binds)
		s = xnr_fail_at(err, XNR_ERR_NOMEM, dir, 0, "out of memory for %d layers",
		                m->cfg.n_layers);
	if (s == XNR_OK)
		s = bind_all(&b, m, err);
	if (s == XNR_OK)
		s = resolve(&b, m, err);
	if (s == XNR_OK && xnr_arch_is_deberta(m->cfg.arch))
		s = xnr__deberta_prepare(m, err);
	free(b.binds);
	return s;
}

enum xnr_status xnr_model_open(const char *dir, struct xnr_model **out, struct xnr_error *err)
{
	char path[4096];
	struct xnr_model *m = calloc(1, sizeof *m);
	enum xnr_status s;

	if (!m)
		return xnr_fail_at(err, XNR_ERR_NOMEM, dir, 0, "out of memory");
	s = xnr_path_join(path, sizeof path, dir, "config.json", err);
	if (s != XNR_OK)
		goto fail;
	if (!xnr_file_exists(path)) {
		s = xnr_fail_at(err, XNR_ERR_NOT_FOUND, path, 0,
		                "not found (a Hugging Face model folder has config.json next "
		                "to model.safetensors)");
		goto fail;
	}
	s = xnr_config_load(path, &m->cfg, err);
	if (s != XNR_OK)
		goto fail;
	s = load_weights(dir, m, err);
	if (s != XNR_OK)
		goto fail;
	*out = m;
	return XNR_OK;
fail:
	xnr_model_close(m);
	return s;
}

void xnr_model_close(struct xnr_model *model)
{
	if (!model)
		return;
	xnr__model_lowp_free(model);
	xnr_config_free(&model->cfg);
	xnr_safetensors_close(model->st);
	free(model->converted);
	free(model->rel.idx);
	free(model->rel.pos);
	free(model->rel.qkv);
	free(model->layers);
	free(model);
}

const struct xnr_model_config *xnr_model_config(const struct xnr_model *model)
{
	return &model->cfg;
}

size_t xnr_model_weight_bytes(const struct xnr_model *model)
{
	return xnr_safetensors_bytes(model->st) + model->converted_bytes + model->rel.pos_bytes;
}
