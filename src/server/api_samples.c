/*
 * api_samples.c - a run's words and sub-tokens as tables, for the Inspect and
 * Raw data pages: GET /api/v1/runs/{id}/words and .../tokens (paged, sorted
 * and filtered in SQL, label ids as names) and the same rows whole as CSV
 * downloads (.../words.csv, .../tokens.csv; RFC 4180 quoting). User input
 * reaches SQL only as bound parameters; sort names pick fixed ORDER BY
 * clauses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

#define PAGE_MAX     1000
#define PAGE_DEFAULT 100
#define OFFSET_MAX   1000000000
#define FILTER_MAX   200

/* One table: its columns (SELECT list, t the table and g/p its gold and
 * predicted labels) and sort keys. */
struct table {
	const char *name; /* "words": also the SQL table */
	const char *select;
	const char *const *sorts;
	const char *const (*order_by)[2];
};

static const char *const word_sorts[] = {"position", "loss", "prob", "entropy", "text", NULL};
static const char *const word_order[][2] = {
    {"t.sentence_id DESC, t.idx DESC", "t.sentence_id, t.idx"},
    {"t.loss IS NULL, t.loss DESC, t.sentence_id, t.idx",
     "t.loss IS NULL, t.loss, t.sentence_id, t.idx"},
    {"t.prob_pred IS NULL, t.prob_pred DESC, t.sentence_id, t.idx",
     "t.prob_pred IS NULL, t.prob_pred, t.sentence_id, t.idx"},
    {"t.entropy IS NULL, t.entropy DESC, t.sentence_id, t.idx",
     "t.entropy IS NULL, t.entropy, t.sentence_id, t.idx"},
    {"t.text DESC, t.sentence_id, t.idx", "t.text, t.sentence_id, t.idx"},
};

static const struct table tables[] = {
    {"words",
     "t.sentence_id, t.idx, t.text, g.name AS gold, p.name AS pred, t.prob_pred, t.prob_gold,"
     " t.loss, t.entropy, t.first_token",
     word_sorts, word_order},
    {"tokens",
     "t.sentence_id, t.idx, t.token_id, t.text, t.word_idx, t.start, t.end, t.is_first,"
     " g.name AS gold, p.name AS pred, t.prob_pred, t.loss, t.entropy",
     word_sorts, word_order},
};

static const char labels_join[] = " LEFT JOIN labels g ON g.run_id = t.run_id AND g.id = t.gold"
                                  " LEFT JOIN labels p ON p.run_id = t.run_id AND p.id = t.pred";

/* Filters: ?2 text substring (?8 = 1: case-sensitive, else ASCII letters
 * match either case, as SQLite's lower() folds only those), ?3 gold label id,
 * ?4 predicted label id, ?5 errors only. Label names become ids first, so
 * filtering and sorting never join: only the page's rows get their label
 * names. */
static const char filter_sql[] = " AND (?2 IS NULL OR (CASE WHEN ?8 = 1 THEN instr(t.text, ?2)"
                                 " ELSE instr(lower(t.text), lower(?2)) END) > 0)"
                                 " AND (?3 IS NULL OR t.gold = ?3)"
                                 " AND (?4 IS NULL OR t.pred = ?4)"
                                 " AND (?5 = 0 OR (t.gold IS NOT NULL AND t.gold <> t.pred))";

struct page {
	int sort, order, errors, match_case;
	int64_t limit, offset, gold_id, pred_id;
	const char *q, *gold, *pred;
};

static enum xnr_status text_param(const struct xnr__query *q, const char *name, const char **out,
                                  struct xnr_error *err)
{
	*out = xnr__query_get(q, name);
	if (*out && strlen(*out) > FILTER_MAX)
		return xnr_fail(err, XNR_ERR_INPUT, "query parameter %s: at most %d bytes", name,
		                FILTER_MAX);
	if (*out && !**out)
		*out = NULL;
	return XNR_OK;
}

static enum xnr_status page_parse(const struct xnr__query *q, const struct table *t, struct page *p,
                                  struct xnr_error *err)
{
	static const char *const allowed[] = {"sort", "order", "limit", "offset", "q",
	                                      "case", "gold",  "pred",  "errors", NULL};
	static const char *const orders[] = {"asc", "desc", NULL};
	static const char *const flags[] = {"0", "1", NULL};
	enum xnr_status st;

