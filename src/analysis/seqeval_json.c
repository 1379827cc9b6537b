/*
 * seqeval_json.c - seqeval's classification_report output_dict layout of a
 * report (seqeval_json.h), written once for the run summary and the Metrics
 * page so both answer the same JSON.
 */
#include <math.h>

#include "analysis/seqeval_json.h"

static json_t *real_or_null(double x)
{
	return isnan(x) ? json_null() : json_real(x);
}

static json_t *prf_json(const struct xnr_prf *p)
{
	return json_pack("{s:o,s:o,s:o,s:I}", "precision", real_or_null(p->precision), "recall",
	                 real_or_null(p->recall), "f1-score", real_or_null(p->f1), "support",
	                 (json_int_t)p->support);
}

json_t *xnr_seqeval_report_json(const struct xnr_seqeval_report *r)
{
	json_t *o = json_object();
	size_t k;

	for (k = 0; o && k < r->n_classes; k++)
		if (json_object_set_new(o, r->classes[k].name, prf_json(&r->classes[k].score)) != 0)
			goto fail;
	if (!o || json_object_set_new(o, "micro avg", prf_json(&r->micro)) != 0 ||
	    json_object_set_new(o, "macro avg", prf_json(&r->macro)) != 0 ||
	    json_object_set_new(o, "weighted avg", prf_json(&r->weighted)) != 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}
