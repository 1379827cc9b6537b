/*
 * fuzz_model_pickle.c - the restricted unpickler (model/pickle.c) on a
 * data.pkl: the input is the pickle. A success must be what torchbin.c builds
 * on: names and storage keys that are C strings, at most XNR_ST_MAX_DIMS
 * non-negative sizes, a known dtype, a non-negative offset and storage size.
 * Nothing the input asks for may ever run. Seeds: the data.pkl torch.save
 * writes (protocol 2 and 4) and hostile pickles (tests/gen/gen_torchbin.py --seeds).
 */
#include <stdint.h>
#include <string.h>

#include "model/internal.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct xnr__pt_dict *d)
{
	FUZZ_CHECK(d->n_tensors >= 0 && (d->n_tensors == 0 || d->tensors != NULL));
	for (int i = 0; i < d->n_tensors; i++) {
		const struct xnr__pt_tensor *t = &d->tensors[i];
		FUZZ_CHECK(t->name != NULL && t->key != NULL);
		FUZZ_CHECK(strlen(t->name) < 1 << 30 && strlen(t->key) < 1 << 30);
		FUZZ_CHECK((unsigned)t->dtype < XNR_DTYPE_OTHER);
		FUZZ_CHECK(t->n_dims >= 0 && t->n_dims <= XNR_ST_MAX_DIMS);
		FUZZ_CHECK(t->offset >= 0 && t->storage_numel >= 0);
		for (int k = 0; k < t->n_dims; k++)
			FUZZ_CHECK(t->size[k] >= 0 && t->stride[k] >= 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xnr__pt_dict d;
	struct xnr_error err;
	enum xnr_status s;

	xnr_error_clear(&err);
	s = xnr__pickle_state_dict(data, size, "fuzz.bin", "archive/data.pkl", &d, &err);
	if (fuzz_check_status(s, &err) == XNR_OK) {
		check(&d);
		xnr__pt_dict_free(&d);
	} else {
		FUZZ_CHECK(s == XNR_ERR_FORMAT || s == XNR_ERR_UNSUPPORTED || s == XNR_ERR_LIMIT ||
		           s == XNR_ERR_NOMEM);
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
	}
	return 0;
}
