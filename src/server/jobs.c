/*
 * jobs.c - background jobs of the web server (issue #4): long work (a run
 * from the Setup page, a UMAP, an NMF) runs on a fixed pool of job threads
 * while the request threads keep answering; pages start a job, poll it and
 * may cancel it (GET/DELETE /api/v1/jobs/{id}, docs/api.md).
 *
 * Design: one mutex guards everything; one condvar wakes the job threads.
 * Jobs live in one list, oldest first. Waiting jobs are bounded
 * (MAX_QUEUED), and so are the waiting and running jobs of one client
 * address (MAX_PER_CLIENT), so that one client cannot take every slot and
 * both threads (issue #14: a page could queue UMAPs until the CPU burns);
 * finished results double as the cache per key (bounded by
 * count and by the size of their JSON, oldest dropped first); failed and
 * cancelled jobs stay only so their state can be read (bounded by count).
 * A job's cancel flag is read by its work without the lock (relaxed atomics,
 * core/ctl.h). Closing cancels the running work and joins the threads.
 * A finished job about one run also leaves its result in the run's cache
 * (cache.c), shared with the Metrics pages, where a job started again after
 * this list dropped the first one finds it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/internal.h"
#include "tensor/gemm.h"

#define MAX_QUEUED     32           /* waiting jobs; more is XNR_ERR_LIMIT */
#define MAX_PER_CLIENT 8            /* waiting and running jobs of one client address */
#define MAX_DONE       64           /* finished results kept as cache */
#define MAX_DONE_BYTES (256u << 20) /* their JSON, compact */
#define MAX_ENDED      64           /* failed / cancelled jobs kept for status */
#define MAX_LISTED     50           /* GET /api/v1/jobs */

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED };

static const char *const state_names[] = {"queued", "running", "done", "failed", "cancelled"};

struct job {
	int64_t id;
	char kind[32];
	char *key;                    /* NULL: never shared, never a cache hit */
	int64_t run;                  /* the run it is about, or -1 */
	char client[XNR__CLIENT_MAX]; /* the address that started it; "": the server */
	xnr__job_fn fn;
	void *arg;
	void (*free_arg)(void *);
	enum job_state state;
	int cancel; /* atomic; the work reads it through its ctl */
	double progress;
	char stage[48];
	char *error;    /* failed / cancelled: the message */
	json_t *result; /* done: owned */
	size_t result_bytes;
	double t_start, t_end; /* monotonic seconds; 0: not yet */
	struct job *next;
};

struct xnr__jobs {
	struct xnr__app *app;
	pthread_mutex_t mu;
	pthread_cond_t wake; /* a job is queued, or stopping */
	pthread_t threads[XNR__JOB_THREADS];
	int n_threads;
	int stopping;
	int warmed;              /* a thread has started the BLAS backend (xnr_gemm_warm) */
	struct job *head, *tail; /* oldest first */
	int64_t next_id;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	if (j->free_arg)
		j->free_arg(j->arg);
	free(j->key);
	free(j->error);
	json_decref(j->result);
	free(j);
}

/* Unlink j (lock held); prev is its predecessor or NULL. */
static void unlink_job(struct xnr__jobs *js, struct job *prev, struct job *j)
{
	if (prev)
		prev->next = j->next;
	else
		js->head = j->next;
	if (js->tail == j)
		js->tail = prev;
	j->next = NULL;
}

/* Drop the oldest finished jobs over the caps (lock held). Returns the
 * dropped jobs as a list, to be freed after unlocking. */
static struct job *evict(struct xnr__jobs *js)
{
	struct job *j, *prev = NULL, *next, *dropped = NULL;
	int n_done = 0, n_ended = 0;
	size_t done_bytes = 0;

