/* test_core.c - status strings, error fields, file reads with caps, only
 * regular files opened (never blocking), CSV fields, the compute pool, the
 * line reader (caps, every line ending). */
#include "testutil.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/file.h"
#include "core/half.h"
#include "core/hash.h"
#include "core/progress.h"
#include "core/json.h"
#include "core/lines.h"
#include "core/pool.h"
#include "core/status.h"

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(xnr_status_str(XNR_OK), "ok");
	assert_string_equal(xnr_status_str((enum xnr_status)999), "unknown status");
	/* Every status has a name of its own: a message-less failure still says what it is. */
	for (int i = 0; i < XNR_STATUS_COUNT; i++) {
		assert_string_not_equal(xnr_status_str((enum xnr_status)i), "unknown status");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(xnr_status_str((enum xnr_status)i),
			                        xnr_status_str((enum xnr_status)j));
	}
}

/* The fields say where a failure is, and no field outlives the failure it
 * belongs to. */
static void test_error_fields(void **state)
{
	struct xnr_error err;
	(void)state;
	assert_int_equal(xnr_fail_at(&err, XNR_ERR_FORMAT, "d/t.conll", 12, "bad tag %s", "X"),
	                 XNR_ERR_FORMAT);
	assert_string_equal(err.msg, "d/t.conll:12: bad tag X");
	assert_string_equal(err.path, "d/t.conll");
	assert_int_equal(err.line, 12);
	assert_int_equal(err.item, 0);
	xnr_error_set_item(&err, 3);
	assert_int_equal(err.item, 3);
	assert_int_equal(xnr_fail(&err, XNR_ERR_NOMEM, "out of memory"), XNR_ERR_NOMEM);
	assert_string_equal(err.msg, "out of memory");
	assert_string_equal(err.path, "");
	assert_int_equal(err.line, 0);
	assert_int_equal(err.item, 0);

	xnr_fail_at(&err, XNR_ERR_IO, "m/config.json", 0, "read error");
	assert_string_equal(err.msg, "m/config.json: read error");
	assert_int_equal(err.line, 0);
	xnr_fail(&err, XNR_ERR_INPUT, "word 2: invalid UTF-8");
	xnr_error_set_item(&err, 4);
	xnr_error_at(&err, "t.conll", 7);
	assert_string_equal(err.msg, "t.conll:7: word 2: invalid UTF-8");
	assert_int_equal(err.status, XNR_ERR_INPUT);
	assert_int_equal(err.item, 4);
	xnr_error_prefix(&err, "run: ");
	assert_string_equal(err.msg, "run: t.conll:7: word 2: invalid UTF-8");
	assert_string_equal(err.path, "t.conll");
	xnr_error_clear(&err);
	assert_int_equal(err.status, XNR_OK);
	assert_string_equal(err.msg, "");
	assert_string_equal(err.path, "");
	assert_int_equal(err.line + err.item, 0);

	/* A path longer than the field stays whole in the message. */
	char long_path[XNR_ERROR_PATH_MAX + 40];
	memset(long_path, 'a', sizeof long_path - 1);
	long_path[sizeof long_path - 1] = '\0';
	xnr_fail_at(&err, XNR_ERR_NOT_FOUND, long_path, 0, "cannot open");
	assert_int_equal(strlen(err.path), XNR_ERROR_PATH_MAX - 1);
	assert_non_null(strstr(err.msg, long_path));
	/* NULL err is allowed everywhere. */
	assert_int_equal(xnr_fail_at(NULL, XNR_ERR_IO, "x", 1, "y"), XNR_ERR_IO);
	xnr_error_at(NULL, "x", 1);
	xnr_error_set_item(NULL, 1);
}

