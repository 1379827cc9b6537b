/*
 * api_verdicts.c - a reviewer's verdicts on a run's words over HTTP, what
 * the Label issues page records and every sentence's badge shows:
 * GET /api/v1/runs/{id}/verdicts (those on the run's data, with their state
 * against it), POST (a new one), GET, PUT and DELETE .../verdicts/{vid}.
 * Verdicts are kept with the data, not the run (store/verdicts.h); the JSON
 * is the review module's, the same as `explainer verdict --list --json`.
 * Reads use the request's read-only store; changes open a store of their
 * own and pass the guard's checks for changes first (guard.c).
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "review/review.h"
#include "server/internal.h"
#include "store/store.h"
#include "store/verdicts.h"

#define SENTENCE_MAX 0x7fffffff

/* A verdict's reviewer when the body names none: the user the server runs
 * as (it answers only that user: docs/api.md, Access), as the CLI does. */
static const char *default_who(char *buf, size_t size)
{
	struct passwd pw, *found = NULL;
	const char *user = getenv("USER");

	if (user && user[0])
		return user;
	if (getpwuid_r(geteuid(), &pw, buf, size, &found) == 0 && found && found->pw_name[0])
		return found->pw_name;
	return "reviewer";
}

/* GET /api/v1/runs/{id}/verdicts[?sentence=N] */
static enum xnr_status api_list(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {"sentence", NULL};
	struct xnr_verdict *v = NULL;
	size_t n = 0;
	int64_t sentence;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__query_int(&r->query, "sentence", 0, SENTENCE_MAX, -1, &sentence, err)) !=
	        XNR_OK ||
	    (st = xnr_store_verdicts(r->store, r->ids[0], sentence, &v, &n, err)) != XNR_OK)
		return st;
	if (!(*out = xnr_review_verdicts_json(v, n)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "verdicts: out of memory");
	xnr_verdicts_free(v, n);
	return st;
}

/* Verdict id of run as the answer, read through store. */
static enum xnr_status answer(struct xnr_store *store, int64_t run, int64_t id, json_t **out,
                              struct xnr_error *err)
{
	struct xnr_verdict v;
	enum xnr_status st = xnr_store_verdict_get(store, run, id, &v, err);

	if (st != XNR_OK)
		return st;
	if (!(*out = xnr_review_verdict_json(&v)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "verdict: out of memory");
	xnr_verdict_free(&v);
	return st;
}

/* GET /api/v1/runs/{id}/verdicts/{vid} */
static enum xnr_status api_get(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const none[] = {NULL};
	enum xnr_status st = xnr__query_allow(&r->query, none, err);

	return st != XNR_OK ? st : answer(r->store, r->ids[0], r->ids[1], out, err);
}

/* The fields every change may carry, checked for type before the review
 * module reads them (its messages name a missing field, not a wrong one). */
static enum xnr_status check_fields(const json_t *body, const char *const *allowed,
                                    struct xnr_error *err)
{
	static const char *const texts[] = {"kind", "who", "why"};
	const json_t *labels = json_object_get(body, "labels");
	enum xnr_status st = xnr__body_allow(body, allowed, err);
	const char *s;

	for (size_t i = 0; st == XNR_OK && i < sizeof texts / sizeof texts[0]; i++)
		st = xnr__body_str(body, texts[i], &s, err);
	if (st == XNR_OK && labels && !json_is_null(labels) && !json_is_array(labels))
		st = xnr_fail(err, XNR_ERR_INPUT,
		              "body field labels: wants an array of label names, one per word of "
		              "the span");
	return st;
}

/* POST /api/v1/runs/{id}/verdicts: {"sentence", "start", "end"?, "kind",
 * "labels"?, "who"?, "why"?}; answers 201 with the new verdict. */
static enum xnr_status api_add(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {"sentence", "start", "end", "kind",
	                                      "labels",   "who",   "why", NULL};
	static const char *const none[] = {NULL};
	struct xnr_verdict_request req = {0};
	struct xnr_store *store = NULL;
	char buf[1024];
	int64_t id = 0, v;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, none, err)) != XNR_OK ||
	    (st = check_fields(r->body, allowed, err)) != XNR_OK ||
	    (st = xnr__body_int(r->body, "sentence", 0, SENTENCE_MAX, 0, &v, err)) != XNR_OK ||
	    (st = xnr__body_int(r->body, "start", 0, 1 << 20, 0, &v, err)) != XNR_OK ||
	    (st = xnr__body_int(r->body, "end", 1, 1 << 20, 1, &v, err)) != XNR_OK ||
	    (st = xnr_review_verdict_request(r->body, default_who(buf, sizeof buf), &req, err)) !=
	        XNR_OK)
		return st;
	if ((st = xnr_store_open(r->app->db_path, 0, &store, err)) == XNR_OK &&
	    (st = xnr_verdict_add(store, r->ids[0], req.sentence, &req.in, &id, err)) == XNR_OK &&
	    (st = answer(store, r->ids[0], id, out, err)) == XNR_OK)
		r->http = 201;
	xnr_store_close(store);
	xnr_verdict_request_free(&req);
	return st;
}

