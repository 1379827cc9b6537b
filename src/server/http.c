/*
 * http.c - the server's lifecycle and request dispatch over libmicrohttpd:
 * start a daemon with a small internal thread pool on a socket of its own,
 * admit each request when its headers have arrived (the guard of guard.c:
 * Host, token, route, origin and content type; the body cap) before its
 * body is read, route to an API handler (with a read-only store of its own,
 * store/read.h, when the route reads the database), and send JSON with
 * `Cache-Control: no-store`. Errors become the JSON body of errors.c. The
 * server's state (struct xnr__app) is its own: opened with it, freed at
 * close. Connections are capped: in all (by the open-file limit), per
 * client address when serving the network, and in time (watchdog.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/internal.h"
#include "server/server.h"
#include "core/json.h"
#include "store/store.h"

#define DEFAULT_PORT    8765
#define DEFAULT_THREADS 4
#define MAX_THREADS     16
#define TARGET_MAX      (XNR__PATH_MAX + XNR__QUERY_MAX_BYTES + 1)
#define CONN_MAX        4096 /* connections at once, at most (fewer with fewer files) */
#define CONN_MIN        64
#define FILES_KEPT      128 /* open files left for the database, models and jobs */
#define PER_IP_MAX      32  /* connections of one address when serving the network */
#define IDLE_TIMEOUT_S  30  /* no byte either way this long: closed (libmicrohttpd) */
#define REQUEST_S       10  /* a whole request, body included, must arrive within this */

struct xnr_server {
	struct MHD_Daemon *daemon;
	struct xnr__watchdog *watchdog;
	struct xnr__app app;
};

/* Per-request state, made when the request line arrives. */
struct request {
	char *target; /* raw, still percent-encoded; NULL when too long */
	int started;
	size_t body_bytes; /* received, counted past the cap */
	char *body;        /* the first XNR__BODY_MAX bytes */
};

struct xnr_server_params xnr_server_default_params(void)
{
	struct xnr_server_params p;

	memset(&p, 0, sizeof p);
	p.host = "127.0.0.1";
	p.port = DEFAULT_PORT;
	p.n_threads = DEFAULT_THREADS;
	p.version = "0";
	return p;
}

