/*
 * neighbours.c - the neighbour signal: each word's k nearest words by
 * cosine of the stored hidden states (reduce/neighbours.h), in its own split
 * (its own sentence left out) and among the reference run's words, whose
 * hidden states are read from the database 8192 at a time, never all at
 * once. A word's score is the mean over its k neighbours of the cosine (0
 * when negative) of each one whose gold tag differs from its own (B-PER
 * against I-PER too: a boundary error is invisible to entity classes). A far
 * neighbour's vote counts less in absolute terms, not only against the
 * others' (scoring method 4; before it, the similarity-weighted share): a
 * word in a sparse region of the hidden space, a rare name the model has not
 * learnt, gets a weaker vote than one among close neighbours (README,
 * "Finding label errors").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "issues/internal.h"
#include "reduce/neighbours.h"

#define BLOCK 8192 /* rows per block */

/* Hidden states of a run in dataset order: every row kept (the queries),
 * or a block at a time handed to a search. */
struct hidden {
	const struct xnr__corpus *c;
	int d;
	float *vec;     /* (cap or BLOCK, d) */
	int32_t *group; /* (same) sentence ids */
	int32_t *word;  /* (n) corpus word of every row read */
	size_t n, cap, in_vec;
	int bad;
};

static void hidden_free(struct hidden *h)
{
	free(h->vec);
	free(h->group);
	free(h->word);
}

/* Room for one more row: the word list always, the vectors when kept. */
static int hidden_grow(struct hidden *h, int keep)
{
	/* the run's word count at once: doubling past it would map twice the vectors */
	size_t cap = h->cap ? 2 * h->cap : h->c->n_words > BLOCK ? h->c->n_words : BLOCK;
	int32_t *w, *g;
	float *v;

	if (!(w = realloc(h->word, cap * sizeof *w)))
		return -1;
	h->word = w;
	if (keep) {
		if (!(v = realloc(h->vec, cap * (size_t)h->d * sizeof *v)))
			return -1;
		h->vec = v;
		if (!(g = realloc(h->group, cap * sizeof *g)))
			return -1;
		h->group = g;
	}
	h->cap = cap;
	return 0;
}

/* One row into h; -1 (h->bad set) when it is not where its word is. */
static int hidden_add(struct hidden *h, const struct xnr_hidden_row *r, int keep)
{
	const struct xnr__corpus *c = h->c;
	size_t w;

	if (r->sentence_id < 0 || (size_t)r->sentence_id >= c->n_sents || r->idx < 0 || !r->vec ||
	    r->vec_bytes != h->d * (int)sizeof(float) ||
	    (w = c->sent_start[r->sentence_id] + (size_t)r->idx) >=
	        c->sent_start[r->sentence_id + 1]) {
		h->bad = 1;
		return -1;
	}
	if (h->n == h->cap && hidden_grow(h, keep) != 0) {
		h->bad = 2;
		return -1;
	}
	h->word[h->n++] = (int32_t)w;
	memcpy(h->vec + h->in_vec * (size_t)h->d, r->vec, (size_t)h->d * sizeof(float));
	h->group[h->in_vec++] = r->sentence_id;
	return 0;
}

/* Read run's hidden states into h: all kept (nn NULL), or every BLOCK rows
 * offered to nn (groups when same_group). */
static enum xnr_status hidden_read(struct xnr_store *db, int64_t run, struct hidden *h,
                                   struct xnr_nn *nn, int same_group, const struct xnr_ctl *ctl,
                                   struct xnr_error *err)
{
	struct xnr_rows *rows = NULL;
	struct xnr_hidden_row r;
	enum xnr_status st;
	int more = 1;

