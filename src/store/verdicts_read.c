/*
 * verdicts_read.c - the verdicts on a run's data (verdicts.h) read back,
 * each with its state against the run: the run's sentence at the verdict's
 * JSONL id (nearest its line when the id repeats) or at its source line,
 * current when its words are the verdict's, stale when they are not (or
 * when changed data no longer has it), not in the run when the same data
 * was sampled.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/verdicts.h"

static const char *const state_names[XNR_VERDICT_STATE_COUNT] = {"current", "stale", "not_in_run"};

const char *xnr_verdict_state_name(enum xnr_verdict_state state)
{
	return (unsigned)state < XNR_VERDICT_STATE_COUNT ? state_names[state] : "?";
}

static void free_list(char **v, int n)
{
	for (int i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void xnr_verdict_free(struct xnr_verdict *v)
{
	if (!v)
		return;
	free_list(v->labels, v->end - v->start);
	free_list(v->was, v->end - v->start);
	free(v->who);
	free(v->why);
	free(v->created_at);
	free(v->updated_at);
	free(v->data_path);
	free(v->split);
	free(v->data_hash);
	free(v->source_id);
	free(v->sentence_text);
	free(v->span_text);
	memset(v, 0, sizeof *v);
}

void xnr_verdicts_free(struct xnr_verdict *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		xnr_verdict_free(&v[i]);
	free(v);
}

/* The columns read, in this order (VERDICT_COLS). */
#define VERDICT_COLS                                                                               \
	"id, kind, start, end, labels, was, who, why, created_at, updated_at, run_id, data_path,"  \
	" split, data_hash, source_line, source_id, sentence_text, span_text, n_words"
enum { C_ID, C_KIND, C_START, C_END, C_LABELS, C_WAS, C_TEXT0 = C_LABELS + 2, C_RUN = 10 };

/* A JSON array of n strings into a new list (a null element reads as ""); -1
 * when it is not that or memory ran out; *out NULL for a NULL column. */
static int string_list(const char *json, int n, char ***out)
{
	json_t *a;
	char **v;
	int i;

	*out = NULL;
	if (!json)
		return 0;
	a = json_loads(json, 0, NULL);
	if (!json_is_array(a) || json_array_size(a) != (size_t)n ||
	    !(v = calloc((size_t)n, sizeof *v))) {
		json_decref(a);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, (size_t)i));
		if (!(v[i] = strdup(s ? s : "")))
			break;
	}
	json_decref(a);
	if (i < n) {
		free_list(v, n);
		return -1;
	}
	*out = v;
	return 0;
}

static int dup_col(sqlite3_stmt *st, int col, char **out)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	*out = t ? strdup(t) : NULL;
	return t && !*out ? -1 : 0;
}

/* The current row into *v (zeroed first); -1 when out of memory or malformed. */
static int verdict_row(sqlite3_stmt *st, struct xnr_verdict *v)
{
	char **text[] = {&v->who,       &v->why,   &v->created_at, &v->updated_at,
	                 &v->data_path, &v->split, &v->data_hash};
	int i;

	memset(v, 0, sizeof *v);
	v->id = sqlite3_column_int64(st, C_ID);
	if (xnr_verdict_kind_parse((const char *)sqlite3_column_text(st, C_KIND), &v->kind) != 0)
		return -1;
	v->start = sqlite3_column_int(st, C_START);
	v->end = sqlite3_column_int(st, C_END);
	if (v->end <= v->start || v->end - v->start > 1 << 20)
		return -1;
	if (string_list((const char *)sqlite3_column_text(st, C_LABELS), v->end - v->start,
	                &v->labels) != 0 ||
	    string_list((const char *)sqlite3_column_text(st, C_WAS), v->end - v->start, &v->was) !=
	        0)
		return -1;
	for (i = 0; i < 4; i++)
		if (dup_col(st, C_TEXT0 + i, text[i]) != 0)
			return -1;
	v->run_id =
	    sqlite3_column_type(st, C_RUN) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, C_RUN);
	for (i = 4; i < 7; i++)
		if (dup_col(st, C_RUN + i - 3, text[i]) != 0)
			return -1;
	v->source_line = (long)sqlite3_column_int64(st, 14);
	v->n_words = sqlite3_column_int(st, 18);
	return dup_col(st, 15, &v->source_id) || dup_col(st, 16, &v->sentence_text) ||
	               dup_col(st, 17, &v->span_text) || !v->who || !v->why
	           ? -1
	           : 0;
}

/* The run's data: what its verdicts are keyed by. */
struct run_data {
	int64_t run;
	char *path, *split, *hash;
	sqlite3_stmt *by_line, *by_id; /* the run's sentence at a line, at an id */
};

static void run_data_free(struct run_data *d)
{
	free(d->path);
	free(d->split);
	free(d->hash);
	sqlite3_finalize(d->by_line);
	sqlite3_finalize(d->by_id);
}

static enum xnr_status run_data_load(struct xnr_store *s, int64_t run, struct run_data *d,
                                     struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;
	int step;

	memset(d, 0, sizeof *d);
	d->run = run;
	if ((rc =
	         xnr__store_prepare(s, "SELECT data_path, split, data_hash FROM runs WHERE id = ?1",
	                            run, &st, err)) != XNR_OK)
		return rc;
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (dup_col(st, 0, &d->path) || dup_col(st, 1, &d->split) ||
		    dup_col(st, 2, &d->hash))
			rc = xnr_fail(err, XNR_ERR_NOMEM, "verdicts: out of memory");
	} else {
		rc = step == SQLITE_DONE
		         ? xnr_fail(err, XNR_ERR_NOT_FOUND, "run %lld: no such run", (long long)run)
		         : xnr__store_fail(s, err);
	}
	sqlite3_finalize(st);
	if (rc == XNR_OK &&
	    ((rc = xnr__store_prepare(s,
	                              "SELECT id, text, n_words FROM sentences WHERE run_id = ?1"
	                              " AND source_line = ?2 ORDER BY id LIMIT 1",
	                              run, &d->by_line, err)) != XNR_OK ||
	     (rc = xnr__store_prepare(s,
	                              "SELECT id, text, n_words FROM sentences WHERE run_id = ?1"
	                              " AND source_id = ?2 ORDER BY abs(source_line - ?3), id"
	                              " LIMIT 1",
	                              run, &d->by_id, err)) != XNR_OK))
		run_data_free(d);
	return rc;
}

