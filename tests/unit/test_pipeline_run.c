/*
 * test_pipeline_run.c - xnr_pipeline_run on the demo model and the first 20
 * sentences of demo/eval.conll: a run stored with the right counts, the same
 * request reused, progress that only goes forward and ends at 1, a cancel
 * after the first chunk (or during loading) that leaves the database as it
 * was, or leaves no file at all when the run was to create it, and bad
 * options or a missing data file reported with the path.
 */
#include "testutil.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/pipeline.h"

#define N_SENTENCES 20
#define N_WORDS     327 /* words of the first 20 sentences of demo/eval.conll */

static char model_dir[4096], eval_path[4096]; /* set by main */

struct watch {
	double last;
	int n_calls, backwards;
	char first_stage[16], last_stage[16];
	const char *cancel_at; /* set cancel once this stage reports done > 0 */
	int cancel;
};

static void on_progress(void *ud, double done, const char *stage)
{
	struct watch *w = ud;
	if (w->n_calls == 0)
		snprintf(w->first_stage, sizeof w->first_stage, "%s", stage);
	snprintf(w->last_stage, sizeof w->last_stage, "%s", stage);
	w->backwards += done < w->last || done < 0.0 || done > 1.0;
	w->last = done;
	w->n_calls++;
	if (w->cancel_at && strcmp(stage, w->cancel_at) == 0 &&
	    (done > 0.0 || strcmp(stage, "loading") == 0))
		__atomic_store_n(&w->cancel, 1, __ATOMIC_RELAXED);
}

static struct xnr_run_opts demo_opts(const char *db, int limit)
{
	struct xnr_run_opts o = xnr_run_default_opts();
	o.model = model_dir;
	o.data = eval_path;
	o.output = db;
	o.limit = limit;
	o.threads = 2;
	return o;
}

/* One integer from SQL on the database at path (-1 if it cannot be read). */
static int64_t count(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int64_t n = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return n;
}

static int file_exists(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f)
		fclose(f);
	return f != NULL;
}

/* Entries of dir other than "." and "..". */
static int n_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_run_then_reuse(void **state)
{
	char db[4096];
	struct xnr_run_opts o;
	struct watch w = {0};
	struct xnr_ctl ctl = {on_progress, &w, &w.cancel};
	struct xnr_run_outcome out, again;
	struct xnr_error err;
	const char *dir = tu_tmpdir("pipeline_run");
	(void)state;

	snprintf(db, sizeof db, "%s/run.db", dir);
	o = demo_opts(db, N_SENTENCES);
	assert_int_equal(xnr_pipeline_run(&o, &ctl, &out, &err), XNR_OK);
	assert_int_equal(n_entries(dir), 1); /* run.db alone, nothing staged left */
	assert_true(out.run_id > 0);
	assert_int_equal(out.reused, 0);
	assert_int_equal(out.n_sentences, N_SENTENCES);
	assert_int_equal(out.n_words, N_WORDS);
	assert_true(out.n_tokens >= out.n_words);
	assert_true(out.seconds > 0.0);
	assert_non_null(out.report);
	assert_non_null(strstr(out.report, "micro avg"));
	assert_int_equal(w.backwards, 0);
	assert_true(w.n_calls >= 4);
	assert_string_equal(w.first_stage, "loading");
	assert_string_equal(w.last_stage, "summary");
	assert_true(w.last == 1.0);

	assert_int_equal(count(db, "select count(*) from runs"), 1);
	assert_int_equal(count(db, "select n_sentences from runs"), N_SENTENCES);
	assert_int_equal(count(db, "select count(*) from sentences"), N_SENTENCES);
	assert_int_equal(count(db, "select count(*) from words"), N_WORDS);
	assert_int_equal(count(db, "select sum(n_tokens) from sentences"), out.n_tokens);
	assert_int_equal(count(db, "select count(*) from hidden"), N_WORDS);

	memset(&w, 0, sizeof w);
	assert_int_equal(xnr_pipeline_run(&o, &ctl, &again, &err), XNR_OK);
	assert_int_equal(again.reused, 1);
	assert_int_equal(again.run_id, out.run_id);
	assert_int_equal(again.n_sentences, N_SENTENCES);
	assert_int_equal(again.n_words, N_WORDS);
	assert_int_equal(again.n_tokens, out.n_tokens);
	assert_null(again.report);
	assert_int_equal(w.backwards, 0);
	assert_true(w.last == 1.0);
	assert_int_equal(count(db, "select count(*) from runs"), 1);

	xnr_run_outcome_free(&out);
	xnr_run_outcome_free(&again);
	xnr_run_outcome_free(NULL);
}

