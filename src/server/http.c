/*
 * http.c - the server's lifecycle and its transport, libmicrohttpd: start a
 * daemon with a small internal thread pool on a socket of its own, and
 * carry each request to request.c (the guard, the route, the handler: its
 * head when the headers have arrived, so a refused request's body is never
 * read, then the whole request) and its answer back. The server's state
 * (struct xnr__app) is its own: opened with it, freed at close.
 * Connections are capped: in all (by the open-file limit), per client
 * address when serving the network, and in time (watchdog.c).
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
	char client[XNR__CLIENT_MAX];
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

/* Send an answer of request.c and free it. */
static enum MHD_Result send_answer(struct MHD_Connection *conn, struct xnr__resp *out)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	const char *const headers[][2] = {
	    {"Content-Type", out->http != 304 ? out->content_type : NULL},
	    {"Content-Encoding", out->http != 304 ? out->encoding : NULL},
	    {"ETag", out->etag},
	    {"Content-Disposition", out->disposition},
	    {"Vary", out->vary ? "Accept-Encoding" : NULL},
	    {"Allow", out->allow},
	    {"WWW-Authenticate", out->authenticate},
	    {"Location", out->location},
	    {"Set-Cookie", out->cookie},
	    {"Cache-Control", out->cache_control ? out->cache_control : "no-store"},
	    {"X-Content-Type-Options", "nosniff"},
	    {"Referrer-Policy", "no-referrer"},
	};

	if (!out->http) {
		xnr__resp_free(out);
		return MHD_NO;
	}
	if (out->http == 304 || !out->data) {
		xnr__resp_free(out);
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	} else {
		resp = MHD_create_response_from_buffer(out->len, out->data,
		                                       out->borrowed ? MHD_RESPMEM_PERSISTENT
		                                                     : MHD_RESPMEM_MUST_FREE);
	}
	if (!resp) {
		xnr__resp_free(out);
		return MHD_NO;
	}
	for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++)
		if (headers[i][1] && headers[i][1][0])
			MHD_add_response_header(resp, headers[i][0], headers[i][1]);
	ret = MHD_queue_response(conn, (unsigned)out->http, resp);
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

static const char *conn_header(void *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static const char *conn_cookie(void *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, name);
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

/* The request as request.c takes it. */
static struct xnr__http_in request_in(struct MHD_Connection *conn, const struct request *rq,
                                      const char *method)
{
	struct xnr__http_in in;

	memset(&in, 0, sizeof in);
	in.method = method;
	in.target = rq->target;
	in.header = conn_header;
	in.cookie = conn_cookie;
	in.ctx = conn;
	in.client = rq->client;
	in.body = rq->body;
	in.body_bytes = rq->body_bytes;
	return in;
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
	struct xnr__http_in in;
	struct xnr__resp out;

	(void)url;
	(void)version;
	memset(&out, 0, sizeof out);
	if (!rq) {
		xnr__resp_error(&out, XNR_ERR_NOMEM, "server: out of memory");
		return send_answer(conn, &out);
	}
	if (!rq->started) {
		rq->started = 1;
		client_address(conn, rq->client, sizeof rq->client);
		in = request_in(conn, rq, method);
		return xnr__request_admit(&srv->app, &in, &out) ? send_answer(conn, &out) : MHD_YES;
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
		xnr__resp_error(&out, XNR_ERR_LIMIT, "request body: more than 65536 bytes");
	else if (rq->body_bytes && !rq->body)
		xnr__resp_error(&out, XNR_ERR_NOMEM, "server: out of memory");
	else {
		in = request_in(conn, rq, method);
		xnr__request_answer(&srv->app, &in, &out);
	}
	return send_answer(conn, &out);
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

/* The IPv4 address host names ("localhost" is 127.0.0.1): 1, or 0 when it
 * names none. */
static int host_address(const char *host, struct in_addr *out)
{
	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	return inet_pton(AF_INET, host, out) == 1;
}

static enum xnr_status check_params(const struct xnr_server_params *p, struct sockaddr_in *addr,
                                    struct xnr_error *err)
{
	memset(addr, 0, sizeof *addr);
	addr->sin_family = AF_INET;
	if (!host_address(p->host, &addr->sin_addr))
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

void xnr__app_close(struct xnr__app *app)
{
	xnr__jobs_close(app);
	xnr__models_close(app);
	xnr__cache_close(app);
	pthread_mutex_destroy(&app->run_lock);
}

/* The jobs last, since the run of serve --model --data starts with them. */
enum xnr_status xnr__app_open(struct xnr__app *app, const struct xnr_server_params *p, int port,
                              int n_job_threads, struct xnr_error *err)
{
	struct in_addr addr;
	uint32_t ip;
	enum xnr_status st;
	int n_roots = 0;

	if (!host_address(p->host, &addr))
		return xnr_fail(err, XNR_ERR_INPUT, "--host %s: not an IPv4 address", p->host);
	ip = ntohl(addr.s_addr);
	memset(app, 0, sizeof *app);
	app->db_path = p->db_path;
	app->version = p->version;
	app->assets_dir = p->assets_dir;
	app->model_dir = p->model_dir;
	app->data_path = p->data_path;
	app->remote = (ip >> 24) != 127;
	app->any_host = ip == INADDR_ANY;
	app->port = port;
	if (app->remote && !app->any_host)
		inet_ntop(AF_INET, &addr, app->host, sizeof app->host);
	while (p->roots && p->roots[n_roots])
		n_roots++;
	if ((st = xnr__token_init(app, p->token_file, p->no_token, err)) != XNR_OK ||
	    (st = xnr__roots_init(app, p->roots, n_roots, err)) != XNR_OK)
		return st;
	if (pthread_mutex_init(&app->run_lock, NULL) != 0)
		return xnr_fail(err, XNR_ERR_NOMEM, "server: cannot make a mutex");
	if ((st = xnr__cache_open(app, err)) != XNR_OK ||
	    (st = xnr__models_open(app, err)) != XNR_OK ||
	    (st = xnr__jobs_open(app, n_job_threads, err)) != XNR_OK)
		xnr__app_close(app);
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
	if ((st = xnr__app_open(&srv->app, p, port, XNR__JOB_THREADS, err)) != XNR_OK)
		goto fail;
	if ((st = xnr__watchdog_open(REQUEST_S, &srv->watchdog, err)) != XNR_OK) {
		xnr__app_close(&srv->app);
		goto fail;
	}
	if (!(srv->daemon = start_daemon(srv, p, fd))) {
		xnr__watchdog_close(srv->watchdog);
		xnr__app_close(&srv->app);
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
	xnr__app_close(&srv->app);
	free(srv);
}
