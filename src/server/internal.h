/*
 * internal.h - what the files of the server module share: the raw request
 * checks and query-string parser (router.c), the route table type, the
 * status -> HTTP mapping (errors.c), the API resource handlers
 * (api_<resource>.c) and what several of them share: JSON body readers
 * (body.c), stored rows as JSON and the run lookup (rows_json.c), the model
 * cache (models.c). The database is read through the store (store/read.h).
 * Not part of the public API.
 */
#ifndef XNR_SERVER_INTERNAL_H
#define XNR_SERVER_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/ctl.h"
#include "core/status.h"
#include "server/server.h"
#include "store/read.h"

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

#define XNR__TOKEN_MAX  256 /* bytes of an access token (--token-file) */
#define XNR__CLIENT_MAX 48  /* bytes of a client's address as text, with its NUL */
#define XNR__ROOTS_MAX  16  /* folders a request's paths may lie in (--root) */

#define XNR__JOB_THREADS  2 /* threads that run the jobs of a server */
#define XNR__BOOT_THREADS 2 /* threads of one request's bootstrap (compare, buckets) */

struct xnr__jobs;     /* background jobs (jobs.c) */
struct xnr__cache;    /* results kept per run (cache.c) */
struct xnr__models;   /* models loaded for probing and activations (models.c) */
struct xnr__watchdog; /* connections too slow to send a request (watchdog.c) */

/* What every request of one server shares, and nothing another server in
 * the process sees. Set up by xnr_server_open, freed by xnr_server_close;
 * the subsystems are thread safe. */
struct xnr__app {
	const char *db_path;    /* the run database */
	const char *version;    /* ExplaiNER's version */
	const char *assets_dir; /* serve web assets from this folder (NULL: packed in) */
	const char *model_dir;  /* serve --model: the default model of the Setup page, or NULL */
	const char *data_path;  /* serve --data: the default dataset, or NULL */
	int remote;             /* bound to a non-loopback address: requests may come from the
	                           network, so none may name a path on this machine */
	/* What the request guard (guard.c) lets in: a Host header naming this
	 * server, the token, and for changes the server's own origin. */
	int port;                         /* the port bound */
	char host[64];                    /* the --host address when it is one interface
	                                     (not loopback, not 0.0.0.0): a Host name too */
	int any_host;                     /* bound to 0.0.0.0: every Host name is taken */
	char token[XNR__TOKEN_MAX + 1];   /* "" with --no-token */
	char cookie[32];                  /* the token's cookie: "xnr_token_<port>" */
	char roots[XNR__ROOTS_MAX][4096]; /* real paths a request's paths may lie in */
	int n_roots;
	struct xnr__jobs *jobs;
	struct xnr__cache *cache;
	struct xnr__models *models;
	/* One run writes the database at a time (the pipeline holds its write
	 * transaction for the whole run): runs wait for this lock rather than
	 * fail on SQLite's busy timeout (api_run_start.c). */
	pthread_mutex_t run_lock;
};

/* Set up app for a server of p (its host an IPv4 address or "localhost")
 * answering on port, with n_job_threads job threads (XNR__JOB_THREADS; 0:
 * see xnr__jobs_open): what p names, who may talk to it (guard.c, paths.c),
 * its cache, models and jobs. Strings of p are borrowed. No socket is
 * involved: http.c binds one first, as the token's cookie is named after
 * the port. Errors: XNR_ERR_INPUT (host, a root, the token file or a
 * combination refused), XNR_ERR_NOT_FOUND and XNR_ERR_IO (token file),
 * XNR_ERR_LIMIT (roots), XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr__app_open(struct xnr__app *app,
                                             const struct xnr_server_params *p, int port,
                                             int n_job_threads, struct xnr_error *err);
/* Close what xnr__app_open opened: the jobs first (their threads use the
 * rest). */
void xnr__app_close(struct xnr__app *app);

/* One API request as the handlers see it. */
struct xnr__req {
	struct xnr_store *store; /* read-only, this request's own */
	struct xnr__app *app;
	const char *method; /* "GET", "HEAD", "POST", "PUT", "DELETE" */
	const char *path;   /* the checked path */
	int64_t ids[XNR__PATH_IDS];
	int n_ids;
	struct xnr__query query;
	json_t *body;                  /* the parsed JSON request body (POST/PUT), or NULL */
	int http;                      /* a JSON handler may set 201/202; 0 means 200 */
	const struct xnr__http_in *in; /* the request as it came (xnr__req_header) */
	const char *version;
	char client[XNR__CLIENT_MAX]; /* the client's IP address, "" when unknown */
};

/* One HTTP request as the server takes it (request.c), whatever carried
 * it: libmicrohttpd (http.c), or the HTTP fuzz target, which makes its own.
 * Everything is borrowed for the call. */
