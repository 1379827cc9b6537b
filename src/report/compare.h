/*
 * compare.h - two stored runs side by side (issue #11): what `explainer
 * compare` prints and GET /api/v1/compare answers. The runs' sentences are
 * paired (by index when both runs read the same data, else by text), entity
 * types by name; each type's precision, recall and F1 (seqeval default mode,
 * on the paired sentences) for both runs with the difference, its paired
 * bootstrap interval and p-value (analysis/stats.h), McNemar's test on the
 * entity decisions, and the sentences and entities B fixed, broke, or both
 * got wrong differently, with both predictions.
 *
 * Entity decisions: on a paired sentence whose gold entities agree, every
 * gold entity is one decision (right when the run predicted its span and
 * type) and every predicted entity that is not gold is one (right when the
 * run did not predict it), so McNemar sees recall and precision errors
 * alike. Sentences whose gold differs (two datasets) count in the scores of
 * each run against its own gold and are left out of decisions and lists.
 */
#ifndef XNR_REPORT_COMPARE_H
#define XNR_REPORT_COMPARE_H

#include <jansson.h>
#include <stdint.h>

#include "analysis/stats.h"
#include "core/status.h"
#include "store/store.h"

struct xnr_compare_params {
	struct xnr_boot_params boot;
	const char *type; /* lists: only what involves this entity type; NULL: everything */
	long top;         /* sentences and entities listed per kind; < 0: all */
};

/* The bootstrap's defaults (seed 1, 1000 resamples, 95 %), every type, 20 of each list. */
struct xnr_compare_params xnr_compare_default_params(void);

/*
 * Compare run a with run b of store s into a new JSON object (*out, caller
 * owns):
 *   {"a": run, "b": run ({"id","model_path","data_path","data_hash","n_sentences"}),
 *    "pairing": {"by": "index"|"text", "pairs", "only_a", "only_b", "gold_differs"},
 *    "labels": {"only_a": [...], "only_b": [...]}  (labels the other run lacks),
 *    "bootstrap": {"seed", "resamples", "level", "unit": "sentence"},
 *    "types": [{"type", "a": prf, "b": prf, "diff": ci}] by name, then
 *    "micro" and "macro": {"a": prf, "b": prf, "diff": ci};
 *      prf: {"precision","recall","f1","support","predicted","correct","lo","hi"}
 *      ci: {"f1","lo","hi","p_value"} (b - a)
 *    "mcnemar": {"decisions","a_only_right","b_only_right","chi2","p_chi2","p_exact"},
 *    "type": the filter or null,
 *    "sentences": {"fixed"|"regressed"|"both_wrong": {"total", "items": [{"a_id","b_id",
 *                  "changed","words","gold","pred_a","pred_b"}]}},
 *    "entities": {"fixed"|"regressed": {"total", "items": [{"a_id","b_id","start","end",
 *                 "text","type","gold": bool,"pred_a","pred_b"}]}}}
 * where changed counts the sentence's decisions A and B took differently
 * (sentences rank by it, most first), gold/pred_* are the words' labels,
 * and an entity's pred_a/pred_b are the types each run predicted on exactly
 * its span (null: none). Entities: gold ones first (a missed or found
 * entity), then the spans no gold has (a spurious prediction made or
 * dropped), each in their sentences' rank.
 * Errors: XNR_ERR_NOT_FOUND (no such run), XNR_ERR_MISMATCH (the runs share
 * no sentence, or one data hash with different sentence lengths),
 * XNR_ERR_INPUT (bad params, a type filter no run has), XNR_ERR_FORMAT
 * (inconsistent rows), XNR_ERR_BUSY, XNR_ERR_DB, XNR_ERR_NOMEM. About 100 ms
 * for two CoNLL-2003 test runs with 1000 resamples. Reentrant per store.
 */
XNR_MUST_CHECK enum xnr_status xnr_report_compare(struct xnr_store *s, int64_t a, int64_t b,
                                                  const struct xnr_compare_params *p, json_t **out,
                                                  struct xnr_error *err);

/* The same with run a in store sa and run b in store sb (two databases, or
 * one opened twice): a baseline kept in another file. The listed sentences'
 * words are read from sa. Errors: as xnr_report_compare. */
XNR_MUST_CHECK enum xnr_status xnr_report_compare_stores(struct xnr_store *sa, int64_t a,
                                                         struct xnr_store *sb, int64_t b,
                                                         const struct xnr_compare_params *p,
                                                         json_t **out, struct xnr_error *err);

#endif
