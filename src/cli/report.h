/*
 * report.h - the SQL-backed tables of `explainer report` (report_tables.c):
 * loss grouped by word, sub-token and label, and misclassified words grouped
 * by (gold, predicted) label.
 */
#ifndef XNR_CLI_REPORT_H
#define XNR_CLI_REPORT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Loss by word and by sub-token: count, mean, median, sum, the top groups by
 * summed loss. Printed, or added to obj when it is not NULL. */
enum xnr_status xnr_report_losses(sqlite3 *db, const char *path, int64_t run, int top, json_t *obj,
                                  struct xnr_error *err);

/* Loss by gold label from the words already loaded (NaN losses skipped),
 * every label; then the mean-median hint. Printed, or added to obj. */
enum xnr_status xnr_report_label_losses(const char *const *labels, int n_labels,
                                        const int32_t *gold, const double *loss, size_t n,
                                        json_t *obj, struct xnr_error *err);

/* (gold, predicted) label pairs of misclassified words, most frequent first,
 * with their most frequent words. */
enum xnr_status xnr_report_confusions(sqlite3 *db, const char *path, int64_t run, int n_labels,
                                      int top, json_t *obj, struct xnr_error *err);

#endif
