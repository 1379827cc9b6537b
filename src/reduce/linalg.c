/*
 * linalg.c - the small dense linear algebra the reduce module needs and
 * OpenBLAS's cblas does not give us through tensor/gemm.h: a seeded RNG,
 * a symmetric eigensolver (EISPACK tred2 + tql2, as transcribed in JAMA),
 * Gram-Schmidt row orthonormalisation and a one-sided Jacobi SVD for the
 * (k + 10) x d matrices of the randomized SVD. All accumulation in double.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/internal.h"

/* ---- RNG ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void xnr__rng_init(struct xnr__rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	r->spare = 0;
	r->has_spare = 0;
}

static uint64_t rng_next(struct xnr__rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double xnr__rng_uniform(struct xnr__rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

double xnr__rng_normal(struct xnr__rng *r)
{
	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	/* 1 - u is in (0, 1], so the log is finite. */
	double u1 = 1.0 - xnr__rng_uniform(r), u2 = xnr__rng_uniform(r);
	double rad = sqrt(-2.0 * log(u1)), th = 6.283185307179586 * u2;
	r->spare = rad * sin(th);
	r->has_spare = 1;
	return rad * cos(th);
}

enum xnr_status xnr__check_finite(const float *x, long count, const char *what,
                                  struct xnr_error *err)
{
	for (long i = 0; i < count; i++)
		if (!isfinite(x[i]))
			return xnr_fail(err, XNR_ERR_INPUT,
			                "%s[%ld] is %s (clean NaN/Inf values first)", what, i,
			                isnan(x[i]) ? "NaN" : "infinite");
	return XNR_OK;
}

/* ---- symmetric eigendecomposition ----
 * vt is JAMA's V transposed: vt[j*n + k] = V[k][j]. The input is symmetric,
 * so vt starts equal to a. */

/* The second half of tred2: accumulate the Householder transforms into vt
 * and leave the diagonal in d. */
static void tred2_accumulate(double *vt, int n, double *d, double *e)
{
#define VT(j, k) vt[(long)(j)*n + (k)]
	for (int i = 0; i < n - 1; i++) {
		VT(i, n - 1) = VT(i, i);
		VT(i, i) = 1.0;
		double h = d[i + 1];
		if (h != 0.0) {
			for (int k = 0; k <= i; k++)
				d[k] = VT(i + 1, k) / h;
			for (int j = 0; j <= i; j++) {
				double g = 0.0;
				for (int k = 0; k <= i; k++)
					g += VT(i + 1, k) * VT(j, k);
				for (int k = 0; k <= i; k++)
					VT(j, k) -= g * d[k];
			}
		}
		for (int k = 0; k <= i; k++)
			VT(i + 1, k) = 0.0;
	}
	for (int j = 0; j < n; j++) {
		d[j] = VT(j, n - 1);
		VT(j, n - 1) = 0.0;
	}
	VT(n - 1, n - 1) = 1.0;
	e[0] = 0.0;
}
#undef VT

/* Householder reduction to tridiagonal form: d diagonal, e sub-diagonal
 * (e[i] couples i-1 and i), vt the accumulated transform. */
static void tred2(double *vt, int n, double *d, double *e)
{
#define VT(j, k) vt[(long)(j)*n + (k)]
	for (int j = 0; j < n; j++)
		d[j] = VT(j, n - 1);
	for (int i = n - 1; i > 0; i--) {
		double scale = 0.0, h = 0.0;
		for (int k = 0; k < i; k++)
			scale += fabs(d[k]);
		if (scale == 0.0) {
			e[i] = d[i - 1];
			for (int j = 0; j < i; j++) {
				d[j] = VT(j, i - 1);
				VT(j, i) = 0.0;
				VT(i, j) = 0.0;
			}
			d[i] = h;
			continue;
		}
		for (int k = 0; k < i; k++) {
			d[k] /= scale;
			h += d[k] * d[k];
		}
		double f = d[i - 1], g = sqrt(h);
		if (f > 0)
			g = -g;
		e[i] = scale * g;
		h -= f * g;
		d[i - 1] = f - g;
		for (int j = 0; j < i; j++)
			e[j] = 0.0;
		for (int j = 0; j < i; j++) {
			f = d[j];
			VT(i, j) = f;
			g = e[j] + VT(j, j) * f;
			for (int k = j + 1; k <= i - 1; k++) {
				g += VT(j, k) * d[k];
				e[k] += VT(j, k) * f;
			}
			e[j] = g;
		}
		f = 0.0;
		for (int j = 0; j < i; j++) {
			e[j] /= h;
			f += e[j] * d[j];
		}
		double hh = f / (h + h);
		for (int j = 0; j < i; j++)
			e[j] -= hh * d[j];
		for (int j = 0; j < i; j++) {
			f = d[j];
			g = e[j];
			for (int k = j; k <= i - 1; k++)
				VT(j, k) -= (f * e[k] + g * d[k]);
			d[j] = VT(j, i - 1);
			VT(j, i) = 0.0;
		}
		d[i] = h;
	}
	tred2_accumulate(vt, n, d, e);
}

