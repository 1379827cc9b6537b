/*
 * combine.c - the signals into one score per word, its suggested label and
 * kind of issue, and the entity and sentence scores built on them, each
 * ranked (docs/architecture.md, "Label issues"):
 *   word: the weighted mean of 1 - self-confidence, the neighbours'
 *         disagreement and the consistency score over the signals it has;
 *         1 for an ill-formed tag (an annotation error by definition);
 *   entity: its worst word's score; sentence: 1 - cleanlab's softmin
 *         (T = 0.05) of 1 - its words' scores.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "issues/internal.h"

#define SOFTMIN_T 0.05
#define FLAGGED   0.5 /* a word with a combined score this high counts as flagged */

void xnr__scores_free(struct xnr__scores *sc)
{
	if (!sc)
		return;
	free(sc->combined);
	free(sc->suggested);
	free(sc->kind);
	free(sc->rank);
	for (size_t i = 0; i < sc->n_ents; i++) {
		if (sc->ent_text)
			free(sc->ent_text[i]);
		if (sc->ent_json)
			free(sc->ent_json[i]);
	}
	free(sc->ent_text);
	free(sc->ent_json);
	free(sc->ents);
	free(sc->sents);
	memset(sc, 0, sizeof *sc);
}

/* The neighbour score a word is combined with: its split's. The reference's
 * is kept as evidence but ranks worse, alone and combined (README, "Finding
 * label errors": AUPRC 0.15 against 0.26 on CoNLL-2003 test). */
static double neighbour_score(const struct xnr__signals *g, size_t i)
{
	return g->knn_split[i];
}

static double word_score(const struct xnr__signals *g, size_t i, const struct xnr_issue_weights *w,
                         double wc)
{
	/* a string seen nowhere else counts as consistent (0), not as unknown: unseen
	 * strings are where models err most, so this keeps model errors down (measured) */
	double x[3] = {1.0 - g->self_conf[i], neighbour_score(g, i),
	               isnan(g->consistency[i]) ? 0.0 : g->consistency[i]};
	double wt[3] = {wc, w->neighbours, w->consistency}, num = 0.0, den = 0.0;

	if (g->structure[i])
		return 1.0;
	for (int s = 0; s < 3; s++)
		if (!isnan(x[s])) {
			num += wt[s] * x[s];
			den += wt[s];
		}
	return den > 0.0 ? num / den : 0.0;
}

/* The class most of the other occurrences or neighbours have (O, a type), -1 none. */
static int32_t majority(const int32_t *counts, int n_types)
{
	int32_t best = -1, n = 0;
	for (int32_t k = 0; k <= n_types; k++)
		if (counts[k] > n) {
			n = counts[k];
			best = k;
		}
	return best;
}

/* A label of class cls for word i: O, or B-/I- as the previous word's class says. */
static int32_t label_of(const struct xnr__types *t, const struct xnr__corpus *c, size_t i,
                        int32_t cls)
{
	int cont = i > 0 && c->sent_of[i - 1] == c->sent_of[i] && c->gold_cls[i - 1] == cls;
	for (int32_t l = 0; l < t->n_labels; l++)
		if (t->label_type[l] == cls &&
		    (cls == 0 || t->prefix[l] == (cont ? 'I' : 'B') || t->prefix[l] == 0))
			return l;
	return -1;
}

static const char *kind_of(const struct xnr__types *t, int32_t gold, int32_t sugg)
{
	int32_t a = t->label_type[gold], b = sugg >= 0 ? t->label_type[sugg] : -1;

	if (sugg < 0 || sugg == gold)
		return NULL;
	return a == 0 ? "missing" : b == 0 ? "spurious" : a != b ? "type" : "boundary";
}

/* What the evidence suggests for word i: the model's confident guess or
 * prediction, else the class most neighbours or other occurrences have. */
