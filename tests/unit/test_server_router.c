/*
 * test_server_router.c - the untrusted edge of the server: request path
 * checks, query-string parsing, strict typed parameters, route matching,
 * the status -> HTTP table and the parts of the request guard.
 */
#include <stdio.h>
#include <string.h>

#include "server/internal.h"
#include "testutil.h"

static void test_target_split(void **state)
{
	char path[XNR__PATH_MAX + 1], big[XNR__PATH_MAX + 8];
	const char *q = (const char *)1;
	static const char *const bad[] = {"",        "a",      "/a/../b", "/..",  "/a..b",
	                                  "/a%2e",   "/a b",   "/a\\b",   "/a;b", "/\xc3\xa9",
	                                  "/a\r\nb", "//..//", "/a:b",    "/a#b", NULL};
	int i;

	(void)state;
	assert_int_equal(xnr__target_split("/", path, &q, NULL), XNR_OK);
	assert_string_equal(path, "/");
	assert_null(q);
	assert_int_equal(xnr__target_split("/api/v1/?limit=1", path, &q, NULL), XNR_OK);
	assert_string_equal(path, "/api/v1");
	assert_string_equal(q, "limit=1");
	assert_int_equal(xnr__target_split("/a.b_c-D9?", path, &q, NULL), XNR_OK);
	assert_string_equal(path, "/a.b_c-D9");
	assert_string_equal(q, "");
	/* Anything after '?' is the query's business, not the path's. */
	assert_int_equal(xnr__target_split("/a?x=../%00", path, &q, NULL), XNR_OK);
	for (i = 0; bad[i]; i++)
		assert_int_equal(xnr__target_split(bad[i], path, &q, NULL), XNR_ERR_INPUT);
	memset(big, 'a', sizeof big);
	big[0] = '/';
	big[XNR__PATH_MAX] = '\0';
	assert_int_equal(xnr__target_split(big, path, &q, NULL), XNR_OK);
	big[XNR__PATH_MAX] = 'a';
	big[XNR__PATH_MAX + 1] = '\0';
	assert_int_equal(xnr__target_split(big, path, &q, NULL), XNR_ERR_LIMIT);
}

static enum xnr_status parse(const char *s, struct xnr__query *q)
{
	return xnr__query_parse(s, strlen(s), q, NULL);
}

static void test_query_parse(void **state)
{
	struct xnr__query q;
	char big[XNR__QUERY_MAX_BYTES + 2];
	static const char *const bad[] = {"a",
	                                  "=1",
	                                  "a=1&&b=2",
	                                  "a=1&",
	                                  "&a=1",
	                                  "A=1",
	                                  "a-b=1",
	                                  "a=1&a=2",
	                                  "a=%00",
	                                  "a=%4",
	                                  "a=%g1",
	                                  "a%3D=1",
	                                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1",
	                                  NULL};
	int i;

	(void)state;
	assert_int_equal(parse("", &q), XNR_OK);
	assert_int_equal(q.n, 0);
	assert_int_equal(parse("a=1&b_2=x%20y+z&c=", &q), XNR_OK);
	assert_int_equal(q.n, 3);
	assert_string_equal(xnr__query_get(&q, "a"), "1");
	assert_string_equal(xnr__query_get(&q, "b_2"), "x y z");
	assert_string_equal(xnr__query_get(&q, "c"), "");
	assert_null(xnr__query_get(&q, "d"));
	assert_int_equal(parse("%61=%3d", &q), XNR_OK);
	assert_string_equal(xnr__query_get(&q, "a"), "=");
	for (i = 0; bad[i]; i++)
		assert_int_equal(parse(bad[i], &q), XNR_ERR_INPUT);
	assert_int_equal(
	    parse("a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1&l=1&m=1&n=1&o=1&p=1", &q), XNR_OK);
	assert_int_equal(
	    parse("a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1&l=1&m=1&n=1&o=1&p=1&q=1", &q),
	    XNR_ERR_LIMIT);
	/* The longest query fills the buffer exactly (one name, one huge value). */
	memset(big, 'v', sizeof big);
	memcpy(big, "a=", 2);
	big[XNR__QUERY_MAX_BYTES] = '\0';
	assert_int_equal(parse(big, &q), XNR_OK);
	assert_int_equal(strlen(xnr__query_get(&q, "a")), XNR__QUERY_MAX_BYTES - 2);
	big[XNR__QUERY_MAX_BYTES] = 'v';
	big[XNR__QUERY_MAX_BYTES + 1] = '\0';
	assert_int_equal(parse(big, &q), XNR_ERR_LIMIT);
}

