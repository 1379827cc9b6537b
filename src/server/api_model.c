/*
 * api_model.c - the pages that run the model or look at its vectors:
 * POST /api/v1/runs/{id}/probe (Probing: tag free text with the run's model),
 * POST /api/v1/runs/{id}/activations (ecco-style NMF of FFN activations),
 * GET /api/v1/runs/{id}/model (the model's shape, for the page controls), and
 * the jobs POST .../projection (Hidden States: PCA / TruncatedSVD / UMAP of a
 * seeded sample of the stored word hidden states) and POST .../duplicates
 * (Find Duplicates: cosine pairs of mean-pooled sentence vectors), mirroring
 * ExplaiNER's probing, hidden-states, activations and find-duplicates pages.
 * Request bodies are JSON objects whose every field is checked here.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/config.h"
#include "reduce/reduce.h"
#include "reduce/umap.h"
#include "server/models.h"

#define PROBE_TEXTS_MAX 64
#define TEXT_BYTES_MAX  2000
#define TOP_NEURONS     5

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- request bodies ---------------------------------------------------- */

static enum xnr_status body_allow(const json_t *body, const char *const *names,
                                  struct xnr_error *err)
{
	const char *key;
	json_t *v;
	int i;

	if (!json_is_object(body))
		return xnr_fail(err, XNR_ERR_INPUT, "the request body must be a JSON object");
	json_object_foreach((json_t *)body, key, v)
	{
		for (i = 0; names[i] && strcmp(names[i], key) != 0; i++)
			;
		if (!names[i])
			return xnr_fail(err, XNR_ERR_INPUT, "body field %s: unknown field", key);
	}
	return XNR_OK;
}

static enum xnr_status body_int(const json_t *body, const char *name, int64_t min, int64_t max,
                                int64_t def, int64_t *out, struct xnr_error *err)
{
	json_t *v = json_object_get(body, name);

	if (!v || json_is_null(v)) {
		*out = def;
		return XNR_OK;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "body field %s: wants a whole number from %lld to %lld", name,
		                (long long)min, (long long)max);
	*out = json_integer_value(v);
	return XNR_OK;
}

static enum xnr_status body_real(const json_t *body, const char *name, double min, double max,
                                 double def, double *out, struct xnr_error *err)
{
	json_t *v = json_object_get(body, name);
	double x;

	if (!v || json_is_null(v)) {
		*out = def;
		return XNR_OK;
	}
	x = json_is_number(v) ? json_number_value(v) : NAN;
	if (!(x >= min && x <= max))
		return xnr_fail(err, XNR_ERR_INPUT, "body field %s: wants a number from %g to %g",
		                name, min, max);
	*out = x;
	return XNR_OK;
}

