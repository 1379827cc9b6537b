/*
 * verdicts.h - a reviewer's verdicts on the words and entity spans of a
 * dataset (the `verdicts` table, docs/schema.md): label error (with the
 * corrected labels), model error, ambiguous / guideline, skip; who, when
 * and why.
 *
 * A verdict is given through a run (its run and sentence ids) but stored
 * against the data: the data file path and split, the file's content hash
 * at the time, the sentence's source line (or JSONL id) and its words. So
 * it outlives the run, shows on every later run of the same data (with
 * this model or another), and a changed file is detected instead of the
 * verdict landing on another word: listed against a run, a verdict is
 * current (the run's sentence at its line or id has the same words),
 * stale (the words differ, or the sentence is gone from changed data) or
 * not in the run (same data, a run of a sample). Stale verdicts are kept
 * and shown, never dropped and never applied.
 *
 * Each write is one transaction. Failures: XNR_ERR_NOT_FOUND (no such run,
 * sentence or verdict), XNR_ERR_INPUT (a span or label that does not fit,
 * an empty reviewer name, invalid UTF-8), XNR_ERR_LIMIT (a name or reason
 * over its cap), XNR_ERR_BUSY, XNR_ERR_DB, XNR_ERR_NOMEM. A store is used
 * by one thread at a time.
 */
#ifndef XNR_STORE_VERDICTS_H
#define XNR_STORE_VERDICTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "store/store.h"

#define XNR_VERDICT_WHO_MAX 256  /* bytes of a reviewer's name */
#define XNR_VERDICT_WHY_MAX 4096 /* bytes of a reason */

enum xnr_verdict_kind {
	XNR_VERDICT_LABEL_ERROR, /* the data is wrong: labels holds the correction */
	XNR_VERDICT_MODEL_ERROR, /* the data is right, the model is wrong */
	XNR_VERDICT_AMBIGUOUS,   /* the guideline does not decide it */
	XNR_VERDICT_SKIP,        /* looked at, no decision */
	XNR_VERDICT_KIND_COUNT
};

/* Where a verdict stands against the run it is listed for. */
enum xnr_verdict_state {
	XNR_VERDICT_CURRENT,    /* the run's sentence has the verdict's words */
	XNR_VERDICT_STALE,      /* the data changed under it: kept, shown, never applied */
	XNR_VERDICT_NOT_IN_RUN, /* same data, but the run left the sentence out (a sample) */
	XNR_VERDICT_STATE_COUNT
};

/* "label_error", "model_error", "ambiguous", "skip"; "?" out of range. */
const char *xnr_verdict_kind_name(enum xnr_verdict_kind kind);
/* The kind named name (as above), or -1. */
int xnr_verdict_kind_parse(const char *name, enum xnr_verdict_kind *out);
/* "current", "stale", "not_in_run"; "?" out of range. */
const char *xnr_verdict_state_name(enum xnr_verdict_state state);

/* What a reviewer decides about words [start, end) of a run's sentence. */
struct xnr_verdict_input {
	enum xnr_verdict_kind kind;
	int start, end;
	const char *const *labels; /* (end - start) label names of the run for a
	                              label error (the corrected span, in the run's
	                              scheme); NULL for the other kinds */
	const char *who;           /* non-empty */
	const char *why;           /* may be NULL or "" */
};

/* A stored verdict (strings owned; release with xnr_verdict_free). */
struct xnr_verdict {
	int64_t id;
	enum xnr_verdict_kind kind;
	int start, end;  /* words of the sentence, end exclusive */
	char **labels;   /* (end - start) corrected labels; NULL unless a label error */
	char **was;      /* (end - start) the gold labels when it was given */
	char *who, *why; /* why: "" when none */
	char *created_at, *updated_at; /* UTC, ISO 8601 */
	int64_t run_id;                /* the run it was given through; -1 once that is gone */
	char *data_path, *split, *data_hash; /* the data (split NULL for a file) */
	long source_line;                    /* its sentence's first line in the file */
	char *source_id;                     /* the JSONL id, or NULL */
	char *sentence_text, *span_text;     /* words joined by single spaces */
	int n_words;                         /* of the sentence */
	/* against the run it was listed for */
	enum xnr_verdict_state state;
	int64_t sentence_id; /* the run's sentence at its line or id, -1 when none */
};

void xnr_verdict_free(struct xnr_verdict *v); /* the fields; NULL is fine */
void xnr_verdicts_free(struct xnr_verdict *v, size_t n);

/*
 * Record a verdict on words [in->start, in->end) of sentence `sentence` of
 * run `run`, stamped now (UTC). The span must lie in the sentence; a label
 * error needs one label of the run per word of the span, the other kinds
 * none. *id is the new verdict's id. Errors: XNR_ERR_NOT_FOUND (run,
 * sentence), XNR_ERR_INPUT, XNR_ERR_LIMIT, XNR_ERR_BUSY, XNR_ERR_DB.
 */
XNR_MUST_CHECK enum xnr_status xnr_verdict_add(struct xnr_store *s, int64_t run, int64_t sentence,
                                               const struct xnr_verdict_input *in, int64_t *id,
                                               struct xnr_error *err);

/*
 * Change verdict id's kind, labels, who and why (its span and data stay;
 * in->start and in->end must equal them), checked against run's labels;
 * updated_at becomes now. Errors: as xnr_verdict_add, XNR_ERR_NOT_FOUND
 * for an unknown verdict.
 */
XNR_MUST_CHECK enum xnr_status xnr_verdict_update(struct xnr_store *s, int64_t run, int64_t id,
                                                  const struct xnr_verdict_input *in,
                                                  struct xnr_error *err);

/* Delete verdict id. Errors: XNR_ERR_NOT_FOUND, XNR_ERR_BUSY, XNR_ERR_DB. */
XNR_MUST_CHECK enum xnr_status xnr_verdict_delete(struct xnr_store *s, int64_t id,
                                                  struct xnr_error *err);

/*
 * The verdicts on run's data: those given on the same content (data hash)
 * or on the same file and split at any time, each with its state against
 * the run (see the file comment); sentence >= 0 keeps those whose run
 * sentence is that one. Ordered by source line, start, then id. *out (n of
 * them, NULL when none) is released with xnr_verdicts_free. A read-only
 * store is fine; a database older than the verdicts has none.
 * Errors: XNR_ERR_NOT_FOUND (run), XNR_ERR_BUSY, XNR_ERR_DB, XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_store_verdicts(struct xnr_store *s, int64_t run,
                                                  int64_t sentence, struct xnr_verdict **out,
                                                  size_t *n, struct xnr_error *err);

/* Verdict id with its state against run. Errors: as xnr_store_verdicts, and
 * XNR_ERR_NOT_FOUND when the verdict is not on run's data. */
XNR_MUST_CHECK enum xnr_status xnr_store_verdict_get(struct xnr_store *s, int64_t run, int64_t id,
                                                     struct xnr_verdict *out,
                                                     struct xnr_error *err);

#endif
