/*
 * dups.c - the Find Duplicates page: pairs of rows (sentence embeddings)
 * whose cosine similarity reaches a cutoff (ExplaiNER find_duplicates.py:
 * full N x N cosine matrix, pairs i < j with sim >= 0.95, first 100).
 *
 * Rows are normalised once (norms in double), then the upper triangle of
 * X X^T is computed one 2048 x 4096 tile at a time with xnr_gemm and
 * scanned; a bounded heap keeps the max_pairs best. Memory: one n x d copy,
 * one tile, the heap. Unlike the original we sort most similar first.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/internal.h"
#include "reduce/reduce.h"
#include "tensor/gemm.h"

/* Rows x columns of one similarity tile (32 MB): large, so that the ~n^2 / 2 / tile
 * GEMM calls stay few (each costs milliseconds of OpenMP start-up on busy cores). */
#define DUPS_TILE_ROWS 2048
#define DUPS_TILE_COLS 4096

/* The best max pairs seen so far; v[0] is the worst of them (a min-heap on `better`). */
struct pair_heap {
	struct xnr_pair *v;
	long n, cap, max;
};

/* Most similar first, then smaller i, then smaller j. */
static int better(const struct xnr_pair *a, const struct xnr_pair *b)
{
	if (a->sim != b->sim)
		return a->sim > b->sim;
	if (a->i != b->i)
		return a->i < b->i;
	return a->j < b->j;
}

