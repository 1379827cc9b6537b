/*
 * fuzz_model_safetensors.c - libFuzzer target for the safetensors reader:
 * each input is written to an in-memory file (memfd) and opened like a
 * model.safetensors, then every tensor's bytes are read so ASan sees any
 * pointer that escapes the mapping. Seeds: tests/fuzz/corpus/model_safetensors/.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned touch(const struct xnr_safetensors *st)
{
	unsigned sum = 0;
	int i;

	for (i = 0; i < xnr_safetensors_count(st); i++) {
		const struct xnr_st_tensor *t = xnr_safetensors_at(st, i);
		const unsigned char *p = t->data;
		for (size_t k = 0; k < t->n_bytes; k++)
			sum += p[k];
		if (xnr_safetensors_find(st, t->name) != t)
			__builtin_trap();
	}
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xnr_safetensors *st = NULL;
	struct xnr_error err;
	char path[64];
	int fd = memfd_create("fuzz.safetensors", MFD_CLOEXEC);
	volatile unsigned sink;

	if (fd < 0)
		return 0;
	if (size == 0 || write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		if (xnr_safetensors_open(path, &st, &err) == XNR_OK) {
			sink = touch(st);
			(void)sink;
			xnr_safetensors_close(st);
		}
	}
	close(fd);
	return 0;
}
