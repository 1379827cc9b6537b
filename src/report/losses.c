/*
 * losses.c - loss tables of a stored run (report.h): the count, mean,
 * median and sum of the loss grouped by word text, sub-token text or gold
 * label, as the original ExplaiNER's Loss by Word / by Label pages group a
 * pandas frame. A big gap between a group's mean and median points at a few
 * very wrong cases: often a systematic labelling problem.
 *
 * A table is computed once (the store hands the losses over sorted by (text,
 * loss) from the covering (run_id, text, loss) index, so medians need no sort) and
 * then holds its group order under every sort and direction: a page of
 * ~20k word groups costs the page, not a recomputation.
 * (qsort_r and strcasestr are GNU: the build defines _GNU_SOURCE.)
 */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/losses.h"
#include "core/json.h"
#include "report/report.h"
#include "store/read.h"

const char *const xnr_loss_by_names[] = {"word", "sub-token", "label", NULL};
const char *const xnr_loss_sort_names[] = {"sum", "mean", "median", "count", "key", NULL};

struct group {
	size_t key_off; /* into keys */
	struct xnr_loss_stats s;
};

struct xnr_loss_table {
	enum xnr_loss_by by;
	size_t n_groups, n_alloc;
	struct group *groups;
	char *keys; /* NUL-terminated keys, one after another */
	size_t keys_len, keys_alloc;
	uint32_t *order; /* (XNR_LOSS_SORT_N, 2, n_groups): [sort][ascending] group indices */
};

struct xnr_loss_page xnr_loss_page_default(void)
{
	struct xnr_loss_page p = {XNR_LOSS_SORT_SUM, 0, 0, 50, NULL};
	return p;
}

void xnr_loss_table_free(struct xnr_loss_table *t)
{
	if (!t)
		return;
	free(t->groups);
	free(t->keys);
	free(t->order);
	free(t);
}

size_t xnr_loss_table_bytes(const struct xnr_loss_table *t)
{
	return sizeof *t + t->n_alloc * sizeof *t->groups + t->keys_alloc +
	       2 * XNR_LOSS_SORT_N * t->n_groups * sizeof *t->order;
}

static const char *key_of(const struct xnr_loss_table *t, size_t i)
{
	return t->keys + t->groups[i].key_off;
}

static const struct xnr_loss_stats stats_none;

/* Append a group with its key and the stats of its sorted losses (sorted
 * NULL: zero stats, set by the caller). */
static int add_group(struct xnr_loss_table *t, const char *key, const double *sorted, size_t n)
{
	size_t len = strlen(key) + 1;
	if (t->n_groups == t->n_alloc) {
		size_t cap = t->n_alloc ? 2 * t->n_alloc : 256;
		struct group *g = realloc(t->groups, cap * sizeof *g);
		if (!g)
			return -1;
		t->groups = g, t->n_alloc = cap;
	}
	if (t->keys_len + len > t->keys_alloc) {
		size_t cap = t->keys_alloc ? 2 * t->keys_alloc : 4096;
		char *k;
		while (cap < t->keys_len + len)
			cap *= 2;
		if (!(k = realloc(t->keys, cap)))
			return -1;
		t->keys = k, t->keys_alloc = cap;
	}
	memcpy(t->keys + t->keys_len, key, len);
	t->groups[t->n_groups].key_off = t->keys_len;
	t->groups[t->n_groups++].s = sorted ? xnr_loss_stats_sorted(sorted, n) : stats_none;
	t->keys_len += len;
	return 0;
}

struct sort_ctx {
	const struct xnr_loss_table *t;
	enum xnr_loss_sort sort;
	int ascending;
};

static int cmp_value(const struct group *x, const struct group *y, enum xnr_loss_sort sort)
{
	double a = 0.0, b = 0.0;
	switch (sort) {
	case XNR_LOSS_SORT_SUM:
		a = x->s.sum, b = y->s.sum;
		break;
	case XNR_LOSS_SORT_MEAN:
		a = x->s.mean, b = y->s.mean;
		break;
	case XNR_LOSS_SORT_MEDIAN:
		a = x->s.median, b = y->s.median;
		break;
	case XNR_LOSS_SORT_COUNT:
		a = (double)x->s.count, b = (double)y->s.count;
		break;
	default:
		break;
	}
	return a < b ? -1 : a > b;
}

