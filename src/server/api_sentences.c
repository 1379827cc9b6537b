/*
 * api_sentences.c - lists of a run's sentences: GET /api/v1/runs/{id}/sentences
 * (paged, sorted and filtered by the store: every list of the pages, from
 * Samples by Loss to the Search page and the lists a click opens; POST with
 * the ids in a body), optionally with each sentence's words (one extra query
 * for the page) and the words that put it in the list ("marks", for the
 * pages to highlight), and the same list whole as a download
 * (.../sentences.csv, .../sentences.jsonl). This file turns the query into
 * a struct xnr_sentence_query; the sentences of a cell of the entity error
 * taxonomy come from the run's metrics (api_metrics.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

#define PAGE_MAX     1000
#define PAGE_DEFAULT 50
#define OFFSET_MAX   1000000000
#define IDS_MAX      1000 /* sentence ids in one `ids` filter */
#define ID_DIGITS    9    /* digits of one id in `ids` (runs stay below 10^9 sentences) */
#define FILTER_MAX   200  /* bytes of a word, sub-token or type filter */

/* In enum xnr_sentence_sort, enum xnr_text_mode order. */
static const char *const sort_names[] = {"loss", "id", "errors", "random", NULL};
static const char *const mode_names[] = {"words", "entity", "regex", NULL};
static const char *const order_names[] = {"desc", "asc", NULL};
static const char *const bool_names[] = {"0", "1", NULL};

/* The filters and order of a list: its page's parameters, and its
 * download's (every parameter but the paging and what is added to items). */
#define FILTERS                                                                                    \
	"sort", "order", "seed", "min_loss", "max_loss", "skip_correct", "gold", "pred", "ids",    \
	    "q", "mode", "gold_type", "pred_type", "error_kind", "error_type", "word", "subtoken", \
	    "pinned"
static const char *const page_params[] = {FILTERS, "limit", "offset", "words", "marks", NULL};
static const char *const export_params[] = {FILTERS, NULL};

struct page {
	struct xnr_sentence_query q;
	int words, marks;
	unsigned error_kinds;    /* error_kind: taxonomy kinds (a bit set), 0 for none */
	const char *error_type;  /* error_kind's entity type, NULL for any */
	struct xnr__marks cells; /* error_kind: its sentences and their entities */
	int64_t ids[IDS_MAX];
};

/* "3,17,42" (at most IDS_MAX ids, digits without leading zeros) into the
 * query's id filter; no filter when s is NULL. */
static enum xnr_status ids_parse(const char *s, struct page *p, struct xnr_error *err)
{
	size_t n = 0, digits = 0;
	int64_t id = 0;
	const char *c;

	if (!s)
		return XNR_OK;
	for (c = s;; c++) {
		if (*c >= '0' && *c <= '9') {
			if ((digits == 1 && c[-1] == '0') || ++digits > ID_DIGITS)
				goto bad;
			id = id * 10 + (*c - '0');
			continue;
		}
		if ((*c != ',' && *c != '\0') || digits == 0)
			goto bad;
		if (n < IDS_MAX)
			p->ids[n] = id;
		digits = 0;
		id = 0;
		n++;
		if (*c == '\0')
			break;
	}
	if (n > IDS_MAX)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "ids: %zu sentence ids, at most %d in one request", n, IDS_MAX);
	p->q.by_ids = 1;
	p->q.ids = p->ids;
	p->q.n_ids = n;
	return XNR_OK;
bad:
	return xnr_fail(err, XNR_ERR_INPUT,
	                "ids: wants sentence ids separated by commas, like ids=3,17,42");
}

/* POST: the body {"ids": [3, 17, 42]} (at most IDS_MAX ids) as the `ids`
 * filter, for more ids than a query string holds. */
static enum xnr_status body_ids(const json_t *body, const struct xnr__query *q, struct page *p,
                                struct xnr_error *err)
{
	const json_t *ids = json_object_get(body, "ids"), *v;
	size_t i;
	json_int_t id;

