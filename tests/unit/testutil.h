/*
 * testutil.h - helpers shared by the cmocka unit tests: paths to the
 * repository, shared/ and build folders, and small file helpers.
 */
#ifndef XNR_TESTUTIL_H
#define XNR_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

#endif
