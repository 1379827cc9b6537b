/*
 * nstr.c - the alignment-tracking normalized string (Rust tokenizers'
 * NormalizedString: per-byte original ranges, `transform` with
 * (char, change) steps), the split list, UTF-8 helpers and the Unicode
 * predicates the pipeline needs (Rust char::is_whitespace, categories via
 * utf8proc).
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tokenizer/internal.h"

size_t xnr__utf8_dec(const char *s, size_t len, size_t i, int32_t *cp)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t n =
	    utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &c);
	if (n <= 0) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = c;
	return (size_t)n;
}

size_t xnr__utf8_enc(int32_t cp, char *out)
{
	utf8proc_ssize_t n = utf8proc_encode_char(cp, (utf8proc_uint8_t *)out);
	return n > 0 ? (size_t)n : 0;
}

size_t xnr__utf8_len(int32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

size_t xnr__utf8_invalid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n;

		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i),
		                     &c);
		if (n <= 0)
			return i;
		i += (size_t)n;
	}
	return (size_t)-1;
}

int xnr__is_ws(int32_t cp)
{
	if (cp <= 0x20)
		return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
	return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

int xnr__is_bert_punct(int32_t cp)
{
	utf8proc_category_t c;

	if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
	    (cp >= 123 && cp <= 126))
		return 1;
	c = utf8proc_category(cp);
	return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

int xnr__is_other(int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);
	return c == UTF8PROC_CATEGORY_CN || c == UTF8PROC_CATEGORY_CC ||
	       c == UTF8PROC_CATEGORY_CF || c == UTF8PROC_CATEGORY_CS || c == UTF8PROC_CATEGORY_CO;
}

int xnr__is_mn(int32_t cp)
{
	return utf8proc_category(cp) == UTF8PROC_CATEGORY_MN;
}

int xnr__is_numeric(int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);
	return c == UTF8PROC_CATEGORY_ND || c == UTF8PROC_CATEGORY_NL || c == UTF8PROC_CATEGORY_NO;
}

int xnr__is_alnum(int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);
	return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) || xnr__is_numeric(cp);
}

int xnr__is_chinese(int32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
	       (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

void xnr__nstr_free(struct xnr__nstr *n)
{
	free(n->s);
	free(n->al);
	memset(n, 0, sizeof *n);
}

enum xnr_status xnr__nstr_reserve(struct xnr__nstr *n, size_t len)
{
	size_t cap;
	char *s;
	int32_t *al;

	if (len <= n->cap)
		return XNR_OK;
	cap = n->cap ? n->cap : 64;
	while (cap < len)
		cap *= 2;
	s = realloc(n->s, cap);
	if (!s)
		return XNR_ERR_NOMEM;
	n->s = s;
	al = realloc(n->al, cap * 2 * sizeof *al);
	if (!al)
		return XNR_ERR_NOMEM;
	n->al = al;
	n->cap = cap;
	return XNR_OK;
}

enum xnr_status xnr__nstr_set(struct xnr__nstr *n, const char *s, size_t len, int32_t base)
{
	size_t i = 0;

	if (xnr__nstr_reserve(n, len) != XNR_OK)
		return XNR_ERR_NOMEM;
	if (len)
		memcpy(n->s, s, len);
	while (i < len) {
		int32_t cp;
		size_t k, cl = xnr__utf8_dec(s, len, i, &cp);
		for (k = 0; k < cl; k++) {
			n->al[2 * (i + k)] = base + (int32_t)i;
			n->al[2 * (i + k) + 1] = base + (int32_t)(i + cl);
		}
		i += cl;
	}
	n->len = len;
	n->shift = base;
	return XNR_OK;
}

enum xnr_status xnr__nstr_push(struct xnr__nstr *n, int32_t cp, int32_t a, int32_t b)
{
	size_t k, cl;

	if (xnr__nstr_reserve(n, n->len + 4) != XNR_OK)
		return XNR_ERR_NOMEM;
	cl = xnr__utf8_enc(cp, n->s + n->len);
	for (k = 0; k < cl; k++) {
		n->al[2 * (n->len + k)] = a;
		n->al[2 * (n->len + k) + 1] = b;
	}
	n->len += cl;
	return XNR_OK;
}

void xnr__nstr_orig(const struct xnr__nstr *n, size_t s, size_t e, int32_t *os, int32_t *oe)
{
	int32_t lo, hi;
	size_t i;

	if (s >= e || e > n->len) {
		*os = *oe = s < n->len ? n->al[2 * s] : n->shift;
		return;
	}
	lo = n->al[2 * s];
	hi = n->al[2 * s + 1];
	for (i = s; i < e; i++) {
		int32_t a = n->al[2 * i], b = n->al[2 * i + 1];
		int32_t mn = a < b ? a : b, mx = a < b ? b : a;
		if (mn < lo)
			lo = mn;
		if (mx > hi)
			hi = mx;
	}
	*os = lo;
	*oe = hi;
}

void xnr__changes_free(struct xnr__changes *c)
{
	free(c->v);
	memset(c, 0, sizeof *c);
}

enum xnr_status xnr__changes_add(struct xnr__changes *c, int32_t cp, int32_t change)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct xnr__change *v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return XNR_ERR_NOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n].cp = cp;
	c->v[c->n].change = change;
	c->n++;
	return XNR_OK;
}

/* Advance *off over n chars of src (bounded by its length). */
static void skip_chars(const struct xnr__nstr *src, size_t *off, long n)
{
	while (n-- > 0 && *off < src->len) {
		int32_t cp;
		*off += xnr__utf8_dec(src->s, src->len, *off, &cp);
	}
}

