/*
 * models.c - models loaded by the server: a run's model folder found from
 * runs.model_path, and a small cache of inference engines keyed by the real
 * path of the folder (and whether the engine keeps every layer), so the
 * Probing and Activations pages load a model once and then answer in
 * milliseconds; and running texts through the model of a run. Engines run one request at a time
 * (infer.h): each slot has its own lock, held by the borrower; the cache lock only guards the
 * slots.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "infer/infer.h"
#include "model/hub.h"
#include "server/internal.h"

#define MODELS_MAX  4 /* engines kept loaded */
#define THREADS_MAX 8 /* compute threads of one engine */

struct xnr__model {
	char dir[PATH_MAX]; /* real path of the folder */
	int layers;
	int refs; /* borrowers, waiting or running; guarded by the cache lock */
	uint64_t last_used;
	pthread_mutex_t run_lock;
	struct xnr_engine *engine;
};

struct xnr__models {
	pthread_mutex_t lock;
	uint64_t tick;
	struct xnr__model *slot[MODELS_MAX];
};

enum xnr_status xnr__models_open(struct xnr__app *app, struct xnr_error *err)
{
	struct xnr__models *m = calloc(1, sizeof *m);

	if (!m)
		return xnr_fail(err, XNR_ERR_NOMEM, "cannot allocate the model cache");
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return xnr_fail(err, XNR_ERR_NOMEM, "cannot create the model cache lock");
	}
	app->models = m;
	return XNR_OK;
}

static void model_close(struct xnr__model *m)
{
	if (!m)
		return;
	xnr_engine_close(m->engine);
	pthread_mutex_destroy(&m->run_lock);
	free(m);
}

void xnr__models_close(struct xnr__app *app)
{
	struct xnr__models *c = app->models;
	int i;

	if (!c)
		return;
	for (i = 0; i < MODELS_MAX; i++)
		model_close(c->slot[i]);
	pthread_mutex_destroy(&c->lock);
	free(c);
	app->models = NULL;
}

/* 1 when dir/config.json is a file. */
static int has_config(const char *dir)
{
	char path[PATH_MAX];
	struct stat sb;
	int n = snprintf(path, sizeof path, "%s/config.json", dir);

	return n > 0 && (size_t)n < sizeof path && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The run's model path into out. */
static enum xnr_status run_model_path(const struct xnr_run *run, char *out, size_t size,
                                      struct xnr_error *err)
{
	if (!run->model_path || !run->model_path[0])
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "run %lld has no model path",
		                (long long)run->id);
	if ((size_t)snprintf(out, size, "%s", run->model_path) >= size)
		return xnr_fail(err, XNR_ERR_LIMIT, "run %lld: model path too long",
		                (long long)run->id);
	return XNR_OK;
}

/* dir = the database's folder joined with rel; 0 if it does not fit. */
static int next_to_db(const char *db_path, const char *rel, char *dir, size_t size)
{
	const char *slash = strrchr(db_path, '/');
	int n;

	if (!slash)
		n = snprintf(dir, size, "%s", rel);
	else
		n = snprintf(dir, size, "%.*s/%s", (int)(slash - db_path), db_path, rel);
	return n > 0 && (size_t)n < size;
}

/* Copy cand to dir when it is a model folder that fits; 1 if it did. */
static int take_dir(const char *cand, char *dir, size_t size)
{
	return has_config(cand) && (size_t)snprintf(dir, size, "%s", cand) < size;
}

