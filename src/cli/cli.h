/*
 * cli.h - what the subcommands of the explainer command share: their entry
 * points and the one place that prints errors. Only the CLI calls exit().
 */
#ifndef XNR_CLI_CLI_H
#define XNR_CLI_CLI_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/seqeval.h"
#include "analysis/stats.h"
#include "analysis/tagset.h"
#include "core/status.h"
#include "store/store.h"
#include "tensor/lowp.h"

/* Exit codes: 0 ok, 1 the work failed (bad input, bad model), 2 bad usage,
 * 3 a CI gate of explainer report failed (the report itself is complete). */
enum { XNR_EXIT_OK = 0, XNR_EXIT_FAIL = 1, XNR_EXIT_USAGE = 2, XNR_EXIT_GATE = 3 };

/* Print "explainer: <message>" to stderr and return XNR_EXIT_FAIL. */
int xnr_cli_report(const struct xnr_error *err);

/* Print "explainer <cmd>: <message>" and a hint to use --help; return XNR_EXIT_USAGE. */
int xnr_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse a whole decimal integer in [min, max] or fail with a usage error. */
int xnr_cli_parse_int(const char *cmd, const char *flag, const char *s, int min, int max, int *out);

/* Online cores, at least 1 and at most 64: the default --threads. */
int xnr_cli_default_threads(void);

/* --precision NAME (NULL: fp32) into *out; XNR_EXIT_USAGE after printing a
 * usage error of cmd for an unknown name. */
int xnr_cli_precision(const char *cmd, const char *name, enum xnr_precision *out);

/* Run `run` of the database at db (opened as store) when it is not 0, else
 * the newest; XNR_ERR_INPUT when the database holds no run. */
XNR_MUST_CHECK enum xnr_status xnr_cli_pick_run(const char *db, struct xnr_store *store, int run,
                                                int64_t *out, struct xnr_error *err);

int xnr_cmd_predict(int argc, char **argv);
int xnr_cmd_run(int argc, char **argv);
int xnr_cmd_merge(int argc, char **argv);
int xnr_cmd_report(int argc, char **argv);
int xnr_cmd_compare(int argc, char **argv);
int xnr_cmd_runs(int argc, char **argv);
int xnr_cmd_serve(int argc, char **argv);
int xnr_cmd_export(int argc, char **argv);
int xnr_cmd_verdict(int argc, char **argv);
int xnr_cmd_issues(int argc, char **argv);

/* The label-issue part of `explainer report` for a run with scores
 * (cmd_issues.c): printed (json NULL), or set as json's "label_issues"
 * object. Nothing when the run has none. Errors: the store's. */
XNR_MUST_CHECK enum xnr_status xnr_cli_issues_section(struct xnr_store *db, int64_t run,
                                                      json_t *json, struct xnr_error *err);

/* ---- the CI gate of explainer report (gate.c) ---- */

#define XNR_CLI_GATE_MAX_TYPES 64

/* The rules: --fail-under's (a minimum micro F1 and per-type minimums) and
 * --fail-if-regressed's baseline run with its significance level. */
struct xnr_cli_gate {
	double micro_min; /* < 0: no micro rule */
	size_t n_types;
	const char *types[XNR_CLI_GATE_MAX_TYPES]; /* borrowed from buf */
	double type_min[XNR_CLI_GATE_MAX_TYPES];
	char *buf;               /* the --fail-under list, cut into its entries */
	const char *baseline_db; /* NULL: no regression rule; borrowed, baseline_db_len bytes */
	size_t baseline_db_len;
	int64_t baseline_run;
	double alpha;
};

/* Parse --fail-under's "F1" / "TYPE=F1,..." (spec may be NULL: no rule) and
 * --baseline's "RUN.db:ID" into g (the caller zeroes it first). Return XNR_EXIT_OK, or
 * XNR_EXIT_USAGE after one line on stderr. xnr_cli_gate_free releases g. */
int xnr_cli_gate_parse_under(const char *spec, struct xnr_cli_gate *g);
int xnr_cli_gate_parse_baseline(const char *spec, struct xnr_cli_gate *g);
void xnr_cli_gate_free(struct xnr_cli_gate *g);

/* XNR_ERR_INPUT when a type of --fail-under is no entity type of the run. */
XNR_MUST_CHECK enum xnr_status xnr_cli_gate_check_types(const struct xnr_cli_gate *g,
                                                        const struct xnr_tagset *tags, int64_t run,
                                                        struct xnr_error *err);

/*
 * Every rule of g on run (default-mode report def): *out is
 * {"passed": bool, "rules": [{"rule": "fail-under"|"fail-if-regressed",
 * "type": "micro avg"|TYPE, "passed", "message", ...the numbers}],
 * "pairing", "bootstrap" (with a baseline)}. A regression rule fails when
 * B - A of the paired bootstrap (bp, over the sentences the runs share)
 * is below 0 with a p-value below g->alpha; it covers the micro F1 and the
 * types --fail-under names. Errors: the baseline's (XNR_ERR_NOT_FOUND,
 * XNR_ERR_MISMATCH: no shared sentence, ...), XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_cli_gate_eval(const struct xnr_cli_gate *g,
                                                 struct xnr_store *store, int64_t run,
                                                 const struct xnr_seqeval_report *def,
                                                 const struct xnr_boot_params *bp, json_t **out,
                                                 struct xnr_error *err);

/* One "explainer: gate failed: ..." line on stderr per failed rule of gate;
 * XNR_EXIT_GATE when there is one, else XNR_EXIT_OK. */
int xnr_cli_gate_report(json_t *gate);

/* A file written aside (PATH.XXXXXX in its folder) and moved into place at
 * the end, so a failed write leaves nothing and an existing file is only
 * replaced with force (out_file.c). xnr_cli_out_open opens it ("-": standard
 * output; XNR_ERR_INPUT when PATH exists and force is 0);
 * xnr_cli_out_close moves it into place when st is XNR_OK, else drops it,
 * and returns the outcome. */
struct xnr_cli_out {
	const char *path;
	char *tmp;
	FILE *f;
};
XNR_MUST_CHECK enum xnr_status xnr_cli_out_open(struct xnr_cli_out *o, const char *path, int force,
                                                struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_cli_out_close(struct xnr_cli_out *o, int force,
                                                 enum xnr_status st, struct xnr_error *err);

/* The report files of explainer report (report_files.c): each path NULL when
 * not asked for. */
struct xnr_cli_report_files {
	const char *html, *markdown, *junit;
	int force; /* replace existing files */
};

/* Render the report JSON r (report.h: xnr_report_html, _markdown, _junit)
 * into each file asked for, through struct xnr_cli_out. */
XNR_MUST_CHECK enum xnr_status xnr_cli_report_files(const struct xnr_cli_report_files *f,
                                                    const json_t *r, struct xnr_error *err);

#endif