static void test_file_cap(void **state)
{
	struct xnr_error err;
	char *buf = NULL;
	size_t n = 0;
	const char *dir = tu_tmpdir("core_file");
	const char *p = tu_write(dir, "f.txt", "hello", 5);
	(void)state;
	assert_int_equal(xnr_file_read(p, 4, &buf, &n, &err), XNR_ERR_LIMIT);
	assert_null(buf);
	assert_int_equal(xnr_file_read(p, 5, &buf, &n, &err), XNR_OK);
	assert_string_equal(buf, "hello");
	free(buf);
	assert_int_equal(xnr_file_read("/nonexistent/x", 5, &buf, &n, &err), XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/x: cannot open"));
	assert_string_equal(err.path, "/nonexistent/x");
	/* there, but not a file: unreadable, not missing */
	assert_int_equal(xnr_file_read(dir, 5, &buf, &n, &err), XNR_ERR_IO);
	assert_string_equal(err.path, dir);
}

/* A FIFO, a device or a folder where a file belongs: refused at once with
 * what it is (a FIFO's open would wait for a writer, a device's read never
 * ends), but found, so callers do not call it missing. */
static void test_file_special(void **state)
{
	struct xnr_error err;
	struct xnr_mmap map;
	FILE *f = NULL;
	char fifo[4200], *buf = NULL;
	size_t n = 0;
	int fd = -1;
	const char *dir = tu_tmpdir("core_special");
	const char *p = tu_write(dir, "f.txt", "hello", 5);
	(void)state;

	snprintf(fifo, sizeof fifo, "%s/pipe", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_true(xnr_file_exists(fifo));
	assert_int_equal(xnr_file_open(fifo, &fd, &n, &err), XNR_ERR_IO);
	assert_string_equal(err.path, fifo);
	assert_non_null(strstr(err.msg, "pipe: a FIFO (named pipe), not a regular file"));
	assert_int_equal(xnr_file_read(fifo, 5, &buf, &n, &err), XNR_ERR_IO);
	assert_int_equal(xnr_mmap_init(&map, fifo, &err), XNR_ERR_IO);
	assert_int_equal(xnr_file_fopen(fifo, &f, &err), XNR_ERR_IO);
	assert_null(f);
	assert_int_equal(xnr_file_open("/dev/zero", &fd, &n, &err), XNR_ERR_IO);
	assert_non_null(strstr(err.msg, "/dev/zero: a character device, not a regular file"));
	assert_false(xnr_file_exists(dir));
	assert_int_equal(xnr_file_open(dir, &fd, &n, &err), XNR_ERR_IO);
	assert_non_null(strstr(err.msg, ": a folder, not a regular file"));
	assert_int_equal(fd, -1); /* untouched on failure */
	assert_int_equal(xnr_file_open("/nonexistent/x", &fd, &n, &err), XNR_ERR_NOT_FOUND);

	/* a regular file: a blocking descriptor, its size; the stream reads it */
	assert_int_equal(xnr_file_open(p, &fd, &n, &err), XNR_OK);
	assert_int_equal(n, 5);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	assert_int_equal(xnr_file_fopen(p, &f, &err), XNR_OK);
	assert_int_equal(fread(fifo, 1, sizeof fifo, f), 5);
	fclose(f);
}

/* RFC 4180 fields: quoted only when needed, quotes doubled, every byte kept
 * (a comma after a NUL byte still needs quotes). */
static void test_csv_fields(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
		size_t out_n;
	} cases[] = {
	    {"EU", 2, "EU", 2},
	    {"-5", 2, "-5", 2},
	    {"a,b", 3, "\"a,b\"", 5},
	    {"say \"hi\"", 8, "\"say \"\"hi\"\"\"", 12},
	    {"\"", 1, "\"\"\"\"", 4},
	    {"a\r\nb", 4, "\"a\r\nb\"", 6},
	    {"a\0,b", 4, "\"a\0,b\"", 6},
	    {"a\0b", 3, "a\0b", 3},
	    {"", 0, "", 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		assert_non_null(f);
		xnr_csv_field(f, cases[i].in, cases[i].n);
		assert_int_equal(fclose(f), 0);
		assert_int_equal(len, cases[i].out_n);
		assert_memory_equal(text, cases[i].out, len);
		free(text);
	}
}

/* Text that is not UTF-8 becomes null, not a failed document; a real past
 * int64_t's range is not an integer. */
static void test_json_text_and_int(void **state)
{
	json_t *v, *o;
	int64_t n = 0;
	struct xnr_error err;
	(void)state;

	v = xnr_json_text("Z\xc3\xbcrich", -1);
	assert_string_equal(json_string_value(v), "Z\xc3\xbcrich");
	json_decref(v);
	v = xnr_json_text("ab", 1);
	assert_string_equal(json_string_value(v), "a");
	json_decref(v);
	assert_true(json_is_null(xnr_json_text("Z\xfcrich", -1)));
	assert_true(json_is_null(xnr_json_text(NULL, -1)));
	o = json_pack("{s:f,s:f}", "big", 1.3e27, "two", 2.0);
	assert_int_equal(xnr_json_int(o, "big", &n, "t.json", &err), -1);
	assert_int_equal(xnr_json_int(o, "two", &n, "t.json", &err), 1);
	assert_int_equal(n, 2);
	json_decref(o);
}

static void test_json_duplicates(void **state)
{
	struct xnr_error err;
	json_t *v = NULL;
	(void)state;
	assert_int_equal(xnr_json_parse("{\"a\":1,\"a\":2}", 13, "x.json", &v, &err),
	                 XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "x.json:1: invalid JSON at column"));
	assert_string_equal(err.path, "x.json");
	assert_int_equal(err.line, 1);
	assert_int_equal(xnr_json_parse("{\"a\":1}", 7, "x.json", &v, &err), XNR_OK);
	json_decref(v);
}

struct sum_ctx {
	long n;
	long partial[8];
};

static void sum_part(void *p, int ith, int nth)
{
	struct sum_ctx *c = p;
	long b, e, i, s = 0;
	xnr_split_range(c->n, ith, nth, &b, &e);
	for (i = b; i < e; i++)
		s += i;
	c->partial[ith] = s;
}

static void test_pool(void **state)
{
	struct xnr_pool *pool = NULL;
	struct xnr_error err;
	struct sum_ctx c = {.n = 100001};
	int round;
	(void)state;
	assert_int_equal(xnr_pool_open(4, &pool, &err), XNR_OK);
	for (round = 0; round < 50; round++) {
		long total = 0;
		int i;
		xnr_pool_run(pool, sum_part, &c);
		for (i = 0; i < 4; i++)
			total += c.partial[i];
		assert_int_equal(total, 100001L * 100000L / 2);
	}
	xnr_pool_close(pool);
	assert_int_equal(xnr_pool_open(0, &pool, &err), XNR_ERR_INPUT);
}

static void test_lines_cap(void **state)
{
	const char *text = "ab\r\n\nlonger line\nlast";
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	struct xnr_lines lr;
	struct xnr_error err;
	const char *line;
	size_t len;
	(void)state;
	xnr_lines_init(&lr, f, "t.txt", 8);
	assert_int_equal(xnr_lines_next(&lr, &line, &len, &err), XNR_OK);
	assert_string_equal(line, "ab");
	assert_int_equal(xnr_lines_next(&lr, &line, &len, &err), XNR_OK);
	assert_string_equal(line, "");
	assert_int_equal(xnr_lines_next(&lr, &line, &len, &err), XNR_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "t.txt:3: line longer than 8 bytes"));
	assert_string_equal(err.path, "t.txt");
	assert_int_equal(err.line, 3);
	xnr_lines_free(&lr);
	fclose(f);

	f = fmemopen((void *)(uintptr_t) "x\nlast", 6, "r");
	xnr_lines_init(&lr, f, "t.txt", 8);
	assert_int_equal(xnr_lines_next(&lr, &line, &len, &err), XNR_OK);
	assert_int_equal(xnr_lines_next(&lr, &line, &len, &err), XNR_OK);
	assert_string_equal(line, "last");
	assert_int_equal(lr.line_no, 2);
	assert_int_equal(xnr_lines_next(&lr, &line, &len, &err), XNR_OK);
	assert_null(line);
	xnr_lines_free(&lr);
	fclose(f);
}

