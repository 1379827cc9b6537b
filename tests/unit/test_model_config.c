/*
 * test_model_config.c - config.json parsing: class defaults (BertConfig,
 * DistilBertConfig aliases, RobertaConfig / XLMRobertaConfig position offsets,
 * ElectraConfig embedding_size), id2label checks, activations, and the errors
 * for unsupported or malformed configs (each naming the file).
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "model/config.h"

static const char *labels3 = "\"id2label\": {\"0\": \"O\", \"1\": \"B-PER\", \"2\": \"I-PER\"}";

/* Write body as config.json in a fresh folder and load it. */
static enum xnr_status load(const char *name, const char *body, struct xnr_model_config *cfg,
                            struct xnr_error *err)
{
	const char *dir = tu_tmpdir(name);
	char path[4200];
	snprintf(path, sizeof path, "%s", tu_write(dir, "config.json", body, strlen(body)));
	memset(cfg, 0, sizeof *cfg);
	return xnr_config_load(path, cfg, err);
}

static void load_ok(const char *name, const char *body, struct xnr_model_config *cfg)
{
	struct xnr_error err = {0};
	if (load(name, body, cfg, &err) != XNR_OK)
		fail_msg("%s: %s", name, err.msg);
}

static void expect_fail(const char *name, const char *body, enum xnr_status want,
                        const char *needle)
{
	struct xnr_model_config cfg;
	struct xnr_error err = {0};
	enum xnr_status s = load(name, body, &cfg, &err);
	if (s != want || !strstr(err.msg, needle) || !strstr(err.msg, "config.json") ||
	    !strstr(err.path, "/config.json"))
		fail_msg("%s: got %s \"%s\", want %s with \"%s\"", name, xnr_status_str(s), err.msg,
		         xnr_status_str(want), needle);
	assert_null(cfg.id2label);
}

static void test_bert_defaults(void **state)
{
	struct xnr_model_config c;
	char body[512];
	(void)state;
	snprintf(body, sizeof body, "{\"architectures\": [\"BertForTokenClassification\"], %s}",
	         labels3);
	load_ok("cfg_bert", body, &c);
	assert_int_equal(c.arch, XNR_ARCH_BERT);
	assert_string_equal(c.architecture, "BertForTokenClassification");
	assert_string_equal(c.model_type, "bert");
	assert_int_equal(c.vocab_size, 30522);
	assert_int_equal(c.hidden_size, 768);
	assert_int_equal(c.embedding_size, 768);
	assert_int_equal(c.n_layers, 12);
	assert_int_equal(c.n_heads, 12);
	assert_int_equal(c.intermediate_size, 3072);
	assert_int_equal(c.max_positions, 512);
	assert_int_equal(c.type_vocab_size, 2);
	assert_int_equal(c.pad_token_id, 0);
	assert_int_equal(c.position_offset, 0);
	assert_float_equal(c.layer_norm_eps, 1e-12f, 1e-20);
	assert_int_equal(c.act, XNR_ACT_GELU);
	assert_int_equal(c.n_labels, 3);
	assert_string_equal(c.id2label[2], "I-PER");
	xnr_config_free(&c);
	xnr_config_free(&c);
	xnr_config_free(NULL);
	assert_string_equal(xnr_arch_str(XNR_ARCH_XLM_ROBERTA), "xlm-roberta");
	assert_string_equal(xnr_act_str(XNR_ACT_GELU_TANH), "gelu_new");
	assert_string_equal(xnr_act_str(XNR_ACT_COUNT), "unknown activation");
}

