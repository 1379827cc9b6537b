/*
 * request.c - what the server does with one request, apart from the
 * transport: a request (struct xnr__http_in: method, target, headers,
 * cookies, body) in, its answer (struct xnr__resp: status, headers, body)
 * out. When the head has arrived, the guard (guard.c: Host, token, origin,
 * content type), the route and the body size decide whether it goes on;
 * when the body has, the target is split and its query parsed, the body
 * parsed as JSON, a read-only store opened for routes that read the
 * database, and the handler run. Errors become the JSON body of errors.c.
 * http.c carries requests here from libmicrohttpd; the HTTP fuzz target
 * (tests/fuzz/fuzz_server_http.c) makes them itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "server/internal.h"
#include "store/store.h"

const char *xnr__req_header(const struct xnr__req *r, const char *name)
{
	return r->in && r->in->header ? r->in->header(r->in->ctx, name) : NULL;
}

const char *xnr__req_cookie(const struct xnr__req *r, const char *name)
{
	return r->in && r->in->cookie ? r->in->cookie(r->in->ctx, name) : NULL;
}

void xnr__resp_free(struct xnr__resp *out)
{
	if (!out->borrowed)
		free(out->data);
	out->data = NULL;
	out->len = 0;
}

/* out = JSON body with status http; no answer (http 0) when out of memory. */
static void answer_json(struct xnr__resp *out, int http, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	out->http = text ? http : 0;
	out->data = text;
	out->len = text ? strlen(text) : 0;
	out->content_type = "application/json; charset=utf-8";
}

void xnr__resp_error(struct xnr__resp *out, enum xnr_status st, const char *message)
{
	answer_json(out, xnr__http_status(st), xnr__error_json(st, message));
	out->status = st;
}

/* A refusal of the guard: JSON, or for a page of the web app asked without
 * the token, the page that says how to open the server with it. */
static void refusal(const struct xnr__app *app, struct xnr__resp *out, enum xnr__verdict v,
                    const char *path, const char *why)
{
	int http = xnr__verdict_http(v);
	char *page;

	if (v == XNR__REFUSE_TOKEN)
		out->authenticate = "Bearer realm=\"explainer\"";
	if (v != XNR__REFUSE_TOKEN || !path || strncmp(path, "/api/", 5) == 0 ||
	    !(page = xnr__token_page(app))) {
		answer_json(out, http, xnr__error_body(http, xnr__verdict_code(v), why));
		return;
	}
	out->http = http;
	out->data = page;
	out->len = strlen(page);
	out->content_type = "text/html; charset=utf-8";
}

/* A right ?token=: the cookie (per port, as cookies are not, so two servers
 * on one machine do not clash; HttpOnly, SameSite=Strict) and the address
 * without the token (out->location, set by the guard), which then stays
 * out of the history and the logs. */
static void redirect(const struct xnr__app *app, struct xnr__resp *out)
{
	out->http = 303;
	snprintf(out->cookie, sizeof out->cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict",
	         app->cookie, app->token);
}

static int body_too_large(const struct xnr__req *r)
{
	const char *cl = xnr__req_header(r, "Content-Length");
	size_t n = cl ? strspn(cl, "0123456789") : 0;
	return cl && (n == 0 || n > 9 || cl[n] || strtol(cl, NULL, 10) > XNR__BODY_MAX);
}

static int has_body(const struct xnr__req *r)
{
	const char *cl = xnr__req_header(r, "Content-Length");
	return xnr__req_header(r, "Transfer-Encoding") || (cl && strspn(cl, "0") != strlen(cl));
}

/* The route of method and path into *route, its {id}s into r: 0, or 1
 * with *out the 404 (no such path) or 405 (with Allow) when there is none. */
static int no_route(const char *method, const char *path, const struct xnr__route **route,
                    struct xnr__req *r, struct xnr__resp *out)
{
	const struct xnr__route *all;
	struct xnr_error err;
	size_t n_all;
	enum xnr_status st;

	xnr_error_clear(&err);
	if (!(all = xnr__routes(&n_all))) {
		xnr__resp_error(out, XNR_ERR_NOMEM, "server: out of memory");
		return 1;
	}
	st = xnr__route_find(all, n_all, method, path, route, r->ids, &r->n_ids, &err);
	if (st == XNR_OK)
		return 0;
	xnr__resp_error(out, st, err.msg);
	if (st == XNR_ERR_METHOD)
		xnr__route_methods(all, n_all, path, out->allow, sizeof out->allow);
	return 1;
}

/* The checks of a request's head before its route (Host, target, token): 1
 * with *out the answer when one refuses it (or redirects), else 0 with
 * path (XNR__PATH_MAX + 1 bytes) and *query split from the target. */
