/*
 * api_debug.c - the Debug page (ExplaiNER's debug page: what was run, how,
 * and with what): GET /api/v1/debug (this build, its compiler and
 * libraries, threads) and GET /api/v1/runs/{id}/debug (a run's stored
 * options and timings, its model's config.json and tokenizer summary).
 */
#include <jansson.h>
#include <math.h>
#include <microhttpd.h>
#include <string.h>

#include "core/file.h"
#include "core/json.h"
#include "server/internal.h"
#include "tensor/gemm.h"

#define CONFIG_MAX    (1u << 20) /* config.json read for the page */
#define TOKENIZER_MAX (64u << 20)

static json_t *build_json(void)
{
	json_t *san = json_array();
#if defined(__SANITIZE_ADDRESS__)
	json_array_append_new(san, json_string("address"));
#endif
#if defined(__SANITIZE_THREAD__)
	json_array_append_new(san, json_string("thread"));
#endif
#if defined(__OPTIMIZE__)
	int optimized = 1;
#else
	int optimized = 0;
#endif
#if defined(NDEBUG)
	int asserts = 0;
#else
	int asserts = 1;
#endif
	return json_pack("{sssbsbso}", "type",
	                 optimized ? (asserts ? "optimised, asserts on" : "release") : "debug",
	                 "optimized", optimized, "asserts", asserts, "sanitizers",
	                 san ? san : json_array());
}

static enum xnr_status api_debug(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	enum xnr_status st = xnr__query_allow(&r->query, allowed, err);

	if (st != XNR_OK)
		return st;
	*out = json_pack("{sssos{ssss}s{ssssssss?}s{sisisi}ss}", "version", r->app->version,
	                 "build", build_json(), "compiler", "name",
#if defined(__clang__)
	                 "clang",
#else
	                 "gcc",
#endif
	                 "version", __VERSION__, "libraries", "gemm", xnr_gemm_backend(), "sqlite",
	                 xnr_store_sqlite_version(), "jansson", JANSSON_VERSION, "libmicrohttpd",
	                 MHD_get_version(), "threads", "cpus", xnr__run_threads(), "job_threads",
	                 XNR__JOB_THREADS, "run_threads", xnr__run_threads(), "database",
	                 xnr__path_shown(r->app, r->app->db_path));
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "debug: out of memory");
}

/* The text of a run column parsed as JSON, or the text, or null. */
static json_t *col_parsed(const char *text)
{
	json_t *v = NULL;

	if (text && xnr_json_parse(text, strlen(text), "column", &v, NULL) == XNR_OK)
		return v;
	return xnr__json_text(text, -1);
}

/* Load file name of the run's model folder into *loaded and answer NULL;
 * or answer what the page shows instead: null when the folder or file is
 * gone, {"error": message} when it is not JSON. */
static json_t *model_file(const char *model_dir, const char *name, size_t max, json_t **loaded)
{
	char path[4096];
	struct xnr_error err;

	if (!model_dir || xnr_path_join(path, sizeof path, model_dir, name, NULL) ||
	    !xnr_file_exists(path))
		return json_null();
	if (xnr_json_load(path, max, loaded, &err) != XNR_OK)
		return json_pack("{ss}", "error", err.msg);
	return NULL;
}

/* What tokenizer.json says about itself: model, normalizer, pre-tokenizer,
 * post-processor and decoder types, vocabulary and added tokens. */
static json_t *tokenizer_summary(const char *model_dir)
{
	json_t *tok = NULL, *out, *model, *vocab;

	if ((out = model_file(model_dir, "tokenizer.json", TOKENIZER_MAX, &tok)) != NULL)
		return out;
	model = json_object_get(tok, "model");
	vocab = json_object_get(model, "vocab");
	out = json_pack(
	    "{sO?sO?sO?sO?sO?sIsI}", "model", json_object_get(model, "type"), "normalizer",
	    json_object_get(json_object_get(tok, "normalizer"), "type"), "pre_tokenizer",
	    json_object_get(json_object_get(tok, "pre_tokenizer"), "type"), "post_processor",
	    json_object_get(json_object_get(tok, "post_processor"), "type"), "decoder",
	    json_object_get(json_object_get(tok, "decoder"), "type"), "vocab_size",
	    (json_int_t)(json_is_object(vocab) ? json_object_size(vocab) : json_array_size(vocab)),
	    "added_tokens", (json_int_t)json_array_size(json_object_get(tok, "added_tokens")));
	json_decref(tok);
	return out;
}

/* The run's model config.json, if its folder is still there. */
static json_t *model_config(const char *model_dir)
{
	json_t *cfg = NULL, *reply = model_file(model_dir, "config.json", CONFIG_MAX, &cfg);

	return reply ? reply : cfg;
}

static json_t *timings_json(const struct xnr_run *run)
{
	double d = run->duration_s;
	int n = (int)run->n_sentences;

	if (isnan(d))
		return json_pack("{sn}", "duration_s");
	return json_pack("{sfsfsfsf}", "duration_s", d, "per_sentence_ms", n ? d * 1e3 / n : 0.0,
	                 "sentences_per_s", d > 0 ? n / d : 0.0, "words_per_s",
	                 d > 0 ? (double)run->n_words / d : 0.0);
}

/* The run row as the page lists it: paths (as app shows them), hashes,
 * architecture, counts. */
static json_t *run_row_json(const struct xnr__app *app, const struct xnr_run *run)
{
	static const char *const keys[] = {
	    "id",          "created_at", "explainer_version", "model_path", "model_hash",
	    "model_arch",  "data_path",  "data_hash",         "split",      "scheme",
	    "n_sentences", "n_words",    "n_tokens",          "hidden_size"};
	json_t *v[] = {json_integer(run->id),
	               xnr__json_text(run->created_at, -1),
	               xnr__json_text(run->version, -1),
	               xnr__json_text(xnr__path_shown(app, run->model_path), -1),
	               xnr__json_text(run->model_hash, -1),
	               xnr__json_text(run->model_arch, -1),
	               xnr__json_text(xnr__path_shown(app, run->data_path), -1),
	               xnr__json_text(run->data_hash, -1),
	               xnr__json_text(run->split, -1),
	               col_parsed(run->scheme_json),
	               json_integer(run->n_sentences),
	               json_integer(run->n_words),
	               json_integer(run->n_tokens),
	               json_integer(run->hidden_size)};
	return xnr__object(sizeof v / sizeof v[0], keys, v);
}

static enum xnr_status api_run_debug(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct xnr_run run;
	json_t *row;
	enum xnr_status rc;

	if ((rc = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (rc = xnr__req_run(r, &run, err)) != XNR_OK)
		return rc;
	row = run_row_json(r->app, &run);
	*out = row ? json_pack("{sosososososo}", "run", row, "options",
	                       col_parsed(run.options_json), "timings", timings_json(&run),
	                       "model_config", model_config(run.model_path), "tokenizer",
	                       tokenizer_summary(run.model_path), "scheme",
	                       col_parsed(run.scheme_json))
	           : NULL;
	xnr_run_free(&run);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "debug: out of memory");
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/debug", api_debug, NULL, XNR__NO_DB},
    {"GET", "/api/v1/runs/{id}/debug", api_run_debug, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(debug, routes);
