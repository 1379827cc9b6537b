/*
 * scores_read.c - the read side of the label-issue scores (scores.h): the
 * record of a run's scores, the ranked sentences, entities and words with
 * their filters (fixed SQL fragments, values bound), one word's evidence,
 * and words looked up by text or by position for the evidence of the
 * consistency and neighbour signals.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/scores.h"

const char *const xnr_issue_signal_names[XNR_SIGNAL_COUNT + 1] = {
    "any", "confidence", "cl", "neighbours", "consistency", "structure", NULL};

/* When a word counts as flagged by a signal (s: word_scores). */
static const char *const signal_sql[XNR_SIGNAL_COUNT] = {
    "1",
    "s.self_confidence < 0.5",
    "s.cl_issue = 1",
    "(s.knn_split >= 0.5 OR s.knn_ref >= 0.5)",
    "s.consistency >= 0.5",
    "s.structure = 1",
};

enum { P_RUN = 1, P_LIMIT, P_OFFSET, P_KIND, P_TYPE, P_SENTENCE };

static enum xnr_status not_scored(int64_t run, struct xnr_error *err)
{
	return xnr_fail(err, XNR_ERR_NOT_FOUND,
	                "run %lld has no label-issue scores (run explainer issues)",
	                (long long)run);
}

/* Prepare sql for run; a database from before schema 4 is "not scored". */
static enum xnr_status prepare(struct xnr_store *s, const char *sql, int64_t run,
                               sqlite3_stmt **out, struct xnr_error *err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK)
		return strstr(sqlite3_errmsg(s->db), "no such table") ? not_scored(run, err)
		                                                      : xnr__store_fail(s, err);
	sqlite3_bind_int64(*out, P_RUN, run);
	return XNR_OK;
}

static double real_col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static int int_col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int(st, i);
}

static const char *text_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static char *dup_col(sqlite3_stmt *st, int i, int *oom)
{
	const char *t = text_col(st, i);
	char *d = t ? strdup(t) : NULL;
	*oom |= t && !d;
	return d;
}

void xnr_issue_run_free(struct xnr_issue_run *r)
{
	if (!r)
		return;
	free(r->created_at);
	free(r->version);
	free(r->weights_json);
	free(r->over_confident_reason);
	free(r->summary_json);
	memset(r, 0, sizeof *r);
}

enum xnr_status xnr_store_issue_run(struct xnr_store *s, int64_t run, struct xnr_issue_run *out,
                                    struct xnr_error *err)
{
	static const char sql[] =
	    "SELECT reference_run, created_at, explainer_version, method, k, weights,"
	    " over_confident, over_confident_reason, reference_accuracy, neighbours, summary"
	    " FROM issue_runs WHERE run_id = ?1";
	struct xnr_issue_run r;
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;
	int step, oom = 0;

	memset(&r, 0, sizeof r);
	if ((rc = prepare(s, sql, run, &st, err)) != XNR_OK)
		return rc;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		r.run = run;
		r.reference_run = sqlite3_column_int64(st, 0);
		r.created_at = dup_col(st, 1, &oom);
		r.version = dup_col(st, 2, &oom);
		r.method = sqlite3_column_int(st, 3);
		r.k = sqlite3_column_int(st, 4);
		r.weights_json = dup_col(st, 5, &oom);
		r.over_confident = sqlite3_column_int(st, 6);
		r.over_confident_reason = dup_col(st, 7, &oom);
		r.reference_accuracy = real_col(st, 8);
		r.neighbours = sqlite3_column_int(st, 9);
		r.summary_json = dup_col(st, 10, &oom);
	}
	rc = step == SQLITE_DONE  ? not_scored(run, err)
	     : step != SQLITE_ROW ? xnr__store_fail(s, err)
	     : oom                ? xnr_fail(err, XNR_ERR_NOMEM, "out of memory")
	                          : XNR_OK;
	sqlite3_finalize(st);
	if (rc != XNR_OK) {
		xnr_issue_run_free(&r);
		return rc;
	}
	*out = r;
	return XNR_OK;
}

struct xnr_issue_query xnr_issue_query_default(int64_t run, enum xnr_issue_level level)
{
	struct xnr_issue_query q;

	memset(&q, 0, sizeof q);
	q.run = run;
	q.level = level;
	q.limit = -1;
	q.sentence = -1;
	return q;
}

#define WORD_COLS                                                                                  \
	"s.sentence_id, s.idx, s.self_confidence, s.margin, s.cl_issue, s.cl_guess, s.knn_split,"  \
	" s.knn_ref, s.knn_counts, s.consistency, s.consistency_counts, s.structure, s.suggested," \
	" s.kind, s.combined, s.rank, w.text, w.gold, w.pred, x.text"
