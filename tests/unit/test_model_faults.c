/* test_model_faults.c - every allocation of loading a model (config.json,
 * safetensors single and sharded, F16/BF16 conversion, each architecture, a
 * bare encoder) and of opening per-thread state can fail: the call then
 * returns XNR_ERR_NOMEM with a message, leaks nothing and returns nothing
 * (faults.h). */
#include "testutil.h"

#include <stdio.h>

#include "faults.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_models),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
