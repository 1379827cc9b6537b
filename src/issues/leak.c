/*
 * leak.c - the leakage of a split into its reference (analysis/leakage.h)
 * as the "leakage" object of the scores' summary: counts, entity F1 over
 * seen and unseen entities, and the first leaked sentences.
 */
#include <math.h>
#include <stdlib.h>

#include "analysis/leakage.h"
#include "issues/internal.h"

#define LEAK_EXAMPLES 20

static struct xnr_leak_side side(const struct xnr__corpus *c)
{
	struct xnr_leak_side s = {c->n_sents,    c->sent_start, (const char *const *)c->text,
	                          c->gold_spans, c->pred_spans, c->n_gold,
	                          c->n_pred};
	return s;
}

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *prf(const struct xnr_leak_prf *p)
{
	return json_pack("{s:I,s:I,s:I,s:o,s:o,s:o}", "tp", (json_int_t)p->tp, "gold",
	                 (json_int_t)p->n_gold, "pred", (json_int_t)p->n_pred, "precision",
	                 num(p->precision), "recall", num(p->recall), "f1", num(p->f1));
}

static json_t *examples(const struct xnr_leak_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->n_sents && json_array_size(a) < LEAK_EXAMPLES; i++)
		if (r->sent_match[i] != XNR_LEAK_NONE)
			json_array_append_new(
			    a, json_pack("{s:I,s:I,s:s}", "sentence", (json_int_t)i, "reference",
			                 (json_int_t)r->sent_ref[i], "match",
			                 r->sent_match[i] == XNR_LEAK_EXACT ? "exact" : "near"));
	return a;
}

enum xnr_status xnr__leakage(const struct xnr__corpus *split, const struct xnr__corpus *ref,
                             const struct xnr__types *t, json_t **out, struct xnr_error *err)
{
	struct xnr_leak_side a = side(split), b = side(ref);
	struct xnr_leak_report r;
	enum xnr_status st = xnr_leak_compare(&a, &b, t->n_types, &r, err);
	json_t *j;

	if (st != XNR_OK)
		return st;
	j = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "sentences",
	              (json_int_t)r.n_sents, "exact", (json_int_t)r.n_exact, "near",
	              (json_int_t)r.n_near, "entities", (json_int_t)r.n_entities, "seen_same_type",
	              (json_int_t)r.n_seen_same, "seen_other_type", (json_int_t)r.n_seen_other,
	              "unseen", (json_int_t)r.n_unseen, "f1_seen", prf(&r.seen), "f1_unseen",
	              prf(&r.unseen), "f1_all", prf(&r.all), "examples", examples(&r));
	xnr_leak_report_free(&r);
	if (!j)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	*out = j;
	return XNR_OK;
}
