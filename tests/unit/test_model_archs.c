/*
 * test_model_archs.c - every fixture of tests/fixtures/models/ through the engine: the
 * config it reports, then logits, last hidden state, all hidden states and FFN
 * activations of the golden sequences against tests/gen/hf_reference.py (a PyTorch
 * mirror of the transformers forward passes) within the golden's tolerance (1e-4),
 * printing the max abs difference per fixture (llm.c-style parity). sentence_bert is a
 * sentence-transformers folder (a bare BertModel): it loads without labels or logits, and
 * its last hidden states mean-pooled over each sequence match the golden's mean_pooled.
 * The deberta_* fixtures come from tests/gen/gen_deberta.py (deberta_reference.py); their
 * long sequences keep logits only.
 */
#include "testutil.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/pool.h"
#include "model/model.h"

#define GOLDEN_MAX_BYTES (8u << 20)

struct fixture {
	const char *name;
};

/* Keep in sync with tests/gen/gen_models.py and gen_deberta.py FIXTURES
 * (test_fixture_list checks it). */
static struct fixture fixtures[] = {
    {"bert"},         {"bert_gelu_tanh"}, {"distilbert"},    {"roberta"},
    {"xlm_roberta"},  {"electra"},        {"bert_f16"},      {"bert_bf16"},
    {"bert_sharded"}, {"bert_noprefix"},  {"sentence_bert"}, {"deberta_v3"},
    {"deberta_b8"},   {"deberta_c2p"},    {"deberta_norel"}, {"deberta_v1"},
};
#define N_FIXTURES (sizeof fixtures / sizeof fixtures[0])

/* The golden sequences packed back to back, as struct xnr_batch wants them. */
struct packed {
	int n_seq, n_tokens, max_len;
	int32_t *ids, *type_ids, *seq_start;
};

struct diffs {
	double logits, hidden, all_hidden, ffn, pooled;
};

static const char *fixture_dir(const char *name)
{
	static char buf[4096];
	snprintf(buf, sizeof buf, "%s", tu_src("tests/fixtures/models"));
	snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "/%s", name);
	return buf;
}

