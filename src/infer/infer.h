/*
 * infer.h - the inference engine: a model folder's tokenizer + model + compute
 * pool, turning sentences (raw text or pre-split words) into per-token logits,
 * probabilities and hidden states and per-word predictions.
 *
 * Inputs longer than the model's maximum are split into overlapping windows
 * of XNR_ENGINE_WINDOW tokens (each framed with the special tokens); every
 * token takes its prediction from the window where it sits most centrally,
 * so no word is ever truncated away and time grows linearly with the input.
 * Batches are packed by length to keep the GEMMs full. A word's prediction is
 * its first sub-token's, as the models were trained (hf-formats.md 5.2).
 *
 * An engine is used by one thread at a time; open one engine per thread
 * (xnr_engine_open_shared shares an already loaded model and tokenizer).
 */
#ifndef XNR_INFER_INFER_H
#define XNR_INFER_INFER_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

struct xnr_engine;

/* Tokens (special tokens included) per window of an input longer than the
 * model's maximum, or than max_seq_len when that is smaller (infer/window.c). */
#define XNR_ENGINE_WINDOW 128

struct xnr_engine_params {
	int n_threads;                /* compute pool and BLAS threads */
	int max_tokens;               /* tokens per packed batch */
	int max_seq_len;              /* longest input run whole, incl. specials; 0 = the model's
	                               * maximum; longer ones are split into windows of at most
	                               * XNR_ENGINE_WINDOW tokens */
	int keep_hidden;              /* copy each token's last hidden state into results */
	int hidden_layer;             /* with keep_hidden: 0, the last layer's output; N in
	                               * 1..n_layers, layer N's (transformers' hidden_states[N]);
	                               * below the last, every layer is kept during a batch */
	int keep_layers;              /* also every layer's hidden states and FFN activations
	                               * (for the Activations page; memory grows with layers) */
	enum xnr_precision precision; /* of the encoder's Linears (tensor/lowp.h);
	                               * default XNR_PRECISION_FP32, exact */
};

struct xnr_engine_params xnr_engine_default_params(void);

/* Load the model and tokenizer of dir: a folder, or a Hugging Face model id
 * found in the local hub cache or downloaded into it (xnr_hub_resolve). A bare encoder (no
 * token-classification head, e.g. a sentence-transformers folder) opens only
 * with keep_hidden or keep_layers; its sentence_bert_config.json
 * max_seq_length, when set, is the default max_seq_len. Errors are those of
 * xnr_hub_resolve, xnr_model_open and xnr_tokenizer_open, XNR_ERR_MISMATCH
 * when the tokenizer's ids exceed the model's vocabulary, and those of
 * xnr_engine_need_head for a bare encoder without keep_hidden / keep_layers. */
XNR_MUST_CHECK enum xnr_status xnr_engine_open(const char *dir, struct xnr_engine_params params,
                                               struct xnr_engine **out, struct xnr_error *err);
void xnr_engine_close(struct xnr_engine *engine);

const struct xnr_model_config *xnr_engine_config(const struct xnr_engine *engine);
const struct xnr_tokenizer *xnr_engine_tokenizer(const struct xnr_engine *engine);
const struct xnr_model *xnr_engine_model(const struct xnr_engine *engine);

/* XNR_OK when the engine's model has a token-classification head (labels);
 * else XNR_ERR_UNSUPPORTED, "model <dir> has no token-classification head
 * (it is an encoder, e.g. sentence-transformers): use it as the Find
 * Duplicates encoder". For callers that need labels (predict, run). */
XNR_MUST_CHECK enum xnr_status xnr_engine_need_head(const struct xnr_engine *engine,
                                                    struct xnr_error *err);

/* One input: raw text (words == NULL) or pre-split words. Borrowed. */
struct xnr_input {
	const char *text;
	size_t text_len;
	const char *const *words;
	const size_t *word_lens;
	int n_words;
};

/* One input's results. Token arrays cover the input's own tokens (no special
 * tokens), in order; enc holds their ids, word ids and offsets. */
struct xnr_result {
	struct xnr_encoding enc;
	int n_labels; /* 0 for a bare encoder: logits and probs are NULL */
	int hidden_size;
	float *logits;   /* (n_tokens, n_labels) */
	float *probs;    /* (n_tokens, n_labels) softmax of logits */
	float *hidden;   /* (n_tokens, hidden_size), NULL unless keep_hidden: the last
	                  * layer's output, or params.hidden_layer's */
	int n_layers;    /* set with keep_layers */
	int ffn_size;    /* intermediate size, set with keep_layers */
	float *layers;   /* (n_layers + 1, n_tokens, hidden_size): embeddings
	                  * output then each layer; NULL unless keep_layers */
	float *ffn_acts; /* (n_layers, n_tokens, ffn_size): act(x W1 + b1) of
	                  * each layer; NULL unless keep_layers */
	int n_words;
	int32_t *word_tok;  /* (n_words) the word's first token, -1 if it has none */
	int32_t *word_span; /* (n_words, 2) byte span of the word (raw text mode:
	                     * in the text; word mode: 0..word_len) */
	int n_windows;      /* windows the input needed (1 unless too long) */
};

void xnr_result_init(struct xnr_result *res);
void xnr_result_free(struct xnr_result *res);

/* Argmax label of word w and its probability; -1 if the word has no token
 * or the model no labels. */
int xnr_result_word_label(const struct xnr_result *res, int w, float *prob);

/* Run n inputs; results[i] (initialised by the caller) receives input i.
 * Errors: those of the tokenizer (invalid UTF-8: XNR_ERR_INPUT) with
 * err->item the 1-based number of the failing input (the message does not
 * repeat it: the caller knows where input i came from), and those of the
 * forward pass. On error results are left in an unspecified but freeable
 * state. */
XNR_MUST_CHECK enum xnr_status xnr_engine_run(struct xnr_engine *engine,
                                              const struct xnr_input *inputs, int n,
                                              struct xnr_result *results, struct xnr_error *err);

#endif
