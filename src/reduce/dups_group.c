/*
 * dups_group.c - xnr_dups_find: the variants (dups_text.c), their similar
 * pairs (the exact index, MinHash LSH, or every pair's cosine), each pair's
 * cosine, score and label conflict, and the clusters: the connected groups
 * of variants under the pairs found (union-find), ordered so that an
 * annotation inconsistency (the same text with other gold labels) comes
 * first, then the most similar.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/dups_internal.h"
#include "reduce/internal.h"
#include "reduce/reduce.h"

/* Vector mode keeps the best this many pairs (n_candidates counts them all). */
#define VEC_MAX_PAIRS 1000000

struct xnr_dup_params xnr_dup_default_params(void)
{
	return (struct xnr_dup_params){XNR_DUP_LEXICAL, XNR_DUP_AUTO, 2, 0.5, 1, 0, 0};
}

void xnr_dups_free(struct xnr_dups *r)
{
	if (!r)
		return;
	free(r->doc_variant);
	free(r->var_first);
	free(r->var_docs);
	free(r->var_side);
	free(r->pairs);
	free(r->clusters);
	free(r->variants);
	memset(r, 0, sizeof *r);
}

static enum xnr_status check(const struct xnr_dup_doc *docs, long n, const float *x, int d,
                             const struct xnr_dup_params *p, struct xnr_dups *out,
                             struct xnr_error *err)
{
	if ((!docs && n > 0) || !p || !out || n < 0 || n >= (1L << 31))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "xnr_dups_find: docs, p or out NULL, or n = %ld", n);
	if ((p->mode != XNR_DUP_LEXICAL && p->mode != XNR_DUP_VECTORS) ||
	    (p->method != XNR_DUP_AUTO && p->method != XNR_DUP_EXACT && p->method != XNR_DUP_LSH) ||
	    p->ngram < 1 || p->ngram > 3 || !(p->threshold > 0 && p->threshold <= 1))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "xnr_dups_find: mode, method, ngram %d (1..3) or threshold %g "
		                "((0, 1]) out of range",
		                p->ngram, p->threshold);
	if ((p->mode == XNR_DUP_VECTORS || x) && (!x || d < 1))
		return xnr_fail(err, XNR_ERR_INPUT, "xnr_dups_find: vectors need x and d >= 1");
	for (long i = 0; i < n; i++)
		if (docs[i].n_words < 0 || (!docs[i].words && docs[i].n_words > 0))
			return xnr_fail(err, XNR_ERR_INPUT, "xnr_dups_find: doc %ld has no words",
			                i);
	return x ? xnr__check_finite(x, n * d, "xnr_dups_find: x", err) : XNR_OK;
}

static double cosine(const float *x, int d, long a, long b)
{
	double dot = 0, na = 0, nb = 0;

	for (int c = 0; c < d; c++) {
		dot += (double)x[a * d + c] * x[b * d + c];
		na += (double)x[a * d + c] * x[a * d + c];
		nb += (double)x[b * d + c] * x[b * d + c];
	}
	if (na <= 0 || nb <= 0)
		return 0;
	dot /= sqrt(na * nb);
	return dot > 1 ? 1 : dot < -1 ? -1 : dot;
}

/* Vector mode: every pair of representatives with cosine >= t. */
static enum xnr_status vector_pairs(const struct xnr_dups *r, const struct xnr__dup_sets *s,
                                    const float *x, int d, const struct xnr_dup_params *p,
                                    const struct xnr_ctl *ctl, struct xnr__dup_found *f,
                                    struct xnr_error *err)
{
	float *xr = malloc(sizeof *xr * ((size_t)r->n_variants * (size_t)d + 1));
	struct xnr_pair *cp = NULL;
	long n_cp = 0, total = 0;
	enum xnr_status st;

	if (!xr)
		return xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	for (long v = 0; v < r->n_variants; v++)
		memcpy(xr + v * d, x + r->var_docs[r->var_first[v]] * d, sizeof *xr * (size_t)d);
	st = xnr_cosine_pairs(xr, r->n_variants, d, (float)p->threshold, VEC_MAX_PAIRS, ctl, &cp,
	                      &n_cp, &total, err);
	free(xr);
	f->n_candidates = total;
	for (long i = 0; st == XNR_OK && i < n_cp; i++) {
		if (p->cross && s->side[cp[i].i] == s->side[cp[i].j])
			continue;
		if (xnr__dup_found_add(f, cp[i].i, cp[i].j, xnr__dup_jaccard(s, cp[i].i, cp[i].j)))
			st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	}
	free(cp);
	return st;
}

