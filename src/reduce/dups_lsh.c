/*
 * dups_lsh.c - candidate pairs of shingle sets by MinHash and LSH banding
 * (Broder, "On the resemblance and containment of documents", 1997;
 * Leskovec, Rajaraman and Ullman, Mining of Massive Datasets, ch. 3.4):
 * XNR_DUP_BANDS bands of XNR_DUP_ROWS min-hashes; two sets whose min-hashes
 * agree on every row of some band are a candidate, and every candidate is
 * checked with its exact Jaccard, so the answer is a subset of the exact
 * one (a pair of Jaccard s is missed with probability (1 - s^r)^b). The
 * hash functions are x -> mix(x ^ k_i) with k_i drawn from the seed: the
 * same seed gives the same pairs. Signatures are never stored: one band's
 * keys at a time (n x 16 bytes), plus the candidates seen.
 */
#include <stdlib.h>
#include <string.h>

#include "reduce/dups_internal.h"

struct band_key {
	uint64_t key;
	long set;
};

static int band_cmp(const void *pa, const void *pb)
{
	const struct band_key *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->set > b->set) - (a->set < b->set);
}

/* The pairs already compared: open addressing on (a, b) + 1, never 0. */
struct seen {
	uint64_t *v;
	long n, cap;
};

/* 1 when (a, b) is new (and now recorded), 0 when seen, -1 out of memory. */
static int seen_add(struct seen *s, long a, long b)
{
	uint64_t key = ((uint64_t)a << 32 | (uint64_t)b) + 1;

	if (2 * (s->n + 1) > s->cap) {
		long cap = s->cap ? s->cap * 2 : 4096;
		uint64_t *v = calloc((size_t)cap, sizeof *v);
		if (!v)
			return -1;
		for (long i = 0; i < s->cap; i++)
			if (s->v[i]) {
				long at = (long)(xnr__dup_mix(s->v[i]) & (uint64_t)(cap - 1));
				while (v[at])
					at = (at + 1) & (cap - 1);
				v[at] = s->v[i];
			}
		free(s->v);
		s->v = v;
		s->cap = cap;
	}
	long at = (long)(xnr__dup_mix(key) & (uint64_t)(s->cap - 1));
	while (s->v[at]) {
		if (s->v[at] == key)
			return 0;
		at = (at + 1) & (s->cap - 1);
	}
	s->v[at] = key;
	s->n++;
	return 1;
}

/* The key of set v in the band whose row hash keys are k[XNR_DUP_ROWS]. */
static uint64_t band_of(const struct xnr__dup_sets *s, long v, const uint64_t *k)
{
	uint64_t min[XNR_DUP_ROWS], key = 0x2545f4914f6cdd1dull;
	int r;

	for (r = 0; r < XNR_DUP_ROWS; r++)
		min[r] = UINT64_MAX;
	for (long i = s->first[v]; i < s->first[v + 1]; i++)
		for (r = 0; r < XNR_DUP_ROWS; r++) {
			uint64_t h = xnr__dup_mix(s->sh[i] ^ k[r]);
			if (h < min[r])
				min[r] = h;
		}
	for (r = 0; r < XNR_DUP_ROWS; r++)
		key = xnr__dup_mix(key ^ min[r]);
	return key;
}

/* Compare every new pair within the runs of equal keys of bk[n]. */
static int band_pairs(const struct xnr__dup_sets *s, const struct band_key *bk, long n, double t,
                      int cross, struct seen *seen, struct xnr__dup_found *out)
{
	for (long lo = 0, hi; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && bk[hi].key == bk[lo].key; hi++)
			;
		for (long i = lo; i < hi; i++)
			for (long j = i + 1; j < hi; j++) {
				long a = bk[i].set, b = bk[j].set;
				long na = s->first[a + 1] - s->first[a],
				     nb = s->first[b + 1] - s->first[b];
				if ((cross && s->side[a] == s->side[b]) ||
				    (double)(na < nb ? na : nb) <
				        t * (double)(na < nb ? nb : na) - 1e-9)
					continue; /* Jaccard <= |small| / |large| < t */
				int fresh = seen_add(seen, a, b);
				if (fresh < 0)
					return -1;
				if (!fresh)
					continue;
				out->n_candidates++;
				double jac = xnr__dup_jaccard(s, a, b);
				if (jac >= t - 1e-9 && xnr__dup_found_add(out, a, b, jac))
					return -1;
			}
	}
	return 0;
}

enum xnr_status xnr__dup_lsh(const struct xnr__dup_sets *s, double t, int cross, uint64_t seed,
                             const struct xnr_ctl *ctl, struct xnr__dup_found *out,
                             struct xnr_error *err)
{
	struct band_key *bk = malloc(sizeof *bk * (size_t)(s->n + 1));
	struct seen seen = {0};
	enum xnr_status st = XNR_OK;
	uint64_t k[XNR_DUP_ROWS];

	if (!bk) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: %ld sets: out of memory", s->n);
		goto fail;
	}
	for (int band = 0; band < XNR_DUP_BANDS; band++) {
		xnr_ctl_progress(ctl, (double)band / XNR_DUP_BANDS, "lsh");
		if (xnr_ctl_cancelled(ctl)) {
			st = xnr_fail(err, XNR_ERR_CANCELLED, "duplicates: cancelled");
			goto fail;
		}
		for (int r = 0; r < XNR_DUP_ROWS; r++)
			k[r] = xnr__dup_mix(
			    seed ^ xnr__dup_mix((uint64_t)band * XNR_DUP_ROWS + (uint64_t)r + 1));
		for (long v = 0; v < s->n; v++)
			bk[v] = (struct band_key){band_of(s, v, k), v};
		qsort(bk, (size_t)s->n, sizeof *bk, band_cmp);
		if (band_pairs(s, bk, s->n, t, cross, &seen, out)) {
			st = xnr_fail(err, XNR_ERR_NOMEM,
			              "duplicates: %ld candidates: out of memory", seen.n);
			goto fail;
		}
	}
fail:
	free(seen.v);
	free(bk);
	return st;
}
