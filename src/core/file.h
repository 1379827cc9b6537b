/*
 * file.h - opening the files ExplaiNER reads, reading them whole (with a size
 * cap) and mapping them read-only. Every file ExplaiNER reads (models,
 * tokenizer files, datasets, configs) is opened here: only a regular file is
 * taken, and opening never blocks, so a FIFO or a device named by mistake
 * (or by a request to the server) is refused at once.
 *
 * Model weights are mmapped and used in place; small text files (config.json,
 * tokenizer.json) are read into memory with a maximum size so a wrong path
 * cannot make us read gigabytes.
 */
#ifndef XNR_CORE_FILE_H
#define XNR_CORE_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "core/status.h"

struct xnr_mmap {
	const unsigned char *data; /* NULL for an empty file */
	size_t n_bytes;
};

/* Open path for reading when it is a regular file (links followed): *fd
 * (close-on-exec, blocking reads) and *n_bytes its size. Never waits: a
 * folder, FIFO, device or socket is refused (and a device not opened).
 * Errors: XNR_ERR_NOT_FOUND (no such file), XNR_ERR_IO (not a regular file,
 * saying what it is; unreadable); err->path is the path. */
XNR_MUST_CHECK enum xnr_status xnr_file_open(const char *path, int *fd, size_t *n_bytes,
                                             struct xnr_error *err);

/* The same as a stdio stream ("rb"), closed with fclose. Errors: as
 * xnr_file_open, XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_file_fopen(const char *path, FILE **out, struct xnr_error *err);

/* Map path read-only. On success *out owns the mapping; release with
 * xnr_mmap_free. Errors: as xnr_file_open. */
XNR_MUST_CHECK enum xnr_status xnr_mmap_init(struct xnr_mmap *out, const char *path,
                                             struct xnr_error *err);
void xnr_mmap_free(struct xnr_mmap *m);

/* Read a whole file into a NUL-terminated malloc'd buffer the caller frees.
 * Errors: as xnr_mmap_init, XNR_ERR_LIMIT (larger than max_bytes), XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_file_read(const char *path, size_t max_bytes, char **out,
                                             size_t *out_len, struct xnr_error *err);

/* The failure of opening path, errnum being open's errno: XNR_ERR_NOT_FOUND
 * when the file or a folder on its way does not exist, else XNR_ERR_IO;
 * "path: cannot open: <strerror>" with err->path set. Returns the status. */
enum xnr_status xnr_fail_open(struct xnr_error *err, const char *path, int errnum);

/* 1 if a file is at path (following links): anything but a folder, so
 * that a FIFO or a device where a file belongs is opened, and refused with
 * what it is (xnr_file_open), rather than reported missing; else 0. */
int xnr_file_exists(const char *path);

/* Join dir and name into buf ("dir/name"); XNR_ERR_LIMIT if it does not fit. */
XNR_MUST_CHECK enum xnr_status xnr_path_join(char *buf, size_t buf_bytes, const char *dir,
                                             const char *name, struct xnr_error *err);

#endif