static void test_cancel_leaves_database(void **state)
{
	char db[4200], dir[4096];
	struct xnr_run_opts o;
	struct watch w = {0};
	struct xnr_ctl ctl = {on_progress, &w, &w.cancel};
	struct xnr_run_outcome out, kept;
	struct xnr_error err;
	(void)state;

	snprintf(db, sizeof db, "%s/run.db", tu_tmpdir("pipeline_cancel"));
	o = demo_opts(db, 5);
	assert_int_equal(xnr_pipeline_run(&o, NULL, &out, &err), XNR_OK);
	xnr_run_outcome_free(&out);

	o.limit = N_SENTENCES;
	w.cancel_at = "sentences";
	memset(&kept, 0x5a, sizeof kept);
	out = kept;
	assert_int_equal(xnr_pipeline_run(&o, &ctl, &out, &err), XNR_ERR_CANCELLED);
	assert_int_equal(err.status, XNR_ERR_CANCELLED);
	assert_memory_equal(&out, &kept, sizeof out);
	assert_int_equal(count(db, "select count(*) from runs"), 1);
	assert_int_equal(count(db, "select count(*) from sentences"), 5);
	assert_int_equal(count(db, "select count(*) from words where run_id not in "
	                           "(select id from runs)"),
	                 0);

	/* cancelled while writing a database it was to create: no file left */
	snprintf(dir, sizeof dir, "%s", tu_tmpdir("pipeline_cancel_new"));
	snprintf(db, sizeof db, "%s/new.db", dir);
	o.output = db;
	memset(&w, 0, sizeof w);
	w.cancel_at = "sentences";
	assert_int_equal(xnr_pipeline_run(&o, &ctl, &out, &err), XNR_ERR_CANCELLED);
	assert_int_equal(n_entries(dir), 0);

	/* cancelled while loading: the database is not even created */
	snprintf(db, sizeof db, "%s/never.db", tu_tmpdir("pipeline_cancel_loading"));
	o.output = db;
	memset(&w, 0, sizeof w);
	w.cancel_at = "loading";
	assert_int_equal(xnr_pipeline_run(&o, &ctl, &out, &err), XNR_ERR_CANCELLED);
	assert_false(file_exists(db));
}

static void test_bad_input(void **state)
{
	char db[4096], data[4096];
	struct xnr_run_opts o;
	struct xnr_run_outcome out;
	struct xnr_error err;
	const char *dir = tu_tmpdir("pipeline_bad");
	(void)state;

	snprintf(db, sizeof db, "%s/run.db", dir);
	snprintf(data, sizeof data, "%s/missing.conll", dir);
	o = demo_opts(db, N_SENTENCES);
	o.data = data;
	assert_int_equal(xnr_pipeline_run(&o, NULL, &out, &err), XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, data));
	assert_string_equal(err.path, data);
	assert_false(file_exists(db));

	o.data = eval_path;
	o.sample = 5;
	assert_int_equal(xnr_pipeline_run(&o, NULL, &out, &err), XNR_ERR_INPUT);
	o.sample = 0;
	o.model = NULL;
	assert_int_equal(xnr_pipeline_run(&o, NULL, &out, &err), XNR_ERR_INPUT);
	assert_false(file_exists(db));
}

int main(void)
{
	snprintf(model_dir, sizeof model_dir, "%s", tu_src("demo/model"));
	snprintf(eval_path, sizeof eval_path, "%s", tu_src("demo/eval.conll"));
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_run_then_reuse),
	    cmocka_unit_test(test_cancel_leaves_database),
	    cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
