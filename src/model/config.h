/*
 * config.h - the parts of a Hugging Face config.json that inference needs,
 * with each architecture's class defaults applied (BertConfig,
 * DistilBertConfig's dim/n_heads aliases, RobertaConfig, ElectraConfig,
 * DebertaV2Config).
 */
#ifndef XNR_MODEL_CONFIG_H
#define XNR_MODEL_CONFIG_H

#include "core/status.h"
#include "tensor/act.h"

enum xnr_arch {
	XNR_ARCH_BERT,
	XNR_ARCH_DISTILBERT,
	XNR_ARCH_ROBERTA,
	XNR_ARCH_XLM_ROBERTA,
	XNR_ARCH_ELECTRA,
	XNR_ARCH_DEBERTA_V2,
	XNR_ARCH_DEBERTA, /* v1 */
	XNR_ARCH_COUNT
};

/* DeBERTa-v2/v3 (and v1) disentangled attention (hf-formats.md 3.5), all 0
 * elsewhere. v1 has no buckets, no shared keys and no LayerNorm on its
 * relative embeddings. */
struct xnr_deberta_config {
	int relative_attention;     /* relative position embeddings and c2p / p2c terms */
	int position_buckets;       /* > 0: log buckets, rel. embeddings [2 * this, H] */
	int max_relative_positions; /* -1 or < 1 in the file is max_position_embeddings */
	int c2p, p2c;               /* pos_att_type entries */
	int share_att_key;          /* positions through query_proj / key_proj */
	int norm_rel_ebd;           /* norm_rel_ebd has "layer_norm": encoder.LayerNorm */
	int position_biased_input;  /* absolute position embeddings added */
	int scale_factor;           /* scores / sqrt(d * this): 1 + [c2p] + [p2c] (v2),
	                             * 1 + len(pos_att_type) (v1) */
};

/* DeBERTa v1 or v2/v3. */
int xnr_arch_is_deberta(enum xnr_arch arch);

struct xnr_model_config {
	enum xnr_arch arch;
	char architecture[64]; /* "BertForTokenClassification", or "BertModel" */
	char model_type[32];   /* "bert" */
	int vocab_size;
	int hidden_size;
	int embedding_size; /* ELECTRA, DeBERTa-v2; = hidden_size elsewhere */
	int n_layers;
	int n_heads;
	int intermediate_size;
	int max_positions;
	int type_vocab_size; /* 0: no token type embeddings (DistilBERT) */
	int pad_token_id;
	int position_offset; /* first position id: pad_token_id + 1 for RoBERTa / XLM-R, else 0 */
	float layer_norm_eps;
	enum xnr_act act;
	struct xnr_deberta_config deberta;
	/* 0 for a bare encoder (architectures BertModel, ..., e.g. a
	 * sentence-transformers folder): no classifier, n_labels 0, id2label NULL */
	int has_classifier;
	int n_labels;
	char **id2label; /* n_labels strings, index = label id */
};

/* Parse config.json at path. A bare base-model class (BertModel,
 * DistilBertModel, RobertaModel, XLMRobertaModel, ElectraModel,
 * DebertaV2Model) gives
 * has_classifier 0 and no labels. Errors: XNR_ERR_NOT_FOUND, XNR_ERR_IO
 * (as xnr_file_read), XNR_ERR_FORMAT (missing or
 * ill-typed key; id2label ids not 0..n-1), XNR_ERR_UNSUPPORTED (architecture
 * or activation we do not run; the message lists the supported ones). */
XNR_MUST_CHECK enum xnr_status xnr_config_load(const char *path, struct xnr_model_config *out,
                                               struct xnr_error *err);
void xnr_config_free(struct xnr_model_config *cfg);

const char *xnr_arch_str(enum xnr_arch arch);
const char *xnr_act_str(enum xnr_act act);

#endif
