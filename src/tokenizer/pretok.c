/*
 * pretok.c - tokenizer.json "pre_tokenizer" components (hf-formats.md 4.5):
 * BertPreTokenizer, Whitespace, WhitespaceSplit, Punctuation, Digits,
 * CharDelimiterSplit, Split, Metaspace, ByteLevel, Sequence. Splitting follows
 * Rust NormalizedString::split (match list + delimiter behaviour, empty splits
 * dropped); Metaspace and ByteLevel transform each split with alignments.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "tokenizer/internal.h"

/* GPT-2 pre-tokenization regex used by ByteLevel. */
static const char gpt2_re[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

int32_t xnr__byte_char(unsigned b)
{
	unsigned k;

	if ((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE)
		return (int32_t)b;
	/* The 68 remaining bytes map to U+0100.. in increasing byte order. */
	if (b <= 0x20)
		k = b;
	else if (b <= 0xA0)
		k = 0x21 + (b - 0x7F);
	else
		k = 0x21 + (0xA0 - 0x7F) + 1;
	return (int32_t)(0x100 + k);
}

void xnr__pretok_free(struct xnr__pretok *p)
{
	int i;

	if (!p)
		return;
	for (i = 0; i < p->n_items; i++)
		xnr__pretok_free(&p->items[i]);
	free(p->items);
	if (p->re)
		pcre2_code_free(p->re);
	memset(p, 0, sizeof *p);
}

static const char *const behaviors[] = {"Removed", "Isolated", "MergedWithPrevious",
                                        "MergedWithNext", "Contiguous"};

static enum xnr_status parse_behavior(const json_t *j, const char *path, enum xnr__behavior dflt,
                                      enum xnr__behavior *out, struct xnr_error *err)
{
	int b = (int)dflt;
	enum xnr_status st =
	    xnr__field_choice(j, "behavior", behaviors,
	                      (int)(sizeof behaviors / sizeof behaviors[0]), b, &b, path, err);

	*out = (enum xnr__behavior)b;
	return st;
}

static enum xnr_status parse_whitespace(const json_t *j, const char *path, void *out,
                                        struct xnr_error *err)
{
	static const char ws_re[] = "\\w+|[^\\w\\s]+";

	(void)j;
	return xnr__regex_compile(ws_re, strlen(ws_re), 0, &((struct xnr__pretok *)out)->re, path,
	                          err);
}

static enum xnr_status parse_punctuation(const json_t *j, const char *path, void *out,
                                         struct xnr_error *err)
{
	return parse_behavior(j, path, XNR__SPLIT_ISOLATED, &((struct xnr__pretok *)out)->behavior,
	                      err);
}

static enum xnr_status parse_digits(const json_t *j, const char *path, void *out,
                                    struct xnr_error *err)
{
	return xnr__field_bool(j, "individual_digits", 0,
	                       &((struct xnr__pretok *)out)->individual_digits, path, err);
}

static enum xnr_status parse_char_delim(const json_t *j, const char *path, void *out,
                                        struct xnr_error *err)
{
	if (!json_object_get(j, "delimiter"))
		return xnr_fail(err, XNR_ERR_FORMAT, "%s.delimiter: missing", path);
	return xnr__field_char(j, "delimiter", ' ', &((struct xnr__pretok *)out)->delim, path, err);
}

static enum xnr_status parse_split(const json_t *j, const char *path, void *out,
                                   struct xnr_error *err)
{
	struct xnr__pretok *p = out;
	enum xnr_status st = xnr__field_pattern(j, path, &p->re, err);

	if (st == XNR_OK)
		st = parse_behavior(j, path, XNR__SPLIT_REMOVED, &p->behavior, err);
	return st != XNR_OK ? st : xnr__field_bool(j, "invert", 0, &p->invert, path, err);
}

static enum xnr_status parse_metaspace(const json_t *j, const char *path, void *out,
                                       struct xnr_error *err)
{
	static const char *const schemes[] = {"always", "first", "never"};
	struct xnr__pretok *p = out;
	int aps = 1, prepend = 0;
	enum xnr_status st;

	if ((st = xnr__field_char(j, "replacement", 0x2581, &p->delim, path, err)) != XNR_OK ||
	    (st = xnr__field_bool(j, "split", 1, &p->split, path, err)) != XNR_OK ||
	    (st = xnr__field_bool(j, "add_prefix_space", 1, &aps, path, err)) != XNR_OK)
		return st;
	st = xnr__field_choice(j, "prepend_scheme", schemes,
	                       (int)(sizeof schemes / sizeof schemes[0]),
	                       aps ? XNR__PREPEND_ALWAYS : XNR__PREPEND_NEVER, &prepend, path, err);
	p->prepend = (enum xnr__prepend)prepend;
	return st;
}

static enum xnr_status parse_bytelevel(const json_t *j, const char *path, void *out,
                                       struct xnr_error *err)
{
	struct xnr__pretok *p = out;
	enum xnr_status st;

	if ((st = xnr__field_bool(j, "add_prefix_space", 0, &p->add_prefix_space, path, err)) !=
	        XNR_OK ||
	    (st = xnr__field_bool(j, "use_regex", 1, &p->use_regex, path, err)) != XNR_OK)
		return st;
	return xnr__regex_compile(gpt2_re, strlen(gpt2_re), 0, &p->re, path, err);
}

static void free_pretok(void *p)
{
	xnr__pretok_free(p);
}

static const struct xnr__type_def pre_types[] = {
    {"BertPreTokenizer", XNR__PRE_BERT, NULL},
    {"Whitespace", XNR__PRE_WHITESPACE, parse_whitespace},
    {"WhitespaceSplit", XNR__PRE_WHITESPACE_SPLIT, NULL},
    {"Punctuation", XNR__PRE_PUNCTUATION, parse_punctuation},
    {"Digits", XNR__PRE_DIGITS, parse_digits},
    {"CharDelimiterSplit", XNR__PRE_CHAR_DELIM, parse_char_delim},
    {"Split", XNR__PRE_SPLIT, parse_split},
    {"Metaspace", XNR__PRE_METASPACE, parse_metaspace},
    {"ByteLevel", XNR__PRE_BYTELEVEL, parse_bytelevel},
    {"Sequence", XNR__PRE_SEQUENCE, NULL},
};

static const struct xnr__family pre_family = {
    pre_types,
    sizeof pre_types / sizeof pre_types[0],
    XNR__PRE_SEQUENCE,
    "pretokenizers",
    sizeof(struct xnr__pretok),
    offsetof(struct xnr__pretok, type),
    offsetof(struct xnr__pretok, items),
    offsetof(struct xnr__pretok, n_items),
    free_pretok,
};

const char *xnr__pretok_name(const struct xnr__pretok *p)
{
	return xnr__component_name(&pre_family, p->type);
}

enum xnr_status xnr__pretok_parse(const json_t *j, const char *path, struct xnr__pretok *out,
                                  struct xnr_error *err)
{
	return xnr__component_parse(&pre_family, j, path, out, err);
}

/* ---- splitting ---- */

typedef int (*char_pred)(int32_t cp, int32_t arg);

static int pred_ws(int32_t cp, int32_t arg)
{
	(void)arg;
	return xnr__is_ws(cp);
}

static int pred_punct(int32_t cp, int32_t arg)
{
	(void)arg;
	return xnr__is_bert_punct(cp);
}

static int pred_digit(int32_t cp, int32_t arg)
{
	(void)arg;
	return xnr__is_numeric(cp);
}

static int pred_eq(int32_t cp, int32_t arg)
{
	return cp == arg;
}

/* Rust `impl Pattern for Fn(char) -> bool`: each matching char alone. */
static enum xnr_status char_matches(const struct xnr__nstr *n, char_pred pred, int32_t arg,
                                    struct xnr__matches *m)
{
	size_t i = 0, run = 0;

	m->n = 0;
	while (i < n->len) {
		int32_t cp;
		size_t cl = xnr__utf8_dec(n->s, n->len, i, &cp);
		if (pred(cp, arg)) {
			if (run < i && xnr__matches_add(m, run, i, 0) != XNR_OK)
				return XNR_ERR_NOMEM;
			if (xnr__matches_add(m, i, i + cl, 1) != XNR_OK)
				return XNR_ERR_NOMEM;
			run = i + cl;
		}
		i += cl;
	}
	if (run < n->len || n->len == 0)
		return xnr__matches_add(m, run, n->len, 0);
	return XNR_OK;
}

/* Apply a delimiter behaviour to the match list in place; returns the index
 * of the first surviving entry (entries flagged is_match are removed). */
static size_t apply_behavior(struct xnr__matches *m, enum xnr__behavior b)
{
	size_t i, wi = 0;
	int prev = 0;

	switch (b) {
	case XNR__SPLIT_REMOVED:
		return 0;
	case XNR__SPLIT_ISOLATED:
		for (i = 0; i < m->n; i++)
			m->v[i].is_match = 0;
		return 0;
	case XNR__SPLIT_CONTIGUOUS:
	case XNR__SPLIT_MERGED_PREV:
		for (i = 0; i < m->n; i++) {
			struct xnr__match cur = m->v[i];
			int merge = b == XNR__SPLIT_CONTIGUOUS ? cur.is_match == prev
			                                       : cur.is_match && !prev;
			prev = cur.is_match;
			if (merge && wi > 0) {
				m->v[wi - 1].e = cur.e;
				continue;
			}
			cur.is_match = 0;
			m->v[wi++] = cur;
		}
		m->n = wi;
		return 0;
	case XNR__SPLIT_MERGED_NEXT:
		wi = m->n;
		for (i = m->n; i-- > 0;) {
			struct xnr__match cur = m->v[i];
			int merge = cur.is_match && !prev;
			prev = cur.is_match;
			if (merge && wi < m->n) {
				m->v[wi].s = cur.s;
				continue;
			}
			cur.is_match = 0;
			m->v[--wi] = cur;
		}
		return wi;
	}
	return 0;
}

static enum xnr_status emit_matches(const struct xnr__nstr *n, struct xnr__matches *m,
                                    enum xnr__behavior b, struct xnr__splits *out)
{
	size_t i = apply_behavior(m, b);

	for (; i < m->n; i++)
		if (!m->v[i].is_match &&
		    xnr__splits_add(out, n, m->v[i].s, m->v[i].e, -1) != XNR_OK)
			return XNR_ERR_NOMEM;
	return XNR_OK;
}

static enum xnr_status bert_split(const struct xnr__nstr *n, struct xnr__splits *out)
{
	size_t i = 0, run = 0;

	while (i < n->len) {
		int32_t cp;
		size_t cl = xnr__utf8_dec(n->s, n->len, i, &cp);
		int ws = xnr__is_ws(cp);
		if (ws || xnr__is_bert_punct(cp)) {
			if (xnr__splits_add(out, n, run, i, -1) != XNR_OK)
				return XNR_ERR_NOMEM;
			if (!ws && xnr__splits_add(out, n, i, i + cl, -1) != XNR_OK)
				return XNR_ERR_NOMEM;
			run = i + cl;
		}
		i += cl;
	}
	return xnr__splits_add(out, n, run, n->len, -1);
}

/* Rust Metaspace::pre_tokenize on one split (in w->a). */
static enum xnr_status metaspace(const struct xnr__pretok *p, struct xnr__work *w,
                                 struct xnr__splits *out)
{
	size_t i = 0;
	int32_t first = -1;
	int prepend;
	struct xnr__nstr t;

	w->ch.n = 0;
	while (i < w->a.len) {
		int32_t cp;
		i += xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
		if (cp == ' ') {
			if (xnr__changes_add(&w->ch, -1, 1) ||
			    xnr__changes_add(&w->ch, p->delim, 1))
				return XNR_ERR_NOMEM;
			cp = p->delim;
		} else if (xnr__changes_add(&w->ch, cp, 0) != XNR_OK) {
			return XNR_ERR_NOMEM;
		}
		if (first < 0)
			first = cp;
	}
	prepend = w->a.len > 0 && first != p->delim &&
	          (p->prepend == XNR__PREPEND_ALWAYS ||
	           (p->prepend == XNR__PREPEND_FIRST && w->a.shift == 0));
	if (prepend) {
		/* Rust prepend: the replacement replaces the first char, which is
		 * re-inserted right after it. */
		if (xnr__changes_add(&w->ch, 0, 0) != XNR_OK)
			return XNR_ERR_NOMEM;
		memmove(w->ch.v + 1, w->ch.v, (w->ch.n - 1) * sizeof *w->ch.v);
		w->ch.v[0].cp = p->delim;
		w->ch.v[0].change = 0;
		if (w->ch.v[1].cp >= 0)
			w->ch.v[1].change = 1;
	}
	if (xnr__nstr_transform(&w->a, &w->ch, 0, &w->b) != XNR_OK)
		return XNR_ERR_NOMEM;
	t = w->a;
	w->a = w->b;
	w->b = t;
	if (!p->split)
		return xnr__splits_add(out, &w->a, 0, w->a.len, -1);
	if (char_matches(&w->a, pred_eq, p->delim, &w->m) != XNR_OK)
		return XNR_ERR_NOMEM;
	return emit_matches(&w->a, &w->m, XNR__SPLIT_MERGED_NEXT, out);
}

/* ByteLevel: map every byte of the nstr [s, e) to its char; continuation
 * bytes are inserted chars. */
static enum xnr_status bytelevel_piece(struct xnr__work *w, size_t s, size_t e,
                                       struct xnr__splits *out)
{
	size_t i;

	if (xnr__nstr_reserve(&w->c, (e - s) * 2) != XNR_OK)
		return XNR_ERR_NOMEM;
	w->c.len = 0;
	for (i = s; i < e; i++) {
		/* A continuation byte (+1 change) takes the alignment of the byte
		 * before it, which belongs to the same original char. */
		const int32_t *al = &w->a.al[2 * i];
		/* al points into the alignment array, two entries per byte. */
		/* cppcheck-suppress objectIndex */
		if (xnr__nstr_push(&w->c, xnr__byte_char((unsigned char)w->a.s[i]), al[0], al[1]))
			return XNR_ERR_NOMEM;
	}
	return xnr__splits_add(out, &w->c, 0, w->c.len, -1);
}

static enum xnr_status bytelevel(const struct xnr__pretok *p, struct xnr__work *w,
                                 struct xnr__splits *out)
{
	size_t k;

	if (p->add_prefix_space && w->a.len > 0 && w->a.s[0] != ' ') {
		struct xnr__nstr t;
		int32_t cp;
		size_t i = xnr__utf8_dec(w->a.s, w->a.len, 0, &cp);
		w->ch.n = 0;
		if (xnr__changes_add(&w->ch, ' ', 0) || xnr__changes_add(&w->ch, cp, 1))
			return XNR_ERR_NOMEM;
		while (i < w->a.len) {
			i += xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
			if (xnr__changes_add(&w->ch, cp, 0) != XNR_OK)
				return XNR_ERR_NOMEM;
		}
		if (xnr__nstr_transform(&w->a, &w->ch, 0, &w->b) != XNR_OK)
			return XNR_ERR_NOMEM;
		t = w->a;
		w->a = w->b;
		w->b = t;
	}
	if (!p->use_regex)
		return bytelevel_piece(w, 0, w->a.len, out);
	if (xnr__regex_matches(p->re, w->a.s, w->a.len, w, &w->m) != XNR_OK)
		return XNR_ERR_NOMEM;
	for (k = 0; k < w->m.n; k++)
		if (w->m.v[k].e > w->m.v[k].s &&
		    bytelevel_piece(w, w->m.v[k].s, w->m.v[k].e, out) != XNR_OK)
			return XNR_ERR_NOMEM;
	return XNR_OK;
}

static enum xnr_status split_one(const struct xnr__pretok *p, struct xnr__work *w,
                                 struct xnr__splits *out)
{
	struct xnr__nstr *n = &w->a;
	enum xnr_status st = XNR_OK;
	size_t i;

	switch (p->type) {
	case XNR__PRE_BERT:
		return bert_split(n, out);
	case XNR__PRE_WHITESPACE_SPLIT:
		st = char_matches(n, pred_ws, 0, &w->m);
		return st ? st : emit_matches(n, &w->m, XNR__SPLIT_REMOVED, out);
	case XNR__PRE_PUNCTUATION:
		st = char_matches(n, pred_punct, 0, &w->m);
		return st ? st : emit_matches(n, &w->m, p->behavior, out);
	case XNR__PRE_DIGITS:
		st = char_matches(n, pred_digit, 0, &w->m);
		return st ? st
		          : emit_matches(n, &w->m,
		                         p->individual_digits ? XNR__SPLIT_ISOLATED
		                                              : XNR__SPLIT_CONTIGUOUS,
		                         out);
	case XNR__PRE_CHAR_DELIM:
		st = char_matches(n, pred_eq, p->delim, &w->m);
		return st ? st : emit_matches(n, &w->m, XNR__SPLIT_REMOVED, out);
	case XNR__PRE_WHITESPACE:
	case XNR__PRE_SPLIT:
		if (xnr__regex_matches(p->re, n->s, n->len, w, &w->m) != XNR_OK)
			return XNR_ERR_NOMEM;
		if (p->type == XNR__PRE_WHITESPACE || p->invert)
			for (i = 0; i < w->m.n; i++)
				w->m.v[i].is_match = !w->m.v[i].is_match;
		return emit_matches(
		    n, &w->m, p->type == XNR__PRE_WHITESPACE ? XNR__SPLIT_REMOVED : p->behavior,
		    out);
	case XNR__PRE_METASPACE:
		return metaspace(p, w, out);
	case XNR__PRE_BYTELEVEL:
		return bytelevel(p, w, out);
	case XNR__PRE_SEQUENCE:
		return XNR_OK;
	}
	return st;
}

enum xnr_status xnr__pretokenize(const struct xnr__pretok *p, struct xnr__work *w)
{
	struct xnr__splits *in = &w->sp[0], *out = &w->sp[1], t;
	int i;

	if (p->type == XNR__PRE_SEQUENCE) {
		for (i = 0; i < p->n_items; i++) {
			enum xnr_status st = xnr__pretokenize(&p->items[i], w);
			if (st != XNR_OK)
				return st;
		}
		return XNR_OK;
	}
	xnr__splits_reset(out);
	for (i = 0; i < in->n; i++) {
		enum xnr_status st;
		if (in->p[i].token >= 0) {
			if (xnr__splits_get(in, i, &w->a) != XNR_OK ||
			    xnr__splits_add(out, &w->a, 0, w->a.len, in->p[i].token) != XNR_OK)
				return XNR_ERR_NOMEM;
			out->p[out->n - 1].shift = in->p[i].shift;
			continue;
		}
		if (xnr__splits_get(in, i, &w->a) != XNR_OK)
			return XNR_ERR_NOMEM;
		st = split_one(p, w, out);
		if (st != XNR_OK)
			return st;
	}
	t = *in;
	*in = *out;
	*out = t;
	return XNR_OK;
}
