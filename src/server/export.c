/*
 * export.c - the downloads of the API's lists (internal.h): rows, each the
 * JSON object the list's page answers, written as CSV (core/csv.h's RFC 4180
 * fields) or as JSON lines, so a download holds what the page shows, in its
 * order, with the same fields. Built in memory (open_memstream), as the
 * whole answer is sent at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "server/internal.h"

/* One CSV field: null empty, numbers as integers or with 9 significant
 * digits, booleans as 0 / 1, arrays and objects as their compact JSON. */
static void csv_value(struct xnr__export *x, const json_t *v) /* NULL: empty */
{
	char *s;

	if (json_is_integer(v))
		fprintf(x->out, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		fprintf(x->out, "%.9g", json_real_value(v));
	else if (json_is_string(v))
		xnr_csv_field(x->out, json_string_value(v), json_string_length(v));
	else if (json_is_boolean(v))
		fputc(json_is_true(v) ? '1' : '0', x->out);
	else if (json_is_array(v) || json_is_object(v)) {
		if (!(s = json_dumps(v, JSON_COMPACT))) {
			x->oom = 1;
			return;
		}
		xnr_csv_field(x->out, s, strlen(s));
		free(s);
	}
}

void xnr__export_init(struct xnr__export *x, const char *path)
{
	size_t n = strlen(path);

	memset(x, 0, sizeof *x);
	x->format = n > 6 && strcmp(path + n - 6, ".jsonl") == 0 ? XNR__JSONL : XNR__CSV;
	x->out = open_memstream(&x->buf, &x->len);
	x->oom = !x->out;
}

void xnr__export_head(struct xnr__export *x, json_t *row)
{
	const char *key;
	json_t *v;
	int first = 1;

	if (!row) {
		x->oom = 1;
		return;
	}
	json_decref(x->head);
	x->head = row;
	if (x->format == XNR__JSONL || x->oom)
		return;
	json_object_foreach(row, key, v)
	{
		if (!first)
			fputc(',', x->out);
		first = 0;
		xnr_csv_field(x->out, key, strlen(key));
	}
	fputs("\r\n", x->out);
}

void xnr__export_row(struct xnr__export *x, json_t *row)
{
	const char *key;
	json_t *v;
	int first = 1;

	if (!row || x->oom) {
		x->oom = 1;
		json_decref(row);
		return;
	}
	if (x->format == XNR__JSONL) {
		x->oom |= json_dumpf(row, x->out, JSON_COMPACT) != 0;
		fputc('\n', x->out);
	} else {
		/* in the header's order, whatever the row's */
		json_object_foreach(x->head, key, v)
		{
			if (!first)
				fputc(',', x->out);
			first = 0;
			csv_value(x, json_object_get(row, key));
		}
		fputs("\r\n", x->out);
	}
	x->oom |= ferror(x->out) != 0;
	json_decref(row);
}

void xnr__export_free(struct xnr__export *x)
{
	if (x->out)
		fclose(x->out);
	free(x->buf);
	json_decref(x->head);
	memset(x, 0, sizeof *x);
}

enum xnr_status xnr__export_answer(struct xnr__export *x, const struct xnr__req *r,
                                   const char *name, struct xnr__resp *out, struct xnr_error *err)
{
	int jsonl = x->format == XNR__JSONL;

	/* fclose settles buf and len (NUL-terminated, even when empty) */
	if (x->out && fclose(x->out) != 0)
		x->oom = 1;
	x->out = NULL;
	if (x->oom || !x->buf) {
		xnr__export_free(x);
		return xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", name);
	}
	out->data = x->buf;
	out->len = x->len;
	out->content_type =
	    jsonl ? "application/x-ndjson; charset=utf-8" : "text/csv; charset=utf-8";
	snprintf(out->disposition, sizeof out->disposition,
	         "attachment; filename=\"run%lld-%s.%s\"", (long long)r->ids[0], name,
	         jsonl ? "jsonl" : "csv");
	x->buf = NULL;
	xnr__export_free(x);
	return XNR_OK;
}
