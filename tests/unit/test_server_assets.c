/*
 * test_server_assets.c - the web app's static files (assets.c): lookups in
 * the packed table, gzip negotiation, ETag / If-None-Match -> 304, caching
 * headers, the MIME table, /app/pages.json, and requests that try to leave
 * the asset set (packed and --assets-dir, including a link out of the dir).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "server/assets.h"
#include "testutil.h"

/* Answer path with the given headers (dir NULL: packed); *out is reset first. */
static enum xnr_status ask(const char *path, const char *ae, const char *inm, const char *dir,
                           struct xnr__resp *out)
{
	struct xnr__asset_ask a = {path, ae, inm, dir};
	struct xnr_error err;

	memset(out, 0, sizeof *out);
	xnr_error_clear(&err);
	return xnr__asset_answer(&a, out, &err);
}

static void release(struct xnr__resp *r)
{
	if (!r->borrowed)
		free(r->data);
	memset(r, 0, sizeof *r);
}

static void test_packed_lookup(void **state)
{
	struct xnr__resp r;
	size_t i;

	(void)state;
	assert_true(xnr__n_assets >= 6);
	for (i = 1; i < xnr__n_assets; i++) /* sorted: the server bsearches */
		assert_true(strcmp(xnr__assets[i - 1].name, xnr__assets[i].name) < 0);
	assert_int_equal(ask("/", NULL, NULL, NULL, &r), XNR_OK);
	assert_int_equal(r.http, 0);
	assert_true(r.borrowed);
	assert_string_equal(r.content_type, "text/html; charset=utf-8");
	assert_null(r.encoding);
	assert_string_equal(r.cache_control, "no-cache");
	assert_true(r.len > 100 && memmem(r.data, r.len, "/app/app.js", 11));
	assert_true(r.etag[0] == '"' && r.etag[strlen(r.etag) - 1] == '"');
	assert_int_equal(ask("/app/lib/api.js", NULL, NULL, NULL, &r), XNR_OK);
	assert_string_equal(r.content_type, "text/javascript; charset=utf-8");
	assert_int_equal(ask("/app/style.css", NULL, NULL, NULL, &r), XNR_OK);
	assert_string_equal(r.content_type, "text/css; charset=utf-8");
	assert_int_equal(ask("/vendor/plotly.min.js", NULL, NULL, NULL, &r), XNR_OK);
	assert_true(r.len > 1000000);
	assert_string_equal(r.cache_control, "public, max-age=604800");
	assert_int_equal(ask("/vendor/tabulator.min.css", NULL, NULL, NULL, &r), XNR_OK);
	assert_string_equal(r.content_type, "text/css; charset=utf-8");
	assert_int_equal(ask("/vendor/tabulator_esm.min.js", NULL, NULL, NULL, &r), XNR_OK);
}

/* The packer's string literals decode to the exact bytes, and its ETags are
 * the ones --assets-dir computes (so switching modes keeps browser caches). */
static void test_packed_bytes(void **state)
{
	static const char *const vendor[][2] = {
	    {"/vendor/plotly.min.js", "web/node_modules/.cache/explainer/plotly.min.js"},
	    {"/vendor/tabulator_esm.min.js",
	     "web/node_modules/tabulator-tables/dist/js/tabulator_esm.min.js"},
	    {"/vendor/tabulator.min.css",
	     "web/node_modules/tabulator-tables/dist/css/tabulator.min.css"},
	};
	struct xnr__resp packed, disk;
	char *data = NULL;
	size_t i, len = 0;

	(void)state;
	for (i = 0; i < sizeof vendor / sizeof vendor[0]; i++) {
		assert_int_equal(xnr_file_read(tu_src(vendor[i][1]), 64u << 20, &data, &len, NULL),
		                 XNR_OK);
		assert_int_equal(ask(vendor[i][0], NULL, NULL, NULL, &packed), XNR_OK);
		assert_int_equal(packed.len, len);
		assert_memory_equal(packed.data, data, len);
		free(data);
		assert_int_equal(ask(vendor[i][0], NULL, NULL, tu_src("web"), &disk), XNR_OK);
		assert_string_equal(disk.etag, packed.etag);
		release(&disk);
	}
}

static void test_gzip(void **state)
{
	static const char *const yes[] = {"gzip", "deflate, gzip",     "gzip;q=0.5", "x-gzip",
	                                  "*",    " br ,  gzip ; q=1", NULL};
	static const char *const no[] = {"",         "deflate, br", "gzip;q=0", "gzip; q=0.0",
	                                 "identity", "gzipx",       "xgzip",    NULL};
	struct xnr__resp r;
	char etag[72];
	int i;

	(void)state;
	assert_int_equal(ask("/app/app.js", NULL, NULL, NULL, &r), XNR_OK);
	snprintf(etag, sizeof etag, "%s", r.etag);
	for (i = 0; yes[i]; i++) {
		assert_int_equal(ask("/app/app.js", yes[i], NULL, NULL, &r), XNR_OK);
		assert_non_null(r.encoding);
		assert_string_equal(r.encoding, "gzip");
		assert_true(r.len > 2 && (unsigned char)r.data[0] == 0x1f &&
		            (unsigned char)r.data[1] == 0x8b);
		/* Another body, another validator. */
		assert_string_not_equal(r.etag, etag);
	}
	for (i = 0; no[i]; i++) {
		assert_int_equal(ask("/app/app.js", no[i], NULL, NULL, &r), XNR_OK);
		assert_null(r.encoding);
		assert_string_equal(r.etag, etag);
	}
}

