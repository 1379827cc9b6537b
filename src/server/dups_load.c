/*
 * dups_load.c - the Find Duplicates job's input: every sentence of a run
 * (and of a reference run) with its words and gold labels, read in two
 * passes over the store (sentences by id, words in dataset order), and the
 * sentence vectors: the mean of a sentence's stored word hidden states,
 * centred (raw hidden states share one large direction, so uncentred means
 * all have cosine ~0.99), or the mean-pooled last hidden states of another
 * encoder over the sentence text (ExplaiNER's sentence-transformers vector).
 */
#include <stdlib.h>
#include <string.h>

#include "infer/infer.h"
#include "server/dups_load.h"

#define ENCODE_BATCH 32

/* Growing arrays of one load. */
struct grow {
	long cap_docs, cap_words, n_words;
	size_t cap_pool, n_pool;
	size_t *off; /* (n_words) each word's offset in pool */
	long *first; /* (docs) each doc's first word */
};

static int grow_docs(struct xnr__dup_load *l, struct grow *g)
{
	if (l->n < g->cap_docs)
		return 0;
	long c = g->cap_docs ? 2 * g->cap_docs : 1024;
	struct xnr_dup_doc *d = realloc(l->docs, sizeof *d * (size_t)c);
	if (d)
		l->docs = d;
	int64_t *ids = realloc(l->ids, sizeof *ids * (size_t)c);
	if (ids)
		l->ids = ids;
	char **t = realloc(l->texts, sizeof *t * (size_t)c);
	if (t)
		l->texts = t;
	long *first = realloc(g->first, sizeof *first * (size_t)c);
	if (first)
		g->first = first;
	if (!d || !ids || !t || !first)
		return -1;
	g->cap_docs = c;
	return 0;
}

static int grow_words(struct xnr__dup_load *l, struct grow *g, size_t len)
{
	if (g->n_words == g->cap_words) {
		long c = g->cap_words ? 2 * g->cap_words : 16384;
		size_t *off = realloc(g->off, sizeof *off * (size_t)c);
		if (off)
			g->off = off;
		int *gold = realloc(l->gold, sizeof *gold * (size_t)c);
		if (gold)
			l->gold = gold;
		if (!off || !gold)
			return -1;
		g->cap_words = c;
	}
	if (g->n_pool + len + 1 > g->cap_pool) {
		size_t c = g->cap_pool ? 2 * g->cap_pool : 65536;
		while (c < g->n_pool + len + 1)
			c *= 2;
		char *p = realloc(l->pool, c);
		if (!p)
			return -1;
		l->pool = p;
		g->cap_pool = c;
	}
	return 0;
}

/* The id of label name in l->labels, added when new; -1 out of memory. */
static int label_id(struct xnr__dup_load *l, const char *name)
{
	int i;
	char **v;

	for (i = 0; i < l->n_labels; i++)
		if (!strcmp(l->labels[i], name))
			return i;
	if (!(v = realloc(l->labels, sizeof *v * (size_t)(l->n_labels + 1))))
		return -1;
	l->labels = v;
	if (!(v[l->n_labels] = strdup(name)))
		return -1;
	return l->n_labels++;
}

/* The run's sentences (ids, texts) appended as docs of side. */
static enum xnr_status load_sentences(struct xnr_store *db, int64_t run, int side,
                                      struct xnr__dup_load *l, struct grow *g,
                                      struct xnr_error *err)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(run);
	struct xnr_rows *rows = NULL;
	struct xnr_sentence_row row;
	enum xnr_status st;
	int more = 0;

	q.sort = XNR_SENT_BY_ID;
	q.ascending = 1;
	if ((st = xnr_store_sentences(db, &q, &rows, err)) != XNR_OK)
		return st;
	while ((st = xnr_rows_sentence(rows, &row, &more, err)) == XNR_OK && more) {
		if (grow_docs(l, g)) {
			st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
			break;
		}
		l->docs[l->n] = (struct xnr_dup_doc){NULL, NULL, 0, side};
		g->first[l->n] = 0;
		l->ids[l->n] = row.id;
		if (!(l->texts[l->n++] = strdup(row.text ? row.text : ""))) {
			st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
			break;
		}
	}
	xnr_rows_close(rows);
	return st;
}

