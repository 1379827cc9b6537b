/*
 * api_run_start.c - POST /api/v1/runs (the Home / Setup page, issue #4,
 * docs/api.md): check the model folder and dataset the form names (paths.c:
 * regular files and folders inside the server's roots), then run the
 * analysis as a job (src/pipeline, like `explainer run`); and the run of
 * serve --model --data started with the server. A run of files a request
 * named fails with where and what kind of failure only: the reader's message
 * may quote the file (issue #14).
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"
#include "core/json.h"
#include "pipeline/pipeline.h"
#include "server/internal.h"

#define CONFIG_MAX (1u << 20) /* config.json read to check a model folder */
#define RUN_WAIT_S 0.05       /* poll of a run waiting for the database */

struct run_arg {
	char *model, *data, *split, *db;
	int limit, sample, seed, max_length, threads;
	const struct xnr__app *app; /* the server's; run_lock is its lock */
	int named;                  /* a request named the files (not serve --model --data) */
};

static void run_arg_free(void *p)
{
	struct run_arg *a = p;

	if (!a)
		return;
	free(a->model);
	free(a->data);
	free(a->split);
	free(a->db);
	free(a);
}

/* The pipeline's warnings (ill-formed tag sequences, ...) go into the job's
 * result, where the Setup page shows them. */
static void on_warning(void *ud, const char *msg)
{
	json_array_append_new(ud, json_string(msg));
}

static enum xnr_status run_files(const struct run_arg *a, const struct xnr_ctl *ctl,
                                 json_t *warnings, struct xnr_run_outcome *out,
                                 struct xnr_error *err)
{
	struct xnr_run_opts o = xnr_run_default_opts();
	enum xnr_status st;

	/* Again now, just before the pipeline opens them: the files may have
	 * changed while the job waited. */
	if (a->named &&
	    ((st = xnr__path_check(a->app, "model", a->model, XNR__PATH_DIR, err)) != XNR_OK ||
	     (st = xnr__path_check(a->app, "data", a->data, XNR__PATH_ANY, err)) != XNR_OK))
		return st;
	o.model = a->model;
	o.data = a->data;
	o.split = a->split;
	o.output = a->db;
	o.limit = a->limit;
	o.sample = a->sample;
	o.seed = a->seed;
	o.max_length = a->max_length;
	o.threads = a->threads;
	o.on_warning = on_warning;
	o.hook_ud = warnings;
	st = xnr_pipeline_run(&o, ctl, out, err);
	return st != XNR_OK && a->named ? xnr__path_redact(st, err) : st;
}

static enum xnr_status run_work(void *p, const struct xnr_ctl *ctl, json_t **result,
                                struct xnr_error *err)
{
	const struct run_arg *a = p;
	struct xnr_run_outcome out;
	struct timespec pause = {0, (long)(RUN_WAIT_S * 1e9)};
	pthread_mutex_t *run_lock = (pthread_mutex_t *)&a->app->run_lock;
	json_t *warnings = json_array();
	enum xnr_status st;

	if (!warnings)
		return xnr_fail(err, XNR_ERR_NOMEM, "run: out of memory");

	while (pthread_mutex_trylock(run_lock) != 0) {
		if (xnr_ctl_cancelled(ctl)) {
			json_decref(warnings);
			return xnr_fail(err, XNR_ERR_CANCELLED, "run: cancelled while waiting");
		}
		xnr_ctl_progress(ctl, 0, "waiting for another run");
		nanosleep(&pause, NULL);
	}
	memset(&out, 0, sizeof out);
	st = run_files(a, ctl, warnings, &out, err);
	pthread_mutex_unlock(run_lock);
	if (st != XNR_OK) {
		json_decref(warnings);
		return st;
	}
	if (out.warning[0])
		json_array_append_new(warnings, json_string(out.warning));
	*result = json_pack("{sIsbsisIsIsfss?so}", "run_id", (json_int_t)out.run_id, "reused",
	                    out.reused, "n_sentences", (int)out.n_sentences, "n_words",
	                    (json_int_t)out.n_words, "n_tokens", (json_int_t)out.n_tokens,
	                    "seconds", out.seconds, "report", out.report, "warnings", warnings);
	xnr_run_outcome_free(&out);
	return *result ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "run: out of memory");
}

int xnr__run_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* A model folder must at least have a config.json holding a JSON object:
 * the rest of the loading happens in the job, whose error the page shows.
 * The parser's message is not passed on, as it quotes the file. */
static enum xnr_status check_model(const struct xnr__app *app, const char *dir,
                                   struct xnr_error *err)
{
	char path[4096];
	json_t *cfg = NULL;
	enum xnr_status st = xnr__path_check(app, "model", dir, XNR__PATH_DIR, err);

