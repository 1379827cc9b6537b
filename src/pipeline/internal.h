/*
 * internal.h - what run.c (data, model, key, the run loop) and run_write.c
 * (rows, entities and the summary of each sentence) share.
 */
#ifndef XNR_PIPELINE_INTERNAL_H
#define XNR_PIPELINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/tagset.h"
#include "core/status.h"
#include "data/dataset.h"
#include "infer/infer.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

struct xnr__run {
	const struct xnr_run_opts *opts; /* borrowed */
	struct xnr_dataset *ds;
	struct xnr_engine *engine;
	const struct xnr_model_config *cfg;
	struct xnr_run_writer *writer;
	struct xnr_tagset *tags; /* the model's labels, tag id = label id */
	int32_t *label_ids;      /* dataset label id -> model label id */
	int32_t o_label; /* the model's "O" (or 0): the prediction of a word with no token */
	size_t *sel;     /* the sentences run, dataset indices in order */
	size_t n_sel;
	/* every run word's gold and predicted model label ids, for the summary */
	int32_t *gold, *pred;
	size_t *sent_start; /* (n_sel + 1) */
	long n_words, n_tokens;
};

/* Write sentence i of the run (dataset sentence x->sel[i]) and its words,
 * tokens and entities from its engine result; record gold/pred for the summary. */
XNR_MUST_CHECK enum xnr_status xnr__run_write_sentence(struct xnr__run *x, size_t i, int doc_id,
                                                       const struct xnr_result *r,
                                                       struct xnr_error *err);

/* The seqeval reports (default and strict) as JSON text (caller frees), and
 * the default-mode report as text in *report (caller frees). */
XNR_MUST_CHECK enum xnr_status xnr__run_summary(struct xnr__run *x, const char *scheme_json,
                                                char **json, char **report, struct xnr_error *err);

#endif
