/*
 * tokdump.c - encode one input per line with the C tokenizer and print one JSON
 * object per line, for the parity check against Hugging Face tokenizers
 * (tests/tokparity/parity.mjs compares it with the Rust crate's Node binding).
 *
 *   tokdump TOKENIZER_JSON|MODEL_DIR --text|--words INPUT_FILE
 *
 * A folder is opened as the engine opens a model's (tokenizer.json, else the
 * slow tokenizer files converted).
 * --text encodes each line as raw text; --words splits each line on single
 * spaces into pre-split words (is_split_into_words). Output per line:
 *   {"ids":[..],"offsets":[[s,e],..],"word_ids":[..]}   byte offsets, null word ids
 *   {"error":"..."}                                      when encoding fails
 * Exit status: 0 when every line was written, 1 on bad usage or unreadable
 * input, 2 when the tokenizer does not load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tokenizer/tokenizer.h"

/* Longest input line accepted; CoNLL sentences are far below it. */
#define TOKDUMP_LINE_MAX (1 << 20)

struct tokdump_words {
	int n;
	int cap;
	const char **ptr;
	size_t *len;
};

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_encoding(const struct xnr_encoding *enc)
{
	int i;

	fputs("{\"ids\":[", stdout);
	for (i = 0; i < enc->n_tokens; i++)
		printf("%s%d", i ? "," : "", (int)enc->ids[i]);
	fputs("],\"offsets\":[", stdout);
	for (i = 0; i < enc->n_tokens; i++)
		printf("%s[%d,%d]", i ? "," : "", (int)enc->offsets[2 * i],
		       (int)enc->offsets[2 * i + 1]);
	fputs("],\"word_ids\":[", stdout);
	for (i = 0; i < enc->n_tokens; i++) {
		if (enc->word_ids[i] < 0)
			printf("%snull", i ? "," : "");
		else
			printf("%s%d", i ? "," : "", (int)enc->word_ids[i]);
	}
	fputs("]}\n", stdout);
}

/* Split line[0, len) on single spaces; the pointers borrow line. */
static int split_words(char *line, size_t len, struct tokdump_words *w)
{
	size_t start = 0, i;

	w->n = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (w->n == w->cap) {
			int cap = w->cap ? 2 * w->cap : 64;
			const char **p = realloc(w->ptr, (size_t)cap * sizeof(*p));
			size_t *l;
			if (!p)
				return -1;
			w->ptr = p;
			l = realloc(w->len, (size_t)cap * sizeof(*l));
			if (!l)
				return -1;
			w->len = l;
			w->cap = cap;
		}
		w->ptr[w->n] = line + start;
		w->len[w->n] = i - start;
		w->n++;
		start = i + 1;
	}
	if (len == 0)
		w->n = 0;
	return 0;
}

static enum xnr_status encode_line(const struct xnr_tokenizer *tok, int words_mode, char *line,
                                   size_t len, struct tokdump_words *w, struct xnr_encoding *enc,
                                   struct xnr_error *err)
{
	if (!words_mode)
		return xnr_tokenizer_encode(tok, line, len, 1, enc, err);
	if (split_words(line, len, w) != 0)
		return xnr_fail(err, XNR_ERR_NOMEM, "tokdump: out of memory splitting words");
	return xnr_tokenizer_encode_words(tok, w->ptr, w->len, w->n, 1, enc, err);
}

static int dump_file(const struct xnr_tokenizer *tok, int words_mode, FILE *in)
{
	struct tokdump_words w = {0, 0, NULL, NULL};
	struct xnr_encoding enc;
	struct xnr_error err;
	char *line = NULL;
	size_t line_cap = 0;
	ssize_t n;
	int rc = 0;

	xnr_encoding_init(&enc);
	while ((n = getline(&line, &line_cap, in)) >= 0) {
		size_t len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len > TOKDUMP_LINE_MAX) {
			fprintf(stderr, "tokdump: line longer than %d bytes\n", TOKDUMP_LINE_MAX);
			rc = 1;
			break;
		}
		xnr_error_clear(&err);
		if (encode_line(tok, words_mode, line, len, &w, &enc, &err) == XNR_OK) {
			print_encoding(&enc);
		} else {
			fputs("{\"error\":", stdout);
			print_json_string(err.msg);
			fputs("}\n", stdout);
		}
	}
	free(line);
	free(w.ptr);
	free(w.len);
	xnr_encoding_free(&enc);
	return rc;
}

int main(int argc, char **argv)
{
	struct xnr_tokenizer *tok = NULL;
	struct xnr_error err;
	struct stat sb;
	FILE *in;
	int words_mode, rc;

	if (argc != 4 || (strcmp(argv[2], "--text") != 0 && strcmp(argv[2], "--words") != 0)) {
		fprintf(stderr,
		        "usage: tokdump TOKENIZER_JSON|MODEL_DIR --text|--words INPUT_FILE\n");
		return 1;
	}
	words_mode = strcmp(argv[2], "--words") == 0;
	xnr_error_clear(&err);
	if ((stat(argv[1], &sb) == 0 && S_ISDIR(sb.st_mode)
	         ? xnr_tokenizer_open(argv[1], &tok, &err)
	         : xnr_tokenizer_open_json(argv[1], &tok, &err)) != XNR_OK) {
		fprintf(stderr, "tokdump: %s: %s\n", argv[1], err.msg);
		return 2;
	}
	in = fopen(argv[3], "rb");
	if (!in) {
		fprintf(stderr, "tokdump: cannot open %s\n", argv[3]);
		xnr_tokenizer_close(tok);
		return 1;
	}
	rc = dump_file(tok, words_mode, in);
	fclose(in);
	xnr_tokenizer_close(tok);
	if (fflush(stdout) != 0)
		rc = 1;
	return rc;
}
