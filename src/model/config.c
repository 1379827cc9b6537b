/*
 * config.c - reads the inference-relevant keys of a Hugging Face config.json
 * with each class's defaults (transformers BertConfig, DistilBertConfig with
 * its dim/n_heads/n_layers attribute aliases, RobertaConfig, XLMRobertaConfig,
 * ElectraConfig, DebertaV2Config; reference/hf-formats.md 3.0-3.6). architectures[0]
 * picks the class, model_type is the fallback when it is absent. The bare
 * base-model classes (BertModel, ...: sentence-transformers folders,
 * hf-formats.md 7) load as encoders without a classification head or labels.
 */
#include "model/config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

/* config.json is a few KB; a label map of 100k labels still fits. */
#define CONFIG_MAX_BYTES (16u << 20)
/* Caps that keep every size product far from int overflow. */
#define CONFIG_MAX_DIM    (1 << 24)
#define CONFIG_MAX_LAYERS 1024
#define CONFIG_MAX_LABELS 100000

static const struct {
	enum xnr_arch arch;
	const char *architecture;
	const char *model_type;
	const char *bare; /* the base model class, saved without a head */
} arch_table[XNR_ARCH_COUNT] = {
    {XNR_ARCH_BERT, "BertForTokenClassification", "bert", "BertModel"},
    {XNR_ARCH_DISTILBERT, "DistilBertForTokenClassification", "distilbert", "DistilBertModel"},
    {XNR_ARCH_ROBERTA, "RobertaForTokenClassification", "roberta", "RobertaModel"},
    {XNR_ARCH_XLM_ROBERTA, "XLMRobertaForTokenClassification", "xlm-roberta", "XLMRobertaModel"},
    {XNR_ARCH_ELECTRA, "ElectraForTokenClassification", "electra", "ElectraModel"},
    {XNR_ARCH_DEBERTA_V2, "DebertaV2ForTokenClassification", "deberta-v2", "DebertaV2Model"},
    {XNR_ARCH_DEBERTA, "DebertaForTokenClassification", "deberta", "DebertaModel"},
};

#define SUPPORTED_ARCHS                                                                            \
	"BertForTokenClassification, DistilBertForTokenClassification, "                           \
	"RobertaForTokenClassification, XLMRobertaForTokenClassification, "                        \
	"ElectraForTokenClassification, DebertaV2ForTokenClassification; encoders without a "      \
	"head: BertModel, DistilBertModel, RobertaModel, XLMRobertaModel, ElectraModel, "          \
	"DebertaV2Model"

/* transformers ACT2FN names we run; several names share one function. */
static const struct {
	const char *name;
	enum xnr_act act;
} act_table[] = {
    {"gelu", XNR_ACT_GELU},
    {"gelu_new", XNR_ACT_GELU_TANH},
    {"gelu_pytorch_tanh", XNR_ACT_GELU_TANH},
    {"gelu_fast", XNR_ACT_GELU_FAST},
    {"quick_gelu", XNR_ACT_QUICK_GELU},
    {"relu", XNR_ACT_RELU},
    {"silu", XNR_ACT_SILU},
    {"swish", XNR_ACT_SILU},
    {"tanh", XNR_ACT_TANH},
    {"linear", XNR_ACT_LINEAR},
};

const char *xnr_arch_str(enum xnr_arch arch)
{
	if ((unsigned)arch >= XNR_ARCH_COUNT)
		return "unknown architecture";
	return arch_table[arch].model_type;
}

int xnr_arch_is_deberta(enum xnr_arch arch)
{
	return arch == XNR_ARCH_DEBERTA_V2 || arch == XNR_ARCH_DEBERTA;
}

const char *xnr_act_str(enum xnr_act act)
{
	static const char *const names[XNR_ACT_COUNT] = {
	    [XNR_ACT_GELU] = "gelu",           [XNR_ACT_GELU_TANH] = "gelu_new",
	    [XNR_ACT_GELU_FAST] = "gelu_fast", [XNR_ACT_QUICK_GELU] = "quick_gelu",
	    [XNR_ACT_RELU] = "relu",           [XNR_ACT_SILU] = "silu",
	    [XNR_ACT_TANH] = "tanh",           [XNR_ACT_LINEAR] = "linear",
	};
	if ((unsigned)act >= XNR_ACT_COUNT)
		return "unknown activation";
	return names[act];
}

