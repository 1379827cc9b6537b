/* test_infer_faults.c - every allocation of opening an engine (a
 * token-classification model, a bare sentence-transformers encoder) and of
 * running it on raw text, pre-split words and an input long enough for
 * several windows can fail: the call then returns XNR_ERR_NOMEM with a
 * message and leaks nothing (faults.h). */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "faults.h"
#include "infer/infer.h"

struct engine_case {
	const char *dir;
	struct xnr_engine_params params;
};

static enum xnr_status open_close(void *ctx, struct xnr_error *err)
{
	const struct engine_case *c = ctx;
	struct xnr_engine *e = NULL;
	enum xnr_status st = xnr_engine_open(c->dir, c->params, &e, err);

	if (st != XNR_OK)
		assert_null(e);
	xnr_engine_close(e);
	return st;
}

static enum xnr_status run(void *ctx, struct xnr_error *err)
{
	static const char *const words[] = {"Angela", "Merkel", "visited", "Paris"};
	static const size_t lens[] = {6, 6, 7, 5};
	char long_text[4096];
	struct xnr_input in[3];
	struct xnr_result res[3];
	enum xnr_status st;
	int i;

	long_text[0] = '\0';
	for (i = 0; i < 60; i++)
		strcat(long_text, "Peter Blackburn visited Brussels . ");
	memset(in, 0, sizeof in);
	in[0].text = "EU rejects German call to boycott British lamb .";
	in[0].text_len = strlen(in[0].text);
	in[1].words = words;
	in[1].word_lens = lens;
	in[1].n_words = 4;
	in[2].text = long_text;
	in[2].text_len = strlen(long_text);
	for (i = 0; i < 3; i++)
		xnr_result_init(&res[i]);
	st = xnr_engine_run(ctx, in, 3, res, err);
	for (i = 0; i < 3; i++)
		xnr_result_free(&res[i]);
	return st;
}

static void test_engine(void **state)
{
	struct engine_case cases[2];
	struct xnr_engine *e = NULL;
	struct xnr_error err;
	char demo[4096], encoder[4096];
	(void)state;

	snprintf(demo, sizeof demo, "%s", tu_src("demo/model"));
	snprintf(encoder, sizeof encoder, "%s", tu_src("tests/fixtures/models/sentence_bert"));
	cases[0].dir = demo;
	cases[0].params = xnr_engine_default_params();
	cases[0].params.n_threads = 2;
	cases[0].params.max_seq_len = 64;
	cases[0].params.keep_hidden = 1;
	cases[1].dir = encoder;
	cases[1].params = xnr_engine_default_params();
	cases[1].params.keep_layers = 1;
	assert_true(tu_fault_sweep("open demo/model", open_close, &cases[0]) > 0);
	assert_true(tu_fault_sweep("open an encoder", open_close, &cases[1]) > 0);

	if (xnr_engine_open(demo, cases[0].params, &e, &err) != XNR_OK)
		fail_msg("%s", err.msg);
	assert_true(tu_fault_sweep("run demo/model", run, e) > 0);
	xnr_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_engine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
