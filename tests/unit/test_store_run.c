/*
 * test_store_run.c - the run database: schema creation, a run written and
 * read back with SQL (BLOB vectors included), runs visible only once
 * committed, rollback on abort, reuse by key, a new database that appears
 * only when published (never when the run fails, nor over a file another
 * program made meanwhile), a wait for another writer's lock that ends at
 * its timeout or as soon as its caller cancels, a run committed in pieces
 * invisible to readers until its last piece and gone when it is aborted or
 * its process dies (the next run deletes it), and refusing files that are
 * not ExplaiNER databases or come from a newer version.
 */
#include "testutil.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/internal.h" /* the connection, to look at the tables with SQL */
#include "store/read.h"
#include "store/store.h"

static const char *const labels[] = {"O", "B-PER", "I-PER"};

static struct xnr_run_info info(const char *key)
{
	struct xnr_run_info in = {0};
	in.key = key;
	in.version = "test";
	in.model_path = "demo/model";
	in.model_hash = "abc";
	in.model_arch = "BertForTokenClassification";
	in.data_path = "x.conll";
	in.data_hash = "def";
	in.split = "test";
	in.options_json = "{}";
	in.scheme = "IOB2";
	in.hidden_size = 4;
	in.n_labels = 3;
	in.labels = labels;
	return in;
}

static int64_t count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void write_rows(struct xnr_run_writer *w)
{
	static const float probs[3] = {0.1f, 0.7f, 0.2f}, hidden[4] = {1, -2, 3.5f, 0};
	struct xnr_sentence_row s = {0, 0, 3, NULL, "Ann sings", 2, 3, 2.5, 1, 1};
	struct xnr_word_row wr = {0, 0, "Ann", 3, 1, 1, 0.7, 0.7, 0.357, 0.8, 0, probs, hidden};
	struct xnr_token_row tr = {0, 0, 42, "Ann", 0, 0, 3, 1, 1, 1, 0.7, 0.357, 0.8, probs};
	struct xnr_error err;

	assert_int_equal(xnr_run_add_document(w, 0, 1, &err), XNR_OK);
	assert_int_equal(xnr_run_add_sentence(w, &s, &err), XNR_OK);
	assert_int_equal(xnr_run_add_word(w, &wr, &err), XNR_OK);
	wr.idx = 1;
	wr.text = "sings";
	wr.text_len = 5;
	wr.gold = 0;
	wr.hidden = NULL;
	assert_int_equal(xnr_run_add_word(w, &wr, &err), XNR_OK);
	assert_int_equal(xnr_run_add_token(w, &tr, &err), XNR_OK);
	tr.idx = 1;
	tr.is_first = 0;
	tr.gold = -1;
	assert_int_equal(xnr_run_add_token(w, &tr, &err), XNR_OK);
	assert_int_equal(xnr_run_add_entity(w, 0, 0, 0, 1, "PER", &err), XNR_OK);
}

static void test_write_read(void **state)
{
	const char *dir = tu_tmpdir("store_rw");
	char path[4200];
	struct xnr_store *s = NULL, *reader = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_run_info in = info("k1");
	struct xnr_error err;
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	(void)state;

	snprintf(path, sizeof path, "%s/run.db", dir);
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	assert_int_equal(xnr_store_open(path, 0, &reader, &err), XNR_OK);
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	write_rows(w);
	/* another connection does not see the run before it is committed */
	assert_int_equal(count(reader->db, "SELECT count(*) FROM runs"), 0);
	assert_int_equal(xnr_run_commit(w, 1, 2, 2, 0.5, "{\"f1\":1}", &id, &err), XNR_OK);
	assert_int_equal(id, 1);
	assert_int_equal(count(reader->db, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(count(reader->db, "SELECT count(*) FROM words WHERE run_id = 1"), 2);
	assert_int_equal(count(reader->db, "SELECT count(*) FROM tokens WHERE gold IS NULL"), 1);
	assert_int_equal(count(reader->db, "SELECT n_words FROM runs WHERE id = 1"), 2);
	assert_int_equal(count(reader->db, "SELECT count(*) FROM labels WHERE run_id = 1"), 3);
	assert_int_equal(sqlite3_prepare_v2(reader->db,
	                                    "SELECT w.probs, h.vec FROM words w JOIN hidden h "
	                                    "USING (run_id, sentence_id, idx) WHERE w.idx = 0",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), 12);
	assert_int_equal(sqlite3_column_bytes(st, 1), 16);
	assert_true(((const float *)sqlite3_column_blob(st, 1))[2] == 3.5f);
	sqlite3_finalize(st);
	assert_int_equal(xnr_store_find_run(s, "k1", &id, &err), XNR_OK);
	assert_int_equal(id, 1);
	assert_int_equal(xnr_store_find_run(s, "nope", &id, &err), XNR_OK);
	assert_int_equal(id, 0);
	/* the same key again is refused by the schema (callers reuse instead) */
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "same key"));
	xnr_store_close(reader);
	xnr_store_close(s);
}

