/*
 * api_setup.c - what the Home / Setup and Debug pages need (issue #4,
 * docs/api-jobs.md): POST /api/v1/runs starts an analysis run as a job
 * (src/pipeline, like `explainer run`), GET /api/v1/setup gives the Setup
 * form's defaults, GET/PUT /api/v1/runs/{id}/settings the class colours and
 * icons (the original's colour and emoji pickers, matplotlib Set1 by
 * default), GET /api/v1/debug and /api/v1/runs/{id}/debug the Debug page.
 */
#include <dirent.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/json.h"
#include "pipeline/pipeline.h"
#include "server/internal.h"
#include "store/store.h"
#include "tensor/gemm.h"

#define MAX_CLASSES    256        /* entity types of a run shown in settings */
#define ICON_MAX_BYTES 8          /* one emoji, possibly with a variation selector */
#define CONFIG_MAX     (1u << 20) /* config.json read for the Debug page */
#define TOKENIZER_MAX  (64u << 20)
#define LISTED_MAX     200  /* entries of a folder listed by GET /api/v1/setup */
#define RUN_WAIT_S     0.05 /* poll of a run waiting for the database */

/* ---- runs as jobs ---------------------------------------------------- */

struct run_arg {
	char *model, *data, *split, *db;
	int limit, sample, seed, max_length, threads;
};

/* One run writes a database at a time (the pipeline holds its write
 * transaction for the whole run), so runs wait here instead of failing on
 * SQLite's busy timeout. */
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

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

static enum xnr_status run_work(void *p, const struct xnr_ctl *ctl, json_t **result,
                                struct xnr_error *err)
{
	const struct run_arg *a = p;
	struct xnr_run_opts o = xnr_run_default_opts();
	struct xnr_run_outcome out;
	struct timespec pause = {0, (long)(RUN_WAIT_S * 1e9)};
	enum xnr_status st;

	while (pthread_mutex_trylock(&run_lock) != 0) {
		if (xnr_ctl_cancelled(ctl))
			return xnr_fail(err, XNR_ERR_CANCELLED, "run: cancelled while waiting");
		xnr_ctl_progress(ctl, 0, "waiting for another run");
		nanosleep(&pause, NULL);
	}
	o.model = a->model;
	o.data = a->data;
	o.split = a->split;
	o.output = a->db;
	o.limit = a->limit;
	o.sample = a->sample;
	o.seed = a->seed;
	o.max_length = a->max_length;
	o.threads = a->threads;
	memset(&out, 0, sizeof out);
	st = xnr_pipeline_run(&o, ctl, &out, err);
	pthread_mutex_unlock(&run_lock);
	if (st != XNR_OK)
		return st;
	*result = json_pack("{sIsbsisIsIsfss?}", "run_id", (json_int_t)out.run_id, "reused",
	                    out.reused, "n_sentences", (int)out.n_sentences, "n_words",
	                    (json_int_t)out.n_words, "n_tokens", (json_int_t)out.n_tokens,
	                    "seconds", out.seconds, "report", out.report);
	xnr_run_outcome_free(&out);
	return *result ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "run: out of memory");
}

static int n_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* XNR_ERR_INPUT unless path is a readable folder (dir) or file. */
static enum xnr_status check_path(const char *what, const char *path, int dir,
                                  struct xnr_error *err)
{
	struct stat sb;

	if (!path[0] || stat(path, &sb) != 0)
		return xnr_fail(err, XNR_ERR_INPUT, "%s %s: no such %s (check the path)", what,
		                path, dir ? "folder" : "file or folder");
	if (dir && !S_ISDIR(sb.st_mode))
		return xnr_fail(err, XNR_ERR_INPUT, "%s %s: not a folder (give the model's folder)",
		                what, path);
	if (access(path, S_ISDIR(sb.st_mode) ? R_OK | X_OK : R_OK) != 0)
		return xnr_fail(err, XNR_ERR_INPUT, "%s %s: the server may not read it", what,
		                path);
	return XNR_OK;
}

/* A model folder must at least have a readable config.json: the rest of
 * the loading happens in the job, whose error the page shows. */
static enum xnr_status check_model(const char *dir, struct xnr_error *err)
{
	char path[4096];
	json_t *cfg = NULL;
	enum xnr_status st = check_path("model", dir, 1, err);