/* Every line of f joined with "|" after its line number ("1:a|2:b"), or the
 * error message. */
static void read_all(FILE *f, size_t max_len, char *out, size_t size)
{
	struct xnr_lines lr;
	struct xnr_error err;
	const char *line;
	size_t len, used = 0;

	out[0] = '\0';
	xnr_lines_init(&lr, f, "t.txt", max_len);
	for (;;) {
		if (xnr_lines_next(&lr, &line, &len, &err) != XNR_OK) {
			snprintf(out + used, size - used, "%s%s", used ? "|" : "", err.msg);
			break;
		}
		if (!line)
			break;
		used += (size_t)snprintf(out + used, size - used, "%s%ld:%.*s", used ? "|" : "",
		                         lr.line_no, (int)len, line);
		assert_true(used < size);
	}
	xnr_lines_free(&lr);
}

static void test_lines_endings(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"a\nb\n", "1:a|2:b"},
	    {"a\r\nb\r\n", "1:a|2:b"},
	    {"a\rb\r", "1:a|2:b"},                  /* old Mac */
	    {"a\rb", "1:a|2:b"},                    /* no end on the last line */
	    {"a\r", "1:a"},                         /* CR the last byte */
	    {"a\r\r\nb", "1:a|2:|3:b"},             /* a lone CR, then CRLF */
	    {"a\n\rb\r\n\nc", "1:a|2:|3:b|4:|5:c"}, /* mixed */
	    {"\r\r", "1:|2:"},
	    {"\r\n", "1:"},
	    {"12345678\r\n123456789\r", "1:12345678|t.txt:2: line longer than 8 bytes (split "
	                                "the input)"},
	    {"1234\r5678\r9", "1:1234|2:5678|3:9"},
	};
	char got[256];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		FILE *f = fmemopen((void *)(uintptr_t)cases[i].in, strlen(cases[i].in), "r");
		assert_non_null(f);
		read_all(f, 8, got, sizeof got);
		fclose(f);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
	}
}

