/*
 * nervaluate.c - nervaluate 1.x categories (see nervaluate.h). Each scheme
 * is the greedy matcher of strategies.py: for every prediction in list
 * order, the first not-yet-matched gold (in list order) that qualifies
 * decides its category, so results depend on order (nervaluate #39/#40).
 * Overlap is |[max start, min end]| / |gold| · 100 with inclusive ends.
 */
#include "analysis/nervaluate.h"

#include <stdlib.h>
#include <string.h>

struct xnr_nerval_params xnr_nerval_default_params(void)
{
	return (struct xnr_nerval_params){1.0, 0, NULL, 0};
}

const char *xnr_nerval_scheme_name(enum xnr_nerval_scheme scheme)
{
	static const char *const names[] = {"strict", "exact", "partial", "ent_type"};
	return (unsigned)scheme < XNR_NERVAL_N_SCHEMES ? names[scheme] : "?";
}

enum xnr_status xnr_nerval_entities_from_bio(const struct xnr_tagged_corpus *c, const int32_t *ids,
                                             const char *side, struct xnr_entities *out,
                                             struct xnr_error *err)
{
	struct xnr_entities e = {0};
	enum xnr_status st = xnr_tagged_corpus_check_side(c, ids, "nervaluate", err);
	if (st != XNR_OK)
		return st;
	for (size_t s = 0; s < c->n_sents; s++) {
		size_t a = c->sent_start[s], n = c->sent_start[s + 1] - a;
		int open = 0;
		uint32_t type = 0;
		int64_t start = 0;
		for (size_t w = 0; w < n; w++) {
			const struct xnr_tag_info *ti = xnr_tagset_tag(c->tags, ids[a + w]);
			int is_o = ti->name_len == 1 && ti->name[0] == 'O';
			if (is_o) {
				if (open && xnr_entities_push(&e, type, s, start, (int64_t)w) != 0)
					goto nomem;
				open = 0;
				continue;
			}
			if (open && type == ti->type_nerval && ti->name[0] != 'B')
				continue;
			if (open && xnr_entities_push(&e, type, s, start, (int64_t)w) != 0)
				goto nomem;
			if (!ti->nerval_bi) {
				xnr_entities_free(&e);
				return xnr_fail(
				    err, XNR_ERR_INPUT,
				    "%s tags: sentence %zu, word %zu: invalid tag format '%s' "
				    "(nervaluate reads only O, B-X and I-X)",
				    side, s, w, ti->name);
			}
			open = 1;
			type = ti->type_nerval;
			start = (int64_t)w;
		}
		if (open && xnr_entities_push(&e, type, s, start, (int64_t)n) != 0)
			goto nomem;
	}
	xnr_entities_free(out);
	*out = e;
	return XNR_OK;
nomem:
	xnr_entities_free(&e);
	return xnr_fail(err, XNR_ERR_NOMEM, "nervaluate: out of memory");
}

static int sufficient_overlap(const struct xnr_entity *p, const struct xnr_entity *g, double min)
{
	/* [start, end) here; nervaluate's ends are inclusive */
	if (p->start > g->end - 1 || p->end - 1 < g->start)
		return 0;
	int64_t lo = p->start > g->start ? p->start : g->start;
	int64_t hi = p->end < g->end ? p->end : g->end;
	return ((double)(hi - lo) / (double)(g->end - g->start)) * 100.0 >= min;
}

/* One document, one scheme: strategies.py's loop. matched has ng slots. */
static void match_doc(enum xnr_nerval_scheme sc, const struct xnr_entity *const *g, size_t ng,
                      const struct xnr_entity *const *p, size_t np, double min,
                      unsigned char *matched, struct xnr_nerval_counts *out)
{
	memset(matched, 0, ng);
	for (size_t i = 0; i < np; i++) {
		int found = 0;
		for (size_t j = 0; j < ng && !found; j++) {
			if (matched[j])
				continue;
			int bounds = p[i]->start == g[j]->start && p[i]->end == g[j]->end;
			int label = p[i]->type == g[j]->type;
			int64_t *cat = NULL;
			if ((sc == XNR_NERVAL_STRICT && bounds && label) ||
			    (sc == XNR_NERVAL_EXACT && bounds))
				cat = &out->correct;
			else if (sufficient_overlap(p[i], g[j], min))
				cat = sc == XNR_NERVAL_PARTIAL
				          ? (bounds ? &out->correct : &out->partial)
				      : sc == XNR_NERVAL_ENT_TYPE
				          ? (label ? &out->correct : &out->incorrect)
				          : &out->incorrect;
			if (cat) {
				(*cat)++;
				matched[j] = 1;
				found = 1;
			}
		}
		out->spurious += !found;
	}
	for (size_t j = 0; j < ng; j++)
		out->missed += !matched[j];
}

