/*
 * router.c - the untrusted edge of the server: checking a raw request path
 * (only [A-Za-z0-9/._-], no "..", as ttyd and netdata do), parsing the query
 * string into a fixed-size buffer, strict typed query parameters, and
 * matching "METHOD /path/{id}" route patterns.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

#define NAME_MAX_BYTES 32
#define ID_MAX_DIGITS  18

static int path_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '/' || c == '.' || c == '_' || c == '-';
}

enum xnr_status xnr__target_split(const char *target, char *path, const char **query,
                                  struct xnr_error *err)
{
	size_t q = strcspn(target, "?"), len = q, i;

	if (len > XNR__PATH_MAX)
		return xnr_fail(err, XNR_ERR_LIMIT, "path: longer than %d bytes", XNR__PATH_MAX);
	if (len == 0 || target[0] != '/')
		return xnr_fail(err, XNR_ERR_INPUT, "path: must start with '/'");
	for (i = 0; i < len; i++)
		if (!path_char_ok((unsigned char)target[i]))
			return xnr_fail(err, XNR_ERR_INPUT,
			                "path: only letters, digits and / . _ - are allowed");
	if (memmem(target, len, "..", 2))
		return xnr_fail(err, XNR_ERR_INPUT, "path: \"..\" is not allowed");
	memcpy(path, target, len);
	if (len > 1 && path[len - 1] == '/')
		len--;
	path[len] = '\0';
	*query = target[q] == '?' ? target + q + 1 : NULL;
	return XNR_OK;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode one '&'-separated piece [s, e) into dst (NUL-terminated). */
static enum xnr_status decode(const char *s, const char *e, char **dst, struct xnr_error *err)
{
	char *d = *dst;
	while (s < e) {
		int hi, lo;
		if (*s == '+') {
			*d++ = ' ';
			s++;
			continue;
		}
		if (*s != '%') {
			*d++ = *s++;
			continue;
		}
		hi = e - s > 2 ? hex_val(s[1]) : -1;
		lo = hi >= 0 ? hex_val(s[2]) : -1;
		if (lo < 0 || (hi == 0 && lo == 0))
			return xnr_fail(err, XNR_ERR_INPUT,
			                "query: bad %%-escape (want %%XX, not %%00)");
		*d++ = (char)(hi * 16 + lo);
		s += 3;
	}
	*d++ = '\0';
	*dst = d;
	return XNR_OK;
}

static int name_ok(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_");
	return n > 0 && n <= NAME_MAX_BYTES && name[n] == '\0';
}

static enum xnr_status add_param(struct xnr__query *q, const char *s, const char *e, char **d,
                                 struct xnr_error *err)
{
	const char *eq = memchr(s, '=', (size_t)(e - s));
	struct xnr__query_param *p;
	enum xnr_status st;
	int i;

	if (q->n == XNR__QUERY_MAX)
		return xnr_fail(err, XNR_ERR_LIMIT, "query: more than %d parameters",
		                XNR__QUERY_MAX);
	if (!eq || eq == s)
		return xnr_fail(err, XNR_ERR_INPUT, "query: every parameter needs name=value");
	p = &q->p[q->n];
	p->name = *d;
	if ((st = decode(s, eq, d, err)) != XNR_OK)
		return st;
	if (!name_ok(p->name))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "query: parameter names are a-z, 0-9 and _ (at most %d bytes)",
		                NAME_MAX_BYTES);
	p->value = *d;
	if ((st = decode(eq + 1, e, d, err)) != XNR_OK)
		return st;
	if (!xnr__is_text(p->value))
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "query parameter %s: not UTF-8 (percent-encode the UTF-8 bytes of a "
		    "text)",
		    p->name);
	for (i = 0; i < q->n; i++)
		if (strcmp(q->p[i].name, p->name) == 0)
			return xnr_fail(err, XNR_ERR_INPUT, "query parameter %s: given twice",
			                p->name);
	q->n++;
	return XNR_OK;
}

enum xnr_status xnr__query_parse(const char *qs, size_t len, struct xnr__query *q,
                                 struct xnr_error *err)
{
	const char *s = qs, *end = qs + len;
	char *d = q->buf;
	enum xnr_status st;

	q->n = 0;
	if (len > XNR__QUERY_MAX_BYTES)
		return xnr_fail(err, XNR_ERR_LIMIT, "query: longer than %d bytes",
		                XNR__QUERY_MAX_BYTES);
	/* Decoding never grows a piece and adds one NUL per name and value, so
	 * len + 2 bytes hold everything (the '=' and '&' pay for the NULs). */
	while (s < end) {
		const char *e = memchr(s, '&', (size_t)(end - s));
		if (!e)
			e = end;
		if ((st = add_param(q, s, e, &d, err)) != XNR_OK)
			return st;
		s = e + 1;
		if (e != end && s == end)
			return xnr_fail(err, XNR_ERR_INPUT, "query: ends with '&'");
	}
	return XNR_OK;
}

enum xnr_status xnr__query_allow(const struct xnr__query *q, const char *const *names,
                                 struct xnr_error *err)
{
	int i, j;
	for (i = 0; i < q->n; i++) {
		for (j = 0; names[j] && strcmp(names[j], q->p[i].name) != 0; j++)
			;
		if (!names[j])
			return xnr_fail(err, XNR_ERR_INPUT, "query parameter %s: unknown",
			                q->p[i].name);
	}
	return XNR_OK;
}

