/*
 * metrics.c - the Metrics page of a stored run (report.h): seqeval's
 * classification reports in default and strict mode, the token confusion
 * matrix (raw and row-normalised, sklearn's confusion_matrix), the entity
 * error taxonomy and nervaluate's four schemes, all from the run view, and
 * the bootstrap intervals of the default-mode F1 scores.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/seqeval_json.h"
#include "report/internal.h"
#include "report/report.h"
#include "store/read.h"

void xnr_run_metrics_free(struct xnr_run_metrics *m)
{
	xnr_seqeval_report_free(&m->def);
	xnr_seqeval_report_free(&m->strict);
	xnr_confusion_free(&m->cm);
	xnr_taxonomy_free(&m->tax);
	xnr_nerval_result_free(&m->nerval);
}

/* nervaluate over corpus c into *out; it reads B-/I- tags only: on other
 * tags (nervaluate raises) *out stays zero and *off is set. */
static enum xnr_status nervaluate(const struct xnr_tagged_corpus *c, struct xnr_nerval_result *out,
                                  int *off, struct xnr_error *err)
{
	struct xnr_nerval_params np = xnr_nerval_default_params();
	struct xnr_entities ng, npd;
	struct xnr_error ignored;
	enum xnr_status st;

	memset(&ng, 0, sizeof ng);
	memset(&npd, 0, sizeof npd);
	if ((st = xnr_nerval_entities_from_bio(c, c->gold, "gold", &ng, &ignored)) == XNR_OK)
		st = xnr_nerval_entities_from_bio(c, c->pred, "pred", &npd, &ignored);
	if (st == XNR_OK) {
		st = xnr_nerval_evaluate(&ng, &npd, c->n_sents, c->tags, &np, out, err);
	} else if (st == XNR_ERR_INPUT) {
		*off = 1;
		st = XNR_OK;
	} else if (err) {
		*err = ignored;
	}
	xnr_entities_free(&ng);
	xnr_entities_free(&npd);
	return st;
}

/* Strict mode's outcome st: its report, or the reason tags no scheme fits
 * give (strict mode not available: not an error); any other failure is. */
static enum xnr_status strict_result(struct xnr_run_metrics *m, enum xnr_status st,
                                     const struct xnr_error *why, struct xnr_error *err)
{
	m->strict_ok = st == XNR_OK;
	if (st == XNR_ERR_INPUT) {
		memcpy(m->strict_error, why->msg, sizeof m->strict_error);
		return XNR_OK;
	}
	if (st != XNR_OK && err)
		*err = *why;
	return st;
}

enum xnr_status xnr_run_metrics_compute(const struct xnr_run_view *v, struct xnr_run_metrics *out,
                                        struct xnr_error *err)
{
	struct xnr_tagged_corpus c = {v->tags, v->n_sents, v->sent_start, v->gold, v->pred};
	struct xnr_seqeval_params p = xnr_seqeval_default_params();
	struct xnr_error strict_err;
	int off = 0; /* no nervaluate: its result stays zero */
	enum xnr_status st;

	memset(out, 0, sizeof *out);
	if ((st = xnr_seqeval_evaluate(&c, &p, &out->def, err)) != XNR_OK)
		goto fail;
	p.mode = XNR_SEQEVAL_STRICT;
	p.scheme = XNR_SEQEVAL_AUTO;
	st = xnr_seqeval_evaluate(&c, &p, &out->strict, &strict_err);
	if ((st = strict_result(out, st, &strict_err, err)) != XNR_OK)
		goto fail;
	if ((st = xnr_confusion_compute(&c, &out->cm, err)) != XNR_OK ||
	    (st = xnr_taxonomy_compute(&out->def.gold, &out->def.pred, xnr_tagset_n_types(v->tags),
	                               &out->tax, err)) != XNR_OK ||
	    (st = nervaluate(&c, &out->nerval, &off, err)) != XNR_OK)
		goto fail;
	return XNR_OK;
fail:
	xnr_run_metrics_free(out);
	memset(out, 0, sizeof *out);
	return st;
}

/* ---- the same from pieces ---- */

