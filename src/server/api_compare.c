/*
 * api_compare.c - the Compare page's data: GET /api/v1/compare?a=1&b=2
 * (two runs side by side: per-type scores of both with the difference, its
 * paired bootstrap interval and p-value, McNemar's test, the sentences and
 * entities B fixed and broke). Optional: type (lists of one entity type),
 * top (list lengths, default 20), seed, resamples, level (the bootstrap).
 * The comparison is the report module's (report/compare.h), what
 * `explainer compare --json` prints; this file parses parameters and shows
 * the runs' paths as every answer does (xnr__path_shown: a server on the
 * network names no absolute path of its machine).
 */
#include "report/compare.h"
#include "server/internal.h"

#define TOP_MAX  1000
#define SEED_MAX 0x7fffffff

/* The model and data paths of run `side` ("a" or "b") as answers show them. */
static void show_paths(const struct xnr__app *app, json_t *o, const char *side)
{
	static const char *const keys[] = {"model_path", "data_path"};
	json_t *run = json_object_get(o, side);
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *p = json_string_value(json_object_get(run, keys[i]));
		if (p)
			json_object_set_new(run, keys[i], json_string(xnr__path_shown(app, p)));
	}
}

static enum xnr_status api_compare(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {"a",    "b",         "type",  "top",
	                                      "seed", "resamples", "level", NULL};
	struct xnr_compare_params p = xnr_compare_default_params();
	int64_t a = 0, b = 0, top = 0, seed = 0, resamples = 0;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__query_int(&r->query, "a", 0, INT64_MAX, 0, &a, err)) != XNR_OK ||
	    (st = xnr__query_int(&r->query, "b", 0, INT64_MAX, 0, &b, err)) != XNR_OK ||
	    (st = xnr__query_int(&r->query, "top", 0, TOP_MAX, p.top, &top, err)) != XNR_OK ||
	    (st = xnr__query_int(&r->query, "seed", 0, SEED_MAX, (int64_t)p.boot.seed, &seed,
	                         err)) != XNR_OK ||
	    (st = xnr__query_int(&r->query, "resamples", 1, XNR_BOOT_MAX_RESAMPLES,
	                         p.boot.n_resamples, &resamples, err)) != XNR_OK ||
	    (st = xnr__query_real(&r->query, "level", 0.5, 0.999, p.boot.level, &p.boot.level,
	                          err)) != XNR_OK)
		return st;
	if (!a || !b)
		return xnr_fail(err, XNR_ERR_INPUT, "compare: give both runs, ?a=ID&b=ID");
	p.top = (long)top;
	p.boot.seed = (uint64_t)seed;
	p.boot.n_resamples = (int)resamples;
	p.boot.n_threads = XNR__BOOT_THREADS;
	p.type = xnr__query_get(&r->query, "type");
	if ((st = xnr_report_compare(r->store, a, b, &p, out, err)) == XNR_OK) {
		show_paths(r->app, *out, "a");
		show_paths(r->app, *out, "b");
	}
	return st;
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/compare", api_compare, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(compare, routes);
