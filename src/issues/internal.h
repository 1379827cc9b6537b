/*
 * issues/internal.h - what the files of the issues module share: a stored
 * run loaded for scoring (corpus.c), the signals computed over it
 * (signals.c, neighbours.c), their combination into ranked words, entities
 * and sentences (combine.c), and the JSON of the counts (json_util.c).
 */
#ifndef XNR_ISSUES_INTERNAL_H
#define XNR_ISSUES_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/cleanlab.h"
#include "analysis/consistency.h"
#include "core/ctl.h"
#include "core/status.h"
#include "issues/issues.h"
#include "store/read.h"
#include "store/scores.h"

/* Entity types of a run's labels: class 0 is O, 1..n_types the types. */
struct xnr__types {
	int n_labels, n_types;
	char **names;        /* (n_types + 2): "O", the types, "part" */
	int32_t *label_type; /* (n_labels) class of each label */
	char *prefix;        /* (n_labels) 'B', 'I', 'E', 'S', 'L', 'U', or 0 (O, bare types) */
	int has_begin;       /* some label is B-: continuation tags can be ill-formed */
};

/* A stored run loaded for scoring: its words in dataset order. */
struct xnr__corpus {
	struct xnr_run info;
	size_t n_words, n_sents;
	size_t *sent_start; /* (n_sents + 1) */
	int32_t *sent_of;   /* (n_words) sentence of each word */
	char **text;        /* (n_words) into arena */
	char *arena;
	int32_t *gold, *pred; /* (n_words) label ids */
	int32_t *gold_cls;    /* (n_words) class of the gold label */
	float *probs;         /* (n_words, n_labels) when loaded with them */
	uint8_t *has_probs;   /* (n_words) */
	struct xnr_cons_span *gold_spans, *pred_spans;
	size_t n_gold, n_pred;
};

XNR_MUST_CHECK enum xnr_status xnr__types_init(const struct xnr_run *r, struct xnr__types *t,
                                               struct xnr_error *err);
void xnr__types_free(struct xnr__types *t);
/* The class of an entity type name, -1 when the labels have no such type. */
int32_t xnr__types_find(const struct xnr__types *t, const char *name);

/* Load run of s (with its probabilities when with_probs). Errors: those of
 * the store, XNR_ERR_FORMAT (words not numbered 0..n-1 in each sentence, a
 * label or span out of range). */
XNR_MUST_CHECK enum xnr_status xnr__corpus_load(struct xnr_store *s, int64_t run, int with_probs,
                                                const struct xnr__types *t, struct xnr__corpus *c,
                                                struct xnr_error *err);
void xnr__corpus_free(struct xnr__corpus *c);

/* What a corpus is to the consistency counts. */
struct xnr_cons_corpus xnr__cons_view(const struct xnr__corpus *c);

/* Every signal of the split's words. */
struct xnr__signals {
	size_t n_words;
	int k;
	struct xnr_cl_result cl;       /* over the words with probabilities */
	double *self_conf, *margin;    /* (n_words) NaN: no probabilities */
	int32_t *cl_guess;             /* (n_words) -1: none */
	uint8_t *cl_issue, *structure; /* (n_words) */
	/* neighbours: scores NaN when not computed; k neighbours per word
	 * (sentence_id -1 past the last); counts (n_words, n_classes) */
	double *knn_split, *knn_ref;
	struct xnr_neighbour *nb, *ref_nb;
	int32_t *nb_counts, *ref_nb_counts;
	struct xnr_cons_result cons;
	double *consistency; /* (n_words) the word's, or an entity string's over it */
	int32_t *cons_occ;   /* (n_words) the occurrence that gave it, -1: the word's own */
};

void xnr__signals_free(struct xnr__signals *g);

/* Confidence (cleanlab), structure and consistency of split (against ref,
 * may be NULL) into g (zeroed first). */
XNR_MUST_CHECK enum xnr_status xnr__signals_compute(const struct xnr__corpus *split,
                                                    const struct xnr__corpus *ref,
                                                    const struct xnr__types *t,
                                                    struct xnr__signals *g, struct xnr_error *err);

/* The neighbour signal: the split against itself (its own sentence left
 * out) and, when ref_run > 0, against the reference run's hidden states
 * streamed from s (same_data: the reference is the split's own data, so
 * its own sentence is left out there too). */
