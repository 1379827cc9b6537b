/*
 * test_analysis_seqeval.c - seqeval parity on real data: demo/eval.conll scored
 * with the PyTorch reference's predictions must give exactly the numbers of
 * tests/gen/seqeval_port.py (tests/fixtures/demo/expected_eval.json, default and
 * strict mode, relative tolerance 1e-12) and the same digits=4 reports; with the
 * argument "shared", CoNLL-2003 test with conll03-bert-mini's predictions
 * against the numbers seqeval itself printed (expected_test.txt.json). Plus the
 * report layout, zero division, nervaluate's P/R formulas and the confusion
 * matrix; and the accumulator (a corpus in pieces) equal to the whole.
 */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/confusion.h"
#include "analysis/nervaluate.h"
#include "analysis/seqeval.h"
#include "analysis/tagset.h"
#include "core/file.h"

struct corpus {
	struct xnr_tagset *ts;
	int32_t *gold, *pred;
	size_t *starts;
	size_t n_sents, n_words;
	struct xnr_tagged_corpus c;
};

static void add(struct corpus *co, int32_t **ids, size_t w, const char *tag, size_t len)
{
	struct xnr_error err;
	*ids = realloc(*ids, (w + 1) * sizeof(**ids));
	assert_non_null(*ids);
	assert_int_equal(xnr_tagset_add(co->ts, tag, len, &(*ids)[w], &err), XNR_OK);
}

/* A tiny CoNLL reader: last column is the gold tag, -DOCSTART- skipped. */
static void read_conll(struct corpus *co, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	struct xnr_error err;
	assert_int_equal(xnr_file_read(path, 64u << 20, &text, &len, &err), XNR_OK);
	co->starts = malloc(sizeof(size_t));
	co->starts[0] = 0;
	size_t in_sent = 0;
	for (char *line = text; line < text + len;) {
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		char *end = nl ? nl : text + len;
		if (end > line && end[-1] == '\r')
			end--;
		if (end == line || strncmp(line, "-DOCSTART-", 10) == 0) {
			if (in_sent) {
				co->starts =
				    realloc(co->starts, (co->n_sents + 2) * sizeof(size_t));
				co->starts[++co->n_sents] = co->n_words;
				in_sent = 0;
			}
		} else {
			char *sp = end;
			while (sp > line && sp[-1] != ' ' && sp[-1] != '\t')
				sp--;
			add(co, &co->gold, co->n_words++, sp, (size_t)(end - sp));
			in_sent++;
		}
		line = nl ? nl + 1 : text + len;
	}
	if (in_sent) {
		co->starts = realloc(co->starts, (co->n_sents + 2) * sizeof(size_t));
		co->starts[++co->n_sents] = co->n_words;
	}
	free(text);
}

static struct tu_material mat;

static json_t *load_expected(struct corpus *co)
{
	json_error_t jerr;
	json_t *root = json_load_file(mat.expected, 0, &jerr);
	if (!root)
		fail_msg("%s: %s", mat.expected, jerr.text);
	json_t *preds = json_object_get(root, "predictions");
	assert_int_equal(json_array_size(preds), co->n_sents);
	size_t w = 0;
	for (size_t s = 0; s < co->n_sents; s++) {
		json_t *sent = json_array_get(preds, s);
		assert_int_equal(json_array_size(sent), co->starts[s + 1] - co->starts[s]);
		for (size_t k = 0; k < json_array_size(sent); k++) {
			const char *tag = json_string_value(json_array_get(sent, k));
			assert_non_null(tag);
			add(co, &co->pred, w++, tag, strlen(tag));
		}
	}
	co->c = (struct xnr_tagged_corpus){co->ts, co->n_sents, co->starts, co->gold, co->pred};
	return root;
}

static double max_rel = 0;

