/*
 * issue_rows.c - a run's ranked label issues read back from its scores
 * (store/scores.h, made by `explainer issues`) as review.h's struct
 * xnr_issue, with the sentence's place in the data file and the verdict a
 * reviewer gave on each, then written by xnr_review_write_issues (issues.c):
 * `explainer export --issues`. One level per file, so every row has the
 * same signals: a word's are cleanlab's scores, the neighbours', the
 * consistency and the ill-formed tag; an entity's those of its words; a
 * sentence's cleanlab's two sentence scores and its flagged words.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "review/review.h"
#include "store/read.h"

static const char *const word_signals[] = {
    "self_confidence", "margin", "cl_issue", "knn_split", "knn_ref", "consistency", "structure"};
static const char *const entity_signals[] = {"self_confidence", "knn", "consistency"};
static const char *const sentence_signals[] = {"worst", "softmin", "n_flagged"};
#define MAX_SIGNALS 7
#define OWNED       4 /* strings a row copies: text, type, kind, suggested */

static const char *const level_names[XNR_ISSUE_LEVELS] = {"sentence", "entity", "word"};

/* The sentences of the run by id: their place in the data file and text. */
struct sent_info {
	long line;
	char *source_id, *text;
	int n_words;
};

/* The rows being collected; every string they point to is owned here or by run. */
struct rows {
	struct xnr_run run;
	struct sent_info *sents; /* (n_sents) by sentence id */
	size_t n_sents;
	enum xnr_issue_level level;
	struct xnr_issue *items;
	struct xnr_issue_signal *signals; /* (cap, MAX_SIGNALS) */
	char **owned;                     /* (cap, OWNED): each row's copied strings */
	size_t n, cap;
	int oom, bad_sentence;
};

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n_sents; i++) {
		free(r->sents[i].source_id);
		free(r->sents[i].text);
	}
	for (size_t i = 0; r->owned && i < OWNED * r->n; i++)
		free(r->owned[i]);
	free(r->sents);
	free(r->items);
	free(r->signals);
	free(r->owned);
	xnr_run_free(&r->run);
}

static char *dup_or_null(const char *s, int *oom)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*oom = 1;
	return d;
}

/* Every sentence of the run, in id order (ids are 0..n-1). */
static enum xnr_status load_sentences(struct xnr_store *s, int64_t run, struct rows *r,
                                      struct xnr_error *err)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(run);
	struct xnr_sentence_row row;
	struct xnr_rows *it = NULL;
	enum xnr_status st;
	int more = 1;

	q.sort = XNR_SENT_BY_ID;
	q.ascending = 1;
	if (!(r->sents = calloc((size_t)r->run.n_sentences + 1, sizeof *r->sents)))
		return xnr_fail(err, XNR_ERR_NOMEM, "issues: out of memory");
	if ((st = xnr_store_sentences(s, &q, &it, err)) != XNR_OK)
		return st;
	while ((st = xnr_rows_sentence(it, &row, &more, err)) == XNR_OK && more) {
		struct sent_info *si;
		if (row.id < 0 || (int64_t)row.id >= r->run.n_sentences) {
			st = xnr_fail(err, XNR_ERR_FORMAT,
			              "issues: run %lld: sentence %d out of range", (long long)run,
			              row.id);
			break;
		}
		si = &r->sents[row.id];
		si->line = row.source_line;
		si->n_words = row.n_words;
		si->source_id = dup_or_null(row.source_id, &r->oom);
		si->text = dup_or_null(row.text, &r->oom);
		r->n_sents = (size_t)row.id + 1 > r->n_sents ? (size_t)row.id + 1 : r->n_sents;
	}
	xnr_rows_close(it);
	if (st == XNR_OK && r->oom)
		st = xnr_fail(err, XNR_ERR_NOMEM, "issues: out of memory");
	return st;
}

/* A new row (its signals and owned strings zeroed), NULL when out of memory. */
static struct xnr_issue *add_row(struct rows *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		struct xnr_issue *it = realloc(r->items, cap * sizeof *it);
		struct xnr_issue_signal *sg;
		char **ow;
		if (!it)
			return NULL;
		r->items = it;
		if (!(sg = realloc(r->signals, cap * MAX_SIGNALS * sizeof *sg)))
			return NULL;
		r->signals = sg;
		if (!(ow = realloc(r->owned, cap * OWNED * sizeof *ow)))
			return NULL;
		r->owned = ow;
		r->cap = cap;
	}
	memset(&r->items[r->n], 0, sizeof r->items[r->n]);
	memset(&r->owned[OWNED * r->n], 0, OWNED * sizeof *r->owned);
	return &r->items[r->n++];
}

/* Fill row e of sentence id with the place and the signals (names, values). */
static int place(struct rows *r, struct xnr_issue *e, int id, const char *const *names,
                 const double *values, size_t n_signals)
{
	struct xnr_issue_signal *sg = &r->signals[(size_t)(e - r->items) * MAX_SIGNALS];

	if (id < 0 || (size_t)id >= r->n_sents) {
		r->bad_sentence = 1;
		return 1;
	}
	e->level = level_names[r->level];
	e->sentence_id = id;
	e->source_line = r->sents[id].line;
	e->source_id = r->sents[id].source_id;
	for (size_t k = 0; k < n_signals; k++)
		sg[k] = (struct xnr_issue_signal){names[k], values[k]};
	e->n_signals = n_signals; /* e->signals is set once the rows stop moving (collect) */
	return 0;
}

