/*
 * api_metrics.c - the Metrics, Misclassified and Loss pages' data:
 * GET /api/v1/runs/{id}/metrics (seqeval default and strict reports, token
 * confusion matrix, entity error taxonomy, nervaluate), .../metrics/examples
 * (the sentences behind one taxonomy cell), .../confusions (misclassified
 * (gold, predicted) word pairs), .../loss/words and .../loss/labels (loss
 * grouped by word, sub-token or gold label, paged and sorted), and
 * POST /api/v1/runs/{id}/sentences (api_sentences.c's handler, ids in a body).
 *
 * The computations are the report module's (report/report.h, what
 * `explainer report --json` prints); this file only parses parameters and
 * keeps the results. Runs are immutable, so each run's results are computed
 * once and kept in a small map (CACHE_RUNS runs, least recently used
 * dropped): entries are reference counted, so a request keeps using its
 * entry while another request drops it from the map.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "server/internal.h"

#define CACHE_RUNS    4    /* runs whose results stay in memory */
#define LOSS_PAGE_MAX 1000 /* groups in one loss page */
#define TOP_WORDS     5    /* words listed per confusion by default */
#define TOP_WORDS_MAX 50
#define OFFSET_MAX    1000000000

enum table { TABLE_WORD, TABLE_TOKEN, TABLE_LABEL, TABLE_N };

/* One run's results; each is NULL until a request computes it, then fixed. */
struct entry {
	char *db_path;
	int64_t run;
	int refs;           /* the map's reference plus one per request using it */
	uint64_t used;      /* tick of the last use, for dropping the oldest */
	json_t *metrics;    /* xnr_run_metrics_json */
	json_t *cells;      /* {"<TYPE>": {"<kind>": [sentence ids]}} */
	json_t *confusions; /* xnr_report_confusions with TOP_WORDS */
	struct xnr_loss_table *tables[TABLE_N];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *map[CACHE_RUNS];
static uint64_t ticks;

static void entry_free(struct entry *e)
{
	int t;

	free(e->db_path);
	json_decref(e->metrics);
	json_decref(e->cells);
	json_decref(e->confusions);
	for (t = 0; t < TABLE_N; t++)
		xnr_loss_table_free(e->tables[t]);
	free(e);
}

/* Drop one reference; the caller holds the lock. */
static void entry_unref_locked(struct entry *e)
{
	if (--e->refs == 0)
		entry_free(e);
}

static void entry_release(struct entry *e)
{
	pthread_mutex_lock(&lock);
	entry_unref_locked(e);
	pthread_mutex_unlock(&lock);
}

/* The entry of (db_path, run), made (replacing the least recently used) if
 * missing, with a reference for the caller (entry_release). NULL: no memory. */
static struct entry *entry_get(const char *db_path, int64_t run)
{
	struct entry *e = NULL;
	size_t i, slot = 0;

	pthread_mutex_lock(&lock);
	for (i = 0; i < CACHE_RUNS; i++) {
		if (map[i] && map[i]->run == run && strcmp(map[i]->db_path, db_path) == 0) {
			e = map[i];
			break;
		}
		if (!map[i] || (map[slot] && map[i]->used < map[slot]->used))
			slot = i;
	}
	if (!e && (e = calloc(1, sizeof *e)) != NULL) {
		if (!(e->db_path = strdup(db_path))) {
			free(e);
			e = NULL;
		} else {
			e->run = run;
			e->refs = 1;
			if (map[slot])
				entry_unref_locked(map[slot]);
			map[slot] = e;
		}
	}
	if (e) {
		e->refs++;
		e->used = ++ticks;
	}
	pthread_mutex_unlock(&lock);
	return e;
}

/* Keep v in *slot unless another request was first; either way *slot is the
 * value to use (a reference the entry owns). */
static json_t *publish_json(json_t **slot, json_t *v)
{
	json_t *kept;

	pthread_mutex_lock(&lock);
	if (!*slot)
		*slot = v;
	else
		json_decref(v);
	kept = *slot;
	pthread_mutex_unlock(&lock);
	return kept;
}

static json_t *cached_json(json_t *const *slot)
{
	json_t *v;

	pthread_mutex_lock(&lock);
	v = *slot;
	pthread_mutex_unlock(&lock);
	return v;
}

static struct xnr_loss_table *publish_table(struct entry *e, enum table t, struct xnr_loss_table *v)
{
	struct xnr_loss_table *kept;

