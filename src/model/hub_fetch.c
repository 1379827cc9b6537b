/*
 * hub_fetch.c - downloading a model from the Hugging Face hub into the cache
 * that transformers and huggingface_hub share, with libcurl, as
 * huggingface_hub's snapshot_download / hf_hub_download do
 * (reference/hf-formats.md 6.1, 6.2): the revision API gives the commit and
 * the file list, a HEAD of each needed file's resolve URL its ETag (the
 * sha256 of an LFS file), size and CDN location; a blob is written as
 * blobs/<etag>.incomplete, resumed with Range after an interruption, checked
 * and renamed; once every blob is in, the snapshot links to them, and
 * refs/<revision> is written last. The requests themselves are hub_http.c's.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/json.h"
#include "core/progress.h"
#include "model/hub_internal.h"

enum {
	HUB_MAX_API_BYTES = 32 << 20,  /* the revision API's answer */
	HUB_MAX_INDEX_BYTES = 64 << 20 /* a weights index */
};
#define HUB_RETRIES 3 /* further attempts of a download cut short */

static const char *const hub_tokenizer_files[] = {"tokenizer.json",
                                                  "tokenizer_config.json",
                                                  "special_tokens_map.json",
                                                  "vocab.txt",
                                                  "vocab.json",
                                                  "merges.txt",
                                                  "spm.model",
                                                  "sentencepiece.bpe.model",
                                                  "added_tokens.json"};

/* Names taken from the hub's answers become paths in the cache: only
 * [A-Za-z0-9._-], not starting with '.', so none can leave its folder. */
static int safe_name(const char *s, size_t max)
{
	size_t i;
	if (!s[0] || s[0] == '.')
		return 0;
	for (i = 0; s[i]; i++)
		if (i >= max || (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i])))
			return 0;
	return 1;
}

static int is_hex(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[n] == '\0';
}

/* mkdir -p; a failure says which folder and that HF_HUB_CACHE can move it. */
static enum xnr_status make_dirs(struct xnr__hub *f, const char *path, struct xnr_error *err)
{
	char buf[4096];
	size_t i, len = strlen(path);
	if (len >= sizeof buf)
		return xnr_fail(err, XNR_ERR_LIMIT, "cache path too long: %s", path);
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return xnr_fail_at(
			    err, XNR_ERR_IO, f->model, 0,
			    "cannot create the cache folder %s (%s); set HF_HUB_CACHE "
			    "to a folder you can write",
			    buf, strerror(errno));
		buf[i] = path[i];
	}
	return XNR_OK;
}

static enum xnr_status path_of(char *buf, size_t n, struct xnr_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum xnr_status path_of(char *buf, size_t n, struct xnr_error *err, const char *fmt, ...)
{
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r >= 0 && (size_t)r < n ? XNR_OK
	                               : xnr_fail(err, XNR_ERR_LIMIT, "cache path too long");
}

/* "scheme://host[:port]" of url is the endpoint's: the token may go there. */
static int same_origin(const char *endpoint, const char *url)
{
	const char *p = strstr(endpoint, "://");
	size_t n = p ? strcspn(p + 3, "/") + (size_t)(p + 3 - endpoint) : strlen(endpoint);
	return strlen(url) >= n && memcmp(endpoint, url, n) == 0 &&
	       (url[n] == '/' || url[n] == '\0');
}

static int in_siblings(const json_t *siblings, const char *name)
{
	size_t i;
	const json_t *s;
	json_array_foreach(siblings, i, s)
	{
		const char *r = json_string_value(json_object_get(s, "rfilename"));
		if (r && strcmp(r, name) == 0)
			return 1;
	}
	return 0;
}

static enum xnr_status add_file(struct xnr__hub *f, const char *name, struct xnr_error *err)
{
	int i;
	for (i = 0; i < f->n_files; i++)
		if (strcmp(f->files[i].name, name) == 0)
			return XNR_OK;
	if (!safe_name(name, sizeof f->files[0].name - 1))
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, f->model, 0,
		    "refused to download %s: a file name of [A-Za-z0-9._-] is needed, "
		    "in the repo's top folder",
		    name);
	if (f->n_files == XNR__HUB_MAX_FILES)
		return xnr_fail_at(err, XNR_ERR_LIMIT, f->model, 0,
		                   "cannot download %s: a model of more than %d files", name,
		                   XNR__HUB_MAX_FILES);
	memset(&f->files[f->n_files], 0, sizeof f->files[0]);
	snprintf(f->files[f->n_files].name, sizeof f->files[0].name, "%s", name);
	f->files[f->n_files++].size = -1;
	return XNR_OK;
}

