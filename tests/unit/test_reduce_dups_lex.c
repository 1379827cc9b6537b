/*
 * test_reduce_dups_lex.c - the lexical near-duplicate search (reduce/dups.h):
 * normalisation and the trivial-line rule, variants, the exact index against
 * a brute-force reference with its own shingles, MinHash LSH recall over
 * seeds against the documented curve 1 - (1 - s^3)^40, determinism, cross
 * (leakage) searches, cluster and pair order with label conflicts first, the
 * label alignment, vector mode, argument checks and cancellation.
 */
#include <stdint.h>

#include "reduce/dups.h"
#include "reduce_fixture.h"
#include "tensor/gemm.h"

/* A sentence written "w1 w2 w3" with one label letter per word ("OPO"). */
struct tdoc {
	char *buf;
	const char *words[256];
	int gold[256];
};

struct corpus {
	struct tdoc *t;
	struct xnr_dup_doc *d;
	long n, cap;
};

static void add(struct corpus *c, const char *text, const char *labels, int side)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->t = realloc(c->t, sizeof *c->t * (size_t)c->cap);
		c->d = realloc(c->d, sizeof *c->d * (size_t)c->cap);
		assert_true(c->t && c->d);
	}
	struct tdoc *t = &c->t[c->n];
	int n = 0;
	t->buf = strdup(text);
	for (char *s = strtok(t->buf, " "); s; s = strtok(NULL, " ")) {
		assert_true(n < 256);
		t->gold[n] = labels && labels[n] ? labels[n] : 'O';
		t->words[n++] = s;
	}
	c->d[c->n++] = (struct xnr_dup_doc){t->words, t->gold, n, side};
}

static void corpus_free(struct corpus *c)
{
	for (long i = 0; i < c->n; i++)
		free(c->t[i].buf);
	free(c->t);
	free(c->d);
	memset(c, 0, sizeof *c);
}

/* The fixed-address words of c->d get stale when c->t moves: rebind them. */
static void rebind(struct corpus *c)
{
	for (long i = 0; i < c->n; i++) {
		c->d[i].words = c->t[i].words;
		c->d[i].gold = c->t[i].gold;
	}
}

static struct xnr_dups find(struct corpus *c, const struct xnr_dup_params *p)
{
	struct xnr_dups r = {0};
	struct xnr_error err = {0};
	rebind(c);
	if (xnr_dups_find(c->d, c->n, NULL, 0, p, NULL, &r, &err) != XNR_OK)
		fail_msg("xnr_dups_find: %s", err.msg);
	return r;
}

static long first_doc(const struct xnr_dups *r, long v)
{
	return r->var_docs[r->var_first[v]];
}

static void test_trivial(void **state)
{
	(void)state;
	static const char *const yes[] = {"LONDON 1996-08-30",
	                                  "NEW YORK 1996-08-30",
	                                  "RIO DE JANEIRO 30/08/1996",
	                                  "-DOCSTART-",
	                                  "Soccer",
	                                  "1996-08-30",
	                                  "12 - 3 ( 4 )",
	                                  ". . .",
	                                  "Leeds 0 0 0 0"};
	static const char *const no[] = {"Men 's singles , second round :",
	                                 "Results of 1996-08-30 games",
	                                 "LONDON AND PARIS ON 1996-08-30 AND 1996-08-31",
	                                 "NEW YORK 1996",
	                                 "Clinton resigns",
	                                 "Ölüm Kalım 1996-08-30 x"};
	struct corpus c = {0};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		add(&c, yes[i], NULL, 0);
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		add(&c, no[i], NULL, 0);
	rebind(&c);
	for (long i = 0; i < c.n; i++) {
		int want = i < (long)(sizeof yes / sizeof *yes);
		if (xnr_dup_trivial(&c.d[i]) != want)
			fail_msg("\"%s\": trivial %d, want %d", i < 9 ? yes[i] : no[i - 9], !want,
			         want);
	}
	corpus_free(&c);
}

