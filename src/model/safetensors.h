/*
 * safetensors.h - a model's weights by name: a validating reader for
 * .safetensors files and sharded checkpoints (model.safetensors.index.json),
 * memory-mapped; a model folder with only pytorch_model.bin (or its sharded
 * index) is read through the same interface (model/torchbin.c, into memory).
 *
 * Validation follows the reference reader (safetensors/src/tensor.rs;
 * reference/hf-formats.md 1.3): header size limits, JSON, duplicate keys,
 * offsets covering the buffer with no holes or overlaps, sizes matching
 * dtype x shape, and the file length matching exactly.
 */
#ifndef XNR_MODEL_SAFETENSORS_H
#define XNR_MODEL_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

enum xnr_dtype {
	XNR_DTYPE_F32,
	XNR_DTYPE_F16,
	XNR_DTYPE_BF16,
	XNR_DTYPE_F64,
	XNR_DTYPE_I64,
	XNR_DTYPE_I32,
	XNR_DTYPE_I16,
	XNR_DTYPE_I8,
	XNR_DTYPE_U8,
	XNR_DTYPE_BOOL,
	XNR_DTYPE_OTHER, /* a dtype the format knows (U16, F8_*, ...) that we never compute with */
	XNR_DTYPE_COUNT
};

#define XNR_ST_MAX_DIMS 8

struct xnr_st_tensor {
	const char *name;
	enum xnr_dtype dtype;
	int n_dims;
	int64_t shape[XNR_ST_MAX_DIMS];
	int64_t n_elems;
	const void *data; /* into the mapping; may be unaligned */
	size_t n_bytes;
	int shard; /* which file it lives in */
};

struct xnr_safetensors;

/* Open a single .safetensors file. */
XNR_MUST_CHECK enum xnr_status xnr_safetensors_open(const char *path, struct xnr_safetensors **out,
                                                    struct xnr_error *err);

/* Open a model folder's weights, the first present of model.safetensors,
 * model.safetensors.index.json and its shards, pytorch_model.bin,
 * pytorch_model.bin.index.json and its shards (transformers' order). A .bin is
 * read with a restricted unpickler that runs nothing (XNR_ERR_UNSUPPORTED for a
 * refused global or opcode). Errors name the file (and zip entry). */
XNR_MUST_CHECK enum xnr_status
xnr_safetensors_open_dir(const char *dir, struct xnr_safetensors **out, struct xnr_error *err);

void xnr_safetensors_close(struct xnr_safetensors *st);

int xnr_safetensors_count(const struct xnr_safetensors *st);
const struct xnr_st_tensor *xnr_safetensors_at(const struct xnr_safetensors *st, int i);
/* NULL when absent. */
const struct xnr_st_tensor *xnr_safetensors_find(const struct xnr_safetensors *st,
                                                 const char *name);
/* Total bytes mapped or read. */
size_t xnr_safetensors_bytes(const struct xnr_safetensors *st);
/* The weights file or index that was opened, for messages. */
const char *xnr_safetensors_source(const struct xnr_safetensors *st);

const char *xnr_dtype_str(enum xnr_dtype dtype);

#endif
