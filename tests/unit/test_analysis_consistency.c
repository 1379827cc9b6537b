/*
 * test_analysis_consistency.c - label counts of words and entity strings on
 * hand-made splits: a word's other occurrences in the split and the
 * reference, exact and case-folded, and the score they give; an entity
 * string found where it is no span (counted as O), inside a longer span
 * (part of an entity: shown, not scored); a word inside a multi-word entity
 * (its edges judged by how often they are O elsewhere, the words between
 * them not on their own); bad input.
 */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "analysis/consistency.h"

enum { O, PER, ORG, LOC, MISC, PART, NC };

/* A corpus from sentences of "word/class" tokens ("/" alone is the end). */
struct corpus {
	struct xnr_cons_corpus c;
	size_t starts[16];
	const char *text[64];
	int32_t cls[64];
	struct xnr_cons_span spans[16];
};

static void build(struct corpus *k, const char *const *words, const int32_t *cls, size_t n,
                  const struct xnr_cons_span *spans, size_t n_spans)
{
	size_t nw = 0;

	memset(k, 0, sizeof *k);
	for (size_t i = 0; i < n; i++) {
		if (!words[i]) { /* sentence end */
			k->c.n_sents++;
			k->starts[k->c.n_sents] = nw;
			continue;
		}
		k->text[nw] = words[i];
		k->cls[nw++] = cls[i];
	}
	memcpy(k->spans, spans, n_spans * sizeof *spans);
	k->c.sent_start = k->starts;
	k->c.text = k->text;
	k->c.cls = k->cls;
	k->c.spans = k->spans;
	k->c.n_spans = n_spans;
}

static const char *const split_words[] = {
    "U.N.", "says",  NULL,                       /* s0: 0 1 */
    "U.N.", "envoy", NULL,                       /* s1: 2 3 */
    "U.N.", "talks", NULL,                       /* s2: 4 5 (U.N. as LOC) */
    "New",  "York",  "rose",   NULL,             /* s3: 6 7 8 */
    "New",  "York",  "Stock",  "Exchange", NULL, /* s4: 9 10 11 12 */
    "Tour", "de",    "France", "TURKEY",   NULL, /* s5: 13 14 15 16 */
    "Ann",  "says",  NULL,                       /* s6: 17 18, "Ann says" a PER */
};
static const int32_t split_cls[] = {ORG, O,   0,   ORG, O, 0, LOC, O, 0,   LOC, LOC, O,   0,
                                    ORG, ORG, ORG, ORG, 0, O, O,   O, LOC, 0,   PER, PER, 0};
static const struct xnr_cons_span split_spans[] = {
    {0, 0, 1, ORG}, {1, 0, 1, ORG}, {2, 0, 1, LOC}, {3, 0, 2, LOC},
    {4, 0, 4, ORG}, {5, 3, 4, LOC}, {6, 0, 2, PER},
};
static const char *const ref_words[] = {
    "U.N.", "U.N.", "U.N.", NULL, "Tour", "de", "France", NULL, "Turkey", NULL,
};
static const int32_t ref_cls[] = {ORG, ORG, ORG, 0, MISC, MISC, MISC, 0, LOC, 0};
static const struct xnr_cons_span ref_spans[] = {
    {0, 0, 1, ORG}, {0, 1, 2, ORG}, {0, 2, 3, ORG}, {1, 0, 3, MISC}, {2, 0, 1, LOC},
};

static const int32_t *counts(const struct xnr_cons_result *r, const int32_t *all, size_t i,
                             int which)
{
	return all + (i * XNR_CONS_N_COUNTS + (size_t)which) * (size_t)r->n_classes;
}

static long find_occ(const struct xnr_cons_result *r, int sent, int start, int end)
{
	for (size_t i = 0; i < r->n_occ; i++)
		if (r->occ[i].sent == sent && r->occ[i].start == start && r->occ[i].end == end)
			return (long)i;
	return -1;
}

