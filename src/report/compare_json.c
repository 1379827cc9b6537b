/*
 * compare_json.c - the two-run comparison (compare.c) as compare.h's JSON:
 * the runs and how they were paired, the labels one run lacks, each type's
 * scores with the paired bootstrap, McNemar's test, and the listed
 * sentences and entities with the words and both runs' labels.
 */
#include <stdlib.h>
#include <string.h>

#include "report/internal.h"

static json_t *run_json(const struct xnr__cmp_side *s)
{
	return json_pack("{s:I,s:s?,s:s?,s:s?,s:I}", "id", (json_int_t)s->run.id, "model_path",
	                 s->run.model_path, "data_path", s->run.data_path, "data_hash",
	                 s->run.data_hash, "n_sentences", (json_int_t)s->v->n_sents);
}

/* The labels of x that y does not have, by name. */
static json_t *missing_labels(const struct xnr_run *x, const struct xnr_run *y)
{
	json_t *a = json_array();
	int i;
	for (i = 0; a && i < x->n_labels; i++)
		if (xnr_run_label_id(y, x->labels[i]) < 0)
			json_array_append_new(a, json_string(x->labels[i]));
	return a;
}

/* Summed counts of column j (j = n_cols: every column). */
static void totals(const struct xnr_f1_counts *c, size_t j, int64_t *tp, int64_t *np, int64_t *nt)
{
	size_t r, k;
	*tp = *np = *nt = 0;
	for (r = 0; r < c->n_rows; r++)
		for (k = j < c->n_cols ? j : 0; k < (j < c->n_cols ? j + 1 : c->n_cols); k++) {
			const int32_t *v = c->c + (r * c->n_cols + k) * 3;
			*tp += v[0];
			*np += v[1];
			*nt += v[2];
		}
}

static double ratio(int64_t x, int64_t y)
{
	return y ? (double)x / (double)y : 0.0;
}

static json_t *prf_json(const struct xnr_f1_counts *c, size_t j, const struct xnr_interval *f1)
{
	int64_t tp, np, nt;
	totals(c, j, &tp, &np, &nt);
	return json_pack("{s:f,s:f,s:f,s:I,s:I,s:I,s:f,s:f}", "precision", ratio(tp, np), "recall",
	                 ratio(tp, nt), "f1", f1->est, "support", (json_int_t)nt, "predicted",
	                 (json_int_t)np, "correct", (json_int_t)tp, "lo", f1->lo, "hi", f1->hi);
}

static json_t *diff_json(const struct xnr_paired *p)
{
	return json_pack("{s:f,s:f,s:f,s:f}", "f1", p->diff.est, "lo", p->diff.lo, "hi", p->diff.hi,
	                 "p_value", p->p_value);
}

/* Macro precision and recall: the columns' means, as seqeval's macro avg. */
static json_t *macro_json(const struct xnr_f1_counts *c, const struct xnr_interval *f1)
{
	double p = 0.0, r = 0.0;
	int64_t tp, np, nt, support = 0;
	size_t j;
	for (j = 0; j < c->n_cols; j++) {
		totals(c, j, &tp, &np, &nt);
		p += ratio(tp, np);
		r += ratio(tp, nt);
		support += nt;
	}
	if (c->n_cols)
		p /= (double)c->n_cols, r /= (double)c->n_cols;
	return json_pack("{s:f,s:f,s:f,s:I,s:f,s:f}", "precision", p, "recall", r, "f1", f1->est,
	                 "support", (json_int_t)support, "lo", f1->lo, "hi", f1->hi);
}

