/*
 * render.c - the report of `explainer report` (report.h, "the report"):
 * its parts as a terminal's text (the run line and tagging scheme as the
 * head, the tables after the label-issue section as the body) or as one
 * JSON object, and the name a report is kept under. A run keeps its report
 * for the default options (pipeline/keep.c) with this code; the command
 * prints it or renders it again for other options.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/seqeval_json.h"
#include "report/report.h"
#include "store/store.h"

static char *pair_words(json_t *pair)
{
	json_t *words = json_object_get(pair, "words"), *w;
	size_t i, len = 1;
	char *s;

	json_array_foreach(words, i, w) len +=
	    strlen(json_string_value(json_object_get(w, "text"))) + 1;
	if (!(s = calloc(len, 1)))
		return NULL;
	json_array_foreach(words, i, w)
	{
		if (i)
			strcat(s, " ");
		strcat(s, json_string_value(json_object_get(w, "text")));
	}
	return s;
}

/* The first `top` misclassified pairs: printed (arr NULL), or appended to
 * arr as {gold, pred, count, words}. -1: out of memory. */
static int emit_pairs(FILE *f, json_t *pairs, int top, json_t *arr)
{
	json_t *p;
	size_t i;
	int bad = 0;

	if (!arr)
		fprintf(f,
		        "misclassified words by (gold, predicted)\n%-10s %-10s %7s  most frequent "
		        "words\n",
		        "gold", "predicted", "count");
	json_array_foreach(pairs, i, p)
	{
		const char *g = json_string_value(json_object_get(p, "gold"));
		const char *pr = json_string_value(json_object_get(p, "pred"));
		json_int_t n = json_integer_value(json_object_get(p, "count"));
		char *w;
		if (i >= (size_t)top)
			break;
		if (!(w = pair_words(p)))
			return -1;
		if (arr)
			bad |= json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:s}", "gold", g,
			                                            "pred", pr, "count", n, "words",
			                                            w)) != 0;
		else
			fprintf(f, "%-10s %-10s %7lld  %s\n", g, pr, (long long)n, w);
		free(w);
	}
	if (!arr)
		fprintf(f, "\n");
	return bad ? -1 : 0;
}

static void print_losses(FILE *f, const char *title, json_t *page)
{
	json_t *groups = json_object_get(page, "groups"), *g;
	size_t i, n = json_array_size(groups);

	if (n < (size_t)json_integer_value(json_object_get(page, "total")))
		fprintf(f, "loss by %s (the %zu with the largest sum)\n", title, n);
	else
		fprintf(f, "loss by %s\n", title);
	fprintf(f, "%-24s %8s %9s %9s %10s\n", title, "count", "mean", "median", "sum");
	json_array_foreach(groups, i, g) fprintf(
	    f, "%-24.24s %8lld %9.4f %9.4f %10.3f\n", json_string_value(json_object_get(g, "key")),
	    (long long)json_integer_value(json_object_get(g, "count")),
	    json_real_value(json_object_get(g, "mean")),
	    json_real_value(json_object_get(g, "median")),
	    json_real_value(json_object_get(g, "sum")));
	fprintf(f, "\n");
}

static void print_worst(FILE *f, json_t *worst, int top)
{
	json_t *s;
	size_t i;

	if (top > 0)
		fprintf(f,
		        "worst sentences by total loss\n rank     id     loss  word errors  entity "
		        "errors  text\n");
	json_array_foreach(worst, i, s)
	    fprintf(f, "%5zu %6lld %8.3f %12lld %14lld  %.100s\n", i + 1,
	            (long long)json_integer_value(json_object_get(s, "id")),
	            json_real_value(json_object_get(s, "loss")),
	            (long long)json_integer_value(json_object_get(s, "word_errors")),
	            (long long)json_integer_value(json_object_get(s, "entity_errors")),
	            json_string_value(json_object_get(s, "text")));
}

