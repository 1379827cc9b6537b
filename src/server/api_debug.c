/*
 * api_debug.c - the Debug page (ExplaiNER's debug page: what was run, how,
 * and with what): GET /api/v1/debug (this build, its compiler and
 * libraries, threads) and GET /api/v1/runs/{id}/debug (a run's stored
 * options and timings, its model's config.json and tokenizer summary).
 */
#include <jansson.h>
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
	                 sqlite3_libversion(), "jansson", JANSSON_VERSION, "libmicrohttpd",
	                 MHD_get_version(), "threads", "cpus", xnr__run_threads(), "job_threads", 2,
	                 "run_threads", xnr__run_threads(), "database", r->app->db_path);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "debug: out of memory");
}

/* The text of a run column parsed as JSON, or the text, or null. */
static json_t *col_parsed(sqlite3_stmt *stmt, int i)
{
	json_t *v = NULL;
	const char *text = (const char *)sqlite3_column_text(stmt, i);

	if (text && xnr_json_parse(text, strlen(text), "column", &v, NULL) == XNR_OK)
		return v;
	return xnr__col_json(stmt, i);
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

static const char run_debug_sql[] =
    "SELECT id, created_at, explainer_version, model_path, model_hash, model_arch, data_path,"
    " data_hash, split, scheme, n_sentences, n_words, n_tokens, hidden_size, duration_s,"
    " options FROM runs WHERE id = ?1";

static json_t *timings_json(sqlite3_stmt *st)
{
	double d = sqlite3_column_double(st, 14);
	int n = sqlite3_column_int(st, 10);
	int64_t words = sqlite3_column_int64(st, 11);

	if (sqlite3_column_type(st, 14) == SQLITE_NULL)
		return json_pack("{sn}", "duration_s");
	return json_pack("{sfsfsfsf}", "duration_s", d, "per_sentence_ms", n ? d * 1e3 / n : 0.0,
	                 "sentences_per_s", d > 0 ? n / d : 0.0, "words_per_s",
	                 d > 0 ? (double)words / d : 0.0);
}

static enum xnr_status api_run_debug(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	sqlite3_stmt *st = NULL;
	json_t *run = NULL;
	const char *model_dir;
	enum xnr_status rc;
	int i, step;

	if ((rc = xnr__query_allow(&r->query, allowed, err)) != XNR_OK)
		return rc;
	if (sqlite3_prepare_v2(r->db, run_debug_sql, -1, &st, NULL) != SQLITE_OK)
		return xnr__sql_fail(r->db, "runs", err);
	sqlite3_bind_int64(st, 1, r->ids[0]);
	if ((step = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return step == SQLITE_DONE ? xnr_fail(err, XNR_ERR_IO, "run %lld: no such run",
		                                      (long long)r->ids[0])
		                           : xnr__sql_fail(r->db, "runs", err);
	}
	run = json_object();
	for (i = 0; run && i < 14; i++)
		if (json_object_set_new(run, sqlite3_column_name(st, i),
		                        i == 9 ? col_parsed(st, i) : xnr__col_json(st, i))) {
			json_decref(run);
			run = NULL;
		}
	model_dir = (const char *)sqlite3_column_text(st, 3);
	*out =
	    run ? json_pack("{sosososososo}", "run", run, "options", col_parsed(st, 15), "timings",
	                    timings_json(st), "model_config", model_config(model_dir), "tokenizer",
	                    tokenizer_summary(model_dir), "scheme", col_parsed(st, 9))
	        : NULL;
	sqlite3_finalize(st);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "debug: out of memory");
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/debug", api_debug, NULL},
    {"GET", "/api/v1/runs/{id}/debug", api_run_debug, NULL},
};

const struct xnr__route *xnr__routes_debug(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