	if (!json_is_object(body) || json_object_size(body) != 1 || !json_is_array(ids))
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "body: wants a JSON object {\"ids\": [sentence ids]} and nothing else");
	if (xnr__query_get(q, "ids"))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "ids: give them in the query or the body, not both");
	if (json_array_size(ids) > IDS_MAX)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "ids: %zu sentence ids, at most %d in one request",
		                json_array_size(ids), IDS_MAX);
	json_array_foreach(ids, i, v)
	{
		id = json_integer_value(v);
		if (!json_is_integer(v) || id < 0 || id > 999999999)
			return xnr_fail(err, XNR_ERR_INPUT,
			                "ids[%zu]: wants a sentence id (a whole number from 0)", i);
		p->ids[i] = id;
	}
	p->q.by_ids = 1;
	p->q.ids = p->ids;
	p->q.n_ids = json_array_size(ids);
	return XNR_OK;
}

/* A text filter of at most FILTER_MAX bytes; "" is none. */
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

/* What a list's text and its word, sub-token and entity filters ask. */
static enum xnr_status search_parse(const struct xnr__query *q, struct page *p,
                                    struct xnr_error *err)
{
	int mode;
	enum xnr_status st;

	if ((st = xnr__query_choice(q, "mode", mode_names, 0, &mode, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "pinned", bool_names, 0, &p->q.pinned, err)) != XNR_OK ||
	    (st = xnr__query_real(q, "max_loss", -1e300, 1e300, 0.0, &p->q.max_loss, err)) !=
	        XNR_OK ||
	    (st = text_param(q, "word", &p->q.word, err)) != XNR_OK ||
	    (st = text_param(q, "subtoken", &p->q.token, err)) != XNR_OK ||
	    (st = text_param(q, "gold_type", &p->q.gold_type, err)) != XNR_OK ||
	    (st = text_param(q, "pred_type", &p->q.pred_type, err)) != XNR_OK ||
	    (st = text_param(q, "error_type", &p->error_type, err)) != XNR_OK ||
	    (st = xnr__error_kinds_param(q, "error_kind", &p->error_kinds, err)) != XNR_OK)
		return st;
	p->q.text = xnr__query_get(q, "q");
	p->q.text_mode = (enum xnr_text_mode)mode;
	p->q.has_max_loss = xnr__query_get(q, "max_loss") != NULL;
	if (p->error_type && !p->error_kinds)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "error_type: goes with error_kind (like error_kind=missed)");
	if (p->error_kinds && p->q.by_ids)
		return xnr_fail(err, XNR_ERR_INPUT, "ids and error_kind: give one of them");
	return xnr_store_text_check(&p->q, err);
}

/* The query (names: the parameters taken) into p. */
static enum xnr_status page_parse(const struct xnr__query *q, const char *const *names,
                                  struct page *p, struct xnr_error *err)
{
	int sort, order;
	enum xnr_status st;

	if ((st = xnr__query_allow(q, names, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "sort", sort_names, 0, &sort, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "order", order_names, 0, &order, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "skip_correct", bool_names, 0, &p->q.with_errors, err)) !=
	        XNR_OK ||
	    (st = xnr__query_choice(q, "words", bool_names, 0, &p->words, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "marks", bool_names, 0, &p->marks, err)) != XNR_OK ||
	    (st = xnr__query_int(q, "limit", 1, PAGE_MAX, PAGE_DEFAULT, &p->q.limit, err)) !=
	        XNR_OK ||
	    (st = xnr__query_int(q, "offset", 0, OFFSET_MAX, 0, &p->q.offset, err)) != XNR_OK ||
	    (st = xnr__query_int(q, "seed", 0, INT64_MAX, 0, &p->q.seed, err)) != XNR_OK ||
	    (st = xnr__query_real(q, "min_loss", -1e300, 1e300, 0.0, &p->q.min_loss, err)) !=
	        XNR_OK ||
	    (st = ids_parse(xnr__query_get(q, "ids"), p, err)) != XNR_OK)
		return st;
	p->q.sort = (enum xnr_sentence_sort)sort;
	p->q.ascending = order == 1;
	p->q.has_min_loss = xnr__query_get(q, "min_loss") != NULL;
	return XNR_OK;
}