static enum xnr_status body_choice(const json_t *body, const char *name, const char *const *choices,
                                   int def, int *out, struct xnr_error *err)
{
	json_t *v = json_object_get(body, name);
	char list[256];
	size_t len;
	int i;

	if (!v || json_is_null(v)) {
		*out = def;
		return XNR_OK;
	}
	for (i = 0; json_is_string(v) && choices[i]; i++)
		if (!strcmp(choices[i], json_string_value(v))) {
			*out = i;
			return XNR_OK;
		}
	list[0] = '\0';
	for (i = 0, len = 0; choices[i] && len < sizeof list; i++) {
		int n = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", choices[i]);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	return xnr_fail(err, XNR_ERR_INPUT, "body field %s: wants one of %s", name, list);
}

/* A required string field of 1..TEXT_BYTES_MAX bytes. */
static enum xnr_status body_text(const json_t *v, const char *name, const char **out, size_t *len,
                                 struct xnr_error *err)
{
	if (!json_is_string(v))
		return xnr_fail(err, XNR_ERR_INPUT, "body field %s: wants a string", name);
	if (json_string_length(v) > TEXT_BYTES_MAX)
		return xnr_fail(err, XNR_ERR_LIMIT, "body field %s: more than %d bytes", name,
		                TEXT_BYTES_MAX);
	if (json_string_length(v) == 0 || strlen(json_string_value(v)) != json_string_length(v))
		return xnr_fail(err, XNR_ERR_INPUT, "body field %s: empty, or has a NUL character",
		                name);
	*out = json_string_value(v);
	*len = json_string_length(v);
	return XNR_OK;
}

/* ---- running the run's model -------------------------------------------- */

/* Run n texts through the model of run (layers: keep FFN activations); the
 * caller frees res[0..n) with xnr_result_free and owns *cfg_out's borrow only
 * while the model is held: the label names are copied into *labels. */
static enum xnr_status run_texts(struct xnr__req *r, int64_t run, int layers,
                                 const struct xnr_input *in, int n, struct xnr_result *res,
                                 json_t **labels, int *n_layers, struct xnr_error *err)
{
	char dir[PATH_MAX];
	struct xnr__model *m = NULL;
	const struct xnr_model_config *cfg;
	enum xnr_status st;
	int i;

	for (i = 0; i < n; i++)
		xnr_result_init(&res[i]);
	if ((st = xnr__model_dir(r->app, r->db, run, dir, sizeof dir, err)) != XNR_OK ||
	    (st = xnr__model_acquire(r->app, dir, layers, &m, err)) != XNR_OK)
		return st;
	cfg = xnr_engine_config(xnr__model_engine(m));
	*labels = json_array();
	for (i = 0; *labels && i < cfg->n_labels; i++)
		if (json_array_append_new(*labels, json_string(cfg->id2label[i])) != 0)
			break;
	if (n_layers)
		*n_layers = cfg->n_layers;
	if (!*labels || i < cfg->n_labels)
		st = xnr_fail(err, XNR_ERR_NOMEM, "probe: out of memory");
	else
		st = xnr_engine_run(xnr__model_engine(m), in, n, res, err);
	xnr__model_release(r->app, m);
	if (st != XNR_OK) {
		json_decref(*labels);
		*labels = NULL;
	}
	return st;
}

/* The sub-tokens of one result: [{text, id, word, start, end}], text the
 * bytes [start, end) of the input text. */
static json_t *tokens_json(const struct xnr_result *res, const char *text)
{
	json_t *a = json_array();
	int t;

	for (t = 0; a && t < res->enc.n_tokens; t++) {
		int s = res->enc.offsets[2 * t], e = res->enc.offsets[2 * t + 1];
		json_t *o =
		    json_pack("{s:s%, s:i, s:i, s:i, s:i}", "text", text + s, (size_t)(e - s), "id",
		              res->enc.ids[t], "word", res->enc.word_ids[t], "start", s, "end", e);
		if (json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The words of one probed text with the predicted label and its probability. */
static json_t *probe_words_json(const struct xnr_result *res, const char *text,
                                const json_t *labels, double threshold)
{
	json_t *a = json_array();
	int w;

	for (w = 0; a && w < res->n_words; w++) {
		float p = 0;
		int lab = xnr_result_word_label(res, w, &p);
		int s = res->word_span[2 * w], e = res->word_span[2 * w + 1];
		json_t *o = json_pack(
		    "{s:s%, s:i, s:i, s:O?, s:o?, s:b}", "text", text + s, (size_t)(e - s), "start",
		    s, "end", e, "pred", lab >= 0 ? json_array_get(labels, lab) : NULL, "prob_pred",
		    lab >= 0 ? json_real(p) : NULL, "low", lab >= 0 && p < threshold);
		if (json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static enum xnr_status probe_parse(const json_t *body, struct xnr_input *in, int *n,
                                   double *threshold, struct xnr_error *err)
{
	static const char *const allowed[] = {"texts", "threshold", NULL};
	json_t *texts = json_object_get(body, "texts");
	enum xnr_status st;
	size_t i;
	char name[32];

	if ((st = body_allow(body, allowed, err)) != XNR_OK ||
	    (st = body_real(body, "threshold", 0, 1, 0.5, threshold, err)) != XNR_OK)
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
		if ((st = body_text(json_array_get(texts, i), name, &in[i].text, &in[i].text_len,
		                    err)) != XNR_OK)
			return st;
	}
	*n = (int)json_array_size(texts);
	return XNR_OK;
}

static enum xnr_status api_probe(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	struct xnr_input in[PROBE_TEXTS_MAX];
	struct xnr_result res[PROBE_TEXTS_MAX];
	json_t *labels = NULL, *items = NULL, *o = NULL;
	double threshold, t0 = now_s();
	enum xnr_status st;
	int i, n = 0;

	if ((st = probe_parse(r->body, in, &n, &threshold, err)) != XNR_OK ||
	    (st = xnr__run_check(r->db, r->ids[0], err)) != XNR_OK)
		return st;
	if ((st = run_texts(r, r->ids[0], 0, in, n, res, &labels, NULL, err)) != XNR_OK)
		goto fail;
	items = json_array();
	for (i = 0; items && i < n; i++) {
		json_t *it = json_pack("{s:s%, s:o, s:o}", "text", in[i].text, in[i].text_len,
		                       "tokens", tokens_json(&res[i], in[i].text), "words",
		                       probe_words_json(&res[i], in[i].text, labels, threshold));
		if (json_array_append_new(items, it) != 0)
			break;
	}
	if (items && i == n) {
		o = json_pack("{s:o, s:f, s:f}", "items", items, "threshold", threshold,
		              "elapsed_s", now_s() - t0);
		items = NULL;
	}
	if (!o)
		st = xnr_fail(err, XNR_ERR_NOMEM, "probe: out of memory");
	*out = o;
fail:
	json_decref(items);
	json_decref(labels);
	for (i = 0; i < n; i++)
		xnr_result_free(&res[i]);
	return st;
}

/* ---- activations: ecco's NMF of FFN neuron activations ------------------- */

struct acts_req {
	const char *text;
	size_t text_len;
	int64_t from, to, k, seed;
};

static enum xnr_status acts_parse(const json_t *body, struct acts_req *q, struct xnr_error *err)
{
	static const char *const allowed[] = {"text", "from_layer", "to_layer", "k", "seed", NULL};
	enum xnr_status st;

	if ((st = body_allow(body, allowed, err)) != XNR_OK ||
	    (st = body_text(json_object_get(body, "text"), "text", &q->text, &q->text_len, err)) !=
	        XNR_OK ||
	    (st = body_int(body, "from_layer", 0, 1000, 0, &q->from, err)) != XNR_OK ||
	    (st = body_int(body, "to_layer", 0, 1000, -1, &q->to, err)) != XNR_OK ||
	    (st = body_int(body, "k", 2, 10, 8, &q->k, err)) != XNR_OK ||
	    (st = body_int(body, "seed", 0, INT64_MAX, 0, &q->seed, err)) != XNR_OK)
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
	long best[TOP_NEURONS], j;
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
		                                    (json_int_t)(q->from + best[i] / ffn), "neuron",
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
	json_t *labels = NULL, *o = NULL;
	double t0 = now_s(), t1;
	enum xnr_status st;
	int n_layers = 0;

	xnr_result_init(&res);
	if ((st = acts_parse(r->body, &q, err)) != XNR_OK ||
	    (st = xnr__run_check(r->db, r->ids[0], err)) != XNR_OK)
		return st;
	memset(&in, 0, sizeof in);
	in.text = q.text;
	in.text_len = q.text_len;
	if ((st = run_texts(r, r->ids[0], 1, &in, 1, &res, &labels, &n_layers, err)) != XNR_OK ||
	    (st = acts_layers(&q, n_layers, err)) != XNR_OK)
		goto fail;
	t1 = now_s();
	if ((st = acts_nmf(&res, &q, &o, err)) != XNR_OK)
		goto fail;
	if (json_object_set_new(o, "tokens", tokens_json(&res, q.text)) != 0 ||
	    json_object_set_new(o, "text", json_stringn(q.text, q.text_len)) != 0 ||
	    json_object_set_new(o, "n_layers", json_integer(n_layers)) != 0 ||
	    json_object_set_new(o, "from_layer", json_integer(q.from)) != 0 ||
	    json_object_set_new(o, "to_layer", json_integer(q.to)) != 0 ||
	    json_object_set_new(o, "neurons_per_layer", json_integer(res.ffn_size)) != 0 ||
	    json_object_set_new(
	        o, "timings",
	        json_pack("{s:f, s:f}", "forward_s", t1 - t0, "nmf_s", now_s() - t1)) != 0) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "activations: out of memory");
		goto fail;
	}
	*out = o;
	o = NULL;
fail:
	json_decref(o);
	json_decref(labels);
	xnr_result_free(&res);
	return st;
}

/* ---- the model's shape -------------------------------------------------- */

static enum xnr_status api_model(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct xnr_model_config cfg;
	char dir[PATH_MAX], path[PATH_MAX + 16];
	json_t *labels;
	enum xnr_status st;
	int i;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__model_dir(r->app, r->db, r->ids[0], dir, sizeof dir, err)) != XNR_OK)
		return st;
	snprintf(path, sizeof path, "%s/config.json", dir);
	if ((st = xnr_config_load(path, &cfg, err)) != XNR_OK)
		return st;
	labels = json_array();
	for (i = 0; labels && i < cfg.n_labels; i++)
		json_array_append_new(labels, json_string(cfg.id2label[i]));
	*out = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:o}", "dir", dir,
	                 "architecture", cfg.architecture, "model_type", cfg.model_type, "n_layers",
	                 cfg.n_layers, "hidden_size", cfg.hidden_size, "intermediate_size",
	                 cfg.intermediate_size, "max_positions", cfg.max_positions, "n_labels",
	                 cfg.n_labels, "labels", labels);
	xnr_config_free(&cfg);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "model: out of memory");
}

