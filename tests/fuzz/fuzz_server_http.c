/*
 * fuzz_server_http.c - libFuzzer target for the HTTP request path end to
 * end: method, target, headers, cookies and the JSON body of every POST and
 * PUT, through the guard, the router, the query and body readers and every
 * handler (request.c), on a server over a run of demo/model on the first
 * sentences of demo/eval.conll, made once per process. The input is up to
 * four requests, each four parts: method ⏎ target ⏎ headers ("Name: value"
 * lines) ⏎ body; "@DEMO@" in a body stands for the demo folder, one of the
 * server's roots, so seeds can name its model and data. The token is
 * FUZZ_TOKEN. Jobs are queued and never run, and every input starts from the
 * same state (no jobs, no cached results, the database as made).
 *
 * Besides the answer's contract (server_fuzz.h), the guard's: only a 421
 * may answer a request whose Host is not this server's; a request answered
 * anything but 400, 401, 413 or 421 (what the Host and target checks before
 * the token answer) carried the token (header or cookie), a 303
 * had it in its target and sends the browser to an address without a
 * token parameter;
 * a change (POST, PUT, DELETE) answered 2xx came from no other origin, and
 * a POST or PUT one declared its body JSON; no answer's body holds the
 * token unless the request's own target or body did (an echo). Seeds:
 * tests/fuzz/corpus/server_http/ (make_seeds.py).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "pipeline/pipeline.h"
#include "server_fuzz.h"

#define FUZZ_TOKEN    "fuzz-token-0123456789abcdefghijklmnopqrstuv"
#define FUZZ_PORT     8765
#define REQUESTS_MAX  4
#define DEMO          XNR_SOURCE_DIR "/demo"
#define RUN_SENTENCES 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct xnr__app app;
static char db_path[4200];
static char *db_bytes; /* the database as made, restored after a change */
static size_t db_len;

static void die(const char *what, const struct xnr_error *err)
{
	fprintf(stderr, "fuzz_server_http: %s: %s\n", what, err->msg);
	abort();
}