	if ((st = xnr__query_allow(q, allowed, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "sort", t->sorts, 0, &p->sort, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "order", orders, -1, &p->order, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "errors", flags, 0, &p->errors, err)) != XNR_OK ||
	    (st = xnr__query_choice(q, "case", flags, 0, &p->match_case, err)) != XNR_OK ||
	    (st = xnr__query_int(q, "limit", 1, PAGE_MAX, PAGE_DEFAULT, &p->limit, err)) !=
	        XNR_OK ||
	    (st = xnr__query_int(q, "offset", 0, OFFSET_MAX, 0, &p->offset, err)) != XNR_OK ||
	    (st = text_param(q, "q", &p->q, err)) != XNR_OK ||
	    (st = text_param(q, "gold", &p->gold, err)) != XNR_OK)
		return st;
	if (p->order < 0) /* position and text ascend by default, the measures descend */
		p->order = p->sort == 0 || p->sort == 4 ? 0 : 1;
	return text_param(q, "pred", &p->pred, err);
}

static void bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT);
}

static enum xnr_status prepare(sqlite3 *db, const char *sql, int64_t run, const struct page *p,
                               sqlite3_stmt **out, struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return xnr__sql_fail(db, "tables", err);
	sqlite3_bind_int64(stmt, 1, run);
	if (p) {
		bind_text(stmt, 2, p->q);
		if (p->gold)
			sqlite3_bind_int64(stmt, 3, p->gold_id);
		if (p->pred)
			sqlite3_bind_int64(stmt, 4, p->pred_id);
		sqlite3_bind_int(stmt, 5, p->errors);
		sqlite3_bind_int(stmt, 8, p->match_case);
	}
	*out = stmt;
	return XNR_OK;
}

static const struct table *table_of(const char *path)
{
	return strstr(path, "/tokens") ? &tables[1] : &tables[0];
}

static enum xnr_status count_rows(sqlite3 *db, const struct table *t, int64_t run,
                                  const struct page *p, int64_t *total, struct xnr_error *err)
{
	char sql[1024];
	sqlite3_stmt *stmt = NULL;
	enum xnr_status st;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s t WHERE t.run_id = ?1%s", t->name,
	         filter_sql);
	if ((st = prepare(db, sql, run, p, &stmt, err)) != XNR_OK)
		return st;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		st = xnr__sql_fail(db, t->name, err);
	else
		*total = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return st;
}

static enum xnr_status page_rows(sqlite3 *db, const struct table *t, int64_t run,
                                 const struct page *p, json_t **items, struct xnr_error *err)
{
	const char *by = t->order_by[p->sort][p->order == 0];
	char sql[2048];
	sqlite3_stmt *stmt = NULL;
	enum xnr_status st;

	/* Sort and page the keys of the bare table, then join the page's rows. */
	snprintf(sql, sizeof sql,
	         "WITH k AS (SELECT t.sentence_id AS s, t.idx AS i FROM %s t WHERE t.run_id = ?1%s"
	         " ORDER BY %s LIMIT ?6 OFFSET ?7)"
	         " SELECT %s FROM k JOIN %s t ON t.run_id = ?1 AND t.sentence_id = k.s"
	         " AND t.idx = k.i%s ORDER BY %s",
	         t->name, filter_sql, by, t->select, t->name, labels_join, by);
	if ((st = prepare(db, sql, run, p, &stmt, err)) != XNR_OK)
		return st;
	sqlite3_bind_int64(stmt, 6, p->limit);
	sqlite3_bind_int64(stmt, 7, p->offset);
	return xnr__rows_json(db, stmt, t->name, items, err);
}

/* GET /api/v1/runs/{id}/words and /tokens: a page of rows and the total. */
static enum xnr_status api_table(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	const struct table *t = table_of(r->path);
	struct page p;
	int64_t total = 0;
	json_t *items;
	enum xnr_status st;

	memset(&p, 0, sizeof p);
	if ((st = page_parse(&r->query, t, &p, err)) != XNR_OK ||
	    (st = xnr__run_check(r->db, r->ids[0], err)) != XNR_OK ||
	    (st = xnr__label_id(r->db, r->ids[0], "gold", p.gold, &p.gold_id, err)) != XNR_OK ||
	    (st = xnr__label_id(r->db, r->ids[0], "pred", p.pred, &p.pred_id, err)) != XNR_OK ||
	    (st = count_rows(r->db, t, r->ids[0], &p, &total, err)) != XNR_OK)
		return st;
	if ((st = page_rows(r->db, t, r->ids[0], &p, &items, err)) != XNR_OK)
		return st;
	*out = json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)total, "limit",
	                 (json_int_t)p.limit, "offset", (json_int_t)p.offset, "items", items);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", t->name);
}

