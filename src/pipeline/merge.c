/*
 * merge.c - `explainer merge`: the shard runs of one run (shard.c, each in
 * its database) checked to belong together (same model, data, options and
 * version, every slice once, slices tiling the sentences) and written as
 * one run that equals the unsharded run value for value: rows copied as
 * stored (store/copy.c), counts summed, the summary recomputed from the
 * merged words as run_write.c computes it. One transaction; a new output
 * file appears only when it has committed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/hash.h"
#include "core/progress.h"
#include "pipeline/internal.h"
#include "store/read.h"

/* One shard run found in a file. */
struct shard {
	const char *path;   /* borrowed from the caller */
	struct xnr_run run; /* with labels */
	int index, count;
	long first, total;
	char run_key[XNR_SHA256_HEX];
};

/* Every shard database is open only while it is read, so a merge of
 * thousands of shards needs few file descriptors. */
struct merge {
	struct shard *v;
	size_t n, cap;
	struct shard **by_index; /* (count) the shard of each slice */
};

/* The value of key among the n settings kv, or NULL. */
static const char *setting(const struct xnr_setting *kv, size_t n, const char *key)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	return NULL;
}

/* A number >= 0 in decimal at s, followed by stop: 1 and *v, *rest at the stop; else 0. */
static int whole(const char *s, char stop, long *v, const char **rest)
{
	char *e;

	errno = 0;
	*v = strtol(s, &e, 10);
	*rest = e;
	return e != s && errno == 0 && *e == stop && *v >= 0 && s[0] >= '0' && s[0] <= '9';
}

/* The shard's settings into s: 1, 0 when the run is no shard, -1 when its
 * shard settings are not what shard.c writes. */
static int parse_settings(const struct xnr_setting *kv, size_t n, struct shard *s)
{
	const char *slice = setting(kv, n, XNR__SHARD_SLICE);
	const char *first = setting(kv, n, XNR__SHARD_FIRST);
	const char *total = setting(kv, n, XNR__SHARD_TOTAL);
	const char *key = setting(kv, n, XNR__SHARD_RUN_KEY);
	const char *rest;
	long index, count;

	if (!slice)
		return 0;
	if (!first || !total || !key || strlen(key) != XNR_SHA256_HEX - 1 ||
	    !whole(slice, '/', &index, &rest) || !whole(rest + 1, '\0', &count, &rest) ||
	    !whole(first, '\0', &s->first, &rest) || !whole(total, '\0', &s->total, &rest) ||
	    index > INT_MAX || count > INT_MAX)
		return -1;
	s->index = (int)index;
	s->count = (int)count;
	memcpy(s->run_key, key, XNR_SHA256_HEX);
	return s->count > 0 && s->index >= 0 && s->index < s->count && s->first >= 0 &&
	               s->total >= s->first
	           ? 1
	           : -1;
}

/* Add the shard run id of store (file path) to m, if it is one. */
static enum xnr_status add_run(struct merge *m, const char *path, struct xnr_store *store,
                               int64_t id, struct xnr_error *err)
{
	struct xnr_setting *kv = NULL;
	struct shard s;
	size_t n = 0;
	enum xnr_status st;

	memset(&s, 0, sizeof s);
	if ((st = xnr_settings_load(store, id, &kv, &n, err)) != XNR_OK)
		return st;
	switch (parse_settings(kv, n, &s)) {
	case 0:
		goto done;
	case -1:
		st = xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                 "run %lld: its shard settings are damaged (see docs/schema.md)",
		                 (long long)id);
		goto done;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		struct shard *v = realloc(m->v, cap * sizeof *v);
		if (!v) {
			st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
			goto done;
		}
		m->v = v;
		m->cap = cap;
	}
	s.path = path;
	if ((st = xnr_store_run_get(store, id, &s.run, err)) != XNR_OK)
		goto done;
	if (!s.run.summary_json)
		st =
		    xnr_fail_at(err, XNR_ERR_INPUT, path, 0, "shard %d/%d (run %lld) is incomplete",
		                s.index, s.count, (long long)id);
	if (st == XNR_OK) {
		m->v[m->n++] = s;
		memset(&s, 0, sizeof s);
	}
done:
	xnr_settings_free(kv, n);
	xnr_run_free(&s.run);
	return st;
}

