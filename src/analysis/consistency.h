/*
 * consistency.h - how consistently a surface string is labelled: for every
 * word of a split, the labels the same word carries elsewhere in the split
 * and in a reference split (case-sensitive, and with ASCII letters folded),
 * and for every gold entity string (ExplainaBoard's eCon: the string found
 * as a token sequence anywhere, an occurrence that is no gold span counting
 * as O, or as "part of an entity" when it overlaps one), the labels of its
 * other occurrences. "U.N." ORG 41 / LOC 3 is such a count; a word labelled
 * against most of its other occurrences is a label-issue suspect.
 * See shared/reference/ner-analysis.md section 2.6 for eCon.
 */
#ifndef XNR_ANALYSIS_CONSISTENCY_H
#define XNR_ANALYSIS_CONSISTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* A gold entity: words [start, end) of sentence sent, of type 1..n_types. */
struct xnr_cons_span {
	int32_t sent, start, end, type;
};

/* One side (the split, or the reference): its words and gold labels, all
 * borrowed. Spans must not overlap (seqeval's default-mode spans do not). */
struct xnr_cons_corpus {
	size_t n_sents;
	const size_t *sent_start; /* (n_sents + 1) first word of each sentence, then n_words */
	const char *const *text;  /* (n_words) NUL-terminated words */
	const int32_t *cls;       /* (n_words) the gold label's class: 0 O, 1..n_types */
	const struct xnr_cons_span *spans; /* (n_spans) gold entities */
	size_t n_spans;
};

/* Classes of a count: 0 O, 1..n_types the entity types, and n_types + 1
 * "part of an entity" (an entity string's occurrence overlapping gold words
 * without being a gold span of its own). n_classes = n_types + 2. */
#define XNR_CONS_PART(n_types) ((n_types) + 1)

/* The four counts kept per item, each over n_classes: the other
 * occurrences in the split and in the reference, exact and folded (folded
 * counts include the exact ones). */
enum {
	XNR_CONS_SPLIT,
	XNR_CONS_REF,
	XNR_CONS_SPLIT_FOLDED,
	XNR_CONS_REF_FOLDED,
	XNR_CONS_N_COUNTS
};

/* An entity-string occurrence in the split: a gold span, or a multi-word
 * entity string (gold somewhere in split or reference) found where it is
 * no gold span. */
struct xnr_cons_occ {
	int32_t sent, start, end;
	int32_t cls; /* its own class, as counted */
};

struct xnr_cons_params {
	int n_types;          /* entity types, 1..1000 */
	double fold_weight;   /* weight of the other-case occurrences in the score (0.5) */
	double inside_weight; /* inside a multi-word entity: weight of an occurrence inside
	                         an entity against one as O (20) */
	int max_len;          /* longest entity string searched, in words (16) */
};

struct xnr_cons_params xnr_cons_default_params(int n_types);

struct xnr_cons_result {
	int n_classes;
	size_t n_words;
	double *word_score;   /* (n_words) 0 (consistent) .. < 1; NaN: seen nowhere else */
	int32_t *word_counts; /* (n_words, XNR_CONS_N_COUNTS, n_classes) */
	size_t n_occ;
	struct xnr_cons_occ *occ;
	double *occ_score;   /* (n_occ), as word_score */
	int32_t *occ_counts; /* (n_occ, XNR_CONS_N_COUNTS, n_classes) */
};

/*
 * Count, for every word and entity-string occurrence of split, the classes
 * of its other occurrences in split and ref (ref may be NULL: no
 * reference). The score of an item of class c with e other exact
 * occurrences, s_e of them of class c, and f other occurrences in another
 * case only (s_f of class c) is
 *     ((e - s_e) + w (f - s_f)) / (e + w f + 1),   w = fold_weight:
 * the share of other occurrences that disagree, shrunk towards 0 when there
 * are few; NaN (no evidence) when there are none. A word inside a gold
 * entity of two or more words is mostly judged by its entity string: the
 * first and last word's own score, o / (o + inside_weight * i + 1) over
 * its o other occurrences as O and i inside entities, is high only for a
 * word that is hardly ever inside an entity ("said" in "Lindqvist said";
 * not "England" in "Bank of England"); a word between them has none (NaN):
 * boundary errors are at the edges, and "of" or "the" inside a name say
 * nothing about it. *out is filled (release with xnr_cons_result_free).
 * Errors: XNR_ERR_INPUT (a class or span out of range), XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_cons_count(const struct xnr_cons_corpus *split,
                                              const struct xnr_cons_corpus *ref,
                                              const struct xnr_cons_params *p,
                                              struct xnr_cons_result *out, struct xnr_error *err);
void xnr_cons_result_free(struct xnr_cons_result *r); /* a zeroed struct is fine */

#endif