	if (st == XNR_OK)
		st = xnr_path_join(path, sizeof path, dir, "config.json", err);
	if (st == XNR_OK && !xnr_file_exists(path))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "model %s: no config.json (give a Hugging Face model folder)", dir);
	if (st == XNR_OK &&
	    (xnr_json_load(path, CONFIG_MAX, &cfg, NULL) != XNR_OK || !json_is_object(cfg)))
		st = xnr_fail(err, XNR_ERR_INPUT,
		              "model %s: config.json is not a JSON object of at most 1 MiB", dir);
	json_decref(cfg);
	return st;
}

/* Read and check the body of POST /api/v1/runs into a (strings owned). */
static enum xnr_status parse_run(const struct xnr__req *r, struct run_arg *a, struct xnr_error *err)
{
	static const char *const allowed[] = {"model",  "data", "split",      "limit",
	                                      "sample", "seed", "max_length", NULL};
	const char *model = r->app->model_dir, *data = r->app->data_path, *split = NULL;
	int64_t limit, sample, seed, max_length;
	enum xnr_status st;

	if ((st = xnr__body_allow(r->body, allowed, err)) != XNR_OK ||
	    (st = xnr__body_str(r->body, "model", &model, err)) != XNR_OK ||
	    (st = xnr__body_str(r->body, "data", &data, err)) != XNR_OK ||
	    (st = xnr__body_str(r->body, "split", &split, err)) != XNR_OK ||
	    (st = xnr__body_int(r->body, "limit", 0, 100000000, 0, &limit, err)) != XNR_OK ||
	    (st = xnr__body_int(r->body, "sample", 0, 100000000, 0, &sample, err)) != XNR_OK ||
	    (st = xnr__body_int(r->body, "seed", 0, 2147483647, 0, &seed, err)) != XNR_OK ||
	    (st = xnr__body_int(r->body, "max_length", 0, 8192, 0, &max_length, err)) != XNR_OK)
		return st;
	if (!model || !data)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "request body: give \"model\" (a model folder) "
		                "and \"data\" (a CoNLL or JSONL file)");
	if (split && strcmp(split, "train") != 0 && strcmp(split, "dev") != 0 &&
	    strcmp(split, "test") != 0)
		return xnr_fail(err, XNR_ERR_INPUT, "split %s: wants train, dev or test", split);
	if (limit && sample)
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "limit and sample: give one (the first N sentences, or N at random)");
	if ((st = check_model(r->app, model, err)) != XNR_OK ||
	    (st = xnr__path_check(r->app, "data", data, XNR__PATH_ANY, err)) != XNR_OK)
		return st;
	a->limit = (int)limit;
	a->sample = (int)sample;
	a->seed = (int)seed;
	a->max_length = (int)max_length;
	a->model = strdup(model);
	a->data = strdup(data);
	a->split = split ? strdup(split) : NULL;
	a->db = strdup(r->app->db_path);
	a->threads = xnr__run_threads();
	a->app = r->app;
	a->named = 1;
	if (!a->model || !a->data || (split && !a->split) || !a->db)
		return xnr_fail(err, XNR_ERR_NOMEM, "run: out of memory");
	return XNR_OK;
}

static enum xnr_status api_run_start(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct run_arg *a = calloc(1, sizeof *a);
	enum xnr_status st;

	if (!a)
		return xnr_fail(err, XNR_ERR_NOMEM, "run: out of memory");
	if ((st = xnr__local_only(r->app, "POST /api/v1/runs", err)) != XNR_OK ||
	    (st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = parse_run(r, a, err)) != XNR_OK) {
		run_arg_free(a);
		return st;
	}
	/* No key: the pipeline decides reuse from the files' hashes, so a run
	 * is never answered from a stale job. */
	return xnr__job_answer(r, "run", NULL, -1, run_work, a, run_arg_free, out, err);
}

void xnr__setup_autorun(struct xnr__app *app)
{
	struct run_arg *a;
	struct xnr_error err;
	int64_t id;

	if (!app->model_dir || !app->data_path)
		return;
	xnr_error_clear(&err);
	a = calloc(1, sizeof *a);
	if (a && (a->model = strdup(app->model_dir)) && (a->data = strdup(app->data_path)) &&
	    (a->db = strdup(app->db_path))) {
		a->threads = xnr__run_threads();
		a->app = app;
		if (xnr__job_start(app, NULL, "run", NULL, -1, run_work, a, run_arg_free, &id,
		                   &err) == XNR_OK)
			return;
		xnr__log("%s", err.msg);
		return;
	}
	run_arg_free(a);
	xnr__log("out of memory starting the run");
}

static const struct xnr__route routes[] = {
    {"POST", "/api/v1/runs", api_run_start, NULL, XNR__NO_DB},
};

XNR__ROUTE_GROUP(run_start, routes);
