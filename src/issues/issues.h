/*
 * issues.h - label issues of a stored run (issue #9): which words, entities
 * and sentences of a dataset are probably labelled wrong, from independent
 * signals, each kept: the model's confidence (cleanlab's confident learning
 * and scores), the labels of a word's neighbours in hidden-state space (in
 * its own split and in a reference split, e.g. the training data), the
 * consistency of a surface string's labels (in the split and the
 * reference), and ill-formed tag sequences; a combined score ranks them.
 * With a reference: what the split shares with it (leakage).
 *
 * xnr_issues_compute runs the reference split through the run's model when
 * asked (xnr_pipeline_run: a stored run with the same key is reused),
 * computes every signal and writes the scores in one transaction that
 * replaces the run's earlier ones (store/scores.h, docs/schema.md). The
 * JSON functions are the API of the Label issues page and `explainer issues
 * --json`. docs/architecture.md ("Label issues") has the definitions.
 */
#ifndef XNR_ISSUES_ISSUES_H
#define XNR_ISSUES_ISSUES_H

#include <jansson.h>
#include <stdint.h>

#include "core/ctl.h"
#include "core/status.h"
#include "store/scores.h"
#include "store/store.h"

/* The version of the scoring method, stored with the scores: scores of an
 * older method are recomputed (2: a word between the edges of a multi-word
 * entity has no consistency score of its own; 3: neighbours disagree by
 * tag, B- against I- too, not by entity class; 4: a neighbour's vote is its
 * cosine, averaged over the k, not the cosine-weighted share). */
#define XNR_ISSUES_METHOD 4

/* Weights of the combined score (docs/architecture.md says how they were
 * chosen). A missing signal's weight is shared out among the others. */
struct xnr_issue_weights {
	double confidence, neighbours, consistency;
	double over_confident; /* the confidence weight's factor when over-confident */
};

struct xnr_issues_params {
	int64_t run;           /* 0: the newest run */
	const char *reference; /* CoNLL / JSONL file or folder of the reference split, or NULL */
	const char *split;     /* its split (folder): NULL: train */
	const char *label_map; /* the reference's label map; NULL: the run's */
	int k;                 /* neighbours, 1..256 */
	int threads;           /* compute threads, 1..256 */
	int recompute;         /* 1: even when scores with these settings exist */
	struct xnr_issue_weights weights;
	/* Called with a problem that does not stop the scores, e.g. "run 3
	 * stores no hidden states: the neighbour signal is left out". */
	void (*on_warning)(void *ud, const char *msg);
	void *hook_ud;
};

/* k = 10, 1 thread, the measured weights, no reference. */
struct xnr_issues_params xnr_issues_default_params(void);

struct xnr_issues_outcome {
	int64_t run, reference_run; /* reference_run 0: none */
	int reused;                 /* 1: stored scores with these settings were kept */
	int reference_reused;       /* 1: the reference split's run was already stored */
	double seconds;
};

/*
 * Compute (or reuse) the label-issue scores of a run of the database at
 * path (opened read-write). ctl may be NULL; progress stages "reference",
 * "signals", "neighbours", "scores"; cancel: XNR_ERR_CANCELLED, nothing
 * written. A run without hidden states gets every other signal (the
 * neighbour signal is left out, on_warning says so). Errors: those of the
 * store (XNR_ERR_NOT_FOUND for an unknown run), of the reference's run
 * (its data, its labels: a label the model does not have is
 * XNR_ERR_MISMATCH, mapped with label_map), XNR_ERR_INPUT (a parameter out
 * of range), XNR_ERR_NOMEM. One call per database at a time.
 */
XNR_MUST_CHECK enum xnr_status
xnr_issues_compute(const char *path, const struct xnr_issues_params *p, const struct xnr_ctl *ctl,
                   struct xnr_issues_outcome *out, struct xnr_error *err);

/* ---- JSON (docs/api.md "Label issues"); every value returned is new ---- */

/* How run's scores were computed, what they found, the out-of-sample note
 * and, with a reference, the leakage. XNR_ERR_NOT_FOUND when not scored. */
XNR_MUST_CHECK enum xnr_status xnr_issues_summary_json(struct xnr_store *s, int64_t run,
                                                       json_t **out, struct xnr_error *err);

/* One page of ranked items: {"run", "level", "total", "offset", "limit",
 * "items": [...]}; sentences come with their words (text, gold, pred and
 * scores), entities and words with their sentence. */
XNR_MUST_CHECK enum xnr_status xnr_issues_list_json(struct xnr_store *s,
                                                    const struct xnr_issue_query *q, json_t **out,
                                                    struct xnr_error *err);

/* One word's evidence: its sentence with gold and predicted labels, every
 * label's probability, the confident-learning verdict, its neighbours in
 * the split and the reference (sentence id, sentence text, word, label,
 * similarity), the labels of the same string elsewhere (counts, and up to
 * 10 places in the split and the reference). */
XNR_MUST_CHECK enum xnr_status xnr_issues_word_json(struct xnr_store *s, int64_t run,
                                                    int sentence_id, int idx, json_t **out,
                                                    struct xnr_error *err);

#endif