/* A CR at the end of stdio's buffer with its LF in the next fill counts once. */
static void test_lines_cr_at_buffer_end(void **state)
{
	FILE *f = tmpfile();
	struct xnr_lines lr;
	struct xnr_error err;
	const char *line;
	size_t len, i, lines = 0;
	char buf[BUFSIZ];
	(void)state;

	assert_non_null(f);
	setvbuf(f, buf, _IOFBF, sizeof buf);
	/* CR LF across each fill boundary; the file ends with a CR */
	for (i = 0; i < 3 * BUFSIZ; i++)
		fputc(i % BUFSIZ == BUFSIZ - 1 ? '\r' : i % BUFSIZ == 0 && i ? '\n' : 'x', f);
	rewind(f);
	xnr_lines_init(&lr, f, "t.txt", 3 * BUFSIZ);
	while (xnr_lines_next(&lr, &line, &len, &err) == XNR_OK && line) {
		assert_int_equal(len, lines == 0 ? BUFSIZ - 1 : BUFSIZ - 2);
		assert_int_equal(strspn(line, "x"), len);
		lines++;
	}
	assert_int_equal(lines, 3);
	assert_int_equal(lr.line_no, 3);
	xnr_lines_free(&lr);
	fclose(f);
}

/* A line ended by "\r" comes back without waiting for the next byte (a
 * pipe from a program that has not written it yet). */
