/*
 * legacy.c - BERT-family model folders without tokenizer.json: vocab.txt
 * (+ tokenizer_config.json) rebuilt the way transformers' BertConverter does
 * (hf-formats.md 4.9): BertNormalizer(clean_text, handle_chinese_chars =
 * tokenize_chinese_chars, strip_accents, lowercase = do_lower_case, default
 * TRUE), BertPreTokenizer, WordPiece("[UNK]", "##", 100), [CLS] $A [SEP].
 * The pipeline is expressed as a tokenizer.json document and loaded as one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/json.h"
#include "tokenizer/internal.h"

#define XNR_VOCAB_TXT_MAX_BYTES ((size_t)64 << 20)

static enum xnr_status read_vocab(const char *path, json_t *vocab, struct xnr_error *err)
{
	char *text = NULL;
	size_t len = 0, i = 0, line = 0;
	enum xnr_status st = xnr_file_read(path, XNR_VOCAB_TXT_MAX_BYTES, &text, &len, err);

	if (st != XNR_OK)
		return st;
	if (xnr__utf8_invalid(text, len) != (size_t)-1) {
		free(text);
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0, "not valid UTF-8");
	}
	while (i < len) {
		size_t e = i, t;
		while (e < len && text[e] != '\n')
			e++;
		for (t = e;
		     t > i && (text[t - 1] == ' ' || text[t - 1] == '\t' || text[t - 1] == '\r');)
			t--;
		text[t] = '\0';
		if (json_object_set_new(vocab, text + i, json_integer((json_int_t)line)) != 0) {
			free(text);
			return xnr_fail_at(err, XNR_ERR_NOMEM, path, (long)line + 1,
			                   "out of memory");
		}
		line++;
		i = e + 1;
	}
	free(text);
	return XNR_OK;
}

/* tokenizer_config.json settings, defaults of BertTokenizer. */
struct bert_config {
	int lower, chinese;
	json_t *strip_accents; /* borrowed: true / false / null */
	const char *names[5];  /* unk, sep, pad, cls, mask */
};

static enum xnr_status read_config(const char *dir, json_t **cfg, struct bert_config *c,
                                   struct xnr_error *err)
{
	static const char *keys[5] = {"unk_token", "sep_token", "pad_token", "cls_token",
	                              "mask_token"};
	static const char *dflt[5] = {"[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"};
	char path[4096];
	enum xnr_status st;
	int i;

	c->lower = 1;
	c->chinese = 1;
	c->strip_accents = NULL;
	memcpy(c->names, dflt, sizeof dflt);
	*cfg = NULL;
	if ((st = xnr_path_join(path, sizeof path, dir, "tokenizer_config.json", err)) != XNR_OK)
		return st;
	if (!xnr_file_exists(path))
		return XNR_OK;
	if ((st = xnr_json_load(path, XNR_VOCAB_TXT_MAX_BYTES, cfg, err)) != XNR_OK)
		return st;
	if (!json_is_object(*cfg))
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0, "expected an object");
	if (xnr_json_bool(*cfg, "do_lower_case", &c->lower, path, err) < 0 ||
	    xnr_json_bool(*cfg, "tokenize_chinese_chars", &c->chinese, path, err) < 0)
		return XNR_ERR_FORMAT; /* err names the key */
	c->strip_accents = json_object_get(*cfg, "strip_accents");
	if (c->strip_accents && !json_is_boolean(c->strip_accents))
		c->strip_accents = NULL;
	for (i = 0; i < 5; i++) {
		const json_t *v = json_object_get(*cfg, keys[i]);
		if (json_is_string(v))
			c->names[i] = json_string_value(v);
		else if (json_is_string(json_object_get(v, "content")))
			c->names[i] = json_string_value(json_object_get(v, "content"));
	}
	return XNR_OK;
}

static json_t *special_piece(const char *name)
{
	return json_pack("{s{s:s,s:i}}", "SpecialToken", "id", name, "type_id", 0);
}

