/*
 * internal.h - what the files of the server module share: the raw request
 * checks and query-string parser (router.c), the route table type, the
 * status -> HTTP mapping (errors.c) and the API resource handlers
 * (api_<resource>.c). Not part of the public API.
 */
#ifndef XNR_SERVER_INTERNAL_H
#define XNR_SERVER_INTERNAL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctl.h"
#include "core/status.h"

#define XNR__PATH_MAX        1024  /* bytes of a request path */
#define XNR__QUERY_MAX_BYTES 2048  /* bytes of a query string */
#define XNR__QUERY_MAX       16    /* parameters in a query string */
#define XNR__PATH_IDS        4     /* {id} segments in a route */
#define XNR__BODY_MAX        65536 /* bytes of a request body */

struct xnr__query_param {
	const char *name, *value; /* decoded, NUL-terminated, inside xnr__query.buf */
};

/* A parsed query string. Names are [a-z0-9_]+, unique; values have no NUL. */
struct xnr__query {
	int n;
	struct xnr__query_param p[XNR__QUERY_MAX];
	char buf[XNR__QUERY_MAX_BYTES + 2];
};

struct xnr__jobs;   /* background jobs (jobs.c) */
struct xnr__cache;  /* results kept per run and parameters (cache.c) */
struct xnr__models; /* models loaded for probing and activations (models.c) */

/* What every request of one server shares. Set up by xnr_server_open; the
 * subsystems are thread safe. */
struct xnr__app {
	const char *db_path;    /* the run database */
	const char *version;    /* ExplaiNER's version */
	const char *assets_dir; /* serve web assets from this folder (NULL: packed in) */
	const char *model_dir;  /* serve --model: the default model of the Setup page, or NULL */
	const char *data_path;  /* serve --data: the default dataset, or NULL */
	struct xnr__jobs *jobs;
	struct xnr__cache *cache;
	struct xnr__models *models;
};

/* One API request as the handlers see it. */
struct xnr__req {
	sqlite3 *db; /* read-only, this request's own */
	struct xnr__app *app;
	const char *method; /* "GET", "HEAD", "POST", "PUT", "DELETE" */
	const char *path;   /* the checked path */
	int64_t ids[XNR__PATH_IDS];
	int n_ids;
	struct xnr__query query;
	json_t *body; /* the parsed JSON request body (POST/PUT), or NULL */
	int http;     /* a JSON handler may set 201/202; 0 means 200 */
	void *conn;   /* the libmicrohttpd connection, for xnr__req_header */
	const char *version;
};

/* A response that is not JSON (web assets, CSV downloads). */
struct xnr__resp {
	int http;   /* 0 means 200; 304 sends no body */
	char *data; /* the body; free()d after sending unless borrowed */
	size_t len;
	int borrowed;              /* data is static (packed assets) */
	const char *content_type;  /* required */
	const char *encoding;      /* "gzip" or NULL */
	const char *cache_control; /* NULL: "no-store" */
	char etag[72];             /* "" for none; quoted as sent */
	char disposition[256];     /* "" or "attachment; filename=\"x.csv\"" */
};

/* A JSON handler fills *out (owned by the caller) or fails with err. */
typedef enum xnr_status (*xnr__handler_fn)(struct xnr__req *r, json_t **out, struct xnr_error *err);
/* A raw handler fills *out (zeroed by the caller) or fails with err. */
typedef enum xnr_status (*xnr__raw_fn)(struct xnr__req *r, struct xnr__resp *out,
                                       struct xnr_error *err);

struct xnr__route {
	const char *method;  /* "GET", "POST", "PUT", "DELETE" (GET also answers HEAD) */
	const char *pattern; /* "/api/v1/runs/{id}/sentences": {id} is a whole number;
	                        a pattern ending in "/{*}" matches any rest of the path */
	xnr__handler_fn fn;  /* exactly one of fn and raw */
	xnr__raw_fn raw;
};

