/*
 * bench_reduce.c - time one 2-D projection of a matrix of hidden states:
 * `bench_reduce FILE.f32 N D METHOD [THREADS]` reads N x D little-endian
 * floats, runs METHOD (pca, svd, umap) and prints one JSON line with the
 * seconds taken and, for k = 10, the trustworthiness of the layout (on at
 * most the first 5000 points, exact). Used by bench/reduce.sh; not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/progress.h"
#include "reduce/reduce.h"
#include "reduce/umap.h"
#include "tensor/gemm.h"

#define TRUST_MAX 5000

static int fail(const struct xnr_error *err)
{
	fprintf(stderr, "bench_reduce: %s\n", err->msg);
	return 1;
}

int main(int argc, char **argv)
{
	struct xnr_error err;
	struct xnr_umap_params up = xnr_umap_default_params();
	char *buf = NULL;
	size_t len = 0;
	float *y;
	long n;
	int d, threads;
	double t0, secs, trust = 0;
	enum xnr_status st;

	xnr_error_clear(&err);
	if (argc < 5) {
		fprintf(stderr, "usage: bench_reduce FILE.f32 N D pca|svd|umap [THREADS]\n");
		return 2;
	}
	n = atol(argv[2]);
	d = atoi(argv[3]);
	threads = argc > 5 ? atoi(argv[5]) : 2;
	if (xnr_file_read(argv[1], (size_t)1 << 34, &buf, &len, &err) != XNR_OK)
		return fail(&err);
	if (n < 2 || d < 1 || len != (size_t)n * (size_t)d * sizeof(float)) {
		fprintf(stderr, "bench_reduce: %s holds %zu bytes, not %ld x %d floats\n", argv[1],
		        len, n, d);
		free(buf);
		return 1;
	}
	y = malloc((size_t)n * 2 * sizeof *y);
	if (!y)
		return 1;
	xnr_gemm_set_threads(threads);
	up.n_threads = threads;
	t0 = xnr_now();
	if (strcmp(argv[4], "pca") == 0)
		st = xnr_pca((const float *)buf, n, d, 2, y, NULL, NULL, &err);
	else if (strcmp(argv[4], "svd") == 0)
		st = xnr_tsvd((const float *)buf, n, d, 2, 5, 42, y, NULL, &err);
	else
		st = xnr_umap((const float *)buf, n, d, &up, NULL, y, &err);
	secs = xnr_now() - t0;
	if (st == XNR_OK)
		st = xnr_trustworthiness((const float *)buf, n < TRUST_MAX ? n : TRUST_MAX, d, y, 2,
		                         10, &trust, &err);
	free(buf);
	free(y);
	if (st != XNR_OK)
		return fail(&err);
	printf(
	    "{\"impl\": \"explainer\", \"method\": \"%s\", \"n\": %ld, \"d\": %d, \"threads\": %d, "
	    "\"seconds\": %.3f, \"trust_first5k\": %.4f}\n",
	    argv[4], n, d, threads, secs, trust);
	return 0;
}