/* By the sort's value in the asked direction, ties by ascending key then index. */
static int cmp_groups(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *c = arg;
	uint32_t ia = *(const uint32_t *)pa, ib = *(const uint32_t *)pb;
	int r = 0;

	if (c->sort != XNR_LOSS_SORT_KEY)
		r = cmp_value(&c->t->groups[ia], &c->t->groups[ib], c->sort);
	if (r == 0 && c->sort == XNR_LOSS_SORT_KEY)
		r = strcmp(key_of(c->t, ia), key_of(c->t, ib));
	if (!c->ascending)
		r = -r;
	if (r == 0)
		r = strcmp(key_of(c->t, ia), key_of(c->t, ib));
	return r ? r : (ia > ib) - (ia < ib);
}

/* Every sort's order, in both directions: (2 * XNR_LOSS_SORT_N) sorts, once. */
static enum xnr_status build_orders(struct xnr_loss_table *t, struct xnr_error *err)
{
	size_t n = t->n_groups, i;
	int s, asc;

	if (n > UINT32_MAX)
		return xnr_fail(err, XNR_ERR_LIMIT, "%zu loss groups, at most %u", n, UINT32_MAX);
	if (!(t->order = malloc((2 * XNR_LOSS_SORT_N * n + 1) * sizeof *t->order)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for %zu loss groups", n);
	for (s = 0; s < XNR_LOSS_SORT_N; s++)
		for (asc = 0; asc < 2; asc++) {
			uint32_t *o = t->order + ((size_t)s * 2 + (size_t)asc) * n;
			struct sort_ctx c = {t, (enum xnr_loss_sort)s, asc};
			for (i = 0; i < n; i++)
				o[i] = (uint32_t)i;
			qsort_r(o, n, sizeof *o, cmp_groups, &c);
		}
	return XNR_OK;
}

/* The next (text, loss) of a text-loss scan of words or sub-tokens. */
static enum xnr_status next_loss(struct xnr_rows *rows, int tokens, const char **text, double *loss,
                                 int *more, struct xnr_error *err)
{
	struct xnr_word_row w;
	struct xnr_token_row t;
	enum xnr_status rc =
	    tokens ? xnr_rows_token(rows, &t, more, err) : xnr_rows_word(rows, &w, more, err);

	if (rc != XNR_OK || !*more)
		return rc;
	*text = tokens ? t.text : w.text;
	*loss = tokens ? t.loss : w.loss;
	if (!*text)
		*text = "";
	return XNR_OK;
}

/* Read (key, loss) rows ordered by key then loss into groups. */
static enum xnr_status read_groups(struct xnr_rows *rows, int tokens, struct xnr_loss_table *t,
                                   struct xnr_error *err)
{
	double *loss = NULL, x = 0;
	size_t m = 0, cap = 0;
	char *key = NULL;
	const char *k = NULL;
	enum xnr_status rc;
	int more = 0, oom = 0;

	for (;;) {
		if ((rc = next_loss(rows, tokens, &k, &x, &more, err)) != XNR_OK)
			break;
		if (key && (!more || strcmp(k, key) != 0)) {
			if ((oom = add_group(t, key, loss, m)) != 0)
				break;
			free(key);
			key = NULL;
			m = 0;
		}
		if (!more)
			break;
		if ((oom = !key && !(key = strdup(k))) != 0)
			break;
		if (m == cap) {
			double *nl = realloc(loss, (cap = cap ? 2 * cap : 1024) * sizeof *loss);
			if ((oom = !nl) != 0)
				break;
			loss = nl;
		}
		loss[m++] = x;
	}
	free(loss);
	free(key);
	if (oom)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for the loss groups");
	return rc;
}

enum xnr_status xnr_loss_table_load(struct xnr_store *s, int64_t run, enum xnr_loss_by by,
                                    struct xnr_loss_table **out, struct xnr_error *err)
{
	struct xnr_loss_table *t = NULL;
	struct xnr_rows *rows = NULL;
	struct xnr_run r;
	enum xnr_status rc;

	if (by != XNR_LOSS_BY_WORD && by != XNR_LOSS_BY_TOKEN)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "loss table: the database groups by word or sub-token only (labels "
		                "come from a run view: xnr_loss_table_labels)");
	if ((rc = xnr_store_run_get(s, run, &r, err)) != XNR_OK)
		return rc;
	xnr_run_free(&r);
	if (!(t = calloc(1, sizeof *t)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	t->by = by;
	if ((rc = xnr_store_text_losses(s, run, by == XNR_LOSS_BY_TOKEN, &rows, err)) != XNR_OK ||
	    (rc = read_groups(rows, by == XNR_LOSS_BY_TOKEN, t, err)) != XNR_OK ||
	    (rc = build_orders(t, err)) != XNR_OK)
		goto fail;
	xnr_rows_close(rows);
	*out = t;
	return XNR_OK;
fail:
	xnr_rows_close(rows);
	xnr_loss_table_free(t);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Each label's non-NaN losses, contiguous (counting sort by gold label) in
 * sorted; start[k]..start[k+1] is label k's range. */
static int losses_by_label(const struct xnr_run_view *v, size_t *start, double *sorted)
{
	size_t *pos = calloc((size_t)v->n_labels + 1, sizeof *pos), i;
	int k;

	if (!pos)
		return -1;
	for (i = 0; i < v->n_words; i++)
		if (!isnan(v->loss[i]) && v->gold[i] >= 0 && v->gold[i] < v->n_labels)
			start[v->gold[i] + 1]++;
	for (k = 0; k < v->n_labels; k++)
		start[k + 1] += start[k];
	for (i = 0; i < v->n_words; i++)
		if (!isnan(v->loss[i]) && v->gold[i] >= 0 && v->gold[i] < v->n_labels)
			sorted[start[v->gold[i]] + pos[v->gold[i]]++] = v->loss[i];
	free(pos);
	for (k = 0; k < v->n_labels; k++)
		qsort(sorted + start[k], start[k + 1] - start[k], sizeof *sorted, cmp_double);
	return 0;
}

enum xnr_status xnr_loss_table_labels(const struct xnr_run_view *v, struct xnr_loss_table **out,
                                      struct xnr_error *err)
{
	struct xnr_loss_table *t = calloc(1, sizeof *t);
	size_t *start = calloc((size_t)v->n_labels + 2, sizeof *start);
	double *sorted = malloc((v->n_words + 1) * sizeof *sorted);
	enum xnr_status rc = XNR_OK;
	int k;

	if (!t || !start || !sorted || losses_by_label(v, start, sorted) != 0) {
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		goto fail;
	}
	t->by = XNR_LOSS_BY_LABEL;
	for (k = 0; k < v->n_labels; k++)
		if (start[k + 1] > start[k] &&
		    add_group(t, v->labels[k], sorted + start[k], start[k + 1] - start[k]) != 0) {
			rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
			goto fail;
		}
	if ((rc = build_orders(t, err)) != XNR_OK)
		goto fail;
	free(start);
	free(sorted);
	*out = t;
	return XNR_OK;
fail:
	free(start);
	free(sorted);
	xnr_loss_table_free(t);
	return rc;
}

/* ---- the gold-label table from the database ---- */

/* One label's losses, ascending: the merge of its n (gold, pred) cursors. */
struct label_merge {
	struct xnr_rows **rows;
	double *head; /* each cursor's next loss */
	int n;
};

static void label_merge_close(struct label_merge *m)
{
	for (int p = 0; p < m->n; p++) {
		xnr_rows_close(m->rows[p]);
		m->rows[p] = NULL;
	}
}

/* Advance cursor p: its next loss into head[p], or the cursor closed. */
static enum xnr_status label_merge_step(struct label_merge *m, int p, struct xnr_error *err)
{
	struct xnr_word_row w;
	int more = 0;
	enum xnr_status rc = xnr_rows_word(m->rows[p], &w, &more, err);

	if (rc == XNR_OK && more)
		m->head[p] = w.loss;
	if (rc != XNR_OK || !more) {
		xnr_rows_close(m->rows[p]);
		m->rows[p] = NULL;
	}
	return rc;
}

static enum xnr_status label_merge_open(struct xnr_store *s, int64_t run, int gold,
                                        struct label_merge *m, struct xnr_error *err)
{
	enum xnr_status rc = XNR_OK;

	for (int p = 0; p < m->n && rc == XNR_OK; p++)
		if ((rc = xnr_store_pair_losses(s, run, gold, p, &m->rows[p], err)) == XNR_OK)
			rc = label_merge_step(m, p, err);
	return rc;
}

/* The smallest loss left (*more = 0 at the end). */
static enum xnr_status label_merge_next(struct label_merge *m, double *x, int *more,
                                        struct xnr_error *err)
{
	int best = -1;

	for (int p = 0; p < m->n; p++)
		if (m->rows[p] && (best < 0 || m->head[p] < m->head[best]))
			best = p;
	*more = best >= 0;
	if (best < 0)
		return XNR_OK;
	*x = m->head[best];
	return label_merge_step(m, best, err);
}

/* Label gold's stats as xnr_loss_stats_sorted gives them over its sorted
 * losses: count and sum (added in ascending order) in a first pass, the
 * middle values in a second. */
static enum xnr_status label_stats(struct xnr_store *s, int64_t run, int gold,
                                   struct label_merge *m, struct xnr_loss_stats *out,
                                   struct xnr_error *err)
{
	struct xnr_loss_stats st = {0, 0.0, 0.0, 0.0};
	double x = 0.0, prev = 0.0;
	size_t n = 0, i;
	enum xnr_status rc;
	int more = 1;

	if ((rc = label_merge_open(s, run, gold, m, err)) != XNR_OK)
		goto done;
	while ((rc = label_merge_next(m, &x, &more, err)) == XNR_OK && more) {
		st.sum += x;
		n++;
	}
	label_merge_close(m);
	if (rc != XNR_OK || n == 0)
		goto done;
	st.count = (long)n;
	st.mean = st.sum / (double)n;
	if ((rc = label_merge_open(s, run, gold, m, err)) != XNR_OK)
		goto done;
	for (i = 0; i <= n / 2 && (rc = label_merge_next(m, &x, &more, err)) == XNR_OK && more; i++)
		if (i < n / 2)
			prev = x;
	if (rc == XNR_OK && i <= n / 2)
		rc = xnr_fail(err, XNR_ERR_FORMAT,
		              "run %lld: the losses of label %d changed while read", (long long)run,
		              gold);
	st.median = n % 2 ? x : 0.5 * (prev + x);
done:
	label_merge_close(m);
	*out = st;
	return rc;
}

enum xnr_status xnr_loss_table_labels_load(struct xnr_store *s, int64_t run,
                                           struct xnr_loss_table **out, struct xnr_error *err)
{
	struct xnr_loss_table *t = NULL;
	struct label_merge m = {NULL, NULL, 0};
	struct xnr_loss_stats st;
	struct xnr_run r;
	enum xnr_status rc;
	int k;

	if ((rc = xnr_store_run_get(s, run, &r, err)) != XNR_OK)
		return rc;
	m.n = r.n_labels;
	m.rows = calloc((size_t)m.n + 1, sizeof(struct xnr_rows *));
	m.head = calloc((size_t)m.n + 1, sizeof *m.head);
	if (!(t = calloc(1, sizeof *t)) || !m.rows || !m.head) {
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		goto done;
	}
	t->by = XNR_LOSS_BY_LABEL;
	for (k = 0; k < r.n_labels && rc == XNR_OK; k++) {
		if ((rc = label_stats(s, run, k, &m, &st, err)) != XNR_OK || st.count == 0)
			continue;
		if (add_group(t, r.labels[k], NULL, 0) != 0)
			rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		else
			t->groups[t->n_groups - 1].s = st;
	}
	if (rc == XNR_OK)
		rc = build_orders(t, err);
done:
	free(m.rows);
	free(m.head);
	xnr_run_free(&r);
	if (rc != XNR_OK) {
		xnr_loss_table_free(t);
		return rc;
	}
	*out = t;
	return XNR_OK;
}

static json_t *group_json(const struct xnr_loss_table *t, size_t i)
{
	const struct xnr_loss_stats *s = &t->groups[i].s;
	return json_pack("{s:o,s:I,s:f,s:f,s:f}", "key", xnr_json_text(key_of(t, i), -1), "count",
	                 (json_int_t)s->count, "mean", s->mean, "median", s->median, "sum", s->sum);
}

enum xnr_status xnr_loss_table_page(const struct xnr_loss_table *t, const struct xnr_loss_page *p,
                                    json_t **out, struct xnr_error *err)
{
	const uint32_t *o;
	const char *filter = p->filter && *p->filter ? p->filter : NULL;
	json_t *groups, *obj;
	size_t i, total = 0;
	int failed = 0;

	if ((unsigned)p->sort >= XNR_LOSS_SORT_N || p->offset < 0)
		return xnr_fail(err, XNR_ERR_INPUT, "loss page: sort %d or offset %ld out of range",
		                (int)p->sort, p->offset);
	o = t->order + ((size_t)p->sort * 2 + (p->ascending != 0)) * t->n_groups;
	if (!(groups = json_array()))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (i = 0; i < t->n_groups; i++) {
		if (filter && !strcasestr(key_of(t, o[i]), filter))
			continue;
		if (total >= (size_t)p->offset &&
		    (p->limit < 0 || total - (size_t)p->offset < (size_t)p->limit))
			failed |= json_array_append_new(groups, group_json(t, o[i]));
		total++;
	}
	obj = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:o}", "by", xnr_loss_by_names[t->by], "sort",
	                xnr_loss_sort_names[p->sort], "order", p->ascending ? "asc" : "desc",
	                "offset", (json_int_t)p->offset, "limit", (json_int_t)p->limit, "total",
	                (json_int_t)total, "groups", groups);
	if (obj && t->by == XNR_LOSS_BY_LABEL &&
	    json_object_set_new(obj, "hint",
	                        json_string("a large gap between mean and median suggests a "
	                                    "systematic labelling problem")))
		failed = 1;
	if (failed || !obj) {
		json_decref(obj);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for a loss page");
	}
	*out = obj;
	return XNR_OK;
}

enum xnr_status xnr_report_loss_groups(struct xnr_store *s, int64_t run, enum xnr_loss_by by,
                                       const struct xnr_loss_page *p, json_t **out,
                                       struct xnr_error *err)
{
	struct xnr_loss_table *t = NULL;
	enum xnr_status rc = xnr_loss_table_load(s, run, by, &t, err);

	if (rc == XNR_OK)
		rc = xnr_loss_table_page(t, p, out, err);
	xnr_loss_table_free(t);
	return rc;
}

enum xnr_status xnr_report_label_losses(const struct xnr_run_view *v, const struct xnr_loss_page *p,
                                        json_t **out, struct xnr_error *err)
{
	struct xnr_loss_table *t = NULL;
	enum xnr_status rc = xnr_loss_table_labels(v, &t, err);

	if (rc == XNR_OK)
		rc = xnr_loss_table_page(t, p, out, err);
	xnr_loss_table_free(t);
	return rc;
}

/* ---- kept tables (the run and the server keep them in the database: store.h) ---- */

const char *const xnr_kept_loss_keys[XNR_LOSS_BY_COUNT] = {XNR_KEPT_LOSS_WORD, XNR_KEPT_LOSS_TOKEN,
                                                           XNR_KEPT_LOSS_LABEL};

void xnr_kept_name(const char *version, const char *key, char *out, size_t size)
{
	snprintf(out, size, "%s %s", version, key);
}

enum xnr_status xnr_loss_table_kept(struct xnr_store *s, int64_t run, const char *version,
                                    enum xnr_loss_by by, struct xnr_loss_table **out,
                                    struct xnr_error *err)
{
	char name[160];
	void *text = NULL;
	size_t len = 0;
	enum xnr_status st;

	if ((unsigned)by >= XNR_LOSS_BY_COUNT)
		return xnr_fail(err, XNR_ERR_INPUT, "loss table: no such grouping");
	xnr_kept_name(version, xnr_kept_loss_keys[by], name, sizeof name);
	if ((st = xnr_store_result_get(s, run, name, &text, &len, err)) != XNR_OK)
		return st;
	st = xnr_loss_table_restore(text, len, out, err);
	free(text);
	if (st == XNR_ERR_FORMAT)
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "run %lld keeps no loss table \"%s\"",
		                (long long)run, name);
	return st;
}

enum xnr_status xnr_loss_table_save(const struct xnr_loss_table *t, char **out,
                                    struct xnr_error *err)
{
	json_t *groups = json_array(), *obj = NULL;
	size_t i;
	int bad = !groups;

