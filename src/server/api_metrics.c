/*
 * api_metrics.c - the Metrics, Misclassified and Loss pages' data:
 * GET /api/v1/runs/{id}/metrics (seqeval default and strict reports, token
 * confusion matrix, entity error taxonomy, nervaluate), .../metrics/examples
 * (the sentences behind one taxonomy cell), .../confusions (misclassified
 * (gold, predicted) word pairs), .../loss/words and .../loss/labels (loss
 * grouped by word, sub-token or gold label, paged and sorted), .../calibration
 * (reliability bins and expected calibration error of words and entities).
 *
 * The computations are the report module's (report/report.h, what
 * `explainer report --json` prints); this file only parses parameters and
 * keeps the results. Runs are immutable, so each run's results are computed
 * once and kept in the server's cache of results per run (cache.c), which
 * the jobs of the run share; a request holds the run's entry while it reads.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/calibration.h"
#include "report/report.h"
#include "server/internal.h"

#define LOSS_PAGE_MAX 1000                     /* groups in one loss page */
#define TOP_WORDS     XNR_KEPT_CONFUSION_WORDS /* words listed per confusion by default */
#define TOP_WORDS_MAX 50
#define OFFSET_MAX    1000000000

/* The results kept in the run's cache entry (cache.c), by name: the metrics
 * JSON (xnr_run_metrics_json), the taxonomy cells ({"<TYPE>": {"<kind>":
 * [sentence, start, end, ...]}}: each entity's words), the confusions with
 * TOP_WORDS, and the loss tables. */
#define KEY_METRICS    XNR_KEPT_METRICS
#define KEY_CELLS      "metrics cells"
#define KEY_CONFUSIONS XNR_KEPT_CONFUSIONS
#define KEY_CALIB      XNR_KEPT_CALIBRATION /* with CALIB_BINS bins */
#define CALIB_BINS     XNR_REPORT_BINS
enum table { TABLE_WORD, TABLE_TOKEN, TABLE_LABEL, TABLE_N };
static const char *const *const table_keys = xnr_kept_loss_keys; /* by enum table */

/* A request's hold on its run's results. */
struct held {
	struct xnr__app *app;
	struct xnr__req *r;
	struct xnr__cache_entry *e;
	int64_t run;
};

static void json_release(void *v)
{
	json_decref(v);
}

static void table_release(void *v)
{
	xnr_loss_table_free(v);
}

/* ---- results kept in the database (store.h: run_results) ----
 * What the cache holds is also kept in the run's database, under the key
 * and the version that computed it (a new version computes again), so that
 * a fresh server on a run of a million sentences answers at once instead of
 * scanning every word. Best effort: a database that cannot be written (read
 * only, locked by a run) only means the next server computes it too. */

static void db_name(const char *key, char *name, size_t size)
{
	xnr_kept_name(XNR_VERSION, key, name, size);
}

/* The kept text of key, or NULL (malloc'd; *len its length). */
static char *db_find(const struct held *h, const char *key, size_t *len)
{
	struct xnr_error err;
	char name[128];
	void *text = NULL;

	db_name(key, name, sizeof name);
	if (xnr_store_result_get(h->r->store, h->run, name, &text, len, &err) != XNR_OK)
		return NULL;
	return text;
}

static void db_keep(const struct held *h, const char *key, const char *text, size_t len)
{
	struct xnr_store *rw = NULL;
	struct xnr_error err;
	char name[128];

	db_name(key, name, sizeof name);
	if (xnr_store_open(h->app->db_path, 0, &rw, &err) == XNR_OK &&
	    xnr_store_result_put(rw, h->run, name, text, len, &err) != XNR_OK)
		xnr__log("kept results: %s", err.msg);
	xnr_store_close(rw);
}

static json_t *cached_json(const struct held *h, const char *key)
{
	json_t *v = xnr__cache_find(h->app, h->e, key);
	size_t len = 0;
	char *text;

	if (v || !(text = db_find(h, key, &len)))
		return v;
	v = json_loadb(text, len, 0, NULL);
	free(text);
	if (v && !(v = xnr__cache_put(h->app, h->e, key, v, len, json_release)))
		return NULL;
	return v;
}

static struct xnr_loss_table *cached_table(const struct held *h, enum table t)
{
	struct xnr_loss_table *v = xnr__cache_find(h->app, h->e, table_keys[t]);
	struct xnr_error err;
	size_t len = 0;
	char *text;

