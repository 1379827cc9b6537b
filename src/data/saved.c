/*
 * saved.c - datasets saved by Hugging Face `datasets`, found on disk and
 * handed to the Arrow reader (arrow.c) file by file:
 *   - Dataset.save_to_disk: a folder with state.json ("_data_files": the
 *     data-NNNNN-of-NNNNN.arrow files in order, "_split"), dataset_info.json;
 *   - DatasetDict.save_to_disk: dataset_dict.json ({"splits": [...]}) and one
 *     such folder a split; --split picks it (by name, or train / dev /
 *     validation / valid / test as for CoNLL folders);
 *   - the datasets cache folder <name>/<config>/<version>/<hash>/:
 *     <name>-<split>.arrow or <name>-<split>-NNNNN-of-NNNNN.arrow, beside
 *     dataset_info.json (the cache's own cache-*.arrow files are left out);
 *   - one .arrow file, with the dataset_info.json beside it if there is one.
 * Integer tags are named by the ClassLabel of dataset_info.json's
 * features.ner_tags: {"feature": {"names": [...], "_type": "ClassLabel"},
 * "_type": "Sequence"} ("List" since datasets 4; a one-element JSON list in
 * old versions), unless --labels names them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/json.h"
#include "data/internal.h"

#define JSON_MAX_BYTES (64u << 20) /* dataset_info.json lists checksums of every file */
#define MAX_FILES      4096

struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int names_add(struct names *s, const char *name, size_t len)
{
	char *c;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		char **v = realloc(s->v, cap * sizeof *v);
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	if (!(c = malloc(len + 1)))
		return -1;
	memcpy(c, name, len);
	c[len] = '\0';
	s->v[s->n++] = c;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_file(const char *dir, const char *name)
{
	char path[4096];

	return snprintf(path, sizeof path, "%s/%s", dir, name) < (int)sizeof path &&
	       xnr_file_exists(path);
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* The canonical split ("train", "dev", "test") a name stands for, or NULL. */
static const char *canon_split(const char *s)
{
	if (strcmp(s, "train") == 0 || strcmp(s, "test") == 0)
		return strcmp(s, "train") == 0 ? "train" : "test";
	if (strcmp(s, "dev") == 0 || strcmp(s, "valid") == 0 || strcmp(s, "validation") == 0)
		return "dev";
	return NULL;
}

/* The index of split `want` among names: the same name, else the same
 * canonical split. */
static enum xnr_status pick_split(const char *where, const struct names *splits, const char *want,
                                  size_t *idx, struct xnr_error *err)
{
	const char *cw = canon_split(want);
	char avail[512] = "";
	size_t len = 0;

	for (size_t i = 0; i < splits->n; i++)
		if (strcmp(splits->v[i], want) == 0) {
			*idx = i;
			return XNR_OK;
		}
	for (size_t i = 0; cw && i < splits->n; i++) {
		const char *c = canon_split(splits->v[i]);
		if (c && strcmp(c, cw) == 0) {
			*idx = i;
			return XNR_OK;
		}
	}
	for (size_t i = 0; i < splits->n && len < sizeof avail - 1; i++)
		len += (size_t)snprintf(avail + len, sizeof avail - len, "%s%s", i ? ", " : "",
		                        splits->v[i]);
	return xnr_fail_at(err, XNR_ERR_NOT_FOUND, where, 0,
	                   "no split \"%s\" (available: %s; pick one with --split)", want,
	                   splits->n ? avail : "none");
}

/* A split or file name `datasets` could have written: no folder, no dot
 * first (split names are \w+(\.\w+)*). */
static int plain_name(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || memchr(s, '/', n) || memchr(s, '\0', n))
		return 0;
	return 1;
}

int xnr__saved_detect(const char *dir)
{
	DIR *d;
	struct dirent *e;
	int found = 0;

	if (has_file(dir, "dataset_dict.json") || has_file(dir, "state.json"))
		return 1;
	if (!(d = opendir(dir)))
		return 0;
	while (!found && (e = readdir(d)) != NULL)
		found = ends_with(e->d_name, strlen(e->d_name), ".arrow");
	closedir(d);
	return found;
}

/* The ClassLabel names of the tags feature, or NULL (the tags are strings, or
 * the file says nothing of them). */
static const json_t *class_names(const json_t *info)
{
	const json_t *feats = json_object_get(info, "features"), *f = NULL, *inner;
	const char *type;

	if (json_is_object(feats))
		f = json_object_get(feats, "ner_tags") ? json_object_get(feats, "ner_tags")
		                                       : json_object_get(feats, "tags");
	if (json_is_array(f) && json_array_size(f) == 1)
		f = json_array_get(f, 0);
	type = json_string_value(json_object_get(f, "_type"));
	if (!type || (strcmp(type, "Sequence") != 0 && strcmp(type, "List") != 0 &&
	              strcmp(type, "LargeList") != 0))
		return NULL;
	inner = json_object_get(f, "feature");
	if (json_is_array(inner) && json_array_size(inner) == 1)
		inner = json_array_get(inner, 0);
	type = json_string_value(json_object_get(inner, "_type"));
	if (!type || strcmp(type, "ClassLabel") != 0)
		return NULL;
	return json_object_get(inner, "names");
}

/* ds->labels from dataset_info.json's ClassLabel; *found 0 when it has none. */
static enum xnr_status info_labels(struct xnr_dataset *ds, const char *info_path, int *found,
                                   struct xnr_error *err)
{
	const json_t *names;
	json_t *info;
	enum xnr_status st;

	*found = 0;
	if ((st = xnr_json_load(info_path, JSON_MAX_BYTES, &info, err)) != XNR_OK)
		return st;
	names = class_names(info);
	if (names && (!json_is_array(names) || json_array_size(names) == 0))
		st = xnr_fail_at(err, XNR_ERR_FORMAT, info_path, 0,
		                 "features.ner_tags: the ClassLabel has no list of names (give "
		                 "--labels O,B-PER,... in id order)");
	for (size_t i = 0; st == XNR_OK && names && i < json_array_size(names); i++) {
		const json_t *v = json_array_get(names, i);
		struct xnr_tag t;
		int32_t id = -1;
		if (!json_is_string(v) || json_string_length(v) > XNR_LABEL_MAX_BYTES ||
		    xnr_tag_parse(json_string_value(v), json_string_length(v), &t) != 0) {
			st = xnr_fail_at(
			    err, XNR_ERR_FORMAT, info_path, 0,
			    "features.ner_tags: ClassLabel name %zu is not a tag (tags are "
			    "O, or B-, I-, E-, S-, L-, U- and a type, as B-PER; give "
			    "--labels O,B-PER,... in id order instead)",
			    i + 1);
			break;
		}
		st = xnr_labels_add(&ds->labels, json_string_value(v), json_string_length(v), &id,
		                    info_path, err);
		if (st == XNR_OK && (size_t)id != i)
			st = xnr_fail_at(err, XNR_ERR_FORMAT, info_path, 0,
			                 "features.ner_tags: ClassLabel name \"%s\" twice",
			                 json_string_value(v));
	}
	*found = st == XNR_OK && names;
	json_decref(info);
	return st;
}

/* What one split is read from. */
struct source {
	const char *path;  /* ds->path */
	const char *split; /* its name, or NULL */
	const char *dir;   /* where dataset_info.json would be */
	struct names files;
};

static enum xnr_status read_one(struct xnr_dataset *ds, const char *path, int id_labels, long *rows,
                                const struct xnr_data_params *p, struct xnr_error *err)
{
	struct xnr_mmap m;
	enum xnr_status st;

	if ((st = xnr_mmap_init(&m, path, err)) != XNR_OK)
		return st;
	if (m.n_bytes == 0)
		st = xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                 "offset 0: an empty file (expected Arrow IPC data)");
	else
		st = xnr__arrow_read(ds, m.data, m.n_bytes, path, id_labels, rows, p, err);
	xnr_mmap_free(&m);
	return st;
}

