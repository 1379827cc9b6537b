/*
 * errors.c - the one table from enum xnr_status to an HTTP status and a
 * stable error code, and the JSON error body every failed API request gets:
 * {"error": {"status": 404, "code": "not_found", "message": "..."}}.
 * Each status says one thing (docs/architecture.md has the table): what is
 * not there is XNR_ERR_NOT_FOUND (404), what is there but cannot be read
 * XNR_ERR_IO (500), database failures XNR_ERR_DB (500) and XNR_ERR_BUSY (409).
 * The request guard's refusals (guard.c) are about HTTP itself, not a
 * status of the core: they have their own small table.
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

static const struct {
	int http;
	const char *code;
} verdict_map[] = {
    [XNR__REFUSE_HOST] = {421, "misdirected_request"},
    [XNR__REFUSE_TOKEN] = {401, "unauthorized"},
    [XNR__REFUSE_ORIGIN] = {403, "forbidden"},
    [XNR__REFUSE_MEDIA] = {415, "unsupported_media_type"},
};

int xnr__verdict_http(enum xnr__verdict v)
{
	if ((unsigned)v >= sizeof verdict_map / sizeof verdict_map[0] || !verdict_map[v].code)
		return 500;
	return verdict_map[v].http;
}

const char *xnr__verdict_code(enum xnr__verdict v)
{
	if ((unsigned)v >= sizeof verdict_map / sizeof verdict_map[0] || !verdict_map[v].code)
		return "internal_error";
	return verdict_map[v].code;
}

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

/* The body with message, or fallback when message is empty or not UTF-8
 * (json_string refuses invalid UTF-8). */
static json_t *body_of(int http, const char *code, const char *message, const char *fallback)
{
	json_t *msg = json_string(message && message[0] ? message : fallback);
	if (!msg)
		msg = json_string(fallback);
	return json_pack("{s:{s:i,s:s,s:o*}}", "error", "status", http, "code", code, "message",
	                 msg);
}

json_t *xnr__error_body(int http, const char *code, const char *message)
{
	return body_of(http, code, message, code);
}

json_t *xnr__error_json(enum xnr_status status, const char *message)
{
	return body_of(xnr__http_status(status), xnr__http_code(status), message,
	               xnr_status_str(status));
}
