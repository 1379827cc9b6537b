/*
 * run_write.c - one sentence of an analysis run into the run database: word
 * rows from each word's first sub-token (as the models were trained), every
 * sub-token with its own prediction, entities in seqeval's default mode, the
 * sentence's loss and error counts; and the run's summary (seqeval's
 * classification_report output_dict, default and strict modes).
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/entities.h"
#include "analysis/losses.h"
#include "analysis/seqeval.h"
#include "analysis/seqeval_json.h"
#include "pipeline/internal.h"
#include "tokenizer/tokenizer.h"

/* The sentence's words joined by single spaces (caller frees). */
static char *sentence_text(const struct xnr_dataset *ds, const struct xnr_sentence *s)
{
	size_t i, len = 1, o = 0;
	char *t;

	for (i = 0; i < s->n_words; i++)
		len += strlen(ds->words[s->first_word + i]) + 1;
	t = malloc(len);
	if (!t)
		return NULL;
	for (i = 0; i < s->n_words; i++) {
		size_t n = strlen(ds->words[s->first_word + i]);
		if (i)
			t[o++] = ' ';
		memcpy(t + o, ds->words[s->first_word + i], n);
		o += n;
	}
	t[o] = '\0';
	return t;
}

/* Write sentence s's words; their predictions into pred and conf, the
 * sentence's loss and word errors into sent. */
static enum xnr_status write_words(struct xnr__run *x, const struct xnr_dataset *ds,
                                   const struct xnr_sentence *s, size_t i,
                                   const struct xnr_result *r, const int32_t *gold, int32_t *pred,
                                   double *conf, struct xnr_sentence_row *sent,
                                   struct xnr_error *err)
{
	double *loss = &sent->loss;
	int L = r->n_labels, w, *n_errors = &sent->n_word_errors;

	*loss = 0.0;
	*n_errors = 0;
	for (w = 0; w < (int)s->n_words; w++) {
		struct xnr_word_row row;
		int t = w < r->n_words ? r->word_tok[w] : -1;
		enum xnr_status st;

		memset(&row, 0, sizeof row);
		row.sentence_id = (int)i;
		row.idx = w;
		row.text = ds->words[s->first_word + (size_t)w];
		row.text_len = -1;
		row.gold = gold[w];
		row.first_token = t;
		if (t >= 0) {
			const float *p = r->probs + (size_t)t * (size_t)L;
			row.pred = pred[w] = xnr_argmax(p, L);
			row.prob_pred = p[row.pred];
			row.prob_gold = p[gold[w]];
			row.loss = xnr_loss_ce(r->logits + (size_t)t * (size_t)L, L, gold[w]);
			row.entropy = xnr_entropy(p, L);
			row.probs = p;
			row.hidden =
			    r->hidden ? r->hidden + (size_t)t * (size_t)r->hidden_size : NULL;
			*loss += row.loss;
		} else {
			row.pred = pred[w] = x->o_label;
			row.prob_pred = row.prob_gold = row.loss = row.entropy = NAN;
		}
		*n_errors += row.pred != row.gold;
		conf[w] = row.prob_pred;
		if ((st = xnr_run_add_word(x->writer, &row, err)) != XNR_OK)
			return st;
	}
	return XNR_OK;
}

