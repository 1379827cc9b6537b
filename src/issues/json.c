/*
 * json.c - the label issues as JSON (issues.h), for the Label issues page
 * and `explainer issues --json`: the record and summary of a run's scores,
 * pages of ranked sentences (with their words), entities and words, and one
 * word's evidence. Labels go out by name; scores a word lacks are null.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "issues/internal.h"

#define PLACES 10 /* other occurrences listed per split */

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *label(const struct xnr_run *r, int id)
{
	const char *name = xnr_run_label_name(r, id);
	return name ? json_string(name) : json_null();
}

/* Stored JSON text parsed (null when there is none). */
static json_t *parsed(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	return j ? j : json_null();
}

enum xnr_status xnr_issues_summary_json(struct xnr_store *s, int64_t run, json_t **out,
                                        struct xnr_error *err)
{
	struct xnr_issue_run r;
	enum xnr_status st = xnr_store_issue_run(s, run, &r, err);
	json_t *j;

	if (st != XNR_OK)
		return st;
	j = json_pack("{s:I,s:o,s:s?,s:s?,s:i,s:i,s:o,s:b,s:s?,s:o,s:b,s:o}", "run",
	              (json_int_t)run, "reference_run",
	              r.reference_run ? json_integer(r.reference_run) : json_null(), "created_at",
	              r.created_at, "version", r.version, "method", r.method, "k", r.k, "weights",
	              parsed(r.weights_json), "over_confident", r.over_confident,
	              "over_confident_reason", r.over_confident_reason, "reference_accuracy",
	              num(r.reference_accuracy), "neighbours", r.neighbours, "summary",
	              parsed(r.summary_json));
	xnr_issue_run_free(&r);
	if (!j)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	*out = j;
	return XNR_OK;
}

static json_t *word_json(const struct xnr_run *run, const struct xnr_word_score *w)
{
	json_t *sig = json_pack("{s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:b}", "self_confidence",
	                        num(w->self_confidence), "margin", num(w->margin), "cl_issue",
	                        w->cl_issue, "cl_guess", label(run, w->cl_guess), "knn_split",
	                        num(w->knn_split), "knn_ref", num(w->knn_ref), "consistency",
	                        num(w->consistency), "structure", w->structure);
	return json_pack("{s:i,s:i,s:s?,s:o,s:o,s:I,s:f,s:s?,s:o,s:o}", "sentence", w->sentence_id,
	                 "idx", w->idx, "text", w->text, "gold", label(run, w->gold), "pred",
	                 label(run, w->pred), "rank", (json_int_t)w->rank, "combined", w->combined,
	                 "kind", w->kind, "suggested", label(run, w->suggested), "signals", sig);
}

/* A word item of the word-level list: with its sentence's text. */
static json_t *word_item_json(const struct xnr_run *run, const struct xnr_word_score *w)
{
	json_t *j = word_json(run, w);
	if (j && w->sentence)
		json_object_set_new(j, "sentence_text", json_string(w->sentence));
	return j;
}

static json_t *entity_json(const struct xnr_entity_score *e)
{
	return json_pack("{s:i,s:i,s:i,s:s,s:s,s:s?,s:I,s:f,s:s?,s:s?,s:{s:o,s:o,s:o},s:o}",
	                 "sentence", e->sentence_id, "start", e->start, "end", e->end, "side",
	                 e->side, "type", e->type, "text", e->text, "rank", (json_int_t)e->rank,
	                 "combined", e->combined, "kind", e->kind, "suggested", e->suggested,
	                 "signals", "self_confidence", num(e->self_confidence), "knn", num(e->knn),
	                 "consistency", num(e->consistency), "counts",
	                 parsed(e->consistency_counts));
}

static json_t *sentence_json(const struct xnr_sentence_score *t)
{
	return json_pack("{s:i,s:I,s:f,s:o,s:o,s:i,s:s?}", "id", t->id, "rank", (json_int_t)t->rank,
	                 "combined", t->combined, "worst", num(t->worst), "softmin",
	                 num(t->softmin), "n_flagged", t->n_flagged, "text", t->text);
}

struct collect {
	const struct xnr_run *run;
	enum xnr_issue_level level;
	json_t *items;
	int oom;
};

static int on_item(void *ud, const void *row)
{
	struct collect *c = ud;
	json_t *j = c->level == XNR_ISSUE_WORD     ? word_item_json(c->run, row)
	            : c->level == XNR_ISSUE_ENTITY ? entity_json(row)
	                                           : sentence_json(row);
	if (!j || json_array_append_new(c->items, j) != 0) {
		c->oom = 1;
		return 1;
	}
	return 0;
}

/* Each sentence item's words, in position order, into its "words". */
static enum xnr_status sentence_words(struct xnr_store *s, const struct xnr_run *run, json_t *items,
                                      struct xnr_error *err)
{
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it)
	{
		struct xnr_issue_query q = xnr_issue_query_default(run->id, XNR_ISSUE_WORD);
		struct collect c = {run, XNR_ISSUE_WORD, json_array(), 0};
		enum xnr_status st;
		q.sentence = json_integer_value(json_object_get(it, "id"));
		q.by_position = 1;
		if (!c.items)
			return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		json_object_set_new(it, "words", c.items);
		if ((st = xnr_store_issues(s, &q, on_item, &c, NULL, err)) != XNR_OK)
			return st;
		if (c.oom)
			return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	return XNR_OK;
}

