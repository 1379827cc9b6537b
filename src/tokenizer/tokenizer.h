/*
 * tokenizer.h - Hugging Face tokenizers in C: tokenizer.json (normalizers,
 * pre-tokenizers, WordPiece / BPE / Unigram models, post-processors, added
 * tokens) and the legacy vocab.txt + tokenizer_config.json path.
 *
 * Mirrors the Rust `tokenizers` crate (reference/hf-formats.md section 4).
 * Two entry points: raw text (offsets into the text) and pre-split words
 * (`is_split_into_words`: each word encoded on its own, word ids = word index,
 * offsets relative to the word's own string).
 *
 * A loaded tokenizer is immutable and may be shared by threads; each thread
 * passes its own struct xnr_encoding.
 */
#ifndef XNR_TOKENIZER_TOKENIZER_H
#define XNR_TOKENIZER_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

struct xnr_tokenizer;

/* One encoded sequence. Arrays are parallel, n_tokens long, owned by the
 * encoding and grown by the encode functions (which reset n_tokens first). */
struct xnr_encoding {
	int n_tokens;
	int cap;
	int32_t *ids;
	int32_t *word_ids; /* -1 for special tokens added by the post-processor */
	int32_t *offsets;  /* (n_tokens, 2): byte [start, end) in the original
	                    * text, or in the word's own string for word input;
	                    * (0, 0) for added special tokens */
	uint8_t *special;  /* 1 for tokens added by the post-processor */
	int32_t *type_ids;
};

void xnr_encoding_init(struct xnr_encoding *enc);
void xnr_encoding_free(struct xnr_encoding *enc);

/* Open the tokenizer of a model folder: tokenizer.json if present, else the
 * slow tokenizer's files converted in memory as transformers' converters do,
 * first found of: vocab.json + merges.txt (RoBERTa), sentencepiece.bpe.model
 * (XLM-R), spm.model (DeBERTa-v2/v3), vocab.txt (BERT); each with
 * tokenizer_config.json / special_tokens_map.json. Errors: XNR_ERR_NOT_FOUND (no
 * tokenizer files), XNR_ERR_IO (unreadable), XNR_ERR_FORMAT (malformed),
 * XNR_ERR_UNSUPPORTED (unknown component type; the message names the
 * component and the supported ones), XNR_ERR_LIMIT, XNR_ERR_NOMEM; err->path
 * is the file. */
XNR_MUST_CHECK enum xnr_status xnr_tokenizer_open(const char *model_dir, struct xnr_tokenizer **out,
                                                  struct xnr_error *err);

/* Open one tokenizer.json file. */
XNR_MUST_CHECK enum xnr_status xnr_tokenizer_open_json(const char *path, struct xnr_tokenizer **out,
                                                       struct xnr_error *err);

void xnr_tokenizer_close(struct xnr_tokenizer *tok);

/* Encode raw UTF-8 text. add_special: run the post-processor (e.g. [CLS] .. [SEP]).
 * Errors: XNR_ERR_INPUT for invalid UTF-8 (message gives the byte offset),
 * XNR_ERR_NOMEM. Empty text gives an encoding with only the special tokens. */
XNR_MUST_CHECK enum xnr_status xnr_tokenizer_encode(const struct xnr_tokenizer *tok,
                                                    const char *text, size_t text_len,
                                                    int add_special, struct xnr_encoding *enc,
                                                    struct xnr_error *err);

/* Encode pre-split words (is_split_into_words=True). word_lens gives each
 * word's byte length. Token word_ids are the word index; offsets are relative
 * to the word. Errors as xnr_tokenizer_encode. */
XNR_MUST_CHECK enum xnr_status xnr_tokenizer_encode_words(const struct xnr_tokenizer *tok,
                                                          const char *const *words,
                                                          const size_t *word_lens, int n_words,
                                                          int add_special, struct xnr_encoding *enc,
                                                          struct xnr_error *err);

/* Apply the single-sequence post-processor to tokens [begin, end) of body
 * (an encoding made with add_special = 0), writing a framed sequence into out.
 * This is how long inputs are split into windows that each get the specials. */
XNR_MUST_CHECK enum xnr_status xnr_tokenizer_frame(const struct xnr_tokenizer *tok,
                                                   const struct xnr_encoding *body, int begin,
                                                   int end, struct xnr_encoding *out,
                                                   struct xnr_error *err);

/* How many special tokens the single-sequence post-processor adds (2 for BERT). */
int xnr_tokenizer_n_special(const struct xnr_tokenizer *tok);

/* Vocabulary size including added tokens (max id + 1). */
int xnr_tokenizer_vocab_size(const struct xnr_tokenizer *tok);

/* Token string of an id (NUL-terminated, owned by the tokenizer), or NULL. */
const char *xnr_tokenizer_id_to_token(const struct xnr_tokenizer *tok, int32_t id);

/* One line describing the pipeline, for --debug and the Debug page:
 * "BertNormalizer > BertPreTokenizer > WordPiece(9000) > TemplateProcessing". */
const char *xnr_tokenizer_describe(const struct xnr_tokenizer *tok);

#endif
