/*
 * cli.h - what the subcommands of the explainer command share: their entry
 * points and the one place that prints errors. Only the CLI calls exit().
 */
#ifndef XNR_CLI_CLI_H
#define XNR_CLI_CLI_H

#include <jansson.h>
#include <stdint.h>

#include "core/status.h"
#include "store/store.h"

/* Exit codes: 0 ok, 1 the work failed (bad input, bad model), 2 bad usage. */
enum { XNR_EXIT_OK = 0, XNR_EXIT_FAIL = 1, XNR_EXIT_USAGE = 2 };

/* Print "explainer: <message>" to stderr and return XNR_EXIT_FAIL. */
int xnr_cli_report(const struct xnr_error *err);

/* Print "explainer <cmd>: <message>" and a hint to use --help; return XNR_EXIT_USAGE. */
int xnr_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse a whole decimal integer in [min, max] or fail with a usage error. */
int xnr_cli_parse_int(const char *cmd, const char *flag, const char *s, int min, int max, int *out);

/* Online cores, at least 1 and at most 64: the default --threads. */
int xnr_cli_default_threads(void);

/* Run `run` of the database at db (opened as store) when it is not 0, else
 * the newest; XNR_ERR_INPUT when the database holds no run. */
XNR_MUST_CHECK enum xnr_status xnr_cli_pick_run(const char *db, struct xnr_store *store, int run,
                                                int64_t *out, struct xnr_error *err);

int xnr_cmd_predict(int argc, char **argv);
int xnr_cmd_run(int argc, char **argv);
int xnr_cmd_report(int argc, char **argv);
int xnr_cmd_compare(int argc, char **argv);
int xnr_cmd_serve(int argc, char **argv);
int xnr_cmd_export(int argc, char **argv);
int xnr_cmd_verdict(int argc, char **argv);
int xnr_cmd_issues(int argc, char **argv);

/* The label-issue part of `explainer report` for a run with scores
 * (cmd_issues.c): printed (json NULL), or set as json's "label_issues"
 * object. Nothing when the run has none. Errors: the store's. */
XNR_MUST_CHECK enum xnr_status xnr_cli_issues_section(struct xnr_store *db, int64_t run,
                                                      json_t *json, struct xnr_error *err);

#endif