enum xnr_status xnr__model_dir(const struct xnr__app *app, const struct xnr_run *run, char *dir,
                               size_t dir_bytes, struct xnr_error *err)
{
	char rel[PATH_MAX], cand[PATH_MAX], cwd[PATH_MAX];
	enum xnr_status st;

	if ((st = run_model_path(run, rel, sizeof rel, err)) != XNR_OK)
		return st;
	if (take_dir(rel, dir, dir_bytes))
		return XNR_OK;
	if (rel[0] == '/')
		return xnr_fail(err, XNR_ERR_NOT_FOUND,
		                "the model of run %lld (%s) is gone: no config.json there (restore "
		                "the model folder, or make a new run with the model's new place)",
		                (long long)run->id, xnr__path_shown(app, rel));
	if (next_to_db(app->db_path, rel, cand, sizeof cand) && take_dir(cand, dir, dir_bytes))
		return XNR_OK;
	if (xnr_hub_find(rel, cand, sizeof cand, NULL) == XNR_OK && take_dir(cand, dir, dir_bytes))
		return XNR_OK;
	if (app->remote)
		return xnr_fail(err, XNR_ERR_NOT_FOUND,
		                "the model of run %lld (%s) is gone from the server's machine",
		                (long long)run->id, xnr__path_shown(app, rel));
	if (!getcwd(cwd, sizeof cwd))
		snprintf(cwd, sizeof cwd, ".");
	return xnr_fail(err, XNR_ERR_NOT_FOUND,
	                "the model of run %lld (%s) is gone: not in %s, not next to the database "
	                "and not a model in the Hugging Face cache (start explainer serve from the "
	                "folder the run was made in, or restore the model folder)",
	                (long long)run->id, rel, cwd);
}

static int n_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > THREADS_MAX ? THREADS_MAX : (int)n;
}

static enum xnr_status model_load(const char *real, int layers, struct xnr__model **out,
                                  struct xnr_error *err)
{
	struct xnr_engine_params p = xnr_engine_default_params();
	struct xnr__model *m = calloc(1, sizeof *m);
	enum xnr_status st;

	if (!m)
		return xnr_fail(err, XNR_ERR_NOMEM, "cannot allocate a model slot");
	snprintf(m->dir, sizeof m->dir, "%s", real);
	m->layers = layers;
	if (pthread_mutex_init(&m->run_lock, NULL) != 0) {
		free(m);
		return xnr_fail(err, XNR_ERR_NOMEM, "cannot create a model lock");
	}
	p.n_threads = n_threads();
	p.keep_hidden = 1;
	p.keep_layers = layers;
	if ((st = xnr_engine_open(real, p, &m->engine, err)) != XNR_OK) {
		model_close(m);
		return st;
	}
	*out = m;
	return XNR_OK;
}

/* The slot to (re)use for a new model: an empty one, else the least recently
 * used idle one (closed here); -1 when every slot is busy. Cache lock held. */
static int free_slot(struct xnr__models *c)
{
	int i, best = -1;

	for (i = 0; i < MODELS_MAX; i++) {
		if (!c->slot[i])
			return i;
		if (c->slot[i]->refs == 0 &&
		    (best < 0 || c->slot[i]->last_used < c->slot[best]->last_used))
			best = i;
	}
	if (best >= 0) {
		model_close(c->slot[best]);
		c->slot[best] = NULL;
	}
	return best;
}

/* The slot of (real, layers), loading it if needed; refs counted. Cache lock held. */
static enum xnr_status slot_get(struct xnr__models *c, const char *real, int layers,
                                struct xnr__model **out, struct xnr_error *err)
{
	enum xnr_status st;
	int i;

	for (i = 0; i < MODELS_MAX; i++)
		if (c->slot[i] && c->slot[i]->layers == layers && !strcmp(c->slot[i]->dir, real))
			break;
	if (i == MODELS_MAX) {
		if ((i = free_slot(c)) < 0)
			return xnr_fail(err, XNR_ERR_LIMIT,
			                "%d models are busy: try again when their work is done",
			                MODELS_MAX);
		if ((st = model_load(real, layers, &c->slot[i], err)) != XNR_OK)
			return st;
	}
	c->slot[i]->refs++;
	c->slot[i]->last_used = ++c->tick;
	*out = c->slot[i];
	return XNR_OK;
}

enum xnr_status xnr__model_acquire(struct xnr__app *app, const char *dir, int layers,
                                   struct xnr__model **out, struct xnr_error *err)
{
	struct xnr__models *c = app->models;
	struct xnr__model *m = NULL;
	char real[PATH_MAX];
	enum xnr_status st;

