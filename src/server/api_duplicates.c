/*
 * api_duplicates.c - POST /api/v1/runs/{id}/duplicates: the Find Duplicates
 * page. A job (dups_load.c reads the sentences, their words and gold
 * labels, and their vectors; reduce/dups.h finds the pairs) that answers the
 * clusters of near-duplicate sentences, annotation inconsistencies ("same
 * text, different labels") first. Lexical by default: word 1- and 2-gram
 * Jaccard, ranked with the vectors' cosine; `mode: "vectors"` is
 * ExplaiNER's find_duplicates (cosine of every pair); `reference` searches
 * across two runs (train vs test leakage).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/dups_load.h"

#define VARIANTS_MAX 50 /* variants listed per cluster */
#define IDS_MAX      20 /* sentence ids listed per variant */
#define PAIRS_MAX    50 /* pairs listed per cluster */
#define DIFF_MAX     64 /* label disagreements listed per pair */

struct dup_args {
	struct xnr__app *app;
	char *db_path;
	char *encoder; /* a model folder (real path), or NULL: the stored hidden states */
	int64_t run, reference, limit, seed, ngram;
	double threshold;
	int mode, method, trivial, vectors;
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

/* Rounded to four decimals (the page shows three): the last bits of a float sum say nothing. */
static json_t *real4(double x)
{
	return isnan(x) ? json_null() : json_real(round(x * 1e4) / 1e4);
}

/* The doc's words (gold 0) or gold label names (gold 1, null for none). */
static json_t *words_json(const struct xnr__dup_load *l, long doc, int gold)
{
	const struct xnr_dup_doc *d = &l->docs[doc];
	json_t *all = json_array(), *w;

	for (int i = 0; all && i < d->n_words; i++) {
		int k = d->gold[i];
		w = !gold                       ? xnr__json_text(d->words[i], -1)
		    : k >= 0 && k < l->n_labels ? xnr__json_text(l->labels[k], -1)
		                                : json_null();
		if (json_array_append_new(all, w)) {
			json_decref(all);
			return NULL;
		}
	}
	return all;
}

/* The cluster's i-th listed variant: its run, first ids, copies, text, and
 * its words with their gold labels. */
static json_t *variant_json(const struct dup_args *a, const struct xnr__dup_load *l,
                            const struct xnr_dups *r, long v)
{
	long n = r->var_first[v + 1] - r->var_first[v], doc = r->var_docs[r->var_first[v]];
	json_t *ids = json_array();

	for (long i = 0; ids && i < n && i < IDS_MAX; i++)
		if (json_array_append_new(ids,
		                          json_integer(l->ids[r->var_docs[r->var_first[v] + i]]))) {
			json_decref(ids);
			return NULL;
		}
	return json_pack("{s:I, s:o, s:I, s:s, s:o, s:o}", "run",
	                 (json_int_t)(r->var_side[v] ? a->reference : a->run), "ids", ids, "n",
	                 (json_int_t)n, "text", l->texts[doc], "words", words_json(l, doc, 0),
	                 "gold", words_json(l, doc, 1));
}

/* [[word in a, word in b], ...] where the two representatives' gold labels differ. */
static json_t *diff_json(const struct xnr__dup_load *l, long doc_a, long doc_b)
{
	int pos[2 * DIFF_MAX],
	    n = xnr_dup_label_diff(&l->docs[doc_a], &l->docs[doc_b], pos, DIFF_MAX);
	json_t *d = json_array();

	for (int i = 0; d && i < n && i < DIFF_MAX; i++)
		if (json_array_append_new(d, json_pack("[i, i]", pos[2 * i], pos[2 * i + 1]))) {
			json_decref(d);
			return NULL;
		}
	if (n < 0) {
		json_decref(d);
		return NULL;
	}
	return d;
}

/* Where variant v is in the cluster's list, or -1 when it is not listed. */
static long listed(const struct xnr_dups *r, const struct xnr_dup_cluster *c, long v)
{
	for (long k = 0; k < c->n_variants && k < VARIANTS_MAX; k++)
		if (r->variants[c->first_variant + k] == v)
			return k;
	return -1;
}

static json_t *pair_json(const struct xnr__dup_load *l, const struct xnr_dups *r,
                         const struct xnr_dup_cluster *c, const struct xnr_dup_pair *p)
{
	long a = listed(r, c, p->a), b = listed(r, c, p->b);

	if (a < 0 || b < 0)
		return json_null();
	if (a > b) {
		long t = a;
		a = b, b = t;
	}
	long da = r->var_docs[r->var_first[r->variants[c->first_variant + a]]];
	long db = r->var_docs[r->var_first[r->variants[c->first_variant + b]]];
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:b, s:b, s:o}", "a", (json_int_t)a, "b",
	                 (json_int_t)b, "sim", real4(p->score), "jaccard", real4(p->jaccard),
	                 "cosine", real4(p->cosine), "same_text", p->same_text, "conflict",
	                 p->conflict, "label_diff", diff_json(l, da, db));
}