struct xnr__http_in {
	const char *method; /* as sent: "GET", "POST", ... */
	const char *target; /* raw, still percent-encoded; NULL when it was too long */
	/* The value of a header (its name matched without case) or of a cookie,
	 * or NULL; ctx is theirs. */
	const char *(*header)(void *ctx, const char *name);
	const char *(*cookie)(void *ctx, const char *name);
	void *ctx;
	const char *client; /* the client's address as text, "" when unknown */
	const char *body;   /* the body (body_bytes, at most XNR__BODY_MAX), or NULL */
	size_t body_bytes;
};

/* An answer: what a raw handler fills (web assets, CSV downloads), and what
 * request.c makes of every request. */
struct xnr__resp {
	int http;   /* a raw handler: 0 means 200; request.c's answer: the status,
	               0 when none could be made (out of memory: drop the connection);
	               304 sends no body */
	char *data; /* the body; free()d after sending unless borrowed */
	size_t len;
	int borrowed;              /* data is static (packed assets) */
	const char *content_type;  /* required with a body */
	const char *encoding;      /* "gzip" or NULL */
	const char *cache_control; /* NULL: "no-store" */
	char etag[72];             /* "" for none; quoted as sent */
	char disposition[256];     /* "" or "attachment; filename=\"x.csv\"" */
	/* Set by request.c: */
	enum xnr_status status;   /* the failure an error answer reports; XNR_OK otherwise */
	int vary;                 /* "Vary: Accept-Encoding" (a raw handler's answer) */
	char allow[64];           /* "Allow" of a 405, or "" */
	const char *authenticate; /* "WWW-Authenticate" of a 401, or NULL */
	char location[XNR__PATH_MAX + XNR__QUERY_MAX_BYTES + 4]; /* "Location" of a 303 */
	char cookie[XNR__TOKEN_MAX + 96];                        /* "Set-Cookie" of a 303 */
};

/* A JSON handler fills *out (owned by the caller) or fails with err. */
typedef enum xnr_status (*xnr__handler_fn)(struct xnr__req *r, json_t **out, struct xnr_error *err);
/* A raw handler fills *out (zeroed by the caller) or fails with err. */
typedef enum xnr_status (*xnr__raw_fn)(struct xnr__req *r, struct xnr__resp *out,
                                       struct xnr_error *err);

/* What a route needs: a read-only store of its own in r->store, or not
 * (web assets, jobs, the index): only the routes that read the database
 * open it. */
enum xnr__needs { XNR__NO_DB, XNR__DB };

struct xnr__route {
	const char *method;  /* "GET", "POST", "PUT", "DELETE" (GET also answers HEAD) */
	const char *pattern; /* "/api/v1/runs/{id}/sentences": {id} is a whole number;
	                        a pattern ending in "/{*}" matches any rest of the path */
	xnr__handler_fn fn;  /* exactly one of fn and raw */
	xnr__raw_fn raw;
	enum xnr__needs needs;
};

/* The routes of one resource file, declared there next to its handlers
 * with XNR__ROUTE_GROUP(name, table) and listed by routes.c. */
struct xnr__route_group {
	const struct xnr__route *routes;
	size_t n;
};
#define XNR__ROUTE_GROUP(name, table)                                                              \
	const struct xnr__route_group xnr__routes_##name = {(table),                               \
	                                                    sizeof(table) / sizeof((table)[0])}

/* The value of a request header (r->in's), or of a cookie, or NULL. */
const char *xnr__req_header(const struct xnr__req *r, const char *name);
const char *xnr__req_cookie(const struct xnr__req *r, const char *name);

/* ---- a request from its head to its answer (request.c) -----------------
 * Both calls zero *out first; the caller owns the answer (xnr__resp_free,
 * or hand out->data on unless borrowed). Thread safe. */

/* A request whose head (method, target, headers) has arrived, before its
 * body is read: 0 to read the body and answer with xnr__request_answer, or
 * 1 with *out the answer: a refusal of the guard (Host, token, origin,
 * content type), the redirect that sets the token's cookie, a 404 or 405,
 * a body declared larger than XNR__BODY_MAX. */
int xnr__request_admit(struct xnr__app *app, const struct xnr__http_in *in, struct xnr__resp *out);

/* The answer to an admitted request whose body has arrived: the route's
 * handler, its query and JSON body parsed, with a read-only store of its
 * own when the route reads the database; a failure as the JSON error body. */
void xnr__request_answer(struct xnr__app *app, const struct xnr__http_in *in,
                         struct xnr__resp *out);

/* *out = the JSON error answer of st with message (what the transport
 * finds: a body past the cap). */
void xnr__resp_error(struct xnr__resp *out, enum xnr_status st, const char *message);

/* Free out's body unless borrowed. */
void xnr__resp_free(struct xnr__resp *out);

/* ---- the request guard (guard.c) ---------------------------------------
 * What every request passes before a handler sees it, in this order: its
 * Host header names this server (DNS rebinding), it carries the server's
 * token (cookie, "Authorization: Bearer", or ?token= on a GET, answered
 * with the cookie and a redirect), the route exists, and a request that may
 * change something (POST, PUT, DELETE) comes from the server's own origin
 * with a body declared JSON (no cross-site form or "simple" fetch). */
