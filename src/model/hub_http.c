/*
 * hub_http.c - the HTTP side of the hub client (hub_fetch.c), with libcurl:
 * one session per download (endpoint, token, one curl handle whose
 * connections are reused), requests with the timeouts that keep anything
 * from hanging, the headers the hub protocol reads (reference/hf-formats.md
 * 6.1), bodies to capped memory or to a blob at an offset, and the hub's
 * answers as one-line errors. The only files that talk to the network are
 * this one and hub_fetch.c.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "model/hub_internal.h"

static pthread_once_t hub_curl_once = PTHREAD_ONCE_INIT;
static CURLcode hub_curl_init_rc = CURLE_FAILED_INIT;

static void hub_curl_init(void)
{
	hub_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The token as huggingface_hub finds it: $HF_TOKEN, $HUGGING_FACE_HUB_TOKEN,
 * else the file $HF_TOKEN_PATH or $HF_HOME/token; whitespace stripped. */
static void hub_token(char *buf, size_t n)
{
	char path[2048], line[1024] = "";
	const char *v;
	FILE *fp;
	size_t i, len;

	buf[0] = '\0';
	if (((v = getenv("HF_TOKEN")) && *v) || ((v = getenv("HUGGING_FACE_HUB_TOKEN")) && *v)) {
		snprintf(line, sizeof line, "%s", v);
	} else {
		if ((v = getenv("HF_TOKEN_PATH")) && *v)
			snprintf(path, sizeof path, "%s", v);
		else if ((v = getenv("HF_HOME")) && *v)
			snprintf(path, sizeof path, "%s/token", v);
		else if ((v = getenv("XDG_CACHE_HOME")) && *v)
			snprintf(path, sizeof path, "%s/huggingface/token", v);
		else
			snprintf(path, sizeof path, "%s/.cache/huggingface/token",
			         (v = getenv("HOME")) ? v : "");
		fp = fopen(path, "r");
		if (!fp)
			return;
		if (!fgets(line, sizeof line, fp))
			line[0] = '\0';
		fclose(fp);
	}
	for (v = line; isspace((unsigned char)*v); v++)
		;
	len = strlen(v);
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	/* a token is one printable word: nothing that could end the header */
	for (i = 0; i < len; i++)
		if (!isgraph((unsigned char)v[i]))
			return;
	if (len > 0 && len + 1 < n) {
		memcpy(buf, v, len);
		buf[len] = '\0';
	}
}

/* Copy a header's value, trimmed, without a weak marker or quotes (ETags). */
static void header_value(char *dst, size_t n, const char *v, size_t len, int etag)
{
	while (len > 0 && isspace((unsigned char)*v))
		v++, len--;
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	if (etag && len >= 2 && v[0] == 'W' && v[1] == '/')
		v += 2, len -= 2;
	if (etag && len >= 2 && v[0] == '"' && v[len - 1] == '"')
		v++, len -= 2;
	if (len >= n)
		len = n - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct xnr__hub_reply *r = ((struct xnr__hub_sink *)arg)->reply;
	size_t len = size * n;
	const char *colon = memchr(data, ':', len);
	char num[32];
	size_t k;

	if (len > 5 && memcmp(data, "HTTP/", 5) == 0) {
		const char *sp = memchr(data, ' ', len);
		memset(r, 0, sizeof *r);
		r->linked_size = r->content_length = -1;
		/* the status, known before the body: on_body needs it */
		if (sp && (size_t)(sp - data) + 4 < len)
			r->code = strtol(sp + 1, NULL, 10);
		return len;
	}
	if (!colon)
		return len;
	k = (size_t)(colon - data);
	len -= k + 1;
#define HUB_IS(name) (k == sizeof(name) - 1 && strncasecmp(data, (name), k) == 0)
	if (HUB_IS("etag"))
		header_value(r->etag, sizeof r->etag, colon + 1, len, 1);
	else if (HUB_IS("x-linked-etag"))
		header_value(r->linked_etag, sizeof r->linked_etag, colon + 1, len, 1);
	else if (HUB_IS("x-repo-commit"))
		header_value(r->commit, sizeof r->commit, colon + 1, len, 0);
	else if (HUB_IS("location"))
		header_value(r->location, sizeof r->location, colon + 1, len, 0);
	else if (HUB_IS("x-error-code"))
		header_value(r->error_code, sizeof r->error_code, colon + 1, len, 0);
	else if (HUB_IS("x-error-message"))
		header_value(r->error_msg, sizeof r->error_msg, colon + 1, len, 0);
	else if (HUB_IS("x-linked-size") || HUB_IS("content-length")) {
		header_value(num, sizeof num, colon + 1, len, 0);
		*(HUB_IS("content-length") ? &r->content_length : &r->linked_size) =
		    strtoll(num, NULL, 10);
	}
#undef HUB_IS
	return size * n;
}

