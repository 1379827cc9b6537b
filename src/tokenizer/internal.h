/*
 * internal.h - data structures shared by the tokenizer files: the vocabulary
 * hash, the alignment-tracking normalized string (Rust NormalizedString), the
 * split list (PreTokenizedString) and the parsed pipeline components.
 *
 * Offsets: every byte of a normalized string carries the [start, end) byte
 * range of the ORIGINAL text it came from (absolute in the text being
 * encoded), exactly as the Rust crate's per-byte `alignments`.
 */
#ifndef XNR_TOKENIZER_INTERNAL_H
#define XNR_TOKENIZER_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "tokenizer/tokenizer.h"

/* ---- vocab.c: string -> id open-addressing hash, id -> string table ---- */

struct xnr__vocab {
	char *pool; /* all token strings, NUL-terminated, back to back */
	size_t pool_len, pool_cap;
	uint32_t *str_off; /* (n) offset of entry i's string in pool */
	uint32_t *str_len; /* (n) */
	int32_t *ids;      /* (n) */
	int n, cap;
	int32_t *slots;   /* (n_slots) entry index or -1 */
	uint32_t n_slots; /* power of two */
	int32_t max_id;
	const char **by_id; /* (max_id + 1) token of id, or NULL; built by finish */
};

void xnr__vocab_free(struct xnr__vocab *v);
/* Add token -> id; a repeated token keeps its first id. Errors: XNR_ERR_NOMEM,
 * XNR_ERR_LIMIT (more than 4 GiB of token text). */
XNR_MUST_CHECK enum xnr_status xnr__vocab_add(struct xnr__vocab *v, const char *s, size_t len,
                                              int32_t id, struct xnr_error *err);
/* Id of s, or -1. */
int32_t xnr__vocab_get(const struct xnr__vocab *v, const char *s, size_t len);
/* Build the id -> token table (ids must be in [0, 2^26)). */
XNR_MUST_CHECK enum xnr_status xnr__vocab_finish(struct xnr__vocab *v, struct xnr_error *err);
const char *xnr__vocab_token(const struct xnr__vocab *v, int32_t id);

/* ---- nstr.c: UTF-8 helpers, Unicode predicates, normalized strings ---- */

struct xnr__nstr {
	char *s;     /* (len) normalized bytes, not NUL-terminated */
	int32_t *al; /* (len, 2) original [start, end) of each byte */
	size_t len, cap;
	int32_t shift; /* original start of this piece (Rust original_shift) */
};

/* One (char, change) step of a Rust `transform`: change 0 replaces the
 * current char, +1 inserts, -N replaces and deletes N following chars. A
 * step with skip > 0 and no char removes `skip` chars (initial_offset). */
struct xnr__change {
	int32_t cp; /* -1: pure skip */
	int32_t change;
};

struct xnr__changes {
	struct xnr__change *v;
	size_t n, cap;
};

size_t xnr__utf8_dec(const char *s, size_t len, size_t i, int32_t *cp);
size_t xnr__utf8_enc(int32_t cp, char *out);
size_t xnr__utf8_len(int32_t cp);
/* Byte offset of the first invalid sequence, or (size_t)-1 if s is valid. */
size_t xnr__utf8_invalid(const char *s, size_t len);
int xnr__is_ws(int32_t cp);         /* Rust char::is_whitespace */
int xnr__is_bert_punct(int32_t cp); /* ASCII punctuation or P* */
int xnr__is_other(int32_t cp);      /* C* categories */
int xnr__is_mn(int32_t cp);
int xnr__is_numeric(int32_t cp); /* N* */
int xnr__is_alnum(int32_t cp);   /* L* or N* */
int xnr__is_chinese(int32_t cp);

void xnr__nstr_free(struct xnr__nstr *n);
XNR_MUST_CHECK enum xnr_status xnr__nstr_reserve(struct xnr__nstr *n, size_t len);
/* n = s with identity alignment shifted by base. */
XNR_MUST_CHECK enum xnr_status xnr__nstr_set(struct xnr__nstr *n, const char *s, size_t len,
                                             int32_t base);
