/*
 * test_server_state.c - a server's state is its own (struct xnr__app): two
 * real servers in one process over two databases, each with a run 1 of its
 * own labels, answer their own metrics, also from their caches; a route that
 * does not read the database (the index, jobs, the web app) answers when the
 * database is gone, one that does answers 500; and closing frees everything
 * (the ASan build's LeakSanitizer checks) and closes every file.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/server.h"
#include "store/store.h"

/* A database at dir/name.db with run 1: one sentence of one word, gold
 * label names[1] and predicted pred. */
static void make_db(const char *path, const char *const *names, int pred)
{
	struct xnr_store *s = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_run_info in;
	struct xnr_sentence_row sr = {0, 0, 1, NULL, "w", 1, 1, 0.5, pred != 1, pred != 1};
	struct xnr_word_row wr;
	struct xnr_error err;
	int64_t id;

	memset(&in, 0, sizeof in);
	in.key = "k", in.version = "test", in.scheme = "{}", in.n_labels = 2, in.labels = names;
	memset(&wr, 0, sizeof wr);
	wr.text = "w", wr.text_len = 1, wr.gold = 1, wr.pred = pred, wr.loss = 0.5;
	wr.prob_pred = wr.prob_gold = wr.entropy = 0.5, wr.first_token = -1;
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	assert_int_equal(xnr_run_add_sentence(w, &sr, &err), XNR_OK);
	assert_int_equal(xnr_run_add_word(w, &wr, &err), XNR_OK);
	assert_int_equal(xnr_run_commit(w, 1, 1, 1, 0.1, "{}", &id, &err), XNR_OK);
	xnr_store_close(s);
}

/* GET path from server srv on 127.0.0.1 over HTTP/1.0 with its token: the
 * status, the body in body. */
static int get(struct xnr_server *srv, const char *path, char *body, size_t size)
{
	int port = xnr_server_port(srv);
	struct sockaddr_in addr;
	char buf[65536], req[512];
	size_t used = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = 0;
	const char *start;

	assert_true(fd >= 0);
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
	snprintf(req, sizeof req,
	         "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n\r\n", path,
	         port, xnr_server_token(srv));
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while (used < sizeof buf - 1 && (n = read(fd, buf + used, sizeof buf - 1 - used)) > 0)
		used += (size_t)n;
	close(fd);
	buf[used] = '\0';
	assert_int_equal(sscanf(buf, "HTTP/1.%*d %d", &status), 1);
	start = strstr(buf, "\r\n\r\n");
	snprintf(body, size, "%s", start ? start + 4 : "");
	return status;
}

/* Open file descriptors of this process. */
static int n_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static struct xnr_server *serve(const char *db)
{
	struct xnr_server_params p = xnr_server_default_params();
	struct xnr_server *srv = NULL;
	struct xnr_error err;

	p.db_path = db;
	p.port = 0;
	p.n_threads = 2;
	p.version = "test";
	assert_int_equal(xnr_server_open(&p, &srv, &err), XNR_OK);
	return srv;
}

static void test_two_servers(void **state)
{
	static const char *const per[] = {"O", "B-PER"}, *const loc[] = {"O", "B-LOC"};
	static char body[65536];
	const char *dir = tu_tmpdir("server_state");
	char a_db[4200], b_db[4200];
	struct xnr_server *a, *b;
	int i, fds;
	(void)state;

	snprintf(a_db, sizeof a_db, "%s/a.db", dir);
	snprintf(b_db, sizeof b_db, "%s/b.db", dir);
	make_db(a_db, per, 1);
	make_db(b_db, loc, 0);
	fds = n_fds();
	a = serve(a_db);
	b = serve(b_db);
	for (i = 0; i < 2; i++) { /* computed, then from each server's cache */
		assert_int_equal(get(a, "/api/v1/runs/1/metrics", body, sizeof body), 200);
		assert_non_null(strstr(body, "\"PER\""));
		assert_null(strstr(body, "LOC"));
		assert_int_equal(get(b, "/api/v1/runs/1/metrics", body, sizeof body), 200);
		assert_non_null(strstr(body, "\"LOC\""));
		assert_null(strstr(body, "PER"));
		assert_int_equal(get(b, "/api/v1/runs/1/loss/labels", body, sizeof body), 200);
		assert_non_null(strstr(body, "\"text\":\"B-LOC\""));
	}
	/* b's database is gone: what does not read it still answers */
	assert_int_equal(remove(b_db), 0);
	assert_int_equal(get(b, "/api/v1", body, sizeof body), 200);
	assert_int_equal(get(b, "/api/v1/jobs", body, sizeof body), 200);
	assert_int_equal(get(b, "/", body, sizeof body), 200);
	assert_int_equal(get(b, "/api/v1/runs", body, sizeof body), 404);
	assert_non_null(strstr(body, "b.db: cannot open database"));
	assert_int_equal(get(a, "/api/v1/runs", body, sizeof body), 200);
	xnr_server_close(b);
	xnr_server_close(a);
	assert_int_equal(n_fds(), fds); /* the sockets too */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_servers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