static void test_not_modified(void **state)
{
	struct xnr__resp r;
	char etag[72], list[200], weak[80];

	(void)state;
	assert_int_equal(ask("/app/app.js", "gzip", NULL, NULL, &r), XNR_OK);
	snprintf(etag, sizeof etag, "%s", r.etag);
	assert_int_equal(ask("/app/app.js", "gzip", etag, NULL, &r), XNR_OK);
	assert_int_equal(r.http, 304);
	assert_null(r.data);
	assert_int_equal(r.len, 0);
	assert_string_equal(r.etag, etag);
	assert_string_equal(r.cache_control, "no-cache");
	snprintf(list, sizeof list, "\"abc\", %s , \"def\"", etag);
	assert_int_equal(ask("/app/app.js", "gzip", list, NULL, &r), XNR_OK);
	assert_int_equal(r.http, 304);
	snprintf(weak, sizeof weak, "W/%s", etag);
	assert_int_equal(ask("/app/app.js", "gzip", weak, NULL, &r), XNR_OK);
	assert_int_equal(r.http, 304);
	assert_int_equal(ask("/app/app.js", "gzip", "*", NULL, &r), XNR_OK);
	assert_int_equal(r.http, 304);
	/* The gzip validator does not match the raw body. */
	assert_int_equal(ask("/app/app.js", NULL, etag, NULL, &r), XNR_OK);
	assert_int_equal(r.http, 0);
	assert_non_null(r.data);
	assert_int_equal(ask("/app/app.js", "gzip", "\"nope\"", NULL, &r), XNR_OK);
	assert_int_equal(r.http, 0);
	assert_int_equal(ask("/app/app.js", "gzip", "", NULL, &r), XNR_OK);
	assert_int_equal(r.http, 0);
}

static const char *const outside[] = {"/app/../app.js",
                                      "/app/%2e%2e/x",
                                      "/app/.hidden.js",
                                      "/app//app.js",
                                      "/app/",
                                      "/app",
                                      "/vendor/",
                                      "/vendor/../app/app.js",
                                      "/vendor/nothing.js",
                                      "/etc/passwd",
                                      "/app/node_modules/playwright-core/package.json",
                                      "/app/assets.cmake",
                                      "/app/x.exe",
                                      "/app/lib/../app.js",
                                      "/app/lib/./api.js",
                                      "/app/lib/api.js/",
                                      "/application.js",
                                      "/app/pages/nosuchpage.js",
                                      "//app/app.js",
                                      "/app/app.js\\x",
                                      "/api/v1",
                                      "",
                                      NULL};

static void test_outside(void **state)
{
	struct xnr__resp r;
	char big[600];
	int i;

	(void)state;
	for (i = 0; outside[i]; i++) {
		assert_int_equal(ask(outside[i], "gzip", NULL, NULL, &r), XNR_ERR_NOT_FOUND);
		assert_null(r.data);
	}
	memset(big, 'a', sizeof big);
	memcpy(big, "/app/", 5);
	memcpy(big + sizeof big - 4, ".js", 4);
	assert_int_equal(ask(big, NULL, NULL, NULL, &r), XNR_ERR_NOT_FOUND);
	assert_int_equal(ask(NULL, NULL, NULL, NULL, &r), XNR_ERR_NOT_FOUND);
}

static void test_mime(void **state)
{
	(void)state;
	assert_string_equal(xnr__asset_mime("a.html"), "text/html; charset=utf-8");
	assert_string_equal(xnr__asset_mime("a/b.js"), "text/javascript; charset=utf-8");
	assert_string_equal(xnr__asset_mime("b.mjs"), "text/javascript; charset=utf-8");
	assert_string_equal(xnr__asset_mime("c.css"), "text/css; charset=utf-8");
	assert_string_equal(xnr__asset_mime("i.svg"), "image/svg+xml");
	assert_string_equal(xnr__asset_mime("i.png"), "image/png");
	assert_string_equal(xnr__asset_mime("d.json"), "application/json; charset=utf-8");
	assert_string_equal(xnr__asset_mime("e.js.map"), "application/json; charset=utf-8");
	assert_null(xnr__asset_mime("f.JS"));
	assert_null(xnr__asset_mime("noext"));
	assert_null(xnr__asset_mime("dir.js/file"));
	assert_null(xnr__asset_mime("x.cmake"));
	assert_null(xnr__asset_mime(""));
}

