/*
 * test_server_jobs.c - the job pool of the web server (src/server/jobs.c):
 * results, the cache by key, failures, cancel of waiting and running work,
 * the queue bound and the per-client cap, progress, a close that does not wait for work that
 * ignores nothing but its cancel flag, and results kept in the run's cache
 * of one server only (cache.c). Meant to run under TSan too.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "server/internal.h"

static void nap_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int n_freed;
static pthread_mutex_t freed_mu = PTHREAD_MUTEX_INITIALIZER;

static void count_free(void *arg)
{
	free(arg);
	pthread_mutex_lock(&freed_mu);
	n_freed++;
	pthread_mutex_unlock(&freed_mu);
}

/* arg: an int; result {"x": arg * 2}, negative fails. */
static enum xnr_status twice(void *arg, const struct xnr_ctl *ctl, json_t **result,
                             struct xnr_error *err)
{
	int x = *(int *)arg;

	xnr_ctl_progress(ctl, 0.5, "halfway");
	if (x < 0)
		return xnr_fail(err, XNR_ERR_INPUT, "negative: %d", x);
	*result = json_pack("{si}", "x", 2 * x);
	return XNR_OK;
}

/* Runs until cancelled (at most 10 s), reporting progress. */
static enum xnr_status until_cancelled(void *arg, const struct xnr_ctl *ctl, json_t **result,
                                       struct xnr_error *err)
{
	int i;

	(void)arg;
	for (i = 0; i < 10000; i++) {
		if (xnr_ctl_cancelled(ctl))
			return xnr_fail(err, XNR_ERR_CANCELLED, "stopped at %d", i);
		xnr_ctl_progress(ctl, i / 10000.0, "spinning");
		nap_ms(1);
	}
	*result = json_true();
	return XNR_OK;
}

static int *int_arg(int v)
{
	int *p = malloc(sizeof *p);
	assert_non_null(p);
	*p = v;
	return p;
}

/* Poll job id until it leaves queued/running; returns its JSON. */
static json_t *wait_job(struct xnr__app *app, int64_t id)
{
	int i;

	for (i = 0; i < 2000; i++) {
		json_t *j = NULL;
		const char *state;
		assert_int_equal(xnr__job_json(app, id, &j, NULL), XNR_OK);
		state = json_string_value(json_object_get(j, "state"));
		if (strcmp(state, "queued") != 0 && strcmp(state, "running") != 0)
			return j;
		json_decref(j);
		nap_ms(5);
	}
	fail_msg("job %lld did not end", (long long)id);
	return NULL;
}

static const char *state_of(const json_t *j)
{
	return json_string_value(json_object_get(j, "state"));
}

static void test_result_and_cache(void **unused)
{
	struct xnr__app app;
	struct xnr_error err;
	int64_t a = 0, b = 0, c = 0;
	json_t *j;

	(void)unused;
	memset(&app, 0, sizeof app);
	n_freed = 0;
	assert_int_equal(xnr__jobs_open(&app, XNR__JOB_THREADS, &err), XNR_OK);
	assert_int_equal(
	    xnr__job_start(&app, NULL, "t", "k=21", -1, twice, int_arg(21), count_free, &a, &err),
	    XNR_OK);
	j = wait_job(&app, a);
	assert_string_equal(state_of(j), "done");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "result"), "x")),
	                 42);
	assert_true(json_real_value(json_object_get(j, "progress")) == 1.0);
	json_decref(j);
	/* The same key is the cached job: no new work, its arg freed at once. */
	assert_int_equal(
	    xnr__job_start(&app, NULL, "t", "k=21", -1, twice, int_arg(21), count_free, &b, &err),
	    XNR_OK);
	assert_int_equal(a, b);
	/* A failure is kept for its status but never reused. */
	assert_int_equal(
	    xnr__job_start(&app, NULL, "t", "k=-1", -1, twice, int_arg(-1), count_free, &c, &err),
	    XNR_OK);
	j = wait_job(&app, c);
	assert_string_equal(state_of(j), "failed");
	assert_string_equal(json_string_value(json_object_get(j, "error")), "negative: -1");
	assert_true(json_is_null(json_object_get(j, "result")));
	json_decref(j);
	assert_int_equal(
	    xnr__job_start(&app, NULL, "t", "k=-1", -1, twice, int_arg(-1), count_free, &b, &err),
	    XNR_OK);
	assert_true(b != c);
	j = wait_job(&app, b);
	json_decref(j);
	assert_int_equal(xnr__job_json(&app, 12345, &j, &err), XNR_ERR_NOT_FOUND);
	xnr__jobs_close(&app);
	assert_null(app.jobs);
	assert_int_equal(n_freed, 4);
}

