/*
 * test_model_deberta.c - what DeBERTa-v2/v3 adds to the model module: the log
 * buckets of relative positions equal torch's make_log_bucket_position (the
 * values tests/gen/gen_deberta.py stored from the PyTorch mirror, for five
 * bucket / max-distance settings and distances up to 2047), DebertaV2Config's
 * defaults and v3 keys, and the clear errors for configs we do not run and for
 * weights that do not fit the config. The forward pass itself is compared with
 * PyTorch in test_model_archs (deberta_* fixtures).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "model/config.h"
#include "model/internal.h"
#include "model/model.h"

static const char *labels3 = "\"id2label\": {\"0\": \"O\", \"1\": \"B-PER\", \"2\": \"I-PER\"}";

static void test_buckets(void **state)
{
	struct xnr_error err = {0};
	json_t *g = NULL;
	const json_t *cases, *c;
	size_t i, checked = 0;
	(void)state;
	if (xnr_json_load(tu_src("tests/fixtures/models/deberta_v3/golden.json"), 8u << 20, &g,
	                  &err) != XNR_OK)
		fail_msg("%s", err.msg);
	cases = json_object_get(g, "buckets");
	assert_true(json_array_size(cases) >= 5);
	json_array_foreach(cases, i, c)
	{
		int buckets = (int)json_integer_value(json_object_get(c, "buckets"));
		int max_rel = (int)json_integer_value(json_object_get(c, "max_relative"));
		const json_t *runs = json_object_get(c, "runs");
		size_t k = 0, n = json_array_size(runs);
		int r, want = 0;
		for (r = 0; r < 2048; r++) {
			if (k < n &&
			    json_integer_value(json_array_get(json_array_get(runs, k), 0)) == r)
				want = (int)json_integer_value(
				    json_array_get(json_array_get(runs, k++), 1));
			if (xnr__deberta_bucket(r, buckets, max_rel) != want ||
			    xnr__deberta_bucket(-r, buckets, max_rel) != -want)
				fail_msg("buckets %d, max %d: r = %d gives %d, torch %d", buckets,
				         max_rel, r, xnr__deberta_bucket(r, buckets, max_rel),
				         want);
			checked++;
		}
	}
	printf("log buckets: %zu distances (both signs) equal to torch's\n", checked);
	assert_int_equal(xnr__deberta_bucket(-300, -1, 512), -300);
	/* max_relative_positions just above mid: the bucket saturates instead of overflowing */
	assert_true(xnr__deberta_bucket(16777215, 16777216, 8388610) >= 1 << 29);
	json_decref(g);
}

static enum xnr_status load(const char *name, const char *body, struct xnr_model_config *cfg,
                            struct xnr_error *err)
{
	const char *dir = tu_tmpdir(name);
	char path[4200];
	snprintf(path, sizeof path, "%s", tu_write(dir, "config.json", body, strlen(body)));
	memset(cfg, 0, sizeof *cfg);
	return xnr_config_load(path, cfg, err);
}

static void test_config(void **state)
{
	struct xnr_model_config c;
	struct xnr_error err = {0};
	char body[1024];
	(void)state;
	/* DebertaV2Config's own defaults (not v3's) */
	snprintf(body, sizeof body, "{\"model_type\": \"deberta-v2\", %s}", labels3);
	assert_int_equal(load("deb_defaults", body, &c, &err), XNR_OK);
	assert_int_equal(c.arch, XNR_ARCH_DEBERTA_V2);
	assert_string_equal(c.architecture, "DebertaV2ForTokenClassification");
	assert_int_equal(c.vocab_size, 128100);
	assert_int_equal(c.hidden_size, 1536);
	assert_int_equal(c.embedding_size, 1536);
	assert_int_equal(c.type_vocab_size, 0);
	assert_true(c.layer_norm_eps == 1e-7f);
	assert_false(c.deberta.relative_attention);
	assert_true(c.deberta.position_biased_input);
	assert_int_equal(c.deberta.max_relative_positions, 512);
	assert_false(c.deberta.c2p || c.deberta.p2c || c.deberta.share_att_key);
	xnr_config_free(&c);
	/* the bare encoder, and the legacy "c2p|p2c" string */
	assert_int_equal(load("deb_bare",
	                      "{\"architectures\": [\"DebertaV2Model\"], \"pos_att_type\": "
	                      "\"c2p|p2c\", \"norm_rel_ebd\": \"layer_norm\"}",
	                      &c, &err),
	                 XNR_OK);
	assert_false(c.has_classifier);
	assert_true(c.deberta.c2p && c.deberta.p2c && c.deberta.norm_rel_ebd);
	assert_int_equal(c.deberta.scale_factor, 3);
	xnr_config_free(&c);
	/* DeBERTa v1: DebertaConfig's defaults; the scale counts every pos_att_type
	 * entry, and the v2-only keys are not read */
	snprintf(body, sizeof body,
	         "{\"model_type\": \"deberta\", \"pos_att_type\": \"c2p|p2c|p2p\", "
	         "\"position_buckets\": 256, \"share_att_key\": true, %s}",
	         labels3);
	assert_int_equal(load("deb_v1", body, &c, &err), XNR_OK);
	assert_int_equal(c.arch, XNR_ARCH_DEBERTA);
	assert_string_equal(c.architecture, "DebertaForTokenClassification");
	assert_int_equal(c.vocab_size, 50265);
	assert_int_equal(c.hidden_size, 768);
	assert_int_equal(c.type_vocab_size, 0);
	assert_int_equal(c.deberta.scale_factor, 4);
	assert_int_equal(c.deberta.position_buckets, -1);
	assert_false(c.deberta.share_att_key);
	xnr_config_free(&c);
}