	for (j = js->head; j; j = j->next) {
		n_done += j->state == JOB_DONE;
		n_ended += j->state == JOB_FAILED || j->state == JOB_CANCELLED;
		done_bytes += j->state == JOB_DONE ? j->result_bytes : 0;
	}
	for (j = js->head; j; j = next) {
		int drop = 0;
		next = j->next;
		if (j->state == JOB_DONE && (n_done > MAX_DONE || done_bytes > MAX_DONE_BYTES)) {
			drop = 1;
			n_done--;
			done_bytes -= j->result_bytes;
		} else if ((j->state == JOB_FAILED || j->state == JOB_CANCELLED) &&
		           n_ended > MAX_ENDED) {
			drop = 1;
			n_ended--;
		}
		if (!drop) {
			prev = j;
			continue;
		}
		unlink_job(js, prev, j);
		j->next = dropped;
		dropped = j;
	}
	return dropped;
}

static void free_list(struct job *j)
{
	while (j) {
		struct job *next = j->next;
		job_free(j);
		j = next;
	}
}

/* What a job's progress callback needs: the lock and the job. */
struct work {
	struct xnr__jobs *js;
	struct job *job;
};

static void on_progress(void *ud, double done, const char *stage)
{
	struct work *w = ud;

	pthread_mutex_lock(&w->js->mu);
	/* Work may report NaN or past the ends; the page wants 0..1. */
	w->job->progress = done >= 0 && done <= 1 ? done : (done > 1 ? 1 : w->job->progress);
	if (stage)
		snprintf(w->job->stage, sizeof w->job->stage, "%s", stage);
	pthread_mutex_unlock(&w->js->mu);
}

static void json_release(void *v)
{
	json_decref(v);
}

/* Keep a finished job's result in its run's cache (lock not held; the
 * result is immutable from now on, and shared, not copied). */
static void cache_result(struct xnr__app *app, const struct job *j, json_t *result, size_t bytes)
{
	struct xnr__cache_entry *e;

	if (!app->cache || !j->key || j->run < 0 || !(e = xnr__cache_get(app, j->run)))
		return;
	if (!xnr__cache_put(app, e, j->key, json_incref(result), bytes, json_release))
		json_decref(result);
	xnr__cache_release(app, e);
}

/* Run one job's work (lock not held) and record how it ended. */
static void run_job(struct xnr__jobs *js, struct job *j)
{
	struct work w = {js, j};
	struct xnr_ctl ctl = {on_progress, &w, &j->cancel};
	struct xnr_error err;
	json_t *result = NULL;
	size_t bytes = 0;
	enum xnr_status st;
	struct job *dropped;

	xnr_error_clear(&err);
	st = j->fn(j->arg, &ctl, &result, &err);
	if (st == XNR_OK && !result)
		st = xnr_fail(&err, XNR_ERR_INTERNAL, "%s job: finished without a result", j->kind);
	if (st == XNR_OK) {
		bytes = json_dumpb(result, NULL, 0, JSON_COMPACT);
		cache_result(js->app, j, result, bytes);
	}
	pthread_mutex_lock(&js->mu);
	j->t_end = now_s();
	if (st == XNR_OK) {
		j->state = JOB_DONE;
		j->result = result;
		j->result_bytes = bytes;
		j->progress = 1;
		result = NULL;
	} else {
		j->state = st == XNR_ERR_CANCELLED ? JOB_CANCELLED : JOB_FAILED;
		j->error = strdup(err.msg[0] ? err.msg : xnr_status_str(st));
	}
	dropped = evict(js);
	pthread_mutex_unlock(&js->mu);
	json_decref(result);
	free_list(dropped);
}

static void *job_thread(void *arg)
{
	struct xnr__jobs *js = arg;
	int first;

	pthread_mutex_lock(&js->mu);
	first = !js->warmed;
	js->warmed = 1;
	pthread_mutex_unlock(&js->mu);
	/* The first job that multiplies matrices (a projection a page waits for)
	 * would start the BLAS backend itself: 30-45 ms, paid here instead. */
	if (first)
		xnr_gemm_warm();
	pthread_mutex_lock(&js->mu);
	for (;;) {
		struct job *j;
		for (j = js->head; j && j->state != JOB_QUEUED; j = j->next)
			;
		if (js->stopping)
			break;
		if (!j) {
			pthread_cond_wait(&js->wake, &js->mu);
			continue;
		}
		j->state = JOB_RUNNING;
		j->t_start = now_s();
		pthread_mutex_unlock(&js->mu);
		run_job(js, j);
		pthread_mutex_lock(&js->mu);
	}
	pthread_mutex_unlock(&js->mu);
	return NULL;
}

