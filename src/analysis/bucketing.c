/*
 * bucketing.c - bucket edges (buckets.h) as ExplainaBoard's
 * analysis/bucketing.py makes them: `continuous` (equal-frequency buckets
 * whose edges never split a run of equal values), `discrete` (the k most
 * frequent values) and `fixed` (the user's upper edges), and the bucket of
 * a value.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/buckets.h"

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

static enum xnr_status check_k(int k, struct xnr_bucketing *out, enum xnr_bucket_kind kind,
                               struct xnr_error *err)
{
	if (k < 1 || k > XNR_BUCKET_MAX)
		return xnr_fail(err, XNR_ERR_INPUT, "buckets: 1 to %d buckets, got %d",
		                XNR_BUCKET_MAX, k);
	memset(out, 0, sizeof *out);
	out->kind = kind;
	return XNR_OK;
}

static void add(struct xnr_bucketing *b, double lo, double hi, int64_t count)
{
	b->lo[b->n] = lo;
	b->hi[b->n] = hi;
	b->count[b->n++] = count;
}

enum xnr_status xnr_bucket_continuous(const double *v, size_t n, int k, struct xnr_bucketing *out,
                                      struct xnr_error *err)
{
	enum xnr_status st = check_k(k, out, XNR_BUCKET_CONTINUOUS, err);
	double *s, start_val, last_val, max_val, cutoff;
	size_t i, start_i = 0;

	if (st != XNR_OK || n == 0)
		return st;
	if (!(s = malloc(n * sizeof *s)))
		return xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	start_val = last_val = s[0];
	max_val = s[n - 1];
	cutoff = (double)n / (double)k;
	for (i = 0; i < n; i++) {
		if (k - out->n == 1 || s[i] == max_val) {
			add(out, start_val, max_val, (int64_t)(n - start_i));
			break;
		}
		if (s[i] != last_val) {
			if ((double)i >= cutoff) {
				add(out, start_val, last_val, (int64_t)(i - start_i));
				start_val = s[i];
				start_i = i;
				cutoff = (double)i + (double)(n - i) / (double)(k - out->n);
			}
			last_val = s[i];
		}
	}
	free(s);
	return XNR_OK;
}

/* A distinct value, how often it occurs and where first. */
struct value {
	double x;
	int64_t count;
	size_t first;
};

static int by_x(const void *p, const void *q)
{
	const struct value *a = p, *b = q;
	if (a->x != b->x)
		return (a->x > b->x) - (a->x < b->x);
	return (a->first > b->first) - (a->first < b->first);
}

static int by_count(const void *p, const void *q)
{
	const struct value *a = p, *b = q;
	if (a->count != b->count)
		return (a->count < b->count) - (a->count > b->count);
	return (a->first > b->first) - (a->first < b->first);
}

enum xnr_status xnr_bucket_discrete(const double *v, size_t n, int k, struct xnr_bucketing *out,
                                    struct xnr_error *err)
{
	enum xnr_status st = check_k(k, out, XNR_BUCKET_DISCRETE, err);
	struct value *u;
	size_t i, m = 0;

	if (st != XNR_OK || n == 0)
		return st;
	if (!(u = malloc(n * sizeof *u)))
		return xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
	for (i = 0; i < n; i++) {
		u[i].x = v[i];
		u[i].count = 1;
		u[i].first = i;
	}
	qsort(u, n, sizeof *u, by_x);
	for (i = 0; i < n; i++) {
		if (m && u[m - 1].x == u[i].x)
			u[m - 1].count++;
		else
			u[m++] = u[i];
	}
	qsort(u, m, sizeof *u, by_count);
	for (i = 0; i < m && out->n < k; i++)
		add(out, u[i].x, u[i].x, u[i].count);
	free(u);
	return XNR_OK;
}

enum xnr_status xnr_bucket_fixed(const double *edges, int n_edges, struct xnr_bucketing *out,
                                 struct xnr_error *err)
{
	enum xnr_status st = check_k(n_edges + 1, out, XNR_BUCKET_FIXED, err);
	int i;

	if (st != XNR_OK)
		return st;
	for (i = 0; i < n_edges; i++)
		if (!isfinite(edges[i]) || (i && !(edges[i] > edges[i - 1])))
			return xnr_fail(err, XNR_ERR_INPUT,
			                "buckets: fixed edges must be finite and ascending");
	for (i = 0; i <= n_edges; i++)
		add(out, i ? edges[i - 1] : -HUGE_VAL, i < n_edges ? edges[i] : HUGE_VAL, 0);
	return XNR_OK;
}

int xnr_bucket_of(const struct xnr_bucketing *b, double x)
{
	int i;

	if (b->n == 0 || isnan(x))
		return -1;
	if (b->kind == XNR_BUCKET_DISCRETE) {
		for (i = 0; i < b->n; i++)
			if (b->lo[i] == x)
				return i;
		return -1;
	}
	for (i = 0; i < b->n; i++)
		if (x <= b->hi[i])
			return i;
	return b->n - 1;
}
