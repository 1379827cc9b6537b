/*
 * hub.h - finding a model given as a Hugging Face hub id ("dslim/bert-base-NER")
 * in the local hub cache that transformers and huggingface_hub fill
 * (reference/hf-formats.md 6.2), and downloading it there when it is not
 * (libcurl; HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE honoured as huggingface_hub does).
 */
#ifndef XNR_MODEL_HUB_H
#define XNR_MODEL_HUB_H

#include <stddef.h>

#include "core/ctl.h"
#include "core/status.h"

/* The hub cache folder: $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE, else
 * $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
 * ~/.cache/huggingface/hub. XNR_ERR_LIMIT if it does not fit in buf. */
XNR_MUST_CHECK enum xnr_status xnr_hub_cache_dir(char *buf, size_t buf_bytes,
                                                 struct xnr_error *err);

/* Resolve a model argument to a folder without the network: an existing
 * folder is returned as is; otherwise a hub id ("org/name" or "name",
 * optionally "@revision") is looked up as snapshots/<commit> of
 * models--org--name in the cache, the commit read from refs/<revision>
 * (default main) unless the revision is a 40-hex commit. Errors:
 * XNR_ERR_NOT_FOUND naming the model (err->path) and the cache path
 * searched, with how to fix it. */
XNR_MUST_CHECK enum xnr_status xnr_hub_find(const char *model, char *dir, size_t dir_bytes,
                                            struct xnr_error *err);

/* xnr_hub_find, and when a hub id is not in the cache (or its snapshot
 * lacks config.json or the weights, as one huggingface_hub fetched a single
 * file into), download it there
 * (model/hub_internal.h: only the files a model needs, resumable, a progress
 * bar on stderr when it is a terminal) from $HF_ENDPOINT (default
 * https://huggingface.co), with $HF_TOKEN (or the token file) for gated and
 * private models. A model found in the cache never touches the network;
 * with HF_HUB_OFFLINE=1 (or TRANSFORMERS_OFFLINE=1) nothing does, and a
 * missing model is XNR_ERR_NOT_FOUND saying offline mode is on. Download
 * errors: see xnr__hub_download. Thread-safe. */
XNR_MUST_CHECK enum xnr_status xnr_hub_resolve(const char *model, char *dir, size_t dir_bytes,
                                               struct xnr_error *err);

/* xnr_hub_resolve whose download stops when ctl's cancel flag is set
 * (XNR_ERR_CANCELLED; what came is kept for the next run to resume); ctl
 * may be NULL. */
XNR_MUST_CHECK enum xnr_status xnr_hub_resolve_ctl(const char *model, const struct xnr_ctl *ctl,
                                                   char *dir, size_t dir_bytes,
                                                   struct xnr_error *err);

#endif
