/*
 * guard.c - who may talk to the server (issue #14). Any web page the user
 * visits can send requests to 127.0.0.1, and a page whose name is rebound
 * to 127.0.0.1 can read the answers; any local user can connect. So every
 * request must name this server in its Host header (DNS rebinding) and
 * carry the per-start token (as Jupyter does: printed in the URL, exchanged
 * for an HttpOnly SameSite=Strict cookie, or sent as a bearer header), and
 * a request that may change something must come from the server's own
 * origin with a JSON body, which a cross-site form or "simple" fetch cannot
 * send without a CORS preflight (and the server answers none).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "core/file.h"
#include "server/internal.h"

#define TOKEN_BYTES    32 /* random bytes of a generated token: 64 hex digits */
#define TOKEN_MIN      32 /* characters of a token from --token-file */
#define TOKEN_FILE_MAX 4096
#define TOKEN_CHARS    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-"

static enum xnr_status random_token(char *out, struct xnr_error *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[TOKEN_BYTES];
	size_t got = 0;
	int i;

	while (got < sizeof buf) {
		ssize_t n = getrandom(buf + got, sizeof buf - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return xnr_fail(err, XNR_ERR_IO,
			                "server: no random bytes for the token: %s",
			                strerror(errno));
		got += (size_t)n;
	}
	for (i = 0; i < TOKEN_BYTES; i++) {
		out[2 * i] = hex[buf[i] >> 4];
		out[2 * i + 1] = hex[buf[i] & 15];
	}
	out[2 * TOKEN_BYTES] = '\0';
	return XNR_OK;
}

/* The first line of path, checked as the token file contract says. */
static enum xnr_status token_from_file(const char *path, char *out, struct xnr_error *err)
{
	struct stat sb;
	char *text = NULL;
	size_t len, n;
	enum xnr_status st;

	if (stat(path, &sb) != 0)
		return xnr_fail_at(err, errno == ENOENT ? XNR_ERR_NOT_FOUND : XNR_ERR_IO, path, 0,
		                   "--token-file: %s", strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return xnr_fail_at(err, XNR_ERR_INPUT, path, 0, "--token-file: not a regular file");
	/* Like ssh with its keys: a secret others may read is no secret. */
	if (sb.st_mode & 077)
		return xnr_fail_at(err, XNR_ERR_INPUT, path, 0,
		                   "--token-file: other users may read or write it (chmod 600 %s)",
		                   path);
	if ((st = xnr_file_read(path, TOKEN_FILE_MAX, &text, &len, err)) != XNR_OK)
		return st;
	n = strcspn(text, "\r\n");
	if (n < TOKEN_MIN || n > XNR__TOKEN_MAX || strspn(text, TOKEN_CHARS) != n)
		st = xnr_fail_at(err, XNR_ERR_INPUT, path, 1,
		                 "--token-file: the token must be %d to %d characters of A-Z a-z "
		                 "0-9 . _ ~ - (make one with: openssl rand -hex 32 > FILE)",
		                 TOKEN_MIN, XNR__TOKEN_MAX);
	else
		snprintf(out, XNR__TOKEN_MAX + 1, "%.*s", (int)n, text);
	memset(text, 0, len);
	free(text);
	return st;
}

enum xnr_status xnr__token_init(struct xnr__app *app, const char *token_file, int no_token,
                                struct xnr_error *err)
{
	app->token[0] = '\0';
	snprintf(app->cookie, sizeof app->cookie, "xnr_token_%d", app->port);
	if (no_token && token_file)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "--no-token and --token-file: give one of them");
	if (app->remote && !token_file)
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "a server reachable from the network (--host) needs --token-file FILE: "
		    "a secret only you may read (openssl rand -hex 32 > FILE; chmod 600 "
		    "FILE)");
	if (no_token)
		return XNR_OK;
	return token_file ? token_from_file(token_file, app->token, err)
	                  : random_token(app->token, err);
}

int xnr__token_equal(const char *given, size_t len, const char *token)
{
	size_t n = strlen(token), i;
	unsigned char diff = 0;

	/* The length of the token is no secret; its characters are, so every
	 * one is compared whatever the earlier ones were. */
	if (len != n || n == 0)
		return 0;
	for (i = 0; i < n; i++)
		diff |= (unsigned char)(given[i] ^ token[i]);
	return diff == 0;
}

int xnr__host_ok(const struct xnr__app *app, const char *host)
{
	static const char *const loopback[] = {"127.0.0.1", "localhost", "[::1]"};
	const char *end;
	size_t name, i;
	long port;

	if (!host || !host[0])
		return 0;
	if (app->any_host)
		return 1;
	name = host[0] == '[' && (end = strchr(host, ']')) ? (size_t)(end + 1 - host)
	                                                   : strcspn(host, ":");
	if (host[name] == '\0') {
		port = 80; /* a browser leaves the default port out */
	} else {
		size_t digits = strspn(host + name + 1, "0123456789");
		if (host[name] != ':' || digits == 0 || digits > 5 || host[name + 1 + digits])
			return 0;
		port = strtol(host + name + 1, NULL, 10);
	}
	if (port != app->port)
		return 0;
	for (i = 0; i < sizeof loopback / sizeof loopback[0]; i++)
		if (strlen(loopback[i]) == name && strncasecmp(host, loopback[i], name) == 0)
			return 1;
	return app->host[0] && strlen(app->host) == name && strncmp(host, app->host, name) == 0;
}

