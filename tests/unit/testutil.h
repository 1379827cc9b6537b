/*
 * testutil.h - helpers shared by the cmocka unit tests: paths to the
 * repository, shared/ and build folders, the material a test runs on (the
 * repository's demo, or ../shared with a skip when it is absent), small file
 * helpers, error checks.
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
/* "<shared>/<rel>": the shared folder is $XNR_SHARED_DIR (ctest sets it from the CMake
 * variable of the same name), or <repo>/../shared. */
const char *tu_shared(const char *rel);

/* Status of a test that needs material that is not here; ctest reports it as skipped. */
#define TU_SKIP 77

/* Exits with TU_SKIP after one line "SKIP: <path> is absent ..." unless every file named
 * (paths relative to the shared folder, NULL-terminated) exists. */
void tu_need_shared(const char *rel, ...);

/* What a test with checks on both kinds of material runs on; its first argument picks
 * one, and CMake registers such a test twice: <name> (no argument, "core") and
 * <name>_shared (argument "shared").
 *   core:   demo/model, demo/eval.conll, and the PyTorch reference's outputs on them,
 *           tests/fixtures/demo/ (tests/gen/gen_demo.py);
 *   shared: ../shared's conll03-bert-mini, CoNLL-2003 test, golden_test64.json and
 *           expected_test.txt.json (seqeval's own reports). */
struct tu_material {
	int shared;          /* 0: core, 1: shared */
	const char *name;    /* "demo/eval.conll" or "CoNLL-2003 test" */
	char model[4096];    /* model folder */
	char data[4096];     /* CoNLL file the references below were computed on */
	char golden[4096];   /* its first 64 sentences: words, tags, input_ids, word_ids,
	                      * logits, last_hidden_first8 */
	char expected[4096]; /* predictions of every word and seqeval reports */
};

/* Fills m from argv (argc 1 or "core": core; "shared": shared, or exit TU_SKIP when the
 * shared files are absent); bad usage exits 2. */
void tu_material_init(struct tu_material *m, int argc, char **argv);
/* A fresh empty temporary directory (under the build dir; its name ends in "_shared" in the
 * shared group), caller does not free. */
const char *tu_tmpdir(const char *name);
/* Write bytes to dir/name; returns the full path (static buffer). */
const char *tu_write(const char *dir, const char *name, const void *data, size_t n);
/* Copy a file. */
void tu_copy(const char *from, const char *to);
/* Fails the test unless got (a call's status) is XNR_ERR_INPUT and err's message
 * contains needle. */
void tu_expect_input(enum xnr_status got, const struct xnr_error *err, const char *needle);

#endif