static json_t *scores_json(const struct xnr__cmp *c, json_t **micro, json_t **macro)
{
	const struct xnr_f1_boot *b = &c->boot;
	json_t *types = json_array();
	size_t j;

	for (j = 0; types && j < c->n_cols; j++)
		json_array_append_new(types,
		                      json_pack("{s:s,s:o,s:o,s:o}", "type", c->cols[j], "a",
		                                prf_json(&c->counts[0], j, &b->col[j].a), "b",
		                                prf_json(&c->counts[1], j, &b->col[j].b), "diff",
		                                diff_json(&b->col[j])));
	*micro = json_pack("{s:o,s:o,s:o}", "a", prf_json(&c->counts[0], c->n_cols, &b->micro.a),
	                   "b", prf_json(&c->counts[1], c->n_cols, &b->micro.b), "diff",
	                   diff_json(&b->micro));
	*macro = json_pack("{s:o,s:o,s:o}", "a", macro_json(&c->counts[0], &b->macro.a), "b",
	                   macro_json(&c->counts[1], &b->macro.b), "diff", diff_json(&b->macro));
	return types;
}

/* ---- listed sentences and entities ---- */

/* The words of sentence id of run (a JSON array of strings). */
static enum xnr_status words_json(struct xnr_store *s, int64_t run, int64_t id, json_t **out,
                                  struct xnr_error *err)
{
	struct xnr_word_query q = xnr_word_query_default(run);
	struct xnr_word_row w;
	struct xnr_rows *rows = NULL;
	json_t *a = json_array();
	enum xnr_status rc;
	int more = 1;

	q.by_sentences = 1;
	q.sentences = &id;
	q.n_sentences = 1;
	if (!a)
		return xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
	if ((rc = xnr_store_words(s, &q, &rows, err)) == XNR_OK)
		while ((rc = xnr_rows_word(rows, &w, &more, err)) == XNR_OK && more)
			json_array_append_new(
			    a, json_stringn(w.text ? w.text : "", w.text ? (size_t)w.text_len : 0));
	xnr_rows_close(rows);
	if (rc != XNR_OK)
		json_decref(a);
	else
		*out = a;
	return rc;
}

/* Label names of one side's words of sentence id (pred or gold). */
static json_t *labels_json(const struct xnr__cmp_side *s, int64_t id, int pred)
{
	const struct xnr_run_view *v = s->v;
	json_t *a = json_array();
	size_t i;
	for (i = v->sent_start[id]; a && i < v->sent_start[id + 1]; i++)
		json_array_append_new(a, json_string(v->labels[pred ? v->pred[i] : v->gold[i]]));
	return a;
}

static enum xnr_status sentence_json(struct xnr_store *s, const struct xnr__cmp *c,
                                     const struct xnr__cmp_sent *it, json_t **out,
                                     struct xnr_error *err)
{
	int64_t a = c->pair_a[it->pair], b = c->pair_b[it->pair];
	json_t *words = NULL;
	enum xnr_status rc = words_json(s, c->s[0].run.id, a, &words, err);

	if (rc != XNR_OK)
		return rc;
	*out = json_pack("{s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "a_id", (json_int_t)a, "b_id",
	                 (json_int_t)b, "changed", (json_int_t)it->changed, "words", words, "gold",
	                 labels_json(&c->s[0], a, 0), "pred_a", labels_json(&c->s[0], a, 1),
	                 "pred_b", labels_json(&c->s[1], b, 1));
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
}

static long listed(const struct xnr__cmp *c, size_t total)
{
	return c->p->top < 0 || (size_t)c->p->top > total ? (long)total : c->p->top;
}

static enum xnr_status sentences_json(struct xnr_store *s, const struct xnr__cmp *c, json_t *o,
                                      struct xnr_error *err)
{
	static const char *const names[XNR__CMP_KINDS] = {"fixed", "regressed", "both_wrong"};
	enum xnr_status rc = XNR_OK;
	int k;

	for (k = 0; rc == XNR_OK && k < XNR__CMP_KINDS; k++) {
		json_t *items = json_array(), *it = NULL;
		long i, n = listed(c, c->n_sents[k]);
		for (i = 0; rc == XNR_OK && i < n; i++)
			if ((rc = sentence_json(s, c, &c->sents[k][i], &it, err)) == XNR_OK)
				json_array_append_new(items, it);
		json_object_set_new(
		    o, names[k],
		    json_pack("{s:I,s:o}", "total", (json_int_t)c->n_sents[k], "items", items));
	}
	return rc;
}

/* ---- entities ---- */