	if (nn && (!(h->vec = malloc((size_t)BLOCK * (size_t)h->d * sizeof *h->vec)) ||
	           !(h->group = malloc(BLOCK * sizeof *h->group))))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if ((st = xnr_store_hidden(db, run, &rows, err)) != XNR_OK)
		return st;
	while ((st = xnr_rows_hidden(rows, &r, &more, err)) == XNR_OK && more) {
		if (hidden_add(h, &r, !nn) != 0)
			break;
		if (nn && h->in_vec == BLOCK) {
			st = xnr_nn_add(nn, h->vec, BLOCK, same_group ? h->group : NULL, ctl, err);
			h->in_vec = 0;
			xnr_ctl_progress(ctl, (double)h->n / (double)(h->c->n_words + 1),
			                 "neighbours");
			if (st != XNR_OK)
				break;
		}
	}
	xnr_rows_close(rows);
	if (st == XNR_OK && h->bad)
		st = h->bad == 2
		         ? xnr_fail(err, XNR_ERR_NOMEM, "out of memory")
		         : xnr_fail(err, XNR_ERR_FORMAT,
		                    "run %lld: a stored hidden state is not where or what its "
		                    "word says",
		                    (long long)run);
	if (st == XNR_OK && nn && h->in_vec)
		st =
		    xnr_nn_add(nn, h->vec, (long)h->in_vec, same_group ? h->group : NULL, ctl, err);
	return st;
}

/* Word w's neighbours from nn (rows of ref, mapped to its words): stored as
 * (sentence, idx, sim), counted by class, and their disagreement with its
 * gold label, each weighted by its cosine and averaged over the neighbours
 * (the reference's labels are the run's: the same model). */
static double collect(struct xnr_nn *nn, long q, const struct hidden *ref, int32_t label, int k,
                      int n_classes, struct xnr_neighbour *out, int32_t *counts)
{
	const struct xnr__corpus *rc = ref->c;
	double wdis = 0.0;
	int n, t;
	const struct xnr_nn_hit *hits = xnr_nn_get(nn, q, &n);

	for (t = 0; t < k; t++)
		out[t] = (struct xnr_neighbour){-1, -1, 0.0f};
	for (t = 0; t < n; t++) {
		int32_t w = ref->word[hits[t].idx], s = rc->sent_of[w];
		double wt = hits[t].sim > 0.0f ? (double)hits[t].sim : 0.0;
		out[t] = (struct xnr_neighbour){s, (int32_t)((size_t)w - rc->sent_start[s]),
		                                hits[t].sim};
		counts[rc->gold_cls[w] < n_classes ? rc->gold_cls[w] : 0]++;
		wdis += rc->gold[w] != label ? wt : 0.0;
	}
	return n == 0 ? NAN : wdis / n;
}

/* Search q's words among ref's rows (ref NULL: among q's own) and store the result. */
static enum xnr_status search(const struct xnr__knn_job *j, const struct hidden *q, int64_t ref_run,
                              int same_group, double *score, struct xnr_neighbour *nb,
                              int32_t *counts, struct xnr_error *err)
{
	struct xnr_nn *nn = NULL;
	struct hidden ref = {ref_run ? j->ref : j->split, q->d, NULL, NULL, NULL, 0, 0, 0, 0};
	int nc = j->t->n_types + 2, k = j->k;
	enum xnr_status st;

	st = xnr_nn_open(q->vec, (long)q->n, q->d, same_group ? q->group : NULL, k, j->threads, &nn,
	                 err);
	if (st == XNR_OK && ref_run)
		st = hidden_read(j->s, ref_run, &ref, nn, same_group, j->ctl, err);
	for (size_t b = 0; st == XNR_OK && !ref_run && b < q->n; b += BLOCK) {
		long n = q->n - b < BLOCK ? (long)(q->n - b) : BLOCK;
		st = xnr_nn_add(nn, q->vec + b * (size_t)q->d, n, q->group + b, j->ctl, err);
		xnr_ctl_progress(j->ctl, (double)(b + (size_t)n) / (double)(q->n + 1),
		                 "neighbours");
	}
	for (size_t i = 0; st == XNR_OK && i < q->n; i++) {
		size_t w = (size_t)q->word[i];
		score[w] = collect(nn, (long)i, ref_run ? &ref : q, j->split->gold[w], k, nc,
		                   nb + w * (size_t)k, counts + w * (size_t)nc);
	}
	xnr_nn_close(nn);
	hidden_free(&ref);
	return st;
}

static enum xnr_status alloc_out(struct xnr__signals *g, int k, int nc, int with_ref,
                                 struct xnr_error *err)
{
	size_t n = g->n_words + 1;

