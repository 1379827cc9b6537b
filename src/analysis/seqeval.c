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

/* Add the entities of one corpus to cnt (true, pred, tp per type). */
static void tally(int64_t *cnt, const struct xnr_entities *g, const struct xnr_entities *p)
{
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
}

/* The report's classes from the counts of nt types. */
static int classes_from(struct xnr_seqeval_report *r, const struct xnr_tagset *ts,
                        const int64_t *cnt, size_t nt)
{
	size_t n = 0;
	for (size_t t = 0; t < nt; t++)
		n += cnt[3 * t] || cnt[3 * t + 1];
	r->classes = calloc(n ? n : 1, sizeof(*r->classes));
	if (!r->classes)
		return -1;
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
	return 0;
}

static int count_classes(struct xnr_seqeval_report *r, const struct xnr_tagset *ts)
{
	size_t nt = xnr_tagset_n_types(ts);
	int64_t *cnt = calloc(nt ? 3 * nt : 1, sizeof(*cnt)); /* true, pred, tp per type */
	if (!cnt)
		return -1;
	tally(cnt, &r->gold, &r->pred);
	int rc = classes_from(r, ts, cnt, nt);
	free(cnt);
	return rc;
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

/* Sorted rows, their scores and the averages, once the classes are counted. */
static int finish(struct xnr_seqeval_report *r, double zd)
{
	qsort(r->classes, r->n_classes, sizeof(*r->classes), by_name);
	for (size_t k = 0; k < r->n_classes; k++) {
		struct xnr_seqeval_class *cl = &r->classes[k];
		prf(cl->n_correct, cl->n_pred, cl->n_true, zd, &cl->score);
	}
	return averages(r, zd);
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
	if (finish(&r, params->zero_division) != 0)
		goto nomem;
	*out = r;
	return XNR_OK;
nomem:
	st = xnr_fail(err, XNR_ERR_NOMEM, "seqeval: out of memory");
fail:
	xnr_seqeval_report_free(&r);
	return st;
}

/* One way of counting (default mode, or strict mode in one scheme) over a
 * corpus seen in pieces: its counts, each side's scan, and the first
 * problem of each side (strict mode: a tag outside the scheme). */
struct acc_way {
	int64_t *cnt; /* (3 * nt) true, pred, tp per type */
	struct xnr_entity_scan gold, pred;
	int gold_failed, pred_failed;
	struct xnr_error gold_err, pred_err;
};

struct xnr_seqeval_acc {
	const struct xnr_tagset *tags;
	size_t nt;       /* types counted so far (the tag set may grow) */
	size_t n_words;  /* words added so far */
	unsigned prefix; /* gold prefixes, for strict mode's scheme detection */
	int detect_failed;
	struct xnr_error detect_err;
	struct acc_way way[XNR_SEQEVAL_SCHEME_COUNT]; /* [AUTO]: default mode */
};

enum xnr_status xnr_seqeval_acc_open(const struct xnr_tagset *tags, struct xnr_seqeval_acc **out,
                                     struct xnr_error *err)
{
	struct xnr_seqeval_acc *a = calloc(1, sizeof(*a));
	if (!a)
		return xnr_fail(err, XNR_ERR_NOMEM, "seqeval: out of memory");
	a->tags = tags;
	for (int k = 0; k < XNR_SEQEVAL_SCHEME_COUNT; k++) {
		xnr_entity_scan_init(&a->way[k].gold);
		xnr_entity_scan_init(&a->way[k].pred);
	}
	*out = a;
	return XNR_OK;
}

void xnr_seqeval_acc_close(struct xnr_seqeval_acc *a)
{
	if (!a)
		return;
	for (int k = 0; k < XNR_SEQEVAL_SCHEME_COUNT; k++)
		free(a->way[k].cnt);
	free(a);
}

/* Grow every way's counts to the tag set's types. */
static int acc_reserve(struct xnr_seqeval_acc *a)
{
	size_t nt = xnr_tagset_n_types(a->tags);
	if (nt <= a->nt && a->way[0].cnt)
		return 0;
	for (int k = 0; k < XNR_SEQEVAL_SCHEME_COUNT; k++) {
		int64_t *c = realloc(a->way[k].cnt, (nt ? 3 * nt : 1) * sizeof(*c));
		if (!c)
			return -1;
		memset(c + 3 * a->nt, 0, (nt - a->nt) * 3 * sizeof(*c));
		a->way[k].cnt = c;
	}
	a->nt = nt;
	return 0;
}

/* Extract one side into e; a strict-mode XNR_ERR_INPUT is kept as the
 * side's problem (the whole corpus would have failed there), not returned. */
static enum xnr_status acc_side(const struct xnr_tagged_corpus *c, const int32_t *ids,
                                const char *side, int k, struct xnr_entity_scan *scan, int *failed,
                                struct xnr_error *side_err, struct xnr_entities *e,
                                struct xnr_error *err)
{
	enum xnr_seqeval_mode mode =
	    k == XNR_SEQEVAL_AUTO ? XNR_SEQEVAL_DEFAULT : XNR_SEQEVAL_STRICT;
	enum xnr_status st = xnr_entities_extract_next(
	    c, ids, side, mode, (enum xnr_seqeval_scheme)k, scan, e, side_err);
	if (st == XNR_ERR_INPUT && mode == XNR_SEQEVAL_STRICT) {
		*failed = 1;
		return XNR_OK;
	}
	if (st != XNR_OK && err)
		*err = *side_err;
	return st;
}

static enum xnr_status acc_way_add(struct acc_way *w, int k, const struct xnr_tagged_corpus *c,
                                   struct xnr_error *err)
{
	struct xnr_entities g = {0}, p = {0};
	enum xnr_status st = XNR_OK;

	if (!w->gold_failed)
		st = acc_side(c, c->gold, "gold", k, &w->gold, &w->gold_failed, &w->gold_err, &g,
		              err);
	if (st == XNR_OK && !w->gold_failed && !w->pred_failed)
		st = acc_side(c, c->pred, "predicted", k, &w->pred, &w->pred_failed, &w->pred_err,
		              &p, err);
	if (st == XNR_OK && !w->gold_failed && !w->pred_failed)
		tally(w->cnt, &g, &p);
	xnr_entities_free(&g);
	xnr_entities_free(&p);
	return st;
}

enum xnr_status xnr_seqeval_acc_add(struct xnr_seqeval_acc *a, const struct xnr_tagged_corpus *c,
                                    struct xnr_error *err)
{
	enum xnr_status st = xnr_tagged_corpus_check(c, err);
	if (st != XNR_OK)
		return st;
	if (acc_reserve(a) != 0)
		return xnr_fail(err, XNR_ERR_NOMEM, "seqeval: out of memory");
	if (!a->detect_failed &&
	    xnr_seqeval_gold_prefixes(c, a->n_words, &a->prefix, &a->detect_err) != XNR_OK)
		a->detect_failed = 1;
	for (int k = 0; k < XNR_SEQEVAL_SCHEME_COUNT && st == XNR_OK; k++)
		st = acc_way_add(&a->way[k], k, c, err);
	if (st == XNR_OK)
		a->n_words += c->sent_start[c->n_sents];
	return st;
}

/* Strict mode's way: the scheme asked for, or the one the gold prefixes detect. */
static enum xnr_status acc_strict_way(const struct xnr_seqeval_acc *a,
                                      enum xnr_seqeval_scheme *scheme, struct xnr_error *err)
{
	if (*scheme == XNR_SEQEVAL_AUTO) {
		if (a->detect_failed) {
			if (err)
				*err = a->detect_err;
			return a->detect_err.status;
		}
		return xnr_seqeval_scheme_of_prefixes(a->prefix, scheme, err);
	}
	if (*scheme >= XNR_SEQEVAL_SCHEME_COUNT)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "entities: strict mode needs a scheme (detect it first)");
	return XNR_OK;
}