static int pair_cmp(const void *pa, const void *pb)
{
	const struct xnr_pair *a = pa, *b = pb;
	return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

static void sift_down(struct pair_heap *h, long at)
{
	for (;;) {
		long l = 2 * at + 1, r = l + 1, worst = at;
		if (l < h->n && better(&h->v[worst], &h->v[l]))
			worst = l;
		if (r < h->n && better(&h->v[worst], &h->v[r]))
			worst = r;
		if (worst == at)
			return;
		struct xnr_pair t = h->v[at];
		h->v[at] = h->v[worst];
		h->v[worst] = t;
		at = worst;
	}
}

/* Offer a pair; returns -1 when growing the heap failed. */
static int heap_offer(struct pair_heap *h, struct xnr_pair p)
{
	if (h->n == h->max) {
		if (h->max > 0 && better(&p, &h->v[0])) {
			h->v[0] = p;
			sift_down(h, 0);
		}
		return 0;
	}
	if (h->n == h->cap) {
		long cap = h->cap ? h->cap * 2 : 256;
		if (cap > h->max)
			cap = h->max;
		struct xnr_pair *v = realloc(h->v, sizeof *v * (size_t)cap);
		if (!v)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	long at = h->n++;
	h->v[at] = p;
	while (at > 0 && better(&h->v[(at - 1) / 2], &h->v[at])) {
		long up = (at - 1) / 2;
		struct xnr_pair t = h->v[at];
		h->v[at] = h->v[up];
		h->v[up] = t;
		at = up;
	}
	return 0;
}

/* Unit rows of x into xn (zero rows stay zero, so their similarity is 0). */
static void normalise_rows(const float *x, long n, int d, float *xn)
{
	for (long i = 0; i < n; i++) {
		const float *r = x + i * d;
		double ss = 0.0;
		for (int c = 0; c < d; c++)
			ss += (double)r[c] * r[c];
		double inv = ss > 0 ? 1.0 / sqrt(ss) : 0.0;
		for (int c = 0; c < d; c++)
			xn[i * d + c] = (float)(r[c] * inv);
	}
}

/* Scan the ti x tj tile s of rows [i0, i0+ti) x [j0, j0+tj), pairs j > i only. */
static int scan_tile(const float *s, long i0, long ti, long j0, long tj, float threshold,
                     struct pair_heap *h, long *n_total)
{
	for (long r = 0; r < ti; r++) {
		long c0 = i0 + r + 1 - j0;
		for (long c = c0 > 0 ? c0 : 0; c < tj; c++) {
			float sim = s[r * tj + c];
			if (!(sim >= threshold))
				continue;
			/* f32 rounding can put a duplicate at 1 + 1e-7. */
			sim = sim > 1.0f ? 1.0f : sim < -1.0f ? -1.0f : sim;
			struct xnr_pair p = {i0 + r, j0 + c, sim};
			(*n_total)++;
			if (heap_offer(h, p))
				return -1;
		}
	}
	return 0;
}

/* Row blocks of DUPS_TILE_ROWS against the column blocks from their own first row on. */
static enum xnr_status all_tiles(const float *xn, long n, int d, float threshold,
                                 const struct xnr_ctl *ctl, float *s, struct pair_heap *h,
                                 long *n_total, struct xnr_error *err)
{
	double work = (double)n * (double)n / 2, done = 0;
	for (long i0 = 0; i0 < n - 1; i0 += DUPS_TILE_ROWS) {
		long ti = n - i0 < DUPS_TILE_ROWS ? n - i0 : DUPS_TILE_ROWS;
		for (long j0 = i0; j0 < n; j0 += DUPS_TILE_COLS) {
			if (xnr_ctl_cancelled(ctl))
				return xnr_fail(err, XNR_ERR_CANCELLED,
				                "xnr_cosine_pairs: cancelled");
			long tj = n - j0 < DUPS_TILE_COLS ? n - j0 : DUPS_TILE_COLS;
			enum xnr_status st = xnr_gemm(0, 1, (int)ti, (int)tj, d, 1.0f, xn + i0 * d,
			                              d, xn + j0 * d, d, 0.0f, s, (int)tj, err);
			if (st)
				return st;
			if (scan_tile(s, i0, ti, j0, tj, threshold, h, n_total))
				return xnr_fail(err, XNR_ERR_NOMEM,
				                "xnr_cosine_pairs: %ld pairs: out of memory", h->n);
			done += (double)ti * (double)tj;
			xnr_ctl_progress(ctl, done / work > 1 ? 1 : done / work, "duplicates");
		}
	}
	return XNR_OK;
}

static enum xnr_status dups_check(const float *x, long n, int d, float threshold, long max_pairs,
                                  struct xnr_pair *const *pairs, const long *n_pairs,
                                  const long *n_total, struct xnr_error *err)
{
	if (!x || !pairs || !n_pairs || !n_total)
		return xnr_fail(err, XNR_ERR_INPUT, "xnr_cosine_pairs: %s is NULL",
		                !x         ? "x"
		                : !pairs   ? "pairs"
		                : !n_pairs ? "n_pairs"
		                           : "n_total");
	if (n < 0 || n > INT_MAX || d < 1)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "xnr_cosine_pairs: n = %ld, d = %d (need 0 <= n <= %d, d >= 1)", n,
		                d, INT_MAX);
	if (!isfinite(threshold))
		return xnr_fail(err, XNR_ERR_INPUT, "xnr_cosine_pairs: threshold is not finite");
	if (max_pairs < 0)
		return xnr_fail(err, XNR_ERR_INPUT, "xnr_cosine_pairs: max_pairs = %ld (need >= 0)",
		                max_pairs);
	return xnr__check_finite(x, n * d, "xnr_cosine_pairs: x", err);
}

enum xnr_status xnr_cosine_pairs(const float *x, long n, int d, float threshold, long max_pairs,
                                 const struct xnr_ctl *ctl, struct xnr_pair **pairs, long *n_pairs,
                                 long *n_total, struct xnr_error *err)
{
	enum xnr_status st =
	    dups_check(x, n, d, threshold, max_pairs, pairs, n_pairs, n_total, err);
	if (st)
		return st;
	struct pair_heap h = {NULL, 0, 0, max_pairs};
	long total = 0, rows = n < DUPS_TILE_ROWS ? n : DUPS_TILE_ROWS;
	long cols = n < DUPS_TILE_COLS ? n : DUPS_TILE_COLS;
	float *xn = malloc(sizeof *xn * ((size_t)n * d + (size_t)rows * cols) + 1);
	if (!xn) {
		st =
		    xnr_fail(err, XNR_ERR_NOMEM, "xnr_cosine_pairs: %ld x %d: out of memory", n, d);
		goto fail;
	}
	normalise_rows(x, n, d, xn);
	if (n >= 2) {
		st = all_tiles(xn, n, d, threshold, ctl, xn + (size_t)n * d, &h, &total, err);
		if (st)
			goto fail;
	}
	if (h.n > 0)
		qsort(h.v, (size_t)h.n, sizeof *h.v, pair_cmp);
	else {
		free(h.v);
		h.v = NULL;
	}
	*pairs = h.v;
	*n_pairs = h.n;
	*n_total = total;
	h.v = NULL;
fail:
	free(h.v);
	free(xn);
	return st;
}