static void expect_close(const char *what, const char *field, double got, json_t *want)
{
	double w = json_number_value(want);
	double rel = fabs(got - w) / (fabs(w) > 0 ? fabs(w) : 1);
	max_rel = rel > max_rel ? rel : max_rel;
	if (!json_is_number(want) || rel > 1e-12)
		fail_msg("%s %s: %.17g, seqeval says %.17g", what, field, got, w);
}

static void expect_row(json_t *rep, const char *name, const struct xnr_prf *s)
{
	json_t *row = json_object_get(rep, name);
	if (!row)
		fail_msg("no row %s in the reference", name);
	expect_close(name, "precision", s->precision, json_object_get(row, "precision"));
	expect_close(name, "recall", s->recall, json_object_get(row, "recall"));
	expect_close(name, "f1-score", s->f1, json_object_get(row, "f1-score"));
	expect_close(name, "support", (double)s->support, json_object_get(row, "support"));
}

/* seqeval 1.2.2's classification_report(digits=4) on CoNLL-2003 test (shared/). */
static const char *const report_default =
    "              precision    recall  f1-score   support\n\n"
    "         LOC     0.7594    0.7908    0.7747      1668\n"
    "        MISC     0.6500    0.7037    0.6758       702\n"
    "         ORG     0.6473    0.6388    0.6430      1661\n"
    "         PER     0.6392    0.7953    0.7087      1617\n\n"
    "   micro avg     0.6766    0.7365    0.7053      5648\n"
    "   macro avg     0.6740    0.7321    0.7006      5648\n"
    "weighted avg     0.6784    0.7365    0.7048      5648\n";

static const char *const report_strict = "              precision    recall  f1-score   support\n\n"
                                         "         LOC     0.7868    0.7878    0.7873      1668\n"
                                         "        MISC     0.7060    0.6909    0.6983       702\n"
                                         "         ORG     0.7232    0.6243    0.6701      1661\n"
                                         "         PER     0.7042    0.7304    0.7171      1617\n\n"
                                         "   micro avg     0.7346    0.7112    0.7227      5648\n"
                                         "   macro avg     0.7300    0.7083    0.7182      5648\n"
                                         "weighted avg     0.7344    0.7112    0.7217      5648\n";

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void check_mode(struct corpus *co, json_t *root, enum xnr_seqeval_mode mode)
{
	const char *key = mode == XNR_SEQEVAL_STRICT ? "strict" : "default";
	json_t *rep = json_object_get(json_object_get(root, "seqeval"), key);
	struct xnr_seqeval_params pa = xnr_seqeval_default_params();
	struct xnr_seqeval_report r;
	struct xnr_error err;
	pa.mode = mode;
	double best = 1e9;
	for (int rep_i = 0; rep_i < 5; rep_i++) {
		double t0 = now_ms();
		assert_int_equal(xnr_seqeval_evaluate(&co->c, &pa, &r, &err), XNR_OK);
		double dt = now_ms() - t0;
		best = dt < best ? dt : best;
		if (rep_i < 4)
			xnr_seqeval_report_free(&r);
	}
	printf("  %s, %s: %zu words, %zu gold / %zu predicted entities, scored in %.3f ms\n",
	       mat.name, key, co->n_words, r.gold.n, r.pred.n, best);
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__)
	assert_true(best < 10.0); /* 46k words: well under 10 ms in optimised builds */
#endif
	if (mode == XNR_SEQEVAL_STRICT)
		assert_int_equal(r.scheme, XNR_SEQEVAL_IOB2);
	assert_int_equal(r.n_classes, json_object_size(rep) - 3);
	for (size_t k = 0; k < r.n_classes; k++)
		expect_row(rep, r.classes[k].name, &r.classes[k].score);
	expect_row(rep, "micro avg", &r.micro);
	expect_row(rep, "macro avg", &r.macro);
	expect_row(rep, "weighted avg", &r.weighted);
	char *text = NULL;
	assert_int_equal(xnr_seqeval_format(&r, 4, &text, &err), XNR_OK);
	if (mat.shared)
		assert_string_equal(text,
		                    mode == XNR_SEQEVAL_STRICT ? report_strict : report_default);
	else
		assert_string_equal(
		    text, json_string_value(json_object_get(json_object_get(root, "report"), key)));
	free(text);
	xnr_seqeval_report_free(&r);
}