	if (v || !(text = db_find(h, table_keys[t], &len)))
		return v;
	if (xnr_loss_table_restore(text, len, &v, &err) != XNR_OK)
		v = NULL;
	free(text);
	if (v && !(v = xnr__cache_put(h->app, h->e, table_keys[t], v, xnr_loss_table_bytes(v),
	                              table_release)))
		return NULL;
	return v;
}

/* Keep v (taken) as key, unless another request was first: *kept is the
 * value to use. XNR_ERR_NOMEM when it could not be kept. */
static enum xnr_status keep_json(const struct held *h, const char *key, json_t *v, json_t **kept,
                                 struct xnr_error *err)
{
	/* %.17g: every double reads back as itself */
	char *text = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(17));
	size_t bytes = text ? strlen(text) : 0;

	if (text)
		db_keep(h, key, text, bytes);
	free(text);
	if (!(*kept = xnr__cache_put(h->app, h->e, key, v, bytes, json_release))) {
		json_decref(v);
		return xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
	}
	return XNR_OK;
}

static enum xnr_status keep_table(const struct held *h, enum table t, struct xnr_loss_table *v,
                                  struct xnr_loss_table **kept, struct xnr_error *err)
{
	char *text = NULL;

	if (xnr_loss_table_save(v, &text, err) == XNR_OK)
		db_keep(h, table_keys[t], text, strlen(text));
	free(text);
	if (!(*kept = xnr__cache_put(h->app, h->e, table_keys[t], v, xnr_loss_table_bytes(v),
	                             table_release))) {
		xnr_loss_table_free(v);
		return xnr_fail(err, XNR_ERR_NOMEM, "loss: out of memory");
	}
	return XNR_OK;
}

/* ---- taxonomy cells: the entities of each (type, error kind) ---- */

/* Append entity [start, end) of sentence sid to cells[type][kind], a flat
 * array of (sid, start, end) triples. -1 when out of memory. */
static int cell_add(json_t *cells, const char *type, enum xnr_err_kind kind, uint32_t sid,
                    const struct xnr_entity *e)
{
	json_t *row = json_object_get(cells, type), *v;

	if (!row && json_object_set_new(cells, type, row = json_object()) != 0)
		return -1;
	v = json_object_get(row, xnr_err_kind_str(kind));
	if (!v && json_object_set_new(row, xnr_err_kind_str(kind), v = json_array()) != 0)
		return -1;
	return json_array_append_new(v, json_integer(sid)) ||
	               json_array_append_new(v, json_integer(e->start)) ||
	               json_array_append_new(v, json_integer(e->end))
	           ? -1
	           : 0;
}

/* One sentence's entities into their cells, matched as the report's
 * taxonomy matches them (per sentence, so a slice gives that sentence's
 * share of the table): a pair under the gold type with both spans, a missed
 * gold entity and a spurious prediction alone. */
static enum xnr_status cells_sentence(const struct xnr_run_view *v, const struct xnr_entities *g,
                                      const struct xnr_entities *p, json_t *cells,
                                      struct xnr_error *err)
{
	long *match = malloc((p->n + 1) * sizeof *match);
	unsigned char *paired = calloc(g->n + 1, 1);
	const struct xnr_tagset *tags = v->tags;
	enum xnr_status st = XNR_OK;
	int bad = 0;
	size_t i;

	if (!match || !paired || (st = xnr_taxonomy_match(g, p, match, err)) != XNR_OK)
		goto done;
	for (i = 0; i < p->n && !bad; i++) {
		const struct xnr_entity *e = &p->v[i], *ge = match[i] >= 0 ? &g->v[match[i]] : NULL;
		const char *type = xnr_tagset_type(tags, ge ? ge->type : e->type);
		enum xnr_err_kind k = ge ? xnr_taxonomy_kind(ge, e) : XNR_ERRK_SPURIOUS;
		if (ge) {
			paired[match[i]] = 1;
			bad = cell_add(cells, type, k, e->sent, ge);
		}
		if (!bad && (!ge || k != XNR_ERRK_CORRECT))
			bad = cell_add(cells, type, k, e->sent, e);
	}
	for (i = 0; i < g->n && !bad; i++)
		if (!paired[i])
			bad = cell_add(cells, xnr_tagset_type(tags, g->v[i].type), XNR_ERRK_MISSED,
			               g->v[i].sent, &g->v[i]);
done:
	if (st == XNR_OK && (bad || !match || !paired))
		st = xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
	free(match);
	free(paired);
	return st;
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
		st = cells_sentence(v, &g, &p, cells, err);
	}
	if (st != XNR_OK) {
		json_decref(cells);
		return st;
	}
	*out = cells;
	return XNR_OK;
}

