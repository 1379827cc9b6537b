/*
 * tokenizer.c - loading a tokenizer (tokenizer.json, else a folder's slow
 * tokenizer files converted: vocab.json + merges.txt, sentencepiece.bpe.model,
 * spm.model, the BERT vocab.txt) and the encode pipeline of Rust
 * tokenizers (hf-formats.md 4.2, 4.8): added tokens (raw pass), normalizer,
 * added tokens (normalized pass), pre-tokenizer, model, post-processor.
 * The loaded tokenizer is immutable; every call allocates its own scratch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/json.h"
#include "tokenizer/internal.h"

/* Largest tokenizer.json / vocab.txt we read. */
#define XNR_TOKENIZER_MAX_BYTES ((size_t)512 << 20)

void xnr_encoding_init(struct xnr_encoding *enc)
{
	memset(enc, 0, sizeof *enc);
}

void xnr_encoding_free(struct xnr_encoding *enc)
{
	if (!enc)
		return;
	free(enc->ids);
	free(enc->word_ids);
	free(enc->offsets);
	free(enc->special);
	free(enc->type_ids);
	memset(enc, 0, sizeof *enc);
}

void xnr_tokenizer_close(struct xnr_tokenizer *tok)
{
	int i;

	if (!tok)
		return;
	xnr__normalizer_free(&tok->normalizer);
	xnr__pretok_free(&tok->pretok);
	xnr__model_free(&tok->model);
	xnr__post_free(&tok->post);
	for (i = 0; i < tok->added.n; i++) {
		free(tok->added.v[i].content);
		free(tok->added.v[i].norm);
	}
	free(tok->added.v);
	free(tok);
}

/* Normalized form of an added token's content (normalized=true tokens). */
static enum xnr_status normalize_content(struct xnr_tokenizer *tok, struct xnr__added *t)
{
	struct xnr__work w;
	enum xnr_status st;

	memset(&w, 0, sizeof w);
	st = xnr__nstr_set(&w.a, t->content, t->len, 0);
	if (st == XNR_OK && tok->has_normalizer)
		st = xnr__normalize(&tok->normalizer, &w);
	if (st == XNR_OK) {
		t->norm = malloc(w.a.len + 1);
		if (!t->norm) {
			st = XNR_ERR_NOMEM;
		} else {
			memcpy(t->norm, w.a.s, w.a.len);
			t->norm[w.a.len] = '\0';
			t->norm_len = w.a.len;
		}
	}
	xnr__work_free(&w);
	return st;
}

static enum xnr_status parse_added_one(struct xnr_tokenizer *tok, const json_t *e, size_t i,
                                       struct xnr__added *t, struct xnr_error *err)
{
	const char *content = NULL;
	int64_t id = -1;
	char path[64];

	snprintf(path, sizeof path, "added_tokens[%zu]", i);
	if (!json_is_object(e) || xnr_json_str(e, "content", &content, path, err) != 1 ||
	    xnr_json_int(e, "id", &id, path, err) != 1 || id < 0 || id >= (1 << 26))
		return xnr_fail(err, XNR_ERR_FORMAT,
		                "%s: expected {\"id\": 0..2^26, \"content\": \"...\", ...}", path);
	t->id = (int32_t)id;
	t->len = strlen(content);
	if (xnr_json_bool(e, "special", &t->special, path, err) < 0)
		return XNR_ERR_FORMAT;
	t->normalized = !t->special;
	if (xnr_json_bool(e, "normalized", &t->normalized, path, err) < 0 ||
	    xnr_json_bool(e, "lstrip", &t->lstrip, path, err) < 0 ||
	    xnr_json_bool(e, "rstrip", &t->rstrip, path, err) < 0 ||
	    xnr_json_bool(e, "single_word", &t->single_word, path, err) < 0)
		return XNR_ERR_FORMAT;
	t->content = strdup(content);
	if (!t->content || (t->normalized && normalize_content(tok, t) != XNR_OK))
		return xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", path);
	if (t->normalized && t->norm_len)
		tok->added.first[1][(unsigned char)t->norm[0]] = 1;
	else if (!t->normalized && t->len)
		tok->added.first[0][(unsigned char)t->content[0]] = 1;
	return XNR_OK;
}

static enum xnr_status parse_added(struct xnr_tokenizer *tok, const json_t *arr,
                                   struct xnr_error *err)
{
	size_t i;

	if (!arr || json_is_null(arr))
		return XNR_OK;
	if (!json_is_array(arr))
		return xnr_fail(err, XNR_ERR_FORMAT, "added_tokens: expected an array");
	tok->added.v = calloc(json_array_size(arr) + 1, sizeof *tok->added.v);
	if (!tok->added.v)
		return xnr_fail(err, XNR_ERR_NOMEM, "added_tokens: out of memory");
	for (i = 0; i < json_array_size(arr); i++) {
		enum xnr_status st;
		st = parse_added_one(tok, json_array_get(arr, i), i, &tok->added.v[i], err);
		tok->added.n++;
		if (st != XNR_OK)
			return st;
	}
	return XNR_OK;
}

static void describe(struct xnr_tokenizer *tok)
{
	char *p = tok->describe;
	size_t cap = sizeof tok->describe;
	int n = 0;

	if (tok->has_normalizer)
		n += snprintf(p + n, cap - (size_t)n, "%s > ",
		              xnr__normalizer_name(&tok->normalizer));
	if (tok->has_pretok && (size_t)n < cap)
		n += snprintf(p + n, cap - (size_t)n, "%s > ", xnr__pretok_name(&tok->pretok));
	if ((size_t)n < cap)
		n += snprintf(p + n, cap - (size_t)n, "%s(%d)", xnr__model_name(&tok->model),
		              tok->model.vocab.n);
	if (tok->post.type != XNR__POST_NONE && (size_t)n < cap)
		snprintf(p + n, cap - (size_t)n, " > %s", xnr__post_name(&tok->post));
}

