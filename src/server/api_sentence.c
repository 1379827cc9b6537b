/*
 * api_sentence.c - one sentence of a run, GET /api/v1/runs/{id}/sentences/{sid}
 * (the Inspect page): its row with its words, its sub-tokens and its gold
 * and predicted entity spans, label ids as names; each word and sub-token
 * with its XNR__TOP_N most likely labels ("top", from the stored distribution).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

/* The row's JSON with "top" from row i of probs (none past its rows); takes row. */
static json_t *with_top(json_t *row, const struct xnr_run *run, const struct xnr_probs *probs,
                        size_t i)
{
	json_t *top;

	if (!row)
		return NULL;
	top = i < probs->n_rows ? xnr__top_json(probs->p + i * (size_t)probs->n_labels,
	                                        probs->n_labels, (const char *const *)run->labels)
	                        : json_array();
	if (json_object_set_new(row, "top", top) != 0) {
		json_decref(row);
		return NULL;
	}
	return row;
}

/* The sentence's word or sub-token rows as an array. */
static enum xnr_status sentence_rows(struct xnr__req *r, const struct xnr_run *run, int64_t sid,
                                     int tokens, json_t **out, struct xnr_error *err)
{
	struct xnr_probs probs = {NULL, 0, 0};
	struct xnr_word_query q = xnr_word_query_default(run->id);
	struct xnr_rows *rows = NULL;
	struct xnr_word_row w;
	struct xnr_token_row t;
	json_t *a = json_array();
	enum xnr_status st = XNR_OK;
	int more = 0;

	q.tokens = tokens;
	q.by_sentences = 1;
	q.sentences = &sid;
	q.n_sentences = 1;
	if (!a)
		return xnr_fail(err, XNR_ERR_NOMEM, "sentence: out of memory");
	/* a run without labels (a hostile database) has no distributions to show */
	if ((run->n_labels < 1 ||
	     (st = xnr_store_sentence_probs(r->store, run->id, sid, tokens, run->n_labels, &probs,
	                                    err)) == XNR_OK) &&
	    (st = xnr_store_words(r->store, &q, &rows, err)) == XNR_OK)
		while ((st = tokens ? xnr_rows_token(rows, &t, &more, err)
		                    : xnr_rows_word(rows, &w, &more, err)) == XNR_OK &&
		       more)
			if (json_array_append_new(
			        a, with_top(tokens ? xnr__token_json(run, &t, XNR__SHAPE_SENTENCE)
			                           : xnr__word_json(run, &w, XNR__SHAPE_SENTENCE),
			                    run, &probs, (size_t)(tokens ? t.idx : w.idx)))) {
				st = xnr_fail(err, XNR_ERR_NOMEM, "sentence: out of memory");
				break;
			}
	xnr_rows_close(rows);
	xnr_probs_free(&probs);
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
    {"GET", "/api/v1/runs/{id}/sentences/{id}", api_sentence, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(sentence, routes);