struct xnr_run_metrics_acc {
	const struct xnr_tagset *tags;
	struct xnr_seqeval_acc *seqeval;
	struct xnr_entity_scan scan[2]; /* default-mode entities, gold and predicted */
	struct xnr_confusion cm;
	struct xnr_taxonomy tax;
	struct xnr_nerval_result nerval;
	int nerval_off;           /* a tag nervaluate cannot read: no nervaluate (as the view's) */
	struct xnr__calib *calib; /* NULL: a piece came without confidences */
	size_t n_sents;
};

enum xnr_status xnr_run_metrics_acc_open(const struct xnr_tagset *tags,
                                         struct xnr_run_metrics_acc **out, struct xnr_error *err)
{
	struct xnr_run_metrics_acc *a = calloc(1, sizeof *a);
	enum xnr_status st;

	if (!a)
		return xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
	a->tags = tags;
	xnr_entity_scan_init(&a->scan[0]);
	xnr_entity_scan_init(&a->scan[1]);
	if ((st = xnr_seqeval_acc_open(tags, &a->seqeval, err)) != XNR_OK ||
	    (st = xnr__calib_open(XNR_REPORT_BINS, &a->calib, err)) != XNR_OK) {
		xnr_run_metrics_acc_close(a);
		return st;
	}
	*out = a;
	return XNR_OK;
}

void xnr_run_metrics_acc_close(struct xnr_run_metrics_acc *a)
{
	if (!a)
		return;
	xnr_seqeval_acc_close(a->seqeval);
	xnr_confusion_free(&a->cm);
	xnr_taxonomy_free(&a->tax);
	xnr_nerval_result_free(&a->nerval);
	xnr__calib_close(a->calib);
	free(a);
}

const struct xnr_seqeval_acc *xnr_run_metrics_acc_seqeval(const struct xnr_run_metrics_acc *a)
{
	return a->seqeval;
}

/* Add a piece's confusion counts into a->cm, grown to the piece's labels. */
static int confusion_add(struct xnr_confusion *sum, const struct xnr_confusion *p)
{
	size_t n = p->n_labels > sum->n_labels ? p->n_labels : sum->n_labels, i, j;
	int64_t *c;

	if (n > sum->n_labels) {
		if (!(c = calloc(n * n + 1, sizeof *c)))
			return -1;
		for (i = 0; i < sum->n_labels; i++)
			for (j = 0; j < sum->n_labels; j++)
				c[i * n + j] = sum->counts[i * sum->n_labels + j];
		free(sum->counts);
		sum->counts = c;
		sum->n_labels = n;
	}
	for (i = 0; i < p->n_labels; i++)
		for (j = 0; j < p->n_labels; j++)
			sum->counts[i * n + j] += p->counts[i * p->n_labels + j];
	return 0;
}

static int taxonomy_add(struct xnr_taxonomy *sum, const struct xnr_taxonomy *p)
{
	size_t t;
	int k;

	if (p->n_types > sum->n_types) {
		int64_t(*c)[XNR_ERRK_COUNT] = realloc(sum->counts, (p->n_types + 1) * sizeof *c);
		if (!c)
			return -1;
		memset(c + sum->n_types, 0, (p->n_types + 1 - sum->n_types) * sizeof *c);
		sum->counts = c;
		sum->n_types = p->n_types;
	}
	for (t = 0; t < p->n_types; t++)
		for (k = 0; k < XNR_ERRK_COUNT; k++)
			sum->counts[t][k] += p->counts[t][k];
	for (k = 0; k < XNR_ERRK_COUNT; k++)
		sum->total[k] += p->total[k];
	return 0;
}

/* The piece's nervaluate counts into a->nerval, or nervaluate off for good. */
static enum xnr_status nerval_add(struct xnr_run_metrics_acc *a, const struct xnr_tagged_corpus *c,
                                  struct xnr_error *err)
{
	struct xnr_nerval_result r;
	enum xnr_status st;

	memset(&r, 0, sizeof r);
	if ((st = nervaluate(c, &r, &a->nerval_off, err)) == XNR_OK && !a->nerval_off)
		st = xnr_nerval_result_add(&a->nerval, &r, err);
	xnr_nerval_result_free(&r);
	return st;
}

enum xnr_status xnr_run_metrics_acc_add(struct xnr_run_metrics_acc *a,
                                        const struct xnr_tagged_corpus *c, const double *conf,
                                        struct xnr_error *err)
{
	struct xnr_entities g, p;
	struct xnr_confusion cm;
	struct xnr_taxonomy tax;
	enum xnr_status st;

