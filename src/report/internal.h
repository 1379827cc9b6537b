/*
 * internal.h - what the report module's files share: the two-run
 * comparison as C values, computed by compare.c and written as JSON by
 * compare_json.c (compare.h has the definitions), and the buckets of
 * buckets.c written by buckets_json.c. Not part of the API.
 */
#ifndef XNR_REPORT_INTERNAL_H
#define XNR_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/buckets.h"
#include "analysis/seqeval.h"
#include "analysis/stats.h"
#include "report/compare.h"
#include "report/report.h"
#include "store/read.h"

/* ---- calibration (calibration.c), from a run's corpus at once or in parts ---- */

/* The calibration's sums, word and entity level, overall and by type. */
struct xnr__calib;

/* Errors: XNR_ERR_INPUT (n_bins outside 1 .. XNR_CALIB_MAX_BINS), XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr__calib_open(int n_bins, struct xnr__calib **out,
                                               struct xnr_error *err);
void xnr__calib_close(struct xnr__calib *c); /* NULL is fine */
/* Add a corpus that continues the ones added: conf[w] each word's confidence
 * (NaN: none), gold and pred its default-mode entities (sentences counted
 * from its first). Errors: XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr__calib_add(struct xnr__calib *c,
                                              const struct xnr_tagged_corpus *k, const double *conf,
                                              const struct xnr_entities *gold,
                                              const struct xnr_entities *pred,
                                              struct xnr_error *err);
/* xnr_report_calibration's JSON of what was added; type names from tags. */
XNR_MUST_CHECK enum xnr_status xnr__calib_json(const struct xnr__calib *c,
                                               const struct xnr_tagset *tags, json_t **out,
                                               struct xnr_error *err);

/* One run of the comparison. */
struct xnr__cmp_side {
	struct xnr_run run;              /* its row: paths, hashes, labels */
	struct xnr_run_view *v;          /* every word's labels */
	struct xnr_seqeval_report r;     /* default mode: its entities */
	char **texts;                    /* (v->n_sents) sentence texts */
	int32_t *col;                    /* (tag set types) -> comparison column, -1 */
	int64_t *row;                    /* (v->n_sents) -> pair, -1 when unpaired */
	size_t *first_gold, *first_pred; /* (v->n_sents + 1) entities of each sentence */
};

/* A decision both runs took (compare.h): a span and type of a pair, gold or
 * not, and whether each run predicted exactly it. */
struct xnr__cmp_unit {
	size_t pair;
	int64_t start, end;
	int32_t col;
	int32_t col_a, col_b; /* the type each run predicted on exactly this span, -1: none */
	unsigned char gold, in_a, in_b;
};

enum xnr__cmp_kind { XNR__CMP_FIXED, XNR__CMP_REGRESSED, XNR__CMP_BOTH_WRONG, XNR__CMP_KINDS };

/* A listed sentence: its pair and how many of its decisions changed. */
struct xnr__cmp_sent {
	size_t pair;
	long changed;
};

struct xnr__cmp {
	struct xnr__cmp_side s[2];
	const struct xnr_compare_params *p;
	int by_text;
	size_t n_pairs, gold_differs;
	int64_t *pair_a, *pair_b; /* (n_pairs) sentence ids, ascending in a */
	size_t n_cols;
	const char **cols;  /* (n_cols) type names, sorted, borrowed from the tag sets */
	int32_t filter_col; /* the type filter's column, -1 for none */
	struct xnr_f1_boot boot;
	struct xnr_f1_counts counts[2];
	struct xnr__cmp_unit *units; /* (n_units) in pair order */
	size_t n_units, cap_units;
	int64_t n_ab, n_ba; /* decisions only a, only b got right */
	struct xnr__cmp_sent *sents[XNR__CMP_KINDS];
	size_t n_sents[XNR__CMP_KINDS];
};

/* The comparison as compare.h's JSON. Errors: XNR_ERR_NOMEM, and the
 * store's, reading the listed sentences' words. */
XNR_MUST_CHECK enum xnr_status xnr__cmp_json(struct xnr_store *s, const struct xnr__cmp *c,
                                             json_t **out, struct xnr_error *err);

/* ---- buckets (buckets.c computes, buckets_json.c writes) ---- */

/* One run of the buckets: its words, entities, cases and their attributes.
 * Entity types are 1-based ids into struct xnr__bkt's shared type names. */
struct xnr__bkt_side {
	int64_t run;
	struct xnr_run_view *v;
	char **text; /* (n_words) into arena */
	char *arena;
	int32_t *doc; /* (n_sents) */
	struct xnr_cons_span *gold, *pred;
	size_t n_gold, n_pred;
	struct xnr_bucket_corpus corpus;
	struct xnr_bucket_case *cases;
	size_t n_cases;
	double *values;          /* (XNR_BATTR_COUNT, n_cases) */
	int32_t *bucket;         /* (XNR_BATTR_COUNT, n_cases) bucket index, -1: none */
	struct xnr_f1_boot boot; /* column = first_col[attribute] + bucket */
	struct xnr_f1_counts counts;
};

struct xnr__bkt {
	const struct xnr_bucket_params *p;
	int64_t ref_run; /* the reference's run; the first side's own when ref_self */
	int ref_self;
	const char **types; /* (n_types) names, borrowed from the sides' tag sets */
	int n_types;
	struct xnr__bkt_side s[2];
	int n_sides;
	struct xnr_bucketing b[XNR_BATTR_COUNT];
	int first_col[XNR_BATTR_COUNT + 1];
};

/* The buckets as report.h's JSON. Errors: XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr__bkt_json(const struct xnr__bkt *b, json_t **out,
                                             struct xnr_error *err);

/* ---- text output (out.c): a growing buffer for the HTML, Markdown and JUnit
 * renderings of a report (html.c, summary.c) ---- */

struct xnr__out {
	char *s;
	size_t len, cap;
	int failed; /* an allocation failed: the text is incomplete */
};

void xnr__out_printf(struct xnr__out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s with &, <, >, " and ' escaped (HTML and XML text and attributes). */
void xnr__out_escaped(struct xnr__out *o, const char *s);
/* A number of o's JSON key, NaN when absent or null. */
double xnr__num(const json_t *o, const char *key);
/* A string of o's JSON key, "" when absent. */
const char *xnr__str(const json_t *o, const char *key);
/* The buffer as the result (*out, *len; caller frees), or XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr__out_done(struct xnr__out *o, char **out, size_t *len,
                                             struct xnr_error *err);

#endif
