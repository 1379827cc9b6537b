/* test_model_faults.c - every allocation of loading a model (config.json,
 * safetensors single and sharded, F16/BF16 conversion, each architecture, a
 * bare encoder), of reading a pytorch_model.bin and its pickle (the committed
 * fuzz seeds) and of opening per-thread state can fail: the call then
 * returns XNR_ERR_NOMEM with a message, leaks nothing and returns nothing
 * (faults.h). */
#include "testutil.h"

#include <stdio.h>

#include "faults.h"
#include "model/internal.h"
#include "model/model.h"

static enum xnr_status open_close(void *ctx, struct xnr_error *err)
{
	struct xnr_model *m = NULL;
	struct xnr_state *state = NULL;
	struct xnr_forward_opts opts = {1, 1};
	enum xnr_status st = xnr_model_open(ctx, &m, err);

	if (st != XNR_OK) {
		assert_null(m);
		return st;
	}
	st = xnr_state_open(m, 64, 16, opts, &state, err);
	if (st != XNR_OK)
		assert_null(state);
	xnr_state_close(state);
	xnr_model_close(m);
	return st;
}

static void test_models(void **state)
{
	static const char *const models[] = {
	    "bert",    "bert_f16",    "bert_bf16",     "bert_sharded", "distilbert", "electra",
	    "roberta", "xlm_roberta", "sentence_bert", "deberta_v3",   "deberta_b8"};
	(void)state;
	for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
		char rel[256], dir[4096];
		snprintf(rel, sizeof rel, "tests/fixtures/models/%s", models[i]);
		snprintf(dir, sizeof dir, "%s", tu_src(rel));
		assert_true(tu_fault_sweep(dir, open_close, dir) > 0);
	}
}

struct pickle_input {
	unsigned char buf[4096];
	size_t n;
};

static enum xnr_status unpickle(void *ctx, struct xnr_error *err)
{
	struct pickle_input *in = ctx;
	struct xnr__pt_dict d = {0};
	enum xnr_status st = xnr__pickle_state_dict(in->buf, in->n, "m.bin", "data.pkl", &d, err);

	if (st != XNR_OK)
		assert_null(d.tensors);
	xnr__pt_dict_free(&d);
	return st;
}

static enum xnr_status read_bin(void *ctx, struct xnr_error *err)
{
	struct xnr__torch_file f = {0};
	enum xnr_status st = xnr__torch_file_read(ctx, &f, err);

	if (st != XNR_OK)
		assert_null(f.data);
	xnr__torch_file_free(&f);
	return st;
}

static void test_torch_files(void **state)
{
	static const char *const pickles[] = {"mixed.pkl", "mixed_proto4.pkl"};
	struct pickle_input in;
	char rel[256], path[4096];
	(void)state;
	for (size_t i = 0; i < sizeof pickles / sizeof pickles[0]; i++) {
		FILE *f;
		snprintf(rel, sizeof rel, "tests/fuzz/corpus/model_pickle/%s", pickles[i]);
		f = fopen(tu_src(rel), "rb");
		assert_non_null(f);
		in.n = fread(in.buf, 1, sizeof in.buf, f);
		fclose(f);
		assert_true(tu_fault_sweep(pickles[i], unpickle, &in) > 0);
	}
	snprintf(path, sizeof path, "%s", tu_src("tests/fuzz/corpus/model_torchbin/small.bin"));
	assert_true(tu_fault_sweep(path, read_bin, path) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_models),
	    cmocka_unit_test(test_torch_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