/* The value of a request header, or NULL. */
const char *xnr__req_header(const struct xnr__req *r, const char *name);

/* Split a raw request target ("/a/b?x=1", still percent-encoded) into its
 * path and query string, and check the path: it starts with '/', has only
 * [A-Za-z0-9/._-], no "..", at most XNR__PATH_MAX bytes. A trailing '/' is
 * dropped (except for "/"). path gets the checked path (size XNR__PATH_MAX+1),
 * *query points into target (NULL when there is none).
 * Errors: XNR_ERR_INPUT (bad path), XNR_ERR_LIMIT (too long). */
enum xnr_status xnr__target_split(const char *target, char *path, const char **query,
                                  struct xnr_error *err);

/* Parse len bytes of a query string ("a=1&b=x%20y") into q: '+' and %XX are
 * decoded; every parameter needs a value; names must be [a-z0-9_], at most 32
 * bytes, unique. Errors: XNR_ERR_INPUT (malformed), XNR_ERR_LIMIT (too many
 * or too long). q is reset first. */
enum xnr_status xnr__query_parse(const char *qs, size_t len, struct xnr__query *q,
                                 struct xnr_error *err);

/* XNR_ERR_INPUT naming the first parameter of q not in names (NULL-ended). */
enum xnr_status xnr__query_allow(const struct xnr__query *q, const char *const *names,
                                 struct xnr_error *err);

/* The value of name, or NULL. */
const char *xnr__query_get(const struct xnr__query *q, const char *name);

/* Typed parameters: *out = def when absent; otherwise the whole value must be
 * a decimal number in [min, max] (integers: digits only; reals: finite,
 * no hex, inf or nan), or one of choices (NULL-ended, *out = its index).
 * Errors: XNR_ERR_INPUT naming the parameter and what it wants. */
enum xnr_status xnr__query_int(const struct xnr__query *q, const char *name, int64_t min,
                               int64_t max, int64_t def, int64_t *out, struct xnr_error *err);
enum xnr_status xnr__query_real(const struct xnr__query *q, const char *name, double min,
                                double max, double def, double *out, struct xnr_error *err);
enum xnr_status xnr__query_choice(const struct xnr__query *q, const char *name,
                                  const char *const *choices, int def, int *out,
                                  struct xnr_error *err);

/* Find the route for method and a checked path; fill ids with its {id}
 * segments (digits only, no leading zero, at most 18 digits).
 * Errors: XNR_ERR_IO (no route has this path: 404), XNR_ERR_UNSUPPORTED (a
 * route has the path but not the method: 405). */
enum xnr_status xnr__route_find(const struct xnr__route *routes, size_t n_routes,
                                const char *method, const char *path, const struct xnr__route **out,
                                int64_t *ids, int *n_ids, struct xnr_error *err);

/* The methods the routes take for path ("GET, HEAD, POST"), "" if none. */
void xnr__route_methods(const struct xnr__route *routes, size_t n_routes, const char *path,
                        char *buf, size_t size);

/* The HTTP code and stable code name ("not_found") of a status. */
int xnr__http_status(enum xnr_status status);
const char *xnr__http_code(enum xnr_status status);

/* {"error": {"status": 404, "code": "not_found", "message": "..."}}; never
 * NULL unless out of memory. */
json_t *xnr__error_json(enum xnr_status status, const char *message);

/* The route table of the server (also listed by GET /api/v1): the groups
 * below, merged once by routes.c. NULL (and *n 0) when out of memory. */
const struct xnr__route *xnr__routes(size_t *n);

/* Route groups, one per resource file; each returns its static table. */
const struct xnr__route *xnr__routes_runs(size_t *n);    /* api_runs.c, api_sentences.c */
const struct xnr__route *xnr__routes_assets(size_t *n);  /* assets.c: the web app */
const struct xnr__route *xnr__routes_jobs(size_t *n);    /* jobs.c */
const struct xnr__route *xnr__routes_setup(size_t *n);   /* api_setup.c: runs, settings, debug */
const struct xnr__route *xnr__routes_metrics(size_t *n); /* api_metrics.c */
const struct xnr__route *xnr__routes_samples(size_t *n); /* api_samples.c */
const struct xnr__route *xnr__routes_model(size_t *n);   /* api_model.c */