static void common_headers(struct MHD_Response *resp, const char *cache_control)
{
	MHD_add_response_header(resp, "Cache-Control", cache_control ? cache_control : "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
}

/* Send JSON, with the header name: value when value is not NULL or empty. */
static enum MHD_Result send_json(struct MHD_Connection *conn, int http, json_t *body,
                                 const char *name, const char *value)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	json_decref(body);
	if (!text)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	common_headers(resp, NULL);
	if (name && value && value[0])
		MHD_add_response_header(resp, name, value);
	ret = MHD_queue_response(conn, (unsigned)http, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, enum xnr_status st, const char *msg,
                                  const char *allow)
{
	return send_json(conn, xnr__http_status(st), xnr__error_json(st, msg), "Allow", allow);
}

/* A refusal of the guard: JSON, or for a page of the web app asked without
 * the token, the page that says how to open the server with it. */
static enum MHD_Result send_refusal(const struct xnr__app *app, struct MHD_Connection *conn,
                                    enum xnr__verdict v, const char *path, const char *why)
{
	const char *auth = v == XNR__REFUSE_TOKEN ? "Bearer realm=\"explainer\"" : NULL;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *page;

	if (!auth || (path && strncmp(path, "/api/", 5) == 0) || !(page = xnr__token_page(app)))
		return send_json(conn, xnr__verdict_http(v),
		                 xnr__error_body(xnr__verdict_http(v), xnr__verdict_code(v), why),
		                 "WWW-Authenticate", auth);
	resp = MHD_create_response_from_buffer(strlen(page), page, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(resp, "WWW-Authenticate", auth);
	common_headers(resp, NULL);
	ret = MHD_queue_response(conn, MHD_HTTP_UNAUTHORIZED, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A right ?token=: the cookie (per port, as cookies are not, so two servers
 * on one machine do not clash; HttpOnly, SameSite=Strict) and the address
 * without the token, which then stays out of the history and the logs. */
static enum MHD_Result send_redirect(const struct xnr__app *app, struct MHD_Connection *conn,
                                     const char *location)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	char cookie[XNR__TOKEN_MAX + 96];
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict", app->cookie,
	         app->token);
	MHD_add_response_header(resp, "Location", location);
	MHD_add_response_header(resp, "Set-Cookie", cookie);
	common_headers(resp, NULL);
	ret = MHD_queue_response(conn, MHD_HTTP_SEE_OTHER, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Send a raw response; takes ownership of out->data unless borrowed. */
static enum MHD_Result send_raw(struct MHD_Connection *conn, struct xnr__resp *out)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int http = out->http ? out->http : 200;

	if (http == 304 || !out->data)
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	else
		resp = MHD_create_response_from_buffer(out->len, out->data,
		                                       out->borrowed ? MHD_RESPMEM_PERSISTENT
		                                                     : MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		if (!out->borrowed)
			free(out->data);
		return MHD_NO;
	}
	if (http == 304 && !out->borrowed)
		free(out->data);
	if (out->content_type && http != 304)
		MHD_add_response_header(resp, "Content-Type", out->content_type);
	if (out->encoding && http != 304)
		MHD_add_response_header(resp, "Content-Encoding", out->encoding);
	if (out->etag[0])
		MHD_add_response_header(resp, "ETag", out->etag);
	if (out->disposition[0])
		MHD_add_response_header(resp, "Content-Disposition", out->disposition);
	MHD_add_response_header(resp, "Vary", "Accept-Encoding");
	common_headers(resp, out->cache_control);
	ret = MHD_queue_response(conn, (unsigned)http, resp);
	MHD_destroy_response(resp);
	return ret;
}

void xnr__log(const char *fmt, ...)
{
	char line[XNR_ERROR_MSG_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* One write per line, so lines of concurrent threads do not mix. */
	fprintf(stderr, "explainer serve: %s\n", line);
}

const char *xnr__req_header(const struct xnr__req *r, const char *name)
{
	return r->conn ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

/* Parse a request body as JSON (POST/PUT); an empty body is no body. */
static enum xnr_status parse_body(const struct request *rq, struct xnr__req *r,
                                  struct xnr_error *err)
{
	if (!rq->body_bytes)
		return XNR_OK;
	return xnr_json_parse(rq->body, rq->body_bytes, "request body", &r->body, err);
}

/* The client's address as text into buf ("" when unknown). */
static void client_address(struct MHD_Connection *conn, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	buf[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
		          (socklen_t)size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		          buf, (socklen_t)size);
}

/* Check the target, route it, parse its query and body, run the handler. */
static enum MHD_Result dispatch(struct xnr_server *srv, struct MHD_Connection *conn,
                                const struct request *rq, const char *method)
{
	struct xnr__req r;
	struct xnr__resp raw;
	struct xnr_error err;
	char path[XNR__PATH_MAX + 1], allow[64] = "";
	const struct xnr__route *route = NULL, *all;
	const char *query = NULL;
	json_t *body = NULL;
	size_t n_all;
	enum xnr_status st;

	memset(&r, 0, sizeof r);
	memset(&raw, 0, sizeof raw);
	xnr_error_clear(&err);
	r.version = srv->app.version;
	r.app = &srv->app;
	r.method = method;
	r.path = path;
	r.conn = conn;
	client_address(conn, r.client, sizeof r.client);
	all = xnr__routes(&n_all);
	st = all ? xnr__target_split(rq->target, path, &query, &err)
	         : xnr_fail(&err, XNR_ERR_NOMEM, "server: out of memory");
	if (st == XNR_OK)
		st = xnr__route_find(all, n_all, method, path, &route, r.ids, &r.n_ids, &err);
	if (st == XNR_ERR_METHOD)
		xnr__route_methods(all, n_all, path, allow, sizeof allow);
	if (st == XNR_OK && query)
		st = xnr__query_parse(query, strlen(query), &r.query, &err);
	if (st == XNR_OK)
		st = parse_body(rq, &r, &err);
	if (st == XNR_OK && route->needs == XNR__DB)
		st = xnr_store_open_read(srv->app.db_path, &r.store, &err);
	if (st == XNR_OK)
		st = route->raw ? route->raw(&r, &raw, &err) : route->fn(&r, &body, &err);
	xnr_store_close(r.store);
	json_decref(r.body);
	if (st != XNR_OK) {
		json_decref(body);
		if (!raw.borrowed)
			free(raw.data);
		return send_error(conn, st, err.msg, allow);
	}
	if (route->raw)
		return send_raw(conn, &raw);
	return send_json(conn, r.http ? r.http : 200, body, NULL, NULL);
}

static int body_too_large(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	size_t n = cl ? strspn(cl, "0123456789") : 0;
	return cl && (n == 0 || n > 9 || cl[n] || strtol(cl, NULL, 10) > XNR__BODY_MAX);
}

static int has_body(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding") ||
	       (cl && strspn(cl, "0") != strlen(cl));
}

/* The guard (guard.c), route and body size of a request whose headers have
 * arrived, before its body is read: MHD_YES to go on, or the answer. */
static enum MHD_Result admit(struct xnr__app *app, struct MHD_Connection *conn,
                             const struct request *rq, const char *method)
{
	struct xnr__req r;
	struct xnr_error err;
	char path[XNR__PATH_MAX + 1], loc[XNR__PATH_MAX + XNR__QUERY_MAX_BYTES + 4], why[512];
	const struct xnr__route *route, *all;
	const char *query = NULL;
	int64_t ids[XNR__PATH_IDS];
	int n_ids;
	size_t n_all;
	enum xnr__verdict v;
	enum xnr_status st;

	memset(&r, 0, sizeof r);
	xnr_error_clear(&err);
	r.app = app;
	r.method = method;
	r.path = path;
	r.conn = conn;
	if ((v = xnr__guard_host(&r, why, sizeof why)) != XNR__PASS)
		return send_refusal(app, conn, v, NULL, why);
	if (!rq->target)
		return send_error(conn, XNR_ERR_LIMIT, "request target: too long", NULL);
	if ((st = xnr__target_split(rq->target, path, &query, &err)) != XNR_OK)
		return send_error(conn, st, err.msg, NULL);
	v = xnr__guard_token(&r, path, query, loc, sizeof loc, why, sizeof why);
	if (v == XNR__REDIRECT)
		return send_redirect(app, conn, loc);
	if (v != XNR__PASS)
		return send_refusal(app, conn, v, path, why);
	/* 404 and 405 before the origin checks: they tell the token's holder
	 * what the server takes, nothing more. */
	if (!(all = xnr__routes(&n_all)))
		return send_error(conn, XNR_ERR_NOMEM, "server: out of memory", NULL);
	if ((st = xnr__route_find(all, n_all, method, path, &route, ids, &n_ids, &err)) != XNR_OK) {
		char allow[64] = "";
		if (st == XNR_ERR_METHOD)
			xnr__route_methods(all, n_all, path, allow, sizeof allow);
		return send_error(conn, st, err.msg, allow);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    (v = xnr__guard_change(&r, has_body(conn), why, sizeof why)) != XNR__PASS)
		return send_refusal(app, conn, v, path, why);
	if (body_too_large(conn))
		return send_error(conn, XNR_ERR_LIMIT, "request body: more than 65536 bytes", NULL);
	return MHD_YES;
}

static void *socket_context(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct xnr_server *srv = cls;
	struct request *rq = *con_cls;

	(void)url;
	(void)version;
	if (!rq)
		return send_error(conn, XNR_ERR_NOMEM, "server: out of memory", NULL);
	if (!rq->started) {
		rq->started = 1;
		return admit(&srv->app, conn, rq, method);
	}
	if (*upload_data_size) {
		/* Keep the first XNR__BODY_MAX bytes, count the rest: memory must not grow. */
		size_t n = *upload_data_size;
		if (rq->body_bytes + n <= XNR__BODY_MAX) {
			if (!rq->body)
				rq->body = malloc(XNR__BODY_MAX);
			if (rq->body)
				memcpy(rq->body + rq->body_bytes, upload_data, n);
		}
		if (rq->body_bytes <= XNR__BODY_MAX)
			rq->body_bytes += n;
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* The whole request is here: its answer is the server's time, not the
	 * client's (watchdog.c). */
	xnr__watchdog_wait(srv->watchdog, socket_context(conn), 0);
	if (rq->body_bytes > XNR__BODY_MAX)
		return send_error(conn, XNR_ERR_LIMIT, "request body: more than 65536 bytes", NULL);
	if (rq->body_bytes && !rq->body)
		return send_error(conn, XNR_ERR_NOMEM, "server: out of memory", NULL);
	return dispatch(srv, conn, rq, method);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request *rq = calloc(1, sizeof *rq);

	(void)cls;
	(void)conn;
	if (rq && strnlen(uri, TARGET_MAX + 1) <= TARGET_MAX)
		rq->target = strdup(uri);
	return rq;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct xnr_server *srv = cls;
	struct request *rq = *con_cls;

	(void)toe;
	xnr__watchdog_wait(srv->watchdog, socket_context(conn), 1);
	if (rq) {
		free(rq->target);
		free(rq->body);
	}
	free(rq);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **ctx,
                          enum MHD_ConnectionNotificationCode toe)
{
	struct xnr_server *srv = cls;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		xnr__watchdog_remove(srv->watchdog, *ctx);
		*ctx = NULL;
	} else if ((ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD))) {
		*ctx = xnr__watchdog_add(srv->watchdog, ci->connect_fd);
	}
}

static enum xnr_status check_params(const struct xnr_server_params *p, struct sockaddr_in *addr,
                                    struct xnr_error *err)
{
	const char *host = strcmp(p->host, "localhost") == 0 ? "127.0.0.1" : p->host;

	memset(addr, 0, sizeof *addr);
	addr->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &addr->sin_addr) != 1)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "--host %s: not an IPv4 address (use 127.0.0.1 or 0.0.0.0)",
		                p->host);
	if (p->port < 0 || p->port > 65535)
		return xnr_fail(err, XNR_ERR_INPUT, "--port %d: wants 0 to 65535", p->port);
	if (p->n_threads < 1 || p->n_threads > MAX_THREADS)
		return xnr_fail(err, XNR_ERR_INPUT, "threads: wants 1 to %d", MAX_THREADS);
	addr->sin_port = htons((uint16_t)p->port);
	return XNR_OK;
}

/* Close what app_open opened: the jobs first (their threads use the rest). */
static void app_close(struct xnr__app *app)
{
	xnr__jobs_close(app);
	xnr__models_close(app);
	xnr__cache_close(app);
	pthread_mutex_destroy(&app->run_lock);
}

/* The server's state: what p names, who may talk to it (guard.c, paths.c),
 * and its own subsystems; the jobs last, since the run of serve --model
 * --data starts with them. */
static enum xnr_status app_open(struct xnr__app *app, const struct xnr_server_params *p,
                                const struct sockaddr_in *addr, int port, struct xnr_error *err)
{
	uint32_t ip = ntohl(addr->sin_addr.s_addr);
	enum xnr_status st;
	int n_roots = 0;

	app->db_path = p->db_path;
	app->version = p->version;
	app->assets_dir = p->assets_dir;
	app->model_dir = p->model_dir;
	app->data_path = p->data_path;
	app->remote = (ip >> 24) != 127;
	app->any_host = ip == INADDR_ANY;
	app->port = port;
	if (app->remote && !app->any_host)
		inet_ntop(AF_INET, &addr->sin_addr, app->host, sizeof app->host);
	while (p->roots && p->roots[n_roots])
		n_roots++;
	if ((st = xnr__token_init(app, p->token_file, p->no_token, err)) != XNR_OK ||
	    (st = xnr__roots_init(app, p->roots, n_roots, err)) != XNR_OK)
		return st;
	if (pthread_mutex_init(&app->run_lock, NULL) != 0)
		return xnr_fail(err, XNR_ERR_NOMEM, "server: cannot make a mutex");
	if ((st = xnr__cache_open(app, err)) != XNR_OK ||
	    (st = xnr__models_open(app, err)) != XNR_OK ||
	    (st = xnr__jobs_open(app, err)) != XNR_OK)
		app_close(app);
	return st;
}

/* A listening socket of our own at addr (before the server state, which
 * needs the port: the token's cookie is named after it). */
static enum xnr_status listen_on(const struct xnr_server_params *p, const struct sockaddr_in *addr,
                                 int *fd_out, int *port_out, struct xnr_error *err)
{
	struct sockaddr_in bound;
	socklen_t len = sizeof bound;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (const struct sockaddr *)addr, sizeof *addr) != 0 ||
	    listen(fd, SOMAXCONN) != 0 || getsockname(fd, (struct sockaddr *)&bound, &len) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return xnr_fail(
		    err, XNR_ERR_IO,
		    "%s:%d: cannot listen: %s (port in use? try --port 0 for a free one)", p->host,
		    p->port, strerror(e));
	}
	*fd_out = fd;
	*port_out = ntohs(bound.sin_port);
	return XNR_OK;
}