static void test_query_typed(void **state)
{
	struct xnr__query q;
	static const char *const bad_int[] = {
	    "", "+5", "-1", "1.5", "1e3", " 1", "1 ", "0x1", "1001", "99999999999999999999", NULL};
	static const char *const bad_real[] = {"",   "nan",   "inf",  "-inf", "0x10", " 1",
	                                       "1 ", "1e999", "1..2", "e",    NULL};
	static const char *const choices[] = {"loss", "id", NULL};
	char qs[64];
	struct xnr_error err;
	int64_t v;
	double d;
	int c, i;

	(void)state;
	assert_int_equal(parse("limit=1000&x=2.5&s=id", &q), XNR_OK);
	assert_int_equal(xnr__query_int(&q, "limit", 1, 1000, 50, &v, NULL), XNR_OK);
	assert_int_equal(v, 1000);
	assert_int_equal(xnr__query_int(&q, "offset", 0, 10, 7, &v, NULL), XNR_OK);
	assert_int_equal(v, 7);
	assert_int_equal(xnr__query_real(&q, "x", -1e9, 1e9, 0, &d, NULL), XNR_OK);
	assert_true(d == 2.5);
	assert_int_equal(xnr__query_choice(&q, "s", choices, 0, &c, NULL), XNR_OK);
	assert_int_equal(c, 1);
	assert_int_equal(xnr__query_choice(&q, "t", choices, 0, &c, NULL), XNR_OK);
	assert_int_equal(c, 0);
	for (i = 0; bad_int[i]; i++) {
		snprintf(qs, sizeof qs, "limit=%s", bad_int[i]);
		assert_int_equal(parse(qs, &q), XNR_OK);
		assert_int_equal(xnr__query_int(&q, "limit", 0, 1000, 50, &v, &err), XNR_ERR_INPUT);
		assert_non_null(strstr(err.msg, "limit"));
	}
	for (i = 0; bad_real[i]; i++) {
		snprintf(qs, sizeof qs, "min_loss=%s", bad_real[i]);
		assert_int_equal(parse(qs, &q), XNR_OK);
		assert_int_equal(xnr__query_real(&q, "min_loss", -1e300, 1e300, 0, &d, &err),
		                 XNR_ERR_INPUT);
		assert_non_null(strstr(err.msg, "min_loss"));
	}
	assert_int_equal(parse("s=LOSS", &q), XNR_OK);
	assert_int_equal(xnr__query_choice(&q, "s", choices, 0, &c, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "loss, id"));
}

static void test_query_allow(void **state)
{
	static const char *const names[] = {"a", "b", NULL};
	static const char *const none[] = {NULL};
	struct xnr__query q;
	struct xnr_error err;

	(void)state;
	assert_int_equal(parse("b=1&a=2", &q), XNR_OK);
	assert_int_equal(xnr__query_allow(&q, names, NULL), XNR_OK);
	assert_int_equal(xnr__query_allow(&q, none, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "b"));
	assert_int_equal(parse("", &q), XNR_OK);
	assert_int_equal(xnr__query_allow(&q, none, NULL), XNR_OK);
}

static enum xnr_status dummy(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	(void)r;
	(void)out;
	(void)err;
	return XNR_OK;
}

