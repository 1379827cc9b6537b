/* pool.c - fixed worker pool with a generation counter and condition variables. */
#include "core/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct xnr_pool {
	int n_threads;
	pthread_t *threads;
	pthread_mutex_t mu;
	pthread_cond_t start_cv;
	pthread_cond_t done_cv;
	unsigned long generation;
	int n_running;
	int stopping;
	xnr_pool_fn fn;
	void *ctx;
};

struct worker_arg {
	struct xnr_pool *pool;
	int ith;
};

static void *worker_main(void *p)
{
	struct worker_arg *arg = p;
	struct xnr_pool *pool = arg->pool;
	int ith = arg->ith;
	unsigned long seen = 0;

	free(arg);
	for (;;) {
		xnr_pool_fn fn;
		void *ctx;

		pthread_mutex_lock(&pool->mu);
		while (!pool->stopping && pool->generation == seen)
			pthread_cond_wait(&pool->start_cv, &pool->mu);
		if (pool->stopping) {
			pthread_mutex_unlock(&pool->mu);
			return NULL;
		}
		seen = pool->generation;
		fn = pool->fn;
		ctx = pool->ctx;
		pthread_mutex_unlock(&pool->mu);

		fn(ctx, ith, pool->n_threads);

		pthread_mutex_lock(&pool->mu);
		if (--pool->n_running == 0)
			pthread_cond_signal(&pool->done_cv);
		pthread_mutex_unlock(&pool->mu);
	}
}

enum xnr_status xnr_pool_open(int n_threads, struct xnr_pool **out, struct xnr_error *err)
{
	struct xnr_pool *pool;
	int i;

	if (n_threads < 1)
		return xnr_fail(err, XNR_ERR_INPUT, "thread count must be at least 1, got %d",
		                n_threads);
	pool = calloc(1, sizeof *pool);
	if (!pool)
		return xnr_fail(err, XNR_ERR_NOMEM, "cannot allocate thread pool");
	pool->n_threads = n_threads;
	pool->threads = calloc((size_t)n_threads, sizeof *pool->threads);
	if (!pool->threads) {
		free(pool);
		return xnr_fail(err, XNR_ERR_NOMEM, "cannot allocate thread pool");
	}
	pthread_mutex_init(&pool->mu, NULL);
	pthread_cond_init(&pool->start_cv, NULL);
	pthread_cond_init(&pool->done_cv, NULL);
	for (i = 1; i < n_threads; i++) {
		struct worker_arg *arg = malloc(sizeof *arg);
		int rc = ENOMEM;
		if (arg) {
			arg->pool = pool;
			arg->ith = i;
			rc = pthread_create(&pool->threads[i], NULL, worker_main, arg);
		}
		if (rc != 0) {
			enum xnr_status st = arg ? XNR_ERR_INTERNAL : XNR_ERR_NOMEM;
			free(arg);
			pool->n_threads = i;
			xnr_pool_close(pool);
			return xnr_fail(err, st, "cannot start worker thread %d: %s", i,
			                strerror(rc));
		}
	}
	*out = pool;
	return XNR_OK;
}

void xnr_pool_close(struct xnr_pool *pool)
{
	int i;

	if (!pool)
		return;
	pthread_mutex_lock(&pool->mu);
	pool->stopping = 1;
	pthread_cond_broadcast(&pool->start_cv);
	pthread_mutex_unlock(&pool->mu);
	for (i = 1; i < pool->n_threads; i++)
		pthread_join(pool->threads[i], NULL);
	pthread_mutex_destroy(&pool->mu);
	pthread_cond_destroy(&pool->start_cv);
	pthread_cond_destroy(&pool->done_cv);
	free(pool->threads);
	free(pool);
}

int xnr_pool_n_threads(const struct xnr_pool *pool)
{
	return pool ? pool->n_threads : 1;
}

void xnr_pool_run(struct xnr_pool *pool, xnr_pool_fn fn, void *ctx)
{
	if (!pool || pool->n_threads == 1) {
		fn(ctx, 0, 1);
		return;
	}
	pthread_mutex_lock(&pool->mu);
	pool->fn = fn;
	pool->ctx = ctx;
	pool->n_running = pool->n_threads - 1;
	pool->generation++;
	pthread_cond_broadcast(&pool->start_cv);
	pthread_mutex_unlock(&pool->mu);

	fn(ctx, 0, pool->n_threads);

	pthread_mutex_lock(&pool->mu);
	while (pool->n_running > 0)
		pthread_cond_wait(&pool->done_cv, &pool->mu);
	pthread_mutex_unlock(&pool->mu);
}

void xnr_split_range(long n, int ith, int nth, long *begin, long *end)
{
	long per = n / nth, rem = n % nth;
	*begin = ith * per + (ith < rem ? ith : rem);
	*end = *begin + per + (ith < rem ? 1 : 0);
}
