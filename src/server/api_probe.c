/*
 * api_probe.c - POST /api/v1/runs/{id}/probe: the Probing page, which tags
 * free text with the run's model (ExplaiNER's probing page: type a sentence,
 * see the model's prediction per word and its sub-tokens). Words whose
 * predicted probability is under the threshold are flagged "low"; every word
 * and sub-token has its XNR__TOP_N most likely labels ("top", from the
 * softmax of the logits, as Inspect's come from the stored distribution).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer/infer.h"
#include "server/internal.h"

#define PROBE_TEXTS_MAX 64
#define TEXT_BYTES_MAX  2000

/* Row t of res's label distribution; NULL for a model without labels. */
static const float *token_probs(const struct xnr_result *res, int t)
{
	return res->probs && t >= 0 ? res->probs + (size_t)t * (size_t)res->n_labels : NULL;
}

/* The words of one probed text with the predicted label, its probability
 * and the most likely labels (those of the word's first sub-token). */
static json_t *probe_words_json(const struct xnr_result *res, const char *text,
                                const json_t *labels, const char *const *names, double threshold)
{
	json_t *a = json_array();
	int w;

	for (w = 0; a && w < res->n_words; w++) {
		float p = 0;
		int lab = xnr_result_word_label(res, w, &p);
		int s = res->word_span[2 * w], e = res->word_span[2 * w + 1];
		json_t *o = json_pack(
		    "{s:s%, s:i, s:i, s:O?, s:o?, s:b, s:o}", "text", text + s, (size_t)(e - s),
		    "start", s, "end", e, "pred", lab >= 0 ? json_array_get(labels, lab) : NULL,
		    "prob_pred", lab >= 0 ? json_real(p) : NULL, "low", lab >= 0 && p < threshold,
		    "top", xnr__top_json(token_probs(res, res->word_tok[w]), res->n_labels, names));
		if (json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Each sub-token of tokens (xnr__model_run's, one per row of res) gets "top". */
static int probe_tokens_top(json_t *tokens, const struct xnr_result *res, const char *const *names)
{
	size_t t;

	for (t = 0; t < json_array_size(tokens); t++)
		if (json_object_set_new(
		        json_array_get(tokens, t), "top",
		        xnr__top_json(token_probs(res, (int)t), res->n_labels, names)) != 0)
			return -1;
	return 0;
}

/* The label names of labels as C strings (borrowed from it): a new array. */
static const char **label_names(const json_t *labels)
{
	size_t i, n = json_array_size(labels);
	const char **names = malloc((n + 1) * sizeof *names);

	for (i = 0; names && i < n; i++)
		names[i] = json_string_value(json_array_get(labels, i));
	return names;
}

static enum xnr_status probe_parse(const json_t *body, struct xnr_input *in, int *n,
                                   double *threshold, struct xnr_error *err)
{
	static const char *const allowed[] = {"texts", "threshold", NULL};
	json_t *texts = json_object_get(body, "texts");
	enum xnr_status st;
	size_t i;
	char name[32];

	if ((st = xnr__body_allow(body, allowed, err)) != XNR_OK ||
	    (st = xnr__body_real(body, "threshold", 0, 1, 0.5, threshold, err)) != XNR_OK)
		return st;
	if (!json_is_array(texts) || json_array_size(texts) == 0)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "body field texts: wants a list of 1 to %d strings",
		                PROBE_TEXTS_MAX);
	if (json_array_size(texts) > PROBE_TEXTS_MAX)
		return xnr_fail(err, XNR_ERR_LIMIT,
		                "body field texts: %zu texts, at most %d at once",
		                json_array_size(texts), PROBE_TEXTS_MAX);
	for (i = 0; i < json_array_size(texts); i++) {
		memset(&in[i], 0, sizeof in[i]);
		snprintf(name, sizeof name, "texts[%zu]", i);
		if ((st = xnr__body_text(json_array_get(texts, i), name, TEXT_BYTES_MAX,
		                         &in[i].text, &in[i].text_len, err)) != XNR_OK)
			return st;
	}
	*n = (int)json_array_size(texts);
	return XNR_OK;
}

static enum xnr_status api_probe(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	struct xnr_input in[PROBE_TEXTS_MAX];
	struct xnr_result res[PROBE_TEXTS_MAX];
	json_t *labels = NULL, *tokens = NULL, *items = NULL, *o = NULL;
	const char **names = NULL;
	struct xnr_run run;
	double threshold, t0 = xnr__now_s();
	enum xnr_status st;
	int i, n = 0;

	if ((st = probe_parse(r->body, in, &n, &threshold, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	st = xnr__model_run(r, &run, 0, in, n, res, &labels, &tokens, NULL, err);
	xnr_run_free(&run);
	if (st != XNR_OK)
		goto fail;
	names = label_names(labels);
	items = names ? json_array() : NULL;
	for (i = 0; items && i < n; i++) {
		json_t *it = NULL;
		if (probe_tokens_top(json_array_get(tokens, i), &res[i], names) == 0)
			it = json_pack(
			    "{s:s%, s:O, s:o}", "text", in[i].text, in[i].text_len, "tokens",
			    json_array_get(tokens, i), "words",
			    probe_words_json(&res[i], in[i].text, labels, names, threshold));
		if (json_array_append_new(items, it) != 0)
			break;
	}
	if (items && i == n) {
		o = json_pack("{s:o, s:f, s:f}", "items", items, "threshold", threshold,
		              "elapsed_s", xnr__now_s() - t0);
		items = NULL;
	}
	if (!o)
		st = xnr_fail(err, XNR_ERR_NOMEM, "probe: out of memory");
	*out = o;
fail:
	free(names);
	json_decref(items);
	json_decref(labels);
	json_decref(tokens);
	for (i = 0; i < n; i++)
		xnr_result_free(&res[i]);
	return st;
}

static const struct xnr__route routes[] = {
    {"POST", "/api/v1/runs/{id}/probe", api_probe, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(probe, routes);