	if (st == XNR_OK)
		st = xnr_path_join(path, sizeof path, dir, "config.json", err);
	if (st == XNR_OK && !xnr_file_exists(path))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "model %s: no config.json (give a Hugging Face model folder)", dir);
	if (st == XNR_OK && (st = xnr_json_load(path, CONFIG_MAX, &cfg, err)) != XNR_OK)
		return xnr_fail(err, XNR_ERR_INPUT, "model %s: %s", dir, err->msg);
	if (st == XNR_OK && !json_is_object(cfg))
		st =
		    xnr_fail(err, XNR_ERR_INPUT, "model %s: config.json is not a JSON object", dir);
	json_decref(cfg);
	return st;
}

/* An optional whole number of body in [min, max]. */
static enum xnr_status body_int(const json_t *body, const char *key, int min, int max, int *out,
                                struct xnr_error *err)
{
	const json_t *v = json_object_get(body, key);

	if (!v || json_is_null(v))
		return XNR_OK;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return xnr_fail(err, XNR_ERR_INPUT, "%s: wants a whole number from %d to %d", key,
		                min, max);
	*out = (int)json_integer_value(v);
	return XNR_OK;
}

/* An optional string of body (JSON null is absent). */
static enum xnr_status body_str(const json_t *body, const char *key, const char **out,
                                struct xnr_error *err)
{
	const json_t *v = json_object_get(body, key);

	if (!v || json_is_null(v))
		return XNR_OK;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return xnr_fail(err, XNR_ERR_INPUT, "%s: wants a string", key);
	*out = json_string_value(v);
	return XNR_OK;
}

static enum xnr_status check_run_keys(const json_t *body, struct xnr_error *err)
{
	static const char *const keys[] = {"model",  "data", "split",      "limit",
	                                   "sample", "seed", "max_length", NULL};
	const char *key;
	const json_t *v;
	int i;

	if (!json_is_object(body))
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "request body: wants a JSON object {\"model\": ..., \"data\": ...}");
	json_object_foreach((json_t *)body, key, v)
	{
		for (i = 0; keys[i] && strcmp(keys[i], key) != 0; i++)
			;
		if (!keys[i])
			return xnr_fail(
			    err, XNR_ERR_INPUT,
			    "request body: unknown field \"%s\" (model, data, split, limit, "
			    "sample, seed, max_length)",
			    key);
	}
	return XNR_OK;
}

/* Read and check the body of POST /api/v1/runs into a new run_arg. */
static enum xnr_status parse_run(const struct xnr__req *r, struct run_arg *a, struct xnr_error *err)
{
	const char *model = r->app->model_dir, *data = r->app->data_path, *split = NULL;
	enum xnr_status st;

	if ((st = check_run_keys(r->body, err)) != XNR_OK ||
	    (st = body_str(r->body, "model", &model, err)) != XNR_OK ||
	    (st = body_str(r->body, "data", &data, err)) != XNR_OK ||
	    (st = body_str(r->body, "split", &split, err)) != XNR_OK ||
	    (st = body_int(r->body, "limit", 0, 100000000, &a->limit, err)) != XNR_OK ||
	    (st = body_int(r->body, "sample", 0, 100000000, &a->sample, err)) != XNR_OK ||
	    (st = body_int(r->body, "seed", 0, 2147483647, &a->seed, err)) != XNR_OK ||
	    (st = body_int(r->body, "max_length", 0, 8192, &a->max_length, err)) != XNR_OK)
		return st;
	if (!model || !data)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "request body: give \"model\" (a model folder) "
		                "and \"data\" (a CoNLL or JSONL file)");
	if (split && strcmp(split, "train") != 0 && strcmp(split, "dev") != 0 &&
	    strcmp(split, "test") != 0)
		return xnr_fail(err, XNR_ERR_INPUT, "split %s: wants train, dev or test", split);
	if (a->limit && a->sample)
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "limit and sample: give one (the first N sentences, or N at random)");
	if ((st = check_model(model, err)) != XNR_OK || (st = check_path("data", data, 0, err)))
		return st;
	a->model = strdup(model);
	a->data = strdup(data);
	a->split = split ? strdup(split) : NULL;
	a->db = strdup(r->app->db_path);
	a->threads = n_cpus();
	if (!a->model || !a->data || (split && !a->split) || !a->db)
		return xnr_fail(err, XNR_ERR_NOMEM, "run: out of memory");
	return XNR_OK;
}

