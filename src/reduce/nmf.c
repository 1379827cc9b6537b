/*
 * nmf.c - sklearn's NMF(solver='cd', beta_loss='frobenius', alpha_W = 0) as
 * ecco uses it on (positions x neurons) activations: coordinate descent of
 * Hsieh & Dhillon 2011 (sklearn/decomposition/_nmf.py _fit_coordinate_descent
 * and _cdnmf_fast.pyx _update_cdnmf_fast), inits 'random' and 'nndsvda'
 * (_initialize_nmf).
 *
 * One iteration updates W against (H H^T, A H^T), then H^T against
 * (W^T W, A^T W), component by component, row by row, in place, exactly in
 * sklearn's order. The factors and the coordinate updates are double; the
 * two big products go through xnr_gemm in f32, the only source of difference
 * from sklearn's float64 run (relative 1e-7 per product).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/internal.h"
#include "reduce/reduce.h"
#include "tensor/gemm.h"

struct xnr_nmf_params xnr_nmf_default_params(void)
{
	struct xnr_nmf_params p = {8, 500, 1e-4, XNR_NMF_RANDOM, 0};
	return p;
}

static double matrix_mean(const float *a, long count)
{
	double s = 0.0;
	for (long i = 0; i < count; i++)
		s += a[i];
	return s / (double)count;
}

/* sklearn init='random': H [k,m] then W [n,k] as avg * |N(0,1)|. */
static void init_random(const float *a, long n, long m, int k, uint64_t seed, double *w, double *ht)
{
	struct xnr__rng rng;
	xnr__rng_init(&rng, seed);
	double avg = sqrt(matrix_mean(a, n * m) / k);
	for (int c = 0; c < k; c++)
		for (long j = 0; j < m; j++)
			ht[j * k + c] = avg * fabs(xnr__rng_normal(&rng));
	for (long i = 0; i < n * k; i++)
		w[i] = avg * fabs(xnr__rng_normal(&rng));
}

/* The positive or negative part of v [len] (sign +1 / -1) and its norm. */
static double part_norm(const float *v, long len, double sign)
{
	double s = 0.0;
	for (long i = 0; i < len; i++) {
		double t = fmax(sign * v[i], 0.0);
		s += t * t;
	}
	return sqrt(s);
}

/* Column c of out [len, k] = lbd * the (sign) part of v / its norm (0 where the norm is 0). */
static void put_part(const float *v, long len, double sign, double nrm, double lbd, double *out,
                     int k, int c)
{
	double f = nrm > 0 ? lbd / nrm : 0.0;
	for (long i = 0; i < len; i++)
		out[i * k + c] = f * fmax(sign * v[i], 0.0);
}

/* NNDSVD of Boutsidis & Gallopoulos from the rank-k SVD (ut [k,n], s, vt [k,m]), then
 * entries < 1e-6 (sklearn's eps) replaced by mean(a) ('nndsvda'). */
static void nndsvda_from_svd(const float *a, long n, long m, int k, const float *ut,
                             const double *s, const float *vt, double *w, double *ht)
{
	for (int j = 0; j < k; j++) {
		const float *x = ut + (long)j * n, *y = vt + (long)j * m;
		if (j == 0) {
			for (long i = 0; i < n; i++)
				w[i * k] = sqrt(s[0]) * fabs(x[i]);
			for (long i = 0; i < m; i++)
				ht[i * k] = sqrt(s[0]) * fabs(y[i]);
			continue;
		}
		double xp = part_norm(x, n, 1), yp = part_norm(y, m, 1);
		double xn = part_norm(x, n, -1), yn = part_norm(y, m, -1);
		double mp = xp * yp, mn = xn * yn, sign = mp > mn ? 1.0 : -1.0;
		double lbd = sqrt(s[j] * (mp > mn ? mp : mn));
		put_part(x, n, sign, sign > 0 ? xp : xn, lbd, w, k, j);
		put_part(y, m, sign, sign > 0 ? yp : yn, lbd, ht, k, j);
	}
	double avg = matrix_mean(a, n * m);
	for (long i = 0; i < n * k; i++)
		if (w[i] < 1e-6)
			w[i] = avg;
	for (long i = 0; i < m * k; i++)
		if (ht[i] < 1e-6)
			ht[i] = avg;
}