/* The class from architectures[0], else from model_type; *bare = 1 for a
 * base-model class (no token-classification head). */
static enum xnr_status pick_arch(const json_t *root, const char *path, enum xnr_arch *out,
                                 int *bare, struct xnr_error *err)
{
	const json_t *archs = json_object_get(root, "architectures");
	const char *name = NULL, *type = NULL;
	int i;

	if (archs && !json_is_null(archs)) {
		if (!json_is_array(archs) || json_array_size(archs) == 0 ||
		    !json_is_string(json_array_get(archs, 0)))
			return xnr_fail_at(
			    err, XNR_ERR_FORMAT, path, 0,
			    "key \"architectures\" must be a non-empty list of class names");
		name = json_string_value(json_array_get(archs, 0));
	} else if (xnr_json_str(root, "model_type", &type, path, err) < 0) {
		return XNR_ERR_FORMAT;
	}
	for (i = 0; i < XNR_ARCH_COUNT; i++) {
		*bare = name && strcmp(name, arch_table[i].bare) == 0;
		if (*bare || (name && strcmp(name, arch_table[i].architecture) == 0) ||
		    (type && strcmp(type, arch_table[i].model_type) == 0)) {
			*out = arch_table[i].arch;
			return XNR_OK;
		}
	}
	if (!name && !type)
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, path, 0,
		    "neither \"architectures\" nor \"model_type\" is set (add \"architectures\": "
		    "[\"BertForTokenClassification\"] or similar)");
	return xnr_fail_at(err, XNR_ERR_UNSUPPORTED, path, 0,
	                   "%s \"%.64s\" is not supported; supported: " SUPPORTED_ARCHS
	                   " (model_type bert, distilbert, roberta, xlm-roberta, electra, "
	                   "deberta-v2, deberta)",
	                   name ? "architecture" : "model_type", name ? name : type);
}

/* An integer key within [lo, hi]; *out keeps its default when the key is absent. */
static enum xnr_status get_int(const json_t *root, const char *key, int lo, int hi, int *out,
                               const char *path, struct xnr_error *err)
{
	int64_t v;
	int r = xnr_json_int(root, key, &v, path, err);

	if (r < 0)
		return XNR_ERR_FORMAT;
	if (r == 0)
		return XNR_OK;
	if (v < lo || v > hi)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "key \"%s\" is %lld, expected %d to %d", key, (long long)v, lo,
		                   hi);
	*out = (int)v;
	return XNR_OK;
}

/* DistilBertConfig stores `alias` but also accepts the generic `key`. */
static enum xnr_status get_int_alias(const json_t *root, const char *key, const char *alias, int lo,
                                     int hi, int *out, const char *path, struct xnr_error *err)
{
	int a = *out, b = *out;
	enum xnr_status s = get_int(root, alias, lo, hi, &a, path, err);

	if (s == XNR_OK)
		s = get_int(root, key, lo, hi, &b, path, err);
	if (s != XNR_OK)
		return s;
	if (json_object_get(root, key) && json_object_get(root, alias) && a != b)
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, path, 0,
		    "\"%s\" is %d but \"%s\" is %d (they are the same setting; keep one)", alias, a,
		    key, b);
	*out = json_object_get(root, alias) ? a : b;
	return XNR_OK;
}

static enum xnr_status get_act(const json_t *root, const char *key, enum xnr_act *out,
                               const char *path, struct xnr_error *err)
{
	const char *name;
	size_t i;
	int r = xnr_json_str(root, key, &name, path, err);

	if (r < 0)
		return XNR_ERR_FORMAT;
	if (r == 0)
		return XNR_OK;
	for (i = 0; i < sizeof act_table / sizeof act_table[0]; i++) {
		if (strcmp(name, act_table[i].name) == 0) {
			*out = act_table[i].act;
			return XNR_OK;
		}
	}
	return xnr_fail_at(
	    err, XNR_ERR_UNSUPPORTED, path, 0,
	    "%s \"%.64s\" is not supported; supported: gelu, gelu_new, gelu_pytorch_tanh, "
	    "gelu_fast, quick_gelu, relu, silu, swish, tanh, linear",
	    key, name);
}