	memset(&g, 0, sizeof g);
	memset(&p, 0, sizeof p);
	memset(&cm, 0, sizeof cm);
	memset(&tax, 0, sizeof tax);
	if ((st = xnr_seqeval_acc_add(a->seqeval, c, err)) != XNR_OK ||
	    (st = xnr_entities_extract_next(c, c->gold, "gold", XNR_SEQEVAL_DEFAULT,
	                                    XNR_SEQEVAL_AUTO, &a->scan[0], &g, err)) != XNR_OK ||
	    (st = xnr_entities_extract_next(c, c->pred, "predicted", XNR_SEQEVAL_DEFAULT,
	                                    XNR_SEQEVAL_AUTO, &a->scan[1], &p, err)) != XNR_OK ||
	    (st = xnr_confusion_compute(c, &cm, err)) != XNR_OK ||
	    (st = xnr_taxonomy_compute(&g, &p, xnr_tagset_n_types(c->tags), &tax, err)) != XNR_OK)
		goto done;
	if (confusion_add(&a->cm, &cm) != 0 || taxonomy_add(&a->tax, &tax) != 0) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
		goto done;
	}
	if (!a->nerval_off && (st = nerval_add(a, c, err)) != XNR_OK)
		goto done;
	if (!conf) {
		xnr__calib_close(a->calib);
		a->calib = NULL;
	} else if (a->calib && (st = xnr__calib_add(a->calib, c, conf, &g, &p, err)) != XNR_OK) {
		goto done;
	}
	a->n_sents += c->n_sents;
done:
	xnr_entities_free(&g);
	xnr_entities_free(&p);
	xnr_confusion_free(&cm);
	xnr_taxonomy_free(&tax);
	return st;
}

/* A copy of what the pieces summed. */
static enum xnr_status acc_copy(const struct xnr_run_metrics_acc *a, struct xnr_run_metrics *m,
                                struct xnr_error *err)
{
	struct xnr_nerval_params np = xnr_nerval_default_params();
	struct xnr_confusion cm = {0, NULL};
	struct xnr_taxonomy tax;

	/* as large as the tag set, as over the whole run, even with no piece */
	memset(&tax, 0, sizeof tax);
	cm.n_labels = xnr_tagset_count(a->tags);
	tax.n_types = xnr_tagset_n_types(a->tags);
	if (!(cm.counts = calloc(cm.n_labels * cm.n_labels + 1, sizeof *cm.counts)) ||
	    !(tax.counts = calloc(tax.n_types + 1, sizeof *tax.counts)) ||
	    confusion_add(&cm, &a->cm) != 0 || taxonomy_add(&tax, &a->tax) != 0) {
		xnr_confusion_free(&cm);
		xnr_taxonomy_free(&tax);
		return xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
	}
	m->cm = cm;
	m->tax = tax;
	if (a->nerval_off)
		return XNR_OK;
	m->nerval = a->nerval;
	m->nerval.types = malloc((a->nerval.n_types + 1) * sizeof *m->nerval.types);
	if (!m->nerval.types) {
		memset(&m->nerval, 0, sizeof m->nerval);
		return xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
	}
	if (a->nerval.n_types)
		memcpy(m->nerval.types, a->nerval.types,
		       a->nerval.n_types * sizeof *m->nerval.types);
	return xnr_nerval_result_finish(&m->nerval, &np, a->n_sents, err);
}

enum xnr_status xnr_run_metrics_acc_calibration(const struct xnr_run_metrics_acc *a, json_t **out,
                                                struct xnr_error *err)
{
	if (!a->calib)
		return xnr_fail(err, XNR_ERR_NOT_FOUND,
		                "calibration: a part of the run came without confidences");
	return xnr__calib_json(a->calib, a->tags, out, err);
}

enum xnr_status xnr_run_metrics_acc_result(const struct xnr_run_metrics_acc *a,
                                           struct xnr_run_metrics *out, struct xnr_error *err)
{
	struct xnr_seqeval_params p = xnr_seqeval_default_params();
	struct xnr_error strict_err;
	enum xnr_status st;

