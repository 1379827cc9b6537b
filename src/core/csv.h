/*
 * csv.h - fields of the CSV files ExplaiNER writes (the downloads of the
 * server's lists, server/export.c; the label issues of `explainer export`), as RFC 4180
 * has them: a field is written as is unless it holds a comma, a quote, a CR
 * or an LF, which would end it early; then it is quoted, its quotes doubled.
 * Every byte is kept (NUL bytes too, no spreadsheet-formula escaping: "-5"
 * stays "-5"), so a strict RFC 4180 reader gets the field back exactly
 * (tests/fuzz/fuzz_core_csv.c checks it).
 */
#ifndef XNR_CORE_CSV_H
#define XNR_CORE_CSV_H

#include <stddef.h>
#include <stdio.h>

/* 1 when the n bytes at s must be quoted to stay one field, else 0. */
int xnr_csv_needs_quotes(const char *s, size_t n);

/* Write the n bytes at s to out as one field (no separator); s may be NULL
 * (n 0): an empty field. Errors are the stream's (ferror). */
void xnr_csv_field(FILE *out, const char *s, size_t n);

#endif
