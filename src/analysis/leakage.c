/*
 * leakage.c - a split against a reference split (leakage.h): the
 * reference's sentences (exact and folded) and lower-cased gold entity texts
 * are interned, with each text's count per type; the split's sentences and
 * entities are looked up, and its gold and predicted spans merged by
 * position into ExplainaBoard's cases for the seen / unseen F1.
 */
#include "analysis/leakage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"

enum { KEY_EXACT, KEY_FOLDED, KEY_ENTITY };

struct ctx {
	char *buf;
	size_t cap;
	int n_types;
	struct xnr__intern *sents[2], *ents;
	int32_t *first[2]; /* per interned sentence: the first reference sentence */
	int32_t *types;    /* per interned entity text: (n_types + 1) counts, [0] all */
	size_t first_cap[2], types_cap;
};

/* Words [b, e) of side joined by spaces into x->buf, keyed as `how`; the length, or -1. */
static long join(struct ctx *x, const struct xnr_leak_side *side, size_t b, size_t e, int how)
{
	size_t len = 0, i;

	for (i = b; i < e; i++)
		len += strlen(side->text[i] ? side->text[i] : "") + 1;
	if (len + 1 > x->cap) {
		char *g = realloc(x->buf, len + 64);
		if (!g)
			return -1;
		x->buf = g;
		x->cap = len + 64;
	}
	len = 0;
	for (i = b; i < e; i++) {
		const char *w = side->text[i] ? side->text[i] : "";
		size_t n = strlen(w);
		if (i > b)
			x->buf[len++] = ' ';
		memcpy(x->buf + len, w, n);
		len += n;
	}
	if (how != KEY_EXACT)
		xnr__fold_ascii(x->buf, len);
	for (i = 0; how == KEY_FOLDED && i < len; i++)
		if (x->buf[i] >= '0' && x->buf[i] <= '9')
			x->buf[i] = '0';
	return (long)len;
}

static int grow(int32_t **v, size_t *cap, size_t need, size_t width)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 1024;
	while (c < need)
		c *= 2;
	int32_t *g = realloc(*v, c * width * sizeof *g);
	if (!g)
		return -1;
	*v = g;
	*cap = c;
	return 0;
}

static enum xnr_status check_spans(const struct xnr_leak_side *s, const struct xnr_cons_span *v,
                                   size_t n, int n_types, struct xnr_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].sent < 0 || (size_t)v[i].sent >= s->n_sents || v[i].start < 0 ||
		    v[i].start >= v[i].end || v[i].type < 1 || v[i].type > n_types ||
		    (size_t)v[i].end > s->sent_start[v[i].sent + 1] - s->sent_start[v[i].sent])
			return xnr_fail(err, XNR_ERR_INPUT, "leakage: span %zu is out of range", i);
	return XNR_OK;
}

/* The reference's sentences and entity texts. */
static enum xnr_status index_ref(struct ctx *x, const struct xnr_leak_side *ref,
                                 struct xnr_error *err)
{
	size_t w = (size_t)x->n_types + 1;

	for (size_t s = 0; s < ref->n_sents; s++)
		for (int k = 0; k < 2; k++) {
			long len = join(x, ref, ref->sent_start[s], ref->sent_start[s + 1], k);
			int32_t id =
			    len < 0 ? -2 : xnr__intern(x->sents[k], x->buf, (size_t)len, 1);
			if (id < 0 || grow(&x->first[k], &x->first_cap[k], (size_t)id + 1, 1) != 0)
				return xnr_fail(err, XNR_ERR_NOMEM, "leakage: out of memory");
			if (id == xnr__intern_count(x->sents[k]) - 1)
				x->first[k][id] = (int32_t)s; /* new: this is its first sentence */
		}
	for (size_t i = 0; i < ref->n_gold; i++) {
		const struct xnr_cons_span *g = &ref->gold[i];
		size_t b = ref->sent_start[g->sent];
		long len = join(x, ref, b + (size_t)g->start, b + (size_t)g->end, KEY_ENTITY);
		int32_t id = len < 0 ? -2 : xnr__intern(x->ents, x->buf, (size_t)len, 1);
		if (id < 0 || grow(&x->types, &x->types_cap, (size_t)id + 1, w) != 0)
			return xnr_fail(err, XNR_ERR_NOMEM, "leakage: out of memory");
		if (id == xnr__intern_count(x->ents) - 1)
			memset(x->types + (size_t)id * w, 0, w * sizeof *x->types);
		x->types[(size_t)id * w]++;
		x->types[(size_t)id * w + (size_t)g->type]++;
	}
	return XNR_OK;
}