/* ---- what needs the run view: metrics, taxonomy cells, label losses ---- */

/* Compute what needs the view unless want (a cache key, or NULL for the
 * label table) is kept already: each page reads only its own. */
static enum xnr_status view_results(struct xnr__req *r, const struct held *h, const char *want,
                                    struct xnr_error *err)
{
	struct xnr_run_view *v = NULL;
	struct xnr_run_metrics m;
	struct xnr_loss_table *labels = NULL;
	json_t *metrics = NULL, *cells = NULL, *kept;
	enum xnr_status st;

	if (want ? cached_json(h, want) != NULL : cached_table(h, TABLE_LABEL) != NULL)
		return XNR_OK;
	memset(&m, 0, sizeof m);
	if ((st = xnr_run_view_load(r->store, h->run, &v, err)) != XNR_OK ||
	    (st = xnr_run_metrics_compute(v, &m, err)) != XNR_OK ||
	    (st = xnr_run_metrics_json(v, &m, &metrics, err)) != XNR_OK ||
	    (st = cells_compute(v, &m, &cells, err)) != XNR_OK ||
	    (st = xnr_loss_table_labels(v, &labels, err)) != XNR_OK)
		goto fail;
	st = keep_json(h, KEY_METRICS, metrics, &kept, err);
	metrics = NULL;
	if (st == XNR_OK)
		st = keep_json(h, KEY_CELLS, cells, &kept, err);
	cells = NULL;
	if (st == XNR_OK)
		st = keep_table(h, TABLE_LABEL, labels, &labels, err);
	labels = NULL;
fail:
	json_decref(metrics);
	json_decref(cells);
	xnr_loss_table_free(labels);
	xnr_run_metrics_free(&m);
	xnr_run_view_free(v);
	return st;
}

/* Check the query and the run, and hold the run's results (release with
 * xnr__cache_release). */
static enum xnr_status begin(struct xnr__req *r, const char *const *allowed, struct held *h,
                             struct xnr_error *err)
{
	struct xnr_run run;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	xnr_run_free(&run);
	h->app = r->app;
	h->r = r;
	h->run = r->ids[0];
	if (!(h->e = xnr__cache_get(r->app, r->ids[0])))
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
	struct held h;
	enum xnr_status st;

	if ((st = begin(r, allowed, &h, err)) != XNR_OK)
		return st;
	if ((st = view_results(r, &h, KEY_METRICS, err)) == XNR_OK)
		st = answer_copy(cached_json(&h, KEY_METRICS), out, err);
	xnr__cache_release(h.app, h.e);
	return st;
}

/* The short names of the taxonomy's kinds, in enum xnr_err_kind order, and
 * "errors" for every kind but correct. */
static const char *const kind_names[] = {"correct", "type",     "boundary", "type_boundary",
                                         "missed",  "spurious", NULL};
static const char *const error_kind_names[] = {"correct", "type",     "boundary", "type_boundary",
                                               "missed",  "spurious", "errors",   NULL};
#define KINDS_ERRORS (((1u << XNR_ERRK_COUNT) - 1) & ~(1u << XNR_ERRK_CORRECT))

enum xnr_status xnr__error_kinds_param(const struct xnr__query *q, const char *name,
                                       unsigned *kinds, struct xnr_error *err)
{
	enum xnr_status st;
	int k = -1;

	*kinds = 0;
	if ((st = xnr__query_choice(q, name, error_kind_names, -1, &k, err)) != XNR_OK || k < 0)
		return st;
	*kinds = k == XNR_ERRK_COUNT ? KINDS_ERRORS : 1u << k;
	return XNR_OK;
}

void xnr__marks_free(struct xnr__marks *m)
{
	free(m->v);
	free(m->ids);
	memset(m, 0, sizeof *m);
}

