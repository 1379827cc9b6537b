/*
 * report.h - a stored run's analysis, computed from the run database alone
 * (docs/schema.md): what `explainer report` prints and what the web app's
 * Metrics, Misclassified and Loss pages show. The computations mirror the
 * original ExplaiNER's pages: seqeval default and strict reports, the token
 * confusion matrix, the entity error taxonomy, nervaluate, misclassified
 * (gold, predicted) pairs, loss grouped by word, sub-token and gold label.
 *
 * Callers: the CLI (text or JSON) and the server (JSON per page). Results
 * that need every word of the run take a struct xnr_run_view (load it once);
 * tables read from the database take the store (store/read.h) and a run id.
 * Every JSON value returned is new (caller owns it: json_decref). Unknown
 * runs fail with XNR_ERR_NOT_FOUND (the server's 404); the database's own
 * failures are XNR_ERR_BUSY and XNR_ERR_DB. Functions are reentrant:
 * distinct stores may be used from distinct threads; a loaded view or loss
 * table is immutable, so any number of threads may read it at once.
 */
#ifndef XNR_REPORT_REPORT_H
#define XNR_REPORT_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/buckets.h"
#include "analysis/confusion.h"
#include "analysis/nervaluate.h"
#include "analysis/seqeval.h"
#include "analysis/stats.h"
#include "analysis/tagset.h"
#include "analysis/taxonomy.h"
#include "core/status.h"
#include "store/store.h"

/* ---- results kept in a run's database ----
 * What is computed from a whole run is kept in its run_results (store.h,
 * docs/schema.md) under "<version> <key>", the version of ExplaiNER that
 * computed it: `explainer run` and `explainer merge` keep the metrics JSON
 * (xnr_run_metrics_json), the three loss tables (xnr_loss_table_save) and
 * the misclassified pairs as they finish; the server keeps what its pages
 * compute besides. */
#define XNR_KEPT_METRICS         "metrics"
#define XNR_KEPT_LOSS_WORD       "loss word"
#define XNR_KEPT_LOSS_TOKEN      "loss token"
#define XNR_KEPT_LOSS_LABEL      "loss label"
#define XNR_KEPT_CONFUSIONS      "confusions" /* xnr_report_confusions, top words: */
#define XNR_KEPT_CONFUSION_WORDS 5
#define XNR_KEPT_CALIBRATION     "calibration" /* xnr_report_calibration, XNR_REPORT_BINS bins */

/* The name a result is kept under: "<version> <key>" into out (size bytes). */
void xnr_kept_name(const char *version, const char *key, char *out, size_t size);

/* ---- the run view: every word of a stored run, for analysis ---- */

/* Read-only after xnr_run_view_load; words are in sentence order. */
struct xnr_run_view {
	int64_t run;
	int n_labels;
	char **labels; /* (n_labels) names, index = label id */
	size_t n_sents, n_words;
	size_t *sent_start;      /* (n_sents + 1) first word of each sentence, then n_words */
	int32_t *gold, *pred;    /* (n_words) label ids */
	double *loss;            /* (n_words) NaN for a word without a sub-token (NULL loss) */
	struct xnr_tagset *tags; /* the labels as a tag set, tag id = label id */
	char *scheme_json;       /* runs.scheme ({"data":"IOB2","model":"IOB2",...}), or NULL */
};

/* Load run `run` of s into a new view (*out; free with xnr_run_view_free).
 * Errors: XNR_ERR_NOT_FOUND (no such run), XNR_ERR_FORMAT (the run's rows are
 * inconsistent: sentence ids not 0..n-1, missing words, label ids out of
 * range), XNR_ERR_INPUT (a label name the tag set rejects), XNR_ERR_NOMEM.
 * About 20 ms for the 46k words of CoNLL-2003 test. */
XNR_MUST_CHECK enum xnr_status xnr_run_view_load(struct xnr_store *s, int64_t run,
                                                 struct xnr_run_view **out, struct xnr_error *err);
void xnr_run_view_free(struct xnr_run_view *v); /* NULL is fine */

/* ---- metrics ---- */

