/*
 * dups_join.c - every pair of shingle sets with a Jaccard similarity of at
 * least t, exactly: the prefix-filtered inverted index of AllPairs (Bayardo,
 * Ma and Srikant, WWW 2007; Chaudhuri et al.'s prefix filter). Tokens are
 * ordered rarest first; a pair with Jaccard >= t shares at least ceil(t|x|)
 * tokens of x, so it shares a token among the first |x| - ceil(t|x|) + 1 of
 * each set. Only those prefixes are indexed and probed, and each candidate is
 * checked by merging the two whole sets. Time depends on the data (identical
 * sets are few: copies are one variant); memory is the sets twice.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/dups_internal.h"

/* Jaccard within 1e-9 of t passes: t * |union| is not exact in binary. */
#define T_SLACK 1e-9

int xnr__dup_found_add(struct xnr__dup_found *f, long a, long b, double jaccard)
{
	if (f->n == f->cap) {
		long cap = f->cap ? f->cap * 2 : 1024;
		struct xnr_dup_pair *v = realloc(f->v, sizeof *v * (size_t)cap);
		if (!v)
			return -1;
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = (struct xnr_dup_pair){
	    a < b ? a : b, a < b ? b : a, (float)jaccard, NAN, (float)jaccard, 0, 0};
	return 0;
}

double xnr__dup_jaccard(const struct xnr__dup_sets *s, long a, long b)
{
	const uint64_t *x = s->sh + s->first[a], *y = s->sh + s->first[b];
	long nx = s->first[a + 1] - s->first[a], ny = s->first[b + 1] - s->first[b];
	long i = 0, j = 0, both = 0;

	while (i < nx && j < ny) {
		if (x[i] == y[j])
			both++, i++, j++;
		else if (x[i] < y[j])
			i++;
		else
			j++;
	}
	return (double)both / (double)(nx + ny - both);
}

/* The token table: distinct hashes ascending, and each one's rank in the
 * rarest-first order. */
struct tokens {
	uint64_t *hash;
	uint32_t *rank;
	long n;
};

struct by_count {
	long count;
	uint64_t hash;
	long at;
};

static int u64_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return (a > b) - (a < b);
}

static int count_cmp(const void *pa, const void *pb)
{
	const struct by_count *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count < b->count ? -1 : 1;
	return (a->hash > b->hash) - (a->hash < b->hash);
}

static int tokens_make(const struct xnr__dup_sets *s, struct tokens *t)
{
	long total = s->first[s->n], i, u = 0;
	struct by_count *c = NULL;

	t->hash = malloc(sizeof *t->hash * (size_t)(total + 1));
	if (!t->hash)
		return -1;
	memcpy(t->hash, s->sh, sizeof *t->hash * (size_t)total);
	qsort(t->hash, (size_t)total, sizeof *t->hash, u64_cmp);
	c = malloc(sizeof *c * (size_t)(total + 1));
	if (!c)
		return -1;
	for (i = 0; i < total; i++) {
		if (u > 0 && t->hash[i] == c[u - 1].hash) {
			c[u - 1].count++;
			continue;
		}
		c[u] = (struct by_count){1, t->hash[i], u};
		t->hash[u++] = t->hash[i];
	}
	t->n = u;
	t->rank = malloc(sizeof *t->rank * (size_t)(u + 1));
	if (!t->rank) {
		free(c);
		return -1;
	}
	qsort(c, (size_t)u, sizeof *c, count_cmp);
	for (i = 0; i < u; i++)
		t->rank[c[i].at] = (uint32_t)i;
	free(c);
	return 0;
}