struct xnr__knn_job {
	struct xnr_store *s;
	const struct xnr__corpus *split, *ref;
	const struct xnr__types *t;
	int64_t ref_run;
	int same_data, k, threads;
	const struct xnr_ctl *ctl;
};
XNR_MUST_CHECK enum xnr_status xnr__neighbours(const struct xnr__knn_job *j, struct xnr__signals *g,
                                               struct xnr_error *err);
/* XNR_ERR_LIMIT, saying why, when the neighbour search of split (nc label
 * classes, k neighbours, with_ref: also against a reference) would need more
 * than 80% of the memory there is (physical, or XNR_MEMORY_LIMIT bytes):
 * asked before the run's words are loaded; the signal is then left out, as
 * for a run without hidden states. */
XNR_MUST_CHECK enum xnr_status xnr__neighbours_fit(const struct xnr_run *split, int k, int nc,
                                                   int with_ref, struct xnr_error *err);

/* Everything written for a run: per word, entity and sentence. */
struct xnr__scores {
	double *combined; /* (n_words) suspicion 0..1 */
	int32_t *suggested;
	const char **kind;
	long *rank;
	struct xnr_entity_score *ents; /* strings: ent_text, ent_json, static */
	char **ent_text, **ent_json;
	size_t n_ents;
	struct xnr_sentence_score *sents;
};

XNR_MUST_CHECK enum xnr_status xnr__combine(const struct xnr__corpus *c, const struct xnr__types *t,
                                            const struct xnr__signals *g,
                                            const struct xnr_issue_weights *w, int over_confident,
                                            struct xnr__scores *out, struct xnr_error *err);
void xnr__scores_free(struct xnr__scores *sc);

/* rank[i] = 1 + the place of score[i] in descending order (ties: smaller
 * i first); -1 when out of memory. */
int xnr__rank(const double *score, size_t n, long *rank);

/* The entity rows of sc (entities.c): every gold span, every predicted span
 * that is no gold one, every multi-word entity string found here as O,
 * each with its worst word's score, ranked. */
XNR_MUST_CHECK enum xnr_status xnr__entities(const struct xnr__corpus *c,
                                             const struct xnr__types *t,
                                             const struct xnr__signals *g, struct xnr__scores *sc,
                                             struct xnr_error *err);

/* {"O": 3, "PER": 1} of the non-zero counts of the n_types + 2 classes. */
json_t *xnr__class_counts(const struct xnr__types *t, const int32_t *counts);
/* {"split": {...}, "reference": {...}, "split_folded", "reference_folded"}
 * of an item's XNR_CONS_N_COUNTS rows of counts. */
json_t *xnr__counts_json(const struct xnr__types *t, const int32_t *counts);
/* JSON text (malloc'd; NULL when out of memory) of word i's consistency
 * counts: {"word": counts, "string": {"start", "end", "text", "counts"}}
 * with the entity string that gave its score, if one did. */
char *xnr__cons_json(const struct xnr__corpus *c, const struct xnr__types *t,
                     const struct xnr__signals *g, size_t i);
/* JSON text of word i's neighbour classes {"split": {...}, "reference": {...}}. */
char *xnr__knn_json(const struct xnr__types *t, const struct xnr__signals *g, size_t i);
/* Words [b, e) joined by spaces (malloc'd). */
char *xnr__join(const struct xnr__corpus *c, size_t b, size_t e);

/* The leakage of split into ref as the summary's "leakage" object (leak.c). */
XNR_MUST_CHECK enum xnr_status xnr__leakage(const struct xnr__corpus *split,
                                            const struct xnr__corpus *ref,
                                            const struct xnr__types *t, json_t **out,
                                            struct xnr_error *err);

/* Write rec and every row of the scores in one transaction (write.c);
 * accuracy (the model's on the split) and leakage (may be NULL) go into the
 * summary. */
XNR_MUST_CHECK enum xnr_status xnr__write(struct xnr_store *s, struct xnr_issue_run *rec,
                                          const struct xnr__corpus *c, const struct xnr__types *t,
                                          const struct xnr__signals *g,
                                          const struct xnr__scores *sc, double accuracy,
                                          json_t *leakage, struct xnr_error *err);

#endif
