/*
 * api_setup.c - GET /api/v1/setup: the defaults of the Home / Setup page's
 * form (issue #4): the database, serve --model and --data, and the model
 * folders and datasets found next to them, so the form offers choices
 * instead of an empty path field.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/file.h"
#include "server/internal.h"

#define LISTED_MAX 200 /* entries of a folder listed */

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Only regular files are offered: a FIFO or a device would be refused by
 * the run anyway (core/file.h). */
static int is_regular(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int is_dataset(const char *dir, const char *name)
{
	static const char *const exts[] = {".conll", ".txt", ".iob", ".bio", ".jsonl", NULL};
	char path[4096];
	int i;

	for (i = 0; exts[i] && !has_suffix(name, exts[i]); i++)
		;
	return exts[i] && xnr_path_join(path, sizeof path, dir, name, NULL) == XNR_OK &&
	       is_regular(path);
}

static int is_model(const char *dir, const char *name)
{
	char sub[4096], cfg[4096];

	return xnr_path_join(sub, sizeof sub, dir, name, NULL) == XNR_OK &&
	       xnr_path_join(cfg, sizeof cfg, sub, "config.json", NULL) == XNR_OK &&
	       is_regular(cfg);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
	              json_string_value(*(json_t *const *)b));
}

/* The entries of the folder of path (path itself if it is a folder and
 * folder_itself) that keep(dir, name) says are models or datasets, sorted,
 * as app shows paths. */
static json_t *list_near(const struct xnr__app *app, const char *path, int folder_itself,
                         int (*keep)(const char *dir, const char *name))
{
	char dir[4096], full[4096];
	json_t *list = json_array(), *items[LISTED_MAX];
	struct stat sb;
	struct dirent *e;
	DIR *d;
	size_t n = 0, i;
	char *slash;

	if (!list || !path || snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
		return list;
	if (!(folder_itself && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))) {
		slash = strrchr(dir, '/');
		if (!slash)
			snprintf(dir, sizeof dir, ".");
		else
			slash[slash == dir] = '\0';
	}
	if (!(d = opendir(dir)))
		return list;
	while ((e = readdir(d)) != NULL && n < LISTED_MAX) {
		int here = strcmp(dir, ".") == 0;
		if (e->d_name[0] == '.' || !keep(dir, e->d_name) ||
		    (!here && xnr_path_join(full, sizeof full, dir, e->d_name, NULL) != XNR_OK))
			continue;
		if ((items[n] = json_string(xnr__path_shown(app, here ? e->d_name : full))) != NULL)
			n++;
	}
	closedir(d);
	qsort(items, n, sizeof(json_t *), cmp_str);
	for (i = 0; i < n; i++)
		json_array_append_new(list, items[i]);
	return list;
}

static enum xnr_status api_setup(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	const struct xnr__app *app = r->app;
	enum xnr_status st = xnr__query_allow(&r->query, allowed, err);

	if (st != XNR_OK)
		return st;
	*out = json_pack("{ss?ss?ss?sosos[sss]s{sisisi}}", "database",
	                 xnr__path_shown(app, app->db_path), "model",
	                 xnr__path_shown(app, app->model_dir), "data",
	                 xnr__path_shown(app, app->data_path), "models",
	                 list_near(app, app->model_dir, 0, is_model), "datasets",
	                 list_near(app, app->data_path, 1, is_dataset), "splits", "test", "dev",
	                 "train", "defaults", "sample", 0, "seed", 42, "max_length", 0);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "setup: out of memory");
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/setup", api_setup, NULL, XNR__NO_DB},
};

XNR__ROUTE_GROUP(setup, routes);
