/*
 * consistency.c - label counts of surface strings (consistency.h). Words
 * and entity strings (as sequences of word ids) are interned once over both
 * sides, exact and ASCII-folded; every position of both sides is then
 * matched against the entity strings through the set of their prefixes
 * (ExplainaBoard's prefix walk), so a position costs one or two lookups.
 * Occurrences that are "part of an entity" are counted and shown but left
 * out of the scores: a "New York" inside "New York Stock Exchange" says
 * nothing against a "New York" labelled LOC.
 */
#include "analysis/consistency.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"

/* One corpus, prepared. */
struct side {
	const struct xnr_cons_corpus *c;
	size_t n_words;
	int32_t *wid, *fid;            /* (n_words) exact and folded word ids */
	int32_t *span_end, *span_type; /* (n_words) the gold span starting here, or -1 */
	uint8_t *in_multi; /* (n_words) in a gold span of 2+ words: 1 its first or last word,
	                      2 a word between them */
};

struct ctx {
	const struct xnr_cons_params *p;
	int nc, max_len;
	struct xnr__intern *words[2], *seqs[2], *prefixes[2]; /* [exact, folded] */
	int32_t *wcount[2], *scount[2];                       /* (ids, 2 sides, nc) */
	struct xnr_cons_result *out;
	size_t occ_cap;
	int32_t *occ_ids; /* (n_occ, 2) exact and folded string ids of each occurrence */
};

struct xnr_cons_params xnr_cons_default_params(int n_types)
{
	struct xnr_cons_params p = {n_types, 0.5, 20.0, 16};
	return p;
}

static enum xnr_status nomem(struct xnr_error *err)
{
	return xnr_fail(err, XNR_ERR_NOMEM, "consistency: out of memory");
}

static void side_free(struct side *s)
{
	free(s->wid);
	free(s->fid);
	free(s->span_end);
	free(s->span_type);
	free(s->in_multi);
}

/* Check a corpus and index its spans by first word. */
static enum xnr_status side_open(const struct xnr_cons_corpus *c, int n_types, struct side *s,
                                 struct xnr_error *err)
{
	size_t i;

	memset(s, 0, sizeof *s);
	s->c = c;
	s->n_words = c->sent_start[c->n_sents];
	s->wid = malloc((s->n_words + 1) * sizeof *s->wid);
	s->fid = malloc((s->n_words + 1) * sizeof *s->fid);
	s->span_end = malloc((s->n_words + 1) * sizeof *s->span_end);
	s->span_type = malloc((s->n_words + 1) * sizeof *s->span_type);
	s->in_multi = calloc(s->n_words + 1, 1);
	if (!s->wid || !s->fid || !s->span_end || !s->span_type || !s->in_multi)
		return nomem(err);
	for (i = 0; i < s->n_words; i++) {
		s->span_end[i] = -1;
		if (c->cls[i] < 0 || c->cls[i] > n_types)
			return xnr_fail(err, XNR_ERR_INPUT,
			                "consistency: word %zu has class %d of %d", i,
			                (int)c->cls[i], n_types);
	}
	for (i = 0; i < c->n_spans; i++) {
		const struct xnr_cons_span *sp = &c->spans[i];
		size_t len;
		if (sp->sent < 0 || (size_t)sp->sent >= c->n_sents || sp->type < 1 ||
		    sp->type > n_types ||
		    (len = c->sent_start[sp->sent + 1] - c->sent_start[sp->sent],
		     sp->start < 0 || sp->start >= sp->end || (size_t)sp->end > len))
			return xnr_fail(err, XNR_ERR_INPUT, "consistency: span %zu is out of range",
			                i);
		s->span_end[c->sent_start[sp->sent] + (size_t)sp->start] = sp->end - sp->start;
		s->span_type[c->sent_start[sp->sent] + (size_t)sp->start] = sp->type;
		for (int32_t w = sp->start; sp->end - sp->start > 1 && w < sp->end; w++)
			s->in_multi[c->sent_start[sp->sent] + (size_t)w] =
			    w == sp->start || w == sp->end - 1 ? 1 : 2;
	}
	return XNR_OK;
}