/* A body goes to the file only when the answer is the content (200, or 206
 * to a Range); an error page goes to memory for its message. A 200 to a
 * Range request is the whole file again: start over. */
static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct xnr__hub_sink *s = arg;
	size_t len = size * n, off = 0;
	long code = s->reply->code;

	if (s->fd >= 0 && (code == 200 || code == 206)) {
		if (!s->started && code == 200 && s->offset > 0) {
			if (ftruncate(s->fd, 0) != 0)
				goto write_fail;
			if (s->f)
				s->f->done_bytes -= s->offset;
			s->offset = 0;
		}
		s->started = 1;
		while (off < len) {
			ssize_t w = pwrite(s->fd, data + off, len - off, (off_t)s->offset);
			if (w <= 0)
				goto write_fail;
			off += (size_t)w;
			s->offset += w;
		}
		if (s->f) {
			s->f->done_bytes += (long long)len;
			xnr_progress_add(&s->f->progress,
			                 (long)(s->f->done_bytes >> 10) - s->f->progress.done);
		}
		return len;
	}
	if (s->len + len > s->max)
		return 0; /* over the cap: curl stops with a write error */
	if (s->len + len + 1 > s->cap) {
		size_t cap = (s->len + len + 1) * 2;
		char *p = realloc(s->buf, cap);
		if (!p)
			return 0;
		s->buf = p;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return len;
write_fail:
	s->failed = 1;
	s->write_errno = errno;
	return 0;
}

static int on_progress(void *arg, curl_off_t dl_total, curl_off_t dl_now, curl_off_t ul_total,
                       curl_off_t ul_now)
{
	(void)dl_total, (void)dl_now, (void)ul_total, (void)ul_now;
	return xnr_ctl_cancelled(((struct xnr__hub *)arg)->ctl);
}

/* One request: HEAD (head = 1) or GET of url into sink, redirects followed
 * only for a GET (the HEAD reads them), the token sent only when asked. */