static void test_parity(void **state)
{
	(void)state;
	struct corpus co = {0};
	struct xnr_error err;
	assert_int_equal(xnr_tagset_open(&co.ts, &err), XNR_OK);
	read_conll(&co, mat.data);
	json_t *root = load_expected(&co);
	check_mode(&co, root, XNR_SEQEVAL_DEFAULT);
	check_mode(&co, root, XNR_SEQEVAL_STRICT);
	printf("  max relative difference to %s: %.3g\n",
	       mat.shared ? "seqeval" : "tests/gen/seqeval_port.py", max_rel);
	json_decref(root);
	xnr_tagset_close(co.ts);
	free(co.gold);
	free(co.pred);
	free(co.starts);
}

/* A small corpus from space-separated sentences joined by " | ". */
static void small(struct corpus *co, const char *gold, const char *pred)
{
	struct xnr_error err;
	const char *text[2] = {gold, pred};
	assert_int_equal(xnr_tagset_open(&co->ts, &err), XNR_OK);
	co->starts = calloc(64, sizeof(size_t));
	for (int side = 0; side < 2; side++) {
		char buf[1024];
		size_t w = 0, s = 0;
		snprintf(buf, sizeof(buf), "%s", text[side]);
		for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			if (strcmp(tok, "|") == 0) {
				co->starts[++s] = w;
				continue;
			}
			add(co, side ? &co->pred : &co->gold, w++, tok, strlen(tok));
		}
		co->starts[++s] = w;
		co->n_sents = s;
		co->n_words = w;
	}
	co->c = (struct xnr_tagged_corpus){co->ts, co->n_sents, co->starts, co->gold, co->pred};
}

static void small_free(struct corpus *co)
{
	xnr_tagset_close(co->ts);
	free(co->gold);
	free(co->pred);
	free(co->starts);
	memset(co, 0, sizeof(*co));
}

/* seqeval's docstring example, digits 2 and a wide class name. */
static void test_report_layout(void **state)
{
	(void)state;
	struct corpus co = {0};
	struct xnr_seqeval_params pa = xnr_seqeval_default_params();
	struct xnr_seqeval_report r;
	struct xnr_error err;
	char *text = NULL;
	small(&co, "O O O B-MISC I-MISC I-MISC O | B-PER I-PER O",
	      "O O B-MISC I-MISC I-MISC I-MISC O | B-PER I-PER O");
	assert_int_equal(xnr_seqeval_evaluate(&co.c, &pa, &r, &err), XNR_OK);
	assert_int_equal(xnr_seqeval_format(&r, 2, &text, &err), XNR_OK);
	assert_string_equal(text, "              precision    recall  f1-score   support\n\n"
	                          "        MISC       0.00      0.00      0.00         1\n"
	                          "         PER       1.00      1.00      1.00         1\n\n"
	                          "   micro avg       0.50      0.50      0.50         2\n"
	                          "   macro avg       0.50      0.50      0.50         2\n"
	                          "weighted avg       0.50      0.50      0.50         2\n");
	free(text);
	assert_int_equal(xnr_seqeval_format(&r, -1, &text, &err), XNR_ERR_INPUT);
	xnr_seqeval_report_free(&r);
	small_free(&co);

	small(&co, "B-VERY_LONG_ÉNTITY_TYPE O", "O O");
	assert_int_equal(xnr_seqeval_evaluate(&co.c, &pa, &r, &err), XNR_OK);
	assert_int_equal(xnr_seqeval_format(&r, 3, &text, &err), XNR_OK);
	/* width counts characters (Python len), not bytes */
	assert_string_equal(text,
	                    "                       precision    recall  f1-score   support\n\n"
	                    "VERY_LONG_ÉNTITY_TYPE      0.000     0.000     0.000         1\n\n"
	                    "            micro avg      0.000     0.000     0.000         1\n"
	                    "            macro avg      0.000     0.000     0.000         1\n"
	                    "         weighted avg      0.000     0.000     0.000         1\n");
	free(text);
	xnr_seqeval_report_free(&r);
	small_free(&co);
}

