/*
 * dups_text.c - the near-duplicate search's view of a sentence: normalised
 * words (ASCII case folded, every digit as 0: "LONDON 1996-08-30" and
 * "london 1997-01-02" read the same), the trivial-line rule, the variants
 * (docs with the same normalised words, gold labels and side, found by
 * sorting on 64-bit hashes and checked word by word) and each variant's
 * shingle set: the hashes of its word 1- to ngram-grams, punctuation-only
 * words left out (a sentence of punctuation alone is one shingle, its whole
 * normalised text).
 */
#include <stdlib.h>
#include <string.h>

#include "reduce/dups_internal.h"

int xnr__dup_word(const char *w, uint64_t *h)
{
	uint64_t f = 0xcbf29ce484222325ull; /* FNV-1a 64 */
	int punct = 1;

	for (const unsigned char *c = (const unsigned char *)w; *c; c++) {
		unsigned char b = *c;
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		else if (b >= '0' && b <= '9')
			b = '0';
		if ((b >= 'a' && b <= 'z') || b == '0' || b >= 0x80)
			punct = 0;
		f = (f ^ b) * 0x100000001b3ull;
	}
	*h = xnr__dup_mix(f);
	return punct;
}

static int has_letter(const char *w)
{
	for (const unsigned char *c = (const unsigned char *)w; *c; c++)
		if (((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z') || *c >= 0x80)
			return 1;
	return 0;
}

static int has_digit(const char *w)
{
	for (; *w; w++)
		if (*w >= '0' && *w <= '9')
			return 1;
	return 0;
}

/* Digits in two or three groups joined by '-', '/' or '.', at least four digits. */
static int is_date(const char *w)
{
	int groups = 1, digits = 0, run = 0;

	for (; *w; w++) {
		if (*w >= '0' && *w <= '9') {
			digits++, run++;
		} else if ((*w == '-' || *w == '/' || *w == '.') && run > 0) {
			groups++, run = 0;
		} else {
			return 0;
		}
	}
	return run > 0 && groups >= 2 && groups <= 3 && digits >= 4;
}

int xnr_dup_trivial(const struct xnr_dup_doc *doc)
{
	int letters = 0, i, n = doc->n_words;

	for (i = 0; i < n; i++)
		letters += has_letter(doc->words[i]);
	if (letters < 2)
		return 1;
	if (n < 2 || n > 6 || !is_date(doc->words[n - 1]))
		return 0;
	for (i = 0; i < n - 1; i++)
		if (has_digit(doc->words[i]))
			return 0;
	return 1;
}

int xnr__dup_same_text(const struct xnr_dup_doc *a, const struct xnr_dup_doc *b)
{
	uint64_t ha, hb;

	if (a->n_words != b->n_words)
		return 0;
	for (int i = 0; i < a->n_words; i++) {
		xnr__dup_word(a->words[i], &ha);
		xnr__dup_word(b->words[i], &hb);
		if (ha != hb)
			return 0;
	}
	return 1;
}

int xnr__dup_same_gold(const struct xnr_dup_doc *a, const struct xnr_dup_doc *b)
{
	if (!a->gold || !b->gold)
		return !a->gold && !b->gold;
	return memcmp(a->gold, b->gold, sizeof *a->gold * (size_t)a->n_words) == 0;
}

/* What variants are sorted on: side, text hash, gold hash, doc. */
struct doc_key {
	uint64_t text, gold;
	long doc;
	int side;
};

static int key_cmp(const void *pa, const void *pb)
{
	const struct doc_key *a = pa, *b = pb;

	if (a->side != b->side)
		return a->side < b->side ? -1 : 1;
	if (a->text != b->text)
		return a->text < b->text ? -1 : 1;
	if (a->gold != b->gold)
		return a->gold < b->gold ? -1 : 1;
	return (a->doc > b->doc) - (a->doc < b->doc);
}

static struct doc_key doc_key(const struct xnr_dup_doc *d, long i)
{
	struct doc_key k = {0x9e3779b97f4a7c15ull, (uint64_t)d->n_words, i, d->side};
	uint64_t h;

	for (int w = 0; w < d->n_words; w++) {
		xnr__dup_word(d->words[w], &h);
		k.text = xnr__dup_mix(k.text ^ h);
		k.gold = xnr__dup_mix(k.gold ^ (uint64_t)(d->gold ? d->gold[w] : 0));
	}
	return k;
}

static int u64_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return (a > b) - (a < b);
}

/* The shingles of doc into sh (room for n_words * ngram + 1), sorted and
 * distinct; returns how many. words: scratch for n_words hashes. */
static long shingles(const struct xnr_dup_doc *d, int ngram, uint64_t *words, uint64_t *sh)
{
	long n = 0, m = 0, out = 0;
	uint64_t h, all = 0x51ed270b27a1f3c5ull;

	for (int w = 0; w < d->n_words; w++) {
		int punct = xnr__dup_word(d->words[w], &h);
		all = xnr__dup_mix(all ^ h);
		if (!punct)
			words[n++] = h;
	}
	for (long i = 0; i < n; i++) {
		uint64_t g = 0;
		for (int k = 0; k < ngram && i + k < n; k++) {
			g = xnr__dup_mix(g ^ words[i + k] ^ (uint64_t)k);
			sh[m++] = g;
		}
	}
	if (m == 0)
		sh[m++] = all;
	qsort(sh, (size_t)m, sizeof *sh, u64_cmp);
	for (long i = 0; i < m; i++)
		if (out == 0 || sh[i] != sh[out - 1])
			sh[out++] = sh[i];
	return out;
}

void xnr__dup_sets_free(struct xnr__dup_sets *s)
{
	free(s->first);
	free(s->sh);
	free(s->side);
	memset(s, 0, sizeof *s);
}

/* r->doc_variant for the sorted keys k[m]: one group per run of equal keys
 * whose docs really match the run's first; groups numbered by first doc. */
static enum xnr_status number_variants(const struct xnr_dup_doc *docs, const struct doc_key *k,
                                       long m, struct xnr_dups *r)
{
	long *group_doc = malloc(sizeof *group_doc * (size_t)(m + 1)), g = 0, lead = 0;

	if (!group_doc)
		return XNR_ERR_NOMEM;
	for (long i = 0; i < m; i++) {
		const struct xnr_dup_doc *a = &docs[k[lead].doc], *b = &docs[k[i].doc];
		if (i == 0 || k[i].text != k[lead].text || k[i].gold != k[lead].gold ||
		    k[i].side != k[lead].side || !xnr__dup_same_text(a, b) ||
		    !xnr__dup_same_gold(a, b)) {
			lead = i;
			group_doc[g++] = k[i].doc;
		}
		r->doc_variant[k[i].doc] = g - 1;
	}
	/* Groups by first doc: the first doc of each group is its smallest. */
	long *rank = malloc(sizeof *rank * (size_t)(g + 1));
	if (!rank) {
		free(group_doc);
		return XNR_ERR_NOMEM;
	}
	for (long d = 0, v = 0; d < r->n_docs; d++) {
		long grp = r->doc_variant[d];
		if (grp >= 0 && group_doc[grp] == d)
			rank[grp] = v++;
	}
	for (long d = 0; d < r->n_docs; d++)
		if (r->doc_variant[d] >= 0)
			r->doc_variant[d] = rank[r->doc_variant[d]];
	r->n_variants = g;
	free(rank);
	free(group_doc);
	return XNR_OK;
}

/* r->var_first, var_docs, var_side from r->doc_variant. */
static enum xnr_status variant_docs(const struct xnr_dup_doc *docs, struct xnr_dups *r)
{
	long v, d;

	r->var_first = calloc((size_t)r->n_variants + 1, sizeof *r->var_first);
	r->var_docs = malloc(sizeof *r->var_docs * (size_t)(r->n_docs - r->n_trivial + 1));
	r->var_side = malloc(sizeof *r->var_side * (size_t)(r->n_variants + 1));
	if (!r->var_first || !r->var_docs || !r->var_side)
		return XNR_ERR_NOMEM;
	for (d = 0; d < r->n_docs; d++)
		if ((v = r->doc_variant[d]) >= 0)
			r->var_first[v + 1]++;
	for (v = 0; v < r->n_variants; v++)
		r->var_first[v + 1] += r->var_first[v];
	for (d = 0; d < r->n_docs; d++)
		if ((v = r->doc_variant[d]) >= 0)
			r->var_side[v] = docs[d].side;
	long *fill = malloc(sizeof *fill * (size_t)(r->n_variants + 1));
	if (!fill)
		return XNR_ERR_NOMEM;
	memcpy(fill, r->var_first, sizeof *fill * (size_t)r->n_variants);
	for (d = 0; d < r->n_docs; d++)
		if ((v = r->doc_variant[d]) >= 0)
			r->var_docs[fill[v]++] = d;
	free(fill);
	return XNR_OK;
}

/* The variants' shingle sets, from each variant's first doc. */
static enum xnr_status variant_sets(const struct xnr_dup_doc *docs, const struct xnr_dups *r,
                                    int ngram, struct xnr__dup_sets *s)
{
	long v, total = 0, cap = 0;
	uint64_t *words = NULL, *sh;

	s->n = r->n_variants;
	s->first = malloc(sizeof *s->first * (size_t)(s->n + 1));
	s->side = malloc(sizeof *s->side * (size_t)(s->n + 1));
	for (v = 0; v < s->n; v++) {
		long w = docs[r->var_docs[r->var_first[v]]].n_words;
		total += w * ngram + 1;
		cap = w > cap ? w : cap;
	}
	s->sh = malloc(sizeof *s->sh * (size_t)(total + 1));
	words = malloc(sizeof *words * (size_t)(cap + 1));
	if (!s->first || !s->side || !s->sh || !words) {
		free(words);
		return XNR_ERR_NOMEM;
	}
	s->first[0] = 0;
	for (v = 0; v < s->n; v++) {
		const struct xnr_dup_doc *d = &docs[r->var_docs[r->var_first[v]]];
		s->first[v + 1] = s->first[v] + shingles(d, ngram, words, s->sh + s->first[v]);
		s->side[v] = d->side;
	}
	free(words);
	if ((sh = realloc(s->sh, sizeof *sh * (size_t)(s->first[s->n] + 1))) != NULL)
		s->sh = sh;
	return XNR_OK;
}

enum xnr_status xnr__dup_variants(const struct xnr_dup_doc *docs, long n,
                                  const struct xnr_dup_params *p, struct xnr_dups *r,
                                  struct xnr__dup_sets *sets, struct xnr_error *err)
{
	struct doc_key *k = malloc(sizeof *k * (size_t)(n + 1));
	enum xnr_status st = XNR_ERR_NOMEM;
	long m = 0;

	r->n_docs = n;
	r->doc_variant = malloc(sizeof *r->doc_variant * (size_t)(n + 1));
	if (!k || !r->doc_variant)
		goto fail;
	for (long i = 0; i < n; i++) {
		r->doc_variant[i] = -1;
		if (!p->keep_trivial && xnr_dup_trivial(&docs[i]))
			r->n_trivial++;
		else
			k[m++] = doc_key(&docs[i], i);
	}
	qsort(k, (size_t)m, sizeof *k, key_cmp);
	if ((st = number_variants(docs, k, m, r)) != XNR_OK ||
	    (st = variant_docs(docs, r)) != XNR_OK ||
	    (st = variant_sets(docs, r, p->ngram, sets)) != XNR_OK)
		goto fail;
	free(k);
	return XNR_OK;
fail:
	free(k);
	return xnr_fail(err, st, "duplicates: %ld sentences: out of memory", n);
}