/* Case, digits and copies: one variant; other labels: another, a conflict. */
static void test_variants_conflicts(void **state)
{
	(void)state;
	struct corpus c = {0};
	add(&c, "Chicago beat Boston 5 - 3 on Sunday", "GOGOOOOO", 0); /* 0 */
	add(&c, "CHICAGO beat Boston 7 - 2 on Sunday", "GOGOOOOO", 0); /* 1: a copy of 0 */
	add(&c, "Chicago beat Boston 1 - 0 on Sunday", "LOGOOOOO", 0); /* 2: conflict */
	add(&c, "The river Rhine flows through Basel and Cologne", "OOLOOLOL", 0); /* 3 */
	add(&c, "The river Rhine flows through Basel and Bonn", "OOLOOLOL", 0);    /* 4: near */
	add(&c, "An entirely different sentence about markets", NULL, 0);          /* 5 */
	add(&c, "LONDON 1996-08-30", "LO", 0);                                     /* 6: trivial */
	add(&c, "LONDON 1997-01-02", "LO", 0);                                     /* 7: trivial */
	struct xnr_dup_params p = xnr_dup_default_params();
	struct xnr_dups r = find(&c, &p);
	assert_int_equal(r.n_trivial, 2);
	assert_int_equal(r.n_variants, 5);
	assert_true(r.doc_variant[0] == r.doc_variant[1] && r.doc_variant[2] != r.doc_variant[0]);
	assert_true(r.doc_variant[6] == -1 && r.doc_variant[7] == -1);
	assert_int_equal(r.n_clusters, 2);
	/* The conflict first: {0, 1} and 2, 3 docs; then Rhine, one pair. */
	assert_true(r.clusters[0].conflict && r.clusters[0].n_docs == 3);
	assert_int_equal(r.clusters[0].n_variants, 2);
	const struct xnr_dup_pair *q = &r.pairs[r.clusters[0].first_pair];
	assert_true(q->same_text && q->conflict && q->jaccard == 1.0f && q->score == 1.0f);
	assert_true(isnan(q->cosine));
	assert_true(!r.clusters[1].conflict && r.clusters[1].n_pairs == 1);
	q = &r.pairs[r.clusters[1].first_pair];
	assert_true(first_doc(&r, q->a) == 3 && first_doc(&r, q->b) == 4 && !q->same_text);
	/* Word 1- and 2-grams, punctuation-free: 8 + 7 = 15 each, 13 shared, J = 13 / 17. */
	assert_float_equal(q->jaccard, 13.0 / 17.0, 1e-6);
	/* Doc pairs: 0-1 (copies), 0-2, 1-2, 3-4. */
	assert_int_equal(r.total, 4);
	assert_true(r.method == XNR_DUP_EXACT);
	xnr_dups_free(&r);
	/* With the trivial lines: the two datelines are one variant of copies. */
	p.keep_trivial = 1;
	r = find(&c, &p);
	assert_int_equal(r.n_trivial, 0);
	assert_int_equal(r.n_clusters, 3);
	assert_true(r.doc_variant[6] == r.doc_variant[7]);
	assert_int_equal(r.clusters[1].n_pairs, 0);
	assert_float_equal(r.clusters[1].best, 1.0, 0);
	assert_int_equal(r.total, 5);
	xnr_dups_free(&r);
	corpus_free(&c);
}

