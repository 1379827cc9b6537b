/*
 * model/internal.h - the loaded weights, shared by the loader (load.c) and the
 * forward pass (forward.c). Not for use outside src/model/.
 *
 * Every architecture is mapped onto one post-LN encoder layout (HF BertLayer):
 * DistilBERT's q_lin/sa_layer_norm/ffn.lin1 and friends land in the same
 * fields. All pointers are F32, row-major, Linear weights [out, in].
 */
#ifndef XNR_MODEL_INTERNAL_H
#define XNR_MODEL_INTERNAL_H

#include <stddef.h>

#include "model/config.h"
#include "model/model.h"
#include "model/safetensors.h"
#include "tensor/lowp.h"

struct xnr__layer {
	const float *q_w, *q_b, *k_w, *k_b, *v_w, *v_b; /* [H,H], [H] */
	const float *o_w, *o_b;                         /* attention output dense */
	const float *ln1_w, *ln1_b;                     /* attention output LayerNorm */
	const float *ff1_w, *ff1_b;                     /* [I,H], [I] */
	const float *ff2_w, *ff2_b;                     /* [H,I], [H] */
	const float *ln2_w, *ln2_b;                     /* output LayerNorm */
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
		const float *proj_w, *proj_b; /* ELECTRA embeddings_project [H,E], [H] or NULL */
	} emb;
	struct xnr__layer *layers;    /* n_layers */
	const float *cls_w, *cls_b;   /* [L,H], [L] */
	enum xnr_precision prec;      /* of the encoder's Linears; FP32 unless set */
	struct xnr__lowp_layer *lowp; /* n_layers, when prec is not FP32 */
	struct xnr_lowp_w lowp_proj;  /* ELECTRA's projection, when present */
};

/* Free the lower-precision weights and go back to FP32. */
void xnr__model_lowp_free(struct xnr_model *m);

#endif
