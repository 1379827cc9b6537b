/*
 * entities.c - the entity rows of the label-issue scores: every gold span
 * (spurious when the model sees no entity there, of another type or
 * boundary when it sees one), every predicted span that is no gold span
 * (an entity the labels may have missed, or cut or typed otherwise), every
 * multi-word entity string found here as O (missing, by consistency). Each
 * takes its worst word's combined score; ranked like the words.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "issues/internal.h"

struct build {
	const struct xnr__corpus *c;
	const struct xnr__types *t;
	const struct xnr__signals *g;
	struct xnr__scores *sc;
	size_t cap;
	int32_t *gold_occ; /* (n_words) consistency occurrence of the gold span starting here */
	int32_t *gold_end, *pred_end, *pred_type; /* (n_words) the span starting here, -1 */
};

/* A new row for words [b, e) of sentence s, its word-based scores filled. */
static struct xnr_entity_score *add(struct build *x, int32_t s, int32_t start, int32_t end,
                                    const char *side, int32_t type)
{
	struct xnr__scores *sc = x->sc;
	size_t b = x->c->sent_start[s] + (size_t)start, e = x->c->sent_start[s] + (size_t)end;
	struct xnr_entity_score *r;

	if (sc->n_ents == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 1024;
		struct xnr_entity_score *v = realloc(sc->ents, cap * sizeof *v);
		char **tx, **js;
		if (!v)
			return NULL;
		sc->ents = v;
		if (!(tx = realloc(sc->ent_text, cap * sizeof *tx)))
			return NULL;
		sc->ent_text = tx;
		if (!(js = realloc(sc->ent_json, cap * sizeof *js)))
			return NULL;
		sc->ent_json = js;
		x->cap = cap;
	}
	r = &sc->ents[sc->n_ents];
	memset(r, 0, sizeof *r);
	sc->ent_json[sc->n_ents] = NULL;
	if (!(sc->ent_text[sc->n_ents] = xnr__join(x->c, b, e)))
		return NULL;
	sc->n_ents++;
	*r = (struct xnr_entity_score){s,    start,    end,       side, x->t->names[type],
	                               NULL, INFINITY, -INFINITY, NAN,  NULL,
	                               NULL, NULL,     0.0,       0};
	r->text = sc->ent_text[sc->n_ents - 1];
	for (size_t i = b; i < e; i++) {
		double nb = x->g->knn_split[i];
		r->self_confidence = fmin(r->self_confidence, x->g->self_conf[i]);
		r->knn = fmax(r->knn, nb);
		r->combined = fmax(r->combined, sc->combined[i]);
	}
	r->self_confidence = isinf(r->self_confidence) ? NAN : r->self_confidence;
	r->knn = isinf(r->knn) ? NAN : r->knn;
	return r;
}

/* The consistency of an entity-string occurrence onto row r. */
static int set_cons(struct build *x, struct xnr_entity_score *r, int32_t occ)
{
	size_t per = (size_t)XNR_CONS_N_COUNTS * (size_t)(x->t->n_types + 2);
	json_t *j;

	if (occ < 0)
		return 0;
	r->consistency = x->g->cons.occ_score[occ];
	j = xnr__counts_json(x->t, x->g->cons.occ_counts + (size_t)occ * per);
	x->sc->ent_json[x->sc->n_ents - 1] = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	r->consistency_counts = x->sc->ent_json[x->sc->n_ents - 1];
	return r->consistency_counts ? 0 : -1;
}

/* The predicted class over words [b, e), its first non-O one, 0 for none. */
static int32_t pred_class(const struct build *x, size_t b, size_t e)
{
	for (size_t i = b; i < e; i++)
		if (x->t->label_type[x->c->pred[i]])
			return x->t->label_type[x->c->pred[i]];
	return 0;
}

static int gold_spans(struct build *x)
{
	const struct xnr__corpus *c = x->c;

	for (size_t k = 0; k < c->n_gold; k++) {
		const struct xnr_cons_span *sp = &c->gold_spans[k];
		size_t b = c->sent_start[sp->sent] + (size_t)sp->start;
		size_t e = c->sent_start[sp->sent] + (size_t)sp->end;
		struct xnr_entity_score *r = add(x, sp->sent, sp->start, sp->end, "gold", sp->type);
		int32_t over = pred_class(x, b, e);
		int32_t exact = x->pred_end[b] == sp->end ? x->pred_type[b] : -1;
		if (!r || set_cons(x, r, x->gold_occ[b]) != 0)
			return -1;
		r->suggested = exact >= 0 ? x->t->names[exact] : x->t->names[over];
		r->kind = exact == sp->type ? NULL
		          : exact >= 0      ? "type"
		          : over            ? "boundary"
		                            : "spurious";
		if (exact == sp->type) { /* the model agrees: the worst word's own issue, if any */
			size_t worst = b;
			for (size_t i = b; i < e; i++)
				worst = x->sc->combined[i] > x->sc->combined[worst] ? i : worst;
			r->kind = x->sc->kind[worst];
			r->suggested = x->sc->suggested[worst] >= 0
			                   ? x->t->names[x->t->label_type[x->sc->suggested[worst]]]
			                   : NULL;
		}
	}
	return 0;
}

