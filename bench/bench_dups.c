/*
 * bench_dups.c - time the lexical near-duplicate search (reduce/dups.h) by
 * the exact prefix-filtered index and by MinHash LSH on the same sentences,
 * default parameters (word 1- and 2-grams, Jaccard >= 0.5, trivial lines
 * left out): `bench_dups conll FILE` over a CoNLL file's sentences, or
 * `bench_dups synth N SEED` over N made-up sentences (Zipf words) where every
 * 50th is an edited copy of an earlier one (one to three words replaced,
 * inserted or dropped). Prints one JSON line per method: seconds, variants,
 * candidates, pairs, LSH's recall of the exact pairs, and (synth) the recall
 * of the planted pairs the exact search holds. Used by bench/dups.sh; not a test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/progress.h"
#include "data/dataset.h"
#include "reduce/dups.h"

#define PLANT_GAP 50 /* every PLANT_GAP-th synthetic sentence is an edited copy */
#define MAX_WORDS 60 /* words of a synthetic sentence */

/* Sentences as docs over one word pool. */
struct corpus {
	struct xnr_dup_doc *docs;
	const char **words;
	long n, *planted_from; /* synth: the doc each doc was copied from, or -1 */
	struct xnr_dataset *ds;
};

/* The bigram model of a dataset: its word occurrences sorted by text, so
 * that the occurrences of one word are a run [lo[o], hi[o]) of `by_text`. */
struct bigrams {
	const struct xnr_dataset *ds;
	long n, *by_text, *lo, *hi, *next; /* next: the occurrence after o, -1 at a sentence end */
};

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

static const struct xnr_dataset *sort_ds;
static int text_cmp(const void *pa, const void *pb)
{
	long a = *(const long *)pa, b = *(const long *)pb;
	int c = strcmp(sort_ds->words[a], sort_ds->words[b]);
	return c ? c : (a > b) - (a < b);
}

static int bigrams_make(struct bigrams *g, const struct xnr_dataset *ds)
{
	long o, i;

	g->ds = ds;
	g->n = (long)ds->n_words;
	g->by_text = malloc(sizeof(long) * (size_t)g->n);
	g->lo = malloc(sizeof(long) * (size_t)g->n);
	g->hi = malloc(sizeof(long) * (size_t)g->n);
	g->next = malloc(sizeof(long) * (size_t)g->n);
	if (!g->by_text || !g->lo || !g->hi || !g->next)
		return -1;
	for (o = 0; o < g->n; o++)
		g->by_text[o] = o, g->next[o] = o + 1;
	for (size_t s = 0; s < ds->n_sentences; s++)
		g->next[ds->sentences[s].first_word + ds->sentences[s].n_words - 1] = -1;
	sort_ds = ds;
	qsort(g->by_text, (size_t)g->n, sizeof(long), text_cmp);
	for (i = 0; i < g->n; i = o) {
		for (o = i + 1;
		     o < g->n && !strcmp(ds->words[g->by_text[o]], ds->words[g->by_text[i]]); o++)
			;
		for (long k = i; k < o; k++)
			g->lo[g->by_text[k]] = i, g->hi[g->by_text[k]] = o;
	}
	return 0;
}

/* A random occurrence of the word of occurrence o. */
static long same_word(const struct bigrams *g, long o, uint64_t *s)
{
	return g->by_text[g->lo[o] + (long)(rng(s) % (uint64_t)(g->hi[o] - g->lo[o]))];
}

/* Doc i: an edited copy of an earlier doc (each word kept, dropped, replaced, or
 * followed by another, about two edits in all), or a walk of the bigram model. */
static int synth_doc(struct corpus *c, long i, const struct bigrams *g, const char **at,
                     uint64_t *s)
{
	int n = 0;

	c->planted_from[i] = -1;
	if (i > 0 && i % PLANT_GAP == 0) {
		long from = (long)(rng(s) % (uint64_t)i);
		const struct xnr_dup_doc *f = &c->docs[from];
		c->planted_from[i] = from;
		for (int k = 0; k < f->n_words && n < MAX_WORDS - 1; k++) {
			uint64_t r = rng(s) % (uint64_t)(f->n_words + 2), kind = r % 3;
			if (r >= 2 || kind == 1) /* kept (1: another word after it) */
				at[n++] = f->words[k];
			if (r < 2 && kind != 0) /* 0: dropped, 2: replaced */
				at[n++] = g->ds->words[rng(s) % (uint64_t)g->n];
		}
		return n;
	}
	long o = (long)g->ds->sentences[rng(s) % g->ds->n_sentences].first_word;
	for (;;) {
		o = same_word(g, o, s);
		at[n++] = g->ds->words[o];
		if (n == MAX_WORDS || (o = g->next[o]) < 0)
			return n;
	}
}

/* n sentences from the bigram model of the CoNLL file path. */
static int synth(struct corpus *c, const char *path, long n, uint64_t seed)
{
	struct xnr_data_params p = xnr_data_default_params();
	struct bigrams g = {0};
	struct xnr_error err;
	long w = 0;
	int rc = -1;

	xnr_error_clear(&err);
	if (xnr_dataset_open(path, &p, &c->ds, &err) != XNR_OK) {
		fprintf(stderr, "bench_dups: %s\n", err.msg);
		return -1;
	}
	c->n = n;
	c->docs = malloc(sizeof *c->docs * (size_t)n);
	c->words = malloc(sizeof *c->words * (size_t)n * MAX_WORDS);
	c->planted_from = malloc(sizeof *c->planted_from * (size_t)n);
	if (!c->docs || !c->words || !c->planted_from || bigrams_make(&g, c->ds))
		goto fail;
	for (long i = 0; i < n; i++) {
		int nw = synth_doc(c, i, &g, c->words + w, &seed);
		c->docs[i] = (struct xnr_dup_doc){c->words + w, NULL, nw, 0};
		w += nw;
	}
	rc = 0;
fail:
	free(g.by_text);
	free(g.lo);
	free(g.hi);
	free(g.next);
	return rc;
}