/* Exact and folded ids of every word of s. */
static enum xnr_status intern_words(struct ctx *x, struct side *s, struct xnr_error *err)
{
	char small[256], *buf;

	for (size_t i = 0; i < s->n_words; i++) {
		const char *w = s->c->text[i] ? s->c->text[i] : "";
		size_t len = strlen(w);
		buf = len < sizeof small ? small : malloc(len + 1);
		if (!buf)
			return nomem(err);
		memcpy(buf, w, len);
		xnr__fold_ascii(buf, len);
		s->wid[i] = xnr__intern(x->words[0], w, len, 1);
		s->fid[i] = xnr__intern(x->words[1], buf, len, 1);
		if (buf != small)
			free(buf);
		if (s->wid[i] < 0 || s->fid[i] < 0)
			return nomem(err);
	}
	return XNR_OK;
}

/* Every gold span of s (up to max_len words) as an entity string, with its prefixes. */
static enum xnr_status intern_spans(struct ctx *x, struct side *s, struct xnr_error *err)
{
	for (size_t w = 0; w < s->n_words; w++) {
		int len = s->span_end[w];
		if (len < 1 || len > x->max_len)
			continue;
		for (int f = 0; f < 2; f++) {
			const int32_t *ids = (f ? s->fid : s->wid) + w;
			for (int l = 1; l <= len; l++)
				if (xnr__intern(x->prefixes[f], ids, (size_t)l * sizeof *ids, 1) <
				    0)
					return nomem(err);
			if (xnr__intern(x->seqs[f], ids, (size_t)len * sizeof *ids, 1) < 0)
				return nomem(err);
		}
	}
	return XNR_OK;
}

/* The class of words [w, w + len) of s as an occurrence of an entity string. */
static int32_t occ_class(const struct ctx *x, const struct side *s, size_t w, int len)
{
	if (s->span_end[w] == len)
		return s->span_type[w];
	for (int l = 0; l < len; l++)
		if (s->c->cls[w + (size_t)l] != 0)
			return XNR_CONS_PART(x->p->n_types);
	return 0;
}

static enum xnr_status add_occ(struct ctx *x, int32_t sent, int32_t start, int len, int32_t cls,
                               const int32_t ids[2], struct xnr_error *err)
{
	struct xnr_cons_result *o = x->out;

	if (o->n_occ == x->occ_cap) {
		size_t cap = x->occ_cap ? 2 * x->occ_cap : 1024;
		struct xnr_cons_occ *v = realloc(o->occ, cap * sizeof *v);
		int32_t *d;
		if (!v)
			return nomem(err);
		o->occ = v;
		if (!(d = realloc(x->occ_ids, cap * 2 * sizeof *d)))
			return nomem(err);
		x->occ_ids = d;
		x->occ_cap = cap;
	}
	o->occ[o->n_occ] = (struct xnr_cons_occ){sent, start, start + len, cls};
	x->occ_ids[2 * o->n_occ] = ids[0];
	x->occ_ids[2 * o->n_occ + 1] = ids[1];
	o->n_occ++;
	return XNR_OK;
}

/* Count every entity-string occurrence of s (where: 0 split, 1 reference);
 * in the split, record the gold spans and the multi-word non-span ones. */
static enum xnr_status scan(struct ctx *x, const struct side *s, int where, struct xnr_error *err)
{
	const struct xnr_cons_corpus *c = s->c;

	for (size_t sent = 0; sent < c->n_sents; sent++) {
		size_t b = c->sent_start[sent], e = c->sent_start[sent + 1];
		for (size_t w = b; w < e; w++) {
			int live[2] = {1, 1};
			for (int len = 1; len <= x->max_len && w + (size_t)len <= e; len++) {
				int32_t ids[2] = {-1, -1}, cls = occ_class(x, s, w, len);
				for (int f = 0; f < 2; f++) {
					const int32_t *key = (f ? s->fid : s->wid) + w;
					size_t bytes = (size_t)len * sizeof *key;
					live[f] = live[f] &&
					          xnr__intern(x->prefixes[f], key, bytes, 0) >= 0;
					if (live[f] &&
					    (ids[f] = xnr__intern(x->seqs[f], key, bytes, 0)) >= 0)
						x->scount[f][((size_t)ids[f] * 2 + (size_t)where) *
						                 (size_t)x->nc +
						             (size_t)cls]++;
				}
				if (!live[0] && !live[1])
					break;
				if (where == 0 && (ids[0] >= 0 || ids[1] >= 0) &&
				    (cls >= 1 && cls <= x->p->n_types ? 1 : len >= 2 && cls == 0)) {
					enum xnr_status st = add_occ(
					    x, (int32_t)sent, (int32_t)(w - b), len, cls, ids, err);
					if (st != XNR_OK)
						return st;
				}
			}
		}
	}
	return XNR_OK;
}

