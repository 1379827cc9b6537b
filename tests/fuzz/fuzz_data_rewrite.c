/*
 * fuzz_data_rewrite.c - libFuzzer target for the dataset rewriter
 * (data/rewrite.h): the input (its first byte picks CoNLL or JSONL) is
 * written to a file and read; if it loads, every word is edited (B-LOC,
 * I-LOC in turn) and the copy must read back with the same words, the
 * edited tags and the same number of lines. A failure must have a message.
 * Seeds: tests/fuzz/corpus/data_rewrite/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/dataset.h"
#include "data/rewrite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write n bytes to a new temporary file: its path (static), or NULL. */
static const char *to_file(const void *bytes, size_t n, const char *suffix)
{
	static char path[2][64];
	static int k;
	char *p = path[k++ & 1];
	int fd;

	snprintf(p, sizeof path[0], "/tmp/xnr_fuzz_XXXXXX%s", suffix);
	if ((fd = mkstemps(p, (int)strlen(suffix))) < 0)
		return NULL;
	if (write(fd, bytes, n) != (ssize_t)n) {
		close(fd);
		unlink(p);
		return NULL;
	}
	close(fd);
	return p;
}

static size_t lines(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* The copy reads back with ds's words and the edited tags. */
static void check_copy(const struct xnr_dataset *ds, const struct xnr_data_params *p,
                       const char *copy, size_t n, const char *orig, size_t orig_n,
                       const char *suffix)
{
	const char *path = to_file(copy, n, suffix);
	struct xnr_dataset *back = NULL;
	struct xnr_error err;

	if (lines(copy, n) != lines(orig, orig_n))
		__builtin_trap();
	if (!path)
		return;
	if (xnr_dataset_open(path, p, &back, &err) != XNR_OK)
		__builtin_trap();
	if (back->n_words != ds->n_words)
		__builtin_trap();
	for (size_t w = 0; w < ds->n_words; w++)
		if (strcmp(back->words[w], ds->words[w]) != 0 ||
		    strcmp(back->labels.names[back->tags[w]], w % 2 ? "I-LOC" : "B-LOC") != 0)
			__builtin_trap();
	xnr_dataset_close(back);
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xnr_data_params p = xnr_data_default_params();
	const char *suffix = size && (data[0] & 1) ? ".jsonl" : ".conll", *path;
	struct xnr_dataset *ds = NULL;
	struct xnr_tag_edit *e;
	struct xnr_error err;
	char *copy = NULL;
	size_t n = 0;
	FILE *out;

	if (size == 0 || !(path = to_file(data + 1, size - 1, suffix)))
		return 0;
	p.max_line_bytes = 4096;
	p.labels = strcmp(suffix, ".jsonl") == 0 ? "O,B-PER,I-PER,B-LOC,I-LOC" : NULL;
	if (xnr_dataset_open(path, &p, &ds, &err) != XNR_OK) {
		unlink(path);
		return 0;
	}
	e = calloc(ds->n_words + 1, sizeof *e);
	out = open_memstream(&copy, &n);
	for (size_t w = 0; e && w < ds->n_words; w++)
		e[w] = (struct xnr_tag_edit){w, w % 2 ? "I-LOC" : "B-LOC"};
	if (e && out) {
		enum xnr_status st = xnr_dataset_rewrite(ds, &p, e, ds->n_words, out, &err);
		fclose(out);
		out = NULL;
		if (st != XNR_OK && err.msg[0] == '\0')
			__builtin_trap();
		if (st == XNR_OK)
			check_copy(ds, &p, copy, n, (const char *)data + 1, size - 1, suffix);
	}
	if (out)
		fclose(out);
	free(copy);
	free(e);
	xnr_dataset_close(ds);
	unlink(path);
	return 0;
}
