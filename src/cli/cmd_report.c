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
	struct xnr_boot_params boot = xnr_boot_default_params();
	int rc;

	memset(o, 0, sizeof *o);
	/* the defaults a run keeps its report for (report.h) */
	o->top = XNR_REPORT_TOP;
	o->seed = (int)boot.seed;
	o->resamples = boot.n_resamples;
	o->level = boot.level;
	o->bins = XNR_REPORT_BINS;
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

/* The report's parts as the report module renders them. */
static struct xnr_report_doc doc_of(const struct report_opts *o, const struct xnr_run_view *v,
                                    const struct xnr_run_metrics *m, struct report_tables *t)
{
	struct xnr_report_doc d;
	int i;

	memset(&d, 0, sizeof d);
	d.run = v->run;
	d.n_sents = v->n_sents;
	d.n_words = v->n_words;
	d.labels = (const char *const *)v->labels;
	d.n_labels = v->n_labels;
	d.tags = v->tags;
	d.scheme_json = v->scheme_json;
	d.m = m;
	d.ci = &t->ci;
	d.worst = t->worst;
	d.pairs = t->pairs;
	for (i = 0; i < XNR_LOSS_BY_COUNT; i++)
		d.loss[i] = t->loss[i];
	d.calib = t->calib;
	d.buckets = t->buckets;
	d.gate = t->gate;
	d.top = o->top;
	return d;
}

/* The whole report as one JSON object, the label-issue section included. */
static enum xnr_status build_json(struct xnr_store *db, const struct report_opts *o,
                                  const struct xnr_run_view *v, const struct xnr_run_metrics *m,
                                  struct report_tables *t, json_t **out, struct xnr_error *err)
{
	struct xnr_report_doc d = doc_of(o, v, m, t);
	enum xnr_status st = xnr_report_doc_json(&d, out, err);

	if (st == XNR_OK && (st = xnr_cli_issues_section(db, v->run, *out, err)) != XNR_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}

/* What a report prints, rendered before it is printed so that it can be
 * kept (run_results, report.h: xnr_report_kept_put): text, the run line and
 * tagging scheme (head) and all after the label-issue section (body); JSON,
 * the object without that section (body, head NULL). */
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

static enum xnr_status render(const struct report_opts *o, const struct xnr_run_view *v,
                              const struct xnr_run_metrics *m, struct report_tables *t,
                              struct rendered *out, struct xnr_error *err)
{
	struct xnr_report_doc d = doc_of(o, v, m, t);

	if (!o->json)
		return xnr_report_doc_text(&d, &out->head, &out->head_len, &out->body,
		                           &out->body_len, err);
	return xnr_report_doc_dump(&d, &out->body, &out->body_len, err);
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
	xnr_report_kept_name(XNR_VERSION, o->json, o->top, o->seed, o->resamples, o->level, o->bins,
	                     name, size);
	return 1;
}

/* Keep r as name; best effort: a database that cannot be written only
 * means the next report computes it too. */
static void kept_put(struct xnr_store *db, int64_t run, const char *name, const struct rendered *r)
{
	struct xnr_error err;

	if (xnr_report_kept_put(db, run, name, r->head, r->head_len, r->body, r->body_len, &err) !=
	    XNR_OK)
		fprintf(stderr, "explainer: report not kept: %s\n", err.msg);
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
	    xnr_report_kept_get(store, run, name, o.json, &out.head, &out.head_len, &out.body,
	                        &out.body_len)) {
		st = print_rendered(store, &o, run, &out, &err);
	} else if (st == XNR_OK && (st = load_view(&o, store, run, &v, &err)) == XNR_OK &&
	           (st = xnr_cli_gate_check_types(&o.gate, v->tags, run, &err)) == XNR_OK &&
	           (st = xnr_run_metrics_compute(v, &m, &err)) == XNR_OK &&
	           (st = fetch_tables(store, &o, v, &m, &t, &err)) == XNR_OK &&
	           (st = render(&o, v, &m, &t, &out, &err)) == XNR_OK &&
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
