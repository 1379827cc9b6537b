/*
 * run.h - what cmd_run.c (options, data, model, the run loop) and
 * run_write.c (rows, entities and the summary of each sentence) share.
 */
#ifndef XNR_CLI_RUN_H
#define XNR_CLI_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/tagset.h"
#include "core/status.h"
#include "data/dataset.h"
#include "infer/infer.h"
#include "store/store.h"

struct xnr_run_opts {
	const char *model, *data, *split, *output;
	const char *labels, *label_map;
	int limit, sample, seed, tag_column, threads, max_length, quiet;
};

struct xnr_run_ctx {
	struct xnr_run_opts opts;
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
enum xnr_status xnr_run_write_sentence(struct xnr_run_ctx *x, size_t i, int doc_id,
                                       const struct xnr_result *r, struct xnr_error *err);

/* The seqeval reports (default and strict) as JSON text (caller frees), and
 * the default-mode report as text in *report (caller frees). */
enum xnr_status xnr_run_summary(struct xnr_run_ctx *x, const char *scheme_json, char **json,
                                char **report, struct xnr_error *err);

#endif
