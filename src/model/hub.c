/* hub.c - hub model ids in the Hugging Face cache (hf-formats.md 6.2): found
 * there, or downloaded into it (hub_fetch.c) unless HF_HUB_OFFLINE is set. */
#include "model/hub.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/file.h"
#include "model/hub_internal.h"

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* buf = a b c; 0 if it does not fit. */
static int concat(char *buf, size_t n, const char *a, const char *b, const char *c)
{
	int r = snprintf(buf, n, "%s%s%s", a, b, c);
	return r >= 0 && (size_t)r < n;
}

enum xnr_status xnr_hub_cache_dir(char *buf, size_t buf_bytes, struct xnr_error *err)
{
	const char *v;
	int ok;

	if (((v = getenv("HF_HUB_CACHE")) && *v) || ((v = getenv("HUGGINGFACE_HUB_CACHE")) && *v))
		ok = concat(buf, buf_bytes, v, "", "");
	else if ((v = getenv("HF_HOME")) && *v)
		ok = concat(buf, buf_bytes, v, "/hub", "");
	else if ((v = getenv("XDG_CACHE_HOME")) && *v)
		ok = concat(buf, buf_bytes, v, "/huggingface/hub", "");
	else
		ok = concat(buf, buf_bytes, (v = getenv("HOME")) ? v : "",
		            "/.cache/huggingface/hub", "");
	return ok ? XNR_OK : xnr_fail(err, XNR_ERR_LIMIT, "Hugging Face cache path too long");
}

/* A hub id is one or two path parts of [A-Za-z0-9._-], none starting with '.'. */
static int valid_repo_id(const char *id, size_t len)
{
	size_t i, slashes = 0;
	if (len == 0 || len > 200 || id[0] == '.' || id[0] == '/')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];
		if (c == '/') {
			if (++slashes > 1 || i + 1 == len || id[i + 1] == '.')
				return 0;
		} else if (!isalnum(c) && c != '.' && c != '_' && c != '-') {
			return 0;
		}
	}
	return strstr(id, "..") == NULL;
}