enum { WORD_N_COLS = 20 }; /* the columns of WORD_COLS */
#define WORD_FROM                                                                                  \
	" FROM word_scores s JOIN words w ON w.run_id = s.run_id AND w.sentence_id ="              \
	" s.sentence_id AND w.idx = s.idx JOIN sentences x ON x.run_id = s.run_id AND x.id ="      \
	" s.sentence_id"

static void word_row(sqlite3_stmt *st, struct xnr_word_score *r)
{
	memset(r, 0, sizeof *r);
	r->sentence_id = sqlite3_column_int(st, 0);
	r->idx = sqlite3_column_int(st, 1);
	r->self_confidence = real_col(st, 2);
	r->margin = real_col(st, 3);
	r->cl_issue = sqlite3_column_int(st, 4);
	r->cl_guess = int_col(st, 5);
	r->knn_split = real_col(st, 6);
	r->knn_ref = real_col(st, 7);
	r->knn_counts = text_col(st, 8);
	r->consistency = real_col(st, 9);
	r->consistency_counts = text_col(st, 10);
	r->structure = sqlite3_column_int(st, 11);
	r->suggested = int_col(st, 12);
	r->kind = text_col(st, 13);
	r->combined = sqlite3_column_double(st, 14);
	r->rank = (long)sqlite3_column_int64(st, 15);
	r->text = text_col(st, 16);
	r->gold = int_col(st, 17);
	r->pred = int_col(st, 18);
	r->sentence = text_col(st, 19);
}

static void entity_row(sqlite3_stmt *st, struct xnr_entity_score *r)
{
	r->sentence_id = sqlite3_column_int(st, 0);
	r->start = sqlite3_column_int(st, 1);
	r->end = sqlite3_column_int(st, 2);
	r->side = text_col(st, 3);
	r->type = text_col(st, 4);
	r->text = text_col(st, 5);
	r->self_confidence = real_col(st, 6);
	r->knn = real_col(st, 7);
	r->consistency = real_col(st, 8);
	r->consistency_counts = text_col(st, 9);
	r->suggested = text_col(st, 10);
	r->kind = text_col(st, 11);
	r->combined = sqlite3_column_double(st, 12);
	r->rank = (long)sqlite3_column_int64(st, 13);
}

static void sentence_row(sqlite3_stmt *st, struct xnr_sentence_score *r)
{
	r->id = sqlite3_column_int(st, 0);
	r->worst = real_col(st, 1);
	r->softmin = real_col(st, 2);
	r->combined = sqlite3_column_double(st, 3);
	r->rank = (long)sqlite3_column_int64(st, 4);
	r->n_flagged = sqlite3_column_int(st, 5);
	r->text = text_col(st, 6);
}

