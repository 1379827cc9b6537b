/*
 * status.h - the one status enum of ExplaiNER and the error struct that carries
 * a human message ("what, where, how to fix") next to it.
 *
 * Fallible functions return an enum xnr_status and fill an optional
 * struct xnr_error; out-parameters stay untouched on failure (curl/libuv style).
 * docs/architecture.md (Errors) has the table of what each status means and
 * its CLI exit and HTTP mappings.
 */
#ifndef XNR_CORE_STATUS_H
#define XNR_CORE_STATUS_H

#include <stdarg.h>
#include <stddef.h>

enum xnr_status {
	XNR_OK = 0,
	XNR_ERR_IO,          /* a file or folder exists but cannot be read */
	XNR_ERR_NOMEM,       /* an allocation failed */
	XNR_ERR_FORMAT,      /* a file or value is malformed */
	XNR_ERR_UNSUPPORTED, /* well-formed, but not something we implement */
	XNR_ERR_MISMATCH,    /* two inputs disagree (tensor shape vs config.json) */
	XNR_ERR_INPUT,       /* bad user input: empty text, invalid UTF-8, bad flag */
	XNR_ERR_LIMIT,       /* input exceeds a documented maximum size */
	XNR_ERR_INTERNAL,    /* a bug in ExplaiNER */
	XNR_ERR_CANCELLED,   /* the caller asked long work to stop, and it did */
	XNR_ERR_DENIED,      /* not allowed in this setting (a server reachable from the network) */
	XNR_ERR_NOT_FOUND,   /* a named thing does not exist: a file, a run, a job, a route */
	XNR_ERR_BUSY,        /* the run database is locked by another writer past the timeout */
	XNR_ERR_DB,          /* the run database failed (SQLite error, corrupt file) */
	XNR_ERR_METHOD,      /* the resource exists but does not take this request method */
	XNR_STATUS_COUNT
};

#define XNR_ERROR_MSG_MAX  1024
#define XNR_ERROR_PATH_MAX 512

/* On every function that returns an enum xnr_status: a status dropped on the
 * floor is a failure nobody hears about. */
#define XNR_MUST_CHECK __attribute__((warn_unused_result))

/*
 * A failure: its status, the message a person reads ("file:line: what; how
 * to fix") and the same place as fields a program can use without parsing
 * the message. Small enough to live on the stack.
 */
struct xnr_error {
	enum xnr_status status;
	long line;                     /* 1-based line in path; 0: none */
	long item;                     /* 1-based index of the failing item: an input of a
	                                * batch, a record, an entry of a list; 0: none */
	char path[XNR_ERROR_PATH_MAX]; /* the file or resource the failure is about
	                                * (truncated to fit); "" when none */
	char msg[XNR_ERROR_MSG_MAX];
};

/* Short stable name of a status ("format error"). Never NULL. */
const char *xnr_status_str(enum xnr_status status);

/* Record status and a printf-style message in err (may be NULL), clearing
 * path, line and item; returns status so callers can write
 * `return xnr_fail(err, XNR_ERR_FORMAT, "...")`. */
enum xnr_status xnr_fail(struct xnr_error *err, enum xnr_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* xnr_fail for a failure at a place: sets path and line (0: none) and
 * starts the message with "path:line: " ("path: " when line is 0), so fmt
 * says only what is wrong and how to fix it. Clears item. */
enum xnr_status xnr_fail_at(struct xnr_error *err, enum xnr_status status, const char *path,
                            long line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Place an already recorded failure: set path and line and prefix the
 * message with "path:line: " ("path: " when line is 0). Keeps status and item. */
void xnr_error_at(struct xnr_error *err, const char *path, long line);

/* Set the 1-based index of the failing item (0: none); the message is unchanged. */
void xnr_error_set_item(struct xnr_error *err, long item);

/* Prefix an already-set message with more context ("model.safetensors: ...");
 * the fields are unchanged. */
void xnr_error_prefix(struct xnr_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Back to "no failure": status XNR_OK, empty message, no path, line or item. */
void xnr_error_clear(struct xnr_error *err);

#endif
