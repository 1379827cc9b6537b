/*
 * umap_layout.c - UMAP's layout stages (umap-learn 0.5): the Tausworthe RNG
 * (utils.tau_rand_int), the spectral initial layout (spectral.spectral_layout)
 * and the SGD epochs (layouts.optimize_layout_euclidean, move_other, gamma 1,
 * 5 negative samples per positive one, gradients clipped to +-4).
 *
 * The spectral layout needs the 2nd and 3rd smallest eigenvectors of the
 * normalised Laplacian. umap-learn asks ARPACK (eigsh, which='SM'); here a
 * thick-restart Lanczos (Krylov-Schur for a symmetric operator, full
 * reorthogonalisation) finds the largest eigenvalues of
 * M = D^-1/2 W D^-1/2 = I - L with its known top eigenvector D^1/2 1
 * projected out. Everything is single-threaded so a seed gives one layout.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/internal.h"
#include "reduce/umap_internal.h"

enum { LANCZOS_MAX_DIM = 96, LANCZOS_MAX_RESTARTS = 60 };
#define LANCZOS_TOL 1e-5

void xnr__umap_rng_seed(struct xnr__umap_rng *r, uint64_t seed)
{
	/* splitmix64 spreads any seed (0 included) over the three states; the
	 * Tausworthe components need s0 > 1, s1 > 7, s2 > 15. */
	static const uint32_t floor_at[3] = {2, 8, 16};
	for (int i = 0; i < 3; i++) {
		seed += 0x9e3779b97f4a7c15ULL;
		uint64_t z = seed;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		r->s[i] = (uint32_t)z < floor_at[i] ? (uint32_t)z + floor_at[i] : (uint32_t)z;
	}
}

uint32_t xnr__umap_rng_next(struct xnr__umap_rng *r)
{
	r->s[0] = ((r->s[0] & 4294967294u) << 12) ^ (((r->s[0] << 13) ^ r->s[0]) >> 19);
	r->s[1] = ((r->s[1] & 4294967288u) << 4) ^ (((r->s[1] << 2) ^ r->s[1]) >> 25);
	r->s[2] = ((r->s[2] & 4294967280u) << 17) ^ (((r->s[2] << 3) ^ r->s[2]) >> 11);
	return r->s[0] ^ r->s[1] ^ r->s[2];
}

double xnr__umap_rng_unit(struct xnr__umap_rng *r)
{
	uint32_t hi = xnr__umap_rng_next(r) >> 5, lo = xnr__umap_rng_next(r) >> 6;
	return ((double)hi * 67108864.0 + (double)lo) / 9007199254740992.0;
}

/* Connected components by union-find: label[i] in 0..nc-1, numbered in the
 * order of each component's lowest vertex (scipy's connected_components
 * numbering). Returns nc. Every parent is <= its child, so one ascending pass
 * resolves the roots and a second one numbers them, in place. */
static long components(const struct xnr__umap_graph *g, int *label)
{
	long nc = 0;
	for (long i = 0; i < g->n; i++)
		label[i] = (int)i;
	for (long e = 0; e < g->n_edges; e++) {
		int a = g->head[e], b = g->tail[e];
		while (label[a] != a)
			a = label[a] = label[label[a]];
		while (label[b] != b)
			b = label[b] = label[label[b]];
		if (a != b)
			label[a > b ? a : b] = a < b ? a : b;
	}
	for (long i = 0; i < g->n; i++)
		label[i] = label[label[i]];
	for (long i = 0; i < g->n; i++) {
		int root = label[i];
		label[i] = root == i ? (int)nc++ : label[root];
	}
	return nc;
}

struct lanczos {
	const struct xnr__umap_graph *g;
	long n;
	int m;         /* basis size (smaller when an invariant subspace shows up) */
	int ld;        /* row stride of h: the basis size asked for */
	double *isd;   /* [n] 1 / sqrt(degree) */
	double *u0;    /* [n] the known top eigenvector, unit norm */
	double *v;     /* [m + 1, n] basis */
	double *h;     /* [m + 1, m] projected operator */
	double *z;     /* [m, m] eigenvectors of h (columns) */
	double *theta; /* [m] eigenvalues of h, descending */
	double *tmp;   /* [n] */
};

