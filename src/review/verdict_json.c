/*
 * verdict_json.c - verdicts as JSON (review.h): the object a listing gives
 * for each stored verdict, with its state against the run, and the request
 * object that asks for a new one. One shape for the web API, the CLI's
 * `explainer verdict --json` and scripts.
 */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "review/review.h"

/* A list of n strings as a JSON array; JSON null for a NULL list. */
static json_t *strings(char *const *v, int n)
{
	json_t *a;

	if (!v)
		return json_null();
	if (!(a = json_array()))
		return NULL;
	for (int i = 0; i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *id_or_null(int64_t id)
{
	return id >= 0 ? json_integer((json_int_t)id) : json_null();
}

json_t *xnr_review_verdict_json(const struct xnr_verdict *v)
{
	int n = v->end - v->start;

	return json_pack(
	    "{s:I,s:s,s:s,s:o,s:i,s:i,s:o,s:o,s:s,s:s,s:s,s:s,s:o,s:{s:s,s:s?,s:s,"
	    "s:I,s:s?,s:s,s:s,s:i}}",
	    "id", (json_int_t)v->id, "kind", xnr_verdict_kind_name(v->kind), "state",
	    xnr_verdict_state_name(v->state), "sentence", id_or_null(v->sentence_id), "start",
	    v->start, "end", v->end, "labels", strings(v->labels, n), "was", strings(v->was, n),
	    "who", v->who, "why", v->why, "created_at", v->created_at, "updated_at", v->updated_at,
	    "run", id_or_null(v->run_id), "data", "path", v->data_path, "split", v->split, "hash",
	    v->data_hash, "source_line", (json_int_t)v->source_line, "source_id", v->source_id,
	    "sentence_text", v->sentence_text, "span_text", v->span_text, "n_words", v->n_words);
}

json_t *xnr_review_verdicts_json(const struct xnr_verdict *v, size_t n)
{
	json_int_t counts[XNR_VERDICT_STATE_COUNT] = {0};
	json_t *list = json_array();

	for (size_t i = 0; list && i < n; i++) {
		if (json_array_append_new(list, xnr_review_verdict_json(&v[i])) != 0) {
			json_decref(list);
			return NULL;
		}
		if ((unsigned)v[i].state < XNR_VERDICT_STATE_COUNT)
			counts[v[i].state]++;
	}
	return list
	           ? json_pack("{s:o,s:{s:I,s:I,s:I}}", "verdicts", list, "counts",
	                       xnr_verdict_state_name(XNR_VERDICT_CURRENT),
	                       counts[XNR_VERDICT_CURRENT],
	                       xnr_verdict_state_name(XNR_VERDICT_STALE), counts[XNR_VERDICT_STALE],
	                       xnr_verdict_state_name(XNR_VERDICT_NOT_IN_RUN),
	                       counts[XNR_VERDICT_NOT_IN_RUN])
	           : NULL;
}

void xnr_verdict_request_free(struct xnr_verdict_request *r)
{
	if (r) {
		free(r->labels);
		memset(r, 0, sizeof *r);
	}
}

/* "labels": one string per word of the span. */
static enum xnr_status request_labels(const json_t *body, struct xnr_verdict_request *r,
                                      struct xnr_error *err)
{
	const json_t *a = json_object_get(body, "labels");
	size_t n = (size_t)(r->in.end - r->in.start);

	if (!a || json_is_null(a))
		return XNR_OK;
	if (!json_is_array(a) || json_array_size(a) != n)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "verdict: \"labels\" must be an array of %zu label names, one per "
		                "word of the span",
		                n);
	if (!(r->labels = calloc(n, sizeof *r->labels)))
		return xnr_fail(err, XNR_ERR_NOMEM, "verdict: out of memory");
	for (size_t i = 0; i < n; i++)
		if (!(r->labels[i] = json_string_value(json_array_get(a, i)))) {
			xnr_fail(err, XNR_ERR_INPUT, "verdict: label %zu is not a string", i + 1);
			xnr_error_set_item(err, (long)i + 1);
			return XNR_ERR_INPUT;
		}
	r->in.labels = r->labels;
	return XNR_OK;
}

enum xnr_status xnr_review_verdict_request(const json_t *body, const char *default_who,
                                           struct xnr_verdict_request *out, struct xnr_error *err)
{
	const char *what = "verdict", *kind = NULL;
	struct xnr_verdict_request r;
	int64_t sentence = -1, start = -1, end = -1;
	enum xnr_status st;

	memset(&r, 0, sizeof r);
	r.in.who = default_who;
	if (!json_is_object(body))
		return xnr_fail(err, XNR_ERR_INPUT, "verdict: expected a JSON object");
	if (xnr_json_int(body, "sentence", &sentence, what, err) != 1 ||
	    xnr_json_int(body, "start", &start, what, err) != 1 ||
	    xnr_json_str(body, "kind", &kind, what, err) != 1)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "verdict: \"sentence\", \"start\" (integers) and \"kind\" are "
		                "required");
	if (xnr_json_int(body, "end", &end, what, err) < 0 ||
	    xnr_json_str(body, "who", &r.in.who, what, err) < 0 ||
	    xnr_json_str(body, "why", &r.in.why, what, err) < 0) {
		if (err)
			err->status = XNR_ERR_INPUT;
		return XNR_ERR_INPUT;
	}
	if (end < 0)
		end = start + 1;
	if (sentence < 0 || start < 0 || end <= start || end > 1 << 20)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "verdict: sentence %lld, words %lld to %lld is not a span",
		                (long long)sentence, (long long)start, (long long)end);
	if (xnr_verdict_kind_parse(kind, &r.in.kind) != 0)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "verdict: kind \"%.32s\" is not one of label_error, model_error, "
		                "ambiguous, skip",
		                kind);
	r.sentence = sentence;
	r.in.start = (int)start;
	r.in.end = (int)end;
	if ((st = request_labels(body, &r, err)) != XNR_OK) {
		xnr_verdict_request_free(&r);
		return st;
	}
	*out = r;
	return XNR_OK;
}
