/*
 * api_sentences.c - the sentences of a run: GET /api/v1/runs/{id}/sentences
 * (paged, sorted and filtered by the store: the "Samples by Loss",
 * "Inspect", "Misclassified", "Random Samples", "Hidden States" and "Find
 * Duplicates" pages; optionally with every sentence's words in one extra
 * query; POST with the ids in a body) and GET /api/v1/runs/{id}/sentences/{sid}
 * (one sentence with its words, sub-tokens and entity spans, label ids as
 * names). This file turns the query into a struct xnr_sentence_query.
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

/* In enum xnr_sentence_sort order. */
static const char *const sort_names[] = {"loss", "id", "errors", "random", NULL};
static const char *const order_names[] = {"desc", "asc", NULL};
static const char *const bool_names[] = {"0", "1", NULL};

struct page {
	struct xnr_sentence_query q;
	int words;
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

static enum xnr_status page_parse(const struct xnr__query *q, struct page *p, struct xnr_error *err)
{
	static const char *const allowed[] = {"sort",     "order",        "limit", "offset",
	                                      "min_loss", "skip_correct", "words", "gold",
	                                      "pred",     "ids",          "seed",  NULL};
	int sort, order;
	enum xnr_status st;

	if ((st = xnr__query_allow(q, allowed, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "sort", sort_names, 0, &sort, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "order", order_names, 0, &order, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "skip_correct", bool_names, 0, &p->q.with_errors, err)) !=
	        XNR_OK ||
	    (st = xnr__query_choice(q, "words", bool_names, 0, &p->words, err)) != XNR_OK ||
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
	struct page *p = malloc(sizeof *p);
	struct xnr_run run;
	json_t *items = NULL;
	int64_t total = 0;
	enum xnr_status st;

	if (!p)
		return xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
	p->q = xnr_sentence_query_default(r->ids[0]);
	p->words = 0;
	if ((st = page_parse(&r->query, p, err)) != XNR_OK ||
	    (strcmp(r->method, "POST") == 0 &&
	     (st = body_ids(r->body, &r->query, p, err)) != XNR_OK) ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK) {
		free(p);
		return st;
	}
	if ((st = xnr__label_param(&run, "gold", xnr__query_get(&r->query, "gold"), &p->q.gold,
	                           err)) != XNR_OK ||
	    (st = xnr__label_param(&run, "pred", xnr__query_get(&r->query, "pred"), &p->q.pred,
	                           err)) != XNR_OK ||
	    (st = xnr_store_sentences_count(r->store, &p->q, &total, err)) != XNR_OK ||
	    (st = page_items(r, p, &items, err)) != XNR_OK ||
	    (p->words && (st = words_attach(r, &run, items, err)) != XNR_OK))
		goto done;
	*out = json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)total, "limit",
	                 (json_int_t)p->q.limit, "offset", (json_int_t)p->q.offset, "items", items);
	items = NULL;
	st = *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
done:
	json_decref(items);
	xnr_run_free(&run);
	free(p);
	return st;
}

/* The sentence's word or sub-token rows as an array. */
static enum xnr_status sentence_rows(struct xnr__req *r, const struct xnr_run *run, int64_t sid,
                                     int tokens, json_t **out, struct xnr_error *err)
{
	struct xnr_word_query q = xnr_word_query_default(run->id);
	struct xnr_rows *rows = NULL;
	struct xnr_word_row w;
	struct xnr_token_row t;
	json_t *a = json_array();
	enum xnr_status st;
	int more = 0;

	q.tokens = tokens;
	q.by_sentences = 1;
	q.sentences = &sid;
	q.n_sentences = 1;
	if (!a)
		return xnr_fail(err, XNR_ERR_NOMEM, "sentence: out of memory");
	if ((st = xnr_store_words(r->store, &q, &rows, err)) == XNR_OK)
		while ((st = tokens ? xnr_rows_token(rows, &t, &more, err)
		                    : xnr_rows_word(rows, &w, &more, err)) == XNR_OK &&
		       more)
			if (json_array_append_new(
			        a, tokens ? xnr__token_json(run, &t, XNR__SHAPE_SENTENCE)
			                  : xnr__word_json(run, &w, XNR__SHAPE_SENTENCE))) {
				st = xnr_fail(err, XNR_ERR_NOMEM, "sentence: out of memory");
				break;
			}
	xnr_rows_close(rows);
	if (st != XNR_OK) {
		json_decref(a);
		return st;
	}
	*out = a;
	return XNR_OK;
}

