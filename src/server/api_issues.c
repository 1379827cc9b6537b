/*
 * api_issues.c - the label issues of a scored run (`explainer issues`,
 * issues/issues.h), for the Label issues page and the Metrics page's
 * leakage: GET /api/v1/runs/{id}/issues (a page of ranked sentences,
 * entities or words, filtered by kind, signal and entity type),
 * .../issues/summary (how they were computed, the out-of-sample note, the
 * leakage into the reference) and .../issues/sentences/{id}/words/{id} (one
 * word's evidence). A run without scores is a 404 saying how to make them.
 * This file turns queries into struct xnr_issue_query; the JSON is the
 * issues module's.
 */
#include <string.h>

#include "issues/issues.h"
#include "server/internal.h"

#define PAGE_MAX     500
#define PAGE_DEFAULT 50
#define OFFSET_MAX   1000000000
#define TEXT_MAX     64

static const char *const levels[] = {"sentence", "entity", "word", NULL};
static const char *const kinds[] = {"type", "boundary", "missing", "spurious", NULL};

/* The run must exist: its 404 comes before "no scores". */
static enum xnr_status run_exists(struct xnr__req *r, struct xnr_error *err)
{
	struct xnr_run run;
	enum xnr_status st = xnr__req_run(r, &run, err);

	if (st == XNR_OK)
		xnr_run_free(&run);
	return st;
}

static enum xnr_status query_parse(const struct xnr__query *qs, struct xnr_issue_query *q,
                                   struct xnr_error *err)
{
	static const char *const allowed[] = {"level", "kind",   "signal", "type",
	                                      "limit", "offset", NULL};
	int level, kind, signal;
	enum xnr_status st;

	if ((st = xnr__query_allow(qs, allowed, err)) != XNR_OK ||
	    (st = xnr__query_choice(qs, "level", levels, 0, &level, err)) != XNR_OK ||
	    (st = xnr__query_choice(qs, "kind", kinds, -1, &kind, err)) != XNR_OK ||
	    (st = xnr__query_choice(qs, "signal", xnr_issue_signal_names, 0, &signal, err)) !=
	        XNR_OK ||
	    (st = xnr__query_int(qs, "limit", 1, PAGE_MAX, PAGE_DEFAULT, &q->limit, err)) !=
	        XNR_OK ||
	    (st = xnr__query_int(qs, "offset", 0, OFFSET_MAX, 0, &q->offset, err)) != XNR_OK)
		return st;
	q->level = (enum xnr_issue_level)level;
	q->kind = kind >= 0 ? kinds[kind] : NULL;
	q->signal = (enum xnr_issue_filter)signal;
	q->type = xnr__query_get(qs, "type");
	if (q->type && (!q->type[0] || strlen(q->type) > TEXT_MAX))
		return xnr_fail(err, XNR_ERR_INPUT, "query parameter type: 1 to %d bytes",
		                TEXT_MAX);
	return XNR_OK;
}

/* GET /api/v1/runs/{id}/issues */
static enum xnr_status api_list(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	struct xnr_issue_query q = xnr_issue_query_default(r->ids[0], XNR_ISSUE_SENTENCE);
	enum xnr_status st;

	if ((st = query_parse(&r->query, &q, err)) != XNR_OK || (st = run_exists(r, err)) != XNR_OK)
		return st;
	return xnr_issues_list_json(r->store, &q, out, err);
}

/* GET /api/v1/runs/{id}/issues/summary */
static enum xnr_status api_summary(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	enum xnr_status st;
	static const char *const none[] = {NULL};

	if ((st = xnr__query_allow(&r->query, none, err)) != XNR_OK ||
	    (st = run_exists(r, err)) != XNR_OK)
		return st;
	return xnr_issues_summary_json(r->store, r->ids[0], out, err);
}

/* GET /api/v1/runs/{id}/issues/sentences/{id}/words/{id} */
static enum xnr_status api_word(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	enum xnr_status st;
	static const char *const none[] = {NULL};

	if ((st = xnr__query_allow(&r->query, none, err)) != XNR_OK ||
	    (st = run_exists(r, err)) != XNR_OK)
		return st;
	if (r->ids[1] > 0x7fffffff || r->ids[2] > 0x7fffffff)
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "run %lld: no such word",
		                (long long)r->ids[0]);
	return xnr_issues_word_json(r->store, r->ids[0], (int)r->ids[1], (int)r->ids[2], out, err);
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/issues", api_list, NULL, XNR__DB},
    {"GET", "/api/v1/runs/{id}/issues/summary", api_summary, NULL, XNR__DB},
    {"GET", "/api/v1/runs/{id}/issues/sentences/{id}/words/{id}", api_word, NULL, XNR__DB},
};
XNR__ROUTE_GROUP(issues, routes);
