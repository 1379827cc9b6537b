/*
 * fuzz_data_arrow.c - libFuzzer target for the Arrow IPC reader of saved
 * datasets (data/arrow.c over data/flatbuf.c; body in data_fuzz.h): one
 * .arrow file, stream or file format, integer tags named by CoNLL-2003's
 * ClassLabel. Seeds: tests/fuzz/corpus/data_arrow/ (tests/gen/gen_arrow_fixtures.sh).
 */
#include "data_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_dataset_labels(data, size, XNR_DATA_ARROW,
	                           "O,B-PER,I-PER,B-ORG,I-ORG,B-LOC,I-LOC,B-MISC,I-MISC");
}
