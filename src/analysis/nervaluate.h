/*
 * nervaluate.h - the nervaluate (MantisAI/nervaluate 1.x) evaluation: every
 * predicted and gold entity falls in one of COR, INC, PAR, MIS, SPU under
 * each of four schemes (strict, exact, partial, ent_type), matched greedily
 * one-to-one per document (strategies.py), overall and per entity type.
 * Overall P/R are computed once from counts summed over documents with the
 * scheme's formula; `compat_1_1` instead reproduces nervaluate 1.1.0, whose
 * result merging drops the 0.5·PAR credit when there are 2+ documents.
 * See shared/reference/ner-analysis.md section 2.4.
 */
#ifndef XNR_ANALYSIS_NERVALUATE_H
#define XNR_ANALYSIS_NERVALUATE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/entities.h"
#include "analysis/tagset.h"
#include "core/status.h"

enum xnr_nerval_scheme {
	XNR_NERVAL_STRICT,   /* exact boundaries and type */
	XNR_NERVAL_EXACT,    /* exact boundaries, type ignored */
	XNR_NERVAL_PARTIAL,  /* overlap, type ignored; PAR counts half */
	XNR_NERVAL_ENT_TYPE, /* overlap and type */
	XNR_NERVAL_N_SCHEMES
};

struct xnr_nerval_counts {
	int64_t correct, incorrect, partial, missed, spurious;
	int64_t possible, actual; /* COR+INC+PAR+MIS, COR+INC+PAR+SPU */
	double precision, recall, f1;
};

struct xnr_nerval_params {
	double min_overlap_percent; /* 1..100 of the gold span; 1.0 = nervaluate's default */
	int compat_1_1;             /* 1: overall P/R of 2+ documents as nervaluate 1.1.0 */
	const uint32_t *types;      /* types evaluated (nervaluate's `tags`); NULL = all seen */
	size_t n_types;
};

struct xnr_nerval_params xnr_nerval_default_params(void);

struct xnr_nerval_type_result {
	uint32_t type;
	const char *name; /* borrowed from the tag set */
	struct xnr_nerval_counts by_scheme[XNR_NERVAL_N_SCHEMES];
};

struct xnr_nerval_result {
	struct xnr_nerval_counts overall[XNR_NERVAL_N_SCHEMES];
	size_t n_types;
	struct xnr_nerval_type_result *types; /* (n_types) in params order, or by name */
};

const char *xnr_nerval_scheme_name(enum xnr_nerval_scheme scheme); /* "strict", ... */

/*
 * Entities of one side of a corpus as nervaluate's ListLoader reads BIO tags:
 * 'O' closes; B-X or a type change opens; an I-X with nothing open opens too.
 * Types are the tags' type_nerval. Errors: XNR_ERR_INPUT when an entity
 * would open on a tag that does not start with "B-" or "I-" (nervaluate
 * raises), naming side/sentence/word; XNR_ERR_NOMEM. *out as in
 * xnr_entities_extract.
 */
XNR_MUST_CHECK enum xnr_status xnr_nerval_entities_from_bio(const struct xnr_tagged_corpus *c,
                                                            const int32_t *ids, const char *side,
                                                            struct xnr_entities *out,
                                                            struct xnr_error *err);

/*
 * Evaluate pred against gold over n_docs documents (an entity's `sent` is
 * its document; both lists grouped by document in increasing order, each
 * document's entities in nervaluate's list order). ts names the types.
 * *out is filled on success (xnr_nerval_result_free releases it).
 * Errors: XNR_ERR_INPUT (min_overlap outside 1..100, a document index
 * >= n_docs or out of order, a type not in ts), XNR_ERR_NOMEM. Reentrant.
 */
XNR_MUST_CHECK enum xnr_status
xnr_nerval_evaluate(const struct xnr_entities *gold, const struct xnr_entities *pred, size_t n_docs,
                    const struct xnr_tagset *ts, const struct xnr_nerval_params *params,
                    struct xnr_nerval_result *out, struct xnr_error *err);

void xnr_nerval_result_free(struct xnr_nerval_result *r);

/*
 * Results of a corpus seen in pieces (a run's sentences chunk by chunk):
 * documents are scored alone, so the counts of the pieces add up.
 * xnr_nerval_result_add adds piece's counts into *sum (zeroed at first),
 * its types merged by type id; xnr_nerval_result_finish then orders the
 * types by name and computes the scores of the counts as xnr_nerval_evaluate
 * does over the n_docs documents of all the pieces, with params (whose
 * types must be NULL: all seen). Equal to xnr_nerval_evaluate over the
 * pieces joined. Errors: XNR_ERR_NOMEM (add), XNR_ERR_INPUT (finish: params
 * with types).
 */
XNR_MUST_CHECK enum xnr_status xnr_nerval_result_add(struct xnr_nerval_result *sum,
                                                     const struct xnr_nerval_result *piece,
                                                     struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_nerval_result_finish(struct xnr_nerval_result *r,
                                                        const struct xnr_nerval_params *params,
                                                        size_t n_docs, struct xnr_error *err);

#endif
