/*
 * model.h - Hugging Face token-classification models on the CPU.
 *
 * A struct xnr_model holds the weights (memory-mapped safetensors, with F16 /
 * BF16 tensors converted once to F32) and is immutable after xnr_model_open:
 * any number of threads may run it, each with its own struct xnr_state
 * (the activations, sized once; the forward pass does not allocate).
 *
 * Architectures: BERT, DistilBERT, RoBERTa, XLM-RoBERTa, ELECTRA,
 * DeBERTa-v2/v3 and v1 (reference/hf-formats.md section 3), with a token-classification
 * head or bare (BertModel, ...: a sentence-transformers encoder, section 7).
 * DeBERTa's disentangled attention adds its position terms to the shared
 * encoder's attention scores (deberta.c).
 */
#ifndef XNR_MODEL_MODEL_H
#define XNR_MODEL_MODEL_H

#include <stdint.h>

#include "core/pool.h"
#include "core/status.h"
#include "model/config.h"
#include "tensor/lowp.h"

struct xnr_model;
struct xnr_state;

/* Load config.json and model.safetensors (or the sharded
 * model.safetensors.index.json, or pytorch_model.bin and its sharded index:
 * model/safetensors.h) from dir; check every tensor's name and shape
 * against the config before returning. Errors: XNR_ERR_NOT_FOUND (no
 * config.json or no weights), XNR_ERR_IO (unreadable), XNR_ERR_FORMAT,
 * XNR_ERR_UNSUPPORTED, XNR_ERR_MISMATCH, each with a message naming the file
 * (err->path). */
XNR_MUST_CHECK enum xnr_status xnr_model_open(const char *dir, struct xnr_model **out,
                                              struct xnr_error *err);
void xnr_model_close(struct xnr_model *model);

const struct xnr_model_config *xnr_model_config(const struct xnr_model *model);

/* Run the encoder's Linear layers in precision p from now on (tensor/lowp.h:
 * the weights converted once here; embeddings, LayerNorm, softmax, attention
 * and the classifier stay f32); FP32 frees them again. States opened before
 * the change are refused by xnr_model_forward: open them after. Errors:
 * those of xnr_precision_check (the CPU or the build lacks the
 * instructions), XNR_ERR_NOMEM. On failure the model stays as it was. */
XNR_MUST_CHECK enum xnr_status xnr_model_set_precision(struct xnr_model *model,
                                                       enum xnr_precision p, struct xnr_error *err);

/* The precision set by xnr_model_set_precision. */
enum xnr_precision xnr_model_precision(const struct xnr_model *model);

/* Bytes of weights in memory (mapped + converted). */
size_t xnr_model_weight_bytes(const struct xnr_model *model);

/* What a forward pass keeps beyond logits and the last hidden state. */
struct xnr_forward_opts {
	int all_hidden; /* every layer's hidden states (embeddings output first) */
	int ffn_acts;   /* every layer's intermediate activations act(x W1 + b1) */
};

/* Per-thread activations for batches of at most max_tokens tokens in total
 * and sequences of at most max_seq_len tokens (<= max_position_embeddings). */
XNR_MUST_CHECK enum xnr_status xnr_state_open(const struct xnr_model *model, int max_tokens,
                                              int max_seq_len, struct xnr_forward_opts opts,
                                              struct xnr_state **out, struct xnr_error *err);
void xnr_state_close(struct xnr_state *state);

/* A batch of sequences packed back to back (no padding): sequence i holds
 * tokens [seq_start[i], seq_start[i+1]). Token type ids may be NULL (all 0). */
struct xnr_batch {
	int n_seq;
	const int32_t *ids;       /* (N) */
	const int32_t *type_ids;  /* (N) or NULL */
	const int32_t *seq_start; /* (n_seq + 1), seq_start[0] = 0, N = seq_start[n_seq] */
};

/* Views into the state's buffers, valid until the next forward on that state. */
struct xnr_outputs {
	int n_tokens;
	const float *logits;     /* (N, n_labels); NULL for a bare encoder */
	const float *hidden;     /* (N, hidden_size): last layer */
	const float *all_hidden; /* (n_layers + 1, N, hidden_size) or NULL */
	const float *ffn_acts;   /* (n_layers, N, intermediate_size) or NULL */
};

/* Run the encoder and the classification head (none when the config's
 * has_classifier is 0). pool may be NULL.
 * Errors: XNR_ERR_INPUT (a token id out of the vocabulary, a sequence longer
 * than the state allows; err->item is the 1-based sequence), XNR_ERR_LIMIT
 * (more tokens than max_tokens). */
XNR_MUST_CHECK enum xnr_status xnr_model_forward(const struct xnr_model *model,
                                                 struct xnr_state *state, struct xnr_pool *pool,
                                                 const struct xnr_batch *batch,
                                                 struct xnr_outputs *out, struct xnr_error *err);

#endif
