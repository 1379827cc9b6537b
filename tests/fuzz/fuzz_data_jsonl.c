/*
 * fuzz_data_jsonl.c - libFuzzer target for the JSONL reader (body in
 * data_fuzz.h). Seeds: tests/fuzz/corpus/data_jsonl/.
 */
#include "data_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_dataset(data, size, XNR_DATA_JSONL);
}
