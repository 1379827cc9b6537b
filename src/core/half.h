/*
 * half.h - IEEE 754 binary16 (F16) to and from binary32: F16 weights
 * (model/load.c) and hidden states stored as F16 (`explainer run
 * --hidden-dtype f16`, store/writer.c and store/rows.c).
 */
#ifndef XNR_CORE_HALF_H
#define XNR_CORE_HALF_H

#include <stdint.h>

/* Exact for every input (subnormals, infinities, NaN). Thread-safe. */
float xnr_f16_to_f32(uint16_t h);

/* Round to nearest, ties to even (as numpy's astype(float16) and torch's
 * .half()); beyond the F16 range: infinity; NaN stays a (quiet) NaN. */
uint16_t xnr_f32_to_f16(float f);

#endif
