/*
 * calibration.c - a run's calibration (report.h): every word's confidence
 * (words.prob_pred, the probability of its predicted label, the argmax) read
 * once, the words and the predicted entities (default mode) as items of
 * analysis/calibration.h, overall and per type, as JSON. An entity's
 * confidence is the lowest confidence of its words: a span is as sure as
 * its least sure word.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/calibration.h"
#include "report/report.h"
#include "store/read.h"

/* The calibration items of one level: confidence, right or not, group. */
struct items {
	size_t n;
	double *conf;
	unsigned char *correct;
	int32_t *group;
};

static void items_free(struct items *it)
{
	free(it->conf);
	free(it->correct);
	free(it->group);
}

static int items_alloc(struct items *it, size_t n)
{
	it->n = n;
	it->conf = malloc((n + 1) * sizeof *it->conf);
	it->correct = malloc(n + 1);
	it->group = malloc((n + 1) * sizeof *it->group);
	return it->conf && it->correct && it->group ? 0 : -1;
}

/* Every word's prob_pred at its place (NaN: none stored). */
static enum xnr_status load_conf(struct xnr_store *s, const struct xnr_run_view *v, double *conf,
                                 struct xnr_error *err)
{
	struct xnr_word_query q = xnr_word_query_default(v->run);
	struct xnr_rows *rows = NULL;
	struct xnr_word_row w;
	enum xnr_status rc;
	size_t i;
	int more = 1;

	for (i = 0; i < v->n_words; i++)
		conf[i] = NAN;
	if ((rc = xnr_store_words(s, &q, &rows, err)) != XNR_OK)
		return rc;
	while ((rc = xnr_rows_word(rows, &w, &more, err)) == XNR_OK && more) {
		if (w.sentence_id < 0 || (size_t)w.sentence_id >= v->n_sents || w.idx < 0 ||
		    (size_t)w.idx >=
		        v->sent_start[w.sentence_id + 1] - v->sent_start[w.sentence_id]) {
			rc =
			    xnr_fail(err, XNR_ERR_FORMAT,
			             "run %lld has an inconsistent words table", (long long)v->run);
			break;
		}
		conf[v->sent_start[w.sentence_id] + (size_t)w.idx] = w.prob_pred;
	}
	xnr_rows_close(rows);
	return rc;
}

/* Words: right when the predicted label is the gold one; grouped by the
 * predicted label's entity type, "O" (group n_types) for O. */
static void word_items(const struct xnr_run_view *v, struct items *w)
{
	uint32_t n_types = (uint32_t)xnr_tagset_n_types(v->tags);
	size_t i;

	for (i = 0; i < v->n_words; i++) {
		const struct xnr_tag_info *t = xnr_tagset_tag(v->tags, v->pred[i]);
		w->correct[i] = v->pred[i] == v->gold[i];
		w->group[i] = (int32_t)(t->chunk == 'O' ? n_types : t->type_default);
	}
}

/* Predicted entities: confidence the lowest of their words', right when a
 * gold entity of the sentence has the same span and type (both lists are
 * sorted by sentence). */
static void entity_items(const struct xnr_run_view *v, const struct xnr_seqeval_report *r,
                         const double *word_conf, struct items *e)
{
	const struct xnr_entities *g = &r->gold, *p = &r->pred;
	size_t i, j = 0, k;

	for (i = 0; i < p->n; i++) {
		const struct xnr_entity *x = &p->v[i];
		size_t first = v->sent_start[x->sent] + (size_t)x->start;
		double c = word_conf[first];
		for (k = first + 1; k < v->sent_start[x->sent] + (size_t)x->end; k++)
			if (!(word_conf[k] >= c))
				c = word_conf[k];
		while (j < g->n && g->v[j].sent < x->sent)
			j++;
		e->correct[i] = 0;
		for (k = j; k < g->n && g->v[k].sent == x->sent; k++)
			if (g->v[k].start == x->start && g->v[k].end == x->end &&
			    g->v[k].type == x->type)
				e->correct[i] = 1;
		e->conf[i] = c;
		e->group[i] = (int32_t)x->type;
	}
}

static json_t *real_or_null(double x)
{
	return isnan(x) ? json_null() : json_real(x);
}

