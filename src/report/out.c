/*
 * out.c - the growing text buffer the report's renderings write into
 * (internal.h): printf, HTML/XML escaping, and the JSON lookups they share.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/internal.h"

static int grow(struct xnr__out *o, size_t need)
{
	size_t cap = o->cap ? o->cap : 4096;
	char *g;

	if (o->failed)
		return -1;
	while (cap < o->len + need + 1)
		cap *= 2;
	if (cap == o->cap)
		return 0;
	if (!(g = realloc(o->s, cap))) {
		o->failed = 1;
		return -1;
	}
	o->s = g;
	o->cap = cap;
	return 0;
}

void xnr__out_printf(struct xnr__out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(o, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(o->s + o->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

void xnr__out_escaped(struct xnr__out *o, const char *s)
{
	for (; s && *s; s++) {
		const char *e = *s == '&'    ? "&amp;"
		                : *s == '<'  ? "&lt;"
		                : *s == '>'  ? "&gt;"
		                : *s == '"'  ? "&quot;"
		                : *s == '\'' ? "&#39;"
		                             : NULL;
		if (e)
			xnr__out_printf(o, "%s", e);
		else if (grow(o, 1) == 0)
			o->s[o->len++] = *s;
	}
	if (!o->failed && o->s)
		o->s[o->len] = '\0';
}

double xnr__num(const json_t *o, const char *key)
{
	json_t *x = json_object_get(o, key);
	return json_is_number(x) ? json_number_value(x) : NAN;
}

const char *xnr__str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

enum xnr_status xnr__out_done(struct xnr__out *o, char **out, size_t *len, struct xnr_error *err)
{
	if (o->failed || grow(o, 0) != 0) {
		free(o->s);
		memset(o, 0, sizeof *o);
		return xnr_fail(err, XNR_ERR_NOMEM, "report: out of memory");
	}
	o->s[o->len] = '\0';
	*out = o->s;
	*len = o->len;
	return XNR_OK;
}