/* Answer 202 {"job": ...} for job id. */
static enum xnr_status job_answer(struct xnr__req *r, int64_t id, json_t **out,
                                  struct xnr_error *err)
{
	json_t *job = NULL;
	enum xnr_status st = xnr__job_json(r->app, id, &job, err);

	if (st != XNR_OK)
		return st;
	if (!(*out = json_pack("{so}", "job", job)))
		return xnr_fail(err, XNR_ERR_NOMEM, "run: out of memory");
	r->http = 202;
	return XNR_OK;
}

static enum xnr_status api_run_start(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct run_arg *a = calloc(1, sizeof *a);
	enum xnr_status st;
	int64_t id = 0;

	if (!a)
		return xnr_fail(err, XNR_ERR_NOMEM, "run: out of memory");
	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = parse_run(r, a, err)) != XNR_OK) {
		run_arg_free(a);
		return st;
	}
	/* No key: the pipeline decides reuse from the files' hashes, so a run
	 * is never answered from a stale job. */
	if ((st = xnr__job_start(r->app, "run", NULL, run_work, a, run_arg_free, &id, err)) !=
	    XNR_OK)
		return st;
	return job_answer(r, id, out, err);
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
		a->threads = n_cpus();
		if (xnr__job_start(app, "run", NULL, run_work, a, run_arg_free, &id, &err) ==
		    XNR_OK)
			return;
		fprintf(stderr, "explainer serve: %s\n", err.msg);
		return;
	}
	run_arg_free(a);
	fprintf(stderr, "explainer serve: out of memory starting the run\n");
}

/* ---- GET /api/v1/setup ---------------------------------------------- */

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int is_dataset(const char *dir, const char *name)
{
	static const char *const exts[] = {".conll", ".txt", ".iob", ".bio", ".jsonl", NULL};
	char path[4096];
	int i;

	for (i = 0; exts[i] && !has_suffix(name, exts[i]); i++)
		;
	return exts[i] && xnr_path_join(path, sizeof path, dir, name, NULL) == XNR_OK &&
	       xnr_file_exists(path);
}

static int is_model(const char *dir, const char *name)
{
	char sub[4096], cfg[4096];

	return xnr_path_join(sub, sizeof sub, dir, name, NULL) == XNR_OK &&
	       xnr_path_join(cfg, sizeof cfg, sub, "config.json", NULL) == XNR_OK &&
	       xnr_file_exists(cfg);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
	              json_string_value(*(json_t *const *)b));
}

/* The entries of the folder of path (path itself if it is a folder and
 * folder_itself) that keep(dir, name) says are models or datasets, sorted. */
static json_t *list_near(const char *path, int folder_itself,
                         int (*keep)(const char *dir, const char *name))
{
	char dir[4096], full[4096];
	json_t *list = json_array(), *items[LISTED_MAX];
	struct stat sb;
	struct dirent *e;
	DIR *d;
	size_t n = 0, i;
	char *slash;

	if (!list || !path || snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
		return list;
	if (!(folder_itself && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))) {
		slash = strrchr(dir, '/');
		if (!slash)
			snprintf(dir, sizeof dir, ".");
		else
			slash[slash == dir] = '\0';
	}
	if (!(d = opendir(dir)))
		return list;
	while ((e = readdir(d)) != NULL && n < LISTED_MAX) {
		int here = strcmp(dir, ".") == 0;
		if (e->d_name[0] == '.' || !keep(dir, e->d_name) ||
		    (!here && xnr_path_join(full, sizeof full, dir, e->d_name, NULL) != XNR_OK))
			continue;
		if ((items[n] = json_string(here ? e->d_name : full)) != NULL)
			n++;
	}
	closedir(d);
	qsort(items, n, sizeof items[0], cmp_str);
	for (i = 0; i < n; i++)
		json_array_append_new(list, items[i]);
	return list;
}

