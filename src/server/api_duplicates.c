/*
 * api_duplicates.c - POST /api/v1/runs/{id}/duplicates: the Find Duplicates
 * page, mirroring ExplaiNER's find-duplicates page: a job that embeds every
 * sentence of the run (the mean of its stored word hidden states, centred,
 * or the mean-pooled last hidden states of another encoder) and answers the
 * pairs whose cosine similarity reaches the threshold, most similar first.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer/infer.h"
#include "reduce/reduce.h"
#include "server/internal.h"

struct dup_args {
	struct xnr__app *app;
	char *db_path;
	char *encoder; /* a model folder (real path), or NULL: the stored hidden states */
	int64_t run, limit;
	double threshold;
};

static void dup_free(void *arg)
{
	struct dup_args *a = arg;

	if (a) {
		free(a->db_path);
		free(a->encoder);
	}
	free(a);
}

struct sents {
	long n;
	int64_t *ids;
	char **texts;
};

static void sents_free(struct sents *s)
{
	long i;

	for (i = 0; s->texts && i < s->n; i++)
		free(s->texts[i]);
	free(s->texts);
	free(s->ids);
	memset(s, 0, sizeof *s);
}

static enum xnr_status sents_load(struct xnr_store *db, int64_t run, struct sents *s,
                                  struct xnr_error *err)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(run);
	struct xnr_rows *rows = NULL;
	struct xnr_sentence_row row;
	enum xnr_status st;
	long cap = 0;
	int more = 0;

	memset(s, 0, sizeof *s);
	q.sort = XNR_SENT_BY_ID;
	q.ascending = 1;
	if ((st = xnr_store_sentences(db, &q, &rows, err)) != XNR_OK)
		return st;
	while ((st = xnr_rows_sentence(rows, &row, &more, err)) == XNR_OK && more) {
		if (s->n == cap) {
			long c = cap ? cap * 2 : 1024;
			int64_t *ids = realloc(s->ids, (size_t)c * sizeof *ids);
			char **texts = ids ? realloc(s->texts, (size_t)c * sizeof *texts) : NULL;
			if (ids)
				s->ids = ids;
			if (texts)
				s->texts = texts, cap = c;
			else
				st = xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
		}
		if (st == XNR_OK) {
			s->ids[s->n] = row.id;
			if (!(s->texts[s->n++] = strdup(row.text ? row.text : "")))
				st = xnr_fail(err, XNR_ERR_NOMEM, "sentences: out of memory");
		}
		if (st != XNR_OK)
			break;
	}
	xnr_rows_close(rows);
	if (st == XNR_OK && s->n < 2)
		st = xnr_fail(err, XNR_ERR_INPUT, "run %lld has %ld sentences: no pairs to compare",
		              (long long)run, s->n);
	if (st != XNR_OK)
		sents_free(s);
	return st;
}