static enum xnr_status parse_components(struct xnr_tokenizer *tok, const json_t *root,
                                        struct xnr_error *err)
{
	const json_t *v = json_object_get(root, "normalizer");
	enum xnr_status st;

	if (v && !json_is_null(v)) {
		if ((st = xnr__normalizer_parse(v, "normalizer", &tok->normalizer, err)) != XNR_OK)
			return st;
		tok->has_normalizer = 1;
	}
	v = json_object_get(root, "pre_tokenizer");
	if (v && !json_is_null(v)) {
		if ((st = xnr__pretok_parse(v, "pre_tokenizer", &tok->pretok, err)) != XNR_OK)
			return st;
		tok->has_pretok = 1;
	}
	if ((st = xnr__model_parse(json_object_get(root, "model"), &tok->model, err)) != XNR_OK)
		return st;
	v = json_object_get(root, "post_processor");
	if (v && !json_is_null(v) &&
	    (st = xnr__post_parse(v, "post_processor", &tok->post, err)) != XNR_OK)
		return st;
	return parse_added(tok, json_object_get(root, "added_tokens"), err);
}

enum xnr_status xnr__tokenizer_from_json(const json_t *root, const char *what,
                                         struct xnr_tokenizer **out, struct xnr_error *err)
{
	struct xnr_tokenizer *tok;
	const char *version = NULL;
	enum xnr_status st;

	xnr_error_clear(err);
	if (!json_is_object(root))
		return xnr_fail_at(err, XNR_ERR_FORMAT, what, 0,
		                   "expected a JSON object at the top level");
	if (xnr_json_str(root, "version", &version, what, err) < 0)
		return XNR_ERR_FORMAT;
	if (version && strcmp(version, "1.0") != 0)
		return xnr_fail_at(err, XNR_ERR_UNSUPPORTED, what, 0,
		                   "version \"%s\" is not supported (expected \"1.0\")", version);
	if (!json_object_get(root, "model"))
		return xnr_fail_at(err, XNR_ERR_FORMAT, what, 0, "missing \"model\"");
	tok = calloc(1, sizeof *tok);
	if (!tok)
		return xnr_fail_at(err, XNR_ERR_NOMEM, what, 0, "out of memory");
	st = parse_components(tok, root, err);
	if (st != XNR_OK) {
		xnr_tokenizer_close(tok);
		xnr_error_at(err, what, 0);
		return st;
	}
	describe(tok);
	*out = tok;
	return XNR_OK;
}

enum xnr_status xnr__tokenizer_parse(const char *text, size_t len, struct xnr_tokenizer **out,
                                     struct xnr_error *err)
{
	json_t *root = NULL;
	enum xnr_status st = xnr_json_parse(text, len, "tokenizer.json", &root, err);

	if (st != XNR_OK)
		return st;
	st = xnr__tokenizer_from_json(root, "tokenizer.json", out, err);
	json_decref(root);
	return st;
}

enum xnr_status xnr_tokenizer_open_json(const char *path, struct xnr_tokenizer **out,
                                        struct xnr_error *err)
{
	json_t *root = NULL;
	enum xnr_status st = xnr_json_load(path, XNR_TOKENIZER_MAX_BYTES, &root, err);

	if (st != XNR_OK)
		return st;
	st = xnr__tokenizer_from_json(root, path, out, err);
	json_decref(root);
	return st;
}

enum xnr_status xnr_tokenizer_open(const char *model_dir, struct xnr_tokenizer **out,
                                   struct xnr_error *err)
{
	char path[4096];
	enum xnr_status st;

	if (xnr_path_join(path, sizeof path, model_dir, "tokenizer.json", err) != XNR_OK)
		return XNR_ERR_LIMIT;
	if (xnr_file_exists(path))
		return xnr_tokenizer_open_json(path, out, err);
	st = xnr__tokenizer_open_bpe(model_dir, out, err);
	if (st == XNR_ERR_NOT_FOUND)
		st = xnr__tokenizer_open_spm(model_dir, out, err);
	if (st == XNR_ERR_NOT_FOUND)
		st = xnr__tokenizer_open_legacy(model_dir, out, err);
	if (st == XNR_ERR_NOT_FOUND)
		return xnr_fail_at(err, XNR_ERR_NOT_FOUND, model_dir, 0,
		                   "no tokenizer files (tokenizer.json; vocab.json + merges.txt; "
		                   "sentencepiece.bpe.model; spm.model; or vocab.txt): copy the "
		                   "tokenizer files of the model into this folder");
	return st;
}

int xnr_tokenizer_n_special(const struct xnr_tokenizer *tok)
{
	return xnr__post_n_special(&tok->post);
}

int xnr_tokenizer_vocab_size(const struct xnr_tokenizer *tok)
{
	int32_t max = tok->model.vocab.n ? tok->model.vocab.max_id : -1;
	int i;

	for (i = 0; i < tok->added.n; i++)
		if (tok->added.v[i].id > max)
			max = tok->added.v[i].id;
	return (int)max + 1;
}

const char *xnr_tokenizer_id_to_token(const struct xnr_tokenizer *tok, int32_t id)
{
	int i;

	for (i = 0; i < tok->added.n; i++)
		if (tok->added.v[i].id == id)
			return tok->added.v[i].content;
	return xnr__vocab_token(&tok->model.vocab, id);
}

const char *xnr_tokenizer_describe(const struct xnr_tokenizer *tok)
{
	return tok->describe;
}
