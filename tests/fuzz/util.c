/*
 * util.c - helpers of the fuzz targets (util.h): input parts, the scratch
 * folder, contract checks.
 */
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts, int max)
{
	const char *s = (const char *)data, *end = s + size;
	int n = 0;

	while (n < max - 1) {
		const char *sep = memmem(s, (size_t)(end - s), FUZZ_SEP, FUZZ_SEP_LEN);
		if (!sep)
			break;
		parts[n].s = s;
		parts[n++].len = (size_t)(sep - s);
		s = sep + FUZZ_SEP_LEN;
	}
	parts[n].s = s;
	parts[n++].len = (size_t)(end - s);
	return n;
}

char *fuzz_strdup(struct fuzz_part p)
{
	char *c = malloc(p.len + 1);

	if (!c)
		abort();
	memcpy(c, p.s, p.len);
	c[p.len] = '\0';
	return c;
}

static char dir_path[4096];

static void dir_remove(void)
{
	fuzz_dir_clear();
	rmdir(dir_path);
}

const char *fuzz_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir_path[0])
		return dir_path;
	snprintf(dir_path, sizeof dir_path, "%s/xnr-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir_path)) {
		perror(dir_path);
		abort();
	}
	atexit(dir_remove);
	return dir_path;
}

void fuzz_dir_clear(void)
{
	DIR *d = opendir(fuzz_dir());
	struct dirent *e;

	if (!d)
		abort();
	while ((e = readdir(d)) != NULL) {
		char path[8192];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir_path, e->d_name);
		unlink(path);
	}
	closedir(d);
}

void fuzz_dir_write(const char *name, const void *data, size_t len)
{
	char path[8192];
	int fd;

	snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (len > 0 && write(fd, data, len) != (ssize_t)len)) {
		perror(path);
		abort();
	}
	close(fd);
}

void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: contract broken: %s\n", file, line, what);
	abort();
}

enum xnr_status fuzz_check_status(enum xnr_status st, const struct xnr_error *err)
{
	if (st == XNR_OK)
		return st;
	if ((int)st <= 0 || st >= XNR_STATUS_COUNT || st == XNR_ERR_INTERNAL) {
		fprintf(stderr, "status %d (%s): %s\n", (int)st, xnr_status_str(st), err->msg);
		fuzz_fail("a failure is a documented status", __FILE__, __LINE__);
	}
	FUZZ_CHECK(err->msg[0] != '\0');
	return st;
}