enum xnr__verdict {
	XNR__PASS,
	XNR__REDIRECT,      /* a right ?token=: set the cookie, go to the URL without it */
	XNR__REFUSE_HOST,   /* 421 misdirected_request: Host is not a name of this server */
	XNR__REFUSE_TOKEN,  /* 401 unauthorized: no token, or a wrong one */
	XNR__REFUSE_ORIGIN, /* 403 forbidden: a change from another origin or site */
	XNR__REFUSE_MEDIA,  /* 415 unsupported_media_type: a body not declared JSON */
};

/* Set app's token (app->port set): a new one of 32 random bytes as hex
 * (token_file NULL), the first line of token_file, or none (no_token).
 * A token file must be a regular file only its owner may read or write
 * (mode 600 or stricter) and hold 32 to XNR__TOKEN_MAX characters of
 * [A-Za-z0-9._~-]. A server reachable from the network (app->remote) needs
 * a token file. Errors: XNR_ERR_INPUT (a refused combination or token
 * file), XNR_ERR_NOT_FOUND, XNR_ERR_IO (token file), XNR_ERR_INTERNAL (no
 * randomness). */
XNR_MUST_CHECK enum xnr_status xnr__token_init(struct xnr__app *app, const char *token_file,
                                               int no_token, struct xnr_error *err);

/* The Host header of r (app, method, conn set). A refusal writes its
 * message into why (why_size bytes), here and below. Thread safe. */
enum xnr__verdict xnr__guard_host(const struct xnr__req *r, char *why, size_t why_size);

/* The token of r, from ?token= of a GET (query is the raw query string or
 * NULL), the bearer header or the cookie. XNR__REDIRECT: location (size
 * bytes) gets the checked path with the query minus its token. */
enum xnr__verdict xnr__guard_token(const struct xnr__req *r, const char *path, const char *query,
                                   char *location, size_t size, char *why, size_t why_size);

/* A request whose method may change something (not GET or HEAD): refused
 * when Sec-Fetch-Site says another site, when an Origin header is not
 * http://<Host>, or when it is a POST or PUT, or has a body (has_body), and
 * its Content-Type is not application/json. */
enum xnr__verdict xnr__guard_change(const struct xnr__req *r, int has_body, char *why,
                                    size_t why_size);

/* The guard's parts, each a pure function (unit tests): Host value host
 * ("127.0.0.1:8765") names app; a Content-Type is application/json (any
 * parameters); given (len bytes) is token, compared in constant time. */
int xnr__host_ok(const struct xnr__app *app, const char *host);
int xnr__json_type(const char *content_type);
int xnr__token_equal(const char *given, size_t len, const char *token);

/* The page a browser gets for a request without the token (401): how to
 * open the server with it. A new string (free()), NULL when out of memory. */
char *xnr__token_page(const struct xnr__app *app);

/* ---- connections too slow to send a request (watchdog.c) ---------------
 * A connection that waits for a request (from its accept or its last
 * answer) longer than deadline_s before the whole request, body included,
 * has arrived is shut down; a thread checks ten times a second. The calls
 * are thread safe; libmicrohttpd's connection callbacks (http.c) make them. */

/* Start the watchdog. Errors: XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr__watchdog_open(double deadline_s, struct xnr__watchdog **out,
                                                  struct xnr_error *err);
/* Stop the thread and free; after the connections are gone. NULL is fine. */
void xnr__watchdog_close(struct xnr__watchdog *w);
/* Watch socket fd of a new connection, waiting from now: the handle to pass
 * below, NULL when out of memory (the connection is then not watched). */
void *xnr__watchdog_add(struct xnr__watchdog *w, int fd);
/* The connection closes: forget it before its socket is closed. */
void xnr__watchdog_remove(struct xnr__watchdog *w, void *conn);
/* The connection's request has arrived (waiting 0), or its answer is sent
 * and it waits for the next request from now (waiting 1). */
void xnr__watchdog_wait(struct xnr__watchdog *w, void *conn, int waiting);

/* ---- paths a request names (paths.c) -----------------------------------
 * A model folder, a dataset or an encoder a page names is a path on the
 * server's machine, so a request could name anything the server may read.
 * Only regular files and folders are taken, never /proc, /sys or /dev, and
 * only inside the server's roots (--root, or the folders serve was given
 * and the working folder); a folder's entries must be so too, since a job
 * reads them. Whatever is missing, outside or refused gets the same
 * message, so an answer does not tell whether a path exists. */
enum xnr__path_kind { XNR__PATH_ANY, XNR__PATH_DIR };

/* Set app's roots from roots (n of them, each must be a folder), or the
 * defaults when n is 0: the working folder, the database's folder, the
 * folder of --model (where the Setup page lists models) and --data's folder
 * (or --data itself when it is a folder). Errors: XNR_ERR_INPUT (a --root
 * that is not a folder), XNR_ERR_LIMIT (more than XNR__ROOTS_MAX). */