static double dot(const double *a, const double *b, long n)
{
	double s = 0.0;
	for (long i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/* out = M in with the u0 direction removed. */
static void op_apply(const struct lanczos *L, const double *in, double *out)
{
	const struct xnr__umap_graph *g = L->g;
	for (long i = 0; i < L->n; i++) {
		double s = 0.0;
		for (long e = g->start[i]; e < g->start[i + 1]; e++)
			s += g->w[e] * L->isd[g->tail[e]] * in[g->tail[e]];
		out[i] = s * L->isd[i];
	}
	double c = dot(L->u0, out, L->n);
	for (long i = 0; i < L->n; i++)
		out[i] -= c * L->u0[i];
}

/* Orthogonalise w against u0 and v[0..j] twice (classical Gram-Schmidt),
 * adding the coefficients to hcol[0..j]; returns |w| and normalises w. */
static double orthonormalise(const struct lanczos *L, int j, double *w, double *hcol)
{
	long n = L->n;
	for (int pass = 0; pass < 2; pass++) {
		double c = dot(L->u0, w, n);
		for (long i = 0; i < n; i++)
			w[i] -= c * L->u0[i];
		for (int l = 0; l <= j; l++) {
			const double *vl = L->v + (long)l * n;
			double cl = dot(vl, w, n);
			if (hcol)
				hcol[l] += cl;
			for (long i = 0; i < n; i++)
				w[i] -= cl * vl[i];
		}
	}
	double nrm = sqrt(dot(w, w, n));
	for (long i = 0; nrm > 0.0 && i < n; i++)
		w[i] /= nrm;
	return nrm;
}

/* Cyclic Jacobi on the symmetric a [m, m] (destroyed): eigenvalues into
 * theta, eigenvectors into the columns of z, both sorted by descending value. */
static void jacobi_eigen(double *a, int m, double *theta, double *z)
{
	memset(z, 0, (size_t)m * m * sizeof *z);
	for (int i = 0; i < m; i++)
		z[i * m + i] = 1.0;
	for (int sweep = 0; sweep < 60; sweep++) {
		double off = 0.0;
		for (int p = 0; p < m; p++)
			for (int q = p + 1; q < m; q++)
				off += a[p * m + q] * a[p * m + q];
		if (off < 1e-30)
			break;
		for (int p = 0; p < m; p++)
			for (int q = p + 1; q < m; q++) {
				double apq = a[p * m + q];
				if (fabs(apq) < 1e-300)
					continue;
				double tau = (a[q * m + q] - a[p * m + p]) / (2.0 * apq);
				double t =
				    (tau >= 0 ? 1.0 : -1.0) / (fabs(tau) + sqrt(1.0 + tau * tau));
				double c = 1.0 / sqrt(1.0 + t * t), s = t * c;
				for (int r = 0; r < m; r++) {
					double arp = a[r * m + p], arq = a[r * m + q];
					a[r * m + p] = c * arp - s * arq;
					a[r * m + q] = s * arp + c * arq;
				}
				for (int r = 0; r < m; r++) {
					double apr = a[p * m + r], aqr = a[q * m + r];
					a[p * m + r] = c * apr - s * aqr;
					a[q * m + r] = s * apr + c * aqr;
					double zrp = z[r * m + p], zrq = z[r * m + q];
					z[r * m + p] = c * zrp - s * zrq;
					z[r * m + q] = s * zrp + c * zrq;
				}
			}
	}
	for (int i = 0; i < m; i++)
		theta[i] = a[i * m + i];
	for (int i = 0; i < m; i++) { /* selection sort, descending, columns follow */
		int best = i;
		for (int j = i + 1; j < m; j++)
			best = theta[j] > theta[best] ? j : best;
		double t = theta[i];
		theta[i] = theta[best];
		theta[best] = t;
		for (int r = 0; r < m; r++) {
			double zt = z[r * m + i];
			z[r * m + i] = z[r * m + best];
			z[r * m + best] = zt;
		}
	}
}

/* Extend the basis from column j0 to m (Arnoldi with full reorthogonalisation;
 * h is symmetric in exact arithmetic). Returns the last residual norm. */
static double lanczos_extend(struct lanczos *L, int j0)
{
	long n = L->n;
	int ld = L->ld;
	double beta = 0.0;
	for (int j = j0; j < ld; j++) {
		double *w = L->v + (long)(j + 1) * n, hcol[LANCZOS_MAX_DIM + 1] = {0};
		op_apply(L, L->v + (long)j * n, w);
		beta = orthonormalise(L, j, w, hcol);
		for (int l = 0; l <= j; l++)
			L->h[l * ld + j] = hcol[l];
		L->h[(j + 1) * ld + j] = beta;
		if (beta < 1e-12) {
			L->m = j + 1;
			return 0.0;
		}
	}
	L->m = ld;
	return beta;
}

/* Ritz vectors v[0..m) z[:, 0..p) into the first p rows of v (thick restart),
 * through tmp one coordinate at a time. */
static void ritz_vectors(struct lanczos *L, int p)
{
	long n = L->n;
	int m = L->m;
	double row[LANCZOS_MAX_DIM];
	for (long i = 0; i < n; i++) {
		for (int c = 0; c < p; c++) {
			double s = 0.0;
			for (int l = 0; l < m; l++)
				s += L->v[(long)l * n + i] * L->z[l * m + c];
			row[c] = s;
		}
		for (int c = 0; c < p; c++)
			L->v[(long)c * n + i] = row[c];
	}
}

/* Thick-restart iterations; 0 when the top two Ritz pairs converged. */
static int lanczos_run(struct lanczos *L, const struct xnr_ctl *ctl)
{
	int ld = L->ld, p = ld / 2 > 2 ? ld / 2 : 2, j0 = 0;
	double *a = L->tmp + L->n;
	for (int restart = 0; restart < LANCZOS_MAX_RESTARTS; restart++) {
		if (xnr_ctl_cancelled(ctl))
			return 1;
		double beta = lanczos_extend(L, j0);
		int m = L->m;
		if (m < 2)
			return 1;
		for (int r = 0; r < m; r++)
			for (int c = 0; c < m; c++)
				a[r * m + c] = 0.5 * (L->h[r * ld + c] + L->h[c * ld + r]);
		jacobi_eigen(a, m, L->theta, L->z);
		double res0 = fabs(beta * L->z[(m - 1) * m]),
		       res1 = fabs(beta * L->z[(m - 1) * m + 1]);
		ritz_vectors(L, p < m ? p : m);
		if (res0 < LANCZOS_TOL && res1 < LANCZOS_TOL)
			return 0;
		memcpy(L->v + (long)p * L->n, L->v + (long)m * L->n, (size_t)L->n * sizeof *L->v);
		memset(L->h, 0, (size_t)(ld + 1) * ld * sizeof *L->h);
		for (int i = 0; i < p; i++) {
			L->h[i * ld + i] = L->theta[i];
			L->h[p * ld + i] = beta * L->z[(m - 1) * m + i];
		}
		j0 = p;
		xnr_ctl_progress(ctl, (double)(restart + 1) / LANCZOS_MAX_RESTARTS, "init");
	}
	return 1;
}

static int lanczos_setup(struct lanczos *L)
{
	const struct xnr__umap_graph *g = L->g;
	long n = L->n;
	double norm = 0.0;
	for (long i = 0; i < n; i++) {
		double deg = 0.0;
		for (long e = g->start[i]; e < g->start[i + 1]; e++)
			deg += g->w[e];
		L->isd[i] = 1.0 / sqrt(deg);
		L->u0[i] = sqrt(deg);
		norm += deg;
	}
	for (long i = 0; i < n; i++)
		L->u0[i] /= sqrt(norm);
	/* umap-learn starts from ones, which is u0 itself on a regular graph: a
	 * fixed pseudo-random start instead. */
	for (long i = 0; i < n; i++) {
		uint64_t h = ((uint64_t)i + 1) * 0x9e3779b97f4a7c15ULL;
		L->v[i] = (double)(h >> 11) / 9007199254740992.0 - 0.5;
	}
	return orthonormalise(L, -1, L->v, NULL) > 0.0 ? 0 : 1;
}

int xnr__umap_spectral(const struct xnr__umap_graph *g, const struct xnr_ctl *ctl, float *y)
{
	long n = g->n;
	int m = n - 1 < LANCZOS_MAX_DIM ? (int)(n - 1) : LANCZOS_MAX_DIM, r = 1;
	if (m < 4)
		return 1;
	struct lanczos L = {.g = g, .n = n, .m = m, .ld = m};
	L.isd = malloc((size_t)n * sizeof *L.isd);
	L.u0 = malloc((size_t)n * sizeof *L.u0);
	L.v = malloc((size_t)(m + 1) * (size_t)n * sizeof *L.v);
	L.h = calloc((size_t)(m + 1) * m, sizeof *L.h);
	L.z = malloc((size_t)m * m * sizeof *L.z);
	L.theta = malloc((size_t)m * sizeof *L.theta);
	L.tmp = malloc(((size_t)n + (size_t)m * m) * sizeof *L.tmp);
	if (!L.isd || !L.u0 || !L.v || !L.h || !L.z || !L.theta || !L.tmp) {
		r = -1;
		goto fail;
	}
	if (components(g, (int *)(void *)L.tmp) > 1 || lanczos_setup(&L) || lanczos_run(&L, ctl))
		goto fail;
	for (int c = 0; c < 2; c++) {
		const double *vc = L.v + (long)c * n;
		long arg = 0;
		for (long i = 1; i < n; i++)
			arg = fabs(vc[i]) > fabs(vc[arg]) ? i : arg;
		double sign = vc[arg] < 0.0 ? -1.0 : 1.0;
		for (long i = 0; i < n; i++)
			y[2 * i + c] = (float)(sign * vc[i]);
	}
	r = 0;
fail:
	free(L.isd);
	free(L.u0);
	free(L.v);
	free(L.h);
	free(L.z);
	free(L.theta);
	free(L.tmp);
	return r;
}

/*
 * multi_component_layout (umap-learn spectral.py) for a disconnected graph:
 * every component gets a "meta" position, then its own spectral layout scaled
 * to half the distance from its meta position to the nearest other one.
 */
enum { META_MAX = 1024 }; /* dense centroid eigenproblem up to this many components */

struct multi {
	const struct xnr__umap_graph *g;
	long nc;
	int *label;   /* [n] component of each vertex */
	int *order;   /* [n] vertices grouped by component, ascending inside one */
	int *local;   /* [n] index of each vertex inside its component */
	long *off;    /* [nc + 1] first entry of each component in order */
	double *meta; /* [nc, 2] meta positions */
};

/* Counting sort of the vertices by component. */
static void group_components(struct multi *m)
{
	long n = m->g->n;
	memset(m->off, 0, ((size_t)m->nc + 1) * sizeof *m->off);
	for (long i = 0; i < n; i++)
		m->off[m->label[i] + 1]++;
	for (long c = 0; c < m->nc; c++)
		m->off[c + 1] += m->off[c];
	for (long i = 0; i < n; i++) /* off[c] is c's fill cursor here */
		m->order[m->off[m->label[i]]++] = (int)i;
	for (long c = m->nc; c > 0; c--) /* off[c] now holds the end of c: shift back */
		m->off[c] = m->off[c - 1];
	m->off[0] = 0;
	for (long c = 0; c < m->nc; c++)
		for (long t = m->off[c]; t < m->off[c + 1]; t++)
			m->local[m->order[t]] = (int)(t - m->off[c]);
}

/* Centroid of every component into cen [nc, d] (f32, summed in double). */
static void centroids(const struct multi *m, const float *x, int d, double *acc, float *cen)
{
	for (long c = 0; c < m->nc; c++) {
		memset(acc, 0, (size_t)d * sizeof *acc);
		for (long t = m->off[c]; t < m->off[c + 1]; t++)
			for (int j = 0; j < d; j++)
				acc[j] += x[(long)m->order[t] * d + j];
		for (int j = 0; j < d; j++)
			cen[c * d + j] = (float)(acc[j] / (double)(m->off[c + 1] - m->off[c]));
	}
}

/* a [nc, nc] = D^-1/2 A D^-1/2 for the affinity A = exp(-(dist / mean dist)^2)
 * of the centroids (zero diagonal), sqrt(degree) into sd. 1 if a degree
 * underflowed. */
static int centroid_affinity(const float *cen, long nc, int d, enum xnr_metric metric, double p,
                             double *a, double *sd)
{
	double mean = 0.0;
	for (long i = 0; i < nc; i++) {
		a[i * nc + i] = 0.0;
		for (long j = i + 1; j < nc; j++) {
			a[i * nc + j] = a[j * nc + i] =
			    xnr__umap_dist(cen + i * d, cen + j * d, d, metric, p);
			mean += a[i * nc + j];
		}
	}
	mean /= 0.5 * (double)nc * (double)(nc - 1);
	mean = mean > 0.0 ? mean : 1.0;
	for (long i = 0; i < nc; i++) {
		sd[i] = 0.0;
		for (long j = 0; j < nc; j++) {
			double r = a[i * nc + j] / mean;
			a[i * nc + j] = i == j ? 0.0 : exp(-r * r);
			sd[i] += a[i * nc + j];
		}
		if (!(sd[i] > 1e-300))
			return 1;
		sd[i] = sqrt(sd[i]);
	}
	for (long i = 0; i < nc; i++)
		for (long j = 0; j < nc; j++)
			a[i * nc + j] /= sd[i] * sd[j];
	return 0;
}

/* umap-learn component_layout: sklearn SpectralEmbedding of the centroid
 * affinity (eigenvectors 2 and 3 of the normalised Laplacian divided by
 * sqrt(degree), largest |entry| made positive), all divided by the largest
 * entry. 0 on success, 1 when it cannot be had, -1 out of memory. */
static int centroid_layout(const struct multi *m, const float *x, int d, enum xnr_metric metric,
                           double p, double *meta)
{
	long nc = m->nc;
	float *cen = malloc((size_t)nc * (size_t)d * sizeof *cen);
	double *acc = malloc((size_t)d * sizeof *acc), *a = malloc((size_t)(nc * nc) * sizeof *a);
	double *sd = malloc((size_t)nc * sizeof *sd), *w = malloc((size_t)nc * sizeof *w);
	double *work = malloc((size_t)nc * sizeof *work), top = 0.0;
	int r = -1;
	if (!cen || !acc || !a || !sd || !w || !work)
		goto fail;
	centroids(m, x, d, acc, cen);
	r = 1;
	if (centroid_affinity(cen, nc, d, metric, p, a, sd) || xnr__sym_eig(a, (int)nc, w, work))
		goto fail;
	for (int k = 0; k < 2; k++) {
		const double *v = a + (long)(k + 1) * nc; /* row 0 is sqrt(degree) itself */
		long arg = 0;
		for (long c = 0; c < nc; c++) {
			meta[2 * c + k] = v[c] / sd[c];
			arg = fabs(meta[2 * c + k]) > fabs(meta[2 * arg + k]) ? c : arg;
		}
		double sign = meta[2 * arg + k] < 0.0 ? -1.0 : 1.0;
		for (long c = 0; c < nc; c++) {
			meta[2 * c + k] *= sign;
			top = meta[2 * c + k] > top ? meta[2 * c + k] : top;
		}
	}
	for (long c = 0; top > 0.0 && c < 2 * nc; c++)
		meta[c] /= top;
	r = top > 0.0 ? 0 : 1;
fail:
	free(cen);
	free(acc);
	free(a);
	free(sd);
	free(w);
	free(work);
	return r;
}

/* Meta positions: umap-learn's fixed +-unit-vector placement for up to
 * 2 * dim = 4 components, the centroid spectral embedding above up to
 * META_MAX, else (or when that fails) a square grid of unit spacing in
 * component order. -1 when out of memory. */
static int meta_layout(const struct multi *m, const float *x, int d, enum xnr_metric metric,
                       double p)
{
	long nc = m->nc, half = (nc + 1) / 2;
	if (nc <= 4) {
		for (long c = 0; c < nc; c++) {
			long axis = c % half;
			m->meta[2 * c] = axis == 0 ? (c < half ? 1.0 : -1.0) : 0.0;
			m->meta[2 * c + 1] = axis == 1 ? (c < half ? 1.0 : -1.0) : 0.0;
		}
		return 0;
	}
	int r = nc <= META_MAX ? centroid_layout(m, x, d, metric, p, m->meta) : 1;
	if (r <= 0)
		return r;
	long side = (long)ceil(sqrt((double)nc));
	for (long c = 0; c < nc; c++) {
		long row = c / side;
		m->meta[2 * c] = (double)(c % side);
		m->meta[2 * c + 1] = (double)row;
	}
	return 0;
}

/* umap-learn's data_range: half the distance from c's meta position to the
 * nearest distinct other one (1 if there is none). O(nc) per component, so
 * the grid (nc > META_MAX) uses its known spacing instead. */
static double data_range(const struct multi *m, long c)
{
	if (m->nc > META_MAX)
		return 0.5;
	double best = INFINITY;
	for (long o = 0; o < m->nc; o++) {
		double dx = m->meta[2 * o] - m->meta[2 * c],
		       dy = m->meta[2 * o + 1] - m->meta[2 * c + 1];
		double dd = sqrt(dx * dx + dy * dy);
		best = dd > 0.0 && dd < best ? dd : best;
	}
	return isinf(best) ? 1.0 : best / 2.0;
}

/* Component c's subgraph, renumbered (CSR order kept: local indices grow
 * with the global ones), into sub (allocated for the largest component). */
static void subgraph(const struct multi *m, long c, struct xnr__umap_graph *sub)
{
	const struct xnr__umap_graph *g = m->g;
	long b = m->off[c], out = 0;
	sub->n = m->off[c + 1] - b;
	for (long t = 0; t < sub->n; t++) {
		int v = m->order[b + t];
		sub->start[t] = out;
		for (long e = g->start[v]; e < g->start[v + 1]; e++) {
			sub->head[out] = (int)t;
			sub->tail[out] = m->local[g->tail[e]];
			sub->w[out++] = g->w[e];
		}
	}
	sub->start[sub->n] = out;
	sub->n_edges = out;
}

/* Component c into y: its spectral layout scaled to max |.| = data_range
 * around its meta position, or uniform in +-data_range around it when it has
 * fewer than 2 * dim = 4 vertices or the eigensolver fails. */
static int place_component(const struct multi *m, long c, struct xnr__umap_graph *sub, float *ys,
                           struct xnr__umap_rng *rng, const struct xnr_ctl *ctl, float *y)
{
	long b = m->off[c], size = m->off[c + 1] - b;
	double range = data_range(m, c), amax = 0.0;
	const double *mc = m->meta + 2 * c;
	int r = 1;
	if (size >= 4) {
		subgraph(m, c, sub);
		if ((r = xnr__umap_spectral(sub, ctl, ys)) < 0)
			return -1;
	}
	for (long t = 0; r == 0 && t < 2 * size; t++)
		amax = fabs(ys[t]) > amax ? fabs(ys[t]) : amax;
	double expansion = amax > 0.0 ? range / amax : 0.0;
	for (long t = 0; t < size; t++) {
		float *yv = y + 2L * m->order[b + t];
		for (int k = 0; k < 2; k++)
			yv[k] =
			    (float)(r == 0 ? ys[2 * t + k] * expansion + mc[k]
			                   : mc[k] - range + 2.0 * range * xnr__umap_rng_unit(rng));
	}
	return 0;
}

/* Scratch for the largest component's subgraph. */
static int alloc_sub(const struct multi *m, struct xnr__umap_graph *sub, float **ys)
{
	long nmax = 0, emax = 0;
	for (long c = 0; c < m->nc; c++) {
		long edges = 0;
		for (long t = m->off[c]; t < m->off[c + 1]; t++)
			edges += m->g->start[m->order[t] + 1] - m->g->start[m->order[t]];
		nmax = m->off[c + 1] - m->off[c] > nmax ? m->off[c + 1] - m->off[c] : nmax;
		emax = edges > emax ? edges : emax;
	}
	emax = emax > 0 ? emax : 1;
	sub->head = malloc((size_t)emax * sizeof *sub->head);
	sub->tail = malloc((size_t)emax * sizeof *sub->tail);
	sub->w = malloc((size_t)emax * sizeof *sub->w);
	sub->start = malloc(((size_t)nmax + 1) * sizeof *sub->start);
	*ys = malloc((size_t)nmax * 2 * sizeof **ys);
	return sub->head && sub->tail && sub->w && sub->start && *ys ? 0 : -1;
}

static int multi_component_layout(struct multi *m, const float *x, int d, enum xnr_metric metric,
                                  double p, struct xnr__umap_rng *rng, const struct xnr_ctl *ctl,
                                  float *y)
{
	struct xnr__umap_graph sub = {0};
	float *ys = NULL;
	int r = -1;
	m->order = malloc((size_t)m->g->n * sizeof *m->order);
	m->local = malloc((size_t)m->g->n * sizeof *m->local);
	m->off = malloc(((size_t)m->nc + 1) * sizeof *m->off);
	m->meta = malloc((size_t)m->nc * 2 * sizeof *m->meta);
	if (!m->order || !m->local || !m->off || !m->meta)
		goto fail;
	group_components(m);
	if (meta_layout(m, x, d, metric, p) < 0 || alloc_sub(m, &sub, &ys) < 0)
		goto fail;
	for (long c = 0; c < m->nc; c++)
		if (place_component(m, c, &sub, ys, rng, ctl, y) < 0)
			goto fail;
	r = 0;
fail:
	xnr__umap_graph_free(&sub);
	free(ys);
	free(m->order);
	free(m->local);
	free(m->off);
	free(m->meta);
	return r;
}

int xnr__umap_init(const struct xnr__umap_graph *g, const float *x, int d, enum xnr_metric metric,
                   double p, struct xnr__umap_rng *rng, const struct xnr_ctl *ctl, float *y)
{
	struct multi m = {.g = g};
	m.label = malloc((size_t)g->n * sizeof *m.label);
	if (!m.label)
		return -1;
	m.nc = components(g, m.label);
	int r = m.nc > 1 ? multi_component_layout(&m, x, d, metric, p, rng, ctl, y)
	                 : xnr__umap_spectral(g, ctl, y);
	free(m.label);
	return r;
}

static double clip4(double v)
{
	return v > 4.0 ? 4.0 : v < -4.0 ? -4.0 : v;
}

/* x % d for 32-bit x and a fixed d > 0 without a division (Lemire, Kaser and
 * Kurz, "Faster remainder by direct computation", 2019): m = 2^64 / d + 1
 * precomputed, x % d = high 64 bits of ((m * x) mod 2^64) * d, exact for
 * every 32-bit x and d. Same values as %, so the same layout. */
static uint64_t fastmod_m(uint32_t d)
{
	return UINT64_MAX / d + 1;
}

static uint32_t fastmod(uint32_t x, uint64_t m, uint32_t d)
{
	uint64_t low = m * x;
	return (uint32_t)(((low >> 32) * d + (((low & 0xffffffffu) * d) >> 32)) >> 32);
}

/* The per-edge schedule of optimize_layout_euclidean: epochs per positive
 * and per negative sample, and the epoch of the next of each. */
struct sgd_sched {
	double *eps, *eps_neg, *next, *next_neg;
};

/* One epoch of optimize_layout_euclidean_single_epoch; d^2b in single
 * precision (powf is several times faster than pow and the layout is f32). */
static void sgd_epoch(const struct xnr__umap_graph *g, double a, double b, int epoch, double alpha,
                      const struct sgd_sched *sch, struct xnr__umap_rng *rng, float *y)
{
	uint32_t n = (uint32_t)g->n;
	uint64_t mod_m = fastmod_m(n);
	double *next = sch->next, *next_neg = sch->next_neg;
	for (long e = 0; e < g->n_edges; e++) {
		if (next[e] > epoch)
			continue;
		float *cur = y + 2L * g->head[e], *oth = y + 2L * g->tail[e];
		double dx = (double)cur[0] - oth[0], dy = (double)cur[1] - oth[1];
		double d2 = dx * dx + dy * dy, coef = 0.0;
		if (d2 > 0.0) {
			double pb = powf((float)d2, (float)b);
			coef = -2.0 * a * b * (pb / d2) / (a * pb + 1.0);
		}
		double gx = clip4(coef * dx), gy = clip4(coef * dy);
		cur[0] += (float)(gx * alpha);
		cur[1] += (float)(gy * alpha);
		oth[0] -= (float)(gx * alpha);
		oth[1] -= (float)(gy * alpha);
		next[e] += sch->eps[e];
		double eps_neg = sch->eps_neg[e];
		int n_neg = (int)((epoch - next_neg[e]) / eps_neg);
		n_neg = n_neg > 0 ? n_neg : 0;
		for (int s = 0; s < n_neg; s++) {
			long k = (long)fastmod(xnr__umap_rng_next(rng), mod_m, n);
			oth = y + 2 * k;
			dx = (double)cur[0] - oth[0];
			dy = (double)cur[1] - oth[1];
			d2 = dx * dx + dy * dy;
			if (d2 <= 0.0)
				continue;
			coef = 2.0 * b / ((0.001 + d2) * (a * powf((float)d2, (float)b) + 1.0));
			cur[0] += (float)(clip4(coef * dx) * alpha);
			cur[1] += (float)(clip4(coef * dy) * alpha);
		}
		next_neg[e] += n_neg * eps_neg;
	}
}

enum xnr_status xnr__umap_sgd(const struct xnr__umap_graph *g, double a, double b, int n_epochs,
                              struct xnr__umap_rng *rng, const struct xnr_ctl *ctl, float *y,
                              struct xnr_error *err)
{
	size_t m = g->n_edges > 0 ? (size_t)g->n_edges : 1;
	struct sgd_sched s = {malloc(m * sizeof *s.eps), malloc(m * sizeof *s.eps_neg),
	                      malloc(m * sizeof *s.next), malloc(m * sizeof *s.next_neg)};
	double wmax = 0.0, alpha = 1.0;
	enum xnr_status st = XNR_OK;
	if (!s.eps || !s.eps_neg || !s.next || !s.next_neg) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "umap: out of memory for %ld edges", g->n_edges);
		goto fail;
	}
	for (long e = 0; e < g->n_edges; e++)
		wmax = g->w[e] > wmax ? g->w[e] : wmax;
	for (long e = 0; e < g->n_edges; e++) {
		s.eps[e] = (double)n_epochs / ((double)n_epochs * (g->w[e] / wmax));
		s.eps_neg[e] = s.eps[e] / 5.0;
		s.next[e] = s.eps[e];
		s.next_neg[e] = s.eps_neg[e];
	}
	for (int epoch = 0; epoch < n_epochs; epoch++) {
		if (xnr_ctl_cancelled(ctl)) {
			st = xnr_fail(err, XNR_ERR_CANCELLED, "umap: cancelled at epoch %d of %d",
			              epoch, n_epochs);
			goto fail;
		}
		sgd_epoch(g, a, b, epoch, alpha, &s, rng, y);
		alpha = 1.0 - (double)epoch / n_epochs;
		if (epoch % 10 == 9 || epoch == n_epochs - 1)
			xnr_ctl_progress(ctl, (double)(epoch + 1) / n_epochs, "epochs");
	}
fail:
	free(s.eps);
	free(s.eps_neg);
	free(s.next);
	free(s.next_neg);
	return st;
}
