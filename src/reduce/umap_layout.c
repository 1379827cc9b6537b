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

/* Nonzero when the graph has more than one connected component (union-find). */
static int disconnected(const struct xnr__umap_graph *g, int *parent)
{
	for (long i = 0; i < g->n; i++)
		parent[i] = (int)i;
	for (long e = 0; e < g->n_edges; e++) {
		int a = g->head[e], b = g->tail[e];
		while (parent[a] != a)
			a = parent[a] = parent[parent[a]];
		while (parent[b] != b)
			b = parent[b] = parent[parent[b]];
		if (a != b)
			parent[a > b ? a : b] = a < b ? a : b;
	}
	long roots = 0;
	for (long i = 0; i < g->n; i++)
		roots += parent[i] == i;
	return roots > 1;
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
	if (disconnected(g, (int *)(void *)L.tmp) || lanczos_setup(&L) || lanczos_run(&L, ctl))
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

static double clip4(double v)
{
	return v > 4.0 ? 4.0 : v < -4.0 ? -4.0 : v;
}

/* One epoch of optimize_layout_euclidean_single_epoch; d^2b in single
 * precision (powf is several times faster than pow and the layout is f32). */
static void sgd_epoch(const struct xnr__umap_graph *g, double a, double b, int epoch, double alpha,
                      const double *eps, double *next, double *next_neg, struct xnr__umap_rng *rng,
                      float *y)
{
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
		next[e] += eps[e];
		double eps_neg = eps[e] / 5.0;
		int n_neg = (int)((epoch - next_neg[e]) / eps_neg);
		n_neg = n_neg > 0 ? n_neg : 0;
		for (int s = 0; s < n_neg; s++) {
			long k = (long)(xnr__umap_rng_next(rng) % (uint32_t)g->n);
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
	long m = g->n_edges > 0 ? g->n_edges : 1;
	double *eps = malloc((size_t)m * sizeof *eps), wmax = 0.0, alpha = 1.0;
	double *next = malloc((size_t)m * sizeof *next);
	double *next_neg = malloc((size_t)m * sizeof *next_neg);
	enum xnr_status st = XNR_OK;
	if (!eps || !next || !next_neg) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "umap: out of memory for %ld edges", g->n_edges);
		goto fail;
	}
	for (long e = 0; e < g->n_edges; e++)
		wmax = g->w[e] > wmax ? g->w[e] : wmax;
	for (long e = 0; e < g->n_edges; e++) {
		eps[e] = (double)n_epochs / ((double)n_epochs * (g->w[e] / wmax));
		next[e] = eps[e];
		next_neg[e] = eps[e] / 5.0;
	}
	for (int epoch = 0; epoch < n_epochs; epoch++) {
		if (xnr_ctl_cancelled(ctl)) {
			st = xnr_fail(err, XNR_ERR_CANCELLED, "umap: cancelled at epoch %d of %d",
			              epoch, n_epochs);
			goto fail;
		}
		sgd_epoch(g, a, b, epoch, alpha, eps, next, next_neg, rng, y);
		alpha = 1.0 - (double)epoch / n_epochs;
		if (epoch % 10 == 9 || epoch == n_epochs - 1)
			xnr_ctl_progress(ctl, (double)(epoch + 1) / n_epochs, "epochs");
	}
fail:
	free(eps);
	free(next);
	free(next_neg);
	return st;
}