const struct xnr__mark *xnr__marks_of(const struct xnr__marks *m, int64_t sid, size_t *n)
{
	size_t lo = 0, hi = m->n, end;

	while (lo < hi) { /* the first mark of sid */
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].sid < sid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < m->n && m->v[end].sid == sid; end++)
		;
	*n = end - lo;
	return m->v + lo;
}

static int by_sid_start(const void *a, const void *b)
{
	const struct xnr__mark *x = a, *y = b;

	if (x->sid != y->sid)
		return x->sid < y->sid ? -1 : 1;
	return (x->start > y->start) - (x->start < y->start);
}

/* Append the triples of one cell to m->v (room made by the caller). */
static void cell_take(struct xnr__marks *m, const json_t *cell)
{
	size_t i;

	for (i = 0; i + 2 < json_array_size(cell); i += 3) {
		struct xnr__mark *k = &m->v[m->n++];
		json_int_t a = json_integer_value(json_array_get(cell, i + 1));
		k->sid = json_integer_value(json_array_get(cell, i));
		k->start = a < 0 ? 0 : (int)a; /* seqeval's stale starts (entities.h) */
		k->end = (int)json_integer_value(json_array_get(cell, i + 2));
	}
}

/* The entities of the cells of type (NULL: every type) and kinds: how many,
 * and appended to m->v when m is not NULL. */
static size_t cells_walk(json_t *cells, const char *type, unsigned kinds, struct xnr__marks *m)
{
	const char *t;
	json_t *row, *cell;
	size_t n = 0;
	int k;

	json_object_foreach(cells, t, row)
	{
		if (type && strcmp(t, type) != 0)
			continue;
		for (k = 0; k < XNR_ERRK_COUNT; k++) {
			if (!(kinds & (1u << k)) ||
			    !(cell = json_object_get(row, xnr_err_kind_str((enum xnr_err_kind)k))))
				continue;
			n += json_array_size(cell) / 3;
			if (m)
				cell_take(m, cell);
		}
	}
	return n;
}

/* The cells of type and kinds of the held run as marks. */
static enum xnr_status cell_marks(const struct held *h, const char *type, unsigned kinds,
                                  struct xnr__marks *out, struct xnr_error *err)
{
	json_t *cells = cached_json(h, KEY_CELLS);
	size_t n = cells_walk(cells, type, kinds, NULL), i;
	struct xnr__marks m = {malloc((n + 1) * sizeof *m.v), 0, malloc((n + 1) * sizeof *m.ids),
	                       0};

	if (!m.v || !m.ids) {
		xnr__marks_free(&m);
		return xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
	}
	cells_walk(cells, type, kinds, &m);
	qsort(m.v, m.n, sizeof *m.v, by_sid_start);
	for (i = 0; i < m.n; i++)
		if (!m.n_ids || m.ids[m.n_ids - 1] != m.v[i].sid)
			m.ids[m.n_ids++] = m.v[i].sid;
	*out = m;
	return XNR_OK;
}

/* The held run's metrics and cells, and type (when not NULL) one of its
 * entity types. */
static enum xnr_status cells_ready(struct xnr__req *r, const struct held *h, const char *param,
                                   const char *type, struct xnr_error *err)
{
	enum xnr_status st;

	if ((st = view_results(r, h, KEY_CELLS, err)) != XNR_OK ||
	    (st = view_results(r, h, KEY_METRICS, err)) != XNR_OK)
		return st;
	if (type &&
	    !json_object_get(json_object_get(cached_json(h, KEY_METRICS), "entity_errors"), type))
		return xnr_fail(err, XNR_ERR_INPUT, "%s: run %lld has no entity type '%.64s'",
		                param, (long long)h->run, type);
	return XNR_OK;
}

enum xnr_status xnr__error_marks(struct xnr__req *r, const char *type, unsigned kinds,
                                 struct xnr__marks *out, struct xnr_error *err)
{
	struct held h;
	enum xnr_status st;

	h.app = r->app;
	h.r = r;
	h.run = r->ids[0];
	if (!(h.e = xnr__cache_get(r->app, h.run)))
		return xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
	if ((st = cells_ready(r, &h, "error_type", type, err)) == XNR_OK)
		st = cell_marks(&h, type, kinds, out, err);
	xnr__cache_release(h.app, h.e);
	return st;
}

