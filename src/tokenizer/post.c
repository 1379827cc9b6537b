/*
 * post.c - tokenizer.json "post_processor" components, single sequence
 * (hf-formats.md 4.7): TemplateProcessing, BertProcessing, RobertaProcessing,
 * ByteLevel, Sequence. Split in two steps: offset trimming (ByteLevel rule,
 * applied by the Rust crate even without special tokens) and framing (adding
 * the special tokens around a slice of tokens, used for windows too).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "tokenizer/internal.h"

void xnr__post_free(struct xnr__post *p)
{
	int i;

	if (!p)
		return;
	for (i = 0; i < p->n_tpl; i++)
		free(p->tpl[i].ids);
	free(p->tpl);
	for (i = 0; i < p->n_items; i++)
		xnr__post_free(&p->items[i]);
	free(p->items);
	memset(p, 0, sizeof *p);
}

static enum xnr_status add_special(struct xnr__post *p, int32_t id, const char *path,
                                   struct xnr_error *err)
{
	struct xnr__tpl_item *it = &p->tpl[p->n_tpl];

	it->ids = malloc(sizeof *it->ids);
	if (!it->ids)
		return xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", path);
	it->ids[0] = id;
	it->n_ids = 1;
	it->type_id = 0;
	p->n_tpl++;
	return XNR_OK;
}

/* "sep": ["</s>", 2] -> 2 */
static enum xnr_status pair_id(const json_t *j, const char *key, const char *path, int32_t *id,
                               struct xnr_error *err)
{
	const json_t *v = json_object_get(j, key);
	const json_t *n = json_array_get(v, 1);

	if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_integer(n) ||
	    json_integer_value(n) < 0 || json_integer_value(n) >= (1 << 26))
		return xnr_fail(err, XNR_ERR_FORMAT, "%s.%s: expected [\"token\", id]", path, key);
	*id = (int32_t)json_integer_value(n);
	return XNR_OK;
}

/* BertProcessing: [CLS] $A [SEP]. */
static enum xnr_status parse_cls_sep(const json_t *j, const char *path, void *out,
                                     struct xnr_error *err)
{
	struct xnr__post *p = out;
	int32_t cls, sep;
	enum xnr_status st;

	if ((st = pair_id(j, "cls", path, &cls, err)) != XNR_OK ||
	    (st = pair_id(j, "sep", path, &sep, err)) != XNR_OK)
		return st;
	p->tpl = calloc(3, sizeof *p->tpl);
	if (!p->tpl)
		return xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", path);
	if ((st = add_special(p, cls, path, err)) != XNR_OK)
		return st;
	p->tpl[p->n_tpl].type_id = 0;
	p->n_tpl++;
	return add_special(p, sep, path, err);
}

/* ByteLevel: offset trimming only. */
static enum xnr_status parse_trim(const json_t *j, const char *path, void *out,
                                  struct xnr_error *err)
{
	struct xnr__post *p = out;
	enum xnr_status st = xnr__field_bool(j, "trim_offsets", 1, &p->trim_offsets, path, err);

	if (st != XNR_OK)
		return st;
	return xnr__field_bool(j, "add_prefix_space", 1, &p->add_prefix_space, path, err);
}

/* RobertaProcessing: <s> $A </s> and ByteLevel's offset trimming. */
static enum xnr_status parse_roberta(const json_t *j, const char *path, void *out,
                                     struct xnr_error *err)
{
	enum xnr_status st = parse_cls_sep(j, path, out, err);

	return st != XNR_OK ? st : parse_trim(j, path, out, err);
}

static enum xnr_status special_ids(const json_t *specials, const char *name, const char *path,
                                   struct xnr__tpl_item *it, struct xnr_error *err)
{
	const json_t *ids = json_object_get(json_object_get(specials, name), "ids");
	size_t i;

	if (!json_is_array(ids))
		return xnr_fail(err, XNR_ERR_FORMAT, "%s.special_tokens: no entry \"%s\" with ids",
		                path, name);
	it->ids = malloc((json_array_size(ids) + 1) * sizeof *it->ids);
	if (!it->ids)
		return xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", path);
	for (i = 0; i < json_array_size(ids); i++) {
		const json_t *v = json_array_get(ids, i);
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) >= (1 << 26))
			return xnr_fail(err, XNR_ERR_FORMAT,
			                "%s.special_tokens[\"%s\"].ids: bad id", path, name);
		it->ids[it->n_ids++] = (int32_t)json_integer_value(v);
	}
	return XNR_OK;
}

/* One template piece: {"SpecialToken": {...}}, {"Sequence": {...}} or the
 * string form "[CLS]:0" / "$A:0". */
static enum xnr_status parse_piece(const json_t *it, const json_t *specials, const char *path,
                                   struct xnr__tpl_item *out, struct xnr_error *err)
{
	const json_t *sp = json_object_get(it, "SpecialToken");
	const json_t *seq = json_object_get(it, "Sequence");
	int64_t type_id = 0;
	const char *id = NULL;