static int guard_head(struct xnr__req *r, char *path, const char **query, struct xnr__resp *out)
{
	const struct xnr__app *app = r->app;
	struct xnr_error err;
	char why[512];
	enum xnr__verdict v;
	enum xnr_status st;

	xnr_error_clear(&err);
	if ((v = xnr__guard_host(r, why, sizeof why)) != XNR__PASS) {
		refusal(app, out, v, NULL, why);
		return 1;
	}
	if (!r->in->target) {
		xnr__resp_error(out, XNR_ERR_LIMIT, "request target: too long");
		return 1;
	}
	if ((st = xnr__target_split(r->in->target, path, query, &err)) != XNR_OK) {
		xnr__resp_error(out, st, err.msg);
		return 1;
	}
	v = xnr__guard_token(r, path, *query, out->location, sizeof out->location, why, sizeof why);
	if (v == XNR__REDIRECT)
		redirect(app, out);
	else if (v != XNR__PASS)
		refusal(app, out, v, path, why);
	return v != XNR__PASS;
}

int xnr__request_admit(struct xnr__app *app, const struct xnr__http_in *in, struct xnr__resp *out)
{
	struct xnr__req r;
	char path[XNR__PATH_MAX + 1], why[512];
	const struct xnr__route *route;
	const char *query = NULL;
	enum xnr__verdict v;

	memset(out, 0, sizeof *out);
	memset(&r, 0, sizeof r);
	r.app = app;
	r.method = in->method;
	r.path = path;
	r.in = in;
	/* 404 and 405 before the origin checks: they tell the token's holder
	 * what the server takes, nothing more. */
	if (guard_head(&r, path, &query, out) || no_route(in->method, path, &route, &r, out))
		return 1;
	if (strcmp(in->method, "GET") != 0 && strcmp(in->method, "HEAD") != 0 &&
	    (v = xnr__guard_change(&r, has_body(&r), why, sizeof why)) != XNR__PASS) {
		refusal(app, out, v, path, why);
		return 1;
	}
	if (body_too_large(&r)) {
		xnr__resp_error(out, XNR_ERR_LIMIT, "request body: more than 65536 bytes");
		return 1;
	}
	return 0;
}

/* The route's handler on r (route set, target split into r->path): its
 * query and JSON body parsed, a store opened when it reads the database. */
static enum xnr_status run_handler(const struct xnr__route *route, const char *query,
                                   struct xnr__req *r, const struct xnr__http_in *in, json_t **body,
                                   struct xnr__resp *out, struct xnr_error *err)
{
	enum xnr_status st = XNR_OK;

	if (query)
		st = xnr__query_parse(query, strlen(query), &r->query, err);
	/* an empty body is no body */
	if (st == XNR_OK && in->body_bytes)
		st = xnr_json_parse(in->body, in->body_bytes, "request body", &r->body, err);
	if (st == XNR_OK && route->needs == XNR__DB)
		st = xnr_store_open_read(r->app->db_path, &r->store, err);
	if (st == XNR_OK)
		st = route->raw ? route->raw(r, out, err) : route->fn(r, body, err);
	xnr_store_close(r->store);
	json_decref(r->body);
	return st;
}

void xnr__request_answer(struct xnr__app *app, const struct xnr__http_in *in, struct xnr__resp *out)
{
	struct xnr__req r;
	struct xnr_error err;
	char path[XNR__PATH_MAX + 1];
	const struct xnr__route *route = NULL;
	const char *query = NULL;
	json_t *body = NULL;
	enum xnr_status st;

	memset(out, 0, sizeof *out);
	memset(&r, 0, sizeof r);
	xnr_error_clear(&err);
	r.version = app->version;
	r.app = app;
	r.method = in->method;
	r.path = path;
	r.in = in;
	snprintf(r.client, sizeof r.client, "%s", in->client ? in->client : "");
	if (!in->target) {
		xnr__resp_error(out, XNR_ERR_LIMIT, "request target: too long");
		return;
	}
	if ((st = xnr__target_split(in->target, path, &query, &err)) != XNR_OK) {
		xnr__resp_error(out, st, err.msg);
		return;
	}
	if (no_route(in->method, path, &route, &r, out))
		return;
	st = run_handler(route, query, &r, in, &body, out, &err);
	if (st != XNR_OK) {
		json_decref(body);
		xnr__resp_free(out);
		memset(out, 0, sizeof *out);
		xnr__resp_error(out, st, err.msg);
	} else if (route->raw) {
		out->http = out->http ? out->http : 200;
		out->vary = 1;
	} else {
		answer_json(out, r.http ? r.http : 200, body);
	}
}
