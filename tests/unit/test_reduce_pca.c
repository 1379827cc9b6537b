/*
 * test_reduce_pca.c - xnr_pca and xnr_tsvd against scikit-learn 1.2 outputs
 * (tests/fixtures/reduce, written by tests/gen/gen_reduce.py), argument
 * checks, degenerate inputs, its top-k eigensolver against the full one, and
 * a timing print for 10k / 50k rows.
 */
#include <stdint.h>
#include <time.h>

#include "reduce/internal.h"
#include "reduce/reduce.h"
#include "reduce_fixture.h"

/* f32 GEMMs into a double Gram matrix: 1e-4 relative leaves room for the f32 input
 * rounding of centred data and the projection's f32 accumulation (measured ~1e-6). */
#define REL_TOL 1e-4

/* Compare column j of got [rows, cols] with want, requiring sklearn's sign (svd_flip). */
static double check_cols(const char *what, const float *got, const double *want, long rows,
                         long cols)
{
	double worst = 0;
	for (long j = 0; j < cols; j++) {
		double same = rfx_col_rel(got, want, rows, cols, j, 1);
		double flipped = rfx_col_rel(got, want, rows, cols, j, -1);
		if (flipped < same)
			fail_msg("%s column %ld has the opposite sign to sklearn's", what, j);
		worst = fmax(worst, same);
	}
	printf("  %s: max relative diff %.3g\n", what, worst);
	assert_true(worst < REL_TOL);
	return worst;
}

static float *transpose(const float *m, long rows, long cols)
{
	float *t = malloc(sizeof *t * (size_t)(rows * cols));
	assert_non_null(t);
	for (long i = 0; i < rows; i++)
		for (long j = 0; j < cols; j++)
			t[j * rows + i] = m[i * cols + j];
	return t;
}

static void test_pca(void **state)
{
	const char *name = *state;
	struct rfx f;
	rfx_open(&f, name);
	long n = (long)rfx_num(&f, "n"), cnt;
	int d = (int)rfx_num(&f, "d"), k = (int)rfx_num(&f, "k");
	float *x = rfx_f32(&f, "x", &cnt);
	double *y_ref = rfx_f64(&f, "y", &cnt), *c_ref = rfx_f64(&f, "components", &cnt);
	double *evr_ref = rfx_f64(&f, "evr", &cnt), evr[16];
	float *y = malloc(sizeof *y * (size_t)(n * k)),
	      *comp = malloc(sizeof *comp * (size_t)k * d);
	struct xnr_error err = {0};
	printf("%s (%ld x %d, k %d)\n", name, n, d, k);
	assert_int_equal(xnr_pca(x, n, d, k, y, comp, evr, &err), XNR_OK);
	check_cols("projection", y, y_ref, n, k);
	/* components are rows: compare their transposes column by column. */
	float *ct = transpose(comp, k, d);
	double *crt = malloc(sizeof *crt * (size_t)k * d);
	assert_non_null(crt);
	for (long i = 0; i < k; i++)
		for (long c = 0; c < d; c++)
			crt[c * k + i] = c_ref[i * d + c];
	check_cols("components", ct, crt, d, k);
	for (int j = 0; j < k; j++)
		assert_true(fabs(evr[j] - evr_ref[j]) <= 1e-4 * evr_ref[j] + 1e-9);
	printf("  evr[0] %.9f (sklearn %.9f)\n", evr[0], evr_ref[0]);
	free(ct);
	free(crt);
	free(x);
	free(y);
	free(comp);
	free(y_ref);
	free(c_ref);
	free(evr_ref);
	rfx_close(&f);
}