/* Fixed (kind 0) or regressed (1): the run that got the decision right. */
static int unit_is(const struct xnr__cmp_unit *u, int kind, int32_t filter)
{
	int right_a = u->in_a == u->gold, right_b = u->in_b == u->gold;
	if (filter >= 0 && u->col != filter)
		return 0;
	return kind == 0 ? !right_a && right_b : right_a && !right_b;
}

static const struct xnr__cmp *sort_cmp;
static const long *sort_changed;

/* Units (indices): gold entities before spans no gold has, then by their
 * pair's rank (most changed decisions first), then position. */
static int by_rank(const void *x, const void *y)
{
	const struct xnr__cmp_unit *a = &sort_cmp->units[*(const size_t *)x];
	const struct xnr__cmp_unit *b = &sort_cmp->units[*(const size_t *)y];
	long ca = sort_changed[a->pair], cb = sort_changed[b->pair];
	if (a->gold != b->gold)
		return a->gold ? -1 : 1;
	if (ca != cb)
		return ca < cb ? 1 : -1;
	if (a->pair != b->pair)
		return a->pair < b->pair ? -1 : 1;
	return (a->start > b->start) - (a->start < b->start);
}

static json_t *col_name(const struct xnr__cmp *c, int32_t col)
{
	return col >= 0 ? json_string(c->cols[col]) : json_null();
}

/* Words [start, end) of words joined by spaces, a new JSON string. */
static json_t *span_text(json_t *words, int64_t start, int64_t end)
{
	size_t n = json_array_size(words), len = 1, i;
	size_t lo = start < 0 ? 0 : (size_t)start, hi = end < 0 ? 0 : (size_t)end;
	json_t *out;
	char *buf;

	hi = hi < n ? hi : n;
	for (i = lo; i < hi; i++)
		len += strlen(json_string_value(json_array_get(words, i))) + 1;
	if (!(buf = calloc(len, 1)))
		return NULL;
	for (i = lo; i < hi; i++) {
		if (i > lo)
			strcat(buf, " ");
		strcat(buf, json_string_value(json_array_get(words, i)));
	}
	out = json_string(buf);
	free(buf);
	return out;
}

static enum xnr_status entity_json(struct xnr_store *s, const struct xnr__cmp *c,
                                   const struct xnr__cmp_unit *u, json_t **out,
                                   struct xnr_error *err)
{
	int64_t a = c->pair_a[u->pair];
	json_t *words = NULL;
	enum xnr_status rc = words_json(s, c->s[0].run.id, a, &words, err);

	if (rc != XNR_OK)
		return rc;
	*out = json_pack("{s:I,s:I,s:I,s:I,s:o,s:o,s:b,s:o,s:o}", "a_id", (json_int_t)a, "b_id",
	                 (json_int_t)c->pair_b[u->pair], "start", (json_int_t)u->start, "end",
	                 (json_int_t)u->end, "text", span_text(words, u->start, u->end), "type",
	                 col_name(c, u->col), "gold", (int)u->gold, "pred_a", col_name(c, u->col_a),
	                 "pred_b", col_name(c, u->col_b));
	json_decref(words);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
}

/* The decisions of one kind, ranked, the first `top` as JSON. */
static enum xnr_status entity_list(struct xnr_store *s, const struct xnr__cmp *c, int kind,
                                   size_t *idx, json_t **out, struct xnr_error *err)
{
	json_t *items = json_array(), *it = NULL;
	enum xnr_status rc = XNR_OK;
	size_t i, n = 0;
	long top;

	for (i = 0; i < c->n_units; i++)
		if (unit_is(&c->units[i], kind, c->filter_col))
			idx[n++] = i;
	qsort(idx, n, sizeof *idx, by_rank);
	top = listed(c, n);
	for (i = 0; rc == XNR_OK && i < (size_t)top; i++)
		if ((rc = entity_json(s, c, &c->units[idx[i]], &it, err)) == XNR_OK)
			json_array_append_new(items, it);
	*out = json_pack("{s:I,s:o}", "total", (json_int_t)n, "items", items);
	return rc;
}