/* One implicit QL sweep chasing the bulge from m-1 up to l (JAMA tql2's inner loop). */
static void ql_sweep(double *vt, int n, double *d, double *e, int l, int m, double *f)
{
	double g = d[l], p = (d[l + 1] - g) / (2.0 * e[l]);
	double r = hypot(p, 1.0);
	if (p < 0)
		r = -r;
	d[l] = e[l] / (p + r);
	d[l + 1] = e[l] * (p + r);
	double dl1 = d[l + 1], h = g - d[l];
	for (int i = l + 2; i < n; i++)
		d[i] -= h;
	*f += h;
	p = d[m];
	double c = 1.0, c2 = c, c3 = c, el1 = e[l + 1], s = 0.0, s2 = 0.0;
	for (int i = m - 1; i >= l; i--) {
		c3 = c2;
		c2 = c;
		s2 = s;
		g = c * e[i];
		h = c * p;
		r = hypot(p, e[i]);
		e[i + 1] = s * r;
		s = e[i] / r;
		c = p / r;
		p = c * d[i] - s * g;
		d[i + 1] = h + s * (c * g + s * d[i]);
		if (!vt)
			continue; /* eigenvalues only */
		double *vi = &VT(i, 0), *vi1 = &VT(i + 1, 0);
		for (int k = 0; k < n; k++) {
			h = vi1[k];
			vi1[k] = s * vi[k] + c * h;
			vi[k] = c * vi[k] - s * h;
		}
	}
	p = -s * s2 * c3 * el1 * e[l] / dl1;
	e[l] = s * p;
	d[l] = c * p;
}

static int tql2(double *vt, int n, double *d, double *e)
{
	for (int i = 1; i < n; i++)
		e[i - 1] = e[i];
	e[n - 1] = 0.0;
	double f = 0.0, tst1 = 0.0, eps = 0x1.0p-52;
	for (int l = 0; l < n; l++) {
		tst1 = fmax(tst1, fabs(d[l]) + fabs(e[l]));
		int m = l;
		while (m < n - 1 && fabs(e[m]) > eps * tst1)
			m++;
		int iter = 0;
		while (m > l && fabs(e[l]) > eps * tst1) {
			if (++iter > 60)
				return -1;
			ql_sweep(vt, n, d, e, l, m, &f);
		}
		d[l] += f;
		e[l] = 0.0;
	}
	return 0;
}
#undef VT

static void swap_rows(double *a, long i, long j, long len)
{
	for (long c = 0; c < len; c++) {
		double t = a[i * len + c];
		a[i * len + c] = a[j * len + c];
		a[j * len + c] = t;
	}
}

int xnr__sym_eig(double *a, int n, double *w, double *work)
{
	tred2(a, n, w, work);
	if (tql2(a, n, w, work))
		return -1;
	for (int i = 0; i < n - 1; i++) {
		int best = i;
		for (int j = i + 1; j < n; j++)
			if (w[j] > w[best])
				best = j;
		if (best != i) {
			double t = w[i];
			w[i] = w[best];
			w[best] = t;
			swap_rows(a, i, best, n);
		}
	}
	return 0;
}

/* ---- the top eigenvectors only: inverse iteration on the tridiagonal ---- */

/* LU with partial pivoting of T - mu I, T tridiagonal (diagonal d, e[i]
 * coupling i and i+1), into s (5n doubles: sub, diagonal, two super-diagonals,
 * row swaps); a zero pivot becomes tiny, as inverse iteration wants
 * (LAPACK dgttrf). */
static void tri_factor(const double *d, const double *e, int n, double mu, double tiny, double *s)
{
	double *dl = s, *dd = s + n, *du = s + 2 * (long)n, *du2 = s + 3 * (long)n,
	       *swap = s + 4 * (long)n;
	for (int i = 0; i < n; i++) {
		dd[i] = d[i] - mu;
		dl[i] = du[i] = i < n - 1 ? e[i] : 0.0;
		du2[i] = swap[i] = 0.0;
	}
	for (int i = 0; i < n - 1; i++) {
		if (fabs(dd[i]) >= fabs(dl[i])) {
			double f = dd[i] != 0.0 ? dl[i] / dd[i] : 0.0;
			dl[i] = f;
			dd[i + 1] -= f * du[i];
			continue;
		}
		double f = dd[i] / dl[i], t = du[i];
		dd[i] = dl[i];
		dl[i] = f;
		du[i] = dd[i + 1];
		dd[i + 1] = t - f * dd[i + 1];
		if (i < n - 2) {
			du2[i] = du[i + 1];
			du[i + 1] = -f * du[i + 1];
		}
		swap[i] = 1.0;
	}
	for (int i = 0; i < n; i++)
		if (fabs(dd[i]) < tiny)
			dd[i] = dd[i] < 0 ? -tiny : tiny;
}