/* The labels of a PUT body (n of them, borrowed) into in; none is fine. */
static enum xnr_status put_labels(const json_t *body, int n, const char **labels,
                                  struct xnr_verdict_input *in, struct xnr_error *err)
{
	const json_t *a = json_object_get(body, "labels");

	in->labels = NULL;
	if (!a || json_is_null(a))
		return XNR_OK;
	if (json_array_size(a) != (size_t)n)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "body field labels: wants %d label names, one per word of the "
		                "verdict's span",
		                n);
	for (int i = 0; i < n; i++)
		if (!(labels[i] = json_string_value(json_array_get(a, (size_t)i))))
			return xnr_fail(err, XNR_ERR_INPUT,
			                "body field labels: label %d is not a string", i + 1);
	in->labels = labels;
	return XNR_OK;
}

/* PUT /api/v1/runs/{id}/verdicts/{vid}: {"kind", "labels"?, "who"?, "why"?}:
 * a new decision on the same words (a verdict keeps its span). */
static enum xnr_status api_put(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {"kind", "labels", "who", "why", NULL};
	static const char *const none[] = {NULL};
	struct xnr_verdict_input in = {0};
	struct xnr_verdict old = {0};
	struct xnr_store *store = NULL;
	const char **labels = NULL, *kind = NULL;
	char buf[1024];
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, none, err)) != XNR_OK ||
	    (st = check_fields(r->body, allowed, err)) != XNR_OK ||
	    (st = xnr__body_str(r->body, "kind", &kind, err)) != XNR_OK)
		return st;
	if (!kind || xnr_verdict_kind_parse(kind, &in.kind) != 0)
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "body field kind: wants one of label_error, model_error, ambiguous, "
		    "skip");
	in.who = default_who(buf, sizeof buf);
	if ((st = xnr__body_str(r->body, "who", &in.who, err)) != XNR_OK ||
	    (st = xnr__body_str(r->body, "why", &in.why, err)) != XNR_OK ||
	    (st = xnr_store_open(r->app->db_path, 0, &store, err)) != XNR_OK ||
	    (st = xnr_store_verdict_get(store, r->ids[0], r->ids[1], &old, err)) != XNR_OK)
		goto done;
	in.start = old.start;
	in.end = old.end;
	if (!(labels = calloc((size_t)(old.end - old.start), sizeof *labels)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "verdict: out of memory");
	else if ((st = put_labels(r->body, old.end - old.start, labels, &in, err)) == XNR_OK &&
	         (st = xnr_verdict_update(store, r->ids[0], r->ids[1], &in, err)) == XNR_OK)
		st = answer(store, r->ids[0], r->ids[1], out, err);
done:
	free(labels);
	xnr_verdict_free(&old);
	xnr_store_close(store);
	return st;
}

/* DELETE /api/v1/runs/{id}/verdicts/{vid}: only a verdict on the run's data. */
static enum xnr_status api_delete(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const none[] = {NULL};
	struct xnr_verdict old = {0};
	struct xnr_store *store = NULL;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, none, err)) == XNR_OK &&
	    (st = xnr_store_open(r->app->db_path, 0, &store, err)) == XNR_OK &&
	    (st = xnr_store_verdict_get(store, r->ids[0], r->ids[1], &old, err)) == XNR_OK &&
	    (st = xnr_verdict_delete(store, r->ids[1], err)) == XNR_OK &&
	    !(*out = json_pack("{s:I}", "deleted", (json_int_t)r->ids[1])))
		st = xnr_fail(err, XNR_ERR_NOMEM, "verdict: out of memory");
	xnr_verdict_free(&old);
	xnr_store_close(store);
	return st;
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/verdicts", api_list, NULL, XNR__DB},
    {"POST", "/api/v1/runs/{id}/verdicts", api_add, NULL, XNR__NO_DB},
    {"GET", "/api/v1/runs/{id}/verdicts/{id}", api_get, NULL, XNR__DB},
    {"PUT", "/api/v1/runs/{id}/verdicts/{id}", api_put, NULL, XNR__NO_DB},
    {"DELETE", "/api/v1/runs/{id}/verdicts/{id}", api_delete, NULL, XNR__NO_DB},
};
XNR__ROUTE_GROUP(verdicts, routes);
