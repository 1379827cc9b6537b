/*
 * cmd_report.c - `explainer report RUN.db`: a stored run's classification
 * reports (seqeval default and strict mode), token confusion matrix, entity
 * error taxonomy (nervaluate's categories per scheme), misclassified pairs,
 * loss tables and worst sentences, for a terminal or as JSON, with bootstrap
 * intervals of the F1 scores and the label-issue summary when the run has
 * scores (explainer issues: the out-of-sample note, the leakage into the
 * reference), and with --buckets the F1 per bucket of ExplainaBoard's
 * attributes (report_buckets.c prints them); --fail-under and
 * --fail-if-regressed make it a CI gate (gate.c). The numbers come from the
 * report module (report.h); this file is options and printing.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "analysis/calibration.h"
#include "cli/opts.h"
#include "report/compare.h"
#include "report/report.h"
#include "store/read.h"
#include "store/store.h"

static const char report_usage[] =
    "usage: explainer report RUN.db [options]\n"
    "\n"
    "Prints a stored run's classification reports (seqeval default and strict mode)\n"
    "with bootstrap intervals of the F1 scores (sentences resampled; the same seed\n"
    "gives the same numbers), token confusion matrix, entity error taxonomy and worst\n"
    "sentences.\n"
    "\n"
    "options:\n"
    "  -r, --run ID          the run (default: the newest)\n"
    "  -t, --top N           worst sentences to list (default 10)\n"
    "  -j, --json            one JSON object instead of text\n"
    "      --seed N          the bootstrap's seed (default 1)\n"
    "      --resamples N     bootstrap resamples (default 1000; 0: no intervals)\n"
    "      --level L         of the intervals (default 0.95)\n"
    "      --bins N          calibration: reliability bins (default 10; 0: none)\n"
    "      --recompute       compute the report again: the first report of a run\n"
    "                        with these options is kept in its database\n"
    "                        (run_results) and printed from there the next time\n"
    "  -b, --buckets         F1 by ExplainaBoard's attributes (entity and sentence\n"
    "                        length, density, OOV rate, token and entity frequency,\n"
    "                        label consistency, capitalisation, position, document)\n"
    "                        with bootstrap intervals, against the reference split\n"
    "                        of the run's label issues (else the run itself)\n"
    "      --bucket-edges S  fixed upper edges: span_length:1,2;sentence_length:10,40\n"
    "                        (default: 4 equal-frequency buckets, as ExplainaBoard)\n"
    "      --compare ID      run ID of the same database against this one: in the\n"
    "                        buckets (same edges), the HTML and the Markdown\n"
    "\n"
    "report files (written aside and moved into place; an existing file is kept\n"
    "unless --force):\n"
    "      --html PATH       one self-contained HTML page (no network): scores with\n"
    "                        intervals, gate, comparison, buckets, calibration,\n"
    "                        confusions, error taxonomy, worst sentences\n"
    "      --markdown PATH   a pull-request comment: gate, scores, comparison\n"
    "      --junit PATH      JUnit XML: a testcase per gate rule and per score row\n"
    "      --force           overwrite existing report files\n"
    "  -h, --help            this help\n"
    "\n"
    "CI gate (default-mode F1; one line on stderr per failed rule, exit 3):\n"
    "  -f, --fail-under LIST F1 minimums: 0.85 (the micro F1), PER=0.9,ORG=0.8 (per\n"
    "                        type), or both: 0.85,PER=0.9\n"
    "      --fail-if-regressed  fail when the micro F1 (and each type --fail-under\n"
    "                        names) dropped significantly against --baseline: paired\n"
    "                        bootstrap over the shared sentences (--seed, --resamples)\n"
    "      --baseline DB:ID  the baseline run: its database and id (base.db:1)\n"
    "      --alpha A         the significance level (default 0.05): a drop fails when\n"
    "                        its two-sided p-value is below A\n"
    "\n"
    "exit status: 0 done (gates passed), 1 the report failed (no such run or\n"
    "baseline, runs with no sentence in common), 2 bad usage, 3 a gate failed.\n";

struct report_opts {
	const char *db, *fail_under, *baseline, *bucket_edges;
	int run, top, json, seed, resamples, bins, fail_if_regressed, buckets, compare, force;
	int recompute;
	struct xnr_cli_report_files files;
	double level, alpha;
	struct xnr_cli_gate gate;
};

/* The gate's options parsed into o->gate, and their combinations checked. */
static int parse_gate(struct report_opts *o)
{
	int rc;

	if ((rc = xnr_cli_gate_parse_under(o->fail_under, &o->gate)) != XNR_EXIT_OK)
		return rc;
	if (!o->fail_if_regressed != !o->baseline)
		return xnr_cli_usage_error("report",
		                           "--fail-if-regressed and --baseline DB:ID go together");
	if (o->baseline && o->resamples < 1)
		return xnr_cli_usage_error("report",
		                           "--fail-if-regressed needs --resamples of at least 1");
	o->gate.alpha = o->alpha;
	o->files.force = o->force;
	o->buckets |= o->files.html != NULL;
	if ((o->bucket_edges || o->compare) && !o->buckets && !o->files.markdown)
		return xnr_cli_usage_error("report",
		                           "--bucket-edges and --compare go with --buckets, "
		                           "--html or --markdown");
	if ((o->buckets || o->compare) && o->resamples < 1)
		return xnr_cli_usage_error(
		    "report", "--buckets, --html and --compare need --resamples of at least 1");
	return o->baseline ? xnr_cli_gate_parse_baseline(o->baseline, &o->gate) : XNR_EXIT_OK;
}