/* Each entity or word item's sentence text, as "sentence_text". */
static enum xnr_status item_sentences(struct xnr_store *s, int64_t run, json_t *items,
                                      struct xnr_error *err)
{
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it)
	{
		struct xnr_sentence_row row;
		struct xnr_rows *rows = NULL;
		enum xnr_status st = xnr_store_sentence_get(
		    s, run, json_integer_value(json_object_get(it, "sentence")), &row, &rows, err);
		if (st != XNR_OK)
			return st;
		json_object_set_new(it, "sentence_text", json_string(row.text ? row.text : ""));
		xnr_rows_close(rows);
	}
	return XNR_OK;
}

enum xnr_status xnr_issues_list_json(struct xnr_store *s, const struct xnr_issue_query *q,
                                     json_t **out, struct xnr_error *err)
{
	static const char *const levels[XNR_ISSUE_LEVELS] = {"sentence", "entity", "word"};
	struct xnr_run run;
	struct collect c = {&run, q->level, json_array(), 0};
	int64_t total = 0;
	enum xnr_status st;

	if ((unsigned)q->level >= XNR_ISSUE_LEVELS) {
		json_decref(c.items);
		return xnr_fail(err, XNR_ERR_INPUT, "issues: no such level");
	}
	if ((st = xnr_store_run_get(s, q->run, &run, err)) != XNR_OK) {
		json_decref(c.items);
		return st;
	}
	if (!c.items)
		st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if (st == XNR_OK && (st = xnr_store_issues(s, q, on_item, &c, &total, err)) == XNR_OK &&
	    c.oom)
		st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if (st == XNR_OK)
		st = q->level == XNR_ISSUE_SENTENCE ? sentence_words(s, &run, c.items, err)
		     : q->level == XNR_ISSUE_ENTITY ? item_sentences(s, q->run, c.items, err)
		                                    : XNR_OK;
	if (st == XNR_OK &&
	    !(*out = json_pack("{s:I,s:s,s:I,s:I,s:I,s:o}", "run", (json_int_t)q->run, "level",
	                       levels[q->level], "total", (json_int_t)total, "offset",
	                       (json_int_t)q->offset, "limit", (json_int_t)q->limit, "items",
	                       json_incref(c.items))))
		st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	json_decref(c.items);
	xnr_run_free(&run);
	return st;
}

/* ---- one word's evidence ---- */

struct places {
	const struct xnr_run *run;
	json_t *items;
};

static int on_place(void *ud, const void *row)
{
	const struct xnr_word_place *p = row;
	struct places *x = ud;

	json_array_append_new(x->items,
	                      json_pack("{s:i,s:i,s:s?,s:o,s:s?}", "sentence", p->sentence_id,
	                                "idx", p->idx, "word", p->text, "label",
	                                label(x->run, p->gold), "text", p->sentence));
	return 0;
}

/* The neighbours of a word, with their words, labels and sentences. */
static json_t *neighbours(struct xnr_store *s, const struct xnr_run *run, int64_t of,
                          const struct xnr_neighbour *nb, int n, struct xnr_error *err)
{
	struct places x = {run, json_array()};
	size_t i;
	json_t *it;

	if (!x.items || xnr_store_words_at(s, of, nb, (size_t)n, on_place, &x, err) != XNR_OK) {
		json_decref(x.items);
		return NULL;
	}
	json_array_foreach(x.items, i, it) /* words_at keeps the order: similarities by index */
	    json_object_set_new(it, "similarity", json_real(nb[i].sim));
	return x.items;
}

/* Up to PLACES other occurrences of text in run of, and how many there are. */
static json_t *places(struct xnr_store *s, const struct xnr_run *run, int64_t of, const char *text,
                      struct xnr_error *err)
{
	struct places x = {run, json_array()};
	int64_t total = 0;

	if (!x.items ||
	    xnr_store_word_places(s, of, text, PLACES, on_place, &x, &total, err) != XNR_OK) {
		json_decref(x.items);
		return NULL;
	}
	return json_pack("{s:I,s:o}", "total", (json_int_t)total, "items", x.items);
}

struct evidence {
	struct xnr_store *s;
	const struct xnr_run *run;
	int64_t ref_run;
	json_t *out;
	struct xnr_error *err;
	enum xnr_status st;
};