static json_t *cluster_json(const struct dup_args *a, const struct xnr__dup_load *l,
                            const struct xnr_dups *r, const struct xnr_dup_cluster *c)
{
	json_t *vars = json_array(), *pairs = json_array(), *v;
	long i;

	for (i = 0; vars && i < c->n_variants && i < VARIANTS_MAX; i++)
		if (!(v = variant_json(a, l, r, r->variants[c->first_variant + i])) ||
		    json_array_append_new(vars, v))
			goto fail;
	for (i = 0; pairs && i < c->n_pairs && json_array_size(pairs) < PAIRS_MAX; i++) {
		if (!(v = pair_json(l, r, c, &r->pairs[c->first_pair + i])))
			goto fail;
		if (json_is_null(v))
			json_decref(v);
		else if (json_array_append_new(pairs, v))
			goto fail;
	}
	if (!vars || !pairs)
		goto fail;
	return json_pack("{s:I, s:o, s:b, s:I, s:I, s:o, s:o}", "size", (json_int_t)c->n_docs,
	                 "score", real4(c->best), "conflict", c->conflict, "n_variants",
	                 (json_int_t)c->n_variants, "n_pairs", (json_int_t)c->n_pairs, "variants",
	                 vars, "pairs", pairs);
fail:
	json_decref(vars);
	json_decref(pairs);
	return NULL;
}

static json_t *clusters_json(const struct dup_args *a, const struct xnr__dup_load *l,
                             const struct xnr_dups *r)
{
	json_t *all = json_array(), *c;

	for (long i = 0; all && i < r->n_clusters && i < a->limit; i++)
		if (!(c = cluster_json(a, l, r, &r->clusters[i])) ||
		    json_array_append_new(all, c)) {
			json_decref(all);
			return NULL;
		}
	return all;
}

static const char *const modes[] = {"lexical", "vectors", NULL};
static const char *const methods[] = {"auto", "exact", "lsh", NULL};

static json_t *result_json(const struct dup_args *a, const struct xnr__dup_load *l,
                           const struct xnr_dups *r, int vectors, const double *t)
{
	long n_conflicts = 0;

	for (long i = 0; i < r->n_pairs; i++)
		n_conflicts += r->pairs[i].conflict;
	return json_pack(
	    "{s:I, s:o, s:s, s:f, s:I, s:b, s:b, s:s?, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:I, "
	    "s:I, s:I, s:I, s:o, s:{s:f, s:f, s:f}}",
	    "run", (json_int_t)a->run, "reference",
	    a->reference ? json_integer(a->reference) : json_null(), "mode", modes[a->mode],
	    "threshold", a->threshold, "ngram", (json_int_t)a->ngram, "trivial", a->trivial,
	    "vectors", vectors, "encoder", a->encoder, "method",
	    r->method < 0 ? "cosine" : methods[r->method], "lsh",
	    r->method == XNR_DUP_LSH ? json_pack("{s:i, s:i, s:I}", "bands", XNR_DUP_BANDS, "rows",
	                                         XNR_DUP_ROWS, "seed", (json_int_t)a->seed)
	                             : json_null(),
	    "limit", (json_int_t)a->limit, "n_sentences", (json_int_t)l->n_run, "n_reference",
	    (json_int_t)(l->n - l->n_run), "n_trivial", (json_int_t)r->n_trivial, "n_variants",
	    (json_int_t)r->n_variants, "n_candidates", (json_int_t)r->n_candidates, "n_pairs",
	    (json_int_t)r->n_pairs, "n_conflicts", (json_int_t)n_conflicts, "n_clusters",
	    (json_int_t)r->n_clusters, "total", (json_int_t)r->total, "clusters",
	    clusters_json(a, l, r), "timings", "load_s", t[1] - t[0], "embed_s", t[2] - t[1],
	    "pairs_s", t[3] - t[2]);
}