/* The words of run's docs l->docs[from .. l->n): their bytes, gold labels
 * (as l->labels ids) and ranges; words[] is set once the pool stops moving. */
static enum xnr_status load_words(struct xnr_store *db, const struct xnr_run *run, long from,
                                  struct xnr__dup_load *l, struct grow *g, struct xnr_error *err)
{
	struct xnr_word_query q = xnr_word_query_default(run->id);
	struct xnr_rows *rows = NULL;
	struct xnr_word_row w;
	enum xnr_status st;
	long at = from;
	int more = 0, *map = malloc(sizeof *map * (size_t)(run->n_labels + 1));

	for (int i = 0; map && i < run->n_labels; i++)
		if ((map[i] = label_id(l, run->labels[i])) < 0)
			break;
	if (!map || (run->n_labels > 0 && map[run->n_labels - 1] < 0)) {
		free(map);
		return xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	}
	if ((st = xnr_store_words(db, &q, &rows, err)) != XNR_OK) {
		free(map);
		return st;
	}
	while ((st = xnr_rows_word(rows, &w, &more, err)) == XNR_OK && more) {
		while (at < l->n && l->ids[at] < w.sentence_id)
			at++;
		if (at == l->n || l->ids[at] != w.sentence_id)
			continue;
		size_t len = w.text ? (size_t)w.text_len : 0;
		if (grow_words(l, g, len)) {
			st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
			break;
		}
		if (l->docs[at].n_words++ == 0)
			g->first[at] = g->n_words;
		g->off[g->n_words] = g->n_pool;
		l->gold[g->n_words++] = w.gold >= 0 && w.gold < run->n_labels ? map[w.gold] : -1;
		memcpy(l->pool + g->n_pool, w.text ? w.text : "", len);
		l->pool[g->n_pool + len] = '\0';
		g->n_pool += len + 1;
	}
	xnr_rows_close(rows);
	free(map);
	return st;
}

/* The docs' word and gold pointers, now that the arrays stay put. */
static enum xnr_status finish(struct xnr__dup_load *l, const struct grow *g, struct xnr_error *err)
{
	if (!(l->words = malloc(sizeof *l->words * (size_t)(g->n_words + 1))))
		return xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	for (long i = 0; i < g->n_words; i++)
		l->words[i] = l->pool + g->off[i];
	for (long i = 0; i < l->n; i++) {
		l->docs[i].words = l->words + g->first[i];
		l->docs[i].gold = l->gold + g->first[i];
	}
	return XNR_OK;
}

void xnr__dup_load_free(struct xnr__dup_load *l)
{
	for (long i = 0; l->texts && i < l->n; i++)
		free(l->texts[i]);
	for (int i = 0; i < l->n_labels; i++)
		free(l->labels[i]);
	free(l->texts);
	free(l->docs);
	free(l->ids);
	free(l->words);
	free(l->gold);
	free(l->pool);
	free(l->labels);
	memset(l, 0, sizeof *l);
}

enum xnr_status xnr__dup_load(struct xnr_store *db, int64_t run, int64_t reference,
                              const struct xnr_ctl *ctl, struct xnr__dup_load *l,
                              struct xnr_error *err)
{
	struct grow g = {0};
	struct xnr_run r = {0};
	enum xnr_status st = XNR_OK;