static void read_db(void)
{
	FILE *f = fopen(db_path, "rb");

	if (!f || fseek(f, 0, SEEK_END) != 0 || (long)(db_len = (size_t)ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(db_bytes = malloc(db_len)) ||
	    fread(db_bytes, 1, db_len, f) != db_len)
		abort();
	fclose(f);
}

/* The database back as it was made (a PUT changed its settings). */
static void restore_db(void)
{
	char side[4300];

	fuzz_dir_write("run.db", db_bytes, db_len);
	snprintf(side, sizeof side, "%s-wal", db_path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", db_path);
	unlink(side);
}

/* Load the run's model into the server's model cache with one probe, so
 * every input finds it loaded, as the first finds it. */
static void warm_up(void)
{
	struct fuzz_request r;
	struct xnr__resp out;

	fuzz_request_strings(&r, "POST", "/api/v1/runs/1/probe",
	                     "Host: 127.0.0.1:8765\nAuthorization: Bearer " FUZZ_TOKEN
	                     "\nContent-Type: application/json",
	                     "{\"texts\": [\"Paris\"]}");
	fuzz_request_run(&app, &r, &out);
	if (out.http != 200)
		abort();
	xnr__resp_free(&out);
	fuzz_request_free(&r);
}

/* The run database, the token file and the server's state, once. */
static void setup(void)
{
	static const char *roots[] = {NULL, DEMO, NULL};
	struct xnr_run_opts o = xnr_run_default_opts();
	struct xnr_server_params p = xnr_server_default_params();
	struct xnr_run_outcome res;
	struct xnr_error err;
	char token_file[4200];

	snprintf(db_path, sizeof db_path, "%s/run.db", fuzz_dir());
	snprintf(token_file, sizeof token_file, "%s/token", fuzz_dir());
	fuzz_dir_write("token", FUZZ_TOKEN "\n", strlen(FUZZ_TOKEN) + 1);
	o.model = DEMO "/model";
	o.data = DEMO "/eval.conll";
	o.output = db_path;
	o.limit = RUN_SENTENCES;
	if (xnr_pipeline_run(&o, NULL, &res, &err) != XNR_OK)
		die("the run", &err);
	xnr_run_outcome_free(&res);
	read_db();
	roots[0] = fuzz_dir();
	p.db_path = db_path;
	p.version = "fuzz";
	p.model_dir = DEMO "/model";
	p.token_file = token_file;
	p.roots = roots;
	if (xnr__app_open(&app, &p, FUZZ_PORT, 0, &err) != XNR_OK)
		die("the server", &err);
	warm_up();
}

/* Back to the state after setup: no jobs, no cached results, the
 * database as made when changed. */
static void reset(int changed)
{
	struct xnr_error err;

	xnr__jobs_close(&app);
	xnr__cache_close(&app);
	if (xnr__jobs_open(&app, 0, &err) != XNR_OK || xnr__cache_open(&app, &err) != XNR_OK)
		die("reset", &err);
	if (changed)
		restore_db();
}

/* s with every "@DEMO@" replaced by the demo folder (a new string). */
static char *with_demo(const char *s, size_t len, size_t *out_len)
{
	static const char mark[] = "@DEMO@";
	const size_t m = sizeof mark - 1, k = strlen(DEMO);
	size_t n = 0, i, marks = 0;
	char *out;

	for (i = 0; i + m <= len; i++)
		marks += memcmp(s + i, mark, m) == 0;
	if (!(out = malloc(len + marks * k + 1)))
		abort();
	for (i = 0; i < len;) {
		if (i + m <= len && memcmp(s + i, mark, m) == 0) {
			memcpy(out + n, DEMO, k);
			n += k;
			i += m;
		} else {
			out[n++] = s[i++];
		}
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}

/* Host names this server: 127.0.0.1, localhost or [::1] (any case) and
 * port 8765 (digits, its value). */
static int host_ok(const char *host)
{
	static const char *const names[] = {"127.0.0.1:", "localhost:", "[::1]:"};

	for (size_t i = 0; host && i < sizeof names / sizeof names[0]; i++) {
		size_t n = strlen(names[i]), d;
		if (strncasecmp(host, names[i], n) != 0)
			continue;
		d = strspn(host + n, "0123456789");
		return d > 0 && d <= 5 && host[n + d] == '\0' && atol(host + n) == FUZZ_PORT;
	}
	return 0;
}

static int has(const char *s, const char *needle)
{
	return s && strstr(s, needle) != NULL;
}

/* 1 if the query of target has a parameter named token. */
static int token_param(const char *target)
{
	const char *q = strchr(target, '?');

	while (q) {
		q++;
		if (strncmp(q, "token=", 6) == 0)
			return 1;
		q = strchr(q, '&');
	}
	return 0;
}

/* The guard's promises about the answer out to r. */
static void check_guard(struct fuzz_request *r, const struct xnr__resp *out)
{
	const char *origin = fuzz_header(r, "Origin"), *host = fuzz_header(r, "Host");
	const char *type = fuzz_header(r, "Content-Type");
	int ok = out->http >= 200 && out->http < 300,
	    get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	char own[300];

	FUZZ_CHECK(out->http == 421 || host_ok(host));
	/* refused before the token is looked at: the Host, a bad or long target */
	if (out->http != 421 && out->http != 401 && out->http != 400 && out->http != 413 &&
	    out->http != 303)
		FUZZ_CHECK(has(fuzz_header(r, "Authorization"), FUZZ_TOKEN) ||
		           has(fuzz_header(r, "Cookie"), FUZZ_TOKEN));
	if (out->http == 303)
		FUZZ_CHECK(has(r->target, FUZZ_TOKEN) && out->location[0] == '/' &&
		           !token_param(out->location) && has(out->cookie, FUZZ_TOKEN));
	if (ok && !get) {
		snprintf(own, sizeof own, "http://%s", host ? host : "");
		FUZZ_CHECK(!origin || strcasecmp(origin, own) == 0);
		if (strcmp(r->method, "DELETE") != 0)
			FUZZ_CHECK(type && strncasecmp(type, "application/json", 16) == 0);
	}
	/* only an echo of the request's own target or body may hold the token */
	FUZZ_CHECK(!out->data || !memmem(out->data, out->len, FUZZ_TOKEN, strlen(FUZZ_TOKEN)) ||
	           has(r->target, FUZZ_TOKEN) ||
	           memmem(r->body, r->body_bytes, FUZZ_TOKEN, strlen(FUZZ_TOKEN)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[4 * REQUESTS_MAX];
	int n = fuzz_split(data, size, parts, 4 * REQUESTS_MAX), changed = 0;

	if (!app.db_path)
		setup();
	for (int i = 0; i < n; i += 4) {
		struct fuzz_request r;
		struct xnr__resp out;
		size_t len;
		char *body;

		fuzz_request_init(&r, parts + i, n - i);
		body = with_demo(r.body, r.body_bytes, &len);
		free(r.body);
		r.body = body;
		r.body_bytes = len;
		fuzz_request_run(&app, &r, &out);
		/* settings are the one thing a request writes */
		changed |= strcmp(r.method, "PUT") == 0 && out.http == 200;
		check_guard(&r, &out);
		xnr__resp_free(&out);
		fuzz_request_free(&r);
	}
	reset(changed);
	return 0;
}
