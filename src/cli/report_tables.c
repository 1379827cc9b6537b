/*
 * report_tables.c - loss groups and misclassified-word groups of a stored run,
 * straight from SQL (report.h). A big gap between a group's mean and median
 * loss points at a few very wrong cases: often a systematic labelling problem.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/losses.h"
#include "cli/report.h"

struct group {
	char *key;
	struct xnr_loss_stats s;
};

static int by_sum_desc(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	return x->s.sum < y->s.sum ? 1 : x->s.sum > y->s.sum ? -1 : strcmp(x->key, y->key);
}

static void groups_free(struct group *g, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(g[i].key);
	free(g);
}

/* Read (key, loss) rows ordered by key then loss into groups. */
static enum xnr_status read_groups(sqlite3 *db, const char *path, int64_t run, const char *sql,
                                   struct group **out, size_t *n_out, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	struct group *g = NULL;
	double *loss = NULL;
	size_t n = 0, cap = 0, m = 0, lcap = 0;
	char *key = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return xnr_fail(err, XNR_ERR_IO, "%s: %s", path, sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, run);
	for (;;) {
		const char *k;
		rc = sqlite3_step(st);
		k = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
		if (key && (rc != SQLITE_ROW || !k || strcmp(k, key) != 0)) {
			if (n == cap) {
				struct group *ng =
				    realloc(g, (cap = cap ? 2 * cap : 256) * sizeof *g);
				if (!ng)
					break;
				g = ng;
			}
			g[n].key = key;
			g[n++].s = xnr_loss_stats_sorted(loss, m);
			key = NULL;
			m = 0;
		}
		if (rc != SQLITE_ROW)
			break;
		if (!key && !(key = strdup(k ? k : "")))
			break;
		if (m == lcap) {
			double *nl = realloc(loss, (lcap = lcap ? 2 * lcap : 1024) * sizeof *loss);
			if (!nl)
				break;
			loss = nl;
		}
		loss[m++] = sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
	free(loss);
	if (rc != SQLITE_DONE || key) {
		free(key);
		groups_free(g, n);
		return rc != SQLITE_DONE && rc != SQLITE_ROW
		           ? xnr_fail(err, XNR_ERR_IO, "%s: %s", path, sqlite3_errmsg(db))
		           : xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	qsort(g, n, sizeof *g, by_sum_desc);
	*out = g;
	*n_out = n;
	return XNR_OK;
}

/* Print the first `top` groups (already sorted) under a heading, or add them
 * to obj[title] as JSON objects. */
static void emit_groups(const char *title, const struct group *g, size_t n, size_t top, json_t *obj)
{
	json_t *arr = obj ? json_array() : NULL;
	size_t i;

	if (!obj && top < n)
		printf("loss by %s (the %zu with the largest sum)\n", title, top);
	else if (!obj)
		printf("loss by %s\n", title);
	if (!obj)
		printf("%-24s %8s %9s %9s %10s\n", title, "count", "mean", "median", "sum");
	for (i = 0; i < n && i < top; i++) {
		if (arr)
			json_array_append_new(arr, json_pack("{s:s,s:i,s:f,s:f,s:f}", "key",
			                                     g[i].key, "count", (int)g[i].s.count,
			                                     "mean", g[i].s.mean, "median",
			                                     g[i].s.median, "sum", g[i].s.sum));
		else
			printf("%-24.24s %8ld %9.4f %9.4f %10.3f\n", g[i].key, g[i].s.count,
			       g[i].s.mean, g[i].s.median, g[i].s.sum);
	}
	if (arr)
		json_object_set_new(obj, title, arr);
	else
		printf("\n");
}

static enum xnr_status loss_table(sqlite3 *db, const char *path, int64_t run, const char *sql,
                                  const char *title, int top, json_t *obj, struct xnr_error *err)
{
	struct group *g = NULL;
	size_t n = 0;
	enum xnr_status st = read_groups(db, path, run, sql, &g, &n, err);

	if (st != XNR_OK)
		return st;
	emit_groups(title, g, n, (size_t)top, obj);
	groups_free(g, n);
	return XNR_OK;
}

enum xnr_status xnr_report_losses(sqlite3 *db, const char *path, int64_t run, int top, json_t *obj,
                                  struct xnr_error *err)
{
	static const char *const sql[2] = {
	    "SELECT text, loss FROM words WHERE run_id = ?1 AND loss IS NOT NULL ORDER BY text, "
	    "loss",
	    "SELECT text, loss FROM tokens WHERE run_id = ?1 AND loss IS NOT NULL ORDER BY text, "
	    "loss"};
	static const char *const titles[2] = {"word", "sub-token"};
	enum xnr_status st = XNR_OK;
	int i;

	for (i = 0; i < 2 && st == XNR_OK; i++)
		st = loss_table(db, path, run, sql[i], titles[i], top, obj, err);
	return st;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

enum xnr_status xnr_report_label_losses(const char *const *labels, int n_labels,
                                        const int32_t *gold, const double *loss, size_t n,
                                        json_t *obj, struct xnr_error *err)
{
	size_t *start = calloc((size_t)n_labels + 2, sizeof *start), i;
	double *sorted = malloc((n + 1) * sizeof *sorted);
	struct group *g = calloc((size_t)n_labels + 1, sizeof *g);
	int k, n_groups = 0;

	if (!start || !sorted || !g) {
		free(start);
		free(sorted);
		free(g);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	/* counting sort by label, then each label's losses sorted for its median */
	for (i = 0; i < n; i++)
		if (!isnan(loss[i]) && gold[i] >= 0 && gold[i] < n_labels)
			start[gold[i] + 1]++;
	for (k = 0; k < n_labels; k++)
		start[k + 1] += start[k];
	{
		size_t *pos = calloc((size_t)n_labels + 1, sizeof *pos);
		if (!pos) {
			free(start);
			free(sorted);
			free(g);
			return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		}
		for (i = 0; i < n; i++)
			if (!isnan(loss[i]) && gold[i] >= 0 && gold[i] < n_labels)
				sorted[start[gold[i]] + pos[gold[i]]++] = loss[i];
		free(pos);
	}
	for (k = 0; k < n_labels; k++) {
		size_t m = start[k + 1] - start[k];
		if (m == 0)
			continue;
		qsort(sorted + start[k], m, sizeof *sorted, cmp_double);
		g[n_groups].key = (char *)(uintptr_t)labels[k]; /* borrowed, never freed here */
		g[n_groups++].s = xnr_loss_stats_sorted(sorted + start[k], m);
	}
	qsort(g, (size_t)n_groups, sizeof *g, by_sum_desc);
	emit_groups("label", g, (size_t)n_groups, (size_t)n_groups, obj);
	if (!obj)
		printf("(a large gap between mean and median suggests a systematic labelling "
		       "problem)\n\n");
	free(start);
	free(sorted);
	free(g); /* keys are borrowed */
	return XNR_OK;
}

/* The most frequent words of every misclassified (gold, pred) pair, in one
 * pass over the run's words: words[gold * n + pred] (caller frees each). */
static enum xnr_status pair_words(sqlite3 *db, const char *path, int64_t run, int n, char **words,
                                  struct xnr_error *err)
{
	static const char sql[] = "SELECT gold, pred, text, count(*) AS c FROM words INDEXED BY"
	                          " words_by_labels WHERE run_id = ?1 AND gold != pred"
	                          " GROUP BY gold, pred, text"
	                          " ORDER BY gold, pred, c DESC, text";
	int *kept = calloc((size_t)n * (size_t)n + 1, sizeof *kept);
	sqlite3_stmt *st = NULL;

	if (!kept || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		free(kept);
		return xnr_fail(err, XNR_ERR_IO, "%s: %s", path, sqlite3_errmsg(db));
	}
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int g = sqlite3_column_int(st, 0), p = sqlite3_column_int(st, 1), k;
		const char *t = (const char *)sqlite3_column_text(st, 2);
		char *joined;
		size_t old;
		if (g < 0 || p < 0 || g >= n || p >= n || !t || kept[(k = g * n + p)] >= 5)
			continue;
		old = words[k] ? strlen(words[k]) : 0;
		joined = realloc(words[k], old + strlen(t) + 2);
		if (!joined)
			break;
		if (old)
			joined[old++] = ' ';
		strcpy(joined + old, t);
		words[k] = joined;
		kept[k]++;
	}
	sqlite3_finalize(st);
	free(kept);
	return XNR_OK;
}

enum xnr_status xnr_report_confusions(sqlite3 *db, const char *path, int64_t run, int n_labels,
                                      int top, json_t *obj, struct xnr_error *err)
{
	static const char sql[] =
	    "SELECT g.name, p.name, count(*) AS n, w.gold, w.pred"
	    " FROM words w JOIN labels g ON g.run_id = w.run_id AND g.id = w.gold"
	    " JOIN labels p ON p.run_id = w.run_id AND p.id = w.pred"
	    " WHERE w.run_id = ?1 AND w.gold != w.pred GROUP BY w.gold, w.pred ORDER BY n DESC,"
	    " g.name, p.name LIMIT ?2";
	sqlite3_stmt *st = NULL;
	json_t *arr = obj ? json_array() : NULL;
	char **words = calloc((size_t)n_labels * (size_t)n_labels + 1, sizeof *words);
	enum xnr_status rc;
	int i;

	if (!words)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if ((rc = pair_words(db, path, run, n_labels, words, err)) != XNR_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		json_decref(arr);
		for (i = 0; i < n_labels * n_labels; i++)
			free(words[i]);
		free(words);
		return rc != XNR_OK ? rc
		                    : xnr_fail(err, XNR_ERR_IO, "%s: %s", path, sqlite3_errmsg(db));
	}
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int(st, 2, top);
	if (!obj)
		printf("misclassified words by (gold, predicted)\n%-10s %-10s %7s  most frequent "
		       "words\n",
		       "gold", "predicted", "count");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *g = (const char *)sqlite3_column_text(st, 0);
		const char *p = (const char *)sqlite3_column_text(st, 1);
		int gi = sqlite3_column_int(st, 3), pi = sqlite3_column_int(st, 4);
		const char *w = gi >= 0 && pi >= 0 && gi < n_labels && pi < n_labels
		                    ? words[gi * n_labels + pi]
		                    : NULL;
		if (arr)
			json_array_append_new(arr, json_pack("{s:s,s:s,s:i,s:s}", "gold",
			                                     g ? g : "", "pred", p ? p : "",
			                                     "count", sqlite3_column_int(st, 2),
			                                     "words", w ? w : ""));
		else
			printf("%-10s %-10s %7d  %s\n", g ? g : "", p ? p : "",
			       sqlite3_column_int(st, 2), w ? w : "");
	}
	sqlite3_finalize(st);
	for (i = 0; i < n_labels * n_labels; i++)
		free(words[i]);
	free(words);
	if (arr)
		json_object_set_new(obj, "misclassified", arr);
	else
		printf("\n");
	return XNR_OK;
}