	g->k = k;
	g->nb = malloc(n * (size_t)k * sizeof *g->nb);
	g->nb_counts = calloc(n * (size_t)nc, sizeof *g->nb_counts);
	if (with_ref) {
		g->ref_nb = malloc(n * (size_t)k * sizeof *g->ref_nb);
		g->ref_nb_counts = calloc(n * (size_t)nc, sizeof *g->ref_nb_counts);
	}
	if (!g->nb || !g->nb_counts || (with_ref && (!g->ref_nb || !g->ref_nb_counts)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < g->n_words * (size_t)k; i++) {
		g->nb[i] = (struct xnr_neighbour){-1, -1, 0.0f};
		if (with_ref)
			g->ref_nb[i] = g->nb[i];
	}
	return XNR_OK;
}

/* The memory the search may plan for: XNR_MEMORY_LIMIT (bytes) when set, else the
 * machine's physical memory; 0 when unknown. */
static double memory_budget(void)
{
	const char *env = getenv("XNR_MEMORY_LIMIT");
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	char *end;
	double v;

	if (env && *env && (v = strtod(env, &end)) > 0 && !*end)
		return v;
	return pages > 0 && size > 0 ? (double)pages * (double)size : 0.0;
}

/* bytes as "1.5 GB" or "12 MB" */
static void size_text(double bytes, char *out, size_t size)
{
	if (bytes >= 1e9)
		snprintf(out, size, "%.1f GB", bytes / 1e9);
	else
		snprintf(out, size, "%.0f MB", bytes / 1e6);
}

/* Every word's hidden state is held twice (as read, and normalised by the
 * search) with k neighbours and label counts per word, for the split and
 * again for the reference. Without this check a run of a million sentences
 * (15 million words of 256 values: 34 GB) was killed by the kernel instead of
 * told why. */
enum xnr_status xnr__neighbours_fit(const struct xnr_run *split, int k, int nc, int with_ref,
                                    struct xnr_error *err)
{
	double n = (double)split->n_words, d = (double)split->hidden_size;
	double refs = with_ref ? 2.0 : 1.0;
	double need = n * (2.0 * d * sizeof(float) + 3.0 * sizeof(int32_t)) +
	              n * refs * k * (sizeof(struct xnr_neighbour) + 2.0 * sizeof(float)) +
	              n * refs * nc * sizeof(int32_t);
	double budget = memory_budget();
	char want[32], have[32];

	if (budget <= 0.0 || need <= 0.8 * budget)
		return XNR_OK;
	size_text(need, want, sizeof want);
	size_text(budget, have, sizeof have);
	return xnr_fail(err, XNR_ERR_LIMIT,
	                "run %lld: its search holds every word's hidden state in memory: "
	                "%.0f words of %.0f values need about %s, more than 80%% of the %s "
	                "there is (physical memory, or XNR_MEMORY_LIMIT); for it, score a "
	                "sample of the data (explainer run --sample N) or a shard of it "
	                "(--shard I/N), or use a machine with more memory",
	                (long long)split->id, n, d, want, have);
}

enum xnr_status xnr__neighbours(const struct xnr__knn_job *j, struct xnr__signals *g,
                                struct xnr_error *err)
{
	struct hidden q = {j->split, (int)j->split->info.hidden_size, NULL, NULL, NULL, 0, 0, 0, 0};
	int nc = j->t->n_types + 2;
	enum xnr_status st;

	if ((st = xnr_run_hidden_check(&j->split->info, err)) != XNR_OK ||
	    (j->ref_run && (st = xnr_run_hidden_check(&j->ref->info, err)) != XNR_OK))
		return st;
	if (j->ref_run && j->ref->info.hidden_size != j->split->info.hidden_size)
		return xnr_fail(
		    err, XNR_ERR_MISMATCH,
		    "run %lld and reference run %lld have hidden states of %lld and %lld "
		    "values",
		    (long long)j->split->info.id, (long long)j->ref_run,
		    (long long)j->split->info.hidden_size, (long long)j->ref->info.hidden_size);
	if ((st = alloc_out(g, j->k, nc, j->ref_run > 0, err)) != XNR_OK ||
	    (st = hidden_read(j->s, j->split->info.id, &q, NULL, 0, NULL, err)) != XNR_OK)
		goto done;
	if (q.n == 0)
		goto done; /* no word has a hidden state: nothing to search */
	st = search(j, &q, 0, 1, g->knn_split, g->nb, g->nb_counts, err);
	if (st == XNR_OK && j->ref_run)
		st = search(j, &q, j->ref_run, j->same_data, g->knn_ref, g->ref_nb,
		            g->ref_nb_counts, err);
done:
	hidden_free(&q);
	return st;
}
