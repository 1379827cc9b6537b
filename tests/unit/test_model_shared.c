/*
 * test_model_shared.c - one loaded model run by several threads at once,
 * each with its own state: results identical to a single-threaded run
 * (the weights are never written by a forward pass).
 */
#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

#define N_THREADS 3
#define N_TOK     40

struct job {
	const struct xnr_model *model;
	int32_t ids[N_TOK];
	float logits[N_TOK * 9];
	int rounds;
	enum xnr_status st;
};

static void *run_job(void *p)
{
	struct job *j = p;
	struct xnr_state *s = NULL;
	struct xnr_forward_opts opts = {0, 0};
	struct xnr_error err;
	int32_t start[3] = {0, 15, N_TOK};
	struct xnr_batch b = {2, j->ids, NULL, start};
	struct xnr_outputs out;
	int r;

	j->st = xnr_state_open(j->model, N_TOK, N_TOK, opts, &s, &err);
	for (r = 0; r < j->rounds && j->st == XNR_OK; r++) {
		j->st = xnr_model_forward(j->model, s, NULL, &b, &out, &err);
		if (j->st == XNR_OK)
			memcpy(j->logits, out.logits, sizeof j->logits);
	}
	xnr_state_close(s);
	return NULL;
}

static void test_shared_model(void **state)
{
	struct xnr_model *m = NULL;
	struct xnr_error err;
	struct job *jobs = calloc(N_THREADS + 1, sizeof *jobs);
	pthread_t th[N_THREADS];
	int i, t;
	(void)state;

	assert_int_equal(xnr_model_open(tu_src("demo/model"), &m, &err), XNR_OK);
	for (i = 0; i <= N_THREADS; i++) {
		jobs[i].model = m;
		jobs[i].rounds = i == N_THREADS ? 1 : 20;
		for (t = 0; t < N_TOK; t++)
			jobs[i].ids[t] =
			    t == 0 || t == 15 ? 2 : (t == 14 || t == N_TOK - 1 ? 3 : 100 + 37 * t);
	}
	run_job(&jobs[N_THREADS]); /* reference, alone */
	assert_int_equal(jobs[N_THREADS].st, XNR_OK);
	for (i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, run_job, &jobs[i]), 0);
	for (i = 0; i < N_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].st, XNR_OK);
		assert_memory_equal(jobs[i].logits, jobs[N_THREADS].logits, sizeof jobs[i].logits);
	}
	xnr_model_close(m);
	free(jobs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shared_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
