/*
 * assets.c - the web app's static files: GET / (index.html), /app/<path>
 * (web/) and /vendor/<file> (two npm files and the Plotly bundle built from
 * npm). Served from the table packed at build time (tools/pack_assets, gzip +
 * ETag, as ttyd and netdata do) or, with `serve --assets-dir DIR`, read from
 * DIR on every request for UI work.
 * A request can never leave the asset set: names are re-checked here (the
 * router already refuses odd characters and ".."), hidden and node_modules
 * paths are refused, and a file read from DIR must resolve inside DIR.
 * /app/pages.json lists the page modules present, so the shell can say
 * "not available in this build" without asking for a file that is not there.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/hash.h"
#include "server/assets.h"
#include "server/internal.h"

#define DIR_FILE_MAX (32u << 20) /* a file read from --assets-dir */
#define ETAG_CHARS   20          /* hex digits of SHA-256, as tools/pack_assets */
#define CACHE_APP    "no-cache"  /* revalidate every time: the ETag makes it cheap */
#define CACHE_VENDOR "public, max-age=604800"
#define NAME_MAX_LEN 256

/* Where --assets-dir keeps the vendor files (web/assets.cmake packs the same;
 * it also builds the Plotly bundle there). */
static const char *const vendor_files[][2] = {
    {"vendor/plotly.min.js", "node_modules/.cache/explainer/plotly.min.js"},
    {"vendor/tabulator_esm.min.js", "node_modules/tabulator-tables/dist/js/tabulator_esm.min.js"},
    {"vendor/tabulator.min.css", "node_modules/tabulator-tables/dist/css/tabulator.min.css"},
};

/* 1 if every '/'-separated segment of s is non-empty, does not start with
 * '.' and has only [A-Za-z0-9._-]. */
static int clean_segments(const char *s)
{
	const char *p = s;

	if (!*s)
		return 0;
	while (*p) {
		size_t n =
		    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
		if (n == 0 || p[0] == '.')
			return 0;
		p += n;
		if (*p == '/' && p[1])
			p++;
		else if (*p)
			return 0;
	}
	return 1;
}

/* The table name of a URL path ("/" -> "app/index.html"), or NULL. */
static const char *asset_name(const char *path, char *buf, size_t size)
{
	const char *rest;

	if (strcmp(path, "/") == 0)
		path = "/app/index.html";
	if (strncmp(path, "/app/", 5) == 0)
		rest = path + 5;
	else if (strncmp(path, "/vendor/", 8) == 0)
		rest = path + 8;
	else
		return NULL;
	if (strlen(path) >= size || !clean_segments(rest) || !xnr__asset_mime(rest))
		return NULL;
	/* node_modules is reached only through /vendor/ and its three files. */
	if (strncmp(rest, "node_modules/", 13) == 0)
		return NULL;
	memcpy(buf, path + 1, strlen(path + 1) + 1);
	return buf;
}

static int by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct xnr__asset *)elem)->name);
}

/* A comma-separated header list item by item, spaces trimmed. */
static const char *next_item(const char *s, size_t *len)
{
	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	*len = strcspn(s, ",");
	while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
	return *s ? s : NULL;
}

/* Accept-Encoding takes gzip: "gzip", "x-gzip" or "*", unless its q is 0. */
static int takes_gzip(const char *h)
{
	size_t len;

	for (; h && (h = next_item(h, &len)) != NULL; h += len) {
		size_t name = strcspn(h, " \t;");
		const char *q;
		if (name > len)
			name = len;
		if (!((name == 4 && strncmp(h, "gzip", 4) == 0) ||
		      (name == 6 && strncmp(h, "x-gzip", 6) == 0) || (name == 1 && h[0] == '*')))
			continue;
		q = memmem(h, len, "q=", 2);
		return !q || strtod(q + 2, NULL) > 0;
	}
	return 0;
}

/* If-None-Match names etag (weak comparison, as RFC 9110 says for it), or is "*". */
static int etag_matches(const char *h, const char *etag)
{
	size_t len, n = strlen(etag);

	for (; h && (h = next_item(h, &len)) != NULL; h += len) {
		const char *t = h;
		size_t tl = len;
		if (tl == 1 && t[0] == '*')
			return 1;
		if (tl > 2 && strncmp(t, "W/", 2) == 0) {
			t += 2;
			tl -= 2;
		}
		if (tl == n && memcmp(t, etag, n) == 0)
			return 1;
	}
	return 0;
}