/* The class defaults (transformers' *Config.__init__ signatures). */
static void set_defaults(struct xnr_model_config *c, enum xnr_arch arch)
{
	memset(c, 0, sizeof *c);
	c->arch = arch;
	c->vocab_size = 30522;
	c->hidden_size = 768;
	c->n_layers = 12;
	c->n_heads = 12;
	c->intermediate_size = 3072;
	c->max_positions = 512;
	c->type_vocab_size = 2;
	c->layer_norm_eps = 1e-12f;
	c->act = XNR_ACT_GELU;
	if (arch == XNR_ARCH_DISTILBERT) {
		c->n_layers = 6;
		c->type_vocab_size = 0;
	} else if (arch == XNR_ARCH_ROBERTA || arch == XNR_ARCH_XLM_ROBERTA) {
		c->vocab_size = arch == XNR_ARCH_ROBERTA ? 50265 : 30522;
		c->pad_token_id = 1;
	} else if (arch == XNR_ARCH_ELECTRA) {
		c->embedding_size = 128;
		c->hidden_size = 256;
		c->n_heads = 4;
		c->intermediate_size = 1024;
	} else if (xnr_arch_is_deberta(arch)) {
		/* DebertaV2Config: the xxlarge sizes (v3 files set them all);
		 * DebertaConfig: BERT-base's */
		if (arch == XNR_ARCH_DEBERTA_V2) {
			c->vocab_size = 128100;
			c->hidden_size = 1536;
			c->n_layers = 24;
			c->n_heads = 24;
			c->intermediate_size = 6144;
		} else {
			c->vocab_size = 50265;
		}
		c->type_vocab_size = 0;
		c->layer_norm_eps = 1e-7f;
		c->deberta.max_relative_positions = -1;
		c->deberta.position_buckets = -1;
		c->deberta.position_biased_input = 1;
	}
}

static enum xnr_status read_distilbert(const json_t *root, struct xnr_model_config *c,
                                       const char *path, struct xnr_error *err)
{
	enum xnr_status s;

	s = get_int_alias(root, "hidden_size", "dim", 1, CONFIG_MAX_DIM, &c->hidden_size, path,
	                  err);
	if (s == XNR_OK)
		s = get_int_alias(root, "num_attention_heads", "n_heads", 1, CONFIG_MAX_DIM,
		                  &c->n_heads, path, err);
	if (s == XNR_OK)
		s = get_int_alias(root, "num_hidden_layers", "n_layers", 1, CONFIG_MAX_LAYERS,
		                  &c->n_layers, path, err);
	if (s == XNR_OK)
		s = get_int(root, "hidden_dim", 1, CONFIG_MAX_DIM, &c->intermediate_size, path,
		            err);
	if (s == XNR_OK)
		s = get_act(root, "activation", &c->act, path, err);
	return s;
}

static enum xnr_status read_bert_like(const json_t *root, struct xnr_model_config *c,
                                      const char *path, struct xnr_error *err)
{
	double eps = c->layer_norm_eps;
	enum xnr_status s;
	int r;

	s = get_int(root, "hidden_size", 1, CONFIG_MAX_DIM, &c->hidden_size, path, err);
	if (s == XNR_OK)
		s = get_int(root, "num_attention_heads", 1, CONFIG_MAX_DIM, &c->n_heads, path, err);
	if (s == XNR_OK)
		s = get_int(root, "num_hidden_layers", 1, CONFIG_MAX_LAYERS, &c->n_layers, path,
		            err);
	if (s == XNR_OK)
		s = get_int(root, "intermediate_size", 1, CONFIG_MAX_DIM, &c->intermediate_size,
		            path, err);
	/* DeBERTa's type_vocab_size 0 means no token type embeddings */
	if (s == XNR_OK)
		s = get_int(root, "type_vocab_size", xnr_arch_is_deberta(c->arch) ? 0 : 1,
		            CONFIG_MAX_DIM, &c->type_vocab_size, path, err);
	if (s == XNR_OK && (c->arch == XNR_ARCH_ELECTRA || xnr_arch_is_deberta(c->arch)))
		s = get_int(root, "embedding_size", 1, CONFIG_MAX_DIM, &c->embedding_size, path,
		            err);
	if (s == XNR_OK)
		s = get_act(root, "hidden_act", &c->act, path, err);
	if (s != XNR_OK)
		return s;
	r = xnr_json_num(root, "layer_norm_eps", &eps, path, err);
	if (r < 0)
		return XNR_ERR_FORMAT;
	/* LayerNorm adds eps as a float: one that rounds to 0 would divide by zero. */
	if (!(eps > 0 && eps < 1) || !((float)eps > 0))
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "key \"layer_norm_eps\" is %g, expected a small positive number "
		                   "(1e-45 or more: it is used as a float)",
		                   eps);
	c->layer_norm_eps = (float)eps;
	return XNR_OK;
}

