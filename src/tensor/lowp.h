/*
 * lowp.h - the opt-in lower precisions of the Linear layers (issue #13):
 * bf16 (weights and the GEMM inputs rounded to bfloat16, products summed in
 * f32, on AVX-512 BF16) and int8 (weights quantised per output channel to
 * s8, symmetric; activations per row to u8 around 128 at run time; products
 * summed in s32 on AVX-512 VNNI). Embeddings, LayerNorm, softmax, attention
 * and the classifier stay f32. fp32 is the default and exact.
 *
 * Weights are made once (xnr_lowp_w_make); a Linear's input is converted once
 * for every Linear that reads it (xnr_lowp_x_make) into memory the caller
 * owns; the products are tensor/gemm.h's xnr_gemm_linear_pool_lowp.
 */
#ifndef XNR_TENSOR_LOWP_H
#define XNR_TENSOR_LOWP_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

enum xnr_precision {
	XNR_PRECISION_FP32 = 0,
	XNR_PRECISION_BF16,
	XNR_PRECISION_INT8,
};

/* "fp32", "bf16", "int8". */
const char *xnr_precision_name(enum xnr_precision p);

/* The precision named s (the names above); XNR_ERR_INPUT otherwise, with
 * the names accepted. */
XNR_MUST_CHECK enum xnr_status xnr_precision_parse(const char *s, enum xnr_precision *out,
                                                   struct xnr_error *err);

/* XNR_OK when this build and this CPU run p at speed: bf16 needs AVX-512
 * BF16, int8 AVX-512 VNNI, both the oneDNN build. Else XNR_ERR_UNSUPPORTED
 * saying what is missing and that fp32 runs everywhere. */
XNR_MUST_CHECK enum xnr_status xnr_precision_check(enum xnr_precision p, struct xnr_error *err);

/* A Linear's weights [n_out, n_in] in bf16 (data: uint16_t bit patterns) or
 * int8 (data: int8_t, scale[n_out] the per-channel step). */
struct xnr_lowp_w {
	enum xnr_precision prec;
	int n_out, n_in;
	void *data;
	float *scale;
};

/* Convert f32 weights w [n_out, n_in] to prec (bf16: round to nearest even,
 * as torch; int8: step = max |w| of the row / 127, w / step rounded to the
 * nearest, ties to even). Errors: XNR_ERR_NOMEM, XNR_ERR_INTERNAL for
 * XNR_PRECISION_FP32. */
XNR_MUST_CHECK enum xnr_status xnr_lowp_w_make(enum xnr_precision prec, const float *w, int n_out,
                                               int n_in, struct xnr_lowp_w *out,
                                               struct xnr_error *err);
void xnr_lowp_w_free(struct xnr_lowp_w *w);

/* A Linear's input [m, n_in] converted for prec: bf16 bit patterns, or u8
 * values q = round(x / scale[r]) + 128 with scale[r] = max |x| of row r / 127
 * (1 for a row of zeros). */
struct xnr_lowp_x {
	enum xnr_precision prec;
	int m, n_in;
	const void *data;
	const float *scale;
};

/* Bytes of caller memory xnr_lowp_x_make needs for m rows of n_in. */
size_t xnr_lowp_x_bytes(enum xnr_precision prec, int m, int n_in);

/* Rows [r0, r1) of x [m, n_in] converted into mem (xnr_lowp_x_bytes(prec, m,
 * n_in) bytes, 64-byte aligned), described by out (set whole on every call).
 * Rows are independent: pool workers may convert disjoint ranges at once. */
void xnr_lowp_x_make(enum xnr_precision prec, const float *x, int m, int n_in, long r0, long r1,
                     void *mem, struct xnr_lowp_x *out);

/* The int8 product's s32 sums, held in the f32 slots of c [m, n] (row
 * stride ldc), turned in place into c[r][j] * a_scale[r] * b_scale[j]. */
void xnr_lowp_dequant(float *c, int m, int n, int ldc, const float *a_scale, const float *b_scale);

/* f32 to the bf16 bit pattern, round to nearest even (NaN kept a NaN). */
uint16_t xnr_bf16_from_f32(float f);

#endif
