/*
 * out_file.c - an output file of a subcommand (cli.h: struct xnr_cli_out):
 * written aside as PATH.XXXXXX in its folder and moved into place at the
 * end, so a failed write leaves nothing and an existing file is replaced
 * only with --force ("-" is standard output). Used by explainer export and
 * the report files of explainer report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

enum xnr_status xnr_cli_out_open(struct xnr_cli_out *o, const char *path, int force,
                                 struct xnr_error *err)
{
	int fd;

	memset(o, 0, sizeof *o);
	o->path = path;
	if (strcmp(path, "-") == 0) {
		o->f = stdout;
		return XNR_OK;
	}
	if (!force && access(path, F_OK) == 0)
		return xnr_fail_at(err, XNR_ERR_INPUT, path, 0,
		                   "exists; nothing was written (use --force to overwrite it)");
	if (!(o->tmp = malloc(strlen(path) + 8)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	sprintf(o->tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(o->tmp)) < 0 || !(o->f = fdopen(fd, "wb"))) {
		enum xnr_status st =
		    xnr_fail_at(err, errno == ENOENT ? XNR_ERR_NOT_FOUND : XNR_ERR_IO, path, 0,
		                "cannot create it: %s", strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		o->tmp = NULL;
		return st;
	}
	return XNR_OK;
}

/* Move the file into place when st is XNR_OK, else drop it; the outcome. */
enum xnr_status xnr_cli_out_close(struct xnr_cli_out *o, int force, enum xnr_status st,
                                  struct xnr_error *err)
{
	int failed = 0;

	if (!o->f)
		return st;
	if (o->f == stdout)
		return fflush(stdout) == 0 || st != XNR_OK
		           ? st
		           : xnr_fail(err, XNR_ERR_IO, "standard output: write error");
	failed = fclose(o->f) != 0;
	if (st == XNR_OK && failed)
		st = xnr_fail_at(err, XNR_ERR_IO, o->path, 0, "write error: %s", strerror(errno));
	/* link() never replaces a file that appeared meanwhile; rename() does, with --force. */
	if (st == XNR_OK && (force ? rename(o->tmp, o->path) : link(o->tmp, o->path)) != 0)
		st = xnr_fail_at(err, errno == EEXIST ? XNR_ERR_INPUT : XNR_ERR_IO, o->path, 0,
		                 "cannot put it in place: %s%s", strerror(errno),
		                 errno == EEXIST ? " (use --force to overwrite it)" : "");
	if (st != XNR_OK || !force)
		unlink(o->tmp);
	free(o->tmp);
	return st;
}