/* Append char cp with alignment (a, b). */
XNR_MUST_CHECK enum xnr_status xnr__nstr_push(struct xnr__nstr *n, int32_t cp, int32_t a,
                                              int32_t b);
/* Original range of normalized bytes [s, e): (min start, max end). */
void xnr__nstr_orig(const struct xnr__nstr *n, size_t s, size_t e, int32_t *os, int32_t *oe);

void xnr__changes_free(struct xnr__changes *c);
XNR_MUST_CHECK enum xnr_status xnr__changes_add(struct xnr__changes *c, int32_t cp, int32_t change);
/* dst = src transformed by the change list (Rust transform, whole range). */
XNR_MUST_CHECK enum xnr_status xnr__nstr_transform(const struct xnr__nstr *src,
                                                   const struct xnr__changes *c,
                                                   size_t initial_skip, struct xnr__nstr *dst);

/* ---- split list (PreTokenizedString) ---- */

struct xnr__piece {
	size_t off, len; /* into the owning splits' s / al */
	int32_t shift;
	int32_t token; /* added-token id (finished), or -1 */
};

struct xnr__splits {
	struct xnr__nstr buf;
	struct xnr__piece *p;
	int n, cap;
};

void xnr__splits_free(struct xnr__splits *sp);
void xnr__splits_reset(struct xnr__splits *sp);
/* Append a piece holding a copy of n's bytes [s, e) (nothing if empty). */
XNR_MUST_CHECK enum xnr_status xnr__splits_add(struct xnr__splits *sp, const struct xnr__nstr *n,
                                               size_t s, size_t e, int32_t token);
/* Copy piece i of sp into a standalone nstr. */
XNR_MUST_CHECK enum xnr_status xnr__splits_get(const struct xnr__splits *sp, int i,
                                               struct xnr__nstr *out);

/* A pattern match list over a string: (start, end, is_match) covering it. */
struct xnr__match {
	size_t s, e;
	int is_match;
};

struct xnr__matches {
	struct xnr__match *v;
	size_t n, cap;
};

void xnr__matches_free(struct xnr__matches *m);
XNR_MUST_CHECK enum xnr_status xnr__matches_add(struct xnr__matches *m, size_t s, size_t e,
                                                int is_match);

/* Per-call scratch; never shared between threads. */
struct xnr__work {
	struct xnr__nstr a, b, c;
	struct xnr__splits sp[2];
	struct xnr__changes ch;
	struct xnr__matches m;
	pcre2_match_data *md;
	char *scratch;
	size_t scratch_cap;
	double *best;
	int32_t *back;
	int32_t *sym;
	size_t dp_cap, best_cap;
};

void xnr__work_free(struct xnr__work *w);
XNR_MUST_CHECK enum xnr_status xnr__work_scratch(struct xnr__work *w, size_t n);

/* ---- regex.c ---- */

/* Compile pattern (PCRE2 UTF+UCP), or a literal when literal != 0. */
XNR_MUST_CHECK enum xnr_status xnr__regex_compile(const char *pat, size_t len, int literal,
                                                  pcre2_code **out, const char *where,
                                                  struct xnr_error *err);
/* Fill m with the match list of re over s (Rust Pattern::find_matches). */
XNR_MUST_CHECK enum xnr_status xnr__regex_matches(const pcre2_code *re, const char *s, size_t len,
                                                  struct xnr__work *w, struct xnr__matches *m);

/* ---- component.c: what normalizers, pre-tokenizers and post-processors share ---- */

/* Reads the fields of one component type from j into *out, a component
 * already zeroed with its type set; on failure err says which field, and
 * what was allocated stays in *out for the family's free. */
typedef enum xnr_status (*xnr__fields_fn)(const json_t *j, const char *path, void *out,
                                          struct xnr_error *err);

/* One "type" of a family: its tokenizer.json name, its enum value and the
 * reader of its fields (NULL: it has none). */
struct xnr__type_def {
	const char *name;
	int type;
	xnr__fields_fn fields;
};