enum xnr_status xnr__jobs_open(struct xnr__app *app, int n_threads, struct xnr_error *err)
{
	struct xnr__jobs *js = calloc(1, sizeof *js);
	int i;

	app->jobs = NULL;
	if (!js)
		return xnr_fail(err, XNR_ERR_NOMEM, "jobs: out of memory");
	js->app = app;
	js->next_id = 1;
	if (pthread_mutex_init(&js->mu, NULL) != 0) {
		free(js);
		return xnr_fail(err, XNR_ERR_NOMEM, "jobs: cannot make a mutex");
	}
	if (pthread_cond_init(&js->wake, NULL) != 0) {
		pthread_mutex_destroy(&js->mu);
		free(js);
		return xnr_fail(err, XNR_ERR_NOMEM, "jobs: cannot make a condition variable");
	}
	app->jobs = js;
	for (i = 0; i < n_threads && i < XNR__JOB_THREADS; i++) {
		if (pthread_create(&js->threads[i], NULL, job_thread, js) != 0) {
			xnr__jobs_close(app);
			return xnr_fail(err, XNR_ERR_NOMEM, "jobs: cannot start a job thread");
		}
		js->n_threads++;
	}
	xnr__setup_autorun(app);
	return XNR_OK;
}

void xnr__jobs_stop(struct xnr__app *app)
{
	struct xnr__jobs *js = app ? app->jobs : NULL;
	struct job *j;

	if (!js)
		return;
	pthread_mutex_lock(&js->mu);
	js->stopping = 1;
	for (j = js->head; j; j = j->next)
		__atomic_store_n(&j->cancel, 1, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&js->wake);
	pthread_mutex_unlock(&js->mu);
}

void xnr__jobs_close(struct xnr__app *app)
{
	struct xnr__jobs *js = app ? app->jobs : NULL;
	int i;

	if (!js)
		return;
	xnr__jobs_stop(app);
	for (i = 0; i < js->n_threads; i++)
		pthread_join(js->threads[i], NULL);
	free_list(js->head);
	pthread_cond_destroy(&js->wake);
	pthread_mutex_destroy(&js->mu);
	free(js);
	app->jobs = NULL;
}

/* A queued, running or finished job with this key (lock held), or NULL. */
static struct job *find_key(struct xnr__jobs *js, const char *key)
{
	struct job *j;

	for (j = js->head; key && j; j = j->next)
		if (j->key && strcmp(j->key, key) == 0 &&
		    (j->state == JOB_QUEUED || j->state == JOB_RUNNING || j->state == JOB_DONE))
			return j;
	return NULL;
}

static int n_queued(const struct xnr__jobs *js)
{
	const struct job *j;
	int n = 0;

	for (j = js->head; j; j = j->next)
		n += j->state == JOB_QUEUED;
	return n;
}

/* Jobs of client waiting or running (lock held); the server's own are not
 * counted. */
static int n_of_client(const struct xnr__jobs *js, const char *client)
{
	const struct job *j;
	int n = 0;

	for (j = js->head; client && client[0] && j; j = j->next)
		n += (j->state == JOB_QUEUED || j->state == JOB_RUNNING) &&
		     strcmp(j->client, client) == 0;
	return n;
}

static struct job *job_new(const char *client, const char *kind, const char *key, int64_t run,
                           xnr__job_fn fn, void *arg, void (*free_arg)(void *))
{
	struct job *j = calloc(1, sizeof *j);

	if (!j)
		return NULL;
	snprintf(j->client, sizeof j->client, "%s", client ? client : "");
	snprintf(j->kind, sizeof j->kind, "%s", kind ? kind : "job");
	snprintf(j->stage, sizeof j->stage, "queued");
	j->run = run;
	j->fn = fn;
	j->arg = arg;
	j->free_arg = free_arg;
	if (key && !(j->key = strdup(key))) {
		j->free_arg = NULL;
		job_free(j);
		return NULL;
	}
	return j;
}