	if (json_is_string(it)) {
		char name[256];
		const char *s = json_string_value(it), *colon = strrchr(s, ':');
		size_t n = colon ? (size_t)(colon - s) : strlen(s);
		if (n >= sizeof name)
			return xnr_fail(err, XNR_ERR_FORMAT, "%s: template piece too long", path);
		memcpy(name, s, n);
		name[n] = '\0';
		out->type_id = 0;
		if (colon) {
			char *end;
			long v = strtol(colon + 1, &end, 10);
			if (end == colon + 1 || *end || v < 0 || v > INT32_MAX)
				return xnr_fail(
				    err, XNR_ERR_FORMAT,
				    "%s: template piece \"%s\": the type id after ':' is not a "
				    "whole number",
				    path, s);
			out->type_id = (int32_t)v;
		}
		if (name[0] == '$')
			return XNR_OK;
		return special_ids(specials, name, path, out, err);
	}
	if (json_is_object(seq)) {
		if (xnr_json_int(seq, "type_id", &type_id, path, err) < 0)
			return XNR_ERR_FORMAT;
		out->type_id = (int32_t)type_id;
		return XNR_OK;
	}
	if (!json_is_object(sp) || xnr_json_str(sp, "id", &id, path, err) != 1 ||
	    xnr_json_int(sp, "type_id", &type_id, path, err) < 0)
		return xnr_fail(err, XNR_ERR_FORMAT,
		                "%s.single: pieces must be {\"SpecialToken\": {\"id\": ...}} or "
		                "{\"Sequence\": {...}}",
		                path);
	out->type_id = (int32_t)type_id;
	return special_ids(specials, id, path, out, err);
}

static enum xnr_status parse_template(const json_t *j, const char *path, void *out,
                                      struct xnr_error *err)
{
	struct xnr__post *p = out;
	const json_t *single = json_object_get(j, "single");
	const json_t *specials = json_object_get(j, "special_tokens");
	size_t i;

	if (!json_is_array(single))
		return xnr_fail(err, XNR_ERR_FORMAT, "%s.single: missing or not an array", path);
	p->tpl = calloc(json_array_size(single) + 1, sizeof *p->tpl);
	if (!p->tpl)
		return xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", path);
	for (i = 0; i < json_array_size(single); i++) {
		enum xnr_status st =
		    parse_piece(json_array_get(single, i), specials, path, &p->tpl[i], err);
		p->n_tpl++;
		if (st != XNR_OK)
			return st;
	}
	return XNR_OK;
}

static void free_post(void *p)
{
	xnr__post_free(p);
}

static const struct xnr__type_def post_types[] = {
    {"TemplateProcessing", XNR__POST_TEMPLATE, parse_template},
    {"BertProcessing", XNR__POST_BERT, parse_cls_sep},
    {"RobertaProcessing", XNR__POST_ROBERTA, parse_roberta},
    {"ByteLevel", XNR__POST_BYTELEVEL, parse_trim},
    {"Sequence", XNR__POST_SEQUENCE, NULL},
};

static const struct xnr__family post_family = {
    post_types,
    sizeof post_types / sizeof post_types[0],
    XNR__POST_SEQUENCE,
    "processors",
    sizeof(struct xnr__post),
    offsetof(struct xnr__post, type),
    offsetof(struct xnr__post, items),
    offsetof(struct xnr__post, n_items),
    free_post,
};

const char *xnr__post_name(const struct xnr__post *p)
{
	return p->type == XNR__POST_NONE ? "none" : xnr__component_name(&post_family, p->type);
}

enum xnr_status xnr__post_parse(const json_t *j, const char *path, struct xnr__post *out,
                                struct xnr_error *err)
{
	return xnr__component_parse(&post_family, j, path, out, err);
}

static int is_trim_char(int32_t cp)
{
	return cp == 0x120 || xnr__is_ws(cp);
}

/* Count leading and trailing Ġ / whitespace chars of a token value. */
static void count_trim(const char *t, size_t len, size_t *lead, size_t *trail)
{
	size_t k = 0;
	int32_t cp;

	*lead = 0;
	*trail = 0;
	while (k < len) {
		k += xnr__utf8_dec(t, len, k, &cp);
		if (!is_trim_char(cp))
			break;
		(*lead)++;
	}
	for (k = 0; k < len;) {
		k += xnr__utf8_dec(t, len, k, &cp);
		*trail = is_trim_char(cp) ? *trail + 1 : 0;
	}
}

/* Rust moves offsets by a count of chars; as Python sees them (char offsets)
 * that is whole characters of the original text, so step over them here. */