/* The revision API: the commit of f->revision and the repo's file list. */
static enum xnr_status fetch_info(struct xnr__hub *f, json_t **root, struct xnr_error *err)
{
	struct xnr__hub_reply r;
	struct xnr__hub_sink s = {&r, NULL, 0, 0, HUB_MAX_API_BYTES, -1, 0, 0, 0, 0, NULL};
	char url[2048], *rev = curl_easy_escape(f->curl, f->revision, 0);
	const char *sha;
	enum xnr_status st;
	CURLcode rc;

	if (!rev)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	snprintf(url, sizeof url, "%s/api/models/%s/revision/%s", f->endpoint, f->id, rev);
	curl_free(rev);
	rc = xnr__hub_request(f, url, 0, 1, 0, &s);
	if (rc == CURLE_WRITE_ERROR)
		st = xnr_fail_at(err, XNR_ERR_LIMIT, f->model, 0,
		                 "the file list from %s is over %d MB", f->endpoint,
		                 HUB_MAX_API_BYTES >> 20);
	else if (rc != CURLE_OK)
		st = xnr__hub_net_fail(f, rc, err);
	else if (r.code != 200)
		st = xnr__hub_http_fail(f, &r, NULL, err);
	else
		st = xnr_json_parse(s.buf ? s.buf : "", s.len, url, root, err);
	free(s.buf);
	if (st != XNR_OK)
		return st;
	sha = json_string_value(json_object_get(*root, "sha"));
	if (!sha || !is_hex(sha, 40) || !json_is_array(json_object_get(*root, "siblings"))) {
		json_decref(*root);
		*root = NULL;
		return xnr_fail_at(err, XNR_ERR_FORMAT, f->model, 0,
		                   "%s: no 40-hex \"sha\" and \"siblings\" list (is HF_ENDPOINT a "
		                   "Hugging Face hub?)",
		                   url);
	}
	memcpy(f->commit, sha, 41);
	return XNR_OK;
}

/* config.json, the tokenizer files the repo has, and the weights:
 * safetensors before pytorch_model.bin, one file before an index. */
static enum xnr_status choose_files(struct xnr__hub *f, const json_t *sibs, const char **index,
                                    struct xnr_error *err)
{
	static const char *const weights[] = {"model.safetensors", "model.safetensors.index.json",
	                                      "pytorch_model.bin", "pytorch_model.bin.index.json"};
	enum xnr_status st;
	size_t i;

	if (!in_siblings(sibs, "config.json"))
		return xnr_fail_at(err, XNR_ERR_UNSUPPORTED, f->model, 0,
		                   "%s at %s has no config.json: not a transformers model", f->id,
		                   f->commit);
	if ((st = add_file(f, "config.json", err)) != XNR_OK)
		return st;
	for (i = 0; i < sizeof hub_tokenizer_files / sizeof *hub_tokenizer_files; i++)
		if (in_siblings(sibs, hub_tokenizer_files[i]) &&
		    (st = add_file(f, hub_tokenizer_files[i], err)) != XNR_OK)
			return st;
	for (i = 0; i < sizeof weights / sizeof *weights; i++)
		if (in_siblings(sibs, weights[i])) {
			*index = strstr(weights[i], ".index.json") ? weights[i] : NULL;
			return add_file(f, weights[i], err);
		}
	return xnr_fail_at(err, XNR_ERR_UNSUPPORTED, f->model, 0,
	                   "%s at %s has neither model.safetensors nor pytorch_model.bin (nor "
	                   "their .index.json): no weights ExplaiNER reads",
	                   f->id, f->commit);
}