static enum xnr_status api_examples(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {"type", "kind", NULL};
	const char *type = xnr__query_get(&r->query, "type");
	struct xnr__marks m = {NULL, 0, NULL, 0};
	json_t *ids = NULL;
	struct held h;
	int kind;
	size_t i;
	enum xnr_status st;

	if ((st = begin(r, allowed, &h, err)) != XNR_OK)
		return st;
	if ((st = xnr__query_choice(&r->query, "kind", kind_names, 0, &kind, err)) != XNR_OK)
		goto done;
	if (!type) {
		st = xnr_fail(err, XNR_ERR_INPUT, "type: which entity type (like type=PER)");
		goto done;
	}
	if ((st = cells_ready(r, &h, "type", type, err)) != XNR_OK ||
	    (st = cell_marks(&h, type, 1u << kind, &m, err)) != XNR_OK)
		goto done;
	for (i = 0, ids = json_array(); ids && i < m.n_ids; i++)
		if (json_array_append_new(ids, json_integer(m.ids[i])) != 0)
			break;
	*out = ids && i == m.n_ids
	           ? json_pack("{s:s,s:s,s:I,s:O}", "type", type, "kind", kind_names[kind], "total",
	                       (json_int_t)m.n_ids, "ids", ids)
	           : NULL;
	st = *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "metrics: out of memory");
done:
	json_decref(ids);
	xnr__marks_free(&m);
	xnr__cache_release(h.app, h.e);
	return st;
}

/* ---- misclassified (gold, predicted) pairs ---- */

static enum xnr_status api_confusions(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {"top_words", NULL};
	struct held h;
	json_t *pairs = NULL;
	int64_t top;
	enum xnr_status st;

	if ((st = begin(r, allowed, &h, err)) != XNR_OK)
		return st;
	if ((st = xnr__query_int(&r->query, "top_words", 0, TOP_WORDS_MAX, TOP_WORDS, &top, err)) !=
	    XNR_OK)
		goto done;
	if (top == TOP_WORDS && (pairs = cached_json(&h, KEY_CONFUSIONS)) != NULL) {
		pairs = json_deep_copy(pairs);
	} else {
		if ((st = xnr_report_confusions(r->store, h.run, (int)top, &pairs, err)) != XNR_OK)
			goto done;
		if (top == TOP_WORDS) {
			if ((st = keep_json(&h, KEY_CONFUSIONS, pairs, &pairs, err)) != XNR_OK)
				goto done;
			pairs = json_deep_copy(pairs);
		}
	}
	*out = json_pack("{s:I,s:o}", "total", (json_int_t)json_array_size(pairs), "items", pairs);
	st = *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "confusions: out of memory");
done:
	xnr__cache_release(h.app, h.e);
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
	struct held h;
	int by;
	enum xnr_status st;

	if ((st = begin(r, allowed, &h, err)) != XNR_OK)
		return st;
	if ((st = xnr__query_choice(&r->query, "by", by_names, 0, &by, err)) != XNR_OK ||
	    (st = loss_page_parse(&r->query, &p, err)) != XNR_OK)
		goto done;
	if (!(t = cached_table(&h, (enum table)by)) &&
	    ((st = xnr_loss_table_load(r->store, h.run, by ? XNR_LOSS_BY_TOKEN : XNR_LOSS_BY_WORD,
	                               &t, err)) != XNR_OK ||
	     (st = keep_table(&h, (enum table)by, t, &t, err)) != XNR_OK))
		goto done;
	st = page_answer(t, &p, out, err);
done:
	xnr__cache_release(h.app, h.e);
	return st;
}

/* GET .../loss/words.csv and .../loss/words.jsonl: every group the grid's
 * filter passes, in its order (the grid's parameters but its paging). */
static enum xnr_status api_loss_export(struct xnr__req *r, struct xnr__resp *out,
                                       struct xnr_error *err)
{
	static const char *const allowed[] = {"by", "sort", "order", "q", NULL};
	struct xnr_loss_table *t = NULL;
	struct xnr_loss_page p;
	struct xnr__export x;
	json_t *page = NULL, *row;
	struct held h;
	size_t i;
	int by;
	enum xnr_status st;