/* A word of letters only (digits would fold together): idx in base 26 after "q". */
static void word_name(long idx, char *buf)
{
	int n = 0;
	buf[n++] = 'q';
	do {
		buf[n++] = (char)('a' + idx % 26);
		idx /= 26;
	} while (idx > 0);
	buf[n] = '\0';
}

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* n sentences over a small vocabulary; every third a mutated copy of an earlier one. */
static void random_corpus(struct corpus *c, long n, uint64_t seed)
{
	char text[512], w[16]; /* a sentence: 3 to 12 words of 2 or 3 letters */
	static char keep[4096][512];

	for (long i = 0; i < n; i++) {
		size_t at = 0;
		if (i % 3 == 2) {
			long from = (long)(lcg(&seed) % (uint64_t)i);
			snprintf(text, sizeof text, "%s", keep[from]);
			/* Change one word: replace the word at a random space. */
			char *sp = strchr(text + lcg(&seed) % (strlen(text) / 2 + 1), ' ');
			if (sp) {
				char tail[512];
				snprintf(tail, sizeof tail, "%s",
				         strchr(sp + 1, ' ') ? strchr(sp + 1, ' ') : "");
				word_name((long)(lcg(&seed) % 40), w);
				at = (size_t)(sp - text) + 1;
				snprintf(text + at, sizeof text - at, "%s%s", w, tail);
			}
		} else {
			long len = 3 + (long)(lcg(&seed) % 10);
			for (long k = 0; k < len; k++) {
				word_name((long)(lcg(&seed) % 40), w);
				at += (size_t)snprintf(text + at, sizeof text - at, "%s%s",
				                       k ? " " : "", w);
			}
		}
		memcpy(keep[i], text, sizeof keep[i]);
		add(c, text, NULL, (int)(lcg(&seed) % 2));
	}
}

/* The reference: word 1- and 2-grams as strings, Jaccard by sorting them. */
static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static long ref_set(const struct xnr_dup_doc *d, char **out)
{
	long n = 0, m = 0;
	for (int i = 0; i < d->n_words; i++) {
		out[n++] = strdup(d->words[i]);
		if (i + 1 < d->n_words) {
			out[n] = malloc(strlen(d->words[i]) + strlen(d->words[i + 1]) + 2);
			sprintf(out[n++], "%s %s", d->words[i], d->words[i + 1]);
		}
	}
	qsort(out, (size_t)n, sizeof *out, str_cmp);
	for (long i = 0; i < n; i++)
		if (m > 0 && strcmp(out[i], out[m - 1]) == 0)
			free(out[i]);
		else
			out[m++] = out[i];
	return m;
}

static double ref_jaccard(char **a, long na, char **b, long nb)
{
	long i = 0, j = 0, both = 0;
	while (i < na && j < nb) {
		int c = strcmp(a[i], b[j]);
		if (c == 0)
			both++, i++, j++;
		else if (c < 0)
			i++;
		else
			j++;
	}
	return (double)both / (double)(na + nb - both);
}

/* Is (a, b) among r's pairs? Its Jaccard, or -1. */
static double found(const struct xnr_dups *r, long a, long b)
{
	for (long i = 0; i < r->n_pairs; i++)
		if (r->pairs[i].a == a && r->pairs[i].b == b)
			return r->pairs[i].jaccard;
	return -1;
}

static void check_against_reference(struct corpus *c, double t, int cross)
{
	struct xnr_dup_params p = xnr_dup_default_params();
	p.threshold = t;
	p.cross = cross;
	p.method = XNR_DUP_EXACT;
	struct xnr_dups r = find(c, &p);
	char **sets[4096];
	long len[4096], want = 0;
	assert_true(r.n_variants <= 4096);
	for (long v = 0; v < r.n_variants; v++) {
		sets[v] = malloc(sizeof **sets * 600);
		len[v] = ref_set(&c->d[first_doc(&r, v)], sets[v]);
	}
	for (long a = 0; a < r.n_variants; a++)
		for (long b = a + 1; b < r.n_variants; b++) {
			if (cross && r.var_side[a] == r.var_side[b])
				continue;
			double j = ref_jaccard(sets[a], len[a], sets[b], len[b]),
			       got = found(&r, a, b);
			if (j >= t - 1e-12) {
				want++;
				if (fabs(got - j) > 1e-6)
					fail_msg(
					    "t %.2f: variants %ld, %ld: Jaccard %.4f, found %.4f",
					    t, a, b, j, got);
			}
		}
	printf("  t %.2f%s: %ld pairs of %ld variants, %ld compared (reference %ld)\n", t,
	       cross ? " cross" : "", r.n_pairs, r.n_variants, r.n_candidates, want);
	assert_int_equal(r.n_pairs, want);
	/* LSH finds a subset of them, with the same Jaccard. */
	p.method = XNR_DUP_LSH;
	struct xnr_dups l = find(c, &p);
	for (long i = 0; i < l.n_pairs; i++)
		assert_float_equal(found(&r, l.pairs[i].a, l.pairs[i].b), l.pairs[i].jaccard, 1e-6);
	xnr_dups_free(&l);
	for (long v = 0; v < r.n_variants; v++) {
		for (long k = 0; k < len[v]; k++)
			free(sets[v][k]);
		free(sets[v]);
	}
	xnr_dups_free(&r);
}