	pthread_mutex_lock(&lock);
	if (!e->tables[t])
		e->tables[t] = v;
	else
		xnr_loss_table_free(v);
	kept = e->tables[t];
	pthread_mutex_unlock(&lock);
	return kept;
}

static struct xnr_loss_table *cached_table(struct entry *e, enum table t)
{
	struct xnr_loss_table *v;

	pthread_mutex_lock(&lock);
	v = e->tables[t];
	pthread_mutex_unlock(&lock);
	return v;
}

/* ---- taxonomy cells: which sentences hold each (type, error kind) ---- */

/* Append sentence sid to cells[type][kind]. -1 when out of memory. */
static int cell_add(json_t *cells, const char *type, enum xnr_err_kind kind, size_t sid)
{
	json_t *row = json_object_get(cells, type), *ids;

	if (!row && json_object_set_new(cells, type, row = json_object()) != 0)
		return -1;
	ids = json_object_get(row, xnr_err_kind_str(kind));
	if (!ids && json_object_set_new(row, xnr_err_kind_str(kind), ids = json_array()) != 0)
		return -1;
	return json_array_append_new(ids, json_integer((json_int_t)sid));
}

/* The taxonomy of one sentence's entities (the report's matching is per
 * sentence, so a slice gives that sentence's share of the table). */
static enum xnr_status cells_sentence(const struct xnr_run_view *v, const struct xnr_entities *g,
                                      const struct xnr_entities *p, size_t sid, json_t *cells,
                                      struct xnr_error *err)
{
	struct xnr_taxonomy tax;
	size_t n_types = xnr_tagset_n_types(v->tags), t;
	enum xnr_status st;
	int k;

	memset(&tax, 0, sizeof tax);
	if ((st = xnr_taxonomy_compute(g, p, n_types, &tax, err)) != XNR_OK)
		return st;
	for (t = 0; t < n_types; t++)
		for (k = 0; k < XNR_ERRK_COUNT; k++)
			if (tax.counts[t][k] > 0 &&
			    cell_add(cells, xnr_tagset_type(v->tags, (uint32_t)t),
			             (enum xnr_err_kind)k, sid) != 0) {
				xnr_taxonomy_free(&tax);
				return xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
			}
	xnr_taxonomy_free(&tax);
	return XNR_OK;
}

/* Walk the default-mode entities (sorted by sentence) sentence by sentence. */
static enum xnr_status cells_compute(const struct xnr_run_view *v, const struct xnr_run_metrics *m,
                                     json_t **out, struct xnr_error *err)
{
	const struct xnr_entities *gold = &m->def.gold, *pred = &m->def.pred;
	struct xnr_entities g, p;
	json_t *cells = json_object();
	size_t ig = 0, ip = 0, sid;
	enum xnr_status st = XNR_OK;

	if (!cells)
		return xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
	while (st == XNR_OK && (ig < gold->n || ip < pred->n)) {
		sid = ig < gold->n ? gold->v[ig].sent : pred->v[ip].sent;
		if (ip < pred->n && pred->v[ip].sent < sid)
			sid = pred->v[ip].sent;
		memset(&g, 0, sizeof g);
		memset(&p, 0, sizeof p);
		for (g.v = gold->v + ig; ig < gold->n && gold->v[ig].sent == sid; ig++)
			g.n++;
		for (p.v = pred->v + ip; ip < pred->n && pred->v[ip].sent == sid; ip++)
			p.n++;
		st = cells_sentence(v, &g, &p, sid, cells, err);
	}
	if (st != XNR_OK) {
		json_decref(cells);
		return st;
	}
	*out = cells;
	return XNR_OK;
}

/* ---- what needs the run view: metrics, taxonomy cells, label losses ---- */

static enum xnr_status view_results(struct xnr__req *r, struct entry *e, struct xnr_error *err)
{
	struct xnr_run_view *v = NULL;
	struct xnr_run_metrics m;
	struct xnr_loss_table *labels = NULL;
	json_t *metrics = NULL, *cells = NULL;
	enum xnr_status st;