/* The docs' vectors, or none (*x NULL): lexical mode without `vectors`, or
 * when the runs have none that compare (no hidden states, two models). */
static enum xnr_status dup_vectors(const struct dup_args *a, struct xnr_store *db,
                                   const struct xnr__dup_load *l, const struct xnr_ctl *ctl,
                                   float **x, int *d, struct xnr_error *err)
{
	enum xnr_status st;

	*x = NULL;
	if (!a->vectors && a->mode == XNR_DUP_LEXICAL)
		return XNR_OK;
	if (a->encoder)
		return xnr__path_redact(
		    xnr__dup_encoder_vectors(a->app, a->encoder, l, ctl, x, d, err), err);
	st = xnr__dup_stored_vectors(db, l, ctl, x, d, err);
	if (a->mode == XNR_DUP_LEXICAL && (st == XNR_ERR_INPUT || st == XNR_ERR_MISMATCH)) {
		xnr_error_clear(err);
		return XNR_OK;
	}
	return st;
}

static enum xnr_status dup_job(void *arg, const struct xnr_ctl *ctl, json_t **result,
                               struct xnr_error *err)
{
	const struct dup_args *a = arg;
	struct xnr_dup_params p = xnr_dup_default_params();
	struct xnr__dup_load l = {0};
	struct xnr_dups r = {0};
	struct xnr_store *db = NULL;
	double t[4] = {xnr__now_s(), 0, 0, 0};
	float *x = NULL;
	int d = 0;
	enum xnr_status st;

	if ((st = xnr_store_open_read(a->db_path, &db, err)) != XNR_OK ||
	    (st = xnr__dup_load(db, a->run, a->reference, ctl, &l, err)) != XNR_OK)
		goto fail;
	t[1] = xnr__now_s();
	if ((st = dup_vectors(a, db, &l, ctl, &x, &d, err)) != XNR_OK)
		goto fail;
	t[2] = xnr__now_s();
	p.mode = (enum xnr_dup_mode)a->mode;
	p.method = (enum xnr_dup_method)a->method;
	p.ngram = (int)a->ngram;
	p.threshold = a->threshold;
	p.seed = (uint64_t)a->seed;
	p.keep_trivial = a->trivial;
	p.cross = a->reference != 0;
	if ((st = xnr_dups_find(l.docs, l.n, x, d, &p, ctl, &r, err)) != XNR_OK)
		goto fail;
	t[3] = xnr__now_s();
	if (!(*result = result_json(a, &l, &r, x != NULL, t)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "duplicates: out of memory");
fail:
	xnr_dups_free(&r);
	free(x);
	xnr__dup_load_free(&l);
	xnr_store_close(db);
	return st;
}

/* An optional JSON boolean field (absent or null: def). */
static enum xnr_status body_bool(const json_t *body, const char *name, int def, int *out,
                                 struct xnr_error *err)
{
	const json_t *v = json_object_get(body, name);

	if (!v || json_is_null(v))
		*out = def;
	else if (json_is_boolean(v))
		*out = json_is_true(v);
	else
		return xnr_fail(err, XNR_ERR_INPUT, "body field %s: wants true or false", name);
	return XNR_OK;
}

/* Lexical similarity below 0.3 pairs sentences that share a word or two: the
 * candidates grow quadratically and LSH misses them anyway. */
#define LEXICAL_MIN 0.3

static enum xnr_status dup_parse(const json_t *body, struct dup_args *a, const char **encoder,
                                 struct xnr_error *err)
{
	static const char *const allowed[] = {"threshold", "limit",     "encoder", "mode",
	                                      "method",    "ngram",     "seed",    "trivial",
	                                      "vectors",   "reference", NULL};
	enum xnr_status st;