/* The reference counts of the text of words [b, e) (NULL: not a reference entity). */
static const int32_t *ref_counts(struct ctx *x, const struct xnr_leak_side *side, size_t b,
                                 size_t e, int *oom)
{
	long len = join(x, side, b, e, KEY_ENTITY);
	int32_t id = len < 0 ? -2 : xnr__intern(x->ents, x->buf, (size_t)len, 0);

	*oom = id == -2;
	return id >= 0 ? x->types + (size_t)id * ((size_t)x->n_types + 1) : NULL;
}

static int span_cmp(const void *pa, const void *pb)
{
	const struct xnr_cons_span *a = pa, *b = pb;
	if (a->sent != b->sent)
		return a->sent < b->sent ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->end > b->end) - (a->end < b->end);
}

static void prf_add(struct xnr_leak_prf *p, int32_t gold, int32_t pred)
{
	p->n_gold += gold > 0;
	p->n_pred += pred > 0;
	p->tp += gold > 0 && gold == pred;
}

static void prf_finish(struct xnr_leak_prf *p)
{
	p->precision = p->n_pred ? (double)p->tp / (double)p->n_pred : NAN;
	p->recall = p->n_gold ? (double)p->tp / (double)p->n_gold : NAN;
	p->f1 = p->precision + p->recall > 0
	            ? 2 * p->precision * p->recall / (p->precision + p->recall)
	        : p->n_gold || p->n_pred ? 0.0
	                                 : NAN;
}

/* One case per distinct position of the split's gold and predicted spans. */
static enum xnr_status f1_cases(struct ctx *x, const struct xnr_leak_side *s,
                                struct xnr_leak_report *r, struct xnr_error *err)
{
	size_t n = s->n_gold + s->n_pred, i, j;
	struct xnr_cons_span *v = malloc((n + 1) * sizeof *v);
	int oom = 0;

	if (!v)
		return xnr_fail(err, XNR_ERR_NOMEM, "leakage: out of memory");
	memcpy(v, s->gold, s->n_gold * sizeof *v);
	memcpy(v + s->n_gold, s->pred, s->n_pred * sizeof *v);
	for (i = 0; i < n; i++) /* pred types negative: sorted together by position */
		v[i].type = i < s->n_gold ? v[i].type : -v[i].type;
	qsort(v, n, sizeof *v, span_cmp);
	for (i = 0; i < n && !oom; i = j) {
		int32_t gold = 0, pred = 0;
		size_t b = s->sent_start[v[i].sent];
		for (j = i; j < n && span_cmp(&v[i], &v[j]) == 0; j++)
			*(v[j].type > 0 ? &gold : &pred) = v[j].type > 0 ? v[j].type : -v[j].type;
		const int32_t *c =
		    ref_counts(x, s, b + (size_t)v[i].start, b + (size_t)v[i].end, &oom);
		prf_add(c && c[0] > 0 ? &r->seen : &r->unseen, gold, pred);
		prf_add(&r->all, gold, pred);
	}
	free(v);
	if (oom)
		return xnr_fail(err, XNR_ERR_NOMEM, "leakage: out of memory");
	prf_finish(&r->seen);
	prf_finish(&r->unseen);
	prf_finish(&r->all);
	return XNR_OK;
}

/* The split's sentences and gold entities looked up in the reference. */
static enum xnr_status lookup(struct ctx *x, const struct xnr_leak_side *s,
                              struct xnr_leak_report *r, struct xnr_error *err)
{
	int oom = 0;

