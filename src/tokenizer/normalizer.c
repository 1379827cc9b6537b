/*
 * normalizer.c - tokenizer.json "normalizer" components (hf-formats.md 4.4):
 * BertNormalizer, NFC/NFD/NFKC/NFKD, Lowercase, StripAccents, Strip,
 * Replace, Prepend, Nmt, Precompiled, ByteLevel, Sequence. Each one builds
 * the (char, change) list the Rust crate feeds to NormalizedString::transform
 * so offsets into the original text follow the same alignment rules.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/json.h"
#include "tokenizer/internal.h"

void xnr__normalizer_free(struct xnr__normalizer *n)
{
	int i;

	if (!n)
		return;
	for (i = 0; i < n->n_items; i++)
		xnr__normalizer_free(&n->items[i]);
	free(n->items);
	if (n->re)
		pcre2_code_free(n->re);
	free(n->content);
	free(n->pc.blob);
	memset(n, 0, sizeof *n);
}

static enum xnr_status parse_bert(const json_t *j, const char *path, void *out,
                                  struct xnr_error *err)
{
	struct xnr__normalizer *n = out;
	const json_t *sa = json_object_get(j, "strip_accents");
	enum xnr_status st;

	if ((st = xnr__field_bool(j, "clean_text", 1, &n->clean_text, path, err)) != XNR_OK ||
	    (st = xnr__field_bool(j, "handle_chinese_chars", 1, &n->chinese, path, err)) !=
	        XNR_OK ||
	    (st = xnr__field_bool(j, "lowercase", 1, &n->lowercase, path, err)) != XNR_OK)
		return st;
	if (!sa || json_is_null(sa))
		n->strip_accents = n->lowercase;
	else if (json_is_boolean(sa))
		n->strip_accents = json_is_true(sa);
	else
		return xnr_fail(err, XNR_ERR_FORMAT, "%s.strip_accents: expected a boolean or null",
		                path);
	return XNR_OK;
}

static enum xnr_status parse_strip(const json_t *j, const char *path, void *out,
                                   struct xnr_error *err)
{
	struct xnr__normalizer *n = out;
	enum xnr_status st = xnr__field_bool(j, "strip_left", 1, &n->left, path, err);

	return st != XNR_OK ? st : xnr__field_bool(j, "strip_right", 1, &n->right, path, err);
}

static enum xnr_status parse_replace(const json_t *j, const char *path, void *out,
                                     struct xnr_error *err)
{
	struct xnr__normalizer *n = out;
	enum xnr_status st = xnr__field_pattern(j, path, &n->re, err);

	return st != XNR_OK ? st : xnr__field_str(j, "content", path, &n->content, err);
}

static enum xnr_status parse_prepend(const json_t *j, const char *path, void *out,
                                     struct xnr_error *err)
{
	return xnr__field_str(j, "prepend", path, &((struct xnr__normalizer *)out)->content, err);
}

static enum xnr_status parse_precompiled(const json_t *j, const char *path, void *out,
                                         struct xnr_error *err)
{
	const json_t *pc = json_object_get(j, "precompiled_charsmap");

	if (!pc || json_is_null(pc))
		return XNR_OK;
	if (!json_is_string(pc))
		return xnr_fail(err, XNR_ERR_FORMAT,
		                "%s.precompiled_charsmap: expected a base64 string", path);
	return xnr__precompiled_parse(json_string_value(pc), &((struct xnr__normalizer *)out)->pc,
	                              path, err);
}

static void free_normalizer(void *n)
{
	xnr__normalizer_free(n);
}

static const struct xnr__type_def norm_types[] = {
    {"BertNormalizer", XNR__NORM_BERT, parse_bert},
    {"NFC", XNR__NORM_NFC, NULL},
    {"NFD", XNR__NORM_NFD, NULL},
    {"NFKC", XNR__NORM_NFKC, NULL},
    {"NFKD", XNR__NORM_NFKD, NULL},
    {"Lowercase", XNR__NORM_LOWERCASE, NULL},
    {"StripAccents", XNR__NORM_STRIP_ACCENTS, NULL},
    {"Strip", XNR__NORM_STRIP, parse_strip},
    {"Replace", XNR__NORM_REPLACE, parse_replace},
    {"Prepend", XNR__NORM_PREPEND, parse_prepend},
    {"Nmt", XNR__NORM_NMT, NULL},
    {"Precompiled", XNR__NORM_PRECOMPILED, parse_precompiled},
    {"ByteLevel", XNR__NORM_BYTELEVEL, NULL},
    {"Sequence", XNR__NORM_SEQUENCE, NULL},
};

static const struct xnr__family norm_family = {
    norm_types,
    sizeof norm_types / sizeof norm_types[0],
    XNR__NORM_SEQUENCE,
    "normalizers",
    sizeof(struct xnr__normalizer),
    offsetof(struct xnr__normalizer, type),
    offsetof(struct xnr__normalizer, items),
    offsetof(struct xnr__normalizer, n_items),
    free_normalizer,
};

const char *xnr__normalizer_name(const struct xnr__normalizer *n)
{
	return xnr__component_name(&norm_family, n->type);
}

enum xnr_status xnr__normalizer_parse(const json_t *j, const char *path,
                                      struct xnr__normalizer *out, struct xnr_error *err)
{
	return xnr__component_parse(&norm_family, j, path, out, err);
}

/* w->a = transform(w->a, w->ch). */
static enum xnr_status apply(struct xnr__work *w, size_t initial_skip)
{
	struct xnr__nstr t;