enum xnr_status xnr__nstr_transform(const struct xnr__nstr *src, const struct xnr__changes *c,
                                    size_t initial_skip, struct xnr__nstr *dst)
{
	size_t off = 0, i;

	dst->len = 0;
	dst->shift = src->shift;
	skip_chars(src, &off, (long)initial_skip);
	for (i = 0; i < c->n; i++) {
		const struct xnr__change *ch = &c->v[i];
		int32_t a, b;

		if (ch->cp < 0) {
			skip_chars(src, &off, ch->change);
			continue;
		}
		if (ch->change > 0) {
			if (off < 1) {
				a = b = src->shift;
			} else {
				a = src->al[2 * (off - 1)];
				b = src->al[2 * (off - 1) + 1];
			}
		} else if (off < src->len) {
			a = src->al[2 * off];
			b = src->al[2 * off + 1];
			skip_chars(src, &off, 1 - (long)ch->change);
		} else {
			/* Malformed change lists cannot index past the source. */
			a = b = src->len ? src->al[2 * src->len - 1] : src->shift;
		}
		if (xnr__nstr_push(dst, ch->cp, a, b) != XNR_OK)
			return XNR_ERR_NOMEM;
	}
	return XNR_OK;
}

void xnr__splits_free(struct xnr__splits *sp)
{
	xnr__nstr_free(&sp->buf);
	free(sp->p);
	memset(sp, 0, sizeof *sp);
}

void xnr__splits_reset(struct xnr__splits *sp)
{
	sp->buf.len = 0;
	sp->n = 0;
}

enum xnr_status xnr__splits_add(struct xnr__splits *sp, const struct xnr__nstr *n, size_t s,
                                size_t e, int32_t token)
{
	struct xnr__piece *p;
	int32_t os, oe;

	if (e <= s)
		return XNR_OK;
	if (sp->n == sp->cap) {
		int cap = sp->cap ? sp->cap * 2 : 32;
		p = realloc(sp->p, sizeof *p * (size_t)cap);
		if (!p)
			return XNR_ERR_NOMEM;
		sp->p = p;
		sp->cap = cap;
	}
	if (xnr__nstr_reserve(&sp->buf, sp->buf.len + (e - s)) != XNR_OK)
		return XNR_ERR_NOMEM;
	memcpy(sp->buf.s + sp->buf.len, n->s + s, e - s);
	memcpy(sp->buf.al + 2 * sp->buf.len, n->al + 2 * s, 2 * (e - s) * sizeof *n->al);
	xnr__nstr_orig(n, s, e, &os, &oe);
	p = &sp->p[sp->n++];
	p->off = sp->buf.len;
	p->len = e - s;
	p->shift = os;
	p->token = token;
	sp->buf.len += e - s;
	return XNR_OK;
}

enum xnr_status xnr__splits_get(const struct xnr__splits *sp, int i, struct xnr__nstr *out)
{
	const struct xnr__piece *p = &sp->p[i];

	if (xnr__nstr_reserve(out, p->len) != XNR_OK)
		return XNR_ERR_NOMEM;
	memcpy(out->s, sp->buf.s + p->off, p->len);
	memcpy(out->al, sp->buf.al + 2 * p->off, 2 * p->len * sizeof *out->al);
	out->len = p->len;
	out->shift = p->shift;
	return XNR_OK;
}

void xnr__matches_free(struct xnr__matches *m)
{
	free(m->v);
	memset(m, 0, sizeof *m);
}

enum xnr_status xnr__matches_add(struct xnr__matches *m, size_t s, size_t e, int is_match)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 32;
		struct xnr__match *v = realloc(m->v, cap * sizeof *v);
		if (!v)
			return XNR_ERR_NOMEM;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n].s = s;
	m->v[m->n].e = e;
	m->v[m->n].is_match = is_match;
	m->n++;
	return XNR_OK;
}

void xnr__work_free(struct xnr__work *w)
{
	xnr__nstr_free(&w->a);
	xnr__nstr_free(&w->b);
	xnr__nstr_free(&w->c);
	xnr__splits_free(&w->sp[0]);
	xnr__splits_free(&w->sp[1]);
	xnr__changes_free(&w->ch);
	xnr__matches_free(&w->m);
	if (w->md)
		pcre2_match_data_free(w->md);
	free(w->scratch);
	free(w->best);
	free(w->back);
	free(w->sym);
	memset(w, 0, sizeof *w);
}

enum xnr_status xnr__work_scratch(struct xnr__work *w, size_t n)
{
	char *p;

	if (n <= w->scratch_cap)
		return XNR_OK;
	p = realloc(w->scratch, n * 2);
	if (!p)
		return XNR_ERR_NOMEM;
	w->scratch = p;
	w->scratch_cap = n * 2;
	return XNR_OK;
}
