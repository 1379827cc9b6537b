/*
 * bench_gemm.c - the GEMM limit of the engine on this machine: the Linear
 * layers of a BERT-sized encoder alone (per layer Q, K, V, the attention
 * output, the two FFN products: 4 H x H + 2 H x I weights), run the way the
 * forward pass runs them (tensor/gemm.h: the compute pool splits output
 * columns, one oneDNN thread per pool thread; bf16 and int8 through
 * xnr_gemm_linear_pool_lowp on inputs converted once per Linear input, the
 * conversion timed too), on M rows, for each precision. Tokens/s = M rows
 * over the time of one layer's products times the layers: what a pass
 * would reach if everything but the GEMMs took no time. Prints one JSON line
 * per precision. Not a test.
 *
 * usage: bench_gemm [THREADS] [M] [H] [I] [LAYERS] [REPEATS]
 *        (defaults: 2, 704, 768, 3072, 12, 5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/pool.h"
#include "tensor/gemm.h"
#include "tensor/lowp.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static float *randv(size_t n, float scale)
{
	float *v = malloc(n * sizeof *v);
	size_t i;
	unsigned long long s = 0x2545F4914F6CDD1DULL + n;

	for (i = 0; v && i < n; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		v[i] = scale * (float)((double)(s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
	}
	return v;
}

struct shapes {
	int m, h, i;
	float *x, *xi, *w[6], *y[6];
	struct xnr_lowp_w lw[6];
	void *mem;
};

/* One layer's six products in prec; 0 on failure. */
static int layer(struct xnr_pool *pool, struct shapes *s, enum xnr_precision prec)
{
	struct xnr_error err;
	struct xnr_lowp_x lx;
	const int n_out[6] = {s->h, s->h, s->h, s->h, s->i, s->h};
	struct xnr_linear_out o[6];
	int k;

	for (k = 0; k < 6; k++) {
		o[k] = (struct xnr_linear_out){
		    s->w[k],  NULL,    XNR_ACT_LINEAR,
		    n_out[k], s->y[k], prec == XNR_PRECISION_FP32 ? NULL : &s->lw[k]};
	}
	if (prec == XNR_PRECISION_FP32)
		return xnr_gemm_linear_pool_n(pool, s->m, s->h, s->x, o, 3, &err) == XNR_OK &&
		       xnr_gemm_linear_pool_n(pool, s->m, s->h, s->x, o + 3, 2, &err) == XNR_OK &&
		       xnr_gemm_linear_pool_n(pool, s->m, s->i, s->xi, o + 5, 1, &err) == XNR_OK;
	/* the engine converts each Linear input once: x for Q, K, V; o's input; ff1's; ff2's */
	xnr_lowp_x_make(prec, s->x, s->m, s->h, 0, s->m, s->mem, &lx);
	if (xnr_gemm_linear_pool_lowp(pool, &lx, o, 3, &err) != XNR_OK)
		return 0;
	for (k = 3; k < 5; k++) {
		xnr_lowp_x_make(prec, s->x, s->m, s->h, 0, s->m, s->mem, &lx);
		if (xnr_gemm_linear_pool_lowp(pool, &lx, o + k, 1, &err) != XNR_OK)
			return 0;
	}
	xnr_lowp_x_make(prec, s->xi, s->m, s->i, 0, s->m, s->mem, &lx);
	return xnr_gemm_linear_pool_lowp(pool, &lx, o + 5, 1, &err) == XNR_OK;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 2, layers = argc > 5 ? atoi(argv[5]) : 12;
	int repeats = argc > 6 ? atoi(argv[6]) : 5, k, r;
	struct shapes s = {0};
	int n_out[6], n_in[6];
	struct xnr_pool *pool = NULL;
	struct xnr_error err;
	enum xnr_precision prec;

	s.m = argc > 2 ? atoi(argv[2]) : 704;
	s.h = argc > 3 ? atoi(argv[3]) : 768;
	s.i = argc > 4 ? atoi(argv[4]) : 3072;
	if (xnr_pool_open(threads, &pool, &err) != XNR_OK)
		return 1;
	for (k = 0; k < 6; k++) {
		n_out[k] = k == 4 ? s.i : s.h;
		n_in[k] = k == 5 ? s.i : s.h;
	}
	s.x = randv((size_t)s.m * s.h, 1.0f);
	s.xi = randv((size_t)s.m * s.i, 1.0f);
	s.mem = aligned_alloc(64, xnr_lowp_x_bytes(XNR_PRECISION_BF16, s.m, s.i) + 64);
	for (k = 0; k < 6; k++) {
		s.w[k] = randv((size_t)n_out[k] * n_in[k], 0.05f);
		s.y[k] = malloc((size_t)s.m * n_out[k] * sizeof(float));
	}
	for (prec = XNR_PRECISION_FP32; prec <= XNR_PRECISION_INT8; prec++) {
		double best = 1e30, flops = 2.0 * s.m * (4.0 * s.h * s.h + 2.0 * s.h * s.i);
		if (xnr_precision_check(prec, &err) != XNR_OK) {
			fprintf(stderr, "bench_gemm: %s\n", err.msg);
			continue;
		}
		for (k = 0; prec != XNR_PRECISION_FP32 && k < 6; k++) {
			xnr_lowp_w_free(&s.lw[k]);
			if (xnr_lowp_w_make(prec, s.w[k], n_out[k], n_in[k], &s.lw[k], &err) !=
			    XNR_OK)
				return 1;
		}
		layer(pool, &s, prec); /* warm-up */
		for (r = 0; r < repeats; r++) {
			double t0 = now();
			if (!layer(pool, &s, prec))
				return 1;
			best = best < now() - t0 ? best : now() - t0;
		}
		printf("{\"impl\":\"gemm limit\",\"precision\":\"%s\",\"m\":%d,\"hidden\":%d,"
		       "\"intermediate\":%d,\"layers\":%d,\"threads\":%d,\"layer_ms\":%.3f,"
		       "\"gflops\":%.1f,\"tokens_per_s\":%.0f}\n",
		       xnr_precision_name(prec), s.m, s.h, s.i, layers, threads, best * 1e3,
		       flops / best * 1e-9, s.m / (best * layers));
	}
	xnr_pool_close(pool);
	return 0;
}