/* Labels, then every file in order, into a new dataset. */
static enum xnr_status read_source(const struct source *src, const struct xnr_data_params *p,
                                   struct xnr_dataset **out, struct xnr_error *err)
{
	struct xnr_dataset *ds = xnr__dataset_new(src->path, XNR_DATA_ARROW);
	struct names used = {0};
	char info[4096];
	enum xnr_status st = XNR_OK;
	int id_labels = 0;
	long rows = 0;

	if (!ds)
		return xnr_fail_at(err, XNR_ERR_NOMEM, src->path, 0, "out of memory");
	if (snprintf(info, sizeof info, "%s/dataset_info.json", src->dir) >= (int)sizeof info)
		st = xnr_fail_at(err, XNR_ERR_LIMIT, src->dir, 0, "path too long");
	else if (p->labels)
		id_labels = (st = xnr__id_labels(ds, p->labels, err)) == XNR_OK;
	else if (xnr_file_exists(info) && (st = info_labels(ds, info, &id_labels, err)) == XNR_OK &&
	         id_labels && names_add(&used, info, strlen(info)) != 0)
		st = xnr_fail_at(err, XNR_ERR_NOMEM, src->path, 0, "out of memory");
	for (size_t i = 0; st == XNR_OK && i < src->files.n; i++) {
		if (names_add(&used, src->files.v[i], strlen(src->files.v[i])) != 0)
			st = xnr_fail_at(err, XNR_ERR_NOMEM, src->path, 0, "out of memory");
		else
			st = read_one(ds, src->files.v[i], id_labels, &rows, p, err);
	}
	if (st == XNR_OK && ds->n_sentences == 0)
		st = xnr_fail_at(err, XNR_ERR_INPUT, src->path, 0,
		                 "no sentences (the saved dataset has no rows)");
	if (st == XNR_OK && src->split) {
		const char *c = canon_split(src->split);
		if (!(ds->split = strdup(c ? c : src->split)))
			st = xnr_fail_at(err, XNR_ERR_NOMEM, src->path, 0, "out of memory");
	}
	ds->files = used.v;
	ds->n_files = used.n;
	if (st != XNR_OK) {
		xnr_dataset_close(ds);
		return st;
	}
	*out = ds;
	return XNR_OK;
}

/* A save_to_disk folder: its files from state.json. */
static enum xnr_status state_files(const char *dir, struct source *src, const char **split,
                                   json_t **state, struct xnr_error *err)
{
	char path[4096];
	const json_t *files;
	enum xnr_status st;

	if ((st = xnr_path_join(path, sizeof path, dir, "state.json", err)) != XNR_OK ||
	    (st = xnr_json_load(path, JSON_MAX_BYTES, state, err)) != XNR_OK)
		return st;
	files = json_object_get(*state, "_data_files");
	if (!json_is_array(files) || json_array_size(files) == 0 ||
	    json_array_size(files) > MAX_FILES)
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, path, 0,
		    "\"_data_files\" is not a list of 1 to %d files (is this a folder "
		    "written by save_to_disk?)",
		    MAX_FILES);
	for (size_t i = 0; i < json_array_size(files); i++) {
		const json_t *f = json_object_get(json_array_get(files, i), "filename");
		const char *name = json_string_value(f);
		char file[4096];
		if (!name || !plain_name(name, json_string_length(f)))
			return xnr_fail_at(
			    err, XNR_ERR_FORMAT, path, 0,
			    "\"_data_files\" entry %zu has no plain \"filename\" (a file "
			    "of this folder)",
			    i + 1);
		if ((st = xnr_path_join(file, sizeof file, dir, name, err)) != XNR_OK)
			return st;
		if (names_add(&src->files, file, strlen(file)) != 0)
			return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	}
	if (!*split)
		*split = json_string_value(json_object_get(*state, "_split"));
	return XNR_OK;
}

