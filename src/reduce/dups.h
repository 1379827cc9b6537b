/*
 * dups.h - near-duplicate sentences for the Find Duplicates page: which
 * sentences of a run are (near) copies of each other, or of the sentences of
 * a second run (train vs test leakage), grouped into clusters, with the
 * pairs whose gold labels disagree ("same text, different labels": an
 * annotation inconsistency) first.
 *
 * Lexical mode (the default): a sentence is the set of its word 1- to
 * ngram-grams over normalised words (ASCII case folded, digits folded to 0,
 * punctuation-only words left out); pairs are those whose sets have a
 * Jaccard similarity of at least the threshold, found exactly by a
 * prefix-filtered inverted index (Bayardo et al., "Scaling up all pairs
 * similarity search", WWW 2007) or, above XNR_DUP_EXACT_MAX sentences, by
 * MinHash with LSH banding (Broder 1997; Leskovec et al., Mining of Massive
 * Datasets ch. 3): XNR_DUP_BANDS bands of XNR_DUP_ROWS rows, so a pair of
 * Jaccard s becomes a candidate with probability 1 - (1 - s^3)^40 (0.929
 * at 0.4, 0.995 at 0.5, 1 - 3e-13 at 0.8), and every candidate is checked
 * exactly. Vector mode: the cosine of sentence vectors (ExplaiNER's
 * find_duplicates) over every pair, as xnr_cosine_pairs.
 *
 * Sentences with the same normalised words, the same gold labels and the
 * same side are one *variant* (copies); the search runs over variants.
 * Pure computation (no database); thread safe, no global state.
 */
#ifndef XNR_REDUCE_DUPS_H
#define XNR_REDUCE_DUPS_H

#include <stdint.h>

#include "core/ctl.h"
#include "core/status.h"

#define XNR_DUP_BANDS     40
#define XNR_DUP_ROWS      3
#define XNR_DUP_EXACT_MAX 50000 /* AUTO: the exact index up to this many variants, LSH above */

/* One sentence, borrowed. gold holds label ids that mean the same label in
 * every doc of one search (callers map names to one table), or is NULL. */
struct xnr_dup_doc {
	const char *const *words;
	const int *gold;
	int n_words;
	int side; /* 0: the run; 1: the reference run (a cross search) */
};

enum xnr_dup_mode { XNR_DUP_LEXICAL, XNR_DUP_VECTORS };
enum xnr_dup_method { XNR_DUP_AUTO, XNR_DUP_EXACT, XNR_DUP_LSH };

struct xnr_dup_params {
	enum xnr_dup_mode mode;
	enum xnr_dup_method method; /* lexical mode only */
	int ngram;                  /* 1..3: word 1- to ngram-grams */
	double threshold;           /* lexical: Jaccard; vectors: cosine; in (0, 1] */
	uint64_t seed;              /* LSH hash functions */
	int keep_trivial;           /* 0: trivial sentences (xnr_dup_trivial) take no part */
	int cross;                  /* 1: only pairs of a side-0 and a side-1 doc */
};

/* LEXICAL, AUTO, ngram 2, threshold 0.5, seed 1, trivial left out, not cross. */
struct xnr_dup_params xnr_dup_default_params(void);

/* Nonzero when doc is a trivial line: fewer than two words with a letter
 * (one-word lines, numbers, punctuation, "-DOCSTART-", "LONDON 1996-08-30"),
 * or a dateline: at most five words without digits followed by a date
 * (digits in two or three groups joined by '-', '/' or '.', at least four
 * digits: "NEW YORK 1996-08-30"). A byte >= 0x80 counts as a letter. */
int xnr_dup_trivial(const struct xnr_dup_doc *doc);

/* Two variants found similar. */
struct xnr_dup_pair {
	long a, b;     /* variants, a < b */
	float jaccard; /* of the shingle sets */
	float cosine;  /* of the representatives' vectors; NaN without vectors */
	float score; /* lexical: (jaccard + cosine) / 2, jaccard without vectors; vectors: cosine */
	int same_text; /* the same normalised words */
	int conflict;  /* same_text and some gold labels differ */
};

/* A connected group of variants: pairs found, or one variant with copies. */
struct xnr_dup_cluster {
	long n_docs, n_variants, n_pairs;
	long first_variant; /* into xnr_dups.variants */
	long first_pair;    /* into xnr_dups.pairs */
	float best;         /* the best pair score; 1 for copies alone */
	int conflict;       /* some pair is a conflict */
};

/* A search's answer (xnr_dups_free). Variants are numbered in order of
 * their first doc; clusters come conflicts first, then by best score, more
 * docs, smaller first doc; a cluster's variants by side, then first doc, its
 * pairs conflicts first, then by score, then a, then b. */
struct xnr_dups {
	long n_docs, n_trivial; /* trivial: left out (0 with keep_trivial) */
	long n_variants;
	long *doc_variant; /* (n_docs) the doc's variant, -1 when left out */
	long *var_first;   /* (n_variants + 1) the variant's docs, ascending, are */
	long *var_docs;    /*   var_docs[var_first[v] .. var_first[v + 1]) */
	int *var_side;     /* (n_variants) */
	long n_pairs;
	struct xnr_dup_pair *pairs;
	long n_clusters;
	struct xnr_dup_cluster *clusters;
	long *variants;    /* the clusters' variants, cluster by cluster */
	int64_t total;     /* doc pairs: found variant pairs times their copies, plus copies */
	int method;        /* the one used: XNR_DUP_EXACT, XNR_DUP_LSH, or -1 (vector mode) */
	long n_candidates; /* pairs compared exactly */
};

/*
 * Find the near-duplicates among docs[n] (lexical, or vectors with x). x
 * [n, d] (row-major, may be NULL in lexical mode) gives each doc's vector:
 * a pair's cosine is its two representatives' (zero rows: 0). *out is
 * filled on success (xnr_dups_free it). ctl: progress ("variants",
 * "index", "lsh", "pairs") and cancel.
 * Errors: XNR_ERR_INPUT (NULL docs or words, n < 0, a parameter out of
 * range, vector mode without x, a NaN in x), XNR_ERR_NOMEM,
 * XNR_ERR_CANCELLED.
 */
XNR_MUST_CHECK enum xnr_status xnr_dups_find(const struct xnr_dup_doc *docs, long n, const float *x,
                                             int d, const struct xnr_dup_params *p,
                                             const struct xnr_ctl *ctl, struct xnr_dups *out,
                                             struct xnr_error *err);
void xnr_dups_free(struct xnr_dups *r); /* the arrays; NULL is fine */

/*
 * Where the gold labels of a and b disagree: their words aligned by a
 * longest common subsequence of normalised words (one to one when they have
 * the same normalised words; above 2^20 word pairs, the common prefix and
 * suffix only), and the aligned words whose labels differ. Writes at most
 * cap (index in a, index in b) pairs to pos[2 * cap]; returns how many
 * there are (-1 when out of memory). Thread safe.
 */
int xnr_dup_label_diff(const struct xnr_dup_doc *a, const struct xnr_dup_doc *b, int *pos, int cap);

#endif