/* Everything the Metrics page shows, as C values (text reports use these). */
struct xnr_run_metrics {
	struct xnr_seqeval_report def;    /* seqeval default mode (conlleval) */
	struct xnr_seqeval_report strict; /* mode='strict', scheme detected; valid if strict_ok */
	int strict_ok;
	char strict_error[XNR_ERROR_MSG_MAX]; /* why strict mode is not available */
	struct xnr_confusion cm;              /* token confusion, label ids */
	struct xnr_taxonomy tax;              /* entity errors by default-mode span type */
	struct xnr_nerval_result nerval;      /* zero when the tags are not B-/I- (no nervaluate) */
};

/* Compute the metrics of a view into *out (zeroed first; release with
 * xnr_run_metrics_free; class and type names borrow from v, which must
 * outlive them). Errors: XNR_ERR_INPUT (malformed tags), XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_run_metrics_compute(const struct xnr_run_view *v,
                                                       struct xnr_run_metrics *out,
                                                       struct xnr_error *err);
void xnr_run_metrics_free(struct xnr_run_metrics *m);

/*
 * The same metrics from a run seen in pieces (its sentences chunk by chunk,
 * as `explainer run` writes them), in memory that does not grow with the
 * run: per type and label only counts. Add every piece in order (each a
 * corpus with sent_start[0] = 0; the tag set is borrowed and may grow
 * between pieces), with conf its words' confidences (words.prob_pred, NaN
 * for none; NULL: not known, and no calibration from the pieces), then
 * xnr_run_metrics_acc_result fills *out (zeroed first; free with
 * xnr_run_metrics_free) with what xnr_run_metrics_compute gives over the
 * pieces joined, but m->def's and m->strict's entity lists empty (the
 * intervals from the stored entities instead: xnr_run_metrics_ci_stored),
 * and xnr_run_metrics_acc_calibration gives xnr_report_calibration's JSON
 * with XNR_REPORT_BINS bins (XNR_ERR_NOT_FOUND when a piece came without
 * confidences). Errors: as xnr_run_metrics_compute, XNR_ERR_NOMEM. One
 * thread at a time.
 */
struct xnr_run_metrics_acc;

/* The report's default number of calibration bins, which a run keeps. */
#define XNR_REPORT_BINS 10

