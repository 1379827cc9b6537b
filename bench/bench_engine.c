/*
 * bench_engine.c - tokens per second of the inference engine over a CoNLL
 * file (every sentence, pre-split words, as `explainer run` will feed it).
 * Prints one JSON line: {"impl":"explainer","tokens":..,"seconds":..,
 * "tokens_per_s":..,"peak_rss_mb":..,"weights_mb":..}. Not a test.
 *
 * usage: bench_engine MODEL_DIR CONLL_FILE [THREADS] [REPEATS] [MAX_TOKENS]
 *        [PRECISION: fp32, bf16 or int8]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/lines.h"
#include "infer/infer.h"

struct sentence {
	int n_words;
	char **words;
	size_t *lens;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* First column of each line; blank lines end sentences; -DOCSTART- skipped. */
static int read_conll(const char *path, struct sentence **out)
{
	FILE *f = fopen(path, "r");
	struct xnr_lines lr;
	struct xnr_error err;
	struct sentence *s = NULL, cur = {0, NULL, NULL};
	int n = 0, cap = 0, wcap = 0;
	const char *line;
	size_t len;

	if (!f)
		return -1;
	xnr_lines_init(&lr, f, path, 1 << 20);
	for (;;) {
		if (xnr_lines_next(&lr, &line, &len, &err) != XNR_OK)
			return -1;
		if (!line || len == 0) {
			if (cur.n_words > 0) {
				if (n == cap) {
					cap = cap ? cap * 2 : 1024;
					s = realloc(s, (size_t)cap * sizeof *s);
				}
				s[n++] = cur;
				memset(&cur, 0, sizeof cur);
				wcap = 0;
			}
			if (!line)
				break;
			continue;
		}
		if (strncmp(line, "-DOCSTART-", 10) == 0)
			continue;
		if (cur.n_words == wcap) {
			wcap = wcap ? wcap * 2 : 32;
			cur.words = realloc(cur.words, (size_t)wcap * sizeof *cur.words);
			cur.lens = realloc(cur.lens, (size_t)wcap * sizeof *cur.lens);
		}
		len = strcspn(line, " \t");
		cur.words[cur.n_words] = strndup(line, len);
		cur.lens[cur.n_words++] = len;
	}
	xnr_lines_free(&lr);
	fclose(f);
	*out = s;
	return n;
}

int main(int argc, char **argv)
{
	struct xnr_engine_params p = xnr_engine_default_params();
	struct xnr_engine *e;
	struct xnr_error err;
	struct sentence *sents;
	struct xnr_input *in;
	struct xnr_result *res;
	struct rusage ru;
	int n, i, r, repeats = argc > 4 ? atoi(argv[4]) : 1;
	long tokens = 0;
	double best = 1e30;

	if (argc < 3) {
		fprintf(stderr, "usage: %s MODEL_DIR CONLL_FILE [THREADS] [REPEATS] [MAX_TOKENS]\n",
		        argv[0]);
		return 2;
	}
	p.n_threads = argc > 3 ? atoi(argv[3]) : 2;
	if (argc > 5)
		p.max_tokens = atoi(argv[5]);
	if (argc > 6 && xnr_precision_parse(argv[6], &p.precision, &err) != XNR_OK) {
		fprintf(stderr, "bench_engine: %s\n", err.msg);
		return 1;
	}
	if ((n = read_conll(argv[2], &sents)) <= 0) {
		fprintf(stderr, "%s: cannot read sentences\n", argv[2]);
		return 1;
	}
	if (xnr_engine_open(argv[1], p, &e, &err) != XNR_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	in = calloc((size_t)n, sizeof *in);
	res = calloc((size_t)n, sizeof *res);
	for (i = 0; i < n; i++) {
		in[i].words = (const char *const *)sents[i].words;
		in[i].word_lens = sents[i].lens;
		in[i].n_words = sents[i].n_words;
		xnr_result_init(&res[i]);
	}
	for (r = 0; r < repeats; r++) {
		double t0 = now(), dt;
		if (xnr_engine_run(e, in, n, res, &err) != XNR_OK) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		dt = now() - t0;
		if (dt < best)
			best = dt;
	}
	for (i = 0; i < n; i++) {
		tokens += res[i].enc.n_tokens +
		          (long)res[i].n_windows * xnr_tokenizer_n_special(xnr_engine_tokenizer(e));
		xnr_result_free(&res[i]);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"impl\":\"explainer\",\"sentences\":%d,\"tokens\":%ld,\"threads\":%d,"
	       "\"seconds\":%.3f,\"tokens_per_s\":%.1f,\"peak_rss_mb\":%.1f,\"weights_mb\":%.1f}\n",
	       n, tokens, p.n_threads, best, (double)tokens / best, (double)ru.ru_maxrss / 1024.0,
	       (double)xnr_model_weight_bytes(xnr_engine_model(e)) / (1024.0 * 1024.0));
	xnr_engine_close(e);
	return 0;
}
