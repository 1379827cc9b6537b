/*
 * api_runs.c - the API index and the runs resource: GET /api/v1 (what the
 * API offers), GET /api/v1/runs (every stored run with its micro F1) and
 * GET /api/v1/runs/{id} (one run: labels, options, scheme and summary as
 * JSON objects), and the run lookups other resources share (rows as JSON,
 * label names and ids, hidden-state sizes). Columns follow docs/schema.md.
 */
#include <string.h>

#include "server/internal.h"

json_t *xnr__col_json(sqlite3_stmt *stmt, int i)
{
	json_t *v = NULL;

	switch (sqlite3_column_type(stmt, i)) {
	case SQLITE_INTEGER:
		v = json_integer(sqlite3_column_int64(stmt, i));
		break;
	case SQLITE_FLOAT:
		v = json_real(sqlite3_column_double(stmt, i));
		break;
	case SQLITE_TEXT:
		v = json_stringn((const char *)sqlite3_column_text(stmt, i),
		                 (size_t)sqlite3_column_bytes(stmt, i));
		break;
	default:
		break;
	}
	return v ? v : json_null();
}

json_t *xnr__row_json(sqlite3_stmt *stmt)
{
	json_t *obj = json_object();
	int i, n = sqlite3_column_count(stmt);

	for (i = 0; obj && i < n; i++) {
		if (json_object_set_new(obj, sqlite3_column_name(stmt, i),
		                        xnr__col_json(stmt, i)) != 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

enum xnr_status xnr__rows_json(sqlite3 *db, sqlite3_stmt *stmt, const char *what, json_t **out,
                               struct xnr_error *err)
{
	json_t *items = json_array(), *row;
	enum xnr_status st = XNR_OK;
	int rc = SQLITE_DONE;

	while (items && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (!(row = xnr__row_json(stmt)) || json_array_append_new(items, row) != 0) {
			st = xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", what);
			break;
		}
	}
	if (!items)
		st = xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", what);
	else if (st == XNR_OK && rc != SQLITE_DONE)
		st = xnr__sql_fail(db, what, err);
	sqlite3_finalize(stmt);
	if (st != XNR_OK) {
		json_decref(items);
		return st;
	}
	*out = items;
	return XNR_OK;
}

enum xnr_status xnr__run_check(sqlite3 *db, int64_t run, struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM runs WHERE id = ?1", -1, &stmt, NULL) !=
	    SQLITE_OK)
		return xnr__sql_fail(db, "runs", err);
	sqlite3_bind_int64(stmt, 1, run);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_ROW)
		return XNR_OK;
	if (rc == SQLITE_DONE)
		return xnr_fail(err, XNR_ERR_IO, "run %lld: no such run", (long long)run);
	return xnr__sql_fail(db, "runs", err);
}

enum xnr_status xnr__run_labels(sqlite3 *db, int64_t run, json_t **out, struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	json_t *a = json_array();
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(db, "SELECT name FROM labels WHERE run_id = ?1 ORDER BY id", -1,
	                       &stmt, NULL) != SQLITE_OK) {
		json_decref(a);
		return xnr__sql_fail(db, "labels", err);
	}
	sqlite3_bind_int64(stmt, 1, run);
	while (a && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (json_array_append_new(a, xnr__col_json(stmt, 0)) != 0)
			break;
	if (!a || rc != SQLITE_DONE) {
		enum xnr_status st = a ? xnr__sql_fail(db, "labels", err)
		                       : xnr_fail(err, XNR_ERR_NOMEM, "labels: out of memory");
		sqlite3_finalize(stmt);
		json_decref(a);
		return st;
	}
	sqlite3_finalize(stmt);
	*out = a;
	return XNR_OK;
}

enum xnr_status xnr__label_id(sqlite3 *db, int64_t run, const char *param, const char *name,
                              int64_t *out, struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	*out = -1;
	if (!name)
		return XNR_OK;
	if (sqlite3_prepare_v2(db, "SELECT id FROM labels WHERE run_id = ?1 AND name = ?2", -1,
	                       &stmt, NULL) != SQLITE_OK)
		return xnr__sql_fail(db, "labels", err);
	sqlite3_bind_int64(stmt, 1, run);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_ROW)
		return XNR_OK;
	if (rc != SQLITE_DONE)
		return xnr__sql_fail(db, "labels", err);
	return xnr_fail(err, XNR_ERR_INPUT,
	                "query parameter %s: %.64s is not a label of run %lld (GET "
	                "/api/v1/runs/%lld lists its labels)",
	                param, name, (long long)run, (long long)run);
}