static enum xnr_status api_setup(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	const struct xnr__app *app = r->app;
	enum xnr_status st = xnr__query_allow(&r->query, allowed, err);

	if (st != XNR_OK)
		return st;
	*out = json_pack("{ss?ss?ss?sosos[sss]s{sisisi}}", "database", app->db_path, "model",
	                 app->model_dir, "data", app->data_path, "models",
	                 list_near(app->model_dir, 0, is_model), "datasets",
	                 list_near(app->data_path, 1, is_dataset), "splits", "test", "dev", "train",
	                 "defaults", "sample", 0, "seed", 42, "max_length", 0);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "setup: out of memory");
}

/* ---- settings: class colours and icons -------------------------------- */

struct class_set {
	int n;
	char name[MAX_CLASSES][64];
	char color[MAX_CLASSES][8];
	char icon[MAX_CLASSES][ICON_MAX_BYTES + 1];
};

/* The entity type of a label ("B-PER" -> "PER"), or NULL for "O". */
static const char *label_type(const char *label)
{
	if (strcmp(label, "O") == 0 || !label[0])
		return NULL;
	if (label[0] && strchr("BIESLU", label[0]) && label[1] == '-' && label[2])
		return label + 2;
	return label;
}

/* matplotlib's Set1 at i / n, as the original coloured its classes. */
static const char *set1_color(int i, int n)
{
	static const char *const set1[9] = {"#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00",
	                                    "#ffff33", "#a65628", "#f781bf", "#999999"};
	int k = (int)((double)i / n * 9);
	return set1[k < 0 ? 0 : k > 8 ? 8 : k];
}

static const char *default_icon(const char *type)
{
	static const char *const icons[][2] = {
	    {"PER", "\xf0\x9f\x91\xa4"},     {"ORG", "\xf0\x9f\x8f\xa2"},
	    {"LOC", "\xf0\x9f\x93\x8d"},     {"MISC", "\xe2\x9c\xb3\xef\xb8\x8f"},
	    {"PERSON", "\xf0\x9f\x91\xa4"},  {"GPE", "\xf0\x9f\x93\x8d"},
	    {"DATE", "\xf0\x9f\x93\x85"},    {"TIME", "\xf0\x9f\x95\x92"},
	    {"MONEY", "\xf0\x9f\x92\xb0"},   {"PERCENT", "%"},
	    {"PRODUCT", "\xf0\x9f\x93\xa6"}, {"EVENT", "\xf0\x9f\x8e\x89"},
	};
	size_t i;

	for (i = 0; i < sizeof icons / sizeof icons[0]; i++)
		if (strcmp(icons[i][0], type) == 0)
			return icons[i][1];
	return "\xf0\x9f\x8f\xb7\xef\xb8\x8f"; /* a label tag */
}

/* The run's entity types in the order of its label list, with defaults. */
static enum xnr_status load_classes(sqlite3 *db, int64_t run, struct class_set *c,
                                    struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	int i, rc;

	c->n = 0;
	if (sqlite3_prepare_v2(db, "SELECT name FROM labels WHERE run_id = ?1 ORDER BY id", -1, &st,
	                       NULL) != SQLITE_OK)
		return xnr__sql_fail(db, "labels", err);
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && c->n < MAX_CLASSES) {
		const char *label = (const char *)sqlite3_column_text(st, 0);
		const char *type = label ? label_type(label) : NULL;
		if (!type || strlen(type) >= sizeof c->name[0])
			continue;
		for (i = 0; i < c->n && strcmp(c->name[i], type) != 0; i++)
			;
		if (i == c->n)
			snprintf(c->name[c->n++], sizeof c->name[0], "%s", type);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return xnr__sql_fail(db, "labels", err);
	for (i = 0; i < c->n; i++) {
		snprintf(c->color[i], sizeof c->color[0], "%s", set1_color(i, c->n));
		snprintf(c->icon[i], sizeof c->icon[0], "%s", default_icon(c->name[i]));
	}
	return XNR_OK;
}

static int class_index(const struct class_set *c, const char *name)
{
	int i;

	for (i = 0; i < c->n && strcmp(c->name[i], name) != 0; i++)
		;
	return i < c->n ? i : -1;
}