static void test_exact_brute_force(void **state)
{
	(void)state;
	struct corpus c = {0};
	random_corpus(&c, 900, 11);
	check_against_reference(&c, 0.3, 0);
	check_against_reference(&c, 0.5, 0);
	check_against_reference(&c, 0.8, 0);
	check_against_reference(&c, 1.0, 0);
	check_against_reference(&c, 0.5, 1);
	corpus_free(&c);
}

/* Pair k of a recall corpus: `shared` words in both, `own` more in each. */
static void recall_pair(struct corpus *c, long k, int shared, int own)
{
	char a[4096], b[4096], w[16];
	size_t na = 0, nb = 0;
	for (int i = 0; i < shared + own; i++) {
		word_name(k * 100 + i, w);
		na += (size_t)snprintf(a + na, sizeof a - na, "%s%s", i ? " " : "", w);
		if (i >= shared)
			word_name(k * 100 + 50 + i, w);
		nb += (size_t)snprintf(b + nb, sizeof b - nb, "%s%s", i ? " " : "", w);
	}
	add(c, a, NULL, 0);
	add(c, b, NULL, 0);
}

/* LSH over 20 seeds: pairs of Jaccard 45/55, 20/40 and 20/50 (word sets, ngram 1) found
 * at the rates 1 - (1 - s^3)^40 says: 1 - 1e-14, 0.9952 and 0.9290. */
static void test_lsh_recall(void **state)
{
	(void)state;
	enum { PAIRS = 200, SEEDS = 20 };
	static const int shape[3][2] = {{45, 5}, {20, 10}, {20, 15}};
	struct corpus c = {0};
	for (int g = 0; g < 3; g++)
		for (long k = 0; k < PAIRS; k++)
			recall_pair(&c, g * PAIRS + k, shape[g][0], shape[g][1]);
	struct xnr_dup_params p = xnr_dup_default_params();
	p.ngram = 1;
	p.threshold = 0.35;
	p.method = XNR_DUP_LSH;
	long hits[3] = {0};
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		p.seed = seed;
		struct xnr_dups r = find(&c, &p);
		assert_true(r.method == XNR_DUP_LSH);
		for (long i = 0; i < r.n_pairs; i++) {
			long a = first_doc(&r, r.pairs[i].a), b = first_doc(&r, r.pairs[i].b);
			assert_true(a % 2 == 0 && b == a + 1); /* only the planted pairs */
			hits[a / 2 / PAIRS]++;
		}
		xnr_dups_free(&r);
	}
	double rate[3];
	for (int g = 0; g < 3; g++) {
		double s = (double)shape[g][0] / (shape[g][0] + 2 * shape[g][1]);
		rate[g] = (double)hits[g] / (PAIRS * SEEDS);
		printf("  Jaccard %.3f: found %.4f of %d (theory %.4f)\n", s, rate[g],
		       PAIRS * SEEDS, 1 - pow(1 - pow(s, XNR_DUP_ROWS), XNR_DUP_BANDS));
	}
	assert_true(rate[0] >= 0.99);
	assert_true(rate[1] >= 0.985);
	assert_true(rate[2] > 0.90 && rate[2] < 0.955);
	corpus_free(&c);
}