static void test_zero_division(void **state)
{
	(void)state;
	struct corpus co = {0};
	struct xnr_seqeval_params pa = xnr_seqeval_default_params();
	struct xnr_seqeval_report r;
	struct xnr_error err;
	char *text = NULL;
	/* PER only predicted, LOC only gold */
	small(&co, "B-LOC O", "O B-PER");
	pa.zero_division = 1;
	assert_int_equal(xnr_seqeval_evaluate(&co.c, &pa, &r, &err), XNR_OK);
	assert_int_equal(r.n_classes, 2);
	assert_true(r.classes[0].score.precision == 1.0); /* LOC: nothing predicted */
	assert_true(r.classes[0].score.recall == 0.0);
	assert_true(r.classes[1].score.recall == 1.0); /* PER: no gold */
	assert_true(r.classes[1].score.precision == 0.0);
	assert_true(r.weighted.precision == 1.0 && r.weighted.recall == 0.0);
	xnr_seqeval_report_free(&r);
	pa.zero_division = 0.5;
	assert_int_equal(xnr_seqeval_evaluate(&co.c, &pa, &r, &err), XNR_ERR_INPUT);
	small_free(&co);

	/* nothing anywhere: no class rows, macro NaN as numpy's mean of nothing */
	small(&co, "O O", "O O");
	pa = xnr_seqeval_default_params();
	assert_int_equal(xnr_seqeval_evaluate(&co.c, &pa, &r, &err), XNR_OK);
	assert_int_equal(r.n_classes, 0);
	assert_true(isnan(r.macro.f1));
	assert_true(r.micro.f1 == 0.0 && r.weighted.f1 == 0.0);
	assert_int_equal(xnr_seqeval_format(&r, 2, &text, &err), XNR_OK);
	assert_string_equal(text, "              precision    recall  f1-score   support\n\n\n"
	                          "   micro avg       0.00      0.00      0.00         0\n"
	                          "   macro avg        nan       nan       nan         0\n"
	                          "weighted avg       0.00      0.00      0.00         0\n");
	free(text);
	xnr_seqeval_report_free(&r);
	small_free(&co);
}

static void test_bad_corpus(void **state)
{
	(void)state;
	struct corpus co = {0};
	struct xnr_seqeval_params pa = xnr_seqeval_default_params();
	struct xnr_seqeval_report r;
	struct xnr_error err;
	int32_t id;
	small(&co, "B-PER O", "O O");
	co.pred[1] = 7;
	assert_int_equal(xnr_seqeval_evaluate(&co.c, &pa, &r, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "sentence 0, word 1"));
	co.pred[1] = 0;
	co.starts[0] = 1;
	assert_int_equal(xnr_seqeval_evaluate(&co.c, &pa, &r, &err), XNR_ERR_INPUT);
	assert_int_equal(xnr_tagset_add(co.ts, "", 0, &id, &err), XNR_ERR_INPUT);
	assert_int_equal(xnr_tagset_add(co.ts, "B\0X", 3, &id, &err), XNR_ERR_INPUT);
	assert_int_equal(xnr_tagset_find(co.ts, "B-PER", 5), 0);
	assert_int_equal(xnr_tagset_find(co.ts, "B-ORG", 5), -1);
	assert_null(xnr_tagset_tag(co.ts, 99));
	small_free(&co);
}

/* Two documents, COR 2 and PAR 3 under partial: P = (2 + 1.5)/5 = 0.7; nervaluate
 * 1.1.0 merging two documents reports 2/5 = 0.4 (README example numbers). */
