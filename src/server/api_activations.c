/*
 * api_activations.c - POST /api/v1/runs/{id}/activations: the Activations
 * page, mirroring ecco's NMF of FFN neuron activations as ExplaiNER shows it:
 * run one text through the run's model keeping every layer's FFN
 * activations, factorise the chosen layers' (tokens x neurons) matrix into k
 * factors, and answer each factor's weight per token and its top neurons.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "infer/infer.h"
#include "reduce/reduce.h"
#include "server/internal.h"

#define TEXT_BYTES_MAX 2000
#define TOP_NEURONS    5

struct acts_req {
	const char *text;
	size_t text_len;
	int64_t from, to, k, seed;
};

static enum xnr_status acts_parse(const json_t *body, struct acts_req *q, struct xnr_error *err)
{
	static const char *const allowed[] = {"text", "from_layer", "to_layer", "k", "seed", NULL};
	enum xnr_status st;

	if ((st = xnr__body_allow(body, allowed, err)) != XNR_OK ||
	    (st = xnr__body_text(json_object_get(body, "text"), "text", TEXT_BYTES_MAX, &q->text,
	                         &q->text_len, err)) != XNR_OK ||
	    (st = xnr__body_int(body, "from_layer", 0, 1000, 0, &q->from, err)) != XNR_OK ||
	    (st = xnr__body_int(body, "to_layer", 0, 1000, -1, &q->to, err)) != XNR_OK ||
	    (st = xnr__body_int(body, "k", 2, 10, 8, &q->k, err)) != XNR_OK ||
	    (st = xnr__body_int(body, "seed", 0, INT64_MAX, 0, &q->seed, err)) != XNR_OK)
		return st;
	return XNR_OK;
}

/* The layer range against the model: to_layer defaults to the last layer. */
static enum xnr_status acts_layers(struct acts_req *q, int n_layers, struct xnr_error *err)
{
	if (q->to < 0)
		q->to = n_layers - 1;
	if (q->from >= n_layers || q->to >= n_layers || q->from > q->to)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "layers %lld..%lld: the model has layers 0..%d (from_layer <= "
		                "to_layer)",
		                (long long)q->from, (long long)q->to, n_layers - 1);
	return XNR_OK;
}

/* a [n_tok, n_sel * ffn] = the chosen layers' activations, clipped at 0
 * (ecco clips before NMF: GELU is slightly negative on the left). */
static float *acts_matrix(const struct xnr_result *res, const struct acts_req *q, long *m)
{
	size_t t, l, j, n = (size_t)res->enc.n_tokens, ffn = (size_t)res->ffn_size;
	size_t n_sel = (size_t)(q->to - q->from + 1);
	float *a = malloc(n * n_sel * ffn * sizeof *a);

	if (!a)
		return NULL;
	for (t = 0; t < n; t++)
		for (l = 0; l < n_sel; l++) {
			const float *src = res->ffn_acts + (((size_t)q->from + l) * n + t) * ffn;
			float *dst = a + t * n_sel * ffn + l * ffn;
			for (j = 0; j < ffn; j++)
				dst[j] = src[j] > 0 ? src[j] : 0;
		}
	*m = (long)(n_sel * ffn);
	return a;
}