static uint32_t token_rank(const struct tokens *t, uint64_t h)
{
	long lo = 0, hi = t->n - 1;

	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;
		if (t->hash[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return t->rank[lo];
}

static int u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return (a > b) - (a < b);
}

/* The sets as token ranks, each ascending (rarest first). */
static uint32_t *ranked_sets(const struct xnr__dup_sets *s, const struct tokens *t)
{
	uint32_t *r = malloc(sizeof *r * (size_t)(s->first[s->n] + 1));

	for (long v = 0; r && v < s->n; v++) {
		for (long i = s->first[v]; i < s->first[v + 1]; i++)
			r[i] = token_rank(t, s->sh[i]);
		qsort(r + s->first[v], (size_t)(s->first[v + 1] - s->first[v]), sizeof *r, u32_cmp);
	}
	return r;
}

static long prefix_len(long len, double t)
{
	long need = (long)ceil(t * (double)len - T_SLACK), p = len - need + 1;
	return p < 1 ? 1 : p > len ? len : p;
}

/* Posting lists of the indexed prefixes: token k's sets are
 * post[start[k] .. fill[k]), in the order they were added. */
struct index {
	long *start, *fill, *post;
	long *stamp; /* (n) the last probe that saw each set, plus 1 */
};

static int index_make(const struct xnr__dup_sets *s, const uint32_t *r, long n_tokens, double t,
                      int cross, struct index *ix)
{
	long v, i, sum = 0;

	ix->start = calloc((size_t)n_tokens + 1, sizeof *ix->start);
	ix->fill = malloc(sizeof *ix->fill * (size_t)(n_tokens + 1));
	ix->stamp = calloc((size_t)s->n + 1, sizeof *ix->stamp);
	if (!ix->start || !ix->fill || !ix->stamp)
		return -1;
	for (v = 0; v < s->n; v++)
		if (!cross || s->side[v] == 1)
			for (i = 0; i < prefix_len(s->first[v + 1] - s->first[v], t); i++)
				ix->start[r[s->first[v] + i]]++;
	for (i = 0; i < n_tokens; i++) {
		long c = ix->start[i];
		ix->start[i] = ix->fill[i] = sum;
		sum += c;
	}
	ix->start[n_tokens] = sum;
	ix->post = malloc(sizeof *ix->post * (size_t)(sum + 1));
	return ix->post ? 0 : -1;
}

static void index_add(const struct xnr__dup_sets *s, const uint32_t *r, double t, long v,
                      struct index *ix)
{
	for (long i = 0; i < prefix_len(s->first[v + 1] - s->first[v], t); i++) {
		uint32_t k = r[s->first[v] + i];
		ix->post[ix->fill[k]++] = v;
	}
}

static double ranked_jaccard(const struct xnr__dup_sets *s, const uint32_t *r, long a, long b)
{
	const uint32_t *x = r + s->first[a], *y = r + s->first[b];
	long nx = s->first[a + 1] - s->first[a], ny = s->first[b + 1] - s->first[b];
	long i = 0, j = 0, both = 0;

	while (i < nx && j < ny) {
		if (x[i] == y[j])
			both++, i++, j++;
		else if (x[i] < y[j])
			i++;
		else
			j++;
	}
	return (double)both / (double)(nx + ny - both);
}

/* Every indexed set sharing a prefix token with v, checked whole. */
static int probe(const struct xnr__dup_sets *s, const uint32_t *r, double t, long v,
                 struct index *ix, struct xnr__dup_found *out)
{
	long len = s->first[v + 1] - s->first[v];

	for (long i = 0; i < prefix_len(len, t); i++) {
		uint32_t k = r[s->first[v] + i];
		for (long p = ix->start[k]; p < ix->fill[k]; p++) {
			long y = ix->post[p], ylen = s->first[y + 1] - s->first[y];
			long lo = ylen < len ? ylen : len, hi = ylen < len ? len : ylen;
			if (ix->stamp[y] == v + 1)
				continue;
			ix->stamp[y] = v + 1;
			if ((double)lo < t * (double)hi - T_SLACK)
				continue;
			out->n_candidates++;
			double j = ranked_jaccard(s, r, v, y);
			if (j >= t - T_SLACK && xnr__dup_found_add(out, v, y, j))
				return -1;
		}
	}
	return 0;
}

static enum xnr_status join(const struct xnr__dup_sets *s, const uint32_t *r, double t, int cross,
                            const struct xnr_ctl *ctl, struct index *ix, struct xnr__dup_found *out,
                            struct xnr_error *err)
{
	long v;

	for (v = 0; cross && v < s->n; v++)
		if (s->side[v] == 1)
			index_add(s, r, t, v, ix);
	for (v = 0; v < s->n; v++) {
		if (v % 1024 == 0) {
			xnr_ctl_progress(ctl, (double)v / (double)s->n, "index");
			if (xnr_ctl_cancelled(ctl))
				return xnr_fail(err, XNR_ERR_CANCELLED, "duplicates: cancelled");
		}
		if (cross && s->side[v] != 0)
			continue;
		if (probe(s, r, t, v, ix, out))
			return xnr_fail(err, XNR_ERR_NOMEM, "duplicates: %ld pairs: out of memory",
			                out->n);
		if (!cross)
			index_add(s, r, t, v, ix);
	}
	return XNR_OK;
}

enum xnr_status xnr__dup_exact(const struct xnr__dup_sets *s, double t, int cross,
                               const struct xnr_ctl *ctl, struct xnr__dup_found *out,
                               struct xnr_error *err)
{
	struct tokens tk = {0};
	struct index ix = {0};
	uint32_t *r = NULL;
	enum xnr_status st;

	if (tokens_make(s, &tk) || !(r = ranked_sets(s, &tk)) ||
	    index_make(s, r, tk.n, t, cross, &ix)) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: %ld sets: out of memory", s->n);
		goto fail;
	}
	st = join(s, r, t, cross, ctl, &ix, out, err);
fail:
	free(ix.start);
	free(ix.fill);
	free(ix.post);
	free(ix.stamp);
	free(r);
	free(tk.hash);
	free(tk.rank);
	return st;
}
