/*
 * umap_internal.h - what the UMAP files (umap.c, umap_layout.c, knn.c) share:
 * the exact k-nearest-neighbour search and the layout stages of umap-learn.
 * Not part of the reduce module's API.
 */
#ifndef XNR_REDUCE_UMAP_INTERNAL_H
#define XNR_REDUCE_UMAP_INTERNAL_H

#include <stdint.h>

#include "reduce/umap.h"

/* One neighbour: distance first so lists sort by (dist, index). */
struct xnr__umap_nb {
	float dist;
	int idx;
};

/*
 * Exact kNN of every row of x [n, d] (2 <= k <= n): out [n, k], each row's
 * own index first (distance 0), then the k - 1 nearest other rows by
 * ascending (distance, index). Euclidean candidates come from GEMM tiles
 * (|a|^2 + |b|^2 - 2ab), the other metrics from plain tiles; the kept k
 * distances are recomputed exactly in double. Rows are split over n_threads
 * pool threads in fixed blocks, so the result does not depend on n_threads.
 * Errors: XNR_ERR_NOMEM, XNR_ERR_INTERNAL, XNR_ERR_CANCELLED.
 */
XNR_MUST_CHECK enum xnr_status xnr__umap_knn(const float *x, long n, int d, int k,
                                             enum xnr_metric metric, double p, int n_threads,
                                             const struct xnr_ctl *ctl, struct xnr__umap_nb *out,
                                             struct xnr_error *err);

/* The distance of two rows of length d under metric (p for Minkowski), in double. */
double xnr__umap_dist(const float *a, const float *b, int d, enum xnr_metric metric, double p);

/* The symmetric fuzzy graph as a sorted edge list (CSR order: head ascending,
 * then tail), both directions of every edge present. */
struct xnr__umap_graph {
	long n;
	long n_edges;
	int *head;   /* [n_edges] */
	int *tail;   /* [n_edges] */
	float *w;    /* [n_edges] membership in (0, 1] */
	long *start; /* [n + 1] first edge of each head */
};

void xnr__umap_graph_free(struct xnr__umap_graph *g);

/* Tausworthe generator of umap-learn (tau_rand_int), seeded from a 64-bit seed. */
struct xnr__umap_rng {
	uint32_t s[3];
};

void xnr__umap_rng_seed(struct xnr__umap_rng *r, uint64_t seed);
uint32_t xnr__umap_rng_next(struct xnr__umap_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double xnr__umap_rng_unit(struct xnr__umap_rng *r);

/*
 * Spectral initial layout (umap-learn spectral_layout): the eigenvectors of the
 * 2nd and 3rd smallest eigenvalues of the normalised Laplacian
 * L = I - D^-1/2 W D^-1/2, found as the largest of D^-1/2 W D^-1/2 with the
 * known top one (D^1/2 1) projected out, by restarted Lanczos with full
 * reorthogonalisation. y [n, 2]. Returns 0 when it converged, 1 when the graph
 * is disconnected, has under 5 vertices or Lanczos did not converge (y
 * untouched), -1 when out of memory.
 */
int xnr__umap_spectral(const struct xnr__umap_graph *g, const struct xnr_ctl *ctl, float *y);

/*
 * umap-learn spectral_layout, multi_component_layout included, y [n, 2] (not
 * yet scaled to [0, 10]). One connected component: xnr__umap_spectral. More:
 * each component gets a meta position (+-unit vectors for up to 4 components;
 * up to 1024, the spectral embedding of the component centroids of x [n, d]
 * under metric with affinity exp(-(dist / mean dist)^2), scaled to max 1;
 * beyond, a unit grid), then its own spectral layout scaled to max |.| =
 * half the distance to the nearest other meta position (uniform in that
 * range from rng for components under 4 vertices or when Lanczos fails).
 * Returns 0 (y set), 1 (connected but no spectral layout: y untouched, use a
 * random layout), -1 (out of memory).
 */
int xnr__umap_init(const struct xnr__umap_graph *g, const float *x, int d, enum xnr_metric metric,
                   double p, struct xnr__umap_rng *rng, const struct xnr_ctl *ctl, float *y);

/* optimize_layout_euclidean over n_epochs, y [n, 2] in place. Errors:
 * XNR_ERR_NOMEM, XNR_ERR_CANCELLED (checked every epoch). */
XNR_MUST_CHECK enum xnr_status xnr__umap_sgd(const struct xnr__umap_graph *g, double a, double b,
                                             int n_epochs, struct xnr__umap_rng *rng,
                                             const struct xnr_ctl *ctl, float *y,
                                             struct xnr_error *err);

#endif