static void finish(struct xnr_nerval_counts *c, int half_credit)
{
	c->actual = c->correct + c->incorrect + c->partial + c->spurious;
	c->possible = c->correct + c->incorrect + c->partial + c->missed;
	double num =
	    half_credit ? (double)c->correct + 0.5 * (double)c->partial : (double)c->correct;
	double p = c->actual > 0 ? num / (double)c->actual : 0;
	double r = c->possible > 0 ? num / (double)c->possible : 0;
	c->precision = p;
	c->recall = r;
	c->f1 = p + r > 0 ? 2 * (p * r) / (p + r) : 0;
}

struct doc_view {
	const struct xnr_entity **g, **p;
	size_t ng, np;
};

/* Pointers to the entities of [a, b) whose type slot passes `keep`. */
static size_t select_ents(const struct xnr_entity *v, size_t a, size_t b, const int32_t *slot,
                          int32_t want, const struct xnr_entity **out)
{
	size_t n = 0;
	for (size_t k = a; k < b; k++)
		if (slot[v[k].type] >= 0 && (want < 0 || slot[v[k].type] == want))
			out[n++] = &v[k];
	return n;
}

static int by_type_name(const void *a, const void *b)
{
	const struct xnr_nerval_type_result *x = a, *y = b;
	return strcmp(x->name, y->name);
}

static enum xnr_status pick_types(const struct xnr_entities *gold, const struct xnr_entities *pred,
                                  const struct xnr_tagset *ts, const struct xnr_nerval_params *pa,
                                  struct xnr_nerval_result *r, int32_t *slot, struct xnr_error *err)
{
	size_t nt = xnr_tagset_n_types(ts);
	for (size_t t = 0; t < nt; t++)
		slot[t] = -1;
	if (pa->types) {
		for (size_t k = 0; k < pa->n_types; k++)
			if (pa->types[k] >= nt)
				return xnr_fail(err, XNR_ERR_INPUT,
				                "nervaluate: type id %u is not in the tag set",
				                (unsigned)pa->types[k]);
			else if (slot[pa->types[k]] < 0)
				slot[pa->types[k]] = 0;
	} else {
		for (size_t k = 0; k < gold->n; k++)
			slot[gold->v[k].type] = 0;
		for (size_t k = 0; k < pred->n; k++)
			slot[pred->v[k].type] = 0;
	}
	size_t n = 0;
	for (size_t t = 0; t < nt; t++)
		n += slot[t] == 0;
	r->types = calloc(n ? n : 1, sizeof(*r->types));
	if (!r->types)
		return xnr_fail(err, XNR_ERR_NOMEM, "nervaluate: out of memory");
	if (pa->types) {
		for (size_t k = 0; k < pa->n_types; k++)
			if (slot[pa->types[k]] == 0) {
				slot[pa->types[k]] = 1;
				r->types[r->n_types++].type = pa->types[k];
			}
	} else {
		for (size_t t = 0; t < nt; t++)
			if (slot[t] == 0)
				r->types[r->n_types++].type = (uint32_t)t;
	}
	for (size_t k = 0; k < r->n_types; k++)
		r->types[k].name = xnr_tagset_type(ts, r->types[k].type);
	if (!pa->types)
		qsort(r->types, r->n_types, sizeof(*r->types), by_type_name);
	for (size_t k = 0; k < r->n_types; k++)
		slot[r->types[k].type] = (int32_t)k;
	return XNR_OK;
}

static enum xnr_status check_entities(const struct xnr_entities *e, size_t n_docs, size_t nt,
                                      const char *side, size_t *max_doc, struct xnr_error *err)
{
	size_t run = 0;
	for (size_t k = 0; k < e->n; k++) {
		const struct xnr_entity *x = &e->v[k];
		if (x->sent >= n_docs || (k && x->sent < e->v[k - 1].sent) || x->type >= nt ||
		    x->end <= x->start)
			return xnr_fail(
			    err, XNR_ERR_INPUT,
			    "nervaluate: %s entity %zu: document %u out of range or order, "
			    "unknown type or empty span",
			    side, k, (unsigned)x->sent);
		run = k && x->sent == e->v[k - 1].sent ? run + 1 : 1;
		*max_doc = run > *max_doc ? run : *max_doc;
	}
	return XNR_OK;
}

