/*
 * scores.h - the label-issue scores of a run in the run database
 * (docs/schema.md: issue_runs, word_scores, entity_scores, sentence_scores):
 * writing a run's scores in one transaction that replaces the ones before,
 * and the read side the `explainer issues` command, `explainer report` and
 * the server's Label issues page use: the record of how they were computed,
 * the ranked words, entities and sentences (paged, filtered by kind and
 * signal), one word's evidence (its neighbours) and the other occurrences of
 * a word. Errors as store.h and read.h; a run never scored (or a database
 * from before schema 4 read without an upgrade) is XNR_ERR_NOT_FOUND
 * "run N has no label-issue scores (run explainer issues)".
 */
#ifndef XNR_STORE_SCORES_H
#define XNR_STORE_SCORES_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "store/store.h"

/* How a run's scores were computed: one row of issue_runs. */
struct xnr_issue_run {
	int64_t run;
	int64_t reference_run; /* 0: none */
	char *created_at;      /* set by the store when written */
	char *version;         /* of ExplaiNER */
	int method;            /* the scoring method's version */
	int k;                 /* neighbours per word */
	char *weights_json;
	int over_confident; /* 1: the probabilities are in-sample, not to be trusted alone */
	char *over_confident_reason;
	double reference_accuracy; /* the model's word accuracy on the reference; NaN: none */
	int neighbours;            /* 1: the neighbour signal was computed (hidden states) */
	char *summary_json;        /* counts, thresholds, leakage */
};
void xnr_issue_run_free(struct xnr_issue_run *r); /* the fields; NULL is fine */

/* A neighbour as stored: 12 bytes, int32 sentence id, int32 word index,
 * float32 cosine similarity, little-endian. */
struct xnr_neighbour {
	int32_t sentence_id, idx;
	float sim;
};

/* One row of word_scores (strings borrowed; NaN reals and -1 ids are NULL).
 * Read back with the word's text and labels from `words`. */
struct xnr_word_score {
	int sentence_id, idx;
	double self_confidence, margin;
	int cl_issue, cl_guess;
	double knn_split, knn_ref;
	const char *knn_counts; /* JSON */
	const struct xnr_neighbour *nb, *ref_nb;
	int n_nb, n_ref_nb;
	double consistency;
	const char *consistency_counts; /* JSON */
	int structure;
	int suggested;    /* label id */
	const char *kind; /* "type", "boundary", "missing", "spurious" or NULL */
	double combined;
	long rank;
	const char *text; /* read side only: the word, its labels, its sentence's text */
	int gold, pred;
	const char *sentence;
};

/* One row of entity_scores. side: "gold" (a gold entity), "pred" (a
 * predicted entity that is no gold one), "string" (a gold entity string of
 * the split or the reference found here as O). */
struct xnr_entity_score {
	int sentence_id, start, end;
	const char *side, *type, *text;
	double self_confidence, knn, consistency;
	const char *consistency_counts;
	const char *suggested, *kind;
	double combined;
	long rank;
};

/* One row of sentence_scores: cleanlab's worst-word and softmin sentence
 * scores of the self-confidence, the combined score, its rank. */
struct xnr_sentence_score {
	int id;
	double worst, softmin, combined;
	long rank;
	int n_flagged;
	const char *text; /* read side only */
};

struct xnr_scores_writer;

/* Start writing the scores of info->run: a transaction that deletes the
 * scores it had and inserts info (its strings borrowed). Nothing is visible
 * to other connections until xnr_scores_commit. */