	memset(out, 0, sizeof *out);
	if ((st = xnr_seqeval_acc_report(a->seqeval, &p, &out->def, err)) != XNR_OK)
		goto fail;
	p.mode = XNR_SEQEVAL_STRICT;
	p.scheme = XNR_SEQEVAL_AUTO;
	st = xnr_seqeval_acc_report(a->seqeval, &p, &out->strict, &strict_err);
	if ((st = strict_result(out, st, &strict_err, err)) != XNR_OK)
		goto fail;
	if ((st = acc_copy(a, out, err)) != XNR_OK)
		goto fail;
	return XNR_OK;
fail:
	xnr_run_metrics_free(out);
	memset(out, 0, sizeof *out);
	return st;
}

/* {"labels", "counts", "normalized"}: rows by gold label, normalised by its count. */
static json_t *confusion_json(const char *const *labels, int n_labels,
                              const struct xnr_confusion *cm)
{
	size_t n = cm->n_labels, i, j;
	double *m = malloc((n * n + 1) * sizeof *m);
	json_t *labels_json = json_array(), *counts = json_array(), *norm = json_array();

	if (!m) {
		json_decref(labels_json);
		json_decref(counts);
		json_decref(norm);
		return NULL;
	}
	xnr_confusion_matrix(cm, 1, 0, m);
	for (i = 0; i < (size_t)n_labels; i++)
		json_array_append_new(labels_json, json_string(labels[i]));
	for (i = 0; i < n; i++) {
		json_t *row = json_array(), *nrow = json_array();
		for (j = 0; j < n; j++) {
			json_array_append_new(row, json_integer(cm->counts[i * n + j]));
			json_array_append_new(nrow, json_real(m[i * n + j]));
		}
		json_array_append_new(counts, row);
		json_array_append_new(norm, nrow);
	}
	free(m);
	return json_pack("{s:o,s:o,s:o}", "labels", labels_json, "counts", counts, "normalized",
	                 norm);
}

/* One row per entity type of the default-mode report (a type of some gold
 * or predicted span), in its order: the tag set also interns the types that
 * "O" parses to ("_" by seqeval's rule, "" by nervaluate's), which no span
 * has and which would show as empty rows. */
static json_t *taxonomy_json(const struct xnr_seqeval_report *def, const struct xnr_taxonomy *tax)
{
	json_t *o = json_object();
	size_t c;
	int k;
	for (c = 0; c < def->n_classes; c++) {
		const struct xnr_seqeval_class *cl = &def->classes[c];
		json_t *row = json_object();
		for (k = 0; k < XNR_ERRK_COUNT; k++)
			json_object_set_new(
			    row, xnr_err_kind_str((enum xnr_err_kind)k),
			    json_integer(cl->type < tax->n_types ? tax->counts[cl->type][k] : 0));
		json_object_set_new(o, cl->name, row);
	}
	return o;
}

static json_t *nerval_json(const struct xnr_nerval_result *r)
{
	json_t *o = json_object();
	int k;
	for (k = 0; k < XNR_NERVAL_N_SCHEMES; k++) {
		const struct xnr_nerval_counts *c = &r->overall[k];
		json_object_set_new(
		    o, xnr_nerval_scheme_name((enum xnr_nerval_scheme)k),
		    json_pack("{s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:f}", "correct",
		              (json_int_t)c->correct, "incorrect", (json_int_t)c->incorrect,
		              "partial", (json_int_t)c->partial, "missed", (json_int_t)c->missed,
		              "spurious", (json_int_t)c->spurious, "precision", c->precision,
		              "recall", c->recall, "f1", c->f1));
	}
	return o;
}

enum xnr_status xnr_run_metrics_json(const struct xnr_run_view *v, const struct xnr_run_metrics *m,
                                     json_t **out, struct xnr_error *err)
{
	return xnr_run_metrics_json_of(v->run, (const char *const *)v->labels, v->n_labels,
	                               v->scheme_json, m, out, err);
}

enum xnr_status xnr_run_metrics_json_of(int64_t run, const char *const *labels, int n_labels,
                                        const char *scheme_json, const struct xnr_run_metrics *m,
                                        json_t **out, struct xnr_error *err)
{
	json_t *scheme = scheme_json ? json_loads(scheme_json, 0, NULL) : NULL;
	json_t *o = json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "run", (json_int_t)run,
	                      "seqeval_default", xnr_seqeval_report_json(&m->def), "seqeval_strict",
	                      m->strict_ok ? xnr_seqeval_report_json(&m->strict)
	                                   : json_pack("{s:s}", "error", m->strict_error),
	                      "confusion", confusion_json(labels, n_labels, &m->cm),
	                      "entity_errors", taxonomy_json(&m->def, &m->tax), "nervaluate",
	                      nerval_json(&m->nerval), "scheme", scheme ? scheme : json_null());

	if (!o)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the metrics JSON");
	*out = o;
	return XNR_OK;
}

