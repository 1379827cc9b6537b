/*
 * replay.c - runs a fuzz target once over each input it is given: files, or
 * every file of a folder (a corpus). Under ctest it replays the committed
 * seeds (and every crash found by libFuzzer, once added), so each is a
 * regression test without clang; by hand it reproduces one saved crash.
 * Each input's path is printed before it runs, so a crash names its input.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run the target on one file; -1 if it cannot be read. */
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	long len = -1;
	uint8_t *buf = NULL;
	int rc = -1;

	if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
		buf = malloc(len > 0 ? (size_t)len : 1);
	if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len) {
		printf("%s\n", path);
		fflush(stdout);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		rc = 0;
	} else {
		fprintf(stderr, "%s: cannot read\n", path);
	}
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

/* Run every file of a folder (names starting with '.' skipped); counts in *n. */
static int run_dir(const char *dir_path, int *n)
{
	DIR *dir = opendir(dir_path);
	struct dirent *e;
	int rc = 0;

	if (!dir) {
		fprintf(stderr, "%s: cannot open folder\n", dir_path);
		return -1;
	}
	while (rc == 0 && (e = readdir(dir)) != NULL) {
		char path[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir_path, e->d_name);
		rc = run_file(path);
		*n += rc == 0;
	}
	closedir(dir);
	return rc;
}

int main(int argc, char **argv)
{
	int n = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat sb;
		int is_dir = stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode);
		if ((is_dir ? run_dir(argv[i], &n) : run_file(argv[i])) != 0)
			return 1;
		n += !is_dir;
	}
	printf("%d passed, 0 failed\n", n);
	return n > 0 ? 0 : 1;
}
