/*
 * faults.h - allocation fault injection for the *_faults tests (SQLite's
 * "fail the Nth malloc"). Those binaries are linked with
 * -Wl,--wrap=malloc,... so every malloc, calloc, realloc, strdup and
 * aligned_alloc made by ExplaiNER's own code (the static libraries and the
 * test) goes through a counter that can make one chosen call return NULL.
 * Allocations inside shared libraries (jansson, PCRE2, libc) are not counted.
 * With TU_FAULT_TRACE set in the environment, each failed allocation prints
 * its stack on stderr (addr2line -f -e <test> <offset> names the frames).
 */
#ifndef XNR_TEST_FAULTS_H
#define XNR_TEST_FAULTS_H

#include "core/status.h"

/* Start counting allocations from 0; the nth from now (1-based) fails, none
 * when nth is 0. */
void tu_fault_arm(long nth);
/* Allocations counted since tu_fault_arm. */
long tu_fault_count(void);
/* 1 if the armed allocation was reached and failed. */
int tu_fault_hit(void);

/* One call under test: run it, release what it made on success, return its
 * status with err filled on failure. */
typedef enum xnr_status (*tu_fault_fn)(void *ctx, struct xnr_error *err);

/*
 * Run fn once to count its allocations, then once per allocation with that
 * one failing. Every run must end in XNR_OK (the failure was not reached)
 * or in XNR_ERR_NOMEM with a message; anything else, a crash, or (under
 * ASan) a leak fails the test. Returns the number of allocations swept.
 */
long tu_fault_sweep(const char *name, tu_fault_fn fn, void *ctx);

#endif
