/*
 * errors.c - the one table from enum xnr_status to an HTTP status and a
 * stable error code, and the JSON error body every failed API request gets:
 * {"error": {"status": 404, "code": "not_found", "message": "..."}}.
 * Each status says one thing (docs/architecture.md has the table): what is
 * not there is XNR_ERR_NOT_FOUND (404), what is there but cannot be read
 * XNR_ERR_IO (500), database failures XNR_ERR_DB (500) and XNR_ERR_BUSY (409).
 */
#include "server/internal.h"

static const struct {
	int http;
	const char *code;
} http_map[XNR_STATUS_COUNT] = {
    [XNR_OK] = {200, "ok"},
    [XNR_ERR_IO] = {500, "io_error"},
    [XNR_ERR_NOMEM] = {503, "out_of_memory"},
    [XNR_ERR_FORMAT] = {400, "bad_request"},
    [XNR_ERR_UNSUPPORTED] = {422, "unsupported"},
    [XNR_ERR_MISMATCH] = {409, "conflict"},
    [XNR_ERR_INPUT] = {400, "bad_request"},
    [XNR_ERR_LIMIT] = {413, "too_large"},
    [XNR_ERR_INTERNAL] = {500, "internal_error"},
    [XNR_ERR_CANCELLED] = {409, "cancelled"},
    [XNR_ERR_DENIED] = {403, "forbidden"},
    [XNR_ERR_NOT_FOUND] = {404, "not_found"},
    [XNR_ERR_BUSY] = {409, "conflict"},
    [XNR_ERR_DB] = {500, "internal_error"},
    [XNR_ERR_METHOD] = {405, "method_not_allowed"},
};

int xnr__http_status(enum xnr_status status)
{
	if ((unsigned)status >= XNR_STATUS_COUNT)
		return 500;
	return http_map[status].http;
}

const char *xnr__http_code(enum xnr_status status)
{
	if ((unsigned)status >= XNR_STATUS_COUNT)
		return "internal_error";
	return http_map[status].code;
}

json_t *xnr__error_json(enum xnr_status status, const char *message)
{
	/* json_string refuses invalid UTF-8; fall back to the status name. */
	json_t *msg = json_string(message && message[0] ? message : xnr_status_str(status));
	if (!msg)
		msg = json_string(xnr_status_str(status));
	return json_pack("{s:{s:i,s:s,s:o*}}", "error", "status", xnr__http_status(status), "code",
	                 xnr__http_code(status), "message", msg);
}
