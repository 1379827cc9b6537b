/* faults.c - the allocation wrappers and the sweep of faults.h. */
#include "faults.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <execinfo.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__real_aligned_alloc(size_t align, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void *__wrap_aligned_alloc(size_t align, size_t n);

/* Workers of the compute pool may allocate too: atomics. */
static long count, fail_at;
static int hit;

void tu_fault_arm(long nth)
{
	__atomic_store_n(&count, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&hit, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&fail_at, nth, __ATOMIC_SEQ_CST);
}

long tu_fault_count(void)
{
	return __atomic_load_n(&count, __ATOMIC_SEQ_CST);
}

int tu_fault_hit(void)
{
	return __atomic_load_n(&hit, __ATOMIC_SEQ_CST);
}

static int should_fail(void)
{
	long k = __atomic_add_fetch(&count, 1, __ATOMIC_SEQ_CST);
	if (k != __atomic_load_n(&fail_at, __ATOMIC_SEQ_CST))
		return 0;
	__atomic_store_n(&hit, 1, __ATOMIC_SEQ_CST);
	if (getenv("TU_FAULT_TRACE")) {
		void *bt[32];
		backtrace_symbols_fd(bt, backtrace(bt, 32), 2);
	}
	return 1;
}

void *__wrap_malloc(size_t n)
{
	return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return should_fail() ? NULL : __real_strdup(s);
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
	return should_fail() ? NULL : __real_aligned_alloc(align, n);
}

long tu_fault_sweep(const char *name, tu_fault_fn fn, void *ctx)
{
	struct xnr_error err;
	enum xnr_status st;
	long n, k;

	xnr_error_clear(&err);
	tu_fault_arm(0);
	st = fn(ctx, &err);
	n = tu_fault_count();
	if (st != XNR_OK)
		fail_msg("%s: fails without a fault: %s \"%s\"", name, xnr_status_str(st), err.msg);
	for (k = 1; k <= n; k++) {
		int reached;
		xnr_error_clear(&err);
		tu_fault_arm(k);
		st = fn(ctx, &err);
		reached = tu_fault_hit();
		tu_fault_arm(0);
		if (!reached)
			continue;
		if (st == XNR_OK)
			fail_msg("%s: allocation %ld of %ld failed, yet the call succeeded", name,
			         k, n);
		if (st != XNR_ERR_NOMEM || err.msg[0] == '\0' || err.status != st)
			fail_msg("%s: allocation %ld of %ld failed: got %s \"%s\", want out of "
			         "memory with a message",
			         name, k, n, xnr_status_str(st), err.msg);
	}
	print_message("%s: %ld allocations, each failed once\n", name, n);
	return n;
}
