/*
 * hash.h - SHA-256 of files and strings (OpenSSL libcrypto), hex encoded: the
 * content hashes that identify a run's model and dataset, so asking again for
 * the same model, data and options reuses the stored run.
 */
#ifndef XNR_CORE_HASH_H
#define XNR_CORE_HASH_H

#include <stddef.h>

#include "core/status.h"

#define XNR_SHA256_HEX 65 /* 64 hex digits + NUL */

struct xnr_sha256;

XNR_MUST_CHECK enum xnr_status xnr_sha256_open(struct xnr_sha256 **out, struct xnr_error *err);
void xnr_sha256_close(struct xnr_sha256 *h);
void xnr_sha256_update(struct xnr_sha256 *h, const void *data, size_t n);
/* Feed a whole file (streamed, any size). Errors: XNR_ERR_NOT_FOUND, XNR_ERR_IO
 * (as xnr_fail_open), naming the file. */
XNR_MUST_CHECK enum xnr_status xnr_sha256_file(struct xnr_sha256 *h, const char *path,
                                               struct xnr_error *err);
/* Finish into hex (lowercase); the hasher can then be reused from scratch. */
void xnr_sha256_hex(struct xnr_sha256 *h, char hex[XNR_SHA256_HEX]);

#endif
