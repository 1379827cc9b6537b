/* testutil.c - paths, scratch files and error checks for unit tests. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *tu_src(const char *rel)
{
	static _Thread_local char buf[4096];
	snprintf(buf, sizeof buf, "%s/%s", XNR_SOURCE_DIR, rel);
	return buf;
}

const char *tu_shared(const char *rel)
{
	static _Thread_local char buf[4096];
	snprintf(buf, sizeof buf, "%s/%s", XNR_SHARED_DIR, rel);
	return buf;
}

const char *tu_tmpdir(const char *name)
{
	static _Thread_local char buf[4096];
	char cmd[8400];
	snprintf(buf, sizeof buf, "%s/tmp/%s", XNR_BINARY_DIR, name);
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", buf, buf);
	assert_int_equal(system(cmd), 0);
	return buf;
}

const char *tu_write(const char *dir, const char *name, const void *data, size_t n)
{
	static char path[8300];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	return path;
}

void tu_copy(const char *from, const char *to)
{
	char cmd[8300];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

void tu_expect_input(enum xnr_status got, const struct xnr_error *err, const char *needle)
{
	assert_int_equal(got, XNR_ERR_INPUT);
	if (!strstr(err->msg, needle))
		fail_msg("message '%s' does not name '%s'", err->msg, needle);
}
