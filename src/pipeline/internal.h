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
	/* a shard: sel is slice [sel_base, sel_base + n_sel) of a selection of
	 * n_total sentences, and sentence ids count from sel_base */
	size_t sel_base, n_total;
	/* every run word's gold and predicted model label ids, for the summary */
	int32_t *gold, *pred;
	size_t *sent_start; /* (n_sel + 1) */
	long n_words, n_tokens;
};

/* The settings of a shard run (docs/schema.md): "I/N", the key of the
 * whole run, its first sentence id and the whole selection's size. */
#define XNR__SHARD_SLICE   "shard"
#define XNR__SHARD_RUN_KEY "shard.run_key"
#define XNR__SHARD_FIRST   "shard.first_sentence"
#define XNR__SHARD_TOTAL   "shard.total_sentences"

/* Cut x->sel down to the slice x->opts->shard_index of shard_count
 * (nothing to do when shard_count is 0): sel_base, n_total and n_sel set. */
void xnr__run_shard(struct xnr__run *x);

/* The key of a shard from the key of the whole run (hex, XNR_SHA256_HEX). */
XNR_MUST_CHECK enum xnr_status xnr__shard_key(const char *run_key, int index, int count, char *out,
                                              struct xnr_error *err);

/* The settings that make a run a shard (docs/schema.md, "Shards"): its
 * slice, the key of the whole run and the whole selection's size. */
XNR_MUST_CHECK enum xnr_status xnr__shard_settings(struct xnr__run *x, const char *run_key,
                                                   struct xnr_error *err);

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