static int parse_report(int argc, char **argv, struct report_opts *o)
{
	const struct xnr_cli_opt opts[] = {
	    {"run", 'r', XNR_OPT_INT, &o->run, 1, 0x7fffffff, NULL},
	    {"top", 't', XNR_OPT_INT, &o->top, 0, 100000, NULL},
	    {"json", 'j', XNR_OPT_FLAG, &o->json, 0, 0, NULL},
	    {"fail-under", 'f', XNR_OPT_STR, &o->fail_under, 0, 0, NULL},
	    {"fail-if-regressed", 0, XNR_OPT_FLAG, &o->fail_if_regressed, 0, 0, NULL},
	    {"baseline", 0, XNR_OPT_STR, &o->baseline, 0, 0, NULL},
	    {"alpha", 0, XNR_OPT_REAL, &o->alpha, 1e-6, 0.5, NULL},
	    {"seed", 0, XNR_OPT_INT, &o->seed, 0, 0x7fffffff, NULL},
	    {"resamples", 0, XNR_OPT_INT, &o->resamples, 0, XNR_BOOT_MAX_RESAMPLES, NULL},
	    {"level", 0, XNR_OPT_REAL, &o->level, 0.5, 0.999, NULL},
	    {"bins", 0, XNR_OPT_INT, &o->bins, 0, XNR_CALIB_MAX_BINS, NULL},
	    {"buckets", 'b', XNR_OPT_FLAG, &o->buckets, 0, 0, NULL},
	    {"bucket-edges", 0, XNR_OPT_STR, &o->bucket_edges, 0, 0, NULL},
	    {"compare", 0, XNR_OPT_INT, &o->compare, 1, 0x7fffffff, NULL},
	    {"html", 0, XNR_OPT_STR, &o->files.html, 0, 0, NULL},
	    {"markdown", 0, XNR_OPT_STR, &o->files.markdown, 0, 0, NULL},
	    {"junit", 0, XNR_OPT_STR, &o->files.junit, 0, 0, NULL},
	    {"force", 0, XNR_OPT_FLAG, &o->force, 0, 0, NULL},
	    {"recompute", 0, XNR_OPT_FLAG, &o->recompute, 0, 0, NULL},
	    {NULL, 0, XNR_OPT_FLAG, NULL, 0, 0, NULL},
	};
	const struct xnr_cli_cmd cmd = {
	    "report", report_usage, 1, 1, &o->db, NULL, "give exactly one run database"};
	int rc;

	memset(o, 0, sizeof *o);
	o->top = 10;
	o->seed = 1;
	o->resamples = 1000;
	o->level = 0.95;
	o->bins = 10;
	o->alpha = 0.05;
	o->gate.micro_min = -1.0;
	if ((rc = xnr_cli_parse(&cmd, opts, argc, argv)) != XNR_EXIT_OK)
		return rc;
	return parse_gate(o);
}