static enum xnr_status write_tokens(struct xnr__run *x, size_t i, const struct xnr_result *r,
                                    const int32_t *gold, struct xnr_error *err)
{
	const struct xnr_tokenizer *tok = xnr_engine_tokenizer(x->engine);
	int L = r->n_labels, t;

	for (t = 0; t < r->enc.n_tokens; t++) {
		const float *p = r->probs + (size_t)t * (size_t)L;
		int w = r->enc.word_ids[t];
		struct xnr_token_row row;
		const char *text = xnr_tokenizer_id_to_token(tok, r->enc.ids[t]);
		enum xnr_status st;

		memset(&row, 0, sizeof row);
		row.sentence_id = (int)i;
		row.idx = t;
		row.token_id = r->enc.ids[t];
		row.text = text ? text : "";
		row.word_idx = w;
		row.start = r->enc.offsets[2 * t];
		row.end = r->enc.offsets[2 * t + 1];
		row.is_first = w >= 0 && r->word_tok[w] == t;
		row.gold = row.is_first ? gold[w] : -1;
		row.pred = xnr_argmax(p, L);
		row.prob_pred = p[row.pred];
		row.loss =
		    row.is_first ? xnr_loss_ce(r->logits + (size_t)t * (size_t)L, L, gold[w]) : 0.0;
		row.entropy = xnr_entropy(p, L);
		row.probs = p;
		if ((st = xnr_run_add_token(x->writer, &row, err)) != XNR_OK)
			return st;
	}
	return XNR_OK;
}

static int same_entity(const struct xnr_entity *a, const struct xnr_entity *b)
{
	return a->type == b->type && a->start == b->start && a->end == b->end;
}

/* Entities not matched exactly on the other side. */
static int count_unmatched(const struct xnr_entities *a, const struct xnr_entities *b)
{
	size_t i, j;
	int n = 0;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n && !same_entity(&a->v[i], &b->v[j]); j++)
			;
		n += j == b->n;
	}
	return n;
}

/* Default-mode entities of both sides of one sentence; writes them and
 * returns the number of entity errors in *n_errors. */
static enum xnr_status write_entities(struct xnr__run *x, size_t i, const int32_t *gold,
                                      const int32_t *pred, size_t n, int *n_errors,
                                      struct xnr_error *err)
{
	size_t start[2] = {0, n}, k;
	struct xnr_tagged_corpus c = {x->tags, 1, start, gold, pred};
	struct xnr_entities e[2];
	enum xnr_status st = XNR_OK;
	int side;

	memset(e, 0, sizeof e);
	for (side = 0; side < 2 && st == XNR_OK; side++)
		st = xnr_entities_extract(&c, side ? pred : gold, side ? "pred" : "gold",
		                          XNR_SEQEVAL_DEFAULT, XNR_SEQEVAL_AUTO, &e[side], err);
	for (side = 0; side < 2 && st == XNR_OK; side++)
		for (k = 0; k < e[side].n && st == XNR_OK; k++)
			st = xnr_run_add_entity(x->writer, (int)i, side, (int)e[side].v[k].start,
			                        (int)e[side].v[k].end,
			                        xnr_tagset_type(x->tags, e[side].v[k].type), err);
	if (st == XNR_OK)
		*n_errors = count_unmatched(&e[0], &e[1]) + count_unmatched(&e[1], &e[0]);
	xnr_entities_free(&e[0]);
	xnr_entities_free(&e[1]);
	return st;
}

enum xnr_status xnr__run_write_sentence(struct xnr__run *x, const struct xnr_dataset *chunk,
                                        const struct xnr_sentence *s, size_t i, const int32_t *gold,
                                        int32_t *pred, double *conf, const struct xnr_result *r,
                                        struct xnr_error *err)
{
	struct xnr_sentence_row row;
	enum xnr_status st;
	char *text;

