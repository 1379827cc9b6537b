/*
 * seqeval.c - seqeval's scores and report (see seqeval.h).
 * Per class: P = tp/pred, R = tp/true (0/0 -> zero_division),
 * F = (1 + beta^2)·P·R / (beta^2·P + R) with a zero denominator replaced by 1;
 * micro from summed counts; macro = np.mean, weighted = np.average with the
 * supports as weights, both over numpy's pairwise summation.
 */
#include "analysis/seqeval.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xnr_seqeval_params xnr_seqeval_default_params(void)
{
	return (struct xnr_seqeval_params){XNR_SEQEVAL_DEFAULT, XNR_SEQEVAL_AUTO, 0.0};
}

/* numpy's pairwise_sum for doubles (numpy/core/src/umath/loops_utils.h.src). */
static double pairwise_sum(const double *a, size_t n)
{
	if (n < 8) {
		double res = 0.;
		for (size_t i = 0; i < n; i++)
			res += a[i];
		return res;
	}
	if (n <= 128) {
		double r[8];
		size_t i;
		for (int k = 0; k < 8; k++)
			r[k] = a[k];
		for (i = 8; i < n - (n % 8); i += 8)
			for (int k = 0; k < 8; k++)
				r[k] += a[i + (size_t)k];
		double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += a[i];
		return res;
	}
	size_t n2 = n / 2;
	n2 -= n2 % 8;
	return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

/* np.add.reduce: the identity 0 plus the pairwise sum of all elements. */
static double np_sum(const double *a, size_t n)
{
	return 0.0 + pairwise_sum(a, n);
}

static void prf(int64_t tp, int64_t pred, int64_t truth, double zd, struct xnr_prf *out)
{
	const double beta2 = 1.0;
	double p = pred ? (double)tp / (double)pred : zd;
	double r = truth ? (double)tp / (double)truth : zd;
	double denom = beta2 * p + r;
	if (denom == 0.0)
		denom = 1;
	out->precision = p;
	out->recall = r;
	out->f1 = (1 + beta2) * p * r / denom;
	out->support = truth;
}

static int count_classes(struct xnr_seqeval_report *r, const struct xnr_tagset *ts)
{
	size_t nt = xnr_tagset_n_types(ts);
	int64_t *cnt = calloc(nt ? 3 * nt : 1, sizeof(*cnt)); /* true, pred, tp per type */
	if (!cnt)
		return -1;
	const struct xnr_entities *g = &r->gold, *p = &r->pred;
	for (size_t k = 0; k < g->n; k++)
		cnt[3 * g->v[k].type]++;
	for (size_t k = 0; k < p->n; k++)
		cnt[3 * p->v[k].type + 1]++;
	/* both lists are ordered by (sentence, end) and no two share an end */
	for (size_t i = 0, j = 0; i < g->n && j < p->n;) {
		const struct xnr_entity *a = &g->v[i], *b = &p->v[j];
		if (a->sent != b->sent ? a->sent < b->sent : a->end < b->end) {
			i++;
		} else if (a->sent != b->sent || a->end != b->end) {
			j++;
		} else {
			if (a->start == b->start && a->type == b->type)
				cnt[3 * a->type + 2]++;
			i++;
			j++;
		}
	}
	size_t n = 0;
	for (size_t t = 0; t < nt; t++)
		n += cnt[3 * t] || cnt[3 * t + 1];
	r->classes = calloc(n ? n : 1, sizeof(*r->classes));
	if (!r->classes) {
		free(cnt);
		return -1;
	}
	for (size_t t = 0; t < nt; t++) {
		if (!cnt[3 * t] && !cnt[3 * t + 1])
			continue;
		struct xnr_seqeval_class *cl = &r->classes[r->n_classes++];
		cl->type = (uint32_t)t;
		cl->name = xnr_tagset_type(ts, (uint32_t)t);
		cl->n_true = cnt[3 * t];
		cl->n_pred = cnt[3 * t + 1];
		cl->n_correct = cnt[3 * t + 2];
	}
	free(cnt);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct xnr_seqeval_class *x = a, *y = b;
	return strcmp(x->name, y->name);
}

static int averages(struct xnr_seqeval_report *r, double zd)
{
	size_t n = r->n_classes;
	int64_t tp = 0, pred = 0, truth = 0;
	double *buf = malloc((n ? n : 1) * 4 * sizeof(*buf));
	if (!buf)
		return -1;
	double *p = buf, *rc = buf + n, *f = buf + 2 * n, *w = buf + 3 * n;
	for (size_t k = 0; k < n; k++) {
		const struct xnr_seqeval_class *cl = &r->classes[k];
		tp += cl->n_correct;
		pred += cl->n_pred;
		truth += cl->n_true;
		p[k] = cl->score.precision;
		rc[k] = cl->score.recall;
		f[k] = cl->score.f1;
		w[k] = (double)cl->n_true;
	}
	prf(tp, pred, truth, zd, &r->micro);
	double nn = (double)n;
	if (n == 0) /* numpy: the mean of an empty array is NaN */
		r->macro = (struct xnr_prf){NAN, NAN, NAN, truth};
	else
		r->macro = (struct xnr_prf){np_sum(p, n) / nn, np_sum(rc, n) / nn,
		                            np_sum(f, n) / nn, truth};
	if (truth == 0) {
		double pz = pred == 0 ? zd : 0.0;
		r->weighted = (struct xnr_prf){pz, zd, pz, 0};
	} else {
		double scl = np_sum(w, n);
		for (size_t k = 0; k < n; k++) {
			p[k] *= w[k];
			rc[k] *= w[k];
			f[k] *= w[k];
		}
		r->weighted = (struct xnr_prf){np_sum(p, n) / scl, np_sum(rc, n) / scl,
		                               np_sum(f, n) / scl, truth};
	}
	free(buf);
	return 0;
}

enum xnr_status xnr_seqeval_evaluate(const struct xnr_tagged_corpus *c,
                                     const struct xnr_seqeval_params *params,
                                     struct xnr_seqeval_report *out, struct xnr_error *err)
{
	struct xnr_seqeval_report r = {0};
	enum xnr_status st;
	if (!params || (params->zero_division != 0.0 && params->zero_division != 1.0))
		return xnr_fail(err, XNR_ERR_INPUT, "seqeval: zero_division must be 0 or 1");
	r.mode = params->mode;
	r.scheme = params->scheme;
	if (r.mode == XNR_SEQEVAL_STRICT && r.scheme == XNR_SEQEVAL_AUTO) {
		st = xnr_seqeval_detect_scheme(c, &r.scheme, err);
		if (st != XNR_OK)
			return st;
	}
	st = xnr_entities_extract(c, c ? c->gold : NULL, "gold", r.mode, r.scheme, &r.gold, err);
	if (st == XNR_OK)
		st = xnr_entities_extract(c, c->pred, "predicted", r.mode, r.scheme, &r.pred, err);
	if (st != XNR_OK)
		goto fail;
	if (count_classes(&r, c->tags) != 0)
		goto nomem;
	qsort(r.classes, r.n_classes, sizeof(*r.classes), by_name);
	for (size_t k = 0; k < r.n_classes; k++) {
		struct xnr_seqeval_class *cl = &r.classes[k];
		prf(cl->n_correct, cl->n_pred, cl->n_true, params->zero_division, &cl->score);
	}
	if (averages(&r, params->zero_division) != 0)
		goto nomem;
	*out = r;
	return XNR_OK;
nomem:
	st = xnr_fail(err, XNR_ERR_NOMEM, "seqeval: out of memory");
fail:
	xnr_seqeval_report_free(&r);
	return st;
}

void xnr_seqeval_report_free(struct xnr_seqeval_report *r)
{
	if (!r)
		return;
	free(r->classes);
	xnr_entities_free(&r->gold);
	xnr_entities_free(&r->pred);
	memset(r, 0, sizeof(*r));
}

struct sbuf {
	char *s;
	size_t len, cap;
	int failed;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap + (size_t)n + 1) * 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->failed = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

/* Python's len(): code points of UTF-8 text (continuation bytes not counted). */
static size_t n_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* ' {:>9.{digits}f}': Python prints NaN as "nan" whatever its sign bit */
static void write_score(struct sbuf *b, int digits, double v)
{
	if (isnan(v))
		sb_printf(b, " %9s", "nan");
	else
		sb_printf(b, " %9.*f", digits, v);
}

/* '{:>{width}s} ' + ' {:>9.{digits}f}' * 3 + ' {:>9}' */
static void write_row(struct sbuf *b, const char *name, size_t width, int digits,
                      const struct xnr_prf *s)
{
	size_t len = n_chars(name);
	sb_printf(b, "%*s%s ", (int)(width > len ? width - len : 0), "", name);
	write_score(b, digits, s->precision);
	write_score(b, digits, s->recall);
	write_score(b, digits, s->f1);
	sb_printf(b, " %9lld\n", (long long)s->support);
}

enum xnr_status xnr_seqeval_format(const struct xnr_seqeval_report *r, int digits, char **out,
                                   struct xnr_error *err)
{
	if (digits < 0 || digits > 20)
		return xnr_fail(err, XNR_ERR_INPUT, "seqeval report: digits %d outside 0..20",
		                digits);
	size_t width = strlen("weighted avg");
	for (size_t k = 0; k < r->n_classes; k++) {
		size_t len = n_chars(r->classes[k].name);
		width = len > width ? len : width;
	}
	width = (size_t)digits > width ? (size_t)digits : width;
	struct sbuf b = {malloc(256), 0, 256, 0};
	if (!b.s)
		return xnr_fail(err, XNR_ERR_NOMEM, "seqeval report: out of memory");
	sb_printf(&b, "%*s  %9s %9s %9s %9s\n\n", (int)width, "", "precision", "recall", "f1-score",
	          "support");
	for (size_t k = 0; k < r->n_classes; k++)
		write_row(&b, r->classes[k].name, width, digits, &r->classes[k].score);
	sb_printf(&b, "\n");
	write_row(&b, "micro avg", width, digits, &r->micro);
	write_row(&b, "macro avg", width, digits, &r->macro);
	write_row(&b, "weighted avg", width, digits, &r->weighted);
	if (b.failed) {
		free(b.s);
		return xnr_fail(err, XNR_ERR_NOMEM, "seqeval report: out of memory");
	}
	*out = b.s;
	return XNR_OK;
}
