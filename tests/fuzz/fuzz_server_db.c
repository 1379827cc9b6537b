/*
 * fuzz_server_db.c - a hostile run database read by `explainer serve`: the
 * input is written as a file, checked and migrated as xnr_server_open does
 * (xnr_store_open), and a server over it (no token, jobs queued and never
 * run) answers every read the pages make of its newest run through
 * request.c: the runs, sentence pages in each order, one sentence, the
 * metrics and their examples, confusions, losses, word and sub-token
 * tables and their CSV downloads, settings, the model and debug pages, and
 * the POST endpoints that read the database before they start a job. Every
 * answer must keep the contract of server_fuzz.h (a 500 only for a
 * database or file failure). report_db feeds the same file to
 * `explainer report`. Seeds: tests/fuzz/corpus/server_db/ (make_seeds.py).
 */
#include <stdint.h>
#include <stdio.h>

#include "server_fuzz.h"
#include "store/read.h"
#include "store/store.h"

#define HEADERS "Host: 127.0.0.1:8765\nContent-Type: application/json"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the pages ask of a run: GET /api/v1/runs, then these after
 * /api/v1/runs/{run}, in the order a visit makes them. */
static const char *const reads[][3] = {
    {"GET", "", ""},
    {"GET", "/sentences?words=1&limit=20", ""},
    {"GET", "/sentences?sort=errors&skip_correct=1&min_loss=0.1", ""},
    {"GET", "/sentences?sort=random&seed=3&gold=B-PER&pred=O", ""},
    {"GET", "/sentences/1", ""},
    {"GET", "/sentences/2", ""},
    {"GET", "/metrics", ""},
    {"GET", "/metrics/examples?type=PER&kind=missed", ""},
    {"GET", "/confusions?top_words=5", ""},
    {"GET", "/loss/words", ""},
    {"GET", "/loss/words?by=token&sort=median", ""},
    {"GET", "/loss/labels", ""},
    {"GET", "/words?sort=loss&limit=20&q=a", ""},
    {"GET", "/tokens?sort=entropy&limit=20&errors=1", ""},
    {"GET", "/words.csv", ""},
    {"GET", "/tokens.csv", ""},
    {"GET", "/settings", ""},
    {"GET", "/model", ""},
    {"GET", "/debug", ""},
    {"POST", "/sentences?words=1", "{\"ids\": [1, 2, 3]}"},
    {"POST", "/projection", "{\"method\": \"pca\", \"n\": 50}"},
    {"POST", "/duplicates", "{\"threshold\": 0.9}"},
};

/* Ask app one request; the answer checked and dropped. */
static void ask(struct xnr__app *app, const char *method, const char *target, const char *body)
{
	struct fuzz_request r;
	struct xnr__resp out;

	fuzz_request_strings(&r, method, target, HEADERS, body);
	fuzz_request_run(app, &r, &out);
	xnr__resp_free(&out);
	fuzz_request_free(&r);
}

/* A server over path, every read of run asked. */
static void serve(const char *path, long long run)
{
	static const char *roots[2];
	struct xnr_server_params p = xnr_server_default_params();
	struct xnr__app app;
	struct xnr_error err;

	roots[0] = fuzz_dir();
	p.db_path = path;
	p.version = "fuzz";
	p.no_token = 1;
	p.roots = roots;
	xnr_error_clear(&err);
	if (xnr__app_open(&app, &p, 8765, 0, &err) != XNR_OK) {
		fprintf(stderr, "fuzz_server_db: %s\n", err.msg);
		abort();
	}
	ask(&app, "GET", "/api/v1/runs", "");
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		char target[256];
		snprintf(target, sizeof target, "/api/v1/runs/%lld%s", run, reads[i][1]);
		ask(&app, reads[i][0], target, reads[i][2]);
	}
	xnr__app_close(&app);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xnr_store *db = NULL;
	struct xnr_error err;
	char path[4096];
	int64_t run = 0;

	/* A fresh file per input: the store may migrate it and leave -wal/-shm next to it. */
	fuzz_dir_clear();
	fuzz_dir_write("run.db", data, size);
	snprintf(path, sizeof path, "%s/run.db", fuzz_dir());
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_store_open(path, 0, &db, &err), &err) != XNR_OK)
		return 0;
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_store_run_latest(db, &run, &err), &err) != XNR_OK)
		run = 1;
	xnr_store_close(db);
	serve(path, (long long)(run ? run : 1));
	return 0;
}