	for (i = 0; !bad && i < t->n_groups; i++) {
		const struct xnr_loss_stats *st = &t->groups[i].s;
		json_t *key = json_string(key_of(t, i));

		/* text that is not UTF-8 (a hostile database): the table is not kept */
		if (!key) {
			json_decref(groups);
			*out = NULL;
			return xnr_fail(err, XNR_ERR_INPUT,
			                "loss table: a key is not UTF-8, not kept");
		}
		bad = json_array_append_new(groups,
		                            json_pack("[o,I,f,f,f]", key, (json_int_t)st->count,
		                                      st->mean, st->median, st->sum)) != 0;
	}
	if (!bad && (obj = json_pack("{s:i,s:o}", "by", (int)t->by, "groups", groups)) != NULL)
		groups = NULL;
	/* %.17g: every double reads back as itself */
	*out = bad || !obj ? NULL : json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(groups);
	json_decref(obj);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "loss table: out of memory");
}

/* One kept group [key, count, mean, median, sum] appended to t; -1 when it
 * is not that shape, -2 when out of memory. */
static int restore_group(struct xnr_loss_table *t, const json_t *g)
{
	const char *key = json_string_value(json_array_get(g, 0));
	json_t *count = json_array_get(g, 1);

	if (!json_is_array(g) || json_array_size(g) != 5 || !key || !json_is_integer(count) ||
	    !json_is_number(json_array_get(g, 2)) || !json_is_number(json_array_get(g, 3)) ||
	    !json_is_number(json_array_get(g, 4)))
		return -1;
	if (add_group(t, key, NULL, 0) != 0)
		return -2;
	t->groups[t->n_groups - 1].s.count = (long)json_integer_value(count);
	t->groups[t->n_groups - 1].s.mean = json_number_value(json_array_get(g, 2));
	t->groups[t->n_groups - 1].s.median = json_number_value(json_array_get(g, 3));
	t->groups[t->n_groups - 1].s.sum = json_number_value(json_array_get(g, 4));
	return 0;
}

