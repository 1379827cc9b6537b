/*
 * calibration.c - a run's calibration (report.h): every word's confidence
 * (words.prob_pred, the probability of its predicted label, the argmax) and
 * the predicted entities (default mode) as items of analysis/calibration.h,
 * overall and per type, as JSON. An entity's confidence is the lowest
 * confidence of its words: a span is as sure as its least sure word. The
 * items are added a corpus at a time (struct xnr__calib): the whole view
 * at once here, a run's chunks as it writes them (metrics.c), with the same
 * bits.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/calibration.h"
#include "report/internal.h"
#include "report/report.h"
#include "store/read.h"

struct xnr__calib {
	int n_bins;
	struct xnr_calib_acc word_all, word_o, ent_all;
	struct xnr_calib_acc *word, *ent; /* (cap) by entity type id */
	size_t cap;
};

enum xnr_status xnr__calib_open(int n_bins, struct xnr__calib **out, struct xnr_error *err)
{
	struct xnr__calib *c;

	if (n_bins < 1 || n_bins > XNR_CALIB_MAX_BINS)
		return xnr_fail(err, XNR_ERR_INPUT, "calibration: bins must be 1 to %d, got %d",
		                XNR_CALIB_MAX_BINS, n_bins);
	if (!(c = calloc(1, sizeof *c)))
		return xnr_fail(err, XNR_ERR_NOMEM, "calibration: out of memory");
	c->n_bins = n_bins;
	xnr_calib_acc_init(&c->word_all, n_bins);
	xnr_calib_acc_init(&c->word_o, n_bins);
	xnr_calib_acc_init(&c->ent_all, n_bins);
	*out = c;
	return XNR_OK;
}

void xnr__calib_close(struct xnr__calib *c)
{
	if (!c)
		return;
	free(c->word);
	free(c->ent);
	free(c);
}

