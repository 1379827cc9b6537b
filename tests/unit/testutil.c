/* testutil.c - paths, test material, scratch files and error checks for unit tests. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "_shared" in the shared group: ctest may run a test's two groups at once, and
 * each needs its own scratch folders. */
static const char *group_suffix = "";

const char *tu_src(const char *rel)
{
	static _Thread_local char buf[4096];
	snprintf(buf, sizeof buf, "%s/%s", XNR_SOURCE_DIR, rel);
	return buf;
}

static const char *shared_dir(void)
{
	const char *dir = getenv("XNR_SHARED_DIR");
	return dir && dir[0] ? dir : XNR_SOURCE_DIR "/../shared";
}

const char *tu_shared(const char *rel)
{
	static _Thread_local char buf[4096];
	snprintf(buf, sizeof buf, "%s/%s", shared_dir(), rel);
	return buf;
}

void tu_need_shared(const char *rel, ...)
{
	va_list ap;
	va_start(ap, rel);
	for (; rel; rel = va_arg(ap, const char *)) {
		if (access(tu_shared(rel), R_OK) == 0)
			continue;
		/* One line, the first thing printed: ctest shows it as the skip's reason. */
		printf("SKIP: %s is absent (CoNLL-2003 and conll03-bert-mini are not in the "
		       "repository; XNR_SHARED_DIR=%s)\n",
		       tu_shared(rel), shared_dir());
		fflush(stdout);
		va_end(ap);
		exit(TU_SKIP);
	}
	va_end(ap);
}

#define MINI "models/conll03-bert-mini"

void tu_material_init(struct tu_material *m, int argc, char **argv)
{
	const char *group = argc > 1 ? argv[1] : "core";

	memset(m, 0, sizeof *m);
	if (argc > 2 || (strcmp(group, "core") != 0 && strcmp(group, "shared") != 0)) {
		fprintf(stderr, "usage: %s [core|shared]\n", argv[0]);
		exit(2);
	}
	if (strcmp(group, "core") == 0) {
		m->name = "demo/eval.conll";
		snprintf(m->model, sizeof m->model, "%s", tu_src("demo/model"));
		snprintf(m->data, sizeof m->data, "%s", tu_src("demo/eval.conll"));
		snprintf(m->golden, sizeof m->golden, "%s",
		         tu_src("tests/fixtures/demo/golden_eval64.json"));
		snprintf(m->expected, sizeof m->expected, "%s",
		         tu_src("tests/fixtures/demo/expected_eval.json"));
		return;
	}
	tu_need_shared("data/conll2003/test.txt", MINI "/config.json", MINI "/model.safetensors",
	               MINI "/tokenizer.json", MINI "/golden_test64.json",
	               MINI "/expected_test.txt.json", NULL);
	m->shared = 1;
	group_suffix = "_shared";
	m->name = "CoNLL-2003 test";
	snprintf(m->model, sizeof m->model, "%s", tu_shared(MINI));
	snprintf(m->data, sizeof m->data, "%s", tu_shared("data/conll2003/test.txt"));
	snprintf(m->golden, sizeof m->golden, "%s", tu_shared(MINI "/golden_test64.json"));
	snprintf(m->expected, sizeof m->expected, "%s", tu_shared(MINI "/expected_test.txt.json"));
}

const char *tu_tmpdir(const char *name)
{
	static _Thread_local char buf[4096];
	char cmd[8400];
	snprintf(buf, sizeof buf, "%s/tmp/%s%s", XNR_BINARY_DIR, name, group_suffix);
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", buf, buf);
	assert_int_equal(system(cmd), 0);
	return buf;
}

const char *tu_write(const char *dir, const char *name, const void *data, size_t n)
{
	static char path[8300];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	return path;
}

void tu_copy(const char *from, const char *to)
{
	char cmd[8300];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

void tu_expect_input(enum xnr_status got, const struct xnr_error *err, const char *needle)
{
	assert_int_equal(got, XNR_ERR_INPUT);
	if (!strstr(err->msg, needle))
		fail_msg("message '%s' does not name '%s'", err->msg, needle);
}