/* Stored settings over the defaults: keys "color.TYPE" and "icon.TYPE". */
static enum xnr_status apply_stored(sqlite3 *db, int64_t run, struct class_set *c,
                                    struct xnr_error *err)
{
	struct xnr_setting *kv = NULL;
	size_t n = 0, i;
	enum xnr_status st = xnr_settings_load(db, run, &kv, &n, err);

	for (i = 0; st == XNR_OK && i < n; i++) {
		int color = strncmp(kv[i].key, "color.", 6) == 0;
		int icon = strncmp(kv[i].key, "icon.", 5) == 0;
		int k = color || icon ? class_index(c, kv[i].key + (color ? 6 : 5)) : -1;
		if (k >= 0 && color && strlen(kv[i].value) == 7)
			memcpy(c->color[k], kv[i].value, 8);
		else if (k >= 0 && icon && strlen(kv[i].value) <= ICON_MAX_BYTES)
			snprintf(c->icon[k], sizeof c->icon[0], "%s", kv[i].value);
	}
	xnr_settings_free(kv, n);
	return st;
}

static json_t *classes_json(const struct class_set *c)
{
	json_t *list = json_array();
	int i;

	for (i = 0; list && i < c->n; i++)
		if (json_array_append_new(list, json_pack("{ssssss}", "name", c->name[i], "color",
		                                          c->color[i], "icon", c->icon[i])) != 0) {
			json_decref(list);
			list = NULL;
		}
	return list ? json_pack("{so}", "classes", list) : NULL;
}

static enum xnr_status settings_answer(sqlite3 *db, int64_t run, json_t **out,
                                       struct xnr_error *err)
{
	struct class_set *c = malloc(sizeof *c);
	enum xnr_status st;

	if (!c)
		return xnr_fail(err, XNR_ERR_NOMEM, "settings: out of memory");
	if ((st = xnr__run_check(db, run, err)) == XNR_OK &&
	    (st = load_classes(db, run, c, err)) == XNR_OK &&
	    (st = apply_stored(db, run, c, err)) == XNR_OK && !(*out = classes_json(c)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "settings: out of memory");
	free(c);
	return st;
}

static enum xnr_status api_settings(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	enum xnr_status st = xnr__query_allow(&r->query, allowed, err);

	return st != XNR_OK ? st : settings_answer(r->db, r->ids[0], out, err);
}

static int is_color(const char *s)
{
	return strlen(s) == 7 && s[0] == '#' && strspn(s + 1, "0123456789abcdefABCDEF") == 6;
}

/* One entry of a PUT body into up to two settings (kv, strings owned). */
static enum xnr_status parse_class(const struct class_set *c, const json_t *e,
                                   struct xnr_setting *kv, size_t *n, struct xnr_error *err)
{
	const json_t *name = json_object_get(e, "name"), *color = json_object_get(e, "color");
	const json_t *icon = json_object_get(e, "icon");
	char buf[96];
	size_t i;

