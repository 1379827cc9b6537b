/*
 * dups_load.h - what the Find Duplicates job reads (dups_load.c, for
 * api_duplicates.c only): the sentences of a run and of an optional
 * reference run with their words and gold labels as reduce/dups.h docs, and
 * their sentence vectors (the runs' stored hidden states or an encoder).
 */
#ifndef XNR_SERVER_DUPS_LOAD_H
#define XNR_SERVER_DUPS_LOAD_H

#include <stdint.h>

#include "reduce/dups.h"
#include "server/internal.h"

/* The docs of one search: the run's sentences (side 0) in id order, then the
 * reference run's (side 1). Gold ids index `labels` (both runs' names). */
struct xnr__dup_load {
	long n, n_run;          /* docs; of them the run's */
	int64_t run, reference; /* reference 0: none */
	struct xnr_dup_doc *docs;
	int64_t *ids; /* (n) sentence ids */
	char **texts; /* (n) sentence texts */
	const char **words;
	int *gold;
	char *pool; /* the words' bytes */
	char **labels;
	int n_labels;
};

/* Read run (and reference, when nonzero) from db. Errors: the store's, and
 * XNR_ERR_INPUT when there are fewer than two sentences to compare. */
XNR_MUST_CHECK enum xnr_status xnr__dup_load(struct xnr_store *db, int64_t run, int64_t reference,
                                             const struct xnr_ctl *ctl, struct xnr__dup_load *l,
                                             struct xnr_error *err);
void xnr__dup_load_free(struct xnr__dup_load *l);

/* *x [l->n, *d]: each doc's mean stored word hidden state, centred by the
 * mean of all docs with words (both runs: they must share a model, else
 * XNR_ERR_MISMATCH). Errors: also XNR_ERR_INPUT for a run without hidden
 * states. */
XNR_MUST_CHECK enum xnr_status xnr__dup_stored_vectors(struct xnr_store *db,
                                                       const struct xnr__dup_load *l,
                                                       const struct xnr_ctl *ctl, float **x, int *d,
                                                       struct xnr_error *err);

/* *x [l->n, *d]: the mean-pooled last hidden states of the model folder
 * encoder (a real path) over each doc's text, not centred. */
XNR_MUST_CHECK enum xnr_status xnr__dup_encoder_vectors(struct xnr__app *app, const char *encoder,
                                                        const struct xnr__dup_load *l,
                                                        const struct xnr_ctl *ctl, float **x,
                                                        int *d, struct xnr_error *err);

#endif