/* "SELECT cols FROM ... WHERE ..." of q (cols: its level's columns, or count(*)). */
static void query_sql(const struct xnr_issue_query *q, int count, char *buf, size_t size)
{
	const char *sig = signal_sql[q->signal], *kind = q->kind ? " AND s.kind = ?4" : "";
	char words[512];
	int filter = q->kind || q->signal != XNR_SIGNAL_ANY;

	/* the words of the query's kind and signal */
	snprintf(words, sizeof words, "SELECT 1 FROM word_scores s WHERE s.run_id = ?1 AND %s%s",
	         sig, kind);
	if (q->level == XNR_ISSUE_WORD)
		snprintf(buf, size, "SELECT %s%s WHERE s.run_id = ?1 AND %s%s%s%s",
		         count ? "count(*)" : WORD_COLS, count ? " FROM word_scores s" : WORD_FROM,
		         sig, kind, q->sentence >= 0 ? " AND s.sentence_id = ?6" : "",
		         count            ? ""
		         : q->by_position ? " ORDER BY s.sentence_id, s.idx LIMIT ?2 OFFSET ?3"
		                          : " ORDER BY s.rank LIMIT ?2 OFFSET ?3");
	else if (q->level == XNR_ISSUE_SENTENCE && count && !filter)
		/* every scored sentence: the rank index alone, no join over a million rows */
		snprintf(buf, size, "SELECT count(*) FROM sentence_scores t WHERE t.run_id = ?1");
	else if (q->level == XNR_ISSUE_SENTENCE)
		snprintf(buf, size,
		         "SELECT %s FROM sentence_scores t JOIN sentences x ON x.run_id = t.run_id"
		         " AND x.id = t.id WHERE t.run_id = ?1%s%s%s%s",
		         count
		             ? "count(*)"
		             : "t.id, t.worst, t.softmin, t.combined, t.rank, t.n_flagged, x.text",
		         filter ? " AND EXISTS (" : "", filter ? words : "",
		         filter ? " AND s.sentence_id = t.id)" : "",
		         count            ? ""
		         : q->by_position ? " ORDER BY t.id LIMIT ?2 OFFSET ?3"
		                          : " ORDER BY t.rank LIMIT ?2 OFFSET ?3");
	else
		snprintf(
		    buf, size, "SELECT %s FROM entity_scores e WHERE e.run_id = ?1%s%s%s%s%s%s%s",
		    count ? "count(*)"
		          : "e.sentence_id, e.start, e.end, e.side, e.type, e.text,"
		            " e.self_confidence, e.knn, e.consistency, e.consistency_counts,"
		            " e.suggested, e.kind, e.combined, e.rank",
		    q->type ? " AND e.type = ?5" : "", q->kind ? " AND e.kind = ?4" : "",
		    q->sentence >= 0 ? " AND e.sentence_id = ?6" : "",
		    q->signal != XNR_SIGNAL_ANY ? " AND EXISTS (SELECT 1 FROM word_scores s"
		                                  " WHERE s.run_id = ?1 AND s.sentence_id ="
		                                  " e.sentence_id AND s.idx >= e.start AND"
		                                  " s.idx < e.end AND "
		                                : "",
		    q->signal != XNR_SIGNAL_ANY ? sig : "", q->signal != XNR_SIGNAL_ANY ? ")" : "",
		    count            ? ""
		    : q->by_position ? " ORDER BY e.sentence_id, e.start, e.end LIMIT ?2 OFFSET ?3"
		                     : " ORDER BY e.rank LIMIT ?2 OFFSET ?3");
}

static enum xnr_status run_query(struct xnr_store *s, const struct xnr_issue_query *q, int count,
                                 xnr_issue_row_fn fn, void *ud, int64_t *total,
                                 struct xnr_error *err)
{
	char sql[2048];
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;
	int step;

	query_sql(q, count, sql, sizeof sql);
	if ((rc = prepare(s, sql, q->run, &st, err)) != XNR_OK)
		return rc;
	sqlite3_bind_int64(st, P_LIMIT, q->limit);
	sqlite3_bind_int64(st, P_OFFSET, q->offset);
	sqlite3_bind_text(st, P_KIND, q->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, P_TYPE, q->type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, P_SENTENCE, q->sentence);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		union {
			struct xnr_word_score w;
			struct xnr_entity_score e;
			struct xnr_sentence_score t;
		} row;
		memset(&row, 0, sizeof row);
		if (count) {
			*total = sqlite3_column_int64(st, 0);
			continue;
		}
		if (q->level == XNR_ISSUE_WORD)
			word_row(st, &row.w);
		else if (q->level == XNR_ISSUE_ENTITY)
			entity_row(st, &row.e);
		else
			sentence_row(st, &row.t);
		if (fn(ud, &row))
			break;
	}
	rc = step == SQLITE_ROW || step == SQLITE_DONE ? XNR_OK : xnr__store_fail(s, err);
	sqlite3_finalize(st);
	return rc;
}

enum xnr_status xnr_store_issues(struct xnr_store *s, const struct xnr_issue_query *q,
                                 xnr_issue_row_fn fn, void *ud, int64_t *total,
                                 struct xnr_error *err)
{
	struct xnr_issue_run rec;
	int64_t n = 0;
	enum xnr_status rc;

	if ((unsigned)q->level >= XNR_ISSUE_LEVELS || (unsigned)q->signal >= XNR_SIGNAL_COUNT ||
	    q->offset < 0)
		return xnr_fail(err, XNR_ERR_INPUT, "issues: a query value is out of range");
	if (total && (rc = run_query(s, q, 1, fn, ud, &n, err)) != XNR_OK)
		return rc;
	/* nothing found: a run without scores is NOT_FOUND, not an empty list */
	if (total && n == 0) {
		if ((rc = xnr_store_issue_run(s, q->run, &rec, err)) != XNR_OK)
			return rc;
		xnr_issue_run_free(&rec);
	}
	if (total)
		*total = n;
	return run_query(s, q, 0, fn, ud, NULL, err);
}

