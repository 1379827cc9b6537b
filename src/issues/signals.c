/*
 * signals.c - the signals of the split's words that need no hidden states:
 * the model's confidence (cleanlab's self-confidence, normalized margin and
 * confident-learning issues over the words that have probabilities), ill-
 * formed tag sequences, and the consistency of each word's labels with the
 * same string elsewhere (its own, or that of an entity string over it,
 * whichever says more).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "issues/internal.h"

void xnr__signals_free(struct xnr__signals *g)
{
	if (!g)
		return;
	xnr_cl_result_free(&g->cl);
	free(g->self_conf);
	free(g->margin);
	free(g->cl_guess);
	free(g->cl_issue);
	free(g->structure);
	free(g->knn_split);
	free(g->knn_ref);
	free(g->nb);
	free(g->ref_nb);
	free(g->nb_counts);
	free(g->ref_nb_counts);
	xnr_cons_result_free(&g->cons);
	free(g->consistency);
	free(g->cons_occ);
	memset(g, 0, sizeof *g);
}

/* Scores of every word with probabilities; confident learning over them. */
static enum xnr_status confidence(const struct xnr__corpus *c, const struct xnr__types *t,
                                  struct xnr__signals *g, struct xnr_error *err)
{
	size_t k = (size_t)t->n_labels, n = 0, i, j;
	int32_t *labels = malloc((c->n_words + 1) * sizeof *labels);
	float *probs = malloc((c->n_words * k + 1) * sizeof *probs);
	enum xnr_status st;

	if (!labels || !probs) {
		free(labels);
		free(probs);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < c->n_words; i++) {
		const float *p = c->probs + i * k;
		g->self_conf[i] = g->margin[i] = NAN;
		g->cl_guess[i] = -1;
		if (!c->has_probs[i])
			continue;
		g->self_conf[i] = xnr_cl_self_confidence(p, (int)k, c->gold[i]);
		g->margin[i] = xnr_cl_normalized_margin(p, (int)k, c->gold[i]);
		labels[n] = c->gold[i];
		memcpy(probs + n++ * k, p, k * sizeof *probs);
	}
	st = xnr_cl_find_issues(labels, probs, n, (int)k, &g->cl, err);
	for (i = 0, j = 0; st == XNR_OK && i < c->n_words; i++)
		if (c->has_probs[i]) {
			g->cl_issue[i] = g->cl.issue[j];
			g->cl_guess[i] = g->cl.guess[j++];
		}
	free(labels);
	free(probs);
	return st;
}

/* A continuation tag (I-, E-, L-) whose word does not continue an entity of
 * its type: I-ORG after O, B-ORG I-LOC. Only for label sets with B- tags
 * (in IO and IOB1, I- may open an entity). */
static void structure(const struct xnr__corpus *c, const struct xnr__types *t,
                      struct xnr__signals *g)
{
	for (size_t s = 0; s < c->n_sents; s++)
		for (size_t i = c->sent_start[s]; i < c->sent_start[s + 1]; i++) {
			char p = t->prefix[c->gold[i]];
			int cont = p == 'I' || p == 'E' || p == 'L', ok = 0;
			if (i > c->sent_start[s]) {
				char q = t->prefix[c->gold[i - 1]];
				ok = (q == 'B' || q == 'I') &&
				     t->label_type[c->gold[i - 1]] == t->label_type[c->gold[i]];
			}
			g->structure[i] = t->has_begin && cont && !ok;
		}
}

/* Each word's consistency: its own, or the most suspect scored entity
 * string over it (a gold span, or a multi-word entity string found as O). */
static void consistency(const struct xnr__corpus *c, struct xnr__signals *g)
{
	size_t i;

	for (i = 0; i < c->n_words; i++) {
		g->consistency[i] = g->cons.word_score[i];
		g->cons_occ[i] = -1;
	}
	for (i = 0; i < g->cons.n_occ; i++) {
		const struct xnr_cons_occ *o = &g->cons.occ[i];
		size_t b = c->sent_start[o->sent];
		for (int32_t w = o->start; w < o->end; w++)
			if (g->cons.occ_score[i] > g->consistency[b + (size_t)w] ||
			    (isnan(g->consistency[b + (size_t)w]) &&
			     !isnan(g->cons.occ_score[i]))) {
				g->consistency[b + (size_t)w] = g->cons.occ_score[i];
				g->cons_occ[b + (size_t)w] = (int32_t)i;
			}
	}
}

enum xnr_status xnr__signals_compute(const struct xnr__corpus *split, const struct xnr__corpus *ref,
                                     const struct xnr__types *t, struct xnr__signals *g,
                                     struct xnr_error *err)
{
	size_t n = split->n_words + 1, i;
	struct xnr_cons_corpus sv = xnr__cons_view(split), rv;
	struct xnr_cons_params cp = xnr_cons_default_params(t->n_types);
	enum xnr_status st;

	memset(g, 0, sizeof *g);
	g->n_words = split->n_words;
	g->self_conf = malloc(n * sizeof *g->self_conf);
	g->margin = malloc(n * sizeof *g->margin);
	g->cl_guess = malloc(n * sizeof *g->cl_guess);
	g->cl_issue = calloc(n, 1);
	g->structure = calloc(n, 1);
	g->knn_split = malloc(n * sizeof *g->knn_split);
	g->knn_ref = malloc(n * sizeof *g->knn_ref);
	g->consistency = malloc(n * sizeof *g->consistency);
	g->cons_occ = malloc(n * sizeof *g->cons_occ);
	if (!g->self_conf || !g->margin || !g->cl_guess || !g->cl_issue || !g->structure ||
	    !g->knn_split || !g->knn_ref || !g->consistency || !g->cons_occ)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (i = 0; i < split->n_words; i++)
		g->knn_split[i] = g->knn_ref[i] = NAN;
	if ((st = confidence(split, t, g, err)) != XNR_OK)
		return st;
	structure(split, t, g);
	if (ref)
		rv = xnr__cons_view(ref);
	if ((st = xnr_cons_count(&sv, ref ? &rv : NULL, &cp, &g->cons, err)) != XNR_OK)
		return st;
	consistency(split, g);
	return XNR_OK;
}
