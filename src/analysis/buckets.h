/*
 * buckets.h - ExplainaBoard's NER attributes and its bucketing (Fu et al.
 * 2020; neulab/ExplainaBoard processors/named_entity_recognition.py and
 * analysis/bucketing.py; shared/reference/ner-analysis.md 2.6): the cases
 * of a split (one per distinct span among its gold and predicted entities),
 * each case's attributes against a reference split (the training data, or
 * the split itself), and bucket edges from the values (equal-frequency
 * "continuous", top-k "discrete") or from the user ("fixed").
 *
 * Strings are compared as ExplainaBoard keys them, with one documented
 * difference: lower-casing (entity frequency, label consistency) and the
 * capitalisation classes look at ASCII letters only.
 */
#ifndef XNR_ANALYSIS_BUCKETS_H
#define XNR_ANALYSIS_BUCKETS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/consistency.h"
#include "core/status.h"

/* A case's attributes, in this order (xnr_bucket_attr_names). */
enum xnr_bucket_attr {
	XNR_BATTR_SPAN_LEN,   /* span_length: words of the span */
	XNR_BATTR_SENT_LEN,   /* sentence_length: words of its sentence */
	XNR_BATTR_DENSITY,    /* entity_density: gold entity words / words of its sentence */
	XNR_BATTR_OOV,        /* oov_rate: its sentence's words absent from the reference
	                         (case-sensitive) / its words */
	XNR_BATTR_TOKEN_RANK, /* token_frequency_rank: mean over its sentence's words of the
	                         reference's dense frequency rank (most frequent count: 1;
	                         unseen: the reference's distinct words) */
	XNR_BATTR_EFRE,       /* entity_frequency: gold spans of the reference with its
	                         lower-cased text */
	XNR_BATTR_ECON,       /* label_consistency: the share of the reference's occurrences
	                         of its lower-cased text that carry its gold type (O: no gold
	                         span there); 0 for a text no reference entity has */
	XNR_BATTR_CAPS,       /* capitalisation: XNR_BCAPS_* of its words joined by spaces */
	XNR_BATTR_POSITION,   /* relative_position: its first word / words of its sentence */
	XNR_BATTR_DOCUMENT,   /* document: its sentence's document id */
	XNR_BATTR_COUNT
};

/* "span_length", ... in enum order, NULL-terminated. */
extern const char *const xnr_bucket_attr_names[];
/* 1 for the attributes bucketed by value (capitalisation, document). */
int xnr_bucket_attr_discrete(enum xnr_bucket_attr a);

/* Capitalisation classes (ExplainaBoard's cap_feature): all letters lower
 * (or none), all upper, first character upper, anything else. */
enum { XNR_BCAPS_LOW, XNR_BCAPS_FULL, XNR_BCAPS_FIRST, XNR_BCAPS_NOT_FIRST, XNR_BCAPS_COUNT };
extern const char *const xnr_bucket_caps_names[]; /* "low_caps", "full_caps", ... */

/* A split (or a reference): words and entities, all borrowed. Entities are
 * sorted by sentence, then start (seqeval's order) and typed 1..n_types. */
struct xnr_bucket_corpus {
	size_t n_sents;
	const size_t *sent_start; /* (n_sents + 1) */
	const char *const *text;  /* (n_words) */
	const int32_t *doc;       /* (n_sents) document ids; NULL: all 0 */
	const struct xnr_cons_span *gold, *pred;
	size_t n_gold, n_pred; /* a reference needs no predictions */
};

/* One case: a span and its gold and predicted type (0: none). */
struct xnr_bucket_case {
	int32_t sent, start, end;
	int32_t gold, pred;
};

/* The cases of c, by sentence, start, end: *out (n of them; free()) is
 * NULL when there are none. Errors: XNR_ERR_INPUT (entities out of order
 * or range), XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_bucket_cases(const struct xnr_bucket_corpus *c,
                                                struct xnr_bucket_case **out, size_t *n,
                                                struct xnr_error *err);

/* The reference's statistics: its vocabulary and frequency ranks, its gold
 * entity strings' counts and label counts. Immutable once built. */
struct xnr_bucket_ref;

/* Build from ref's words and gold entities (types 1..n_types). About 100 ms
 * for CoNLL-2003 train. Errors: XNR_ERR_INPUT (a span out of range),
 * XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_bucket_ref_build(const struct xnr_bucket_corpus *ref,
                                                    int n_types, struct xnr_bucket_ref **out,
                                                    struct xnr_error *err);
void xnr_bucket_ref_free(struct xnr_bucket_ref *r); /* NULL is fine */

/* Every attribute of n cases of c against ref into values, laid out
 * (XNR_BATTR_COUNT, n). Errors: XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_bucket_features(const struct xnr_bucket_corpus *c,
                                                   const struct xnr_bucket_case *cases, size_t n,
                                                   const struct xnr_bucket_ref *ref, double *values,
                                                   struct xnr_error *err);

/* ---- bucketing ---- */

#define XNR_BUCKET_MAX 32

enum xnr_bucket_kind { XNR_BUCKET_CONTINUOUS, XNR_BUCKET_DISCRETE, XNR_BUCKET_FIXED };

/* Continuous and fixed buckets hold lo <= x <= hi (fixed: lo < x <= hi; the
 * first is open below, the last above: -/+HUGE_VAL); discrete ones x == lo. */
struct xnr_bucketing {
	enum xnr_bucket_kind kind;
	int n;
	double lo[XNR_BUCKET_MAX], hi[XNR_BUCKET_MAX];
	int64_t count[XNR_BUCKET_MAX]; /* values of the bucketed sample in each */
};

/*
 * Bucket n values into at most k (1 .. XNR_BUCKET_MAX) buckets:
 * continuous as ExplainaBoard's `continuous` (sort; walking up, a value
 * that differs from the last one starts a new bucket once the index has
 * reached the cutoff, n / k at first, then i + (n - i) / (k - buckets made);
 * the k-th bucket, or the one the largest value reaches, takes the rest),
 * discrete as its `discrete` (one bucket per value, the k largest, ties in
 * order of first appearance). n may be 0 (no bucket). Errors:
 * XNR_ERR_INPUT (k out of range), XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_bucket_continuous(const double *v, size_t n, int k,
                                                     struct xnr_bucketing *out,
                                                     struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_bucket_discrete(const double *v, size_t n, int k,
                                                   struct xnr_bucketing *out,
                                                   struct xnr_error *err);

/* Fixed buckets from n_edges ascending upper edges: (-inf, e1], (e1, e2],
 * ..., (e_last, +inf). Errors: XNR_ERR_INPUT (not ascending, too many). */
XNR_MUST_CHECK enum xnr_status xnr_bucket_fixed(const double *edges, int n_edges,
                                                struct xnr_bucketing *out, struct xnr_error *err);

/* The bucket of x: discrete, the one equal to it, else -1; otherwise the
 * first whose upper edge is x or above, the last when x is above every
 * edge (another run's value beyond the sample's range), -1 with no bucket
 * or for NaN. */
int xnr_bucket_of(const struct xnr_bucketing *b, double x);

#endif