/* The TOP_NEURONS largest weights of factor f in h [k, m]: [{layer, neuron, weight}]. */
static json_t *top_neurons(const float *h, long m, int f, const struct acts_req *q, int ffn)
{
	long best[TOP_NEURONS] = {0}, j;
	int n = 0, i;
	json_t *a = json_array();

	for (j = 0; j < m; j++) {
		float v = h[(long)f * m + j];
		if (n == TOP_NEURONS && v <= h[(long)f * m + best[n - 1]])
			continue;
		for (i = n < TOP_NEURONS ? n++ : n - 1; i > 0 && h[(long)f * m + best[i - 1]] < v;
		     i--)
			best[i] = best[i - 1];
		best[i] = j;
	}
	for (i = 0; a && i < n; i++)
		if (json_array_append_new(a,
		                          json_pack("{s:I, s:I, s:f}", "layer",
		                                    (json_int_t)q->from + best[i] / ffn, "neuron",
		                                    (json_int_t)(best[i] % ffn), "weight",
		                                    (double)h[(long)f * m + best[i]])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* factors [k][n_tok] (w transposed) and each factor's top neurons. */
static json_t *factors_json(const float *w, const float *h, int n_tok, int k, long m,
                            const struct acts_req *q, int ffn)
{
	json_t *factors = json_array(), *tops = json_array();
	int f, t;

	for (f = 0; factors && tops && f < k; f++) {
		json_t *row = json_array();
		for (t = 0; row && t < n_tok; t++)
			if (json_array_append_new(row,
			                          json_real(w[(size_t)t * (size_t)k + (size_t)f])))
				break;
		if (!row || t < n_tok || json_array_append_new(factors, row) != 0 ||
		    json_array_append_new(tops, top_neurons(h, m, f, q, ffn)) != 0)
			break;
	}
	if (!factors || !tops || f < k) {
		json_decref(factors);
		json_decref(tops);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "factors", factors, "top_neurons", tops);
}

/* NMF of the activations of res; *out = {k, n_iter, factors, top_neurons}. */
static enum xnr_status acts_nmf(const struct xnr_result *res, const struct acts_req *q,
                                json_t **out, struct xnr_error *err)
{
	struct xnr_nmf_params p = xnr_nmf_default_params();
	int n_tok = res->enc.n_tokens, n_iter = 0;
	float *a, *w = NULL, *h = NULL;
	enum xnr_status st;
	long m = 0;

	if (n_tok < 2)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "text: %d token, the factorisation needs at least 2", n_tok);
	p.k = (int)(q->k < n_tok ? q->k : n_tok);
	p.seed = (uint64_t)q->seed;
	a = acts_matrix(res, q, &m);
	w = malloc((size_t)n_tok * (size_t)p.k * sizeof *w);
	h = malloc((size_t)p.k * (size_t)m * sizeof *h);
	if (!a || !w || !h)
		st = xnr_fail(err, XNR_ERR_NOMEM, "activations: out of memory");
	else if ((st = xnr_nmf(a, n_tok, m, &p, NULL, w, h, &n_iter, err)) == XNR_OK) {
		json_t *f = factors_json(w, h, n_tok, p.k, m, q, res->ffn_size);
		if (!f || json_object_set_new(f, "k", json_integer(p.k)) != 0 ||
		    json_object_set_new(f, "n_iter", json_integer(n_iter)) != 0) {
			json_decref(f);
			st = xnr_fail(err, XNR_ERR_NOMEM, "activations: out of memory");
		} else
			*out = f;
	}
	free(a);
	free(w);
	free(h);
	return st;
}

static enum xnr_status api_activations(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	struct acts_req q;
	struct xnr_input in;
	struct xnr_result res;
	json_t *labels = NULL, *tokens = NULL, *o = NULL;
	struct xnr_run run;
	double t0 = xnr__now_s(), t1;
	enum xnr_status st;
	int n_layers = 0;

	xnr_result_init(&res);
	if ((st = acts_parse(r->body, &q, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	memset(&in, 0, sizeof in);
	in.text = q.text;
	in.text_len = q.text_len;
	st = xnr__model_run(r, &run, 1, &in, 1, &res, &labels, &tokens, &n_layers, err);
	xnr_run_free(&run);
	if (st != XNR_OK || (st = acts_layers(&q, n_layers, err)) != XNR_OK)
		goto fail;
	t1 = xnr__now_s();
	if ((st = acts_nmf(&res, &q, &o, err)) != XNR_OK)
		goto fail;
	if (json_object_set(o, "tokens", json_array_get(tokens, 0)) != 0 ||
	    json_object_set_new(o, "text", json_stringn(q.text, q.text_len)) != 0 ||
	    json_object_set_new(o, "n_layers", json_integer(n_layers)) != 0 ||
	    json_object_set_new(o, "from_layer", json_integer(q.from)) != 0 ||
	    json_object_set_new(o, "to_layer", json_integer(q.to)) != 0 ||
	    json_object_set_new(o, "neurons_per_layer", json_integer(res.ffn_size)) != 0 ||
	    json_object_set_new(
	        o, "timings",
	        json_pack("{s:f, s:f}", "forward_s", t1 - t0, "nmf_s", xnr__now_s() - t1)) != 0) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "activations: out of memory");
		goto fail;
	}
	*out = o;
	o = NULL;
fail:
	json_decref(o);
	json_decref(labels);
	json_decref(tokens);
	xnr_result_free(&res);
	return st;
}

static const struct xnr__route routes[] = {
    {"POST", "/api/v1/runs/{id}/activations", api_activations, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(activations, routes);