	if (cached_json(&e->metrics) && cached_json(&e->cells) && cached_table(e, TABLE_LABEL))
		return XNR_OK;
	memset(&m, 0, sizeof m);
	if ((st = xnr_run_view_load(r->store, e->run, &v, err)) != XNR_OK ||
	    (st = xnr_run_metrics_compute(v, &m, err)) != XNR_OK ||
	    (st = xnr_run_metrics_json(v, &m, &metrics, err)) != XNR_OK ||
	    (st = cells_compute(v, &m, &cells, err)) != XNR_OK ||
	    (st = xnr_loss_table_labels(v, &labels, err)) != XNR_OK)
		goto fail;
	publish_json(&e->metrics, metrics);
	publish_json(&e->cells, cells);
	publish_table(e, TABLE_LABEL, labels);
	xnr_run_metrics_free(&m);
	xnr_run_view_free(v);
	return XNR_OK;
fail:
	json_decref(metrics);
	json_decref(cells);
	xnr_loss_table_free(labels);
	xnr_run_metrics_free(&m);
	xnr_run_view_free(v);
	return st;
}

/* Check the query and the run, and take the run's cache entry. */
static enum xnr_status begin(struct xnr__req *r, const char *const *allowed, struct entry **e,
                             struct xnr_error *err)
{
	struct xnr_run run;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	xnr_run_free(&run);
	if (!(*e = entry_get(r->app->db_path, r->ids[0])))
		return xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
	return XNR_OK;
}

/* A deep copy of a cached value: the caller owns and may change the answer. */
static enum xnr_status answer_copy(const json_t *v, json_t **out, struct xnr_error *err)
{
	if (!(*out = json_deep_copy(v)))
		return xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
	return XNR_OK;
}

static enum xnr_status api_metrics(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct entry *e;
	enum xnr_status st;

	if ((st = begin(r, allowed, &e, err)) != XNR_OK)
		return st;
	if ((st = view_results(r, e, err)) == XNR_OK)
		st = answer_copy(cached_json(&e->metrics), out, err);
	entry_release(e);
	return st;
}

/* The short names of the taxonomy's kinds, in enum xnr_err_kind order. */
static const char *const kind_names[] = {"correct", "type",     "boundary", "type_boundary",
                                         "missed",  "spurious", NULL};

static enum xnr_status api_examples(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {"type", "kind", NULL};
	const char *type = xnr__query_get(&r->query, "type");
	struct entry *e;
	json_t *ids;
	int kind;
	enum xnr_status st;

	if ((st = begin(r, allowed, &e, err)) != XNR_OK)
		return st;
	if ((st = xnr__query_choice(&r->query, "kind", kind_names, 0, &kind, err)) != XNR_OK)
		goto done;
	if (!type) {
		st = xnr_fail(err, XNR_ERR_INPUT, "type: which entity type (like type=PER)");
		goto done;
	}
	if ((st = view_results(r, e, err)) != XNR_OK)
		goto done;
	if (!json_object_get(json_object_get(cached_json(&e->metrics), "entity_errors"), type)) {
		st = xnr_fail(err, XNR_ERR_INPUT, "type: run %lld has no entity type '%.64s'",
		              (long long)r->ids[0], type);
		goto done;
	}
	ids = json_object_get(json_object_get(cached_json(&e->cells), type),
	                      xnr_err_kind_str((enum xnr_err_kind)kind));
	*out = json_pack("{s:s,s:s,s:I,s:o}", "type", type, "kind", kind_names[kind], "total",
	                 (json_int_t)json_array_size(ids), "ids",
	                 ids ? json_deep_copy(ids) : json_array());
	st = *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
done:
	entry_release(e);
	return st;
}

/* ---- misclassified (gold, predicted) pairs ---- */

static enum xnr_status api_confusions(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {"top_words", NULL};
	struct entry *e;
	json_t *pairs = NULL;
	int64_t top;
	enum xnr_status st;

	if ((st = begin(r, allowed, &e, err)) != XNR_OK)
		return st;
	if ((st = xnr__query_int(&r->query, "top_words", 0, TOP_WORDS_MAX, TOP_WORDS, &top, err)) !=
	    XNR_OK)
		goto done;
	if (top == TOP_WORDS && (pairs = cached_json(&e->confusions)) != NULL) {
		pairs = json_deep_copy(pairs);
	} else {
		if ((st = xnr_report_confusions(r->store, e->run, (int)top, &pairs, err)) != XNR_OK)
			goto done;
		if (top == TOP_WORDS)
			pairs = json_deep_copy(publish_json(&e->confusions, pairs));
	}
	*out = json_pack("{s:I,s:o}", "total", (json_int_t)json_array_size(pairs), "items", pairs);
	st = *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "confusions: out of memory");
done:
	entry_release(e);
	return st;
}

/* ---- loss groups ---- */

static const char *const by_names[] = {"word", "token", NULL};
static const char *const sort_names[] = {"sum", "mean", "median", "count", "text", NULL};
static const char *const order_names[] = {"desc", "asc", NULL};

/* The library's page with "key" renamed "text" and "groups" renamed "items",
 * the shape every paged endpoint of the API has. */
static enum xnr_status page_reshape(json_t *page, struct xnr_error *err)
{
	json_t *groups = json_object_get(page, "groups"), *g;
	size_t i;