	if (!c)
		return xnr_fail(err, XNR_ERR_INTERNAL, "the model cache is not open");
	if (!realpath(dir, real))
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "model folder %s: not found", dir);
	pthread_mutex_lock(&c->lock);
	st = slot_get(c, real, layers ? 1 : 0, &m, err);
	pthread_mutex_unlock(&c->lock);
	if (st != XNR_OK)
		return st;
	pthread_mutex_lock(&m->run_lock);
	*out = m;
	return XNR_OK;
}

struct xnr_engine *xnr__model_engine(struct xnr__model *m)
{
	return m->engine;
}

void xnr__model_release(struct xnr__app *app, struct xnr__model *m)
{
	struct xnr__models *c = app->models;

	if (!m)
		return;
	pthread_mutex_unlock(&m->run_lock);
	pthread_mutex_lock(&c->lock);
	m->refs--;
	pthread_mutex_unlock(&c->lock);
}

/* The sub-tokens of res as xnr__model_run describes them; NULL when out of memory. */
static json_t *tokens_json(const struct xnr_tokenizer *tok, const struct xnr_result *res,
                           const char *text)
{
	json_t *a = json_array();
	int t;

	for (t = 0; a && t < res->enc.n_tokens; t++) {
		int s = res->enc.offsets[2 * t], e = res->enc.offsets[2 * t + 1];
		const char *piece = xnr_tokenizer_id_to_token(tok, res->enc.ids[t]);
		json_t *o =
		    json_pack("{s:s%, s:o, s:i, s:i, s:i, s:i}", "text", text + s, (size_t)(e - s),
		              "token", piece ? xnr__json_text(piece, -1) : json_null(), "id",
		              res->enc.ids[t], "word", res->enc.word_ids[t], "start", s, "end", e);
		if (json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The model's label names and every text's sub-tokens, read while m is held. */
static enum xnr_status run_json(struct xnr__model *m, const struct xnr_input *in, int n,
                                const struct xnr_result *res, json_t **labels, json_t **tokens,
                                struct xnr_error *err)
{
	const struct xnr_engine *engine = xnr__model_engine(m);
	const struct xnr_model_config *cfg = xnr_engine_config(engine);
	int i;

	*labels = json_array();
	*tokens = json_array();
	for (i = 0; *labels && i < cfg->n_labels; i++)
		if (json_array_append_new(*labels, json_string(cfg->id2label[i])) != 0)
			break;
	if (*labels && i == cfg->n_labels)
		for (i = 0; *tokens && i < n; i++)
			if (json_array_append_new(*tokens, tokens_json(xnr_engine_tokenizer(engine),
			                                               &res[i], in[i].text)) != 0)
				break;
	if (*labels && *tokens && i == n && json_array_size(*labels) == (size_t)cfg->n_labels)
		return XNR_OK;
	json_decref(*labels);
	json_decref(*tokens);
	*labels = *tokens = NULL;
	return xnr_fail(err, XNR_ERR_NOMEM, "model: out of memory");
}

enum xnr_status xnr__model_run(struct xnr__req *r, const struct xnr_run *run, int layers,
                               const struct xnr_input *in, int n, struct xnr_result *res,
                               json_t **labels, json_t **tokens, int *n_layers,
                               struct xnr_error *err)
{
	char dir[PATH_MAX];
	struct xnr__model *m = NULL;
	enum xnr_status st;
	int i;

	*labels = *tokens = NULL;
	for (i = 0; i < n; i++)
		xnr_result_init(&res[i]);
	if ((st = xnr__model_dir(r->app, run, dir, sizeof dir, err)) != XNR_OK ||
	    (st = xnr__model_acquire(r->app, dir, layers, &m, err)) != XNR_OK)
		return st;
	if (n_layers)
		*n_layers = xnr_engine_config(xnr__model_engine(m))->n_layers;
	if ((st = xnr_engine_run(xnr__model_engine(m), in, n, res, err)) == XNR_OK)
		st = run_json(m, in, n, res, labels, tokens, err);
	xnr__model_release(r->app, m);
	return st;
}
