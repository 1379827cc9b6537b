/*
 * server.h - `explainer serve`: a libmicrohttpd server over one run database,
 * answering the versioned JSON API (/api/v1/..., docs/api.md). It binds
 * 127.0.0.1 unless told otherwise and serves from a small internal thread
 * pool; every request reads the database through its own read-only
 * connection. Only requests that name the server in their Host header and
 * carry its token are answered (docs/api.md, "Access").
 */
#ifndef XNR_SERVER_SERVER_H
#define XNR_SERVER_SERVER_H

#include "core/status.h"

struct xnr_server;

struct xnr_server_params {
	const char *db_path;    /* the run database (must exist) */
	const char *host;       /* IPv4 address to bind; "localhost" is 127.0.0.1 */
	int port;               /* 0: a free port, see xnr_server_port */
	int n_threads;          /* 1..16 request threads */
	const char *version;    /* reported by GET /api/v1 */
	const char *assets_dir; /* serve the web app from this folder (UI work); NULL: packed in */
	const char *model_dir;  /* --model: the Setup page's default model, or NULL */
	const char *data_path;  /* --data: the Setup page's default dataset, or NULL */
	int no_token;           /* 1: answer without a token (loopback only) */
	const char *token_file; /* the token is this file's first line (mode 600); NULL: a new
	                           random token, see xnr_server_token. Required when host is
	                           not a loopback address */
	const char *const *roots; /* NULL-ended folders the paths of requests must lie in;
	                             NULL: the working folder and the folders of db_path,
	                             model_dir and data_path */
};

/* Defaults: 127.0.0.1, port 8765, 4 threads, a random token. */
struct xnr_server_params xnr_server_default_params(void);

/* Check the database (schema version), bind and start answering requests on
 * background threads. Strings in p are borrowed and must outlive the server.
 * Errors: XNR_ERR_NOT_FOUND (no database or token file there), XNR_ERR_FORMAT
 * (not a run database), XNR_ERR_IO (database or token file unreadable,
 * address in use), XNR_ERR_DB, XNR_ERR_INPUT (bad host, port, root or token
 * file; no token file for a host that is not loopback; no_token with one),
 * XNR_ERR_UNSUPPORTED (database from a newer ExplaiNER). */
XNR_MUST_CHECK enum xnr_status xnr_server_open(const struct xnr_server_params *p,
                                               struct xnr_server **out, struct xnr_error *err);

/* The port actually bound (useful with port 0). */
int xnr_server_port(const struct xnr_server *srv);

/* The token requests must carry ("" with no_token); valid until close. A
 * browser gets it once as http://HOST:PORT/?token=TOKEN. */
const char *xnr_server_token(const struct xnr_server *srv);

/* Cancel the jobs, stop accepting, finish or drop open connections, wait
 * for the jobs to stop, join the threads, free. A job stuck in a system call
 * is waited for: a caller that must stop in bounded time ends the process
 * instead (explainer serve does after 1.5 s; SQLite keeps the database
 * whole). NULL is fine. Call from the thread that opened the server. */
void xnr_server_close(struct xnr_server *srv);

#endif
