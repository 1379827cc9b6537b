/*
 * convert.c - what the slow-to-fast conversions share (transformers'
 * convert_slow_tokenizer.py and PreTrainedTokenizerFast.__init__): the
 * folder's tokenizer_config.json and special_tokens_map.json (the map wins,
 * as in from_pretrained), the added tokens of a converted tokenizer (the
 * slow class's special tokens, then added_tokens_decoder, which wins), and
 * the `first $A last` TemplateProcessing. The converters express their
 * pipeline as a tokenizer.json document, loaded like a file.
 */
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/json.h"
#include "tokenizer/internal.h"

#define XNR_CONV_CONFIG_MAX_BYTES ((size_t)16 << 20)

static enum xnr_status load_optional(const char *dir, const char *name, json_t **out, char *path,
                                     struct xnr_error *err)
{
	enum xnr_status st;

	*out = NULL;
	if ((st = xnr_path_join(path, 4096, dir, name, err)) != XNR_OK)
		return st;
	if (!xnr_file_exists(path))
		return XNR_OK;
	if ((st = xnr_json_load(path, XNR_CONV_CONFIG_MAX_BYTES, out, err)) != XNR_OK)
		return st;
	if (!json_is_object(*out))
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "expected a JSON object at the top level");
	return XNR_OK;
}

enum xnr_status xnr__conv_cfg_load(const char *dir, struct xnr__conv_cfg *c, struct xnr_error *err)
{
	char map_path[4096];
	enum xnr_status st;

	memset(c, 0, sizeof *c);
	st = load_optional(dir, "tokenizer_config.json", &c->cfg, c->cfg_path, err);
	if (st == XNR_OK)
		st = load_optional(dir, "special_tokens_map.json", &c->map, map_path, err);
	if (st != XNR_OK)
		xnr__conv_cfg_free(c);
	return st;
}

void xnr__conv_cfg_free(struct xnr__conv_cfg *c)
{
	if (!c)
		return;
	json_decref(c->cfg);
	json_decref(c->map);
	c->cfg = c->map = NULL;
}

enum xnr_status xnr__conv_cfg_bool(const struct xnr__conv_cfg *c, const char *key, int dflt,
                                   int *out, struct xnr_error *err)
{
	*out = dflt;
	if (c->cfg && xnr_json_bool(c->cfg, key, out, c->cfg_path, err) < 0)
		return xnr_fail_at(err, XNR_ERR_FORMAT, c->cfg_path, 0,
		                   "\"%s\": expected true or false", key);
	return XNR_OK;
}

/* The {"content": ...} or "..." form of a special token into t. */
static int token_value(const json_t *v, struct xnr__conv_added *t)
{
	int flag;

	if (json_is_string(v)) {
		t->content = (char *)json_string_value(v);
		return 1;
	}
	if (!json_is_object(v) || !json_is_string(json_object_get(v, "content")))
		return 0;
	t->content = (char *)json_string_value(json_object_get(v, "content"));
	flag = 0;
	if (xnr_json_bool(v, "lstrip", &flag, NULL, NULL) == 1)
		t->lstrip = flag;
	if (xnr_json_bool(v, "rstrip", &flag, NULL, NULL) == 1)
		t->rstrip = flag;
	if (xnr_json_bool(v, "single_word", &flag, NULL, NULL) == 1)
		t->single_word = flag;
	if (xnr_json_bool(v, "normalized", &flag, NULL, NULL) == 1)
		t->normalized = flag;
	return 1;
}

void xnr__conv_cfg_token(const struct xnr__conv_cfg *c, const char *key, const char *dflt,
                         struct xnr__conv_added *t)
{
	t->content = (char *)dflt;
	if (c->map && token_value(json_object_get(c->map, key), t))
		return;
	if (c->cfg)
		token_value(json_object_get(c->cfg, key), t);
}

void xnr__conv_added_free(struct xnr__conv_added_list *l)
{
	int i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i].content);
	free(l->v);
	memset(l, 0, sizeof *l);
}

enum xnr_status xnr__conv_added_put(struct xnr__conv_added_list *l, const struct xnr__conv_added *t,
                                    int replace)
{
	int i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].content, t->content) != 0)
			continue;
		if (replace) {
			char *content = l->v[i].content;
			l->v[i] = *t;
			l->v[i].content = content;
		}
		return XNR_OK;
	}
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 16;
		struct xnr__conv_added *v = realloc(l->v, (size_t)cap * sizeof *v);
		if (!v)
			return XNR_ERR_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = *t;
	l->v[l->n].content = strdup(t->content);
	if (!l->v[l->n].content)
		return XNR_ERR_NOMEM;
	l->n++;
	return XNR_OK;
}

