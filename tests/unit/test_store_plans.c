/*
 * test_store_plans.c - the queries behind the web app's list pages stay
 * index lookups at any run size (issue #15: pages under 100 ms on a run of a
 * million sentences). Each page's store calls are made on a new database
 * with the statements SQLite runs traced; every traced statement's plan
 * (EXPLAIN QUERY PLAN, which does not depend on the rows) must read its
 * tables through an index: no full SCAN of a run's rows, no sort of them
 * (a "TEMP B-TREE" of a whole run). A timing test would flake on a shared
 * machine; a plan does not. The pages' aggregates (metrics, confusions,
 * loss tables) scan by nature and are kept instead (run_results).
 * PLANS=1 prints every plan.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/read.h"
#include "store/scores.h"
#include "store/store.h"

#define MAX_SQL 32

struct traced {
	char *sql[MAX_SQL];
	int n;
};

static int on_stmt(unsigned type, void *ud, void *p, void *x)
{
	struct traced *t = ud;
	const char *sql = sqlite3_sql(p);
	(void)type;
	(void)x;
	if (t->n < MAX_SQL && sql && strncmp(sql, "PRAGMA", 6) != 0)
		t->sql[t->n++] = strdup(sql);
	return 0;
}

enum kind { SENTENCES, WORDS, TOKENS };

/* Step the rows once (a statement is traced when it first runs): a first
 * row or none, as want says; then close. */
static void step_rows(struct xnr_rows *rows, enum kind k, int want)
{
	struct xnr_sentence_row srow;
	struct xnr_word_row wrow;
	struct xnr_token_row trow;
	struct xnr_error err;
	int more = 1;

	assert_int_equal(k == WORDS    ? xnr_rows_word(rows, &wrow, &more, &err)
	                 : k == TOKENS ? xnr_rows_token(rows, &trow, &more, &err)
	                               : xnr_rows_sentence(rows, &srow, &more, &err),
	                 XNR_OK);
	assert_int_equal(more, want);
	xnr_rows_close(rows);
}

static int no_row(void *ud, const void *row)
{
	(void)ud;
	(void)row;
	return 0;
}

/* Every traced statement's plan, checked and forgotten; page names the
 * page in the failure. */
static void check_plans(struct xnr_store *s, struct traced *t, const char *page)
{
	char sql[4096];
	int i;

	sqlite3_trace_v2(s->db, 0, NULL, NULL);
	assert_true(t->n > 0);
	for (i = 0; i < t->n; i++) {
		sqlite3_stmt *st = NULL;
		snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", t->sql[i]);
		assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
		/* rows picked from a list of ids (json_each) by their key, never a
		 * range over the whole run: a sort sorts only the listed rows */
		int listed = strstr(t->sql[i], "json_each(") != NULL, whole_run = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 3);
			whole_run |= strstr(d, "(run_id=?)") != NULL;
		}
		sqlite3_reset(st);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 3);
			if (getenv("PLANS"))
				fprintf(stderr, "%s: %s\n   %s\n", page, t->sql[i], d);
			/* json_each lists, the search index and a CTE's page are small */
			int ok = strncmp(d, "SCAN ", 5) != 0 || strstr(d, "json_each") ||
			         strstr(d, "VIRTUAL TABLE") || strcmp(d, "SCAN k") == 0 ||
			         strstr(d, "CONSTANT ROW");
			/* a page of keys (WITH k AS (... LIMIT)) sorts only its own rows */
			int page_sort = (sqlite3_column_int(st, 1) == 0 &&
			                 strncmp(t->sql[i], "WITH k AS", 9) == 0) ||
			                (listed && !whole_run);
			if (!ok || (strstr(d, "TEMP B-TREE") && !page_sort))
				fail_msg("%s: %s\n  plan: %s", page, t->sql[i], d);
			/* a list drives the lookups: never the run's rows each matched to the list
			 */
			if (listed && whole_run)
				fail_msg("%s: %s\n  walks the whole run for a list: %s", page,
				         t->sql[i], d);
		}
		sqlite3_finalize(st);
		free(t->sql[i]);
	}
	t->n = 0;
	sqlite3_trace_v2(s->db, SQLITE_TRACE_STMT, on_stmt, t);
}

/* The count and the first page of q (a first row or none, as want says),
 * their plans checked as page's. */
