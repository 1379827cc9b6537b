/*
 * replay.c - runs a fuzz target over every file of a corpus folder, so the
 * seed corpus (and every crash found by libFuzzer, once added) is a
 * regression test under ctest without clang.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	DIR *dir;
	struct dirent *e;
	int n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	dir = opendir(argv[1]);
	if (!dir) {
		fprintf(stderr, "%s: cannot open corpus folder\n", argv[1]);
		return 1;
	}
	while ((e = readdir(dir)) != NULL) {
		char path[4096];
		FILE *f;
		long len;
		uint8_t *buf;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc(len > 0 ? (size_t)len : 1);
		if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len) {
			LLVMFuzzerTestOneInput(buf, (size_t)len);
			n++;
		}
		free(buf);
		fclose(f);
	}
	closedir(dir);
	printf("%d passed, 0 failed\n", n);
	return n > 0 ? 0 : 1;
}
