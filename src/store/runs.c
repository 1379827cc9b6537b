/*
 * runs.c - the runs of a database (read.h): one run with its labels (the one
 * "no such run" check), every run, the newest, and what callers ask of a
 * run's labels and hidden states.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

/* The columns of `runs` in struct xnr_run order, with the summary's micro F1
 * (NULL when the summary is not JSON or has none). */
#define RUN_SQL                                                                                    \
	"SELECT id, key, created_at, explainer_version, model_path, model_hash, model_arch,"       \
	" data_path, data_hash, split, options, scheme, summary, duration_s, n_sentences,"         \
	" n_words, n_tokens, hidden_size, CASE WHEN json_valid(summary) THEN"                      \
	" json_extract(summary, '$.seqeval_default.\"micro avg\".\"f1-score\"') END FROM runs"
enum { COL_KEY = 1, N_TEXT = 12, COL_DURATION = 13 };

static char **text_field(struct xnr_run *r, int i)
{
	char **fields[N_TEXT] = {&r->key,          &r->created_at,  &r->version,
	                         &r->model_path,   &r->model_hash,  &r->model_arch,
	                         &r->data_path,    &r->data_hash,   &r->split,
	                         &r->options_json, &r->scheme_json, &r->summary_json};
	return fields[i];
}

void xnr_run_free(struct xnr_run *r)
{
	int i;

	if (!r)
		return;
	for (i = 0; i < N_TEXT; i++)
		free(*text_field(r, i));
	for (i = 0; r->labels && i < r->n_labels; i++)
		free(r->labels[i]);
	free(r->labels);
	memset(r, 0, sizeof *r);
}

void xnr_runs_free(struct xnr_run *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		xnr_run_free(&v[i]);
	free(v);
}

static double real_or_nan(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static int64_t int_or_minus1(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

/* The current row of RUN_SQL into r (zeroed first). -1 when out of memory. */
static int run_row(sqlite3_stmt *st, struct xnr_run *r)
{
	int i;

	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	for (i = 0; i < N_TEXT; i++) {
		const char *t = (const char *)sqlite3_column_text(st, COL_KEY + i);
		if (t && !(*text_field(r, i) = strdup(t)))
			return -1;
	}
	r->duration_s = real_or_nan(st, COL_DURATION);
	r->n_sentences = int_or_minus1(st, COL_DURATION + 1);
	r->n_words = int_or_minus1(st, COL_DURATION + 2);
	r->n_tokens = int_or_minus1(st, COL_DURATION + 3);
	r->hidden_size = int_or_minus1(st, COL_DURATION + 4);
	r->micro_f1 = real_or_nan(st, COL_DURATION + 5);
	return 0;
}

/* The labels of r, checked to be 0..n-1. */
static enum xnr_status load_labels(struct xnr_store *s, struct xnr_run *r, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;
	int step, cap = 0;

	if ((rc = xnr__store_prepare(s, "SELECT id, name FROM labels WHERE run_id = ?1 ORDER BY id",
	                             r->id, &st, err)) != XNR_OK)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		if (sqlite3_column_int64(st, 0) != r->n_labels) {
			rc = xnr_fail(err, XNR_ERR_FORMAT, "run %lld: label ids are not 0..n-1",
			              (long long)r->id);
			break;
		}
		if (r->n_labels == cap) {
			char **v =
			    realloc(r->labels, (size_t)(cap = cap ? 2 * cap : 16) * sizeof *v);
			if (!v)
				break;
			r->labels = v;
		}
		if (!(r->labels[r->n_labels] = strdup(name ? name : "")))
			break;
		r->n_labels++;
	}
	if (rc == XNR_OK && step == SQLITE_ROW)
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	else if (rc == XNR_OK && step != SQLITE_DONE)
		rc = xnr__store_fail(s, err);
	sqlite3_finalize(st);
	return rc;
}

enum xnr_status xnr_store_run_get(struct xnr_store *s, int64_t id, struct xnr_run *out,
                                  struct xnr_error *err)
{
	struct xnr_run r;
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;
	int step;

	char sql[sizeof RUN_SQL + 64];

	memset(&r, 0, sizeof r);
	snprintf(sql, sizeof sql, RUN_SQL " WHERE id = ?1 AND %s", xnr__store_complete(s));
	if ((rc = xnr__store_prepare(s, sql, id, &st, err)) != XNR_OK)
		return rc;
	step = sqlite3_step(st);
	if (step == SQLITE_DONE)
		rc = xnr_fail(err, XNR_ERR_NOT_FOUND, "run %lld: no such run", (long long)id);
	else if (step != SQLITE_ROW)
		rc = xnr__store_fail(s, err);
	else if (run_row(st, &r) != 0)
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	sqlite3_finalize(st);
	if (rc == XNR_OK)
		rc = load_labels(s, &r, err);
	if (rc != XNR_OK) {
		xnr_run_free(&r);
		return rc;
	}
	*out = r;
	return XNR_OK;
}

enum xnr_status xnr_store_runs(struct xnr_store *s, struct xnr_run **out, size_t *n,
                               struct xnr_error *err)
{
	struct xnr_run *v = NULL;
	size_t count = 0, cap = 0;
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;
	int step;
	char sql[sizeof RUN_SQL + 64];

	snprintf(sql, sizeof sql, RUN_SQL " WHERE %s ORDER BY id", xnr__store_complete(s));
	if ((rc = xnr__store_prepare(s, sql, 0, &st, err)) != XNR_OK)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			struct xnr_run *g = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof *g);
			if (!g)
				break;
			v = g;
		}
		if (run_row(st, &v[count++]) != 0)
			break;
	}
	if (step == SQLITE_ROW)
		rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	else if (step != SQLITE_DONE)
		rc = xnr__store_fail(s, err);
	sqlite3_finalize(st);
	if (rc != XNR_OK) {
		xnr_runs_free(v, count);
		return rc;
	}
	*out = v;
	*n = count;
	return XNR_OK;
}

enum xnr_status xnr_store_run_latest(struct xnr_store *s, int64_t *id, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	char sql[64];
	enum xnr_status rc;

	snprintf(sql, sizeof sql, "SELECT max(id) FROM runs WHERE %s", xnr__store_complete(s));
	if ((rc = xnr__store_prepare(s, sql, 0, &st, err)) != XNR_OK)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else
		rc = xnr__store_fail(s, err);
	sqlite3_finalize(st);
	return rc;
}

int xnr_run_label_id(const struct xnr_run *r, const char *name)
{
	int i;

	for (i = 0; name && i < r->n_labels; i++)
		if (strcmp(r->labels[i], name) == 0)
			return i;
	return -1;
}

const char *xnr_run_label_name(const struct xnr_run *r, int64_t id)
{
	return id >= 0 && id < r->n_labels ? r->labels[id] : NULL;
}

enum xnr_status xnr_run_hidden_check(const struct xnr_run *r, struct xnr_error *err)
{
	if (r->hidden_size < 2 || r->hidden_size > 65536)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "run %lld stores no hidden states (hidden_size %lld)",
		                (long long)r->id, (long long)r->hidden_size);
	return XNR_OK;
}