void xnr__trim_span(const char *t, size_t len, const char *orig, size_t orig_len, int first,
                    int add_prefix_space, int32_t *off)
{
	size_t lead, trail, pos, k;

	count_trim(t, len, &lead, &trail);
	if (lead > 0 && !(first && add_prefix_space && lead == 1)) {
		for (pos = (size_t)off[0], k = 0; k < lead && pos < (size_t)off[1]; k++) {
			pos++;
			while (pos < orig_len && ((unsigned char)orig[pos] & 0xC0) == 0x80)
				pos++;
		}
		off[0] = pos < (size_t)off[1] ? (int32_t)pos : off[1];
	}
	if (trail > 0 && (size_t)off[1] >= trail) {
		for (pos = (size_t)off[1], k = 0; k < trail && pos > (size_t)off[0]; k++) {
			pos--;
			while (pos > 0 && ((unsigned char)orig[pos] & 0xC0) == 0x80)
				pos--;
		}
		off[1] = pos > (size_t)off[0] ? (int32_t)pos : off[0];
	}
}

/* Rust processors::byte_level::process_offsets over tokens [begin, n). */
static void trim_offsets(const struct xnr_tokenizer *tok, int add_prefix_space,
                         struct xnr_encoding *enc, int begin, const char *orig, size_t orig_len)
{
	int i;

	for (i = begin; i < enc->n_tokens; i++) {
		const char *t = xnr_tokenizer_id_to_token(tok, enc->ids[i]);
		int32_t *off = &enc->offsets[2 * i];
		if (t)
			xnr__trim_span(t, strlen(t), orig, orig_len, i == 0 || off[0] == 0,
			               add_prefix_space, off);
	}
}

int xnr__post_trims(const struct xnr__post *p, int *add_prefix_space)
{
	int i;

	if ((p->type == XNR__POST_ROBERTA || p->type == XNR__POST_BYTELEVEL) && p->trim_offsets) {
		*add_prefix_space = p->add_prefix_space;
		return 1;
	}
	for (i = 0; i < p->n_items; i++)
		if (xnr__post_trims(&p->items[i], add_prefix_space))
			return 1;
	return 0;
}

void xnr__post_trim(const struct xnr__post *p, const struct xnr_tokenizer *tok,
                    struct xnr_encoding *enc, int begin, const char *orig, size_t orig_len)
{
	int i;

	if ((p->type == XNR__POST_ROBERTA || p->type == XNR__POST_BYTELEVEL) && p->trim_offsets)
		trim_offsets(tok, p->add_prefix_space, enc, begin, orig, orig_len);
	for (i = 0; i < p->n_items; i++)
		xnr__post_trim(&p->items[i], tok, enc, begin, orig, orig_len);
}

/* The processor whose template frames the sequence, or NULL. */
static const struct xnr__post *framer(const struct xnr__post *p)
{
	int i;

	if (p->n_tpl)
		return p;
	for (i = 0; i < p->n_items; i++)
		if (framer(&p->items[i]))
			return framer(&p->items[i]);
	return NULL;
}

int xnr__post_n_special(const struct xnr__post *p)
{
	const struct xnr__post *f = framer(p);
	int i, n = 0;

	for (i = 0; f && i < f->n_tpl; i++)
		n += f->tpl[i].n_ids;
	return n;
}

static void put(struct xnr_encoding *out, int32_t id, int32_t word, int32_t s, int32_t e,
                uint8_t special, int32_t type_id)
{
	int k = out->n_tokens++;

	out->ids[k] = id;
	out->word_ids[k] = word;
	out->offsets[2 * k] = s;
	out->offsets[2 * k + 1] = e;
	out->special[k] = special;
	out->type_ids[k] = type_id;
}

enum xnr_status xnr__post_frame(const struct xnr__post *p, const struct xnr_encoding *body,
                                int begin, int end, struct xnr_encoding *out)
{
	const struct xnr__post *f = framer(p);
	int i, k, n_seq = f ? 0 : 1, n;

	for (i = 0; f && i < f->n_tpl; i++)
		n_seq += f->tpl[i].ids == NULL;
	n = (end - begin) * n_seq + xnr__post_n_special(p);
	out->n_tokens = 0;
	if (xnr__encoding_reserve(out, n) != XNR_OK)
		return XNR_ERR_NOMEM;
	for (i = 0; i < (f ? f->n_tpl : 1); i++) {
		const struct xnr__tpl_item *it = f ? &f->tpl[i] : NULL;
		if (it && it->ids) {
			for (k = 0; k < it->n_ids; k++)
				put(out, it->ids[k], -1, 0, 0, 1, it->type_id);
			continue;
		}
		for (k = begin; k < end; k++)
			put(out, body->ids[k], body->word_ids[k], body->offsets[2 * k],
			    body->offsets[2 * k + 1], body->special[k], it ? it->type_id : 0);
	}
	return XNR_OK;
}
