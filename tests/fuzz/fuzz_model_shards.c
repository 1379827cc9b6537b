/*
 * fuzz_model_shards.c - a sharded checkpoint (model/safetensors.c,
 * xnr_safetensors_open_dir): the input's first part (util.h FUZZ_SEP) is
 * model.safetensors.index.json, part k >= 1 is written as
 * model-0000k-of-0000n.safetensors next to it, in a scratch folder. A loaded
 * checkpoint must hand out tensors that lie inside their shard's mapping
 * (every byte is read, so ASan sees any that does not), whose size is dtype x
 * shape, found by name, in a shard that exists. Seeds: the bert_sharded
 * fixture, and small index + shard sets (tests/fuzz/corpus/model_shards/).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/safetensors.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SHARDS 5

/* Bytes per element of the dtypes the reader computes sizes for. */
static size_t dtype_bytes(enum xnr_dtype d)
{
	static const size_t bytes[XNR_DTYPE_COUNT] = {
	    [XNR_DTYPE_F32] = 4, [XNR_DTYPE_F16] = 2, [XNR_DTYPE_BF16] = 2, [XNR_DTYPE_F64] = 8,
	    [XNR_DTYPE_I64] = 8, [XNR_DTYPE_I32] = 4, [XNR_DTYPE_I16] = 2,  [XNR_DTYPE_I8] = 1,
	    [XNR_DTYPE_U8] = 1,  [XNR_DTYPE_BOOL] = 1};
	return bytes[d];
}

static unsigned check(const struct xnr_safetensors *st, int n_files, size_t total_bytes)
{
	unsigned sum = 0;

	FUZZ_CHECK(xnr_safetensors_count(st) >= 0);
	FUZZ_CHECK(xnr_safetensors_bytes(st) <= total_bytes);
	for (int i = 0; i < xnr_safetensors_count(st); i++) {
		const struct xnr_st_tensor *t = xnr_safetensors_at(st, i);
		const unsigned char *p = t->data;
		int64_t n = 1;
		FUZZ_CHECK(t->shard >= 0 && t->shard < n_files);
		FUZZ_CHECK((unsigned)t->dtype < XNR_DTYPE_COUNT);
		FUZZ_CHECK(t->n_dims >= 0 && t->n_dims <= XNR_ST_MAX_DIMS);
		for (int d = 0; d < t->n_dims; d++)
			FUZZ_CHECK(t->shape[d] >= 0 && !__builtin_mul_overflow(n, t->shape[d], &n));
		FUZZ_CHECK(n == t->n_elems);
		FUZZ_CHECK(t->dtype == XNR_DTYPE_OTHER ||
		           t->n_bytes == (size_t)t->n_elems * dtype_bytes(t->dtype));
		for (size_t k = 0; k < t->n_bytes; k++)
			sum += p[k];
		FUZZ_CHECK(xnr_safetensors_find(st, t->name) == t);
	}
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[MAX_SHARDS + 1];
	int n = fuzz_split(data, size, parts, MAX_SHARDS + 1);
	struct xnr_safetensors *st = NULL;
	struct xnr_error err;
	volatile unsigned sink;

	fuzz_dir_clear();
	fuzz_dir_write("model.safetensors.index.json", parts[0].s, parts[0].len);
	for (int k = 1; k < n; k++) {
		char name[64];
		snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", k, n - 1);
		fuzz_dir_write(name, parts[k].s, parts[k].len);
	}
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_safetensors_open_dir(fuzz_dir(), &st, &err), &err) == XNR_OK) {
		sink = check(st, n - 1, size);
		(void)sink;
		xnr_safetensors_close(st);
	}
	return 0;
}