/* HEAD of the resolve URL: ETag, size, and where to GET (a relative
 * redirect, a renamed repo, is followed; an absolute one is the CDN). */
static enum xnr_status head_file(struct xnr__hub *f, struct xnr__hub_file *hf,
                                 struct xnr_error *err)
{
	struct xnr__hub_reply r;
	struct xnr__hub_sink s = {&r, NULL, 0, 0, 0, -1, 0, 0, 0, 0, NULL};
	char url[2048];
	const char *etag;
	int hops;
	CURLcode rc;

	snprintf(url, sizeof url, "%s/%s/resolve/%s/%s", f->endpoint, f->id, f->commit, hf->name);
	for (hops = 0;; hops++) {
		if ((rc = xnr__hub_request(f, url, 1, same_origin(f->endpoint, url), 0, &s)) !=
		    CURLE_OK)
			return xnr__hub_net_fail(f, rc, err);
		if (r.code >= 300 && r.code < 400 && r.location[0] == '/' && hops < 5) {
			if (path_of(url, sizeof url, err, "%s%s", f->endpoint, r.location) !=
			    XNR_OK)
				return xnr_fail_at(err, XNR_ERR_FORMAT, f->model, 0,
				                   "%s: a redirect too long to follow", hf->name);
			continue;
		}
		if (r.code >= 300 && r.code < 400 && strncmp(r.location, "http", 4) == 0)
			snprintf(hf->url, sizeof hf->url, "%s", r.location);
		else if (r.code == 200)
			snprintf(hf->url, sizeof hf->url, "%s", url);
		else
			return xnr__hub_http_fail(f, &r, hf->name, err);
		break;
	}
	etag = r.linked_etag[0] ? r.linked_etag : r.etag;
	if (!safe_name(etag, sizeof hf->etag - 1))
		return xnr_fail_at(err, XNR_ERR_FORMAT, f->model, 0,
		                   "%s: no usable ETag for %s (is HF_ENDPOINT a Hugging Face hub?)",
		                   url, hf->name);
	memcpy(hf->etag, etag, strlen(etag) + 1); /* safe_name kept it short */
	hf->size = r.linked_size >= 0 ? r.linked_size : r.code == 200 ? r.content_length : -1;
	hf->same_host = same_origin(f->endpoint, hf->url);
	return XNR_OK;
}

/* The blob's bytes against the hub's: its size, and its sha256 when the
 * ETag is one (LFS files). */
static enum xnr_status check_blob(struct xnr__hub *f, const struct xnr__hub_file *hf,
                                  const char *path, int fd, struct xnr_error *err)
{
	char hex[XNR_SHA256_HEX];
	struct xnr_sha256 *h = NULL;
	struct stat st;
	enum xnr_status s;

	if (fstat(fd, &st) != 0 || (hf->size >= 0 && (long long)st.st_size != hf->size))
		return xnr_fail_at(
		    err, XNR_ERR_IO, f->model, 0,
		    "%s: %lld bytes, the hub said %lld; run again to download it anew", hf->name,
		    (long long)st.st_size, hf->size);
	if (strlen(hf->etag) != 64 || !is_hex(hf->etag, 64))
		return XNR_OK;
	if ((s = xnr_sha256_open(&h, err)) != XNR_OK)
		return s;
	s = xnr_sha256_file(h, path, err);
	if (s == XNR_OK)
		xnr_sha256_hex(h, hex);
	xnr_sha256_close(h);
	if (s == XNR_OK && strcasecmp(hex, hf->etag) != 0)
		s = xnr_fail_at(
		    err, XNR_ERR_IO, f->model, 0,
		    "%s: the downloaded bytes have sha256 %s, the hub said %s; removed, "
		    "run again to download it anew",
		    hf->name, hex, hf->etag);
	return s;
}