/* A family of components (normalizers, ...): its types, the type whose
 * members (of the same family) are the array items_key, and where the
 * family's struct keeps its int type, its members and their count. */
struct xnr__family {
	const struct xnr__type_def *types;
	size_t n_types;
	int sequence;
	const char *items_key; /* "normalizers", "pretokenizers", "processors" */
	size_t size;           /* of the family's struct */
	size_t type_off, items_off, n_items_off;
	void (*free)(void *component);
};

/* Parse the component j (at JSON path `path`) of family f into out.
 * Errors: XNR_ERR_FORMAT (not an object, no "type", a bad field),
 * XNR_ERR_UNSUPPORTED (a type or option we do not know, listing the known
 * ones), XNR_ERR_NOMEM; each names the path. On failure out holds nothing. */
XNR_MUST_CHECK enum xnr_status xnr__component_parse(const struct xnr__family *f, const json_t *j,
                                                    const char *path, void *out,
                                                    struct xnr_error *err);
/* The tokenizer.json name of type in f, or "?". */
const char *xnr__component_name(const struct xnr__family *f, int type);

/* Field readers: j[key] at `path` into *out, failing with a message naming
 * path.key. Optional ones leave the default when the key is absent or null. */
XNR_MUST_CHECK enum xnr_status xnr__field_bool(const json_t *j, const char *key, int dflt, int *out,
                                               const char *path, struct xnr_error *err);
/* A required string, copied (the caller frees). */
XNR_MUST_CHECK enum xnr_status xnr__field_str(const json_t *j, const char *key, const char *path,
                                              char **out, struct xnr_error *err);
/* A string of exactly one character. */
XNR_MUST_CHECK enum xnr_status xnr__field_char(const json_t *j, const char *key, int32_t dflt,
                                               int32_t *out, const char *path,
                                               struct xnr_error *err);
/* One of n names: *out is its index; another name is XNR_ERR_UNSUPPORTED. */
XNR_MUST_CHECK enum xnr_status xnr__field_choice(const json_t *j, const char *key,
                                                 const char *const *names, int n, int dflt,
                                                 int *out, const char *path, struct xnr_error *err);
/* "pattern": {"String": literal} or {"Regex": pcre}, compiled into *re. */
XNR_MUST_CHECK enum xnr_status xnr__field_pattern(const json_t *j, const char *path,
                                                  pcre2_code **re, struct xnr_error *err);

/* ---- normalizer.c / precompiled.c ---- */

enum xnr__norm_type {
	XNR__NORM_BERT,
	XNR__NORM_NFC,
	XNR__NORM_NFD,
	XNR__NORM_NFKC,
	XNR__NORM_NFKD,
	XNR__NORM_LOWERCASE,
	XNR__NORM_STRIP_ACCENTS,
	XNR__NORM_STRIP,
	XNR__NORM_REPLACE,
	XNR__NORM_PREPEND,
	XNR__NORM_NMT,
	XNR__NORM_PRECOMPILED,
	XNR__NORM_BYTELEVEL,
	XNR__NORM_SEQUENCE
};

struct xnr__precompiled {
	unsigned char *blob; /* decoded base64 */
	size_t blob_len;
	size_t n_units;  /* trie units */
	size_t norm_off; /* start of the replacement strings in blob */
};

struct xnr__normalizer {
	int type;                                          /* enum xnr__norm_type */
	int clean_text, chinese, strip_accents, lowercase; /* Bert */
	int left, right;                                   /* Strip */
	pcre2_code *re;                                    /* Replace */
	char *content;                                     /* Replace, Prepend */
	struct xnr__precompiled pc;
	struct xnr__normalizer *items; /* Sequence */
	int n_items;
};

XNR_MUST_CHECK enum xnr_status xnr__normalizer_parse(const json_t *j, const char *path,
                                                     struct xnr__normalizer *out,
                                                     struct xnr_error *err);