/* Background jobs (jobs.c). A job's work runs on a job thread: it fills
 * *result (a JSON value the job then owns) or fails with err; it should call
 * xnr_ctl_progress now and then and stop with XNR_ERR_CANCELLED when
 * xnr_ctl_cancelled(ctl). */
typedef enum xnr_status (*xnr__job_fn)(void *arg, const struct xnr_ctl *ctl, json_t **result,
                                       struct xnr_error *err);

/* Start a job of kind ("run", "projection", ...) or find the same work: when
 * a queued, running or finished (not failed, not cancelled) job has the same
 * key, *id is that job and no new work starts (finished results are the
 * cache per run and parameters, kept up to a memory cap, oldest dropped
 * first). arg belongs to the job from this call on, even on error:
 * free_arg(arg) is called exactly once (free_arg may be NULL). Thread safe.
 * A NULL key means "never shared, never cached" (runs: the pipeline itself
 * finds an identical stored run).
 * Errors: XNR_ERR_LIMIT (too many jobs waiting), XNR_ERR_NOMEM. */
enum xnr_status xnr__job_start(struct xnr__app *app, const char *kind, const char *key,
                               xnr__job_fn fn, void *arg, void (*free_arg)(void *), int64_t *id,
                               struct xnr_error *err);

/* A job as JSON: {"id", "kind", "state" ("queued", "running", "done",
 * "failed", "cancelled"), "progress" (0..1), "stage", "error" (a message or
 * null), "result" (when done, else null), "elapsed_s"}. Thread safe.
 * Errors: XNR_ERR_IO (no such job). */
enum xnr_status xnr__job_json(struct xnr__app *app, int64_t id, json_t **out,
                              struct xnr_error *err);

/* Subsystems of struct xnr__app: open at server start (NULL is a valid
 * "nothing yet" state for each), closed at the end. */
enum xnr_status xnr__jobs_open(struct xnr__app *app, struct xnr_error *err);
void xnr__jobs_close(struct xnr__app *app);
/* Start the run of serve --model --data as a job, if both were given and the
 * database has no run for them yet (api_setup.c). */
void xnr__setup_autorun(struct xnr__app *app);
enum xnr_status xnr__models_open(struct xnr__app *app, struct xnr_error *err);
void xnr__models_close(struct xnr__app *app);

/* A SQLite failure as XNR_ERR_INTERNAL with the database's message. */
enum xnr_status xnr__sql_fail(sqlite3 *db, const char *where, struct xnr_error *err);

/* API resources (api_runs.c, api_sentences.c). */
enum xnr_status xnr__api_index(struct xnr__req *r, json_t **out, struct xnr_error *err);
enum xnr_status xnr__api_runs(struct xnr__req *r, json_t **out, struct xnr_error *err);
enum xnr_status xnr__api_run(struct xnr__req *r, json_t **out, struct xnr_error *err);
enum xnr_status xnr__api_sentences(struct xnr__req *r, json_t **out, struct xnr_error *err);
enum xnr_status xnr__api_sentence(struct xnr__req *r, json_t **out, struct xnr_error *err);

/* Column i of the current row as JSON: numbers, text (null if not UTF-8),
 * NULL as null; never NULL unless out of memory (api_runs.c). */
json_t *xnr__col_json(sqlite3_stmt *stmt, int i);

/* The current row as an object keyed by column names (api_runs.c). */
json_t *xnr__row_json(sqlite3_stmt *stmt);

/* 404 unless run id exists (api_runs.c). */
enum xnr_status xnr__run_check(sqlite3 *db, int64_t run, struct xnr_error *err);

#endif