/* ---- jobs over the stored hidden states --------------------------------- */

static enum xnr_status db_open(const char *path, sqlite3 **out, struct xnr_error *err)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		enum xnr_status st = xnr__sql_fail(db, "open", err);
		sqlite3_close(db);
		return st;
	}
	sqlite3_busy_timeout(db, 2000);
	*out = db;
	return XNR_OK;
}

/* Label names of run, indexed by id: a JSON array (ids are 0..n-1). */
static enum xnr_status run_labels(sqlite3 *db, int64_t run, json_t **out, struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	json_t *a = json_array();
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT name FROM labels WHERE run_id = ?1 ORDER BY id", -1,
	                       &stmt, NULL) != SQLITE_OK) {
		json_decref(a);
		return xnr__sql_fail(db, "labels", err);
	}
	sqlite3_bind_int64(stmt, 1, run);
	while (a && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (json_array_append_new(a, xnr__col_json(stmt, 0)) != 0)
			break;
	sqlite3_finalize(stmt);
	if (!a || rc != SQLITE_DONE) {
		json_decref(a);
		return a ? xnr__sql_fail(db, "labels", err)
		         : xnr_fail(err, XNR_ERR_NOMEM, "labels: out of memory");
	}
	*out = a;
	return XNR_OK;
}

/* A run's hidden_size and n_words (the number of words with a hidden state is at most that). */
static enum xnr_status run_sizes(sqlite3 *db, int64_t run, int *d, int64_t *n_words,
                                 struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT hidden_size, n_words FROM runs WHERE id = ?1", -1, &stmt,
	                       NULL) != SQLITE_OK)
		return xnr__sql_fail(db, "runs", err);
	sqlite3_bind_int64(stmt, 1, run);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*d = sqlite3_column_int(stmt, 0);
		*n_words = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE)
		return xnr_fail(err, XNR_ERR_IO, "run %lld: no such run", (long long)run);
	if (rc != SQLITE_ROW)
		return xnr__sql_fail(db, "runs", err);
	if (*d < 2 || *d > 65536)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "run %lld stores no hidden states (hidden_size %d)", (long long)run,
		                *d);
	return XNR_OK;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A seeded uniform sample of the run's word hidden states (all when n is 0):
 * reservoir sampling in one pass, then sorted back into corpus order. */
struct sample {
	long n, cap;
	int d;
	float *x;     /* (n, d) */
	int64_t *pos; /* (n, 2): sentence_id, idx */
};

static void sample_free(struct sample *s)
{
	free(s->x);
	free(s->pos);
	memset(s, 0, sizeof *s);
}

/* Put the row of stmt (sentence_id, idx, vec) into slot i. */
static enum xnr_status sample_put(struct sample *s, sqlite3_stmt *stmt, long i,
                                  struct xnr_error *err)
{
	const void *v = sqlite3_column_blob(stmt, 2);
	int bytes = sqlite3_column_bytes(stmt, 2);

	s->pos[2 * i] = sqlite3_column_int64(stmt, 0);
	s->pos[2 * i + 1] = sqlite3_column_int64(stmt, 1);
	if (!v || bytes != s->d * (int)sizeof(float))
		return xnr_fail(
		    err, XNR_ERR_FORMAT,
		    "hidden state of word %lld:%lld has %d bytes, want %d (hidden_size)",
		    (long long)s->pos[2 * i], (long long)s->pos[2 * i + 1], bytes,
		    s->d * (int)sizeof(float));
	memcpy(s->x + (size_t)i * (size_t)s->d, v, (size_t)bytes);
	return XNR_OK;
}

/* Grow the all-rows buffers (n == 0 mode). */
static enum xnr_status sample_grow(struct sample *s, struct xnr_error *err)
{
	long cap = s->cap ? s->cap * 2 : 4096;
	float *x = realloc(s->x, (size_t)cap * (size_t)s->d * sizeof *x);
	int64_t *pos;