/* The four counts of an item (other occurrences: minus itself) into dst
 * (XNR_CONS_N_COUNTS * nc), and its score. counts[f] are (2, nc) rows of
 * the item's exact and folded string, NULL when it has none. */
static double finish(const struct ctx *x, const int32_t *counts[2], int32_t cls, int32_t *dst)
{
	int nc = x->nc, part = XNR_CONS_PART(x->p->n_types);
	double e = 0, se = 0, all = 0, sall = 0, w = x->p->fold_weight, f, sf;

	for (int f2 = 0; f2 < 2; f2++)
		for (int where = 0; where < 2; where++)
			for (int k = 0; k < nc; k++) {
				int32_t v = counts[f2] ? counts[f2][where * nc + k] : 0;
				if (where == 0 && k == cls && v > 0)
					v--; /* itself */
				dst[(f2 * 2 + where) * nc + k] = v;
				if (k == part)
					continue;
				*(f2 ? &all : &e) += v;
				if (k == cls)
					*(f2 ? &sall : &se) += v;
			}
	f = all - e;
	sf = sall - se;
	if (e + f == 0)
		return NAN; /* seen nowhere else: no evidence either way */
	return ((e - se) + w * (f - sf)) / (e + w * f + 1.0);
}

/* A word inside a multi-word entity, by its exact other occurrences: how
 * often it is O against how often it is inside any entity (dst: its counts). */
static double inside_score(const struct ctx *x, const int32_t *dst)
{
	double o = 0, ent = 0;

	for (int where = 0; where < 2; where++)
		for (int k = 0; k <= x->p->n_types; k++)
			*(k ? &ent : &o) += dst[where * x->nc + k];
	if (o + ent == 0)
		return NAN;
	return o / (o + x->p->inside_weight * ent + 1.0);
}

static enum xnr_status results(struct ctx *x, const struct side *s, struct xnr_error *err)
{
	struct xnr_cons_result *o = x->out;
	size_t per = (size_t)XNR_CONS_N_COUNTS * (size_t)x->nc, i;

	o->n_words = s->n_words;
	o->word_score = malloc((s->n_words + 1) * sizeof *o->word_score);
	o->word_counts = malloc((s->n_words + 1) * per * sizeof *o->word_counts);
	o->occ_score = malloc((o->n_occ + 1) * sizeof *o->occ_score);
	o->occ_counts = malloc((o->n_occ + 1) * per * sizeof *o->occ_counts);
	if (!o->word_score || !o->word_counts || !o->occ_score || !o->occ_counts)
		return nomem(err);
	for (i = 0; i < s->n_words; i++) {
		const int32_t *rows[2] = {x->wcount[0] + (size_t)s->wid[i] * 2 * (size_t)x->nc,
		                          x->wcount[1] + (size_t)s->fid[i] * 2 * (size_t)x->nc};
		o->word_score[i] = finish(x, rows, s->c->cls[i], o->word_counts + i * per);
		/* A boundary error is at an entity's edge; a word between its edges ("of",
		 * "the", "for" inside a name, O almost everywhere else) is judged by the
		 * entity string alone. */
		if (s->in_multi[i] == 1)
			o->word_score[i] = inside_score(x, o->word_counts + i * per);
		else if (s->in_multi[i] == 2)
			o->word_score[i] = NAN;
	}
	for (i = 0; i < o->n_occ; i++) {
		const int32_t *rows[2];
		for (int f = 0; f < 2; f++)
			rows[f] = x->occ_ids[2 * i + (size_t)f] < 0
			              ? NULL
			              : x->scount[f] + (size_t)x->occ_ids[2 * i + (size_t)f] * 2 *
			                                   (size_t)x->nc;
		o->occ_score[i] = finish(x, rows, o->occ[i].cls, o->occ_counts + i * per);
	}
	return XNR_OK;
}