static void test_nerval_formulas(void **state)
{
	(void)state;
	struct corpus co = {0};
	struct xnr_entities g = {0}, p = {0};
	struct xnr_nerval_result r;
	struct xnr_error err;
	small(&co, "B-PER I-PER O B-LOC | B-PER I-PER O B-ORG I-ORG O B-LOC",
	      "B-PER O O B-LOC | B-PER O O B-ORG O O B-LOC");
	assert_int_equal(xnr_nerval_entities_from_bio(&co.c, co.c.gold, "gold", &g, &err), XNR_OK);
	assert_int_equal(xnr_nerval_entities_from_bio(&co.c, co.c.pred, "pred", &p, &err), XNR_OK);
	struct xnr_nerval_params pa = xnr_nerval_default_params();
	assert_int_equal(xnr_nerval_evaluate(&g, &p, co.n_sents, co.ts, &pa, &r, &err), XNR_OK);
	const struct xnr_nerval_counts *c = &r.overall[XNR_NERVAL_PARTIAL];
	assert_int_equal(c->correct, 2);
	assert_int_equal(c->partial, 3);
	assert_int_equal(c->possible, 5);
	assert_int_equal(c->actual, 5);
	assert_true(c->precision == (2 + 0.5 * 3) / 5.0 && c->recall == 0.7);
	assert_true(c->f1 == 2 * (0.7 * 0.7) / (0.7 + 0.7));
	assert_true(r.overall[XNR_NERVAL_STRICT].precision == 0.4);
	xnr_nerval_result_free(&r);
	pa.compat_1_1 = 1;
	assert_int_equal(xnr_nerval_evaluate(&g, &p, co.n_sents, co.ts, &pa, &r, &err), XNR_OK);
	assert_true(r.overall[XNR_NERVAL_PARTIAL].precision == 0.4);
	assert_true(r.overall[XNR_NERVAL_PARTIAL].recall == 0.4);
	xnr_nerval_result_free(&r);
	/* min overlap: the three 1-of-2-word predictions cover 50% of their gold */
	pa = xnr_nerval_default_params();
	pa.min_overlap_percent = 60;
	assert_int_equal(xnr_nerval_evaluate(&g, &p, co.n_sents, co.ts, &pa, &r, &err), XNR_OK);
	assert_int_equal(r.overall[XNR_NERVAL_PARTIAL].partial, 0);
	assert_int_equal(r.overall[XNR_NERVAL_PARTIAL].spurious, 3);
	assert_int_equal(r.overall[XNR_NERVAL_PARTIAL].missed, 3);
	assert_int_equal(r.overall[XNR_NERVAL_PARTIAL].correct, 2);
	xnr_nerval_result_free(&r);
	pa.min_overlap_percent = 0.5;
	assert_int_equal(xnr_nerval_evaluate(&g, &p, co.n_sents, co.ts, &pa, &r, &err),
	                 XNR_ERR_INPUT);
	xnr_entities_free(&g);
	xnr_entities_free(&p);
	small_free(&co);
}

static void test_confusion(void **state)
{
	(void)state;
	struct corpus co = {0};
	struct xnr_confusion cm = {0};
	struct xnr_error err;
	/* ids: O=0 B-PER=1 I-PER=2 B-LOC=3 */
	small(&co, "O B-PER I-PER O B-LOC | O", "O B-PER O B-LOC B-LOC | B-PER");
	assert_int_equal(xnr_confusion_compute(&co.c, &cm, &err), XNR_OK);
	assert_int_equal(cm.n_labels, 4);
	const int64_t want[16] = {1, 1, 0, 1, /* O: O, B-PER, -, B-LOC */
	                          0, 1, 0, 0, /* B-PER */
	                          1, 0, 0, 0, /* I-PER */
	                          0, 0, 0, 1};
	assert_memory_equal(cm.counts, want, sizeof(want));
	double m[16];
	xnr_confusion_matrix(&cm, 1, 0, m);
	assert_true(m[0] == 1.0 / 3 && m[1] == 1.0 / 3 && m[3] == 1.0 / 3 && m[8] == 1.0);
	xnr_confusion_matrix(&cm, 1, 1, m);
	assert_true(m[0] == 0.0 && m[5] == 0.0 && m[15] == 0.0 && m[8] == 1.0);
	xnr_confusion_matrix(&cm, 0, 0, m);
	assert_true(m[0] == 1.0 && m[15] == 1.0);
	xnr_confusion_free(&cm);
	small_free(&co);
}