/* Each pair's cosine, score, same_text and conflict; r->total. */
static void score_pairs(const struct xnr_dup_doc *docs, const float *x, int d,
                        const struct xnr_dup_params *p, struct xnr_dups *r)
{
	for (long i = 0; i < r->n_pairs; i++) {
		struct xnr_dup_pair *q = &r->pairs[i];
		long a = r->var_docs[r->var_first[q->a]], b = r->var_docs[r->var_first[q->b]];
		if (x) {
			q->cosine = (float)cosine(x, d, a, b);
			q->score =
			    p->mode == XNR_DUP_VECTORS ? q->cosine : (q->jaccard + q->cosine) / 2;
		}
		q->same_text = xnr__dup_same_text(&docs[a], &docs[b]);
		q->conflict = q->same_text && !xnr__dup_same_gold(&docs[a], &docs[b]);
		r->total += (int64_t)(r->var_first[q->a + 1] - r->var_first[q->a]) *
		            (r->var_first[q->b + 1] - r->var_first[q->b]);
	}
	for (long v = 0; !p->cross && v < r->n_variants; v++) {
		int64_t c = r->var_first[v + 1] - r->var_first[v];
		r->total += c * (c - 1) / 2;
	}
}

static long uf_find(long *up, long v)
{
	while (up[v] != v) {
		up[v] = up[up[v]];
		v = up[v];
	}
	return v;
}

static long var_count(const struct xnr_dups *r, long v)
{
	return r->var_first[v + 1] - r->var_first[v];
}

/* Sort keys: a cluster (its rank), a variant in it, a pair in it. */
struct ranked_cluster {
	struct xnr_dup_cluster c;
	long id;
};
struct ranked_variant {
	long rank, v;
	int side;
};
struct ranked_pair {
	long rank;
	struct xnr_dup_pair p;
};

static int cluster_cmp(const void *pa, const void *pb)
{
	const struct xnr_dup_cluster *a = &((const struct ranked_cluster *)pa)->c;
	const struct xnr_dup_cluster *b = &((const struct ranked_cluster *)pb)->c;
	if (a->conflict != b->conflict)
		return a->conflict ? -1 : 1;
	if (a->best != b->best)
		return a->best > b->best ? -1 : 1;
	if (a->n_docs != b->n_docs)
		return a->n_docs > b->n_docs ? -1 : 1;
	return (a->first_variant > b->first_variant) - (a->first_variant < b->first_variant);
}

static int variant_cmp(const void *pa, const void *pb)
{
	const struct ranked_variant *a = pa, *b = pb;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->side != b->side)
		return a->side < b->side ? -1 : 1;
	return (a->v > b->v) - (a->v < b->v);
}

static int pair_cmp(const void *pa, const void *pb)
{
	const struct ranked_pair *a = pa, *b = pb;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->p.conflict != b->p.conflict)
		return a->p.conflict ? -1 : 1;
	if (a->p.score != b->p.score)
		return a->p.score > b->p.score ? -1 : 1;
	if (a->p.a != b->p.a)
		return a->p.a < b->p.a ? -1 : 1;
	return (a->p.b > b->p.b) - (a->p.b < b->p.b);
}

/* The clusters of the variants in a pair (or with copies, unless cross):
 * cl[*n] in order of first variant; in[v] says if v is in one, and which is
 * cid[uf_find(up, v)]. */
static void components(const struct xnr_dups *r, int cross, long *up, long *cid, char *in,
                       struct ranked_cluster *cl, long *n)
{
	long v, i;

	for (v = 0; v < r->n_variants; v++) {
		up[v] = v, cid[v] = -1;
		in[v] = (char)(!cross && var_count(r, v) >= 2);
	}
	for (i = 0; i < r->n_pairs; i++) {
		up[uf_find(up, r->pairs[i].a)] = uf_find(up, r->pairs[i].b);
		in[r->pairs[i].a] = in[r->pairs[i].b] = 1;
	}
	*n = 0;
	for (v = 0; v < r->n_variants; v++) {
		long root = uf_find(up, v);
		if (!in[v])
			continue;
		if (cid[root] < 0) {
			cl[*n] = (struct ranked_cluster){{0, 0, 0, v, 0, -INFINITY, 0}, *n};
			cid[root] = (*n)++;
		}
		struct xnr_dup_cluster *c = &cl[cid[root]].c;
		c->n_docs += var_count(r, v);
		c->n_variants++;
		if (!cross && var_count(r, v) >= 2 && c->best < 1)
			c->best = 1;
	}
	for (i = 0; i < r->n_pairs; i++) {
		struct xnr_dup_cluster *c = &cl[cid[uf_find(up, r->pairs[i].a)]].c;
		c->n_pairs++;
		c->best = r->pairs[i].score > c->best ? r->pairs[i].score : c->best;
		c->conflict |= r->pairs[i].conflict;
	}
}