void xnr__normalizer_free(struct xnr__normalizer *n);
/* Normalize w->a in place (uses w->b, w->ch). */
XNR_MUST_CHECK enum xnr_status xnr__normalize(const struct xnr__normalizer *n, struct xnr__work *w);
const char *xnr__normalizer_name(const struct xnr__normalizer *n);

XNR_MUST_CHECK enum xnr_status xnr__precompiled_parse(const char *b64, struct xnr__precompiled *pc,
                                                      const char *path, struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr__precompiled_apply(const struct xnr__precompiled *pc,
                                                      struct xnr__work *w);

/* ---- pretok.c ---- */

enum xnr__behavior {
	XNR__SPLIT_REMOVED,
	XNR__SPLIT_ISOLATED,
	XNR__SPLIT_MERGED_PREV,
	XNR__SPLIT_MERGED_NEXT,
	XNR__SPLIT_CONTIGUOUS
};

enum xnr__pretok_type {
	XNR__PRE_BERT,
	XNR__PRE_WHITESPACE,
	XNR__PRE_WHITESPACE_SPLIT,
	XNR__PRE_PUNCTUATION,
	XNR__PRE_DIGITS,
	XNR__PRE_CHAR_DELIM,
	XNR__PRE_SPLIT,
	XNR__PRE_METASPACE,
	XNR__PRE_BYTELEVEL,
	XNR__PRE_SEQUENCE
};

enum xnr__prepend { XNR__PREPEND_ALWAYS, XNR__PREPEND_FIRST, XNR__PREPEND_NEVER };

struct xnr__pretok {
	int type; /* enum xnr__pretok_type */
	enum xnr__behavior behavior;
	int individual_digits;
	int32_t delim;  /* CharDelimiterSplit; Metaspace replacement */
	pcre2_code *re; /* Split; Whitespace; ByteLevel */
	int invert;
	enum xnr__prepend prepend;
	int split; /* Metaspace */
	int add_prefix_space, use_regex;
	struct xnr__pretok *items;
	int n_items;
};

XNR_MUST_CHECK enum xnr_status xnr__pretok_parse(const json_t *j, const char *path,
                                                 struct xnr__pretok *out, struct xnr_error *err);
void xnr__pretok_free(struct xnr__pretok *p);
/* Pre-tokenize w->sp[0] into w->sp[0] (uses w->sp[1] and the nstr scratch). */
XNR_MUST_CHECK enum xnr_status xnr__pretokenize(const struct xnr__pretok *p, struct xnr__work *w);
const char *xnr__pretok_name(const struct xnr__pretok *p);
/* ByteLevel: the char of byte b. */
int32_t xnr__byte_char(unsigned b);

/* ---- models ---- */

enum xnr__model_type {
	XNR__MODEL_WORDPIECE,
	XNR__MODEL_BPE,
	XNR__MODEL_UNIGRAM,
	XNR__MODEL_WORDLEVEL
};

struct xnr__merge_slot {
	uint64_t key; /* (left id << 32) | right id, 0 = empty (ids +1) */
	int32_t rank;
	int32_t id;
};

struct xnr__model {
	enum xnr__model_type type;
	struct xnr__vocab vocab;
	int32_t unk_id; /* -1 if none */
	char *prefix;   /* WordPiece / BPE continuing_subword_prefix */
	char *suffix;   /* BPE end_of_word_suffix */
	int max_chars;  /* WordPiece */
	int fuse_unk, byte_fallback, ignore_merges;
	struct xnr__merge_slot *merges;
	uint32_t n_merge_slots;
	int32_t byte_ids[256]; /* <0xXX> ids, -1 when missing */
	double *scores;        /* Unigram (vocab.n) */
	double unk_score;
	size_t max_piece_len;
};

XNR_MUST_CHECK enum xnr_status xnr__model_parse(const json_t *j, struct xnr__model *out,
                                                struct xnr_error *err);
/* Field readers of the model object (messages say "model.<key>"): the
 * {"token": id} vocab of WordPiece, WordLevel and BPE, and an optional
 * string copied into *out (dflt when absent; NULL dflt gives ""). */
XNR_MUST_CHECK enum xnr_status xnr__model_vocab(const json_t *j, struct xnr__vocab *vocab,
                                                struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr__model_str(const json_t *j, const char *key, const char *dflt,
                                              char **out, struct xnr_error *err);
void xnr__model_free(struct xnr__model *m);
const char *xnr__model_name(const struct xnr__model *m);

/* Where model tokens go: offsets mapped through the piece alignment. */
struct xnr__emit {
	struct xnr_encoding *enc;
	const int32_t *al; /* (piece len, 2) */
	int32_t word;
};

XNR_MUST_CHECK enum xnr_status xnr__emit(struct xnr__emit *e, int32_t id, size_t s, size_t end);

/* The models append the tokens of one piece s[0..len) through e. Errors,
 * without a message (the encode entry points add it): XNR_ERR_NOMEM, and
 * XNR_ERR_INPUT for a piece the vocabulary cannot cover when the model has
 * no unk token. */
XNR_MUST_CHECK enum xnr_status xnr__encoding_reserve(struct xnr_encoding *enc, int n);

XNR_MUST_CHECK enum xnr_status xnr__wordpiece(const struct xnr__model *m, const char *s, size_t len,
                                              struct xnr__work *w, struct xnr__emit *e);
XNR_MUST_CHECK enum xnr_status xnr__wordlevel(const struct xnr__model *m, const char *s, size_t len,
                                              struct xnr__emit *e);
XNR_MUST_CHECK enum xnr_status xnr__bpe(const struct xnr__model *m, const char *s, size_t len,
                                        struct xnr__work *w, struct xnr__emit *e);
XNR_MUST_CHECK enum xnr_status xnr__bpe_parse(const json_t *j, struct xnr__model *m,
                                              struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr__unigram(const struct xnr__model *m, const char *s, size_t len,
                                            struct xnr__work *w, struct xnr__emit *e);
XNR_MUST_CHECK enum xnr_status xnr__unigram_parse(const json_t *j, struct xnr__model *m,
                                                  struct xnr_error *err);

/* ---- added.c ---- */

struct xnr__added {
	char *content;
	size_t len;
	char *norm; /* normalized content (normalized tokens) */
	size_t norm_len;
	int32_t id;
	int special, normalized, lstrip, rstrip, single_word;
};

struct xnr__added_set {
	struct xnr__added *v;
	int n;
	uint8_t first[2][256]; /* [normalized][byte]: some token starts with it */
};

/* Split the nstr n into pieces appended to sp: added tokens of the set with
 * the given `normalized` flag become finished pieces. */
XNR_MUST_CHECK enum xnr_status xnr__added_split(const struct xnr__added_set *set, int normalized,
                                                const struct xnr__nstr *n, struct xnr__splits *sp);

/* ---- post.c ---- */

enum xnr__post_type {
	XNR__POST_NONE,
	XNR__POST_TEMPLATE,
	XNR__POST_BERT,
	XNR__POST_ROBERTA,
	XNR__POST_BYTELEVEL,
	XNR__POST_SEQUENCE
};

struct xnr__tpl_item {
	int32_t *ids; /* special ids; NULL for $A */
	int n_ids;
	int32_t type_id;
};

struct xnr__post {
	int type; /* enum xnr__post_type */
	struct xnr__tpl_item *tpl;
	int n_tpl;
	int trim_offsets, add_prefix_space;
	struct xnr__post *items;
	int n_items;
};

XNR_MUST_CHECK enum xnr_status xnr__post_parse(const json_t *j, const char *path,
                                               struct xnr__post *out, struct xnr_error *err);
void xnr__post_free(struct xnr__post *p);
/* Offset trimming part (in place on enc). */
/* ByteLevel offset trimming of one token whose value is t[0..len) and whose
 * offsets point into orig[0..orig_len). */
void xnr__trim_span(const char *t, size_t len, const char *orig, size_t orig_len, int first,
                    int add_prefix_space, int32_t *off);
/* 1 if p (or a member of a Sequence) trims offsets; sets *add_prefix_space. */
int xnr__post_trims(const struct xnr__post *p, int *add_prefix_space);
void xnr__post_trim(const struct xnr__post *p, const struct xnr_tokenizer *tok,
                    struct xnr_encoding *enc, int begin, const char *orig, size_t orig_len);
/* Specials part: out = framed body[begin, end). */
XNR_MUST_CHECK enum xnr_status xnr__post_frame(const struct xnr__post *p,
                                               const struct xnr_encoding *body, int begin, int end,
                                               struct xnr_encoding *out);
int xnr__post_n_special(const struct xnr__post *p);
const char *xnr__post_name(const struct xnr__post *p);

/* ---- spm_proto.c: the sentencepiece ModelProto fields the converters read ---- */

enum xnr__spm_type {
	XNR__SPM_NORMAL = 1,
	XNR__SPM_UNKNOWN = 2,
	XNR__SPM_CONTROL = 3,
	XNR__SPM_USER_DEFINED = 4,
	XNR__SPM_UNUSED = 5,
	XNR__SPM_BYTE = 6
};

enum xnr__spm_model {
	XNR__SPM_UNIGRAM = 1,
	XNR__SPM_BPE = 2,
	XNR__SPM_WORD = 3,
	XNR__SPM_CHAR = 4
};

struct xnr__spm_piece {
	const char *s; /* borrowed from the parsed buffer, valid UTF-8, not NUL-terminated */
	size_t len;
	float score;
	int type; /* enum xnr__spm_type */
};

struct xnr__spm {
	struct xnr__spm_piece *pieces; /* (n_pieces) owned */
	int n_pieces;
	int model_type; /* enum xnr__spm_model */
	int32_t unk_id, bos_id, eos_id, pad_id;
	int byte_fallback;
	const unsigned char *charsmap; /* borrowed; NULL when absent or empty */
	size_t charsmap_len;
	int add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces;
};

/* Decode a ModelProto from buf[0..len) (which must outlive *out: pieces and
 * the charsmap point into it). Errors: XNR_ERR_FORMAT naming the field and
 * the byte offset (a truncated or malformed message, a piece that is not
 * UTF-8, no pieces), XNR_ERR_LIMIT (more than 2^24 pieces), XNR_ERR_NOMEM;
 * err->path is `path`. On failure *out holds nothing. */
XNR_MUST_CHECK enum xnr_status xnr__spm_parse(const unsigned char *buf, size_t len,
                                              const char *path, struct xnr__spm *out,
                                              struct xnr_error *err);
void xnr__spm_free(struct xnr__spm *m);

/* ---- convert.c, convert_bpe.c, convert_spm.c: folders without tokenizer.json ---- */

/* The tokenizer_config.json / special_tokens_map.json of a folder (either
 * may be absent), read the way transformers' from_pretrained does. */
struct xnr__conv_cfg {
	json_t *cfg;         /* tokenizer_config.json or NULL */
	json_t *map;         /* special_tokens_map.json or NULL */
	char cfg_path[4096]; /* for messages */
};

/* One added token of the converted tokenizer (tokenizer.json added_tokens). */
struct xnr__conv_added {
	char *content;
	int32_t id;
	int special, normalized, lstrip, rstrip, single_word;
};

struct xnr__conv_added_list {
	struct xnr__conv_added *v;
	int n, cap;
};

XNR_MUST_CHECK enum xnr_status xnr__conv_cfg_load(const char *dir, struct xnr__conv_cfg *c,
                                                  struct xnr_error *err);
void xnr__conv_cfg_free(struct xnr__conv_cfg *c);
/* A boolean flag of tokenizer_config.json, dflt when absent (a non-boolean
 * value is XNR_ERR_FORMAT naming the key). */
XNR_MUST_CHECK enum xnr_status xnr__conv_cfg_bool(const struct xnr__conv_cfg *c, const char *key,
                                                  int dflt, int *out, struct xnr_error *err);
/* A special token (key "mask_token", ...) from special_tokens_map.json, else
 * tokenizer_config.json, else dflt: its content and, for the {"content": ..}
 * form, its flags into t (t->content borrowed until the cfg is freed). */
void xnr__conv_cfg_token(const struct xnr__conv_cfg *c, const char *key, const char *dflt,
                         struct xnr__conv_added *t);

void xnr__conv_added_free(struct xnr__conv_added_list *l);
/* Add t (content copied) unless a token with its content is there already;
 * replace = 1 overwrites that token's id and flags instead. */
XNR_MUST_CHECK enum xnr_status xnr__conv_added_put(struct xnr__conv_added_list *l,
                                                   const struct xnr__conv_added *t, int replace);
/* Add the special tokens of a slow tokenizer class (keys[i] with defaults
 * dflt[i]; lstrip_key's token gets lstrip like RoBERTa's <mask>), their ids
 * looked up with vocab_id (an unknown one gets the next free id after
 * *next_id, which is advanced), then tokenizer_config.json's
 * added_tokens_decoder entries, which win. */
XNR_MUST_CHECK enum xnr_status
xnr__conv_added_specials(struct xnr__conv_added_list *l, const struct xnr__conv_cfg *c,
                         const char *const *keys, const char *const *dflt, int n,
                         const char *lstrip_key, int32_t (*vocab_id)(const void *, const char *),
                         const void *vocab, int32_t *next_id, struct xnr_error *err);
/* The tokenizer.json "added_tokens" array of l; NULL when out of memory. */
json_t *xnr__conv_added_json(const struct xnr__conv_added_list *l);
/* {"type": "TemplateProcessing"} of `first $A last` with their ids; the pair
 * template is XLM-R's `first $A last last $B last` (xlmr_pair) or BERT's
 * `first $A last $B:1 last:1`. NULL when out of memory. */
json_t *xnr__conv_template(const char *first, int32_t first_id, const char *last, int32_t last_id,
                           int xlmr_pair);

/* vocab.json + merges.txt (RobertaConverter); XNR_ERR_NOT_FOUND without them. */
XNR_MUST_CHECK enum xnr_status xnr__tokenizer_open_bpe(const char *dir, struct xnr_tokenizer **out,
                                                       struct xnr_error *err);
/* sentencepiece.bpe.model (XLMRobertaConverter) or spm.model
 * (DebertaV2Converter); XNR_ERR_NOT_FOUND without either. */
XNR_MUST_CHECK enum xnr_status xnr__tokenizer_open_spm(const char *dir, struct xnr_tokenizer **out,
                                                       struct xnr_error *err);
/* The converted tokenizer of a parsed spm model: xlmr = 1 for XLM-R's id
 * layout, 0 for DeBERTa-v2's (used by the fuzz target with c = all NULL). */
XNR_MUST_CHECK enum xnr_status xnr__tokenizer_from_spm(const struct xnr__spm *m, int xlmr,
                                                       const struct xnr__conv_cfg *c,
                                                       const char *path, struct xnr_tokenizer **out,
                                                       struct xnr_error *err);

/* ---- tokenizer.c ---- */

struct xnr_tokenizer {
	int has_normalizer, has_pretok;
	struct xnr__normalizer normalizer;
	struct xnr__pretok pretok;
	struct xnr__model model;
	struct xnr__post post;
	struct xnr__added_set added;
	char describe[512];
};

/* Build from a parsed tokenizer.json document (`what` names it in errors). */
XNR_MUST_CHECK enum xnr_status xnr__tokenizer_from_json(const json_t *root, const char *what,
                                                        struct xnr_tokenizer **out,
                                                        struct xnr_error *err);
/* legacy.c: vocab.txt + tokenizer_config.json (BERT family). */
XNR_MUST_CHECK enum xnr_status
xnr__tokenizer_open_legacy(const char *dir, struct xnr_tokenizer **out, struct xnr_error *err);
/* Parse tokenizer.json bytes (used by the fuzz target). */
XNR_MUST_CHECK enum xnr_status xnr__tokenizer_parse(const char *text, size_t len,
                                                    struct xnr_tokenizer **out,
                                                    struct xnr_error *err);

#endif