/* Two reports alike: same classes and counts, bit-equal scores. */
static void expect_same_report(const struct xnr_seqeval_report *a,
                               const struct xnr_seqeval_report *b)
{
	const struct xnr_prf *pa[] = {&a->micro, &a->macro, &a->weighted};
	const struct xnr_prf *pb[] = {&b->micro, &b->macro, &b->weighted};
	assert_int_equal(a->scheme, b->scheme);
	assert_int_equal(a->n_classes, b->n_classes);
	for (size_t k = 0; k < a->n_classes; k++) {
		assert_string_equal(a->classes[k].name, b->classes[k].name);
		assert_int_equal(a->classes[k].n_true, b->classes[k].n_true);
		assert_int_equal(a->classes[k].n_pred, b->classes[k].n_pred);
		assert_int_equal(a->classes[k].n_correct, b->classes[k].n_correct);
		assert_memory_equal(&a->classes[k].score, &b->classes[k].score,
		                    sizeof(a->classes[k].score));
	}
	for (int k = 0; k < 3; k++) {
		double x[3] = {pa[k]->precision, pa[k]->recall, pa[k]->f1};
		double y[3] = {pb[k]->precision, pb[k]->recall, pb[k]->f1};
		for (int j = 0; j < 3; j++)
			assert_true(isnan(x[j]) ? isnan(y[j])
			                        : memcmp(&x[j], &y[j], sizeof(double)) == 0);
		assert_int_equal(pa[k]->support, pb[k]->support);
	}
}

/* The corpus in pieces of random sizes through the accumulator gives what
 * the whole corpus gives, in default mode, strict mode with the scheme
 * detected and with every scheme named: scores, or the same error. */
static void expect_pieces_equal(const struct xnr_tagged_corpus *c, unsigned *seed)
{
	struct xnr_seqeval_acc *acc = NULL;
	struct xnr_error err, err2;
	size_t *starts = malloc((c->n_sents + 1) * sizeof(*starts));
	assert_non_null(starts);
	assert_int_equal(xnr_seqeval_acc_open(c->tags, &acc, &err), XNR_OK);
	for (size_t s = 0; s < c->n_sents;) {
		size_t n = 1 + (size_t)rand_r(seed) % 7, a = c->sent_start[s];
		n = n > c->n_sents - s ? c->n_sents - s : n;
		for (size_t k = 0; k <= n; k++)
			starts[k] = c->sent_start[s + k] - a;
		struct xnr_tagged_corpus piece = {c->tags, n, starts, c->gold + a, c->pred + a};
		assert_int_equal(xnr_seqeval_acc_add(acc, &piece, &err), XNR_OK);
		s += n;
	}
	for (int k = -1; k < XNR_SEQEVAL_SCHEME_COUNT; k++) {
		struct xnr_seqeval_params pa = xnr_seqeval_default_params();
		struct xnr_seqeval_report whole, pieces;
		char *t1 = NULL, *t2 = NULL;
		if (k >= 0) {
			pa.mode = XNR_SEQEVAL_STRICT;
			pa.scheme = (enum xnr_seqeval_scheme)k;
		}
		enum xnr_status s1 = xnr_seqeval_evaluate(c, &pa, &whole, &err);
		enum xnr_status s2 = xnr_seqeval_acc_report(acc, &pa, &pieces, &err2);
		assert_int_equal(s1, s2);
		if (s1 != XNR_OK) {
			assert_string_equal(err.msg, err2.msg);
			continue;
		}
		expect_same_report(&whole, &pieces);
		assert_int_equal(xnr_seqeval_format(&whole, 4, &t1, &err), XNR_OK);
		assert_int_equal(xnr_seqeval_format(&pieces, 4, &t2, &err), XNR_OK);
		assert_string_equal(t1, t2);
		free(t1);
		free(t2);
		xnr_seqeval_report_free(&whole);
		xnr_seqeval_report_free(&pieces);
	}
	xnr_seqeval_acc_close(acc);
	free(starts);
}