	if (x)
		s->x = x;
	pos = x ? realloc(s->pos, (size_t)cap * 2 * sizeof *pos) : NULL;
	if (!pos)
		return xnr_fail(err, XNR_ERR_NOMEM, "hidden states: out of memory for %ld rows",
		                cap);
	s->pos = pos;
	s->cap = cap;
	return XNR_OK;
}

static enum xnr_status sample_scan(sqlite3 *db, int64_t run, long n, uint64_t seed, int64_t n_est,
                                   const struct xnr_ctl *ctl, struct sample *s,
                                   struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	enum xnr_status st = XNR_OK;
	long seen = 0, slot;
	uint64_t rng = seed;
	int rc;

	if (sqlite3_prepare_v2(db,
	                       "SELECT sentence_id, idx, vec FROM hidden WHERE run_id = ?1 "
	                       "ORDER BY sentence_id, idx",
	                       -1, &stmt, NULL) != SQLITE_OK)
		return xnr__sql_fail(db, "hidden", err);
	sqlite3_bind_int64(stmt, 1, run);
	while (st == XNR_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		slot = n == 0 || seen < n ? seen : (long)(splitmix64(&rng) % (uint64_t)(seen + 1));
		if (n == 0 && seen == s->cap)
			st = sample_grow(s, err);
		if (st == XNR_OK && (n == 0 || slot < n))
			st = sample_put(s, stmt, slot, err);
		if (++seen % 4096 == 0) {
			xnr_ctl_progress(ctl, 0.5 * (double)seen / (double)(n_est ? n_est : seen),
			                 "load");
			if (xnr_ctl_cancelled(ctl))
				st = xnr_fail(err, XNR_ERR_CANCELLED, "cancelled");
		}
	}
	if (st == XNR_OK && rc != SQLITE_DONE)
		st = xnr__sql_fail(db, "hidden", err);
	sqlite3_finalize(stmt);
	s->n = n == 0 || seen < n ? seen : n;
	return st;
}

/* Sort the sample into corpus order (sentence_id, idx), moving the rows along. */
static enum xnr_status sample_sort(struct sample *s, struct xnr_error *err)
{
	long *ord = malloc((size_t)s->n * sizeof *ord), i, j, t;
	float *x = malloc((size_t)s->n * (size_t)s->d * sizeof *x);
	int64_t *pos = malloc((size_t)s->n * 2 * sizeof *pos);

	if (!ord || !x || !pos) {
		free(ord);
		free(x);
		free(pos);
		return xnr_fail(err, XNR_ERR_NOMEM, "hidden states: out of memory");
	}
	for (i = 0; i < s->n; i++)
		ord[i] = i;
	/* Shell sort: a sample is nearly sorted, and qsort has no context pointer. */
	for (long gap = s->n / 2; gap > 0; gap /= 2)
		for (i = gap; i < s->n; i++)
			for (j = i; j >= gap; j -= gap) {
				const int64_t *a = s->pos + 2 * ord[j - gap],
				              *b = s->pos + 2 * ord[j];
				if (a[0] < b[0] || (a[0] == b[0] && a[1] <= b[1]))
					break;
				t = ord[j], ord[j] = ord[j - gap], ord[j - gap] = t;
			}
	for (i = 0; i < s->n; i++) {
		memcpy(x + (size_t)i * (size_t)s->d, s->x + (size_t)ord[i] * (size_t)s->d,
		       (size_t)s->d * sizeof *x);
		pos[2 * i] = s->pos[2 * ord[i]];
		pos[2 * i + 1] = s->pos[2 * ord[i] + 1];
	}
	free(ord);
	free(s->x);
	free(s->pos);
	s->x = x;
	s->pos = pos;
	return XNR_OK;
}

/* Load the sample: n rows (0 = all) of run's hidden states. */
static enum xnr_status sample_load(sqlite3 *db, int64_t run, long n, uint64_t seed,
                                   const struct xnr_ctl *ctl, struct sample *s,
                                   struct xnr_error *err)
{
	int64_t n_words = 0;
	enum xnr_status st;

	memset(s, 0, sizeof *s);
	if ((st = run_sizes(db, run, &s->d, &n_words, err)) != XNR_OK)
		return st;
	if (n > 0) {
		s->cap = n;
		s->x = malloc((size_t)n * (size_t)s->d * sizeof *s->x);
		s->pos = malloc((size_t)n * 2 * sizeof *s->pos);
		if (!s->x || !s->pos) {
			sample_free(s);
			return xnr_fail(err, XNR_ERR_NOMEM,
			                "hidden states: out of memory for %ld rows", n);
		}
	}
	if ((st = sample_scan(db, run, n, seed, n_words, ctl, s, err)) == XNR_OK &&
	    (st = sample_sort(s, err)) == XNR_OK && s->n < 2)
		st = xnr_fail(err, XNR_ERR_INPUT, "run %lld has %ld stored hidden states, need 2",
		              (long long)run, s->n);
	if (st != XNR_OK)
		sample_free(s);
	return st;
}

/* ---- projection (Hidden States) ------------------------------------------ */

enum { PROJ_PCA, PROJ_SVD, PROJ_UMAP };
static const char *const method_names[] = {"pca", "svd", "umap", NULL};
static const char *const metric_names[] = {"euclidean", "manhattan", "chebyshev", "minkowski",
                                           NULL};

struct proj_args {
	char *db_path;
	int64_t run, n; /* n 0: every word */
	int method, metric;
	int64_t seed, n_iter, n_neighbors;
	double min_dist, p;
};

static void proj_free(void *arg)
{
	struct proj_args *a = arg;

	if (a)
		free(a->db_path);
	free(a);
}