static void test_route_find(void **state)
{
	static const struct xnr__route table[] = {
	    {"GET", "/", dummy, NULL, XNR__NO_DB},
	    {"GET", "/api/v1/runs", dummy, NULL, XNR__NO_DB},
	    {"GET", "/api/v1/runs/{id}", dummy, NULL, XNR__NO_DB},
	    {"GET", "/api/v1/runs/{id}/sentences/{id}", dummy, NULL, XNR__NO_DB},
	    {"DELETE", "/api/v1/runs/{id}", dummy, NULL, XNR__NO_DB},
	    {"GET", "/app/{*}", dummy, NULL, XNR__NO_DB},
	};
	static const char *const missing[] = {"/api/v1/runs/01",
	                                      "/api/v1/runs/",
	                                      "/api/v1/runs/x",
	                                      "/api/v1/runs/1x",
	                                      "/api/v1/runs/1/sentences",
	                                      "/api/v1/runs/1/sentences/",
	                                      "/api/v1/runsx",
	                                      "/api/v1/runs/1234567890123456789",
	                                      "/api",
	                                      "/api/v1/runs/1/sentences/2/x",
	                                      NULL};
	const struct xnr__route *r = NULL;
	int64_t ids[XNR__PATH_IDS];
	char allow[64];
	int n, i;

	(void)state;
	assert_int_equal(xnr__route_find(table, 4, "GET", "/", &r, ids, &n, NULL), XNR_OK);
	assert_ptr_equal(r, &table[0]);
	assert_int_equal(xnr__route_find(table, 4, "HEAD", "/api/v1/runs/0", &r, ids, &n, NULL),
	                 XNR_OK);
	assert_ptr_equal(r, &table[2]);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 0);
	assert_int_equal(xnr__route_find(table, 4, "GET",
	                                 "/api/v1/runs/123456789012345678/sentences/42", &r, ids,
	                                 &n, NULL),
	                 XNR_OK);
	assert_ptr_equal(r, &table[3]);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 123456789012345678LL);
	assert_int_equal(ids[1], 42);
	assert_int_equal(xnr__route_find(table, 4, "POST", "/api/v1/runs", &r, ids, &n, NULL),
	                 XNR_ERR_METHOD);
	for (i = 0; missing[i]; i++)
		assert_int_equal(xnr__route_find(table, 4, "GET", missing[i], &r, ids, &n, NULL),
		                 XNR_ERR_NOT_FOUND);
	xnr__route_methods(table, 6, "/api/v1/runs/7", allow, sizeof allow);
	assert_string_equal(allow, "GET, HEAD, DELETE");
	assert_int_equal(xnr__route_find(table, 6, "DELETE", "/api/v1/runs/7", &r, ids, &n, NULL),
	                 XNR_OK);
	assert_ptr_equal(r, &table[4]);
	assert_int_equal(xnr__route_find(table, 6, "GET", "/app/js/x.js", &r, ids, &n, NULL),
	                 XNR_OK);
	assert_ptr_equal(r, &table[5]);
	assert_int_equal(xnr__route_find(table, 6, "GET", "/app", &r, ids, &n, NULL),
	                 XNR_ERR_NOT_FOUND);
}

static void test_error_table(void **state)
{
	json_t *e;
	int s;

	(void)state;
	for (s = 0; s < XNR_STATUS_COUNT; s++) {
		assert_true(xnr__http_status(s) >= 200 && xnr__http_status(s) < 600);
		assert_non_null(xnr__http_code(s));
	}
	assert_int_equal(xnr__http_status(XNR_ERR_NOT_FOUND), 404);
	assert_int_equal(xnr__http_status(XNR_ERR_IO), 500);
	assert_int_equal(xnr__http_status(XNR_ERR_INPUT), 400);
	assert_int_equal(xnr__http_status(XNR_ERR_METHOD), 405);
	assert_int_equal(xnr__http_status(XNR_ERR_UNSUPPORTED), 422);
	assert_int_equal(xnr__http_status(XNR_ERR_DB), 500);
	assert_int_equal(xnr__http_status(XNR_ERR_BUSY), 409);
	assert_int_equal(xnr__http_status(XNR_ERR_LIMIT), 413);
	assert_int_equal(xnr__http_status(XNR_STATUS_COUNT), 500);
	e = xnr__error_json(XNR_ERR_INPUT, "bad \xff byte");
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "error"), "status")),
	                 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "error"), "code")),
	                    "bad_request");
	assert_non_null(json_string_value(json_object_get(json_object_get(e, "error"), "message")));
	json_decref(e);
}