static int32_t suggest(const struct xnr__corpus *c, const struct xnr__types *t,
                       const struct xnr__signals *g, size_t i)
{
	int nc = t->n_types + 2;
	int32_t gold = c->gold[i], m = -1;

	if (g->cl_guess[i] >= 0 && g->cl_guess[i] != gold)
		return g->cl_guess[i];
	if (c->pred[i] != gold)
		return c->pred[i];
	if (g->consistency[i] >= FLAGGED && g->cons_occ[i] < 0)
		m = majority(g->cons.word_counts + i * XNR_CONS_N_COUNTS * (size_t)nc, t->n_types);
	if (m < 0 && neighbour_score(g, i) >= FLAGGED)
		m = majority(g->nb_counts + i * (size_t)nc, t->n_types);
	return m >= 0 && m != c->gold_cls[i] ? label_of(t, c, i, m) : -1;
}

struct order {
	double score;
	size_t i;
};

static int order_cmp(const void *pa, const void *pb)
{
	const struct order *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

int xnr__rank(const double *score, size_t n, long *rank)
{
	struct order *o = malloc((n + 1) * sizeof *o);

	if (!o)
		return -1;
	for (size_t i = 0; i < n; i++)
		o[i] = (struct order){score[i], i};
	qsort(o, n, sizeof *o, order_cmp);
	for (size_t i = 0; i < n; i++)
		rank[o[i].i] = (long)i + 1;
	free(o);
	return 0;
}

static enum xnr_status sentences(const struct xnr__corpus *c, struct xnr__scores *sc,
                                 const struct xnr__signals *g)
{
	double *buf = malloc((c->n_words + 1) * sizeof *buf);
	double *comb = malloc((c->n_sents + 1) * sizeof *comb);
	long *rank = malloc((c->n_sents + 1) * sizeof *rank);
	int ok = buf && comb && rank;

	for (size_t s = 0; ok && s < c->n_sents; s++) {
		struct xnr_sentence_score *t = &sc->sents[s];
		size_t b = c->sent_start[s], e = c->sent_start[s + 1], n = 0;
		t->id = (int)s;
		for (size_t i = b; i < e; i++)
			if (!isnan(g->self_conf[i]))
				buf[n++] = g->self_conf[i];
		t->worst = n ? xnr_cl_softmin(buf, n, 0.0) : NAN;
		t->softmin = n ? xnr_cl_softmin(buf, n, SOFTMIN_T) : NAN;
		for (size_t i = b; i < e; i++) {
			buf[i - b] = 1.0 - sc->combined[i];
			t->n_flagged += sc->combined[i] >= FLAGGED;
		}
		t->combined = comb[s] = 1.0 - xnr_cl_softmin(buf, e - b, SOFTMIN_T);
	}
	if (ok && xnr__rank(comb, c->n_sents, rank) == 0)
		for (size_t s = 0; s < c->n_sents; s++)
			sc->sents[s].rank = rank[s];
	else
		ok = 0;
	free(buf);
	free(comb);
	free(rank);
	return ok ? XNR_OK : XNR_ERR_NOMEM;
}

enum xnr_status xnr__combine(const struct xnr__corpus *c, const struct xnr__types *t,
                             const struct xnr__signals *g, const struct xnr_issue_weights *w,
                             int over_confident, struct xnr__scores *sc, struct xnr_error *err)
{
	size_t n = c->n_words + 1;
	double wc = w->confidence * (over_confident ? w->over_confident : 1.0);
	enum xnr_status st;

	memset(sc, 0, sizeof *sc);
	sc->combined = malloc(n * sizeof *sc->combined);
	sc->suggested = malloc(n * sizeof *sc->suggested);
	sc->kind = malloc(n * sizeof *sc->kind);
	sc->rank = malloc(n * sizeof *sc->rank);
	sc->sents = calloc(c->n_sents + 1, sizeof *sc->sents);
	if (!sc->combined || !sc->suggested || !sc->kind || !sc->rank || !sc->sents)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < c->n_words; i++) {
		sc->combined[i] = word_score(g, i, w, wc);
		sc->suggested[i] = suggest(c, t, g, i);
		sc->kind[i] =
		    g->structure[i] ? "boundary" : kind_of(t, c->gold[i], sc->suggested[i]);
	}
	if (xnr__rank(sc->combined, c->n_words, sc->rank) != 0 || sentences(c, sc, g) != XNR_OK)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if ((st = xnr__entities(c, t, g, sc, err)) != XNR_OK)
		return st;
	return XNR_OK;
}
