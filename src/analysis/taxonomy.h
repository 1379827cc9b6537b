/*
 * taxonomy.h - the entity error taxonomy: every gold and predicted entity
 * (seqeval default-mode spans) classified as correct, wrong type, wrong
 * boundary, wrong type and boundary, missed or spurious, per entity type.
 *
 * Matching, per sentence, one to one: first every prediction takes an
 * unmatched gold entity with the same boundaries, then each remaining
 * prediction takes the first unmatched gold entity it overlaps. Pairs are
 * counted under the gold type; spurious predictions under their own type.
 */
#ifndef XNR_ANALYSIS_TAXONOMY_H
#define XNR_ANALYSIS_TAXONOMY_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/entities.h"
#include "core/status.h"

enum xnr_err_kind {
	XNR_ERRK_CORRECT,
	XNR_ERRK_TYPE,          /* same boundaries, other type */
	XNR_ERRK_BOUNDARY,      /* overlap, same type, other boundaries */
	XNR_ERRK_TYPE_BOUNDARY, /* overlap, other type and boundaries */
	XNR_ERRK_MISSED,        /* gold entity nothing overlaps */
	XNR_ERRK_SPURIOUS,      /* prediction overlapping no free gold entity */
	XNR_ERRK_COUNT
};

const char *xnr_err_kind_str(enum xnr_err_kind kind); /* "correct", "wrong type", ... */

struct xnr_taxonomy {
	size_t n_types;
	int64_t (*counts)[XNR_ERRK_COUNT]; /* (n_types) by type id */
	int64_t total[XNR_ERRK_COUNT];
};

/* Classify gold against pred (both sorted by sentence, as extracted), with
 * type ids below n_types. Errors: XNR_ERR_NOMEM, XNR_ERR_INPUT (a type id
 * out of range). */
XNR_MUST_CHECK enum xnr_status xnr_taxonomy_compute(const struct xnr_entities *gold,
                                                    const struct xnr_entities *pred, size_t n_types,
                                                    struct xnr_taxonomy *out,
                                                    struct xnr_error *err);
void xnr_taxonomy_free(struct xnr_taxonomy *t);

/* The matching alone, for listing the entities of a kind: match[i] (pred->n
 * of them) = the index in gold->v of the gold entity prediction i is paired
 * with, -1 for a spurious one; a gold entity no prediction names is missed.
 * Errors: XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_taxonomy_match(const struct xnr_entities *gold,
                                                  const struct xnr_entities *pred, long *match,
                                                  struct xnr_error *err);
/* The kind of a gold entity and the prediction paired with it. */
enum xnr_err_kind xnr_taxonomy_kind(const struct xnr_entity *g, const struct xnr_entity *p);

#endif