static void test_cancel_and_close(void **unused)
{
	struct xnr__app app;
	struct xnr_error err;
	int64_t ids[40];
	int i, n_started = 0, limit_hit = 0;
	json_t *j;

	(void)unused;
	memset(&app, 0, sizeof app);
	n_freed = 0;
	assert_int_equal(xnr__jobs_open(&app, XNR__JOB_THREADS, &err), XNR_OK);
	/* Two run, the rest wait; past the queue bound: XNR_ERR_LIMIT (arg freed). */
	for (i = 0; i < 40; i++) {
		char key[16];
		snprintf(key, sizeof key, "spin%d", i);
		enum xnr_status st = xnr__job_start(&app, NULL, "spin", key, -1, until_cancelled,
		                                    int_arg(i), count_free, &ids[n_started], &err);
		if (st == XNR_OK)
			n_started++;
		else
			limit_hit += st == XNR_ERR_LIMIT;
	}
	assert_true(limit_hit > 0);
	assert_true(n_started >= 32 && n_started <= 34);
	nap_ms(30);
	assert_int_equal(xnr__job_json(&app, ids[0], &j, &err), XNR_OK);
	assert_string_equal(state_of(j), "running");
	assert_string_equal(json_string_value(json_object_get(j, "stage")), "spinning");
	json_decref(j);
	/* Close with running and waiting work: cancels, joins, frees every arg. */
	xnr__jobs_close(&app);
	assert_int_equal(n_freed, 40);
}

/* One client address has at most 8 jobs waiting or running; another
 * client, and the server itself (NULL), still start theirs. */
static void test_per_client_cap(void **unused)
{
	struct xnr__app app;
	struct xnr_error err;
	int64_t id;
	char key[32];
	int i;

	(void)unused;
	memset(&app, 0, sizeof app);
	assert_int_equal(xnr__jobs_open(&app, XNR__JOB_THREADS, &err), XNR_OK);
	for (i = 0; i < 8; i++) {
		snprintf(key, sizeof key, "a%d", i);
		assert_int_equal(xnr__job_start(&app, "10.0.0.1", "spin", key, -1, until_cancelled,
		                                int_arg(i), free, &id, &err),
		                 XNR_OK);
	}
	assert_int_equal(xnr__job_start(&app, "10.0.0.1", "spin", "a8", -1, until_cancelled,
	                                int_arg(8), free, &id, &err),
	                 XNR_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "10.0.0.1 already has 8 jobs"));
	/* the same work again is that job, not a new one */
	assert_int_equal(xnr__job_start(&app, "10.0.0.1", "spin", "a3", -1, until_cancelled,
	                                int_arg(3), free, &id, &err),
	                 XNR_OK);
	assert_int_equal(xnr__job_start(&app, "10.0.0.2", "spin", "b0", -1, until_cancelled,
	                                int_arg(0), free, &id, &err),
	                 XNR_OK);
	assert_int_equal(xnr__job_start(&app, NULL, "spin", "s0", -1, until_cancelled, int_arg(0),
	                                free, &id, &err),
	                 XNR_OK);
	xnr__jobs_close(&app);
}

