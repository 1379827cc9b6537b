/*
 * jsonl.c - the JSONL reader: one sentence per line as a JSON object
 * {"tokens": ["EU", ...], "ner_tags": ["B-ORG", ...]} (Hugging Face datasets
 * export; "tags" is accepted for "ner_tags"), tags as strings or as integer
 * ids into params->labels, and an optional "id" (string or integer). Each
 * line is parsed by jansson with duplicate keys rejected; blank lines are
 * skipped, a sentence with no tokens is refused.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "data/internal.h"

static enum xnr_status tag_id(struct xnr_dataset *ds, const json_t *v, size_t i, long line,
                              int have_labels, int32_t *id, struct xnr_error *err)
{
	struct xnr_tag t;

	if (json_is_integer(v)) {
		json_int_t k = json_integer_value(v);
		if (!have_labels)
			return xnr_fail_at(err, XNR_ERR_INPUT, ds->path, line,
			                   "ner_tags are ids but no label list was given (pass "
			                   "--labels O,B-PER,... in id order)");
		if (k < 0 || (size_t)k >= ds->labels.n)
			return xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, line,
			                   "tag %zu is id %" PRId64 ", but --labels has %zu labels "
			                   "(ids 0 to %zu)",
			                   i + 1, (int64_t)k, ds->labels.n, ds->labels.n - 1);
		*id = (int32_t)k;
		return XNR_OK;
	}
	if (!json_is_string(v))
		return xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, line,
		                   "tag %zu is neither a string nor an integer id", i + 1);
	if (xnr_tag_parse(json_string_value(v), json_string_length(v), &t) != 0 ||
	    json_string_length(v) > XNR_LABEL_MAX_BYTES)
		return xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, line,
		                   "\"%.64s\" (tag %zu) is not a tag (tags are O, or B-, I-, E-, "
		                   "S-, L-, U- and a type, as B-PER)",
		                   json_string_value(v), i + 1);
	return xnr_labels_add(&ds->labels, json_string_value(v), json_string_length(v), id,
	                      ds->path, err);
}

static enum xnr_status sentence_id(struct xnr_dataset *ds, const json_t *obj, long line,
                                   const char **id, struct xnr_error *err)
{
	const json_t *v = json_object_get(obj, "id");
	char buf[32];

	*id = NULL;
	if (!v || json_is_null(v))
		return XNR_OK;
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%" PRId64, (int64_t)json_integer_value(v));
		*id = xnr__pool_str(ds, buf, strlen(buf));
	} else if (json_is_string(v)) {
		*id = xnr__pool_str(ds, json_string_value(v), json_string_length(v));
	} else {
		return xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, line,
		                   "\"id\" must be a string or an integer");
	}
	if (!*id)
		return xnr_fail_at(err, XNR_ERR_NOMEM, ds->path, line, "out of memory");
	return XNR_OK;
}

static enum xnr_status sentence(struct xnr_dataset *ds, const json_t *obj, long line,
                                int have_labels, const struct xnr_data_params *p,
                                struct xnr_error *err)
{
	const json_t *toks = json_object_get(obj, "tokens");
	const json_t *tags = json_object_get(obj, "ner_tags");
	const char *id;
	enum xnr_status st;

	if (!tags)
		tags = json_object_get(obj, "tags");
	if (!json_is_array(toks) || !json_is_array(tags))
		return xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, line,
		                   "needs arrays \"tokens\" and \"ner_tags\" (one sentence per "
		                   "line, as {\"tokens\": [\"EU\"], \"ner_tags\": [\"B-ORG\"]})");
	if (json_array_size(toks) != json_array_size(tags))
		return xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, line,
		                   "%zu tokens but %zu ner_tags (give one tag per token)",
		                   json_array_size(toks), json_array_size(tags));
	/* an empty sentence has nothing to tag or score, and CoNLL cannot say one */
	if (json_array_size(toks) == 0)
		return xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, line,
		                   "a sentence with no tokens (leave the line out: every "
		                   "sentence needs at least one token)");
	for (size_t i = 0; i < json_array_size(toks); i++) {
		const json_t *w = json_array_get(toks, i);
		int32_t tag;
		if (!json_is_string(w) || json_string_length(w) == 0)
			st = xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, line,
			                 "token %zu is not a non-empty string", i + 1);
		else
			st = tag_id(ds, json_array_get(tags, i), i, line, have_labels, &tag, err);
		if (st != XNR_OK) {
			xnr_error_set_item(err, (long)i + 1);
			return st;
		}
		st = xnr__ds_word(ds, json_string_value(w), json_string_length(w), tag, line, p,
		                  err);
		if (st != XNR_OK)
			return st;
	}
	st = sentence_id(ds, obj, line, &id, err);
	return st != XNR_OK ? st : xnr__ds_sentence(ds, line, id, err);
}

/* What the reader carries from line to line. */
struct jsonl_read {
	struct xnr_dataset *ds;
	const struct xnr_data_params *p;
};

static enum xnr_status one_line(void *ctx, const char *s, size_t len, long line,
                                struct xnr_error *err)
{
	const struct jsonl_read *r = ctx;
	struct xnr_dataset *ds = r->ds;
	json_error_t jerr;
	json_t *obj;
	enum xnr_status st;

	if (strspn(s, " \t") == len)
		return XNR_OK;
	st = xnr__utf8_check(s, len, ds->path, line, err);
	if (st != XNR_OK)
		return st;
	obj = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj)
		return xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, line,
		                   "invalid JSON at column %d: %s (one JSON object a line)",
		                   jerr.column, jerr.text);
	if (!json_is_object(obj))
		st =
		    xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, line,
		                "not a JSON object (one {\"tokens\", \"ner_tags\"} object a line)");
	else
		st = sentence(ds, obj, line, r->p->labels != NULL, r->p, err);
	json_decref(obj);
	return st;
}

enum xnr_status xnr__id_labels(struct xnr_dataset *ds, const char *list, struct xnr_error *err)
{
	enum xnr_status st;

	xnr_labels_free(&ds->labels);
	st = xnr_labels_parse(list, &ds->labels, err);
	for (size_t i = 0; st == XNR_OK && i < ds->labels.n; i++) {
		struct xnr_tag t;
		const char *l = ds->labels.names[i];
		if (xnr_tag_parse(l, strlen(l), &t) != 0) {
			st = xnr_fail(
			    err, XNR_ERR_INPUT,
			    "--labels: \"%s\" is not a tag (tags are O, or B-, I-, E-, S-, "
			    "L-, U- and a type, as B-PER)",
			    l);
			xnr_error_set_item(err, (long)i + 1);
		}
	}
	return st;
}

enum xnr_status xnr__jsonl_reader(struct xnr_dataset *ds, const struct xnr_data_params *p,
                                  struct xnr__reader *out, struct xnr_error *err)
{
	struct jsonl_read *r;
	enum xnr_status st;

	if (p->labels && (st = xnr__id_labels(ds, p->labels, err)) != XNR_OK)
		return st;
	if (!(r = calloc(1, sizeof *r)))
		return xnr_fail_at(err, XNR_ERR_NOMEM, ds->path, 0, "out of memory");
	r->ds = ds;
	r->p = p;
	out->line = one_line;
	out->end = NULL;
	out->ctx = r;
	return XNR_OK;
}