	memset(l, 0, sizeof *l);
	l->run = run, l->reference = reference;
	for (int side = 0; st == XNR_OK && side < (reference ? 2 : 1); side++) {
		long from = l->n;
		if ((st = xnr_store_run_get(db, side ? reference : run, &r, err)) != XNR_OK ||
		    (st = load_sentences(db, r.id, side, l, &g, err)) != XNR_OK ||
		    (st = load_words(db, &r, from, l, &g, err)) != XNR_OK)
			break;
		if (side == 0)
			l->n_run = l->n;
		xnr_run_free(&r);
		xnr_ctl_progress(ctl, 0.5 * (side + 1) / (reference ? 2 : 1), "sentences");
	}
	if (st == XNR_OK)
		st = finish(l, &g, err);
	if (st == XNR_OK && !reference && l->n_run < 2)
		st = xnr_fail(err, XNR_ERR_INPUT, "run %lld has %ld sentences: no pairs to compare",
		              (long long)run, l->n_run);
	else if (st == XNR_OK && reference && (l->n_run == 0 || l->n == l->n_run))
		st = xnr_fail(err, XNR_ERR_INPUT, "run %lld has no sentences: no pairs to compare",
		              (long long)(l->n_run == 0 ? run : reference));
	xnr_run_free(&r);
	free(g.off);
	free(g.first);
	if (st != XNR_OK)
		xnr__dup_load_free(l);
	return st;
}