static void test_null_key_never_shared(void **unused)
{
	struct xnr__app app;
	struct xnr_error err;
	int64_t a = 0, b = 0;
	json_t *j;

	(void)unused;
	memset(&app, 0, sizeof app);
	assert_int_equal(xnr__jobs_open(&app, XNR__JOB_THREADS, &err), XNR_OK);
	assert_int_equal(
	    xnr__job_start(&app, NULL, "t", NULL, -1, twice, int_arg(1), free, &a, &err), XNR_OK);
	json_decref(wait_job(&app, a));
	assert_int_equal(
	    xnr__job_start(&app, NULL, "t", NULL, -1, twice, int_arg(1), free, &b, &err), XNR_OK);
	assert_true(a != b);
	j = wait_job(&app, b);
	assert_string_equal(state_of(j), "done");
	json_decref(j);
	xnr__jobs_close(&app);
}

static int n_calls;

/* twice, counting its calls. */
static enum xnr_status twice_counted(void *arg, const struct xnr_ctl *ctl, json_t **result,
                                     struct xnr_error *err)
{
	pthread_mutex_lock(&freed_mu);
	n_calls++;
	pthread_mutex_unlock(&freed_mu);
	return twice(arg, ctl, result, err);
}

/* A finished job about a run leaves its result in the run's cache, where
 * the same job started after the job list dropped the first finds it: a job
 * finished at once, without work. Other runs and other servers' caches do
 * not see it. */
static void test_results_in_run_cache(void **unused)
{
	struct xnr__app app, other;
	struct xnr__cache_entry *e;
	struct xnr_error err;
	int64_t a = 0, b = 0;
	json_t *j;
	int i;

	(void)unused;
	memset(&app, 0, sizeof app);
	memset(&other, 0, sizeof other);
	n_calls = 0;
	assert_int_equal(xnr__cache_open(&app, &err), XNR_OK);
	assert_int_equal(xnr__cache_open(&other, &err), XNR_OK);
	assert_int_equal(xnr__jobs_open(&app, XNR__JOB_THREADS, &err), XNR_OK);
	assert_int_equal(
	    xnr__job_start(&app, NULL, "t", "run7 k", 7, twice_counted, int_arg(4), free, &a, &err),
	    XNR_OK);
	json_decref(wait_job(&app, a));
	assert_non_null(e = xnr__cache_get(&app, 7));
	j = xnr__cache_find(&app, e, "run7 k");
	assert_int_equal(json_integer_value(json_object_get(j, "x")), 8);
	xnr__cache_release(&app, e);
	assert_non_null(e = xnr__cache_get(&other, 7)); /* another server's cache */
	assert_null(xnr__cache_find(&other, e, "run7 k"));
	xnr__cache_release(&other, e);
	/* 70 other finished jobs push the first out of the job list (64 kept) */
	for (i = 0; i < 70; i++) {
		char key[16];
		snprintf(key, sizeof key, "k%d", i);
		assert_int_equal(
		    xnr__job_start(&app, NULL, "t", key, -1, twice, int_arg(i), free, &b, &err),
		    XNR_OK);
		json_decref(wait_job(&app, b));
	}
	assert_int_equal(xnr__job_json(&app, a, &j, &err), XNR_ERR_NOT_FOUND);
	assert_int_equal(
	    xnr__job_start(&app, NULL, "t", "run7 k", 7, twice_counted, int_arg(4), free, &b, &err),
	    XNR_OK);
	assert_true(b != a);
	assert_int_equal(xnr__job_json(&app, b, &j, &err), XNR_OK);
	assert_string_equal(state_of(j), "done");
	assert_string_equal(json_string_value(json_object_get(j, "stage")), "cached");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "result"), "x")), 8);
	json_decref(j);
	assert_int_equal(n_calls, 1);
	xnr__jobs_close(&app);
	xnr__cache_close(&app);
	xnr__cache_close(&other);
	assert_null(app.cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_result_and_cache),
	    cmocka_unit_test(test_cancel_and_close),
	    cmocka_unit_test(test_per_client_cap),
	    cmocka_unit_test(test_null_key_never_shared),
	    cmocka_unit_test(test_results_in_run_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
