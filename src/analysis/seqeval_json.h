/*
 * seqeval_json.h - a seqeval report (seqeval.h) as the JSON of seqeval
 * 1.2.2's classification_report(..., output_dict=True): one entry per
 * entity type, then "micro avg", "macro avg" and "weighted avg", each
 * {"precision", "recall", "f1-score", "support"}. The run summary
 * (pipeline) and the Metrics page (report) both write it.
 */
#ifndef XNR_ANALYSIS_SEQEVAL_JSON_H
#define XNR_ANALYSIS_SEQEVAL_JSON_H

#include <jansson.h>

#include "analysis/seqeval.h"

/* A new JSON object for r (owned by the caller), or NULL when out of
 * memory. A NaN score (macro average with no class: numpy gives NaN) is not
 * JSON and becomes null. Reads r only; thread safe. */
json_t *xnr_seqeval_report_json(const struct xnr_seqeval_report *r);

#endif
