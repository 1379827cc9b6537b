/*
 * test_model_torchbin.c - pytorch_model.bin folders written by Debian's PyTorch
 * (tests/gen/gen_torchbin.py, made here into the build folder): logits equal
 * bit for bit to those of the safetensors fixtures holding the same weights
 * (F32, F16, BF16, sharded), safetensors preferred when both exist, and the
 * hostile and broken checkpoints refused with the file and entry named and
 * nothing run. Skipped (77) when torch is absent.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "model/model.h"
#include "testutil.h"

#define N_TOK 12

static char out_dir[4096];

static const char *bin_dir(const char *name)
{
	static char buf[4200];
	snprintf(buf, sizeof buf, "%s/%s", out_dir, name);
	return buf;
}

/* Logits of dir's model on two fixed sequences, into logits (N_TOK x n_labels). */
static int run_logits(const char *dir, float *logits, int cap)
{
	static const int32_t ids[N_TOK] = {2, 17, 45, 99, 150, 3, 2, 8, 199, 64, 11, 3};
	static const int32_t start[3] = {0, 6, N_TOK};
	struct xnr_batch b = {2, ids, NULL, start};
	struct xnr_model *m = NULL;
	struct xnr_state *st = NULL;
	struct xnr_outputs o;
	struct xnr_error err = {0};
	int n;

	if (xnr_model_open(dir, &m, &err) != XNR_OK)
		fail_msg("%s: %s: %s", dir, err.path, err.msg);
	assert_int_equal(xnr_state_open(m, N_TOK, N_TOK, (struct xnr_forward_opts){0}, &st, &err),
	                 XNR_OK);
	assert_int_equal(xnr_model_forward(m, st, NULL, &b, &o, &err), XNR_OK);
	n = N_TOK * xnr_model_config(m)->n_labels;
	assert_true(n <= cap);
	memcpy(logits, o.logits, (size_t)n * sizeof *logits);
	xnr_state_close(st);
	xnr_model_close(m);
	return n;
}

static void expect_same(const char *bin, const char *fixture)
{
	float a[N_TOK * 16], b[N_TOK * 16];
	int n = run_logits(bin_dir(bin), a, 16 * N_TOK);
	double max_diff = 0;

	assert_int_equal(run_logits(tu_src(fixture), b, 16 * N_TOK), n);
	for (int i = 0; i < n; i++)
		max_diff = fmax(max_diff, fabs((double)a[i] - (double)b[i]));
	printf("%-8s vs %-34s max |diff| of %d logits: %g\n", bin, fixture, n, max_diff);
	assert_memory_equal(a, b, (size_t)n * sizeof *a);
}

static void test_parity(void **state)
{
	(void)state;
	expect_same("f32", "tests/fixtures/models/bert");
	expect_same("f16", "tests/fixtures/models/bert_f16");
	expect_same("bf16", "tests/fixtures/models/bert_bf16");
	expect_same("sharded", "tests/fixtures/models/bert");
	/* the .bin there holds zeros: equal logits mean model.safetensors was read */
	expect_same("both", "tests/fixtures/models/bert");
}

static void expect_refused(const char *name, enum xnr_status want, const char *n1, const char *n2)
{
	struct xnr_model *m = NULL;
	struct xnr_error err = {0};
	enum xnr_status s = xnr_model_open(bin_dir(name), &m, &err);

	printf("%-14s %s: %s: %s\n", name, xnr_status_str(s), err.path, err.msg);
	if (s != want || !strstr(err.path, "pytorch_model.bin") || !strstr(err.msg, n1) ||
	    (n2 && !strstr(err.msg, n2)) || strchr(err.msg, '\n'))
		fail_msg("%s: got %s \"%s\", want %s with \"%s\"", name, xnr_status_str(s), err.msg,
		         xnr_status_str(want), n1);
	assert_null(m);
}

static void test_refused(void **state)
{
	struct stat sb;
	(void)state;
	expect_refused("os_system", XNR_ERR_UNSUPPORTED, "archive/data.pkl",
	               "refused global posix.system");
	assert_int_not_equal(stat(bin_dir("PWNED"), &sb), 0);
	expect_refused("eval_global", XNR_ERR_UNSUPPORTED, "archive/data.pkl",
	               "refused global builtins.eval");
	expect_refused("bad_crc", XNR_ERR_FORMAT, "/data/", "CRC error");
	expect_refused("truncated", XNR_ERR_FORMAT, "/data.pkl", "truncated pickle");
	expect_refused("short_storage", XNR_ERR_FORMAT, "/data/", "but data.pkl gives its storage");
	expect_refused("strided", XNR_ERR_UNSUPPORTED, "classifier.weight is a non-contiguous view",
	               NULL);
	expect_refused("legacy", XNR_ERR_UNSUPPORTED, "Not a zip archive", "torch >= 1.6");
}

/* Make the folders with Debian's torch; skip when it is not there. */
static void generate(void)
{
	char cmd[8400];
	int rc;

	snprintf(out_dir, sizeof out_dir, "%s/torchbin", XNR_BINARY_DIR);
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s", tu_src("tests/gen/gen_torchbin.py"),
	         out_dir);
	rc = system(cmd);
	if (rc != -1 && WIFEXITED(rc) && (WEXITSTATUS(rc) == 3 || WEXITSTATUS(rc) == 127)) {
		printf("SKIP: /usr/bin/python3 with torch is needed to write the .bin fixtures\n");
		exit(TU_SKIP);
	}
	if (rc != 0) {
		fprintf(stderr, "%s failed (status %d)\n", cmd, rc);
		exit(1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parity),
	    cmocka_unit_test(test_refused),
	};
	generate();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