static int pred_spans(struct build *x)
{
	const struct xnr__corpus *c = x->c;

	for (size_t k = 0; k < c->n_pred; k++) {
		const struct xnr_cons_span *sp = &c->pred_spans[k];
		size_t b = c->sent_start[sp->sent] + (size_t)sp->start, i;
		size_t e = c->sent_start[sp->sent] + (size_t)sp->end;
		int gold = 0, same = 0;
		if (x->gold_end[b] == sp->end)
			continue; /* a gold row already stands there */
		for (i = b; i < e; i++) {
			gold |= c->gold_cls[i] != 0;
			same |= c->gold_cls[i] == sp->type;
		}
		struct xnr_entity_score *r = add(x, sp->sent, sp->start, sp->end, "pred", sp->type);
		if (!r)
			return -1;
		r->suggested = r->type;
		r->kind = !gold ? "missing" : same ? "boundary" : "type";
	}
	return 0;
}

/* Multi-word entity strings found as O, with some evidence against that. */
static int string_rows(struct build *x)
{
	const struct xnr_cons_result *cons = &x->g->cons;
	int nc = x->t->n_types + 2;

	for (size_t k = 0; k < cons->n_occ; k++) {
		const struct xnr_cons_occ *o = &cons->occ[k];
		const int32_t *cnt = cons->occ_counts + k * XNR_CONS_N_COUNTS * (size_t)nc;
		int32_t best = 0, n = 0;
		if (o->cls != 0 || cons->occ_score[k] <= 0.0)
			continue;
		for (int32_t t = 1; t <= x->t->n_types; t++) {
			int32_t v = cnt[XNR_CONS_SPLIT * nc + t] + cnt[XNR_CONS_REF * nc + t];
			if (v > n) {
				n = v;
				best = t;
			}
		}
		struct xnr_entity_score *r = add(x, o->sent, o->start, o->end, "string", best);
		if (!r || set_cons(x, r, (int32_t)k) != 0)
			return -1;
		r->suggested = r->type;
		r->kind = "missing";
	}
	return 0;
}

static int rank_entities(struct xnr__scores *sc)
{
	double *s = malloc((sc->n_ents + 1) * sizeof *s);
	long *rank = malloc((sc->n_ents + 1) * sizeof *rank);
	size_t i;
	int rc = -1;

	if (s && rank) {
		for (i = 0; i < sc->n_ents; i++)
			s[i] = sc->ents[i].combined;
		if ((rc = xnr__rank(s, sc->n_ents, rank)) == 0)
			for (i = 0; i < sc->n_ents; i++)
				sc->ents[i].rank = rank[i];
	}
	free(s);
	free(rank);
	return rc;
}

/* Where each gold and predicted span starts. */
static int index_spans(struct build *x)
{
	const struct xnr__corpus *c = x->c;
	size_t n = c->n_words + 1, i;

	x->gold_occ = malloc(n * sizeof *x->gold_occ);
	x->gold_end = malloc(n * sizeof *x->gold_end);
	x->pred_end = malloc(n * sizeof *x->pred_end);
	x->pred_type = malloc(n * sizeof *x->pred_type);
	if (!x->gold_occ || !x->gold_end || !x->pred_end || !x->pred_type)
		return -1;
	for (i = 0; i < c->n_words; i++)
		x->gold_occ[i] = x->gold_end[i] = x->pred_end[i] = x->pred_type[i] = -1;
	for (i = 0; i < c->n_gold; i++)
		x->gold_end[c->sent_start[c->gold_spans[i].sent] + (size_t)c->gold_spans[i].start] =
		    c->gold_spans[i].end;
	for (i = 0; i < c->n_pred; i++) {
		size_t b = c->sent_start[c->pred_spans[i].sent] + (size_t)c->pred_spans[i].start;
		x->pred_end[b] = c->pred_spans[i].end;
		x->pred_type[b] = c->pred_spans[i].type;
	}
	return 0;
}

enum xnr_status xnr__entities(const struct xnr__corpus *c, const struct xnr__types *t,
                              const struct xnr__signals *g, struct xnr__scores *sc,
                              struct xnr_error *err)
{
	struct build x = {c, t, g, sc, 0, NULL, NULL, NULL, NULL};
	int rc = index_spans(&x);

	for (size_t k = 0; rc == 0 && k < g->cons.n_occ; k++) {
		const struct xnr_cons_occ *o = &g->cons.occ[k];
		if (o->cls >= 1 && o->cls <= t->n_types)
			x.gold_occ[c->sent_start[o->sent] + (size_t)o->start] = (int32_t)k;
	}
	if (rc == 0)
		rc = gold_spans(&x);
	if (rc == 0)
		rc = pred_spans(&x);
	if (rc == 0)
		rc = string_rows(&x);
	if (rc == 0)
		rc = rank_entities(sc);
	free(x.gold_occ);
	free(x.gold_end);
	free(x.pred_end);
	free(x.pred_type);
	return rc == 0 ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
}