/* The tables after the metrics, as the report module gives them. */
struct report_tables {
	struct xnr_f1_boot ci; /* params.n_resamples 0: no intervals asked for */
	json_t *gate;          /* NULL: no gate asked for */
	json_t *calib;         /* NULL: --bins 0 */
	json_t *buckets;       /* NULL: no --buckets */
	json_t *compare;       /* NULL: no --compare for the report files */
	json_t *worst, *pairs;
	json_t *loss[XNR_LOSS_BY_COUNT]; /* pages: word and sub-token top N by sum, every label */
};

static void tables_free(struct report_tables *t)
{
	int i;
	xnr_f1_boot_free(&t->ci);
	json_decref(t->gate);
	json_decref(t->calib);
	json_decref(t->buckets);
	json_decref(t->compare);
	json_decref(t->worst);
	json_decref(t->pairs);
	for (i = 0; i < XNR_LOSS_BY_COUNT; i++)
		json_decref(t->loss[i]);
}

static enum xnr_status fetch_buckets(struct xnr_store *db, const struct report_opts *o, int64_t run,
                                     struct xnr_boot_params bp, json_t **out, struct xnr_error *err)
{
	struct xnr_bucket_params p = xnr_bucket_default_params();
	enum xnr_status st;

	p.boot = bp;
	if ((st = xnr_bucket_edges_parse(o->bucket_edges, &p, err)) != XNR_OK)
		return st;
	return xnr_report_buckets(db, run, o->compare, &p, out, err);
}

static enum xnr_status fetch_compare(struct xnr_store *db, const struct report_opts *o, int64_t run,
                                     struct xnr_boot_params bp, json_t **out, struct xnr_error *err)
{
	struct xnr_compare_params p = xnr_compare_default_params();

	p.boot = bp;
	return xnr_report_compare(db, run, o->compare, &p, out, err);
}

/* A page of the run's loss table by `by`: the table the run keeps (report.h),
 * or computed (from the database, labels from the view) when it keeps none
 * or the report is asked to compute again. */
static enum xnr_status loss_page(struct xnr_store *db, const struct report_opts *o,
                                 const struct xnr_run_view *v, enum xnr_loss_by by,
                                 const struct xnr_loss_page *page, json_t **out,
                                 struct xnr_error *err)
{
	struct xnr_loss_table *t = NULL;
	struct xnr_error ignored;
	enum xnr_status st = XNR_ERR_NOT_FOUND;

	if (!o->recompute)
		st = xnr_loss_table_kept(db, v->run, XNR_VERSION, by, &t, &ignored);
	if (st != XNR_OK)
		st = by == XNR_LOSS_BY_LABEL ? xnr_loss_table_labels(v, &t, err)
		                             : xnr_loss_table_load(db, v->run, by, &t, err);
	if (st == XNR_OK)
		st = xnr_loss_table_page(t, page, out, err);
	xnr_loss_table_free(t);
	return st;
}

static enum xnr_status fetch_tables(struct xnr_store *db, const struct report_opts *o,
                                    const struct xnr_run_view *v, const struct xnr_run_metrics *m,
                                    struct report_tables *t, struct xnr_error *err)
{
	struct xnr_loss_page page = xnr_loss_page_default();
	struct xnr_boot_params bp = xnr_boot_default_params();
	int top = o->top;
	enum xnr_status st;

	page.limit = top;
	bp.seed = (uint64_t)o->seed;
	bp.n_resamples = o->resamples;
	bp.level = o->level;
	bp.n_threads = xnr_cli_default_threads(); /* the same numbers on any count */
	if ((o->resamples > 0 && v->n_sents > 0 &&
	     (st = xnr_run_metrics_ci(v, m, &bp, &t->ci, err)) != XNR_OK) ||
	    (st = xnr_report_worst_sentences(db, v->run, top, &t->worst, err)) != XNR_OK ||
	    (st = xnr_report_confusions(db, v->run, 5, &t->pairs, err)) != XNR_OK ||
	    (st = loss_page(db, o, v, XNR_LOSS_BY_WORD, &page, &t->loss[XNR_LOSS_BY_WORD], err)) !=
	        XNR_OK ||
	    (st = loss_page(db, o, v, XNR_LOSS_BY_TOKEN, &page, &t->loss[XNR_LOSS_BY_TOKEN],
	                    err)) != XNR_OK)
		return st;
	if (o->bins > 0 &&
	    (st = xnr_report_calibration(db, v, m, o->bins, &t->calib, err)) != XNR_OK)
		return st;
	if (o->buckets && (st = fetch_buckets(db, o, v->run, bp, &t->buckets, err)) != XNR_OK)
		return st;
	if (o->compare && (o->files.html || o->files.markdown) &&
	    (st = fetch_compare(db, o, v->run, bp, &t->compare, err)) != XNR_OK)
		return st;
	if ((o->gate.micro_min >= 0.0 || o->gate.n_types || o->gate.baseline_db) &&
	    (st = xnr_cli_gate_eval(&o->gate, db, v->run, &m->def, &bp, &t->gate, err)) != XNR_OK)
		return st;
	page.limit = -1;
	return loss_page(db, o, v, XNR_LOSS_BY_LABEL, &page, &t->loss[XNR_LOSS_BY_LABEL], err);
}

