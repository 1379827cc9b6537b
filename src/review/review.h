/*
 * review.h - what a reviewer's verdicts (store/verdicts.h) lead to: the
 * dataset written back with the accepted corrections (byte for byte the
 * input elsewhere, in the file's own tagging scheme), the ranked label
 * issues as CSV or JSON lines, tasks for re-annotation in Label Studio,
 * Argilla and spaCy formats, and verdicts as the JSON the web API speaks.
 *
 * Offsets in the re-annotation formats are Unicode code points (Python
 * `str` indices, as Label Studio, Argilla and spaCy count) over the
 * sentence's text, its words joined by single spaces. Every function here
 * reads the run database through the store and writes to a caller's FILE;
 * none keeps state. A call uses its store from one thread.
 */
#ifndef XNR_REVIEW_REVIEW_H
#define XNR_REVIEW_REVIEW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/status.h"
#include "store/scores.h"
#include "store/store.h"
#include "store/verdicts.h"

/* ---- the corrected dataset (corrected.c) ---- */

struct xnr_corrected_summary {
	size_t n_label_errors; /* label_error verdicts on the run's data */
	size_t n_applied;      /* of those, applied */
	size_t n_stale;        /* of those, kept out: their sentence is not in the file as it was */
	size_t n_sentences;    /* sentences with a changed tag */
	size_t n_tags;         /* tags rewritten */
	int data_changed;      /* the file is not the content the run read (with force only) */
};

/*
 * Write run's dataset file (runs.data_path, as the run read it: its tag
 * column, --labels and --label-map) to out with every current label_error
 * verdict applied and every other byte as it is. A verdict is current when
 * the file still has its sentence, with the same words, at its line (or
 * JSONL id); later verdicts win where two cover one word. Corrections are
 * in the run's labels; each sentence's corrected labels are repaired as
 * conlleval reads them, mapped back through --label-map and converted to
 * the file's own tagging scheme, and only the tags that change are
 * rewritten. *summary (may be NULL) says what was done.
 *
 * Errors: XNR_ERR_MISMATCH when the file's content is not what the run
 * read (unless force: then only verdicts whose sentences are unchanged are
 * applied), those of the store, the dataset reader and xnr_dataset_rewrite.
 */
XNR_MUST_CHECK enum xnr_status xnr_review_export_corrected(struct xnr_store *s, int64_t run,
                                                           int force, FILE *out,
                                                           struct xnr_corrected_summary *summary,
                                                           struct xnr_error *err);

/* ---- re-annotation tasks (tasks.c) ---- */

enum xnr_tasks_format {
	XNR_TASKS_LABEL_STUDIO, /* Label Studio import JSON: a list of tasks */
	XNR_TASKS_ARGILLA,      /* Argilla 2.x records (dataset.records.log dicts), one a line */
	XNR_TASKS_SPACY,        /* spaCy's JSON training format (`spacy convert` to DocBin) */
	XNR_TASKS_FORMAT_COUNT
};

/* "label-studio", "argilla", "spacy"; -1 for another name. */
int xnr_tasks_format_parse(const char *name, enum xnr_tasks_format *out);

/*
 * Write run's sentences (only_errors: those where the prediction and the
 * gold labels disagree) as tasks of format: the text, the gold spans and
 * the suggestion, which is the reviewer's correction where a current
 * label_error verdict covers the sentence and the model's prediction
 * elsewhere (Label Studio: gold as the annotation, the suggestion as the
 * prediction; Argilla: the suggestion of the span question "entities", the
 * gold spans in the text field "gold"; spaCy: the gold labels with the
 * corrections, in BILUO). *n_tasks is how many were written.
 * Errors: those of the store, XNR_ERR_IO (writing), XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_review_export_tasks(struct xnr_store *s, int64_t run,
                                                       enum xnr_tasks_format format,
                                                       int only_errors, FILE *out, size_t *n_tasks,
                                                       struct xnr_error *err);

/* ---- label issues (issues.c, issue_rows.c) ---- */

/* One signal behind an issue's score ("self_confidence", 0.12). */
struct xnr_issue_signal {
	const char *name;
	double value; /* NaN: not computed for this item (written empty / null) */
};