static void test_tsvd(void **state)
{
	const char *name = *state;
	struct rfx f;
	rfx_open(&f, name);
	long n = (long)rfx_num(&f, "n"), cnt;
	int d = (int)rfx_num(&f, "d"), k = (int)rfx_num(&f, "k");
	int n_iter = (int)rfx_num(&f, "n_iter");
	float *x = rfx_f32(&f, "x", &cnt);
	double *y_ref = rfx_f64(&f, "y", &cnt), *evr_ref = rfx_f64(&f, "evr", &cnt);
	double *sv_ref = rfx_f64(&f, "singular_values", &cnt), evr[16];
	float *y = malloc(sizeof *y * (size_t)(n * k));
	struct xnr_error err = {0};
	printf("%s (%ld x %d, k %d, n_iter %d)\n", name, n, d, k, n_iter);
	assert_int_equal(xnr_tsvd(x, n, d, k, n_iter, 42, y, evr, &err), XNR_OK);
	check_cols("projection", y, y_ref, n, k);
	for (int j = 0; j < k; j++) {
		/* y = X V = U S, so a column's norm is the singular value. */
		double ss = 0;
		for (long i = 0; i < n; i++)
			ss += (double)y[i * k + j] * y[i * k + j];
		printf("  s[%d] %.6f (sklearn %.6f), evr %.8f (sklearn %.8f)\n", j, sqrt(ss),
		       sv_ref[j], evr[j], evr_ref[j]);
		assert_true(fabs(sqrt(ss) - sv_ref[j]) <= 1e-4 * sv_ref[j]);
		assert_true(fabs(evr[j] - evr_ref[j]) <= 1e-4 * evr_ref[j]);
	}
	free(x);
	free(y);
	free(y_ref);
	free(evr_ref);
	free(sv_ref);
	rfx_close(&f);
}

static void test_arguments(void **state)
{
	(void)state;
	float x[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13}, y[12], comp[12];
	struct xnr_error err = {0};
	tu_expect_input(xnr_pca(NULL, 4, 3, 2, y, comp, NULL, &err), &err, "x is NULL");
	tu_expect_input(xnr_pca(x, 4, 3, 2, NULL, comp, NULL, &err), &err, "y is NULL");
	tu_expect_input(xnr_pca(x, 1, 3, 1, y, comp, NULL, &err), &err, "n = 1");
	tu_expect_input(xnr_pca(x, 4, 0, 1, y, comp, NULL, &err), &err, "d = 0");
	tu_expect_input(xnr_pca(x, 4, 3, 0, y, comp, NULL, &err), &err, "k = 0");
	tu_expect_input(xnr_pca(x, 4, 3, 4, y, comp, NULL, &err), &err, "k = 4");
	tu_expect_input(xnr_pca(x, -5, 3, 1, y, comp, NULL, &err), &err, "n = -5");
	tu_expect_input(xnr_tsvd(x, 4, 3, 4, 5, 0, y, NULL, &err), &err, "k = 4");
	tu_expect_input(xnr_tsvd(x, 4, 3, 2, -1, 0, y, NULL, &err), &err, "n_iter = -1");
	tu_expect_input(xnr_tsvd(x, 0, 3, 1, 5, 0, y, NULL, &err), &err, "n = 0");
	tu_expect_input(xnr_tsvd(NULL, 4, 3, 1, 5, 0, y, NULL, &err), &err, "x is NULL");
	x[7] = NAN;
	tu_expect_input(xnr_pca(x, 4, 3, 2, y, comp, NULL, &err), &err, "x[7] is NaN");
	x[7] = INFINITY;
	tu_expect_input(xnr_tsvd(x, 4, 3, 2, 5, 0, y, NULL, &err), &err, "x[7] is infinite");
	assert_int_equal(xnr_pca(x, 5000, 5000, 2, y, NULL, NULL, &err), XNR_ERR_LIMIT);
}

/* Constant rows (zero variance), rank-deficient data with k = min(n, d), and n = 2. */
static void test_degenerate(void **state)
{
	(void)state;
	float x[6 * 4], y[6 * 4], comp[4 * 6];
	double evr[4];
	struct xnr_error err = {0};
	for (int i = 0; i < 24; i++)
		x[i] = (float)(i % 4);
	assert_int_equal(xnr_pca(x, 6, 4, 4, y, comp, evr, &err), XNR_OK);
	for (int i = 0; i < 24; i++)
		assert_true(fabsf(y[i]) < 1e-5f);
	for (int j = 0; j < 4; j++)
		assert_true(evr[j] == 0);
	assert_int_equal(xnr_pca(x, 4, 6, 4, y, comp, evr, &err), XNR_OK);
	for (int i = 0; i < 6 * 4; i++)
		x[i] = (float)((i / 4) * (i % 4 == 1 ? 2 : 1));
	assert_int_equal(xnr_pca(x, 6, 4, 4, y, comp, evr, &err), XNR_OK);
	assert_true(fabs(evr[0] - 1.0) < 1e-6);
	assert_int_equal(xnr_pca(x, 2, 4, 2, y, comp, evr, &err), XNR_OK);
	assert_true(fabs(evr[0] - 1.0) < 1e-6);
	memset(x, 0, sizeof x);
	assert_int_equal(xnr_tsvd(x, 6, 4, 2, 5, 1, y, evr, &err), XNR_OK);
	for (int i = 0; i < 12; i++)
		assert_true(y[i] == 0);
	assert_true(evr[0] == 0);
}