/* b = (T - mu I)^-1 b with tri_factor's s (LAPACK dgtts2). */
static void tri_solve(const double *s, int n, double *b)
{
	const double *dl = s, *dd = s + n, *du = s + 2 * (long)n, *du2 = s + 3 * (long)n,
	             *swap = s + 4 * (long)n;
	for (int i = 0; i < n - 1; i++) {
		if (swap[i] == 0.0) {
			b[i + 1] -= dl[i] * b[i];
		} else {
			double t = b[i];
			b[i] = b[i + 1];
			b[i + 1] = t - dl[i] * b[i];
		}
	}
	for (int i = n - 1; i >= 0; i--) {
		double v = b[i];
		if (i < n - 1)
			v -= du[i] * b[i + 1];
		if (i < n - 2)
			v -= du2[i] * b[i + 2];
		b[i] = v / dd[i];
	}
}

/* z / |z| with z made orthogonal to the prev unit rows of zs (length n) first. */
static void orth_unit(double *z, const double *zs, int prev, int n)
{
	for (int j = 0; j < prev; j++) {
		double dot = 0.0;
		for (int i = 0; i < n; i++)
			dot += z[i] * zs[(long)j * n + i];
		for (int i = 0; i < n; i++)
			z[i] -= dot * zs[(long)j * n + i];
	}
	double norm = 0.0;
	for (int i = 0; i < n; i++)
		norm += z[i] * z[i];
	norm = norm > 0 ? 1.0 / sqrt(norm) : 0.0;
	for (int i = 0; i < n; i++)
		z[i] *= norm;
}

/* Eigenvector j of the tridiagonal (d, e) for eigenvalue mu into z (n),
 * orthogonal to the j rows of zs before it: inverse iteration from a fixed
 * pseudo-random start, three solves (each gains the ratio of the gaps, and
 * an eigenvalue from QL is right to rounding: one or two solves reach it). */
static void tri_vector(const double *d, const double *e, int n, double mu, double norm,
                       const double *zs, int j, double *z, double *s)
{
	uint64_t rng = 0x9e3779b97f4a7c15ull * (uint64_t)(j + 1);
	tri_factor(d, e, n, mu, 0x1.0p-52 * norm, s);
	for (int i = 0; i < n; i++)
		z[i] = (double)(splitmix64(&rng) >> 11) * 0x1.0p-53 - 0.5;
	for (int it = 0; it < 3; it++) {
		orth_unit(z, zs, j, n);
		tri_solve(s, n, z);
	}
	orth_unit(z, zs, j, n);
}

/* The top k eigenvectors from tred2's transform vt (rows), the tridiagonal
 * (d, e: e[i] couples i-1 and i) and its eigenvalues w (descending): row j of
 * vt becomes sum_i z_j[i] vt[i]. */
static int top_vectors(double *vt, int n, int k, double *d, double *e, const double *w)
{
	double *zs = malloc(sizeof *zs * ((size_t)k * n * 2 + 5 * (size_t)n));
	if (!zs)
		return -2;
	double *v = zs + (size_t)k * n, *s = v + (size_t)k * n, norm = 0.0;
	for (int i = 0; i < n - 1; i++)
		e[i] = e[i + 1];
	e[n - 1] = 0.0;
	for (int i = 0; i < n; i++)
		norm = fmax(norm, fabs(d[i]) + fabs(e[i]) + (i ? fabs(e[i - 1]) : 0.0));
	for (int j = 0; j < k; j++)
		tri_vector(d, e, n, w[j], norm > 0 ? norm : 1.0, zs, j, zs + (long)j * n, s);
	memset(v, 0, sizeof *v * (size_t)k * n);
	for (int j = 0; j < k; j++)
		for (int i = 0; i < n; i++) {
			double zi = zs[(long)j * n + i];
			for (int c = 0; c < n; c++)
				v[(long)j * n + c] += zi * vt[(long)i * n + c];
		}
	memcpy(vt, v, sizeof *v * (size_t)k * n);
	free(zs);
	return 0;
}

