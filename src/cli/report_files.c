/*
 * report_files.c - the files `explainer report` writes besides its output
 * (cli.h): --html, --markdown and --junit, each rendered by the report
 * module from the report's JSON and written through struct xnr_cli_out, so
 * an existing file is kept without --force and a failed write leaves none.
 */
#include <stdlib.h>

#include "cli/cli.h"
#include "report/report.h"

typedef enum xnr_status (*render_fn)(const json_t *r, char **out, size_t *len,
                                     struct xnr_error *err);

static enum xnr_status write_one(const char *path, int force, render_fn render, const json_t *r,
                                 struct xnr_error *err)
{
	struct xnr_cli_out out;
	enum xnr_status st;
	char *text = NULL;
	size_t len = 0;

	if ((st = render(r, &text, &len, err)) != XNR_OK)
		return st;
	if ((st = xnr_cli_out_open(&out, path, force, err)) == XNR_OK) {
		if (fwrite(text, 1, len, out.f) != len)
			st = xnr_fail_at(err, XNR_ERR_IO, path, 0, "write error");
		st = xnr_cli_out_close(&out, force, st, err);
	}
	free(text);
	return st;
}

enum xnr_status xnr_cli_report_files(const struct xnr_cli_report_files *f, const json_t *r,
                                     struct xnr_error *err)
{
	enum xnr_status st = XNR_OK;

	if (f->html && (st = write_one(f->html, f->force, xnr_report_html, r, err)) != XNR_OK)
		return st;
	if (f->markdown &&
	    (st = write_one(f->markdown, f->force, xnr_report_markdown, r, err)) != XNR_OK)
		return st;
	if (f->junit && (st = write_one(f->junit, f->force, xnr_report_junit, r, err)) != XNR_OK)
		return st;
	return st;
}