enum xnr_status xnr_nerval_evaluate(const struct xnr_entities *gold,
                                    const struct xnr_entities *pred, size_t n_docs,
                                    const struct xnr_tagset *ts,
                                    const struct xnr_nerval_params *params,
                                    struct xnr_nerval_result *out, struct xnr_error *err)
{
	struct xnr_nerval_result r = {0};
	size_t nt = xnr_tagset_n_types(ts), max_doc = 1;
	int32_t *slot = NULL;
	void *buf = NULL;
	enum xnr_status st;
	if (!params ||
	    !(params->min_overlap_percent >= 1.0 && params->min_overlap_percent <= 100.0))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "nervaluate: min_overlap_percent must be between 1 and 100");
	st = check_entities(gold, n_docs, nt, "gold", &max_doc, err);
	if (st == XNR_OK)
		st = check_entities(pred, n_docs, nt, "predicted", &max_doc, err);
	if (st != XNR_OK)
		return st;
	slot = malloc((nt ? nt : 1) * sizeof(*slot));
	buf = malloc(max_doc * (2 * sizeof(struct xnr_entity *) + 1));
	if (!slot || !buf) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "nervaluate: out of memory");
		goto fail;
	}
	st = pick_types(gold, pred, ts, params, &r, slot, err);
	if (st != XNR_OK)
		goto fail;
	const struct xnr_entity **gv = buf, **pv = gv + max_doc;
	unsigned char *matched = (unsigned char *)(pv + max_doc);
	size_t gi = 0, pi = 0;
	for (size_t d = 0; d < n_docs && (gi < gold->n || pi < pred->n); d++) {
		size_t g0 = gi, p0 = pi;
		while (gi < gold->n && gold->v[gi].sent == d)
			gi++;
		while (pi < pred->n && pred->v[pi].sent == d)
			pi++;
		for (int32_t want = -1; want < (int32_t)r.n_types; want++) {
			size_t ng = select_ents(gold->v, g0, gi, slot, want, gv);
			size_t np = select_ents(pred->v, p0, pi, slot, want, pv);
			struct xnr_nerval_counts *c =
			    want < 0 ? r.overall : r.types[want].by_scheme;
			for (int sc = 0; sc < XNR_NERVAL_N_SCHEMES; sc++)
				match_doc((enum xnr_nerval_scheme)sc, gv, ng, pv, np,
				          params->min_overlap_percent, matched, &c[sc]);
		}
	}
	for (int sc = 0; sc < XNR_NERVAL_N_SCHEMES; sc++) {
		int half = sc == XNR_NERVAL_PARTIAL || sc == XNR_NERVAL_ENT_TYPE;
		finish(&r.overall[sc], half && !(params->compat_1_1 && n_docs >= 2));
		for (size_t k = 0; k < r.n_types; k++)
			finish(&r.types[k].by_scheme[sc], half);
	}
	free(slot);
	free(buf);
	*out = r;
	return XNR_OK;
fail:
	free(slot);
	free(buf);
	xnr_nerval_result_free(&r);
	return st;
}

static void counts_add(struct xnr_nerval_counts *a, const struct xnr_nerval_counts *b)
{
	a->correct += b->correct;
	a->incorrect += b->incorrect;
	a->partial += b->partial;
	a->missed += b->missed;
	a->spurious += b->spurious;
}

enum xnr_status xnr_nerval_result_add(struct xnr_nerval_result *sum,
                                      const struct xnr_nerval_result *piece, struct xnr_error *err)
{
	for (int sc = 0; sc < XNR_NERVAL_N_SCHEMES; sc++)
		counts_add(&sum->overall[sc], &piece->overall[sc]);
	for (size_t k = 0; k < piece->n_types; k++) {
		const struct xnr_nerval_type_result *t = &piece->types[k];
		size_t j = 0;
		while (j < sum->n_types && sum->types[j].type != t->type)
			j++;
		if (j == sum->n_types) {
			struct xnr_nerval_type_result *nt =
			    realloc(sum->types, (sum->n_types + 1) * sizeof(*nt));
			if (!nt)
				return xnr_fail(err, XNR_ERR_NOMEM, "nervaluate: out of memory");
			sum->types = nt;
			memset(&nt[j], 0, sizeof(nt[j]));
			nt[j].type = t->type;
			nt[j].name = t->name;
			sum->n_types++;
		}
		for (int sc = 0; sc < XNR_NERVAL_N_SCHEMES; sc++)
			counts_add(&sum->types[j].by_scheme[sc], &t->by_scheme[sc]);
	}
	return XNR_OK;
}

enum xnr_status xnr_nerval_result_finish(struct xnr_nerval_result *r,
                                         const struct xnr_nerval_params *params, size_t n_docs,
                                         struct xnr_error *err)
{
	if (!params || params->types)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "nervaluate: results in pieces are over all the types seen");
	if (r->n_types)
		qsort(r->types, r->n_types, sizeof(*r->types), by_type_name);
	for (int sc = 0; sc < XNR_NERVAL_N_SCHEMES; sc++) {
		int half = sc == XNR_NERVAL_PARTIAL || sc == XNR_NERVAL_ENT_TYPE;
		finish(&r->overall[sc], half && !(params->compat_1_1 && n_docs >= 2));
		for (size_t k = 0; k < r->n_types; k++)
			finish(&r->types[k].by_scheme[sc], half);
	}
	return XNR_OK;
}

void xnr_nerval_result_free(struct xnr_nerval_result *r)
{
	if (!r)
		return;
	free(r->types);
	memset(r, 0, sizeof(*r));
}