/* tokenizer_config.json's "added_tokens_decoder": {"id": {"content": ..}}. */
static enum xnr_status put_decoder(struct xnr__conv_added_list *l, const struct xnr__conv_cfg *c,
                                   int32_t *next_id, struct xnr_error *err)
{
	const json_t *dec = c->cfg ? json_object_get(c->cfg, "added_tokens_decoder") : NULL;
	const char *key;
	json_t *v;

	if (!dec || json_is_null(dec))
		return XNR_OK;
	if (!json_is_object(dec))
		return xnr_fail_at(err, XNR_ERR_FORMAT, c->cfg_path, 0,
		                   "\"added_tokens_decoder\": expected an object");
	json_object_foreach((json_t *)dec, key, v)
	{
		struct xnr__conv_added t = {0};
		char *end = NULL;
		long id = strtol(key, &end, 10);
		t.special = 1;
		(void)xnr_json_bool(v, "special", &t.special, NULL, NULL);
		t.normalized = !t.special; /* AddedToken's default */
		if (!*key || *end || id < 0 || id >= (1L << 26) || !token_value(v, &t))
			return xnr_fail_at(
			    err, XNR_ERR_FORMAT, c->cfg_path, 0,
			    "\"added_tokens_decoder\".\"%s\": expected an id 0..2^26 "
			    "and {\"content\": \"...\", ...}",
			    key);
		t.id = (int32_t)id;
		if (xnr__conv_added_put(l, &t, 1) != XNR_OK)
			return xnr_fail_at(err, XNR_ERR_NOMEM, c->cfg_path, 0, "out of memory");
		if (t.id >= *next_id)
			*next_id = t.id + 1;
	}
	return XNR_OK;
}

enum xnr_status xnr__conv_added_specials(struct xnr__conv_added_list *l,
                                         const struct xnr__conv_cfg *c, const char *const *keys,
                                         const char *const *dflt, int n, const char *lstrip_key,
                                         int32_t (*vocab_id)(const void *, const char *),
                                         const void *vocab, int32_t *next_id, struct xnr_error *err)
{
	int i;

	for (i = 0; i < n; i++) {
		struct xnr__conv_added t = {0};
		t.special = 1;
		t.lstrip = lstrip_key && strcmp(keys[i], lstrip_key) == 0;
		xnr__conv_cfg_token(c, keys[i], dflt[i], &t);
		t.id = vocab_id(vocab, t.content);
		if (t.id < 0) {
			int j;
			for (j = 0; j < l->n && strcmp(l->v[j].content, t.content) != 0;)
				j++;
			if (j < l->n)
				continue;
			t.id = (*next_id)++;
		}
		if (xnr__conv_added_put(l, &t, 0) != XNR_OK)
			return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	return put_decoder(l, c, next_id, err);
}

json_t *xnr__conv_added_json(const struct xnr__conv_added_list *l)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; arr && i < l->n; i++) {
		const struct xnr__conv_added *t = &l->v[i];
		if (json_array_append_new(
		        arr, json_pack("{s:i,s:s,s:b,s:b,s:b,s:b,s:b}", "id", (json_int_t)t->id,
		                       "content", t->content, "single_word", t->single_word,
		                       "lstrip", t->lstrip, "rstrip", t->rstrip, "normalized",
		                       t->normalized, "special", t->special)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *tpl_item(const char *kind, const char *id, int type_id)
{
	return json_pack("{s{s:s,s:i}}", kind, "id", id, "type_id", type_id);
}

json_t *xnr__conv_template(const char *first, int32_t first_id, const char *last, int32_t last_id,
                           int xlmr_pair)
{
	int b = xlmr_pair ? 0 : 1; /* XLM-R's "<s> $A </s> </s> $B </s>" has no type ids */
	json_t *pair = json_pack("[o,o,o]", tpl_item("SpecialToken", first, 0),
	                         tpl_item("Sequence", "A", 0), tpl_item("SpecialToken", last, 0));

	if (pair && xlmr_pair)
		json_array_append_new(pair, tpl_item("SpecialToken", last, 0));
	if (pair) {
		json_array_append_new(pair, tpl_item("Sequence", "B", b));
		json_array_append_new(pair, tpl_item("SpecialToken", last, b));
	}
	return json_pack("{s:s,s:[o,o,o],s:o,s:{s{s:s,s:[i],s:[s]},s{s:s,s:[i],s:[s]}}}", "type",
	                 "TemplateProcessing", "single", tpl_item("SpecialToken", first, 0),
	                 tpl_item("Sequence", "A", 0), tpl_item("SpecialToken", last, 0), "pair",
	                 pair, "special_tokens", first, "id", first, "ids", (json_int_t)first_id,
	                 "tokens", first, last, "id", last, "ids", (json_int_t)last_id, "tokens",
	                 last);
}
