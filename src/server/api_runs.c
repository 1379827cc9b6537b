/*
 * api_runs.c - the API index and the runs resource: GET /api/v1 (what the
 * API offers), GET /api/v1/runs (every stored run with its micro F1) and
 * GET /api/v1/runs/{id} (one run: labels, options, scheme and summary as
 * JSON objects). Columns follow docs/schema.md.
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
	json_t *items = NULL, *row;
	enum xnr_status st;
	int rc = SQLITE_DONE;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK)
		return st;
	if (sqlite3_prepare_v2(r->db, runs_sql, -1, &stmt, NULL) != SQLITE_OK)
		return xnr__sql_fail(r->db, "runs", err);
	items = json_array();
	while (items && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (!(row = xnr__row_json(stmt)) || json_array_append_new(items, row) != 0)
			goto nomem;
	}
	if (!items)
		goto nomem;
	if (rc != SQLITE_DONE) {
		st = xnr__sql_fail(r->db, "runs", err);
		goto fail;
	}
	sqlite3_finalize(stmt);
	*out = json_pack("{s:o}", "items", items);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "runs: out of memory");
nomem:
	st = xnr_fail(err, XNR_ERR_NOMEM, "runs: out of memory");
fail:
	sqlite3_finalize(stmt);
	json_decref(items);
	return st;
}

/* A column that holds JSON text, parsed; kept as a string if it is not JSON. */
static void parse_json_field(json_t *obj, const char *key)
{
	const char *text = json_string_value(json_object_get(obj, key));
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (v)
		json_object_set_new(obj, key, v);
}

static enum xnr_status run_labels(sqlite3 *db, int64_t run, json_t **out, struct xnr_error *err)
{
	sqlite3_stmt *stmt = NULL;
	json_t *labels = json_array();
	int rc = SQLITE_ERROR;

	if (!labels)
		return xnr_fail(err, XNR_ERR_NOMEM, "labels: out of memory");
	if (sqlite3_prepare_v2(db, "SELECT name FROM labels WHERE run_id = ?1 ORDER BY id", -1,
	                       &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, run);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			json_array_append_new(labels, xnr__col_json(stmt, 0));
	}
	if (rc != SQLITE_DONE) {
		enum xnr_status st = xnr__sql_fail(db, "labels", err);
		sqlite3_finalize(stmt);
		json_decref(labels);
		return st;
	}
	sqlite3_finalize(stmt);
	*out = labels;
	return XNR_OK;
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
	if ((st = run_labels(r->db, r->ids[0], &labels, err)) != XNR_OK) {
		json_decref(run);
		return st;
	}
	json_object_set_new(run, "labels", labels);
	*out = run;
	return XNR_OK;
}
