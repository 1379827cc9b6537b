/* test_pipeline_faults.c - every allocation of an analysis run (dataset,
 * engine, label matching, key, store, the sentences and the summary) can
 * fail: the run then returns XNR_ERR_NOMEM with a message, leaks nothing
 * (faults.h) and leaves no database file, staged or not, behind. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "faults.h"
#include "pipeline/pipeline.h"

struct run_case {
	char model[4096], data[4096], dir[4096], db[4200];
};

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

static enum xnr_status run(void *ctx, struct xnr_error *err)
{
	const struct run_case *c = ctx;
	struct xnr_run_opts o = xnr_run_default_opts();
	struct xnr_run_outcome out;
	enum xnr_status st;

	o.model = c->model;
	o.data = c->data;
	o.output = c->db;
	o.limit = 3;
	o.label_map = "B-MISC=B-MISC";
	unlink(c->db);
	st = xnr_pipeline_run(&o, NULL, &out, err);
	assert_int_equal(n_entries(c->dir), st == XNR_OK);
	if (st == XNR_OK) {
		/* out of memory once the run is stored: the run stands, its kept
		 * results are left to the app, and the outcome says so */
		if (out.warning[0] && strstr(out.warning, "out of memory"))
			st = xnr_fail(err, XNR_ERR_NOMEM, "%s", out.warning);
		xnr_run_outcome_free(&out);
	}
	return st;
}

static void test_run(void **state)
{
	struct run_case c;
	(void)state;
	snprintf(c.model, sizeof c.model, "%s", tu_src("demo/model"));
	snprintf(c.data, sizeof c.data, "%s", tu_src("demo/eval.conll"));
	snprintf(c.dir, sizeof c.dir, "%s", tu_tmpdir("pipeline_faults"));
	snprintf(c.db, sizeof c.db, "%s/run.db", c.dir);
	assert_true(tu_fault_sweep("run", run, &c) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