CURLcode xnr__hub_request(struct xnr__hub *f, const char *url, int head, int with_auth,
                          long long range_from, struct xnr__hub_sink *sink)
{
	struct curl_slist *h = NULL, *h2;
	char range[64];
	CURLcode rc;

	curl_easy_reset(f->curl);
	f->errbuf[0] = '\0';
	memset(sink->reply, 0, sizeof *sink->reply);
	sink->reply->linked_size = sink->reply->content_length = -1;
	h2 = curl_slist_append(h, "Accept-Encoding: identity");
	if (h2 && with_auth && f->auth[0])
		h2 = curl_slist_append(h = h2, f->auth);
	if (!h2) {
		curl_slist_free_all(h);
		return CURLE_OUT_OF_MEMORY;
	}
	h = h2;
	curl_easy_setopt(f->curl, CURLOPT_URL, url);
	curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(f->curl, CURLOPT_USERAGENT, "explainer (huggingface_hub-compatible)");
	curl_easy_setopt(f->curl, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(f->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->curl, CURLOPT_NOSIGNAL, 1L);
	/* nothing hangs: 10 s to connect, and a transfer under 1 kB/s for 30 s stops */
	curl_easy_setopt(f->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(f->curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(f->curl, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(f->curl, CURLOPT_NOBODY, head ? 1L : 0L);
	curl_easy_setopt(f->curl, CURLOPT_FOLLOWLOCATION, head ? 0L : 1L);
	curl_easy_setopt(f->curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(f->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(f->curl, CURLOPT_HEADERDATA, sink);
	curl_easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, sink);
	if (f->ctl) {
		curl_easy_setopt(f->curl, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(f->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(f->curl, CURLOPT_XFERINFODATA, f);
	}
	if (range_from > 0) {
		snprintf(range, sizeof range, "%lld-", range_from);
		curl_easy_setopt(f->curl, CURLOPT_RANGE, range);
	}
	rc = curl_easy_perform(f->curl);
	curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &sink->reply->code);
	curl_slist_free_all(h);
	return rc;
}

/* A request that got no answer: the network, DNS, a timeout. */
enum xnr_status xnr__hub_net_fail(struct xnr__hub *f, CURLcode rc, struct xnr_error *err)
{
	if (rc == CURLE_OUT_OF_MEMORY)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory downloading %s", f->model);
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return xnr_fail_at(
		    err, XNR_ERR_CANCELLED, f->model, 0,
		    "download cancelled (what came is kept: the next run resumes it)");
	return xnr_fail_at(err, XNR_ERR_IO, f->model, 0,
	                   "not a folder here, and the Hugging Face hub at %s cannot be reached "
	                   "(%s): check the network or HF_ENDPOINT, or set HF_HUB_OFFLINE=1 and "
	                   "give a local model folder",
	                   f->endpoint, f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc));
}

/* An answer that is an error: what the hub's status and X-Error-Code say. */
enum xnr_status xnr__hub_http_fail(struct xnr__hub *f, const struct xnr__hub_reply *r,
                                   const char *file, struct xnr_error *err)
{
	const char *ec = r->error_code;
	if ((r->code == 401 || r->code == 403) && strcmp(ec, "RepoNotFound") == 0)
		return xnr_fail_at(err, XNR_ERR_NOT_FOUND, f->model, 0,
		                   "no such folder here, and %s has no model %s (HTTP %ld), or one "
		                   "that is private: check the path or the id, or set HF_TOKEN",
		                   f->endpoint, f->id, r->code);
	if (r->code == 401 || r->code == 403) {
		if (!f->auth[0])
			return xnr_fail_at(
			    err, XNR_ERR_DENIED, f->model, 0,
			    "%s refused access (HTTP %ld%s%s): the model is gated or private; set "
			    "HF_TOKEN to a token that can read it (huggingface.co/settings/tokens; "
			    "accept the model's terms on its page)",
			    f->endpoint, r->code, ec[0] ? ", " : "", ec);
		return xnr_fail_at(
		    err, XNR_ERR_DENIED, f->model, 0,
		    "%s refused access with the token of HF_TOKEN (HTTP %ld%s%s): "
		    "accept the model's terms on its page, or set HF_TOKEN to a token "
		    "that can read it",
		    f->endpoint, r->code, ec[0] ? ", " : "", ec);
	}
	if (r->code == 404 && strcmp(ec, "RevisionNotFound") == 0)
		return xnr_fail_at(err, XNR_ERR_NOT_FOUND, f->model, 0,
		                   "%s has no revision '%s' of %s (check the branch, tag or commit "
		                   "after @)",
		                   f->endpoint, f->revision, f->id);
	if (r->code == 404 && file)
		return xnr_fail_at(err, XNR_ERR_NOT_FOUND, f->model, 0,
		                   "%s has no file %s in %s at %s", f->endpoint, file, f->id,
		                   f->commit);
	if (r->code == 404)
		return xnr_fail_at(
		    err, XNR_ERR_NOT_FOUND, f->model, 0,
		    "no such folder here, and %s has no model %s (check the path, or "
		    "the id: e.g. dslim/bert-base-NER)",
		    f->endpoint, f->id);
	return xnr_fail_at(err, XNR_ERR_IO, f->model, 0, "%s answered HTTP %ld for %s%s%s",
	                   f->endpoint, r->code, file ? file : "the model's file list",
	                   r->error_msg[0] ? ": " : "", r->error_msg);
}

enum xnr_status xnr__hub_open(struct xnr__hub **out, const char *model, const char *id,
                              const char *revision, const char *repo_dir, struct xnr_error *err)
{
	struct xnr__hub *f;
	char token[1024];
	const char *v;
	size_t n;

	pthread_once(&hub_curl_once, hub_curl_init);
	if (hub_curl_init_rc != CURLE_OK)
		return xnr_fail(err, XNR_ERR_INTERNAL, "cannot initialise libcurl");
	if (!(f = calloc(1, sizeof *f)) || !(f->curl = curl_easy_init())) {
		free(f);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	f->model = model;
	f->id = id;
	f->revision = revision;
	f->repo_dir = repo_dir;
	v = getenv("HF_ENDPOINT");
	snprintf(f->endpoint, sizeof f->endpoint, "%s", v && *v ? v : "https://huggingface.co");
	n = strlen(f->endpoint);
	while (n > 0 && f->endpoint[n - 1] == '/')
		f->endpoint[--n] = '\0';
	hub_token(token, sizeof token);
	if (token[0])
		snprintf(f->auth, sizeof f->auth, "Authorization: Bearer %s", token);
	*out = f;
	return XNR_OK;
}

void xnr__hub_close(struct xnr__hub *f)
{
	if (f) {
		curl_easy_cleanup(f->curl);
		free(f);
	}
}
