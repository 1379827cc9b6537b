/*
 * leakage.h - what a split shares with a reference split (the training
 * data): its sentences found there (exactly, or after lower-casing and
 * folding digits), its gold entities seen there with the same or another
 * type, and entity F1 over entities seen and unseen in the reference
 * (ExplainaBoard's span_efre bucket 0: a span whose lower-cased text is no
 * gold span of the reference). See shared/reference/ner-analysis.md 2.6.
 */
#ifndef XNR_ANALYSIS_LEAKAGE_H
#define XNR_ANALYSIS_LEAKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/consistency.h"
#include "core/status.h"

/* A split's words with its gold and predicted entities (types 1..n_types;
 * the reference needs no predictions), all borrowed. */
struct xnr_leak_side {
	size_t n_sents;
	const size_t *sent_start; /* (n_sents + 1) */
	const char *const *text;  /* (n_words) */
	const struct xnr_cons_span *gold, *pred;
	size_t n_gold, n_pred;
};

/* Precision, recall and F1 of entities (NaN where undefined, as 0 / 0). */
struct xnr_leak_prf {
	int64_t tp, n_gold, n_pred;
	double precision, recall, f1;
};

enum { XNR_LEAK_NONE, XNR_LEAK_EXACT, XNR_LEAK_NEAR };

struct xnr_leak_report {
	size_t n_sents;
	int8_t *sent_match;     /* (n_sents) XNR_LEAK_*: NEAR when only the folded text matches */
	int32_t *sent_ref;      /* (n_sents) the first reference sentence it matches, -1 */
	size_t n_exact, n_near; /* sentences matching exactly; only after folding */
	size_t n_entities;      /* gold entities of the split */
	size_t n_seen_same, n_seen_other, n_unseen; /* ... their text a reference entity of the
	                                               same type, of other types only, none */
	int8_t *entity_seen; /* (n_gold) 0 unseen, 1 same type, 2 other types only */
	struct xnr_leak_prf seen, unseen, all; /* spans bucketed by their text's reference count */
};

/*
 * Compare split with ref. Texts of sentences are their words joined by
 * spaces; entity texts are lower-cased (ASCII) and space-joined, as
 * ExplainaBoard keys them. *out is filled (xnr_leak_report_free).
 * Errors: XNR_ERR_INPUT (a span out of range), XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_leak_compare(const struct xnr_leak_side *split,
                                                const struct xnr_leak_side *ref, int n_types,
                                                struct xnr_leak_report *out, struct xnr_error *err);
void xnr_leak_report_free(struct xnr_leak_report *r); /* a zeroed struct is fine */

#endif