	if (xnr__nstr_transform(&w->a, &w->ch, initial_skip, &w->b) != XNR_OK)
		return XNR_ERR_NOMEM;
	t = w->a;
	w->a = w->b;
	w->b = t;
	return XNR_OK;
}

/* Forward equivalent of Rust NormalizedString::filter: a removed char adds
 * -1 to the change of the last kept char, or to the initial offset. */
static enum xnr_status filter_push(struct xnr__changes *c, size_t *initial, int keep, int32_t cp)
{
	if (keep)
		return xnr__changes_add(c, cp, 0);
	if (c->n)
		c->v[c->n - 1].change--;
	else
		(*initial)++;
	return XNR_OK;
}

static int is_bert_control(int32_t cp)
{
	if (cp == '\t' || cp == '\n' || cp == '\r')
		return 0;
	return xnr__is_other(cp);
}

static enum xnr_status bert_clean(struct xnr__work *w)
{
	size_t i = 0, initial = 0;

	w->ch.n = 0;
	while (i < w->a.len) {
		int32_t cp;
		int keep;
		i += xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
		keep = !(cp == 0 || cp == 0xFFFD || is_bert_control(cp));
		if (filter_push(&w->ch, &initial, keep, xnr__is_ws(cp) ? ' ' : cp) != XNR_OK)
			return XNR_ERR_NOMEM;
	}
	return apply(w, initial);
}

static enum xnr_status bert_chinese(struct xnr__work *w)
{
	size_t i = 0;

	w->ch.n = 0;
	while (i < w->a.len) {
		int32_t cp;
		i += xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
		if (xnr__is_chinese(cp)) {
			if (xnr__changes_add(&w->ch, ' ', 0) || xnr__changes_add(&w->ch, cp, 1) ||
			    xnr__changes_add(&w->ch, ' ', 1))
				return XNR_ERR_NOMEM;
		} else if (xnr__changes_add(&w->ch, cp, 0) != XNR_OK) {
			return XNR_ERR_NOMEM;
		}
	}
	return apply(w, 0);
}

/* Per-char canonical or compatibility decomposition: first char replaces
 * (0), the rest are inserted (+1). */
static enum xnr_status decompose(struct xnr__work *w, int compat)
{
	size_t i = 0;
	int opts = UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0);

	w->ch.n = 0;
	while (i < w->a.len) {
		int32_t cp, buf[32];
		int bound = 0;
		utf8proc_ssize_t n, k;
		i += xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
		n = utf8proc_decompose_char(cp, buf, 32, (utf8proc_option_t)opts, &bound);
		if (n <= 0 || n > 32) {
			buf[0] = cp;
			n = 1;
		}
		for (k = 0; k < n; k++)
			if (xnr__changes_add(&w->ch, buf[k], k > 0) != XNR_OK)
				return XNR_ERR_NOMEM;
	}
	return apply(w, 0);
}

/* Compose one grapheme cluster [s, e) of w->a with utf8proc and emit it
 * as replacements of its input chars (extra input chars removed by the last
 * output char, extra output chars inserted). */
static enum xnr_status compose_segment(struct xnr__work *w, size_t s, size_t e, int compat,
                                       size_t *initial)
{
	utf8proc_uint8_t *out = NULL;
	int opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE | (compat ? UTF8PROC_COMPAT : 0);
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)w->a.s + s,
	                                  (utf8proc_ssize_t)(e - s), &out, (utf8proc_option_t)opts);
	size_t n_in = 0, n_out = 0, i, first = w->ch.n;
	enum xnr_status st = XNR_OK;

	for (i = s; i < e; n_in++) {
		int32_t cp;
		i += xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
	}
	if (n < 0) {
		free(out);
		return XNR_ERR_NOMEM;
	}
	for (i = 0; i < (size_t)n && st == XNR_OK;) {
		int32_t cp;
		i += xnr__utf8_dec((const char *)out, (size_t)n, i, &cp);
		st = xnr__changes_add(&w->ch, cp, n_out < n_in ? 0 : 1);
		n_out++;
	}
	free(out);
	if (st == XNR_OK && n_out < n_in) {
		if (n_out)
			w->ch.v[first + n_out - 1].change -= (int32_t)(n_in - n_out);
		else if (w->ch.n)
			w->ch.v[w->ch.n - 1].change -= (int32_t)n_in;
		else
			*initial += n_in;
	}
	return st;
}