/* Word counts of both sides, then the entity strings' counts and occurrences. */
static enum xnr_status count_all(struct ctx *x, struct side *sides, int n_sides,
                                 struct xnr_error *err)
{
	enum xnr_status st;

	for (int f = 0; f < 2; f++) {
		size_t nw = (size_t)xnr__intern_count(x->words[f]) * 2 * (size_t)x->nc;
		size_t ns = (size_t)xnr__intern_count(x->seqs[f]) * 2 * (size_t)x->nc;
		if (!(x->wcount[f] = calloc(nw + 1, sizeof *x->wcount[f])) ||
		    !(x->scount[f] = calloc(ns + 1, sizeof *x->scount[f])))
			return nomem(err);
	}
	for (int where = 0; where < n_sides; where++) {
		const struct side *s = &sides[where];
		for (size_t i = 0; i < s->n_words; i++) {
			x->wcount[0][((size_t)s->wid[i] * 2 + (size_t)where) * (size_t)x->nc +
			             (size_t)s->c->cls[i]]++;
			x->wcount[1][((size_t)s->fid[i] * 2 + (size_t)where) * (size_t)x->nc +
			             (size_t)s->c->cls[i]]++;
		}
		if ((st = scan(x, s, where, err)) != XNR_OK)
			return st;
	}
	return results(x, &sides[0], err);
}

void xnr_cons_result_free(struct xnr_cons_result *r)
{
	if (!r)
		return;
	free(r->word_score);
	free(r->word_counts);
	free(r->occ);
	free(r->occ_score);
	free(r->occ_counts);
	memset(r, 0, sizeof *r);
}

enum xnr_status xnr_cons_count(const struct xnr_cons_corpus *split,
                               const struct xnr_cons_corpus *ref, const struct xnr_cons_params *p,
                               struct xnr_cons_result *out, struct xnr_error *err)
{
	struct ctx x;
	struct side sides[2];
	struct xnr_cons_result r;
	int n_sides = ref ? 2 : 1, i;
	enum xnr_status st = XNR_OK;

	if (p->n_types < 1 || p->n_types > 1000 || p->max_len < 1 || p->max_len > 64 ||
	    !(p->fold_weight >= 0.0) || !(p->inside_weight >= 0.0))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "consistency: %d types (1..1000), strings up to %d words (1..64)",
		                p->n_types, p->max_len);
	memset(&x, 0, sizeof x);
	memset(sides, 0, sizeof sides);
	memset(&r, 0, sizeof r);
	x.p = p;
	x.nc = p->n_types + 2;
	x.max_len = p->max_len;
	x.out = &r;
	r.n_classes = x.nc;
	for (i = 0; i < 2; i++)
		if (!(x.words[i] = xnr__intern_open()) || !(x.seqs[i] = xnr__intern_open()) ||
		    !(x.prefixes[i] = xnr__intern_open()))
			st = nomem(err);
	for (i = 0; st == XNR_OK && i < n_sides; i++)
		if ((st = side_open(i ? ref : split, p->n_types, &sides[i], err)) == XNR_OK &&
		    (st = intern_words(&x, &sides[i], err)) == XNR_OK)
			st = intern_spans(&x, &sides[i], err);
	if (st == XNR_OK && (st = count_all(&x, sides, n_sides, err)) == XNR_OK) {
		*out = r;
		memset(&r, 0, sizeof r);
	}
	xnr_cons_result_free(&r);
	for (i = 0; i < 2; i++) {
		xnr__intern_close(x.words[i]);
		xnr__intern_close(x.seqs[i]);
		xnr__intern_close(x.prefixes[i]);
		free(x.wcount[i]);
		free(x.scount[i]);
		side_free(&sides[i]);
	}
	free(x.occ_ids);
	return st;
}
