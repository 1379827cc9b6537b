/*
 * pipeline.h - an analysis run as a library call: a token-classification
 * model over every sentence of a dataset split, every prediction,
 * probability, loss, hidden state and entity stored in the run database
 * (docs/schema.md) in one transaction, with the seqeval summary. The CLI's
 * `explainer run` and the web server's run jobs both call xnr_pipeline_run.
 */
#ifndef XNR_PIPELINE_PIPELINE_H
#define XNR_PIPELINE_PIPELINE_H

#include <stdint.h>

#include "core/ctl.h"
#include "core/status.h"
#include "infer/infer.h" /* enum xnr_precision (tensor/lowp.h) */

#define XNR_RUN_MAX_SHARDS 100000

/* What to run (strings borrowed for the duration of the call). */
struct xnr_run_opts {
	const char *model;     /* model folder, or a Hugging Face id (xnr_hub_resolve) */
	const char *data;      /* CoNLL or JSONL file, or a folder with train/dev/test files */
	const char *split;     /* split of a folder: "train", "dev", "test"; NULL: test */
	const char *output;    /* the database to add the run to (created if missing, when
	                        * the run succeeds) */
	const char *labels;    /* JSONL integer tags: label names in id order, comma separated */
	const char *label_map; /* rename dataset labels: "FROM=TO,FROM=TO", or NULL */
	int limit;             /* only the first N sentences; 0: all */
	int sample;            /* N sentences drawn at random with seed (not with limit); 0: none */
	int seed;
	int tag_column;   /* CoNLL column of the tag, 1-based; 0: the last */
	int threads;      /* compute threads, 1..256 */
	int max_length;   /* tokens per window including special tokens; 0: the model's */
	int hidden_f16;   /* 1: store hidden states as IEEE half (half the bytes), else float32 */
	int hidden_layer; /* 0: store the last layer's hidden states; N: layer N's (1-based,
	                   * transformers' hidden_states[N]), recorded in the options */
	enum xnr_precision precision; /* of the encoder's Linears (tensor/lowp.h); default
	                               * fp32 (exact); others recorded in the options */
	/* Run only slice shard_index (0-based) of shard_count deterministic
	 * slices of the selected sentences, documents kept whole (shard.c);
	 * shard_count 0: all of them. `explainer merge` joins the slices. */
	int shard_index, shard_count;
	/* Optional hooks, called on the calling thread with hook_ud: the number
	 * of sentences about to run (only when the run is not reused, before
	 * stage "sentences"), and a problem in the data that does not stop the
	 * run (ill-formed tag sequences), as "PATH: what". */
	void (*on_count)(void *ud, long n_sentences);
	void (*on_warning)(void *ud, const char *msg);
	void *hook_ud;
};

/* All sentences, 1 thread, no hooks; model, data and output still to set. */
struct xnr_run_opts xnr_run_default_opts(void);

struct xnr_run_outcome {
	int64_t run_id; /* > 0 */
	int reused;     /* 1: a complete run with the same key was already stored */
	long n_sentences, n_words, n_tokens;
	double seconds; /* wall time of this call */
	char *report;   /* seqeval default-mode report text; NULL when reused */
	/* what went wrong once the run was stored (its results not kept), or "" */
	char warning[XNR_ERROR_MSG_MAX + 96];
};

/*
 * Run o->model over o->data and add the run to o->output (created if
 * missing). The run's key hashes the model's files, the data file, the
 * options that change results and the ExplaiNER version; if a complete run
 * with that key is stored, it is reused (out->reused = 1, nothing written).
 *
 * The database is untouched unless the call succeeds: the run is written in
 * one transaction, rolled back on any error or on cancel. A database that did
 * not exist appears only when the run has committed (xnr_store_open_staged):
 * a failed or cancelled run leaves no new file.
 *
 * ctl may be NULL. Progress: ("loading", 0) at the start; ("sentences",
 * done / n_sentences) before the first chunk of sentences and after each;
 * ("summary", 1) when the sentences are done (also when reused). The cancel
 * flag is checked while the dataset is read (every few thousand lines),
 * between the loading stages, while waiting for another writer's lock on
 * the database, and after each chunk: XNR_ERR_CANCELLED ("run cancelled
 * (nothing was written)").
 *
 * On success *out is filled (caller frees with xnr_run_outcome_free);
 * on failure it is untouched. Errors: those of the dataset, the model, the
 * label matching and the store (XNR_ERR_NOT_FOUND with err->path for a
 * missing file; a sentence the engine cannot take gives err->path, err->line
 * of the sentence and err->item its 1-based number in the file),
 * XNR_ERR_CANCELLED, XNR_ERR_NOMEM.
 *
 * Thread safety: one call per thread; calls on different threads may run at
 * once. Each run holds its database's write transaction from its first
 * sentence to its commit; a second run into the same database waits only up
 * to the store's busy timeout (5 s, or until cancelled) and then fails, so
 * queue runs per database.
 */
XNR_MUST_CHECK enum xnr_status xnr_pipeline_run(const struct xnr_run_opts *o,
                                                const struct xnr_ctl *ctl,
                                                struct xnr_run_outcome *out, struct xnr_error *err);

/*
 * Merge the shard runs of one run (xnr_run_opts.shard_*), found in the
 * databases shards[0..n_shards), into one run in the database output
 * (created if missing), equal to the run without shards in every stored
 * value but its id, created_at and duration_s (the shards' durations
 * summed); the summary is computed again from the merged words. A shard
 * database may hold several shard runs of the run; every one of its N
 * slices must be there once.
 *
 * Checks first, then one transaction: on failure output is as it was (a
 * new file is not left behind). Errors, with the shard files named:
 * XNR_ERR_NOT_FOUND (a shard database does not exist: still running?),
 * XNR_ERR_INPUT (a file holds no complete shard run, a slice is given
 * twice or is missing, output already holds a run with the merged run's
 * key), XNR_ERR_MISMATCH (shards of another model, data, options, version
 * or N), the store's. On success *out (run id, counts, the report text;
 * reused 0) is filled; free it with xnr_run_outcome_free.
 */
XNR_MUST_CHECK enum xnr_status xnr_pipeline_merge(const char *output, const char *const *shards,
                                                  size_t n_shards, struct xnr_run_outcome *out,
                                                  struct xnr_error *err);

/* Free what an outcome owns (its report) and clear it; NULL is fine. */
void xnr_run_outcome_free(struct xnr_run_outcome *o);

#endif