/* The doc of sentence id among l's docs [from, to) (ids ascending), or -1. */
static long doc_of(const struct xnr__dup_load *l, long from, long to, int64_t id)
{
	long lo = from, hi = to;

	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;
		if (l->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < to && l->ids[lo] == id ? lo : -1;
}

/* Add run's stored word hidden states into the rows of its docs [from, to). */
static enum xnr_status sum_stored(struct xnr_store *db, int64_t run, const struct xnr__dup_load *l,
                                  long from, long to, const struct xnr_ctl *ctl, float *x, int d,
                                  int *count, struct xnr_error *err)
{
	struct xnr_rows *rows = NULL;
	struct xnr_hidden_row h;
	enum xnr_status st;
	long row, seen = 0;
	int more = 0;

	if ((st = xnr_store_hidden(db, run, &rows, err)) != XNR_OK)
		return st;
	while ((st = xnr_rows_hidden(rows, &h, &more, err)) == XNR_OK && more) {
		row = doc_of(l, from, to, h.sentence_id);
		if (row < 0 || !h.vec || h.vec_bytes != d * (int)sizeof(float))
			continue;
		for (int j = 0; j < d; j++)
			x[(size_t)row * (size_t)d + (size_t)j] += h.vec[j];
		count[row]++;
		if (++seen % 4096 == 0 && xnr_ctl_cancelled(ctl)) {
			st = xnr_fail(err, XNR_ERR_CANCELLED, "cancelled");
			break;
		}
	}
	xnr_rows_close(rows);
	return st;
}

/* Rows of x [n, d] become means (sums / count), then the mean of the rows
 * with words is subtracted from them. */
static enum xnr_status mean_centre(float *x, const int *count, long n, int d, struct xnr_error *err)
{
	double *mean = calloc((size_t)d, sizeof *mean);
	long i, n_rows = 0;
	int j;

	if (!mean)
		return xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	for (i = 0; i < n; i++) {
		float *row = x + (size_t)i * (size_t)d;
		for (j = 0; count[i] > 0 && j < d; j++) {
			row[j] /= (float)count[i];
			mean[j] += row[j];
		}
		n_rows += count[i] > 0;
	}
	for (i = 0; n_rows > 0 && i < n; i++)
		for (j = 0; count[i] > 0 && j < d; j++)
			x[(size_t)i * (size_t)d + (size_t)j] -= (float)(mean[j] / (double)n_rows);
	free(mean);
	return XNR_OK;
}

/* The hidden size both runs store, or a failure saying why there is none. */
static enum xnr_status stored_size(struct xnr_store *db, const struct xnr__dup_load *l, int *d,
                                   struct xnr_error *err)
{
	struct xnr_run a = {0}, b = {0};
	enum xnr_status st;

	if ((st = xnr_store_run_get(db, l->run, &a, err)) == XNR_OK &&
	    (st = xnr_run_hidden_check(&a, err)) == XNR_OK && l->reference &&
	    (st = xnr_store_run_get(db, l->reference, &b, err)) == XNR_OK &&
	    (st = xnr_run_hidden_check(&b, err)) == XNR_OK &&
	    (a.hidden_size != b.hidden_size || !a.model_hash || !b.model_hash ||
	     strcmp(a.model_hash, b.model_hash) != 0))
		st = xnr_fail(err, XNR_ERR_MISMATCH,
		              "runs %lld and %lld were made by different models: their stored "
		              "hidden states do not compare (give an encoder)",
		              (long long)l->run, (long long)l->reference);
	if (st == XNR_OK)
		*d = (int)a.hidden_size;
	xnr_run_free(&a);
	xnr_run_free(&b);
	return st;
}

enum xnr_status xnr__dup_stored_vectors(struct xnr_store *db, const struct xnr__dup_load *l,
                                        const struct xnr_ctl *ctl, float **x, int *d,
                                        struct xnr_error *err)
{
	enum xnr_status st;
	int *count = NULL;

	*x = NULL;
	if ((st = stored_size(db, l, d, err)) != XNR_OK)
		return st;
	*x = calloc((size_t)l->n * (size_t)*d, sizeof **x);
	count = calloc((size_t)l->n + 1, sizeof *count);
	if (!*x || !count)
		st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	if (st == XNR_OK)
		st = sum_stored(db, l->run, l, 0, l->n_run, ctl, *x, *d, count, err);
	if (st == XNR_OK && l->reference)
		st = sum_stored(db, l->reference, l, l->n_run, l->n, ctl, *x, *d, count, err);
	if (st == XNR_OK)
		st = mean_centre(*x, count, l->n, *d, err);
	free(count);
	if (st != XNR_OK) {
		free(*x);
		*x = NULL;
	}
	return st;
}

/* Mean of res's last hidden states over its tokens into x [d]. */
static void mean_pool(const struct xnr_result *res, float *x, int d)
{
	int t, j;

	for (t = 0; t < res->enc.n_tokens; t++)
		for (j = 0; j < d; j++)
			x[j] += res->hidden[(size_t)t * (size_t)d + (size_t)j];
	for (j = 0; t > 0 && j < d; j++)
		x[j] /= (float)t;
}

/* x [n, d]: docs [from, to) of l through the encoder. */
static enum xnr_status encode_batch(struct xnr_engine *e, const struct xnr__dup_load *l, long from,
                                    long to, float *x, int d, struct xnr_error *err)
{
	struct xnr_input in[ENCODE_BATCH];
	struct xnr_result res[ENCODE_BATCH];
	int i, n = (int)(to - from);
	enum xnr_status st;

	memset(in, 0, sizeof in);
	for (i = 0; i < n; i++) {
		in[i].text = l->texts[from + i];
		in[i].text_len = strlen(l->texts[from + i]);
		xnr_result_init(&res[i]);
	}
	if ((st = xnr_engine_run(e, in, n, res, err)) == XNR_OK)
		for (i = 0; i < n; i++)
			mean_pool(&res[i], x + (size_t)(from + i) * (size_t)d, d);
	for (i = 0; i < n; i++)
		xnr_result_free(&res[i]);
	return st;
}

enum xnr_status xnr__dup_encoder_vectors(struct xnr__app *app, const char *encoder,
                                         const struct xnr__dup_load *l, const struct xnr_ctl *ctl,
                                         float **x, int *d, struct xnr_error *err)
{
	struct xnr__model *m = NULL;
	enum xnr_status st;

	*x = NULL;
	if ((st = xnr__model_acquire(app, encoder, 0, &m, err)) != XNR_OK)
		return st;
	*d = xnr_engine_config(xnr__model_engine(m))->hidden_size;
	if (!(*x = calloc((size_t)l->n * (size_t)*d, sizeof **x)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	for (long i = 0; st == XNR_OK && i < l->n; i += ENCODE_BATCH) {
		st = encode_batch(xnr__model_engine(m), l, i,
		                  i + ENCODE_BATCH < l->n ? i + ENCODE_BATCH : l->n, *x, *d, err);
		xnr_ctl_progress(ctl, (double)i / (double)l->n, "encode");
		if (st == XNR_OK && xnr_ctl_cancelled(ctl))
			st = xnr_fail(err, XNR_ERR_CANCELLED, "cancelled");
	}
	xnr__model_release(app, m);
	if (st != XNR_OK) {
		free(*x);
		*x = NULL;
	}
	return st;
}
