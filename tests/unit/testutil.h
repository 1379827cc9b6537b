/*
 * testutil.h - helpers shared by the cmocka unit tests: paths to the
 * repository, shared/ and build folders, small file helpers, error checks.
 */
#ifndef XNR_TESTUTIL_H
#define XNR_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/status.h"

/* "<repo>/<rel>" in a static buffer (valid until the next call of the same helper). */
const char *tu_src(const char *rel);
/* "<repo>/../shared/<rel>" */
const char *tu_shared(const char *rel);
/* A fresh empty temporary directory (under the build dir), caller does not free. */
const char *tu_tmpdir(const char *name);
/* Write bytes to dir/name; returns the full path (static buffer). */
const char *tu_write(const char *dir, const char *name, const void *data, size_t n);
/* Copy a file. */
void tu_copy(const char *from, const char *to);
/* Fails the test unless got (a call's status) is XNR_ERR_INPUT and err's message
 * contains needle. */
void tu_expect_input(enum xnr_status got, const struct xnr_error *err, const char *needle);

#endif
