/*
 * model.c - the tokenizer.json "model" object (hf-formats.md 4.6): parsing
 * and dispatch, the WordPiece greedy longest-match-first model and the
 * WordLevel whole-word lookup, and the emitter that appends model tokens to an
 * encoding with offsets mapped back through the split's alignment.
 */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "tokenizer/internal.h"

const char *xnr__model_name(const struct xnr__model *m)
{
	switch (m->type) {
	case XNR__MODEL_WORDPIECE:
		return "WordPiece";
	case XNR__MODEL_BPE:
		return "BPE";
	case XNR__MODEL_UNIGRAM:
		return "Unigram";
	case XNR__MODEL_WORDLEVEL:
		return "WordLevel";
	}
	return "?";
}

void xnr__model_free(struct xnr__model *m)
{
	if (!m)
		return;
	xnr__vocab_free(&m->vocab);
	free(m->prefix);
	free(m->suffix);
	free(m->merges);
	free(m->scores);
	memset(m, 0, sizeof *m);
}

enum xnr_status xnr__encoding_reserve(struct xnr_encoding *enc, int n)
{
	int cap;

	if (n <= enc->cap)
		return XNR_OK;
	cap = enc->cap ? enc->cap : 64;
	while (cap < n)
		cap *= 2;
#define GROW(field, k)                                                                             \
	do {                                                                                       \
		void *p = realloc(enc->field, sizeof *enc->field * (size_t)cap * (k));             \
		if (!p)                                                                            \
			return XNR_ERR_NOMEM;                                                      \
		enc->field = p;                                                                    \
	} while (0)
	GROW(ids, 1);
	GROW(word_ids, 1);
	GROW(offsets, 2);
	GROW(special, 1);
	GROW(type_ids, 1);
#undef GROW
	enc->cap = cap;
	return XNR_OK;
}

enum xnr_status xnr__emit(struct xnr__emit *e, int32_t id, size_t s, size_t end)
{
	struct xnr_encoding *enc = e->enc;
	int k = enc->n_tokens;
	int32_t lo = e->al[2 * s], hi = e->al[2 * s + 1];
	size_t i;

	if (xnr__encoding_reserve(enc, k + 1) != XNR_OK)
		return XNR_ERR_NOMEM;
	for (i = s; i < end; i++) {
		int32_t a = e->al[2 * i], b = e->al[2 * i + 1];
		if ((a < b ? a : b) < lo)
			lo = a < b ? a : b;
		if ((a < b ? b : a) > hi)
			hi = a < b ? b : a;
	}
	enc->ids[k] = id;
	enc->word_ids[k] = e->word;
	enc->offsets[2 * k] = lo;
	enc->offsets[2 * k + 1] = hi;
	enc->special[k] = 0;
	enc->type_ids[k] = 0;
	enc->n_tokens = k + 1;
	return XNR_OK;
}

/* Rust WordPiece::tokenize. */
enum xnr_status xnr__wordpiece(const struct xnr__model *m, const char *s, size_t len,
                               struct xnr__work *w, struct xnr__emit *e)
{
	size_t plen = strlen(m->prefix), start = 0, i, n_chars = 0;
	int first = e->enc->n_tokens;

	for (i = 0; i < len; i++)
		n_chars += ((unsigned char)s[i] & 0xC0) != 0x80;
	if ((long)n_chars > (long)m->max_chars)
		goto unk;
	if (xnr__work_scratch(w, plen + len) != XNR_OK)
		return XNR_ERR_NOMEM;
	memcpy(w->scratch, m->prefix, plen);
	while (start < len) {
		size_t end = len;
		int32_t id = -1;
		while (start < end) {
			if (start > 0) {
				memcpy(w->scratch + plen, s + start, end - start);
				id = xnr__vocab_get(&m->vocab, w->scratch, plen + end - start);
			} else {
				id = xnr__vocab_get(&m->vocab, s, end);
			}
			if (id >= 0)
				break;
			do
				end--;
			while (end > start && ((unsigned char)s[end] & 0xC0) == 0x80);
		}
		if (id < 0) {
			e->enc->n_tokens = first;
			goto unk;
		}
		if (xnr__emit(e, id, start, end) != XNR_OK)
			return XNR_ERR_NOMEM;
		start = end;
	}
	return XNR_OK;
unk:
	if (m->unk_id < 0)
		return XNR_ERR_INPUT;
	return xnr__emit(e, m->unk_id, 0, len);
}

enum xnr_status xnr__wordlevel(const struct xnr__model *m, const char *s, size_t len,
                               struct xnr__emit *e)
{
	int32_t id = xnr__vocab_get(&m->vocab, s, len);

	if (id < 0)
		id = m->unk_id;
	if (id < 0)
		return XNR_ERR_INPUT;
	return xnr__emit(e, id, 0, len);
}

