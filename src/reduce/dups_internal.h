/*
 * dups_internal.h - what the near-duplicate search's files share (not part
 * of the public API, reduce/dups.h): the normalised corpus (dups_text.c),
 * the two candidate searches over its variants (dups_join.c: the exact
 * prefix-filtered index; dups_lsh.c: MinHash LSH) and their list of pairs.
 */
#ifndef XNR_REDUCE_DUPS_INTERNAL_H
#define XNR_REDUCE_DUPS_INTERNAL_H

#include <stdint.h>

#include "core/ctl.h"
#include "core/status.h"
#include "reduce/dups.h"

/* The variants' representatives as shingle sets: set v (a variant) is
 * sh[first[v] .. first[v + 1]), 64-bit hashes, ascending, distinct. */
struct xnr__dup_sets {
	long n;
	long *first; /* (n + 1) */
	uint64_t *sh;
	int *side; /* (n) */
};

/* Variant pairs (a < b) with their Jaccard, appended as found. */
struct xnr__dup_found {
	long n, cap;
	long n_candidates;
	struct xnr_dup_pair *v;
};

/* splitmix64's finaliser: a 64-bit mix with full avalanche (inline: MinHash
 * calls it for every shingle of every row of every band). */
static inline uint64_t xnr__dup_mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The normalised word's hash (ASCII case folded, digits as 0) into *h;
 * returns 1 when the word is punctuation only (no ASCII letter or digit, no
 * byte >= 0x80). */
int xnr__dup_word(const char *w, uint64_t *h);

/* The exact Jaccard of sets a and b (sorted, distinct). */
double xnr__dup_jaccard(const struct xnr__dup_sets *s, long a, long b);

/* Append (a, b, jaccard) with a < b; -1 when out of memory. */
int xnr__dup_found_add(struct xnr__dup_found *f, long a, long b, double jaccard);

/* Every pair of sets with Jaccard >= t (cross: only across sides), by the
 * exact prefix-filtered index / by MinHash LSH with seed. */
XNR_MUST_CHECK enum xnr_status xnr__dup_exact(const struct xnr__dup_sets *s, double t, int cross,
                                              const struct xnr_ctl *ctl, struct xnr__dup_found *out,
                                              struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr__dup_lsh(const struct xnr__dup_sets *s, double t, int cross,
                                            uint64_t seed, const struct xnr_ctl *ctl,
                                            struct xnr__dup_found *out, struct xnr_error *err);

/* The variants of docs (xnr_dups fields n_docs .. var_side) and their
 * shingle sets (word 1- to ngram-grams). */
XNR_MUST_CHECK enum xnr_status xnr__dup_variants(const struct xnr_dup_doc *docs, long n,
                                                 const struct xnr_dup_params *p, struct xnr_dups *r,
                                                 struct xnr__dup_sets *sets, struct xnr_error *err);
void xnr__dup_sets_free(struct xnr__dup_sets *s);

/* Nonzero when docs a and b have the same normalised words; the same gold
 * labels (of docs with as many words; both without gold labels: the same). */
int xnr__dup_same_text(const struct xnr_dup_doc *a, const struct xnr_dup_doc *b);
int xnr__dup_same_gold(const struct xnr_dup_doc *a, const struct xnr_dup_doc *b);

#endif