/* Connections at once: many on loopback, where every client has the same
 * address, so slow clients cannot use them all up before the watchdog
 * closes theirs; as many as the open-file limit leaves room for. */
static unsigned conn_limit(void)
{
	struct rlimit rl;
	rlim_t n = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;

	n = n > FILES_KEPT + CONN_MIN ? n - FILES_KEPT : CONN_MIN;
	return n > CONN_MAX ? CONN_MAX : (unsigned)n;
}

static struct MHD_Daemon *start_daemon(struct xnr_server *srv, const struct xnr_server_params *p,
                                       int fd)
{
	return MHD_start_daemon(
	    MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET,
	    fd, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)p->n_threads, MHD_OPTION_URI_LOG_CALLBACK,
	    on_uri, srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, conn_limit(),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)(srv->app.remote ? PER_IP_MAX : 0),
	    MHD_OPTION_END);
}

enum xnr_status xnr_server_open(const struct xnr_server_params *p, struct xnr_server **out,
                                struct xnr_error *err)
{
	struct xnr_server *srv = NULL;
	struct xnr_store *store = NULL;
	struct sockaddr_in addr;
	enum xnr_status st;
	int fd = -1, port = 0;

	if ((st = check_params(p, &addr, err)) != XNR_OK)
		return st;
	if ((st = xnr_store_open(p->db_path, 0, &store, err)) != XNR_OK)
		return st;
	xnr_store_close(store);
	if (!(srv = calloc(1, sizeof *srv)))
		return xnr_fail(err, XNR_ERR_NOMEM, "server: out of memory");
	if ((st = listen_on(p, &addr, &fd, &port, err)) != XNR_OK)
		goto fail;
	if ((st = app_open(&srv->app, p, &addr, port, err)) != XNR_OK)
		goto fail;
	if ((st = xnr__watchdog_open(REQUEST_S, &srv->watchdog, err)) != XNR_OK) {
		app_close(&srv->app);
		goto fail;
	}
	if (!(srv->daemon = start_daemon(srv, p, fd))) {
		xnr__watchdog_close(srv->watchdog);
		app_close(&srv->app);
		st = xnr_fail(err, XNR_ERR_IO, "%s:%d: libmicrohttpd cannot start", p->host, port);
		goto fail;
	}
	*out = srv;
	return XNR_OK;
fail:
	if (fd >= 0)
		close(fd);
	free(srv);
	return st;
}

int xnr_server_port(const struct xnr_server *srv)
{
	return srv->app.port;
}

const char *xnr_server_token(const struct xnr_server *srv)
{
	return srv->app.token;
}

void xnr_server_close(struct xnr_server *srv)
{
	if (!srv)
		return;
	/* Jobs hear first, so their work stops while the requests finish. */
	xnr__jobs_stop(&srv->app);
	MHD_stop_daemon(srv->daemon);
	xnr__watchdog_close(srv->watchdog);
	app_close(&srv->app);
	free(srv);
}