/* GET hf into blobs/<etag>.incomplete from where an earlier attempt or run
 * stopped (Range), up to HUB_RETRIES more times, then check and rename it. */
static enum xnr_status attempt_all(struct xnr__hub *f, const struct xnr__hub_file *hf, int fd,
                                   struct xnr_error *err)
{
	struct xnr__hub_reply r;
	struct xnr__hub_sink s;
	struct stat st;
	CURLcode rc = CURLE_OK;
	int attempt;

	for (attempt = 0; attempt <= HUB_RETRIES; attempt++) {
		if (fstat(fd, &st) != 0)
			return xnr_fail_at(err, XNR_ERR_IO, f->model, 0, "%s: %s", hf->name,
			                   strerror(errno));
		if (hf->size >= 0 && (long long)st.st_size == hf->size)
			return XNR_OK;
		memset(&s, 0, sizeof s);
		s.reply = &r;
		s.max = 4096;
		s.fd = fd;
		s.offset = (long long)st.st_size;
		s.f = f;
		if (hf->size >= 0 && s.offset > hf->size) {
			if (ftruncate(fd, 0) != 0)
				return xnr_fail_at(err, XNR_ERR_IO, f->model, 0, "%s: %s", hf->name,
				                   strerror(errno));
			f->done_bytes -= s.offset;
			s.offset = 0;
		}
		rc = xnr__hub_request(f, hf->url, 0, hf->same_host, s.offset, &s);
		free(s.buf);
		if (rc == CURLE_ABORTED_BY_CALLBACK)
			return xnr__hub_net_fail(f, rc, err);
		if (s.failed)
			return xnr_fail_at(
			    err, XNR_ERR_IO, f->model, 0,
			    "cannot write %s into the cache (%s); free some space, or set "
			    "HF_HUB_CACHE to another folder",
			    hf->name, strerror(s.write_errno));
		if (r.code == 416 && ftruncate(fd, 0) == 0) {
			f->done_bytes -= s.offset;
			continue;
		}
		/* an answer that is not the content, its error page cut at 4 kB or not */
		if (r.code != 0 && r.code != 200 && r.code != 206)
			return xnr__hub_http_fail(f, &r, hf->name, err);
		if (rc == CURLE_OK && (hf->size < 0 || s.offset == hf->size))
			return XNR_OK;
	}
	if (fstat(fd, &st) == 0 && st.st_size > 0)
		return xnr_fail_at(
		    err, XNR_ERR_IO, f->model, 0,
		    "the download of %s stopped at %lld of %lld bytes (%s); run again "
		    "to resume it",
		    hf->name, (long long)st.st_size, hf->size,
		    f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc));
	return rc != CURLE_OK ? xnr__hub_net_fail(f, rc, err)
	                      : xnr_fail_at(err, XNR_ERR_IO, f->model, 0,
	                                    "%s: the hub sent %lld bytes, it said %lld", hf->name,
	                                    s.offset, hf->size);
}

static enum xnr_status fetch_blob(struct xnr__hub *f, struct xnr__hub_file *hf,
                                  struct xnr_error *err)
{
	char blob[4096], part[4200];
	enum xnr_status st;
	struct stat sb;
	int fd;