/* Only absolute position embeddings exist in the checkpoints we load. */
static enum xnr_status check_position_type(const json_t *root, const char *path,
                                           struct xnr_error *err)
{
	const char *type = "absolute";

	if (xnr_json_str(root, "position_embedding_type", &type, path, err) < 0)
		return XNR_ERR_FORMAT;
	if (strcmp(type, "absolute") != 0)
		return xnr_fail_at(
		    err, XNR_ERR_UNSUPPORTED, path, 0,
		    "position_embedding_type \"%.32s\" is not supported; only \"absolute\" is",
		    type);
	return XNR_OK;
}

/* A label id key: "0" or a decimal without sign, spaces or leading zeros. */
static int parse_label_id(const char *key, int n)
{
	long v = 0;
	const char *p = key;

	if (*p == '\0' || (*p == '0' && p[1] != '\0'))
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v >= n)
			return -1;
	}
	return (int)v;
}

static enum xnr_status labels_alloc(struct xnr_model_config *c, int n, const char *path,
                                    struct xnr_error *err)
{
	c->id2label = calloc((size_t)n, sizeof *c->id2label);
	if (!c->id2label)
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory for %d labels", n);
	c->n_labels = n;
	return XNR_OK;
}

static enum xnr_status labels_from_map(const json_t *map, struct xnr_model_config *c,
                                       const char *path, struct xnr_error *err)
{
	const char *key;
	json_t *v;
	int n = (int)json_object_size(map);
	enum xnr_status s;

	if (n == 0 || json_object_size(map) > CONFIG_MAX_LABELS)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "\"id2label\" has %zu labels, expected 1 to %d",
		                   json_object_size(map), CONFIG_MAX_LABELS);
	s = labels_alloc(c, n, path, err);
	if (s != XNR_OK)
		return s;
	json_object_foreach((json_t *)map, key, v)
	{
		int id = parse_label_id(key, n);
		if (id < 0 || c->id2label[id])
			return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
			                   "id2label key \"%.32s\" is not one of \"0\"..\"%d\" "
			                   "(the ids must be exactly 0..n-1)",
			                   key, n - 1);
		if (!json_is_string(v))
			return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
			                   "id2label \"%s\" must be a string", key);
		c->id2label[id] = strdup(json_string_value(v));
		if (!c->id2label[id])
			return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	}
	return XNR_OK;
}

/* id2label, or LABEL_0.. LABEL_{num_labels-1} as transformers names them when
 * only num_labels is given. */
static enum xnr_status read_labels(const json_t *root, struct xnr_model_config *c, const char *path,
                                   struct xnr_error *err)
{
	const json_t *map = json_object_get(root, "id2label");
	int n = 0, i;
	enum xnr_status s;

	if (map && !json_is_null(map)) {
		if (!json_is_object(map))
			return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
			                   "\"id2label\" must be an object {\"0\": \"O\", ...}");
		return labels_from_map(map, c, path, err);
	}
	s = get_int(root, "num_labels", 1, CONFIG_MAX_LABELS, &n, path, err);
	if (s != XNR_OK)
		return s;
	if (n == 0)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "no \"id2label\" (add the label names, e.g. \"id2label\": "
		                   "{\"0\": \"O\", \"1\": \"B-PER\", ...})");
	s = labels_alloc(c, n, path, err);
	for (i = 0; s == XNR_OK && i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "LABEL_%d", i);
		c->id2label[i] = strdup(name);
		if (!c->id2label[i])
			s = xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	}
	return s;
}

/* pos_att_type: a list, or the legacy "p2c|c2p" string (DebertaV2Config
 * splits it on '|'). Entries transformers does not act on are ignored, as
 * there. */