/* The result run's cache keeps under key (a new reference), or NULL. */
static json_t *cached_result(struct xnr__app *app, const char *key, int64_t run)
{
	struct xnr__cache_entry *e;
	json_t *v;

	if (!app->cache || !key || run < 0 || !(e = xnr__cache_get(app, run)))
		return NULL;
	v = json_incref(xnr__cache_find(app, e, key));
	xnr__cache_release(app, e);
	return v;
}

/* Append j with the next id (lock held); a cached result makes it finished. */
static void enqueue_locked(struct xnr__jobs *js, struct job *j, json_t *cached)
{
	j->id = js->next_id++;
	if (js->tail)
		js->tail->next = j;
	else
		js->head = j;
	js->tail = j;
	if (cached) {
		j->state = JOB_DONE;
		j->result = cached;
		j->result_bytes = json_dumpb(cached, NULL, 0, JSON_COMPACT);
		j->progress = 1;
		j->t_start = j->t_end = now_s();
		snprintf(j->stage, sizeof j->stage, "cached");
	} else {
		pthread_cond_signal(&js->wake);
	}
}

/* key NULL: a job of its own, never shared and never a cache hit (a run
 * from the Setup page, whose reuse the pipeline decides from file hashes). */
enum xnr_status xnr__job_start(struct xnr__app *app, const char *client, const char *kind,
                               const char *key, int64_t run, xnr__job_fn fn, void *arg,
                               void (*free_arg)(void *), int64_t *id, struct xnr_error *err)
{
	struct xnr__jobs *js = app ? app->jobs : NULL;
	struct job *j = NULL, *same = NULL;
	json_t *cached = js && fn ? cached_result(app, key, run) : NULL;
	enum xnr_status st = XNR_OK;

	if (!js || !fn) {
		st = xnr_fail(err, XNR_ERR_INTERNAL,
		              "jobs: not running (server starting or stopping)");
		goto done;
	}
	pthread_mutex_lock(&js->mu);
	if ((same = find_key(js, key)) != NULL)
		*id = same->id;
	else if (js->stopping || (!cached && n_queued(js) >= MAX_QUEUED))
		st = xnr_fail(err, XNR_ERR_LIMIT,
		              "jobs: %d jobs are already waiting (wait for them or cancel some)",
		              MAX_QUEUED);
	else if (!cached && n_of_client(js, client) >= MAX_PER_CLIENT)
		st = xnr_fail(err, XNR_ERR_LIMIT,
		              "jobs: %s already has %d jobs waiting or running (wait for them or "
		              "cancel some)",
		              client, MAX_PER_CLIENT);
	else if (!(j = job_new(client, kind, key, run, fn, arg, free_arg)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "jobs: out of memory");
	if (j) {
		enqueue_locked(js, j, cached);
		*id = j->id;
		cached = NULL;
	}
	pthread_mutex_unlock(&js->mu);
done:
	json_decref(cached);
	if (!j && free_arg) /* a job took arg, or it is released here */
		free_arg(arg);
	return st;
}

/* The job as JSON (lock held); the result (with_result) is copied so that
 * the caller owns all of it and the cache stays untouched. */
static json_t *job_to_json(const struct job *j, double now, int with_result)
{
	double elapsed = j->t_start == 0 ? 0 : (j->t_end != 0 ? j->t_end : now) - j->t_start;
	json_t *result =
	    with_result && j->state == JOB_DONE ? json_deep_copy(j->result) : json_null();

	if (!result)
		return NULL;
	return json_pack("{sIsssssfsssososf}", "id", (json_int_t)j->id, "kind", j->kind, "state",
	                 state_names[j->state], "progress", j->progress, "stage", j->stage, "error",
	                 j->error ? json_string(j->error) : json_null(), "result", result,
	                 "elapsed_s", elapsed);
}

static struct job *find_id(struct xnr__jobs *js, int64_t id)
{
	struct job *j;

	for (j = js->head; j && j->id != id; j = j->next)
		;
	return j;
}

enum xnr_status xnr__job_json(struct xnr__app *app, int64_t id, json_t **out, struct xnr_error *err)
{
	struct xnr__jobs *js = app ? app->jobs : NULL;
	struct job *j;
	json_t *v;

	if (!js)
		return xnr_fail(err, XNR_ERR_NOT_FOUND, "job %lld: no such job", (long long)id);
	pthread_mutex_lock(&js->mu);
	j = find_id(js, id);
	v = j ? job_to_json(j, now_s(), 1) : NULL;
	pthread_mutex_unlock(&js->mu);
	if (!j)
		return xnr_fail(err, XNR_ERR_NOT_FOUND,
		                "job %lld: no such job (finished jobs are kept for a while only)",
		                (long long)id);
	if (!v)
		return xnr_fail(err, XNR_ERR_NOMEM, "jobs: out of memory");
	*out = v;
	return XNR_OK;
}

/* GET /api/v1/jobs: the newest jobs first, without their results (read
 * one job for that). */
static enum xnr_status api_jobs(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct xnr__jobs *js = r->app->jobs;
	json_t *list, *v;
	struct job *j;
	double now = now_s();
	enum xnr_status st;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK)
		return st;
	if (!(list = json_array()))
		return xnr_fail(err, XNR_ERR_NOMEM, "jobs: out of memory");
	pthread_mutex_lock(&js->mu);
	for (j = js->head; j && list; j = j->next) {
		v = job_to_json(j, now, 0);
		if (!v ||
		    json_object_set_new(v, "has_result", json_boolean(j->state == JOB_DONE)) ||
		    json_array_insert_new(list, 0, v)) {
			json_decref(list);
			list = NULL;
		}
	}
	pthread_mutex_unlock(&js->mu);
	while (list && json_array_size(list) > MAX_LISTED)
		json_array_remove(list, json_array_size(list) - 1);
	*out = list ? json_pack("{so}", "jobs", list) : NULL;
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "jobs: out of memory");
}