/* Random corpora, tags of every scheme and bare ones (default mode's stale
 * start across sentences), and the demo set: pieces equal the whole. */
static void test_pieces(void **state)
{
	(void)state;
	static const char *const pools[][9] = {
	    {"O", "B-PER", "I-PER", "B-LOC", "I-LOC", "O", "O", "B-PER", "I-LOC"},
	    {"O", "B-PER", "I-PER", "E-PER", "S-PER", "S-LOC", "B-LOC", "E-LOC", "O"},
	    {"O", "B-PER", "I-PER", "L-PER", "U-PER", "U-LOC", "B-LOC", "L-LOC", "I-LOC"},
	    {"O", "I-PER", "E-PER", "I-LOC", "E-LOC", "O", "I-PER", "O", "E-LOC"},
	    {"O", "PER", "X", "B-PER", "I-PER", "LOC", "O", "I-LOC", "_"},
	};
	unsigned seed = 15;
	for (int iter = 0; iter < 200; iter++) {
		struct corpus co = {0};
		struct xnr_error err;
		const char *const *pool = pools[iter % 5];
		size_t n_sents = 1 + (size_t)rand_r(&seed) % 40, w = 0;
		assert_int_equal(xnr_tagset_open(&co.ts, &err), XNR_OK);
		co.starts = calloc(n_sents + 1, sizeof(size_t));
		for (size_t s = 0; s < n_sents; s++) {
			size_t n = (size_t)rand_r(&seed) % 9; /* empty sentences too */
			for (size_t k = 0; k < n; k++, w++) {
				/* mostly the pool's own tags; now and then one of another pool */
				const char *g = pool[rand_r(&seed) % 9];
				const char *p = rand_r(&seed) % 4
				                    ? g
				                    : pools[rand_r(&seed) % 5][rand_r(&seed) % 9];
				add(&co, &co.gold, w, g, strlen(g));
				add(&co, &co.pred, w, p, strlen(p));
			}
			co.starts[s + 1] = w;
		}
		co.c = (struct xnr_tagged_corpus){co.ts, n_sents, co.starts, co.gold, co.pred};
		if (w)
			expect_pieces_equal(&co.c, &seed);
		small_free(&co);
	}
	struct corpus co = {0};
	struct xnr_error err;
	assert_int_equal(xnr_tagset_open(&co.ts, &err), XNR_OK);
	read_conll(&co, mat.data);
	json_decref(load_expected(&co));
	expect_pieces_equal(&co.c, &seed);
	small_free(&co);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest core[] = {
	    cmocka_unit_test(test_parity),          cmocka_unit_test(test_report_layout),
	    cmocka_unit_test(test_zero_division),   cmocka_unit_test(test_bad_corpus),
	    cmocka_unit_test(test_nerval_formulas), cmocka_unit_test(test_confusion),
	    cmocka_unit_test(test_pieces),
	};
	const struct CMUnitTest shared[] = {
	    cmocka_unit_test(test_parity),
	};
	tu_material_init(&mat, argc, argv);
	if (mat.shared)
		return cmocka_run_group_tests_name("shared", shared, NULL, NULL);
	return cmocka_run_group_tests_name("core", core, NULL, NULL);
}