static void test_pages_json(void **state)
{
	struct xnr__resp r;
	json_t *j, *pages;
	size_t i, n_packed = 0;

	(void)state;
	/* A page is a module, pages/<id>.js; its style sheet pages/<id>.css is not one. */
	for (i = 0; i < xnr__n_assets; i++) {
		const char *name = xnr__assets[i].name;
		size_t len = strlen(name);
		n_packed +=
		    strncmp(name, "app/pages/", 10) == 0 && strcmp(name + len - 3, ".js") == 0;
	}
	assert_int_equal(ask("/app/pages.json", "gzip", NULL, NULL, &r), XNR_OK);
	assert_string_equal(r.content_type, "application/json; charset=utf-8");
	assert_false(r.borrowed);
	j = json_loadb(r.data, r.len, 0, NULL);
	assert_non_null(j);
	pages = json_object_get(j, "pages");
	assert_true(json_is_array(pages));
	assert_int_equal(json_array_size(pages), n_packed);
	for (i = 1; i < json_array_size(pages); i++)
		assert_true(strcmp(json_string_value(json_array_get(pages, i - 1)),
		                   json_string_value(json_array_get(pages, i))) < 0);
	json_decref(j);
	release(&r);
}

/* --assets-dir: files read per request, same checks, a link out is refused. */
static void test_dir(void **state)
{
	const char *dir;
	char sub[4400], secret_dir[4096], linkpath[4400], etag[72];
	struct xnr__resp r;
	int i;

	(void)state;
	snprintf(secret_dir, sizeof secret_dir, "%s", tu_tmpdir("assets_secret"));
	tu_write(secret_dir, "secret.js", "secret", 6);
	dir = tu_tmpdir("assets_dir"); /* tu_tmpdir's buffer is shared: made second */
	tu_write(dir, "index.html", "<html>hi</html>", 15);
	tu_write(dir, "app.js", "let x = 1;\n", 11);
	snprintf(sub, sizeof sub, "%s/pages", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	tu_write(sub, "b.js", "b", 1);
	tu_write(sub, "a.js", "a", 1);
	tu_write(sub, ".hidden.js", "h", 1);
	tu_write(sub, "notes.txt", "n", 1);
	snprintf(linkpath, sizeof linkpath, "%s/leak.js", dir);
	snprintf(sub, sizeof sub, "%s/secret.js", secret_dir);
	assert_int_equal(symlink(sub, linkpath), 0);

	assert_int_equal(ask("/", "gzip", NULL, dir, &r), XNR_OK);
	assert_int_equal(r.len, 15);
	assert_memory_equal(r.data, "<html>hi</html>", 15);
	assert_null(r.encoding); /* from disk: sent as is */
	assert_string_equal(r.content_type, "text/html; charset=utf-8");
	snprintf(etag, sizeof etag, "%s", r.etag);
	release(&r);
	assert_int_equal(ask("/app/index.html", NULL, etag, dir, &r), XNR_OK);
	assert_int_equal(r.http, 304);
	assert_null(r.data);
	release(&r);
	assert_int_equal(ask("/app/app.js", NULL, NULL, dir, &r), XNR_OK);
	assert_string_not_equal(r.etag, etag);
	release(&r);
	assert_int_equal(ask("/app/leak.js", NULL, NULL, dir, &r), XNR_ERR_NOT_FOUND);
	assert_null(r.data);
	assert_int_equal(ask("/vendor/plotly.min.js", NULL, NULL, dir, &r), XNR_ERR_NOT_FOUND);
	for (i = 0; outside[i]; i++)
		assert_int_equal(ask(outside[i], NULL, NULL, dir, &r), XNR_ERR_NOT_FOUND);
	assert_int_equal(ask("/app/app.js", NULL, NULL, "/nonexistent-xnr-dir", &r), XNR_ERR_IO);

	assert_int_equal(ask("/app/pages.json", NULL, NULL, dir, &r), XNR_OK);
	assert_int_equal(r.len, strlen("{\"pages\":[\"a\",\"b\"]}"));
	assert_memory_equal(r.data, "{\"pages\":[\"a\",\"b\"]}", r.len);
	release(&r);
	/* The repository's own web/ with its node_modules serves the vendor files. */
	assert_int_equal(ask("/vendor/tabulator.min.css", NULL, NULL, tu_src("web"), &r), XNR_OK);
	assert_true(r.len > 1000);
	assert_string_equal(r.cache_control, "no-cache");
	release(&r);
}

static void test_routes(void **state)
{
	const struct xnr__route *routes;
	size_t n, i;

	(void)state;
	routes = xnr__routes_assets.routes;
	n = xnr__routes_assets.n;
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		assert_string_equal(routes[i].method, "GET");
		assert_null(routes[i].fn);
		assert_non_null(routes[i].raw);
	}
	assert_string_equal(routes[0].pattern, "/");
	assert_string_equal(routes[1].pattern, "/app/{*}");
	assert_string_equal(routes[2].pattern, "/vendor/{*}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_packed_lookup), cmocka_unit_test(test_packed_bytes),
	    cmocka_unit_test(test_gzip),          cmocka_unit_test(test_not_modified),
	    cmocka_unit_test(test_outside),       cmocka_unit_test(test_mime),
	    cmocka_unit_test(test_pages_json),    cmocka_unit_test(test_dir),
	    cmocka_unit_test(test_routes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