static enum xnr_status api_job(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	enum xnr_status st = xnr__query_allow(&r->query, allowed, err);

	return st != XNR_OK ? st : xnr__job_json(r->app, r->ids[0], out, err);
}

/* DELETE /api/v1/jobs/{id}: a waiting job ends now; running work is asked to
 * stop and ends "cancelled" when it next checks; a finished job stays as is. */
static enum xnr_status api_job_cancel(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct xnr__jobs *js = r->app->jobs;
	struct job *j;
	enum xnr_status st = xnr__query_allow(&r->query, allowed, err);

	if (st != XNR_OK)
		return st;
	pthread_mutex_lock(&js->mu);
	if ((j = find_id(js, r->ids[0])) != NULL) {
		__atomic_store_n(&j->cancel, 1, __ATOMIC_RELAXED);
		if (j->state == JOB_QUEUED && (j->error = strdup("cancelled before it started"))) {
			j->state = JOB_CANCELLED;
			snprintf(j->stage, sizeof j->stage, "cancelled");
		} else if (j->state == JOB_RUNNING) {
			snprintf(j->stage, sizeof j->stage, "cancelling");
		}
	}
	pthread_mutex_unlock(&js->mu);
	return xnr__job_json(r->app, r->ids[0], out, err);
}

static const struct xnr__route job_routes[] = {
    {"GET", "/api/v1/jobs", api_jobs, NULL, XNR__NO_DB},
    {"GET", "/api/v1/jobs/{id}", api_job, NULL, XNR__NO_DB},
    {"DELETE", "/api/v1/jobs/{id}", api_job_cancel, NULL, XNR__NO_DB},
};

XNR__ROUTE_GROUP(jobs, job_routes);