static void sentence_plans(struct xnr_store *s, struct traced *t,
                           const struct xnr_sentence_query *q, int want, const char *page)
{
	struct xnr_rows *rows = NULL;
	struct xnr_error err;
	int64_t total = 0;

	assert_int_equal(xnr_store_sentences_count(s, q, &total, &err), XNR_OK);
	assert_int_equal(xnr_store_sentences(s, q, &rows, &err), XNR_OK);
	step_rows(rows, SENTENCES, want);
	check_plans(s, t, page);
}

static void test_page_plans(void **state)
{
	char path[4200];
	struct xnr_store *s = NULL;
	struct xnr_error err;
	struct xnr_rows *rows = NULL;
	struct traced t = {{NULL}, 0};
	int64_t total = 0;
	(void)state;

	snprintf(path, sizeof path, "%s/plans.db", tu_tmpdir("store_plans"));
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	assert_int_equal(
	    xnr__store_exec(s,
	                    "INSERT INTO runs (id, key, created_at, n_sentences, n_words, n_tokens)"
	                    " VALUES (1, 'k', 'now', 1, 0, 0);"
	                    /* one sentence, so that the run's ids are 0..n-1 (Random Samples) */
	                    "INSERT INTO sentences (run_id, id, text, loss, n_word_errors,"
	                    " n_entity_errors) VALUES (1, 0, 'x', 0.5, 0, 0);"
	                    "INSERT INTO issue_runs (run_id, created_at, method, k, weights,"
	                    " over_confident, neighbours) VALUES (1, 'now', 1, 10, '{}', 0, 0)",
	                    &err),
	    XNR_OK);
	sqlite3_trace_v2(s->db, SQLITE_TRACE_STMT, on_stmt, &t);

	{ /* Samples by Loss: loss >= 0.5, words wrong, worst first */
		struct xnr_sentence_query q = xnr_sentence_query_default(1);
		q.sort = XNR_SENT_BY_LOSS;
		q.ascending = 0;
		q.has_min_loss = 1;
		q.min_loss = 0.5;
		q.with_errors = 1;
		q.limit = 25;
		sentence_plans(s, &t, &q, 0, "samples");
	}
	{ /* Misclassified: the sentences with a (gold, predicted) pair */
		struct xnr_sentence_query q = xnr_sentence_query_default(1);
		q.sort = XNR_SENT_BY_LOSS;
		q.ascending = 0;
		q.gold = 1;
		q.pred = 0;
		q.limit = 20;
		sentence_plans(s, &t, &q, 0, "misclassified");
	}
	{ /* Random Samples: a page of the seed's order, read by its ids */
		struct xnr_sentence_query q = xnr_sentence_query_default(1);
		q.sort = XNR_SENT_BY_RANDOM;
		q.seed = 3;
		q.limit = 128;
		sentence_plans(s, &t, &q, 1, "random");
	}
	{ /* Inspect and Raw: the first page of words and of sub-tokens */
		struct xnr_word_query q = xnr_word_query_default(1);
		int tokens;
		for (tokens = 0; tokens < 2; tokens++) {
			q.tokens = tokens;
			q.limit = 50;
			assert_int_equal(xnr_store_words_count(s, &q, &total, &err), XNR_OK);
			assert_int_equal(total, 0);
			assert_int_equal(xnr_store_words(s, &q, &rows, &err), XNR_OK);
			step_rows(rows, tokens ? TOKENS : WORDS, 0);
			check_plans(s, &t, tokens ? "raw sub-tokens" : "raw words");
		}
	}
	{ /* Hidden States: a sparse sample's rows, read by their keys */
		static const int64_t keys[] = {0, 0, 0, 3, 5, 1};
		struct xnr_hidden_row h;
		int more = 1;
		assert_int_equal(xnr_store_hidden_at(s, 1, keys, 3, &rows, &err), XNR_OK);
		assert_int_equal(xnr_rows_hidden(rows, &h, &more, &err), XNR_OK);
		assert_int_equal(more, 0);
		xnr_rows_close(rows);
		check_plans(s, &t, "hidden states sample");
	}
	{ /* Label issues: the first page of sentences, most suspect first */
		struct xnr_issue_query q = xnr_issue_query_default(1, XNR_ISSUE_SENTENCE);
		q.limit = 25;
		assert_int_equal(xnr_store_issues(s, &q, no_row, NULL, &total, &err), XNR_OK);
		check_plans(s, &t, "issues");
	}
	sqlite3_trace_v2(s->db, 0, NULL, NULL);
	xnr_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_page_plans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