enum xnr_status xnr_seqeval_acc_report(const struct xnr_seqeval_acc *a,
                                       const struct xnr_seqeval_params *params,
                                       struct xnr_seqeval_report *out, struct xnr_error *err)
{
	struct xnr_seqeval_report r = {0};
	const struct acc_way *w;
	enum xnr_status st;

	if (!params || (params->zero_division != 0.0 && params->zero_division != 1.0))
		return xnr_fail(err, XNR_ERR_INPUT, "seqeval: zero_division must be 0 or 1");
	r.mode = params->mode;
	r.scheme = params->scheme;
	if (r.mode == XNR_SEQEVAL_STRICT && (st = acc_strict_way(a, &r.scheme, err)) != XNR_OK)
		return st;
	w = &a->way[r.mode == XNR_SEQEVAL_STRICT ? r.scheme : XNR_SEQEVAL_AUTO];
	if (w->gold_failed || w->pred_failed) {
		const struct xnr_error *e = w->gold_failed ? &w->gold_err : &w->pred_err;
		if (err)
			*err = *e;
		return e->status;
	}
	if ((w->cnt && classes_from(&r, a->tags, w->cnt, a->nt) != 0) ||
	    (!w->cnt && !(r.classes = calloc(1, sizeof(*r.classes)))) ||
	    finish(&r, params->zero_division) != 0) {
		xnr_seqeval_report_free(&r);
		return xnr_fail(err, XNR_ERR_NOMEM, "seqeval: out of memory");
	}
	*out = r;
	return XNR_OK;
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