/* A neighbour BLOB into v (at most cap records): how many it holds. */
static int neighbours_col(sqlite3_stmt *st, int i, struct xnr_neighbour *v, int cap)
{
	int n = sqlite3_column_bytes(st, i) / (int)sizeof *v;
	const void *blob = sqlite3_column_blob(st, i);

	n = n < cap ? n : cap;
	if (blob && n > 0)
		memcpy(v, blob, (size_t)n * sizeof *v); /* blobs need not be aligned */
	return blob ? n : 0;
}

enum xnr_status xnr_store_word_score(struct xnr_store *s, int64_t run, int sentence_id, int idx,
                                     xnr_issue_row_fn fn, void *ud, struct xnr_error *err)
{
	static const char sql[] = "SELECT " WORD_COLS ", s.neighbours, s.ref_neighbours" WORD_FROM
	                          " WHERE s.run_id = ?1 AND s.sentence_id = ?2 AND s.idx = ?3";
	struct xnr_neighbour nb[256], ref_nb[256];
	struct xnr_word_score r;
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;
	int step;

	if ((rc = prepare(s, sql, run, &st, err)) != XNR_OK)
		return rc;
	sqlite3_bind_int(st, 2, sentence_id);
	sqlite3_bind_int(st, 3, idx);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		word_row(st, &r);
		r.nb = nb;
		r.ref_nb = ref_nb;
		r.n_nb = neighbours_col(st, WORD_N_COLS, nb, 256);
		r.n_ref_nb = neighbours_col(st, WORD_N_COLS + 1, ref_nb, 256);
		fn(ud, &r);
	}
	rc = step == SQLITE_ROW    ? XNR_OK
	     : step == SQLITE_DONE ? xnr_fail(err, XNR_ERR_NOT_FOUND,
	                                      "run %lld: no scores for word %d of sentence %d",
	                                      (long long)run, idx, sentence_id)
	                           : xnr__store_fail(s, err);
	sqlite3_finalize(st);
	return rc;
}

enum xnr_status xnr_store_word_places(struct xnr_store *s, int64_t run, const char *text,
                                      long limit, xnr_issue_row_fn fn, void *ud, int64_t *total,
                                      struct xnr_error *err)
{
	static const char count_sql[] =
	    "SELECT count(*) FROM words WHERE run_id = ?1 AND text = ?2";
	static const char sql[] =
	    "SELECT w.sentence_id, w.idx, w.gold, w.text, x.text FROM words w JOIN sentences x"
	    " ON x.run_id = w.run_id AND x.id = w.sentence_id WHERE w.run_id = ?1 AND w.text = ?2"
	    " ORDER BY w.sentence_id, w.idx LIMIT ?3";
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;
	int step;

	for (int pass = 0; pass < 2; pass++) {
		if ((rc = xnr__store_prepare(s, pass ? sql : count_sql, run, &st, err)) != XNR_OK)
			return rc;
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, limit);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			struct xnr_word_place p;
			if (!pass) {
				*total = sqlite3_column_int64(st, 0);
				continue;
			}
			p = (struct xnr_word_place){sqlite3_column_int(st, 0),
			                            sqlite3_column_int(st, 1), int_col(st, 2),
			                            text_col(st, 3), text_col(st, 4)};
			if (fn(ud, &p))
				break;
		}
		rc = step == SQLITE_ROW || step == SQLITE_DONE ? XNR_OK : xnr__store_fail(s, err);
		sqlite3_finalize(st);
		if (rc != XNR_OK)
			return rc;
	}
	return XNR_OK;
}

enum xnr_status xnr_store_words_at(struct xnr_store *s, int64_t run, const struct xnr_neighbour *at,
                                   size_t n, xnr_issue_row_fn fn, void *ud, struct xnr_error *err)
{
	static const char sql[] =
	    "SELECT w.gold, w.text, x.text FROM words w JOIN sentences x ON x.run_id = w.run_id"
	    " AND x.id = w.sentence_id WHERE w.run_id = ?1 AND w.sentence_id = ?2 AND w.idx = ?3";
	sqlite3_stmt *st = NULL;
	enum xnr_status rc = xnr__store_prepare(s, sql, run, &st, err);

	for (size_t i = 0; rc == XNR_OK && i < n; i++) {
		int step;
		sqlite3_bind_int(st, 2, at[i].sentence_id);
		sqlite3_bind_int(st, 3, at[i].idx);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			struct xnr_word_place p = {at[i].sentence_id, at[i].idx, int_col(st, 0),
			                           text_col(st, 1), text_col(st, 2)};
			if (fn(ud, &p))
				break;
		} else if (step != SQLITE_DONE) {
			rc = xnr__store_fail(s, err);
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}