/* Lay out r->clusters, r->variants and r->pairs in their orders. */
static int lay_out(struct xnr_dups *r, long *up, const long *cid, const char *in,
                   struct ranked_cluster *cl, long n_c, long *rank)
{
	struct ranked_variant *rv = malloc(sizeof *rv * (size_t)(r->n_variants + 1));
	struct ranked_pair *rp = malloc(sizeof *rp * (size_t)(r->n_pairs + 1));
	long i, k = 0, at_v = 0, at_p = 0;

	r->clusters = malloc(sizeof *r->clusters * (size_t)(n_c + 1));
	r->variants = malloc(sizeof *r->variants * (size_t)(r->n_variants + 1));
	if (!rv || !rp || !r->clusters || !r->variants) {
		free(rv);
		free(rp);
		return -1;
	}
	qsort(cl, (size_t)n_c, sizeof *cl, cluster_cmp);
	for (i = 0; i < n_c; i++)
		rank[cl[i].id] = i;
	for (i = 0; i < r->n_variants; i++)
		if (in[i])
			rv[k++] =
			    (struct ranked_variant){rank[cid[uf_find(up, i)]], i, r->var_side[i]};
	for (i = 0; i < r->n_pairs; i++)
		rp[i] = (struct ranked_pair){rank[cid[uf_find(up, r->pairs[i].a)]], r->pairs[i]};
	qsort(rv, (size_t)k, sizeof *rv, variant_cmp);
	qsort(rp, (size_t)r->n_pairs, sizeof *rp, pair_cmp);
	for (i = 0; i < k; i++)
		r->variants[i] = rv[i].v;
	for (i = 0; i < r->n_pairs; i++)
		r->pairs[i] = rp[i].p;
	for (i = 0; i < n_c; i++) {
		r->clusters[i] = cl[i].c;
		r->clusters[i].first_variant = at_v;
		r->clusters[i].first_pair = at_p;
		at_v += cl[i].c.n_variants;
		at_p += cl[i].c.n_pairs;
	}
	r->n_clusters = n_c;
	free(rv);
	free(rp);
	return 0;
}

static enum xnr_status group(struct xnr_dups *r, int cross, struct xnr_error *err)
{
	size_t nv = (size_t)r->n_variants + 1;
	long *up = malloc(sizeof *up * nv), *cid = malloc(sizeof *cid * nv);
	long *rank = malloc(sizeof *rank * nv), n_c = 0;
	char *in = malloc(nv);
	struct ranked_cluster *cl = malloc(sizeof *cl * nv);
	enum xnr_status st = XNR_OK;

	if (!up || !cid || !rank || !in || !cl) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
		goto fail;
	}
	components(r, cross, up, cid, in, cl, &n_c);
	if (lay_out(r, up, cid, in, cl, n_c, rank))
		st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
fail:
	free(up);
	free(cid);
	free(rank);
	free(in);
	free(cl);
	return st;
}

enum xnr_status xnr_dups_find(const struct xnr_dup_doc *docs, long n, const float *x, int d,
                              const struct xnr_dup_params *p, const struct xnr_ctl *ctl,
                              struct xnr_dups *out, struct xnr_error *err)
{
	struct xnr_dups r = {0};
	struct xnr__dup_sets sets = {0};
	struct xnr__dup_found f = {0};
	enum xnr_status st;

	if ((st = check(docs, n, x, d, p, out, err)) != XNR_OK)
		return st;
	xnr_ctl_progress(ctl, 0, "variants");
	if ((st = xnr__dup_variants(docs, n, p, &r, &sets, err)) != XNR_OK)
		goto fail;
	r.method = p->mode == XNR_DUP_VECTORS          ? -1
	           : p->method != XNR_DUP_AUTO         ? (int)p->method
	           : r.n_variants <= XNR_DUP_EXACT_MAX ? XNR_DUP_EXACT
	                                               : XNR_DUP_LSH;
	if (r.method == -1)
		st = vector_pairs(&r, &sets, x, d, p, ctl, &f, err);
	else if (r.method == XNR_DUP_EXACT)
		st = xnr__dup_exact(&sets, p->threshold, p->cross, ctl, &f, err);
	else
		st = xnr__dup_lsh(&sets, p->threshold, p->cross, p->seed, ctl, &f, err);
	if (st != XNR_OK)
		goto fail;
	r.pairs = f.v, r.n_pairs = f.n, r.n_candidates = f.n_candidates;
	f.v = NULL;
	xnr_ctl_progress(ctl, 1, "pairs");
	score_pairs(docs, x, d, p, &r);
	if ((st = group(&r, p->cross, err)) != XNR_OK)
		goto fail;
	*out = r;
	memset(&r, 0, sizeof r);
fail:
	free(f.v);
	xnr__dup_sets_free(&sets);
	xnr_dups_free(&r);
	return st;
}