	if (!json_is_object(e) || !json_is_string(name) ||
	    json_object_size(e) != 1u + (color != NULL) + (icon != NULL))
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "classes: each wants {\"name\", \"color\", \"icon\"} and nothing else");
	if (class_index(c, json_string_value(name)) < 0)
		return xnr_fail(err, XNR_ERR_INPUT, "class %s: not an entity type of this run",
		                json_string_value(name));
	if (color && (!json_is_string(color) || !is_color(json_string_value(color))))
		return xnr_fail(err, XNR_ERR_INPUT, "class %s: colour wants #rrggbb",
		                json_string_value(name));
	if (icon && (!json_is_string(icon) || json_string_length(icon) > ICON_MAX_BYTES ||
	             strlen(json_string_value(icon)) != json_string_length(icon)))
		return xnr_fail(err, XNR_ERR_INPUT, "class %s: icon wants at most %d bytes of text",
		                json_string_value(name), ICON_MAX_BYTES);
	for (i = 0; i < 2; i++) {
		const json_t *v = i == 0 ? color : icon;
		if (!v)
			continue;
		snprintf(buf, sizeof buf, "%s.%s", i == 0 ? "color" : "icon",
		         json_string_value(name));
		kv[*n].key = strdup(buf);
		kv[*n].value = strdup(json_string_value(v));
		if (i == 0 && kv[*n].value)
			for (char *p = kv[*n].value; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
		if (!kv[(*n)++].key || !kv[*n - 1].value)
			return xnr_fail(err, XNR_ERR_NOMEM, "settings: out of memory");
	}
	return XNR_OK;
}

static enum xnr_status api_settings_put(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	const json_t *list = json_object_get(r->body, "classes");
	struct class_set *c = malloc(sizeof *c);
	struct xnr_setting *kv = NULL;
	struct xnr_store *store = NULL;
	size_t n = 0, i;
	enum xnr_status st;

	if (!c)
		return xnr_fail(err, XNR_ERR_NOMEM, "settings: out of memory");
	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__run_check(r->db, r->ids[0], err)) != XNR_OK ||
	    (st = load_classes(r->db, r->ids[0], c, err)) != XNR_OK)
		goto done;
	if (!json_is_object(r->body) || json_object_size(r->body) != 1 || !json_is_array(list) ||
	    json_array_size(list) > MAX_CLASSES) {
		st = xnr_fail(err, XNR_ERR_INPUT,
		              "request body: wants {\"classes\": [{\"name\": \"PER\", \"color\": "
		              "\"#e41a1c\", \"icon\": \"...\"}, ...]}");
		goto done;
	}
	if (!(kv = calloc(2 * json_array_size(list) + 1, sizeof *kv))) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "settings: out of memory");
		goto done;
	}
	for (i = 0; st == XNR_OK && i < json_array_size(list); i++)
		st = parse_class(c, json_array_get(list, i), kv, &n, err);
	/* r->db is read-only: settings go through a connection of their own. */
	if (st == XNR_OK && (st = xnr_store_open(r->app->db_path, 0, &store, err)) == XNR_OK &&
	    (st = xnr_settings_save(store, r->ids[0], kv, n, err)) == XNR_OK)
		st = settings_answer(xnr_store_db(store), r->ids[0], out, err);
done:
	xnr_store_close(store);
	xnr_settings_free(kv, n);
	free(c);
	return st;
}

/* ---- debug ------------------------------------------------------------ */

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
	                 MHD_get_version(), "threads", "cpus", n_cpus(), "job_threads", 2,
	                 "run_threads", n_cpus(), "database", r->app->db_path);
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

/* What tokenizer.json says about itself: model, normalizer, pre-tokenizer,
 * post-processor and decoder types, vocabulary and added tokens. */
static json_t *tokenizer_summary(const char *model_dir)
{
	char path[4096];
	json_t *tok = NULL, *out, *model, *vocab;
	struct xnr_error err;

	if (!model_dir || xnr_path_join(path, sizeof path, model_dir, "tokenizer.json", NULL) ||
	    !xnr_file_exists(path))
		return json_null();
	if (xnr_json_load(path, TOKENIZER_MAX, &tok, &err) != XNR_OK)
		return json_pack("{ss}", "error", err.msg);
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

static const char run_debug_sql[] =
    "SELECT id, created_at, explainer_version, model_path, model_hash, model_arch, data_path,"
    " data_hash, split, scheme, n_sentences, n_words, n_tokens, hidden_size, duration_s,"
    " options FROM runs WHERE id = ?1";

/* The run's model config.json, if its folder is still there. */
static json_t *model_config(const char *model_dir)
{
	char path[4096];
	json_t *cfg = NULL;
	struct xnr_error err;

	if (!model_dir || xnr_path_join(path, sizeof path, model_dir, "config.json", NULL) ||
	    !xnr_file_exists(path))
		return json_null();
	if (xnr_json_load(path, CONFIG_MAX, &cfg, &err) != XNR_OK)
		return json_pack("{ss}", "error", err.msg);
	return cfg;
}

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
    {"POST", "/api/v1/runs", api_run_start, NULL},
    {"GET", "/api/v1/setup", api_setup, NULL},
    {"GET", "/api/v1/runs/{id}/settings", api_settings, NULL},
    {"PUT", "/api/v1/runs/{id}/settings", api_settings_put, NULL},
    {"GET", "/api/v1/debug", api_debug, NULL},
    {"GET", "/api/v1/runs/{id}/debug", api_run_debug, NULL},
};

const struct xnr__route *xnr__routes_setup(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