static enum xnr_status open_state(const char *dir, const char *split,
                                  const struct xnr_data_params *p, struct xnr_dataset **out,
                                  struct xnr_error *err)
{
	struct source src = {dir, split, dir, {0}};
	json_t *state = NULL;
	enum xnr_status st = state_files(dir, &src, &src.split, &state, err);

	if (st == XNR_OK)
		st = read_source(&src, p, out, err);
	json_decref(state);
	names_free(&src.files);
	return st;
}

/* A DatasetDict folder: the split's own save_to_disk folder. */
static enum xnr_status open_dict(const char *dir, const struct xnr_data_params *p,
                                 struct xnr_dataset **out, struct xnr_error *err)
{
	char path[4096], sub[4096];
	struct names splits = {0};
	const json_t *list;
	json_t *j = NULL;
	size_t idx = 0;
	enum xnr_status st;

	if ((st = xnr_path_join(path, sizeof path, dir, "dataset_dict.json", err)) != XNR_OK ||
	    (st = xnr_json_load(path, JSON_MAX_BYTES, &j, err)) != XNR_OK)
		return st;
	list = json_object_get(j, "splits");
	if (!json_is_array(list) || json_array_size(list) > MAX_FILES)
		st =
		    xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                "\"splits\" is not a list of split names (is this a folder written "
		                "by DatasetDict.save_to_disk?)");
	for (size_t i = 0; st == XNR_OK && i < json_array_size(list); i++) {
		const json_t *v = json_array_get(list, i);
		if (!json_is_string(v) || !plain_name(json_string_value(v), json_string_length(v)))
			st = xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
			                 "split %zu is not a plain name (a folder beside the file)",
			                 i + 1);
		else if (names_add(&splits, json_string_value(v), json_string_length(v)) != 0)
			st = xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	}
	json_decref(j);
	if (st == XNR_OK)
		st = pick_split(dir, &splits, p->split ? p->split : "test", &idx, err);
	if (st == XNR_OK)
		st = xnr_path_join(sub, sizeof sub, dir, splits.v[idx], err);
	if (st == XNR_OK && !has_file(sub, "state.json"))
		st = xnr_fail_at(
		    err, XNR_ERR_NOT_FOUND, sub, 0,
		    "no state.json: dataset_dict.json lists split %s, but its folder is "
		    "not a saved dataset",
		    splits.v[idx]);
	if (st == XNR_OK)
		st = open_state(sub, splits.v[idx], p, out, err);
	names_free(&splits);
	return st;
}

/* The split a cache file name carries ("conll2003-test-00000-of-00002.arrow"
 * -> "test", *len 4), or NULL when it carries none (data-00000-of-00001.arrow). */
static const char *file_split(const char *name, size_t *len)
{
	size_t n = strlen(name) - 6; /* without ".arrow" */

	/* shards: -NNNNN-of-NNNNN */
	if (n > 15 && name[n - 15] == '-' && memcmp(name + n - 9, "-of-", 4) == 0 &&
	    strspn(name + n - 14, "0123456789") == 5 && strspn(name + n - 5, "0123456789") == 5)
		n -= 15;
	*len = 0;
	for (size_t i = n; i-- > 0;)
		if (name[i] == '-') {
			*len = n - i - 1;
			return *len ? name + i + 1 : NULL;
		}
	return NULL;
}

/* A cache folder (or a folder of .arrow files): the files of the split. */
static enum xnr_status cache_files(const char *dir, const char *want, struct names *splits,
                                   struct source *src, struct xnr_error *err)
{
	struct names all = {0}, plain = {0};
	struct dirent *e;
	DIR *d = opendir(dir);
	enum xnr_status st = XNR_OK;
	size_t idx = 0;