static enum xnr_status from_table(const char *name, int gzip, struct xnr__resp *out,
                                  struct xnr_error *err)
{
	const struct xnr__asset *a =
	    bsearch(name, xnr__assets, xnr__n_assets, sizeof *xnr__assets, by_name);

	if (!a)
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "/%s: no such file in the web app", name);
	gzip = gzip && a->gz_len > 0;
	out->data = (char *)(gzip ? a->gz : a->raw);
	out->len = gzip ? a->gz_len : a->raw_len;
	out->borrowed = 1;
	out->content_type = a->mime;
	out->encoding = gzip ? "gzip" : NULL;
	snprintf(out->etag, sizeof out->etag, "%s", gzip ? a->etag_gz : a->etag);
	return XNR_OK;
}

/* dir/rel resolved with links; must stay under dir's own resolved path. */
static enum xnr_status resolve_inside(const char *dir, const char *rel, char *out,
                                      struct xnr_error *err)
{
	char root[PATH_MAX], joined[PATH_MAX];
	size_t n;
	enum xnr_status st;

	if (!realpath(dir, root))
		return xnr_fail(err, XNR_ERR_IO, "--assets-dir %s: cannot open the folder", dir);
	if ((st = xnr_path_join(joined, sizeof joined, root, rel, err)) != XNR_OK)
		return st;
	if (!realpath(joined, out))
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "/%s: no such file in %s", rel, dir);
	n = strlen(root);
	if (strncmp(out, root, n) != 0 || out[n] != '/')
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "/%s: leads outside %s (refused)", rel,
		                dir);
	return XNR_OK;
}

static enum xnr_status from_dir(const char *dir, const char *name, struct xnr__resp *out,
                                struct xnr_error *err)
{
	char path[PATH_MAX], hex[XNR_SHA256_HEX];
	const char *rel = NULL;
	struct xnr_sha256 *h = NULL;
	enum xnr_status st;
	size_t i;

	if (strncmp(name, "app/", 4) == 0)
		rel = name + 4;
	for (i = 0; !rel && i < sizeof vendor_files / sizeof vendor_files[0]; i++)
		if (strcmp(name, vendor_files[i][0]) == 0)
			rel = vendor_files[i][1];
	if (!rel)
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "/%s: no such file in the web app", name);
	if ((st = resolve_inside(dir, rel, path, err)) != XNR_OK ||
	    (st = xnr_file_read(path, DIR_FILE_MAX, &out->data, &out->len, err)) != XNR_OK)
		return st;
	if ((st = xnr_sha256_open(&h, err)) != XNR_OK) {
		free(out->data);
		out->data = NULL;
		return st;
	}
	xnr_sha256_update(h, out->data, out->len);
	xnr_sha256_hex(h, hex);
	xnr_sha256_close(h);
	snprintf(out->etag, sizeof out->etag, "\"%.*s\"", ETAG_CHARS, hex);
	out->content_type = xnr__asset_mime(name);
	return XNR_OK;
}

static int page_file(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && strcmp(name + n - 3, ".js") == 0 && clean_segments(name) &&
	       !strchr(name, '/');
}

/* The page ids ("home", ...) of web/pages/<id>.js into arr, packed or in dir. */
static enum xnr_status list_pages(const char *dir, json_t *arr, struct xnr_error *err)
{
	char path[PATH_MAX];
	struct dirent *e;
	enum xnr_status st;
	DIR *d;
	size_t i;

	if (!dir) {
		for (i = 0; i < xnr__n_assets; i++)
			if (strncmp(xnr__assets[i].name, "app/pages/", 10) == 0 &&
			    page_file(xnr__assets[i].name + 10))
				json_array_append_new(
				    arr, json_stringn(xnr__assets[i].name + 10,
				                      strlen(xnr__assets[i].name) - 13));
		return XNR_OK;
	}
	if ((st = resolve_inside(dir, "pages", path, err)) != XNR_OK)
		return XNR_OK; /* no pages/ folder: no pages */
	if (!(d = opendir(path)))
		return xnr_fail(err, XNR_ERR_IO, "%s: cannot list the folder", path);
	while ((e = readdir(d)) != NULL)
		if (page_file(e->d_name))
			json_array_append_new(arr, json_stringn(e->d_name, strlen(e->d_name) - 3));
	closedir(d);
	return XNR_OK;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
	              json_string_value(*(json_t *const *)b));
}