static void test_distilbert_aliases(void **state)
{
	struct xnr_model_config c;
	char body[1024];
	(void)state;
	snprintf(body, sizeof body,
	         "{\"architectures\": [\"DistilBertForTokenClassification\"], \"dim\": 384, "
	         "\"n_heads\": 6, \"n_layers\": 3, \"hidden_dim\": 1536, \"activation\": \"relu\", "
	         "\"layer_norm_eps\": 1e-5, \"type_vocab_size\": 2, \"intermediate_size\": 7, %s}",
	         labels3);
	load_ok("cfg_distil", body, &c);
	assert_int_equal(c.arch, XNR_ARCH_DISTILBERT);
	assert_int_equal(c.hidden_size, 384);
	assert_int_equal(c.embedding_size, 384);
	assert_int_equal(c.n_heads, 6);
	assert_int_equal(c.n_layers, 3);
	assert_int_equal(c.intermediate_size, 1536);
	assert_int_equal(c.act, XNR_ACT_RELU);
	/* DistilBERT hard-codes eps 1e-12 and has no token type embeddings */
	assert_float_equal(c.layer_norm_eps, 1e-12f, 1e-20);
	assert_int_equal(c.type_vocab_size, 0);
	xnr_config_free(&c);

	snprintf(body, sizeof body,
	         "{\"model_type\": \"distilbert\", \"hidden_size\": 128, "
	         "\"num_attention_heads\": 2, %s}",
	         labels3);
	load_ok("cfg_distil2", body, &c);
	assert_int_equal(c.hidden_size, 128);
	assert_int_equal(c.n_heads, 2);
	assert_int_equal(c.n_layers, 6);
	assert_int_equal(c.intermediate_size, 3072);
	xnr_config_free(&c);

	snprintf(body, sizeof body,
	         "{\"model_type\": \"distilbert\", \"dim\": 128, "
	         "\"hidden_size\": 256, %s}",
	         labels3);
	expect_fail("cfg_distil3", body, XNR_ERR_FORMAT,
	            "\"dim\" is 128 but \"hidden_size\" is 256");
}

static void test_roberta_offsets(void **state)
{
	struct xnr_model_config c;
	char body[1024];
	(void)state;
	snprintf(
	    body, sizeof body,
	    "{\"architectures\": [\"RobertaForTokenClassification\"], \"model_type\": \"roberta\", "
	    "\"max_position_embeddings\": 514, \"type_vocab_size\": 1, \"layer_norm_eps\": 1e-05, "
	    "\"pad_token_id\": 1, %s}",
	    labels3);
	load_ok("cfg_roberta", body, &c);
	assert_int_equal(c.arch, XNR_ARCH_ROBERTA);
	assert_int_equal(c.vocab_size, 50265);
	assert_int_equal(c.max_positions, 514);
	assert_int_equal(c.type_vocab_size, 1);
	assert_int_equal(c.position_offset, 2);
	assert_float_equal(c.layer_norm_eps, 1e-5f, 1e-12);
	xnr_config_free(&c);

	/* model_type fallback; XLMRobertaConfig defaults pad_token_id to 1 */
	snprintf(body, sizeof body, "{\"model_type\": \"xlm-roberta\", %s}", labels3);
	load_ok("cfg_xlmr", body, &c);
	assert_int_equal(c.arch, XNR_ARCH_XLM_ROBERTA);
	assert_string_equal(c.architecture, "XLMRobertaForTokenClassification");
	assert_int_equal(c.pad_token_id, 1);
	assert_int_equal(c.position_offset, 2);
	xnr_config_free(&c);

	snprintf(body, sizeof body, "{\"model_type\": \"roberta\", \"pad_token_id\": 600, %s}",
	         labels3);
	expect_fail("cfg_roberta_pad", body, XNR_ERR_FORMAT, "max_position_embeddings is 512");
}

static void test_electra(void **state)
{
	struct xnr_model_config c;
	char body[1024];
	(void)state;
	snprintf(body, sizeof body, "{\"architectures\": [\"ElectraForTokenClassification\"], %s}",
	         labels3);
	load_ok("cfg_electra", body, &c);
	assert_int_equal(c.arch, XNR_ARCH_ELECTRA);
	assert_int_equal(c.embedding_size, 128);
	assert_int_equal(c.hidden_size, 256);
	assert_int_equal(c.n_heads, 4);
	assert_int_equal(c.intermediate_size, 1024);
	xnr_config_free(&c);
	snprintf(body, sizeof body,
	         "{\"model_type\": \"electra\", \"embedding_size\": 64, "
	         "\"hidden_size\": 1024, \"num_attention_heads\": 16, %s}",
	         labels3);
	load_ok("cfg_electra2", body, &c);
	assert_int_equal(c.embedding_size, 64);
	assert_int_equal(c.hidden_size, 1024);
	xnr_config_free(&c);
}