static void print_confusion(FILE *f, const struct xnr_report_doc *d)
{
	const struct xnr_run_metrics *m = d->m;
	int i, j, width = 6;
	for (i = 0; i < d->n_labels; i++)
		if ((int)strlen(d->labels[i]) + 1 > width)
			width = (int)strlen(d->labels[i]) + 1;
	fprintf(f, "token confusion (rows: gold, columns: predicted)\n%*s", width, "");
	for (j = 0; j < d->n_labels; j++)
		fprintf(f, " %*s", width, d->labels[j]);
	fprintf(f, "\n");
	for (i = 0; i < d->n_labels; i++) {
		fprintf(f, "%*s", width, d->labels[i]);
		for (j = 0; j < d->n_labels; j++)
			fprintf(f, " %*lld", width,
			        (long long)m->cm.counts[(size_t)i * m->cm.n_labels + (size_t)j]);
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

static void print_nervaluate(FILE *f, const struct xnr_nerval_result *r)
{
	int k;
	if (!r->types && !r->overall[0].possible && !r->overall[0].actual)
		return;
	fprintf(f, "nervaluate    COR    INC    PAR    MIS    SPU  precision  recall      f1\n");
	for (k = 0; k < XNR_NERVAL_N_SCHEMES; k++) {
		const struct xnr_nerval_counts *c = &r->overall[k];
		fprintf(f, "%-10s %6lld %6lld %6lld %6lld %6lld     %.4f  %.4f  %.4f\n",
		        xnr_nerval_scheme_name((enum xnr_nerval_scheme)k), (long long)c->correct,
		        (long long)c->incorrect, (long long)c->partial, (long long)c->missed,
		        (long long)c->spurious, c->precision, c->recall, c->f1);
	}
	fprintf(f, "\n");
}

static void print_taxonomy(FILE *f, const struct xnr_report_doc *d)
{
	const struct xnr_run_metrics *m = d->m;
	static const char *const heads[XNR_ERRK_COUNT] = {"correct",    "type",   "boundary",
	                                                  "type+bound", "missed", "spurious"};
	size_t t;
	int k;
	fprintf(
	    f,
	    "entity errors (default-mode spans; wrong type, wrong boundary, both: under the gold "
	    "type)\n%-12s",
	    "type");
	for (k = 0; k < XNR_ERRK_COUNT; k++)
		fprintf(f, " %11s", heads[k]);
	fprintf(f, "\n");
	for (t = 0; t < m->tax.n_types; t++) {
		int64_t any = 0;
		for (k = 0; k < XNR_ERRK_COUNT; k++)
			any += m->tax.counts[t][k];
		if (!any)
			continue;
		fprintf(f, "%-12s", xnr_tagset_type(d->tags, (uint32_t)t));
		for (k = 0; k < XNR_ERRK_COUNT; k++)
			fprintf(f, " %11lld", (long long)m->tax.counts[t][k]);
		fprintf(f, "\n");
	}
	fprintf(f, "%-12s", "total");
	for (k = 0; k < XNR_ERRK_COUNT; k++)
		fprintf(f, " %11lld", (long long)m->tax.total[k]);
	fprintf(f, "\n\n");
	print_nervaluate(f, &m->nerval);
}

/* The default mode's F1 scores with their bootstrap intervals. */
static void print_intervals(FILE *f, const struct xnr_report_doc *d)
{
	const struct xnr_run_metrics *m = d->m;
	const struct xnr_f1_boot *b = d->ci;
	size_t c;

	if (!b || b->params.n_resamples <= 0)
		return;
	fprintf(f,
	        "F1 with %g%% bootstrap intervals (%d resamples of the %zu sentences, seed %llu)\n",
	        100.0 * b->params.level, b->params.n_resamples, d->n_sents,
	        (unsigned long long)b->params.seed);
	for (c = 0; c < m->def.n_classes && c < b->n_cols; c++)
		fprintf(f, "%12s  %.4f [%.4f, %.4f]\n", m->def.classes[c].name, b->col[c].a.est,
		        b->col[c].a.lo, b->col[c].a.hi);
	fprintf(f, "%12s  %.4f [%.4f, %.4f]\n%12s  %.4f [%.4f, %.4f]\n\n", "micro avg",
	        b->micro.a.est, b->micro.a.lo, b->micro.a.hi, "macro avg", b->macro.a.est,
	        b->macro.a.lo, b->macro.a.hi);
}

static double num(json_t *o, const char *key)
{
	json_t *x = json_object_get(o, key);
	return json_is_number(x) ? json_number_value(x) : NAN;
}

/* Element i of an array of numbers or nulls; NaN (printed "nan") for null. */
static double num_at(json_t *a, size_t i)
{
	json_t *x = json_array_get(a, i);
	return json_is_number(x) ? json_number_value(x) : NAN;
}

static void print_calib_row(FILE *f, const char *level, const char *type, json_t *c)
{
	fprintf(f, "%-7s %-10s %7lld  %8.4f  %10.4f  %7.4f  %7.4f\n", level, type,
	        (long long)json_integer_value(json_object_get(c, "n")), num(c, "accuracy"),
	        num(c, "confidence"), num(c, "ece"), num(c, "mce"));
}

/* The calibration table, and the entity level's reliability bins. */
static void print_calibration(FILE *f, json_t *cal)
{
	static const char *const levels[2] = {"word", "entity"};
	json_t *bins, *c;
	const char *name;
	size_t b, n;
	int k;

	if (!cal)
		return;
	n = (size_t)json_integer_value(json_object_get(cal, "bins"));
	fprintf(f,
	        "calibration (%zu equal-width bins; confidence of a word: the probability of its "
	        "predicted label; of an entity: the lowest of its words')\n%-7s %-10s %7s  %8s  "
	        "%10s  %7s  %7s\n",
	        n, "level", "type", "n", "accuracy", "confidence", "ECE", "MCE");
	for (k = 0; k < 2; k++) {
		json_t *l = json_object_get(cal, levels[k]);
		print_calib_row(f, levels[k], "all", json_object_get(l, "all"));
		json_object_foreach(json_object_get(l, "types"), name, c)
		    print_calib_row(f, levels[k], name, c);
	}
	bins = json_object_get(json_object_get(json_object_get(cal, "entity"), "all"), "bins");
	fprintf(f,
	        "reliability, entity level: confidence bin, entities, mean confidence, accuracy\n");
	for (b = 0; b < n; b++)
		fprintf(f, "  [%.2f, %.2f%c %7lld  %10.4f  %8.4f\n", (double)b / (double)n,
		        (double)(b + 1) / (double)n, b + 1 == n ? ']' : ')',
		        (long long)json_integer_value(
		            json_array_get(json_object_get(bins, "count"), b)),
		        num_at(json_object_get(bins, "confidence"), b),
		        num_at(json_object_get(bins, "accuracy"), b));
	fprintf(f, "\n");
}

static void print_gate(FILE *f, json_t *gate)
{
	json_t *r;
	size_t i;

	if (!gate)
		return;
	fprintf(f, "\ngate: %s\n",
	        json_is_true(json_object_get(gate, "passed")) ? "passed" : "FAILED");
	json_array_foreach(json_object_get(gate, "rules"), i, r)
	    fprintf(f, "  %-6s %s\n", json_is_true(json_object_get(r, "passed")) ? "ok" : "FAILED",
	            json_string_value(json_object_get(r, "message")));
}

/* -1: out of memory (a scheme that is not JSON prints nothing). */
static int print_scheme(FILE *f, const char *scheme_json)
{
	json_error_t e;
	json_t *j = scheme_json ? json_loads(scheme_json, 0, &e) : NULL;
	const char *data = json_string_value(json_object_get(j, "data"));
	const char *model = json_string_value(json_object_get(j, "model"));
	json_int_t ill = json_integer_value(json_object_get(j, "ill_formed"));

	if (scheme_json && !j && json_error_code(&e) == json_error_out_of_memory)
		return -1;
	if (data && model)
		fprintf(f,
		        "tagging scheme: data %s, model %s%s; %lld ill-formed tag sequences in the "
		        "data\n\n",
		        data, model, strcmp(data, model) ? " (converted)" : "", (long long)ill);
	json_decref(j);
	return 0;
}

/* The report as one JSON object but for the label-issue section, which
 * `explainer issues` may change after the run. */
enum xnr_status xnr_report_doc_json(const struct xnr_report_doc *d, json_t **out,
                                    struct xnr_error *err)
{
	json_t *j = NULL, *losses = NULL, *pairs = NULL;
	enum xnr_status st;
	int i, bad;

	if ((st = xnr_run_metrics_json_of(d->run, d->labels, d->n_labels, d->scheme_json, d->m, &j,
	                                  err)) != XNR_OK)
		return st;
	bad = d->ci && d->ci->params.n_resamples > 0 &&
	      json_object_set_new(j, "intervals", xnr_run_metrics_ci_json(d->m, d->ci)) != 0;
	bad |= json_object_set(j, "worst_sentences", d->worst) != 0;
	if (!bad && (pairs = json_array()) != NULL &&
	    emit_pairs(NULL, d->pairs, d->top, pairs) != 0)
		json_decref(pairs), pairs = NULL;
	bad |= !pairs || json_object_set_new(j, "misclassified", pairs) != 0;
	bad |= !(losses = json_object()) || json_object_set_new(j, "loss_by", losses) != 0;
	for (i = 0; !bad && i < XNR_LOSS_BY_COUNT; i++)
		bad |= json_object_set(losses, xnr_loss_by_names[i],
		                       json_object_get(d->loss[i], "groups")) != 0;
	bad |= d->calib && json_object_set(j, "calibration", d->calib) != 0;
	bad |= d->buckets && json_object_set(j, "buckets", d->buckets) != 0;
	bad |= d->gate && json_object_set(j, "gate", d->gate) != 0;
	if (bad) {
		json_decref(j);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the report");
	}
	*out = j;
	return XNR_OK;
}

/* -1: out of memory. */
static int text_body(FILE *f, const struct xnr_report_doc *d, const char *def, const char *strict)
{
	const struct xnr_run_metrics *m = d->m;

	fprintf(f, "seqeval, default mode (conlleval)\n%s\n", def);
	print_intervals(f, d);
	if (m->strict_ok)
		fprintf(f, "seqeval, strict mode (%s)\n%s\n",
		        xnr_seqeval_scheme_name(m->strict.scheme), strict);
	else
		fprintf(f, "seqeval, strict mode: not available (%s)\n\n", m->strict_error);
	print_calibration(f, d->calib);
	xnr_report_print_buckets(f, d->buckets);
	print_confusion(f, d);
	print_taxonomy(f, d);
	if (emit_pairs(f, d->pairs, d->top, NULL) != 0)
		return -1;
	print_losses(f, "word", d->loss[XNR_LOSS_BY_WORD]);
	print_losses(f, "sub-token", d->loss[XNR_LOSS_BY_TOKEN]);
	print_losses(f, "label", d->loss[XNR_LOSS_BY_LABEL]);
	fprintf(f, "(%s)\n\n",
	        json_string_value(json_object_get(d->loss[XNR_LOSS_BY_LABEL], "hint")));
	print_worst(f, d->worst, d->top);
	print_gate(f, d->gate);
	return 0;
}

enum xnr_status xnr_report_doc_text(const struct xnr_report_doc *d, char **head, size_t *head_len,
                                    char **body, size_t *body_len, struct xnr_error *err)
{
	const struct xnr_run_metrics *m = d->m;
	char *def = NULL, *strict = NULL;
	FILE *h, *b;
	enum xnr_status st = XNR_OK;
	int bad, oom = 0;

	*head = *body = NULL;
	*head_len = *body_len = 0;
	h = open_memstream(head, head_len);
	b = open_memstream(body, body_len);
	if (h && b && (st = xnr_seqeval_format(&m->def, 4, &def, err)) == XNR_OK &&
	    (!m->strict_ok || (st = xnr_seqeval_format(&m->strict, 4, &strict, err)) == XNR_OK)) {
		fprintf(h, "run %lld: %zu sentences, %zu words\n", (long long)d->run, d->n_sents,
		        d->n_words);
		oom = print_scheme(h, d->scheme_json) != 0 || text_body(b, d, def, strict) != 0;
	}
	free(def);
	free(strict);
	bad = oom || !h || !b || ferror(h) || ferror(b);
	if (h && fclose(h) != 0)
		bad = 1;
	if (b && fclose(b) != 0)
		bad = 1;
	if (st == XNR_OK && bad)
		st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the report");
	if (st != XNR_OK) {
		free(*head);
		free(*body);
		*head = *body = NULL;
		*head_len = *body_len = 0;
	}
	return st;
}

void xnr_report_kept_name(const char *version, int json, int top, int seed, int resamples,
                          double level, int bins, char *name, size_t size)
{
	snprintf(name, size, "%s report %s top=%d seed=%d resamples=%d level=%.15g bins=%d",
	         version, json ? "json" : "text", top, seed, resamples, level, bins);
}

enum xnr_status xnr_report_doc_dump(const struct xnr_report_doc *d, char **out, size_t *len,
                                    struct xnr_error *err)
{
	json_t *j = NULL;
	enum xnr_status st = xnr_report_doc_json(d, &j, err);

	*out = NULL;
	*len = 0;
	if (st != XNR_OK)
		return st;
	*out = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(j);
	if (!*out)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the report");
	*len = strlen(*out);
	return XNR_OK;
}

/* Text is kept as head, a NUL, body; JSON (head NULL) as the body. */
enum xnr_status xnr_report_kept_put(struct xnr_store *s, int64_t run, const char *name,
                                    const char *head, size_t head_len, const char *body,
                                    size_t body_len, struct xnr_error *err)
{
	size_t n = head ? head_len + 1 + body_len : body_len;
	char *data = malloc(n + 1);
	enum xnr_status st;

	if (!data)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the report");
	if (head) {
		memcpy(data, head, head_len);
		data[head_len] = '\0';
		memcpy(data + head_len + 1, body, body_len);
	} else {
		memcpy(data, body, body_len);
	}
	st = xnr_store_result_put(s, run, name, data, n, err);
	free(data);
	return st;
}

int xnr_report_kept_get(struct xnr_store *s, int64_t run, const char *name, int json, char **head,
                        size_t *head_len, char **body, size_t *body_len)
{
	struct xnr_error err;
	void *data = NULL;
	size_t n = 0;
	char *nul;

	*head = *body = NULL;
	*head_len = *body_len = 0;
	if (xnr_store_result_get(s, run, name, &data, &n, &err) != XNR_OK)
		return 0;
	if (json) {
		*body = data;
		*body_len = n;
		return 1;
	}
	nul = memchr(data, '\0', n);
	if (nul && (*body = malloc(n - (size_t)(nul - (char *)data))) != NULL) {
		*head_len = (size_t)(nul - (char *)data);
		*body_len = n - *head_len - 1;
		memcpy(*body, nul + 1, *body_len);
		*head = data;
		return 1;
	}
	free(data);
	return 0;
}