/* y [n, 2] of the sample; *info gets the method's own numbers. */
static enum xnr_status project(const struct proj_args *a, const struct sample *s,
                               const struct xnr_ctl *ctl, float *y, json_t **info,
                               struct xnr_error *err)
{
	struct xnr_umap_params up = xnr_umap_default_params();
	double evr[2] = {0, 0};
	enum xnr_status st;

	xnr_ctl_progress(ctl, 0.5, method_names[a->method]);
	if (a->method == PROJ_PCA)
		st = xnr_pca(s->x, s->n, s->d, 2, y, NULL, evr, err);
	else if (a->method == PROJ_SVD)
		st = xnr_tsvd(s->x, s->n, s->d, 2, (int)a->n_iter, (uint64_t)a->seed, y, evr, err);
	else {
		up.n_neighbors = (int)a->n_neighbors;
		up.min_dist = a->min_dist;
		up.metric = (enum xnr_metric)a->metric;
		up.minkowski_p = a->p;
		up.seed = (uint64_t)a->seed;
		up.n_threads = 2;
		st = xnr_umap(s->x, s->n, s->d, &up, ctl, y, err);
	}
	if (st != XNR_OK)
		return st;
	if (a->method == PROJ_UMAP)
		*info = json_pack("{s:s, s:I, s:f, s:s, s:f, s:I}", "method", "umap", "n_neighbors",
		                  (json_int_t)a->n_neighbors, "min_dist", a->min_dist, "metric",
		                  metric_names[a->metric], "p", a->p, "seed", (json_int_t)a->seed);
	else
		*info = json_pack("{s:s, s:[f, f]}", "method", method_names[a->method],
		                  "explained_variance_ratio", evr[0], evr[1]);
	return *info ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
}

/* Look up words and sentences for the points: [{x, y, sentence_id, idx, text,
 * gold, pred}] and {sentence_id: text}. */
static enum xnr_status points_json(sqlite3 *db, int64_t run, const struct sample *s, const float *y,
                                   json_t **points, json_t **sents, struct xnr_error *err)
{
	static const char sql[] =
	    "SELECT w.text, w.gold, w.pred, s.text FROM words w JOIN sentences s ON s.run_id = "
	    "w.run_id AND s.id = w.sentence_id WHERE w.run_id = ?1 AND w.sentence_id = ?2 AND "
	    "w.idx = ?3";
	sqlite3_stmt *stmt = NULL;
	json_t *labels = NULL, *pts = json_array(), *st_map = json_object();
	enum xnr_status st;
	char key[24];
	long i;

	if ((st = run_labels(db, run, &labels, err)) != XNR_OK)
		goto fail;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		st = xnr__sql_fail(db, "words", err);
		goto fail;
	}
	sqlite3_bind_int64(stmt, 1, run);
	for (i = 0; pts && st_map && i < s->n; i++) {
		json_t *o;
		sqlite3_bind_int64(stmt, 2, s->pos[2 * i]);
		sqlite3_bind_int64(stmt, 3, s->pos[2 * i + 1]);
		if (sqlite3_step(stmt) != SQLITE_ROW) {
			st = xnr_fail(err, XNR_ERR_INTERNAL,
			              "word %lld:%lld has a hidden state but no row",
			              (long long)s->pos[2 * i], (long long)s->pos[2 * i + 1]);
			goto fail;
		}
		o = json_pack("{s:f, s:f, s:I, s:I, s:o, s:O?, s:O?}", "x", (double)y[2 * i], "y",
		              (double)y[2 * i + 1], "sentence_id", (json_int_t)s->pos[2 * i], "idx",
		              (json_int_t)s->pos[2 * i + 1], "text", xnr__col_json(stmt, 0), "gold",
		              json_array_get(labels, (size_t)sqlite3_column_int64(stmt, 1)), "pred",
		              json_array_get(labels, (size_t)sqlite3_column_int64(stmt, 2)));
		snprintf(key, sizeof key, "%lld", (long long)s->pos[2 * i]);
		if (json_array_append_new(pts, o) != 0 ||
		    (!json_object_get(st_map, key) &&
		     json_object_set_new(st_map, key, xnr__col_json(stmt, 3)) != 0))
			break;
		sqlite3_reset(stmt);
	}
	if (!pts || !st_map || i < s->n) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
		goto fail;
	}
	*points = pts;
	*sents = st_map;
	pts = st_map = NULL;
fail:
	sqlite3_finalize(stmt);
	json_decref(labels);
	json_decref(pts);
	json_decref(st_map);
	return st;
}

static enum xnr_status proj_job(void *arg, const struct xnr_ctl *ctl, json_t **result,
                                struct xnr_error *err)
{
	const struct proj_args *a = arg;
	struct sample s = {0};
	sqlite3 *db = NULL;
	json_t *info = NULL, *points = NULL, *sents = NULL;
	double t0 = now_s(), t1 = 0, t2 = 0;
	float *y = NULL;
	enum xnr_status st;

	if ((st = db_open(a->db_path, &db, err)) != XNR_OK ||
	    (st = sample_load(db, a->run, (long)a->n, (uint64_t)a->seed, ctl, &s, err)) != XNR_OK)
		goto fail;
	t1 = now_s();
	if (!(y = malloc((size_t)s.n * 2 * sizeof *y))) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
		goto fail;
	}
	if ((st = project(a, &s, ctl, y, &info, err)) != XNR_OK)
		goto fail;
	t2 = now_s();
	if ((st = points_json(db, a->run, &s, y, &points, &sents, err)) != XNR_OK)
		goto fail;
	*result =
	    json_pack("{s:I, s:I, s:o, s:o, s:o, s:{s:f, s:f, s:f}}", "run", (json_int_t)a->run,
	              "n", (json_int_t)s.n, "info", info, "points", points, "sentences", sents,
	              "timings", "load_s", t1 - t0, "project_s", t2 - t1, "total_s", now_s() - t0);
	info = points = sents = NULL;
	if (!*result)
		st = xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
