/*
 * body.c - what the POST and PUT endpoints share: reading a JSON request
 * body field by field (every field checked, unknown fields refused, the
 * message naming the field and what it wants, as docs/api.md says),
 * answering 202 with the job an endpoint started, and the clock of the
 * timings the pages show.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/internal.h"

/* "a, b, c" of a NULL-ended list, cut at size bytes. */
static void list_names(const char *const *names, char *buf, size_t size)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; names[i] && len < size; i++) {
		int n = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", names[i]);
		if (n < 0)
			break;
		len += (size_t)n;
	}
}

enum xnr_status xnr__body_allow(const json_t *body, const char *const *names, struct xnr_error *err)
{
	const char *key;
	json_t *v;
	char list[256];
	int i;

	if (!json_is_object(body))
		return xnr_fail(err, XNR_ERR_INPUT, "the request body must be a JSON object");
	json_object_foreach((json_t *)body, key, v)
	{
		for (i = 0; names[i] && strcmp(names[i], key) != 0; i++)
			;
		if (!names[i]) {
			list_names(names, list, sizeof list);
			return xnr_fail(err, XNR_ERR_INPUT, "body field %s: unknown field (%s)",
			                key, list);
		}
	}
	return XNR_OK;
}

enum xnr_status xnr__body_int(const json_t *body, const char *name, int64_t min, int64_t max,
                              int64_t def, int64_t *out, struct xnr_error *err)
{
	json_t *v = json_object_get(body, name);

	if (!v || json_is_null(v)) {
		*out = def;
		return XNR_OK;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "body field %s: wants a whole number from %lld to %lld", name,
		                (long long)min, (long long)max);
	*out = json_integer_value(v);
	return XNR_OK;
}

enum xnr_status xnr__body_real(const json_t *body, const char *name, double min, double max,
                               double def, double *out, struct xnr_error *err)
{
	json_t *v = json_object_get(body, name);
	double x;

	if (!v || json_is_null(v)) {
		*out = def;
		return XNR_OK;
	}
	x = json_is_number(v) ? json_number_value(v) : NAN;
	if (!(x >= min && x <= max))
		return xnr_fail(err, XNR_ERR_INPUT, "body field %s: wants a number from %g to %g",
		                name, min, max);
	*out = x;
	return XNR_OK;
}

enum xnr_status xnr__body_choice(const json_t *body, const char *name, const char *const *choices,
                                 int def, int *out, struct xnr_error *err)
{
	json_t *v = json_object_get(body, name);
	char list[256];
	int i;

	if (!v || json_is_null(v)) {
		*out = def;
		return XNR_OK;
	}
	for (i = 0; json_is_string(v) && choices[i]; i++)
		if (!strcmp(choices[i], json_string_value(v))) {
			*out = i;
			return XNR_OK;
		}
	list_names(choices, list, sizeof list);
	return xnr_fail(err, XNR_ERR_INPUT, "body field %s: wants one of %s", name, list);
}

enum xnr_status xnr__body_str(const json_t *body, const char *name, const char **out,
                              struct xnr_error *err)
{
	const json_t *v = json_object_get(body, name);

	if (!v || json_is_null(v))
		return XNR_OK;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return xnr_fail(err, XNR_ERR_INPUT, "body field %s: wants a string", name);
	*out = json_string_value(v);
	return XNR_OK;
}

enum xnr_status xnr__body_text(const json_t *v, const char *name, size_t max_bytes,
                               const char **out, size_t *len, struct xnr_error *err)
{
	if (!json_is_string(v))
		return xnr_fail(err, XNR_ERR_INPUT, "body field %s: wants a string", name);
	if (json_string_length(v) > max_bytes)
		return xnr_fail(err, XNR_ERR_LIMIT, "body field %s: more than %zu bytes", name,
		                max_bytes);
	if (json_string_length(v) == 0 || strlen(json_string_value(v)) != json_string_length(v))
		return xnr_fail(err, XNR_ERR_INPUT, "body field %s: empty, or has a NUL character",
		                name);
	*out = json_string_value(v);
	*len = json_string_length(v);
	return XNR_OK;
}

json_t *xnr__body_or_empty(struct xnr__req *r)
{
	if (!r->body)
		r->body = json_object();
	return r->body;
}

enum xnr_status xnr__job_answer(struct xnr__req *r, const char *kind, const char *key, int64_t run,
                                xnr__job_fn fn, void *arg, void (*free_arg)(void *), json_t **out,
                                struct xnr_error *err)
{
	json_t *job = NULL;
	enum xnr_status st;
	int64_t id = 0;

	if ((st = xnr__job_start(r->app, r->client, kind, key, run, fn, arg, free_arg, &id, err)) !=
	        XNR_OK ||
	    (st = xnr__job_json(r->app, id, &job, err)) != XNR_OK)
		return st;
	if (!(*out = json_pack("{s:o}", "job", job)))
		return xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", kind);
	r->http = 202;
	return XNR_OK;
}

double xnr__now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