	json_array_foreach(groups, i,
	                   g) if (json_object_set(g, "text", json_object_get(g, "key")) != 0 ||
	                          json_object_del(g, "key") !=
	                              0) return xnr_fail(err, XNR_ERR_NOMEM, "loss: out of memory");
	if (json_object_set(page, "items", groups) != 0 || json_object_del(page, "groups") != 0)
		return xnr_fail(err, XNR_ERR_NOMEM, "loss: out of memory");
	if (json_object_get(page, "sort") &&
	    strcmp(json_string_value(json_object_get(page, "sort")), "key") == 0 &&
	    json_object_set_new(page, "sort", json_string("text")) != 0)
		return xnr_fail(err, XNR_ERR_NOMEM, "loss: out of memory");
	return XNR_OK;
}

static enum xnr_status page_answer(const struct xnr_loss_table *t, const struct xnr_loss_page *p,
                                   json_t **out, struct xnr_error *err)
{
	json_t *page = NULL;
	enum xnr_status st;

	if ((st = xnr_loss_table_page(t, p, &page, err)) != XNR_OK ||
	    (st = page_reshape(page, err)) != XNR_OK) {
		json_decref(page);
		return st;
	}
	*out = page;
	return XNR_OK;
}

/* sort=text defaults to ascending (A to Z), the numbers to descending. */
static enum xnr_status loss_page_parse(const struct xnr__query *q, struct xnr_loss_page *p,
                                       struct xnr_error *err)
{
	int sort, order;
	int64_t limit, offset;
	enum xnr_status st;

	if ((st = xnr__query_choice(q, "sort", sort_names, 0, &sort, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "order", order_names, sort == XNR_LOSS_SORT_KEY, &order,
	                            err)) != XNR_OK ||
	    (st = xnr__query_int(q, "limit", 1, LOSS_PAGE_MAX, 50, &limit, err)) != XNR_OK ||
	    (st = xnr__query_int(q, "offset", 0, OFFSET_MAX, 0, &offset, err)) != XNR_OK)
		return st;
	*p = xnr_loss_page_default();
	p->sort = (enum xnr_loss_sort)sort;
	p->ascending = order == 1;
	p->limit = (long)limit;
	p->offset = (long)offset;
	p->filter = xnr__query_get(q, "q");
	return XNR_OK;
}

static enum xnr_status api_loss_words(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {"by", "sort", "order", "limit", "offset", "q", NULL};
	struct xnr_loss_table *t = NULL;
	struct xnr_loss_page p;
	struct entry *e;
	int by;
	enum xnr_status st;

	if ((st = begin(r, allowed, &e, err)) != XNR_OK)
		return st;
	if ((st = xnr__query_choice(&r->query, "by", by_names, 0, &by, err)) != XNR_OK ||
	    (st = loss_page_parse(&r->query, &p, err)) != XNR_OK)
		goto done;
	if (!(t = cached_table(e, (enum table)by))) {
		if ((st = xnr_loss_table_load(r->store, e->run,
		                              by ? XNR_LOSS_BY_TOKEN : XNR_LOSS_BY_WORD, &t,
		                              err)) != XNR_OK)
			goto done;
		t = publish_table(e, (enum table)by, t);
	}
	st = page_answer(t, &p, out, err);
done:
	entry_release(e);
	return st;
}

/* Every label, by mean loss descending (a short table: no paging). */
static enum xnr_status api_loss_labels(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct xnr_loss_page p = xnr_loss_page_default();
	struct entry *e;
	enum xnr_status st;

	if ((st = begin(r, allowed, &e, err)) != XNR_OK)
		return st;
	p.sort = XNR_LOSS_SORT_MEAN;
	p.limit = -1;
	if ((st = view_results(r, e, err)) == XNR_OK)
		st = page_answer(cached_table(e, TABLE_LABEL), &p, out, err);
	entry_release(e);
	return st;
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/metrics", api_metrics, NULL},
    {"GET", "/api/v1/runs/{id}/metrics/examples", api_examples, NULL},
    {"GET", "/api/v1/runs/{id}/confusions", api_confusions, NULL},
    {"GET", "/api/v1/runs/{id}/loss/words", api_loss_words, NULL},
    {"GET", "/api/v1/runs/{id}/loss/labels", api_loss_labels, NULL},
    /* The sentences endpoint (api_sentences.c) with its ids in a JSON body,
     * for lists longer than a query string holds (Hidden States, duplicates). */
    {"POST", "/api/v1/runs/{id}/sentences", xnr__api_sentences, NULL},
};

const struct xnr__route *xnr__routes_metrics(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
