/*
 * neighbours.h - exact cosine k-nearest neighbours of a set of queries in a
 * reference that arrives in blocks (a run's stored hidden states read from
 * the database a block at a time), for the label-issue scores of issue #9:
 * a word whose neighbours in hidden-state space carry another label.
 *
 * Memory is bounded by the queries, not the reference: the L2-normalised
 * queries, one normalised reference block, one similarity tile per thread
 * (a block of queries x a block of the reference, from a one-thread GEMM)
 * and a top-k heap per query; never the full similarity matrix. Results do
 * not depend on the thread count or the block sizes: ties are broken by the
 * smaller reference index.
 */
#ifndef XNR_REDUCE_NEIGHBOURS_H
#define XNR_REDUCE_NEIGHBOURS_H

#include <stdint.h>

#include "core/ctl.h"
#include "core/status.h"

/* One neighbour: its index in the reference (rows counted over every block
 * added, from 0) and its cosine similarity. */
struct xnr_nn_hit {
	int32_t idx;
	float sim;
};

struct xnr_nn;

/*
 * Start a search for the k nearest neighbours (1 <= k <= 256) of n_q queries
 * q [n_q, d] (copied and normalised; a zero vector has similarity 0 to
 * everything). group (n_q values, may be NULL) excludes pairs: a reference
 * row whose group equals the query's (>= 0) is never its neighbour (pass the
 * sentence ids of a split searched against itself). n_threads >= 1 compute
 * threads (a pool of its own; the GEMMs run one thread each).
 * Errors: XNR_ERR_INPUT (sizes out of range, a value that is not finite),
 * XNR_ERR_NOMEM, XNR_ERR_INTERNAL.
 */
XNR_MUST_CHECK enum xnr_status xnr_nn_open(const float *q, long n_q, int d, const int32_t *group,
                                           int k, int n_threads, struct xnr_nn **out,
                                           struct xnr_error *err);

/*
 * Offer the next n_r reference rows r [n_r, d] (borrowed for the call) with
 * their groups (NULL: no exclusion). ctl may be NULL; its cancel flag is
 * checked between tiles: XNR_ERR_CANCELLED. Errors as xnr_nn_open, and
 * XNR_ERR_LIMIT past 2^31 - 1 reference rows.
 */
XNR_MUST_CHECK enum xnr_status xnr_nn_add(struct xnr_nn *nn, const float *r, long n_r,
                                          const int32_t *group, const struct xnr_ctl *ctl,
                                          struct xnr_error *err);

/* The neighbours of query i (0 <= i < n_q) so far, most similar first
 * (ties: smaller index): *n of them, at most k (fewer when fewer rows were
 * eligible). The array belongs to nn and is valid until its next call.
 * After a failed xnr_nn_add the results are incomplete: only close it. */
const struct xnr_nn_hit *xnr_nn_get(struct xnr_nn *nn, long i, int *n);

void xnr_nn_close(struct xnr_nn *nn); /* NULL is fine */

#endif
