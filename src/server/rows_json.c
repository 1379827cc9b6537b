/*
 * rows_json.c - the API's JSON shapes of what the store reads (store/read.h):
 * runs, sentences, words and sub-tokens, with label ids as the run's label
 * names, NULLs as null and the keys in the order docs/api.md lists them; and
 * the run lookup and label and entity type filters every run resource
 * shares.
 */
#include <math.h>
#include <string.h>

#include "core/json.h"
#include "server/internal.h"

json_t *xnr__json_text(const char *s, int len)
{
	return xnr_json_text(s, len);
}

int xnr__is_text(const char *s)
{
	json_t *t = json_string(s);

	json_decref(t);
	return t != NULL;
}

json_t *xnr__json_real(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

json_t *xnr__json_label(const struct xnr_run *run, int64_t id)
{
	return xnr__json_text(xnr_run_label_name(run, id), -1);
}

json_t *xnr__top_json(const float *p, int n, const char *const *names)
{
	json_t *a = json_array();
	int used[XNR__TOP_N], n_used = 0, i, k;

	while (a && p && n_used < XNR__TOP_N) {
		int best = -1;
		for (k = 0; k < n; k++) {
			for (i = 0; i < n_used && used[i] != k; i++)
				;
			if (i == n_used && !isnan(p[k]) && (best < 0 || p[k] > p[best]))
				best = k;
		}
		if (best < 0)
			break;
		used[n_used++] = best;
		if (json_array_append_new(a, json_pack("{s:o,s:f}", "label",
		                                       xnr__json_text(names[best], -1), "p",
		                                       (double)p[best]))) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

json_t *xnr__object(size_t n, const char *const *keys, json_t **vals)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		if (!o || !vals[i] || json_object_set_new(o, keys[i], vals[i]) != 0)
			break;
	if (i == n)
		return o;
	json_decref(o);
	for (i++; i < n; i++)
		json_decref(vals[i]);
	return NULL;
}

/* A column holding JSON text, parsed; kept as a string if it is not JSON. */
static json_t *parsed(const char *text)
{
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL) : NULL;

	return v ? v : xnr__json_text(text, -1);
}

static json_t *labels_json(const struct xnr_run *run)
{
	json_t *a = json_array();
	int i;

	for (i = 0; a && i < run->n_labels; i++)
		if (json_array_append_new(a, xnr__json_text(run->labels[i], -1)) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *xnr__run_json(const struct xnr__app *app, const struct xnr_run *run, int full)
{
	static const char *const list_keys[] = {
	    "id",    "created_at",  "model_path", "model_arch", "data_path",
	    "split", "n_sentences", "n_words",    "n_tokens",   "micro_f1"};
	static const char *const keys[] = {
	    "id",         "key",         "created_at", "duration_s",  "explainer_version",
	    "model_path", "model_hash",  "model_arch", "data_path",   "data_hash",
	    "split",      "options",     "scheme",     "n_sentences", "n_words",
	    "n_tokens",   "hidden_size", "summary",    "labels"};
	if (!full) {
		json_t *v[] = {json_integer(run->id),
		               xnr__json_text(run->created_at, -1),
		               xnr__json_text(xnr__path_shown(app, run->model_path), -1),
		               xnr__json_text(run->model_arch, -1),
		               xnr__json_text(xnr__path_shown(app, run->data_path), -1),
		               xnr__json_text(run->split, -1),
		               json_integer(run->n_sentences),
		               json_integer(run->n_words),
		               json_integer(run->n_tokens),
		               xnr__json_real(run->micro_f1)};
		return xnr__object(sizeof v / sizeof v[0], list_keys, v);
	}
	json_t *v[] = {json_integer(run->id),
	               xnr__json_text(run->key, -1),
	               xnr__json_text(run->created_at, -1),
	               xnr__json_real(run->duration_s),
	               xnr__json_text(run->version, -1),
	               xnr__json_text(xnr__path_shown(app, run->model_path), -1),
	               xnr__json_text(run->model_hash, -1),
	               xnr__json_text(run->model_arch, -1),
	               xnr__json_text(xnr__path_shown(app, run->data_path), -1),
	               xnr__json_text(run->data_hash, -1),
	               xnr__json_text(run->split, -1),
	               parsed(run->options_json),
	               parsed(run->scheme_json),
	               json_integer(run->n_sentences),
	               json_integer(run->n_words),
	               json_integer(run->n_tokens),
	               json_integer(run->hidden_size),
	               parsed(run->summary_json),
	               labels_json(run)};
	return xnr__object(sizeof v / sizeof v[0], keys, v);
}

json_t *xnr__sentence_json(const struct xnr_sentence_row *s, enum xnr__shape shape)
{
	static const char *const page_keys[] = {"id",   "doc_id",        "text",
	                                        "loss", "n_word_errors", "n_entity_errors"};
	static const char *const keys[] = {
	    "id",      "doc_id",   "source_line", "source_id",     "text",
	    "n_words", "n_tokens", "loss",        "n_word_errors", "n_entity_errors"};
	if (shape == XNR__SHAPE_PAGE) {
		json_t *v[] = {json_integer(s->id),
		               json_integer(s->doc_id),
		               xnr__json_text(s->text, -1),
		               xnr__json_real(s->loss),
		               json_integer(s->n_word_errors),
		               json_integer(s->n_entity_errors)};
		return xnr__object(sizeof v / sizeof v[0], page_keys, v);
	}
	json_t *v[] = {json_integer(s->id),
	               json_integer(s->doc_id),
	               json_integer(s->source_line),
	               xnr__json_text(s->source_id, -1),
	               xnr__json_text(s->text, -1),
	               json_integer(s->n_words),
	               json_integer(s->n_tokens),
	               xnr__json_real(s->loss),
	               json_integer(s->n_word_errors),
	               json_integer(s->n_entity_errors)};
	return xnr__object(sizeof v / sizeof v[0], keys, v);
}

/* An integer column the writer leaves NULL as -1 (first_token). */
static json_t *int_or_null(int64_t v)
{
	return v < 0 ? json_null() : json_integer(v);
}

json_t *xnr__word_json(const struct xnr_run *run, const struct xnr_word_row *w,
                       enum xnr__shape shape)
{
	static const char *const keys[] = {"sentence_id", "idx",        "text",      "gold",
	                                   "pred",        "prob_pred",  "prob_gold", "loss",
	                                   "entropy",     "first_token"};
	static const char *const page_keys[] = {"idx", "text", "gold", "pred", "prob_pred", "loss"};
	if (shape == XNR__SHAPE_PAGE) {
		json_t *v[] = {json_integer(w->idx),          xnr__json_text(w->text, w->text_len),
		               xnr__json_label(run, w->gold), xnr__json_label(run, w->pred),
		               xnr__json_real(w->prob_pred),  xnr__json_real(w->loss)};
		return xnr__object(sizeof v / sizeof v[0], page_keys, v);
	}
	json_t *v[] = {shape == XNR__SHAPE_TABLE ? json_integer(w->sentence_id) : NULL,
	               json_integer(w->idx),
	               xnr__json_text(w->text, w->text_len),
	               xnr__json_label(run, w->gold),
	               xnr__json_label(run, w->pred),
	               xnr__json_real(w->prob_pred),
	               xnr__json_real(w->prob_gold),
	               xnr__json_real(w->loss),
	               xnr__json_real(w->entropy),
	               int_or_null(w->first_token)};
	size_t skip = shape == XNR__SHAPE_TABLE ? 0 : 1; /* sentence_id */
	return xnr__object(sizeof v / sizeof v[0] - skip, keys + skip, v + skip);
}

json_t *xnr__token_json(const struct xnr_run *run, const struct xnr_token_row *t,
                        enum xnr__shape shape)
{
	static const char *const keys[] = {"sentence_id", "idx",  "token_id", "text", "word_idx",
	                                   "start",       "end",  "is_first", "gold", "pred",
	                                   "prob_pred",   "loss", "entropy"};
	json_t *v[] = {shape == XNR__SHAPE_TABLE ? json_integer(t->sentence_id) : NULL,
	               json_integer(t->idx),
	               json_integer(t->token_id),
	               xnr__json_text(t->text, -1),
	               json_integer(t->word_idx),
	               json_integer(t->start),
	               json_integer(t->end),
	               json_integer(t->is_first),
	               xnr__json_label(run, t->gold),
	               xnr__json_label(run, t->pred),
	               xnr__json_real(t->prob_pred),
	               xnr__json_real(t->loss),
	               xnr__json_real(t->entropy)};
	size_t skip = shape == XNR__SHAPE_TABLE ? 0 : 1;
	return xnr__object(sizeof v / sizeof v[0] - skip, keys + skip, v + skip);
}

enum xnr_status xnr__req_run(struct xnr__req *r, struct xnr_run *run, struct xnr_error *err)
{
	return xnr_store_run_get(r->store, r->ids[0], run, err);
}

enum xnr_status xnr__label_param(const struct xnr_run *run, const char *param, const char *name,
                                 int *out, struct xnr_error *err)
{
	*out = -1;
	if (!name)
		return XNR_OK;
	if ((*out = xnr_run_label_id(run, name)) >= 0)
		return XNR_OK;
	return xnr_fail(err, XNR_ERR_INPUT,
	                "query parameter %s: %.64s is not a label of run %lld (GET "
	                "/api/v1/runs/%lld lists its labels)",
	                param, name, (long long)run->id, (long long)run->id);
}

const char *xnr__label_type(const char *label)
{
	if (!label || !label[0] || strcmp(label, "O") == 0)
		return NULL;
	if (strchr("BIESLU", label[0]) && label[1] == '-' && label[2])
		return label + 2;
	return label;
}

enum xnr_status xnr__type_param(const struct xnr_run *run, const char *param, const char *type,
                                struct xnr_error *err)
{
	const char *t;
	int i;

	for (i = 0; type && i < run->n_labels; i++)
		if ((t = xnr__label_type(run->labels[i])) && strcmp(t, type) == 0)
			return XNR_OK;
	if (!type)
		return XNR_OK;
	return xnr_fail(err, XNR_ERR_INPUT,
	                "query parameter %s: %.64s is not an entity type of run %lld (its labels "
	                "without the B- or I-)",
	                param, type, (long long)run->id);
}