static void test_activations(void **state)
{
	static const struct {
		const char *name;
		enum xnr_act act;
	} cases[] = {{"gelu", XNR_ACT_GELU},
	             {"gelu_new", XNR_ACT_GELU_TANH},
	             {"gelu_pytorch_tanh", XNR_ACT_GELU_TANH},
	             {"gelu_fast", XNR_ACT_GELU_FAST},
	             {"quick_gelu", XNR_ACT_QUICK_GELU},
	             {"swish", XNR_ACT_SILU},
	             {"silu", XNR_ACT_SILU},
	             {"tanh", XNR_ACT_TANH},
	             {"linear", XNR_ACT_LINEAR}};
	struct xnr_model_config c;
	char body[512];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(body, sizeof body,
		         "{\"model_type\": \"bert\", \"hidden_act\": \"%s\", %s}", cases[i].name,
		         labels3);
		load_ok("cfg_act", body, &c);
		assert_int_equal(c.act, cases[i].act);
		xnr_config_free(&c);
	}
	snprintf(body, sizeof body, "{\"model_type\": \"bert\", \"hidden_act\": \"mish\", %s}",
	         labels3);
	expect_fail("cfg_act_bad", body, XNR_ERR_UNSUPPORTED,
	            "hidden_act \"mish\" is not supported; supported: gelu,");
	snprintf(body, sizeof body,
	         "{\"model_type\": \"distilbert\", \"activation\": \"gelu_10\", %s}", labels3);
	expect_fail("cfg_act_bad2", body, XNR_ERR_UNSUPPORTED, "activation \"gelu_10\"");
}

static void test_labels(void **state)
{
	struct xnr_model_config c;
	(void)state;
	expect_fail("cfg_nolabels", "{\"model_type\": \"bert\"}", XNR_ERR_FORMAT,
	            "no \"id2label\"");
	load_ok("cfg_numlabels", "{\"model_type\": \"bert\", \"num_labels\": 3}", &c);
	assert_int_equal(c.n_labels, 3);
	assert_string_equal(c.id2label[0], "LABEL_0");
	assert_string_equal(c.id2label[2], "LABEL_2");
	xnr_config_free(&c);
	/* id2label wins over a disagreeing num_labels, as in transformers */
	load_ok("cfg_both",
	        "{\"model_type\": \"bert\", \"num_labels\": 5, \"id2label\": {\"1\": \"B\", \"0\": "
	        "\"O\"}}",
	        &c);
	assert_int_equal(c.n_labels, 2);
	assert_string_equal(c.id2label[0], "O");
	assert_string_equal(c.id2label[1], "B");
	xnr_config_free(&c);
	expect_fail("cfg_gap",
	            "{\"model_type\": \"bert\", \"id2label\": {\"0\": \"O\", \"2\": \"B\"}}",
	            XNR_ERR_FORMAT, "id2label key \"2\" is not one of \"0\"..\"1\"");
	expect_fail("cfg_lead0",
	            "{\"model_type\": \"bert\", \"id2label\": {\"0\": \"O\", \"01\": \"B\"}}",
	            XNR_ERR_FORMAT, "\"01\"");
	expect_fail("cfg_neg",
	            "{\"model_type\": \"bert\", \"id2label\": {\"0\": \"O\", \"-1\": \"B\"}}",
	            XNR_ERR_FORMAT, "\"-1\"");
	expect_fail("cfg_labeltype", "{\"model_type\": \"bert\", \"id2label\": {\"0\": 5}}",
	            XNR_ERR_FORMAT, "id2label \"0\" must be a string");
	expect_fail("cfg_labelarr", "{\"model_type\": \"bert\", \"id2label\": [\"O\"]}",
	            XNR_ERR_FORMAT, "\"id2label\" must be an object");
	expect_fail("cfg_labelempty", "{\"model_type\": \"bert\", \"id2label\": {}}",
	            XNR_ERR_FORMAT, "0 labels");
}