static void test_counts(void **state)
{
	struct corpus split, ref;
	struct xnr_cons_params p = xnr_cons_default_params(4);
	struct xnr_cons_result r;
	struct xnr_error err = {0};
	const int32_t *c;
	long o;

	(void)state;
	build(&split, split_words, split_cls, sizeof split_cls / sizeof *split_cls, split_spans, 7);
	build(&ref, ref_words, ref_cls, sizeof ref_cls / sizeof *ref_cls, ref_spans, 5);
	if (xnr_cons_count(&split.c, &ref.c, &p, &r, &err) != XNR_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(r.n_classes, NC);
	assert_int_equal(r.n_words, 19);
	/* U.N. of s2 (LOC): 2 ORG elsewhere in the split, 3 ORG in the reference */
	c = counts(&r, r.word_counts, 4, XNR_CONS_SPLIT);
	assert_int_equal(c[ORG], 2);
	assert_int_equal(c[LOC], 0);
	assert_int_equal(counts(&r, r.word_counts, 4, XNR_CONS_REF)[ORG], 3);
	assert_true(fabs(r.word_score[4] - 5.0 / 6.0) < 1e-12);
	/* U.N. of s0 (ORG): 1 ORG + 1 LOC in the split, 3 ORG in the reference */
	c = counts(&r, r.word_counts, 0, XNR_CONS_SPLIT);
	assert_true(c[ORG] == 1 && c[LOC] == 1);
	assert_true(fabs(r.word_score[0] - 1.0 / 6.0) < 1e-12);
	/* TURKEY (LOC): no exact other, "Turkey" LOC in the reference when folded */
	assert_int_equal(counts(&r, r.word_counts, 16, XNR_CONS_REF)[LOC], 0);
	assert_int_equal(counts(&r, r.word_counts, 16, XNR_CONS_REF_FOLDED)[LOC], 1);
	assert_true(r.word_score[16] == 0.0);
	/* "Tour de France" is O here, MISC in the reference: an O occurrence, score 1/2 */
	assert_true((o = find_occ(&r, 5, 0, 3)) >= 0);
	assert_int_equal(r.occ[o].cls, O);
	assert_int_equal(counts(&r, r.occ_counts, (size_t)o, XNR_CONS_REF)[MISC], 1);
	assert_true(fabs(r.occ_score[o] - 0.5) < 1e-12);
	/* "New York" inside the exchange is part of an entity: counted, not an item, not scored */
	assert_true(find_occ(&r, 4, 0, 2) < 0);
	assert_true((o = find_occ(&r, 3, 0, 2)) >= 0);
	assert_int_equal(r.occ[o].cls, LOC);
	c = counts(&r, r.occ_counts, (size_t)o, XNR_CONS_SPLIT);
	assert_int_equal(c[PART], 1);
	assert_int_equal(c[LOC], 0);
	assert_true(isnan(r.occ_score[o])); /* no other occurrence that counts: no evidence */
	/* inside a multi-word entity: "New" is inside one elsewhere, fine; "says" only O */
	assert_true(r.word_score[6] == 0.0);
	assert_true(fabs(r.word_score[18] - 1.0 / 2.0) < 1e-12);
	assert_true(isnan(r.word_score[17])); /* "Ann": nowhere else */
	/* "York" between the exchange's edges has no score of its own: its string's */
	assert_true(isnan(r.word_score[10]) && isnan(r.word_score[11]));
	assert_true(r.word_score[7] == 0.0 && r.word_score[9] == 0.0);
	/* single-word gold spans are items too; single-word non-spans are not */
	assert_true(find_occ(&r, 0, 0, 1) >= 0);
	assert_true(find_occ(&r, 4, 0, 1) < 0);
	xnr_cons_result_free(&r);

	/* no reference: only the split counts */
	assert_int_equal(xnr_cons_count(&split.c, NULL, &p, &r, &err), XNR_OK);
	assert_int_equal(counts(&r, r.word_counts, 4, XNR_CONS_REF)[ORG], 0);
	assert_true(fabs(r.word_score[4] - 2.0 / 3.0) < 1e-12);
	assert_true(find_occ(&r, 5, 0, 3) < 0); /* "Tour de France" is an entity nowhere */
	assert_true(isnan(r.word_score[13]));   /* "Tour": nowhere else */
	xnr_cons_result_free(&r);
}

static void test_bad_input(void **state)
{
	struct corpus split;
	struct xnr_cons_params p = xnr_cons_default_params(4);
	struct xnr_cons_result r;
	struct xnr_error err = {0};
	struct xnr_cons_span bad = {3, 0, 4, ORG};

	(void)state;
	build(&split, split_words, split_cls, sizeof split_cls / sizeof *split_cls, &bad, 1);
	tu_expect_input(xnr_cons_count(&split.c, NULL, &p, &r, &err), &err, "span 0");
	build(&split, split_words, split_cls, sizeof split_cls / sizeof *split_cls, split_spans, 7);
	split.cls[3] = 7;
	tu_expect_input(xnr_cons_count(&split.c, NULL, &p, &r, &err), &err, "class 7");
	p.n_types = 0;
	tu_expect_input(xnr_cons_count(&split.c, NULL, &p, &r, &err), &err, "0 types");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