static enum xnr_status read_pos_att(const json_t *root, struct xnr_deberta_config *d, int *n,
                                    const char *path, struct xnr_error *err)
{
	const json_t *v = json_object_get(root, "pos_att_type");
	const char *str;
	size_t i;

	*n = 0;
	if (!v || json_is_null(v))
		return XNR_OK;
	if (json_is_string(v)) {
		str = json_string_value(v);
		d->c2p = strstr(str, "c2p") != NULL;
		d->p2c = strstr(str, "p2c") != NULL;
		for (*n = 1; *str; str++)
			*n += *str == '|';
		return XNR_OK;
	}
	if (!json_is_array(v))
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, path, 0,
		    "key \"pos_att_type\" must be a list such as [\"p2c\", \"c2p\"]");
	for (i = 0; i < json_array_size(v); i++) {
		str = json_string_value(json_array_get(v, i));
		if (!str)
			return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
			                   "key \"pos_att_type\" must hold strings");
		d->c2p |= strcmp(str, "c2p") == 0;
		d->p2c |= strcmp(str, "p2c") == 0;
	}
	*n = (int)json_array_size(v);
	return XNR_OK;
}

/* The convolution after the first layer (DeBERTa-v2 xlarge / xxlarge) and a
 * head size other than hidden_size / heads are refused, not ignored. */
static enum xnr_status check_deberta_unsupported(const json_t *root,
                                                 const struct xnr_model_config *c, const char *path,
                                                 struct xnr_error *err)
{
	int conv = 0, head = c->hidden_size / c->n_heads;
	enum xnr_status s = get_int(root, "conv_kernel_size", 0, CONFIG_MAX_DIM, &conv, path, err);

	if (s == XNR_OK)
		s = get_int(root, "attention_head_size", 1, CONFIG_MAX_DIM, &head, path, err);
	if (s != XNR_OK)
		return s;
	if (conv > 0)
		return xnr_fail_at(err, XNR_ERR_UNSUPPORTED, path, 0,
		                   "conv_kernel_size %d: the convolution layer of DeBERTa-v2 "
		                   "xlarge/xxlarge is not supported (DeBERTa-v3 has none)",
		                   conv);
	if (head * c->n_heads != c->hidden_size)
		return xnr_fail_at(err, XNR_ERR_UNSUPPORTED, path, 0,
		                   "attention_head_size %d x %d heads differs from hidden_size %d; "
		                   "not supported",
		                   head, c->n_heads, c->hidden_size);
	return XNR_OK;
}

/* DebertaV2Config's (and DebertaConfig's) attention keys (hf-formats.md
 * 3.5). v1 reads no buckets, shared keys or relative LayerNorm, and scales by
 * the length of pos_att_type (v2 counts c2p and p2c). */
static enum xnr_status read_deberta(const json_t *root, struct xnr_model_config *c,
                                    const char *path, struct xnr_error *err)
{
	struct xnr_deberta_config *d = &c->deberta;
	int v2 = c->arch == XNR_ARCH_DEBERTA_V2;
	const char *norm = "none";
	int mid, n_types = 0;
	enum xnr_status s = check_deberta_unsupported(root, c, path, err);

	if (s == XNR_OK)
		s = read_pos_att(root, d, &n_types, path, err);
	d->scale_factor = v2 ? 1 + d->c2p + d->p2c : 1 + n_types;
	if (s == XNR_OK && v2)
		s = get_int(root, "position_buckets", -CONFIG_MAX_DIM, CONFIG_MAX_DIM,
		            &d->position_buckets, path, err);
	if (s == XNR_OK)
		s = get_int(root, "max_relative_positions", -CONFIG_MAX_DIM, CONFIG_MAX_DIM,
		            &d->max_relative_positions, path, err);
	if (s != XNR_OK)
		return s;
	if (xnr_json_bool(root, "relative_attention", &d->relative_attention, path, err) < 0 ||
	    xnr_json_bool(root, "position_biased_input", &d->position_biased_input, path, err) <
	        0 ||
	    (v2 && xnr_json_bool(root, "share_att_key", &d->share_att_key, path, err) < 0) ||
	    (v2 && xnr_json_str(root, "norm_rel_ebd", &norm, path, err) < 0))
		return XNR_ERR_FORMAT;
	d->norm_rel_ebd = strstr(norm, "layer_norm") != NULL;
	if (d->max_relative_positions < 1)
		d->max_relative_positions = c->max_positions;
	mid = d->position_buckets / 2;
	/* the log buckets divide by mid and by log((max_relative_positions - 1) / mid) */
	if (d->relative_attention && d->position_buckets > 0 &&
	    (mid < 1 || d->max_relative_positions <= mid + 1))
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "position_buckets %d with max_relative_positions %d: the log "
		                   "buckets need 2 <= position_buckets < 2 * "
		                   "(max_relative_positions - 1)",
		                   d->position_buckets, d->max_relative_positions);
	return XNR_OK;
}