/* The guard's parts (guard.c): Host names, JSON content types, the token
 * comparison, and its refusals' HTTP codes. */
static void test_guard_parts(void **state)
{
	static struct xnr__app app; /* large: not on the stack */
	static const char *const good[] = {"127.0.0.1:8765", "localhost:8765", "LocalHost:8765",
	                                   "[::1]:8765", NULL};
	static const char *const bad[] = {"",
	                                  "evil.example",
	                                  "evil.example:8765",
	                                  "127.0.0.1",
	                                  "127.0.0.1:80",
	                                  "127.0.0.1:08765x",
	                                  "127.0.0.1:8765:1",
	                                  "127.0.0.1.evil:8765",
	                                  "localhost.:8765",
	                                  "[::1]",
	                                  "[::1:8765",
	                                  "10.1.2.3:8765",
	                                  NULL};
	int i;

	(void)state;
	memset(&app, 0, sizeof app);
	app.port = 8765;
	for (i = 0; good[i]; i++)
		assert_true(xnr__host_ok(&app, good[i]));
	for (i = 0; bad[i]; i++)
		assert_false(xnr__host_ok(&app, bad[i]));
	assert_false(xnr__host_ok(&app, NULL));
	snprintf(app.host, sizeof app.host, "10.1.2.3"); /* --host 10.1.2.3 */
	assert_true(xnr__host_ok(&app, "10.1.2.3:8765"));
	assert_false(xnr__host_ok(&app, "10.1.2.30:8765"));
	app.port = 80; /* a browser leaves the default port out */
	assert_true(xnr__host_ok(&app, "localhost"));
	app.any_host = 1; /* --host 0.0.0.0: the token decides */
	assert_true(xnr__host_ok(&app, "evil.example"));

	assert_true(xnr__json_type("application/json"));
	assert_true(xnr__json_type(" Application/JSON; charset=utf-8"));
	assert_false(xnr__json_type("application/jsonp"));
	assert_false(xnr__json_type("text/plain"));
	assert_false(xnr__json_type("application/x-www-form-urlencoded"));
	assert_false(xnr__json_type(NULL));

	assert_true(xnr__token_equal("abc123", 6, "abc123"));
	assert_false(xnr__token_equal("abc124", 6, "abc123"));
	assert_false(xnr__token_equal("abc12", 5, "abc123"));
	assert_false(xnr__token_equal("abc1234", 7, "abc123"));
	assert_false(xnr__token_equal("", 0, "")); /* no token set: nothing matches */

	assert_int_equal(xnr__verdict_http(XNR__REFUSE_HOST), 421);
	assert_int_equal(xnr__verdict_http(XNR__REFUSE_TOKEN), 401);
	assert_int_equal(xnr__verdict_http(XNR__REFUSE_ORIGIN), 403);
	assert_int_equal(xnr__verdict_http(XNR__REFUSE_MEDIA), 415);
	assert_int_equal(xnr__verdict_http(XNR__PASS), 500);
	assert_string_equal(xnr__verdict_code(XNR__REFUSE_TOKEN), "unauthorized");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_target_split), cmocka_unit_test(test_query_parse),
	    cmocka_unit_test(test_query_typed),  cmocka_unit_test(test_query_allow),
	    cmocka_unit_test(test_route_find),   cmocka_unit_test(test_error_table),
	    cmocka_unit_test(test_guard_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