/* The same seed gives the same answer; AUTO is exact on small sets. */
static void test_determinism(void **state)
{
	(void)state;
	struct corpus c = {0};
	random_corpus(&c, 600, 5);
	struct xnr_dup_params p = xnr_dup_default_params();
	p.method = XNR_DUP_LSH;
	p.seed = 42;
	struct xnr_dups a = find(&c, &p), b = find(&c, &p);
	assert_true(a.n_pairs > 0 && a.n_pairs == b.n_pairs && a.n_clusters == b.n_clusters);
	for (long i = 0; i < a.n_pairs; i++)
		assert_true(a.pairs[i].a == b.pairs[i].a && a.pairs[i].b == b.pairs[i].b &&
		            a.pairs[i].score == b.pairs[i].score);
	long in = 0;
	for (long i = 0; i < a.n_clusters; i++) {
		assert_true(a.clusters[i].first_variant == b.clusters[i].first_variant &&
		            a.clusters[i].n_pairs == b.clusters[i].n_pairs);
		in += a.clusters[i].n_variants;
	}
	assert_memory_equal(a.variants, b.variants, sizeof *a.variants * (size_t)in);
	xnr_dups_free(&b);
	p.method = XNR_DUP_AUTO;
	b = find(&c, &p);
	assert_true(b.method == XNR_DUP_EXACT && b.n_pairs >= a.n_pairs);
	xnr_dups_free(&a);
	xnr_dups_free(&b);
	corpus_free(&c);
}

/* Cross: only pairs across sides; copies on one side are no cluster. */
static void test_cross(void **state)
{
	(void)state;
	struct corpus c = {0};
	add(&c, "Germany beat France in the final on Sunday", "LOLOOOOO", 0);   /* 0 */
	add(&c, "Germany beat France in the final on Sunday", "LOLOOOOO", 0);   /* 1: copy */
	add(&c, "Spain held Italy to a draw in Rome", "LOLOOOOL", 0);           /* 2 */
	add(&c, "Spain held Italy to a draw in Rome", "LOLOOOOL", 0);           /* 3: copy */
	add(&c, "Germany beat France in the final on Sunday", "LOLOOOOO", 1);   /* 4: leak */
	add(&c, "Germany beat France in the final on Saturday", "GOLOOOOO", 1); /* 5 */
	add(&c, "Nothing like the others at all here", NULL, 1);                /* 6 */
	struct xnr_dup_params p = xnr_dup_default_params();
	p.cross = 1;
	struct xnr_dups r = find(&c, &p);
	assert_int_equal(r.n_clusters, 1);
	assert_int_equal(r.n_pairs, 2);
	for (long i = 0; i < r.n_pairs; i++)
		assert_true(r.var_side[r.pairs[i].a] != r.var_side[r.pairs[i].b]);
	/* The copy across splits first: same text, same labels: no conflict. */
	const struct xnr_dup_pair *q = &r.pairs[0];
	assert_true(q->same_text && !q->conflict && q->score == 1.0f);
	assert_int_equal(r.clusters[0].n_docs, 4);
	/* Docs 0 and 1 with 4, and with 5: 2 + 2. */
	assert_int_equal(r.total, 4);
	/* Variants by side, then first doc. */
	assert_int_equal(first_doc(&r, r.variants[0]), 0);
	assert_int_equal(r.var_side[r.variants[2]], 1);
	xnr_dups_free(&r);
	corpus_free(&c);
}

