/*
 * umap.h - UMAP (umap-learn 0.5, umap/umap_.py + layouts.py + spectral.py) for
 * ExplaiNER's Hidden States page: token hidden states [n, d] embedded in 2-D,
 * and sklearn.manifold.trustworthiness to tell how well an embedding keeps
 * neighbourhoods (UMAP against PCA).
 *
 * Differences from umap-learn, on purpose: the kNN is always exact (umap-learn
 * uses NN-descent from n = 4096 on); the RNG is a seeded per-run Tausworthe
 * generator so one seed gives one layout; a disconnected graph gets
 * multi_component_layout, but the component centroids' affinity is
 * exp(-(dist / mean dist)^2) instead of exp(-dist^2) (raw hidden-state
 * distances of 5 and more make that a numerically disconnected graph) and
 * beyond 1024 components the meta positions are a grid (umap-learn solves
 * the dense centroid eigenproblem for any count).
 */
#ifndef XNR_REDUCE_UMAP_H
#define XNR_REDUCE_UMAP_H

#include <stdint.h>

#include "core/ctl.h"
#include "core/status.h"

enum xnr_metric {
	XNR_METRIC_EUCLIDEAN,
	XNR_METRIC_MANHATTAN,
	XNR_METRIC_CHEBYSHEV,
	XNR_METRIC_MINKOWSKI, /* (sum |a_i - b_i|^p)^(1/p), p = minkowski_p */
	XNR_METRIC_COUNT
};

struct xnr_umap_params {
	int n_neighbors; /* 2..200, clamped to n when n is smaller */
	double min_dist; /* in [0, spread] */
	double spread;   /* > 0 */
	enum xnr_metric metric;
	double minkowski_p; /* >= 1, used by XNR_METRIC_MINKOWSKI only */
	int n_epochs;       /* 0: 500 if n <= 10000 else 200; else 1..10000 */
	uint64_t seed;
	int n_threads; /* kNN threads (1..256); the SGD runs on one thread so a
	                * seed gives one layout */
};

/* umap-learn's defaults: 15 neighbours, min_dist 0.1, spread 1, euclidean,
 * p = 2, default epochs, seed 42, one thread. */
struct xnr_umap_params xnr_umap_default_params(void);

/* umap-learn's find_ab_params: the a, b of 1 / (1 + a x^(2b)) fitted by least
 * squares to the min_dist / spread curve (a = 1.5769, b = 0.8951 for 0.1 / 1).
 * Errors: XNR_ERR_INPUT (spread <= 0, min_dist outside [0, spread]). */
XNR_MUST_CHECK enum xnr_status xnr_umap_find_ab(double min_dist, double spread, double *a,
                                                double *b, struct xnr_error *err);

/*
 * Embed x [n, d] (row-major f32, finite) into y [n, 2] (caller-allocated,
 * written only on success). n >= 2; n <= n_neighbors is fine (k is clamped
 * to n). p NULL: the defaults. The same x, params and seed give bit-identical
 * y whatever n_threads is. ctl (may be NULL) gets progress ("neighbours",
 * "graph", "init", "epochs") and is polled for cancel during the kNN and once
 * per epoch. Errors: XNR_ERR_INPUT (bad params or non-finite input, message
 * names the field), XNR_ERR_LIMIT (n or d too large for int indices),
 * XNR_ERR_NOMEM, XNR_ERR_CANCELLED, XNR_ERR_INTERNAL (GEMM backend).
 * Thread safe: distinct calls share nothing (kNN GEMMs use the BLAS threads,
 * see tensor/gemm.h: do not call from inside a compute pool worker).
 */
XNR_MUST_CHECK enum xnr_status xnr_umap(const float *x, long n, int d,
                                        const struct xnr_umap_params *p, const struct xnr_ctl *ctl,
                                        float *y, struct xnr_error *err);

/*
 * sklearn.manifold.trustworthiness(x, y, n_neighbors=k), euclidean, exact:
 * 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in kNN_y(i)} max(0, r(i, j) - k),
 * r(i, j) the rank of j among i's neighbours in x (ties broken by index).
 * x [n, d], y [n, dy]; needs 1 <= k < n / 2. O(n^2 (d + log n)) time,
 * O(n) memory per row. Errors: XNR_ERR_INPUT, XNR_ERR_NOMEM. Reentrant.
 */
XNR_MUST_CHECK enum xnr_status xnr_trustworthiness(const float *x, long n, int d, const float *y,
                                                   int dy, int k, double *out,
                                                   struct xnr_error *err);

#endif