	if (!d)
		return xnr_fail_at(err, XNR_ERR_IO, dir, 0, "cannot open the folder: %s",
		                   strerror(errno));
	while (st == XNR_OK && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name), len;
		const char *split;
		if (!ends_with(e->d_name, n, ".arrow") || n == 6 || e->d_name[0] == '.' ||
		    strncmp(e->d_name, "cache-", 6) == 0)
			continue;
		if (all.n + plain.n >= MAX_FILES)
			st = xnr_fail_at(err, XNR_ERR_LIMIT, dir, 0, "more than %d .arrow files",
			                 MAX_FILES);
		else if ((split = file_split(e->d_name, &len)) != NULL) {
			int seen = 0;
			for (size_t i = 0; i < splits->n && !seen; i++)
				seen = strlen(splits->v[i]) == len &&
				       memcmp(splits->v[i], split, len) == 0;
			if ((!seen && names_add(splits, split, len) != 0) ||
			    names_add(&all, e->d_name, n) != 0)
				st = xnr_fail_at(err, XNR_ERR_NOMEM, dir, 0, "out of memory");
		} else if (names_add(&plain, e->d_name, n) != 0) {
			st = xnr_fail_at(err, XNR_ERR_NOMEM, dir, 0, "out of memory");
		}
	}
	closedir(d);
	if (st == XNR_OK && splits->n == 0) {
		/* no split in the names: every file is the one dataset */
		names_free(&all);
		all = plain;
		memset(&plain, 0, sizeof plain);
	} else if (st == XNR_OK) {
		st = pick_split(dir, splits, want, &idx, err);
		src->split = st == XNR_OK ? splits->v[idx] : NULL;
	}
	if (all.n > 1)
		qsort(all.v, all.n, sizeof *all.v, by_name);
	for (size_t i = 0; st == XNR_OK && i < all.n; i++) {
		char path[4096];
		size_t len;
		const char *split = file_split(all.v[i], &len);
		if (src->split &&
		    (!split || strlen(src->split) != len || memcmp(split, src->split, len) != 0))
			continue;
		if ((st = xnr_path_join(path, sizeof path, dir, all.v[i], err)) == XNR_OK &&
		    names_add(&src->files, path, strlen(path)) != 0)
			st = xnr_fail_at(err, XNR_ERR_NOMEM, dir, 0, "out of memory");
	}
	names_free(&all);
	names_free(&plain);
	return st;
}

static enum xnr_status open_cache(const char *dir, const struct xnr_data_params *p,
                                  struct xnr_dataset **out, struct xnr_error *err)
{
	struct source src = {dir, NULL, dir, {0}};
	struct names splits = {0};
	enum xnr_status st = cache_files(dir, p->split ? p->split : "test", &splits, &src, err);

	if (st == XNR_OK)
		st = read_source(&src, p, out, err);
	names_free(&src.files);
	names_free(&splits);
	return st;
}

/* One .arrow file, labels from the dataset_info.json beside it. */
static enum xnr_status open_arrow_file(const char *path, const struct xnr_data_params *p,
                                       struct xnr_dataset **out, struct xnr_error *err)
{
	struct source src = {path, NULL, ".", {0}};
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char dir[4096], split[256];
	size_t len;
	enum xnr_status st;

	if (slash) {
		if ((size_t)(slash - path) >= sizeof dir)
			return xnr_fail_at(err, XNR_ERR_LIMIT, path, 0, "path too long");
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		src.dir = slash == path ? "/" : dir;
	}
	if (strlen(base) > 6 && file_split(base, &len) && len < sizeof split) {
		memcpy(split, file_split(base, &len), len);
		split[len] = '\0';
		src.split = split;
	}
	if (names_add(&src.files, path, strlen(path)) != 0)
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	st = read_source(&src, p, out, err);
	names_free(&src.files);
	return st;
}

enum xnr_status xnr__saved_open(const char *path, int is_dir, const struct xnr_data_params *p,
                                struct xnr_dataset **out, struct xnr_error *err)
{
	if (!is_dir)
		return open_arrow_file(path, p, out, err);
	if (has_file(path, "dataset_dict.json"))
		return open_dict(path, p, out, err);
	if (has_file(path, "state.json"))
		return open_state(path, NULL, p, out, err);
	return open_cache(path, p, out, err);
}