static json_t *calib_json(const struct xnr_calib *c)
{
	json_t *count = json_array(), *conf = json_array(), *acc = json_array();
	int b;

	for (b = 0; b < c->n_bins; b++) {
		json_array_append_new(count, json_integer((json_int_t)c->count[b]));
		json_array_append_new(conf, real_or_null(c->conf[b]));
		json_array_append_new(acc, real_or_null(c->acc[b]));
	}
	return json_pack("{s:I,s:o,s:o,s:f,s:f,s:{s:o,s:o,s:o}}", "n", (json_int_t)c->n, "accuracy",
	                 real_or_null(c->accuracy), "confidence", real_or_null(c->confidence),
	                 "ece", c->ece, "mce", c->mce, "bins", "count", count, "confidence", conf,
	                 "accuracy", acc);
}

/* {"all": c, "types": {NAME: c}} of one level: its groups are the tag set's
 * types, and with_o adds "O" as group n_types. */
static enum xnr_status level_json(const struct items *it, const struct xnr_run_view *v, int n_bins,
                                  int with_o, json_t **out, struct xnr_error *err)
{
	size_t n_types = xnr_tagset_n_types(v->tags), t;
	json_t *types = json_object(), *o = NULL;
	struct xnr_calib c;
	enum xnr_status rc;

	if ((rc = xnr_calib_compute(it->conf, it->correct, NULL, it->n, -1, n_bins, &c, err)) !=
	    XNR_OK) {
		json_decref(types);
		return rc;
	}
	o = json_pack("{s:o,s:o}", "all", calib_json(&c), "types", types);
	for (t = 0; o && t < n_types + (size_t)with_o; t++) {
		if ((rc = xnr_calib_compute(it->conf, it->correct, it->group, it->n, (int32_t)t,
		                            n_bins, &c, err)) != XNR_OK)
			break;
		if (c.n)
			json_object_set_new(
			    types, t == n_types ? "O" : xnr_tagset_type(v->tags, (uint32_t)t),
			    calib_json(&c));
	}
	if (rc != XNR_OK || !o) {
		json_decref(o);
		return rc != XNR_OK ? rc
		                    : xnr_fail(err, XNR_ERR_NOMEM, "calibration: out of memory");
	}
	*out = o;
	return XNR_OK;
}

static enum xnr_status calibration_json(const struct xnr_run_view *v, const struct items *w,
                                        const struct items *e, int n_bins, json_t **out,
                                        struct xnr_error *err)
{
	json_t *wj = NULL, *ej = NULL;
	enum xnr_status rc;

	if ((rc = level_json(w, v, n_bins, 1, &wj, err)) != XNR_OK ||
	    (rc = level_json(e, v, n_bins, 0, &ej, err)) != XNR_OK) {
		json_decref(wj);
		return rc;
	}
	*out = json_pack("{s:i,s:{s:s,s:s},s:o,s:o}", "bins", n_bins, "confidence_of", "word",
	                 "the probability of its predicted label (the argmax)", "entity",
	                 "the lowest confidence of its words", "word", wj, "entity", ej);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "calibration: out of memory");
}

enum xnr_status xnr_report_calibration(struct xnr_store *s, const struct xnr_run_view *v,
                                       const struct xnr_run_metrics *m, int n_bins, json_t **out,
                                       struct xnr_error *err)
{
	struct items w, e;
	enum xnr_status rc;

	memset(&w, 0, sizeof w);
	memset(&e, 0, sizeof e);
	if (n_bins < 1 || n_bins > XNR_CALIB_MAX_BINS)
		return xnr_fail(err, XNR_ERR_INPUT, "calibration: bins must be 1 to %d, got %d",
		                XNR_CALIB_MAX_BINS, n_bins);
	if (items_alloc(&w, v->n_words) != 0 || items_alloc(&e, m->def.pred.n) != 0) {
		rc = xnr_fail(err, XNR_ERR_NOMEM, "calibration: out of memory");
		goto done;
	}
	if ((rc = load_conf(s, v, w.conf, err)) != XNR_OK)
		goto done;
	word_items(v, &w);
	entity_items(v, &m->def, w.conf, &e);
	rc = calibration_json(v, &w, &e, n_bins, out, err);
done:
	items_free(&w);
	items_free(&e);
	return rc;
}