static void test_lines_cr_does_not_wait(void **state)
{
	int fd[2];
	FILE *f;
	struct xnr_lines lr;
	struct xnr_error err;
	const char *line;
	size_t len;
	(void)state;

	assert_int_equal(pipe(fd), 0);
	assert_int_equal(fcntl(fd[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(write(fd[1], "ab\r", 3), 3);
	f = fdopen(fd[0], "r");
	assert_non_null(f);
	xnr_lines_init(&lr, f, "pipe", 16);
	assert_int_equal(xnr_lines_next(&lr, &line, &len, &err), XNR_OK);
	assert_string_equal(line, "ab");
	assert_int_equal(write(fd[1], "\ncd\n", 4), 4);
	close(fd[1]);
	clearerr(f);
	assert_int_equal(xnr_lines_next(&lr, &line, &len, &err), XNR_OK);
	assert_string_equal(line, "cd");
	assert_int_equal(lr.line_no, 2);
	assert_int_equal(xnr_lines_next(&lr, &line, &len, &err), XNR_OK);
	assert_null(line);
	xnr_lines_free(&lr);
	fclose(f);
}

static void test_sha256(void **state)
{
	struct xnr_sha256 *h = NULL;
	struct xnr_error err;
	char hex[XNR_SHA256_HEX];
	const char *dir = tu_tmpdir("core_hash");
	const char *p = tu_write(dir, "abc.txt", "abc", 3);
	(void)state;
	assert_int_equal(xnr_sha256_open(&h, &err), XNR_OK);
	xnr_sha256_update(h, "abc", 3);
	xnr_sha256_hex(h, hex);
	/* FIPS 180-2 test vector */
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(xnr_sha256_file(h, p, &err), XNR_OK);
	xnr_sha256_hex(h, hex);
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(xnr_sha256_file(h, "/nonexistent/f", &err), XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/f"));
	xnr_sha256_close(h);
}

static void test_progress(void **state)
{
	struct xnr_progress p;
	char buf[160];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	(void)state;
	xnr_progress_init(&p, f, 0, 3453, "sentences"); /* not a terminal: silent */
	xnr_progress_add(&p, 100);
	xnr_progress_finish(&p);
	fflush(f);
	assert_int_equal(len, 0);
	xnr_progress_init(&p, f, 1, 3453, "sentences");
	p.start = 100.0;
	p.done = 1204;
	xnr_progress_format(&p, 102.0, buf, sizeof buf);
	assert_string_equal(buf, "1,204/3,453 sentences  602/s  ETA 4s");
	xnr_progress_add(&p, 2249);
	xnr_progress_finish(&p);
	fflush(f);
	assert_non_null(strstr(text, "3,453/3,453 sentences"));
	fclose(f);
	free(text);
}

/* Every finite F16 survives F32 and back; the midpoint of two neighbours
 * rounds to the even one, just below or above it to the nearer one. */
static void test_half(void **state)
{
	(void)state;
	for (uint32_t h = 0; h < 0x10000; h++) {
		float f = xnr_f16_to_f32((uint16_t)h), next, mid;
		if ((h & 0x7C00u) == 0x7C00u) {
			assert_true((h & 0x3FFu) ? f != f : xnr_f32_to_f16(f) == h);
			continue;
		}
		assert_int_equal(xnr_f32_to_f16(f), h);
		if ((h & 0x7FFFu) == 0x7BFFu)
			continue;
		next = xnr_f16_to_f32((uint16_t)(h + 1));
		mid = (f + next) / 2; /* exact in F32 */
		assert_int_equal(xnr_f32_to_f16(mid), (h & 1) ? h + 1 : h);
		assert_int_equal(xnr_f32_to_f16(nextafterf(mid, f)), h);
		assert_int_equal(xnr_f32_to_f16(nextafterf(mid, next)), h + 1);
	}
	assert_int_equal(xnr_f32_to_f16(65520.0f), 0x7C00u); /* rounds past the largest half */
	assert_int_equal(xnr_f32_to_f16(65519.0f), 0x7BFFu);
	assert_int_equal(xnr_f32_to_f16(-1e-30f), 0x8000u);
	assert_int_equal(xnr_f32_to_f16(1.5f), 0x3E00u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_names),
	    cmocka_unit_test(test_error_fields),
	    cmocka_unit_test(test_file_cap),
	    cmocka_unit_test(test_file_special),
	    cmocka_unit_test(test_csv_fields),
	    cmocka_unit_test(test_json_duplicates),
	    cmocka_unit_test(test_json_text_and_int),
	    cmocka_unit_test(test_pool),
	    cmocka_unit_test(test_lines_cap),
	    cmocka_unit_test(test_lines_endings),
	    cmocka_unit_test(test_lines_cr_at_buffer_end),
	    cmocka_unit_test(test_lines_cr_does_not_wait),
	    cmocka_unit_test(test_sha256),
	    cmocka_unit_test(test_half),
	    cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