	if ((st = path_of(blob, sizeof blob, err, "%s/blobs/%s", f->repo_dir, hf->etag)) != XNR_OK)
		return st;
	snprintf(part, sizeof part, "%s.incomplete", blob);
	if (access(blob, F_OK) == 0)
		return XNR_OK;
	fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return xnr_fail_at(
		    err, XNR_ERR_IO, f->model, 0,
		    "cannot write %s (%s); set HF_HUB_CACHE to a folder you can write", part,
		    strerror(errno));
	/* another process downloading the same blob: wait for it, then use its blob */
	if (flock(fd, LOCK_EX) == 0 && access(blob, F_OK) == 0) {
		if (fstat(fd, &sb) == 0 && sb.st_size == 0)
			unlink(part);
		close(fd);
		return XNR_OK;
	}
	if (fstat(fd, &sb) == 0)
		f->done_bytes += (long long)sb.st_size;
	st = attempt_all(f, hf, fd, err);
	if (st == XNR_OK && (st = check_blob(f, hf, part, fd, err)) != XNR_OK)
		unlink(part);
	if (st == XNR_OK && rename(part, blob) != 0)
		st = xnr_fail_at(err, XNR_ERR_IO, f->model, 0, "cannot rename %s (%s)", part,
		                 strerror(errno));
	close(fd);
	return st;
}

/* snapshots/<commit>/<name> -> ../../blobs/<etag>, as huggingface_hub links. */
static enum xnr_status link_file(struct xnr__hub *f, const struct xnr__hub_file *hf,
                                 struct xnr_error *err)
{
	char dir[4096], path[4096], target[256], seen[256];
	enum xnr_status st;

	if ((st = path_of(dir, sizeof dir, err, "%s/snapshots/%s", f->repo_dir, f->commit)) !=
	        XNR_OK ||
	    (st = make_dirs(f, dir, err)) != XNR_OK ||
	    (st = path_of(path, sizeof path, err, "%s/%s", dir, hf->name)) != XNR_OK)
		return st;
	snprintf(target, sizeof target, "../../blobs/%s", hf->etag);
	if (unlink(path) != 0 && errno != ENOENT)
		return xnr_fail_at(err, XNR_ERR_IO, f->model, 0, "cannot replace %s (%s)", path,
		                   strerror(errno));
	/* a second process may have linked it since: the same link is fine */
	if (symlink(target, path) != 0 &&
	    !(errno == EEXIST && readlink(path, seen, sizeof seen) == (ssize_t)strlen(target) &&
	      memcmp(seen, target, strlen(target)) == 0))
		return xnr_fail_at(
		    err, XNR_ERR_IO, f->model, 0,
		    "cannot link %s (%s); set HF_HUB_CACHE to a folder you can write", path,
		    strerror(errno));
	return XNR_OK;
}

/* refs/<revision> holds the commit (no newline), written aside then moved. */
static enum xnr_status write_ref(struct xnr__hub *f, struct xnr_error *err)
{
	char path[4096], tmp[4200], *slash;
	enum xnr_status st;
	FILE *fp;

	if ((st = path_of(path, sizeof path, err, "%s/refs/%s", f->repo_dir, f->revision)) !=
	    XNR_OK)
		return st;
	snprintf(tmp, sizeof tmp, "%s", path);
	slash = strrchr(tmp, '/');
	*slash = '\0';
	if ((st = make_dirs(f, tmp, err)) != XNR_OK)
		return st;
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	fp = fopen(tmp, "w");
	if (fp) {
		int bad = fputs(f->commit, fp) < 0;
		bad |= fclose(fp) != 0;
		bad = bad || rename(tmp, path) != 0;
		if (!bad)
			return XNR_OK;
		unlink(tmp);
	}
	{
		int e = errno;
		return xnr_fail_at(
		    err, XNR_ERR_IO, f->model, 0,
		    "cannot write %s (%s); set HF_HUB_CACHE to a folder you can write", path,
		    strerror(e));
	}
}

/* The shards a downloaded index (its blob: the snapshot is linked last)
 * names: each must be a file of the repo. */