static int conll(struct corpus *c, const char *path)
{
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_error err;

	xnr_error_clear(&err);
	if (xnr_dataset_open(path, &p, &c->ds, &err) != XNR_OK) {
		fprintf(stderr, "bench_dups: %s\n", err.msg);
		return -1;
	}
	c->n = (long)c->ds->n_sentences;
	c->docs = malloc(sizeof *c->docs * (size_t)(c->n + 1));
	if (!c->docs)
		return -1;
	for (long i = 0; i < c->n; i++) {
		const struct xnr_sentence *s = &c->ds->sentences[i];
		c->docs[i] = (struct xnr_dup_doc){c->ds->words + s->first_word,
		                                  c->ds->tags + s->first_word, (int)s->n_words, 0};
	}
	return 0;
}

/* Pairs by (a, b): sorted once after timing, then looked up by binary search. */
static int pair_cmp(const void *pa, const void *pb)
{
	const struct xnr_dup_pair *a = pa, *b = pb;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return (a->b > b->b) - (a->b < b->b);
}

static int has_pair(const struct xnr_dups *r, long a, long b)
{
	struct xnr_dup_pair key = {a < b ? a : b, a < b ? b : a, 0, 0, 0, 0, 0};
	return bsearch(&key, r->pairs, (size_t)r->n_pairs, sizeof key, pair_cmp) != NULL;
}

/* The process's CPU seconds: the search is one thread, and the machine may be shared. */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void report(const char *data, const struct corpus *c, const struct xnr_dups *r,
                   const char *method, const double *secs, const struct xnr_dups *exact)
{
	long hit = 0, planted = 0, planted_hit = 0;

	for (long i = 0; exact && i < r->n_pairs; i++)
		hit += has_pair(exact, r->pairs[i].a, r->pairs[i].b);
	for (long i = 0; c->planted_from && i < c->n; i++) {
		long a = r->doc_variant[i],
		     b = c->planted_from[i] >= 0 ? r->doc_variant[c->planted_from[i]] : -1;
		if (a < 0 || b < 0 || a == b)
			continue;
		planted++;
		planted_hit += has_pair(r, a, b);
	}
	printf("{\"data\": \"%s\", \"n\": %ld, \"method\": \"%s\", \"seconds\": %.3f, "
	       "\"cpu_seconds\": %.3f, "
	       "\"n_trivial\": %ld, \"n_variants\": %ld, \"n_candidates\": %ld, \"n_pairs\": %ld, "
	       "\"n_clusters\": %ld, \"recall_of_exact\": %.4f, \"planted\": %ld, "
	       "\"planted_found\": %ld}\n",
	       data, c->n, method, secs[0], secs[1], r->n_trivial, r->n_variants, r->n_candidates,
	       r->n_pairs, r->n_clusters,
	       exact && exact->n_pairs ? (double)hit / (double)exact->n_pairs : 1.0, planted,
	       planted_hit);
}

int main(int argc, char **argv)
{
	struct corpus c = {0};
	struct xnr_dup_params p = xnr_dup_default_params();
	struct xnr_dups exact = {0}, lsh = {0};
	struct xnr_error err;
	double t[3][2]; /* wall and CPU seconds before, between and after */

	xnr_error_clear(&err);
	if (argc < 3 || (strcmp(argv[1], "conll") != 0 && strcmp(argv[1], "synth") != 0) ||
	    (strcmp(argv[1], "synth") == 0 && argc < 5)) {
		fprintf(stderr, "usage: bench_dups conll FILE | bench_dups synth FILE N SEED\n");
		return 2;
	}
	if (strcmp(argv[1], "conll") == 0
	        ? conll(&c, argv[2])
	        : synth(&c, argv[2], atol(argv[3]), (uint64_t)atoll(argv[4]) | 1))
		return 1;
	p.method = XNR_DUP_EXACT;
	t[0][0] = xnr_now(), t[0][1] = cpu_now();
	if (xnr_dups_find(c.docs, c.n, NULL, 0, &p, NULL, &exact, &err) != XNR_OK)
		goto fail;
	t[1][0] = xnr_now(), t[1][1] = cpu_now();
	p.method = XNR_DUP_LSH;
	if (xnr_dups_find(c.docs, c.n, NULL, 0, &p, NULL, &lsh, &err) != XNR_OK)
		goto fail;
	t[2][0] = xnr_now(), t[2][1] = cpu_now();
	qsort(exact.pairs, (size_t)exact.n_pairs, sizeof *exact.pairs, pair_cmp);
	qsort(lsh.pairs, (size_t)lsh.n_pairs, sizeof *lsh.pairs, pair_cmp);
	for (int i = 0; i < 2; i++) {
		double secs[2] = {t[i + 1][0] - t[i][0], t[i + 1][1] - t[i][1]};
		report(argv[1], &c, i ? &lsh : &exact, i ? "lsh" : "exact", secs,
		       i ? &exact : NULL);
	}
fail:
	if (err.msg[0])
		fprintf(stderr, "bench_dups: %s\n", err.msg);
	xnr_dups_free(&exact);
	xnr_dups_free(&lsh);
	xnr_dataset_close(c.ds);
	free(c.docs);
	free(c.words);
	free(c.planted_from);
	return err.msg[0] != 0;
}