	if ((st = begin(r, allowed, &h, err)) != XNR_OK)
		return st;
	xnr__export_init(&x, r->path);
	if ((st = xnr__query_choice(&r->query, "by", by_names, 0, &by, err)) != XNR_OK ||
	    (st = loss_page_parse(&r->query, &p, err)) != XNR_OK)
		goto done;
	p.limit = -1;
	if (!(t = cached_table(&h, (enum table)by)) &&
	    ((st = xnr_loss_table_load(r->store, h.run, by ? XNR_LOSS_BY_TOKEN : XNR_LOSS_BY_WORD,
	                               &t, err)) != XNR_OK ||
	     (st = keep_table(&h, (enum table)by, t, &t, err)) != XNR_OK))
		goto done;
	if ((st = page_answer(t, &p, &page, err)) != XNR_OK)
		goto done;
	xnr__export_head(
	    &x, json_pack("{s:n,s:n,s:n,s:n,s:n}", "text", "count", "mean", "median", "sum"));
	json_array_foreach(json_object_get(page, "items"), i, row)
	    xnr__export_row(&x, json_incref(row));
	st = xnr__export_answer(&x, r, by ? "loss-tokens" : "loss-words", out, err);
done:
	xnr__export_free(&x);
	json_decref(page);
	xnr__cache_release(h.app, h.e);
	return st;
}

/* Every label, by mean loss descending (a short table: no paging). */
static enum xnr_status api_loss_labels(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct xnr_loss_page p = xnr_loss_page_default();
	struct held h;
	enum xnr_status st;

	if ((st = begin(r, allowed, &h, err)) != XNR_OK)
		return st;
	p.sort = XNR_LOSS_SORT_MEAN;
	p.limit = -1;
	if ((st = view_results(r, &h, NULL, err)) == XNR_OK)
		st = page_answer(cached_table(&h, TABLE_LABEL), &p, out, err);
	xnr__cache_release(h.app, h.e);
	return st;
}

/* ---- calibration ---- */

static enum xnr_status calibration_compute(struct xnr__req *r, int64_t run, int bins, json_t **out,
                                           struct xnr_error *err)
{
	struct xnr_run_view *v = NULL;
	struct xnr_run_metrics m;
	enum xnr_status st;

	memset(&m, 0, sizeof m);
	if ((st = xnr_run_view_load(r->store, run, &v, err)) == XNR_OK &&
	    (st = xnr_run_metrics_compute(v, &m, err)) == XNR_OK)
		st = xnr_report_calibration(r->store, v, &m, bins, out, err);
	xnr_run_metrics_free(&m);
	xnr_run_view_free(v);
	return st;
}

static enum xnr_status api_calibration(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {"bins", NULL};
	json_t *c = NULL;
	struct held h;
	int64_t bins;
	enum xnr_status st;

	if ((st = begin(r, allowed, &h, err)) != XNR_OK)
		return st;
	if ((st = xnr__query_int(&r->query, "bins", 1, XNR_CALIB_MAX_BINS, CALIB_BINS, &bins,
	                         err)) != XNR_OK)
		goto done;
	if (bins == CALIB_BINS && (c = cached_json(&h, KEY_CALIB)) != NULL) {
		st = answer_copy(c, out, err);
		goto done;
	}
	if ((st = calibration_compute(r, h.run, (int)bins, &c, err)) != XNR_OK)
		goto done;
	if (bins != CALIB_BINS)
		*out = c;
	else if ((st = keep_json(&h, KEY_CALIB, c, &c, err)) == XNR_OK)
		st = answer_copy(c, out, err);
done:
	xnr__cache_release(h.app, h.e);
	return st;
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/metrics", api_metrics, NULL, XNR__DB},
    {"GET", "/api/v1/runs/{id}/metrics/examples", api_examples, NULL, XNR__DB},
    {"GET", "/api/v1/runs/{id}/confusions", api_confusions, NULL, XNR__DB},
    {"GET", "/api/v1/runs/{id}/loss/words", api_loss_words, NULL, XNR__DB},
    {"GET", "/api/v1/runs/{id}/loss/labels", api_loss_labels, NULL, XNR__DB},
    {"GET", "/api/v1/runs/{id}/calibration", api_calibration, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(metrics, routes);

/* The downloads, listed after the routes that were there before them. */
static const struct xnr__route export_routes[] = {
    {"GET", "/api/v1/runs/{id}/loss/words.csv", NULL, api_loss_export, XNR__DB},
    {"GET", "/api/v1/runs/{id}/loss/words.jsonl", NULL, api_loss_export, XNR__DB},
};

XNR__ROUTE_GROUP(metrics_export, export_routes);
