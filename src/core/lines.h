/*
 * lines.h - reading text line by line with a maximum line length, so that
 * untrusted input (stdin, dataset files) can never grow a buffer without bound.
 * A line ends at "\n", "\r\n" or a lone "\r" (old Mac files), as Python's
 * universal newlines: "a\rb" is two lines, "a\r\n" one, "a\r\r\n" two (the
 * second empty), and line numbers count them so.
 */
#ifndef XNR_CORE_LINES_H
#define XNR_CORE_LINES_H

#include <stddef.h>
#include <stdio.h>

#include "core/status.h"

struct xnr_lines {
	FILE *f;
	const char *name; /* for messages: "stdin", "data/test.txt" */
	size_t max_len;
	char *buf;
	size_t cap;
	long line_no; /* 1-based number of the line last returned */
	int after_cr; /* the last line ended with "\r": skip a "\n" next */
};

/* Borrow f (not closed by xnr_lines_free). */
void xnr_lines_init(struct xnr_lines *lr, FILE *f, const char *name, size_t max_len);
void xnr_lines_free(struct xnr_lines *lr);

/* Next line without its end, NUL-terminated (it may hold NUL bytes of its
 * own: use len), valid until the next call. Returns XNR_OK with *line set,
 * XNR_OK with *line = NULL at end of input, XNR_ERR_LIMIT ("name:line:
 * longer than N bytes"), XNR_ERR_NOMEM or XNR_ERR_IO, with err->path the
 * name and err->line the line. */
XNR_MUST_CHECK enum xnr_status xnr_lines_next(struct xnr_lines *lr, const char **line, size_t *len,
                                              struct xnr_error *err);

#endif