enum xnr_status xnr_report_metrics(const struct xnr_run_view *v, json_t **out,
                                   struct xnr_error *err)
{
	struct xnr_run_metrics m;
	enum xnr_status st = xnr_run_metrics_compute(v, &m, err);

	if (st != XNR_OK)
		return st;
	st = xnr_run_metrics_json(v, &m, out, err);
	xnr_run_metrics_free(&m);
	return st;
}

/* ---- bootstrap intervals ---- */

enum xnr_status xnr_run_metrics_ci(const struct xnr_run_view *v, const struct xnr_run_metrics *m,
                                   const struct xnr_boot_params *p, struct xnr_f1_boot *out,
                                   struct xnr_error *err)
{
	size_t n_types = xnr_tagset_n_types(v->tags), c;
	int32_t *col = malloc((n_types + 1) * sizeof *col);
	struct xnr_f1_counts counts;
	enum xnr_status st;

	memset(&counts, 0, sizeof counts);
	if (!col)
		return xnr_fail(err, XNR_ERR_NOMEM, "intervals: out of memory");
	memset(col, 0xff, (n_types + 1) * sizeof *col);
	for (c = 0; c < m->def.n_classes; c++)
		col[m->def.classes[c].type] = (int32_t)c;
	if ((st = xnr_f1_counts_init(&counts, v->n_sents, m->def.n_classes, err)) == XNR_OK &&
	    (st = xnr_f1_counts_add(&counts, &m->def.gold, &m->def.pred, v->n_sents, NULL, n_types,
	                            col, err)) == XNR_OK)
		st = xnr_stats_bootstrap_f1(&counts, NULL, p, out, err);
	xnr_f1_counts_free(&counts);
	free(col);
	return st;
}

/* ---- the same intervals from the stored entities ---- */

/* One sentence's stored spans, as count columns. */
struct span {
	int is_pred, start, end;
	int32_t col;
};

struct ci_reader {
	const struct xnr_run_metrics *m;
	struct xnr_f1_boot_stream *boot;
	struct xnr_f1_counts chunk; /* rows [row0, row0 + chunk.n_rows) */
	size_t row0, n_sents;
	struct span *spans; /* the current sentence's */
	size_t n_spans, cap_spans;
};

static int32_t col_of_name(const struct xnr_seqeval_report *r, const char *type)
{
	size_t c;

	for (c = 0; c < r->n_classes; c++)
		if (strcmp(r->classes[c].name, type) == 0)
			return (int32_t)c;
	return -1;
}

/* The current sentence's counts into its chunk row: a predicted span is a
 * true positive when a gold one has its start, end and column. */
static void count_sentence(struct ci_reader *c, size_t sent)
{
	int32_t *row = c->chunk.c + 3 * (sent - c->row0) * c->chunk.n_cols;
	size_t i, j;

	for (i = 0; i < c->n_spans; i++) {
		const struct span *x = &c->spans[i];
		int32_t *cell = row + 3 * x->col;
		if (!x->is_pred) {
			cell[2]++;
			continue;
		}
		cell[1]++;
		for (j = 0; j < c->n_spans; j++)
			if (!c->spans[j].is_pred && c->spans[j].start == x->start &&
			    c->spans[j].end == x->end && c->spans[j].col == x->col) {
				cell[0]++;
				break;
			}
	}
	c->n_spans = 0;
}

/* Bootstrap the rows before `upto` (the chunk's rows below it), and start
 * the chunk at upto. */
static enum xnr_status flush_chunk(struct ci_reader *c, size_t upto, size_t chunk_rows,
                                   struct xnr_error *err)
{
	struct xnr_f1_counts part = c->chunk;
	enum xnr_status st;

	part.n_rows = upto - c->row0;
	if ((st = xnr_f1_boot_stream_add(c->boot, &part, err)) != XNR_OK)
		return st;
	c->row0 = upto;
	memset(c->chunk.c, 0, 3 * chunk_rows * c->chunk.n_cols * sizeof *c->chunk.c);
	return XNR_OK;
}

