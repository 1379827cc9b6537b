/*
 * precompiled.c - the sentencepiece "Precompiled" normalizer (Rust crate
 * spm_precompiled, hf-formats.md 4.4): a base64 blob holding a darts-clone
 * double-array trie and NUL-terminated replacement strings. Text is walked by
 * extended grapheme cluster exactly like the HF emulation (whole grapheme if
 * shorter than 6 bytes and it has a match, else char by char).
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tokenizer/internal.h"

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static enum xnr_status b64_decode(const char *s, const char *path, unsigned char **out,
                                  size_t *out_len, struct xnr_error *err)
{
	size_t n = strlen(s), k = 0, i;
	unsigned char *buf = malloc(n / 4 * 3 + 4);
	uint32_t acc = 0;
	int bits = 0;

	if (!buf)
		return xnr_fail(err, XNR_ERR_NOMEM, "%s.precompiled_charsmap: out of memory", path);
	for (i = 0; i < n; i++) {
		int v;
		if (s[i] == '=' || s[i] == '\n' || s[i] == '\r')
			continue;
		v = b64_val((unsigned char)s[i]);
		if (v < 0) {
			free(buf);
			return xnr_fail(err, XNR_ERR_FORMAT, "%s.precompiled_charsmap: not base64",
			                path);
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[k++] = (unsigned char)(acc >> bits);
		}
	}
	*out = buf;
	*out_len = k;
	return XNR_OK;
}

static uint32_t unit_at(const struct xnr__precompiled *pc, size_t i)
{
	const unsigned char *p = pc->blob + 4 + 4 * i;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

enum xnr_status xnr__precompiled_parse(const char *b64, struct xnr__precompiled *pc,
                                       const char *path, struct xnr_error *err)
{
	unsigned char *blob = NULL;
	size_t len = 0;
	uint32_t trie_bytes;
	enum xnr_status st = b64_decode(b64, path, &blob, &len, err);

	if (st != XNR_OK)
		return st;
	if (len < 4)
		goto bad;
	trie_bytes = (uint32_t)blob[0] | (uint32_t)blob[1] << 8 | (uint32_t)blob[2] << 16 |
	             (uint32_t)blob[3] << 24;
	if (trie_bytes % 4 || trie_bytes > len - 4 || trie_bytes == 0)
		goto bad;
	pc->blob = blob;
	pc->blob_len = len;
	pc->n_units = trie_bytes / 4;
	pc->norm_off = 4 + trie_bytes;
	return XNR_OK;
bad:
	free(blob);
	return xnr_fail(err, XNR_ERR_FORMAT,
	                "%s.precompiled_charsmap: bad blob (trie size does not fit)", path);
}

/* darts-clone common prefix search; returns the first (shortest) match's
 * value or -1. */
static long first_match(const struct xnr__precompiled *pc, const char *key, size_t len)
{
	size_t pos = 0, i;
	uint32_t u = unit_at(pc, 0);

	pos ^= (size_t)((u >> 10) << ((u & 0x200) >> 6));
	for (i = 0; i < len; i++) {
		unsigned c = (unsigned char)key[i];
		if (c == 0)
			break;
		pos ^= c;
		if (pos >= pc->n_units)
			return -1;
		u = unit_at(pc, pos);
		if ((u & 0x800000FFu) != c)
			return -1;
		pos ^= (size_t)((u >> 10) << ((u & 0x200) >> 6));
		if (pos >= pc->n_units)
			return -1;
		if ((u >> 8) & 1)
			return (long)(unit_at(pc, pos) & 0x7FFFFFFFu);
	}
	return -1;
}

/* The replacement for chunk, or NULL. */
static const char *transform(const struct xnr__precompiled *pc, const char *chunk, size_t len,
                             size_t *out_len)
{
	long v = first_match(pc, chunk, len);
	size_t start, end;

	if (v < 0)
		return NULL;
	start = pc->norm_off + (size_t)v;
	if (start >= pc->blob_len)
		return NULL;
	for (end = start; end < pc->blob_len && pc->blob[end]; end++)
		;
	*out_len = end - start;
	return (const char *)pc->blob + start;
}

/* Rust `replace(transformations, old, new)` of the Precompiled normalizer. */
static enum xnr_status push_replace(struct xnr__changes *c, const char *old, size_t old_len,
                                    const char *rep, size_t rep_len)
{
	long n_old = 0, n_new = 0, diff, k;
	size_t i = 0;

	while (i < old_len) {
		int32_t cp;
		i += xnr__utf8_dec(old, old_len, i, &cp);
		n_old++;
	}
	for (i = 0; i < rep_len; n_new++) {
		int32_t cp;
		i += xnr__utf8_dec(rep, rep_len, i, &cp);
		if (xnr__changes_add(c, cp, 0) != XNR_OK)
			return XNR_ERR_NOMEM;
	}
	diff = n_new - n_old;
	if (diff > 0)
		for (k = 0; k < diff && (size_t)k < c->n; k++)
			c->v[c->n - 1 - (size_t)k].change = 1;
	else if (diff < 0 && c->n)
		c->v[c->n - 1].change += (int32_t)diff;
	return XNR_OK;
}

static enum xnr_status grapheme(const struct xnr__precompiled *pc, struct xnr__changes *c,
                                const char *g, size_t len, int *modified)
{
	const char *rep;
	size_t rep_len, i = 0;

	if (len < 6 && (rep = transform(pc, g, len, &rep_len)) != NULL) {
		*modified = 1;
		return push_replace(c, g, len, rep, rep_len);
	}
	while (i < len) {
		int32_t cp;
		size_t cl = xnr__utf8_dec(g, len, i, &cp);
		rep = transform(pc, g + i, cl, &rep_len);
		if (rep) {
			*modified = 1;
			if (push_replace(c, g + i, cl, rep, rep_len) != XNR_OK)
				return XNR_ERR_NOMEM;
		} else if (xnr__changes_add(c, cp, 0) != XNR_OK) {
			return XNR_ERR_NOMEM;
		}
		i += cl;
	}
	return XNR_OK;
}

enum xnr_status xnr__precompiled_apply(const struct xnr__precompiled *pc, struct xnr__work *w)
{
	size_t i = 0, seg = 0;
	utf8proc_int32_t state = 0, prev = -1;
	int modified = 0;
	struct xnr__nstr t;

	w->ch.n = 0;
	while (i < w->a.len) {
		int32_t cp;
		size_t cl = xnr__utf8_dec(w->a.s, w->a.len, i, &cp);
		if (prev >= 0 && utf8proc_grapheme_break_stateful(prev, cp, &state)) {
			if (grapheme(pc, &w->ch, w->a.s + seg, i - seg, &modified) != XNR_OK)
				return XNR_ERR_NOMEM;
			seg = i;
		}
		prev = cp;
		i += cl;
	}
	if (seg < w->a.len &&
	    grapheme(pc, &w->ch, w->a.s + seg, w->a.len - seg, &modified) != XNR_OK)
		return XNR_ERR_NOMEM;
	if (!modified)
		return XNR_OK;
	if (xnr__nstr_transform(&w->a, &w->ch, 0, &w->b) != XNR_OK)
		return XNR_ERR_NOMEM;
	t = w->a;
	w->a = w->b;
	w->b = t;
	return XNR_OK;
}
