/*
 * seqeval.h - entity-level precision, recall, F1 and support per entity
 * type, with micro, macro and weighted averages, and the text report, all
 * as seqeval 1.2.2 computes them (classification_report in default mode and
 * with mode='strict'; seqeval/metrics/v1.py _precision_recall_fscore_support,
 * seqeval/reporters.py StringReporter). Arithmetic follows numpy's order of
 * operations (pairwise sums), so scores equal seqeval's bit for bit.
 * See shared/reference/ner-analysis.md sections 2.1-2.3.
 */
#ifndef XNR_ANALYSIS_SEQEVAL_H
#define XNR_ANALYSIS_SEQEVAL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/entities.h"
#include "analysis/tagset.h"
#include "core/status.h"

struct xnr_seqeval_params {
	enum xnr_seqeval_mode mode;
	enum xnr_seqeval_scheme scheme; /* strict mode only; AUTO = detect from the gold tags */
	double zero_division;           /* value of 0/0 scores: 0 (seqeval's 'warn' and 0) or 1 */
};

/* Default mode, zero_division 0: what seqeval.classification_report(y_true, y_pred) does. */
struct xnr_seqeval_params xnr_seqeval_default_params(void);

struct xnr_prf {
	double precision, recall, f1;
	int64_t support; /* gold entities */
};

struct xnr_seqeval_class {
	const char *name; /* entity type, borrowed from the tag set */
	uint32_t type;    /* type id in the tag set */
	int64_t n_true, n_pred, n_correct;
	struct xnr_prf score;
};

struct xnr_seqeval_report {
	enum xnr_seqeval_mode mode;
	enum xnr_seqeval_scheme scheme; /* the scheme used (detected when AUTO was asked) */
	size_t n_classes;
	struct xnr_seqeval_class *classes;     /* (n_classes) sorted by name, as seqeval's rows */
	struct xnr_prf micro, macro, weighted; /* macro is NaN when there is no class (numpy) */
	struct xnr_entities gold, pred;        /* the entities that were scored */
};

/*
 * Score a corpus. *out is filled on success (release with
 * xnr_seqeval_report_free); class names borrow from c->tags, which must
 * outlive the report. Errors: XNR_ERR_INPUT (malformed corpus, strict-mode
 * tag outside the scheme, undetectable scheme, zero_division not 0 or 1),
 * XNR_ERR_NOMEM. Reentrant; no global state.
 */
XNR_MUST_CHECK enum xnr_status xnr_seqeval_evaluate(const struct xnr_tagged_corpus *c,
                                                    const struct xnr_seqeval_params *params,
                                                    struct xnr_seqeval_report *out,
                                                    struct xnr_error *err);

void xnr_seqeval_report_free(struct xnr_seqeval_report *r);

/*
 * The same reports from a corpus seen in pieces (a run's sentences chunk by
 * chunk), with memory that does not grow with the corpus: per entity type
 * and per way of counting (default mode, strict mode in each scheme) only
 * counts, and each side's first problem. xnr_seqeval_acc_report over the
 * pieces added equals xnr_seqeval_evaluate over them all joined, scores,
 * detected scheme and error messages alike, but its gold and pred entity
 * lists are empty. The tag set is borrowed and may grow between pieces.
 * Errors: XNR_ERR_INPUT (a malformed piece; from the report, what
 * xnr_seqeval_evaluate would say), XNR_ERR_NOMEM. One thread at a time.
 */
struct xnr_seqeval_acc;

XNR_MUST_CHECK enum xnr_status xnr_seqeval_acc_open(const struct xnr_tagset *tags,
                                                    struct xnr_seqeval_acc **out,
                                                    struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_seqeval_acc_add(struct xnr_seqeval_acc *acc,
                                                   const struct xnr_tagged_corpus *c,
                                                   struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_seqeval_acc_report(const struct xnr_seqeval_acc *acc,
                                                      const struct xnr_seqeval_params *params,
                                                      struct xnr_seqeval_report *out,
                                                      struct xnr_error *err);
void xnr_seqeval_acc_close(struct xnr_seqeval_acc *acc);

/*
 * The report as seqeval's classification_report(..., digits=digits) prints
 * it (a newly allocated NUL-terminated string in *out, caller frees).
 * An empty report (no entity at all) gets the header and the average rows
 * only, where seqeval itself fails. Errors: XNR_ERR_INPUT (digits outside
 * 0..20), XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_seqeval_format(const struct xnr_seqeval_report *r, int digits,
                                                  char **out, struct xnr_error *err);

#endif