static enum xnr_status read_config(const json_t *root, struct xnr_model_config *c, const char *path,
                                   struct xnr_error *err)
{
	enum xnr_status s;

	if (c->arch == XNR_ARCH_DISTILBERT) {
		s = read_distilbert(root, c, path, err);
	} else {
		s = read_bert_like(root, c, path, err);
		if (s == XNR_OK)
			s = check_position_type(root, path, err);
	}
	if (s == XNR_OK)
		s = get_int(root, "vocab_size", 1, CONFIG_MAX_DIM, &c->vocab_size, path, err);
	if (s == XNR_OK)
		s = get_int(root, "max_position_embeddings", 1, CONFIG_MAX_DIM, &c->max_positions,
		            path, err);
	if (s == XNR_OK)
		s = get_int(root, "pad_token_id", 0, CONFIG_MAX_DIM, &c->pad_token_id, path, err);
	if (s == XNR_OK && xnr_arch_is_deberta(c->arch) && c->hidden_size % c->n_heads == 0)
		s = read_deberta(root, c, path, err);
	if (s != XNR_OK)
		return s;
	if (c->embedding_size == 0)
		c->embedding_size = c->hidden_size;
	if (c->arch == XNR_ARCH_ROBERTA || c->arch == XNR_ARCH_XLM_ROBERTA)
		c->position_offset = c->pad_token_id + 1;
	if (c->hidden_size % c->n_heads != 0)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "hidden size %d is not a multiple of the %d attention heads",
		                   c->hidden_size, c->n_heads);
	if (c->position_offset >= c->max_positions)
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, path, 0,
		    "positions start at pad_token_id + 1 = %d, but max_position_embeddings is %d",
		    c->position_offset, c->max_positions);
	/* a bare model's id2label is transformers' unused LABEL_0/LABEL_1 default */
	return c->has_classifier ? read_labels(root, c, path, err) : XNR_OK;
}

enum xnr_status xnr_config_load(const char *path, struct xnr_model_config *out,
                                struct xnr_error *err)
{
	struct xnr_model_config c;
	json_t *root = NULL;
	enum xnr_arch arch = XNR_ARCH_BERT;
	int bare = 0;
	enum xnr_status s = xnr_json_load(path, CONFIG_MAX_BYTES, &root, err);

	if (s != XNR_OK)
		return s;
	memset(&c, 0, sizeof c);
	if (!json_is_object(root)) {
		s = xnr_fail_at(err, XNR_ERR_FORMAT, path, 0, "not a JSON object");
		goto fail;
	}
	s = pick_arch(root, path, &arch, &bare, err);
	if (s != XNR_OK)
		goto fail;
	set_defaults(&c, arch);
	c.has_classifier = !bare;
	snprintf(c.architecture, sizeof c.architecture, "%s",
	         bare ? arch_table[arch].bare : arch_table[arch].architecture);
	snprintf(c.model_type, sizeof c.model_type, "%s", arch_table[arch].model_type);
	s = read_config(root, &c, path, err);
	if (s != XNR_OK)
		goto fail;
	*out = c;
	json_decref(root);
	return XNR_OK;
fail:
	xnr_config_free(&c);
	json_decref(root);
	return s;
}

void xnr_config_free(struct xnr_model_config *cfg)
{
	int i;

	if (!cfg || !cfg->id2label)
		return;
	for (i = 0; i < cfg->n_labels; i++)
		free(cfg->id2label[i]);
	free(cfg->id2label);
	cfg->id2label = NULL;
	cfg->n_labels = 0;
}
