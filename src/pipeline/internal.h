/*
 * internal.h - what run.c (data, model, key, the run loop), run_write.c
 * (rows, entities and the summary of each sentence), shard.c and merge.c
 * share.
 */
#ifndef XNR_PIPELINE_INTERNAL_H
#define XNR_PIPELINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/seqeval.h"
#include "analysis/tagset.h"
#include "core/status.h"
#include "data/dataset.h"
#include "infer/infer.h"
#include "pipeline/pipeline.h"
#include "report/report.h"
#include "store/store.h"

struct xnr__run {
	const struct xnr_run_opts *opts; /* borrowed */
	/* the data, read twice: counts, labels and scheme, then chunk by chunk */
	struct xnr_dataset_stream *stream;
	const struct xnr_dataset *info; /* the stream's: path, split, labels */
	struct xnr_scheme_tally tally;
	int convert; /* the data's tags are converted to the model's scheme `to` */
	enum xnr_scheme to;
	struct xnr_engine *engine;
	const struct xnr_model_config *cfg;
	struct xnr_run_writer *writer;
	struct xnr_tagset *tags; /* the model's labels, tag id = label id */
	int32_t *label_ids;      /* dataset label id (converted when convert) -> model label id */
	int32_t o_label; /* the model's "O" (or 0): the prediction of a word with no token */
	/* The sentences run: positions [sel_base, sel_base + n_sel) of a selection
	 * of n_total sentences of the file's n_file; a position's sentence is sel[p -
	 * sel_base] with a sample, else the file's sentence p. Sentence ids are
	 * positions. */
	size_t *sel;
	size_t n_sel, sel_base, n_total, n_file;
	/* a shard: each document's first sentence in the file (the cuts keep
	 * documents whole) */
	size_t *doc_first;
	size_t n_docs;
	/* one chunk's words back to back: gold and predicted model label ids,
	 * and the probability of the predicted one (NaN: a word without a
	 * sub-token) */
	int32_t *gold, *pred, *conv;
	double *conf;
	size_t *sent_start;
	size_t cap_words;
	/* the running counts of the summary and of the metrics kept (report.h) */
	struct xnr_run_metrics_acc *macc;
	size_t n_correct, n_scored;
	size_t n_done; /* sentences written */
	long n_words, n_tokens;
};

/* The settings of a shard run (docs/schema.md): "I/N", the key of the
 * whole run, its first sentence id and the whole selection's size. */
#define XNR__SHARD_SLICE   "shard"
#define XNR__SHARD_RUN_KEY "shard.run_key"
#define XNR__SHARD_FIRST   "shard.first_sentence"
#define XNR__SHARD_TOTAL   "shard.total_sentences"

/* Cut the selection down to the slice x->opts->shard_index of shard_count
 * (nothing to do when shard_count is 0): sel_base, n_total and n_sel set. */
void xnr__run_shard(struct xnr__run *x);

/* The key of a shard from the key of the whole run (hex, XNR_SHA256_HEX). */
XNR_MUST_CHECK enum xnr_status xnr__shard_key(const char *run_key, int index, int count, char *out,
                                              struct xnr_error *err);

/* The settings that make a run a shard (docs/schema.md, "Shards"): its
 * slice, the key of the whole run and the whole selection's size. */
XNR_MUST_CHECK enum xnr_status xnr__shard_settings(struct xnr__run *x, const char *run_key,
                                                   struct xnr_error *err);

/* Write sentence s of chunk (the run's sentence id i, gold its words' model
 * label ids) and its words, tokens and entities from its engine result; the
 * predicted ids into pred, their probabilities into conf. */
XNR_MUST_CHECK enum xnr_status
xnr__run_write_sentence(struct xnr__run *x, const struct xnr_dataset *chunk,
                        const struct xnr_sentence *s, size_t i, const int32_t *gold, int32_t *pred,
                        double *conf, const struct xnr_result *r, struct xnr_error *err);

/* Add n sentences (words sent_start[0..n] of gold and pred, conf their
 * predictions' probabilities) to the summary's and the metrics' running
 * counts. */
XNR_MUST_CHECK enum xnr_status xnr__run_score(struct xnr__run *x, size_t n,
                                              const size_t *sent_start, const int32_t *gold,
                                              const int32_t *pred, const double *conf,
                                              struct xnr_error *err);

/* The seqeval reports (default and strict) of the sentences scored, as JSON
 * text (caller frees), and the default-mode report as text in *report
 * (caller frees). */
XNR_MUST_CHECK enum xnr_status xnr__run_summary(struct xnr__run *x, const char *scheme_json,
                                                char **json, char **report, struct xnr_error *err);

/* Keep what the run's readers would compute from all of it (report.h:
 * the metrics of the sentences scored, the loss tables by word, sub-token
 * and gold label read back from its rows) for the committed run `run` of
 * store, its labels and scheme as stored. Best effort, as the server keeps
 * them: the run stands without them (a reader computes them when first
 * asked), so a failure is out->warning, not the run's. */
void xnr__run_keep(struct xnr__run *x, struct xnr_store *store, int64_t run,
                   const char *const *labels, int n_labels, const char *scheme_json,
                   struct xnr_run_outcome *out);

#endif