static enum xnr_status init_nndsvda(const float *a, long n, long m, int k, uint64_t seed, double *w,
                                    double *ht, struct xnr_error *err)
{
	float *ut = malloc(sizeof *ut * (size_t)k * (size_t)(n + m));
	double *s = malloc(sizeof *s * (size_t)k);
	enum xnr_status st = XNR_ERR_NOMEM;
	if (!ut || !s) {
		xnr_fail(err, st, "xnr_nmf: NNDSVDA init: out of memory");
		goto fail;
	}
	/* sklearn randomized_svd's n_iter='auto'. */
	long mn = n < m ? n : m;
	int n_iter = k < 0.1 * (double)mn ? 7 : 4;
	st = xnr__rsvd(a, n, (int)m, k, n_iter, seed, ut, s, ut + (size_t)k * n, err);
	if (st)
		goto fail;
	nndsvda_from_svd(a, n, m, k, ut, s, ut + (size_t)k * n, w, ht);
fail:
	free(ut);
	free(s);
	return st;
}

/* g [k,k] = f^T f for f [rows,k]. */
static void gram(const double *f, long rows, int k, double *g)
{
	memset(g, 0, sizeof *g * (size_t)k * k);
	for (long i = 0; i < rows; i++)
		for (int a = 0; a < k; a++)
			for (int b = 0; b < k; b++)
				g[a * k + b] += f[i * k + a] * f[i * k + b];
}

/* _update_cdnmf_fast: one coordinate-descent pass over w [rows,k] given hht [k,k] and
 * xht [rows,k]; returns the projected-gradient violation. */
static double cd_pass(double *w, long rows, int k, const double *hht, const double *xht)
{
	double violation = 0.0;
	for (int t = 0; t < k; t++) {
		double hess = hht[t * k + t];
		for (long i = 0; i < rows; i++) {
			double *wi = w + i * k, grad = -xht[i * k + t];
			for (int r = 0; r < k; r++)
				grad += hht[t * k + r] * wi[r];
			double pg = wi[t] == 0 ? fmin(0.0, grad) : grad;
			violation += fabs(pg);
			if (hess != 0)
				wi[t] = fmax(wi[t] - grad / hess, 0.0);
		}
	}
	return violation;
}

struct nmf_work {
	double *w, *ht; /* [n,k], [m,k] */
	float *f;       /* f32 copy of the factor fed to the product, [max(n,m),k] */
	float *p;       /* the product, [max(n,m),k] */
	double *pd, *g; /* the product in double, [max(n,m),k]; a Gram matrix [k,k] */
};

/* Update w [rows,k] against the other factor o [o_rows,k] and a (trans_a: use a^T). */
static enum xnr_status half_step(const float *a, int trans_a, long rows, long o_rows, int k,
                                 double *w, const double *o, struct nmf_work *ws, double *viol,
                                 struct xnr_error *err)
{
	for (long i = 0; i < o_rows * k; i++)
		ws->f[i] = (float)o[i];
	int lda = (int)(trans_a ? rows : o_rows);
	enum xnr_status st = xnr_gemm(trans_a, 0, (int)rows, k, (int)o_rows, 1.0f, a, lda, ws->f, k,
	                              0.0f, ws->p, k, err);
	if (st)
		return st;
	for (long i = 0; i < rows * k; i++)
		ws->pd[i] = ws->p[i];
	gram(o, o_rows, k, ws->g);
	*viol += cd_pass(w, rows, k, ws->g, ws->pd);
	return XNR_OK;
}

/* _fit_coordinate_descent: iterate until violation / first violation <= tol. */
static enum xnr_status cd_loop(const float *a, long n, long m, const struct xnr_nmf_params *p,
                               const struct xnr_ctl *ctl, struct nmf_work *ws, int *n_iter,
                               struct xnr_error *err)
{
	double v0 = 0.0;
	int it;
	for (it = 1; it <= p->max_iter; it++) {
		if (xnr_ctl_cancelled(ctl))
			return xnr_fail(err, XNR_ERR_CANCELLED,
			                "xnr_nmf: cancelled at iteration %d", it);
		double v = 0.0;
		enum xnr_status st = half_step(a, 0, n, m, p->k, ws->w, ws->ht, ws, &v, err);
		if (!st)
			st = half_step(a, 1, m, n, p->k, ws->ht, ws->w, ws, &v, err);
		if (st)
			return st;
		if (it == 1)
			v0 = v;
		if (v0 == 0 || v / v0 <= p->tol)
			break;
		xnr_ctl_progress(ctl, (double)it / p->max_iter, "nmf");
	}
	*n_iter = it > p->max_iter ? p->max_iter : it;
	return XNR_OK;
}