	if ((st = xnr__body_allow(body, allowed, err)) != XNR_OK ||
	    (st = xnr__body_choice(body, "mode", modes, 0, &a->mode, err)) != XNR_OK ||
	    (st = xnr__body_real(body, "threshold", 0, 1, a->mode ? 0.95 : 0.5, &a->threshold,
	                         err)) != XNR_OK ||
	    (st = xnr__body_int(body, "limit", 1, 10000, 200, &a->limit, err)) != XNR_OK ||
	    (st = xnr__body_int(body, "ngram", 1, 3, 2, &a->ngram, err)) != XNR_OK ||
	    (st = xnr__body_choice(body, "method", methods, 0, &a->method, err)) != XNR_OK ||
	    (st = xnr__body_int(body, "seed", 0, INT64_MAX, 1, &a->seed, err)) != XNR_OK ||
	    (st = xnr__body_int(body, "reference", 0, INT64_MAX, 0, &a->reference, err)) !=
	        XNR_OK ||
	    (st = body_bool(body, "trivial", 0, &a->trivial, err)) != XNR_OK ||
	    (st = body_bool(body, "vectors", 1, &a->vectors, err)) != XNR_OK ||
	    (st = xnr__body_str(body, "encoder", encoder, err)) != XNR_OK)
		return st;
	if (a->mode == XNR_DUP_LEXICAL && a->threshold < LEXICAL_MIN)
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "body field threshold: wants a number from %.1f to 1 in lexical mode "
		    "(a Jaccard similarity of word n-grams)",
		    LEXICAL_MIN);
	if (a->threshold <= 0)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "body field threshold: wants a number above 0, up to 1");
	if (*encoder && !**encoder)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "body field encoder: wants null or the path of a model folder");
	return XNR_OK;
}

/* The reference run must exist and be another run. */
static enum xnr_status check_reference(struct xnr__req *r, int64_t ref, struct xnr_error *err)
{
	struct xnr_run run;
	enum xnr_status st;

	if (!ref)
		return XNR_OK;
	if (ref == r->ids[0])
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "body field reference: run %lld is the run itself (give another run, "
		    "or null)",
		    (long long)ref);
	if ((st = xnr_store_run_get(r->store, ref, &run, err)) == XNR_OK)
		xnr_run_free(&run);
	return st;
}

static enum xnr_status api_duplicates(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	struct dup_args q = {0}, *a;
	const char *encoder = NULL;
	char real[PATH_MAX], key[PATH_MAX + 256];
	struct xnr_run run;
	enum xnr_status st;

	if ((st = dup_parse(xnr__body_or_empty(r), &q, &encoder, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	xnr_run_free(&run);
	if ((st = check_reference(r, q.reference, err)) != XNR_OK)
		return st;
	if (encoder && ((st = xnr__local_only(r->app, "body field encoder", err)) != XNR_OK ||
	                (st = xnr__path_check(r->app, "body field encoder", encoder, XNR__PATH_DIR,
	                                      err)) != XNR_OK))
		return st;
	if (encoder && !realpath(encoder, real))
		return xnr_fail(err, XNR_ERR_INPUT, "body field encoder %s: gone", encoder);
	q.app = r->app;
	q.run = r->ids[0];
	snprintf(key, sizeof key,
	         "duplicates run=%lld reference=%lld mode=%d method=%d ngram=%lld "
	         "threshold=%.17g trivial=%d vectors=%d seed=%lld limit=%lld encoder=%s",
	         (long long)q.run, (long long)q.reference, q.mode, q.method, (long long)q.ngram,
	         q.threshold, q.trivial, q.vectors, (long long)q.seed, (long long)q.limit,
	         encoder ? real : "");
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