/* One ranked label issue, as the scoring stage gives it (strings borrowed). */
struct xnr_issue {
	int64_t rank;            /* 1 = most suspect */
	const char *level;       /* "word", "entity" or "sentence" */
	int64_t sentence_id;     /* the run's sentence */
	int start, end;          /* its words, end exclusive (a sentence: all of them) */
	long source_line;        /* the sentence's line in the data file */
	const char *source_id;   /* JSONL id or NULL */
	const char *text;        /* the words of the span */
	const char *gold, *pred; /* labels (words) or types (entities); NULL: none */
	double score;            /* the combined score the rank sorts by */
	const struct xnr_issue_signal *signals; /* (n_signals) */
	size_t n_signals;
	const char *verdict;       /* kind of its verdict (xnr_review_issues_verdicts), or NULL */
	const char *sentence_text; /* the whole sentence, or NULL */
	const char *kind;          /* "type", "boundary", "missing", "spurious" or NULL */
	const char *suggested;     /* the label (words) or type (entities) the evidence suggests */
};

enum xnr_issues_format { XNR_ISSUES_CSV, XNR_ISSUES_JSONL };

/*
 * Set each issue's verdict to the kind of the newest current verdict
 * (verdicts as xnr_store_verdicts lists them against the issues' run) whose
 * span overlaps the issue's words in its sentence; NULL when none. The
 * kinds are static strings.
 */
void xnr_review_issues_verdicts(struct xnr_issue *issues, size_t n,
                                const struct xnr_verdict *verdicts, size_t n_verdicts);

/*
 * Write the issues in rank order as given: CSV (RFC 4180, a header row,
 * one column per signal named by the first issue) or JSON lines (one
 * object per issue, "signals" an object). Every issue must have the first
 * one's signals, in its order: XNR_ERR_INPUT otherwise. XNR_ERR_IO on a
 * write error, XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_review_write_issues(const struct xnr_issue *issues, size_t n,
                                                       enum xnr_issues_format format, FILE *out,
                                                       struct xnr_error *err);

/*
 * Write run's ranked label issues of one level (its top ones; top < 0: all)
 * as xnr_review_write_issues does, each with its sentence's place in the
 * data file and the verdict given on it; *n_issues (may be NULL) is how
 * many. Words carry their labels, the suggested label and kind, and the
 * signals self_confidence, margin, cl_issue, knn_split, knn_ref,
 * consistency and structure; entities their type as gold (O for a
 * predicted span or a string found as O), a predicted span's type as pred,
 * and self_confidence, knn, consistency; sentences worst, softmin and
 * n_flagged. Errors: XNR_ERR_NOT_FOUND when the run has no scores (run
 * explainer issues), those of the store and of xnr_review_write_issues.
 */
XNR_MUST_CHECK enum xnr_status xnr_review_export_issues(struct xnr_store *s, int64_t run,
                                                        enum xnr_issue_level level, long top,
                                                        enum xnr_issues_format format, FILE *out,
                                                        size_t *n_issues, struct xnr_error *err);

/* ---- verdicts as JSON (verdict_json.c), for the web API and scripts ---- */

/* A verdict as an object: id, kind, state, sentence (the run's, or null),
 * start, end, labels (null unless a label error), was, who, why,
 * created_at, updated_at, run (null once gone), the data (path, split,
 * hash, source_line, source_id, sentence_text, span_text). NULL when out of
 * memory. The caller owns the reference. */
json_t *xnr_review_verdict_json(const struct xnr_verdict *v);

/* {"verdicts": [...], "counts": {"current": N, "stale": N, "not_in_run": N}}. */
json_t *xnr_review_verdicts_json(const struct xnr_verdict *v, size_t n);

/* A verdict asked for in JSON: {"sentence": 12, "start": 3, "end": 5,
 * "kind": "label_error", "labels": ["B-ORG", "I-ORG"], "who": "ann",
 * "why": "..."} ("end" defaults to start + 1, "who" to default_who).
 * Strings are borrowed from the parsed object. */
struct xnr_verdict_request {
	int64_t sentence;
	struct xnr_verdict_input in;
	const char **labels; /* owned: the array in.labels points to */
};

/* Parse body into *out (release with xnr_verdict_request_free). Errors:
 * XNR_ERR_INPUT naming the key that is missing or of the wrong type. */
XNR_MUST_CHECK enum xnr_status xnr_review_verdict_request(const json_t *body,
                                                          const char *default_who,
                                                          struct xnr_verdict_request *out,
                                                          struct xnr_error *err);
void xnr_verdict_request_free(struct xnr_verdict_request *r);

#endif