/* A new page of the request, its query and body read and checked against
 * run (which the caller loads after page_new: a bad query is a 400 before
 * the run is looked up). */
static enum xnr_status page_new(struct xnr__req *r, const char *const *names, struct page **out,
                                struct xnr_error *err)
{
	struct page *p = calloc(1, sizeof *p);
	enum xnr_status st;

	if (!p)
		return xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
	p->q = xnr_sentence_query_default(r->ids[0]);
	if ((st = page_parse(&r->query, names, p, err)) != XNR_OK ||
	    (strcmp(r->method, "POST") == 0 &&
	     (st = body_ids(r->body, &r->query, p, err)) != XNR_OK) ||
	    (st = search_parse(&r->query, p, err)) != XNR_OK) {
		free(p);
		return st;
	}
	*out = p;
	return XNR_OK;
}

static void page_free(struct page *p)
{
	if (p)
		xnr__marks_free(&p->cells);
	free(p);
}

/* The filters that name the run's labels and types, and the sentences of
 * error_kind's cells as the query's ids. */
static enum xnr_status page_bind(struct xnr__req *r, const struct xnr_run *run, struct page *p,
                                 struct xnr_error *err)
{
	enum xnr_status st;

	if ((st = xnr__label_param(run, "gold", xnr__query_get(&r->query, "gold"), &p->q.gold,
	                           err)) != XNR_OK ||
	    (st = xnr__label_param(run, "pred", xnr__query_get(&r->query, "pred"), &p->q.pred,
	                           err)) != XNR_OK ||
	    (st = xnr__type_param(run, "gold_type", p->q.gold_type, err)) != XNR_OK ||
	    (st = xnr__type_param(run, "pred_type", p->q.pred_type, err)) != XNR_OK)
		return st;
	if (!p->error_kinds)
		return XNR_OK;
	if ((st = xnr__type_param(run, "error_type", p->error_type, err)) != XNR_OK ||
	    (st = xnr__error_marks(r, p->error_type, p->error_kinds, &p->cells, err)) != XNR_OK)
		return st;
	p->q.by_ids = 1;
	p->q.ids = p->cells.ids;
	p->q.n_ids = p->cells.n_ids;
	return XNR_OK;
}

/* The "words" array of the item whose id is sid (items: at most PAGE_MAX). */
static json_t *item_words(json_t *items, int64_t sid)
{
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it) if (json_integer_value(json_object_get(it, "id")) ==
	                                     sid) return json_object_get(it, "words");
	return NULL;
}

/* Give every item its words ({idx, text, gold, pred, prob_pred, loss}), all
 * read by one query over the page's sentence ids. */
static enum xnr_status words_attach(struct xnr__req *r, const struct xnr_run *run, json_t *items,
                                    struct xnr_error *err)
{
	struct xnr_word_query q = xnr_word_query_default(run->id);
	struct xnr_rows *rows = NULL;
	struct xnr_word_row w;
	int64_t ids[PAGE_MAX], cur = -1;
	json_t *it, *words = NULL;
	enum xnr_status st = XNR_OK;
	size_t i;
	int more = 0;

	json_array_foreach(items, i, it)
	{
		ids[i] = json_integer_value(json_object_get(it, "id"));
		if (json_object_set_new(it, "words", json_array()) != 0)
			return xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
	}
	q.by_sentences = 1;
	q.sentences = ids;
	q.n_sentences = json_array_size(items);
	if ((st = xnr_store_words(r->store, &q, &rows, err)) != XNR_OK)
		return st;
	while ((st = xnr_rows_word(rows, &w, &more, err)) == XNR_OK && more) {
		if (w.sentence_id != cur) {
			words = item_words(items, w.sentence_id);
			cur = w.sentence_id;
		}
		/* The query asked for the page's sentences only: another one is
		 * a damaged index, not a lack of memory. */
		if (!words) {
			st = xnr_fail(
			    err, XNR_ERR_DB,
			    "sentences: the database gave a word of sentence %lld, which is "
			    "not on this page (it is damaged: see sqlite3's PRAGMA "
			    "integrity_check)",
			    (long long)w.sentence_id);
			break;
		}
		if (json_array_append_new(words, xnr__word_json(run, &w, XNR__SHAPE_PAGE)) != 0) {
			st = xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
			break;
		}
	}
	xnr_rows_close(rows);
	return st;
}