static int64_t get_int(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void pack(const json_t *seqs, struct packed *p)
{
	size_t i, t, n = 0;
	const json_t *s;
	p->n_seq = (int)json_array_size(seqs);
	json_array_foreach(seqs, i, s) n += json_array_size(json_object_get(s, "input_ids"));
	p->n_tokens = (int)n;
	p->max_len = 0;
	p->ids = calloc(n, sizeof *p->ids);
	p->type_ids = calloc(n, sizeof *p->type_ids);
	p->seq_start = calloc((size_t)p->n_seq + 1, sizeof *p->seq_start);
	assert_true(p->ids && p->type_ids && p->seq_start);
	n = 0;
	json_array_foreach(seqs, i, s)
	{
		const json_t *ids = json_object_get(s, "input_ids"),
		             *tt = json_object_get(s, "token_type_ids");
		p->seq_start[i] = (int32_t)n;
		for (t = 0; t < json_array_size(ids); t++, n++) {
			p->ids[n] = (int32_t)json_integer_value(json_array_get(ids, t));
			p->type_ids[n] = (int32_t)json_integer_value(json_array_get(tt, t));
		}
		if ((int)json_array_size(ids) > p->max_len)
			p->max_len = (int)json_array_size(ids);
	}
	p->seq_start[p->n_seq] = (int32_t)n;
}

static void packed_free(struct packed *p)
{
	free(p->ids);
	free(p->type_ids);
	free(p->seq_start);
}

/* Max |want - got| over rows x cols, where want is a JSON (rows, cols) array and got's
 * rows are row_stride floats apart. */
static double diff_rows(const json_t *want, const float *got, size_t row_stride, size_t cols)
{
	size_t r, c;
	const json_t *row;
	double m = 0.0;
	assert_true(json_is_array(want));
	json_array_foreach(want, r, row)
	{
		assert_int_equal(json_array_size(row), cols);
		for (c = 0; c < cols; c++) {
			double d = fabs(json_number_value(json_array_get(row, c)) -
			                got[r * row_stride + c]);
			if (!(d <= m))
				m = isnan(d) ? INFINITY : d;
		}
	}
	return m;
}

static size_t seq_len(const json_t *seq)
{
	return json_array_size(json_object_get(seq, "input_ids"));
}

/* Max |want - mean of the S rows of hidden (S, H)| (sentence-transformers mean
 * pooling: every token of an unpadded sequence, specials included). */
static double diff_mean_pooled(const json_t *want, const float *hidden, size_t S, size_t H)
{
	double m = 0.0;
	size_t t, j;
	assert_int_equal(json_array_size(want), H);
	for (j = 0; j < H; j++) {
		double sum = 0.0, d;
		for (t = 0; t < S; t++)
			sum += hidden[t * H + j];
		d = fabs(json_number_value(json_array_get(want, j)) - sum / (double)S);
		if (!(d <= m))
			m = isnan(d) ? INFINITY : d;
	}
	return m;
}

/* Compare one sequence's outputs; tok0 = its first token in the batch of n_tokens. */
static void diff_seq(const struct xnr_model_config *c, const json_t *seq,
                     const struct xnr_outputs *o, size_t tok0, struct diffs *d)
{
	size_t H = (size_t)c->hidden_size, I = (size_t)c->intermediate_size,
	       N = (size_t)o->n_tokens;
	size_t l, n_layers = (size_t)c->n_layers;
	const json_t *all = json_object_get(seq, "all_hidden"),
	             *ffn = json_object_get(seq, "ffn_acts");
	if (c->n_labels > 0)
		d->logits = fmax(d->logits, diff_rows(json_object_get(seq, "logits"),
		                                      o->logits + tok0 * (size_t)c->n_labels,
		                                      (size_t)c->n_labels, (size_t)c->n_labels));
	else
		assert_null(o->logits);
	if (json_object_get(seq, "mean_pooled"))
		d->pooled =
		    fmax(d->pooled, diff_mean_pooled(json_object_get(seq, "mean_pooled"),
		                                     o->hidden + tok0 * H, seq_len(seq), H));
	if (json_object_get(seq, "last_hidden"))
		d->hidden = fmax(d->hidden, diff_rows(json_object_get(seq, "last_hidden"),
		                                      o->hidden + tok0 * H, H, H));
	if (o->all_hidden && all) {
		assert_int_equal(json_array_size(all), n_layers + 1);
		for (l = 0; l <= n_layers; l++)
			d->all_hidden = fmax(d->all_hidden,
			                     diff_rows(json_array_get(all, l),
			                               o->all_hidden + (l * N + tok0) * H, H, H));
	}
	if (o->ffn_acts && ffn) {
		assert_int_equal(json_array_size(ffn), n_layers);
		for (l = 0; l < n_layers; l++)
			d->ffn = fmax(d->ffn, diff_rows(json_array_get(ffn, l),
			                                o->ffn_acts + (l * N + tok0) * I, I, I));
	}
}

static void check_deberta(const struct xnr_deberta_config *d, const json_t *want)
{
	assert_int_equal(d->relative_attention,
	                 json_is_true(json_object_get(want, "relative_attention")));
	assert_int_equal(d->position_buckets, get_int(want, "position_buckets"));
	assert_int_equal(d->max_relative_positions, get_int(want, "max_relative_positions"));
	assert_int_equal(d->c2p, json_is_true(json_object_get(want, "c2p")));
	assert_int_equal(d->p2c, json_is_true(json_object_get(want, "p2c")));
	assert_int_equal(d->share_att_key, json_is_true(json_object_get(want, "share_att_key")));
	assert_int_equal(d->norm_rel_ebd, json_is_true(json_object_get(want, "norm_rel_ebd")));
	assert_int_equal(d->position_biased_input,
	                 json_is_true(json_object_get(want, "position_biased_input")));
	assert_int_equal(d->scale_factor, get_int(want, "scale_factor"));
}

static void check_config(const struct xnr_model_config *c, const json_t *want)
{
	const char *act = json_string_value(json_object_get(want, "act"));
	double eps = json_number_value(json_object_get(want, "layer_norm_eps"));
	assert_string_equal(c->architecture,
	                    json_string_value(json_object_get(want, "architecture")));
	assert_string_equal(c->model_type, json_string_value(json_object_get(want, "model_type")));
	assert_string_equal(xnr_arch_str(c->arch), c->model_type);
	assert_int_equal(c->vocab_size, get_int(want, "vocab_size"));
	assert_int_equal(c->hidden_size, get_int(want, "hidden_size"));
	assert_int_equal(c->embedding_size, get_int(want, "embedding_size"));
	assert_int_equal(c->n_layers, get_int(want, "n_layers"));
	assert_int_equal(c->n_heads, get_int(want, "n_heads"));
	assert_int_equal(c->intermediate_size, get_int(want, "intermediate_size"));
	assert_int_equal(c->max_positions, get_int(want, "max_positions"));
	assert_int_equal(c->type_vocab_size, get_int(want, "type_vocab_size"));
	assert_int_equal(c->pad_token_id, get_int(want, "pad_token_id"));
	assert_int_equal(c->position_offset, get_int(want, "position_offset"));
	assert_int_equal(c->n_labels, get_int(want, "n_labels"));
	assert_true(fabs(c->layer_norm_eps - eps) <= eps * 1e-6);
	/* gelu_new and gelu_pytorch_tanh are one function; xnr_act_str names it gelu_new. */
	assert_string_equal(xnr_act_str(c->act),
	                    strcmp(act, "gelu_pytorch_tanh") ? act : "gelu_new");
	if (json_object_get(want, "deberta"))
		check_deberta(&c->deberta, json_object_get(want, "deberta"));
	if (c->n_labels == 0) {
		/* a bare encoder: no head, no labels */
		assert_false(c->has_classifier);
		assert_null(c->id2label);
		return;
	}
	assert_true(c->has_classifier);
	assert_string_equal(c->id2label[0], "O");
	assert_string_equal(c->id2label[c->n_labels - 1], "I-LOC");
}

/* All golden sequences in one packed batch, every output compared. */
static void run_batch(const struct xnr_model *m, struct xnr_pool *pool, const json_t *seqs,
                      const struct packed *p, struct diffs *d)
{
	struct xnr_forward_opts opts = {1, 1};
	struct xnr_batch b = {p->n_seq, p->ids, p->type_ids, p->seq_start};
	struct xnr_state *st = NULL;
	struct xnr_outputs o;
	struct xnr_error err = {0};
	int i;
	if (xnr_state_open(m, p->n_tokens, p->max_len, opts, &st, &err) != XNR_OK)
		fail_msg("xnr_state_open: %s", err.msg);
	if (xnr_model_forward(m, st, pool, &b, &o, &err) != XNR_OK)
		fail_msg("xnr_model_forward: %s", err.msg);
	assert_int_equal(o.n_tokens, p->n_tokens);
	assert_non_null(o.all_hidden);
	assert_non_null(o.ffn_acts);
	for (i = 0; i < p->n_seq; i++)
		diff_seq(xnr_model_config(m), json_array_get(seqs, (size_t)i), &o,
		         (size_t)p->seq_start[i], d);
	xnr_state_close(st);
}

/* Each sequence alone, without the optional outputs: logits and last hidden only. */
static void run_single(const struct xnr_model *m, const json_t *seqs, const struct packed *p,
                       struct diffs *d)
{
	struct xnr_forward_opts opts = {0, 0};
	struct xnr_state *st = NULL;
	struct xnr_outputs o;
	struct xnr_error err = {0};
	int i;
	if (xnr_state_open(m, p->max_len, p->max_len, opts, &st, &err) != XNR_OK)
		fail_msg("xnr_state_open: %s", err.msg);
	for (i = 0; i < p->n_seq; i++) {
		int32_t start[2] = {0, p->seq_start[i + 1] - p->seq_start[i]};
		struct xnr_batch b = {1, p->ids + p->seq_start[i], p->type_ids + p->seq_start[i],
		                      start};
		if (xnr_model_forward(m, st, NULL, &b, &o, &err) != XNR_OK)
			fail_msg("xnr_model_forward: %s", err.msg);
		assert_null(o.all_hidden);
		assert_null(o.ffn_acts);
		diff_seq(xnr_model_config(m), json_array_get(seqs, (size_t)i), &o, 0, d);
	}
	xnr_state_close(st);
}

static void test_fixture(void **state)
{
	const struct fixture *fx = *state;
	struct xnr_error err = {0};
	struct xnr_model *m = NULL;
	struct xnr_pool *pool = NULL;
	struct diffs batch = {0}, pooled = {0}, single = {0};
	struct packed p;
	json_t *g = NULL;
	const json_t *seqs;
	double tol;
	char path[4200];
	snprintf(path, sizeof path, "%s/golden.json", fixture_dir(fx->name));
	if (xnr_json_load(path, GOLDEN_MAX_BYTES, &g, &err) != XNR_OK)
		fail_msg("%s", err.msg);
	if (xnr_model_open(fixture_dir(fx->name), &m, &err) != XNR_OK)
		fail_msg("%s: xnr_model_open: %s", fx->name, err.msg);
	check_config(xnr_model_config(m), json_object_get(g, "expect_config"));
	seqs = json_object_get(g, "sequences");
	tol = json_number_value(json_object_get(g, "tolerance"));
	pack(seqs, &p);
	run_batch(m, NULL, seqs, &p, &batch);
	assert_int_equal(xnr_pool_open(2, &pool, &err), XNR_OK);
	run_batch(m, pool, seqs, &p, &pooled);
	run_single(m, seqs, &p, &single);
	printf("%-15s max|diff| logits %.2e  hidden %.2e  all_hidden %.2e  ffn_acts %.2e"
	       "  mean_pooled %.2e  (2 threads: logits %.2e; one by one: logits %.2e)\n",
	       fx->name, batch.logits, batch.hidden, batch.all_hidden, batch.ffn, batch.pooled,
	       pooled.logits, single.logits);
	assert_true(batch.logits <= tol && batch.hidden <= tol && batch.all_hidden <= tol &&
	            batch.ffn <= tol && batch.pooled <= tol);
	assert_true(pooled.logits <= tol && pooled.hidden <= tol && pooled.all_hidden <= tol &&
	            pooled.ffn <= tol && pooled.pooled <= tol);
	assert_true(single.logits <= tol && single.hidden <= tol && single.pooled <= tol);
	xnr_pool_close(pool);
	packed_free(&p);
	xnr_model_close(m);
	json_decref(g);
}

/* A token id outside the vocabulary is bad input, not a crash; err->item
 * says which sequence of the batch holds it. */
static void test_bad_token(void **state)
{
	struct xnr_forward_opts opts = {0, 0};
	struct xnr_error err = {0};
	struct xnr_model *m = NULL;
	struct xnr_state *st = NULL;
	struct xnr_outputs o;
	int32_t ids[3] = {2, 0, 3}, start[3] = {0, 1, 3};
	struct xnr_batch b = {2, ids, NULL, start};
	(void)state;
	assert_int_equal(xnr_model_open(fixture_dir("bert"), &m, &err), XNR_OK);
	assert_int_equal(xnr_state_open(m, 3, 3, opts, &st, &err), XNR_OK);
	ids[1] = xnr_model_config(m)->vocab_size;
	assert_int_equal(xnr_model_forward(m, st, NULL, &b, &o, &err), XNR_ERR_INPUT);
	assert_int_equal(err.item, 2);
	ids[1] = -1;
	assert_int_equal(xnr_model_forward(m, st, NULL, &b, &o, &err), XNR_ERR_INPUT);
	ids[1] = 7;
	assert_int_equal(xnr_model_forward(m, st, NULL, &b, &o, &err), XNR_OK);
	xnr_state_close(st);
	xnr_model_close(m);
}

/* Every folder under tests/fixtures/models is in fixtures[] and vice versa. */
static void test_fixture_list(void **state)
{
	DIR *d = opendir(tu_src("tests/fixtures/models"));
	struct dirent *e;
	size_t i, found = 0;
	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		int known = 0;
		if (e->d_name[0] == '.')
			continue;
		for (i = 0; i < N_FIXTURES; i++)
			known |= strcmp(fixtures[i].name, e->d_name) == 0;
		if (!known)
			fail_msg("tests/fixtures/models/%s is not listed in test_model_archs.c",
			         e->d_name);
		found++;
	}
	closedir(d);
	assert_int_equal(found, N_FIXTURES);
}

/* One cmocka test per fixture, named after it. */
#define FIXTURE_TEST(i)                                                                            \
	{                                                                                          \
		fixtures[i].name, test_fixture, NULL, NULL, &fixtures[i]                           \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture_list),
	    FIXTURE_TEST(0),
	    FIXTURE_TEST(1),
	    FIXTURE_TEST(2),
	    FIXTURE_TEST(3),
	    FIXTURE_TEST(4),
	    FIXTURE_TEST(5),
	    FIXTURE_TEST(6),
	    FIXTURE_TEST(7),
	    FIXTURE_TEST(8),
	    FIXTURE_TEST(9),
	    FIXTURE_TEST(10),
	    FIXTURE_TEST(11),
	    FIXTURE_TEST(12),
	    FIXTURE_TEST(13),
	    FIXTURE_TEST(14),
	    FIXTURE_TEST(15),
	    cmocka_unit_test(test_bad_token),
	};
	return cmocka_run_group_tests_name("model_archs", tests, NULL, NULL);
}