XNR_MUST_CHECK enum xnr_status xnr__roots_init(struct xnr__app *app, const char *const *roots,
                                               int n, struct xnr_error *err);

/* XNR_ERR_DENIED when the server is reachable from the network: what names
 * a path on the server's machine ("POST /api/v1/runs", "an encoder") is
 * refused, whatever the path. */
XNR_MUST_CHECK enum xnr_status xnr__local_only(const struct xnr__app *app, const char *what,
                                               struct xnr_error *err);

/* XNR_OK when path (what: "model", "data", "body field encoder") may be read
 * by a job: refused when the server serves the network (XNR_ERR_DENIED), or
 * (XNR_ERR_INPUT) when it is not an existing regular file or folder (kind)
 * inside the roots, or a folder with an entry that is not. Thread safe. */
XNR_MUST_CHECK enum xnr_status xnr__path_check(const struct xnr__app *app, const char *what,
                                               const char *path, enum xnr__path_kind kind,
                                               struct xnr_error *err);

/* What a job's failure to read files a request named may say (st, returned):
 * where (err's path and line) and a fixed text for the kind of failure,
 * never the reader's message, which may quote the file ("\"S3cr3t-T0ken\"
 * is not a tag" of a ~/.netrc named as data). Failures not about the files
 * (cancelled, out of memory, the database) keep their message. */
XNR_MUST_CHECK enum xnr_status xnr__path_redact(enum xnr_status st, struct xnr_error *err);

/* path as answers show it: itself, or its last component when the server
 * serves the network (absolute paths of the server are not the network's
 * business). NULL stays NULL. */
const char *xnr__path_shown(const struct xnr__app *app, const char *path);

/* Split a raw request target ("/a/b?x=1", still percent-encoded) into its
 * path and query string, and check the path: it starts with '/', has only
 * [A-Za-z0-9/._-], no "..", at most XNR__PATH_MAX bytes. A trailing '/' is
 * dropped (except for "/"). path gets the checked path (size XNR__PATH_MAX+1),
 * *query points into target (NULL when there is none).
 * Errors: XNR_ERR_INPUT (bad path), XNR_ERR_LIMIT (too long). */
XNR_MUST_CHECK enum xnr_status xnr__target_split(const char *target, char *path, const char **query,
                                                 struct xnr_error *err);

/* Parse len bytes of a query string ("a=1&b=x%20y") into q: '+' and %XX are
 * decoded; every parameter needs a value; names must be [a-z0-9_], at most 32
 * bytes, unique. Errors: XNR_ERR_INPUT (malformed), XNR_ERR_LIMIT (too many
 * or too long). q is reset first. */
XNR_MUST_CHECK enum xnr_status xnr__query_parse(const char *qs, size_t len, struct xnr__query *q,
                                                struct xnr_error *err);

/* XNR_ERR_INPUT naming the first parameter of q not in names (NULL-ended). */
XNR_MUST_CHECK enum xnr_status xnr__query_allow(const struct xnr__query *q,
                                                const char *const *names, struct xnr_error *err);

/* The value of name, or NULL. */
const char *xnr__query_get(const struct xnr__query *q, const char *name);

/* Typed parameters: *out = def when absent; otherwise the whole value must be
 * a decimal number in [min, max] (integers: digits only; reals: finite,
 * no hex, inf or nan), or one of choices (NULL-ended, *out = its index).
 * Errors: XNR_ERR_INPUT naming the parameter and what it wants. */
