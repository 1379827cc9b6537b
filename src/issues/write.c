/*
 * write.c - a run's label-issue scores into the database (store/scores.h)
 * in one transaction: the record with its summary, then every word (with
 * its neighbours and the counts behind its consistency and neighbour
 * scores as JSON), entity and sentence.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "issues/internal.h"

/* {"words", "sentences", "cl_issues", "flagged", "ill_formed", "accuracy",
 *  "thresholds": {label: t}, "leakage"} as JSON text (malloc'd). */
static char *summary(const struct xnr__corpus *c, const struct xnr__types *t,
                     const struct xnr__signals *g, const struct xnr__scores *sc,
                     const struct xnr_run *run, double accuracy, json_t *leakage)
{
	json_t *o = json_object(), *thr = json_object();
	size_t flagged = 0, ill = 0, i;
	char *s;

	for (i = 0; i < c->n_words; i++) {
		flagged += sc->combined[i] >= 0.5;
		ill += g->structure[i];
	}
	for (int k = 0; thr && k < t->n_labels && g->cl.thresholds; k++)
		json_object_set_new(thr, run->labels[k], json_real(g->cl.thresholds[k]));
	json_object_set_new(o, "words", json_integer((json_int_t)c->n_words));
	json_object_set_new(o, "sentences", json_integer((json_int_t)c->n_sents));
	json_object_set_new(o, "cl_issues", json_integer((json_int_t)g->cl.n_issues));
	json_object_set_new(o, "flagged", json_integer((json_int_t)flagged));
	json_object_set_new(o, "ill_formed", json_integer((json_int_t)ill));
	json_object_set_new(o, "accuracy", isnan(accuracy) ? json_null() : json_real(accuracy));
	json_object_set_new(o, "thresholds", thr);
	if (leakage)
		json_object_set(o, "leakage", leakage);
	s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(o);
	return s;
}

static enum xnr_status add_word(struct xnr_scores_writer *w, const struct xnr__corpus *c,
                                const struct xnr__types *t, const struct xnr__signals *g,
                                const struct xnr__scores *sc, size_t i, struct xnr_error *err)
{
	struct xnr_word_score r;
	char *cons = xnr__cons_json(c, t, g, i), *knn = g->nb ? xnr__knn_json(t, g, i) : NULL;
	enum xnr_status st;
	int k = g->k;

	memset(&r, 0, sizeof r);
	r.sentence_id = c->sent_of[i];
	r.idx = (int)(i - c->sent_start[c->sent_of[i]]);
	r.self_confidence = g->self_conf[i];
	r.margin = g->margin[i];
	r.cl_issue = g->cl_issue[i];
	r.cl_guess = g->cl_guess[i];
	r.knn_split = g->knn_split[i];
	r.knn_ref = g->knn_ref[i];
	r.knn_counts = knn;
	for (r.nb = g->nb ? g->nb + i * (size_t)k : NULL; r.nb && r.n_nb < k; r.n_nb++)
		if (r.nb[r.n_nb].sentence_id < 0)
			break;
	for (r.ref_nb = g->ref_nb ? g->ref_nb + i * (size_t)k : NULL; r.ref_nb && r.n_ref_nb < k;
	     r.n_ref_nb++)
		if (r.ref_nb[r.n_ref_nb].sentence_id < 0)
			break;
	r.consistency = g->consistency[i];
	r.consistency_counts = cons;
	r.structure = g->structure[i];
	r.suggested = sc->suggested[i];
	r.kind = sc->kind[i];
	r.combined = sc->combined[i];
	r.rank = sc->rank[i];
	st = !cons || (g->nb && !knn) ? xnr_fail(err, XNR_ERR_NOMEM, "out of memory")
	                              : xnr_scores_add_word(w, &r, err);
	free(cons);
	free(knn);
	return st;
}

enum xnr_status xnr__write(struct xnr_store *s, struct xnr_issue_run *rec,
                           const struct xnr__corpus *c, const struct xnr__types *t,
                           const struct xnr__signals *g, const struct xnr__scores *sc,
                           double accuracy, json_t *leakage, struct xnr_error *err)
{
	struct xnr_scores_writer *w = NULL;
	enum xnr_status st;
	size_t i;

	if (!(rec->summary_json = summary(c, t, g, sc, &c->info, accuracy, leakage)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	st = xnr_scores_begin(s, rec, &w, err);
	free(rec->summary_json);
	rec->summary_json = NULL;
	for (i = 0; st == XNR_OK && i < c->n_words; i++)
		st = add_word(w, c, t, g, sc, i, err);
	for (i = 0; st == XNR_OK && i < sc->n_ents; i++)
		st = xnr_scores_add_entity(w, &sc->ents[i], err);
	for (i = 0; st == XNR_OK && i < c->n_sents; i++)
		st = xnr_scores_add_sentence(w, &sc->sents[i], err);
	if (st != XNR_OK) {
		xnr_scores_abort(w);
		return st;
	}
	return xnr_scores_commit(w, err);
}