static enum xnr_status compose(struct xnr__work *w, int compat)
{
	size_t i = 0, seg = 0, initial = 0;
	utf8proc_int32_t state = 0, prev = -1;

	w->ch.n = 0;
	while (i < w->a.len) {
		int32_t cp;
		size_t cl = xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
		if (prev >= 0 && utf8proc_grapheme_break_stateful(prev, cp, &state)) {
			if (compose_segment(w, seg, i, compat, &initial) != XNR_OK)
				return XNR_ERR_NOMEM;
			seg = i;
		}
		prev = cp;
		i += cl;
	}
	if (seg < w->a.len && compose_segment(w, seg, w->a.len, compat, &initial) != XNR_OK)
		return XNR_ERR_NOMEM;
	return apply(w, initial);
}

static enum xnr_status strip_mn(struct xnr__work *w)
{
	size_t i = 0, initial = 0;

	w->ch.n = 0;
	while (i < w->a.len) {
		int32_t cp;
		i += xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
		if (filter_push(&w->ch, &initial, !xnr__is_mn(cp), cp) != XNR_OK)
			return XNR_ERR_NOMEM;
	}
	return apply(w, initial);
}

/* Rust char::to_lowercase: utf8proc's simple mapping plus the one
 * unconditional 1 -> 2 mapping (U+0130 -> i + U+0307). */
static enum xnr_status lowercase(struct xnr__work *w)
{
	size_t i = 0;

	w->ch.n = 0;
	while (i < w->a.len) {
		int32_t cp;
		enum xnr_status st;
		i += xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
		if (cp == 0x130)
			st = xnr__changes_add(&w->ch, 'i', 0) || xnr__changes_add(&w->ch, 0x307, 1)
			         ? XNR_ERR_NOMEM
			         : XNR_OK;
		else
			st = xnr__changes_add(&w->ch, utf8proc_tolower(cp), 0);
		if (st != XNR_OK)
			return st;
	}
	return apply(w, 0);
}

static enum xnr_status bert(const struct xnr__normalizer *n, struct xnr__work *w)
{
	if (n->clean_text && bert_clean(w) != XNR_OK)
		return XNR_ERR_NOMEM;
	if (n->chinese && bert_chinese(w) != XNR_OK)
		return XNR_ERR_NOMEM;
	if (n->strip_accents && (decompose(w, 0) != XNR_OK || strip_mn(w) != XNR_OK))
		return XNR_ERR_NOMEM;
	if (n->lowercase && lowercase(w) != XNR_OK)
		return XNR_ERR_NOMEM;
	return XNR_OK;
}

static enum xnr_status strip(const struct xnr__normalizer *n, struct xnr__work *w)
{
	size_t i = 0, count = 0, lead = 0, trail = 0, k = 0;
	int in_lead = 1;

	while (i < w->a.len) {
		int32_t cp;
		i += xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
		if (in_lead && xnr__is_ws(cp))
			lead++;
		else
			in_lead = 0;
		trail = xnr__is_ws(cp) ? trail + 1 : 0;
		count++;
	}
	lead = n->left ? lead : 0;
	trail = n->right ? trail : 0;
	if (lead == 0 && trail == 0)
		return XNR_OK;
	w->ch.n = 0;
	if (lead + trail >= count)
		return apply(w, count);
	for (i = 0; i < w->a.len; k++) {
		int32_t cp;
		i += xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
		if (k < lead || k >= count - trail)
			continue;
		if (xnr__changes_add(&w->ch, cp, k == count - trail - 1 ? -(int32_t)trail : 0))
			return XNR_ERR_NOMEM;
	}
	return apply(w, lead);
}

static enum xnr_status push_chars(struct xnr__changes *c, const char *s, size_t len,
                                  int first_change, int rest_change)
{
	size_t i = 0;
	int first = 1;

	while (i < len) {
		int32_t cp;
		i += xnr__utf8_dec(s, len, i, &cp);
		if (xnr__changes_add(c, cp, first ? first_change : rest_change) != XNR_OK)
			return XNR_ERR_NOMEM;
		first = 0;
	}
	return XNR_OK;
}

static size_t count_chars(const char *s, size_t len)
{
	size_t i = 0, n = 0;

	while (i < len) {
		int32_t cp;
		i += xnr__utf8_dec(s, len, i, &cp);
		n++;
	}
	return n;
}