static enum xnr_status read_spans(struct ci_reader *c, struct xnr_store *s, int64_t run,
                                  size_t chunk_rows, struct xnr_error *err)
{
	struct xnr_rows *rows = NULL;
	struct xnr_entity_row e;
	enum xnr_status st = xnr_store_run_entities(s, run, &rows, err);
	int64_t cur = -1;
	int more = 1;

	while (st == XNR_OK && (st = xnr_rows_entity(rows, &e, &more, err)) == XNR_OK && more) {
		int32_t col = col_of_name(&c->m->def, e.type);
		if (e.sentence_id < cur || (size_t)e.sentence_id >= c->n_sents || col < 0) {
			st = xnr_fail(
			    err, XNR_ERR_FORMAT,
			    "run %lld: its entities table does not match its sentences and "
			    "metrics (sentence %d, type %s)",
			    (long long)run, e.sentence_id, e.type);
			break;
		}
		if (e.sentence_id != cur && cur >= 0)
			count_sentence(c, (size_t)cur);
		cur = e.sentence_id;
		while (st == XNR_OK && (size_t)cur >= c->row0 + chunk_rows)
			st = flush_chunk(c, c->row0 + chunk_rows, chunk_rows, err);
		if (st == XNR_OK && c->n_spans == c->cap_spans) {
			size_t cap = c->cap_spans ? 2 * c->cap_spans : 16;
			struct span *v = realloc(c->spans, cap * sizeof *v);
			if (!v)
				st = xnr_fail(err, XNR_ERR_NOMEM, "intervals: out of memory");
			else
				c->spans = v, c->cap_spans = cap;
		}
		if (st == XNR_OK)
			c->spans[c->n_spans++] = (struct span){e.is_pred, e.start, e.end, col};
	}
	xnr_rows_close(rows);
	if (st == XNR_OK && cur >= 0)
		count_sentence(c, (size_t)cur);
	while (st == XNR_OK && c->row0 < c->n_sents)
		st = flush_chunk(
		    c, c->n_sents - c->row0 < chunk_rows ? c->n_sents : c->row0 + chunk_rows,
		    chunk_rows, err);
	return st;
}

enum xnr_status xnr_run_metrics_ci_stored(struct xnr_store *s, int64_t run, size_t n_sents,
                                          const struct xnr_run_metrics *m,
                                          const struct xnr_boot_params *p, size_t chunk_rows,
                                          struct xnr_f1_boot *out, struct xnr_error *err)
{
	struct ci_reader c;
	enum xnr_status st;

	memset(&c, 0, sizeof c);
	c.m = m;
	c.n_sents = n_sents;
	if (!chunk_rows)
		chunk_rows = XNR_CI_CHUNK_ROWS;
	if (chunk_rows > n_sents)
		chunk_rows = n_sents ? n_sents : 1;
	if ((st = xnr_f1_boot_stream_open(n_sents, m->def.n_classes, p, &c.boot, err)) == XNR_OK &&
	    (st = xnr_f1_counts_init(&c.chunk, chunk_rows, m->def.n_classes, err)) == XNR_OK &&
	    (st = read_spans(&c, s, run, chunk_rows, err)) == XNR_OK)
		st = xnr_f1_boot_stream_result(c.boot, out, err);
	xnr_f1_boot_stream_close(c.boot);
	xnr_f1_counts_free(&c.chunk);
	free(c.spans);
	return st;
}

static json_t *ci_json(const struct xnr_interval *iv)
{
	return json_pack("{s:f,s:f,s:f}", "f1", iv->est, "lo", iv->lo, "hi", iv->hi);
}

json_t *xnr_run_metrics_ci_json(const struct xnr_run_metrics *m, const struct xnr_f1_boot *b)
{
	json_t *o = json_pack("{s:I,s:I,s:f,s:s,s:o,s:o}", "seed", (json_int_t)b->params.seed,
	                      "resamples", (json_int_t)b->params.n_resamples, "level",
	                      b->params.level, "unit", "sentence", "micro avg",
	                      ci_json(&b->micro.a), "macro avg", ci_json(&b->macro.a));
	size_t c;

	for (c = 0; o && c < m->def.n_classes && c < b->n_cols; c++)
		if (json_object_set_new(o, m->def.classes[c].name, ci_json(&b->col[c].a)) != 0) {
			json_decref(o);
			o = NULL;
		}
	return o;
}