int xnr__json_type(const char *ct)
{
	static const char json[] = "application/json";
	size_t n = sizeof json - 1;

	if (!ct)
		return 0;
	ct += strspn(ct, " \t");
	return strncasecmp(ct, json, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

/* The value of the first token=... of a raw query (NULL if none; *len its
 * bytes), and the other parameters into rest ("" when none, or when they
 * are not plain visible ASCII fit for a Location header). */
static const char *query_token(const char *query, size_t *len, char *rest, size_t size)
{
	const char *s = query, *found = NULL;
	size_t used = 0, n;

	rest[0] = '\0';
	for (; s && *s; s += n + (s[n] == '&')) {
		n = strcspn(s, "&");
		if (n >= 6 && strncmp(s, "token=", 6) == 0) {
			if (!found) {
				found = s + 6;
				*len = n - 6;
			}
			continue;
		}
		if (used + n + 2 > size) {
			used = 0;
			break;
		}
		used += (size_t)snprintf(rest + used, size - used, "%s%.*s", used ? "&" : "",
		                         (int)n, s);
	}
	for (n = 0; n < used; n++)
		if ((unsigned char)rest[n] <= 0x20 || (unsigned char)rest[n] >= 0x7f)
			used = 0;
	rest[used] = '\0';
	return found;
}

/* "Bearer <token>" of an Authorization header, or NULL. */
static const char *bearer(const char *auth)
{
	if (!auth || strncasecmp(auth, "Bearer", 6) != 0 || (auth[6] != ' ' && auth[6] != '\t'))
		return NULL;
	return auth + 6 + strspn(auth + 6, " \t");
}

/* The token of r: ?token= (a GET), the bearer header, else the cookie. */
static enum xnr__verdict check_token(const struct xnr__req *r, const char *path, const char *query,
                                     char *location, size_t size, char *why, size_t why_size)
{
	const struct xnr__app *app = r->app;
	int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	char rest[XNR__QUERY_MAX_BYTES + 2];
	const char *given = NULL;
	size_t len = 0;

	if (get && (given = query_token(query, &len, rest, sizeof rest)) != NULL) {
		if (xnr__token_equal(given, len, app->token)) {
			snprintf(location, size, "%s%s%s", path, rest[0] ? "?" : "", rest);
			return XNR__REDIRECT;
		}
	} else if ((given = bearer(xnr__req_header(r, "Authorization"))) != NULL ||
	           (given = xnr__req_cookie(r, app->cookie))) {
		if (xnr__token_equal(given, strlen(given), app->token))
			return XNR__PASS;
	}
	snprintf(why, why_size,
	         "%s: open the address explainer serve printed at its start "
	         "(http://127.0.0.1:%d/?token=...; the token changes at every start), or send "
	         "\"Authorization: Bearer <token>\"",
	         given ? "wrong token" : "no token", app->port);
	return XNR__REFUSE_TOKEN;
}

enum xnr__verdict xnr__guard_host(const struct xnr__req *r, char *why, size_t why_size)
{
	if (xnr__host_ok(r->app, xnr__req_header(r, "Host")))
		return XNR__PASS;
	snprintf(why, why_size,
	         "Host header: not a name of this server (open http://127.0.0.1:%d/; other names "
	         "are refused, so a page cannot rebind its name to this machine)",
	         r->app->port);
	return XNR__REFUSE_HOST;
}

enum xnr__verdict xnr__guard_token(const struct xnr__req *r, const char *path, const char *query,
                                   char *location, size_t size, char *why, size_t why_size)
{
	if (!r->app->token[0])
		return XNR__PASS;
	return check_token(r, path, query, location, size, why, why_size);
}

enum xnr__verdict xnr__guard_change(const struct xnr__req *r, int has_body, char *why,
                                    size_t why_size)
{
	const char *site = xnr__req_header(r, "Sec-Fetch-Site");
	const char *origin = xnr__req_header(r, "Origin");
	const char *host = xnr__req_header(r, "Host");
	int post_put = strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0;

	/* A browser says where a request comes from; "none" is the user's own
	 * action (the address bar), "same-origin" the server's pages. */
	if ((site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) ||
	    (origin &&
	     (strncmp(origin, "http://", 7) != 0 || !host || strcasecmp(origin + 7, host) != 0))) {
		snprintf(why, why_size,
		         "%s %s: refused from another origin or site (only this server's own "
		         "pages may change things)",
		         r->method, r->path);
		return XNR__REFUSE_ORIGIN;
	}
	if ((post_put || has_body) && !xnr__json_type(xnr__req_header(r, "Content-Type"))) {
		snprintf(
		    why, why_size,
		    "%s %s: the body must be JSON sent with \"Content-Type: application/json\"",
		    r->method, r->path);
		return XNR__REFUSE_MEDIA;
	}
	return XNR__PASS;
}

char *xnr__token_page(const struct xnr__app *app)
{
	static const char fmt[] =
	    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<title>ExplaiNER: open the address with the token</title></head>\n"
	    "<body style=\"font-family: sans-serif; max-width: 40em; margin: 3em auto\">\n"
	    "<h1>ExplaiNER needs its access token</h1>\n"
	    "<p>This server answers only requests that carry the token it printed when it "
	    "started. Open the address <code>explainer serve</code> printed in its terminal:</p>\n"
	    "<pre>ExplaiNER serving RUN.db at http://127.0.0.1:%d/?token=...</pre>\n"
	    "<p>The token changes every time the server starts; the address sets a cookie for "
	    "this browser, so later visits of <code>http://127.0.0.1:%d/</code> need no token "
	    "until the server restarts. Scripts send <code>Authorization: Bearer "
	    "TOKEN</code>.</p>\n"
	    "</body></html>\n";
	size_t size = sizeof fmt + 16;
	char *page = malloc(size);

	if (page)
		snprintf(page, size, fmt, app->port, app->port);
	return page;
}
