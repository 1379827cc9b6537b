/*
 * server_fuzz.h - what the server fuzz targets share: a request made from
 * parts of the input (its headers as "Name: value" lines, cookies from its
 * Cookie header, as libmicrohttpd would give them to the server), driven
 * through request.c as http.c drives a libmicrohttpd request (admit when
 * the head has arrived, then answer), and the contract of every answer: a
 * status the API documents, never an internal error, a JSON body that
 * parses, and an error body that says its status, code and message.
 */
#ifndef XNR_SERVER_FUZZ_H
#define XNR_SERVER_FUZZ_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "server/internal.h"
#include "util.h"

#define FUZZ_HEADERS_MAX 32

struct fuzz_request {
	char *method, *target, *headers, *body; /* NUL-terminated copies */
	size_t body_bytes;
	const char *names[FUZZ_HEADERS_MAX], *values[FUZZ_HEADERS_MAX];
	int n_headers;
	char cookie[1024]; /* the value of the last cookie looked up */
};

/* Split r->headers in place into names and values ("Name: value" lines,
 * "\r" and the spaces after the colon dropped; lines without one skipped). */
static void fuzz_parse_headers(struct fuzz_request *r)
{
	char *line = r->headers, *next, *colon;

	r->n_headers = 0;
	for (; line && r->n_headers < FUZZ_HEADERS_MAX; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		if (!(colon = strchr(line, ':')))
			continue;
		*colon++ = '\0';
		r->names[r->n_headers] = line;
		r->values[r->n_headers++] = colon + strspn(colon, " \t");
	}
}

static const char *fuzz_header(void *ctx, const char *name)
{
	const struct fuzz_request *r = ctx;

	for (int i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->names[i], name) == 0)
			return r->values[i];
	return NULL;
}

/* A cookie of the Cookie header ("a=1; b=2"), as libmicrohttpd parses it. */
static const char *fuzz_cookie(void *ctx, const char *name)
{
	struct fuzz_request *r = ctx;
	const char *s = fuzz_header(ctx, "Cookie");
	size_t n = strlen(name), len;

	while (s && *s) {
		s += strspn(s, " ;");
		len = strcspn(s, ";");
		if (len > n && strncmp(s, name, n) == 0 && s[n] == '=') {
			len -= n + 1;
			if (len >= sizeof r->cookie)
				len = sizeof r->cookie - 1;
			memcpy(r->cookie, s + n + 1, len);
			r->cookie[len] = '\0';
			return r->cookie;
		}
		s += len;
	}
	return NULL;
}

/* Fill r from four parts (method, target, headers, body; missing ones
 * empty); free with fuzz_request_free. */
static void fuzz_request_init(struct fuzz_request *r, const struct fuzz_part *p, int n)
{
	struct fuzz_part none = {"", 0};

	memset(r, 0, sizeof *r);
	r->method = fuzz_strdup(n > 0 ? p[0] : none);
	r->target = fuzz_strdup(n > 1 ? p[1] : none);
	r->headers = fuzz_strdup(n > 2 ? p[2] : none);
	r->body = fuzz_strdup(n > 3 ? p[3] : none);
	r->body_bytes = n > 3 ? p[3].len : 0;
	fuzz_parse_headers(r);
}

/* The same from four strings. */
static void fuzz_request_strings(struct fuzz_request *r, const char *method, const char *target,
                                 const char *headers, const char *body)
{
	struct fuzz_part p[4] = {{method, strlen(method)},
	                         {target, strlen(target)},
	                         {headers, strlen(headers)},
	                         {body, strlen(body)}};

	fuzz_request_init(r, p, 4);
}

static void fuzz_request_free(struct fuzz_request *r)
{
	free(r->method);
	free(r->target);
	free(r->headers);
	free(r->body);
}

/* The answer's contract, whatever the request. */
static void fuzz_check_answer(const struct fuzz_request *r, const struct xnr__resp *out)
{
	static const int known[] = {200, 201, 202, 303, 304, 400, 401, 403,
	                            404, 405, 409, 413, 415, 421, 422, 500};
	json_t *body, *e;
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0] && known[i] != out->http; i++)
		;
	/* the answer itself in the log, so that a CI log alone names the bug */
	if (i == sizeof known / sizeof known[0] || out->status == XNR_ERR_INTERNAL)
		fprintf(stderr, "%s %.200s: HTTP %d, status %d: %.*s\n", r->method, r->target,
		        out->http, (int)out->status,
		        out->data && out->len < 4096 ? (int)out->len : 0,
		        out->data ? (const char *)out->data : "");
	FUZZ_CHECK(i < sizeof known / sizeof known[0]);
	FUZZ_CHECK(out->status != XNR_ERR_INTERNAL && (int)out->status >= 0 &&
	           out->status < XNR_STATUS_COUNT);
	/* a 500 is a database or file failure, never a bug */
	FUZZ_CHECK(out->http != 500 || out->status == XNR_ERR_DB || out->status == XNR_ERR_IO);
	FUZZ_CHECK(!out->data || out->content_type);
	if (!out->content_type || strncmp(out->content_type, "application/json", 16) != 0)
		return;
	body = json_loadb(out->data, out->len, JSON_ALLOW_NUL, NULL);
	FUZZ_CHECK(body != NULL);
	if (out->http >= 400) {
		e = json_object_get(body, "error");
		FUZZ_CHECK(json_integer_value(json_object_get(e, "status")) == out->http &&
		           json_is_string(json_object_get(e, "code")) &&
		           json_string_length(json_object_get(e, "message")) > 0);
	}
	json_decref(body);
}

/* Drive r through app as http.c drives a libmicrohttpd request; the answer
 * in *out (checked; xnr__resp_free it). */
static void fuzz_request_run(struct xnr__app *app, struct fuzz_request *r, struct xnr__resp *out)
{
	struct xnr__http_in in;

	memset(&in, 0, sizeof in);
	in.method = r->method;
	in.target =
	    strlen(r->target) <= XNR__PATH_MAX + XNR__QUERY_MAX_BYTES + 1 ? r->target : NULL;
	in.header = fuzz_header;
	in.cookie = fuzz_cookie;
	in.ctx = r;
	in.client = "127.0.0.1";
	in.body = r->body_bytes ? r->body : NULL;
	in.body_bytes = r->body_bytes;
	if (!xnr__request_admit(app, &in, out)) {
		if (r->body_bytes > XNR__BODY_MAX)
			xnr__resp_error(out, XNR_ERR_LIMIT, "request body: more than 65536 bytes");
		else
			xnr__request_answer(app, &in, out);
	}
	FUZZ_CHECK(out->http != 0);
	fuzz_check_answer(r, out);
}

#endif
