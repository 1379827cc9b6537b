/*
 * assets.h - the web app's static files as the server sees them: the table
 * that tools/pack_assets generates at build time (web/ and three npm files,
 * each raw and gzipped, with its MIME type and ETag), the one MIME table
 * shared by the packer and the server, and the lookup assets.c serves from.
 * Layout mirrors ttyd/netdata: packed assets, gzip + ETag, a folder for UI work.
 */
#ifndef XNR_SERVER_ASSETS_H
#define XNR_SERVER_ASSETS_H

#include <stddef.h>
#include <string.h>

#include "core/status.h"
#include "server/internal.h"

/* One packed file. name is its URL path without the leading '/':
 * "app/index.html", "app/lib/api.js", "vendor/plotly.min.js". */
struct xnr__asset {
	const char *name;
	const char *mime;
	const char *etag;    /* quoted strong validator of raw: "\"<sha256 prefix>\"" */
	const char *etag_gz; /* of gz: "\"<sha256 prefix>-gz\"" */
	const unsigned char *raw;
	size_t raw_len;
	const unsigned char *gz;
	size_t gz_len;
};

/* The generated table (build dir, from tools/pack_assets), sorted by name. */
extern const struct xnr__asset xnr__assets[];
extern const size_t xnr__n_assets;

/* The Content-Type for a file name by its extension, or NULL when the web app
 * does not serve that kind of file. */
static inline const char *xnr__asset_mime(const char *name)
{
	static const char *const table[][2] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".json", "application/json; charset=utf-8"},
	    {".map", "application/json; charset=utf-8"},
	};
	const char *dot = strrchr(name, '.');
	size_t i;

	if (!dot || strchr(dot, '/'))
		return NULL;
	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(dot, table[i][0]) == 0)
			return table[i][1];
	return NULL;
}

/* What a client sent that decides the answer (headers may be NULL). */
struct xnr__asset_ask {
	const char *path;            /* the checked URL path: "/", "/app/...", "/vendor/..." */
	const char *accept_encoding; /* Accept-Encoding */
	const char *if_none_match;   /* If-None-Match */
	const char *assets_dir;      /* serve from this folder, or NULL: packed */
};

/* Answer a static file request into *out (zeroed by the caller): 200 with the
 * body (packed bytes are borrowed; read from assets_dir they are owned by
 * out), or 304 when If-None-Match holds its ETag. gzip when the client takes
 * it and a packed gz copy exists. Files outside the asset set (unknown name,
 * other extension, hidden or node_modules path, a link leading out of
 * assets_dir) are XNR_ERR_NOT_FOUND (404). Errors: XNR_ERR_NOT_FOUND, XNR_ERR_IO
 * (--assets-dir unreadable), XNR_ERR_LIMIT (a file
 * in assets_dir over 32 MiB), XNR_ERR_NOMEM. Thread safe. */
XNR_MUST_CHECK enum xnr_status xnr__asset_answer(const struct xnr__asset_ask *ask,
                                                 struct xnr__resp *out, struct xnr_error *err);

#endif
