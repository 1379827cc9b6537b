/*
 * view.c - a stored run loaded for analysis (report.h): its labels, every
 * word's gold and predicted label and loss, and where each sentence starts.
 * Words come from the store's compact label scan (xnr_store_word_labels): no
 * pass over the wide word rows with their probability vectors.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "store/read.h"

void xnr_run_view_free(struct xnr_run_view *v)
{
	int i;
	if (!v)
		return;
	for (i = 0; i < v->n_labels; i++)
		free(v->labels[i]);
	free(v->labels);
	free(v->sent_start);
	free(v->gold);
	free(v->pred);
	free(v->loss);
	free(v->scheme_json);
	xnr_tagset_close(v->tags);
	free(v);
}

/* The run's labels (ids 0..n-1, checked by the store) and scheme note,
 * taken over from run, and the tag set over the labels. */
static enum xnr_status take_labels(struct xnr_run *run, struct xnr_run_view *v,
                                   struct xnr_error *err)
{
	enum xnr_status rc;
	int32_t id;
	int i;

	v->n_labels = run->n_labels;
	v->labels = run->labels;
	v->scheme_json = run->scheme_json;
	run->labels = NULL;
	run->n_labels = 0;
	run->scheme_json = NULL;
	if ((rc = xnr_tagset_open(&v->tags, err)) != XNR_OK)
		return rc;
	for (i = 0; rc == XNR_OK && i < v->n_labels; i++)
		rc = xnr_tagset_add(v->tags, v->labels[i], strlen(v->labels[i]), &id, err);
	return rc;
}

/* Sentence lengths give every sentence's first word. */
static enum xnr_status load_sentences(struct xnr_store *st, struct xnr_run_view *v,
                                      struct xnr_error *err)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(v->run);
	struct xnr_sentence_row row;
	struct xnr_rows *rows = NULL;
	size_t s = 0, cap = 256, n = 0;
	enum xnr_status rc;
	int more = 1;

	q.sort = XNR_SENT_BY_ID;
	q.ascending = 1;
	if (!(v->sent_start = malloc((cap + 1) * sizeof *v->sent_start)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	v->sent_start[0] = 0;
	if ((rc = xnr_store_sentences(st, &q, &rows, err)) != XNR_OK)
		return rc;
	while ((rc = xnr_rows_sentence(rows, &row, &more, err)) == XNR_OK && more) {
		int64_t len = row.n_words;
		if (row.id != (int64_t)s || len < 0 || len > INT32_MAX)
			rc = xnr_fail(err, XNR_ERR_FORMAT,
			              "run %lld: sentence ids are not 0..n-1 or a length is wrong",
			              (long long)v->run);
		if (rc == XNR_OK && s == cap) {
			size_t *p = realloc(v->sent_start, (2 * cap + 1) * sizeof *p);
			if (!p)
				rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
			else
				v->sent_start = p, cap *= 2;
		}
		if (rc != XNR_OK)
			break;
		v->sent_start[s++] = n;
		n += (size_t)len;
	}
	xnr_rows_close(rows);
	v->sent_start[s] = n;
	v->n_sents = s;
	v->n_words = n;
	return rc;
}

/* Word row w at its place in v (seen marks the filled places): 0, or -1
 * when it is out of place or a second time. */
static int place_word(struct xnr_run_view *v, const struct xnr_word_row *w, unsigned char *seen)
{
	size_t i;

	if (w->sentence_id < 0 || (size_t)w->sentence_id >= v->n_sents || w->idx < 0 ||
	    (size_t)w->idx >= v->sent_start[w->sentence_id + 1] - v->sent_start[w->sentence_id] ||
	    w->gold < 0 || w->pred < 0 || w->gold >= v->n_labels || w->pred >= v->n_labels)
		return -1;
	i = v->sent_start[w->sentence_id] + (size_t)w->idx;
	if (seen[i]++)
		return -1;
	v->gold[i] = w->gold;
	v->pred[i] = w->pred;
	v->loss[i] = w->loss;
	return 0;
}

/* The sentence lengths promise v->n_words words: check that the words table
 * has that many rows before allocating for them, so a hostile database
 * cannot ask for gigabytes with one large n_words. */
static enum xnr_status check_word_count(struct xnr_store *st, const struct xnr_run_view *v,
                                        struct xnr_error *err)
{
	struct xnr_word_query q = xnr_word_query_default(v->run);
	int64_t n = -1;
	enum xnr_status rc = xnr_store_words_count(st, &q, &n, err);

	if (rc == XNR_OK && n != (int64_t)v->n_words)
		return xnr_fail(err, XNR_ERR_FORMAT, "run %lld has an inconsistent words table",
		                (long long)v->run);
	return rc;
}

/* Every word's (gold, pred, loss) at its place; each place filled exactly once. */
static enum xnr_status load_words(struct xnr_store *st, struct xnr_run_view *v,
                                  struct xnr_error *err)
{
	struct xnr_rows *rows = NULL;
	struct xnr_word_row w;
	size_t n = v->n_words, filled = 0;
	unsigned char *seen;
	enum xnr_status rc = check_word_count(st, v, err);
	int more = 1;

	if (rc != XNR_OK)
		return rc;
	seen = calloc(n + 1, 1);
	v->gold = malloc((n + 1) * sizeof *v->gold);
	v->pred = malloc((n + 1) * sizeof *v->pred);
	v->loss = malloc((n + 1) * sizeof *v->loss);
	if (!seen || !v->gold || !v->pred || !v->loss) {
		free(seen);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for %zu words", n);
	}
	if ((rc = xnr_store_word_labels(st, v->run, &rows, err)) == XNR_OK)
		while ((rc = xnr_rows_word(rows, &w, &more, err)) == XNR_OK && more &&
		       place_word(v, &w, seen) == 0)
			filled++;
	xnr_rows_close(rows);
	free(seen);
	if (rc == XNR_OK && (more || filled != n))
		return xnr_fail(err, XNR_ERR_FORMAT, "run %lld has an inconsistent words table",
		                (long long)v->run);
	return rc;
}

enum xnr_status xnr_run_view_load(struct xnr_store *s, int64_t run, struct xnr_run_view **out,
                                  struct xnr_error *err)
{
	struct xnr_run_view *v;
	struct xnr_run r;
	enum xnr_status rc;

	if ((rc = xnr_store_run_get(s, run, &r, err)) != XNR_OK)
		return rc;
	if (!(v = calloc(1, sizeof *v))) {
		xnr_run_free(&r);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	v->run = run;
	rc = take_labels(&r, v, err);
	xnr_run_free(&r);
	if (rc != XNR_OK || (rc = load_sentences(s, v, err)) != XNR_OK ||
	    (rc = load_words(s, v, err)) != XNR_OK)
		goto fail;
	*out = v;
	return XNR_OK;
fail:
	xnr_run_view_free(v);
	return rc;
}