/* Every shard run of the file at path into m. */
static enum xnr_status load_file(struct merge *m, const char *path, struct xnr_error *err)
{
	struct xnr_store *store = NULL;
	struct xnr_run *runs = NULL;
	size_t n = 0, i, before = m->n;
	enum xnr_status st;

	if (!xnr_file_exists(path))
		return xnr_fail_at(err, XNR_ERR_NOT_FOUND, path, 0,
		                   "no such shard database (it appears when its shard's run has "
		                   "finished: is it still running, or did it fail?)");
	if ((st = xnr_store_open_read(path, &store, err)) == XNR_OK)
		st = xnr_store_runs(store, &runs, &n, err);
	for (i = 0; st == XNR_OK && i < n; i++)
		st = add_run(m, path, store, runs[i].id, err);
	xnr_runs_free(runs, n);
	xnr_store_close(store);
	if (st == XNR_OK && m->n == before)
		st =
		    xnr_fail_at(err, XNR_ERR_INPUT, path, 0,
		                "holds no complete shard run (made by `explainer run --shard I/N`; "
		                "a shard still running shows none until it has finished)");
	return st;
}

/* Equal strings, two NULLs included. */
static int same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static const char *or_none(const char *h)
{
	return h ? h : "none";
}

/* XNR_ERR_MISMATCH unless b belongs with a: what differs, naming both files. */
static enum xnr_status check_pair(const struct shard *a, const struct shard *b,
                                  struct xnr_error *err)
{
	const char *what = NULL, *va = NULL, *vb = NULL;

	if (!same(a->run.model_hash, b->run.model_hash))
		what = "another model", va = a->run.model_hash, vb = b->run.model_hash;
	else if (!same(a->run.data_hash, b->run.data_hash))
		what = "other data", va = a->run.data_hash, vb = b->run.data_hash;
	else if (!same(a->run.options_json, b->run.options_json))
		what = "other options", va = a->run.options_json, vb = b->run.options_json;
	else if (!same(a->run.version, b->run.version))
		what = "another ExplaiNER version", va = a->run.version, vb = b->run.version;
	else if (a->count != b->count)
		return xnr_fail(err, XNR_ERR_MISMATCH,
		                "%s: shard %d/%d, but %s holds shard %d/%d: "
		                "the shards of one run share N",
		                b->path, b->index, b->count, a->path, a->index, a->count);
	else if (strcmp(a->run_key, b->run_key) != 0 || a->total != b->total)
		what = "another run", va = a->run_key, vb = b->run_key;
	if (!what)
		return XNR_OK;
	return xnr_fail(err, XNR_ERR_MISMATCH, "%s: shard %d/%d is of %s than %s (%s vs %s)",
	                b->path, b->index, b->count, what, a->path, or_none(vb), or_none(va));
}

/* Every slice once, in m->by_index, and the slices tile the sentences. */
static enum xnr_status check_slices(struct merge *m, struct xnr_error *err)
{
	int count = m->v[0].count, k;
	long next = 0;
	size_t i;

	m->by_index = calloc((size_t)count, sizeof(struct shard *));
	if (!m->by_index)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (i = 0; i < m->n; i++) {
		struct shard *s = &m->v[i], *had = m->by_index[s->index];
		if (had)
			return xnr_fail(err, XNR_ERR_INPUT,
			                "slice %d/%d is in both %s and %s: give each slice once",
			                s->index, count, had->path, s->path);
		m->by_index[s->index] = s;
	}
	for (k = 0; k < count; k++) {
		const struct shard *s = m->by_index[k];
		if (!s)
			return xnr_fail(
			    err, XNR_ERR_INPUT,
			    "slice %d/%d is missing: none of the %zu shard runs given holds "
			    "it (run `explainer run --shard %d/%d` and merge again)",
			    k, count, m->n, k, count);
		if (s->first != next)
			return xnr_fail_at(err, XNR_ERR_MISMATCH, s->path, 0,
			                   "slice %d/%d starts at sentence %ld, expected %ld", k,
			                   count, s->first, next);
		next += (long)s->run.n_sentences;
	}
	if (next != m->v[0].total)
		return xnr_fail(err, XNR_ERR_MISMATCH,
		                "the %d slices hold %ld sentences, their run has %ld", count, next,
		                m->v[0].total);
	return XNR_OK;
}