XNR_MUST_CHECK enum xnr_status xnr_run_metrics_acc_open(const struct xnr_tagset *tags,
                                                        struct xnr_run_metrics_acc **out,
                                                        struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_run_metrics_acc_add(struct xnr_run_metrics_acc *a,
                                                       const struct xnr_tagged_corpus *c,
                                                       const double *conf, struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_run_metrics_acc_result(const struct xnr_run_metrics_acc *a,
                                                          struct xnr_run_metrics *out,
                                                          struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_run_metrics_acc_calibration(const struct xnr_run_metrics_acc *a,
                                                               json_t **out, struct xnr_error *err);
void xnr_run_metrics_acc_close(struct xnr_run_metrics_acc *a); /* NULL is fine */
/* The seqeval counts a keeps (borrowed), for a summary of the pieces so far. */
const struct xnr_seqeval_acc *xnr_run_metrics_acc_seqeval(const struct xnr_run_metrics_acc *a);

/*
 * The metrics as one JSON object:
 *   {"run": id,
 *    "seqeval_default": {"<TYPE>"|"micro avg"|"macro avg"|"weighted avg":
 *                        {"precision","recall","f1-score" (null when NaN),"support"}},
 *    "seqeval_strict": same, or {"error": "why not available"},
 *    "confusion": {"labels": [...], "counts": [[gold][pred]], "normalized": rows / row sum},
 *    "entity_errors": {"<TYPE>": {"correct","wrong type","wrong boundary",
 *                                 "wrong type and boundary","missed","spurious"}}
 *                     with the types of seqeval_default, in its order,
 *    "nervaluate": {"strict"|"exact"|"partial"|"ent_type":
 *                   {"correct","incorrect","partial","missed","spurious",
 *                    "precision","recall","f1"}},
 *    "scheme": runs.scheme as JSON, or null}
 * xnr_report_metrics computes and formats in one call (about 25 ms on
 * CoNLL-2003 test). Errors: as xnr_run_metrics_compute, XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_run_metrics_json(const struct xnr_run_view *v,
                                                    const struct xnr_run_metrics *m, json_t **out,
                                                    struct xnr_error *err);
/* The same JSON without a view: run `run` with its n_labels label names
 * (by id) and runs.scheme (NULL: none), for metrics from the pieces. */
XNR_MUST_CHECK enum xnr_status xnr_run_metrics_json_of(int64_t run, const char *const *labels,
                                                       int n_labels, const char *scheme_json,
                                                       const struct xnr_run_metrics *m,
                                                       json_t **out, struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_report_metrics(const struct xnr_run_view *v, json_t **out,
                                                  struct xnr_error *err);

/* ---- confidence intervals ---- */

/*
 * Bootstrap intervals (analysis/stats.h: sentences resampled with a seeded
 * PRNG) of m's default-mode micro, macro and per-type F1: *out has one
 * column per class of m->def, in its order (free with xnr_f1_boot_free).
 * Same seed, same numbers. About 40 ms of CPU for CoNLL-2003 test with 1000
 * resamples. Errors: XNR_ERR_INPUT (params out of range, a run without
 * sentences), XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_run_metrics_ci(const struct xnr_run_view *v,
                                                  const struct xnr_run_metrics *m,
                                                  const struct xnr_boot_params *p,
                                                  struct xnr_f1_boot *out, struct xnr_error *err);

/*
 * The same intervals from the run's stored entities (the entities table,
 * which holds m->def's spans) instead of a view: what xnr_run_metrics_ci
 * gives, bit for bit, for a run of n_sents sentences whose metrics m may
 * come from the pieces (no entity lists). Reads the spans once, a chunk of
 * chunk_rows sentences at a time (0: XNR_CI_CHUNK_ROWS), each chunk taking
 * every resample's draws again: memory of one chunk, time of the draws
 * (n_sents a resample) times the chunks. Errors: as xnr_run_metrics_ci;
 * XNR_ERR_FORMAT (a stored span outside the run's sentences or of a type m
 * does not have), the store's.
 */
#define XNR_CI_CHUNK_ROWS ((size_t)1 << 18)
XNR_MUST_CHECK enum xnr_status
xnr_run_metrics_ci_stored(struct xnr_store *s, int64_t run, size_t n_sents,
                          const struct xnr_run_metrics *m, const struct xnr_boot_params *p,
                          size_t chunk_rows, struct xnr_f1_boot *out, struct xnr_error *err);

/* The intervals as {"seed", "resamples", "level", "unit": "sentence",
 * "micro avg"|"macro avg"|"<TYPE>": {"f1", "lo", "hi"}} (types in m's
 * order); NULL when out of memory. */
json_t *xnr_run_metrics_ci_json(const struct xnr_run_metrics *m, const struct xnr_f1_boot *b);

/* ---- calibration ---- */

/*
 * The run's calibration (analysis/calibration.h: n_bins equal-width bins,
 * ECE, MCE) at word level (confidence: the probability of the predicted
 * label; right: predicted label = gold label; per type of the predicted
 * label, and "O") and entity level (m's default-mode predicted entities;
 * confidence: the lowest of its words'; right: a gold entity with its span
 * and type; per type), as a new JSON object:
 *   {"bins": n_bins, "confidence_of": {"word", "entity"},
 *    "word"|"entity": {"all": c, "types": {"<TYPE>": c}}}
 *   c: {"n", "accuracy", "confidence", "ece", "mce",
 *       "bins": {"count": [...], "confidence": [...], "accuracy": [...]}}
 * (means null when empty; types with no item left out). Words without a
 * probability (no sub-token) are not counted. Reads every word's prob_pred
 * from s. Errors: XNR_ERR_INPUT (n_bins outside 1 .. 100), XNR_ERR_FORMAT,
 * the store's, XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_report_calibration(struct xnr_store *s,
                                                      const struct xnr_run_view *v,
                                                      const struct xnr_run_metrics *m, int n_bins,
                                                      json_t **out, struct xnr_error *err);

/* ---- misclassified words and worst sentences ---- */

/*
 * Every (gold, predicted) pair of misclassified words (gold != pred), most
 * frequent first (ties by gold then predicted label name), as a JSON array
 * of {"gold": name, "pred": name, "gold_id", "pred_id", "count",
 * "words": [{"text", "count"}]} where words are the pair's top_words most
 * frequent word texts (ties by text). top_words < 0: all.
 * Errors: XNR_ERR_NOT_FOUND (no such run), XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_report_confusions(struct xnr_store *s, int64_t run,
                                                     int top_words, json_t **out,
                                                     struct xnr_error *err);

/* The `top` sentences with the largest total loss (ties by id) as a JSON
 * array of {"id","loss","word_errors","entity_errors","text"}.
 * Errors: XNR_ERR_NOT_FOUND (no such run), XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_report_worst_sentences(struct xnr_store *s, int64_t run,
                                                          long top, json_t **out,
                                                          struct xnr_error *err);

/* ---- loss groups: count, mean, median, sum of the loss per group ---- */

enum xnr_loss_by {
	XNR_LOSS_BY_WORD,  /* words.text (words with a NULL loss skipped) */
	XNR_LOSS_BY_TOKEN, /* tokens.text of first sub-tokens (the others have no loss) */
	XNR_LOSS_BY_LABEL, /* the gold label (NaN losses skipped) */
	XNR_LOSS_BY_COUNT
};

enum xnr_loss_sort {
	XNR_LOSS_SORT_SUM,
	XNR_LOSS_SORT_MEAN,
	XNR_LOSS_SORT_MEDIAN,
	XNR_LOSS_SORT_COUNT,
	XNR_LOSS_SORT_KEY,
	XNR_LOSS_SORT_N
};

/* "word", "sub-token", "label" (by) and "sum", "mean", "median", "count",
 * "key" (sort), each NULL-terminated and in enum order, as query choices. */
extern const char *const xnr_loss_by_names[];
extern const char *const xnr_loss_sort_names[];

/* One page of a loss table. Ties are broken by ascending key in both
 * directions. filter: groups whose key contains it (ASCII case-insensitive);
 * NULL or "" for all. limit < 0: to the end. */
struct xnr_loss_page {
	enum xnr_loss_sort sort;
	int ascending;
	long offset, limit;
	const char *filter;
};

/* Sum descending, from the first group, 50 groups, no filter. */
struct xnr_loss_page xnr_loss_page_default(void);

/* A loss table: every group's statistics (the median of an even count is the
 * mean of the two middle values, as pandas gives it; sums add the losses in
 * ascending order) and its order under every sort, computed once, so pages
 * cost only the page (plus a pass over the keys when filtered). Immutable. */
struct xnr_loss_table;

/* Build the word or sub-token table of a run from the database (its texts
 * and losses come sorted by text, then loss: no sort of the losses). About
 * 40 ms for CoNLL-2003 test's 46k words. Errors: XNR_ERR_NOT_FOUND (no such
 * run), XNR_ERR_INPUT (by is XNR_LOSS_BY_LABEL: use xnr_loss_table_labels),
 * XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_loss_table_load(struct xnr_store *s, int64_t run,
                                                   enum xnr_loss_by by, struct xnr_loss_table **out,
                                                   struct xnr_error *err);

/* The gold-label table of a view (keys borrowed from nothing: copied).
 * Errors: XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_loss_table_labels(const struct xnr_run_view *v,
                                                     struct xnr_loss_table **out,
                                                     struct xnr_error *err);

/* The same gold-label table from the database, in memory that does not
 * grow with the run: each label's losses come ascending as a merge of its
 * (gold, predicted) ranges of the label index, read twice (count and sum,
 * then the median). Equal to xnr_loss_table_labels over the run's view.
 * Errors: XNR_ERR_NOT_FOUND (no such run), the store's, XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_loss_table_labels_load(struct xnr_store *s, int64_t run,
                                                          struct xnr_loss_table **out,
                                                          struct xnr_error *err);

/* The loss table by `by` that run keeps under version (the key of
 * xnr_kept_loss_keys[by]). Errors: XNR_ERR_NOT_FOUND (none kept, or what
 * is kept is not such a table), the store's, XNR_ERR_NOMEM. */
extern const char *const xnr_kept_loss_keys[XNR_LOSS_BY_COUNT];
XNR_MUST_CHECK enum xnr_status xnr_loss_table_kept(struct xnr_store *s, int64_t run,
                                                   const char *version, enum xnr_loss_by by,
                                                   struct xnr_loss_table **out,
                                                   struct xnr_error *err);

void xnr_loss_table_free(struct xnr_loss_table *t); /* NULL is fine */

/* The memory a table holds, in bytes (for caches that bound theirs). */
size_t xnr_loss_table_bytes(const struct xnr_loss_table *t);

/* The table as JSON text to keep (*out malloc'd: caller frees):
 * {"by": by, "groups": [[key, count, mean, median, sum], ...]} in the
 * table's group order; doubles printed so that they read back exactly.
 * xnr_loss_table_restore makes the same table again from len bytes of it
 * (its orders rebuilt); XNR_ERR_FORMAT when the text is not such a table.
 * Errors: XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_loss_table_save(const struct xnr_loss_table *t, char **out,
                                                   struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_loss_table_restore(const char *text, size_t len,
                                                      struct xnr_loss_table **out,
                                                      struct xnr_error *err);

/*
 * One page as a JSON object: {"by": "word", "sort": "sum", "order": "desc",
 * "offset", "limit", "total": groups matching the filter, "groups":
 * [{"key","count","mean","median","sum"}]}; a label table adds "hint" (a
 * large gap between mean and median points at a few very wrong words, often
 * a systematic labelling problem). Errors: XNR_ERR_INPUT (sort out of range,
 * offset < 0), XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_loss_table_page(const struct xnr_loss_table *t,
                                                   const struct xnr_loss_page *p, json_t **out,
                                                   struct xnr_error *err);

/* Load (or, for labels, build from v) a table and return one page of it:
 * xnr_report_loss_groups for words and sub-tokens, xnr_report_label_losses
 * for gold labels. For many pages of one run, keep the table instead. */
XNR_MUST_CHECK enum xnr_status xnr_report_loss_groups(struct xnr_store *s, int64_t run,
                                                      enum xnr_loss_by by,
                                                      const struct xnr_loss_page *p, json_t **out,
                                                      struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_report_label_losses(const struct xnr_run_view *v,
                                                       const struct xnr_loss_page *p, json_t **out,
                                                       struct xnr_error *err);

/* ---- buckets (ExplainaBoard's attributes: analysis/buckets.h) ---- */

struct xnr_bucket_params {
	struct xnr_boot_params boot;  /* each bucket's F1 interval: sentences resampled */
	int n_continuous;             /* equal-frequency buckets per numeric attribute (4) */
	int n_discrete;               /* most frequent values kept: capitalisation, document (10) */
	int samples;                  /* cases listed per bucket and run (20; 0: none) */
	int n_fixed[XNR_BATTR_COUNT]; /* user's upper edges per attribute (0: from the data) */
	double fixed[XNR_BATTR_COUNT][XNR_BUCKET_MAX - 1];
};

/* Seed 1, 1000 resamples, level 0.95; 4 and 10 buckets; 20 samples. */
struct xnr_bucket_params xnr_bucket_default_params(void);

/* Parse user edges, "span_length:1,2,3;sentence_length:10,20,40" (an
 * attribute's ascending upper edges: buckets x <= 1, 1 < x <= 2, ..., x > 3)
 * into p. Errors: XNR_ERR_INPUT naming the part that is wrong. */
XNR_MUST_CHECK enum xnr_status xnr_bucket_edges_parse(const char *spec, struct xnr_bucket_params *p,
                                                      struct xnr_error *err);

/*
 * Run `run`'s cases (one per distinct span among its default-mode gold and
 * predicted entities) bucketed by every attribute of analysis/buckets.h,
 * against the reference split of its label issues (explainer issues
 * --reference) when it has one, else against itself. With compare > 0, run
 * compare's cases too, bucketed with run's edges and the same reference.
 * Each bucket has, per run, its cases, gold, predicted and correct
 * entities, F1 (2 tp / (gold + pred), 0 when empty) with its bootstrap
 * interval over the run's sentences, and its first p->samples cases
 * (errors first, in dataset order). JSON:
 *   {"run", "compare": id|null, "reference": {"run", "of"},
 *    "bootstrap": {"seed","resamples","level","unit":"sentence"},
 *    "runs": [{"run","sentences","cases"}],
 *    "attributes": [{"name","description","kind":"continuous"|"discrete"|"fixed",
 *       "buckets": [{"label","lo","hi" (null: open),
 *          "runs": [{"cases","gold","pred","tp","f1","lo","hi",
 *                    "samples": [{"sentence","start","end","text","gold","pred"}]}]}]}]}
 * ("runs" of a bucket in the order of the top-level "runs"). About 60 ms
 * per run of CoNLL-2003 test with 1000 resamples. Errors: XNR_ERR_NOT_FOUND
 * (no such run), XNR_ERR_INPUT (params out of range, a run without
 * sentences), the store's, XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_report_buckets(struct xnr_store *s, int64_t run, int64_t compare,
                                                  const struct xnr_bucket_params *p, json_t **out,
                                                  struct xnr_error *err);

/* ---- the report as a file: HTML, Markdown, JUnit XML ---- */

/*
 * Render a report from its JSON (what `explainer report --json` prints,
 * optionally with "meta": {model_path, data_path, n_sentences, n_words,
 * version}, "buckets" (xnr_report_buckets) and "compare"
 * (xnr_report_compare)) as text in *out (len bytes, NUL-terminated; caller
 * frees):
 * - xnr_report_html: one self-contained HTML page (inline CSS, charts as
 *   inline SVG, no script, no network): scores with intervals, the gate,
 *   the comparison's fixed and regressed entities, buckets, reliability
 *   diagrams, the confusion matrix, the error taxonomy, worst sentences;
 * - xnr_report_markdown: a pull-request comment: the gate's rules, the
 *   scores table with intervals, the comparison's micro F1 difference;
 * - xnr_report_junit: JUnit XML, one testcase per gate rule (failed when
 *   the rule failed) and one per row of the scores (always passed, its F1
 *   and interval as output).
 * Missing sections are left out. Errors: XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_report_html(const json_t *r, char **out, size_t *len,
                                               struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_report_markdown(const json_t *r, char **out, size_t *len,
                                                   struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_report_junit(const json_t *r, char **out, size_t *len,
                                                struct xnr_error *err);

/* ---- the report: what `explainer report` prints ---- */

/* A report's parts, each from the functions above, for one run. */
struct xnr_report_doc {
	int64_t run;
	size_t n_sents, n_words;
	const char *const *labels; /* (n_labels) label names by id */
	int n_labels;
	const struct xnr_tagset *tags; /* the labels as a tag set: entity type names */
	const char *scheme_json;       /* runs.scheme, or NULL */
	const struct xnr_run_metrics *m;
	const struct xnr_f1_boot *ci;    /* NULL or no resamples: no intervals */
	json_t *worst;                   /* xnr_report_worst_sentences */
	json_t *pairs;                   /* xnr_report_confusions: the first `top` are shown */
	json_t *loss[XNR_LOSS_BY_COUNT]; /* xnr_loss_table_page of each table */
	json_t *calib;                   /* xnr_report_calibration; NULL: none */
	json_t *buckets;                 /* xnr_report_buckets; NULL: none */
	json_t *gate;                    /* the CI gate's {"passed", "rules"}; NULL: none */
	int top;
};

/* The options of a report without buckets, gate or files, which a run keeps
 * its report for (`explainer report`'s defaults; the intervals' are
 * xnr_boot_default_params', the calibration's XNR_REPORT_BINS). */
#define XNR_REPORT_TOP 10

/* The name the report with these options is kept under in run_results. */
void xnr_report_kept_name(const char *version, int json, int top, int seed, int resamples,
                          double level, int bins, char *name, size_t size);

/* The report as `explainer report --json` prints it, but for the label-issue
 * section (the command adds it when it prints: `explainer issues` may
 * change it after the run). Errors: XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_report_doc_json(const struct xnr_report_doc *d, json_t **out,
                                                   struct xnr_error *err);
/* The report as text: the run line and tagging scheme (*head) and the
 * tables after the label-issue section (*body), each NUL-terminated with its
 * length (caller frees both). Errors: XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_report_doc_text(const struct xnr_report_doc *d, char **head,
                                                   size_t *head_len, char **body, size_t *body_len,
                                                   struct xnr_error *err);
/* The JSON report as one compact line (numbers to 17 digits: every double
 * reads back as itself), *len its length; caller frees. Errors: XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_report_doc_dump(const struct xnr_report_doc *d, char **out,
                                                   size_t *len, struct xnr_error *err);

/* Keep a rendered report as name (xnr_report_kept_name) for run: text as
 * head, a NUL, body; JSON (head NULL) as the body. Errors: the store's,
 * XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_report_kept_put(struct xnr_store *s, int64_t run,
                                                   const char *name, const char *head,
                                                   size_t head_len, const char *body,
                                                   size_t body_len, struct xnr_error *err);
/* The report kept as name: 1 with its parts (malloc'd; *head NULL for JSON),
 * or 0 when there is none or it cannot be read (then computed again). */
int xnr_report_kept_get(struct xnr_store *s, int64_t run, const char *name, int json, char **head,
                        size_t *head_len, char **body, size_t *body_len);

/* The JSON of xnr_report_buckets as tables (buckets_text.c); NULL prints
 * nothing. */
void xnr_report_print_buckets(FILE *f, json_t *buckets);

#endif