static int on_evidence(void *ud, const void *row)
{
	const struct xnr_word_score *w = row;
	struct evidence *e = ud;
	json_t *word = word_json(e->run, w), *nb = json_object(), *pl = json_object();
	json_t *split_nb = neighbours(e->s, e->run, e->run->id, w->nb, w->n_nb, e->err);
	json_t *ref_nb = e->ref_run
	                     ? neighbours(e->s, e->run, e->ref_run, w->ref_nb, w->n_ref_nb, e->err)
	                     : json_array();
	json_t *split_pl = places(e->s, e->run, e->run->id, w->text ? w->text : "", e->err);
	json_t *ref_pl = e->ref_run
	                     ? places(e->s, e->run, e->ref_run, w->text ? w->text : "", e->err)
	                     : json_null();

	json_object_set_new(nb, "split", split_nb ? split_nb : json_null());
	json_object_set_new(nb, "reference", ref_nb ? ref_nb : json_null());
	json_object_set_new(pl, "split", split_pl ? split_pl : json_null());
	json_object_set_new(pl, "reference", ref_pl ? ref_pl : json_null());
	json_object_set_new(word, "knn_counts", parsed(w->knn_counts));
	json_object_set_new(word, "consistency_counts", parsed(w->consistency_counts));
	e->out = json_pack("{s:I,s:o,s:o,s:o,s:o}", "run", (json_int_t)e->run->id, "reference_run",
	                   e->ref_run ? json_integer(e->ref_run) : json_null(), "word", word,
	                   "neighbours", nb, "places", pl);
	if (!e->out || !split_nb || !ref_nb || !split_pl || !ref_pl)
		e->st = e->err->status != XNR_OK ? e->err->status
		                                 : xnr_fail(e->err, XNR_ERR_NOMEM, "out of memory");
	return 0;
}

/* The sentence with its words' gold and predicted labels. */
static json_t *sentence(struct xnr_store *s, const struct xnr_run *run, int id,
                        struct xnr_error *err)
{
	struct xnr_word_query q = xnr_word_query_default(run->id);
	struct xnr_sentence_row row;
	struct xnr_word_row w;
	struct xnr_rows *rows = NULL, *srow = NULL;
	int64_t sid = id;
	json_t *words = json_array(), *out = NULL;
	int more = 1;

	q.by_sentences = 1;
	q.sentences = &sid;
	q.n_sentences = 1;
	if (words && xnr_store_sentence_get(s, run->id, id, &row, &srow, err) == XNR_OK &&
	    xnr_store_words(s, &q, &rows, err) == XNR_OK) {
		while (xnr_rows_word(rows, &w, &more, err) == XNR_OK && more)
			json_array_append_new(words, json_pack("{s:s#,s:o,s:o}", "text", w.text,
			                                       (size_t)w.text_len, "gold",
			                                       label(run, w.gold), "pred",
			                                       label(run, w.pred)));
		if (!more)
			out =
			    json_pack("{s:i,s:s?,s:O}", "id", id, "text", row.text, "words", words);
	}
	xnr_rows_close(rows);
	xnr_rows_close(srow);
	json_decref(words);
	return out;
}

/* Every label's probability of the word, by name (null when it has none). */
static json_t *probabilities(struct xnr_store *s, const struct xnr_run *run, int sid, int idx,
                             struct xnr_error *err)
{
	float *p = malloc(((size_t)run->n_labels + 1) * sizeof *p);
	json_t *o = NULL;
	int got = 0;

	if (p &&
	    xnr_store_word_probs(s, run->id, sid, idx, p, run->n_labels, &got, err) == XNR_OK) {
		o = got ? json_object() : json_null();
		for (int k = 0; got && o && k < run->n_labels; k++)
			json_object_set_new(o, run->labels[k], json_real(p[k]));
	}
	free(p);
	return o;
}

enum xnr_status xnr_issues_word_json(struct xnr_store *s, int64_t run_id, int sentence_id, int idx,
                                     json_t **out, struct xnr_error *err)
{
	struct xnr_error local;
	struct xnr_issue_run rec;
	struct xnr_run run;
	struct evidence e = {s, &run, 0, NULL, err ? err : &local, XNR_OK};
	enum xnr_status st;
	json_t *sent = NULL, *probs = NULL;

	err = e.err;
	xnr_error_clear(err); /* the helpers below report through err->status */
	if ((st = xnr_store_issue_run(s, run_id, &rec, err)) != XNR_OK)
		return st;
	e.ref_run = rec.reference_run;
	xnr_issue_run_free(&rec);
	if ((st = xnr_store_run_get(s, run_id, &run, err)) != XNR_OK)
		return st;
	if ((st = xnr_store_word_score(s, run_id, sentence_id, idx, on_evidence, &e, err)) ==
	        XNR_OK &&
	    (st = e.st) == XNR_OK && e.out) {
		sent = sentence(s, &run, sentence_id, err);
		probs = sent ? probabilities(s, &run, sentence_id, idx, err) : NULL;
		if (!sent || !probs)
			st = err->status != XNR_OK ? err->status
			                           : xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	if (st == XNR_OK) {
		json_object_set_new(e.out, "sentence", sent);
		json_object_set_new(json_object_get(e.out, "word"), "probs", probs);
		*out = e.out;
		e.out = NULL;
		sent = probs = NULL;
	}
	json_decref(e.out);
	json_decref(sent);
	json_decref(probs);
	xnr_run_free(&run);
	return st;
}