XNR_MUST_CHECK enum xnr_status xnr_scores_begin(struct xnr_store *s,
                                                const struct xnr_issue_run *info,
                                                struct xnr_scores_writer **out,
                                                struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_scores_add_word(struct xnr_scores_writer *w,
                                                   const struct xnr_word_score *r,
                                                   struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_scores_add_entity(struct xnr_scores_writer *w,
                                                     const struct xnr_entity_score *r,
                                                     struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_scores_add_sentence(struct xnr_scores_writer *w,
                                                       const struct xnr_sentence_score *r,
                                                       struct xnr_error *err);
/* Commit and free the writer (freed whatever happens). */
XNR_MUST_CHECK enum xnr_status xnr_scores_commit(struct xnr_scores_writer *w,
                                                 struct xnr_error *err);
/* Roll back and free; NULL is fine. */
void xnr_scores_abort(struct xnr_scores_writer *w);

/* ---- read side ---- */

/* The record of run's scores into *out (xnr_issue_run_free). */
XNR_MUST_CHECK enum xnr_status xnr_store_issue_run(struct xnr_store *s, int64_t run,
                                                   struct xnr_issue_run *out,
                                                   struct xnr_error *err);

enum xnr_issue_level { XNR_ISSUE_SENTENCE, XNR_ISSUE_ENTITY, XNR_ISSUE_WORD, XNR_ISSUE_LEVELS };

/* The signals an item can be flagged by (docs/schema.md says when). */
enum xnr_issue_filter {
	XNR_SIGNAL_ANY,
	XNR_SIGNAL_CONFIDENCE,  /* self-confidence below 0.5 */
	XNR_SIGNAL_CL,          /* a confident-learning issue */
	XNR_SIGNAL_NEIGHBOURS,  /* most of the neighbours (by similarity) in the split or the
	                           reference disagree */
	XNR_SIGNAL_CONSISTENCY, /* consistency score 0.5 or more */
	XNR_SIGNAL_STRUCTURE,   /* an ill-formed tag sequence */
	XNR_SIGNAL_COUNT
};

/* "any", "confidence", "cl", "neighbours", "consistency", "structure", in
 * enum order, then NULL (query choices). */
extern const char *const xnr_issue_signal_names[XNR_SIGNAL_COUNT + 1];

/* Which items, ranked (rank 1 first). A sentence passes the kind and
 * signal filters when one of its words does; an entity when one of its words
 * does (signal) or it has the kind itself. */
struct xnr_issue_query {
	int64_t run;
	enum xnr_issue_level level;
	int64_t limit, offset; /* limit < 0: every row */
	const char *kind;      /* NULL: any */
	enum xnr_issue_filter signal;
	const char *type; /* entity level: only this entity type (NULL: any) */
	int64_t sentence; /* word and entity levels: only this sentence's (-1: any) */
	int by_position;  /* 1: in dataset order instead of by rank */
};

struct xnr_issue_query xnr_issue_query_default(int64_t run, enum xnr_issue_level level);

/* The rows q asks for, each passed to fn (its struct is that of q's level:
 * xnr_sentence_score, xnr_entity_score, xnr_word_score without neighbours;
 * borrowed for the call), and how many pass the filters (paging aside; not
 * counted when total is NULL). fn returns nonzero to stop early. Errors:
 * XNR_ERR_INPUT (a value out of range), XNR_ERR_NOT_FOUND (not scored; only
 * checked when counting), the database's. */
typedef int (*xnr_issue_row_fn)(void *ud, const void *row);
XNR_MUST_CHECK enum xnr_status xnr_store_issues(struct xnr_store *s,
                                                const struct xnr_issue_query *q,
                                                xnr_issue_row_fn fn, void *ud, int64_t *total,
                                                struct xnr_error *err);

/* One word's scores with its neighbours, passed to fn. XNR_ERR_NOT_FOUND
 * when the run has no scores or no such word. */
XNR_MUST_CHECK enum xnr_status xnr_store_word_score(struct xnr_store *s, int64_t run,
                                                    int sentence_id, int idx, xnr_issue_row_fn fn,
                                                    void *ud, struct xnr_error *err);

/* A word of another place, with its gold label and sentence text. */
struct xnr_word_place {
	int sentence_id, idx, gold;
	const char *text, *sentence;
};

/* The words of run whose text is exactly text (case-sensitive), dataset
 * order, at most limit of them (each to fn), and how many there are. */
XNR_MUST_CHECK enum xnr_status xnr_store_word_places(struct xnr_store *s, int64_t run,
                                                     const char *text, long limit,
                                                     xnr_issue_row_fn fn, void *ud, int64_t *total,
                                                     struct xnr_error *err);

/* Words (sentence_id, idx) of run with their gold label and sentence text,
 * each to fn in the order given (a pair that does not exist is skipped). */
XNR_MUST_CHECK enum xnr_status xnr_store_words_at(struct xnr_store *s, int64_t run,
                                                  const struct xnr_neighbour *at, size_t n,
                                                  xnr_issue_row_fn fn, void *ud,
                                                  struct xnr_error *err);

/* ---- the inputs of the scores ---- */

/* A word with its probabilities (probs: n_probs floats, NULL when it has
 * none or they were not asked for). */
struct xnr_word_probs {
	int sentence_id, idx;
	const char *text;
	int gold, pred;
	const float *probs;
	int n_probs;
};

/* Every word of run in dataset order (each to fn), with its probabilities
 * when with_probs. */
XNR_MUST_CHECK enum xnr_status xnr_store_word_table(struct xnr_store *s, int64_t run,
                                                    int with_probs, xnr_issue_row_fn fn, void *ud,
                                                    struct xnr_error *err);

/* Word idx of sentence sentence_id's probabilities (n floats) into out;
 * *got = 0 when it has none. XNR_ERR_NOT_FOUND: no such word. */
XNR_MUST_CHECK enum xnr_status xnr_store_word_probs(struct xnr_store *s, int64_t run,
                                                    int sentence_id, int idx, float *out, int n,
                                                    int *got, struct xnr_error *err);

/* Every entity span of run (struct xnr_entity_row of read.h), by sentence. */
XNR_MUST_CHECK enum xnr_status xnr_store_entity_spans(struct xnr_store *s, int64_t run,
                                                      xnr_issue_row_fn fn, void *ud,
                                                      struct xnr_error *err);

#endif
