/* json.c - jansson wrappers with located error messages. */
#include "core/json.h"

#include <stdlib.h>
#include <string.h>

#include "core/file.h"

enum xnr_status xnr_json_parse(const char *text, size_t len, const char *what, json_t **out,
                               struct xnr_error *err)
{
	json_error_t jerr;
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);

	if (!v)
		return xnr_fail_at(err, XNR_ERR_FORMAT, what, jerr.line,
		                   "invalid JSON at column %d: %s (fix or re-export the file)",
		                   jerr.column, jerr.text);
	*out = v;
	return XNR_OK;
}

enum xnr_status xnr_json_load(const char *path, size_t max_bytes, json_t **out,
                              struct xnr_error *err)
{
	char *text;
	size_t len;
	enum xnr_status st = xnr_file_read(path, max_bytes, &text, &len, err);

	if (st != XNR_OK)
		return st;
	st = xnr_json_parse(text, len, path, out, err);
	free(text);
	return st;
}

static int wrong_type(const char *key, const char *want, const char *what, struct xnr_error *err)
{
	xnr_fail_at(err, XNR_ERR_FORMAT, what, 0, "key \"%s\" must be %s", key, want);
	return -1;
}

int xnr_json_int(const json_t *obj, const char *key, int64_t *out, const char *what,
                 struct xnr_error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return 1;
	}
	/* a whole real such as 2.0, within int64_t's range (outside it the cast
	 * is undefined) */
	if (json_is_real(v) && json_real_value(v) >= -9223372036854775808.0 &&
	    json_real_value(v) < 9223372036854775808.0 &&
	    json_real_value(v) == (double)(int64_t)json_real_value(v)) {
		*out = (int64_t)json_real_value(v);
		return 1;
	}
	return wrong_type(key, "an integer", what, err);
}

int xnr_json_num(const json_t *obj, const char *key, double *out, const char *what,
                 struct xnr_error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return wrong_type(key, "a number", what, err);
	*out = json_number_value(v);
	return 1;
}

int xnr_json_bool(const json_t *obj, const char *key, int *out, const char *what,
                  struct xnr_error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return wrong_type(key, "true or false", what, err);
	*out = json_is_true(v);
	return 1;
}

int xnr_json_str(const json_t *obj, const char *key, const char **out, const char *what,
                 struct xnr_error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return wrong_type(key, "a string", what, err);
	*out = json_string_value(v);
	return 1;
}

json_t *xnr_json_text(const char *s, long len)
{
	json_t *v = s ? json_stringn(s, len < 0 ? strlen(s) : (size_t)len) : NULL;

	return v ? v : json_null();
}