static enum xnr_status nmf_check(const float *a, long n, long m, const struct xnr_nmf_params *p,
                                 const float *w, const float *h, struct xnr_error *err)
{
	if (!a || !p || !w || !h)
		return xnr_fail(err, XNR_ERR_INPUT, "xnr_nmf: %s is NULL",
		                !a   ? "a"
		                : !p ? "params"
		                : !w ? "w"
		                     : "h");
	if (n < 1 || m < 1 || n > INT_MAX || m > INT_MAX)
		return xnr_fail(err, XNR_ERR_INPUT, "xnr_nmf: a is %ld x %ld (need 1..%d each)", n,
		                m, INT_MAX);
	if (p->k < 1 || p->k > n || p->k > m)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "xnr_nmf: k = %d (need 1 <= k <= min(n, m) = %ld)", p->k,
		                n < m ? n : m);
	if (p->max_iter < 1)
		return xnr_fail(err, XNR_ERR_INPUT, "xnr_nmf: max_iter = %d (need >= 1)",
		                p->max_iter);
	if (!(p->tol >= 0) || !isfinite(p->tol))
		return xnr_fail(err, XNR_ERR_INPUT, "xnr_nmf: tol = %g (need a finite value >= 0)",
		                p->tol);
	if (p->init != XNR_NMF_RANDOM && p->init != XNR_NMF_NNDSVDA)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "xnr_nmf: init = %d (XNR_NMF_RANDOM or _NNDSVDA)", (int)p->init);
	enum xnr_status st = xnr__check_finite(a, n * m, "xnr_nmf: a", err);
	if (st)
		return st;
	for (long i = 0; i < n * m; i++)
		if (a[i] < 0)
			return xnr_fail(err, XNR_ERR_INPUT,
			                "xnr_nmf: a[%ld] = %g is negative (clip to 0 first)", i,
			                a[i]);
	return XNR_OK;
}

enum xnr_status xnr_nmf(const float *a, long n, long m, const struct xnr_nmf_params *p,
                        const struct xnr_ctl *ctl, float *w, float *h, int *n_iter,
                        struct xnr_error *err)
{
	enum xnr_status st = nmf_check(a, n, m, p, w, h, err);
	if (st)
		return st;
	int k = p->k;
	size_t big = (size_t)(n > m ? n : m) * k;
	struct nmf_work ws;
	ws.w = malloc(sizeof *ws.w * ((size_t)(n + m) * k + big + (size_t)k * k));
	ws.f = malloc(sizeof *ws.f * big * 2);
	st = XNR_ERR_NOMEM;
	if (!ws.w || !ws.f) {
		xnr_fail(err, st, "xnr_nmf: %ld x %ld with k = %d: out of memory", n, m, k);
		goto fail;
	}
	ws.ht = ws.w + (size_t)n * k;
	ws.pd = ws.ht + (size_t)m * k;
	ws.g = ws.pd + big;
	ws.p = ws.f + big;
	if (p->init == XNR_NMF_RANDOM)
		init_random(a, n, m, k, p->seed, ws.w, ws.ht);
	else if ((st = init_nndsvda(a, n, m, k, p->seed, ws.w, ws.ht, err)))
		goto fail;
	int iters = 0;
	if ((st = cd_loop(a, n, m, p, ctl, &ws, &iters, err)))
		goto fail;
	for (long i = 0; i < n * k; i++)
		w[i] = (float)ws.w[i];
	for (int c = 0; c < k; c++)
		for (long j = 0; j < m; j++)
			h[c * m + j] = (float)ws.ht[j * k + c];
	if (n_iter)
		*n_iter = iters;
	xnr_ctl_progress(ctl, 1.0, "nmf");
fail:
	free(ws.w);
	free(ws.f);
	return st;
}