/* The merged run's words as the summary reads them: sent_start, gold, pred, conf
 * of x from the sentences and words of run in store (x->n_sel sentences). */
static enum xnr_status load_words(struct xnr__run *x, struct xnr_store *store, int64_t run,
                                  struct xnr_error *err)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(run);
	struct xnr_word_query wq = xnr_word_query_default(run);
	struct xnr_rows *rows = NULL;
	struct xnr_sentence_row srow;
	struct xnr_word_row wrow;
	enum xnr_status st;
	size_t i = 0, n_words;
	int more = 1;

	q.sort = XNR_SENT_BY_ID;
	q.ascending = 1;
	if (!(x->sent_start = malloc((x->n_sel + 1) * sizeof *x->sent_start)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	x->sent_start[0] = 0;
	st = xnr_store_sentences(store, &q, &rows, err);
	while (st == XNR_OK && (st = xnr_rows_sentence(rows, &srow, &more, err)) == XNR_OK &&
	       more) {
		if (i >= x->n_sel || srow.id != (int)i || srow.n_words < 0) {
			st = xnr_fail(err, XNR_ERR_INTERNAL, "merge: sentence %d out of order",
			              srow.id);
			break;
		}
		x->sent_start[i + 1] = x->sent_start[i] + (size_t)srow.n_words;
		i++;
	}
	xnr_rows_close(rows);
	rows = NULL;
	if (st == XNR_OK && i != x->n_sel)
		st = xnr_fail(err, XNR_ERR_INTERNAL, "merge: %zu sentences, expected %zu", i,
		              x->n_sel);
	if (st != XNR_OK)
		return st;
	n_words = x->sent_start[x->n_sel];
	x->gold = malloc((n_words + 1) * sizeof *x->gold);
	x->pred = malloc((n_words + 1) * sizeof *x->pred);
	x->conf = malloc((n_words + 1) * sizeof *x->conf);
	if (!x->gold || !x->pred || !x->conf)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	st = xnr_store_words(store, &wq, &rows, err);
	while (st == XNR_OK && (st = xnr_rows_word(rows, &wrow, &more, err)) == XNR_OK && more) {
		size_t s = (size_t)wrow.sentence_id, w = x->sent_start[s] + (size_t)wrow.idx;
		if (wrow.sentence_id < 0 || s >= x->n_sel || wrow.idx < 0 ||
		    w >= x->sent_start[s + 1]) {
			st = xnr_fail(err, XNR_ERR_INTERNAL,
			              "merge: word %d of sentence %d out of place", wrow.idx,
			              wrow.sentence_id);
			break;
		}
		x->gold[w] = wrow.gold;
		x->pred[w] = wrow.pred;
		x->conf[w] = wrow.prob_pred;
	}
	xnr_rows_close(rows);
	return st;
}

/* The summary of the merged run from its stored words (caller frees), its
 * counts left in *x (the caller closes them with merged_close). */
static enum xnr_status merged_summary(const struct shard *first, struct xnr_store *store,
                                      int64_t run, struct xnr__run *x, char **json, char **report,
                                      struct xnr_error *err)
{
	enum xnr_status st;
	int i;

	x->n_sel = (size_t)first->total;
	st = xnr_tagset_open(&x->tags, err);
	for (i = 0; st == XNR_OK && i < first->run.n_labels; i++) {
		int32_t id;
		st = xnr_tagset_add(x->tags, first->run.labels[i], strlen(first->run.labels[i]),
		                    &id, err);
	}
	if (st == XNR_OK && (st = load_words(x, store, run, err)) == XNR_OK &&
	    (st = xnr__run_score(x, x->n_sel, x->sent_start, x->gold, x->pred, x->conf, err)) ==
	        XNR_OK)
		st = xnr__run_summary(x, first->run.scheme_json, json, report, err);
	free(x->sent_start);
	free(x->gold);
	free(x->pred);
	free(x->conf);
	x->sent_start = NULL;
	x->gold = x->pred = NULL;
	x->conf = NULL;
	return st;
}

static void merged_close(struct xnr__run *x)
{
	xnr_run_metrics_acc_close(x->macc);
	xnr_tagset_close(x->tags);
}

/* The merged run into out: begin, every slice's rows, the summary, commit. */
static enum xnr_status write_merged(struct merge *m, struct xnr_store *out,
                                    struct xnr_run_outcome *res, struct xnr_error *err)
{
	const struct shard *first = m->by_index[0];
	const struct xnr_run *r = &first->run;
	struct xnr_run_info info;
	struct xnr_run_writer *w = NULL;
	struct xnr__run x;
	char *summary = NULL, *report = NULL;
	double seconds = 0.0;
	enum xnr_status st;
	int k;

	memset(&x, 0, sizeof x);
	memset(&info, 0, sizeof info);
	info.key = first->run_key;
	info.version = r->version;
	info.model_path = r->model_path;
	info.model_hash = r->model_hash;
	info.model_arch = r->model_arch;
	info.data_path = r->data_path;
	info.data_hash = r->data_hash;
	info.split = r->split;
	info.options_json = r->options_json;
	info.scheme = r->scheme_json;
	info.hidden_size = (int)r->hidden_size;
	info.n_labels = r->n_labels;
	info.labels = (const char *const *)r->labels;
	st = xnr_run_begin(out, &info, &w, err);
	for (k = 0; st == XNR_OK && k < first->count; k++) {
		const struct shard *s = m->by_index[k];
		struct xnr_store *from = NULL;
		if ((st = xnr_store_open_read(s->path, &from, err)) == XNR_OK &&
		    (st = xnr_run_copy_rows(w, from, s->run.id, k == 0, err)) != XNR_OK)
			xnr_error_prefix(err, "shard %d/%d: ", k, s->count);
		xnr_store_close(from);
		res->n_words += (long)s->run.n_words;
		res->n_tokens += (long)s->run.n_tokens;
		seconds += s->run.duration_s == s->run.duration_s ? s->run.duration_s : 0.0;
	}
	if (st == XNR_OK)
		st = merged_summary(first, out, xnr_run_writer_id(w), &x, &summary, &report, err);
	if (st == XNR_OK) {
		st = xnr_run_commit(w, (int)first->total, res->n_words, res->n_tokens, seconds,
		                    summary, &res->run_id, err);
		w = NULL;
	}
	if (st == XNR_OK) {
		res->n_sentences = first->total;
		res->report = report;
		report = NULL;
		xnr__run_keep(&x, out, res->run_id, (const char *const *)r->labels, r->n_labels,
		              r->scheme_json, res);
	}
	merged_close(&x);
	xnr_run_abort(w);
	free(summary);
	free(report);
	return st;
}

static void merge_free(struct merge *m)
{
	size_t i;
	for (i = 0; i < m->n; i++)
		xnr_run_free(&m->v[i].run);
	free(m->v);
	free(m->by_index);
}

enum xnr_status xnr_pipeline_merge(const char *output, const char *const *shards, size_t n_shards,
                                   struct xnr_run_outcome *out, struct xnr_error *err)
{
	struct merge m;
	struct xnr_store *store = NULL;
	struct xnr_run_outcome res;
	int64_t have = 0;
	double t0 = xnr_now();
	enum xnr_status st = XNR_OK;
	size_t i;

	memset(&m, 0, sizeof m);
	memset(&res, 0, sizeof res);
	if (!output || n_shards == 0)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "merge: an output and at least one shard needed");
	for (i = 0; st == XNR_OK && i < n_shards; i++)
		st = load_file(&m, shards[i], err);
	for (i = 1; st == XNR_OK && i < m.n; i++)
		st = check_pair(&m.v[0], &m.v[i], err);
	if (st != XNR_OK || (st = check_slices(&m, err)) != XNR_OK ||
	    (st = xnr_store_open_staged(output, &store, err)) != XNR_OK ||
	    (st = xnr_store_find_run(store, m.v[0].run_key, &have, err)) != XNR_OK)
		goto done;
	if (have) {
		st = xnr_fail_at(err, XNR_ERR_INPUT, output, 0,
		                 "already holds run %lld with this key (the same model, data and "
		                 "options): nothing merged (merge into another file)",
		                 (long long)have);
		goto done;
	}
	if ((st = write_merged(&m, store, &res, err)) == XNR_OK &&
	    (st = xnr_store_publish(store, err)) == XNR_OK) {
		res.seconds = xnr_now() - t0;
		*out = res;
		memset(&res, 0, sizeof res);
	}
done:
	xnr_run_outcome_free(&res);
	xnr_store_close(store);
	merge_free(&m);
	return st;
}