enum xnr_status xnr__model_vocab(const json_t *j, struct xnr__vocab *vocab, struct xnr_error *err)
{
	const json_t *v = json_object_get(j, "vocab");
	const char *key;
	json_t *val;
	enum xnr_status st;

	if (!json_is_object(v))
		return xnr_fail(err, XNR_ERR_FORMAT, "model.vocab: missing or not an object");
	json_object_foreach((json_t *)v, key, val)
	{
		json_int_t id;
		if (!json_is_integer(val) || (id = json_integer_value(val)) < 0 || id >= (1 << 26))
			return xnr_fail(err, XNR_ERR_FORMAT,
			                "model.vocab[\"%s\"]: id must be an integer in [0, 2^26)",
			                key);
		if ((st = xnr__vocab_add(vocab, key, strlen(key), (int32_t)id, err)) != XNR_OK)
			return st;
	}
	return xnr__vocab_finish(vocab, err);
}

enum xnr_status xnr__model_str(const json_t *j, const char *key, const char *dflt, char **out,
                               struct xnr_error *err)
{
	const char *s = dflt;

	if (xnr_json_str(j, key, &s, "model", err) < 0)
		return XNR_ERR_FORMAT; /* err names the key */
	*out = strdup(s ? s : "");
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "model.%s: out of memory", key);
}

static enum xnr_status unk_lookup(const json_t *j, struct xnr__model *m, const char *dflt,
                                  struct xnr_error *err)
{
	const char *unk = dflt;

	m->unk_id = -1;
	if (xnr_json_str(j, "unk_token", &unk, "model", err) < 0)
		return XNR_ERR_FORMAT;
	if (unk)
		m->unk_id = xnr__vocab_get(&m->vocab, unk, strlen(unk));
	return XNR_OK;
}

static enum xnr_status parse_wordpiece(const json_t *j, struct xnr__model *m, struct xnr_error *err)
{
	int64_t max_chars = 100;
	enum xnr_status st = xnr__model_vocab(j, &m->vocab, err);

	if (st != XNR_OK)
		return st;
	if (xnr_json_int(j, "max_input_chars_per_word", &max_chars, "model", err) < 0)
		return XNR_ERR_FORMAT; /* err names the key */
	m->max_chars = max_chars < 0 ? 0 : max_chars > 1000000000 ? 1000000000 : (int)max_chars;
	st = xnr__model_str(j, "continuing_subword_prefix", "##", &m->prefix, err);
	return st ? st : unk_lookup(j, m, "[UNK]", err);
}

static enum xnr_status parse_wordlevel(const json_t *j, struct xnr__model *m, struct xnr_error *err)
{
	enum xnr_status st = xnr__model_vocab(j, &m->vocab, err);
	return st ? st : unk_lookup(j, m, NULL, err);
}

static int guess_type(const json_t *j, const char **type)
{
	const json_t *v = json_object_get(j, "vocab");

	if (json_object_get(j, "merges"))
		*type = "BPE";
	else if (json_is_array(v))
		*type = "Unigram";
	else if (json_object_get(j, "continuing_subword_prefix") ||
	         json_object_get(j, "max_input_chars_per_word"))
		*type = "WordPiece";
	else if (json_is_object(v))
		*type = "WordLevel";
	else
		return 0;
	return 1;
}

enum xnr_status xnr__model_parse(const json_t *j, struct xnr__model *out, struct xnr_error *err)
{
	const char *type = NULL;
	enum xnr_status st;
	int r;

	memset(out, 0, sizeof *out);
	out->unk_id = -1;
	if (!json_is_object(j))
		return xnr_fail(err, XNR_ERR_FORMAT, "model: missing or not an object");
	r = xnr_json_str(j, "type", &type, "model", err);
	if (r < 0)
		return XNR_ERR_FORMAT;
	if (r == 0 && !guess_type(j, &type))
		return xnr_fail(err, XNR_ERR_FORMAT, "model: missing \"type\"");
	if (strcmp(type, "WordPiece") == 0) {
		out->type = XNR__MODEL_WORDPIECE;
		st = parse_wordpiece(j, out, err);
	} else if (strcmp(type, "BPE") == 0) {
		out->type = XNR__MODEL_BPE;
		st = xnr__bpe_parse(j, out, err);
	} else if (strcmp(type, "Unigram") == 0) {
		out->type = XNR__MODEL_UNIGRAM;
		st = xnr__unigram_parse(j, out, err);
	} else if (strcmp(type, "WordLevel") == 0) {
		out->type = XNR__MODEL_WORDLEVEL;
		st = parse_wordlevel(j, out, err);
	} else {
		return xnr_fail(err, XNR_ERR_UNSUPPORTED,
		                "model: unknown type \"%s\" (supported: WordPiece, BPE, Unigram, "
		                "WordLevel)",
		                type);
	}
	if (st != XNR_OK)
		xnr__model_free(out);
	return st;
}