/* Each pair's changed decisions (of the filter's type), for the ranking. */
static long *changed_per_pair(const struct xnr__cmp *c)
{
	long *v = calloc(c->n_pairs + 1, sizeof *v);
	size_t i;
	for (i = 0; v && i < c->n_units; i++)
		v[c->units[i].pair] += c->units[i].in_a != c->units[i].in_b &&
		                       (c->filter_col < 0 || c->units[i].col == c->filter_col);
	return v;
}

static enum xnr_status entities_json(struct xnr_store *s, const struct xnr__cmp *c, json_t *o,
                                     struct xnr_error *err)
{
	size_t *idx = malloc((c->n_units + 1) * sizeof *idx);
	long *changed = changed_per_pair(c);
	json_t *fixed = NULL, *regressed = NULL;
	enum xnr_status rc;

	if (!idx || !changed) {
		free(idx);
		free(changed);
		return xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
	}
	sort_cmp = c;
	sort_changed = changed;
	if ((rc = entity_list(s, c, 0, idx, &fixed, err)) == XNR_OK)
		rc = entity_list(s, c, 1, idx, &regressed, err);
	json_object_set_new(o, "fixed", fixed ? fixed : json_null());
	json_object_set_new(o, "regressed", regressed ? regressed : json_null());
	free(idx);
	free(changed);
	return rc;
}

static json_t *head_json(const struct xnr__cmp *c)
{
	const struct xnr_boot_params *b = &c->p->boot;
	struct xnr_mcnemar m = xnr_stats_mcnemar(c->n_ab, c->n_ba);
	const struct xnr_run_view *va = c->s[0].v, *vb = c->s[1].v;

	return json_pack(
	    "{s:o,s:o,s:{s:s,s:I,s:I,s:I,s:I},s:{s:o,s:o},s:{s:I,s:I,s:f,s:s},"
	    "s:{s:I,s:I,s:I,s:f,s:f,s:f},s:o}",
	    "a", run_json(&c->s[0]), "b", run_json(&c->s[1]), "pairing", "by",
	    c->by_text ? "text" : "index", "pairs", (json_int_t)c->n_pairs, "only_a",
	    (json_int_t)(va->n_sents - c->n_pairs), "only_b",
	    (json_int_t)(vb->n_sents - c->n_pairs), "gold_differs", (json_int_t)c->gold_differs,
	    "labels", "only_a", missing_labels(&c->s[0].run, &c->s[1].run), "only_b",
	    missing_labels(&c->s[1].run, &c->s[0].run), "bootstrap", "seed", (json_int_t)b->seed,
	    "resamples", (json_int_t)b->n_resamples, "level", b->level, "unit", "sentence",
	    "mcnemar", "decisions", (json_int_t)c->n_units, "a_only_right", (json_int_t)m.n_ab,
	    "b_only_right", (json_int_t)m.n_ba, "chi2", m.chi2, "p_chi2", m.p_chi2, "p_exact",
	    m.p_exact, "type", c->p->type ? json_string(c->p->type) : json_null());
}

enum xnr_status xnr__cmp_json(struct xnr_store *s, const struct xnr__cmp *c, json_t **out,
                              struct xnr_error *err)
{
	json_t *o = head_json(c), *micro = NULL, *macro = NULL, *types, *sents, *ents;
	enum xnr_status rc;

	types = scores_json(c, &micro, &macro);
	sents = json_object();
	ents = json_object();
	if (!o || !types || !micro || !macro || !sents || !ents) {
		json_decref(o);
		json_decref(types);
		json_decref(micro);
		json_decref(macro);
		json_decref(sents);
		json_decref(ents);
		return xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
	}
	json_object_set_new(o, "types", types);
	json_object_set_new(o, "micro", micro);
	json_object_set_new(o, "macro", macro);
	json_object_set_new(o, "sentences", sents);
	json_object_set_new(o, "entities", ents);
	if ((rc = sentences_json(s, c, sents, err)) != XNR_OK ||
	    (rc = entities_json(s, c, ents, err)) != XNR_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return XNR_OK;
}