/* Rust NormalizedString::replace: each match's chars are skipped, then the
 * content is inserted (+1), aligned to the last removed char. */
static enum xnr_status replace(const struct xnr__normalizer *n, struct xnr__work *w)
{
	size_t k;

	if (w->a.len == 0) /* nothing to match, and w->a.s may be NULL */
		return XNR_OK;
	if (xnr__regex_matches(n->re, w->a.s, w->a.len, w, &w->m) != XNR_OK)
		return XNR_ERR_NOMEM;
	w->ch.n = 0;
	for (k = 0; k < w->m.n; k++) {
		const struct xnr__match *m = &w->m.v[k];
		const char *s = w->a.s + m->s;
		if (!m->is_match) {
			if (push_chars(&w->ch, s, m->e - m->s, 0, 0) != XNR_OK)
				return XNR_ERR_NOMEM;
			continue;
		}
		if (xnr__changes_add(&w->ch, -1, (int32_t)count_chars(s, m->e - m->s)) ||
		    push_chars(&w->ch, n->content, strlen(n->content), 1, 1))
			return XNR_ERR_NOMEM;
	}
	return apply(w, 0);
}

/* Rust NormalizedString::prepend. */
static enum xnr_status prepend(const char *p, struct xnr__work *w)
{
	int32_t cp;
	size_t cl;

	if (w->a.len == 0 || !*p)
		return XNR_OK;
	w->ch.n = 0;
	cl = xnr__utf8_dec(w->a.s, w->a.len, 0, &cp);
	if (push_chars(&w->ch, p, strlen(p), 0, 1) || xnr__changes_add(&w->ch, cp, 1) ||
	    push_chars(&w->ch, w->a.s + cl, w->a.len - cl, 0, 0))
		return XNR_ERR_NOMEM;
	return apply(w, 0);
}

static int nmt_drop(int32_t c)
{
	return (c >= 1 && c <= 8) || c == 0xB || (c >= 0xE && c <= 0x1F) || c == 0x7F ||
	       c == 0x8F || c == 0x9F;
}

static int nmt_space(int32_t c)
{
	return c == 9 || c == 0xA || c == 0xC || c == 0xD || c == 0x1680 ||
	       (c >= 0x200B && c <= 0x200F) || c == 0x2028 || c == 0x2029 || c == 0x2581 ||
	       c == 0xFEFF || c == 0xFFFD;
}

static enum xnr_status nmt(struct xnr__work *w)
{
	size_t i = 0, initial = 0;

	w->ch.n = 0;
	while (i < w->a.len) {
		int32_t cp;
		i += xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
		if (filter_push(&w->ch, &initial, !nmt_drop(cp), nmt_space(cp) ? ' ' : cp))
			return XNR_ERR_NOMEM;
	}
	return apply(w, initial);
}

static enum xnr_status bytelevel(struct xnr__work *w)
{
	size_t i;

	w->ch.n = 0;
	for (i = 0; i < w->a.len; i++) {
		unsigned char b = (unsigned char)w->a.s[i];
		int cont = (b & 0xC0) == 0x80;
		if (xnr__changes_add(&w->ch, xnr__byte_char(b), cont) != XNR_OK)
			return XNR_ERR_NOMEM;
	}
	return apply(w, 0);
}

enum xnr_status xnr__normalize(const struct xnr__normalizer *n, struct xnr__work *w)
{
	int i;

	switch (n->type) {
	case XNR__NORM_BERT:
		return bert(n, w);
	case XNR__NORM_NFD:
	case XNR__NORM_NFKD:
		return decompose(w, n->type == XNR__NORM_NFKD);
	case XNR__NORM_NFC:
	case XNR__NORM_NFKC:
		return compose(w, n->type == XNR__NORM_NFKC);
	case XNR__NORM_LOWERCASE:
		return lowercase(w);
	case XNR__NORM_STRIP_ACCENTS:
		return strip_mn(w);
	case XNR__NORM_STRIP:
		return strip(n, w);
	case XNR__NORM_REPLACE:
		return replace(n, w);
	case XNR__NORM_PREPEND:
		return prepend(n->content, w);
	case XNR__NORM_NMT:
		return nmt(w);
	case XNR__NORM_PRECOMPILED:
		return n->pc.blob ? xnr__precompiled_apply(&n->pc, w) : XNR_OK;
	case XNR__NORM_BYTELEVEL:
		return bytelevel(w);
	case XNR__NORM_SEQUENCE:
		for (i = 0; i < n->n_items; i++) {
			enum xnr_status st = xnr__normalize(&n->items[i], w);
			if (st != XNR_OK)
				return st;
		}
		return XNR_OK;
	}
	return XNR_OK;
}
