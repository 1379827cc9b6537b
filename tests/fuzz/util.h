/*
 * util.h - what the fuzz targets share: splitting one input into parts (a
 * tokenizer.json and a text, an index and its shards), a scratch folder for
 * targets whose code under test reads a model folder, and contract checks
 * that abort with a message, so a broken promise is a crash libFuzzer saves.
 */
#ifndef XNR_FUZZ_UTIL_H
#define XNR_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Parts of one input are separated by this line; seeds are made with it
 * (tests/fuzz/README.md). Bytes after the last separator are the last part. */
#define FUZZ_SEP     "\n\x1e\x1e\n"
#define FUZZ_SEP_LEN 4

/* One part of an input: a view into it, not NUL-terminated. */
struct fuzz_part {
	const char *s;
	size_t len;
};

/* Split data at FUZZ_SEP into at most max parts (the last takes the rest,
 * separators included); returns how many parts there are (>= 1). */
int fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts, int max);

/* A NUL-terminated copy of a part (malloc; abort on out of memory). */
char *fuzz_strdup(struct fuzz_part p);

/* A folder of this process's own under $TMPDIR (or /tmp), made on first use,
 * emptied of files by fuzz_dir_clear and removed at exit. */
const char *fuzz_dir(void);
void fuzz_dir_clear(void);
/* Write len bytes to fuzz_dir()/name (abort if the folder is unwritable). */
void fuzz_dir_write(const char *name, const void *data, size_t len);

/* Abort with the failed condition when a contract does not hold. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(#cond, __FILE__, __LINE__);                                      \
	} while (0)
void fuzz_fail(const char *what, const char *file, int line) __attribute__((noreturn));

/* The error contract of every fallible function (core/status.h): a failure
 * is one of the statuses, not XNR_ERR_INTERNAL (a bug by definition), and
 * says what went wrong in err (xnr_error_clear it before the call, so a
 * stale message does not count). Returns st. */
enum xnr_status fuzz_check_status(enum xnr_status st, const struct xnr_error *err);

#endif