/* A growing CSV text. */
struct csv {
	char *buf;
	size_t len, cap;
	int oom;
};

static void csv_put(struct csv *c, const char *s, size_t n)
{
	if (c->oom)
		return;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 1 << 16;
		char *b;
		while (cap < c->len + n + 1)
			cap *= 2;
		if (!(b = realloc(c->buf, cap))) {
			c->oom = 1;
			return;
		}
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

/* One field: quoted when it holds a comma, quote, CR or LF (RFC 4180). The
 * text is kept exactly (no spreadsheet-formula escaping: "-5" stays "-5"). */
static void csv_field(struct csv *c, sqlite3_stmt *stmt, int i)
{
	char num[40];
	const char *s;
	size_t n, j;

	switch (sqlite3_column_type(stmt, i)) {
	case SQLITE_NULL:
		return;
	case SQLITE_INTEGER:
		n = (size_t)snprintf(num, sizeof num, "%lld", sqlite3_column_int64(stmt, i));
		csv_put(c, num, n);
		return;
	case SQLITE_FLOAT:
		n = (size_t)snprintf(num, sizeof num, "%.9g", sqlite3_column_double(stmt, i));
		csv_put(c, num, n);
		return;
	default:
		break;
	}
	s = (const char *)sqlite3_column_text(stmt, i);
	n = s ? strlen(s) : 0;
	if (!strpbrk(s ? s : "", ",\"\r\n")) {
		csv_put(c, s, n);
		return;
	}
	csv_put(c, "\"", 1);
	for (j = 0; j < n; j++)
		csv_put(c, s[j] == '"' ? "\"\"" : s + j, s[j] == '"' ? 2 : 1);
	csv_put(c, "\"", 1);
}

static void csv_row(struct csv *c, sqlite3_stmt *stmt, int header)
{
	int i, n = sqlite3_column_count(stmt);

	for (i = 0; i < n; i++) {
		if (i)
			csv_put(c, ",", 1);
		if (header)
			csv_put(c, sqlite3_column_name(stmt, i),
			        strlen(sqlite3_column_name(stmt, i)));
		else
			csv_field(c, stmt, i);
	}
	csv_put(c, "\r\n", 2);
}

/* GET /api/v1/runs/{id}/words.csv and /tokens.csv: every row, dataset order. */
static enum xnr_status api_csv(struct xnr__req *r, struct xnr__resp *out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	const struct table *t = table_of(r->path);
	struct csv c = {NULL, 0, 0, 0};
	char sql[2048];
	sqlite3_stmt *stmt = NULL;
	enum xnr_status st;
	int rc = SQLITE_DONE;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__run_check(r->db, r->ids[0], err)) != XNR_OK)
		return st;
	snprintf(sql, sizeof sql,
	         "SELECT %s FROM %s t%s WHERE t.run_id = ?1 ORDER BY t.sentence_id, t.idx",
	         t->select, t->name, labels_join);
	if ((st = prepare(r->db, sql, r->ids[0], NULL, &stmt, err)) != XNR_OK)
		return st;
	csv_row(&c, stmt, 1);
	while (!c.oom && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		csv_row(&c, stmt, 0);
	sqlite3_finalize(stmt);
	if (c.oom || (rc != SQLITE_DONE && rc != SQLITE_ROW)) {
		free(c.buf);
		return c.oom ? xnr_fail(err, XNR_ERR_NOMEM, "%s.csv: out of memory", t->name)
		             : xnr__sql_fail(r->db, t->name, err);
	}
	out->data = c.buf;
	out->len = c.len;
	out->content_type = "text/csv; charset=utf-8";
	snprintf(out->disposition, sizeof out->disposition,
	         "attachment; filename=\"run%lld-%s.csv\"", (long long)r->ids[0], t->name);
	return XNR_OK;
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/words", api_table, NULL},
    {"GET", "/api/v1/runs/{id}/tokens", api_table, NULL},
    {"GET", "/api/v1/runs/{id}/words.csv", NULL, api_csv},
    {"GET", "/api/v1/runs/{id}/tokens.csv", NULL, api_csv},
};

const struct xnr__route *xnr__routes_samples(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
