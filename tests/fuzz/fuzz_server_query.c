/*
 * fuzz_server_query.c - libFuzzer target for the server's untrusted edge:
 * the raw request target (path checks, query-string parsing, typed
 * parameters, route matching). Seeds: tests/fuzz/corpus/server_query/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const choices[] = {"loss", "id", "errors", NULL};
	static const char *const allowed[] = {"sort", "limit", "min_loss", NULL};
	char path[XNR__PATH_MAX + 1];
	const char *query = NULL;
	const struct xnr__route *routes, *route;
	struct xnr__query q;
	struct xnr_error err;
	int64_t ids[XNR__PATH_IDS], v;
	double d;
	size_t n_routes;
	int n_ids, c;
	char *target = malloc(size + 1);

	if (!target)
		return 0;
	memcpy(target, data, size);
	target[size] = '\0';
	routes = xnr__routes(&n_routes);
	/* What a parser accepts must be what it promises; anything else is a bug. */
	if (xnr__target_split(target, path, &query, &err) == XNR_OK) {
		if (xnr__route_find(routes, n_routes, "GET", path, &route, ids, &n_ids, &err) ==
		        XNR_OK &&
		    (!route || n_ids < 0 || n_ids > XNR__PATH_IDS))
			abort();
		if (query && xnr__query_parse(query, strlen(query), &q, &err) == XNR_OK) {
			enum xnr_status st = xnr__query_allow(&q, allowed, &err);
			if ((st != XNR_OK && st != XNR_ERR_INPUT) ||
			    (xnr__query_int(&q, "limit", 1, 1000, 50, &v, &err) == XNR_OK &&
			     (v < 1 || v > 1000)) ||
			    (xnr__query_real(&q, "min_loss", -1e300, 1e300, 0, &d, &err) ==
			         XNR_OK &&
			     !(d >= -1e300 && d <= 1e300)) ||
			    (xnr__query_choice(&q, "sort", choices, 0, &c, &err) == XNR_OK &&
			     (c < 0 || c > 2)))
				abort();
		}
	}
	/* The query parser must also survive bytes that never pass the path check. */
	if (xnr__query_parse((const char *)data, size, &q, &err) == XNR_OK && q.n > XNR__QUERY_MAX)
		abort();
	free(target);
	return 0;
}