/* xnr__sym_eig_top (the PCA's solver) against xnr__sym_eig: the same eigenvalues and
 * leading vectors up to sign, on a random symmetric matrix and on one whose top
 * eigenvalue is double (any orthonormal pair of its plane will do: checked by residual). */
static void test_eig_top(void **state)
{
	(void)state;
	enum { N = 40, K = 3 };
	static double a[N * N], b[N * N], c[N * N], w[N], wt[N], work[N];
	uint64_t s = 7;
	for (int m = 0; m < 2; m++) {
		for (int i = 0; i < N; i++)
			for (int j = 0; j <= i; j++) {
				s = s * 6364136223846793005ull + 1442695040888963407ull;
				a[i * N + j] = a[j * N + i] =
				    (double)(s >> 40) / (double)(1 << 24) - 0.5;
			}
		if (m == 1) /* diag(5, 5, 1, ..., 1): the top eigenvalue twice */
			for (int i = 0; i < N * N; i++)
				a[i] = i % (N + 1) == 0 ? (i < 2 * (N + 1) ? 5.0 : 1.0) : 0.0;
		memcpy(b, a, sizeof a);
		memcpy(c, a, sizeof a);
		assert_int_equal(xnr__sym_eig(b, N, w, work), 0);
		assert_int_equal(xnr__sym_eig_top(c, N, K, wt, work), 0);
		double worst = 0;
		for (int j = 0; j < N; j++)
			worst = fmax(worst, fabs(w[j] - wt[j]));
		for (int j = 0; j < K; j++)
			for (int i = 0; i < N; i++) {
				double av = 0, dot = 0;
				for (int q = 0; q < N; q++)
					av += a[i * N + q] * c[j * N + q];
				worst = fmax(worst, fabs(av - wt[j] * c[j * N + i]));
				for (int q = 0; q < N && i < K; q++)
					dot += c[j * N + q] * c[i * N + q];
				if (i < K)
					worst = fmax(worst, fabs(dot - (i == j)));
				if (m == 0) /* distinct eigenvalues: the vectors themselves, up to
				               sign */
					worst =
					    fmax(worst, fmin(fabs(c[j * N + i] - b[j * N + i]),
					                     fabs(c[j * N + i] + b[j * N + i])));
			}
		printf("eig top %d of %d (%s): max |diff| %.3g\n", K, N,
		       m ? "a double eigenvalue" : "random", worst);
		assert_true(worst < 1e-10);
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Not a timed test: prints how long PCA to 2 components takes on hidden-state-sized input.
 * Under AddressSanitizer (a Debug build) only d = 256: the d = 768 eigensolver takes ~10 s. */
static void test_timing(void **state)
{
	(void)state;
	static const long ns[] = {10000, 50000};
#ifdef __SANITIZE_ADDRESS__
	static const int ds[] = {256, 256};
#else
	static const int ds[] = {256, 768};
#endif
	float *x = malloc(sizeof *x * 50000 * 768), *y = malloc(sizeof *y * 50000 * 2);
	assert_non_null(x);
	uint64_t s = 1;
	for (long i = 0; i < 50000L * 768; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		x[i] = (float)((s >> 40) % 1000) / 500.0f + (float)(i % 7);
	}
	for (int a = 0; a < 2; a++)
		for (int b = 0; b < 2; b++) {
			struct xnr_error err = {0};
			double t0 = now_s();
			assert_int_equal(xnr_pca(x, ns[a], ds[b], 2, y, NULL, NULL, &err), XNR_OK);
			double t1 = now_s();
			assert_int_equal(xnr_tsvd(x, ns[a], ds[b], 2, 5, 42, y, NULL, &err),
			                 XNR_OK);
			printf("timing: n %6ld d %3d: PCA %.3f s, TruncatedSVD(n_iter 5) %.3f s\n",
			       ns[a], ds[b], t1 - t0, now_s() - t1);
		}
	free(x);
	free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    RFX_CASE(test_pca, "pca_tall"),   RFX_CASE(test_pca, "pca_wide"),
	    RFX_CASE(test_tsvd, "tsvd_k2"),   RFX_CASE(test_tsvd, "tsvd_k3_iter1"),
	    cmocka_unit_test(test_arguments), cmocka_unit_test(test_degenerate),
	    cmocka_unit_test(test_eig_top),   cmocka_unit_test(test_timing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
