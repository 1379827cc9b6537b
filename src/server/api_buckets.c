/*
 * api_buckets.c - the Buckets page's data: GET /api/v1/runs/{id}/buckets
 * (the run's entity F1 bucketed by ExplainaBoard's attributes, each bucket
 * with its bootstrap interval and first cases). Optional: compare (a second
 * run of the database, bucketed with the same edges), edges (fixed upper
 * edges, "span_length:1,2;sentence_length:10,40"), buckets (per numeric
 * attribute, default 4), samples (cases per bucket, default 20), seed,
 * resamples, level. The numbers are the report module's
 * (xnr_report_buckets), what `explainer report --buckets --json` prints.
 */
#include "report/report.h"
#include "server/internal.h"

#define SAMPLES_MAX 200
#define SEED_MAX    0x7fffffff

static enum xnr_status api_buckets(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {"compare", "edges",     "buckets", "samples",
	                                      "seed",    "resamples", "level",   NULL};
	struct xnr_bucket_params p = xnr_bucket_default_params();
	int64_t compare = 0, k = 0, samples = 0, seed = 0, resamples = 0;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__query_int(&r->query, "compare", 1, INT64_MAX, 0, &compare, err)) != XNR_OK ||
	    (st = xnr__query_int(&r->query, "buckets", 1, XNR_BUCKET_MAX, p.n_continuous, &k,
	                         err)) != XNR_OK ||
	    (st = xnr__query_int(&r->query, "samples", 0, SAMPLES_MAX, p.samples, &samples, err)) !=
	        XNR_OK ||
	    (st = xnr__query_int(&r->query, "seed", 0, SEED_MAX, (int64_t)p.boot.seed, &seed,
	                         err)) != XNR_OK ||
	    (st = xnr__query_int(&r->query, "resamples", 1, XNR_BOOT_MAX_RESAMPLES,
	                         p.boot.n_resamples, &resamples, err)) != XNR_OK ||
	    (st = xnr__query_real(&r->query, "level", 0.5, 0.999, p.boot.level, &p.boot.level,
	                          err)) != XNR_OK ||
	    (st = xnr_bucket_edges_parse(xnr__query_get(&r->query, "edges"), &p, err)) != XNR_OK)
		return st;
	p.n_continuous = (int)k;
	p.samples = (int)samples;
	p.boot.seed = (uint64_t)seed;
	p.boot.n_resamples = (int)resamples;
	p.boot.n_threads = XNR__BOOT_THREADS;
	return xnr_report_buckets(r->store, r->ids[0], compare, &p, out, err);
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/buckets", api_buckets, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(buckets, routes);