/* A run stored with hidden_f16: blobs of 2 x hidden_size bytes, read back
 * (xnr_store_hidden) as the float32 values, and exported as .npy the same. */
static void test_hidden_f16(void **state)
{
	char path[4200];
	struct xnr_store *s = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_run_info in = info("f16");
	struct xnr_rows *rows = NULL;
	struct xnr_hidden_row h;
	struct xnr_error err;
	int64_t id = 0, n = 0, dim = 0;
	int more = 0;
	char *buf = NULL;
	size_t buf_len = 0;
	FILE *f;
	(void)state;

	snprintf(path, sizeof path, "%s/run.db", tu_tmpdir("store_f16"));
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	in.hidden_f16 = 1;
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	write_rows(w);
	assert_int_equal(xnr_run_commit(w, 1, 2, 2, 0.5, "{}", &id, &err), XNR_OK);
	assert_int_equal(count(s->db, "SELECT sum(length(vec)) FROM hidden"), 8);
	assert_int_equal(xnr_store_hidden(s, id, &rows, &err), XNR_OK);
	assert_int_equal(xnr_rows_hidden(rows, &h, &more, &err), XNR_OK);
	assert_true(more && h.vec_bytes == 16);
	assert_true(h.vec[0] == 1 && h.vec[1] == -2 && h.vec[2] == 3.5f && h.vec[3] == 0);
	assert_int_equal(xnr_rows_hidden(rows, &h, &more, &err), XNR_OK);
	assert_false(more);
	xnr_rows_close(rows);
	f = open_memstream(&buf, &buf_len);
	assert_int_equal(xnr_store_hidden_npy(s, id, f, &n, &dim, &err), XNR_OK);
	fclose(f);
	assert_true(n == 1 && dim == 4 && buf_len == 128 + 16);
	assert_memory_equal(buf,
	                    "\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fortran_order': False, "
	                    "'shape': (1, 4), }",
	                    69);
	assert_int_equal(buf[127], '\n');
	assert_true(((const float *)(buf + 128))[2] == 3.5f);
	free(buf);
	xnr_store_close(s);
}

/* path (in a new temp folder named dir) holds run "a", committed (*id), and
 * *s has run "b" begun in *w, with rows, not committed. */
static void two_runs(const char *dir, char *path, size_t size, struct xnr_store **s,
                     struct xnr_run_writer **w, int64_t *id)
{
	struct xnr_run_info a = info("a"), b = info("b");
	struct xnr_error err;

	snprintf(path, size, "%s/run.db", tu_tmpdir(dir));
	assert_int_equal(xnr_store_open(path, 1, s, &err), XNR_OK);
	assert_int_equal(xnr_run_begin(*s, &a, w, &err), XNR_OK);
	write_rows(*w);
	assert_int_equal(xnr_run_commit(*w, 1, 2, 2, 0.5, "{}", id, &err), XNR_OK);
	assert_int_equal(xnr_run_begin(*s, &b, w, &err), XNR_OK);
	write_rows(*w);
}