static int is_commit(const char *s)
{
	size_t i;
	for (i = 0; i < 40; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[40] == '\0';
}

/* Read refs/<revision> (a commit id, no newline) into commit[41]. */
static int read_ref(const char *repo, const char *revision, char commit[41])
{
	char path[4096], *text = NULL;
	size_t len = 0;
	int ok;

	if (!concat(path, sizeof path, repo, "/refs/", revision) ||
	    xnr_file_read(path, 256, &text, &len, NULL) != XNR_OK)
		return 0;
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		text[--len] = '\0';
	ok = len == 40 && is_commit(text);
	if (ok)
		memcpy(commit, text, 41);
	free(text);
	return ok;
}

static int valid_revision(const char *rev)
{
	size_t i;
	if (!rev[0] || rev[0] == '/' || strlen(rev) > 200 || strstr(rev, ".."))
		return 0;
	for (i = 0; rev[i]; i++)
		if (!isalnum((unsigned char)rev[i]) && !strchr("._-/", rev[i]))
			return 0;
	return 1;
}

/* A model argument that is a hub id: its parts and its folder in the cache. */
struct hub_ref {
	char id[256];       /* org/name */
	char revision[256]; /* main unless @revision */
	char repo[3584];    /* <cache>/models--org--name */
};

static enum xnr_status parse_ref(const char *model, struct hub_ref *h, struct xnr_error *err)
{
	char cache[3072];
	const char *at = strchr(model, '@'), *slash;
	size_t id_len = at ? (size_t)(at - model) : strlen(model);
	enum xnr_status st;

	if (!valid_repo_id(model, id_len) || (at && !valid_revision(at + 1)))
		return xnr_fail_at(
		    err, XNR_ERR_NOT_FOUND, model, 0,
		    "no such model folder (give a folder with config.json and "
		    "model.safetensors, or a Hugging Face model id such as dslim/bert-base-NER)");
	if ((st = xnr_hub_cache_dir(cache, sizeof cache, err)) != XNR_OK)
		return st;
	memcpy(h->id, model, id_len);
	h->id[id_len] = '\0';
	snprintf(h->revision, sizeof h->revision, "%s", at ? at + 1 : "main");
	slash = strchr(h->id, '/');
	if (slash)
		snprintf(h->repo, sizeof h->repo, "%s/models--%.*s--%s", cache,
		         (int)(slash - h->id), h->id, slash + 1);
	else
		snprintf(h->repo, sizeof h->repo, "%s/models--%s", cache, h->id);
	return XNR_OK;
}

/* snapshots/<commit> of the revision, from refs/ unless it is a commit. */
static enum xnr_status find_snapshot(const char *model, const struct hub_ref *h, const char *why,
                                     char *dir, size_t dir_bytes, struct xnr_error *err)
{
	char commit[41];
	if (is_commit(h->revision))
		memcpy(commit, h->revision, 41);
	else if (!read_ref(h->repo, h->revision, commit))
		return xnr_fail_at(
		    err, XNR_ERR_NOT_FOUND, model, 0,
		    "not a folder, and not in the Hugging Face cache (no %s/refs/%s)%s", h->repo,
		    h->revision, why);
	if (!concat(dir, dir_bytes, h->repo, "/snapshots/", commit) || !is_dir(dir))
		return xnr_fail_at(err, XNR_ERR_NOT_FOUND, model, 0,
		                   "the Hugging Face cache has no snapshot %s in %s%s", commit,
		                   h->repo, why);
	return XNR_OK;
}

static int hub_offline(void)
{
	static const char *const names[] = {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"};
	size_t i;
	for (i = 0; i < 2; i++) {
		const char *v = getenv(names[i]);
		if (v && (strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0 ||
		          strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0))
			return 1;
	}
	return 0;
}

/* A snapshot a run can use: config.json and weights (links to blobs that
 * are there). huggingface_hub also leaves snapshots of a few files (a
 * config read alone); one of those is completed by a download. */
static int snapshot_has_model(const char *dir)
{
	static const char *const need[] = {"model.safetensors", "model.safetensors.index.json",
	                                   "pytorch_model.bin", "pytorch_model.bin.index.json"};
	char path[4200];
	struct stat st;
	size_t i;

	if (!concat(path, sizeof path, dir, "/", "config.json") || stat(path, &st) != 0)
		return 0;
	for (i = 0; i < sizeof need / sizeof *need; i++)
		if (concat(path, sizeof path, dir, "/", need[i]) && stat(path, &st) == 0)
			return 1;
	return 0;
}

enum xnr_status xnr_hub_find(const char *model, char *dir, size_t dir_bytes, struct xnr_error *err)
{
	struct hub_ref h;
	enum xnr_status st;

	if (is_dir(model))
		return concat(dir, dir_bytes, model, "", "")
		           ? XNR_OK
		           : xnr_fail(err, XNR_ERR_LIMIT, "model path too long");
	if ((st = parse_ref(model, &h, err)) != XNR_OK)
		return st;
	return find_snapshot(model, &h, " (download it first, or give a folder)", dir, dir_bytes,
	                     err);
}

enum xnr_status xnr_hub_resolve(const char *model, char *dir, size_t dir_bytes,
                                struct xnr_error *err)
{
	return xnr_hub_resolve_ctl(model, NULL, dir, dir_bytes, err);
}

enum xnr_status xnr_hub_resolve_ctl(const char *model, const struct xnr_ctl *ctl, char *dir,
                                    size_t dir_bytes, struct xnr_error *err)
{
	struct hub_ref h;
	char commit[41], why[128];
	enum xnr_status st;

	if (is_dir(model))
		return xnr_hub_find(model, dir, dir_bytes, err);
	if ((st = parse_ref(model, &h, err)) != XNR_OK)
		return st;
	if (hub_offline()) {
		snprintf(why, sizeof why,
		         ", and HF_HUB_OFFLINE=1 forbids downloading it (unset "
		         "HF_HUB_OFFLINE, or give a local model folder)");
		return find_snapshot(model, &h, why, dir, dir_bytes, err);
	}
	if (find_snapshot(model, &h, "", dir, dir_bytes, NULL) == XNR_OK && snapshot_has_model(dir))
		return XNR_OK;
	if ((st = xnr__hub_download(model, h.id, h.revision, h.repo, ctl, commit, err)) != XNR_OK)
		return st;
	return concat(dir, dir_bytes, h.repo, "/snapshots/", commit)
	           ? XNR_OK
	           : xnr_fail(err, XNR_ERR_LIMIT, "model path too long");
}