static void test_label_diff(void **state)
{
	(void)state;
	struct corpus c = {0};
	add(&c, "the EU said on Monday it would act", "OGOOOOOO", 0);
	add(&c, "The EU said on MONDAY it would act", "OLOOOOOO", 0);
	add(&c, "then the European EU said it would act now", "OOGGOOOOO", 0);
	rebind(&c);
	int pos[8];
	assert_int_equal(xnr_dup_label_diff(&c.d[0], &c.d[1], pos, 4), 1);
	assert_true(pos[0] == 1 && pos[1] == 1);
	/* Aligned: the-the, EU-EU, said-said, it-it, would-would, act-act; EU differs in 1. */
	assert_int_equal(xnr_dup_label_diff(&c.d[1], &c.d[2], pos, 4), 1);
	assert_true(pos[0] == 1 && pos[1] == 3);
	assert_int_equal(xnr_dup_label_diff(&c.d[0], &c.d[2], pos, 0), 0);
	c.d[0].gold = NULL;
	assert_int_equal(xnr_dup_label_diff(&c.d[0], &c.d[1], pos, 4), 0);
	corpus_free(&c);
}

/* Vector mode: cosine of the representatives; lexical mode with x: the mean score. */
static void test_vectors(void **state)
{
	(void)state;
	struct corpus c = {0};
	add(&c, "alpha beta gamma delta", NULL, 0);
	add(&c, "epsilon zeta eta theta", NULL, 0);
	add(&c, "alpha beta gamma omega", NULL, 1);
	add(&c, "iota kappa lambda mu", NULL, 1);
	float x[4 * 2] = {1, 0, 0.99f, 0.1f, 0.8f, 0.6f, 0, 1};
	struct xnr_dup_params p = xnr_dup_default_params();
	struct xnr_dups r = {0};
	struct xnr_error err = {0};
	rebind(&c);
	p.mode = XNR_DUP_VECTORS;
	p.threshold = 0.95;
	assert_int_equal(xnr_dups_find(c.d, 4, x, 2, &p, NULL, &r, &err), XNR_OK);
	assert_int_equal(r.n_pairs, 1);
	assert_true(first_doc(&r, r.pairs[0].a) == 0 && first_doc(&r, r.pairs[0].b) == 1);
	assert_float_equal(r.pairs[0].score, r.pairs[0].cosine, 0);
	assert_float_equal(r.pairs[0].jaccard, 0, 0);
	assert_true(r.method == -1);
	xnr_dups_free(&r);
	p.cross = 1;
	assert_int_equal(xnr_dups_find(c.d, 4, x, 2, &p, NULL, &r, &err), XNR_OK);
	assert_int_equal(r.n_pairs, 0);
	xnr_dups_free(&r);
	/* Lexical with vectors: 0 and 2 share 3 + 2 of 9 shingles, cosine 0.8. */
	p = xnr_dup_default_params();
	assert_int_equal(xnr_dups_find(c.d, 4, x, 2, &p, NULL, &r, &err), XNR_OK);
	assert_int_equal(r.n_pairs, 1);
	assert_float_equal(r.pairs[0].jaccard, 5.0 / 9.0, 1e-6);
	assert_float_equal(r.pairs[0].cosine, 0.8, 1e-6);
	assert_float_equal(r.pairs[0].score, (5.0 / 9.0 + 0.8) / 2, 1e-6);
	xnr_dups_free(&r);
	corpus_free(&c);
}