static enum xnr_status add_shards(struct xnr__hub *f, const json_t *sibs,
                                  const struct xnr__hub_file *index, struct xnr_error *err)
{
	char path[4096];
	json_t *root = NULL, *map;
	const char *key;
	json_t *v;
	enum xnr_status st;

	if ((st = path_of(path, sizeof path, err, "%s/blobs/%s", f->repo_dir, index->etag)) !=
	        XNR_OK ||
	    (st = xnr_json_load(path, HUB_MAX_INDEX_BYTES, &root, err)) != XNR_OK)
		return st;
	map = json_object_get(root, "weight_map");
	if (!json_is_object(map))
		st = xnr_fail_at(err, XNR_ERR_FORMAT, f->model, 0, "%s: no \"weight_map\" object",
		                 index->name);
	json_object_foreach(map, key, v)
	{
		const char *shard = json_string_value(v);
		if (st != XNR_OK)
			break;
		if (!shard || !in_siblings(sibs, shard))
			st = xnr_fail_at(err, XNR_ERR_FORMAT, f->model, 0,
			                 "%s: weight %s is in %s, which %s does not have at %s",
			                 index->name, key, shard ? shard : "(not a string)", f->id,
			                 f->commit);
		else
			st = add_file(f, shard, err);
	}
	json_decref(root);
	return st;
}

/* Files from `from` on that are not done: HEADs first, so the bar (shown
 * when bar is set and stderr is a terminal) knows the total. */
static enum xnr_status head_and_fetch(struct xnr__hub *f, int from, int bar, struct xnr_error *err)
{
	long long total = 0;
	enum xnr_status st;
	int i;

	for (i = from; i < f->n_files; i++)
		if (!f->files[i].done && (st = head_file(f, &f->files[i], err)) != XNR_OK)
			return st;
	for (i = from; i < f->n_files; i++)
		total += !f->files[i].done && f->files[i].size > 0 ? f->files[i].size : 0;
	f->done_bytes = 0;
	xnr_progress_init(&f->progress, bar ? stderr : NULL, 0, (long)(total >> 10),
	                  "kB downloaded");
	st = XNR_OK;
	for (i = from; i < f->n_files && st == XNR_OK; i++)
		if (!f->files[i].done && (st = fetch_blob(f, &f->files[i], err)) == XNR_OK)
			f->files[i].done = 1;
	if (st == XNR_OK)
		xnr_progress_finish(&f->progress);
	else if (f->progress.out)
		fputc('\n', f->progress.out);
	return st;
}

enum xnr_status xnr__hub_download(const char *model, const char *id, const char *revision,
                                  const char *repo_dir, const struct xnr_ctl *ctl, char commit[41],
                                  struct xnr_error *err)
{
	struct xnr__hub *f;
	json_t *info = NULL;
	const char *index = NULL;
	char blobs[4096];
	enum xnr_status st;
	int first, i;

	if ((st = xnr__hub_open(&f, model, id, revision, repo_dir, err)) != XNR_OK)
		return st;
	f->ctl = ctl;
	st = fetch_info(f, &info, err);
	if (st == XNR_OK &&
	    (st = path_of(blobs, sizeof blobs, err, "%s/blobs", repo_dir)) == XNR_OK &&
	    (st = make_dirs(f, blobs, err)) == XNR_OK)
		st = choose_files(f, json_object_get(info, "siblings"), &index, err);
	if (st == XNR_OK && index) {
		first = f->n_files - 1;
		if ((st = head_and_fetch(f, first, 0, err)) == XNR_OK)
			st =
			    add_shards(f, json_object_get(info, "siblings"), &f->files[first], err);
	}
	if (st == XNR_OK)
		st = head_and_fetch(f, 0, 1, err);
	/* the snapshot only once every blob is in: a download cut short leaves
	 * no folder that looks like a model without its weights */
	for (i = 0; i < f->n_files && st == XNR_OK; i++)
		st = link_file(f, &f->files[i], err);
	if (st == XNR_OK && strcmp(revision, f->commit) != 0)
		st = write_ref(f, err);
	if (st == XNR_OK)
		memcpy(commit, f->commit, 41);
	json_decref(info);
	xnr__hub_close(f);
	return st;
}