/* [[start, end], ...] of the spans a matcher found, or of error cells. */
static json_t *marks_json(const struct xnr_span *spans, const struct xnr__mark *cells, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		if (json_array_append_new(
		        a, spans ? json_pack("[ii]", spans[i].start, spans[i].end)
		                 : json_pack("[ii]", cells[i].start, cells[i].end))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* Give every item "marks", the word spans that put it in the list: those of
 * the query's text, word, sub-token or labels (the store's matcher), else
 * the entities of error_kind's cells, else those of the entity types. */
static enum xnr_status marks_attach(struct xnr__req *r, const struct page *p, json_t *items,
                                    struct xnr_error *err)
{
	enum xnr_mark_by by = xnr_sentence_query_mark_by(&p->q);
	int cells = p->error_kinds && (by == XNR_MARK_NONE || by == XNR_MARK_TYPES);
	struct xnr_matcher *m = NULL;
	const struct xnr_span *spans = NULL;
	const struct xnr__mark *cell = NULL;
	enum xnr_status st = XNR_OK;
	size_t i, n = 0;
	json_t *it;

	if (!cells && (st = xnr_store_matcher(r->store, &p->q, &m, err)) != XNR_OK)
		return st;
	json_array_foreach(items, i, it)
	{
		int64_t sid = json_integer_value(json_object_get(it, "id"));
		if (cells)
			cell = xnr__marks_of(&p->cells, sid, &n);
		else if ((st = xnr_matcher_spans(m, sid, &spans, &n, err)) != XNR_OK)
			break;
		if (json_object_set_new(it, "marks", marks_json(spans, cell, n)) != 0) {
			st = xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
			break;
		}
	}
	xnr_matcher_close(m);
	return st;
}

/* The page's sentences as items. */
static enum xnr_status page_items(struct xnr__req *r, const struct page *p, json_t **out,
                                  struct xnr_error *err)
{
	struct xnr_rows *rows = NULL;
	struct xnr_sentence_row row;
	json_t *items = json_array();
	enum xnr_status st;
	int more = 0;

	if (!items)
		return xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
	if ((st = xnr_store_sentences(r->store, &p->q, &rows, err)) == XNR_OK)
		while ((st = xnr_rows_sentence(rows, &row, &more, err)) == XNR_OK && more)
			if (json_array_append_new(items,
			                          xnr__sentence_json(&row, XNR__SHAPE_PAGE))) {
				st = xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
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

static enum xnr_status api_sentences(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	struct page *p = NULL;
	struct xnr_run run;
	json_t *items = NULL;
	int64_t total = 0;
	enum xnr_status st;

	if ((st = page_new(r, page_params, &p, err)) != XNR_OK)
		return st;
	if ((st = xnr__req_run(r, &run, err)) != XNR_OK) {
		page_free(p);
		return st;
	}
	if ((st = page_bind(r, &run, p, err)) != XNR_OK ||
	    (st = xnr_store_sentences_count(r->store, &p->q, &total, err)) != XNR_OK ||
	    (st = page_items(r, p, &items, err)) != XNR_OK ||
	    (p->words && (st = words_attach(r, &run, items, err)) != XNR_OK) ||
	    (p->marks && (st = marks_attach(r, p, items, err)) != XNR_OK))
		goto done;
	*out = json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)total, "limit",
	                 (json_int_t)p->q.limit, "offset", (json_int_t)p->q.offset, "items", items);
	items = NULL;
	st = *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
done:
	json_decref(items);
	xnr_run_free(&run);
	page_free(p);
	return st;
}

/* The pin of sentence sid among pins (n, by sentence id), or NULL. */
static const struct xnr_pin *pin_find(const struct xnr_pin *pins, size_t n, int64_t sid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pins[mid].sentence_id < sid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && pins[lo].sentence_id == sid ? &pins[lo] : NULL;
}

/* A list item as its download's row, with its pin's note and time when the
 * list is the pinned sentences (pins: n of them, by sentence id). */
static json_t *export_row(const struct xnr_sentence_row *row, const struct xnr_pin *pins, size_t n,
                          int pinned)
{
	json_t *v = xnr__sentence_json(row, XNR__SHAPE_PAGE);
	const struct xnr_pin *pin = pinned && pins ? pin_find(pins, n, row->id) : NULL;

	if (v && pinned &&
	    (json_object_set_new(v, "note", pin ? xnr__json_text(pin->note, -1) : json_null()) ||
	     json_object_set_new(v, "pinned_at",
	                         pin ? xnr__json_text(pin->created_at, -1) : json_null()))) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* Every sentence of the list into x, with a header line. */
static enum xnr_status export_rows(struct xnr__req *r, const struct page *p, struct xnr__export *x,
                                   struct xnr_error *err)
{
	struct xnr_sentence_row row;
	struct xnr_pin *pins = NULL;
	struct xnr_rows *rows = NULL;
	size_t n_pins = 0;
	enum xnr_status st;
	int more = 0;

	memset(&row, 0, sizeof row);
	if (p->q.pinned && (st = xnr_store_pins(r->store, p->q.run, &pins, &n_pins, err)) != XNR_OK)
		return st;
	xnr__export_head(x, export_row(&row, NULL, 0, p->q.pinned));
	if ((st = xnr_store_sentences(r->store, &p->q, &rows, err)) == XNR_OK)
		while (!x->oom && (st = xnr_rows_sentence(rows, &row, &more, err)) == XNR_OK &&
		       more)
			xnr__export_row(x, export_row(&row, pins, n_pins, p->q.pinned));
	xnr_rows_close(rows);
	xnr_pins_free(pins, n_pins);
	return st;
}

/* GET .../sentences.csv and .../sentences.jsonl: every sentence of the list
 * the same filters and order give, with the page's fields. */
static enum xnr_status api_export(struct xnr__req *r, struct xnr__resp *out, struct xnr_error *err)
{
	struct xnr__export x;
	struct page *p = NULL;
	struct xnr_run run;
	enum xnr_status st;

	if ((st = page_new(r, export_params, &p, err)) != XNR_OK)
		return st;
	xnr__export_init(&x, r->path);
	p->q.limit = -1;
	if ((st = xnr__req_run(r, &run, err)) == XNR_OK) {
		if ((st = page_bind(r, &run, p, err)) == XNR_OK)
			st = export_rows(r, p, &x, err);
		xnr_run_free(&run);
	}
	page_free(p);
	if (st != XNR_OK) {
		xnr__export_free(&x);
		return st;
	}
	return xnr__export_answer(&x, r, "sentences", out, err);
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/sentences", api_sentences, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(sentences, routes);

/* The ids in a JSON body, for lists longer than a query string holds (Hidden
 * States, Find Duplicates): a group of its own, listed after the metrics as
 * GET /api/v1 always has. */
static const struct xnr__route by_ids_routes[] = {
    {"POST", "/api/v1/runs/{id}/sentences", api_sentences, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(sentences_by_ids, by_ids_routes);

/* The downloads, listed after the routes that were there before them. */
static const struct xnr__route export_routes[] = {
    {"GET", "/api/v1/runs/{id}/sentences.csv", NULL, api_export, XNR__DB},
    {"GET", "/api/v1/runs/{id}/sentences.jsonl", NULL, api_export, XNR__DB},
};

XNR__ROUTE_GROUP(sentences_export, export_routes);