XNR_MUST_CHECK enum xnr_status xnr__query_int(const struct xnr__query *q, const char *name,
                                              int64_t min, int64_t max, int64_t def, int64_t *out,
                                              struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr__query_real(const struct xnr__query *q, const char *name,
                                               double min, double max, double def, double *out,
                                               struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr__query_choice(const struct xnr__query *q, const char *name,
                                                 const char *const *choices, int def, int *out,
                                                 struct xnr_error *err);

/* Find the route for method and a checked path; fill ids with its {id}
 * segments (digits only, no leading zero, at most 18 digits).
 * Errors: XNR_ERR_NOT_FOUND (no route has this path: 404), XNR_ERR_METHOD (a
 * route has the path but not the method: 405). */
XNR_MUST_CHECK enum xnr_status xnr__route_find(const struct xnr__route *routes, size_t n_routes,
                                               const char *method, const char *path,
                                               const struct xnr__route **out, int64_t *ids,
                                               int *n_ids, struct xnr_error *err);

/* The methods the routes take for path ("GET, HEAD, POST"), "" if none. */
void xnr__route_methods(const struct xnr__route *routes, size_t n_routes, const char *path,
                        char *buf, size_t size);

/* The HTTP code and stable code name ("not_found") of a status. */
int xnr__http_status(enum xnr_status status);
const char *xnr__http_code(enum xnr_status status);

/* The same for a refusal of the guard (not XNR__PASS or XNR__REDIRECT). */
int xnr__verdict_http(enum xnr__verdict v);
const char *xnr__verdict_code(enum xnr__verdict v);

/* {"error": {"status": 404, "code": "not_found", "message": "..."}}; never
 * NULL unless out of memory. */
json_t *xnr__error_json(enum xnr_status status, const char *message);
/* The same body for an HTTP status and code of the caller's. */
json_t *xnr__error_body(int http, const char *code, const char *message);

/* The route table of the server (also listed by GET /api/v1): the groups
 * below, merged once by routes.c. NULL (and *n 0) when out of memory. */
const struct xnr__route *xnr__routes(size_t *n);

/* The route groups, in the order routes.c lists them (GET /api/v1 shows
 * them so). */
extern const struct xnr__route_group xnr__routes_runs;             /* api_runs.c */
extern const struct xnr__route_group xnr__routes_sentences;        /* api_sentences.c: GET */
extern const struct xnr__route_group xnr__routes_sentence;         /* api_sentence.c */
extern const struct xnr__route_group xnr__routes_metrics;          /* api_metrics.c */
extern const struct xnr__route_group xnr__routes_sentences_by_ids; /* api_sentences.c: POST */
extern const struct xnr__route_group xnr__routes_samples;          /* api_samples.c */
extern const struct xnr__route_group xnr__routes_model;            /* api_model.c */
extern const struct xnr__route_group xnr__routes_probe;            /* api_probe.c */
extern const struct xnr__route_group xnr__routes_activations;      /* api_activations.c */
extern const struct xnr__route_group xnr__routes_projection;       /* api_projection.c */
extern const struct xnr__route_group xnr__routes_duplicates;       /* api_duplicates.c */
extern const struct xnr__route_group xnr__routes_run_start;        /* api_run_start.c */
extern const struct xnr__route_group xnr__routes_setup;            /* api_setup.c */
extern const struct xnr__route_group xnr__routes_settings;         /* api_settings.c */
extern const struct xnr__route_group xnr__routes_debug;            /* api_debug.c */
extern const struct xnr__route_group xnr__routes_jobs;             /* jobs.c */
extern const struct xnr__route_group xnr__routes_issues;           /* api_issues.c */
extern const struct xnr__route_group xnr__routes_compare;          /* api_compare.c */
extern const struct xnr__route_group xnr__routes_buckets;          /* api_buckets.c */
extern const struct xnr__route_group xnr__routes_verdicts;         /* api_verdicts.c */
extern const struct xnr__route_group xnr__routes_pins;             /* api_pins.c */
extern const struct xnr__route_group xnr__routes_sentences_export; /* api_sentences.c: .csv */
extern const struct xnr__route_group xnr__routes_metrics_export;   /* api_metrics.c: .csv */
extern const struct xnr__route_group xnr__routes_assets;           /* assets.c: the web app */

/* The server's one way to say something on stderr ("explainer serve: ...",
 * one line): what no request or job answer can carry. Thread safe. */
void xnr__log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Background jobs (jobs.c). A job's work runs on a job thread: it fills
 * *result (a JSON value the job then owns) or fails with err; it should call
 * xnr_ctl_progress now and then and stop with XNR_ERR_CANCELLED when
 * xnr_ctl_cancelled(ctl). */
typedef enum xnr_status (*xnr__job_fn)(void *arg, const struct xnr_ctl *ctl, json_t **result,
                                       struct xnr_error *err);

/* Start a job of kind ("run", "projection", ...) for client (its address;
 * NULL: the server itself) or find the same work: when a queued, running
 * or finished (not failed, not cancelled) job has the same key, *id is that
 * job and no new work starts (finished jobs are kept up to a memory cap,
 * oldest dropped first). A job about one run (run >= 0) also keeps its
 * result in the run's cache under its key, where a later start finds it
 * after the job itself was dropped: a job finished at once. arg belongs to
 * the job from this call on, even on error: free_arg(arg) is called exactly
 * once (free_arg may be NULL). Thread safe. A NULL key means "never shared,
 * never cached" (runs: the pipeline itself finds an identical stored run).
 * Errors: XNR_ERR_LIMIT (too many jobs waiting, or the client has too many
 * waiting or running), XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr__job_start(struct xnr__app *app, const char *client,
                                              const char *kind, const char *key, int64_t run,
                                              xnr__job_fn fn, void *arg, void (*free_arg)(void *),
                                              int64_t *id, struct xnr_error *err);

/* A job as JSON: {"id", "kind", "state" ("queued", "running", "done",
 * "failed", "cancelled"), "progress" (0..1), "stage", "error" (a message or
 * null), "result" (when done, else null), "elapsed_s"}. Thread safe.
 * Errors: XNR_ERR_NOT_FOUND (no such job). */
XNR_MUST_CHECK enum xnr_status xnr__job_json(struct xnr__app *app, int64_t id, json_t **out,
                                             struct xnr_error *err);

/* Subsystems of struct xnr__app: open at server start (NULL is a valid
 * "nothing yet" state for each), closed (freed) at the end. */
XNR_MUST_CHECK enum xnr_status xnr__cache_open(struct xnr__app *app, struct xnr_error *err);
void xnr__cache_close(struct xnr__app *app);

/* ---- results kept per run (cache.c) -------------------------------------
 * What the Metrics, Misclassified and Loss pages computed from a run and
 * what its finished jobs answered, by name ("metrics", a job's key), for
 * the last few runs used and up to a memory bound. Thread safe. */
struct xnr__cache_entry; /* one run's results */

/* The entry of run (made if missing), held by the caller until
 * xnr__cache_release; NULL when out of memory. */
struct xnr__cache_entry *xnr__cache_get(struct xnr__app *app, int64_t run);
void xnr__cache_release(struct xnr__app *app, struct xnr__cache_entry *e); /* NULL is fine */

/* The value named name in e, or NULL; valid while e is held, immutable. */
void *xnr__cache_find(struct xnr__app *app, struct xnr__cache_entry *e, const char *name);

/* Keep value (bytes of memory, released with free_fn) in e as name, and
 * answer the value kept: value, or the one another caller put first (then
 * value is released here). NULL when it is not kept (out of memory, or
 * larger than the cache): value still belongs to the caller. */
void *xnr__cache_put(struct xnr__app *app, struct xnr__cache_entry *e, const char *name,
                     void *value, size_t bytes, void (*free_fn)(void *));
/* Start n_threads job threads (at most XNR__JOB_THREADS); with 0, jobs
 * are queued and never run (the HTTP fuzz target answers requests without
 * doing their work). */
XNR_MUST_CHECK enum xnr_status xnr__jobs_open(struct xnr__app *app, int n_threads,
                                              struct xnr_error *err);
/* Take no more jobs and ask the running ones to stop; returns at once. */
void xnr__jobs_stop(struct xnr__app *app);
void xnr__jobs_close(struct xnr__app *app);
/* Start the run of serve --model --data as a job, if both were given and the
 * database has no run for them yet (api_run_start.c). */
void xnr__setup_autorun(struct xnr__app *app);
XNR_MUST_CHECK enum xnr_status xnr__models_open(struct xnr__app *app, struct xnr_error *err);
void xnr__models_close(struct xnr__app *app);

/* ---- stored rows as the API's JSON (rows_json.c) ----------------------
 * Each returns a new value, NULL only when out of memory; keys come in the
 * order docs/api.md lists them. Label ids become the run's label names
 * (null when the run has no such label). */

/* An object of n keys and values, in order; takes the values (a NULL one
 * means out of memory, and so does a NULL answer). */
json_t *xnr__object(size_t n, const char *const *keys, json_t **vals);
/* Text (len < 0: up to its NUL) as a string; null when NULL or not UTF-8. */
json_t *xnr__json_text(const char *s, int len);
/* 1 if s is UTF-8 that an answer can hold (jansson's test: no overlong
 * form, surrogate or code point past U+10FFFF). */
int xnr__is_text(const char *s);
/* A real; null when NaN (NULL in the database). */
json_t *xnr__json_real(double v);
/* The name of label id of run; null when it has none. */
json_t *xnr__json_label(const struct xnr_run *run, int64_t id);

#define XNR__TOP_N 3 /* labels shown per word: issue #10's "top 3 with probabilities" */
/* [{"label", "p"}] of the XNR__TOP_N largest of the n probabilities at p
 * (NaN left out; ties: the lower label id first), most likely first, label
 * names from names[n]; [] when p is NULL or all NaN (Inspect: a row stored
 * without its distribution; Probing: a model without labels). */
json_t *xnr__top_json(const float *p, int n, const char *const *names);

/* A run: its columns as GET /api/v1/runs lists them (full == 0), or every
 * column with options, scheme and summary parsed as JSON and its labels
 * (full == 1, GET /api/v1/runs/{id}); its paths as app shows them. */
json_t *xnr__run_json(const struct xnr__app *app, const struct xnr_run *run, int full);

/* The shapes of sentence, word and sub-token rows. */
enum xnr__shape {
	XNR__SHAPE_PAGE,     /* an item of a sentences page; its words (idx, text, gold, pred,
	                        prob_pred, loss) */
	XNR__SHAPE_SENTENCE, /* GET .../sentences/{sid}: every column but sentence_id */
	XNR__SHAPE_TABLE     /* GET .../words and .../tokens: every column */
};
json_t *xnr__sentence_json(const struct xnr_sentence_row *s, enum xnr__shape shape);
json_t *xnr__word_json(const struct xnr_run *run, const struct xnr_word_row *w,
                       enum xnr__shape shape);
json_t *xnr__token_json(const struct xnr_run *run, const struct xnr_token_row *t,
                        enum xnr__shape shape);

/* The run of the request's first {id} into *run (xnr_run_free it): a 404
 * when there is none. */
XNR_MUST_CHECK enum xnr_status xnr__req_run(struct xnr__req *r, struct xnr_run *run,
                                            struct xnr_error *err);

/* *out = the id of label name of run, -1 when name is NULL. Errors:
 * XNR_ERR_INPUT naming the query parameter param when run has no such
 * label. */
XNR_MUST_CHECK enum xnr_status xnr__label_param(const struct xnr_run *run, const char *param,
                                                const char *name, int *out, struct xnr_error *err);

/* ---- what put a sentence in a list (api_metrics.c) ----------------------
 * The words a list highlights when the store's matcher does not know why a
 * sentence is there: the entities of a cell of the entity error taxonomy. */

/* Words [start, end) of sentence sid. */
struct xnr__mark {
	int64_t sid;
	int start, end;
};

/* Sentences and the word spans that put each of them in a list. */
struct xnr__marks {
	struct xnr__mark *v; /* (n) by sentence, then start */
	size_t n;
	int64_t *ids; /* (n_ids) the sentences, ascending, each once */
	size_t n_ids;
};
void xnr__marks_free(struct xnr__marks *m); /* the fields; a zeroed struct is fine */

/* The marks of sentence sid: a pointer into m->v and their count *n. */
const struct xnr__mark *xnr__marks_of(const struct xnr__marks *m, int64_t sid, size_t *n);

/* Query parameter name as taxonomy kinds: "correct", "type", "boundary",
 * "type_boundary", "missed", "spurious", or "errors" (all but correct), into
 * the bit set *kinds (1 << enum xnr_err_kind); 0 when absent. Errors:
 * XNR_ERR_INPUT naming the parameter. */
XNR_MUST_CHECK enum xnr_status xnr__error_kinds_param(const struct xnr__query *q, const char *name,
                                                      unsigned *kinds, struct xnr_error *err);

/* The entities of the request's run whose taxonomy kind (default mode, as
 * the Metrics page counts them) is in kinds and whose type is type (NULL:
 * any), as marks: a pair of a gold entity and a prediction with both spans
 * (one when they are the same), a missed or spurious entity alone. The
 * run's metrics are computed and kept on first use. Errors: XNR_ERR_INPUT
 * (the run has no such type: the message names error_type), those of the
 * metrics. */
XNR_MUST_CHECK enum xnr_status xnr__error_marks(struct xnr__req *r, const char *type,
                                                unsigned kinds, struct xnr__marks *out,
                                                struct xnr_error *err);

/* ---- downloads of the lists (export.c) -----------------------------------
 * A list's rows, each the JSON object its page answers, as CSV (RFC 4180:
 * a header line of the keys, \r\n line ends, fields holding a comma, quote,
 * CR or LF quoted with "" doubling by core/csv.h; null empty, numbers as integers or with
 * 9 significant digits, arrays and objects as compact JSON, text exactly as
 * stored) or as JSON lines (one compact object a line), built in memory. */
enum xnr__format { XNR__CSV, XNR__JSONL };

struct xnr__export {
	enum xnr__format format;
	json_t *head; /* the header row: the keys, in order */
	FILE *out;    /* open_memstream over buf, len (NULL: could not open) */
	char *buf;
	size_t len;
	int oom; /* a row could not be added */
};

/* x for the download path asks for: JSON lines when it ends in ".jsonl",
 * else CSV. */
void xnr__export_init(struct xnr__export *x, const char *path);
/* The columns: the keys of row, in order (takes row); CSV writes them as
 * its header line, JSON lines write nothing. */
void xnr__export_head(struct xnr__export *x, json_t *row);
/* One row (takes row; NULL means out of memory): CSV writes the values of
 * the header's keys, in its order (a missing key is empty), JSON lines the
 * whole object. */
void xnr__export_row(struct xnr__export *x, json_t *row);
void xnr__export_free(struct xnr__export *x);
/* Give x's text to out as the attachment "run<id>-<name>.csv" (or .jsonl);
 * x is freed either way. Errors: XNR_ERR_NOMEM (a row was lost). */
XNR_MUST_CHECK enum xnr_status xnr__export_answer(struct xnr__export *x, const struct xnr__req *r,
                                                  const char *name, struct xnr__resp *out,
                                                  struct xnr_error *err);

/* The entity type of a label ("B-PER" -> "PER", a bare "PER" -> "PER"),
 * NULL for "O", "" and NULL. */
const char *xnr__label_type(const char *label);

/* XNR_ERR_INPUT naming the query parameter param when type (NULL: no
 * filter, fine) is not an entity type of run's labels. */
XNR_MUST_CHECK enum xnr_status xnr__type_param(const struct xnr_run *run, const char *param,
                                               const char *type, struct xnr_error *err);

/* ---- JSON request bodies and job answers (body.c) ----------------------
 * The body readers check one field of a JSON object body: an absent field
 * or JSON null gives def (or leaves *out as it is); anything else must fit,
 * or they fail with XNR_ERR_INPUT naming the field and what it wants
 * ("body field k: wants a whole number from 2 to 10"). Thread safe. */

/* XNR_ERR_INPUT unless body is an object whose fields are all in names
 * (NULL-ended; the message lists them). */
XNR_MUST_CHECK enum xnr_status xnr__body_allow(const json_t *body, const char *const *names,
                                               struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr__body_int(const json_t *body, const char *name, int64_t min,
                                             int64_t max, int64_t def, int64_t *out,
                                             struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr__body_real(const json_t *body, const char *name, double min,
                                              double max, double def, double *out,
                                              struct xnr_error *err);
/* *out = the index of the field's value in choices (NULL-ended). */
XNR_MUST_CHECK enum xnr_status xnr__body_choice(const json_t *body, const char *name,
                                                const char *const *choices, int def, int *out,
                                                struct xnr_error *err);
/* An optional string without NUL characters; *out borrows from body. */
XNR_MUST_CHECK enum xnr_status xnr__body_str(const json_t *body, const char *name, const char **out,
                                             struct xnr_error *err);
/* A required string value v of 1..max_bytes bytes without NUL characters,
 * called name in messages; *out borrows from v. Errors: also XNR_ERR_LIMIT. */
XNR_MUST_CHECK enum xnr_status xnr__body_text(const json_t *v, const char *name, size_t max_bytes,
                                              const char **out, size_t *len, struct xnr_error *err);
/* r->body, set to an empty object when the request has none (every field
 * then takes its default); NULL only when out of memory. */
json_t *xnr__body_or_empty(struct xnr__req *r);

/* Start (or find, by key) a job as xnr__job_start does (takes arg) and
 * answer 202 {"job": <job JSON>}. */
XNR_MUST_CHECK enum xnr_status xnr__job_answer(struct xnr__req *r, const char *kind,
                                               const char *key, int64_t run, xnr__job_fn fn,
                                               void *arg, void (*free_arg)(void *), json_t **out,
                                               struct xnr_error *err);

/* Seconds on a monotonic clock, for the timings the pages show. */
double xnr__now_s(void);

/* How many threads a run (and the Debug page's report) uses: the CPUs
 * online, 1 to 8 (api_run_start.c). */
int xnr__run_threads(void);

/* ---- models loaded by the server (models.c) ----------------------------
 * The model folder of a run and inference engines loaded once per folder,
 * shared by the requests and jobs of the Probing, Activations and Find
 * Duplicates pages. */
struct xnr__model; /* one loaded engine, in the cache */
struct xnr_engine;
struct xnr_input;
struct xnr_result;

/* The model folder of run (its runs.model_path): an absolute path as it is; a
 * relative one (the folder the run was made in is unknown) is tried against
 * the server's working folder, then the database's folder, then as a
 * Hugging Face id in the local hub cache. dir gets the first that has a
 * config.json. Errors: XNR_ERR_NOT_FOUND (the run has no model path, or the model
 * folder is gone: the message says where it looked and how to fix it),
 * XNR_ERR_LIMIT (path too long). Thread safe. */
XNR_MUST_CHECK enum xnr_status xnr__model_dir(const struct xnr__app *app, const struct xnr_run *run,
                                              char *dir, size_t dir_bytes, struct xnr_error *err);

/* Borrow the engine of model folder dir, loading it on first use (layers: an
 * engine that keeps every layer's FFN activations, for the Activations page;
 * a separate engine since that costs memory per token). The engine is locked
 * for the caller until xnr__model_release: engines are single-threaded, so
 * concurrent users of one model wait their turn. At most a few engines stay
 * loaded; the least recently used idle one is closed to make room.
 * Errors: those of xnr_engine_open, XNR_ERR_LIMIT (every slot busy),
 * XNR_ERR_NOMEM. Thread safe. */
XNR_MUST_CHECK enum xnr_status xnr__model_acquire(struct xnr__app *app, const char *dir, int layers,
                                                  struct xnr__model **out, struct xnr_error *err);
struct xnr_engine *xnr__model_engine(struct xnr__model *m);
/* Give the engine back (m may be NULL). */
void xnr__model_release(struct xnr__app *app, struct xnr__model *m);

/* Run n texts through the model of run of request r (layers: keep every
 * layer's FFN activations). res[0..n) are initialised here and the caller
 * frees them with xnr_result_free, also on error; *labels gets the model's
 * label names (a new array, owned by the caller), *n_layers (may be NULL)
 * its layer count and *tokens (a new array, owned by the caller) each
 * text's sub-tokens: [{text, token, id, word, start, end}], text the bytes
 * [start, end) of the input, token the tokenizer's own string with its
 * continuation marks ("##ing", "\u0120the", "\u2581The"). Errors: those of
 * xnr__model_dir, xnr__model_acquire and xnr_engine_run, XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr__model_run(struct xnr__req *r, const struct xnr_run *run,
                                              int layers, const struct xnr_input *in, int n,
                                              struct xnr_result *res, json_t **labels,
                                              json_t **tokens, int *n_layers,
                                              struct xnr_error *err);

#endif
