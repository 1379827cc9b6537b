/*
 * fuzz_model_torchbin.c - a whole pytorch_model.bin (model/torchbin.c: the
 * zip read by libzip with its CRCs, data.pkl through the restricted
 * unpickler, the storages): the input is the file, opened from an in-memory
 * file (memfd). A success must give tensors whose bytes lie in what was read
 * (every byte is read so ASan sees any that does not) and match their dtype
 * and shape. Seeds: small torch.save'd state dicts and damaged copies of them
 * (tests/gen/gen_torchbin.py --seeds).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model/internal.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned touch(const struct xnr__torch_file *f)
{
	unsigned sum = 0;

	for (int i = 0; i < f->dict.n_tensors; i++) {
		const struct xnr_st_tensor *t = &f->tensors[i];
		const unsigned char *p = t->data;
		int64_t n = 1;
		for (int k = 0; k < t->n_dims; k++)
			n *= t->shape[k];
		FUZZ_CHECK(n == t->n_elems);
		FUZZ_CHECK(p >= (const unsigned char *)f->data &&
		           p + t->n_bytes <= (const unsigned char *)f->data + f->n_bytes);
		for (size_t k = 0; k < t->n_bytes; k++)
			sum += p[k];
	}
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xnr__torch_file f;
	struct xnr_error err;
	char path[64];
	int fd = memfd_create("pytorch_model.bin", MFD_CLOEXEC);
	volatile unsigned sink;

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr__torch_file_read(path, &f, &err), &err) == XNR_OK) {
		sink = touch(&f);
		(void)sink;
		xnr__torch_file_free(&f);
	} else {
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
	}
	close(fd);
	return 0;
}