/* v's state and sentence against the run of d. */
static enum xnr_status place(struct xnr_store *s, struct run_data *d, struct xnr_verdict *v,
                             struct xnr_error *err)
{
	sqlite3_stmt *st = v->source_id ? d->by_id : d->by_line;
	int step;

	sqlite3_reset(st);
	if (v->source_id) {
		sqlite3_bind_text(st, 2, v->source_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, v->source_line);
	} else {
		sqlite3_bind_int64(st, 2, v->source_line);
	}
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 1);
		int same = text && strcmp(text, v->sentence_text) == 0 &&
		           sqlite3_column_int(st, 2) == v->n_words && v->end <= v->n_words;
		v->sentence_id = sqlite3_column_int64(st, 0);
		v->state = same ? XNR_VERDICT_CURRENT : XNR_VERDICT_STALE;
	} else if (step == SQLITE_DONE) {
		/* Same content: the run left it out. Changed content: it is gone or moved. */
		v->sentence_id = -1;
		v->state = strcmp(v->data_hash, d->hash ? d->hash : "") == 0
		               ? XNR_VERDICT_NOT_IN_RUN
		               : XNR_VERDICT_STALE;
	} else {
		return xnr__store_fail(s, err);
	}
	sqlite3_reset(st);
	return XNR_OK;
}

/* Append the statement's rows that pass the sentence filter to *list. */
static enum xnr_status collect(struct xnr_store *s, sqlite3_stmt *st, struct run_data *d,
                               int64_t sentence, struct xnr_verdict **list, size_t *n,
                               struct xnr_error *err)
{
	size_t cap = 0;
	int step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct xnr_verdict v;
		enum xnr_status rc;
		if (*n == cap) {
			struct xnr_verdict *p =
			    realloc(*list, (cap = cap ? 2 * cap : 16) * sizeof *p);
			if (!p)
				return xnr_fail(err, XNR_ERR_NOMEM, "verdicts: out of memory");
			*list = p;
		}
		if (verdict_row(st, &v) != 0) {
			xnr_verdict_free(&v);
			return xnr_fail(err, XNR_ERR_DB, "%s: verdict %lld is malformed", s->path,
			                (long long)sqlite3_column_int64(st, C_ID));
		}
		if ((rc = place(s, d, &v, err)) != XNR_OK ||
		    (sentence >= 0 && v.sentence_id != sentence)) {
			xnr_verdict_free(&v);
			if (rc != XNR_OK)
				return rc;
			continue;
		}
		(*list)[(*n)++] = v;
	}
	return step == SQLITE_DONE ? XNR_OK : xnr__store_fail(s, err);
}

/* The verdicts on run's data (one, when id >= 0). */
static enum xnr_status load(struct xnr_store *s, int64_t run, int64_t sentence, int64_t id,
                            struct xnr_verdict **out, size_t *n, struct xnr_error *err)
{
	static const char sql[] =
	    "SELECT " VERDICT_COLS " FROM verdicts WHERE (data_hash = ?1 OR (data_path = ?2 AND"
	    " split IS ?3)) AND (?4 < 0 OR id = ?4) ORDER BY source_line, start, id";
	struct xnr_verdict *list = NULL;
	struct run_data d;
	sqlite3_stmt *st = NULL;
	size_t count = 0;
	enum xnr_status rc;

	if ((rc = run_data_load(s, run, &d, err)) != XNR_OK)
		return rc;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		/* A database older than the verdicts, read before an upgrade: none. */
		rc = strstr(sqlite3_errmsg(s->db), "no such table") ? XNR_OK
		                                                    : xnr__store_fail(s, err);
		goto done;
	}
	sqlite3_bind_text(st, 1, d.hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d.path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d.split, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, id);
	rc = collect(s, st, &d, sentence, &list, &count, err);
done:
	sqlite3_finalize(st);
	run_data_free(&d);
	if (rc != XNR_OK) {
		xnr_verdicts_free(list, count);
		return rc;
	}
	*out = count ? list : (free(list), NULL);
	*n = count;
	return XNR_OK;
}

enum xnr_status xnr_store_verdicts(struct xnr_store *s, int64_t run, int64_t sentence,
                                   struct xnr_verdict **out, size_t *n, struct xnr_error *err)
{
	return load(s, run, sentence, -1, out, n, err);
}

enum xnr_status xnr_store_verdict_get(struct xnr_store *s, int64_t run, int64_t id,
                                      struct xnr_verdict *out, struct xnr_error *err)
{
	struct xnr_verdict *v = NULL;
	size_t n = 0;
	enum xnr_status rc =
	    id < 0 ? xnr_fail(err, XNR_ERR_NOT_FOUND, "no verdict %lld", (long long)id)
	           : load(s, run, -1, id, &v, &n, err);

	if (rc != XNR_OK)
		return rc;
	if (n == 0)
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "run %lld: no verdict %lld on its data",
		                (long long)run, (long long)id);
	*out = v[0];
	free(v);
	return XNR_OK;
}