	for (size_t i = 0; i < s->n_sents; i++) {
		r->sent_match[i] = XNR_LEAK_NONE;
		r->sent_ref[i] = -1;
		for (int k = 0; k < 2 && r->sent_match[i] == XNR_LEAK_NONE; k++) {
			long len = join(x, s, s->sent_start[i], s->sent_start[i + 1], k);
			int32_t id =
			    len < 0 ? -2 : xnr__intern(x->sents[k], x->buf, (size_t)len, 0);
			if (id == -2)
				return xnr_fail(err, XNR_ERR_NOMEM, "leakage: out of memory");
			if (id >= 0) {
				r->sent_match[i] = k == 0 ? XNR_LEAK_EXACT : XNR_LEAK_NEAR;
				r->sent_ref[i] = x->first[k][id];
				*(k == 0 ? &r->n_exact : &r->n_near) += 1;
			}
		}
	}
	for (size_t i = 0; i < s->n_gold && !oom; i++) {
		const struct xnr_cons_span *g = &s->gold[i];
		size_t b = s->sent_start[g->sent];
		const int32_t *c = ref_counts(x, s, b + (size_t)g->start, b + (size_t)g->end, &oom);
		r->entity_seen[i] = (int8_t)(!c ? 0 : c[g->type] > 0 ? 1 : 2);
		*(r->entity_seen[i] == 0   ? &r->n_unseen
		  : r->entity_seen[i] == 1 ? &r->n_seen_same
		                           : &r->n_seen_other) += 1;
	}
	if (oom)
		return xnr_fail(err, XNR_ERR_NOMEM, "leakage: out of memory");
	r->n_entities = s->n_gold;
	return f1_cases(x, s, r, err);
}

void xnr_leak_report_free(struct xnr_leak_report *r)
{
	if (!r)
		return;
	free(r->sent_match);
	free(r->sent_ref);
	free(r->entity_seen);
	memset(r, 0, sizeof *r);
}

enum xnr_status xnr_leak_compare(const struct xnr_leak_side *split, const struct xnr_leak_side *ref,
                                 int n_types, struct xnr_leak_report *out, struct xnr_error *err)
{
	struct ctx x;
	struct xnr_leak_report r;
	enum xnr_status st;

	memset(&x, 0, sizeof x);
	memset(&r, 0, sizeof r);
	x.n_types = n_types;
	if (n_types < 1 || n_types > 1000)
		return xnr_fail(err, XNR_ERR_INPUT, "leakage: %d entity types (1..1000)", n_types);
	if ((st = check_spans(split, split->gold, split->n_gold, n_types, err)) != XNR_OK ||
	    (st = check_spans(split, split->pred, split->n_pred, n_types, err)) != XNR_OK ||
	    (st = check_spans(ref, ref->gold, ref->n_gold, n_types, err)) != XNR_OK)
		return st;
	r.n_sents = split->n_sents;
	r.sent_match = malloc(split->n_sents + 1);
	r.sent_ref = malloc((split->n_sents + 1) * sizeof *r.sent_ref);
	r.entity_seen = malloc(split->n_gold + 1);
	x.sents[0] = xnr__intern_open();
	x.sents[1] = xnr__intern_open();
	x.ents = xnr__intern_open();
	if (!r.sent_match || !r.sent_ref || !r.entity_seen || !x.sents[0] || !x.sents[1] || !x.ents)
		st = xnr_fail(err, XNR_ERR_NOMEM, "leakage: out of memory");
	if (st == XNR_OK && (st = index_ref(&x, ref, err)) == XNR_OK &&
	    (st = lookup(&x, split, &r, err)) == XNR_OK) {
		*out = r;
		memset(&r, 0, sizeof r);
	}
	xnr_leak_report_free(&r);
	xnr__intern_close(x.sents[0]);
	xnr__intern_close(x.sents[1]);
	xnr__intern_close(x.ents);
	free(x.first[0]);
	free(x.first[1]);
	free(x.types);
	free(x.buf);
	return st;
}
