/*
 * model/internal.h - the loaded weights, shared by the loader (load.c) and the
 * forward pass (forward.c, deberta.c). Not for use outside src/model/.
 *
 * Every architecture is mapped onto one post-LN encoder layout (HF BertLayer):
 * DistilBERT's q_lin/sa_layer_norm/ffn.lin1 and friends land in the same
 * fields. All pointers are F32, row-major, Linear weights [out, in].
 */
#ifndef XNR_MODEL_INTERNAL_H
#define XNR_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "model/config.h"
#include "model/model.h"
#include "model/safetensors.h"
#include "tensor/lowp.h"
#include "tensor/kernels.h"

struct xnr__layer {
	const float *q_w, *q_b, *k_w, *k_b, *v_w, *v_b; /* [H,H], [H] */
	const float *o_w, *o_b;                         /* attention output dense */
	const float *ln1_w, *ln1_b;                     /* attention output LayerNorm */
	const float *ff1_w, *ff1_b;                     /* [I,H], [I] */
	const float *ff2_w, *ff2_b;                     /* [H,I], [H] */
	const float *ln2_w, *ln2_b;                     /* output LayerNorm */
	/* DeBERTa-v2 relative attention: pos_key_proj / pos_query_proj (NULL
	 * with share_att_key: key_proj / query_proj serve), and the projections
	 * of the relative embeddings, computed once at load (deberta.c):
	 * [2 * span, H] each, biases included; NULL when unused (no c2p / p2c). */
	const float *pk_w, *pk_b, *pq_w, *pq_b;
	const float *pos_k, *pos_q;
	const float *qkv_w; /* DeBERTa v1 in_proj [3H, H]; split into q_w, k_w, v_w */
};

/* DeBERTa-v2 relative positions (hf-formats.md 3.5), shared by all layers. */
struct xnr__rel {
	int span;                 /* position_buckets, else max_relative_positions */
	const float *emb;         /* encoder.rel_embeddings.weight [2 * span, H] */
	const float *ln_w, *ln_b; /* encoder.LayerNorm (norm_rel_ebd) or NULL */
	int32_t *idx;             /* (2 * max_positions - 1): row of pos_k / pos_q for
	                           * query i, key j at idx[i - j + max_positions - 1] */
	float *pos;               /* the layers' pos_k / pos_q, one allocation */
	float *qkv;               /* DeBERTa v1: q_w, k_w, v_w of every layer, then a
	                           * zero key bias [H] */
	size_t pos_bytes;         /* bytes of pos and qkv */
};

/* A layer's Linears in the model's lower precision (precision.c). */
struct xnr__lowp_layer {
	struct xnr_lowp_w q, k, v, o, ff1, ff2;
};

struct xnr_model {
	struct xnr_model_config cfg;
	struct xnr_safetensors *st;
	float *converted; /* F16/BF16/unaligned tensors converted to F32, one allocation */
	size_t converted_bytes;
	struct {
		const float *word;            /* [V,E] */
		const float *position;        /* [P,E] */
		const float *token_type;      /* [T,E] or NULL */
		const float *ln_w, *ln_b;     /* [E] */
		const float *proj_w, *proj_b; /* ELECTRA embeddings_project [H,E], [H] or NULL;
		                               * DeBERTa embed_proj, no bias */
		int norm_after_proj;          /* DeBERTa: LayerNorm [H] after embed_proj */
	} emb;
	struct xnr__rel rel;
	struct xnr__layer *layers;    /* n_layers */
	const float *cls_w, *cls_b;   /* [L,H], [L] */
	enum xnr_precision prec;      /* of the encoder's Linears; FP32 unless set */
	struct xnr__lowp_layer *lowp; /* n_layers, when prec is not FP32 */
	struct xnr_lowp_w lowp_proj;  /* ELECTRA's projection, when present */
};

/* One tensor of a torch.save'd state dict, as its pickle describes it
 * (pickle.c): sizes, strides and the offset in elements of its storage. */
struct xnr__pt_tensor {
	const char *name; /* in the dict's strings */
	const char *key;  /* its storage: the zip record <prefix>/data/<key> */
	enum xnr_dtype dtype;
	int64_t storage_numel, offset;
	int n_dims;
	int64_t size[XNR_ST_MAX_DIMS], stride[XNR_ST_MAX_DIMS];
};

struct xnr__pt_dict {
	struct xnr__pt_tensor *tensors;
	int n_tensors;
	char *strings;
};

/* Read a data.pkl with the restricted unpickler (pickle.c): nothing is ever
 * called; a global outside the allow-list or an opcode torch.save does not
 * write is refused by name. Errors name path and entry and the byte:
 * XNR_ERR_FORMAT, XNR_ERR_UNSUPPORTED (a refused opcode or global), XNR_ERR_LIMIT,
 * XNR_ERR_NOMEM. *out is the caller's to free with xnr__pt_dict_free. */
XNR_MUST_CHECK enum xnr_status xnr__pickle_state_dict(const unsigned char *buf, size_t n_bytes,
                                                      const char *path, const char *entry,
                                                      struct xnr__pt_dict *out,
                                                      struct xnr_error *err);
void xnr__pt_dict_free(struct xnr__pt_dict *d);

/* A pytorch_model.bin read into memory (torchbin.c): tensors point into data. */
struct xnr__torch_file {
	void *data; /* every storage, 64-byte aligned */
	size_t n_bytes;
	struct xnr__pt_dict dict;
	struct xnr_st_tensor *tensors; /* dict.n_tensors, names in dict.strings */
};

/* Open path as a torch zip checkpoint with libzip (CRCs checked), unpickle its
 * data.pkl and read every storage it names. Non-contiguous views are refused.
 * Errors name the file and the zip entry: XNR_ERR_IO, XNR_ERR_FORMAT,
 * XNR_ERR_UNSUPPORTED, XNR_ERR_LIMIT, XNR_ERR_NOMEM. Free with xnr__torch_file_free. */
XNR_MUST_CHECK enum xnr_status xnr__torch_file_read(const char *path, struct xnr__torch_file *out,
                                                    struct xnr_error *err);
void xnr__torch_file_free(struct xnr__torch_file *f);

/* Free the lower-precision weights and go back to FP32. */
void xnr__model_lowp_free(struct xnr_model *m);

/* DeBERTa-v2's log-bucketed relative position of r = i - j (transformers
 * make_log_bucket_position, float32 arithmetic as there; magnitudes past
 * INT_MAX / 2 saturate); r itself when buckets <= 0. Needs, when buckets > 0,
 * buckets >= 2 and max_relative > buckets / 2 + 1 (config.c checks it). */
int xnr__deberta_bucket(int r, int buckets, int max_relative);

/* After the weights are bound: the relative index table and every layer's
 * pos_k / pos_q. Errors: XNR_ERR_NOMEM, XNR_ERR_INTERNAL (GEMM). */
XNR_MUST_CHECK enum xnr_status xnr__deberta_prepare(struct xnr_model *m, struct xnr_error *err);

/* Add head `head`'s c2p and p2c terms (already scaled) to the scores of
 * query i against the S keys of h's sequence; qs is the query with its bias,
 * multiplied by h->scale as for the content scores. */
void xnr__deberta_scores(const struct xnr_model *m, const struct xnr__layer *ly,
                         const struct xnr_attn_head *h, int head, int i, const float *qs,
                         float *scores);

#endif
