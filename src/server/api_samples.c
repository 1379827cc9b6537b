/*
 * api_samples.c - a run's words and sub-tokens as tables, for the Inspect and
 * Raw data pages: GET /api/v1/runs/{id}/words and .../tokens (paged, sorted
 * and filtered by the store, label ids as names) and the rows the same
 * filters pass, in the same order, as downloads (.../words.csv,
 * .../tokens.jsonl, ...: export.c). This file turns the query into a struct
 * xnr_word_query and rows into JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

#define PAGE_MAX     1000
#define PAGE_DEFAULT 100
#define OFFSET_MAX   1000000000
#define FILTER_MAX   200

/* In enum xnr_word_sort order. */
static const char *const sort_names[] = {"position", "loss", "prob", "entropy", "text", NULL};

static enum xnr_status text_param(const struct xnr__query *q, const char *name, const char **out,
                                  struct xnr_error *err)
{
	*out = xnr__query_get(q, name);
	if (*out && strlen(*out) > FILTER_MAX)
		return xnr_fail(err, XNR_ERR_INPUT, "query parameter %s: at most %d bytes", name,
		                FILTER_MAX);
	if (*out && !**out)
		*out = NULL;
	return XNR_OK;
}

/* The query into p; *gold and *pred get the label names asked for. */
static enum xnr_status page_parse(const struct xnr__query *q, struct xnr_word_query *p,
                                  const char **gold, const char **pred, struct xnr_error *err)
{
	static const char *const allowed[] = {"sort", "order", "limit", "offset", "q",
	                                      "case", "gold",  "pred",  "errors", NULL};
	static const char *const orders[] = {"asc", "desc", NULL};
	static const char *const flags[] = {"0", "1", NULL};
	int sort, order;
	enum xnr_status st;

	if ((st = xnr__query_allow(q, allowed, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "sort", sort_names, 0, &sort, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "order", orders, -1, &order, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "errors", flags, 0, &p->errors, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "case", flags, 0, &p->match_case, err)) != XNR_OK ||
	    (st = xnr__query_int(q, "limit", 1, PAGE_MAX, PAGE_DEFAULT, &p->limit, err)) !=
	        XNR_OK ||
	    (st = xnr__query_int(q, "offset", 0, OFFSET_MAX, 0, &p->offset, err)) != XNR_OK ||
	    (st = text_param(q, "q", &p->text, err)) != XNR_OK ||
	    (st = text_param(q, "gold", gold, err)) != XNR_OK)
		return st;
	p->sort = (enum xnr_word_sort)sort;
	/* position and text ascend by default, the measures descend */
	p->ascending =
	    order < 0 ? sort == XNR_WORD_BY_POSITION || sort == XNR_WORD_BY_TEXT : order == 0;
	return text_param(q, "pred", pred, err);
}

static int is_tokens(const char *path)
{
	return strstr(path, "/tokens") != NULL;
}

/* The rows q asks for as a JSON array. */
static enum xnr_status table_items(struct xnr__req *r, const struct xnr_run *run,
                                   const struct xnr_word_query *q, json_t **out,
                                   struct xnr_error *err)
{
	struct xnr_rows *rows = NULL;
	struct xnr_word_row w;
	struct xnr_token_row t;
	json_t *items = json_array();
	enum xnr_status st;
	int more = 0;

	if (!items)
		return xnr_fail(err, XNR_ERR_NOMEM, "tables: out of memory");
	if ((st = xnr_store_words(r->store, q, &rows, err)) == XNR_OK)
		while ((st = q->tokens ? xnr_rows_token(rows, &t, &more, err)
		                       : xnr_rows_word(rows, &w, &more, err)) == XNR_OK &&
		       more)
			if (json_array_append_new(
			        items, q->tokens ? xnr__token_json(run, &t, XNR__SHAPE_TABLE)
			                         : xnr__word_json(run, &w, XNR__SHAPE_TABLE))) {
				st = xnr_fail(err, XNR_ERR_NOMEM, "tables: out of memory");
				break;
			}
	xnr_rows_close(rows);
	if (st != XNR_OK) {
		json_decref(items);
		return st;
	}
	*out = items;
	return XNR_OK;
}

