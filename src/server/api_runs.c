/*
 * api_runs.c - the API index and the runs resource: GET /api/v1 (what the
 * API offers), GET /api/v1/runs (every stored run with its micro F1) and
 * GET /api/v1/runs/{id} (one run: labels, options, scheme and summary as
 * JSON objects). Columns follow docs/schema.md; their JSON: rows_json.c.
 */
#include <string.h>

#include "server/internal.h"

/* GET /api/v1: what the API offers, every route of the table in order. */
static enum xnr_status api_index(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	const struct xnr__route *all;
	json_t *list = json_array(), *body;
	size_t i, n;

	all = xnr__routes(&n);
	for (i = 0; list && i < n; i++)
		if (strncmp(all[i].pattern, "/api/", 5) == 0)
			json_array_append_new(list,
			                      json_sprintf("%s %s", all[i].method, all[i].pattern));
	body = json_pack("{s:s,s:s,s:o*}", "name", "ExplaiNER", "version", r->version, "endpoints",
	                 list);
	if (!body)
		return xnr_fail(err, XNR_ERR_NOMEM, "index: out of memory");
	*out = body;
	return XNR_OK;
}

static enum xnr_status api_runs(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct xnr_run *runs = NULL;
	json_t *items;
	size_t i, n = 0;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr_store_runs(r->store, &runs, &n, err)) != XNR_OK)
		return st;
	items = json_array();
	for (i = 0; items && i < n; i++)
		if (json_array_append_new(items, xnr__run_json(r->app, &runs[i], 0)) != 0) {
			json_decref(items);
			items = NULL;
		}
	xnr_runs_free(runs, n);
	*out = items ? json_pack("{s:o}", "items", items) : NULL;
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "runs: out of memory");
}

static enum xnr_status api_run(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct xnr_run run;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	*out = xnr__run_json(r->app, &run, 1);
	xnr_run_free(&run);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "runs: out of memory");
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1", api_index, NULL, XNR__NO_DB},
    {"GET", "/api/v1/runs", api_runs, NULL, XNR__DB},
    {"GET", "/api/v1/runs/{id}", api_run, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(runs, routes);
