/*
 * paths.c - the paths a request names (a model folder, a dataset, an
 * encoder), checked before a job reads them (issue #14). A request could
 * otherwise name any file the server's user may read, or a FIFO or a
 * terminal whose read never returns and so never reaches a cancellation
 * point. A path is taken only when its real path (links resolved) is an
 * existing regular file or folder inside one of the server's roots and not
 * under /proc, /sys or /dev; a folder's entries, which the job may read,
 * must be so too. Missing, outside the roots and a system path get the same
 * answer, so a request cannot probe what exists outside the roots.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "server/internal.h"

#define ENTRIES_MAX 4096 /* entries of a folder a request names */

/* Never read from, whatever the roots: the kernel's files and devices. */
static const char *const system_dirs[] = {"/proc", "/sys", "/dev"};

/* 1 if real path p is dir or inside it. */
static int under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return 1;
	return strncmp(p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

static int allowed(const struct xnr__app *app, const char *real)
{
	size_t i;
	int r;

	for (i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
		if (under(real, system_dirs[i]))
			return 0;
	for (r = 0; r < app->n_roots; r++)
		if (under(real, app->roots[r]))
			return 1;
	return 0;
}

/* Add the folder path (its real path) to the roots; 0 if it is none. */
static int add_root(struct xnr__app *app, const char *path)
{
	char real[PATH_MAX];
	struct stat sb;
	int r;

	if (!path || !realpath(path, real) || stat(real, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return 0;
	for (r = 0; r < app->n_roots; r++)
		if (strcmp(app->roots[r], real) == 0)
			return 1;
	if (app->n_roots == XNR__ROOTS_MAX || strlen(real) >= sizeof app->roots[0])
		return 0;
	snprintf(app->roots[app->n_roots++], sizeof app->roots[0], "%s", real);
	return 1;
}

/* Add the folder path is in (path itself when it is a folder and self). */
static void add_folder_of(struct xnr__app *app, const char *path, int self)
{
	char real[PATH_MAX];
	struct stat sb;
	char *slash;

	if (!path || !realpath(path, real) || stat(real, &sb) != 0)
		return;
	if (!(self && S_ISDIR(sb.st_mode)) && (slash = strrchr(real, '/')) != NULL)
		slash[slash == real] = '\0';
	add_root(app, real);
}

enum xnr_status xnr__roots_init(struct xnr__app *app, const char *const *roots, int n,
                                struct xnr_error *err)
{
	int i;

	app->n_roots = 0;
	if (n > XNR__ROOTS_MAX)
		return xnr_fail(err, XNR_ERR_LIMIT, "--root: at most %d folders", XNR__ROOTS_MAX);
	for (i = 0; i < n; i++)
		if (!add_root(app, roots[i]))
			return xnr_fail(err, XNR_ERR_INPUT, "--root %s: not a folder", roots[i]);
	if (n > 0)
		return XNR_OK;
	add_root(app, ".");
	add_folder_of(app, app->db_path, 0);
	add_folder_of(app, app->model_dir, 0);
	add_folder_of(app, app->data_path, 1);
	return XNR_OK;
}

/* The one answer for a path that is missing, outside the roots or a system
 * path: which of them it is would tell what exists where. */
static enum xnr_status not_readable(const struct xnr__app *app, const char *what, const char *path,
                                    struct xnr_error *err)
{
	char list[1024];
	size_t used = 0;
	int r;

	list[0] = '\0';
	for (r = 0; r < app->n_roots && used < sizeof list; r++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", r ? ", " : "",
		                         app->roots[r]);
	return xnr_fail(err, XNR_ERR_INPUT,
	                "%s %s: no such file or folder, or not one this server may read (a "
	                "regular file or folder inside %s; serve --root DIR allows more)",
	                what, path, app->n_roots ? list : "no folder");
}

/* Every entry of folder real (named path in messages) must be a regular
 * file or folder inside the roots: the job may open any of them. A dangling
 * link is left alone, as opening it fails. */
static enum xnr_status check_entries(const struct xnr__app *app, const char *what, const char *path,
                                     const char *real, struct xnr_error *err)
{
	char entry[PATH_MAX], entry_real[PATH_MAX];
	struct dirent *e;
	struct stat sb;
	DIR *d = opendir(real);
	enum xnr_status st = XNR_OK;
	int n = 0;

	if (!d)
		return xnr_fail(err, XNR_ERR_INPUT, "%s %s: the server may not read the folder",
		                what, path);
	while (st == XNR_OK && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (++n > ENTRIES_MAX)
			st = xnr_fail(err, XNR_ERR_LIMIT, "%s %s: more than %d entries", what, path,
			              ENTRIES_MAX);
		else if (xnr_path_join(entry, sizeof entry, real, e->d_name, NULL) != XNR_OK ||
		         !realpath(entry, entry_real))
			continue;
		else if (stat(entry_real, &sb) != 0 ||
		         !(S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode)) || !allowed(app, entry_real))
			st = xnr_fail(
			    err, XNR_ERR_INPUT,
			    "%s %s: %s is not a regular file or folder inside the server's "
			    "roots",
			    what, path, e->d_name);
	}
	closedir(d);
	return st;
}

enum xnr_status xnr__local_only(const struct xnr__app *app, const char *what, struct xnr_error *err)
{
	if (!app->remote)
		return XNR_OK;
	return xnr_fail(err, XNR_ERR_DENIED,
	                "%s: paths on the server's machine are refused when it serves the network "
	                "(--host); start the run with explainer run, or serve on 127.0.0.1",
	                what);
}

enum xnr_status xnr__path_check(const struct xnr__app *app, const char *what, const char *path,
                                enum xnr__path_kind kind, struct xnr_error *err)
{
	char real[PATH_MAX];
	struct stat sb;
	enum xnr_status st;

	if ((st = xnr__local_only(app, what, err)) != XNR_OK)
		return st;
	/* realpath and stat open nothing: a FIFO is refused without blocking. */
	if (!path[0] || strlen(path) >= sizeof real || !realpath(path, real) ||
	    !allowed(app, real) || stat(real, &sb) != 0)
		return not_readable(app, what, path, err);
	if (!S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
		return xnr_fail(err, XNR_ERR_INPUT, "%s %s: not a regular file or folder", what,
		                path);
	if (kind == XNR__PATH_DIR && !S_ISDIR(sb.st_mode))
		return xnr_fail(err, XNR_ERR_INPUT, "%s %s: not a folder (give the model's folder)",
		                what, path);
	if (access(real, S_ISDIR(sb.st_mode) ? R_OK | X_OK : R_OK) != 0)
		return xnr_fail(err, XNR_ERR_INPUT, "%s %s: the server may not read it", what,
		                path);
	return S_ISDIR(sb.st_mode) ? check_entries(app, what, path, real, err) : XNR_OK;
}

enum xnr_status xnr__path_redact(enum xnr_status st, struct xnr_error *err)
{
	static const char *const what[XNR_STATUS_COUNT] = {
	    [XNR_ERR_NOT_FOUND] = "not found",
	    [XNR_ERR_IO] = "cannot be read",
	    [XNR_ERR_FORMAT] = "not in a format ExplaiNER reads here",
	    [XNR_ERR_UNSUPPORTED] = "uses something ExplaiNER does not support",
	    [XNR_ERR_MISMATCH] = "does not fit the model (labels or shapes differ)",
	    [XNR_ERR_INPUT] = "not valid input here",
	    [XNR_ERR_LIMIT] = "over one of ExplaiNER's size limits",
	};
	static const char hint[] = "(the details may quote the file, so only the command line, "
	                           "explainer run or predict with the same files, prints them)";
	const char *text = (unsigned)st < XNR_STATUS_COUNT && what[st] ? what[st] : "failed";
	char path[XNR_ERROR_PATH_MAX];
	long line = err->line;

	if (st == XNR_OK || st == XNR_ERR_CANCELLED || st == XNR_ERR_NOMEM || st == XNR_ERR_BUSY ||
	    st == XNR_ERR_DB)
		return st;
	snprintf(path, sizeof path, "%s", err->path);
	if (!path[0])
		return xnr_fail(err, st, "%s %s", text, hint);
	return xnr_fail_at(err, st, path, line, "%s %s", text, hint);
}

const char *xnr__path_shown(const struct xnr__app *app, const char *path)
{
	const char *slash;

	if (!app->remote || !path)
		return path;
	slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}
