/* hub.c - offline lookup of hub model ids in the Hugging Face cache (hf-formats.md 6.2). */
#include "model/hub.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/file.h"

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

enum xnr_status xnr_hub_resolve(const char *model, char *dir, size_t dir_bytes,
                                struct xnr_error *err)
{
	char cache[3072], repo[3584], id[256], commit[41];
	const char *at = strchr(model, '@');
	const char *revision = at ? at + 1 : "main";
	size_t id_len = at ? (size_t)(at - model) : strlen(model);
	enum xnr_status st;
	size_t i;

	if (is_dir(model))
		return concat(dir, dir_bytes, model, "", "")
		           ? XNR_OK
		           : xnr_fail(err, XNR_ERR_LIMIT, "model path too long");
	if (!valid_repo_id(model, id_len) || (at && (!*revision || strstr(revision, ".."))))
		return xnr_fail_at(
		    err, XNR_ERR_NOT_FOUND, model, 0,
		    "no such model folder (give a folder with config.json and "
		    "model.safetensors, or a Hugging Face model id such as dslim/bert-base-NER)");
	if ((st = xnr_hub_cache_dir(cache, sizeof cache, err)) != XNR_OK)
		return st;
	memcpy(id, model, id_len);
	id[id_len] = '\0';
	for (i = 0; i < id_len; i++)
		if (id[i] == '/')
			id[i] = '\0';
	if (strchr(model, '/') && (size_t)(strchr(model, '/') - model) < id_len)
		snprintf(repo, sizeof repo, "%s/models--%s--%s", cache, id, id + strlen(id) + 1);
	else
		snprintf(repo, sizeof repo, "%s/models--%s", cache, id);
	if (is_commit(revision))
		memcpy(commit, revision, 41);
	else if (!read_ref(repo, revision, commit))
		return xnr_fail_at(
		    err, XNR_ERR_NOT_FOUND, model, 0,
		    "not a folder, and not in the Hugging Face cache (no %s/refs/%s); "
		    "download it first (huggingface-cli download %.*s) or give a folder",
		    repo, revision, (int)id_len, model);
	if (!concat(dir, dir_bytes, repo, "/snapshots/", commit) || !is_dir(dir))
		return xnr_fail_at(
		    err, XNR_ERR_NOT_FOUND, model, 0,
		    "the Hugging Face cache has no snapshot %s in %s (download it again)", commit,
		    repo);
	return XNR_OK;
}