/* A pair's most frequent words joined by spaces (caller frees). */
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

/* The first `top` misclassified pairs: printed, or as {gold, pred, count, words}. */
static json_t *emit_pairs(FILE *f, json_t *pairs, int top, int as_json)
{
	json_t *arr = as_json ? json_array() : NULL, *p;
	size_t i;

	if (!as_json)
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
		w = pair_words(p);
		if (arr)
			json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:s}", "gold", g, "pred",
			                                     pr, "count", n, "words", w ? w : ""));
		else
			fprintf(f, "%-10s %-10s %7lld  %s\n", g, pr, (long long)n, w ? w : "");
		free(w);
	}
	if (!as_json)
		fprintf(f, "\n");
	return arr;
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

static void print_confusion(FILE *f, const struct xnr_run_view *v, const struct xnr_run_metrics *m)
{
	int i, j, width = 6;
	for (i = 0; i < v->n_labels; i++)
		if ((int)strlen(v->labels[i]) + 1 > width)
			width = (int)strlen(v->labels[i]) + 1;
	fprintf(f, "token confusion (rows: gold, columns: predicted)\n%*s", width, "");
	for (j = 0; j < v->n_labels; j++)
		fprintf(f, " %*s", width, v->labels[j]);
	fprintf(f, "\n");
	for (i = 0; i < v->n_labels; i++) {
		fprintf(f, "%*s", width, v->labels[i]);
		for (j = 0; j < v->n_labels; j++)
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

static void print_taxonomy(FILE *f, const struct xnr_run_view *v, const struct xnr_run_metrics *m)
{
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
		fprintf(f, "%-12s", xnr_tagset_type(v->tags, (uint32_t)t));
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
static void print_intervals(FILE *f, const struct xnr_run_view *v, const struct xnr_run_metrics *m,
                            const struct xnr_f1_boot *b)
{
	size_t c;

	if (b->params.n_resamples <= 0)
		return;
	fprintf(f,
	        "F1 with %g%% bootstrap intervals (%d resamples of the %zu sentences, seed %llu)\n",
	        100.0 * b->params.level, b->params.n_resamples, v->n_sents,
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

static void print_scheme(FILE *f, const char *scheme_json)
{
	json_t *j = scheme_json ? json_loads(scheme_json, 0, NULL) : NULL;
	const char *data = json_string_value(json_object_get(j, "data"));
	const char *model = json_string_value(json_object_get(j, "model"));
	json_int_t ill = json_integer_value(json_object_get(j, "ill_formed"));
	if (data && model)
		fprintf(f,
		        "tagging scheme: data %s, model %s%s; %lld ill-formed tag sequences in the "
		        "data\n\n",
		        data, model, strcmp(data, model) ? " (converted)" : "", (long long)ill);
	json_decref(j);
}

/* The report as one JSON object (*out: what --json prints) but for the
 * label-issue section, which `explainer issues` may change after the run. */
static enum xnr_status build_body_json(const struct report_opts *o, const struct xnr_run_view *v,
                                       const struct xnr_run_metrics *m, struct report_tables *t,
                                       json_t **out, struct xnr_error *err)
{
	json_t *j = NULL, *losses;
	enum xnr_status st;
	int i;

	if ((st = xnr_run_metrics_json(v, m, &j, err)) != XNR_OK)
		return st;
	if (t->ci.params.n_resamples > 0)
		json_object_set_new(j, "intervals", xnr_run_metrics_ci_json(m, &t->ci));
	json_object_set(j, "worst_sentences", t->worst);
	json_object_set_new(j, "misclassified", emit_pairs(NULL, t->pairs, o->top, 1));
	losses = json_object();
	for (i = 0; i < XNR_LOSS_BY_COUNT; i++)
		json_object_set(losses, xnr_loss_by_names[i],
		                json_object_get(t->loss[i], "groups"));
	json_object_set_new(j, "loss_by", losses);
	if (t->calib)
		json_object_set(j, "calibration", t->calib);
	if (t->buckets)
		json_object_set(j, "buckets", t->buckets);
	if (t->gate)
		json_object_set(j, "gate", t->gate);
	*out = j;
	return XNR_OK;
}

/* The whole report as one JSON object, the label-issue section included. */
static enum xnr_status build_json(struct xnr_store *db, const struct report_opts *o,
                                  const struct xnr_run_view *v, const struct xnr_run_metrics *m,
                                  struct report_tables *t, json_t **out, struct xnr_error *err)
{
	enum xnr_status st = build_body_json(o, v, m, t, out, err);

	if (st == XNR_OK && (st = xnr_cli_issues_section(db, v->run, *out, err)) != XNR_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}

/* What a report prints, rendered before it is printed so that it can be
 * kept (run_results): text, the run line and tagging scheme (head) and all
 * after the label-issue section (body); JSON, the object without that
 * section (body, head NULL). */
struct rendered {
	char *head, *body;
	size_t head_len, body_len;
};

static void rendered_free(struct rendered *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof *r);
}

static enum xnr_status render_json(const struct report_opts *o, const struct xnr_run_view *v,
                                   const struct xnr_run_metrics *m, struct report_tables *t,
                                   struct rendered *out, struct xnr_error *err)
{
	json_t *j = NULL;
	enum xnr_status st = build_body_json(o, v, m, t, &j, err);

	if (st != XNR_OK)
		return st;
	out->body = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(j);
	if (!out->body)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	out->body_len = strlen(out->body);
	return XNR_OK;
}

static void text_body(FILE *f, const struct report_opts *o, const struct xnr_run_view *v,
                      const struct xnr_run_metrics *m, struct report_tables *t, char **def,
                      char **strict)
{
	fprintf(f, "seqeval, default mode (conlleval)\n%s\n", *def);
	print_intervals(f, v, m, &t->ci);
	if (m->strict_ok)
		fprintf(f, "seqeval, strict mode (%s)\n%s\n",
		        xnr_seqeval_scheme_name(m->strict.scheme), *strict);
	else
		fprintf(f, "seqeval, strict mode: not available (%s)\n\n", m->strict_error);
	print_calibration(f, t->calib);
	xnr_cli_print_buckets(f, t->buckets);
	print_confusion(f, v, m);
	print_taxonomy(f, v, m);
	emit_pairs(f, t->pairs, o->top, 0);
	print_losses(f, "word", t->loss[XNR_LOSS_BY_WORD]);
	print_losses(f, "sub-token", t->loss[XNR_LOSS_BY_TOKEN]);
	print_losses(f, "label", t->loss[XNR_LOSS_BY_LABEL]);
	fprintf(f, "(%s)\n\n",
	        json_string_value(json_object_get(t->loss[XNR_LOSS_BY_LABEL], "hint")));
	print_worst(f, t->worst, o->top);
	print_gate(f, t->gate);
}

static enum xnr_status render_text(const struct report_opts *o, const struct xnr_run_view *v,
                                   const struct xnr_run_metrics *m, struct report_tables *t,
                                   struct rendered *out, struct xnr_error *err)
{
	char *def = NULL, *strict = NULL;
	FILE *head = open_memstream(&out->head, &out->head_len);
	FILE *body = open_memstream(&out->body, &out->body_len);
	enum xnr_status st = XNR_OK;
	int bad;

	if (head && body && (st = xnr_seqeval_format(&m->def, 4, &def, err)) == XNR_OK &&
	    (!m->strict_ok || (st = xnr_seqeval_format(&m->strict, 4, &strict, err)) == XNR_OK)) {
		fprintf(head, "run %lld: %zu sentences, %zu words\n", (long long)v->run, v->n_sents,
		        v->n_words);
		print_scheme(head, v->scheme_json);
		text_body(body, o, v, m, t, &def, &strict);
	}
	free(def);
	free(strict);
	bad = !head || !body || ferror(head) || ferror(body);
	if (head && fclose(head) != 0)
		bad = 1;
	if (body && fclose(body) != 0)
		bad = 1;
	if (st == XNR_OK && bad)
		st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the report");
	return st;
}

/* Print r with the run's label-issue section, read now. */
static enum xnr_status print_rendered(struct xnr_store *db, const struct report_opts *o,
                                      int64_t run, const struct rendered *r, struct xnr_error *err)
{
	enum xnr_status st;
	json_t *j;
	char *s;

	if (!o->json) {
		fwrite(r->head, 1, r->head_len, stdout);
		if ((st = xnr_cli_issues_section(db, run, NULL, err)) != XNR_OK)
			return st;
		fwrite(r->body, 1, r->body_len, stdout);
		return XNR_OK;
	}
	if (!(j = json_loadb(r->body, r->body_len, 0, NULL)))
		return xnr_fail(err, XNR_ERR_FORMAT,
		                "%s: the kept report of run %lld is not JSON (run again with "
		                "--recompute)",
		                o->db, (long long)run);
	if ((st = xnr_cli_issues_section(db, run, j, err)) == XNR_OK) {
		s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
		if (s)
			puts(s);
		else
			st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		free(s);
	}
	json_decref(j);
	return st;
}

/* The report files: the --json object with the run's paths and the comparison. */
static enum xnr_status write_files(struct xnr_store *db, const struct report_opts *o,
                                   const struct xnr_run_view *v, const struct xnr_run_metrics *m,
                                   struct report_tables *t, struct xnr_error *err)
{
	struct xnr_run run;
	json_t *j = NULL;
	enum xnr_status st;

	memset(&run, 0, sizeof run);
	if ((st = build_json(db, o, v, m, t, &j, err)) != XNR_OK ||
	    (st = xnr_store_run_get(db, v->run, &run, err)) != XNR_OK) {
		json_decref(j);
		return st;
	}
	json_object_set_new(j, "meta",
	                    json_pack("{s:s?,s:s?,s:I,s:I,s:s}", "model_path", run.model_path,
	                              "data_path", run.data_path, "n_sentences",
	                              (json_int_t)v->n_sents, "n_words", (json_int_t)v->n_words,
	                              "version", XNR_VERSION));
	if (t->compare)
		json_object_set(j, "compare", t->compare);
	xnr_run_free(&run);
	st = xnr_cli_report_files(&o->files, j, err);
	json_decref(j);
	return st;
}

/* The run asked for, or the newest one. */
static enum xnr_status pick_run(const struct report_opts *o, struct xnr_store *db, int64_t *run,
                                struct xnr_error *err)
{
	enum xnr_status st;
	if (o->run) {
		*run = o->run;
		return XNR_OK;
	}
	if ((st = xnr_store_run_latest(db, run, err)) != XNR_OK)
		return st;
	return *run ? XNR_OK
	            : xnr_fail(err, XNR_ERR_INPUT,
	                       "%s: holds no run yet (make one with explainer run)", o->db);
}

/* The run's view; an unknown run says how to list the runs there are. */
static enum xnr_status load_view(const struct report_opts *o, struct xnr_store *db, int64_t run,
                                 struct xnr_run_view **v, struct xnr_error *err)
{
	enum xnr_status st = xnr_run_view_load(db, run, v, err);

	if (st == XNR_ERR_NOT_FOUND)
		return xnr_fail(
		    err, st, "%s: no run %lld (see: sqlite3 %s \"select id, data_path from runs\")",
		    o->db, (long long)run, o->db);
	return st;
}

/* The name the report is kept under (run_results) for these options, or 0
 * when they ask for more than the run's own tables (a gate, buckets, a
 * comparison, report files): those are computed every time. */
static int kept_name(const struct report_opts *o, char *name, size_t size)
{
	if (o->gate.micro_min >= 0.0 || o->gate.n_types || o->gate.baseline_db || o->buckets ||
	    o->compare || o->files.html || o->files.markdown || o->files.junit)
		return 0;
	snprintf(name, size, "%s report %s top=%d seed=%d resamples=%d level=%.15g bins=%d",
	         XNR_VERSION, o->json ? "json" : "text", o->top, o->seed, o->resamples, o->level,
	         o->bins);
	return 1;
}

/* The report kept as name into *r: 1, or 0 when there is none (or it is not
 * one: computed again). Text is kept as head, a NUL, body. */
static int kept_load(struct xnr_store *db, int64_t run, const char *name, int json,
                     struct rendered *r)
{
	struct xnr_error err;
	void *data = NULL;
	size_t n = 0;
	char *nul;

	memset(r, 0, sizeof *r);
	if (xnr_store_result_get(db, run, name, &data, &n, &err) != XNR_OK)
		return 0;
	if (json) {
		r->body = data;
		r->body_len = n;
		return 1;
	}
	nul = memchr(data, '\0', n);
	if (nul && (r->body = malloc(n - (size_t)(nul - (char *)data))) != NULL) {
		r->head_len = (size_t)(nul - (char *)data);
		r->body_len = n - r->head_len - 1;
		memcpy(r->body, nul + 1, r->body_len);
		r->head = data;
		return 1;
	}
	free(data);
	return 0;
}

/* Keep r as name; best effort: a database that cannot be written only
 * means the next report computes it too. */
static void kept_put(struct xnr_store *db, int64_t run, const char *name, const struct rendered *r)
{
	size_t n = r->head ? r->head_len + 1 + r->body_len : r->body_len;
	char *data = malloc(n + 1);
	struct xnr_error err;

	if (!data)
		return;
	if (r->head) {
		memcpy(data, r->head, r->head_len);
		data[r->head_len] = '\0';
		memcpy(data + r->head_len + 1, r->body, r->body_len);
	} else {
		memcpy(data, r->body, r->body_len);
	}
	if (xnr_store_result_put(db, run, name, data, n, &err) != XNR_OK)
		fprintf(stderr, "explainer: report not kept: %s\n", err.msg);
	free(data);
}

int xnr_cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct xnr_store *store = NULL;
	struct xnr_run_view *v = NULL;
	struct xnr_run_metrics m;
	struct report_tables t;
	struct rendered out;
	struct xnr_error err;
	enum xnr_status st;
	int64_t run = 0;
	char name[256];
	int rc = parse_report(argc, argv, &o), keep;

	if (rc != XNR_EXIT_OK) {
		xnr_cli_gate_free(&o.gate);
		return rc < 0 ? XNR_EXIT_OK : rc;
	}
	memset(&m, 0, sizeof m);
	memset(&t, 0, sizeof t);
	memset(&out, 0, sizeof out);
	keep = kept_name(&o, name, sizeof name);
	if ((st = xnr_store_open(o.db, 0, &store, &err)) == XNR_OK &&
	    (st = pick_run(&o, store, &run, &err)) == XNR_OK && keep && !o.recompute &&
	    kept_load(store, run, name, o.json, &out)) {
		st = print_rendered(store, &o, run, &out, &err);
	} else if (st == XNR_OK && (st = load_view(&o, store, run, &v, &err)) == XNR_OK &&
	           (st = xnr_cli_gate_check_types(&o.gate, v->tags, run, &err)) == XNR_OK &&
	           (st = xnr_run_metrics_compute(v, &m, &err)) == XNR_OK &&
	           (st = fetch_tables(store, &o, v, &m, &t, &err)) == XNR_OK &&
	           (st = o.json ? render_json(&o, v, &m, &t, &out, &err)
	                        : render_text(&o, v, &m, &t, &out, &err)) == XNR_OK &&
	           (st = print_rendered(store, &o, run, &out, &err)) == XNR_OK) {
		if (keep)
			kept_put(store, run, name, &out);
		if (o.files.html || o.files.markdown || o.files.junit)
			st = write_files(store, &o, v, &m, &t, &err);
	}
	rc = st != XNR_OK ? xnr_cli_report(&err)
	     : t.gate     ? xnr_cli_gate_report(t.gate)
	                  : XNR_EXIT_OK;
	xnr_cli_gate_free(&o.gate);
	rendered_free(&out);
	tables_free(&t);
	xnr_run_metrics_free(&m);
	xnr_run_view_free(v);
	xnr_store_close(store);
	return rc;
}