static void test_abort_keeps_earlier_runs(void **state)
{
	char path[4200];
	struct xnr_store *s = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_error err;
	int64_t id = 0;
	(void)state;

	two_runs("store_abort", path, sizeof path, &s, &w, &id);
	xnr_run_abort(w);
	assert_int_equal(count(s->db, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(count(s->db, "SELECT count(*) FROM words"), 2);
	xnr_store_close(s);
	/* reopening finds the schema in place */
	assert_int_equal(xnr_store_open(path, 0, &s, &err), XNR_OK);
	assert_int_equal(count(s->db, "PRAGMA user_version"), XNR_STORE_SCHEMA_VERSION);
	xnr_store_close(s);
}

/* What readers see of path: complete runs, latest run, the rows of run 2. */
static void visible(const char *path, size_t runs, int64_t latest, int64_t words)
{
	struct xnr_store *r = NULL;
	struct xnr_run *v = NULL;
	struct xnr_run run;
	struct xnr_error err;
	int64_t id = -1;
	size_t n = 0;

	assert_int_equal(xnr_store_open_read(path, &r, &err), XNR_OK);
	assert_int_equal(xnr_store_runs(r, &v, &n, &err), XNR_OK);
	assert_int_equal(n, runs);
	xnr_runs_free(v, n);
	assert_int_equal(xnr_store_run_latest(r, &id, &err), XNR_OK);
	assert_int_equal(id, latest);
	assert_int_equal(xnr_store_run_get(r, 2, &run, &err),
	                 runs == 2 ? XNR_OK : XNR_ERR_NOT_FOUND);
	if (runs == 2)
		xnr_run_free(&run);
	assert_int_equal(count(r->db, "SELECT count(*) FROM words WHERE run_id = 2"), words);
	xnr_store_close(r);
}

/* Run "k2" in pieces, left by a child process that dies after its first
 * piece (as SIGKILL would leave it); its pid is gone when this returns. */
static void die_after_a_piece(const char *path)
{
	pid_t pid = fork();
	int status = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct xnr_store *s = NULL;
		struct xnr_run_writer *w = NULL;
		struct xnr_run_info in = info("k2");
		struct xnr_error err;
		if (xnr_store_open(path, 0, &s, &err) != XNR_OK ||
		    xnr_run_begin(s, &in, &w, &err) != XNR_OK)
			_exit(1);
		write_rows(w);
		_exit(xnr_run_piece(w, &err) == XNR_OK ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_pieces(void **state)
{
	char path[4200];
	struct xnr_store *s = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_run_info in = info("k2");
	struct xnr_error err;
	int64_t id = 0;
	(void)state;

	/* a piece is in the file, not in what readers see; abort deletes it */
	two_runs("store_pieces", path, sizeof path, &s, &w, &id);
	assert_int_equal(xnr_run_piece(w, &err), XNR_OK);
	visible(path, 1, 1, 2);
	xnr_run_abort(w);
	visible(path, 1, 1, 0);
	assert_int_equal(count(s->db, "SELECT count(*) FROM runs"), 1);
	xnr_store_close(s);
	/* a writer that dies after a piece: invisible, then deleted by the next run */
	die_after_a_piece(path);
	visible(path, 1, 1, 2);
	assert_int_equal(xnr_store_open(path, 0, &s, &err), XNR_OK);
	assert_int_equal(count(s->db, "SELECT count(*) FROM runs WHERE writer IS NOT NULL"), 1);
	assert_int_equal(xnr_store_find_run(s, "k2", &id, &err), XNR_OK);
	assert_int_equal(id, 0);
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	assert_int_equal(count(s->db, "SELECT count(*) FROM words"), 2);
	write_rows(w);
	assert_int_equal(xnr_run_piece(w, &err), XNR_OK);
	assert_int_equal(xnr_run_commit(w, 1, 2, 2, 0.5, "{}", &id, &err), XNR_OK);
	assert_int_equal(id, 2);
	xnr_store_close(s);
	visible(path, 2, 2, 2);
	assert_int_equal(xnr_store_open(path, 0, &s, &err), XNR_OK);
	assert_int_equal(count(s->db, "SELECT count(*) FROM runs WHERE writer IS NULL"), 2);
	assert_int_equal(count(s->db, "SELECT count(*) FROM words"), 4);
	xnr_store_close(s);
}

/* The names in dir joined with "|", sorted ("" for none). */
static const char *ls(const char *dir)
{
	static char out[1024];
	struct dirent **list = NULL;
	int i, n = scandir(dir, &list, NULL, alphasort);
	size_t used = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.')
			used += (size_t)snprintf(out + used, sizeof out - used, "%s%s",
			                         used ? "|" : "", list[i]->d_name);
		free(list[i]);
	}
	free(list);
	assert_true(n >= 0 && used < sizeof out);
	return out;
}

/* A staged store with run `key` written and committed. */
static struct xnr_store *staged_run(const char *path, const char *key)
{
	struct xnr_store *s = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_run_info in = info(key);
	struct xnr_error err;
	int64_t id = 0;

	assert_int_equal(xnr_store_open_staged(path, &s, &err), XNR_OK);
	assert_int_equal(xnr_run_begin(s, &in, &w, &err), XNR_OK);
	write_rows(w);
	assert_int_equal(xnr_run_commit(w, 1, 2, 2, 0.5, "{}", &id, &err), XNR_OK);
	return s;
}

static void test_staged_new_database(void **state)
{
	const char *dir = tu_tmpdir("store_staged");
	char path[4200], raced[4200];
	unsigned char header[20];
	struct xnr_store *s = NULL;
	struct xnr_error err;
	struct stat sb;
	mode_t mask;
	FILE *f;
	(void)state;

	snprintf(path, sizeof path, "%s/new.db", dir);
	/* a store closed before it is published leaves nothing */
	s = staged_run(path, "a");
	assert_int_not_equal(access(path, F_OK), 0);
	assert_non_null(strstr(ls(dir), "new.db.tmp-"));
	xnr_store_close(s);
	assert_string_equal(ls(dir), "");

	/* published: the database alone, with its run, SQLite's mode */
	s = staged_run(path, "a");
	assert_int_equal(xnr_store_publish(s, &err), XNR_OK);
	xnr_store_close(s);
	assert_string_equal(ls(dir), "new.db");
	assert_int_equal(stat(path, &sb), 0);
	mask = umask(0);
	umask(mask);
	assert_int_equal(sb.st_mode & 0777, 0644 & ~mask);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(header, 1, sizeof header, f), sizeof header);
	fclose(f);
	assert_true(header[18] == 2 && header[19] == 2); /* WAL, for its readers */
	assert_int_equal(xnr_store_open(path, 0, &s, &err), XNR_OK);
	assert_int_equal(count(s->db, "SELECT count(*) FROM runs"), 1);
	xnr_store_close(s);

	/* an existing database is opened in place; publishing changes nothing */
	s = staged_run(path, "b");
	assert_string_equal(ls(dir), "new.db|new.db-shm|new.db-wal");
	assert_int_equal(xnr_store_publish(s, &err), XNR_OK);
	assert_int_equal(count(s->db, "SELECT count(*) FROM runs"), 2);
	xnr_store_close(s);
	assert_string_equal(ls(dir), "new.db");

	/* another program makes the file meanwhile: it is kept, the run dropped */
	snprintf(raced, sizeof raced, "%s/raced.db", dir);
	s = staged_run(raced, "a");
	tu_write(dir, "raced.db", "theirs", 6);
	assert_int_equal(xnr_store_publish(s, &err), XNR_ERR_BUSY);
	assert_non_null(strstr(err.msg, "raced.db: another program created the database"));
	xnr_store_close(s);
	assert_string_equal(ls(dir), "new.db|raced.db");
	assert_int_equal(stat(raced, &sb), 0);
	assert_int_equal(sb.st_size, 6);

	/* no folder to make it in */
	snprintf(path, sizeof path, "%s/none/new.db", dir);
	assert_int_equal(xnr_store_open_staged(path, &s, &err), XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "none/new.db: cannot create the database"));
}

/* Settings saved while a run holds the write lock: a clear "try again" error
 * (the server's 409), and they land once the run is done. */
static void test_settings_while_a_run_writes(void **state)
{
	char path[4200];
	struct xnr_store *s = NULL, *s2 = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_setting set = {"class.PER", "{\"color\":\"#ff0000\"}"};
	struct xnr_error err;
	int64_t id = 0;
	(void)state;

	two_runs("store_settings_busy", path, sizeof path, &s, &w, &id);
	assert_int_equal(xnr_store_open(path, 0, &s2, &err), XNR_OK);
	sqlite3_busy_timeout(s2->db, 50);
	assert_int_equal(xnr_settings_save(s2, id, &set, 1, &err), XNR_ERR_BUSY);
	assert_non_null(strstr(err.msg, "a run is writing this database"));
	xnr_run_abort(w);
	assert_int_equal(xnr_settings_save(s2, id, &set, 1, &err), XNR_OK);
	assert_int_equal(count(s2->db, "SELECT count(*) FROM settings"), 1);
	xnr_store_close(s2);
	xnr_store_close(s);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *cancel_later(void *flag)
{
	struct timespec pause = {0, 100000000L};
	nanosleep(&pause, NULL);
	__atomic_store_n((int *)flag, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* Waiting for another writer's lock (issue #14): the wait lasts the busy
 * timeout, and a cancel from another thread ends it within milliseconds, so
 * a job stuck behind a second `explainer run` can be cancelled. */
static void test_busy_wait_cancelled(void **state)
{
	char path[4200];
	struct xnr_store *s = NULL, *s2 = NULL;
	struct xnr_run_writer *w = NULL;
	struct xnr_setting set = {"class.PER", "{\"color\":\"#ff0000\"}"};
	struct xnr_error err;
	int64_t id = 0;
	int cancel = 0;
	struct xnr_ctl ctl = {NULL, NULL, &cancel};
	pthread_t t;
	double t0, waited;
	(void)state;

	two_runs("store_busy_cancel", path, sizeof path, &s, &w, &id);
	assert_int_equal(xnr_store_open(path, 0, &s2, &err), XNR_OK);
	s2->busy_ms = 300;
	t0 = now_s();
	assert_int_equal(xnr_settings_save(s2, id, &set, 1, &err), XNR_ERR_BUSY);
	waited = now_s() - t0;
	print_message("the busy wait: %.3f s (timeout 0.3 s)\n", waited);
	assert_true(waited >= 0.3 && waited < 2.0);

	s2->busy_ms = 60000;
	xnr_store_set_ctl(s2, &ctl);
	assert_int_equal(pthread_create(&t, NULL, cancel_later, &cancel), 0);
	t0 = now_s();
	assert_int_equal(xnr_settings_save(s2, id, &set, 1, &err), XNR_ERR_CANCELLED);
	waited = now_s() - t0;
	pthread_join(t, NULL);
	print_message("cancelled after %.3f s (cancel at 0.1 s)\n", waited);
	assert_true(waited >= 0.09 && waited < 1.0);
	assert_non_null(strstr(err.msg, "run.db: cancelled while waiting for another program"));

	/* the ctl cleared: a wait ends at the timeout again, and the lock once free is taken */
	xnr_store_set_ctl(s2, NULL);
	s2->busy_ms = 50;
	assert_int_equal(xnr_settings_save(s2, id, &set, 1, &err), XNR_ERR_BUSY);
	xnr_run_abort(w);
	assert_int_equal(xnr_settings_save(s2, id, &set, 1, &err), XNR_OK);
	xnr_store_close(s2);
	xnr_store_close(s);
}

static void test_refuses_foreign_files(void **state)
{
	const char *dir = tu_tmpdir("store_bad");
	char path[4200], cmd[8600];
	struct xnr_store *s = NULL;
	struct xnr_error err;
	(void)state;

	tu_write(dir, "notes.txt", "this is not a database, just some text that is long enough",
	         59);
	snprintf(path, sizeof path, "%s/notes.txt", dir);
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "notes.txt"));
	assert_null(s);
	snprintf(path, sizeof path, "%s/missing.db", dir);
	assert_int_equal(xnr_store_open(path, 0, &s, &err), XNR_ERR_NOT_FOUND);
	snprintf(path, sizeof path, "%s/future.db", dir);
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	xnr_store_close(s);
	snprintf(cmd, sizeof cmd,
	         "python3 -c \"import sqlite3; c = sqlite3.connect('%s'); "
	         "c.execute('PRAGMA user_version = 99'); c.commit()\"",
	         path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(xnr_store_open(path, 0, &s, &err), XNR_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "newer ExplaiNER"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_read),
	    cmocka_unit_test(test_hidden_f16),
	    cmocka_unit_test(test_abort_keeps_earlier_runs),
	    cmocka_unit_test(test_pieces),
	    cmocka_unit_test(test_staged_new_database),
	    cmocka_unit_test(test_settings_while_a_run_writes),
	    cmocka_unit_test(test_busy_wait_cancelled),
	    cmocka_unit_test(test_refuses_foreign_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