/* Build the tokenizer.json document of a BERT vocab.txt folder whose vocab
 * has the [CLS] and [SEP] tokens; NULL when out of memory. */
static json_t *build_doc(json_t *vocab, const struct bert_config *c)
{
	json_t *added = json_array(), *specials = json_object(), *doc;
	json_t *cls = json_object_get(vocab, c->names[3]),
	       *sep = json_object_get(vocab, c->names[1]);
	int i;

	if (!added || !specials) {
		json_decref(added);
		json_decref(specials);
		return NULL;
	}
	for (i = 0; i < 5; i++) {
		json_t *id = json_object_get(vocab, c->names[i]);
		if (id)
			json_array_append_new(
			    added, json_pack("{s:O,s:s,s:b,s:b,s:b,s:b,s:b}", "id", id, "content",
			                     c->names[i], "single_word", 0, "lstrip", 0, "rstrip",
			                     0, "normalized", 0, "special", 1));
	}
	json_object_set_new(
	    specials, c->names[3],
	    json_pack("{s:s,s:[O],s:[s]}", "id", c->names[3], "ids", cls, "tokens", c->names[3]));
	json_object_set_new(
	    specials, c->names[1],
	    json_pack("{s:s,s:[O],s:[s]}", "id", c->names[1], "ids", sep, "tokens", c->names[1]));
	doc = json_pack("{s:s,s:o,s:{s:s,s:b,s:b,s:O,s:b},s:{s:s},s:{s:s,s:s,s:s,s:i,s:O},"
	                "s:{s:s,s:[o,{s{s:s,s:i}},o],s:o}}",
	                "version", "1.0", "added_tokens", added, "normalizer", "type",
	                "BertNormalizer", "clean_text", 1, "handle_chinese_chars", c->chinese,
	                "strip_accents", c->strip_accents ? c->strip_accents : json_null(),
	                "lowercase", c->lower, "pre_tokenizer", "type", "BertPreTokenizer", "model",
	                "type", "WordPiece", "unk_token", c->names[0], "continuing_subword_prefix",
	                "##", "max_input_chars_per_word", 100, "vocab", vocab, "post_processor",
	                "type", "TemplateProcessing", "single", special_piece(c->names[3]),
	                "Sequence", "id", "A", "type_id", 0, special_piece(c->names[1]),
	                "special_tokens", specials);
	return doc;
}

enum xnr_status xnr__tokenizer_open_legacy(const char *dir, struct xnr_tokenizer **out,
                                           struct xnr_error *err)
{
	char path[4096];
	json_t *vocab = NULL, *cfg = NULL, *doc = NULL;
	struct bert_config c;
	enum xnr_status st;

	if ((st = xnr_path_join(path, sizeof path, dir, "vocab.txt", err)) != XNR_OK)
		return st;
	if (!xnr_file_exists(path))
		return xnr_fail_at(err, XNR_ERR_NOT_FOUND, dir, 0,
		                   "no tokenizer.json or vocab.txt (copy the tokenizer files of "
		                   "the model into this folder)");
	vocab = json_object();
	if (!vocab)
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	st = read_vocab(path, vocab, err);
	if (st != XNR_OK)
		goto fail;
	st = read_config(dir, &cfg, &c, err);
	if (st != XNR_OK)
		goto fail;
	if (!json_object_get(vocab, c.names[3]) || !json_object_get(vocab, c.names[1])) {
		st = xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                 "vocab has no \"%s\" or \"%s\" token", c.names[3], c.names[1]);
		goto fail;
	}
	doc = build_doc(vocab, &c);
	if (!doc) {
		st = xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
		goto fail;
	}
	st = xnr__tokenizer_from_json(doc, path, out, err);
fail:
	json_decref(doc);
	json_decref(vocab);
	json_decref(cfg);
	return st;
}