/* {"gold": [{start, end, type}], "pred": [...]}. */
static enum xnr_status entities_json(struct xnr__req *r, int64_t run, int64_t sid, json_t **out,
                                     struct xnr_error *err)
{
	struct xnr_rows *rows = NULL;
	struct xnr_entity_row e;
	json_t *side[2] = {json_array(), json_array()};
	enum xnr_status st;
	int more = 0;

	if ((st = xnr_store_entities(r->store, run, sid, &rows, err)) == XNR_OK)
		while ((st = xnr_rows_entity(rows, &e, &more, err)) == XNR_OK && more)
			if (json_array_append_new(side[e.is_pred],
			                          json_pack("{s:i,s:i,s:o}", "start", e.start,
			                                    "end", e.end, "type",
			                                    xnr__json_text(e.type, -1)))) {
				st = xnr_fail(err, XNR_ERR_NOMEM, "sentence: out of memory");
				break;
			}
	xnr_rows_close(rows);
	if (st == XNR_OK && !(*out = json_pack("{s:o,s:o}", "gold", side[0], "pred", side[1])))
		return xnr_fail(err, XNR_ERR_NOMEM, "sentence: out of memory");
	if (st != XNR_OK) {
		json_decref(side[0]);
		json_decref(side[1]);
	}
	return st;
}

static enum xnr_status api_sentence(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	int64_t sid = r->ids[1];
	struct xnr_rows *rows = NULL;
	struct xnr_sentence_row row;
	struct xnr_run run;
	json_t *s = NULL, *words = NULL, *tokens = NULL, *entities = NULL;
	enum xnr_status st;
	int bad;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	if ((st = xnr_store_sentence_get(r->store, run.id, sid, &row, &rows, err)) != XNR_OK)
		goto done;
	s = xnr__sentence_json(&row, XNR__SHAPE_SENTENCE);
	xnr_rows_close(rows);
	if (!s) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "sentence: out of memory");
		goto done;
	}
	if ((st = sentence_rows(r, &run, sid, 0, &words, err)) != XNR_OK ||
	    (st = sentence_rows(r, &run, sid, 1, &tokens, err)) != XNR_OK ||
	    (st = entities_json(r, run.id, sid, &entities, err)) != XNR_OK)
		goto done;
	/* json_object_set_new takes the references even on failure; in key order. */
	bad = json_object_set_new(s, "words", words);
	bad |= json_object_set_new(s, "tokens", tokens);
	bad |= json_object_set_new(s, "entities", entities);
	if (bad)
		st = xnr_fail(err, XNR_ERR_NOMEM, "sentence: out of memory");
	else
		*out = s;
	words = tokens = entities = NULL;
	if (st == XNR_OK)
		s = NULL;
done:
	json_decref(s);
	json_decref(words);
	json_decref(tokens);
	json_decref(entities);
	xnr_run_free(&run);
	return st;
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/sentences", api_sentences, NULL, XNR__DB},
    {"GET", "/api/v1/runs/{id}/sentences/{id}", api_sentence, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(sentences, routes);

/* The ids in a JSON body, for lists longer than a query string holds (Hidden
 * States, Find Duplicates): a group of its own, listed after the metrics as
 * GET /api/v1 always has. */
static const struct xnr__route by_ids_routes[] = {
    {"POST", "/api/v1/runs/{id}/sentences", api_sentences, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(sentences_by_ids, by_ids_routes);