/* Room for types [0, n). */
static int grow(struct xnr__calib *c, size_t n)
{
	struct xnr_calib_acc *w, *e;
	size_t cap = c->cap ? c->cap : 8, i;

	if (n <= c->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if (!(w = realloc(c->word, cap * sizeof *w)))
		return -1;
	c->word = w;
	if (!(e = realloc(c->ent, cap * sizeof *e)))
		return -1;
	c->ent = e;
	for (i = c->cap; i < cap; i++) {
		xnr_calib_acc_init(&c->word[i], c->n_bins);
		xnr_calib_acc_init(&c->ent[i], c->n_bins);
	}
	c->cap = cap;
	return 0;
}

/* Words: right when the predicted label is the gold one; grouped by the
 * predicted label's entity type, "O" for O. Predicted entities: confidence
 * the lowest of their words' in their sentence, right when a gold entity of the sentence has
 * the same span and type (both lists sorted by sentence). */
enum xnr_status xnr__calib_add(struct xnr__calib *c, const struct xnr_tagged_corpus *k,
                               const double *conf, const struct xnr_entities *gold,
                               const struct xnr_entities *pred, struct xnr_error *err)
{
	size_t i, j = 0, w, n_words = k->sent_start[k->n_sents];

	if (grow(c, xnr_tagset_n_types(k->tags)) != 0)
		return xnr_fail(err, XNR_ERR_NOMEM, "calibration: out of memory");
	for (w = 0; w < n_words; w++) {
		const struct xnr_tag_info *t = xnr_tagset_tag(k->tags, k->pred[w]);
		int right = k->pred[w] == k->gold[w];
		xnr_calib_acc_add(&c->word_all, conf[w], right);
		xnr_calib_acc_add(t->chunk == 'O' ? &c->word_o : &c->word[t->type_default], conf[w],
		                  right);
	}
	for (i = 0; i < pred->n; i++) {
		const struct xnr_entity *x = &pred->v[i];
		/* a start seqeval left stale (bare tags: entities.h) reaches back
		 * into earlier sentences: its words here are those of its own */
		size_t first = k->sent_start[x->sent] + (size_t)(x->start > 0 ? x->start : 0);
		double v = conf[first];
		int right = 0;
		for (w = first + 1; w < k->sent_start[x->sent] + (size_t)x->end; w++)
			if (!(conf[w] >= v))
				v = conf[w];
		while (j < gold->n && gold->v[j].sent < x->sent)
			j++;
		for (w = j; w < gold->n && gold->v[w].sent == x->sent; w++)
			if (gold->v[w].start == x->start && gold->v[w].end == x->end &&
			    gold->v[w].type == x->type)
				right = 1;
		xnr_calib_acc_add(&c->ent_all, v, right);
		xnr_calib_acc_add(&c->ent[x->type], v, right);
	}
	return XNR_OK;
}

static json_t *real_or_null(double x)
{
	return isnan(x) ? json_null() : json_real(x);
}

/* NULL when out of memory. */
static json_t *calib_json(const struct xnr_calib_acc *a)
{
	json_t *count = json_array(), *conf = json_array(), *acc = json_array();
	struct xnr_calib c;
	int b, bad = !count || !conf || !acc;

	xnr_calib_acc_result(a, &c);
	for (b = 0; !bad && b < c.n_bins; b++)
		bad = json_array_append_new(count, json_integer((json_int_t)c.count[b])) != 0 ||
		      json_array_append_new(conf, real_or_null(c.conf[b])) != 0 ||
		      json_array_append_new(acc, real_or_null(c.acc[b])) != 0;
	if (bad) {
		json_decref(count);
		json_decref(conf);
		json_decref(acc);
		return NULL;
	}
	/* json_pack takes count, conf and acc, on failure too */
	return json_pack("{s:I,s:o,s:o,s:f,s:f,s:{s:o,s:o,s:o}}", "n", (json_int_t)c.n, "accuracy",
	                 real_or_null(c.accuracy), "confidence", real_or_null(c.confidence), "ece",
	                 c.ece, "mce", c.mce, "bins", "count", count, "confidence", conf,
	                 "accuracy", acc);
}

/* {"all": c, "types": {NAME: c}} of one level: the tag set's types with an
 * item, in id order, and o ("O") last when given. */
static json_t *level_json(const struct xnr_calib_acc *all, const struct xnr_calib_acc *by_type,
                          size_t n_by_type, const struct xnr_calib_acc *o,
                          const struct xnr_tagset *tags)
{
	size_t n_types = xnr_tagset_n_types(tags), t;
	json_t *types = json_object();
	json_t *j = json_pack("{s:o,s:o}", "all", calib_json(all), "types", types);

	for (t = 0; j && t < n_types && t < n_by_type; t++)
		if (by_type[t].n && json_object_set_new(types, xnr_tagset_type(tags, (uint32_t)t),
		                                        calib_json(&by_type[t])) != 0) {
			json_decref(j);
			j = NULL;
		}
	if (j && o && o->n && json_object_set_new(types, "O", calib_json(o)) != 0) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

enum xnr_status xnr__calib_json(const struct xnr__calib *c, const struct xnr_tagset *tags,
                                json_t **out, struct xnr_error *err)
{
	json_t *wj = level_json(&c->word_all, c->word, c->cap, &c->word_o, tags);
	json_t *ej = level_json(&c->ent_all, c->ent, c->cap, NULL, tags);

	*out = NULL;
	if (wj && ej) /* json_pack takes wj and ej, on failure too */
		*out = json_pack("{s:i,s:{s:s,s:s},s:o,s:o}", "bins", c->n_bins, "confidence_of",
		                 "word", "the probability of its predicted label (the argmax)",
		                 "entity", "the lowest confidence of its words", "word", wj,
		                 "entity", ej);
	else {
		json_decref(wj);
		json_decref(ej);
	}
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "calibration: out of memory");
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

enum xnr_status xnr_report_calibration(struct xnr_store *s, const struct xnr_run_view *v,
                                       const struct xnr_run_metrics *m, int n_bins, json_t **out,
                                       struct xnr_error *err)
{
	struct xnr_tagged_corpus k = {v->tags, v->n_sents, v->sent_start, v->gold, v->pred};
	struct xnr__calib *c = NULL;
	double *conf;
	enum xnr_status rc;

	if ((rc = xnr__calib_open(n_bins, &c, err)) != XNR_OK)
		return rc;
	if (!(conf = malloc((v->n_words + 1) * sizeof *conf)))
		rc = xnr_fail(err, XNR_ERR_NOMEM, "calibration: out of memory");
	else if ((rc = load_conf(s, v, conf, err)) == XNR_OK &&
	         (rc = xnr__calib_add(c, &k, conf, &m->def.gold, &m->def.pred, err)) == XNR_OK)
		rc = xnr__calib_json(c, v->tags, out, err);
	free(conf);
	xnr__calib_close(c);
	return rc;
}