static void expect_fail(const char *name, const char *keys, enum xnr_status want,
                        const char *needle)
{
	struct xnr_model_config c;
	struct xnr_error err = {0};
	char body[1024];
	enum xnr_status s;
	snprintf(
	    body, sizeof body,
	    "{\"model_type\": \"deberta-v2\", \"hidden_size\": 64, \"num_attention_heads\": 4, "
	    "\"relative_attention\": true, %s, %s}",
	    keys, labels3);
	s = load(name, body, &c, &err);
	if (s != want || !strstr(err.msg, needle) || !strstr(err.msg, "config.json"))
		fail_msg("%s: got %s \"%s\", want %s with \"%s\"", name, xnr_status_str(s), err.msg,
		         xnr_status_str(want), needle);
}

static void test_config_errors(void **state)
{
	(void)state;
	expect_fail("deb_conv", "\"conv_kernel_size\": 3", XNR_ERR_UNSUPPORTED,
	            "convolution layer of DeBERTa-v2 xlarge/xxlarge is not supported");
	expect_fail("deb_head", "\"attention_head_size\": 32", XNR_ERR_UNSUPPORTED,
	            "attention_head_size 32 x 4 heads differs from hidden_size 64");
	expect_fail("deb_buckets", "\"position_buckets\": 1", XNR_ERR_FORMAT,
	            "position_buckets 1 with max_relative_positions 512");
	expect_fail("deb_buckets_max", "\"position_buckets\": 64, \"max_relative_positions\": 33",
	            XNR_ERR_FORMAT, "need 2 <= position_buckets");
	expect_fail("deb_pos_att", "\"pos_att_type\": 3", XNR_ERR_FORMAT,
	            "\"pos_att_type\" must be a list");
	expect_fail("deb_pos_att_item", "\"pos_att_type\": [\"c2p\", 1]", XNR_ERR_FORMAT,
	            "must hold strings");
	expect_fail("deb_share", "\"share_att_key\": \"yes\"", XNR_ERR_FORMAT, "share_att_key");
}

/* deberta_v3's weights under its config.json updated with the object
 * `keys`: the loader names the tensor and the config key behind it. */
static void expect_load_fail(const char *name, const char *keys, const char *needle)
{
	struct xnr_model *m = NULL;
	struct xnr_error err = {0};
	const char *dir = tu_tmpdir(name);
	char src[4200], dst[4200];
	json_t *cfg =
	    json_load_file(tu_src("tests/fixtures/models/deberta_v3/config.json"), 0, NULL);
	json_t *over = json_loads(keys, 0, NULL);
	char *body;
	enum xnr_status s;
	assert_true(cfg && over && json_object_update(cfg, over) == 0);
	body = json_dumps(cfg, JSON_INDENT(2));
	assert_non_null(body);
	tu_write(dir, "config.json", body, strlen(body));
	free(body);
	json_decref(cfg);
	json_decref(over);
	snprintf(src, sizeof src, "%s",
	         tu_src("tests/fixtures/models/deberta_v3/model.safetensors"));
	snprintf(dst, sizeof dst, "%s/model.safetensors", dir);
	tu_copy(src, dst);
	s = xnr_model_open(dir, &m, &err);
	if (s != XNR_ERR_MISMATCH || !strstr(err.msg, needle))
		fail_msg("%s: got %s \"%s\", want mismatch with \"%s\"", name, xnr_status_str(s),
		         err.msg, needle);
	assert_null(m);
}

static void test_load_errors(void **state)
{
	(void)state;
	expect_load_fail("deb_rel", "{\"position_buckets\": 128}",
	                 "tensor deberta.encoder.rel_embeddings.weight has shape [512, 64], "
	                 "config.json implies [256, 64] (2 x position_buckets, hidden_size)");
	expect_load_fail("deb_noshare", "{\"share_att_key\": false}",
	                 "no tensor deberta.encoder.layer.0.attention.self.pos_key_proj.weight");
	expect_load_fail("deb_posemb", "{\"position_biased_input\": true}",
	                 "no tensor deberta.embeddings.position_embeddings.weight");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buckets),
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_config_errors),
	    cmocka_unit_test(test_load_errors),
	};
	return cmocka_run_group_tests_name("model_deberta", tests, NULL, NULL);
}
