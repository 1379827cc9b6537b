/*
 * lowp.c - bf16 and int8 weights and inputs of the Linear layers (lowp.h):
 * conversions only; the products are in gemm.c, the only file that talks to
 * oneDNN. The hot loops are cloned per x86-64 level like kernels.c.
 */
#include "tensor/lowp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/hot.h"

static const char *const names[] = {"fp32", "bf16", "int8"};

const char *xnr_precision_name(enum xnr_precision p)
{
	return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

enum xnr_status xnr_precision_parse(const char *s, enum xnr_precision *out, struct xnr_error *err)
{
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (s && strcmp(s, names[i]) == 0) {
			*out = (enum xnr_precision)i;
			return XNR_OK;
		}
	return xnr_fail(err, XNR_ERR_INPUT, "precision '%s' is none of fp32, bf16, int8",
	                s ? s : "");
}

enum xnr_status xnr_precision_check(enum xnr_precision p, struct xnr_error *err)
{
	const char *need = p == XNR_PRECISION_BF16 ? "avx512bf16" : "avx512vnni";
	int have = 0;

	if (p == XNR_PRECISION_FP32)
		return XNR_OK;
#ifndef XNR_HAVE_DNNL
	return xnr_fail(err, XNR_ERR_UNSUPPORTED,
	                "--precision %s needs the oneDNN build of ExplaiNER (this one uses "
	                "OpenBLAS); use --precision fp32",
	                xnr_precision_name(p));
#endif
#if defined(__GNUC__) && defined(__x86_64__)
	__builtin_cpu_init();
	have = p == XNR_PRECISION_BF16 ? __builtin_cpu_supports("avx512bf16")
	                               : __builtin_cpu_supports("avx512vnni");
#endif
	if (!have)
		return xnr_fail(err, XNR_ERR_UNSUPPORTED,
		                "--precision %s needs a CPU with %s, which this one does not have; "
		                "use --precision fp32 (exact, on every CPU)",
		                xnr_precision_name(p), need);
	return XNR_OK;
}

uint16_t xnr_bf16_from_f32(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN: keep it quiet and a NaN */
		return (uint16_t)((u >> 16) | 0x40);
	return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

XNR_HOT static void bf16_row(const float *restrict x, uint16_t *restrict y, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		uint32_t u;
		memcpy(&u, &x[i], sizeof u);
		y[i] = (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
	}
}

XNR_HOT static float absmax(const float *restrict x, int n)
{
	float m = 0.0f;
	int i;

	for (i = 0; i < n; i++) { /* not fmaxf: a libm call per value, never vectorized */
		float a = fabsf(x[i]);
		m = a > m ? a : m;
	}
	return m;
}

/* q = nearbyint(x / step) + bias, clamped to [lo, hi]. */
XNR_HOT static void quant_row(const float *restrict x, float inv, int bias, int lo, int hi,
                              void *restrict out, int unsigned_out, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		int q = (int)nearbyintf(x[i] * inv) + bias;
		q = q < lo ? lo : q > hi ? hi : q;
		if (unsigned_out)
			((uint8_t *)out)[i] = (uint8_t)q;
		else
			((int8_t *)out)[i] = (int8_t)q;
	}
}

static float step_of(const float *x, int n)
{
	float m = absmax(x, n);
	return m > 0.0f ? m / 127.0f : 1.0f;
}

enum xnr_status xnr_lowp_w_make(enum xnr_precision prec, const float *w, int n_out, int n_in,
                                struct xnr_lowp_w *out, struct xnr_error *err)
{
	size_t n = (size_t)n_out * (size_t)n_in;
	long r;

	memset(out, 0, sizeof *out);
	if (prec == XNR_PRECISION_FP32 || n_out < 0 || n_in < 0)
		return xnr_fail(err, XNR_ERR_INTERNAL, "lowp: no %s weights of %dx%d",
		                xnr_precision_name(prec), n_out, n_in);
	out->prec = prec;
	out->n_out = n_out;
	out->n_in = n_in;
	out->data =
	    aligned_alloc(64, (n * (prec == XNR_PRECISION_BF16 ? 2 : 1) + 63) & ~(size_t)63);
	if (prec == XNR_PRECISION_INT8)
		out->scale = malloc(((size_t)n_out + 1) * sizeof *out->scale);
	if (!out->data || (prec == XNR_PRECISION_INT8 && !out->scale)) {
		xnr_lowp_w_free(out);
		return xnr_fail(err, XNR_ERR_NOMEM, "lowp: no memory for %s weights of %dx%d",
		                xnr_precision_name(prec), n_out, n_in);
	}
	for (r = 0; r < n_out; r++) {
		const float *row = w + r * (long)n_in;
		if (prec == XNR_PRECISION_BF16) {
			bf16_row(row, (uint16_t *)out->data + r * (long)n_in, n_in);
			continue;
		}
		out->scale[r] = step_of(row, n_in);
		quant_row(row, 1.0f / out->scale[r], 0, -127, 127,
		          (int8_t *)out->data + r * (long)n_in, 0, n_in);
	}
	return XNR_OK;
}

void xnr_lowp_w_free(struct xnr_lowp_w *w)
{
	if (!w)
		return;
	free(w->data);
	free(w->scale);
	memset(w, 0, sizeof *w);
}

size_t xnr_lowp_x_bytes(enum xnr_precision prec, int m, int n_in)
{
	size_t n = (size_t)m * (size_t)n_in, data;

	if (prec == XNR_PRECISION_FP32)
		return 0;
	data = (n * (prec == XNR_PRECISION_BF16 ? 2 : 1) + 63) & ~(size_t)63;
	return data + (prec == XNR_PRECISION_INT8 ? (size_t)m * sizeof(float) : 0);
}

void xnr_lowp_x_make(enum xnr_precision prec, const float *x, int m, int n_in, long r0, long r1,
                     void *mem, struct xnr_lowp_x *out)
{
	size_t data =
	    (((size_t)m * (size_t)n_in * (prec == XNR_PRECISION_BF16 ? 2 : 1)) + 63) & ~(size_t)63;
	float *scale = (float *)(void *)((char *)mem + data); /* after the codes, 64-byte aligned */
	long r;

	out->prec = prec;
	out->m = m;
	out->n_in = n_in;
	out->data = mem;
	out->scale = prec == XNR_PRECISION_INT8 ? scale : NULL;
	for (r = r0; r < r1; r++) {
		const float *row = x + r * (long)n_in;
		if (prec == XNR_PRECISION_BF16) {
			bf16_row(row, (uint16_t *)mem + r * (long)n_in, n_in);
			continue;
		}
		scale[r] = step_of(row, n_in);
		quant_row(row, 1.0f / scale[r], 128, 1, 255, (uint8_t *)mem + r * (long)n_in, 1,
		          n_in);
	}
}

XNR_HOT void xnr_lowp_dequant(float *c, int m, int n, int ldc, const float *a_scale,
                              const float *b_scale)
{
	long r;
	int j;

	for (r = 0; r < m; r++) {
		float *restrict row = c + r * ldc;
		float s = a_scale[r];
		for (j = 0; j < n; j++) {
			int32_t v;
			memcpy(&v, &row[j], sizeof v);
			row[j] = (float)v * (s * b_scale[j]);
		}
	}
}
