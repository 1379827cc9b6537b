/*
 * file.c - opening the files ExplaiNER reads (only regular files, without
 * ever blocking), whole-file reads with a cap, read-only mmaps.
 */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a file that is not a regular file is, for its message. */
static const char *kind_of(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a folder";
	if (S_ISFIFO(mode))
		return "a FIFO (named pipe)";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

static enum xnr_status not_regular(const char *path, mode_t mode, struct xnr_error *err)
{
	return xnr_fail_at(err, XNR_ERR_IO, path, 0,
	                   "%s, not a regular file (ExplaiNER reads only regular files)",
	                   kind_of(mode));
}

enum xnr_status xnr_file_open(const char *path, int *fd_out, size_t *size_out,
                              struct xnr_error *err)
{
	struct stat sb;
	int fd, flags;

	/* A device is not even opened (opening some acts: a tape rewinds, a
	 * watchdog arms); then O_NONBLOCK, as the path may have become a FIFO
	 * meanwhile, whose open would wait for a writer that never comes. */
	if (stat(path, &sb) != 0)
		return xnr_fail_open(err, path, errno);
	if (!S_ISREG(sb.st_mode))
		return not_regular(path, sb.st_mode, err);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return xnr_fail_open(err, path, errno);
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		enum xnr_status st = not_regular(path, sb.st_mode, err);
		close(fd);
		return st;
	}
	/* Reads of a regular file never wait anyway; blocking mode keeps it so
	 * for whoever gets the descriptor. */
	if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
		int e = errno;
		close(fd);
		return xnr_fail_open(err, path, e);
	}
	*fd_out = fd;
	*size_out = (size_t)sb.st_size;
	return XNR_OK;
}

enum xnr_status xnr_file_fopen(const char *path, FILE **out, struct xnr_error *err)
{
	size_t n;
	int fd;
	enum xnr_status st = xnr_file_open(path, &fd, &n, err);
	FILE *f;

	if (st != XNR_OK)
		return st;
	if (!(f = fdopen(fd, "rb"))) {
		int e = errno;
		close(fd);
		return xnr_fail_at(err, e == ENOMEM ? XNR_ERR_NOMEM : XNR_ERR_IO, path, 0,
		                   "cannot open: %s", strerror(e));
	}
	*out = f;
	return XNR_OK;
}

enum xnr_status xnr_mmap_init(struct xnr_mmap *out, const char *path, struct xnr_error *err)
{
	int fd;
	size_t n;
	void *p = NULL;
	enum xnr_status st = xnr_file_open(path, &fd, &n, err);

	if (st != XNR_OK)
		return st;
	if (n > 0) {
		p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			close(fd);
			return xnr_fail_at(err, errno == ENOMEM ? XNR_ERR_NOMEM : XNR_ERR_IO, path,
			                   0, "cannot map: %s", strerror(errno));
		}
	}
	close(fd);
	out->data = p;
	out->n_bytes = n;
	return XNR_OK;
}

void xnr_mmap_free(struct xnr_mmap *m)
{
	if (m && m->data)
		munmap((void *)m->data, m->n_bytes);
	if (m) {
		m->data = NULL;
		m->n_bytes = 0;
	}
}

enum xnr_status xnr_file_read(const char *path, size_t max_bytes, char **out, size_t *out_len,
                              struct xnr_error *err)
{
	int fd;
	size_t n, got = 0;
	char *buf;
	enum xnr_status st = xnr_file_open(path, &fd, &n, err);

	if (st != XNR_OK)
		return st;
	if (n > max_bytes) {
		close(fd);
		return xnr_fail_at(err, XNR_ERR_LIMIT, path, 0,
		                   "%zu bytes, more than the %zu allowed", n, max_bytes);
	}
	buf = malloc(n + 1);
	if (!buf) {
		close(fd);
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "cannot allocate %zu bytes", n + 1);
	}
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			close(fd);
			return xnr_fail_at(err, XNR_ERR_IO, path, 0, "read failed after %zu bytes",
			                   got);
		}
		got += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	if (out_len)
		*out_len = n;
	return XNR_OK;
}

enum xnr_status xnr_fail_open(struct xnr_error *err, const char *path, int errnum)
{
	enum xnr_status st = errnum == ENOENT || errnum == ENOTDIR ? XNR_ERR_NOT_FOUND : XNR_ERR_IO;
	return xnr_fail_at(err, st, path, 0, "cannot open: %s", strerror(errnum));
}

int xnr_file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

enum xnr_status xnr_path_join(char *buf, size_t buf_bytes, const char *dir, const char *name,
                              struct xnr_error *err)
{
	int n = snprintf(buf, buf_bytes, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= buf_bytes)
		return xnr_fail(err, XNR_ERR_LIMIT, "path too long: %s/%s", dir, name);
	return XNR_OK;
}
