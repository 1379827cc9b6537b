/* status.c - status names and error message formatting. */
#include "core/status.h"

#include <stdio.h>
#include <string.h>

static const char *const status_names[XNR_STATUS_COUNT] = {
    [XNR_OK] = "ok",
    [XNR_ERR_IO] = "i/o error",
    [XNR_ERR_NOMEM] = "out of memory",
    [XNR_ERR_FORMAT] = "format error",
    [XNR_ERR_UNSUPPORTED] = "unsupported",
    [XNR_ERR_MISMATCH] = "mismatch",
    [XNR_ERR_INPUT] = "bad input",
    [XNR_ERR_LIMIT] = "limit exceeded",
    [XNR_ERR_INTERNAL] = "internal error",
    [XNR_ERR_CANCELLED] = "cancelled",
    [XNR_ERR_DENIED] = "denied",
    [XNR_ERR_NOT_FOUND] = "not found",
    [XNR_ERR_BUSY] = "database busy",
    [XNR_ERR_DB] = "database error",
    [XNR_ERR_METHOD] = "method not allowed",
};

const char *xnr_status_str(enum xnr_status status)
{
	if ((unsigned)status >= XNR_STATUS_COUNT)
		return "unknown status";
	return status_names[status];
}

enum xnr_status xnr_fail(struct xnr_error *err, enum xnr_status status, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->status = status;
		err->path[0] = '\0';
		err->line = 0;
		err->item = 0;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return status;
}

enum xnr_status xnr_fail_at(struct xnr_error *err, enum xnr_status status, const char *path,
                            long line, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->status = status;
		err->item = 0;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		xnr_error_at(err, path, line);
	}
	return status;
}

void xnr_error_at(struct xnr_error *err, const char *path, long line)
{
	if (!err)
		return;
	snprintf(err->path, sizeof err->path, "%s", path ? path : "");
	err->line = line > 0 ? line : 0;
	if (!path || !path[0])
		return;
	if (err->line)
		xnr_error_prefix(err, "%s:%ld: ", path, err->line);
	else
		xnr_error_prefix(err, "%s: ", path);
}

void xnr_error_set_item(struct xnr_error *err, long item)
{
	if (err)
		err->item = item > 0 ? item : 0;
}

void xnr_error_prefix(struct xnr_error *err, const char *fmt, ...)
{
	char prefix[XNR_ERROR_MSG_MAX];
	char old[XNR_ERROR_MSG_MAX];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	size_t n = strlen(prefix);
	if (n >= sizeof err->msg)
		n = sizeof err->msg - 1;
	memcpy(err->msg, prefix, n);
	size_t rest = strnlen(old, sizeof old - 1);
	if (rest > sizeof err->msg - 1 - n)
		rest = sizeof err->msg - 1 - n;
	memcpy(err->msg + n, old, rest);
	err->msg[n + rest] = '\0';
}

void xnr_error_clear(struct xnr_error *err)
{
	if (err) {
		err->status = XNR_OK;
		err->line = 0;
		err->item = 0;
		err->path[0] = '\0';
		err->msg[0] = '\0';
	}
}
