/*
 * pool.h - the one compute pool (ggml style): a fixed set of worker threads
 * that all run the same function with their index ith of nth, and the caller
 * waits until every worker returns. The caller's thread is worker 0.
 *
 * A pool is used by one caller at a time; make one pool per concurrent user.
 * It must not be nested with a multithreaded BLAS call (see tensor/gemm.h).
 */
#ifndef XNR_CORE_POOL_H
#define XNR_CORE_POOL_H

#include "core/status.h"

struct xnr_pool;

typedef void (*xnr_pool_fn)(void *ctx, int ith, int nth);

/* Start n_threads - 1 workers (n_threads >= 1). Errors: XNR_ERR_NOMEM, XNR_ERR_INTERNAL. */
XNR_MUST_CHECK enum xnr_status xnr_pool_open(int n_threads, struct xnr_pool **out,
                                             struct xnr_error *err);
void xnr_pool_close(struct xnr_pool *pool);
int xnr_pool_n_threads(const struct xnr_pool *pool);

/* Run fn(ctx, ith, nth) for ith in [0, nth) and return when all are done.
 * pool may be NULL: fn then runs once with ith = 0, nth = 1. */
void xnr_pool_run(struct xnr_pool *pool, xnr_pool_fn fn, void *ctx);

/* Split n items evenly: the half-open range [*begin, *end) of part ith of nth. */
void xnr_split_range(long n, int ith, int nth, long *begin, long *end);

#endif