int xnr__sym_eig_top(double *a, int n, int k, double *w, double *work)
{
	double *e = malloc(sizeof *e * 3 * (size_t)n);
	if (!e)
		return -2;
	double *d0 = e + n, *e0 = d0 + n;
	tred2(a, n, w, work);
	memcpy(d0, w, sizeof *w * (size_t)n);
	memcpy(e0, work, sizeof *e0 * (size_t)n);
	memcpy(e, work, sizeof *e * (size_t)n);
	int st = tql2(NULL, n, w, e);
	if (st == 0) {
		/* descending, as xnr__sym_eig's */
		for (int i = 1; i < n; i++)
			for (int j = i; j > 0 && w[j] > w[j - 1]; j--) {
				double t = w[j];
				w[j] = w[j - 1];
				w[j - 1] = t;
			}
		st = top_vectors(a, n, k, d0, e0, w);
	}
	free(e);
	return st;
}

/* ---- orthonormalisation and small SVD ---- */

void xnr__orth_rows(float *q, int n_rows, long len)
{
	for (int i = 0; i < n_rows; i++) {
		float *qi = q + (long)i * len;
		double norm0 = 0.0;
		for (long c = 0; c < len; c++)
			norm0 += (double)qi[c] * qi[c];
		for (int pass = 0; pass < 2; pass++)
			for (int j = 0; j < i; j++) {
				const float *qj = q + (long)j * len;
				double dot = 0.0;
				for (long c = 0; c < len; c++)
					dot += (double)qi[c] * qj[c];
				for (long c = 0; c < len; c++)
					qi[c] = (float)(qi[c] - dot * qj[c]);
			}
		double norm = 0.0;
		for (long c = 0; c < len; c++)
			norm += (double)qi[c] * qi[c];
		/* What is left after removing the span of the previous rows is rounding noise:
		 * the row was dependent, and normalising noise would invent a direction. */
		double inv = norm > 1e-10 * norm0 && norm > 0 ? 1.0 / sqrt(norm) : 0.0;
		for (long c = 0; c < len; c++)
			qi[c] = (float)(qi[c] * inv);
	}
}

static double dot_d(const double *a, const double *b, long len)
{
	double s = 0.0;
	for (long c = 0; c < len; c++)
		s += a[c] * b[c];
	return s;
}

/* Rotate rows p and q of b (length d) and of ut (length l) to make b's rows orthogonal;
 * returns 1 when a rotation was applied. */
static int jacobi_pair(double *b, int d, double *ut, int l, int p, int q)
{
	double *bp = b + (long)p * d, *bq = b + (long)q * d;
	double alpha = dot_d(bp, bp, d), beta = dot_d(bq, bq, d), gamma = dot_d(bp, bq, d);
	/* Rows orthogonal to 1e-12 relative: rounding in a dot of length d is ~sqrt(d)*1e-16,
	 * so a tighter test may never be met; the error left in s is second order (1e-24). */
	if (gamma == 0.0 || fabs(gamma) <= 1e-12 * sqrt(alpha * beta))
		return 0;
	double zeta = (beta - alpha) / (2.0 * gamma);
	double t = (zeta >= 0 ? 1.0 : -1.0) / (fabs(zeta) + sqrt(1.0 + zeta * zeta));
	double c = 1.0 / sqrt(1.0 + t * t), s = c * t;
	for (long k = 0; k < d; k++) {
		double x = bp[k], y = bq[k];
		bp[k] = c * x - s * y;
		bq[k] = s * x + c * y;
	}
	double *up = ut + (long)p * l, *uq = ut + (long)q * l;
	for (int k = 0; k < l; k++) {
		double x = up[k], y = uq[k];
		up[k] = c * x - s * y;
		uq[k] = s * x + c * y;
	}
	return 1;
}

int xnr__svd_rows(double *b, int l, int d, double *ut, double *s)
{
	memset(ut, 0, sizeof *ut * (size_t)l * l);
	for (int i = 0; i < l; i++)
		ut[(long)i * l + i] = 1.0;
	int converged = 0;
	for (int sweep = 0; sweep < 60 && !converged; sweep++) {
		int rotated = 0;
		for (int p = 0; p < l - 1; p++)
			for (int q = p + 1; q < l; q++)
				rotated += jacobi_pair(b, d, ut, l, p, q);
		converged = !rotated;
	}
	if (!converged)
		return -1;
	for (int i = 0; i < l; i++) {
		double *bi = b + (long)i * d;
		s[i] = sqrt(dot_d(bi, bi, d));
		double inv = s[i] > 0 ? 1.0 / s[i] : 0.0;
		for (long c = 0; c < d; c++)
			bi[c] *= inv;
	}
	for (int i = 0; i < l - 1; i++) {
		int best = i;
		for (int j = i + 1; j < l; j++)
			if (s[j] > s[best])
				best = j;
		if (best != i) {
			double t = s[i];
			s[i] = s[best];
			s[best] = t;
			swap_rows(b, i, best, d);
			swap_rows(ut, i, best, l);
		}
	}
	return 0;
}