/* Copy s into row e's k-th owned string. */
static const char *own(struct rows *r, const struct xnr_issue *e, int k, const char *s)
{
	char **slot = &r->owned[OWNED * (size_t)(e - r->items) + (size_t)k];

	*slot = dup_or_null(s, &r->oom);
	return *slot;
}

static int take_word(struct rows *r, const struct xnr_word_score *w)
{
	double v[] = {w->self_confidence, w->margin,      w->cl_issue, w->knn_split,
	              w->knn_ref,         w->consistency, w->structure};
	struct xnr_issue *e = add_row(r);

	if (!e)
		return r->oom = 1;
	if (place(r, e, w->sentence_id, word_signals, v, sizeof v / sizeof *v))
		return 1;
	e->rank = w->rank;
	e->start = w->idx;
	e->end = w->idx + 1;
	e->text = own(r, e, 0, w->text);
	e->gold = xnr_run_label_name(&r->run, w->gold);
	e->pred = xnr_run_label_name(&r->run, w->pred);
	e->kind = own(r, e, 2, w->kind);
	e->suggested = w->suggested >= 0 ? xnr_run_label_name(&r->run, w->suggested) : NULL;
	e->score = w->combined;
	e->sentence_text = r->sents[w->sentence_id].text;
	return r->oom;
}

/* An entity's gold is its type for a gold span and O for the others (a
 * predicted span or a string found as O); pred is a predicted span's type. */
static int take_entity(struct rows *r, const struct xnr_entity_score *x)
{
	double v[] = {x->self_confidence, x->knn, x->consistency};
	struct xnr_issue *e = add_row(r);
	int gold = x->side && strcmp(x->side, "gold") == 0;
	int pred = x->side && strcmp(x->side, "pred") == 0;

	if (!e)
		return r->oom = 1;
	if (place(r, e, x->sentence_id, entity_signals, v, sizeof v / sizeof *v))
		return 1;
	e->rank = x->rank;
	e->start = x->start;
	e->end = x->end;
	e->text = own(r, e, 0, x->text);
	e->gold = gold ? own(r, e, 1, x->type) : "O";
	e->pred = pred ? own(r, e, 1, x->type) : NULL;
	e->kind = own(r, e, 2, x->kind);
	e->suggested = own(r, e, 3, x->suggested);
	e->score = x->combined;
	e->sentence_text = r->sents[x->sentence_id].text;
	return r->oom;
}

static int take_sentence(struct rows *r, const struct xnr_sentence_score *x)
{
	double v[] = {x->worst, x->softmin, x->n_flagged};
	struct xnr_issue *e = add_row(r);

	if (!e)
		return r->oom = 1;
	if (place(r, e, x->id, sentence_signals, v, sizeof v / sizeof *v))
		return 1;
	e->rank = x->rank;
	e->start = 0;
	e->end = r->sents[x->id].n_words;
	e->text = r->sents[x->id].text;
	e->score = x->combined;
	return 0;
}

static int take_row(void *ud, const void *row)
{
	struct rows *r = ud;

	if (r->level == XNR_ISSUE_WORD)
		return take_word(r, row);
	if (r->level == XNR_ISSUE_ENTITY)
		return take_entity(r, row);
	return take_sentence(r, row);
}

/* The top rows of the level (top < 0: all), ranked, with their verdicts. */
static enum xnr_status collect(struct xnr_store *s, int64_t run, long top, struct rows *r,
                               struct xnr_error *err)
{
	struct xnr_issue_query q = xnr_issue_query_default(run, r->level);
	struct xnr_verdict *v = NULL;
	size_t n_v = 0;
	int64_t total = 0;
	enum xnr_status st;

	q.limit = top;
	if ((st = xnr_store_run_get(s, run, &r->run, err)) != XNR_OK ||
	    (st = load_sentences(s, run, r, err)) != XNR_OK ||
	    (st = xnr_store_issues(s, &q, take_row, r, &total, err)) != XNR_OK)
		return st;
	if (r->oom)
		return xnr_fail(err, XNR_ERR_NOMEM, "issues: out of memory");
	if (r->bad_sentence)
		return xnr_fail(err, XNR_ERR_FORMAT,
		                "issues: run %lld: a scored sentence is not in the run (the "
		                "database is damaged; run explainer issues --recompute)",
		                (long long)run);
	for (size_t i = 0; i < r->n; i++)
		r->items[i].signals = &r->signals[i * MAX_SIGNALS];
	if ((st = xnr_store_verdicts(s, run, -1, &v, &n_v, err)) != XNR_OK)
		return st;
	xnr_review_issues_verdicts(r->items, r->n, v, n_v);
	xnr_verdicts_free(v, n_v);
	return XNR_OK;
}

enum xnr_status xnr_review_export_issues(struct xnr_store *s, int64_t run,
                                         enum xnr_issue_level level, long top,
                                         enum xnr_issues_format format, FILE *out, size_t *n_issues,
                                         struct xnr_error *err)
{
	struct rows r;
	enum xnr_status st;

	memset(&r, 0, sizeof r);
	if ((unsigned)level >= XNR_ISSUE_LEVELS)
		return xnr_fail(err, XNR_ERR_INPUT, "issues: no such level %d", (int)level);
	r.level = level;
	if ((st = collect(s, run, top, &r, err)) == XNR_OK &&
	    (st = xnr_review_write_issues(r.items, r.n, format, out, err)) == XNR_OK && n_issues)
		*n_issues = r.n;
	rows_free(&r);
	return st;
}