fail:
	json_decref(info);
	json_decref(points);
	json_decref(sents);
	free(y);
	sample_free(&s);
	sqlite3_close(db);
	return st;
}

static enum xnr_status proj_parse(const json_t *body, struct proj_args *a, struct xnr_error *err)
{
	static const char *const allowed[] = {"method",   "n",      "seed", "n_iter", "n_neighbors",
	                                      "min_dist", "metric", "p",    NULL};
	enum xnr_status st;

	if ((st = body_allow(body, allowed, err)) != XNR_OK ||
	    (st = body_choice(body, "method", method_names, PROJ_PCA, &a->method, err)) != XNR_OK ||
	    (st = body_int(body, "n", 0, 100000000, 2000, &a->n, err)) != XNR_OK ||
	    (st = body_int(body, "seed", 0, INT64_MAX, 42, &a->seed, err)) != XNR_OK ||
	    (st = body_int(body, "n_iter", 0, 100, 5, &a->n_iter, err)) != XNR_OK ||
	    (st = body_int(body, "n_neighbors", 2, 200, 15, &a->n_neighbors, err)) != XNR_OK ||
	    (st = body_real(body, "min_dist", 0, 1, 0.1, &a->min_dist, err)) != XNR_OK ||
	    (st = body_choice(body, "metric", metric_names, 0, &a->metric, err)) != XNR_OK ||
	    (st = body_real(body, "p", 1, 100, 2, &a->p, err)) != XNR_OK)
		return st;
	if (a->n == 1)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "body field n: wants at least 2 points (0: all)");
	return XNR_OK;
}

/* The job key: the run and every parameter the method uses. */
static void proj_key(const struct proj_args *a, char *key, size_t size)
{
	int len =
	    snprintf(key, size, "projection run=%lld n=%lld seed=%lld method=%s", (long long)a->run,
	             (long long)a->n, (long long)a->seed, method_names[a->method]);

	if (len < 0 || (size_t)len >= size)
		return;
	if (a->method == PROJ_SVD)
		snprintf(key + len, size - (size_t)len, " n_iter=%lld", (long long)a->n_iter);
	else if (a->method == PROJ_UMAP)
		snprintf(key + len, size - (size_t)len,
		         " n_neighbors=%lld min_dist=%.17g metric=%s p=%.17g",
		         (long long)a->n_neighbors, a->min_dist, metric_names[a->metric],
		         a->metric == XNR_METRIC_MINKOWSKI ? a->p : 2.0);
}

/* Start (or find) a job and answer 202 {"job": ...}. Takes arg. */
static enum xnr_status job_answer(struct xnr__req *r, const char *kind, const char *key,
                                  xnr__job_fn fn, void *arg, void (*free_arg)(void *), json_t **out,
                                  struct xnr_error *err)
{
	json_t *job = NULL;
	enum xnr_status st;
	int64_t id = 0;

	if ((st = xnr__job_start(r->app, kind, key, fn, arg, free_arg, &id, err)) != XNR_OK ||
	    (st = xnr__job_json(r->app, id, &job, err)) != XNR_OK)
		return st;
	if (!(*out = json_pack("{s:o}", "job", job)))
		return xnr_fail(err, XNR_ERR_NOMEM, "job: out of memory");
	r->http = 202;
	return XNR_OK;
}

/* The body, or an empty object when the request has none (every field defaults). */
static json_t *body_or_empty(struct xnr__req *r)
{
	if (!r->body)
		r->body = json_object();
	return r->body;
}

static enum xnr_status api_projection(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	struct proj_args q = {0}, *a;
	char key[256];
	int64_t n_words = 0;
	enum xnr_status st;
	int d = 0;

	if ((st = proj_parse(body_or_empty(r), &q, err)) != XNR_OK ||
	    (st = run_sizes(r->db, r->ids[0], &d, &n_words, err)) != XNR_OK)
		return st;
	q.run = r->ids[0];
	if (q.n >= n_words)
		q.n = 0;
	proj_key(&q, key, sizeof key);
	if (!(a = malloc(sizeof *a)))
		return xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
	*a = q;
	if (!(a->db_path = strdup(r->app->db_path))) {
		free(a);
		return xnr_fail(err, XNR_ERR_NOMEM, "projection: out of memory");
	}
	return job_answer(r, "projection", key, proj_job, a, proj_free, out, err);
}

/* ---- duplicates (Find Duplicates) ---------------------------------------- */

struct dup_args {
	struct xnr__app *app;
	char *db_path;
	char *encoder; /* a model folder (real path), or NULL: the stored hidden states */
	int64_t run, limit;
	double threshold;
};

static void dup_free(void *arg)
{
	struct dup_args *a = arg;

	if (a) {
		free(a->db_path);
		free(a->encoder);
	}
	free(a);
}

struct sents {
	long n;
	int64_t *ids;
	char **texts;
};

static void sents_free(struct sents *s)
{
	long i;

	for (i = 0; s->texts && i < s->n; i++)
		free(s->texts[i]);
	free(s->texts);
	free(s->ids);
	memset(s, 0, sizeof *s);
}

static enum xnr_status sents_load(sqlite3 *db, int64_t run, struct sents *s, struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	enum xnr_status st = XNR_OK;
	long cap = 0;
	int rc;

	memset(s, 0, sizeof *s);
	if (sqlite3_prepare_v2(db, "SELECT id, text FROM sentences WHERE run_id = ?1 ORDER BY id",
	                       -1, &stmt, NULL) != SQLITE_OK)
		return xnr__sql_fail(db, "sentences", err);
	sqlite3_bind_int64(stmt, 1, run);
	while (st == XNR_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(stmt, 1);
		if (s->n == cap) {
			long c = cap ? cap * 2 : 1024;
			int64_t *ids = realloc(s->ids, (size_t)c * sizeof *ids);
			char **texts = ids ? realloc(s->texts, (size_t)c * sizeof *texts) : NULL;
			if (ids)
				s->ids = ids;
			if (texts)
				s->texts = texts, cap = c;
			else
				st = xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
		}
		if (st == XNR_OK) {
			s->ids[s->n] = sqlite3_column_int64(stmt, 0);
			if (!(s->texts[s->n++] = strdup(t ? t : "")))
				st = xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
		}
	}
	if (st == XNR_OK && rc != SQLITE_DONE)
		st = xnr__sql_fail(db, "sentences", err);
	sqlite3_finalize(stmt);
	if (st == XNR_OK && s->n < 2)
		st = xnr_fail(err, XNR_ERR_INPUT, "run %lld has %ld sentences: no pairs to compare",
		              (long long)run, s->n);
	if (st != XNR_OK)
		sents_free(s);
	return st;
}