static void test_errors(void **state)
{
	struct xnr_model_config c;
	struct xnr_error err;
	char body[512];
	(void)state;
	snprintf(body, sizeof body, "{\"architectures\": [\"BertForSequenceClassification\"], %s}",
	         labels3);
	expect_fail("cfg_arch", body, XNR_ERR_UNSUPPORTED,
	            "architecture \"BertForSequenceClassification\" is not supported; supported: "
	            "BertForTokenClassification, DistilBertForTokenClassification");
	snprintf(body, sizeof body, "{\"model_type\": \"funnel\", %s}", labels3);
	expect_fail("cfg_type", body, XNR_ERR_UNSUPPORTED,
	            "model_type \"funnel\" is not supported");
	expect_fail("cfg_none", "{}", XNR_ERR_FORMAT,
	            "neither \"architectures\" nor \"model_type\"");
	expect_fail("cfg_archs_type", "{\"architectures\": \"BertForTokenClassification\"}",
	            XNR_ERR_FORMAT, "\"architectures\" must be a non-empty list");
	snprintf(body, sizeof body, "{\"model_type\": \"bert\", \"hidden_size\": \"256\", %s}",
	         labels3);
	expect_fail("cfg_hidden_str", body, XNR_ERR_FORMAT,
	            "key \"hidden_size\" must be an integer");
	snprintf(body, sizeof body, "{\"model_type\": \"bert\", \"layer_norm_eps\": \"1e-12\", %s}",
	         labels3);
	expect_fail("cfg_eps_str", body, XNR_ERR_FORMAT, "key \"layer_norm_eps\" must be a number");
	snprintf(body, sizeof body, "{\"model_type\": \"bert\", \"layer_norm_eps\": -1, %s}",
	         labels3);
	expect_fail("cfg_eps_neg", body, XNR_ERR_FORMAT, "layer_norm_eps");
	snprintf(body, sizeof body, "{\"model_type\": \"bert\", \"hidden_act\": 3, %s}", labels3);
	expect_fail("cfg_act_type", body, XNR_ERR_FORMAT, "key \"hidden_act\" must be a string");
	snprintf(body, sizeof body, "{\"model_type\": \"bert\", \"num_hidden_layers\": 0, %s}",
	         labels3);
	expect_fail("cfg_layers0", body, XNR_ERR_FORMAT, "\"num_hidden_layers\" is 0");
	snprintf(body, sizeof body, "{\"model_type\": \"bert\", \"vocab_size\": 99999999999, %s}",
	         labels3);
	expect_fail("cfg_vocab_big", body, XNR_ERR_FORMAT, "\"vocab_size\" is 99999999999");
	snprintf(body, sizeof body,
	         "{\"model_type\": \"bert\", \"hidden_size\": 100, \"num_attention_heads\": 3, %s}",
	         labels3);
	expect_fail("cfg_heads", body, XNR_ERR_FORMAT, "not a multiple of the 3 attention heads");
	snprintf(body, sizeof body,
	         "{\"model_type\": \"bert\", \"position_embedding_type\": \"relative_key\", %s}",
	         labels3);
	expect_fail("cfg_relpos", body, XNR_ERR_UNSUPPORTED, "relative_key");
	expect_fail("cfg_json", "{\"model_type\": ", XNR_ERR_FORMAT, "invalid JSON");
	expect_fail("cfg_notobj", "[1]", XNR_ERR_FORMAT, "not a JSON object");
	expect_fail("cfg_dupkey", "{\"model_type\": \"bert\", \"model_type\": \"bert\"}",
	            XNR_ERR_FORMAT, "duplicate");
	assert_int_equal(xnr_config_load(tu_src("no/such/config.json"), &c, &err),
	                 XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "config.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bert_defaults),   cmocka_unit_test(test_distilbert_aliases),
	    cmocka_unit_test(test_roberta_offsets), cmocka_unit_test(test_electra),
	    cmocka_unit_test(test_activations),     cmocka_unit_test(test_labels),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
