/*
 * model/hub_internal.h - the hub's network side, called by hub.c when a
 * model id is not in the cache: what to download and the cache it goes to
 * (hub_fetch.c), over HTTP (hub_http.c). Not for use outside src/model/.
 */
#ifndef XNR_MODEL_HUB_INTERNAL_H
#define XNR_MODEL_HUB_INTERNAL_H

#include <curl/curl.h>
#include <stddef.h>

#include "core/ctl.h"
#include "core/progress.h"
#include "core/status.h"

#define XNR__HUB_MAX_FILES 256 /* files of one model, shards included */

/* One needed file: its name in the repo and what the HEAD said of it. */
struct xnr__hub_file {
	char name[256];
	char etag[129];
	char url[2048]; /* where to GET it: the resolve URL or its CDN location */
	int same_host;  /* url is on the endpoint's host: send the token */
	long long size; /* -1: not known */
	int done;       /* in the blobs */
};

/* The headers of one answer that the hub protocol reads. */
struct xnr__hub_reply {
	long code;
	char etag[160], linked_etag[160], commit[64], location[2048], error_code[64];
	char error_msg[256];
	long long linked_size, content_length;
};

/* Where an answer's body goes: memory (capped) or a file at an offset. */
struct xnr__hub_sink {
	struct xnr__hub_reply *reply;
	char *buf;
	size_t len, cap, max;
	int fd;           /* -1: to memory */
	long long offset; /* next byte of the file */
	int started;      /* the first body byte came: the status is known */
	int failed;       /* a write failed (errno in write_errno) */
	int write_errno;
	struct xnr__hub *f; /* for progress; NULL: none */
};

/* One download: the session hub_http.c opens and the files hub_fetch.c fills. */
struct xnr__hub {
	CURL *curl;
	const char *model; /* as given, for messages */
	const char *id, *revision, *repo_dir;
	const struct xnr_ctl *ctl; /* may be NULL */
	char endpoint[1024];
	char auth[1200]; /* "Authorization: Bearer ..." or "" */
	char errbuf[CURL_ERROR_SIZE];
	char commit[41];
	struct xnr__hub_file files[XNR__HUB_MAX_FILES];
	int n_files;
	struct xnr_progress progress;
	long long done_bytes;
};

/* A session for repo id at revision, for model (as the user gave it, for
 * messages): $HF_ENDPOINT (default https://huggingface.co, trailing '/'
 * dropped) and the token ($HF_TOKEN, $HUGGING_FACE_HUB_TOKEN, else the file
 * $HF_TOKEN_PATH or $HF_HOME/token). The strings are borrowed. Free with
 * xnr__hub_close (NULL is fine). Errors: XNR_ERR_NOMEM, XNR_ERR_INTERNAL. */
XNR_MUST_CHECK enum xnr_status xnr__hub_open(struct xnr__hub **out, const char *model,
                                             const char *id, const char *revision,
                                             const char *repo_dir, struct xnr_error *err);
void xnr__hub_close(struct xnr__hub *f);

/* One HEAD (head = 1: redirects not followed, the caller reads them) or GET
 * (redirects followed, http and https only) of url into sink, the token
 * sent when with_auth, from byte range_from when > 0. Connects within 10 s;
 * a transfer under 1 kB/s for 30 s stops, and so does one f->ctl cancels
 * (CURLE_ABORTED_BY_CALLBACK). sink->reply gets the status and
 * headers (also when curl fails mid-body). Returns curl's code. */
CURLcode xnr__hub_request(struct xnr__hub *f, const char *url, int head, int with_auth,
                          long long range_from, struct xnr__hub_sink *sink);

/* The one-line error of a request that got no answer (network, DNS,
 * timeout: XNR_ERR_IO naming the endpoint, suggesting HF_HUB_OFFLINE=1;
 * stopped by f->ctl: XNR_ERR_CANCELLED) and
 * of an answer that is an error (401/403: XNR_ERR_DENIED, set HF_TOKEN;
 * 404: XNR_ERR_NOT_FOUND, model, revision or file (NULL: the file list);
 * else XNR_ERR_IO with the status). Return the status. */
enum xnr_status xnr__hub_net_fail(struct xnr__hub *f, CURLcode rc, struct xnr_error *err);
enum xnr_status xnr__hub_http_fail(struct xnr__hub *f, const struct xnr__hub_reply *r,
                                   const char *file, struct xnr_error *err);

/* Download what a model needs (config.json, the tokenizer files the repo has,
 * model.safetensors or its index and shards, else pytorch_model.bin or its
 * index and shards) of repo `id` ("org/name") at `revision` (a branch, tag
 * or commit) into repo_dir (<cache>/models--org--name) in the hub cache's
 * layout: blobs/<etag>, snapshots/<commit>/<file> linked to them, and
 * refs/<revision> written last, once every file is in place. `model` is the
 * argument as the user gave it, for messages. Resumes a blob left
 * .incomplete by an interrupted run. Sets commit (41 bytes) on success.
 * Errors: XNR_ERR_DENIED (401/403: gated or private, set HF_TOKEN),
 * XNR_ERR_NOT_FOUND (404: model, revision or file), XNR_ERR_IO (network
 * down, timeouts, a cache folder that cannot be written, a blob whose size
 * or sha256 is not the hub's), XNR_ERR_FORMAT (an answer that is not the
 * hub's), XNR_ERR_NOMEM; each names the model and says how to fix it.
 * XNR_ERR_CANCELLED when ctl (may be NULL) asks to stop, the blob being
 * written kept as .incomplete. Thread-safe (curl is initialised once). */
XNR_MUST_CHECK enum xnr_status xnr__hub_download(const char *model, const char *id,
                                                 const char *revision, const char *repo_dir,
                                                 const struct xnr_ctl *ctl, char commit[41],
                                                 struct xnr_error *err);

#endif