static void test_arguments(void **state)
{
	(void)state;
	struct corpus c = {0};
	add(&c, "one two three", NULL, 0);
	add(&c, "one two four", NULL, 0);
	rebind(&c);
	struct xnr_dup_params p = xnr_dup_default_params();
	struct xnr_dups r = {0};
	struct xnr_error err = {0};
	float x[4] = {1, 2, NAN, 4};
	tu_expect_input(xnr_dups_find(NULL, 2, NULL, 0, &p, NULL, &r, &err), &err, "NULL");
	tu_expect_input(xnr_dups_find(c.d, -1, NULL, 0, &p, NULL, &r, &err), &err, "n = -1");
	p.ngram = 4;
	tu_expect_input(xnr_dups_find(c.d, 2, NULL, 0, &p, NULL, &r, &err), &err, "ngram 4");
	p = xnr_dup_default_params();
	p.threshold = 0;
	tu_expect_input(xnr_dups_find(c.d, 2, NULL, 0, &p, NULL, &r, &err), &err, "threshold 0");
	p.threshold = NAN;
	tu_expect_input(xnr_dups_find(c.d, 2, NULL, 0, &p, NULL, &r, &err), &err, "threshold");
	p = xnr_dup_default_params();
	p.mode = XNR_DUP_VECTORS;
	tu_expect_input(xnr_dups_find(c.d, 2, NULL, 0, &p, NULL, &r, &err), &err, "need x");
	tu_expect_input(xnr_dups_find(c.d, 2, x, 2, &p, NULL, &r, &err), &err, "x[2]");
	c.d[1].words = NULL;
	p.mode = XNR_DUP_LEXICAL;
	tu_expect_input(xnr_dups_find(c.d, 2, NULL, 0, &p, NULL, &r, &err), &err,
	                "doc 1 has no words");
	assert_null(r.pairs);
	/* No docs: nothing, and no failure. */
	assert_int_equal(xnr_dups_find(c.d, 0, NULL, 0, &p, NULL, &r, &err), XNR_OK);
	assert_true(r.n_variants == 0 && r.n_clusters == 0 && r.total == 0);
	xnr_dups_free(&r);
	corpus_free(&c);
}

/* Stages in order; cancels at the first call of stage `stop`. */
struct watch {
	const char *stop;
	char seen[128];
	int flag;
	double last;
};

static void on_progress(void *ud, double done, const char *stage)
{
	struct watch *w = ud;
	size_t n = strlen(w->seen);
	if (n == 0 || strcmp(strrchr(w->seen, ' ') + 1, stage) != 0) {
		snprintf(w->seen + n, sizeof w->seen - n, " %s", stage);
		w->last = 0;
	}
	assert_true(done >= w->last && done <= 1.0);
	w->last = done;
	if (w->stop && strcmp(stage, w->stop) == 0)
		w->flag = 1;
}

static void test_progress_cancel(void **state)
{
	(void)state;
	struct corpus c = {0};
	random_corpus(&c, 300, 9);
	rebind(&c);
	struct xnr_dup_params p = xnr_dup_default_params();
	struct xnr_dups r = {0};
	struct xnr_error err = {0};
	for (int m = XNR_DUP_EXACT; m <= XNR_DUP_LSH; m++) {
		const char *stage = m == XNR_DUP_EXACT ? "index" : "lsh";
		struct watch w = {stage, "", 0, 0};
		struct xnr_ctl ctl = {on_progress, &w, &w.flag};
		p.method = (enum xnr_dup_method)m;
		assert_int_equal(xnr_dups_find(c.d, c.n, NULL, 0, &p, &ctl, &r, &err),
		                 XNR_ERR_CANCELLED);
		assert_null(r.pairs);
		w = (struct watch){NULL, "", 0, 0};
		assert_int_equal(xnr_dups_find(c.d, c.n, NULL, 0, &p, &ctl, &r, &err), XNR_OK);
		printf("  stages:%s\n", w.seen);
		assert_string_equal(w.seen, m == XNR_DUP_EXACT ? " variants index pairs"
		                                               : " variants lsh pairs");
		xnr_dups_free(&r);
	}
	corpus_free(&c);
}

int main(void)
{
	xnr_gemm_set_threads(1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trivial),           cmocka_unit_test(test_variants_conflicts),
	    cmocka_unit_test(test_exact_brute_force), cmocka_unit_test(test_lsh_recall),
	    cmocka_unit_test(test_determinism),       cmocka_unit_test(test_cross),
	    cmocka_unit_test(test_label_diff),        cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_arguments),         cmocka_unit_test(test_progress_cancel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