/* GET /api/v1/runs/{id}/words and /tokens: a page of rows and the total. */
static enum xnr_status api_table(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	struct xnr_word_query q = xnr_word_query_default(r->ids[0]);
	const char *gold = NULL, *pred = NULL, *name = is_tokens(r->path) ? "tokens" : "words";
	struct xnr_run run;
	int64_t total = 0;
	json_t *items = NULL;
	enum xnr_status st;

	q.tokens = is_tokens(r->path);
	if ((st = page_parse(&r->query, &q, &gold, &pred, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	if ((st = xnr__label_param(&run, "gold", gold, &q.gold, err)) == XNR_OK &&
	    (st = xnr__label_param(&run, "pred", pred, &q.pred, err)) == XNR_OK &&
	    (st = xnr_store_words_count(r->store, &q, &total, err)) == XNR_OK &&
	    (st = table_items(r, &run, &q, &items, err)) == XNR_OK) {
		*out =
		    json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)total, "limit",
		              (json_int_t)q.limit, "offset", (json_int_t)q.offset, "items", items);
		if (!*out)
			st = xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", name);
	}
	xnr_run_free(&run);
	return st;
}

/* Every row q asks for into x, with a header line. */
static enum xnr_status export_rows(struct xnr__req *r, const struct xnr_run *run,
                                   const struct xnr_word_query *q, struct xnr__export *x,
                                   struct xnr_error *err)
{
	struct xnr_rows *rows = NULL;
	struct xnr_word_row w;
	struct xnr_token_row t;
	enum xnr_status st;
	int more = 0;

	memset(&w, 0, sizeof w);
	memset(&t, 0, sizeof t);
	xnr__export_head(x, q->tokens ? xnr__token_json(run, &t, XNR__SHAPE_TABLE)
	                              : xnr__word_json(run, &w, XNR__SHAPE_TABLE));
	if ((st = xnr_store_words(r->store, q, &rows, err)) == XNR_OK)
		while (!x->oom &&
		       (st = q->tokens ? xnr_rows_token(rows, &t, &more, err)
		                       : xnr_rows_word(rows, &w, &more, err)) == XNR_OK &&
		       more)
			xnr__export_row(x, q->tokens ? xnr__token_json(run, &t, XNR__SHAPE_TABLE)
			                             : xnr__word_json(run, &w, XNR__SHAPE_TABLE));
	xnr_rows_close(rows);
	return st;
}

/* GET .../words.csv, .../tokens.csv and their .jsonl: every row the grid's
 * filters pass, in its order (the grid's parameters but its paging). */
static enum xnr_status api_export(struct xnr__req *r, struct xnr__resp *out, struct xnr_error *err)
{
	static const char *const export_allowed[] = {"sort", "order", "q",      "case",
	                                             "gold", "pred",  "errors", NULL};
	struct xnr_word_query q = xnr_word_query_default(r->ids[0]);
	const char *gold = NULL, *pred = NULL, *name = is_tokens(r->path) ? "tokens" : "words";
	struct xnr__export x;
	struct xnr_run run;
	enum xnr_status st;

	q.tokens = is_tokens(r->path);
	if ((st = xnr__query_allow(&r->query, export_allowed, err)) != XNR_OK ||
	    (st = page_parse(&r->query, &q, &gold, &pred, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	xnr__export_init(&x, r->path); /* after the checks: a refused request holds no stream */
	q.limit = -1;
	if ((st = xnr__label_param(&run, "gold", gold, &q.gold, err)) == XNR_OK &&
	    (st = xnr__label_param(&run, "pred", pred, &q.pred, err)) == XNR_OK)
		st = export_rows(r, &run, &q, &x, err);
	xnr_run_free(&run);
	if (st != XNR_OK) {
		xnr__export_free(&x);
		return st;
	}
	return xnr__export_answer(&x, r, name, out, err);
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/words", api_table, NULL, XNR__DB},
    {"GET", "/api/v1/runs/{id}/tokens", api_table, NULL, XNR__DB},
    {"GET", "/api/v1/runs/{id}/words.csv", NULL, api_export, XNR__DB},
    {"GET", "/api/v1/runs/{id}/tokens.csv", NULL, api_export, XNR__DB},
    {"GET", "/api/v1/runs/{id}/words.jsonl", NULL, api_export, XNR__DB},
    {"GET", "/api/v1/runs/{id}/tokens.jsonl", NULL, api_export, XNR__DB},
};

XNR__ROUTE_GROUP(samples, routes);
