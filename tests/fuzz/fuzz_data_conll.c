/*
 * fuzz_data_conll.c - libFuzzer target for the CONLL reader (body in
 * data_fuzz.h). Seeds: tests/fuzz/corpus/data_conll/.
 */
#include "data_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_dataset(data, size, XNR_DATA_CONLL);
}