/* Row of sentence id in s (ids sorted), or -1. */
static long sent_row(const struct sents *s, int64_t id)
{
	long lo = 0, hi = s->n;

	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;
		if (s->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->ids[lo] == id ? lo : -1;
}

/* Rows of x [n, d] become means (sums / count), then the mean of the rows
 * with words is subtracted from them: raw hidden states share a large common
 * direction, so uncentred sentence vectors all have cosine ~0.99 with each
 * other and the threshold would not separate duplicates from the rest. */
static enum xnr_status mean_centre(float *x, const int *count, long n, int d, struct xnr_error *err)
{
	double *mean = calloc((size_t)d, sizeof *mean);
	long i, n_rows = 0;
	int j;

	if (!mean)
		return xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	for (i = 0; i < n; i++) {
		float *row = x + (size_t)i * (size_t)d;
		for (j = 0; count[i] > 0 && j < d; j++) {
			row[j] /= (float)count[i];
			mean[j] += row[j];
		}
		n_rows += count[i] > 0;
	}
	for (i = 0; n_rows > 0 && i < n; i++)
		for (j = 0; count[i] > 0 && j < d; j++)
			x[(size_t)i * (size_t)d + (size_t)j] -= (float)(mean[j] / (double)n_rows);
	free(mean);
	return XNR_OK;
}

/* x [n, d] = the mean of each sentence's stored word hidden states, centred. */
static enum xnr_status embed_stored(sqlite3 *db, int64_t run, const struct sents *s,
                                    const struct xnr_ctl *ctl, float *x, int d,
                                    struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	enum xnr_status st = XNR_OK;
	int *count = calloc((size_t)s->n, sizeof *count);
	float *v = malloc((size_t)d * sizeof *v);
	long row, seen = 0;
	int rc, j;

	if (!count || !v) {
		free(count);
		free(v);
		return xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	}
	if (sqlite3_prepare_v2(db, "SELECT sentence_id, vec FROM hidden WHERE run_id = ?1", -1,
	                       &stmt, NULL) != SQLITE_OK) {
		free(count);
		free(v);
		return xnr__sql_fail(db, "hidden", err);
	}
	sqlite3_bind_int64(stmt, 1, run);
	while (st == XNR_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(stmt, 1);
		row = sent_row(s, sqlite3_column_int64(stmt, 0));
		if (row < 0 || !blob || sqlite3_column_bytes(stmt, 1) != d * (int)sizeof(float))
			continue;
		memcpy(v, blob, (size_t)d * sizeof *v); /* blobs need not be float-aligned */
		for (j = 0; j < d; j++)
			x[(size_t)row * (size_t)d + (size_t)j] += v[j];
		count[row]++;
		if (++seen % 4096 == 0 && xnr_ctl_cancelled(ctl))
			st = xnr_fail(err, XNR_ERR_CANCELLED, "cancelled");
	}
	if (st == XNR_OK && rc != SQLITE_DONE)
		st = xnr__sql_fail(db, "hidden", err);
	sqlite3_finalize(stmt);
	if (st == XNR_OK)
		st = mean_centre(x, count, s->n, d, err);
	free(count);
	free(v);
	return st;
}

#define ENCODE_BATCH 32

/* Mean of res's last hidden states over its tokens into x [d]. */
static void mean_pool(const struct xnr_result *res, float *x, int d)
{
	int t, j;

	for (t = 0; t < res->enc.n_tokens; t++)
		for (j = 0; j < d; j++)
			x[j] += res->hidden[(size_t)t * (size_t)d + (size_t)j];
	for (j = 0; t > 0 && j < d; j++)
		x[j] /= (float)t;
}

/* x [n, d]: sentences [from, to) of s through the encoder. */
static enum xnr_status encode_batch(struct xnr_engine *e, const struct sents *s, long from, long to,
                                    float *x, int d, struct xnr_error *err)
{
	struct xnr_input in[ENCODE_BATCH];
	struct xnr_result res[ENCODE_BATCH];
	int i, n = (int)(to - from);
	enum xnr_status st;

	memset(in, 0, sizeof in);
	for (i = 0; i < n; i++) {
		in[i].text = s->texts[from + i];
		in[i].text_len = strlen(s->texts[from + i]);
		xnr_result_init(&res[i]);
	}
	if ((st = xnr_engine_run(e, in, n, res, err)) == XNR_OK)
		for (i = 0; i < n; i++)
			mean_pool(&res[i], x + (size_t)(from + i) * (size_t)d, d);
	for (i = 0; i < n; i++)
		xnr_result_free(&res[i]);
	return st;
}

/* *x [n, *d] = mean-pooled last hidden states of the encoder on the sentence texts. */
static enum xnr_status embed_encoder(const struct dup_args *a, const struct sents *s,
                                     const struct xnr_ctl *ctl, float **x, int *d,
                                     struct xnr_error *err)
{
	struct xnr__model *m = NULL;
	enum xnr_status st;
	long i;

	if ((st = xnr__model_acquire(a->app, a->encoder, 0, &m, err)) != XNR_OK)
		return st;
	*d = xnr_engine_config(xnr__model_engine(m))->hidden_size;
	if (!(*x = calloc((size_t)s->n * (size_t)*d, sizeof **x)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	for (i = 0; st == XNR_OK && i < s->n; i += ENCODE_BATCH) {
		st = encode_batch(xnr__model_engine(m), s, i,
		                  i + ENCODE_BATCH < s->n ? i + ENCODE_BATCH : s->n, *x, *d, err);
		xnr_ctl_progress(ctl, 0.5 * (double)i / (double)s->n, "encode");
		if (st == XNR_OK && xnr_ctl_cancelled(ctl))
			st = xnr_fail(err, XNR_ERR_CANCELLED, "cancelled");
	}
	xnr__model_release(a->app, m);
	return st;
}

static json_t *pairs_json(const struct sents *s, const struct xnr_pair *p, long n)
{
	json_t *a = json_array();
	long i;

	for (i = 0; a && i < n; i++)
		if (json_array_append_new(
		        a, json_pack("{s:I, s:I, s:f, s:s, s:s}", "a", (json_int_t)s->ids[p[i].i],
		                     "b", (json_int_t)s->ids[p[i].j], "sim", (double)p[i].sim,
		                     "text_a", s->texts[p[i].i], "text_b", s->texts[p[i].j])) !=
		    0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static enum xnr_status dup_job(void *arg, const struct xnr_ctl *ctl, json_t **result,
                               struct xnr_error *err)
{
	const struct dup_args *a = arg;
	struct sents s = {0};
	struct xnr_pair *pairs = NULL;
	sqlite3 *db = NULL;
	long n_pairs = 0, n_total = 0;
	int64_t n_words;
	double t0 = now_s(), t1;
	float *x = NULL;
	int d = 0;
	enum xnr_status st;

	if ((st = db_open(a->db_path, &db, err)) != XNR_OK ||
	    (st = sents_load(db, a->run, &s, err)) != XNR_OK)
		goto fail;
	if (a->encoder)
		st = embed_encoder(a, &s, ctl, &x, &d, err);
	else if ((st = run_sizes(db, a->run, &d, &n_words, err)) == XNR_OK) {
		if (!(x = calloc((size_t)s.n * (size_t)d, sizeof *x)))
			st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
		else
			st = embed_stored(db, a->run, &s, ctl, x, d, err);
	}
	if (st != XNR_OK)
		goto fail;
	t1 = now_s();
	if ((st = xnr_cosine_pairs(x, s.n, d, (float)a->threshold, (long)a->limit, ctl, &pairs,
	                           &n_pairs, &n_total, err)) != XNR_OK)
		goto fail;
	*result = json_pack(
	    "{s:I, s:f, s:I, s:s?, s:I, s:I, s:o, s:{s:f, s:f}}", "run", (json_int_t)a->run,
	    "threshold", a->threshold, "limit", (json_int_t)a->limit, "encoder", a->encoder,
	    "n_sentences", (json_int_t)s.n, "total", (json_int_t)n_total, "pairs",
	    pairs_json(&s, pairs, n_pairs), "timings", "embed_s", t1 - t0, "pairs_s", now_s() - t1);
	if (!*result)
		st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
fail:
	free(pairs);
	free(x);
	sents_free(&s);
	sqlite3_close(db);
	return st;
}

static enum xnr_status dup_parse(const json_t *body, struct dup_args *a, const char **encoder,
                                 struct xnr_error *err)
{
	static const char *const allowed[] = {"threshold", "limit", "encoder", NULL};
	json_t *enc = json_object_get(body, "encoder");
	enum xnr_status st;

	if ((st = body_allow(body, allowed, err)) != XNR_OK ||
	    (st = body_real(body, "threshold", 0, 1, 0.95, &a->threshold, err)) != XNR_OK ||
	    (st = body_int(body, "limit", 1, 10000, 200, &a->limit, err)) != XNR_OK)
		return st;
	*encoder = NULL;
	if (enc && !json_is_null(enc) &&
	    (!json_is_string(enc) || !json_string_length(enc) ||
	     strlen(json_string_value(enc)) != json_string_length(enc)))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "body field encoder: wants null or the path of a model folder");
	if (enc && json_is_string(enc))
		*encoder = json_string_value(enc);
	return XNR_OK;
}

static enum xnr_status api_duplicates(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	struct dup_args q = {0}, *a;
	const char *encoder = NULL;
	char real[PATH_MAX], key[PATH_MAX + 128];
	enum xnr_status st;

	if ((st = dup_parse(body_or_empty(r), &q, &encoder, err)) != XNR_OK ||
	    (st = xnr__run_check(r->db, r->ids[0], err)) != XNR_OK)
		return st;
	if (encoder && !realpath(encoder, real))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "body field encoder: %s is not a folder here (give the path of a "
		                "model folder on the server's machine)",
		                encoder);
	q.app = r->app;
	q.run = r->ids[0];
	snprintf(key, sizeof key, "duplicates run=%lld threshold=%.17g limit=%lld encoder=%s",
	         (long long)q.run, q.threshold, (long long)q.limit, encoder ? real : "");
	if (!(a = malloc(sizeof *a)))
		return xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	*a = q;
	a->db_path = strdup(r->app->db_path);
	a->encoder = encoder ? strdup(real) : NULL;
	if (!a->db_path || (encoder && !a->encoder)) {
		dup_free(a);
		return xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	}
	return job_answer(r, "duplicates", key, dup_job, a, dup_free, out, err);
}

/* ---- routes --------------------------------------------------------------- */

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/model", api_model, NULL},
    {"POST", "/api/v1/runs/{id}/probe", api_probe, NULL},
    {"POST", "/api/v1/runs/{id}/activations", api_activations, NULL},
    {"POST", "/api/v1/runs/{id}/projection", api_projection, NULL},
    {"POST", "/api/v1/runs/{id}/duplicates", api_duplicates, NULL},
};

const struct xnr__route *xnr__routes_model(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