enum xnr_status xnr_loss_table_restore(const char *text, size_t len, struct xnr_loss_table **out,
                                       struct xnr_error *err)
{
	struct xnr_loss_table *t = calloc(1, sizeof *t);
	json_t *obj = json_loadb(text, len, 0, NULL), *groups = json_object_get(obj, "groups");
	json_int_t by = json_integer_value(json_object_get(obj, "by"));
	enum xnr_status rc = XNR_OK;
	size_t i;
	int bad = 0;

	if (!t || !obj) {
		rc = !t ? xnr_fail(err, XNR_ERR_NOMEM, "loss table: out of memory")
		        : xnr_fail(err, XNR_ERR_FORMAT,
		                   "kept loss table: not JSON (it is computed again)");
		goto fail;
	}
	if (!json_is_array(groups) || by < 0 || by >= XNR_LOSS_BY_LABEL + 1) {
		rc = xnr_fail(err, XNR_ERR_FORMAT, "kept loss table: not {\"by\", \"groups\"}");
		goto fail;
	}
	t->by = (enum xnr_loss_by)by;
	for (i = 0; !bad && i < json_array_size(groups); i++)
		bad = restore_group(t, json_array_get(groups, i));
	if (bad)
		rc = bad == -2 ? xnr_fail(err, XNR_ERR_NOMEM, "loss table: out of memory")
		               : xnr_fail(err, XNR_ERR_FORMAT,
		                          "kept loss table: group %zu is not "
		                          "[key, count, mean, median, sum]",
		                          i - 1);
	if (rc == XNR_OK && (rc = build_orders(t, err)) == XNR_OK) {
		json_decref(obj);
		*out = t;
		return XNR_OK;
	}
fail:
	json_decref(obj);
	xnr_loss_table_free(t);
	return rc;
}