/* GET /app/pages.json: {"pages": ["home", ...]} sorted, with an ETag. */
static enum xnr_status pages_json(const char *dir, struct xnr__resp *out, struct xnr_error *err)
{
	json_t *arr = json_array(), *sorted = NULL, *body = NULL, *items[64];
	struct xnr_sha256 *h = NULL;
	char hex[XNR_SHA256_HEX];
	enum xnr_status st;
	size_t i, n;

	if (!arr)
		return xnr_fail(err, XNR_ERR_NOMEM, "pages.json: out of memory");
	if ((st = list_pages(dir, arr, err)) != XNR_OK)
		goto fail;
	n = json_array_size(arr) < 64 ? json_array_size(arr) : 64;
	for (i = 0; i < n; i++)
		items[i] = json_array_get(arr, i);
	qsort(items, n, sizeof(json_t *), by_string);
	sorted = json_array();
	for (i = 0; sorted && i < n; i++)
		json_array_append(sorted, items[i]);
	body = sorted ? json_pack("{s:O}", "pages", sorted) : NULL;
	out->data = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (!out->data || (st = xnr_sha256_open(&h, err)) != XNR_OK) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "pages.json: out of memory");
		goto fail;
	}
	out->len = strlen(out->data);
	xnr_sha256_update(h, out->data, out->len);
	xnr_sha256_hex(h, hex);
	xnr_sha256_close(h);
	snprintf(out->etag, sizeof out->etag, "\"%.*s\"", ETAG_CHARS, hex);
	out->content_type = "application/json; charset=utf-8";
fail:
	if (st != XNR_OK) {
		free(out->data);
		out->data = NULL;
	}
	json_decref(arr);
	json_decref(sorted);
	json_decref(body);
	return st;
}

enum xnr_status xnr__asset_answer(const struct xnr__asset_ask *ask, struct xnr__resp *out,
                                  struct xnr_error *err)
{
	char buf[NAME_MAX_LEN];
	const char *name = ask->path ? asset_name(ask->path, buf, sizeof buf) : NULL;
	enum xnr_status st;

	if (!name)
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "%s: no such file in the web app",
		                ask->path ? ask->path : "(no path)");
	if (strcmp(name, "app/pages.json") == 0)
		st = pages_json(ask->assets_dir, out, err);
	else if (ask->assets_dir)
		st = from_dir(ask->assets_dir, name, out, err);
	else
		st = from_table(name, takes_gzip(ask->accept_encoding), out, err);
	if (st != XNR_OK)
		return st;
	out->cache_control =
	    !ask->assets_dir && strncmp(name, "vendor/", 7) == 0 ? CACHE_VENDOR : CACHE_APP;
	if (ask->if_none_match && etag_matches(ask->if_none_match, out->etag)) {
		if (!out->borrowed)
			free(out->data);
		out->data = NULL;
		out->len = 0;
		out->borrowed = 1;
		out->http = 304;
	}
	return XNR_OK;
}

static enum xnr_status serve(struct xnr__req *r, struct xnr__resp *out, struct xnr_error *err)
{
	struct xnr__asset_ask ask;

	ask.path = r->path;
	ask.accept_encoding = xnr__req_header(r, "Accept-Encoding");
	ask.if_none_match = xnr__req_header(r, "If-None-Match");
	ask.assets_dir = r->app ? r->app->assets_dir : NULL;
	return xnr__asset_answer(&ask, out, err);
}

static const struct xnr__route routes[] = {
    {"GET", "/", NULL, serve, XNR__NO_DB},
    {"GET", "/app/{*}", NULL, serve, XNR__NO_DB},
    {"GET", "/vendor/{*}", NULL, serve, XNR__NO_DB},
};

XNR__ROUTE_GROUP(assets, routes);
