/*
 * api_pins.c - the sentences a user keeps while looking through a run (the
 * pin on every sentence of the pages): GET /api/v1/runs/{id}/pins lists
 * them, PUT .../pins/{sid} pins a sentence (with a note), DELETE unpins it.
 * Kept in the run database (store/read.h, pins.c) through a store of their
 * own, as the request's store is read-only; the pinned sentences as a list
 * and its downloads are GET .../sentences?pinned=1 (api_sentences.c).
 */
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

/* {"sentence_id", "note", "created_at"} */
static json_t *pin_json(const struct xnr_pin *p)
{
	static const char *const keys[] = {"sentence_id", "note", "created_at"};
	json_t *v[] = {json_integer(p->sentence_id), xnr__json_text(p->note, -1),
	               xnr__json_text(p->created_at, -1)};

	return xnr__object(sizeof v / sizeof v[0], keys, v);
}

/* The pins of run as {"items": [...]}, or only sentence sid's (sid >= 0)
 * as one pin object. */
static enum xnr_status pins_answer(struct xnr_store *s, int64_t run, int64_t sid, json_t **out,
                                   struct xnr_error *err)
{
	struct xnr_pin *pins = NULL;
	json_t *items = json_array(), *one = NULL;
	size_t n = 0, i;
	enum xnr_status st;

	if (!items)
		return xnr_fail(err, XNR_ERR_NOMEM, "pins: out of memory");
	if ((st = xnr_store_pins(s, run, &pins, &n, err)) != XNR_OK) {
		json_decref(items);
		return st;
	}
	for (i = 0; i < n; i++) {
		json_t *p = pin_json(&pins[i]);
		if (pins[i].sentence_id == sid)
			one = json_incref(p);
		if (json_array_append_new(items, p) != 0)
			break;
	}
	xnr_pins_free(pins, n);
	*out = sid >= 0 ? one : json_pack("{s:o}", "items", items);
	if (sid >= 0)
		json_decref(items);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "pins: out of memory");
}

static enum xnr_status api_pins(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct xnr_run run;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	xnr_run_free(&run);
	return pins_answer(r->store, r->ids[0], -1, out, err);
}

/* PUT (pin, with the body's note) or DELETE (unpin) through a read-write
 * store; a run writing the database makes it a 409 that says to retry. */
static enum xnr_status api_pin_change(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	static const char *const fields[] = {"note", NULL};
	int put = strcmp(r->method, "PUT") == 0;
	const char *note = NULL;
	struct xnr_store *store = NULL;
	struct xnr_run run;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (put && ((st = xnr__body_allow(xnr__body_or_empty(r), fields, err)) != XNR_OK ||
	             (st = xnr__body_str(r->body, "note", &note, err)) != XNR_OK)) ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	xnr_run_free(&run);
	if ((st = xnr_store_open(r->app->db_path, 0, &store, err)) != XNR_OK)
		return st;
	if (put && (st = xnr_store_pin(store, r->ids[0], r->ids[1], note, err)) == XNR_OK)
		st = pins_answer(store, r->ids[0], r->ids[1], out, err);
	if (!put && (st = xnr_store_unpin(store, r->ids[0], r->ids[1], err)) == XNR_OK &&
	    !(*out = json_pack("{s:I,s:b}", "sentence_id", (json_int_t)r->ids[1], "pinned", 0)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "pins: out of memory");
	xnr_store_close(store);
	return st;
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/pins", api_pins, NULL, XNR__DB},
    {"PUT", "/api/v1/runs/{id}/pins/{id}", api_pin_change, NULL, XNR__DB},
    {"DELETE", "/api/v1/runs/{id}/pins/{id}", api_pin_change, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(pins, routes);