const char *xnr__query_get(const struct xnr__query *q, const char *name)
{
	int i;
	for (i = 0; i < q->n; i++)
		if (strcmp(q->p[i].name, name) == 0)
			return q->p[i].value;
	return NULL;
}

enum xnr_status xnr__query_int(const struct xnr__query *q, const char *name, int64_t min,
                               int64_t max, int64_t def, int64_t *out, struct xnr_error *err)
{
	const char *v = xnr__query_get(q, name);
	size_t n;

	if (!v) {
		*out = def;
		return XNR_OK;
	}
	n = strspn(v, "0123456789");
	if (n > 0 && n <= ID_MAX_DIGITS && v[n] == '\0') {
		long long x = strtoll(v, NULL, 10);
		if (x >= min && x <= max) {
			*out = x;
			return XNR_OK;
		}
	}
	return xnr_fail(err, XNR_ERR_INPUT,
	                "query parameter %s: wants a whole number from %lld to %lld", name,
	                (long long)min, (long long)max);
}

enum xnr_status xnr__query_real(const struct xnr__query *q, const char *name, double min,
                                double max, double def, double *out, struct xnr_error *err)
{
	const char *v = xnr__query_get(q, name);
	char *end;
	double x;

	if (!v) {
		*out = def;
		return XNR_OK;
	}
	/* strtod also takes spaces, hex, inf and nan: allow plain decimals only. */
	if (v[0] && v[strspn(v, "0123456789.eE+-")] == '\0' && strlen(v) <= 64) {
		x = strtod(v, &end);
		if (end != v && *end == '\0' && isfinite(x) && x >= min && x <= max) {
			*out = x;
			return XNR_OK;
		}
	}
	return xnr_fail(err, XNR_ERR_INPUT, "query parameter %s: wants a number from %g to %g",
	                name, min, max);
}

enum xnr_status xnr__query_choice(const struct xnr__query *q, const char *name,
                                  const char *const *choices, int def, int *out,
                                  struct xnr_error *err)
{
	const char *v = xnr__query_get(q, name);
	char want[256];
	size_t used = 0;
	int i;

	if (!v) {
		*out = def;
		return XNR_OK;
	}
	for (i = 0; choices[i]; i++) {
		if (strcmp(choices[i], v) == 0) {
			*out = i;
			return XNR_OK;
		}
		used += (size_t)snprintf(want + used, sizeof want - used, "%s%s", i ? ", " : "",
		                         choices[i]);
		if (used >= sizeof want)
			used = sizeof want - 1;
	}
	want[used] = '\0';
	return xnr_fail(err, XNR_ERR_INPUT, "query parameter %s: wants one of %s", name, want);
}

/* Match pattern against path, collecting {id} segments; a final "/{*}"
 * matches the rest of the path (at least one more segment). 1 on a match. */
static int match(const char *pat, const char *path, int64_t *ids, int *n_ids)
{
	*n_ids = 0;
	while (*pat && *path) {
		if (strcmp(pat, "/{*}") == 0)
			return path[0] == '/' && path[1] != '\0';
		if (strncmp(pat, "{id}", 4) == 0) {
			size_t n = strspn(path, "0123456789");
			if (n == 0 || n > ID_MAX_DIGITS || (path[0] == '0' && n > 1) ||
			    (path[n] && path[n] != '/') || *n_ids == XNR__PATH_IDS)
				return 0;
			ids[(*n_ids)++] = strtoll(path, NULL, 10);
			pat += 4;
			path += n;
			continue;
		}
		if (*pat++ != *path++)
			return 0;
	}
	return *pat == '\0' && *path == '\0';
}

void xnr__route_methods(const struct xnr__route *routes, size_t n_routes, const char *path,
                        char *buf, size_t size)
{
	int64_t tmp[XNR__PATH_IDS];
	size_t i, used = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < n_routes; i++) {
		const char *m = routes[i].method;
		if (!match(routes[i].pattern, path, tmp, &n) || strstr(buf, m))
			continue;
		if (used + strlen(m) + 12 >= size)
			break;
		used += (size_t)snprintf(buf + used, size - used, "%s%s%s", used ? ", " : "", m,
		                         strcmp(m, "GET") == 0 ? ", HEAD" : "");
	}
}

enum xnr_status xnr__route_find(const struct xnr__route *routes, size_t n_routes,
                                const char *method, const char *path, const struct xnr__route **out,
                                int64_t *ids, int *n_ids, struct xnr_error *err)
{
	int64_t tmp[XNR__PATH_IDS];
	char allowed[64];
	int n;
	size_t i;

	for (i = 0; i < n_routes; i++) {
		if (!match(routes[i].pattern, path, tmp, &n))
			continue;
		if (strcmp(routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
			memcpy(ids, tmp, sizeof tmp);
			*n_ids = n;
			*out = &routes[i];
			return XNR_OK;
		}
	}
	xnr__route_methods(routes, n_routes, path, allowed, sizeof allowed);
	if (allowed[0])
		return xnr_fail(err, XNR_ERR_METHOD,
		                "%s: this method is not allowed here (%s only)", path, allowed);
	return xnr_fail(err, XNR_ERR_NOT_FOUND, "%s: no such resource", path);
}