	memset(&row, 0, sizeof row);
	st = write_words(x, chunk, s, i, r, gold, pred, conf, &row, err);
	if (st == XNR_OK)
		st = write_tokens(x, i, r, gold, err);
	if (st == XNR_OK)
		st = write_entities(x, i, gold, pred, s->n_words, &row.n_entity_errors, err);
	if (st != XNR_OK)
		return st;
	if (!(text = sentence_text(chunk, s)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	row.id = (int)i;
	row.doc_id = (int)s->document;
	row.source_line = s->line;
	row.source_id = s->id;
	row.text = text;
	row.n_words = (int)s->n_words;
	row.n_tokens = r->enc.n_tokens;
	st = xnr_run_add_sentence(x->writer, &row, err);
	free(text);
	x->n_words += (long)s->n_words;
	x->n_tokens += r->enc.n_tokens;
	return st;
}

enum xnr_status xnr__run_score(struct xnr__run *x, size_t n, const size_t *sent_start,
                               const int32_t *gold, const int32_t *pred, const double *conf,
                               struct xnr_error *err)
{
	struct xnr_tagged_corpus c = {x->tags, n, sent_start, gold, pred};
	enum xnr_status st;
	size_t w;

	if (!x->macc && (st = xnr_run_metrics_acc_open(x->tags, &x->macc, err)) != XNR_OK)
		return st;
	for (w = sent_start[0]; w < sent_start[n]; w++)
		x->n_correct += gold[w] == pred[w];
	x->n_scored += sent_start[n] - sent_start[0];
	return xnr_run_metrics_acc_add(x->macc, &c, conf, err);
}

/* One seqeval report as JSON into *out: the report, or {"error": why} when
 * the tags do not allow the mode (strict mode on tags no scheme fits: the
 * run is still worth storing). Any other failure fails the run. */
static enum xnr_status evaluate_json(const struct xnr_seqeval_acc *acc, enum xnr_seqeval_mode mode,
                                     struct xnr_seqeval_report *rep, json_t **out,
                                     struct xnr_error *err)
{
	struct xnr_seqeval_params p = xnr_seqeval_default_params();
	struct xnr_error e2;
	enum xnr_status st;

	p.mode = mode;
	p.scheme = XNR_SEQEVAL_AUTO;
	st = xnr_seqeval_acc_report(acc, &p, rep, &e2);
	if (st == XNR_ERR_INPUT) {
		*out = json_pack("{s:s}", "error", e2.msg);
		return XNR_OK;
	}
	if (st != XNR_OK) {
		if (err)
			*err = e2;
		return st;
	}
	*out = xnr_seqeval_report_json(rep);
	if (mode == XNR_SEQEVAL_STRICT)
		json_object_set_new(*out, "scheme",
		                    json_string(xnr_seqeval_scheme_name(rep->scheme)));
	return XNR_OK;
}

enum xnr_status xnr__run_summary(struct xnr__run *x, const char *scheme_json, char **json,
                                 char **report, struct xnr_error *err)
{
	struct xnr_seqeval_report def, strict;
	json_t *o, *scheme;
	json_t *def_json = NULL, *strict_json = NULL;
	size_t n = x->n_scored;
	enum xnr_status st;

	if (!x->macc && (st = xnr_run_metrics_acc_open(x->tags, &x->macc, err)) != XNR_OK)
		return st;
	o = json_object();
	scheme = json_loads(scheme_json, 0, NULL);
	memset(&def, 0, sizeof def);
	memset(&strict, 0, sizeof strict);
	json_object_set_new(o, "scheme", scheme ? scheme : json_null());
	json_object_set_new(o, "token_accuracy",
	                    json_real(n ? (double)x->n_correct / (double)n : 0.0));
	st = evaluate_json(xnr_run_metrics_acc_seqeval(x->macc), XNR_SEQEVAL_DEFAULT, &def,
	                   &def_json, err);
	if (st == XNR_OK)
		st = evaluate_json(xnr_run_metrics_acc_seqeval(x->macc), XNR_SEQEVAL_STRICT,
		                   &strict, &strict_json, err);
	json_object_set_new(o, "seqeval_default", def_json);
	json_object_set_new(o, "seqeval_strict", strict_json);
	*report = NULL;
	if (st == XNR_OK && !json_object_get(def_json, "error"))
		st = xnr_seqeval_format(&def, 4, report, err);
	*json = st == XNR_OK ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
	if (st == XNR_OK && !*json)
		st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	json_decref(o);
	xnr_seqeval_report_free(&def);
	xnr_seqeval_report_free(&strict);
	return st;
}