enum xnr_status xnr__run_hidden(sqlite3 *db, int64_t run, int *d, int64_t *n_words,
                                struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT hidden_size, n_words FROM runs WHERE id = ?1", -1, &stmt,
	                       NULL) != SQLITE_OK)
		return xnr__sql_fail(db, "runs", err);
	sqlite3_bind_int64(stmt, 1, run);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*d = sqlite3_column_int(stmt, 0);
		*n_words = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE)
		return xnr_fail(err, XNR_ERR_IO, "run %lld: no such run", (long long)run);
	if (rc != SQLITE_ROW)
		return xnr__sql_fail(db, "runs", err);
	if (*d < 2 || *d > 65536)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "run %lld stores no hidden states (hidden_size %d)", (long long)run,
		                *d);
	return XNR_OK;
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1", xnr__api_index, NULL},
    {"GET", "/api/v1/runs", xnr__api_runs, NULL},
    {"GET", "/api/v1/runs/{id}", xnr__api_run, NULL},
    {"GET", "/api/v1/runs/{id}/sentences", xnr__api_sentences, NULL},
    {"GET", "/api/v1/runs/{id}/sentences/{id}", xnr__api_sentence, NULL},
};

const struct xnr__route *xnr__routes_runs(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}

enum xnr_status xnr__api_index(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	const struct xnr__route *all;
	json_t *list = json_array(), *body;
	size_t i, n;

	all = xnr__routes(&n);
	for (i = 0; list && i < n; i++)
		if (strncmp(all[i].pattern, "/api/", 5) == 0)
			json_array_append_new(list,
			                      json_sprintf("%s %s", all[i].method, all[i].pattern));
	body = json_pack("{s:s,s:s,s:o*}", "name", "ExplaiNER", "version", r->version, "endpoints",
	                 list);
	if (!body)
		return xnr_fail(err, XNR_ERR_NOMEM, "index: out of memory");
	*out = body;
	return XNR_OK;
}

static const char runs_sql[] =
    "SELECT id, created_at, model_path, model_arch, data_path, split, n_sentences, n_words,"
    " n_tokens, CASE WHEN json_valid(summary) THEN"
    " json_extract(summary, '$.seqeval_default.\"micro avg\".\"f1-score\"') END AS micro_f1"
    " FROM runs ORDER BY id";

enum xnr_status xnr__api_runs(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	sqlite3_stmt *stmt = NULL;
	json_t *items = NULL;
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK)
		return st;
	if (sqlite3_prepare_v2(r->db, runs_sql, -1, &stmt, NULL) != SQLITE_OK)
		return xnr__sql_fail(r->db, "runs", err);
	if ((st = xnr__rows_json(r->db, stmt, "runs", &items, err)) != XNR_OK)
		return st;
	*out = json_pack("{s:o}", "items", items);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "runs: out of memory");
}

/* A column that holds JSON text, parsed; kept as a string if it is not JSON. */
static void parse_json_field(json_t *obj, const char *key)
{
	const char *text = json_string_value(json_object_get(obj, key));
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (v)
		json_object_set_new(obj, key, v);
}

static const char run_sql[] =
    "SELECT id, key, created_at, duration_s, explainer_version, model_path, model_hash,"
    " model_arch, data_path, data_hash, split, options, scheme, n_sentences, n_words,"
    " n_tokens, hidden_size, summary FROM runs WHERE id = ?1";

enum xnr_status xnr__api_run(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	sqlite3_stmt *stmt = NULL;
	json_t *run = NULL, *labels = NULL;
	enum xnr_status st;
	int rc;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK)
		return st;
	if (sqlite3_prepare_v2(r->db, run_sql, -1, &stmt, NULL) != SQLITE_OK)
		return xnr__sql_fail(r->db, "runs", err);
	sqlite3_bind_int64(stmt, 1, r->ids[0]);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		st = xnr_fail(err, XNR_ERR_IO, "run %lld: no such run", (long long)r->ids[0]);
	else if (rc != SQLITE_ROW)
		st = xnr__sql_fail(r->db, "runs", err);
	else if (!(run = xnr__row_json(stmt)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "runs: out of memory");
	sqlite3_finalize(stmt);
	if (st != XNR_OK)
		return st;
	parse_json_field(run, "options");
	parse_json_field(run, "scheme");
	parse_json_field(run, "summary");
	if ((st = xnr__run_labels(r->db, r->ids[0], &labels, err)) != XNR_OK) {
		json_decref(run);
		return st;
	}
	json_object_set_new(run, "labels", labels);
	*out = run;
	return XNR_OK;
}