/* Row of sentence id in s (ids sorted), or -1. */
static long sent_row(const struct sents *s, int64_t id)
{
	long lo = 0, hi = s->n;

	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;
		if (s->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->ids[lo] == id ? lo : -1;
}

/* Rows of x [n, d] become means (sums / count), then the mean of the rows
 * with words is subtracted from them: raw hidden states share a large common
 * direction, so uncentred sentence vectors all have cosine ~0.99 with each
 * other and the threshold would not separate duplicates from the rest. */
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

/* x [n, d] = the mean of each sentence's stored word hidden states, centred. */
static enum xnr_status embed_stored(struct xnr_store *db, int64_t run, const struct sents *s,
                                    const struct xnr_ctl *ctl, float *x, int d,
                                    struct xnr_error *err)
{
	struct xnr_rows *rows = NULL;
	struct xnr_hidden_row h;
	enum xnr_status st;
	int *count = calloc((size_t)s->n, sizeof *count);
	long row, seen = 0;
	int more = 0, j;

	if (!count)
		return xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	if ((st = xnr_store_hidden(db, run, &rows, err)) != XNR_OK) {
		free(count);
		return st;
	}
	while ((st = xnr_rows_hidden(rows, &h, &more, err)) == XNR_OK && more) {
		row = sent_row(s, h.sentence_id);
		if (row < 0 || !h.vec || h.vec_bytes != d * (int)sizeof(float))
			continue;
		for (j = 0; j < d; j++)
			x[(size_t)row * (size_t)d + (size_t)j] += h.vec[j];
		count[row]++;
		if (++seen % 4096 == 0 && xnr_ctl_cancelled(ctl)) {
			st = xnr_fail(err, XNR_ERR_CANCELLED, "cancelled");
			break;
		}
	}
	xnr_rows_close(rows);
	if (st == XNR_OK)
		st = mean_centre(x, count, s->n, d, err);
	free(count);
	return st;
}

#define ENCODE_BATCH 32

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

/* x [n, d]: sentences [from, to) of s through the encoder. */
static enum xnr_status encode_batch(struct xnr_engine *e, const struct sents *s, long from, long to,
                                    float *x, int d, struct xnr_error *err)
{
	struct xnr_input in[ENCODE_BATCH];
	struct xnr_result res[ENCODE_BATCH];
	int i, n = (int)(to - from);
	enum xnr_status st;

	memset(in, 0, sizeof in);
	for (i = 0; i < n; i++) {
		in[i].text = s->texts[from + i];
		in[i].text_len = strlen(s->texts[from + i]);
		xnr_result_init(&res[i]);
	}
	if ((st = xnr_engine_run(e, in, n, res, err)) == XNR_OK)
		for (i = 0; i < n; i++)
			mean_pool(&res[i], x + (size_t)(from + i) * (size_t)d, d);
	for (i = 0; i < n; i++)
		xnr_result_free(&res[i]);
	return st;
}

/* *x [n, *d] = mean-pooled last hidden states of the encoder on the sentence texts. */
static enum xnr_status embed_encoder(const struct dup_args *a, const struct sents *s,
                                     const struct xnr_ctl *ctl, float **x, int *d,
                                     struct xnr_error *err)
{
	struct xnr__model *m = NULL;
	enum xnr_status st;
	long i;

	if ((st = xnr__model_acquire(a->app, a->encoder, 0, &m, err)) != XNR_OK)
		return st;
	*d = xnr_engine_config(xnr__model_engine(m))->hidden_size;
	if (!(*x = calloc((size_t)s->n * (size_t)*d, sizeof **x)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	for (i = 0; st == XNR_OK && i < s->n; i += ENCODE_BATCH) {
		st = encode_batch(xnr__model_engine(m), s, i,
		                  i + ENCODE_BATCH < s->n ? i + ENCODE_BATCH : s->n, *x, *d, err);
		xnr_ctl_progress(ctl, 0.5 * (double)i / (double)s->n, "encode");
		if (st == XNR_OK && xnr_ctl_cancelled(ctl))
			st = xnr_fail(err, XNR_ERR_CANCELLED, "cancelled");
	}
	xnr__model_release(a->app, m);
	return st;
}

static json_t *pairs_json(const struct sents *s, const struct xnr_pair *p, long n)
{
	json_t *a = json_array();
	long i;

	for (i = 0; a && i < n; i++)
		if (json_array_append_new(
		        a, json_pack("{s:I, s:I, s:f, s:s, s:s}", "a", (json_int_t)s->ids[p[i].i],
		                     "b", (json_int_t)s->ids[p[i].j], "sim", (double)p[i].sim,
		                     "text_a", s->texts[p[i].i], "text_b", s->texts[p[i].j])) !=
		    0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static enum xnr_status dup_job(void *arg, const struct xnr_ctl *ctl, json_t **result,
                               struct xnr_error *err)
{
	const struct dup_args *a = arg;
	struct sents s = {0};
	struct xnr_pair *pairs = NULL;
	struct xnr_store *db = NULL;
	struct xnr_run run = {0};
	long n_pairs = 0, n_total = 0;
	double t0 = xnr__now_s(), t1;
	float *x = NULL;
	int d = 0;
	enum xnr_status st;

	if ((st = xnr_store_open_read(a->db_path, &db, err)) != XNR_OK ||
	    (st = sents_load(db, a->run, &s, err)) != XNR_OK)
		goto fail;
	if (a->encoder)
		st = xnr__path_redact(embed_encoder(a, &s, ctl, &x, &d, err), err);
	else if ((st = xnr_store_run_get(db, a->run, &run, err)) == XNR_OK &&
	         (st = xnr_run_hidden_check(&run, err)) == XNR_OK) {
		d = (int)run.hidden_size;
		if (!(x = calloc((size_t)s.n * (size_t)d, sizeof *x)))
			st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
		else
			st = embed_stored(db, a->run, &s, ctl, x, d, err);
	}
	if (st != XNR_OK)
		goto fail;
	t1 = xnr__now_s();
	if ((st = xnr_cosine_pairs(x, s.n, d, (float)a->threshold, (long)a->limit, ctl, &pairs,
	                           &n_pairs, &n_total, err)) != XNR_OK)
		goto fail;
	*result =
	    json_pack("{s:I, s:f, s:I, s:s?, s:I, s:I, s:o, s:{s:f, s:f}}", "run",
	              (json_int_t)a->run, "threshold", a->threshold, "limit", (json_int_t)a->limit,
	              "encoder", a->encoder, "n_sentences", (json_int_t)s.n, "total",
	              (json_int_t)n_total, "pairs", pairs_json(&s, pairs, n_pairs), "timings",
	              "embed_s", t1 - t0, "pairs_s", xnr__now_s() - t1);
	if (!*result)
		st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
fail:
	free(pairs);
	free(x);
	sents_free(&s);
	xnr_run_free(&run);
	xnr_store_close(db);
	return st;
}

static enum xnr_status dup_parse(const json_t *body, struct dup_args *a, const char **encoder,
                                 struct xnr_error *err)
{
	static const char *const allowed[] = {"threshold", "limit", "encoder", NULL};
	json_t *enc = json_object_get(body, "encoder");
	enum xnr_status st;

	if ((st = xnr__body_allow(body, allowed, err)) != XNR_OK ||
	    (st = xnr__body_real(body, "threshold", 0, 1, 0.95, &a->threshold, err)) != XNR_OK ||
	    (st = xnr__body_int(body, "limit", 1, 10000, 200, &a->limit, err)) != XNR_OK)
		return st;
	*encoder = NULL;
	if (enc && !json_is_null(enc) &&
	    (!json_is_string(enc) || !json_string_length(enc) ||
	     strlen(json_string_value(enc)) != json_string_length(enc)))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "body field encoder: wants null or the path of a model folder");
	if (enc && json_is_string(enc))
		*encoder = json_string_value(enc);
	return XNR_OK;
}

static enum xnr_status api_duplicates(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	struct dup_args q = {0}, *a;
	const char *encoder = NULL;
	char real[PATH_MAX], key[PATH_MAX + 128];
	struct xnr_run run;
	enum xnr_status st;

	if ((st = dup_parse(xnr__body_or_empty(r), &q, &encoder, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	xnr_run_free(&run);
	if (encoder && ((st = xnr__local_only(r->app, "body field encoder", err)) != XNR_OK ||
	                (st = xnr__path_check(r->app, "body field encoder", encoder, XNR__PATH_DIR,
	                                      err)) != XNR_OK))
		return st;
	if (encoder && !realpath(encoder, real))
		return xnr_fail(err, XNR_ERR_INPUT, "body field encoder %s: gone", encoder);
	q.app = r->app;
	q.run = r->ids[0];
	snprintf(key, sizeof key, "duplicates run=%lld threshold=%.17g limit=%lld encoder=%s",
	         (long long)q.run, q.threshold, (long long)q.limit, encoder ? real : "");
	if (!(a = malloc(sizeof *a)))
		return xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	*a = q;
	a->db_path = strdup(r->app->db_path);
	a->encoder = encoder ? strdup(real) : NULL;
	if (!a->db_path || (encoder && !a->encoder)) {
		dup_free(a);
		return xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
	}
	return xnr__job_answer(r, "duplicates", key, q.run, dup_job, a, dup_free, out, err);
}

static const struct xnr__route routes[] = {
    {"POST", "/api/v1/runs/{id}/duplicates", api_duplicates, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(duplicates, routes);
